//! The fixed-point driver shared by the gravity solvers: `x = G(x)` in log variables, with Anderson
//! acceleration (type II, Walker & Ni 2011) and a restart safeguard.

use std::collections::VecDeque;

use super::SolverOptions;

/// How a converged fixed point was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Outcome {
    /// Evaluations of the map.
    pub iterations: usize,
    /// `max |G(x) − x|` at the last iterate.
    pub residual: f64,
    /// The unknown with the largest residual.
    pub worst: usize,
}

/// Why no fixed point was returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Failure {
    /// The iteration cap was hit; the outcome describes the last iterate.
    NotConverged(Outcome),
    /// The map could not be evaluated even at a plain (unaccelerated) iterate; `index` is the unknown the map
    /// blamed, `iterations` the evaluations done.
    MapFailed { index: usize, iterations: usize },
}

/// Largest relative residual growth an accelerated step may cause before the history is discarded.
const RESTART_GROWTH: f64 = 4.0;
/// Accelerated steps allowed without a new best residual before the history is discarded (plus the memory).
const STALL_STEPS: usize = 5;
/// Restarts after which acceleration is switched off for the rest of the solve (the plain map is a contraction
/// for the problems solved here; Anderson mixing is not guaranteed to be).
const MAX_RESTARTS: usize = 50;
/// Longest accelerated step, in log units (a factor e² ≈ 7.4 on any unknown).
const MAX_STEP: f64 = 2.0;
/// Shortest plain step tried before declaring the map unevaluable.
const MIN_DAMPING: f64 = 1.0 / 64.0;
/// Columns of the difference matrix whose orthogonal part is below this fraction of their norm are dropped.
const DROP_RATIO: f64 = 1e-9;

/// Iterates `x = G(x)` until `max |G(x) − x| ≤ options.tolerance`.
///
/// `map(x, out)` writes `G(x)` into `out`, or returns `Err(index)` when `G` cannot be evaluated at `x`.
/// On success `x` holds `G` of the last iterate, the best available point.
pub(super) fn solve(
    x: &mut [f64],
    options: &SolverOptions,
    mut map: impl FnMut(&[f64], &mut [f64]) -> Result<(), usize>,
) -> Result<Outcome, Failure> {
    let n = x.len();
    // Iterates of the gravity maps keep one normalisation, so their differences span at most n − 1 dimensions:
    // more columns than that only make the least-squares problem singular.
    let mut memory = options.acceleration_memory.min(n.saturating_sub(1)).min(32);
    let mut g = vec![0.0; n];
    let mut f = vec![0.0; n];
    map(x, &mut g).map_err(|index| Failure::MapFailed { index, iterations: 1 })?;
    let mut iterations = 1;
    let (mut residual, mut worst) =
        difference(&g, x, &mut f).map_err(|index| Failure::MapFailed { index, iterations })?;
    if residual <= options.tolerance {
        x.copy_from_slice(&g);
        return Ok(Outcome { iterations, residual, worst });
    }

    let mut history: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::with_capacity(memory);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut f_new = vec![0.0; n];
    let mut gamma = Vec::with_capacity(memory);
    let mut scratch = Scratch::default();
    let mut best = residual;
    let mut since_best = 0_usize;
    let mut restarts = 0_usize;
    // Step length of plain steps, halved when the map cannot be evaluated at the full step.
    let mut damping = 1.0_f64;

    while iterations < options.max_iterations {
        let accelerated = !history.is_empty();
        if accelerated || damping == 1.0 {
            x_new.copy_from_slice(&g);
        } else {
            for ((xn, xk), fk) in x_new.iter_mut().zip(x.iter()).zip(&f) {
                *xn = xk + damping * fk;
            }
        }
        if accelerated {
            least_squares(&history, &f, &mut gamma, &mut scratch);
            for ((dx, df), &gk) in history.iter().zip(&gamma) {
                if gk != 0.0 {
                    for ((xn, a), b) in x_new.iter_mut().zip(dx).zip(df) {
                        *xn -= gk * (a + b);
                    }
                }
            }
            // Trust region: a near-singular least-squares problem can extrapolate absurdly far.
            let step = x_new.iter().zip(x.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            if step > MAX_STEP {
                let scale = MAX_STEP / step;
                for (xn, xk) in x_new.iter_mut().zip(x.iter()) {
                    *xn = xk + scale * (*xn - xk);
                }
            }
        }
        iterations += 1;
        let evaluated = match map(&x_new, &mut g_new) {
            Ok(()) => difference(&g_new, &x_new, &mut f_new),
            Err(index) => Err(index),
        };
        let (res_new, worst_new) = match evaluated {
            Ok(r) if !accelerated || r.0 <= RESTART_GROWTH * residual => r,
            Ok(_) | Err(_) if accelerated => {
                // The accelerated step failed or made things worse: forget the history, take a plain step.
                history.clear();
                restarts += 1;
                if restarts >= MAX_RESTARTS {
                    memory = 0;
                }
                continue;
            }
            Ok(r) => {
                damping = (2.0 * damping).min(1.0);
                r
            }
            Err(_) if damping > MIN_DAMPING => {
                // The plain step leaves the domain of the map (e.g. a spending turns negative): shorten it.
                damping *= 0.5;
                continue;
            }
            Err(index) => return Err(Failure::MapFailed { index, iterations }),
        };
        if memory > 0 {
            let (mut dx, mut df) = if history.len() == memory {
                history.pop_front().unwrap_or_else(|| (vec![0.0; n], vec![0.0; n]))
            } else {
                (vec![0.0; n], vec![0.0; n])
            };
            for k in 0..n {
                dx[k] = x_new[k] - x[k];
                df[k] = f_new[k] - f[k];
            }
            history.push_back((dx, df));
        }
        x.copy_from_slice(&x_new);
        std::mem::swap(&mut f, &mut f_new);
        std::mem::swap(&mut g, &mut g_new);
        residual = res_new;
        worst = worst_new;
        if residual < 0.5 * best {
            best = residual;
            since_best = 0;
        } else {
            since_best += 1;
            if since_best > memory + STALL_STEPS && !history.is_empty() {
                // Stalled: the mixed steps no longer make progress. Restart from plain steps.
                history.clear();
                since_best = 0;
                best = residual;
                restarts += 1;
                if restarts >= MAX_RESTARTS {
                    memory = 0;
                }
            }
        }
        if residual <= options.tolerance {
            x.copy_from_slice(&g);
            return Ok(Outcome { iterations, residual, worst });
        }
    }
    Err(Failure::NotConverged(Outcome { iterations, residual, worst }))
}

/// Writes `f = g − x` and returns `(max |f|, argmax)`, or the index of a value that is not finite.
fn difference(g: &[f64], x: &[f64], f: &mut [f64]) -> Result<(f64, usize), usize> {
    let mut best = (0.0_f64, 0_usize);
    for (k, ((fk, gk), xk)) in f.iter_mut().zip(g).zip(x).enumerate() {
        *fk = gk - xk;
        if !fk.is_finite() {
            return Err(k);
        }
        if fk.abs() > best.0 {
            best = (fk.abs(), k);
        }
    }
    Ok(best)
}

/// Work buffers of [`least_squares`].
#[derive(Default)]
struct Scratch {
    q: Vec<Vec<f64>>,
    r: Vec<Vec<f64>>,
    kept: Vec<usize>,
}

/// Solves `min ‖f − Σ_k γ_k df_k‖` by modified Gram–Schmidt, newest column first, dropping columns that are
/// (numerically) dependent on newer ones; their `γ_k` is 0.
fn least_squares(history: &VecDeque<(Vec<f64>, Vec<f64>)>, f: &[f64], gamma: &mut Vec<f64>, s: &mut Scratch) {
    let m = history.len();
    let n = f.len();
    gamma.clear();
    gamma.resize(m, 0.0);
    s.kept.clear();
    s.q.resize_with(m, Vec::new);
    s.r.resize_with(m, Vec::new);
    for k in (0..m).rev() {
        let Some((_, df)) = history.get(k) else { continue };
        let slot = s.kept.len();
        let mut col = std::mem::take(&mut s.q[slot]);
        col.clear();
        col.extend_from_slice(df);
        let norm0 = dot(&col, &col).sqrt();
        let mut rcol = std::mem::take(&mut s.r[slot]);
        rcol.clear();
        for q in &s.q[..slot] {
            let c = dot(q, &col);
            for (a, b) in col.iter_mut().zip(q) {
                *a -= c * b;
            }
            rcol.push(c);
        }
        let norm = dot(&col, &col).sqrt();
        if norm > DROP_RATIO * norm0 && norm > 0.0 && norm.is_finite() {
            for a in &mut col {
                *a /= norm;
            }
            rcol.push(norm);
            s.kept.push(k);
        }
        s.q[slot] = col;
        s.r[slot] = rcol;
    }
    let kept = s.kept.len();
    if kept == 0 || n == 0 {
        return;
    }
    // Back substitution: R γ = Qᵀ f, where column `c` of R is s.r[c] (length c + 1).
    let mut rhs: Vec<f64> = s.q[..kept].iter().map(|q| dot(q, f)).collect();
    for c in (0..kept).rev() {
        let diag = s.r[c].get(c).copied().unwrap_or(0.0);
        let value = if diag == 0.0 { 0.0 } else { rhs[c] / diag };
        if let Some(&k) = s.kept.get(c) {
            gamma[k] = value;
        }
        for (row, rv) in rhs.iter_mut().enumerate().take(c) {
            *rv -= s.r[c].get(row).copied().unwrap_or(0.0) * value;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_linear_contraction() {
        // x = 0.9 A x + b with a non-symmetric A: plain iteration needs hundreds of steps.
        let b = [1.0, -2.0, 0.5];
        let mut x = vec![0.0; 3];
        let options = SolverOptions { tolerance: 1e-13, max_iterations: 200, acceleration_memory: 5 };
        let out = solve(&mut x, &options, |x, out| {
            out[0] = 0.9 * (0.5 * x[0] + 0.4 * x[1]) + b[0];
            out[1] = 0.9 * (0.3 * x[1] + 0.6 * x[2]) + b[1];
            out[2] = 0.9 * (0.8 * x[0] + 0.1 * x[2]) + b[2];
            Ok(())
        })
        .expect("converges");
        assert!(out.iterations < 30, "{out:?}");
        let r0 = 0.9 * (0.5 * x[0] + 0.4 * x[1]) + b[0] - x[0];
        assert!(r0.abs() < 1e-12);
    }

    #[test]
    fn reports_non_convergence() {
        let mut x = vec![1.0];
        let options = SolverOptions { tolerance: 1e-12, max_iterations: 5, acceleration_memory: 0 };
        let err = solve(&mut x, &options, |x, out| {
            out[0] = x[0] + 1.0;
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, Failure::NotConverged(Outcome { iterations: 5, .. })));
    }
}
