//! Kernels for `benchmarks/compare.py`: the Rust side of the side-by-side benchmarks, with the timing taken in
//! Rust around the kernel call only (inputs are converted before the clock starts, results after it stops) and
//! the GIL released meanwhile.
//!
//! These functions are not part of the public API (their names start with `bench_`, and `tradewar/__init__.py`
//! does not re-export them). Large columns travel as native-endian `bytes` (`numpy.ndarray.tobytes()` on the way
//! in, `numpy.frombuffer` on the way out), so this crate needs neither numpy nor the buffer protocol (which the
//! abi3-py310 limited API lacks). Every malformed input is a `ValidationError`; nothing here panics.

use std::collections::HashMap;
use std::time::Instant;

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use rust_decimal::Decimal;
use tradewar_core::{parse_date, CustomsLines, Economy, HsCode, Percent};
use tradewar_models::gravity::{GegravityConfig, GegravityModel};
use tradewar_models::smart::{smart, smart_par, SmartElasticities, SmartFlows};

use crate::error::{invalid, Result};

/// Reads a native-endian `float64` column from `bytes`.
fn f64_column(name: &str, data: &[u8]) -> Result<Vec<f64>> {
    if !data.len().is_multiple_of(8) {
        return Err(invalid(format!("{name}: {} bytes is not a whole number of float64 values", data.len())));
    }
    Ok(data.chunks_exact(8).map(|c| f64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect())
}

/// Reads a native-endian `uint32` column from `bytes`.
fn u32_column(name: &str, data: &[u8]) -> Result<Vec<u32>> {
    if !data.len().is_multiple_of(4) {
        return Err(invalid(format!("{name}: {} bytes is not a whole number of uint32 values", data.len())));
    }
    Ok(data.chunks_exact(4).map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]])).collect())
}

fn f64_bytes<'py>(py: Python<'py>, values: &[f64]) -> Bound<'py, PyBytes> {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    PyBytes::new(py, &raw)
}

fn i64_bytes<'py>(py: Python<'py>, values: &[i64]) -> Bound<'py, PyBytes> {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    PyBytes::new(py, &raw)
}

/// `gegravity`'s `OneSectorGE` in tradewar's formulation: builds the model (solving the baseline resistances),
/// then runs the counterfactual with the new cost terms, timing the two phases apart.
///
/// `cost_terms_*` are `t_ij^(1-sigma)`, `N x N` exporter-major in the order of `countries`.
/// Returns a dict: `seconds_baseline`, `seconds_counterfactual`, iterations and residuals, `countries`, one list
/// per country column (gegravity's `country_results` and `country_mr_terms`), and the bilateral columns
/// `baseline_trade`, `experiment_trade`, `trade_change_pct` (exporter-major).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn bench_gegravity(
    py: Python<'_>,
    countries: Vec<String>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
    cost_terms_baseline: Vec<f64>,
    cost_terms_counterfactual: Vec<f64>,
    sigma: f64,
    reference: String,
) -> Result<Bound<'_, PyDict>> {
    let config = GegravityConfig::new(sigma, reference);
    let (model, results, t_base, t_cf) = crate::detached(py, || -> Result<_> {
        let start = Instant::now();
        let model = GegravityModel::new(&countries, &output, &expenditure, &cost_terms_baseline, &config)?;
        let t_base = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let results = model.simulate(&cost_terms_counterfactual)?;
        let t_cf = start.elapsed().as_secs_f64();
        Ok((model, results, t_base, t_cf))
    })?;
    let d = PyDict::new(py);
    d.set_item("seconds_baseline", t_base)?;
    d.set_item("seconds_counterfactual", t_cf)?;
    d.set_item("baseline_iterations", model.baseline_iterations())?;
    d.set_item("baseline_residual", model.baseline_residual())?;
    d.set_item("counterfactual_iterations", results.iterations)?;
    d.set_item("counterfactual_residual", results.residual)?;
    let c = &results.countries;
    d.set_item("countries", c.iter().map(|r| r.country.clone()).collect::<Vec<_>>())?;
    for (name, get) in crate::gegravity::COUNTRY_COLUMNS {
        d.set_item(name, c.iter().map(get).collect::<Vec<f64>>())?;
    }
    let b = &results.bilateral;
    d.set_item("baseline_trade", b.iter().map(|p| p.baseline_trade).collect::<Vec<f64>>())?;
    d.set_item("experiment_trade", b.iter().map(|p| p.experiment_trade).collect::<Vec<f64>>())?;
    d.set_item("trade_change_pct", b.iter().map(|p| p.trade_change_pct).collect::<Vec<f64>>())?;
    Ok(d)
}

/// SMART over columnar flows given as native-endian bytes (`market`, `partner`: uint32; the rest float64;
/// `e_m`, `e_x`, `sigma` one value per market), run `repeats` times (`smart_par` when `parallel`).
///
/// Returns a dict: `seconds` (one per run, each the kernel call alone, result allocation included) and the
/// per-flow result columns of the last run as float64 bytes: `trade_creation`, `trade_diversion`,
/// `imports_after`, `revenue_change`, `harberger_welfare_gain`, `world_price_change`.
#[pyfunction]
#[pyo3(signature = (market, partner, imports, t0, t1, e_m, e_x, sigma, *, parallel = false, repeats = 1))]
#[allow(clippy::too_many_arguments)]
fn bench_smart<'py>(
    py: Python<'py>,
    market: &[u8],
    partner: &[u8],
    imports: &[u8],
    t0: &[u8],
    t1: &[u8],
    e_m: &[u8],
    e_x: &[u8],
    sigma: &[u8],
    parallel: bool,
    repeats: usize,
) -> Result<Bound<'py, PyDict>> {
    if repeats == 0 {
        return Err(invalid("repeats must be at least 1"));
    }
    let flows = SmartFlows {
        market: u32_column("market", market)?,
        partner: u32_column("partner", partner)?,
        imports: f64_column("imports", imports)?,
        tariff_before: f64_column("t0", t0)?,
        tariff_after: f64_column("t1", t1)?,
    };
    let (e_m, e_x, sigma) = (f64_column("e_m", e_m)?, f64_column("e_x", e_x)?, f64_column("sigma", sigma)?);
    if e_x.len() != e_m.len() || sigma.len() != e_m.len() {
        return Err(invalid(format!(
            "e_m, e_x and sigma must have one value per market: got {}, {} and {}",
            e_m.len(),
            e_x.len(),
            sigma.len()
        )));
    }
    let elasticities: Vec<SmartElasticities> =
        e_m.iter().zip(&e_x).zip(&sigma).map(|((&m, &x), &s)| SmartElasticities::new(m, x, s)).collect();
    let (seconds, results) = crate::detached(py, || -> Result<_> {
        let mut seconds = Vec::with_capacity(repeats);
        let mut last = None;
        for _ in 0..repeats {
            // Drop the previous results before timing the next run, so each run allocates fresh memory.
            drop(last.take());
            let start = Instant::now();
            let r = if parallel { smart_par(&flows, &elasticities, &[]) } else { smart(&flows, &elasticities, &[]) }?;
            seconds.push(start.elapsed().as_secs_f64());
            last = Some(r);
        }
        Ok((seconds, last))
    })?;
    let results = results.ok_or_else(|| invalid("no run"))?;
    let f = &results.flows;
    let d = PyDict::new(py);
    d.set_item("seconds", seconds)?;
    d.set_item("rows", flows.len())?;
    d.set_item("trade_creation", f64_bytes(py, &f.trade_creation))?;
    d.set_item("trade_diversion", f64_bytes(py, &f.trade_diversion))?;
    d.set_item("imports_after", f64_bytes(py, &f.imports_after))?;
    d.set_item("revenue_change", f64_bytes(py, &f.revenue_change))?;
    d.set_item("harberger_welfare_gain", f64_bytes(py, &f.harberger_welfare_gain))?;
    d.set_item("world_price_change", f64_bytes(py, &f.world_price_change))?;
    Ok(d)
}

/// Marks a total whose trade is stopped (ban or prohibitive duty) in `total_micro_pct`.
const STOPPED: i64 = i64::MIN;

/// A percentage as an exact integer number of millionths of a percentage point.
fn micro_pct(p: Option<Percent>) -> Option<i64> {
    let Some(p) = p else { return Some(STOPPED) };
    let scaled = p.value().checked_mul(Decimal::from(1_000_000))?;
    if !scaled.fract().is_zero() {
        return None;
    }
    i64::try_from(scaled).ok()
}

/// The 2018-2020 schedule's bulk query (`Schedule::bulk_totals`) on customs lines from `exporter` into
/// `importer`: `lines` are national line codes (`"01012100"`), `dates` ISO dates, one per line. The schedule is
/// built and the strings parsed before the clock starts; each of the `repeats` runs times `bulk_totals` alone.
///
/// Returns a dict: `seconds` (one per run) and `total_micro_pct`, int64 bytes of the total ad valorem duty of
/// each line in millionths of a percentage point (exact; `-2**63` where trade is stopped).
#[pyfunction]
#[pyo3(signature = (importer, exporter, lines, dates, *, repeats = 1))]
fn bench_schedule_bulk<'py>(
    py: Python<'py>,
    importer: &str,
    exporter: &str,
    lines: Vec<String>,
    dates: Vec<String>,
    repeats: usize,
) -> Result<Bound<'py, PyDict>> {
    if repeats == 0 {
        return Err(invalid("repeats must be at least 1"));
    }
    if lines.len() != dates.len() {
        return Err(invalid(format!("{} lines but {} dates", lines.len(), dates.len())));
    }
    let importer: Economy = importer.parse()?;
    let exporter: Economy = exporter.parse()?;
    let mut codes: HashMap<&str, HsCode> = HashMap::new();
    let mut days: HashMap<&str, NaiveDate> = HashMap::new();
    let mut table = CustomsLines::default();
    for (line, date) in lines.iter().zip(&dates) {
        let code = match codes.get(line.as_str()) {
            Some(c) => *c,
            None => *codes.entry(line.as_str()).or_insert(line.parse::<HsCode>()?),
        };
        let day = match days.get(date.as_str()) {
            Some(d) => *d,
            None => *days.entry(date.as_str()).or_insert(parse_date(date)?),
        };
        table.push(importer, exporter, code, day);
    }
    let schedule = crate::detached(py, tradewar_data::us_china_2018::schedule)?;
    let (seconds, totals) = crate::detached(py, || -> tradewar_core::Result<_> {
        let mut seconds = Vec::with_capacity(repeats);
        let mut last = Vec::new();
        for _ in 0..repeats {
            drop(std::mem::take(&mut last));
            let start = Instant::now();
            let totals = schedule.bulk_totals(&table)?;
            seconds.push(start.elapsed().as_secs_f64());
            last = totals;
        }
        Ok((seconds, last))
    })?;
    let mut micro = Vec::with_capacity(totals.len());
    for (i, t) in totals.iter().enumerate() {
        let v = micro_pct(*t).ok_or_else(|| {
            invalid(format!(
                "line {} on {}: total {:?} is not a whole number of millionths of a percent",
                lines[i], dates[i], t
            ))
        })?;
        micro.push(v);
    }
    let d = PyDict::new(py);
    d.set_item("seconds", seconds)?;
    d.set_item("total_micro_pct", i64_bytes(py, &micro))?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bench_gegravity, m)?)?;
    m.add_function(wrap_pyfunction!(bench_smart, m)?)?;
    m.add_function(wrap_pyfunction!(bench_schedule_bulk, m)?)?;
    Ok(())
}
