//! The world a general-equilibrium model runs on: a square matrix of flows
//! between economies, domestic sales on the diagonal.
//!
//! Flows are model inputs in `float` (any one currency unit; results come
//! out in the same unit): the GE kernel computes in `f64`, and a world is
//! usually estimated or assembled from several sources, not booked money.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyTuple};
use tradewar_models::gravity::{GravityData, GravityPanel, PanelColumns};

use crate::convert::{each, py_str_repr, type_name};
use crate::error::{invalid, Result};

/// A GE world: economies and the flows between them (exporter rows, importer
/// columns, domestic sales on the diagonal).
///
/// Build it from a square matrix (`GeWorld(countries, flows)`), from a long
/// table (`GeWorld.from_flows`, `GeWorld.from_pandas`), from a gravity-panel
/// CSV (`GeWorld.read_gravity_csv`), or take the embedded 30-economy 2006
/// sample of `gegravity` (`GeWorld.sample_2006()`).
#[pyclass(frozen, eq, name = "GeWorld", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyGeWorld(pub Arc<GravityData>);

fn flow_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<f64> {
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(invalid(format!("{what}: expected a number, got a bool")));
    }
    if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() {
        let x: f64 = v.extract().map_err(|_| invalid(format!("{what}: not a number")))?;
        if x.is_finite() && x >= 0.0 {
            return Ok(x);
        }
        return Err(invalid(format!("{what}: {x} is not a finite, non-negative flow")));
    }
    // Decimals, numpy scalars and the like convert through float().
    match v.call_method0("__float__").and_then(|f| f.extract::<f64>()) {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Ok(x) => Err(invalid(format!("{what}: {x} is not a finite, non-negative flow"))),
        Err(_) => Err(invalid(format!("{what}: expected a number, got {}", type_name(v)))),
    }
}

fn code_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    let s: String =
        v.extract().map_err(|_| invalid(format!("{what}: expected a code string, got {}", type_name(v))))?;
    let s = s.trim().to_string();
    if s.is_empty() {
        return Err(invalid(format!("{what}: empty code")));
    }
    Ok(s)
}

impl PyGeWorld {
    /// The embedded 2006 sample of `gegravity` (30 economies), parsed once.
    pub fn sample() -> Result<Self> {
        static SAMPLE: OnceLock<std::result::Result<Arc<GravityData>, String>> = OnceLock::new();
        let parsed = SAMPLE.get_or_init(|| {
            let panel = GravityPanel::from_csv_str(
                tradewar_data::embedded::gravity_sample_csv(),
                &PanelColumns::gegravity_sample("2006"),
            )
            .map_err(|e| e.to_string())?;
            panel.trade_data().map(Arc::new).map_err(|e| e.to_string())
        });
        match parsed {
            Ok(w) => Ok(Self(Arc::clone(w))),
            Err(e) => Err(invalid(format!("the embedded 2006 world: {e}"))),
        }
    }

    /// Whether this is the embedded sample.
    pub fn is_sample(&self) -> Result<bool> {
        Ok(Arc::ptr_eq(&self.0, &Self::sample()?.0) || *self == Self::sample()?)
    }

    fn n(&self) -> usize {
        self.0.len()
    }
}

#[pymethods]
impl PyGeWorld {
    /// A world from economy codes and an N x N matrix of flows (a list of N rows, or one
    /// flat row-major list of N*N): `flows[i][j]` is the value sold by `countries[i]` to
    /// `countries[j]`, domestic sales on the diagonal.
    #[new]
    fn new(countries: &Bound<'_, PyAny>, flows: &Bound<'_, PyAny>) -> Result<Self> {
        let countries = each(countries, |c| code_arg(c, "countries"))?;
        let n = countries.len();
        let py = flows.py();
        let rows: Vec<Bound<'_, PyAny>> =
            each(flows, |row| Ok(row.clone().unbind()))?.into_iter().map(|r| r.into_bound(py)).collect();
        let mut trade = Vec::with_capacity(n * n);
        if rows.len() == n * n && rows.iter().all(|r| flow_arg(r, "flows").is_ok()) {
            for (k, v) in rows.iter().enumerate() {
                trade.push(flow_arg(v, &format!("flows[{k}]"))?);
            }
        } else {
            if rows.len() != n {
                return Err(invalid(format!(
                    "flows: expected {n} rows of {n} (or a flat list of {}), got {} items",
                    n * n,
                    rows.len()
                )));
            }
            for (i, row) in rows.iter().enumerate() {
                let row: Vec<Bound<'_, PyAny>> =
                    each(row, |v| Ok(v.clone().unbind()))?.into_iter().map(|r| r.into_bound(py)).collect();
                if row.len() != n {
                    return Err(invalid(format!(
                        "flows[{i}] ({}): expected {n} values, got {}",
                        countries[i],
                        row.len()
                    )));
                }
                for (j, v) in row.iter().enumerate() {
                    trade.push(flow_arg(v, &format!("flows[{i}][{j}] ({}->{})", countries[i], countries[j]))?);
                }
            }
        }
        Ok(Self(Arc::new(GravityData::from_trade_matrix(countries, trade)?)))
    }

    /// The 30-economy 2006 sample shipped with USITC's `gegravity` (flows in its units).
    #[staticmethod]
    fn sample_2006() -> Result<Self> {
        Self::sample()
    }

    /// A world from a long table of flows: equal-length sequences of exporter codes,
    /// importer codes and values. Pairs that do not appear are zero; a pair that appears
    /// twice is an error. Economies are sorted by code.
    #[staticmethod]
    #[pyo3(signature = (exporter, importer, value))]
    fn from_flows(exporter: &Bound<'_, PyAny>, importer: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> Result<Self> {
        let e = each(exporter, |c| code_arg(c, "exporter"))?;
        let i = each(importer, |c| code_arg(c, "importer"))?;
        let v = each(value, |x| flow_arg(x, "value"))?;
        if e.len() != i.len() || e.len() != v.len() {
            return Err(invalid(format!(
                "from_flows: exporter, importer and value have {}, {} and {} rows",
                e.len(),
                i.len(),
                v.len()
            )));
        }
        let mut index = BTreeMap::new();
        for c in e.iter().chain(&i) {
            index.entry(c.clone()).or_insert(0usize);
        }
        for (k, slot) in index.values_mut().enumerate() {
            *slot = k;
        }
        let n = index.len();
        let mut trade = vec![f64::NAN; n * n];
        for (row, ((a, b), x)) in e.iter().zip(&i).zip(&v).enumerate() {
            let cell = &mut trade[index[a] * n + index[b]];
            if !cell.is_nan() {
                return Err(invalid(format!("from_flows: row {row} repeats the flow {a}->{b}")));
            }
            *cell = *x;
        }
        for cell in &mut trade {
            if cell.is_nan() {
                *cell = 0.0;
            }
        }
        Ok(Self(Arc::new(GravityData::from_trade_matrix(index.into_keys().collect(), trade)?)))
    }

    /// A world from a pandas DataFrame with one row per flow (column names given).
    #[staticmethod]
    #[pyo3(signature = (frame, *, exporter = "exporter", importer = "importer", value = "value"))]
    fn from_pandas(frame: &Bound<'_, PyAny>, exporter: &str, importer: &str, value: &str) -> Result<Self> {
        let column = |name: &str| -> Result<Bound<'_, PyAny>> {
            frame
                .get_item(name)
                .and_then(|c| c.call_method0("tolist"))
                .map_err(|_| invalid(format!("from_pandas: the frame has no column {name:?}")))
        };
        Self::from_flows(&column(exporter)?, &column(importer)?, &column(value)?)
    }

    /// A world from a gravity-panel CSV (the layout of `gegravity`'s sample: columns
    /// exporter, importer, year, trade, ...), keeping the rows of `year`.
    #[staticmethod]
    #[pyo3(signature = (path, *, year))]
    fn read_gravity_csv(py: Python<'_>, path: std::path::PathBuf, year: i32) -> Result<Self> {
        let text = crate::loaders::read_path(py, &path, |name, mut r| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut r, &mut text)
                .map_err(|e| tradewar_data::DataError::Io { source_name: name.to_string(), message: e.to_string() })?;
            Ok(text)
        })?;
        let data = crate::detached(py, || -> Result<GravityData> {
            let panel = GravityPanel::from_csv_str(&text, &PanelColumns::gegravity_sample(&year.to_string()))?;
            Ok(panel.trade_data()?)
        })?;
        Ok(Self(Arc::new(data)))
    }

    /// The economies, in matrix order.
    #[getter]
    fn countries(&self) -> Vec<String> {
        self.0.countries().to_vec()
    }
    /// The flows as N rows of N values.
    #[getter]
    fn flows(&self) -> Vec<Vec<f64>> {
        self.0.trade().chunks(self.n().max(1)).map(<[f64]>::to_vec).collect()
    }
    /// Each economy's output (row sums, domestic sales included).
    #[getter]
    fn output(&self) -> Vec<f64> {
        self.0.output().to_vec()
    }
    /// Each economy's expenditure (column sums).
    #[getter]
    fn expenditure(&self) -> Vec<f64> {
        self.0.expenditure().to_vec()
    }
    /// The flow from `exporter` to `importer`.
    fn flow(&self, exporter: &str, importer: &str) -> Result<f64> {
        let idx = |c: &str| self.0.index_of(c).ok_or_else(|| invalid(format!("economy {c:?} is not in the world")));
        let (a, b) = (idx(exporter)?, idx(importer)?);
        self.0.flow(a, b).ok_or_else(|| invalid(format!("no flow {exporter}->{importer}")))
    }
    fn __len__(&self) -> usize {
        self.n()
    }
    fn __contains__(&self, code: &str) -> bool {
        self.0.index_of(code).is_some()
    }
    /// Evaluates back to an equal world.
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let codes = self.0.countries().iter().map(|c| py_str_repr(py, c)).collect::<PyResult<Vec<_>>>()?.join(", ");
        let rows: Vec<String> = self
            .flows()
            .iter()
            .map(|r| format!("[{}]", r.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")))
            .collect();
        Ok(format!("GeWorld([{codes}], [{}])", rows.join(", ")))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let args = (self.countries(), self.0.trade().to_vec()).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGeWorld>()
}
