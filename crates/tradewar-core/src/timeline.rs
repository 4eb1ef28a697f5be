//! Timelines: dated events that impose, change, suspend and lift measures.
//! The state of policy on any date is a pure function of the timeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::measure::{LiftCondition, Measure, MeasureId, RateChange};

/// What happens on an event date.
#[allow(clippy::large_enum_variant)] // events are few; boxing would complicate serde and matching
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// A measure comes into force (its window starts on the event date).
    Impose {
        /// The measure.
        measure: Measure,
    },
    /// A measure's rates change.
    ChangeRates {
        /// Which measure.
        id: MeasureId,
        /// The change.
        change: RateChange,
    },
    /// A measure stops applying until resumed.
    Suspend {
        /// Which measure.
        id: MeasureId,
    },
    /// A suspended measure applies again.
    Resume {
        /// Which measure.
        id: MeasureId,
    },
    /// A measure ends early, possibly on conditions.
    Lift {
        /// Which measure.
        id: MeasureId,
        /// The conditions met for lifting.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        conditions: Vec<LiftCondition>,
    },
    /// A dated milestone with no legal effect (talks, an offer, a demand).
    Milestone {
        /// What happened.
        title: String,
    },
}

/// A dated action with an optional note.
///
/// Serde writes the action's fields beside `date` and `note`; reading
/// refuses unknown fields and checks the event as [`Event::validate`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EventRepr")]
pub struct Event {
    /// The day it takes effect.
    pub date: NaiveDate,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
    /// A short explanation for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The serde form of an [`Event`]: one variant per action, each with the
/// date and note, read strictly.
#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[allow(clippy::large_enum_variant)] // read once, then moved into an `Event`
enum EventRepr {
    Impose {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        measure: Measure,
        #[serde(default)]
        note: Option<String>,
    },
    ChangeRates {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        id: MeasureId,
        change: RateChange,
        #[serde(default)]
        note: Option<String>,
    },
    Suspend {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        id: MeasureId,
        #[serde(default)]
        note: Option<String>,
    },
    Resume {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        id: MeasureId,
        #[serde(default)]
        note: Option<String>,
    },
    Lift {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        id: MeasureId,
        #[serde(default)]
        conditions: Vec<LiftCondition>,
        #[serde(default)]
        note: Option<String>,
    },
    Milestone {
        #[serde(with = "crate::window::date_serde")]
        date: NaiveDate,
        title: String,
        #[serde(default)]
        note: Option<String>,
    },
}

impl TryFrom<EventRepr> for Event {
    type Error = Error;
    fn try_from(r: EventRepr) -> Result<Self> {
        let (date, action, note) = match r {
            EventRepr::Impose { date, measure, note } => (date, Action::Impose { measure }, note),
            EventRepr::ChangeRates { date, id, change, note } => (date, Action::ChangeRates { id, change }, note),
            EventRepr::Suspend { date, id, note } => (date, Action::Suspend { id }, note),
            EventRepr::Resume { date, id, note } => (date, Action::Resume { id }, note),
            EventRepr::Lift { date, id, conditions, note } => (date, Action::Lift { id, conditions }, note),
            EventRepr::Milestone { date, title, note } => (date, Action::Milestone { title }, note),
        };
        let e = Self { date, action, note };
        e.validate()?;
        Ok(e)
    }
}

impl Event {
    /// Checks what the constructors check of one event on its own: a date
    /// in 1900–2100, a valid measure, a valid change of rates, lift
    /// conditions that are not negative or empty, a milestone with a title.
    /// (Whether the event fits its timeline is [`Timeline`]'s check.)
    pub fn validate(&self) -> Result<()> {
        crate::check_date(self.date)?;
        let invalid =
            |id: &MeasureId, reason: String| Error::InvalidEvent { id: id.to_string(), date: self.date, reason };
        match &self.action {
            Action::Impose { measure } => measure.validate(),
            Action::ChangeRates { id, change } => change.validate().map_err(|e| invalid(id, e.to_string())),
            Action::Lift { id, conditions } => {
                conditions.iter().try_for_each(LiftCondition::validate).map_err(|e| invalid(id, e.to_string()))
            }
            Action::Milestone { title } if title.trim().is_empty() => {
                Err(Error::Invalid { what: "event", reason: format!("the milestone on {} has no title", self.date) })
            }
            _ => Ok(()),
        }
    }

    /// An event without a note.
    pub fn new(date: NaiveDate, action: Action) -> Self {
        Self { date, action, note: None }
    }

    /// Adds a note.
    #[must_use]
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = Some(note.to_string());
        self
    }

    /// The measure the event concerns, if any.
    pub fn measure_id(&self) -> Option<&MeasureId> {
        match &self.action {
            Action::Impose { measure } => Some(measure.id()),
            Action::ChangeRates { id, .. }
            | Action::Suspend { id }
            | Action::Resume { id }
            | Action::Lift { id, .. } => Some(id),
            Action::Milestone { .. } => None,
        }
    }

    /// A one-line description, e.g. "impose US301-L1 (Section 301 List 1)".
    pub fn describe(&self, timeline: &Timeline) -> String {
        let name =
            |id: &MeasureId| timeline.measure(id).map_or_else(String::new, |m| format!(" ({})", m.header().name));
        match &self.action {
            Action::Impose { measure } => format!("impose {} ({})", measure.id(), measure.header().name),
            Action::ChangeRates { id, .. } => format!("change rates of {id}{}", name(id)),
            Action::Suspend { id } => format!("suspend {id}{}", name(id)),
            Action::Resume { id } => format!("resume {id}{}", name(id)),
            Action::Lift { id, conditions } => {
                let conds: Vec<String> = conditions.iter().map(ToString::to_string).collect();
                if conds.is_empty() {
                    format!("lift {id}{}", name(id))
                } else {
                    format!("lift {id}{} after {}", name(id), conds.join(" and "))
                }
            }
            Action::Milestone { title } => title.clone(),
        }
    }
}

/// Where a measure stands on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// In force.
    InForce,
    /// Imposed but suspended since the date.
    Suspended {
        /// Since when.
        since: NaiveDate,
    },
    /// Lifted early on the date, on these conditions.
    Lifted {
        /// When.
        on: NaiveDate,
        /// Conditions met.
        conditions: Vec<LiftCondition>,
    },
    /// Its window ran out.
    Expired {
        /// When.
        on: NaiveDate,
    },
}

/// A measure as it stands on a date: current rates and window, and status.
#[derive(Debug, Clone)]
pub struct MeasureState {
    /// The measure with its rates as changed so far and its window as cut by a lifting.
    pub measure: Arc<Measure>,
    /// Its status on the state's date.
    pub status: Status,
}

/// The policy in force on one date.
#[derive(Debug, Clone)]
pub struct PolicyState {
    date: NaiveDate,
    measures: BTreeMap<MeasureId, MeasureState>,
}

impl PolicyState {
    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Every measure imposed on or before the date, in id order.
    pub fn measures(&self) -> impl Iterator<Item = &MeasureState> {
        self.measures.values()
    }

    /// The measures in force on the date.
    pub fn in_force(&self) -> impl Iterator<Item = &Measure> {
        self.measures.values().filter(|m| m.status == Status::InForce).map(|m| m.measure.as_ref())
    }

    /// One measure's state.
    pub fn get(&self, id: &MeasureId) -> Option<&MeasureState> {
        self.measures.get(id)
    }

    /// Whether a measure is in force.
    pub fn is_in_force(&self, id: &MeasureId) -> bool {
        self.measures.get(id).is_some_and(|m| m.status == Status::InForce)
    }
}

/// An ordered list of events.
///
/// Every change is validated against the whole timeline, and a rejected
/// change leaves the timeline as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TimelineRepr", into = "TimelineRepr")]
pub struct Timeline {
    name: String,
    events: Vec<Event>,
    #[serde(skip)]
    measures: BTreeMap<MeasureId, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineRepr {
    name: String,
    events: Vec<Event>,
}

impl TryFrom<TimelineRepr> for Timeline {
    type Error = Error;
    fn try_from(r: TimelineRepr) -> Result<Self> {
        Self::from_events(&r.name, r.events)
    }
}

impl From<Timeline> for TimelineRepr {
    fn from(t: Timeline) -> Self {
        Self { name: t.name, events: t.events }
    }
}

impl Timeline {
    /// An empty timeline.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), events: Vec::new(), measures: BTreeMap::new() }
    }

    /// A timeline of these events (sorted by date, stable), validated.
    pub fn from_events(name: &str, mut events: Vec<Event>) -> Result<Self> {
        events.sort_by_key(|e| e.date);
        let measures = validate(&events)?;
        Ok(Self { name: name.to_string(), events, measures })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The events in date order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Adds an event; on error the timeline is unchanged.
    pub fn push(&mut self, event: Event) -> Result<()> {
        self.extend([event])
    }

    /// Adds events all at once; on error the timeline is unchanged.
    pub fn extend<I: IntoIterator<Item = Event>>(&mut self, events: I) -> Result<()> {
        let mut all = self.events.clone();
        all.extend(events);
        all.sort_by_key(|e| e.date);
        let measures = validate(&all)?;
        self.events = all;
        self.measures = measures;
        Ok(())
    }

    /// Every measure as first imposed, in id order (the order of a
    /// [`PolicyState`]'s measures).
    pub fn measures_by_id(&self) -> impl Iterator<Item = &Measure> {
        self.measures.values().filter_map(|&i| match &self.events[i].action {
            Action::Impose { measure } => Some(measure),
            _ => None,
        })
    }

    /// A measure as first imposed.
    pub fn measure(&self, id: &MeasureId) -> Option<&Measure> {
        self.measures.get(id).and_then(|&i| match &self.events[i].action {
            Action::Impose { measure } => Some(measure),
            _ => None,
        })
    }

    /// Every measure as first imposed, in date order.
    pub fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.events.iter().filter_map(|e| match &e.action {
            Action::Impose { measure } => Some(measure),
            _ => None,
        })
    }

    /// The distinct event dates.
    pub fn dates(&self) -> Vec<NaiveDate> {
        let mut d: Vec<NaiveDate> = self.events.iter().map(|e| e.date).collect();
        d.dedup();
        d
    }

    /// The events on one date.
    pub fn events_on(&self, date: NaiveDate) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.date == date)
    }

    /// The state of policy at the end of `date` (events on that date applied).
    pub fn state_at(&self, date: NaiveDate) -> PolicyState {
        // Validation guarantees every replayed event is consistent.
        replay(&self.events, date).unwrap_or_else(|_| PolicyState { date, measures: BTreeMap::new() })
    }
}

fn unknown(id: &MeasureId, date: NaiveDate) -> Error {
    Error::UnknownMeasure { id: id.to_string(), date }
}

fn invalid(id: &MeasureId, date: NaiveDate, reason: impl Into<String>) -> Error {
    Error::InvalidEvent { id: id.to_string(), date, reason: reason.into() }
}

/// Checks a sorted event list and returns the index of each measure's imposition.
fn validate(events: &[Event]) -> Result<BTreeMap<MeasureId, usize>> {
    let mut index = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        e.validate()?;
        if let Action::Impose { measure } = &e.action {
            let h = measure.header();
            if h.window.start() != e.date {
                return Err(invalid(
                    &h.id,
                    e.date,
                    format!("imposed on {} but its window starts on {}", e.date, h.window.start()),
                ));
            }
            if index.insert(h.id.clone(), i).is_some() {
                return Err(Error::DuplicateMeasureId { id: h.id.to_string() });
            }
        }
    }
    // The same measure entered twice under two ids: same kind, parties, law
    // and scope, with overlapping windows.
    let imposed: Vec<&Measure> = index
        .values()
        .filter_map(|&i| match &events[i].action {
            Action::Impose { measure } => Some(measure),
            _ => None,
        })
        .collect();
    for (a_i, a) in imposed.iter().enumerate() {
        for b in &imposed[a_i + 1..] {
            let (ha, hb) = (a.header(), b.header());
            if a.kind() == b.kind()
                && ha.imposer == hb.imposer
                && ha.target == hb.target
                && ha.legal_basis == hb.legal_basis
                && ha.window.overlaps(&hb.window)
                && ha.scope == hb.scope
                && same_content(a, b)
            {
                return Err(Error::OverlappingWindows {
                    context: format!("measures {} and {} (same content under two ids)", ha.id, hb.id),
                    first_start: ha.window.start(),
                    first_end: ha.window.end_text(),
                    second_start: hb.window.start(),
                    second_end: hb.window.end_text(),
                });
            }
        }
    }
    for e in events {
        if let Action::Impose { measure: Measure::TariffExclusion { tariff, header } } = &e.action {
            match index.get(tariff).map(|&i| &events[i].action) {
                Some(Action::Impose { measure: Measure::Tariff { .. } }) => {}
                Some(_) => return Err(invalid(&header.id, e.date, format!("{tariff} is not a tariff"))),
                None => return Err(unknown(tariff, e.date)),
            }
        }
    }
    let last = events.last().map_or(NaiveDate::MIN, |e| e.date);
    replay(events, last)?;
    Ok(index)
}

/// Whether two measures differ only in id and name.
fn same_content(a: &Measure, b: &Measure) -> bool {
    let mut b2 = b.clone();
    let h = b2.header_mut();
    h.id = a.id().clone();
    h.name.clone_from(&a.header().name);
    *a == b2
}

fn replay(events: &[Event], date: NaiveDate) -> Result<PolicyState> {
    let mut measures: BTreeMap<MeasureId, MeasureState> = BTreeMap::new();
    for e in events.iter().take_while(|e| e.date <= date) {
        match &e.action {
            Action::Impose { measure } => {
                measures.insert(
                    measure.id().clone(),
                    MeasureState { measure: Arc::new(measure.clone()), status: Status::InForce },
                );
            }
            Action::ChangeRates { id, change } => {
                let st = measures.get_mut(id).ok_or_else(|| unknown(id, e.date))?;
                if matches!(st.status, Status::Lifted { .. } | Status::Expired { .. })
                    || !st.measure.header().window.contains(e.date)
                {
                    return Err(invalid(id, e.date, "rates change outside the measure's window"));
                }
                if let RateChange::Scale { factor } = change {
                    if factor.is_sign_negative() || *factor > rust_decimal::Decimal::TEN {
                        return Err(invalid(id, e.date, format!("scale factor {factor} is not between 0 and 10")));
                    }
                }
                if let (RateChange::Update { .. }, Some(crate::measure::TariffRates::Uniform { .. })) =
                    (change, st.measure.rates())
                {
                    return Err(invalid(
                        id,
                        e.date,
                        "a per-product update needs per-product rates; set new rates instead",
                    ));
                }
                let m = Arc::make_mut(&mut st.measure);
                let rates =
                    m.rates_mut().ok_or_else(|| invalid(id, e.date, "only tariffs and MFN changes have rates"))?;
                rates.apply(change);
            }
            Action::Suspend { id } => {
                let st = measures.get_mut(id).ok_or_else(|| unknown(id, e.date))?;
                if st.status != Status::InForce || !st.measure.header().window.contains(e.date) {
                    return Err(invalid(id, e.date, "only a measure in force can be suspended"));
                }
                st.status = Status::Suspended { since: e.date };
            }
            Action::Resume { id } => {
                let st = measures.get_mut(id).ok_or_else(|| unknown(id, e.date))?;
                if !matches!(st.status, Status::Suspended { .. }) {
                    return Err(invalid(id, e.date, "only a suspended measure can be resumed"));
                }
                st.status = Status::InForce;
            }
            Action::Lift { id, conditions } => {
                let st = measures.get_mut(id).ok_or_else(|| unknown(id, e.date))?;
                if matches!(st.status, Status::Lifted { .. }) {
                    return Err(invalid(id, e.date, "already lifted"));
                }
                let w = st.measure.header().window;
                if !w.contains(e.date) || w.start() == e.date {
                    return Err(invalid(id, e.date, format!("lifting date is not inside the window {w}")));
                }
                let m = Arc::make_mut(&mut st.measure);
                let h = m.header_mut();
                h.window = w.ended_at(e.date, id.as_str())?;
                st.status = Status::Lifted { on: e.date, conditions: conditions.clone() };
            }
            Action::Milestone { .. } => {}
        }
    }
    for st in measures.values_mut() {
        if let Some(end) = st.measure.header().window.end() {
            if end <= date && matches!(st.status, Status::InForce | Status::Suspended { .. }) {
                st.status = Status::Expired { on: end };
            }
        }
    }
    Ok(PolicyState { date, measures })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{LegalBasis, Percent};
    use crate::economy::Economy;
    use crate::measure::{MeasureHeader, TariffRates};
    use crate::scope::ProductScope;
    use crate::window::{parse_date, DateWindow};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn tariff(id: &str, start: &str, pct: &str) -> Event {
        let h = MeasureHeader::new(
            id,
            id,
            Economy::USA,
            Economy::CHN,
            ProductScope::from_codes(["84"]).unwrap(),
            DateWindow::from(d(start)),
            LegalBasis::Section301,
        )
        .unwrap();
        Event::new(d(start), Action::Impose { measure: Measure::tariff(h, pct.parse().unwrap()) })
    }

    #[test]
    fn replay_rates_and_status() {
        let l3 = MeasureId::new("L3").unwrap();
        let t = Timeline::from_events(
            "t",
            vec![
                Event::new(
                    d("2019-05-10"),
                    Action::ChangeRates {
                        id: l3.clone(),
                        change: RateChange::Set(TariffRates::uniform_ad_valorem("25".parse().unwrap())),
                    },
                ),
                tariff("L3", "2018-09-24", "10"),
            ],
        )
        .unwrap();
        let rate = |date| {
            t.state_at(d(date)).get(&l3).map(|s| s.measure.rates().unwrap().duty_for("8471".parse().unwrap()).cloned())
        };
        assert_eq!(rate("2018-09-23"), None);
        assert_eq!(rate("2019-05-09").unwrap().unwrap().to_string(), "10%");
        assert_eq!(rate("2019-05-10").unwrap().unwrap().to_string(), "25%");
    }

    #[test]
    fn rejects_and_stays_intact() {
        let mut t = Timeline::new("t");
        t.push(tariff("L1", "2018-07-06", "25")).unwrap();
        let before = t.clone();
        assert!(matches!(t.push(tariff("L1", "2018-08-23", "25")), Err(Error::DuplicateMeasureId { .. })));
        assert!(matches!(t.push(tariff("L1b", "2018-07-06", "25")), Err(Error::OverlappingWindows { .. })));
        let ghost = MeasureId::new("ghost").unwrap();
        assert!(matches!(
            t.push(Event::new(d("2019-01-01"), Action::Suspend { id: ghost })),
            Err(Error::UnknownMeasure { .. })
        ));
        let l1 = MeasureId::new("L1").unwrap();
        assert!(matches!(
            t.push(Event::new(d("2018-01-01"), Action::Suspend { id: l1.clone() })),
            Err(Error::UnknownMeasure { .. })
        ));
        assert!(matches!(
            t.push(Event::new(d("2019-01-01"), Action::Resume { id: l1 })),
            Err(Error::InvalidEvent { .. })
        ));
        assert_eq!(t, before);
    }

    #[test]
    fn per_product_update_of_a_uniform_rate_is_refused() {
        let id = MeasureId::new("L1").unwrap();
        let update = RateChange::Update {
            rates: [("8703".parse().unwrap(), crate::duty::Duty::ad_valorem("25".parse().unwrap()))]
                .into_iter()
                .collect(),
        };
        let r = Timeline::from_events(
            "t",
            vec![
                tariff("L1", "2018-07-06", "10"),
                Event::new(d("2019-01-01"), Action::ChangeRates { id, change: update }),
            ],
        );
        assert!(matches!(r, Err(Error::InvalidEvent { .. })));
    }

    #[test]
    fn suspend_lift_expire() {
        let id = MeasureId::new("L4B").unwrap();
        let t = Timeline::from_events(
            "t",
            vec![tariff("L4B", "2019-12-15", "15"), Event::new(d("2019-12-15"), Action::Suspend { id: id.clone() })],
        );
        // Suspending on the day of imposition is fine.
        let t = t.unwrap();
        assert!(!t.state_at(d("2020-01-01")).is_in_force(&id));
        let serde = serde_json::to_string(&t).unwrap();
        let back: Timeline = serde_json::from_str(&serde).unwrap();
        assert_eq!(back, t);
        let _ = Percent::ZERO;
    }
}
