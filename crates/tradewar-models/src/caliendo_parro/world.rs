//! The Caliendo–Parro world: baseline data, their validation, and the
//! quantities the exact-hat system starts from (trade shares, expenditure,
//! cost shares, income).
//!
//! Every array is flat `f64` in a fixed order, named in the field's docs:
//! `[sector][importer][exporter]` for bilateral arrays (the order of the
//! published data), `[region][sector]` for region-sector arrays and
//! `[region][user sector][input sector]` for input–output coefficients.

use tradewar_core::Economy;

use crate::error::{ModelError, Result};

/// The baseline as national accounts give it (the layout of Caliendo and
/// Parro's data and of the `cp2015` R package), in current US dollars.
///
/// [`CpWorld::from_accounts`] derives the coefficients: gross output
/// `Y[n,j] = Σ_k intermediate[n,j,k] + value_added[n,j]`, cost shares
/// `γ[n,j] = value_added / Y` and `γ[n,k,j] = intermediate / Y`, final
/// shares `α[n,j] = final_demand / Σ_j final_demand`, labour income
/// `wL[n] = Σ_j value_added[n,j]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CpAccounts {
    /// Region names, in model order (`N`).
    pub regions: Vec<String>,
    /// Sector names, in model order (`J`).
    pub sectors: Vec<String>,
    /// Bilateral flows at factory prices (net of tariffs), `[sector][importer][exporter]`,
    /// domestic sales on the diagonal (`J × N × N`).
    pub trade: Vec<f64>,
    /// Ad valorem tariffs as fractions (0.05 = 5 %), same layout; zero on the diagonal.
    pub tariffs: Vec<f64>,
    /// Purchases of each input sector by each using sector, tariffs included,
    /// `[region][user sector][input sector]` (`N × J × J`).
    pub intermediate: Vec<f64>,
    /// Value added (the one factor, "labour"), `[region][sector]` (`N × J`).
    pub value_added: Vec<f64>,
    /// Final demand for each sector's composite good, tariffs included, `[region][sector]`.
    pub final_demand: Vec<f64>,
    /// Trade deficits (imports minus exports, net of tariffs), `[region]`; they sum to zero.
    pub deficits: Vec<f64>,
    /// Trade elasticities θ_j (the Fréchet shape), `[sector]`; positive.
    pub theta: Vec<f64>,
}

/// The baseline as coefficients: trade flows and tariffs, input–output
/// coefficients, value-added shares, final-demand shares, labour income,
/// deficits and θ_j. [`CpWorld::from_coefficients`] checks that cost shares
/// and final shares sum to one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CpCoefficients {
    /// Region names, in model order (`N`).
    pub regions: Vec<String>,
    /// Sector names, in model order (`J`).
    pub sectors: Vec<String>,
    /// Bilateral flows at factory prices, `[sector][importer][exporter]` (`J × N × N`).
    pub trade: Vec<f64>,
    /// Ad valorem tariffs as fractions, same layout; zero on the diagonal.
    pub tariffs: Vec<f64>,
    /// Input–output coefficients `γ[n,k,j]`: the share of input sector `k` in the
    /// gross output of sector `j` in region `n`, `[region][user sector j][input sector k]`.
    pub io: Vec<f64>,
    /// Value-added shares `γ[n,j]` of gross output, `[region][sector]`.
    pub value_added_share: Vec<f64>,
    /// Final-demand shares `α[n,j]`, `[region][sector]`; each region's sum to one.
    pub final_share: Vec<f64>,
    /// Labour income (total value added) `wL[n]`, `[region]`.
    pub labour_income: Vec<f64>,
    /// Trade deficits, `[region]`; they sum to zero.
    pub deficits: Vec<f64>,
    /// Trade elasticities θ_j, `[sector]`.
    pub theta: Vec<f64>,
}

/// Tolerances of the checks on a world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpWorldOptions {
    /// How far from one a sum of shares may be (default `1e-6`).
    pub share_tolerance: f64,
    /// How negative an input–output coefficient may be and still be kept,
    /// flagged in [`CpWorld::flags`] (default `0`: any negative coefficient
    /// is an error). Caliendo and Parro's 1993 data hold one, −0.00057
    /// (input Other in Basic metals of Canada), which the authors and the
    /// `cp2015` package use as it is; [`CpWorldOptions::published_data`]
    /// allows it.
    pub negative_io_tolerance: f64,
    /// How far from zero the deficits may sum, relative to world labour
    /// income (default `1e-9`).
    pub deficit_tolerance: f64,
}

impl Default for CpWorldOptions {
    fn default() -> Self {
        Self { share_tolerance: 1e-6, negative_io_tolerance: 0.0, deficit_tolerance: 1e-9 }
    }
}

impl CpWorldOptions {
    /// The options that accept Caliendo and Parro's published data as they
    /// are: negative input–output coefficients down to −0.001, flagged.
    pub fn published_data() -> Self {
        Self { negative_io_tolerance: 1e-3, ..Self::default() }
    }
}

/// A validated Caliendo–Parro world of `N` regions and `J` sectors, with
/// the baseline quantities the exact-hat system needs.
///
/// Built with [`CpWorld::from_accounts`] or [`CpWorld::from_coefficients`];
/// every bad cell is a typed [`ModelError`] that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct CpWorld {
    pub(crate) regions: Vec<String>,
    pub(crate) sectors: Vec<String>,
    pub(crate) economies: Option<Vec<Economy>>,
    pub(crate) n: usize,
    pub(crate) j: usize,
    /// Flows at factory prices, `[j][n][i]`.
    pub(crate) trade: Vec<f64>,
    /// Baseline tariffs, `[j][n][i]`.
    pub(crate) tariffs: Vec<f64>,
    /// Trade shares `π[n,i,j]` of the importer's spending (tariffs included), `[j][n][i]`.
    pub(crate) shares: Vec<f64>,
    /// Exporters with a positive share, by row `(j, n)`: `exporters[start[r]..start[r + 1]]`.
    pub(crate) row_start: Vec<usize>,
    pub(crate) row_exporter: Vec<usize>,
    /// Baseline spending `X[n,j]` (tariffs included), `[j][n]`.
    pub(crate) expenditure: Vec<f64>,
    /// `γ[n,k,j]`, `[n][j][k]` (share of input k in sector j's output).
    pub(crate) io: Vec<f64>,
    /// `γ[n,j]`, `[n][j]`.
    pub(crate) va_share: Vec<f64>,
    /// `α[n,j]`, `[n][j]`.
    pub(crate) final_share: Vec<f64>,
    /// `wL[n]`.
    pub(crate) labour_income: Vec<f64>,
    /// `D[n]`.
    pub(crate) deficits: Vec<f64>,
    /// θ_j.
    pub(crate) theta: Vec<f64>,
    pub(crate) flags: Vec<String>,
    pub(crate) options: CpWorldOptions,
}

fn check_len(what: &str, v: &[f64], expected: usize, layout: String) -> Result<()> {
    if v.len() == expected {
        Ok(())
    } else {
        Err(ModelError::DimensionMismatch { what: what.to_string(), expected, found: v.len(), layout })
    }
}

fn check_names(kind: &str, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Err(ModelError::InvalidInput { what: format!("{kind} names"), reason: "none given".into() });
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(ModelError::InvalidInput {
                what: format!("{kind} {}", k + 1),
                reason: "has an empty name".into(),
            });
        }
        if !seen.insert(name.as_str()) {
            return Err(ModelError::InvalidInput {
                what: format!("{kind} {name:?}"),
                reason: format!("appears twice (again at position {})", k + 1),
            });
        }
    }
    Ok(())
}

fn out_of_domain(what: String, value: f64, requirement: &str) -> ModelError {
    ModelError::OutOfDomain { what, value, requirement: requirement.to_string() }
}

impl CpWorld {
    /// A world from national-accounts levels (see [`CpAccounts`]).
    pub fn from_accounts(data: CpAccounts, options: CpWorldOptions) -> Result<Self> {
        let (n, j) = (data.regions.len(), data.sectors.len());
        check_names("region", &data.regions)?;
        check_names("sector", &data.sectors)?;
        check_len(
            "intermediate",
            &data.intermediate,
            n * j * j,
            format!("region × user sector × input sector = {n} × {j} × {j}"),
        )?;
        check_len("value_added", &data.value_added, n * j, format!("region × sector = {n} × {j}"))?;
        check_len("final_demand", &data.final_demand, n * j, format!("region × sector = {n} × {j}"))?;
        let mut io = vec![0.0; n * j * j];
        let mut va_share = vec![0.0; n * j];
        let mut final_share = vec![0.0; n * j];
        let mut labour_income = vec![0.0; n];
        for r in 0..n {
            for s in 0..j {
                let va = data.value_added[r * j + s];
                if !va.is_finite() || va < 0.0 {
                    return Err(out_of_domain(
                        format!("value added of {} in {}", data.sectors[s], data.regions[r]),
                        va,
                        "must be finite and non-negative",
                    ));
                }
                let row = &data.intermediate[(r * j + s) * j..(r * j + s + 1) * j];
                if let Some(k) = row.iter().position(|x| !x.is_finite()) {
                    return Err(out_of_domain(
                        format!("purchases of {} by {} in {}", data.sectors[k], data.sectors[s], data.regions[r]),
                        row[k],
                        "must be finite",
                    ));
                }
                let output = row.iter().sum::<f64>() + va;
                if output <= 0.0 {
                    return Err(out_of_domain(
                        format!("gross output (inputs + value added) of {} in {}", data.sectors[s], data.regions[r]),
                        output,
                        "must be positive to form cost shares",
                    ));
                }
                va_share[r * j + s] = va / output;
                for (k, x) in row.iter().enumerate() {
                    io[(r * j + s) * j + k] = x / output;
                }
                labour_income[r] += va;
            }
            let fd = &data.final_demand[r * j..(r + 1) * j];
            if let Some(k) = fd.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(out_of_domain(
                    format!("final demand for {} in {}", data.sectors[k], data.regions[r]),
                    fd[k],
                    "must be finite and non-negative",
                ));
            }
            let total: f64 = fd.iter().sum();
            if total <= 0.0 {
                return Err(out_of_domain(format!("final demand of {}", data.regions[r]), total, "must be positive"));
            }
            for (k, x) in fd.iter().enumerate() {
                final_share[r * j + k] = x / total;
            }
        }
        Self::from_coefficients(
            CpCoefficients {
                regions: data.regions,
                sectors: data.sectors,
                trade: data.trade,
                tariffs: data.tariffs,
                io,
                value_added_share: va_share,
                final_share,
                labour_income,
                deficits: data.deficits,
                theta: data.theta,
            },
            options,
        )
    }

    /// A world from coefficients (see [`CpCoefficients`]).
    // The checks walk several arrays by the same (region, sector) indexes, which name the cell in the errors.
    #[allow(clippy::needless_range_loop)]
    pub fn from_coefficients(data: CpCoefficients, options: CpWorldOptions) -> Result<Self> {
        let (n, j) = (data.regions.len(), data.sectors.len());
        check_names("region", &data.regions)?;
        check_names("sector", &data.sectors)?;
        let cube = format!("sector × importer × exporter = {j} × {n} × {n}");
        check_len("trade", &data.trade, j * n * n, cube.clone())?;
        check_len("tariffs", &data.tariffs, j * n * n, cube)?;
        check_len("io", &data.io, n * j * j, format!("region × user sector × input sector = {n} × {j} × {j}"))?;
        check_len("value_added_share", &data.value_added_share, n * j, format!("region × sector = {n} × {j}"))?;
        check_len("final_share", &data.final_share, n * j, format!("region × sector = {n} × {j}"))?;
        check_len("labour_income", &data.labour_income, n, format!("region = {n}"))?;
        check_len("deficits", &data.deficits, n, format!("region = {n}"))?;
        check_len("theta", &data.theta, j, format!("sector = {j}"))?;
        let (reg, sec) = (&data.regions, &data.sectors);
        let mut flags = Vec::new();

        for (s, &t) in data.theta.iter().enumerate() {
            if !(t.is_finite() && t > 0.0) {
                return Err(out_of_domain(format!("theta of {}", sec[s]), t, "the trade elasticity must be positive"));
            }
        }
        for s in 0..j {
            for m in 0..n {
                for e in 0..n {
                    let k = (s * n + m) * n + e;
                    let (v, t) = (data.trade[k], data.tariffs[k]);
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(out_of_domain(
                            format!("trade of {} from {} to {}", sec[s], reg[e], reg[m]),
                            v,
                            "must be finite and non-negative",
                        ));
                    }
                    if !(t.is_finite() && t > -1.0) {
                        return Err(out_of_domain(
                            format!("tariff of {} on {} from {}", reg[m], sec[s], reg[e]),
                            t,
                            "must be finite and above -1 (a fraction: 0.05 is 5%)",
                        ));
                    }
                    if m == e && t != 0.0 {
                        return Err(out_of_domain(
                            format!("tariff of {} on its own {}", reg[m], sec[s]),
                            t,
                            "must be 0 (domestic sales pay no tariff)",
                        ));
                    }
                }
            }
        }
        for r in 0..n {
            let wl = data.labour_income[r];
            if !(wl.is_finite() && wl > 0.0) {
                return Err(out_of_domain(format!("labour income of {}", reg[r]), wl, "must be positive"));
            }
            let d = data.deficits[r];
            if !d.is_finite() {
                return Err(out_of_domain(format!("deficit of {}", reg[r]), d, "must be finite"));
            }
            let mut final_sum = 0.0;
            for s in 0..j {
                let va = data.value_added_share[r * j + s];
                if !(va.is_finite() && va >= 0.0) {
                    return Err(out_of_domain(
                        format!("value-added share of {} in {}", sec[s], reg[r]),
                        va,
                        "must be finite and non-negative",
                    ));
                }
                let mut sum = va;
                for k in 0..j {
                    let g = data.io[(r * j + s) * j + k];
                    let what = || format!("IO coefficient of input {} in {} of {}", sec[k], sec[s], reg[r]);
                    if !g.is_finite() || g < -options.negative_io_tolerance {
                        return Err(out_of_domain(what(), g, "must be finite and non-negative"));
                    }
                    if g < 0.0 {
                        flags.push(format!("{} is {g:.6}: negative, kept as published", what()));
                    }
                    sum += g;
                }
                if (sum - 1.0).abs() > options.share_tolerance || !sum.is_finite() {
                    return Err(ModelError::SharesDoNotSumToOne {
                        what: format!("cost shares (value added and inputs) of {} in {}", sec[s], reg[r]),
                        sum,
                        tolerance: options.share_tolerance,
                    });
                }
                let a = data.final_share[r * j + s];
                if !(a.is_finite() && a >= 0.0) {
                    return Err(out_of_domain(
                        format!("final-demand share of {} in {}", sec[s], reg[r]),
                        a,
                        "must be finite and non-negative",
                    ));
                }
                final_sum += a;
            }
            if (final_sum - 1.0).abs() > options.share_tolerance {
                return Err(ModelError::SharesDoNotSumToOne {
                    what: format!("final-demand shares of {}", reg[r]),
                    sum: final_sum,
                    tolerance: options.share_tolerance,
                });
            }
        }
        let world_income: f64 = data.labour_income.iter().sum();
        let deficit_sum: f64 = data.deficits.iter().sum();
        if deficit_sum.abs() > options.deficit_tolerance * world_income {
            return Err(out_of_domain(
                "the sum of the deficits".into(),
                deficit_sum,
                &format!(
                    "must be zero (within {:e} of world labour income {world_income:e}): one region's deficit is another's surplus",
                    options.deficit_tolerance
                ),
            ));
        }

        // Spending, shares and the sparse pattern of positive shares.
        let mut expenditure = vec![0.0; j * n];
        let mut shares = vec![0.0; j * n * n];
        let mut row_start = Vec::with_capacity(j * n + 1);
        let mut row_exporter = Vec::new();
        row_start.push(0);
        for s in 0..j {
            for m in 0..n {
                let base = (s * n + m) * n;
                let x: f64 = (0..n).map(|e| data.trade[base + e] * (1.0 + data.tariffs[base + e])).sum();
                if x <= 0.0 {
                    return Err(ModelError::NoTrade {
                        what: format!("sector {} in {}", sec[s], reg[m]),
                        reason:
                            "no purchases from any exporter, domestic sales included, so its trade shares are undefined"
                                .into(),
                    });
                }
                expenditure[s * n + m] = x;
                for e in 0..n {
                    let v = data.trade[base + e];
                    if v > 0.0 {
                        shares[base + e] = v * (1.0 + data.tariffs[base + e]) / x;
                        row_exporter.push(e);
                    }
                }
                row_start.push(row_exporter.len());
            }
        }

        Ok(Self {
            regions: data.regions,
            sectors: data.sectors,
            economies: None,
            n,
            j,
            trade: data.trade,
            tariffs: data.tariffs,
            shares,
            row_start,
            row_exporter,
            expenditure,
            io: data.io,
            va_share: data.value_added_share,
            final_share: data.final_share,
            labour_income: data.labour_income,
            deficits: data.deficits,
            theta: data.theta,
            flags,
            options,
        })
    }

    /// The same world with the regions named by economy codes too (ISO 3166
    /// alpha-3, `ROW` for the rest of the world), so that scenarios and
    /// names like `"MEX"` find them.
    pub fn with_economies(mut self, economies: Vec<Economy>) -> Result<Self> {
        if economies.len() != self.n {
            return Err(ModelError::DimensionMismatch {
                what: "economies".into(),
                expected: self.n,
                found: economies.len(),
                layout: format!("one per region, {}", self.n),
            });
        }
        for (k, e) in economies.iter().enumerate() {
            if let Some(first) = economies[..k].iter().position(|x| x == e) {
                return Err(ModelError::InvalidInput {
                    what: format!("economy {e}"),
                    reason: format!("names both {} and {}", self.regions[first], self.regions[k]),
                });
            }
        }
        self.economies = Some(economies);
        Ok(self)
    }

    /// The same world with other trade elasticities θ_j (e.g. a Monte Carlo draw).
    pub fn with_theta(&self, theta: &[f64]) -> Result<Self> {
        check_len("theta", theta, self.j, format!("sector = {}", self.j))?;
        for (s, &t) in theta.iter().enumerate() {
            if !(t.is_finite() && t > 0.0) {
                return Err(out_of_domain(
                    format!("theta of {}", self.sectors[s]),
                    t,
                    "the trade elasticity must be positive",
                ));
            }
        }
        let mut w = self.clone();
        w.theta.copy_from_slice(theta);
        Ok(w)
    }

    /// Number of regions `N`.
    pub fn regions_len(&self) -> usize {
        self.n
    }
    /// Number of sectors `J`.
    pub fn sectors_len(&self) -> usize {
        self.j
    }
    /// Region names, in model order.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }
    /// Sector names, in model order.
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }
    /// The economy codes of the regions, if given ([`CpWorld::with_economies`]).
    pub fn economies(&self) -> Option<&[Economy]> {
        self.economies.as_deref()
    }
    /// Trade elasticities θ_j.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }
    /// Baseline tariffs as a cube.
    pub fn tariffs(&self) -> super::TariffCube {
        super::TariffCube { n: self.n, j: self.j, values: self.tariffs.clone() }
    }
    /// Flows at factory prices, `[sector][importer][exporter]`.
    pub fn trade(&self) -> &[f64] {
        &self.trade
    }
    /// Baseline trade shares `π[n,i,j]` (of spending, tariffs included), `[sector][importer][exporter]`.
    pub fn trade_shares(&self) -> &[f64] {
        &self.shares
    }
    /// Baseline spending `X[n,j]`, tariffs included, `[sector][region]`.
    pub fn expenditure(&self) -> &[f64] {
        &self.expenditure
    }
    /// Input–output coefficients `γ[n,k,j]`, `[region][user sector][input sector]`.
    pub fn io_coefficients(&self) -> &[f64] {
        &self.io
    }
    /// Value-added shares `γ[n,j]`, `[region][sector]`.
    pub fn value_added_shares(&self) -> &[f64] {
        &self.va_share
    }
    /// Final-demand shares `α[n,j]`, `[region][sector]`.
    pub fn final_shares(&self) -> &[f64] {
        &self.final_share
    }
    /// Labour income `wL[n]`.
    pub fn labour_income(&self) -> &[f64] {
        &self.labour_income
    }
    /// Deficits `D[n]`.
    pub fn deficits(&self) -> &[f64] {
        &self.deficits
    }
    /// Data issues accepted under the world's options (e.g. a negative
    /// input–output coefficient kept as published).
    pub fn flags(&self) -> &[String] {
        &self.flags
    }
    /// The options the world was checked with.
    pub fn options(&self) -> CpWorldOptions {
        self.options
    }

    /// The index of a region, by name (`"Mexico"`) or economy code (`"MEX"`).
    pub fn region_index(&self, name: &str) -> Result<usize> {
        if let Some(k) = self.regions.iter().position(|r| r == name) {
            return Ok(k);
        }
        if let Some(k) = self.economies.as_ref().and_then(|e| e.iter().position(|x| x.as_str() == name)) {
            return Ok(k);
        }
        Err(ModelError::UnknownName { kind: "region", name: name.to_string(), known: self.regions.join(", ") })
    }

    /// The index of a region by economy code.
    pub fn economy_index(&self, e: Economy) -> Result<usize> {
        self.economies.as_ref().and_then(|x| x.iter().position(|y| *y == e)).ok_or_else(|| ModelError::UnknownName {
            kind: "economy",
            name: e.to_string(),
            known: match &self.economies {
                Some(x) => x.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                None => "the world's regions have no economy codes".into(),
            },
        })
    }

    /// The index of a sector by name.
    pub fn sector_index(&self, name: &str) -> Result<usize> {
        self.sectors.iter().position(|s| s == name).ok_or_else(|| ModelError::UnknownName {
            kind: "sector",
            name: name.to_string(),
            known: self.sectors.join(", "),
        })
    }

    /// Whether sector `s` is traded internationally anywhere in the baseline.
    pub fn is_traded(&self, s: usize) -> bool {
        (0..self.n).any(|m| (0..self.n).any(|e| e != m && self.trade[(s * self.n + m) * self.n + e] > 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_worlds::accounts;
    use super::*;

    fn err(a: CpAccounts) -> ModelError {
        CpWorld::from_accounts(a, CpWorldOptions::default()).expect_err("must be refused")
    }

    fn coefficients() -> CpCoefficients {
        let w = CpWorld::from_accounts(accounts(3, 3, 7), CpWorldOptions::default()).expect("valid");
        CpCoefficients {
            regions: w.regions.clone(),
            sectors: w.sectors.clone(),
            trade: w.trade.clone(),
            tariffs: w.tariffs.clone(),
            io: w.io.clone(),
            value_added_share: w.va_share.clone(),
            final_share: w.final_share.clone(),
            labour_income: w.labour_income.clone(),
            deficits: w.deficits.clone(),
            theta: w.theta.clone(),
        }
    }

    #[test]
    fn shares_and_income_follow_from_the_accounts() {
        let a = accounts(3, 3, 1);
        let w = CpWorld::from_accounts(a.clone(), CpWorldOptions::default()).expect("valid");
        // Region 1, sector 2: cost shares from inputs and value added.
        let (r, s, j) = (1, 2, 3);
        let output: f64 =
            a.intermediate[(r * j + s) * j..(r * j + s + 1) * j].iter().sum::<f64>() + a.value_added[r * j + s];
        assert!((w.va_share[r * j + s] - a.value_added[r * j + s] / output).abs() < 1e-15);
        assert!((w.labour_income[r] - a.value_added[r * j..(r + 1) * j].iter().sum::<f64>()).abs() < 1e-12);
        // Trade shares of each (sector, importer) sum to one.
        for row in w.shares.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        }
        assert!(!w.is_traded(2) && w.is_traded(0));
        assert!(w.flags().is_empty());
    }

    #[test]
    fn bad_dimensions_name_the_array_and_layout() {
        let mut a = accounts(3, 3, 1);
        a.trade.pop();
        let e = err(a);
        assert!(matches!(e, ModelError::DimensionMismatch { expected: 27, found: 26, .. }), "{e}");
        assert!(e.to_string().contains("trade") && e.to_string().contains("sector × importer × exporter"), "{e}");
        let mut a = accounts(3, 3, 1);
        a.theta.push(1.0);
        assert!(err(a).to_string().contains("theta has 4 values; expected 3"));
    }

    #[test]
    fn cost_shares_must_sum_to_one() {
        let mut c = coefficients();
        c.io[(2 * 3 + 1) * 3] += 0.01; // region C2, sector S1, input S0
        let e = CpWorld::from_coefficients(c, CpWorldOptions::default()).expect_err("refused");
        assert!(matches!(e, ModelError::SharesDoNotSumToOne { .. }), "{e}");
        assert!(e.to_string().contains("cost shares (value added and inputs) of S1 in C2"), "{e}");
        let mut c = coefficients();
        c.final_share[3] += 0.5;
        let e = CpWorld::from_coefficients(c, CpWorldOptions::default()).expect_err("refused");
        assert!(e.to_string().contains("final-demand shares of C1 sum to"), "{e}");
    }

    #[test]
    fn negative_io_coefficients_are_refused_or_flagged() {
        let mut c = coefficients();
        let k = (3 + 2) * 3 + 1; // region C1, sector S2, input S1
        c.io[k] -= 0.0005;
        c.value_added_share[3 + 2] += 0.0005;
        let before = c.io[k];
        c.io[k] = -0.0004;
        c.value_added_share[3 + 2] += before + 0.0004;
        let e = CpWorld::from_coefficients(c.clone(), CpWorldOptions::default()).expect_err("refused");
        assert!(matches!(e, ModelError::OutOfDomain { .. }), "{e}");
        assert!(e.to_string().contains("IO coefficient of input S1 in S2 of C1 is -0.0004"), "{e}");
        let w = CpWorld::from_coefficients(c, CpWorldOptions::published_data()).expect("kept within tolerance");
        assert_eq!(w.flags().len(), 1);
        assert!(w.flags()[0].contains("IO coefficient of input S1 in S2 of C1"));
    }

    #[test]
    fn theta_must_be_positive() {
        let mut a = accounts(3, 3, 1);
        a.theta[1] = 0.0;
        let e = err(a);
        assert!(e.to_string().contains("theta of S1 is 0"), "{e}");
        let w = CpWorld::from_accounts(accounts(3, 3, 1), CpWorldOptions::default()).expect("valid");
        assert!(w.with_theta(&[1.0, -2.0, 3.0]).expect_err("refused").to_string().contains("theta of S1 is -2"));
        assert!(matches!(w.with_theta(&[1.0]), Err(ModelError::DimensionMismatch { .. })));
    }

    #[test]
    fn a_sector_without_trade_is_named() {
        let mut a = accounts(3, 3, 1);
        for e in 0..3 {
            a.trade[(3 + 2) * 3 + e] = 0.0; // sector S1, importer C2
        }
        let e = err(a);
        assert!(matches!(e, ModelError::NoTrade { .. }), "{e}");
        assert!(e.to_string().contains("sector S1 in C2 has no trade"), "{e}");
    }

    #[test]
    fn bad_cells_are_named() {
        let mut a = accounts(3, 3, 1);
        a.trade[(3 + 2) * 3] = -1.0; // sector S1, importer C2, exporter C0
        assert!(err(a).to_string().contains("trade of S1 from C0 to C2 is -1"));
        let mut a = accounts(3, 3, 1);
        a.tariffs[0] = 0.1; // S0, C0 on itself
        assert!(err(a).to_string().contains("tariff of C0 on its own S0"));
        let mut a = accounts(3, 3, 1);
        a.tariffs[1] = -1.5;
        assert!(err(a).to_string().contains("tariff of C0 on S0 from C1 is -1.5"));
        let mut a = accounts(3, 3, 1);
        a.deficits[0] += 1.0;
        assert!(err(a).to_string().contains("the sum of the deficits"));
        let mut a = accounts(3, 3, 1);
        a.regions[2] = "C0".into();
        assert!(err(a).to_string().contains("appears twice"));
        let mut a = accounts(3, 3, 1);
        a.value_added[4] = f64::NAN;
        assert!(err(a).to_string().contains("value added of S1 in C1"));
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let w = CpWorld::from_accounts(accounts(3, 3, 1), CpWorldOptions::default()).expect("valid");
        let e = w.region_index("Atlantis").expect_err("unknown");
        assert!(matches!(e, ModelError::UnknownName { kind: "region", .. }));
        assert!(e.to_string().contains("\"Atlantis\"") && e.to_string().contains("C0, C1, C2"), "{e}");
        assert!(w.sector_index("Spice").expect_err("unknown").to_string().contains("S0, S1, S2"));
        assert!(w.economy_index(Economy::USA).is_err());
        let w = w.with_economies(vec![Economy::USA, Economy::CHN, Economy::ROW]).expect("codes");
        assert_eq!(w.region_index("CHN").expect("by code"), 1);
        assert_eq!(w.economy_index(Economy::ROW).expect("by code"), 2);
        let e = w.clone().with_economies(vec![Economy::USA, Economy::USA, Economy::ROW]).expect_err("duplicate");
        assert!(e.to_string().contains("names both C0 and C1"), "{e}");
    }
}
