//! Measures, timelines and the schedule.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use tradewar_core::{
    Action, CommitmentKind, CommitmentYear, Currency, CustomsLines, DateWindow, Duty, Economy, Event, HsCode,
    LegalBasis, LiftCondition, Measure, MeasureHeader, MeasureId, MfnTable, Money, Percent, ProductScope, RateChange,
    Schedule, ScheduleAt, Stacking, Status, TariffRates, Timeline,
};

use crate::convert::{
    arg, class_list, date_arg, date_param, decimal_arg, each_named, economy_param, from_json, hs_param, py_str_repr,
    shown, to_json, type_error, year_arg,
};
use crate::error::{invalid, located, Result};
use crate::rates::{PyDataCoverage, PyProductRate};
use crate::scope::{scope_arg, PyEntity, PyProductScope};
use crate::stacking::PyStacking;
use crate::table::{Column, PyTable, TableData};
use crate::values::{PyDateWindow, PyEconomy, PyHsCode, PyMoney, PyPercent};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

fn json_reduce<T: pyo3::PyTypeInfo>(py: Python<'_>, json: String) -> Result<Reduced<'_>> {
    Ok((py.get_type::<T>().getattr("from_json")?, PyTuple::new(py, [json])?))
}

/// A rate from a `Percent`, `decimal.Decimal`, `int` or `str` (in percent; not negative): the one
/// way a rate enters from Python. A `Percent(..., signed=True)` that is negative is a change in
/// points, not a rate, and is refused here like any negative rate (issue 11).
pub(crate) fn percent_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Percent> {
    if let Ok(p) = v.cast::<PyPercent>() {
        return p.get().0.check_rate().map_err(|e| located(e, what));
    }
    Percent::new(decimal_arg(v, what)?).map_err(|e| located(e, what))
}

/// Money from `Money` or an amount in US dollars (`Decimal`, `int` or `str`).
fn money_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Money> {
    match v.cast::<PyMoney>() {
        Ok(m) => Ok(m.get().0),
        Err(_) => Ok(Money::new(decimal_arg(v, what)?, Currency::USD)),
    }
}

/// An `Event`, or a `Measure` (imposed on the first day of its window): what a
/// what-if on a timeline is made of.
pub(crate) fn event_arg(x: &Bound<'_, PyAny>) -> Result<Event> {
    if let Ok(e) = x.cast::<PyEvent>() {
        return Ok(e.get().0.clone());
    }
    if let Ok(m) = x.cast::<PyMeasure>() {
        let m = (*m.get().0).clone();
        return Ok(Event::new(m.header().window.start(), Action::Impose { measure: m }));
    }
    Err(type_error(format!("expected an Event or a Measure, got {}", shown(x))))
}

/// Per-product duties from a dict of codes to rates.
fn rates_arg(rates: &Bound<'_, PyAny>, what: &str) -> Result<BTreeMap<HsCode, Duty>> {
    let d = rates
        .cast::<PyDict>()
        .map_err(|_| type_error(format!("{what}: expected a dict of codes to rates, got {}", shown(rates))))?;
    let mut map = BTreeMap::new();
    for (k, v) in d.iter() {
        let code = hs_param(&k, &format!("{what} key"))?;
        let duty = duty_arg(&v, &format!("{what}[{code}]"))?;
        if map.insert(code, duty).is_some() {
            return Err(invalid(format!("{what}: two keys name the code {code}")));
        }
    }
    if map.is_empty() {
        return Err(invalid(format!("{what}: no rates given")));
    }
    Ok(map)
}

/// A duty from a rate, or the string "prohibitive".
/// A duty from a `Duty`, a rate in percent, or the string "prohibitive".
pub(crate) fn duty_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Duty> {
    if let Ok(d) = v.cast::<crate::duty::PyDuty>() {
        return Ok(d.get().0.clone());
    }
    if let Ok(s) = v.cast::<PyString>() {
        if s.to_string().trim().eq_ignore_ascii_case("prohibitive") {
            return Ok(Duty::Prohibitive);
        }
    }
    Ok(Duty::ad_valorem(percent_arg(v, what)?))
}

fn stacking_arg(v: Option<&Bound<'_, PyAny>>) -> Result<Stacking> {
    match v.filter(|x| !x.is_none()) {
        None => Ok(Stacking::default()),
        Some(x) => x
            .cast::<PyStacking>()
            .map(|s| s.get().0.clone())
            .map_err(|_| type_error(format!("stacking: expected a Stacking, got {}", shown(x)))),
    }
}

fn validated(m: Measure) -> Result<PyMeasure> {
    m.validate()?;
    Ok(PyMeasure(Arc::new(m)))
}

#[allow(clippy::too_many_arguments)]
fn header_arg(
    id: &str,
    name: &str,
    imposer: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    scope: ProductScope,
    start: &Bound<'_, PyAny>,
    end: Option<&Bound<'_, PyAny>>,
    legal_basis: &str,
) -> Result<MeasureHeader> {
    let start = date_param(start, "start")?;
    let end = end.filter(|e| !e.is_none()).map(|e| date_param(e, "end")).transpose()?;
    let window = DateWindow::new_for(start, end, id)?;
    Ok(MeasureHeader::new(
        id,
        name,
        economy_param(imposer, "imposer")?,
        economy_param(target, "target")?,
        scope,
        window,
        legal_basis.parse::<LegalBasis>()?,
    )?)
}

/// A trade measure (tariff, exclusion, MFN change, ban, quota, purchase commitment, subsidy).
///
/// Read-only; build one with the static constructor of its kind (`Measure.tariff`,
/// `Measure.export_ban`, ...) or from its JSON form with `Measure.from_json`.
#[pyclass(frozen, eq, name = "Measure", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyMeasure(pub Arc<Measure>);

#[pymethods]
impl PyMeasure {
    /// An additional ad valorem tariff of `rate` percent on `scope` (a
    /// `ProductScope` or a list of codes; all products if None) minus `exclude`.
    /// `stacking` says how it combines with other layers (default: it adds).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, rate, start, end = None, scope = None, exclude = None, legal_basis = "section301".to_string(), stacking = None), text_signature = "(id, name, *, imposer, target, rate, start, end=None, scope=None, exclude=None, legal_basis='section301', stacking=None)")]
    #[allow(clippy::too_many_arguments)]
    fn tariff(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        rate: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
        stacking: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let h = header_arg(&id, &name, imposer, target, scope_arg(scope, exclude)?, start, end, &legal_basis)?;
        validated(Measure::Tariff {
            header: h,
            rates: TariffRates::uniform_ad_valorem(percent_arg(rate, "rate")?),
            stacking: stacking_arg(stacking)?,
        })
    }
    /// A tariff with one ad valorem rate per product: `rates` maps codes to
    /// percent (a product takes the rate of its longest listed code); the
    /// scope is the listed codes.
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, rates, start, end = None, legal_basis = "section301".to_string(), stacking = None), text_signature = "(id, name, *, imposer, target, rates, start, end=None, legal_basis='section301', stacking=None)")]
    #[allow(clippy::too_many_arguments)]
    fn tariff_by_product(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        rates: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
        stacking: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let map = rates_arg(rates, "rates")?;
        let h = header_arg(&id, &name, imposer, target, ProductScope::all(), start, end, &legal_basis)?;
        let mut m = Measure::tariff_by_product(h, map);
        if let Measure::Tariff { stacking: st, .. } = &mut m {
            *st = stacking_arg(stacking)?;
        }
        validated(m)
    }
    /// Carves `scope` (the excluded lines) out of the tariff with id `tariff`
    /// for the window, for goods from `target` (which may be narrower than
    /// the tariff's target: an exclusion for one partner of a worldwide tariff).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, tariff, imposer, target, scope, start, end = None, exclude = None, legal_basis = "section301".to_string()), text_signature = "(id, name, *, tariff, imposer, target, scope, start, end=None, exclude=None, legal_basis='section301')")]
    #[allow(clippy::too_many_arguments)]
    fn tariff_exclusion(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        #[pyo3(from_py_with = arg::tariff)] tariff: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        scope: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        if scope.is_none() {
            return Err(invalid(format!("tariff exclusion {id}: scope (the excluded lines) is required")));
        }
        let h = header_arg(&id, &name, imposer, target, scope_arg(Some(scope), exclude)?, start, end, &legal_basis)?;
        let tariff = MeasureId::new(&tariff).map_err(|e| located(e, "tariff"))?;
        validated(Measure::TariffExclusion { header: h, tariff })
    }
    /// A change of the imposer's own MFN rates toward every partner (the
    /// target is WLD): one `rate` on `scope`, or per-product `rates` (a dict
    /// of codes to percent; the scope is then the listed codes unless given).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, start, rate = None, rates = None, end = None, scope = None, exclude = None, legal_basis = "mfn".to_string()), text_signature = "(id, name, *, imposer, start, rate=None, rates=None, end=None, scope=None, exclude=None, legal_basis='mfn')")]
    #[allow(clippy::too_many_arguments)]
    fn mfn_change(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        rate: Option<&Bound<'_, PyAny>>,
        rates: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        let rates = match (rate.filter(|r| !r.is_none()), rates.filter(|r| !r.is_none())) {
            (Some(r), None) => TariffRates::uniform_ad_valorem(percent_arg(r, "rate")?),
            (None, Some(r)) => TariffRates::ByProduct { rates: rates_arg(r, "rates")? },
            _ => {
                return Err(invalid(format!(
                    "MFN change {}: give exactly one of rate= and rates=",
                    tradewar_core::excerpt(&id)
                )))
            }
        };
        let given = scope_arg(scope, exclude)?;
        let scope = match (scope.is_none_or(PyAnyMethods::is_none), rates.implied_scope()) {
            // Per-product rates and no scope: the listed codes, minus exclusions.
            (true, Some(listed)) => listed.with_exclusions(given.excluded().iter().copied()),
            _ => given,
        };
        let wld = PyString::new(imposer.py(), "WLD").into_any();
        let h = header_arg(&id, &name, imposer, &wld, scope, start, end, &legal_basis)?;
        validated(Measure::MfnChange { header: h, rates })
    }
    /// The imposer's exporters may not sell `scope` (all products if None) to
    /// `target`, or only to `entity` (an `Entity` of the target economy: a
    /// denial order such as the one on ZTE).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, start, end = None, scope = None, exclude = None, entity = None, legal_basis = "export_control".to_string()), text_signature = "(id, name, *, imposer, target, start, end=None, scope=None, exclude=None, entity=None, legal_basis='export_control')")]
    #[allow(clippy::too_many_arguments)]
    fn export_ban(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        entity: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        let entity = match entity.filter(|e| !e.is_none()) {
            None => None,
            Some(e) => Some(
                e.cast::<PyEntity>()
                    .map(|x| x.get().0.clone())
                    .map_err(|_| type_error(format!("entity: expected an Entity, got {}", shown(e))))?,
            ),
        };
        let h = header_arg(&id, &name, imposer, target, scope_arg(scope, exclude)?, start, end, &legal_basis)?;
        validated(Measure::ExportBan { header: h, entity })
    }
    /// The imposer bans imports of `scope` (all products if None) from `target`.
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, start, end = None, scope = None, exclude = None, legal_basis = "other".to_string()), text_signature = "(id, name, *, imposer, target, start, end=None, scope=None, exclude=None, legal_basis='other')")]
    #[allow(clippy::too_many_arguments)]
    fn import_ban(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        let h = header_arg(&id, &name, imposer, target, scope_arg(scope, exclude)?, start, end, &legal_basis)?;
        validated(Measure::ImportBan { header: h })
    }
    /// A cap of `annual_value` (Money, or US dollars) a year on imports of
    /// `scope` from `target`; above it `out_of_quota` applies: an additional
    /// rate in percent, or "prohibitive" (the default: a hard cap).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, annual_value, start, end = None, out_of_quota = None, scope = None, exclude = None, legal_basis = "other".to_string()), text_signature = "(id, name, *, imposer, target, annual_value, start, end=None, out_of_quota=None, scope=None, exclude=None, legal_basis='other')")]
    #[allow(clippy::too_many_arguments)]
    fn quota(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        annual_value: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        out_of_quota: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        let out_of_quota = match out_of_quota.filter(|v| !v.is_none()) {
            None => Duty::Prohibitive,
            Some(v) => duty_arg(v, "out_of_quota")?,
        };
        let annual_value = money_arg(annual_value, "annual_value")?;
        let h = header_arg(&id, &name, imposer, target, scope_arg(scope, exclude)?, start, end, &legal_basis)?;
        validated(Measure::Quota { header: h, annual_value, out_of_quota })
    }
    /// An ad valorem production subsidy of `rate` percent by the imposer on
    /// `scope`, affecting `target`; `export_only=True` for an export subsidy.
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, rate, start, end = None, export_only = false, scope = None, exclude = None, legal_basis = "other".to_string()), text_signature = "(id, name, *, imposer, target, rate, start, end=None, export_only=False, scope=None, exclude=None, legal_basis='other')")]
    #[allow(clippy::too_many_arguments)]
    fn subsidy(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        rate: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::export_only)] export_only: bool,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::legal_basis)] legal_basis: String,
    ) -> Result<Self> {
        let rate = percent_arg(rate, "rate")?;
        let h = header_arg(&id, &name, imposer, target, scope_arg(scope, exclude)?, start, end, &legal_basis)?;
        validated(Measure::Subsidy { header: h, rate, export_only })
    }
    /// A commitment of `buyer` to buy `scope` from `seller`: `amounts` maps years to Money
    /// (extra over `baseline_year` unless `total=True`).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, buyer, seller, amounts, baseline_year, start, end = None, scope = None, total = false))]
    #[allow(clippy::too_many_arguments)]
    fn purchase_commitment(
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::name)] name: String,
        buyer: &Bound<'_, PyAny>,
        seller: &Bound<'_, PyAny>,
        amounts: &Bound<'_, PyAny>,
        baseline_year: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::total)] total: bool,
    ) -> Result<Self> {
        let amounts = amounts
            .cast::<PyDict>()
            .map_err(|_| type_error(format!("amounts: expected a dict of years to amounts, got {}", shown(amounts))))?;
        let mut years = Vec::new();
        for (k, v) in amounts.iter() {
            let year = year_arg(&k, "amounts key")?;
            let amount = match v.cast::<PyMoney>() {
                Ok(m) => m.get().0,
                Err(_) => Money::new(decimal_arg(&v, &format!("amounts[{year}]"))?, tradewar_core::Currency::USD),
            };
            years.push(CommitmentYear { year, amount });
        }
        // An empty list is a commitment without goods scope (services, as Phase One's); None is every product.
        let scope = match scope {
            Some(s) if s.cast::<pyo3::types::PyList>().is_ok_and(pyo3::types::PyListMethods::is_empty) => {
                ProductScope::new([])
            }
            other => scope_arg(other, None)?,
        };
        let header = header_arg(&id, &name, buyer, seller, scope, start, end, "agreement")?;
        let m = Measure::PurchaseCommitment {
            header,
            kind: if total { CommitmentKind::Total } else { CommitmentKind::AboveBaseline },
            baseline_year: year_arg(baseline_year, "baseline_year")?,
            years,
        };
        m.validate()?;
        Ok(Self(Arc::new(m)))
    }
    /// A measure from its JSON form (validated).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        let m: Measure = from_json(&text, "measure")?;
        m.validate()?;
        Ok(Self(Arc::new(m)))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&*self.0)
    }
    /// Its id, e.g. "US301-L1".
    #[getter]
    fn id(&self) -> String {
        self.0.id().to_string()
    }
    /// Its name.
    #[getter]
    fn name(&self) -> String {
        self.0.header().name.clone()
    }
    /// "tariff", "tariff_exclusion", "mfn_change", "export_ban", "import_ban", "quota", "purchase_commitment" or "subsidy".
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
    /// Who imposes it (the buyer, for a commitment).
    #[getter]
    fn imposer(&self) -> PyEconomy {
        PyEconomy(self.0.header().imposer)
    }
    /// On whom (the seller, for a commitment).
    #[getter]
    fn target(&self) -> PyEconomy {
        PyEconomy(self.0.header().target)
    }
    /// The legal basis, e.g. "section301".
    #[getter]
    fn legal_basis(&self) -> &'static str {
        self.0.header().legal_basis.as_str()
    }
    /// When it applies as declared.
    #[getter]
    fn window(&self) -> PyDateWindow {
        PyDateWindow(self.0.header().window)
    }
    /// The codes in scope (empty when it covers every product).
    #[getter]
    fn scope(&self) -> Vec<PyHsCode> {
        self.0.header().scope.included().iter().copied().map(PyHsCode).collect()
    }
    /// Codes carved out of the scope.
    #[getter]
    fn excluded(&self) -> Vec<PyHsCode> {
        self.0.header().scope.excluded().iter().copied().map(PyHsCode).collect()
    }
    /// The whole scope (codes and exclusions) as a `ProductScope`.
    #[getter]
    fn product_scope(&self) -> PyProductScope {
        PyProductScope(self.0.header().scope.clone())
    }
    /// The uniform ad valorem rate of a tariff or MFN change, or a subsidy's rate.
    #[getter]
    fn rate(&self) -> Option<PyPercent> {
        if let Measure::Subsidy { rate, .. } = &*self.0 {
            return Some(PyPercent(*rate));
        }
        match self.0.rates()? {
            TariffRates::Uniform { duty, .. } => duty.ad_valorem_part().map(PyPercent),
            TariffRates::ByProduct { .. } => None,
        }
    }
    /// Per-product ad valorem rates (code to percent; None for a prohibitive
    /// duty) of a tariff or MFN change given by product; None otherwise.
    #[getter]
    fn rates(&self) -> Option<BTreeMap<PyHsCode, Option<PyPercent>>> {
        match self.0.rates()? {
            TariffRates::Uniform { .. } => None,
            TariffRates::ByProduct { rates } => {
                Some(rates.iter().map(|(c, d)| (PyHsCode(*c), d.ad_valorem_part().map(PyPercent))).collect())
            }
        }
    }
    /// How a tariff stacks on other layers (None for other kinds).
    #[getter]
    fn stacking(&self) -> Option<PyStacking> {
        match &*self.0 {
            Measure::Tariff { stacking, .. } => Some(PyStacking(stacking.clone())),
            _ => None,
        }
    }
    /// The id of the tariff a tariff exclusion carves out of (None for other kinds).
    #[getter]
    fn tariff_id(&self) -> Option<String> {
        match &*self.0 {
            Measure::TariffExclusion { tariff, .. } => Some(tariff.to_string()),
            _ => None,
        }
    }
    /// The entity an export ban denies, if it names one.
    #[getter]
    fn entity(&self) -> Option<PyEntity> {
        match &*self.0 {
            Measure::ExportBan { entity, .. } => entity.clone().map(PyEntity),
            _ => None,
        }
    }
    /// A quota's value allowed per year (None for other kinds).
    #[getter]
    fn annual_value(&self) -> Option<PyMoney> {
        match &*self.0 {
            Measure::Quota { annual_value, .. } => Some(PyMoney(*annual_value)),
            _ => None,
        }
    }
    /// A quota's additional ad valorem duty above the cap; None for a
    /// prohibitive one (a hard cap) and for other kinds.
    #[getter]
    fn out_of_quota(&self) -> Option<PyPercent> {
        match &*self.0 {
            Measure::Quota { out_of_quota, .. } => out_of_quota.ad_valorem_part().map(PyPercent),
            _ => None,
        }
    }
    /// Whether a subsidy is on exports only (None for other kinds).
    #[getter]
    fn export_only(&self) -> Option<bool> {
        match &*self.0 {
            Measure::Subsidy { export_only, .. } => Some(*export_only),
            _ => None,
        }
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Measure.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __str__(&self) -> String {
        format!(
            "{} {} ({}, {} on {})",
            self.0.kind(),
            self.0.id(),
            self.name(),
            self.0.header().imposer,
            self.0.header().target
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        json_reduce::<Self>(py, self.to_json()?)
    }
}

/// A dated action on the timeline: a measure imposed, changed, suspended, resumed or lifted, or a milestone.
#[pyclass(frozen, eq, name = "Event", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyEvent(pub Event);

impl PyEvent {
    /// The event with its note, checked as its JSON would be (`Event::validate`).
    fn noted(e: Event, note: Option<String>) -> Result<Self> {
        let e = match note {
            Some(n) => e.with_note(&n),
            None => e,
        };
        e.validate()?;
        Ok(Self(e))
    }
}

fn non_negative(m: Money, what: &str) -> Result<Money> {
    if m.is_negative() {
        return Err(invalid(format!("{what}: {m} is negative")));
    }
    Ok(m)
}

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Impose { .. } => "impose",
        Action::ChangeRates { .. } => "change_rates",
        Action::Suspend { .. } => "suspend",
        Action::Resume { .. } => "resume",
        Action::Lift { .. } => "lift",
        Action::Milestone { .. } => "milestone",
        _ => "other",
    }
}

#[pymethods]
impl PyEvent {
    /// `measure` comes into force on `date`.
    #[staticmethod]
    #[pyo3(signature = (date, measure, *, note = None))]
    fn impose(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::measure)] measure: PyMeasure,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        Self::noted(Event::new(date_arg(date)?, Action::Impose { measure: (*measure.0).clone() }), note)
    }
    /// The rates of measure `id` (a tariff or MFN change) change on `date`.
    /// Give exactly one of: `rate` (one new rate for the whole scope), `rates`
    /// (new per-product rates replacing all others), `update` (new rates for
    /// the listed products only; the measure must have per-product rates) or
    /// `scale` (every ad valorem rate times a factor between 0 and 10).
    ///
    /// List 3 raised from 10% to 25%:
    /// `Event.change_rates("2019-05-10", "US301-L3", rate="25")`.
    #[staticmethod]
    #[pyo3(signature = (date, id, *, rate = None, rates = None, update = None, scale = None, note = None))]
    #[allow(clippy::too_many_arguments)]
    fn change_rates(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::id)] id: String,
        rate: Option<&Bound<'_, PyAny>>,
        rates: Option<&Bound<'_, PyAny>>,
        update: Option<&Bound<'_, PyAny>>,
        scale: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        fn given<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
            v.filter(|x| !x.is_none())
        }
        let change = match (given(rate), given(rates), given(update), given(scale)) {
            (Some(r), None, None, None) => RateChange::Set(TariffRates::uniform_ad_valorem(percent_arg(r, "rate")?)),
            (None, Some(r), None, None) => RateChange::Set(TariffRates::ByProduct { rates: rates_arg(r, "rates")? }),
            (None, None, Some(u), None) => RateChange::Update { rates: rates_arg(u, "update")? },
            (None, None, None, Some(f)) => RateChange::Scale { factor: decimal_arg(f, "scale")? },
            _ => {
                return Err(invalid(format!(
                    "change of rates of {}: give exactly one of rate=, rates=, update= and scale=",
                    tradewar_core::excerpt(&id)
                )))
            }
        };
        let id = MeasureId::new(&id).map_err(|e| located(e, "id"))?;
        Self::noted(Event::new(date_arg(date)?, Action::ChangeRates { id, change }), note)
    }
    /// Measure `id` is suspended on `date`.
    #[staticmethod]
    #[pyo3(signature = (date, id, *, note = None))]
    fn suspend(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        let id = MeasureId::new(&id).map_err(|e| located(e, "id"))?;
        Self::noted(Event::new(date_arg(date)?, Action::Suspend { id }), note)
    }
    /// Measure `id` applies again on `date`.
    #[staticmethod]
    #[pyo3(signature = (date, id, *, note = None))]
    fn resume(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::id)] id: String,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        let id = MeasureId::new(&id).map_err(|e| located(e, "id"))?;
        Self::noted(Event::new(date_arg(date)?, Action::Resume { id }), note)
    }
    /// Measure `id` ends on `date`, possibly on conditions met: a `penalty`
    /// paid, money put in `escrow` (Money, or US dollars) and `conditions` in words.
    #[staticmethod]
    #[pyo3(signature = (date, id, *, penalty = None, escrow = None, conditions = None, note = None))]
    fn lift(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::id)] id: String,
        penalty: Option<&Bound<'_, PyAny>>,
        escrow: Option<&Bound<'_, PyAny>>,
        conditions: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        let mut all = Vec::new();
        if let Some(p) = penalty.filter(|v| !v.is_none()) {
            all.push(LiftCondition::Penalty { amount: non_negative(money_arg(p, "penalty")?, "penalty")? });
        }
        if let Some(e) = escrow.filter(|v| !v.is_none()) {
            all.push(LiftCondition::Escrow { amount: non_negative(money_arg(e, "escrow")?, "escrow")? });
        }
        if let Some(c) = conditions.filter(|v| !v.is_none()) {
            for text in crate::convert::str_list(c, "conditions")? {
                if text.trim().is_empty() {
                    return Err(invalid("conditions: a condition must not be empty"));
                }
                all.push(LiftCondition::Other { text });
            }
        }
        let id = MeasureId::new(&id).map_err(|e| located(e, "id"))?;
        Self::noted(Event::new(date_arg(date)?, Action::Lift { id, conditions: all }), note)
    }
    /// A milestone with no legal effect.
    #[staticmethod]
    #[pyo3(signature = (date, title, *, note = None))]
    fn milestone(
        date: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = arg::title)] title: String,
        #[pyo3(from_py_with = arg::note)] note: Option<String>,
    ) -> Result<Self> {
        if title.trim().is_empty() {
            return Err(invalid("title: a milestone needs a title"));
        }
        Self::noted(Event::new(date_arg(date)?, Action::Milestone { title }), note)
    }
    /// An event from its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(from_json(&text, "event")?))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// When.
    #[getter]
    fn date(&self) -> chrono::NaiveDate {
        self.0.date
    }
    /// "impose", "change_rates", "suspend", "resume", "lift" or "milestone".
    #[getter]
    fn action(&self) -> &'static str {
        action_name(&self.0.action)
    }
    /// The measure it acts on, if any.
    #[getter]
    fn measure_id(&self) -> Option<String> {
        self.0.measure_id().map(ToString::to_string)
    }
    /// The measure imposed, for "impose" events.
    #[getter]
    fn measure(&self) -> Option<PyMeasure> {
        match &self.0.action {
            Action::Impose { measure } => Some(PyMeasure(Arc::new(measure.clone()))),
            _ => None,
        }
    }
    /// A note, if any.
    #[getter]
    fn note(&self) -> Option<String> {
        self.0.note.clone()
    }
    /// The conditions met for a "lift" event, in words (e.g. "penalty of 1000000000 USD").
    #[getter]
    fn conditions(&self) -> Vec<String> {
        match &self.0.action {
            Action::Lift { conditions, .. } => conditions.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Event.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        json_reduce::<Self>(py, self.to_json()?)
    }
}

/// A dated sequence of events: what was imposed, changed and lifted, when.
#[pyclass(frozen, eq, name = "Timeline", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyTimeline(pub Arc<Timeline>);

fn status_text(s: &Status) -> String {
    match s {
        Status::InForce => "in force".into(),
        Status::Suspended { .. } => "suspended".into(),
        Status::Lifted { .. } => "lifted".into(),
        Status::Expired { .. } => "expired".into(),
    }
}

#[pymethods]
impl PyTimeline {
    #[new]
    #[pyo3(signature = (name, events = None))]
    fn new(#[pyo3(from_py_with = arg::name)] name: String, events: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        let events = match events.filter(|e| !e.is_none()) {
            Some(e) => class_list::<PyEvent>(e, "events")?.into_iter().map(|e| e.0).collect(),
            None => Vec::new(),
        };
        Ok(Self(Arc::new(Timeline::from_events(&name, events)?)))
    }
    /// A timeline from its JSON form (validated).
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(Arc::new(from_json(&text, "timeline")?)))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&*self.0)
    }
    /// Its name.
    #[getter]
    fn name(&self) -> String {
        self.0.name().to_string()
    }
    /// The events in date order.
    #[getter]
    fn events(&self) -> Vec<PyEvent> {
        self.0.events().iter().cloned().map(PyEvent).collect()
    }
    /// Every measure ever imposed.
    fn measures(&self) -> Vec<PyMeasure> {
        self.0.measures().cloned().map(|m| PyMeasure(Arc::new(m))).collect()
    }
    /// One measure by id, or None.
    fn measure(&self, #[pyo3(from_py_with = arg::id)] id: String) -> Result<Option<PyMeasure>> {
        let id = MeasureId::new(&id).map_err(|e| located(e, "id"))?;
        Ok(self.0.measure(&id).cloned().map(|m| PyMeasure(Arc::new(m))))
    }
    /// Dates with events.
    fn dates(&self) -> Vec<chrono::NaiveDate> {
        self.0.dates()
    }
    /// The measures in force on `date`.
    fn in_force(&self, date: &Bound<'_, PyAny>) -> Result<Vec<PyMeasure>> {
        let s = self.0.state_at(date_arg(date)?);
        Ok(s.in_force().cloned().map(|m| PyMeasure(Arc::new(m))).collect())
    }
    /// Every measure's status on `date` (measure id, kind, status).
    fn state_at(&self, date: &Bound<'_, PyAny>) -> Result<PyTable> {
        let s = self.0.state_at(date_arg(date)?);
        let (mut ids, mut kinds, mut status) = (Vec::new(), Vec::new(), Vec::new());
        for m in s.measures() {
            ids.push(m.measure.id().to_string());
            kinds.push(m.measure.kind().to_string());
            status.push(status_text(&m.status));
        }
        Ok(PyTable(
            TableData::new("state")
                .with("id", Column::Str(ids))
                .with("kind", Column::Str(kinds))
                .with("status", Column::Str(status)),
        ))
    }
    /// One row per event: date, action, measure, description.
    fn to_table(&self) -> PyTable {
        let ev = self.0.events();
        PyTable(
            TableData::new("timeline")
                .with("date", Column::Date(ev.iter().map(|e| e.date).collect()))
                .with("action", Column::Str(ev.iter().map(|e| action_name(&e.action).to_string()).collect()))
                .with(
                    "measure",
                    Column::Str(
                        ev.iter().map(|e| e.measure_id().map(ToString::to_string).unwrap_or_default()).collect(),
                    ),
                )
                .with("description", Column::Str(ev.iter().map(|e| e.describe(&self.0)).collect())),
        )
    }
    fn __len__(&self) -> usize {
        self.0.events().len()
    }
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::tables_helper(slf.py(), "timeline_html")?.call1((slf,))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("Timeline.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        json_reduce::<Self>(py, self.to_json()?)
    }
}

/// An importer's MFN (most-favoured-nation) duties by line.
#[pyclass(frozen, eq, name = "MfnTable", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyMfnTable(pub Arc<MfnTable>);

#[pymethods]
impl PyMfnTable {
    /// `rates` maps codes (str or HsCode) to a rate in percent or a `Duty` (specific,
    /// compound, complex...).
    #[new]
    fn new(importer: &Bound<'_, PyAny>, rates: &Bound<'_, PyAny>) -> Result<Self> {
        let rates = rates
            .cast::<PyDict>()
            .map_err(|_| type_error(format!("rates: expected a dict of codes to rates, got {}", shown(rates))))?;
        let mut lines = Vec::new();
        for (k, v) in rates.iter() {
            let code = hs_param(&k, "rates key")?;
            lines.push((code, duty_arg(&v, &format!("rates[{code}]"))?));
        }
        Ok(Self(Arc::new(MfnTable::new(economy_param(importer, "importer")?, lines)?)))
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(Arc::new(from_json(&text, "MFN table")?)))
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&*self.0)
    }
    /// Whose duties.
    #[getter]
    fn importer(&self) -> PyEconomy {
        PyEconomy(self.0.importer())
    }
    /// The duty on `line` (longest matching code), if the table knows it.
    fn duty(&self, line: &Bound<'_, PyAny>) -> Result<Option<crate::duty::PyDuty>> {
        Ok(self.0.duty_for(hs_param(line, "line")?).cloned().map(crate::duty::PyDuty))
    }
    /// The ad valorem part of the duty on `line` (longest matching code), if known.
    fn rate(&self, line: &Bound<'_, PyAny>) -> Result<Option<PyPercent>> {
        Ok(self.0.duty_for(hs_param(line, "line")?).and_then(Duty::ad_valorem_part).map(PyPercent))
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("MfnTable.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        json_reduce::<Self>(py, self.to_json()?)
    }
}

/// The schedule: a timeline plus MFN tables; the duty on any line from any origin on any date.
#[pyclass(frozen, name = "Schedule", module = "tradewar")]
#[derive(Clone)]
pub struct PySchedule {
    pub inner: Arc<Schedule>,
    pub timeline: PyTimeline,
    pub mfn: Vec<PyMfnTable>,
}

impl PySchedule {
    /// Wraps a schedule built in Rust, recovering its MFN tables for pickling.
    pub fn from_rust(s: Schedule) -> Self {
        let mfn = s.mfn_tables().into_iter().map(|t| PyMfnTable(Arc::new(t.clone()))).collect();
        Self { timeline: PyTimeline(Arc::new(s.timeline().clone())), inner: Arc::new(s), mfn }
    }

    /// A schedule of a timeline and MFN tables; two tables of one importer are refused
    /// (one would silently replace the other).
    pub fn from_parts(
        timeline: PyTimeline,
        tables: Vec<PyMfnTable>,
        coverage: Option<tradewar_core::DataCoverage>,
    ) -> Result<Self> {
        let mut s = Schedule::new((*timeline.0).clone());
        for t in &tables {
            if s.mfn(t.0.importer()).is_some() {
                return Err(invalid(format!("mfn: two tables for importer {}", t.0.importer())));
            }
            s = s.with_mfn((*t.0).clone());
        }
        if let Some(c) = coverage {
            s = s.with_coverage(c);
        }
        Ok(Self { inner: Arc::new(s), timeline, mfn: tables })
    }
}

/// What makes the duty on one line: the base (MFN) plus each layer.
#[pyclass(frozen, eq, name = "DutyStack", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyDutyStack(pub tradewar_core::DutyStack);

#[pymethods]
impl PyDutyStack {
    /// The importer.
    #[getter]
    fn importer(&self) -> PyEconomy {
        PyEconomy(self.0.importer)
    }
    /// The exporter (origin).
    #[getter]
    fn exporter(&self) -> PyEconomy {
        PyEconomy(self.0.exporter)
    }
    /// The customs line.
    #[getter]
    fn line(&self) -> PyHsCode {
        PyHsCode(self.0.line)
    }
    /// The date.
    #[getter]
    fn date(&self) -> chrono::NaiveDate {
        self.0.date
    }
    /// Total ad valorem duty, or None when a specific duty makes it unknown.
    #[getter]
    fn total(&self) -> Option<PyPercent> {
        self.0.total_ad_valorem.map(PyPercent)
    }
    /// The base (MFN) rate as it counts in the total: its ad valorem part, plus
    /// the equivalent of a specific part where the schedule prices it (None if prohibitive).
    #[getter]
    fn base(&self) -> Option<PyPercent> {
        self.0.base.contribution.map(PyPercent)
    }
    /// Total minus base.
    #[getter]
    fn additional(&self) -> Option<PyPercent> {
        self.0.additional().map(PyPercent)
    }
    /// Layers in force: (id, name, legal basis, rate) tuples.
    #[getter]
    fn layers(&self) -> Vec<(Option<String>, String, &'static str, Option<PyPercent>)> {
        self.0
            .layers
            .iter()
            .map(|l| {
                (
                    l.id.as_ref().map(ToString::to_string),
                    l.name.clone(),
                    l.legal_basis.as_str(),
                    l.contribution.or_else(|| l.duty.ad_valorem_part()).map(PyPercent),
                )
            })
            .collect()
    }
    /// Measures that ban the line, if any.
    #[getter]
    fn blocked_by(&self) -> Vec<String> {
        self.0.blocked_by.iter().map(ToString::to_string).collect()
    }
    /// What the answer assumes (a date outside the sources, an unknown base rate,
    /// specific duties left out), one sentence each; each was also issued as a warning.
    #[getter]
    fn caveats(&self) -> Vec<String> {
        self.0.caveats.iter().map(ToString::to_string).collect()
    }
    /// A human explanation, one layer per line.
    fn explain(&self) -> String {
        self.0.explain()
    }
    /// The JSON form.
    fn to_json(&self) -> Result<String> {
        to_json(&self.0)
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(#[pyo3(from_py_with = arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
        Ok(Self(from_json(&text, "duty stack")?))
    }
    fn __str__(&self) -> String {
        self.0.explain()
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("DutyStack.from_json({})", py_str_repr(py, &self.to_json()?)?))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        json_reduce::<Self>(py, self.to_json()?)
    }
}

#[pymethods]
impl PySchedule {
    /// `coverage` says what the sources cover: outside it questions are refused
    /// (another importer) or answered with a warning (a date outside the period).
    #[new]
    #[pyo3(signature = (timeline, mfn = None, coverage = None))]
    fn new(
        #[pyo3(from_py_with = arg::timeline)] timeline: PyTimeline,
        mfn: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = arg::opt_coverage)] coverage: Option<PyDataCoverage>,
    ) -> Result<Self> {
        let tables = match mfn.filter(|m| !m.is_none()) {
            Some(m) => class_list::<PyMfnTable>(m, "mfn")?,
            None => Vec::new(),
        };
        Self::from_parts(timeline, tables, coverage.map(|c| c.0))
    }
    /// What the schedule's sources cover, if it says.
    #[getter]
    fn coverage(&self) -> Option<PyDataCoverage> {
        self.inner.coverage().cloned().map(PyDataCoverage)
    }
    /// The schedule with more events on its timeline (a what-if: impose a measure,
    /// change its rates, suspend, resume, lift); refused as the timeline refuses them.
    fn with_events(&self, events: &Bound<'_, PyAny>) -> Result<Self> {
        let events = each_named(events, "events", event_arg)?;
        Ok(Self::from_rust(self.inner.with_events(events)?))
    }
    /// The rate of a product at any level (chapter, heading, HS6, line) over the
    /// importer's tariff lines below it, with the bracket: a ProductRate.
    fn rate(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
    ) -> Result<PyProductRate> {
        let (i, e) = (economy_param(importer, "importer")?, economy_param(exporter, "exporter")?);
        let (p, d) = (hs_param(product, "product")?, date_param(date, "date")?);
        let s = &self.inner;
        let r = crate::detached(py, || s.at(d).product_rate(i, e, p))?;
        crate::caveats::warn_all(py, &r.caveats)?;
        Ok(PyProductRate(r))
    }
    /// The year of the unit values that price specific duties at their ad valorem
    /// equivalents, if the schedule has them (the 2018 story's schedule: 2017).
    #[getter]
    fn unit_value_year(&self) -> Option<i32> {
        self.inner.unit_values().map(|(_, year)| year)
    }
    /// The JSON form: timeline, MFN tables, coverage and unit values.
    fn to_json(&self) -> Result<String> {
        to_json(&*self.inner)
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self::from_rust(from_json(text, "schedule")?))
    }
    /// Equal when the timelines, the MFN tables, the coverage and the unit values are equal.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match other.cast::<PySchedule>() {
            Ok(o) => (*o.get().inner == *self.inner).into_pyobject(py)?.to_owned().into_any().unbind(),
            Err(_) => py.NotImplemented(),
        })
    }
    /// The timeline.
    #[getter]
    fn timeline(&self) -> PyTimeline {
        self.timeline.clone()
    }
    /// The MFN tables.
    #[getter]
    fn mfn_tables(&self) -> Vec<PyMfnTable> {
        self.mfn.clone()
    }
    /// The duty stack on one line from one origin on one date.
    fn query(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
    ) -> Result<PyDutyStack> {
        let (i, e) = (economy_param(importer, "importer")?, economy_param(exporter, "exporter")?);
        let (l, d) = (hs_param(line, "line")?, date_arg(date)?);
        let s = &self.inner;
        let stack = crate::detached(py, || s.query(i, e, l, d))?;
        crate::caveats::warn_all(py, &stack.caveats)?;
        Ok(PyDutyStack(stack))
    }
    /// Total ad valorem duty for many lines at once (columns of equal length; the GIL is released).
    fn bulk(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
    ) -> Result<PyTable> {
        let lines = CustomsLines::new(
            each_named(importer, "importer", |v| economy_param(v, "importer"))?,
            each_named(exporter, "exporter", |v| economy_param(v, "exporter"))?,
            each_named(line, "line", |v| hs_param(v, "line"))?,
            each_named(date, "date", date_arg)?,
        )?;
        let s = &self.inner;
        let stacks = crate::detached(py, || s.bulk_stacks(&lines))?;
        crate::caveats::warn_rows(py, stacks.iter().flat_map(|s| &s.caveats))?;
        Ok(stacks_table(&stacks))
    }
    /// The policy of one date, compiled once for many queries (the GIL is released meanwhile).
    fn at(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> Result<PyScheduleAt> {
        let d = date_arg(date)?;
        let s = &self.inner;
        let at = crate::detached(py, || s.at(d));
        Ok(PyScheduleAt { inner: Arc::new(at), schedule: self.clone() })
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        if self.inner.unit_values().is_some() {
            // The constructor has no unit values: only the JSON form evaluates to an equal schedule.
            return Ok(format!("Schedule.from_json({})", py_str_repr(py, &self.to_json()?)?));
        }
        let tables: Vec<String> = self.mfn.iter().map(|t| t.__repr__(py)).collect::<Result<_>>()?;
        let coverage = match self.coverage() {
            Some(c) => format!(", coverage={}", c.__repr__(py)?),
            None => String::new(),
        };
        Ok(format!("Schedule({}, mfn=[{}]{coverage})", self.timeline.__repr__(py)?, tables.join(", ")))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> Result<Reduced<'py>> {
        if self.inner.unit_values().is_some() {
            return json_reduce::<Self>(py, self.to_json()?);
        }
        let args = (self.timeline.clone(), self.mfn.clone(), self.coverage()).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

/// One economy for every row, or one per row.
fn economy_column(v: &Bound<'_, PyAny>, n: usize, what: &'static str) -> Result<Vec<Economy>> {
    if v.is_instance_of::<PyString>() || v.cast::<PyEconomy>().is_ok() {
        return Ok(vec![economy_param(v, what)?; n]);
    }
    let col = each_named(v, what, |x| economy_param(x, what))?;
    if col.len() != n {
        return Err(tradewar_core::Error::ColumnLength { column: what, got: col.len(), expected: n }.into());
    }
    Ok(col)
}

/// The policy of one date compiled for queries: `Schedule.at(date)`.
///
/// Every query on it prices lines on that date without replaying the
/// timeline again: use it to price many lines on one date.
#[pyclass(frozen, name = "ScheduleAt", module = "tradewar")]
#[derive(Clone)]
pub struct PyScheduleAt {
    inner: Arc<ScheduleAt>,
    schedule: PySchedule,
}

#[pymethods]
impl PyScheduleAt {
    /// The date.
    #[getter]
    fn date(&self) -> chrono::NaiveDate {
        self.inner.date()
    }
    /// The schedule it was compiled from.
    #[getter]
    fn schedule(&self) -> PySchedule {
        self.schedule.clone()
    }
    /// The duty stack on one line from one origin. Refused (UnanswerableError, saying what
    /// to ask instead): an economy with itself, an importer outside the sources, a code
    /// coarser than the importer's lines or split by a finer listing (ask `product_rate`).
    fn stack(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
    ) -> Result<PyDutyStack> {
        let (i, e) = (economy_param(importer, "importer")?, economy_param(exporter, "exporter")?);
        let stack = self.inner.stack(i, e, hs_param(line, "line")?)?;
        crate::caveats::warn_all(py, &stack.caveats)?;
        Ok(PyDutyStack(stack))
    }
    /// The duty stack on one line from one origin (the same as `stack`, named as `Schedule.query`).
    fn query(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
    ) -> Result<PyDutyStack> {
        self.stack(py, importer, exporter, line)
    }
    /// Only the total ad valorem duty on a line (None when a ban or a prohibitive duty
    /// stops trade); refused as `stack` refuses, and warns as `stack` does (a date after
    /// the sources, a base rate unknown, a specific duty left out).
    fn total(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
    ) -> Result<Option<PyPercent>> {
        Ok(self.stack(py, importer, exporter, line)?.0.total_ad_valorem.map(PyPercent))
    }
    /// The base (MFN) ad valorem rate of a line, after MFN changes in force.
    fn base_rate(&self, importer: &Bound<'_, PyAny>, line: &Bound<'_, PyAny>) -> Result<Option<PyPercent>> {
        Ok(self.inner.base_rate(economy_param(importer, "importer")?, hs_param(line, "line")?)?.map(PyPercent))
    }
    /// The rate of a product at any level (a chapter, heading, HS6 subheading or line)
    /// over the importer's tariff lines below it, by every method at once (line share,
    /// lowest, highest): a ProductRate.
    fn product_rate(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
    ) -> Result<PyProductRate> {
        let (i, e) = (economy_param(importer, "importer")?, economy_param(exporter, "exporter")?);
        let r = self.inner.product_rate(i, e, hs_param(product, "product")?)?;
        crate::caveats::warn_all(py, &r.caveats)?;
        Ok(PyProductRate(r))
    }
    /// The measures in force on the date (rates as changed so far).
    fn in_force(&self) -> Vec<PyMeasure> {
        self.inner.state().in_force().cloned().map(|m| PyMeasure(Arc::new(m))).collect()
    }
    /// The tariffs in force that `importer` applies to goods from `exporter`.
    fn tariffs_on(&self, importer: &Bound<'_, PyAny>, exporter: &Bound<'_, PyAny>) -> Result<Vec<PyMeasure>> {
        let (i, e) = (economy_param(importer, "importer")?, economy_param(exporter, "exporter")?);
        Ok(self.inner.tariffs_on(i, e).cloned().map(|m| PyMeasure(Arc::new(m))).collect())
    }
    /// Duty stacks of many lines (the GIL is released): `line` is a column
    /// of codes; `importer` and `exporter` are one economy for every row or
    /// columns of the same length. The same table as `Schedule.bulk`.
    fn bulk(
        &self,
        py: Python<'_>,
        importer: &Bound<'_, PyAny>,
        exporter: &Bound<'_, PyAny>,
        line: &Bound<'_, PyAny>,
    ) -> Result<PyTable> {
        let lines = each_named(line, "line", |v| hs_param(v, "line"))?;
        let n = lines.len();
        let importers = economy_column(importer, n, "importer")?;
        let exporters = economy_column(exporter, n, "exporter")?;
        let at = &self.inner;
        let stacks = crate::detached(py, || -> tradewar_core::Result<Vec<tradewar_core::DutyStack>> {
            let mut cache: HashMap<(Economy, Economy, HsCode), tradewar_core::DutyStack> = HashMap::new();
            let mut out = Vec::with_capacity(n);
            for (row, ((i, e), l)) in importers.iter().zip(&exporters).zip(&lines).enumerate() {
                let key = (*i, *e, *l);
                let stack = if let Some(s) = cache.get(&key) {
                    s.clone()
                } else {
                    let s = at
                        .stack(key.0, key.1, key.2)
                        .map_err(|e| tradewar_core::Error::InRow { row, source: Box::new(e) })?;
                    cache.insert(key, s.clone());
                    s
                };
                out.push(stack);
            }
            Ok(out)
        })?;
        crate::caveats::warn_rows(py, stacks.iter().flat_map(|s| &s.caveats))?;
        Ok(stacks_table(&stacks))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        Ok(format!("{}.at('{}')", self.schedule.__repr__(py)?, self.inner.date()))
    }
    fn __str__(&self) -> String {
        format!(
            "ScheduleAt({}, {}: {} measures in force)",
            self.schedule.timeline.0.name(),
            self.inner.date(),
            self.inner.state().in_force().count()
        )
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let args = (self.schedule.clone(), self.inner.date()).into_pyobject(py)?;
        Ok((py.get_type::<PySchedule>().getattr("at")?, args))
    }
}

fn stacks_table(stacks: &[tradewar_core::DutyStack]) -> PyTable {
    let pct = |p: Option<Percent>| p.map(Percent::value);
    PyTable(
        TableData::new("duties")
            .with("importer", Column::Str(stacks.iter().map(|s| s.importer.to_string()).collect()))
            .with("exporter", Column::Str(stacks.iter().map(|s| s.exporter.to_string()).collect()))
            .with("line", Column::Str(stacks.iter().map(|s| s.line.to_string()).collect()))
            .with("date", Column::Date(stacks.iter().map(|s| s.date).collect()))
            .with("base", Column::Decimal(stacks.iter().map(|s| pct(s.base.contribution)).collect()))
            .with("additional", Column::Decimal(stacks.iter().map(|s| pct(s.additional())).collect()))
            .with("total", Column::Decimal(stacks.iter().map(|s| pct(s.total_ad_valorem)).collect()))
            .with(
                "layers",
                Column::Str(
                    stacks
                        .iter()
                        .map(|s| {
                            s.layers
                                .iter()
                                .filter_map(|l| l.id.as_ref().map(ToString::to_string))
                                .collect::<Vec<_>>()
                                .join("+")
                        })
                        .collect(),
                ),
            )
            .with("blocked", Column::Bool(stacks.iter().map(|s| !s.blocked_by.is_empty()).collect()))
            // Each row's own flags (the warnings say how many rows carry each kind).
            .with(
                "caveats",
                Column::Str(
                    stacks
                        .iter()
                        .map(|s| s.caveats.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                        .collect(),
                ),
            ),
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMeasure>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<PyTimeline>()?;
    m.add_class::<PyMfnTable>()?;
    m.add_class::<PySchedule>()?;
    m.add_class::<PyDutyStack>()?;
    m.add_class::<PyScheduleAt>()?;
    Ok(())
}
