//! GE shocks given as data: a table or matrix of cost-change factors for every pair, or regressor changes times
//! estimated coefficients; baselines from long tables of flows. Bad input is a typed error naming what is wrong.

use tradewar_core::Duplicates;
use tradewar_models::gravity::{solve_full_ge, CostChange, GeConfig, GeShock, GravityData, MissingPairs};
use tradewar_models::ppml::{ppml, Collinear, Factor, PpmlData, PpmlOptions};
use tradewar_models::ModelError;

fn world() -> GravityData {
    let codes = ["AAA", "BBB", "CCC"];
    let mut e = Vec::new();
    let mut i = Vec::new();
    let mut v = Vec::new();
    let flows = [80.0, 10.0, 5.0, 8.0, 90.0, 6.0, 4.0, 7.0, 70.0];
    for (k, f) in flows.iter().enumerate() {
        e.push(codes[k / 3]);
        i.push(codes[k % 3]);
        v.push(*f);
    }
    GravityData::from_flows(&e, &i, &v, Duplicates::Refuse, MissingPairs::Refuse).expect("world")
}

fn invalid_mentions<T: std::fmt::Debug>(r: Result<T, ModelError>, words: &[&str]) {
    match r {
        Err(e @ ModelError::InvalidInput { .. }) => {
            let text = e.to_string();
            for w in words {
                assert!(text.contains(w), "{text:?} should mention {w:?}");
            }
        }
        other => panic!("expected InvalidInput mentioning {words:?}, got {other:?}"),
    }
}

#[test]
fn a_full_table_of_factors_equals_the_same_shock_set_pair_by_pair() {
    let w = world();
    let countries = w.countries().to_vec();
    let mut rows = Vec::new();
    for a in &countries {
        for b in &countries {
            let f = if a == "AAA" && b == "BBB" { 0.9 } else { 1.0 };
            rows.push((a.as_str(), b.as_str(), f));
        }
    }
    let table = GeShock::from_pair_factors(&countries, &rows, CostChange::TradeCost).expect("table");
    let mut by_hand = GeShock::none(3);
    by_hand.set_cost_factor_change(0, 1, 0.9).expect("pair");
    assert_eq!(table, by_hand);
    let config = GeConfig::new(5.0, 2);
    let r = solve_full_ge(&w, &table, &config).expect("GE");
    // Cheaper AAA → BBB trade: more of it, and BBB's real GDP rises.
    assert!(r.full.pair(0, 1).expect("pair").change_pct > 0.0);
    assert!(r.full.country("BBB").expect("BBB").real_gdp_change_pct > 0.0);

    // The same shock as a matrix of cost-term factors (t'/t)^(1−σ).
    let mut matrix = vec![1.0; 9];
    matrix[1] = 0.9_f64.powf(1.0 - 5.0);
    let m = GeShock::from_factor_matrix(&countries, &matrix, CostChange::CostTerm).expect("matrix");
    let rm = solve_full_ge(&w, &m, &config).expect("GE");
    for (a, b) in r.full.countries.iter().zip(&rm.full.countries) {
        assert!((a.real_gdp_change_pct - b.real_gdp_change_pct).abs() < 1e-10);
    }
}

#[test]
fn bad_tables_are_typed_errors_naming_the_pair() {
    let countries: Vec<String> = ["AAA", "BBB"].iter().map(|s| (*s).to_string()).collect();
    let full = |f: f64| vec![("AAA", "AAA", 1.0), ("AAA", "BBB", f), ("BBB", "AAA", 1.0), ("BBB", "BBB", 1.0)];
    invalid_mentions(
        GeShock::from_pair_factors(&countries, &full(0.0), CostChange::TradeCost),
        &["AAA → BBB", "positive"],
    );
    invalid_mentions(GeShock::from_pair_factors(&countries, &full(-1.0), CostChange::CostTerm), &["AAA → BBB"]);
    invalid_mentions(GeShock::from_pair_factors(&countries, &full(f64::NAN), CostChange::CostTerm), &["NaN"]);
    let missing = vec![("AAA", "AAA", 1.0), ("AAA", "BBB", 1.0), ("BBB", "AAA", 1.0)];
    invalid_mentions(
        GeShock::from_pair_factors(&countries, &missing, CostChange::TradeCost),
        &["missing", "BBB → BBB"],
    );
    let twice = vec![("AAA", "AAA", 1.0), ("AAA", "AAA", 1.0)];
    invalid_mentions(GeShock::from_pair_factors(&countries, &twice, CostChange::TradeCost), &["twice"]);
    let unknown = vec![("AAA", "ZZZ", 1.0)];
    invalid_mentions(GeShock::from_pair_factors(&countries, &unknown, CostChange::TradeCost), &["ZZZ"]);
    invalid_mentions(GeShock::from_factor_matrix(&countries, &[1.0; 3], CostChange::TradeCost), &["2 × 2"]);
    invalid_mentions(
        GravityData::from_flows(
            &["AAA", "AAA", "BBB"],
            &["AAA", "BBB", "AAA"],
            &[1.0, 2.0, 3.0],
            Duplicates::Refuse,
            MissingPairs::Refuse,
        ),
        &["BBB→BBB", "has no row"],
    );
    invalid_mentions(
        GravityData::from_flows(&["AAA"], &["AAA"], &[-1.0], Duplicates::Refuse, MissingPairs::Refuse),
        &["non-negative"],
    );
}

#[test]
fn regressor_changes_use_the_estimated_coefficient() {
    // A small panel where an agreement dummy raises trade; then remove it.
    let codes = ["AAA", "BBB", "CCC", "DDD"];
    let (mut y, mut x, mut e, mut i) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (a, ca) in codes.iter().enumerate() {
        for (b, cb) in codes.iter().enumerate() {
            let agreement = if a != b && a + b == 1 { 1.0 } else { 0.0 };
            let cost = if a == b { 0.0 } else { -1.0 - 0.1 * (a + 2 * b) as f64 };
            y.push(
                (5.0 + a as f64 * 0.3 + b as f64 * 0.2 + cost + 0.5 * agreement + 0.05 * ((a * 7 + b) % 3) as f64)
                    .exp(),
            );
            x.push(agreement);
            e.push(*ca);
            i.push(*cb);
        }
    }
    let data = PpmlData::new("trade", y.clone())
        .and_then(|d| d.with_regressor("RTA", x))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("exporter", &e)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("importer", &i)?))
        .expect("data");
    let fit = ppml(&data, &PpmlOptions::default()).expect("fit");
    let beta = fit.coefficient("RTA").expect("RTA").estimate;
    let w = GravityData::from_flows(&e, &i, &fit.fitted, Duplicates::Refuse, MissingPairs::Refuse).expect("baseline");
    let countries = w.countries().to_vec();
    let changes = [("AAA", "BBB", -1.0), ("BBB", "AAA", -1.0)];
    let mut estimated = GeShock::none(4);
    estimated.add_estimated_change(&countries, &fit, "RTA", &changes).expect("shock");
    let mut by_hand = GeShock::none(4);
    by_hand.set_cost_term_change(0, 1, (-beta).exp()).expect("pair");
    by_hand.set_cost_term_change(1, 0, (-beta).exp()).expect("pair");
    assert_eq!(estimated, by_hand);
    let r = solve_full_ge(&w, &estimated, &GeConfig::new(5.0, 3)).expect("GE");
    assert!(r.full.country("AAA").expect("AAA").real_gdp_change_pct < 0.0);
    assert!(r.full.pair(0, 1).expect("pair").change_pct < 0.0);

    invalid_mentions(estimated.add_estimated_change(&countries, &fit, "PTA", &changes), &["PTA", "not in the fit"]);
    invalid_mentions(estimated.add_regressor_change(&countries, "RTA", f64::INFINITY, &changes), &["finite"]);

    // An omitted regressor has no coefficient to shock with.
    let absorbed: Vec<f64> = e.iter().map(|c| if *c == "AAA" { 1.0 } else { 0.0 }).collect();
    let data2 = PpmlData::new("trade", y)
        .and_then(|d| d.with_regressor("AAA_exporter", absorbed))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("exporter", &e)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("importer", &i)?))
        .expect("data");
    let fit2 = ppml(&data2, &PpmlOptions { collinear: Collinear::Omit, ..PpmlOptions::default() }).expect("fit");
    invalid_mentions(estimated.add_estimated_change(&countries, &fit2, "AAA_exporter", &changes), &["omitted"]);
}
