//! Recovering the fixed-effect coefficients of a fit, normalised.
//!
//! IRLS never builds the dummies, but it keeps the coefficients `α` of its last projection, so the fixed-effect
//! part of the linear predictor is `Dα` exactly. Those `α` are one of many solutions when the dimensions overlap
//! (adding `c` to every exporter-year effect and subtracting it from every importer-year effect of the same year
//! changes nothing). A normalisation pins some levels to zero; the others are then found by least squares on
//! `Dα` with those levels held at zero, and the fit is checked to be unchanged, so a set of pins that is not a
//! normalisation (it would change the fitted values) is refused rather than answered.

use super::demean::Projector;
use super::design::{Factor, SampleEffects};
use crate::{ModelError, Result};

/// The estimated coefficients of one fixed-effect dimension, for the levels present in the estimation sample.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedEffectValues {
    /// The dimension's name.
    pub name: String,
    /// Level labels, in the factor's order.
    pub labels: Vec<String>,
    /// The coefficient of each level (on the scale of the linear predictor, `ln μ`).
    pub values: Vec<f64>,
    /// Whether each level was pinned to zero by the normalisation.
    pub reference: Vec<bool>,
    /// Standard error of each level's coefficient under the normalisation (0 for a pinned level), when asked for
    /// with [`PpmlOptions::fixed_effect_std_errors`](super::PpmlOptions::fixed_effect_std_errors); NaN otherwise.
    pub std_errors: Vec<f64>,
}

impl FixedEffectValues {
    /// The coefficient of a level, if the level is in the sample.
    pub fn value(&self, label: &str) -> Option<f64> {
        self.labels.iter().position(|l| l == label).map(|p| self.values[p])
    }
}

/// A level of a fixed effect pinned to zero by a normalisation: `(dimension name, level label)`.
pub type Reference = (String, String);

fn find(parent: &mut [usize], mut a: usize) -> usize {
    while parent[a] != a {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    a
}

/// Union–find over the levels of two dimensions.
fn components(fe: &SampleEffects) -> Vec<usize> {
    let (l0, l1) = (fe.levels[0], fe.levels[1]);
    let mut parent: Vec<usize> = (0..l0 + l1).collect();
    for (&a, &b) in fe.codes[0].iter().zip(&fe.codes[1]) {
        let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, l0 + b as usize));
        if ra != rb {
            parent[ra] = rb;
        }
    }
    (0..l0 + l1).map(|a| find(&mut parent, a)).collect()
}

/// The default normalisation: none for one dimension; for two, the first level (in label order) of the second
/// dimension in every connected set of levels; for more, that and the first level of every further dimension.
/// Returns the stacked pins and a note when uniqueness is not guaranteed.
fn default_pins(fe: &SampleEffects) -> (Vec<bool>, Option<String>) {
    let mut pins = vec![false; fe.total_levels()];
    if fe.dims() < 2 {
        return (pins, None);
    }
    let comp = components(fe);
    let l0 = fe.levels[0];
    let mut seen = std::collections::HashSet::new();
    for level in 0..fe.levels[1] {
        if seen.insert(comp[l0 + level]) {
            pins[fe.starts[1] + level] = true;
        }
    }
    if fe.dims() == 2 {
        return (pins, None);
    }
    for d in 2..fe.dims() {
        pins[fe.starts[d]] = true;
    }
    (
        pins,
        Some(
            "with three or more fixed-effect dimensions the default normalisation (first level of each further \
             dimension) is not guaranteed to identify every coefficient; pass references to fix it"
                .to_string(),
        ),
    )
}

/// Normalises `alpha` (stacked over the dimensions of `fe`, whose factors are `factors`) with `references` (or the
/// default), returning one [`FixedEffectValues`] per dimension and any note.
pub(crate) fn recover(
    fe: &SampleEffects,
    factors: &[&Factor],
    alpha: &[f64],
    references: &[Reference],
    tolerance: f64,
    max_iterations: usize,
) -> Result<(Vec<FixedEffectValues>, Option<String>)> {
    if fe.dims() == 0 {
        return Ok((Vec::new(), None));
    }
    let (pins, note) = if references.is_empty() {
        default_pins(fe)
    } else {
        let mut pins = vec![false; fe.total_levels()];
        for (dim, label) in references {
            let d = factors.iter().position(|f| f.name() == dim).ok_or_else(|| ModelError::InvalidInput {
                what: format!("fixed-effect reference {dim}={label}"),
                reason: format!(
                    "{dim} is not a fixed effect of the model ({})",
                    factors.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                ),
            })?;
            let code = factors[d].code_of(label).ok_or_else(|| ModelError::InvalidInput {
                what: format!("fixed-effect reference {dim}={label}"),
                reason: format!("{label} is not a level of {dim}"),
            })?;
            let level = fe.original[d].binary_search(&code).map_err(|_| ModelError::InvalidInput {
                what: format!("fixed-effect reference {dim}={label}"),
                reason: "the level has no observation in the estimation sample".into(),
            })?;
            pins[fe.starts[d] + level] = true;
        }
        (pins, None)
    };
    let n = fe.codes[0].len();
    let unit = vec![1.0; n];
    let projector = Projector::new(fe, &unit).with_pinned(pins.clone());
    // Target: the fitted fixed-effect part Dα; start from α with the pinned levels set to zero.
    let mut target = vec![0.0; n];
    for (d, codes) in fe.codes.iter().enumerate() {
        for (t, &c) in target.iter_mut().zip(codes) {
            *t += alpha[fe.starts[d] + c as usize];
        }
    }
    let scale = target.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    let mut values: Vec<f64> = alpha.iter().zip(&pins).map(|(&a, &p)| if p { 0.0 } else { a }).collect();
    let mut residual = target;
    projector.residualize(&mut residual, &mut values, tolerance, max_iterations).map_err(|e| {
        ModelError::NonConvergence {
            solver: "PPML fixed-effect recovery",
            iterations: e.iterations,
            residual: e.residual,
            tolerance,
            detail: String::new(),
        }
    })?;
    let worst = residual.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if worst > 1e-7 * scale {
        let mut pinned: Vec<String> = Vec::new();
        for (d, f) in factors.iter().enumerate() {
            for l in (0..fe.levels[d]).filter(|&l| pins[fe.starts[d] + l]) {
                pinned.push(format!("{}={}", f.name(), f.labels()[fe.original[d][l] as usize]));
            }
        }
        return Err(ModelError::InvalidInput {
            what: "fixed-effect references".into(),
            reason: format!(
                "pinning {} to zero changes the fitted values (by up to {worst:e} in ln μ): they are not a \
                 normalisation of these fixed effects (too many, or two in one connected set)",
                pinned.join(", ")
            ),
        });
    }
    let out = factors
        .iter()
        .enumerate()
        .map(|(d, f)| {
            let range = fe.starts[d]..fe.starts[d] + fe.levels[d];
            FixedEffectValues {
                name: f.name().to_string(),
                labels: fe.original[d].iter().map(|&c| f.labels()[c as usize].clone()).collect(),
                values: values[range.clone()].to_vec(),
                reference: pins[range.clone()].to_vec(),
                std_errors: vec![f64::NAN; range.len()],
            }
        })
        .collect();
    Ok((out, note))
}
