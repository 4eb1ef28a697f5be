//! The duty schedule: what duty applies to a line from an exporter into an
//! importer on a date, and why, as one query or in bulk.

mod at;
mod coverage;
mod index;
mod mfn;
mod product;
mod stack;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use at::ScheduleAt;
pub use coverage::DataCoverage;
use index::IndexCell;
pub use mfn::MfnTable;
pub use product::{LineAggregation, ProductRate};
pub use stack::{Caveat, DutyStack, InactiveLayer, Layer, SpecificEquivalent};

use crate::duty::Percent;
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::HsCode;
use crate::timeline::Timeline;
use crate::unit_values::UnitValues;

/// MFN tables and a timeline: everything needed to answer duty queries.
///
/// A schedule may say what its sources cover ([`DataCoverage`]): then a
/// question about an importer they do not hold is refused, and an answer for
/// a date outside their period carries a [`Caveat`].
///
/// A schedule may also hold the unit values of one year's trade
/// ([`Schedule::with_unit_values`]): specific duties then count at their ad
/// valorem equivalents where a unit value fits the line.
///
/// Serializes as `{"timeline": .., "mfn": [tables by importer], "coverage": ..,
/// "unit_values": {"year": .., "flows": [..]}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ScheduleRepr", try_from = "ScheduleRepr")]
pub struct Schedule {
    mfn: HashMap<Economy, Arc<MfnTable>>,
    timeline: Timeline,
    coverage: Option<Arc<DataCoverage>>,
    unit_values: Option<Arc<YearUnitValues>>,
    /// Measures by the codes of their scopes, built on first use.
    index: IndexCell,
}

/// The unit values a schedule prices specific duties with: one year's flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct YearUnitValues {
    pub(crate) year: i32,
    pub(crate) flows: UnitValues,
}

impl Schedule {
    /// A schedule over a timeline with no MFN tables yet.
    pub fn new(timeline: Timeline) -> Self {
        Self { mfn: HashMap::new(), timeline, coverage: None, unit_values: None, index: IndexCell::default() }
    }

    /// Prices specific duties at their ad valorem equivalents: the duty of a
    /// line from an exporter is divided by the unit value of that exporter's
    /// flow of the line's HS6 into the importer in `year` (see
    /// [`crate::UnitValues`]). Only the flows of `year` are kept. Where no
    /// unit value fits (no flow, no quantity in a unit the duty converts
    /// from), the specific part stays out of the total, with its caveat, as
    /// without unit values. A query without an exporter
    /// ([`ScheduleAt::base_rate`]) has no flow to read and gets no equivalent.
    #[must_use]
    pub fn with_unit_values(mut self, values: &UnitValues, year: i32) -> Self {
        self.unit_values = Some(Arc::new(YearUnitValues { year, flows: values.of_year(year) }));
        self
    }

    /// The unit values specific duties are priced with, and their year.
    pub fn unit_values(&self) -> Option<(&UnitValues, i32)> {
        self.unit_values.as_deref().map(|u| (&u.flows, u.year))
    }

    /// Records what the schedule's sources cover.
    #[must_use]
    pub fn with_coverage(mut self, coverage: DataCoverage) -> Self {
        self.coverage = Some(Arc::new(coverage));
        self
    }

    /// What the schedule's sources cover, if it says.
    pub fn coverage(&self) -> Option<&DataCoverage> {
        self.coverage.as_deref()
    }

    /// The schedule with only the timeline's events that `keep` keeps (its
    /// MFN tables, coverage and unit values as they are): e.g. the events up
    /// to a date, or all but those of some measures. Refused as a timeline
    /// refuses events (an exclusion left without its tariff, say).
    pub fn retain_events(&self, keep: impl Fn(&crate::timeline::Event) -> bool) -> Result<Schedule> {
        let events: Vec<crate::timeline::Event> = self.timeline.events().iter().filter(|e| keep(e)).cloned().collect();
        Ok(Schedule {
            mfn: self.mfn.clone(),
            timeline: Timeline::from_events(self.timeline.name(), events)?,
            coverage: self.coverage.clone(),
            unit_values: self.unit_values.clone(),
            index: IndexCell::default(),
        })
    }

    /// The schedule with more events on its timeline: a what-if on top of
    /// the sources (impose a measure, change rates, suspend, resume, lift).
    /// The events are validated against the whole timeline (a measure id
    /// used twice, the same measure under two ids, an event on a measure
    /// that is not there are refused) and the schedule is unchanged on error.
    pub fn with_events<I: IntoIterator<Item = crate::timeline::Event>>(&self, events: I) -> Result<Schedule> {
        let mut timeline = self.timeline.clone();
        timeline.extend(events)?;
        Ok(Schedule {
            mfn: self.mfn.clone(),
            timeline,
            coverage: self.coverage.clone(),
            unit_values: self.unit_values.clone(),
            index: IndexCell::default(),
        })
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

    /// The duty stack of one line; refused as [`ScheduleAt::stack`] refuses.
    pub fn query(&self, importer: Economy, exporter: Economy, line: HsCode, date: NaiveDate) -> Result<DutyStack> {
        self.at(date).stack(importer, exporter, line)
    }

    /// The dates on which an answer can change: event dates, the ends of
    /// measures' windows, and the edges of the sources' period (which change
    /// the caveats). Between two consecutive ones answers are constant.
    pub fn boundaries(&self) -> Vec<NaiveDate> {
        let mut b: Vec<NaiveDate> = self.timeline.dates();
        b.extend(self.timeline.measures().filter_map(|m| m.header().window.end()));
        if let Some(c) = self.coverage.as_deref() {
            b.push(c.from);
            b.extend(c.until.succ_opt());
        }
        b.sort_unstable();
        b.dedup();
        b
    }

    /// Prices every row of a table of customs lines with `price`, calling it
    /// once per distinct (importer, exporter, line) and stretch of dates over
    /// which nothing that concerns the line changes.
    ///
    /// The stretches come from the schedule's scope index: a line's answer can
    /// change only on the dates of the measures that can change a duty on it
    /// (those that cover it or list codes below it) and at the edges of the
    /// sources' period, so a line of List 3 is priced on a few stretches of
    /// 2018–2020 rather than on every policy period of the timeline. Rows are
    /// keyed by a packed 128-bit key in one hash table with a fast hasher; the
    /// policy of a date is compiled once per policy period, when a price first
    /// needs it.
    ///
    /// A row that cannot be priced stops the whole table with an error that
    /// names the row ([`Error::InRow`]).
    fn bulk_map<T: Clone>(
        &self,
        lines: &CustomsLines,
        price: impl Fn(&ScheduleAt, Economy, Economy, HsCode) -> Result<T>,
    ) -> Result<Vec<T>> {
        struct Stretches<T> {
            bounds: Vec<NaiveDate>,
            prices: Vec<Option<T>>,
        }
        let index = self.index.get(&self.timeline);
        let periods = self.boundaries();
        let edges: Vec<NaiveDate> = self
            .coverage
            .as_deref()
            .map(|c| [Some(c.from), c.until.succ_opt()])
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        let mut compiled: Vec<Option<ScheduleAt>> = vec![None; periods.len() + 1];
        let mut lines_seen: FxHashMap<u128, Stretches<T>> = FxHashMap::default();
        let mut out = Vec::with_capacity(lines.len());
        for i in 0..lines.len() {
            let (imp, exp, line, date) = (lines.importer[i], lines.exporter[i], lines.line[i], lines.date[i]);
            // importer (32 bits) | exporter (32 bits) | line (38 bits)
            let key = u128::from(imp.packed()) << 70 | u128::from(exp.packed()) << 38 | u128::from(line.packed());
            let s = lines_seen.entry(key).or_insert_with(|| {
                let mut bounds = index.line_dates(line);
                bounds.extend(&edges);
                bounds.sort_unstable();
                bounds.dedup();
                Stretches { prices: vec![None; bounds.len() + 1], bounds }
            });
            let k = s.bounds.partition_point(|b| *b <= date);
            let value = if let Some(v) = &s.prices[k] {
                v.clone()
            } else {
                let period = periods.partition_point(|b| *b <= date);
                let at = compiled[period].get_or_insert_with(|| self.at(date));
                let v = price(at, imp, exp, line).map_err(|e| Error::InRow { row: i, source: Box::new(e) })?;
                s.prices[k] = Some(v.clone());
                v
            };
            out.push(value);
        }
        Ok(out)
    }

    /// A cache of product rates across dates (see [`RateCache`]).
    pub(crate) fn rate_cache<T>(&self) -> RateCache<T> {
        let edges = self
            .coverage
            .as_deref()
            .map(|c| [Some(c.from), c.until.succ_opt()])
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        RateCache { index: self.index.get(&self.timeline), edges, kept: FxHashMap::default() }
    }

    /// Total ad valorem duty of every line of a table of customs lines
    /// (`None` where trade is stopped). Policy is compiled once per policy
    /// period (not per date), and each distinct (importer, exporter, line)
    /// is priced once per period.
    /// Rows are refused as [`ScheduleAt::stack`] refuses, naming the row.
    pub fn bulk_totals(&self, lines: &CustomsLines) -> Result<Vec<Option<Percent>>> {
        self.bulk_map(lines, ScheduleAt::total)
    }

    /// Full stacks for a table of customs lines (each stack carries its own
    /// row's date). Rows are refused as [`ScheduleAt::stack`] refuses, naming the row.
    pub fn bulk_stacks(&self, lines: &CustomsLines) -> Result<Vec<DutyStack>> {
        let mut stacks = self.bulk_map(lines, |at, i, e, l| at.stack(i, e, l).map(Arc::new))?;
        Ok(stacks
            .drain(..)
            .zip(&lines.date)
            .map(|(st, &date)| {
                let mut st = Arc::unwrap_or_clone(st);
                st.date = date;
                st
            })
            .collect())
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coverage: Option<DataCoverage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit_values: Option<YearUnitValues>,
}

impl From<Schedule> for ScheduleRepr {
    fn from(s: Schedule) -> Self {
        let mut mfn: Vec<MfnTable> = s.mfn.into_values().map(Arc::unwrap_or_clone).collect();
        mfn.sort_by_key(MfnTable::importer);
        Self {
            timeline: s.timeline,
            mfn,
            coverage: s.coverage.map(Arc::unwrap_or_clone),
            unit_values: s.unit_values.map(Arc::unwrap_or_clone),
        }
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
        if let Some(c) = r.coverage {
            s = s.with_coverage(c);
        }
        if let Some(u) = r.unit_values {
            s = s.with_unit_values(&u.flows, u.year);
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

/// Answers about a product kept across dates: an answer about a product is
/// the same over every stretch of dates in which no measure that covers it,
/// or lists a code below it, changes (nor the edges of the sources' period),
/// so each is computed once per stretch, on the first date asked, and reused
/// for the other dates of the stretch. What is kept must not depend on the
/// date itself (a product's rates, not its date or date caveats).
pub(crate) struct RateCache<T> {
    index: Arc<index::ScopeIndex>,
    edges: Vec<NaiveDate>,
    #[allow(clippy::type_complexity)]
    kept: FxHashMap<(Economy, Economy, HsCode), (Vec<NaiveDate>, Vec<Option<T>>)>,
}

impl<T: Clone> RateCache<T> {
    /// The answer about `code` on the date of `at`: kept, or `compute`d and kept.
    pub(crate) fn get(
        &mut self,
        at: &ScheduleAt,
        importer: Economy,
        exporter: Economy,
        code: HsCode,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let (index, edges) = (&self.index, &self.edges);
        let (bounds, kept) = self.kept.entry((importer, exporter, code)).or_insert_with(|| {
            let mut b = index.line_dates(code);
            b.extend(edges);
            b.sort_unstable();
            b.dedup();
            let n = b.len() + 1;
            (b, vec![None; n])
        });
        let k = bounds.partition_point(|b| *b <= at.date());
        if let Some(v) = &kept[k] {
            return Ok(v.clone());
        }
        let v = compute()?;
        kept[k] = Some(v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{Duty, LegalBasis};
    use crate::measure::{Combine, Measure, MeasureHeader, MeasureId, Selector, Stacking, TariffRates};
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
                    assert_eq!(
                        at.total(imp, exp, c(line)).unwrap(),
                        at.stack(imp, exp, c(line)).unwrap().total_ad_valorem
                    );
                    lines.push(imp, exp, c(line), d(date));
                }
            }
        }
        let at = s.at(d("2019-06-01"));
        assert_eq!(at.total(Economy::USA, Economy::CHN, c("8703.23.01")).unwrap(), None);
        assert_eq!(at.total(Economy::USA, Economy::CHN, c("8471.30.01")).unwrap(), Some(p("35")));
        let stacks = s.bulk_stacks(&lines).unwrap();
        for (k, total) in s.bulk_totals(&lines).unwrap().into_iter().enumerate() {
            let single = s.query(lines.importer[k], lines.exporter[k], lines.line[k], lines.date[k]).unwrap();
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
        let q = |s: &Schedule| s.query(Economy::USA, Economy::CHN, c("8471.30.01"), d("2019-01-01")).unwrap();
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
        let q = |date| s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d(date)).unwrap();
        assert_eq!(q("2018-07-05").total_ad_valorem, Some(p("2.5")));
        assert_eq!(q("2018-07-06").total_ad_valorem, Some(p("27.5")));
        let ex = q("2019-06-01");
        assert_eq!(ex.total_ad_valorem, Some(p("2.5")));
        assert_eq!(ex.inactive.len(), 1);
        assert_eq!(q("2020-01-01").total_ad_valorem, Some(p("27.5")));
        // Other exporters are not hit.
        assert_eq!(
            s.query(Economy::USA, Economy::JPN, c("8703.23.01"), d("2019-06-01")).unwrap().total_ad_valorem,
            Some(p("2.5"))
        );
        // The fast path agrees with the full stack.
        for date in ["2018-07-05", "2018-07-06", "2019-06-01", "2020-01-01"] {
            let at = s.at(d(date));
            assert_eq!(
                at.total(Economy::USA, Economy::CHN, c("8703.23.01")).unwrap(),
                at.stack(Economy::USA, Economy::CHN, c("8703.23.01")).unwrap().total_ad_valorem
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
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01")).unwrap();
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
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01")).unwrap();
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
        let st2 = s2.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01")).unwrap();
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
        let st = s.query(Economy::USA, Economy::CHN, c("8703.23.01"), d("2025-06-01")).unwrap();
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
        let q = |who| s.query(Economy::USA, who, c("8703.23.01"), d("2025-06-01")).unwrap().total_ad_valorem;
        assert_eq!(q(Economy::JPN), Some(p("2.5")));
        assert_eq!(q(Economy::CHN), Some(p("12.5")));
    }
}
