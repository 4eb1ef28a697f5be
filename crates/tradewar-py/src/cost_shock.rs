//! Trade-cost shocks for the structural gravity GE from Python: `GeShock` (a table or matrix of cost-change
//! factors for every pair, regressor changes times estimated coefficients, tariffs, bans) and `GeResults` (the
//! conditional and full-endowment equilibria of `GeModel.counterfactual`).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use tradewar_models::gravity::{
    solve_full_ge, CostChange, DeficitClosure, GeConfig, GeCountryResult, GeEquilibrium, GeResults, GeShock,
    GravityData,
};
use tradewar_models::ModelError;

use crate::convert::{each, type_name};
use crate::error::{invalid, Error, Result};
use crate::estimation::{read_table, PyPpmlResult};
use crate::table::{Column, PyTable, TableData};
use crate::world::PyGeWorld;

fn form_arg(form: &str) -> Result<CostChange> {
    match form {
        "trade_cost" => Ok(CostChange::TradeCost),
        "cost_term" => Ok(CostChange::CostTerm),
        other => Err(invalid(format!(
            "form: expected \"trade_cost\" (t'/t) or \"cost_term\" ((t'/t)^(1-sigma), e.g. exp(beta * change)), got \
             {other:?}"
        ))),
    }
}

fn code(v: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    v.extract::<String>().map_err(|_| invalid(format!("{what}: expected a country code string, got {}", type_name(v))))
}

fn position(countries: &[String], c: &str, what: &str) -> Result<usize> {
    countries
        .iter()
        .position(|x| x == c)
        .ok_or_else(|| invalid(format!("{what}: {c:?} is not a country of the GE world ({})", countries.join(", "))))
}

/// A change of trade costs for the structural gravity GE, on one world's countries (domestic pairs included).
/// Shocks are immutable: every `with_*` method returns a new shock with the change added (changes on one pair
/// compound).
#[pyclass(frozen, name = "GeShock", module = "tradewar")]
#[derive(Clone)]
pub struct PyGeShock {
    countries: Vec<String>,
    shock: GeShock,
    changes: Vec<String>,
}

#[pymethods]
impl PyGeShock {
    /// No change, on the countries of `world`.
    #[new]
    fn new(world: &PyGeWorld) -> Self {
        Self { countries: world.0.countries().to_vec(), shock: GeShock::none(world.0.len()), changes: Vec::new() }
    }
    /// A shock from a cost-change factor for every pair of `world` (domestic pairs included): an `N x N` matrix
    /// (list of rows in the world's country order), or a table (DataFrame, Arrow table, Table, dict of columns or
    /// CSV path) with `exporter`, `importer` and `factor` columns. `form` is "trade_cost" (t'/t, 0.9 = 10% lower
    /// costs) or "cost_term" ((t'/t)^(1-sigma), what estimated coefficients give). A missing pair, a pair given
    /// twice, an unknown country or a factor that is not positive and finite is an error naming it.
    #[staticmethod]
    #[pyo3(signature = (world, factors, *, form = "trade_cost", exporter = "exporter", importer = "importer", factor = "factor"))]
    fn from_factors(
        py: Python<'_>,
        world: &PyGeWorld,
        factors: &Bound<'_, PyAny>,
        form: &str,
        exporter: &str,
        importer: &str,
        factor: &str,
    ) -> Result<Self> {
        let countries = world.0.countries().to_vec();
        let form = form_arg(form)?;
        let is_matrix = factors.is_instance_of::<PyList>()
            && factors.len().unwrap_or(0) > 0
            && factors.get_item(0).is_ok_and(|r| r.is_instance_of::<PyList>() || r.is_instance_of::<PyTuple>());
        let shock = if is_matrix {
            let n = countries.len();
            let mut values = Vec::with_capacity(n * n);
            let rows: Vec<Vec<f64>> = each(factors, |row| {
                each(row, |x| {
                    x.extract::<f64>().map_err(|_| invalid(format!("factors: expected numbers, got {}", type_name(x))))
                })
            })?;
            if rows.len() != n || rows.iter().any(|r| r.len() != n) {
                return Err(invalid(format!(
                    "factors: expected {n} rows of {n} factors (the world's countries: {})",
                    countries.join(", ")
                )));
            }
            for r in rows {
                values.extend(r);
            }
            GeShock::from_factor_matrix(&countries, &values, form)?
        } else {
            let table = read_table(py, factors, &[exporter, importer, factor])?;
            let text = |name: &str| -> Result<Vec<String>> {
                match table.columns.iter().find(|c| c.0 == name).map(|c| &c.1) {
                    Some(Column::Str(v)) => Ok(v.clone()),
                    _ => Err(invalid(format!("factors: column {name:?} must hold country codes (strings)"))),
                }
            };
            let (e, i) = (text(exporter)?, text(importer)?);
            let f: Vec<f64> = match table.columns.iter().find(|c| c.0 == factor).map(|c| &c.1) {
                Some(Column::Float(v)) => v.clone(),
                Some(Column::Int(v)) => v.iter().map(|&x| x as f64).collect(),
                Some(Column::Str(v)) => v
                    .iter()
                    .enumerate()
                    .map(|(row, s)| {
                        s.parse::<f64>().map_err(|_| {
                            invalid(format!("factors: column {factor:?}, row {row}: {s:?} is not a number"))
                        })
                    })
                    .collect::<Result<_>>()?,
                _ => return Err(invalid(format!("factors: column {factor:?} must hold numbers"))),
            };
            let rows: Vec<(&str, &str, f64)> =
                e.iter().zip(&i).zip(&f).map(|((a, b), &x)| (a.as_str(), b.as_str(), x)).collect();
            GeShock::from_pair_factors(&countries, &rows, form)?
        };
        let what = match form {
            CostChange::TradeCost => "trade-cost factors t'/t",
            CostChange::CostTerm => "cost-term factors (t'/t)^(1-sigma)",
        };
        Ok(Self { countries, shock, changes: vec![format!("{what} for every pair")] })
    }
    /// Adds the change of an estimated regressor on the listed pairs: each pair's cost term is multiplied by
    /// `exp(beta * change)` (removing an RTA: change -1). `pairs` holds `(exporter, importer)` or
    /// `(exporter, importer, change)`, the change defaulting to `change` (None: -1, the regressor switched off);
    /// `beta` comes from `fit` (a `PpmlResult`) or is given as `coefficient`.
    #[pyo3(signature = (regressor, pairs, *, fit = None, coefficient = None, change = None))]
    fn with_regressor_change(
        &self,
        regressor: &str,
        pairs: &Bound<'_, PyAny>,
        fit: Option<&PyPpmlResult>,
        coefficient: Option<f64>,
        change: Option<f64>,
    ) -> Result<Self> {
        let change = change.unwrap_or(-1.0);
        let rows: Vec<(String, String, f64)> = each(pairs, |p| {
            let items: Vec<Bound<'_, PyAny>> =
                each(p, |x| Ok(x.clone().unbind()))?.into_iter().map(|x| x.into_bound(p.py())).collect();
            match items.as_slice() {
                [e, i] => Ok((code(e, "pairs")?, code(i, "pairs")?, change)),
                [e, i, d] => Ok((
                    code(e, "pairs")?,
                    code(i, "pairs")?,
                    d.extract::<f64>().map_err(|_| invalid("pairs: the change must be a number"))?,
                )),
                _ => Err(invalid("pairs: expected (exporter, importer) or (exporter, importer, change) items")),
            }
        })?;
        let mut next = self.clone();
        match (fit, coefficient) {
            (Some(f), None) => next.shock.add_estimated_change(&self.countries, f.fit(), regressor, &rows)?,
            (None, Some(beta)) => next.shock.add_regressor_change(&self.countries, regressor, beta, &rows)?,
            _ => return Err(invalid("with_regressor_change: give exactly one of fit= and coefficient=")),
        }
        next.changes.push(format!("{regressor} changed on {} pair(s)", rows.len()));
        Ok(next)
    }
    /// Multiplies one pair's trade-cost factor by `factor` (t'/t; 0.9 = 10% lower).
    fn with_cost_change(&self, exporter: &str, importer: &str, factor: f64) -> Result<Self> {
        let (a, b) =
            (position(&self.countries, exporter, "exporter")?, position(&self.countries, importer, "importer")?);
        let mut next = self.clone();
        next.shock.set_cost_factor_change(a, b, factor)?;
        next.changes.push(format!("cost {exporter}->{importer} x{factor}"));
        Ok(next)
    }
    /// Sets an ad valorem duty of `importer` on goods from `exporter`, before and after, as fractions
    /// (0.25 = 25%).
    #[pyo3(signature = (exporter, importer, *, before, after))]
    fn with_tariff(&self, exporter: &str, importer: &str, before: f64, after: f64) -> Result<Self> {
        let (a, b) =
            (position(&self.countries, exporter, "exporter")?, position(&self.countries, importer, "importer")?);
        let mut next = self.clone();
        next.shock.set_tariff(a, b, before, after)?;
        next.changes.push(format!("tariff {exporter}->{importer} {before} -> {after}"));
        Ok(next)
    }
    /// Bans `exporter`'s sales to `importer` (a prohibitive cost).
    fn with_ban(&self, exporter: &str, importer: &str) -> Result<Self> {
        let (a, b) =
            (position(&self.countries, exporter, "exporter")?, position(&self.countries, importer, "importer")?);
        let mut next = self.clone();
        next.shock.ban(a, b)?;
        next.changes.push(format!("ban {exporter}->{importer}"));
        Ok(next)
    }
    /// The world's countries, in order.
    #[getter]
    fn countries(&self) -> Vec<String> {
        self.countries.clone()
    }
    /// What the shock holds, one line per change.
    #[getter]
    fn changes(&self) -> Vec<String> {
        self.changes.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "<GeShock on {} countries: {}>",
            self.countries.len(),
            if self.changes.is_empty() { "no change".to_string() } else { self.changes.join("; ") }
        )
    }
}

fn countries_table(name: &str, eq: &GeEquilibrium) -> PyTable {
    let c = &eq.countries;
    let col = |f: fn(&GeCountryResult) -> f64| Column::Float(c.iter().map(f).collect());
    PyTable(
        TableData::new(name)
            .with("country", Column::Str(c.iter().map(|x| x.country.clone()).collect()))
            .with("real_gdp_change_pct", col(|x| x.real_gdp_change_pct))
            .with("welfare_gain_pct", col(|x| x.welfare_gain_pct))
            .with("factory_gate_price_change_pct", col(|x| x.factory_gate_price_change_pct))
            .with("imr_change_pct", col(|x| x.imr_change_pct))
            .with("omr_change_pct", col(|x| x.omr_change_pct))
            .with("output_change_pct", col(|x| x.output_change_pct))
            .with("expenditure_change_pct", col(|x| x.expenditure_change_pct))
            .with("foreign_exports_change_pct", col(|x| x.foreign_exports_change_pct))
            .with("foreign_imports_change_pct", col(|x| x.foreign_imports_change_pct))
            .with("intranational_trade_change_pct", col(|x| x.intranational_trade_change_pct))
            .with("baseline_output", col(|x| x.baseline_output))
            .with("output", col(|x| x.output))
            .with("baseline_expenditure", col(|x| x.baseline_expenditure))
            .with("expenditure", col(|x| x.expenditure))
            .with("tariff_revenue", col(|x| x.tariff_revenue))
            .with("deficit", col(|x| x.deficit)),
    )
}

fn pairs_table(name: &str, eq: &GeEquilibrium, countries: &[String]) -> PyTable {
    let p = &eq.pairs;
    PyTable(
        TableData::new(name)
            .with("exporter", Column::Str(p.iter().map(|x| countries[x.exporter].clone()).collect()))
            .with("importer", Column::Str(p.iter().map(|x| countries[x.importer].clone()).collect()))
            .with("baseline_flow", Column::Float(p.iter().map(|x| x.baseline_flow).collect()))
            .with("flow", Column::Float(p.iter().map(|x| x.flow).collect()))
            .with("change_pct", Column::Float(p.iter().map(|x| x.change_pct).collect()))
            .with("tariff_revenue", Column::Float(p.iter().map(|x| x.tariff_revenue).collect())),
    )
}

/// The conditional and full-endowment equilibria of a trade-cost shock. Every `*_change_pct` is
/// `100 * (counterfactual / baseline - 1)`: a gain or a rise is positive. Real GDP is `Y/P` (output over the
/// consumer price index, the inward resistance), as in Yotov et al. (2016); the effect of the baseline's policy
/// relative to the counterfactual, as the book tabulates it, is `100 * (100 / (100 + change) - 1)`.
#[pyclass(frozen, name = "GeResults", module = "tradewar")]
pub struct PyGeResults {
    countries: Vec<String>,
    results: GeResults,
}

impl PyGeResults {
    fn conditional_eq(&self) -> Result<&GeEquilibrium> {
        self.results.conditional.as_ref().map_err(|e: &ModelError| Error::from(e.clone()))
    }
}

#[pymethods]
impl PyGeResults {
    /// Per-country results of the full-endowment equilibrium (prices, output and spending adjust).
    #[getter]
    fn full(&self) -> PyTable {
        countries_table("ge_full", &self.results.full)
    }
    /// Per-country results of the conditional equilibrium (output and spending fixed; only the multilateral
    /// resistances adjust). Raises the reason when it does not exist (a ban can leave an exporter no market).
    #[getter]
    fn conditional(&self) -> Result<PyTable> {
        Ok(countries_table("ge_conditional", self.conditional_eq()?))
    }
    /// Per-pair flows of the full equilibrium (exporter-major).
    #[getter]
    fn full_pairs(&self) -> PyTable {
        pairs_table("ge_full_pairs", &self.results.full, &self.countries)
    }
    /// Per-pair flows of the conditional equilibrium.
    #[getter]
    fn conditional_pairs(&self) -> Result<PyTable> {
        Ok(pairs_table("ge_conditional_pairs", self.conditional_eq()?, &self.countries))
    }
    /// Fixed-point iterations and the largest violation of market clearing, full equilibrium.
    #[getter]
    fn convergence(&self) -> (usize, f64) {
        (self.results.full.iterations, self.results.full.residual)
    }
    /// One country's results as a dict (`equilibrium` "full" or "conditional").
    #[pyo3(signature = (code, equilibrium = "full"))]
    fn country<'py>(&self, py: Python<'py>, code: &str, equilibrium: &str) -> Result<Bound<'py, PyDict>> {
        let eq = match equilibrium {
            "full" => &self.results.full,
            "conditional" => self.conditional_eq()?,
            other => return Err(invalid(format!("equilibrium: expected \"full\" or \"conditional\", got {other:?}"))),
        };
        let c = eq.country(code).ok_or_else(|| invalid(format!("{code:?} is not a country of the GE world")))?;
        let d = PyDict::new(py);
        d.set_item("country", &c.country)?;
        for (k, v) in [
            ("real_gdp_change_pct", c.real_gdp_change_pct),
            ("welfare_gain_pct", c.welfare_gain_pct),
            ("factory_gate_price_change_pct", c.factory_gate_price_change_pct),
            ("imr_change_pct", c.imr_change_pct),
            ("omr_change_pct", c.omr_change_pct),
            ("output_change_pct", c.output_change_pct),
            ("expenditure_change_pct", c.expenditure_change_pct),
            ("foreign_exports_change_pct", c.foreign_exports_change_pct),
            ("foreign_imports_change_pct", c.foreign_imports_change_pct),
            ("intranational_trade_change_pct", c.intranational_trade_change_pct),
        ] {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "<GeResults on {} countries: full equilibrium in {} iterations (residual {:.1e}), conditional {}>",
            self.countries.len(),
            self.results.full.iterations,
            self.results.full.residual,
            if self.results.conditional.is_ok() { "solved" } else { "does not exist" }
        )
    }
}

/// Solves the conditional and full-endowment GE of `shock` on `world` (the body of `GeModel.counterfactual`).
pub(crate) fn counterfactual(
    py: Python<'_>,
    world: &GravityData,
    sigma: f64,
    reference: &str,
    rebate: bool,
    shock: &PyGeShock,
    deficits: &str,
) -> Result<PyGeResults> {
    if shock.countries != world.countries() {
        return Err(invalid(format!(
            "shock: built on another world ({} countries) than the model's ({} countries); build it with \
             GeShock(model.world)",
            shock.countries.len(),
            world.len()
        )));
    }
    let r = world.index_of(reference).ok_or_else(|| invalid(format!("reference {reference:?} is not in the world")))?;
    let mut config = GeConfig::new(sigma, r);
    config.rebate_tariff_revenue = rebate;
    config.deficits = match deficits {
        "ratio" => DeficitClosure::ExpenditureRatio,
        "nominal" => DeficitClosure::NominalDeficit,
        other => return Err(invalid(format!("deficits: expected \"ratio\" or \"nominal\", got {other:?}"))),
    };
    let results = crate::detached(py, || solve_full_ge(world, &shock.shock, &config))?;
    Ok(PyGeResults { countries: world.countries().to_vec(), results })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGeShock>()?;
    m.add_class::<PyGeResults>()?;
    Ok(())
}
