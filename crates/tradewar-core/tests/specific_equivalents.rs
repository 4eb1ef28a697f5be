//! Specific duties in schedules with unit values: the base rate, additional
//! layers with a specific part, stacking rules, the fast total, product
//! rates and serde, on small hand-made schedules.

use rust_decimal::Decimal;
use tradewar_core::{
    parse_date, Action, Caveat, Combine, DateWindow, Duty, DutyStack, Economy, Event, HsCode, LegalBasis, Measure,
    MeasureHeader, MfnTable, Money, Percent, ProductScope, Quantity, QuantityUnit, Schedule, Stacking, TariffRates,
    Timeline, TradeFlow, UnitValue, UnitValues, ValuationBasis,
};

fn c(s: &str) -> HsCode {
    s.parse().unwrap()
}

fn p(s: &str) -> Percent {
    s.parse().unwrap()
}

fn usd(s: &str) -> Money {
    Money::usd(s).unwrap()
}

/// China's 2017 flows: beef (0201.10) $1,000 for 200 kg, i.e. $5/kg;
/// pens (9608.10) $300 for 1,200 pens, i.e. $0.25 each and $3 a dozen.
fn unit_values() -> UnitValues {
    let flow = |hs6: &str, value: &str, year: i32| TradeFlow {
        exporter: Economy::CHN,
        importer: Economy::USA,
        product: c(hs6),
        year,
        value: usd(value),
        basis: ValuationBasis::Cif,
    };
    let count = |n: i64| Some(Quantity::new(Decimal::from(n), QuantityUnit::Items).unwrap());
    UnitValues::new([
        UnitValue::new(flow("0201.10", "1000", 2017), Some(Decimal::from(200)), None).unwrap(),
        UnitValue::new(flow("9608.10", "300", 2017), Some(Decimal::from(10)), count(1200)).unwrap(),
        // Another year is not used: pens at $1 each in 2018.
        UnitValue::new(flow("9608.10", "1200", 2018), None, count(1200)).unwrap(),
    ])
    .unwrap()
}

fn header(id: &str, codes: &[&str]) -> MeasureHeader {
    MeasureHeader::new(
        id,
        id,
        Economy::USA,
        Economy::CHN,
        ProductScope::from_codes(codes.iter().copied()).unwrap(),
        DateWindow::from(parse_date("2018-01-01").unwrap()),
        LegalBasis::Section301,
    )
    .unwrap()
}

fn impose(measure: Measure) -> Event {
    Event::new(parse_date("2018-01-01").unwrap(), Action::Impose { measure })
}

fn schedule(events: Vec<Event>) -> Schedule {
    let mfn = MfnTable::new(
        Economy::USA,
        [
            // 10 cents/kg on $5/kg: 2%.
            (c("0201.10.05"), Duty::Specific { amount: usd("0.1"), unit: "kg".into() }),
            // 4% + 0.5 cents each on $0.25: 4% + 2%.
            (c("9608.10.00"), Duty::Compound { rate: p("4"), amount: usd("0.005"), unit: "each".into() }),
            // Per proof litre: no exact conversion.
            (c("2208.20.10"), Duty::Specific { amount: usd("0.1"), unit: "pf.liter".into() }),
        ],
    )
    .unwrap();
    Schedule::new(Timeline::from_events("t", events).unwrap()).with_mfn(mfn).with_unit_values(&unit_values(), 2017)
}

fn query(s: &Schedule, line: &str, date: &str) -> DutyStack {
    s.query(Economy::USA, Economy::CHN, c(line), parse_date(date).unwrap()).unwrap()
}

fn equivalents(st: &DutyStack) -> Vec<(String, Percent)> {
    st.caveats
        .iter()
        .flat_map(|c| match c {
            Caveat::SpecificAsEquivalent { layers, year } => {
                assert_eq!(*year, 2017);
                layers.iter().map(|l| (l.layer.clone(), l.equivalent.specific)).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn base_and_layers_with_specific_parts_count_their_equivalents() {
    // A tariff of 2 cents each on pens ($0.25 each: 8%) and a dozen-based one (36 cents a dozen of $3: 12%).
    let each = Measure::Tariff {
        header: header("EACH", &["9608.10"]),
        rates: TariffRates::Uniform { duty: Duty::Specific { amount: usd("0.02"), unit: "No.".into() } },
        stacking: Stacking::default(),
    };
    let dozen = Measure::Tariff {
        header: header("DOZ", &["9608.10"]),
        rates: TariffRates::Uniform { duty: Duty::Compound { rate: p("1"), amount: usd("0.36"), unit: "doz.".into() } },
        stacking: Stacking { value_share: Some(p("50")), ..Stacking::default() },
    };
    let s = schedule(vec![impose(each), impose(dozen)]);
    let before = query(&s, "9608.10.00", "2017-06-01");
    assert_eq!(before.base.contribution, Some(p("6")));
    assert_eq!(before.total_ad_valorem, Some(p("6")));
    assert_eq!(equivalents(&before), [("USA MFN".to_string(), p("2"))]);
    let after = query(&s, "9608.10.00", "2018-06-01");
    // 6 + 8 + (1 + 12) on half the value.
    assert_eq!(after.total_ad_valorem, Some(p("20.5")), "{}", after.explain());
    let contributions: Vec<_> = after.layers.iter().map(|l| l.contribution).collect();
    assert_eq!(contributions, [Some(p("6.5")), Some(p("8"))]); // layers in id order
    assert_eq!(
        equivalents(&after),
        [("USA MFN".to_string(), p("2")), ("DOZ".to_string(), p("12")), ("EACH".to_string(), p("8"))]
    );
    assert!(!after.has_specific);
    // The stack, caveats and all, round-trips through JSON.
    let json = serde_json::to_string(&after).unwrap();
    assert!(json.contains(r#""kind":"specific_as_equivalent""#), "{json}");
    assert_eq!(serde_json::from_str::<DutyStack>(&json).unwrap(), after);
    // The fast total agrees with the stack, also in bulk.
    let at = s.at(parse_date("2018-06-01").unwrap());
    assert_eq!(at.total(Economy::USA, Economy::CHN, c("9608.10.00")).unwrap(), after.total_ad_valorem);
    // The additional duty is over the base with its equivalent.
    assert_eq!(after.additional(), Some(p("14.5")));
}

#[test]
fn floors_compare_the_base_with_its_equivalent() {
    // Beef pays 2% by its equivalent; a 15% floor adds 13 points.
    let floor = Measure::Tariff {
        header: header("FLOOR", &["02"]),
        rates: TariffRates::uniform_ad_valorem(p("15")),
        stacking: Stacking { combine: Combine::Floor, ..Stacking::default() },
    };
    let s = schedule(vec![impose(floor)]);
    let st = query(&s, "0201.10.05", "2018-06-01");
    assert_eq!(st.layers[0].contribution, Some(p("13")), "{}", st.explain());
    assert_eq!(st.total_ad_valorem, Some(p("15")));
    let at = s.at(parse_date("2018-06-01").unwrap());
    assert_eq!(at.total(Economy::USA, Economy::CHN, c("0201.10.05")).unwrap(), Some(p("15")));
}

#[test]
fn without_a_fitting_unit_value_the_specific_part_is_left_out() {
    let s = schedule(vec![]);
    // Per proof litre: no conversion.
    let st = query(&s, "2208.20.10", "2017-06-01");
    assert_eq!(st.total_ad_valorem, Some(Percent::ZERO));
    assert!(st.has_specific);
    assert_eq!(st.caveats, [Caveat::SpecificDutyLeftOut { layers: vec!["USA MFN".into()] }]);
    // Another exporter: no flow.
    let jp = s.query(Economy::USA, Economy::JPN, c("0201.10.05"), parse_date("2017-06-01").unwrap()).unwrap();
    assert_eq!((jp.total_ad_valorem, jp.has_specific), (Some(Percent::ZERO), true));
    // Without an exporter.
    let at = s.at(parse_date("2017-06-01").unwrap());
    assert_eq!(at.base_rate(Economy::USA, c("0201.10.05")).unwrap(), Some(Percent::ZERO));
    // The 2018 flow is not used by a schedule of 2017 unit values, and not kept.
    assert_eq!(s.unit_values().map(|(u, y)| (u.len(), y)), Some((2, 2017)));
}

#[test]
fn product_rates_count_lines_by_equivalent() {
    let s = schedule(vec![]);
    let at = s.at(parse_date("2017-06-01").unwrap());
    let r = at.product_rate(Economy::USA, Economy::CHN, c("02")).unwrap();
    assert_eq!((r.lines, r.lines_by_equivalent, r.lines_with_specific), (1, 1, 0));
    assert_eq!(r.line_share, Some(p("2")));
    let r = at.product_rate(Economy::USA, Economy::CHN, c("22")).unwrap();
    assert_eq!((r.lines_by_equivalent, r.lines_with_specific), (0, 1));
    assert!(r.caveats.iter().any(|c| matches!(c, Caveat::SpecificDutyLeftOut { .. })));
    assert!(!r.caveats.iter().any(|c| matches!(c, Caveat::SpecificAsEquivalent { .. })));
}

#[test]
fn schedules_keep_their_unit_values_through_serde_and_events() {
    let s = schedule(vec![]);
    let text = serde_json::to_string(&s).unwrap();
    assert!(text.contains(r#""unit_values":{"year":2017,"flows":[{"exporter":"CHN""#), "{text}");
    let back: Schedule = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    assert_eq!(query(&back, "0201.10.05", "2017-06-01").total_ad_valorem, Some(p("2")));
    // A schedule written before unit values existed still reads.
    let plain = Schedule::new(Timeline::from_events("t", vec![]).unwrap());
    let old: Schedule = serde_json::from_str(r#"{"timeline":{"name":"t","events":[]}}"#).unwrap();
    assert_eq!(old, plain);
    // Unit values that break a rule are refused on reading.
    let bad = text.replace(r#""net_weight_kg":"200""#, r#""net_weight_kg":"-200""#);
    assert!(serde_json::from_str::<Schedule>(&bad).unwrap_err().to_string().contains("net weight -200 kg"));
    // What-ifs keep them.
    let what_if = s.with_events([impose(Measure::tariff(header("X", &["0201"]), p("10")))]).unwrap();
    assert_eq!(query(&what_if, "0201.10.05", "2018-06-01").total_ad_valorem, Some(p("12")));
}
