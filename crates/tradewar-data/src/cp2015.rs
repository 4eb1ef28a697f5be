//! Caliendo and Parro's (2015) world of 31 regions and 40 sectors in 1993
//! (the data of the `cp2015` R package, MIT), and an HS6 → sector
//! concordance for it (WITS HS → ISIC Rev. 3 via the `concordance` R
//! package, MIT). See `data/cp2015/PROVENANCE.md`.
//!
//! [`embedded`] is the copy compiled into the library;
//! [`read_published`] reads the same data from the package's CSV layout
//! (the `caliendo-parro-2015` folder of the shared data), so that tests can
//! check the one against the other. Arrays are flat, in model order:
//! `[sector][importer][exporter]`, `[region][user sector][input sector]`,
//! `[region][sector]`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use tradewar_core::{Economy, HsCode};

use crate::csv_source::{CsvSource, Row};
use crate::error::{DataError, Result};

/// Caliendo and Parro's world, as national accounts (current US dollars).
#[derive(Debug, Clone, PartialEq)]
pub struct Cp2015 {
    /// Region names in model order (`Row` is the rest of the world).
    pub regions: Vec<String>,
    /// Their economy codes (ISO 3166-1 alpha-3; `ROW`).
    pub economies: Vec<Economy>,
    /// Sector names in model order: 20 traded goods, then 20 services.
    pub sectors: Vec<String>,
    /// The ISIC Rev. 3 divisions of each traded sector (`"01-05"`), empty for services.
    pub isic_rev3: Vec<String>,
    /// Flows at factory prices (net of tariffs), `[sector][importer][exporter]`.
    pub trade: Vec<f64>,
    /// 1993 tariffs (fractions), same layout.
    pub tariffs_1993: Vec<f64>,
    /// The NAFTA counterfactual: 2005 tariffs between Canada, Mexico and
    /// the USA, 1993 tariffs everywhere else.
    pub tariffs_nafta_2005: Vec<f64>,
    /// Purchases of input sectors by using sectors, tariffs included,
    /// `[region][user sector][input sector]`.
    pub intermediate: Vec<f64>,
    /// Value added, `[region][sector]`.
    pub value_added: Vec<f64>,
    /// Final demand, tariffs included, `[region][sector]`.
    pub final_demand: Vec<f64>,
    /// Trade deficits, `[region]` (model order).
    pub deficits: Vec<f64>,
    /// Trade elasticities θ_j, `[sector]` (services carry a placeholder 8.22).
    pub theta: Vec<f64>,
}

impl Cp2015 {
    /// Number of regions.
    pub fn regions_len(&self) -> usize {
        self.regions.len()
    }
    /// Number of sectors.
    pub fn sectors_len(&self) -> usize {
        self.sectors.len()
    }
}

/// One row of the HS6 → sector concordance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HsSector {
    /// `HS2017`, or `HS2012` for codes that HS 2017 dropped.
    pub revision: String,
    /// The subheading.
    pub code: HsCode,
    /// Its ISIC Rev. 3 class in the WITS table (`9999`: not elsewhere classified).
    pub isic_rev3: String,
    /// The Caliendo–Parro traded sector.
    pub sector: String,
    /// How it was assigned: `isic` (by its ISIC division), `heading` or
    /// `chapter` (the sector most subheadings of its heading or chapter
    /// map to, for waste, scrap and residues), `other` (works of art).
    pub rule: String,
}

macro_rules! cp_file {
    ($file:literal) => {
        (concat!("embedded cp2015/", $file), include_str!(concat!("../data/cp2015/", $file)))
    };
}

const REGIONS: (&str, &str) = cp_file!("regions.csv");
const SECTORS: (&str, &str) = cp_file!("sectors.csv");
const THETA: (&str, &str) = cp_file!("theta.csv");
const TRADE: (&str, &str) = cp_file!("trade.csv");
const TARIFFS_1993: (&str, &str) = cp_file!("tariffs_1993.csv");
const TARIFFS_2005: (&str, &str) = cp_file!("tariffs_nafta_2005.csv");
const INTERMEDIATE: (&str, &str) = cp_file!("intermediate.csv");
const ACCOUNTS: (&str, &str) = cp_file!("accounts.csv");
const DEFICITS: (&str, &str) = cp_file!("deficits.csv");
const HS6_SECTORS: (&str, &str) = cp_file!("hs6_sectors.csv");

/// The ISO codes of Caliendo and Parro's region names (for the package's CSVs, which have names only).
const ECONOMY_OF: [(&str, &str); 31] = [
    ("Argentina", "ARG"),
    ("Australia", "AUS"),
    ("Austria", "AUT"),
    ("Brazil", "BRA"),
    ("Canada", "CAN"),
    ("Chile", "CHL"),
    ("China", "CHN"),
    ("Denmark", "DNK"),
    ("Finland", "FIN"),
    ("France", "FRA"),
    ("Germany", "DEU"),
    ("Greece", "GRC"),
    ("Hungary", "HUN"),
    ("India", "IND"),
    ("Indonesia", "IDN"),
    ("Ireland", "IRL"),
    ("Italy", "ITA"),
    ("Japan", "JPN"),
    ("Korea", "KOR"),
    ("Mexico", "MEX"),
    ("Netherlands", "NLD"),
    ("New Zealand", "NZL"),
    ("Norway", "NOR"),
    ("Portugal", "PRT"),
    ("South Africa", "ZAF"),
    ("Spain", "ESP"),
    ("Sweden", "SWE"),
    ("Turkey", "TUR"),
    ("UK", "GBR"),
    ("USA", "USA"),
    ("Row", "ROW"),
];

fn inconsistent(source: &str, message: String) -> DataError {
    DataError::Inconsistent { source_name: source.to_string(), message }
}

fn number(row: &Row<'_>, column: &str) -> Result<f64> {
    let text = row.get(column);
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(row.error(
            column,
            tradewar_core::Error::Invalid { what: "number", reason: format!("{text:?} is not a finite number") },
        )),
    }
}

fn index(row: &Row<'_>, column: &str, of: &HashMap<String, usize>) -> Result<usize> {
    let text = row.get(column);
    of.get(text).copied().ok_or_else(|| {
        row.error(
            column,
            tradewar_core::Error::Invalid { what: "name", reason: format!("{text:?} is not in the world") },
        )
    })
}

fn read<F: FnMut(&Row<'_>) -> Result<()>>(file: (&str, &[u8]), required: &[&str], f: F) -> Result<()> {
    CsvSource::open(file.0, file.1, required)?.for_each(f)
}

/// Every cell of a `n`-long array set exactly once.
struct Filled {
    values: Vec<f64>,
    set: Vec<bool>,
}

impl Filled {
    fn new(len: usize) -> Self {
        Self { values: vec![0.0; len], set: vec![false; len] }
    }
    fn put(&mut self, row: &Row<'_>, column: &str, k: usize, v: f64) -> Result<()> {
        if std::mem::replace(&mut self.set[k], true) {
            return Err(row.error(column, tradewar_core::Error::Invalid { what: "cell", reason: "given twice".into() }));
        }
        self.values[k] = v;
        Ok(())
    }
    fn done(self, source: &str, zero_ok: bool) -> Result<Vec<f64>> {
        if !zero_ok {
            if let Some(k) = self.set.iter().position(|s| !s) {
                return Err(inconsistent(source, format!("cell {k} is missing")));
            }
        }
        Ok(self.values)
    }
}

fn economy(source: &str, code: &str) -> Result<Economy> {
    Economy::new(code).map_err(|e| DataError::Domain { source_name: source.to_string(), error: Box::new(e) })
}

fn parse_embedded() -> Result<Cp2015> {
    let mut regions = Vec::new();
    let mut economies = Vec::new();
    read((REGIONS.0, REGIONS.1.as_bytes()), &["index", "region", "economy"], |r| {
        regions.push(r.get("region").to_string());
        economies.push(economy(REGIONS.0, r.get("economy"))?);
        Ok(())
    })?;
    let mut sectors = Vec::new();
    let mut isic_rev3 = Vec::new();
    read((SECTORS.0, SECTORS.1.as_bytes()), &["index", "sector", "isic_rev3", "traded"], |r| {
        sectors.push(r.get("sector").to_string());
        isic_rev3.push(r.get("isic_rev3").to_string());
        Ok(())
    })?;
    let (n, j) = (regions.len(), sectors.len());
    let reg: HashMap<String, usize> = economies.iter().enumerate().map(|(k, e)| (e.to_string(), k)).collect();
    let sec: HashMap<String, usize> = (0..j).map(|k| ((k + 1).to_string(), k)).collect();
    let sec_name: HashMap<String, usize> = sectors.iter().enumerate().map(|(k, s)| (s.clone(), k)).collect();
    let codes: Vec<String> = economies.iter().map(ToString::to_string).collect();

    let mut theta = Filled::new(j);
    read((THETA.0, THETA.1.as_bytes()), &["sector", "theta"], |r| {
        let s = index(r, "sector", &sec_name)?;
        theta.put(r, "theta", s, number(r, "theta")?)
    })?;
    let wide = |file: (&str, &str), rows_sectors: usize| -> Result<Vec<f64>> {
        let mut required = vec!["sector", "importer"];
        required.extend(codes.iter().map(String::as_str));
        let mut out = Filled::new(j * n * n);
        read((file.0, file.1.as_bytes()), &required, |r| {
            let (s, m) = (index(r, "sector", &sec)?, index(r, "importer", &reg)?);
            for (e, code) in codes.iter().enumerate() {
                out.put(r, code, (s * n + m) * n + e, number(r, code)?)?;
            }
            Ok(())
        })?;
        // Files with fewer sectors (tariffs: goods only) leave the rest at zero.
        if rows_sectors < j {
            out.set[rows_sectors * n * n..].fill(true);
        }
        out.done(file.0, false)
    };
    let trade = wide(TRADE, j)?;
    let tariffs_1993 = wide(TARIFFS_1993, 20)?;
    let mut tariffs_nafta_2005 = tariffs_1993.clone();
    read((TARIFFS_2005.0, TARIFFS_2005.1.as_bytes()), &["sector", "importer", "exporter", "tariff"], |r| {
        let (s, m, e) = (index(r, "sector", &sec)?, index(r, "importer", &reg)?, index(r, "exporter", &reg)?);
        tariffs_nafta_2005[(s * n + m) * n + e] = number(r, "tariff")?;
        Ok(())
    })?;
    let inputs: Vec<String> = (1..=j).map(|k| format!("input {k}")).collect();
    let mut required = vec!["region", "sector"];
    required.extend(inputs.iter().map(String::as_str));
    let mut intermediate = Filled::new(n * j * j);
    read((INTERMEDIATE.0, INTERMEDIATE.1.as_bytes()), &required, |r| {
        let (m, s) = (index(r, "region", &reg)?, index(r, "sector", &sec)?);
        for (k, col) in inputs.iter().enumerate() {
            intermediate.put(r, col, (m * j + s) * j + k, number(r, col)?)?;
        }
        Ok(())
    })?;
    let mut value_added = Filled::new(n * j);
    let mut final_demand = Filled::new(n * j);
    read((ACCOUNTS.0, ACCOUNTS.1.as_bytes()), &["region", "sector", "value_added", "final_demand"], |r| {
        let (m, s) = (index(r, "region", &reg)?, index(r, "sector", &sec)?);
        value_added.put(r, "value_added", m * j + s, number(r, "value_added")?)?;
        final_demand.put(r, "final_demand", m * j + s, number(r, "final_demand")?)
    })?;
    let mut deficits = Filled::new(n);
    read((DEFICITS.0, DEFICITS.1.as_bytes()), &["region", "deficit"], |r| {
        let m = index(r, "region", &reg)?;
        deficits.put(r, "deficit", m, number(r, "deficit")?)
    })?;
    Ok(Cp2015 {
        regions,
        economies,
        sectors,
        isic_rev3,
        trade,
        tariffs_1993,
        tariffs_nafta_2005,
        intermediate: intermediate.done(INTERMEDIATE.0, false)?,
        value_added: value_added.done(ACCOUNTS.0, false)?,
        final_demand: final_demand.done(ACCOUNTS.0, false)?,
        deficits: deficits.done(DEFICITS.0, false)?,
        theta: theta.done(THETA.0, false)?,
    })
}

/// The embedded world (parsed once, on first use).
pub fn embedded() -> Result<&'static Cp2015> {
    static CELL: OnceLock<Result<Cp2015>> = OnceLock::new();
    CELL.get_or_init(parse_embedded).as_ref().map_err(Clone::clone)
}

/// The embedded HS6 → sector concordance: every HS 2017 subheading (and
/// the HS 2012 ones that HS 2017 dropped) with a traded sector. HS
/// 9999.99 and the three lines of ISIC 40 (electricity, gas) are absent.
pub fn hs6_sectors() -> Result<&'static Vec<HsSector>> {
    static CELL: OnceLock<Result<Vec<HsSector>>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = Vec::new();
        read((HS6_SECTORS.0, HS6_SECTORS.1.as_bytes()), &["hs_revision", "hs6", "isic_rev3", "sector", "rule"], |r| {
            out.push(HsSector {
                revision: r.get("hs_revision").to_string(),
                code: r.parse("hs6", str::parse::<HsCode>)?,
                isic_rev3: r.get("isic_rev3").to_string(),
                sector: r.get("sector").to_string(),
                rule: r.get("rule").to_string(),
            });
            Ok(())
        })?;
        Ok(out)
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn open_file(dir: &Path, file: &str) -> Result<(String, Vec<u8>)> {
    let path = dir.join(file);
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(DataError::Io { source_name: name, message: "is a directory".into() });
    }
    let bytes =
        std::fs::read(&path).map_err(|e| DataError::Io { source_name: name.clone(), message: e.to_string() })?;
    Ok((name, bytes))
}

/// Reads the world from the `cp2015` package's CSV layout: `regions.csv`,
/// `sectors.csv`, `trade.csv`, `intermediate_consumption.csv`,
/// `value_added.csv`, `final_consumption.csv`, `deficit.csv`, `theta.csv`
/// (long form, names as keys; see the data folder's README).
pub fn read_published(dir: &Path) -> Result<Cp2015> {
    let ordered = |file: &str, column: &str| -> Result<Vec<String>> {
        let (name, bytes) = open_file(dir, file)?;
        let mut rows: Vec<(usize, String)> = Vec::new();
        read((&name, &bytes), &["index", column], |r| {
            let k = r.get("index").parse::<usize>().map_err(|_| {
                r.error(
                    "index",
                    tradewar_core::Error::Invalid {
                        what: "index",
                        reason: format!("{:?} is not a position", r.get("index")),
                    },
                )
            })?;
            rows.push((k, r.get(column).to_string()));
            Ok(())
        })?;
        rows.sort();
        if rows.iter().enumerate().any(|(k, (i, _))| *i != k + 1) {
            return Err(inconsistent(&name, "indexes are not 1, 2, 3, ...".into()));
        }
        Ok(rows.into_iter().map(|(_, s)| s).collect())
    };
    let regions = ordered("regions.csv", "region")?;
    let sectors = ordered("sectors.csv", "sector")?;
    let (n, j) = (regions.len(), sectors.len());
    let economies = regions
        .iter()
        .map(|r| {
            let code = ECONOMY_OF.iter().find(|(name, _)| name == r).map(|(_, c)| *c).ok_or_else(|| {
                inconsistent("regions.csv", format!("region {r:?} is not one of Caliendo and Parro's 31"))
            })?;
            economy("regions.csv", code)
        })
        .collect::<Result<Vec<_>>>()?;
    let reg: HashMap<String, usize> = regions.iter().enumerate().map(|(k, r)| (r.clone(), k)).collect();
    let sec: HashMap<String, usize> = sectors.iter().enumerate().map(|(k, s)| (s.clone(), k)).collect();

    let (name, bytes) = open_file(dir, "trade.csv")?;
    let mut trade = Filled::new(j * n * n);
    let mut t93 = Filled::new(j * n * n);
    let mut cfl = Filled::new(j * n * n);
    read((&name, &bytes), &["sector", "exporter", "importer", "value", "tariff", "tariff_cfl"], |r| {
        let (s, m, e) = (index(r, "sector", &sec)?, index(r, "importer", &reg)?, index(r, "exporter", &reg)?);
        let k = (s * n + m) * n + e;
        trade.put(r, "value", k, number(r, "value")?)?;
        t93.put(r, "tariff", k, number(r, "tariff")?)?;
        cfl.put(r, "tariff_cfl", k, number(r, "tariff_cfl")?)
    })?;
    let (trade, tariffs_1993, tariffs_nafta_2005) =
        (trade.done(&name, false)?, t93.done(&name, false)?, cfl.done(&name, false)?);

    let (name, bytes) = open_file(dir, "intermediate_consumption.csv")?;
    let mut intermediate = Filled::new(n * j * j);
    read((&name, &bytes), &["input", "sector", "region", "value"], |r| {
        let (k, s, m) = (index(r, "input", &sec)?, index(r, "sector", &sec)?, index(r, "region", &reg)?);
        intermediate.put(r, "value", (m * j + s) * j + k, number(r, "value")?)
    })?;
    let intermediate = intermediate.done(&name, false)?;
    let by_region_sector = |file: &str| -> Result<Vec<f64>> {
        let (name, bytes) = open_file(dir, file)?;
        let mut out = Filled::new(n * j);
        read((&name, &bytes), &["sector", "region", "value"], |r| {
            let (s, m) = (index(r, "sector", &sec)?, index(r, "region", &reg)?);
            out.put(r, "value", m * j + s, number(r, "value")?)
        })?;
        out.done(&name, false)
    };
    let value_added = by_region_sector("value_added.csv")?;
    let final_demand = by_region_sector("final_consumption.csv")?;
    let (name, bytes) = open_file(dir, "deficit.csv")?;
    let mut deficits = Filled::new(n);
    read((&name, &bytes), &["region", "D"], |r| {
        let m = index(r, "region", &reg)?;
        deficits.put(r, "D", m, number(r, "D")?)
    })?;
    let deficits = deficits.done(&name, false)?;
    let (name, bytes) = open_file(dir, "theta.csv")?;
    let mut theta = Filled::new(j);
    read((&name, &bytes), &["sector", "value"], |r| {
        let s = index(r, "sector", &sec)?;
        theta.put(r, "value", s, number(r, "value")?)
    })?;
    let theta = theta.done(&name, false)?;
    let isic_rev3 = match embedded() {
        Ok(e) if e.sectors == sectors => e.isic_rev3.clone(),
        _ => vec![String::new(); j],
    };
    Ok(Cp2015 {
        regions,
        economies,
        sectors,
        isic_rev3,
        trade,
        tariffs_1993,
        tariffs_nafta_2005,
        intermediate,
        value_added,
        final_demand,
        deficits,
        theta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_world_loads_with_its_control_totals() {
        let w = embedded().expect("embedded cp2015");
        assert_eq!((w.regions_len(), w.sectors_len()), (31, 40));
        assert_eq!(w.economies[19], Economy::MEX);
        assert_eq!(w.economies[30], Economy::ROW);
        let va: f64 = w.value_added.iter().sum();
        assert!((va / 2.4915e13 - 1.0).abs() < 1e-4, "{va}");
        let n = 31;
        let usa_to_mex: f64 = (0..20).map(|s| w.trade[(s * n + 19) * n + 29]).sum();
        assert!((usa_to_mex / 4.2890e10 - 1.0).abs() < 1e-4, "{usa_to_mex}");
        let changed = w.tariffs_1993.iter().zip(&w.tariffs_nafta_2005).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 116);
        assert_eq!(w.theta[6], 64.85);
    }

    #[test]
    fn the_concordance_maps_soybeans_to_agriculture_and_phones_to_communication() {
        let c = hs6_sectors().expect("concordance");
        let find = |code: &str| c.iter().find(|r| r.code.digits_str() == code).map(|r| r.sector.as_str());
        assert_eq!(find("120190"), Some("Agriculture"));
        assert_eq!(find("851712"), Some("Communication"));
        assert_eq!(find("847130"), Some("Office"));
        assert_eq!(find("870323"), Some("Auto"));
        assert_eq!(find("720410"), Some("Basic metals"));
        assert_eq!(find("271600"), None);
        assert_eq!(find("999999"), None);
    }
}
