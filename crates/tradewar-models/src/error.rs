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
    /// A measure (or a change of one) that the model cannot represent: never
    /// ignored, always refused, naming the measure and the model.
    #[error("{model} cannot represent {kind} {measure}: {reason}")]
    Unsupported {
        /// The model.
        model: String,
        /// The measure's id.
        measure: String,
        /// Its kind.
        kind: &'static str,
        /// Why, and what to do instead.
        reason: String,
    },
    /// Arrays that do not fit the model's dimensions (e.g. a tariff cube of
    /// another world), naming the array and the layout expected.
    #[error("{what} has {found} values; expected {expected} ({layout})")]
    DimensionMismatch {
        /// Which array.
        what: String,
        /// How many values it should have.
        expected: usize,
        /// How many it has.
        found: usize,
        /// The layout expected, e.g. "sector × importer × exporter = 40 × 31 × 31".
        layout: String,
    },
    /// Shares that must sum to one and do not, naming the cell.
    #[error("{what} sum to {sum}, not 1 (tolerance {tolerance:e})")]
    SharesDoNotSumToOne {
        /// Which shares (e.g. "cost shares of Food in Mexico").
        what: String,
        /// Their sum.
        sum: f64,
        /// The tolerance allowed.
        tolerance: f64,
    },
    /// A parameter or datum outside its domain (a negative input-output
    /// coefficient, a non-positive elasticity, a negative flow), naming the cell.
    #[error("{what} is {value}: {requirement}")]
    OutOfDomain {
        /// Which cell (e.g. "theta of Food", "IO coefficient of Mining in Food of Mexico").
        what: String,
        /// The value found.
        value: f64,
        /// What it must be (e.g. "must be positive").
        requirement: String,
    },
    /// A sector without any trade (no purchases, domestic or imported), where
    /// shares cannot be formed.
    #[error("{what} has no trade: {reason}")]
    NoTrade {
        /// The sector (and region), e.g. "sector Office in Chile".
        what: String,
        /// Why that stops the model.
        reason: String,
    },
    /// An economy or a sector that is not in the model's world.
    #[error("unknown {kind} {name:?}: not in the world ({known})")]
    UnknownName {
        /// "economy", "region" or "sector".
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The names the world has (or a short list of them).
        known: String,
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
