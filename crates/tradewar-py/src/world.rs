//! The world a general-equilibrium model runs on: a square matrix of flows
//! between economies, domestic sales on the diagonal.
//!
//! Flows are model inputs in `float` (any one currency unit; results come
//! out in the same unit): the GE kernel computes in `f64`, and a world is
//! usually estimated or assembled from several sources, not booked money.

use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use tradewar_core::Duplicates;
use tradewar_models::gravity::{GravityData, GravityPanel, MissingPairs, PanelColumns};

use crate::convert::{arg, each_named, float_arg, py_str_repr, str_arg};
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

/// A flow: a finite number, not negative (ints, floats, Decimals, numpy scalars).
fn flow_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<f64> {
    let x = float_arg(v, what)?;
    if x >= 0.0 {
        Ok(x)
    } else {
        Err(invalid(format!("{what}: {x} is not a finite, non-negative flow")))
    }
}

/// Items converted by `f`, an error naming the column and row.
fn column<T>(v: &Bound<'_, PyAny>, name: &str, f: impl Fn(&Bound<'_, PyAny>, &str) -> Result<T>) -> Result<Vec<T>> {
    let mut k = 0;
    each_named(v, name, |x| {
        let item = f(x, &format!("{name}[{k}]"));
        k += 1;
        item
    })
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
        let countries = column(countries, "countries", str_arg)?;
        let n = countries.len();
        let py = flows.py();
        let rows: Vec<Bound<'_, PyAny>> =
            each_named(flows, "flows", |row| Ok(row.clone().unbind()))?.into_iter().map(|r| r.into_bound(py)).collect();
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
                let row: Vec<Bound<'_, PyAny>> = each_named(row, &format!("flows[{i}]"), |v| Ok(v.clone().unbind()))?
                    .into_iter()
                    .map(|r| r.into_bound(py))
                    .collect();
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
    /// importer codes and values. Economies are the codes found, sorted. Every pair must have a
    /// row, domestic sales included, unless `fill_missing` gives the value of a pair with none
    /// (usually 0.0); a pair on two rows is refused unless `aggregate=True` sums them.
    #[staticmethod]
    #[pyo3(signature = (exporter, importer, value, *, aggregate = false, fill_missing = None))]
    fn from_flows(
        exporter: &Bound<'_, PyAny>,
        importer: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
        fill_missing: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let e = column(exporter, "exporter", str_arg)?;
        let i = column(importer, "importer", str_arg)?;
        let v = column(value, "value", flow_arg)?;
        let duplicates = if aggregate { Duplicates::Sum } else { Duplicates::Refuse };
        let missing = match fill_missing.filter(|f| !f.is_none()) {
            None => MissingPairs::Refuse,
            Some(f) => MissingPairs::Fill(flow_arg(f, "fill_missing")?),
        };
        Ok(Self(Arc::new(GravityData::from_flows(&e, &i, &v, duplicates, missing)?)))
    }

    /// A world from a pandas DataFrame with one row per flow (column names given; as `from_flows`).
    #[staticmethod]
    #[pyo3(signature = (frame, *, exporter = "exporter".to_string(), importer = "importer".to_string(), value = "value".to_string(), aggregate = false, fill_missing = None), text_signature = "(frame, *, exporter='exporter', importer='importer', value='value', aggregate=False, fill_missing=None)")]
    fn from_pandas(
        frame: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::exporter_column)] exporter: String,
        #[pyo3(from_py_with = arg::importer_column)] importer: String,
        #[pyo3(from_py_with = arg::value_column)] value: String,
        #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
        fill_missing: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let py = frame.py();
        let columns =
            crate::table::tables_helper(py, "frame_columns")?.call1((frame, vec![&exporter, &importer, &value]))?;
        let get = |name: &str| -> Result<Bound<'_, PyAny>> { Ok(columns.get_item(name)?) };
        Self::from_flows(&get(&exporter)?, &get(&importer)?, &get(&value)?, aggregate, fill_missing)
    }

    /// A world from a gravity-panel CSV (the layout of `gegravity`'s sample: columns
    /// exporter, importer, year, trade, ...), keeping the rows of `year`.
    #[staticmethod]
    #[pyo3(signature = (path, *, year))]
    fn read_gravity_csv(
        py: Python<'_>,
        #[pyo3(from_py_with = arg::path)] path: std::path::PathBuf,
        #[pyo3(from_py_with = arg::year)] year: i32,
    ) -> Result<Self> {
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
    /// The flow from `exporter` to `importer` (codes in any case).
    fn flow(&self, exporter: &Bound<'_, PyAny>, importer: &Bound<'_, PyAny>) -> Result<f64> {
        let idx = |v: &Bound<'_, PyAny>, what: &str| -> Result<usize> {
            let c = str_arg(v, what)?;
            self.0
                .index_of(&c)
                .ok_or_else(|| invalid(format!("{what}: economy {:?} is not in the world", tradewar_core::excerpt(&c))))
        };
        let (a, b) = (idx(exporter, "exporter")?, idx(importer, "importer")?);
        self.0.flow(a, b).ok_or_else(|| invalid(format!("no flow from position {a} to {b}")))
    }
    fn __len__(&self) -> usize {
        self.n()
    }
    /// Whether the economy (a code, in any case) is in the world; False for anything but a string.
    fn __contains__(&self, code: &Bound<'_, PyAny>) -> bool {
        code.cast::<PyString>().is_ok_and(|s| self.0.index_of(&s.to_string()).is_some())
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
