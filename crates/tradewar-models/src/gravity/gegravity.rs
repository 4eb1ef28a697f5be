//! `gegravity`-compatible structural gravity (USITC `gegravity` 0.3, `OneSectorGE`).

use super::balance::{balance, Balanced, Problem};
use super::data::GravityData;
use super::full_ge::GeShock;
use super::panel::GravityPanel;
use super::{invalid, pct_change, validate_countries, validate_sigma, validate_square, SolverOptions};
use crate::Result;

const SOLVER: &str = "gegravity multilateral resistances";

/// Settings of a [`GegravityModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct GegravityConfig {
    /// Elasticity of substitution σ (> 1); `gegravity`'s documentation uses 5.
    pub sigma: f64,
    /// Code of the reference importer, whose inward resistance `P` is fixed at 1 (e.g. `"DEU"`). Matched
    /// exactly, case included (`gegravity` picks it by renaming and sorting, so lower-case codes silently change
    /// its choice; here they are simply other codes).
    pub reference_importer: String,
    /// Tolerance and iteration cap.
    pub solver: SolverOptions,
}

impl GegravityConfig {
    /// σ and the reference importer, with default solver options.
    pub fn new(sigma: f64, reference_importer: impl Into<String>) -> Self {
        Self { sigma, reference_importer: reference_importer.into(), solver: SolverOptions::default() }
    }
}

/// The structural gravity model of `gegravity`'s `OneSectorGE`, with its baseline solved.
///
/// Formulation (read from `gegravity` 0.3, written independently here):
///
/// * trade-cost terms `T_ij = t_ij^(1−σ)` are given (usually [`GravityPanel::cost_terms`]);
/// * output `Y_i` and expenditure `E_j` are **data columns**, not row and column sums of trade; shares are
///   `s_i = Y_i / Σ Y` and `e_j = E_j / Σ E` (the two totals differ in general);
/// * the unknowns are `x_omr_i = 1/Π_i^(1−σ)` and `x_imr_j = 1/P_j^(1−σ)`, with the reference importer's
///   `x_imr = 1`, solving `x_omr_i · Σ_j T_ij e_j x_imr_j = 1` and `x_imr_j · Σ_i T_ij s_i x_omr_i = 1`;
/// * modelled trade is `X_ij = T_ij · E_j · s_i · x_imr_j · x_omr_i`;
/// * the counterfactual ("conditional") resistances solve the same equations with the new `T'` and the
///   **baseline** shares `s`, `e`. `gegravity`'s "full GE" adds factory-gate prices as unknowns but keeps the
///   baseline shares in the resistance equations, so its full-GE resistances equal the conditional ones (up to
///   its solver's tolerance) and its prices come out in closed form, `p_i = (x'_omr_i / x_omr_i)^(1/(1−σ)) =
///   Π_i / Π'_i`. This is therefore not a full-endowment equilibrium: markets do not clear at the new output
///   (use [`solve_full_ge`](super::solve_full_ge) for that).
///
/// Both systems are solved by the exact alternating (bi-proportional) update of the two resistance vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct GegravityModel {
    countries: Vec<String>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
    output_share: Vec<f64>,
    expenditure_share: Vec<f64>,
    cost_terms: Vec<f64>,
    sigma: f64,
    reference: usize,
    solver: SolverOptions,
    baseline: Balanced,
}

/// One country's results, with `gegravity`'s `country_results` and `country_mr_terms` columns.
///
/// Every `*_change_pct` is `100 · (experiment / baseline − 1)`. `P` is the inward multilateral resistance (the
/// consumer price index, IMR), `Π` the outward one (OMR), both as levels, `p` the factory-gate price (baseline 1).
#[derive(Debug, Clone, PartialEq)]
pub struct GegravityCountryResult {
    /// Country code.
    pub country: String,
    /// "factory gate price change (percent)": `100 (p' − 1)`, with `p' = Π / Π'`.
    pub factory_gate_price_change_pct: f64,
    /// "omr change (percent)": `100 (Π'/Π − 1)`.
    pub omr_change_pct: f64,
    /// "imr change (percent)": `100 (P'/P − 1)`; 0 for the reference importer.
    pub imr_change_pct: f64,
    /// "GDP change (percent)": real GDP `Y/P`, i.e. `100 (p' P / P' − 1)`.
    pub gdp_change_pct: f64,
    /// "welfare statistic", as `gegravity` defines it: `(E/P) / (E'/P')`, baseline over experiment, so **below
    /// 1 is a gain**. See [`welfare_gain_pct`](Self::welfare_gain_pct) for the usual sign.
    pub welfare_statistic: f64,
    /// The same welfare measure with a gain positive: `100 ((E'/P') / (E/P) − 1)`.
    pub welfare_gain_pct: f64,
    /// "terms of trade change (percent)": terms of trade `p / P` (factory-gate over consumer price), so
    /// `100 (p' P / P' − 1)`; equal to the GDP change in this model.
    pub terms_of_trade_change_pct: f64,
    /// "output change (percent)": `Y' = p' Y`, so `100 (p' − 1)`.
    pub output_change_pct: f64,
    /// "expenditure change (percent)": `E' = φ Y'` with `φ = E / Y` held, so `100 (p' − 1)`.
    pub expenditure_change_pct: f64,
    /// "foreign exports change (percent)": `Σ_{j≠i} X'_ij` over `Σ_{j≠i} X_ij`, modelled flows.
    pub foreign_exports_change_pct: f64,
    /// "foreign imports change (percent)": `Σ_{i≠j} X'_ij` over `Σ_{i≠j} X_ij`, modelled flows.
    pub foreign_imports_change_pct: f64,
    /// "intranational trade change (percent)": `X'_ii / X_ii`.
    pub intranational_trade_change_pct: f64,
    /// "baseline imr": `P = x_imr^(1/(σ−1))`.
    pub baseline_imr: f64,
    /// "conditional imr": `P'` with the new costs and baseline output and expenditure.
    pub conditional_imr: f64,
    /// "experiment imr": `gegravity`'s full-GE `P'`, mathematically equal to the conditional one.
    pub experiment_imr: f64,
    /// "baseline omr": `Π = x_omr^(1/(σ−1))`.
    pub baseline_omr: f64,
    /// "conditional omr".
    pub conditional_omr: f64,
    /// "experiment omr", mathematically equal to the conditional one.
    pub experiment_omr: f64,
    /// Experiment factory-gate price `p'` (baseline 1).
    pub experiment_factory_price: f64,
    /// Baseline output `Y` (data).
    pub baseline_output: f64,
    /// Experiment output `Y' = p' Y`.
    pub experiment_output: f64,
    /// Baseline expenditure `E` (data).
    pub baseline_expenditure: f64,
    /// Experiment expenditure `E' = p' E`.
    pub experiment_expenditure: f64,
}

/// One pair's modelled trade (`gegravity`'s `bilateral_trade_results`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GegravityPairResult {
    /// Exporter position in [`GegravityResults::countries`].
    pub exporter: usize,
    /// Importer position.
    pub importer: usize,
    /// "baseline modeled trade": `T_ij E_j s_i x_imr_j x_omr_i`.
    pub baseline_trade: f64,
    /// "experiment trade": `T'_ij E'_j s'_i x'_imr_j x'_omr_i` with `E' = p' E`, `s'_i = Y'_i / Σ Y'`.
    pub experiment_trade: f64,
    /// "trade change (percent)".
    pub trade_change_pct: f64,
}

/// Results of [`GegravityModel::simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct GegravityResults {
    /// Per-country results, in the model's country order (sorted codes when built from a panel).
    pub countries: Vec<GegravityCountryResult>,
    /// Per-pair results, exporter-major (`exporter * N + importer`).
    pub bilateral: Vec<GegravityPairResult>,
    /// Fixed-point iterations of the counterfactual resistance solve.
    pub iterations: usize,
    /// Largest relative violation of the counterfactual resistance equations.
    pub residual: f64,
}

impl GegravityResults {
    /// The result of a country by code.
    pub fn country(&self, code: &str) -> Option<&GegravityCountryResult> {
        self.countries.iter().find(|c| c.country == code)
    }

    /// The result of a pair by positions.
    pub fn pair(&self, exporter: usize, importer: usize) -> Option<&GegravityPairResult> {
        let n = self.countries.len();
        if exporter < n && importer < n {
            self.bilateral.get(exporter * n + importer)
        } else {
            None
        }
    }
}

impl GegravityModel {
    /// Builds the model and solves its baseline resistances.
    ///
    /// `output` (`Y_i`) and `expenditure` (`E_j`) are per country; `cost_terms` are `T_ij = t_ij^(1−σ)`,
    /// `N × N` row-major with exporter rows (0 closes a route). Errors with `InvalidInput` on empty or repeated
    /// codes, wrong lengths, non-positive or non-finite output or expenditure, negative or non-finite cost
    /// terms, σ ≤ 1, an unknown reference importer, or a country with every route closed; with
    /// `NonConvergence` when the resistances do not converge.
    pub fn new(
        countries: &[String],
        output: &[f64],
        expenditure: &[f64],
        cost_terms: &[f64],
        config: &GegravityConfig,
    ) -> Result<Self> {
        let countries = &validate_countries(countries.to_vec())?;
        validate_sigma(config.sigma)?;
        config.solver.validate()?;
        let n = countries.len();
        for (what, values) in [("output", output), ("expenditure", expenditure)] {
            if values.len() != n {
                return Err(invalid(what, format!("expected {n} values (one per country), got {}", values.len())));
            }
            for (i, &v) in values.iter().enumerate() {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(
                        format!("{what} of {}", countries[i]),
                        format!("must be positive and finite, got {v}"),
                    ));
                }
            }
        }
        validate_square("trade-cost term", cost_terms, countries)?;
        let reference_code = super::economy_code(&config.reference_importer)?;
        let reference = countries.iter().position(|c| *c == reference_code).ok_or_else(|| {
            invalid("reference importer", format!("{} is not one of the countries", config.reference_importer))
        })?;
        let total_output: f64 = output.iter().sum();
        let total_expenditure: f64 = expenditure.iter().sum();
        let output_share: Vec<f64> = output.iter().map(|y| y / total_output).collect();
        let expenditure_share: Vec<f64> = expenditure.iter().map(|e| e / total_expenditure).collect();
        let mut model = Self {
            countries: countries.clone(),
            output: output.to_vec(),
            expenditure: expenditure.to_vec(),
            output_share,
            expenditure_share,
            cost_terms: cost_terms.to_vec(),
            sigma: config.sigma,
            reference,
            solver: config.solver,
            baseline: Balanced { a: Vec::new(), b: Vec::new(), iterations: 0, residual: 0.0 },
        };
        model.baseline = model.solve_resistances(cost_terms, None)?;
        Ok(model)
    }

    /// Builds the model from a panel's countries, `Y` and `E` columns and the given cost terms.
    pub fn from_panel(panel: &GravityPanel, cost_terms: &[f64], config: &GegravityConfig) -> Result<Self> {
        Self::new(panel.countries(), panel.output(), panel.expenditure(), cost_terms, config)
    }

    fn solve_resistances(&self, cost_terms: &[f64], start: Option<&[f64]>) -> Result<Balanced> {
        let problem = Problem {
            kernel: cost_terms,
            rows: &self.output_share,
            cols: &self.expenditure_share,
            reference: self.reference,
            reference_value: self.expenditure_share[self.reference],
            countries: &self.countries,
            solver: SOLVER,
        };
        balance(&problem, start, &self.solver)
    }

    /// The country codes, in model order.
    pub fn countries(&self) -> &[String] {
        &self.countries
    }

    /// σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Position of the reference importer.
    pub fn reference_index(&self) -> usize {
        self.reference
    }

    /// Fixed-point iterations of the baseline solve.
    pub fn baseline_iterations(&self) -> usize {
        self.baseline.iterations
    }

    /// Largest relative violation of the baseline resistance equations.
    pub fn baseline_residual(&self) -> f64 {
        self.baseline.residual
    }

    /// `x_imr_j = 1/P_j^(1−σ)` from the column multipliers `b_j = e_j x_imr_j`.
    fn x_imr(&self, b: &[f64]) -> Vec<f64> {
        b.iter().zip(&self.expenditure_share).map(|(b, e)| b / e).collect()
    }

    /// `x_omr_i = 1/Π_i^(1−σ)` from the row multipliers `a_i = s_i x_omr_i`.
    fn x_omr(&self, a: &[f64]) -> Vec<f64> {
        a.iter().zip(&self.output_share).map(|(a, s)| a / s).collect()
    }

    fn level(&self, x: f64) -> f64 {
        x.powf(1.0 / (self.sigma - 1.0))
    }

    /// Baseline inward multilateral resistances `P_j` (`gegravity`'s "baseline imr"; 1 for the reference).
    pub fn baseline_imr(&self) -> Vec<f64> {
        self.x_imr(&self.baseline.b).into_iter().map(|x| self.level(x)).collect()
    }

    /// Baseline outward multilateral resistances `Π_i` (`gegravity`'s "baseline omr").
    pub fn baseline_omr(&self) -> Vec<f64> {
        self.x_omr(&self.baseline.a).into_iter().map(|x| self.level(x)).collect()
    }

    /// Baseline modelled trade `X_ij = T_ij E_j s_i x_imr_j x_omr_i` (`N × N`, exporter rows).
    pub fn baseline_trade(&self) -> Vec<f64> {
        modelled_trade(&self.cost_terms, &self.baseline.a, &self.baseline.b, self.expenditure.iter().sum())
    }

    /// The baseline modelled trade as a [`GravityData`], the starting point of a full-endowment GE
    /// ([`solve_full_ge`](super::solve_full_ge)) on a coefficient-based baseline. Its column sums are the data's
    /// `E_j`; its row sums are `Y_i · Σ E / Σ Y`.
    pub fn baseline_trade_data(&self) -> Result<GravityData> {
        GravityData::from_trade_matrix(self.countries.clone(), self.baseline_trade())
    }

    /// The shock `T'/T` of moving from the baseline cost terms to `counterfactual_cost_terms`, for
    /// [`solve_full_ge`](super::solve_full_ge) on [`baseline_trade_data`](Self::baseline_trade_data).
    pub fn cost_shock(&self, counterfactual_cost_terms: &[f64]) -> Result<GeShock> {
        GeShock::from_cost_terms(&self.cost_terms, counterfactual_cost_terms)
    }

    /// Runs the counterfactual with new cost terms `T'` (`N × N`), as `gegravity`'s `simulate()`.
    pub fn simulate(&self, counterfactual_cost_terms: &[f64]) -> Result<GegravityResults> {
        validate_square("counterfactual trade-cost term", counterfactual_cost_terms, &self.countries)?;
        let n = self.countries.len();
        let cf = self.solve_resistances(counterfactual_cost_terms, Some(&self.baseline.b))?;
        let inv = 1.0 / (1.0 - self.sigma);
        let base_imr = self.x_imr(&self.baseline.b);
        let base_omr = self.x_omr(&self.baseline.a);
        let cf_imr = self.x_imr(&cf.b);
        let cf_omr = self.x_omr(&cf.a);
        // Factory-gate prices p_i = (x'_omr / x_omr)^(1/(1−σ)); output and expenditure move with them.
        let price: Vec<f64> = cf_omr.iter().zip(&base_omr).map(|(c, b)| (c / b).powf(inv)).collect();
        let new_output: Vec<f64> = price.iter().zip(&self.output).map(|(p, y)| p * y).collect();
        let new_expenditure: Vec<f64> = price.iter().zip(&self.expenditure).map(|(p, e)| p * e).collect();
        let total_new_output: f64 = new_output.iter().sum();

        let baseline_trade = self.baseline_trade();
        let mut bilateral = Vec::with_capacity(n * n);
        for i in 0..n {
            let origin = cf_omr[i] * new_output[i] / total_new_output;
            for j in 0..n {
                let k = i * n + j;
                let base = baseline_trade[k];
                let new = counterfactual_cost_terms[k] * new_expenditure[j] * origin * cf_imr[j];
                let change = if base == 0.0 { 0.0 } else { pct_change(new, base) };
                bilateral.push(GegravityPairResult {
                    exporter: i,
                    importer: j,
                    baseline_trade: base,
                    experiment_trade: new,
                    trade_change_pct: change,
                });
            }
        }
        let flows = |pick: fn(&GegravityPairResult) -> f64| {
            let mut foreign_exports = vec![0.0; n];
            let mut foreign_imports = vec![0.0; n];
            for p in &bilateral {
                if p.exporter != p.importer {
                    foreign_exports[p.exporter] += pick(p);
                    foreign_imports[p.importer] += pick(p);
                }
            }
            (foreign_exports, foreign_imports)
        };
        let (base_fx, base_fm) = flows(|p| p.baseline_trade);
        let (new_fx, new_fm) = flows(|p| p.experiment_trade);

        let countries = (0..n)
            .map(|i| {
                let p_base = self.level(base_imr[i]);
                let p_new = self.level(cf_imr[i]);
                let pi_base = self.level(base_omr[i]);
                let pi_new = self.level(cf_omr[i]);
                let welfare_base = self.expenditure[i] / p_base;
                let welfare_new = new_expenditure[i] / p_new;
                let real_gdp_base = self.output[i] / p_base;
                let real_gdp_new = new_output[i] / p_new;
                let intra = &bilateral[i * n + i];
                GegravityCountryResult {
                    country: self.countries[i].clone(),
                    factory_gate_price_change_pct: pct_change(price[i], 1.0),
                    omr_change_pct: pct_change(pi_new, pi_base),
                    imr_change_pct: pct_change(p_new, p_base),
                    gdp_change_pct: pct_change(real_gdp_new, real_gdp_base),
                    welfare_statistic: welfare_base / welfare_new,
                    welfare_gain_pct: pct_change(welfare_new, welfare_base),
                    terms_of_trade_change_pct: pct_change(price[i] / p_new, 1.0 / p_base),
                    output_change_pct: pct_change(new_output[i], self.output[i]),
                    expenditure_change_pct: pct_change(new_expenditure[i], self.expenditure[i]),
                    foreign_exports_change_pct: ratio_pct(new_fx[i], base_fx[i]),
                    foreign_imports_change_pct: ratio_pct(new_fm[i], base_fm[i]),
                    intranational_trade_change_pct: intra.trade_change_pct,
                    baseline_imr: p_base,
                    conditional_imr: p_new,
                    experiment_imr: p_new,
                    baseline_omr: pi_base,
                    conditional_omr: pi_new,
                    experiment_omr: pi_new,
                    experiment_factory_price: price[i],
                    baseline_output: self.output[i],
                    experiment_output: new_output[i],
                    baseline_expenditure: self.expenditure[i],
                    experiment_expenditure: new_expenditure[i],
                }
            })
            .collect();
        Ok(GegravityResults { countries, bilateral, iterations: cf.iterations, residual: cf.residual })
    }
}

/// `X_ij = T_ij · (Σ E) b_j · a_i`, i.e. `T_ij E_j s_i x_imr_j x_omr_i` with `a_i = s_i x_omr_i`,
/// `b_j = e_j x_imr_j`.
fn modelled_trade(cost_terms: &[f64], a: &[f64], b: &[f64], total_expenditure: f64) -> Vec<f64> {
    let n = a.len();
    let mut out = Vec::with_capacity(n * n);
    for (row, ai) in cost_terms.chunks_exact(n).zip(a) {
        let scale = ai * total_expenditure;
        out.extend(row.iter().zip(b).map(|(t, bj)| t * bj * scale));
    }
    out
}

/// Percent change of an aggregate, 0 when the baseline aggregate is 0 (and therefore the new one too).
fn ratio_pct(new: f64, old: f64) -> f64 {
    if old == 0.0 {
        0.0
    } else {
        pct_change(new, old)
    }
}
