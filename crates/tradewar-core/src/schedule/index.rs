//! Which measures can concern a product code, found by lookup rather than by
//! testing every measure: built once per schedule, shared by every date.
//!
//! Scopes never change after a measure is imposed (events change rates and
//! windows), so one index over the timeline serves every date; a compiled
//! date maps the index's measure numbers to the measures in force.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::hs::HsCode;
use crate::measure::{Measure, MeasureId, RateChange, TariffRates};
use crate::timeline::{Action, Timeline};

/// Measures by the codes of their scopes. Measure numbers are positions in
/// the timeline's id order.
#[derive(Debug, Default)]
pub(super) struct ScopeIndex {
    /// Every measure id, sorted.
    pub(super) ids: Vec<MeasureId>,
    /// Measures whose scope includes the code itself (a line is covered by
    /// the measures listed at it or at one of its ancestors).
    covering: FxHashMap<HsCode, Vec<u32>>,
    /// Measures whose scope is every product.
    everything: Vec<u32>,
    /// Measures that list some code strictly below the code (in their scope's
    /// includes or excludes, or in per-product rates of any version): the
    /// candidates for splitting a line.
    finer: FxHashMap<HsCode, Vec<u32>>,
    /// The dates on which each measure can change what it does: its events
    /// (imposition, rate changes, suspension, resumption, lifting) and the
    /// end of its window.
    dates: Vec<Vec<NaiveDate>>,
}

fn add(map: &mut FxHashMap<HsCode, Vec<u32>>, code: HsCode, m: u32) {
    let v = map.entry(code).or_default();
    if v.last() != Some(&m) {
        v.push(m);
    }
}

fn add_finer(map: &mut FxHashMap<HsCode, Vec<u32>>, code: HsCode, m: u32) {
    let mut a = code.parent();
    while let Some(x) = a {
        add(map, x, m);
        a = x.parent();
    }
}

/// Whether a measure can change the duty on a line (or stop it): tariffs,
/// their exclusions, MFN changes and economy-wide bans.
fn changes_duties(m: &Measure) -> bool {
    matches!(
        m,
        Measure::Tariff { .. }
            | Measure::TariffExclusion { .. }
            | Measure::MfnChange { .. }
            | Measure::ImportBan { .. }
            | Measure::ExportBan { entity: None, .. }
    )
}

fn rate_codes(rates: &TariffRates) -> Vec<HsCode> {
    match rates {
        TariffRates::ByProduct { rates } => rates.keys().copied().collect(),
        TariffRates::Uniform { .. } => Vec::new(),
    }
}

impl ScopeIndex {
    pub(super) fn new(timeline: &Timeline) -> Self {
        let measures: Vec<&Measure> = timeline.measures_by_id().collect();
        let ids: Vec<MeasureId> = measures.iter().map(|m| m.id().clone()).collect();
        let mut index = Self { dates: vec![Vec::new(); ids.len()], ids, ..Self::default() };
        for (k, m) in measures.iter().enumerate() {
            index.dates[k].extend(m.header().window.end());
            if !changes_duties(m) {
                // A denial order on an entity, a commitment, a quota or a subsidy
                // never changes the duty on a line: it is not indexed.
                continue;
            }
            let k = k as u32;
            let scope = &m.header().scope;
            if scope.is_all() {
                index.everything.push(k);
            }
            for &c in scope.included() {
                add(&mut index.covering, c, k);
                add_finer(&mut index.finer, c, k);
            }
            for &c in scope.excluded() {
                add_finer(&mut index.finer, c, k);
            }
            for c in m.rates().map(rate_codes).unwrap_or_default() {
                add_finer(&mut index.finer, c, k);
            }
        }
        for e in timeline.events() {
            if let Some(k) = e.measure_id().and_then(|id| index.ids.binary_search(id).ok()) {
                if !changes_duties(measures[k]) {
                    continue;
                }
                index.dates[k].push(e.date);
            }
        }
        // Per-product rates set by later events can list finer codes too.
        for e in timeline.events() {
            if let Action::ChangeRates { id, change } = &e.action {
                let Ok(k) = index.ids.binary_search(id) else { continue };
                let codes = match change {
                    RateChange::Set(r) => rate_codes(r),
                    RateChange::Update { rates } => rates.keys().copied().collect(),
                    RateChange::Scale { .. } => Vec::new(),
                };
                for c in codes {
                    add_finer(&mut index.finer, c, k as u32);
                }
            }
        }
        index
    }

    /// The number of a measure.
    pub(super) fn number(&self, id: &MeasureId) -> Option<usize> {
        self.ids.binary_search(id).ok()
    }

    /// Measures whose includes cover `line` (listed at it or at an ancestor)
    /// or that cover every product, each once.
    pub(super) fn covering(&self, line: HsCode) -> impl Iterator<Item = u32> + '_ {
        let mut codes = [None; 6];
        let mut c = Some(line);
        let mut n = 0;
        while let Some(x) = c {
            codes[n] = Some(x);
            n += 1;
            c = x.parent();
        }
        codes
            .into_iter()
            .flatten()
            .flat_map(move |c| self.covering.get(&c).into_iter().flatten().copied())
            .chain(self.everything.iter().copied())
    }

    /// The dates on which the answer for `line` can change: those of every
    /// measure that covers it or lists a code below it, sorted. Between two of
    /// them every answer about the line is the same (whatever the importer
    /// and exporter: other measures cannot touch the line).
    pub(super) fn line_dates(&self, line: HsCode) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = self
            .covering(line)
            .chain(self.finer(line).iter().copied())
            .flat_map(|k| self.dates[k as usize].iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Measures that list a code strictly below `line`.
    pub(super) fn finer(&self, line: HsCode) -> &[u32] {
        self.finer.get(&line).map_or(&[], Vec::as_slice)
    }
}

/// The index of a schedule, built on first use and shared by its clones. It
/// is a cache: schedules compare equal whatever their caches hold.
#[derive(Debug, Default, Clone)]
pub(super) struct IndexCell(std::sync::Arc<std::sync::OnceLock<std::sync::Arc<ScopeIndex>>>);

impl IndexCell {
    pub(super) fn get(&self, timeline: &Timeline) -> std::sync::Arc<ScopeIndex> {
        std::sync::Arc::clone(self.0.get_or_init(|| std::sync::Arc::new(ScopeIndex::new(timeline))))
    }
}

impl PartialEq for IndexCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
