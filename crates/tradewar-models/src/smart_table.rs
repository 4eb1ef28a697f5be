//! SMART on a table of flows: columns in (importer, exporter, product, value,
//! tariff before and after), per-flow columns out, in the row order given.
//!
//! This is the entry for data that are already flows with their tariffs (a
//! world table priced elsewhere: FTA preferences, MFN rates by partner), so
//! that no measure has to be written for them. Markets are (importer, HS6);
//! each gets its elasticities from [`ProductElasticities`]. Rows of one market
//! need not be contiguous, but a table sorted by importer and product (the
//! usual layout) is grouped without a hash lookup per row.
//!
//! ```
//! use tradewar_core::{Economy, HsCode};
//! use tradewar_models::smart_table::{smart_table, FlowTable, ProductElasticities};
//! let (usa, chn, deu) = (Economy::USA, Economy::CHN, "DEU".parse::<Economy>().unwrap());
//! let soy: HsCode = "1201.90".parse()?;
//! let table = FlowTable {
//!     importer: &[usa, usa],
//!     exporter: &[chn, deu],
//!     product: &[soy, soy],
//!     value: &[100.0, 50.0],
//!     tariff_before: &[0.0, 0.0],
//!     tariff_after: &[0.25, 0.0],
//! };
//! let r = smart_table(&table, &ProductElasticities::wits(-1.5)?, true)?;
//! assert!(r.flows.imports_after[0] < 100.0 && r.flows.imports_after[1] > 50.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tradewar_core::{Economy, HsCode, HsLevel};

use crate::error::{ModelError, Result};
use crate::smart::{
    smart_view, FlowView, SigmaTable, SmartElasticities, SmartResults, DEFAULT_SUBSTITUTION, INFINITE_EXPORT_SUPPLY,
};

/// Borrowed columns of a table of flows, all of one length.
#[derive(Debug, Clone, Copy)]
pub struct FlowTable<'a> {
    /// Importer of each flow.
    pub importer: &'a [Economy],
    /// Exporter of each flow.
    pub exporter: &'a [Economy],
    /// Product (HS6 or finer; the market is its HS6).
    pub product: &'a [HsCode],
    /// Baseline value (imports at world prices), any currency unit.
    pub value: &'a [f64],
    /// Ad valorem tariff before, as a fraction (0.05 is 5 %).
    pub tariff_before: &'a [f64],
    /// Ad valorem tariff after, as a fraction.
    pub tariff_after: &'a [f64],
}

impl FlowTable<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.importer.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.importer.is_empty()
    }

    fn check_lengths(&self) -> Result<()> {
        let n = self.importer.len();
        for (name, len) in [
            ("exporter", self.exporter.len()),
            ("product", self.product.len()),
            ("value", self.value.len()),
            ("tariff_before", self.tariff_before.len()),
            ("tariff_after", self.tariff_after.len()),
        ] {
            if len != n {
                return Err(ModelError::InvalidInput {
                    what: format!("SMART table column {name}"),
                    reason: format!("has {len} rows but the importer column has {n}"),
                });
            }
        }
        Ok(())
    }
}

/// One elasticity by HS6 subheading with a default for products not listed.
#[derive(Debug, Clone, PartialEq)]
pub struct ByProduct {
    default: f64,
    by_hs6: FxHashMap<HsCode, f64>,
}

impl ByProduct {
    /// A table that answers `default` everywhere.
    pub fn new(default: f64) -> Self {
        Self { default, by_hs6: FxHashMap::default() }
    }

    /// Sets the value of one product, given at HS6 or finer (cut to HS6).
    pub fn set(&mut self, code: HsCode, value: f64) -> Result<()> {
        let hs6 = code.truncate(HsLevel::Subheading).ok_or_else(|| ModelError::InvalidInput {
            what: format!("product code {code}"),
            reason: "is coarser than HS6: an elasticity by product is given per HS6 subheading".into(),
        })?;
        self.by_hs6.insert(hs6, value);
        Ok(())
    }

    /// The value of a product (its HS6), or the default.
    pub fn get(&self, code: HsCode) -> f64 {
        code.truncate(HsLevel::Subheading).and_then(|c| self.by_hs6.get(&c).copied()).unwrap_or(self.default)
    }

    /// The default.
    pub fn default_value(&self) -> f64 {
        self.default
    }

    /// Number of products listed.
    pub fn len(&self) -> usize {
        self.by_hs6.len()
    }

    /// Whether no product is listed.
    pub fn is_empty(&self) -> bool {
        self.by_hs6.is_empty()
    }

    /// From a map of codes to values.
    pub fn from_map(default: f64, values: &HashMap<HsCode, f64>) -> Result<Self> {
        let mut t = Self::new(default);
        for (&c, &v) in values {
            t.set(c, v)?;
        }
        Ok(t)
    }
}

/// The three elasticities of SMART by product: import demand (negative),
/// substitution between partners (σ ≥ 0) and export supply (positive;
/// [`INFINITE_EXPORT_SUPPLY`] or more is infinite). Each market (importer,
/// HS6) takes its product's values; every value is checked when a market uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductElasticities {
    /// Import-demand elasticity by HS6.
    pub import_demand: ByProduct,
    /// Elasticity of substitution by HS6.
    pub substitution: SigmaTable,
    /// Export-supply elasticity by HS6.
    pub export_supply: ByProduct,
}

impl ProductElasticities {
    /// WITS's defaults: σ = 1.5 everywhere, infinite export supply, and the given import-demand elasticity.
    pub fn wits(import_demand: f64) -> Result<Self> {
        Ok(Self {
            import_demand: ByProduct::new(import_demand),
            substitution: SigmaTable::new(DEFAULT_SUBSTITUTION)?,
            export_supply: ByProduct::new(INFINITE_EXPORT_SUPPLY),
        })
    }

    /// The elasticities of one product's market.
    pub fn of(&self, product: HsCode) -> SmartElasticities {
        SmartElasticities::new(
            self.import_demand.get(product),
            self.export_supply.get(product),
            self.substitution.get(product),
        )
    }
}

/// Markets of a table: the market id of each row and the elasticities of each market.
struct Markets {
    market: Vec<u32>,
    elasticities: Vec<SmartElasticities>,
}

/// Numbers the markets (importer, HS6) of a table. A row of the same market
/// as the row before it costs no lookup; otherwise one hash lookup.
fn number_markets(t: &FlowTable<'_>, el: &ProductElasticities) -> Result<Markets> {
    let n = t.len();
    let mut market = Vec::with_capacity(n);
    let mut elasticities = Vec::new();
    let mut ids: FxHashMap<(Economy, HsCode), u32> = FxHashMap::default();
    let mut last: Option<((Economy, HsCode), u32)> = None;
    for row in 0..n {
        let (i, raw) = (t.importer[row], t.product[row]);
        let p = raw.truncate(HsLevel::Subheading).ok_or_else(|| ModelError::InvalidInput {
            what: format!("SMART table row {row}"),
            reason: format!("product {raw} is coarser than HS6: markets are (importer, HS6)"),
        })?;
        if t.exporter[row] == i {
            return Err(ModelError::InvalidInput {
                what: format!("SMART table row {row}"),
                reason: format!("{i} imports from itself: SMART markets are imports from partners"),
            });
        }
        let key = (i, p);
        let id = match last {
            Some((k, id)) if k == key => id,
            _ => {
                let next = ids.len() as u32;
                let id = *ids.entry(key).or_insert_with(|| {
                    elasticities.push(el.of(p));
                    next
                });
                last = Some((key, id));
                id
            }
        };
        market.push(id);
    }
    Ok(Markets { market, elasticities })
}

/// Runs SMART on a table of flows (with rayon over markets when `parallel`):
/// per-flow results in the table's row order, per-market totals indexed by
/// the markets in order of first appearance. Bad rows (a product coarser than
/// HS6, an economy importing from itself, a negative value, a tariff at or
/// below −100 %, an elasticity out of its domain) are typed errors naming the row.
pub fn smart_table(table: &FlowTable<'_>, elasticities: &ProductElasticities, parallel: bool) -> Result<SmartResults> {
    table.check_lengths()?;
    let markets = number_markets(table, elasticities)?;
    let view = FlowView {
        market: &markets.market,
        partner: None,
        imports: table.value,
        tariff_before: table.tariff_before,
        tariff_after: table.tariff_after,
    };
    smart_view(view, &markets.elasticities, &[], parallel).map_err(|e| name_row(e, table))
}

/// Puts the importer, exporter and product of the row into a kernel error
/// about "SMART flow row N".
fn name_row(e: ModelError, table: &FlowTable<'_>) -> ModelError {
    match e {
        ModelError::InvalidInput { what, reason } => {
            let row = what
                .strip_prefix("SMART flow row ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|r| r.parse::<usize>().ok());
            let what = match row {
                Some(r) if r < table.len() => format!(
                    "SMART table row {r} ({} from {}, {})",
                    table.importer[r], table.exporter[r], table.product[r]
                ),
                _ => what,
            };
            ModelError::InvalidInput { what, reason }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smart::{smart, SmartFlows};

    fn c(s: &str) -> HsCode {
        s.parse().unwrap()
    }

    /// The table entry equals the kernel on the same flows, whatever the row order.
    #[test]
    fn equals_the_kernel_in_any_row_order() {
        let (usa, chn, deu, jpn) = (Economy::USA, Economy::CHN, "DEU".parse::<Economy>().unwrap(), Economy::JPN);
        let rows = [
            (usa, chn, "1201.90", 100.0, 0.0, 0.25),
            (jpn, usa, "8703.23.01", 80.0, 0.0, 0.0),
            (usa, deu, "1201.90.00", 50.0, 0.0, 0.0),
            (jpn, chn, "8703.23", 20.0, 0.1, 0.3),
            (usa, jpn, "1201.90", 10.0, 0.05, 0.05),
        ];
        let mut el = ProductElasticities::wits(-1.5).unwrap();
        el.import_demand.set(c("8703.23"), -2.0).unwrap();
        el.export_supply.set(c("8703.23"), 3.0).unwrap();
        let run = |order: &[usize]| {
            let pick = |f: &dyn Fn(usize) -> f64| order.iter().map(|&k| f(k)).collect::<Vec<f64>>();
            let importer: Vec<Economy> = order.iter().map(|&k| rows[k].0).collect();
            let exporter: Vec<Economy> = order.iter().map(|&k| rows[k].1).collect();
            let product: Vec<HsCode> = order.iter().map(|&k| c(rows[k].2)).collect();
            let (v, t0, t1) = (pick(&|k| rows[k].3), pick(&|k| rows[k].4), pick(&|k| rows[k].5));
            let t = FlowTable {
                importer: &importer,
                exporter: &exporter,
                product: &product,
                value: &v,
                tariff_before: &t0,
                tariff_after: &t1,
            };
            smart_table(&t, &el, false).unwrap().flows.imports_after
        };
        let a = run(&[0, 1, 2, 3, 4]);
        let b = run(&[4, 3, 2, 1, 0]);
        for k in 0..5 {
            assert!((a[k] - b[4 - k]).abs() <= 1e-12 * a[k].abs().max(1.0));
        }
        // The kernel by hand: market 0 = USA 1201.90 (rows 0, 2, 4), market 1 = JPN 8703.23 (rows 1, 3).
        let mut f = SmartFlows::default();
        for (k, m) in [(0, 0), (1, 1), (2, 0), (3, 1), (4, 0)] {
            f.push(m, k as u32, rows[k].3, rows[k].4, rows[k].5);
        }
        let by_hand = smart(&f, &[el.of(c("1201.90")), el.of(c("8703.23"))], &[]).unwrap();
        assert_eq!(by_hand.flows.imports_after, a);
    }

    #[test]
    fn bad_rows_are_named() {
        let t = FlowTable {
            importer: &[Economy::USA],
            exporter: &[Economy::CHN],
            product: &[c("12")],
            value: &[1.0],
            tariff_before: &[0.0],
            tariff_after: &[0.0],
        };
        let e = smart_table(&t, &ProductElasticities::wits(-1.5).unwrap(), false).unwrap_err();
        assert!(e.to_string().contains("coarser than HS6"), "{e}");
        let t = FlowTable { product: &[c("1201.90")], value: &[-1.0], ..t };
        let e = smart_table(&t, &ProductElasticities::wits(-1.5).unwrap(), false).unwrap_err();
        assert!(e.to_string().contains("USA from CHN, 1201.90"), "{e}");
        let short = FlowTable { value: &[], ..t };
        assert!(smart_table(&short, &ProductElasticities::wits(-1.5).unwrap(), false).is_err());
    }
}
