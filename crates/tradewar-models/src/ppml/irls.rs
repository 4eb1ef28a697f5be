//! Iteratively reweighted least squares for the Poisson pseudo-likelihood with absorbed fixed effects.
//!
//! Each step regresses the working variable `z = η − offset + (y − μ)/μ` on the regressors and the fixed-effect
//! dummies with weights `μ` (times the prior weights). The fixed effects are partialled out of `z` and of every
//! regressor (Frisch–Waugh–Lovell), so the step solves a `k × k` system; the new linear predictor is `z` minus the
//! step's residual. The partialling-out tolerance starts loose and tightens with the deviance (as ppmlhdfe does),
//! and the last steps run at the target tolerance. A step that raises the deviance is halved.

use rayon::prelude::*;

use super::demean::{Projector, Scratch};
use super::design::SampleEffects;
use super::linalg::{cross, gram, OrderedCholesky};
use super::Collinear;
use crate::{ModelError, Result};

/// The estimation sample, as IRLS sees it.
pub(crate) struct Sample {
    /// The data row of each sample row (for messages).
    pub rows: Vec<usize>,
    pub y: Vec<f64>,
    /// Regressor columns (constant first when there is one).
    pub columns: Vec<Vec<f64>>,
    pub offset: Vec<f64>,
    pub prior_weights: Vec<f64>,
    pub fe: SampleEffects,
}

/// Settings of IRLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IrlsSettings {
    pub tolerance: f64,
    pub eta_tolerance: f64,
    pub max_iterations: usize,
    pub inner_tolerance: f64,
    pub max_inner_iterations: usize,
    pub collinearity_tolerance: f64,
}

/// What IRLS returns.
pub(crate) struct IrlsOutput {
    /// Positions (in `Sample::columns`) of the regressors estimated; the others are collinear.
    pub kept: Vec<usize>,
    /// Coefficients of the kept regressors.
    pub beta: Vec<f64>,
    /// Fitted means.
    pub mu: Vec<f64>,
    /// Fixed-effect coefficients (stacked, one solution among those giving the same fit).
    pub alpha: Vec<f64>,
    /// Kept regressors partialled out at the final weights.
    pub partialled: Vec<Vec<f64>>,
    /// `(X̃'WX̃)⁻¹` at the final weights.
    pub bread: Vec<f64>,
    pub deviance: f64,
    pub iterations: usize,
    pub inner_iterations: usize,
    pub last_change: f64,
}

/// The Poisson deviance `2 Σ w [y ln(y/μ) − (y − μ)]`.
pub(crate) fn deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    2.0 * y
        .iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &m), &w)| {
            let t = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
            w * (t - (y - m))
        })
        .sum::<f64>()
}

fn inner_failure(what: &str, iterations: usize, residual: f64, tolerance: f64) -> ModelError {
    ModelError::NonConvergence {
        solver: "PPML partialling out of the fixed effects",
        iterations,
        residual,
        tolerance,
        detail: format!(", on {what}: raise max_inner_iterations or loosen inner_tolerance"),
    }
}

/// Partials the fixed effects out of every column of `originals` into `outs`, in parallel, warm-starting from and
/// updating `alphas`.
#[allow(clippy::too_many_arguments)]
fn partial_out(
    projector: &Projector<'_>,
    originals: &[&[f64]],
    outs: &mut [Vec<f64>],
    alphas: &mut [Vec<f64>],
    scratch: &mut [Scratch],
    names: &[&str],
    tolerance: f64,
    max_iterations: usize,
) -> Result<usize> {
    let results: Vec<std::result::Result<usize, (usize, f64)>> = outs
        .par_iter_mut()
        .zip(alphas.par_iter_mut())
        .zip(scratch.par_iter_mut())
        .zip(originals.par_iter())
        .map(|(((out, a), work), original)| {
            projector
                .residualize_from(original, out, a, tolerance, max_iterations, 0.0, work)
                .map_err(|e| (e.iterations, e.residual))
        })
        .collect();
    let mut total = 0;
    for (r, name) in results.into_iter().zip(names) {
        match r {
            Ok(it) => total += it,
            Err((it, res)) => return Err(inner_failure(name, it, res, tolerance)),
        }
    }
    Ok(total)
}

/// Runs IRLS. `names` names the columns (for errors and notes). A collinear regressor is refused or omitted (with
/// a note) as `collinear` says. Returns the fit, or `NonConvergence`.
pub(crate) fn irls_checked(
    sample: &Sample,
    names: &[String],
    settings: &IrlsSettings,
    collinear: Collinear,
    notes: &mut Vec<String>,
) -> Result<IrlsOutput> {
    let mut last_mu = Vec::new();
    irls_run(sample, names, settings, collinear, notes, &mut last_mu).map_err(|e| {
        // A run that breaks down while the fitted mean of some zero outcome collapses is separation, not a
        // numerical accident: say so.
        let mean_y = sample.y.iter().sum::<f64>() / sample.y.len().max(1) as f64;
        let collapsed: Vec<String> = (0..last_mu.len())
            .filter(|&i| sample.y[i] == 0.0 && last_mu[i] < 1e-9 * mean_y)
            .take(10)
            .map(|i| sample.rows[i].to_string())
            .collect();
        if collapsed.is_empty() {
            e
        } else {
            ModelError::NotIdentified {
                what: "the PPML model".into(),
                reason: format!(
                    "IRLS broke down ({e}) while the fitted means of row(s) {} (zero outcomes) collapsed towards zero: \
                     they look separated; turn the separation checks on (fixed effects and ReLU) to drop them",
                    collapsed.join(", ")
                ),
            }
        }
    })
}

fn irls_run(
    sample: &Sample,
    names: &[String],
    settings: &IrlsSettings,
    collinear: Collinear,
    notes: &mut Vec<String>,
    last_mu: &mut Vec<f64>,
) -> Result<IrlsOutput> {
    let n = sample.y.len();
    let y = &sample.y;
    let pw = &sample.prior_weights;
    let total_w: f64 = pw.iter().sum();
    // The deviance is a sum of terms of the size of y: rounding makes it uncertain to about 1e-16 of Σ w y.
    let total_y: f64 = y.iter().zip(pw).map(|(a, b)| a * b).sum();
    let mean_y = y.iter().zip(pw).map(|(a, b)| a * b).sum::<f64>() / total_w;
    // Start at the data, μ = y + 1e-7 ȳ: fixed effects of levels with little trade then start near their optimum
    // instead of crawling down from ȳ/2, which takes an iteration per unit of ln μ (rows with y = 0 start with a
    // negligible weight and follow the fit of the others).
    let mut mu: Vec<f64> = y.iter().map(|&v| v + 1e-7 * mean_y).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev = deviance(y, &mu, pw);
    let g = sample.fe.total_levels();

    // Collinearity, at the starting weights.
    let mut w: Vec<f64> = mu.iter().zip(pw).map(|(m, p)| m * p).collect();
    let mut inner_iterations = 0;
    let all_names: Vec<&str> = names.iter().map(String::as_str).collect();
    // A regressor absorbed by the fixed effects keeps a residual of about the tolerance times its size: 1e-7 puts
    // that far below the collinearity threshold (its square is compared with `collinearity_tolerance`). A loose
    // pass comes first (it warm-starts IRLS); the tight one runs only when some column looks close to collinear.
    let collinearity_inner = settings.inner_tolerance.max(1e-7).min(settings.collinearity_tolerance.sqrt() * 1e-2);
    let mut alphas = vec![vec![0.0; g]; sample.columns.len()];
    let mut scratch = vec![Scratch::default(); sample.columns.len().max(1) + 1];
    let originals: Vec<&[f64]> = sample.columns.iter().map(Vec::as_slice).collect();
    let kept: Vec<usize> = {
        let projector = Projector::new(&sample.fe, &w);
        let mut cols = vec![vec![0.0; n]; sample.columns.len()];
        let scale: Vec<f64> = sample.columns.iter().map(|c| c.iter().zip(&w).map(|(x, w)| w * x * x).sum()).collect();
        let mut tolerance = settings.inner_tolerance.max(1e-4);
        let kept = loop {
            inner_iterations += partial_out(
                &projector,
                &originals,
                &mut cols,
                &mut alphas,
                &mut scratch,
                &all_names,
                tolerance,
                settings.max_inner_iterations,
            )?;
            let chol = OrderedCholesky::new(&gram(&cols, &w), cols.len(), &scale, settings.collinearity_tolerance);
            let close =
                chol.kept.len() < cols.len() || chol.kept.iter().zip(chol.pivots()).any(|(&j, p)| p <= 1e-4 * scale[j]);
            if !close || tolerance <= collinearity_inner {
                break chol.kept;
            }
            tolerance = collinearity_inner;
        };
        let omitted: Vec<String> = (0..cols.len())
            .filter(|j| !kept.contains(j))
            .map(|j| {
                let own: f64 = cols[j].iter().zip(&w).map(|(x, w)| w * x * x).sum();
                let why = if scale[j] == 0.0 {
                    "is zero on every row".to_string()
                } else if own <= settings.collinearity_tolerance * scale[j] {
                    if sample.fe.dims() > 0 {
                        "is absorbed by the fixed effects (no variation within them)".to_string()
                    } else {
                        "has no variation".to_string()
                    }
                } else {
                    let earlier: Vec<&str> = kept.iter().filter(|&&c| c < j).map(|&c| names[c].as_str()).collect();
                    let with = if sample.fe.dims() > 0 { "the fixed effects and " } else { "" };
                    format!("is collinear with {with}{}", earlier.join(", "))
                };
                format!("{} {why}", names[j])
            })
            .collect();
        if !omitted.is_empty() {
            match collinear {
                Collinear::Error => {
                    return Err(ModelError::NotIdentified {
                        what: format!("the coefficient(s) of {}", omitted.join("; ")),
                        reason: "drop the regressor(s), or pass collinear=omit to leave them out as Stata does \
                                 (reported as omitted)"
                            .into(),
                    })
                }
                Collinear::Omit => notes.extend(omitted.iter().map(|o| format!("omitted: {o} (collinear)"))),
            }
        }
        kept
    };
    let kept_names: Vec<&str> = kept.iter().map(|&j| names[j].as_str()).collect();
    let k = kept.len();

    // The regressors' coefficients on the dummies warm-start the first step.
    let mut alpha_x: Vec<Vec<f64>> = kept.iter().map(|&j| std::mem::take(&mut alphas[j])).collect();
    let kept_originals: Vec<&[f64]> = kept.iter().map(|&j| sample.columns[j].as_slice()).collect();
    // Partialled-out columns, reused: the regressors, then the working variable last.
    let mut cols: Vec<Vec<f64>> = vec![vec![0.0; n]; k + 1];
    let mut col_names = kept_names.clone();
    col_names.push("the working variable");
    let mut alpha_z = vec![0.0; g];
    let mut alpha_fit = vec![0.0; g];
    // Rows' working variable, next linear predictor and next mean, reused.
    let mut z = vec![0.0; n];
    let mut new_eta = vec![0.0; n];
    let mut new_mu = vec![0.0; n];
    let mut beta = vec![0.0; k];
    let mut inner_tol = settings.inner_tolerance.max(1e-4);
    let mut last_change = f64::INFINITY;
    for iteration in 1..=settings.max_iterations {
        let at_target = inner_tol <= settings.inner_tolerance;
        w.iter_mut().zip(&mu).zip(pw).for_each(|((w, m), p)| *w = m * p);
        let projector = Projector::new(&sample.fe, &w);
        for (i, zi) in z.iter_mut().enumerate() {
            *zi = eta[i] - sample.offset[i] + (y[i] - mu[i]) / mu[i];
        }
        if let Some(i) = z.iter().position(|v| !v.is_finite()) {
            return Err(ModelError::NonConvergence {
                solver: "PPML (IRLS)",
                iterations: iteration,
                residual: f64::INFINITY,
                tolerance: settings.tolerance,
                detail: format!(
                    ", the working variable of sample row {i} is not finite (fitted mean {}): the data may hold \
                     separated observations that the checks turned off would drop",
                    mu[i]
                ),
            });
        }
        // z and the regressors together, in parallel.
        alpha_x.push(std::mem::take(&mut alpha_z));
        let mut originals = kept_originals.clone();
        originals.push(&z);
        let done = partial_out(
            &projector,
            &originals,
            &mut cols,
            &mut alpha_x,
            &mut scratch,
            &col_names,
            inner_tol,
            settings.max_inner_iterations,
        );
        alpha_z = alpha_x.pop().unwrap_or_default();
        inner_iterations += done?;
        let (x_cols, z_col) = cols.split_at(k);
        let z_tilde = &z_col[0];
        let gram_m = gram(x_cols, &w);
        let scale: Vec<f64> = (0..k).map(|a| gram_m[a * k + a]).collect();
        let chol = OrderedCholesky::new(&gram_m, k, &scale, 1e-14);
        if chol.kept.len() != k {
            let lost: Vec<&str> = (0..k).filter(|a| !chol.kept.contains(a)).map(|a| kept_names[a]).collect();
            return Err(ModelError::NotIdentified {
                what: format!("regressor(s) {}", lost.join(", ")),
                reason: "became collinear during the iterations (numerically): rescale the regressor or drop it".into(),
            });
        }
        let mut new_beta = if k > 0 { chol.solve(&cross(x_cols, &w, z_tilde)) } else { Vec::new() };
        // The step's fixed effects: α = α_z − Σ_k β_k α_k (z − z̃ = Dα_z and x_k − x̃_k = Dα_k exactly).
        let mut new_alpha: Vec<f64> = alpha_z.clone();
        for (ax, b) in alpha_x.iter().zip(&new_beta) {
            for (a, v) in new_alpha.iter_mut().zip(ax) {
                *a -= b * v;
            }
        }
        // η = offset + Xβ + Dα, rebuilt from the coefficients rather than as z minus the step's residual: where μ
        // is tiny, z = η + (y − μ)/μ is huge and that difference would lose the digits of η.
        sample.fe.gather_into(&new_alpha, &mut new_eta);
        for (e, o) in new_eta.iter_mut().zip(&sample.offset) {
            *e += o;
        }
        for (&j, b) in kept.iter().zip(&new_beta) {
            for (e, x) in new_eta.iter_mut().zip(&sample.columns[j]) {
                *e += b * x;
            }
        }
        for (m, e) in new_mu.iter_mut().zip(&new_eta) {
            *m = e.exp();
        }
        let mut new_dev = deviance(y, &new_mu, pw);
        let mut halvings = 0;
        // The starting point is not of the model's form (it is near the saturated fit, whose deviance is lower than
        // the model's), so the first step is taken whole; later steps that raise the deviance are halved.
        while !(new_dev.is_finite() && new_mu.iter().all(|m| *m > 0.0 && m.is_finite()))
            || (iteration > 1 && new_dev > dev + 1e-12 * (dev + total_y))
        {
            halvings += 1;
            if halvings > 40 {
                return Err(ModelError::NonConvergence {
                    solver: "PPML (IRLS)",
                    iterations: iteration,
                    residual: last_change,
                    tolerance: settings.tolerance,
                    detail: ", step-halving could not lower the deviance".into(),
                });
            }
            // Halve the step: η, β and α move together (η is linear in them).
            for (ne, e) in new_eta.iter_mut().zip(&eta) {
                *ne = 0.5 * (*ne + e);
            }
            for (nb, b) in new_beta.iter_mut().zip(&beta) {
                *nb = 0.5 * (*nb + b);
            }
            for (na, a) in new_alpha.iter_mut().zip(&alpha_fit) {
                *na = 0.5 * (*na + a);
            }
            new_mu = new_eta.iter().map(|e| e.exp()).collect();
            new_dev = deviance(y, &new_mu, pw);
        }
        // A change below the deviance's own rounding (a sum of terms of the size of y) counts as none: a model
        // that fits perfectly has a deviance of pure rounding noise.
        let change = if (new_dev - dev).abs() <= 1e-13 * total_y {
            0.0
        } else {
            (new_dev - dev).abs() / new_dev.min(dev).max(0.1)
        };
        let eta_change = new_eta.iter().zip(&eta).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
        beta = new_beta;
        alpha_fit = new_alpha;
        std::mem::swap(&mut eta, &mut new_eta);
        std::mem::swap(&mut mu, &mut new_mu);
        last_mu.clone_from(&mu);
        dev = new_dev;
        last_change = change;
        if change < settings.tolerance && eta_change <= settings.eta_tolerance && at_target && halvings == 0 {
            // Final weights: partial the regressors out once more for the variance.
            w.iter_mut().zip(&mu).zip(pw).for_each(|((w, m), p)| *w = m * p);
            let projector = Projector::new(&sample.fe, &w);
            cols.truncate(k);
            inner_iterations += partial_out(
                &projector,
                &kept_originals,
                &mut cols,
                &mut alpha_x,
                &mut scratch,
                &kept_names,
                settings.inner_tolerance,
                settings.max_inner_iterations,
            )?;
            let gram_m = gram(&cols, &w);
            let scale: Vec<f64> = (0..k).map(|a| gram_m[a * k + a]).collect();
            let bread = OrderedCholesky::new(&gram_m, k, &scale, 1e-14).inverse();
            return Ok(IrlsOutput {
                kept,
                beta,
                mu,
                alpha: alpha_fit,
                partialled: cols,
                bread,
                deviance: dev,
                iterations: iteration,
                inner_iterations,
                last_change,
            });
        }
        inner_tol = settings.inner_tolerance.max(inner_tol.min(0.1 * change));
    }
    Err(ModelError::NonConvergence {
        solver: "PPML (IRLS)",
        iterations: settings.max_iterations,
        residual: last_change,
        tolerance: settings.tolerance,
        detail: ", relative change of the deviance".into(),
    })
}
