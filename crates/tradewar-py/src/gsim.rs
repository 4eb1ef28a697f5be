//! GSIM on a world of regions from Python: `GsimWorld` (region codes, trade and tariff factors, the diagonal
//! allowed: an aggregate such as the EU trading with itself) and `GsimResults` (what `GsimModel.run_world`
//! finds, in either form: world and import price changes, surplus, revenue, welfare, new trade).
//!
//! Bilateral policy data (`TradeMatrix`, schedules) keep refusing an economy paired with itself; a GSIM world
//! is model data, where `EU -> EU` is one more source of the EU's imports.

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use serde::{Deserialize, Serialize};
use tradewar_models::gravity::economy_code;
use tradewar_models::gsim::{
    gsim, BilateralMatrix, GsimBaseline, GsimElasticities, GsimForm, GsimOptions, GsimOutcome,
};

use crate::convert::{arg, each_named, float_arg, py_str_repr, shown, str_arg, type_error};
use crate::error::{invalid, Result};
use crate::estimation::read_table;
use crate::table::{Column, PyTable, TableData};

/// The form of GSIM named in Python: "levels" or "linear".
pub(crate) fn form_arg(text: &str) -> Result<GsimForm> {
    match text {
        "levels" => Ok(GsimForm::Levels),
        "linear" => Ok(GsimForm::Linear),
        other => Err(invalid(format!(
            "form: expected \"levels\" (constant elasticities, exact for any shock) or \"linear\" (Francois & \
             Hall's percentage-change form), got {:?}",
            tradewar_core::excerpt(other)
        ))),
    }
}

/// The Python name of a form.
pub(crate) fn form_name(form: GsimForm) -> &'static str {
    match form {
        GsimForm::Levels => "levels",
        GsimForm::Linear => "linear",
    }
}

/// A checked world: region codes (upper case, unique), trade at world prices and tariff power factors.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    regions: Vec<String>,
    trade: BilateralMatrix,
    tariffs: BilateralMatrix,
}

impl World {
    fn new(regions: Vec<String>, trade: Vec<f64>, tariffs: Vec<f64>) -> Result<Self> {
        let n = regions.len();
        let matrix = |values: Vec<f64>, what: &str| {
            BilateralMatrix::from_values(n, values)
                .map_err(|e| invalid(format!("{what}: {e} (one value per pair of the {n} regions)")))
        };
        let (trade, tariffs) = (matrix(trade, "trade")?, matrix(tariffs, "tariff_factors")?);
        // The kernel's checks: codes, trade finite and not negative, factors finite and positive.
        let base = GsimBaseline::new(regions, trade, tariffs, vec![GsimElasticities::CANONICAL; n])?;
        Ok(Self { regions: base.regions, trade: base.trade, tariffs: base.tariffs })
    }

    fn n(&self) -> usize {
        self.regions.len()
    }

    fn baseline(&self, elasticities: GsimElasticities) -> GsimBaseline {
        GsimBaseline {
            regions: self.regions.clone(),
            trade: self.trade.clone(),
            tariffs: self.tariffs.clone(),
            elasticities: vec![elasticities; self.n()],
        }
    }

    fn position(&self, code: &str, what: &str) -> Result<usize> {
        let c = economy_code(code).map_err(|e| invalid(format!("{what}: {e}")))?;
        self.regions.iter().position(|r| *r == c).ok_or_else(|| {
            invalid(format!("{what}: region {c:?} is not in the GSIM world ({})", self.regions.join(", ")))
        })
    }

    fn rows(m: &BilateralMatrix) -> Vec<Vec<f64>> {
        (0..m.size()).map(|r| m.row(r).to_vec()).collect()
    }
}

/// An `N x N` matrix of numbers: `N` rows of `N` (lists, tuples, numpy rows; a 2-D numpy array), or one flat
/// row-major list of `N * N`. Each value goes through `float_arg`, named with its pair.
fn matrix_arg(v: &Bound<'_, PyAny>, regions: &[String], what: &str) -> Result<Vec<f64>> {
    let n = regions.len();
    let py = v.py();
    let items: Vec<Bound<'_, PyAny>> =
        each_named(v, what, |x| Ok(x.clone().unbind()))?.into_iter().map(|x| x.into_bound(py)).collect();
    let is_row = |x: &Bound<'_, PyAny>| x.hasattr("__iter__").unwrap_or(false);
    if items.len() == n * n && !items.iter().any(is_row) {
        return items
            .iter()
            .enumerate()
            .map(|(k, x)| float_arg(x, &format!("{what}[{k}] ({}->{})", regions[k / n], regions[k % n])))
            .collect();
    }
    if items.len() != n {
        return Err(invalid(format!(
            "{what}: expected {n} rows of {n} values (the regions {}), or a flat list of {}; got {} items",
            regions.join(", "),
            n * n,
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(n * n);
    for (i, row) in items.iter().enumerate() {
        let mut j = 0;
        let values = each_named(row, &format!("{what}[{i}]"), |x| {
            let name = format!("{what}[{i}][{j}] ({}->{})", regions[i], regions.get(j).map_or("?", String::as_str));
            j += 1;
            float_arg(x, &name)
        })?;
        if values.len() != n {
            return Err(invalid(format!("{what}[{i}] ({}): expected {n} values, got {}", regions[i], values.len())));
        }
        out.extend(values);
    }
    Ok(out)
}

/// The tariff factors after a shock: a full matrix, or a dict `{(exporter, importer): factor}` of the pairs that
/// change (the others keep the world's).
fn factors_after(world: &World, v: &Bound<'_, PyAny>) -> Result<BilateralMatrix> {
    const WHAT: &str = "tariff_factors";
    let Ok(changes) = v.cast::<PyDict>() else {
        let values = matrix_arg(v, &world.regions, WHAT)?;
        return BilateralMatrix::from_values(world.n(), values).map_err(|e| invalid(format!("{WHAT}: {e}")));
    };
    let mut after = world.tariffs.clone();
    let mut seen: HashMap<(usize, usize), String> = HashMap::new();
    for (key, value) in changes.iter() {
        let pair =
            key.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(|| {
                type_error(format!("{WHAT}: keys are (exporter, importer) pairs, got {}", shown(&key)))
            })?;
        let exporter = str_arg(&pair.get_item(0)?, &format!("{WHAT}: exporter of {}", shown(&key)))?;
        let importer = str_arg(&pair.get_item(1)?, &format!("{WHAT}: importer of {}", shown(&key)))?;
        let (r, c) = (world.position(&exporter, WHAT)?, world.position(&importer, WHAT)?);
        let name = format!("{WHAT}[({:?}, {:?})]", world.regions[r], world.regions[c]);
        if let Some(first) = seen.insert((r, c), name.clone()) {
            return Err(invalid(format!("{WHAT}: the pair {first} is given twice (codes are case-insensitive)")));
        }
        after.set(r, c, float_arg(&value, &name)?);
    }
    Ok(after)
}

/// A world of regions for GSIM: region codes (1 to 16 letters, digits, `-` or `_`: countries or aggregates such
/// as `EU` or `RW`), trade at world prices between them (rows exporters, columns importers) and tariffs as power
/// factors `1 + t` (1.25 for 25 %). The diagonal is allowed: `trade[EU][EU]` is trade within the EU (or domestic
/// sales), with its own factor (1.0 inside a customs union).
#[pyclass(frozen, eq, name = "GsimWorld", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyGsimWorld(pub Arc<World>);

#[pymethods]
impl PyGsimWorld {
    /// A world from its region codes and two `N x N` matrices (lists of rows, 2-D numpy arrays, or flat row-major
    /// lists): `trade[i][j]` sold by `regions[i]` to `regions[j]` at world prices (finite, not negative) and
    /// `tariff_factors[i][j]` the power factor of `regions[j]`'s tariff on it (finite and positive).
    #[new]
    fn new(regions: &Bound<'_, PyAny>, trade: &Bound<'_, PyAny>, tariff_factors: &Bound<'_, PyAny>) -> Result<Self> {
        let mut k = 0;
        let regions = each_named(regions, "regions", |x| {
            let code = str_arg(x, &format!("regions[{k}]"));
            k += 1;
            code
        })?;
        let trade = matrix_arg(trade, &regions, "trade")?;
        let factors = matrix_arg(tariff_factors, &regions, "tariff_factors")?;
        Ok(Self(Arc::new(World::new(regions, trade, factors)?)))
    }

    /// A world from a table with one row per pair (a pandas or polars DataFrame, an Arrow table, a `Table`, a dict
    /// of columns or a CSV path): exporter and importer codes, trade and tariff factor. Regions are the codes
    /// found, sorted; a pair without a row has no trade (and factor 1.0); a pair on two rows is refused.
    #[staticmethod]
    #[pyo3(signature = (data, *, exporter = "exporter".to_string(), importer = "importer".to_string(), trade = "trade".to_string(), tariff_factor = "tariff_factor".to_string()), text_signature = "(data, *, exporter='exporter', importer='importer', trade='trade', tariff_factor='tariff_factor')")]
    fn from_table(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::exporter_column)] exporter: String,
        #[pyo3(from_py_with = arg::importer_column)] importer: String,
        #[pyo3(from_py_with = arg::trade_column)] trade: String,
        #[pyo3(from_py_with = arg::tariff_factor_column)] tariff_factor: String,
    ) -> Result<Self> {
        let table = read_table(py, data, &[&exporter, &importer, &trade, &tariff_factor])?;
        let (e, i) = (codes(&table, &exporter)?, codes(&table, &importer)?);
        let (t, f) = (numbers(&table, &trade)?, numbers(&table, &tariff_factor)?);
        let mut regions: Vec<String> = e.iter().chain(&i).cloned().collect();
        regions.sort_unstable();
        regions.dedup();
        let n = regions.len();
        let at = |c: &String| regions.binary_search(c).unwrap_or(0);
        let (mut values, mut factors) = (vec![0.0; n * n], vec![1.0; n * n]);
        let mut first: HashMap<usize, usize> = HashMap::new();
        for row in 0..e.len() {
            let k = at(&e[row]) * n + at(&i[row]);
            if let Some(earlier) = first.insert(k, row) {
                return Err(invalid(format!(
                    "data: the pair {}->{} is on rows {earlier} and {row} (one row per pair)",
                    e[row], i[row]
                )));
            }
            (values[k], factors[k]) = (t[row], f[row]);
        }
        Ok(Self(Arc::new(World::new(regions, values, factors)?)))
    }

    /// The region codes, in matrix order.
    #[getter]
    fn regions(&self) -> Vec<String> {
        self.0.regions.clone()
    }
    /// Trade at world prices as `N` rows of `N` (exporter rows).
    #[getter]
    fn trade(&self) -> Vec<Vec<f64>> {
        World::rows(&self.0.trade)
    }
    /// Tariff power factors `1 + t` as `N` rows of `N`.
    #[getter]
    fn tariff_factors(&self) -> Vec<Vec<f64>> {
        World::rows(&self.0.tariffs)
    }
    /// One row per pair: exporter, importer, trade, tariff_factor (what `from_table` reads back).
    fn flows(&self) -> PyTable {
        let (w, n) = (&self.0, self.0.n());
        let pairs = || (0..n * n).map(move |k| (k / n, k % n));
        PyTable(
            TableData::new("gsim_world")
                .with("exporter", Column::Str(pairs().map(|(r, _)| w.regions[r].clone()).collect()))
                .with("importer", Column::Str(pairs().map(|(_, v)| w.regions[v].clone()).collect()))
                .with("trade", Column::Float(w.trade.values().to_vec()))
                .with("tariff_factor", Column::Float(w.tariffs.values().to_vec())),
        )
    }
    fn __len__(&self) -> usize {
        self.0.n()
    }
    /// Whether the region (a code, in any case) is in the world; False for anything but a string.
    fn __contains__(&self, code: &Bound<'_, PyAny>) -> bool {
        code.cast::<PyString>().is_ok_and(|s| self.0.position(&s.to_string(), "code").is_ok())
    }
    /// Evaluates back to an equal world.
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let codes = self.0.regions.iter().map(|c| py_str_repr(py, c)).collect::<PyResult<Vec<_>>>()?.join(", ");
        Ok(format!("GsimWorld([{codes}], {}, {})", rows_repr(&self.0.trade), rows_repr(&self.0.tariffs)))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let args =
            (self.regions(), self.0.trade.values().to_vec(), self.0.tariffs.values().to_vec()).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

fn rows_repr(m: &BilateralMatrix) -> String {
    let rows: Vec<String> = (0..m.size())
        .map(|r| format!("[{}]", m.row(r).iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("[{}]", rows.join(", "))
}

fn kind_name(c: &Column) -> &'static str {
    match c {
        Column::Str(_) => "strings",
        Column::Int(_) => "integers",
        Column::Float(_) => "floats",
        Column::Decimal(_) => "decimals",
        Column::Date(_) => "dates",
        Column::Bool(_) => "flags",
    }
}

fn column<'a>(table: &'a TableData, name: &str) -> Result<&'a Column> {
    table.columns.iter().find(|c| c.0 == name).map(|c| &c.1).ok_or_else(|| invalid(format!("missing column {name:?}")))
}

fn codes(table: &TableData, name: &str) -> Result<Vec<String>> {
    match column(table, name)? {
        Column::Str(v) => v
            .iter()
            .enumerate()
            .map(|(row, c)| economy_code(c).map_err(|e| invalid(format!("column {name:?}, row {row}: {e}"))))
            .collect(),
        other => Err(invalid(format!("column {name:?} must hold region codes (strings), not {}", kind_name(other)))),
    }
}

fn numbers(table: &TableData, name: &str) -> Result<Vec<f64>> {
    let bad = |row: usize, what: String| invalid(format!("column {name:?}, row {row}: {what}"));
    match column(table, name)? {
        Column::Float(v) => Ok(v.clone()),
        Column::Int(v) => Ok(v.iter().map(|&x| x as f64).collect()),
        Column::Decimal(v) => v
            .iter()
            .enumerate()
            .map(|(row, d)| {
                let d = d.ok_or_else(|| bad(row, "missing value".into()))?;
                d.to_string().parse::<f64>().map_err(|_| bad(row, format!("{d} is not a number")))
            })
            .collect(),
        Column::Str(v) => v
            .iter()
            .enumerate()
            .map(|(row, s)| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(row, format!("{:?} is not a number", tradewar_core::excerpt(s))))
            })
            .collect(),
        other => Err(invalid(format!("column {name:?} must hold numbers, not {}", kind_name(other)))),
    }
}

/// Runs GSIM on a world (`GsimModel.run_world`): the model's elasticities for every region, its form.
pub(crate) fn run_world(
    py: Python<'_>,
    elasticities: GsimElasticities,
    form: GsimForm,
    world: &PyGsimWorld,
    tariff_factors: &Bound<'_, PyAny>,
) -> Result<PyGsimResults> {
    let after = factors_after(&world.0, tariff_factors)?;
    let base = world.0.baseline(elasticities);
    let options = GsimOptions { form, ..GsimOptions::default() };
    let outcome = crate::detached(py, || gsim(&base, &after, &options))?;
    let results = PyGsimResults { world: world.clone(), after, outcome };
    results.warn_negative(py)?;
    Ok(results)
}

/// What `GsimModel.run_world` finds on a `GsimWorld`. Price changes are in percent; money in the units of the
/// world's trade. Consumer surplus is that of each region's composite import demand, producer surplus that of its
/// export supply, tariff revenue its own; welfare is their sum (a gain positive).
#[pyclass(frozen, name = "GsimResults", module = "tradewar")]
#[derive(Clone)]
pub struct PyGsimResults {
    world: PyGsimWorld,
    after: BilateralMatrix,
    outcome: GsimOutcome,
}

/// The JSON form of `GsimResults`: the world, the factors after and the kernel's outcome (re-validated on reading).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultsState {
    regions: Vec<String>,
    trade: BilateralMatrix,
    tariff_factors: BilateralMatrix,
    tariff_factors_after: BilateralMatrix,
    outcome: GsimOutcome,
}

impl PyGsimResults {
    fn warn_negative(&self, py: Python<'_>) -> Result<()> {
        let o = &self.outcome;
        if let Some(&(r, v)) = o.negative_flows.first() {
            let message = format!(
                "GSIM percentage-change form: {} flow(s) fall below zero (first {}->{}: {}); the first-order \
                 approximation is outside its range, so these numbers are not meaningful: solve the levels form \
                 (GsimModel(form=\"levels\"))",
                o.negative_flows.len(),
                o.regions[r],
                o.regions[v],
                o.trade_after.get(r, v)
            );
            crate::caveats::warn(py, "ApproximationWarning", &message)?;
        }
        Ok(())
    }

    fn state(&self) -> ResultsState {
        let w = &self.world.0;
        ResultsState {
            regions: w.regions.clone(),
            trade: w.trade.clone(),
            tariff_factors: w.tariffs.clone(),
            tariff_factors_after: self.after.clone(),
            outcome: self.outcome.clone(),
        }
    }
}

#[pymethods]
impl PyGsimResults {
    /// The region codes, in the world's order.
    #[getter]
    fn regions(&self) -> Vec<String> {
        self.outcome.regions.clone()
    }
    /// The form solved: "levels" or "linear".
    #[getter]
    fn form(&self) -> &'static str {
        form_name(self.outcome.form)
    }
    /// Newton iterations and the largest market-clearing residual at the solution.
    #[getter]
    fn convergence(&self) -> (usize, f64) {
        (self.outcome.iterations, self.outcome.residual)
    }
    /// The baseline world.
    #[getter]
    fn world(&self) -> PyGsimWorld {
        self.world.clone()
    }
    /// The tariff power factors after the shock, as `N` rows of `N`.
    #[getter]
    fn tariff_factors(&self) -> Vec<Vec<f64>> {
        World::rows(&self.after)
    }
    /// The pairs `(exporter, importer)` whose new trade is below zero: the percentage-change form outside its
    /// range (an `ApproximationWarning` was issued); always empty in the levels form.
    #[getter]
    fn negative_flows(&self) -> Vec<(String, String)> {
        let r = &self.outcome.regions;
        self.outcome.negative_flows.iter().map(|&(a, b)| (r[a].clone(), r[b].clone())).collect()
    }
    /// One row per region: the change of its world (export, tariff-exclusive) price and of its composite import
    /// price index (tariff inclusive), percent (NaN where it exports, or imports, nothing); exports and imports at
    /// world prices before and after; the changes of consumer surplus, producer surplus and tariff revenue, and
    /// welfare (their sum).
    #[getter]
    fn by_region(&self) -> PyTable {
        let (o, w, n) = (&self.outcome, &self.world.0, self.world.0.n());
        let exports = |m: &BilateralMatrix| (0..n).map(|r| m.row(r).iter().sum()).collect::<Vec<f64>>();
        let imports = |m: &BilateralMatrix| (0..n).map(|v| (0..n).map(|r| m.get(r, v)).sum()).collect::<Vec<f64>>();
        let (x0, m0) = (exports(&w.trade), imports(&w.trade));
        let pct = |traded: &[f64], change: &[f64]| {
            traded.iter().zip(change).map(|(&t, &c)| if t > 0.0 { 100.0 * c } else { f64::NAN }).collect()
        };
        PyTable(
            TableData::new("gsim_regions")
                .with("region", Column::Str(o.regions.clone()))
                .with("world_price_change_pct", Column::Float(pct(&x0, &o.world_price_change)))
                .with("import_price_change_pct", Column::Float(pct(&m0, &o.import_price_index_change)))
                .with("exports_before", Column::Float(x0.clone()))
                .with("exports_after", Column::Float(exports(&o.trade_after)))
                .with("imports_before", Column::Float(m0.clone()))
                .with("imports_after", Column::Float(imports(&o.trade_after)))
                .with("consumer_surplus_change", Column::Float(o.consumer_surplus_change.clone()))
                .with("producer_surplus_change", Column::Float(o.producer_surplus_change.clone()))
                .with("tariff_revenue_change", Column::Float(o.tariff_revenue_change.clone()))
                .with("welfare_gain", Column::Float(o.welfare_gain.clone())),
        )
    }
    /// One row per pair (the diagonal included): trade at world prices before and after, the volume after (at
    /// baseline world prices), the change of trade (percent; NaN where there was none), the change of the internal
    /// (tariff-inclusive) price of the exporter's product in the importer (percent), the tariff factors before and
    /// after.
    #[getter]
    fn by_pair(&self) -> PyTable {
        let (o, w, n) = (&self.outcome, &self.world.0, self.world.0.n());
        let pairs = || (0..n * n).map(move |k| (k / n, k % n));
        let before = w.trade.values();
        let after = o.trade_after.values();
        let change =
            before.iter().zip(after).map(|(&b, &a)| if b > 0.0 { 100.0 * (a / b - 1.0) } else { f64::NAN }).collect();
        PyTable(
            TableData::new("gsim_pairs")
                .with("exporter", Column::Str(pairs().map(|(r, _)| o.regions[r].clone()).collect()))
                .with("importer", Column::Str(pairs().map(|(_, v)| o.regions[v].clone()).collect()))
                .with("trade_before", Column::Float(before.to_vec()))
                .with("trade_after", Column::Float(after.to_vec()))
                .with("volume_after", Column::Float(o.trade_volume_after.values().to_vec()))
                .with("trade_change_pct", Column::Float(change))
                .with(
                    "internal_price_change_pct",
                    Column::Float(o.internal_price_change.values().iter().map(|c| 100.0 * c).collect()),
                )
                .with("tariff_factor_before", Column::Float(w.tariffs.values().to_vec()))
                .with("tariff_factor_after", Column::Float(self.after.values().to_vec())),
        )
    }
    /// The JSON form (the world, the factors after, every result), which `from_json` reads back.
    fn to_json(&self) -> Result<String> {
        crate::convert::to_json(&self.state())
    }
    /// Results from `to_json` text: the world re-validated as its constructor does, every vector and matrix of the
    /// world's size.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let s: ResultsState = crate::convert::from_json(&text, "GSIM results")?;
        let n = s.regions.len();
        let world = World::new(s.regions, s.trade.values().to_vec(), s.tariff_factors.values().to_vec())?;
        if s.tariff_factors_after.size() != n {
            return Err(invalid(format!("invalid GSIM results: tariff_factors_after is not {n} x {n}")));
        }
        if let Some(t) = s.tariff_factors_after.values().iter().find(|t| !(t.is_finite() && **t > 0.0)) {
            return Err(invalid(format!("invalid GSIM results: tariff factor after {t} is not finite and positive")));
        }
        if s.outcome.regions != world.regions {
            return Err(invalid("invalid GSIM results: the outcome's regions are not the world's"));
        }
        Ok(Self { world: PyGsimWorld(Arc::new(world)), after: s.tariff_factors_after, outcome: s.outcome })
    }
    /// Equal when every number is the same.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> Result<bool> {
        match other.cast::<Self>() {
            Ok(o) => Ok(self.to_json()? == o.get().to_json()?),
            Err(_) => Ok(false),
        }
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("GsimResults.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGsimWorld>()?;
    m.add_class::<PyGsimResults>()
}
