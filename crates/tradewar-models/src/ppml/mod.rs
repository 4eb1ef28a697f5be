//! Poisson pseudo-maximum likelihood (PPML) with high-dimensional fixed effects (Santos Silva & Tenreyro 2006;
//! Correia, Guimarães & Zylkin 2020, Stata's `ppmlhdfe`): the estimator of structural gravity (Yotov et al.
//! 2016, ch. 1–2) whose fitted values and fixed effects build a GE baseline.
//!
//! The model is `E[y | x] = exp(offset + x·β + α₁[g₁] + … + α_D[g_D])` with any number of fixed-effect dimensions
//! (exporter-year, importer-year, pair, ...), regressors, an offset and weights. The steps, as ppmlhdfe takes them:
//!
//! 1. **Sample**: rows of weight zero are left out; singletons of any fixed effect are dropped (or kept, see
//!    [`PpmlOptions::drop_singletons`]); separated observations are found and dropped by the checks chosen in
//!    [`Separation`] (fixed effects whose outcome is all zero, an exact simplex programme on small designs, and the
//!    ReLU iterative rectifier on any design), repeated until nothing changes. Every row's fate is reported
//!    ([`RowStatus`]).
//! 2. **Collinearity**: a regressor absorbed by the fixed effects or collinear with earlier regressors is an error
//!    ([`ModelError::NotIdentified`]) or, with [`Collinear::Omit`], left out and reported as omitted (as Stata does).
//! 3. **IRLS** with the fixed effects partialled out of the working variables by conjugate gradients
//!    ([`demean`]); the deviance's relative change must fall below [`PpmlOptions::tolerance`].
//! 4. **Variance**: robust, or clustered one- or two-way, with Stata's or fixest's small-sample conventions
//!    ([`SmallSample`]).
//! 5. **Fixed effects** recovered and normalised ([`PpmlOptions::references`]).
//!
//! ```
//! use tradewar_models::ppml::{ppml, Factor, PpmlData, PpmlOptions};
//!
//! // Four exporters × four importers, trade falling with distance; exporter and importer fixed effects.
//! let exporters = ["A", "A", "A", "B", "B", "B", "C", "C", "C", "D", "D", "D"];
//! let importers = ["B", "C", "D", "A", "C", "D", "A", "B", "D", "A", "B", "C"];
//! let distance = [1.0, 2.0, 3.0, 1.0, 1.5, 2.5, 2.0, 1.5, 1.2, 3.0, 2.5, 1.2];
//! let trade: Vec<f64> = distance.iter().enumerate().map(|(i, d)| (5.0 - d) * (1.0 + 0.1 * (i % 3) as f64)).collect();
//! let data = PpmlData::new("trade", trade)?
//!     .with_regressor("ln_dist", distance.iter().map(|d: &f64| d.ln()).collect())?
//!     .with_fixed_effect(Factor::from_labels("exporter", &exporters)?)?
//!     .with_fixed_effect(Factor::from_labels("importer", &importers)?)?;
//! let fit = ppml(&data, &PpmlOptions::default())?;
//! let b = fit.coefficient("ln_dist").unwrap();
//! assert!(b.estimate < 0.0 && b.std_error > 0.0);
//! # Ok::<(), tradewar_models::ModelError>(())
//! ```

mod demean;
mod design;
mod fit;
mod fixed_effects;
mod irls;
mod linalg;
mod separation;
mod variance;

pub use design::{Factor, PpmlData};
pub use fit::{Coefficient, PpmlFit, RowStatus};
pub use fixed_effects::{FixedEffectValues, Reference};
pub use separation::SIMPLEX_LIMIT;
pub use variance::{ClusterDf, SmallSample, VarianceKind, FIXED_EFFECT_SE_LIMIT};

use design::SampleEffects;
use irls::{IrlsSettings, Sample};
use linalg::{ln_gamma, normal_two_sided_p, Z_975};
use separation::ReluSettings;
use variance::{ParameterCount, VarianceInput};

use crate::{ModelError, Result};

/// Which separation checks run (all three by default, as ppmlhdfe's `separation(fe simplex relu)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separation {
    /// Fixed-effect levels whose outcome is zero on every row.
    pub fixed_effects: bool,
    /// The exact linear programme, on designs within [`SIMPLEX_LIMIT`] (skipped, with a note, above it).
    pub simplex: bool,
    /// The iterative rectifier (any size).
    pub relu: bool,
}

impl Default for Separation {
    fn default() -> Self {
        Self { fixed_effects: true, simplex: true, relu: true }
    }
}

impl Separation {
    /// No checks at all (a separated observation then makes IRLS fail with a `NonConvergence` error).
    pub const NONE: Self = Self { fixed_effects: false, simplex: false, relu: false };
}

/// What to do with a regressor collinear with the fixed effects or with earlier regressors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collinear {
    /// Refuse the model with [`ModelError::NotIdentified`], naming the regressor (the default).
    #[default]
    Error,
    /// Leave it out and report it as omitted (Stata's and ppmlhdfe's behaviour).
    Omit,
}

/// Settings of [`ppml`].
#[derive(Debug, Clone, PartialEq)]
pub struct PpmlOptions {
    /// Convergence: the relative change of the deviance `|ΔD| / max(min(D, D_prev), 0.1)` (default `1e-10`,
    /// tighter than ppmlhdfe's `1e-8`, so that coefficients are right to about 1e-9).
    pub tolerance: f64,
    /// Convergence also needs the linear predictor `ln μ` of every observation to move by at most this much in the
    /// last iteration (default `1e-6`): fixed effects of levels with little trade barely move the deviance while
    /// still far from their optimum.
    pub eta_tolerance: f64,
    /// Most IRLS iterations (default 1000).
    pub max_iterations: usize,
    /// Tolerance of the partialling out of fixed effects at convergence (default `1e-11`): the part of a column
    /// still explained by the fixed effects, relative to the residual. IRLS starts at `1e-4` and tightens to it.
    pub inner_tolerance: f64,
    /// Most conjugate-gradient iterations per partialling out (default 100 000).
    pub max_inner_iterations: usize,
    /// Separation checks.
    pub separation: Separation,
    /// Tolerance of the ReLU check: entries of its fit below this fraction of the largest count as zero
    /// (default `1e-6`).
    pub relu_tolerance: f64,
    /// Most ReLU iterations (default 1000).
    pub relu_max_iterations: usize,
    /// Drop singletons (default true, as ppmlhdfe; false keeps them, as its `keepsingletons`).
    pub drop_singletons: bool,
    /// Collinear regressors: error (default) or omit.
    pub collinear: Collinear,
    /// A regressor whose part not explained by the fixed effects and earlier regressors is at most this fraction of
    /// its sum of squares is collinear (default `1e-9`).
    pub collinearity_tolerance: f64,
    /// Small-sample convention of the variance (default Stata's).
    pub small_sample: SmallSample,
    /// Two-way clustering: how the cluster factor is formed (default the smallest number of clusters).
    pub cluster_df: ClusterDf,
    /// Also compute standard errors of the fixed-effect coefficients (under the normalisation), from the full
    /// sandwich written densely; only for designs of at most [`FIXED_EFFECT_SE_LIMIT`] free levels and regressors
    /// (above it a note says they were skipped). Default false.
    pub fixed_effect_std_errors: bool,
    /// Fixed-effect levels pinned to zero to normalise the recovered fixed effects, `(dimension, level)`; empty for
    /// the default (none for one dimension; the first level of the second dimension in each connected set for
    /// two; see [`FixedEffectValues`]).
    pub references: Vec<Reference>,
}

impl Default for PpmlOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            eta_tolerance: 1e-6,
            max_iterations: 1000,
            inner_tolerance: 1e-11,
            max_inner_iterations: 100_000,
            separation: Separation::default(),
            relu_tolerance: 1e-6,
            relu_max_iterations: 1000,
            drop_singletons: true,
            collinear: Collinear::default(),
            collinearity_tolerance: 1e-9,
            small_sample: SmallSample::default(),
            cluster_df: ClusterDf::default(),
            fixed_effect_std_errors: false,
            references: Vec::new(),
        }
    }
}

impl PpmlOptions {
    fn validate(&self) -> Result<()> {
        let positive = |what: &str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(invalid(format!("PPML option {what}"), format!("must be in (0, 1), got {v}")))
            }
        };
        positive("tolerance", self.tolerance)?;
        positive("eta_tolerance", self.eta_tolerance)?;
        positive("inner_tolerance", self.inner_tolerance)?;
        positive("relu_tolerance", self.relu_tolerance)?;
        positive("collinearity_tolerance", self.collinearity_tolerance)?;
        for (what, v) in [
            ("max_iterations", self.max_iterations),
            ("max_inner_iterations", self.max_inner_iterations),
            ("relu_max_iterations", self.relu_max_iterations),
        ] {
            if v == 0 {
                return Err(invalid(format!("PPML option {what}"), "must be at least 1"));
            }
        }
        Ok(())
    }
}

fn invalid(what: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError::InvalidInput { what: what.into(), reason: reason.into() }
}

fn not_identified(what: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError::NotIdentified { what: what.into(), reason: reason.into() }
}

/// The regressor columns of the sample rows (the constant first when there is one) and their names.
fn sample_columns(data: &PpmlData, rows: &[usize]) -> (Vec<Vec<f64>>, Vec<String>) {
    let mut columns = Vec::new();
    let mut names = Vec::new();
    if data.has_intercept() {
        columns.push(vec![1.0; rows.len()]);
        names.push("_cons".to_string());
    }
    for (name, values) in &data.regressors {
        columns.push(rows.iter().map(|&r| values[r]).collect());
        names.push(name.clone());
    }
    (columns, names)
}

/// Estimates a PPML model with high-dimensional fixed effects (see the [module docs](self)).
///
/// Errors: [`ModelError::InvalidInput`] for bad options or references; [`ModelError::NotIdentified`] when nothing
/// is left to estimate from (every row dropped, an outcome zero everywhere) or, with [`Collinear::Error`], a
/// regressor is absorbed by the fixed effects or collinear with others (the message names it);
/// [`ModelError::NonConvergence`] when IRLS, the partialling out or a separation check does not reach its
/// tolerance.
pub fn ppml(data: &PpmlData, options: &PpmlOptions) -> Result<PpmlFit> {
    options.validate()?;
    let n = data.len();
    let factors: Vec<&Factor> = data.fixed_effects.iter().collect();
    let mut status = vec![RowStatus::Used; n];
    let mut active = vec![true; n];
    if let Some(w) = &data.weights {
        for (r, &v) in w.iter().enumerate() {
            if v == 0.0 {
                active[r] = false;
                status[r] = RowStatus::ZeroWeight;
            }
        }
    }
    if !data.outcome.iter().zip(&active).any(|(&y, &a)| a && y > 0.0) {
        return Err(not_identified(
            format!("the PPML model of {}", data.outcome_name),
            "the outcome is zero on every row (of positive weight): there is nothing to estimate",
        ));
    }
    let mut notes = Vec::new();
    let relu = ReluSettings {
        tolerance: options.relu_tolerance,
        max_iterations: options.relu_max_iterations,
        inner_tolerance: 1e-9,
        max_inner_iterations: options.max_inner_iterations,
    };
    let mut simplex_noted = false;
    loop {
        loop {
            let mut changed = false;
            if options.drop_singletons {
                for r in separation::drop_singletons(&data.fixed_effects, &mut active) {
                    status[r] = RowStatus::Singleton;
                    changed = true;
                }
            }
            if options.separation.fixed_effects {
                for r in separation::fe_separation(&data.outcome, &data.fixed_effects, &mut active) {
                    status[r] = RowStatus::SeparatedByFixedEffect;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let rows: Vec<usize> = (0..n).filter(|&r| active[r]).collect();
        if !rows.iter().any(|&r| data.outcome[r] > 0.0) {
            return Err(not_identified(
                format!("the PPML model of {}", data.outcome_name),
                "no row with a positive outcome is left after dropping singletons and separated rows",
            ));
        }
        if !(options.separation.simplex || options.separation.relu) {
            break;
        }
        let y: Vec<f64> = rows.iter().map(|&r| data.outcome[r]).collect();
        let fe = SampleEffects::new(&factors, &rows);
        let regressors: Vec<Vec<f64>> =
            data.regressors.iter().map(|(_, v)| rows.iter().map(|&r| v[r]).collect()).collect();
        let intercept = data.has_intercept();
        let mut found: Vec<(usize, RowStatus)> = Vec::new();
        if options.separation.simplex {
            match separation::simplex_separation(&y, &regressors, intercept, &fe) {
                Some(sep) => found.extend(sep.into_iter().map(|i| (rows[i], RowStatus::SeparatedBySimplex))),
                None if !simplex_noted => {
                    simplex_noted = true;
                    notes.push(format!(
                        "simplex separation check skipped: the design is larger than its dense limit ({} parameters, \
                         {} rows, {} zero rows); the ReLU check covers every size",
                        SIMPLEX_LIMIT.0, SIMPLEX_LIMIT.1, SIMPLEX_LIMIT.2
                    ));
                }
                None => {}
            }
        }
        if found.is_empty() && options.separation.relu {
            let sep = separation::relu_separation(&y, &regressors, intercept, &fe, &relu)?;
            found.extend(sep.into_iter().map(|i| (rows[i], RowStatus::SeparatedByRelu)));
        }
        if found.is_empty() {
            break;
        }
        for (r, s) in found {
            active[r] = false;
            status[r] = s;
        }
    }
    estimate(data, options, &factors, status, &active, notes)
}

fn estimate(
    data: &PpmlData,
    options: &PpmlOptions,
    factors: &[&Factor],
    mut status: Vec<RowStatus>,
    active: &[bool],
    mut notes: Vec<String>,
) -> Result<PpmlFit> {
    let n = data.len();
    let rows: Vec<usize> = (0..n).filter(|&r| active[r]).collect();
    let (columns, names) = sample_columns(data, &rows);
    let fe = SampleEffects::new(factors, &rows);
    let sample = Sample {
        rows: rows.clone(),
        y: rows.iter().map(|&r| data.outcome[r]).collect(),
        columns,
        offset: data.offset.as_ref().map_or_else(|| vec![0.0; rows.len()], |o| rows.iter().map(|&r| o[r]).collect()),
        prior_weights: data
            .weights
            .as_ref()
            .map_or_else(|| vec![1.0; rows.len()], |w| rows.iter().map(|&r| w[r]).collect()),
        fe,
    };
    let settings = IrlsSettings {
        tolerance: options.tolerance,
        eta_tolerance: options.eta_tolerance,
        max_iterations: options.max_iterations,
        inner_tolerance: options.inner_tolerance,
        max_inner_iterations: options.max_inner_iterations,
        collinearity_tolerance: options.collinearity_tolerance,
    };
    let out = irls::irls_checked(&sample, &names, &settings, options.collinear, &mut notes)?;
    let k = out.kept.len();
    let observations = rows.len();
    // A zero outcome whose fitted mean has collapsed towards zero is the mark of separation that was not removed:
    // the estimates then describe an infinite coefficient, not an MLE.
    let mean_y = sample.y.iter().zip(&sample.prior_weights).map(|(a, b)| a * b).sum::<f64>()
        / sample.prior_weights.iter().sum::<f64>();
    let collapsed: Vec<usize> =
        (0..observations).filter(|&i| sample.y[i] == 0.0 && out.mu[i] < 1e-9 * mean_y).map(|i| rows[i]).collect();
    if !collapsed.is_empty() {
        let all_checks = options.separation.fixed_effects && options.separation.relu;
        let listed: Vec<String> = collapsed.iter().take(10).map(ToString::to_string).collect();
        let message = format!(
            "row(s) {}{} have a zero outcome and a fitted mean below 1e-9 of the mean outcome: they look separated",
            listed.join(", "),
            if collapsed.len() > 10 { ", ..." } else { "" }
        );
        if all_checks {
            notes.push(format!("{message} although the checks found nothing; the estimates may be unreliable"));
        } else {
            return Err(not_identified(
                format!("the PPML model of {}", data.outcome_name),
                format!("{message}; turn the separation checks on (fixed effects and ReLU) to drop them"),
            ));
        }
    }
    if observations < k {
        return Err(not_identified(
            format!("the PPML model of {}", data.outcome_name),
            format!("{observations} observations are left for {k} coefficients"),
        ));
    }

    // Variance.
    let residuals: Vec<f64> =
        sample.y.iter().zip(&out.mu).zip(&sample.prior_weights).map(|((y, m), p)| p * (y - m)).collect();
    let clusters = variance::sample_clusters(&data.clusters, &rows);
    let nested_levels: usize = if clusters.is_empty() {
        0
    } else {
        (0..sample.fe.dims())
            .filter(|&d| clusters.iter().any(|(c, _)| variance::nested_in(&sample.fe.codes[d], sample.fe.levels[d], c)))
            .map(|d| sample.fe.levels[d])
            .sum()
    };
    let fe_params = if sample.fe.dims() == 0 {
        0
    } else {
        (sample.fe.total_levels() + 1).saturating_sub(sample.fe.dims()).saturating_sub(nested_levels)
    };
    let (vcov, factor) = variance::variance(
        &VarianceInput { columns: &out.partialled, residuals: &residuals, bread: &out.bread, clusters: &clusters },
        options.small_sample,
        options.cluster_df,
        &ParameterCount { regressors: k, fixed_effects: fe_params },
    );
    let variance_kind = if clusters.is_empty() {
        variance::VarianceKind::Robust
    } else {
        variance::VarianceKind::Clustered {
            variables: data.clusters.iter().map(|c| c.name().to_string()).collect(),
            clusters: clusters.iter().map(|c| c.1).collect(),
        }
    };

    // Coefficients: regressors in data order, the constant last.
    let mut coefficients = Vec::with_capacity(names.len());
    let mut order: Vec<usize> = (0..names.len()).collect();
    if data.has_intercept() {
        order.rotate_left(1);
    }
    for j in order {
        let coefficient = match out.kept.iter().position(|&c| c == j) {
            Some(p) => {
                let estimate = out.beta[p];
                let se = vcov[p * k + p].max(0.0).sqrt();
                let z = estimate / se;
                Coefficient {
                    term: names[j].clone(),
                    estimate,
                    std_error: se,
                    z,
                    p_value: normal_two_sided_p(z),
                    ci_low: estimate - Z_975 * se,
                    ci_high: estimate + Z_975 * se,
                    omitted: false,
                }
            }
            None => Coefficient {
                term: names[j].clone(),
                estimate: f64::NAN,
                std_error: f64::NAN,
                z: f64::NAN,
                p_value: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                omitted: true,
            },
        };
        coefficients.push(coefficient);
    }
    if let Some(bad) = (0..k).find(|&p| vcov[p * k + p] < 0.0) {
        notes.push(format!(
            "the variance of {} came out negative (two-way clustering can do that); its standard error is reported \
             as 0",
            names[out.kept[bad]]
        ));
    }

    // Fit statistics.
    let pw = &sample.prior_weights;
    let log_likelihood: f64 = sample
        .y
        .iter()
        .zip(&out.mu)
        .zip(pw)
        .map(|((&y, &m), &p)| p * (if y > 0.0 { y * m.ln() } else { 0.0 } - m - ln_gamma(y + 1.0)))
        .sum();
    let r2 = squared_correlation(&sample.y, &out.mu);

    // Fixed effects.
    let (mut fixed_effects, note) = fixed_effects::recover(
        &sample.fe,
        factors,
        &out.alpha,
        &options.references,
        1e-13,
        options.max_inner_iterations,
    )?;
    notes.extend(note);
    if options.fixed_effect_std_errors && !fixed_effects.is_empty() {
        let pins: Vec<bool> = fixed_effects.iter().flat_map(|f| f.reference.iter().copied()).collect();
        let raw: Vec<Vec<f64>> = out.kept.iter().map(|&j| sample.columns[j].clone()).collect();
        let w: Vec<f64> = out.mu.iter().zip(&sample.prior_weights).map(|(m, p)| m * p).collect();
        match variance::dense_errors(
            &raw,
            &sample.fe,
            &pins,
            &w,
            &residuals,
            &clusters,
            (factor, options.cluster_df, options.small_sample),
        ) {
            Some(se) => {
                let mut at = k;
                for f in &mut fixed_effects {
                    for s in &mut f.std_errors {
                        *s = se[at];
                        at += 1;
                    }
                }
            }
            None => notes.push(format!(
                "fixed-effect standard errors not computed: more than {FIXED_EFFECT_SE_LIMIT} free levels and \
                 regressors, or the references do not identify every level"
            )),
        }
    }

    let mut fitted = vec![f64::NAN; n];
    for (r, s) in status.iter_mut().enumerate() {
        match *s {
            RowStatus::Singleton => fitted[r] = data.outcome[r],
            s if s.is_separated() => fitted[r] = 0.0,
            _ => {}
        }
    }
    for (&r, &m) in rows.iter().zip(&out.mu) {
        fitted[r] = m;
    }
    Ok(PpmlFit {
        outcome: data.outcome_name.clone(),
        coefficients,
        vcov,
        vcov_terms: out.kept.iter().map(|&j| names[j].clone()).collect(),
        variance: variance_kind,
        small_sample: options.small_sample,
        small_sample_factor: factor,
        rows: n,
        observations,
        row_status: status,
        fitted,
        fixed_effects,
        deviance: out.deviance,
        log_likelihood,
        r2,
        iterations: out.iterations,
        inner_iterations: out.inner_iterations,
        last_change: out.last_change,
        tolerance: options.tolerance,
        notes,
    })
}

fn squared_correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab * sab / (saa * sbb)
}
