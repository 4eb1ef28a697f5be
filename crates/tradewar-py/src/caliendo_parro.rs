//! Caliendo and Parro's multi-sector general equilibrium with input–output
//! links: the world (the embedded 1993 world of 31 regions and 40 sectors,
//! or your own), counterfactual tariffs in, tables out, the model on
//! scenarios, and Monte Carlo draws of the trade elasticities.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use tradewar_core::Economy;
use tradewar_data::cp2015;
use tradewar_models::caliendo_parro::monte_carlo::{run_theta_sweep, theta_sweep};
use tradewar_models::caliendo_parro::{
    CaliendoParroModel, CommitmentHandling, CpAccounts, CpCoefficients, CpResults, CpSolverOptions, CpWorld,
    CpWorldOptions, Deficits, SectorConcordance, SectorShock, TariffCube,
};
use tradewar_models::Model;

use crate::convert::{each, economy_arg, type_name};
use crate::error::{invalid, Result};
use crate::models::{PyOutcome, PyScenario};
use crate::table::{Column, PyTable, TableData};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// Where a world came from: the embedded one, or coefficients given in Python (kept to pickle it).
#[derive(Clone, Debug, PartialEq)]
enum Origin {
    Embedded,
    Given,
}

/// A Caliendo–Parro world: regions, sectors, trade flows at factory prices,
/// tariffs, input–output coefficients, value-added and final-demand shares,
/// labour income, deficits and trade elasticities θ.
///
/// `CaliendoParroWorld.cp2015()` is Caliendo and Parro's 1993 world (31
/// regions, 40 sectors; the data of the `cp2015` R package, MIT), embedded.
/// `from_accounts` and `from_coefficients` build your own; every bad cell is
/// a `ModelInputError` that names it.
#[pyclass(frozen, name = "CaliendoParroWorld", module = "tradewar")]
#[derive(Clone)]
pub struct PyCpWorld {
    world: Arc<CpWorld>,
    origin: Origin,
}

fn embedded_world() -> Result<Arc<CpWorld>> {
    static CELL: OnceLock<std::result::Result<Arc<CpWorld>, String>> = OnceLock::new();
    let w = CELL.get_or_init(|| {
        let d = cp2015::embedded().map_err(|e| e.to_string())?;
        CpWorld::from_accounts(
            CpAccounts {
                regions: d.regions.clone(),
                sectors: d.sectors.clone(),
                trade: d.trade.clone(),
                tariffs: d.tariffs_1993.clone(),
                intermediate: d.intermediate.clone(),
                value_added: d.value_added.clone(),
                final_demand: d.final_demand.clone(),
                deficits: d.deficits.clone(),
                theta: d.theta.clone(),
            },
            CpWorldOptions::published_data(),
        )
        .and_then(|w| w.with_economies(d.economies.clone()))
        .map(Arc::new)
        .map_err(|e| e.to_string())
    });
    w.clone().map_err(|e| invalid(format!("the embedded Caliendo-Parro world: {e}")))
}

/// Numbers from a flat or nested sequence (lists, tuples, numpy arrays), flattened row-major.
fn floats(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<f64>> {
    fn walk(v: &Bound<'_, PyAny>, what: &str, out: &mut Vec<f64>) -> Result<()> {
        if let Ok(x) = v.extract::<f64>() {
            if v.is_instance_of::<pyo3::types::PyBool>() {
                return Err(invalid(format!("{what}: expected numbers, got a bool")));
            }
            out.push(x);
            return Ok(());
        }
        if v.is_instance_of::<pyo3::types::PyString>() {
            return Err(invalid(format!("{what}: expected numbers, got a string")));
        }
        let items = v.try_iter().map_err(|_| invalid(format!("{what}: expected numbers, got {}", type_name(v))))?;
        for item in items {
            walk(&item?, what, out)?;
        }
        Ok(())
    }
    // numpy arrays and the like: one conversion to nested lists, then plain extraction.
    let source =
        if v.hasattr("tolist")? && !v.is_instance_of::<PyList>() { v.call_method0("tolist")? } else { v.clone() };
    let mut out = Vec::new();
    walk(&source, what, &mut out)?;
    Ok(out)
}

fn names(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<String>> {
    each(v, |x| x.extract::<String>().map_err(|_| invalid(format!("{what}: expected strings, got {}", type_name(x)))))
}

fn deficits_arg(s: &str) -> Result<Deficits> {
    match s {
        "held" => Ok(Deficits::Held),
        "zero" => Ok(Deficits::Zero),
        _ => Err(invalid(format!("deficits must be \"held\" or \"zero\", got {s:?}"))),
    }
}

fn deficits_name(d: Deficits) -> &'static str {
    match d {
        Deficits::Held => "held",
        Deficits::Zero => "zero",
    }
}

fn options(tolerance: f64, max_iterations: usize, threads: bool) -> CpSolverOptions {
    CpSolverOptions { tolerance, max_iterations, parallel: threads, ..CpSolverOptions::default() }
}

/// A column of a table by name, with its kind checked.
fn column<'a>(t: &'a TableData, name: &str) -> Result<&'a Column> {
    t.columns.iter().find(|c| c.0 == name).map(|c| &c.1).ok_or_else(|| {
        let have: Vec<&str> = t.columns.iter().map(|c| c.0.as_str()).collect();
        invalid(format!("the tariff table has no column {name:?} (it has: {})", have.join(", ")))
    })
}

fn text_column<'a>(t: &'a TableData, name: &str) -> Result<&'a [String]> {
    match column(t, name)? {
        Column::Str(v) => Ok(v),
        _ => Err(invalid(format!("column {name:?} of the tariff table must hold strings"))),
    }
}

fn number_column(t: &TableData, name: &str) -> Result<Vec<f64>> {
    use rust_decimal::prelude::ToPrimitive;
    Ok(match column(t, name)? {
        Column::Float(v) => v.clone(),
        Column::Int(v) => v.iter().map(|x| *x as f64).collect(),
        Column::Decimal(v) => v.iter().map(|x| x.and_then(|d| d.to_f64()).unwrap_or(f64::NAN)).collect(),
        _ => return Err(invalid(format!("column {name:?} of the tariff table must hold numbers"))),
    })
}

impl PyCpWorld {
    /// The world's tariffs with the rows of `table` (importer, exporter, sector, tariff) set.
    fn cube(&self, py: Python<'_>, table: &Bound<'_, PyAny>) -> Result<TariffCube> {
        let t = if let Ok(t) = table.cast::<PyTable>() {
            t.get().0.clone()
        } else {
            let stream = crate::arrow::read_stream(table)?;
            crate::detached(py, || crate::arrow::table_from_stream(&stream, Some("tariffs")))?
        };
        let (imp, exp, sec) = (text_column(&t, "importer")?, text_column(&t, "exporter")?, text_column(&t, "sector")?);
        let tariff = number_column(&t, "tariff")?;
        let w = &self.world;
        // Names and codes to indexes once, not per row (a full cube has tens of thousands of rows).
        let mut regions: HashMap<&str, usize> = w.regions().iter().enumerate().map(|(k, r)| (r.as_str(), k)).collect();
        if let Some(codes) = w.economies() {
            regions.extend(codes.iter().enumerate().map(|(k, e)| (e.as_str(), k)));
        }
        let sectors: HashMap<&str, usize> = w.sectors().iter().enumerate().map(|(k, s)| (s.as_str(), k)).collect();
        let mut cube = w.tariffs();
        for k in 0..tariff.len() {
            let place = || format!("row {k} of the tariff table");
            let find = |map: &HashMap<&str, usize>,
                        name: &str,
                        check: fn(&CpWorld, &str) -> tradewar_models::Result<usize>| {
                map.get(name)
                    .copied()
                    .map_or_else(|| check(w, name), Ok)
                    .map_err(|e| crate::error::located(e, &place()))
            };
            let m = find(&regions, &imp[k], CpWorld::region_index)?;
            let e = find(&regions, &exp[k], CpWorld::region_index)?;
            let s = find(&sectors, &sec[k], CpWorld::sector_index)?;
            cube.set(m, e, s, tariff[k]).map_err(|e| crate::error::located(e, &place()))?;
        }
        Ok(cube)
    }

    fn cube_table(&self, name: &str, values: &[f64]) -> PyTable {
        let w = &self.world;
        let (n, j) = (w.regions_len(), w.sectors_len());
        let (mut imp, mut exp, mut sec, mut tariff) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for s in 0..j {
            if !w.is_traded(s) {
                continue;
            }
            for m in 0..n {
                for e in 0..n {
                    if m != e {
                        imp.push(w.regions()[m].clone());
                        exp.push(w.regions()[e].clone());
                        sec.push(w.sectors()[s].clone());
                        tariff.push(values[(s * n + m) * n + e]);
                    }
                }
            }
        }
        PyTable(
            TableData::new(name)
                .with("importer", Column::Str(imp))
                .with("exporter", Column::Str(exp))
                .with("sector", Column::Str(sec))
                .with("tariff", Column::Float(tariff)),
        )
    }
}

#[pymethods]
impl PyCpWorld {
    /// Caliendo and Parro's 1993 world (embedded): 31 regions (ISO codes, `ROW` for the rest of the world),
    /// 20 traded and 20 non-traded sectors, 1993 tariffs. One input-output coefficient is negative
    /// (−0.00057, as published); it is kept and listed in `flags`.
    #[staticmethod]
    fn cp2015() -> Result<Self> {
        Ok(Self { world: embedded_world()?, origin: Origin::Embedded })
    }

    /// A world from national-accounts levels. Arrays are flat or nested, in these orders: `trade` and
    /// `tariffs` [sector][importer][exporter] (flows at factory prices, tariffs as fractions); `intermediate`
    /// [region][user sector][input sector] (purchases, tariffs included); `value_added` and `final_demand`
    /// [region][sector]; `deficits` [region]; `theta` [sector].
    #[staticmethod]
    #[pyo3(signature = (regions, sectors, *, trade, tariffs, intermediate, value_added, final_demand, deficits, theta, economies = None, negative_io_tolerance = 0.0))]
    #[allow(clippy::too_many_arguments)]
    fn from_accounts(
        py: Python<'_>,
        regions: &Bound<'_, PyAny>,
        sectors: &Bound<'_, PyAny>,
        trade: &Bound<'_, PyAny>,
        tariffs: &Bound<'_, PyAny>,
        intermediate: &Bound<'_, PyAny>,
        value_added: &Bound<'_, PyAny>,
        final_demand: &Bound<'_, PyAny>,
        deficits: &Bound<'_, PyAny>,
        theta: &Bound<'_, PyAny>,
        economies: Option<&Bound<'_, PyAny>>,
        negative_io_tolerance: f64,
    ) -> Result<Self> {
        let a = CpAccounts {
            regions: names(regions, "regions")?,
            sectors: names(sectors, "sectors")?,
            trade: floats(trade, "trade")?,
            tariffs: floats(tariffs, "tariffs")?,
            intermediate: floats(intermediate, "intermediate")?,
            value_added: floats(value_added, "value_added")?,
            final_demand: floats(final_demand, "final_demand")?,
            deficits: floats(deficits, "deficits")?,
            theta: floats(theta, "theta")?,
        };
        let economies = economies.map(|e| each(e, economy_arg)).transpose()?;
        let options = CpWorldOptions { negative_io_tolerance, ..CpWorldOptions::default() };
        let w = crate::detached(py, || -> Result<CpWorld> {
            let w = CpWorld::from_accounts(a, options)?;
            Ok(match economies {
                Some(e) => w.with_economies(e)?,
                None => w,
            })
        })?;
        Ok(Self { world: Arc::new(w), origin: Origin::Given })
    }

    /// A world from coefficients: `io` [region][user sector][input sector] (share of each input in the
    /// user's gross output), `value_added_share` and `final_share` [region][sector], `labour_income` [region],
    /// with `trade`, `tariffs`, `deficits` and `theta` as in `from_accounts`.
    #[staticmethod]
    #[pyo3(signature = (regions, sectors, *, trade, tariffs, io, value_added_share, final_share, labour_income, deficits, theta, economies = None, negative_io_tolerance = 0.0))]
    #[allow(clippy::too_many_arguments)]
    fn from_coefficients(
        py: Python<'_>,
        regions: &Bound<'_, PyAny>,
        sectors: &Bound<'_, PyAny>,
        trade: &Bound<'_, PyAny>,
        tariffs: &Bound<'_, PyAny>,
        io: &Bound<'_, PyAny>,
        value_added_share: &Bound<'_, PyAny>,
        final_share: &Bound<'_, PyAny>,
        labour_income: &Bound<'_, PyAny>,
        deficits: &Bound<'_, PyAny>,
        theta: &Bound<'_, PyAny>,
        economies: Option<&Bound<'_, PyAny>>,
        negative_io_tolerance: f64,
    ) -> Result<Self> {
        let c = CpCoefficients {
            regions: names(regions, "regions")?,
            sectors: names(sectors, "sectors")?,
            trade: floats(trade, "trade")?,
            tariffs: floats(tariffs, "tariffs")?,
            io: floats(io, "io")?,
            value_added_share: floats(value_added_share, "value_added_share")?,
            final_share: floats(final_share, "final_share")?,
            labour_income: floats(labour_income, "labour_income")?,
            deficits: floats(deficits, "deficits")?,
            theta: floats(theta, "theta")?,
        };
        let economies = economies.map(|e| each(e, economy_arg)).transpose()?;
        let options = CpWorldOptions { negative_io_tolerance, ..CpWorldOptions::default() };
        let w = crate::detached(py, || -> Result<CpWorld> {
            let w = CpWorld::from_coefficients(c, options)?;
            Ok(match economies {
                Some(e) => w.with_economies(e)?,
                None => w,
            })
        })?;
        Ok(Self { world: Arc::new(w), origin: Origin::Given })
    }

    /// Region names, in model order.
    #[getter]
    fn regions(&self) -> Vec<String> {
        self.world.regions().to_vec()
    }
    /// Sector names, in model order.
    #[getter]
    fn sectors(&self) -> Vec<String> {
        self.world.sectors().to_vec()
    }
    /// Economy codes of the regions, or None.
    #[getter]
    fn economies(&self) -> Option<Vec<String>> {
        self.world.economies().map(|e| e.iter().map(ToString::to_string).collect())
    }
    /// Trade elasticities θ by sector.
    #[getter]
    fn theta(&self) -> Vec<f64> {
        self.world.theta().to_vec()
    }
    /// Sectors traded between regions in the baseline.
    #[getter]
    fn traded_sectors(&self) -> Vec<String> {
        (0..self.world.sectors_len())
            .filter(|&s| self.world.is_traded(s))
            .map(|s| self.world.sectors()[s].clone())
            .collect()
    }
    /// Data issues accepted (e.g. a negative input-output coefficient kept as published).
    #[getter]
    fn flags(&self) -> Vec<String> {
        self.world.flags().to_vec()
    }
    /// The coefficients, as `from_coefficients` takes them (flat lists), in a dict.
    fn coefficients<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let w = &self.world;
        let d = PyDict::new(py);
        d.set_item("regions", w.regions())?;
        d.set_item("sectors", w.sectors())?;
        d.set_item("trade", w.trade())?;
        d.set_item("tariffs", w.tariffs().values())?;
        d.set_item("io", w.io_coefficients())?;
        d.set_item("value_added_share", w.value_added_shares())?;
        d.set_item("final_share", w.final_shares())?;
        d.set_item("labour_income", w.labour_income())?;
        d.set_item("deficits", w.deficits())?;
        d.set_item("theta", w.theta())?;
        d.set_item("economies", self.economies())?;
        d.set_item("negative_io_tolerance", w.options().negative_io_tolerance)?;
        Ok(d)
    }
    /// The baseline tariffs of traded sectors between different regions: importer, exporter, sector, tariff.
    fn tariffs(&self) -> PyTable {
        self.cube_table("tariffs", self.world.tariffs().values())
    }
    /// Caliendo and Parro's NAFTA counterfactual (embedded world only): 2005 tariffs among Canada, Mexico
    /// and the USA, 1993 tariffs elsewhere, as a table for `counterfactual`.
    fn nafta_2005_tariffs(&self) -> Result<PyTable> {
        if self.origin != Origin::Embedded {
            return Err(invalid("nafta_2005_tariffs belongs to the embedded world (CaliendoParroWorld.cp2015())"));
        }
        Ok(self.cube_table("nafta_2005_tariffs", &cp2015::embedded()?.tariffs_nafta_2005))
    }
    /// Solves the baseline (the world's own tariffs) and the counterfactual of `tariffs` (a table with
    /// importer, exporter, sector, tariff: a DataFrame, an Arrow stream or a Table; regions by name or
    /// economy code; cells not listed keep the baseline) and compares them. The GIL is released.
    #[pyo3(signature = (tariffs, *, deficits = "held", tolerance = 1e-12, max_iterations = 2000, threads = true))]
    fn counterfactual(
        &self,
        py: Python<'_>,
        tariffs: &Bound<'_, PyAny>,
        deficits: &str,
        tolerance: f64,
        max_iterations: usize,
        threads: bool,
    ) -> Result<PyCpResults> {
        let deficits = deficits_arg(deficits)?;
        let cube = self.cube(py, tariffs)?;
        let w = Arc::clone(&self.world);
        let o = options(tolerance, max_iterations, threads);
        let r = crate::detached(py, move || tradewar_models::caliendo_parro::counterfactual(&w, &cube, deficits, &o))?;
        Ok(PyCpResults(Arc::new(r)))
    }
    /// Monte Carlo over θ: `draws` draws, sector j from a normal with mean θ_j and standard deviation
    /// `sd[j]` (a list, or one number: a share of each θ, e.g. 0.2), seeded; each draw solves its own
    /// baseline and counterfactual, draws in parallel. Returns (welfare, theta): long tables of draw,
    /// region, welfare_pct and of draw, sector, theta. A draw with θ ≤ 0 is an error naming the sector.
    #[pyo3(signature = (tariffs, *, sd, draws, seed = 0, deficits = "held", tolerance = 1e-12))]
    #[allow(clippy::too_many_arguments)]
    fn theta_monte_carlo(
        &self,
        py: Python<'_>,
        tariffs: &Bound<'_, PyAny>,
        sd: &Bound<'_, PyAny>,
        draws: usize,
        seed: u64,
        deficits: &str,
        tolerance: f64,
    ) -> Result<(PyTable, PyTable)> {
        let deficits = deficits_arg(deficits)?;
        let cube = self.cube(py, tariffs)?;
        let w = Arc::clone(&self.world);
        let sd: Vec<f64> = match sd.extract::<f64>() {
            Ok(share) => w.theta().iter().map(|t| share * t).collect(),
            Err(_) => floats(sd, "sd")?,
        };
        let o = options(tolerance, 2000, false);
        let result = crate::detached(py, move || {
            let sweep = theta_sweep(&w, &sd, draws, seed)?;
            run_theta_sweep(&w, &cube, deficits, &o, &sweep)
        })?;
        let (n, j) = (self.world.regions_len(), self.world.sectors_len());
        let (mut d1, mut region, mut welfare) = (Vec::new(), Vec::new(), Vec::new());
        for (k, row) in result.outputs.iter().enumerate() {
            for (r, v) in row.iter().enumerate().take(n) {
                d1.push(k as i64);
                region.push(self.world.regions()[r].clone());
                welfare.push(*v);
            }
        }
        let (mut d2, mut sector, mut theta) = (Vec::new(), Vec::new(), Vec::new());
        for (k, row) in result.params.iter().enumerate() {
            for (s, v) in row.iter().enumerate().take(j) {
                d2.push(k as i64);
                sector.push(self.world.sectors()[s].clone());
                theta.push(*v);
            }
        }
        Ok((
            PyTable(
                TableData::new("theta_monte_carlo_welfare")
                    .with("draw", Column::Int(d1))
                    .with("region", Column::Str(region))
                    .with("welfare_pct", Column::Float(welfare)),
            ),
            PyTable(
                TableData::new("theta_monte_carlo_theta")
                    .with("draw", Column::Int(d2))
                    .with("sector", Column::Str(sector))
                    .with("theta", Column::Float(theta)),
            ),
        ))
    }
    fn __len__(&self) -> usize {
        self.world.regions_len()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| *o.get().world == *self.world)
    }
    pub fn __repr__(&self) -> String {
        match self.origin {
            Origin::Embedded => "CaliendoParroWorld.cp2015()".to_string(),
            // Too many numbers to print back; `coefficients()` holds them all (and pickling uses it).
            Origin::Given => format!(
                "<CaliendoParroWorld: {} regions x {} sectors, from given data>",
                self.world.regions_len(),
                self.world.sectors_len()
            ),
        }
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        let me = slf.get();
        if me.origin == Origin::Embedded {
            return Ok((py.get_type::<Self>().getattr("cp2015")?, PyTuple::empty(py)));
        }
        Ok((py.import("tradewar._pickle")?.getattr("caliendo_parro_world")?, PyTuple::new(py, [me.coefficients(py)?])?))
    }
}

/// A counterfactual against its baseline: welfare and its decomposition, real wages, prices, input costs,
/// output, trade and tariff revenue, as tables. Changes are `100 · (counterfactual / baseline − 1)`.
#[pyclass(frozen, name = "CaliendoParroResults", module = "tradewar")]
pub struct PyCpResults(Arc<CpResults>);

fn index_of(names: &[String], economies: Option<&[Economy]>, name: &str, kind: &'static str) -> Result<usize> {
    names
        .iter()
        .position(|r| r == name)
        .or_else(|| economies.and_then(|e| e.iter().position(|x| x.as_str() == name)))
        .ok_or_else(|| {
            crate::error::Error::Model(tradewar_models::ModelError::UnknownName {
                kind,
                name: name.to_string(),
                known: names.join(", "),
            })
        })
}

#[pymethods]
impl PyCpResults {
    /// Region names.
    #[getter]
    fn regions(&self) -> Vec<String> {
        self.0.regions.clone()
    }
    /// Sector names.
    #[getter]
    fn sectors(&self) -> Vec<String> {
        self.0.sectors.clone()
    }
    /// "held" or "zero".
    #[getter]
    fn deficits(&self) -> &'static str {
        deficits_name(self.0.deficits)
    }
    /// How the two solves converged: iterations (wage, price, spending) and residuals.
    #[getter]
    fn convergence<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, c) in
            [("baseline", self.0.baseline_convergence), ("counterfactual", self.0.counterfactual_convergence)]
        {
            let e = PyDict::new(py);
            e.set_item("wage_iterations", c.wage_iterations)?;
            e.set_item("price_iterations", c.price_iterations)?;
            e.set_item("expenditure_iterations", c.expenditure_iterations)?;
            e.set_item("wage_residual", c.wage_residual)?;
            e.set_item("equation_residual", c.equation_residual)?;
            d.set_item(name, e)?;
        }
        Ok(d)
    }
    /// By region: terms of trade, volume of trade and welfare (percent of baseline income), real wage,
    /// real income, nominal wage and consumer prices (percent), income and tariff revenue before and after.
    fn welfare(&self) -> PyTable {
        let r = &self.0;
        PyTable(
            TableData::new("caliendo_parro_welfare")
                .with("region", Column::Str(r.regions.clone()))
                .with("terms_of_trade_pct", Column::Float(r.terms_of_trade_pct.clone()))
                .with("volume_of_trade_pct", Column::Float(r.volume_of_trade_pct.clone()))
                .with("welfare_pct", Column::Float(r.welfare_pct.clone()))
                .with("real_wage_pct", Column::Float(r.real_wage_pct.clone()))
                .with("real_income_pct", Column::Float(r.real_income_pct.clone()))
                .with("wage_pct", Column::Float(r.wage_pct.clone()))
                .with("price_index_pct", Column::Float(r.price_index_pct.clone()))
                .with("income_baseline", Column::Float(r.income_baseline.clone()))
                .with("income_counterfactual", Column::Float(r.income_counterfactual.clone()))
                .with("revenue_baseline", Column::Float(r.revenue_baseline.clone()))
                .with("revenue_counterfactual", Column::Float(r.revenue_counterfactual.clone())),
        )
    }
    /// The welfare decomposition by region, partner and sector (percent of the region's income); rows where
    /// both parts are zero are left out.
    fn decomposition(&self) -> PyTable {
        let r = &self.0;
        let (n, j) = (r.regions.len(), r.sectors.len());
        let (mut reg, mut par, mut sec, mut tot, mut vot) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for a in 0..n {
            for p in 0..n {
                for s in 0..j {
                    let k = (s * n + a) * n + p;
                    let (t, v) = (r.terms_of_trade_by_partner[k], r.volume_of_trade_by_partner[k]);
                    if t != 0.0 || v != 0.0 {
                        reg.push(r.regions[a].clone());
                        par.push(r.regions[p].clone());
                        sec.push(r.sectors[s].clone());
                        tot.push(t);
                        vot.push(v);
                    }
                }
            }
        }
        PyTable(
            TableData::new("caliendo_parro_decomposition")
                .with("region", Column::Str(reg))
                .with("partner", Column::Str(par))
                .with("sector", Column::Str(sec))
                .with("terms_of_trade_pct", Column::Float(tot))
                .with("volume_of_trade_pct", Column::Float(vot)),
        )
    }
    /// By region and sector: unit cost, sector price and input-cost changes (percent; the input-cost change is
    /// the part of the unit cost that comes through intermediate inputs), gross output before and after.
    fn by_sector(&self) -> PyTable {
        let r = &self.0;
        let (n, j) = (r.regions.len(), r.sectors.len());
        let (mut reg, mut sec) = (Vec::new(), Vec::new());
        let (mut cost, mut price, mut input, mut ob, mut oc, mut op) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for a in 0..n {
            for s in 0..j {
                let k = s * n + a;
                reg.push(r.regions[a].clone());
                sec.push(r.sectors[s].clone());
                cost.push(r.cost_pct[k]);
                price.push(r.price_pct[k]);
                input.push(r.input_cost_pct[k]);
                ob.push(r.output_baseline[k]);
                oc.push(r.output_counterfactual[k]);
                op.push(r.output_pct(a, s));
            }
        }
        PyTable(
            TableData::new("caliendo_parro_sectors")
                .with("region", Column::Str(reg))
                .with("sector", Column::Str(sec))
                .with("cost_pct", Column::Float(cost))
                .with("price_pct", Column::Float(price))
                .with("input_cost_pct", Column::Float(input))
                .with("output_baseline", Column::Float(ob))
                .with("output_counterfactual", Column::Float(oc))
                .with("output_pct", Column::Float(op)),
        )
    }
    /// Trade at factory prices by importer, exporter and sector (between different regions, traded in the
    /// baseline), with the tariffs before and after.
    fn trade(&self) -> PyTable {
        let r = &self.0;
        let (n, j) = (r.regions.len(), r.sectors.len());
        let (mut imp, mut exp, mut sec) = (Vec::new(), Vec::new(), Vec::new());
        let (mut tb, mut tc, mut vb, mut vc, mut ch) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for s in 0..j {
            for m in 0..n {
                for e in 0..n {
                    let k = (s * n + m) * n + e;
                    if m == e || r.trade_baseline[k] <= 0.0 {
                        continue;
                    }
                    imp.push(r.regions[m].clone());
                    exp.push(r.regions[e].clone());
                    sec.push(r.sectors[s].clone());
                    tb.push(r.tariffs_baseline[k]);
                    tc.push(r.tariffs_counterfactual[k]);
                    vb.push(r.trade_baseline[k]);
                    vc.push(r.trade_counterfactual[k]);
                    ch.push((r.trade_counterfactual[k] / r.trade_baseline[k] - 1.0) * 100.0);
                }
            }
        }
        PyTable(
            TableData::new("caliendo_parro_trade")
                .with("importer", Column::Str(imp))
                .with("exporter", Column::Str(exp))
                .with("sector", Column::Str(sec))
                .with("tariff_baseline", Column::Float(tb))
                .with("tariff_counterfactual", Column::Float(tc))
                .with("trade_baseline", Column::Float(vb))
                .with("trade_counterfactual", Column::Float(vc))
                .with("change_pct", Column::Float(ch)),
        )
    }
    /// Percent change of `importer`'s imports from `exporters`, summed over `sectors` (all when None).
    #[pyo3(signature = (importer, exporters, sectors = None))]
    fn imports_change_pct(&self, importer: &str, exporters: Vec<String>, sectors: Option<Vec<String>>) -> Result<f64> {
        let r = &self.0;
        let m = index_of(&r.regions, None, importer, "region")?;
        let e: Vec<usize> = exporters.iter().map(|x| index_of(&r.regions, None, x, "region")).collect::<Result<_>>()?;
        let s: Option<Vec<usize>> = sectors
            .map(|v| v.iter().map(|x| index_of(&r.sectors, None, x, "sector")).collect::<Result<_>>())
            .transpose()?;
        Ok(r.imports_change_pct(m, &e, s.as_deref()))
    }
    /// The region table as text.
    fn summary(&self) -> String {
        self.0.to_string()
    }
    /// Every number as JSON, which `from_json` reads back.
    fn to_json(&self) -> Result<String> {
        crate::convert::to_json(&*self.0)
    }
    /// Results from `to_json` text.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(Arc::new(crate::convert::from_json(text, "Caliendo-Parro results")?)))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| *o.get().0 == *self.0)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
    fn __str__(&self) -> String {
        self.0.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "<CaliendoParroResults: {} regions, {} sectors, deficits {}>",
            self.0.regions.len(),
            self.0.sectors.len(),
            deficits_name(self.0.deficits)
        )
    }
}

/// Caliendo and Parro's model on scenarios: the world's baseline solved once; each scenario's tariff changes
/// mapped from HS6 products to the world's sectors (the embedded concordance, or `concordance`: a table with
/// hs6, sector), trade-weighted on the scenario's trade, and added to the world's tariffs. Purchase
/// commitments are refused unless `commitments="leave_out"`; bans on products are refused.
#[pyclass(frozen, name = "CaliendoParroModel", module = "tradewar")]
pub struct PyCpModel {
    model: Arc<CaliendoParroModel>,
    world: PyCpWorld,
    deficits: Deficits,
    commitments: &'static str,
    /// The concordance given (None: the embedded one), kept to pickle the model.
    concordance: Option<PyTable>,
}

#[pymethods]
impl PyCpModel {
    #[new]
    #[pyo3(signature = (world = None, *, deficits = "held", commitments = "refuse", concordance = None))]
    fn new(
        py: Python<'_>,
        world: Option<PyCpWorld>,
        deficits: &str,
        commitments: &str,
        concordance: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let world = match world {
            Some(w) => w,
            None => PyCpWorld::cp2015()?,
        };
        let deficits = deficits_arg(deficits)?;
        let (handling, name) = match commitments {
            "refuse" => (CommitmentHandling::Refuse, "refuse"),
            "leave_out" => (CommitmentHandling::LeaveOut, "leave_out"),
            other => return Err(invalid(format!("commitments must be \"refuse\" or \"leave_out\", got {other:?}"))),
        };
        let mut kept = None;
        let pairs: Vec<(tradewar_core::HsCode, String)> = match concordance {
            None => cp2015::hs6_sectors()?
                .iter()
                .filter(|r| r.revision == "HS2017")
                .map(|r| (r.code, r.sector.clone()))
                .collect(),
            Some(t) => {
                let table = if let Ok(t) = t.cast::<PyTable>() {
                    t.get().0.clone()
                } else {
                    let stream = crate::arrow::read_stream(t)?;
                    crate::arrow::table_from_stream(&stream, Some("concordance"))?
                };
                let codes = text_column(&table, "hs6")?;
                let sectors = text_column(&table, "sector")?;
                let pairs = codes
                    .iter()
                    .zip(sectors)
                    .map(|(c, s)| Ok((c.parse::<tradewar_core::HsCode>()?, s.clone())))
                    .collect::<Result<_>>()?;
                kept = Some(PyTable(
                    TableData::new("concordance")
                        .with("hs6", Column::Str(codes.to_vec()))
                        .with("sector", Column::Str(sectors.to_vec())),
                ));
                pairs
            }
        };
        let w = Arc::clone(&world.world);
        let model = crate::detached(py, move || -> Result<CaliendoParroModel> {
            let c = SectorConcordance::new(&w, pairs.iter().map(|(c, s)| (*c, s.as_str())))?;
            Ok(CaliendoParroModel::new(w, c, deficits, CpSolverOptions::default())?.with_commitments(handling))
        })?;
        Ok(Self { model: Arc::new(model), world, deficits, commitments: name, concordance: kept })
    }
    /// The model's name.
    #[getter]
    fn name(&self) -> String {
        self.model.name().to_string()
    }
    /// The world.
    #[getter]
    fn world(&self) -> PyCpWorld {
        self.world.clone()
    }
    /// "held" or "zero".
    #[getter]
    fn deficits(&self) -> &'static str {
        deficits_name(self.deficits)
    }
    /// "refuse" or "leave_out".
    #[getter]
    fn commitments(&self) -> &'static str {
        self.commitments
    }
    /// Runs a scenario: an Outcome with the scenario's flows (moved with their sector's trade in the model) and
    /// every region's welfare change (percent) in `real_income_change_pct`. The GIL is released.
    fn run(&self, py: Python<'_>, scenario: &PyScenario) -> Result<PyOutcome> {
        let (m, s) = (Arc::clone(&self.model), Arc::clone(scenario.scenario()));
        Ok(PyOutcome(Arc::new(crate::detached(py, move || m.run(&s))?)))
    }
    /// The model's full results on a scenario, and the scenario's shock by sector: (results, shock table of
    /// importer, exporter, sector, value, tariff_before, tariff_after, change, flows).
    fn results(&self, py: Python<'_>, scenario: &PyScenario) -> Result<(PyCpResults, PyTable)> {
        let (m, s) = (Arc::clone(&self.model), Arc::clone(scenario.scenario()));
        let (shock, r, _) = crate::detached(py, move || m.results(&s))?;
        Ok((PyCpResults(Arc::new(r)), shock_table(&shock)))
    }
    /// The concordance given, or None for the embedded one.
    #[getter]
    fn concordance(&self) -> Option<PyTable> {
        self.concordance.clone()
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let args = (self.world.clone(), deficits_name(self.deficits), self.commitments, self.concordance.clone());
        Ok((py.import("tradewar._pickle")?.getattr("caliendo_parro_model")?, args.into_pyobject(py)?))
    }
    fn __repr__(&self) -> String {
        format!(
            "CaliendoParroModel({}, deficits='{}', commitments='{}')",
            self.world.__repr__(),
            deficits_name(self.deficits),
            self.commitments
        )
    }
}

fn shock_table(shock: &SectorShock) -> PyTable {
    let c = &shock.cells;
    PyTable(
        TableData::new("sector_shock")
            .with("importer", Column::Str(c.iter().map(|x| x.importer.to_string()).collect()))
            .with("exporter", Column::Str(c.iter().map(|x| x.exporter.to_string()).collect()))
            .with("sector", Column::Str(c.iter().map(|x| x.sector_name.clone()).collect()))
            .with("value", Column::Float(c.iter().map(|x| x.value).collect()))
            .with("tariff_before", Column::Float(c.iter().map(|x| x.tariff_before).collect()))
            .with("tariff_after", Column::Float(c.iter().map(|x| x.tariff_after).collect()))
            .with(
                "change",
                Column::Float(c.iter().map(tradewar_models::caliendo_parro::sectors::SectorCell::change).collect()),
            )
            .with("flows", Column::Int(c.iter().map(|x| x.flows as i64).collect())),
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCpWorld>()?;
    m.add_class::<PyCpResults>()?;
    m.add_class::<PyCpModel>()?;
    Ok(())
}
