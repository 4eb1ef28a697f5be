//! One date's policy compiled for queries.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::index::ScopeIndex;
use super::{
    Caveat, DataCoverage, DutyStack, InactiveLayer, Layer, MfnTable, Schedule, SpecificEquivalent, YearUnitValues,
};
use crate::duty::{Duty, LegalBasis, Percent};
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::HsCode;
use crate::measure::{Combine, Measure, MeasureId, Stacking, TariffRates};
use crate::scope::Overlap;
use crate::timeline::PolicyState;
use crate::unit_values::AdValoremEquivalent;

/// How the specific part of a duty is priced on one line.
#[derive(Debug, Clone)]
pub(super) enum SpecificPart {
    /// The duty has none.
    None,
    /// At its ad valorem equivalent.
    Equivalent(AdValoremEquivalent),
    /// Left out of the ad valorem value (counted as 0).
    LeftOut,
}

/// The policy of one date compiled for queries: the measures in force, by importer.
#[derive(Debug, Clone)]
pub struct ScheduleAt {
    date: NaiveDate,
    mfn: FxHashMap<Economy, Arc<MfnTable>>,
    state: Arc<PolicyState>,
    tariffs: FxHashMap<Economy, Vec<usize>>,
    mfn_changes: FxHashMap<Economy, Vec<usize>>,
    exclusions: FxHashMap<MeasureId, Vec<usize>>,
    bans: Vec<usize>,
    /// Importers with a tariff stacked other than by plain addition.
    layered: std::collections::HashSet<Economy>,
    measures: Vec<Arc<Measure>>,
    coverage: Option<Arc<DataCoverage>>,
    /// The caveat every answer of this date carries (a date outside the sources), if any.
    date_caveat: Option<Caveat>,
    unit_values: Option<Arc<YearUnitValues>>,
    /// The schedule's measures by the codes of their scopes.
    index: Arc<ScopeIndex>,
    /// For each measure number of the index, its position in `measures`
    /// (`u32::MAX` when it is not in force on the date).
    local: Vec<u32>,
}

impl ScheduleAt {
    pub(super) fn new(schedule: &Schedule, state: PolicyState) -> Self {
        let measures: Vec<Arc<Measure>> = state
            .measures()
            .filter(|m| m.status == crate::timeline::Status::InForce)
            .map(|m| Arc::clone(&m.measure))
            .collect();
        let mut tariffs: FxHashMap<Economy, Vec<usize>> = FxHashMap::default();
        let mut mfn_changes: FxHashMap<Economy, Vec<usize>> = FxHashMap::default();
        let mut exclusions: FxHashMap<MeasureId, Vec<usize>> = FxHashMap::default();
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
        let index = schedule.index.get(&schedule.timeline);
        // Both lists are in id order: one merge maps index numbers to positions here.
        let mut local = vec![u32::MAX; index.ids.len()];
        let mut k = 0;
        for (pos, m) in measures.iter().enumerate() {
            while k < index.ids.len() && index.ids[k] < *m.id() {
                k += 1;
            }
            if k < index.ids.len() && index.ids[k] == *m.id() {
                local[k] = pos as u32;
            }
        }
        let date = state.date();
        let coverage = schedule.coverage.clone();
        let date_caveat = coverage.as_deref().and_then(|c| c.caveat_for(date));
        Self {
            date,
            mfn: schedule.mfn.iter().map(|(e, t)| (*e, Arc::clone(t))).collect(),
            state: Arc::new(state),
            tariffs,
            mfn_changes,
            exclusions,
            bans,
            layered,
            measures,
            coverage,
            date_caveat,
            unit_values: schedule.unit_values.clone(),
            index,
            local,
        }
    }

    /// The measures in force whose scope covers `line` (listed at it or at an
    /// ancestor, or every product), as positions in `measures`, in order, once each.
    fn covering(&self, line: HsCode) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .index
            .covering(line)
            .filter_map(|k| self.local.get(k as usize).copied())
            .filter(|&p| p != u32::MAX)
            .map(|p| p as usize)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The measures in force that list a code strictly below `line`, as positions in `measures`.
    fn listing_below(&self, line: HsCode) -> impl Iterator<Item = usize> + '_ {
        self.index
            .finer(line)
            .iter()
            .filter_map(|&k| self.local.get(k as usize).copied())
            .filter(|&p| p != u32::MAX)
            .map(|p| p as usize)
    }

    /// What the schedule's sources cover, if the schedule says.
    pub fn coverage(&self) -> Option<&DataCoverage> {
        self.coverage.as_deref()
    }

    /// The caveat that every answer on this date carries: the date is
    /// outside the period the schedule's sources describe.
    pub fn date_caveat(&self) -> Option<&Caveat> {
        self.date_caveat.as_ref()
    }

    /// Refuses questions the schedule cannot answer for an importer and an
    /// exporter: an economy with itself, an importer whose tariffs the
    /// sources do not hold.
    pub fn check_pair(&self, importer: Economy, exporter: Economy) -> Result<()> {
        if importer == exporter {
            return Err(Error::SelfPair { what: "duty query", economy: importer.to_string() });
        }
        self.check_importer(importer)
    }

    fn check_importer(&self, importer: Economy) -> Result<()> {
        if let Some(c) = self.coverage.as_deref() {
            if !c.importers.contains(&importer) {
                return Err(Error::NotCovered {
                    economy: importer.to_string(),
                    role: "importer",
                    covered: format!(
                        "the tariffs of {} only",
                        c.importers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                    ),
                    source_name: c.source.clone(),
                    hint: "add an MFN table and measures for it to a schedule of your own",
                });
            }
        }
        Ok(())
    }

    /// Refuses a code at which no single duty can be named: coarser than the
    /// importer's lines, or split by a measure that lists finer codes below it.
    fn check_line(&self, importer: Economy, exporter: Option<Economy>, line: HsCode) -> Result<()> {
        if let Some(table) = self.mfn.get(&importer) {
            if table.duty_for(line).is_none() {
                let mut below = table.lines_below(line);
                if let Some((first, _)) = below.next() {
                    return Err(Error::QueryLevel {
                        code: line.to_string(),
                        importer: importer.to_string(),
                        digits: first.digits(),
                        lines: 1 + below.count(),
                        example: first.to_string(),
                    });
                }
            }
        }
        if let Some((measure, listed)) = self.split_by(importer, exporter, line).first() {
            return Err(Error::SplitLine {
                line: line.to_string(),
                measure: measure.to_string(),
                listed: listed.to_string(),
                digits: listed.digits(),
            });
        }
        Ok(())
    }

    /// The measures in force that could apply to this line from this
    /// exporter (every exporter when `None`) and list finer codes below it,
    /// each with one such code: the line's parts pay different duties.
    pub fn split_by(&self, importer: Economy, exporter: Option<Economy>, line: HsCode) -> Vec<(MeasureId, HsCode)> {
        self.splitting(importer, exporter, line).map(|(m, listed)| (m.id().clone(), listed)).collect()
    }

    /// The measures that split `line` for this importer and exporter, each with one finer code it lists.
    fn splitting(
        &self,
        importer: Economy,
        exporter: Option<Economy>,
        line: HsCode,
    ) -> impl Iterator<Item = (&Measure, HsCode)> + '_ {
        self.listing_below(line)
            .map(|p| self.measures[p].as_ref())
            .filter(move |m| self.concerns(m, importer, exporter))
            .filter_map(move |m| finer_listing(m, line).map(|listed| (m, listed)))
    }

    /// Every code finer than `line` listed below it by a measure that splits
    /// it (the parts a split line is priced by).
    pub(super) fn finer_codes(&self, importer: Economy, exporter: Economy, line: HsCode) -> Vec<HsCode> {
        let mut out = Vec::new();
        for (m, _) in self.splitting(importer, Some(exporter), line) {
            let scope = &m.header().scope;
            out.extend(scope.included_below(line).filter(|c| c.digits() > line.digits()));
            out.extend(scope.excluded().iter().copied().filter(|x| x.digits() > line.digits() && line.contains(*x)));
            if let Some(TariffRates::ByProduct { rates }) = m.rates() {
                out.extend(rates.keys().copied().filter(|c| c.digits() > line.digits() && line.contains(*c)));
            }
        }
        out
    }

    /// Whether a measure in force can change the duty on a line of this
    /// importer from this exporter (any exporter when `None`): the importer's
    /// tariffs and their exclusions, its MFN changes, and the bans on the flow.
    fn concerns(&self, m: &Measure, importer: Economy, exporter: Option<Economy>) -> bool {
        let h = m.header();
        let aims = exporter.is_none_or(|e| h.target.includes(e));
        match m {
            Measure::Tariff { .. } | Measure::MfnChange { .. } => h.imposer == importer && aims,
            Measure::TariffExclusion { tariff, .. } => {
                aims && self
                    .index
                    .number(tariff)
                    .and_then(|k| self.local.get(k).copied())
                    .filter(|&p| p != u32::MAX)
                    .is_some_and(|p| self.measures[p as usize].header().imposer == importer)
            }
            Measure::ExportBan { entity: None, .. } => {
                h.target.includes(importer) && exporter.is_none_or(|e| h.imposer == e)
            }
            Measure::ImportBan { .. } => h.imposer == importer && aims,
            _ => false,
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

    /// The ad valorem value of a duty on a line: its ad valorem part, plus
    /// the equivalent of its specific part where the schedule's unit values
    /// give one for the flow from `exporter` (none without an exporter).
    pub(super) fn priced(
        &self,
        duty: &Duty,
        importer: Economy,
        exporter: Option<Economy>,
        line: HsCode,
    ) -> (Option<Percent>, SpecificPart) {
        if !duty.has_specific_part() {
            return (duty.ad_valorem_part(), SpecificPart::None);
        }
        let ave = exporter
            .zip(self.unit_values.as_deref())
            .and_then(|(e, u)| u.flows.ad_valorem_equivalent(duty, importer, e, line, u.year));
        match ave {
            Some(a) => (Some(a.total), SpecificPart::Equivalent(a)),
            None => (duty.ad_valorem_part(), SpecificPart::LeftOut),
        }
    }

    /// The base layer of a line (the importer's MFN, or an MFN change in
    /// force), whether the importer's table knows the line, and how its
    /// specific part is priced (at an equivalent only with an exporter).
    pub(super) fn base(
        &self,
        importer: Economy,
        exporter: Option<Economy>,
        line: HsCode,
    ) -> (Layer, bool, SpecificPart) {
        for &i in self.mfn_changes.get(&importer).into_iter().flatten().rev() {
            let m = &self.measures[i];
            if m.header().scope.contains(line) {
                if let Some(d) = m.rates().and_then(|r| r.duty_for(line)) {
                    let h = m.header();
                    let (contribution, specific) = self.priced(d, importer, exporter, line);
                    return (
                        Layer {
                            id: Some(h.id.clone()),
                            name: h.name.clone(),
                            legal_basis: LegalBasis::Mfn,
                            duty: d.clone(),
                            contribution,
                        },
                        true,
                        specific,
                    );
                }
            }
        }
        let found = self.mfn.get(&importer).and_then(|t| t.duty_for(line));
        let duty = found.cloned().unwrap_or(Duty::ad_valorem(Percent::ZERO));
        let name = format!("{importer} MFN");
        let (contribution, specific) = self.priced(&duty, importer, exporter, line);
        (Layer { id: None, name, legal_basis: LegalBasis::Mfn, contribution, duty }, found.is_some(), specific)
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

    /// Codes strictly below `line` that exclusions in force from `tariff`
    /// for `exporter` list (the parts of the line they carve out).
    pub(crate) fn exclusion_codes_below(
        &self,
        tariff: &MeasureId,
        exporter: Economy,
        line: HsCode,
    ) -> impl Iterator<Item = HsCode> + '_ {
        self.exclusions
            .get(tariff)
            .into_iter()
            .flatten()
            .map(|&i| self.measures[i].as_ref())
            .filter(move |m| m.header().target.includes(exporter))
            .flat_map(move |m| m.header().scope.included_below(line).filter(move |c| c.digits() > line.digits()))
    }

    /// The duty stack of one line, with its caveats.
    ///
    /// Refused (a typed error that says what to ask instead): an economy with
    /// itself, an importer the schedule's sources do not cover, a code
    /// coarser than the importer's tariff lines ([`Error::QueryLevel`]; ask
    /// [`ScheduleAt::product_rate`]), a line that a measure splits by listing
    /// finer codes below it ([`Error::SplitLine`]; query the finer code).
    pub fn stack(&self, importer: Economy, exporter: Economy, line: HsCode) -> Result<DutyStack> {
        self.check_pair(importer, exporter)?;
        self.check_line(importer, Some(exporter), line)?;
        Ok(self.line_stack(importer, exporter, line))
    }

    /// The stack of a line already checked.
    pub(super) fn line_stack(&self, importer: Economy, exporter: Economy, line: HsCode) -> DutyStack {
        let (base, base_known, base_specific) = self.base(importer, Some(exporter), line);
        let priced = |d: &Duty| self.priced(d, importer, Some(exporter), line);
        let mut inactive = Vec::new();
        let mut candidates: Vec<(&Measure, &Duty, &Stacking)> = Vec::new();
        for i in self.tariffs_covering(importer, line) {
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
            let av = priced(d).0?.value();
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
        let floor_level = |d: &Duty| priced(d).0.map_or(Decimal::MAX, Percent::value);
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
        let mut left_out: Vec<String> = Vec::new();
        let mut equivalents: Vec<SpecificEquivalent> = Vec::new();
        let mut note = |layer: String, duty: &Duty, specific: SpecificPart| match specific {
            SpecificPart::None => {}
            SpecificPart::LeftOut => left_out.push(layer),
            SpecificPart::Equivalent(equivalent) => {
                equivalents.push(SpecificEquivalent { layer, line, duty: duty.clone(), equivalent });
            }
        };
        note(base.name.clone(), &base.duty, base_specific);
        let mut layers = Vec::with_capacity(candidates.len());
        for (m, d, st) in &candidates {
            let (value, specific) = priced(d);
            note(m.id().to_string(), d, specific);
            let c = match st.combine {
                Combine::Floor => {
                    let floor = value.map(Percent::value);
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
        let mut caveats: Vec<Caveat> = self.date_caveat.iter().cloned().collect();
        if !base_known {
            caveats.push(Caveat::BaseRateUnknown { importer, line });
        }
        let has_specific = !left_out.is_empty();
        if has_specific {
            caveats.push(Caveat::SpecificDutyLeftOut { layers: left_out });
        }
        if let (false, Some(u)) = (equivalents.is_empty(), self.unit_values.as_deref()) {
            caveats.push(Caveat::SpecificAsEquivalent { layers: equivalents, year: u.year });
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
            caveats,
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
        self.covering(line)
            .into_iter()
            .map(|i| self.measures[i].as_ref())
            .filter(|m| Self::ban_applies(m, importer, exporter, line))
            .map(|m| m.id().clone())
            .collect()
    }

    /// The importer's tariffs in force whose scope covers `line` (or would,
    /// but for an exemption of its own), as positions in `measures`, in order.
    fn tariffs_covering(&self, importer: Economy, line: HsCode) -> Vec<usize> {
        let mut v = self.covering(line);
        v.retain(|&i| {
            let m = self.measures[i].as_ref();
            matches!(m, Measure::Tariff { .. }) && m.header().imposer == importer
        });
        v
    }

    /// The base (MFN) ad valorem rate of a line, after MFN changes in force
    /// (`None` for a prohibitive base). Without an exporter there is no unit
    /// value to price a specific part with: it counts as 0 here (the stack of
    /// [`ScheduleAt::stack`] prices it). Refused as [`ScheduleAt::stack`] refuses.
    pub fn base_rate(&self, importer: Economy, line: HsCode) -> Result<Option<Percent>> {
        self.check_importer(importer)?;
        self.check_line(importer, None, line)?;
        Ok(self.base(importer, None, line).0.contribution)
    }

    /// Only the total ad valorem rate (faster than a full stack); `None`
    /// where trade is stopped. Refused as [`ScheduleAt::stack`] refuses.
    pub fn total(&self, importer: Economy, exporter: Economy, line: HsCode) -> Result<Option<Percent>> {
        self.check_pair(importer, exporter)?;
        self.check_line(importer, Some(exporter), line)?;
        Ok(self.line_total(importer, exporter, line))
    }

    /// The total of a line already checked.
    pub(super) fn line_total(&self, importer: Economy, exporter: Economy, line: HsCode) -> Option<Percent> {
        // The fast path covers the common case: only additive layers. Its
        // result equals `stack(..).total_ad_valorem` (test `fast_total_equals_the_stack`).
        if self.layered.contains(&importer) {
            return self.line_stack(importer, exporter, line).total_ad_valorem;
        }
        let covering = self.covering(line);
        if !self.bans.is_empty()
            && covering.iter().any(|&i| Self::ban_applies(&self.measures[i], importer, exporter, line))
        {
            return None;
        }
        let (base, _, _) = self.base(importer, Some(exporter), line);
        let mut total = base.contribution?.value();
        for i in covering {
            if !matches!(self.measures[i].as_ref(), Measure::Tariff { .. })
                || self.measures[i].header().imposer != importer
            {
                continue;
            }
            let m = self.measures[i].as_ref();
            let h = m.header();
            if !h.target.includes(exporter)
                || !h.scope.contains(line)
                || self.excluded_by(&h.id, exporter, line).is_some()
            {
                continue;
            }
            if let Some(d) = m.rates().and_then(|r: &TariffRates| r.duty_for(line)) {
                total += self.priced(d, importer, Some(exporter), line).0?.value();
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

/// A code that `m` lists strictly below `line` where that makes the line's
/// parts differ: its scope covers only part of the line, or its per-product
/// rates change below it.
fn finer_listing(m: &Measure, line: HsCode) -> Option<HsCode> {
    let scope = &m.header().scope;
    match scope.overlap(line) {
        Overlap::Partial => {
            return scope
                .included_below(line)
                .chain(scope.excluded().iter().copied().filter(|x| line.contains(*x)))
                .find(|c| c.digits() > line.digits());
        }
        Overlap::None => return None,
        Overlap::Full => {}
    }
    if let Some(rates @ TariffRates::ByProduct { rates: by_code }) = m.rates() {
        let own = rates.duty_for(line);
        let hi = line.sort_key().0 + 10u64.pow(10 - u32::from(line.digits()));
        // Codes sort by their 10-digit padding: those below `line` are one run from `line` on.
        return by_code
            .range(line..)
            .take_while(|(c, _)| c.sort_key().0 < hi)
            .find(|(c, d)| c.digits() > line.digits() && Some(*d) != own)
            .map(|(c, _)| *c);
    }
    None
}
