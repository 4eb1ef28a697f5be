//! Caliendo and Parro's NAFTA exercise (1993 → 2005 tariffs among Canada, Mexico and the USA), reproduced from the
//! `cp2015` package's data in `../shared/data/caliendo-parro-2015`: the paper's abstract, the package's README and
//! tests, and the folder's independent reproduction of every region (`DERIVED_welfare_reproduction.csv`).
//!
//! The data are not an exact equilibrium, so, as the package does, the baseline is solved with the 1993 tariffs
//! first and the counterfactual is compared with it. Tests skip, saying so, when the shared data are absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tradewar_data::cp2015::{self, Cp2015};
use tradewar_models::caliendo_parro::{
    counterfactual, CpAccounts, CpBaseline, CpResults, CpSolverOptions, CpWorld, CpWorldOptions, Deficits, TariffCube,
};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/caliendo-parro-2015");
    if dir.join("trade.csv").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIP: {} is absent (../shared/data is not checked out)", dir.display());
        None
    }
}

fn world_of(d: &Cp2015) -> CpWorld {
    CpWorld::from_accounts(
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
    .expect("the published world is valid")
}

fn nafta(d: &Cp2015, w: &CpWorld, deficits: Deficits) -> CpResults {
    let cube = TariffCube::from_values(w.regions_len(), w.sectors_len(), d.tariffs_nafta_2005.clone()).expect("cube");
    counterfactual(w, &cube, deficits, &CpSolverOptions::default()).expect("NAFTA solves")
}

/// Rounds to `digits` significant digits, as printed tables do.
fn sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

fn dec(x: f64, places: i32) -> f64 {
    let s = 10f64.powi(places);
    (x * s).round() / s
}

#[derive(Debug)]
struct Derived {
    tot: f64,
    vot: f64,
    tech: f64,
    welfare: f64,
    realwage: f64,
    nafta_imports: Option<f64>,
}

fn derived(dir: &Path) -> BTreeMap<(String, String), Derived> {
    let mut rdr = csv::Reader::from_path(dir.join("DERIVED_welfare_reproduction.csv")).expect("derived csv");
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let r = rec.expect("row");
        let f = |k: usize| r[k].parse::<f64>().expect("number");
        out.insert(
            (r[0].to_string(), r[1].to_string()),
            Derived {
                tot: f(2),
                vot: f(3),
                tech: f(4),
                welfare: f(5),
                realwage: f(6),
                nafta_imports: r[7].parse::<f64>().ok(),
            },
        );
    }
    out
}

const NAFTA: [&str; 3] = ["Canada", "Mexico", "USA"];

fn intra_nafta_imports(w: &CpWorld, r: &CpResults, region: &str) -> f64 {
    let me = w.region_index(region).expect("region");
    let others: Vec<usize> = NAFTA.iter().filter(|x| **x != region).map(|x| w.region_index(x).expect("r")).collect();
    r.imports_change_pct(me, &others, None)
}

#[test]
fn the_embedded_world_is_the_published_one_bit_for_bit() {
    let Some(dir) = data_dir() else { return };
    let published = cp2015::read_published(&dir).expect("published data load");
    let embedded = cp2015::embedded().expect("embedded data load");
    assert_eq!(&published, embedded);
}

#[test]
fn nafta_reproduces_the_paper_the_package_and_every_region_of_the_reproduction() {
    let Some(dir) = data_dir() else { return };
    let d = cp2015::read_published(&dir).expect("published data load");
    let w = world_of(&d);
    assert_eq!(w.flags().len(), 1, "one negative IO coefficient, kept: {:?}", w.flags());
    let reference = derived(&dir);
    for (deficits, scenario) in [(Deficits::Zero, "zero_aggregate_deficit"), (Deficits::Held, "deficits_as_in_data")] {
        let r = nafta(&d, &w, deficits);
        for c in [r.baseline_convergence, r.counterfactual_convergence] {
            assert!(c.equation_residual < 1e-10, "{c:?}");
        }
        // Every region of the independent reproduction (numpy, tolerance 1e-11), in percentage points.
        let mut worst = 0.0_f64;
        for (k, region) in w.regions().iter().enumerate() {
            let e = &reference[&(scenario.to_string(), region.clone())];
            for (ours, theirs) in [
                (r.terms_of_trade_pct[k], e.tot),
                (r.volume_of_trade_pct[k], e.vot),
                (r.welfare_pct[k], e.welfare),
                (r.real_wage_pct[k], e.realwage),
            ] {
                worst = worst.max((ours - theirs).abs());
                assert!((ours - theirs).abs() < 1e-8, "{scenario} {region}: {ours} vs {theirs}");
            }
            assert_eq!(e.tech, 0.0);
            if let Some(x) = e.nafta_imports {
                let ours = intra_nafta_imports(&w, &r, region);
                assert!((ours - x).abs() < 1e-7, "{scenario} {region} intra-NAFTA imports: {ours} vs {x}");
            }
        }
        eprintln!("{scenario}: largest difference from the reproduction {worst:.1e} pp");
        let at = |name: &str| w.region_index(name).expect("region");
        let (can, mex, usa) = (at("Canada"), at("Mexico"), at("USA"));
        match deficits {
            Deficits::Zero => {
                // The paper's abstract: welfare +1.31 / +0.08 / −0.06; intra-bloc trade +118 / +11 / +41 percent.
                assert_eq!(dec(r.welfare_pct[mex], 2), 1.31);
                assert_eq!(dec(r.welfare_pct[usa], 2), 0.08);
                assert_eq!(dec(r.welfare_pct[can], 2), -0.06);
                assert_eq!(intra_nafta_imports(&w, &r, "Mexico").round(), 118.0);
                assert_eq!(intra_nafta_imports(&w, &r, "Canada").round(), 11.0);
                assert_eq!(intra_nafta_imports(&w, &r, "USA").round(), 41.0);
                // The package README (three significant digits): tot, vot, welfare, realwage.
                let table = [
                    (can, [-0.108, 0.0443, -0.0638, 0.323]),
                    (mex, [-0.412, 1.72, 1.31, 1.72]),
                    (usa, [0.0435, 0.0412, 0.0848, 0.112]),
                ];
                for (k, row) in table {
                    let ours =
                        [r.terms_of_trade_pct[k], r.volume_of_trade_pct[k], r.welfare_pct[k], r.real_wage_pct[k]];
                    for (o, p) in ours.iter().zip(row) {
                        assert_eq!(sig(*o, 3), p, "{}: {o} vs README {p}", w.regions()[k]);
                    }
                }
            }
            Deficits::Held => {
                // The package tests, deficits kept (two decimals).
                let table = [
                    (can, [-0.08, 0.04, -0.04, 0.33]),
                    (mex, [-0.41, 1.59, 1.17, 1.64]),
                    (usa, [0.05, 0.04, 0.08, 0.12]),
                ];
                for (k, row) in table {
                    let ours =
                        [r.terms_of_trade_pct[k], r.volume_of_trade_pct[k], r.welfare_pct[k], r.real_wage_pct[k]];
                    for (o, p) in ours.iter().zip(row) {
                        assert_eq!(dec(*o, 2), p, "{}: {o} vs package test {p}", w.regions()[k]);
                    }
                }
            }
        }
    }
}

#[test]
fn the_decomposition_adds_up_by_partner_and_sector() {
    let Some(dir) = data_dir() else { return };
    let d = cp2015::read_published(&dir).expect("published data load");
    let w = world_of(&d);
    let r = nafta(&d, &w, Deficits::Zero);
    let mex = w.region_index("MEX").expect("economy code works");
    let (tot, vot) = r.decomposition_by_sector(mex, None);
    assert!((tot.iter().sum::<f64>() - r.terms_of_trade_pct[mex]).abs() < 1e-12);
    assert!((vot.iter().sum::<f64>() - r.volume_of_trade_pct[mex]).abs() < 1e-12);
    // The folder's vignette tables (derived, two decimals): Mexico's ToT with NAFTA partners −0.39, with the rest −0.02;
    // VoT 1.80 and −0.08.
    let nafta: Vec<usize> = NAFTA.iter().map(|x| w.region_index(x).expect("r")).collect();
    let rest: Vec<usize> = (0..w.regions_len()).filter(|k| !nafta.contains(k)).collect();
    let (tn, vn) = r.decomposition_by_sector(mex, Some(&nafta));
    let (tr, vr) = r.decomposition_by_sector(mex, Some(&rest));
    let s = |v: &[f64]| dec(v.iter().sum::<f64>(), 2);
    assert_eq!((s(&tn), s(&tr), s(&vn), s(&vr)), (-0.39, -0.02, 1.80, -0.08));
    // Imports by pair, all sectors: Mexico from the USA +118.31 %, the USA from Mexico +109.54 %.
    let usa = w.region_index("USA").expect("r");
    assert_eq!(dec(r.imports_change_pct(mex, &[usa], None), 2), 118.31);
    assert_eq!(dec(r.imports_change_pct(usa, &[mex], None), 2), 109.54);
    // Services are not traded: their prices move only with domestic costs.
    let services = w.sector_index("Construction").expect("sector");
    assert!(!w.is_traded(services));
}

#[test]
fn a_baseline_solved_once_gives_the_same_counterfactual() {
    let Some(dir) = data_dir() else { return };
    let d = cp2015::read_published(&dir).expect("published data load");
    let w = world_of(&d);
    let cube = TariffCube::from_values(31, 40, d.tariffs_nafta_2005.clone()).expect("cube");
    let direct = counterfactual(&w, &cube, Deficits::Held, &CpSolverOptions::default()).expect("solve");
    let base = CpBaseline::solve(Arc::new(w.clone()), Deficits::Held, CpSolverOptions::default()).expect("baseline");
    let again = base.counterfactual(&cube).expect("solve");
    for (a, b) in direct.welfare_pct.iter().zip(&again.welfare_pct) {
        assert!((a - b).abs() < 1e-10);
    }
    // The baseline against itself changes nothing.
    let none = base.counterfactual(&w.tariffs()).expect("solve");
    assert!(none.welfare_pct.iter().all(|x| x.abs() < 1e-10), "{:?}", none.welfare_pct);
    assert!(none.real_wage_pct.iter().all(|x| x.abs() < 1e-9));
}
