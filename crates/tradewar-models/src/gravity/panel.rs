//! Square gravity panels (one year, every exporter × importer pair) and trade costs from estimated coefficients.

use super::data::GravityData;
use super::{invalid, name_of, validate_countries, validate_square};
use crate::Result;

/// Which columns of a long-format gravity file hold what (see [`GravityPanel::from_csv_str`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelColumns {
    /// Exporter code column.
    pub exporter: String,
    /// Importer code column.
    pub importer: String,
    /// Observed trade value column.
    pub trade: String,
    /// Exporter output `Y_i` column (one value per exporter, repeated on its rows).
    pub output: String,
    /// Importer expenditure `E_j` column (one value per importer, repeated on its rows).
    pub expenditure: String,
    /// Optional `(column, value)` filter, e.g. `("year", "2006")`: only rows with that value are read.
    pub filter: Option<(String, String)>,
    /// Trade-cost variables to read (each becomes an `N × N` matrix).
    pub cost_variables: Vec<String>,
}

impl PanelColumns {
    /// The layout of `gegravity`'s 30-country sample (`sample_data_set.dlm`, also
    /// `tradewar_data::embedded::gravity_sample_csv()`): `exporter, importer, year, trade, Y, E` and the cost
    /// variables `pta, contiguity, common_language, lndist, international`, keeping the given year.
    pub fn gegravity_sample(year: &str) -> Self {
        Self {
            exporter: "exporter".into(),
            importer: "importer".into(),
            trade: "trade".into(),
            output: "Y".into(),
            expenditure: "E".into(),
            filter: Some(("year".into(), year.into())),
            cost_variables: ["pta", "contiguity", "common_language", "lndist", "international"]
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
        }
    }
}

/// Estimated trade-cost coefficients: `t_ij^(1−σ) = exp(constant + Σ_k β_k · x_k,ij)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CostCoefficients {
    constant: f64,
    coefficients: Vec<(String, f64)>,
}

impl CostCoefficients {
    /// Builds the coefficients; errors when a value is not finite or a variable is named twice.
    pub fn new<S: Into<String>>(constant: f64, coefficients: impl IntoIterator<Item = (S, f64)>) -> Result<Self> {
        if !constant.is_finite() {
            return Err(invalid("cost coefficient constant", format!("must be finite, got {constant}")));
        }
        let mut out: Vec<(String, f64)> = Vec::new();
        for (name, value) in coefficients {
            let name = name.into();
            if !value.is_finite() {
                return Err(invalid(format!("cost coefficient {name}"), format!("must be finite, got {value}")));
            }
            if out.iter().any(|(n, _)| *n == name) {
                return Err(invalid(format!("cost coefficient {name}"), "is given twice"));
            }
            out.push((name, value));
        }
        Ok(Self { constant, coefficients: out })
    }

    /// The PPML (Stata `ppmlhdfe`) estimates published with `gegravity`'s documentation for its 2006 sample:
    /// lndist −0.3898623, contiguity 0.891577, common_language 0.0326249, pta 0.4711383,
    /// international −3.412584, constant 16.32434.
    pub fn gegravity_sample_ppml() -> Self {
        Self {
            constant: 16.324_34,
            coefficients: vec![
                ("lndist".into(), -0.389_862_3),
                ("contiguity".into(), 0.891_577),
                ("common_language".into(), 0.032_624_9),
                ("pta".into(), 0.471_138_3),
                ("international".into(), -3.412_584),
            ],
        }
    }

    /// The constant term.
    pub fn constant(&self) -> f64 {
        self.constant
    }

    /// The `(variable, coefficient)` pairs.
    pub fn coefficients(&self) -> &[(String, f64)] {
        &self.coefficients
    }
}

/// One year of a square gravity panel: every exporter × importer pair (domestic pairs included) with observed
/// trade, the exporter's output `Y_i`, the importer's expenditure `E_j` and trade-cost variables.
///
/// Countries are sorted by code (as `gegravity` sorts them); every matrix is `N × N` row-major with exporter rows.
#[derive(Debug, Clone, PartialEq)]
pub struct GravityPanel {
    countries: Vec<String>,
    trade: Vec<f64>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
    variables: Vec<(String, Vec<f64>)>,
}

/// One parsed row of a long-format panel.
struct Row {
    exporter: String,
    importer: String,
    trade: f64,
    output: f64,
    expenditure: f64,
    variables: Vec<f64>,
}

impl GravityPanel {
    /// Builds a panel from matrices. `variables` are named `N × N` trade-cost variables.
    ///
    /// Errors when a code is empty or repeated, a matrix has the wrong size, a trade flow is negative or not
    /// finite, an output or expenditure is not positive and finite, or a variable is not finite.
    pub fn from_matrices(
        countries: Vec<String>,
        trade: Vec<f64>,
        output: Vec<f64>,
        expenditure: Vec<f64>,
        variables: Vec<(String, Vec<f64>)>,
    ) -> Result<Self> {
        let countries = validate_countries(countries)?;
        validate_square("trade flow", &trade, &countries)?;
        let n = countries.len();
        for (what, values) in [("output", &output), ("expenditure", &expenditure)] {
            if values.len() != n {
                return Err(invalid(what, format!("expected {n} values (one per country), got {}", values.len())));
            }
            for (i, &v) in values.iter().enumerate() {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(
                        format!("{what} of {}", name_of(&countries, i)),
                        format!("must be positive and finite, got {v}"),
                    ));
                }
            }
        }
        for (k, (name, values)) in variables.iter().enumerate() {
            if variables[..k].iter().any(|(other, _)| other == name) {
                return Err(invalid(format!("cost variable {name}"), "is given twice"));
            }
            if values.len() != n * n {
                return Err(invalid(
                    format!("cost variable {name}"),
                    format!("expected {} values, got {}", n * n, values.len()),
                ));
            }
            if let Some(p) = values.iter().position(|v| !v.is_finite()) {
                return Err(invalid(
                    format!(
                        "cost variable {name} from {} to {}",
                        name_of(&countries, p / n),
                        name_of(&countries, p % n)
                    ),
                    format!("must be finite, got {}", values[p]),
                ));
            }
        }
        Ok(Self { countries, trade, output, expenditure, variables })
    }

    /// Reads a long-format panel from comma-separated text with a header row (one row per exporter × importer
    /// pair, as `gegravity`'s `sample_data_set.dlm`). Quoted fields are not supported.
    ///
    /// Every pair of the countries present must appear exactly once (after the filter); each exporter's output
    /// and each importer's expenditure must be the same on all of its rows (to 1e-9 relative). Errors name the
    /// line and the column.
    pub fn from_csv_str(text: &str, columns: &PanelColumns) -> Result<Self> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| invalid("gravity panel", "the text is empty"))?;
        let header: Vec<&str> = header.split(',').map(str::trim).collect();
        let find = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .ok_or_else(|| invalid(format!("gravity panel column {name}"), "is missing from the header"))
        };
        let exporter = find(&columns.exporter)?;
        let importer = find(&columns.importer)?;
        let trade = find(&columns.trade)?;
        let output = find(&columns.output)?;
        let expenditure = find(&columns.expenditure)?;
        let filter = match &columns.filter {
            Some((col, value)) => Some((find(col)?, value.trim())),
            None => None,
        };
        let vars = columns.cost_variables.iter().map(|v| find(v)).collect::<Result<Vec<_>>>()?;

        let mut rows = Vec::new();
        for (line_no, line) in lines {
            let line_no = line_no + 1;
            if line.contains('"') {
                return Err(invalid(format!("gravity panel line {line_no}"), "quoted fields are not supported"));
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != header.len() {
                return Err(invalid(
                    format!("gravity panel line {line_no}"),
                    format!("has {} fields, the header has {}", fields.len(), header.len()),
                ));
            }
            if let Some((col, value)) = filter {
                if fields[col] != value {
                    continue;
                }
            }
            let number = |col: usize| -> Result<f64> {
                fields[col].parse::<f64>().map_err(|_| {
                    invalid(
                        format!("gravity panel line {line_no}, column {}", header[col]),
                        format!("{:?} is not a number", fields[col]),
                    )
                })
            };
            let code = |col: usize| {
                super::economy_code(fields[col]).map_err(|_| {
                    invalid(
                        format!("gravity panel line {line_no}, column {}", header[col]),
                        format!("{:?} is not an economy code", tradewar_core::excerpt(fields[col])),
                    )
                })
            };
            rows.push(Row {
                exporter: code(exporter)?,
                importer: code(importer)?,
                trade: number(trade)?,
                output: number(output)?,
                expenditure: number(expenditure)?,
                variables: vars.iter().map(|&c| number(c)).collect::<Result<Vec<_>>>()?,
            });
        }
        Self::from_rows(&rows, &columns.cost_variables)
    }

    /// Builds a panel from long columns, one row per exporter × importer pair (as
    /// [`from_csv_str`](Self::from_csv_str) after its filter): every pair of the countries present exactly once,
    /// each exporter's output and each importer's expenditure the same on all of its rows (to 1e-9 relative).
    /// `variables` are named columns of the same length.
    pub fn from_columns<S: AsRef<str>>(
        exporters: &[S],
        importers: &[S],
        trade: &[f64],
        output: &[f64],
        expenditure: &[f64],
        variables: &[(String, Vec<f64>)],
    ) -> Result<Self> {
        let n = exporters.len();
        for (what, len) in [
            ("importer", importers.len()),
            ("trade", trade.len()),
            ("output", output.len()),
            ("expenditure", expenditure.len()),
        ]
        .into_iter()
        .chain(variables.iter().map(|(name, v)| (name.as_str(), v.len())))
        {
            if len != n {
                return Err(invalid(
                    format!("gravity panel column {what}"),
                    format!("has {len} rows, exporter has {n}"),
                ));
            }
        }
        let rows: Vec<Row> = (0..n)
            .map(|k| Row {
                exporter: exporters[k].as_ref().to_string(),
                importer: importers[k].as_ref().to_string(),
                trade: trade[k],
                output: output[k],
                expenditure: expenditure[k],
                variables: variables.iter().map(|(_, v)| v[k]).collect(),
            })
            .collect();
        let names: Vec<String> = variables.iter().map(|(name, _)| name.clone()).collect();
        Self::from_rows(&rows, &names)
    }

    fn from_rows(rows: &[Row], names: &[String]) -> Result<Self> {
        if rows.is_empty() {
            return Err(invalid("gravity panel", "no rows (after the filter)"));
        }
        let mut countries: Vec<String> =
            rows.iter().flat_map(|r| [r.exporter.clone(), r.importer.clone()]).collect::<Vec<_>>();
        countries.sort();
        countries.dedup();
        let n = countries.len();
        let index = |code: &str| countries.binary_search_by(|c| c.as_str().cmp(code)).ok();
        let mut seen = vec![false; n * n];
        let mut trade = vec![0.0; n * n];
        let mut output = vec![f64::NAN; n];
        let mut expenditure = vec![f64::NAN; n];
        let mut variables: Vec<(String, Vec<f64>)> = names.iter().map(|v| (v.clone(), vec![0.0; n * n])).collect();
        for r in rows {
            let (Some(i), Some(j)) = (index(&r.exporter), index(&r.importer)) else {
                return Err(invalid("gravity panel", "internal country index lookup failed"));
            };
            let k = i * n + j;
            if seen[k] {
                return Err(invalid(
                    format!("gravity panel pair {} → {}", r.exporter, r.importer),
                    "appears more than once",
                ));
            }
            seen[k] = true;
            trade[k] = r.trade;
            for (slot, value, what, code) in [
                (&mut output[i], r.output, "output", &r.exporter),
                (&mut expenditure[j], r.expenditure, "expenditure", &r.importer),
            ] {
                if slot.is_nan() {
                    *slot = value;
                } else if (*slot - value).abs() > 1e-9 * slot.abs().max(value.abs()) {
                    return Err(invalid(
                        format!("{what} of {code}"),
                        format!("differs between rows of the panel: {} and {value}", *slot),
                    ));
                }
            }
            for ((_, m), &v) in variables.iter_mut().zip(&r.variables) {
                m[k] = v;
            }
        }
        if let Some(k) = seen.iter().position(|s| !s) {
            return Err(invalid(
                format!("gravity panel pair {} → {}", countries[k / n], countries[k % n]),
                "is missing: the panel must hold every exporter × importer pair, domestic pairs included",
            ));
        }
        Self::from_matrices(countries, trade, output, expenditure, variables)
    }

    /// Number of countries `N`.
    pub fn len(&self) -> usize {
        self.countries.len()
    }

    /// Whether there are no countries (never true for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    /// The country codes, sorted.
    pub fn countries(&self) -> &[String] {
        &self.countries
    }

    /// The position of a country code, if present (codes are case-insensitive).
    pub fn index_of(&self, code: &str) -> Option<usize> {
        let code = super::economy_code(code).ok()?;
        self.countries.iter().position(|c| *c == code)
    }

    /// Observed trade, `N × N` row-major (exporter rows).
    pub fn trade(&self) -> &[f64] {
        &self.trade
    }

    /// Output `Y_i` from the data column.
    pub fn output(&self) -> &[f64] {
        &self.output
    }

    /// Expenditure `E_j` from the data column.
    pub fn expenditure(&self) -> &[f64] {
        &self.expenditure
    }

    /// A trade-cost variable (`N × N`), if present.
    pub fn variable(&self, name: &str) -> Option<&[f64]> {
        self.variables.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// Sets one cell of a trade-cost variable, e.g. `pta = 1` from `CAN` to `JPN` for a counterfactual.
    pub fn set_variable(&mut self, name: &str, exporter: &str, importer: &str, value: f64) -> Result<()> {
        if !value.is_finite() {
            return Err(invalid(format!("cost variable {name}"), format!("must be finite, got {value}")));
        }
        let n = self.len();
        let i =
            self.index_of(exporter).ok_or_else(|| invalid("exporter", format!("{exporter} is not in the panel")))?;
        let j =
            self.index_of(importer).ok_or_else(|| invalid("importer", format!("{importer} is not in the panel")))?;
        let (_, values) = self
            .variables
            .iter_mut()
            .find(|(n, _)| n == name)
            .ok_or_else(|| invalid(format!("cost variable {name}"), "is not in the panel"))?;
        if let Some(cell) = values.get_mut(i * n + j) {
            *cell = value;
        }
        Ok(())
    }

    /// The trade-cost terms `t_ij^(1−σ) = exp(constant + Σ_k β_k x_k,ij)` (`N × N`, exporter rows), as
    /// `gegravity` builds them. Every coefficient must name a variable of the panel; variables without a
    /// coefficient are ignored.
    pub fn cost_terms(&self, coefficients: &CostCoefficients) -> Result<Vec<f64>> {
        let n = self.len();
        let mut log_terms = vec![coefficients.constant; n * n];
        for (name, beta) in &coefficients.coefficients {
            let values = self
                .variable(name)
                .ok_or_else(|| invalid(format!("cost coefficient {name}"), "names no variable of the panel"))?;
            for (t, x) in log_terms.iter_mut().zip(values) {
                *t += beta * x;
            }
        }
        let terms: Vec<f64> = log_terms.iter().map(|v| v.exp()).collect();
        if let Some(p) = terms.iter().position(|t| !t.is_finite()) {
            return Err(invalid(
                format!("trade-cost term from {} to {}", self.countries[p / n], self.countries[p % n]),
                format!("exp({}) overflows", log_terms[p]),
            ));
        }
        Ok(terms)
    }

    /// The observed trade matrix as a [`GravityData`] baseline (output and expenditure become its row and
    /// column sums, which need not equal the panel's `Y` and `E` columns).
    pub fn trade_data(&self) -> Result<GravityData> {
        GravityData::from_trade_matrix(self.countries.clone(), self.trade.clone())
    }
}
