//! Structural gravity GE: the counterfactual of `gegravity`'s Canada–Japan PTA example on its 30-country sample,
//! and synthetic worlds of 80 and 160 countries (distances from points drawn with a fixed LCG, PPML-style cost
//! coefficients, a PTA shock on a few pairs). Each model's baseline is built outside the timing; the timed call
//! is one counterfactual: `GegravityModel::simulate` (gegravity mode) and `solve_full_ge` (conditional and
//! full-endowment equilibria) on the modelled baseline.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use tradewar_models::gravity::{
    solve_full_ge, CostCoefficients, GeConfig, GeShock, GegravityConfig, GegravityModel, GravityData, GravityPanel,
    PanelColumns,
};

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One benchmark case: a solved gegravity baseline, the counterfactual cost terms, and the full-GE inputs.
struct Case {
    model: GegravityModel,
    counterfactual: Vec<f64>,
    baseline: GravityData,
    shock: GeShock,
    reference: usize,
}

impl Case {
    fn new(model: GegravityModel, counterfactual: Vec<f64>) -> Self {
        let baseline = model.baseline_trade_data().expect("modelled baseline");
        let shock = model.cost_shock(&counterfactual).expect("shock");
        let reference = model.reference_index();
        Self { model, counterfactual, baseline, shock, reference }
    }
}

/// `gegravity`'s sample with the CAN–JPN PTA.
fn sample_case() -> Case {
    let mut panel = GravityPanel::from_csv_str(
        tradewar_data::embedded::gravity_sample_csv(),
        &PanelColumns::gegravity_sample("2006"),
    )
    .expect("sample");
    let coefficients = CostCoefficients::gegravity_sample_ppml();
    let costs = panel.cost_terms(&coefficients).expect("costs");
    let model = GegravityModel::from_panel(&panel, &costs, &GegravityConfig::new(5.0, "DEU")).expect("baseline");
    panel.set_variable("pta", "CAN", "JPN", 1.0).expect("pta");
    panel.set_variable("pta", "JPN", "CAN", 1.0).expect("pta");
    let counterfactual = panel.cost_terms(&coefficients).expect("costs");
    Case::new(model, counterfactual)
}

/// A synthetic world of `n` countries: points on a 100 × 100 plane, output lognormal-ish, expenditure within ±10% of
/// output, 15% of pairs in a PTA; the shock puts 8 more pairs (both directions) into PTAs.
fn synthetic_case(n: usize) -> Case {
    let mut rng = Lcg(0x5EED_0000 + n as u64);
    let points: Vec<(f64, f64)> = (0..n).map(|_| (100.0 * rng.next(), 100.0 * rng.next())).collect();
    let output: Vec<f64> = (0..n).map(|_| 1e4 * (3.0 * rng.next()).exp() * (1.0 + 5.0 * rng.next())).collect();
    let expenditure: Vec<f64> = output.iter().map(|y| y * (0.9 + 0.2 * rng.next())).collect();
    let mut pta = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            if rng.next() < 0.15 {
                pta[i * n + j] = 1.0;
                pta[j * n + i] = 1.0;
            }
        }
    }
    let (lndist, international): (Vec<f64>, Vec<f64>) = (0..n * n)
        .map(|k| {
            let (i, j) = (k / n, k % n);
            let (a, b) = (points[i], points[j]);
            let distance =
                if i == j { 0.5 + rng.next() } else { ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() + 1.0 };
            (distance.ln() + 5.0, if i == j { 0.0 } else { 1.0 })
        })
        .unzip();
    let countries: Vec<String> = (0..n).map(|i| format!("S{i:03}")).collect();
    let coefficients = CostCoefficients::new(16.3, [("lndist", -0.39), ("international", -3.41), ("pta", 0.47)])
        .expect("coefficients");
    let mut variables = vec![("lndist".to_string(), lndist), ("international".to_string(), international)];
    variables.push(("pta".to_string(), pta.clone()));
    let mut panel = GravityPanel::from_matrices(countries.clone(), vec![0.0; n * n], output, expenditure, variables)
        .expect("panel");
    let costs = panel.cost_terms(&coefficients).expect("costs");
    let config = GegravityConfig::new(5.0, countries[n - 1].clone());
    let model = GegravityModel::from_panel(&panel, &costs, &config).expect("baseline");
    let mut added = 0;
    for (k, &in_pta) in pta.iter().enumerate() {
        let (i, j) = (k / n, k % n);
        if i < j && in_pta == 0.0 && (i * 7 + j * 13) % 97 == 0 {
            panel.set_variable("pta", &countries[i], &countries[j], 1.0).expect("pta");
            panel.set_variable("pta", &countries[j], &countries[i], 1.0).expect("pta");
            added += 1;
            if added == 8 {
                break;
            }
        }
    }
    let counterfactual = panel.cost_terms(&coefficients).expect("costs");
    Case::new(model, counterfactual)
}

fn gravity(c: &mut Criterion) {
    let cases = [(30, sample_case()), (80, synthetic_case(80)), (160, synthetic_case(160))];
    for (n, case) in &cases {
        let g = case.model.simulate(&case.counterfactual).expect("gegravity counterfactual");
        let config = GeConfig::new(5.0, case.reference);
        let r = solve_full_ge(&case.baseline, &case.shock, &config).expect("full GE");
        let conditional_iterations = r.conditional.as_ref().map_or(0, |e| e.iterations);
        eprintln!(
            "N = {n}: gegravity counterfactual {} iterations (residual {:.1e}); full GE {} iterations (residual {:.1e}), \
             conditional {} iterations",
            g.iterations, g.residual, r.full.iterations, r.full.residual, conditional_iterations
        );
    }

    let mut group = c.benchmark_group("gegravity_counterfactual");
    for (n, case) in &cases {
        group.bench_with_input(BenchmarkId::from_parameter(n), case, |b, case| {
            b.iter(|| black_box(case.model.simulate(black_box(&case.counterfactual)).expect("converges")));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("full_ge_conditional_and_full");
    for (n, case) in &cases {
        let config = GeConfig::new(5.0, case.reference);
        group.bench_with_input(BenchmarkId::from_parameter(n), case, |b, case| {
            b.iter(|| black_box(solve_full_ge(black_box(&case.baseline), &case.shock, &config).expect("converges")));
        });
    }
    group.finish();
}

criterion_group!(benches, gravity);
criterion_main!(benches);
