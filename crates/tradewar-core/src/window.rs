//! Dated validity windows.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{excerpt, Error, Result};

/// The first year the library reads (dates and trade years alike).
pub const MIN_YEAR: i32 = 1900;
/// The last year the library reads (dates and trade years alike).
pub const MAX_YEAR: i32 = 2100;

/// Parses `YYYY-MM-DD`: exactly four digits of year, two of month, two of
/// day, a real day, and a year from [`MIN_YEAR`] to [`MAX_YEAR`]. This is
/// the one date rule of every way in (constructors, serde, CSV, Python);
/// `18-07-06` is refused rather than read as the year 18.
///
/// ```
/// use tradewar_core::parse_date;
/// assert_eq!(parse_date(" 2018-07-06 ")?.to_string(), "2018-07-06");
/// for bad in ["18-07-06", "2018-7-6", "0000-01-01", "-001-01-01", "2018-02-30", "+2018-07-06"] {
///     assert!(parse_date(bad).is_err(), "{bad}");
/// }
/// # Ok::<(), tradewar_core::Error>(())
/// ```
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    let bad = || Error::InvalidDate { value: excerpt(s) };
    let t = s.trim().as_bytes();
    let digits = |r: std::ops::Range<usize>| t[r].iter().all(u8::is_ascii_digit);
    if t.len() != 10 || t[4] != b'-' || t[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| t[r].iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    let date = NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10)).ok_or_else(bad)?;
    check_date(date)
}

/// A date as every constructor takes it: in the years [`MIN_YEAR`] to [`MAX_YEAR`].
pub fn check_date(date: NaiveDate) -> Result<NaiveDate> {
    use chrono::Datelike;
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(Error::InvalidDate { value: date.to_string() })
    }
}

/// A calendar year as every constructor takes it (a trade year, a base
/// year, a deadline): from [`MIN_YEAR`] to [`MAX_YEAR`]. `what` names it.
pub fn check_year(year: i64, what: &'static str) -> Result<i32> {
    i32::try_from(year).ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y)).ok_or_else(|| Error::Invalid {
        what,
        reason: format!("{year} is not a year between {MIN_YEAR} and {MAX_YEAR}"),
    })
}

/// Serde of a date through [`parse_date`] (the text form `YYYY-MM-DD`).
pub(crate) mod date_serde {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        d.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_date(&text).map_err(serde::de::Error::custom)
    }

    /// The same for an optional date (`null` or absent is `None`).
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #[allow(clippy::trivially_copy_pass_by_ref, clippy::ref_option)] // serde's `with` signature
        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            d.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => super::super::parse_date(&text).map(Some).map_err(serde::de::Error::custom),
            }
        }
    }
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
#[serde(deny_unknown_fields)]
struct WindowRepr {
    #[serde(with = "date_serde")]
    start: NaiveDate,
    #[serde(default, with = "date_serde::option")]
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
    /// Both dates must lie in the years [`MIN_YEAR`] to [`MAX_YEAR`].
    pub fn new_for(start: NaiveDate, end: Option<NaiveDate>, context: &str) -> Result<Self> {
        check_date(start)?;
        if let Some(e) = end {
            check_date(e)?;
            if e <= start {
                return Err(Error::InvertedWindow { context: context.to_string(), start, end: e });
            }
        }
        Ok(Self { start, end })
    }

    /// In force from `start` until further notice. `start` is taken as it
    /// is (this is the `const` path for literals); [`DateWindow::new`]
    /// checks its year.
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

    /// Issue 11: `18-07-06` became the year 18, and years 0 and -1 were
    /// accepted and failed later in Python (`ValueError: year 0 is out of range`).
    #[test]
    fn dates_are_refused_at_parse_with_the_accepted_form() {
        for bad in
            ["18-07-06", "0000-01-01", "-001-01-01", "+2018-07-06", "2018-7-6", "20180706", "1899-12-31", "2101-01-01"]
        {
            let e = parse_date(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidDate { .. }), "{bad}");
            assert!(e.to_string().contains("expected YYYY-MM-DD"), "{e}");
        }
        assert_eq!(
            parse_date("18-07-06").unwrap_err().to_string(),
            "invalid date \"18-07-06\": expected YYYY-MM-DD (a four-digit year from 1900 to 2100, e.g. 2018-07-06)"
        );
        assert!(parse_date("1900-01-01").is_ok() && parse_date("2100-12-31").is_ok());
        // Dates made in Rust (or handed over by Python) pass the same rule in the constructor...
        let far = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        assert!(DateWindow::new(far, None).is_err());
        assert!(DateWindow::new(d("2018-01-01"), Some(NaiveDate::from_ymd_opt(9999, 1, 1).unwrap())).is_err());
        // ...and in serde, where a window's dates are read with the same parser.
        assert!(serde_json::from_str::<DateWindow>(r#"{"start":"18-07-06"}"#).is_err());
        assert!(serde_json::from_str::<DateWindow>(r#"{"start":"+002018-07-06"}"#).is_err());
        assert!(check_year(2017, "year").is_ok());
        assert!(check_year(1 << 40, "year").unwrap_err().to_string().contains("1099511627776"));
    }

    /// Issue 11: unknown fields below the top level were ignored (`"ned"` in a window).
    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<DateWindow>(r#"{"start":"2018-01-01","ned":"2019-01-01"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `ned`"), "{e}");
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
