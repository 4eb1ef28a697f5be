//! Which observations cannot inform the estimates and are left out before IRLS: singletons of a fixed effect, and
//! separated observations (Correia, Guimarães & Zylkin 2021, "Verifying the existence of maximum likelihood
//! estimates for generalized linear models").
//!
//! An observation with `y = 0` is *separated* when some linear combination `z = Xγ + Dα` of the regressors and
//! fixed-effect dummies is zero wherever `y > 0`, non-negative wherever `y = 0` and positive on it: the likelihood
//! then keeps rising as the combination is pushed to −∞ there, so the MLE does not exist until it is dropped.
//! Dropping every separated observation leaves the estimates of everything else unchanged. Three checks:
//!
//! * **fixed effects** (`fe`): a level of a fixed effect whose outcome is zero on every one of its rows;
//! * **simplex**: the linear programme that finds the largest set of such observations exactly, on the dense
//!   design (constant or fixed-effect dummies, and the regressors); only for designs small enough for a dense
//!   tableau ([`SIMPLEX_LIMIT`]);
//! * **ReLU** (the iterative rectifier): least squares of `u` on the design with a large weight on the `y > 0` rows
//!   (so that the fit is zero there), then `u ← max(fit, 0)` on the `y = 0` rows, until the fit is non-negative;
//!   the fit is then a certificate `z` and the rows where it is positive are separated. It scales like the
//!   estimation itself, since the fixed effects are partialled out as in IRLS.

use super::demean::Projector;
use super::design::{Factor, SampleEffects};
use super::linalg::{cross, gram, null_space, simplex_max, OrderedCholesky};
use crate::{ModelError, Result};

/// The largest designs the dense simplex check takes: parameters (constant, regressors and fixed-effect levels),
/// rows, and rows with a zero outcome.
pub const SIMPLEX_LIMIT: (usize, usize, usize) = (400, 4_000, 600);

/// Drops, repeatedly, the rows that are alone in a level of some fixed effect (their fixed effect fits them
/// exactly, so they carry no information on the other parameters). Returns the rows dropped.
pub(crate) fn drop_singletons(fixed_effects: &[Factor], active: &mut [bool]) -> Vec<usize> {
    let mut dropped = Vec::new();
    if fixed_effects.is_empty() {
        return dropped;
    }
    loop {
        let mut changed = false;
        for f in fixed_effects {
            let mut count = vec![0u32; f.levels()];
            for (c, _) in f.codes().iter().zip(active.iter()).filter(|(_, &a)| a) {
                count[*c as usize] += 1;
            }
            for (row, c) in f.codes().iter().enumerate() {
                if active[row] && count[*c as usize] == 1 {
                    active[row] = false;
                    dropped.push(row);
                    changed = true;
                }
            }
        }
        if !changed {
            return dropped;
        }
    }
}

/// Drops the rows of every fixed-effect level whose outcome is zero on all of its active rows. Returns the rows
/// dropped.
pub(crate) fn fe_separation(y: &[f64], fixed_effects: &[Factor], active: &mut [bool]) -> Vec<usize> {
    let mut dropped = Vec::new();
    for f in fixed_effects {
        let mut positive = vec![false; f.levels()];
        for ((c, &a), &v) in f.codes().iter().zip(active.iter()).zip(y) {
            if a && v > 0.0 {
                positive[*c as usize] = true;
            }
        }
        for (row, c) in f.codes().iter().enumerate() {
            if active[row] && !positive[*c as usize] {
                active[row] = false;
                dropped.push(row);
            }
        }
    }
    dropped
}

/// The separated observations found by the exact linear programme on the dense design, as positions in
/// `rows`; `None` when the design is larger than [`SIMPLEX_LIMIT`].
///
/// With `A` the design (constant or dummies, then regressors) the programme is: maximise `Σ_b t_b` over the
/// zero-outcome rows `b`, subject to `A_I θ = 0` on the positive rows, `A_b θ ≥ t_b`, `0 ≤ t_b ≤ 1`. The equality is
/// removed by writing `θ = Nδ` with `N` a basis of the null space of `A_I`.
pub(crate) fn simplex_separation(
    y: &[f64],
    regressors: &[Vec<f64>],
    intercept: bool,
    fe: &SampleEffects,
) -> Option<Vec<usize>> {
    let n = y.len();
    let p = usize::from(intercept) + regressors.len() + fe.total_levels();
    let zeros: Vec<usize> = (0..n).filter(|&i| y[i] == 0.0).collect();
    if zeros.is_empty() || p == 0 {
        return Some(Vec::new());
    }
    if p > SIMPLEX_LIMIT.0 || n > SIMPLEX_LIMIT.1 || zeros.len() > SIMPLEX_LIMIT.2 {
        return None;
    }
    let row_of = |i: usize| -> Vec<f64> {
        let mut r = vec![0.0; p];
        let mut k = 0;
        if intercept {
            r[0] = 1.0;
            k = 1;
        }
        for (j, x) in regressors.iter().enumerate() {
            r[k + j] = x[i];
        }
        k += regressors.len();
        for (d, codes) in fe.codes.iter().enumerate() {
            r[k + fe.starts[d] + codes[i] as usize] = 1.0;
        }
        r
    };
    let positive: Vec<usize> = (0..n).filter(|&i| y[i] > 0.0).collect();
    let a_pos: Vec<f64> = positive.iter().flat_map(|&i| row_of(i)).collect();
    let basis = if positive.is_empty() {
        (0..p)
            .map(|j| {
                let mut v = vec![0.0; p];
                v[j] = 1.0;
                v
            })
            .collect()
    } else {
        null_space(&a_pos, positive.len(), p, 1e-9)
    };
    let r = basis.len();
    if r == 0 {
        return Some(Vec::new());
    }
    // M = A_B N, rows scaled to a largest entry of 1 (the programme is invariant to positive row scaling).
    let nb = zeros.len();
    let mut m = vec![0.0; nb * r];
    for (bi, &i) in zeros.iter().enumerate() {
        let row = row_of(i);
        for (c, v) in basis.iter().enumerate() {
            m[bi * r + c] = row.iter().zip(v).map(|(a, b)| a * b).sum();
        }
        let scale = m[bi * r..(bi + 1) * r].iter().fold(0.0_f64, |s, v| s.max(v.abs()));
        if scale > 1e-9 {
            for v in &mut m[bi * r..(bi + 1) * r] {
                *v /= scale;
            }
        } else {
            m[bi * r..(bi + 1) * r].fill(0.0);
        }
    }
    // Variables [δ⁺ (r), δ⁻ (r), t (nb)]; constraints −Mδ + t ≤ 0 and t ≤ 1.
    let cols = 2 * r + nb;
    let rows = 2 * nb;
    let mut a = vec![0.0; rows * cols];
    let mut b = vec![0.0; rows];
    for bi in 0..nb {
        for c in 0..r {
            a[bi * cols + c] = -m[bi * r + c];
            a[bi * cols + r + c] = m[bi * r + c];
        }
        a[bi * cols + 2 * r + bi] = 1.0;
        a[(nb + bi) * cols + 2 * r + bi] = 1.0;
        b[nb + bi] = 1.0;
    }
    let mut c = vec![0.0; cols];
    for v in &mut c[2 * r..] {
        *v = 1.0;
    }
    let x = simplex_max(&a, &b, &c, rows, cols, 50_000)?;
    let t = &x[2 * r..];
    Some(zeros.iter().zip(t).filter(|(_, &tb)| tb > 1e-7).map(|(&i, _)| i).collect())
}

/// Settings of the ReLU check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReluSettings {
    /// Entries of the fit below this fraction of its largest entry count as zero.
    pub tolerance: f64,
    /// Most rectifier iterations.
    pub max_iterations: usize,
    /// Tolerance of the partialling out of fixed effects.
    pub inner_tolerance: f64,
    /// Most iterations of each partialling out.
    pub max_inner_iterations: usize,
}

/// The weight of a positive-outcome row relative to a zero-outcome row in the rectifier's least squares: large, so
/// that the fit is zero on those rows to about its inverse (checked against a hundredth of the fit's largest
/// entry: far below the entries that decide, far above what this weight leaves); not larger, as it conditions the
/// least squares.
const POSITIVE_WEIGHT: f64 = 1e6;

/// The separated observations found by the iterative rectifier, as positions in the sample (whose regressors are
/// `regressors`, constant included when `intercept`, and fixed effects `fe`).
pub(crate) fn relu_separation(
    y: &[f64],
    regressors: &[Vec<f64>],
    intercept: bool,
    fe: &SampleEffects,
    settings: &ReluSettings,
) -> Result<Vec<usize>> {
    let n = y.len();
    if !y.contains(&0.0) {
        return Ok(Vec::new());
    }
    let weights: Vec<f64> = y.iter().map(|&v| if v > 0.0 { POSITIVE_WEIGHT } else { 1.0 }).collect();
    let projector = Projector::new(fe, &weights);
    let mut columns: Vec<Vec<f64>> = Vec::new();
    if intercept {
        columns.push(vec![1.0; n]);
    }
    columns.extend(regressors.iter().cloned());
    // Collinearity is judged against each column's unweighted size: under the large weights a column that is
    // collinear on the positive rows only keeps a small residual, which is exactly the direction that separates.
    let scale: Vec<f64> = columns.iter().map(|c| c.iter().map(|x| x * x).sum()).collect();
    let mut column_alphas = vec![vec![0.0; projector.coefficients()]; columns.len()];
    for (col, alpha) in columns.iter_mut().zip(&mut column_alphas) {
        projector
            .residualize(col, alpha, settings.inner_tolerance, settings.max_inner_iterations)
            .map_err(|e| relu_failure("partialling out the fixed effects of a regressor", e.iterations, e.residual))?;
    }
    let chol = OrderedCholesky::new(&gram(&columns, &weights), columns.len(), &scale, 1e-7);
    let kept: Vec<Vec<f64>> = chol.kept.iter().map(|&j| columns[j].clone()).collect();
    let kept_alphas: Vec<&Vec<f64>> = chol.kept.iter().map(|&j| &column_alphas[j]).collect();
    // u starts at 1 on the zero rows. For any certificate c ≥ 0, <u, c> never falls (P is symmetric and
    // max(v, 0) ≥ v), so u cannot vanish when a certificate exists; when none does, u decays to zero.
    let mut u: Vec<f64> = y.iter().map(|&v| if v > 0.0 { 0.0 } else { 1.0 }).collect();
    let mut alpha = vec![0.0; projector.coefficients()];
    let gap = settings.tolerance.sqrt();
    // The fit of u on the design, to a precision relative to u itself; returns it with the regressors' coefficients.
    let fit_of = |u: &[f64], alpha: &mut Vec<f64>, tolerance: f64, iteration: usize| -> Result<(Vec<f64>, Vec<f64>)> {
        let mut resid = u.to_vec();
        let u_norm = u.iter().zip(&weights).map(|(v, w)| w * v * v).sum::<f64>().sqrt();
        projector
            .residualize_within(&mut resid, alpha, tolerance, settings.max_inner_iterations, u_norm)
            .map_err(|e| relu_failure("partialling out the fixed effects", e.iterations, e.residual))?;
        let gamma = if kept.is_empty() { Vec::new() } else { chol.solve(&cross(&kept, &weights, &resid)) };
        for (col, g) in kept.iter().zip(&gamma) {
            for (r, x) in resid.iter_mut().zip(col) {
                *r -= g * x;
            }
        }
        let fit: Vec<f64> = u.iter().zip(&resid).map(|(a, b)| a - b).collect();
        if fit.iter().any(|f| !f.is_finite()) {
            return Err(relu_failure("the rectifier's fit", iteration, f64::INFINITY));
        }
        Ok((fit, gamma))
    };
    // What a fit decides: no separation, these rows separated, or neither yet.
    let decide = |fit: &[f64]| -> Option<Vec<usize>> {
        let largest = (0..n).filter(|&i| y[i] == 0.0).map(|i| fit[i]).fold(0.0_f64, f64::max);
        // No certificate can exist once the rectified fit sums to less than 1: a certificate c (largest entry 1)
        // has <u₀, c> = Σ c ≥ 1, <u, c> never falls, and <u, c> ≤ Σ u. (Half, for the projection's inexactness;
        // this ends the check much sooner than waiting for every entry to vanish when the zero rows are many.)
        let mass: f64 = (0..n).filter(|&i| y[i] == 0.0).map(|i| fit[i].max(0.0)).sum();
        if largest <= settings.tolerance || mass < 0.5 {
            return Some(Vec::new());
        }
        // Converged: non-negative on the zero rows, zero on the positive rows, and every entry either negligible
        // or clearly positive (an entry in between is still decaying towards zero).
        let cut = settings.tolerance * largest;
        let settled = (0..n).all(|i| {
            let f = fit[i];
            if y[i] > 0.0 {
                f.abs() <= 1e-2 * largest
            } else {
                f >= -cut && (f <= cut || f > gap * largest)
            }
        });
        settled.then(|| (0..n).filter(|&i| y[i] == 0.0 && fit[i] > gap * largest).collect())
    };
    // Iterations run at a loose precision; a decision is confirmed at the full one before it is returned.
    let loose = settings.inner_tolerance.max(RELU_LOOSE_TOLERANCE);
    let mut precise = loose <= settings.inner_tolerance;
    for iteration in 1..=settings.max_iterations {
        let tolerance = if precise { settings.inner_tolerance } else { loose };
        let (mut fit, mut gamma) = fit_of(&u, &mut alpha, tolerance, iteration)?;
        let mut decision = decide(&fit);
        if decision.is_some() && !precise {
            precise = true;
            (fit, gamma) = fit_of(&u, &mut alpha, settings.inner_tolerance, iteration)?;
            decision = decide(&fit);
        }
        if let Some(rows) = decision {
            return Ok(rows);
        }
        for i in 0..n {
            u[i] = if y[i] == 0.0 { fit[i].max(0.0) } else { 0.0 };
        }
        // The fit's own fixed effects (α_u − Σ γ α_x) warm-start the next solve: the next u is mostly this fit,
        // whose projection is itself.
        for (g, ax) in gamma.iter().zip(&kept_alphas) {
            for (a, v) in alpha.iter_mut().zip(ax.iter()) {
                *a -= g * v;
            }
        }
    }
    Err(relu_failure("the rectifier", settings.max_iterations, f64::NAN))
}

/// The precision of the rectifier's iterations before a decision (relative to the size of `u`).
const RELU_LOOSE_TOLERANCE: f64 = 1e-6;

fn relu_failure(what: &str, iterations: usize, residual: f64) -> ModelError {
    ModelError::NonConvergence {
        solver: "PPML separation check (ReLU)",
        iterations,
        residual,
        tolerance: 0.0,
        detail: format!(
            ", while {what}: the separation check did not settle; raise its iteration cap, or turn the ReLU check \
             off if the design is known to have no separated observations"
        ),
    }
}
