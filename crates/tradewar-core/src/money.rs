//! Exact money: `Decimal` amounts with a currency, and the valuation basis
//! a trade value is reported on.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{excerpt, Error, Result};

/// An ISO 4217 currency code (three upper-case letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Chinese yuan renminbi.
    pub const CNY: Currency = Currency(*b"CNY");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Validates a code.
    pub fn new(code: &str) -> Result<Self> {
        code.parse()
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Self([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase(), b[2].to_ascii_uppercase()]))
        } else {
            Err(Error::InvalidCurrency { value: excerpt(s) })
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

/// An exact amount of money. Amounts may be negative (a balance, a change);
/// constructors that take a *value of trade* use [`Money::non_negative`].
///
/// Text form: `"<amount> <currency>"`, e.g. `"375.2e9"` is *not* accepted;
/// write `"375200000000 USD"`. Serde writes `{"amount": "…", "currency": "USD"}`
/// with the amount as a string.
///
/// ```
/// use tradewar_core::{Money, Currency};
/// let a: Money = "130400000000 USD".parse()?;
/// let b = Money::usd("505600000000")?;
/// assert_eq!((a - b)?.to_string(), "-375200000000 USD");
/// assert!(Money::usd("-1").unwrap().is_negative());
/// assert!(Money::usd("12abc").is_err());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    #[serde(with = "amount_serde")]
    amount: Decimal,
    currency: Currency,
}

/// Serde of an exact decimal as its plain text (`"-3.25"`), read back with
/// the rule of [`Money::usd`] (no exponent, no `_`, no JSON number: a
/// float is not exact), so that JSON accepts no amount the constructors refuse.
pub(crate) mod amount_serde {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        super::parse_amount(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    /// The same for a column of amounts.
    pub mod column {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(ToString::to_string))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|t| super::super::parse_amount(t).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}

impl Money {
    /// An amount in a currency.
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency.
    pub const fn zero(currency: Currency) -> Self {
        Self { amount: Decimal::ZERO, currency }
    }

    /// Parses a decimal amount of US dollars, e.g. `"1e9"` is rejected but
    /// `"1000000000"` and `"-3.25"` are fine.
    pub fn usd(amount: &str) -> Result<Self> {
        Ok(Self { amount: parse_amount(amount)?, currency: Currency::USD })
    }

    /// A whole number of US cents (the columnar representation).
    pub fn from_usd_cents(cents: i64) -> Self {
        Self { amount: Decimal::new(cents, 2), currency: Currency::USD }
    }

    /// A value that must not be negative, such as a trade value or a penalty.
    pub fn non_negative(amount: Decimal, currency: Currency) -> Result<Self> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Error::InvalidMoney { value: format!("{amount} {currency}"), reason: "must not be negative" });
        }
        Ok(Self { amount, currency })
    }

    /// The amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The amount in whole US cents, rounding half away from zero; an error
    /// for other currencies or amounts beyond ±9.2e16 dollars.
    pub fn to_usd_cents(&self) -> Result<i64> {
        if self.currency != Currency::USD {
            return Err(Error::CurrencyMismatch { left: self.currency.to_string(), right: "USD".into() });
        }
        let cents = self
            .amount
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or_else(|| Error::MoneyOverflow { context: format!("converting {self} to cents") })?
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        i64::try_from(cents).map_err(|_| Error::MoneyOverflow { context: format!("converting {self} to cents") })
    }

    /// The amount in whole US cents, exactly: an error for other currencies,
    /// for amounts beyond ±9.2e16 dollars, and for an amount with a fraction
    /// of a cent (which [`Money::to_usd_cents`] would round). Trade values
    /// are held this way, so a sub-cent value is refused, never rounded.
    pub fn to_usd_cents_exact(&self) -> Result<i64> {
        if self.amount.round_dp(2) != self.amount {
            return Err(Error::InvalidMoney {
                value: excerpt(&self.to_string()),
                reason: "has a fraction of a cent: trade values are held in whole cents, so round it to 2 decimal places first",
            });
        }
        self.to_usd_cents()
    }

    /// Same-currency sum.
    pub fn checked_add(self, other: Self) -> Result<Self> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| Error::MoneyOverflow { context: format!("adding {self} and {other}") })?;
        Ok(Self { amount, currency: self.currency })
    }

    /// Same-currency difference.
    pub fn checked_sub(self, other: Self) -> Result<Self> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| Error::MoneyOverflow { context: format!("subtracting {other} from {self}") })?;
        Ok(Self { amount, currency: self.currency })
    }

    /// Multiplies by an exact factor (a rate, a share).
    pub fn checked_mul(self, factor: Decimal) -> Result<Self> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or_else(|| Error::MoneyOverflow { context: format!("multiplying {self} by {factor}") })?;
        Ok(Self { amount, currency: self.currency })
    }

    /// Rounds to `dp` decimal places, half away from zero.
    pub fn round_dp(self, dp: u32) -> Self {
        Self {
            amount: self.amount.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            currency: self.currency,
        }
    }

    /// Sums amounts exactly; `zero` fixes the currency of an empty sum.
    pub fn sum<I: IntoIterator<Item = Money>>(zero: Currency, items: I) -> Result<Self> {
        items.into_iter().try_fold(Money::zero(zero), Money::checked_add)
    }

    /// The amount in billions, rounded to one decimal place, for reports.
    pub fn billions(&self) -> Decimal {
        (self.amount / Decimal::from(1_000_000_000u64)).round_dp(1)
    }

    fn same_currency(self, other: Self) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::CurrencyMismatch { left: self.currency.to_string(), right: other.currency.to_string() })
        }
    }
}

/// Parses a plain decimal amount (`-3.25`, `1000000000`; no exponent, no
/// thousands separators): the one rule for amounts of money given as text.
pub(crate) fn parse_amount(s: &str) -> Result<Decimal> {
    let t = s.trim();
    let bad = |reason| Error::InvalidMoney { value: excerpt(s), reason };
    if t.is_empty() {
        return Err(bad("empty"));
    }
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
        return Err(bad("not a plain decimal number"));
    }
    Decimal::from_str_exact(t).map_err(|_| bad(decimal_trouble(t)))
}

/// Why text of digits, signs and dots is not a `Decimal`: too large, too
/// many decimal places, or malformed.
pub(crate) fn decimal_trouble(t: &str) -> &'static str {
    let body = t.trim_start_matches(['+', '-']);
    let well_formed = body.bytes().filter(|b| *b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !well_formed {
        return "not a plain decimal number";
    }
    let whole = body.split('.').next().unwrap_or("").trim_start_matches('0');
    if whole.len() > 28 {
        "too large: at most 28 digits before the decimal point"
    } else {
        "too many digits: at most 28 significant digits in all"
    }
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let (amount, currency) = t
            .rsplit_once(' ')
            .ok_or_else(|| Error::InvalidMoney { value: excerpt(s), reason: "expected \"<amount> <currency>\"" })?;
        Ok(Self { amount: parse_amount(amount)?, currency: currency.parse()? })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl std::ops::Sub for Money {
    type Output = Result<Money>;
    fn sub(self, rhs: Money) -> Result<Money> {
        self.checked_sub(rhs)
    }
}

impl std::ops::Add for Money {
    type Output = Result<Money>;
    fn add(self, rhs: Money) -> Result<Money> {
        self.checked_add(rhs)
    }
}

/// Sum of already-validated same-currency results; stops at the first error.
impl Sum<Money> for Result<Money> {
    fn sum<I: Iterator<Item = Money>>(mut iter: I) -> Self {
        let Some(first) = iter.next() else {
            return Err(Error::Invalid {
                what: "sum of money",
                reason: "empty sum has no currency; use Money::sum".into(),
            });
        };
        iter.try_fold(first, Money::checked_add)
    }
}

/// The basis on which a trade value is measured. Mixing bases silently is a
/// classic error: US imports from China in 2017 were $505.6B at customs value
/// and about $525.8B CIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ValuationBasis {
    /// Free on board: value at the exporter's border (exports).
    Fob,
    /// Cost, insurance and freight: value at the importer's border.
    Cif,
    /// US customs value: the transaction value, excluding freight and insurance.
    CustomsValue,
}

impl ValuationBasis {
    /// Lower-case name: `fob`, `cif`, `customs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fob => "fob",
            Self::Cif => "cif",
            Self::CustomsValue => "customs",
        }
    }
}

impl FromStr for ValuationBasis {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fob" => Ok(Self::Fob),
            "cif" => Ok(Self::Cif),
            "customs" | "customs_value" | "customs value" | "cv" => Ok(Self::CustomsValue),
            _ => {
                Err(Error::UnknownKeyword { kind: "valuation basis", value: excerpt(s), expected: "fob, cif, customs" })
            }
        }
    }
}

impl fmt::Display for ValuationBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for ValuationBasis {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<ValuationBasis> for String {
    fn from(b: ValuationBasis) -> String {
        b.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_text_and_errors() {
        assert_eq!(Money::usd("1.50").unwrap().to_string(), "1.5 USD");
        assert!(matches!(Money::usd("1e9"), Err(Error::InvalidMoney { .. })));
        assert!(matches!(Money::usd("NaN"), Err(Error::InvalidMoney { .. })));
        assert!(matches!("12 usd!".parse::<Money>(), Err(Error::InvalidCurrency { .. })));
        assert!(matches!("12".parse::<Money>(), Err(Error::InvalidMoney { .. })));
        assert!(Money::non_negative(Decimal::NEGATIVE_ONE, Currency::USD).is_err());
        let cny = Money::new(Decimal::ONE, Currency::CNY);
        assert!(matches!(Money::usd("1").unwrap() + cny, Err(Error::CurrencyMismatch { .. })));
    }

    #[test]
    fn overflow_says_too_large() {
        let e = Money::usd(&"9".repeat(40)).unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
        assert!(Money::usd("1.2.3").unwrap_err().to_string().contains("not a plain decimal number"));
    }

    /// Issue 11: sub-cent values were rounded without notice in every door of the trade matrix.
    #[test]
    fn exact_cents_refuse_fractions_of_a_cent() {
        assert_eq!(Money::usd("100.50").unwrap().to_usd_cents_exact().unwrap(), 10050);
        assert_eq!(Money::usd("100.5000").unwrap().to_usd_cents_exact().unwrap(), 10050);
        for bad in ["0.001", "100.505", "-0.005"] {
            let e = Money::usd(bad).unwrap().to_usd_cents_exact().unwrap_err();
            assert!(e.to_string().contains("fraction of a cent"), "{bad}: {e}");
        }
    }

    #[test]
    fn cents_round_trip() {
        assert_eq!(Money::from_usd_cents(12_345).to_string(), "123.45 USD");
        assert_eq!(Money::usd("0.005").unwrap().to_usd_cents().unwrap(), 1);
        assert_eq!(Money::usd("-0.005").unwrap().to_usd_cents().unwrap(), -1);
        assert!(Money::usd("1e30").is_err());
        assert!(matches!(
            Money::usd("79228162514264337593543950335").unwrap().to_usd_cents(),
            Err(Error::MoneyOverflow { .. })
        ));
    }

    #[test]
    fn serde_amount_is_a_string() {
        let m = Money::usd("375200000000.10").unwrap();
        let j = serde_json::to_string(&m).unwrap();
        assert_eq!(j, r#"{"amount":"375200000000.10","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&j).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"x","currency":"USD"}"#).is_err());
        let e = serde_json::from_str::<Money>(r#"{"amount":"1","currency":"USD","curency":"EUR"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }

    proptest! {
        #[test]
        fn sums_are_exact(cents in proptest::collection::vec(-1_000_000_000_000i64..1_000_000_000_000, 0..50)) {
            let total: i64 = cents.iter().sum();
            let m = Money::sum(Currency::USD, cents.iter().map(|&c| Money::from_usd_cents(c))).unwrap();
            prop_assert_eq!(m.to_usd_cents().unwrap(), total);
        }

        #[test]
        fn text_round_trip(cents in any::<i64>()) {
            let m = Money::from_usd_cents(cents);
            prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
            let j = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&j).unwrap(), m);
        }
    }
}
