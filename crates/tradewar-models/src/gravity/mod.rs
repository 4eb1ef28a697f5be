//! Structural gravity general equilibrium (Anderson & van Wincoop 2003; Yotov, Piermartini, Monteiro & Larch
//! 2016, the WTO/UNCTAD "Advanced Guide"; Larch & Yotov 2016).
//!
//! One sector, `f64`, dense `N × N` row-major matrices: element `i * N + j` is the flow **from exporter `i`
//! to importer `j`**, with domestic (intranational) flows on the diagonal.
//!
//! Two models live here:
//!
//! * [`GegravityModel`]: the formulation of USITC `gegravity` 0.3 (`OneSectorGE`), reproduced to rounding so
//!   that its published results can be checked. Trade costs come from estimated coefficients
//!   ([`GravityPanel::cost_terms`]); output and expenditure come from data columns; its "full GE" keeps the
//!   baseline output and expenditure shares inside the resistance equations (see the type's docs).
//! * [`solve_full_ge`]: a true full-endowment GE in exact-hat form (Larch & Yotov 2016, DESIGN §4.4): factory-gate
//!   prices adjust until every market clears, output and expenditure move with them, deficits are held
//!   ([`DeficitClosure`]), tariffs are ad valorem duties whose revenue can be rebated to the importer, and export
//!   bans are prohibitive costs. It reports both the conditional equilibrium (output and expenditure fixed, only
//!   the multilateral resistances adjust) and the full one. Its baseline is an observed trade matrix
//!   ([`GravityData`]) or the modelled flows of a coefficient-based baseline
//!   ([`GegravityModel::baseline_trade_data`]).
//!
//! Both are solved with exact fixed points (a bi-proportional update of the two resistance vectors, and a
//! market-clearing update of factory-gate prices), accelerated with Anderson mixing; never with a
//! finite-difference root finder. A solve that does not reach [`SolverOptions::tolerance`] returns
//! [`ModelError::NonConvergence`], never numbers.
//!
//! Sign conventions: every `*_change_pct` is `100 · (counterfactual / baseline − 1)`; a welfare or real-income
//! gain is positive ([`GeCountryResult::welfare_gain_pct`]). The one exception is gegravity's own
//! [`GegravityCountryResult::welfare_statistic`], kept as gegravity defines it (baseline over counterfactual,
//! below 1 is a gain) so that its output can be compared column by column.
//!
//! ```
//! use tradewar_models::gravity::{solve_full_ge, GeConfig, GeShock, GravityData};
//!
//! // Three economies, domestic flows on the diagonal (exporter rows, importer columns).
//! let countries = vec!["AAA".to_string(), "BBB".to_string(), "CCC".to_string()];
//! let trade = vec![
//!     80.0, 10.0, 5.0, //
//!     8.0, 90.0, 6.0, //
//!     4.0, 7.0, 70.0,
//! ];
//! let baseline = GravityData::from_trade_matrix(countries, trade)?;
//! // A 10% ad valorem duty of AAA on imports from BBB, revenue rebated to AAA.
//! let mut shock = GeShock::none(baseline.len());
//! shock.set_tariff(1, 0, 0.0, 0.10)?;
//! let mut config = GeConfig::new(5.0, 2);
//! config.rebate_tariff_revenue = true;
//! let results = solve_full_ge(&baseline, &shock, &config)?;
//! assert!(results.full.pair(1, 0).map_or(false, |p| p.change_pct < 0.0));
//! # Ok::<(), tradewar_models::ModelError>(())
//! ```

mod balance;
mod cost_shock;
mod data;
mod fixed_point;
mod full_ge;
mod gegravity;
mod panel;

pub use cost_shock::CostChange;
pub use data::{GravityData, MissingPairs};
pub use full_ge::{
    solve_full_ge, solve_full_ge_sectors, DeficitClosure, GeConfig, GeCountryResult, GeEquilibrium, GePairResult,
    GeResults, GeShock,
};
pub use gegravity::{GegravityConfig, GegravityCountryResult, GegravityModel, GegravityPairResult, GegravityResults};
pub use panel::{CostCoefficients, GravityPanel, PanelColumns};

use crate::{ModelError, Result};

/// Tolerance and iteration cap of the gravity solvers.
///
/// The tolerance applies to the largest relative change that one plain (unaccelerated) update of the fixed point
/// would still make to any unknown, measured in logs (`max |ln x' − ln x|`), which is the relative change to first
/// order. At the default `1e-12` the equations of the model hold to about `1e-11` relative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverOptions {
    /// Largest relative change of any unknown that still counts as converged (default `1e-12`).
    pub tolerance: f64,
    /// Most fixed-point iterations before giving up with `NonConvergence` (default `10_000`).
    pub max_iterations: usize,
    /// How many past iterates Anderson acceleration mixes (default `6`; at most 32 and at most `N − 1` are used;
    /// `0` runs the plain fixed point). Accelerated steps are safeguarded: a step that fails or raises the
    /// residual fourfold, or a run of steps that stops improving, falls back to plain steps.
    pub acceleration_memory: usize,
}

impl Default for SolverOptions {
    fn default() -> Self {
        Self { tolerance: 1e-12, max_iterations: 10_000, acceleration_memory: 6 }
    }
}

impl SolverOptions {
    /// Checks that the options can be used: a positive finite tolerance and at least one iteration.
    fn validate(&self) -> Result<()> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid("solver tolerance", format!("must be positive and finite, got {}", self.tolerance)));
        }
        if self.max_iterations == 0 {
            return Err(invalid("solver max_iterations", "must be at least 1".to_string()));
        }
        Ok(())
    }
}

/// How far the equations of a converged fixed point may be from holding: `factor · tolerance` plus a rounding
/// allowance for sums over `n` terms. A fixed point whose equations miss this (the iteration can settle at a
/// degenerate point, e.g. a price collapsing towards zero, where the updates underflow) is not a solution.
fn equation_slack(tolerance: f64, factor: f64, n: usize) -> f64 {
    10.0 * factor * tolerance + 64.0 * f64::EPSILON * (n as f64).max(1.0)
}

/// Builds an [`ModelError::InvalidInput`].
fn invalid(what: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError::InvalidInput { what: what.into(), reason: reason.into() }
}

/// Checks the elasticity of substitution: finite and above 1 (the trade elasticity `1 − σ` must be negative).
fn validate_sigma(sigma: f64) -> Result<()> {
    if sigma.is_finite() && sigma > 1.0 {
        Ok(())
    } else {
        Err(invalid("sigma", format!("the elasticity of substitution must be finite and greater than 1, got {sigma}")))
    }
}

/// Checks that `values` holds `n · n` finite, non-negative numbers; `what` names the matrix in errors.
fn validate_square(what: &str, values: &[f64], countries: &[String]) -> Result<()> {
    let n = countries.len();
    if values.len() != n * n {
        return Err(invalid(
            what,
            format!("expected {n} × {n} = {} values (row-major, exporter rows), got {}", n * n, values.len()),
        ));
    }
    for (k, &v) in values.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            let (i, j) = (k / n.max(1), k % n.max(1));
            return Err(invalid(
                format!("{what} from {} to {}", name_of(countries, i), name_of(countries, j)),
                format!("must be finite and non-negative, got {v}"),
            ));
        }
    }
    Ok(())
}

/// The one rule for economy codes in gravity worlds, as for [`tradewar_core::Economy`]: codes are
/// case-insensitive and written in upper case. A code is 1 to 16 ASCII letters, digits, `-` or `_` (worlds
/// use ISO alpha-3 codes, but also names such as `ROW` or `AAA`); surrounding spaces are dropped and letters
/// upper-cased, so `"usa"` and `"USA"` are one economy.
///
/// ```
/// use tradewar_models::gravity::economy_code;
/// assert_eq!(economy_code(" usa ")?, "USA");
/// assert!(economy_code("U S A").is_err() && economy_code("").is_err());
/// # Ok::<(), tradewar_models::ModelError>(())
/// ```
pub fn economy_code(code: &str) -> Result<String> {
    let t = code.trim();
    if t.is_empty() || t.len() > 16 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(invalid(
            "economy code",
            format!(
                "{:?} is not 1 to 16 ASCII letters, digits, '-' or '_' (e.g. \"USA\")",
                tradewar_core::excerpt(code)
            ),
        ));
    }
    Ok(t.to_ascii_uppercase())
}

/// Checks a list of country codes and writes them in their one form ([`economy_code`]): at least one, each
/// valid and unique once upper-cased (`"usa"` and `"USA"` are the same economy, listed twice).
fn validate_countries(mut countries: Vec<String>) -> Result<Vec<String>> {
    if countries.is_empty() {
        return Err(invalid("countries", "at least one country is needed"));
    }
    for k in 0..countries.len() {
        let code = economy_code(&countries[k]).map_err(|e| match e {
            ModelError::InvalidInput { reason, .. } => invalid(format!("countries[{k}]"), reason),
            other => other,
        })?;
        if let Some(first) = countries[..k].iter().position(|o| *o == code) {
            return Err(invalid(
                "countries",
                format!(
                    "{code} appears twice: at position {first} and as {:?} at position {k} (codes are case-insensitive)",
                    countries[k]
                ),
            ));
        }
        countries[k] = code;
    }
    Ok(countries)
}

/// The code of country `i`, or a placeholder when out of range (for error messages only).
fn name_of(countries: &[String], i: usize) -> &str {
    countries.get(i).map_or("?", String::as_str)
}

/// `100 · (new / old − 1)`, the percent change with a gain positive.
fn pct_change(new: f64, old: f64) -> f64 {
    100.0 * (new / old - 1.0)
}
