//! Python values in and out: decimals, dates, codes given as strings.

use std::str::FromStr;

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use rust_decimal::Decimal;
use tradewar_core::{parse_date, Economy, HsCode};

use crate::error::{invalid, Error, Result};
use crate::values::{PyEconomy, PyHsCode};

/// A decimal from `decimal.Decimal`, `int` or `str`. Floats are refused:
/// they are not exact.
pub fn decimal_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<Decimal> {
    if v.is_instance_of::<PyBool>() {
        return Err(invalid(format!("{what}: expected a Decimal, int or str, got a bool")));
    }
    if v.is_instance_of::<PyFloat>() {
        return Err(invalid(format!(
            "{what}: floats are not exact; pass decimal.Decimal or a string such as \"1.10\" (got {})",
            v.str().map(|s| s.to_string()).unwrap_or_default()
        )));
    }
    let text = if v.is_instance_of::<PyString>() || v.is_instance_of::<PyInt>() || is_decimal(v) {
        v.str().map_err(|e| invalid(format!("{what}: {e}")))?.to_string()
    } else {
        let t = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(invalid(format!("{what}: expected a Decimal, int or str, got {t}")));
    };
    parse_decimal(text.trim(), what)
}

/// Parses an exact decimal, scientific notation included (`1E+3`).
pub fn parse_decimal(text: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| invalid(format!("{what}: {text:?} is not a finite decimal number")))
}

fn is_decimal(v: &Bound<'_, PyAny>) -> bool {
    v.get_type().fully_qualified_name().is_ok_and(|n| n == "decimal.Decimal")
}

/// A `decimal.Decimal` holding `d`.
pub fn to_decimal(py: Python<'_>, d: Decimal) -> PyResult<Bound<'_, PyAny>> {
    py.import("decimal")?.getattr("Decimal")?.call1((d.to_string(),))
}

/// A date from `datetime.date` or an ISO `YYYY-MM-DD` string.
pub fn date_arg(v: &Bound<'_, PyAny>) -> Result<NaiveDate> {
    if let Ok(s) = v.cast::<PyString>() {
        let s = s.to_string();
        return Ok(parse_date(&s)?);
    }
    v.extract::<NaiveDate>().map_err(|_| {
        let t = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        invalid(format!("expected a datetime.date or a YYYY-MM-DD string, got {t}"))
    })
}

/// An economy from an `Economy` or a code string.
pub fn economy_arg(v: &Bound<'_, PyAny>) -> Result<Economy> {
    if let Ok(e) = v.cast::<PyEconomy>() {
        return Ok(e.get().0);
    }
    match v.cast::<PyString>() {
        Ok(s) => Ok(Economy::from_str(&s.to_string())?),
        Err(_) => Err(invalid(format!("expected an Economy or a code such as \"USA\", got {}", type_name(v)))),
    }
}

/// An HS code from an `HsCode` or a string.
pub fn hs_arg(v: &Bound<'_, PyAny>) -> Result<HsCode> {
    if let Ok(e) = v.cast::<PyHsCode>() {
        return Ok(e.get().0);
    }
    match v.cast::<PyString>() {
        Ok(s) => Ok(HsCode::from_str(&s.to_string())?),
        Err(_) => Err(invalid(format!("expected an HsCode or a code such as \"9403.10\", got {}", type_name(v)))),
    }
}

/// A non-bool integer.
pub fn int_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<i64> {
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Err(invalid(format!("{what}: expected an int, got {}", type_name(v))));
    }
    v.extract::<i64>().map_err(|_| invalid(format!("{what}: out of range")))
}

/// A year between 1900 and 2100.
pub fn year_arg(v: &Bound<'_, PyAny>, what: &str) -> Result<i32> {
    let y = int_arg(v, what)?;
    if (1900..=2100).contains(&y) {
        Ok(y as i32)
    } else {
        Err(invalid(format!("{what}: {y} is not a year between 1900 and 2100")))
    }
}

/// Every element of an iterable, converted.
pub fn each<T>(v: &Bound<'_, PyAny>, mut f: impl FnMut(&Bound<'_, PyAny>) -> Result<T>) -> Result<Vec<T>> {
    if v.is_instance_of::<PyString>() {
        return Err(invalid("expected a sequence, got a single string"));
    }
    let it = v.try_iter().map_err(|_| invalid(format!("expected an iterable, got {}", type_name(v))))?;
    let mut out = Vec::new();
    for item in it {
        // An error raised by the iterator itself (KeyboardInterrupt included) passes through.
        let item = item?;
        out.push(f(&item)?);
    }
    Ok(out)
}

/// The Python type name of a value, for messages.
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string())
}

/// JSON text of a serde value.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| invalid(format!("cannot serialize: {e}")))
}

/// A serde value from JSON text, re-validated.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Input("ValidationError", format!("invalid {what} JSON: {e}")))
}

/// Python `repr` of a string (single-quoted, escaped).
pub fn py_str_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}
