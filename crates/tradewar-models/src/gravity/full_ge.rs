//! Full-endowment structural gravity GE in exact-hat form (Larch & Yotov 2016; DESIGN §4.4).

use rayon::prelude::*;

use super::balance::{balance, dot, Problem};
use super::data::GravityData;
use super::fixed_point::{self, Failure};
use super::{equation_slack, invalid, name_of, pct_change, validate_sigma, SolverOptions};
use crate::{ModelError, Result};

/// How trade deficits are held in the counterfactual. Either way world deficits sum to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeficitClosure {
    /// The ratio `φ_j` of spending on goods (net of duties) to output is held, up to one world scalar `λ`
    /// chosen so that world spending equals world output: `E'_j − R'_j = λ φ_j Y'_j` (Larch & Yotov's
    /// `E = φ Y`, made exactly consistent). Independent of the numéraire. The default.
    #[default]
    ExpenditureRatio,
    /// Nominal deficits `D_j = E_j − R_j − Y_j` are held in units of the numéraire (the reference country's
    /// consumer price index): `E'_j − R'_j = Y'_j + D_j`. Results then depend on the choice of reference.
    NominalDeficit,
}

/// Settings of [`solve_full_ge`].
#[derive(Debug, Clone, PartialEq)]
pub struct GeConfig {
    /// Elasticity of substitution σ (> 1); the trade elasticity is `1 − σ`.
    pub sigma: f64,
    /// Position of the reference country whose consumer price index (inward resistance `P`) is held fixed:
    /// the numéraire.
    pub reference: usize,
    /// How deficits are held.
    pub deficits: DeficitClosure,
    /// When true, baseline and counterfactual flows are valued **including** duties (importer's spending),
    /// producers receive `X_ij / (1 + τ_ij)`, and the duty `X_ij τ_ij / (1 + τ_ij)` is added to the importer's
    /// income. When false (as in `gegravity`), a duty is a pure trade cost: flows are producers' receipts and
    /// no revenue is collected (reported revenue is 0).
    pub rebate_tariff_revenue: bool,
    /// Tolerance and iteration cap.
    pub solver: SolverOptions,
}

impl GeConfig {
    /// σ and the reference country; deficits held as ratios, no tariff revenue, default solver options.
    pub fn new(sigma: f64, reference: usize) -> Self {
        Self {
            sigma,
            reference,
            deficits: DeficitClosure::default(),
            rebate_tariff_revenue: false,
            solver: SolverOptions::default(),
        }
    }
}

/// A counterfactual for [`solve_full_ge`]: changes of bilateral trade costs, ad valorem duties before and after,
/// and export bans, per exporter × importer pair (positions in the baseline's country order).
///
/// The trade-cost term of a pair changes by
/// `T'_ij / T_ij = r_ij · c_ij^(1−σ) · ((1 + τ'_ij) / (1 + τ_ij))^(1−σ)`, where `c_ij = t'_ij / t_ij` is a change of
/// the (non-tariff) cost factor, `r_ij` a change given directly in `t^(1−σ)` form (e.g. from estimated
/// coefficients), `τ`, `τ'` the baseline and counterfactual duties; a banned pair gets `T'_ij = 0` (a prohibitive
/// cost: the flow goes to zero and buyers substitute). In the exact-hat form a route with no baseline flow stays
/// closed.
#[derive(Debug, Clone, PartialEq)]
pub struct GeShock {
    n: usize,
    cost_factor_change: Vec<f64>,
    cost_term_change: Vec<f64>,
    baseline_tariff: Vec<f64>,
    counterfactual_tariff: Vec<f64>,
    banned: Vec<bool>,
}

impl GeShock {
    /// No change at all, for `n` countries.
    pub fn none(n: usize) -> Self {
        Self {
            n,
            cost_factor_change: vec![1.0; n * n],
            cost_term_change: vec![1.0; n * n],
            baseline_tariff: vec![0.0; n * n],
            counterfactual_tariff: vec![0.0; n * n],
            banned: vec![false; n * n],
        }
    }

    /// The change from baseline cost terms `T = t^(1−σ)` to counterfactual ones `T'` (both `N × N`, exporter
    /// rows), as [`set_cost_term_change`](Self::set_cost_term_change) for every pair. A pair with `T = 0` must keep
    /// `T' = 0` (a closed route cannot be opened in exact-hat form).
    pub fn from_cost_terms(baseline: &[f64], counterfactual: &[f64]) -> Result<Self> {
        let n = (baseline.len() as f64).sqrt().round() as usize;
        if n * n != baseline.len() || counterfactual.len() != baseline.len() {
            return Err(invalid(
                "cost terms",
                format!(
                    "baseline ({}) and counterfactual ({}) must both hold N × N values",
                    baseline.len(),
                    counterfactual.len()
                ),
            ));
        }
        let mut shock = Self::none(n);
        for (k, (&t0, &t1)) in baseline.iter().zip(counterfactual).enumerate() {
            let (i, j) = (k / n, k % n);
            if !(t0.is_finite() && t0 >= 0.0 && t1.is_finite() && t1 >= 0.0) {
                return Err(invalid(
                    format!("cost terms of pair {i} → {j}"),
                    format!("must be finite and non-negative, got {t0} and {t1}"),
                ));
            }
            shock.cost_term_change[k] = if t0 > 0.0 {
                t1 / t0
            } else if t1 == 0.0 {
                1.0
            } else {
                return Err(invalid(
                    format!("cost terms of pair {i} → {j}"),
                    "a route closed in the baseline (T = 0) cannot be opened in exact-hat form",
                ));
            };
        }
        Ok(shock)
    }

    /// Number of countries.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the shock is for zero countries.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn cell(&self, exporter: usize, importer: usize) -> Result<usize> {
        if exporter < self.n && importer < self.n {
            Ok(exporter * self.n + importer)
        } else {
            Err(invalid("shock pair", format!("({exporter}, {importer}) is out of range for {} countries", self.n)))
        }
    }

    /// Multiplies the (non-tariff) trade-cost factor of a pair by `ratio = t'_ij / t_ij` (> 0; e.g. 0.9 for a 10%
    /// cut); it enters as `ratio^(1−σ)`. Successive calls on a pair compound.
    pub fn set_cost_factor_change(&mut self, exporter: usize, importer: usize, ratio: f64) -> Result<()> {
        let k = self.cell(exporter, importer)?;
        if !(ratio.is_finite() && ratio > 0.0) {
            return Err(invalid(
                format!("cost factor change of pair {exporter} → {importer}"),
                format!("must be positive and finite, got {ratio} (use ban() for a prohibitive cost)"),
            ));
        }
        self.cost_factor_change[k] *= ratio;
        Ok(())
    }

    /// Multiplies the cost term `T_ij = t_ij^(1−σ)` of a pair by `ratio = T'_ij / T_ij` (≥ 0), e.g.
    /// `exp(β_pta)` for a new PTA with estimated coefficient `β_pta`. Successive calls on a pair compound.
    pub fn set_cost_term_change(&mut self, exporter: usize, importer: usize, ratio: f64) -> Result<()> {
        let k = self.cell(exporter, importer)?;
        if !(ratio.is_finite() && ratio >= 0.0) {
            return Err(invalid(
                format!("cost term change of pair {exporter} → {importer}"),
                format!("must be finite and non-negative, got {ratio}"),
            ));
        }
        self.cost_term_change[k] *= ratio;
        Ok(())
    }

    /// Sets the ad valorem duty of importer `importer` on goods from `exporter`: `baseline` in force in the
    /// data, `counterfactual` after the shock, as fractions (0.25 = 25%), each greater than −1.
    pub fn set_tariff(&mut self, exporter: usize, importer: usize, baseline: f64, counterfactual: f64) -> Result<()> {
        let k = self.cell(exporter, importer)?;
        for (what, rate) in [("baseline", baseline), ("counterfactual", counterfactual)] {
            if !(rate.is_finite() && rate > -1.0) {
                return Err(invalid(
                    format!("{what} tariff of pair {exporter} → {importer}"),
                    format!("must be finite and greater than −1 (a fraction, 0.25 = 25%), got {rate}"),
                ));
            }
        }
        self.baseline_tariff[k] = baseline;
        self.counterfactual_tariff[k] = counterfactual;
        Ok(())
    }

    /// Bans the exporter's sales to the importer: a prohibitive cost, `T'_ij = 0`.
    pub fn ban(&mut self, exporter: usize, importer: usize) -> Result<()> {
        let k = self.cell(exporter, importer)?;
        self.banned[k] = true;
        Ok(())
    }

    /// Whether a pair is banned (false when out of range).
    pub fn is_banned(&self, exporter: usize, importer: usize) -> bool {
        self.cell(exporter, importer).is_ok_and(|k| self.banned.get(k).copied().unwrap_or(false))
    }

    /// `T'_ij / T_ij` for every pair.
    fn cost_term_ratios(&self, sigma: f64) -> Vec<f64> {
        let e = 1.0 - sigma;
        (0..self.n * self.n)
            .map(|k| {
                if self.banned[k] {
                    return 0.0;
                }
                let factor = self.cost_factor_change[k] * (1.0 + self.counterfactual_tariff[k])
                    / (1.0 + self.baseline_tariff[k]);
                if factor == 1.0 {
                    self.cost_term_change[k]
                } else {
                    self.cost_term_change[k] * factor.powf(e)
                }
            })
            .collect()
    }
}

/// One country's results in one equilibrium (conditional or full). Every `*_change_pct` is
/// `100 · (counterfactual / baseline − 1)`, so a gain or a rise is positive.
#[derive(Debug, Clone, PartialEq)]
pub struct GeCountryResult {
    /// Country code.
    pub country: String,
    /// Welfare: the change of real income `E_j / P_j`, where `E_j` is spending (output, plus rebated duty revenue,
    /// plus the deficit) and `P_j` the consumer price index (inward resistance). Gain positive, in percent.
    pub welfare_gain_pct: f64,
    /// Real GDP `Y_j / P_j` (output deflated by the consumer price index); also the terms of trade `p_j / P_j`.
    pub real_gdp_change_pct: f64,
    /// Factory-gate price `p_i` (0 in the conditional equilibrium, where prices are fixed).
    pub factory_gate_price_change_pct: f64,
    /// Consumer price index, i.e. inward multilateral resistance `P_j` (0 for the reference country).
    pub imr_change_pct: f64,
    /// Outward multilateral resistance `Π_i`, defined by `X_ij = (Y_i E_j / Y_w) (t_ij / (Π_i P_j))^(1−σ)`
    /// (in the full equilibrium `Π̂_i^(1−σ) = Ŷ_i / (Ŷ_w p̂_i^(1−σ))`).
    pub omr_change_pct: f64,
    /// Output value `Y_i` (producers' receipts).
    pub output_change_pct: f64,
    /// Spending `E_j` (duties included when rebated).
    pub expenditure_change_pct: f64,
    /// Exports to other countries `Σ_{j≠i} X_ij`.
    pub foreign_exports_change_pct: f64,
    /// Imports from other countries `Σ_{i≠j} X_ij`.
    pub foreign_imports_change_pct: f64,
    /// Intranational (domestic) trade `X_ii`.
    pub intranational_trade_change_pct: f64,
    /// Baseline output `Y_i`.
    pub baseline_output: f64,
    /// Counterfactual output `Y'_i`.
    pub output: f64,
    /// Baseline spending `E_j`.
    pub baseline_expenditure: f64,
    /// Counterfactual spending `E'_j`.
    pub expenditure: f64,
    /// Baseline duty revenue collected by this importer (0 unless rebated).
    pub baseline_tariff_revenue: f64,
    /// Counterfactual duty revenue (0 unless rebated).
    pub tariff_revenue: f64,
    /// Counterfactual trade deficit `E'_j − R'_j − Y'_j` (baseline: `E_j − R_j − Y_j`).
    pub deficit: f64,
}

/// One pair in one equilibrium.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GePairResult {
    /// Exporter position.
    pub exporter: usize,
    /// Importer position.
    pub importer: usize,
    /// Baseline flow `X_ij`.
    pub baseline_flow: f64,
    /// Counterfactual flow `X'_ij` (0 for a banned pair).
    pub flow: f64,
    /// `100 (X'_ij / X_ij − 1)`; 0 when the baseline flow is 0 (it stays 0).
    pub change_pct: f64,
    /// Counterfactual duty revenue on the flow, `X'_ij τ'_ij / (1 + τ'_ij)` (0 unless rebated).
    pub tariff_revenue: f64,
}

/// One equilibrium of [`solve_full_ge`].
#[derive(Debug, Clone, PartialEq)]
pub struct GeEquilibrium {
    /// Per-country results, in the baseline's country order.
    pub countries: Vec<GeCountryResult>,
    /// Per-pair results, exporter-major (`exporter * N + importer`).
    pub pairs: Vec<GePairResult>,
    /// Fixed-point iterations.
    pub iterations: usize,
    /// Largest relative violation of the equilibrium's equations: market clearing `Σ_j X'_ij / (1 + τ'_ij) = Y'_i`
    /// for the full equilibrium, the inward-resistance equations for the conditional one.
    pub residual: f64,
}

impl GeEquilibrium {
    /// The result of a pair by positions.
    pub fn pair(&self, exporter: usize, importer: usize) -> Option<&GePairResult> {
        let n = self.countries.len();
        if exporter < n && importer < n {
            self.pairs.get(exporter * n + importer)
        } else {
            None
        }
    }

    /// The result of a country by code.
    pub fn country(&self, code: &str) -> Option<&GeCountryResult> {
        self.countries.iter().find(|c| c.country == code)
    }

    /// The counterfactual flows as an `N × N` row-major matrix.
    pub fn flows(&self) -> Vec<f64> {
        self.pairs.iter().map(|p| p.flow).collect()
    }
}

/// Results of [`solve_full_ge`]: the conditional equilibrium (output and expenditure fixed, factory-gate prices
/// fixed, only the multilateral resistances adjust) and the full-endowment one.
#[derive(Debug, Clone, PartialEq)]
pub struct GeResults {
    /// Conditional ("modular trade impact") equilibrium, or why it does not exist: with output and spending
    /// fixed, a ban can leave an exporter unable to sell its output (or an importer unable to spend) through the
    /// routes still open, and then only the full equilibrium, where prices adjust, exists.
    pub conditional: Result<GeEquilibrium>,
    /// Full-endowment equilibrium.
    pub full: GeEquilibrium,
}

/// The baseline quantities and the shock, prepared once.
struct Setup<'a> {
    data: &'a GravityData,
    n: usize,
    sigma: f64,
    reference: usize,
    /// `X ∘ T̂` (gross, importer's spending at the counterfactual costs before price changes).
    xt: Vec<f64>,
    /// `X ∘ T̂ / (1 + τ')`: what producers receive (`None` without rebate: then it is `xt`).
    xt_net: Option<Vec<f64>>,
    /// `1 / (1 + τ')` per pair (`None` without rebate: all 1).
    net_share: Option<Vec<f64>>,
    /// Baseline output (net of duties).
    output: Vec<f64>,
    /// Baseline spending (gross).
    expenditure: Vec<f64>,
    /// Baseline spending on goods net of duties, `Y_j + D_j`.
    net_expenditure: Vec<f64>,
    rebate: bool,
    deficits: DeficitClosure,
}

const FULL_SOLVER: &str = "full-endowment gravity GE (factory-gate prices)";
const CONDITIONAL_SOLVER: &str = "conditional gravity GE (multilateral resistances)";

/// Solves the conditional and full-endowment structural gravity GE for a shock to a baseline trade matrix.
///
/// Exact-hat form (`x̂ = x'/x`; `T = t^(1−σ)`; `π_ij = X_ij / E_j`; `ν_ij = 1/(1+τ'_ij)` when duties are rebated,
/// else 1; the reference country's consumer price index is the numéraire, `P̂_ref = 1`):
///
/// ```text
/// P̂_j^(1−σ) = Σ_i π_ij T̂_ij p̂_i^(1−σ)
/// X'_ij     = X_ij T̂_ij p̂_i^(1−σ) E'_j / (E_j P̂_j^(1−σ))
/// Y'_i      = p̂_i Y_i = Σ_j ν_ij X'_ij                       (markets clear)
/// E'_j      = Y'_j + D'_j + R'_j,  R'_j = Σ_i (1 − ν_ij) X'_ij (duty revenue, when rebated)
/// D'_j      = D_j (nominal)  or  (λ φ_j − 1) Y'_j with φ_j = (Y_j + D_j)/Y_j, Σ_j D'_j = 0 (ratio)
/// ```
///
/// The full equilibrium is the fixed point of the market-clearing update `p̂_i ← (Σ_j ν_ij X_ij T̂_ij E'_j /
/// (E_j P̂_j^(1−σ)) / Y_i)^(1/σ)` (normalised so that `P̂_ref = 1`), accelerated. The conditional equilibrium
/// holds `Y` and the net spending `Y + D` fixed and re-solves both resistances by the bi-proportional update.
///
/// Errors: `InvalidInput` when σ ≤ 1 or not finite, the reference is out of range, the shock is for another
/// number of countries, or the shock closes every sale of an exporter or every source of an importer;
/// `NonConvergence` (with the worst country) when a solve does not reach the tolerance.
pub fn solve_full_ge(baseline: &GravityData, shock: &GeShock, config: &GeConfig) -> Result<GeResults> {
    let setup = Setup::new(baseline, shock, config)?;
    let conditional = setup.conditional(&config.solver);
    let full = setup.full(&config.solver)?;
    Ok(GeResults { conditional, full })
}

/// Solves independent sectors (each with its own baseline and shock, no links between them) in parallel.
/// Results are in the order of `sectors`; the first error is returned.
pub fn solve_full_ge_sectors(sectors: &[(GravityData, GeShock)], config: &GeConfig) -> Result<Vec<GeResults>> {
    sectors.par_iter().map(|(data, shock)| solve_full_ge(data, shock, config)).collect()
}

impl<'a> Setup<'a> {
    fn new(data: &'a GravityData, shock: &GeShock, config: &GeConfig) -> Result<Self> {
        validate_sigma(config.sigma)?;
        config.solver.validate()?;
        let n = data.len();
        if config.reference >= n {
            return Err(invalid(
                "reference country",
                format!("position {} is out of range for {n} countries", config.reference),
            ));
        }
        if shock.len() != n {
            return Err(invalid("shock", format!("is for {} countries, the baseline has {n}", shock.len())));
        }
        let countries = data.countries();
        let x = data.trade();
        let rebate = config.rebate_tariff_revenue;
        let ratios = shock.cost_term_ratios(config.sigma);
        let mut output = vec![0.0; n];
        let mut net_expenditure = vec![0.0; n];
        for (k, (&flow, &tariff)) in x.iter().zip(&shock.baseline_tariff).enumerate() {
            let (i, j) = (k / n, k % n);
            let net = if rebate { flow / (1.0 + tariff) } else { flow };
            output[i] += net;
            net_expenditure[j] += net;
        }
        let net_share: Option<Vec<f64>> =
            rebate.then(|| shock.counterfactual_tariff.iter().map(|t| 1.0 / (1.0 + t)).collect());
        if let Some(i) = output.iter().position(|y| !(*y > 0.0 && y.is_finite())) {
            return Err(invalid(format!("output of {}", name_of(countries, i)), "must be positive net of duties"));
        }
        let xt: Vec<f64> = x.iter().zip(&ratios).map(|(x, r)| x * r).collect();
        let xt_net: Option<Vec<f64>> =
            net_share.as_ref().map(|share| xt.iter().zip(share).map(|(x, s)| x * s).collect());
        for i in 0..n {
            if !xt[i * n..(i + 1) * n].iter().any(|v| *v > 0.0) {
                return Err(invalid(
                    format!("shock to exporter {}", name_of(countries, i)),
                    "closes every one of its sales, domestic ones included",
                ));
            }
            if !(0..n).any(|k| xt[k * n + i] > 0.0) {
                return Err(invalid(
                    format!("shock to importer {}", name_of(countries, i)),
                    "closes every one of its sources, domestic ones included",
                ));
            }
        }
        Ok(Self {
            data,
            n,
            sigma: config.sigma,
            reference: config.reference,
            xt,
            xt_net,
            net_share,
            output,
            expenditure: data.expenditure().to_vec(),
            net_expenditure,
            rebate,
            deficits: config.deficits,
        })
    }

    /// Conditional equilibrium: `X'_ij = a_i X_ij T̂_ij b_j` with `Σ_j ν_ij X'_ij = Y_i` and
    /// `Σ_i ν_ij X'_ij = Y_j + D_j`.
    fn conditional(&self, options: &SolverOptions) -> Result<GeEquilibrium> {
        let n = self.n;
        self.check_conditional_feasible()?;
        let problem = Problem {
            kernel: self.kernel_net(),
            rows: &self.output,
            cols: &self.net_expenditure,
            reference: self.reference,
            reference_value: 1.0,
            countries: self.data.countries(),
            solver: CONDITIONAL_SOLVER,
        };
        let solved = balance(&problem, None, options)?;
        let mut flows = vec![0.0; n * n];
        for (i, (row, ai)) in self.xt.chunks_exact(n).zip(&solved.a).enumerate() {
            for (j, (x, bj)) in row.iter().zip(&solved.b).enumerate() {
                flows[i * n + j] = ai * x * bj;
            }
        }
        let spending = column_sums(&flows, n);
        // b_j = Ê_j / P̂_j^(1−σ) and a_i = 1 / Π̂_i^(1−σ), up to the scale fixed by P̂_ref = 1.
        let kappa = spending[self.reference] / self.expenditure[self.reference] / solved.b[self.reference];
        let inv = 1.0 / (1.0 - self.sigma);
        let consumer_price: Vec<f64> =
            (0..n).map(|j| (spending[j] / self.expenditure[j] / (solved.b[j] * kappa)).powf(inv)).collect();
        let omr: Vec<f64> = solved.a.iter().map(|a| (kappa / a).powf(inv)).collect();
        let prices = vec![1.0; n];
        Ok(self.equilibrium(&flows, &prices, &consumer_price, &omr, solved.iterations, solved.residual))
    }

    /// The kernel producers are paid from: `X ∘ T̂ / (1 + τ')` with rebate, `X ∘ T̂` without.
    fn kernel_net(&self) -> &[f64] {
        self.xt_net.as_deref().unwrap_or(&self.xt)
    }

    /// `1 / (1 + τ'_k)` with rebate, 1 without.
    fn net(&self, k: usize) -> f64 {
        self.net_share.as_ref().and_then(|v| v.get(k)).copied().unwrap_or(1.0)
    }

    /// With output and net spending fixed, every exporter must be able to sell its output to the importers still
    /// open to it, and every importer to spend on the exporters still open to it (necessary conditions).
    fn check_conditional_feasible(&self) -> Result<()> {
        let n = self.n;
        let countries = self.data.countries();
        let kernel = self.kernel_net();
        for i in 0..n {
            let reachable_spending: f64 =
                (0..n).filter(|&j| kernel[i * n + j] > 0.0).map(|j| self.net_expenditure[j]).sum();
            if reachable_spending < self.output[i] * (1.0 - 1e-12) {
                return Err(invalid(
                    format!("shock to exporter {}", name_of(countries, i)),
                    format!(
                        "leaves it markets spending {reachable_spending} in all, less than its fixed output {}:                          no conditional equilibrium (the full one still exists)",
                        self.output[i]
                    ),
                ));
            }
            let reachable_output: f64 = (0..n).filter(|&k| kernel[k * n + i] > 0.0).map(|k| self.output[k]).sum();
            if reachable_output < self.net_expenditure[i] * (1.0 - 1e-12) {
                return Err(invalid(
                    format!("shock to importer {}", name_of(countries, i)),
                    format!(
                        "leaves it suppliers producing {reachable_output} in all, less than its fixed spending {}:                          no conditional equilibrium (the full one still exists)",
                        self.net_expenditure[i]
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Full-endowment equilibrium: the fixed point in `ln p̂`.
    fn full(&self, options: &SolverOptions) -> Result<GeEquilibrium> {
        let n = self.n;
        let sigma = self.sigma;
        let mut log_price = vec![0.0; n];
        let mut state = FullState::new(n);
        let outcome = fixed_point::solve(&mut log_price, options, |x, out| self.price_update(x, out, &mut state))
            .map_err(|failure| self.full_failure(failure, options))?;

        // Evaluate the equilibrium at the converged prices.
        self.evaluate(&log_price, &mut state)
            .map_err(|i| self.full_failure(Failure::MapFailed { index: i, iterations: outcome.iterations }, options))?;
        let prices: Vec<f64> = log_price.iter().map(|v| v.exp()).collect();
        let mut flows = vec![0.0; n * n];
        for (i, row) in self.xt.chunks_exact(n).enumerate() {
            for (j, x) in row.iter().enumerate() {
                flows[i * n + j] = x * state.price_term[i] * state.weight[j];
            }
        }
        let inv = 1.0 / (1.0 - sigma);
        let consumer_price: Vec<f64> = (0..n).map(|j| (state.supply[j] / self.expenditure[j]).powf(inv)).collect();
        let world_output: f64 = state.new_output.iter().sum::<f64>() / self.output.iter().sum::<f64>();
        let omr: Vec<f64> = prices.iter().map(|p| (p.powf(sigma) / world_output).powf(inv)).collect();
        // Market clearing, the equation the fixed point solves.
        let (mut residual, mut worst) = (0.0_f64, 0_usize);
        for (i, row) in flows.chunks_exact(n).enumerate() {
            let sales: f64 = row.iter().enumerate().map(|(j, x)| x * self.net(i * n + j)).sum();
            let r = (sales / state.new_output[i] - 1.0).abs();
            if r > residual || r.is_nan() {
                (residual, worst) = (r, i);
            }
        }
        if !residual.is_finite() {
            return Err(self.full_failure(Failure::MapFailed { index: worst, iterations: outcome.iterations }, options));
        }
        if residual > equation_slack(options.tolerance, sigma, n) {
            return Err(ModelError::NonConvergence {
                solver: FULL_SOLVER,
                iterations: outcome.iterations,
                residual,
                tolerance: options.tolerance,
                detail: format!(
                    ", prices settled where the market of {} (index {worst}) does not clear: no equilibrium with \
                     these deficits and open routes",
                    name_of(self.data.countries(), worst)
                ),
            });
        }
        Ok(self.equilibrium(&flows, &prices, &consumer_price, &omr, outcome.iterations, residual))
    }

    /// Computes, for prices `exp(x)`, the supply terms `S_j = E_j P̂_j^(1−σ)`, new output, spending and the
    /// weights `E'_j / S_j`. Returns the index of a country whose spending became non-positive.
    fn evaluate(&self, x: &[f64], st: &mut FullState) -> std::result::Result<(), usize> {
        let n = self.n;
        let e = 1.0 - self.sigma;
        for (p, xi) in st.price_term.iter_mut().zip(x) {
            *p = (e * xi).exp();
        }
        st.supply.fill(0.0);
        st.net_supply.fill(0.0);
        for (i, row) in self.xt.chunks_exact(n).enumerate() {
            let p = st.price_term[i];
            for (s, v) in st.supply.iter_mut().zip(row) {
                *s += v * p;
            }
            if let Some(xt_net) = &self.xt_net {
                for (s, v) in st.net_supply.iter_mut().zip(&xt_net[i * n..(i + 1) * n]) {
                    *s += v * p;
                }
            }
        }
        for ((y, xi), y0) in st.new_output.iter_mut().zip(x).zip(&self.output) {
            *y = xi.exp() * y0;
        }
        let lambda = match self.deficits {
            DeficitClosure::ExpenditureRatio => {
                let weighted: f64 = st
                    .new_output
                    .iter()
                    .zip(&self.net_expenditure)
                    .zip(&self.output)
                    .map(|((y, en), y0)| y * en / y0)
                    .sum();
                st.new_output.iter().sum::<f64>() / weighted
            }
            DeficitClosure::NominalDeficit => 1.0,
        };
        for j in 0..n {
            let net_spending = match self.deficits {
                DeficitClosure::ExpenditureRatio => {
                    lambda * self.net_expenditure[j] / self.output[j] * st.new_output[j]
                }
                DeficitClosure::NominalDeficit => st.new_output[j] + self.net_expenditure[j] - self.output[j],
            };
            let supply = st.supply[j];
            if !(net_spending > 0.0 && supply > 0.0 && net_spending.is_finite() && supply.is_finite()) {
                return Err(j);
            }
            let net_fraction = if self.rebate { st.net_supply[j] / supply } else { 1.0 };
            if net_fraction.is_nan() || net_fraction <= 0.0 {
                return Err(j);
            }
            st.spending[j] = net_spending / net_fraction;
            st.weight[j] = st.spending[j] / supply;
        }
        Ok(())
    }

    /// One market-clearing update of `ln p̂`, normalised so that the reference consumer price index is 1.
    fn price_update(&self, x: &[f64], out: &mut [f64], st: &mut FullState) -> std::result::Result<(), usize> {
        self.evaluate(x, st)?;
        let n = self.n;
        let e = 1.0 - self.sigma;
        for (i, row) in self.kernel_net().chunks_exact(n).enumerate() {
            let demand = dot(row, &st.weight);
            if !(demand > 0.0 && demand.is_finite()) {
                return Err(i);
            }
            out[i] = (demand / self.output[i]).ln() / self.sigma;
        }
        // P̂_ref^(1−σ) at the updated prices.
        let r = self.reference;
        let mut reference_index = 0.0;
        for (i, o) in out.iter().enumerate() {
            reference_index += self.xt[i * n + r] * (e * o).exp();
        }
        let shift = (reference_index / self.expenditure[r]).ln() / e;
        if !shift.is_finite() {
            return Err(r);
        }
        for o in out.iter_mut() {
            *o -= shift;
        }
        Ok(())
    }

    fn full_failure(&self, failure: Failure, options: &SolverOptions) -> ModelError {
        let countries = self.data.countries();
        match failure {
            Failure::NotConverged(o) => ModelError::NonConvergence {
                solver: FULL_SOLVER,
                iterations: o.iterations,
                residual: o.residual,
                tolerance: options.tolerance,
                detail: format!(", largest price change at {} (index {})", name_of(countries, o.worst), o.worst),
            },
            Failure::MapFailed { index, iterations } => ModelError::NonConvergence {
                solver: FULL_SOLVER,
                iterations,
                residual: f64::INFINITY,
                tolerance: options.tolerance,
                detail: format!(
                    ", spending or sales of {} (index {index}) became non-positive: the shock admits no equilibrium \
                     with these deficits",
                    name_of(countries, index)
                ),
            },
        }
    }

    /// Assembles the per-country and per-pair results from counterfactual flows and price indices.
    fn equilibrium(
        &self,
        flows: &[f64],
        prices: &[f64],
        consumer_price: &[f64],
        omr: &[f64],
        iterations: usize,
        residual: f64,
    ) -> GeEquilibrium {
        let n = self.n;
        let x = self.data.trade();
        let mut pairs = Vec::with_capacity(n * n);
        let mut sales = vec![0.0; n];
        let mut revenue = vec![0.0; n];
        let mut spending = vec![0.0; n];
        let mut fx = [vec![0.0; n], vec![0.0; n]];
        let mut fm = [vec![0.0; n], vec![0.0; n]];
        for (k, (&flow, &base)) in flows.iter().zip(x).enumerate() {
            let (i, j) = (k / n, k % n);
            let duty = flow * (1.0 - self.net(k));
            sales[i] += flow - duty;
            revenue[j] += duty;
            spending[j] += flow;
            if i != j {
                fx[0][i] += base;
                fx[1][i] += flow;
                fm[0][j] += base;
                fm[1][j] += flow;
            }
            pairs.push(GePairResult {
                exporter: i,
                importer: j,
                baseline_flow: base,
                flow,
                change_pct: if base == 0.0 { 0.0 } else { pct_change(flow, base) },
                tariff_revenue: duty,
            });
        }
        let countries = (0..n)
            .map(|i| {
                let base_rev = self.expenditure[i] - self.net_expenditure[i];
                let intra = pairs[i * n + i].change_pct;
                GeCountryResult {
                    country: name_of(self.data.countries(), i).to_string(),
                    welfare_gain_pct: pct_change(spending[i] / self.expenditure[i] / consumer_price[i], 1.0),
                    real_gdp_change_pct: pct_change(prices[i] / consumer_price[i], 1.0),
                    factory_gate_price_change_pct: pct_change(prices[i], 1.0),
                    imr_change_pct: pct_change(consumer_price[i], 1.0),
                    omr_change_pct: pct_change(omr[i], 1.0),
                    output_change_pct: pct_change(sales[i], self.output[i]),
                    expenditure_change_pct: pct_change(spending[i], self.expenditure[i]),
                    foreign_exports_change_pct: ratio_pct(fx[1][i], fx[0][i]),
                    foreign_imports_change_pct: ratio_pct(fm[1][i], fm[0][i]),
                    intranational_trade_change_pct: intra,
                    baseline_output: self.output[i],
                    output: sales[i],
                    baseline_expenditure: self.expenditure[i],
                    expenditure: spending[i],
                    baseline_tariff_revenue: if self.rebate { base_rev } else { 0.0 },
                    tariff_revenue: revenue[i],
                    deficit: spending[i] - revenue[i] - sales[i],
                }
            })
            .collect();
        GeEquilibrium { countries, pairs, iterations, residual }
    }
}

/// Work buffers of the full-equilibrium map.
struct FullState {
    price_term: Vec<f64>,
    supply: Vec<f64>,
    net_supply: Vec<f64>,
    new_output: Vec<f64>,
    spending: Vec<f64>,
    weight: Vec<f64>,
}

impl FullState {
    fn new(n: usize) -> Self {
        Self {
            price_term: vec![0.0; n],
            supply: vec![0.0; n],
            net_supply: vec![0.0; n],
            new_output: vec![0.0; n],
            spending: vec![0.0; n],
            weight: vec![0.0; n],
        }
    }
}

fn column_sums(m: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for row in m.chunks_exact(n) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
    out
}

fn ratio_pct(new: f64, old: f64) -> f64 {
    if old == 0.0 {
        0.0
    } else {
        pct_change(new, old)
    }
}
