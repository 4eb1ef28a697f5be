//! Trade-cost shocks for [`solve_full_ge`](super::solve_full_ge) given as data: a table of cost-change factors
//! for every pair (domestic pairs included), or changes of estimated regressors (an RTA switched off) times their
//! coefficients; and baselines given as long tables of flows (e.g. a PPML fit's fitted values).

use std::collections::HashMap;

use super::full_ge::GeShock;
use super::invalid;
use crate::ppml::PpmlFit;
use crate::Result;

/// What a cost-change factor measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostChange {
    /// `t'_ij / t_ij`, the change of the (iceberg) trade-cost factor itself (0.9 = costs 10% lower); it enters the
    /// model as `(t'/t)^(1−σ)`.
    TradeCost,
    /// `T'_ij / T_ij = (t'_ij / t_ij)^(1−σ)`, the change of the cost term of the gravity equation (what estimated
    /// coefficients give: `exp(β·Δx)`; above 1 means lower costs).
    CostTerm,
}

fn index_of(countries: &[String]) -> HashMap<&str, usize> {
    countries.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect()
}

fn position(index: &HashMap<&str, usize>, code: &str, role: &str, row: usize) -> Result<usize> {
    index.get(code).copied().ok_or_else(|| {
        invalid(format!("cost change row {row}"), format!("{role} {code:?} is not a country of the baseline"))
    })
}

impl GeShock {
    /// A shock from one cost-change factor for **every** exporter × importer pair of `countries` (domestic pairs
    /// included), as `(exporter, importer, factor)` rows in any order; `form` says what the factor measures.
    ///
    /// Errors with [`ModelError::InvalidInput`](crate::ModelError::InvalidInput), naming the row or pair: an
    /// unknown country, a pair given twice, a pair missing, or a factor that is not positive and finite (use
    /// [`GeShock::ban`] for a prohibitive cost).
    pub fn from_pair_factors<S: AsRef<str>>(
        countries: &[String],
        rows: &[(S, S, f64)],
        form: CostChange,
    ) -> Result<Self> {
        let n = countries.len();
        let index = index_of(countries);
        let mut seen = vec![false; n * n];
        let mut shock = GeShock::none(n);
        for (row, (e, i, factor)) in rows.iter().enumerate() {
            let (a, b) =
                (position(&index, e.as_ref(), "exporter", row)?, position(&index, i.as_ref(), "importer", row)?);
            if seen[a * n + b] {
                return Err(invalid(
                    format!("cost change row {row}"),
                    format!("the pair {} → {} is given twice", countries[a], countries[b]),
                ));
            }
            seen[a * n + b] = true;
            if !(factor.is_finite() && *factor > 0.0) {
                return Err(invalid(
                    format!("cost change of {} → {} (row {row})", countries[a], countries[b]),
                    format!("must be positive and finite, got {factor} (a ban is a prohibitive cost: use ban())"),
                ));
            }
            match form {
                CostChange::TradeCost => shock.set_cost_factor_change(a, b, *factor)?,
                CostChange::CostTerm => shock.set_cost_term_change(a, b, *factor)?,
            }
        }
        if let Some(k) = seen.iter().position(|s| !s) {
            let missing = seen.iter().filter(|s| !**s).count();
            return Err(invalid(
                "cost change table",
                format!(
                    "{missing} of the {} pairs are missing, the first {} → {}: give a factor for every pair, domestic \
                     pairs included (1 for no change)",
                    n * n,
                    countries[k / n],
                    countries[k % n]
                ),
            ));
        }
        Ok(shock)
    }

    /// A shock from a square matrix of cost-change factors (`N × N` row-major, exporter rows, domestic pairs on
    /// the diagonal); `form` says what the factors measure. Errors as [`GeShock::from_pair_factors`].
    pub fn from_factor_matrix(countries: &[String], factors: &[f64], form: CostChange) -> Result<Self> {
        let n = countries.len();
        if factors.len() != n * n {
            return Err(invalid(
                "cost change matrix",
                format!("expected {n} × {n} = {} factors (row-major, exporter rows), got {}", n * n, factors.len()),
            ));
        }
        let rows: Vec<(&str, &str, f64)> = factors
            .iter()
            .enumerate()
            .map(|(k, &f)| (countries[k / n].as_str(), countries[k % n].as_str(), f))
            .collect();
        Self::from_pair_factors(countries, &rows, form)
    }

    /// Adds the change `Δx` of a regressor with coefficient `beta` on the listed pairs: each pair's cost term is
    /// multiplied by `exp(β·Δx)` (removing an RTA: `Δx = −1`). Pairs not listed do not change.
    pub fn add_regressor_change<S: AsRef<str>>(
        &mut self,
        countries: &[String],
        regressor: &str,
        beta: f64,
        changes: &[(S, S, f64)],
    ) -> Result<()> {
        if !beta.is_finite() {
            return Err(invalid(format!("coefficient of {regressor}"), format!("must be finite, got {beta}")));
        }
        if countries.len() != self.len() {
            return Err(invalid(
                "countries",
                format!("{} codes given for a shock of {} countries", countries.len(), self.len()),
            ));
        }
        let index = index_of(countries);
        for (row, (e, i, delta)) in changes.iter().enumerate() {
            let (a, b) =
                (position(&index, e.as_ref(), "exporter", row)?, position(&index, i.as_ref(), "importer", row)?);
            if !delta.is_finite() {
                return Err(invalid(
                    format!("change of {regressor} on {} → {}", countries[a], countries[b]),
                    format!("must be finite, got {delta}"),
                ));
            }
            let factor = (beta * delta).exp();
            if !(factor.is_finite() && factor > 0.0) {
                return Err(invalid(
                    format!("change of {regressor} on {} → {}", countries[a], countries[b]),
                    format!("exp({beta} × {delta}) is not a usable factor"),
                ));
            }
            self.set_cost_term_change(a, b, factor)?;
        }
        Ok(())
    }

    /// As [`add_regressor_change`](Self::add_regressor_change), with the coefficient taken from a PPML fit. Errors
    /// when the fit has no such regressor or left it out as collinear.
    pub fn add_estimated_change<S: AsRef<str>>(
        &mut self,
        countries: &[String],
        fit: &PpmlFit,
        regressor: &str,
        changes: &[(S, S, f64)],
    ) -> Result<()> {
        let c = fit.coefficient(regressor).ok_or_else(|| {
            invalid(
                format!("regressor {regressor}"),
                format!(
                    "is not in the fit (its terms: {})",
                    fit.coefficients.iter().map(|c| c.term.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        if c.omitted {
            return Err(invalid(
                format!("regressor {regressor}"),
                "was omitted from the fit as collinear: it has no estimated coefficient",
            ));
        }
        self.add_regressor_change(countries, regressor, c.estimate, changes)
    }
}
