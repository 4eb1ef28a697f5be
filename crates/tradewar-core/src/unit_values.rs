//! Unit values of trade (what a flow is worth per unit of quantity) and the
//! ad valorem equivalents of specific duties that they give.
//!
//! A specific duty (4.4 US cents per kg) has no rate of its own: what it
//! costs in percent of value depends on the price of the goods. The usual
//! estimate (WTO and UNCTAD TRAINS compute their AVEs this way) divides
//! the amount by the unit value of the trade it falls on:
//!
//! ```text
//! AVE (%) = 100 × amount / unit value
//!         = 100 × amount × quantity in the duty's unit / value of the flow
//! compound:  ad valorem part + AVE of the specific part
//! ```
//!
//! The quantity must be in the duty's own unit, or convert to it exactly:
//! kilograms come from the net weight, tonnes are 1000 kg, items count
//! `each`, a dozen is 12 items, a gross 144, a barrel 158.987294928 litres
//! (42 US gallons, exact by definition)... A duty per proof litre, per clean
//! kilogram of wool, per kilogram of drained weight or of sugar content has
//! no exact conversion from trade statistics: it gets no equivalent.
//!
//! Rounding: the equivalent is computed in exact decimals with a single
//! division (28 significant digits) and then rounded half away from zero to
//! 4 decimal places of a percent (0.0001 percentage point). The unit value
//! shown with it is rounded the same way to 0.0001 of the currency, for
//! reading only: the equivalent is not computed from the rounded figure.
//!
//! ```
//! use rust_decimal::Decimal;
//! use tradewar_core::*;
//! // 100 t of a good worth $200,000 (CIF): $2 per kg.
//! let flow = TradeFlow { exporter: Economy::CHN, importer: Economy::USA, product: "0201.10".parse()?,
//!     year: 2017, value: Money::usd("200000")?, basis: ValuationBasis::Cif };
//! let uv = UnitValue::new(flow, Some(Decimal::new(100_000, 0)), None)?;
//! let duty = Duty::Compound { rate: "4".parse()?, amount: Money::usd("0.044")?, unit: "kg".into() };
//! let ave = ad_valorem_equivalent(&duty, &uv).unwrap();
//! assert_eq!(ave.specific.to_string(), "2.2%"); // 4.4 cents on $2
//! assert_eq!(ave.total.to_string(), "6.2%");
//! assert_eq!(ave.unit_value.to_string(), "2 USD");
//! # Ok::<(), tradewar_core::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::duty::{Duty, Percent};
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::{HsCode, HsLevel};
use crate::matrix::TradeFlow;
use crate::money::{Money, ValuationBasis};

/// Decimal places of a percent kept in an equivalent (0.0001 pp).
const AVE_DECIMALS: u32 = 4;

/// A unit in which trade statistics count quantities (UN Comtrade's
/// abbreviations: `u`, `2u`, `12u`, `1000u`, `kg`, `l`, `m`, `m²`, `m³`,
/// `carat`, `U (jeu/pack)`).
///
/// ```
/// use tradewar_core::QuantityUnit;
/// assert_eq!("2u".parse::<QuantityUnit>()?, QuantityUnit::Pairs);
/// assert_eq!(QuantityUnit::SquareMeters.to_string(), "m²");
/// assert!("bushel".parse::<QuantityUnit>().is_err());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum QuantityUnit {
    /// Number of items (`u`).
    Items,
    /// Number of pairs (`2u`).
    Pairs,
    /// Dozens of items (`12u`).
    Dozens,
    /// Thousands of items (`1000u`).
    Thousands,
    /// Number of packages or sets (`U (jeu/pack)`).
    Packs,
    /// Kilograms (`kg`): in US statistics sometimes a content weight (ores),
    /// so a duty per kg is read off the net weight instead.
    Kilograms,
    /// Litres (`l`).
    Liters,
    /// Metres (`m`).
    Meters,
    /// Square metres (`m²`).
    SquareMeters,
    /// Cubic metres (`m³`).
    CubicMeters,
    /// Carats (`carat`).
    Carats,
}

impl QuantityUnit {
    const NAMES: [(Self, &'static str); 11] = [
        (Self::Items, "u"),
        (Self::Pairs, "2u"),
        (Self::Dozens, "12u"),
        (Self::Thousands, "1000u"),
        (Self::Packs, "U (jeu/pack)"),
        (Self::Kilograms, "kg"),
        (Self::Liters, "l"),
        (Self::Meters, "m"),
        (Self::SquareMeters, "m²"),
        (Self::CubicMeters, "m³"),
        (Self::Carats, "carat"),
    ];

    /// The UN Comtrade abbreviation.
    pub fn as_str(self) -> &'static str {
        Self::NAMES.iter().find(|n| n.0 == self).map_or("u", |n| n.1)
    }
}

impl FromStr for QuantityUnit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_lowercase();
        let t = match t.as_str() {
            "m2" => "m²",
            "m3" => "m³",
            other => other,
        };
        Self::NAMES.iter().find(|n| n.1.to_lowercase() == t).map(|n| n.0).ok_or_else(|| Error::UnknownKeyword {
            kind: "quantity unit",
            value: s.chars().take(64).collect(),
            expected: "u, 2u, 12u, 1000u, U (jeu/pack), kg, l, m, m², m³, carat",
        })
    }
}

impl fmt::Display for QuantityUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for QuantityUnit {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<QuantityUnit> for String {
    fn from(u: QuantityUnit) -> String {
        u.as_str().to_string()
    }
}

/// A positive amount in a [`QuantityUnit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity {
    amount: Decimal,
    unit: QuantityUnit,
}

impl Quantity {
    /// A quantity; refused unless the amount is positive.
    pub fn new(amount: Decimal, unit: QuantityUnit) -> Result<Self> {
        if amount <= Decimal::ZERO {
            return Err(Error::Invalid {
                what: "quantity",
                reason: format!("{} {unit} is not a positive quantity", amount.normalize()),
            });
        }
        Ok(Self { amount: amount.normalize(), unit })
    }

    /// The amount.
    pub fn amount(self) -> Decimal {
        self.amount
    }

    /// The unit.
    pub fn unit(self) -> QuantityUnit {
        self.unit
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit)
    }
}

/// The unit a specific duty is levied per, among those that a quantity of
/// trade statistics converts to exactly.
///
/// [`DutyUnit::parse`] reads the units of tariff schedules in their usual
/// spellings (`kg`, `KG`, `No.`, `each`, `head`, `doz.`, `pr.`, `liter`,
/// `bbl`, `m2`...); a unit it does not read (`pf.liter`, `clean kg`,
/// `kg on drained weight`) has no exact conversion and gives no equivalent.
///
/// ```
/// use tradewar_core::DutyUnit;
/// assert_eq!(DutyUnit::parse("doz."), Some(DutyUnit::Dozen));
/// assert_eq!(DutyUnit::parse("NO"), Some(DutyUnit::Each));
/// assert_eq!(DutyUnit::parse("pf.liter"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum DutyUnit {
    /// Per kilogram of net weight.
    Kilogram,
    /// Per metric ton (1000 kg) of net weight.
    Tonne,
    /// Per item (`each`, `No.`, per head, per article).
    Each,
    /// Per pair.
    Pair,
    /// Per dozen (12 items).
    Dozen,
    /// Per dozen pairs.
    DozenPairs,
    /// Per gross (144 items).
    Gross,
    /// Per thousand items.
    Thousand,
    /// Per litre.
    Liter,
    /// Per barrel of 42 US gallons (158.987294928 litres).
    Barrel,
    /// Per metre.
    Meter,
    /// Per square metre.
    SquareMeter,
    /// Per cubic metre.
    CubicMeter,
    /// Per carat.
    Carat,
}

impl DutyUnit {
    /// Canonical names first, then the other spellings read.
    const SPELLINGS: [(Self, &'static [&'static str]); 14] = [
        (Self::Kilogram, &["kg", "kgs", "kilogram", "kilograms"]),
        (Self::Tonne, &["t", "tonne", "tonnes", "metric ton", "metric tons"]),
        (
            Self::Each,
            &[
                "each", "no", "u", "unit", "units", "item", "items", "head", "article", "articles", "pcs", "piece",
                "pieces", "number",
            ],
        ),
        (Self::Pair, &["pr", "prs", "pair", "pairs", "2u"]),
        (Self::Dozen, &["doz", "dozen", "dozens", "12u"]),
        (Self::DozenPairs, &["doz. pr", "dpr", "dozen pairs", "doz pr"]),
        (Self::Gross, &["gross", "grs"]),
        (Self::Thousand, &["thousand", "ths", "thousands", "1000", "1,000", "1000u"]),
        (Self::Liter, &["liter", "l", "liters", "litre", "litres"]),
        (Self::Barrel, &["bbl", "barrel", "barrels"]),
        (Self::Meter, &["m", "meter", "meters", "metre", "metres"]),
        (Self::SquareMeter, &["m2", "m²", "square meter", "square meters", "square metre", "square metres"]),
        (Self::CubicMeter, &["m3", "m³", "cubic meter", "cubic meters", "cubic metre", "cubic metres"]),
        (Self::Carat, &["carat", "carats"]),
    ];

    /// Barrel of 42 US gallons in litres (231 cubic inches a gallon, 2.54 cm an inch: exact).
    const BARREL_LITERS: Decimal = Decimal::from_parts(73_504_976, 37, 0, false, 9);

    /// The canonical name (`kg`, `each`, `doz.`, `liter`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pair => "pr.",
            Self::Dozen => "doz.",
            Self::DozenPairs => "doz. pr.",
            other => Self::SPELLINGS.iter().find(|s| s.0 == other).map_or("each", |s| s.1[0]),
        }
    }

    /// Reads the unit of a duty as tariff schedules write it (case and a
    /// final period ignored); `None` for a unit without an exact conversion.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().trim_end_matches('.').trim().to_lowercase();
        Self::SPELLINGS.iter().find(|(_, names)| names.contains(&t.as_str())).map(|s| s.0)
    }

    /// The quantity of a flow in this unit, as `numerator / denominator`
    /// (kept apart so that the equivalent divides only once).
    fn quantity_of(self, uv: &UnitValue) -> Option<(Decimal, Decimal)> {
        use QuantityUnit as Q;
        let one = Decimal::ONE;
        let n = |k: i64| Decimal::from(k);
        if let Some(per_kg) = match self {
            Self::Kilogram => Some(one),
            Self::Tonne => Some(n(1000)),
            _ => None,
        } {
            return uv.net_weight_kg.map(|w| (w, per_kg));
        }
        let q = uv.quantity?;
        // (multiplier, divisor): the quantity in this unit is amount × multiplier / divisor.
        let (mul, div) = match (self, q.unit) {
            (Self::Each, Q::Items)
            | (Self::Pair, Q::Pairs)
            | (Self::Dozen, Q::Dozens)
            | (Self::Thousand, Q::Thousands)
            | (Self::Liter, Q::Liters)
            | (Self::Meter, Q::Meters)
            | (Self::SquareMeter, Q::SquareMeters)
            | (Self::CubicMeter, Q::CubicMeters)
            | (Self::Carat, Q::Carats) => (one, one),
            (Self::Each, Q::Dozens) => (n(12), one),
            (Self::Each, Q::Thousands) => (n(1000), one),
            (Self::Dozen, Q::Items) | (Self::DozenPairs, Q::Pairs) | (Self::Gross, Q::Dozens) => (one, n(12)),
            (Self::Dozen, Q::Thousands) => (n(1000), n(12)),
            (Self::Gross, Q::Items) => (one, n(144)),
            (Self::Gross, Q::Thousands) => (n(1000), n(144)),
            (Self::Thousand, Q::Items) => (one, n(1000)),
            (Self::Thousand, Q::Dozens) => (n(12), n(1000)),
            (Self::Barrel, Q::Liters) => (one, Self::BARREL_LITERS),
            _ => return None,
        };
        Some((q.amount.checked_mul(mul)?, div))
    }
}

impl FromStr for DutyUnit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| Error::UnknownKeyword {
            kind: "unit of a specific duty",
            value: s.chars().take(64).collect(),
            expected: "kg, t, each (No., head), pr., doz., doz. pr., gross, thousand, liter, bbl, m, m2, m3, carat",
        })
    }
}

impl fmt::Display for DutyUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for DutyUnit {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<DutyUnit> for String {
    fn from(u: DutyUnit) -> String {
        u.as_str().to_string()
    }
}

/// The value and quantities of one flow (exporter, importer, HS6, year): a
/// unit value for each unit its quantities convert to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UnitValueRepr", into = "UnitValueRepr")]
pub struct UnitValue {
    flow: TradeFlow,
    net_weight_kg: Option<Decimal>,
    quantity: Option<Quantity>,
}

impl UnitValue {
    /// A flow with its net weight and its quantity in its statistical unit.
    ///
    /// Refused (naming the flow): a flow [`TradeMatrix`](crate::TradeMatrix)
    /// would refuse, a product that is not an HS6 subheading, a value that is
    /// not positive, a net weight that is not positive, neither a weight nor
    /// a quantity.
    pub fn new(flow: TradeFlow, net_weight_kg: Option<Decimal>, quantity: Option<Quantity>) -> Result<Self> {
        flow.validate()?;
        let name = || format!("{} to {}, {} in {}", flow.exporter, flow.importer, flow.product, flow.year);
        let bad = |reason: String| Error::Invalid { what: "unit value", reason };
        if flow.product.level() != HsLevel::Subheading {
            return Err(bad(format!("{}: unit values are kept by HS6 subheading", name())));
        }
        if !flow.value.amount().is_sign_positive() || flow.value.amount().is_zero() {
            return Err(bad(format!("{}: the value {} is not positive", name(), flow.value)));
        }
        if let Some(w) = net_weight_kg {
            if w <= Decimal::ZERO {
                return Err(bad(format!("{}: the net weight {} kg is not positive", name(), w.normalize())));
            }
        }
        if net_weight_kg.is_none() && quantity.is_none() {
            return Err(bad(format!("{}: neither a net weight nor a quantity", name())));
        }
        Ok(Self { flow, net_weight_kg: net_weight_kg.map(|w| w.normalize()), quantity })
    }

    /// The flow (its value and valuation basis).
    pub fn flow(&self) -> &TradeFlow {
        &self.flow
    }

    /// The net weight in kilograms, if reported.
    pub fn net_weight_kg(&self) -> Option<Decimal> {
        self.net_weight_kg
    }

    /// The quantity in the statistical unit, if reported.
    pub fn quantity(&self) -> Option<Quantity> {
        self.quantity
    }

    /// The value per `unit` where the flow's quantities convert to it
    /// exactly, rounded half away from zero to 0.0001 of the currency.
    pub fn per(&self, unit: DutyUnit) -> Option<Money> {
        let (num, den) = unit.quantity_of(self)?;
        let v = self.flow.value.amount().checked_mul(den)?.checked_div(num)?;
        Some(Money::new(
            v.round_dp_with_strategy(AVE_DECIMALS, RoundingStrategy::MidpointAwayFromZero).normalize(),
            self.flow.value.currency(),
        ))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitValueRepr {
    exporter: Economy,
    importer: Economy,
    product: HsCode,
    year: i32,
    value: Money,
    basis: ValuationBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    net_weight_kg: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit: Option<QuantityUnit>,
}

impl TryFrom<UnitValueRepr> for UnitValue {
    type Error = Error;
    fn try_from(r: UnitValueRepr) -> Result<Self> {
        let quantity = match (r.quantity, r.unit) {
            (Some(q), Some(u)) => Some(Quantity::new(q, u)?),
            (None, None) => None,
            _ => {
                return Err(Error::Invalid {
                    what: "unit value",
                    reason: format!(
                        "{} to {}, {}: a quantity needs its unit and a unit its quantity",
                        r.exporter, r.importer, r.product
                    ),
                })
            }
        };
        let flow = TradeFlow {
            exporter: r.exporter,
            importer: r.importer,
            product: r.product,
            year: r.year,
            value: r.value,
            basis: r.basis,
        };
        UnitValue::new(flow, r.net_weight_kg, quantity)
    }
}

impl From<UnitValue> for UnitValueRepr {
    fn from(u: UnitValue) -> Self {
        let f = u.flow;
        Self {
            exporter: f.exporter,
            importer: f.importer,
            product: f.product,
            year: f.year,
            value: f.value,
            basis: f.basis,
            net_weight_kg: u.net_weight_kg,
            quantity: u.quantity.map(Quantity::amount),
            unit: u.quantity.map(Quantity::unit),
        }
    }
}

/// The ad valorem equivalent of a duty on one flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdValoremEquivalent {
    /// The whole duty in percent of value: its ad valorem part plus `specific`.
    pub total: Percent,
    /// The specific part alone in percent of value.
    pub specific: Percent,
    /// The unit value it was divided by (value per `unit`), rounded to 0.0001.
    pub unit_value: Money,
    /// The unit of the duty.
    pub unit: DutyUnit,
    /// The year of the flow.
    pub year: i32,
    /// The valuation basis of the flow's value.
    pub basis: ValuationBasis,
}

/// The ad valorem equivalent of a specific or compound duty on a flow (see
/// the [module docs](self) for the formula and the rounding).
///
/// `None`: a duty without a specific part (ad valorem, prohibitive) or with
/// a part that is not a plain amount per unit (complex), a unit that
/// [`DutyUnit::parse`] does not read, quantities of the flow that do not
/// convert to it exactly, an amount in another currency than the flow's
/// value, an equivalent above [`Percent::MAX`].
pub fn ad_valorem_equivalent(duty: &Duty, uv: &UnitValue) -> Option<AdValoremEquivalent> {
    let (rate, amount, unit) = match duty {
        Duty::Specific { amount, unit } => (Percent::ZERO, amount, unit),
        Duty::Compound { rate, amount, unit } => (*rate, amount, unit),
        _ => return None,
    };
    if amount.currency() != uv.flow.value.currency() {
        return None;
    }
    let unit = DutyUnit::parse(unit)?;
    let (num, den) = unit.quantity_of(uv)?;
    let paid = amount.amount().checked_mul(num)?.checked_mul(Decimal::ONE_HUNDRED)?;
    let specific = paid
        .checked_div(uv.flow.value.amount().checked_mul(den)?)?
        .round_dp_with_strategy(AVE_DECIMALS, RoundingStrategy::MidpointAwayFromZero);
    let specific = Percent::new(specific).ok()?;
    let total = Percent::new(rate.value().checked_add(specific.value())?).ok()?;
    Some(AdValoremEquivalent {
        total,
        specific,
        unit_value: uv.per(unit)?,
        unit,
        year: uv.flow.year,
        basis: uv.flow.basis,
    })
}

/// Unit values by importer, exporter, HS6 and year.
///
/// Serializes as the list of its [`UnitValue`]s; reading it back validates
/// each of them again.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<UnitValue>", into = "Vec<UnitValue>")]
pub struct UnitValues {
    by_flow: BTreeMap<(Economy, Economy, i32, HsCode), UnitValue>,
}

impl UnitValues {
    /// Unit values of flows; a flow given twice is refused, naming it.
    pub fn new<I: IntoIterator<Item = UnitValue>>(values: I) -> Result<Self> {
        let mut by_flow = BTreeMap::new();
        for uv in values {
            let f = &uv.flow;
            let key = (f.importer, f.exporter, f.year, f.product);
            if by_flow.contains_key(&key) {
                return Err(Error::Invalid {
                    what: "unit values",
                    reason: format!("{} to {}, {} in {} is given twice", f.exporter, f.importer, f.product, f.year),
                });
            }
            by_flow.insert(key, uv);
        }
        Ok(Self { by_flow })
    }

    /// The unit value of a flow; `product` may be finer than HS6 (a
    /// national line is read at its HS6), not coarser.
    pub fn get(&self, importer: Economy, exporter: Economy, product: HsCode, year: i32) -> Option<&UnitValue> {
        let hs6 = product.truncate(HsLevel::Subheading)?;
        self.by_flow.get(&(importer, exporter, year, hs6))
    }

    /// The flows of one year only.
    #[must_use]
    pub fn of_year(&self, year: i32) -> UnitValues {
        Self { by_flow: self.by_flow.iter().filter(|(k, _)| k.2 == year).map(|(k, v)| (*k, v.clone())).collect() }
    }

    /// Every unit value, by importer, exporter, year and product.
    pub fn iter(&self) -> impl Iterator<Item = &UnitValue> + '_ {
        self.by_flow.values()
    }

    /// Number of flows.
    pub fn len(&self) -> usize {
        self.by_flow.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_flow.is_empty()
    }

    /// The ad valorem equivalent of `duty` on a line from `exporter` into
    /// `importer`, at the unit value of the line's HS6 flow in `year`
    /// ([`ad_valorem_equivalent`]); `None` where there is no such flow or it
    /// gives none.
    pub fn ad_valorem_equivalent(
        &self,
        duty: &Duty,
        importer: Economy,
        exporter: Economy,
        line: HsCode,
        year: i32,
    ) -> Option<AdValoremEquivalent> {
        if !duty.has_specific_part() {
            return None;
        }
        ad_valorem_equivalent(duty, self.get(importer, exporter, line, year)?)
    }
}

impl fmt::Debug for UnitValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut years: Vec<i32> = self.by_flow.keys().map(|k| k.2).collect();
        years.sort_unstable();
        years.dedup();
        f.debug_struct("UnitValues").field("flows", &self.by_flow.len()).field("years", &years).finish()
    }
}

impl TryFrom<Vec<UnitValue>> for UnitValues {
    type Error = Error;
    fn try_from(v: Vec<UnitValue>) -> Result<Self> {
        Self::new(v)
    }
}

impl From<UnitValues> for Vec<UnitValue> {
    fn from(u: UnitValues) -> Self {
        u.by_flow.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flow(product: &str, value: &str) -> TradeFlow {
        TradeFlow {
            exporter: Economy::CHN,
            importer: Economy::USA,
            product: product.parse().unwrap(),
            year: 2017,
            value: Money::usd(value).unwrap(),
            basis: ValuationBasis::Cif,
        }
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn items(n: &str, unit: QuantityUnit) -> Quantity {
        Quantity::new(d(n), unit).unwrap()
    }

    fn specific(amount: &str, unit: &str) -> Duty {
        Duty::Specific { amount: Money::usd(amount).unwrap(), unit: unit.into() }
    }

    fn ave(duty: &Duty, uv: &UnitValue) -> Option<String> {
        ad_valorem_equivalent(duty, uv).map(|a| a.specific.to_string())
    }

    /// Each conversion on round numbers: $1,728 for 1,728 items (12 dozen
    /// dozen = 144 dozen = 12 gross = 1.728 thousand), 1,000 kg, and so on.
    #[test]
    fn every_conversion_is_exact() {
        let uv =
            UnitValue::new(flow("6505.00", "1728"), Some(d("1000")), Some(items("1728", QuantityUnit::Items))).unwrap();
        // $1 a unit: 1 cent each is 1%; a dozen is worth $12, a gross $144, a thousand $1000.
        assert_eq!(ave(&specific("0.01", "each"), &uv).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("0.12", "doz."), &uv).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("1.44", "gross"), &uv).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("10", "thousand"), &uv).as_deref(), Some("1%"));
        // $1.728 per kg, $1728 per tonne.
        assert_eq!(ave(&specific("0.01728", "kg"), &uv).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("17.28", "t"), &uv).as_deref(), Some("1%"));
        // Items do not make pairs, litres or square metres.
        for unit in ["pr.", "liter", "m2", "doz. pr.", "pf.liter", "clean kg"] {
            assert_eq!(ave(&specific("1", unit), &uv), None, "{unit}");
        }
        // Counted in dozens and thousands.
        let doz = UnitValue::new(flow("6505.00", "1728"), None, Some(items("144", QuantityUnit::Dozens))).unwrap();
        for (a, unit) in [("0.01", "each"), ("0.12", "doz."), ("1.44", "gross"), ("10", "thousand")] {
            assert_eq!(ave(&specific(a, unit), &doz).as_deref(), Some("1%"), "{unit} from dozens");
        }
        assert_eq!(ave(&specific("1", "kg"), &doz), None, "no weight, no kg");
        let ths = UnitValue::new(flow("6505.00", "1728"), None, Some(items("1.728", QuantityUnit::Thousands))).unwrap();
        for (a, unit) in [("0.01", "each"), ("0.12", "doz."), ("1.44", "gross"), ("10", "thousand")] {
            assert_eq!(ave(&specific(a, unit), &ths).as_deref(), Some("1%"), "{unit} from thousands");
        }
        // Pairs: $24 for 24 pairs = 2 dozen pairs.
        let prs = UnitValue::new(flow("6402.99", "24"), None, Some(items("24", QuantityUnit::Pairs))).unwrap();
        assert_eq!(ave(&specific("0.01", "pr."), &prs).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("0.12", "doz. pr."), &prs).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("0.01", "each"), &prs), None, "a pair is not an item");
        // Litres and barrels: 158.987294928 l is one barrel (trade values are whole cents: $1 a litre).
        let oil =
            UnitValue::new(flow("2709.00", "158987294928"), None, Some(items("158987294928", QuantityUnit::Liters)))
                .unwrap();
        assert_eq!(ave(&specific("0.01", "liter"), &oil).as_deref(), Some("1%"));
        assert_eq!(ave(&specific("1.58987294928", "bbl"), &oil).as_deref(), Some("1%"));
        for (unit, q) in [
            ("m", QuantityUnit::Meters),
            ("m2", QuantityUnit::SquareMeters),
            ("m3", QuantityUnit::CubicMeters),
            ("carat", QuantityUnit::Carats),
        ] {
            let uv = UnitValue::new(flow("7005.29", "50"), None, Some(items("50", q))).unwrap();
            assert_eq!(ave(&specific("0.01", unit), &uv).as_deref(), Some("1%"), "{unit}");
            // Packs convert to nothing.
            let packs = UnitValue::new(flow("7005.29", "50"), None, Some(items("50", QuantityUnit::Packs))).unwrap();
            assert_eq!(ave(&specific("0.01", unit), &packs), None);
        }
        // A quantity in kg is not the net weight (it may be a content weight).
        let kg = UnitValue::new(flow("2602.00", "100"), None, Some(items("100", QuantityUnit::Kilograms))).unwrap();
        assert_eq!(ave(&specific("0.01", "kg"), &kg), None);
    }

    #[test]
    fn compound_adds_its_ad_valorem_part_and_rounds_to_four_places() {
        // $3 for 7 kg: 1 cent/kg is 7/3 % = 2.3333...%.
        let uv = UnitValue::new(flow("0201.10", "3"), Some(d("7")), None).unwrap();
        let c = Duty::Compound { rate: "4.5".parse().unwrap(), amount: Money::usd("0.01").unwrap(), unit: "KG".into() };
        let a = ad_valorem_equivalent(&c, &uv).unwrap();
        assert_eq!(a.specific.to_string(), "2.3333%");
        assert_eq!(a.total.to_string(), "6.8333%");
        assert_eq!(a.unit_value.to_string(), "0.4286 USD"); // 3/7 rounded for display
        assert_eq!((a.unit, a.year, a.basis), (DutyUnit::Kilogram, 2017, ValuationBasis::Cif));
        // Half away from zero: $8 for 1 kg at 0.00001 USD/kg is 0.000125% -> 0.0001%; $6.4 -> 0.00015625 -> 0.0002%.
        let small = |value: &str| {
            let uv = UnitValue::new(flow("0201.10", value), Some(d("1")), None).unwrap();
            ave(&specific("0.00001", "kg"), &uv).unwrap()
        };
        assert_eq!(small("8"), "0.0001%");
        assert_eq!(small("6.4"), "0.0002%");
        // Nothing to convert, or nothing to convert with.
        assert_eq!(ave(&Duty::ad_valorem("5".parse().unwrap()), &uv), None);
        assert_eq!(ave(&Duty::Prohibitive, &uv), None);
        assert_eq!(ave(&Duty::Complex { text: "sliding scale".into() }, &uv), None);
        let eur = Duty::Specific { amount: Money::new(d("0.01"), crate::money::Currency::EUR), unit: "kg".into() };
        assert_eq!(ave(&eur, &uv), None, "a duty in euros on a value in dollars");
        // An equivalent beyond 1,000,000% is no rate.
        let tiny = UnitValue::new(flow("0201.10", "0.01"), Some(d("1000000")), None).unwrap();
        assert_eq!(ave(&specific("1", "kg"), &tiny), None);
    }

    #[test]
    fn units_are_validated() {
        assert_eq!(DutyUnit::BARREL_LITERS.to_string(), "158.987294928");
        let e = "bushel".parse::<QuantityUnit>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown quantity unit \"bushel\": expected one of u, 2u, 12u, 1000u, U (jeu/pack), kg, l, m, m², m³, carat"
        );
        assert_eq!("U (jeu/pack)".parse::<QuantityUnit>().unwrap(), QuantityUnit::Packs);
        assert_eq!(" m2 ".parse::<QuantityUnit>().unwrap(), QuantityUnit::SquareMeters);
        assert!(matches!("pf.liter".parse::<DutyUnit>(), Err(Error::UnknownKeyword { .. })));
        for u in DutyUnit::SPELLINGS.iter().map(|s| s.0) {
            assert_eq!(DutyUnit::parse(u.as_str()), Some(u), "{u}");
            assert_eq!(u.to_string().parse::<DutyUnit>().unwrap(), u);
        }
        for (u, _) in QuantityUnit::NAMES {
            assert_eq!(u.to_string().parse::<QuantityUnit>().unwrap(), u);
        }
    }

    #[test]
    fn bad_unit_values_are_refused_naming_the_flow() {
        let msg = |r: Result<UnitValue>| r.unwrap_err().to_string();
        assert_eq!(
            msg(UnitValue::new(flow("0201.10", "0"), Some(d("1")), None)),
            "invalid unit value: CHN to USA, 0201.10 in 2017: the value 0 USD is not positive"
        );
        assert_eq!(
            msg(UnitValue::new(flow("0201.10", "5"), Some(d("-1")), None)),
            "invalid unit value: CHN to USA, 0201.10 in 2017: the net weight -1 kg is not positive"
        );
        assert_eq!(
            msg(UnitValue::new(flow("0201.10", "5"), None, None)),
            "invalid unit value: CHN to USA, 0201.10 in 2017: neither a net weight nor a quantity"
        );
        assert!(msg(UnitValue::new(flow("0201", "5"), Some(d("1")), None)).contains("kept by HS6"));
        assert!(msg(UnitValue::new(flow("0201.10.05", "5"), Some(d("1")), None)).contains("kept by HS6"));
        assert_eq!(
            Quantity::new(Decimal::ZERO, QuantityUnit::Items).unwrap_err().to_string(),
            "invalid quantity: 0 u is not a positive quantity"
        );
        let one = || UnitValue::new(flow("0201.10", "5"), Some(d("1")), None).unwrap();
        assert!(UnitValues::new([one(), one()]).unwrap_err().to_string().contains("given twice"));
    }

    #[test]
    fn lookups_read_lines_at_their_hs6_and_serde_revalidates() {
        let uv = UnitValue::new(flow("0201.10", "5"), Some(d("2")), Some(items("3", QuantityUnit::Items))).unwrap();
        let all = UnitValues::new([uv.clone()]).unwrap();
        let line: HsCode = "0201.10.05".parse().unwrap();
        assert_eq!(all.get(Economy::USA, Economy::CHN, line, 2017), Some(&uv));
        assert_eq!(all.get(Economy::USA, Economy::CHN, "0201".parse().unwrap(), 2017), None);
        assert_eq!(all.get(Economy::CHN, Economy::USA, line, 2017), None);
        assert!(all.of_year(2018).is_empty());
        let a = all.ad_valorem_equivalent(&specific("0.05", "kg"), Economy::USA, Economy::CHN, line, 2017).unwrap();
        assert_eq!(a.specific.to_string(), "2%");
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(
            json,
            r#"[{"exporter":"CHN","importer":"USA","product":"0201.10","year":2017,"value":{"amount":"5","currency":"USD"},"basis":"cif","net_weight_kg":"2","quantity":"3","unit":"u"}]"#
        );
        assert_eq!(serde_json::from_str::<UnitValues>(&json).unwrap(), all);
        for bad in [
            json.replace(r#""quantity":"3""#, r#""quantity":"0""#),
            json.replace(r#""unit":"u""#, r#""unit":"bushel""#),
            json.replace(r#","unit":"u""#, ""),
            format!("[{},{}]", &json[1..json.len() - 1], &json[1..json.len() - 1]),
        ] {
            assert!(serde_json::from_str::<UnitValues>(&bad).is_err(), "{bad}");
        }
        assert_eq!(format!("{all:?}"), "UnitValues { flows: 1, years: [2017] }");
    }

    proptest! {
        /// The equivalent is never negative, and scales with the amount
        /// (up to the rounding to 0.0001 pp of each side).
        #[test]
        fn equivalents_are_non_negative_and_linear(
            cents in 0i64..10_000,
            k in 1i64..50,
            value in 1i64..1_000_000_000,
            weight_seed in 0i64..1_000_000_000,
            rate in 0i64..10_000,
        ) {
            // A unit value of at least $1/kg and at most $100/kg x 49 keeps the equivalent below 1,000,000%.
            let weight = 1 + weight_seed % value;
            let uv = UnitValue::new(flow("0201.10", &value.to_string()), Some(Decimal::from(weight)), None).unwrap();
            let duty = |c: i64| Duty::Compound {
                rate: Percent::new(Decimal::new(rate, 2)).unwrap(),
                amount: Money::new(Decimal::new(c, 2), crate::money::Currency::USD),
                unit: "kg".into(),
            };
            let one = ad_valorem_equivalent(&duty(cents), &uv).unwrap();
            let many = ad_valorem_equivalent(&duty(cents * k), &uv).unwrap();
            prop_assert!(!one.specific.value().is_sign_negative() || one.specific.is_zero());
            prop_assert_eq!(one.total.value(), one.specific.value() + Decimal::new(rate, 2));
            // Exact: 100 x amount x weight / value, before rounding to 0.0001 pp.
            let exact = Decimal::new(cents, 2) * Decimal::from(weight) * Decimal::ONE_HUNDRED / Decimal::from(value);
            let half = Decimal::new(5, 5);
            prop_assert!((one.specific.value() - exact).abs() <= half);
            let gap = (many.specific.value() - one.specific.value() * Decimal::from(k)).abs();
            prop_assert!(gap <= half * Decimal::from(k + 1), "{} vs {} x {}", many.specific, one.specific, k);
        }
    }
}
