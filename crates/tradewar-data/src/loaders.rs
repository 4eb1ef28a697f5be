//! CSV loaders. Each takes any reader and a source name for messages,
//! parses everything into new objects, and only then hands them over: a
//! load that fails part-way leaves nothing half-loaded.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use rust_decimal::Decimal;
pub use tradewar_core::Duplicates;
use tradewar_core::{
    excerpt, parse_date, Currency, Duty, Economy, Error as CoreError, HsCode, HsLevel, MfnTable, Money, Percent,
    ProductScope, TradeFlow, TradeMatrix, ValuationBasis,
};

pub use crate::csv_source::MAX_FIELD_BYTES;
use crate::csv_source::{CsvSource, Row};
use crate::error::{DataError, Result};

mod unit_values;
pub use unit_values::read_unit_values_csv;

fn parse_year(s: &str) -> tradewar_core::Result<i32> {
    s.parse::<i64>()
        .map_err(|_| CoreError::Invalid {
            what: "year",
            reason: format!("{:?} is not a year between 1900 and 2100", excerpt(s)),
        })
        .and_then(|y| tradewar_core::check_year(y, "year"))
}

fn parse_decimal(s: &str) -> tradewar_core::Result<Decimal> {
    let bad = || CoreError::InvalidMoney { value: excerpt(s), reason: "not a plain decimal number" };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
        return Err(bad());
    }
    Decimal::from_str_exact(s).map_err(|_| bad())
}

/// A non-negative amount of US dollars; `1.0e9` style is accepted only as
/// plain decimals (`1000000000` or `1000000000.0`).
fn parse_usd(s: &str) -> tradewar_core::Result<Money> {
    let d = parse_decimal(s)?;
    Money::non_negative(d, Currency::USD)
}

/// Checks a flow where it was read, naming the column to blame.
fn check_flow(row: &Row<'_>, flow: &TradeFlow, value_column: &str) -> Result<()> {
    flow.validate().map_err(|e| {
        let column = match e {
            CoreError::Invalid { .. } => "importer",
            _ => value_column,
        };
        row.error(column, e)
    })
}

/// A matrix of flows read from rows of a file (`lines[k]` is the line of
/// `flows[k]`), duplicates refused or summed; a refusal names both lines.
fn matrix_of(source_name: &str, flows: Vec<TradeFlow>, lines: &[u64], duplicates: Duplicates) -> Result<TradeMatrix> {
    let mut m = TradeMatrix::with_capacity(flows.len());
    m.extend_with(flows, duplicates).map_err(|error| match error {
        CoreError::DuplicateFlow { flow, first, second } => DataError::Duplicate {
            source_name: source_name.to_string(),
            flow,
            first: format!("line {}", lines[first]),
            second: format!("line {}", lines[second]),
        },
        error => DataError::Domain { source_name: source_name.to_string(), error: Box::new(error) },
    })?;
    Ok(m)
}

/// Reads trade flows in tradewar's own layout:
/// `year,exporter,importer,product,value_usd[,basis]` (the product column
/// may also be called `hs6`; without a basis column every value is a customs
/// value, as in [`TradeMatrix`]'s Python constructor; other columns are ignored). A flow (exporter,
/// importer, product, year) on two lines is refused ([`DataError::Duplicate`]);
/// [`read_trade_csv_with`] can sum them instead.
pub fn read_trade_csv<R: Read>(source_name: &str, reader: R) -> Result<TradeMatrix> {
    read_trade_csv_with(source_name, reader, Duplicates::Refuse)
}

/// [`read_trade_csv`], doing `duplicates` with a flow on two lines.
pub fn read_trade_csv_with<R: Read>(source_name: &str, reader: R, duplicates: Duplicates) -> Result<TradeMatrix> {
    let src = CsvSource::open(source_name, reader, &["year", "exporter", "importer", "value_usd"])?;
    let mut flows = Vec::new();
    let mut lines = Vec::new();
    src.for_each(|row| {
        let product_col = if row.get("product").is_empty() && !row.get("hs6").is_empty() { "hs6" } else { "product" };
        let flow = TradeFlow {
            year: row.parse("year", parse_year)?,
            exporter: row.parse("exporter", Economy::new)?,
            importer: row.parse("importer", Economy::new)?,
            product: row.parse(product_col, HsCode::new)?,
            value: row.parse("value_usd", parse_usd)?,
            basis: if row.has("basis") {
                row.parse("basis", str::parse::<ValuationBasis>)?
            } else {
                ValuationBasis::CustomsValue
            },
        };
        check_flow(row, &flow, "value_usd")?;
        flows.push(flow);
        lines.push(row.line());
        Ok(())
    })?;
    matrix_of(source_name, flows, &lines, duplicates)
}

/// Loads flows into an existing matrix: all of them, or (on any error,
/// including a flow the matrix already has) none.
pub fn load_trade_csv_into<R: Read>(matrix: &mut TradeMatrix, source_name: &str, reader: R) -> Result<usize> {
    let new = read_trade_csv(source_name, reader)?;
    let before = matrix.len();
    matrix.append(&new).map_err(|error| match error {
        CoreError::DuplicateFlow { flow, first, second } => DataError::Duplicate {
            source_name: source_name.to_string(),
            flow,
            first: format!("row {first} of the matrix loaded into (from 0)"),
            second: format!("row {} of the file (from 0)", second - before),
        },
        error => DataError::Domain { source_name: source_name.to_string(), error: Box::new(error) },
    })?;
    Ok(new.len())
}

/// Reads a UN Comtrade extract (`year,reporter,partner,flow,hs_code,primary_value_usd`):
/// flow `X` is the reporter's exports (FOB), `M` its imports (CIF). Rows
/// with code `TOTAL` are skipped. A flow on two lines is refused.
pub fn read_comtrade_csv<R: Read>(source_name: &str, reader: R) -> Result<TradeMatrix> {
    read_comtrade_csv_with(source_name, reader, Duplicates::Refuse)
}

/// [`read_comtrade_csv`], doing `duplicates` with a flow on two lines.
pub fn read_comtrade_csv_with<R: Read>(source_name: &str, reader: R, duplicates: Duplicates) -> Result<TradeMatrix> {
    let src =
        CsvSource::open(source_name, reader, &["year", "reporter", "partner", "flow", "hs_code", "primary_value_usd"])?;
    let mut flows = Vec::new();
    let mut lines = Vec::new();
    src.for_each(|row| {
        if row.get("hs_code").eq_ignore_ascii_case("TOTAL") {
            return Ok(());
        }
        let reporter = row.parse("reporter", Economy::new)?;
        let partner = row.parse("partner", Economy::new)?;
        let (exporter, importer, basis) = match row.get("flow") {
            "X" => (reporter, partner, ValuationBasis::Fob),
            "M" => (partner, reporter, ValuationBasis::Cif),
            other => {
                return Err(row.error(
                    "flow",
                    CoreError::UnknownKeyword {
                        kind: "trade flow",
                        value: excerpt(other),
                        expected: "X (exports), M (imports)",
                    },
                ))
            }
        };
        let flow = TradeFlow {
            year: row.parse("year", parse_year)?,
            exporter,
            importer,
            product: row.parse("hs_code", HsCode::new)?,
            value: row.parse("primary_value_usd", parse_usd)?,
            basis,
        };
        check_flow(row, &flow, "primary_value_usd")?;
        flows.push(flow);
        lines.push(row.line());
        Ok(())
    })?;
    matrix_of(source_name, flows, &lines, duplicates)
}

/// Reads an MFN schedule by national line:
/// `hts8,ad_valorem_pct,specific_usd,unit,text` (the code column may be
/// `hts8`, `hs6` or `line`). A line with an empty ad valorem rate and no
/// specific rate carries its legal text as a [`Duty::Complex`]. The unit of
/// a specific rate is read from `specific_unit` where that column is filled
/// (the embedded file's unit of the duty), else from `unit`.
pub fn read_mfn_csv<R: Read>(source_name: &str, importer: Economy, reader: R) -> Result<MfnTable> {
    let src = CsvSource::open(source_name, reader, &["ad_valorem_pct"])?;
    let mut lines = Vec::new();
    let mut seen = std::collections::HashSet::new();
    src.for_each(|row| {
        let col = ["hts8", "line", "hs6"].into_iter().find(|c| !row.get(c).is_empty()).unwrap_or("hts8");
        let code = row.parse(col, HsCode::new)?;
        if !seen.insert(code) {
            return Err(row.error(
                col,
                CoreError::Invalid { what: "MFN table", reason: format!("line {code} of {importer} is listed twice") },
            ));
        }
        lines.push((code, mfn_duty(row)?));
        Ok(())
    })?;
    MfnTable::new(importer, lines)
        .map_err(|error| DataError::Domain { source_name: source_name.to_string(), error: Box::new(error) })
}

fn mfn_duty(row: &Row<'_>) -> Result<Duty> {
    let av = row.get("ad_valorem_pct");
    let sp = row.get("specific_usd");
    if av.is_empty() && sp.is_empty() {
        return Ok(Duty::Complex { text: row.get("text").to_string() });
    }
    let rate = if av.is_empty() { Percent::ZERO } else { row.parse("ad_valorem_pct", str::parse::<Percent>)? };
    let specific = if sp.is_empty() { Decimal::ZERO } else { row.parse("specific_usd", parse_decimal)? };
    if specific.is_sign_negative() && !specific.is_zero() {
        return Err(row.error(
            "specific_usd",
            CoreError::InvalidMoney { value: excerpt(sp), reason: "a duty must not be negative" },
        ));
    }
    let unit = row.get("unit").to_string();
    // `unit` may be a statistical unit (USITC's quantity_1) rather than the duty's.
    let unit = match row.get("specific_unit") {
        "" => unit,
        own => own.to_string(),
    };
    Ok(if specific.is_zero() {
        Duty::AdValorem { rate }
    } else if rate.is_zero() {
        Duty::Specific { amount: Money::new(specific, Currency::USD), unit }
    } else {
        Duty::Compound { rate, amount: Money::new(specific, Currency::USD), unit }
    })
}

/// Reads the Section 301 lists (`hts,list`) into one scope per list name.
pub fn read_section301_lists<R: Read>(source_name: &str, reader: R) -> Result<BTreeMap<String, ProductScope>> {
    let src = CsvSource::open(source_name, reader, &["hts", "list"])?;
    let mut lists: BTreeMap<String, Vec<HsCode>> = BTreeMap::new();
    src.for_each(|row| {
        let code = row.parse("hts", HsCode::new)?;
        let list = row.get("list");
        if !matches!(list, "1" | "2" | "3" | "4A" | "4B") {
            return Err(row.error(
                "list",
                CoreError::UnknownKeyword {
                    kind: "Section 301 list",
                    value: excerpt(list),
                    expected: "1, 2, 3, 4A, 4B",
                },
            ));
        }
        lists.entry(list.to_string()).or_default().push(code);
        Ok(())
    })?;
    Ok(lists.into_iter().map(|(k, v)| (k, ProductScope::new(v))).collect())
}

/// A rate by product that takes effect on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedRate {
    /// The product.
    pub product: HsCode,
    /// From when.
    pub date: NaiveDate,
    /// The rate (a level, not a change).
    pub rate: Percent,
}

/// Reads a dated MFN path by product: `hs6,date,rate_pct`.
pub fn read_dated_rates<R: Read>(source_name: &str, reader: R) -> Result<Vec<DatedRate>> {
    let src = CsvSource::open(source_name, reader, &["hs6", "date", "rate_pct"])?;
    let mut out = Vec::new();
    src.for_each(|row| {
        out.push(DatedRate {
            product: row.parse("hs6", HsCode::new)?,
            date: row.parse("date", parse_date)?,
            rate: row.parse("rate_pct", str::parse::<Percent>)?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// What a row of a retaliation decomposition does to its wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveEvent {
    /// The wave starts on this product.
    Start,
    /// The wave's rate on the product is raised.
    Raise,
    /// The wave is suspended on the product (rate 0).
    Suspend,
    /// The product is excluded from the wave (rate 0, for a year).
    Exclude,
}

/// A row of a retaliation decomposition: from `date`, wave `wave` adds
/// `rate` on `product`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveRate {
    /// The product.
    pub product: HsCode,
    /// The wave (its effective date).
    pub wave: NaiveDate,
    /// From when the rate applies.
    pub date: NaiveDate,
    /// The additional rate.
    pub rate: Percent,
    /// What happens.
    pub event: WaveEvent,
}

/// Reads `hs6,wave,date,rate_pct,event`.
pub fn read_wave_rates<R: Read>(source_name: &str, reader: R) -> Result<Vec<WaveRate>> {
    let src = CsvSource::open(source_name, reader, &["hs6", "wave", "date", "rate_pct", "event"])?;
    let mut out = Vec::new();
    src.for_each(|row| {
        let event = match row.get("event") {
            "start" => WaveEvent::Start,
            "raise" => WaveEvent::Raise,
            "suspend" => WaveEvent::Suspend,
            "exclude" => WaveEvent::Exclude,
            other => {
                return Err(row.error(
                    "event",
                    CoreError::UnknownKeyword {
                        kind: "wave event",
                        value: excerpt(other),
                        expected: "start, raise, suspend, exclude",
                    },
                ))
            }
        };
        out.push(WaveRate {
            product: row.parse("hs6", HsCode::new)?,
            wave: row.parse("wave", parse_date)?,
            date: row.parse("date", parse_date)?,
            rate: row.parse("rate_pct", str::parse::<Percent>)?,
            event,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Reads a list of lines with an additional rate: `hs8,rate_pct`.
pub fn read_line_rates<R: Read>(source_name: &str, reader: R) -> Result<BTreeMap<HsCode, Percent>> {
    let src = CsvSource::open(source_name, reader, &["hs8", "rate_pct"])?;
    let mut out = BTreeMap::new();
    src.for_each(|row| {
        let code = row.parse("hs8", HsCode::new)?;
        let rate = row.parse("rate_pct", str::parse::<Percent>)?;
        if out.insert(code, rate).is_some() {
            return Err(row.error(
                "hs8",
                CoreError::Invalid { what: "rate list", reason: format!("line {code} is listed twice") },
            ));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Reads a product classification (`code,<category column>`) into one scope
/// per category. Codes longer than `max_level` are cut to it; where codes
/// of two categories nest, the longer one wins (its code is excluded from
/// the shorter one's category).
pub fn read_categories<R: Read>(
    source_name: &str,
    reader: R,
    category_column: &str,
    max_level: HsLevel,
) -> Result<BTreeMap<String, ProductScope>> {
    let src = CsvSource::open(source_name, reader, &["code", category_column])?;
    let mut codes: BTreeMap<HsCode, String> = BTreeMap::new();
    src.for_each(|row| {
        let raw = row.get("code");
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if digits.len() % 2 == 1 && digits.len() <= usize::from(max_level.digits()) {
            return Err(row.error(
                "code",
                CoreError::InvalidHsCode {
                    value: excerpt(raw),
                    reason: "an odd number of digits (a lost leading zero?)",
                },
            ));
        }
        let cut = &digits[..digits.len().min(usize::from(max_level.digits()))];
        let code = HsCode::new(cut).map_err(|_| {
            row.error(
                "code",
                CoreError::InvalidHsCode { value: excerpt(raw), reason: "not an HS code of 2 or more digits" },
            )
        })?;
        let cat = row.get(category_column).to_string();
        if cat.is_empty() {
            return Err(row.error(category_column, CoreError::Invalid { what: "category", reason: "empty".into() }));
        }
        if let Some(prev) = codes.insert(code, cat.clone()) {
            if prev != cat {
                return Err(row.error(
                    "code",
                    CoreError::Invalid {
                        what: "classification",
                        reason: format!("{code} is in both {prev:?} and {cat:?}"),
                    },
                ));
            }
        }
        Ok(())
    })?;
    let mut out: BTreeMap<String, (Vec<HsCode>, Vec<HsCode>)> = BTreeMap::new();
    for (code, cat) in &codes {
        out.entry(cat.clone()).or_default().0.push(*code);
        // Nested codes of other categories are carved out of this one.
        let mut p = code.parent();
        while let Some(a) = p {
            if let Some(other) = codes.get(&a) {
                if other != cat {
                    out.entry(other.clone()).or_default().1.push(*code);
                }
                break;
            }
            p = a.parent();
        }
    }
    Ok(out.into_iter().map(|(k, (inc, exc))| (k, ProductScope::new(inc).with_exclusions(exc))).collect())
}

/// Amounts by category and year.
pub type YearlyAmounts = BTreeMap<String, Vec<(i32, Money)>>;

/// Reads per-category yearly amounts: `category,increment_2020_usd,increment_2021_usd,...`
/// (every column named `increment_<year>_usd`).
pub fn read_yearly_amounts<R: Read>(source_name: &str, reader: R) -> Result<YearlyAmounts> {
    let src = CsvSource::open(source_name, reader, &["category"])?;
    let mut out = BTreeMap::new();
    let mut columns: Option<Vec<(String, i32)>> = None;
    src.for_each(|row| {
        let cols = columns.get_or_insert_with(|| {
            [
                "increment_2018_usd",
                "increment_2019_usd",
                "increment_2020_usd",
                "increment_2021_usd",
                "increment_2022_usd",
            ]
            .iter()
            .filter(|c| !row.get(c).is_empty())
            .map(|c| ((*c).to_string(), c[10..14].parse().unwrap_or(0)))
            .collect()
        });
        let mut years = Vec::new();
        for (c, y) in cols.iter() {
            years.push((*y, row.parse(c, parse_usd)?));
        }
        out.insert(row.get("category").to_string(), years);
        Ok(())
    })?;
    Ok(out)
}

/// A published total: `series,exporter,importer,value_usd,basis,source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTotal {
    /// Series name.
    pub series: String,
    /// Exporter.
    pub exporter: Economy,
    /// Importer.
    pub importer: Economy,
    /// Value.
    pub value: Money,
    /// Basis.
    pub basis: ValuationBasis,
    /// Who published it, where.
    pub source: String,
}

/// Reads published totals.
pub fn read_published_totals<R: Read>(source_name: &str, reader: R) -> Result<Vec<PublishedTotal>> {
    let src =
        CsvSource::open(source_name, reader, &["series", "exporter", "importer", "value_usd", "basis", "source"])?;
    let mut out = Vec::new();
    src.for_each(|row| {
        out.push(PublishedTotal {
            series: row.get("series").to_string(),
            exporter: row.parse("exporter", Economy::new)?,
            importer: row.parse("importer", Economy::new)?,
            value: row.parse("value_usd", parse_usd)?,
            basis: row.parse("basis", str::parse::<ValuationBasis>)?,
            source: row.get("source").to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// An elasticity by product: `hts10,sigma`. A code listed twice is refused,
/// naming both lines (the Broda–Weinstein source lists one code twice with
/// different values: pick one with [`read_sigmas_keep_first`]).
pub fn read_sigmas<R: Read>(source_name: &str, reader: R) -> Result<BTreeMap<HsCode, f64>> {
    read_sigmas_with(source_name, reader, false)
}

/// [`read_sigmas`], keeping the first value of a code listed twice (how the
/// embedded Broda–Weinstein table is read; its PROVENANCE.md names the code).
pub fn read_sigmas_keep_first<R: Read>(source_name: &str, reader: R) -> Result<BTreeMap<HsCode, f64>> {
    read_sigmas_with(source_name, reader, true)
}

fn read_sigmas_with<R: Read>(source_name: &str, reader: R, keep_first: bool) -> Result<BTreeMap<HsCode, f64>> {
    let src = CsvSource::open(source_name, reader, &["hts10", "sigma"])?;
    let mut out: BTreeMap<HsCode, (f64, u64)> = BTreeMap::new();
    src.for_each(|row| {
        let code = row.parse("hts10", HsCode::new)?;
        let s = row.get("sigma");
        let v: f64 = s.parse().ok().filter(|v: &f64| v.is_finite() && *v > 0.0).ok_or_else(|| {
            row.error(
                "sigma",
                CoreError::InvalidRate {
                    value: excerpt(s),
                    reason: "an elasticity of substitution must be a positive finite number",
                },
            )
        })?;
        match out.get(&code) {
            None => {
                out.insert(code, (v, row.line()));
            }
            Some(_) if keep_first => {}
            Some(&(_, first)) => {
                return Err(DataError::DuplicateEntry {
                    source_name: source_name.to_string(),
                    key: format!("the elasticity of {code}"),
                    first: format!("line {first}"),
                    second: format!("line {}", row.line()),
                })
            }
        }
        Ok(())
    })?;
    Ok(out.into_iter().map(|(c, (v, _))| (c, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_duplicates_are_refused_unless_the_first_is_kept() {
        let twice = "hts10,sigma\n2103204020,66.7\n0101110010,2\n2103204020,5.47\n";
        let e = read_sigmas("s.csv", twice.as_bytes()).unwrap_err();
        assert!(
            matches!(&e, DataError::DuplicateEntry { first, second, .. } if first == "line 2" && second == "line 4")
        );
        assert!(e.to_string().contains("2103.20.4020"), "{e}");
        let kept = read_sigmas_keep_first("s.csv", twice.as_bytes()).unwrap();
        assert_eq!(kept[&HsCode::new("2103204020").unwrap()], 66.7);
    }

    #[test]
    fn comtrade_errors_name_its_value_column() {
        let ct = "year,reporter,partner,flow,hs_code,primary_value_usd\n2017,USA,CHN,M,940310,0.001\n";
        let e = read_comtrade_csv("c.csv", ct.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("primary_value_usd"), "{e}");
    }

    #[test]
    fn trade_csv_errors_name_the_place() {
        let ok = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,100,fob\n";
        let m = read_trade_csv("t.csv", ok.as_bytes()).unwrap();
        assert_eq!(m.len(), 1);
        let bad_row =
            "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,100,fob\n2017,USA,XXX,120190,5,fob\n";
        let e = read_trade_csv("t.csv", bad_row.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "t.csv, line 3, column \"importer\": unknown economy \"XXX\": expected an ISO 3166-1 alpha-3 code such as \"USA\" or an aggregate (WLD, ROW, EU27, EU28)");
        // Without a basis column, customs values (as the Python constructor takes them).
        let no_basis =
            read_trade_csv("t.csv", "year,exporter,importer,hs6,value_usd\n2017,USA,CHN,120190,100\n".as_bytes());
        assert_eq!(no_basis.unwrap().get(0).unwrap().basis, ValuationBasis::CustomsValue);
        // An empty basis cell in a basis column is still refused.
        let empty = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,100,\n";
        assert!(matches!(read_trade_csv("t.csv", empty.as_bytes()), Err(DataError::Row { .. })));
        let bad_col = "year,exporter,importer,hs6,value,basis\n";
        assert!(matches!(read_trade_csv("t.csv", bad_col.as_bytes()), Err(DataError::MissingColumn { .. })));
        let neg = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,-1,fob\n";
        assert!(matches!(read_trade_csv("t.csv", neg.as_bytes()), Err(DataError::Row { line: 2, .. })));
        let same = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,1,fob\n2017,USA,USA,120190,1,fob\n";
        assert!(matches!(read_trade_csv("t.csv", same.as_bytes()), Err(DataError::Row { line: 3, .. })));
        let huge =
            "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,79228162514264337593543950335,fob\n";
        assert!(matches!(read_trade_csv("t.csv", huge.as_bytes()), Err(DataError::Row { line: 2, .. })));
        let ragged = "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN\n";
        assert!(matches!(read_trade_csv("t.csv", ragged.as_bytes()), Err(DataError::Csv { .. })));
    }

    /// Issue 11: duplicate flows were summed silently (trade and Comtrade CSV).
    #[test]
    fn duplicates_are_refused_naming_both_lines_or_summed_when_asked() {
        let two = "year,exporter,importer,hs6,value_usd,basis\n2017,CHN,USA,940310,1,cif\n2017,USA,CHN,940310,5,fob\n\
                   2017,CHN,USA,940310,2,cif\n";
        let e = read_trade_csv("t.csv", two.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: duplicate trade flow CHN→USA 9403.10 2017 on line 2 and line 4; rows are not summed unless asked \
             (aggregate=True in Python, Duplicates::Sum in Rust)"
        );
        let m = read_trade_csv_with("t.csv", two.as_bytes(), Duplicates::Sum).unwrap();
        assert_eq!(m.total(Economy::CHN, Economy::USA, 2017).to_string(), "3 USD");
        let ct =
            "year,reporter,partner,flow,hs_code,primary_value_usd\n2017,USA,CHN,M,940310,1\n2017,USA,CHN,M,940310,2\n";
        assert!(matches!(read_comtrade_csv("c.csv", ct.as_bytes()), Err(DataError::Duplicate { .. })));
        let m = read_comtrade_csv_with("c.csv", ct.as_bytes(), Duplicates::Sum).unwrap();
        assert_eq!(m.total(Economy::CHN, Economy::USA, 2017).to_string(), "3 USD");
        // Loading into a matrix that has the flow already.
        let mut m = read_trade_csv(
            "a.csv",
            "year,exporter,importer,hs6,value_usd,basis\n2017,CHN,USA,940310,1,cif\n".as_bytes(),
        )
        .unwrap();
        let e = load_trade_csv_into(
            &mut m,
            "b.csv",
            "year,exporter,importer,hs6,value_usd,basis\n2017,CHN,USA,940310,1,cif\n".as_bytes(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("row 0 of the matrix loaded into"), "{e}");
        assert_eq!(m.len(), 1);
    }

    /// Issue 11: sub-cent values were rounded; a second value column was ignored; chapter 77 was read.
    #[test]
    fn fractions_of_a_cent_second_columns_and_chapter_77_are_refused() {
        let sub = "year,exporter,importer,hs6,value_usd,basis\n2017,CHN,USA,940310,100.505,cif\n";
        let e = read_trade_csv("t.csv", sub.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 2") && e.to_string().contains("fraction of a cent"), "{e}");
        let twice = "year,exporter,importer,product,value_usd,basis,value_usd\n2017,CHN,USA,940310,1,cif,999\n";
        assert!(matches!(read_trade_csv("t.csv", twice.as_bytes()), Err(DataError::DuplicateColumn { .. })));
        let ch77 = "year,exporter,importer,product,value_usd,basis\n2017,CHN,USA,770100,5,cif\n";
        let e = read_trade_csv("t.csv", ch77.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("chapter 77 is reserved"), "{e}");
        let mfn = "hts8,ad_valorem_pct\n77010000,5\n";
        assert!(read_mfn_csv("m.csv", Economy::USA, mfn.as_bytes()).is_err());
    }

    #[test]
    fn failed_load_leaves_matrix_intact() {
        let mut m = read_trade_csv(
            "a.csv",
            "year,exporter,importer,hs6,value_usd,basis\n2017,USA,CHN,120190,100,fob\n".as_bytes(),
        )
        .unwrap();
        let before = m.clone();
        let bad = "year,exporter,importer,hs6,value_usd,basis\n2018,USA,CHN,120190,1,fob\n2018,USA,CHN,12019,1,fob\n";
        assert!(load_trade_csv_into(&mut m, "b.csv", bad.as_bytes()).is_err());
        assert_eq!(m, before);
    }

    #[test]
    fn categories_nest_longest_wins() {
        let csv = "code,cat\n2710,energy\n271012250,other\n";
        let c = read_categories("c.csv", csv.as_bytes(), "cat", HsLevel::Subheading).unwrap();
        assert!(c["energy"].contains("2710.19".parse().unwrap()));
        assert!(!c["energy"].contains("2710.12".parse().unwrap()));
        assert!(c["other"].contains("2710.12".parse().unwrap()));
    }
}
