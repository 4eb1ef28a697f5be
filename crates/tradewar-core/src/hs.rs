//! Product codes: the Harmonized System (chapters, headings, subheadings)
//! and national tariff lines (8 or 10 digits), with their sections.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{excerpt, Error, Result};

/// How detailed a product code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HsLevel {
    /// 2 digits, e.g. `84`.
    Chapter,
    /// 4 digits, e.g. `8471`.
    Heading,
    /// 6 digits, e.g. `8471.30`: the last level shared internationally.
    Subheading,
    /// 8 digits: a national tariff line (US HTS8, China's 8-digit lines).
    National8,
    /// 10 digits: a national statistical line (US HTS10).
    National10,
}

impl HsLevel {
    /// Number of digits at this level.
    pub const fn digits(self) -> u8 {
        match self {
            Self::Chapter => 2,
            Self::Heading => 4,
            Self::Subheading => 6,
            Self::National8 => 8,
            Self::National10 => 10,
        }
    }

    /// The level with this many digits, if any.
    pub const fn from_digits(n: u8) -> Option<Self> {
        match n {
            2 => Some(Self::Chapter),
            4 => Some(Self::Heading),
            6 => Some(Self::Subheading),
            8 => Some(Self::National8),
            10 => Some(Self::National10),
            _ => None,
        }
    }
}

/// A product code at 2, 4, 6, 8 or 10 digits.
///
/// Parsing accepts the dotted, spaced and bare forms; display is canonical
/// (`84`, `8471`, `8471.30`, `8471.30.01`, `8471.30.0100`).
///
/// ```
/// use tradewar_core::{HsCode, HsLevel};
/// let laptop: HsCode = "8471.30.01".parse()?;
/// assert_eq!(laptop.level(), HsLevel::National8);
/// assert_eq!(laptop.to_string(), "8471.30.01");
/// assert_eq!(laptop.subheading().unwrap().to_string(), "8471.30");
/// assert_eq!(laptop.chapter().to_string(), "84");
/// assert_eq!(laptop.section().unwrap().to_string(), "XVI");
/// assert!("8471".parse::<HsCode>()?.contains(laptop));
/// assert_eq!("847130".parse::<HsCode>()?, "8471.30".parse()?);
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HsCode {
    value: u64,
    len: u8,
}

/// The reason given for digits grouped other than as the nomenclature groups them.
const GROUPING: &str =
    "digits grouped wrongly: write 84, 8471, 8471.30, 8471.30.01, 8471.30.0100 or 8471.30.01.00 (or the bare digits)";

const POW10: [u64; 11] =
    [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000];

impl HsCode {
    /// Parses any accepted spelling (see the type docs).
    pub fn new(code: &str) -> Result<Self> {
        code.parse()
    }

    /// Builds a code from its digits as a number and the number of digits,
    /// e.g. `(847130, 6)`.
    pub fn from_parts(value: u64, digits: u8) -> Result<Self> {
        let bad = |reason| Error::InvalidHsCode { value: format!("{value} ({digits} digits)"), reason };
        let level = HsLevel::from_digits(digits).ok_or_else(|| bad("length must be 2, 4, 6, 8 or 10 digits"))?;
        if value >= POW10[level.digits() as usize] {
            return Err(bad("value has more digits than its level"));
        }
        Self::checked(value, digits).map_err(bad)
    }

    /// The chapter rules every constructor applies: chapter 00 does not
    /// exist and chapter 77 is reserved (no goods are classified in it).
    fn checked(value: u64, len: u8) -> std::result::Result<Self, &'static str> {
        match value / POW10[(len - 2) as usize] {
            0 => Err("chapter 00 does not exist"),
            77 => Err("chapter 77 is reserved in the Harmonized System: no goods are classified in it"),
            _ => Ok(Self { value, len }),
        }
    }

    /// The code in 38 bits, one value per code: the digits as a number
    /// (below 10^10 < 2^34) shifted past the number of digits.
    pub(crate) fn packed(self) -> u64 {
        self.value << 4 | u64::from(self.len)
    }

    /// How detailed the code is.
    pub fn level(self) -> HsLevel {
        HsLevel::from_digits(self.len).unwrap_or(HsLevel::Chapter)
    }

    /// Number of digits.
    pub fn digits(self) -> u8 {
        self.len
    }

    /// The digits as a number (leading zeros dropped: chapter 01 is `1`).
    pub fn value(self) -> u64 {
        self.value
    }

    /// The digits as text, with leading zeros and no dots, e.g. `"010121"`.
    pub fn digits_str(self) -> String {
        format!("{:0width$}", self.value, width = self.len as usize)
    }

    /// This code cut to a coarser level; `None` when `level` is finer.
    pub fn truncate(self, level: HsLevel) -> Option<Self> {
        let d = level.digits();
        (d <= self.len).then(|| Self { value: self.value / POW10[(self.len - d) as usize], len: d })
    }

    /// The code one level up (`8471.30` → `8471`); `None` for a chapter.
    pub fn parent(self) -> Option<Self> {
        (self.len > 2).then(|| Self { value: self.value / 100, len: self.len - 2 })
    }

    /// The HS chapter (2 digits).
    pub fn chapter(self) -> Self {
        Self { value: self.value / POW10[(self.len - 2) as usize], len: 2 }
    }

    /// The HS subheading (6 digits), `None` for chapters and headings.
    pub fn subheading(self) -> Option<Self> {
        self.truncate(HsLevel::Subheading)
    }

    /// The HS section (I–XXI); `None` for the national chapters 98 and 99
    /// and the reserved chapter 77.
    pub fn section(self) -> Option<HsSection> {
        HsSection::of_chapter(self.chapter().value as u8)
    }

    /// Whether `other` is this code or lies below it in the tree.
    pub fn contains(self, other: HsCode) -> bool {
        other.len >= self.len && other.value / POW10[(other.len - self.len) as usize] == self.value
    }

    /// Sort key that puts a code before its descendants and keeps siblings
    /// in numeric order: the code padded to 10 digits, then its length.
    pub fn sort_key(self) -> (u64, u8) {
        (self.value * POW10[(10 - self.len) as usize], self.len)
    }
}

impl PartialOrd for HsCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HsCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl FromStr for HsCode {
    type Err = Error;

    /// The one grammar of product codes, used by every way in (constructors,
    /// serde, CSV, pandas, Arrow, Python): the bare digits (`84`, `8471`,
    /// `847130`, `84713001`, `8471300100`), or the digits grouped as the
    /// nomenclature groups them, with dots or with spaces: `8471.30`,
    /// `8471.30.01`, `8471.30.0100`, `8471.30.01.00`. Any other grouping
    /// (`84.71.30`, `8471.30.0.1`) is refused rather than guessed at, and so
    /// are chapter 00 and the reserved chapter 77.
    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidHsCode { value: excerpt(s), reason };
        let t = s.trim();
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b' ') {
            return Err(bad("only digits, dots and spaces are allowed"));
        }
        if t.contains('.') && t.contains(' ') {
            return Err(bad("dots and spaces mixed: group the digits with one or the other"));
        }
        let mut groups = [0u8; 4];
        let mut count = 0;
        let mut value: u64 = 0;
        let mut len: u8 = 0;
        for group in t.split(['.', ' ']) {
            if group.is_empty() {
                return Err(bad("misplaced separator"));
            }
            if usize::from(len) + group.len() > 10 {
                return Err(bad("more than 10 digits"));
            }
            if count == groups.len() {
                return Err(bad(GROUPING));
            }
            groups[count] = group.len() as u8;
            count += 1;
            for b in group.bytes() {
                value = value * 10 + u64::from(b - b'0');
                len += 1;
            }
        }
        let grouped = match &groups[..count] {
            [n] => HsLevel::from_digits(*n).is_some(),
            [4, 2] | [4, 2, 2 | 4] | [4, 2, 2, 2] => true,
            _ => false,
        };
        if !grouped {
            return Err(bad(if count == 1 { "length must be 2, 4, 6, 8 or 10 digits" } else { GROUPING }));
        }
        Self::checked(value, len).map_err(bad)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits_str();
        match self.len {
            2 | 4 => f.write_str(&d),
            6 => write!(f, "{}.{}", &d[..4], &d[4..]),
            8 => write!(f, "{}.{}.{}", &d[..4], &d[4..6], &d[6..]),
            _ => write!(f, "{}.{}.{}", &d[..4], &d[4..6], &d[6..]),
        }
    }
}

impl fmt::Debug for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HsCode({self})")
    }
}

impl TryFrom<String> for HsCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<HsCode> for String {
    fn from(c: HsCode) -> String {
        c.to_string()
    }
}

/// One of the 21 sections of the Harmonized System.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HsSection(u8);

const ROMAN: [&str; 21] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
    "XVIII", "XIX", "XX", "XXI",
];

/// First chapter of each section (section n starts at `SECTION_START[n-1]`).
const SECTION_START: [u8; 21] = [1, 6, 15, 16, 25, 28, 39, 41, 44, 47, 50, 64, 68, 71, 72, 84, 86, 90, 93, 94, 97];

impl HsSection {
    /// Section by number, 1 to 21.
    pub fn new(number: u8) -> Result<Self> {
        if (1..=21).contains(&number) {
            Ok(Self(number))
        } else {
            Err(Error::Invalid { what: "HS section", reason: format!("{number} is not between 1 and 21") })
        }
    }

    /// The section a chapter belongs to.
    pub fn of_chapter(chapter: u8) -> Option<Self> {
        if chapter == 0 || chapter == 77 || chapter > 97 {
            return None;
        }
        let idx = SECTION_START.iter().rposition(|&s| s <= chapter)?;
        Some(Self(idx as u8 + 1))
    }

    /// The section number, 1 to 21.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The chapters of this section.
    pub fn chapters(self) -> std::ops::RangeInclusive<u8> {
        let i = self.0 as usize - 1;
        let end = if i == 20 { 97 } else { SECTION_START[i + 1] - 1 };
        SECTION_START[i]..=end
    }
}

impl FromStr for HsSection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_uppercase();
        let t = t.strip_prefix("SECTION ").unwrap_or(&t);
        if let Some(i) = ROMAN.iter().position(|r| *r == t) {
            return Ok(Self(i as u8 + 1));
        }
        t.parse::<u8>().ok().and_then(|n| Self::new(n).ok()).ok_or_else(|| Error::Invalid {
            what: "HS section",
            reason: format!("{:?} is not a roman or arabic numeral from 1 to 21", excerpt(s)),
        })
    }
}

impl fmt::Display for HsSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ROMAN[self.0 as usize - 1])
    }
}

impl fmt::Debug for HsSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HsSection({self})")
    }
}

impl TryFrom<String> for HsSection {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<HsSection> for String {
    fn from(s: HsSection) -> String {
        s.to_string()
    }
}

/// An edition of the HS nomenclature. Codes below 6 digits are mostly stable
/// across editions; trade data says which one it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum HsRevision {
    /// HS 1992 (H0).
    Hs1992,
    /// HS 1996 (H1).
    Hs1996,
    /// HS 2002 (H2).
    Hs2002,
    /// HS 2007 (H3).
    Hs2007,
    /// HS 2012 (H4).
    Hs2012,
    /// HS 2017 (H5).
    Hs2017,
    /// HS 2022 (H6).
    Hs2022,
}

impl HsRevision {
    const ALL: [(Self, &'static str, &'static str); 7] = [
        (Self::Hs1992, "HS1992", "H0"),
        (Self::Hs1996, "HS1996", "H1"),
        (Self::Hs2002, "HS2002", "H2"),
        (Self::Hs2007, "HS2007", "H3"),
        (Self::Hs2012, "HS2012", "H4"),
        (Self::Hs2017, "HS2017", "H5"),
        (Self::Hs2022, "HS2022", "H6"),
    ];

    /// The name, e.g. `"HS2017"`.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|r| r.0 == self).map_or("HS?", |r| r.1)
    }
}

impl FromStr for HsRevision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_uppercase();
        Self::ALL
            .iter()
            .find(|r| r.1 == t || r.2 == t)
            .map(|r| r.0)
            .ok_or_else(|| Error::UnknownHsRevision { value: excerpt(s) })
    }
}

impl fmt::Display for HsRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for HsRevision {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<HsRevision> for String {
    fn from(r: HsRevision) -> String {
        r.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> HsCode {
        s.parse().unwrap()
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(c("847130").to_string(), "8471.30");
        assert_eq!(c("8471 30 01").to_string(), "8471.30.01");
        assert_eq!(c("8471300100").to_string(), "8471.30.0100");
        assert_eq!(c("8471.30.01.00").to_string(), "8471.30.0100");
        assert_eq!(c("01").to_string(), "01");
        assert_eq!(c("0101.21").digits_str(), "010121");
    }

    #[test]
    fn tree() {
        let l = c("8471.30.01");
        assert_eq!(l.parent().unwrap(), c("8471.30"));
        assert_eq!(c("84").parent(), None);
        assert!(c("84").contains(l));
        assert!(!c("8472").contains(l));
        assert!(!l.contains(c("84")));
        assert_eq!(c("0201").section().unwrap().to_string(), "I");
        assert_eq!(c("2710").section().unwrap().to_string(), "V");
        assert_eq!(c("9701").section().unwrap().to_string(), "XXI");
        assert_eq!(c("9903").section(), None);
        assert!(c("84") < c("8401") && c("8401") < c("85"));
    }

    #[test]
    fn sections_cover_chapters() {
        for n in 1..=21 {
            let s = HsSection::new(n).unwrap();
            for ch in s.chapters() {
                if ch != 77 {
                    assert_eq!(HsSection::of_chapter(ch), Some(s), "chapter {ch}");
                }
            }
        }
        assert_eq!("xvi".parse::<HsSection>().unwrap().number(), 16);
    }

    #[test]
    fn rejects() {
        for bad in ["", "8", "847", "84713001001", "00", "0000", "84a1", "8471..30", ".8471", "8471.", "８４"] {
            assert!(matches!(bad.parse::<HsCode>(), Err(Error::InvalidHsCode { .. })), "{bad}");
        }
        assert!(HsCode::from_parts(123, 2).is_err());
        assert!(HsCode::from_parts(847_130, 6).is_ok());
        assert!(HsCode::from_parts(847_130, 5).is_err());
    }

    /// Issue 11: `8471.30.0.1` was read as `8471.30.01` and `84.71.30` as
    /// `8471.30`: separators anywhere were skipped. One grammar now.
    #[test]
    fn digits_must_be_grouped_as_the_nomenclature_groups_them() {
        for ok in ["84", "8471", "8471.30", "8471 30", "8471.30.01", "8471 30 01", "8471.30.0100", "8471.30.01.00"] {
            assert!(ok.parse::<HsCode>().is_ok(), "{ok}");
        }
        for bad in ["8471.30.0.1", "84.71.30", "84.71", "847.130", "8471.3.0", "8471.30 01", "84 71.30", "8.4"] {
            let e = bad.parse::<HsCode>().unwrap_err();
            assert!(matches!(e, Error::InvalidHsCode { .. }), "{bad}: {e}");
        }
        assert_eq!(
            "84.71.30".parse::<HsCode>().unwrap_err().to_string(),
            "invalid HS code \"84.71.30\": digits grouped wrongly: write 84, 8471, 8471.30, 8471.30.01, 8471.30.0100 \
             or 8471.30.01.00 (or the bare digits)"
        );
    }

    /// Issue 11: the reserved chapter 77 was accepted everywhere.
    #[test]
    fn chapter_77_is_reserved() {
        for bad in ["77", "7701", "7701.10", "77011000", "7701100000"] {
            let e = bad.parse::<HsCode>().unwrap_err();
            assert!(e.to_string().contains("chapter 77 is reserved"), "{bad}: {e}");
        }
        assert!(HsCode::from_parts(7701, 4).is_err());
        assert!(HsCode::from_parts(7601, 4).is_ok() && HsCode::from_parts(7801, 4).is_ok());
    }

    /// Messages quote at most about 200 characters of what was given.
    #[test]
    fn long_input_is_quoted_short() {
        let e = "9".repeat(1_000_000).parse::<HsCode>().unwrap_err().to_string();
        assert!(e.len() < 400, "{} characters", e.len());
        assert!(e.contains("1000000 characters"), "{e}");
    }

    fn any_code() -> impl Strategy<Value = HsCode> {
        let chapter = (1u64..=99).prop_filter("chapter 77 is reserved", |c| *c != 77);
        (prop_oneof![Just(2u8), Just(4), Just(6), Just(8), Just(10)], chapter, any::<u64>()).prop_map(
            |(len, ch, rest)| {
                let tail = if len == 2 { 0 } else { rest % POW10[(len - 2) as usize] };
                HsCode::from_parts(ch * POW10[(len - 2) as usize] + tail, len).unwrap()
            },
        )
    }

    proptest! {
        #[test]
        fn parse_display_round_trip(code in any_code()) {
            prop_assert_eq!(code.to_string().parse::<HsCode>().unwrap(), code);
            prop_assert_eq!(code.digits_str().parse::<HsCode>().unwrap(), code);
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<HsCode>(&json).unwrap(), code);
        }

        #[test]
        fn ancestors_contain(code in any_code()) {
            let mut p = Some(code);
            while let Some(a) = p {
                prop_assert!(a.contains(code));
                prop_assert!(a <= code);
                p = a.parent();
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,14}") {
            let _ = s.parse::<HsCode>();
        }
    }
}
