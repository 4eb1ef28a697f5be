//! Reading CSV with named columns and errors that say where.

use std::io::Read;

use crate::error::{DataError, Result};

/// A CSV being read: its name (for messages), its column positions and its records.
pub(crate) struct CsvSource<R: Read> {
    name: String,
    columns: Vec<String>,
    reader: csv::Reader<R>,
}

/// One record with the means to parse its fields.
pub(crate) struct Row<'a> {
    name: &'a str,
    columns: &'a [String],
    record: &'a csv::StringRecord,
    line: u64,
}

impl<R: Read> CsvSource<R> {
    /// Opens a CSV and checks that every required column is present.
    pub(crate) fn open(name: &str, reader: R, required: &[&str]) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
        let headers = reader.headers().map_err(|e| csv_error(name, &e))?.clone();
        let columns: Vec<String> =
            headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        for col in required {
            if !columns.iter().any(|c| c == col) {
                return Err(DataError::MissingColumn {
                    source_name: name.to_string(),
                    column: (*col).to_string(),
                    found: columns.join(","),
                });
            }
        }
        Ok(Self { name: name.to_string(), columns, reader })
    }

    /// Calls `f` on every row; stops at the first error.
    pub(crate) fn for_each<F: FnMut(&Row<'_>) -> Result<()>>(mut self, mut f: F) -> Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    f(&Row { name: &self.name, columns: &self.columns, record: &record, line })?;
                }
                Err(e) => return Err(csv_error(&self.name, &e)),
            }
        }
    }
}

fn csv_error(name: &str, e: &csv::Error) -> DataError {
    let line = e.position().map_or(0, csv::Position::line);
    DataError::Csv { source_name: name.to_string(), line, message: e.to_string() }
}

impl Row<'_> {
    /// The raw text of a column ("" when empty).
    pub(crate) fn get(&self, column: &str) -> &str {
        self.columns.iter().position(|c| c == column).and_then(|i| self.record.get(i)).map_or("", str::trim)
    }

    /// Parses a column with `f`, wrapping its error with the place.
    pub(crate) fn parse<T, F: FnOnce(&str) -> tradewar_core::Result<T>>(&self, column: &str, f: F) -> Result<T> {
        f(self.get(column)).map_err(|error| self.error(column, error))
    }

    /// Wraps a core error with this row's place.
    pub(crate) fn error(&self, column: &str, error: tradewar_core::Error) -> DataError {
        DataError::Row {
            source_name: self.name.to_string(),
            line: self.line,
            column: column.to_string(),
            error: Box::new(error),
        }
    }

    /// 1-based line number.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }
}
