//! Trade flows and the columnar trade matrix.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::{HsCode, HsLevel};
use crate::money::{Currency, Money, ValuationBasis};
use crate::scope::ProductScope;

/// One flow: what one economy sold another of one product in one year.
/// Serde reads it through [`TradeFlow::validate`], as [`TradeMatrix::push`] would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FlowRepr")]
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
    fn key_of(&self) -> String {
        Self::key_text(self.exporter, self.importer, self.product, self.year)
    }

    /// Checks the flow as [`TradeMatrix::push`] would: distinct economies, US
    /// dollars, a non-negative value in whole cents (a fraction of a cent is
    /// refused, not rounded), a year in 1900–2100.
    pub fn validate(&self) -> Result<()> {
        TradeMatrix::check(self).map(|_| ())
    }

    /// The flow's key as messages show it: `CHN→USA 9403.10 2017`.
    fn key_text(exporter: Economy, importer: Economy, product: HsCode, year: i32) -> String {
        format!("{exporter}→{importer} {product} {year}")
    }
}

/// The serde form of a [`TradeFlow`], read strictly and then checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowRepr {
    exporter: Economy,
    importer: Economy,
    product: HsCode,
    year: i32,
    value: Money,
    basis: ValuationBasis,
}

impl TryFrom<FlowRepr> for TradeFlow {
    type Error = Error;
    fn try_from(r: FlowRepr) -> Result<Self> {
        let f = Self {
            exporter: r.exporter,
            importer: r.importer,
            product: r.product,
            year: r.year,
            value: r.value,
            basis: r.basis,
        };
        f.validate()?;
        Ok(f)
    }
}

/// What to do with two rows of the same flow (exporter, importer, product, year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duplicates {
    /// Refuse them with [`Error::DuplicateFlow`], naming the flow and both rows (the default everywhere).
    #[default]
    Refuse,
    /// Sum them into one row (their valuation bases must agree).
    Sum,
}

/// One number per flow key (exporter, importer, product, year): equal keys, equal numbers.
fn flow_key(e: Economy, i: Economy, p: HsCode, y: i32) -> u128 {
    // exporter and importer 32 bits each, product 38 bits, year offset from 1900 in 8 bits (1900..=2100).
    u128::from(e.packed()) << 78
        | u128::from(i.packed()) << 46
        | u128::from(p.packed()) << 8
        | u128::from((y - 1900) as u8)
}

/// Flows held column by column. Values are whole US cents (`i64`: exact,
/// fast, and convertible to [`Money`] without loss); a value with a
/// fraction of a cent is refused on every way in (constructor, serde, CSV,
/// pandas, Arrow), never rounded. Each flow (exporter, importer, product,
/// year) appears once: a second row of it is refused with
/// [`Error::DuplicateFlow`] unless summing is asked for
/// ([`TradeMatrix::extend_summing`]). Indexes by economy pair and by product
/// are kept up to date on every insertion.
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
        if !(crate::MIN_YEAR..=crate::MAX_YEAR).contains(&flow.year) {
            return Err(Error::Invalid {
                what: "trade flow",
                reason: format!("year {} is outside {}-{}", flow.year, crate::MIN_YEAR, crate::MAX_YEAR),
            });
        }
        flow.value.to_usd_cents_exact()
    }

    /// The first row (in row order) that repeats an earlier one: `(earlier, later)`
    /// positions in the sequence of the matrix's rows followed by `new`.
    fn first_repeat(&self, new: &[(TradeFlow, i64)]) -> Option<(usize, usize)> {
        if new.is_empty() {
            return None;
        }
        let n = self.len();
        let mut keys: Vec<(u128, usize)> = Vec::with_capacity(new.len());
        // Only the matrix's rows of the pairs the new flows touch can clash with them.
        let mut pairs: Vec<(Economy, Economy)> = new.iter().map(|(f, _)| (f.exporter, f.importer)).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (e, i) in pairs {
            for &r in self.pair_rows(e, i) {
                let r = r as usize;
                keys.push((flow_key(e, i, self.product[r], self.year[r]), r));
            }
        }
        keys.extend(
            new.iter().enumerate().map(|(k, (f, _))| (flow_key(f.exporter, f.importer, f.product, f.year), n + k)),
        );
        keys.sort_unstable();
        keys.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| (w[0].1, w[1].1)).min_by_key(|&(_, later)| later)
    }

    /// The first pair of rows (old or new) of one exporter, importer and year
    /// where one product lies inside the other (84 and 8471.30): they count
    /// the same trade twice. Free when every product has one length.
    fn first_nested(&self, new: &[(TradeFlow, i64)]) -> Option<(usize, usize)> {
        let n = self.len();
        let digits = |k: usize| if k < n { self.product[k].digits() } else { new[k - n].0.product.digits() };
        let total = n + new.len();
        let first = if total == 0 { return None } else { digits(0) };
        if (1..total).all(|k| digits(k) == first) {
            return None;
        }
        let at = |k: usize| -> (Economy, Economy, HsCode, i32) {
            if k < n {
                (self.exporter[k], self.importer[k], self.product[k], self.year[k])
            } else {
                let f = &new[k - n].0;
                (f.exporter, f.importer, f.product, f.year)
            }
        };
        let mut seen: FxHashMap<u128, usize> = FxHashMap::default();
        for k in 0..total {
            let (e, i, p, y) = at(k);
            seen.entry(flow_key(e, i, p, y)).or_insert(k);
        }
        let mut found: Option<(usize, usize)> = None;
        for k in 0..total {
            let (e, i, p, y) = at(k);
            let mut a = p.parent();
            while let Some(x) = a {
                if let Some(&j) = seen.get(&flow_key(e, i, x, y)) {
                    let pair = (j.min(k), j.max(k));
                    if found.is_none_or(|f| pair.1 < f.1) {
                        found = Some(pair);
                    }
                }
                a = x.parent();
            }
        }
        found
    }

    fn nested(&self, (a, b): (usize, usize), new: &[(TradeFlow, i64)]) -> Error {
        let (fa, fb) = (self.flow_at(a, new), self.flow_at(b, new));
        let (outer, inner) = if fa.product.digits() < fb.product.digits() { (&fa, &fb) } else { (&fb, &fa) };
        Error::NestedFlows {
            outer: outer.product.to_string(),
            inner: inner.product.to_string(),
            flow: format!("{}→{} {}", inner.exporter, inner.importer, inner.year),
            first: a,
            second: b,
        }
    }

    fn flow_at(&self, position: usize, new: &[(TradeFlow, i64)]) -> TradeFlow {
        self.get(position).unwrap_or_else(|| new[position - self.len()].0.clone())
    }

    fn duplicate(&self, (first, second): (usize, usize), new: &[(TradeFlow, i64)]) -> Error {
        let f = self.flow_at(second, new);
        Error::DuplicateFlow { flow: TradeFlow::key_text(f.exporter, f.importer, f.product, f.year), first, second }
    }

    fn stage<I: IntoIterator<Item = TradeFlow>>(flows: I) -> Result<Vec<(TradeFlow, i64)>> {
        flows
            .into_iter()
            .map(|f| {
                let cents = Self::check(&f)?;
                Ok((f, cents))
            })
            .collect()
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

    /// Appends a validated flow; a flow already in the matrix is refused.
    #[allow(clippy::needless_pass_by_value)] // taking the flow by value reads naturally at call sites
    pub fn push(&mut self, flow: TradeFlow) -> Result<()> {
        let cents = Self::check(&flow)?;
        let (by_pair, by_product) = (self.pair_rows(flow.exporter, flow.importer), self.product_rows(flow.product));
        let rows = if by_pair.len() <= by_product.len() { by_pair } else { by_product };
        let same = |r: usize| {
            (self.exporter[r], self.importer[r], self.product[r], self.year[r])
                == (flow.exporter, flow.importer, flow.product, flow.year)
        };
        if let Some(&r) = rows.iter().find(|&&r| same(r as usize)) {
            return Err(Error::DuplicateFlow { flow: flow.key_of(), first: r as usize, second: self.len() });
        }
        self.push_unchecked(flow.exporter, flow.importer, flow.product, flow.year, cents, flow.basis);
        Ok(())
    }

    /// Appends many flows; if any is invalid, or repeats a flow (of the
    /// matrix or of `flows`), nothing is added. Positions in
    /// [`Error::DuplicateFlow`] count the matrix's rows first, then `flows`.
    pub fn extend<I: IntoIterator<Item = TradeFlow>>(&mut self, flows: I) -> Result<()> {
        self.extend_with(flows, Duplicates::Refuse)
    }

    /// Appends many flows, summing the values of rows of the same flow
    /// (with each other and with the matrix's own row). Rows of one flow on
    /// two valuation bases are refused: they cannot be added. If anything is
    /// refused, nothing is added.
    pub fn extend_summing<I: IntoIterator<Item = TradeFlow>>(&mut self, flows: I) -> Result<()> {
        self.extend_with(flows, Duplicates::Sum)
    }

    /// Appends many flows, doing `duplicates` with repeated flows.
    pub fn extend_with<I: IntoIterator<Item = TradeFlow>>(&mut self, flows: I, duplicates: Duplicates) -> Result<()> {
        let staged = Self::stage(flows)?;
        if let Some(pair) = self.first_nested(&staged) {
            return Err(self.nested(pair, &staged));
        }
        match duplicates {
            Duplicates::Refuse => {
                if let Some(pair) = self.first_repeat(&staged) {
                    return Err(self.duplicate(pair, &staged));
                }
                for (f, cents) in staged {
                    self.push_unchecked(f.exporter, f.importer, f.product, f.year, cents, f.basis);
                }
            }
            Duplicates::Sum => self.sum_in(&staged)?,
        }
        Ok(())
    }

    /// Adds staged flows, summing repeats; checks everything before changing anything.
    fn sum_in(&mut self, staged: &[(TradeFlow, i64)]) -> Result<()> {
        let n = self.len();
        let mut at: FxHashMap<u128, usize> = FxHashMap::default();
        for (e, i) in staged.iter().map(|(f, _)| (f.exporter, f.importer)) {
            for &r in self.pair_rows(e, i) {
                let r = r as usize;
                at.insert(flow_key(e, i, self.product[r], self.year[r]), r);
            }
        }
        // Target position of every staged flow, the new rows' values and the additions to old rows.
        let mut new_rows: Vec<(TradeFlow, i64)> = Vec::new();
        let mut added: FxHashMap<usize, i64> = FxHashMap::default();
        for (k, (f, cents)) in staged.iter().enumerate() {
            let key = flow_key(f.exporter, f.importer, f.product, f.year);
            let overflow = || Error::MoneyOverflow { context: format!("summing the rows of {}", f.key_of()) };
            match at.get(&key) {
                None => {
                    at.insert(key, n + new_rows.len());
                    new_rows.push((f.clone(), *cents));
                }
                Some(&pos) => {
                    let basis = if pos < n { self.basis[pos] } else { new_rows[pos - n].0.basis };
                    if basis != f.basis {
                        return Err(Error::Invalid {
                            what: "trade flows",
                            reason: format!(
                                "rows {pos} and {} are the same flow {} on two valuation bases ({basis} and {}): they \
                                 cannot be summed",
                                n + k,
                                f.key_of(),
                                f.basis
                            ),
                        });
                    }
                    if pos < n {
                        let a = added.entry(pos).or_insert(0);
                        *a = a.checked_add(*cents).ok_or_else(overflow)?;
                        self.value_cents[pos].checked_add(*a).ok_or_else(overflow)?;
                    } else {
                        let v = &mut new_rows[pos - n].1;
                        *v = v.checked_add(*cents).ok_or_else(overflow)?;
                    }
                }
            }
        }
        for (pos, a) in added {
            self.value_cents[pos] += a;
        }
        for (f, cents) in new_rows {
            self.push_unchecked(f.exporter, f.importer, f.product, f.year, cents, f.basis);
        }
        Ok(())
    }

    /// Appends every row of another matrix; a flow in both is refused and
    /// nothing is added.
    pub fn append(&mut self, other: &TradeMatrix) -> Result<()> {
        self.extend(other.iter())
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
        // Values are held in whole cents: a fraction of a cent is refused, as `push` refuses it.
        let e = serde_json::from_str::<TradeMatrix>(&text.replace("100.25", "100.255")).unwrap_err();
        assert!(e.to_string().contains("fraction of a cent"), "{e}");
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

    /// Issue 11: duplicate flows were summed silently and sub-cent values rounded.
    #[test]
    fn duplicates_and_fractions_of_a_cent_are_refused() {
        let mut m = TradeMatrix::new();
        let e = m
            .extend([
                flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1"),
                flow(Economy::CHN, Economy::USA, "8471.30", 2017, "1"),
                flow(Economy::CHN, Economy::USA, "9403.10", 2017, "2"),
            ])
            .unwrap_err();
        assert_eq!(e, Error::DuplicateFlow { flow: "CHN→USA 9403.10 2017".into(), first: 0, second: 2 });
        assert!(m.is_empty());
        m.push(flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1")).unwrap();
        assert!(matches!(
            m.push(flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1")),
            Err(Error::DuplicateFlow { first: 0, second: 1, .. })
        ));
        // Another year, direction or product is another flow.
        m.push(flow(Economy::CHN, Economy::USA, "9403.10", 2018, "1")).unwrap();
        m.push(flow(Economy::USA, Economy::CHN, "9403.10", 2017, "1")).unwrap();
        assert!(m.append(&m.clone()).is_err());
        assert_eq!(m.len(), 3);
        for bad in ["0.001", "100.505"] {
            let e = TradeMatrix::new().push(flow(Economy::CHN, Economy::USA, "9403.10", 2017, bad)).unwrap_err();
            assert!(e.to_string().contains("fraction of a cent"), "{e}");
        }
    }

    #[test]
    fn summing_when_asked() {
        let mut m = TradeMatrix::new();
        m.push(flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1")).unwrap();
        m.extend_summing([
            flow(Economy::CHN, Economy::USA, "9403.10", 2017, "2"),
            flow(Economy::CHN, Economy::USA, "8471.30", 2017, "5"),
            flow(Economy::CHN, Economy::USA, "8471.30", 2017, "0.25"),
        ])
        .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.values_cents(), [300, 525]);
        let before = m.clone();
        let mut cif = flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1");
        cif.basis = ValuationBasis::Cif;
        let e = m.extend_summing([flow(Economy::CHN, Economy::USA, "0101", 2017, "1"), cif]).unwrap_err();
        assert!(e.to_string().contains("two valuation bases"), "{e}");
        assert_eq!(m, before);
        let big = Money::from_usd_cents(i64::MAX);
        let huge = TradeFlow { value: big, ..flow(Economy::CHN, Economy::USA, "9403.10", 2017, "1") };
        assert!(matches!(m.extend_summing([huge]), Err(Error::MoneyOverflow { .. })));
        assert_eq!(m, before);
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
    #[serde(with = "crate::money::amount_serde::column")]
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
