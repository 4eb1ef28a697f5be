//! Files in: MFN schedules, Comtrade extracts, elasticities, scenario files.
//!
//! Each reader opens the file, parses it without the GIL through the
//! `tradewar-data` loader of the same name, and maps every failure (missing
//! file, malformed row, bad value) to the exception tree with the file, row
//! and column named. A failed read returns nothing: there is no partial result.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_data::scenario_file::{read_scenario_file, write_scenario_file, ScenarioFile};
use tradewar_data::{loaders, DataError};

use crate::convert::{arg, economy_param, py_str_repr};
use crate::error::Result;
use crate::policy::{PyMfnTable, PySchedule, PyTimeline};
use crate::trade::PyTradeMatrix;
use crate::values::{PyHsCode, PyTarget};

/// Opens `path` and hands a buffered reader and the path's display name to
/// `parse`, without the GIL.
pub(crate) fn read_path<T, F>(py: Python<'_>, path: &PathBuf, parse: F) -> Result<T>
where
    T: Send,
    F: Send + FnOnce(&str, BufReader<std::fs::File>) -> std::result::Result<T, DataError>,
{
    let name = path.display().to_string();
    crate::detached(py, || {
        let io = |message: String| DataError::Io { source_name: name.clone(), message };
        if path.is_dir() {
            return Err(io("is a directory, not a file".to_string()).into());
        }
        let f = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
        Ok(parse(&name, BufReader::new(f))?)
    })
}

/// An MFN schedule by national line from CSV: `hts8,ad_valorem_pct,specific_usd,unit,text`
/// (the code column may also be `hs6` or `line`).
#[pyfunction]
#[pyo3(signature = (path, *, importer))]
fn read_mfn_csv(
    py: Python<'_>,
    #[pyo3(from_py_with = arg::path)] path: PathBuf,
    importer: &Bound<'_, PyAny>,
) -> Result<PyMfnTable> {
    let importer = economy_param(importer, "importer")?;
    let t = read_path(py, &path, |name, r| loaders::read_mfn_csv(name, importer, r))?;
    Ok(PyMfnTable(Arc::new(t)))
}

/// Trade from a UN Comtrade bulk CSV extract (reporter's view; imports CIF, exports FOB). A flow
/// on two lines is refused naming both, unless `aggregate=True` sums them.
#[pyfunction]
#[pyo3(signature = (path, *, aggregate = false))]
fn read_comtrade_csv(
    py: Python<'_>,
    #[pyo3(from_py_with = arg::path)] path: PathBuf,
    #[pyo3(from_py_with = arg::aggregate)] aggregate: bool,
) -> Result<PyTradeMatrix> {
    let duplicates = if aggregate { loaders::Duplicates::Sum } else { loaders::Duplicates::Refuse };
    let m = read_path(py, &path, |name, r| loaders::read_comtrade_csv_with(name, r, duplicates))?;
    Ok(PyTradeMatrix(Arc::new(m)))
}

/// Elasticities of substitution by product from CSV (`hts10,sigma`). A code listed twice is
/// refused naming both lines, unless `keep_first=True` keeps its first value.
#[pyfunction]
#[pyo3(signature = (path, *, keep_first = false))]
fn read_sigmas(
    py: Python<'_>,
    #[pyo3(from_py_with = arg::path)] path: PathBuf,
    #[pyo3(from_py_with = arg::keep_first)] keep_first: bool,
) -> Result<BTreeMap<PyHsCode, f64>> {
    let read = if keep_first { loaders::read_sigmas_keep_first } else { loaders::read_sigmas };
    let s = read_path(py, &path, read)?;
    Ok(s.into_iter().map(|(k, v)| (PyHsCode(k), v)).collect())
}

/// A versioned scenario file: a named timeline, the MFN tables it needs and an optional
/// target. `ScenarioFile.read(path)` checks the schema version; `write(path)` writes the
/// current one.
#[pyclass(frozen, eq, name = "ScenarioFile", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyScenarioFile(ScenarioFile);

#[pymethods]
impl PyScenarioFile {
    #[new]
    #[pyo3(signature = (name, *, timeline, mfn = Vec::new(), target = None))]
    fn new(
        #[pyo3(from_py_with = arg::name)] name: String,
        #[pyo3(from_py_with = arg::timeline)] timeline: PyTimeline,
        #[pyo3(from_py_with = arg::mfn_tables)] mfn: Vec<PyMfnTable>,
        #[pyo3(from_py_with = arg::opt_target)] target: Option<PyTarget>,
    ) -> Result<Self> {
        let mut f = ScenarioFile::new(&name, (*timeline.0).clone());
        PySchedule::from_parts(timeline, mfn.clone(), None)?;
        f.mfn = mfn.iter().map(|t| (*t.0).clone()).collect();
        f.target = target.map(|t| t.0);
        Ok(Self(f))
    }
    /// Reads a scenario file.
    #[staticmethod]
    fn read(py: Python<'_>, #[pyo3(from_py_with = arg::path)] path: PathBuf) -> Result<Self> {
        Ok(Self(read_path(py, &path, read_scenario_file)?))
    }
    /// A scenario file from its JSON text (`source` names it in errors).
    #[staticmethod]
    #[pyo3(signature = (text, *, source = "<string>".to_string()), text_signature = "(text, *, source='<string>')")]
    fn from_json(
        py: Python<'_>,
        #[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr,
        #[pyo3(from_py_with = arg::source)] source: String,
    ) -> Result<Self> {
        Ok(Self(crate::detached(py, || read_scenario_file(&source, text.as_bytes()))?))
    }
    /// The file's JSON text (schema version first).
    fn to_json(&self) -> Result<String> {
        let mut out = Vec::new();
        write_scenario_file(&self.0, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    /// Writes the file (the whole text is built first, so a failure leaves no half file
    /// behind unless the disk itself fails).
    fn write(&self, #[pyo3(from_py_with = arg::path)] path: PathBuf) -> Result<()> {
        let text = self.to_json()?;
        std::fs::write(&path, text)
            .map_err(|e| DataError::Write { source_name: path.display().to_string(), message: e.to_string() }.into())
    }
    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// The events.
    #[getter]
    fn timeline(&self) -> PyTimeline {
        PyTimeline(Arc::new(self.0.timeline.clone()))
    }
    /// The MFN tables of the importers concerned.
    #[getter]
    fn mfn_tables(&self) -> Vec<PyMfnTable> {
        self.0.mfn.iter().map(|t| PyMfnTable(Arc::new(t.clone()))).collect()
    }
    /// The target to score against, if any.
    #[getter]
    fn target(&self) -> Option<PyTarget> {
        self.0.target.clone().map(PyTarget)
    }
    /// The schedule of the timeline and the MFN tables.
    fn schedule(&self, py: Python<'_>) -> Result<PySchedule> {
        let (timeline, tables) = (self.timeline(), self.mfn_tables());
        crate::detached(py, || PySchedule::from_parts(timeline, tables, None))
    }
    /// Evaluates back to an equal file.
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("ScenarioFile.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenarioFile>()?;
    m.add_function(wrap_pyfunction!(read_mfn_csv, m)?)?;
    m.add_function(wrap_pyfunction!(read_comtrade_csv, m)?)?;
    m.add_function(wrap_pyfunction!(read_sigmas, m)?)?;
    Ok(())
}
