//! Small validated values: economies, HS codes, money, rates, windows, targets.

use std::str::FromStr;

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rust_decimal::Decimal;
use tradewar_core::{Currency, DateWindow, Economy, HsCode, HsLevel, Money, Percent, Target};

use crate::convert::{
    arg, class_arg, date_param, decimal_arg, economy_arg, economy_param, hs_param, py_str_repr, to_decimal, type_error,
    year_arg,
};
use crate::error::{Error, Result};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

fn reduce<'py, T: pyo3::PyTypeInfo>(py: Python<'py>, args: Bound<'py, PyTuple>) -> Reduced<'py> {
    (py.get_type::<T>().into_any(), args)
}

/// An economy: an ISO 3166-1 alpha-3 code ("USA") or an aggregate (WLD, ROW, EU27, EU28).
#[pyclass(frozen, eq, hash, ord, name = "Economy", module = "tradewar")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyEconomy(pub Economy);

#[pymethods]
impl PyEconomy {
    #[new]
    fn new(code: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(economy_param(code, "code")?))
    }
    #[classattr]
    #[pyo3(name = "USA")]
    fn usa() -> Self {
        Self(Economy::USA)
    }
    #[classattr]
    #[pyo3(name = "CHN")]
    fn chn() -> Self {
        Self(Economy::CHN)
    }
    #[classattr]
    #[pyo3(name = "WLD")]
    fn wld() -> Self {
        Self(Economy::WLD)
    }
    #[classattr]
    #[pyo3(name = "ROW")]
    fn row() -> Self {
        Self(Economy::ROW)
    }
    /// The code, e.g. "USA".
    #[getter]
    fn code(&self) -> String {
        self.0.as_str().to_string()
    }
    /// True for WLD, ROW, EU27 and EU28.
    #[getter]
    fn is_aggregate(&self) -> bool {
        self.0.is_aggregate()
    }
    /// Members of an aggregate (empty for a single economy).
    fn members(&self) -> Vec<PyEconomy> {
        self.0.members().into_iter().map(PyEconomy).collect()
    }
    /// Whether `other` is this economy or one of its members.
    fn includes(&self, other: &Bound<'_, PyAny>) -> Result<bool> {
        Ok(self.0.includes(economy_arg(other)?))
    }
    fn __str__(&self) -> String {
        self.code()
    }
    pub fn __repr__(&self) -> String {
        format!("Economy('{}')", self.0)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        Ok(reduce::<Self>(py, PyTuple::new(py, [self.code()])?))
    }
}

fn level_name(l: HsLevel) -> &'static str {
    match l {
        HsLevel::Chapter => "chapter",
        HsLevel::Heading => "heading",
        HsLevel::Subheading => "subheading",
        HsLevel::National8 => "national8",
        HsLevel::National10 => "national10",
    }
}

/// An HS code at 2, 4 or 6 digits, or a national line at 8 or 10 ("9403.10.00").
#[pyclass(frozen, eq, hash, ord, name = "HsCode", module = "tradewar")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyHsCode(pub HsCode);

#[pymethods]
impl PyHsCode {
    #[new]
    fn new(code: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(hs_param(code, "code")?))
    }
    /// Number of digits: 2, 4, 6, 8 or 10.
    #[getter]
    fn digits(&self) -> u8 {
        self.0.digits()
    }
    /// "chapter", "heading", "subheading", "national8" or "national10".
    #[getter]
    fn level(&self) -> &'static str {
        level_name(self.0.level())
    }
    /// The digits without dots, e.g. "940310".
    #[getter]
    fn digits_str(&self) -> String {
        self.0.digits_str()
    }
    /// The code one level up, or None for a chapter.
    fn parent(&self) -> Option<PyHsCode> {
        self.0.parent().map(PyHsCode)
    }
    /// The 2-digit chapter.
    fn chapter(&self) -> PyHsCode {
        PyHsCode(self.0.chapter())
    }
    /// The 6-digit subheading, or None above 6 digits.
    fn subheading(&self) -> Option<PyHsCode> {
        self.0.subheading().map(PyHsCode)
    }
    /// The HS section number (1 to 21), if known.
    fn section(&self) -> Option<u8> {
        self.0.section().map(tradewar_core::HsSection::number)
    }
    /// Whether `other` is this code or below it.
    fn contains(&self, other: &Bound<'_, PyAny>) -> Result<bool> {
        Ok(self.0.contains(crate::convert::hs_arg(other)?))
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    pub fn __repr__(&self) -> String {
        format!("HsCode('{}')", self.0)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        Ok(reduce::<Self>(py, PyTuple::new(py, [self.0.to_string()])?))
    }
}

/// An exact amount of money in one currency (USD unless told).
///
/// `amount` is a `decimal.Decimal`, an `int` or a string; floats are refused.
#[pyclass(frozen, name = "Money", module = "tradewar")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyMoney(pub Money);

impl PyMoney {
    fn other(&self, other: &Bound<'_, PyAny>) -> Result<Money> {
        match other.cast::<PyMoney>() {
            Ok(m) => Ok(m.get().0),
            Err(_) => Err(type_error(format!("other: expected Money, got {}", crate::convert::shown(other)))),
        }
    }
}

#[pymethods]
impl PyMoney {
    #[new]
    #[pyo3(signature = (amount, currency = "USD".to_string()), text_signature = "(amount, currency='USD')")]
    fn new(amount: &Bound<'_, PyAny>, #[pyo3(from_py_with = arg::currency)] currency: String) -> Result<Self> {
        let d = decimal_arg(amount, "amount")?;
        Ok(Self(Money::new(d, Currency::from_str(&currency)?)))
    }
    /// US dollars.
    #[staticmethod]
    fn usd(amount: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(Money::new(decimal_arg(amount, "amount")?, Currency::USD)))
    }
    /// The amount, exact.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_decimal(py, self.0.amount())
    }
    /// The ISO 4217 currency code.
    #[getter]
    fn currency(&self) -> String {
        self.0.currency().to_string()
    }
    /// The amount in billions (exact).
    fn billions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_decimal(py, self.0.billions())
    }
    /// Rounded to `dp` decimal places (half away from zero), 0 to 28.
    #[pyo3(signature = (dp = 2))]
    fn round(&self, #[pyo3(from_py_with = arg::dp)] dp: i64) -> Result<Self> {
        let dp = u32::try_from(dp).ok().filter(|d| *d <= 28).ok_or_else(|| {
            crate::convert::out_of_range(format!("dp: {dp} is not a number of decimal places from 0 to 28"))
        })?;
        Ok(Self(self.0.round_dp(dp)))
    }
    fn __add__(&self, other: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(self.0.checked_add(self.other(other)?)?))
    }
    fn __sub__(&self, other: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(self.0.checked_sub(self.other(other)?)?))
    }
    fn __mul__(&self, factor: &Bound<'_, PyAny>) -> Result<Self> {
        Ok(Self(self.0.checked_mul(decimal_arg(factor, "factor")?)?))
    }
    fn __rmul__(&self, factor: &Bound<'_, PyAny>) -> Result<Self> {
        self.__mul__(factor)
    }
    fn __neg__(&self) -> Result<Self> {
        Ok(Self(self.0.checked_mul(Decimal::NEGATIVE_ONE)?))
    }
    fn __bool__(&self) -> bool {
        !self.0.amount().is_zero()
    }
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Result<Py<PyAny>> {
        let py = other.py();
        let Ok(o) = other.cast::<PyMoney>() else {
            return Ok(py.NotImplemented());
        };
        let o = o.get().0;
        let r = match op {
            CompareOp::Eq => self.0 == o,
            CompareOp::Ne => self.0 != o,
            _ => {
                if o.currency() != self.0.currency() {
                    return Err(Error::Core(tradewar_core::Error::CurrencyMismatch {
                        left: self.0.currency().to_string(),
                        right: o.currency().to_string(),
                    }));
                }
                op.matches(self.0.amount().cmp(&o.amount()))
            }
        };
        Ok(pyo3::types::PyBool::new(py, r).to_owned().into_any().unbind())
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        // Equal amounts of different scale (1.0 and 1.00) are equal, so hash the normalized form.
        (self.0.amount().normalize(), self.0.currency()).hash(&mut h);
        h.finish()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    pub fn __repr__(&self) -> String {
        format!("Money('{}', '{}')", self.0.amount(), self.0.currency())
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        Ok(reduce::<Self>(py, PyTuple::new(py, [self.0.amount().to_string(), self.currency()])?))
    }
}

/// A rate in percent (25 means 25 %), exact.
#[pyclass(frozen, eq, hash, ord, name = "Percent", module = "tradewar")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyPercent(pub Percent);

#[pymethods]
impl PyPercent {
    /// `value` in percent; negative values are allowed only with `signed=True` (a change in points).
    #[new]
    #[pyo3(signature = (value, *, signed = false))]
    fn new(value: &Bound<'_, PyAny>, #[pyo3(from_py_with = arg::signed)] signed: bool) -> Result<Self> {
        // A Percent stands for its value (it has __float__, which decimal_arg refuses as inexact).
        let d = match value.cast::<Self>() {
            Ok(p) => p.get().0.value(),
            Err(_) => decimal_arg(value, "percent")?,
        };
        Ok(Self(if signed { Percent::new_signed(d) } else { Percent::new(d)? }))
    }
    /// The value in percent.
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_decimal(py, self.0.value())
    }
    /// The value as a fraction (0.25 for 25 %).
    #[getter]
    fn fraction<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_decimal(py, self.0.fraction())
    }
    fn __float__(&self) -> f64 {
        self.0.value().to_string().parse().unwrap_or(f64::NAN)
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    pub fn __repr__(&self) -> String {
        if self.0.value().is_sign_negative() && !self.0.value().is_zero() {
            format!("Percent('{}', signed=True)", self.0.value())
        } else {
            format!("Percent('{}')", self.0.value())
        }
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        // Through a module-level helper so that signed values round-trip.
        let f = py.import("tradewar._pickle")?.getattr("percent")?;
        Ok((f, PyTuple::new(py, [self.0.value().to_string()])?))
    }
}

/// A half-open window of dates [start, end); `end=None` means open-ended.
#[pyclass(frozen, eq, hash, ord, name = "DateWindow", module = "tradewar")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyDateWindow(pub DateWindow);

#[pymethods]
impl PyDateWindow {
    #[new]
    #[pyo3(signature = (start, end = None))]
    fn new(start: &Bound<'_, PyAny>, end: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        let start = date_param(start, "start")?;
        let end = end.filter(|e| !e.is_none()).map(|e| date_param(e, "end")).transpose()?;
        Ok(Self(DateWindow::new(start, end)?))
    }
    /// First day in the window.
    #[getter]
    fn start(&self) -> chrono::NaiveDate {
        self.0.start()
    }
    /// First day after the window, or None.
    #[getter]
    fn end(&self) -> Option<chrono::NaiveDate> {
        self.0.end()
    }
    /// Whether the window contains `date`.
    fn contains(&self, date: &Bound<'_, PyAny>) -> Result<bool> {
        Ok(self.0.contains(date_param(date, "date")?))
    }
    /// Whether two windows share a day.
    fn overlaps(&self, other: &Bound<'_, PyAny>) -> Result<bool> {
        Ok(self.0.overlaps(&class_arg::<PyDateWindow>(other, "other")?.0))
    }
    fn __contains__(&self, date: &Bound<'_, PyAny>) -> Result<bool> {
        self.contains(date)
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    pub fn __repr__(&self) -> String {
        match self.0.end() {
            Some(e) => format!("DateWindow('{}', '{e}')", self.0.start()),
            None => format!("DateWindow('{}')", self.0.start()),
        }
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let start = self.0.start().to_string();
        let args = match self.0.end() {
            Some(e) => PyTuple::new(py, [start, e.to_string()])?,
            None => PyTuple::new(py, [start])?,
        };
        Ok(reduce::<Self>(py, args))
    }
}

/// A target for a bilateral balance: cut `reporter`'s deficit with `partner` by `reduction` by `by_year`.
#[pyclass(frozen, eq, name = "Target", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyTarget(pub Target);

#[pymethods]
impl PyTarget {
    #[new]
    #[pyo3(signature = (name, *, reporter, partner, base_year, reduction, by_year))]
    fn new(
        #[pyo3(from_py_with = arg::name)] name: String,
        reporter: &Bound<'_, PyAny>,
        partner: &Bound<'_, PyAny>,
        base_year: &Bound<'_, PyAny>,
        reduction: &Bound<'_, PyAny>,
        by_year: &Bound<'_, PyAny>,
    ) -> Result<Self> {
        let reduction = match reduction.cast::<PyMoney>() {
            Ok(m) => m.get().0,
            Err(_) => Money::new(decimal_arg(reduction, "reduction")?, Currency::USD),
        };
        Ok(Self(Target::new(
            &name,
            economy_param(reporter, "reporter")?,
            economy_param(partner, "partner")?,
            year_arg(base_year, "base_year")?,
            reduction,
            year_arg(by_year, "by_year")?,
        )?))
    }
    /// Its name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// Whose balance.
    #[getter]
    fn reporter(&self) -> PyEconomy {
        PyEconomy(self.0.reporter)
    }
    /// With whom.
    #[getter]
    fn partner(&self) -> PyEconomy {
        PyEconomy(self.0.partner)
    }
    /// The year the reduction is measured from.
    #[getter]
    fn base_year(&self) -> i32 {
        self.0.base_year
    }
    /// The reduction sought.
    #[getter]
    fn reduction(&self) -> PyMoney {
        PyMoney(self.0.reduction)
    }
    /// The deadline year.
    #[getter]
    fn by_year(&self) -> i32 {
        self.0.by_year
    }
    pub fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = &self.0;
        Ok(format!(
            "Target({}, reporter='{}', partner='{}', base_year={}, reduction={}, by_year={})",
            py_str_repr(py, &t.name)?,
            t.reporter,
            t.partner,
            t.base_year,
            PyMoney(t.reduction).__repr__(),
            t.by_year
        ))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let f = py.import("tradewar._pickle")?.getattr("target")?;
        let t = &self.0;
        let args = (
            t.name.clone(),
            t.reporter.to_string(),
            t.partner.to_string(),
            t.base_year,
            PyMoney(t.reduction),
            t.by_year,
        )
            .into_pyobject(py)?;
        Ok((f, args))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEconomy>()?;
    m.add_class::<PyHsCode>()?;
    m.add_class::<PyMoney>()?;
    m.add_class::<PyPercent>()?;
    m.add_class::<PyDateWindow>()?;
    m.add_class::<PyTarget>()?;
    Ok(())
}
