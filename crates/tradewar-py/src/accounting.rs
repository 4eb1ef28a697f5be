//! Accounting over trade and schedules, as typed records: balances, coverage,
//! average tariffs, commitment and target progress.
//!
//! Each record wraps the core struct (no copy of its logic), reads as
//! attributes, pickles and evaluates back through its JSON form, and turns
//! into a one-row [`Table`](crate::table::PyTable) (`to_table`, `to_pandas`).
//! The series functions (`tariff_path`, `coverage_by_measure`, `balances`)
//! build many-row tables from the same row writers.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tradewar_core::{
    balance, commitment_progress, coverage, coverage_by_measure as coverage_rows_of, tariff_averages,
    tariff_path as tariff_path_of, Balance, CommitmentProgress, Coverage, CoverageMethod, CoveredFlows, Economy, Money,
    TargetProgress, TariffAverages, TradeMatrix, ValuationBasis,
};

use crate::convert::{date_arg, each, economy_arg, from_json, py_str_repr, to_json, year_arg};
use crate::error::{invalid, Result};
use crate::policy::{PyMeasure, PySchedule};
use crate::rates::aggregation_arg;
use crate::table::{tables_helper, Column, PyTable, TableData};
use crate::trade::PyTradeMatrix;
use crate::values::{PyEconomy, PyMoney, PyPercent, PyTarget};

/// The methods every record shares: JSON in and out, an evaluating repr,
/// pickling, and one-row tables. `$rows` writes a table from a slice of
/// records; `$check` re-validates a record read from JSON.
macro_rules! record_class {
    ($(#[doc = $doc:literal])* $py:ident, $rust:ty, $name:literal, $rows:path, $check:path, { $($methods:tt)* }) => {
        $(#[doc = $doc])*
        #[pyclass(frozen, eq, name = $name, module = "tradewar")]
        #[derive(Clone, PartialEq)]
        pub struct $py(pub $rust);

        #[pymethods]
        impl $py {
            /// The record from its `to_json` text (checked for consistency).
            #[staticmethod]
            fn from_json(#[pyo3(from_py_with = crate::convert::arg::text)] text: pyo3::pybacked::PyBackedStr) -> Result<Self> {
                let r: $rust = from_json(&text, $name)?;
                $check(&r)?;
                Ok(Self(r))
            }
            /// JSON text that `from_json` reads back.
            fn to_json(&self) -> Result<String> {
                to_json(&self.0)
            }
            /// The record as a one-row Table.
            fn to_table(&self) -> PyTable {
                PyTable($rows(std::slice::from_ref(&self.0)))
            }
            /// The record as a one-row pandas DataFrame.
            fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                tables_helper(py, "to_pandas")?.call1((self.to_table(),))
            }
            fn _repr_html_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                tables_helper(py, "table_html")?.call1((self.to_table(),))
            }
            /// Evaluates back to an equal record.
            pub fn __repr__(&self, py: Python<'_>) -> Result<String> {
                Ok(format!(concat!($name, ".from_json({})"), py_str_repr(py, &self.to_json()?)?))
            }
            fn __reduce__<'py>(&self, py: Python<'py>) -> Result<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
                Ok((py.get_type::<Self>().getattr("from_json")?, PyTuple::new(py, [self.to_json()?])?))
            }
            $($methods)*
        }
    };
}

fn money_col<T>(rows: &[T], f: impl Fn(&T) -> tradewar_core::Money) -> Column {
    Column::Decimal(rows.iter().map(|r| Some(f(r).amount())).collect())
}

fn pct_col<T>(rows: &[T], f: impl Fn(&T) -> tradewar_core::Percent) -> Column {
    Column::Decimal(rows.iter().map(|r| Some(f(r).value())).collect())
}

fn str_col<T>(rows: &[T], f: impl Fn(&T) -> String) -> Column {
    Column::Str(rows.iter().map(f).collect())
}

fn int_col<T>(rows: &[T], f: impl Fn(&T) -> i64) -> Column {
    Column::Int(rows.iter().map(f).collect())
}

fn bases(b: &[ValuationBasis]) -> String {
    b.iter().map(|b| b.as_str()).collect::<Vec<_>>().join("+")
}

fn basis_names(b: &[ValuationBasis]) -> Vec<&'static str> {
    b.iter().map(|b| b.as_str()).collect()
}

fn balance_rows(rows: &[Balance]) -> TableData {
    TableData::new("balance")
        .with("reporter", str_col(rows, |b| b.reporter.to_string()))
        .with("partner", str_col(rows, |b| b.partner.to_string()))
        .with("year", int_col(rows, |b| i64::from(b.year)))
        .with("exports", money_col(rows, |b| b.exports))
        .with("imports", money_col(rows, |b| b.imports))
        .with("balance", money_col(rows, |b| b.balance))
        .with("export_basis", str_col(rows, |b| bases(&b.export_basis)))
        .with("import_basis", str_col(rows, |b| bases(&b.import_basis)))
}

/// Amounts read from JSON must be what the core produces: US dollars in whole cents
/// that fit the cent columns (so that every ratio taken of them stays exact).
pub(crate) fn check_amounts(what: &str, amounts: &[Money]) -> Result<()> {
    for m in amounts {
        m.to_usd_cents()?;
        if m.amount() != m.amount().round_dp(2) {
            return Err(invalid(format!("{what}: {m} is not a whole number of cents")));
        }
    }
    Ok(())
}

fn check_balance(b: &Balance) -> Result<()> {
    check_amounts("balance", &[b.exports, b.imports, b.balance])?;
    if b.exports.checked_sub(b.imports)? != b.balance {
        return Err(invalid(format!(
            "balance: {} is not exports {} minus imports {}",
            b.balance, b.exports, b.imports
        )));
    }
    Ok(())
}

record_class!(
    /// A bilateral goods balance: the reporter's exports to and imports from the partner in
    /// one year, exports minus imports, and the valuation basis of each side.
    PyBalance, Balance, "Balance", balance_rows, check_balance, {
    /// The reporting economy.
    #[getter]
    fn reporter(&self) -> PyEconomy {
        PyEconomy(self.0.reporter)
    }
    /// The partner.
    #[getter]
    fn partner(&self) -> PyEconomy {
        PyEconomy(self.0.partner)
    }
    /// The year.
    #[getter]
    fn year(&self) -> i32 {
        self.0.year
    }
    /// The reporter's exports to the partner.
    #[getter]
    fn exports(&self) -> PyMoney {
        PyMoney(self.0.exports)
    }
    /// The reporter's imports from the partner.
    #[getter]
    fn imports(&self) -> PyMoney {
        PyMoney(self.0.imports)
    }
    /// Exports minus imports (a deficit is negative).
    #[getter]
    fn balance(&self) -> PyMoney {
        PyMoney(self.0.balance)
    }
    /// Valuation bases of the export values ("fob", "cif", "customs").
    #[getter]
    fn export_basis(&self) -> Vec<&'static str> {
        basis_names(&self.0.export_basis)
    }
    /// Valuation bases of the import values.
    #[getter]
    fn import_basis(&self) -> Vec<&'static str> {
        basis_names(&self.0.import_basis)
    }
    /// Whether both sides are valued on one and the same basis.
    #[getter]
    fn is_like_for_like(&self) -> bool {
        self.0.is_like_for_like()
    }
    fn __str__(&self) -> String {
        format!(
            "{} balance with {} in {}: {} (exports {}, imports {})",
            self.0.reporter, self.0.partner, self.0.year, self.0.balance, self.0.exports, self.0.imports
        )
    }
});

pub(crate) fn coverage_rows(rows: &[Coverage]) -> TableData {
    TableData::new("coverage")
        .with("id", str_col(rows, |c| c.id.to_string()))
        .with("name", str_col(rows, |c| c.name.clone()))
        .with("importer", str_col(rows, |c| c.importer.to_string()))
        .with("exporter", str_col(rows, |c| c.exporter.to_string()))
        .with("year", int_col(rows, |c| i64::from(c.year)))
        .with("covered", money_col(rows, |c| c.covered))
        .with("pair_total", money_col(rows, |c| c.pair_total))
        .with("share_pct", pct_col(rows, Coverage::share))
        .with("lines8", int_col(rows, |c| c.lines(8) as i64))
        .with("method", str_col(rows, |c| method_name(c.method).to_string()))
        .with("flows", str_col(rows, |c| flows_name(c.flows).to_string()))
        .with("upper_bound", Column::Bool(rows.iter().map(|c| c.upper_bound).collect()))
        .with("in_force", Column::Bool(rows.iter().map(|c| c.in_force).collect()))
}

fn flows_name(f: CoveredFlows) -> &'static str {
    match f {
        CoveredFlows::ImposerImports => "imposer_imports",
        CoveredFlows::ImposerExports => "imposer_exports",
    }
}

/// Warns when a coverage is only an upper bound whatever the method (a denial order on one firm).
fn warn_bound(py: Python<'_>, c: &Coverage) -> Result<()> {
    if c.upper_bound {
        let why = c.note.clone().unwrap_or_else(|| format!("coverage of {} is an upper bound", c.id));
        crate::caveats::warn(py, "UpperBoundWarning", &format!("{}: {why}", c.id))?;
    }
    Ok(())
}

pub(crate) fn check_coverage(c: &Coverage) -> Result<()> {
    check_amounts("coverage", &[c.covered, c.pair_total])?;
    let mut digits: Vec<u8> = c.lines_by_digits.iter().map(|(d, _)| *d).collect();
    digits.sort_unstable();
    digits.dedup();
    if digits.len() != c.lines_by_digits.len() || c.lines_by_digits.iter().any(|(_, n)| i64::try_from(*n).is_err()) {
        return Err(invalid(format!("coverage {}: line counts must be one per number of digits", c.id)));
    }
    let (covered, total) = (c.covered.amount(), c.pair_total.amount());
    if covered.is_sign_negative() || covered > total {
        return Err(invalid(format!(
            "coverage {}: covered {} is not between 0 and the pair's {}",
            c.id, covered, total
        )));
    }
    Ok(())
}

record_class!(
    /// The trade of one year covered by one measure, with the matching method named
    /// (full_only is a lower bound, any_line an upper bound, line_share in between).
    PyCoverage, Coverage, "Coverage", coverage_rows, check_coverage, {
    /// The measure's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The measure's name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// The importer of the flows counted (the imposer of a tariff; the target of an export ban).
    #[getter]
    fn importer(&self) -> PyEconomy {
        PyEconomy(self.0.importer)
    }
    /// The exporter of the flows counted (the target of a tariff; the imposer of an export ban).
    #[getter]
    fn exporter(&self) -> PyEconomy {
        PyEconomy(self.0.exporter)
    }
    /// Which flows the measure's kind covers: "imposer_imports" or "imposer_exports".
    #[getter]
    fn flows(&self) -> &'static str {
        flows_name(self.0.flows)
    }
    /// Whether `covered` is only an upper bound whatever the method (the measure names an
    /// entity whose share of product-level trade cannot be known).
    #[getter]
    fn upper_bound(&self) -> bool {
        self.0.upper_bound
    }
    /// Whether the measure is in force on the date asked (one that is not covers nothing; `note` says why).
    #[getter]
    fn in_force(&self) -> bool {
        self.0.in_force
    }
    /// Why the number is what it is, where the method alone does not say.
    #[getter]
    fn note(&self) -> Option<String> {
        self.0.note.clone()
    }
    /// The trade year counted.
    #[getter]
    fn year(&self) -> i32 {
        self.0.year
    }
    /// Trade covered.
    #[getter]
    fn covered(&self) -> PyMoney {
        PyMoney(self.0.covered)
    }
    /// All trade of the pair in the year.
    #[getter]
    fn pair_total(&self) -> PyMoney {
        PyMoney(self.0.pair_total)
    }
    /// Covered share of the pair's trade (percent, two decimals).
    #[getter]
    fn share(&self) -> PyPercent {
        PyPercent(self.0.share())
    }
    /// Listed codes by number of digits, e.g. {8: 818}.
    #[getter]
    fn lines_by_digits(&self) -> std::collections::BTreeMap<u8, usize> {
        self.0.lines_by_digits.iter().copied().collect()
    }
    /// Flows at least partly covered.
    #[getter]
    fn flows_touched(&self) -> usize {
        self.0.flows_touched
    }
    /// How HS6 trade was matched to listed lines: "full_only", "line_share" or "any_line".
    #[getter]
    fn method(&self) -> &'static str {
        method_name(self.0.method)
    }
    /// Valuation bases of the trade counted.
    #[getter]
    fn basis(&self) -> Vec<&'static str> {
        basis_names(&self.0.basis)
    }
    fn __str__(&self) -> String {
        format!(
            "{} ({}): {} of {} ({}, {})",
            self.0.id,
            self.0.name,
            self.0.covered,
            self.0.pair_total,
            self.0.share(),
            self.0.method
        )
    }
});

pub(crate) fn averages_rows(rows: &[(chrono::NaiveDate, TariffAverages)]) -> TableData {
    TableData::new("tariff averages")
        .with("date", Column::Date(rows.iter().map(|r| r.0).collect()))
        .with("importer", str_col(rows, |r| r.1.importer.to_string()))
        .with("exporter", str_col(rows, |r| r.1.exporter.to_string()))
        .with("year", int_col(rows, |r| i64::from(r.1.year)))
        .with("method", str_col(rows, |r| r.1.method.as_str().to_string()))
        .with("trade_weighted", pct_col(rows, |r| r.1.trade_weighted))
        .with("trade_weighted_mfn", pct_col(rows, |r| r.1.trade_weighted_mfn))
        .with("trade_weighted_lowest", pct_col(rows, |r| r.1.trade_weighted_lowest))
        .with("trade_weighted_highest", pct_col(rows, |r| r.1.trade_weighted_highest))
        .with("simple", pct_col(rows, |r| r.1.simple))
        .with("mechanical_duties", money_col(rows, |r| r.1.mechanical_duties))
        .with("mechanical_additional_duties", money_col(rows, |r| r.1.mechanical_additional_duties))
        .with("trade", money_col(rows, |r| r.1.trade))
        .with("lines", int_col(rows, |r| r.1.lines as i64))
        .with("split_lines", int_col(rows, |r| r.1.split_lines as i64))
        .with("unmatched_trade", money_col(rows, |r| r.1.unmatched_trade))
        .with("stopped_trade", money_col(rows, |r| r.1.stopped_trade))
}

/// One date's averages: the record keeps its date so that its table row has it.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DatedAverages {
    date: chrono::NaiveDate,
    #[serde(flatten)]
    averages: TariffAverages,
}

fn dated_rows(rows: &[DatedAverages]) -> TableData {
    let pairs: Vec<_> = rows.iter().map(|r| (r.date, r.averages.clone())).collect();
    averages_rows(&pairs)
}

fn check_averages(r: &DatedAverages) -> Result<()> {
    check_tariff_averages(&r.averages)
}

pub(crate) fn check_tariff_averages(a: &TariffAverages) -> Result<()> {
    let amounts = [a.mechanical_duties, a.mechanical_additional_duties, a.trade, a.unmatched_trade, a.stopped_trade];
    check_amounts("tariff averages", &amounts)?;
    if a.trade_weighted_lowest.value() > a.trade_weighted_highest.value() {
        return Err(invalid(format!(
            "tariff averages: the lowest trade-weighted rate {} is above the highest {}",
            a.trade_weighted_lowest, a.trade_weighted_highest
        )));
    }
    if a.mechanical_additional_duties.amount() > a.mechanical_duties.amount() {
        return Err(invalid(format!(
            "tariff averages: additional duties {} exceed all duties {}",
            a.mechanical_additional_duties, a.mechanical_duties
        )));
    }
    Ok(())
}

record_class!(
    /// The average tariff an importer applies to an exporter on a date: trade-weighted,
    /// MFN alone and simple means, and the duties raised on the year's trade held fixed.
    PyTariffAverages, DatedAverages, "TariffAverages", dated_rows, check_averages, {
    /// The date of the schedule.
    #[getter]
    fn date(&self) -> chrono::NaiveDate {
        self.0.date
    }
    /// The importer.
    #[getter]
    fn importer(&self) -> PyEconomy {
        PyEconomy(self.0.averages.importer)
    }
    /// The exporter.
    #[getter]
    fn exporter(&self) -> PyEconomy {
        PyEconomy(self.0.averages.exporter)
    }
    /// The trade year used as weights.
    #[getter]
    fn year(&self) -> i32 {
        self.0.averages.year
    }
    /// Trade-weighted mean of the total ad valorem rate.
    #[getter]
    fn trade_weighted(&self) -> PyPercent {
        PyPercent(self.0.averages.trade_weighted)
    }
    /// Trade-weighted mean of the MFN rate alone.
    #[getter]
    fn trade_weighted_mfn(&self) -> PyPercent {
        PyPercent(self.0.averages.trade_weighted_mfn)
    }
    /// How each HS6 rate was read off its lines: "line_share", "highest" or "lowest".
    #[getter]
    fn method(&self) -> &'static str {
        self.0.averages.method.as_str()
    }
    /// The trade-weighted mean with every HS6 at its lowest line or part (the bracket's lower end).
    #[getter]
    fn trade_weighted_lowest(&self) -> PyPercent {
        PyPercent(self.0.averages.trade_weighted_lowest)
    }
    /// The trade-weighted mean with every HS6 at its highest line or part (the bracket's upper end).
    #[getter]
    fn trade_weighted_highest(&self) -> PyPercent {
        PyPercent(self.0.averages.trade_weighted_highest)
    }
    /// National lines split by measures that list finer codes below them.
    #[getter]
    fn split_lines(&self) -> usize {
        self.0.averages.split_lines
    }
    /// Simple mean of the total rate over the importer's national lines.
    #[getter]
    fn simple(&self) -> PyPercent {
        PyPercent(self.0.averages.simple)
    }
    /// Duties the total rates raise on the year's trade, trade held fixed.
    #[getter]
    fn mechanical_duties(&self) -> PyMoney {
        PyMoney(self.0.averages.mechanical_duties)
    }
    /// The part of those duties due to measures above MFN.
    #[getter]
    fn mechanical_additional_duties(&self) -> PyMoney {
        PyMoney(self.0.averages.mechanical_additional_duties)
    }
    /// The trade the averages weigh.
    #[getter]
    fn trade(&self) -> PyMoney {
        PyMoney(self.0.averages.trade)
    }
    /// National lines averaged over.
    #[getter]
    fn lines(&self) -> usize {
        self.0.averages.lines
    }
    /// Lines whose specific (per-unit) part is left out of the ad valorem rates.
    #[getter]
    fn lines_with_specific(&self) -> usize {
        self.0.averages.lines_with_specific
    }
    /// Lines whose specific part is priced at its ad valorem equivalent (the schedule's unit values).
    #[getter]
    fn lines_by_equivalent(&self) -> usize {
        self.0.averages.lines_by_equivalent
    }
    /// Trade in products the importer's table does not know (left out).
    #[getter]
    fn unmatched_trade(&self) -> PyMoney {
        PyMoney(self.0.averages.unmatched_trade)
    }
    /// Trade stopped by a ban or a prohibitive duty (left out).
    #[getter]
    fn stopped_trade(&self) -> PyMoney {
        PyMoney(self.0.averages.stopped_trade)
    }
    fn __str__(&self) -> String {
        let a = &self.0.averages;
        format!(
            "{} on {} at {}: {} trade-weighted ({}; {} to {}; {} MFN), {} simple",
            a.importer,
            a.exporter,
            self.0.date,
            a.trade_weighted,
            a.method,
            a.trade_weighted_lowest,
            a.trade_weighted_highest,
            a.trade_weighted_mfn,
            a.simple
        )
    }
});

fn progress_rows(rows: &[CommitmentProgress]) -> TableData {
    TableData::new("commitment progress")
        .with("id", str_col(rows, |c| c.id.to_string()))
        .with("name", str_col(rows, |c| c.name.clone()))
        .with("year", int_col(rows, |c| i64::from(c.year)))
        .with("baseline", money_col(rows, |c| c.baseline))
        .with("committed", money_col(rows, |c| c.committed))
        .with("actual", money_col(rows, |c| c.actual))
        .with("attainment_pct", pct_col(rows, CommitmentProgress::attainment))
}

fn check_progress(p: &CommitmentProgress) -> Result<()> {
    check_amounts("commitment progress", &[p.baseline, p.committed, p.actual])
}

record_class!(
    /// One year of a purchase commitment: baseline, committed and actual purchases.
    PyCommitmentProgress, CommitmentProgress, "CommitmentProgress", progress_rows, check_progress, {
    /// The commitment's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The commitment's name.
    #[getter]
    fn name(&self) -> String {
        self.0.name.clone()
    }
    /// The year.
    #[getter]
    fn year(&self) -> i32 {
        self.0.year
    }
    /// Purchases in the baseline year.
    #[getter]
    fn baseline(&self) -> PyMoney {
        PyMoney(self.0.baseline)
    }
    /// Purchases committed for the year.
    #[getter]
    fn committed(&self) -> PyMoney {
        PyMoney(self.0.committed)
    }
    /// Actual purchases in the year.
    #[getter]
    fn actual(&self) -> PyMoney {
        PyMoney(self.0.actual)
    }
    /// Actual over committed (percent, one decimal).
    #[getter]
    fn attainment(&self) -> PyPercent {
        PyPercent(self.0.attainment())
    }
    fn __str__(&self) -> String {
        format!(
            "{} {}: {} of {} committed ({})",
            self.0.id,
            self.0.year,
            self.0.actual,
            self.0.committed,
            self.0.attainment()
        )
    }
});

fn check_target(t: &TargetProgress) -> Result<()> {
    check_amounts("target progress", &[t.closed])
}

fn target_rows(rows: &[TargetProgress]) -> TableData {
    TableData::new("target progress")
        .with("label", str_col(rows, |t| t.label.clone()))
        .with("closed", money_col(rows, |t| t.closed))
        .with("share_pct", pct_col(rows, |t| t.share))
}

record_class!(
    /// How much of a negotiating target is closed, actually or by a proposal.
    PyTargetProgress, TargetProgress, "TargetProgress", target_rows, check_target, {
    /// What is measured, e.g. "actual 2019 vs 2017".
    #[getter]
    fn label(&self) -> String {
        self.0.label.clone()
    }
    /// The gap closed (positive: the deficit fell).
    #[getter]
    fn closed(&self) -> PyMoney {
        PyMoney(self.0.closed)
    }
    /// Closed over the reduction sought (percent).
    #[getter]
    fn share(&self) -> PyPercent {
        PyPercent(self.0.share)
    }
    fn __str__(&self) -> String {
        format!("{}: {} closed ({})", self.0.label, self.0.closed, self.0.share)
    }
});

/// The Python spelling of a method (the one `method_arg` reads).
pub(crate) fn method_name(m: CoverageMethod) -> &'static str {
    match m {
        CoverageMethod::FullOnly => "full_only",
        CoverageMethod::LineShare => "line_share",
        CoverageMethod::AnyLine => "any_line",
    }
}

pub(crate) fn method_arg(method: &str) -> Result<CoverageMethod> {
    match method {
        "full_only" => Ok(CoverageMethod::FullOnly),
        "line_share" => Ok(CoverageMethod::LineShare),
        "any_line" => Ok(CoverageMethod::AnyLine),
        _ => Err(tradewar_core::Error::UnknownKeyword {
            kind: "coverage method",
            value: method.to_string(),
            expected: "full_only, line_share, any_line",
        }
        .into()),
    }
}

/// `year` if the trade has flows in it; a year without any would price or weigh nothing
/// and give zeros that look like results.
pub(crate) fn year_in_trade(trade: &TradeMatrix, year: i32, what: &str) -> Result<i32> {
    let years = trade.distinct_years();
    if years.contains(&year) {
        return Ok(year);
    }
    let have = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => format!("only {a}"),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "none".to_string(),
    };
    Err(invalid(format!("{what}: the trade has no flows in {year} (years: {have})")))
}

/// The balances of `reporter` with `partner` in each year, as a table.
pub(crate) fn balances_table(m: &TradeMatrix, r: Economy, p: Economy, years: &[i32]) -> Result<PyTable> {
    let rows = years.iter().map(|&y| balance(m, r, p, y)).collect::<tradewar_core::Result<Vec<_>>>()?;
    Ok(PyTable(balance_rows(&rows)))
}

/// The goods balance of `reporter` with `partner` in `year` (exports minus imports), with
/// the valuation basis of each side.
pub(crate) fn balance_of(m: &TradeMatrix, reporter: Economy, partner: Economy, year: i32) -> Result<PyBalance> {
    Ok(PyBalance(balance(m, reporter, partner, year)?))
}

/// The goods balance of `reporter` with `partner` in `year`.
#[pyfunction(name = "balance")]
#[pyo3(signature = (trade, *, reporter, partner, year))]
fn balance_fn(
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    reporter: &Bound<'_, PyAny>,
    partner: &Bound<'_, PyAny>,
    year: &Bound<'_, PyAny>,
) -> Result<PyBalance> {
    balance_of(&trade.0, economy_arg(reporter)?, economy_arg(partner)?, year_arg(year, "year")?)
}

/// Trade of `year` covered by `measure` under the policy in force on `date`.
#[pyfunction(name = "coverage")]
#[pyo3(signature = (schedule, trade, measure, *, year, date, method = "line_share".to_string()), text_signature = "(schedule, trade, measure, *, year, date, method='line_share')")]
fn coverage_fn(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::schedule)] schedule: PySchedule,
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    #[pyo3(from_py_with = crate::convert::arg::measure)] measure: PyMeasure,
    year: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert::arg::method)] method: String,
) -> Result<PyCoverage> {
    let (year, date, method) = (year_arg(year, "year")?, date_arg(date)?, method_arg(&method)?);
    let (s, t, m) = (&schedule.inner, &trade.0, &measure.0);
    let c = crate::detached(py, || coverage(&s.at(date), t, m, year, method))?;
    warn_bound(py, &c)?;
    Ok(PyCoverage(c))
}

/// Trade of `year` covered by each tariff in force on `date` (method: "full_only",
/// "line_share" or "any_line"), one row per tariff.
#[pyfunction]
#[pyo3(signature = (schedule, trade, *, year, date, method = "line_share".to_string()), text_signature = "(schedule, trade, *, year, date, method='line_share')")]
fn coverage_by_measure(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::schedule)] schedule: PySchedule,
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    year: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert::arg::method)] method: String,
) -> Result<PyTable> {
    let (year, date, method) = (year_arg(year, "year")?, date_arg(date)?, method_arg(&method)?);
    let (s, t) = (&schedule.inner, &trade.0);
    let rows = crate::detached(py, || coverage_rows_of(&s.at(date), t, year, method))?;
    Ok(PyTable(coverage_rows(&rows)))
}

/// Trade-weighted and simple average tariffs that `importer` applies to `exporter` on
/// `date`, weighted by the trade of `year`. `method` says how each HS6 rate is read off
/// the importer's lines: "line_share" (their mean), "highest" or "lowest"; the bracket
/// (every HS6 at its lowest and at its highest line) comes with any method.
#[pyfunction(name = "tariff_averages")]
#[pyo3(signature = (schedule, trade, *, importer, exporter, year, date, method = "line_share".to_string()), text_signature = "(schedule, trade, *, importer, exporter, year, date, method='line_share')")]
#[allow(clippy::too_many_arguments)]
fn tariff_averages_fn(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::schedule)] schedule: PySchedule,
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    importer: &Bound<'_, PyAny>,
    exporter: &Bound<'_, PyAny>,
    year: &Bound<'_, PyAny>,
    date: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert::arg::method)] method: String,
) -> Result<PyTariffAverages> {
    let (imp, exp) = (economy_arg(importer)?, economy_arg(exporter)?);
    let (year, date, method) = (year_arg(year, "year")?, date_arg(date)?, aggregation_arg(&method)?);
    let (s, t) = (&schedule.inner, &trade.0);
    let at = crate::detached(py, || s.at(date));
    if let Some(c) = at.date_caveat() {
        crate::caveats::warn_all(py, std::slice::from_ref(c))?;
    }
    let averages = crate::detached(py, || tariff_averages(&at, t, imp, exp, year, method))?;
    warn_specific(py, std::iter::once(&averages))?;
    Ok(PyTariffAverages(DatedAverages { date, averages }))
}

/// Trade-weighted and simple average tariffs each way between two economies on each
/// date, one row per date and direction (the GIL is released while computing; each
/// policy period between event dates is computed once). `method` as in `tariff_averages`.
#[pyfunction]
#[pyo3(signature = (schedule, trade, *, a, b, year, dates, method = "line_share".to_string()), text_signature = "(schedule, trade, *, a, b, year, dates, method='line_share')")]
#[allow(clippy::too_many_arguments)]
fn tariff_path(
    py: Python<'_>,
    #[pyo3(from_py_with = crate::convert::arg::schedule)] schedule: PySchedule,
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    year: &Bound<'_, PyAny>,
    dates: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert::arg::method)] method: String,
) -> Result<PyTable> {
    let (a, b) = (economy_arg(a)?, economy_arg(b)?);
    let (year, method) = (year_arg(year, "year")?, aggregation_arg(&method)?);
    let dates = each(dates, date_arg)?;
    let (s, t) = (&schedule.inner, &trade.0);
    let rows = crate::detached(py, || tariff_path_of(s, t, a, b, year, &dates, method))?;
    if let Some(c) = s.coverage() {
        let outside: Vec<tradewar_core::Caveat> = dates.iter().filter_map(|d| c.caveat_for(*d)).collect();
        crate::caveats::warn_rows(py, &outside)?;
    }
    warn_specific(py, rows.iter().map(|(_, a)| a))?;
    Ok(PyTable(averages_rows(&rows)))
}

/// Warns when averages count lines with a specific (per-unit) duty at 0 (no unit value to price them).
fn warn_specific<'a>(py: Python<'_>, averages: impl Iterator<Item = &'a TariffAverages>) -> Result<()> {
    let (mut rows, mut worst) = (0usize, None::<&TariffAverages>);
    for a in averages.filter(|a| a.lines_with_specific > 0) {
        rows += 1;
        if worst.is_none_or(|w| a.lines_with_specific > w.lines_with_specific) {
            worst = Some(a);
        }
    }
    let Some(a) = worst else { return Ok(()) };
    let more = if rows > 1 { format!(" (the most of {rows} averages with such lines)") } else { String::new() };
    crate::caveats::warn(
        py,
        "IncompleteRateWarning",
        &format!(
            "{} of the {} national lines of {} on {} have a specific (per-unit) duty that the averages count as 0 \
             (no unit value prices it){more}: the averages are low on those lines",
            a.lines_with_specific, a.lines, a.importer, a.exporter
        ),
    )?;
    Ok(())
}

/// Year-by-year progress of a purchase commitment, measured on `trade` (the seller's
/// exports to the buyer in the commitment's scope).
#[pyfunction(name = "commitment_progress")]
fn commitment_progress_fn(
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    #[pyo3(from_py_with = crate::convert::arg::commitment)] commitment: PyMeasure,
) -> Result<Vec<PyCommitmentProgress>> {
    Ok(commitment_progress(&trade.0, &commitment.0)?.into_iter().map(PyCommitmentProgress).collect())
}

/// The change of the target's balance from its base year to `year`, as a share of the
/// reduction sought.
#[pyfunction]
fn target_progress(
    #[pyo3(from_py_with = crate::convert::arg::target)] target: PyTarget,
    #[pyo3(from_py_with = crate::convert::arg::trade)] trade: PyTradeMatrix,
    year: &Bound<'_, PyAny>,
) -> Result<PyTargetProgress> {
    year_in_trade(&trade.0, target.0.base_year, "the target's base year")?;
    let year = year_in_trade(&trade.0, year_arg(year, "year")?, "year")?;
    Ok(PyTargetProgress(target.0.actual_progress(&trade.0, year)?))
}

/// How much of the target purchase commitments close mechanically in `year`: every
/// extra dollar bought raises the reporter's exports one for one.
#[pyfunction]
#[pyo3(signature = (target, commitments, *, year, label = None))]
fn mechanical_closure(
    #[pyo3(from_py_with = crate::convert::arg::target)] target: PyTarget,
    commitments: &Bound<'_, PyAny>,
    year: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::convert::arg::label)] label: Option<String>,
) -> Result<PyTargetProgress> {
    let label = label.as_deref();
    let measures = each(commitments, |m| {
        m.cast::<PyMeasure>().map(|m| m.get().0.clone()).map_err(|_| invalid("commitments: expected Measure objects"))
    })?;
    let year = year_arg(year, "year")?;
    let label = label.map_or_else(|| format!("commitments, mechanical, {year}"), str::to_string);
    Ok(PyTargetProgress(target.0.mechanical_closure(&label, year, measures.iter().map(|m| &**m))?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBalance>()?;
    m.add_class::<PyCoverage>()?;
    m.add_class::<PyTariffAverages>()?;
    m.add_class::<PyCommitmentProgress>()?;
    m.add_class::<PyTargetProgress>()?;
    m.add_function(wrap_pyfunction!(balance_fn, m)?)?;
    m.add_function(wrap_pyfunction!(coverage_fn, m)?)?;
    m.add_function(wrap_pyfunction!(coverage_by_measure, m)?)?;
    m.add_function(wrap_pyfunction!(tariff_averages_fn, m)?)?;
    m.add_function(wrap_pyfunction!(tariff_path, m)?)?;
    m.add_function(wrap_pyfunction!(commitment_progress_fn, m)?)?;
    m.add_function(wrap_pyfunction!(target_progress, m)?)?;
    m.add_function(wrap_pyfunction!(mechanical_closure, m)?)?;
    Ok(())
}
