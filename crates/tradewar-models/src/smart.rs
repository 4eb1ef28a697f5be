//! SMART: the WITS partial-equilibrium model of one importer's market for one
//! product (Laird & Yeats 1986; Jammes & Olarreaga 2005), imports only,
//! Armington (imports from different partners are imperfect substitutes).
//!
//! # The form computed
//!
//! For every market (importer `j`, product `g`) with partners `k`, baseline
//! imports `M_k` (values at world prices), ad valorem tariffs `t0_k` before
//! and `t1_k` after (fractions: `0.05` is 5 %), import-demand elasticity
//! `e_m < 0`, export-supply elasticity `e_x > 0` (`e_x ≥ 99` stands for an
//! infinitely elastic supply) and substitution elasticity `σ ≥ 0`:
//!
//! ```text
//! r_k   = (t1_k − t0_k) / (1 + t0_k)            change of the tariff-inclusive price
//! TC_k  = e_m · M_k · r_k / (1 − e_m / e_x)     trade creation (WITS signed form;
//!                                                the denominator is 1 when e_x is infinite)
//! r̄     = Σ_k M_k r_k / Σ_k M_k                  import-weighted mean price change
//! TD*_k = −σ · M_k · (r_k − r̄)                   trade diversion before bounds
//! TD_k  = max(TD*_k, −(M_k + TC_k)), then the gains (TD_k > 0) are multiplied
//!         by one factor so that Σ_k TD_k = 0 still holds
//! M1_k  = M_k + TC_k + TD_k
//! ΔRevenue_k = t1_k · M1_k − t0_k · M_k
//! W_k   = ½ · |t1_k − t0_k| · TC_k              Harberger welfare gain of the importer
//! p̂_k   = r_k · (e_m / e_x) / (1 − e_m / e_x)   proportional change of the exporter's
//!                                                (world) price; 0 when e_x is infinite
//! ```
//!
//! `TD*` is the Laird–Yeats two-group form `M_k (M − M_k)/M · σ · −(r_k − r̄_−k)`
//! written with the mean over all partners; it sums to zero over partners
//! because `Σ M_k (r_k − r̄) = 0`. Flooring losses at the flow that exists
//! and scaling gains by `(Σ losses)/(Σ gains) ≤ 1` keeps both "no final flow
//! below zero" and "diversion only moves trade".
//!
//! One extension of the published form: trade creation is capped at
//! `TC_k ≥ −M_k`. The linear formula can ask for more than the whole flow when
//! `−e_m · r_k / (1 − e_m/e_x) > 1` (a steep tariff rise); without the cap the
//! diversion floor `−(M_k + TC_k)` would turn positive and the final flow could
//! not be kept at or above zero. The cap never binds for moderate changes.
//!
//! # Sign conventions
//!
//! * [`SmartFlowResults::trade_creation`]: change of imports from the partner
//!   caused by the change of the import price level, positive when imports rise.
//! * [`SmartFlowResults::trade_diversion`]: imports gained (positive) or lost
//!   (negative) by the partner at the expense of (or to) other partners.
//! * [`SmartFlowResults::revenue_change`]: tariff revenue of the importer,
//!   positive when revenue rises.
//! * [`SmartFlowResults::harberger_welfare_gain`]: `½ · |Δt| · TC`, the change
//!   of the deadweight-loss (Harberger) triangle of the importing economy;
//!   positive is a gain (a tariff cut creates trade, `TC > 0`), negative a
//!   loss (a tariff rise, `TC < 0`). It is not consumer surplus, it leaves out
//!   trade diversion (as WITS does) and, under a finite export supply, the
//!   terms-of-trade effect.
//! * [`SmartFlowResults::world_price_change`]: proportional change of the
//!   exporter's (world, tariff-exclusive) price, `0.01` is +1 %.
//!
//! # World price effect
//!
//! With export supply `X = X0 · p^e_x` and import demand in the
//! tariff-inclusive price `M = M0 · (p·(1+t))^e_m`, clearing the market in
//! proportional changes gives `e_x · p̂ = e_m · (r + p̂)`, so
//! `p̂ = e_m · r / (e_x − e_m) = r · (e_m/e_x) / (1 − e_m/e_x)`, and the quantity
//! change `e_x · p̂ · M = e_m · M · r / (1 − e_m/e_x)` is exactly `TC`. A tariff
//! cut (`r < 0`) raises the exporter's price (`p̂ > 0`); a tariff rise lowers
//! it: the exporter bears part of the tariff.
//!
//! # Quantity constraints
//!
//! Applied after the tariff effects, market by market (see
//! [`QuantityConstraint`]): first bans, then purchase commitments. Their
//! quantity effect is reported apart, in
//! [`SmartFlowResults::constraint_change`], so that the tariff effects keep
//! their meaning and `Σ TD = 0` still holds.
//!
//! # Layout and speed
//!
//! Flows come as columns ([`SmartFlows`]); markets are numbered `0..n` and
//! index the elasticity table. Rows sorted by market are processed in one
//! streaming pass (each market's rows stay in cache); unsorted rows are
//! grouped by a counting sort first, so results do not depend on row order.
//! [`smart_par`] runs the same computation over markets with rayon.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tradewar_core::{HsCode, HsLevel};

use crate::error::{ModelError, Result};

/// The value of `e_x` from which export supply counts as infinitely elastic
/// (WITS writes `99`); `f64::INFINITY` is accepted too.
pub const INFINITE_EXPORT_SUPPLY: f64 = 99.0;

/// The default elasticity of substitution between partners of SMART (WITS).
pub const DEFAULT_SUBSTITUTION: f64 = 1.5;

/// Elasticities of one SMART market.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmartElasticities {
    /// Import-demand elasticity `e_m`, negative.
    pub import_demand: f64,
    /// Export-supply elasticity `e_x`, positive; `≥ 99` means infinite.
    pub export_supply: f64,
    /// Elasticity of substitution between partners `σ`, non-negative.
    pub substitution: f64,
}

impl SmartElasticities {
    /// Elasticities as given.
    pub const fn new(import_demand: f64, export_supply: f64, substitution: f64) -> Self {
        Self { import_demand, export_supply, substitution }
    }

    /// Infinite export supply and the default substitution elasticity
    /// [`DEFAULT_SUBSTITUTION`], the usual WITS setting.
    pub const fn with_infinite_supply(import_demand: f64) -> Self {
        Self { import_demand, export_supply: INFINITE_EXPORT_SUPPLY, substitution: DEFAULT_SUBSTITUTION }
    }

    /// Whether export supply counts as infinitely elastic (`e_x ≥ 99`).
    pub fn has_infinite_supply(&self) -> bool {
        self.export_supply >= INFINITE_EXPORT_SUPPLY
    }

    /// `e_m / e_x`, zero when export supply is infinite.
    fn supply_ratio(&self) -> f64 {
        if self.has_infinite_supply() {
            0.0
        } else {
            self.import_demand / self.export_supply
        }
    }

    fn validate(&self, market: usize) -> Result<()> {
        self.check(&format!("SMART elasticities of market {market}"))
    }

    /// Checks the signs: `e_m` finite and negative, `e_x` positive (99 or
    /// more: infinite), σ finite and non-negative; `what` names them in the
    /// error.
    pub fn check(&self, what: &str) -> Result<()> {
        let bad = |reason: String| ModelError::InvalidInput { what: what.to_string(), reason };
        let (em, ex, s) = (self.import_demand, self.export_supply, self.substitution);
        if !(em.is_finite() && em < 0.0) {
            return Err(bad(format!("import-demand elasticity e_m = {em} must be finite and negative")));
        }
        if ex.is_nan() || ex <= 0.0 {
            return Err(bad(format!("export-supply elasticity e_x = {ex} must be positive (99 or more for infinite)")));
        }
        if !(s.is_finite() && s >= 0.0) {
            return Err(bad(format!("substitution elasticity sigma = {s} must be finite and non-negative")));
        }
        Ok(())
    }
}

/// SMART input flows as columns, one row per (market, partner) flow; all
/// columns have the same length.
///
/// A partner should appear once per market; rows are not checked for that
/// (a duplicate would be treated as one more variety).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmartFlows {
    /// Market id (importer × product), an index into the elasticity table.
    pub market: Vec<u32>,
    /// Partner (exporter) id; carried for identification only.
    pub partner: Vec<u32>,
    /// Baseline imports `M_k`, values at world prices, `≥ 0`.
    pub imports: Vec<f64>,
    /// Ad valorem tariff before, `t0_k` as a fraction (`0.1` = 10 %), `> −1`.
    pub tariff_before: Vec<f64>,
    /// Ad valorem tariff after, `t1_k` as a fraction, `> −1`.
    pub tariff_after: Vec<f64>,
}

impl SmartFlows {
    /// Empty columns with room for `rows` rows.
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            market: Vec::with_capacity(rows),
            partner: Vec::with_capacity(rows),
            imports: Vec::with_capacity(rows),
            tariff_before: Vec::with_capacity(rows),
            tariff_after: Vec::with_capacity(rows),
        }
    }

    /// Appends one flow.
    pub fn push(&mut self, market: u32, partner: u32, imports: f64, tariff_before: f64, tariff_after: f64) {
        self.market.push(market);
        self.partner.push(partner);
        self.imports.push(imports);
        self.tariff_before.push(tariff_before);
        self.tariff_after.push(tariff_after);
    }

    /// Number of rows (of the market column).
    pub fn len(&self) -> usize {
        self.market.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.market.is_empty()
    }

    /// The columns, borrowed.
    pub fn view(&self) -> FlowView<'_> {
        FlowView {
            market: &self.market,
            partner: Some(&self.partner),
            imports: &self.imports,
            tariff_before: &self.tariff_before,
            tariff_after: &self.tariff_after,
        }
    }
}

pub use crate::scenario::CommitmentMode;

/// Borrowed columns of flows, as the kernel reads them: a [`SmartFlows`]
/// (see [`SmartFlows::view`]) or columns owned elsewhere (a table of flows
/// from Python or Arrow), so that a run never copies its inputs.
#[derive(Debug, Clone, Copy)]
pub struct FlowView<'a> {
    /// Market id of each row.
    pub market: &'a [u32],
    /// Partner id of each row, for error messages (`None`: rows are named by number only).
    pub partner: Option<&'a [u32]>,
    /// Baseline imports `M_k`.
    pub imports: &'a [f64],
    /// Tariff before, fraction.
    pub tariff_before: &'a [f64],
    /// Tariff after, fraction.
    pub tariff_after: &'a [f64],
}

impl FlowView<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.market.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.market.is_empty()
    }
}

/// A quantity constraint on one flow, naming its row in [`SmartFlows`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum QuantityConstraint {
    /// The flow is banned: its final value is zero. Total imports of the
    /// market are held, and the lost flow (after tariff effects) goes to the
    /// other partners pro rata to their imports after tariff effects. This is
    /// the Laird–Yeats diversion `TD_j = σ · M_k · M_j / M · r_k` for a price
    /// rise of the banned partner alone, with the virtual price rise `r_k`
    /// large enough to divert the whole flow: `σ` sets that virtual tariff
    /// equivalent, the allocation is pro rata. When no other partner has
    /// imports the demand is lost, reported as
    /// [`SmartMarketTotal::unplaced_banned_demand`].
    Ban {
        /// Row of the flow.
        row: usize,
    },
    /// A purchase commitment: the flow rises by `increase` (a value at world
    /// prices, `≥ 0`) over its value after tariff effects and bans.
    Commitment {
        /// Row of the flow.
        row: usize,
        /// The forced increase of the flow.
        increase: f64,
        /// Whether it diverts from other partners or adds demand.
        mode: CommitmentMode,
    },
}

impl QuantityConstraint {
    fn row(&self) -> usize {
        match *self {
            Self::Ban { row } | Self::Commitment { row, .. } => row,
        }
    }
}

/// Per-flow results, columns in the row order of the input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmartFlowResults {
    /// `TC_k`: imports created (positive) or destroyed (negative) by the
    /// change of the tariff-inclusive price level.
    pub trade_creation: Vec<f64>,
    /// `TD_k`: imports diverted to (positive) or away from (negative) the
    /// partner by relative price changes; sums to zero over a market.
    pub trade_diversion: Vec<f64>,
    /// Change caused by quantity constraints (bans, commitments), positive
    /// when the flow rises; zero without constraints.
    pub constraint_change: Vec<f64>,
    /// Final imports `M1_k = M_k + TC_k + TD_k + constraint change`, `≥ 0`,
    /// valued at baseline world prices.
    pub imports_after: Vec<f64>,
    /// Tariff revenue change `t1·M1 − t0·M`, positive when revenue rises.
    pub revenue_change: Vec<f64>,
    /// `½·|t1 − t0|·TC`: the Harberger-triangle welfare gain of the importer,
    /// positive a gain.
    pub harberger_welfare_gain: Vec<f64>,
    /// Proportional change of the exporter's world price (`0.01` = +1 %);
    /// zero under infinite export supply.
    pub world_price_change: Vec<f64>,
}

impl SmartFlowResults {
    fn zeros(rows: usize) -> Self {
        Self {
            trade_creation: vec![0.0; rows],
            trade_diversion: vec![0.0; rows],
            constraint_change: vec![0.0; rows],
            imports_after: vec![0.0; rows],
            revenue_change: vec![0.0; rows],
            harberger_welfare_gain: vec![0.0; rows],
            world_price_change: vec![0.0; rows],
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.imports_after.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.imports_after.is_empty()
    }
}

/// Totals of one market (sums over its partners).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmartMarketTotal {
    /// Number of flows (rows) of the market.
    pub flows: usize,
    /// `Σ M_k`.
    pub imports_before: f64,
    /// `Σ M1_k`.
    pub imports_after: f64,
    /// `Σ TC_k`, positive when imports rise.
    pub trade_creation: f64,
    /// Gross trade diversion `Σ max(TD_k, 0)`: what moved between partners
    /// (the net sum is zero).
    pub trade_diversion_gross: f64,
    /// Net change caused by quantity constraints, positive when imports rise.
    pub constraint_change: f64,
    /// `Σ ΔRevenue_k`, positive when revenue rises.
    pub revenue_change: f64,
    /// `Σ W_k`, Harberger welfare gain of the importer, positive a gain.
    pub harberger_welfare_gain: f64,
    /// Factor applied to diversion gains: `1` up to rounding unless the
    /// floor `TD_k ≥ −(M_k + TC_k)` bound, then below 1.
    pub diversion_scale: f64,
    /// Banned flow that could not be placed with another partner (no other
    /// partner had imports), lost from the market.
    pub unplaced_banned_demand: f64,
    /// Part of diverting commitments that other partners in the data could
    /// not supply; it is met as added demand (from suppliers outside the
    /// data) so that the commitment is always bought in full.
    pub commitment_shortfall: f64,
    /// Flows with imports before that the formulas took to zero: trade
    /// creation capped at `−M_k` or diversion floored at `−(M_k + TC_k)`
    /// (bans not counted).
    pub clamped_flows: usize,
}

impl Default for SmartMarketTotal {
    fn default() -> Self {
        Self {
            flows: 0,
            imports_before: 0.0,
            imports_after: 0.0,
            trade_creation: 0.0,
            trade_diversion_gross: 0.0,
            constraint_change: 0.0,
            revenue_change: 0.0,
            harberger_welfare_gain: 0.0,
            diversion_scale: 1.0,
            unplaced_banned_demand: 0.0,
            commitment_shortfall: 0.0,
            clamped_flows: 0,
        }
    }
}

/// Results of a SMART run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmartResults {
    /// Per-flow results, in input row order.
    pub flows: SmartFlowResults,
    /// Per-market totals, indexed by market id (markets without rows hold
    /// [`SmartMarketTotal::default`]: zeros and a diversion scale of 1).
    pub markets: Vec<SmartMarketTotal>,
}

/// Runs SMART on one core over all markets (see the module docs for the form).
///
/// `elasticities[m]` belongs to market `m`; every market id of `flows` must
/// be below `elasticities.len()`. `constraints` may be empty.
///
/// ```
/// use tradewar_models::smart::{smart, SmartElasticities, SmartFlows};
/// let mut flows = SmartFlows::default();
/// flows.push(0, 0, 100.0, 0.10, 0.05);
/// let res = smart(&flows, &[SmartElasticities::with_infinite_supply(-1.5)], &[])?;
/// assert!((res.flows.trade_creation[0] - 6.818_181_8).abs() < 1e-6);
/// # Ok::<(), tradewar_models::ModelError>(())
/// ```
pub fn smart(
    flows: &SmartFlows,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
) -> Result<SmartResults> {
    let mut results = SmartResults::default();
    run(flows.view(), elasticities, constraints, false, &mut results)?;
    Ok(results)
}

/// [`smart`] (or [`smart_par`] when `parallel`) on borrowed columns, without
/// copying them: the entry point for tables of flows owned elsewhere.
pub fn smart_view(
    flows: FlowView<'_>,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
    parallel: bool,
) -> Result<SmartResults> {
    let mut results = SmartResults::default();
    run(flows, elasticities, constraints, parallel, &mut results)?;
    Ok(results)
}

/// [`smart`] run in parallel over markets with rayon. Each market is computed
/// by the same code in the same order, so results equal those of [`smart`]
/// bit for bit.
pub fn smart_par(
    flows: &SmartFlows,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
) -> Result<SmartResults> {
    let mut results = SmartResults::default();
    run(flows.view(), elasticities, constraints, true, &mut results)?;
    Ok(results)
}

/// [`smart`] writing into `results`, reusing its buffers when they already
/// have the right lengths (repeated runs, e.g. sweeps over elasticities,
/// then allocate nothing). On error `results` holds unspecified values.
pub fn smart_into(
    flows: &SmartFlows,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
    results: &mut SmartResults,
) -> Result<()> {
    run(flows.view(), elasticities, constraints, false, results)
}

/// [`smart_par`] writing into `results`, reusing its buffers (see [`smart_into`]).
pub fn smart_par_into(
    flows: &SmartFlows,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
    results: &mut SmartResults,
) -> Result<()> {
    run(flows.view(), elasticities, constraints, true, results)
}

/// Makes `col` `n` zeros long: fresh zeroed memory when the length differs,
/// else (when `zero` is set) the old buffer zeroed.
fn prepare(col: &mut Vec<f64>, n: usize, zero: bool) {
    if col.len() == n {
        if zero {
            col.fill(0.0);
        }
    } else {
        *col = vec![0.0; n];
    }
}

fn run(
    flows: FlowView<'_>,
    elasticities: &[SmartElasticities],
    constraints: &[QuantityConstraint],
    parallel: bool,
    results: &mut SmartResults,
) -> Result<()> {
    let sorted = validate(flows, elasticities)?;
    let constraint_rows = validate_constraints(flows.len(), constraints)?;
    let n = flows.len();
    {
        // Every column but constraint_change is overwritten row by row.
        let r = &mut results.flows;
        for col in [
            &mut r.trade_creation,
            &mut r.trade_diversion,
            &mut r.imports_after,
            &mut r.revenue_change,
            &mut r.harberger_welfare_gain,
            &mut r.world_price_change,
        ] {
            prepare(col, n, false);
        }
        prepare(&mut r.constraint_change, n, true);
        if results.markets.len() != elasticities.len() {
            results.markets = vec![SmartMarketTotal::default(); elasticities.len()];
        }
    }
    if sorted {
        let cols =
            Columns { market: flows.market, imports: flows.imports, t0: flows.tariff_before, t1: flows.tariff_after };
        compute(cols, FlowOut::of(&mut results.flows), elasticities, &mut results.markets, parallel);
    } else {
        let order = market_order(flows.market, elasticities.len());
        let gather = |col: &[f64]| order.iter().map(|&i| col[i]).collect::<Vec<f64>>();
        let market: Vec<u32> = order.iter().map(|&i| flows.market[i]).collect();
        let (imports, t0, t1) = (gather(flows.imports), gather(flows.tariff_before), gather(flows.tariff_after));
        let mut tmp = SmartFlowResults::zeros(n);
        let cols = Columns { market: &market, imports: &imports, t0: &t0, t1: &t1 };
        compute(cols, FlowOut::of(&mut tmp), elasticities, &mut results.markets, parallel);
        let out = &mut results.flows;
        let pairs: [(&mut Vec<f64>, &Vec<f64>); 6] = [
            (&mut out.trade_creation, &tmp.trade_creation),
            (&mut out.trade_diversion, &tmp.trade_diversion),
            (&mut out.imports_after, &tmp.imports_after),
            (&mut out.revenue_change, &tmp.revenue_change),
            (&mut out.harberger_welfare_gain, &tmp.harberger_welfare_gain),
            (&mut out.world_price_change, &tmp.world_price_change),
        ];
        for (dst, src) in pairs {
            for (&i, &v) in order.iter().zip(src.iter()) {
                dst[i] = v;
            }
        }
    }
    if !constraints.is_empty() {
        apply_constraints(flows, constraints, &constraint_rows, results);
    }
    Ok(())
}

/// Checks the columns; returns whether rows are sorted by market.
fn validate(flows: FlowView<'_>, elasticities: &[SmartElasticities]) -> Result<bool> {
    let n = flows.market.len();
    let lengths = [
        ("partner", flows.partner.map_or(n, <[u32]>::len)),
        ("imports", flows.imports.len()),
        ("tariff_before", flows.tariff_before.len()),
        ("tariff_after", flows.tariff_after.len()),
    ];
    for (name, len) in lengths {
        if len != n {
            return Err(ModelError::InvalidInput {
                what: format!("SMART column {name}"),
                reason: format!("has {len} rows but the market column has {n}"),
            });
        }
    }
    for (m, e) in elasticities.iter().enumerate() {
        e.validate(m)?;
    }
    let n_markets = elasticities.len();
    let mut sorted = true;
    let mut prev = 0u32;
    for (row, (((&market, &m), &t0), &t1)) in
        flows.market.iter().zip(flows.imports).zip(flows.tariff_before).zip(flows.tariff_after).enumerate()
    {
        let ok = (market as usize) < n_markets
            && m.is_finite()
            && m >= 0.0
            && t0.is_finite()
            && t0 > -1.0
            && t1.is_finite()
            && t1 > -1.0;
        if !ok {
            return Err(row_error(flows, row, n_markets));
        }
        sorted &= market >= prev;
        prev = market;
    }
    Ok(sorted)
}

fn row_error(flows: FlowView<'_>, row: usize, n_markets: usize) -> ModelError {
    let market = flows.market[row];
    let what = match flows.partner {
        Some(p) => format!("SMART flow row {row} (market {market}, partner {})", p[row]),
        None => format!("SMART flow row {row} (market {market})"),
    };
    let m = flows.imports[row];
    let (t0, t1) = (flows.tariff_before[row], flows.tariff_after[row]);
    let reason = if market as usize >= n_markets {
        format!("market id {market} has no elasticities (there are {n_markets} markets)")
    } else if !(m.is_finite() && m >= 0.0) {
        format!("imports {m} must be finite and non-negative")
    } else if !(t0.is_finite() && t0 > -1.0) {
        format!("tariff_before {t0} must be finite and above -1 (-100 %)")
    } else {
        format!("tariff_after {t1} must be finite and above -1 (-100 %)")
    };
    ModelError::InvalidInput { what, reason }
}

/// Checks constraints; returns the constraint index of each constrained row.
fn validate_constraints(rows: usize, constraints: &[QuantityConstraint]) -> Result<HashMap<usize, usize>> {
    let mut by_row = HashMap::with_capacity(constraints.len());
    for (i, c) in constraints.iter().enumerate() {
        let bad = |reason: String| ModelError::InvalidInput { what: format!("SMART quantity constraint {i}"), reason };
        let row = c.row();
        if row >= rows {
            return Err(bad(format!("row {row} does not exist (there are {rows} rows)")));
        }
        if let QuantityConstraint::Commitment { increase, .. } = *c {
            if !(increase.is_finite() && increase >= 0.0) {
                return Err(bad(format!("increase {increase} must be finite and non-negative")));
            }
        }
        if let Some(j) = by_row.insert(row, i) {
            return Err(bad(format!("row {row} is already constrained by constraint {j}")));
        }
    }
    Ok(by_row)
}

/// Row indices grouped by market (a stable counting sort).
fn market_order(market: &[u32], n_markets: usize) -> Vec<usize> {
    let mut start = vec![0usize; n_markets + 1];
    for &m in market {
        start[m as usize + 1] += 1;
    }
    for i in 0..n_markets {
        start[i + 1] += start[i];
    }
    let mut order = vec![0usize; market.len()];
    for (row, &m) in market.iter().enumerate() {
        let slot = &mut start[m as usize];
        order[*slot] = row;
        *slot += 1;
    }
    order
}

#[derive(Clone, Copy)]
struct Columns<'a> {
    market: &'a [u32],
    imports: &'a [f64],
    t0: &'a [f64],
    t1: &'a [f64],
}

impl<'a> Columns<'a> {
    fn range(self, a: usize, b: usize) -> Columns<'a> {
        Columns { market: &self.market[a..b], imports: &self.imports[a..b], t0: &self.t0[a..b], t1: &self.t1[a..b] }
    }
}

struct FlowOut<'a> {
    tc: &'a mut [f64],
    td: &'a mut [f64],
    m1: &'a mut [f64],
    rev: &'a mut [f64],
    w: &'a mut [f64],
    px: &'a mut [f64],
}

impl<'a> FlowOut<'a> {
    fn of(r: &'a mut SmartFlowResults) -> Self {
        Self {
            tc: &mut r.trade_creation,
            td: &mut r.trade_diversion,
            m1: &mut r.imports_after,
            rev: &mut r.revenue_change,
            w: &mut r.harberger_welfare_gain,
            px: &mut r.world_price_change,
        }
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        let (tc0, tc1) = self.tc.split_at_mut(mid);
        let (td0, td1) = self.td.split_at_mut(mid);
        let (m10, m11) = self.m1.split_at_mut(mid);
        let (rev0, rev1) = self.rev.split_at_mut(mid);
        let (w0, w1) = self.w.split_at_mut(mid);
        let (px0, px1) = self.px.split_at_mut(mid);
        (
            Self { tc: tc0, td: td0, m1: m10, rev: rev0, w: w0, px: px0 },
            Self { tc: tc1, td: td1, m1: m11, rev: rev1, w: w1, px: px1 },
        )
    }

    fn range(&mut self, a: usize, b: usize) -> FlowOut<'_> {
        FlowOut {
            tc: &mut self.tc[a..b],
            td: &mut self.td[a..b],
            m1: &mut self.m1[a..b],
            rev: &mut self.rev[a..b],
            w: &mut self.w[a..b],
            px: &mut self.px[a..b],
        }
    }
}

/// Runs the market kernel over rows grouped by market (ids non-decreasing).
fn compute(
    cols: Columns<'_>,
    out: FlowOut<'_>,
    elasticities: &[SmartElasticities],
    totals: &mut [SmartMarketTotal],
    parallel: bool,
) {
    let n = cols.market.len();
    let threads = rayon::current_num_threads();
    if !parallel || threads <= 1 || n < 1 << 15 {
        run_chunk(cols, out, elasticities, totals, 0);
        return;
    }
    // Chunks end at market boundaries; chunk i owns the totals of markets
    // [lo_i, lo_{i+1}).
    let target = (n / (threads * 8)).max(1 << 14);
    let mut bounds = Vec::new();
    let mut a = 0;
    while a < n {
        let mut b = (a + target).min(n);
        while b < n && cols.market[b] == cols.market[b - 1] {
            b += 1;
        }
        bounds.push((a, b));
        a = b;
    }
    let mut tasks = Vec::with_capacity(bounds.len());
    let (mut out_rest, mut totals_rest, mut lo) = (out, totals, 0usize);
    for (i, &(a, b)) in bounds.iter().enumerate() {
        let hi = bounds.get(i + 1).map_or(elasticities.len(), |&(next, _)| cols.market[next] as usize);
        let (out_here, out_next) = out_rest.split_at(b - a);
        let (tot_here, tot_next) = totals_rest.split_at_mut(hi - lo);
        tasks.push((cols.range(a, b), out_here, tot_here, lo));
        out_rest = out_next;
        totals_rest = tot_next;
        lo = hi;
    }
    tasks.into_par_iter().for_each(|(c, o, t, offset)| run_chunk(c, o, elasticities, t, offset));
}

/// Runs the kernel over one chunk of rows grouped by market, writing the
/// totals of markets `offset..offset + totals.len()` (defaults for markets
/// without rows).
fn run_chunk(
    cols: Columns<'_>,
    mut out: FlowOut<'_>,
    elasticities: &[SmartElasticities],
    totals: &mut [SmartMarketTotal],
    offset: usize,
) {
    let n = cols.market.len();
    let mut next_market = offset;
    let mut a = 0;
    while a < n {
        let market = cols.market[a];
        let mut b = a + 1;
        while b < n && cols.market[b] == market {
            b += 1;
        }
        let m = market as usize;
        for gap in &mut totals[next_market - offset..m - offset] {
            *gap = SmartMarketTotal::default();
        }
        market_kernel(&elasticities[m], cols.range(a, b), out.range(a, b), &mut totals[m - offset]);
        next_market = m + 1;
        a = b;
    }
    for gap in &mut totals[next_market - offset..] {
        *gap = SmartMarketTotal::default();
    }
}

/// The SMART form for one market's rows (see the module docs).
fn market_kernel(el: &SmartElasticities, cols: Columns<'_>, out: FlowOut<'_>, total: &mut SmartMarketTotal) {
    let ratio = el.supply_ratio();
    let denom = 1.0 - ratio;
    let tc_coef = el.import_demand / denom;
    let px_coef = ratio / denom;
    let sigma = el.substitution;
    let imports = cols.imports;
    let rows = imports.len();
    let (tariff0, tariff1) = (&cols.t0[..rows], &cols.t1[..rows]);
    let FlowOut { tc, td, m1, rev, w: welfare, px } = out;
    let (px, tc, td) = (&mut px[..rows], &mut tc[..rows], &mut td[..rows]);
    let (m1, rev, welfare) = (&mut m1[..rows], &mut rev[..rows], &mut welfare[..rows]);

    // Pass 1: r_k (kept in px for now), TC_k capped at −M_k, sums for r̄.
    let (mut sum_m, mut sum_mr) = (0.0, 0.0);
    for ((((px_k, tc_k), &m_k), &t0_k), &t1_k) in
        px.iter_mut().zip(tc.iter_mut()).zip(imports).zip(tariff0).zip(tariff1)
    {
        let r_k = (t1_k - t0_k) / (1.0 + t0_k);
        *px_k = r_k;
        *tc_k = (tc_coef * m_k * r_k).max(-m_k);
        sum_m += m_k;
        sum_mr += m_k * r_k;
    }
    let r_bar = if sum_m > 0.0 { sum_mr / sum_m } else { 0.0 };

    // Pass 2: TD*_k floored at −(M_k + TC_k).
    let (mut losses, mut gains) = (0.0, 0.0);
    for (((td_k, &r_k), &tc_k), &m_k) in td.iter_mut().zip(px.iter()).zip(tc.iter()).zip(imports) {
        let base = m_k + tc_k;
        let td_star = -sigma * m_k * (r_k - r_bar);
        let floored = if td_star < -base { -base } else { td_star };
        if floored < 0.0 {
            losses += floored;
        } else {
            gains += floored;
        }
        *td_k = floored;
    }
    // Σ TD* = 0 exactly in arithmetic, so without gains there is no loss either.
    // The floor only shrinks losses, so the scale is at most 1; in floating
    // point, nearly equal tariff changes can round it a hair above (capped).
    let (scale, keep) = if gains > 0.0 { ((-losses / gains).min(1.0), 1.0) } else { (1.0, 0.0) };

    // Pass 3: scale gains, final flows, revenue, welfare, price.
    let mut sums = SmartMarketTotal { flows: rows, diversion_scale: scale, ..SmartMarketTotal::default() };
    let cells = px.iter_mut().zip(tc.iter()).zip(td.iter_mut()).zip(m1.iter_mut()).zip(rev.iter_mut()).zip(welfare);
    for (k, (((((px_k, &tc_k), td_k), m1_k), rev_k), w_k)) in cells.enumerate() {
        let (m_k, t0_k, t1_k) = (imports[k], tariff0[k], tariff1[k]);
        let diverted = keep * if *td_k > 0.0 { *td_k * scale } else { *td_k };
        *td_k = diverted;
        let after = (m_k + tc_k) + diverted;
        if m_k > 0.0 && after <= 0.0 {
            sums.clamped_flows += 1;
        }
        *m1_k = after;
        *rev_k = t1_k * after - t0_k * m_k;
        *w_k = 0.5 * (t1_k - t0_k).abs() * tc_k;
        *px_k *= px_coef;
        sums.imports_before += m_k;
        sums.imports_after += after;
        sums.trade_creation += tc_k;
        sums.trade_diversion_gross += diverted.max(0.0);
        sums.revenue_change += *rev_k;
        sums.harberger_welfare_gain += *w_k;
    }
    *total = sums;
}

/// Applies bans, then commitments, market by market.
fn apply_constraints(
    flows: FlowView<'_>,
    constraints: &[QuantityConstraint],
    by_row: &HashMap<usize, usize>,
    results: &mut SmartResults,
) {
    let markets: BTreeSet<u32> = by_row.keys().map(|&row| flows.market[row]).collect();
    let mut rows_of: BTreeMap<u32, Vec<usize>> = markets.iter().map(|&m| (m, Vec::new())).collect();
    for (row, m) in flows.market.iter().enumerate() {
        if let Some(rows) = rows_of.get_mut(m) {
            rows.push(row);
        }
    }
    let out = &mut results.flows;
    for (market, rows) in rows_of {
        let constraint_of = |row: usize| by_row.get(&row).map(|&i| constraints[i]);
        let total = &mut results.markets[market as usize];
        // Bans: lost flow to the others pro rata to their flows.
        let mut lost = 0.0;
        let mut others = 0.0;
        for &row in &rows {
            if matches!(constraint_of(row), Some(QuantityConstraint::Ban { .. })) {
                lost += out.imports_after[row];
            } else {
                others += out.imports_after[row];
            }
        }
        if lost > 0.0 {
            for &row in &rows {
                let m1 = out.imports_after[row];
                let new = if matches!(constraint_of(row), Some(QuantityConstraint::Ban { .. })) {
                    0.0
                } else if others > 0.0 {
                    m1 + lost * (m1 / others)
                } else {
                    m1
                };
                out.constraint_change[row] += new - m1;
                out.imports_after[row] = new;
            }
            if others <= 0.0 {
                total.unplaced_banned_demand += lost;
            }
        }
        // Commitments: diverting ones take from the pool pro rata.
        let mut asked = 0.0;
        let mut pool = 0.0;
        for &row in &rows {
            match constraint_of(row) {
                Some(QuantityConstraint::Commitment { increase, mode: CommitmentMode::Diversion, .. }) => {
                    asked += increase;
                }
                Some(_) => {}
                None => pool += out.imports_after[row],
            }
        }
        let taken = asked.min(pool);
        total.commitment_shortfall += asked - taken;
        for &row in &rows {
            let m1 = out.imports_after[row];
            let new = match constraint_of(row) {
                // Bought in full: what the others in the data cannot give up
                // comes from suppliers outside it (reported as the shortfall).
                Some(QuantityConstraint::Commitment { increase, mode: CommitmentMode::Diversion, .. }) => m1 + increase,
                Some(QuantityConstraint::Commitment { increase, mode: CommitmentMode::AddedDemand, .. }) => {
                    m1 + increase
                }
                None if pool > 0.0 => (m1 - taken * (m1 / pool)).max(0.0),
                Some(QuantityConstraint::Ban { .. }) | None => m1,
            };
            out.constraint_change[row] += new - m1;
            out.imports_after[row] = new;
        }
        // Totals of the market again.
        let (mut after, mut revenue, mut change) = (0.0, 0.0, 0.0);
        for &row in &rows {
            let m1 = out.imports_after[row];
            out.revenue_change[row] = flows.tariff_after[row] * m1 - flows.tariff_before[row] * flows.imports[row];
            after += m1;
            revenue += out.revenue_change[row];
            change += out.constraint_change[row];
        }
        total.imports_after = after;
        total.revenue_change = revenue;
        total.constraint_change = change;
    }
}

/// Elasticities of substitution (`σ`) by HS6 subheading, with a default for
/// products not covered.
///
/// Built from national-line estimates such as Broda & Weinstein's HTS10
/// sigmas (see [`SigmaTable::median_by_hs6`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigmaTable {
    by_hs6: BTreeMap<HsCode, f64>,
    default: f64,
}

impl SigmaTable {
    /// An empty table that answers `default` for every product.
    pub fn new(default: f64) -> Result<Self> {
        check_sigma("default sigma", default)?;
        Ok(Self { by_hs6: BTreeMap::new(), default })
    }

    /// Maps national-line sigmas (e.g. HTS10) to HS6 by the median over the
    /// lines of each subheading (the mean of the two middle values for an
    /// even count), then applies `overrides` (HS6 codes, or finer codes cut to
    /// HS6) and answers `default` for products not covered.
    ///
    /// Lines coarser than HS6 are an error (they cannot be placed), as are
    /// non-positive or non-finite values.
    pub fn median_by_hs6(
        lines: &BTreeMap<HsCode, f64>,
        overrides: &BTreeMap<HsCode, f64>,
        default: f64,
    ) -> Result<Self> {
        let mut table = Self::new(default)?;
        let mut groups: BTreeMap<HsCode, Vec<f64>> = BTreeMap::new();
        for (&code, &sigma) in lines {
            let hs6 = to_hs6(code)?;
            check_sigma(&format!("sigma of {code}"), sigma)?;
            groups.entry(hs6).or_default().push(sigma);
        }
        for (hs6, mut values) in groups {
            values.sort_by(f64::total_cmp);
            let mid = values.len() / 2;
            let median = if values.len() % 2 == 1 { values[mid] } else { 0.5 * (values[mid - 1] + values[mid]) };
            table.by_hs6.insert(hs6, median);
        }
        for (&code, &sigma) in overrides {
            table.set(code, sigma)?;
        }
        Ok(table)
    }

    /// Sets (overrides) the sigma of one product, given at HS6 or finer.
    pub fn set(&mut self, code: HsCode, sigma: f64) -> Result<()> {
        let hs6 = to_hs6(code)?;
        check_sigma(&format!("sigma override of {code}"), sigma)?;
        self.by_hs6.insert(hs6, sigma);
        Ok(())
    }

    /// The sigma of a product (HS6 or finer, cut to HS6); the default when not
    /// covered or when the code is coarser than HS6.
    pub fn get(&self, code: HsCode) -> f64 {
        self.lookup(code).unwrap_or(self.default)
    }

    /// The sigma of a product if the table covers it (no default).
    pub fn lookup(&self, code: HsCode) -> Option<f64> {
        code.truncate(HsLevel::Subheading).and_then(|hs6| self.by_hs6.get(&hs6).copied())
    }

    /// The value answered for products not covered.
    pub fn default_sigma(&self) -> f64 {
        self.default
    }

    /// Number of HS6 subheadings covered.
    pub fn len(&self) -> usize {
        self.by_hs6.len()
    }

    /// Whether no subheading is covered.
    pub fn is_empty(&self) -> bool {
        self.by_hs6.is_empty()
    }

    /// The covered subheadings and their sigmas, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (HsCode, f64)> + '_ {
        self.by_hs6.iter().map(|(&c, &s)| (c, s))
    }
}

fn to_hs6(code: HsCode) -> Result<HsCode> {
    code.truncate(HsLevel::Subheading).ok_or_else(|| ModelError::InvalidInput {
        what: format!("product code {code}"),
        reason: "is coarser than HS6 and cannot be assigned a subheading sigma".to_string(),
    })
}

fn check_sigma(what: &str, sigma: f64) -> Result<()> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(ModelError::InvalidInput {
            what: what.to_string(),
            reason: format!("{sigma} must be a positive finite elasticity"),
        })
    }
}
