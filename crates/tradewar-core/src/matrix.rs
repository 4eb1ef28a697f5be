//! Trade flows and the columnar trade matrix.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::{HsCode, HsLevel};
use crate::money::{Currency, Money, ValuationBasis};
use crate::scope::ProductScope;

/// One flow: what one economy sold another of one product in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeFlow {
    /// Seller.
    pub exporter: Economy,
    /// Buyer.
    pub importer: Economy,
    /// Product.
    pub product: HsCode,
    /// Calendar year.
    pub year: i32,
    /// Value (US dollars).
    pub value: Money,
    /// The basis the value is measured on.
    pub basis: ValuationBasis,
}

impl TradeFlow {
    /// Checks the flow as [`TradeMatrix::push`] would: distinct economies, US
    /// dollars, a non-negative value that fits whole cents, a year in 1900–2100.
    pub fn validate(&self) -> Result<()> {
        TradeMatrix::check(self).map(|_| ())
    }
}

/// Flows held column by column. Values are whole US cents (`i64`: exact,
/// fast, and convertible to [`Money`] without loss). Indexes by economy
/// pair and by product are kept up to date on every insertion.
///
/// ```
/// use tradewar_core::{TradeMatrix, TradeFlow, Economy, Money, ValuationBasis};
/// let mut m = TradeMatrix::new();
/// m.push(TradeFlow {
///     exporter: Economy::USA, importer: Economy::CHN, product: "1201.90".parse()?,
///     year: 2017, value: Money::usd("12224000000")?, basis: ValuationBasis::Fob,
/// })?;
/// assert_eq!(m.total(Economy::USA, Economy::CHN, 2017).to_string(), "12224000000 USD");
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MatrixColumns", try_from = "MatrixColumns")]
pub struct TradeMatrix {
    exporter: Vec<Economy>,
    importer: Vec<Economy>,
    product: Vec<HsCode>,
    year: Vec<i32>,
    value_cents: Vec<i64>,
    basis: Vec<ValuationBasis>,
    by_pair: HashMap<(Economy, Economy), Vec<u32>>,
    by_product: HashMap<HsCode, Vec<u32>>,
}

/// Which rows to keep.
#[derive(Debug, Clone, Default)]
pub struct FlowFilter {
    /// Only this exporter (or members of this aggregate).
    pub exporter: Option<Economy>,
    /// Only this importer (or members of this aggregate).
    pub importer: Option<Economy>,
    /// Only these years.
    pub years: Option<RangeInclusive<i32>>,
    /// Only products fully in this scope.
    pub products: Option<ProductScope>,
}

impl TradeMatrix {
    /// An empty matrix.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty matrix with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            exporter: Vec::with_capacity(n),
            importer: Vec::with_capacity(n),
            product: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            value_cents: Vec::with_capacity(n),
            basis: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    fn check(flow: &TradeFlow) -> Result<i64> {
        if flow.exporter == flow.importer {
            return Err(Error::Invalid {
                what: "trade flow",
                reason: format!("exporter and importer are both {}", flow.exporter),
            });
        }
        if flow.value.currency() != Currency::USD {
            return Err(Error::CurrencyMismatch {
                left: flow.value.currency().to_string(),
                right: "USD (the matrix currency)".into(),
            });
        }
        if flow.value.is_negative() {
            return Err(Error::InvalidMoney {
                value: flow.value.to_string(),
                reason: "a trade value must not be negative",
            });
        }
        if !(1900..=2100).contains(&flow.year) {
            return Err(Error::Invalid {
                what: "trade flow",
                reason: format!("year {} is outside 1900-2100", flow.year),
            });
        }
        flow.value.to_usd_cents()
    }

    fn push_unchecked(&mut self, e: Economy, i: Economy, p: HsCode, y: i32, cents: i64, b: ValuationBasis) {
        let row = self.value_cents.len() as u32;
        self.exporter.push(e);
        self.importer.push(i);
        self.product.push(p);
        self.year.push(y);
        self.value_cents.push(cents);
        self.basis.push(b);
        self.by_pair.entry((e, i)).or_default().push(row);
        self.by_product.entry(p).or_default().push(row);
    }

    /// Appends a validated flow.
    #[allow(clippy::needless_pass_by_value)] // taking the flow by value reads naturally at call sites
    pub fn push(&mut self, flow: TradeFlow) -> Result<()> {
        let cents = Self::check(&flow)?;
        self.push_unchecked(flow.exporter, flow.importer, flow.product, flow.year, cents, flow.basis);
        Ok(())
    }

    /// Appends many flows; if any is invalid nothing is added.
    pub fn extend<I: IntoIterator<Item = TradeFlow>>(&mut self, flows: I) -> Result<()> {
        let mut staged = Vec::new();
        for f in flows {
            let cents = Self::check(&f)?;
            staged.push((f, cents));
        }
        for (f, cents) in staged {
            self.push_unchecked(f.exporter, f.importer, f.product, f.year, cents, f.basis);
        }
        Ok(())
    }

    /// Appends every row of another matrix.
    pub fn append(&mut self, other: &TradeMatrix) {
        for r in 0..other.len() {
            self.push_unchecked(
                other.exporter[r],
                other.importer[r],
                other.product[r],
                other.year[r],
                other.value_cents[r],
                other.basis[r],
            );
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.value_cents.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.value_cents.is_empty()
    }

    /// One row as a flow.
    pub fn get(&self, row: usize) -> Option<TradeFlow> {
        (row < self.len()).then(|| TradeFlow {
            exporter: self.exporter[row],
            importer: self.importer[row],
            product: self.product[row],
            year: self.year[row],
            value: Money::from_usd_cents(self.value_cents[row]),
            basis: self.basis[row],
        })
    }

    /// Every row as a flow.
    pub fn iter(&self) -> impl Iterator<Item = TradeFlow> + '_ {
        (0..self.len()).filter_map(|r| self.get(r))
    }

    /// Exporter column.
    pub fn exporters(&self) -> &[Economy] {
        &self.exporter
    }
    /// Importer column.
    pub fn importers(&self) -> &[Economy] {
        &self.importer
    }
    /// Product column.
    pub fn products(&self) -> &[HsCode] {
        &self.product
    }
    /// Year column.
    pub fn years(&self) -> &[i32] {
        &self.year
    }
    /// Value column in whole US cents.
    pub fn values_cents(&self) -> &[i64] {
        &self.value_cents
    }
    /// Valuation-basis column.
    pub fn bases(&self) -> &[ValuationBasis] {
        &self.basis
    }

    /// Rows of one exporter–importer pair, in insertion order.
    pub fn pair_rows(&self, exporter: Economy, importer: Economy) -> &[u32] {
        self.by_pair.get(&(exporter, importer)).map_or(&[], Vec::as_slice)
    }

    /// Rows of one product code (exactly that code).
    pub fn product_rows(&self, product: HsCode) -> &[u32] {
        self.by_product.get(&product).map_or(&[], Vec::as_slice)
    }

    /// The distinct years present, sorted.
    pub fn distinct_years(&self) -> Vec<i32> {
        let mut y = self.year.clone();
        y.sort_unstable();
        y.dedup();
        y
    }

    /// Total value of one pair in one year (exact).
    pub fn total(&self, exporter: Economy, importer: Economy, year: i32) -> Money {
        let cents: i128 = self
            .pair_rows(exporter, importer)
            .iter()
            .filter(|&&r| self.year[r as usize] == year)
            .map(|&r| i128::from(self.value_cents[r as usize]))
            .sum();
        money_from_i128(cents)
    }

    /// The valuation bases used by one pair in one year.
    pub fn bases_of(&self, exporter: Economy, importer: Economy, year: i32) -> Vec<ValuationBasis> {
        let mut b: Vec<ValuationBasis> = self
            .pair_rows(exporter, importer)
            .iter()
            .filter(|&&r| self.year[r as usize] == year)
            .map(|&r| self.basis[r as usize])
            .collect();
        b.sort_unstable();
        b.dedup();
        b
    }

    /// Rows that pass a filter.
    pub fn select(&self, f: &FlowFilter) -> Vec<u32> {
        (0..self.len() as u32)
            .filter(|&r| {
                let r = r as usize;
                f.exporter.is_none_or(|e| e.includes(self.exporter[r]))
                    && f.importer.is_none_or(|i| i.includes(self.importer[r]))
                    && f.years.as_ref().is_none_or(|y| y.contains(&self.year[r]))
                    && f.products.as_ref().is_none_or(|s| s.contains(self.product[r]))
            })
            .collect()
    }

    /// A new matrix of the rows that pass a filter.
    pub fn filter(&self, f: &FlowFilter) -> TradeMatrix {
        let rows = self.select(f);
        self.take(&rows)
    }

    /// A new matrix of the given rows.
    pub fn take(&self, rows: &[u32]) -> TradeMatrix {
        let mut m = TradeMatrix::with_capacity(rows.len());
        for &r in rows {
            let r = r as usize;
            m.push_unchecked(
                self.exporter[r],
                self.importer[r],
                self.product[r],
                self.year[r],
                self.value_cents[r],
                self.basis[r],
            );
        }
        m
    }

    /// Sums up the HS tree to a coarser level (chapters, headings, ...).
    /// Rows finer than `level` are cut to it; rows coarser are kept as they
    /// are. Rows are grouped by exporter, importer, product, year and basis,
    /// so values on different bases are never added together.
    pub fn aggregate(&self, level: HsLevel) -> TradeMatrix {
        let mut sums: BTreeMap<AggregateKey, (HsCode, i64)> = BTreeMap::new();
        for r in 0..self.len() {
            let p = self.product[r].truncate(level).unwrap_or(self.product[r]);
            let e = sums
                .entry((self.exporter[r], self.importer[r], p.sort_key(), self.year[r], self.basis[r]))
                .or_insert((p, 0));
            e.1 += self.value_cents[r];
        }
        let mut m = TradeMatrix::with_capacity(sums.len());
        for ((e, i, _, y, b), (p, v)) in sums {
            m.push_unchecked(e, i, p, y, v, b);
        }
        m
    }
}

/// Grouping key of [`TradeMatrix::aggregate`]: exporter, importer, product sort key, year, basis.
type AggregateKey = (Economy, Economy, (u64, u8), i32, ValuationBasis);

/// Money from a sum of cents held in `i128` (which cannot overflow for any
/// realistic table); saturates at the `Decimal` range.
pub(crate) fn money_from_i128(cents: i128) -> Money {
    let d = rust_decimal::Decimal::from_i128_with_scale(cents, 2);
    Money::new(d, Currency::USD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(e: Economy, i: Economy, p: &str, y: i32, v: &str) -> TradeFlow {
        TradeFlow {
            exporter: e,
            importer: i,
            product: p.parse().unwrap(),
            year: y,
            value: Money::usd(v).unwrap(),
            basis: ValuationBasis::Fob,
        }
    }

    #[test]
    fn serde_keeps_every_column_and_validates() {
        let mut m = TradeMatrix::new();
        m.extend([
            flow(Economy::USA, Economy::CHN, "1201.90", 2017, "100.25"),
            flow(Economy::CHN, Economy::USA, "8471.30.01", 2018, "0.01"),
        ])
        .unwrap();
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains(r#""value_usd":["100.25","0.01"]"#), "{text}");
        let back: TradeMatrix = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.pair_rows(Economy::CHN, Economy::USA), m.pair_rows(Economy::CHN, Economy::USA));
        let short = text.replace(r#""year":[2017,2018]"#, r#""year":[2017]"#);
        assert!(serde_json::from_str::<TradeMatrix>(&short).unwrap_err().to_string().contains("year"));
        let same_economy = text.replacen(r#""importer":["CHN""#, r#""importer":["USA""#, 1);
        assert!(serde_json::from_str::<TradeMatrix>(&same_economy).is_err());
        // Values are held in whole cents, rounded half away from zero as `push` does.
        let fraction_of_cent: TradeMatrix = serde_json::from_str(&text.replace("100.25", "100.255")).unwrap();
        assert_eq!(fraction_of_cent.values_cents()[0], 10026);
    }

    #[test]
    fn aggregate_and_filter() {
        let mut m = TradeMatrix::new();
        m.extend([
            flow(Economy::USA, Economy::CHN, "1201.90", 2017, "100.25"),
            flow(Economy::USA, Economy::CHN, "1201.10", 2017, "1"),
            flow(Economy::USA, Economy::CHN, "8703.23", 2017, "50"),
            flow(Economy::CHN, Economy::USA, "8471.30", 2017, "7"),
        ])
        .unwrap();
        let ch = m.aggregate(HsLevel::Chapter);
        assert_eq!(ch.len(), 3);
        assert_eq!(ch.total(Economy::USA, Economy::CHN, 2017), m.total(Economy::USA, Economy::CHN, 2017));
        let soy = m.filter(&FlowFilter {
            products: Some(ProductScope::from_codes(["1201"]).unwrap()),
            ..FlowFilter::default()
        });
        assert_eq!(soy.total(Economy::USA, Economy::CHN, 2017).to_string(), "101.25 USD");
    }

    #[test]
    fn failed_extend_changes_nothing() {
        let mut m = TradeMatrix::new();
        m.push(flow(Economy::USA, Economy::CHN, "1201.90", 2017, "1")).unwrap();
        let before = m.clone();
        let bad = vec![
            flow(Economy::USA, Economy::CHN, "1201.10", 2017, "2"),
            flow(Economy::USA, Economy::CHN, "1201.10", 2017, "-2"),
        ];
        assert!(matches!(m.extend(bad), Err(Error::InvalidMoney { .. })));
        assert_eq!(m, before);
        assert!(m.push(flow(Economy::USA, Economy::USA, "1201.10", 2017, "2")).is_err());
    }
}

/// The serde form of a [`TradeMatrix`]: equal-length columns, values as
/// exact decimal strings of US dollars. Reading re-validates every flow.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixColumns {
    exporter: Vec<Economy>,
    importer: Vec<Economy>,
    product: Vec<HsCode>,
    year: Vec<i32>,
    value_usd: Vec<rust_decimal::Decimal>,
    basis: Vec<ValuationBasis>,
}

impl From<TradeMatrix> for MatrixColumns {
    fn from(m: TradeMatrix) -> Self {
        let value_usd = m.value_cents.iter().map(|&c| rust_decimal::Decimal::new(c, 2)).collect();
        Self { exporter: m.exporter, importer: m.importer, product: m.product, year: m.year, value_usd, basis: m.basis }
    }
}

impl TryFrom<MatrixColumns> for TradeMatrix {
    type Error = Error;

    fn try_from(c: MatrixColumns) -> Result<Self> {
        let n = c.exporter.len();
        let lengths = [
            ("importer", c.importer.len()),
            ("product", c.product.len()),
            ("year", c.year.len()),
            ("value_usd", c.value_usd.len()),
            ("basis", c.basis.len()),
        ];
        for (column, got) in lengths {
            if got != n {
                return Err(Error::ColumnLength { column, got, expected: n });
            }
        }
        let mut m = TradeMatrix::with_capacity(n);
        m.extend((0..n).map(|r| TradeFlow {
            exporter: c.exporter[r],
            importer: c.importer[r],
            product: c.product[r],
            year: c.year[r],
            value: Money::new(c.value_usd[r], Currency::USD),
            basis: c.basis[r],
        }))?;
        Ok(m)
    }
}
