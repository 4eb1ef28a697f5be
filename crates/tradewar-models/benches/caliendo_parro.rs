//! Caliendo–Parro: one counterfactual (the baseline solve and the counterfactual solve, as a user calls
//! `counterfactual`) on the embedded 31 × 40 world with the NAFTA tariffs, threaded and single-threaded; and on
//! synthetic worlds of 77 countries × 45 sectors (the OECD ICIO size) and 31 × 40, with a 10-point tariff rise on
//! one country's imports. The world is built outside the timing.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tradewar_models::caliendo_parro::{
    counterfactual, CpAccounts, CpSolverOptions, CpWorld, CpWorldOptions, Deficits, TariffCube,
};

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn cp2015() -> (CpWorld, TariffCube) {
    let d = tradewar_data::cp2015::embedded().expect("embedded");
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
    .expect("world");
    let cube = TariffCube::from_values(31, 40, d.tariffs_nafta_2005.clone()).expect("cube");
    (w, cube)
}

/// `n` countries, `j` sectors of which the first `2j/3` are traded; random flows, shares and θ in [2, 10).
fn synthetic(n: usize, j: usize) -> (CpWorld, TariffCube) {
    let mut g = Lcg(42);
    let traded = 2 * j / 3;
    let size: Vec<f64> = (0..n).map(|_| 1.0 + 9.0 * g.next()).collect();
    let mut trade = vec![0.0; j * n * n];
    let mut tariffs = vec![0.0; j * n * n];
    for s in 0..j {
        for m in 0..n {
            for e in 0..n {
                let k = (s * n + m) * n + e;
                if m == e {
                    trade[k] = size[m] * (50.0 + 50.0 * g.next());
                } else if s < traded {
                    trade[k] = size[m] * size[e] * g.next();
                    tariffs[k] = 0.15 * g.next();
                }
            }
        }
    }
    let intermediate: Vec<f64> = (0..n * j * j).map(|k| size[k / (j * j)] * g.next()).collect();
    let value_added: Vec<f64> = (0..n * j).map(|k| size[k / j] * j as f64 * (0.5 + g.next())).collect();
    let final_demand: Vec<f64> = (0..n * j).map(|_| g.next() + 0.01).collect();
    let mut deficits: Vec<f64> = (0..n).map(|m| size[m] * (g.next() - 0.5)).collect();
    let mean = deficits.iter().sum::<f64>() / n as f64;
    for d in &mut deficits {
        *d -= mean;
    }
    let theta: Vec<f64> = (0..j).map(|_| 2.0 + 8.0 * g.next()).collect();
    let w = CpWorld::from_accounts(
        CpAccounts {
            regions: (0..n).map(|k| format!("C{k:02}")).collect(),
            sectors: (0..j).map(|k| format!("S{k:02}")).collect(),
            trade,
            tariffs,
            intermediate,
            value_added,
            final_demand,
            deficits,
            theta,
        },
        CpWorldOptions::default(),
    )
    .expect("synthetic world");
    let mut cube = w.tariffs();
    for s in 0..traded {
        for e in 1..n {
            cube.add(0, e, s, 0.10).expect("cell");
        }
    }
    (w, cube)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("caliendo_parro");
    group.sample_size(10);
    let threaded = CpSolverOptions::default();
    let serial = CpSolverOptions { parallel: false, ..threaded };
    let (w, cube) = cp2015();
    group.bench_function("cp2015 31x40 NAFTA, threaded", |b| {
        b.iter(|| black_box(counterfactual(&w, &cube, Deficits::Held, &threaded).expect("solve")));
    });
    group.bench_function("cp2015 31x40 NAFTA, one thread", |b| {
        b.iter(|| black_box(counterfactual(&w, &cube, Deficits::Held, &serial).expect("solve")));
    });
    for (n, j) in [(31, 40), (77, 45)] {
        let (w, cube) = synthetic(n, j);
        group.bench_function(format!("synthetic {n}x{j}, threaded"), |b| {
            b.iter(|| black_box(counterfactual(&w, &cube, Deficits::Held, &threaded).expect("solve")));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
