//! USITC `gegravity` 0.3's formulation (`OneSectorGE`) from Python: `GegravityModel` and `GegravityResults`,
//! with gegravity's own column names so that its outputs can be compared column by column.

use pyo3::prelude::*;
use tradewar_models::gravity::{
    CostCoefficients, GegravityConfig, GegravityCountryResult, GegravityModel, GegravityResults, GravityPanel,
    PanelColumns,
};

use crate::convert::{each, type_name};
use crate::error::{invalid, Result};
use crate::estimation::read_table;
use crate::table::{Column, PyTable, TableData};

fn floats(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<f64>> {
    each(v, |x| x.extract::<f64>().map_err(|_| invalid(format!("{what}: expected numbers, got {}", type_name(x)))))
}

/// An `N x N` matrix from a list of rows or one flat row-major list.
fn square(v: &Bound<'_, PyAny>, n: usize, what: &str) -> Result<Vec<f64>> {
    let rows: Vec<Bound<'_, PyAny>> =
        each(v, |x| Ok(x.clone().unbind()))?.into_iter().map(|x| x.into_bound(v.py())).collect();
    if rows.len() == n * n && rows.iter().all(|r| r.extract::<f64>().is_ok()) {
        return floats(v, what);
    }
    if rows.len() != n {
        return Err(invalid(format!(
            "{what}: expected {n} rows of {n} (or a flat list of {}), got {}",
            n * n,
            rows.len()
        )));
    }
    let mut out = Vec::with_capacity(n * n);
    for (i, r) in rows.iter().enumerate() {
        let r = floats(r, what)?;
        if r.len() != n {
            return Err(invalid(format!("{what}[{i}]: expected {n} values, got {}", r.len())));
        }
        out.extend(r);
    }
    Ok(out)
}

/// The structural gravity model of USITC `gegravity` 0.3 (`OneSectorGE`), its baseline solved. Trade costs are
/// the terms `t_ij^(1-sigma)` (from estimated coefficients); output `Y` and expenditure `E` are data. Its "full
/// GE" keeps baseline output and expenditure shares inside the resistance equations (as gegravity does); for a
/// full-endowment equilibrium where markets clear use `GeModel.counterfactual`.
#[pyclass(frozen, name = "GegravityModel", module = "tradewar")]
pub struct PyGegravityModel {
    model: GegravityModel,
    panel: Option<(GravityPanel, CostCoefficients)>,
    reference: String,
}

/// Reads one column of a country's gegravity results.
pub(crate) type CountryColumn = fn(&GegravityCountryResult) -> f64;

/// gegravity's `country_results` and `country_mr_terms` columns, by their gegravity names.
pub(crate) const COUNTRY_COLUMNS: [(&str, CountryColumn); 17] = [
    ("factory gate price change (percent)", |r| r.factory_gate_price_change_pct),
    ("omr change (percent)", |r| r.omr_change_pct),
    ("imr change (percent)", |r| r.imr_change_pct),
    ("GDP change (percent)", |r| r.gdp_change_pct),
    ("welfare statistic", |r| r.welfare_statistic),
    ("terms of trade change (percent)", |r| r.terms_of_trade_change_pct),
    ("output change (percent)", |r| r.output_change_pct),
    ("expenditure change (percent)", |r| r.expenditure_change_pct),
    ("foreign exports change (percent)", |r| r.foreign_exports_change_pct),
    ("foreign imports change (percent)", |r| r.foreign_imports_change_pct),
    ("intranational trade change (percent)", |r| r.intranational_trade_change_pct),
    ("baseline imr", |r| r.baseline_imr),
    ("conditional imr", |r| r.conditional_imr),
    ("experiment imr", |r| r.experiment_imr),
    ("baseline omr", |r| r.baseline_omr),
    ("conditional omr", |r| r.conditional_omr),
    ("experiment omr", |r| r.experiment_omr),
];

fn country_table(r: &GegravityResults) -> PyTable {
    let mut t = TableData::new("gegravity_country_results")
        .with("country", Column::Str(r.countries.iter().map(|c| c.country.clone()).collect()));
    for (name, get) in COUNTRY_COLUMNS {
        t = t.with(name, Column::Float(r.countries.iter().map(get).collect()));
    }
    PyTable(t)
}

/// Results of `GegravityModel.simulate`, with gegravity's column names.
#[pyclass(frozen, name = "GegravityResults", module = "tradewar")]
pub struct PyGegravityResults {
    results: GegravityResults,
}

#[pymethods]
impl PyGegravityResults {
    /// gegravity's `country_results` and `country_mr_terms` columns, one row per country. Every change is
    /// `100 * (experiment / baseline - 1)` except gegravity's "welfare statistic" (baseline over experiment: below
    /// 1 is a gain), kept as gegravity defines it.
    #[getter]
    fn country_results(&self) -> PyTable {
        country_table(&self.results)
    }
    /// gegravity's `bilateral_trade_results`: exporter, importer, baseline modeled trade, experiment trade,
    /// trade change (percent).
    #[getter]
    fn bilateral_trade(&self) -> PyTable {
        let names: Vec<String> = self.results.countries.iter().map(|c| c.country.clone()).collect();
        let b = &self.results.bilateral;
        PyTable(
            TableData::new("gegravity_bilateral_trade")
                .with("exporter", Column::Str(b.iter().map(|p| names[p.exporter].clone()).collect()))
                .with("importer", Column::Str(b.iter().map(|p| names[p.importer].clone()).collect()))
                .with("baseline modeled trade", Column::Float(b.iter().map(|p| p.baseline_trade).collect()))
                .with("experiment trade", Column::Float(b.iter().map(|p| p.experiment_trade).collect()))
                .with("trade change (percent)", Column::Float(b.iter().map(|p| p.trade_change_pct).collect())),
        )
    }
    /// Iterations and largest residual of the counterfactual resistance solve.
    #[getter]
    fn convergence(&self) -> (usize, f64) {
        (self.results.iterations, self.results.residual)
    }
    fn __repr__(&self) -> String {
        format!("<GegravityResults on {} countries>", self.results.countries.len())
    }
}

#[pymethods]
impl PyGegravityModel {
    /// A model from countries, output `Y`, expenditure `E` (one per country) and the `N x N` cost terms
    /// `t_ij^(1-sigma)` (list of rows or flat row-major, exporter rows); `reference` is the importer whose
    /// resistance is fixed at 1.
    #[new]
    #[pyo3(signature = (countries, output, expenditure, cost_terms, *, sigma = 5.0, reference = "DEU"))]
    fn new(
        py: Python<'_>,
        countries: Vec<String>,
        output: Vec<f64>,
        expenditure: Vec<f64>,
        cost_terms: &Bound<'_, PyAny>,
        sigma: f64,
        reference: &str,
    ) -> Result<Self> {
        let terms = square(cost_terms, countries.len(), "cost_terms")?;
        let config = GegravityConfig::new(sigma, reference);
        let model = crate::detached(py, || GegravityModel::new(&countries, &output, &expenditure, &terms, &config))?;
        Ok(Self { model, panel: None, reference: reference.to_string() })
    }
    /// A model from a long panel (DataFrame, Arrow table, Table, dict of columns or CSV path; one row per
    /// exporter x importer pair, domestic pairs included) and estimated coefficients: cost terms are
    /// `exp(constant + sum_k coefficients[k] * x_k)`. `year` keeps the rows of that year (column `year_column`).
    #[staticmethod]
    #[pyo3(signature = (
        data, coefficients, *, constant = 0.0, year = None, sigma = 5.0, reference = "DEU", exporter = "exporter",
        importer = "importer", trade = "trade", output = "Y", expenditure = "E", year_column = "year"
    ))]
    #[allow(clippy::too_many_arguments)]
    fn from_panel(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        coefficients: Vec<(String, f64)>,
        constant: f64,
        year: Option<i64>,
        sigma: f64,
        reference: &str,
        exporter: &str,
        importer: &str,
        trade: &str,
        output: &str,
        expenditure: &str,
        year_column: &str,
    ) -> Result<Self> {
        let mut wanted: Vec<&str> = vec![exporter, importer, trade, output, expenditure];
        wanted.extend(coefficients.iter().map(|(n, _)| n.as_str()));
        if year.is_some() {
            wanted.push(year_column);
        }
        let mut unique: Vec<&str> = Vec::new();
        for w in wanted {
            if !unique.contains(&w) {
                unique.push(w);
            }
        }
        let table = read_table(py, data, &unique)?;
        let get = |name: &str| table.columns.iter().find(|c| c.0 == name).map(|c| &c.1);
        let keep: Vec<bool> = match year {
            None => vec![true; table.len()],
            Some(y) => match get(year_column) {
                Some(Column::Int(v)) => v.iter().map(|&x| x == y).collect(),
                Some(Column::Float(v)) => v.iter().map(|&x| x == y as f64).collect(),
                Some(Column::Str(v)) => v.iter().map(|x| x.trim() == y.to_string()).collect(),
                _ => return Err(invalid(format!("year_column {year_column:?} must hold years"))),
            },
        };
        let text = |name: &str| -> Result<Vec<String>> {
            match get(name) {
                Some(Column::Str(v)) => Ok(v.iter().zip(&keep).filter(|(_, k)| **k).map(|(s, _)| s.clone()).collect()),
                _ => Err(invalid(format!("column {name:?} must hold country codes (strings)"))),
            }
        };
        let number = |name: &str| -> Result<Vec<f64>> {
            let values: Vec<f64> = match get(name) {
                Some(Column::Float(v)) => v.clone(),
                Some(Column::Int(v)) => v.iter().map(|&x| x as f64).collect(),
                Some(Column::Str(v)) => v
                    .iter()
                    .enumerate()
                    .map(|(row, s)| {
                        s.parse::<f64>()
                            .map_err(|_| invalid(format!("column {name:?}, row {row}: {s:?} is not a number")))
                    })
                    .collect::<Result<_>>()?,
                _ => return Err(invalid(format!("column {name:?} must hold numbers"))),
            };
            Ok(values.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v).collect())
        };
        let (e, i) = (text(exporter)?, text(importer)?);
        let (t, y, x) = (number(trade)?, number(output)?, number(expenditure)?);
        let variables: Vec<(String, Vec<f64>)> =
            coefficients.iter().map(|(n, _)| Ok((n.clone(), number(n)?))).collect::<Result<_>>()?;
        let coefs = CostCoefficients::new(constant, coefficients.iter().map(|(n, b)| (n.clone(), *b)))?;
        let config = GegravityConfig::new(sigma, reference);
        let (model, panel) = crate::detached(py, || -> Result<_> {
            let panel = GravityPanel::from_columns(&e, &i, &t, &y, &x, &variables)?;
            let terms = panel.cost_terms(&coefs)?;
            Ok((GegravityModel::from_panel(&panel, &terms, &config)?, panel))
        })?;
        Ok(Self { model, panel: Some((panel, coefs)), reference: reference.to_string() })
    }
    /// gegravity's documented example: its 30-country 2006 sample (embedded) with the published PPML
    /// coefficients (lndist, contiguity, common_language, pta, international), sigma 5, reference DEU.
    #[staticmethod]
    fn sample_2006(py: Python<'_>) -> Result<Self> {
        let config = GegravityConfig::new(5.0, "DEU");
        let (model, panel, coefs) = crate::detached(py, || -> Result<_> {
            let panel = GravityPanel::from_csv_str(
                tradewar_data::embedded::gravity_sample_csv(),
                &PanelColumns::gegravity_sample("2006"),
            )?;
            let coefs = CostCoefficients::gegravity_sample_ppml();
            let terms = panel.cost_terms(&coefs)?;
            Ok((GegravityModel::from_panel(&panel, &terms, &config)?, panel, coefs))
        })?;
        Ok(Self { model, panel: Some((panel, coefs)), reference: "DEU".into() })
    }
    /// The counterfactual for new cost terms `t'_ij^(1-sigma)` (`N x N`, the model's country order).
    fn simulate(&self, py: Python<'_>, cost_terms: &Bound<'_, PyAny>) -> Result<PyGegravityResults> {
        let terms = square(cost_terms, self.model.countries().len(), "cost_terms")?;
        let results = crate::detached(py, || self.model.simulate(&terms))?;
        Ok(PyGegravityResults { results })
    }
    /// The counterfactual where a cost variable of the panel takes `value` on the listed `(exporter, importer)`
    /// pairs (e.g. `pta` = 1 between CAN and JPN), costs rebuilt with the model's coefficients. Only for models
    /// built from a panel.
    fn simulate_change(
        &self,
        py: Python<'_>,
        variable: &str,
        pairs: Vec<(String, String)>,
        value: f64,
    ) -> Result<PyGegravityResults> {
        let (panel, coefs) = self
            .panel
            .as_ref()
            .ok_or_else(|| invalid("simulate_change needs a model built from a panel (from_panel or sample_2006)"))?;
        let mut changed = panel.clone();
        for (e, i) in &pairs {
            changed.set_variable(variable, e, i, value)?;
        }
        let terms = changed.cost_terms(coefs)?;
        let results = crate::detached(py, || self.model.simulate(&terms))?;
        Ok(PyGegravityResults { results })
    }
    /// The countries, in the model's order (sorted codes when built from a panel).
    #[getter]
    fn countries(&self) -> Vec<String> {
        self.model.countries().to_vec()
    }
    /// The elasticity of substitution.
    #[getter]
    fn sigma(&self) -> f64 {
        self.model.sigma()
    }
    /// The reference importer.
    #[getter]
    fn reference(&self) -> String {
        self.reference.clone()
    }
    /// The baseline resistances and modelled trade: country, baseline imr, baseline omr.
    #[getter]
    fn baseline(&self) -> PyTable {
        PyTable(
            TableData::new("gegravity_baseline")
                .with("country", Column::Str(self.model.countries().to_vec()))
                .with("baseline imr", Column::Float(self.model.baseline_imr()))
                .with("baseline omr", Column::Float(self.model.baseline_omr())),
        )
    }
    /// Iterations and largest residual of the baseline resistance solve.
    #[getter]
    fn convergence(&self) -> (usize, f64) {
        (self.model.baseline_iterations(), self.model.baseline_residual())
    }
    fn __repr__(&self) -> String {
        format!(
            "<GegravityModel: {} countries, sigma={}, reference={}>",
            self.model.countries().len(),
            self.model.sigma(),
            self.reference
        )
    }
}

/// gegravity's 30-country 2006 sample (embedded, MIT): one row per exporter x importer pair with trade, output
/// `Y`, expenditure `E` and the cost variables pta, contiguity, common_language, lndist, international.
#[pyfunction]
fn gravity_sample_2006() -> Result<PyTable> {
    let text = tradewar_data::embedded::gravity_sample_csv();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| invalid(format!("the embedded gravity sample: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut text_cols: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for record in reader.records() {
        let record = record.map_err(|e| invalid(format!("the embedded gravity sample: {e}")))?;
        for (c, v) in text_cols.iter_mut().zip(record.iter()) {
            c.push(v.to_string());
        }
    }
    let mut table = TableData::new("gravity_sample_2006");
    for (name, values) in headers.iter().zip(text_cols) {
        let column = match name.as_str() {
            "exporter" | "importer" => Column::Str(values),
            "year" => Column::Int(
                values
                    .iter()
                    .map(|v| v.parse::<i64>().map_err(|_| invalid(format!("year {v:?}"))))
                    .collect::<Result<_>>()?,
            ),
            _ => Column::Float(
                values
                    .iter()
                    .map(|v| v.parse::<f64>().map_err(|_| invalid(format!("{name} {v:?}"))))
                    .collect::<Result<_>>()?,
            ),
        };
        table.columns.push((name.clone(), column));
    }
    Ok(PyTable(table))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gravity_sample_2006, m)?)?;
    m.add_class::<PyGegravityModel>()?;
    m.add_class::<PyGegravityResults>()?;
    Ok(())
}
