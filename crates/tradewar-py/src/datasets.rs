//! The embedded datasets, the 2018-2020 story and the 2025-2026 US tariff stack, one call away.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{Economy, Schedule};
use tradewar_data::us_tariffs_2025::{self, DateConvention, EffectiveRate};
use tradewar_data::{embedded, us_china_2018};

use crate::convert::{date_arg, economy_arg, year_arg};
use crate::error::{invalid, Result};
use crate::policy::{PyMeasure, PySchedule, PyTimeline};
use crate::table::{Column, PyTable, TableData};
use crate::trade::PyTradeMatrix;
use crate::values::{PyEconomy, PyMoney, PyPercent, PyTarget};

/// US-China goods trade 2015-2021 at HS6 (embedded).
#[pyfunction]
fn us_china_trade(py: Python<'_>) -> Result<PyTradeMatrix> {
    let m = crate::detached(py, || embedded::us_china_trade().cloned())?;
    Ok(PyTradeMatrix(Arc::new(m)))
}

/// US-China published totals (embedded).
#[pyfunction]
fn us_china_trade_totals(py: Python<'_>) -> Result<PyTradeMatrix> {
    let m = crate::detached(py, || embedded::us_china_trade_totals().cloned())?;
    Ok(PyTradeMatrix(Arc::new(m)))
}

/// The 2018-2020 US-China timeline.
#[pyfunction]
fn us_china_2018_timeline() -> Result<PyTimeline> {
    Ok(PyTimeline(Arc::new(us_china_2018::timeline()?)))
}

/// The 2018-2020 schedule: the timeline plus US and Chinese MFN tables.
#[pyfunction]
fn us_china_2018_schedule(py: Python<'_>) -> Result<PySchedule> {
    let s = crate::detached(py, us_china_2018::schedule)?;
    Ok(PySchedule::from_rust(s))
}

/// The demand of May 2018: cut the US deficit with China by $200B by 2020.
#[pyfunction]
fn deficit_target() -> Result<PyTarget> {
    Ok(PyTarget(us_china_2018::deficit_target()?))
}

/// China's May 2018 offer to buy more US farm products and energy.
#[pyfunction]
fn may_2018_offer() -> Result<PyMeasure> {
    Ok(PyMeasure(Arc::new(us_china_2018::may_2018_offer()?)))
}

/// Phase One purchase commitments.
#[pyfunction]
fn phase_one_commitments() -> Result<Vec<PyMeasure>> {
    Ok(us_china_2018::phase_one_commitments()?.into_iter().map(|m| PyMeasure(Arc::new(m))).collect())
}

/// The 2017 US-China goods balance published by the Census Bureau.
#[pyfunction]
fn census_2017_balance() -> Result<PyMoney> {
    Ok(PyMoney(embedded::census_2017_balance()?))
}

/// The date convention of the 2025-2026 stack from its Python name.
fn dates_arg(dates: &str) -> Result<DateConvention> {
    Ok(dates.parse::<DateConvention>()?)
}

/// The 2025-2026 US tariff stack as one timeline: every layer from its first
/// rate to its end, the dated exemptions, and a milestone per event date.
/// `dates="legal"` (default) places each change on its legal effective date,
/// `"hts_revision"` on the date of the HTS revision that carried it.
#[pyfunction]
#[pyo3(signature = (dates = "legal".to_string()), text_signature = "(dates='legal')")]
fn us_tariffs_2025_timeline(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::dates)] dates: String,
) -> Result<PyTimeline> {
    let by = dates_arg(&dates)?;
    Ok(PyTimeline(Arc::new(crate::detached(py, || us_tariffs_2025::timeline_dated_by(by))?)))
}

/// The 2025 schedule of one date convention, built once per process (the timeline takes a while to build).
fn schedule_2025(py: Python<'_>, by: DateConvention) -> Result<Arc<Schedule>> {
    static LEGAL: OnceLock<Arc<Schedule>> = OnceLock::new();
    static HTS: OnceLock<Arc<Schedule>> = OnceLock::new();
    let cell = match by {
        DateConvention::Legal => &LEGAL,
        DateConvention::HtsRevision => &HTS,
    };
    if let Some(s) = cell.get() {
        return Ok(Arc::clone(s));
    }
    let s = Arc::new(crate::detached(py, || us_tariffs_2025::schedule_dated_by(by))?);
    Ok(Arc::clone(cell.get_or_init(|| s)))
}

/// The 2025-2026 US tariff stack with the US MFN schedule (the 2017 HTS8
/// schedule, the newest embedded) as the base. `dates="legal"` (default):
/// each change from its legal effective date; `"hts_revision"`: from the HTS
/// revision that carried it (the Budget Lab tracker's dating).
#[pyfunction]
#[pyo3(signature = (dates = "legal".to_string()), text_signature = "(dates='legal')")]
fn us_tariffs_2025_schedule(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::dates)] dates: String,
) -> Result<PySchedule> {
    Ok(PySchedule::from_rust((*schedule_2025(py, dates_arg(&dates)?)?).clone()))
}

/// The event dates of the 2025-2026 stack: one row per date (date, events).
/// `dates="legal"` (default): the dates on which changes took legal effect;
/// `"hts_revision"`: the tracker's policy events, one per HTS revision, from 2025-01-27.
#[pyfunction]
#[pyo3(signature = (dates = "legal".to_string()), text_signature = "(dates='legal')")]
fn us_tariffs_2025_event_dates(#[pyo3(from_py_with = crate::convert::arg::dates)] dates: String) -> Result<PyTable> {
    let rows = us_tariffs_2025::event_dates_by(dates_arg(&dates)?)?;
    Ok(PyTable(
        TableData::new("US tariff events 2025-2026")
            .with("date", Column::Date(rows.iter().map(|r| r.0).collect()))
            .with("events", Column::Str(rows.into_iter().map(|r| r.1).collect())),
    ))
}

/// The latest date of the 2025-2026 source (its last HTS revision).
#[pyfunction]
fn us_tariffs_2025_latest_date() -> Result<NaiveDate> {
    Ok(us_tariffs_2025::latest_date()?)
}

/// A trade-weighted tariff rate on US imports from one partner on one date.
#[pyclass(frozen, eq, hash, name = "EffectiveRate", module = "tradewar")]
#[derive(Clone)]
pub struct PyEffectiveRate(pub EffectiveRate);

/// Equal when every figure is: the caveats were issued as warnings when the rate was computed, and a rate
/// rebuilt from its repr has none.
impl PartialEq for PyEffectiveRate {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.0, &other.0);
        (a.date, a.exporter, a.year, a.total, a.base, a.priced, a.unpriced, a.products)
            == (b.date, b.exporter, b.year, b.total, b.base, b.priced, b.unpriced, b.products)
    }
}
impl Eq for PyEffectiveRate {}

impl Hash for PyEffectiveRate {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let r = &self.0;
        (r.date, r.exporter, r.year, r.total, r.base, r.products).hash(h);
        (r.priced.amount().normalize(), r.unpriced.amount().normalize()).hash(h);
    }
}

#[pymethods]
impl PyEffectiveRate {
    /// A result as `us_effective_rate` returns it (for `repr` and pickling).
    #[new]
    #[pyo3(signature = (date, exporter, year, total, base, priced, unpriced, products))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        date: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        year: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert::arg::total_rate)] total: PyPercent,
        #[pyo3(from_py_with = crate::convert::arg::base)] base: PyPercent,
        #[pyo3(from_py_with = crate::convert::arg::priced)] priced: PyMoney,
        #[pyo3(from_py_with = crate::convert::arg::unpriced)] unpriced: PyMoney,
        #[pyo3(from_py_with = crate::convert::arg::products)] products: usize,
    ) -> Result<Self> {
        crate::accounting::check_amounts("effective rate", &[priced.0, unpriced.0])?;
        if priced.0.is_negative() || unpriced.0.is_negative() {
            return Err(invalid("effective rate: trade values must not be negative"));
        }
        if base.0.value() > total.0.value() {
            return Err(invalid(format!("effective rate: base {} is above the total {}", base.0, total.0)));
        }
        Ok(Self(EffectiveRate {
            date: date_arg(date)?,
            exporter: economy_arg(exporter)?,
            year: year_arg(year, "year")?,
            total: total.0,
            base: base.0,
            priced: priced.0,
            unpriced: unpriced.0,
            products,
            caveats: Vec::new(),
        }))
    }
    /// The date priced.
    #[getter]
    fn date(&self) -> NaiveDate {
        self.0.date
    }
    /// The exporter.
    #[getter]
    fn exporter(&self) -> PyEconomy {
        PyEconomy(self.0.exporter)
    }
    /// The trade year used as weights.
    #[getter]
    fn year(&self) -> i32 {
        self.0.year
    }
    /// Trade-weighted total duty (MFN base plus every layer).
    #[getter]
    fn total(&self) -> PyPercent {
        PyPercent(self.0.total)
    }
    /// Trade-weighted MFN base alone.
    #[getter]
    fn base(&self) -> PyPercent {
        PyPercent(self.0.base)
    }
    /// Total minus base, in percentage points.
    #[getter]
    fn additional(&self) -> PyPercent {
        PyPercent(tradewar_core::Percent::new_signed(self.0.total.value() - self.0.base.value()))
    }
    /// Trade value priced (the weights).
    #[getter]
    fn priced(&self) -> PyMoney {
        PyMoney(self.0.priced)
    }
    /// Trade value left out (chapters 98 and 99, codes with no US line, banned lines).
    #[getter]
    fn unpriced(&self) -> PyMoney {
        PyMoney(self.0.unpriced)
    }
    /// Number of products priced.
    #[getter]
    fn products(&self) -> usize {
        self.0.products
    }
    fn __str__(&self) -> String {
        let r = &self.0;
        format!("{} on US imports from {} on {} ({} weights; MFN {})", r.total, r.exporter, r.date, r.year, r.base)
    }
    pub fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "EffectiveRate(date='{}', exporter='{}', year={}, total={}, base={}, priced={}, unpriced={}, products={})",
            r.date,
            r.exporter,
            r.year,
            PyPercent(r.total).__repr__(),
            PyPercent(r.base).__repr__(),
            PyMoney(r.priced).__repr__(),
            PyMoney(r.unpriced).__repr__(),
            r.products
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let r = &self.0;
        let args = (
            r.date,
            r.exporter.to_string(),
            r.year,
            PyPercent(r.total),
            PyPercent(r.base),
            PyMoney(r.priced),
            PyMoney(r.unpriced),
            r.products,
        )
            .into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

fn schedule_or_2025(py: Python<'_>, schedule: Option<&PySchedule>, by: DateConvention) -> Result<Arc<Schedule>> {
    match schedule {
        Some(s) => Ok(Arc::clone(&s.inner)),
        None => schedule_2025(py, by),
    }
}

/// The trade-weighted tariff rate on US imports from `exporter` on `date`
/// (GIL released). Weights: the `year` rows (default: the latest, 2021) of
/// `trade` (default: the embedded US-China table, HS6, CIF); a product
/// coarser than the US lines takes the simple mean of its lines' totals.
/// `schedule` defaults to `us_tariffs_2025_schedule(dates)`: `dates="legal"`
/// (default) or `"hts_revision"` picks its dating; pass `dates` or
/// `schedule`, not both (a schedule carries its own dating).
#[pyfunction]
#[pyo3(signature = (date, *, exporter = None, trade = None, year = None, schedule = None, dates = None))]
fn us_effective_rate(
    py: Python<'_>,
    date: &Bound<'_, PyAny>,
    exporter: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert::arg::opt_trade)] trade: Option<PyTradeMatrix>,
    year: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = crate::convert::arg::opt_schedule)] schedule: Option<PySchedule>,
    #[pyo3(from_py_with = crate::convert::arg::opt_dates)] dates: Option<String>,
) -> Result<PyEffectiveRate> {
    let (trade, schedule) = (trade.as_ref(), schedule.as_ref());
    let date = date_arg(date)?;
    let exporter = exporter.filter(|e| !e.is_none()).map(economy_arg).transpose()?.unwrap_or(Economy::CHN);
    let year = match year.filter(|y| !y.is_none()) {
        Some(y) => year_arg(y, "year")?,
        None => us_tariffs_2025::china_trade_year()?,
    };
    if schedule.is_some() && dates.is_some() {
        return Err(invalid(
            "pass dates= (which dating of the embedded 2025-2026 schedule) or schedule=, not both: \
             a schedule carries its own dating",
        ));
    }
    let by = dates.as_deref().map(dates_arg).transpose()?.unwrap_or_default();
    let s = schedule_or_2025(py, schedule, by)?;
    let t: &tradewar_core::TradeMatrix = match trade {
        Some(t) => &t.0,
        None => embedded::us_china_trade()?,
    };
    let r = crate::detached(py, || us_tariffs_2025::effective_rate(&s, t, exporter, year, date))?;
    crate::caveats::warn_all(py, &r.caveats)?;
    Ok(PyEffectiveRate(r))
}

/// The effective rate on US imports from China at every 2025-2026 event
/// date, weighted by the embedded imports of the latest year (2021); one
/// row per date (GIL released). `dates="legal"` (default): the event dates
/// are legal effective dates and `schedule` defaults to the schedule so
/// dated; `"hts_revision"`: the dates of the HTS revisions that carried the
/// changes (the tracker's dating), and the schedule so dated. A `schedule`
/// passed in should be dated the same way (`us_tariffs_2025_schedule(dates)`):
/// priced on the other convention's dates, its rates belong to neither.
#[pyfunction]
#[pyo3(signature = (schedule = None, *, dates = "legal".to_string()), text_signature = "(schedule=None, *, dates='legal')")]
fn china_effective_rates(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::opt_schedule)] schedule: Option<PySchedule>,
    #[pyo3(from_py_with = crate::convert::arg::dates)] dates: String,
) -> Result<PyTable> {
    let by = dates_arg(&dates)?;
    let s = schedule_or_2025(py, schedule.as_ref(), by)?;
    let rows = crate::detached(py, || us_tariffs_2025::china_effective_rates(&s, by))?;
    let dec = |f: &dyn Fn(&EffectiveRate) -> rust_decimal::Decimal| {
        Column::Decimal(rows.iter().map(|r| Some(f(&r.2))).collect())
    };
    Ok(PyTable(
        TableData::new("US effective rate on China")
            .with("date", Column::Date(rows.iter().map(|r| r.0).collect()))
            .with("events", Column::Str(rows.iter().map(|r| r.1.clone()).collect()))
            .with("exporter", Column::Str(rows.iter().map(|r| r.2.exporter.to_string()).collect()))
            .with("year", Column::Int(rows.iter().map(|r| i64::from(r.2.year)).collect()))
            .with("total", dec(&|r| r.total.value()))
            .with("base", dec(&|r| r.base.value()))
            .with("priced", dec(&|r| r.priced.amount()))
            .with("unpriced", dec(&|r| r.unpriced.amount()))
            .with("products", Column::Int(rows.iter().map(|r| r.2.products as i64).collect())),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEffectiveRate>()?;
    m.add_function(wrap_pyfunction!(us_tariffs_2025_timeline, m)?)?;
    m.add_function(wrap_pyfunction!(us_tariffs_2025_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(us_tariffs_2025_event_dates, m)?)?;
    m.add_function(wrap_pyfunction!(us_tariffs_2025_latest_date, m)?)?;
    m.add_function(wrap_pyfunction!(us_effective_rate, m)?)?;
    m.add_function(wrap_pyfunction!(china_effective_rates, m)?)?;
    m.add_function(wrap_pyfunction!(us_china_trade, m)?)?;
    m.add_function(wrap_pyfunction!(us_china_trade_totals, m)?)?;
    m.add_function(wrap_pyfunction!(us_china_2018_timeline, m)?)?;
    m.add_function(wrap_pyfunction!(us_china_2018_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(deficit_target, m)?)?;
    m.add_function(wrap_pyfunction!(may_2018_offer, m)?)?;
    m.add_function(wrap_pyfunction!(phase_one_commitments, m)?)?;
    m.add_function(wrap_pyfunction!(census_2017_balance, m)?)?;
    Ok(())
}
