//! The data of a PPML regression: the outcome, regressors, categorical columns (fixed effects and clusters),
//! offset and weights, each checked when it is added so that a bad value is refused with its name and row.

use std::collections::HashMap;

use crate::{ModelError, Result};

fn invalid(what: impl Into<String>, reason: impl Into<String>) -> ModelError {
    ModelError::InvalidInput { what: what.into(), reason: reason.into() }
}

/// A categorical column: one level per observation, stored as an integer code and the label of every code.
///
/// Levels are numbered in the sorted order of their labels (numerically for [`Factor::from_integers`]), so that
/// the same data give the same codes whatever the row order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    name: String,
    codes: Vec<u32>,
    labels: Vec<String>,
}

impl Factor {
    /// A factor from text labels, e.g. exporter codes. Errors when `values` is empty or has more than `u32::MAX`
    /// levels.
    pub fn from_labels<S: AsRef<str>>(name: impl Into<String>, values: &[S]) -> Result<Self> {
        let name = name.into();
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut first: Vec<&str> = Vec::new();
        let mut raw = Vec::with_capacity(values.len());
        for v in values {
            let v = v.as_ref();
            let next = u32::try_from(first.len())
                .map_err(|_| invalid(format!("factor {name}"), "has more than 2^32 levels"))?;
            let code = *index.entry(v).or_insert_with(|| {
                first.push(v);
                next
            });
            raw.push(code);
        }
        let labels: Vec<String> = first.iter().map(|s| (*s).to_string()).collect();
        Self::sorted(name, &raw, &labels)
    }

    /// A factor from integer keys (e.g. a pair id or a year); labels are the decimal numbers.
    pub fn from_integers(name: impl Into<String>, values: &[i64]) -> Result<Self> {
        let name = name.into();
        let (Some(&low), Some(&high)) = (values.iter().min(), values.iter().max()) else {
            return Self::checked(name, Vec::new(), Vec::new());
        };
        // Keys in a range no wider than a few times the rows (ids, years): a table instead of hashing.
        let span = u64::try_from(i128::from(high) - i128::from(low)).unwrap_or(u64::MAX);
        if span < 4 * values.len() as u64 + 1024 {
            let mut present = vec![false; span as usize + 1];
            for &v in values {
                present[(v - low) as usize] = true;
            }
            let mut rank = vec![u32::MAX; present.len()];
            let mut labels = Vec::new();
            for (k, p) in present.iter().enumerate() {
                if *p {
                    rank[k] = u32::try_from(labels.len())
                        .map_err(|_| invalid(format!("factor {name}"), "has more than 2^32 levels"))?;
                    labels.push((low + k as i64).to_string());
                }
            }
            let codes = values.iter().map(|&v| rank[(v - low) as usize]).collect();
            return Self::checked(name, codes, labels);
        }
        let mut index: HashMap<i64, u32> = HashMap::new();
        let mut first: Vec<i64> = Vec::new();
        let mut raw = Vec::with_capacity(values.len());
        for &v in values {
            let next = u32::try_from(first.len())
                .map_err(|_| invalid(format!("factor {name}"), "has more than 2^32 levels"))?;
            let code = *index.entry(v).or_insert_with(|| {
                first.push(v);
                next
            });
            raw.push(code);
        }
        let mut order: Vec<usize> = (0..first.len()).collect();
        order.sort_by_key(|&k| first[k]);
        let labels_sorted: Vec<String> = order.iter().map(|&k| first[k].to_string()).collect();
        let mut rank = vec![0u32; first.len()];
        for (r, &k) in order.iter().enumerate() {
            rank[k] = r as u32;
        }
        let codes = raw.iter().map(|&c| rank[c as usize]).collect();
        Self::checked(name, codes, labels_sorted)
    }

    /// The interaction of several factors of the same length (e.g. exporter × year): one level per combination
    /// that occurs, labelled by the components' labels joined with `#` (as Stata writes them).
    pub fn interact(name: impl Into<String>, parts: &[&Factor]) -> Result<Self> {
        let name = name.into();
        let Some(first) = parts.first() else {
            return Err(invalid(format!("factor {name}"), "an interaction needs at least one factor"));
        };
        let n = first.len();
        if let Some(p) = parts.iter().find(|p| p.len() != n) {
            return Err(invalid(
                format!("factor {name}"),
                format!("component {} has {} rows, {} has {n}", p.name, p.len(), first.name),
            ));
        }
        let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut combos: Vec<Vec<u32>> = Vec::new();
        let mut raw = Vec::with_capacity(n);
        let mut key = Vec::with_capacity(parts.len());
        for row in 0..n {
            key.clear();
            key.extend(parts.iter().map(|p| p.codes[row]));
            let code = if let Some(&c) = index.get(&key) {
                c
            } else {
                let c = u32::try_from(combos.len())
                    .map_err(|_| invalid(format!("factor {name}"), "has more than 2^32 levels"))?;
                index.insert(key.clone(), c);
                combos.push(key.clone());
                c
            };
            raw.push(code);
        }
        // Levels in the lexicographic order of the components' codes (each component is sorted already).
        let mut order: Vec<usize> = (0..combos.len()).collect();
        order.sort_by(|&a, &b| combos[a].cmp(&combos[b]));
        let mut rank = vec![0u32; combos.len()];
        for (r, &k) in order.iter().enumerate() {
            rank[k] = r as u32;
        }
        let labels = order
            .iter()
            .map(|&k| {
                combos[k].iter().zip(parts).map(|(&c, p)| p.labels[c as usize].as_str()).collect::<Vec<_>>().join("#")
            })
            .collect();
        let codes = raw.iter().map(|&c| rank[c as usize]).collect();
        Self::checked(name, codes, labels)
    }

    /// A factor from codes and labels as they are (`codes[i] < labels.len()`; every label used at least once
    /// need not hold).
    pub fn from_codes(name: impl Into<String>, codes: Vec<u32>, labels: Vec<String>) -> Result<Self> {
        let name = name.into();
        if let Some((row, c)) = codes.iter().enumerate().find(|(_, &c)| c as usize >= labels.len()) {
            return Err(invalid(
                format!("factor {name}, row {row}"),
                format!("code {c} is out of range for {} labels", labels.len()),
            ));
        }
        Self::checked(name, codes, labels)
    }

    /// Renumbers `raw` codes so that levels follow the sorted order of their labels.
    fn sorted(name: String, raw: &[u32], labels: &[String]) -> Result<Self> {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
        let mut rank = vec![0u32; labels.len()];
        for (r, &k) in order.iter().enumerate() {
            rank[k] = r as u32;
        }
        let sorted_labels = order.iter().map(|&k| labels[k].clone()).collect();
        let codes = raw.iter().map(|&c| rank[c as usize]).collect();
        Self::checked(name, codes, sorted_labels)
    }

    fn checked(name: String, codes: Vec<u32>, labels: Vec<String>) -> Result<Self> {
        if name.trim().is_empty() {
            return Err(invalid("factor name", "must not be empty"));
        }
        if codes.is_empty() {
            return Err(invalid(format!("factor {name}"), "has no rows"));
        }
        Ok(Self { name, codes, labels })
    }

    /// The factor's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows (never true for a constructed factor).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The level code of every row.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The label of every level code.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of levels.
    pub fn levels(&self) -> usize {
        self.labels.len()
    }

    /// The code of a level label, if present.
    pub fn code_of(&self, label: &str) -> Option<u32> {
        self.labels.iter().position(|l| l == label).map(|p| p as u32)
    }
}

/// The data of a PPML regression `E[y | x] = exp(offset + x·β + α₁[g₁] + … + α_D[g_D])`.
///
/// Built with [`PpmlData::new`] and the `with_*` methods; each checks its column (length, finite values, and
/// for the outcome non-negative values) and errors with [`ModelError::InvalidInput`] naming the column and row.
/// Without fixed effects the model has a constant (`_cons`), unless [`PpmlData::without_intercept`] is called.
#[derive(Debug, Clone, PartialEq)]
pub struct PpmlData {
    pub(crate) outcome_name: String,
    pub(crate) outcome: Vec<f64>,
    pub(crate) regressors: Vec<(String, Vec<f64>)>,
    pub(crate) fixed_effects: Vec<Factor>,
    pub(crate) offset: Option<Vec<f64>>,
    pub(crate) weights: Option<Vec<f64>>,
    pub(crate) clusters: Vec<Factor>,
    pub(crate) intercept: bool,
}

impl PpmlData {
    /// The outcome (e.g. trade flows): finite and non-negative, at least one row.
    pub fn new(name: impl Into<String>, outcome: Vec<f64>) -> Result<Self> {
        let name = name.into();
        if outcome.is_empty() {
            return Err(invalid(format!("outcome {name}"), "has no rows"));
        }
        if let Some((row, v)) = outcome.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
            return Err(invalid(
                format!("outcome {name}, row {row}"),
                format!("must be finite and non-negative (PPML needs y ≥ 0), got {v}"),
            ));
        }
        Ok(Self {
            outcome_name: name,
            outcome,
            regressors: Vec::new(),
            fixed_effects: Vec::new(),
            offset: None,
            weights: None,
            clusters: Vec::new(),
            intercept: true,
        })
    }

    fn check_len(&self, what: &str, len: usize) -> Result<()> {
        if len == self.outcome.len() {
            Ok(())
        } else {
            Err(invalid(what, format!("has {len} rows, the outcome {} has {}", self.outcome_name, self.outcome.len())))
        }
    }

    fn check_name(&self, what: &str, name: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(invalid(what, "the name must not be empty"));
        }
        let taken = self.regressors.iter().any(|(n, _)| n == name)
            || self.fixed_effects.iter().any(|f| f.name == name)
            || name == "_cons";
        if taken {
            return Err(invalid(format!("{what} {name}"), "the name is used twice (or is the reserved _cons)"));
        }
        Ok(())
    }

    /// Adds a regressor (finite values).
    pub fn with_regressor(mut self, name: impl Into<String>, values: Vec<f64>) -> Result<Self> {
        let name = name.into();
        self.check_name("regressor", &name)?;
        self.check_len(&format!("regressor {name}"), values.len())?;
        if let Some((row, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(invalid(format!("regressor {name}, row {row}"), format!("must be finite, got {v}")));
        }
        self.regressors.push((name, values));
        Ok(self)
    }

    /// Adds a fixed-effect dimension (absorbed, never built as dummies).
    pub fn with_fixed_effect(mut self, factor: Factor) -> Result<Self> {
        self.check_name("fixed effect", &factor.name)?;
        self.check_len(&format!("fixed effect {}", factor.name), factor.len())?;
        self.fixed_effects.push(factor);
        Ok(self)
    }

    /// Sets the offset (a regressor with coefficient fixed at 1; finite values).
    pub fn with_offset(mut self, values: Vec<f64>) -> Result<Self> {
        self.check_len("offset", values.len())?;
        if let Some((row, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(invalid(format!("offset, row {row}"), format!("must be finite, got {v}")));
        }
        self.offset = Some(values);
        Ok(self)
    }

    /// Sets frequency or importance weights (finite and non-negative; rows of weight 0 are left out).
    pub fn with_weights(mut self, values: Vec<f64>) -> Result<Self> {
        self.check_len("weights", values.len())?;
        if let Some((row, v)) = values.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
            return Err(invalid(format!("weights, row {row}"), format!("must be finite and non-negative, got {v}")));
        }
        self.weights = Some(values);
        Ok(self)
    }

    /// Adds a cluster variable for the variance (one for one-way clustering, two for two-way).
    pub fn with_cluster(mut self, factor: Factor) -> Result<Self> {
        if self.clusters.len() >= 2 {
            return Err(invalid(
                format!("cluster {}", factor.name),
                "at most two cluster variables are supported (one- or two-way clustering)",
            ));
        }
        self.check_len(&format!("cluster {}", factor.name), factor.len())?;
        self.clusters.push(factor);
        Ok(self)
    }

    /// Leaves out the constant of a model without fixed effects (with fixed effects there is none anyway).
    pub fn without_intercept(mut self) -> Self {
        self.intercept = false;
        self
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.outcome.len()
    }

    /// Whether there are no rows (never true for constructed data).
    pub fn is_empty(&self) -> bool {
        self.outcome.is_empty()
    }

    /// The outcome's name.
    pub fn outcome_name(&self) -> &str {
        &self.outcome_name
    }

    /// The outcome.
    pub fn outcome(&self) -> &[f64] {
        &self.outcome
    }

    /// The regressors, in order.
    pub fn regressors(&self) -> &[(String, Vec<f64>)] {
        &self.regressors
    }

    /// The fixed-effect dimensions, in order.
    pub fn fixed_effects(&self) -> &[Factor] {
        &self.fixed_effects
    }

    /// The cluster variables.
    pub fn clusters(&self) -> &[Factor] {
        &self.clusters
    }

    /// The offset, if any.
    pub fn offset(&self) -> Option<&[f64]> {
        self.offset.as_deref()
    }

    /// The weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// Whether the model has a constant: only without fixed effects, and unless left out.
    pub fn has_intercept(&self) -> bool {
        self.intercept && self.fixed_effects.is_empty()
    }
}

/// The fixed effects restricted to the rows of an estimation sample, levels renumbered densely.
#[derive(Debug, Clone)]
pub(crate) struct SampleEffects {
    /// Per dimension: the dense level of each sample row.
    pub codes: Vec<Vec<u32>>,
    /// Per dimension: the number of levels present in the sample.
    pub levels: Vec<usize>,
    /// Per dimension: the original level code of each dense level.
    pub original: Vec<Vec<u32>>,
    /// Start of each dimension in the stacked coefficient vector.
    pub starts: Vec<usize>,
    /// Row-major stacked level of every row and dimension: `stacked[i * dims + d] = starts[d] + codes[d][i]` (one
    /// pass over the rows then touches every dimension).
    pub stacked: Vec<u32>,
}

impl SampleEffects {
    /// The dimensions of `factors` on the rows `rows` (indices into the full data).
    pub fn new(factors: &[&Factor], rows: &[usize]) -> Self {
        let mut codes = Vec::with_capacity(factors.len());
        let mut levels = Vec::with_capacity(factors.len());
        let mut original = Vec::with_capacity(factors.len());
        let mut starts = Vec::with_capacity(factors.len());
        let mut start = 0;
        for f in factors {
            let mut dense = vec![u32::MAX; f.levels()];
            let mut back = Vec::new();
            let mut c = Vec::with_capacity(rows.len());
            for &r in rows {
                let code = f.codes[r] as usize;
                if dense[code] == u32::MAX {
                    dense[code] = back.len() as u32;
                    back.push(code as u32);
                }
                c.push(dense[code]);
            }
            // Keep the original level order among the levels present.
            let mut order: Vec<usize> = (0..back.len()).collect();
            order.sort_by_key(|&k| back[k]);
            let mut rank = vec![0u32; back.len()];
            for (r, &k) in order.iter().enumerate() {
                rank[k] = r as u32;
            }
            for v in &mut c {
                *v = rank[*v as usize];
            }
            let back_sorted: Vec<u32> = order.iter().map(|&k| back[k]).collect();
            starts.push(start);
            start += back_sorted.len();
            levels.push(back_sorted.len());
            original.push(back_sorted);
            codes.push(c);
        }
        let dims = codes.len();
        let mut stacked = vec![0u32; rows.len() * dims];
        for (d, c) in codes.iter().enumerate() {
            for (i, &level) in c.iter().enumerate() {
                stacked[i * dims + d] = starts[d] as u32 + level;
            }
        }
        Self { codes, levels, original, starts, stacked }
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.codes.len()
    }

    /// `out = Dα` (zeros without fixed effects).
    pub fn gather_into(&self, alpha: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (d, codes) in self.codes.iter().enumerate() {
            let a = &alpha[self.starts[d]..self.starts[d] + self.levels[d]];
            for (o, &c) in out.iter_mut().zip(codes) {
                *o += a[c as usize];
            }
        }
    }

    /// Total number of levels over all dimensions.
    pub fn total_levels(&self) -> usize {
        self.levels.iter().sum()
    }
}
