//! Replaying a timeline on trade: at each event date, what is in force,
//! what it covers, the average tariffs each way and the duties.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{Economy, Replay, ReplayStep};

use crate::accounting::{
    averages_rows, check_coverage, check_tariff_averages, coverage_rows, method_arg, method_name, year_in_trade,
};
use crate::convert::{arg, each_named, economy_param, from_json, py_str_repr, shown, to_json, type_error, year_arg};
use crate::error::{invalid, Result};
use crate::policy::PySchedule;
use crate::table::{Column, PyTable};
use crate::trade::PyTradeMatrix;

fn direction_arg(v: &Bound<'_, PyAny>, i: usize) -> Result<(Economy, Economy)> {
    let bad = || type_error(format!("directions[{i}]: expected an (importer, exporter) pair, got {}", shown(v)));
    let items = crate::stacking::items(v).ok_or_else(bad)?;
    match items.as_slice() {
        [importer, exporter] => Ok((
            economy_param(importer, &format!("directions[{i}][0]"))?,
            economy_param(exporter, &format!("directions[{i}][1]"))?,
        )),
        _ => Err(bad()),
    }
}

/// A timeline replayed on trade: one step per event date, each with the
/// events of the day, the coverage of every tariff in force and the average
/// tariffs of each direction. Build it with `tradewar.replay(...)`.
#[pyclass(frozen, eq, name = "Replay", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyReplay(pub Replay);

impl PyReplay {
    fn rows(&self) -> impl Iterator<Item = (&ReplayStep, &tradewar_core::TariffAverages)> + '_ {
        self.0.steps.iter().flat_map(|s| s.averages.iter().map(move |a| (s, a)))
    }
}

#[pymethods]
impl PyReplay {
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let r: Replay = from_json(&text, "replay")?;
        for step in &r.steps {
            step.coverage.iter().try_for_each(check_coverage)?;
            step.averages.iter().try_for_each(check_tariff_averages)?;
        }
        Ok(Self(r))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// The timeline's name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// The trade year used as weights throughout.
    #[getter]
    fn weights_year(&self) -> i32 {
        self.0.weights_year
    }
    /// How lists finer than the trade data were matched: "full_only", "line_share" or "any_line".
    #[getter]
    fn method(&self) -> &'static str {
        method_name(self.0.method)
    }
    /// The event dates, one per step.
    fn dates(&self) -> Vec<chrono::NaiveDate> {
        self.0.steps.iter().map(|s| s.date).collect()
    }
    /// One row per step and direction: the date, that day's events, and the
    /// trade-weighted (total and MFN) and simple average tariffs with the
    /// mechanical duties they raise on the weights year's trade.
    fn to_table(&self) -> PyTable {
        let rows: Vec<_> = self.rows().map(|(s, a)| (s.date, a.clone())).collect();
        let events = Column::Str(self.rows().map(|(s, _)| s.events.join("; ")).collect());
        let mut t = averages_rows(&rows);
        t.name = "replay".to_string();
        t.columns.insert(1, ("events".to_string(), events));
        PyTable(t)
    }
    /// One row per step and tariff in force: the trade it covers.
    fn coverage(&self) -> PyTable {
        let (dates, rows): (Vec<_>, Vec<_>) =
            self.0.steps.iter().flat_map(|s| s.coverage.iter().map(move |c| (s.date, c.clone()))).unzip();
        let mut t = coverage_rows(&rows);
        t.name = "replay coverage".to_string();
        t.columns.insert(0, ("date".to_string(), Column::Date(dates)));
        PyTable(t)
    }
    fn __len__(&self) -> usize {
        self.0.steps.len()
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let table = crate::table::tables_helper(py, "table_html")?.call1((self.to_table(), 200))?;
        let title = py.import("html")?.getattr("escape")?.call1((self.0.name.as_str(),))?;
        Ok(format!(
            "<div><b>Replay: {title}</b> on {} trade ({} coverage){}</div>",
            self.0.weights_year,
            self.0.method,
            table.extract::<String>()?
        ))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Replay.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

/// Replays `schedule`'s timeline on `trade`: at each event date, the tariffs
/// in force between each (importer, exporter) pair of `directions`, the trade
/// of `weights_year` they cover (`method`: "full_only", "line_share" or
/// "any_line" for lists finer than the trade data) and the average tariffs.
/// The GIL is released while computing.
#[pyfunction]
#[pyo3(name = "replay", signature = (schedule, trade, *, directions, weights_year, method = "line_share".to_string()), text_signature = "(schedule, trade, *, directions, weights_year, method='line_share')")]
fn replay_py(
    py: Python<'_>,
    #[pyo3(from_py_with = arg::schedule)] schedule: PySchedule,
    #[pyo3(from_py_with = arg::trade)] trade: PyTradeMatrix,
    directions: &Bound<'_, PyAny>,
    weights_year: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = arg::method)] method: String,
) -> Result<PyReplay> {
    let mut i = 0;
    let directions = each_named(directions, "directions", |d| {
        i += 1;
        direction_arg(d, i - 1)
    })?;
    if directions.is_empty() {
        return Err(invalid("directions: give at least one (importer, exporter) pair"));
    }
    if let Some((i, e)) = directions.iter().find(|(i, e)| i == e) {
        return Err(invalid(format!("directions: ({i}, {e}) is not a pair of two economies")));
    }
    let year = year_in_trade(&trade.0, year_arg(weights_year, "weights_year")?, "weights_year")?;
    let method = method_arg(&method)?;
    let (s, t) = (&schedule.inner, &trade.0);
    Ok(PyReplay(crate::detached(py, || tradewar_core::replay(s, t, &directions, year, method))?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReplay>()?;
    m.add_function(wrap_pyfunction!(replay_py, m)?)?;
    Ok(())
}
