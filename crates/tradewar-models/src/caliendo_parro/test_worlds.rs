//! Small random worlds for the unit tests: `n` regions, `j` sectors, the
//! last third of them not traded, data that are (like real data) not an
//! exact equilibrium.

use super::world::{CpAccounts, CpWorld, CpWorldOptions};

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub(super) fn accounts(n: usize, j: usize, seed: u64) -> CpAccounts {
    let mut g = Lcg(seed);
    let traded = j - j / 3;
    let size: Vec<f64> = (0..n).map(|_| 1.0 + 9.0 * g.next()).collect();
    let mut trade = vec![0.0; j * n * n];
    let mut tariffs = vec![0.0; j * n * n];
    for s in 0..j {
        for m in 0..n {
            for e in 0..n {
                let k = (s * n + m) * n + e;
                if m == e {
                    trade[k] = size[m] * (20.0 + 80.0 * g.next());
                } else if s < traded {
                    trade[k] = size[m] * size[e] * g.next();
                    tariffs[k] = 0.2 * g.next();
                }
            }
        }
    }
    let intermediate = (0..n * j * j).map(|k| size[k / (j * j)] * g.next()).collect();
    let value_added = (0..n * j).map(|k| size[k / j] * j as f64 * (0.5 + g.next())).collect();
    let final_demand = (0..n * j).map(|_| g.next() + 0.01).collect();
    // Deficits of up to 10% of value added: far larger ones can leave no equilibrium with positive wages.
    let mut deficits: Vec<f64> = (0..n).map(|m| size[m] * j as f64 * 0.2 * (g.next() - 0.5)).collect();
    let mean = deficits.iter().sum::<f64>() / n as f64;
    for d in &mut deficits {
        *d -= mean;
    }
    CpAccounts {
        regions: (0..n).map(|k| format!("C{k}")).collect(),
        sectors: (0..j).map(|k| format!("S{k}")).collect(),
        trade,
        tariffs,
        intermediate,
        value_added,
        final_demand,
        deficits,
        theta: (0..j).map(|_| 1.5 + 10.0 * g.next()).collect(),
    }
}

pub(super) fn world(n: usize, j: usize, seed: u64) -> CpWorld {
    CpWorld::from_accounts(accounts(n, j, seed), CpWorldOptions::default()).expect("a valid random world")
}
