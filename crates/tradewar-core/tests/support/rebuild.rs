//! Rebuilds a value read from JSON through the public constructors only,
//! from its parts as text where the type has a text form.
//!
//! Shared by the property test `tests/json_doors.rs` and the JSON fuzz
//! targets in `fuzz/` (included there by path): both check that a value the
//! JSON path accepts is one the constructor path accepts too, and equal.
#![allow(dead_code, clippy::trivially_copy_pass_by_ref)] // one signature shape for every type

use tradewar_core::{
    parse_date, Action, CommitmentYear, DateWindow, Duty, Economy, Entity, Event, HsCode, LiftCondition, Measure,
    MeasureHeader, MfnTable, Money, Percent, ProductScope, RateChange, Result, Schedule, Selector, ShareLimit,
    Stacking, Target, TariffRates, Timeline, TradeFlow, TradeMatrix,
};

fn code(c: HsCode) -> Result<HsCode> {
    c.to_string().parse()
}

fn economy(e: Economy) -> Result<Economy> {
    e.as_str().parse()
}

/// A scope from its codes as text.
pub fn scope(s: &ProductScope) -> Result<ProductScope> {
    let text = |v: &[HsCode]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let base = if s.is_all() {
        ProductScope::all()
    } else {
        let inc = text(s.included());
        ProductScope::from_codes(inc.iter().map(String::as_str))?
    };
    let exc = text(s.excluded());
    base.excluding(exc.iter().map(String::as_str))
}

/// A window from its dates as text.
pub fn window(w: &DateWindow) -> Result<DateWindow> {
    let end = w.end().map(|e| parse_date(&e.to_string())).transpose()?;
    DateWindow::new(parse_date(&w.start().to_string())?, end)
}

/// An amount from its text (`"12.5 USD"`).
pub fn money(m: &Money) -> Result<Money> {
    m.to_string().parse()
}

/// A rate from its text (`"12.5%"`).
pub fn percent(p: Percent) -> Result<Percent> {
    p.to_string().parse()
}

/// A duty through its constructor.
pub fn duty(d: &Duty) -> Result<Duty> {
    Ok(match d {
        Duty::AdValorem { rate } => Duty::ad_valorem(percent(*rate)?),
        Duty::Specific { amount, unit } => Duty::specific(money(amount)?, unit)?,
        Duty::Compound { rate, amount, unit } => Duty::compound(percent(*rate)?, money(amount)?, unit)?,
        Duty::Prohibitive => Duty::Prohibitive,
        Duty::Complex { text } => Duty::complex(text)?,
        other => other.clone(),
    })
}

fn rates(r: &TariffRates) -> Result<TariffRates> {
    Ok(match r {
        TariffRates::Uniform { duty: d } => TariffRates::Uniform { duty: duty(d)? },
        TariffRates::ByProduct { rates } => TariffRates::ByProduct {
            rates: rates.iter().map(|(c, d)| Ok((code(*c)?, duty(d)?))).collect::<Result<_>>()?,
        },
    })
}

fn selector(s: &Selector) -> Result<Selector> {
    let s = match s {
        Selector::Measure(id) => Selector::Measure(id.as_str().parse()?),
        Selector::LegalBasis(b) => Selector::LegalBasis(b.to_string().parse()?),
        Selector::IdPrefix(p) => Selector::IdPrefix(p.clone()),
    };
    s.validate()?;
    Ok(s)
}

/// Stacking rules from their parts, checked.
pub fn stacking(s: &Stacking) -> Result<Stacking> {
    let out = Stacking {
        combine: s.combine.clone(),
        value_share: s.value_share.map(percent).transpose()?,
        switches_off: s.switches_off.iter().map(selector).collect::<Result<_>>()?,
        confines: s
            .confines
            .iter()
            .map(|l| Ok(ShareLimit { selector: selector(&l.selector)?, share: percent(l.share)? }))
            .collect::<Result<_>>()?,
    };
    out.validate()?;
    Ok(out)
}

/// An entity through its constructor.
pub fn entity(e: &Entity) -> Result<Entity> {
    let out = Entity::new(e.name(), economy(e.economy())?)?;
    Ok(match e.buys() {
        Some(b) => out.buying(scope(b)?),
        None => out,
    })
}

fn header(h: &MeasureHeader) -> Result<MeasureHeader> {
    MeasureHeader::new(
        h.id.as_str(),
        &h.name,
        economy(h.imposer)?,
        economy(h.target)?,
        scope(&h.scope)?,
        window(&h.window)?,
        h.legal_basis.to_string().parse()?,
    )
}

/// A measure from rebuilt parts, checked by [`Measure::validate`].
pub fn measure(m: &Measure) -> Result<Measure> {
    let out = match m {
        Measure::Tariff { header: h, rates: r, stacking: s } => {
            Measure::Tariff { header: header(h)?, rates: rates(r)?, stacking: stacking(s)? }
        }
        Measure::TariffExclusion { header: h, tariff } => {
            Measure::TariffExclusion { header: header(h)?, tariff: tariff.as_str().parse()? }
        }
        Measure::MfnChange { header: h, rates: r } => Measure::MfnChange { header: header(h)?, rates: rates(r)? },
        Measure::ExportBan { header: h, entity: e } => {
            Measure::ExportBan { header: header(h)?, entity: e.as_ref().map(entity).transpose()? }
        }
        Measure::ImportBan { header: h } => Measure::ImportBan { header: header(h)? },
        Measure::Quota { header: h, annual_value, out_of_quota } => {
            Measure::Quota { header: header(h)?, annual_value: money(annual_value)?, out_of_quota: duty(out_of_quota)? }
        }
        Measure::PurchaseCommitment { header: h, kind, baseline_year, years } => Measure::PurchaseCommitment {
            header: header(h)?,
            kind: *kind,
            baseline_year: *baseline_year,
            years: years
                .iter()
                .map(|y| Ok(CommitmentYear { year: y.year, amount: money(&y.amount)? }))
                .collect::<Result<_>>()?,
        },
        Measure::Subsidy { header: h, rate, export_only } => {
            Measure::Subsidy { header: header(h)?, rate: percent(*rate)?, export_only: *export_only }
        }
        other => other.clone(),
    };
    out.validate()?;
    Ok(out)
}

fn change(c: &RateChange) -> Result<RateChange> {
    let out = match c {
        RateChange::Set(r) => RateChange::Set(rates(r)?),
        RateChange::Update { rates: r } => {
            RateChange::Update { rates: r.iter().map(|(c, d)| Ok((code(*c)?, duty(d)?))).collect::<Result<_>>()? }
        }
        RateChange::Scale { factor } => RateChange::Scale { factor: *factor },
    };
    out.validate()?;
    Ok(out)
}

fn condition(c: &LiftCondition) -> Result<LiftCondition> {
    let out = match c {
        LiftCondition::Penalty { amount } => LiftCondition::Penalty { amount: money(amount)? },
        LiftCondition::Escrow { amount } => LiftCondition::Escrow { amount: money(amount)? },
        LiftCondition::Other { text } => LiftCondition::Other { text: text.clone() },
    };
    out.validate()?;
    Ok(out)
}

/// An event from rebuilt parts, checked by [`Event::validate`].
pub fn event(e: &Event) -> Result<Event> {
    let action = match &e.action {
        Action::Impose { measure: m } => Action::Impose { measure: measure(m)? },
        Action::ChangeRates { id, change: c } => Action::ChangeRates { id: id.as_str().parse()?, change: change(c)? },
        Action::Suspend { id } => Action::Suspend { id: id.as_str().parse()? },
        Action::Resume { id } => Action::Resume { id: id.as_str().parse()? },
        Action::Lift { id, conditions } => Action::Lift {
            id: id.as_str().parse()?,
            conditions: conditions.iter().map(condition).collect::<Result<_>>()?,
        },
        other => other.clone(),
    };
    let mut out = Event::new(parse_date(&e.date.to_string())?, action);
    out.note.clone_from(&e.note);
    out.validate()?;
    Ok(out)
}

/// A timeline from rebuilt events.
pub fn timeline(t: &Timeline) -> Result<Timeline> {
    Timeline::from_events(t.name(), t.events().iter().map(event).collect::<Result<_>>()?)
}

/// An MFN table from rebuilt lines.
pub fn mfn(t: &MfnTable) -> Result<MfnTable> {
    MfnTable::new(economy(t.importer())?, t.lines().map(|(c, d)| Ok((code(c)?, duty(d)?))).collect::<Result<Vec<_>>>()?)
}

/// A target through its constructor.
pub fn target(t: &Target) -> Result<Target> {
    Target::new(&t.name, economy(t.reporter)?, economy(t.partner)?, t.base_year, money(&t.reduction)?, t.by_year)
}

/// A trade matrix from rebuilt flows, pushed one by one.
pub fn matrix(m: &TradeMatrix) -> Result<TradeMatrix> {
    let mut out = TradeMatrix::new();
    for f in m.iter() {
        out.push(TradeFlow {
            exporter: economy(f.exporter)?,
            importer: economy(f.importer)?,
            product: code(f.product)?,
            year: f.year,
            value: money(&f.value)?,
            basis: f.basis.to_string().parse()?,
        })?;
    }
    Ok(out)
}

/// A schedule from a rebuilt timeline and tables.
pub fn schedule(s: &Schedule) -> Result<Schedule> {
    let mut out = Schedule::new(timeline(s.timeline())?);
    for t in s.mfn_tables() {
        out = out.with_mfn(mfn(t)?);
    }
    Ok(out)
}
