//! Product scopes: sets of codes at mixed levels, with exclusions.

use rustc_hash::FxHashSet as HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::hs::HsCode;

/// A set of products given as codes at any level (chapter 12 and line
/// 8542.31.00 together), minus exclusions. A line is in scope when it or
/// one of its ancestors is included and neither it nor an ancestor is
/// excluded. Membership costs at most ten hash look-ups.
///
/// ```
/// use tradewar_core::{HsCode, ProductScope};
/// let scope = ProductScope::from_codes(["12", "8542.31.00"])?.excluding(["1201.90"])?;
/// assert!(scope.contains("1207.40".parse()?));
/// assert!(!scope.contains("1201.90.00".parse()?));
/// assert!(scope.contains("8542.31.0001".parse()?));
/// assert!(!scope.contains("8542.32.00".parse()?));
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "ScopeRepr", into = "ScopeRepr")]
pub struct ProductScope {
    all: bool,
    include: Vec<HsCode>,
    exclude: Vec<HsCode>,
    include_set: HashSet<HsCode>,
    exclude_set: HashSet<HsCode>,
}

/// How much of a (coarser) code a scope covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The code and everything below it is in scope.
    Full,
    /// Some lines below the code are in scope, some are not (e.g. an HS6
    /// subheading of which the scope lists some HTS8 lines).
    Partial,
    /// Nothing below the code is in scope.
    None,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeRepr {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    all: bool,
    #[serde(default)]
    include: Vec<HsCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    exclude: Vec<HsCode>,
}

impl TryFrom<ScopeRepr> for ProductScope {
    type Error = crate::Error;
    fn try_from(r: ScopeRepr) -> Result<Self> {
        if r.all && !r.include.is_empty() {
            return Err(crate::Error::Invalid {
                what: "product scope",
                reason: format!(
                    "\"all\": true and {} included codes: a scope is every product or the codes listed, not both",
                    r.include.len()
                ),
            });
        }
        let s = if r.all { Self::all() } else { Self::new(r.include) };
        Ok(s.with_exclusions(r.exclude))
    }
}

impl From<ProductScope> for ScopeRepr {
    fn from(s: ProductScope) -> Self {
        Self { all: s.all, include: s.include, exclude: s.exclude }
    }
}

impl ProductScope {
    /// A scope of the given codes, no exclusions.
    pub fn new<I: IntoIterator<Item = HsCode>>(codes: I) -> Self {
        let mut include: Vec<HsCode> = codes.into_iter().collect();
        include.sort_unstable();
        include.dedup();
        let include_set = include.iter().copied().collect();
        Self { all: false, include, exclude: Vec::new(), include_set, exclude_set: HashSet::default() }
    }

    /// Every product.
    pub fn all() -> Self {
        Self { all: true, ..Self::default() }
    }

    /// Parses each code.
    pub fn from_codes<'a, I: IntoIterator<Item = &'a str>>(codes: I) -> Result<Self> {
        let codes = codes.into_iter().map(str::parse).collect::<Result<Vec<HsCode>>>()?;
        Ok(Self::new(codes))
    }

    /// Adds exclusions given as text.
    pub fn excluding<'a, I: IntoIterator<Item = &'a str>>(self, codes: I) -> Result<Self> {
        let codes = codes.into_iter().map(str::parse).collect::<Result<Vec<HsCode>>>()?;
        Ok(self.with_exclusions(codes))
    }

    /// Adds exclusions.
    pub fn with_exclusions<I: IntoIterator<Item = HsCode>>(mut self, codes: I) -> Self {
        self.exclude.extend(codes);
        self.exclude.sort_unstable();
        self.exclude.dedup();
        self.exclude_set = self.exclude.iter().copied().collect();
        self
    }

    /// Whether the scope is every product.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// The included codes, sorted.
    pub fn included(&self) -> &[HsCode] {
        &self.include
    }

    /// The excluded codes, sorted.
    pub fn excluded(&self) -> &[HsCode] {
        &self.exclude
    }

    /// Number of included codes (not counting exclusions).
    pub fn len(&self) -> usize {
        self.include.len()
    }

    /// Whether nothing is included.
    pub fn is_empty(&self) -> bool {
        !self.all && self.include.is_empty()
    }

    /// Whether the scope holds no product at all: nothing included, or
    /// every included code excluded (by itself or an ancestor), or every
    /// product minus every chapter. A measure on such a scope does nothing;
    /// [`crate::Measure::validate`] refuses it (but for a purchase commitment of services).
    pub fn covers_nothing(&self) -> bool {
        if self.all {
            // Every chapter (01 to 99 but the nonexistent 00 and the reserved 77) excluded whole.
            return (1..=99u64)
                .filter(|&c| c != 77)
                .all(|c| HsCode::from_parts(c, 2).is_ok_and(|code| self.exclude_set.contains(&code)));
        }
        self.include.iter().all(|&c| Self::hit(&self.exclude_set, c))
    }

    fn hit(set: &HashSet<HsCode>, code: HsCode) -> bool {
        if set.is_empty() {
            return false;
        }
        let mut c = Some(code);
        while let Some(x) = c {
            if set.contains(&x) {
                return true;
            }
            c = x.parent();
        }
        false
    }

    /// Whether `code` (and so everything below it) is in scope.
    pub fn contains(&self, code: HsCode) -> bool {
        (self.all || Self::hit(&self.include_set, code)) && !Self::hit(&self.exclude_set, code)
    }

    /// The exclusion that keeps `code` out of a scope that would otherwise
    /// include it, if that is why it is out.
    pub fn exempting(&self, code: HsCode) -> Option<HsCode> {
        if !(self.all || Self::hit(&self.include_set, code)) {
            return None;
        }
        let mut c = Some(code);
        while let Some(x) = c {
            if self.exclude_set.contains(&x) {
                return Some(x);
            }
            c = x.parent();
        }
        None
    }

    /// Codes of a sorted list that lie at or below `code`.
    fn below(list: &[HsCode], code: HsCode) -> &[HsCode] {
        let (lo, _) = code.sort_key();
        let width = 10u32 - u32::from(code.digits());
        let hi = lo + 10u64.pow(width);
        let start = list.partition_point(|c| c.sort_key().0 < lo);
        let end = list.partition_point(|c| c.sort_key().0 < hi);
        &list[start..end]
    }

    /// How much of `code` the scope covers: fully, partly (some lines below
    /// it are listed, or some are excluded), or not at all.
    pub fn overlap(&self, code: HsCode) -> Overlap {
        if self.contains(code) {
            // Exclusions strictly below the code make it partial.
            if Self::below(&self.exclude, code).iter().any(|e| e.digits() > code.digits()) {
                return Overlap::Partial;
            }
            return Overlap::Full;
        }
        if Self::hit(&self.exclude_set, code) {
            return Overlap::None;
        }
        let any_below = Self::below(&self.include, code)
            .iter()
            .any(|c| c.digits() > code.digits() && !Self::hit(&self.exclude_set, *c));
        if any_below {
            Overlap::Partial
        } else {
            Overlap::None
        }
    }

    /// The included codes at or below `code` (e.g. the HTS8 lines of a list
    /// that fall in one HS6 subheading).
    pub fn included_below(&self, code: HsCode) -> impl Iterator<Item = HsCode> + '_ {
        Self::below(&self.include, code).iter().copied().filter(move |c| !Self::hit(&self.exclude_set, *c))
    }

    /// The scope of every code in either scope. An exclusion of one side is
    /// dropped where the other side covers the whole excluded code, and kept
    /// where the other side covers none of it; where the other side covers
    /// only part of it, the union cannot be written as includes minus
    /// exclusions at the codes given, and is refused.
    pub fn union(&self, other: &ProductScope) -> Result<ProductScope> {
        let mut exclude = Vec::new();
        for (side, other_side) in [(self, other), (other, self)] {
            for &e in &side.exclude {
                match other_side.overlap(e) {
                    Overlap::Full => {}
                    Overlap::None => exclude.push(e),
                    Overlap::Partial => {
                        return Err(crate::Error::Invalid {
                            what: "scope union",
                            reason: format!("{e} is excluded on one side and partly included on the other"),
                        })
                    }
                }
            }
        }
        let base = if self.all || other.all {
            Self::all()
        } else {
            Self::new(self.include.iter().chain(&other.include).copied())
        };
        Ok(base.with_exclusions(exclude))
    }
}

impl PartialEq for ProductScope {
    fn eq(&self, other: &Self) -> bool {
        self.all == other.all && self.include == other.include && self.exclude == other.exclude
    }
}

impl Eq for ProductScope {}

impl fmt::Debug for ProductScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProductScope(")?;
        if self.all {
            write!(f, "all")?;
        } else {
            let n = self.include.len();
            let shown: Vec<String> = self.include.iter().take(5).map(ToString::to_string).collect();
            write!(f, "{}", shown.join(", "))?;
            if n > 5 {
                write!(f, ", … {n} codes")?;
            }
        }
        if !self.exclude.is_empty() {
            write!(f, "; excluding {} codes", self.exclude.len())?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> HsCode {
        s.parse().unwrap()
    }

    /// A code is in the union exactly when it is in either side.
    #[test]
    fn union_is_the_set_union() {
        let a = ProductScope::from_codes(["12"]).unwrap();
        let b = ProductScope::all().with_exclusions([c("12"), c("85")]);
        let u = a.union(&b).unwrap();
        for code in ["1201.90", "12", "8471.30", "0101.21"] {
            assert!(u.contains(c(code)), "{code}");
        }
        assert!(!u.contains(c("8542.31")));
        let partial = ProductScope::from_codes(["1201"]).unwrap();
        assert!(partial.union(&b).is_err(), "12 is excluded on one side and partly included on the other");
        let both = ProductScope::from_codes(["12", "85"]).unwrap().excluding(["1201"]).unwrap();
        let other = ProductScope::from_codes(["1201.10"]).unwrap();
        assert!(both.union(&other).is_err());
        let disjoint = ProductScope::from_codes(["84"]).unwrap();
        let v = both.union(&disjoint).unwrap();
        assert!(v.contains(c("8471.30")) && v.contains(c("1207")) && !v.contains(c("1201.90")));
    }

    #[test]
    fn overlap_of_coarser_codes() {
        let s = ProductScope::from_codes(["8471.30.01", "8471.41.01", "0201"]).unwrap();
        assert_eq!(s.overlap(c("8471.30")), Overlap::Partial);
        assert_eq!(s.overlap(c("8471")), Overlap::Partial);
        assert_eq!(s.overlap(c("0201.10")), Overlap::Full);
        assert_eq!(s.overlap(c("0202")), Overlap::None);
        assert_eq!(s.included_below(c("8471")).count(), 2);
        let s2 = s.clone().excluding(["0201.10.10"]).unwrap();
        assert_eq!(s2.overlap(c("0201.10")), Overlap::Partial);
        assert_eq!(s2.overlap(c("0201.10.10")), Overlap::None);
        assert_eq!(s2.overlap(c("0201.20")), Overlap::Full);
        assert_eq!(s2.exempting(c("0201.10.10")), Some(c("0201.10.10")));
        assert_eq!(s2.exempting(c("0201.20.10")), None);
        assert_eq!(s2.exempting(c("0301")), None);
    }

    #[test]
    fn serde_round_trip() {
        let s = ProductScope::from_codes(["12", "8542.31.00"]).unwrap().excluding(["1201"]).unwrap();
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, r#"{"include":["12","8542.31.00"],"exclude":["1201"]}"#);
        assert_eq!(serde_json::from_str::<ProductScope>(&j).unwrap(), s);
        let all = serde_json::to_string(&ProductScope::all()).unwrap();
        assert_eq!(serde_json::from_str::<ProductScope>(&all).unwrap(), ProductScope::all());
        assert!(serde_json::from_str::<ProductScope>(r#"{"include":["12x"]}"#).is_err());
    }

    /// Issue 11: `"exlude"` in a scope was ignored, and `all` with a list kept only `all`.
    #[test]
    fn json_is_read_strictly() {
        let e = serde_json::from_str::<ProductScope>(r#"{"include":["84"],"exlude":["8471"]}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `exlude`"), "{e}");
        let e = serde_json::from_str::<ProductScope>(r#"{"all":true,"include":["84"]}"#).unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
    }

    #[test]
    fn scopes_that_cover_nothing() {
        assert!(ProductScope::new([]).covers_nothing());
        assert!(ProductScope::from_codes(["84"]).unwrap().excluding(["84"]).unwrap().covers_nothing());
        assert!(ProductScope::from_codes(["8471.30"]).unwrap().excluding(["84"]).unwrap().covers_nothing());
        assert!(!ProductScope::from_codes(["84", "85"]).unwrap().excluding(["84"]).unwrap().covers_nothing());
        assert!(!ProductScope::from_codes(["84"]).unwrap().excluding(["8471"]).unwrap().covers_nothing());
        assert!(!ProductScope::all().covers_nothing());
        let every_chapter: Vec<String> = (1..=99).filter(|c| *c != 77).map(|c| format!("{c:02}")).collect();
        let none = ProductScope::all().excluding(every_chapter.iter().map(String::as_str)).unwrap();
        assert!(none.covers_nothing());
    }
}
