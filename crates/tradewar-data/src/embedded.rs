//! The datasets compiled into the library (see `data/PROVENANCE.md`).
//!
//! Each is parsed once, on first use, and shared after that. The parsers
//! are the public loaders, so the embedded files pass the same checks as a
//! user's own files; the test suite loads every one of them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use tradewar_core::{Economy, HsCode, HsLevel, MfnTable, Money, Percent, ProductScope, TradeMatrix, UnitValues};

use crate::error::Result;
use crate::loaders::{self, DatedRate, PublishedTotal, WaveRate, YearlyAmounts};

macro_rules! embedded {
    ($file:literal) => {
        ($file, include_str!(concat!("../data/", $file)))
    };
}

const TRADE_HS6: (&str, &str) = embedded!("us_china_trade_hs6.csv");
const UNIT_VALUES_HS6: (&str, &str) = embedded!("us_china_unit_values_hs6.csv");
const TRADE_TOTALS: (&str, &str) = embedded!("us_china_trade_totals.csv");
const CENSUS_2017: (&str, &str) = embedded!("census_2017_totals.csv");
const US_MFN_2017: (&str, &str) = embedded!("us_mfn_2017.csv");
const SECTION301: (&str, &str) = embedded!("us_section301_lists.csv");
const CN_MFN: (&str, &str) = embedded!("cn_mfn_hs6.csv");
const CN_RETALIATION: (&str, &str) = embedded!("cn_retaliation_hs6.csv");
const CN_S232_128: (&str, &str) = embedded!("cn_retaliation_2018_04_02_hs8.csv");
const PHASE_ONE_ANNEX: (&str, &str) = embedded!("phase_one_annex_6_1.csv");
const PHASE_ONE_COMMITMENTS: (&str, &str) = embedded!("phase_one_commitments.csv");
const BW_SIGMA: (&str, &str) = embedded!("bw_sigma_hts10.csv");
const GRAVITY_SAMPLE: (&str, &str) = embedded!("world_gravity_sample_2006.csv");

fn cached<T: Send + Sync>(cell: &'static OnceLock<Result<T>>, load: impl FnOnce() -> Result<T>) -> Result<&'static T> {
    cell.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn name(file: &str) -> String {
    format!("embedded {file}")
}

/// US goods trade with China, both directions, HS6, 2015–2021 (US Census via
/// UN Comtrade; US exports FOB, US imports CIF). Includes HS 9999.99
/// (commodities not specified), which holds what confidentiality removed
/// from the detail.
pub fn us_china_trade() -> Result<&'static TradeMatrix> {
    static CELL: OnceLock<Result<TradeMatrix>> = OnceLock::new();
    cached(&CELL, || loaders::read_trade_csv(&name(TRADE_HS6.0), TRADE_HS6.1.as_bytes()))
}

/// The net weights and quantities of the same flows, 2015–2021 (US Census
/// via UN Comtrade; the flows with a net weight or a quantity, HS 9999.99
/// left out): unit values that price specific duties at their ad valorem
/// equivalents ([`tradewar_core::Schedule::with_unit_values`]). Values are
/// on the trade table's basis (US imports CIF, US exports FOB).
pub fn us_china_unit_values() -> Result<&'static UnitValues> {
    static CELL: OnceLock<Result<UnitValues>> = OnceLock::new();
    cached(&CELL, || loaders::read_unit_values_csv(&name(UNIT_VALUES_HS6.0), UNIT_VALUES_HS6.1.as_bytes()))
}

/// Reported totals of the same trade, by year and direction.
pub fn us_china_trade_totals() -> Result<&'static TradeMatrix> {
    static CELL: OnceLock<Result<TradeMatrix>> = OnceLock::new();
    cached(&CELL, || {
        // The totals file has no product column: read it as product "99" (unallocated).
        let text: String = TRADE_TOTALS
            .1
            .lines()
            .enumerate()
            .map(|(i, l)| if i == 0 { format!("{l},product\n") } else { format!("{l},99\n") })
            .collect();
        loaders::read_trade_csv(&name(TRADE_TOTALS.0), text.as_bytes())
    })
}

/// The Census Bureau's published 2017 totals (first published February 2018):
/// US exports to China $130.4B (FOB) and general imports $505.6B (customs value).
pub fn census_2017_totals() -> Result<&'static Vec<PublishedTotal>> {
    static CELL: OnceLock<Result<Vec<PublishedTotal>>> = OnceLock::new();
    cached(&CELL, || loaders::read_published_totals(&name(CENSUS_2017.0), CENSUS_2017.1.as_bytes()))
}

/// The published 2017 US goods balance with China (first published): exports minus imports.
pub fn census_2017_balance() -> Result<Money> {
    let t = census_2017_totals()?;
    let get = |e: Economy| t.iter().find(|r| r.exporter == e).map(|r| r.value);
    match (get(Economy::USA), get(Economy::CHN)) {
        (Some(x), Some(m)) => x.checked_sub(m).map_err(|error| crate::error::DataError::Domain {
            source_name: name(CENSUS_2017.0),
            error: Box::new(error),
        }),
        _ => Err(crate::error::DataError::Inconsistent {
            source_name: name(CENSUS_2017.0),
            message: "exports or imports row missing".into(),
        }),
    }
}

/// The US MFN schedule of 2017 by HTS8 (USITC tariff database), without the
/// special provisions of chapters 98 and 99, which are not products.
pub fn us_mfn_2017() -> Result<&'static MfnTable> {
    static CELL: OnceLock<Result<MfnTable>> = OnceLock::new();
    cached(&CELL, || {
        let full = loaders::read_mfn_csv(&name(US_MFN_2017.0), Economy::USA, US_MFN_2017.1.as_bytes())?;
        let lines = full.lines().filter(|(c, _)| c.chapter().value() < 98).map(|(c, d)| (c, d.clone()));
        MfnTable::new(Economy::USA, lines).map_err(|error| crate::error::DataError::Domain {
            source_name: name(US_MFN_2017.0),
            error: Box::new(error),
        })
    })
}

/// HTS8 descriptions of the US 2017 schedule, for reports.
pub fn us_hts8_description(line: HsCode) -> Option<&'static str> {
    static CELL: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let map = CELL.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(US_MFN_2017.1.as_bytes());
        rdr.records().flatten().filter_map(|rec| Some((rec.get(0)?.to_string(), rec.get(7)?.to_string()))).collect()
    });
    let key = line.truncate(HsLevel::National8)?.digits_str();
    map.get(&key).map(String::as_str)
}

/// The Section 301 lists as of 2020-01-01 (USITC "China Tariffs" table), by
/// list name `1`, `2`, `3`, `4A`, `4B`: HTS8 lines plus a few HTS10.
pub fn section301_lists() -> Result<&'static BTreeMap<String, ProductScope>> {
    static CELL: OnceLock<Result<BTreeMap<String, ProductScope>>> = OnceLock::new();
    cached(&CELL, || loaders::read_section301_lists(&name(SECTION301.0), SECTION301.1.as_bytes()))
}

/// China's applied MFN rate on US goods by HS6, from 2018-01-01, with a row
/// at each date it changed (derived from Waugh's series; see PROVENANCE).
pub fn china_mfn_path() -> Result<&'static Vec<DatedRate>> {
    static CELL: OnceLock<Result<Vec<DatedRate>>> = OnceLock::new();
    cached(&CELL, || loaders::read_dated_rates(&name(CN_MFN.0), CN_MFN.1.as_bytes()))
}

/// China's retaliatory waves by HS6 (start, raises, suspensions, exclusions).
pub fn china_retaliation() -> Result<&'static Vec<WaveRate>> {
    static CELL: OnceLock<Result<Vec<WaveRate>>> = OnceLock::new();
    cached(&CELL, || loaders::read_wave_rates(&name(CN_RETALIATION.0), CN_RETALIATION.1.as_bytes()))
}

/// China's 2018-04-02 list against the US Section 232 duties: 128 lines of
/// China's 8-digit tariff, 120 at +15 % and 8 at +25 %.
pub fn china_s232_retaliation_lines() -> Result<&'static BTreeMap<HsCode, Percent>> {
    static CELL: OnceLock<Result<BTreeMap<HsCode, Percent>>> = OnceLock::new();
    cached(&CELL, || loaders::read_line_rates(&name(CN_S232_128.0), CN_S232_128.1.as_bytes()))
}

/// Phase One Annex 6.1 product categories (`manufactured`, `agriculture`,
/// `energy`) as scopes at HS6 and coarser.
pub fn phase_one_categories() -> Result<&'static BTreeMap<String, ProductScope>> {
    static CELL: OnceLock<Result<BTreeMap<String, ProductScope>>> = OnceLock::new();
    cached(&CELL, || {
        loaders::read_categories(
            &name(PHASE_ONE_ANNEX.0),
            PHASE_ONE_ANNEX.1.as_bytes(),
            "high_category",
            HsLevel::Subheading,
        )
    })
}

/// Phase One Article 6.2: extra purchases over 2017 by category and year.
pub fn phase_one_increments() -> Result<&'static YearlyAmounts> {
    static CELL: OnceLock<Result<YearlyAmounts>> = OnceLock::new();
    cached(&CELL, || loaders::read_yearly_amounts(&name(PHASE_ONE_COMMITMENTS.0), PHASE_ONE_COMMITMENTS.1.as_bytes()))
}

/// Broda–Weinstein (2006) US elasticities of substitution by HTS10, 1990–2001.
pub fn broda_weinstein_sigmas() -> Result<&'static BTreeMap<HsCode, f64>> {
    static CELL: OnceLock<Result<BTreeMap<HsCode, f64>>> = OnceLock::new();
    cached(&CELL, || loaders::read_sigmas_keep_first(&name(BW_SIGMA.0), BW_SIGMA.1.as_bytes()))
}

/// The 30-country 2006 gravity sample of `gegravity`'s documentation, as CSV text.
pub fn gravity_sample_csv() -> &'static str {
    GRAVITY_SAMPLE.1
}
