//! Trade matrices in and out, and the accounting over them.

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple};
use rust_decimal::Decimal;
use tradewar_core::{
    balance, coverage, tariff_averages, CoverageMethod, Currency, Economy, FlowFilter, HsLevel, Money, TradeFlow,
    TradeMatrix, ValuationBasis,
};

use crate::convert::{date_arg, decimal_arg, each, economy_arg, hs_arg, int_arg, year_arg};
use crate::error::{invalid, Result};
use crate::policy::PySchedule;
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

fn method_arg(method: &str) -> Result<CoverageMethod> {
    match method {
        "full_only" => Ok(CoverageMethod::FullOnly),
        "line_share" => Ok(CoverageMethod::LineShare),
        "any_line" => Ok(CoverageMethod::AnyLine),
        _ => Err(invalid(format!("unknown coverage method {method:?}: expected full_only, line_share or any_line"))),
    }
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
    /// The balance of `reporter` with `partner` in `year` (exports minus imports).
    fn balance(
        &self,
        reporter: &Bound<'_, PyAny>,
        partner: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
    ) -> Result<PyTable> {
        let (r, p) = (economy_arg(reporter)?, economy_arg(partner)?);
        balances_table(&self.0, r, p, &[year_arg(year, "year")?])
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

fn balances_table(m: &TradeMatrix, r: Economy, p: Economy, years: &[i32]) -> Result<PyTable> {
    let rows = years.iter().map(|&y| balance(m, r, p, y)).collect::<tradewar_core::Result<Vec<_>>>()?;
    Ok(PyTable(
        TableData::new("balance")
            .with("reporter", Column::Str(rows.iter().map(|b| b.reporter.to_string()).collect()))
            .with("partner", Column::Str(rows.iter().map(|b| b.partner.to_string()).collect()))
            .with("year", Column::Int(rows.iter().map(|b| i64::from(b.year)).collect()))
            .with("exports", Column::Decimal(rows.iter().map(|b| Some(b.exports.amount())).collect()))
            .with("imports", Column::Decimal(rows.iter().map(|b| Some(b.imports.amount())).collect()))
            .with("balance", Column::Decimal(rows.iter().map(|b| Some(b.balance.amount())).collect())),
    ))
}

/// Trade-weighted and simple average tariffs each way between two economies on each date
/// (the GIL is released while computing).
#[pyfunction]
#[pyo3(signature = (schedule, trade, *, a, b, year, dates))]
fn tariff_path(
    py: Python<'_>,
    schedule: &PySchedule,
    trade: &PyTradeMatrix,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    year: &Bound<'_, PyAny>,
    dates: &Bound<'_, PyAny>,
) -> Result<PyTable> {
    let (a, b, year) = (economy_arg(a)?, economy_arg(b)?, year_arg(year, "year")?);
    let dates = each(dates, date_arg)?;
    let (s, t) = (&schedule.inner, &trade.0);
    let rows = crate::detached(py, || {
        let mut rows = Vec::new();
        for &d in &dates {
            let at = s.at(d);
            for (imp, exp) in [(a, b), (b, a)] {
                rows.push((d, tariff_averages(&at, t, imp, exp, year)));
            }
        }
        rows
    });
    Ok(PyTable(
        TableData::new("tariff averages")
            .with("date", Column::Date(rows.iter().map(|r| r.0).collect()))
            .with("importer", Column::Str(rows.iter().map(|r| r.1.importer.to_string()).collect()))
            .with("exporter", Column::Str(rows.iter().map(|r| r.1.exporter.to_string()).collect()))
            .with("trade_weighted", Column::Decimal(rows.iter().map(|r| Some(r.1.trade_weighted.value())).collect()))
            .with(
                "trade_weighted_mfn",
                Column::Decimal(rows.iter().map(|r| Some(r.1.trade_weighted_mfn.value())).collect()),
            )
            .with("simple", Column::Decimal(rows.iter().map(|r| Some(r.1.simple.value())).collect()))
            .with(
                "mechanical_duties",
                Column::Decimal(rows.iter().map(|r| Some(r.1.mechanical_duties.amount())).collect()),
            )
            .with("trade", Column::Decimal(rows.iter().map(|r| Some(r.1.trade.amount())).collect())),
    ))
}

/// Trade of `year` covered by each tariff in force on `date` (method: "full_only", "line_share" or "any_line").
#[pyfunction]
#[pyo3(signature = (schedule, trade, *, year, date, method = "line_share"))]
fn coverage_by_measure(
    py: Python<'_>,
    schedule: &PySchedule,
    trade: &PyTradeMatrix,
    year: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    method: &str,
) -> Result<PyTable> {
    let (year, date, method) = (year_arg(year, "year")?, date_arg(date)?, method_arg(method)?);
    let (s, t) = (&schedule.inner, &trade.0);
    let rows = crate::detached(py, || {
        let at = s.at(date);
        let measures: Vec<_> = at.state().in_force().filter(|m| m.kind() == "tariff").cloned().collect();
        measures.iter().map(|m| coverage(&at, t, m, year, method)).collect::<Vec<_>>()
    });
    Ok(PyTable(
        TableData::new("coverage")
            .with("id", Column::Str(rows.iter().map(|c| c.id.to_string()).collect()))
            .with("name", Column::Str(rows.iter().map(|c| c.name.clone()).collect()))
            .with("importer", Column::Str(rows.iter().map(|c| c.importer.to_string()).collect()))
            .with("exporter", Column::Str(rows.iter().map(|c| c.exporter.to_string()).collect()))
            .with("year", Column::Int(rows.iter().map(|c| i64::from(c.year)).collect()))
            .with("covered", Column::Decimal(rows.iter().map(|c| Some(c.covered.amount())).collect()))
            .with("pair_total", Column::Decimal(rows.iter().map(|c| Some(c.pair_total.amount())).collect()))
            .with("share_pct", Column::Decimal(rows.iter().map(|c| Some(c.share().value())).collect()))
            .with("lines8", Column::Int(rows.iter().map(|c| c.lines(8) as i64).collect()))
            .with("method", Column::Str(rows.iter().map(|c| c.method.as_str().to_string()).collect())),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTradeMatrix>()?;
    m.add_function(wrap_pyfunction!(tariff_path, m)?)?;
    m.add_function(wrap_pyfunction!(coverage_by_measure, m)?)?;
    Ok(())
}
