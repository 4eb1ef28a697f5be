//! Specific and compound US MFN duties priced at their ad valorem
//! equivalents (AVEs) with the embedded 2017 unit values, on real lines.
//!
//! The unit values are read off the US-reported 2017 imports from China in
//! `../shared/data/us-china-trade-comtrade/us_china_comtrade_hs6_2015_2021.csv`
//! (columns year, reporter, partner, flow, hs_revision, hs_digits, hs_code,
//! primary_value_usd, cif_value_usd, fob_value_usd, qty, qty_unit,
//! net_weight_kg); each expected AVE was computed by hand from the row
//! quoted beside it: 100 × amount × quantity / value, rounded half away from
//! zero to 0.0001 pp.

use std::sync::OnceLock;

use tradewar_core::{
    parse_date, tariff_averages, Caveat, DutyStack, DutyUnit, Economy, HsCode, LineAggregation, Percent, Schedule,
    UnitValues,
};
use tradewar_data::{embedded, us_china_2018};

fn schedule() -> &'static Schedule {
    static S: OnceLock<Schedule> = OnceLock::new();
    S.get_or_init(|| us_china_2018::schedule().unwrap())
}

fn c(s: &str) -> HsCode {
    s.parse().unwrap()
}

fn p(s: &str) -> Percent {
    s.parse().unwrap()
}

fn stack(from: Economy, line: &str) -> DutyStack {
    schedule().query(Economy::USA, from, c(line), parse_date("2017-06-01").unwrap()).unwrap()
}

/// The one equivalent of a stack: (specific AVE, unit value per unit, unit).
fn equivalent(st: &DutyStack) -> (Percent, String, DutyUnit) {
    let found: Vec<_> = st
        .caveats
        .iter()
        .filter_map(|c| match c {
            Caveat::SpecificAsEquivalent { layers, year: 2017 } => Some(layers.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{}", st.explain());
    assert_eq!(found[0].len(), 1, "{}", st.explain());
    let e = &found[0][0].equivalent;
    assert!(!st.has_specific, "nothing is left out: {}", st.explain());
    assert!(!st.caveats.iter().any(|c| matches!(c, Caveat::SpecificDutyLeftOut { .. })), "{}", st.explain());
    (e.specific, e.unit_value.to_string(), e.unit)
}

#[test]
fn garlic_cents_per_kg() {
    // 0703.20.00 Garlic, fresh or chilled: 0.43 cents/kg.
    // 2017,USA,CHN,M,H5,6,070320,130663743.0,130663743.0,0.0,49510120.0,kg,49510120.0
    // 100 × 0.0043 × 49,510,120 / 130,663,743 = 0.16293...%; $2.6391/kg.
    let st = stack(Economy::CHN, "0703.20.00");
    assert_eq!(equivalent(&st), (p("0.1629"), "2.6391 USD".into(), DutyUnit::Kilogram));
    assert_eq!(st.base.contribution, Some(p("0.1629")));
    assert_eq!(st.total_ad_valorem, Some(p("0.1629")));
    let text = st.caveats.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    assert_eq!(
        text,
        "the specific part of USA MFN on 0703.20.00 (0.0043 USD/kg) is taken as 0.1629% ad valorem at the 2017 unit \
         value of 2.6391 USD/kg (CIF, the line's HS6)"
    );
    assert!(st.explain().contains("0.0043 USD/kg -> 0.1629%"), "{}", st.explain());
}

#[test]
fn watch_movements_dollars_each() {
    // 9108.90.50 Watch movements (7-17 jewels, n/o 15.2 mm, n/o $15 each): $2.16 each.
    // 2017,USA,CHN,M,H5,6,910890,69562.0,69562.0,0.0,10693.0,u,0.0  (no net weight: counted in items)
    // 100 × 2.16 × 10,693 / 69,562 = 33.2033...%; $6.5054 each.
    let st = stack(Economy::CHN, "9108.90.50");
    assert_eq!(equivalent(&st), (p("33.2033"), "6.5054 USD".into(), DutyUnit::Each));
    assert_eq!(st.total_ad_valorem, Some(p("33.2033")));
}

#[test]
fn ball_point_pens_compound() {
    // 9608.10.00 Pens, w/ball point: 0.8 cents each + 5.4%.
    // 2017,USA,CHN,M,H5,6,960810,260741196.0,260741196.0,0.0,1809771047.0,u,12785135.939
    // 100 × 0.008 × 1,809,771,047 / 260,741,196 = 5.5527...%; total 5.4 + 5.5527.
    let st = stack(Economy::CHN, "9608.10.00");
    assert_eq!(equivalent(&st), (p("5.5527"), "0.1441 USD".into(), DutyUnit::Each));
    assert_eq!(st.total_ad_valorem, Some(p("10.9527")));
}

#[test]
fn footwear_per_pair() {
    // 6402.99.19 Footwear (rubber/plastics, metal toe-cap, $6.50-$12/pair): 90 cents/pr. + 20%.
    // 2017,USA,CHN,M,H5,6,640299,2783687536.0,2783687536.0,0.0,473813596.0,2u,132346007.177
    // 100 × 0.90 × 473,813,596 / 2,783,687,536 = 15.3190...%. The HS6 average ($5.8751 a pair)
    // is below the line's own bracket: an HS6 unit value is an estimate for each line.
    let st = stack(Economy::CHN, "6402.99.19");
    assert_eq!(equivalent(&st), (p("15.319"), "5.8751 USD".into(), DutyUnit::Pair));
    assert_eq!(st.total_ad_valorem, Some(p("35.319")));
}

#[test]
fn where_no_unit_value_fits_the_specific_part_stays_out() {
    let left_out = |st: &DutyStack| {
        assert!(st.has_specific, "{}", st.explain());
        assert!(st.caveats.iter().any(|c| matches!(c, Caveat::SpecificDutyLeftOut { .. })), "{}", st.explain());
        assert!(!st.caveats.iter().any(|c| matches!(c, Caveat::SpecificAsEquivalent { .. })), "{}", st.explain());
        st.total_ad_valorem
    };
    // 2003.10.01 Mushrooms: 6 cents/kg on drained weight + 8.5%; the flow's net weight is not a drained weight.
    assert_eq!(left_out(&stack(Economy::CHN, "2003.10.01")), Some(p("8.5")));
    // 9106.10.00 Time registers: 36 cents each + 5.6% + 2 cents/jewel; jewels are not counted.
    assert_eq!(left_out(&stack(Economy::CHN, "9106.10.00")), Some(p("5.6")));
    // The unit values are China's: garlic from Japan has none.
    assert_eq!(left_out(&stack(Economy::JPN, "0703.20.00")), Some(Percent::ZERO));
    // A base rate asked without an exporter has no flow to read.
    let at = schedule().at(parse_date("2017-06-01").unwrap());
    assert_eq!(at.base_rate(Economy::USA, c("0703.20.00")).unwrap(), Some(Percent::ZERO));
    // The corrected source field of 2204.22.60 (14¢/liter, not 1.4¢): no flow of that HS6 in litres.
    assert_eq!(embedded::us_mfn_2017().unwrap().duty_for(c("2204.22.60")).unwrap().to_string(), "0.14 USD/liter");
}

#[test]
fn product_rates_price_lines_by_their_equivalents() {
    let at = schedule().at(parse_date("2017-06-01").unwrap());
    // HS6 9108.90: eleven lines, ten of them "$x each" or "x cents each", one free; the
    // 10,693 movements worth $69,562 price them all.
    let r = at.product_rate(Economy::USA, Economy::CHN, c("9108.90")).unwrap();
    assert_eq!((r.lines, r.lines_by_equivalent, r.lines_with_specific), (11, 10, 0));
    let ave = |amount: &str| {
        let a: rust_decimal::Decimal = amount.parse().unwrap();
        (a * rust_decimal::Decimal::from(1_069_300) / rust_decimal::Decimal::from(69_562))
            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    let amounts = ["0.29", "0.25", "0.57", "0.25", "2.16", "1.80", "0.90", "1.44", "0", "1.50", "1.72"];
    let mean = amounts.iter().map(|a| ave(a)).sum::<rust_decimal::Decimal>() / rust_decimal::Decimal::from(11);
    assert_eq!(r.line_share.unwrap().value(), mean.normalize());
    assert_eq!((r.lowest, r.highest.unwrap().value()), (Some(Percent::ZERO), ave("2.16")));
    let msg = r.caveats.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    assert!(msg.starts_with("10 specific parts are taken as ad valorem at the 2017 unit values"), "{msg}");
    assert!(msg.ends_with("; and 7 more"), "{msg}");
}

/// The US 2017 baseline, MFN only, on China with 2017 weights, with and without
/// equivalents. Expected figures computed independently from the three CSV
/// files (us_mfn_2017, us_china_trade_hs6, us_china_unit_values_hs6) by a
/// short Python script with `decimal`: line share 2.5481% → 2.5969%, lowest
/// 1.2959% → 1.3019%, highest 4.1162% → 4.1910%; 537 HTS8 lines by AVE.
/// PIIE's figure for the same date is 3.1% (HTS10 customs-value weights).
#[test]
fn the_2017_baseline_average_with_and_without_equivalents() {
    let trade = embedded::us_china_trade().unwrap();
    let date = parse_date("2017-06-01").unwrap();
    let without = schedule().clone().with_unit_values(&UnitValues::default(), 2017);
    let av = |s: &Schedule| {
        tariff_averages(&s.at(date), trade, Economy::USA, Economy::CHN, 2017, LineAggregation::LineShare).unwrap()
    };
    let (before, after) = (av(&without), av(schedule()));
    let bracket = |a: &tradewar_core::TariffAverages| {
        [a.trade_weighted, a.trade_weighted_lowest, a.trade_weighted_highest].map(|x| x.to_string())
    };
    assert_eq!(bracket(&before), ["2.55%", "1.3%", "4.12%"]);
    assert_eq!(bracket(&after), ["2.6%", "1.3%", "4.19%"]);
    assert_eq!((before.lines_by_equivalent, after.lines_by_equivalent), (0, 537));
    assert_eq!(after.lines_with_specific + after.lines_by_equivalent, before.lines_with_specific);
    assert_eq!(after.trade, before.trade);
    // The mechanical duties rise by the equivalents' share of 2017 trade.
    assert!(after.mechanical_duties > before.mechanical_duties);
}
