//! Failure tests: loads that fail part-way leave what was loaded before
//! exactly as it was, errors name the bad value and where it came from, a
//! scenario file from a newer schema is refused clearly, and solvers given
//! impossible inputs return typed errors instead of numbers or panics.
//!
//! (The bad row 10,000 of 20,000 of a trade CSV is in `facade.rs`.)

use std::fmt::Write;

use tradewar::models::gravity::{solve_full_ge, GeConfig, GeShock, GravityData};
use tradewar::models::gsim::{gsim, BilateralMatrix, GsimBaseline, GsimElasticities, GsimOptions};
use tradewar::models::smart::{smart, SmartElasticities, SmartFlows};
use tradewar::models::ModelError;
use tradewar::prelude::*;
use tradewar::{embedded, loaders, us_china_2018, DataError};
use tradewar_data::scenario_file::{read_scenario_file, write_scenario_file, ScenarioFile, SCHEMA_VERSION};

const TRADE_HEADER: &str = "year,exporter,importer,hs6,value_usd,basis\n";

/// A trade CSV of `rows` valid rows, distinct flows from 2022 on (years the
/// embedded data lack): three products a year.
fn trade_csv(rows: usize) -> String {
    let mut csv = String::from(TRADE_HEADER);
    for i in 0..rows {
        let _ = writeln!(csv, "{},USA,CHN,{},{}.5,fob", 2022 + i / 3, ["120190", "847130", "940310"][i % 3], i + 1);
    }
    csv
}

/// Loads `csv` into a copy of the embedded trade, expecting an error; checks
/// the matrix is untouched and returns the error.
fn load_fails(csv: &[u8], name: &str) -> DataError {
    let mut m = embedded::us_china_trade().unwrap().clone();
    let before = m.clone();
    let err = match loaders::load_trade_csv_into(&mut m, name, csv) {
        Ok(n) => panic!(
            "{name}: loaded {n} rows of a broken file ending {:?}",
            String::from_utf8_lossy(&csv[csv.len().saturating_sub(40)..])
        ),
        Err(e) => e,
    };
    assert_eq!(m, before, "{name}: a failed load changed the matrix ({err})");
    err
}

#[test]
fn trade_csv_cut_anywhere_inside_its_last_row_fails_and_changes_nothing() {
    let full = trade_csv(50);
    // Sanity: the whole file loads.
    let mut m = embedded::us_china_trade().unwrap().clone();
    let len = m.len();
    assert_eq!(loaders::load_trade_csv_into(&mut m, "full.csv", full.as_bytes()).unwrap(), 50);
    assert_eq!(m.len(), len + 50);
    // Every cut strictly inside the last row: fewer fields, or a basis cut short.
    let body = full.trim_end_matches('\n');
    let last_row_start = body.rfind('\n').unwrap() + 1;
    assert_eq!(&body[last_row_start..], "2038,USA,CHN,847130,50.5,fob");
    for cut in last_row_start + 1..body.len() {
        let err = load_fails(&full.as_bytes()[..cut], "cut.csv");
        assert!(
            matches!(err, DataError::Csv { line: 51, .. } | DataError::Row { line: 51, .. }),
            "cut at {cut} ({:?}): {err}",
            &body[last_row_start..cut]
        );
    }
}

#[test]
fn trade_csv_cut_mid_row_names_the_line() {
    let full = trade_csv(30);
    let cut = &full[..full.find("2028,USA,CHN,847130,20.5").unwrap() + "2028,USA,CHN,8471".len()];
    let err = load_fails(cut.as_bytes(), "cut.csv");
    assert_eq!(
        err.to_string(),
        "cut.csv, line 21: malformed CSV: CSV error: record 20 (line: 21, byte: 585): \
         found record with 4 fields, but the previous record has 6 fields"
    );
}

#[test]
fn trade_csv_cut_mid_quote_fails_and_changes_nothing() {
    // Quoted values in every column; cut inside each quoted field of the last row.
    let mut csv = String::from(TRADE_HEADER);
    for i in 0..20 {
        let _ = writeln!(csv, "\"2022\",\"USA\",\"CHN\",\"1201.90\",\"{}\",\"fob\"", i + 1);
    }
    let body = csv.trim_end_matches('\n');
    let last_row_start = body.rfind('\n').unwrap() + 1;
    let last = &body[last_row_start..];
    let mut cuts = 0;
    for (i, ch) in last.char_indices() {
        // Just after an opening quote or inside a quoted field's text.
        let inside = last[..i].matches('"').count() % 2 == 1;
        if inside && ch != '"' {
            cuts += 1;
            let cut = &csv.as_bytes()[..last_row_start + i];
            let err = load_fails(cut, "quoted.csv");
            assert!(matches!(err, DataError::Csv { .. } | DataError::Row { .. }), "cut {:?}: {err}", &last[..i]);
        }
    }
    assert!(cuts > 10);
    // Including the last quoted field, whose text would otherwise be a valid basis.
    let cut = &csv[..csv.len() - "\"\n".len()];
    assert!(cut.ends_with("\"fob"));
    let err = load_fails(cut.as_bytes(), "quoted.csv");
    assert!(err.to_string().contains("quoted.csv, line 21"), "{err}");
    assert!(err.to_string().contains("unterminated quoted field"), "{err}");
}

#[test]
fn trade_csv_wrong_column_is_named() {
    let csv = "year,exporter,importer,hs6,value,basis\n2022,USA,CHN,120190,1,fob\n";
    let err = load_fails(csv.as_bytes(), "cols.csv");
    assert_eq!(
        err,
        DataError::MissingColumn {
            source_name: "cols.csv".into(),
            column: "value_usd".into(),
            found: "year,exporter,importer,hs6,value,basis".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "cols.csv: missing column \"value_usd\" (header has: year,exporter,importer,hs6,value,basis)"
    );
    // A column of the wrong kind: a name where the year should be.
    let swapped = "year,exporter,importer,hs6,value_usd,basis\nUSA,2022,CHN,120190,1,fob\n";
    let err = load_fails(swapped.as_bytes(), "swapped.csv");
    assert!(matches!(&err, DataError::Row { line: 2, column, .. } if column == "year"), "{err}");
    assert!(err.to_string().contains("\"USA\""), "the bad value is named: {err}");
}

#[test]
fn comtrade_cut_mid_row_fails() {
    let csv = "year,reporter,partner,flow,hs_code,primary_value_usd\n2017,USA,CHN,X,120190,5\n2017,USA,CHN,M,84";
    let err = loaders::read_comtrade_csv("ct.csv", csv.as_bytes()).unwrap_err();
    assert!(matches!(err, DataError::Csv { line: 3, .. }), "{err}");
}

/// An MFN CSV of `rows` distinct lines.
fn mfn_csv(rows: usize) -> String {
    let mut csv = String::from("hts8,ad_valorem_pct,specific_usd,unit,text\n");
    for i in 0..rows {
        let _ = writeln!(csv, "{:08},{}.5,,,", 84_000_000 + i * 100, i % 30);
    }
    csv
}

#[test]
fn mfn_loader_fails_cleanly_on_a_bad_row_a_truncation_or_a_wrong_column() {
    let full = mfn_csv(20_000);
    let ok = loaders::read_mfn_csv("mfn.csv", Economy::USA, full.as_bytes()).unwrap();
    assert_eq!(ok.len(), 20_000);

    // Row 10,000 (line 10,001) has a negative rate.
    let mut lines: Vec<&str> = full.lines().collect();
    let bad_line = format!("{:08},-3,,,", 84_000_000 + 9_999 * 100);
    lines[10_000] = &bad_line;
    let bad = lines.join("\n");
    let err = loaders::read_mfn_csv("mfn.csv", Economy::USA, bad.as_bytes()).unwrap_err();
    assert!(matches!(&err, DataError::Row { line: 10_001, column, .. } if column == "ad_valorem_pct"), "{err}");
    assert_eq!(
        err.to_string(),
        "mfn.csv, line 10001, column \"ad_valorem_pct\": invalid rate \"-3\": a rate must not be negative (a negative \
         percent is a change in points, not a rate)"
    );

    // Row 10,000 repeats an earlier line.
    let dup_line = format!("{:08},1,,,", 84_000_000);
    lines[10_000] = &dup_line;
    let dup = lines.join("\n");
    let err = loaders::read_mfn_csv("mfn.csv", Economy::USA, dup.as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("mfn.csv, line 10001, column \"hts8\": "), "{err}");
    assert!(err.to_string().contains("8400.00.00 of USA is listed twice"), "{err}");

    // Truncated inside the last row's code: fewer fields.
    let cut = &full[..full.len() - ",0.5,,,\n".len() - 2];
    let err = loaders::read_mfn_csv("mfn.csv", Economy::USA, cut.as_bytes()).unwrap_err();
    assert!(matches!(err, DataError::Csv { line: 20_001, .. }), "{err}");

    // The rate column misnamed.
    let renamed = full.replacen("ad_valorem_pct", "rate", 1);
    let err = loaders::read_mfn_csv("mfn.csv", Economy::USA, renamed.as_bytes()).unwrap_err();
    assert!(matches!(&err, DataError::MissingColumn { column, .. } if column == "ad_valorem_pct"), "{err}");
}

#[test]
fn section301_and_wave_loaders_fail_cleanly() {
    let mut lists = String::from("hts,list\n");
    for i in 0..20_000 {
        let _ = writeln!(lists, "{:08},{}", 10_000_000 + i * 100, ["1", "2", "3", "4A"][i % 4]);
    }
    assert_eq!(loaders::read_section301_lists("l.csv", lists.as_bytes()).unwrap().len(), 4);
    let bad = lists.replacen(&format!("{:08},{}\n", 10_000_000 + 9_999 * 100, "4A"), "10999900,5\n", 1);
    assert_ne!(bad, lists);
    let err = loaders::read_section301_lists("l.csv", bad.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "l.csv, line 10001, column \"list\": unknown Section 301 list \"5\": expected one of 1, 2, 3, 4A, 4B"
    );
    // Cut mid-row.
    let cut = &lists[..lists.len() - 4];
    assert!(matches!(loaders::read_section301_lists("l.csv", cut.as_bytes()), Err(DataError::Csv { .. })));
    // Wrong column.
    let err = loaders::read_section301_lists("l.csv", "hts8,list\n01012100,1\n".as_bytes()).unwrap_err();
    assert!(matches!(&err, DataError::MissingColumn { column, .. } if column == "hts"), "{err}");

    let waves =
        "hs6,wave,date,rate_pct,event\n010129,2018-09-24,2018-09-24,10,start\n010129,2018-09-24,2019-06-31,25,raise\n";
    let err = loaders::read_wave_rates("w.csv", waves.as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("w.csv, line 3, column \"date\": "), "{err}");
    assert!(err.to_string().contains("2019-06-31"), "{err}");
}

#[test]
fn scenario_file_from_a_newer_schema_gets_a_clear_error() {
    // Write a real file, then bump its version as a newer tradewar would.
    let file = ScenarioFile::new("2018-2020", us_china_2018::timeline().unwrap());
    let mut json = Vec::new();
    write_scenario_file(&file, &mut json).unwrap();
    assert_eq!(read_scenario_file("mine.json", json.as_slice()).unwrap(), file);
    let text = String::from_utf8(json).unwrap();
    let newer = text.replacen(
        &format!("\"schema_version\": {SCHEMA_VERSION}"),
        &format!("\"schema_version\": {}", SCHEMA_VERSION + 1),
        1,
    );
    assert_ne!(newer, text);
    let err = read_scenario_file("newer.json", newer.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "newer.json: unsupported schema_version 2 (newer than this library: read it with a newer tradewar); \
         this version of tradewar reads schema_version 1"
    );
    // Truncated: the place where the text stops.
    let err = read_scenario_file("cut.json", &text.as_bytes()[..text.len() - 10]).unwrap_err();
    assert!(matches!(err, DataError::Json { line, .. } if line > 1), "{err}");
}

/// A 3-country world with domestic flows.
fn world(trade: Vec<f64>) -> Result<GravityData, ModelError> {
    GravityData::from_trade_matrix(vec!["USA".into(), "CHN".into(), "DEU".into()], trade)
}

fn invalid_input(r: Result<impl std::fmt::Debug, ModelError>) -> (String, String) {
    match r {
        Err(ModelError::InvalidInput { what, reason }) => (what, reason),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn ge_refuses_impossible_inputs_with_typed_errors() {
    let ok = vec![100.0, 10.0, 5.0, 20.0, 200.0, 8.0, 6.0, 7.0, 150.0];
    let base = world(ok.clone()).unwrap();
    assert!(solve_full_ge(&base, &GeShock::none(3), &GeConfig::new(5.0, 0)).is_ok());

    // Zero output: China sells nothing at all (not even at home).
    let mut zero = ok.clone();
    zero[3..6].fill(0.0);
    let (what, reason) = invalid_input(world(zero));
    assert_eq!(what, "output of CHN");
    assert!(reason.contains("got 0"), "{reason}");

    // NaN trade.
    let mut nan = ok.clone();
    nan[1] = f64::NAN;
    let (what, reason) = invalid_input(world(nan));
    assert_eq!(what, "trade flow from USA to CHN");
    assert_eq!(reason, "must be finite and non-negative, got NaN");

    // σ ≤ 1 (and not finite).
    for sigma in [1.0, 0.5, -2.0, f64::NAN, f64::INFINITY] {
        let (what, reason) = invalid_input(solve_full_ge(&base, &GeShock::none(3), &GeConfig::new(sigma, 0)));
        assert_eq!(what, "sigma");
        assert!(reason.ends_with(&format!("got {sigma}")), "{reason}");
    }
    // A reference country that does not exist, a shock for another world.
    invalid_input(solve_full_ge(&base, &GeShock::none(3), &GeConfig::new(5.0, 7)));
    invalid_input(solve_full_ge(&base, &GeShock::none(4), &GeConfig::new(5.0, 0)));
}

fn gsim_baseline(trade: &[[f64; 2]; 2]) -> GsimBaseline {
    GsimBaseline {
        regions: vec!["USA".into(), "CHN".into()],
        trade: BilateralMatrix::from_rows(trade).unwrap(),
        tariffs: BilateralMatrix::filled(2, 1.0),
        elasticities: vec![GsimElasticities::CANONICAL; 2],
    }
}

#[test]
fn gsim_refuses_impossible_inputs_with_typed_errors() {
    let after = BilateralMatrix::from_rows(&[[1.0, 1.25], [1.1, 1.0]]).unwrap();
    let options = GsimOptions::default();
    assert!(gsim(&gsim_baseline(&[[0.0, 50.0], [120.0, 0.0]]), &after, &options).is_ok());

    // Negative trade.
    let (what, reason) = invalid_input(gsim(&gsim_baseline(&[[0.0, -50.0], [120.0, 0.0]]), &after, &options));
    assert_eq!(what, "GSIM trade USA→CHN");
    assert!(reason.contains("-50"), "{reason}");
    // NaN trade, a tariff factor of zero, a non-square matrix, a wrong elasticity.
    invalid_input(gsim(&gsim_baseline(&[[0.0, f64::NAN], [120.0, 0.0]]), &after, &options));
    let zero_tariff = BilateralMatrix::from_rows(&[[1.0, 0.0], [1.0, 1.0]]).unwrap();
    invalid_input(gsim(&gsim_baseline(&[[0.0, 50.0], [120.0, 0.0]]), &zero_tariff, &options));
    invalid_input(BilateralMatrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]));
    let mut b = gsim_baseline(&[[0.0, 50.0], [120.0, 0.0]]);
    b.elasticities[1].import_demand = 0.5;
    let (what, _) = invalid_input(gsim(&b, &after, &options));
    assert_eq!(what, "GSIM elasticities of CHN");
    let bad_options = GsimOptions { tolerance: f64::NAN, ..options };
    invalid_input(gsim(&gsim_baseline(&[[0.0, 50.0], [120.0, 0.0]]), &after, &bad_options));
}

#[test]
fn smart_refuses_impossible_inputs_with_typed_errors() {
    let el = [SmartElasticities::with_infinite_supply(-1.5)];
    let mut ok = SmartFlows::default();
    ok.push(0, 0, 100.0, 0.10, 0.05);
    assert!(smart(&ok, &el, &[]).is_ok());

    // NaN imports.
    let mut nan = SmartFlows::default();
    nan.push(0, 0, 100.0, 0.10, 0.05);
    nan.push(0, 1, f64::NAN, 0.10, 0.05);
    let (what, reason) = invalid_input(smart(&nan, &el, &[]));
    assert!(format!("{what} {reason}").contains("NaN"), "{what}: {reason}");
    assert!(format!("{what} {reason}").contains('1'), "the row is named: {what}: {reason}");
    // Negative imports, a tariff of -100 %, a market without elasticities, ragged columns.
    let mut neg = SmartFlows::default();
    neg.push(0, 0, -1.0, 0.1, 0.1);
    invalid_input(smart(&neg, &el, &[]));
    let mut minus100 = SmartFlows::default();
    minus100.push(0, 0, 1.0, -1.0, 0.1);
    invalid_input(smart(&minus100, &el, &[]));
    let mut unknown_market = SmartFlows::default();
    unknown_market.push(3, 0, 1.0, 0.1, 0.1);
    invalid_input(smart(&unknown_market, &el, &[]));
    let mut ragged = ok.clone();
    ragged.imports.push(5.0);
    invalid_input(smart(&ragged, &el, &[]));
    // Elasticities of the wrong sign.
    invalid_input(smart(&ok, &[SmartElasticities::with_infinite_supply(1.5)], &[]));
}
