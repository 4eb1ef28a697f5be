//! The exact-hat equilibrium, solved as Caliendo and Parro do: wages in an
//! outer loop; for given wages, input costs and sector prices in an inner
//! loop, then trade shares, then spending from goods-market clearing; the
//! labour markets then give the next wages.
//!
//! With `x̂ = x'/x` and the data's shares π, for a new tariff cube τ' and
//! `κ̂ = (1 + τ')/(1 + τ)`:
//!
//! ```text
//! ln ĉ[n,j]  = γ[n,j] ln ŵ[n] + Σ_k γ[n,k,j] ln P̂[n,k]                    input costs
//! P̂[n,j]     = ( Σ_i π[n,i,j] (κ̂[n,i,j] ĉ[i,j])^(−θ_j) )^(−1/θ_j)       sector prices
//! π'[n,i,j]  = π[n,i,j] (κ̂[n,i,j] ĉ[i,j] / P̂[n,j])^(−θ_j)               trade shares
//! Y'[i,j]    = Σ_n π'[n,i,j] X'[n,j] / (1 + τ'[n,i,j])                    output (factory prices)
//! I'[n]      = ŵ[n] wL[n] + Σ_{i,j} τ'[n,i,j] π'[n,i,j] X'[n,j] / (1 + τ'[n,i,j]) + D[n]
//! X'[n,j]    = Σ_k γ[n,j,k] Y'[n,k] + α[n,j] I'[n]                         spending
//! ŵ[n] wL[n] = Σ_j γ[n,j] Y'[n,j]                                          labour markets
//! ```
//!
//! with the world wage bill as numéraire (`Σ_n ŵ[n] wL[n] = Σ_n wL[n]`) and
//! deficits `D` held at their baseline value in those units (or set to zero).
//!
//! The inner loops are contractions (cost shares of inputs are below one;
//! prices are averages of costs); their tolerance tightens with the outer
//! residual. The outer wage update `ŵ ← labour demand / wL`, damped, is
//! accelerated with Anderson mixing. Loops over sectors run in parallel
//! (rayon) when [`CpSolverOptions::parallel`] is set; nothing is allocated
//! inside the iterations.

use rayon::prelude::*;

use super::acceleration::Anderson;
use super::tariffs::TariffCube;
use super::world::CpWorld;
use crate::error::{ModelError, Result};

/// How trade deficits are treated in the baseline and the counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deficits {
    /// Held at their baseline values, in units of the world wage bill (the paper's main exercise).
    #[default]
    Held,
    /// Zero in both the baseline and the counterfactual (the paper's section 5.1 and the
    /// `cp2015` package's `zero_aggregate_deficit = TRUE`).
    Zero,
}

/// Tolerance, iteration caps, acceleration and threading of the solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpSolverOptions {
    /// Largest change of log wages that one more (undamped) wage update would
    /// still make, at convergence (default `1e-12`).
    pub tolerance: f64,
    /// Most wage (outer) iterations (default `2_000`).
    pub max_iterations: usize,
    /// Most iterations of each inner loop (prices; spending) per wage iterate (default `20_000`).
    pub max_inner_iterations: usize,
    /// Step length of the wage update, in `(0, 1]` (default `0.5`).
    pub damping: f64,
    /// Past iterates mixed by Anderson acceleration of the wage loop (default `5`; `0` switches it off).
    pub acceleration_memory: usize,
    /// Run the loops over sectors on rayon's thread pool (default `true`;
    /// switch off when solving many worlds in parallel, as Monte Carlo does).
    pub parallel: bool,
}

impl Default for CpSolverOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iterations: 2_000,
            max_inner_iterations: 20_000,
            damping: 0.5,
            acceleration_memory: 5,
            parallel: true,
        }
    }
}

impl CpSolverOptions {
    fn check(&self) -> Result<()> {
        let bad = |what: &str, v: f64, req: &str| {
            Err(ModelError::OutOfDomain { what: format!("solver option {what}"), value: v, requirement: req.into() })
        };
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return bad("tolerance", self.tolerance, "must be positive");
        }
        if !(self.damping > 0.0 && self.damping <= 1.0) {
            return bad("damping", self.damping, "must be in (0, 1]");
        }
        if self.max_iterations == 0 || self.max_inner_iterations == 0 {
            return bad("max_iterations", 0.0, "iteration caps must be at least 1");
        }
        Ok(())
    }
}

/// How a solve converged.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Convergence {
    /// Wage (outer) iterations.
    pub wage_iterations: usize,
    /// Price (inner) iterations, summed over wage iterations.
    pub price_iterations: usize,
    /// Spending (inner) iterations, summed over wage iterations.
    pub expenditure_iterations: usize,
    /// Largest change of log wages the last wage update would make.
    pub wage_residual: f64,
    /// Largest relative residual of the equilibrium equations at the solution
    /// (labour markets, spending, prices).
    pub equation_residual: f64,
}

/// One solution of the exact-hat system, relative to the world's data.
#[derive(Debug, Clone, PartialEq)]
pub struct CpEquilibrium {
    pub(crate) n: usize,
    pub(crate) j: usize,
    /// ln ŵ[n].
    pub(crate) ln_wage: Vec<f64>,
    /// ln ĉ, `[j][n]`.
    pub(crate) ln_cost: Vec<f64>,
    /// ln P̂, `[j][n]`.
    pub(crate) ln_price: Vec<f64>,
    /// π', `[j][n][i]`.
    pub(crate) shares: Vec<f64>,
    /// X', `[j][n]`.
    pub(crate) expenditure: Vec<f64>,
    /// Y', `[j][n]` (gross output at factory prices).
    pub(crate) output: Vec<f64>,
    /// I'[n].
    pub(crate) income: Vec<f64>,
    /// Tariff revenue [n].
    pub(crate) revenue: Vec<f64>,
    /// τ', `[j][n][i]`.
    pub(crate) tariffs: Vec<f64>,
    /// D[n] used.
    pub(crate) deficits: Vec<f64>,
    /// How it converged.
    pub convergence: Convergence,
}

impl CpEquilibrium {
    /// ŵ[n], relative to the data.
    pub fn wage_change(&self) -> Vec<f64> {
        self.ln_wage.iter().map(|x| x.exp()).collect()
    }
    /// Imports of `importer` from `exporter` in `sector` at factory prices, `X' π' / (1 + τ')`.
    pub fn trade(&self, importer: usize, exporter: usize, sector: usize) -> f64 {
        let k = (sector * self.n + importer) * self.n + exporter;
        self.expenditure[sector * self.n + importer] * self.shares[k] / (1.0 + self.tariffs[k])
    }
    /// Income I'[n] (labour income, tariff revenue and the deficit).
    pub fn income(&self) -> &[f64] {
        &self.income
    }
}

/// The sparse rows of one sector: exporters with a positive baseline share.
#[derive(Debug, Clone)]
struct SectorBlock {
    /// Local row starts, one per importer plus one.
    start: Vec<usize>,
    exporter: Vec<usize>,
    share0: Vec<f64>,
    ln_kappa: Vec<f64>,
    /// 1 / (1 + τ').
    net: Vec<f64>,
    /// τ' / (1 + τ').
    duty: Vec<f64>,
    /// π' (counterfactual shares).
    share1: Vec<f64>,
    /// π' / (1 + τ').
    share1_net: Vec<f64>,
}

/// Buffers of one solve, allocated once.
struct Workspace {
    n: usize,
    j: usize,
    blocks: Vec<SectorBlock>,
    theta: Vec<f64>,
    ln_w: Vec<f64>,
    ln_c: Vec<f64>,
    ln_p: Vec<f64>,
    ln_p_new: Vec<f64>,
    ln_p_by_region: Vec<f64>,
    x: Vec<f64>,
    x_by_region: Vec<f64>,
    y: Vec<f64>,
    duty_share: Vec<f64>,
    income: Vec<f64>,
    revenue: Vec<f64>,
    deficits: Vec<f64>,
    x_floor: f64,
    parallel: bool,
    max_inner: usize,
    price_iterations: usize,
    expenditure_iterations: usize,
}

impl Workspace {
    fn new(world: &CpWorld, tariffs: &TariffCube, deficits: Deficits, parallel: bool, max_inner: usize) -> Self {
        let (n, j) = (world.n, world.j);
        let blocks = (0..j)
            .map(|s| {
                let lo = world.row_start[s * n];
                let start: Vec<usize> = (0..=n).map(|m| world.row_start[s * n + m] - lo).collect();
                let len = start[n];
                let mut b = SectorBlock {
                    start,
                    exporter: Vec::with_capacity(len),
                    share0: Vec::with_capacity(len),
                    ln_kappa: Vec::with_capacity(len),
                    net: Vec::with_capacity(len),
                    duty: Vec::with_capacity(len),
                    share1: vec![0.0; len],
                    share1_net: vec![0.0; len],
                };
                for m in 0..n {
                    for z in world.row_start[s * n + m]..world.row_start[s * n + m + 1] {
                        let e = world.row_exporter[z];
                        let k = (s * n + m) * n + e;
                        let (t0, t1) = (world.tariffs[k], tariffs.values[k]);
                        b.exporter.push(e);
                        b.share0.push(world.shares[k]);
                        b.ln_kappa.push(((1.0 + t1) / (1.0 + t0)).ln());
                        b.net.push(1.0 / (1.0 + t1));
                        b.duty.push(t1 / (1.0 + t1));
                    }
                }
                b
            })
            .collect();
        let mean_x = world.expenditure.iter().sum::<f64>() / (n * j) as f64;
        Self {
            n,
            j,
            blocks,
            theta: world.theta.clone(),
            ln_w: vec![0.0; n],
            ln_c: vec![0.0; j * n],
            ln_p: vec![0.0; j * n],
            ln_p_new: vec![0.0; j * n],
            ln_p_by_region: vec![0.0; n * j],
            x: world.expenditure.clone(),
            x_by_region: vec![0.0; n * j],
            y: vec![0.0; j * n],
            duty_share: vec![0.0; j * n],
            income: vec![0.0; n],
            revenue: vec![0.0; n],
            deficits: match deficits {
                Deficits::Held => world.deficits.clone(),
                Deficits::Zero => vec![0.0; n],
            },
            x_floor: 1e-9 * mean_x,
            parallel,
            max_inner,
            price_iterations: 0,
            expenditure_iterations: 0,
        }
    }

    /// ln ĉ from ln ŵ and ln P̂ (`ln_p_by_region` must hold ln P̂ by region).
    fn costs(&mut self, world: &CpWorld) {
        let (n, j) = (self.n, self.j);
        for i in 0..n {
            let lp = &self.ln_p_by_region[i * j..(i + 1) * j];
            let lw = self.ln_w[i];
            for s in 0..j {
                let row = &world.io[(i * j + s) * j..(i * j + s + 1) * j];
                let mut v = world.va_share[i * j + s] * lw;
                for (g, p) in row.iter().zip(lp) {
                    v += g * p;
                }
                self.ln_c[s * n + i] = v;
            }
        }
    }

    fn transpose_prices(&mut self) {
        let (n, j) = (self.n, self.j);
        for s in 0..j {
            for m in 0..n {
                self.ln_p_by_region[m * j + s] = self.ln_p[s * n + m];
            }
        }
    }

    /// One price update: ln P̂ from ln ĉ, into `ln_p_new`; returns the largest change.
    fn price_step(&mut self) -> f64 {
        let n = self.n;
        let kernel = |((b, out), (lc, th)): ((&SectorBlock, &mut [f64]), (&[f64], &f64))| {
            let th = *th;
            for (m, o) in out.iter_mut().enumerate() {
                let (a, z) = (b.start[m], b.start[m + 1]);
                let mut lo = f64::INFINITY;
                for q in a..z {
                    lo = lo.min(b.ln_kappa[q] + lc[b.exporter[q]]);
                }
                let mut sum = 0.0;
                for q in a..z {
                    sum += b.share0[q] * (-th * (b.ln_kappa[q] + lc[b.exporter[q]] - lo)).exp();
                }
                *o = lo - sum.ln() / th;
            }
        };
        if self.parallel {
            self.blocks
                .par_iter()
                .zip(self.ln_p_new.par_chunks_mut(n))
                .zip(self.ln_c.par_chunks(n).zip(self.theta.par_iter()))
                .for_each(kernel);
        } else {
            self.blocks
                .iter()
                .zip(self.ln_p_new.chunks_mut(n))
                .zip(self.ln_c.chunks(n).zip(self.theta.iter()))
                .for_each(kernel);
        }
        let d = self.ln_p_new.iter().zip(&self.ln_p).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        std::mem::swap(&mut self.ln_p, &mut self.ln_p_new);
        d
    }

    /// Costs and prices for the current wages, to `tol`; returns the last change.
    fn prices(&mut self, world: &CpWorld, tol: f64) -> Result<f64> {
        let mut k = 0;
        loop {
            self.transpose_prices();
            self.costs(world);
            let d = self.price_step();
            k += 1;
            self.price_iterations += 1;
            if !d.is_finite() {
                return Err(diverged("prices (inner loop)", k, d));
            }
            if d <= tol {
                self.transpose_prices();
                self.costs(world);
                return Ok(d);
            }
            if k >= self.max_inner {
                return Err(ModelError::NonConvergence {
                    solver: "Caliendo-Parro prices (inner loop)",
                    iterations: k,
                    residual: d,
                    tolerance: tol,
                    detail: String::new(),
                });
            }
        }
    }

    /// Trade shares π' and their net-of-tariff and duty parts from ln ĉ, ln P̂.
    fn shares(&mut self) {
        let n = self.n;
        let kernel = |((b, ds), ((lc, lp), th)): ((&mut SectorBlock, &mut [f64]), ((&[f64], &[f64]), &f64))| {
            let th = *th;
            for (m, d) in ds.iter_mut().enumerate() {
                let mut duty = 0.0;
                for q in b.start[m]..b.start[m + 1] {
                    let p = b.share0[q] * (-th * (b.ln_kappa[q] + lc[b.exporter[q]] - lp[m])).exp();
                    b.share1[q] = p;
                    b.share1_net[q] = p * b.net[q];
                    duty += p * b.duty[q];
                }
                *d = duty;
            }
        };
        if self.parallel {
            self.blocks
                .par_iter_mut()
                .zip(self.duty_share.par_chunks_mut(n))
                .zip(self.ln_c.par_chunks(n).zip(self.ln_p.par_chunks(n)).zip(self.theta.par_iter()))
                .for_each(kernel);
        } else {
            self.blocks
                .iter_mut()
                .zip(self.duty_share.chunks_mut(n))
                .zip(self.ln_c.chunks(n).zip(self.ln_p.chunks(n)).zip(self.theta.iter()))
                .for_each(kernel);
        }
    }

    /// Output Y' from spending X'.
    fn output(&mut self) {
        let n = self.n;
        for ((b, y), x) in self.blocks.iter().zip(self.y.chunks_mut(n)).zip(self.x.chunks(n)) {
            y.fill(0.0);
            for (m, &xm) in x.iter().enumerate() {
                for q in b.start[m]..b.start[m + 1] {
                    y[b.exporter[q]] += b.share1_net[q] * xm;
                }
            }
        }
    }

    /// Spending X' for the current wages and shares, to relative `tol`.
    fn spending(&mut self, world: &CpWorld, tol: f64) -> Result<f64> {
        let (n, j) = (self.n, self.j);
        let mut k = 0;
        loop {
            self.output();
            for m in 0..n {
                let mut r = 0.0;
                for s in 0..j {
                    r += self.duty_share[s * n + m] * self.x[s * n + m];
                }
                self.revenue[m] = r;
                self.income[m] = self.ln_w[m].exp() * world.labour_income[m] + r + self.deficits[m];
            }
            for m in 0..n {
                let out = &mut self.x_by_region[m * j..(m + 1) * j];
                let inc = self.income[m];
                for (o, a) in out.iter_mut().zip(&world.final_share[m * j..(m + 1) * j]) {
                    *o = a * inc;
                }
                for k2 in 0..j {
                    let yk = self.y[k2 * n + m];
                    if yk != 0.0 {
                        let row = &world.io[(m * j + k2) * j..(m * j + k2 + 1) * j];
                        for (o, g) in out.iter_mut().zip(row) {
                            *o += g * yk;
                        }
                    }
                }
            }
            let mut d = 0.0_f64;
            for s in 0..j {
                for m in 0..n {
                    let new = self.x_by_region[m * j + s];
                    let old = &mut self.x[s * n + m];
                    d = d.max((new - *old).abs() / new.abs().max(self.x_floor));
                    *old = new;
                }
            }
            k += 1;
            self.expenditure_iterations += 1;
            if !d.is_finite() {
                return Err(diverged("spending (inner loop)", k, d));
            }
            if d <= tol {
                self.output();
                return Ok(d);
            }
            if k >= self.max_inner {
                return Err(ModelError::NonConvergence {
                    solver: "Caliendo-Parro spending (inner loop)",
                    iterations: k,
                    residual: d,
                    tolerance: tol,
                    detail: String::new(),
                });
            }
        }
    }

    /// The wage map: for ln ŵ in `ln_w`, solve prices and spending, and
    /// write the normalised wages that clear the labour markets into `out`.
    fn wage_map(&mut self, world: &CpWorld, tol: f64, out: &mut [f64]) -> Result<(f64, f64)> {
        let dp = self.prices(world, tol)?;
        self.shares();
        let dx = self.spending(world, tol)?;
        let (n, j) = (self.n, self.j);
        let mut total = 0.0;
        for (m, o) in out.iter_mut().enumerate() {
            let mut l = 0.0;
            for s in 0..j {
                l += world.va_share[m * j + s] * self.y[s * n + m];
            }
            if !(l > 0.0 && l.is_finite()) {
                return Err(ModelError::NonConvergence {
                    solver: "Caliendo-Parro wages (outer loop)",
                    iterations: 0,
                    residual: f64::NAN,
                    tolerance: tol,
                    detail: format!(", labour demand of {} is {l}", world.regions[m]),
                });
            }
            *o = l;
            total += l;
        }
        let scale = world.labour_income.iter().sum::<f64>() / total;
        for (o, wl) in out.iter_mut().zip(&world.labour_income) {
            *o = (*o * scale / wl).ln();
        }
        Ok((dp, dx))
    }
}

fn diverged(solver: &str, iterations: usize, residual: f64) -> ModelError {
    ModelError::NonConvergence {
        solver: "Caliendo-Parro",
        iterations,
        residual,
        tolerance: 0.0,
        detail: format!(", {solver} diverged (a value is not finite)"),
    }
}

/// Solves the exact-hat system for `tariffs` relative to the world's data.
///
/// `start` warm-starts from another solution of the same world (e.g. the
/// baseline when solving a counterfactual); the answer does not depend on it.
pub fn solve(
    world: &CpWorld,
    tariffs: &TariffCube,
    deficits: Deficits,
    options: &CpSolverOptions,
    start: Option<&CpEquilibrium>,
) -> Result<CpEquilibrium> {
    options.check()?;
    tariffs.check(world)?;
    let (n, j) = (world.n, world.j);
    let mut ws = Workspace::new(world, tariffs, deficits, options.parallel, options.max_inner_iterations);
    if let Some(s) = start.filter(|s| s.n == n && s.j == j) {
        ws.ln_w.copy_from_slice(&s.ln_wage);
        ws.ln_p.copy_from_slice(&s.ln_price);
        ws.x.copy_from_slice(&s.expenditure);
    }
    let tol = options.tolerance;
    let floor = (0.01 * tol).max(1e-15);
    let mut acc = Anderson::new(n, options.acceleration_memory, options.damping);
    let mut g = vec![0.0; n];
    let mut f = vec![0.0; n];
    let mut x = ws.ln_w.clone();
    let mut residual = f64::INFINITY;
    let mut best = f64::INFINITY;
    let mut iterations = 0;
    loop {
        let inner = (0.01 * residual).clamp(floor, 1e-4);
        ws.ln_w.copy_from_slice(&x);
        ws.wage_map(world, inner, &mut g)?;
        iterations += 1;
        let mut worst = 0;
        let mut res = 0.0_f64;
        for k in 0..n {
            f[k] = g[k] - x[k];
            if f[k].abs() > res || !f[k].is_finite() {
                res = f[k].abs();
                worst = k;
            }
        }
        if !res.is_finite() {
            return Err(diverged("wages (outer loop)", iterations, res));
        }
        if res <= tol {
            residual = res;
            break;
        }
        if iterations >= options.max_iterations {
            return Err(ModelError::NonConvergence {
                solver: "Caliendo-Parro wages (outer loop)",
                iterations,
                residual: res,
                tolerance: tol,
                detail: format!(", worst region {}", world.regions[worst]),
            });
        }
        if res > 4.0 * best {
            // An accelerated step made things much worse: restart the mixing from here.
            acc.reset();
        }
        best = best.min(res);
        residual = res;
        acc.step(&mut x, &f);
    }

    // The solution: the last wage update, with every inner loop solved tight.
    let mut check = vec![0.0; n];
    ws.ln_w.copy_from_slice(&g);
    let (dp, dx) = ws.wage_map(world, floor, &mut check)?;
    let labour = check.iter().zip(&ws.ln_w).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    let convergence = Convergence {
        wage_iterations: iterations,
        price_iterations: ws.price_iterations,
        expenditure_iterations: ws.expenditure_iterations,
        wage_residual: residual,
        equation_residual: labour.max(dp).max(dx),
    };
    let mut shares = vec![0.0; j * n * n];
    for (s, b) in ws.blocks.iter().enumerate() {
        for m in 0..n {
            for q in b.start[m]..b.start[m + 1] {
                shares[(s * n + m) * n + b.exporter[q]] = b.share1[q];
            }
        }
    }
    Ok(CpEquilibrium {
        n,
        j,
        ln_wage: ws.ln_w,
        ln_cost: ws.ln_c,
        ln_price: ws.ln_p,
        shares,
        expenditure: ws.x,
        output: ws.y,
        income: ws.income,
        revenue: ws.revenue,
        tariffs: tariffs.values.clone(),
        deficits: ws.deficits,
        convergence,
    })
}
