//! Today's US tariff stack (2025–2026): dated cases computed by hand from the
//! source texts (the Chapter 99 headings and notes, the April 2026
//! proclamation's annexes, the rule summaries of STACKING.md and
//! policy_params.yaml), every rule kind, both date conventions, and property
//! tests of the engine.
//!
//! Dates are legal effective dates (the default schedule) unless a test says
//! `hts`: the schedule dated by HTS revision, the tracker's own dating.

use std::sync::OnceLock;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tradewar::prelude::*;
use tradewar::us_tariffs_2025::{self, DateConvention};
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

fn hts_schedule() -> &'static Schedule {
    static S: OnceLock<Schedule> = OnceLock::new();
    S.get_or_init(|| us_tariffs_2025::schedule_dated_by(DateConvention::HtsRevision).unwrap())
}

fn q(origin: &str, line: &str, date: &str) -> DutyStack {
    schedule().query(Economy::USA, origin.parse().unwrap(), line.parse().unwrap(), d(date)).unwrap()
}

fn total(origin: &str, line: &str, date: &str) -> Percent {
    q(origin, line, date).total_ad_valorem.unwrap()
}

fn hts_total(origin: &str, line: &str, date: &str) -> Percent {
    hts_schedule()
        .query(Economy::USA, origin.parse().unwrap(), line.parse().unwrap(), d(date))
        .unwrap()
        .total_ad_valorem
        .unwrap()
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
    // Legal dates: the first change of 2025 is China's fentanyl tariff, EO 14195, on 2025-02-04.
    let dates = us_tariffs_2025::event_dates().unwrap();
    assert_eq!(dates.first().unwrap().0, d("2025-02-04"));
    assert!(dates.iter().any(|(x, w)| *x == d("2026-02-24") && w.contains("Section 122")));
    // HTS revision dates: revision 1 of 2025-01-27 carried it.
    let hts = us_tariffs_2025::event_dates_by(DateConvention::HtsRevision).unwrap();
    assert_eq!(hts.first().unwrap().0, d("2025-01-27"));
    assert_eq!(hts.last().unwrap().0, d(LATEST));
}

// ---- the telling lines on three dates -----------------------------------

#[test]
fn chinese_laptop() {
    // MFN free; List 4B (8471.30) never in force; Annex II electronics exempt from
    // the reciprocal tariff; China fentanyl 20% (2025-03-04 to 2025-11-09).
    assert_eq!(total("CHN", "8471.30.0100", "2025-04-10"), p("20"));
    assert_eq!(total("CHN", "8471.30.0100", "2025-10-01"), p("20"));
    // After 2026-02-24 no IEEPA; Section 122 exempts 8471 (the tracker's list, US note
    // 2(aa)(ii)); 8471 is on no list of U.S. note 16(c): nothing but the MFN 0.
    // (Before the fix: 25%, from a whole heading 8471 in Annex I-B read out of the
    // description "of heading 8471" by the tracker's s232_annex_products.csv.)
    let s = q("CHN", "8471.30.0100", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("0")), "{}", s.explain());
    assert!(active(&s).is_empty());
}

#[test]
fn german_car() {
    // 2.5% MFN + 25% Section 232 autos (from 2025-04-03, Proclamation 10908, heading
    // 9903.94.02); the reciprocal tariff does not apply to 232 autos.
    let s = q("DEU", "8703.23.0190", "2025-04-10");
    assert_eq!(s.total_ad_valorem, Some(p("27.5")), "{}", s.explain());
    assert!(switched_off(&s, "IEEPA-RECIP-WLD").unwrap().contains("US232-AUTOS"));
    // EU deal: 15% all-in on cars (floor over the 2.5% MFN), retroactive to 2025-08-01.
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
    // Before 2025-03-12 Canada's arrangement excluded it from 232, so the fentanyl 25%
    // (in force from 2025-03-04) applied.
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
    // A Note 39 semiconductor article (server): 25% from 2026-01-15 (Proclamation 11002);
    // the tracker's HTS revision carries it on 2026-01-16.
    let s = q("KOR", "8471.50.0150", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("25")), "{}", s.explain());
    assert_eq!(active(&s), ["US232-SEMIS"]);
    assert_eq!(total("KOR", "8471.50.0150", "2026-01-14"), p("0"));
    assert_eq!(total("KOR", "8471.50.0150", "2026-01-15"), p("25"));
    assert_eq!(hts_total("KOR", "8471.50.0150", "2026-01-15"), p("0"));
}

// ---- the two date conventions ---------------------------------------------

#[test]
fn china_april_sequence_on_legal_and_on_revision_dates() {
    // Furniture, List 3 (25%), MFN free: fentanyl and reciprocal add on top.
    let legal = |date| total("CHN", "9403.60.8081", date);
    assert_eq!(legal("2025-02-03"), p("25"));
    assert_eq!(legal("2025-02-04"), p("35")); // +10 fentanyl, EO 14195 (note 2(s))
    assert_eq!(legal("2025-03-04"), p("45")); // fentanyl 20, EO 14228 (note 2(s))
    assert_eq!(legal("2025-04-05"), p("55")); // +10 universal, EO 14257 sec. 3(a)
    assert_eq!(legal("2025-04-09"), p("129")); // China 84, EO 14259 (34% never applied)
    assert_eq!(legal("2025-04-10"), p("170")); // 125, EO 14266 (heading 9903.01.63)
    assert_eq!(legal("2025-05-13"), p("170"));
    assert_eq!(legal("2025-05-14"), p("55")); // Geneva, EO 14298 sec. 2: back to 10
    assert_eq!(legal("2025-11-09"), p("55"));
    assert_eq!(legal("2025-11-10"), p("45")); // fentanyl 10, EO 14357 (note 2(u))
    assert_eq!(legal("2026-02-24"), p("35")); // IEEPA gone, Section 122 10%
    assert_eq!(legal("2026-07-24"), p("25")); // Section 122 expired after 2026-07-23
                                              // The same line on the tracker's HTS revision dates.
    let hts = |date| hts_total("CHN", "9403.60.8081", date);
    assert_eq!(hts("2025-01-26"), p("25"));
    assert_eq!(hts("2025-01-27"), p("35"));
    assert_eq!(hts("2025-02-04"), p("45"));
    assert_eq!(hts("2025-04-02"), p("79"));
    assert_eq!(hts("2025-04-03"), p("129"));
    assert_eq!(hts("2025-04-05"), p("170"));
    assert_eq!(hts("2025-04-14"), p("55"));
    assert_eq!(hts("2025-10-15"), p("45"));
    assert_eq!(hts("2026-02-24"), p("35"));
}

#[test]
fn the_peak_on_china_lasts_five_weeks_on_legal_dates_and_nine_days_on_revision_dates() {
    let trade = tradewar::embedded::us_china_trade().unwrap();
    let at = |s: &Schedule, date| {
        us_tariffs_2025::effective_rate(s, trade, Economy::CHN, 2021, d(date)).unwrap().total.value()
    };
    let hundred = Decimal::from(100);
    // Legal: 125% from 2025-04-10 (EO 14266) to 2025-05-13; 34 days above 100%.
    assert!(at(schedule(), "2025-04-09") < hundred);
    assert!(at(schedule(), "2025-04-10") > hundred);
    assert!(at(schedule(), "2025-05-13") > hundred);
    assert!(at(schedule(), "2025-05-14") < hundred);
    // Revision dates: from 2025-04-05 (revision 9) to 2025-04-13; 9 days.
    assert!(at(hts_schedule(), "2025-04-04") < hundred);
    assert!(at(hts_schedule(), "2025-04-05") > hundred);
    assert!(at(hts_schedule(), "2025-04-13") > hundred);
    assert!(at(hts_schedule(), "2025-04-14") < hundred);
    // The peak itself is the same rate on both.
    assert_eq!(at(schedule(), "2025-04-20"), at(hts_schedule(), "2025-04-10"));
}

#[test]
fn china_effective_rates_are_priced_on_the_dates_of_their_convention() {
    let legal = us_tariffs_2025::china_effective_rates(schedule(), DateConvention::Legal).unwrap();
    let hts = us_tariffs_2025::china_effective_rates(hts_schedule(), DateConvention::HtsRevision).unwrap();
    let row = |rows: &[(chrono::NaiveDate, String, us_tariffs_2025::EffectiveRate)], date| {
        rows.iter().find(|r| r.0 == d(date)).map(|r| (r.1.clone(), r.2.total.value()))
    };
    let (what, geneva) = row(&legal, "2025-05-14").unwrap();
    assert!(what.contains("Geneva"), "{what}");
    assert!(row(&legal, "2025-04-14").is_none());
    let (what, hts_geneva) = row(&hts, "2025-04-14").unwrap();
    assert!(what.contains("Geneva"), "{what}");
    assert_eq!(geneva, hts_geneva);
    assert_eq!(legal.len(), us_tariffs_2025::event_dates().unwrap().len());
}

#[test]
fn legal_dates_of_the_other_changes() {
    // Valves 8481.80.9050, MFN 2%.
    let valves = |o, date| total(o, "8481.80.9050", date);
    // Canada fentanyl 25% from 2025-03-04 (EO 14193 as paused by EO 14197), 35% from
    // 2025-08-01 (EO 14325, 90 FR 37957); the tracker: 2025-02-04 and 2025-07-01.
    assert_eq!(valves("CAN", "2025-03-03"), p("2"));
    assert_eq!(valves("CAN", "2025-03-04"), p("27"));
    assert_eq!(valves("CAN", "2025-07-31"), p("27"));
    assert_eq!(valves("CAN", "2025-08-01"), p("37"));
    assert_eq!(hts_total("CAN", "8481.80.9050", "2025-07-01"), p("37"));
    // Brazil +40% from 2025-08-06 (EO 14323; compiler's note to 9903.01.77), the
    // tracker 2025-08-07: 2 + 10 + 40.
    assert_eq!(valves("BRA", "2025-08-05"), p("12"));
    assert_eq!(valves("BRA", "2025-08-06"), p("52"));
    assert_eq!(hts_total("BRA", "8481.80.9050", "2025-08-06"), p("12"));
    // India +25% from 2025-08-27 (EO 14329, heading 9903.01.84), the tracker 2025-08-20.
    assert_eq!(valves("IND", "2025-08-26"), p("27"));
    assert_eq!(valves("IND", "2025-08-27"), p("52"));
    // Korea: 15% floor from 2025-11-14 (90 FR 55964), the tracker 2025-11-15.
    assert_eq!(valves("KOR", "2025-11-13"), p("17"));
    assert_eq!(valves("KOR", "2025-11-14"), p("15"));
    // Cars (MFN 2.5%): autos 25% from 2025-04-03 (Proclamation 10908), the tracker
    // 2025-03-12; the floors of the deals from 2025-08-01 (EU), 2025-09-16 (Japan) and
    // 2025-11-01 (Korea), the tracker 2025-09-19, 2025-09-12 and 2025-11-15.
    let car = |o, date| total(o, "8703.23.0190", date);
    assert_eq!(car("DEU", "2025-04-02"), p("2.5"));
    assert_eq!(car("DEU", "2025-04-03"), p("27.5"));
    assert_eq!(car("DEU", "2025-07-31"), p("27.5"));
    assert_eq!(car("DEU", "2025-08-01"), p("15"));
    assert_eq!(car("JPN", "2025-09-15"), p("27.5"));
    assert_eq!(car("JPN", "2025-09-16"), p("15"));
    assert_eq!(car("KOR", "2025-10-31"), p("27.5"));
    assert_eq!(car("KOR", "2025-11-01"), p("15"));
    assert_eq!(hts_total("DEU", "8703.23.0190", "2025-08-01"), p("27.5"));
    // Auto parts (a bumper part, MFN 2.5%, aluminium derivative before): 25% from
    // 2025-05-03 (heading 9903.94.06), the tracker 2025-04-11.
    assert_eq!(total("DEU", "8708.80.6590", "2025-05-02"), p("20")); // 2.5 + 50% x 25 + 50% x 10
    assert_eq!(total("DEU", "8708.80.6590", "2025-05-03"), p("27.5"));
    // Buses (MFN 2%) 10% from 2025-11-01 (Proclamation 10984), switching the steel
    // derivative layer off; before: 2 + 25 on the metal half + the EU floor's 13 on the rest.
    assert_eq!(total("DEU", "8702.10.61", "2025-10-31"), p("33.5"));
    assert_eq!(total("DEU", "8702.10.61", "2025-11-01"), p("12"));
    // Copper wire (MFN 3%) 50% from 2025-08-01 (copper proclamation of 2025-07-30), the
    // tracker 2025-07-01.
    assert_eq!(total("DEU", "7408.11.60", "2025-07-31"), p("13"));
    assert_eq!(total("DEU", "7408.11.60", "2025-08-01"), p("53"));
    // Aluminium derivatives 25% -> 50% on 2025-06-04 with the metals (Proclamation
    // 10947); the tracker moves them on 2025-05-02.
    assert_eq!(total("DEU", "8306.30.00", "2025-06-03"), p("20.2")); // 2.7 + 12.5 + 5
    assert_eq!(total("DEU", "8306.30.00", "2025-06-04"), p("32.7")); // 2.7 + 25 + 5
    assert_eq!(hts_total("DEU", "8306.30.00", "2025-06-03"), p("32.7"));
}

#[test]
fn section_301_cranes_pay_25_percent_since_september_2024() {
    // Heading 9903.92.10 (ship-to-shore gantry cranes of 8426.19.00, +25%) is one of the
    // 2024 increases of the four-year review, from 2024-09-27 (89 FR 76581). The tracker's
    // "301 cranes (100%)" of 2025-10-15 is the later heading 9903.91.14, not in its lists.
    // Before the fix the layer started on 2025-10-15: 30% on 2025-06-01.
    for s in [schedule(), hts_schedule()] {
        let st = s.query(Economy::USA, Economy::CHN, "8426.19.00".parse().unwrap(), d("2025-06-01")).unwrap();
        assert_eq!(st.total_ad_valorem, Some(p("55")), "{}", st.explain()); // 0 + 20 + 10 + 25
        assert!(active(&st).contains(&"US301-9210"));
    }
}

#[test]
fn ferro_alloys_and_scrap_were_never_under_section_232() {
    // Steel articles begin at heading 7206 (Proclamation 9705; note 16(c)(iii)); pig iron,
    // ferro-alloys, ferrous scrap (7201-7205) and aluminium scrap (7602) are on no list of
    // April 2026. Before the fix the chapter blankets charged them 50% in 2025.
    let s = q("DEU", "7204.49.00", "2025-10-01");
    assert_eq!(s.total_ad_valorem, Some(p("15")), "{}", s.explain()); // EU floor over MFN free
    assert_eq!(total("DEU", "7602.00.00", "2025-10-01"), p("15"));
    // Ferromanganese (MFN 1.5%) is in the reciprocal tariff's Annex II as well.
    assert_eq!(total("ZAF", "7202.11.50", "2025-10-01"), p("1.5"));
    // Heading 7206 onwards still pays.
    assert_eq!(total("DEU", "7206.10.00", "2025-10-01"), p("50"));
}

// ---- the April 2026 Section 232 annexes ------------------------------------
//
// Each annex line on 2026-04-05 (the last day of the 232 layers of 2025) and on
// 2026-04-06 (annexes_text.txt, Annex IV: "on or after 12:01 a.m. eastern time on
// April 6, 2026"), for an EU (DEU) and a Chinese origin, totals by hand. Rates:
// heading 9903.82.02 +50% on lists (c)(i)-(v) of U.S. note 16, 9903.82.09 +25% on
// (vi)-(viii), 9903.82.10 "total 15 percent" on (ix)-(x) (9903.82.11: nothing at 15%
// or more); the UK's 9903.82.04 +25% on (i)-(iv) and 9903.82.05 +15% on (vi)-(vii).
// The annexes switch every IEEPA layer and Section 122 off (US note 2(aa)(v)(1),
// heading 9903.03.06); Section 301 still adds. MFN rates are the embedded 2017 HTS8.

fn before_after(origin: &str, line: &str) -> (Percent, Percent) {
    (total(origin, line, "2026-04-05"), total(origin, line, "2026-04-06"))
}

#[test]
fn annex_i_a_articles_and_derivatives_at_50_percent() {
    // (iii) articles of steel: "7208" (chapter99_2026_rev_6.txt, note 16(c)(iii); Annex I-A
    // "Steel 7206 7207 7208 ..."). 7208.51.00 MFN free. Before: 232 steel 50%
    // (Proclamation 10947). China adds Section 301 9903.91.01 (25%, the 2024 steel increase).
    // Before the fix: 10% (DEU) and 35% (CHN) from 2026-04-06, the annex file lacking 7208.
    assert_eq!(before_after("DEU", "7208.51.00"), (p("50"), p("50")));
    assert_eq!(before_after("CHN", "7208.51.00"), (p("75"), p("75")));
    assert_eq!(before_after("GBR", "7208.51.00"), (p("25"), p("25"))); // 9903.82.04
    let s = q("DEU", "7208.51.00", LATEST);
    assert_eq!(active(&s), ["US232-ANNEX-1A"]);
    assert!(switched_off(&s, "S122").unwrap().contains("US232-ANNEX-1A"));
    // (iv) derivative steel articles: "7318.15.20" (bolts, MFN free; List 3 for China).
    assert_eq!(before_after("DEU", "7318.15.20"), (p("50"), p("50")));
    assert_eq!(before_after("CHN", "7318.15.20"), (p("75"), p("75")));
    // (i) articles of aluminum: "7601" (unwrought, 7601.10.60 MFN free; 9903.91.01 for China).
    assert_eq!(before_after("DEU", "7601.10.60"), (p("50"), p("50")));
    assert_eq!(before_after("CHN", "7601.10.60"), (p("75"), p("75")));
    // (ii) derivative aluminum articles: "7610.10.00" (doors, MFN 5.7%; List 4A 7.5%).
    assert_eq!(before_after("DEU", "7610.10.00"), (p("55.7"), p("55.7")));
    assert_eq!(before_after("CHN", "7610.10.00"), (p("63.2"), p("63.2")));
    // (v) articles of copper: "7408.11.60" (wire, MFN 3%; List 3). Before: copper 232 50%.
    // Copper is not on the UK's 9903.82.04 ((c)(i)-(iv) only): the UK pays 50%.
    assert_eq!(before_after("DEU", "7408.11.60"), (p("53"), p("53")));
    assert_eq!(before_after("CHN", "7408.11.60"), (p("78"), p("78")));
    assert_eq!(total("GBR", "7408.11.60", "2026-04-06"), p("53"));
}

#[test]
fn annex_i_b_downstream_articles_at_25_percent() {
    // (vi) derivative aluminum articles: "8306.30.00" (frames, MFN 2.7%; List 3). Before:
    // aluminium derivative, 50% on the 50% metal share, Section 122 on the rest:
    // 2.7 + 25 + 5 = 32.7. After: 25% on full value, no Section 122: 27.7.
    assert_eq!(before_after("DEU", "8306.30.00"), (p("32.7"), p("27.7")));
    assert_eq!(before_after("CHN", "8306.30.00"), (p("57.7"), p("52.7")));
    assert_eq!(total("GBR", "8306.30.00", "2026-04-06"), p("17.7")); // 9903.82.05: 2.7 + 15
                                                                     // (vii) derivative steel articles: "7321.11.10" (gas cooking appliances, MFN 5.7%; List 3).
                                                                     // Before: chapter 73 under 232 steel at 50%.
    assert_eq!(before_after("DEU", "7321.11.10"), (p("55.7"), p("30.7")));
    assert_eq!(before_after("CHN", "7321.11.10"), (p("80.7"), p("55.7")));
    assert_eq!(before_after("GBR", "7321.11.10"), (p("30.7"), p("20.7"))); // UK 25% then 15%
                                                                           // (viii) articles of copper: "8544.49.10" (conductors, MFN free; List 2). Before: copper
                                                                           // 232 at 50% (charged on full value: the copper share is not in the source).
    assert_eq!(before_after("DEU", "8544.49.10"), (p("50"), p("25")));
    assert_eq!(before_after("CHN", "8544.49.10"), (p("75"), p("50")));
    assert_eq!(total("GBR", "8544.49.10", "2026-04-06"), p("25")); // copper: no UK rate
                                                                   // Statistical lines keep their own annex: 7326.90.8660 is in (vii), 7326.90.8688 in (iv).
    assert_eq!(active(&q("DEU", "7326.90.8660", LATEST)), ["US232-ANNEX-1B"]);
    assert_eq!(active(&q("DEU", "7326.90.8688", LATEST)), ["US232-ANNEX-1A"]);
}

#[test]
fn annex_iii_temporary_floor_at_15_percent() {
    // (x) derivative steel articles: "8457.10.00" (machining centers, MFN 4.2%; List 1).
    // Before: August 2025 inclusion, 50% on half + Section 122 on half: 4.2 + 25 + 5.
    // After: 9903.82.10, column 1 below 15%: the total is 15 (232 adds 10.8); China's
    // List 1 still adds 25.
    assert_eq!(before_after("DEU", "8457.10.00"), (p("34.2"), p("15")));
    assert_eq!(before_after("CHN", "8457.10.00"), (p("59.2"), p("40")));
    let s = q("DEU", "8457.10.00", LATEST);
    assert_eq!(s.layers[0].contribution, Some(p("10.8")), "{}", s.explain());
    // (ix) derivative aluminum articles: "8504.34.00" (transformers over 500 kVA, MFN 1.6%).
    assert_eq!(before_after("DEU", "8504.34.00"), (p("31.6"), p("15")));
    assert_eq!(before_after("CHN", "8504.34.00"), (p("56.6"), p("40")));
    // Until 2027-12-31 (Annex III note). From 2028-01-01 lists (ix)-(x) join (vi)-(vii)
    // (Annex IV part B: "inserting ... (c)(ix) into the list of provisions in subdivision
    // (c)(vi)"): Annex I-B at 25%, the UK at 15% (9903.82.05).
    assert!(active(&q("DEU", "8457.10.00", "2027-12-31")).contains(&"US232-ANNEX-3"));
    assert_eq!(total("DEU", "8457.10.00", "2028-01-01"), p("29.2"));
    assert_eq!(total("CHN", "8457.10.00", "2028-01-01"), p("54.2"));
    assert_eq!(total("GBR", "8457.10.00", "2028-01-01"), p("19.2"));
}

#[test]
fn annex_ii_removed_from_section_232() {
    // Annex II, Steel and Aluminum Derivatives: "3208.10.00" (polyester paints, MFN 3.7%;
    // List 3), an August 2025 inclusion. Before: 3.7 + 25 (50% on half) + 5 (Section 122 on
    // half). After: out of 232, Section 122 on full value: 13.7.
    assert_eq!(before_after("DEU", "3208.10.00"), (p("33.7"), p("13.7")));
    assert_eq!(before_after("CHN", "3208.10.00"), (p("58.7"), p("38.7")));
    assert_eq!(active(&q("DEU", "3208.10.00", LATEST)), ["S122"]);
}

#[test]
fn headings_named_in_descriptions_are_not_annex_lines() {
    // The tracker's annex file lists the whole heading 8501 (electric motors) in Annex I-B,
    // read from descriptions such as "Stators and rotors for electric motors and generators
    // of heading 8501, nesoi"; note 16(c) lists only 8501.53.60, 8501.53.80 and
    // 8501.64.0110. An 8501.10.40 motor (MFN 4.4%) from Germany pays MFN and Section 122
    // (before the fix: 29.4%, Annex I-B). Likewise heading 8471 ("of heading 8471").
    let s = q("DEU", "8501.10.40", LATEST);
    assert_eq!(s.total_ad_valorem, Some(p("14.4")), "{}", s.explain());
    assert_eq!(active(&s), ["S122"]);
    assert_eq!(total("DEU", "8471.30.0100", LATEST), p("0"));
}

// ---- every rule kind -------------------------------------------------------

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
    // EU floor exemptions (PTAAP list of the US-EU notice, retroactive to 2025-09-01;
    // the tracker's revision 24 of 2025-09-19): capers pay MFN only.
    let mfn = Percent::new(Decimal::new(8, 0)).unwrap();
    assert_eq!(total("FRA", "0711.90.3000", "2025-08-31"), p("15"));
    assert_eq!(total("FRA", "0711.90.3000", "2025-09-01"), mfn);
    assert_eq!(hts_total("FRA", "0711.90.3000", "2025-09-18"), p("15"));
    assert_eq!(hts_total("FRA", "0711.90.3000", "2025-09-19"), mfn);
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
    // Before the 50% step (2025-06-04, Proclamation 10947) the derivative paid 25% on the metal half.
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
    // Japan: the 15% floor applies from 2025-08-07 (EO 14345, retroactively replacing
    // the additive 15% of EO 14326); the tracker's revisions: additive from 2025-08-07,
    // floor from 2025-09-12.
    assert_eq!(total("JPN", "8481.80.9050", "2025-08-10"), p("15"));
    assert_eq!(hts_total("JPN", "8481.80.9050", "2025-08-10"), p("17"));
    assert_eq!(hts_total("JPN", "8481.80.9050", "2025-09-12"), p("15"));
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
    let geneva = at("2025-05-14");
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
