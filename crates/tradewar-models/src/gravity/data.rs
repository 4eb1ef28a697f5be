//! The baseline of the exact-hat GE: an observed (or modelled) square trade matrix.

use super::{invalid, name_of, validate_countries, validate_square};
use crate::Result;

/// A square bilateral trade matrix with domestic flows on the diagonal: the baseline of [`solve_full_ge`].
///
/// `trade[i * N + j]` is the value of the flow from exporter `i` to importer `j` (in any one currency unit;
/// results are in the same unit). Output is the row sum `Y_i = Σ_j X_ij` and expenditure the column sum
/// `E_j = Σ_i X_ij`, so that the baseline is an equilibrium of the model by construction; their difference
/// `E_j − Y_j` is country `j`'s trade deficit. When the flows include ad valorem duties whose revenue is rebated
/// ([`GeConfig::rebate_tariff_revenue`]), the GE nets the duties out of output itself.
///
/// [`solve_full_ge`]: super::solve_full_ge
/// [`GeConfig::rebate_tariff_revenue`]: super::GeConfig::rebate_tariff_revenue
#[derive(Debug, Clone, PartialEq)]
pub struct GravityData {
    countries: Vec<String>,
    trade: Vec<f64>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
}

impl GravityData {
    /// Builds the baseline from country codes and an `N × N` row-major trade matrix (exporter rows).
    ///
    /// Errors with [`ModelError::InvalidInput`](crate::ModelError::InvalidInput) when the codes are empty or
    /// repeated, the matrix is not `N × N`, a flow is negative, NaN or infinite, or a country has zero output
    /// (no sales at all) or zero expenditure (no purchases at all).
    pub fn from_trade_matrix(countries: Vec<String>, trade: Vec<f64>) -> Result<Self> {
        validate_countries(&countries)?;
        validate_square("trade flow", &trade, &countries)?;
        let n = countries.len();
        let mut output = vec![0.0; n];
        let mut expenditure = vec![0.0; n];
        for (i, row) in trade.chunks_exact(n).enumerate() {
            output[i] = row.iter().sum();
            for (e, x) in expenditure.iter_mut().zip(row) {
                *e += x;
            }
        }
        for (i, (&y, &e)) in output.iter().zip(&expenditure).enumerate() {
            if !(y > 0.0 && y.is_finite()) {
                return Err(invalid(
                    format!("output of {}", name_of(&countries, i)),
                    format!("the row sum of its flows (domestic sales included) must be positive and finite, got {y}"),
                ));
            }
            if !(e > 0.0 && e.is_finite()) {
                return Err(invalid(
                    format!("expenditure of {}", name_of(&countries, i)),
                    format!(
                        "the column sum of its flows (domestic purchases included) must be positive and finite, got {e}"
                    ),
                ));
            }
        }
        Ok(Self { countries, trade, output, expenditure })
    }

    /// Number of countries `N`.
    pub fn len(&self) -> usize {
        self.countries.len()
    }

    /// Whether there are no countries (never true for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    /// The country codes, in matrix order.
    pub fn countries(&self) -> &[String] {
        &self.countries
    }

    /// The position of a country code, if present.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| c == code)
    }

    /// The `N × N` row-major trade matrix (exporter rows, importer columns).
    pub fn trade(&self) -> &[f64] {
        &self.trade
    }

    /// The flow from `exporter` to `importer` (positions), or `None` when out of range.
    pub fn flow(&self, exporter: usize, importer: usize) -> Option<f64> {
        let n = self.len();
        if exporter < n && importer < n {
            self.trade.get(exporter * n + importer).copied()
        } else {
            None
        }
    }

    /// Output `Y_i = Σ_j X_ij` (row sums).
    pub fn output(&self) -> &[f64] {
        &self.output
    }

    /// Expenditure `E_j = Σ_i X_ij` (column sums).
    pub fn expenditure(&self) -> &[f64] {
        &self.expenditure
    }
}
