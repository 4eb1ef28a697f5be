//! Every model on the 2018–2020 story: one interface, signs that make
//! sense, commitments in both modes, and the $200B target scored by each.

use std::sync::Arc;

use tradewar_core::{parse_date, Economy, HsLevel};
use tradewar_data::{embedded, us_china_2018};
use tradewar_models::gravity::{GeConfig, GravityPanel, PanelColumns};
use tradewar_models::smart::SigmaTable;
use tradewar_models::{AccountingModel, CommitmentMode, GeModel, GsimModel, Model, Outcome, Scenario, SmartModel};

fn scenario(date: &str) -> Scenario {
    let trade = Arc::new(embedded::us_china_trade().unwrap().clone());
    let schedule = Arc::new(us_china_2018::schedule().unwrap());
    Scenario::at("US-China trade war", trade, schedule, 2017, parse_date(date).unwrap())
        .unwrap()
        .with_target(us_china_2018::deficit_target().unwrap())
}

fn ge() -> GeModel {
    let panel =
        GravityPanel::from_csv_str(embedded::gravity_sample_csv(), &PanelColumns::gegravity_sample("2006")).unwrap();
    let world = panel.trade_data().unwrap();
    let reference = world.index_of("DEU").unwrap();
    let mut config = GeConfig::new(5.0, reference);
    config.rebate_tariff_revenue = true;
    GeModel::new(world, config)
}

fn gsim() -> GsimModel {
    GsimModel { level: HsLevel::Chapter, ..GsimModel::default() }
}

fn flow_change(o: &Outcome, exporter: Economy, importer: Economy) -> f64 {
    (0..o.flows.len())
        .filter(|&k| o.flows.exporter[k] == exporter && o.flows.importer[k] == importer)
        .map(|k| o.flows.new_value[k] - o.flows.baseline[k])
        .sum()
}

#[test]
fn tariffs_cut_bilateral_trade_in_every_behavioural_model() {
    // Without the commitments (no committed year that far ahead) the tariffs alone act.
    let s = scenario("2020-02-14").with_commitment_year(2099);
    let models: Vec<Box<dyn Model>> =
        vec![Box::new(SmartModel::wits_defaults(-1.5).unwrap()), Box::new(gsim()), Box::new(ge())];
    for m in &models {
        let o = m.run(&s).unwrap();
        assert!(flow_change(&o, Economy::CHN, Economy::USA) < 0.0, "{}", o.summary());
        assert!(flow_change(&o, Economy::USA, Economy::CHN) < 0.0, "{}", o.summary());
        let us = o.economies.row(Economy::USA).unwrap();
        assert!(o.economies.revenue_change[us] > 0.0, "{}", o.summary());
        assert!(o.target.is_some());
    }
    let ge = ge().run(&s).unwrap();
    let cn = ge.economies.row(Economy::CHN).unwrap();
    assert!(ge.economies.real_income_change_pct[cn] < 0.0, "{}", ge.summary());
    let smart = SmartModel::wits_defaults(-1.5).unwrap().run(&s).unwrap();
    let us = smart.economies.row(Economy::USA).unwrap();
    assert!(smart.economies.welfare_gain[us] < 0.0, "a tariff rise costs a Harberger triangle");
}

#[test]
fn smart_with_broda_weinstein_sigmas_runs() {
    let sigmas = SigmaTable::median_by_hs6(
        embedded::broda_weinstein_sigmas().unwrap(),
        &std::collections::BTreeMap::default(),
        1.5,
    )
    .unwrap();
    let o = SmartModel::with_sigmas(sigmas, -1.5).run(&scenario("2019-06-01")).unwrap();
    assert!(flow_change(&o, Economy::CHN, Economy::USA) < 0.0);
}

#[test]
fn added_demand_commitments_add_exactly_their_amount() {
    let with = scenario("2020-02-14");
    let without = scenario("2020-02-14").with_commitment_year(2099);
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(AccountingModel),
        Box::new(SmartModel::wits_defaults(-1.5).unwrap()),
        Box::new(gsim()),
        Box::new(ge()),
    ];
    for m in &models {
        let a = m.run(&with).unwrap();
        let b = m.run(&without).unwrap();
        let extra = flow_change(&a, Economy::USA, Economy::CHN) - flow_change(&b, Economy::USA, Economy::CHN);
        assert!((extra - 63.9e9).abs() < 1e3, "{}: {extra}", m.name());
        let closed = a.target.unwrap().closed - b.target.unwrap().closed;
        assert!((closed - 63.9e9).abs() < 1e3, "{}: {closed}", m.name());
    }
}

#[test]
fn diversion_commitments_are_met_by_calibrated_shifts() {
    let with = scenario("2020-02-14").with_commitment_mode(CommitmentMode::Diversion);
    let without = scenario("2020-02-14").with_commitment_year(2099);
    // Markets at HS6, so that committed and other products do not share a cell.
    for m in [Box::new(GsimModel::default()) as Box<dyn Model>, Box::new(ge())] {
        let a = m.run(&with).unwrap_or_else(|e| panic!("{}: {e}", m.name()));
        let b = m.run(&without).unwrap();
        let extra = flow_change(&a, Economy::USA, Economy::CHN) - flow_change(&b, Economy::USA, Economy::CHN);
        // Each commitment is calibrated with the earlier ones in place; in GSIM
        // the categories are separate markets, in GE one direction: either way
        // the committed flows rise by the committed amount.
        assert!((extra / 63.9e9 - 1.0).abs() < 1e-6, "{}: {extra}\n{}", m.name(), a.summary());
        assert!(a.notes.iter().any(|n| n.contains("commitment")), "{}", a.summary());
    }
}

#[test]
fn the_target_under_every_model() {
    let offer = scenario("2019-06-01")
        .with_proposal(us_china_2018::may_2018_offer().unwrap())
        .unwrap()
        .with_commitment_year(2019);
    let p1 = scenario("2020-02-14");
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(AccountingModel),
        Box::new(SmartModel::wits_defaults(-1.5).unwrap()),
        Box::new(gsim()),
        Box::new(ge()),
    ];
    for m in &models {
        for (label, s) in [("May 2018 offer", &offer), ("Phase One (2020)", &p1)] {
            let o = m.run(s).unwrap();
            let t = o.target.as_ref().unwrap();
            assert!(t.closed.is_finite() && t.sought == 200e9, "{}", o.summary());
            eprintln!("{:<45} {:<22} closes {:>7.1}B = {:>6.1}%", m.name(), label, t.closed / 1e9, t.share_pct());
        }
    }
}

#[test]
fn monte_carlo_over_smart_elasticities() {
    use tradewar_models::{Distribution, Sweep};
    let s = scenario("2019-06-01").with_commitment_year(2099);
    let run = |p: &[f64]| -> tradewar_models::Result<Vec<f64>> {
        let o = SmartModel::wits_defaults(p[0])?.run(&s)?;
        Ok(vec![flow_change(&o, Economy::CHN, Economy::USA)])
    };
    let point = run(&[-1.5]).unwrap()[0];
    // Zero variance: every draw is the point estimate.
    let flat = Sweep::new(8, 7).param("e_m", Distribution::Normal { mean: -1.5, sd: 0.0 }).run(run).unwrap();
    assert!(flat.outputs.iter().all(|o| o[0] == point));
    // With a standard error the outcome spreads around it, reproducibly.
    let sweep = Sweep::new(32, 2018).param("e_m", Distribution::Normal { mean: -1.5, sd: 0.3 });
    let a = sweep.run(run).unwrap();
    assert_eq!(a, sweep.run(run).unwrap());
    let (lo, mid, hi) = (a.quantile(0, 0.05).unwrap(), a.quantile(0, 0.5).unwrap(), a.quantile(0, 0.95).unwrap());
    assert!(lo < mid && mid < hi, "{lo} {mid} {hi}");
    assert!((mid / point - 1.0).abs() < 0.1, "median {mid} vs point {point}");
}

/// GSIM's outcome carries every market's world-price and import-price
/// changes: the numbers of the kernel solved on that market (rebuilt here
/// from the scenario's shocks), in percent, NaN where an economy does not
/// export (import) in the market.
#[test]
fn gsim_outcome_reports_the_world_prices_of_every_market() {
    use tradewar_models::gsim::{
        gsim as solve, BilateralMatrix, GsimBaseline, GsimElasticities, GsimForm, GsimOptions,
    };

    let s = scenario("2019-06-01").with_commitment_year(2099);
    let o = gsim().run(&s).unwrap();
    let p = &o.prices;
    assert!(!p.is_empty() && p.len() == p.economy.len() && p.len() == p.world_price_change_pct.len());
    assert!(o.notes.iter().any(|n| n.contains("form: levels")), "{:?}", o.notes);

    // Chapter 94 (furniture: 25 % on Chinese goods from List 3) solved directly.
    let shocks = s.shocks().unwrap();
    let mut regions: Vec<Economy> = shocks.exporter.iter().chain(&shocks.importer).copied().collect();
    regions.sort_unstable();
    regions.dedup();
    let n = regions.len();
    let at = |e: Economy| regions.binary_search(&e).unwrap();
    let ch94 = tradewar_core::HsCode::new("94").unwrap();
    let (mut trade, mut w0, mut w1) =
        (BilateralMatrix::filled(n, 0.0), BilateralMatrix::filled(n, 0.0), BilateralMatrix::filled(n, 0.0));
    let rows: Vec<usize> =
        (0..shocks.len()).filter(|&k| shocks.product[k].truncate(HsLevel::Chapter) == Some(ch94)).collect();
    for &k in &rows {
        let (i, j) = (at(shocks.exporter[k]), at(shocks.importer[k]));
        trade.set(i, j, trade.get(i, j) + shocks.value[k]);
        w0.set(i, j, w0.get(i, j) + shocks.value[k] * (1.0 + shocks.t0[k]));
        w1.set(i, j, w1.get(i, j) + shocks.value[k] * (1.0 + shocks.t1[k]));
    }
    let (mut t0, mut t1) = (BilateralMatrix::filled(n, 1.0), BilateralMatrix::filled(n, 1.0));
    for i in 0..n {
        for j in 0..n {
            if trade.get(i, j) > 0.0 {
                t0.set(i, j, w0.get(i, j) / trade.get(i, j));
                t1.set(i, j, w1.get(i, j) / trade.get(i, j));
            }
        }
    }
    let codes: Vec<String> = regions.iter().map(ToString::to_string).collect();
    let base = GsimBaseline::new(codes, trade, t0, vec![GsimElasticities::CANONICAL; n]).unwrap();
    let direct = solve(&base, &t1, &GsimOptions::default()).unwrap();
    for (e, r) in [(Economy::CHN, at(Economy::CHN)), (Economy::USA, at(Economy::USA))] {
        let row = (0..p.len()).find(|&k| p.product[k] == ch94 && p.economy[k] == e).unwrap();
        assert!((p.world_price_change_pct[row] - 100.0 * direct.world_price_change[r]).abs() < 1e-9);
        assert!((p.import_price_change_pct[row] - 100.0 * direct.import_price_index_change[r]).abs() < 1e-9);
    }
    let cn = (0..p.len()).find(|&k| p.product[k] == ch94 && p.economy[k] == Economy::CHN).unwrap();
    let us = (0..p.len()).find(|&k| p.product[k] == ch94 && p.economy[k] == Economy::USA).unwrap();
    // China's exporters bear part of the US tariff; US buyers pay the rest.
    assert!(p.world_price_change_pct[cn] < 0.0 && p.import_price_change_pct[us] > 0.0, "{p:?}");
    // An economy that exports nothing in a market has no world price there.
    for k in 0..p.len() {
        let exports: f64 = (0..shocks.len())
            .filter(|&j| {
                shocks.exporter[j] == p.economy[k] && shocks.product[j].truncate(HsLevel::Chapter) == Some(p.product[k])
            })
            .map(|j| shocks.value[j])
            .sum();
        assert_eq!(exports > 0.0, p.world_price_change_pct[k].is_finite(), "row {k}");
    }

    // The accounting model solves no prices: its serde form is unchanged (no `prices`).
    let acc = AccountingModel.run(&s).unwrap();
    assert!(acc.prices.is_empty());
    assert!(serde_json::to_value(&acc).unwrap().get("prices").is_none());

    // The percentage-change form is selectable; where it stays in range it agrees in sign.
    let linear = GsimModel { options: GsimOptions { form: GsimForm::Linear, ..GsimOptions::default() }, ..gsim() };
    let first = scenario("2018-09-01").with_commitment_year(2099);
    let lin = linear.run(&first).unwrap();
    let lev = gsim().run(&first).unwrap();
    assert!(lin.notes.iter().any(|n| n.contains("form: percentage change")), "{:?}", lin.notes);
    assert_eq!(
        (lin.prices.product.clone(), lin.prices.economy.clone()),
        (lev.prices.product.clone(), lev.prices.economy.clone())
    );
    for k in 0..lin.prices.len() {
        let (a, b) = (lin.prices.world_price_change_pct[k], lev.prices.world_price_change_pct[k]);
        assert!(a.is_nan() == b.is_nan() && (a.is_nan() || a * b >= 0.0 || b.abs() < 1e-9), "{a} vs {b}");
    }
}

/// The percentage-change form refuses what is outside its range, naming the
/// flow and saying to solve the levels form: an answer with trade below zero
/// (a 100 % US tariff on one of two equal suppliers of the US), and a ban.
#[test]
fn gsim_linear_form_refuses_answers_out_of_its_range() {
    use tradewar_core::{
        Action, DateWindow, Duty, Event, LegalBasis, Measure, MeasureHeader, MfnTable, Money, Percent, ProductScope,
        Schedule, Timeline, TradeFlow, TradeMatrix, ValuationBasis,
    };
    use tradewar_models::gsim::{GsimForm, GsimOptions};
    use tradewar_models::ModelError;

    let linear = GsimModel { options: GsimOptions { form: GsimForm::Linear, ..GsimOptions::default() }, ..gsim() };
    let start = parse_date("2019-01-01").unwrap();
    let header = |id: &str, kind: &str, imposer: Economy, target: Economy, scope: &str| {
        MeasureHeader::new(
            id,
            kind,
            imposer,
            target,
            ProductScope::from_codes([scope]).unwrap(),
            DateWindow::from(start),
            LegalBasis::Other,
        )
        .unwrap()
    };
    let mut trade = TradeMatrix::new();
    // China sells mostly elsewhere, so that its world price holds and the US flow takes the tariff.
    let (vnm, deu) = (Economy::new("VNM").unwrap(), Economy::new("DEU").unwrap());
    for (exporter, importer, value) in
        [(Economy::CHN, Economy::USA, "100"), (vnm, Economy::USA, "100"), (Economy::CHN, deu, "1000")]
    {
        trade
            .push(TradeFlow {
                exporter,
                importer,
                product: "9403.10".parse().unwrap(),
                year: 2017,
                value: Money::usd(value).unwrap(),
                basis: ValuationBasis::Cif,
            })
            .unwrap();
    }
    let tariff = Measure::tariff(
        header("T", "100 % on Chinese furniture", Economy::USA, Economy::CHN, "94"),
        "100".parse::<Percent>().unwrap(),
    );
    let mfn = MfnTable::new(Economy::USA, [("94".parse().unwrap(), Duty::ad_valorem(Percent::ZERO))]).unwrap();
    let schedule =
        Schedule::new(Timeline::from_events("t", vec![Event::new(start, Action::Impose { measure: tariff })]).unwrap())
            .with_mfn(mfn);
    let s = Scenario::at("furniture", Arc::new(trade), Arc::new(schedule), 2017, parse_date("2019-06-01").unwrap())
        .unwrap();
    // In levels the Chinese flow falls and stays positive ...
    let lev = gsim().run(&s).unwrap();
    assert!(lev.flows.new_value.iter().all(|&v| v > 0.0), "{}", lev.summary());
    // ... the linear form's own-price elasticity (0.5 · −1.25 − 0.5 · 5 = −3.125) times T̂ = 1 sends it below zero.
    match linear.run(&s) {
        Err(e @ ModelError::OutOfDomain { .. }) => {
            let m = e.to_string();
            eprintln!("{m}");
            assert!(m.contains("percentage-change form") && m.contains("CHN→USA in 94"), "{m}");
            assert!(m.contains("levels"), "{m}");
        }
        other => panic!("expected OutOfDomain, got {:?}", other.map(|o| o.summary())),
    }

    // A ban: the story's timeline plus a US export ban on soybeans to China.
    let story = us_china_2018::schedule().unwrap();
    let mut timeline = story.timeline().clone();
    let ban =
        Measure::ExportBan { header: header("SOY-BAN", "soy ban", Economy::USA, Economy::CHN, "1201"), entity: None };
    timeline.push(Event::new(start, Action::Impose { measure: ban })).unwrap();
    let schedule = story.mfn_tables().into_iter().fold(Schedule::new(timeline), |s, t| s.with_mfn(t.clone()));
    let trade = Arc::new(embedded::us_china_trade().unwrap().clone());
    let s = Scenario::at("soy ban", trade, Arc::new(schedule), 2017, parse_date("2019-06-01").unwrap())
        .unwrap()
        .with_commitment_year(2099);
    assert!(gsim().run(&s).is_ok());
    let e = linear.run(&s).expect_err("a ban in the linear form");
    eprintln!("{e}");
    assert!(matches!(e, ModelError::InvalidInput { .. }) && e.to_string().contains("banned"), "{e}");
}
