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
use crate::schedule::ScheduleAt;
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

/// Trade covered by one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// The measure.
    pub id: MeasureId,
    /// Its name.
    pub name: String,
    /// Importer (imposer).
    pub importer: Economy,
    /// Exporter.
    pub exporter: Economy,
    /// Trade year used.
    pub year: i32,
    /// Covered value.
    pub covered: Money,
    /// All trade of the pair in the year.
    pub pair_total: Money,
    /// Codes listed in the measure's scope, by number of digits.
    pub lines_by_digits: Vec<(u8, usize)>,
    /// Flows at least partly covered.
    pub flows_touched: usize,
    /// How HS6 trade was matched to the listed lines.
    pub method: CoverageMethod,
    /// The valuation basis of the trade counted.
    pub basis: Vec<ValuationBasis>,
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

/// The share of the importer's national lines below `product` that the
/// measure lists; `None` when the importer's table has no line there (the
/// share cannot be known).
fn line_share(at: &ScheduleAt, importer: Economy, measure: &Measure, product: HsCode) -> Option<Decimal> {
    let scope = &measure.header().scope;
    let table = at_mfn(at, importer)?;
    let (mut all, mut hit) = (0u32, 0u32);
    for (line, _) in table.lines_below(product) {
        all += 1;
        if scope.contains(line) {
            hit += 1;
        }
    }
    (all > 0).then(|| Decimal::from(hit) / Decimal::from(all))
}

fn at_mfn(at: &ScheduleAt, importer: Economy) -> Option<&crate::schedule::MfnTable> {
    at.mfn_table(importer)
}

/// Trade of a year covered by a measure in force (or not) on the schedule's date.
pub fn coverage(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    measure: &Measure,
    year: i32,
    method: CoverageMethod,
) -> Coverage {
    let h = measure.header();
    let importer = h.imposer;
    let mut covered = Decimal::ZERO;
    let mut pair_total: i128 = 0;
    let mut touched = 0;
    let mut bases = Vec::new();
    let mut exporters: Vec<Economy> = trade
        .exporters()
        .iter()
        .zip(trade.importers())
        .filter(|(e, i)| **i == importer && h.target.includes(**e))
        .map(|(e, _)| *e)
        .collect();
    exporters.sort_unstable();
    exporters.dedup();
    for &exporter in &exporters {
        for &r in trade.pair_rows(exporter, importer) {
            let r = r as usize;
            if trade.years()[r] != year {
                continue;
            }
            let cents = trade.values_cents()[r];
            pair_total += i128::from(cents);
            let product = trade.products()[r];
            let ov = h.scope.overlap(product);
            // A tariff layer at 0% (a suspended product of a wave) covers nothing;
            // an MFN change to 0% does cover its trade.
            let free = matches!(measure, Measure::Tariff { .. })
                && measure.rates().and_then(|rates| rates.duty_for(product)).is_some_and(crate::duty::Duty::is_free);
            let excluded = at.excluded_by(&h.id, exporter, product).is_some();
            let share = match (method, ov) {
                (_, Overlap::None) => Decimal::ZERO,
                _ if free || excluded => Decimal::ZERO,
                (_, Overlap::Full) => Decimal::ONE,
                (CoverageMethod::AnyLine, Overlap::Partial) => Decimal::ONE,
                // Without the importer's lines the share is unknown: the lower
                // bound counts nothing, the estimate takes the whole subheading.
                (CoverageMethod::LineShare, Overlap::Partial) => {
                    line_share(at, importer, measure, product).unwrap_or(Decimal::ONE)
                }
                (CoverageMethod::FullOnly, Overlap::Partial) => {
                    if line_share(at, importer, measure, product) == Some(Decimal::ONE) {
                        Decimal::ONE
                    } else {
                        Decimal::ZERO
                    }
                }
            };
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
    Coverage {
        id: h.id.clone(),
        name: h.name.clone(),
        importer,
        exporter: h.target,
        year,
        covered: Money::new(covered.round_dp(2), crate::money::Currency::USD),
        pair_total: money_from_i128(pair_total),
        lines_by_digits,
        flows_touched: touched,
        method,
        basis: bases,
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
    /// Trade-weighted mean of the total ad valorem rate (weights: the year's trade by HS6).
    pub trade_weighted: Percent,
    /// Trade-weighted mean of the base (MFN) rate alone.
    pub trade_weighted_mfn: Percent,
    /// Simple mean of the total ad valorem rate over the importer's national lines.
    pub simple: Percent,
    /// Duties the total rates raise on the year's trade, without any change in trade.
    pub mechanical_duties: Money,
    /// The part of those duties due to measures above MFN.
    pub mechanical_additional_duties: Money,
    /// Value of the trade the averages weigh.
    pub trade: Money,
    /// National lines averaged over.
    pub lines: usize,
    /// Lines with a specific (per-unit) part left out of the ad valorem rates.
    pub lines_with_specific: usize,
    /// Trade in flows whose product the importer's table does not know
    /// (e.g. HS 9999.99 unallocated), left out of the averages.
    pub unmatched_trade: Money,
    /// Trade in flows stopped by a ban or a prohibitive duty on some line,
    /// left out of the averages.
    pub stopped_trade: Money,
}

/// Rates of the importer at HS6: `(total, base)` by product, from
/// [`ScheduleAt::product_rate`]. Products the importer's table does not
/// know (e.g. HS 9999.99, unallocated) are left out.
struct Hs6Rates {
    total: HashMap<HsCode, (Decimal, Decimal)>,
    stopped: std::collections::HashSet<HsCode>,
}

fn hs6_rates(
    at: &ScheduleAt,
    importer: Economy,
    exporter: Economy,
    products: impl Iterator<Item = HsCode>,
) -> Hs6Rates {
    let mut total = HashMap::new();
    let mut stopped = std::collections::HashSet::new();
    let known = at.mfn_table(importer);
    for p in products {
        if total.contains_key(&p) || stopped.contains(&p) || known.is_none_or(|t| t.lines_below(p).next().is_none()) {
            continue;
        }
        match at.product_rate(importer, exporter, p) {
            Some(r) => {
                total.insert(p, r);
            }
            None => {
                stopped.insert(p);
            }
        }
    }
    Hs6Rates { total, stopped }
}

/// Trade-weighted and simple average tariffs, and mechanical duties.
pub fn tariff_averages(
    at: &ScheduleAt,
    trade: &TradeMatrix,
    importer: Economy,
    exporter: Economy,
    year: i32,
) -> TariffAverages {
    let rows: Vec<usize> =
        trade.pair_rows(exporter, importer).iter().map(|&r| r as usize).filter(|&r| trade.years()[r] == year).collect();
    let products: Vec<HsCode> = rows
        .iter()
        .map(|&r| trade.products()[r].truncate(HsLevel::Subheading).unwrap_or(trade.products()[r]))
        .collect();
    let rates = hs6_rates(at, importer, exporter, products.iter().copied());
    let mut stopped = Decimal::ZERO;
    let (mut weighted_t, mut weighted_b, mut weight, mut unmatched) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for (&r, p) in rows.iter().zip(&products) {
        let v = Decimal::new(trade.values_cents()[r], 2);
        match rates.total.get(p) {
            Some((t, b)) => {
                weighted_t += t * v;
                weighted_b += b * v;
                weight += v;
            }
            None if rates.stopped.contains(p) => stopped += v,
            None => unmatched += v,
        }
    }
    let (mut n, mut n_spec, mut simple_sum) = (0usize, 0usize, Decimal::ZERO);
    if let Some(table) = at.mfn_table(importer) {
        for (line, duty) in table.lines() {
            if let Some(t) = at.total(importer, exporter, line) {
                simple_sum += t.value();
                n += 1;
                if duty.has_specific_part() {
                    n_spec += 1;
                }
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
    TariffAverages {
        importer,
        exporter,
        year,
        trade_weighted: pct(weighted_t, weight),
        trade_weighted_mfn: pct(weighted_b, weight),
        simple: pct(simple_sum, Decimal::from(n.max(1))),
        mechanical_duties: usd(weighted_t),
        mechanical_additional_duties: usd(weighted_t - weighted_b),
        trade: Money::new(weight, crate::money::Currency::USD),
        lines: n,
        lines_with_specific: n_spec,
        unmatched_trade: Money::new(unmatched, crate::money::Currency::USD),
        stopped_trade: Money::new(stopped, crate::money::Currency::USD),
    }
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

/// The reporter's balance with a partner in a year.
pub fn balance(trade: &TradeMatrix, reporter: Economy, partner: Economy, year: i32) -> Result<Balance> {
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
