//! Trade matrices in and out, and the accounting over them.

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple};
use rust_decimal::Decimal;
use tradewar_core::{Currency, FlowFilter, HsLevel, Money, TradeFlow, TradeMatrix, ValuationBasis};

use crate::accounting::{balance_of, balances_table, PyBalance};
use crate::convert::{arg, decimal_arg, each_named, economy_param, hs_param, int_arg, str_arg, type_error, year_arg};
use crate::error::{invalid, Result};
use crate::table::{tables_helper, Column, PyTable, TableData};
use crate::values::PyMoney;

/// Bilateral goods trade by product and year, in US dollars (exact cents).
#[pyclass(frozen, eq, name = "TradeMatrix", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyTradeMatrix(pub Arc<TradeMatrix>);

fn cents_decimal(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn to_table(m: &TradeMatrix) -> PyTable {
    PyTable(
        TableData::new("trade")
            .with("exporter", Column::Str(m.exporters().iter().map(ToString::to_string).collect()))
            .with("importer", Column::Str(m.importers().iter().map(ToString::to_string).collect()))
            .with("product", Column::Str(m.products().iter().map(ToString::to_string).collect()))
            .with("year", Column::Int(m.years().iter().map(|&y| i64::from(y)).collect()))
            .with("value_usd", Column::Decimal(m.values_cents().iter().map(|&c| Some(cents_decimal(c))).collect()))
            .with("basis", Column::Str(m.bases().iter().map(|b| b.as_str().to_string()).collect())),
    )
}

fn level_arg(level: &str) -> Result<HsLevel> {
    Ok(match level {
        "chapter" | "2" => HsLevel::Chapter,
        "heading" | "4" => HsLevel::Heading,
        "subheading" | "6" => HsLevel::Subheading,
        _ => {
            return Err(invalid(format!(
                "level: unknown HS level {:?}: expected chapter, heading or subheading",
                tradewar_core::excerpt(level)
            )))
        }
    })
}

/// A column: every item converted by `f`, an error naming the column and the row.
fn column<T>(v: &Bound<'_, PyAny>, name: &str, f: impl Fn(&Bound<'_, PyAny>, &str) -> Result<T>) -> Result<Vec<T>> {
    let mut row = 0;
    each_named(v, name, |x| {
        let item = f(x, &format!("{name}[{row}]"));
        row += 1;
        item
    })
}

fn duplicates(aggregate: bool) -> tradewar_core::Duplicates {
    if aggregate {
        tradewar_core::Duplicates::Sum
    } else {
        tradewar_core::Duplicates::Refuse
    }
}

#[pymethods]
impl PyTradeMatrix {
    /// From columns of equal length. `value_usd` holds Decimals, ints or strings (not floats),
    /// in whole cents (a fraction of a cent is refused, not rounded); `basis` is "fob", "cif" or
    /// "customs" (one string for every row, or a column). A flow (exporter, importer, product,
    /// year) on two rows is refused naming both rows, unless `aggregate=True` sums them.
    #[new]
    #[pyo3(signature = (*, exporter, importer, product, year, value_usd, basis = None, aggregate = false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        exporter: &Bound<'_, PyAny>,
        importer: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
        value_usd: &Bound<'_, PyAny>,
        basis: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
    ) -> Result<Self> {
        let e = column(exporter, "exporter", economy_param)?;
        let i = column(importer, "importer", economy_param)?;
        let p = column(product, "product", hs_param)?;
        let y = column(year, "year", year_arg)?;
        let v = column(value_usd, "value_usd", decimal_arg)?;
        let n = e.len();
        let basis_of = |x: &Bound<'_, PyAny>, what: &str| -> Result<ValuationBasis> {
            str_arg(x, what)?.parse::<ValuationBasis>().map_err(|e| crate::error::located(e, what))
        };
        let b: Vec<ValuationBasis> = match basis.filter(|b| !b.is_none()) {
            None => vec![ValuationBasis::CustomsValue; n],
            Some(b) if b.is_instance_of::<pyo3::types::PyString>() => vec![basis_of(b, "basis")?; n],
            Some(b) => column(b, "basis", basis_of)?,
        };
        for (name, len) in
            [("importer", i.len()), ("product", p.len()), ("year", y.len()), ("value_usd", v.len()), ("basis", b.len())]
        {
            if len != n {
                return Err(tradewar_core::Error::ColumnLength { column: leak(name), got: len, expected: n }.into());
            }
        }
        let mut m = TradeMatrix::with_capacity(n);
        let flows = (0..n).map(|k| TradeFlow {
            exporter: e[k],
            importer: i[k],
            product: p[k],
            year: y[k],
            value: Money::new(v[k], Currency::USD),
            basis: b[k],
        });
        m.extend_with(flows, duplicates(aggregate))?;
        Ok(Self(Arc::new(m)))
    }
    /// From a pandas DataFrame with columns exporter, importer, product, year, value_usd[, basis]
    /// (rows as in the constructor; `aggregate=True` sums repeated flows).
    #[staticmethod]
    #[pyo3(signature = (frame, *, aggregate = false))]
    fn from_pandas(
        py: Python<'_>,
        frame: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
    ) -> Result<Self> {
        let cols = tables_helper(py, "columns_from_pandas")?.call1((frame,))?;
        Self::columns(cols.cast::<PyDict>().map_err(|_| invalid("expected a dict of columns"))?, aggregate)
    }
    /// From any Arrow stream (an object with `__arrow_c_stream__`: a pyarrow Table or
    /// RecordBatchReader, a polars DataFrame, a tradewar Table), read in Rust without pyarrow.
    /// Codes are strings (any Arrow string type, dictionary-encoded too; products may be
    /// integers), year any integer type, value_usd decimals, integers or strings (not floats).
    #[staticmethod]
    #[pyo3(signature = (data, *, aggregate = false))]
    fn from_arrow(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
    ) -> Result<Self> {
        let stream = crate::arrow::read_stream(data)?;
        Ok(Self(Arc::new(crate::detached(py, || crate::arrow::trade_from_stream(&stream, duplicates(aggregate)))?)))
    }
    /// From a dict of columns (see the constructor).
    #[staticmethod]
    #[pyo3(signature = (columns, *, aggregate = false))]
    fn from_dict(columns: &Bound<'_, PyAny>, #[pyo3(from_py_with = arg::aggregate)] aggregate: bool) -> Result<Self> {
        let columns = columns.cast::<PyDict>().map_err(|_| {
            type_error(format!("columns: expected a dict of columns, got {}", crate::convert::shown(columns)))
        })?;
        Self::columns(columns, aggregate)
    }
    /// Reads a CSV file in tradewar's layout: year, exporter, importer, product (or hs6), value_usd,
    /// basis (a flow on two lines is refused unless `aggregate=True`).
    #[staticmethod]
    #[pyo3(signature = (path, *, aggregate = false))]
    fn read_csv(
        py: Python<'_>,
        #[pyo3(from_py_with = arg::path)] path: std::path::PathBuf,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
    ) -> Result<Self> {
        let m = crate::loaders::read_path(py, &path, |name, r| {
            tradewar_data::loaders::read_trade_csv_with(name, r, duplicates(aggregate))
        })?;
        Ok(Self(Arc::new(m)))
    }
    /// Reads CSV text in tradewar's layout (a flow on two lines is refused unless `aggregate=True`).
    #[staticmethod]
    #[pyo3(signature = (text, *, source = "<string>".to_string(), aggregate = false), text_signature = "(text, *, source='<string>', aggregate=False)")]
    fn from_csv_text(
        py: Python<'_>,
        #[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr,
        #[pyo3(from_py_with = arg::source)] source: String,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
    ) -> Result<Self> {
        let m = crate::detached(py, || {
            tradewar_data::loaders::read_trade_csv_with(&source, text.as_bytes(), duplicates(aggregate))
        })?;
        Ok(Self(Arc::new(m)))
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
    /// The years with flows.
    fn years(&self) -> Vec<i32> {
        self.0.distinct_years()
    }
    /// Total trade from `exporter` to `importer` in `year`.
    fn total(
        &self,
        exporter: &Bound<'_, PyAny>,
        importer: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
    ) -> Result<PyMoney> {
        let (e, i) = (economy_param(exporter, "exporter")?, economy_param(importer, "importer")?);
        Ok(PyMoney(self.0.total(e, i, year_arg(year, "year")?)))
    }
    /// The flows matching every given filter; `years` is a `(first, last)` pair of years.
    #[pyo3(signature = (*, exporter = None, importer = None, years = None))]
    fn filter(
        &self,
        exporter: Option<&Bound<'_, PyAny>>,
        importer: Option<&Bound<'_, PyAny>>,
        years: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let years = match years.filter(|y| !y.is_none()) {
            None => None,
            Some(y) => match crate::stacking::items(y).as_deref() {
                Some([a, b]) => Some(year_arg(a, "years[0]")?..=year_arg(b, "years[1]")?),
                _ => {
                    return Err(type_error(format!(
                        "years: expected a (first, last) pair of years, got {}",
                        crate::convert::shown(y)
                    )))
                }
            },
        };
        let f = FlowFilter {
            exporter: exporter.filter(|e| !e.is_none()).map(|e| economy_param(e, "exporter")).transpose()?,
            importer: importer.filter(|i| !i.is_none()).map(|i| economy_param(i, "importer")).transpose()?,
            years,
            products: None,
        };
        Ok(Self(Arc::new(self.0.filter(&f))))
    }
    /// Summed to a coarser HS level: "chapter", "heading" or "subheading".
    fn aggregate(&self, #[pyo3(from_py_with = arg::level)] level: String) -> Result<Self> {
        Ok(Self(Arc::new(self.0.aggregate(level_arg(&level)?))))
    }
    /// The balance of `reporter` with `partner` in `year` (exports minus imports), with the
    /// valuation basis of each side.
    fn balance(
        &self,
        reporter: &Bound<'_, PyAny>,
        partner: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
    ) -> Result<PyBalance> {
        balance_of(
            &self.0,
            economy_param(reporter, "reporter")?,
            economy_param(partner, "partner")?,
            year_arg(year, "year")?,
        )
    }
    /// The balance of `reporter` with `partner` for every year of the matrix.
    fn balances(&self, reporter: &Bound<'_, PyAny>, partner: &Bound<'_, PyAny>) -> Result<PyTable> {
        let (r, p) = (economy_param(reporter, "reporter")?, economy_param(partner, "partner")?);
        balances_table(&self.0, r, p, &self.0.distinct_years())
    }
    /// The flows as a Table.
    fn to_table(&self) -> PyTable {
        to_table(&self.0)
    }
    /// A pandas DataFrame (value_usd as decimal.Decimal), through the native Arrow stream when
    /// pyarrow is there (values are whole cents, so they come back the very same).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "to_pandas")?.call1((slf, true))
    }
    /// A pyarrow Table (value_usd as decimal128(38, 2)), through `__arrow_c_stream__`.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "to_arrow")?.call1((slf,))
    }
    /// The Arrow PyCapsule stream interface: the flows as `to_table()` has them, built in Rust
    /// straight from the matrix's columns; `requested_schema` is accepted and ignored.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> Result<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batch = crate::detached(py, || {
            crate::arrow::trade_batch(&self.0).unwrap_or_else(|| crate::arrow::owned_batch(to_table(&self.0).0))
        })?;
        Ok(crate::arrow::stream_capsule(py, batch)?)
    }
    fn _repr_html_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(py, "table_html")?.call1((to_table(&self.0),))
    }
    pub fn __repr__(&self) -> String {
        let mut csv = String::from("year,exporter,importer,product,value_usd,basis\\n");
        for f in self.0.iter() {
            let _ = write!(
                csv,
                "{},{},{},{},{},{}\\n",
                f.year,
                f.exporter,
                f.importer,
                f.product,
                f.value.amount(),
                f.basis.as_str()
            );
        }
        format!("TradeMatrix.from_csv_text('{csv}')")
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let m = &self.0;
        let args = (
            m.exporters().iter().map(ToString::to_string).collect::<Vec<_>>(),
            m.importers().iter().map(ToString::to_string).collect::<Vec<_>>(),
            m.products().iter().map(ToString::to_string).collect::<Vec<_>>(),
            m.years().to_vec(),
            m.values_cents().to_vec(),
            m.bases().iter().map(|b| b.as_str()).collect::<Vec<_>>(),
        )
            .into_pyobject(py)?;
        Ok((py.import("tradewar._pickle")?.getattr("trade_matrix")?, PyTuple::new(py, [args])?))
    }
    /// Rebuilds a matrix from exact cents (used by pickling).
    #[staticmethod]
    fn _from_cents(
        exporter: &Bound<'_, PyAny>,
        importer: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
        cents: &Bound<'_, PyAny>,
        basis: &Bound<'_, PyAny>,
    ) -> Result<Self> {
        let c = column(cents, "cents", |v, what| int_arg(v, what).map(cents_decimal))?;
        let py = cents.py();
        let values: Vec<String> = c.iter().map(ToString::to_string).collect();
        Self::new(exporter, importer, product, year, &values.into_pyobject(py)?.into_any(), Some(basis), false)
    }
}

impl PyTradeMatrix {
    fn columns(columns: &Bound<'_, PyDict>, aggregate: bool) -> Result<Self> {
        let get = |k: &str| -> Result<Bound<'_, PyAny>> {
            columns.get_item(k)?.ok_or_else(|| {
                crate::error::Error::Rejected("ColumnError", "MissingColumn", format!("missing column {k:?}"))
            })
        };
        let basis = columns.get_item("basis")?;
        Self::new(
            &get("exporter")?,
            &get("importer")?,
            &get("product")?,
            &get("year")?,
            &get("value_usd")?,
            basis.as_ref(),
            aggregate,
        )
    }
}

fn leak(name: &str) -> &'static str {
    match name {
        "importer" => "importer",
        "product" => "product",
        "year" => "year",
        "value_usd" => "value_usd",
        _ => "basis",
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTradeMatrix>()?;
    Ok(())
}
