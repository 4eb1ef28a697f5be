//! The duty schedule: what duty applies to a line from an exporter into an
//! importer on a date, and why, as one query or in bulk.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::duty::{Duty, LegalBasis, Percent};
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::HsCode;
use crate::measure::{Combine, Measure, MeasureId, Stacking, TariffRates};
use crate::timeline::{PolicyState, Timeline};

/// An importer's MFN schedule by national line (or HS6 where that is all
/// that is known). Its keys are also the importer's nomenclature: the lines
/// over which simple averages and line shares are taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfnTable {
    importer: Economy,
    #[serde(with = "lines_serde")]
    lines: BTreeMap<HsCode, Duty>,
}

mod lines_serde {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::duty::Duty;
    use crate::hs::HsCode;

    pub fn serialize<S: Serializer>(m: &BTreeMap<HsCode, Duty>, s: S) -> Result<S::Ok, S::Error> {
        m.iter().collect::<Vec<_>>().serialize(s)
    }

    /// The lines as [`super::MfnTable::new`] takes them: a line listed twice is refused (issue 11: the last won).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<HsCode, Duty>, D::Error> {
        let mut map = BTreeMap::new();
        for (code, duty) in Vec::<(HsCode, Duty)>::deserialize(d)? {
            if map.insert(code, duty).is_some() {
                return Err(serde::de::Error::custom(format!("line {code} is listed twice in the MFN table")));
            }
        }
        Ok(map)
    }
}

impl MfnTable {
    /// A table; a line listed twice, or a duty that is not valid (a negative
    /// rate), is an error naming it.
    pub fn new<I: IntoIterator<Item = (HsCode, Duty)>>(importer: Economy, lines: I) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (code, duty) in lines {
            duty.validate()
                .map_err(|e| Error::Invalid { what: "MFN table", reason: format!("line {code} of {importer}: {e}") })?;
            if map.insert(code, duty).is_some() {
                return Err(Error::Invalid {
                    what: "MFN table",
                    reason: format!("line {code} of {importer} is listed twice"),
                });
            }
        }
        Ok(Self { importer, lines: map })
    }

    /// The importer.
    pub fn importer(&self) -> Economy {
        self.importer
    }

    /// The duty on a line: its own, or that of its longest listed ancestor.
    /// For a code coarser than the table (an HS6 in an HTS8 table) there is
    /// no single duty: `None`.
    pub fn duty_for(&self, code: HsCode) -> Option<&Duty> {
        let mut c = Some(code);
        while let Some(x) = c {
            if let Some(d) = self.lines.get(&x) {
                return Some(d);
            }
            c = x.parent();
        }
        None
    }

    /// The listed lines at or below a code, in order.
    pub fn lines_below(&self, code: HsCode) -> impl Iterator<Item = (HsCode, &Duty)> + '_ {
        let (lo, _) = code.sort_key();
        let hi = lo + 10u64.pow(10 - u32::from(code.digits()));
        // Codes sort by their 10-digit padding, so the lines below `code` are
        // one contiguous run starting at `code` itself.
        self.lines.range(code..).take_while(move |(c, _)| c.sort_key().0 < hi).map(|(c, d)| (*c, d))
    }

    /// Every line.
    pub fn lines(&self) -> impl Iterator<Item = (HsCode, &Duty)> + '_ {
        self.lines.iter().map(|(c, d)| (*c, d))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// One layer of a duty stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// The measure, `None` for the MFN base rate of the importer's own schedule.
    pub id: Option<MeasureId>,
    /// Human name.
    pub name: String,
    /// Legal basis.
    pub legal_basis: LegalBasis,
    /// The duty the layer levies as written.
    pub duty: Duty,
    /// Its ad valorem contribution to the total after the stacking rules
    /// (share of value, floors); `None` for prohibitive layers.
    pub contribution: Option<Percent>,
}

/// A layer that would apply but was switched off, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InactiveLayer {
    /// The measure.
    pub id: MeasureId,
    /// Human name.
    pub name: String,
    /// Why it does not apply.
    pub reason: String,
}

/// The duty on one line, and the stack that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyStack {
    /// Importer.
    pub importer: Economy,
    /// Exporter (origin).
    pub exporter: Economy,
    /// The line.
    pub line: HsCode,
    /// The date.
    pub date: NaiveDate,
    /// The base rate (the importer's MFN, possibly changed by an MFN-change measure).
    pub base: Layer,
    /// Whether the base rate was found in the importer's MFN table.
    pub base_known: bool,
    /// The additional layers that apply, in the order applied.
    pub layers: Vec<Layer>,
    /// Layers switched off (exclusions, precedence, max-of-group).
    pub inactive: Vec<InactiveLayer>,
    /// Bans that stop this trade altogether.
    pub blocked_by: Vec<MeasureId>,
    /// Total ad valorem rate; `None` when a ban or prohibitive duty stops trade.
    pub total_ad_valorem: Option<Percent>,
    /// Whether some layer has a specific (per-unit) part that the ad valorem
    /// total leaves out.
    pub has_specific: bool,
}

impl DutyStack {
    /// The additional duty over the base rate, in percentage points.
    pub fn additional(&self) -> Option<Percent> {
        let base = self.base.contribution?;
        self.total_ad_valorem.map(|t| Percent::new_signed(t.value() - base.value()))
    }

    /// A multi-line explanation.
    pub fn explain(&self) -> String {
        use std::fmt::Write;
        let mut s = format!("{} from {} into {} on {}\n", self.line, self.exporter, self.importer, self.date);
        let base_note = if self.base_known { "" } else { " (not in the MFN table: taken as 0)" };
        let _ = writeln!(s, "  base  {:<44} {}{}", self.base.name, self.base.duty, base_note);
        for l in &self.layers {
            let c = l.contribution.map_or_else(|| "prohibitive".to_string(), |c| c.to_string());
            let _ = writeln!(
                s,
                "  + {:<46} {} -> {}",
                format!("{} [{}]", l.name, l.id.as_ref().map_or("", MeasureId::as_str)),
                l.duty,
                c
            );
        }
        for l in &self.inactive {
            let _ = writeln!(s, "  x {} [{}]: {}", l.name, l.id, l.reason);
        }
        for b in &self.blocked_by {
            let _ = writeln!(s, "  ! trade stopped by {b}");
        }
        let total = self.total_ad_valorem.map_or_else(|| "prohibitive".to_string(), |t| t.to_string());
        let spec = if self.has_specific { " plus specific duties" } else { "" };
        let _ = writeln!(s, "  = {total}{spec}");
        s
    }
}

/// MFN tables and a timeline: everything needed to answer duty queries.
///
/// Serializes as `{"timeline": .., "mfn": [tables by importer]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ScheduleRepr", try_from = "ScheduleRepr")]
pub struct Schedule {
    mfn: HashMap<Economy, Arc<MfnTable>>,
    timeline: Timeline,
}

impl Schedule {
    /// A schedule over a timeline with no MFN tables yet.
    pub fn new(timeline: Timeline) -> Self {
        Self { mfn: HashMap::new(), timeline }
    }

    /// Adds (or replaces) an importer's MFN table.
    #[must_use]
    pub fn with_mfn(mut self, table: MfnTable) -> Self {
        self.mfn.insert(table.importer(), Arc::new(table));
        self
    }

    /// The timeline.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// An importer's MFN table.
    pub fn mfn(&self, importer: Economy) -> Option<&MfnTable> {
        self.mfn.get(&importer).map(AsRef::as_ref)
    }

    /// Every MFN table, in importer order.
    pub fn mfn_tables(&self) -> Vec<&MfnTable> {
        let mut t: Vec<&MfnTable> = self.mfn.values().map(AsRef::as_ref).collect();
        t.sort_by_key(|t| t.importer());
        t
    }

    /// The policy of one date, compiled for fast queries.
    pub fn at(&self, date: NaiveDate) -> ScheduleAt {
        ScheduleAt::new(self, self.timeline.state_at(date))
    }

    /// The duty stack of one line.
    pub fn query(&self, importer: Economy, exporter: Economy, line: HsCode, date: NaiveDate) -> DutyStack {
        self.at(date).stack(importer, exporter, line)
    }

    /// The dates on which policy can change: event dates and the ends of
    /// measures' windows. Between two consecutive ones the policy is constant.
    fn boundaries(&self) -> Vec<NaiveDate> {
        let mut b: Vec<NaiveDate> = self.timeline.dates();
        b.extend(self.timeline.measures().filter_map(|m| m.header().window.end()));
        b.sort_unstable();
        b.dedup();
        b
    }

    /// Prices every row of a table of customs lines with `price`, calling it
    /// once per distinct (importer, exporter, line) and policy period.
    ///
    /// Rows are keyed by a packed 128-bit key (period, importer, exporter,
    /// line) in one hash table with a fast hasher, and the policy
    /// of each period is compiled once, when its first row is met. Dates map
    /// to periods through a small table of the distinct dates.
    fn bulk_map<T: Clone>(
        &self,
        lines: &CustomsLines,
        price: impl Fn(&ScheduleAt, Economy, Economy, HsCode) -> T,
    ) -> Vec<T> {
        let bounds = self.boundaries();
        let mut period_of: FxHashMap<NaiveDate, usize> = FxHashMap::default();
        let mut compiled: Vec<Option<ScheduleAt>> = vec![None; bounds.len() + 1];
        let mut priced: FxHashMap<u128, T> = FxHashMap::default();
        let mut out = Vec::with_capacity(lines.len());
        for i in 0..lines.len() {
            let (imp, exp, line, date) = (lines.importer[i], lines.exporter[i], lines.line[i], lines.date[i]);
            let period = *period_of.entry(date).or_insert_with(|| bounds.partition_point(|b| *b <= date));
            // period | importer (32 bits) | exporter (32 bits) | line (38 bits)
            let key = (period as u128) << 102
                | u128::from(imp.packed()) << 70
                | u128::from(exp.packed()) << 38
                | u128::from(line.packed());
            let value = priced.entry(key).or_insert_with(|| {
                let at = compiled[period].get_or_insert_with(|| self.at(date));
                price(at, imp, exp, line)
            });
            out.push(value.clone());
        }
        out
    }

    /// Total ad valorem duty of every line of a table of customs lines
    /// (`None` where trade is stopped). Policy is compiled once per policy
    /// period (not per date), and each distinct (importer, exporter, line)
    /// is priced once per period.
    pub fn bulk_totals(&self, lines: &CustomsLines) -> Vec<Option<Percent>> {
        self.bulk_map(lines, ScheduleAt::total)
    }

    /// Full stacks for a table of customs lines (each stack carries its own row's date).
    pub fn bulk_stacks(&self, lines: &CustomsLines) -> Vec<DutyStack> {
        let mut stacks = self.bulk_map(lines, |at, i, e, l| Arc::new(at.stack(i, e, l)));
        stacks
            .drain(..)
            .zip(&lines.date)
            .map(|(st, &date)| {
                let mut st = Arc::unwrap_or_clone(st);
                st.date = date;
                st
            })
            .collect()
    }
}

/// The serde form of a [`Schedule`] (MFN tables in importer order, so the
/// text is deterministic).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleRepr {
    timeline: Timeline,
    #[serde(default)]
    mfn: Vec<MfnTable>,
}

impl From<Schedule> for ScheduleRepr {
    fn from(s: Schedule) -> Self {
        let mut mfn: Vec<MfnTable> = s.mfn.into_values().map(Arc::unwrap_or_clone).collect();
        mfn.sort_by_key(MfnTable::importer);
        Self { timeline: s.timeline, mfn }
    }
}

impl TryFrom<ScheduleRepr> for Schedule {
    type Error = Error;
    /// Two tables of one importer are refused (one would silently replace the other).
    fn try_from(r: ScheduleRepr) -> Result<Self> {
        let mut s = Schedule::new(r.timeline);
        for t in r.mfn {
            if s.mfn.contains_key(&t.importer()) {
                return Err(Error::Invalid {
                    what: "schedule",
                    reason: format!("two MFN tables for importer {}", t.importer()),
                });
            }
            s = s.with_mfn(t);
        }
        Ok(s)
    }
}

/// A table of customs lines to price: importer, exporter, line, date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomsLines {
    importer: Vec<Economy>,
    exporter: Vec<Economy>,
    line: Vec<HsCode>,
    date: Vec<NaiveDate>,
}

impl CustomsLines {
    /// From columns of equal length.
    pub fn new(
        importer: Vec<Economy>,
        exporter: Vec<Economy>,
        line: Vec<HsCode>,
        date: Vec<NaiveDate>,
    ) -> Result<Self> {
        let n = importer.len();
        for (name, len) in [("exporter", exporter.len()), ("line", line.len()), ("date", date.len())] {
            if len != n {
                return Err(Error::ColumnLength { column: name, got: len, expected: n });
            }
        }
        Ok(Self { importer, exporter, line, date })
    }

    /// Appends one row.
    pub fn push(&mut self, importer: Economy, exporter: Economy, line: HsCode, date: NaiveDate) {
        self.importer.push(importer);
        self.exporter.push(exporter);
        self.line.push(line);
        self.date.push(date);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.line.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.line.is_empty()
    }
}

/// The policy of one date compiled for queries: the measures in force, by importer.
#[derive(Debug, Clone)]
pub struct ScheduleAt {
    date: NaiveDate,
    mfn: HashMap<Economy, Arc<MfnTable>>,
    state: Arc<PolicyState>,
    tariffs: HashMap<Economy, Vec<usize>>,
    mfn_changes: HashMap<Economy, Vec<usize>>,
    exclusions: HashMap<MeasureId, Vec<usize>>,
    bans: Vec<usize>,
    /// Importers with a tariff stacked other than by plain addition.
    layered: std::collections::HashSet<Economy>,
    measures: Vec<Arc<Measure>>,
}

impl ScheduleAt {
    fn new(schedule: &Schedule, state: PolicyState) -> Self {
        let measures: Vec<Arc<Measure>> = state
            .measures()
            .filter(|m| m.status == crate::timeline::Status::InForce)
            .map(|m| Arc::clone(&m.measure))
            .collect();
        let mut tariffs: HashMap<Economy, Vec<usize>> = HashMap::new();
        let mut mfn_changes: HashMap<Economy, Vec<usize>> = HashMap::new();
        let mut exclusions: HashMap<MeasureId, Vec<usize>> = HashMap::new();
        let mut bans = Vec::new();
        for (i, m) in measures.iter().enumerate() {
            let imposer = m.header().imposer;
            match m.as_ref() {
                Measure::Tariff { .. } => tariffs.entry(imposer).or_default().push(i),
                Measure::MfnChange { .. } => mfn_changes.entry(imposer).or_default().push(i),
                Measure::TariffExclusion { tariff, .. } => exclusions.entry(tariff.clone()).or_default().push(i),
                Measure::ExportBan { .. } | Measure::ImportBan { .. } => bans.push(i),
                _ => {}
            }
        }
        let layered = measures
            .iter()
            .filter(|m| matches!(m.as_ref(), Measure::Tariff { stacking, .. } if *stacking != Stacking::default()))
            .map(|m| m.header().imposer)
            .collect();
        // Later MFN changes override earlier ones.
        for v in mfn_changes.values_mut() {
            v.sort_by_key(|&i| measures[i].header().window.start());
        }
        Self {
            date: state.date(),
            mfn: schedule.mfn.clone(),
            state: Arc::new(state),
            tariffs,
            mfn_changes,
            exclusions,
            bans,
            layered,
            measures,
        }
    }

    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// An importer's MFN table.
    pub fn mfn_table(&self, importer: Economy) -> Option<&MfnTable> {
        self.mfn.get(&importer).map(AsRef::as_ref)
    }

    /// The policy state behind the compiled schedule.
    pub fn state(&self) -> &PolicyState {
        &self.state
    }

    fn base(&self, importer: Economy, line: HsCode) -> (Layer, bool) {
        for &i in self.mfn_changes.get(&importer).into_iter().flatten().rev() {
            let m = &self.measures[i];
            if m.header().scope.contains(line) {
                if let Some(d) = m.rates().and_then(|r| r.duty_for(line)) {
                    let h = m.header();
                    return (
                        Layer {
                            id: Some(h.id.clone()),
                            name: h.name.clone(),
                            legal_basis: LegalBasis::Mfn,
                            duty: d.clone(),
                            contribution: d.ad_valorem_part(),
                        },
                        true,
                    );
                }
            }
        }
        let found = self.mfn.get(&importer).and_then(|t| t.duty_for(line));
        let duty = found.cloned().unwrap_or(Duty::ad_valorem(Percent::ZERO));
        let name = format!("{importer} MFN");
        (
            Layer { id: None, name, legal_basis: LegalBasis::Mfn, contribution: duty.ad_valorem_part(), duty },
            found.is_some(),
        )
    }

    /// The exclusion in force that carves `line` from `exporter` out of a
    /// tariff: its scope holds the line and its target includes the exporter.
    pub(crate) fn excluded_by(&self, tariff: &MeasureId, exporter: Economy, line: HsCode) -> Option<&Measure> {
        self.exclusions
            .get(tariff)?
            .iter()
            .map(|&i| self.measures[i].as_ref())
            .find(|m| m.header().target.includes(exporter) && m.header().scope.contains(line))
    }

    /// The duty stack of one line.
    pub fn stack(&self, importer: Economy, exporter: Economy, line: HsCode) -> DutyStack {
        let (base, base_known) = self.base(importer, line);
        let mut inactive = Vec::new();
        let mut candidates: Vec<(&Measure, &Duty, &Stacking)> = Vec::new();
        for &i in self.tariffs.get(&importer).into_iter().flatten() {
            let m = self.measures[i].as_ref();
            let h = m.header();
            if !h.target.includes(exporter) {
                continue;
            }
            if !h.scope.contains(line) {
                // A line the layer would cover but for its own exemption list is explained.
                if let Some(x) = h.scope.exempting(line) {
                    inactive.push(InactiveLayer {
                        id: h.id.clone(),
                        name: h.name.clone(),
                        reason: format!("exempt: {x} is on the layer's exemption list"),
                    });
                }
                continue;
            }
            let Measure::Tariff { rates, stacking, .. } = m else { continue };
            let Some(duty) = rates.duty_for(line) else { continue };
            if let Some(ex) = self.excluded_by(&h.id, exporter, line) {
                inactive.push(InactiveLayer {
                    id: h.id.clone(),
                    name: h.name.clone(),
                    reason: format!("excluded by {} ({})", ex.id(), ex.header().name),
                });
                continue;
            }
            candidates.push((m, duty, stacking));
        }
        // Precedence: a layer switches others off.
        let mut off: Vec<(MeasureId, MeasureId)> = Vec::new();
        for (m, _, st) in &candidates {
            for (o, _, _) in &candidates {
                if o.id() != m.id() && st.switches_off.iter().any(|s| s.matches(o.id(), o.header().legal_basis)) {
                    off.push((o.id().clone(), m.id().clone()));
                }
            }
        }
        candidates.retain(|(m, _, _)| {
            if let Some((_, by)) = off.iter().find(|(o, _)| o == m.id()) {
                inactive.push(InactiveLayer {
                    id: m.id().clone(),
                    name: m.header().name.clone(),
                    reason: format!("switched off by {by}"),
                });
                false
            } else {
                true
            }
        });
        // Precedence on part of the value: a layer confines others to a share.
        let mut confined: HashMap<MeasureId, (Decimal, Vec<String>)> = HashMap::new();
        for (m, _, st) in &candidates {
            for limit in &st.confines {
                for (o, _, _) in &candidates {
                    if o.id() != m.id() && limit.selector.matches(o.id(), o.header().legal_basis) {
                        // Several limits on one layer: the tightest holds.
                        let e = confined.entry(o.id().clone()).or_insert((Decimal::ONE, Vec::new()));
                        e.0 = e.0.min(limit.share.fraction());
                        e.1.push(format!("on {} of value: confined by {}", limit.share, m.id()));
                    }
                }
            }
        }
        // Max within a group.
        let contribution = |m: &Measure, d: &Duty, st: &Stacking| -> Option<Decimal> {
            let av = d.ad_valorem_part()?.value();
            let av = st.value_share.map_or(av, |s| av * s.fraction());
            Some(confined.get(m.id()).map_or(av, |(f, _)| av * *f))
        };
        let mut best: HashMap<&str, (MeasureId, Decimal)> = HashMap::new();
        for (m, d, st) in &candidates {
            if let Combine::MaxInGroup { group } = &st.combine {
                let c = contribution(m, d, st).unwrap_or(Decimal::MAX);
                let e = best.entry(group.as_str()).or_insert_with(|| (m.id().clone(), c));
                if c > e.1 {
                    *e = (m.id().clone(), c);
                }
            }
        }
        candidates.retain(|(m, _, st)| match &st.combine {
            Combine::MaxInGroup { group } => {
                let (winner, _) = &best[group.as_str()];
                if winner == m.id() {
                    true
                } else {
                    inactive.push(InactiveLayer {
                        id: m.id().clone(),
                        name: m.header().name.clone(),
                        reason: format!("group {group}: lower than {winner}"),
                    });
                    false
                }
            }
            _ => true,
        });
        // Floors do not add up: only the highest floor pays its gap.
        let floor_level = |d: &Duty| d.ad_valorem_part().map_or(Decimal::MAX, Percent::value);
        let top_floor = candidates
            .iter()
            .filter(|(_, _, st)| st.combine == Combine::Floor)
            .max_by(|a, b| floor_level(a.1).cmp(&floor_level(b.1)).then_with(|| b.0.id().cmp(a.0.id())))
            .map(|(m, _, _)| m.id().clone());
        candidates.retain(|(m, _, st)| {
            if st.combine != Combine::Floor || top_floor.as_ref() == Some(m.id()) {
                return true;
            }
            let winner = top_floor.as_ref().map_or("", MeasureId::as_str);
            inactive.push(InactiveLayer {
                id: m.id().clone(),
                name: m.header().name.clone(),
                reason: format!("floors do not add: lower than {winner}"),
            });
            false
        });
        let base_av = base.contribution.map(Percent::value);
        let mut total = base_av;
        let mut has_specific = base.duty.has_specific_part();
        let mut layers = Vec::with_capacity(candidates.len());
        for (m, d, st) in &candidates {
            has_specific |= d.has_specific_part();
            let c = match st.combine {
                Combine::Floor => {
                    let floor = d.ad_valorem_part().map(Percent::value);
                    let share = confined.get(m.id()).map_or(Decimal::ONE, |(f, _)| *f);
                    let value_share = st.value_share.map_or(Decimal::ONE, Percent::fraction);
                    floor.zip(base_av).map(|(f, b)| (f - b).max(Decimal::ZERO) * share * value_share)
                }
                _ => contribution(m, d, st),
            };
            total = total.zip(c).map(|(t, c)| t + c);
            let h = m.header();
            let name = match confined.get(m.id()) {
                Some((_, why)) => format!("{} ({})", h.name, why.join("; ")),
                None => h.name.clone(),
            };
            layers.push(Layer {
                id: Some(h.id.clone()),
                name,
                legal_basis: h.legal_basis,
                duty: (*d).clone(),
                contribution: c.map(Percent::new_signed),
            });
        }
        let blocked_by = self.blocks(importer, exporter, line);
        if !blocked_by.is_empty() {
            total = None;
        }
        DutyStack {
            importer,
            exporter,
            line,
            date: self.date,
            base,
            base_known,
            layers,
            inactive,
            blocked_by,
            total_ad_valorem: total.map(Percent::new_signed),
            has_specific,
        }
    }

    /// Whether ban `m` stops this line from this exporter.
    fn ban_applies(m: &Measure, importer: Economy, exporter: Economy, line: HsCode) -> bool {
        let h = m.header();
        match m {
            Measure::ExportBan { entity: None, .. } => {
                h.imposer == exporter && h.target.includes(importer) && h.scope.contains(line)
            }
            Measure::ImportBan { .. } => h.imposer == importer && h.target.includes(exporter) && h.scope.contains(line),
            _ => false,
        }
    }

    fn blocks(&self, importer: Economy, exporter: Economy, line: HsCode) -> Vec<MeasureId> {
        self.bans
            .iter()
            .map(|&i| self.measures[i].as_ref())
            .filter(|m| Self::ban_applies(m, importer, exporter, line))
            .map(|m| m.id().clone())
            .collect()
    }

    /// The base (MFN) ad valorem rate of a line, after MFN changes in force.
    pub fn base_rate(&self, importer: Economy, line: HsCode) -> Option<Percent> {
        self.base(importer, line).0.contribution
    }

    /// The rate of a product at any level (an HS6 subheading, say) as the
    /// simple mean, over the importer's national lines below it, of the
    /// total and of the base ad valorem rates: `(total, base)`. A product
    /// finer than the importer's lines (or not in its table) is priced as a
    /// line. `None` when a ban or a prohibitive duty stops some line.
    pub fn product_rate(&self, importer: Economy, exporter: Economy, product: HsCode) -> Option<(Decimal, Decimal)> {
        let mut n = 0u32;
        let (mut sum_t, mut sum_b) = (Decimal::ZERO, Decimal::ZERO);
        if let Some(table) = self.mfn.get(&importer) {
            for (line, _) in table.lines_below(product) {
                sum_t += self.total(importer, exporter, line)?.value();
                sum_b += self.base_rate(importer, line)?.value();
                n += 1;
            }
        }
        if n == 0 {
            let t = self.total(importer, exporter, product)?.value();
            let b = self.base_rate(importer, product)?.value();
            return Some((t, b));
        }
        Some((sum_t / Decimal::from(n), sum_b / Decimal::from(n)))
    }

    /// Only the total ad valorem rate (faster than a full stack).
    pub fn total(&self, importer: Economy, exporter: Economy, line: HsCode) -> Option<Percent> {
        // The fast path covers the common case: only additive layers. Its
        // result equals `stack(..).total_ad_valorem` (test `fast_total_equals_the_stack`).
        if self.layered.contains(&importer) {
            return self.stack(importer, exporter, line).total_ad_valorem;
        }
        if self.bans.iter().any(|&i| Self::ban_applies(&self.measures[i], importer, exporter, line)) {
            return None;
        }
        let (base, _) = self.base(importer, line);
        let mut total = base.contribution?.value();
        for &i in self.tariffs.get(&importer).into_iter().flatten() {
            let m = self.measures[i].as_ref();
            let h = m.header();
            if !h.target.includes(exporter)
                || !h.scope.contains(line)
                || self.excluded_by(&h.id, exporter, line).is_some()
            {
                continue;
            }
            if let Some(d) = m.rates().and_then(|r: &TariffRates| r.duty_for(line)) {
                total += d.ad_valorem_part()?.value();
            }
        }
        Some(Percent::new_signed(total))
    }

    /// Tariff measures in force that an importer applies to an exporter.
    pub fn tariffs_on(&self, importer: Economy, exporter: Economy) -> impl Iterator<Item = &Measure> {
        self.tariffs
            .get(&importer)
            .into_iter()
            .flatten()
            .map(|&i| self.measures[i].as_ref())
            .filter(move |m| m.header().target.includes(exporter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{MeasureHeader, Selector};
    use crate::scope::ProductScope;
    use crate::timeline::{Action, Event};
    use crate::window::{parse_date, DateWindow};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    fn c(s: &str) -> HsCode {
        s.parse().unwrap()
    }
    fn p(s: &str) -> Percent {
        s.parse().unwrap()
    }

    fn tariff(id: &str, codes: &[&str], pct: &str, start: &str, stacking: Stacking, basis: LegalBasis) -> Event {
        let h = MeasureHeader::new(
            id,
            id,
            Economy::USA,
            Economy::CHN,
            ProductScope::from_codes(codes.iter().copied()).unwrap(),
            DateWindow::from(d(start)),
            basis,
        )
        .unwrap();
        Event::new(
            d(start),
            Action::Impose {
                measure: Measure::Tariff { header: h, rates: TariffRates::uniform_ad_valorem(p(pct)), stacking },
            },
        )
    }

    fn schedule(events: Vec<Event>) -> Schedule {
        let mfn = MfnTable::new(
            Economy::USA,
            [(c("8471.30.01"), Duty::ad_valorem(Percent::ZERO)), (c("8703.23.01"), Duty::ad_valorem(p("2.5")))],
        )
        .unwrap();
        Schedule::new(Timeline::from_events("t", events).unwrap()).with_mfn(mfn)
    }

    /// `total` takes a fast path for additive layers; it must equal the full
    /// stack's total, also when a ban stops some lines and not others, and
    /// for every line and date of a bulk table.
    #[test]
    fn fast_total_equals_the_stack() {
        let ban = MeasureHeader::new(
            "BAN",
            "ban",
            Economy::USA,
            Economy::CHN,
            ProductScope::from_codes(["8703"]).unwrap(),
            DateWindow::from(d("2019-01-01")),
            LegalBasis::Other,
        )
        .unwrap();
        let s = schedule(vec![
            tariff("L1", &["8471", "8703.23"], "25", "2018-07-06", Stacking::default(), LegalBasis::Section301),
            tariff("L2", &["8471.30.01"], "10", "2018-09-24", Stacking::default(), LegalBasis::Section301),
            Event::new(d("2019-01-01"), Action::Impose { measure: Measure::ImportBan { header: ban } }),
        ]);
        let mut lines = CustomsLines::default();
        for date in ["2018-01-01", "2018-08-01", "2018-10-01", "2019-06-01"] {
            for line in ["8471.30.01", "8703.23.01", "0101.21.00"] {
                for (imp, exp) in [(Economy::USA, Economy::CHN), (Economy::CHN, Economy::USA)] {
                    let at = s.at(d(date));
                    assert_eq!(at.total(imp, exp, c(line)), at.stack(imp, exp, c(line)).total_ad_valorem);
                    lines.push(imp, exp, c(line), d(date));
                }
            }
        }
        let at = s.at(d("2019-06-01"));
        assert_eq!(at.total(Economy::USA, Economy::CHN, c("8703.23.01")), None);
        assert_eq!(at.total(Economy::USA, Economy::CHN, c("8471.30.01")), Some(p("35")));
        let stacks = s.bulk_stacks(&lines);
        for (k, total) in s.bulk_totals(&lines).into_iter().enumerate() {
            let single = s.query(lines.importer[k], lines.exporter[k], lines.line[k], lines.date[k]);
            assert_eq!(total, single.total_ad_valorem);
            assert_eq!(stacks[k], single);
        }
    }

    #[test]
    fn schedules_round_trip_through_json() {
        let s =
            schedule(vec![tariff("L1", &["8471"], "25", "2018-07-06", Stacking::default(), LegalBasis::Section301)]);
        let text = serde_json::to_string(&s).unwrap();
        let back: Schedule = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        let q = |s: &Schedule| s.query(Economy::USA, Economy::CHN, c("8471.30.01"), d("2019-01-01"));
        assert_eq!(q(&back), q(&s));
        assert!(serde_json::from_str::<Schedule>(r#"{"timeline":{"name":"t","events":[]},"extra":1}"#).is_err());
    }

    #[test]
    fn additive_stack_and_exclusion() {
        let ex_h = MeasureHeader::new(
            "EX1",
            "exclusion",
            Economy::USA,
            Economy::CHN,
            ProductScope::from_codes(["8703.23.01"]).unwrap(),
            DateWindow::new(d("2019-01-01"), Some(d("2020-01-01"))).unwrap(),
            LegalBasis::Section301,
        )
        .unwrap();
        let s = schedule(vec![
            tariff("L1", &["8703"], "25", "2018-07-06", Stacking::default(), LegalBasis::Section301),
            Event::new(
                d("2019-01-01"),
                Action::Impose {
                    measure: Measure::TariffExclusion { header: ex_h, tariff: MeasureId::new("L1").unwrap() },
                },
            ),
        ]);
        let q = |date| s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d(date));
        assert_eq!(q("2018-07-05").total_ad_valorem, Some(p("2.5")));
        assert_eq!(q("2018-07-06").total_ad_valorem, Some(p("27.5")));
        let ex = q("2019-06-01");
        assert_eq!(ex.total_ad_valorem, Some(p("2.5")));
        assert_eq!(ex.inactive.len(), 1);
        assert_eq!(q("2020-01-01").total_ad_valorem, Some(p("27.5")));
        // Other exporters are not hit.
        assert_eq!(
            s.query(Economy::USA, Economy::JPN, c("8703.23.01"), d("2019-06-01")).total_ad_valorem,
            Some(p("2.5"))
        );
        // The fast path agrees with the full stack.
        for date in ["2018-07-05", "2018-07-06", "2019-06-01", "2020-01-01"] {
            let at = s.at(d(date));
            assert_eq!(
                at.total(Economy::USA, Economy::CHN, c("8703.23.01")),
                at.stack(Economy::USA, Economy::CHN, c("8703.23.01")).total_ad_valorem
            );
        }
    }

    #[test]
    fn floors_do_not_add_up() {
        let floor = Stacking { combine: Combine::Floor, ..Stacking::default() };
        let s = schedule(vec![
            tariff("F15", &["87"], "15", "2025-01-01", floor.clone(), LegalBasis::Ieepa),
            tariff("F10", &["87"], "10", "2025-01-01", floor, LegalBasis::Ieepa),
        ]);
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01"));
        assert_eq!(st.total_ad_valorem, Some(p("15")), "{}", st.explain());
        assert_eq!(st.inactive[0].id.as_str(), "F10");
    }

    #[test]
    fn stacking_rules() {
        let max = |g: &str| Stacking { combine: Combine::MaxInGroup { group: g.into() }, ..Stacking::default() };
        let floor = Stacking { combine: Combine::Floor, ..Stacking::default() };
        let s = schedule(vec![
            tariff("A", &["8703"], "25", "2025-01-01", max("s301"), LegalBasis::Section301),
            tariff("B", &["87"], "7.5", "2025-01-01", max("s301"), LegalBasis::Section301),
            tariff("F", &["87"], "15", "2025-01-01", floor, LegalBasis::Ieepa),
            tariff(
                "P",
                &["8703"],
                "10",
                "2025-01-01",
                Stacking { value_share: Some(p("40")), ..Stacking::default() },
                LegalBasis::Section122,
            ),
        ]);
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01"));
        // 2.5 MFN + 25 (max of 25 and 7.5) + 12.5 floor gap + 4 (10% on 40%)
        assert_eq!(st.total_ad_valorem, Some(p("44")), "{}", st.explain());
        assert_eq!(st.inactive[0].id.as_str(), "B");
        let s2 = schedule(vec![
            tariff(
                "X",
                &["8703"],
                "25",
                "2025-01-01",
                Stacking { switches_off: vec![Selector::LegalBasis(LegalBasis::Ieepa)], ..Stacking::default() },
                LegalBasis::Section232,
            ),
            tariff("F", &["87"], "15", "2025-01-01", Stacking::default(), LegalBasis::Ieepa),
        ]);
        let st2 = s2.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01"));
        assert_eq!(st2.total_ad_valorem, Some(p("27.5")));
        assert!(st2.inactive[0].reason.contains("switched off by X"));
    }

    #[test]
    fn prefix_selectors_share_limits_and_targeted_exclusions() {
        use crate::measure::ShareLimit;
        // A derivative layer on half the value confines a family of layers to the other half.
        let deriv = Stacking {
            value_share: Some(p("50")),
            confines: vec![ShareLimit { selector: Selector::IdPrefix("RECIP".into()), share: p("50") }],
            ..Stacking::default()
        };
        let s = schedule(vec![
            tariff("D", &["8703"], "50", "2025-01-01", deriv, LegalBasis::Section232),
            tariff("RECIP-1", &["87"], "10", "2025-01-01", Stacking::default(), LegalBasis::Ieepa),
            tariff("OTHER", &["8703"], "10", "2025-01-01", Stacking::default(), LegalBasis::Ieepa),
        ]);
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01"));
        // 2.5 + 25 (50% on half) + 5 (10% on the other half) + 10
        assert_eq!(st.total_ad_valorem, Some(p("42.5")), "{}", st.explain());
        assert!(st.layers.iter().any(|l| l.name.contains("confined by D")));
        // An exclusion aimed at one exporter leaves the others alone.
        let ex = MeasureHeader::new(
            "X",
            "exclusion for Japan",
            Economy::USA,
            Economy::JPN,
            ProductScope::all(),
            DateWindow::from(d("2025-01-01")),
            LegalBasis::Ieepa,
        )
        .unwrap();
        let mut h = MeasureHeader::new(
            "W",
            "world",
            Economy::USA,
            Economy::WLD,
            ProductScope::all(),
            DateWindow::from(d("2025-01-01")),
            LegalBasis::Ieepa,
        )
        .unwrap();
        h.scope = ProductScope::from_codes(["87"]).unwrap();
        let s = schedule(vec![
            Event::new(d("2025-01-01"), Action::Impose { measure: Measure::tariff(h, p("10")) }),
            Event::new(
                d("2025-01-01"),
                Action::Impose {
                    measure: Measure::TariffExclusion { header: ex, tariff: MeasureId::new("W").unwrap() },
                },
            ),
        ]);
        let q = |who| s.query(Economy::USA, who, c("8703.23.01"), d("2025-06-01")).total_ad_valorem;
        assert_eq!(q(Economy::JPN), Some(p("2.5")));
        assert_eq!(q(Economy::CHN), Some(p("12.5")));
    }
}
