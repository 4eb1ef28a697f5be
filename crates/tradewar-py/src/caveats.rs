//! Caveats reach Python as warnings, in one place: each kind of caveat is one
//! subclass of `tradewar.exceptions.TradewarWarning`, so that a user can
//! filter, record or escalate them by kind.

use std::ffi::CString;

use pyo3::prelude::*;
use tradewar_core::Caveat;

/// The warning class (in `tradewar.exceptions`) of a caveat; `None` for a
/// caveat the result already states in its own fields (split lines: the
/// lowest and highest rates bracket the answer).
fn class_of(c: &Caveat) -> Option<&'static str> {
    match c {
        Caveat::AfterSources { .. } | Caveat::BeforeSources { .. } => Some("OutsideDataWarning"),
        // An equivalent at an HS6 unit value is an approximation of the line's specific duty.
        Caveat::BaseRateUnknown { .. } | Caveat::SpecificDutyLeftOut { .. } | Caveat::SpecificAsEquivalent { .. } => {
            Some("IncompleteRateWarning")
        }
        _ => None,
    }
}

/// Issues one warning of the named class.
pub(crate) fn warn(py: Python<'_>, class: &str, message: &str) -> PyResult<()> {
    let category = py.import("tradewar.exceptions")?.getattr(class)?;
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    PyErr::warn(py, &category, &text, 2)
}

/// Issues one warning per caveat that warrants one.
pub(crate) fn warn_all(py: Python<'_>, caveats: &[Caveat]) -> PyResult<()> {
    for c in caveats {
        if let Some(class) = class_of(c) {
            warn(py, class, &c.to_string())?;
        }
    }
    Ok(())
}

/// Issues, for a table of many answers, one warning per kind of caveat met,
/// saying how many rows carry it and quoting the first.
pub(crate) fn warn_rows<'a>(py: Python<'_>, caveats: impl IntoIterator<Item = &'a Caveat>) -> PyResult<()> {
    // One warning per kind of caveat (not per class: a class holds several kinds).
    let mut seen: Vec<(std::mem::Discriminant<Caveat>, &'static str, usize, String)> = Vec::new();
    for c in caveats {
        let Some(class) = class_of(c) else { continue };
        let kind = std::mem::discriminant(c);
        match seen.iter_mut().find(|(k, ..)| *k == kind) {
            Some((_, _, n, _)) => *n += 1,
            None => seen.push((kind, class, 1, c.to_string())),
        }
    }
    for (_, class, n, first) in seen {
        let more =
            if n > 1 { format!(" (and {} more answers with a caveat of this kind)", n - 1) } else { String::new() };
        warn(py, class, &format!("{first}{more}"))?;
    }
    Ok(())
}
