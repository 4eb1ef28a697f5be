//! Tables to and from Arrow natively, through the Arrow C stream interface
//! (the `__arrow_c_stream__` PyCapsule protocol): pyarrow is needed on neither side.
//!
//! Export turns a [`TableData`] into one Arrow record batch and hands it out as a
//! PyCapsule named `"arrow_array_stream"`; whoever reads the capsule (pyarrow,
//! polars, DuckDB, ...) takes the buffers over without copying them again.
//! Column kinds map to Arrow types as follows:
//!
//! | kind      | Arrow type                                                              |
//! |-----------|-------------------------------------------------------------------------|
//! | `str`     | utf8 (large_utf8 only if a column holds more than 2 GiB of text)        |
//! | `int`     | int64                                                                   |
//! | `float`   | float64 (an owned `Vec<f64>` becomes the Arrow buffer as it is)         |
//! | `decimal` | decimal128(38, s), s = the largest scale in the column (2 if none), at most 18; `None` is null |
//! | `date`    | date32                                                                  |
//! | `bool`    | boolean                                                                 |
//!
//! Every field is declared nullable (as pyarrow does by default), and the table's
//! name is kept in the schema metadata under [`NAME_KEY`].
//!
//! Import reads any object with `__arrow_c_stream__` (or such a capsule itself) into
//! record batches, then into a [`TableData`] or a [`TradeMatrix`]. Every failure is a
//! typed error naming the column, the row (0-based, counted across batches), the bad
//! value and the Python type the stream came from.

use std::collections::HashMap;
use std::ffi::CStr;
use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{
    builder::StringBuilder, Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array,
    LargeStringArray, RecordBatch, RecordBatchIterator, RecordBatchOptions, RecordBatchReader, StringArray,
};
use arrow_buffer::i256;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use chrono::{NaiveDate, TimeDelta};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use rust_decimal::Decimal;
use tradewar_core::{Currency, Economy, HsCode, Money, TradeFlow, TradeMatrix, ValuationBasis};

use crate::convert::{parse_decimal, type_name};
use crate::error::{invalid, located, Error, Result};
use crate::table::{Column, TableData};

/// The schema metadata key that holds a table's name.
pub const NAME_KEY: &str = "tradewar.table";

const STREAM_CAPSULE: &CStr = c"arrow_array_stream";
const SCHEMA_CAPSULE: &CStr = c"arrow_schema";

/// Decimal columns leave as decimal128 with this precision...
const PRECISION: u8 = 38;
/// ...and a scale of at most this many places (as the pyarrow path always did).
const MAX_SCALE: u32 = 18;
/// The scale of a decimal column without any value.
const DEFAULT_SCALE: u32 = 2;
/// rust_decimal holds at most 28 decimal places in a 96-bit mantissa.
const MAX_DECIMAL_SCALE: i32 = 28;
const MAX_MANTISSA: u128 = (1 << 96) - 1;
const MS_PER_DAY: i64 = 86_400_000;

fn arrow_error(e: ArrowError, what: &str) -> Error {
    Error::Rejected("ValidationError", "Arrow", format!("{what}: {e}"))
}

fn epoch() -> NaiveDate {
    NaiveDate::default()
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

fn text_bytes(values: &[String]) -> usize {
    values.iter().map(String::len).sum()
}

fn decimal_scale(values: &[Option<Decimal>]) -> u32 {
    values.iter().flatten().map(Decimal::scale).max().unwrap_or(DEFAULT_SCALE).min(MAX_SCALE)
}

/// Whether the table's Arrow form reads back as the very same Python values: every decimal
/// column holds one scale, at most 18, and no negative zero (Arrow gives a whole column one
/// scale, so a `Decimal("5")` among cents would come back as `Decimal("5.00")`).
pub fn same_in_arrow(table: &TableData) -> bool {
    table.columns.iter().all(|(_, column)| match column {
        Column::Decimal(v) => {
            let mut values = v.iter().flatten();
            let Some(first) = values.next() else { return true };
            let (scale, plain) = (first.scale(), |d: &Decimal| !(d.is_zero() && d.is_sign_negative()));
            scale <= MAX_SCALE && plain(first) && values.all(|d| d.scale() == scale && plain(d))
        }
        _ => true,
    })
}

/// The Arrow type a column leaves as.
fn arrow_type(column: &Column) -> DataType {
    match column {
        Column::Str(v) if i32::try_from(text_bytes(v)).is_err() => DataType::LargeUtf8,
        Column::Str(_) => DataType::Utf8,
        Column::Int(_) => DataType::Int64,
        Column::Float(_) => DataType::Float64,
        Column::Decimal(v) => DataType::Decimal128(PRECISION, decimal_scale(v) as i8),
        Column::Date(_) => DataType::Date32,
        Column::Bool(_) => DataType::Boolean,
    }
}

/// The Arrow schema of a table.
pub fn schema(table: &TableData) -> Schema {
    let fields: Vec<Field> =
        table.columns.iter().map(|(name, column)| Field::new(name.as_str(), arrow_type(column), true)).collect();
    Schema::new_with_metadata(fields, HashMap::from([(NAME_KEY.to_string(), table.name.clone())]))
}

/// `d` as an integer of `scale` decimal places, if it fits decimal128(38, scale) exactly.
fn decimal_units(d: Decimal, scale: u32) -> Option<i128> {
    let (mantissa, own) = (d.mantissa(), d.scale());
    let units = if own <= scale {
        mantissa.checked_mul(10_i128.checked_pow(scale - own)?)?
    } else {
        let drop = 10_i128.checked_pow(own - scale)?;
        if mantissa % drop != 0 {
            return None;
        }
        mantissa / drop
    };
    (units.unsigned_abs() < 10_u128.pow(u32::from(PRECISION))).then_some(units)
}

fn decimal_array(table: &str, name: &str, values: &[Option<Decimal>]) -> Result<ArrayRef> {
    let scale = decimal_scale(values);
    let units = values
        .iter()
        .enumerate()
        .map(|(row, v)| {
            v.map(|d| {
                decimal_units(d, scale).ok_or_else(|| {
                    Error::Input(
                        "InvalidAmountError",
                        format!(
                            "table {table:?}, column {name:?}, row {row}: {d} does not fit decimal128({PRECISION}, \
                             {scale}) exactly"
                        ),
                    )
                })
            })
            .transpose()
        })
        .collect::<Result<Vec<Option<i128>>>>()?;
    let array = Decimal128Array::from(units)
        .with_precision_and_scale(PRECISION, scale as i8)
        .map_err(|e| arrow_error(e, &format!("table {table:?}, column {name:?}")))?;
    Ok(Arc::new(array))
}

fn days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// A column as an Arrow array of [`arrow_type`], copying its values.
fn borrowed_array(table: &str, name: &str, column: &Column) -> Result<ArrayRef> {
    Ok(match column {
        Column::Str(v) if i32::try_from(text_bytes(v)).is_err() => {
            Arc::new(LargeStringArray::from_iter_values(v.iter()))
        }
        Column::Str(v) => Arc::new(StringArray::from_iter_values(v.iter())),
        Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
        Column::Float(v) => Arc::new(Float64Array::from(v.clone())),
        Column::Decimal(v) => decimal_array(table, name, v)?,
        Column::Date(v) => Arc::new(Date32Array::from(v.iter().copied().map(days).collect::<Vec<i32>>())),
        Column::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
    })
}

/// A column as an Arrow array of [`arrow_type`]; integer and float vectors become the
/// Arrow buffers themselves (no copy).
fn owned_array(table: &str, name: &str, column: Column) -> Result<ArrayRef> {
    match column {
        Column::Int(v) => Ok(Arc::new(Int64Array::from(v))),
        Column::Float(v) => Ok(Arc::new(Float64Array::from(v))),
        other => borrowed_array(table, name, &other),
    }
}

fn assemble(schema: Schema, rows: usize, arrays: Vec<ArrayRef>, table: &str) -> Result<RecordBatch> {
    RecordBatch::try_new_with_options(Arc::new(schema), arrays, &RecordBatchOptions::new().with_row_count(Some(rows)))
        .map_err(|e| arrow_error(e, &format!("table {table:?}")))
}

/// The table as one record batch; its values are copied (the table stays usable).
pub fn batch(table: &TableData) -> Result<RecordBatch> {
    let arrays = table
        .columns
        .iter()
        .map(|(name, column)| borrowed_array(&table.name, name, column))
        .collect::<Result<Vec<_>>>()?;
    assemble(schema(table), table.len(), arrays, &table.name)
}

/// The table as one record batch, moving its integer and float columns into Arrow.
pub fn owned_batch(table: TableData) -> Result<RecordBatch> {
    let (schema, rows) = (schema(&table), table.len());
    let TableData { name, columns } = table;
    let arrays =
        columns.into_iter().map(|(col, column)| owned_array(&name, &col, column)).collect::<Result<Vec<_>>>()?;
    assemble(schema, rows, arrays, &name)
}

/// At most this many rows go through [`trade_batch`]: each text column then holds less than
/// 2 GiB (an HS code is at most 13 characters), so utf8 offsets cannot overflow.
const TRADE_BATCH_MAX_ROWS: usize = (i32::MAX as usize) / 16;

/// The trade matrix as the record batch that `owned_batch` makes of its `to_table()` (same
/// names, types, values and metadata), written straight from the matrix's columns without a
/// `String` per cell. `None` for matrices too large for that guarantee (use `owned_batch`).
pub fn trade_batch(m: &TradeMatrix) -> Option<Result<RecordBatch>> {
    if m.len() > TRADE_BATCH_MAX_ROWS {
        return None;
    }
    let codes = |v: &[Economy]| -> ArrayRef { Arc::new(StringArray::from_iter_values(v.iter().map(Economy::as_str))) };
    let mut products = StringBuilder::with_capacity(m.len(), m.len() * 7);
    for p in m.products() {
        // Writing into the builder's buffer cannot fail.
        let _ = write!(products, "{p}");
        products.append_value("");
    }
    let years: Vec<i64> = m.years().iter().map(|&y| i64::from(y)).collect();
    let cents: Vec<i128> = m.values_cents().iter().map(|&c| i128::from(c)).collect();
    let values = match Decimal128Array::from(cents).with_precision_and_scale(PRECISION, 2) {
        Ok(v) => v,
        Err(e) => return Some(Err(arrow_error(e, "table \"trade\", column \"value_usd\""))),
    };
    let columns: [(&str, ArrayRef); 6] = [
        ("exporter", codes(m.exporters())),
        ("importer", codes(m.importers())),
        ("product", Arc::new(products.finish())),
        ("year", Arc::new(Int64Array::from(years))),
        ("value_usd", Arc::new(values)),
        ("basis", Arc::new(StringArray::from_iter_values(m.bases().iter().map(|b| b.as_str())))),
    ];
    let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
    let schema = Schema::new_with_metadata(fields, HashMap::from([(NAME_KEY.to_string(), "trade".to_string())]));
    Some(assemble(schema, m.len(), columns.into_iter().map(|c| c.1).collect(), "trade"))
}

/// A PyCapsule `"arrow_array_stream"` that streams `batch` (the Arrow PyCapsule interface).
/// If nobody takes the stream, dropping the capsule releases it.
pub fn stream_capsule(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyCapsule>> {
    let schema = batch.schema();
    let reader = RecordBatchIterator::new([Ok(batch)], schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new(py, stream, Some(STREAM_CAPSULE.to_owned()))
}

/// A PyCapsule `"arrow_schema"` holding `schema`.
pub fn schema_capsule<'py>(py: Python<'py>, schema: &Schema) -> Result<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema).map_err(|e| arrow_error(e, "exporting the schema"))?;
    Ok(PyCapsule::new(py, ffi, Some(SCHEMA_CAPSULE.to_owned()))?)
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/// Every batch of an Arrow stream, with the schema and where the stream came from.
pub struct Stream {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    /// The Python type the stream came from, for messages.
    source: String,
}

/// Takes the C stream out of a capsule, leaving a released stream in its place (so the
/// capsule's own destructor has nothing left to free).
#[allow(unsafe_code)]
fn take_stream(capsule: &Bound<'_, PyCapsule>) -> Result<FFI_ArrowArrayStream> {
    let pointer = capsule.pointer_checked(Some(STREAM_CAPSULE)).map_err(|_| {
        let found = capsule.repr().map_or_else(|_| "another capsule".into(), |r| r.to_string());
        Error::Rejected(
            "ValidationError",
            "ArrowStream",
            format!("expected a PyCapsule named \"arrow_array_stream\", got {found}"),
        )
    })?;
    // SAFETY: the Arrow PyCapsule interface defines a capsule named "arrow_array_stream" as
    // owning a valid, aligned, initialized `struct ArrowArrayStream`, whose C layout
    // `FFI_ArrowArrayStream` (`#[repr(C)]`) reproduces; the name was checked just above and the
    // pointer is non-null. We hold a reference to the capsule and run no Python code between
    // reading the pointer and this call, so the struct is still alive. `from_raw` moves it out
    // and writes a released stream (release = NULL) in its place, as the C interface's "move"
    // semantics require: the capsule's destructor then sees a released stream and frees nothing
    // twice, and the moved stream is released exactly once, when the reader drops it.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.cast::<FFI_ArrowArrayStream>().as_ptr()) };
    Ok(stream)
}

/// The stream capsule of `data`: a capsule itself, or the result of `data.__arrow_c_stream__()`,
/// or of `data.to_arrow().__arrow_c_stream__()` for objects (older polars) that only convert.
fn stream_capsule_of<'py>(data: &Bound<'py, PyAny>) -> Result<Bound<'py, PyCapsule>> {
    if let Ok(capsule) = data.cast::<PyCapsule>() {
        return Ok(capsule.clone());
    }
    let producer = if data.hasattr("__arrow_c_stream__")? {
        data.clone()
    } else if data.hasattr("to_arrow")? {
        let converted = data.call_method0("to_arrow")?;
        if !converted.hasattr("__arrow_c_stream__")? {
            return Err(not_a_stream(data));
        }
        converted
    } else {
        return Err(not_a_stream(data));
    };
    let capsule = producer.call_method0("__arrow_c_stream__")?;
    let returned = qualified_name(&capsule);
    capsule.cast_into::<PyCapsule>().map_err(|_| {
        Error::Rejected(
            "ValidationError",
            "ArrowStream",
            format!("{}.__arrow_c_stream__() returned {returned}, not a PyCapsule", qualified_name(&producer)),
        )
    })
}

fn not_a_stream(data: &Bound<'_, PyAny>) -> Error {
    Error::Rejected(
        "ValidationError",
        "ArrowStream",
        format!(
            "expected an Arrow stream (an object with __arrow_c_stream__: a pyarrow Table or RecordBatchReader, a \
             polars DataFrame, a tradewar Table, ...), got {}",
            qualified_name(data)
        ),
    )
}

fn qualified_name(data: &Bound<'_, PyAny>) -> String {
    data.get_type().fully_qualified_name().map_or_else(|_| type_name(data), |n| n.to_string())
}

/// Reads every batch of the Arrow stream of `data`.
pub fn read_stream(data: &Bound<'_, PyAny>) -> Result<Stream> {
    let source = qualified_name(data);
    let capsule = stream_capsule_of(data)?;
    let what = format!("the Arrow stream of {source}");
    let reader = RecordBatchStreamReader::try_new(take_stream(&capsule)?).map_err(|e| arrow_error(e, &what))?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, ArrowError>>().map_err(|e| arrow_error(e, &what))?;
    // arrow-rs imports foreign buffers unchecked: check offsets, bounds and UTF-8 here, so that a
    // faulty producer is a typed error rather than a bad read.
    for batch in &batches {
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            column
                .to_data()
                .validate_full()
                .map_err(|e| arrow_error(e, &format!("column {:?} of {what}", field.name())))?;
        }
    }
    Ok(Stream { schema, batches, source })
}

/// One value of an Arrow array, whatever its physical type.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Int(i128),
    Float(f64),
    /// Unscaled value and scale.
    Decimal(i256, i8),
    /// Days since 1970-01-01.
    Days(i64),
    Bool(bool),
}

/// What a column holds, whatever its physical type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Text,
    Int,
    Float,
    Decimal,
    Date,
    Bool,
}

fn kind_of(t: &DataType) -> Option<Kind> {
    use DataType as D;
    Some(match t {
        D::Utf8 | D::LargeUtf8 | D::Utf8View => Kind::Text,
        D::Int8 | D::Int16 | D::Int32 | D::Int64 | D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => Kind::Int,
        D::Float16 | D::Float32 | D::Float64 => Kind::Float,
        D::Decimal32(..) | D::Decimal64(..) | D::Decimal128(..) | D::Decimal256(..) => Kind::Decimal,
        D::Date32 | D::Date64 => Kind::Date,
        D::Boolean => Kind::Bool,
        D::Dictionary(_, values) => return kind_of(values),
        _ => return None,
    })
}

type Cells<'a> = Box<dyn Iterator<Item = Option<Cell<'a>>> + 'a>;

fn primitive<'a, T: ArrowPrimitiveType>(
    a: &'a dyn Array,
    cell: impl Fn(T::Native) -> Cell<'a> + 'a,
) -> Option<Cells<'a>> {
    Some(Box::new(a.as_primitive_opt::<T>()?.iter().map(move |v| v.map(&cell))))
}

/// The values of an array of any type [`kind_of`] knows, nulls as `None`.
fn cells(a: &dyn Array) -> Option<Cells<'_>> {
    use DataType as D;
    match a.data_type() {
        D::Utf8 => Some(Box::new(a.as_string_opt::<i32>()?.iter().map(|v| v.map(Cell::Text)))),
        D::LargeUtf8 => Some(Box::new(a.as_string_opt::<i64>()?.iter().map(|v| v.map(Cell::Text)))),
        D::Utf8View => Some(Box::new(a.as_string_view_opt()?.iter().map(|v| v.map(Cell::Text)))),
        D::Int8 => primitive::<Int8Type>(a, |v| Cell::Int(v.into())),
        D::Int16 => primitive::<Int16Type>(a, |v| Cell::Int(v.into())),
        D::Int32 => primitive::<Int32Type>(a, |v| Cell::Int(v.into())),
        D::Int64 => primitive::<Int64Type>(a, |v| Cell::Int(v.into())),
        D::UInt8 => primitive::<UInt8Type>(a, |v| Cell::Int(v.into())),
        D::UInt16 => primitive::<UInt16Type>(a, |v| Cell::Int(v.into())),
        D::UInt32 => primitive::<UInt32Type>(a, |v| Cell::Int(v.into())),
        D::UInt64 => primitive::<UInt64Type>(a, |v| Cell::Int(v.into())),
        D::Float16 => primitive::<Float16Type>(a, |v| Cell::Float(v.to_f64())),
        D::Float32 => primitive::<Float32Type>(a, |v| Cell::Float(v.into())),
        D::Float64 => primitive::<Float64Type>(a, Cell::Float),
        &D::Decimal32(_, s) => primitive::<Decimal32Type>(a, move |v| Cell::Decimal(i256::from(v), s)),
        &D::Decimal64(_, s) => primitive::<Decimal64Type>(a, move |v| Cell::Decimal(i256::from(v), s)),
        &D::Decimal128(_, s) => primitive::<Decimal128Type>(a, move |v| Cell::Decimal(i256::from_i128(v), s)),
        &D::Decimal256(_, s) => primitive::<Decimal256Type>(a, move |v| Cell::Decimal(v, s)),
        D::Date32 => primitive::<Date32Type>(a, |v| Cell::Days(v.into())),
        D::Date64 => primitive::<Date64Type>(a, |v| Cell::Days(v.div_euclid(MS_PER_DAY))),
        D::Boolean => Some(Box::new(a.as_boolean_opt()?.iter().map(|v| v.map(Cell::Bool)))),
        D::Dictionary(..) => {
            let dict = a.as_any_dictionary_opt()?;
            let values: Vec<Option<Cell<'_>>> = cells(dict.values().as_ref())?.collect();
            let (keys, index) = (dict.keys(), dict.normalized_keys());
            Some(Box::new((0..a.len()).map(move |row| {
                if keys.is_null(row) {
                    None
                } else {
                    index.get(row).and_then(|&k| values.get(k)).copied().flatten()
                }
            })))
        }
        _ => None,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "strings (utf8, large_utf8, utf8_view or a dictionary of them)",
        Kind::Int => "integers",
        Kind::Float => "floats",
        Kind::Decimal => "decimals",
        Kind::Date => "dates (date32 or date64)",
        Kind::Bool => "booleans",
    }
}

fn decimal_text(units: i256, scale: i8) -> String {
    if scale == 0 {
        units.to_string()
    } else {
        format!("{units}E{}", -i32::from(scale))
    }
}

/// An exact rust_decimal from an Arrow decimal, dropping trailing zeros if needed to fit.
fn to_decimal(units: i256, scale: i8) -> Option<Decimal> {
    let mut m = units.to_i128()?;
    let mut scale = i32::from(scale);
    if scale < 0 {
        m = m.checked_mul(10_i128.checked_pow(scale.unsigned_abs())?)?;
        scale = 0;
    }
    while (scale > MAX_DECIMAL_SCALE || m.unsigned_abs() > MAX_MANTISSA) && scale > 0 && m % 10 == 0 {
        m /= 10;
        scale -= 1;
    }
    if scale > MAX_DECIMAL_SCALE || m.unsigned_abs() > MAX_MANTISSA {
        return None;
    }
    Decimal::try_from_i128_with_scale(m, scale as u32).ok()
}

fn date_of_days(days: i64) -> Option<NaiveDate> {
    epoch().checked_add_signed(TimeDelta::try_days(days)?)
}

impl Stream {
    fn index(&self, name: &str) -> Option<usize> {
        self.schema.index_of(name).ok()
    }

    /// Refuses a schema that names a column twice (one of the two would be ignored).
    fn unique_names(&self) -> Result<()> {
        let fields = self.schema.fields();
        for (k, f) in fields.iter().enumerate() {
            if let Some(first) = fields[..k].iter().position(|g| g.name() == f.name()) {
                return Err(Error::Rejected(
                    "ColumnError",
                    "DuplicateColumn",
                    format!(
                        "column {:?} appears twice in the Arrow stream of {} (columns {first} and {k}, from 0)",
                        tradewar_core::excerpt(f.name()),
                        self.source
                    ),
                ));
            }
        }
        Ok(())
    }

    fn place(&self, column: &str, row: usize) -> String {
        format!("column {column:?}, row {row} of the Arrow stream of {}", self.source)
    }

    fn null(&self, column: &str, row: usize) -> Error {
        Error::Rejected(
            "ColumnError",
            "NullValue",
            format!("{}: null value (the column may not have missing values)", self.place(column, row)),
        )
    }

    fn wrong_type(&self, column: &str, found: &DataType, expected: &str) -> Error {
        Error::Rejected(
            "ColumnError",
            "ColumnType",
            format!("column {column:?} of the Arrow stream of {} is {found}; expected {expected}", self.source),
        )
    }

    /// The column's kind, if it is one of `allowed`.
    fn kind(&self, index: usize, allowed: &[Kind]) -> Result<Kind> {
        let field = self.schema.field(index);
        match kind_of(field.data_type()) {
            Some(k) if allowed.contains(&k) => Ok(k),
            Some(Kind::Float) if allowed.contains(&Kind::Decimal) => Err(invalid(format!(
                "{name}: floats are not exact; pass decimal.Decimal or a string such as \"1.10\" (column {name:?} of \
                 the Arrow stream of {} is {})",
                self.source,
                field.data_type(),
                name = field.name(),
            ))),
            _ => {
                let expected: Vec<&str> = allowed.iter().map(|&k| kind_name(k)).collect();
                Err(self.wrong_type(field.name(), field.data_type(), &expected.join(" or ")))
            }
        }
    }

    /// Calls `f` with the row number and every value of column `index`, batch after batch.
    fn each(&self, index: usize, mut f: impl FnMut(usize, Option<Cell<'_>>) -> Result<()>) -> Result<()> {
        let field = self.schema.field(index);
        let mut row = 0;
        for batch in &self.batches {
            let array = batch.columns().get(index).ok_or_else(|| {
                Error::Rejected(
                    "ValidationError",
                    "Arrow",
                    format!("a batch of the Arrow stream of {} lacks column {:?}", self.source, field.name()),
                )
            })?;
            let values = cells(array.as_ref()).ok_or_else(|| {
                self.wrong_type(field.name(), array.data_type(), "the type announced by the stream's schema")
            })?;
            for cell in values {
                f(row, cell)?;
                row += 1;
            }
        }
        Ok(())
    }

    fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Column `index` with every value converted by `f`; nulls are refused.
    fn required<T>(&self, index: usize, mut f: impl FnMut(Cell<'_>) -> Result<T>) -> Result<Vec<T>> {
        let name = self.schema.field(index).name();
        let mut out = Vec::with_capacity(self.rows());
        self.each(index, |row, cell| {
            let cell = cell.ok_or_else(|| self.null(name, row))?;
            out.push(f(cell).map_err(|e| located(e, &self.place(name, row)))?);
            Ok(())
        })?;
        Ok(out)
    }
}

fn unexpected() -> Error {
    invalid("value of an unexpected type")
}

fn text_cell(cell: Cell<'_>) -> Result<&str> {
    match cell {
        Cell::Text(t) => Ok(t),
        _ => Err(unexpected()),
    }
}

fn int_cell(cell: Cell<'_>, what: &str) -> Result<i64> {
    match cell {
        Cell::Int(v) => i64::try_from(v).map_err(|_| invalid(format!("{what}: {v} does not fit a 64-bit integer"))),
        _ => Err(unexpected()),
    }
}

fn decimal_cell(cell: Cell<'_>, what: &str) -> Result<Decimal> {
    let too_big =
        |text: String| Error::Input("InvalidAmountError", format!("{what}: {text} does not fit an exact decimal"));
    match cell {
        Cell::Decimal(units, scale) => to_decimal(units, scale).ok_or_else(|| too_big(decimal_text(units, scale))),
        Cell::Int(v) => Decimal::try_from_i128_with_scale(v, 0).map_err(|_| too_big(v.to_string())),
        Cell::Text(t) => parse_decimal(t.trim(), what),
        _ => Err(unexpected()),
    }
}

/// Parses text cells with `parse`, reusing the previous row's result when the text repeats
/// (codes in trade tables come in long runs: parsing is the costly part of an import).
fn repeated<T: Copy>(parse: impl Fn(&str) -> Result<T>) -> impl FnMut(Cell<'_>) -> Result<T> {
    let mut last: Option<(String, T)> = None;
    move |cell| {
        let text = text_cell(cell)?;
        if let Some((seen, value)) = &last {
            if seen == text {
                return Ok(*value);
            }
        }
        let value = parse(text)?;
        match &mut last {
            Some((seen, v)) => {
                seen.clear();
                seen.push_str(text);
                *v = value;
            }
            None => last = Some((text.to_string(), value)),
        }
        Ok(value)
    }
}

/// A [`TableData`] from every column of the stream (named after the stream's
/// [`NAME_KEY`] metadata, or `name`).
pub fn table_from_stream(stream: &Stream, name: Option<&str>) -> Result<TableData> {
    stream.unique_names()?;
    read_columns(stream, name, None)
}

/// A [`TableData`] of the stream's columns named in `wanted` (in the stream's order; the others
/// are not read, so they may be of any type). A name not in the stream is a `ColumnError`
/// (kind `MissingColumn`) listing the columns there are.
pub fn table_from_stream_columns(stream: &Stream, name: Option<&str>, wanted: &[&str]) -> Result<TableData> {
    let missing: Vec<&str> = wanted.iter().copied().filter(|c| stream.index(c).is_none()).collect();
    if !missing.is_empty() {
        let have: Vec<&str> = stream.schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(Error::Rejected(
            "ColumnError",
            "MissingColumn",
            format!(
                "missing column(s) {} (have: {}) in the Arrow stream of {}",
                missing.join(", "),
                have.join(", "),
                stream.source
            ),
        ));
    }
    stream.unique_names()?;
    read_columns(stream, name, Some(wanted))
}

fn read_columns(stream: &Stream, name: Option<&str>, wanted: Option<&[&str]>) -> Result<TableData> {
    let name = name
        .map(str::to_string)
        .or_else(|| stream.schema.metadata().get(NAME_KEY).cloned())
        .unwrap_or_else(|| "arrow".to_string());
    let mut table = TableData::new(&name);
    let all = [Kind::Text, Kind::Int, Kind::Float, Kind::Decimal, Kind::Date, Kind::Bool];
    for (index, field) in stream.schema.fields().iter().enumerate() {
        if wanted.is_some_and(|w| !w.contains(&field.name().as_str())) {
            continue;
        }
        let column = match kind_of(field.data_type()) {
            None => return Err(stream.wrong_type(field.name(), field.data_type(), &all.map(kind_name).join(", "))),
            Some(Kind::Text) => Column::Str(stream.required(index, |c| text_cell(c).map(str::to_string))?),
            Some(Kind::Int) => Column::Int(stream.required(index, |c| int_cell(c, "value"))?),
            Some(Kind::Float) => Column::Float(stream.required(index, |c| match c {
                Cell::Float(v) => Ok(v),
                _ => Err(unexpected()),
            })?),
            Some(Kind::Bool) => Column::Bool(stream.required(index, |c| match c {
                Cell::Bool(v) => Ok(v),
                _ => Err(unexpected()),
            })?),
            Some(Kind::Date) => Column::Date(stream.required(index, |c| match c {
                Cell::Days(d) => {
                    date_of_days(d).ok_or_else(|| invalid(format!("{d} days from 1970-01-01 is not a date")))
                }
                _ => Err(unexpected()),
            })?),
            Some(Kind::Decimal) => {
                let mut values = Vec::with_capacity(stream.rows());
                stream.each(index, |row, cell| {
                    let v = cell
                        .map(|c| decimal_cell(c, "value"))
                        .transpose()
                        .map_err(|e| located(e, &stream.place(field.name(), row)))?;
                    values.push(v);
                    Ok(())
                })?;
                Column::Decimal(values)
            }
        };
        table.columns.push((field.name().clone(), column));
    }
    Ok(table)
}

/// The columns a trade matrix is read from (`basis` is optional).
const TRADE_COLUMNS: [&str; 5] = ["exporter", "importer", "product", "year", "value_usd"];

/// A trade matrix from the stream's exporter, importer, product, year, value_usd and
/// optional basis columns (other columns are ignored). Values are whole cents (a fraction of a
/// cent is refused); a flow on two rows is refused naming both rows, or summed when
/// `duplicates` says so.
pub fn trade_from_stream(stream: &Stream, duplicates: tradewar_core::Duplicates) -> Result<TradeMatrix> {
    stream.unique_names()?;
    let missing: Vec<&str> = TRADE_COLUMNS.iter().copied().filter(|c| stream.index(c).is_none()).collect();
    if !missing.is_empty() {
        let have: Vec<&str> = stream.schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(Error::Rejected(
            "ColumnError",
            "MissingColumn",
            format!(
                "missing column(s) {} (have: {}) in the Arrow stream of {}",
                missing.join(", "),
                have.join(", "),
                stream.source
            ),
        ));
    }
    let [e, i, p, y, v] = TRADE_COLUMNS.map(|c| stream.index(c).unwrap_or_default());
    stream.kind(e, &[Kind::Text])?;
    stream.kind(i, &[Kind::Text])?;
    stream.kind(p, &[Kind::Text, Kind::Int])?;
    stream.kind(y, &[Kind::Int])?;
    stream.kind(v, &[Kind::Decimal, Kind::Int, Kind::Text])?;
    let exporter = stream.required(e, repeated(|t| Ok(t.parse::<Economy>()?)))?;
    let importer = stream.required(i, repeated(|t| Ok(t.parse::<Economy>()?)))?;
    let mut digits = String::new();
    let product = stream.required(p, |c| match c {
        // Integer codes are read as their decimal digits, as the pyarrow path did (`str(p)`).
        Cell::Int(n) => {
            digits.clear();
            let _ = write!(digits, "{n}");
            Ok(digits.parse::<HsCode>()?)
        }
        other => Ok(text_cell(other)?.parse::<HsCode>()?),
    })?;
    let year = stream.required(y, |c| {
        let year = int_cell(c, "year")?;
        i32::try_from(year)
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| invalid(format!("year: {year} is not a year between 1900 and 2100")))
    })?;
    let value = stream.required(v, |c| decimal_cell(c, "value_usd"))?;
    let basis = match stream.index("basis") {
        None => vec![ValuationBasis::CustomsValue; exporter.len()],
        Some(b) => {
            stream.kind(b, &[Kind::Text])?;
            stream.required(b, repeated(|t| Ok(t.parse::<ValuationBasis>()?)))?
        }
    };
    let mut flows = Vec::with_capacity(exporter.len());
    for (row, (((((exporter, importer), product), year), value), basis)) in
        exporter.into_iter().zip(importer).zip(product).zip(year).zip(value).zip(basis).enumerate()
    {
        let flow = TradeFlow { exporter, importer, product, year, value: Money::new(value, Currency::USD), basis };
        flow.validate().map_err(|err| located(err, &format!("row {row} of the Arrow stream of {}", stream.source)))?;
        flows.push(flow);
    }
    let mut matrix = TradeMatrix::with_capacity(flows.len());
    matrix
        .extend_with(flows, duplicates)
        .map_err(|err| located(err, &format!("the Arrow stream of {}", stream.source)))?;
    Ok(matrix)
}
