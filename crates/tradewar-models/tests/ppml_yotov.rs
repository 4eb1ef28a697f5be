//! PPML on the WTO/UNCTAD Advanced Guide's Chapter 2 panel (Yotov, Piermartini, Monteiro & Larch 2016,
//! application 2, "removing NAFTA"), against every estimate its Stata log prints
//! (../shared/data/yotov-advanced-guide: README-estimates.md and RTAsEffects_log_coefficients.csv).
//!
//! Stata prints 7 significant digits: a coefficient is known to ±5e-8 absolute at the RTA's size, a standard
//! error to about 1e-6 relative. The specifications, as the log runs them:
//!
//! * S1: 1986–2006 every four years, pair + exporter-year + importer-year effects, RTA; robust SEs (N/(N−1)).
//! * S2: 1994 international pairs, `exp(S1 pair effect)` on exporter and importer effects and ln_DIST, CNTG,
//!   LANG, CLNY; SEs clustered by pair (G/(G−1)).
//! * S3: 1994 all pairs, exporter and importer effects, offset ln t̄_ij + β_RTA·RTA (t̄ from S1, S2's prediction
//!   for the 7 pairs that never trade); robust SEs.
//! * S4: S3 with RTA switched off for the six directed NAFTA pairs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tradewar_models::ppml::{ppml, Factor, PpmlData, PpmlFit, PpmlOptions, RowStatus};

fn dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/yotov-advanced-guide");
    if d.join("chapter2_application2.csv").is_file() {
        Some(d)
    } else {
        eprintln!("SKIP: {} is absent (../shared/data is not checked out)", d.display());
        None
    }
}

#[derive(Clone)]
struct Row {
    exporter: String,
    importer: String,
    pair_id: i64,
    year: i64,
    trade: f64,
    dist: f64,
    cntg: f64,
    lang: f64,
    clny: f64,
    rta: f64,
}

fn panel(dir: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(dir.join("chapter2_application2.csv")).expect("csv");
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.expect("row");
        let year: i64 = r[3].parse().expect("year");
        if ![1986, 1990, 1994, 1998, 2002, 2006].contains(&year) {
            continue;
        }
        let num = |i: usize| -> f64 { r[i].parse().expect("number") };
        rows.push(Row {
            exporter: r[0].to_string(),
            importer: r[1].to_string(),
            pair_id: r[2].parse().expect("pair"),
            year,
            trade: num(4),
            dist: num(5),
            cntg: num(6),
            lang: num(7),
            clny: num(8),
            rta: num(9),
        });
    }
    rows
}

/// The log's printed estimates: spec → (term, fe_kind, country_or_pair, year, coef, se, half a unit of the
/// coefficient's last printed digit).
type Printed = HashMap<String, Vec<(String, String, String, String, f64, f64, f64)>>;

/// Half a unit in the last decimal place of a number as Stata printed it (`-.0177078` → 5e-8).
fn half_unit(text: &str) -> f64 {
    let decimals = text.split('.').nth(1).map_or(0, str::len);
    0.5 * 10f64.powi(-(decimals as i32))
}

fn printed(dir: &Path) -> Printed {
    let mut reader = csv::Reader::from_path(dir.join("RTAsEffects_log_coefficients.csv")).expect("log csv");
    let mut out: Printed = HashMap::new();
    for r in reader.records() {
        let r = r.expect("row");
        let spec = r[0].split('_').next().unwrap_or_default().to_string();
        if r[4].to_string() == "offset" {
            continue;
        }
        out.entry(spec).or_default().push((
            r[2].to_string(),
            r[4].to_string(),
            r[5].to_string(),
            r[6].to_string(),
            r[7].parse().expect("coef"),
            r[8].parse().expect("se"),
            half_unit(&r[7]),
        ));
    }
    out
}

/// The pair factor of the log: international pairs by their (symmetric) pair id, every domestic pair in one level.
fn pair_label(r: &Row) -> String {
    if r.exporter == r.importer {
        "domestic".to_string()
    } else {
        let (a, b) = if r.exporter < r.importer { (&r.exporter, &r.importer) } else { (&r.importer, &r.exporter) };
        format!("{a}-{b}")
    }
}

const NAFTA: [&str; 3] = ["CAN", "MEX", "USA"];

struct Stage1 {
    rows: Vec<Row>,
    fit: PpmlFit,
}

/// S1, estimated once for every test of this file.
fn stage1() -> Option<&'static Stage1> {
    static S1: OnceLock<Option<Stage1>> = OnceLock::new();
    S1.get_or_init(|| {
        let d = dir()?;
        let rows = panel(&d);
        let labels = |f: &dyn Fn(&Row) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let data = PpmlData::new("trade", rows.iter().map(|r| r.trade).collect())
            .unwrap()
            .with_regressor("RTA", rows.iter().map(|r| r.rta).collect())
            .unwrap()
            .with_fixed_effect(Factor::from_labels("pair", &labels(&pair_label)).unwrap())
            .unwrap()
            .with_fixed_effect(
                Factor::from_labels("exporter_year", &labels(&|r: &Row| format!("{}#{}", r.exporter, r.year))).unwrap(),
            )
            .unwrap()
            .with_fixed_effect(
                Factor::from_labels("importer_year", &labels(&|r: &Row| format!("{}#{}", r.importer, r.year))).unwrap(),
            )
            .unwrap();
        // Stata's normalisation: DEU's importer-year dummies and the pooled domestic pair are the omitted bases.
        let mut references: Vec<(String, String)> =
            [1986, 1990, 1994, 1998, 2002, 2006].iter().map(|y| ("importer_year".into(), format!("DEU#{y}"))).collect();
        references.push(("pair".into(), "domestic".into()));
        let fit = ppml(&data, &PpmlOptions { references, ..PpmlOptions::default() }).expect("S1");
        Some(Stage1 { rows, fit })
    })
    .as_ref()
}

#[test]
fn s1_rta_coefficient_and_every_fixed_effect_match_the_stata_log() {
    let (Some(d), Some(s1)) = (dir(), stage1()) else { return };
    let fit = &s1.fit;
    assert_eq!(fit.rows, 28_566);
    assert_eq!(fit.observations, 28_482, "84 rows excluded (the 7 pairs that never trade)");
    assert_eq!(fit.rows_with(RowStatus::SeparatedByFixedEffect).len(), 84);
    let rta = fit.coefficient("RTA").expect("RTA");
    eprintln!(
        "S1 RTA {:.10} (SE {:.10}), Stata .5571853 (.055771); {} IRLS iterations, {} CG iterations, deviance {}",
        rta.estimate, rta.std_error, fit.iterations, fit.inner_iterations, fit.deviance
    );
    assert!((rta.estimate - 0.557_185_3).abs() <= 1e-7, "RTA {}", rta.estimate);
    assert!((rta.std_error / 0.055_771 - 1.0).abs() <= 1e-6, "SE {}", rta.std_error);
    assert!((fit.deviance / 2_630_487.0 - 1.0).abs() < 5e-7, "deviance {}", fit.deviance);

    // Every fixed effect the log prints (3,161 of them), to its printed precision, except where Stata's IRLS had
    // not finished: there the log's value must break the fixed effect's own first-order condition
    // Σ_i (y_i − μ_i) = 0 over its rows, while ours holds it.
    let printed = printed(&d);
    let mut worst = (0.0_f64, String::new());
    let mut checked = 0;
    let mut unconverged_in_log = Vec::new();
    for (term, kind, who, year, coef, _, half) in &printed["S1"] {
        let (dim, label) = match kind.as_str() {
            "pair" => ("pair", who.clone()),
            "exporter_year" => ("exporter_year", format!("{who}#{year}")),
            "importer_year" => ("importer_year", format!("{who}#{year}")),
            _ => continue,
        };
        let ours = fit.fixed_effect(dim).and_then(|f| f.value(&label)).unwrap_or_else(|| panic!("{term} {label}"));
        checked += 1;
        let miss = (ours - coef).abs() / (half + 1e-12);
        if miss <= 1.0 {
            continue;
        }
        // First-order condition of this level: relative score Σ(y − μ)/Σy, with our μ and with the log's value.
        let rows: Vec<usize> = (0..s1.rows.len())
            .filter(|&i| {
                fit.row_status[i] == RowStatus::Used
                    && match dim {
                        "pair" => pair_label(&s1.rows[i]) == label,
                        "exporter_year" => format!("{}#{}", s1.rows[i].exporter, s1.rows[i].year) == label,
                        _ => format!("{}#{}", s1.rows[i].importer, s1.rows[i].year) == label,
                    }
            })
            .collect();
        let total: f64 = rows.iter().map(|&i| s1.rows[i].trade).sum();
        let score = |shift: f64| -> f64 {
            rows.iter().map(|&i| s1.rows[i].trade - fit.fitted[i] * shift.exp()).sum::<f64>() / total
        };
        let (ours_score, log_score) = (score(0.0), score(coef - ours));
        eprintln!(
            "S1 {term} ({label}): ours {ours:.7}, Stata {coef} ({miss:.0}× its rounding); first-order condition \
             Σ(y−μ)/Σy = {ours_score:.1e} (ours) vs {log_score:.1e} (log's value); trade in the pair {total:.3e}"
        );
        unconverged_in_log.push(label.clone());
        if miss > worst.0 {
            worst = (miss, format!("{term} ({label})"));
        }
        assert!(ours_score.abs() < 1e-8 && log_score.abs() > 1e3 * ours_score.abs(), "{term} ({label})");
    }
    assert_eq!(checked, 3161);
    eprintln!(
        "S1: {checked} fixed effects checked; {} differ beyond the printed rounding, all where the log's IRLS had not \
         converged: {unconverged_in_log:?}",
        unconverged_in_log.len()
    );
    assert!(unconverged_in_log.len() <= 4, "{unconverged_in_log:?}");
}

/// S2 and the 1994 cost terms t̄_ij of S3/S4, from S1's pair effects.
struct Stage2 {
    fit: PpmlFit,
    /// ln t̄_ij for every 1994 pair (domestic 0), keyed by (exporter, importer).
    ln_tbar: BTreeMap<(String, String), f64>,
}

fn stage2(s1: &Stage1) -> Stage2 {
    let pair = s1.fit.fixed_effect("pair").expect("pair effects");
    let y1994: Vec<&Row> = s1.rows.iter().filter(|r| r.year == 1994).collect();
    let international: Vec<&Row> =
        y1994.iter().copied().filter(|r| r.exporter != r.importer && pair.value(&pair_label(r)).is_some()).collect();
    let tij: Vec<f64> = international.iter().map(|r| pair.value(&pair_label(r)).expect("pair").exp()).collect();
    let text = |f: &dyn Fn(&Row) -> String| international.iter().map(|r| f(r)).collect::<Vec<String>>();
    let data = PpmlData::new("tij", tij)
        .unwrap()
        .with_regressor("ln_DIST", international.iter().map(|r| r.dist.ln()).collect())
        .unwrap()
        .with_regressor("CNTG", international.iter().map(|r| r.cntg).collect())
        .unwrap()
        .with_regressor("LANG", international.iter().map(|r| r.lang).collect())
        .unwrap()
        .with_regressor("CLNY", international.iter().map(|r| r.clny).collect())
        .unwrap()
        .with_fixed_effect(Factor::from_labels("exporter", &text(&|r| r.exporter.clone())).unwrap())
        .unwrap()
        .with_fixed_effect(Factor::from_labels("importer", &text(&|r| r.importer.clone())).unwrap())
        .unwrap()
        .with_cluster(
            Factor::from_integers("pair_id", &international.iter().map(|r| r.pair_id).collect::<Vec<_>>()).unwrap(),
        )
        .unwrap();
    // Stata's bases: exporter PAN and importer GBR (the constant then equals our exporter PAN effect).
    let references = vec![("importer".to_string(), "GBR".to_string())];
    let fit = ppml(&data, &PpmlOptions { references, ..PpmlOptions::default() }).expect("S2");
    let exp_fe = fit.fixed_effect("exporter").expect("exporter");
    let imp_fe = fit.fixed_effect("importer").expect("importer");
    let beta = |t: &str| fit.coefficient(t).expect("term").estimate;
    let mut ln_tbar = BTreeMap::new();
    for r in &y1994 {
        let v = if r.exporter == r.importer {
            0.0
        } else if let Some(p) = pair.value(&pair_label(r)) {
            p
        } else {
            // The 7 pairs that never trade: S2's prediction.
            exp_fe.value(&r.exporter).expect("exporter effect")
                + imp_fe.value(&r.importer).expect("importer effect")
                + beta("ln_DIST") * r.dist.ln()
                + beta("CNTG") * r.cntg
                + beta("LANG") * r.lang
                + beta("CLNY") * r.clny
        };
        ln_tbar.insert((r.exporter.clone(), r.importer.clone()), v);
    }
    Stage2 { fit, ln_tbar }
}

#[test]
fn s2_gravity_coefficients_and_clustered_errors_match_the_stata_log() {
    let (Some(d), Some(s1)) = (dir(), stage1()) else { return };
    let s2 = stage2(s1);
    let fit = &s2.fit;
    assert_eq!(fit.observations, 4678);
    match &fit.variance {
        tradewar_models::ppml::VarianceKind::Clustered { clusters, .. } => assert_eq!(clusters, &vec![2339]),
        other @ tradewar_models::ppml::VarianceKind::Robust => panic!("{other:?}"),
    }
    let printed = printed(&d);
    for (term, kind, _, _, coef, se, _) in &printed["S2"] {
        if kind != "regressor" {
            continue;
        }
        let (ours, ours_se) = if term == "_cons" {
            // Stata's constant is the value of the base exporter (PAN) with the base importer (GBR) at zero.
            let v = fit.fixed_effect("exporter").and_then(|f| f.value("PAN")).expect("PAN");
            (v, f64::NAN)
        } else {
            let c = fit.coefficient(term).expect("term");
            (c.estimate, c.std_error)
        };
        eprintln!("S2 {term}: {ours:.9} ({ours_se:.9}); Stata {coef} ({se})");
        assert!((ours - coef).abs() <= 3e-7 + 5e-7 * coef.abs(), "{term}: {ours} vs {coef}");
        if term != "_cons" {
            assert!((ours_se / se - 1.0).abs() <= 1.5e-6, "{term} SE: {ours_se} vs {se}");
        }
    }
}

fn baseline_fit(s2: &Stage2, s1: &Stage1, rta_beta: f64, counterfactual: bool) -> PpmlFit {
    let y1994: Vec<&Row> = s1.rows.iter().filter(|r| r.year == 1994).collect();
    let offset: Vec<f64> = y1994
        .iter()
        .map(|r| {
            let nafta = NAFTA.contains(&r.exporter.as_str()) && NAFTA.contains(&r.importer.as_str());
            let rta = if counterfactual && nafta && r.exporter != r.importer { 0.0 } else { r.rta };
            s2.ln_tbar[&(r.exporter.clone(), r.importer.clone())] + rta_beta * rta
        })
        .collect();
    let text = |f: &dyn Fn(&Row) -> String| y1994.iter().map(|r| f(r)).collect::<Vec<String>>();
    let data = PpmlData::new("trade", y1994.iter().map(|r| r.trade).collect())
        .unwrap()
        .with_offset(offset)
        .unwrap()
        .with_fixed_effect(Factor::from_labels("exporter", &text(&|r| r.exporter.clone())).unwrap())
        .unwrap()
        .with_fixed_effect(Factor::from_labels("importer", &text(&|r| r.importer.clone())).unwrap())
        .unwrap();
    let options = PpmlOptions {
        references: vec![("importer".into(), "DEU".into())],
        fixed_effect_std_errors: true,
        ..PpmlOptions::default()
    };
    ppml(&data, &options).expect("S3/S4")
}

#[test]
fn s3_and_s4_fixed_effects_and_their_errors_match_the_stata_log() {
    let (Some(d), Some(s1)) = (dir(), stage1()) else { return };
    let s2 = stage2(s1);
    let rta = s1.fit.coefficient("RTA").expect("RTA").estimate;
    let printed = printed(&d);
    for (spec, counterfactual, deviance) in [("S3", false, 335_549.7), ("S4", true, 349_321.6)] {
        let fit = baseline_fit(&s2, s1, rta, counterfactual);
        assert_eq!(fit.observations, 4761);
        assert!((fit.deviance / deviance - 1.0).abs() < 3e-7, "{spec} deviance {}", fit.deviance);
        let mut worst = (0.0_f64, 0.0_f64, String::new());
        for (term, kind, who, _, coef, se, half) in &printed[spec] {
            let fe = fit.fixed_effect(kind).unwrap_or_else(|| panic!("{kind}"));
            let p = fe.labels.iter().position(|l| l == who).unwrap_or_else(|| panic!("{who}"));
            let (ours, ours_se) = (fe.values[p], fe.std_errors[p]);
            let miss_coef = (ours - coef).abs() / (half + 1e-12);
            let miss_se = (ours_se / se - 1.0).abs();
            if miss_coef.max(miss_se / 1e-6) > worst.0.max(worst.1 / 1e-6) {
                worst = (miss_coef, miss_se, format!("{term} ({who}): {ours} ({ours_se}) vs {coef} ({se})"));
            }
            if NAFTA.contains(&who.as_str()) || who == "DEU" {
                eprintln!("{spec} {kind} {who}: {ours:.7} ({ours_se:.7}); Stata {coef} ({se})");
            }
        }
        eprintln!("{spec}: worst {:.2} of the printed rounding, SE {:.2e} relative: {}", worst.0, worst.1, worst.2);
        // The offset is built from S1 and S2 estimates, which the log carries at its own precision (S1's pair
        // effects agree with ours to half a unit of their seventh digit): allow two units of the printed rounding.
        assert!(worst.0 <= 2.0 && worst.1 <= 1.5e-6, "{spec}: {}", worst.2);
    }
}
