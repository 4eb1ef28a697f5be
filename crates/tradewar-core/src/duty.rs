//! Rates and duties: ad valorem, specific, compound and prohibitive, and the
//! legal basis a duty is levied under.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{excerpt, Error, Result};
use crate::money::Money;

/// A percentage, exact: `Percent::new(dec!(25))` is 25 %.
///
/// Text form `"25%"` (the sign is optional when parsing). A rate is never
/// negative: every constructor, serde and every rate a measure, a duty, an
/// MFN table, a subsidy or a stacking rule takes refuses a negative value.
/// Negative values exist only where a result is a change or a share that
/// can fall ([`Percent::new_signed`]: the additional duty of a stack, the
/// share of a target closed, the difference of two effective rates).
///
/// ```
/// use tradewar_core::Percent;
/// let p: Percent = "7.5%".parse()?;
/// assert_eq!(p.to_string(), "7.5%");
/// assert_eq!(p.fraction().to_string(), "0.075");
/// assert!("-3%".parse::<Percent>().is_err());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(Decimal);

impl Percent {
    /// Zero percent.
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// The highest rate accepted: one million percent. Higher duties are
    /// [`Duty::Prohibitive`]; the bound keeps every sum of layers exact.
    pub const MAX: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

    /// A non-negative rate in percent, at most [`Percent::MAX`].
    pub fn new(pct: Decimal) -> Result<Self> {
        if pct.is_sign_negative() && !pct.is_zero() {
            return Err(Error::InvalidRate {
                value: format!("{pct}%"),
                reason: "a rate must not be negative (a negative percent is a change in points, not a rate)",
            });
        }
        if pct > Self::MAX {
            return Err(Error::InvalidRate {
                value: format!("{pct}%"),
                reason: "above 1000000%: use a prohibitive duty",
            });
        }
        Ok(Self(pct.normalize()))
    }

    /// A change in percentage points or a share that may fall, which may be
    /// negative. Never a rate: [`Percent::check_rate`] refuses it as one.
    pub fn new_signed(pct: Decimal) -> Self {
        Self(pct.normalize())
    }

    /// Whether the value is below zero (only a [`Percent::new_signed`] value can be).
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// This value as a rate: refused when negative or above [`Percent::MAX`]
    /// (a signed change handed where a rate is taken).
    pub fn check_rate(self) -> Result<Self> {
        Self::new(self.0)
    }

    /// From a fraction: `0.25` is 25 %.
    pub fn from_fraction(f: Decimal) -> Result<Self> {
        // `f * 100` panics past Decimal::MAX; such a fraction is out of range anyway.
        let pct = f.checked_mul(Decimal::ONE_HUNDRED).ok_or_else(|| Error::InvalidRate {
            value: f.to_string(),
            reason: if f.is_sign_negative() {
                "a rate must not be negative"
            } else {
                "a fraction above 10000 (1000000%): use a prohibitive duty"
            },
        })?;
        Self::new(pct)
    }

    /// The value in percent.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// The value as a fraction (25 % → 0.25).
    pub fn fraction(self) -> Decimal {
        (self.0 / Decimal::ONE_HUNDRED).normalize()
    }

    /// Whether the rate is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl FromStr for Percent {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let t = t.strip_suffix('%').unwrap_or(t).trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
            return Err(Error::InvalidRate { value: excerpt(s), reason: "not a plain decimal percentage" });
        }
        let d = Decimal::from_str_exact(t)
            .map_err(|_| Error::InvalidRate { value: excerpt(s), reason: crate::money::decimal_trouble(t) })?;
        Self::new(d).map_err(|e| match e {
            Error::InvalidRate { reason, .. } => Error::InvalidRate { value: excerpt(s), reason },
            other => other,
        })
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Percent({self})")
    }
}

/// Serde of a signed percentage (a change or a share that may be negative),
/// as the same text as [`Percent`]'s own serde but without its sign check.
pub(crate) mod signed_percent {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Percent;

    pub fn serialize<S: Serializer>(p: &Percent, s: S) -> Result<S::Ok, S::Error> {
        String::from(*p).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Percent, D::Error> {
        let text = String::deserialize(d)?;
        let t = text.trim();
        let t = t.strip_suffix('%').unwrap_or(t).trim();
        let v = Decimal::from_str_exact(t)
            .map_err(|_| serde::de::Error::custom(format!("invalid percent {:?}", crate::error::excerpt(&text))))?;
        if v.abs() > Percent::MAX {
            return Err(serde::de::Error::custom(format!(
                "percent {:?} is beyond ±1000000%",
                crate::error::excerpt(&text)
            )));
        }
        Ok(Percent::new_signed(v))
    }
}

impl TryFrom<String> for Percent {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Percent> for String {
    fn from(p: Percent) -> String {
        p.to_string()
    }
}

/// A duty: what an importer pays per unit of value or quantity.
///
/// Build one with [`Duty::ad_valorem`], [`Duty::specific`],
/// [`Duty::compound`], [`Duty::complex`] or `Duty::Prohibitive`; serde reads
/// through the same checks ([`Duty::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "DutyRepr")]
#[non_exhaustive]
pub enum Duty {
    /// A share of the customs value.
    AdValorem {
        /// The rate.
        rate: Percent,
    },
    /// An amount per unit of quantity (e.g. 1.4 US cents per kg).
    Specific {
        /// The amount per unit.
        amount: Money,
        /// The unit of quantity (e.g. `kg`, `No.`, `liters`).
        unit: String,
    },
    /// Both an ad valorem and a specific component.
    Compound {
        /// The ad valorem component.
        rate: Percent,
        /// The specific component, per unit.
        amount: Money,
        /// The unit of quantity.
        unit: String,
    },
    /// So high that trade stops: a ban expressed as a duty.
    Prohibitive,
    /// A rate the schedule gives only as text (sliding scales, rates that
    /// depend on sugar content...), or no rate at all (empty text). It adds
    /// nothing to ad valorem totals and is reported as a specific part that
    /// they leave out.
    Complex {
        /// The legal text of the rate.
        text: String,
    },
}

/// The serde form of a [`Duty`], read strictly and then checked.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum DutyRepr {
    AdValorem { rate: Percent },
    Specific { amount: Money, unit: String },
    Compound { rate: Percent, amount: Money, unit: String },
    // A struct variant: serde checks unknown fields of struct variants only.
    Prohibitive {},
    Complex { text: String },
}

impl TryFrom<DutyRepr> for Duty {
    type Error = Error;
    fn try_from(r: DutyRepr) -> Result<Self> {
        match r {
            DutyRepr::AdValorem { rate } => Ok(Self::ad_valorem(rate.check_rate()?)),
            DutyRepr::Specific { amount, unit } => Self::specific(amount, &unit),
            DutyRepr::Compound { rate, amount, unit } => Self::compound(rate, amount, &unit),
            DutyRepr::Prohibitive {} => Ok(Self::Prohibitive),
            DutyRepr::Complex { text } => Self::complex(&text),
        }
    }
}

impl Duty {
    /// An ad valorem duty. `rate` is taken as it is (this is the `const`
    /// path for literals); [`Duty::validate`] refuses a negative one.
    pub const fn ad_valorem(rate: Percent) -> Self {
        Self::AdValorem { rate }
    }

    /// An amount per unit of quantity: the amount must not be negative. The
    /// unit is trimmed; it may be empty where a schedule does not give it
    /// (15 lines of the US 2017 schedule).
    pub fn specific(amount: Money, unit: &str) -> Result<Self> {
        Ok(Self::Specific { amount: Self::per_unit(amount)?, unit: Self::unit(unit)? })
    }

    /// A rate plus an amount per unit (rules of [`Duty::specific`], and a rate that is not negative).
    pub fn compound(rate: Percent, amount: Money, unit: &str) -> Result<Self> {
        Ok(Self::Compound { rate: rate.check_rate()?, amount: Self::per_unit(amount)?, unit: Self::unit(unit)? })
    }

    /// A rate the schedule gives only as text. The text may be empty: a
    /// schedule line with no rate at all (915 lines of the US 2017 schedule,
    /// such as goods returned and chapter 99 provisions) is read as a
    /// complex duty with no text.
    pub fn complex(text: &str) -> Result<Self> {
        Ok(Self::Complex { text: text.to_string() })
    }

    fn per_unit(amount: Money) -> Result<Money> {
        if amount.is_negative() {
            return Err(Error::InvalidMoney {
                value: amount.to_string(),
                reason: "a duty per unit must not be negative",
            });
        }
        Ok(amount)
    }

    #[allow(clippy::unnecessary_wraps)] // one shape with the other parts' checks
    fn unit(unit: &str) -> Result<String> {
        Ok(unit.trim().to_string())
    }

    /// Checks what the constructors check: rates not negative, amounts per
    /// unit not negative, a unit without spaces around it.
    pub fn validate(&self) -> Result<()> {
        let same = match self {
            Self::AdValorem { rate } => Self::AdValorem { rate: rate.check_rate()? },
            Self::Specific { amount, unit } => Self::specific(*amount, unit)?,
            Self::Compound { rate, amount, unit } => Self::compound(*rate, *amount, unit)?,
            Self::Complex { text } => Self::complex(text)?,
            Self::Prohibitive => Self::Prohibitive,
        };
        if same == *self {
            Ok(())
        } else {
            Err(Error::Invalid {
                what: "duty",
                reason: format!("{self} is not in its canonical form (a unit with spaces around it?)"),
            })
        }
    }

    /// The ad valorem component (zero for purely specific duties; `None`
    /// for prohibitive ones).
    pub fn ad_valorem_part(&self) -> Option<Percent> {
        match self {
            Self::AdValorem { rate } | Self::Compound { rate, .. } => Some(*rate),
            Self::Specific { .. } | Self::Complex { .. } => Some(Percent::ZERO),
            Self::Prohibitive => None,
        }
    }

    /// Whether the duty has a per-unit component that an ad valorem total
    /// cannot show without a unit value.
    pub fn has_specific_part(&self) -> bool {
        matches!(self, Self::Specific { .. } | Self::Compound { .. } | Self::Complex { .. })
    }

    /// Whether the duty is zero.
    pub fn is_free(&self) -> bool {
        match self {
            Self::AdValorem { rate } => rate.is_zero(),
            Self::Specific { amount, .. } => amount.amount().is_zero(),
            Self::Compound { rate, amount, .. } => rate.is_zero() && amount.amount().is_zero(),
            Self::Prohibitive | Self::Complex { .. } => false,
        }
    }
}

impl fmt::Display for Duty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AdValorem { rate } => write!(f, "{rate}"),
            Self::Specific { amount, unit } => write!(f, "{amount}/{unit}"),
            Self::Compound { rate, amount, unit } => write!(f, "{rate} + {amount}/{unit}"),
            Self::Prohibitive => f.write_str("prohibitive"),
            Self::Complex { text } => write!(f, "{text:?}"),
        }
    }
}

/// The legal instrument a duty or measure rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum LegalBasis {
    /// Most-favoured-nation rates of the importer's schedule.
    Mfn,
    /// US Trade Act of 1974, Section 301 (unfair practices).
    Section301,
    /// US Trade Expansion Act of 1962, Section 232 (national security).
    Section232,
    /// US Trade Act of 1974, Section 201 (safeguards).
    Section201,
    /// US Trade Act of 1974, Section 122 (balance of payments).
    Section122,
    /// US International Emergency Economic Powers Act.
    Ieepa,
    /// A retaliatory measure against another economy's measure.
    Retaliation,
    /// Anti-dumping duty.
    AntiDumping,
    /// Countervailing duty.
    Countervailing,
    /// Export controls (e.g. the US Export Administration Regulations).
    ExportControl,
    /// A negotiated agreement (e.g. the Phase One deal).
    Agreement,
    /// Anything else.
    Other,
}

impl LegalBasis {
    const NAMES: [(Self, &'static str); 12] = [
        (Self::Mfn, "mfn"),
        (Self::Section301, "section301"),
        (Self::Section232, "section232"),
        (Self::Section201, "section201"),
        (Self::Section122, "section122"),
        (Self::Ieepa, "ieepa"),
        (Self::Retaliation, "retaliation"),
        (Self::AntiDumping, "antidumping"),
        (Self::Countervailing, "countervailing"),
        (Self::ExportControl, "export_control"),
        (Self::Agreement, "agreement"),
        (Self::Other, "other"),
    ];

    /// Short name, e.g. `section301`.
    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|n| n.0 == self).map_or("other", |n| n.1)
    }
}

impl FromStr for LegalBasis {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t: String = s.trim().to_ascii_lowercase().chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        Self::NAMES.iter().find(|n| n.1.replace('_', "") == t.replace('_', "")).map(|n| n.0).ok_or_else(|| {
            Error::UnknownKeyword {
                kind: "legal basis",
                value: excerpt(s),
                expected: "mfn, section301, section232, section201, section122, ieepa, retaliation, antidumping, countervailing, export_control, agreement, other",
            }
        })
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for LegalBasis {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<LegalBasis> for String {
    fn from(b: LegalBasis) -> String {
        b.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percent_parsing() {
        assert_eq!("25".parse::<Percent>().unwrap().to_string(), "25%");
        assert_eq!(" 7.50 % ".parse::<Percent>().unwrap().to_string(), "7.5%");
        for bad in ["", "%", "abc", "-1", "1e2", "NaN", "inf", "1000000.1", "79228162514264337593543950335"] {
            assert!(matches!(bad.parse::<Percent>(), Err(Error::InvalidRate { .. })), "{bad}");
        }
    }

    #[test]
    fn from_fraction_out_of_range_is_an_error_not_a_panic() {
        // Found by the `money` fuzz target: `f * 100` overflowed and panicked.
        assert_eq!(Percent::from_fraction(Decimal::new(25, 2)).unwrap().to_string(), "25%");
        let e = Percent::from_fraction(Decimal::MAX).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid rate \"79228162514264337593543950335\": a fraction above 10000 (1000000%): use a prohibitive duty"
        );
        assert!(matches!(Percent::from_fraction(Decimal::MIN), Err(Error::InvalidRate { .. })));
        assert!(matches!(Percent::from_fraction(Decimal::new(10_001, 0)), Err(Error::InvalidRate { .. })));
    }

    #[test]
    fn legal_basis_names() {
        assert_eq!("Section 301".parse::<LegalBasis>().unwrap(), LegalBasis::Section301);
        assert_eq!("export-control".parse::<LegalBasis>().unwrap(), LegalBasis::ExportControl);
        assert!("tariff".parse::<LegalBasis>().is_err());
    }

    /// Issue 11: a signed percent slipped into duties; JSON read what the constructors refuse.
    #[test]
    fn duties_refuse_negative_rates_and_amounts_on_every_way_in() {
        let minus5 = Percent::new_signed(Decimal::from(-5));
        assert!(minus5.is_negative());
        assert!(Duty::ad_valorem(minus5).validate().is_err());
        let e = minus5.check_rate().unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid rate \"-5%\": a rate must not be negative (a negative percent is a change in points, not a rate)"
        );
        assert!(Duty::compound(minus5, Money::usd("1").unwrap(), "kg").is_err());
        assert!(Duty::specific(Money::usd("-1").unwrap(), "kg").is_err());
        for bad in [
            r#"{"kind":"ad_valorem","rate":"-5%"}"#,
            r#"{"kind":"specific","amount":{"amount":"-1","currency":"USD"},"unit":"kg"}"#,
            r#"{"kind":"ad_valorem","rate":"5%","rat":"6%"}"#,
            r#"{"kind":"prohibitive","rate":"5%"}"#,
        ] {
            assert!(serde_json::from_str::<Duty>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::from_str::<Duty>(
                r#"{"kind":"specific","amount":{"amount":"0.014","currency":"USD"},"unit":"kg"}"#
            )
            .unwrap(),
            Duty::specific(Money::usd("0.014").unwrap(), "kg").unwrap()
        );
    }

    #[test]
    fn duty_serde() {
        let d =
            Duty::Compound { rate: "6.4".parse().unwrap(), amount: Money::usd("0.014").unwrap(), unit: "kg".into() };
        let j = serde_json::to_string(&d).unwrap();
        assert_eq!(j, r#"{"kind":"compound","rate":"6.4%","amount":{"amount":"0.014","currency":"USD"},"unit":"kg"}"#);
        assert_eq!(serde_json::from_str::<Duty>(&j).unwrap(), d);
        assert_eq!(d.to_string(), "6.4% + 0.014 USD/kg");
    }

    proptest! {
        #[test]
        fn percent_round_trip(n in 0i64..1_000_000, scale in 0u32..6) {
            let p = Percent::new(Decimal::new(n, scale)).unwrap();
            prop_assert_eq!(p.to_string().parse::<Percent>().unwrap(), p);
            let j = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Percent>(&j).unwrap(), p);
        }
    }
}
