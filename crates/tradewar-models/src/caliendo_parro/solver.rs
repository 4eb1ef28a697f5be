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
    /// Worlds of fewer than 100,000 bilateral cells (`N² J`; Caliendo and
    /// Parro's is 38,440) solve on one thread anyway: an iteration's work is
    /// then too small to share with profit.
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
    /// ln `ŵ[n]`.
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
    /// `I'[n]`.
    pub(crate) income: Vec<f64>,
    /// Tariff revenue [n].
    pub(crate) revenue: Vec<f64>,
    /// τ', `[j][n][i]`.
    pub(crate) tariffs: Vec<f64>,
    /// `D[n]` used.
    pub(crate) deficits: Vec<f64>,
    /// How it converged.
    pub convergence: Convergence,
}

impl CpEquilibrium {
    /// `ŵ[n]`, relative to the data.
    pub fn wage_change(&self) -> Vec<f64> {
        self.ln_wage.iter().map(|x| x.exp()).collect()
    }
    /// Imports of `importer` from `exporter` in `sector` at factory prices, `X' π' / (1 + τ')`.
    pub fn trade(&self, importer: usize, exporter: usize, sector: usize) -> f64 {
        let k = (sector * self.n + importer) * self.n + exporter;
        self.expenditure[sector * self.n + importer] * self.shares[k] / (1.0 + self.tariffs[k])
    }
    /// Income `I'[n]` (labour income, tariff revenue and the deficit).
    pub fn income(&self) -> &[f64] {
        &self.income
    }
}

/// One sector's trade, in the form its loops need.
///
/// The price of a row is `P̂^(−θ) = Σ_i π (κ̂ ĉ_i)^(−θ)`. The part that does not
/// change during a solve, `π κ̂^(−θ)`, is kept per cell as `weight`, scaled by
/// the row's largest value (`shift`, in logs), so that an iteration needs one
/// exponential per exporter and sector, and the sums are dot products.
///
/// A sector where every importer buys from one exporter only (the non-traded
/// sectors: domestic sales) needs no sums at all: its price is that exporter's
/// cost times a fixed factor.
#[derive(Debug, Clone)]
struct SectorBlock {
    theta: f64,
    n: usize,
    /// `Some(exporter of each row)` when every row has one exporter.
    single: Option<Vec<usize>>,
    /// ln(π κ̂^(−θ)), dense `[importer][exporter]` (−∞ where π = 0); for single rows, one per row.
    ln_weight: Vec<f64>,
    /// exp(ln_weight − shift of the row), dense (0 where π = 0).
    weight: Vec<f64>,
    /// Per row: the largest `ln_weight`.
    shift: Vec<f64>,
    /// Per exporter: exp(−θ (ln ĉ − reference)), and the reference (the sector's lowest ln ĉ).
    scaled_cost: Vec<f64>,
    reference: f64,
    /// Per row: Σ weight · scaled_cost (the row's price term); NaN where the row fell back to logs.
    row_sum: Vec<f64>,
    /// 1 / (1 + τ'), dense or per row.
    net: Vec<f64>,
    /// τ' / (1 + τ'), dense or per row.
    duty: Vec<f64>,
    /// π' (counterfactual shares), dense; unused for single rows (the share is 1).
    share1: Vec<f64>,
    /// π' / (1 + τ'), dense.
    share1_net: Vec<f64>,
}

/// `Σ a_k b_k` with eight independent partial sums (so that the compiler can vectorise it).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let rest: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + rest
}

/// `out[c] += Σ_r a[r] · m[r · width + c]`: a matrix–vector product over the rows of `m`, eight columns at a
/// time so that their running sums stay in registers (the rows are summed in order, as a plain loop would).
fn add_weighted_rows(m: &[f64], width: usize, a: &[f64], out: &mut [f64]) {
    let blocks = width / 8 * 8;
    for c0 in (0..blocks).step_by(8) {
        let mut acc = [0.0_f64; 8];
        acc.copy_from_slice(&out[c0..c0 + 8]);
        for (r, &ar) in a.iter().enumerate() {
            let row = &m[r * width + c0..r * width + c0 + 8];
            for l in 0..8 {
                acc[l] += ar * row[l];
            }
        }
        out[c0..c0 + 8].copy_from_slice(&acc);
    }
    for (c, o) in out.iter_mut().enumerate().take(width).skip(blocks) {
        let mut v = *o;
        for (r, &ar) in a.iter().enumerate() {
            v += ar * m[r * width + c];
        }
        *o = v;
    }
}

impl SectorBlock {
    fn new(world: &CpWorld, tariffs: &TariffCube, s: usize) -> Self {
        let n = world.n;
        let theta = world.theta[s];
        let rows = |m: usize| world.row_start[s * n + m]..world.row_start[s * n + m + 1];
        let cell = |m: usize, e: usize| {
            let k = (s * n + m) * n + e;
            let (t0, t1) = (world.tariffs[k], tariffs.values[k]);
            (world.shares[k].ln() - theta * ((1.0 + t1) / (1.0 + t0)).ln(), 1.0 / (1.0 + t1), t1 / (1.0 + t1))
        };
        let single = (0..n).all(|m| rows(m).len() == 1);
        let mut b = SectorBlock {
            theta,
            n,
            single: None,
            ln_weight: Vec::new(),
            weight: Vec::new(),
            shift: vec![0.0; n],
            scaled_cost: vec![0.0; n],
            reference: 0.0,
            row_sum: vec![0.0; n],
            net: Vec::new(),
            duty: Vec::new(),
            share1: Vec::new(),
            share1_net: Vec::new(),
        };
        if single {
            let exporters: Vec<usize> = (0..n).map(|m| world.row_exporter[rows(m).start]).collect();
            for (m, &e) in exporters.iter().enumerate() {
                let (lw, net, duty) = cell(m, e);
                b.ln_weight.push(lw);
                b.net.push(net);
                b.duty.push(duty);
            }
            b.single = Some(exporters);
            return b;
        }
        b.ln_weight = vec![f64::NEG_INFINITY; n * n];
        b.weight = vec![0.0; n * n];
        b.net = vec![0.0; n * n];
        b.duty = vec![0.0; n * n];
        b.share1 = vec![0.0; n * n];
        b.share1_net = vec![0.0; n * n];
        for m in 0..n {
            for z in rows(m) {
                let e = world.row_exporter[z];
                let (lw, net, duty) = cell(m, e);
                b.ln_weight[m * n + e] = lw;
                b.net[m * n + e] = net;
                b.duty[m * n + e] = duty;
            }
            let row = &b.ln_weight[m * n..(m + 1) * n];
            let hi = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            b.shift[m] = hi;
            for e in 0..n {
                b.weight[m * n + e] = (b.ln_weight[m * n + e] - hi).exp();
            }
        }
        b
    }

    /// ln P̂ of every row from the sector's log costs `lc`, into `out`; keeps the row sums for the shares.
    fn prices(&mut self, lc: &[f64], out: &mut [f64]) {
        let n = self.n;
        if let Some(ex) = &self.single {
            for (m, o) in out.iter_mut().enumerate() {
                *o = lc[ex[m]] - self.ln_weight[m] / self.theta;
            }
            return;
        }
        self.reference = lc.iter().copied().fold(f64::INFINITY, f64::min);
        for (a, c) in self.scaled_cost.iter_mut().zip(lc) {
            *a = (-self.theta * (c - self.reference)).exp();
        }
        for (m, o) in out.iter_mut().enumerate() {
            let sum = dot(&self.weight[m * n..(m + 1) * n], &self.scaled_cost);
            self.row_sum[m] = sum;
            *o = if sum.is_normal() {
                self.reference - (sum.ln() + self.shift[m]) / self.theta
            } else {
                // Every term of the row underflowed against the sector's cheapest exporter (which the row does
                // not buy from): sum in logs, shifted by the row's own largest term.
                self.row_sum[m] = f64::NAN;
                let row = &self.ln_weight[m * n..(m + 1) * n];
                let hi = row.iter().zip(lc).map(|(w, c)| w - self.theta * c).fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = row.iter().zip(lc).map(|(w, c)| (w - self.theta * c - hi).exp()).sum();
                -(s.ln() + hi) / self.theta
            };
        }
    }

    /// π' of every row (after `prices` with the same costs); writes each row's duty share into `duty`.
    fn shares(&mut self, lc: &[f64], ln_p: &[f64], duty: &mut [f64]) {
        let n = self.n;
        if self.single.is_some() {
            duty.copy_from_slice(&self.duty);
            return;
        }
        for (m, d) in duty.iter_mut().enumerate() {
            let sum = self.row_sum[m];
            let mut total = 0.0;
            for (e, &c) in lc.iter().enumerate() {
                let k = m * n + e;
                let p = if sum.is_normal() {
                    self.weight[k] * self.scaled_cost[e] / sum
                } else {
                    (self.ln_weight[k] - self.theta * (c - ln_p[m])).exp()
                };
                self.share1[k] = p;
                self.share1_net[k] = p * self.net[k];
                total += p * self.duty[k];
            }
            *d = total;
        }
    }

    /// Output at factory prices of each exporter, `y[e] = Σ_m π'/(1 + τ') X'[m]`, into `y`.
    fn output(&self, x: &[f64], y: &mut [f64]) {
        let n = self.n;
        y.fill(0.0);
        if let Some(ex) = &self.single {
            for (m, &xm) in x.iter().enumerate() {
                y[ex[m]] += self.net[m] * xm;
            }
            return;
        }
        add_weighted_rows(&self.share1_net, n, x, y);
    }

    /// `π'[m][e]`.
    fn share(&self, m: usize, e: usize) -> f64 {
        match &self.single {
            Some(ex) => f64::from(u8::from(ex[m] == e)),
            None => self.share1[m * self.n + e],
        }
    }
}

/// One sector's block, its duty shares, log costs and log prices (the shares kernel's arguments).
type SharesArgs<'a> = (((&'a mut SectorBlock, &'a mut [f64]), &'a [f64]), &'a mut [f64]);

/// Worlds with fewer bilateral cells than this solve on one thread: an iteration's work is then too small to
/// share between threads with profit (measured on 31 × 40, where threads made a solve slower).
const PARALLEL_CELLS: usize = 100_000;

/// Buffers of one solve, allocated once.
struct Workspace {
    n: usize,
    j: usize,
    blocks: Vec<SectorBlock>,
    /// `γ[n,k,j]` input-major, `[region][input k][user sector j]`, so that costs are sums of rows.
    io_by_input: Vec<f64>,
    /// One region's values by sector (prices or outputs), gathered for a matrix–vector product.
    gather: Vec<f64>,
    ln_w: Vec<f64>,
    ln_c: Vec<f64>,
    ln_c_by_region: Vec<f64>,
    ln_p: Vec<f64>,
    ln_p_new: Vec<f64>,
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
        let blocks = (0..j).map(|s| SectorBlock::new(world, tariffs, s)).collect();
        let mut io_by_input = vec![0.0; n * j * j];
        for i in 0..n {
            for user in 0..j {
                for input in 0..j {
                    io_by_input[(i * j + input) * j + user] = world.io[(i * j + user) * j + input];
                }
            }
        }
        let mean_x = world.expenditure.iter().sum::<f64>() / (n * j) as f64;
        Self {
            n,
            j,
            blocks,
            io_by_input,
            gather: vec![0.0; j],
            ln_w: vec![0.0; n],
            ln_c: vec![0.0; j * n],
            ln_c_by_region: vec![0.0; n * j],
            ln_p: vec![0.0; j * n],
            ln_p_new: vec![0.0; j * n],
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
            parallel: parallel && n * n * j >= PARALLEL_CELLS,
            max_inner,
            price_iterations: 0,
            expenditure_iterations: 0,
        }
    }

    /// ln ĉ from ln ŵ and ln P̂: `ln ĉ[i][·] = γ[i][·] ln ŵ[i] + Σ_k ln P̂[k][i] γ[i][k][·]`.
    fn costs(&mut self, world: &CpWorld) {
        let (n, j) = (self.n, self.j);
        for i in 0..n {
            for (k, p) in self.gather.iter_mut().enumerate() {
                *p = self.ln_p[k * n + i];
            }
            let out = &mut self.ln_c_by_region[i * j..(i + 1) * j];
            let lw = self.ln_w[i];
            for (o, va) in out.iter_mut().zip(&world.va_share[i * j..(i + 1) * j]) {
                *o = va * lw;
            }
            add_weighted_rows(&self.io_by_input[i * j * j..(i + 1) * j * j], j, &self.gather, out);
        }
        for i in 0..n {
            for s in 0..j {
                self.ln_c[s * n + i] = self.ln_c_by_region[i * j + s];
            }
        }
    }

    /// One price update: ln P̂ from ln ĉ, into `ln_p_new`; returns the largest change.
    fn price_step(&mut self) -> f64 {
        let n = self.n;
        let kernel = |((b, out), lc): ((&mut SectorBlock, &mut [f64]), &[f64])| b.prices(lc, out);
        if self.parallel {
            self.blocks
                .par_iter_mut()
                .zip(self.ln_p_new.par_chunks_mut(n))
                .zip(self.ln_c.par_chunks(n))
                .for_each(kernel);
        } else {
            self.blocks.iter_mut().zip(self.ln_p_new.chunks_mut(n)).zip(self.ln_c.chunks(n)).for_each(kernel);
        }
        let d = self.ln_p_new.iter().zip(&self.ln_p).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        std::mem::swap(&mut self.ln_p, &mut self.ln_p_new);
        d
    }

    /// Costs and prices for the current wages, to `tol`; returns the last change.
    fn prices(&mut self, world: &CpWorld, tol: f64) -> Result<f64, MapError> {
        let mut k = 0;
        loop {
            self.costs(world);
            let d = self.price_step();
            k += 1;
            self.price_iterations += 1;
            if !d.is_finite() {
                return Err(MapError::Failed(format!("prices are not finite after {k} iterations")));
            }
            if d <= tol {
                self.costs(world);
                return Ok(d);
            }
            if k >= self.max_inner {
                return Err(MapError::Hard(ModelError::NonConvergence {
                    solver: "Caliendo-Parro prices (inner loop)",
                    iterations: k,
                    residual: d,
                    tolerance: tol,
                    detail: String::new(),
                }));
            }
        }
    }

    /// Trade shares π' and their net-of-tariff and duty parts from ln ĉ
    /// (prices recomputed from the same costs, so that shares sum to one).
    fn shares(&mut self) {
        let n = self.n;
        let kernel = |(((b, ds), lc), lp): SharesArgs<'_>| {
            b.prices(lc, lp);
            b.shares(lc, lp, ds);
        };
        if self.parallel {
            self.blocks
                .par_iter_mut()
                .zip(self.duty_share.par_chunks_mut(n))
                .zip(self.ln_c.par_chunks(n))
                .zip(self.ln_p.par_chunks_mut(n))
                .for_each(kernel);
        } else {
            self.blocks
                .iter_mut()
                .zip(self.duty_share.chunks_mut(n))
                .zip(self.ln_c.chunks(n))
                .zip(self.ln_p.chunks_mut(n))
                .for_each(kernel);
        }
    }

    /// Output Y' from spending X'.
    fn output(&mut self) {
        let n = self.n;
        if self.parallel {
            self.blocks
                .par_iter()
                .zip(self.y.par_chunks_mut(n))
                .zip(self.x.par_chunks(n))
                .for_each(|((b, y), x)| b.output(x, y));
        } else {
            for ((b, y), x) in self.blocks.iter().zip(self.y.chunks_mut(n)).zip(self.x.chunks(n)) {
                b.output(x, y);
            }
        }
    }

    /// Spending X' for the current wages and shares, to relative `tol`.
    fn spending(&mut self, world: &CpWorld, tol: f64) -> Result<f64, MapError> {
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
                for (k2, yk) in self.gather.iter_mut().enumerate() {
                    *yk = self.y[k2 * n + m];
                }
                let out = &mut self.x_by_region[m * j..(m + 1) * j];
                let inc = self.income[m];
                for (o, a) in out.iter_mut().zip(&world.final_share[m * j..(m + 1) * j]) {
                    *o = a * inc;
                }
                add_weighted_rows(&world.io[m * j * j..(m + 1) * j * j], j, &self.gather, out);
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
                return Err(MapError::Failed(format!("spending is not finite after {k} iterations")));
            }
            if d <= tol {
                self.output();
                return Ok(d);
            }
            if k >= self.max_inner {
                return Err(MapError::Hard(ModelError::NonConvergence {
                    solver: "Caliendo-Parro spending (inner loop)",
                    iterations: k,
                    residual: d,
                    tolerance: tol,
                    detail: String::new(),
                }));
            }
        }
    }

    /// The wage map: for ln ŵ in `ln_w`, solve prices and spending, and
    /// write the normalised wages that clear the labour markets into `out`.
    fn wage_map(&mut self, world: &CpWorld, tol: f64, out: &mut [f64]) -> Result<(f64, f64), MapError> {
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
                return Err(MapError::Failed(format!("labour demand of {} is {l:e}", world.regions[m])));
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

/// Why the wage map gave no value: a point where the economy makes no
/// sense (a value not finite, no labour demanded), from which the outer
/// loop backs off; or an inner loop that did not converge, which ends the solve.
enum MapError {
    Failed(String),
    Hard(ModelError),
}

impl From<ModelError> for MapError {
    fn from(e: ModelError) -> Self {
        Self::Hard(e)
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
    // The last point where the map could be evaluated, its residual and the inner loops' state there.
    let mut good = (x.clone(), vec![0.0; n], ws.ln_p.clone(), ws.x.clone());
    let mut have_good = false;
    let mut step_scale = 1.0_f64;
    let mut residual = f64::INFINITY;
    let mut best = f64::INFINITY;
    let mut since_best = 0_usize;
    let mut iterations = 0;
    let give_up = |iterations: usize, residual: f64, detail: String| ModelError::NonConvergence {
        solver: "Caliendo-Parro wages (outer loop)",
        iterations,
        residual,
        tolerance: tol,
        detail,
    };
    loop {
        let inner = (0.1 * residual).clamp(floor, 1e-4);
        ws.ln_w.copy_from_slice(&x);
        iterations += 1;
        match ws.wage_map(world, inner, &mut g) {
            Ok(_) => {}
            Err(MapError::Hard(e)) => return Err(e),
            Err(MapError::Failed(why)) => {
                // Back off to the last good point and take a shorter plain step from it.
                if !have_good || iterations >= options.max_iterations || step_scale < 1.0 / 64.0 {
                    return Err(give_up(iterations, residual, format!(", the wage update failed: {why}")));
                }
                acc.reset();
                step_scale *= 0.5;
                ws.ln_p.copy_from_slice(&good.2);
                ws.x.copy_from_slice(&good.3);
                for ((xk, gx), gf) in x.iter_mut().zip(&good.0).zip(&good.1) {
                    *xk = gx + step_scale * acc.damping() * gf;
                }
                continue;
            }
        }
        let mut worst = 0;
        let mut res = 0.0_f64;
        for k in 0..n {
            f[k] = g[k] - x[k];
            if f[k].abs() > res || !f[k].is_finite() {
                res = f[k].abs();
                worst = k;
            }
        }
        if res <= tol {
            residual = res;
            break;
        }
        if iterations >= options.max_iterations || !res.is_finite() {
            return Err(give_up(iterations, res, format!(", worst region {}", world.regions[worst])));
        }
        if res > 4.0 * best {
            // An accelerated step made things much worse: restart the mixing from here.
            acc.reset();
        }
        if res < best {
            best = res;
            since_best = 0;
        } else {
            since_best += 1;
            if since_best > options.acceleration_memory + 10 && acc.damping() > options.damping / 64.0 {
                // No progress: the update overshoots (labour demand reacts strongly to wages where trade
                // elasticities and import shares are high). Halve the step and start the mixing afresh.
                acc.set_damping(0.5 * acc.damping());
                since_best = 0;
                best = res;
            }
        }
        residual = res;
        good.0.copy_from_slice(&x);
        good.1.copy_from_slice(&f);
        good.2.copy_from_slice(&ws.ln_p);
        good.3.copy_from_slice(&ws.x);
        have_good = true;
        step_scale = (2.0 * step_scale).min(1.0);
        acc.step(&mut x, &f);
        // Trust region: no wage moves by more than a factor e^0.5 in one step.
        let longest = x.iter().zip(&good.0).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        if longest > 0.5 {
            let shrink = 0.5 / longest;
            for (xk, gk) in x.iter_mut().zip(&good.0) {
                *xk = gk + shrink * (*xk - gk);
            }
        }
    }

    // The solution: the last wage update, with every inner loop solved tight.
    let mut check = vec![0.0; n];
    ws.ln_w.copy_from_slice(&g);
    let (dp, dx) = ws.wage_map(world, floor, &mut check).map_err(|e| match e {
        MapError::Hard(e) => e,
        MapError::Failed(why) => give_up(iterations, residual, format!(", the final evaluation failed: {why}")),
    })?;
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
            for e in 0..n {
                shares[(s * n + m) * n + e] = b.share(m, e);
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

#[cfg(test)]
mod tests {
    use super::super::results::counterfactual;
    use super::super::test_worlds::{world, Lcg};
    use super::super::world::{CpAccounts, CpWorldOptions};
    use super::*;
    use proptest::prelude::*;

    fn shocked(w: &CpWorld, seed: u64) -> TariffCube {
        let mut g = Lcg(seed);
        let mut cube = w.tariffs();
        let n = w.regions_len();
        for s in 0..w.sectors_len() {
            for m in 0..n {
                for e in 0..n {
                    if m != e {
                        let t = cube.get(m, e, s).expect("cell");
                        cube.set(m, e, s, (t + 0.3 * (g.next() - 0.4)).max(0.0)).expect("cell");
                    }
                }
            }
        }
        cube
    }

    /// Every equation of the system, recomputed from the solution's own numbers.
    #[allow(clippy::needless_range_loop)]
    fn assert_equations_hold(w: &CpWorld, tariffs: &TariffCube, eq: &CpEquilibrium, deficits: Deficits) {
        let (n, j) = (w.n, w.j);
        let tol = 1e-9;
        let w_hat: Vec<f64> = eq.ln_wage.iter().map(|x| x.exp()).collect();
        let wage_bill: f64 = w_hat.iter().zip(&w.labour_income).map(|(a, b)| a * b).sum();
        assert!((wage_bill / w.labour_income.iter().sum::<f64>() - 1.0).abs() < tol, "numéraire");
        let d: Vec<f64> = if deficits == Deficits::Held { w.deficits.clone() } else { vec![0.0; n] };
        let mut y = vec![0.0; j * n];
        let mut revenue = vec![0.0; n];
        for s in 0..j {
            for m in 0..n {
                let lc = w.va_share[m * j + s] * eq.ln_wage[m]
                    + (0..j).map(|k| w.io[(m * j + s) * j + k] * eq.ln_price[k * n + m]).sum::<f64>();
                assert!((lc - eq.ln_cost[s * n + m]).abs() < tol, "cost of S{s} in C{m}");
                let th = w.theta[s];
                let mut p = 0.0;
                let mut share_sum = 0.0;
                for e in 0..n {
                    let k = (s * n + m) * n + e;
                    let kappa = (1.0 + tariffs.values[k]) / (1.0 + w.tariffs[k]);
                    let term = w.shares[k] * (kappa * eq.ln_cost[s * n + e].exp()).powf(-th);
                    p += term;
                    let pi = term / (-th * eq.ln_price[s * n + m]).exp();
                    assert!((pi - eq.shares[k]).abs() < tol, "share of C{e} in C{m} S{s}");
                    share_sum += eq.shares[k];
                    let flow = eq.expenditure[s * n + m] * eq.shares[k] / (1.0 + tariffs.values[k]);
                    y[s * n + e] += flow;
                    revenue[m] += tariffs.values[k] * flow;
                }
                assert!((-p.ln() / th - eq.ln_price[s * n + m]).abs() < tol, "price of S{s} in C{m}");
                assert!((share_sum - 1.0).abs() < tol);
            }
        }
        for m in 0..n {
            let income = w_hat[m] * w.labour_income[m] + revenue[m] + d[m];
            assert!((income / eq.income[m] - 1.0).abs() < tol, "income of C{m}");
            let labour: f64 = (0..j).map(|s| w.va_share[m * j + s] * y[s * n + m]).sum();
            assert!((labour / (w_hat[m] * w.labour_income[m]) - 1.0).abs() < tol, "labour market of C{m}");
            for s in 0..j {
                let x = (0..j).map(|k| w.io[(m * j + k) * j + s] * y[k * n + m]).sum::<f64>()
                    + w.final_share[m * j + s] * income;
                assert!((x / eq.expenditure[s * n + m] - 1.0).abs() < tol, "spending on S{s} in C{m}");
            }
        }
    }

    #[test]
    fn the_solution_satisfies_every_equation() {
        for (n, j, seed) in [(4, 5, 1), (3, 7, 2), (6, 3, 3)] {
            let w = world(n, j, seed);
            let cube = shocked(&w, seed);
            for deficits in [Deficits::Held, Deficits::Zero] {
                let eq = solve(&w, &cube, deficits, &CpSolverOptions::default(), None).expect("solves");
                assert_equations_hold(&w, &cube, &eq, deficits);
                assert!(eq.convergence.equation_residual < 1e-10, "{:?}", eq.convergence);
            }
        }
    }

    #[test]
    fn a_world_in_equilibrium_is_its_own_baseline() {
        let w = world(4, 5, 9);
        let (n, j) = (4, 5);
        let eq = solve(&w, &w.tariffs(), Deficits::Held, &CpSolverOptions::default(), None).expect("solves");
        let mut a = CpAccounts {
            regions: w.regions.clone(),
            sectors: w.sectors.clone(),
            trade: vec![0.0; j * n * n],
            tariffs: w.tariffs.clone(),
            intermediate: vec![0.0; n * j * j],
            value_added: vec![0.0; n * j],
            final_demand: vec![0.0; n * j],
            deficits: w.deficits.clone(),
            theta: w.theta.clone(),
        };
        for s in 0..j {
            for m in 0..n {
                for e in 0..n {
                    a.trade[(s * n + m) * n + e] = eq.trade(m, e, s);
                }
                let out = eq.output[s * n + m];
                a.value_added[m * j + s] = w.va_share[m * j + s] * out;
                for k in 0..j {
                    a.intermediate[(m * j + s) * j + k] = w.io[(m * j + s) * j + k] * out;
                }
                a.final_demand[m * j + s] = w.final_share[m * j + s] * eq.income[m];
            }
        }
        let w2 = CpWorld::from_accounts(a, CpWorldOptions::default()).expect("valid");
        let eq2 = solve(&w2, &w2.tariffs(), Deficits::Held, &CpSolverOptions::default(), None).expect("solves");
        for x in eq2.ln_wage.iter().chain(&eq2.ln_price).chain(&eq2.ln_cost) {
            assert!(x.abs() < 1e-10, "{x}");
        }
        assert!(eq2.convergence.wage_iterations <= 2, "{:?}", eq2.convergence);
    }

    #[test]
    fn a_tariff_cuts_imports_and_raises_revenue() {
        let w = world(3, 3, 4);
        let mut cube = w.tariffs();
        cube.add(0, 1, 0, 0.25).expect("cell");
        let r = counterfactual(&w, &cube, Deficits::Held, &CpSolverOptions::default()).expect("solves");
        assert!(r.imports_change_pct(0, &[1], Some(&[0])) < 0.0);
        assert!(r.imports_change_pct(0, &[2], Some(&[0])) > 0.0, "diversion to the third region");
        assert!(r.revenue_counterfactual[0] > r.revenue_baseline[0]);
        let (tot, vot) = r.decomposition_by_sector(0, None);
        assert!((tot.iter().sum::<f64>() + vot.iter().sum::<f64>() - r.welfare_pct[0]).abs() < 1e-12);
    }

    /// A world where the plain wage update overshoots (high θ and import shares): the step is shortened until
    /// the iteration settles, and both step lengths reach the same solution.
    #[test]
    fn an_overshooting_wage_update_is_damped() {
        let w = world(4, 2, 1_237_398_827_689_205_808);
        let plain = CpSolverOptions { acceleration_memory: 0, ..CpSolverOptions::default() };
        let a = solve(&w, &w.tariffs(), Deficits::Held, &plain, None).expect("solves");
        let short = CpSolverOptions { damping: 0.2, ..CpSolverOptions::default() };
        let b = solve(&w, &w.tariffs(), Deficits::Held, &short, None).expect("solves");
        for (x, y) in a.ln_wage.iter().zip(&b.ln_wage) {
            assert!((x - y).abs() < 1e-11, "{x} vs {y}");
        }
        assert_equations_hold(&w, &w.tariffs(), &a, Deficits::Held);
    }

    #[test]
    fn threads_do_not_change_the_answer() {
        let w = world(5, 6, 5);
        let cube = shocked(&w, 5);
        let a = solve(&w, &cube, Deficits::Held, &CpSolverOptions::default(), None).expect("solves");
        let options = CpSolverOptions { parallel: false, ..CpSolverOptions::default() };
        let b = solve(&w, &cube, Deficits::Held, &options, None).expect("solves");
        for (x, y) in a.ln_wage.iter().zip(&b.ln_wage) {
            assert!((x - y).abs() < 1e-13);
        }
    }

    #[test]
    fn deficit_rules_differ_and_zero_means_zero() {
        let w = world(3, 3, 6);
        let held = solve(&w, &w.tariffs(), Deficits::Held, &CpSolverOptions::default(), None).expect("solves");
        let zero = solve(&w, &w.tariffs(), Deficits::Zero, &CpSolverOptions::default(), None).expect("solves");
        assert!(zero.deficits.iter().all(|d| *d == 0.0));
        assert!((held.ln_wage[0] - zero.ln_wage[0]).abs() > 1e-6);
    }

    #[test]
    fn non_convergence_and_bad_options_are_errors() {
        let w = world(3, 3, 2);
        let cube = shocked(&w, 2);
        let options = CpSolverOptions { max_iterations: 2, ..CpSolverOptions::default() };
        let e = solve(&w, &cube, Deficits::Held, &options, None).expect_err("stops");
        assert!(matches!(e, ModelError::NonConvergence { solver: "Caliendo-Parro wages (outer loop)", .. }), "{e}");
        let options = CpSolverOptions { max_inner_iterations: 1, ..CpSolverOptions::default() };
        let e = solve(&w, &cube, Deficits::Held, &options, None).expect_err("stops");
        assert!(e.to_string().contains("inner loop"), "{e}");
        let options = CpSolverOptions { damping: 0.0, ..CpSolverOptions::default() };
        assert!(solve(&w, &cube, Deficits::Held, &options, None).is_err());
    }

    #[test]
    fn a_cube_of_another_world_is_refused() {
        let w = world(3, 3, 2);
        let cube = TariffCube::from_values(2, 3, vec![0.0; 12]).expect("cube");
        let e = solve(&w, &cube, Deficits::Held, &CpSolverOptions::default(), None).expect_err("refused");
        assert!(matches!(e, ModelError::DimensionMismatch { .. }), "{e}");
        assert!(e.to_string().contains("the cube is 3 × 2 × 2"), "{e}");
        let mut cube = w.tariffs();
        let e = cube.set_by_name(&w, "C0", "C1", "Spice", 0.1).expect_err("unknown");
        assert!(e.to_string().contains("unknown sector \"Spice\""), "{e}");
        assert!(TariffCube::from_values(3, 3, vec![0.0; 5]).is_err());
        cube.set(0, 1, 0, f64::NAN).expect("cell");
        let e = solve(&w, &cube, Deficits::Held, &CpSolverOptions::default(), None).expect_err("refused");
        assert!(e.to_string().contains("tariff of C0 on S0 from C1 is NaN"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// The world's own tariffs change nothing, whatever the world.
        #[test]
        fn no_change_changes_nothing(n in 2usize..6, j in 2usize..6, seed in any::<u64>()) {
            let w = world(n, j, seed);
            let r = counterfactual(&w, &w.tariffs(), Deficits::Held, &CpSolverOptions::default()).expect("solves");
            for x in r.welfare_pct.iter().chain(&r.real_wage_pct).chain(&r.price_pct).chain(&r.cost_pct) {
                prop_assert!(x.abs() < 1e-8, "{}", x);
            }
        }

        /// Every random shock of every random world solves, and its solution satisfies the equations.
        #[test]
        fn random_shocks_solve(n in 2usize..5, j in 2usize..5, seed in any::<u64>()) {
            let w = world(n, j, seed);
            let cube = shocked(&w, seed ^ 1);
            let eq = solve(&w, &cube, Deficits::Held, &CpSolverOptions::default(), None).expect("solves");
            assert_equations_hold(&w, &cube, &eq, Deficits::Held);
        }
    }
}
