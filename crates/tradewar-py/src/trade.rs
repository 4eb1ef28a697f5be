//! Trade matrices in and out, and the accounting over them.

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple};
use rust_decimal::Decimal;
use tradewar_core::{Currency, FlowFilter, HsLevel, Money, TradeFlow, TradeMatrix, ValuationBasis};

use crate::accounting::{balance_of, balances_table, PyBalance};
use crate::convert::{decimal_arg, each, economy_arg, hs_arg, int_arg, year_arg};
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
        _ => return Err(invalid(format!("unknown HS level {level:?}: expected chapter, heading or subheading"))),
    })
}

#[pymethods]
impl PyTradeMatrix {
    /// From columns of equal length. `value_usd` holds Decimals, ints or strings (not floats);
    /// `basis` is "fob", "cif" or "customs" (one string for every row, or a column).
    #[new]
    #[pyo3(signature = (*, exporter, importer, product, year, value_usd, basis = None))]
    fn new(
        exporter: &Bound<'_, PyAny>,
        importer: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
        value_usd: &Bound<'_, PyAny>,
        basis: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let e = each(exporter, economy_arg)?;
        let i = each(importer, economy_arg)?;
        let p = each(product, hs_arg)?;
        let y = each(year, |v| year_arg(v, "year"))?;
        let v = each(value_usd, |v| decimal_arg(v, "value_usd"))?;
        let n = e.len();
        let b: Vec<ValuationBasis> = match basis.filter(|b| !b.is_none()) {
            None => vec![ValuationBasis::CustomsValue; n],
            Some(b) => match b.extract::<String>() {
                Ok(s) => vec![s.parse()?; n],
                Err(_) => {
                    each(b, |x| Ok(x.extract::<String>().map_err(|_| invalid("basis must be strings"))?.parse()?))?
                }
            },
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
        m.extend(flows)?;
        Ok(Self(Arc::new(m)))
    }
    /// From a pandas DataFrame with columns exporter, importer, product, year, value_usd[, basis].
    #[staticmethod]
    fn from_pandas(py: Python<'_>, frame: &Bound<'_, PyAny>) -> Result<Self> {
        let cols = tables_helper(py, "columns_from_pandas")?.call1((frame,))?;
        Self::from_dict(cols.cast::<PyDict>().map_err(|_| invalid("expected a dict of columns"))?)
    }
    /// From any Arrow stream (an object with `__arrow_c_stream__`: a pyarrow Table or
    /// RecordBatchReader, a polars DataFrame, a tradewar Table), read in Rust without pyarrow.
    /// Codes are strings (any Arrow string type, dictionary-encoded too; products may be
    /// integers), year any integer type, value_usd decimals, integers or strings (not floats).
    #[staticmethod]
    fn from_arrow(py: Python<'_>, data: &Bound<'_, PyAny>) -> Result<Self> {
        let stream = crate::arrow::read_stream(data)?;
        Ok(Self(Arc::new(crate::detached(py, || crate::arrow::trade_from_stream(&stream))?)))
    }
    /// From a dict of columns (see the constructor).
    #[staticmethod]
    fn from_dict(columns: &Bound<'_, PyDict>) -> Result<Self> {
        let get = |k: &str| -> Result<Bound<'_, PyAny>> {
            columns.get_item(k)?.ok_or_else(|| invalid(format!("missing column {k:?}")))
        };
        let basis = columns.get_item("basis")?;
        Self::new(
            &get("exporter")?,
            &get("importer")?,
            &get("product")?,
            &get("year")?,
            &get("value_usd")?,
            basis.as_ref(),
        )
    }
    /// Reads a CSV file in tradewar's layout: year, exporter, importer, product (or hs6), value_usd, basis.
    #[staticmethod]
    fn read_csv(py: Python<'_>, path: std::path::PathBuf) -> Result<Self> {
        let name = path.display().to_string();
        let m = crate::detached(py, || -> Result<TradeMatrix> {
            let f = std::fs::File::open(&path)
                .map_err(|e| tradewar_data::DataError::Io { source_name: name.clone(), message: e.to_string() })?;
            Ok(tradewar_data::loaders::read_trade_csv(&name, std::io::BufReader::new(f))?)
        })?;
        Ok(Self(Arc::new(m)))
    }
    /// Reads CSV text in tradewar's layout.
    #[staticmethod]
    #[pyo3(signature = (text, *, source = "<string>"))]
    fn from_csv_text(text: &str, source: &str) -> Result<Self> {
        Ok(Self(Arc::new(tradewar_data::loaders::read_trade_csv(source, text.as_bytes())?)))
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
        Ok(PyMoney(self.0.total(economy_arg(exporter)?, economy_arg(importer)?, year_arg(year, "year")?)))
    }
    /// The flows matching every given filter.
    #[pyo3(signature = (*, exporter = None, importer = None, years = None))]
    fn filter(
        &self,
        exporter: Option<&Bound<'_, PyAny>>,
        importer: Option<&Bound<'_, PyAny>>,
        years: Option<(i32, i32)>,
    ) -> Result<Self> {
        let f = FlowFilter {
            exporter: exporter.map(economy_arg).transpose()?,
            importer: importer.map(economy_arg).transpose()?,
            years: years.map(|(a, b)| a..=b),
            products: None,
        };
        Ok(Self(Arc::new(self.0.filter(&f))))
    }
    /// Summed to a coarser HS level: "chapter", "heading" or "subheading".
    fn aggregate(&self, level: &str) -> Result<Self> {
        Ok(Self(Arc::new(self.0.aggregate(level_arg(level)?))))
    }
    /// The balance of `reporter` with `partner` in `year` (exports minus imports), with the
    /// valuation basis of each side.
    fn balance(
        &self,
        reporter: &Bound<'_, PyAny>,
        partner: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
    ) -> Result<PyBalance> {
        balance_of(&self.0, economy_arg(reporter)?, economy_arg(partner)?, year_arg(year, "year")?)
    }
    /// The balance of `reporter` with `partner` for every year of the matrix.
    fn balances(&self, reporter: &Bound<'_, PyAny>, partner: &Bound<'_, PyAny>) -> Result<PyTable> {
        let (r, p) = (economy_arg(reporter)?, economy_arg(partner)?);
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
        let c = each(cents, |v| int_arg(v, "cents").map(cents_decimal))?;
        let py = cents.py();
        let values: Vec<String> = c.iter().map(ToString::to_string).collect();
        Self::new(exporter, importer, product, year, &values.into_pyobject(py)?.into_any(), Some(basis))
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
