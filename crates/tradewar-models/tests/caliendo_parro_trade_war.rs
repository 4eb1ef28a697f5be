//! The 2018–2020 trade war as scenarios of the Caliendo–Parro model, on the embedded data only: the 1993 world of
//! Caliendo and Parro, the HS6 → sector concordance, the US–China 2017 trade and the timeline.

use std::sync::{Arc, OnceLock};

use tradewar_core::{
    parse_date, Action, DateWindow, Economy, Event, LegalBasis, Measure, MeasureHeader, ProductScope, Schedule,
};
use tradewar_data::{cp2015, embedded, us_china_2018};
use tradewar_models::caliendo_parro::{
    CaliendoParroModel, CommitmentHandling, CpAccounts, CpSolverOptions, CpWorld, CpWorldOptions, Deficits,
    SectorConcordance,
};
use tradewar_models::{Model, ModelError, Scenario};

fn model() -> &'static CaliendoParroModel {
    static MODEL: OnceLock<CaliendoParroModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let d = cp2015::embedded().expect("embedded world");
        let w = CpWorld::from_accounts(
            CpAccounts {
                regions: d.regions.clone(),
                sectors: d.sectors.clone(),
                trade: d.trade.clone(),
                tariffs: d.tariffs_1993.clone(),
                intermediate: d.intermediate.clone(),
                value_added: d.value_added.clone(),
                final_demand: d.final_demand.clone(),
                deficits: d.deficits.clone(),
                theta: d.theta.clone(),
            },
            CpWorldOptions::published_data(),
        )
        .and_then(|w| w.with_economies(d.economies.clone()))
        .expect("world");
        let rows = cp2015::hs6_sectors().expect("concordance");
        let concordance = SectorConcordance::new(
            &w,
            rows.iter().filter(|r| r.revision == "HS2017").map(|r| (r.code, r.sector.as_str())),
        )
        .expect("concordance");
        CaliendoParroModel::new(Arc::new(w), concordance, Deficits::Held, CpSolverOptions::default()).expect("baseline")
    })
}

fn scenario(date: &str) -> Scenario {
    let trade = Arc::new(embedded::us_china_trade().expect("trade").clone());
    let schedule = Arc::new(us_china_2018::schedule().expect("schedule"));
    Scenario::at("US-China trade war", trade, schedule, 2017, parse_date(date).expect("date")).expect("scenario")
}

#[test]
fn the_tariffs_of_september_2019_hurt_china_and_cut_trade_both_ways() {
    let m = model();
    let s = scenario("2019-09-01");
    let (shock, r, _) = m.results(&s).expect("runs");
    let w = m.world();
    let (usa, chn) = (w.economy_index(Economy::USA).expect("usa"), w.economy_index(Economy::CHN).expect("chn"));
    // Both sides raised tariffs on each other, on average by more than 10 points.
    assert!(shock.mean_change(Economy::USA, Economy::CHN) > 0.10);
    assert!(shock.mean_change(Economy::CHN, Economy::USA) > 0.10);
    // The aggregation keeps every mapped dollar and every dollar of duty change.
    let flows = s.shocks().expect("shocks");
    let mapped: f64 = shock.cells.iter().map(|c| c.value).sum();
    let unmapped: f64 = shock.unmapped.iter().map(|u| u.2).sum();
    let total: f64 = flows.value.iter().sum();
    assert!((mapped + unmapped - total).abs() < 1e-6 * total);
    let duty: f64 = shock.cells.iter().map(|c| c.value * c.change()).sum();
    let by_flow: f64 = (0..flows.len())
        .filter(|&k| m.concordance().sector_of(flows.product[k]).is_some())
        .map(|k| flows.value[k] * (flows.t1[k] - flows.t0[k]))
        .sum();
    assert!((duty - by_flow).abs() < 1e-6 * by_flow.abs());
    // Trade falls both ways; China loses; real wages fall in both.
    let traded: Vec<usize> = (0..w.sectors_len()).filter(|&s| w.is_traded(s)).collect();
    assert!(r.imports_change_pct(usa, &[chn], Some(&traded)) < -10.0);
    assert!(r.imports_change_pct(chn, &[usa], Some(&traded)) < -10.0);
    assert!(r.welfare_pct[chn] < 0.0 && r.real_wage_pct[chn] < 0.0 && r.real_wage_pct[usa] < 0.0);
    assert!(r.revenue_counterfactual[usa] > r.revenue_baseline[usa]);
    // Some third country gains.
    assert!((0..w.regions_len()).filter(|&k| k != usa && k != chn).any(|k| r.welfare_pct[k] > 0.0));
    // US sectors buying Chinese inputs pay more for them.
    let n = w.regions_len();
    let textile = w.sector_index("Textile").expect("sector");
    assert!(r.input_cost_pct[textile * n + usa] > 0.0);
}

#[test]
fn the_outcome_covers_the_scenario_flows_and_every_region() {
    let m = model();
    let o = m.run(&scenario("2019-09-01")).expect("runs");
    assert_eq!(o.economies.economy.len(), 31);
    let us = o.economies.row(Economy::USA).expect("usa");
    assert!(o.economies.revenue_change[us] > 0.0 && o.economies.imports_change[us] < 0.0);
    let jp = o.economies.row(Economy::JPN).expect("japan");
    assert!(o.economies.exports_change[jp].is_nan(), "Japan's trade is not in the scenario");
    assert!(o.economies.real_income_change_pct[jp].is_finite());
    let cn = o.economies.row(Economy::CHN).expect("china");
    let (_, r, _) = m.results(&scenario("2019-09-01")).expect("runs");
    let chn = m.world().economy_index(Economy::CHN).expect("chn");
    assert_eq!(o.economies.real_income_change_pct[cn], r.welfare_pct[chn]);
    let balance = o.balance(Economy::USA, Economy::CHN).expect("balance");
    assert!(balance.after > balance.before * 1.5, "the US deficit shrinks: {balance:?}");
    assert!(o.notes.iter().any(|n| n.contains("products without a sector")));
}

#[test]
fn phase_one_commitments_are_refused_unless_left_out_explicitly() {
    let s = scenario("2020-02-14");
    let e = model().run(&s).expect_err("commitments");
    assert!(matches!(e, ModelError::InvalidInput { .. }), "{e}");
    assert!(e.to_string().contains("LeaveOut") && e.to_string().contains("P1-"), "{e}");
    let m = model().clone().with_commitments(CommitmentHandling::LeaveOut);
    let o = m.run(&s).expect("runs");
    assert!(o.notes.iter().any(|n| n.contains("purchase commitments left out")));
    // Phase One halved List 4A and China's September 2019 rates: China loses less than in September 2019.
    let (_, before, _) = m.results(&scenario("2019-09-01")).expect("runs");
    let (_, after, _) = m.results(&s).expect("runs");
    let chn = m.world().economy_index(Economy::CHN).expect("chn");
    assert!(after.welfare_pct[chn] > before.welfare_pct[chn]);
}

#[test]
fn a_ban_on_products_is_refused() {
    // The story's timeline plus a US export ban on soybeans to China from 2019-01-01.
    let story = us_china_2018::schedule().expect("schedule");
    let mut timeline = story.timeline().clone();
    let start = parse_date("2019-01-01").expect("date");
    let header = MeasureHeader::new(
        "SOY-BAN",
        "US export ban on soybeans to China",
        Economy::USA,
        Economy::CHN,
        ProductScope::from_codes(["1201"]).expect("scope"),
        DateWindow::from(start),
        LegalBasis::ExportControl,
    )
    .expect("header");
    timeline
        .push(Event::new(start, Action::Impose { measure: Measure::ExportBan { header, entity: None } }))
        .expect("event");
    let schedule = story.mfn_tables().into_iter().fold(Schedule::new(timeline), |s, t| s.with_mfn(t.clone()));
    let trade = Arc::new(embedded::us_china_trade().expect("trade").clone());
    let s = Scenario::at("soy ban", trade, Arc::new(schedule), 2017, parse_date("2019-06-01").expect("date"))
        .expect("scenario");
    let e = model().run(&s).expect_err("a ban on some products of a sector");
    assert!(matches!(e, ModelError::InvalidInput { .. }), "{e}");
    assert!(e.to_string().contains("USA->CHN of 1201") && e.to_string().contains("ban"), "{e}");
}
