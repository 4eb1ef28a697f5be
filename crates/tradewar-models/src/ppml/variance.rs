//! The variance of the PPML coefficients: the sandwich `H⁻¹ M H⁻¹` with `H = X̃'WX̃` (`X̃` the regressors with the
//! fixed effects partialled out at the final weights `W = μ`) and the meat `M` built from the scores
//! `x̃_i (y_i − μ_i)`, summed by cluster when clustered (Cameron, Gelbach & Miller 2011 for two-way), then scaled by
//! a small-sample factor whose convention is chosen with [`SmallSample`].

use super::design::Factor;

/// Small-sample conventions of the variance.
///
/// | convention | robust | one-way clustered | two-way clustered |
/// |---|---|---|---|
/// | [`Stata`](SmallSample::Stata) | `N/(N−1)` | `G/(G−1)` | each term `G/(G−1)` per [`ClusterDf`] |
/// | [`Fixest`](SmallSample::Fixest) | `N/(N−K)` | `(N−1)/(N−K) · G/(G−1)` | same, `G` per [`ClusterDf`] |
/// | [`None`](SmallSample::None) | 1 | 1 | 1 |
///
/// `Stata` is what `glm`/`ppml` (the Stata log of Yotov et al. 2016: `N/(N−1)` reproduces its robust SEs and
/// `G/(G−1)` its clustered ones) and ppmlhdfe print for a maximum-likelihood model. `Fixest` is R fixest's default
/// `ssc()` (and pyfixest's): `K` counts the estimated regressors plus the fixed-effect coefficients
/// `Σ levels − (dimensions − 1)`, leaving out, when clustered, the levels of a dimension nested in a cluster
/// variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmallSample {
    /// Stata's `glm`/`ppml`/`ppmlhdfe` conventions (the default).
    #[default]
    Stata,
    /// R fixest's (and pyfixest's) default conventions.
    Fixest,
    /// No small-sample factor.
    None,
}

/// How the cluster factor `G/(G−1)` is formed in two-way clustering `V = V₁ + V₂ − V₁₂`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClusterDf {
    /// Every term with the smallest number of clusters, `G_min/(G_min − 1)` (fixest's default; also
    /// Cameron–Gelbach–Miller's and ivreg2's).
    #[default]
    Min,
    /// Each term with its own `G_t/(G_t − 1)` (fixest's `"conventional"`).
    Conventional,
}

/// How the variance was computed, reported with the fit.
#[derive(Debug, Clone, PartialEq)]
pub enum VarianceKind {
    /// Heteroskedasticity-robust (Huber–White, "semirobust" in Stata's glm).
    Robust,
    /// Clustered by one or two variables.
    Clustered {
        /// Cluster variable names.
        variables: Vec<String>,
        /// Number of clusters of each variable in the estimation sample.
        clusters: Vec<usize>,
    },
}

/// The pieces the variance is computed from.
pub(crate) struct VarianceInput<'a> {
    /// Partialled-out regressors (kept ones), each over the sample.
    pub columns: &'a [Vec<f64>],
    /// Score residuals `prior weight · (y − μ)`.
    pub residuals: &'a [f64],
    /// `H⁻¹` (row-major, `k × k`).
    pub bread: &'a [f64],
    /// Cluster variables restricted to the sample: per variable the dense group of each row and the count.
    pub clusters: &'a [(Vec<u32>, usize)],
}

/// `Σ_g s_g s_g'` of the scores summed by group (`group` dense, `groups` levels).
fn meat_by_group(input: &VarianceInput<'_>, group: Option<&[u32]>, groups: usize) -> Vec<f64> {
    let k = input.columns.len();
    let mut meat = vec![0.0; k * k];
    match group {
        None => {
            for i in 0..input.residuals.len() {
                let e = input.residuals[i];
                for a in 0..k {
                    let sa = input.columns[a][i] * e;
                    for b in 0..=a {
                        meat[a * k + b] += sa * input.columns[b][i] * e;
                    }
                }
            }
        }
        Some(group) => {
            let mut sums = vec![0.0; groups * k];
            for (i, &g) in group.iter().enumerate() {
                let e = input.residuals[i];
                let row = &mut sums[g as usize * k..(g as usize + 1) * k];
                for (a, s) in row.iter_mut().enumerate() {
                    *s += input.columns[a][i] * e;
                }
            }
            for row in sums.chunks_exact(k) {
                for a in 0..k {
                    for b in 0..=a {
                        meat[a * k + b] += row[a] * row[b];
                    }
                }
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            meat[b * k + a] = meat[a * k + b];
        }
    }
    meat
}

/// `H⁻¹ M H⁻¹`.
fn sandwich(bread: &[f64], meat: &[f64], k: usize) -> Vec<f64> {
    let mut tmp = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            tmp[a * k + b] = (0..k).map(|c| bread[a * k + c] * meat[c * k + b]).sum();
        }
    }
    let mut out = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            out[a * k + b] = (0..k).map(|c| tmp[a * k + c] * bread[c * k + b]).sum();
        }
    }
    out
}

/// The intersection of two cluster variables, densely numbered.
fn intersect(a: &[u32], b: &[u32]) -> (Vec<u32>, usize) {
    let mut index = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(a.len());
    for (&x, &y) in a.iter().zip(b) {
        let next = index.len() as u32;
        out.push(*index.entry((x, y)).or_insert(next));
    }
    let n = index.len();
    (out, n)
}

/// Whether every level of a fixed effect lies within one cluster (fixest's "nested").
pub(crate) fn nested_in(fe_codes: &[u32], fe_levels: usize, cluster: &[u32]) -> bool {
    let mut owner = vec![u32::MAX; fe_levels];
    for (&f, &c) in fe_codes.iter().zip(cluster) {
        let o = &mut owner[f as usize];
        if *o == u32::MAX {
            *o = c;
        } else if *o != c {
            return false;
        }
    }
    true
}

/// The small-sample counts the `Fixest` convention needs.
pub(crate) struct ParameterCount {
    /// Estimated regressor coefficients.
    pub regressors: usize,
    /// Fixed-effect coefficients counted, `Σ levels − (dimensions − 1)` (nested ones left out when clustered).
    pub fixed_effects: usize,
}

/// The variance matrix (row-major `k × k`) and the factor applied (the first term's, for two-way).
pub(crate) fn variance(
    input: &VarianceInput<'_>,
    convention: SmallSample,
    cluster_df: ClusterDf,
    count: &ParameterCount,
) -> (Vec<f64>, f64) {
    let k = input.columns.len();
    let n = input.residuals.len() as f64;
    let k_total = (count.regressors + count.fixed_effects) as f64;
    let g_factor = |g: usize| {
        let g = g as f64;
        if g > 1.0 {
            g / (g - 1.0)
        } else {
            1.0
        }
    };
    match input.clusters {
        [] => {
            let factor = match convention {
                SmallSample::Stata => n / (n - 1.0),
                SmallSample::Fixest => n / (n - k_total).max(0.0),
                SmallSample::None => 1.0,
            };
            let v = sandwich(input.bread, &meat_by_group(input, None, 0), k);
            (v.iter().map(|x| x * factor).collect(), factor)
        }
        [(g1, n1)] => {
            let factor = match convention {
                SmallSample::Stata => g_factor(*n1),
                SmallSample::Fixest => (n - 1.0) / (n - k_total).max(0.0) * g_factor(*n1),
                SmallSample::None => 1.0,
            };
            let v = sandwich(input.bread, &meat_by_group(input, Some(g1), *n1), k);
            (v.iter().map(|x| x * factor).collect(), factor)
        }
        [(g1, n1), (g2, n2), ..] => {
            let (g12, n12) = intersect(g1, g2);
            let g_min = (*n1).min(*n2);
            let term = |g: usize| match (convention, cluster_df) {
                (SmallSample::None, _) => 1.0,
                (_, ClusterDf::Min) => g_factor(g_min),
                (_, ClusterDf::Conventional) => g_factor(g),
            };
            let base = match convention {
                SmallSample::Fixest => (n - 1.0) / (n - k_total).max(0.0),
                _ => 1.0,
            };
            let m1 = meat_by_group(input, Some(g1), *n1);
            let m2 = meat_by_group(input, Some(g2), *n2);
            let m12 = meat_by_group(input, Some(&g12), n12);
            let (f1, f2, f12) = (base * term(*n1), base * term(*n2), base * term(n12));
            let meat: Vec<f64> = (0..k * k).map(|i| f1 * m1[i] + f2 * m2[i] - f12 * m12[i]).collect();
            (sandwich(input.bread, &meat, k), f1)
        }
    }
}

/// The cluster variables restricted to `rows`, densely numbered, with the number of clusters.
pub(crate) fn sample_clusters(clusters: &[Factor], rows: &[usize]) -> Vec<(Vec<u32>, usize)> {
    clusters
        .iter()
        .map(|f| {
            let mut dense = vec![u32::MAX; f.levels()];
            let mut next = 0u32;
            let codes = rows
                .iter()
                .map(|&r| {
                    let c = &mut dense[f.codes()[r] as usize];
                    if *c == u32::MAX {
                        *c = next;
                        next += 1;
                    }
                    *c
                })
                .collect();
            (codes, next as usize)
        })
        .collect()
}

/// The largest number of free fixed-effect levels plus regressors for which the fixed effects' standard errors are
/// computed (a dense `p × p` sandwich).
pub const FIXED_EFFECT_SE_LIMIT: usize = 1500;

/// Standard errors of the regressors and of every free fixed-effect level (pinned levels get 0), from the full
/// sandwich over the design `[X, D_free]` written densely. `columns` are the raw (not partialled) kept regressors,
/// `pins` the stacked pinned levels. Returns `None` when the design is larger than [`FIXED_EFFECT_SE_LIMIT`] or the
/// Hessian is singular (the pins are not a normalisation).
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_errors(
    columns: &[Vec<f64>],
    fe: &super::design::SampleEffects,
    pins: &[bool],
    weights: &[f64],
    residuals: &[f64],
    clusters: &[(Vec<u32>, usize)],
    factors: (f64, ClusterDf, SmallSample),
) -> Option<Vec<f64>> {
    let k = columns.len();
    let mut position = vec![usize::MAX; pins.len()];
    let mut p = k;
    for (i, &pinned) in pins.iter().enumerate() {
        if !pinned {
            position[i] = p;
            p += 1;
        }
    }
    if p > FIXED_EFFECT_SE_LIMIT || p == 0 {
        return None;
    }
    let n = residuals.len();
    // The non-zero entries of row i of the design: (position, value).
    let row = |i: usize, out: &mut Vec<(usize, f64)>| {
        out.clear();
        for (j, c) in columns.iter().enumerate() {
            out.push((j, c[i]));
        }
        for (d, codes) in fe.codes.iter().enumerate() {
            let q = position[fe.starts[d] + codes[i] as usize];
            if q != usize::MAX {
                out.push((q, 1.0));
            }
        }
    };
    let mut h = vec![0.0; p * p];
    let mut entries = Vec::new();
    for (i, &w) in weights.iter().enumerate().take(n) {
        row(i, &mut entries);
        for &(a, va) in &entries {
            for &(b, vb) in &entries {
                h[a * p + b] += w * va * vb;
            }
        }
    }
    let scale: Vec<f64> = (0..p).map(|a| h[a * p + a]).collect();
    let chol = super::linalg::OrderedCholesky::new(&h, p, &scale, 1e-12);
    if chol.kept.len() != p {
        return None;
    }
    let bread = chol.inverse();
    let meat_of = |group: Option<(&[u32], usize)>| -> Vec<f64> {
        let mut meat = vec![0.0; p * p];
        let mut entries = Vec::new();
        match group {
            None => {
                for (i, &e) in residuals.iter().enumerate() {
                    row(i, &mut entries);
                    for &(a, va) in &entries {
                        for &(b, vb) in &entries {
                            meat[a * p + b] += e * e * va * vb;
                        }
                    }
                }
            }
            Some((codes, groups)) => {
                let mut sums = vec![0.0; groups * p];
                for (i, &e) in residuals.iter().enumerate() {
                    row(i, &mut entries);
                    let g = codes[i] as usize;
                    for &(a, va) in &entries {
                        sums[g * p + a] += e * va;
                    }
                }
                for s in sums.chunks_exact(p) {
                    for a in 0..p {
                        if s[a] != 0.0 {
                            for b in 0..p {
                                meat[a * p + b] += s[a] * s[b];
                            }
                        }
                    }
                }
            }
        }
        meat
    };
    let (factor, cluster_df, convention) = factors;
    let meat = match clusters {
        [] => meat_of(None).iter().map(|m| m * factor).collect::<Vec<f64>>(),
        [(g1, n1)] => meat_of(Some((g1, *n1))).iter().map(|m| m * factor).collect(),
        [(g1, n1), (g2, n2), ..] => {
            let (g12, n12) = intersect(g1, g2);
            let g_factor = |g: usize| if g > 1 { g as f64 / (g as f64 - 1.0) } else { 1.0 };
            // `factor` holds the first term's factor; rebuild each term's from it.
            let base = factor / g_factor(if cluster_df == ClusterDf::Min { (*n1).min(*n2) } else { *n1 });
            let term = |g: usize| match (convention, cluster_df) {
                (SmallSample::None, _) => 1.0,
                (_, ClusterDf::Min) => base * g_factor((*n1).min(*n2)),
                (_, ClusterDf::Conventional) => base * g_factor(g),
            };
            let (m1, m2, m12) = (meat_of(Some((g1, *n1))), meat_of(Some((g2, *n2))), meat_of(Some((&g12, n12))));
            (0..p * p).map(|i| term(*n1) * m1[i] + term(*n2) * m2[i] - term(n12) * m12[i]).collect()
        }
    };
    let v = sandwich(&bread, &meat, p);
    let mut out = vec![0.0; pins.len() + k];
    for a in 0..k {
        out[a] = v[a * p + a].max(0.0).sqrt();
    }
    for (i, &q) in position.iter().enumerate() {
        if q != usize::MAX {
            out[k + i] = v[q * p + q].max(0.0).sqrt();
        }
    }
    Some(out)
}
