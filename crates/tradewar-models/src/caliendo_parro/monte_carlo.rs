//! Monte Carlo over the trade elasticities θ_j: every draw re-solves the
//! baseline and the counterfactual with its own θ (the baseline depends on
//! θ, since the data are not an exact equilibrium), draws in parallel on
//! rayon's pool, each solve single-threaded.

use super::results::welfare_only;
use super::solver::{solve, CpSolverOptions, Deficits};
use super::tariffs::TariffCube;
use super::world::CpWorld;
use crate::error::{ModelError, Result};
use crate::sweep::{Distribution, Sweep, SweepResult};

/// The sweep of θ: sector `j` drawn from a normal with mean θ_j and
/// standard deviation `sd[j]` (0 keeps it fixed), seeded.
pub fn theta_sweep(world: &CpWorld, sd: &[f64], draws: usize, seed: u64) -> Result<Sweep> {
    if sd.len() != world.j {
        return Err(ModelError::DimensionMismatch {
            what: "standard deviations of theta".into(),
            expected: world.j,
            found: sd.len(),
            layout: format!("sector = {}", world.j),
        });
    }
    let mut sweep = Sweep::new(draws, seed);
    for (s, (&mean, &sd)) in world.theta.iter().zip(sd).enumerate() {
        let d = if sd == 0.0 { Distribution::Fixed(mean) } else { Distribution::Normal { mean, sd } };
        sweep = sweep.param(&format!("theta {}", world.sectors[s]), d);
    }
    Ok(sweep)
}

/// Runs a θ sweep on one counterfactual. Each row of the result's
/// `outputs` is the welfare change (percent) of every region, in the
/// world's order; `params` are the θ drawn. A draw with a non-positive θ
/// is an error naming the sector.
pub fn run_theta_sweep(
    world: &CpWorld,
    tariffs: &TariffCube,
    deficits: Deficits,
    options: &CpSolverOptions,
    sweep: &Sweep,
) -> Result<SweepResult> {
    tariffs.check(world)?;
    let serial = CpSolverOptions { parallel: false, ..*options };
    sweep.run(|theta| {
        let w = world.with_theta(theta)?;
        let base = solve(&w, &w.tariffs(), deficits, &serial, None)?;
        let cf = solve(&w, tariffs, deficits, &serial, Some(&base))?;
        Ok(welfare_only(&base, &cf))
    })
}

#[cfg(test)]
mod tests {
    use super::super::results::counterfactual;
    use super::super::test_worlds::world;
    use super::*;

    #[test]
    fn zero_spread_is_the_point_estimate_and_draws_are_reproducible() {
        let w = world(3, 3, 3);
        let mut cube = w.tariffs();
        cube.add(0, 1, 0, 0.2).expect("cell");
        let options = CpSolverOptions::default();
        let point = counterfactual(&w, &cube, Deficits::Held, &options).expect("solves");
        let fixed = theta_sweep(&w, &[0.0; 3], 4, 1).expect("sweep");
        let r = run_theta_sweep(&w, &cube, Deficits::Held, &options, &fixed).expect("runs");
        for row in &r.outputs {
            for (a, b) in row.iter().zip(&point.welfare_pct) {
                assert!((a - b).abs() < 1e-10, "{a} vs {b}");
            }
        }
        let sd: Vec<f64> = w.theta().iter().map(|t| 0.2 * t).collect();
        let s = theta_sweep(&w, &sd, 16, 7).expect("sweep");
        let a = run_theta_sweep(&w, &cube, Deficits::Held, &options, &s).expect("runs");
        let b = run_theta_sweep(&w, &cube, Deficits::Held, &options, &s).expect("runs");
        assert_eq!(a, b);
        assert!(a.quantile(0, 0.1).expect("q") < a.quantile(0, 0.9).expect("q"));
    }

    #[test]
    fn a_non_positive_draw_is_an_error_naming_the_sector() {
        let w = world(3, 3, 3);
        let s = theta_sweep(&w, &[100.0, 0.0, 0.0], 50, 1).expect("sweep");
        let e =
            run_theta_sweep(&w, &w.tariffs(), Deficits::Held, &CpSolverOptions::default(), &s).expect_err("refused");
        assert!(e.to_string().contains("theta of S0"), "{e}");
        assert!(matches!(theta_sweep(&w, &[1.0], 5, 1), Err(ModelError::DimensionMismatch { .. })));
    }
}
