//! Scenarios, the four models, outcomes and Monte Carlo sweeps.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rayon::prelude::*;
use tradewar_core::HsLevel;
use tradewar_models::gravity::{GeConfig, GravityData};
use tradewar_models::gsim::{GsimElasticities, GsimForm, GsimOptions};
use tradewar_models::{
    to_money, AccountingModel, CommitmentMode, Distribution, Evaluation, GeModel, GsimModel, Model, Outcome, Scenario,
    SmartModel, Sweep,
};

use crate::convert::{arg, date_arg, each_named, from_json, py_str_repr, to_json, year_arg};
use crate::error::{invalid, Result};
use crate::policy::{event_arg, PyEvent, PySchedule};
use crate::rates::aggregation_arg;
use crate::table::{tables_helper, Column, PyTable, TableData};
use crate::trade::PyTradeMatrix;
use crate::values::PyTarget;
use crate::world::PyGeWorld;

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

/// Baseline trade and a schedule, evaluated at a date (against policy before the
/// first event) or between two dates, with proposals and a target.
#[pyclass(frozen, name = "Scenario", module = "tradewar")]
#[derive(Clone)]
pub struct PyScenario {
    inner: Arc<Scenario>,
    trade: PyTradeMatrix,
    schedule: PySchedule,
    target: Option<PyTarget>,
    mode: &'static str,
    commitment_year: Option<i32>,
}

fn mode_arg(mode: &str) -> Result<(CommitmentMode, &'static str)> {
    match mode {
        "added_demand" => Ok((CommitmentMode::AddedDemand, "added_demand")),
        "diversion" => Ok((CommitmentMode::Diversion, "diversion")),
        _ => Err(invalid(format!("unknown commitment mode {mode:?}: expected added_demand or diversion"))),
    }
}

impl PyScenario {
    /// The Rust scenario (for the models that live in other files).
    pub(crate) fn scenario(&self) -> &Arc<Scenario> {
        &self.inner
    }
}

#[pymethods]
impl PyScenario {
    /// `date` alone: policy on that date against policy before the timeline's first event.
    /// `start` and `date`: policy on `date` against policy on `start`.
    ///
    /// `proposals` are what-ifs on top of the timeline: Measures (imposed on the first day
    /// of their window) or Events (impose, change_rates, suspend, resume, lift, on any
    /// measure of the timeline too); every model applies them on the later date, and a
    /// model that cannot represent one raises UnsupportedMeasureError. `ignore` leaves
    /// measures out of both sides at your request (the outcome says so). `rates` says how
    /// each product's tariff is read off its tariff lines: "line_share", "highest", "lowest".
    #[new]
    #[pyo3(signature = (name, *, trade, schedule, base_year, date, start = None, proposals = None, target = None, commitment_mode = "added_demand".to_string(), commitment_year = None, ignore = None, rates = "line_share".to_string()), text_signature = "(name, *, trade, schedule, base_year, date, start=None, proposals=None, target=None, commitment_mode='added_demand', commitment_year=None, ignore=None, rates='line_share')")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        #[pyo3(from_py_with = arg::name)] name: String,
        #[pyo3(from_py_with = arg::trade)] trade: PyTradeMatrix,
        #[pyo3(from_py_with = arg::schedule)] schedule: PySchedule,
        base_year: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
        proposals: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::opt_target)] target: Option<PyTarget>,
        #[pyo3(from_py_with = arg::commitment_mode)] commitment_mode: String,
        commitment_year: Option<&Bound<'_, PyAny>>,
        ignore: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::rates)] rates: String,
    ) -> Result<Self> {
        let (name, commitment_mode) = (name.as_str(), commitment_mode.as_str());
        let base_year = year_arg(base_year, "base_year")?;
        let to = date_arg(date)?;
        let mut s = match start.filter(|s| !s.is_none()) {
            None => Scenario::at(name, trade.0.clone(), schedule.inner.clone(), base_year, to)?,
            Some(from) => {
                Scenario::between(name, trade.0.clone(), schedule.inner.clone(), base_year, date_arg(from)?, to)?
            }
        };
        if let Some(p) = proposals.filter(|p| !p.is_none()) {
            s = s.with_events(each_named(p, "proposals", event_arg)?)?;
        }
        if let Some(ids) = ignore.filter(|i| !i.is_none()) {
            let ids = each_named(ids, "ignore", |x| {
                let text: String = x.extract().map_err(|_| invalid("ignore: expected measure ids (str)"))?;
                Ok(tradewar_core::MeasureId::new(&text)?)
            })?;
            s = s.ignoring(ids)?;
        }
        s = s.with_rates(aggregation_arg(&rates)?);
        let (mode, mode_name) = mode_arg(commitment_mode)?;
        s = s.with_commitment_mode(mode);
        let commitment_year =
            commitment_year.filter(|y| !y.is_none()).map(|y| year_arg(y, "commitment_year")).transpose()?;
        if let Some(y) = commitment_year {
            s = s.with_commitment_year(y);
        }
        if let Some(t) = &target {
            s = s.with_target(t.0.clone());
        }
        Ok(Self { inner: Arc::new(s), trade, schedule, target, mode: mode_name, commitment_year })
    }
    /// The scenario with more what-if events (Measures or Events), refused as the
    /// constructor refuses them; this scenario is unchanged.
    fn with_events(&self, events: &Bound<'_, PyAny>) -> Result<Self> {
        let s = (*self.inner).clone().with_events(each_named(events, "events", event_arg)?)?;
        Ok(Self { inner: Arc::new(s), ..self.clone() })
    }
    /// Measures left out of both sides at your request.
    #[getter]
    fn ignored(&self) -> Vec<String> {
        self.inner.ignored().iter().map(ToString::to_string).collect()
    }
    /// How each product's tariff is read off its lines: "line_share", "highest" or "lowest".
    #[getter]
    fn rates(&self) -> &'static str {
        self.inner.rates().as_str()
    }
    /// Its name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }
    /// The year of baseline trade.
    #[getter]
    fn base_year(&self) -> i32 {
        self.inner.base_year()
    }
    /// The dates compared (start, end).
    #[getter]
    fn dates(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        self.inner.dates()
    }
    /// The baseline trade.
    #[getter]
    fn trade(&self) -> PyTradeMatrix {
        self.trade.clone()
    }
    /// The schedule.
    #[getter]
    fn schedule(&self) -> PySchedule {
        self.schedule.clone()
    }
    /// The what-if events added on top of the timeline.
    #[getter]
    fn proposals(&self) -> Vec<PyEvent> {
        self.inner.proposals().iter().cloned().map(PyEvent).collect()
    }
    /// The target scored, if any.
    #[getter]
    fn target(&self) -> Option<PyTarget> {
        self.target.clone()
    }
    /// "added_demand" or "diversion".
    #[getter]
    fn commitment_mode(&self) -> &'static str {
        self.mode
    }
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "scenario_html")?.call1((slf,))
    }
    /// The whole scenario as JSON (baseline trade, schedule, proposals, target), which
    /// `Scenario.from_json` reads back; save it to share or archive a run's input.
    fn to_json(&self, py: Python<'_>) -> Result<String> {
        let s = &self.inner;
        crate::detached(py, || to_json(&**s))
    }
    /// A scenario from `to_json` text (every part re-validated).
    #[staticmethod]
    fn from_json(py: Python<'_>, #[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let s: Scenario = crate::detached(py, || from_json(&text, "scenario"))?;
        let (mode, mode_name) = match s.commitment_mode() {
            CommitmentMode::AddedDemand => (CommitmentMode::AddedDemand, "added_demand"),
            CommitmentMode::Diversion => (CommitmentMode::Diversion, "diversion"),
        };
        debug_assert_eq!(mode, s.commitment_mode());
        Ok(Self {
            trade: PyTradeMatrix(s.shared_baseline()),
            schedule: PySchedule::from_rust(s.schedule().clone()),
            target: s.target().cloned().map(PyTarget),
            mode: mode_name,
            commitment_year: s.commitment_year(),
            inner: Arc::new(s),
        })
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match other.cast::<Self>() {
            Ok(o) => (*o.get().inner == *self.inner).into_pyobject(py)?.to_owned().into_any().unbind(),
            Err(_) => py.NotImplemented(),
        })
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let (from, to) = self.inner.dates();
        let start = match self.inner.evaluation() {
            Evaluation::Between { .. } => format!(", start='{from}'"),
            Evaluation::At(_) => String::new(),
        };
        let proposals: Vec<String> = self.proposals().iter().map(|p| p.__repr__(py)).collect::<Result<_>>()?;
        let ignored = self.ignored();
        let ignore = if ignored.is_empty() {
            String::new()
        } else {
            format!(", ignore=[{}]", ignored.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(", "))
        };
        let rates = match self.rates() {
            "line_share" => String::new(),
            other => format!(", rates='{other}'"),
        };
        let target = match &self.target {
            Some(t) => format!(", target={}", t.__repr__(py)?),
            None => String::new(),
        };
        let year = self.commitment_year.map(|y| format!(", commitment_year={y}")).unwrap_or_default();
        Ok(format!(
            "Scenario({}, trade={}, schedule={}, base_year={}, date='{to}'{start}, proposals=[{}]{target}, commitment_mode='{}'{year}{ignore}{rates})",
            py_str_repr(py, self.inner.name())?,
            self.trade.__repr__(),
            self.schedule.__repr__(py)?,
            self.inner.base_year(),
            proposals.join(", "),
            self.mode
        ))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let (from, to) = self.inner.dates();
        let start = match self.inner.evaluation() {
            Evaluation::Between { .. } => Some(from),
            Evaluation::At(_) => None,
        };
        let args = (
            self.inner.name().to_string(),
            self.trade.clone(),
            self.schedule.clone(),
            self.inner.base_year(),
            to,
            start,
            self.proposals(),
            self.target.clone(),
            self.mode,
            self.commitment_year,
            self.ignored(),
            self.rates(),
        )
            .into_pyobject(py)?;
        Ok((py.import("tradewar._pickle")?.getattr("scenario")?, args))
    }
}

/// What a model says a scenario does: tables by flow and by economy, balances and the target's score.
#[pyclass(frozen, name = "Outcome", module = "tradewar")]
#[derive(Clone)]
pub struct PyOutcome(pub Arc<Outcome>);

fn money_col(v: &[f64]) -> Column {
    Column::Decimal(v.iter().map(|&x| to_money(x).ok().map(|m| m.amount())).collect())
}

#[pymethods]
impl PyOutcome {
    /// The model's name.
    #[getter]
    fn model(&self) -> String {
        self.0.model.clone()
    }
    /// The scenario's name.
    #[getter]
    fn scenario(&self) -> String {
        self.0.scenario.clone()
    }
    /// What "welfare" means for this model.
    #[getter]
    fn welfare_measure(&self) -> String {
        self.0.welfare_measure.clone()
    }
    /// Notes from the model (what it did, its elasticities, what it clamped).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.0.notes.clone()
    }
    /// What the answer assumes beyond the data (a date after the sources, importers whose
    /// tariffs they do not hold); each was also issued as an OutsideDataWarning.
    #[getter]
    fn caveats(&self) -> Vec<String> {
        self.0.caveats.clone()
    }
    /// Flow by flow: baseline and new value, tariffs before and after, revenue and welfare (USD, exact cents).
    fn flows(&self) -> PyTable {
        let f = &self.0.flows;
        PyTable(
            TableData::new("flows")
                .with("exporter", Column::Str(f.exporter.iter().map(ToString::to_string).collect()))
                .with("importer", Column::Str(f.importer.iter().map(ToString::to_string).collect()))
                .with(
                    "product",
                    Column::Str(f.product.iter().map(|p| p.map(|p| p.to_string()).unwrap_or_default()).collect()),
                )
                .with("baseline", money_col(&f.baseline))
                .with("new_value", money_col(&f.new_value))
                .with("tariff_before", Column::Float(f.tariff_before.clone()))
                .with("tariff_after", Column::Float(f.tariff_after.clone()))
                .with("revenue_change", money_col(&f.revenue_change))
                .with("welfare_gain", money_col(&f.welfare_gain)),
        )
    }
    /// Economy by economy: changes of exports, imports, revenue and welfare (USD), real income (%).
    fn economies(&self) -> PyTable {
        let t = &self.0.economies;
        PyTable(
            TableData::new("economies")
                .with("economy", Column::Str(t.economy.iter().map(ToString::to_string).collect()))
                .with("exports_change", money_col(&t.exports_change))
                .with("imports_change", money_col(&t.imports_change))
                .with("revenue_change", money_col(&t.revenue_change))
                .with("welfare_gain", money_col(&t.welfare_gain))
                .with("real_income_change_pct", Column::Float(t.real_income_change_pct.clone())),
        )
    }
    /// Price changes by product market and economy, percent (GSIM: the economy's world price, NaN where it
    /// exports nothing in the market, and its import price index, NaN where it imports nothing); empty for the
    /// models that do not solve for prices.
    fn prices(&self) -> PyTable {
        let p = &self.0.prices;
        PyTable(
            TableData::new("prices")
                .with("product", Column::Str(p.product.iter().map(ToString::to_string).collect()))
                .with("economy", Column::Str(p.economy.iter().map(ToString::to_string).collect()))
                .with("world_price_change_pct", Column::Float(p.world_price_change_pct.clone()))
                .with("import_price_change_pct", Column::Float(p.import_price_change_pct.clone())),
        )
    }
    /// Bilateral balances before and after (USD).
    fn balances(&self) -> PyTable {
        let b = &self.0.balances;
        PyTable(
            TableData::new("balances")
                .with("reporter", Column::Str(b.iter().map(|x| x.reporter.to_string()).collect()))
                .with("partner", Column::Str(b.iter().map(|x| x.partner.to_string()).collect()))
                .with("before", money_col(&b.iter().map(|x| x.before).collect::<Vec<_>>()))
                .with("after", money_col(&b.iter().map(|x| x.after).collect::<Vec<_>>()))
                .with("change", money_col(&b.iter().map(tradewar_models::BalanceChange::change).collect::<Vec<_>>())),
        )
    }
    /// The target's score: (name, sought USD, closed USD, share %), or None.
    #[getter]
    fn target<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(t) = &self.0.target else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("target", &t.target)?;
        d.set_item("sought", to_money(t.sought).ok().map(crate::values::PyMoney))?;
        d.set_item("closed", to_money(t.closed).ok().map(crate::values::PyMoney))?;
        d.set_item("share_pct", t.share_pct())?;
        Ok(Some(d))
    }
    /// A short human summary.
    fn summary(&self) -> String {
        self.0.summary()
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        crate::convert::to_json(&outcome_state::State::of(&self.0))
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let state: outcome_state::State = crate::convert::from_json(&text, "outcome")?;
        Ok(Self(Arc::new(state.into_outcome().map_err(|e| invalid(format!("invalid outcome: {e}")))?)))
    }
    fn __str__(&self) -> String {
        self.0.summary()
    }
    /// Equal when every number is the same (NaN included, as "not computed").
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> Result<bool> {
        match other.cast::<PyOutcome>() {
            Ok(o) => Ok(self.to_json()? == o.get().to_json()?),
            Err(_) => Ok(false),
        }
    }
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        tables_helper(slf.py(), "outcome_html")?.call1((slf,))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Outcome.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
    }
}

/// The model settings a Python model object carries; rebuilt into a Rust model per run
/// (cheap), so that sweeps can vary them.
#[derive(Clone, Debug, PartialEq)]
enum Spec {
    Accounting,
    Smart { import_demand: f64 },
    Gsim { import_demand: f64, substitution: f64, export_supply: f64, level: &'static str, form: GsimForm },
    Ge { sigma: f64, reference: String, world: Arc<GravityData>, rebate: bool },
}

fn ge_model(sigma: f64, reference: &str, world: &Arc<GravityData>, rebate: bool) -> Result<GeModel> {
    let r = world.index_of(reference).ok_or_else(|| {
        invalid(format!("reference {reference:?} is not in the GE world ({})", world.countries().join(", ")))
    })?;
    let mut config = GeConfig::new(sigma, r);
    config.rebate_tariff_revenue = rebate;
    Ok(GeModel::new(GravityData::clone(world), config))
}

impl Spec {
    fn with_params(&self, names: &[String], values: &[f64]) -> Result<Spec> {
        let mut s = self.clone();
        for (n, &v) in names.iter().zip(values) {
            match (&mut s, n.as_str()) {
                (Spec::Smart { import_demand } | Spec::Gsim { import_demand, .. }, "import_demand") => {
                    *import_demand = v;
                }
                (Spec::Gsim { substitution, .. }, "substitution") => *substitution = v,
                (Spec::Gsim { export_supply, .. }, "export_supply") => *export_supply = v,
                (Spec::Ge { sigma, .. }, "sigma") => *sigma = v,
                _ => return Err(invalid(format!("parameter {n:?} does not apply to this model"))),
            }
        }
        Ok(s)
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        Ok(match self {
            Spec::Accounting => AccountingModel.run(scenario)?,
            Spec::Smart { import_demand } => SmartModel::wits_defaults(*import_demand)?.run(scenario)?,
            Spec::Gsim { import_demand, substitution, export_supply, level, form } => {
                let level = if *level == "chapter" { HsLevel::Chapter } else { HsLevel::Subheading };
                let m = GsimModel {
                    elasticities: GsimElasticities {
                        import_demand: *import_demand,
                        substitution: *substitution,
                        export_supply: *export_supply,
                    },
                    level,
                    options: GsimOptions { form: *form, ..GsimOptions::default() },
                };
                m.run(scenario)?
            }
            Spec::Ge { sigma, reference, world, rebate } => {
                ge_model(*sigma, reference, world, *rebate)?.run(scenario)?
            }
        })
    }

    fn check_finite(values: &[f64]) -> Result<()> {
        if values.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(invalid("model parameters must be finite numbers"))
        }
    }
}

/// An impact model: `run(scenario)` returns an Outcome (the GIL is released while it runs).
#[pyclass(frozen, subclass, name = "Model", module = "tradewar")]
pub struct PyModel {
    spec: Spec,
}

#[pymethods]
impl PyModel {
    /// The model's name.
    #[getter]
    fn name(&self) -> &'static str {
        match self.spec {
            Spec::Accounting => "Accounting",
            Spec::Smart { .. } => "SMART",
            Spec::Gsim { .. } => "GSIM",
            Spec::Ge { .. } => "GE",
        }
    }
    /// Runs the scenario.
    fn run(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg::scenario)] scenario: PyRef<'_, PyScenario>,
    ) -> Result<PyOutcome> {
        let (spec, s) = (&self.spec, &scenario.inner);
        let o = crate::detached(py, || spec.run(s))?;
        warn_caveats(py, &o.caveats)?;
        Ok(PyOutcome(Arc::new(o)))
    }
    /// Equal when the same model with the same settings (and world).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match other.cast::<PyModel>() {
            Ok(o) => (o.get().spec == self.spec).into_pyobject(py)?.to_owned().into_any().unbind(),
            Err(_) => py.NotImplemented(),
        })
    }
    /// Runs many scenarios in parallel (the GIL is released).
    fn run_many(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg::scenarios)] scenarios: Vec<PyScenario>,
    ) -> Result<Vec<PyOutcome>> {
        let spec = &self.spec;
        let out = crate::detached(py, || scenarios.par_iter().map(|s| spec.run(&s.inner)).collect::<Result<Vec<_>>>())?;
        for o in &out {
            warn_caveats(py, &o.caveats)?;
        }
        Ok(out.into_iter().map(|o| PyOutcome(Arc::new(o))).collect())
    }
}

/// Issues each caveat of an outcome as an `OutsideDataWarning`.
fn warn_caveats(py: Python<'_>, caveats: &[String]) -> Result<()> {
    for c in caveats {
        crate::caveats::warn(py, "OutsideDataWarning", c)?;
    }
    Ok(())
}

/// Accounting: trade stays put; mechanical duties and commitments only.
#[pyclass(frozen, extends = PyModel, name = "AccountingModel", module = "tradewar")]
pub struct PyAccountingModel;

#[pymethods]
impl PyAccountingModel {
    #[new]
    fn new() -> (Self, PyModel) {
        (Self, PyModel { spec: Spec::Accounting })
    }
    pub fn __repr__(&self) -> &'static str {
        "AccountingModel()"
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Reduced<'py> {
        (py.get_type::<Self>().into_any(), PyTuple::empty(py))
    }
}

/// WITS SMART: trade creation, diversion, revenue, Harberger welfare.
#[pyclass(frozen, extends = PyModel, name = "SmartModel", module = "tradewar")]
pub struct PySmartModel {
    import_demand: f64,
}

#[pymethods]
impl PySmartModel {
    #[new]
    #[pyo3(signature = (*, import_demand = -1.5))]
    fn new(#[pyo3(from_py_with = arg::import_demand)] import_demand: f64) -> Result<(Self, PyModel)> {
        Spec::check_finite(&[import_demand])?;
        SmartModel::wits_defaults(import_demand)?;
        Ok((Self { import_demand }, PyModel { spec: Spec::Smart { import_demand } }))
    }
    /// Elasticity of import demand (negative).
    #[getter]
    fn import_demand(&self) -> f64 {
        self.import_demand
    }
    pub fn __repr__(&self) -> String {
        format!("SmartModel(import_demand={:?})", self.import_demand)
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let f = py.import("tradewar._pickle")?.getattr("smart")?;
        Ok((f, PyTuple::new(py, [self.import_demand])?))
    }
}

/// GSIM (Francois & Hall) multi-market partial equilibrium, product by product.
#[pyclass(frozen, extends = PyModel, name = "GsimModel", module = "tradewar")]
pub struct PyGsimModel {
    e: (f64, f64, f64),
    level: &'static str,
    form: GsimForm,
}

#[pymethods]
impl PyGsimModel {
    #[new]
    #[pyo3(signature = (*, import_demand = -1.25, substitution = 5.0, export_supply = 1.5, level = "chapter".to_string(), form = "levels".to_string()), text_signature = "(*, import_demand=-1.25, substitution=5.0, export_supply=1.5, level='chapter', form='levels')")]
    fn new(
        #[pyo3(from_py_with = arg::import_demand)] import_demand: f64,
        #[pyo3(from_py_with = arg::substitution)] substitution: f64,
        #[pyo3(from_py_with = arg::export_supply)] export_supply: f64,
        #[pyo3(from_py_with = arg::level)] level: String,
        #[pyo3(from_py_with = arg::form)] form: String,
    ) -> Result<(Self, PyModel)> {
        Spec::check_finite(&[import_demand, substitution])?;
        let level = match level.as_str() {
            "chapter" => "chapter",
            "subheading" => "subheading",
            _ => return Err(invalid(format!("unknown level {level:?}: expected chapter or subheading"))),
        };
        GsimElasticities { import_demand, substitution, export_supply }.check("GsimModel")?;
        let form = crate::gsim::form_arg(&form)?;
        let spec = Spec::Gsim { import_demand, substitution, export_supply, level, form };
        Ok((Self { e: (import_demand, substitution, export_supply), level, form }, PyModel { spec }))
    }
    /// "levels" (constant elasticities, the default) or "linear" (Francois & Hall's percentage-change form).
    #[getter]
    fn form(&self) -> &'static str {
        crate::gsim::form_name(self.form)
    }
    /// GSIM on a world of regions (`GsimWorld`, where a region may trade with itself), every region with this
    /// model's elasticities, solved in its form. `tariff_factors` are the power factors after: an `N x N` matrix
    /// in the world's region order, or a dict `{(exporter, importer): factor}` of the pairs that change.
    fn run_world(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg::gsim_world)] world: crate::gsim::PyGsimWorld,
        tariff_factors: &Bound<'_, PyAny>,
    ) -> Result<crate::gsim::PyGsimResults> {
        let e = GsimElasticities { import_demand: self.e.0, substitution: self.e.1, export_supply: self.e.2 };
        crate::gsim::run_world(py, e, self.form, &world, tariff_factors)
    }
    pub fn __repr__(&self) -> String {
        let form = match self.form {
            GsimForm::Levels => String::new(),
            GsimForm::Linear => ", form='linear'".to_string(),
        };
        format!(
            "GsimModel(import_demand={:?}, substitution={:?}, export_supply={:?}, level='{}'{form})",
            self.e.0, self.e.1, self.e.2, self.level
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let f = py.import("tradewar._pickle")?.getattr("gsim")?;
        Ok((f, (self.e.0, self.e.1, self.e.2, self.level, self.form()).into_pyobject(py)?))
    }
}

/// Full-endowment structural gravity GE. The world is a `GeWorld` (by default the
/// embedded 30-economy 2006 sample of `gegravity`); every economy of the scenario must
/// be in it. `reference` is the numeraire; `rebate` returns tariff revenue to the
/// importer's households.
#[pyclass(frozen, extends = PyModel, name = "GeModel", module = "tradewar")]
pub struct PyGeModel {
    sigma: f64,
    reference: String,
    world: PyGeWorld,
    rebate: bool,
}

#[pymethods]
impl PyGeModel {
    #[new]
    #[pyo3(signature = (*, sigma = 5.0, reference = "DEU".to_string(), world = None, rebate = true), text_signature = "(*, sigma=5.0, reference='DEU', world=None, rebate=True)")]
    fn new(
        #[pyo3(from_py_with = arg::sigma)] sigma: f64,
        #[pyo3(from_py_with = arg::reference)] reference: String,
        #[pyo3(from_py_with = arg::opt_world)] world: Option<PyGeWorld>,
        #[pyo3(from_py_with = arg::rebate)] rebate: bool,
    ) -> Result<(Self, PyModel)> {
        let reference = reference.as_str();
        if !(sigma.is_finite() && sigma > 1.0) {
            return Err(invalid(format!(
                "sigma: the elasticity of substitution must be finite and above 1, got {sigma}"
            )));
        }
        let world = match world {
            Some(w) => w,
            None => PyGeWorld::sample()?,
        };
        ge_model(sigma, reference, &world.0, rebate)?;
        let spec = Spec::Ge { sigma, reference: reference.to_string(), world: world.0.clone(), rebate };
        Ok((Self { sigma, reference: reference.to_string(), world, rebate }, PyModel { spec }))
    }
    /// The elasticity of substitution.
    #[getter]
    fn sigma(&self) -> f64 {
        self.sigma
    }
    /// The numeraire economy.
    #[getter]
    fn reference(&self) -> String {
        self.reference.clone()
    }
    /// The world the model runs on.
    #[getter]
    fn world(&self) -> PyGeWorld {
        self.world.clone()
    }
    /// Whether tariff revenue is rebated.
    #[getter]
    fn rebate(&self) -> bool {
        self.rebate
    }
    /// The conditional and full-endowment equilibria of a trade-cost shock (`GeShock`) on the model's world;
    /// `deficits` "ratio" (spending over output held, the default) or "nominal" (see `cost_shock.rs`).
    #[pyo3(signature = (shock, *, deficits = "ratio"))]
    fn counterfactual(
        &self,
        py: Python<'_>,
        shock: &crate::cost_shock::PyGeShock,
        deficits: &str,
    ) -> Result<crate::cost_shock::PyGeResults> {
        crate::cost_shock::counterfactual(py, &self.world.0, self.sigma, &self.reference, self.rebate, shock, deficits)
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let world = if PyGeWorld::is_sample(&self.world)? {
            String::new()
        } else {
            format!(", world={}", self.world.__repr__(py)?)
        };
        Ok(format!(
            "GeModel(sigma={:?}, reference={}{world}, rebate={})",
            self.sigma,
            py_str_repr(py, &self.reference)?,
            if self.rebate { "True" } else { "False" }
        ))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let f = py.import("tradewar._pickle")?.getattr("ge")?;
        Ok((f, (self.sigma, self.reference.clone(), self.world.clone(), self.rebate).into_pyobject(py)?))
    }
}

/// A seeded Monte Carlo sweep over model parameters. Each parameter is ("normal", mean, sd),
/// ("uniform", low, high) or ("fixed", value). Draw `i` depends only on the seed and `i`,
/// so any slice of draws can run anywhere (see `run_range`).
#[pyclass(frozen, name = "Sweep", module = "tradewar")]
#[derive(Clone)]
pub struct PySweep {
    draws: usize,
    seed: u64,
    params: Vec<(String, (String, f64, f64))>,
}

impl PySweep {
    fn sweep(&self) -> Result<Sweep> {
        let mut s = Sweep::new(self.draws, self.seed);
        for (name, (kind, a, b)) in &self.params {
            let d = match kind.as_str() {
                "normal" => Distribution::Normal { mean: *a, sd: *b },
                "uniform" => Distribution::Uniform { low: *a, high: *b },
                "fixed" => Distribution::Fixed(*a),
                _ => return Err(invalid(format!("parameter {name}: unknown distribution {kind:?}"))),
            };
            s = s.param(name, d);
        }
        Ok(s)
    }

    fn outputs(o: &Outcome, wanted: &[String]) -> Result<Vec<f64>> {
        wanted
            .iter()
            .map(|w| {
                if w == "target_closed" {
                    return Ok(o.target.as_ref().map_or(f64::NAN, |t| t.closed));
                }
                let (what, eco) = w.split_once(':').ok_or_else(|| invalid(format!("unknown output {w:?}")))?;
                let e = tradewar_core::Economy::new(eco)?;
                let row = o.economies.row(e);
                let t = &o.economies;
                let pick = |v: &Vec<f64>| row.map_or(f64::NAN, |r| v[r]);
                Ok(match what {
                    "welfare" => pick(&t.welfare_gain),
                    "exports" => pick(&t.exports_change),
                    "imports" => pick(&t.imports_change),
                    "revenue" => pick(&t.revenue_change),
                    "real_income_pct" => pick(&t.real_income_change_pct),
                    _ => return Err(invalid(format!("unknown output {w:?}"))),
                })
            })
            .collect()
    }

    fn table(&self, names: &[String], wanted: &[String], rows: &[(usize, Vec<f64>, Vec<f64>)]) -> PyTable {
        let mut t = TableData::new("sweep").with("draw", Column::Int(rows.iter().map(|r| r.0 as i64).collect()));
        for (k, n) in names.iter().enumerate() {
            t = t.with(n, Column::Float(rows.iter().map(|r| r.1[k]).collect()));
        }
        for (k, n) in wanted.iter().enumerate() {
            t = t.with(n, Column::Float(rows.iter().map(|r| r.2[k]).collect()));
        }
        PyTable(t)
    }
}

#[pymethods]
impl PySweep {
    #[new]
    #[pyo3(signature = (*, draws, seed, params))]
    fn new(
        #[pyo3(from_py_with = arg::draws)] draws: usize,
        #[pyo3(from_py_with = arg::seed)] seed: u64,
        params: &Bound<'_, PyAny>,
    ) -> Result<Self> {
        let params = params.cast::<PyDict>().map_err(|_| {
            crate::convert::type_error(format!(
                "params: expected a dict of names to distributions, got {}",
                crate::convert::shown(params)
            ))
        })?;
        let mut p = Vec::new();
        for (k, v) in params.iter() {
            let name: String = k.extract().map_err(|_| invalid("parameter names must be strings"))?;
            let spec: (String, f64, f64) = if let Ok(t) = v.extract::<(String, f64, f64)>() {
                t
            } else {
                let (kind, a): (String, f64) = v.extract().map_err(|_| {
                    invalid(format!("parameter {name}: expected (\"normal\", mean, sd), (\"uniform\", low, high) or (\"fixed\", value)"))
                })?;
                (kind, a, 0.0)
            };
            p.push((name, spec));
        }
        let s = Self { draws, seed, params: p };
        // Checked without running a draw (issue 11: running them all to check aborted on 10**12 draws).
        s.sweep()?.validate()?;
        Ok(s)
    }
    /// Number of draws.
    #[getter]
    fn draws(&self) -> usize {
        self.draws
    }
    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }
    /// The parameters of draw `i` (0 to draws - 1).
    fn draw(&self, #[pyo3(from_py_with = arg::i)] i: usize) -> Result<Vec<f64>> {
        if i >= self.draws {
            return Err(crate::convert::out_of_range(format!("i: draw {i} is not within 0..{}", self.draws)));
        }
        Ok(self.sweep()?.draw(i))
    }
    /// Runs `model` on `scenario` for every draw, in parallel without the GIL; `outputs` are
    /// "target_closed" or "welfare:USA", "exports:CHN", "imports:…", "revenue:…", "real_income_pct:…".
    #[pyo3(signature = (model, scenario, *, outputs))]
    fn run(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg::model)] model: PyRef<'_, PyModel>,
        #[pyo3(from_py_with = arg::scenario)] scenario: PyRef<'_, PyScenario>,
        #[pyo3(from_py_with = arg::outputs)] outputs: Vec<String>,
    ) -> Result<PyTable> {
        self.run_range(py, model, scenario, 0, self.draws, outputs)
    }
    /// Runs draws `start..stop` only (to split a sweep across machines).
    #[pyo3(signature = (model, scenario, start, stop, outputs))]
    fn run_range(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg::model)] model: PyRef<'_, PyModel>,
        #[pyo3(from_py_with = arg::scenario)] scenario: PyRef<'_, PyScenario>,
        #[pyo3(from_py_with = arg::start)] start: usize,
        #[pyo3(from_py_with = arg::stop)] stop: usize,
        #[pyo3(from_py_with = arg::outputs)] outputs: Vec<String>,
    ) -> Result<PyTable> {
        if start > stop || stop > self.draws {
            return Err(invalid(format!("draws {start}..{stop} are not within 0..{}", self.draws)));
        }
        let sweep = self.sweep()?;
        let names: Vec<String> = self.params.iter().map(|p| p.0.clone()).collect();
        let (spec, s) = (&model.spec, &scenario.inner);
        let rows = crate::detached(py, || {
            (start..stop)
                .into_par_iter()
                .map(|i| {
                    let p = sweep.draw(i);
                    let o = spec.with_params(&names, &p)?.run(s)?;
                    Ok((i, p, Self::outputs(&o, &outputs)?))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        warn_caveats(py, &s.caveats())?;
        Ok(self.table(&names, &outputs, &rows))
    }
    pub fn __repr__(&self) -> String {
        let p: Vec<String> = self.params.iter().map(|(n, (k, a, b))| format!("'{n}': ('{k}', {a:?}, {b:?})")).collect();
        format!("Sweep(draws={}, seed={}, params={{{}}})", self.draws, self.seed, p.join(", "))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let params = PyDict::new(py);
        for (n, spec) in &self.params {
            params.set_item(n, spec.clone())?;
        }
        let f = py.import("tradewar._pickle")?.getattr("sweep")?;
        Ok((f, (self.draws, self.seed, params).into_pyobject(py)?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyOutcome>()?;
    m.add_class::<PyModel>()?;
    m.add_class::<PyAccountingModel>()?;
    m.add_class::<PySmartModel>()?;
    m.add_class::<PyGsimModel>()?;
    m.add_class::<PyGeModel>()?;
    m.add_class::<PySweep>()?;
    Ok(())
}

/// The pickled form of an [`Outcome`]: its own serde form writes NaN (a real-income
/// change a model does not compute) as JSON null, which does not read back; here
/// every float is written as text.
mod outcome_state {
    use serde::{Deserialize, Serialize};
    use tradewar_core::{Economy, HsCode};
    use tradewar_models::{BalanceChange, EconomyTable, FlowTable, Outcome, PriceTable, TargetScore};

    use crate::table::float_text;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct State {
        model: String,
        scenario: String,
        welfare_measure: String,
        exporter: Vec<Economy>,
        importer: Vec<Economy>,
        product: Vec<Option<HsCode>>,
        #[serde(with = "float_text")]
        baseline: Vec<f64>,
        #[serde(with = "float_text")]
        new_value: Vec<f64>,
        #[serde(with = "float_text")]
        tariff_before: Vec<f64>,
        #[serde(with = "float_text")]
        tariff_after: Vec<f64>,
        #[serde(with = "float_text")]
        revenue_change: Vec<f64>,
        #[serde(with = "float_text")]
        welfare_gain: Vec<f64>,
        economy: Vec<Economy>,
        #[serde(with = "float_text")]
        exports_change: Vec<f64>,
        #[serde(with = "float_text")]
        imports_change: Vec<f64>,
        #[serde(with = "float_text")]
        e_revenue_change: Vec<f64>,
        #[serde(with = "float_text")]
        e_welfare_gain: Vec<f64>,
        #[serde(with = "float_text")]
        real_income_change_pct: Vec<f64>,
        balances: Vec<(Economy, Economy, String, String)>,
        #[serde(default)]
        price_product: Vec<HsCode>,
        #[serde(default)]
        price_economy: Vec<Economy>,
        #[serde(default, with = "float_text")]
        world_price_change_pct: Vec<f64>,
        #[serde(default, with = "float_text")]
        import_price_change_pct: Vec<f64>,
        target: Option<(String, String, String)>,
        notes: Vec<String>,
        #[serde(default)]
        caveats: Vec<String>,
    }

    fn num(s: &str) -> Result<f64, String> {
        s.parse().map_err(|_| format!("{s:?} is not a number"))
    }

    impl State {
        pub fn of(o: &Outcome) -> Self {
            let (f, e) = (&o.flows, &o.economies);
            Self {
                model: o.model.clone(),
                scenario: o.scenario.clone(),
                welfare_measure: o.welfare_measure.clone(),
                exporter: f.exporter.clone(),
                importer: f.importer.clone(),
                product: f.product.clone(),
                baseline: f.baseline.clone(),
                new_value: f.new_value.clone(),
                tariff_before: f.tariff_before.clone(),
                tariff_after: f.tariff_after.clone(),
                revenue_change: f.revenue_change.clone(),
                welfare_gain: f.welfare_gain.clone(),
                economy: e.economy.clone(),
                exports_change: e.exports_change.clone(),
                imports_change: e.imports_change.clone(),
                e_revenue_change: e.revenue_change.clone(),
                e_welfare_gain: e.welfare_gain.clone(),
                real_income_change_pct: e.real_income_change_pct.clone(),
                balances: o
                    .balances
                    .iter()
                    .map(|b| (b.reporter, b.partner, b.before.to_string(), b.after.to_string()))
                    .collect(),
                price_product: o.prices.product.clone(),
                price_economy: o.prices.economy.clone(),
                world_price_change_pct: o.prices.world_price_change_pct.clone(),
                import_price_change_pct: o.prices.import_price_change_pct.clone(),
                target: o.target.as_ref().map(|t| (t.target.clone(), t.sought.to_string(), t.closed.to_string())),
                notes: o.notes.clone(),
                caveats: o.caveats.clone(),
            }
        }

        pub fn into_outcome(self) -> Result<Outcome, String> {
            let n = self.exporter.len();
            let flow_cols = [
                &self.importer.len(),
                &self.product.len(),
                &self.baseline.len(),
                &self.new_value.len(),
                &self.tariff_before.len(),
                &self.tariff_after.len(),
                &self.revenue_change.len(),
                &self.welfare_gain.len(),
            ];
            let m = self.economy.len();
            let econ_cols = [
                &self.exports_change.len(),
                &self.imports_change.len(),
                &self.e_revenue_change.len(),
                &self.e_welfare_gain.len(),
                &self.real_income_change_pct.len(),
            ];
            let p = self.price_product.len();
            let price_cols =
                [&self.price_economy.len(), &self.world_price_change_pct.len(), &self.import_price_change_pct.len()];
            if flow_cols.iter().any(|&&l| l != n)
                || econ_cols.iter().any(|&&l| l != m)
                || price_cols.iter().any(|&&l| l != p)
            {
                return Err("columns of different lengths".into());
            }
            let balances = self
                .balances
                .iter()
                .map(|(r, p, b, a)| Ok(BalanceChange { reporter: *r, partner: *p, before: num(b)?, after: num(a)? }))
                .collect::<Result<Vec<_>, String>>()?;
            let target = match &self.target {
                Some((t, s, c)) => Some(TargetScore { target: t.clone(), sought: num(s)?, closed: num(c)? }),
                None => None,
            };
            Ok(Outcome {
                model: self.model,
                scenario: self.scenario,
                welfare_measure: self.welfare_measure,
                flows: FlowTable {
                    exporter: self.exporter,
                    importer: self.importer,
                    product: self.product,
                    baseline: self.baseline,
                    new_value: self.new_value,
                    tariff_before: self.tariff_before,
                    tariff_after: self.tariff_after,
                    revenue_change: self.revenue_change,
                    welfare_gain: self.welfare_gain,
                },
                economies: EconomyTable {
                    economy: self.economy,
                    exports_change: self.exports_change,
                    imports_change: self.imports_change,
                    revenue_change: self.e_revenue_change,
                    welfare_gain: self.e_welfare_gain,
                    real_income_change_pct: self.real_income_change_pct,
                },
                balances,
                prices: PriceTable {
                    product: self.price_product,
                    economy: self.price_economy,
                    world_price_change_pct: self.world_price_change_pct,
                    import_price_change_pct: self.import_price_change_pct,
                },
                target,
                notes: self.notes,
                caveats: self.caveats,
            })
        }
    }
}
