//! Outcomes: what a model says a scenario does, as tables and a summary.
//!
//! Sign conventions are in the names: a `*_gain` or a `*_change` is
//! positive when the quantity rises; welfare gains are positive.
//! Values are `f64` US dollars; [`to_money`] converts to exact money by
//! rounding to whole cents, half away from zero.

use std::fmt::Write as _;

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tradewar_core::{Currency, Economy, HsCode, Money};

use crate::error::{ModelError, Result};

/// `f64` US dollars to exact money: rounded to whole cents, half away from
/// zero. NaN and infinities are errors.
pub fn to_money(usd: f64) -> Result<Money> {
    let d = Decimal::from_f64(usd).ok_or_else(|| ModelError::InvalidInput {
        what: "amount".into(),
        reason: format!("{usd} is not a finite amount"),
    })?;
    Ok(Money::new(d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero), Currency::USD))
}

/// Results by flow (exporter, importer, product), columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowTable {
    /// Exporter.
    pub exporter: Vec<Economy>,
    /// Importer.
    pub importer: Vec<Economy>,
    /// Product; `None` for aggregate flows (all goods, as in the GE model).
    pub product: Vec<Option<HsCode>>,
    /// Baseline value, USD.
    pub baseline: Vec<f64>,
    /// New value, USD.
    pub new_value: Vec<f64>,
    /// Tariff before (fraction).
    pub tariff_before: Vec<f64>,
    /// Tariff after (fraction).
    pub tariff_after: Vec<f64>,
    /// Change of the importer's tariff revenue on the flow, USD.
    pub revenue_change: Vec<f64>,
    /// Welfare gain attributed to the flow (model-specific, named in the
    /// outcome), USD; NaN where the model does not measure welfare by flow.
    pub welfare_gain: Vec<f64>,
}

impl FlowTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.baseline.len()
    }
    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.baseline.is_empty()
    }
}

/// Results by economy, columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EconomyTable {
    /// Economy.
    pub economy: Vec<Economy>,
    /// Change of its exports, USD.
    pub exports_change: Vec<f64>,
    /// Change of its imports, USD.
    pub imports_change: Vec<f64>,
    /// Change of its tariff revenue, USD.
    pub revenue_change: Vec<f64>,
    /// Welfare gain, USD (SMART, GSIM) — see the outcome's `welfare_measure`;
    /// NaN where the model does not measure it in dollars (accounting, GE:
    /// see `real_income_change_pct`).
    pub welfare_gain: Vec<f64>,
    /// Real income change in percent (GE models; NaN where not computed).
    pub real_income_change_pct: Vec<f64>,
}

impl EconomyTable {
    /// The row of an economy.
    pub fn row(&self, e: Economy) -> Option<usize> {
        self.economy.iter().position(|x| *x == e)
    }
}

/// Price changes by product market and economy (models that solve for
/// prices: GSIM), columnar. Changes are percent (`1.5` = +1.5 %).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// The product market (at the level the model builds markets at).
    pub product: Vec<HsCode>,
    /// The economy.
    pub economy: Vec<Economy>,
    /// Change of the economy's world (export, tariff-exclusive) price in
    /// the market, percent; NaN where it exports nothing in it.
    pub world_price_change_pct: Vec<f64>,
    /// Change of its composite import price index in the market (tariff
    /// inclusive), percent; NaN where it imports nothing in it.
    pub import_price_change_pct: Vec<f64>,
}

impl PriceTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.product.len()
    }
    /// Whether the table is empty (a model that does not solve prices).
    pub fn is_empty(&self) -> bool {
        self.product.is_empty()
    }
}

/// A bilateral balance before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceChange {
    /// Reporter.
    pub reporter: Economy,
    /// Partner.
    pub partner: Economy,
    /// Reporter's exports minus imports before, USD.
    pub before: f64,
    /// After, USD.
    pub after: f64,
}

impl BalanceChange {
    /// After minus before (positive: the reporter's balance improved).
    pub fn change(&self) -> f64 {
        self.after - self.before
    }
}

/// How far a scenario gets toward a target under a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetScore {
    /// The target's name.
    pub target: String,
    /// The reduction sought, USD.
    pub sought: f64,
    /// The gap closed (positive: the deficit fell), USD.
    pub closed: f64,
}

impl TargetScore {
    /// Closed over sought, percent.
    pub fn share_pct(&self) -> f64 {
        100.0 * self.closed / self.sought
    }
}

/// What a model says a scenario does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The model's name.
    pub model: String,
    /// The scenario's name.
    pub scenario: String,
    /// What `welfare_gain` measures in this model (e.g. "Harberger triangle").
    pub welfare_measure: String,
    /// By flow.
    pub flows: FlowTable,
    /// By economy.
    pub economies: EconomyTable,
    /// Bilateral balances.
    pub balances: Vec<BalanceChange>,
    /// Price changes by product market and economy (GSIM); empty for the
    /// models that do not solve for prices, and then left out of the serde
    /// form (which reads without it).
    #[serde(default, skip_serializing_if = "PriceTable::is_empty")]
    pub prices: PriceTable,
    /// The target score, if the scenario has a target.
    pub target: Option<TargetScore>,
    /// Notes the model adds (assumptions, modes, elasticities, what it clamped).
    pub notes: Vec<String>,
    /// What the answer assumes beyond the data (a date after the schedule's
    /// sources, importers whose tariffs they do not hold): flags, which the
    /// Python package raises as warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
}

impl Outcome {
    /// Builds the economy table and balances from the flow table.
    pub(crate) fn from_flows(model: &str, scenario: &str, welfare_measure: &str, flows: FlowTable) -> Self {
        let mut economies: Vec<Economy> = flows.exporter.iter().chain(&flows.importer).copied().collect();
        economies.sort_unstable();
        economies.dedup();
        let n = economies.len();
        let mut t = EconomyTable {
            economy: economies.clone(),
            exports_change: vec![0.0; n],
            imports_change: vec![0.0; n],
            revenue_change: vec![0.0; n],
            welfare_gain: vec![0.0; n],
            real_income_change_pct: vec![f64::NAN; n],
        };
        let idx = |e: Economy| economies.binary_search(&e).unwrap_or(0);
        let mut bal: std::collections::BTreeMap<(Economy, Economy), (f64, f64)> = std::collections::BTreeMap::new();
        for k in 0..flows.len() {
            let (e, i) = (flows.exporter[k], flows.importer[k]);
            let d = flows.new_value[k] - flows.baseline[k];
            t.exports_change[idx(e)] += d;
            t.imports_change[idx(i)] += d;
            t.revenue_change[idx(i)] += flows.revenue_change[k];
            t.welfare_gain[idx(i)] += flows.welfare_gain[k];
            let (a, b) = if e < i { ((e, i), 1.0) } else { ((i, e), -1.0) };
            let entry = bal.entry(a).or_insert((0.0, 0.0));
            entry.0 += b * flows.baseline[k];
            entry.1 += b * flows.new_value[k];
        }
        let balances = bal
            .into_iter()
            .map(|((r, p), (before, after))| BalanceChange { reporter: r, partner: p, before, after })
            .collect();
        Self {
            model: model.to_string(),
            scenario: scenario.to_string(),
            welfare_measure: welfare_measure.to_string(),
            flows,
            economies: t,
            balances,
            prices: PriceTable::default(),
            target: None,
            notes: Vec::new(),
            caveats: Vec::new(),
        }
    }

    /// The balance of `reporter` with `partner`, oriented.
    pub fn balance(&self, reporter: Economy, partner: Economy) -> Option<BalanceChange> {
        self.balances.iter().find_map(|b| {
            if b.reporter == reporter && b.partner == partner {
                Some(b.clone())
            } else if b.reporter == partner && b.partner == reporter {
                Some(BalanceChange { reporter, partner, before: -b.before, after: -b.after })
            } else {
                None
            }
        })
    }

    /// Scores the scenario's target from the model's balances.
    pub(crate) fn score(&mut self, target: Option<&tradewar_core::Target>) {
        if let Some(t) = target {
            if let Some(b) = self.balance(t.reporter, t.partner) {
                let sought = crate::scenario::fraction(t.reduction.amount()) * 100.0;
                self.target = Some(TargetScore { target: t.name.clone(), sought, closed: b.change() });
            } else {
                self.caveats.push(format!(
                    "the target \"{}\" is on the balance of {} with {}, which has no trade in the scenario: it is \
                     not scored",
                    t.name, t.reporter, t.partner
                ));
            }
        }
    }

    /// A short human summary.
    pub fn summary(&self) -> String {
        let mut s = format!("{} on {}\n", self.model, self.scenario);
        for (k, e) in self.economies.economy.iter().enumerate() {
            let t = &self.economies;
            // Values a model does not compute are NaN and left out of the line.
            let parts: Vec<String> = [
                ("exports", t.exports_change[k], 2),
                ("imports", t.imports_change[k], 2),
                ("tariff revenue", t.revenue_change[k], 2),
            ]
            .into_iter()
            .filter(|(_, v, _)| v.is_finite())
            .map(|(name, v, p)| format!("{name} {:+.p$}B", v / 1e9))
            .chain(
                t.welfare_gain[k]
                    .is_finite()
                    .then(|| format!("welfare {:+.3}B ({})", t.welfare_gain[k] / 1e9, self.welfare_measure)),
            )
            .chain(
                t.real_income_change_pct[k]
                    .is_finite()
                    .then(|| format!("real income {:+.4}%", t.real_income_change_pct[k])),
            )
            .collect();
            let _ = writeln!(s, "  {e}: {}", parts.join(", "));
        }
        if let Some(ts) = &self.target {
            let _ = writeln!(
                s,
                "  target: closes {:.1}B of {:.1}B ({:.1}%)",
                ts.closed / 1e9,
                ts.sought / 1e9,
                ts.share_pct()
            );
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        for c in &self.caveats {
            let _ = writeln!(s, "  caveat: {c}");
        }
        s
    }
}
