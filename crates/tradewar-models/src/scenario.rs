//! Scenarios: a baseline trade matrix and a schedule (MFN tables plus a
//! timeline), evaluated at a date or as a change between two dates, with
//! proposals on top of the timeline (any measure, any timeline event: a
//! what-if) and a target to score.
//!
//! The boundary between exact domain values and model kernels is here:
//! [`Scenario::shocks`] turns money (`i64` cents) and rates (`Decimal`
//! percent) into `f64` US dollars and `f64` fractions, once, explicitly.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use tradewar_core::{
    Action, CommitmentKind, Economy, Event, HsCode, HsLevel, LineAggregation, Measure, MeasureId, Schedule, Target,
    TradeMatrix,
};

use crate::error::{ModelError, Result};

/// How a purchase commitment is met in a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum CommitmentMode {
    /// The buyer's total demand is given: the extra purchases from the
    /// seller displace purchases from other suppliers (in SMART and
    /// accounting pro rata to their imports; in GSIM and GE through a
    /// calibrated preference shift toward the seller). The commitment is
    /// always bought in full: where the suppliers in the data hold too little
    /// (a bilateral table has none), the rest displaces suppliers outside the
    /// data, so it adds to the buyer's imports in the data; the outcome's
    /// notes say how much.
    Diversion,
    /// The extra purchases add to the buyer's total demand; no other flow moves.
    #[default]
    AddedDemand,
}

/// When a scenario is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    /// Policy on the date against policy before the timeline's first event.
    At(NaiveDate),
    /// Policy on `to` against policy on `from`.
    Between {
        /// The policy of reference.
        from: NaiveDate,
        /// The policy evaluated.
        to: NaiveDate,
    },
}

/// A scenario to run through a model.
///
/// Serializes with its whole baseline and schedule, so that the text alone
/// rebuilds it; reading goes through the same checks as [`Scenario::at`] and
/// [`Scenario::between`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "ScenarioRepr", try_from = "ScenarioRepr")]
pub struct Scenario {
    name: String,
    baseline: Arc<TradeMatrix>,
    schedule: Arc<Schedule>,
    base_year: i32,
    evaluation: Evaluation,
    /// What-if events on top of the schedule's timeline.
    proposals: Vec<Event>,
    /// The schedule with the proposals applied (the schedule itself when there are none).
    applied: Arc<Schedule>,
    /// Measures left out of both sides at the user's request.
    ignored: Vec<MeasureId>,
    commitment_mode: CommitmentMode,
    commitment_year: Option<i32>,
    target: Option<Target>,
    rates: LineAggregation,
}

/// The serde form of a [`Scenario`].
/// Equal when everything given is: the schedule with the proposals applied
/// is derived from the rest.
impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.baseline == other.baseline
            && self.schedule == other.schedule
            && self.base_year == other.base_year
            && self.evaluation == other.evaluation
            && self.proposals == other.proposals
            && self.ignored == other.ignored
            && self.commitment_mode == other.commitment_mode
            && self.commitment_year == other.commitment_year
            && self.target == other.target
            && self.rates == other.rates
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRepr {
    name: String,
    base_year: i32,
    evaluation: Evaluation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    proposals: Vec<ProposalRepr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<MeasureId>,
    #[serde(default, skip_serializing_if = "is_line_share")]
    rates: LineAggregation,
    #[serde(default)]
    commitment_mode: CommitmentMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commitment_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<Target>,
    schedule: Schedule,
    baseline: TradeMatrix,
}

/// A proposal as written: a timeline event, or (the form of earlier files)
/// a bare measure, imposed on the first day of its window.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum ProposalRepr {
    Event(Event),
    Measure(Measure),
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_line_share(r: &LineAggregation) -> bool {
    *r == LineAggregation::LineShare
}

impl From<Scenario> for ScenarioRepr {
    fn from(s: Scenario) -> Self {
        Self {
            name: s.name,
            base_year: s.base_year,
            evaluation: s.evaluation,
            proposals: s.proposals.into_iter().map(ProposalRepr::Event).collect(),
            ignored: s.ignored,
            rates: s.rates,
            commitment_mode: s.commitment_mode,
            commitment_year: s.commitment_year,
            target: s.target,
            schedule: Arc::unwrap_or_clone(s.schedule),
            baseline: Arc::unwrap_or_clone(s.baseline),
        }
    }
}

impl TryFrom<ScenarioRepr> for Scenario {
    type Error = ModelError;

    fn try_from(r: ScenarioRepr) -> Result<Self> {
        let (baseline, schedule) = (Arc::new(r.baseline), Arc::new(r.schedule));
        let mut s = match r.evaluation {
            Evaluation::At(date) => Scenario::at(&r.name, baseline, schedule, r.base_year, date)?,
            Evaluation::Between { from, to } => Scenario::between(&r.name, baseline, schedule, r.base_year, from, to)?,
        };
        let events = r.proposals.into_iter().map(|p| match p {
            ProposalRepr::Event(e) => e,
            ProposalRepr::Measure(m) => Event::new(m.header().window.start(), Action::Impose { measure: m }),
        });
        s = s.with_events(events)?;
        if !r.ignored.is_empty() {
            s = s.ignoring(r.ignored)?;
        }
        s = s.with_commitment_mode(r.commitment_mode).with_rates(r.rates);
        if let Some(y) = r.commitment_year {
            s = s.with_commitment_year(y);
        }
        if let Some(t) = r.target {
            let t = Target::new(&t.name, t.reporter, t.partner, t.base_year, t.reduction, t.by_year)?;
            s = s.with_target(t);
        }
        Ok(s)
    }
}

/// A purchase commitment as a model shock.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentShock {
    /// The commitment's id.
    pub id: String,
    /// Buyer (importer).
    pub buyer: Economy,
    /// Seller (exporter).
    pub seller: Economy,
    /// Rows of [`PolicyShocks`] in the commitment's scope.
    pub rows: Vec<usize>,
    /// Extra purchases per year, US dollars: the committed amount above
    /// the commitment's own baseline year, applied to the scenario's
    /// base-year trade (exact when the two years are the same, as in the
    /// 2018–2020 story, where both are 2017).
    pub extra_usd: f64,
}

/// The policy change of a scenario, flow by flow, in `f64`.
///
/// Values are US dollars (`cents / 100`, exact up to 2^53 cents); tariffs
/// are fractions (25 % → 0.25) of the product's rate, the simple mean over
/// the importer's national lines below the flow's product.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyShocks {
    /// Exporter of each flow.
    pub exporter: Vec<Economy>,
    /// Importer of each flow.
    pub importer: Vec<Economy>,
    /// Product of each flow.
    pub product: Vec<HsCode>,
    /// Baseline value, US dollars.
    pub value: Vec<f64>,
    /// Tariff before, as a fraction.
    pub t0: Vec<f64>,
    /// Tariff after, as a fraction.
    pub t1: Vec<f64>,
    /// Whether the flow is stopped by a ban after.
    pub banned: Vec<bool>,
    /// Purchase commitments in force after (and proposals).
    pub commitments: Vec<CommitmentShock>,
    /// Changes of policy that the tariff and ban columns cannot carry
    /// (quotas, subsidies, denial orders on an entity): each model applies
    /// those it can represent and refuses the others.
    pub other_changes: Vec<MeasureChange>,
    /// What the scenario's answers assume beyond its data (dates outside
    /// the schedule's sources, importers whose tariffs the sources do not
    /// hold): flags that every outcome carries in [`crate::Outcome::caveats`].
    pub caveats: Vec<String>,
    /// How the tariffs were read (split lines, products unknown to a table,
    /// measures left out on request): for every outcome's notes.
    pub notes: Vec<String>,
    /// Measures that change between the two dates and are aimed at an
    /// aggregate (`WLD`, `EU27`...): applied to the scenario's flows only.
    /// A model whose world holds other partners of the aggregate cannot see
    /// them, and says so ([`PolicyShocks::aggregate_caveat`]).
    pub aimed_at_aggregates: Vec<MeasureId>,
}

/// How a measure that the tariff and ban columns cannot carry changed
/// between the two dates of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureChange {
    /// The measure as it stands on the later date (or the earlier one, when lifted).
    pub measure: Arc<Measure>,
    /// Whether it is in force on the earlier date.
    pub before: bool,
    /// Whether it is in force on the later date.
    pub after: bool,
}

impl MeasureChange {
    /// A short description, e.g. "export_ban BIS-ZTE (BIS denial order on ZTE) comes into force".
    pub fn describe(&self) -> String {
        let m = &self.measure;
        let what = match (self.before, self.after) {
            (false, true) => "comes into force",
            (true, false) => "ends",
            _ => "changes",
        };
        format!("{} {} ({}) {what}", m.kind(), m.id(), m.header().name)
    }

    /// The error a model returns when it cannot represent the change.
    pub fn unsupported(&self, model: &str, reason: &str) -> ModelError {
        ModelError::Unsupported {
            model: model.to_string(),
            measure: self.measure.id().to_string(),
            kind: self.measure.kind(),
            reason: format!(
                "{}: {reason}; run a model that represents it, or leave it out with Scenario::ignoring \
                 (Python: Scenario(..., ignore=[...]))",
                self.describe()
            ),
        }
    }
}

impl PolicyShocks {
    /// For a model whose world holds economies beyond the scenario's trade
    /// (GE, Caliendo–Parro): the caveat that measures aimed at aggregates are
    /// applied to the scenario's pairs only, if any changed.
    pub fn aggregate_caveat(&self) -> Option<String> {
        if self.aimed_at_aggregates.is_empty() {
            return None;
        }
        let mut pairs: Vec<String> =
            self.exporter.iter().zip(&self.importer).map(|(e, i)| format!("{e}→{i}")).collect();
        pairs.sort_unstable();
        pairs.dedup();
        let ids: Vec<String> = self.aimed_at_aggregates.iter().map(ToString::to_string).collect();
        Some(format!(
            "{} aimed at aggregates (every partner, or a group) are applied to the scenario's pairs only ({}): their \
             effect on the world's other pairs is not in the scenario's trade and is not modelled",
            ids.join(", "),
            pairs.join(", ")
        ))
    }

    /// Refuses every change of `other_changes` with the model's name and
    /// why it cannot represent it (for models that represent none of them).
    pub fn refuse_other_changes(&self, model: &str) -> Result<()> {
        match self.other_changes.first() {
            None => Ok(()),
            Some(c) => Err(c.unsupported(model, other_change_reason(&c.measure))),
        }
    }

    /// Number of flows.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether there are no flows.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

/// A product's tariff before and after (fraction), `None` where trade is stopped.
type RatePair = (Option<f64>, Option<f64>);

/// Why a product-level or aggregate model cannot represent a measure that
/// the tariff and ban columns do not carry.
pub(crate) fn other_change_reason(m: &Measure) -> &'static str {
    match m {
        Measure::ExportBan { entity: Some(_), .. } => {
            "it denies one entity, whose share of product-level trade is not known"
        }
        Measure::Quota { .. } => "quotas are not represented in this model",
        Measure::Subsidy { .. } => "subsidies are not represented in this model",
        _ => "this kind of measure is not represented in this model",
    }
}

/// Whether a measure acts through the tariff and ban columns of the shocks
/// (tariffs, exclusions, MFN changes, economy-wide bans) or commitments.
fn carried_by_shocks(m: &Measure) -> bool {
    matches!(
        m,
        Measure::Tariff { .. }
            | Measure::TariffExclusion { .. }
            | Measure::MfnChange { .. }
            | Measure::ImportBan { .. }
            | Measure::ExportBan { entity: None, .. }
            | Measure::PurchaseCommitment { .. }
    )
}

/// `Decimal` percent to an `f64` fraction.
pub(crate) fn fraction(pct: Decimal) -> f64 {
    pct.to_f64().unwrap_or(f64::NAN) / 100.0
}

impl Scenario {
    /// Policy on `date` against policy before the timeline's first event,
    /// on the trade of `base_year`.
    pub fn at(
        name: &str,
        baseline: Arc<TradeMatrix>,
        schedule: Arc<Schedule>,
        base_year: i32,
        date: NaiveDate,
    ) -> Result<Self> {
        Self::new(name, baseline, schedule, base_year, Evaluation::At(date))
    }

    /// Policy on `to` against policy on `from`.
    pub fn between(
        name: &str,
        baseline: Arc<TradeMatrix>,
        schedule: Arc<Schedule>,
        base_year: i32,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Self> {
        if to < from {
            return Err(ModelError::InvalidInput {
                what: "scenario dates".into(),
                reason: format!("{to} is before {from}"),
            });
        }
        Self::new(name, baseline, schedule, base_year, Evaluation::Between { from, to })
    }

    fn new(
        name: &str,
        baseline: Arc<TradeMatrix>,
        schedule: Arc<Schedule>,
        base_year: i32,
        evaluation: Evaluation,
    ) -> Result<Self> {
        if !baseline.years().contains(&base_year) {
            return Err(ModelError::InvalidInput {
                what: "base year".into(),
                reason: format!("the trade matrix has no flows in {base_year}"),
            });
        }
        match evaluation {
            Evaluation::At(d) => {
                tradewar_core::check_date(d)?;
            }
            Evaluation::Between { from, to } => {
                tradewar_core::check_date(from)?;
                tradewar_core::check_date(to)?;
                if to < from {
                    return Err(ModelError::InvalidInput {
                        what: "scenario dates".into(),
                        reason: format!("{to} is before {from}"),
                    });
                }
            }
        }
        Ok(Self {
            name: name.to_string(),
            applied: Arc::clone(&schedule),
            baseline,
            schedule,
            base_year,
            evaluation,
            proposals: Vec::new(),
            ignored: Vec::new(),
            commitment_mode: CommitmentMode::default(),
            commitment_year: None,
            target: None,
            rates: LineAggregation::LineShare,
        })
    }

    /// Adds a measure not in the timeline (a purchase offer, a tariff, a
    /// ban...), imposed on the first day of its window: a what-if on top of
    /// the timeline, which every model applies. Refused as
    /// [`Scenario::with_events`] refuses.
    pub fn with_proposal(self, measure: Measure) -> Result<Self> {
        let date = measure.header().window.start();
        self.with_events([Event::new(date, Action::Impose { measure })])
    }

    /// Adds what-if events on top of the timeline: impose a measure, change
    /// its rates, suspend, resume or lift it (timeline measures included).
    /// The scenario then compares the what-if world on its two dates: a
    /// proposal dated on or before the earlier date is in force on both (as
    /// with [`Schedule::with_events`]), one dated between them is the change
    /// evaluated. The timeline's events after the later date play no part (so
    /// a measure can be lifted before changes the timeline makes to it later).
    ///
    /// Refused, leaving the scenario as it was: an event the timeline
    /// refuses (a measure id used twice, the same measure under two ids, such
    /// as one commitment proposed twice; an event on a measure not yet
    /// imposed on its date), and an event dated after the scenario's later
    /// date, which would change nothing.
    pub fn with_events<I: IntoIterator<Item = Event>>(mut self, events: I) -> Result<Self> {
        let events: Vec<Event> = events.into_iter().collect();
        let (_, to) = self.dates();
        if let Some(late) = events.iter().find(|e| e.date > to) {
            return Err(ModelError::InvalidInput {
                what: format!(
                    "proposal {}",
                    late.measure_id().map_or_else(|| "event".to_string(), ToString::to_string)
                ),
                reason: format!(
                    "is dated {}, after the scenario's date {to}: it would change nothing; date it on or before {to}",
                    late.date
                ),
            });
        }
        for e in &events {
            if let Action::Impose { measure } = &e.action {
                self.check_touches_data(measure)?;
            }
        }
        let mut all = self.proposals.clone();
        all.extend(events);
        if all.is_empty() {
            return Ok(self);
        }
        let until_to = self.schedule.retain_events(|e| e.date <= to)?;
        let applied = until_to.with_events(all.iter().cloned()).map_err(|e| self.explain_refusal(e))?;
        self.applied = Arc::new(applied);
        self.proposals = all;
        Ok(self)
    }

    /// Refuses a proposed measure that concerns no flow of the scenario's
    /// base-year trade: it would change nothing (a tariff of Japan on the US
    /// in a US–China table), and a silent no-op is not an answer.
    fn check_touches_data(&self, m: &Measure) -> Result<()> {
        let h = m.header();
        let exports_side = matches!(m, Measure::ExportBan { .. } | Measure::Subsidy { .. });
        let b = &*self.baseline;
        let touches = (0..b.len()).any(|r| {
            b.years()[r] == self.base_year && {
                let (e, i) = (b.exporters()[r], b.importers()[r]);
                if exports_side {
                    e == h.imposer && h.target.includes(i)
                } else {
                    i == h.imposer && h.target.includes(e)
                }
            }
        });
        if touches {
            return Ok(());
        }
        let (a, z) = if exports_side { (h.imposer, h.target) } else { (h.target, h.imposer) };
        Err(ModelError::InvalidInput {
            what: format!("proposal {}", h.id),
            reason: format!(
                "concerns flows from {a} to {z}, and the scenario's {} trade has none: it would change nothing; \
                 build the scenario on trade that holds them",
                self.base_year
            ),
        })
    }

    /// A timeline refusal of a proposal, said in the proposal's terms where
    /// the bare message would mislead (an event on a measure the timeline
    /// imposes only later).
    fn explain_refusal(&self, e: tradewar_core::Error) -> ModelError {
        if let tradewar_core::Error::UnknownMeasure { id, date } = &e {
            if let Some(m) = MeasureId::new(id).ok().and_then(|id| self.schedule.timeline().measure(&id).cloned()) {
                let start = m.header().window.start();
                return ModelError::InvalidInput {
                    what: format!("proposal on {id} dated {date}"),
                    reason: format!("{id} is imposed only on {start}, after it: date the proposal on or after {start}"),
                };
            }
        }
        e.into()
    }

    /// Leaves measures of the timeline or the proposals out of both sides of
    /// the comparison, at the user's request (for a measure a model cannot
    /// represent); every outcome says so in its notes. Unknown ids are refused.
    pub fn ignoring<I: IntoIterator<Item = MeasureId>>(mut self, ids: I) -> Result<Self> {
        for id in ids {
            if self.applied.timeline().measure(&id).is_none() {
                return Err(ModelError::InvalidInput {
                    what: format!("ignored measure {id}"),
                    reason: "is not in the scenario's timeline or proposals".into(),
                });
            }
            if !self.ignored.contains(&id) {
                self.ignored.push(id);
            }
        }
        Ok(self)
    }

    /// How each product's tariff is read off its tariff lines (default: the
    /// line-share mean; `Highest` and `Lowest` bracket it).
    #[must_use]
    pub fn with_rates(mut self, how: LineAggregation) -> Self {
        self.rates = how;
        self
    }

    /// How commitments are met.
    #[must_use]
    pub fn with_commitment_mode(mut self, mode: CommitmentMode) -> Self {
        self.commitment_mode = mode;
        self
    }

    /// Which year of multi-year commitments to apply (default: the year of
    /// the evaluation date, or the first committed year after it).
    #[must_use]
    pub fn with_commitment_year(mut self, year: i32) -> Self {
        self.commitment_year = Some(year);
        self
    }

    /// A target to score.
    #[must_use]
    pub fn with_target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The baseline trade.
    pub fn baseline(&self) -> &TradeMatrix {
        &self.baseline
    }
    /// The schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
    /// The baseline year.
    pub fn base_year(&self) -> i32 {
        self.base_year
    }
    /// The evaluation.
    pub fn evaluation(&self) -> Evaluation {
        self.evaluation
    }
    /// How commitments are met.
    pub fn commitment_mode(&self) -> CommitmentMode {
        self.commitment_mode
    }
    /// The target, if any.
    pub fn target(&self) -> Option<&Target> {
        self.target.as_ref()
    }
    /// What-if events added on top of the timeline.
    pub fn proposals(&self) -> &[Event] {
        &self.proposals
    }
    /// The schedule with the proposals applied.
    pub fn applied_schedule(&self) -> &Schedule {
        &self.applied
    }
    /// Measures left out at the user's request.
    pub fn ignored(&self) -> &[MeasureId] {
        &self.ignored
    }
    /// How each product's tariff is read off its lines.
    pub fn rates(&self) -> LineAggregation {
        self.rates
    }
    /// The commitment year set with [`Scenario::with_commitment_year`], if any.
    pub fn commitment_year(&self) -> Option<i32> {
        self.commitment_year
    }
    /// The baseline trade, shared (no copy).
    pub fn shared_baseline(&self) -> Arc<TradeMatrix> {
        Arc::clone(&self.baseline)
    }

    /// The two dates compared.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self.evaluation {
            Evaluation::Between { from, to } => (from, to),
            Evaluation::At(d) => {
                let first = self.schedule.timeline().events().first().map_or(d, |e| e.date);
                (first.pred_opt().unwrap_or(first), d)
            }
        }
    }

    /// The schedule of both sides: the timeline with the proposals (events
    /// after the later date dropped), minus the measures ignored on request.
    fn what_if(&self) -> Result<Schedule> {
        if self.ignored.is_empty() {
            return Ok((*self.applied).clone());
        }
        Ok(self.applied.retain_events(|e| {
            let excluded_tariff = match &e.action {
                Action::Impose { measure: Measure::TariffExclusion { tariff, .. } } => Some(tariff),
                _ => None,
            };
            !e.measure_id().is_some_and(|id| self.ignored.contains(id))
                && !excluded_tariff.is_some_and(|t| self.ignored.contains(t))
        })?)
    }

    /// What the scenario's answers assume beyond its data: a date outside the
    /// period of the schedule's sources, importers of the baseline whose
    /// tariffs the sources do not hold (their tariffs are taken as unchanged
    /// at 0). Cheap: no pricing. Every outcome carries them.
    pub fn caveats(&self) -> Vec<String> {
        let (from, to) = self.dates();
        let mut out = Vec::new();
        if let Some(c) = self.applied.coverage() {
            out.extend(c.caveat_for(from).map(|c| format!("earlier date: {c}")));
            out.extend(c.caveat_for(to).map(|c| format!("later date: {c}")));
            let mut uncovered: Vec<Economy> = self
                .baseline
                .importers()
                .iter()
                .zip(self.baseline.years())
                .filter(|(i, y)| **y == self.base_year && !c.importers.contains(i))
                .map(|(i, _)| *i)
                .collect();
            uncovered.sort_unstable();
            uncovered.dedup();
            if !uncovered.is_empty() {
                let list: Vec<String> = uncovered.iter().map(ToString::to_string).collect();
                out.push(format!(
                    "the schedule's sources ({}) do not hold the tariffs of {}: their tariffs are taken as \
                     unchanged at 0",
                    c.source,
                    list.join(", ")
                ));
            }
        }
        out
    }

    /// The flow-by-flow policy change: every flow of the base year, its
    /// tariff before and after (each product's rate read off its tariff
    /// lines as [`Scenario::rates`] says), bans, commitments coming into force,
    /// and the changes the columns cannot carry ([`PolicyShocks::other_changes`]).
    ///
    /// Importers whose tariffs the schedule's sources do not cover keep their
    /// tariffs unchanged (taken as 0), and the caveats say so.
    pub fn shocks(&self) -> Result<PolicyShocks> {
        let (from, to) = self.dates();
        let what_if = self.what_if()?;
        let (before, after) = (what_if.at(from), what_if.at(to));
        let m = &*self.baseline;
        let mut s = PolicyShocks::default();
        let mut cache: std::collections::HashMap<(Economy, Economy, HsCode), RatePair> =
            std::collections::HashMap::new();
        let mut split = 0usize;
        let mut unknown_products: std::collections::HashSet<(Economy, Economy, HsCode)> =
            std::collections::HashSet::new();
        // By direction: trade in products unknown to the importer's table, and all trade.
        let mut unknown_value: std::collections::BTreeMap<(Economy, Economy), (f64, f64, Option<HsCode>)> =
            std::collections::BTreeMap::new();
        let how = self.rates;
        for r in 0..m.len() {
            if m.years()[r] != self.base_year {
                continue;
            }
            let (e, i, raw) = (m.exporters()[r], m.importers()[r], m.products()[r]);
            let p = raw.truncate(HsLevel::Subheading).unwrap_or(raw);
            let key = (e, i, p);
            let (t0, t1) = if let Some(pair) = cache.get(&key) {
                *pair
            } else {
                let pair = if before.check_pair(i, e).is_err() && e != i {
                    (Some(0.0), Some(0.0))
                } else {
                    let (pb, pa) = (before.product_rate(i, e, p)?, after.product_rate(i, e, p)?);
                    split += usize::from(pa.split_lines > 0 || pb.split_lines > 0);
                    if pa.caveats.iter().any(|c| matches!(c, tradewar_core::Caveat::BaseRateUnknown { .. })) {
                        unknown_products.insert(key);
                    }
                    let rate = |pr: &tradewar_core::ProductRate| pr.total(how).map(|t| fraction(t.value()));
                    (rate(&pb), rate(&pa))
                };
                cache.insert(key, pair);
                pair
            };
            let value = m.values_cents()[r] as f64 / 100.0;
            let direction = unknown_value.entry((e, i)).or_default();
            direction.1 += value;
            if unknown_products.contains(&key) {
                direction.0 += value;
                direction.2.get_or_insert(p);
            }
            s.exporter.push(e);
            s.importer.push(i);
            s.product.push(raw);
            s.value.push(value);
            let Some(t0) = t0 else {
                return Err(ModelError::InvalidInput {
                    what: format!("flow {e}->{i} of {p}"),
                    reason: format!("is stopped by a ban already on {from}; models start from open trade"),
                });
            };
            s.t0.push(t0);
            s.t1.push(t1.unwrap_or(t0));
            s.banned.push(t1.is_none());
        }
        s.caveats = self.caveats();
        if split > 0 {
            s.notes.push(format!(
                "{split} product rates include tariff lines split by finer listings, read as {how} \
                 (the lowest and highest rates bracket them)"
            ));
        }
        for ((e, i), (unknown, all, example)) in &unknown_value {
            if let Some(example) = example {
                s.notes.push(format!(
                    "${:.2}B of {e}→{i} trade ({:.1}%) is in products unknown to {i}'s MFN table (e.g. {example}): \
                     their tariffs are taken as 0 and held unchanged",
                    unknown / 1e9,
                    100.0 * unknown / all
                ));
            }
        }
        // Changes the tariff and ban columns cannot carry.
        let (b_state, a_state) = (before.state(), after.state());
        let mut ids: Vec<&MeasureId> = a_state.measures().chain(b_state.measures()).map(|st| st.measure.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let (b, a) = (b_state.get(id), a_state.get(id));
            let in_force = |st: Option<&tradewar_core::MeasureState>| {
                st.is_some_and(|st| st.status == tradewar_core::Status::InForce)
            };
            let (was, is) = (in_force(b), in_force(a));
            let measure = match (a, b) {
                (Some(st), _) | (None, Some(st)) => Arc::clone(&st.measure),
                (None, None) => continue,
            };
            let changed = was != is || (was && is && b.map(|x| &x.measure) != a.map(|x| &x.measure));
            if changed && !carried_by_shocks(&measure) {
                s.other_changes.push(MeasureChange { measure, before: was, after: is });
            } else if changed && measure.header().target.is_aggregate() {
                s.aimed_at_aggregates.push(measure.id().clone());
            }
        }
        // Commitments that come into force between the two dates (proposals included).
        let commitments: Vec<&Measure> = a_state
            .in_force()
            .filter(|m| matches!(m, Measure::PurchaseCommitment { .. }) && !b_state.is_in_force(m.id()))
            .collect();
        for c in commitments {
            let Measure::PurchaseCommitment { header, kind, years, .. } = c else { continue };
            if *kind != CommitmentKind::AboveBaseline {
                return Err(ModelError::InvalidInput {
                    what: format!("commitment {}", header.id),
                    reason: "only extra-over-baseline commitments can be applied as shocks".into(),
                });
            }
            let year = self.commitment_year.unwrap_or(to.format("%Y").to_string().parse().unwrap_or(self.base_year));
            let Some(y) = years.iter().find(|y| y.year >= year) else { continue };
            let rows: Vec<usize> = (0..s.len())
                .filter(|&k| {
                    s.importer[k] == header.imposer
                        && s.exporter[k] == header.target
                        && header.scope.contains(s.product[k])
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            s.commitments.push(CommitmentShock {
                id: header.id.to_string(),
                buyer: header.imposer,
                seller: header.target,
                rows,
                extra_usd: y.amount.amount().to_f64().unwrap_or(f64::NAN),
            });
        }
        if !self.ignored.is_empty() {
            let list: Vec<String> = self.ignored.iter().map(ToString::to_string).collect();
            s.notes.push(format!("left out at the user's request: {}", list.join(", ")));
        }
        Ok(s)
    }
}
