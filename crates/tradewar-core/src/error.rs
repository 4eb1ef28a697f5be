//! The one error type of `tradewar-core`.
//!
//! Every variant names the offending value and, where the core knows it, the
//! place it came from (a measure id, an event date). Loaders in
//! `tradewar-data` wrap these with the file, line and column.

use chrono::NaiveDate;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Messages quote at most this many characters of an input.
pub const EXCERPT_CHARS: usize = 200;

/// An input as an error message quotes it: whole when it is short, else its
/// first [`EXCERPT_CHARS`] characters and its length. Every error of the
/// crates that names a value given from outside goes through here, so a
/// message never repeats an unbounded input.
///
/// ```
/// assert_eq!(tradewar_core::excerpt("84a1"), "84a1");
/// let long = "9".repeat(1000);
/// assert_eq!(tradewar_core::excerpt(&long), format!("{}… (1000 characters)", "9".repeat(200)));
/// ```
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// Everything that can go wrong when building or querying domain objects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not an ISO 3166-1 alpha-3 code nor a known aggregate.
    #[error("unknown economy {value:?}: expected an ISO 3166-1 alpha-3 code such as \"USA\" or an aggregate (WLD, ROW, EU27, EU28)")]
    UnknownEconomy {
        /// The text that was given.
        value: String,
    },
    /// A product code that is not a valid HS / national tariff line.
    #[error("invalid HS code {value:?}: {reason}")]
    InvalidHsCode {
        /// The text that was given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An unknown HS nomenclature revision.
    #[error("unknown HS revision {value:?}: expected one of HS1992, HS1996, HS2002, HS2007, HS2012, HS2017, HS2022")]
    UnknownHsRevision {
        /// The text that was given.
        value: String,
    },
    /// A currency code that is not three upper-case letters.
    #[error("invalid currency {value:?}: expected an ISO 4217 code such as \"USD\"")]
    InvalidCurrency {
        /// The text that was given.
        value: String,
    },
    /// An amount of money that does not parse or is out of range.
    #[error("invalid amount of money {value:?}: {reason}")]
    InvalidMoney {
        /// The text or number that was given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Arithmetic on two amounts in different currencies.
    #[error("currency mismatch: {left} and {right} cannot be combined without an exchange rate")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: String,
        /// Currency of the right operand.
        right: String,
    },
    /// A sum of money that does not fit the representation.
    #[error("money overflow while {context}")]
    MoneyOverflow {
        /// What was being computed.
        context: String,
    },
    /// A rate (percent, share, elasticity) outside its domain.
    #[error("invalid rate {value:?}: {reason}")]
    InvalidRate {
        /// The text or number that was given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An unknown keyword (valuation basis, legal basis, list name...).
    #[error("unknown {kind} {value:?}: expected one of {expected}")]
    UnknownKeyword {
        /// What kind of keyword was expected.
        kind: &'static str,
        /// The text that was given.
        value: String,
        /// The accepted spellings.
        expected: &'static str,
    },
    /// A date that does not parse, or lies outside the years the library
    /// reads ([`crate::MIN_YEAR`] to [`crate::MAX_YEAR`]).
    #[error("invalid date {value:?}: expected YYYY-MM-DD (a four-digit year from 1900 to 2100, e.g. 2018-07-06)")]
    InvalidDate {
        /// The text that was given.
        value: String,
    },
    /// A validity window whose end is not after its start.
    #[error("{context}: start {start} is not before end {end}")]
    InvertedWindow {
        /// What the window belongs to.
        context: String,
        /// First day in force.
        start: NaiveDate,
        /// First day no longer in force.
        end: NaiveDate,
    },
    /// Two windows that must not overlap do.
    #[error("overlapping windows for {context}: [{first_start}, {first_end}) and [{second_start}, {second_end})")]
    OverlappingWindows {
        /// What the windows belong to.
        context: String,
        /// Start of the first window.
        first_start: NaiveDate,
        /// End of the first window (or "open").
        first_end: String,
        /// Start of the second window.
        second_start: NaiveDate,
        /// End of the second window (or "open").
        second_end: String,
    },
    /// Two measures share one id.
    #[error("duplicate measure id {id:?}")]
    DuplicateMeasureId {
        /// The id used twice.
        id: String,
    },
    /// An event refers to a measure that is not in the timeline.
    #[error("event on {date} refers to unknown measure {id:?}")]
    UnknownMeasure {
        /// The id that was not found.
        id: String,
        /// Date of the offending event.
        date: NaiveDate,
    },
    /// A measure id that is empty or has characters we do not accept.
    #[error("invalid measure id {value:?}: {reason}")]
    InvalidMeasureId {
        /// The text that was given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An event that makes no sense for the measure or the state it finds.
    #[error("invalid event on {date} for measure {id:?}: {reason}")]
    InvalidEvent {
        /// The measure concerned.
        id: String,
        /// Date of the event.
        date: NaiveDate,
        /// What is wrong.
        reason: String,
    },
    /// A domain object built with inconsistent parts.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// Which object.
        what: &'static str,
        /// What is wrong, naming the values.
        reason: String,
    },
    /// The same trade flow (exporter, importer, product, year) twice.
    #[error(
        "duplicate trade flow {flow}: rows {first} and {second} (counted from 0); trade is not summed unless asked \
         (aggregate=True in Python, TradeMatrix::extend_summing in Rust)"
    )]
    DuplicateFlow {
        /// The flow, e.g. `CHN→USA 9403.10 2017`.
        flow: String,
        /// Position of its first row: the rows already in the matrix come first, then the new ones.
        first: usize,
        /// Position of the row that repeats it.
        second: usize,
    },
    /// Two flows of one pair and year whose products nest (`9403` and
    /// `9403.10`): the same trade counted twice.
    #[error(
        "rows {first} and {second} (counted from 0) count the same trade twice: {inner} lies inside {outer}, both {flow}; \
         keep one \
         level of product per flow (aggregate the finer rows, or drop the coarser ones)"
    )]
    NestedFlows {
        /// The coarser product, e.g. `9403`.
        outer: String,
        /// The finer product inside it, e.g. `9403.10`.
        inner: String,
        /// Pair and year of both, e.g. `CHN→USA 2017`.
        flow: String,
        /// Position of the first of the two rows: rows already in the matrix come first, then the new ones.
        first: usize,
        /// Position of the second.
        second: usize,
    },
    /// Columns of a table that do not have the same length.
    #[error("column {column} has {got} rows, expected {expected}")]
    ColumnLength {
        /// The short column.
        column: &'static str,
        /// Its length.
        got: usize,
        /// The table's length.
        expected: usize,
    },
    /// A bilateral question about an economy and itself.
    #[error("{what}: {economy} with itself; a bilateral question needs two different economies")]
    SelfPair {
        /// What was asked (a duty query, a balance...).
        what: &'static str,
        /// The economy given on both sides.
        economy: String,
    },
    /// A question about an economy the data do not cover.
    #[error("{economy} is not covered as {role}: the data ({source_name}) cover {covered}; {hint}")]
    NotCovered {
        /// The economy asked about.
        economy: String,
        /// Its role in the question ("importer", "exporter").
        role: &'static str,
        /// What the data cover.
        covered: String,
        /// The data.
        source_name: String,
        /// What to ask instead.
        hint: &'static str,
    },
    /// A product code coarser than the importer's tariff lines, where one
    /// duty cannot be named.
    #[error(
        "{code} is coarser than {importer}'s tariff lines ({digits} digits; {lines} below it, e.g. {example}): \
         query one of its lines, or ask for the rate of the product (`ScheduleAt::product_rate`, Python \
         `Schedule.rate`), which aggregates over its lines with the method named"
    )]
    QueryLevel {
        /// The code asked about.
        code: String,
        /// The importer.
        importer: String,
        /// Digits of the importer's lines.
        digits: u8,
        /// How many lines lie below the code.
        lines: usize,
        /// One of them.
        example: String,
    },
    /// A line that a measure splits: it lists finer codes below it, so part
    /// of the line pays one duty and part another.
    #[error(
        "{line} is split by {measure}, which lists {listed} below it: query at {digits} digits, or ask for the \
         rate of the product (`ScheduleAt::product_rate`, Python `Schedule.rate`) for the range over its parts"
    )]
    SplitLine {
        /// The line asked about.
        line: String,
        /// The measure that splits it.
        measure: String,
        /// A finer code it lists.
        listed: String,
        /// Digits of that code.
        digits: u8,
    },
    /// A question about a year in which the trade has no flows.
    #[error("{what}: the trade has no flows in {year} (years: {years})")]
    NoTrade {
        /// What was asked.
        what: String,
        /// The year asked about.
        year: i32,
        /// The years the trade has.
        years: String,
    },
    /// One row of a table could not be used; the row is named.
    #[error("row {row}: {source}")]
    InRow {
        /// The row, from 0.
        row: usize,
        /// Why.
        source: Box<Error>,
    },
}
