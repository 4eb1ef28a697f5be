//! One columnar table type for everything tabular that leaves Rust: trade,
//! bulk schedule queries, accounting series, outcome tables, sweep results.
//! It leaves as Arrow natively (`__arrow_c_stream__`, see `arrow.rs`); pyarrow
//! and polars read that stream, and `tradewar/_tables.py` makes pandas and HTML.

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::convert::{arg, from_json, py_str_repr, to_json};
use crate::error::{invalid, Result};

/// One column. Money and percent columns are exact decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case", deny_unknown_fields)]
pub enum Column {
    /// Text (economy codes, HS codes, names).
    Str(Vec<String>),
    /// Integers (years, counts).
    Int(Vec<i64>),
    /// Floating point, written as text so NaN survives pickling.
    Float(#[serde(with = "float_text")] Vec<f64>),
    /// Exact decimals (money, percent); None is missing.
    Decimal(Vec<Option<Decimal>>),
    /// Calendar dates.
    Date(Vec<NaiveDate>),
    /// Flags.
    Bool(Vec<bool>),
}

pub(crate) mod float_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let text: Vec<String> = Vec::deserialize(d)?;
        text.iter().map(|t| t.parse::<f64>().map_err(serde::de::Error::custom)).collect()
    }
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Self::Str(v) => v.len(),
            Self::Int(v) => v.len(),
            Self::Float(v) => v.len(),
            Self::Decimal(v) => v.len(),
            Self::Date(v) => v.len(),
            Self::Bool(v) => v.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Str(_) => "str",
            Self::Int(_) => "int",
            Self::Float(_) => "float",
            Self::Decimal(_) => "decimal",
            Self::Date(_) => "date",
            Self::Bool(_) => "bool",
        }
    }

    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match self {
            Self::Str(v) => PyList::new(py, v),
            Self::Int(v) => PyList::new(py, v),
            Self::Float(v) => PyList::new(py, v),
            Self::Date(v) => PyList::new(py, v),
            Self::Bool(v) => PyList::new(py, v),
            Self::Decimal(v) => {
                let cls = py.import("decimal")?.getattr("Decimal")?;
                let items: Vec<Bound<'py, PyAny>> = v
                    .iter()
                    .map(|d| match d {
                        Some(d) => cls.call1((d.to_string(),)),
                        None => Ok(py.None().into_bound(py)),
                    })
                    .collect::<PyResult<_>>()?;
                PyList::new(py, items)
            }
        }
    }
}

/// A named table of equal-length columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableData {
    /// What the table holds.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<(String, Column)>,
}

impl TableData {
    /// An empty table.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), columns: Vec::new() }
    }

    /// Adds a column.
    #[must_use]
    pub fn with(mut self, name: &str, column: Column) -> Self {
        self.columns.push((name.to_string(), column));
        self
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.1.len())
    }

    fn validate(&self) -> Result<()> {
        let n = self.len();
        for (k, (name, _)) in self.columns.iter().enumerate() {
            if self.columns[..k].iter().any(|(other, _)| other == name) {
                return Err(crate::error::Error::Rejected(
                    "ColumnError",
                    "DuplicateColumn",
                    format!("table {:?}: column {name:?} appears twice", self.name),
                ));
            }
        }
        for (name, c) in &self.columns {
            if c.len() != n {
                return Err(invalid(format!(
                    "table {:?}: column {name} has {} rows, expected {n}",
                    self.name,
                    c.len()
                )));
            }
        }
        Ok(())
    }
}

/// A table from Rust: convert it with `to_pandas()`, `to_arrow()`, `to_polars()`, or
/// hand it to anything that reads the Arrow PyCapsule stream interface.
#[pyclass(frozen, eq, name = "Table", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyTable(pub TableData);

pub(crate) fn tables_helper<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("tradewar._tables")?.getattr(name)
}

#[pymethods]
impl PyTable {
    /// The table's name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// Column names in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.0.columns.iter().map(|c| c.0.clone()).collect()
    }
    /// Column kinds: "str", "int", "float", "decimal", "date" or "bool".
    #[getter]
    fn kinds(&self) -> Vec<(String, &'static str)> {
        self.0.columns.iter().map(|c| (c.0.clone(), c.1.kind())).collect()
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
    /// One column as a list (decimals as `decimal.Decimal`, dates as `datetime.date`).
    fn column<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = arg::name)] name: String,
    ) -> Result<Bound<'py, PyList>> {
        let c = self.0.columns.iter().find(|c| c.0 == name).ok_or_else(|| {
            invalid(format!(
                "table {:?} has no column {:?} (it has: {})",
                self.0.name,
                tradewar_core::excerpt(&name),
                self.columns().join(", ")
            ))
        })?;
        Ok(c.1.to_list(py)?)
    }
    /// Every column, by name, as lists.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, c) in &self.0.columns {
            d.set_item(name, c.to_list(py)?)?;
        }
        Ok(d)
    }
    /// A pandas DataFrame (money and rates as `decimal.Decimal`, dates as `datetime.date`):
    /// through the native Arrow stream when pyarrow is there and the values come back the very
    /// same (every decimal column of one scale), else from Python lists.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let exact = crate::arrow::same_in_arrow(&slf.get().0);
        tables_helper(slf.py(), "to_pandas")?.call1((slf, exact))
    }
    /// A pyarrow Table (`pyarrow.table(self)`, through `__arrow_c_stream__`).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "to_arrow")?.call1((slf,))
    }
    /// A polars DataFrame (polars reads `__arrow_c_stream__`; pyarrow is not needed).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "to_polars")?.call1((slf,))
    }
    /// The Arrow PyCapsule stream interface: a capsule `"arrow_array_stream"` of one record
    /// batch, built in Rust. `requested_schema` is accepted and ignored (the protocol allows
    /// it): the table always leaves in its own schema, see `__arrow_c_schema__`.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> Result<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batch = crate::detached(py, || crate::arrow::batch(&self.0))?;
        Ok(crate::arrow::stream_capsule(py, batch)?)
    }
    /// The Arrow schema the table leaves in, as a PyCapsule `"arrow_schema"`.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> Result<Bound<'py, PyCapsule>> {
        crate::arrow::schema_capsule(py, &crate::arrow::schema(&self.0))
    }
    /// A table from any Arrow stream (an object with `__arrow_c_stream__`: a pyarrow Table or
    /// RecordBatchReader, a polars DataFrame, another Table), read in Rust without pyarrow.
    /// Strings, integers, floats, decimals, dates and booleans are read (dictionary-encoded
    /// too); nulls are refused except in decimal columns. The name is `name`, else the one
    /// the stream carries (a tradewar Table's), else "arrow".
    #[staticmethod]
    #[pyo3(signature = (data, *, name = None))]
    fn from_arrow(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::table_name)] name: Option<String>,
    ) -> Result<Self> {
        let stream = crate::arrow::read_stream(data)?;
        Ok(Self(crate::detached(py, || crate::arrow::table_from_stream(&stream, name.as_deref()))?))
    }
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "table_html")?.call1((slf,))
    }
    /// JSON text that `Table.from_json` reads back.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// A table from `to_json` output.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let t: TableData = from_json(&text, "table")?;
        t.validate()?;
        Ok(Self(t))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Table.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let f = py.get_type::<Self>().getattr("from_json")?;
        Ok((f, PyTuple::new(py, [self.to_json()?])?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTable>()
}
