//! The one error type of `tradewar-data`: every failure names the source
//! (file or embedded dataset), the line and the column.

/// Result alias of the data crate.
pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// What can go wrong while loading data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read.
    #[error("{source_name}: cannot read: {message}")]
    Io {
        /// File or dataset name.
        source_name: String,
        /// The system's message.
        message: String,
    },
    /// The CSV itself is malformed (unbalanced quotes, ragged rows...).
    #[error("{source_name}, line {line}: malformed CSV: {message}")]
    Csv {
        /// File or dataset name.
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{source_name}: missing column {column:?} (header has: {found})")]
    MissingColumn {
        /// File or dataset name.
        source_name: String,
        /// The column expected.
        column: String,
        /// The columns found, comma separated.
        found: String,
    },
    /// A value in a row is invalid.
    #[error("{source_name}, line {line}, column {column:?}: {error}")]
    Row {
        /// File or dataset name.
        source_name: String,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// Column name.
        column: String,
        /// What is wrong with the value (it names the value).
        error: Box<tradewar_core::Error>,
    },
    /// The data are readable but inconsistent as a whole.
    #[error("{source_name}: {message}")]
    Inconsistent {
        /// File or dataset name.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A JSON document is malformed, truncated, or not what was expected.
    #[error("{source_name}, line {line}, column {column}: {message}")]
    Json {
        /// File or dataset name.
        source_name: String,
        /// 1-based line number where the parser stopped (0 when unknown).
        line: u64,
        /// 1-based column number where the parser stopped (0 when unknown).
        column: u64,
        /// What is wrong ("malformed JSON: ...", "truncated JSON: ...",
        /// "not a valid scenario: ...").
        message: String,
    },
    /// A file's `schema_version` is missing, malformed or newer than this
    /// library reads; nothing else in the file was interpreted.
    #[error("{source_name}: unsupported schema_version {found} ({reason}); this version of tradewar reads schema_version {supported}")]
    UnsupportedSchema {
        /// File or dataset name.
        source_name: String,
        /// The version found, as written in the file (`none` when absent).
        found: String,
        /// The newest version this library reads.
        supported: u64,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Building a domain object from loaded data failed.
    #[error("{source_name}: {error}")]
    Domain {
        /// File or dataset name.
        source_name: String,
        /// The core error.
        error: Box<tradewar_core::Error>,
    },
}
