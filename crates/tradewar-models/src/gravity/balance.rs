//! The multilateral-resistance system as a bi-proportional (matrix-balancing) problem.
//!
//! Both resistance systems of this module reduce to: given a non-negative kernel `K` (`N × N`, exporter rows) and
//! positive targets `r` (rows) and `c` (columns) with `Σ r = Σ c`, find positive `a`, `b` with
//!
//! ```text
//! a_i · Σ_j K_ij b_j = r_i   (outward resistance equations, one per exporter)
//! b_j · Σ_i K_ij a_i = c_j   (inward resistance equations, one per importer)
//! ```
//!
//! and `b_ref` fixed (the reference importer). The update `b ↦ c / Kᵀ(r / K b)`, rescaled so that `b_ref` keeps its
//! value, alternates the two resistance vectors exactly (Sinkhorn's iteration); it is a contraction in the Hilbert
//! metric and is accelerated here by [`fixed_point::solve`]. Because `Σ r = Σ c`, the reference importer's own
//! equation holds at the fixed point, so fixing `b_ref` loses nothing.

use super::fixed_point::{self, Failure};
use super::{equation_slack, invalid, name_of, SolverOptions};
use crate::{ModelError, Result};

/// A solved balancing problem.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Balanced {
    /// Row multipliers (one per exporter).
    pub a: Vec<f64>,
    /// Column multipliers (one per importer).
    pub b: Vec<f64>,
    /// Map evaluations.
    pub iterations: usize,
    /// Largest relative violation of the column equations (the row equations hold exactly).
    pub residual: f64,
}

/// The problem statement of [`balance`].
pub(super) struct Problem<'a> {
    /// The kernel, row-major `N × N`.
    pub kernel: &'a [f64],
    /// Row targets `r`.
    pub rows: &'a [f64],
    /// Column targets `c`.
    pub cols: &'a [f64],
    /// The column whose multiplier is fixed.
    pub reference: usize,
    /// The fixed value of `b_ref`.
    pub reference_value: f64,
    /// Country codes, for error messages.
    pub countries: &'a [String],
    /// Solver name reported in errors.
    pub solver: &'static str,
}

/// Solves the balancing problem, starting from `start` (column multipliers) when given.
pub(super) fn balance(p: &Problem<'_>, start: Option<&[f64]>, options: &SolverOptions) -> Result<Balanced> {
    let n = p.rows.len();
    check_support(p)?;
    let kernel = p.kernel;
    let mut kb = vec![0.0; n];
    let mut a = vec![0.0; n];
    let mut kta = vec![0.0; n];
    let mut bx = vec![0.0; n];
    let log_ref = p.reference_value.ln();
    let mut x: Vec<f64> = match start {
        Some(b) if b.len() == n && b.iter().all(|v| v.is_finite() && *v > 0.0) => {
            let shift = log_ref - b[p.reference].ln();
            b.iter().map(|v| v.ln() + shift).collect()
        }
        _ => vec![log_ref; n],
    };
    let map = |x: &[f64], out: &mut [f64]| -> std::result::Result<(), usize> {
        for (bj, xj) in bx.iter_mut().zip(x) {
            *bj = xj.exp();
        }
        for (kbi, row) in kb.iter_mut().zip(kernel.chunks_exact(n)) {
            *kbi = dot(row, &bx);
        }
        kta.fill(0.0);
        for (i, row) in kernel.chunks_exact(n).enumerate() {
            if kb[i] <= 0.0 || !kb[i].is_finite() {
                return Err(i);
            }
            a[i] = p.rows[i] / kb[i];
            let ai = a[i];
            for (t, k) in kta.iter_mut().zip(row) {
                *t += ai * k;
            }
        }
        for (j, o) in out.iter_mut().enumerate() {
            if kta[j] <= 0.0 || !kta[j].is_finite() {
                return Err(j);
            }
            *o = (p.cols[j] / kta[j]).ln();
        }
        let shift = log_ref - out[p.reference];
        for o in out.iter_mut() {
            *o += shift;
        }
        Ok(())
    };
    let outcome = fixed_point::solve(&mut x, options, map).map_err(|failure| non_convergence(p, failure, options))?;

    let b: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let mut a = vec![0.0; n];
    let mut col = vec![0.0; n];
    for (i, row) in kernel.chunks_exact(n).enumerate() {
        let s = dot(row, &b);
        a[i] = p.rows[i] / s;
        for (t, k) in col.iter_mut().zip(row) {
            *t += a[i] * k;
        }
    }
    let (residual, worst) = col
        .iter()
        .zip(&b)
        .zip(p.cols)
        .map(|((s, bj), cj)| (bj * s / cj - 1.0).abs())
        .enumerate()
        .fold((0.0, 0), |acc, (j, r)| if r > acc.0 || r.is_nan() { (r, j) } else { acc });
    if !(residual.is_finite() && a.iter().all(|v| v.is_finite() && *v > 0.0)) {
        return Err(non_convergence(p, Failure::MapFailed { index: worst, iterations: outcome.iterations }, options));
    }
    if residual > equation_slack(options.tolerance, 1.0, n) {
        return Err(ModelError::NonConvergence {
            solver: p.solver,
            iterations: outcome.iterations,
            residual,
            tolerance: options.tolerance,
            detail: format!(
                ", the iteration settled where the inward-resistance equation of {} (index {worst}) fails: \
                 no equilibrium with these routes and targets",
                name_of(p.countries, worst)
            ),
        });
    }
    Ok(Balanced { a, b, iterations: outcome.iterations, residual })
}

/// Every exporter needs a market and every importer a supplier, or the resistances are infinite.
fn check_support(p: &Problem<'_>) -> Result<()> {
    let n = p.rows.len();
    let mut col_has = vec![false; n];
    for (i, row) in p.kernel.chunks_exact(n).enumerate() {
        if !row.iter().any(|&k| k > 0.0) {
            return Err(invalid(
                format!("trade costs of exporter {}", name_of(p.countries, i)),
                "every destination, its own market included, is closed (zero or prohibitive trade-cost terms)",
            ));
        }
        for (h, &k) in col_has.iter_mut().zip(row) {
            *h |= k > 0.0;
        }
    }
    if let Some(j) = col_has.iter().position(|h| !h) {
        return Err(invalid(
            format!("trade costs of importer {}", name_of(p.countries, j)),
            "every source, itself included, is closed (zero or prohibitive trade-cost terms)",
        ));
    }
    Ok(())
}

fn non_convergence(p: &Problem<'_>, failure: Failure, options: &SolverOptions) -> ModelError {
    match failure {
        Failure::NotConverged(o) => ModelError::NonConvergence {
            solver: p.solver,
            iterations: o.iterations,
            residual: o.residual,
            tolerance: options.tolerance,
            detail: format!(
                ", largest change in the inward resistance of importer {} (index {})",
                name_of(p.countries, o.worst),
                o.worst
            ),
        },
        Failure::MapFailed { index, iterations } => ModelError::NonConvergence {
            solver: p.solver,
            iterations,
            residual: f64::INFINITY,
            tolerance: options.tolerance,
            detail: format!(
                ", a resistance of {} (index {index}) became zero or infinite: the pattern of open trade routes \
                 admits no equilibrium",
                name_of(p.countries, index)
            ),
        },
    }
}

/// The dot product, written so that the compiler vectorises it (four independent partial sums).
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
