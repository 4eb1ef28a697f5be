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
