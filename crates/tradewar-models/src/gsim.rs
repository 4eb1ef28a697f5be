//! GSIM: multi-market partial equilibrium of one product traded between `N`
//! economies (Francois & Hall 2003, "Global Simulation Analysis of
//! Industry-Level Trade Policy"). Every bilateral tariff can change at once,
//! so retaliation and third-country effects (trade diversion, terms of trade)
//! come out together.
//!
//! # Notation
//!
//! Regions `r` as exporters and `v` as importers. A region is a code of 1 to 16
//! ASCII letters, digits, `-` or `_` (the rule of GE worlds,
//! [`crate::gravity::economy_code`]): a country (`USA`) or any aggregate
//! (`EU`, `RW`, `ASEAN`). A region may trade with itself (`M_EU,EU`: trade
//! between the members of an aggregate, or domestic sales): that cell is one
//! more source of the region's imports and one more market for its exports. `M_rv`: baseline trade
//! from `r` to `v` at world prices; baseline world prices are normalised to
//! 1, so `M_rv` is also the baseline quantity. `T_rv = 1 + t_rv`: tariff power
//! factors, `T0` before and `T1` after. `P*_r`: world (export,
//! tariff-exclusive) price of `r`'s product, baseline 1. `P_rv = T_rv · P*_r`:
//! internal (tariff-inclusive) price of `r`'s product in `v`. Elasticities:
//! `E_m,v < 0` the import demand of `v` (composite of all sources),
//! `E_s,v > 0` the substitution between sources in `v` (Armington),
//! `E_x,r > 0` the export supply of `r`. `X_r = Σ_v M_rv`: baseline exports of
//! `r`. `N_rv = T0_rv M_rv / Σ_s T0_sv M_sv`: share of `r` in `v`'s imports at
//! internal prices.
//!
//! # Percentage-change form (Francois & Hall), [`GsimForm::Linear`]
//!
//! ```text
//! η_(rv,rv) = N_rv E_m,v − (1 − N_rv) E_s,v        own-price demand elasticity
//! η_(rv,sv) = N_sv (E_m,v + E_s,v)                 cross-price, s ≠ r
//! P̂_rv      = T̂_rv + P̂*_r,  T̂_rv = T1_rv / T0_rv − 1
//! M̂_rv      = η_(rv,rv) P̂_rv + Σ_{s≠r} η_(rv,sv) P̂_sv
//!           = E_s,v (P̂_v − P̂_rv) + E_m,v P̂_v,    P̂_v = Σ_s N_sv P̂_sv
//! X̂_r       = E_x,r P̂*_r                           export supply
//! Σ_v M_rv M̂_rv = X_r X̂_r                          market clearing of exporter r
//! ```
//!
//! The shares stay at their baseline values, the system is linear in `P̂*`
//! and Newton finds it in one step. New trade: `M_rv (1 + M̂_rv)`.
//!
//! # Levels form (the default), [`GsimForm::Levels`]
//!
//! The constant-elasticity system whose elasticities at every point are the
//! formulas above evaluated at current shares, so that large shocks keep
//! flows positive and surplus integrals exact:
//!
//! ```text
//! P_v   = [Σ_r N_rv (T1_rv/T0_rv · P*_r)^(1−E_s,v)]^(1/(1−E_s,v))   CES import price index, baseline 1
//!         (the geometric mean Π_r (T1_rv/T0_rv · P*_r)^N_rv when E_s,v = 1)
//! Q_v   = Q0_v P_v^E_m,v,   Q0_v = Σ_r T0_rv M_rv                    composite import demand
//! M1_rv = M_rv (T1_rv/T0_rv · P*_r)^(−E_s,v) P_v^(E_s,v + E_m,v)     demand for r's product in v
//! X1_r  = X_r (P*_r)^E_x,r                                           export supply
//! Σ_v M1_rv = X1_r                                                   market clearing of exporter r
//! ```
//!
//! It is solved by Newton in `z_r = ln P*_r` on the residuals
//! `F_r = ln Σ_v M1_rv − ln X_r − E_x,r z_r` with the analytic Jacobian
//!
//! ```text
//! ∂F_r/∂z_s = Σ_v w_rv [(E_s,v + E_m,v) N_sv(z) − E_s,v δ_rs] − E_x,r δ_rs,
//! w_rv = M1_rv / Σ_u M1_ru,   N_sv(z) = current share of s in v at internal prices,
//! ```
//!
//! and a backtracking line search on `½‖F‖²`. At the baseline this Jacobian
//! is the percentage-change system divided by `X_r`: both forms agree to first
//! order in the shock. (Expenditure checks: `Σ_r P_rv M1_rv = P_v Q_v`.)
//!
//! Exporters with no baseline exports, or with an infinite export-supply
//! elasticity (`f64::INFINITY`), keep their world price (`P*_r = 1`).
//! Importers with no baseline imports have no demand.
//!
//! # Results and welfare (gain positive)
//!
//! ```text
//! tariff revenue  R_v  = Σ_r (T_rv − 1) P*_r M_rv,     ΔR_v = R1_v − R0_v
//! Levels:  ΔCS_v = −∫_1^P_v Q0_v p^E_m dp = −Q0_v (P_v^(1+E_m) − 1)/(1+E_m)   (−Q0_v ln P_v at E_m = −1)
//!          ΔPS_r =  ∫_1^P*_r X_r p^E_x dp =  X_r (P*_r^(1+E_x) − 1)/(1+E_x)
//! Linear:  ΔCS_v = −Q0_v P̂_v (1 + ½ E_m,v P̂_v)     (rectangle Q0·ΔP plus triangle ½·ΔQ·ΔP
//!          ΔPS_r =  X_r P̂*_r (1 + ½ E_x,r P̂*_r)      on linear curves)
//! welfare_gain_i = ΔCS_i + ΔPS_i + ΔR_i
//! ```
//!
//! Consumer surplus is that of the composite import demand of each importer
//! (priced by the composite index `P_v`), producer surplus that of each
//! exporter's export supply (priced by `P*_r`). The linear-form areas are the
//! rectangle-plus-triangle measures GSIM uses; the levels-form integrals equal
//! them to second order in the price changes. Baseline values are taken as
//! the quantities at baseline prices (world prices for `X_r`, internal prices
//! for `Q0_v`).
//!
//! The documentation's four-region example (regions US, JP, EU, RW; US–EU
//! free trade) is solved in both forms by the tests against an independent
//! computation (`tests/reference/gsim_four_region.py`: the percentage-change
//! form in exact rational arithmetic from the own- and cross-price
//! elasticities, the levels form by a 50-digit Newton in levels), and against
//! an independent Gauss–Seidel solver of the levels form.
//!
//! In the percentage-change form a large shock can send a flow below zero;
//! such flows are listed in [`GsimOutcome::negative_flows`] (a flag: the
//! approximation is outside its range), never clipped.

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};
use crate::gravity::economy_code;

/// A square matrix over regions: row = exporter, column = importer.
///
/// Its serde form is `{"n": 2, "values": [...]}` (row-major); reading it
/// checks that there are `n × n` values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MatrixForm")]
pub struct BilateralMatrix {
    n: usize,
    values: Vec<f64>,
}

/// The serde form of [`BilateralMatrix`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixForm {
    n: usize,
    values: Vec<f64>,
}

impl TryFrom<MatrixForm> for BilateralMatrix {
    type Error = ModelError;
    fn try_from(m: MatrixForm) -> Result<Self> {
        Self::from_values(m.n, m.values)
    }
}

impl BilateralMatrix {
    /// An `n × n` matrix filled with `value`.
    pub fn filled(n: usize, value: f64) -> Self {
        Self { n, values: vec![value; n * n] }
    }

    /// A matrix from its `n × n` values, row-major (exporter by exporter).
    pub fn from_values(n: usize, values: Vec<f64>) -> Result<Self> {
        if n.checked_mul(n) != Some(values.len()) {
            return Err(ModelError::InvalidInput {
                what: "bilateral matrix".into(),
                reason: format!("has {} values, expected {n} × {n} (a square matrix, row-major)", values.len()),
            });
        }
        Ok(Self { n, values })
    }

    /// A matrix from its rows (exporters), each with one value per importer.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self> {
        let n = rows.len();
        let mut values = Vec::with_capacity(n * n);
        for (i, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != n {
                return Err(ModelError::InvalidInput {
                    what: format!("bilateral matrix row {i}"),
                    reason: format!("has {} values, expected {n} (a square matrix)", row.len()),
                });
            }
            values.extend_from_slice(row);
        }
        Ok(Self { n, values })
    }

    /// Number of regions.
    pub fn size(&self) -> usize {
        self.n
    }

    /// The value from `exporter` to `importer` (indices into the regions).
    ///
    /// # Panics
    /// When an index is out of range.
    pub fn get(&self, exporter: usize, importer: usize) -> f64 {
        assert!(exporter < self.n && importer < self.n, "region index out of range");
        self.values[exporter * self.n + importer]
    }

    /// Sets the value from `exporter` to `importer`.
    ///
    /// # Panics
    /// When an index is out of range.
    pub fn set(&mut self, exporter: usize, importer: usize, value: f64) {
        assert!(exporter < self.n && importer < self.n, "region index out of range");
        self.values[exporter * self.n + importer] = value;
    }

    /// The row of one exporter.
    pub fn row(&self, exporter: usize) -> &[f64] {
        &self.values[exporter * self.n..(exporter + 1) * self.n]
    }

    /// All values, row-major (exporter by exporter).
    pub fn values(&self) -> &[f64] {
        &self.values
    }
}

/// Elasticities of one economy in GSIM.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GsimElasticities {
    /// `E_m < 0`: elasticity of the economy's composite import demand.
    pub import_demand: f64,
    /// `E_s > 0`: elasticity of substitution between the sources of its imports.
    pub substitution: f64,
    /// `E_x > 0`: elasticity of its export supply; `f64::INFINITY` fixes its
    /// world price.
    pub export_supply: f64,
}

impl GsimElasticities {
    /// The canonical GSIM values: `E_m = −1.25`, `E_s = 5`, `E_x = 1.5`.
    pub const CANONICAL: Self = Self { import_demand: -1.25, substitution: 5.0, export_supply: 1.5 };

    /// Checks the signs: `E_m` finite and negative, `E_s` finite and positive,
    /// `E_x` positive (or infinite); `what` names them in the error (e.g.
    /// "GSIM elasticities of CHN").
    pub fn check(&self, what: &str) -> Result<()> {
        let bad = |reason: String| ModelError::InvalidInput { what: what.to_string(), reason };
        if !(self.import_demand.is_finite() && self.import_demand < 0.0) {
            return Err(bad(format!("import demand E_m = {} must be finite and negative", self.import_demand)));
        }
        if !(self.substitution.is_finite() && self.substitution > 0.0) {
            return Err(bad(format!("substitution E_s = {} must be finite and positive", self.substitution)));
        }
        if self.export_supply.is_nan() || self.export_supply <= 0.0 {
            return Err(bad(format!("export supply E_x = {} must be positive (or infinite)", self.export_supply)));
        }
        Ok(())
    }
}

impl Default for GsimElasticities {
    fn default() -> Self {
        Self::CANONICAL
    }
}

/// The baseline of a GSIM market: who trades how much at which tariffs.
///
/// The diagonal is allowed: `trade[EU][EU]` is trade within the EU (or
/// domestic sales), with its own tariff factor (1 inside a customs union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GsimBaseline {
    /// The region codes (see the module docs), in the order of the matrices'
    /// rows and columns; [`gsim`] reads them case-insensitively and reports
    /// them upper-cased.
    pub regions: Vec<String>,
    /// Baseline trade at world prices (row = exporter, column = importer), `≥ 0`.
    pub trade: BilateralMatrix,
    /// Baseline tariffs as power factors `1 + t` (`> 0`).
    pub tariffs: BilateralMatrix,
    /// Elasticities of each region, in region order.
    pub elasticities: Vec<GsimElasticities>,
}

impl GsimBaseline {
    /// A checked baseline: region codes written in their one form (upper
    /// case) and unique, matrices of the regions' size, trade finite and not
    /// negative, tariff factors finite and positive, elasticities in their
    /// domains (see [`GsimElasticities`]).
    ///
    /// ```
    /// use tradewar_models::gsim::{gsim, BilateralMatrix, GsimBaseline, GsimElasticities, GsimOptions};
    /// let base = GsimBaseline::new(
    ///     ["eu", "RW"],
    ///     BilateralMatrix::from_rows(&[[200.0, 200.0], [110.0, 20.0]])?,
    ///     BilateralMatrix::from_rows(&[[1.0, 1.18], [1.25, 1.15]])?,
    ///     vec![GsimElasticities::CANONICAL; 2],
    /// )?;
    /// assert_eq!(base.regions, ["EU", "RW"]);
    /// let same = gsim(&base, &base.tariffs, &GsimOptions::default())?;
    /// assert_eq!(same.world_price_change, [0.0, 0.0]);
    /// # Ok::<(), tradewar_models::ModelError>(())
    /// ```
    pub fn new<S: AsRef<str>>(
        regions: impl IntoIterator<Item = S>,
        trade: BilateralMatrix,
        tariffs: BilateralMatrix,
        elasticities: Vec<GsimElasticities>,
    ) -> Result<Self> {
        let regions = region_codes(regions.into_iter().map(|r| r.as_ref().to_string()).collect())?;
        let b = Self { regions, trade, tariffs, elasticities };
        validate_baseline(&b)?;
        Ok(b)
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether there are no regions.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The position of a region (a code, in any case).
    pub fn index_of(&self, region: &str) -> Option<usize> {
        let code = economy_code(region).ok()?;
        self.regions.iter().position(|r| r.eq_ignore_ascii_case(&code))
    }
}

/// Region codes in their one form, each valid and unique.
fn region_codes(mut regions: Vec<String>) -> Result<Vec<String>> {
    if regions.is_empty() {
        return Err(ModelError::InvalidInput {
            what: "GSIM regions".into(),
            reason: "there must be at least one region".into(),
        });
    }
    for k in 0..regions.len() {
        let code = economy_code(&regions[k]).map_err(|e| match e {
            ModelError::InvalidInput { reason, .. } => {
                ModelError::InvalidInput { what: format!("GSIM region {k}"), reason }
            }
            other => other,
        })?;
        if let Some(j) = regions[..k].iter().position(|r| *r == code) {
            return Err(ModelError::InvalidInput {
                what: "GSIM regions".into(),
                reason: format!("{code} is listed twice (positions {j} and {k}; codes are case-insensitive)"),
            });
        }
        regions[k] = code;
    }
    Ok(regions)
}

/// Which form of the model to solve (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum GsimForm {
    /// The constant-elasticity levels form: exact for any shock size.
    #[default]
    Levels,
    /// Francois & Hall's percentage-change form with baseline shares: a
    /// first-order approximation (flows can turn negative for large shocks).
    Linear,
}

/// Solver settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GsimOptions {
    /// Largest accepted market-clearing residual (log units in the levels
    /// form, i.e. a relative error; share of exports in the linear form).
    pub tolerance: f64,
    /// Newton iterations allowed.
    pub max_iterations: usize,
    /// Model form.
    pub form: GsimForm,
}

impl Default for GsimOptions {
    fn default() -> Self {
        Self { tolerance: 1e-12, max_iterations: 100, form: GsimForm::Levels }
    }
}

/// What GSIM finds. Vectors are in region order; price changes are
/// proportional (`0.01` = +1 %); money is in the units of the trade matrix.
///
/// Its serde form is checked on the way in: region codes valid and unique,
/// every vector and matrix of the regions' size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "OutcomeForm")]
pub struct GsimOutcome {
    /// The regions (codes upper-cased).
    pub regions: Vec<String>,
    /// The form solved.
    pub form: GsimForm,
    /// Change of each exporter's world (export) price `P*_r − 1`.
    pub world_price_change: Vec<f64>,
    /// Change of the internal (tariff-inclusive) price of each exporter's
    /// product in each importer, `T1/T0 · P*_r − 1` (`T̂ + P̂*` in the linear form).
    pub internal_price_change: BilateralMatrix,
    /// Change of each importer's composite import price index `P_v − 1`.
    pub import_price_index_change: Vec<f64>,
    /// New trade valued at baseline world prices (quantities).
    pub trade_volume_after: BilateralMatrix,
    /// New trade valued at new world prices.
    pub trade_after: BilateralMatrix,
    /// Change of each importer's tariff revenue, positive when it rises.
    pub tariff_revenue_change: Vec<f64>,
    /// Change of each importer's consumer surplus, positive a gain.
    pub consumer_surplus_change: Vec<f64>,
    /// Change of each exporter's producer surplus, positive a gain.
    pub producer_surplus_change: Vec<f64>,
    /// Net welfare gain of each economy: consumer surplus + producer surplus
    /// + tariff revenue changes.
    pub welfare_gain: Vec<f64>,
    /// Newton iterations used.
    pub iterations: usize,
    /// Largest market-clearing residual at the solution.
    pub residual: f64,
    /// Pairs `(exporter, importer)` (region indices) whose new trade is below
    /// zero: the percentage-change form taken outside its range by a large
    /// shock (its answer for them is not meaningful; solve the levels form).
    /// Always empty in the levels form.
    pub negative_flows: Vec<(usize, usize)>,
}

/// The serde form of [`GsimOutcome`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeForm {
    regions: Vec<String>,
    form: GsimForm,
    world_price_change: Vec<f64>,
    internal_price_change: BilateralMatrix,
    import_price_index_change: Vec<f64>,
    trade_volume_after: BilateralMatrix,
    trade_after: BilateralMatrix,
    tariff_revenue_change: Vec<f64>,
    consumer_surplus_change: Vec<f64>,
    producer_surplus_change: Vec<f64>,
    welfare_gain: Vec<f64>,
    iterations: usize,
    residual: f64,
    #[serde(default)]
    negative_flows: Vec<(usize, usize)>,
}

impl TryFrom<OutcomeForm> for GsimOutcome {
    type Error = ModelError;
    fn try_from(o: OutcomeForm) -> Result<Self> {
        let regions = region_codes(o.regions)?;
        let n = regions.len();
        let bad =
            |what: &str, reason: String| ModelError::InvalidInput { what: format!("GSIM outcome {what}"), reason };
        for (name, v) in [
            ("world_price_change", &o.world_price_change),
            ("import_price_index_change", &o.import_price_index_change),
            ("tariff_revenue_change", &o.tariff_revenue_change),
            ("consumer_surplus_change", &o.consumer_surplus_change),
            ("producer_surplus_change", &o.producer_surplus_change),
            ("welfare_gain", &o.welfare_gain),
        ] {
            if v.len() != n {
                return Err(bad(name, format!("has {} values for {n} regions", v.len())));
            }
        }
        for (name, m) in [
            ("internal_price_change", &o.internal_price_change),
            ("trade_volume_after", &o.trade_volume_after),
            ("trade_after", &o.trade_after),
        ] {
            if m.size() != n {
                return Err(bad(name, format!("is {0}×{0} for {n} regions", m.size())));
            }
        }
        if let Some(&(r, v)) = o.negative_flows.iter().find(|&&(r, v)| r >= n || v >= n) {
            return Err(bad("negative_flows", format!("pair ({r}, {v}) is not within the {n} regions")));
        }
        Ok(Self {
            regions,
            form: o.form,
            world_price_change: o.world_price_change,
            internal_price_change: o.internal_price_change,
            import_price_index_change: o.import_price_index_change,
            trade_volume_after: o.trade_volume_after,
            trade_after: o.trade_after,
            tariff_revenue_change: o.tariff_revenue_change,
            consumer_surplus_change: o.consumer_surplus_change,
            producer_surplus_change: o.producer_surplus_change,
            welfare_gain: o.welfare_gain,
            iterations: o.iterations,
            residual: o.residual,
            negative_flows: o.negative_flows,
        })
    }
}

/// Solves GSIM for the tariffs `tariffs_after` (power factors, same layout
/// as the baseline's).
pub fn gsim(baseline: &GsimBaseline, tariffs_after: &BilateralMatrix, options: &GsimOptions) -> Result<GsimOutcome> {
    validate(baseline, tariffs_after, options)?;
    let model = Model::new(baseline, tariffs_after);
    let dim = model.active.len();
    let mut x = vec![0.0; dim];
    let report = match options.form {
        GsimForm::Levels => {
            let mut state_f = LevelsState::new(model.n);
            let mut state_j = LevelsState::new(model.n);
            newton(
                &mut x,
                options,
                |x, f| {
                    model.levels_eval(&model.expand(x), &mut state_f);
                    model.levels_residual(x, &state_f, f)
                },
                |x, j| {
                    model.levels_eval(&model.expand(x), &mut state_j);
                    model.levels_jacobian(&state_j, j);
                },
            )
        }
        GsimForm::Linear => {
            newton(&mut x, options, |x, f| model.linear_residual(x, f), |_, j| model.linear_jacobian(j))
        }
    };
    let (iterations, residual) = report.map_err(|fail| ModelError::NonConvergence {
        solver: "GSIM Newton",
        iterations: fail.iterations,
        residual: fail.residual,
        tolerance: options.tolerance,
        detail: match fail.worst {
            Some(i) => format!(", worst market: exports of {} ({})", baseline.regions[model.active[i]], fail.reason),
            None => format!(", {}", fail.reason),
        },
    })?;
    let full = model.expand(&x);
    let mut out = match options.form {
        GsimForm::Levels => model.levels_outcome(&full),
        GsimForm::Linear => model.linear_outcome(&full),
    };
    out.regions = region_codes(baseline.regions.clone())?;
    out.iterations = iterations;
    out.residual = residual;
    Ok(out)
}

fn validate(b: &GsimBaseline, after: &BilateralMatrix, options: &GsimOptions) -> Result<()> {
    validate_baseline(b)?;
    let n = b.regions.len();
    if after.n != n || after.values.len() != n * n {
        return Err(ModelError::InvalidInput {
            what: "GSIM tariffs_after matrix".into(),
            reason: format!("is {}×{} with {} values; {n} regions need {n}×{n}", after.n, after.n, after.values.len()),
        });
    }
    for r in 0..n {
        for v in 0..n {
            let t = after.get(r, v);
            if !(t.is_finite() && t > 0.0) {
                return Err(ModelError::InvalidInput {
                    what: format!("GSIM tariff after {}→{}", b.regions[r], b.regions[v]),
                    reason: format!("power factor {t} must be finite and positive (1 + t with t > -1)"),
                });
            }
        }
    }
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) || options.max_iterations == 0 {
        return Err(ModelError::InvalidInput {
            what: "GSIM options".into(),
            reason: format!(
                "tolerance {} must be positive and finite and max_iterations {} at least 1",
                options.tolerance, options.max_iterations
            ),
        });
    }
    Ok(())
}

fn validate_baseline(b: &GsimBaseline) -> Result<()> {
    let bad = |what: String, reason: String| ModelError::InvalidInput { what, reason };
    let regions = region_codes(b.regions.clone())?;
    let n = regions.len();
    for (name, m) in [("trade", &b.trade), ("tariffs", &b.tariffs)] {
        if m.n != n || m.values.len() != n * n {
            return Err(bad(
                format!("GSIM {name} matrix"),
                format!("is {}×{} with {} values; {n} regions need {n}×{n}", m.n, m.n, m.values.len()),
            ));
        }
    }
    if b.elasticities.len() != n {
        return Err(bad("GSIM elasticities".into(), format!("{} given for {n} regions", b.elasticities.len())));
    }
    for r in 0..n {
        for v in 0..n {
            let pair = || format!("{}→{}", regions[r], regions[v]);
            let m = b.trade.get(r, v);
            if !(m.is_finite() && m >= 0.0) {
                return Err(bad(format!("GSIM trade {}", pair()), format!("{m} must be finite and non-negative")));
            }
            let t = b.tariffs.get(r, v);
            if !(t.is_finite() && t > 0.0) {
                return Err(bad(
                    format!("GSIM tariff {}", pair()),
                    format!("power factor {t} must be finite and positive (1 + t with t > -1)"),
                ));
            }
        }
    }
    for (e, region) in b.elasticities.iter().zip(&regions) {
        e.check(&format!("GSIM elasticities of {region}"))?;
    }
    Ok(())
}

/// Baseline data prepared for evaluation; `[r * n + v]` indexing.
struct Model {
    n: usize,
    m0: Vec<f64>,
    x0: Vec<f64>,
    q0: Vec<f64>,
    share0: Vec<f64>,
    ln_tau: Vec<f64>,
    tau_hat: Vec<f64>,
    t0: Vec<f64>,
    t1: Vec<f64>,
    em: Vec<f64>,
    es: Vec<f64>,
    ex: Vec<f64>,
    /// Exporters whose world price is solved for.
    active: Vec<usize>,
}

/// Levels-form quantities at one price vector.
struct LevelsState {
    ln_index: Vec<f64>,
    share: Vec<f64>,
    demand: Vec<f64>,
    total: Vec<f64>,
}

impl LevelsState {
    fn new(n: usize) -> Self {
        Self { ln_index: vec![0.0; n], share: vec![0.0; n * n], demand: vec![0.0; n * n], total: vec![0.0; n] }
    }
}

impl Model {
    fn new(b: &GsimBaseline, after: &BilateralMatrix) -> Self {
        let n = b.regions.len();
        let m0 = b.trade.values.clone();
        let t0 = b.tariffs.values.clone();
        let t1 = after.values.clone();
        let x0: Vec<f64> = (0..n).map(|r| m0[r * n..(r + 1) * n].iter().sum()).collect();
        let q0: Vec<f64> = (0..n).map(|v| (0..n).map(|r| t0[r * n + v] * m0[r * n + v]).sum()).collect();
        let mut share0 = vec![0.0; n * n];
        for v in 0..n {
            if q0[v] > 0.0 {
                for r in 0..n {
                    share0[r * n + v] = t0[r * n + v] * m0[r * n + v] / q0[v];
                }
            }
        }
        let ln_tau = t1.iter().zip(&t0).map(|(a, b)| (a / b).ln()).collect();
        let tau_hat = t1.iter().zip(&t0).map(|(a, b)| a / b - 1.0).collect();
        let em = b.elasticities.iter().map(|e| e.import_demand).collect();
        let es = b.elasticities.iter().map(|e| e.substitution).collect();
        let ex: Vec<f64> = b.elasticities.iter().map(|e| e.export_supply).collect();
        let active = (0..n).filter(|&r| x0[r] > 0.0 && ex[r].is_finite()).collect();
        Self { n, m0, x0, q0, share0, ln_tau, tau_hat, t0, t1, em, es, ex, active }
    }

    /// The unknowns of the active exporters spread over all regions (others 0).
    fn expand(&self, x: &[f64]) -> Vec<f64> {
        let mut full = vec![0.0; self.n];
        for (&r, &xi) in self.active.iter().zip(x) {
            full[r] = xi;
        }
        full
    }

    /// Price index, current shares and demands at log world prices `z`.
    fn levels_eval(&self, z: &[f64], st: &mut LevelsState) {
        let n = self.n;
        st.demand.fill(0.0);
        st.share.fill(0.0);
        for v in 0..n {
            st.ln_index[v] = 0.0;
            if self.q0[v] <= 0.0 {
                continue;
            }
            let rho = 1.0 - self.es[v];
            let ln_index = if rho.abs() < 1e-12 {
                let mut sum = 0.0;
                for (r, &z_r) in z.iter().enumerate() {
                    let k = r * n + v;
                    if self.share0[k] > 0.0 {
                        sum += self.share0[k] * (self.ln_tau[k] + z_r);
                        st.share[k] = self.share0[k];
                    }
                }
                sum
            } else {
                // log-sum-exp of ln N_rv + ρ ln p̃_rv
                let mut top = f64::NEG_INFINITY;
                for (r, &z_r) in z.iter().enumerate() {
                    let k = r * n + v;
                    if self.share0[k] > 0.0 {
                        let a = self.share0[k].ln() + rho * (self.ln_tau[k] + z_r);
                        st.share[k] = a;
                        top = top.max(a);
                    }
                }
                let mut sum = 0.0;
                for r in 0..n {
                    let k = r * n + v;
                    if self.share0[k] > 0.0 {
                        let e = (st.share[k] - top).exp();
                        st.share[k] = e;
                        sum += e;
                    }
                }
                for r in 0..n {
                    st.share[r * n + v] /= sum;
                }
                (top + sum.ln()) / rho
            };
            st.ln_index[v] = ln_index;
            let (es, em) = (self.es[v], self.em[v]);
            for (r, &z_r) in z.iter().enumerate() {
                let k = r * n + v;
                if self.m0[k] > 0.0 {
                    st.demand[k] = self.m0[k] * (-es * (self.ln_tau[k] + z_r) + (es + em) * ln_index).exp();
                }
            }
        }
        for r in 0..n {
            st.total[r] = st.demand[r * n..(r + 1) * n].iter().sum();
        }
    }

    /// `F_r = ln D_r − ln X_r − E_x z_r` for the active exporters; false
    /// when a value is not finite.
    fn levels_residual(&self, x: &[f64], st: &LevelsState, f: &mut [f64]) -> bool {
        for (i, &r) in self.active.iter().enumerate() {
            f[i] = st.total[r].ln() - self.x0[r].ln() - self.ex[r] * x[i];
        }
        f.iter().all(|v| v.is_finite())
    }

    /// `J_is = Σ_v w_rv [(E_s + E_m) N_sv − E_s δ_rs] − E_x δ_rs`, row-major.
    fn levels_jacobian(&self, st: &LevelsState, j: &mut [f64]) {
        let n = self.n;
        let dim = self.active.len();
        j.fill(0.0);
        for (i, &r) in self.active.iter().enumerate() {
            let row = &mut j[i * dim..(i + 1) * dim];
            for v in 0..n {
                let k = r * n + v;
                if st.demand[k] <= 0.0 {
                    continue;
                }
                let w = st.demand[k] / st.total[r];
                let cross = w * (self.es[v] + self.em[v]);
                for (c, &s) in self.active.iter().enumerate() {
                    row[c] += cross * st.share[s * n + v];
                }
                row[i] -= w * self.es[v];
            }
            row[i] -= self.ex[r];
        }
    }

    /// Linear form: `P̂_v = Σ_s N_sv (T̂_sv + p_s)` per importer at world price changes `p`.
    fn linear_index(&self, p: &[f64]) -> Vec<f64> {
        let n = self.n;
        (0..n).map(|v| (0..n).map(|s| self.share0[s * n + v] * (self.tau_hat[s * n + v] + p[s])).sum()).collect()
    }

    /// Linear form: `M̂_rv = E_s (P̂_v − P̂_rv) + E_m P̂_v`.
    fn linear_demand_change(&self, p: &[f64], index: &[f64], r: usize, v: usize) -> f64 {
        let own = self.tau_hat[r * self.n + v] + p[r];
        self.es[v] * (index[v] - own) + self.em[v] * index[v]
    }

    /// Linear form: `(Σ_v M_rv M̂_rv − X_r E_x p_r) / X_r`.
    fn linear_residual(&self, x: &[f64], f: &mut [f64]) -> bool {
        let prices = self.expand(x);
        let index = self.linear_index(&prices);
        for (i, &r) in self.active.iter().enumerate() {
            let mut demand = 0.0;
            for v in 0..self.n {
                let base = self.m0[r * self.n + v];
                if base > 0.0 {
                    demand += base * self.linear_demand_change(&prices, &index, r, v);
                }
            }
            f[i] = demand / self.x0[r] - self.ex[r] * x[i];
        }
        f.iter().all(|value| value.is_finite())
    }

    /// Linear form: the constant Jacobian (the levels one at the baseline).
    fn linear_jacobian(&self, j: &mut [f64]) {
        let n = self.n;
        let dim = self.active.len();
        j.fill(0.0);
        for (i, &r) in self.active.iter().enumerate() {
            let row = &mut j[i * dim..(i + 1) * dim];
            for v in 0..n {
                let w = self.m0[r * n + v] / self.x0[r];
                if w <= 0.0 {
                    continue;
                }
                for (c, &s) in self.active.iter().enumerate() {
                    row[c] += w * (self.es[v] + self.em[v]) * self.share0[s * n + v];
                }
                row[i] -= w * self.es[v];
            }
            row[i] -= self.ex[r];
        }
    }

    fn empty_outcome(&self, form: GsimForm) -> GsimOutcome {
        let n = self.n;
        GsimOutcome {
            regions: Vec::new(),
            form,
            world_price_change: vec![0.0; n],
            internal_price_change: BilateralMatrix::filled(n, 0.0),
            import_price_index_change: vec![0.0; n],
            trade_volume_after: BilateralMatrix::filled(n, 0.0),
            trade_after: BilateralMatrix::filled(n, 0.0),
            tariff_revenue_change: vec![0.0; n],
            consumer_surplus_change: vec![0.0; n],
            producer_surplus_change: vec![0.0; n],
            welfare_gain: vec![0.0; n],
            iterations: 0,
            residual: 0.0,
            negative_flows: Vec::new(),
        }
    }

    /// Revenue change and welfare once prices and volumes are filled in.
    fn finish(&self, out: &mut GsimOutcome) {
        let n = self.n;
        for v in 0..n {
            let mut change = 0.0;
            for r in 0..n {
                let k = r * n + v;
                change += (self.t1[k] - 1.0) * out.trade_after.values[k] - (self.t0[k] - 1.0) * self.m0[k];
            }
            out.tariff_revenue_change[v] = change;
        }
        for i in 0..n {
            out.welfare_gain[i] =
                out.consumer_surplus_change[i] + out.producer_surplus_change[i] + out.tariff_revenue_change[i];
        }
    }

    fn levels_outcome(&self, z: &[f64]) -> GsimOutcome {
        let n = self.n;
        let mut st = LevelsState::new(n);
        self.levels_eval(z, &mut st);
        let mut out = self.empty_outcome(GsimForm::Levels);
        for (r, &z_r) in z.iter().enumerate() {
            let price = z_r.exp();
            out.world_price_change[r] = z_r.exp_m1();
            for v in 0..n {
                let k = r * n + v;
                out.internal_price_change.values[k] = (self.ln_tau[k] + z_r).exp_m1();
                out.trade_volume_after.values[k] = st.demand[k];
                out.trade_after.values[k] = st.demand[k] * price;
            }
            let ex = self.ex[r];
            out.producer_surplus_change[r] = if self.x0[r] > 0.0 && ex.is_finite() {
                if (1.0 + ex).abs() < 1e-12 {
                    self.x0[r] * z_r
                } else {
                    self.x0[r] * ((1.0 + ex) * z_r).exp_m1() / (1.0 + ex)
                }
            } else {
                0.0
            };
        }
        for v in 0..n {
            let ln_p = st.ln_index[v];
            out.import_price_index_change[v] = ln_p.exp_m1();
            let em = self.em[v];
            out.consumer_surplus_change[v] = if (1.0 + em).abs() < 1e-12 {
                -self.q0[v] * ln_p
            } else {
                -self.q0[v] * ((1.0 + em) * ln_p).exp_m1() / (1.0 + em)
            };
        }
        self.finish(&mut out);
        out
    }

    fn linear_outcome(&self, p: &[f64]) -> GsimOutcome {
        let n = self.n;
        let index = self.linear_index(p);
        let mut out = self.empty_outcome(GsimForm::Linear);
        for r in 0..n {
            out.world_price_change[r] = p[r];
            for v in 0..n {
                let k = r * n + v;
                out.internal_price_change.values[k] = self.tau_hat[k] + p[r];
                let volume = if self.m0[k] > 0.0 {
                    self.m0[k] * (1.0 + self.linear_demand_change(p, &index, r, v))
                } else {
                    0.0
                };
                out.trade_volume_after.values[k] = volume;
                out.trade_after.values[k] = volume * (1.0 + p[r]);
                if volume < 0.0 {
                    out.negative_flows.push((r, v));
                }
            }
            out.producer_surplus_change[r] = if self.x0[r] > 0.0 && self.ex[r].is_finite() {
                self.x0[r] * p[r] * (1.0 + 0.5 * self.ex[r] * p[r])
            } else {
                0.0
            };
        }
        for (v, &change) in index.iter().enumerate() {
            out.import_price_index_change[v] = change;
            out.consumer_surplus_change[v] = -self.q0[v] * change * (1.0 + 0.5 * self.em[v] * change);
        }
        self.finish(&mut out);
        out
    }
}

struct NewtonFailure {
    iterations: usize,
    residual: f64,
    worst: Option<usize>,
    reason: &'static str,
}

fn max_abs(f: &[f64]) -> (f64, Option<usize>) {
    let mut best = (0.0, None);
    for (i, &v) in f.iter().enumerate() {
        let size = v.abs();
        if size.is_nan() || size > best.0 {
            best = (size, Some(i));
        }
    }
    best
}

/// Newton with backtracking on `½‖F‖²`; returns (iterations, final max |F|).
fn newton(
    x: &mut [f64],
    options: &GsimOptions,
    mut residual: impl FnMut(&[f64], &mut [f64]) -> bool,
    mut jacobian: impl FnMut(&[f64], &mut [f64]),
) -> std::result::Result<(usize, f64), NewtonFailure> {
    let dim = x.len();
    let mut f = vec![0.0; dim];
    let mut f_new = vec![0.0; dim];
    let mut x_new = vec![0.0; dim];
    let mut j = vec![0.0; dim * dim];
    let mut step = vec![0.0; dim];
    let fail = |iterations, f: &[f64], reason| {
        let (residual, worst) = max_abs(f);
        NewtonFailure { iterations, residual, worst, reason }
    };
    if !residual(x, &mut f) {
        return Err(fail(0, &f, "non-finite residual at the baseline"));
    }
    let mut merit: f64 = f.iter().map(|v| v * v).sum();
    for it in 0..options.max_iterations {
        let (norm, _) = max_abs(&f);
        if norm <= options.tolerance {
            return Ok((it, norm));
        }
        jacobian(x, &mut j);
        for (s, fi) in step.iter_mut().zip(&f) {
            *s = -fi;
        }
        if !solve_dense(&mut j, &mut step) {
            return Err(fail(it, &f, "singular Jacobian"));
        }
        let mut lambda = 1.0;
        loop {
            for ((xn, xi), si) in x_new.iter_mut().zip(x.iter()).zip(&step) {
                *xn = xi + lambda * si;
            }
            if residual(&x_new, &mut f_new) {
                let m: f64 = f_new.iter().map(|v| v * v).sum();
                if m <= (1.0 - 1e-4 * lambda) * merit {
                    merit = m;
                    break;
                }
            }
            lambda *= 0.5;
            if lambda < 1e-12 {
                return Err(fail(it, &f, "line search stalled"));
            }
        }
        x.copy_from_slice(&x_new);
        f.copy_from_slice(&f_new);
    }
    let (norm, _) = max_abs(&f);
    if norm <= options.tolerance {
        Ok((options.max_iterations, norm))
    } else {
        Err(fail(options.max_iterations, &f, "iteration limit reached"))
    }
}

/// Solves `a · x = b` in place (`b` becomes `x`) by Gaussian elimination with
/// partial pivoting; false when `a` is singular to working precision.
fn solve_dense(a: &mut [f64], b: &mut [f64]) -> bool {
    let n = b.len();
    let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return n == 0;
    }
    for col in 0..n {
        let mut piv = col;
        for row in col + 1..n {
            if a[row * n + col].abs() > a[piv * n + col].abs() {
                piv = row;
            }
        }
        let pivot = a[piv * n + col].abs();
        if pivot.is_nan() || pivot <= 1e-14 * scale {
            return false;
        }
        if piv != col {
            for c in 0..n {
                a.swap(piv * n + c, col * n + c);
            }
            b.swap(piv, col);
        }
        let d = a[col * n + col];
        for row in col + 1..n {
            let factor = a[row * n + col] / d;
            if factor != 0.0 {
                for c in col..n {
                    a[row * n + c] -= factor * a[col * n + c];
                }
                b[row] -= factor * b[col];
            }
        }
    }
    for col in (0..n).rev() {
        let mut s = b[col];
        for c in col + 1..n {
            s -= a[col * n + c] * b[c];
        }
        b[col] = s / a[col * n + col];
    }
    true
}
