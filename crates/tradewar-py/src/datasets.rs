//! The embedded datasets and the 2018-2020 story, one call away.

use std::sync::Arc;

use pyo3::prelude::*;
use tradewar_data::{embedded, us_china_2018};

use crate::error::Result;
use crate::policy::{PyMeasure, PySchedule, PyTimeline};
use crate::trade::PyTradeMatrix;
use crate::values::{PyMoney, PyTarget};

/// US-China goods trade 2015-2021 at HS6 (embedded).
#[pyfunction]
fn us_china_trade() -> Result<PyTradeMatrix> {
    Ok(PyTradeMatrix(Arc::new(embedded::us_china_trade()?.clone())))
}

/// US-China published totals (embedded).
#[pyfunction]
fn us_china_trade_totals() -> Result<PyTradeMatrix> {
    Ok(PyTradeMatrix(Arc::new(embedded::us_china_trade_totals()?.clone())))
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
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
