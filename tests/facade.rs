//! Integration tests of the facade: the embedded story, published counts,
//! hand-checked duties, invariants and snapshots of the report and errors.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use proptest::prelude::*;
use tradewar::prelude::*;
use tradewar::{embedded, loaders, us_china_2018, Status};

fn d(s: &str) -> chrono::NaiveDate {
    parse_date(s).unwrap()
}

fn c(s: &str) -> HsCode {
    s.parse().unwrap()
}

fn p(s: &str) -> Percent {
    s.parse().unwrap()
}

fn shared(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent (the test reads ../shared/data beside the project)", path.display());
        None
    }
}

fn schedule() -> &'static Schedule {
    static S: std::sync::OnceLock<Schedule> = std::sync::OnceLock::new();
    S.get_or_init(|| us_china_2018::schedule().unwrap())
}

#[test]
fn section301_line_counts_match_the_published_lists() {
    let lists = embedded::section301_lists().unwrap();
    let count = |l: &str, digits: u8| lists[l].included().iter().filter(|c| c.digits() == digits).count();
    assert_eq!(count("1", 8), 818);
    assert_eq!(count("2", 8), 279);
    assert_eq!((count("3", 8), count("3", 10)), (5759, 43));
    assert_eq!((count("4A", 8), count("4A", 10)), (3229, 14));
    assert_eq!((count("4B", 8), count("4B", 10)), (542, 13));
    assert_eq!(embedded::china_s232_retaliation_lines().unwrap().len(), 128);
}

#[test]
fn us_duties_by_hand() {
    let s = schedule();
    let q = |line: &str, date: &str| s.query(Economy::USA, Economy::CHN, c(line), d(date)).unwrap().total_ad_valorem;
    // Motor cars 8703.23.01: MFN 2.5%, List 1 from 2018-07-06.
    assert_eq!(q("8703.23.01", "2018-07-05"), Some(p("2.5")));
    assert_eq!(q("8703.23.01", "2018-07-06"), Some(p("27.5")));
    // Furniture 9403.10.00 (List 3, MFN free): 10% then 25% from 2019-05-10.
    assert_eq!(q("9403.10.00", "2018-09-23"), Some(p("0")));
    assert_eq!(q("9403.10.00", "2018-09-24"), Some(p("10")));
    assert_eq!(q("9403.10.00", "2019-05-09"), Some(p("10")));
    assert_eq!(q("9403.10.00", "2019-05-10"), Some(p("25")));
    // Laptops 8471.30.01 are on List 4B, suspended on the day it was due.
    assert_eq!(q("8471.30.01", "2020-06-01"), Some(p("0")));
    // The same line from Japan pays only MFN.
    assert_eq!(
        s.query(Economy::USA, Economy::JPN, c("8703.23.01"), d("2019-06-01")).unwrap().total_ad_valorem,
        Some(p("2.5"))
    );
    // Section 232 steel hits everyone; where a steel line is also on a
    // Section 301 list the two add up.
    let steel = s.timeline().measure(&MeasureId::new("US232-STEEL").unwrap()).unwrap().header().scope.clone();
    let lists = embedded::section301_lists().unwrap();
    let mfn = embedded::us_mfn_2017().unwrap();
    let both = mfn
        .lines()
        .find(|(l, duty)| steel.contains(*l) && lists["4A"].contains(*l) && duty.is_free())
        .map(|(l, _)| l)
        .unwrap();
    let st = s.query(Economy::USA, Economy::CHN, both, d("2019-09-01")).unwrap();
    assert_eq!(st.total_ad_valorem, Some(p("40")), "{}", st.explain());
    assert_eq!(st.layers.len(), 2);
    // From Japan the same line pays Section 232 only.
    assert_eq!(s.query(Economy::USA, Economy::JPN, both, d("2019-09-01")).unwrap().total_ad_valorem, Some(p("25")));
}

#[test]
fn list_4a_halved_with_phase_one() {
    let lists = embedded::section301_lists().unwrap();
    let line = lists["4A"].included().iter().copied().find(|l| {
        l.digits() == 8 && embedded::us_mfn_2017().unwrap().duty_for(*l) == Some(&Duty::ad_valorem(Percent::ZERO))
    });
    let line = line.unwrap();
    let q = |date: &str| schedule().query(Economy::USA, Economy::CHN, line, d(date)).unwrap().total_ad_valorem;
    assert_eq!(q("2019-08-31"), Some(p("0")));
    assert_eq!(q("2019-09-01"), Some(p("15")));
    assert_eq!(q("2020-02-14"), Some(p("7.5")));
}

/// China's replayed schedule reproduces Waugh's total-tariff series (MFN
/// plus retaliation, HS6) at every one of its dates, for every product.
#[test]
fn china_schedule_reproduces_the_source_series() {
    let text = include_str!("../crates/tradewar-data/data/cn_tariff_hs6_series.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let dates: Vec<chrono::NaiveDate> = header[1..].iter().map(|h| d(&h[1..].replace('_', "-"))).collect();
    let ats: Vec<_> =
        dates.iter().map(|&dt| schedule().at(if dt == d("2019-01-02") { d("2019-01-01") } else { dt })).collect();
    let (mut checked, mut mismatched) = (0, Vec::new());
    let mut last: BTreeMap<usize, rust_decimal::Decimal> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let code = c(f[0]);
        for (i, at) in ats.iter().enumerate() {
            let expected = if f[i + 1].is_empty() {
                last.get(&i).copied()
            } else {
                f[i + 1].parse::<rust_decimal::Decimal>().ok()
            };
            let Some(expected) = expected else { continue };
            let got = at.total(Economy::CHN, Economy::USA, code).unwrap().unwrap().value();
            checked += 1;
            if (got - expected).abs() > rust_decimal::Decimal::new(1, 3) {
                mismatched.push(format!("{code} {}: {got} vs {expected}", dates[i]));
            }
        }
        last.clear();
    }
    assert!(checked > 60_000, "{checked}");
    assert!(
        mismatched.is_empty(),
        "{} mismatches, first: {:?}",
        mismatched.len(),
        &mismatched[..mismatched.len().min(5)]
    );
}

#[test]
fn china_duties_by_hand() {
    let q = |line: &str, date: &str| {
        schedule().query(Economy::CHN, Economy::USA, c(line), d(date)).unwrap().total_ad_valorem
    };
    // Soybeans: 3% MFN, +25% from 2018-07-06, +5% from 2019-09-01, halved to +2.5% on 2020-02-14.
    assert_eq!(q("1201.90", "2018-07-05"), Some(p("3")));
    assert_eq!(q("1201.90", "2018-07-06"), Some(p("28")));
    assert_eq!(q("1201.90", "2019-09-01"), Some(p("33")));
    assert_eq!(q("1201.90", "2020-02-14"), Some(p("30.5")));
    // Cars: MFN 25% cut to 15% on 2018-07-01; +25% from 2018-07-06; suspended 2019-01-01.
    assert_eq!(q("8703.23", "2018-07-01"), Some(p("15")));
    assert_eq!(q("8703.23", "2018-07-06"), Some(p("40")));
    assert_eq!(q("8703.23", "2019-01-01"), Some(p("15")));
}

#[test]
fn zte_denial_order_is_lifted_early_on_conditions() {
    let t = schedule().timeline();
    let id = MeasureId::new("BIS-ZTE").unwrap();
    assert_eq!(t.state_at(d("2018-05-01")).get(&id).unwrap().status, Status::InForce);
    let st = t.state_at(d("2018-07-13"));
    let zte = st.get(&id).unwrap();
    match &zte.status {
        Status::Lifted { on, conditions } => {
            assert_eq!(*on, d("2018-07-13"));
            assert_eq!(conditions.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(zte.measure.header().window.end(), Some(d("2018-07-13")));
    assert_eq!(t.measure(&id).unwrap().header().window.end(), Some(d("2025-03-13")));
}

#[test]
fn balances_and_phase_one() {
    let trade = embedded::us_china_trade().unwrap();
    let b = balance(trade, Economy::USA, Economy::CHN, 2017).unwrap();
    assert_eq!(b.exports.to_string(), "129797515346 USD");
    assert_eq!(b.imports.to_string(), "525764714470 USD");
    assert_eq!(embedded::census_2017_balance().unwrap().billions().to_string(), "-375.2");
    // HS6 rows add up to the reported totals exactly (the gap sits in 9999.99).
    let totals = embedded::us_china_trade_totals().unwrap();
    for y in 2015..=2021 {
        assert_eq!(trade.total(Economy::USA, Economy::CHN, y), totals.total(Economy::USA, Economy::CHN, y));
        assert_eq!(trade.total(Economy::CHN, Economy::USA, y), totals.total(Economy::CHN, Economy::USA, y));
    }
}

#[test]
fn phase_one_categories_reproduce_the_derived_file() {
    let Some(path) = shared("phase-one/DERIVED_phase_one_us_exports_by_category_2017_2021_comtrade.csv") else {
        return;
    };
    let trade = embedded::us_china_trade().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let cat = match f[0] {
            "1. Manufactured Goods" => "MANUFACTURED",
            "2. Agriculture" => "AGRICULTURE",
            "3. Energy" => "ENERGY",
            _ => continue,
        };
        let m = us_china_2018::phase_one_commitments()
            .unwrap()
            .into_iter()
            .find(|m| m.id().as_str() == format!("P1-{cat}"))
            .unwrap();
        let rows = commitment_progress(trade, &m).unwrap();
        let expected_2017: f64 = f[1].parse().unwrap();
        assert!((rows[0].baseline.amount().to_string().parse::<f64>().unwrap() - expected_2017).abs() < 1.0, "{cat}");
        let exp_2020: f64 = f[4].parse().unwrap();
        let exp_2021: f64 = f[5].parse().unwrap();
        assert!((rows[0].actual.amount().to_string().parse::<f64>().unwrap() - exp_2020).abs() < 1.0, "{cat} 2020");
        assert!((rows[1].actual.amount().to_string().parse::<f64>().unwrap() - exp_2021).abs() < 1.0, "{cat} 2021");
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn report_snapshot() {
    let r = us_china_2018::report().unwrap();
    assert_eq!(r.phase_one_total.2, p("63.1"));
    insta::assert_snapshot!("trade_war_2018_report", r.to_string());
}

#[test]
fn error_messages_snapshot() {
    let mut out = Vec::new();
    for bad in ["8471.3", "84a1", "00", ""] {
        out.push(bad.parse::<HsCode>().unwrap_err().to_string());
    }
    out.push("XYZ".parse::<Economy>().unwrap_err().to_string());
    out.push(Money::usd("-12e3").unwrap_err().to_string());
    out.push("12 dollars".parse::<Money>().unwrap_err().to_string());
    out.push("-5%".parse::<Percent>().unwrap_err().to_string());
    out.push(DateWindow::new(d("2019-05-10"), Some(d("2018-09-24"))).unwrap_err().to_string());
    out.push(parse_date("2018-02-30").unwrap_err().to_string());
    let mut t = us_china_2018::timeline().unwrap();
    let l1 = t.measure(&MeasureId::new("US301-L1").unwrap()).unwrap().clone();
    out.push(t.push(Event::new(d("2018-07-06"), Action::Impose { measure: l1.clone() })).unwrap_err().to_string());
    let mut twin = l1;
    if let Measure::Tariff { header, .. } = &mut twin {
        header.id = MeasureId::new("US301-L1-AGAIN").unwrap();
    }
    out.push(t.push(Event::new(d("2018-07-06"), Action::Impose { measure: twin })).unwrap_err().to_string());
    out.push(
        t.push(Event::new(d("2018-01-01"), Action::Suspend { id: MeasureId::new("US301-L9").unwrap() }))
            .unwrap_err()
            .to_string(),
    );
    let wrong_column = "year,exporter,importer,hs6,value,basis\n2017,USA,CHN,120190,100,fob\n";
    out.push(loaders::read_trade_csv("my_trade.csv", wrong_column.as_bytes()).unwrap_err().to_string());
    let bad_row =
        "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,100,fob\n2017,USA,CHN,1201.9,-5,fob\n";
    out.push(loaders::read_trade_csv("my_trade.csv", bad_row.as_bytes()).unwrap_err().to_string());
    let bad_value = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,abc,fob\n";
    out.push(loaders::read_trade_csv("my_trade.csv", bad_value.as_bytes()).unwrap_err().to_string());
    let bad_basis = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,1,free\n";
    out.push(loaders::read_trade_csv("my_trade.csv", bad_basis.as_bytes()).unwrap_err().to_string());
    insta::assert_snapshot!("error_messages", out.join("\n"));
}

#[test]
fn failed_load_part_way_leaves_the_matrix_exactly_as_it_was() {
    let mut m = embedded::us_china_trade().unwrap().clone();
    let before = m.clone();
    let mut csv = String::from("year,exporter,importer,hs6,value_usd,basis\n");
    for i in 0..20_000 {
        let v = if i == 9_999 { "-1".to_string() } else { format!("{}", i + 1) };
        let _ = writeln!(csv, "2022,USA,CHN,120190,{v},fob");
    }
    let err = loaders::load_trade_csv_into(&mut m, "big.csv", csv.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("line 10001"), "{err}");
    assert_eq!(m, before);
}

#[test]
fn timeline_serde_round_trip() {
    let t = us_china_2018::timeline().unwrap();
    let json = serde_json::to_string(&t).unwrap();
    let back: Timeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    assert!(json.contains(r#""amount":"1000000000""#), "money is a string in serde");
}

fn any_line() -> impl Strategy<Value = HsCode> {
    let lines: Vec<HsCode> = embedded::us_mfn_2017().unwrap().lines().map(|(c, _)| c).collect();
    proptest::sample::select(lines)
}

fn any_date() -> impl Strategy<Value = chrono::NaiveDate> {
    (0u64..1100).prop_map(|n| d("2018-01-01") + chrono::Days::new(n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A tariff of 0% on any scope changes no duty on any line.
    #[test]
    fn zero_rate_measure_changes_nothing(line in any_line(), date in any_date(), scope_line in any_line(), level in 0usize..4) {
        let scope_code = scope_line.truncate([HsLevel::Chapter, HsLevel::Heading, HsLevel::Subheading, HsLevel::National8][level]).unwrap();
        let base = schedule();
        let h = MeasureHeader::new("ZERO", "zero", Economy::USA, Economy::CHN, ProductScope::new([scope_code]), DateWindow::from(d("2018-01-01")), LegalBasis::Other).unwrap();
        // The same schedule (MFN tables, unit values) with one more event. Lines a list
        // splits at 10 digits are refused by both, the same way.
        let with = base.with_events([Event::new(d("2018-01-01"), Action::Impose { measure: Measure::tariff(h, Percent::ZERO) })]).unwrap();
        let total = |s: &Schedule| s.query(Economy::USA, Economy::CHN, line, date).map(|st| st.total_ad_valorem);
        prop_assert_eq!(total(&with), total(base));
    }

    /// Coverage by any method never exceeds the pair's trade, and the
    /// methods are ordered: full-only <= line-share <= any-line.
    #[test]
    fn coverage_never_exceeds_trade(codes in proptest::collection::vec(any_line(), 1..40), level in 0usize..4, year in 2015i32..=2021) {
        let lvl = [HsLevel::Chapter, HsLevel::Heading, HsLevel::Subheading, HsLevel::National8][level];
        let scope = ProductScope::new(codes.iter().map(|c| c.truncate(lvl).unwrap()));
        let h = MeasureHeader::new("T", "t", Economy::USA, Economy::CHN, scope, DateWindow::from(d("2018-01-01")), LegalBasis::Other).unwrap();
        let m = Measure::tariff(h, p("10"));
        let at = schedule().at(d("2018-01-01"));
        let trade = embedded::us_china_trade().unwrap();
        let cov: Vec<_> = [CoverageMethod::FullOnly, CoverageMethod::LineShare, CoverageMethod::AnyLine].iter().map(|&k| coverage(&at, trade, &m, year, k).unwrap()).collect();
        for c in &cov {
            prop_assert!(c.covered.amount() <= c.pair_total.amount());
            prop_assert!(!c.covered.is_negative());
        }
        prop_assert!(cov[0].covered.amount() <= cov[1].covered.amount());
        prop_assert!(cov[1].covered.amount() <= cov[2].covered.amount());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Bulk pricing (grouped by policy period, cached per line) equals one
    /// query per line, at any dates, window ends included.
    #[test]
    fn bulk_equals_single_queries(rows in proptest::collection::vec((any_line(), 0u64..1500, any::<bool>()), 1..60)) {
        let s = schedule();
        let mut lines = tradewar::CustomsLines::default();
        for (line, day, us) in &rows {
            let (imp, exp) = if *us { (Economy::USA, Economy::CHN) } else { (Economy::CHN, Economy::USA) };
            let code = if *us { *line } else { line.truncate(HsLevel::Subheading).unwrap() };
            lines.push(imp, exp, code, d("2018-01-01") + chrono::Days::new(*day));
        }
        let singles: Vec<_> = rows
            .iter()
            .map(|(line, day, us)| {
                let (imp, exp) = if *us { (Economy::USA, Economy::CHN) } else { (Economy::CHN, Economy::USA) };
                let code = if *us { *line } else { line.truncate(HsLevel::Subheading).unwrap() };
                s.query(imp, exp, code, d("2018-01-01") + chrono::Days::new(*day)).map(|st| st.total_ad_valorem)
            })
            .collect();
        match (s.bulk_totals(&lines), singles.iter().position(Result::is_err)) {
            // A line that a list splits at 10 digits is refused by both, naming the first such row.
            (Err(tradewar::Error::InRow { row, source }), Some(first)) => {
                prop_assert_eq!(row, first);
                prop_assert_eq!(Err(*source), singles[first].clone());
            }
            (Ok(bulk), None) => {
                for (k, single) in singles.into_iter().enumerate() {
                    prop_assert_eq!(Ok(bulk[k]), single);
                }
            }
            (bulk, first) => prop_assert!(false, "bulk {bulk:?}, first refused single row {first:?}"),
        }
    }
}
