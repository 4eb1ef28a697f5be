//! Accounting with no behaviour: what the measures in force on a date cover,
//! the average tariffs each way, the duties they would raise on a year's
//! trade, bilateral balances, and the progress of commitments and targets.
//!
//! Trade is usually reported at HS6 while lists are written at national
//! lines (HTS8). Where the two meet, the method used is named in the result
//! ([`CoverageMethod`]); rates at HS6 are the simple mean of the national
//! lines below the subheading in the importer's MFN table.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::duty::Percent;
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::{HsCode, HsLevel};
use crate::matrix::{money_from_i128, TradeMatrix};
use crate::measure::{CommitmentKind, Measure, MeasureId};
use crate::money::{Money, ValuationBasis};
use crate::schedule::{LineAggregation, ProductRate, ScheduleAt};
use crate::scope::Overlap;

/// How trade reported at a coarser level (HS6) is counted as covered by a
/// list written at finer lines (HTS8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageMethod {
    /// The whole HS6 counts when any line below it is listed: an upper bound.
    AnyLine,
    /// The HS6 value times the share of the importer's national lines below
    /// it that are listed: the usual estimate without line-level trade.
    LineShare,
    /// Only HS6 subheadings listed in full count: a lower bound.
    FullOnly,
}

impl CoverageMethod {
    /// Every method, from the lower bound up.
    pub const ALL: [CoverageMethod; 3] = [Self::FullOnly, Self::LineShare, Self::AnyLine];

    /// Short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AnyLine => "any-line (upper bound)",
            Self::LineShare => "line-share",
            Self::FullOnly => "full-only (lower bound)",
        }
    }
}

impl fmt::Display for CoverageMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which flows a measure's coverage counts: each kind of measure has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoveredFlows {
    /// The imposer's imports from the target (tariffs, exclusions, MFN
    /// changes, import bans, quotas, purchase commitments).
    ImposerImports,
    /// The imposer's exports to the target (export bans and denial orders,
    /// subsidies).
    ImposerExports,
}

impl CoveredFlows {
    /// The flows a measure of this kind covers.
    pub fn of(measure: &Measure) -> Self {
        match measure {
            Measure::ExportBan { .. } | Measure::Subsidy { .. } => Self::ImposerExports,
            _ => Self::ImposerImports,
        }
    }
}

/// Trade covered by one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// The measure.
    pub id: MeasureId,
    /// Its name.
    pub name: String,
    /// Importer of the flows counted (the imposer for a tariff, the target
    /// economy for an export ban).
    pub importer: Economy,
    /// Exporter of the flows counted (the target for a tariff, the imposer
    /// for an export ban).
    pub exporter: Economy,
    /// Trade year used.
    pub year: i32,
    /// Covered value.
    pub covered: Money,
    /// All trade of the pair in the year, in the direction counted.
    pub pair_total: Money,
    /// Codes listed in the measure's scope, by number of digits.
    pub lines_by_digits: Vec<(u8, usize)>,
    /// Flows at least partly covered.
    pub flows_touched: usize,
    /// How HS6 trade was matched to the listed lines.
    pub method: CoverageMethod,
    /// The valuation basis of the trade counted.
    pub basis: Vec<ValuationBasis>,
    /// Which flows the measure's kind covers.
    pub flows: CoveredFlows,
    /// Whether `covered` is only an upper bound whatever the method: the
    /// measure names an entity whose share of the product-level flows cannot
    /// be known from them.
    pub upper_bound: bool,
    /// Why the number is what it is, where the method alone does not say
    /// (e.g. "ZTE Corporation's share of US exports is not in product-level
    /// trade: all US exports to CHN in scope are counted, an upper bound").
    pub note: Option<String>,
    /// Whether the measure is in force on the date asked (a measure of the
    /// schedule that is suspended, lifted, expired or not yet imposed covers
    /// nothing then, and `note` says why).
    #[serde(default = "in_force_default")]
    pub in_force: bool,
}

/// Files written before `Coverage::in_force` existed held measures in force only.
fn in_force_default() -> bool {
    true
}

impl Coverage {
    /// Covered share of the pair's trade, in percent (two decimals).
    pub fn share(&self) -> Percent {
        if self.pair_total.amount().is_zero() {
            return Percent::ZERO;
        }
        Percent::new_signed((self.covered.amount() / self.pair_total.amount() * Decimal::ONE_HUNDRED).round_dp(2))
    }

    /// Number of listed codes with this many digits.
    pub fn lines(&self, digits: u8) -> usize {
        self.lines_by_digits.iter().find(|(d, _)| *d == digits).map_or(0, |(_, n)| *n)
    }
}

/// Refuses a year in which the trade has no flows: it would weigh or price
/// nothing and give zeros that look like results.
pub fn check_trade_year(trade: &TradeMatrix, year: i32, what: &str) -> Result<()> {
    let years = trade.distinct_years();
    if years.contains(&year) {
        return Ok(());
    }
    let have = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => format!("only {a}"),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "none".to_string(),
    };
    Err(Error::NoTrade { what: what.to_string(), year, years: have })
}

/// How much of one line a measure covers on a date, counting the line's
/// parts (the line itself and each finer code the measure or its exclusions
/// list below it) as equal shares: covered parts are in the measure's scope,
/// not carved out by an exclusion in force for this exporter, and not at a
/// zero rate of the measure (a suspended product of a tariff wave).
fn line_cover(at: &ScheduleAt, measure: &Measure, exporter: Economy, line: HsCode) -> Decimal {
    let h = measure.header();
    let mut parts = vec![line];
    parts.extend(h.scope.included_below(line).filter(|c| c.digits() > line.digits()));
    parts.extend(h.scope.excluded().iter().copied().filter(|x| x.digits() > line.digits() && line.contains(*x)));
    if let Measure::Tariff { .. } = measure {
        parts.extend(at.exclusion_codes_below(&h.id, exporter, line));
    }
    parts.sort_unstable();
    parts.dedup();
    let covered = parts
        .iter()
        .filter(|&&p| {
            h.scope.contains(p)
                && !(matches!(measure, Measure::Tariff { .. })
                    && (at.excluded_by(&h.id, exporter, p).is_some()
                        || measure.rates().and_then(|r| r.duty_for(p)).is_some_and(crate::duty::Duty::is_free)))
        })
        .count();
    Decimal::from(covered) / Decimal::from(parts.len())
}

/// Trade of a year covered by a measure in force (or not) on the schedule's
/// date, counted on the flows the measure's kind concerns ([`CoveredFlows`]).
///
/// Trade is at HS6 and lists are at national lines (HTS8, some HTS10): the
/// method says how a subheading is counted. Under `LineShare` a subheading
/// counts for the share of the importer's lines below it that are covered,
/// a line split by finer listings counting its parts equally; where the
/// importer's table has no line there, the whole subheading counts (and the
/// result is an upper bound for it). A measure that names an entity (a
/// denial order) covers an unknowable share of each flow: every flow in
/// scope is counted and the result says it is an upper bound.
pub fn coverage(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    measure: &Measure,
    year: i32,
    method: CoverageMethod,
) -> Result<Coverage> {
    check_trade_year(trade, year, "coverage")?;
    // A measure of the schedule counts as it stands on the date (its rates as
    // changed so far), and covers nothing on a date it is not in force; a
    // measure the schedule does not hold counts as given (a hypothesis).
    let state = at.state().get(measure.id());
    let not_in_force = state.filter(|st| st.status != crate::timeline::Status::InForce).map(|st| match &st.status {
        crate::timeline::Status::Suspended { since } => format!("suspended since {since}"),
        crate::timeline::Status::Lifted { on, .. } => format!("lifted on {on}"),
        crate::timeline::Status::Expired { on } => format!("expired on {on}"),
        crate::timeline::Status::InForce => String::new(),
    });
    let current;
    let measure = match state {
        Some(st) if not_in_force.is_none() => {
            current = std::sync::Arc::clone(&st.measure);
            current.as_ref()
        }
        _ => measure,
    };
    let imposed_later = state.is_none() && at.state().date() < measure.header().window.start();
    let h = measure.header();
    let flows = CoveredFlows::of(measure);
    let entity = match measure {
        Measure::ExportBan { entity: Some(e), .. } => Some(e),
        _ => None,
    };
    // The economy on the other side of the flows counted: the target, or the
    // entity's own economy for a denial order.
    let other = entity.map_or(h.target, crate::measure::Entity::economy);
    let importer_of = |other_side: Economy| match flows {
        CoveredFlows::ImposerImports => (h.imposer, other_side),
        CoveredFlows::ImposerExports => (other_side, h.imposer),
    };
    let buys = entity.and_then(crate::measure::Entity::buys);
    let mut covered = Decimal::ZERO;
    let mut pair_total: i128 = 0;
    let mut touched = 0;
    let mut bases = Vec::new();
    let mut others: Vec<Economy> = Vec::new();
    for (e, i) in trade.exporters().iter().zip(trade.importers()) {
        let o = match flows {
            CoveredFlows::ImposerImports if *i == h.imposer => *e,
            CoveredFlows::ImposerExports if *e == h.imposer => *i,
            _ => continue,
        };
        if other.includes(o) {
            others.push(o);
        }
    }
    others.sort_unstable();
    others.dedup();
    for &o in &others {
        let (importer, exporter) = importer_of(o);
        for &r in trade.pair_rows(exporter, importer) {
            let r = r as usize;
            if trade.years()[r] != year {
                continue;
            }
            let cents = trade.values_cents()[r];
            pair_total += i128::from(cents);
            let product = trade.products()[r];
            if buys.is_some_and(|b| b.overlap(product) == Overlap::None) {
                continue;
            }
            if not_in_force.is_some() || imposed_later {
                continue;
            }
            let share = product_cover(at, measure, importer, exporter, product, method);
            if !share.is_zero() {
                touched += 1;
                covered += Decimal::new(cents, 2) * share;
                bases.push(trade.bases()[r]);
            }
        }
    }
    bases.sort_unstable();
    bases.dedup();
    let mut counts: HashMap<u8, usize> = HashMap::new();
    for c in h.scope.included() {
        *counts.entry(c.digits()).or_default() += 1;
    }
    let mut lines_by_digits: Vec<(u8, usize)> = counts.into_iter().collect();
    lines_by_digits.sort_unstable();
    let (importer, exporter) = importer_of(other);
    let note = match (measure, entity) {
        _ if not_in_force.is_some() => Some(format!(
            "{} is not in force on {}: {}, it covers nothing then",
            h.id,
            at.date(),
            not_in_force.as_deref().unwrap_or_default()
        )),
        _ if imposed_later => Some(format!(
            "{} is not in force on {}: it starts on {}, it covers nothing before",
            h.id,
            at.date(),
            h.window.start()
        )),
        (_, Some(e)) => Some(format!(
            "{}'s share of {}'s exports is not in product-level trade: every flow from {} to {} in the \
             measure's scope{} is counted, an upper bound",
            e.name(),
            h.imposer,
            h.imposer,
            e.economy(),
            if buys.is_some() { " and among what the entity buys" } else { "" }
        )),
        (Measure::Subsidy { export_only: false, .. }, None) => Some(format!(
            "a production subsidy also covers {}'s domestic sales, which trade data do not show: only its \
             exports to {} are counted",
            h.imposer, h.target
        )),
        _ => None,
    };
    Ok(Coverage {
        id: h.id.clone(),
        name: h.name.clone(),
        importer,
        exporter,
        year,
        covered: Money::new(covered.round_dp(2), crate::money::Currency::USD),
        pair_total: money_from_i128(pair_total),
        lines_by_digits,
        flows_touched: touched,
        method,
        basis: bases,
        flows,
        upper_bound: entity.is_some(),
        note,
        in_force: not_in_force.is_none() && !imposed_later,
    })
}

/// The share of one product's trade that a measure covers, by method.
fn product_cover(
    at: &ScheduleAt,
    measure: &Measure,
    importer: Economy,
    exporter: Economy,
    product: HsCode,
    method: CoverageMethod,
) -> Decimal {
    let h = measure.header();
    if h.scope.overlap(product) == Overlap::None {
        return Decimal::ZERO;
    }
    let lines: Vec<HsCode> =
        at.mfn_table(importer).map(|t| t.lines_below(product).map(|(c, _)| c).collect()).unwrap_or_default();
    let shares: Vec<Decimal> = if lines.is_empty() || product.digits() > lines[0].digits() {
        vec![line_cover(at, measure, exporter, product)]
    } else {
        lines.iter().map(|&l| line_cover(at, measure, exporter, l)).collect()
    };
    // Without the importer's lines, a product only partly listed counts whole
    // under the estimate (there is nothing to share it by) and not at all in
    // the lower bound.
    let unknown_lines = lines.is_empty() && h.scope.overlap(product) == Overlap::Partial;
    match method {
        CoverageMethod::AnyLine => {
            if shares.iter().any(|s| !s.is_zero()) || unknown_lines {
                Decimal::ONE
            } else {
                Decimal::ZERO
            }
        }
        CoverageMethod::FullOnly => {
            if !unknown_lines && shares.iter().all(|s| *s == Decimal::ONE) {
                Decimal::ONE
            } else {
                Decimal::ZERO
            }
        }
        CoverageMethod::LineShare => {
            if unknown_lines {
                Decimal::ONE
            } else {
                shares.iter().copied().sum::<Decimal>() / Decimal::from(shares.len())
            }
        }
    }
}

/// Average tariffs that an importer applies to an exporter on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffAverages {
    /// Importer.
    pub importer: Economy,
    /// Exporter.
    pub exporter: Economy,
    /// Trade year used as weights.
    pub year: i32,
    /// How each HS6 rate was read off the importer's lines below it.
    pub method: LineAggregation,
    /// Trade-weighted mean of the total ad valorem rate (weights: the year's trade by HS6), by `method`.
    pub trade_weighted: Percent,
    /// Trade-weighted mean of the base (MFN) rate alone, by `method`.
    pub trade_weighted_mfn: Percent,
    /// The trade-weighted mean with each HS6 at its lowest line or part: the bracket's lower end.
    pub trade_weighted_lowest: Percent,
    /// The trade-weighted mean with each HS6 at its highest line or part: the bracket's upper end.
    pub trade_weighted_highest: Percent,
    /// Simple mean of the total ad valorem rate over the importer's national lines, by `method`
    /// (which matters only for lines split by finer listings).
    pub simple: Percent,
    /// Duties the total rates raise on the year's trade, without any change in trade.
    pub mechanical_duties: Money,
    /// The part of those duties due to measures above MFN.
    pub mechanical_additional_duties: Money,
    /// Value of the trade the averages weigh.
    pub trade: Money,
    /// National lines averaged over.
    pub lines: usize,
    /// National lines split by measures that list finer codes below them.
    pub split_lines: usize,
    /// Lines with a specific (per-unit) part left out of the ad valorem rates.
    pub lines_with_specific: usize,
    /// Lines with a specific part priced at its ad valorem equivalent (the
    /// schedule's unit values, [`crate::Schedule::with_unit_values`]).
    #[serde(default)]
    pub lines_by_equivalent: usize,
    /// Trade in flows whose product the importer's table does not know
    /// (e.g. HS 9999.99 unallocated), left out of the averages.
    pub unmatched_trade: Money,
    /// Trade in flows stopped by a ban or a prohibitive duty on some line,
    /// left out of the averages.
    pub stopped_trade: Money,
}

/// Trade-weighted and simple average tariffs, and mechanical duties, with
/// each HS6 rate read off the importer's lines by `method`; the bracket
/// (every HS6 at its lowest, and at its highest, line) comes with it.
/// Refused: an economy with itself, an importer the schedule's sources do not
/// cover, a year without trade.
pub fn tariff_averages(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    importer: Economy,
    exporter: Economy,
    year: i32,
    method: LineAggregation,
) -> Result<TariffAverages> {
    averages_with(at, trade, importer, exporter, year, method, &mut |code| {
        at.product_rate(importer, exporter, code).map(|r| RateFigures::of(&r, method))
    })
}

/// What the averages read off a product's rate, by one method: small and
/// cheap to copy, so that [`tariff_path`] can keep it across dates.
#[derive(Debug, Clone, Copy)]
struct RateFigures {
    total: Option<Percent>,
    base: Option<Percent>,
    lowest: Option<Percent>,
    highest: Option<Percent>,
    specific: bool,
    equivalent: bool,
    split: bool,
}

impl RateFigures {
    fn of(r: &ProductRate, method: LineAggregation) -> Self {
        Self {
            total: r.total(method),
            base: r.base(method),
            lowest: r.lowest,
            highest: r.highest,
            specific: r.lines_with_specific > 0,
            equivalent: r.lines_by_equivalent > 0,
            split: r.split_lines > 0,
        }
    }
}

/// [`tariff_averages`] with the product rates from `rate` (a cache across
/// dates, in [`tariff_path`]).
fn averages_with(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    importer: Economy,
    exporter: Economy,
    year: i32,
    method: LineAggregation,
    rate_of: &mut dyn FnMut(HsCode) -> Result<RateFigures>,
) -> Result<TariffAverages> {
    at.check_pair(importer, exporter)?;
    check_trade_year(trade, year, "tariff averages")?;
    let rows: Vec<usize> =
        trade.pair_rows(exporter, importer).iter().map(|&r| r as usize).filter(|&r| trade.years()[r] == year).collect();
    let known = at.mfn_table(importer);
    let mut rates: rustc_hash::FxHashMap<HsCode, Option<RateFigures>> = rustc_hash::FxHashMap::default();
    let zero = Decimal::ZERO;
    let (mut weighted_t, mut weighted_b, mut lo, mut hi) = (zero, zero, zero, zero);
    let (mut weight, mut unmatched, mut stopped) = (zero, zero, zero);
    for &r in &rows {
        let raw = trade.products()[r];
        let p = raw.truncate(HsLevel::Subheading).unwrap_or(raw);
        let rate = if let Some(rate) = rates.get(&p) {
            *rate
        } else {
            let rate = if known.is_none_or(|t| t.lines_below(p).next().is_none()) { None } else { Some(rate_of(p)?) };
            rates.insert(p, rate);
            rate
        };
        let v = Decimal::new(trade.values_cents()[r], 2);
        let Some(rate) = rate else {
            unmatched += v;
            continue;
        };
        match (rate.total, rate.base, rate.lowest, rate.highest) {
            (Some(t), Some(b), Some(l), Some(h)) => {
                weighted_t += t.value() * v;
                weighted_b += b.value() * v;
                lo += l.value() * v;
                hi += h.value() * v;
                weight += v;
            }
            _ => stopped += v,
        }
    }
    let (mut n, mut n_spec, mut n_equiv, mut n_split, mut simple_sum) = (0usize, 0usize, 0usize, 0usize, zero);
    if let Some(table) = known {
        for (line, _) in table.lines() {
            let r = rate_of(line)?;
            if let Some(t) = r.total {
                simple_sum += t.value();
                n += 1;
                n_spec += usize::from(r.specific);
                n_equiv += usize::from(r.equivalent);
                n_split += usize::from(r.split);
            }
        }
    }
    let pct = |num: Decimal, den: Decimal| {
        if den.is_zero() {
            Percent::ZERO
        } else {
            Percent::new_signed((num / den).round_dp(2))
        }
    };
    let usd = |d: Decimal| Money::new((d / Decimal::ONE_HUNDRED).round_dp(2), crate::money::Currency::USD);
    Ok(TariffAverages {
        importer,
        exporter,
        year,
        method,
        trade_weighted: pct(weighted_t, weight),
        trade_weighted_mfn: pct(weighted_b, weight),
        trade_weighted_lowest: pct(lo, weight),
        trade_weighted_highest: pct(hi, weight),
        simple: pct(simple_sum, Decimal::from(n.max(1))),
        mechanical_duties: usd(weighted_t),
        mechanical_additional_duties: usd(weighted_t - weighted_b),
        trade: Money::new(weight, crate::money::Currency::USD),
        lines: n,
        split_lines: n_split,
        lines_with_specific: n_spec,
        lines_by_equivalent: n_equiv,
        unmatched_trade: Money::new(unmatched, crate::money::Currency::USD),
        stopped_trade: Money::new(stopped, crate::money::Currency::USD),
    })
}

/// Average tariffs each way between `a` and `b` on each date, weighted by the
/// trade of `year`: rows `(date, averages)`, `a` on `b` then `b` on `a` for
/// each date, in the order of `dates`. Policy is constant between the
/// schedule's boundaries ([`crate::Schedule::boundaries`]), so each distinct
/// policy period is computed once, however many dates fall in it; and the
/// rate of each product is computed once per stretch of dates over which
/// nothing that concerns it changes, however many periods it spans.
pub fn tariff_path(
    schedule: &crate::Schedule,
    trade: &TradeMatrix,
    a: Economy,
    b: Economy,
    year: i32,
    dates: &[chrono::NaiveDate],
    method: LineAggregation,
) -> Result<Vec<(chrono::NaiveDate, TariffAverages)>> {
    check_trade_year(trade, year, "tariff path")?;
    let mut cache = schedule.rate_cache();
    let bounds = schedule.boundaries();
    let mut by_period: HashMap<usize, [TariffAverages; 2]> = HashMap::new();
    let mut rows = Vec::with_capacity(2 * dates.len());
    for &d in dates {
        let period = bounds.partition_point(|x| *x <= d);
        let pair = if let Some(p) = by_period.get(&period) {
            p.clone()
        } else {
            let at = schedule.at(d);
            let mut each_way = |imp: Economy, exp: Economy| {
                averages_with(&at, trade, imp, exp, year, method, &mut |code| {
                    cache.get(&at, imp, exp, code, || {
                        at.product_rate(imp, exp, code).map(|r| RateFigures::of(&r, method))
                    })
                })
            };
            let p = [each_way(a, b)?, each_way(b, a)?];
            by_period.insert(period, p.clone());
            p
        };
        let [ab, ba] = pair;
        rows.push((d, ab));
        rows.push((d, ba));
    }
    Ok(rows)
}

/// Trade of `year` covered by each measure in force on the date of `at` that
/// covers flows (tariffs, MFN changes, bans and denial orders, quotas,
/// subsidies; not exclusions nor purchase commitments), one [`Coverage`] per
/// measure, in id order.
pub fn coverage_by_measure(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    year: i32,
    method: CoverageMethod,
) -> Result<Vec<Coverage>> {
    at.state()
        .in_force()
        .filter(|m| {
            matches!(
                m,
                Measure::Tariff { .. }
                    | Measure::MfnChange { .. }
                    | Measure::ExportBan { .. }
                    | Measure::ImportBan { .. }
                    | Measure::Quota { .. }
                    | Measure::Subsidy { .. }
            )
        })
        .map(|m| coverage(at, trade, m, year, method))
        .collect()
}

/// A bilateral goods balance, with the bases of each side named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Balance {
    /// The reporting economy.
    pub reporter: Economy,
    /// The partner.
    pub partner: Economy,
    /// Year.
    pub year: i32,
    /// Reporter's exports to the partner.
    pub exports: Money,
    /// Reporter's imports from the partner.
    pub imports: Money,
    /// Exports minus imports (a deficit is negative).
    pub balance: Money,
    /// Basis of the export values.
    pub export_basis: Vec<ValuationBasis>,
    /// Basis of the import values.
    pub import_basis: Vec<ValuationBasis>,
}

impl Balance {
    /// Whether both sides are on the same single basis.
    pub fn is_like_for_like(&self) -> bool {
        self.export_basis.len() == 1 && self.export_basis == self.import_basis
    }
}

/// The reporter's balance with a partner in a year. Refused: an economy
/// with itself, a year in which the trade has no flows.
pub fn balance(trade: &TradeMatrix, reporter: Economy, partner: Economy, year: i32) -> Result<Balance> {
    if reporter == partner {
        return Err(Error::SelfPair { what: "balance", economy: reporter.to_string() });
    }
    check_trade_year(trade, year, "balance")?;
    let exports = trade.total(reporter, partner, year);
    let imports = trade.total(partner, reporter, year);
    Ok(Balance {
        reporter,
        partner,
        year,
        exports,
        imports,
        balance: exports.checked_sub(imports)?,
        export_basis: trade.bases_of(reporter, partner, year),
        import_basis: trade.bases_of(partner, reporter, year),
    })
}

/// Progress of a purchase commitment in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentProgress {
    /// The commitment.
    pub id: MeasureId,
    /// Its name.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Purchases in the baseline year.
    pub baseline: Money,
    /// Purchases committed for the year (baseline plus the extra, or the total).
    pub committed: Money,
    /// Actual purchases in the year (seller's exports to the buyer in scope).
    pub actual: Money,
}

impl CommitmentProgress {
    /// Actual over committed, in percent (one decimal).
    pub fn attainment(&self) -> Percent {
        ratio_pct(self.actual, self.committed)
    }
}

fn ratio_pct(a: Money, b: Money) -> Percent {
    if b.amount().is_zero() {
        return Percent::ZERO;
    }
    Percent::new_signed((a.amount() / b.amount() * Decimal::ONE_HUNDRED).round_dp(1))
}

/// Value of the seller's exports to the buyer in the commitment's scope.
fn scope_value(trade: &TradeMatrix, m: &Measure, year: i32) -> Money {
    let h = m.header();
    let mut cents: i128 = 0;
    for &r in trade.pair_rows(h.target, h.imposer) {
        let r = r as usize;
        if trade.years()[r] == year && h.scope.contains(trade.products()[r]) {
            cents += i128::from(trade.values_cents()[r]);
        }
    }
    money_from_i128(cents)
}

/// Year-by-year progress of a purchase commitment, measured on the trade
/// matrix (for Phase One: US exports to China, FOB, as reported by the US).
pub fn commitment_progress(trade: &TradeMatrix, m: &Measure) -> Result<Vec<CommitmentProgress>> {
    let Measure::PurchaseCommitment { header, kind, baseline_year, years } = m else {
        return Err(Error::Invalid {
            what: "commitment",
            reason: format!("measure {} is a {}, not a purchase commitment", m.id(), m.kind()),
        });
    };
    let baseline = scope_value(trade, m, *baseline_year);
    years
        .iter()
        .map(|y| {
            let committed = match kind {
                CommitmentKind::AboveBaseline => baseline.checked_add(y.amount)?,
                CommitmentKind::Total => y.amount,
            };
            Ok(CommitmentProgress {
                id: header.id.clone(),
                name: header.name.clone(),
                year: y.year,
                baseline,
                committed,
                actual: scope_value(trade, m, y.year),
            })
        })
        .collect()
}

/// Sum of the progress rows: committed and actual over all years and commitments.
pub fn total_attainment(rows: &[CommitmentProgress]) -> Result<(Money, Money, Percent)> {
    let committed = Money::sum(crate::money::Currency::USD, rows.iter().map(|r| r.committed))?;
    let actual = Money::sum(crate::money::Currency::USD, rows.iter().map(|r| r.actual))?;
    Ok((committed, actual, ratio_pct(actual, committed)))
}

/// A negotiating target: cut the reporter's deficit with a partner by an
/// amount from a base year's level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TargetRepr")]
pub struct Target {
    /// Name, e.g. "Cut the US goods deficit with China by $200B".
    pub name: String,
    /// The economy whose balance is targeted.
    pub reporter: Economy,
    /// The partner.
    pub partner: Economy,
    /// The base year.
    pub base_year: i32,
    /// The reduction sought (positive).
    pub reduction: Money,
    /// The year by which it should be reached.
    pub by_year: i32,
}

/// How far a target got, or how much of it a proposal closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetProgress {
    /// What is measured ("actual 2019", "Phase One, mechanical").
    pub label: String,
    /// The gap closed (positive = the deficit fell).
    pub closed: Money,
    /// Closed over the reduction sought, in percent (negative when the gap widened).
    #[serde(with = "crate::duty::signed_percent")]
    pub share: Percent,
}

impl Target {
    /// A target; the reduction must be positive, reporter and partner must
    /// differ, both years lie in 1900–2100 and the deadline after the base year.
    pub fn new(
        name: &str,
        reporter: Economy,
        partner: Economy,
        base_year: i32,
        reduction: Money,
        by_year: i32,
    ) -> Result<Self> {
        if reporter == partner {
            return Err(Error::Invalid { what: "target", reason: format!("reporter and partner are both {reporter}") });
        }
        crate::check_year(i64::from(base_year), "target base year")?;
        crate::check_year(i64::from(by_year), "target deadline")?;
        if !reduction.amount().is_sign_positive() || reduction.amount().is_zero() {
            return Err(Error::Invalid { what: "target", reason: format!("reduction {reduction} must be positive") });
        }
        if by_year <= base_year {
            return Err(Error::Invalid {
                what: "target",
                reason: format!("deadline {by_year} is not after the base year {base_year}"),
            });
        }
        Ok(Self { name: name.to_string(), reporter, partner, base_year, reduction, by_year })
    }

    /// The change of the balance from the base year to `year`, as a share of the target.
    pub fn actual_progress(&self, trade: &TradeMatrix, year: i32) -> Result<TargetProgress> {
        let base = balance(trade, self.reporter, self.partner, self.base_year)?;
        let now = balance(trade, self.reporter, self.partner, year)?;
        let closed = now.balance.checked_sub(base.balance)?;
        Ok(TargetProgress {
            label: format!("actual {year} vs {}", self.base_year),
            closed,
            share: ratio_pct(closed, self.reduction),
        })
    }

    /// How much of the target a set of purchase commitments closes on a
    /// mechanical basis: every extra dollar bought is added demand that
    /// raises the reporter's exports one for one (no diversion, no price
    /// effects), counted for one year of the commitments.
    pub fn mechanical_closure<'a, I: IntoIterator<Item = &'a Measure>>(
        &self,
        label: &str,
        year: i32,
        commitments: I,
    ) -> Result<TargetProgress> {
        let mut closed = Money::zero(self.reduction.currency());
        for m in commitments {
            if let Measure::PurchaseCommitment { header, years, kind, .. } = m {
                if header.imposer != self.partner || header.target != self.reporter {
                    continue;
                }
                if *kind != CommitmentKind::AboveBaseline {
                    return Err(Error::Invalid {
                        what: "target",
                        reason: format!("commitment {} is a total, not an extra over a baseline", header.id),
                    });
                }
                for y in years.iter().filter(|y| y.year == year) {
                    closed = closed.checked_add(y.amount)?;
                }
            }
        }
        Ok(TargetProgress { label: label.to_string(), closed, share: ratio_pct(closed, self.reduction) })
    }
}

/// The serde form of a [`Target`], read through [`Target::new`] (issue 11:
/// JSON accepted a negative reduction, reporter equal to partner and a
/// deadline before the base year).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetRepr {
    name: String,
    reporter: Economy,
    partner: Economy,
    base_year: i32,
    reduction: Money,
    by_year: i32,
}

impl TryFrom<TargetRepr> for Target {
    type Error = Error;
    fn try_from(r: TargetRepr) -> Result<Self> {
        Target::new(&r.name, r.reporter, r.partner, r.base_year, r.reduction, r.by_year)
    }
}
