//! Python values in: every argument of the public API is converted here (or
//! by the one function of its kind that the other modules call), so that a
//! wrong type, a number out of range or a malformed value is a tradewar
//! exception naming the parameter, whichever way it came in.
//!
//! - A wrong Python type is an `ArgumentTypeError` (a `ValidationError` and
//!   a `TypeError`); a value of the right type but out of range or malformed
//!   is a `ValidationError` (a `ValueError`) or one of its subclasses.
//! - Integers are anything with `__index__` but a bool (numpy integers too);
//!   floats anything with `__float__` but a bool or a string (numpy floats,
//!   `decimal.Decimal`); money and rates are exact (`Decimal`, `int` or
//!   `str`; floats are refused).
//! - Parameters that pyo3 would convert itself (`str`, `float`, `int`,
//!   `bool`, a class) take `#[pyo3(from_py_with = arg::NAME)]` with a
//!   converter of [`arg`], which names the parameter: pyo3's own conversion
//!   raises a bare `TypeError` or `OverflowError`.
//! - Messages quote at most about 200 characters of what was given.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use pyo3::PyClass;
use rust_decimal::Decimal;
use tradewar_core::{excerpt, parse_date, Economy, HsCode};

use crate::error::{invalid, Error, Result};
use crate::values::{PyEconomy, PyHsCode};

/// A wrong Python type for a parameter (`ArgumentTypeError`, also a `TypeError`).
pub fn type_error(message: impl Into<String>) -> Error {
    Error::Rejected("ArgumentTypeError", "ArgumentType", message.into())
}

/// A number outside what a parameter takes (`ValidationError`, also a `ValueError`).
pub fn out_of_range(message: impl Into<String>) -> Error {
    Error::Rejected("ValidationError", "OutOfRange", message.into())
}

/// The Python type name of a value, for messages.
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string())
}

/// A value as messages show it: its type and a short `repr`.
pub fn shown(v: &Bound<'_, PyAny>) -> String {
    let repr = v.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
    let repr =
        if repr.chars().count() > 60 { format!("{}…", repr.chars().take(60).collect::<String>()) } else { repr };
    format!("{} {repr}", type_name(v))
}

fn is_numpy_bool(v: &Bound<'_, PyAny>) -> bool {
    v.get_type().fully_qualified_name().is_ok_and(|n| n == "numpy.bool_" || n == "numpy.bool")
}

fn is_decimal(v: &Bound<'_, PyAny>) -> bool {
    v.get_type().fully_qualified_name().is_ok_and(|n| n == "decimal.Decimal")
}

/// The Python int of an integer-like value (`int`, numpy integers: anything with `__index__`), never a bool.
fn as_int<'py>(v: &Bound<'py, PyAny>) -> Option<Bound<'py, PyInt>> {
    if v.is_instance_of::<PyBool>() || is_numpy_bool(v) {
        return None;
    }
    if let Ok(i) = v.cast::<PyInt>() {
        return Some(i.clone());
    }
    if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyString>() || is_decimal(v) {
        return None;
    }
    v.hasattr("__index__").ok()?.then(|| v.call_method0("__index__").ok()?.cast_into::<PyInt>().ok()).flatten()
}

/// A whole number, wide enough to tell "negative" and "too large" apart.
fn wide_int(v: &Bound<'_, PyAny>, what: &str) -> Result<i128> {
    let i = as_int(v).ok_or_else(|| type_error(format!("{what}: expected an int, got {}", shown(v))))?;
    i.extract::<i128>().map_err(|_| out_of_range(format!("{what}: {} is too large", excerpt(&i.to_string()))))
}

/// A whole number that fits 64 bits (numpy integers too; bools are refused).
pub fn int_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<i64> {
    let n = wide_int(v, what)?;
    i64::try_from(n).map_err(|_| out_of_range(format!("{what}: {n} is too large (it must fit 64 bits)")))
}

/// A count (not negative).
pub fn count_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<usize> {
    let n = wide_int(v, what)?;
    if n < 0 {
        return Err(out_of_range(format!("{what}: {n} is negative")));
    }
    usize::try_from(n).map_err(|_| out_of_range(format!("{what}: {n} is too large")))
}

/// A seed: a whole number from 0 to 2**64 - 1.
pub fn seed_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<u64> {
    let n = wide_int(v, what)?;
    u64::try_from(n).map_err(|_| out_of_range(format!("{what}: {n} is not between 0 and 2**64 - 1")))
}

/// A year between 1900 and 2100 (numpy integers too).
pub fn year_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<i32> {
    let n = wide_int(v, what)?;
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    tradewar_core::check_year(n, "year")
        .map_err(|_| invalid(format!("{what}: {n} is not a year between 1900 and 2100")))
}

/// A finite number: `int`, `float`, numpy numbers, `decimal.Decimal` (anything with `__float__`),
/// but not a bool or a string.
pub fn float_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<f64> {
    let wrong = || type_error(format!("{what}: expected a number, got {}", shown(v)));
    if v.is_instance_of::<PyBool>() || is_numpy_bool(v) || v.is_instance_of::<PyString>() {
        return Err(wrong());
    }
    let x = if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() {
        v.extract::<f64>()
    } else if v.hasattr("__float__")? {
        v.call_method0("__float__").and_then(|f| f.extract::<f64>())
    } else {
        return Err(wrong());
    };
    match x {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => Err(invalid(format!("{what}: {x} is not a finite number"))),
        Err(_) => Err(out_of_range(format!("{what}: {} is too large for a float", excerpt(&shown(v))))),
    }
}

/// A flag: `True`/`False` (numpy bools too).
pub fn bool_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<bool> {
    if v.is_instance_of::<PyBool>() || is_numpy_bool(v) {
        return Ok(v.is_truthy()?);
    }
    Err(type_error(format!("{what}: expected True or False, got {}", shown(v))))
}

/// A string.
pub fn str_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<String> {
    v.cast::<PyString>()
        .map(ToString::to_string)
        .map_err(|_| type_error(format!("{what}: expected a str, got {}", shown(v))))
}

/// A string without copying it (large texts: CSV, JSON): the Python string's own UTF-8 buffer.
pub fn text_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<pyo3::pybacked::PyBackedStr> {
    let s = v.cast::<PyString>().map_err(|_| type_error(format!("{what}: expected a str, got {}", shown(v))))?;
    Ok(pyo3::pybacked::PyBackedStr::try_from(s.clone())?)
}

/// A string or None.
pub fn opt_str_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Option<String>> {
    if v.is_none() {
        return Ok(None);
    }
    str_arg(v, what).map(Some)
}

/// A file path: a `str` or an `os.PathLike` (such as `pathlib.Path`) naming a file.
pub fn path_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<PathBuf> {
    let wrong = || type_error(format!("{what}: expected a path (str or os.PathLike), got {}", shown(v)));
    if v.is_instance_of::<PyString>() || v.hasattr("__fspath__")? {
        let path = v.py().import("os")?.getattr("fspath")?.call1((v,)).map_err(|_| wrong())?;
        let text = path.cast::<PyString>().map_err(|_| wrong())?.to_string();
        if text.is_empty() || text.contains('\0') {
            return Err(invalid(format!("{what}: {:?} is not a file path", excerpt(&text))));
        }
        return Ok(PathBuf::from(text));
    }
    Err(wrong())
}

/// An instance of a tradewar class.
pub fn class_arg<T: PyClass + Clone>(v: &Bound<'_, PyAny>, what: &str) -> Result<T> {
    match v.cast::<T>() {
        Ok(x) => Ok(x.borrow().clone()),
        Err(_) => Err(type_error(format!("{what}: expected a {}, got {}", T::NAME, shown(v)))),
    }
}

/// An instance of a tradewar class, or None.
pub fn opt_class_arg<T: PyClass + Clone>(v: &Bound<'_, PyAny>, what: &str) -> Result<Option<T>> {
    if v.is_none() {
        return Ok(None);
    }
    class_arg(v, what).map(Some)
}

/// A borrowed instance of a tradewar class.
pub fn class_ref<'py, T: PyClass>(v: &Bound<'py, PyAny>, what: &str) -> Result<PyRef<'py, T>> {
    match v.cast::<T>() {
        Ok(x) => Ok(x.borrow()),
        Err(_) => Err(type_error(format!("{what}: expected a {}, got {}", T::NAME, shown(v)))),
    }
}

/// A list (any iterable but a string) of instances of a tradewar class.
pub fn class_list<T: PyClass + Clone>(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<T>> {
    let mut i = 0;
    each_named(v, what, |x| {
        let item = class_arg(x, &format!("{what}[{i}]"));
        i += 1;
        item
    })
}

/// A list of strings.
pub fn str_list(v: &Bound<'_, PyAny>, what: &str) -> Result<Vec<String>> {
    let mut i = 0;
    each_named(v, what, |x| {
        let item = str_arg(x, &format!("{what}[{i}]"));
        i += 1;
        item
    })
}

/// A decimal from `decimal.Decimal`, `int` (numpy integers too) or `str`. Floats are refused:
/// they are not exact.
pub fn decimal_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Decimal> {
    let text = if v.is_instance_of::<PyBool>() || is_numpy_bool(v) {
        return Err(type_error(format!("{what}: expected a Decimal, int or str, got a bool")));
    } else if v.is_instance_of::<PyString>() || is_decimal(v) {
        v.str().map_err(|e| invalid(format!("{what}: {e}")))?.to_string()
    } else if let Some(i) = as_int(v) {
        i.to_string()
    } else if v.is_instance_of::<PyFloat>() || v.hasattr("__float__")? {
        return Err(type_error(format!(
            "{what}: floats are not exact; pass decimal.Decimal or a string such as \"1.10\" (got {})",
            shown(v)
        )));
    } else {
        return Err(type_error(format!("{what}: expected a Decimal, int or str, got {}", shown(v))));
    };
    parse_decimal(text.trim(), what)
}

/// Parses an exact decimal, scientific notation included (`1E+3`); says why it is refused.
pub fn parse_decimal(text: &str, what: &str) -> Result<Decimal> {
    if let Ok(d) = Decimal::from_str_exact(text).or_else(|_| Decimal::from_scientific(text)) {
        return Ok(d);
    }
    let why = match text.parse::<f64>() {
        Ok(x) if !x.is_finite() => "is not a finite number",
        Ok(x) if x.abs() >= 7.9e28 => "is too large for an exact decimal (at most 28 digits before the point)",
        Ok(_) => "has too many digits for an exact decimal (at most 28 significant digits)",
        Err(_) => "is not a decimal number",
    };
    Err(Error::Rejected("InvalidAmountError", "InvalidMoney", format!("{what}: {:?} {why}", excerpt(text))))
}

/// A `decimal.Decimal` holding `d`.
pub fn to_decimal(py: Python<'_>, d: Decimal) -> PyResult<Bound<'_, PyAny>> {
    py.import("decimal")?.getattr("Decimal")?.call1((d.to_string(),))
}

/// A date from `datetime.date` or an ISO `YYYY-MM-DD` string, in 1900–2100.
pub fn date_arg(v: &Bound<'_, PyAny>) -> Result<NaiveDate> {
    date_param(v, "date")
}

/// [`date_arg`], naming the parameter.
pub fn date_param(v: &Bound<'_, PyAny>, what: &str) -> Result<NaiveDate> {
    if let Ok(s) = v.cast::<PyString>() {
        return parse_date(&s.to_string()).map_err(|e| crate::error::located(e, what));
    }
    if v.get_type().fully_qualified_name().is_ok_and(|n| n == "numpy.datetime64") {
        // To whole days, then a datetime.date (None for NaT).
        let day = v.call_method1("astype", ("datetime64[D]",)).and_then(|d| d.call_method0("item"));
        return match day {
            Ok(d) if d.extract::<NaiveDate>().is_ok() => date_param(&d, what),
            _ => Err(invalid(format!("{what}: {} is not a date in 1900-2100", shown(v)))),
        };
    }
    match v.extract::<NaiveDate>() {
        Ok(d) => tradewar_core::check_date(d).map_err(|e| crate::error::located(e, what)),
        Err(_) => Err(type_error(format!(
            "{what}: expected a datetime.date, numpy.datetime64 or a YYYY-MM-DD string, got {}",
            shown(v)
        ))),
    }
}

/// An economy from an `Economy` or a code string.
pub fn economy_arg(v: &Bound<'_, PyAny>) -> Result<Economy> {
    economy_param(v, "economy")
}

/// [`economy_arg`], naming the parameter.
pub fn economy_param(v: &Bound<'_, PyAny>, what: &str) -> Result<Economy> {
    if let Ok(e) = v.cast::<PyEconomy>() {
        return Ok(e.get().0);
    }
    match v.cast::<PyString>() {
        Ok(s) => Economy::from_str(&s.to_string()).map_err(|e| crate::error::located(e, what)),
        Err(_) => Err(type_error(format!("{what}: expected an Economy or a code such as \"USA\", got {}", shown(v)))),
    }
}

/// An HS code from an `HsCode` or a string.
pub fn hs_arg(v: &Bound<'_, PyAny>) -> Result<HsCode> {
    hs_param(v, "code")
}

/// [`hs_arg`], naming the parameter. An int (numpy integers too) is read as its digits, as the
/// Arrow and pandas paths read integer codes: a code that lost a leading zero (`10121` for
/// `010121`) has an odd number of digits and is refused, with the reason.
pub fn hs_param(v: &Bound<'_, PyAny>, what: &str) -> Result<HsCode> {
    if let Ok(e) = v.cast::<PyHsCode>() {
        return Ok(e.get().0);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return HsCode::from_str(&s.to_string()).map_err(|e| crate::error::located(e, what));
    }
    if let Some(i) = as_int(v) {
        return HsCode::from_str(&i.to_string()).map_err(|e| {
            Error::Rejected(
                "InvalidCodeError",
                "InvalidHsCode",
                format!("{what}: {e} (an int loses leading zeros: pass codes such as \"010121\" as strings)"),
            )
        });
    }
    Err(type_error(format!("{what}: expected an HsCode or a str such as \"9403.10\", got {}", shown(v))))
}

/// Every element of an iterable (but a string), converted.
pub fn each<T>(v: &Bound<'_, PyAny>, f: impl FnMut(&Bound<'_, PyAny>) -> Result<T>) -> Result<Vec<T>> {
    each_named(v, "argument", f)
}

/// [`each`], naming the parameter.
pub fn each_named<T>(
    v: &Bound<'_, PyAny>,
    what: &str,
    mut f: impl FnMut(&Bound<'_, PyAny>) -> Result<T>,
) -> Result<Vec<T>> {
    if v.is_instance_of::<PyString>() {
        return Err(type_error(format!("{what}: expected a sequence, got a single str {}", shown(v))));
    }
    let it = v.try_iter().map_err(|_| type_error(format!("{what}: expected a sequence, got {}", shown(v))))?;
    let mut out = Vec::new();
    for item in it {
        // An error raised by the iterator itself (KeyboardInterrupt included) passes through.
        let item = item?;
        out.push(f(&item)?);
    }
    Ok(out)
}

/// JSON text of a serde value.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| invalid(format!("cannot serialize: {e}")))
}

/// A serde value from JSON text, re-validated (the types read through their constructors).
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| Error::Input("ValidationError", format!("invalid {what} JSON: {}", excerpt(&e.to_string()))))
}

/// Python `repr` of a string (single-quoted, escaped).
pub fn py_str_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}

/// Converters for `#[pyo3(from_py_with = arg::NAME)]`: one per parameter name (and type), so that
/// the error names the parameter. pyo3's own conversion of `str`, `float`, `int`, `bool` and class
/// parameters raises a bare `TypeError` or `OverflowError` that names no tradewar error.
#[allow(clippy::needless_lifetimes, clippy::elidable_lifetime_names)] // some converters return values borrowing 'py
pub mod arg {
    use pyo3::prelude::*;

    use crate::models::{PyModel, PyScenario};
    use crate::policy::{PyMeasure, PyMfnTable, PySchedule, PyTimeline};
    use crate::trade::PyTradeMatrix;
    use crate::values::{PyMoney, PyPercent, PyTarget};
    use crate::world::PyGeWorld;

    macro_rules! converters {
        ($($f:ident($name:literal) -> $ty:ty = $conv:expr;)*) => {$(
            #[doc = concat!("The parameter `", $name, "`.")]
            pub fn $f<'py>(v: &Bound<'py, PyAny>) -> PyResult<$ty> {
                Ok($conv(v, $name)?)
            }
        )*};
    }

    converters! {
        currency("currency") -> String = super::str_arg;
        name("name") -> String = super::str_arg;
        id("id") -> String = super::str_arg;
        tariff("tariff") -> String = super::str_arg;
        title("title") -> String = super::str_arg;
        text("text") -> pyo3::pybacked::PyBackedStr = super::text_arg;
        unit("unit") -> String = super::str_arg;
        source("source") -> String = super::str_arg;
        level("level") -> String = super::str_arg;
        combine("combine") -> String = super::str_arg;
        method("method") -> String = super::str_arg;
        rates("rates") -> String = super::str_arg;
        dates("dates") -> String = super::str_arg;
        opt_dates("dates") -> Option<String> = super::opt_str_arg;
        legal_basis("legal_basis") -> String = super::str_arg;
        reference("reference") -> String = super::str_arg;
        commitment_mode("commitment_mode") -> String = super::str_arg;
        exporter_column("exporter") -> String = super::str_arg;
        importer_column("importer") -> String = super::str_arg;
        value_column("value") -> String = super::str_arg;
        trade_column("trade") -> String = super::str_arg;
        tariff_factor_column("tariff_factor") -> String = super::str_arg;
        form("form") -> String = super::str_arg;
        label("label") -> Option<String> = super::opt_str_arg;
        note("note") -> Option<String> = super::opt_str_arg;
        group("group") -> Option<String> = super::opt_str_arg;
        table_name("name") -> Option<String> = super::opt_str_arg;
        outputs("outputs") -> Vec<String> = super::str_list;
        path("path") -> std::path::PathBuf = super::path_arg;
        dp("dp") -> i64 = super::int_arg;
        year("year") -> i32 = super::year_arg;
        draws("draws") -> usize = super::count_arg;
        start("start") -> usize = super::count_arg;
        stop("stop") -> usize = super::count_arg;
        i("i") -> usize = super::count_arg;
        seed("seed") -> u64 = super::seed_arg;
        sigma("sigma") -> f64 = super::float_arg;
        import_demand("import_demand") -> f64 = super::float_arg;
        substitution("substitution") -> f64 = super::float_arg;
        export_supply("export_supply") -> f64 = super::float_arg;
        signed("signed") -> bool = super::bool_arg;
        export_only("export_only") -> bool = super::bool_arg;
        total("total") -> bool = super::bool_arg;
        rebate("rebate") -> bool = super::bool_arg;
        aggregate("aggregate") -> bool = super::bool_arg;
        keep_first("keep_first") -> bool = super::bool_arg;
        timeline("timeline") -> PyTimeline = super::class_arg;
        trade("trade") -> PyTradeMatrix = super::class_arg;
        schedule("schedule") -> PySchedule = super::class_arg;
        opt_schedule("schedule") -> Option<PySchedule> = super::opt_class_arg;
        opt_trade("trade") -> Option<PyTradeMatrix> = super::opt_class_arg;
        measure("measure") -> PyMeasure = super::class_arg;
        commitment("commitment") -> PyMeasure = super::class_arg;
        target("target") -> PyTarget = super::class_arg;
        opt_target("target") -> Option<PyTarget> = super::opt_class_arg;
        opt_world("world") -> Option<PyGeWorld> = super::opt_class_arg;
        gsim_world("world") -> crate::gsim::PyGsimWorld = super::class_arg;
        opt_coverage("coverage") -> Option<crate::rates::PyDataCoverage> = super::opt_class_arg;
        mfn_tables("mfn") -> Vec<PyMfnTable> = super::class_list;
        scenarios("scenarios") -> Vec<PyScenario> = super::class_list;
        scenario("scenario") -> PyRef<'py, PyScenario> = super::class_ref;
        total_rate("total") -> PyPercent = super::class_arg;
        base("base") -> PyPercent = super::class_arg;
        priced("priced") -> PyMoney = super::class_arg;
        unpriced("unpriced") -> PyMoney = super::class_arg;
        products("products") -> usize = super::count_arg;
        model("model") -> PyRef<'py, PyModel> = super::class_ref;
    }
}
