//! The 2018–2020 US–China trade war as one ready timeline, with the
//! proposals and the target scored against it.
//!
//! Sources of the dates and rates: USTR Federal Register notices of the
//! Section 301 actions (83 FR 28710, 83 FR 40823, 83 FR 47974, 84 FR 20459,
//! 84 FR 43304, 85 FR 3741), Proclamations 9704 and 9705 (Section 232),
//! BIS orders on ZTE (83 FR 17644, 83 FR 33902), the notices of China's
//! Customs Tariff Commission of the State Council, and the Economic and
//! Trade Agreement of 2020-01-15 (Phase One), Article 6.2.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tradewar_core::{
    Action, CommitmentKind, CommitmentYear, DateWindow, Duty, Economy, Entity, Event, HsCode, LegalBasis,
    LiftCondition, Measure, MeasureHeader, MeasureId, MfnTable, Money, Percent, ProductScope, RateChange, Schedule,
    Target, TariffRates, Timeline,
};

use crate::embedded;
use crate::error::{DataError, Result};
use crate::loaders::WaveEvent;

const SOURCE: &str = "US-China 2018-2020 timeline";

fn domain(error: tradewar_core::Error) -> DataError {
    DataError::Domain { source_name: SOURCE.to_string(), error: Box::new(error) }
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| domain(tradewar_core::Error::InvalidDate { value: format!("{y}-{m}-{d}") }))
}

fn pct(s: &str) -> Result<Percent> {
    s.parse().map_err(domain)
}

fn header(
    id: &str,
    name: &str,
    imposer: Economy,
    target: Economy,
    scope: ProductScope,
    window: DateWindow,
    basis: LegalBasis,
) -> Result<MeasureHeader> {
    MeasureHeader::new(id, name, imposer, target, scope, window, basis).map_err(domain)
}

fn impose(measure: Measure, note: &str) -> Event {
    let d = measure.header().window.start();
    Event::new(d, Action::Impose { measure }).with_note(note)
}

fn milestone(on: NaiveDate, title: &str) -> Event {
    Event::new(on, Action::Milestone { title: title.to_string() })
}

fn id(s: &str) -> Result<MeasureId> {
    MeasureId::new(s).map_err(domain)
}

/// Section 232 steel products (Proclamation 9705, as of 2018-03-23), at HS
/// heading and subheading level.
fn steel_scope() -> Result<ProductScope> {
    let mut codes: Vec<String> = (7206..=7215).map(|h| h.to_string()).collect();
    codes.extend(
        ["7216.10", "7216.21", "7216.22", "7216.31", "7216.32", "7216.33", "7216.40", "7216.50", "7216.99"]
            .map(String::from),
    );
    codes.extend((7217..=7229).map(|h| h.to_string()));
    codes.extend(["7301.10", "7302.10", "7302.40", "7302.90", "7304", "7305", "7306"].map(String::from));
    ProductScope::from_codes(codes.iter().map(String::as_str)).map_err(domain)
}

/// Section 232 aluminium products (Proclamation 9704).
fn aluminium_scope() -> Result<ProductScope> {
    ProductScope::from_codes(["7601", "7604", "7605", "7606", "7607", "7608", "7609", "7616.99.5160", "7616.99.5170"])
        .map_err(domain)
}

fn us_events() -> Result<Vec<Event>> {
    let lists = embedded::section301_lists()?;
    let list = |name: &str| {
        lists.get(name).cloned().ok_or_else(|| DataError::Inconsistent {
            source_name: SOURCE.into(),
            message: format!("Section 301 list {name} missing"),
        })
    };
    let s301 = |mid: &str, name: &str, l: &str, start: NaiveDate, rate: &str| -> Result<Measure> {
        Ok(Measure::tariff(
            header(mid, name, Economy::USA, Economy::CHN, list(l)?, DateWindow::from(start), LegalBasis::Section301)?,
            pct(rate)?,
        ))
    };
    let steel = Measure::tariff(
        header(
            "US232-STEEL",
            "Section 232 steel",
            Economy::USA,
            Economy::WLD,
            steel_scope()?,
            DateWindow::from(date(2018, 3, 23)?),
            LegalBasis::Section232,
        )?,
        pct("25")?,
    );
    let alu = Measure::tariff(
        header(
            "US232-ALU",
            "Section 232 aluminium",
            Economy::USA,
            Economy::WLD,
            aluminium_scope()?,
            DateWindow::from(date(2018, 3, 23)?),
            LegalBasis::Section232,
        )?,
        pct("10")?,
    );
    let zte = Measure::ExportBan {
        header: header(
            "BIS-ZTE",
            "BIS denial order on ZTE",
            Economy::USA,
            Economy::CHN,
            ProductScope::all(),
            DateWindow::new_for(date(2018, 4, 15)?, Some(date(2025, 3, 13)?), "BIS-ZTE").map_err(domain)?,
            LegalBasis::ExportControl,
        )?,
        entity: Some(Entity::new("ZTE Corporation", Economy::CHN).map_err(domain)?),
    };
    let l3 = id("US301-L3")?;
    let l4a = id("US301-L4A")?;
    let l4b = id("US301-L4B")?;
    let set = |r: &str| -> Result<RateChange> { Ok(RateChange::Set(TariffRates::uniform_ad_valorem(pct(r)?))) };
    let usd = |s: &str| Money::usd(s).map_err(domain);
    Ok(vec![
        milestone(date(2018, 3, 22)?, "Presidential memorandum directs Section 301 tariffs on about $50B of Chinese goods"),
        impose(steel, "25% on steel from most economies; country exemptions are not modelled"),
        impose(alu, "10% on aluminium from most economies"),
        milestone(date(2018, 4, 3)?, "USTR proposes 25% on 1,333 lines worth about $50B"),
        impose(zte, "Activates the suspended 2017 denial order for its remaining seven-year term"),
        milestone(date(2018, 5, 4)?, "Beijing talks: the US demands China cut the $375B surplus by $200B by the end of 2020"),
        milestone(date(2018, 5, 19)?, "Washington joint statement: China to buy significantly more US farm and energy products"),
        milestone(date(2018, 6, 3)?, "Beijing talks: China reportedly offers about $70B of extra US farm, energy and manufactured goods in the first year"),
        s301_event(s301("US301-L1", "Section 301 List 1", "1", date(2018, 7, 6)?, "25")?, "25% on 818 lines, about $34B"),
        Event::new(
            date(2018, 7, 13)?,
            Action::Lift {
                id: id("BIS-ZTE")?,
                conditions: vec![LiftCondition::Penalty { amount: usd("1000000000")? }, LiftCondition::Escrow { amount: usd("400000000")? }],
            },
        )
        .with_note("ZTE paid a $1B penalty and put $400M in escrow"),
        s301_event(s301("US301-L2", "Section 301 List 2", "2", date(2018, 8, 23)?, "25")?, "25% on 279 lines, about $16B"),
        s301_event(s301("US301-L3", "Section 301 List 3", "3", date(2018, 9, 24)?, "10")?, "10% on about $200B"),
        milestone(date(2018, 12, 1)?, "Buenos Aires truce: the increase of List 3 to 25% is postponed"),
        Event::new(date(2019, 5, 10)?, Action::ChangeRates { id: l3, change: set("25")? }).with_note("List 3 raised to 25%"),
        s301_event(s301("US301-L4A", "Section 301 List 4A", "4A", date(2019, 9, 1)?, "15")?, "15% on about $112B"),
        s301_event(s301("US301-L4B", "Section 301 List 4B", "4B", date(2019, 12, 15)?, "15")?, "Scheduled 15% on about $160B"),
        Event::new(date(2019, 12, 15)?, Action::Suspend { id: l4b }).with_note("List 4B suspended on the day it was due"),
        milestone(date(2020, 1, 15)?, "Phase One agreement signed"),
        Event::new(date(2020, 2, 14)?, Action::ChangeRates { id: l4a, change: set("7.5")? }).with_note("List 4A halved to 7.5% as Phase One enters into force"),
    ])
}

fn s301_event(m: Measure, note: &str) -> Event {
    impose(m, note)
}

/// Names of China's retaliation waves, by effective date.
fn wave_name(wave: NaiveDate) -> String {
    match wave.to_string().as_str() {
        "2018-04-02" => "China retaliation for Section 232 (128 lines)".into(),
        "2018-07-06" => "China retaliation for List 1 ($34B)".into(),
        "2018-08-23" => "China retaliation for List 2 ($16B)".into(),
        "2018-09-24" => "China retaliation for List 3 ($60B)".into(),
        "2019-09-01" => "China retaliation for List 4A ($75B, first batch)".into(),
        other => format!("China retaliation of {other}"),
    }
}

fn wave_id(wave: NaiveDate) -> String {
    format!("CN-RET-{}", wave.format("%Y%m%d"))
}

fn china_events() -> Result<(Vec<Event>, MfnTable)> {
    let mut events = Vec::new();
    // MFN: the 2018-01-01 level is the base table; later rows are market-opening changes.
    let path = embedded::china_mfn_path()?;
    let start = date(2018, 1, 1)?;
    let base = MfnTable::new(
        Economy::CHN,
        path.iter().filter(|r| r.date == start).map(|r| (r.product, Duty::ad_valorem(r.rate))),
    )
    .map_err(domain)?;
    let mut changes: BTreeMap<NaiveDate, BTreeMap<HsCode, Duty>> = BTreeMap::new();
    for r in path.iter().filter(|r| r.date > start) {
        changes.entry(r.date).or_default().insert(r.product, Duty::ad_valorem(r.rate));
    }
    for (d, rates) in changes {
        let n = rates.len();
        let name = match d.to_string().as_str() {
            "2018-05-01" => "China MFN cut on pharmaceuticals",
            "2018-07-01" => "China MFN cuts on cars, parts and consumer goods",
            "2018-11-01" => "China MFN cuts on industrial goods",
            "2019-01-01" => "China provisional MFN rates for 2019",
            _ => "China MFN change",
        };
        let h = header(
            &format!("CN-MFN-{}", d.format("%Y%m%d")),
            name,
            Economy::CHN,
            Economy::WLD,
            ProductScope::new(rates.keys().copied()),
            DateWindow::from(d),
            LegalBasis::Mfn,
        )?;
        events.push(impose(
            Measure::MfnChange { header: h, rates: TariffRates::ByProduct { rates } },
            &format!("New MFN rates on {n} HS6 subheadings"),
        ));
    }
    // Retaliation waves: every product a wave ever touches is in its scope
    // from the start (at 0 where it starts later), so later changes only move rates.
    let rows = embedded::china_retaliation()?;
    let mut waves: BTreeMap<NaiveDate, BTreeMap<HsCode, Duty>> = BTreeMap::new();
    for r in rows {
        let rate = if r.event == WaveEvent::Start && r.date == r.wave { r.rate } else { Percent::ZERO };
        let e = waves.entry(r.wave).or_default().entry(r.product).or_insert_with(|| Duty::ad_valorem(rate));
        if r.event == WaveEvent::Start && r.date == r.wave {
            *e = Duty::ad_valorem(rate);
        }
    }
    let notes: BTreeMap<&str, &str> = [
        (
            "2018-04-02",
            "+15% on 120 lines and +25% on 8 (pork, aluminium scrap) against the US steel and aluminium duties",
        ),
        ("2018-07-06", "+25% on 545 lines (soybeans, pork, cars)"),
        ("2018-08-23", "+25% on 333 lines"),
        ("2018-09-24", "+5% or +10% on 5,207 lines"),
        ("2019-09-01", "+5% or +10% on the first batch of the $75B list"),
    ]
    .into_iter()
    .collect();
    for (wave, rates) in &waves {
        let h = header(
            &wave_id(*wave),
            &wave_name(*wave),
            Economy::CHN,
            Economy::USA,
            ProductScope::new(rates.keys().copied()),
            DateWindow::from(*wave),
            LegalBasis::Retaliation,
        )?;
        let note = notes.get(wave.to_string().as_str()).copied().unwrap_or("");
        events.push(impose(Measure::tariff_by_product(h, rates.clone()), note));
    }
    // Raises and suspensions as dated rate changes; exclusions as one-year exclusion measures.
    let mut updates: BTreeMap<(NaiveDate, NaiveDate, bool), BTreeMap<HsCode, Duty>> = BTreeMap::new();
    let mut exclusions: BTreeMap<(NaiveDate, NaiveDate), Vec<HsCode>> = BTreeMap::new();
    for r in rows {
        match r.event {
            WaveEvent::Start if r.date == r.wave => {}
            WaveEvent::Start | WaveEvent::Raise => {
                updates.entry((r.date, r.wave, false)).or_default().insert(r.product, Duty::ad_valorem(r.rate));
            }
            WaveEvent::Suspend => {
                updates.entry((r.date, r.wave, true)).or_default().insert(r.product, Duty::ad_valorem(r.rate));
            }
            WaveEvent::Exclude => exclusions.entry((r.date, r.wave)).or_default().push(r.product),
        }
    }
    for ((d, wave, suspend), rates) in updates {
        let note = if suspend {
            format!("Additional duties on {} HS6 of US cars and parts suspended", rates.len())
        } else {
            format!("Rates raised on {} HS6", rates.len())
        };
        events.push(
            Event::new(d, Action::ChangeRates { id: id(&wave_id(wave))?, change: RateChange::Update { rates } })
                .with_note(&note),
        );
    }
    for ((d, wave), codes) in exclusions {
        let end = d.checked_add_days(chrono::Days::new(366)).unwrap_or(d);
        let h = header(
            &format!("CN-EXCL-{}-{}", d.format("%Y%m%d"), wave.format("%Y%m%d")),
            &format!("China exclusion from the {wave} retaliation"),
            Economy::CHN,
            Economy::USA,
            ProductScope::new(codes),
            DateWindow::new_for(d, Some(end), "China exclusion").map_err(domain)?,
            LegalBasis::Retaliation,
        )?;
        events.push(impose(
            Measure::TariffExclusion { header: h, tariff: id(&wave_id(wave))? },
            "One-year product exclusion",
        ));
    }
    events.push(
        Event::new(
            date(2020, 2, 14)?,
            Action::ChangeRates {
                id: id("CN-RET-20190901")?,
                change: RateChange::Scale { factor: Decimal::new(5, 1) },
            },
        )
        .with_note("China halves the September 2019 rates (10% to 5%, 5% to 2.5%)"),
    );
    Ok((events, base))
}

/// Phase One's purchase commitments (Article 6.2): extra purchases over
/// 2017 by category in 2020 and 2021, China the buyer, the US the seller.
/// Services have no goods scope and cannot be measured on goods trade.
pub fn phase_one_commitments() -> Result<Vec<Measure>> {
    let cats = embedded::phase_one_categories()?;
    let inc = embedded::phase_one_increments()?;
    let window = DateWindow::new_for(date(2020, 2, 14)?, Some(date(2022, 1, 1)?), "Phase One").map_err(domain)?;
    let mut out = Vec::new();
    for (cat, years) in inc {
        let scope = cats.get(cat).cloned().unwrap_or_default();
        let h = header(
            &format!("P1-{}", cat.to_ascii_uppercase()),
            &format!("Phase One purchases: {cat}"),
            Economy::CHN,
            Economy::USA,
            scope,
            window,
            LegalBasis::Agreement,
        )?;
        out.push(Measure::PurchaseCommitment {
            header: h,
            kind: CommitmentKind::AboveBaseline,
            baseline_year: 2017,
            years: years.iter().map(|(y, m)| CommitmentYear { year: *y, amount: *m }).collect(),
        });
    }
    Ok(out)
}

/// China's May–June 2018 offer as reported (no text was published): about
/// $70B of extra purchases of US farm products, LNG and other energy, and
/// some manufactures in the first year (taken as 2019). A proposal, not in
/// the timeline.
pub fn may_2018_offer() -> Result<Measure> {
    let cats = embedded::phase_one_categories()?;
    let scope = ["agriculture", "energy", "manufactured"]
        .iter()
        .filter_map(|c| cats.get(*c))
        .try_fold(ProductScope::default(), |a, b| a.union(b))
        .map_err(domain)?;
    let h = header(
        "CN-OFFER-2018",
        "China's May-June 2018 purchase offer (reported)",
        Economy::CHN,
        Economy::USA,
        scope,
        DateWindow::new_for(date(2018, 6, 3)?, Some(date(2020, 1, 1)?), "offer").map_err(domain)?,
        LegalBasis::Other,
    )?;
    Ok(Measure::PurchaseCommitment {
        header: h,
        kind: CommitmentKind::AboveBaseline,
        baseline_year: 2017,
        years: vec![CommitmentYear { year: 2019, amount: Money::usd("70000000000").map_err(domain)? }],
    })
}

/// The US demand of May 2018: cut the US goods deficit with China by $200B
/// from its 2017 level by the end of 2020.
pub fn deficit_target() -> Result<Target> {
    Target::new(
        "Cut the US goods deficit with China by $200B from 2017 by the end of 2020",
        Economy::USA,
        Economy::CHN,
        2017,
        Money::usd("200000000000").map_err(domain)?,
        2020,
    )
    .map_err(domain)
}

/// The whole 2018–2020 sequence as one timeline: Section 232, the ZTE
/// denial order and its lifting, Lists 1 to 4B, China's retaliation and
/// market-opening MFN cuts, the talks, and Phase One with its commitments.
pub fn timeline() -> Result<Timeline> {
    let mut events = us_events()?;
    let (cn, _) = china_events()?;
    events.extend(cn);
    for m in phase_one_commitments()? {
        events.push(impose(m, "Article 6.2 purchase commitment"));
    }
    Timeline::from_events("US-China trade war 2018-2020", events).map_err(domain)
}

/// The timeline with the US 2017 MFN schedule (HTS8) and China's 2018 MFN
/// rates on US goods (HS6): ready for duty queries and accounting.
///
/// Specific and compound US MFN duties count at their ad valorem
/// equivalents at the 2017 unit values of the embedded trade (the weights
/// year of the story's accounting) where the line's HS6 flow has a quantity
/// in the duty's unit ([`embedded::us_china_unit_values`]), and are left out
/// with a caveat elsewhere.
///
/// Its [`DataCoverage`](tradewar_core::DataCoverage): the tariffs of the USA
/// and China, from 2017-01-01 (the US MFN schedule's year) to 2021-12-31 (the
/// end of Phase One's purchase period; the last recorded change of duties is
/// on 2020-02-14). Other importers are refused; dates outside the period
/// are answered with a caveat.
pub fn schedule() -> Result<Schedule> {
    let (_, cn_mfn) = china_events()?;
    let date = |s: &str| tradewar_core::parse_date(s).map_err(domain);
    let coverage = tradewar_core::DataCoverage::new(
        "the 2018-2020 US-China story: US MFN 2017, the Section 301 lists of 2020-01-01, China's notices and \
         Phase One",
        date("2017-01-01")?,
        date("2021-12-31")?,
        vec![Economy::USA, Economy::CHN],
    )
    .map_err(domain)?;
    Ok(Schedule::new(timeline()?)
        .with_mfn(embedded::us_mfn_2017()?.clone())
        .with_mfn(cn_mfn)
        .with_coverage(coverage)
        .with_unit_values(embedded::us_china_unit_values()?, 2017))
}

/// The main report: the replay, the target, the offer and Phase One.
#[derive(Debug, Clone)]
pub struct Report {
    /// Event-by-event replay on 2017 trade.
    pub replay: tradewar_core::Replay,
    /// Census first-published 2017 balance.
    pub census_2017: (Money, Money, Money),
    /// The same balance from the embedded HS6 data.
    pub embedded_2017: tradewar_core::Balance,
    /// The target.
    pub target: Target,
    /// Mechanical closure by the May 2018 offer and by Phase One (goods; goods and services).
    pub closures: Vec<tradewar_core::TargetProgress>,
    /// Actual change of the balance against 2017, for 2018–2021.
    pub actual: Vec<tradewar_core::TargetProgress>,
    /// Phase One progress by category and year.
    pub phase_one: Vec<tradewar_core::CommitmentProgress>,
    /// Phase One goods: committed, actual, attainment.
    pub phase_one_total: (Money, Money, Percent),
    /// Each US list and China wave on the day it started, on 2017 trade,
    /// by every coverage method (lower bound, line share, upper bound).
    pub list_coverage: Vec<[tradewar_core::Coverage; 3]>,
}

/// Builds the main report.
pub fn report() -> Result<Report> {
    use tradewar_core::{balance, commitment_progress, replay, total_attainment, CoverageMethod};
    let schedule = schedule()?;
    let trade = embedded::us_china_trade()?;
    let replay = replay(
        &schedule,
        trade,
        &[(Economy::USA, Economy::CHN), (Economy::CHN, Economy::USA)],
        2017,
        CoverageMethod::LineShare,
    )
    .map_err(domain)?;
    let census = embedded::census_2017_totals()?;
    let get = |e: Economy| {
        census.iter().find(|r| r.exporter == e).map(|r| r.value).ok_or_else(|| DataError::Inconsistent {
            source_name: "census totals".into(),
            message: format!("no row with exporter {e}"),
        })
    };
    let (x, m) = (get(Economy::USA)?, get(Economy::CHN)?);
    let census_2017 = (x, m, x.checked_sub(m).map_err(domain)?);
    let embedded_2017 = balance(trade, Economy::USA, Economy::CHN, 2017).map_err(domain)?;
    let target = deficit_target()?;
    let p1 = phase_one_commitments()?;
    let goods: Vec<&Measure> = p1.iter().filter(|m| !m.header().scope.is_empty()).collect();
    let offer = may_2018_offer()?;
    let closures = vec![
        target.mechanical_closure("China's May-June 2018 offer, first year", 2019, [&offer]).map_err(domain)?,
        target.mechanical_closure("Phase One 2020, goods", 2020, goods.iter().copied()).map_err(domain)?,
        target.mechanical_closure("Phase One 2021, goods", 2021, goods.iter().copied()).map_err(domain)?,
        target.mechanical_closure("Phase One 2020, goods and services", 2020, &p1).map_err(domain)?,
        target.mechanical_closure("Phase One 2021, goods and services", 2021, &p1).map_err(domain)?,
    ];
    let actual = (2018..=2021)
        .map(|y| target.actual_progress(trade, y))
        .collect::<tradewar_core::Result<Vec<_>>>()
        .map_err(domain)?;
    let mut phase_one = Vec::new();
    for m in &goods {
        phase_one.extend(commitment_progress(trade, m).map_err(domain)?);
    }
    let phase_one_total = total_attainment(&phase_one).map_err(domain)?;
    let mut list_coverage = Vec::new();
    for m in schedule.timeline().measures() {
        if let Measure::Tariff { header, .. } = m {
            let at = schedule.at(header.window.start());
            let Some(current) = at.state().get(&header.id) else { continue };
            let by = |method| tradewar_core::coverage(&at, trade, &current.measure, 2017, method).map_err(domain);
            list_coverage.push([
                by(CoverageMethod::FullOnly)?,
                by(CoverageMethod::LineShare)?,
                by(CoverageMethod::AnyLine)?,
            ]);
        }
    }
    Ok(Report {
        replay,
        census_2017,
        embedded_2017,
        target,
        closures,
        actual,
        phase_one,
        phase_one_total,
        list_coverage,
    })
}

use tradewar_core::bn;

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.replay)?;
        writeln!(f)?;
        writeln!(
            f,
            "== Trade covered by each list on the day it started (2017 trade; US imports CIF, US exports FOB)"
        )?;
        writeln!(
            f,
            "    {:<48} {:>6} {:>10} {:>10} {:>10}",
            "measure", "codes", "full-only", "line-share", "any-line"
        )?;
        for [lo, mid, hi] in &self.list_coverage {
            let codes: usize = mid.lines_by_digits.iter().map(|(_, n)| n).sum();
            if !mid.in_force {
                let why = mid.note.as_deref().unwrap_or("not in force");
                writeln!(f, "    {:<48} {:>6}   {why}", mid.name, codes)?;
                continue;
            }
            writeln!(
                f,
                "    {:<48} {:>6} {:>10} {:>10} {:>10}",
                mid.name,
                codes,
                bn(lo.covered),
                bn(mid.covered),
                bn(hi.covered)
            )?;
        }
        writeln!(f)?;
        writeln!(f, "== The 2017 US goods deficit with China")?;
        let (x, m, b) = self.census_2017;
        writeln!(
            f,
            "  Census, first published: exports {} (FOB) - general imports {} (customs value) = {}",
            bn(x),
            bn(m),
            bn(b)
        )?;
        let e = &self.embedded_2017;
        writeln!(
            f,
            "  embedded HS6 data:       exports {} ({}) - imports {} ({}) = {}",
            bn(e.exports),
            e.export_basis.iter().map(ToString::to_string).collect::<Vec<_>>().join("+"),
            bn(e.imports),
            e.import_basis.iter().map(ToString::to_string).collect::<Vec<_>>().join("+"),
            bn(e.balance)
        )?;
        writeln!(f)?;
        writeln!(f, "== Target: {} ({})", self.target.name, bn(self.target.reduction))?;
        writeln!(f, "  mechanical closure (every extra dollar bought lowers the deficit one for one):")?;
        for c in &self.closures {
            writeln!(f, "    {:<44} {:>8}  {:>6} of the target", c.label, bn(c.closed), c.share)?;
        }
        writeln!(f, "  actual change of the balance (embedded data):")?;
        for a in &self.actual {
            writeln!(f, "    {:<44} {:>8}  {:>6} of the target", a.label, bn(a.closed), a.share)?;
        }
        writeln!(f)?;
        writeln!(f, "== Phase One purchases of goods (US exports to China, FOB, Annex 6.1 categories)")?;
        writeln!(
            f,
            "    {:<40} {:>6} {:>10} {:>10} {:>8} {:>10}",
            "commitment", "year", "2017", "committed", "actual", "attained"
        )?;
        for p in &self.phase_one {
            writeln!(
                f,
                "    {:<40} {:>6} {:>10} {:>10} {:>8} {:>10}",
                p.name,
                p.year,
                bn(p.baseline),
                bn(p.committed),
                bn(p.actual),
                p.attainment().to_string()
            )?;
        }
        let (c, a, pct) = self.phase_one_total;
        writeln!(f, "  Phase One attainment, goods 2020-2021: {} of {} committed = {}", bn(a), bn(c), pct)?;
        Ok(())
    }
}
