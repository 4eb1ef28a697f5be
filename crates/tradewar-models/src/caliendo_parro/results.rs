//! A counterfactual against its baseline: welfare and its decomposition
//! (terms of trade and volume of trade, by partner and sector), real wages,
//! prices, input costs, output, trade and tariff revenue.
//!
//! Both are solutions of the same exact-hat system on the same data, the
//! baseline with the world's own tariffs, so that the result does not
//! depend on the data being an exact equilibrium (they are not). Changes
//! are counterfactual over baseline. Sign convention: every `*_pct` is
//! `100 · (counterfactual / baseline − 1)`, a gain is positive.
//!
//! The welfare decomposition is Caliendo and Parro's (their equation for
//! `d ln W_n`, in the discrete form of the `cp2015` package), in percent of
//! baseline income `I[n]`:
//!
//! ```text
//! terms of trade   ToT[n,p,j] = ( E[n→p,j] (ĉ[n,j] − 1) − M[p→n,j] (ĉ[p,j] − 1) ) / I[n]
//! volume of trade  VoT[n,p,j] = τ[n,p,j] M[p→n,j] ( M'[p→n,j] / M[p→n,j] − ĉ[p,j] ) / I[n]
//! welfare[n]       = Σ_{p,j} ToT + VoT
//! ```
//!
//! with `E` and `M` the baseline flows at factory prices.

use std::fmt;
use std::sync::Arc;

use super::solver::{solve, Convergence, CpEquilibrium, CpSolverOptions, Deficits};
use super::tariffs::TariffCube;
use super::world::CpWorld;
use crate::error::Result;

/// A solved baseline (the world's own tariffs), reused by many counterfactuals.
#[derive(Debug, Clone)]
pub struct CpBaseline {
    world: Arc<CpWorld>,
    equilibrium: CpEquilibrium,
    deficits: Deficits,
    options: CpSolverOptions,
}

impl CpBaseline {
    /// Solves the baseline of `world`.
    pub fn solve(world: Arc<CpWorld>, deficits: Deficits, options: CpSolverOptions) -> Result<Self> {
        let equilibrium = solve(&world, &world.tariffs(), deficits, &options, None)?;
        Ok(Self { world, equilibrium, deficits, options })
    }

    /// The world.
    pub fn world(&self) -> &CpWorld {
        &self.world
    }
    /// The baseline solution.
    pub fn equilibrium(&self) -> &CpEquilibrium {
        &self.equilibrium
    }
    /// The deficit rule.
    pub fn deficits(&self) -> Deficits {
        self.deficits
    }
    /// The solver options.
    pub fn options(&self) -> &CpSolverOptions {
        &self.options
    }

    /// Solves `tariffs` and compares with the baseline.
    pub fn counterfactual(&self, tariffs: &TariffCube) -> Result<CpResults> {
        let cf = solve(&self.world, tariffs, self.deficits, &self.options, Some(&self.equilibrium))?;
        Ok(CpResults::compare(&self.world, &self.equilibrium, &cf, self.deficits))
    }
}

/// Solves the baseline and the counterfactual of `tariffs` and compares them.
pub fn counterfactual(
    world: &CpWorld,
    tariffs: &TariffCube,
    deficits: Deficits,
    options: &CpSolverOptions,
) -> Result<CpResults> {
    tariffs.check(world)?;
    let base = solve(world, &world.tariffs(), deficits, options, None)?;
    let cf = solve(world, tariffs, deficits, options, Some(&base))?;
    Ok(CpResults::compare(world, &base, &cf, deficits))
}

/// Welfare of every region only (for Monte Carlo): the decomposition's
/// total, in percent, without building the full tables.
pub fn welfare_only(base: &CpEquilibrium, cf: &CpEquilibrium) -> Vec<f64> {
    let (tot, vot) = decomposition_totals(base, cf);
    tot.iter().zip(&vot).map(|(a, b)| a + b).collect()
}

fn decomposition_totals(base: &CpEquilibrium, cf: &CpEquilibrium) -> (Vec<f64>, Vec<f64>) {
    let (n, j) = (base.n, base.j);
    let mut tot = vec![0.0; n];
    let mut vot = vec![0.0; n];
    for s in 0..j {
        for m in 0..n {
            for e in 0..n {
                let mb = base.trade(m, e, s);
                if mb == 0.0 {
                    continue;
                }
                let c_hat_e = (cf.ln_cost[s * n + e] - base.ln_cost[s * n + e]).exp();
                // Exporter e gains on its sales to m; importer m pays on them.
                tot[e] += mb * (c_hat_e - 1.0);
                tot[m] -= mb * (c_hat_e - 1.0);
                let t = base.tariffs[(s * n + m) * n + e];
                if t != 0.0 {
                    vot[m] += t * (cf.trade(m, e, s) - mb * c_hat_e);
                }
            }
        }
    }
    for m in 0..n {
        tot[m] *= 100.0 / base.income[m];
        vot[m] *= 100.0 / base.income[m];
    }
    (tot, vot)
}

/// A counterfactual against its baseline, for every region, partner and sector.
///
/// Arrays are flat: `[region]`, `[sector][region]`, and `[sector][region][partner]`
/// (for trade, `[sector][importer][exporter]`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CpResults {
    /// Region names.
    pub regions: Vec<String>,
    /// Sector names.
    pub sectors: Vec<String>,
    /// The deficit rule of both solves.
    pub deficits: Deficits,
    /// How the baseline converged.
    pub baseline_convergence: Convergence,
    /// How the counterfactual converged.
    pub counterfactual_convergence: Convergence,
    /// Welfare change, percent of baseline income: terms of trade plus volume of trade.
    pub welfare_pct: Vec<f64>,
    /// Terms-of-trade part of the welfare change, percent.
    pub terms_of_trade_pct: Vec<f64>,
    /// Volume-of-trade part of the welfare change, percent.
    pub volume_of_trade_pct: Vec<f64>,
    /// Terms of trade by `[sector][region][partner]`, percent of the region's income.
    pub terms_of_trade_by_partner: Vec<f64>,
    /// Volume of trade by `[sector][region][partner]` (the region imports from the partner).
    pub volume_of_trade_by_partner: Vec<f64>,
    /// Real wage change `ŵ / P̂ − 1`, percent (P̂ the consumer price index, weights α).
    pub real_wage_pct: Vec<f64>,
    /// Real income change `Î / P̂ − 1`, percent (the model's exact welfare measure).
    pub real_income_pct: Vec<f64>,
    /// Nominal wage change ŵ − 1, percent (numéraire: the world wage bill).
    pub wage_pct: Vec<f64>,
    /// Consumer price index change P̂ − 1, percent.
    pub price_index_pct: Vec<f64>,
    /// Income I (labour, tariff revenue, deficit) in the baseline, data units.
    pub income_baseline: Vec<f64>,
    /// Income in the counterfactual.
    pub income_counterfactual: Vec<f64>,
    /// Tariff revenue in the baseline.
    pub revenue_baseline: Vec<f64>,
    /// Tariff revenue in the counterfactual.
    pub revenue_counterfactual: Vec<f64>,
    /// Unit cost change ĉ − 1 by `[sector][region]`, percent.
    pub cost_pct: Vec<f64>,
    /// Sector price index change P̂ − 1 by `[sector][region]`, percent.
    pub price_pct: Vec<f64>,
    /// The part of the unit-cost change that comes through the prices of
    /// intermediate inputs, `exp(Σ_k γ[n,k,j] Δ ln P̂[n,k]) − 1`, percent.
    pub input_cost_pct: Vec<f64>,
    /// Gross output at factory prices, baseline, `[sector][region]`.
    pub output_baseline: Vec<f64>,
    /// Gross output at factory prices, counterfactual.
    pub output_counterfactual: Vec<f64>,
    /// Trade at factory prices, baseline, `[sector][importer][exporter]`.
    pub trade_baseline: Vec<f64>,
    /// Trade at factory prices, counterfactual.
    pub trade_counterfactual: Vec<f64>,
    /// Tariffs of the baseline, `[sector][importer][exporter]`.
    pub tariffs_baseline: Vec<f64>,
    /// Tariffs of the counterfactual.
    pub tariffs_counterfactual: Vec<f64>,
}

impl CpResults {
    /// Compares two solutions of `world`.
    pub fn compare(world: &CpWorld, base: &CpEquilibrium, cf: &CpEquilibrium, deficits: Deficits) -> Self {
        let (n, j) = (world.n, world.j);
        let mut trade_b = vec![0.0; j * n * n];
        let mut trade_c = vec![0.0; j * n * n];
        for s in 0..j {
            for m in 0..n {
                for e in 0..n {
                    let k = (s * n + m) * n + e;
                    trade_b[k] = base.trade(m, e, s);
                    trade_c[k] = cf.trade(m, e, s);
                }
            }
        }
        let c_hat: Vec<f64> = cf.ln_cost.iter().zip(&base.ln_cost).map(|(a, b)| (a - b).exp()).collect();
        let mut tot_p = vec![0.0; j * n * n];
        let mut vot_p = vec![0.0; j * n * n];
        let mut tot = vec![0.0; n];
        let mut vot = vec![0.0; n];
        for s in 0..j {
            for r in 0..n {
                let inc = base.income[r];
                for p in 0..n {
                    let exports = trade_b[(s * n + p) * n + r];
                    let imports = trade_b[(s * n + r) * n + p];
                    let t = (exports * (c_hat[s * n + r] - 1.0) - imports * (c_hat[s * n + p] - 1.0)) * 100.0 / inc;
                    let tau = base.tariffs[(s * n + r) * n + p];
                    let v = if imports > 0.0 && tau != 0.0 {
                        tau * (trade_c[(s * n + r) * n + p] - imports * c_hat[s * n + p]) * 100.0 / inc
                    } else {
                        0.0
                    };
                    tot_p[(s * n + r) * n + p] = t;
                    vot_p[(s * n + r) * n + p] = v;
                    tot[r] += t;
                    vot[r] += v;
                }
            }
        }
        let mut real_wage = vec![0.0; n];
        let mut real_income = vec![0.0; n];
        let mut wage = vec![0.0; n];
        let mut cpi = vec![0.0; n];
        for r in 0..n {
            let ln_p: f64 = (0..j)
                .map(|s| world.final_share[r * j + s] * (cf.ln_price[s * n + r] - base.ln_price[s * n + r]))
                .sum();
            let ln_w = cf.ln_wage[r] - base.ln_wage[r];
            real_wage[r] = ((ln_w - ln_p).exp() - 1.0) * 100.0;
            real_income[r] = (cf.income[r] / base.income[r] / ln_p.exp() - 1.0) * 100.0;
            wage[r] = (ln_w.exp() - 1.0) * 100.0;
            cpi[r] = (ln_p.exp() - 1.0) * 100.0;
        }
        let mut input_cost = vec![0.0; j * n];
        for r in 0..n {
            for s in 0..j {
                let row = &world.io[(r * j + s) * j..(r * j + s + 1) * j];
                let d: f64 =
                    row.iter().enumerate().map(|(k, g)| g * (cf.ln_price[k * n + r] - base.ln_price[k * n + r])).sum();
                input_cost[s * n + r] = (d.exp() - 1.0) * 100.0;
            }
        }
        let pct = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| ((x - y).exp() - 1.0) * 100.0).collect()
        };
        Self {
            regions: world.regions.clone(),
            sectors: world.sectors.clone(),
            deficits,
            baseline_convergence: base.convergence,
            counterfactual_convergence: cf.convergence,
            welfare_pct: tot.iter().zip(&vot).map(|(a, b)| a + b).collect(),
            terms_of_trade_pct: tot,
            volume_of_trade_pct: vot,
            terms_of_trade_by_partner: tot_p,
            volume_of_trade_by_partner: vot_p,
            real_wage_pct: real_wage,
            real_income_pct: real_income,
            wage_pct: wage,
            price_index_pct: cpi,
            income_baseline: base.income.clone(),
            income_counterfactual: cf.income.clone(),
            revenue_baseline: base.revenue.clone(),
            revenue_counterfactual: cf.revenue.clone(),
            cost_pct: pct(&cf.ln_cost, &base.ln_cost),
            price_pct: pct(&cf.ln_price, &base.ln_price),
            input_cost_pct: input_cost,
            output_baseline: base.output.clone(),
            output_counterfactual: cf.output.clone(),
            trade_baseline: trade_b,
            trade_counterfactual: trade_c,
            tariffs_baseline: base.tariffs.clone(),
            tariffs_counterfactual: cf.tariffs.clone(),
        }
    }

    /// Number of regions.
    pub fn regions_len(&self) -> usize {
        self.regions.len()
    }
    /// Number of sectors.
    pub fn sectors_len(&self) -> usize {
        self.sectors.len()
    }

    /// Percent change of the imports of `importer` from the `exporters`,
    /// summed over the `sectors` (all when `None`), at factory prices.
    pub fn imports_change_pct(&self, importer: usize, exporters: &[usize], sectors: Option<&[usize]>) -> f64 {
        let n = self.regions.len();
        let all: Vec<usize> = (0..self.sectors.len()).collect();
        let (mut b, mut c) = (0.0, 0.0);
        for &s in sectors.unwrap_or(&all) {
            for &e in exporters {
                b += self.trade_baseline[(s * n + importer) * n + e];
                c += self.trade_counterfactual[(s * n + importer) * n + e];
            }
        }
        (c / b - 1.0) * 100.0
    }

    /// Terms of trade and volume of trade of `region` summed by sector
    /// over the `partners` (all when `None`): `(tot[j], vot[j])`, percent of income.
    pub fn decomposition_by_sector(&self, region: usize, partners: Option<&[usize]>) -> (Vec<f64>, Vec<f64>) {
        let (n, j) = (self.regions.len(), self.sectors.len());
        let all: Vec<usize> = (0..n).collect();
        let mut tot = vec![0.0; j];
        let mut vot = vec![0.0; j];
        for s in 0..j {
            for &p in partners.unwrap_or(&all) {
                tot[s] += self.terms_of_trade_by_partner[(s * n + region) * n + p];
                vot[s] += self.volume_of_trade_by_partner[(s * n + region) * n + p];
            }
        }
        (tot, vot)
    }

    /// Change of gross output at factory prices of `sector` in `region`, percent.
    pub fn output_pct(&self, region: usize, sector: usize) -> f64 {
        let k = sector * self.regions.len() + region;
        (self.output_counterfactual[k] / self.output_baseline[k] - 1.0) * 100.0
    }
}

impl fmt::Display for CpResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<14} {:>9} {:>9} {:>9} {:>10} {:>11}",
            "region", "ToT %", "VoT %", "welfare %", "real wage %", "real income %"
        )?;
        for (r, name) in self.regions.iter().enumerate() {
            writeln!(
                f,
                "{:<14} {:>9.4} {:>9.4} {:>9.4} {:>10.4} {:>11.4}",
                name,
                self.terms_of_trade_pct[r],
                self.volume_of_trade_pct[r],
                self.welfare_pct[r],
                self.real_wage_pct[r],
                self.real_income_pct[r]
            )?;
        }
        write!(
            f,
            "baseline: {} wage iterations (residual {:.1e}); counterfactual: {} (residual {:.1e})",
            self.baseline_convergence.wage_iterations,
            self.baseline_convergence.equation_residual,
            self.counterfactual_convergence.wage_iterations,
            self.counterfactual_convergence.equation_residual
        )
    }
}
