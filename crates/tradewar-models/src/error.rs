//! The one error type of `tradewar-models`.

/// Result alias of the models crate.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;

/// What can go wrong when running a model. Solvers never return numbers
/// they did not converge to: they return [`ModelError::NonConvergence`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// An input the model cannot work with, named with its place.
    #[error("invalid input {what}: {reason}")]
    InvalidInput {
        /// Which input (e.g. "output of DEU", "sigma").
        what: String,
        /// What is wrong, naming the value.
        reason: String,
    },
    /// A solver stopped before reaching its tolerance.
    #[error("{solver} did not converge: residual {residual:e} after {iterations} iterations (tolerance {tolerance:e}){detail}")]
    NonConvergence {
        /// Which solver.
        solver: &'static str,
        /// Iterations done.
        iterations: usize,
        /// Largest residual at the end.
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// Extra diagnostics (e.g. the worst country), starting with ", ".
        detail: String,
    },
    /// A model that these data cannot identify: a regressor absorbed by fixed effects or collinear with others, an
    /// outcome with nothing to estimate from. Names what cannot be estimated and what to change.
    #[error("cannot estimate {what}: {reason}")]
    NotIdentified {
        /// What cannot be estimated (e.g. "the coefficient of RTA").
        what: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// An error of the core domain (bad codes, money...).
    #[error(transparent)]
    Core(#[from] tradewar_core::Error),
}
