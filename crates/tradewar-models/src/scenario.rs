//! Scenarios: a baseline trade matrix and a schedule (MFN tables plus a
//! timeline), evaluated at a date or as a change between two dates, with
//! optional proposals (purchase offers, bans) and a target to score.
//!
//! The boundary between exact domain values and model kernels is here:
//! [`Scenario::shocks`] turns money (`i64` cents) and rates (`Decimal`
//! percent) into `f64` US dollars and `f64` fractions, once, explicitly.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use tradewar_core::{CommitmentKind, Economy, HsCode, HsLevel, Measure, Schedule, Target, TradeMatrix};

use crate::error::{ModelError, Result};

/// How a purchase commitment is met in a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum CommitmentMode {
    /// The buyer's total demand is given: the extra purchases from the
    /// seller displace purchases from other suppliers (in SMART pro rata to
    /// their imports; in GSIM and GE through a calibrated preference shift
    /// toward the seller). When others hold too little, the rest is reported.
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "ScenarioRepr", try_from = "ScenarioRepr")]
pub struct Scenario {
    name: String,
    baseline: Arc<TradeMatrix>,
    schedule: Arc<Schedule>,
    base_year: i32,
    evaluation: Evaluation,
    proposals: Vec<Measure>,
    commitment_mode: CommitmentMode,
    commitment_year: Option<i32>,
    target: Option<Target>,
}

/// The serde form of a [`Scenario`].
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRepr {
    name: String,
    base_year: i32,
    evaluation: Evaluation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    proposals: Vec<Measure>,
    #[serde(default)]
    commitment_mode: CommitmentMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commitment_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<Target>,
    schedule: Schedule,
    baseline: TradeMatrix,
}

impl From<Scenario> for ScenarioRepr {
    fn from(s: Scenario) -> Self {
        Self {
            name: s.name,
            base_year: s.base_year,
            evaluation: s.evaluation,
            proposals: s.proposals,
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
        for m in r.proposals {
            m.validate()?;
            s = s.with_proposal(m);
        }
        s = s.with_commitment_mode(r.commitment_mode);
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
}

impl PolicyShocks {
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
        Ok(Self {
            name: name.to_string(),
            baseline,
            schedule,
            base_year,
            evaluation,
            proposals: Vec::new(),
            commitment_mode: CommitmentMode::default(),
            commitment_year: None,
            target: None,
        })
    }

    /// Adds a proposal not in the timeline (a purchase offer, say).
    #[must_use]
    pub fn with_proposal(mut self, measure: Measure) -> Self {
        self.proposals.push(measure);
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
    /// Proposals added on top of the timeline.
    pub fn proposals(&self) -> &[Measure] {
        &self.proposals
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

    /// The flow-by-flow policy change.
    pub fn shocks(&self) -> Result<PolicyShocks> {
        let (from, to) = self.dates();
        let (before, after) = (self.schedule.at(from), self.schedule.at(to));
        let m = &*self.baseline;
        let mut s = PolicyShocks::default();
        let mut cache: std::collections::HashMap<(Economy, Economy, HsCode), RatePair> =
            std::collections::HashMap::new();
        for r in 0..m.len() {
            if m.years()[r] != self.base_year {
                continue;
            }
            let (e, i, raw) = (m.exporters()[r], m.importers()[r], m.products()[r]);
            let p = raw.truncate(HsLevel::Subheading).unwrap_or(raw);
            let (t0, t1) = *cache.entry((e, i, p)).or_insert_with(|| {
                let rate = |at: &tradewar_core::ScheduleAt| at.product_rate(i, e, p).map(|(t, _)| fraction(t));
                (rate(&before), rate(&after))
            });
            s.exporter.push(e);
            s.importer.push(i);
            s.product.push(raw);
            s.value.push(m.values_cents()[r] as f64 / 100.0);
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
        // Commitments that come into force between the two dates, and proposals.
        let commitments: Vec<&Measure> = after
            .state()
            .in_force()
            .filter(|m| matches!(m, Measure::PurchaseCommitment { .. }) && !before.state().is_in_force(m.id()))
            .chain(self.proposals.iter().filter(|m| matches!(m, Measure::PurchaseCommitment { .. })))
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
        Ok(s)
    }
}
