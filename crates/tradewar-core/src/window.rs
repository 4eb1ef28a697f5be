//! Dated validity windows.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Parses `YYYY-MM-DD`, naming the text on failure.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::InvalidDate { value: s.to_string() })
}

/// A half-open window of days `[start, end)`: in force from `start`, no
/// longer in force on `end`. An open end means "until further notice".
///
/// ```
/// use tradewar_core::DateWindow;
/// use chrono::NaiveDate;
/// let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// // The ZTE denial order as activated: seven years to 2025-03-13.
/// let w = DateWindow::new(d("2018-04-15"), Some(d("2025-03-13")))?;
/// assert!(w.contains(d("2018-07-12")));
/// assert!(!w.contains(d("2025-03-13")));
/// assert!(DateWindow::new(d("2019-01-01"), Some(d("2018-01-01"))).is_err());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "WindowRepr", into = "WindowRepr")]
pub struct DateWindow {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct WindowRepr {
    start: NaiveDate,
    #[serde(default)]
    end: Option<NaiveDate>,
}

impl TryFrom<WindowRepr> for DateWindow {
    type Error = Error;
    fn try_from(r: WindowRepr) -> Result<Self> {
        Self::new(r.start, r.end)
    }
}

impl From<DateWindow> for WindowRepr {
    fn from(w: DateWindow) -> Self {
        Self { start: w.start, end: w.end }
    }
}

impl DateWindow {
    /// A window; `end` must be after `start`.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Self> {
        Self::new_for(start, end, "date window")
    }

    /// As [`DateWindow::new`], naming what the window belongs to in the error.
    pub fn new_for(start: NaiveDate, end: Option<NaiveDate>, context: &str) -> Result<Self> {
        if let Some(e) = end {
            if e <= start {
                return Err(Error::InvertedWindow { context: context.to_string(), start, end: e });
            }
        }
        Ok(Self { start, end })
    }

    /// In force from `start` until further notice.
    pub const fn from(start: NaiveDate) -> Self {
        Self { start, end: None }
    }

    /// First day in force.
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// First day no longer in force, if any.
    pub const fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    /// Whether `date` is in the window.
    pub fn contains(&self, date: NaiveDate) -> bool {
        date >= self.start && self.end.is_none_or(|e| date < e)
    }

    /// Whether two windows share a day.
    pub fn overlaps(&self, other: &DateWindow) -> bool {
        self.end.is_none_or(|e| other.start < e) && other.end.is_none_or(|e| self.start < e)
    }

    /// The window cut short at `end` (early lifting); an error when `end`
    /// is not inside the window.
    pub fn ended_at(&self, end: NaiveDate, context: &str) -> Result<Self> {
        let new_end = match self.end {
            Some(e) if end > e => e,
            _ => end,
        };
        Self::new_for(self.start, Some(new_end), context)
    }

    /// Text of the end for messages: the date or `open`.
    pub fn end_text(&self) -> String {
        self.end.map_or_else(|| "open".to_string(), |e| e.to_string())
    }
}

impl fmt::Display for DateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end_text())
    }
}

impl fmt::Debug for DateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateWindow{self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn overlap_rules() {
        let a = DateWindow::new(d("2018-01-01"), Some(d("2018-07-01"))).unwrap();
        let b = DateWindow::new(d("2018-07-01"), None).unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&DateWindow::from(d("2018-06-30"))));
        assert!(matches!(parse_date("2018-13-01"), Err(Error::InvalidDate { .. })));
        let j = serde_json::to_string(&a).unwrap();
        assert_eq!(j, r#"{"start":"2018-01-01","end":"2018-07-01"}"#);
        assert!(serde_json::from_str::<DateWindow>(r#"{"start":"2018-07-01","end":"2018-01-01"}"#).is_err());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in 0i64..1000, la in 1i64..500, b in 0i64..1000, lb in 1i64..500) {
            let base = d("2018-01-01");
            let w1 = DateWindow::new(base + chrono::Days::new(a as u64), Some(base + chrono::Days::new((a + la) as u64))).unwrap();
            let w2 = DateWindow::new(base + chrono::Days::new(b as u64), Some(base + chrono::Days::new((b + lb) as u64))).unwrap();
            prop_assert_eq!(w1.overlaps(&w2), w2.overlaps(&w1));
            let brute = (0..1500).any(|i| { let x = base + chrono::Days::new(i); w1.contains(x) && w2.contains(x) });
            prop_assert_eq!(w1.overlaps(&w2), brute);
        }
    }
}
