//! The baseline of the exact-hat GE: an observed (or modelled) square trade matrix.

use std::collections::BTreeMap;

use tradewar_core::Duplicates;

use super::{economy_code, invalid, name_of, validate_countries, validate_square};
use crate::Result;

/// What [`GravityData::from_flows`] does with an exporter × importer pair that has no row.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum MissingPairs {
    /// Refuse the table, naming the first missing pair (the default: a world matrix has every pair,
    /// domestic sales included, and a pair left out is more often a mistake than a zero).
    #[default]
    Refuse,
    /// Take a missing pair as this value (usually 0).
    Fill(f64),
}

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
        // Codes are case-insensitive: "usa" and "USA" are one economy (listed twice: an error).
        let countries = validate_countries(countries)?;
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

    /// Builds the baseline from a long table of flows: `exporter[k]` sold `value[k]` to `importer[k]`.
    /// Economies are the codes found (written in upper case, see [`super::economy_code`]), sorted. A pair on two
    /// rows is refused naming both rows unless `duplicates` is [`Duplicates::Sum`]; a pair on no row is refused
    /// unless `missing` gives a value for it.
    ///
    /// ```
    /// use tradewar_core::Duplicates;
    /// use tradewar_models::gravity::{GravityData, MissingPairs};
    /// let codes = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    /// let (e, i) = (codes(&["A", "B", "A"]), codes(&["A", "B", "B"]));
    /// // B -> A has no row: refused, unless absent pairs are taken as zero.
    /// assert!(GravityData::from_flows(&e, &i, &[10.0, 10.0, 1.0], Duplicates::Refuse, MissingPairs::Refuse).is_err());
    /// let w = GravityData::from_flows(&e, &i, &[10.0, 10.0, 1.0], Duplicates::Refuse, MissingPairs::Fill(0.0))?;
    /// assert_eq!(w.trade(), &[10.0, 1.0, 0.0, 10.0]);
    /// # Ok::<(), tradewar_models::ModelError>(())
    /// ```
    pub fn from_flows<S: AsRef<str>>(
        exporter: &[S],
        importer: &[S],
        value: &[f64],
        duplicates: Duplicates,
        missing: MissingPairs,
    ) -> Result<Self> {
        if exporter.len() != importer.len() || exporter.len() != value.len() {
            return Err(invalid(
                "flows",
                format!(
                    "exporter, importer and value have {}, {} and {} rows",
                    exporter.len(),
                    importer.len(),
                    value.len()
                ),
            ));
        }
        let code = |c: &str, what: &str, row: usize| {
            economy_code(c).map_err(|e| match e {
                crate::ModelError::InvalidInput { reason, .. } => invalid(format!("{what}[{row}]"), reason),
                other => other,
            })
        };
        let mut rows = Vec::with_capacity(value.len());
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (k, ((e, i), &v)) in exporter.iter().zip(importer).zip(value).enumerate() {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(format!("value[{k}]"), format!("{v} is not a finite, non-negative flow")));
            }
            let (e, i) = (code(e.as_ref(), "exporter", k)?, code(i.as_ref(), "importer", k)?);
            index.entry(e.clone()).or_insert(0);
            index.entry(i.clone()).or_insert(0);
            rows.push((e, i, v));
        }
        for (k, slot) in index.values_mut().enumerate() {
            *slot = k;
        }
        let n = index.len();
        let mut trade = vec![f64::NAN; n * n];
        let mut first_row = vec![usize::MAX; n * n];
        for (row, (e, i, v)) in rows.iter().enumerate() {
            let cell = index[e] * n + index[i];
            if first_row[cell] == usize::MAX {
                first_row[cell] = row;
                trade[cell] = *v;
            } else if duplicates == Duplicates::Sum {
                trade[cell] += v;
            } else {
                return Err(invalid(
                    format!("flow {e}→{i}"),
                    format!(
                        "is on rows {} and {row} (counted from 0); rows are not summed unless asked (aggregate=True in \
                         Python, Duplicates::Sum in Rust)",
                        first_row[cell]
                    ),
                ));
            }
        }
        let countries: Vec<String> = index.into_keys().collect();
        let absent = trade.iter().filter(|x| x.is_nan()).count();
        if absent > 0 {
            match missing {
                MissingPairs::Fill(fill) if fill.is_finite() && fill >= 0.0 => {
                    trade.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = fill);
                }
                MissingPairs::Fill(fill) => {
                    return Err(invalid("missing pairs", format!("{fill} is not a finite, non-negative flow")));
                }
                MissingPairs::Refuse => {
                    let k = trade.iter().position(|x| x.is_nan()).unwrap_or(0);
                    return Err(invalid(
                        format!("flow {}→{}", countries[k / n], countries[k % n]),
                        format!(
                            "has no row ({absent} of the {} pairs have none): list every pair, domestic sales \
                             included, or take absent pairs as zero (fill_missing=0.0 in Python, MissingPairs::Fill \
                             in Rust)",
                            n * n
                        ),
                    ));
                }
            }
        }
        Self::from_trade_matrix(countries, trade)
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

    /// The position of a country code, if present (codes are case-insensitive).
    pub fn index_of(&self, code: &str) -> Option<usize> {
        let code = economy_code(code).ok()?;
        self.countries.iter().position(|c| *c == code)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    /// Issue 11: a world with "usa" and "USA" ran them as two countries.
    #[test]
    fn codes_are_one_economy_whatever_their_case() {
        let trade = vec![10.0, 1.0, 1.0, 1.0, 10.0, 1.0, 1.0, 1.0, 10.0];
        let e = GravityData::from_trade_matrix(codes(&["usa", "USA", "CHN"]), trade.clone()).unwrap_err();
        assert!(e.to_string().contains("USA appears twice: at position 0 and as \"USA\" at position 1"), "{e}");
        let w = GravityData::from_trade_matrix(codes(&[" usa", "deu", "CHN"]), trade).unwrap();
        assert_eq!(w.countries(), ["USA", "DEU", "CHN"]);
        assert_eq!(w.index_of("Deu"), Some(1));
        assert!(GravityData::from_trade_matrix(codes(&["U S", "B"]), vec![1.0; 4]).is_err());
    }

    /// Issue 11: `from_flows` filled a missing pair with 0; duplicates must be asked to be summed.
    #[test]
    fn long_flows_refuse_missing_pairs_and_duplicates_unless_told() {
        let (e, i) = (codes(&["A", "B", "A"]), codes(&["A", "B", "B"]));
        let err = GravityData::from_flows(&e, &i, &[10.0, 10.0, 1.0], Duplicates::Refuse, MissingPairs::Refuse)
            .unwrap_err()
            .to_string();
        assert!(err.contains("flow B→A: has no row (1 of the 4 pairs have none)"), "{err}");
        let (e2, i2) = (codes(&["A", "B", "A", "B", "a"]), codes(&["A", "B", "B", "A", "b"]));
        let v = [10.0, 10.0, 1.0, 2.0, 3.0];
        let err = GravityData::from_flows(&e2, &i2, &v, Duplicates::Refuse, MissingPairs::Refuse).unwrap_err();
        assert!(err.to_string().contains("flow A→B: is on rows 2 and 4"), "{err}");
        let w = GravityData::from_flows(&e2, &i2, &v, Duplicates::Sum, MissingPairs::Refuse).unwrap();
        assert_eq!(w.trade(), &[10.0, 4.0, 2.0, 10.0]);
        assert!(
            GravityData::from_flows(&e, &i, &[10.0, 10.0, 1.0], Duplicates::Refuse, MissingPairs::Fill(-1.0)).is_err()
        );
    }
}
