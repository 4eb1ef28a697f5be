//! Reading CSV with named columns and errors that say where.

use std::io::Read;

use crate::error::{DataError, Result};

/// The most bytes a CSV field may hold (1 MiB). The embedded files' longest
/// field is 55 KB (a list of codes); a longer field is refused with
/// [`DataError::FieldTooLong`] as soon as the reader has seen that much of
/// it, so a file with one endless line costs at most about this much memory.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

/// A CSV being read: its name (for messages), its column positions and its records.
pub(crate) struct CsvSource<R: Read> {
    name: String,
    columns: Vec<String>,
    reader: csv::Reader<QuoteTracker<R>>,
}

/// Where the bytes read so far leave a CSV's quoting, as the `csv` crate
/// parses it (a quote opens a quoted field only at the start of a field;
/// `""` inside one is a literal quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Passes bytes through while following their quoting, so that a file that
/// ends inside a quoted field (truncated) is refused: the `csv` crate
/// accepts it, and when the field is the last of its row the cut row would
/// load as if it were whole.
pub(crate) struct QuoteTracker<R> {
    inner: R,
    state: Quoting,
    /// Bytes of a leading UTF-8 byte-order mark seen so far (`csv` skips it).
    bom: usize,
    /// 1-based line of the next byte, and of the quote that opened the current quoted field.
    line: u64,
    opened_on: u64,
    /// Bytes of the current field so far, the line it started on, and the
    /// line of a field found longer than [`MAX_FIELD_BYTES`].
    field: usize,
    field_line: u64,
    too_long: Option<u64>,
}

impl<R> QuoteTracker<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            state: Quoting::FieldStart,
            bom: 0,
            line: 1,
            opened_on: 0,
            field: 0,
            field_line: 1,
            too_long: None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        const BOM: &[u8] = b"\xef\xbb\xbf";
        for &b in bytes {
            if self.bom < BOM.len() && self.line == 1 && self.state == Quoting::FieldStart {
                if b == BOM[self.bom] {
                    self.bom += 1;
                    continue;
                }
                self.bom = BOM.len();
            }
            let end = matches!(b, b',' | b'\n' | b'\r');
            if end && self.state != Quoting::Quoted {
                self.field = 0;
            } else {
                if self.field == 0 {
                    self.field_line = self.line;
                }
                self.field += 1;
                if self.field > MAX_FIELD_BYTES && self.too_long.is_none() {
                    self.too_long = Some(self.field_line);
                }
            }
            self.state = match (self.state, b) {
                (Quoting::FieldStart, b'"') => {
                    self.opened_on = self.line;
                    Quoting::Quoted
                }
                (Quoting::Quoted, b'"') => Quoting::QuoteInQuoted,
                (Quoting::Quoted, _) => Quoting::Quoted,
                (Quoting::QuoteInQuoted, b'"') => Quoting::Quoted,
                (_, _) if end => Quoting::FieldStart,
                (_, _) => Quoting::Unquoted,
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
    }

    /// The line where a quoted field opened that has not been closed.
    fn unterminated(&self) -> Option<u64> {
        (self.state == Quoting::Quoted).then_some(self.opened_on)
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.too_long.is_some() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "field too long"));
        }
        let n = self.inner.read(buf)?;
        self.feed(&buf[..n]);
        if self.too_long.is_some() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "field too long"));
        }
        Ok(n)
    }
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
        let mut reader =
            csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(QuoteTracker::new(reader));
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(too_long(name, reader.get_ref()).unwrap_or_else(|| csv_error(name, &e))),
        };
        let columns: Vec<String> =
            headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        for (k, c) in columns.iter().enumerate() {
            if let Some(first) = columns[..k].iter().position(|p| p == c) {
                return Err(DataError::DuplicateColumn {
                    source_name: name.to_string(),
                    column: tradewar_core::excerpt(c),
                    first: first + 1,
                    second: k + 1,
                });
            }
        }
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
                Ok(false) => {
                    return match self.reader.get_ref().unterminated() {
                        None => Ok(()),
                        Some(line) => Err(DataError::Csv {
                            source_name: self.name,
                            line,
                            message: "unterminated quoted field at the end of the file (is it truncated?)".into(),
                        }),
                    }
                }
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    f(&Row { name: &self.name, columns: &self.columns, record: &record, line })?;
                }
                Err(e) => {
                    return Err(too_long(&self.name, self.reader.get_ref()).unwrap_or_else(|| csv_error(&self.name, &e)))
                }
            }
        }
    }
}

fn too_long<R>(name: &str, tracker: &QuoteTracker<R>) -> Option<DataError> {
    tracker.too_long.map(|line| DataError::FieldTooLong { source_name: name.to_string(), line, limit: MAX_FIELD_BYTES })
}

fn csv_error(name: &str, e: &csv::Error) -> DataError {
    let line = e.position().map_or(0, csv::Position::line);
    DataError::Csv { source_name: name.to_string(), line, message: e.to_string() }
}

impl Row<'_> {
    /// The 1-based line the row starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Whether the header has the column.
    pub(crate) fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Result<Vec<Vec<String>>> {
        let src = CsvSource::open("q.csv", text, &["a", "b"])?;
        let mut out = Vec::new();
        src.for_each(|row| {
            out.push(vec![row.get("a").to_string(), row.get("b").to_string()]);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn a_file_cut_inside_a_quoted_last_field_is_refused() {
        // The `csv` crate reads `"fo` at the end of the input as the field
        // `fo`: a truncated row that looked whole. Found by tests/failures.rs.
        let err = rows(b"a,b\n1,\"fob\"\n2,\"fo").unwrap_err();
        assert_eq!(
            err,
            DataError::Csv {
                source_name: "q.csv".into(),
                line: 3,
                message: "unterminated quoted field at the end of the file (is it truncated?)".into(),
            }
        );
        // The quote opened on the line where the field starts, not where the file ends.
        let err = rows(b"a,b\n1,\"two\nlines").unwrap_err();
        assert!(matches!(err, DataError::Csv { line: 2, .. }), "{err}");
        assert!(rows(b"a,\"b").is_err());
    }

    /// Issue 11: one 256 MB line took +733 MB to read. A field is refused
    /// past the limit, having read little more than the limit.
    #[test]
    fn a_field_past_the_limit_is_refused() {
        let mut text = b"a,b\n1,".to_vec();
        text.extend(std::iter::repeat_n(b'7', MAX_FIELD_BYTES + 1));
        let err = rows(&text).unwrap_err();
        assert_eq!(err, DataError::FieldTooLong { source_name: "q.csv".into(), line: 2, limit: MAX_FIELD_BYTES });
        // Quoted fields count too, newlines inside them included; a header field as well.
        let mut quoted = b"a,b\n1,\"".to_vec();
        quoted.extend(std::iter::repeat_n(b'\n', MAX_FIELD_BYTES + 1));
        assert!(matches!(rows(&quoted), Err(DataError::FieldTooLong { line: 2, .. })));
        let mut header = b"a,b".to_vec();
        header.extend(std::iter::repeat_n(b'x', MAX_FIELD_BYTES + 1));
        assert!(matches!(rows(&header), Err(DataError::FieldTooLong { line: 1, .. })));
        // A field of exactly the limit is fine.
        let mut ok = b"a,b\n1,".to_vec();
        ok.extend(std::iter::repeat_n(b'7', MAX_FIELD_BYTES));
        assert_eq!(rows(&ok).unwrap()[0][1].len(), MAX_FIELD_BYTES);
    }

    /// Issue 11: a second `value_usd` column was ignored.
    #[test]
    fn a_column_named_twice_is_refused() {
        let err = rows(b"a,b,b\n1,2,3\n").unwrap_err();
        assert_eq!(err.to_string(), "q.csv: column \"b\" appears twice in the header (columns 2 and 3, from 1)");
    }

    #[test]
    fn closed_escaped_and_literal_quotes_are_fine() {
        let ok = rows(b"a,b\n1,\"x\"\"y\"\n\"2\",\"\"\n3,in\"ch\n4,\"q\"\"\"\r\n").unwrap();
        assert_eq!(ok.len(), 4);
        assert_eq!(ok[0], ["1", "x\"y"]);
        assert_eq!(ok[2], ["3", "in\"ch"]);
        assert_eq!(ok[3], ["4", "q\""]);
        // A byte-order mark before a quoted header.
        let ok = rows(b"\xef\xbb\xbf\"a\",b\n1,\"2\"").unwrap();
        assert_eq!(ok, [["1", "2"]]);
        // Odd quotes inside unquoted fields are literal, not an open quote.
        assert_eq!(rows(b"a,b\n1,12\"").unwrap(), [["1", "12\""]]);
    }
}
