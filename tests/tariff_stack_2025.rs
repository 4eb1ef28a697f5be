//! Today's US tariff stack (2025–2026): dated cases computed by hand from the
//! rule summaries of the source (STACKING.md, policy_params.yaml, the
//! Chapter 99 headings), every rule kind, and property tests of the engine.

use std::sync::OnceLock;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tradewar::prelude::*;
use tradewar::us_tariffs_2025;
use tradewar::{
    Action, Combine, CustomsLines, Event, LegalBasis, Measure, MeasureHeader, MeasureId, MfnTable, ShareLimit,
    Stacking, TariffRates, Timeline, TradeFlow, TradeMatrix, ValuationBasis,
};

fn d(s: &str) -> chrono::NaiveDate {
    parse_date(s).unwrap()
}

fn p(s: &str) -> Percent {
    s.parse().unwrap()
}

fn schedule() -> &'static Schedule {
    static S: OnceLock<Schedule> = OnceLock::new();
    S.get_or_init(|| us_tariffs_2025::schedule().unwrap())
}

fn q(origin: &str, line: &str, date: &str) -> DutyStack {
    schedule().query(Economy::USA, origin.parse().unwrap(), line.parse().unwrap(), d(date)).unwrap()
}

fn total(origin: &str, line: &str, date: &str) -> Percent {
    q(origin, line, date).total_ad_valorem.unwrap()
}

fn active(s: &DutyStack) -> Vec<&str> {
    s.layers.iter().filter_map(|l| l.id.as_ref().map(MeasureId::as_str)).collect()
}

fn switched_off<'a>(s: &'a DutyStack, id: &str) -> Option<&'a str> {
    s.inactive.iter().find(|l| l.id.as_str() == id).map(|l| l.reason.as_str())
}

const LATEST: &str = "2026-04-29";

#[test]
fn latest_date_and_event_dates_come_from_the_source() {
    assert_eq!(us_tariffs_2025::latest_date().unwrap(), d(LATEST));
    let dates = us_tariffs_2025::event_dates().unwrap();
    assert_eq!(dates.first().unwrap().0, d("2025-01-27"));
    assert!(dates.iter().any(|(x, w)| *x == d("2026-02-24") && w.contains("Section 122")));
}

// ---- the five telling lines on the three dates --------------------------

#[test]
fn chinese_laptop() {
    // MFN free; List 4B (8471.30) never in force; Annex II electronics exempt from
    // the reciprocal tariff; China fentanyl 20% (2025-02-04 to 2025-10-14).
    assert_eq!(total("CHN", "8471.30.0100", "2025-04-10"), p("20"));
    assert_eq!(total("CHN", "8471.30.0100", "2025-10-01"), p("20"));
    // After 2026-02-24 no IEEPA; 8471 is in Annex I-B of April 2026 (25%),
    // which switches Section 122 off.
    let s = q("CHN", "8471.30.0100", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("25")), "{}", s.explain());
    assert_eq!(active(&s), ["US232-ANNEX-1B"]);
}

#[test]
fn german_car() {
    // 2.5% MFN + 25% Section 232 autos; the reciprocal tariff does not apply to 232 autos.
    let s = q("DEU", "8703.23.0190", "2025-04-10");
    assert_eq!(s.total_ad_valorem, Some(p("27.5")), "{}", s.explain());
    assert!(switched_off(&s, "IEEPA-RECIP-WLD").unwrap().contains("US232-AUTOS"));
    // EU deal: 15% all-in on cars (floor over the 2.5% MFN) from 2025-09-19.
    let s = q("DEU", "8703.23.0190", "2025-10-01");
    assert_eq!(s.total_ad_valorem, Some(p("15")), "{}", s.explain());
    assert_eq!(s.layers[0].contribution, Some(p("12.5")));
    assert_eq!(total("DEU", "8703.23.0190", LATEST), p("15"));
}

#[test]
fn canadian_aluminium_ingot() {
    // 232 aluminium 25% (Canada's exemption ended 2025-03-12), no fentanyl on 232 aluminium,
    // Canada outside the reciprocal tariff.
    let s = q("CAN", "7601.10.6000", "2025-04-10");
    assert_eq!(s.total_ad_valorem, Some(p("25")), "{}", s.explain());
    assert!(switched_off(&s, "IEEPA-FENT-CAN").unwrap().contains("US232-ALU"));
    assert!(switched_off(&s, "IEEPA-RECIP-WLD").unwrap().contains("IEEPA-RECIP-WLD-XCAN"));
    // Before 2025-03-12 Canada's arrangement excluded it from 232, so the fentanyl 25% applied.
    let s = q("CAN", "7601.10.6000", "2025-03-11");
    assert_eq!(s.total_ad_valorem, Some(p("25")), "{}", s.explain());
    assert!(switched_off(&s, "US232-ALU").unwrap().contains("US232-ALU-XCAN"));
    assert_eq!(total("CAN", "7601.10.6000", "2025-10-01"), p("50"));
    let s = q("CAN", "7601.10.6000", LATEST);
    assert_eq!(active(&s), ["US232-ANNEX-1A"]);
    assert_eq!(s.total_ad_valorem, Some(p("50")));
}

#[test]
fn brazilian_coffee() {
    // Universal 10% (coffee joined the exemptions only on 2025-11-13).
    assert_eq!(total("BRA", "0901.11.0025", "2025-04-10"), p("10"));
    // Brazil's Phase 2 rate is the 10% baseline, plus the +40% order.
    assert_eq!(total("BRA", "0901.11.0025", "2025-10-01"), p("50"));
    // From 2025-11-13 both exempt; after 2026-02-24 Section 122 exempts coffee.
    assert_eq!(total("BRA", "0901.11.0025", "2025-12-01"), p("0"));
    let s = q("BRA", "0901.11.0025", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("0")));
    assert!(s.layers.is_empty());
    // The exemption is explained, naming the list entry.
    let why = switched_off(&s, "S122").unwrap();
    assert!(why.starts_with("exempt: 0901.11.00"), "{why}");
}

#[test]
fn korean_semiconductors() {
    // Memory chips: MFN free, Annex II (ITA) exempt, Section 122 exempt.
    for date in ["2025-04-10", "2025-10-01", LATEST] {
        assert_eq!(total("KOR", "8542.32.0001", date), p("0"), "{date}");
    }
    // A Note 39 semiconductor article (server): 25% from 2026-01-16; it switches the
    // Annex I-B metals layer off.
    let s = q("KOR", "8471.50.0150", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("25")), "{}", s.explain());
    assert!(switched_off(&s, "US232-ANNEX-1B").unwrap().contains("US232-SEMIS"));
    assert_eq!(total("KOR", "8471.50.0150", "2026-01-15"), p("0"));
}

// ---- every rule kind -------------------------------------------------------

#[test]
fn add_and_dated_changes_china_april_sequence() {
    // Furniture, List 3 (25%), MFN free: fentanyl and reciprocal add on top.
    let f = |date| total("CHN", "9403.60.8081", date);
    assert_eq!(f("2025-01-26"), p("25"));
    assert_eq!(f("2025-01-27"), p("35")); // +10 fentanyl
    assert_eq!(f("2025-02-04"), p("45")); // fentanyl 20
    assert_eq!(f("2025-04-02"), p("79")); // +34 reciprocal
    assert_eq!(f("2025-04-03"), p("129")); // 84
    assert_eq!(f("2025-04-10"), p("170")); // 125
    assert_eq!(f("2025-04-14"), p("55")); // Geneva: back to the 10% baseline
    assert_eq!(f("2025-10-15"), p("45")); // fentanyl cut to 10
    assert_eq!(f("2026-02-24"), p("35")); // IEEPA gone, Section 122 10%
    assert_eq!(f("2026-07-24"), p("25")); // Section 122 expired after 2026-07-23
}

#[test]
fn max_of_overlapping_section_301_lists() {
    // Transistors 8541.21: List 3 (25%) and the 2024 review heading 9903.91.05
    // (50% from 2025-01-01): only the highest applies. MFN free; 8541 is in the
    // source's IEEPA exemption list.
    let s = q("CHN", "8541.21.0095", "2025-10-01");
    assert_eq!(s.total_ad_valorem, Some(p("70")), "{}", s.explain());
    assert!(switched_off(&s, "US301-8803").unwrap().contains("group s301"));
}

#[test]
fn precedence_and_exemptions() {
    // 232 aluminium switches the Canada fentanyl tariff off (tested above); here
    // Canada's energy carve-out: a reduced 10% layer instead of 25%.
    let s = q("CAN", "2709.00.2000", "2025-04-10");
    assert_eq!(active(&s), ["IEEPA-FENT-CAN-REDUCED"], "{}", s.explain());
    // EU floor exemptions (PTAAP list of 2025-09-19): capers pay MFN only.
    let mfn = Percent::new(Decimal::new(8, 0)).unwrap();
    assert_eq!(total("FRA", "0711.90.3000", "2025-09-18"), p("15"));
    assert_eq!(total("FRA", "0711.90.3000", "2025-10-01"), mfn);
    // Brazil's order exemptions of the first list (aircraft parts, orange juice...).
    assert_eq!(total("BRA", "2009.12.2500", "2025-10-01"), total("BRA", "2009.12.2500", "2025-07-01"));
}

#[test]
fn partial_value_of_a_derivative() {
    // An aluminium derivative (photograph frames 8306.30.00, MFN 2.7%) from Germany on
    // 2025-06-10: 232 at 50% on the 50% metal share = 25; the universal 10% on the other half = 5.
    let s = q("DEU", "8306.30.0000", "2025-06-10");
    assert_eq!(s.total_ad_valorem, Some(p("32.7")), "{}", s.explain());
    assert!(s.layers.iter().any(|l| l.name.contains("on 50% of value")));
    // Before the 50% step (2025-05-02) the derivative paid 25% on the metal half.
    assert_eq!(total("DEU", "8306.30.0000", "2025-04-10"), p("20.2"));
    // On 2025-10-01 the EU floor applies to the non-metal half: (15 - 2.7) * 50% = 6.15.
    assert_eq!(total("DEU", "8306.30.0000", "2025-10-01"), p("33.85"));
}

#[test]
fn floors_against_the_base() {
    // Valves (MFN 2%) from Germany: floor 15% all-in.
    assert_eq!(total("DEU", "8481.80.9050", "2025-10-01"), p("15"));
    // Footwear at 20% MFN: the floor adds nothing, and the 10% baseline is off.
    let s = q("ITA", "6402.99.9060", "2025-10-01");
    assert_eq!(s.total_ad_valorem, Some(p("20")), "{}", s.explain());
    // Japan: 15% additive from 2025-08-07, floor from 2025-09-12.
    assert_eq!(total("JPN", "8481.80.9050", "2025-08-10"), p("17"));
    assert_eq!(total("JPN", "8481.80.9050", "2025-09-12"), p("15"));
}

#[test]
fn country_rates_and_add_ons() {
    let valves = |o, date| total(o, "8481.80.9050", date);
    assert_eq!(valves("CHE", "2025-08-10"), p("41")); // 2 + 39
    assert_eq!(valves("CHE", "2025-11-14"), p("15")); // Swiss framework floor
    assert_eq!(valves("IND", "2025-08-10"), p("27")); // 2 + 25
    assert_eq!(valves("IND", "2025-09-01"), p("52")); // + 25 Russian-oil order
    assert_eq!(valves("IND", "2026-02-10"), p("27")); // order ended 2026-02-07
    assert_eq!(valves("GBR", "2025-10-01"), p("12")); // universal 10
                                                      // UK metals at 25% from 2025-06-04 while others pay 50%.
    assert_eq!(total("GBR", "7601.10.6000", "2025-10-01"), p("25"));
    assert_eq!(total("GBR", "7601.10.6000", LATEST), p("25"));
    // Russian aluminium 200%.
    assert_eq!(total("RUS", "7601.10.6000", "2025-10-01"), p("200"));
}

#[test]
fn bulk_agrees_with_single_queries() {
    let mut lines = CustomsLines::default();
    let cases =
        [("CHN", "9403.60.8081", "2025-04-10"), ("DEU", "8703.23.0190", "2025-10-01"), ("BRA", "0901.11.0025", LATEST)];
    for (o, l, dt) in cases {
        lines.push(Economy::USA, o.parse().unwrap(), l.parse().unwrap(), d(dt));
    }
    let bulk = schedule().bulk_totals(&lines).unwrap();
    for (i, (o, l, dt)) in cases.iter().enumerate() {
        assert_eq!(bulk[i], Some(total(o, l, dt)));
    }
}

#[test]
fn effective_rate_with_a_user_table() {
    // Two products of 2021: furniture (all lines List 3) and coffee.
    let mut m = TradeMatrix::new();
    for (code, usd) in [("9403.60", "300"), ("0901.11", "100")] {
        m.push(TradeFlow {
            exporter: Economy::CHN,
            importer: Economy::USA,
            product: code.parse().unwrap(),
            year: 2021,
            value: Money::usd(usd).unwrap(),
            basis: ValuationBasis::Cif,
        })
        .unwrap();
    }
    let r = us_tariffs_2025::effective_rate(schedule(), &m, Economy::CHN, 2021, d("2025-10-01")).unwrap();
    // Furniture: 0 MFN + 25 + 20 + 10 = 55 on every line; coffee: 0 + 20 + 10 + 7.5 (List 4A) = 37.5.
    // (300 * 55 + 100 * 37.5) / 400 = 50.625
    assert_eq!(r.total, p("50.625"));
    assert_eq!(r.products, 2);
}

#[test]
fn effective_rate_on_china_moves_with_the_events() {
    let trade = tradewar::embedded::us_china_trade().unwrap();
    let at = |date| us_tariffs_2025::effective_rate(schedule(), trade, Economy::CHN, 2021, d(date)).unwrap().total;
    let before = at("2025-04-01");
    let peak = at("2025-04-10");
    let geneva = at("2025-04-14");
    assert!(peak.value() > before.value() + Decimal::from(50), "{peak} vs {before}");
    assert!(geneva.value() < peak.value() - Decimal::from(50));
    assert!(geneva.value() > before.value());
}

#[test]
fn the_2018_story_still_runs_on_the_same_engine() {
    let s = tradewar::us_china_2018::schedule().unwrap();
    let st = s.query(Economy::USA, Economy::CHN, "9403.10.00".parse().unwrap(), d("2019-06-01")).unwrap();
    assert_eq!(st.total_ad_valorem, Some(p("25")));
}

// ---- property tests of the engine -----------------------------------------

fn tiny(events: Vec<Event>) -> Schedule {
    let mfn = MfnTable::new(Economy::USA, [("8481.80.90".parse().unwrap(), Duty::ad_valorem(p("2")))]).unwrap();
    Schedule::new(Timeline::from_events("t", events).unwrap()).with_mfn(mfn)
}

fn layer(id: &str, rate: u32, stacking: Stacking) -> Event {
    // Distinct scopes (all holding the priced line) keep equal layers distinct.
    let scope = match id {
        "A" => ProductScope::from_codes(["84"]).unwrap(),
        "B" => ProductScope::from_codes(["8481"]).unwrap(),
        "C" => ProductScope::from_codes(["8481.80"]).unwrap(),
        _ => ProductScope::all(),
    };
    let h = MeasureHeader::new(
        id,
        id,
        Economy::USA,
        Economy::WLD,
        scope,
        DateWindow::from(d("2025-01-01")),
        LegalBasis::Ieepa,
    )
    .unwrap();
    let rates = TariffRates::uniform_ad_valorem(Percent::new(Decimal::from(rate)).unwrap());
    Event::new(d("2025-01-01"), Action::Impose { measure: Measure::Tariff { header: h, rates, stacking } })
}

fn price(events: Vec<Event>) -> Decimal {
    tiny(events)
        .query(Economy::USA, "DEU".parse().unwrap(), "8481.80.90".parse().unwrap(), d("2025-06-01"))
        .unwrap()
        .total_ad_valorem
        .unwrap()
        .value()
}

proptest! {
    #[test]
    fn a_floor_never_lowers_a_total(a in 0u32..200, f in 0u32..200, share in 0u32..=100) {
        let plain = vec![layer("A", a, Stacking::default())];
        let mut with = plain.clone();
        let confines = vec![ShareLimit { selector: tradewar::Selector::IdPrefix("F".into()), share: Percent::new(Decimal::from(share)).unwrap() }];
        with.push(layer("F", f, Stacking { combine: Combine::Floor, ..Stacking::default() }));
        with.push(layer("C", 0, Stacking { confines, ..Stacking::default() }));
        prop_assert!(price(with) >= price(plain));
    }

    #[test]
    fn an_exemption_never_raises_a_total(a in 0u32..200, b in 0u32..200, off in proptest::bool::ANY) {
        let base = vec![layer("A", a, Stacking::default()), layer("B", b, Stacking::default())];
        let mut with = base.clone();
        let target = if off { "A" } else { "B" };
        let h = MeasureHeader::new("X", "exemption", Economy::USA, Economy::WLD, ProductScope::all(), DateWindow::from(d("2025-01-01")), LegalBasis::Ieepa).unwrap();
        with.push(Event::new(d("2025-01-01"), Action::Impose { measure: Measure::TariffExclusion { header: h, tariff: MeasureId::new(target).unwrap() } }));
        // A precedence switch-off is an exemption too.
        let mut switched = base.clone();
        switched.push(layer("S", 0, Stacking { switches_off: vec![tradewar::Selector::Measure(MeasureId::new(target).unwrap())], ..Stacking::default() }));
        prop_assert!(price(with) <= price(base.clone()));
        prop_assert!(price(switched) <= price(base));
    }

    #[test]
    fn max_of_never_exceeds_the_sum(a in 0u32..200, b in 0u32..200, c in 0u32..200) {
        let g = || Stacking { combine: Combine::MaxInGroup { group: "g".into() }, ..Stacking::default() };
        let maxed = price(vec![layer("A", a, g()), layer("B", b, g()), layer("C", c, g())]);
        let summed = price(vec![layer("A", a, Stacking::default()), layer("B", b, Stacking::default()), layer("C", c, Stacking::default())]);
        prop_assert!(maxed <= summed);
        prop_assert_eq!(maxed, Decimal::from(2 + a.max(b).max(c)));
    }
}
