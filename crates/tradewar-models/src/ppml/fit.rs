//! What a PPML estimation returns.

use super::fixed_effects::FixedEffectValues;
use super::variance::{SmallSample, VarianceKind};

/// Why a row of the data is in the estimation sample or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    /// In the estimation sample.
    Used,
    /// Weight zero.
    ZeroWeight,
    /// Alone in a level of some fixed effect (dropped as ppmlhdfe does by default).
    Singleton,
    /// Separated: in a fixed-effect level whose outcome is zero everywhere.
    SeparatedByFixedEffect,
    /// Separated: found by the simplex (linear programme) check.
    SeparatedBySimplex,
    /// Separated: found by the ReLU (iterative rectifier) check.
    SeparatedByRelu,
}

impl RowStatus {
    /// A short name (`used`, `zero_weight`, `singleton`, `separated_fe`, `separated_simplex`, `separated_relu`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Used => "used",
            Self::ZeroWeight => "zero_weight",
            Self::Singleton => "singleton",
            Self::SeparatedByFixedEffect => "separated_fe",
            Self::SeparatedBySimplex => "separated_simplex",
            Self::SeparatedByRelu => "separated_relu",
        }
    }

    /// Whether the row was dropped as separated (by any check).
    pub fn is_separated(self) -> bool {
        matches!(self, Self::SeparatedByFixedEffect | Self::SeparatedBySimplex | Self::SeparatedByRelu)
    }
}

/// One coefficient of the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Regressor name (`_cons` for the constant).
    pub term: String,
    /// The estimate; NaN when omitted.
    pub estimate: f64,
    /// Standard error; NaN when omitted.
    pub std_error: f64,
    /// `estimate / std_error`.
    pub z: f64,
    /// Two-sided p-value from the normal distribution (as ppmlhdfe and Stata's glm print).
    pub p_value: f64,
    /// Lower end of the 95% confidence interval (normal).
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval.
    pub ci_high: f64,
    /// Whether the regressor was left out as collinear (with the fixed effects or earlier regressors).
    pub omitted: bool,
}

/// A fitted PPML model (see [`ppml`](super::ppml)).
#[derive(Debug, Clone, PartialEq)]
pub struct PpmlFit {
    /// The outcome's name.
    pub outcome: String,
    /// Coefficients in the order of the data's regressors, the constant (if any) last, as Stata prints them.
    pub coefficients: Vec<Coefficient>,
    /// Variance matrix of the estimated (not omitted) coefficients, row-major, in the order of
    /// [`vcov_terms`](Self::vcov_terms).
    pub vcov: Vec<f64>,
    /// The terms of [`vcov`](Self::vcov).
    pub vcov_terms: Vec<String>,
    /// Robust or clustered.
    pub variance: VarianceKind,
    /// The small-sample convention applied.
    pub small_sample: SmallSample,
    /// The small-sample factor applied to the variance (the first term's, for two-way clustering).
    pub small_sample_factor: f64,
    /// Rows of the data.
    pub rows: usize,
    /// Observations in the estimation sample.
    pub observations: usize,
    /// Why each row of the data is in the sample or not.
    pub row_status: Vec<RowStatus>,
    /// The fitted mean `μ` of every row of the data: the fit on the sample; 0 for a separated row (its limit);
    /// the outcome itself for a singleton (its own fixed effect fits it exactly); NaN for a zero-weight row.
    pub fitted: Vec<f64>,
    /// The fixed-effect coefficients, normalised (see [`PpmlOptions::references`](super::PpmlOptions)).
    pub fixed_effects: Vec<FixedEffectValues>,
    /// Deviance `2 Σ w [y ln(y/μ) − (y − μ)]` on the sample.
    pub deviance: f64,
    /// Poisson log pseudo-likelihood `Σ w [y ln μ − μ − ln Γ(y + 1)]`.
    pub log_likelihood: f64,
    /// Squared correlation between the outcome and the fitted means on the sample (the R² `ppml` prints).
    pub r2: f64,
    /// IRLS iterations.
    pub iterations: usize,
    /// Conjugate-gradient iterations spent partialling out fixed effects, summed over columns and steps.
    pub inner_iterations: usize,
    /// Relative change of the deviance at the last iteration (below the tolerance: converged).
    pub last_change: f64,
    /// The convergence tolerance used.
    pub tolerance: f64,
    /// Anything the caller should know (omitted regressors, skipped checks, normalisation caveats).
    pub notes: Vec<String>,
}

impl PpmlFit {
    /// The coefficient of a term, if present.
    pub fn coefficient(&self, term: &str) -> Option<&Coefficient> {
        self.coefficients.iter().find(|c| c.term == term)
    }

    /// The recovered values of a fixed-effect dimension, if present.
    pub fn fixed_effect(&self, name: &str) -> Option<&FixedEffectValues> {
        self.fixed_effects.iter().find(|f| f.name == name)
    }

    /// Rows (0-based) dropped as separated.
    pub fn separated_rows(&self) -> Vec<usize> {
        self.row_status.iter().enumerate().filter(|(_, s)| s.is_separated()).map(|(i, _)| i).collect()
    }

    /// Rows dropped for a given reason.
    pub fn rows_with(&self, status: RowStatus) -> Vec<usize> {
        self.row_status.iter().enumerate().filter(|(_, s)| **s == status).map(|(i, _)| i).collect()
    }

    /// The standard-error column, in the order of [`coefficients`](Self::coefficients).
    pub fn std_errors(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.std_error).collect()
    }
}
