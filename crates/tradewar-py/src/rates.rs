//! The rate of a product over its tariff lines (`Schedule.rate`,
//! `ScheduleAt.product_rate`) and what a schedule's sources cover.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{DataCoverage, LineAggregation, ProductRate};

use crate::convert::{date_param, each_named, economy_param, from_json, py_str_repr, to_json};
use crate::error::{invalid, Result};
use crate::values::{PyEconomy, PyHsCode, PyPercent};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// A method name ("line_share", "highest", "lowest") as a [`LineAggregation`].
pub(crate) fn aggregation_arg(name: &str) -> Result<LineAggregation> {
    name.parse().map_err(|_| {
        invalid(format!(
            "method {:?}: expected \"line_share\" (the mean over the lines), \"highest\" or \"lowest\"",
            name.chars().take(64).collect::<String>()
        ))
    })
}

/// The rate of a product (a chapter, heading, HS6 subheading or line) over the
/// importer's tariff lines below it, on one date, by every method at once:
/// `line_share` (the mean over its lines, a line that a list splits at 10 digits
/// counting its parts equally), `lowest` and `highest` (the bracket). Rates are
/// None where trade is stopped on some line or part.
#[pyclass(frozen, eq, name = "ProductRate", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyProductRate(pub ProductRate);

#[pymethods]
impl PyProductRate {
    /// The importer.
    #[getter]
    fn importer(&self) -> PyEconomy {
        PyEconomy(self.0.importer)
    }
    /// The exporter.
    #[getter]
    fn exporter(&self) -> PyEconomy {
        PyEconomy(self.0.exporter)
    }
    /// The product asked about.
    #[getter]
    fn product(&self) -> PyHsCode {
        PyHsCode(self.0.product)
    }
    /// The date.
    #[getter]
    fn date(&self) -> chrono::NaiveDate {
        self.0.date
    }
    /// Tariff lines below the product (1 when it is a line, finer, or unknown to the table).
    #[getter]
    fn lines(&self) -> usize {
        self.0.lines
    }
    /// Lines split by measures that list finer codes below them.
    #[getter]
    fn split_lines(&self) -> usize {
        self.0.split_lines
    }
    /// Lines or parts on which trade is stopped (a ban, a prohibitive duty).
    #[getter]
    fn stopped(&self) -> usize {
        self.0.stopped
    }
    /// Lines whose base rate has a specific part, left out of the ad valorem rates.
    #[getter]
    fn lines_with_specific(&self) -> usize {
        self.0.lines_with_specific
    }
    /// Lines whose base rate has a specific part priced at its ad valorem equivalent
    /// (the schedule's unit values).
    #[getter]
    fn lines_by_equivalent(&self) -> usize {
        self.0.lines_by_equivalent
    }
    /// Total ad valorem rate, the mean over the lines.
    #[getter]
    fn line_share(&self) -> Option<PyPercent> {
        self.0.line_share.map(PyPercent)
    }
    /// Total ad valorem rate of the lowest line or part.
    #[getter]
    fn lowest(&self) -> Option<PyPercent> {
        self.0.lowest.map(PyPercent)
    }
    /// Total ad valorem rate of the highest line or part.
    #[getter]
    fn highest(&self) -> Option<PyPercent> {
        self.0.highest.map(PyPercent)
    }
    /// The total rate by one method: "line_share", "highest" or "lowest".
    #[pyo3(signature = (method = "line_share".to_string()), text_signature = "(self, method='line_share')")]
    fn total(&self, #[pyo3(from_py_with = crate::convert::arg::method)] method: String) -> Result<Option<PyPercent>> {
        Ok(self.0.total(aggregation_arg(&method)?).map(PyPercent))
    }
    /// The base (MFN) rate by one method.
    #[pyo3(signature = (method = "line_share".to_string()), text_signature = "(self, method='line_share')")]
    fn base(&self, #[pyo3(from_py_with = crate::convert::arg::method)] method: String) -> Result<Option<PyPercent>> {
        Ok(self.0.base(aggregation_arg(&method)?).map(PyPercent))
    }
    /// Whether every line and part pays the same.
    #[getter]
    fn is_uniform(&self) -> bool {
        self.0.is_uniform()
    }
    /// What the answer assumes, one sentence each.
    #[getter]
    fn caveats(&self) -> Vec<String> {
        self.0.caveats.iter().map(ToString::to_string).collect()
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(from_json(text, "product rate")?))
    }
    fn __str__(&self) -> String {
        let p = |x: Option<tradewar_core::Percent>| x.map_or_else(|| "stopped".to_string(), |x| x.to_string());
        let r = &self.0;
        format!(
            "{} from {} into {} on {}: {} over {} line(s) (lowest {}, highest {})",
            r.product,
            r.exporter,
            r.importer,
            r.date,
            p(r.line_share),
            r.lines,
            p(r.lowest),
            p(r.highest)
        )
    }
    fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("ProductRate.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

/// What a schedule's sources cover: their period and the importers whose tariffs
/// they hold. Outside it a schedule refuses (another importer: UnanswerableError)
/// or warns (a date outside the period: OutsideDataWarning).
#[pyclass(frozen, eq, name = "DataCoverage", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyDataCoverage(pub DataCoverage);

#[pymethods]
impl PyDataCoverage {
    #[new]
    #[pyo3(signature = (source, start, until, importers))]
    fn new(
        #[pyo3(from_py_with = crate::convert::arg::source)] source: String,
        start: &Bound<'_, PyAny>,
        until: &Bound<'_, PyAny>,
        importers: &Bound<'_, PyAny>,
    ) -> Result<Self> {
        let importers = each_named(importers, "importers", |e| economy_param(e, "importers"))?;
        Ok(Self(DataCoverage::new(&source, date_param(start, "start")?, date_param(until, "until")?, importers)?))
    }
    /// What the sources are.
    #[getter]
    fn source(&self) -> String {
        self.0.source.clone()
    }
    /// The first date they describe.
    #[getter]
    fn start(&self) -> chrono::NaiveDate {
        self.0.from
    }
    /// The last date they describe.
    #[getter]
    fn until(&self) -> chrono::NaiveDate {
        self.0.until
    }
    /// The importers whose tariffs they hold.
    #[getter]
    fn importers(&self) -> Vec<PyEconomy> {
        self.0.importers.iter().copied().map(PyEconomy).collect()
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let importers: Vec<String> = self.0.importers.iter().map(|e| format!("'{e}'")).collect();
        Ok(format!(
            "DataCoverage({}, start='{}', until='{}', importers=[{}])",
            py_str_repr(py, &self.0.source)?,
            self.0.from,
            self.0.until,
            importers.join(", ")
        ))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        let importers: Vec<String> = self.0.importers.iter().map(ToString::to_string).collect();
        let args = (self.0.source.clone(), self.0.from, self.0.until, importers).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProductRate>()?;
    m.add_class::<PyDataCoverage>()?;
    Ok(())
}
