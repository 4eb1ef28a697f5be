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
    /// The file could not be written.
    #[error("{source_name}: cannot write: {message}")]
    Write {
        /// File or dataset name.
        source_name: String,
        /// The system's message.
        message: String,
    },
    /// A CSV field longer than [`crate::loaders::MAX_FIELD_BYTES`]: refused
    /// as soon as it is seen, so that one endless line cannot exhaust memory.
    #[error(
        "{source_name}, line {line}: a field is longer than {limit} bytes (the most a CSV field may hold); is the \
         file a CSV with this layout?"
    )]
    FieldTooLong {
        /// File or dataset name.
        source_name: String,
        /// 1-based line where the field starts.
        line: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Two columns of a CSV header have the same name (one would be ignored).
    #[error("{source_name}: column {column:?} appears twice in the header (columns {first} and {second}, from 1)")]
    DuplicateColumn {
        /// File or dataset name.
        source_name: String,
        /// The name.
        column: String,
        /// 1-based position of its first appearance.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
    /// The same trade flow (exporter, importer, product, year) on two rows.
    #[error(
        "{source_name}: duplicate trade flow {flow} on {first} and {second}; rows are not summed unless asked \
         (aggregate=True in Python, Duplicates::Sum in Rust)"
    )]
    Duplicate {
        /// File or dataset name.
        source_name: String,
        /// The flow, e.g. `CHN→USA 9403.10 2017`.
        flow: String,
        /// Where it first appears, e.g. `line 2`.
        first: String,
        /// Where it appears again.
        second: String,
    },
    /// A key that a file must list once (a code of an elasticity table) on two lines.
    #[error("{source_name}: {key} is listed on {first} and on {second}; keep one")]
    DuplicateEntry {
        /// File or dataset name.
        source_name: String,
        /// What is listed twice, e.g. `the elasticity of 2103.20.40.20`.
        key: String,
        /// Where it first appears, e.g. `line 2`.
        first: String,
        /// Where it appears again.
        second: String,
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
