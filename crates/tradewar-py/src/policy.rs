//! Measures, timelines and the schedule.

use std::collections::BTreeMap;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use tradewar_core::{
    Action, CommitmentKind, CommitmentYear, CustomsLines, DateWindow, Duty, Economy, Event, LegalBasis, Measure,
    MeasureHeader, MeasureId, MfnTable, Money, Percent, ProductScope, Schedule, Status, Timeline,
};

use crate::convert::{date_arg, decimal_arg, each, economy_arg, from_json, hs_arg, py_str_repr, to_json, year_arg};
use crate::error::{invalid, Result};
use crate::table::{Column, PyTable, TableData};
use crate::values::{PyDateWindow, PyEconomy, PyHsCode, PyMoney, PyPercent};

type Reduced<'py> = (Bound<'py, PyAny>, Bound<'py, PyTuple>);

fn json_reduce<T: pyo3::PyTypeInfo>(py: Python<'_>, json: String) -> Result<Reduced<'_>> {
    Ok((py.get_type::<T>().getattr("from_json")?, PyTuple::new(py, [json])?))
}

fn percent_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Percent> {
    if let Ok(p) = v.cast::<PyPercent>() {
        return Ok(p.get().0);
    }
    Ok(Percent::new(decimal_arg(v, what)?)?)
}

fn scope_arg(scope: Option<&Bound<'_, PyAny>>, exclude: Option<&Bound<'_, PyAny>>) -> Result<ProductScope> {
    let base = match scope.filter(|s| !s.is_none()) {
        None => ProductScope::all(),
        Some(s) => ProductScope::new(each(s, hs_arg)?),
    };
    Ok(match exclude.filter(|s| !s.is_none()) {
        None => base,
        Some(x) => base.with_exclusions(each(x, hs_arg)?),
    })
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
    let start = date_arg(start)?;
    let end = end.filter(|e| !e.is_none()).map(date_arg).transpose()?;
    let window = DateWindow::new_for(start, end, id)?;
    Ok(MeasureHeader::new(
        id,
        name,
        economy_arg(imposer)?,
        economy_arg(target)?,
        scope,
        window,
        legal_basis.parse::<LegalBasis>()?,
    )?)
}

/// A trade measure (tariff, exclusion, MFN change, ban, quota, purchase commitment, subsidy).
///
/// Read-only; build tariffs and purchase commitments with the static constructors,
/// anything else with `Measure.from_json`.
#[pyclass(frozen, eq, name = "Measure", module = "tradewar")]
#[derive(Clone, PartialEq)]
pub struct PyMeasure(pub Arc<Measure>);

#[pymethods]
impl PyMeasure {
    /// An additional ad valorem tariff of `rate` percent on `scope` (all products if None).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, rate, start, end = None, scope = None, exclude = None, legal_basis = "section301"))]
    #[allow(clippy::too_many_arguments)]
    fn tariff(
        id: &str,
        name: &str,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        rate: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        legal_basis: &str,
    ) -> Result<Self> {
        let h = header_arg(id, name, imposer, target, scope_arg(scope, exclude)?, start, end, legal_basis)?;
        let m = Measure::tariff(h, percent_arg(rate, "rate")?);
        m.validate()?;
        Ok(Self(Arc::new(m)))
    }
    /// A tariff with one ad valorem rate per product: `rates` maps codes to percent.
    #[staticmethod]
    #[pyo3(signature = (id, name, *, imposer, target, rates, start, end = None, legal_basis = "section301"))]
    #[allow(clippy::too_many_arguments)]
    fn tariff_by_product(
        id: &str,
        name: &str,
        imposer: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        rates: &Bound<'_, PyDict>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        legal_basis: &str,
    ) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (k, v) in rates.iter() {
            map.insert(hs_arg(&k)?, Duty::ad_valorem(percent_arg(&v, "rate")?));
        }
        let h = header_arg(id, name, imposer, target, ProductScope::all(), start, end, legal_basis)?;
        let m = Measure::tariff_by_product(h, map);
        m.validate()?;
        Ok(Self(Arc::new(m)))
    }
    /// A commitment of `buyer` to buy `scope` from `seller`: `amounts` maps years to Money
    /// (extra over `baseline_year` unless `total=True`).
    #[staticmethod]
    #[pyo3(signature = (id, name, *, buyer, seller, amounts, baseline_year, start, end = None, scope = None, total = false))]
    #[allow(clippy::too_many_arguments)]
    fn purchase_commitment(
        id: &str,
        name: &str,
        buyer: &Bound<'_, PyAny>,
        seller: &Bound<'_, PyAny>,
        amounts: &Bound<'_, PyDict>,
        baseline_year: &Bound<'_, PyAny>,
        start: &Bound<'_, PyAny>,
        end: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        total: bool,
    ) -> Result<Self> {
        let mut years = Vec::new();
        for (k, v) in amounts.iter() {
            let amount = match v.cast::<PyMoney>() {
                Ok(m) => m.get().0,
                Err(_) => Money::new(decimal_arg(&v, "amount")?, tradewar_core::Currency::USD),
            };
            years.push(CommitmentYear { year: year_arg(&k, "year")?, amount });
        }
        let header = header_arg(id, name, buyer, seller, scope_arg(scope, None)?, start, end, "agreement")?;
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
    fn from_json(text: &str) -> Result<Self> {
        let m: Measure = from_json(text, "measure")?;
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
    /// The uniform ad valorem rate, if it has one.
    #[getter]
    fn rate(&self) -> Option<PyPercent> {
        match self.0.rates()? {
            tradewar_core::TariffRates::Uniform { duty, .. } => duty.ad_valorem_part().map(PyPercent),
            tradewar_core::TariffRates::ByProduct { .. } => None,
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
    fn impose(date: &Bound<'_, PyAny>, measure: &PyMeasure, note: Option<&str>) -> Result<Self> {
        let e = Event::new(date_arg(date)?, Action::Impose { measure: (*measure.0).clone() });
        Ok(Self(match note {
            Some(n) => e.with_note(n),
            None => e,
        }))
    }
    /// Measure `id` is suspended on `date`.
    #[staticmethod]
    fn suspend(date: &Bound<'_, PyAny>, id: &str) -> Result<Self> {
        Ok(Self(Event::new(date_arg(date)?, Action::Suspend { id: MeasureId::new(id)? })))
    }
    /// Measure `id` applies again on `date`.
    #[staticmethod]
    fn resume(date: &Bound<'_, PyAny>, id: &str) -> Result<Self> {
        Ok(Self(Event::new(date_arg(date)?, Action::Resume { id: MeasureId::new(id)? })))
    }
    /// Measure `id` ends on `date`.
    #[staticmethod]
    fn lift(date: &Bound<'_, PyAny>, id: &str) -> Result<Self> {
        Ok(Self(Event::new(date_arg(date)?, Action::Lift { id: MeasureId::new(id)?, conditions: Vec::new() })))
    }
    /// A milestone with no legal effect.
    #[staticmethod]
    fn milestone(date: &Bound<'_, PyAny>, title: &str) -> Result<Self> {
        if title.trim().is_empty() {
            return Err(invalid("a milestone needs a title"));
        }
        Ok(Self(Event::new(date_arg(date)?, Action::Milestone { title: title.to_string() })))
    }
    /// An event from its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(from_json(text, "event")?))
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
    fn new(name: &str, events: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        let events = match events {
            Some(e) => each(e, |x| {
                x.cast::<PyEvent>().map(|e| e.get().0.clone()).map_err(|_| invalid("events must be Event objects"))
            })?,
            None => Vec::new(),
        };
        Ok(Self(Arc::new(Timeline::from_events(name, events)?)))
    }
    /// A timeline from its JSON form (validated).
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(Arc::new(from_json(text, "timeline")?)))
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
    fn measure(&self, id: &str) -> Result<Option<PyMeasure>> {
        Ok(self.0.measure(&MeasureId::new(id)?).cloned().map(|m| PyMeasure(Arc::new(m))))
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
    /// `rates` maps codes (str or HsCode) to ad valorem percent.
    #[new]
    fn new(importer: &Bound<'_, PyAny>, rates: &Bound<'_, PyDict>) -> Result<Self> {
        let mut lines = Vec::new();
        for (k, v) in rates.iter() {
            lines.push((hs_arg(&k)?, Duty::ad_valorem(percent_arg(&v, "rate")?)));
        }
        Ok(Self(Arc::new(MfnTable::new(economy_arg(importer)?, lines)?)))
    }
    /// From its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(Arc::new(from_json(text, "MFN table")?)))
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
    /// The ad valorem part of the duty on `line` (longest matching code), if known.
    fn rate(&self, line: &Bound<'_, PyAny>) -> Result<Option<PyPercent>> {
        Ok(self.0.duty_for(hs_arg(line)?).and_then(Duty::ad_valorem_part).map(PyPercent))
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
        let mut economies: Vec<Economy> = vec![Economy::USA, Economy::CHN];
        for m in s.timeline().measures() {
            economies.push(m.header().imposer);
            economies.push(m.header().target);
        }
        economies.sort_unstable();
        economies.dedup();
        let mfn = economies.iter().filter_map(|e| s.mfn(*e)).map(|t| PyMfnTable(Arc::new(t.clone()))).collect();
        Self { timeline: PyTimeline(Arc::new(s.timeline().clone())), inner: Arc::new(s), mfn }
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
    /// The base (MFN) rate, if ad valorem.
    #[getter]
    fn base(&self) -> Option<PyPercent> {
        self.0.base.duty.ad_valorem_part().map(PyPercent)
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
    fn from_json(text: &str) -> Result<Self> {
        Ok(Self(from_json(text, "duty stack")?))
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
    #[new]
    #[pyo3(signature = (timeline, mfn = None))]
    fn new(timeline: PyTimeline, mfn: Option<&Bound<'_, PyAny>>) -> Result<Self> {
        let tables = match mfn {
            Some(m) => each(m, |x| {
                x.cast::<PyMfnTable>().map(|t| t.get().clone()).map_err(|_| invalid("mfn must be MfnTable objects"))
            })?,
            None => Vec::new(),
        };
        let mut s = Schedule::new((*timeline.0).clone());
        for t in &tables {
            s = s.with_mfn((*t.0).clone());
        }
        Ok(Self { inner: Arc::new(s), timeline, mfn: tables })
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
        let (i, e, l, d) = (economy_arg(importer)?, economy_arg(exporter)?, hs_arg(line)?, date_arg(date)?);
        let s = &self.inner;
        Ok(PyDutyStack(crate::detached(py, || s.query(i, e, l, d))))
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
            each(importer, economy_arg)?,
            each(exporter, economy_arg)?,
            each(line, hs_arg)?,
            each(date, date_arg)?,
        )?;
        let s = &self.inner;
        let stacks = crate::detached(py, || s.bulk_stacks(&lines));
        Ok(stacks_table(&stacks))
    }
    pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let tables: Vec<String> = self.mfn.iter().map(|t| t.__repr__(py)).collect::<Result<_>>()?;
        Ok(format!("Schedule({}, mfn=[{}])", self.timeline.__repr__(py)?, tables.join(", ")))
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let args = (self.timeline.clone(), self.mfn.clone()).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
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
            .with("base", Column::Decimal(stacks.iter().map(|s| pct(s.base.duty.ad_valorem_part())).collect()))
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
            .with("blocked", Column::Bool(stacks.iter().map(|s| !s.blocked_by.is_empty()).collect())),
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMeasure>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<PyTimeline>()?;
    m.add_class::<PyMfnTable>()?;
    m.add_class::<PySchedule>()?;
    m.add_class::<PyDutyStack>()?;
    Ok(())
}
