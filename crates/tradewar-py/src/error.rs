//! Every Rust error reaches Python here, in one place.
//!
//! The exception classes live in `tradewar/exceptions.py` (so that they can
//! inherit from both `TradewarError` and `ValueError`); each Rust error kind
//! maps to exactly one of them, named in [`class_of`].

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use tradewar_core::Error as CoreError;
use tradewar_data::DataError;
use tradewar_models::ModelError;

/// Any failure of the bindings: a Rust error from one of the crates, or a
/// validation failure found while converting Python input.
#[derive(Debug)]
pub enum Error {
    /// From `tradewar-core`.
    Core(CoreError),
    /// From `tradewar-data`.
    Data(DataError),
    /// From `tradewar-models`.
    Model(ModelError),
    /// Input rejected by the bindings themselves (class name, message).
    Input(&'static str, String),
    /// Input rejected by the bindings, with its own `kind` (class name, kind, message):
    /// used where callers tell failures apart, e.g. a missing column from a null in one.
    Rejected(&'static str, &'static str, String),
    /// A Python exception raised while converting values; passed through as is.
    Py(PyErr),
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Self::Py(e)
    }
}

/// The result of binding code.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}

impl From<DataError> for Error {
    fn from(e: DataError) -> Self {
        Self::Data(e)
    }
}

impl From<ModelError> for Error {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::Core(c) => Self::Core(c),
            other => Self::Model(other),
        }
    }
}

/// A validation error raised by the bindings (subclass of `ValueError`).
pub fn invalid(message: impl Into<String>) -> Error {
    Error::Input("ValidationError", message.into())
}

/// The same error, its message prefixed by where the bad value came from
/// (e.g. `column "exporter", row 12`); class and kind are kept.
pub fn located(e: impl Into<Error>, place: &str) -> Error {
    match e.into() {
        Error::Py(err) => Error::Py(err),
        other => {
            let (class, kind, message) = other.parts();
            Error::Rejected(class, kind, format!("{place}: {message}"))
        }
    }
}

/// The exception class (in `tradewar.exceptions`) and the Rust kind of a core error.
fn core_class(e: &CoreError) -> (&'static str, &'static str) {
    match e {
        CoreError::UnknownEconomy { .. } => ("InvalidCodeError", "UnknownEconomy"),
        CoreError::InvalidHsCode { .. } => ("InvalidCodeError", "InvalidHsCode"),
        CoreError::UnknownHsRevision { .. } => ("InvalidCodeError", "UnknownHsRevision"),
        CoreError::InvalidCurrency { .. } => ("InvalidCodeError", "InvalidCurrency"),
        CoreError::InvalidMeasureId { .. } => ("InvalidCodeError", "InvalidMeasureId"),
        CoreError::UnknownKeyword { .. } => ("InvalidCodeError", "UnknownKeyword"),
        CoreError::InvalidMoney { .. } => ("InvalidAmountError", "InvalidMoney"),
        CoreError::InvalidRate { .. } => ("InvalidAmountError", "InvalidRate"),
        CoreError::CurrencyMismatch { .. } => ("CurrencyMismatchError", "CurrencyMismatch"),
        CoreError::MoneyOverflow { .. } => ("MoneyOverflowError", "MoneyOverflow"),
        CoreError::InvalidDate { .. } => ("InvalidDateError", "InvalidDate"),
        CoreError::InvertedWindow { .. } => ("InvalidDateError", "InvertedWindow"),
        CoreError::OverlappingWindows { .. } => ("InvalidDateError", "OverlappingWindows"),
        CoreError::DuplicateMeasureId { .. } => ("TimelineError", "DuplicateMeasureId"),
        CoreError::UnknownMeasure { .. } => ("TimelineError", "UnknownMeasure"),
        CoreError::InvalidEvent { .. } => ("TimelineError", "InvalidEvent"),
        CoreError::ColumnLength { .. } => ("ColumnError", "ColumnLength"),
        CoreError::DuplicateFlow { .. } => ("DuplicateError", "DuplicateFlow"),
        CoreError::NestedFlows { .. } => ("DuplicateError", "NestedFlows"),
        CoreError::Invalid { .. } => ("ValidationError", "Invalid"),
        CoreError::SelfPair { .. } => ("UnanswerableError", "SelfPair"),
        CoreError::NotCovered { .. } => ("UnanswerableError", "NotCovered"),
        CoreError::QueryLevel { .. } => ("UnanswerableError", "QueryLevel"),
        CoreError::SplitLine { .. } => ("UnanswerableError", "SplitLine"),
        CoreError::NoTrade { .. } => ("UnanswerableError", "NoTrade"),
        // A row of a table: the class of what is wrong with it.
        CoreError::InRow { source, .. } => core_class(source),
        // `Error` is non-exhaustive: a kind added later is still a validation error.
        _ => ("ValidationError", "Other"),
    }
}

fn data_class(e: &DataError) -> (&'static str, &'static str) {
    match e {
        DataError::Io { .. } => ("DataReadError", "Io"),
        DataError::Write { .. } => ("DataWriteError", "Write"),
        DataError::FieldTooLong { .. } => ("CsvFormatError", "FieldTooLong"),
        DataError::DuplicateColumn { .. } => ("CsvFormatError", "DuplicateColumn"),
        DataError::Duplicate { .. } => ("DuplicateRowError", "Duplicate"),
        DataError::DuplicateEntry { .. } => ("DuplicateRowError", "DuplicateEntry"),
        DataError::Csv { .. } => ("CsvFormatError", "Csv"),
        DataError::MissingColumn { .. } => ("CsvFormatError", "MissingColumn"),
        DataError::Inconsistent { .. } => ("DataConsistencyError", "Inconsistent"),
        DataError::Row { .. } => ("DataRowError", "Row"),
        // A question the data cannot answer (a year without trade, say) is that, whichever crate asked it.
        DataError::Domain { error, .. } => match core_class(error) {
            unanswerable @ ("UnanswerableError", _) => unanswerable,
            _ => ("DataRowError", "Domain"),
        },
        DataError::Json { .. } => ("JsonFormatError", "Json"),
        DataError::UnsupportedSchema { .. } => ("SchemaVersionError", "UnsupportedSchema"),
        _ => ("DataError", "Other"),
    }
}

fn model_class(e: &ModelError) -> (&'static str, &'static str) {
    match e {
        ModelError::InvalidInput { .. } => ("ModelInputError", "InvalidInput"),
        ModelError::NonConvergence { .. } => ("ConvergenceError", "NonConvergence"),
        ModelError::Unsupported { .. } => ("UnsupportedMeasureError", "Unsupported"),
        ModelError::DimensionMismatch { .. } => ("ModelInputError", "DimensionMismatch"),
        ModelError::SharesDoNotSumToOne { .. } => ("ModelInputError", "SharesDoNotSumToOne"),
        ModelError::OutOfDomain { .. } => ("ModelInputError", "OutOfDomain"),
        ModelError::NoTrade { .. } => ("ModelInputError", "NoTrade"),
        ModelError::UnknownName { .. } => ("ModelInputError", "UnknownName"),
        ModelError::NotIdentified { .. } => ("ModelInputError", "NotIdentified"),
        ModelError::Core(c) => core_class(c),
        _ => ("ModelError", "Other"),
    }
}

impl Error {
    /// The exception class name, the Rust kind and the message.
    pub fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            Self::Core(e) => {
                let (c, k) = core_class(e);
                (c, k, e.to_string())
            }
            Self::Data(e) => {
                let (c, k) = data_class(e);
                (c, k, e.to_string())
            }
            Self::Model(e) => {
                let (c, k) = model_class(e);
                (c, k, e.to_string())
            }
            Self::Input(c, m) => (c, "Input", m.clone()),
            Self::Rejected(c, k, m) => (c, k, m.clone()),
            Self::Py(e) => ("TradewarError", "Python", e.to_string()),
        }
    }
}

/// The longest message raised: every error quotes inputs through `excerpt` already; this
/// is the last guard against repeating an unbounded input.
const MAX_MESSAGE_CHARS: usize = 2000;

fn bounded(message: &str) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => message.to_string(),
        Some((cut, _)) => format!("{}… ({} characters in all)", &message[..cut], message.chars().count()),
    }
}

fn build(py: Python<'_>, class: &str, kind: &str, message: &str) -> PyResult<PyErr> {
    let module = py.import("tradewar.exceptions")?;
    let cls = module.getattr(class)?.cast_into::<PyType>()?;
    let value = cls.call1((message,))?;
    value.setattr("kind", kind)?;
    Ok(PyErr::from_value(value))
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        if let Error::Py(err) = e {
            return err;
        }
        let (class, kind, message) = e.parts();
        let message = bounded(&message);
        Python::attach(|py| build(py, class, kind, &message))
            .unwrap_or_else(|err| PyRuntimeError::new_err(format!("{message} (and the exception class failed: {err})")))
    }
}
