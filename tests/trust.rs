//! Every answer is right, refused with a typed error that says what to ask
//! instead, or flagged: the questions of issue 10, on the embedded story.

use std::sync::Arc;

use tradewar::models::gravity::{GeConfig, GravityData};
use tradewar::models::{AccountingModel, GeModel, GsimModel, Model, ModelError, Outcome, Scenario, SmartModel};
use tradewar::prelude::*;
use tradewar::{coverage_by_measure, embedded, tariff_path, us_china_2018, us_tariffs_2025, Error};

fn d(s: &str) -> chrono::NaiveDate {
    parse_date(s).unwrap()
}

fn c(s: &str) -> HsCode {
    s.parse().unwrap()
}

fn p(s: &str) -> Percent {
    s.parse().unwrap()
}

fn schedule() -> &'static Schedule {
    static S: std::sync::OnceLock<Schedule> = std::sync::OnceLock::new();
    S.get_or_init(|| us_china_2018::schedule().unwrap())
}

fn scenario(date: &str) -> Scenario {
    let trade = Arc::new(embedded::us_china_trade().unwrap().clone());
    Scenario::at("what-if", trade, Arc::new(schedule().clone()), 2017, d(date)).unwrap()
}

/// +50% on the List 3 scope, from `start`.
fn l3_plus_50(start: &str) -> Measure {
    let l3 = schedule().timeline().measure(&MeasureId::new("US301-L3").unwrap()).unwrap();
    let mut h = l3.header().clone();
    h.id = MeasureId::new("PROP-L3").unwrap();
    h.name = "+50% on List 3".into();
    h.window = DateWindow::from(d(start));
    Measure::tariff(h, p("50"))
}

fn ge() -> GeModel {
    let world = GravityData::from_trade_matrix(
        vec!["CHN".into(), "ROW".into(), "USA".into()],
        vec![900.0, 250.0, 60.0, 200.0, 5000.0, 300.0, 20.0, 350.0, 1500.0],
    )
    .unwrap();
    GeModel::new(world, GeConfig::new(4.0, 1))
}

fn total(o: &Outcome) -> f64 {
    o.flows.new_value.iter().sum()
}

#[test]
fn a_tariff_proposal_reaches_every_model() {
    let base = scenario("2019-06-01");
    let what_if = base.clone().with_proposal(l3_plus_50("2019-06-01")).unwrap();
    for model in [&SmartModel::wits_defaults(-1.5).unwrap() as &dyn Model, &GsimModel::default(), &ge()] {
        let (a, b) = (model.run(&base).unwrap(), model.run(&what_if).unwrap());
        assert!(total(&b) < total(&a) - 1e9, "{}: {} vs {}", model.name(), total(&b), total(&a));
    }
    // Accounting has no behaviour: trade stays, US revenue rises.
    let us = |o: &Outcome| o.economies.revenue_change[o.economies.row(Economy::USA).unwrap()];
    let (a, b) = (AccountingModel.run(&base).unwrap(), AccountingModel.run(&what_if).unwrap());
    assert!(us(&b) > us(&a) + 10e9);
}

#[test]
fn event_proposals_change_suspend_and_lift_timeline_measures() {
    let id = MeasureId::new("US301-L3").unwrap();
    let revenue = |events: Vec<Event>| {
        let s = scenario("2019-06-01").with_events(events).unwrap();
        let o = AccountingModel.run(&s).unwrap();
        o.economies.revenue_change[o.economies.row(Economy::USA).unwrap()]
    };
    let base = revenue(vec![]);
    let lower = revenue(vec![Event::new(
        d("2019-06-01"),
        Action::ChangeRates {
            id: id.clone(),
            change: tradewar::RateChange::Set(tradewar::TariffRates::uniform_ad_valorem(p("10"))),
        },
    )]);
    let lifted = revenue(vec![Event::new(d("2019-06-01"), Action::Lift { id: id.clone(), conditions: vec![] })]);
    let suspended = revenue(vec![Event::new(d("2019-06-01"), Action::Suspend { id })]);
    assert!(lifted < lower && lower < base, "{lifted} {lower} {base}");
    assert!((lifted - suspended).abs() < 1e-6);
}

#[test]
fn the_same_commitment_twice_is_refused() {
    let offer = us_china_2018::may_2018_offer().unwrap();
    let once = scenario("2019-06-01").with_proposal(offer.clone()).unwrap();
    assert!(matches!(
        once.clone().with_proposal(offer.clone()),
        Err(ModelError::Core(Error::DuplicateMeasureId { .. }))
    ));
    let mut renamed = offer;
    if let Measure::PurchaseCommitment { header, .. } = &mut renamed {
        header.id = MeasureId::new("OFFER-AGAIN").unwrap();
    }
    let twice = once.with_proposal(renamed);
    assert!(matches!(twice, Err(ModelError::Core(Error::OverlappingWindows { .. }))), "{twice:?}");
}

#[test]
fn a_proposal_dated_after_the_evaluation_is_refused() {
    let late = scenario("2019-06-01").with_proposal(l3_plus_50("2019-07-01"));
    assert!(matches!(late, Err(ModelError::InvalidInput { .. })));
}

#[test]
fn measures_a_model_cannot_represent_are_refused_naming_both() {
    // The ZTE denial order is in force on 2018-05-01: one firm's purchases.
    let s = scenario("2018-05-01");
    for model in
        [&SmartModel::wits_defaults(-1.5).unwrap() as &dyn Model, &GsimModel::default(), &ge(), &AccountingModel]
    {
        match model.run(&s) {
            Err(ModelError::Unsupported { model: m, measure, .. }) => {
                assert_eq!(measure, "BIS-ZTE");
                assert_eq!(m, model.name());
            }
            other => panic!("{}: {other:?}", model.name()),
        }
    }
    let ignored = s.ignoring([MeasureId::new("BIS-ZTE").unwrap()]).unwrap();
    let o = SmartModel::wits_defaults(-1.5).unwrap().run(&ignored).unwrap();
    assert!(o.notes.iter().any(|n| n.contains("BIS-ZTE")));
}

#[test]
fn a_subsidy_is_costed_by_accounting_and_refused_by_behavioural_models() {
    let h = MeasureHeader::new(
        "SUB-SOY",
        "Export subsidy on soybeans",
        Economy::USA,
        Economy::CHN,
        ProductScope::from_codes(["1201"]).unwrap(),
        DateWindow::from(d("2019-06-01")),
        LegalBasis::Other,
    )
    .unwrap();
    let sub = Measure::Subsidy { header: h, rate: p("10"), export_only: true };
    let s = scenario("2019-06-01").with_proposal(sub).unwrap();
    let o = AccountingModel.run(&s).unwrap();
    let note = o.notes.iter().find(|n| n.contains("SUB-SOY")).unwrap();
    assert!(note.contains("export subsidy") && note.contains("a year"), "{note}");
    assert!(matches!(SmartModel::wits_defaults(-1.5).unwrap().run(&s), Err(ModelError::Unsupported { .. })));
}

#[test]
fn a_denial_order_covers_the_imposers_exports_as_an_upper_bound() {
    let trade = embedded::us_china_trade().unwrap();
    let zte = schedule().timeline().measure(&MeasureId::new("BIS-ZTE").unwrap()).unwrap();
    let cov = coverage(&schedule().at(d("2018-05-01")), trade, zte, 2017, CoverageMethod::LineShare).unwrap();
    assert_eq!((cov.exporter, cov.importer), (Economy::USA, Economy::CHN));
    assert!(cov.upper_bound && cov.note.as_deref().unwrap().contains("upper bound"));
    // It was $525.8B: every US import from China.
    assert_eq!(cov.pair_total, balance(trade, Economy::USA, Economy::CHN, 2017).unwrap().exports);
}

#[test]
fn hts10_entries_reach_product_rates_averages_and_models() {
    let at = schedule().at(d("2019-06-01"));
    let r = at.product_rate(Economy::USA, Economy::CHN, c("8517.62")).unwrap();
    assert_eq!((r.lowest, r.highest), (Some(p("0")), Some(p("25"))));
    assert!(r.line_share.unwrap() > p("0"));
    // It was 0% on every date.
    let trade = embedded::us_china_trade().unwrap();
    let a = tariff_averages(&at, trade, Economy::USA, Economy::CHN, 2017, LineAggregation::LineShare).unwrap();
    assert!(
        a.split_lines > 0 && a.trade_weighted_lowest < a.trade_weighted && a.trade_weighted < a.trade_weighted_highest
    );
    let s = scenario("2019-06-01").shocks().unwrap();
    let row = (0..s.len()).find(|&k| s.product[k] == c("8517.62") && s.importer[k] == Economy::USA).unwrap();
    assert!(s.t1[row] > 0.0, "8517.62 is priced with its List 3 part");
}

#[test]
fn questions_at_the_wrong_level_are_refused_with_what_to_ask() {
    let s = schedule();
    let coarse = s.query(Economy::USA, Economy::CHN, c("9403.10"), d("2019-06-01"));
    assert!(matches!(&coarse, Err(Error::QueryLevel { lines: 1, .. })), "{coarse:?}");
    assert!(coarse.unwrap_err().to_string().contains("product_rate"));
    let split = s.query(Economy::USA, Economy::CHN, c("8517.62.00"), d("2019-06-01"));
    assert!(matches!(split, Err(Error::SplitLine { .. })));
    let r = s.at(d("2019-06-01")).product_rate(Economy::USA, Economy::CHN, c("9403.10")).unwrap();
    assert_eq!((r.lines, r.line_share), (1, Some(p("25"))));
}

#[test]
fn questions_outside_the_data_are_refused_or_flagged() {
    let s = schedule();
    let late = s.query(Economy::USA, Economy::CHN, c("9403.10.00"), d("2030-01-01")).unwrap();
    assert!(matches!(late.caveats.as_slice(), [Caveat::AfterSources { .. }]));
    assert!(matches!(
        s.query(Economy::USA, Economy::USA, c("9403.10.00"), d("2019-01-01")),
        Err(Error::SelfPair { .. })
    ));
    assert!(matches!(
        s.query(Economy::JPN, Economy::CHN, c("9403.10.00"), d("2019-01-01")),
        Err(Error::NotCovered { .. })
    ));
    let trade = embedded::us_china_trade().unwrap();
    assert!(matches!(balance(trade, Economy::USA, Economy::USA, 2017), Err(Error::SelfPair { .. })));
    assert!(matches!(balance(trade, Economy::USA, Economy::CHN, 1990), Err(Error::NoTrade { .. })));
    let unknown = s.query(Economy::USA, Economy::CHN, c("9999.99.99"), d("2019-06-01")).unwrap();
    assert!(unknown.caveats.iter().any(|c| matches!(c, Caveat::BaseRateUnknown { .. })));
    // The 2025-2026 stack holds US tariffs only, to its last source date.
    let s25 = us_tariffs_2025::schedule().unwrap();
    assert!(matches!(
        s25.query("CHN".parse().unwrap(), Economy::USA, c("8703.23.01"), d("2025-06-01")),
        Err(Error::NotCovered { .. })
    ));
    let after = s25.query(Economy::USA, Economy::CHN, c("8703.23.0190"), d("2027-01-01")).unwrap();
    assert!(after.caveats.iter().any(|c| matches!(c, Caveat::AfterSources { .. })));
    // A scenario beyond the sources carries the caveat in every outcome.
    let o = AccountingModel.run(&scenario("2030-01-01")).unwrap();
    assert!(o.caveats.iter().any(|c| c.contains("2021-12-31")), "{:?}", o.caveats);
}

#[test]
fn models_say_what_they_did() {
    let s = scenario("2019-09-01");
    let smart = SmartModel::wits_defaults(-8.0).unwrap().run(&s).unwrap();
    assert!(smart.notes.iter().any(|n| n.contains("taken to zero")), "{:?}", smart.notes);
    assert!(smart.notes.iter().any(|n| n.contains("import demand -8")));
    let gsim = GsimModel::default().run(&s).unwrap();
    assert!(gsim.notes.iter().any(|n| n.contains("import demand -1.25")));
    for o in [AccountingModel.run(&s).unwrap(), ge().run(&s).unwrap()] {
        assert!(o.economies.welfare_gain.iter().all(|w| w.is_nan()), "{}", o.model);
        assert!(!o.summary().contains("welfare +0.000B"));
    }
}

/// The tariff path (rates cached across dates) equals one tariff_averages per
/// date, on every day of 2018-2020 sampled weekly.
#[test]
fn tariff_path_equals_the_averages_of_each_date() {
    let trade = embedded::us_china_trade().unwrap();
    let dates: Vec<chrono::NaiveDate> = (0..160).map(|k| d("2017-12-01") + chrono::Days::new(7 * k)).collect();
    let path =
        tariff_path(schedule(), trade, Economy::USA, Economy::CHN, 2017, &dates, LineAggregation::LineShare).unwrap();
    for (k, &date) in dates.iter().enumerate() {
        let at = schedule().at(date);
        let ab = tariff_averages(&at, trade, Economy::USA, Economy::CHN, 2017, LineAggregation::LineShare).unwrap();
        let ba = tariff_averages(&at, trade, Economy::CHN, Economy::USA, 2017, LineAggregation::LineShare).unwrap();
        assert_eq!(path[2 * k], (date, ab), "{date}");
        assert_eq!(path[2 * k + 1], (date, ba), "{date}");
    }
}

/// A proposal dated before the scenario's earlier date is in force on both
/// dates, exactly as the same event added to the schedule (review finding 1).
#[test]
fn a_proposal_before_the_earlier_date_holds_on_both_sides() {
    let x50 = l3_plus_50("2019-01-01");
    let trade = Arc::new(embedded::us_china_trade().unwrap().clone());
    let (from, to) = (d("2019-06-01"), d("2019-12-31"));
    let event = Event::new(x50.header().window.start(), Action::Impose { measure: x50.clone() });
    let via_schedule = Arc::new(schedule().with_events([event]).unwrap());
    let a = Scenario::between("s", Arc::clone(&trade), via_schedule, 2017, from, to).unwrap();
    let b = Scenario::between("s", trade, Arc::new(schedule().clone()), 2017, from, to)
        .unwrap()
        .with_proposal(x50)
        .unwrap();
    let us = |o: &Outcome| o.economies.revenue_change[o.economies.row(Economy::USA).unwrap()];
    let (oa, ob) = (AccountingModel.run(&a).unwrap(), AccountingModel.run(&b).unwrap());
    assert_eq!(us(&oa), us(&ob));
}

/// A measure can be lifted as a what-if even though the timeline changes it
/// after the scenario's date; lifting it before it is imposed says so (review finding 4).
#[test]
fn lifting_a_list_as_a_what_if() {
    let id = MeasureId::new("US301-L4A").unwrap();
    let lift = |date: &str| Event::new(d(date), Action::Lift { id: id.clone(), conditions: vec![] });
    let s = scenario("2019-12-31").with_events([lift("2019-12-01")]).unwrap();
    let o = AccountingModel.run(&s).unwrap();
    let base = AccountingModel.run(&scenario("2019-12-31")).unwrap();
    let us = |o: &Outcome| o.economies.revenue_change[o.economies.row(Economy::USA).unwrap()];
    assert!(us(&o) < us(&base) - 1e9, "lifting 4A lowers US revenue: {} vs {}", us(&o), us(&base));
    let early = scenario("2019-12-31").with_events([lift("2019-08-01")]).unwrap_err().to_string();
    assert!(early.contains("imposed only on 2019-09-01"), "{early}");
}

/// A proposal that concerns no flow of the scenario's trade is refused: it
/// would change nothing (review finding 2).
#[test]
fn a_proposal_on_pairs_outside_the_data_is_refused() {
    let h = MeasureHeader::new(
        "T-JPN",
        "Japan 50% on US goods",
        Economy::JPN,
        Economy::USA,
        ProductScope::all(),
        DateWindow::from(d("2019-10-01")),
        LegalBasis::Retaliation,
    )
    .unwrap();
    let e = scenario("2019-12-31").with_proposal(Measure::tariff(h, p("50"))).unwrap_err().to_string();
    assert!(e.contains("would change nothing"), "{e}");
}

/// A scenario read from JSON goes through the constructor's date rules (review finding 3).
#[test]
fn scenario_json_dates_are_checked() {
    let s = scenario("2019-12-31");
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(r#""evaluation":{"at":"2019-12-31"}"#));
    assert!(serde_json::from_str::<Scenario>(&json).is_ok());
    for bad in ["0018-07-06", "2101-01-01"] {
        let text = json.replace(r#""evaluation":{"at":"2019-12-31"}"#, &format!(r#""evaluation":{{"at":"{bad}"}}"#));
        assert!(serde_json::from_str::<Scenario>(&text).is_err(), "{bad}");
    }
}

/// Trade at two levels of one product for one pair and year counts it twice: refused (review finding 5).
#[test]
fn nested_products_are_refused() {
    let mut m = TradeMatrix::new();
    let f = |p: &str, v: &str| TradeFlow {
        exporter: Economy::CHN,
        importer: Economy::USA,
        product: c(p),
        year: 2017,
        value: Money::usd(v).unwrap(),
        basis: ValuationBasis::Cif,
    };
    let e = m.extend([f("84", "100"), f("8471", "80"), f("8471.30", "50")]).unwrap_err().to_string();
    assert!(e.contains("count the same trade twice") && e.contains("8471 lies inside 84"), "{e}");
    assert!(m.is_empty());
    m.extend([f("8471.30", "50"), f("8703.23", "10")]).unwrap();
}

/// A measure of the schedule counts as it stands on the date: none while
/// suspended or before it starts, with the reason (review finding 8).
#[test]
fn coverage_counts_a_schedule_measure_only_while_in_force() {
    let trade = embedded::us_china_trade().unwrap();
    let l4b = schedule().timeline().measure(&MeasureId::new("US301-L4B").unwrap()).unwrap();
    let on = |date: &str| coverage(&schedule().at(d(date)), trade, l4b, 2017, CoverageMethod::LineShare).unwrap();
    let suspended = on("2019-12-15");
    assert!(!suspended.in_force && suspended.covered.amount().is_zero());
    assert!(suspended.note.as_deref().unwrap().contains("suspended since 2019-12-15"), "{:?}", suspended.note);
    let before = on("2019-01-01");
    assert!(!before.in_force && before.note.as_deref().unwrap().contains("starts on 2019-12-15"));
    // List 3 in force: a positive share, no note.
    let l3 = schedule().timeline().measure(&MeasureId::new("US301-L3").unwrap()).unwrap();
    let c3 = coverage(&schedule().at(d("2019-09-01")), trade, l3, 2017, CoverageMethod::LineShare).unwrap();
    assert!(c3.in_force && c3.note.is_none() && c3.covered.amount() > rust_decimal::Decimal::from(100_000_000_000i64));
}

/// Coverage by measure lists every kind that covers flows, the denial order
/// among them while it is in force.
#[test]
fn coverage_by_measure_lists_every_kind_in_force() {
    let trade = embedded::us_china_trade().unwrap();
    let ids = |date: &str| -> Vec<String> {
        coverage_by_measure(&schedule().at(d(date)), trade, 2017, CoverageMethod::LineShare)
            .unwrap()
            .iter()
            .map(|c| c.id.to_string())
            .collect()
    };
    assert!(ids("2018-05-01").contains(&"BIS-ZTE".to_string()), "{:?}", ids("2018-05-01"));
    assert!(!ids("2018-08-01").contains(&"BIS-ZTE".to_string()));
}

/// A target on a pair without trade in the scenario is not scored, and says so.
#[test]
fn a_target_on_a_pair_without_trade_is_flagged() {
    let t =
        Target::new("cut USA-JPN", Economy::USA, Economy::new("JPN").unwrap(), 2017, Money::usd("1").unwrap(), 2020)
            .unwrap();
    let o = AccountingModel.run(&scenario("2019-09-01").with_target(t)).unwrap();
    assert!(o.target.is_none());
    assert!(o.caveats.iter().any(|c| c.contains("cut USA-JPN") && c.contains("not scored")), "{:?}", o.caveats);
}

/// The effective US rate: a partner without trade is a question the data
/// cannot answer; a date after the sources and specific duties counted as 0
/// are flagged on the result (review finding 16).
#[test]
fn effective_rate_refuses_a_partner_without_trade_and_flags_what_it_assumes() {
    let s25 = us_tariffs_2025::schedule().unwrap();
    let trade = embedded::us_china_trade().unwrap();
    let year = us_tariffs_2025::china_trade_year().unwrap();
    let jpn = us_tariffs_2025::effective_rate(&s25, trade, Economy::new("JPN").unwrap(), year, d("2025-10-01"));
    assert!(
        matches!(&jpn, Err(tradewar::DataError::Domain { error, .. }) if matches!(**error, Error::NoTrade { .. })),
        "{jpn:?}"
    );
    let later = us_tariffs_2025::effective_rate(&s25, trade, Economy::CHN, year, d("2027-01-01")).unwrap();
    assert!(later.caveats.iter().any(|c| matches!(c, Caveat::AfterSources { .. })), "{:?}", later.caveats);
    let inside = us_tariffs_2025::effective_rate(&s25, trade, Economy::CHN, year, d("2025-10-01")).unwrap();
    assert!(!inside.caveats.iter().any(|c| matches!(c, Caveat::AfterSources { .. })));
}

/// Elasticities with the wrong sign are refused when the model is built, not when it runs.
#[test]
fn model_elasticities_are_checked_at_construction() {
    assert!(matches!(SmartModel::wits_defaults(1.5), Err(ModelError::InvalidInput { .. })));
    assert!(matches!(SmartModel::wits_defaults(f64::NAN), Err(ModelError::InvalidInput { .. })));
    let bad = tradewar::models::gsim::GsimElasticities { import_demand: -1.25, substitution: -1.0, export_supply: 1.5 };
    let e = bad.check("GsimModel").unwrap_err().to_string();
    assert!(e.contains("GsimModel") && e.contains("substitution"), "{e}");
}
