//! PPML with high-dimensional fixed effects from Python: `tradewar.ppml(data, ...)` returns a `PpmlResult`.
//!
//! The data can be anything with columns: a pandas or polars DataFrame, a pyarrow Table (any object with
//! `__arrow_c_stream__`, read in Rust through `arrow.rs`), a tradewar `Table`, a `TradeMatrix` (columns exporter,
//! importer, product, year, value_usd), a dict of equal-length lists, or the path of a CSV file. Only the
//! columns the model names are read. Numbers become `f64` (decimals too: an explicit, documented conversion for
//! estimation); fixed effects and clusters may be any column of codes, or a tuple of columns for their
//! interaction (exporter × year).

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use rust_decimal::prelude::ToPrimitive;
use tradewar_models::ppml::{
    ppml, ClusterDf, Collinear, Factor, PpmlData, PpmlFit, PpmlOptions, Separation, SmallSample, VarianceKind,
};

use crate::convert::type_name;
use crate::error::{invalid, Error, Result};
use crate::table::{Column, PyTable, TableData};
use crate::trade::PyTradeMatrix;

fn column_error(kind: &'static str, message: String) -> Error {
    Error::Rejected("ColumnError", kind, message)
}

// ---------------------------------------------------------------------------------------------
// Columns in
// ---------------------------------------------------------------------------------------------

/// A CSV file as text columns (typed later, by the role each column plays).
fn read_csv_columns(path: &std::path::Path, wanted: &[&str]) -> Result<TableData> {
    let name = path.display().to_string();
    let io = |message: String| tradewar_data::DataError::Io { source_name: name.clone(), message };
    if path.is_dir() {
        return Err(io("is a directory, not a file".into()).into());
    }
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path).map_err(|e| io(e.to_string()))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| tradewar_data::DataError::Csv { source_name: name.clone(), line: 1, message: e.to_string() })?
        .iter()
        .map(str::to_string)
        .collect();
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| !headers.iter().any(|h| h == w)).collect();
    if !missing.is_empty() {
        return Err(column_error(
            "MissingColumn",
            format!("missing column(s) {} (have: {}) in {name}", missing.join(", "), headers.join(", ")),
        ));
    }
    let keep: Vec<usize> = (0..headers.len()).filter(|&i| wanted.contains(&headers[i].as_str())).collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); keep.len()];
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| tradewar_data::DataError::Csv {
            source_name: name.clone(),
            line: line as u64 + 2,
            message: e.to_string(),
        })?;
        for (c, &i) in cols.iter_mut().zip(&keep) {
            c.push(record.get(i).unwrap_or_default().to_string());
        }
    }
    let mut table = TableData::new("csv");
    for (c, &i) in cols.into_iter().zip(&keep) {
        table.columns.push((headers[i].clone(), Column::Str(c)));
    }
    Ok(table)
}

/// The trade matrix as columns (value_usd as `f64` dollars: cents / 100).
fn trade_columns(m: &tradewar_core::TradeMatrix) -> TableData {
    TableData::new("trade")
        .with("exporter", Column::Str(m.exporters().iter().map(ToString::to_string).collect()))
        .with("importer", Column::Str(m.importers().iter().map(ToString::to_string).collect()))
        .with("product", Column::Str(m.products().iter().map(ToString::to_string).collect()))
        .with("year", Column::Int(m.years().iter().map(|&y| i64::from(y)).collect()))
        .with("value_usd", Column::Float(m.values_cents().iter().map(|&c| c as f64 / 100.0).collect()))
}

/// A dict of lists: each list of floats/ints/strings/bools becomes one column.
fn dict_columns(d: &Bound<'_, PyDict>, wanted: &[&str]) -> Result<TableData> {
    let mut table = TableData::new("dict");
    for w in wanted {
        let v = d.get_item(*w)?.ok_or_else(|| {
            let have: Vec<String> =
                d.keys().iter().map(|k| k.str().map(|s| s.to_string()).unwrap_or_default()).collect();
            column_error("MissingColumn", format!("missing column {w:?} (have: {})", have.join(", ")))
        })?;
        let py = d.py();
        let values: Vec<Bound<'_, PyAny>> =
            crate::convert::each(&v, |x| Ok(x.clone().unbind()))?.into_iter().map(|x| x.into_bound(py)).collect();
        let column = if values.iter().all(PyAnyMethods::is_instance_of::<PyString>) {
            Column::Str(values.iter().map(|x| x.extract::<String>().unwrap_or_default()).collect())
        } else if values.iter().all(PyAnyMethods::is_instance_of::<pyo3::types::PyInt>) {
            Column::Int(
                values
                    .iter()
                    .enumerate()
                    .map(|(row, x)| {
                        x.extract::<i64>()
                            .map_err(|_| invalid(format!("column {w:?}, row {row}: integer out of the 64-bit range")))
                    })
                    .collect::<Result<_>>()?,
            )
        } else {
            Column::Float(
                values
                    .iter()
                    .enumerate()
                    .map(|(row, x)| {
                        x.call_method0("__float__").and_then(|f| f.extract::<f64>()).map_err(|_| {
                            invalid(format!("column {w:?}, row {row}: expected a number, got {}", type_name(x)))
                        })
                    })
                    .collect::<Result<_>>()?,
            )
        };
        table.columns.push(((*w).to_string(), column));
    }
    Ok(table)
}

/// The named columns of `data`, whatever it is (see the module docs).
pub(crate) fn read_table(py: Python<'_>, data: &Bound<'_, PyAny>, wanted: &[&str]) -> Result<TableData> {
    if let Ok(m) = data.cast::<PyTradeMatrix>() {
        let table = trade_columns(&m.get().0);
        return select(table, wanted, "the TradeMatrix");
    }
    if let Ok(t) = data.cast::<PyTable>() {
        return select(t.get().0.clone(), wanted, "the Table");
    }
    if let Ok(d) = data.cast::<PyDict>() {
        return dict_columns(d, wanted);
    }
    if data.is_instance_of::<PyString>() || data.hasattr("__fspath__")? {
        let path: PathBuf = data.extract().map_err(|_| invalid("data: expected a path"))?;
        return crate::detached(py, || read_csv_columns(&path, wanted));
    }
    let arrow_like = data.hasattr("__arrow_c_stream__")? || data.hasattr("to_arrow")?;
    let source = if arrow_like {
        data.clone()
    } else if data.hasattr("columns")? && data.hasattr("__getitem__")? {
        // A pandas DataFrame without the Arrow stream interface (pandas < 2.2): through pyarrow when it is there,
        // else column by column as lists.
        if let Ok(pa) = py.import("pyarrow") {
            pa.getattr("Table")?.call_method1("from_pandas", (data,))?
        } else {
            let d = PyDict::new(py);
            for w in wanted {
                let col = data
                    .get_item(*w)
                    .map_err(|_| column_error("MissingColumn", format!("the frame has no column {w:?}")))?;
                d.set_item(*w, col.call_method0("tolist")?)?;
            }
            return dict_columns(&d, wanted);
        }
    } else {
        return Err(invalid(format!(
            "data: expected a DataFrame (pandas, polars), an Arrow table, a tradewar Table or TradeMatrix, a dict of \
             columns or the path of a CSV file, got {}",
            type_name(data)
        )));
    };
    let stream = crate::arrow::read_stream(&source)?;
    crate::detached(py, || crate::arrow::table_from_stream_columns(&stream, None, wanted))
}

fn select(table: TableData, wanted: &[&str], what: &str) -> Result<TableData> {
    let have: Vec<String> = table.columns.iter().map(|c| c.0.clone()).collect();
    let mut out = TableData::new(&table.name);
    let mut by_name: HashMap<String, Column> = table.columns.into_iter().collect();
    for w in wanted {
        let c = by_name.remove(*w).ok_or_else(|| {
            column_error("MissingColumn", format!("missing column {w:?} in {what} (have: {})", have.join(", ")))
        })?;
        out.columns.push(((*w).to_string(), c));
    }
    Ok(out)
}

fn column<'a>(table: &'a TableData, name: &str) -> Result<&'a Column> {
    table
        .columns
        .iter()
        .find(|c| c.0 == name)
        .map(|c| &c.1)
        .ok_or_else(|| column_error("MissingColumn", format!("missing column {name:?}")))
}

/// A column as numbers, for the `role` it plays (outcome, regressor, offset, weights).
fn numbers(table: &TableData, name: &str, role: &str) -> Result<Vec<f64>> {
    Ok(match column(table, name)? {
        Column::Float(v) => v.clone(),
        Column::Int(v) => v.iter().map(|&x| x as f64).collect(),
        Column::Bool(v) => v.iter().map(|&b| f64::from(u8::from(b))).collect(),
        Column::Decimal(v) => v
            .iter()
            .enumerate()
            .map(|(row, d)| {
                d.and_then(|d| d.to_f64())
                    .ok_or_else(|| column_error("NullValue", format!("{role} {name:?}, row {row}: missing value")))
            })
            .collect::<Result<_>>()?,
        Column::Str(v) => v
            .iter()
            .enumerate()
            .map(|(row, s)| {
                s.trim().parse::<f64>().map_err(|_| {
                    column_error("ColumnType", format!("{role} {name:?}, row {row}: {s:?} is not a number"))
                })
            })
            .collect::<Result<_>>()?,
        Column::Date(_) => {
            return Err(column_error("ColumnType", format!("{role} {name:?} holds dates, not numbers")));
        }
    })
}

/// A column as a factor (codes sorted by label; integers numerically).
fn factor_of(table: &TableData, name: &str) -> Result<Factor> {
    let f = match column(table, name)? {
        Column::Str(v) => Factor::from_labels(name, v)?,
        Column::Int(v) => Factor::from_integers(name, v)?,
        Column::Bool(v) => Factor::from_labels(name, &v.iter().map(ToString::to_string).collect::<Vec<_>>())?,
        Column::Date(v) => Factor::from_labels(name, &v.iter().map(ToString::to_string).collect::<Vec<_>>())?,
        Column::Decimal(v) => Factor::from_labels(
            name,
            &v.iter()
                .enumerate()
                .map(|(row, d)| {
                    d.map(|d| d.normalize().to_string())
                        .ok_or_else(|| column_error("NullValue", format!("column {name:?}, row {row}: missing value")))
                })
                .collect::<Result<Vec<_>>>()?,
        )?,
        Column::Float(v) => {
            // Integral floats (integer columns with a missing value somewhere, read as floats) are integer keys.
            let keys = v
                .iter()
                .enumerate()
                .map(|(row, &x)| {
                    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
                        Ok(x as i64)
                    } else {
                        Err(column_error(
                            "ColumnType",
                            format!("column {name:?}, row {row}: {x} is not a code (use integers or strings)"),
                        ))
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Factor::from_integers(name, &keys)?
        }
    };
    Ok(f)
}

/// One categorical term: a column, or the interaction of several (named `a#b`).
#[derive(Debug, Clone)]
struct Term(Vec<String>);

impl Term {
    fn name(&self) -> String {
        self.0.join("#")
    }

    fn parse(v: &Bound<'_, PyAny>, what: &str) -> Result<Self> {
        if let Ok(s) = v.extract::<String>() {
            return Ok(Self(vec![s]));
        }
        if v.is_instance_of::<PyTuple>() || v.is_instance_of::<PyList>() {
            let parts: Vec<String> = crate::convert::each(v, |x| {
                x.extract::<String>().map_err(|_| invalid(format!("{what}: column names must be strings")))
            })?;
            if parts.is_empty() {
                return Err(invalid(format!("{what}: an empty interaction")));
            }
            return Ok(Self(parts));
        }
        Err(invalid(format!("{what}: expected a column name or a tuple of names, got {}", type_name(v))))
    }

    fn factor(&self, table: &TableData) -> Result<Factor> {
        if self.0.len() == 1 {
            return factor_of(table, &self.0[0]);
        }
        let parts = self.0.iter().map(|c| factor_of(table, c)).collect::<Result<Vec<_>>>()?;
        let refs: Vec<&Factor> = parts.iter().collect();
        Ok(Factor::interact(self.name(), &refs)?)
    }
}

fn terms(v: Option<&Bound<'_, PyAny>>, what: &str) -> Result<Vec<Term>> {
    let Some(v) = v.filter(|v| !v.is_none()) else { return Ok(Vec::new()) };
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyTuple>() {
        return Ok(vec![Term::parse(v, what)?]);
    }
    crate::convert::each(v, |x| Term::parse(x, what))
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

fn small_sample_arg(s: &str) -> Result<SmallSample> {
    match s {
        "stata" | "ppmlhdfe" => Ok(SmallSample::Stata),
        "fixest" | "pyfixest" => Ok(SmallSample::Fixest),
        "none" => Ok(SmallSample::None),
        _ => Err(invalid(format!("small_sample: expected \"stata\", \"fixest\" or \"none\", got {s:?}"))),
    }
}

fn small_sample_name(s: SmallSample) -> &'static str {
    match s {
        SmallSample::Stata => "stata",
        SmallSample::Fixest => "fixest",
        SmallSample::None => "none",
    }
}

fn separation_arg(v: &[String]) -> Result<Separation> {
    let mut s = Separation::NONE;
    for m in v {
        match m.as_str() {
            "fe" => s.fixed_effects = true,
            "simplex" => s.simplex = true,
            "relu" => s.relu = true,
            other => {
                return Err(invalid(format!(
                    "separation: unknown check {other:?}; the checks are \"fe\", \"simplex\" and \"relu\""
                )))
            }
        }
    }
    Ok(s)
}

fn references_arg(v: Option<&Bound<'_, PyAny>>) -> Result<Vec<(String, String)>> {
    let Some(v) = v.filter(|v| !v.is_none()) else { return Ok(Vec::new()) };
    let pair = |x: &Bound<'_, PyAny>| -> Result<(String, String)> {
        let (a, b): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            x.extract().map_err(|_| invalid("references: expected (fixed effect, level) pairs"))?;
        Ok((text(&a, "references")?, text(&b, "references")?))
    };
    if let Ok(d) = v.cast::<PyDict>() {
        let mut out = Vec::new();
        for (k, val) in d.iter() {
            let key = text(&k, "references")?;
            if val.is_instance_of::<PyList>() || val.is_instance_of::<PyTuple>() {
                for level in crate::convert::each(&val, |x| text(x, "references"))? {
                    out.push((key.clone(), level));
                }
            } else {
                out.push((key, text(&val, "references")?));
            }
        }
        return Ok(out);
    }
    crate::convert::each(v, pair)
}

/// A level label as given: strings as they are, integers in decimal.
fn text(v: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    if let Ok(s) = v.extract::<String>() {
        return Ok(s);
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(i.to_string());
    }
    Err(invalid(format!("{what}: expected a string or an integer, got {}", type_name(v))))
}

// ---------------------------------------------------------------------------------------------
// The result
// ---------------------------------------------------------------------------------------------

/// A fitted PPML model: coefficients with their standard errors, the estimation sample, fitted values,
/// recovered fixed effects and convergence information.
#[pyclass(frozen, name = "PpmlResult", module = "tradewar")]
pub struct PyPpmlResult {
    pub(crate) fit: PpmlFit,
    regressors: Vec<String>,
    fixed_effects: Vec<String>,
}

impl PyPpmlResult {
    /// The fit.
    pub(crate) fn fit(&self) -> &PpmlFit {
        &self.fit
    }
}

#[pymethods]
impl PyPpmlResult {
    /// The outcome's column.
    #[getter]
    fn outcome(&self) -> String {
        self.fit.outcome.clone()
    }
    /// The coefficient table: term, estimate, std_error, z, p_value, ci_low, ci_high, omitted (the constant, when
    /// the model has one, last). Omitted terms have NaN estimates.
    #[getter]
    fn coefficients(&self) -> PyTable {
        let c = &self.fit.coefficients;
        let col = |f: fn(&tradewar_models::ppml::Coefficient) -> f64| Column::Float(c.iter().map(f).collect());
        PyTable(
            TableData::new("ppml_coefficients")
                .with("term", Column::Str(c.iter().map(|x| x.term.clone()).collect()))
                .with("estimate", col(|x| x.estimate))
                .with("std_error", col(|x| x.std_error))
                .with("z", col(|x| x.z))
                .with("p_value", col(|x| x.p_value))
                .with("ci_low", col(|x| x.ci_low))
                .with("ci_high", col(|x| x.ci_high))
                .with("omitted", Column::Bool(c.iter().map(|x| x.omitted).collect())),
        )
    }
    /// Estimates by term (omitted terms as NaN).
    #[getter]
    fn coef(&self) -> HashMap<String, f64> {
        self.fit.coefficients.iter().map(|c| (c.term.clone(), c.estimate)).collect()
    }
    /// Standard errors by term.
    #[getter]
    fn se(&self) -> HashMap<String, f64> {
        self.fit.coefficients.iter().map(|c| (c.term.clone(), c.std_error)).collect()
    }
    /// The variance matrix of the estimated terms (rows in the order of `vcov_terms`).
    #[getter]
    fn vcov(&self) -> Vec<Vec<f64>> {
        let k = self.fit.vcov_terms.len();
        self.fit.vcov.chunks(k.max(1)).map(<[f64]>::to_vec).collect()
    }
    /// The terms of `vcov`.
    #[getter]
    fn vcov_terms(&self) -> Vec<String> {
        self.fit.vcov_terms.clone()
    }
    /// "robust", or "clustered by a, b" with the numbers of clusters.
    #[getter]
    fn variance(&self) -> String {
        match &self.fit.variance {
            VarianceKind::Robust => "robust".into(),
            VarianceKind::Clustered { variables, clusters } => {
                let parts: Vec<String> = variables.iter().zip(clusters).map(|(v, g)| format!("{v} ({g})")).collect();
                format!("clustered by {}", parts.join(", "))
            }
        }
    }
    /// The small-sample convention ("stata", "fixest" or "none") and the factor applied to the variance.
    #[getter]
    fn small_sample(&self) -> (&'static str, f64) {
        (small_sample_name(self.fit.small_sample), self.fit.small_sample_factor)
    }
    /// Rows of the data.
    #[getter]
    fn rows(&self) -> usize {
        self.fit.rows
    }
    /// Observations in the estimation sample.
    #[getter]
    fn nobs(&self) -> usize {
        self.fit.observations
    }
    /// Why each row is in the sample or not: "used", "zero_weight", "singleton", "separated_fe",
    /// "separated_simplex" or "separated_relu".
    #[getter]
    fn row_status(&self) -> Vec<&'static str> {
        self.fit.row_status.iter().map(|s| s.as_str()).collect()
    }
    /// Rows (0-based) dropped as separated.
    #[getter]
    fn separated_rows(&self) -> Vec<usize> {
        self.fit.separated_rows()
    }
    /// The fitted mean of every row: the fit on the sample, 0 for a separated row, the outcome itself for a
    /// singleton, NaN for a zero-weight row.
    #[getter]
    fn fitted(&self) -> Vec<f64> {
        self.fit.fitted.clone()
    }
    /// Deviance on the sample.
    #[getter]
    fn deviance(&self) -> f64 {
        self.fit.deviance
    }
    /// Poisson log pseudo-likelihood.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.fit.log_likelihood
    }
    /// Squared correlation of outcome and fitted mean (the R² Stata's `ppml` prints).
    #[getter]
    fn r2(&self) -> f64 {
        self.fit.r2
    }
    /// IRLS iterations.
    #[getter]
    fn iterations(&self) -> usize {
        self.fit.iterations
    }
    /// Conjugate-gradient iterations spent partialling out fixed effects.
    #[getter]
    fn inner_iterations(&self) -> usize {
        self.fit.inner_iterations
    }
    /// Whether IRLS converged (always true: a fit that does not converge raises `ConvergenceError`).
    #[getter]
    fn converged(&self) -> bool {
        self.fit.last_change < self.fit.tolerance
    }
    /// The relative change of the deviance at the last iteration, and the tolerance it met.
    #[getter]
    fn convergence(&self) -> (f64, f64) {
        (self.fit.last_change, self.fit.tolerance)
    }
    /// Anything worth knowing: omitted regressors, skipped checks, normalisation caveats.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.fit.notes.clone()
    }
    /// The names of the fixed-effect dimensions (interactions as `a#b`).
    #[getter]
    fn fixed_effect_names(&self) -> Vec<String> {
        self.fixed_effects.clone()
    }
    /// The regressors asked for, in order.
    #[getter]
    fn regressors(&self) -> Vec<String> {
        self.regressors.clone()
    }
    /// The recovered coefficients of one fixed-effect dimension: level, estimate, std_error (NaN unless asked for
    /// with `fixed_effect_std_errors=True`), reference (pinned to zero by the normalisation).
    fn fixed_effects(&self, name: &str) -> Result<PyTable> {
        let f = self.fit.fixed_effect(name).ok_or_else(|| {
            invalid(format!("no fixed effect {name:?} (the model's are: {})", self.fixed_effects.join(", ")))
        })?;
        Ok(PyTable(
            TableData::new(&format!("fixed_effects_{name}"))
                .with("level", Column::Str(f.labels.clone()))
                .with("estimate", Column::Float(f.values.clone()))
                .with("std_error", Column::Float(f.std_errors.clone()))
                .with("reference", Column::Bool(f.reference.clone())),
        ))
    }
    /// A short text summary, as Stata prints it.
    fn summary(&self) -> String {
        summary(&self.fit)
    }
    fn __str__(&self) -> String {
        summary(&self.fit)
    }
    fn __repr__(&self) -> String {
        let terms: Vec<String> = self
            .fit
            .coefficients
            .iter()
            .map(|c| if c.omitted { format!("{}=omitted", c.term) } else { format!("{}={:.6}", c.term, c.estimate) })
            .collect();
        format!(
            "<PpmlResult {}: {} (N={}, {} fixed effect dimension(s), {} iterations)>",
            self.fit.outcome,
            terms.join(", "),
            self.fit.observations,
            self.fixed_effects.len(),
            self.fit.iterations
        )
    }
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::tables_helper(slf.py(), "ppml_html")?.call1((slf,))
    }
}

fn summary(fit: &PpmlFit) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "PPML of {} · N = {} of {} rows · {} iteration(s), deviance {:.6e}, pseudo log-likelihood {:.6e}",
        fit.outcome, fit.observations, fit.rows, fit.iterations, fit.deviance, fit.log_likelihood
    );
    let variance = match &fit.variance {
        VarianceKind::Robust => "robust".to_string(),
        VarianceKind::Clustered { variables, clusters } => format!(
            "clustered by {}",
            variables.iter().zip(clusters).map(|(v, g)| format!("{v} ({g})")).collect::<Vec<_>>().join(", ")
        ),
    };
    let _ = writeln!(
        s,
        "standard errors: {variance}, {} small-sample factor {:.7}",
        small_sample_name(fit.small_sample),
        fit.small_sample_factor
    );
    let _ = writeln!(s, "{:<20} {:>12} {:>12} {:>8} {:>8}", "term", "estimate", "std. error", "z", "P>|z|");
    for c in &fit.coefficients {
        if c.omitted {
            let _ = writeln!(s, "{:<20} {:>12}", c.term, "(omitted)");
        } else {
            let _ = writeln!(
                s,
                "{:<20} {:>12.7} {:>12.7} {:>8.2} {:>8.3}",
                c.term, c.estimate, c.std_error, c.z, c.p_value
            );
        }
    }
    for n in &fit.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// PPML with high-dimensional fixed effects (see `tradewar.ppml` in the stubs for every argument). The GIL is
/// released while the model is estimated.
#[pyfunction]
#[pyo3(name = "ppml", signature = (
    data, outcome, regressors = None, fixed_effects = None, *, offset = None, weights = None, cluster = None,
    small_sample = "stata", cluster_df = "min", separation = None, drop_singletons = true, collinear = "error",
    references = None, fixed_effect_std_errors = false, intercept = true, tolerance = 1e-10,
    max_iterations = 1000
))]
#[allow(clippy::too_many_arguments)]
fn ppml_py(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    outcome: &str,
    regressors: Option<&Bound<'_, PyAny>>,
    fixed_effects: Option<&Bound<'_, PyAny>>,
    offset: Option<&str>,
    weights: Option<&str>,
    cluster: Option<&Bound<'_, PyAny>>,
    small_sample: &str,
    cluster_df: &str,
    separation: Option<Vec<String>>,
    drop_singletons: bool,
    collinear: &str,
    references: Option<&Bound<'_, PyAny>>,
    fixed_effect_std_errors: bool,
    intercept: bool,
    tolerance: f64,
    max_iterations: usize,
) -> Result<PyPpmlResult> {
    let regressors: Vec<String> = match regressors.filter(|r| !r.is_none()) {
        None => Vec::new(),
        Some(r) if r.is_instance_of::<PyString>() => vec![r.extract()?],
        Some(r) => crate::convert::each(r, |x| {
            x.extract::<String>().map_err(|_| invalid("regressors: column names must be strings"))
        })?,
    };
    let fe_terms = terms(fixed_effects, "fixed_effects")?;
    let cluster_terms = terms(cluster, "cluster")?;
    if cluster_terms.len() > 2 {
        return Err(invalid(format!(
            "cluster: at most two cluster variables (one- or two-way clustering), got {}",
            cluster_terms.len()
        )));
    }
    let mut options = PpmlOptions {
        tolerance,
        max_iterations,
        small_sample: small_sample_arg(small_sample)?,
        cluster_df: match cluster_df {
            "min" => ClusterDf::Min,
            "conventional" => ClusterDf::Conventional,
            other => return Err(invalid(format!("cluster_df: expected \"min\" or \"conventional\", got {other:?}"))),
        },
        drop_singletons,
        collinear: match collinear {
            "error" => Collinear::Error,
            "omit" => Collinear::Omit,
            other => return Err(invalid(format!("collinear: expected \"error\" or \"omit\", got {other:?}"))),
        },
        references: references_arg(references)?,
        fixed_effect_std_errors,
        ..PpmlOptions::default()
    };
    if let Some(sep) = separation {
        options.separation = separation_arg(&sep)?;
    }
    // Every column the model reads, once.
    let mut wanted: Vec<String> = vec![outcome.to_string()];
    wanted.extend(regressors.iter().cloned());
    for t in fe_terms.iter().chain(&cluster_terms) {
        wanted.extend(t.0.iter().cloned());
    }
    wanted.extend(offset.map(str::to_string));
    wanted.extend(weights.map(str::to_string));
    let mut unique: Vec<&str> = Vec::new();
    for w in &wanted {
        if !unique.contains(&w.as_str()) {
            unique.push(w);
        }
    }
    let table = read_table(py, data, &unique)?;
    let fe_names: Vec<String> = fe_terms.iter().map(Term::name).collect();
    let fit = crate::detached(py, || -> Result<PpmlFit> {
        let mut d = PpmlData::new(outcome, numbers(&table, outcome, "outcome")?)?;
        for r in &regressors {
            d = d.with_regressor(r.clone(), numbers(&table, r, "regressor")?)?;
        }
        for t in &fe_terms {
            d = d.with_fixed_effect(t.factor(&table)?)?;
        }
        for t in &cluster_terms {
            d = d.with_cluster(t.factor(&table)?)?;
        }
        if let Some(o) = offset {
            d = d.with_offset(numbers(&table, o, "offset")?)?;
        }
        if let Some(w) = weights {
            d = d.with_weights(numbers(&table, w, "weights")?)?;
        }
        if !intercept {
            d = d.without_intercept();
        }
        Ok(ppml(&d, &options)?)
    })?;
    Ok(PyPpmlResult { fit, regressors, fixed_effects: fe_names })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPpmlResult>()?;
    m.add_function(wrap_pyfunction!(ppml_py, m)?)?;
    Ok(())
}
