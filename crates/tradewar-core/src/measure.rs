//! Trade-policy measures: one enum, each variant with its own parameters and
//! a common header (id, name, who imposes it on whom, which products, when,
//! under which law).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::duty::{Duty, LegalBasis, Percent};
use crate::economy::Economy;
use crate::error::{excerpt, Error, Result};
use crate::hs::HsCode;
use crate::money::Money;
use crate::scope::ProductScope;
use crate::window::DateWindow;

/// A measure's identifier: 1–64 characters of letters, digits, `.`, `_`, `-`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MeasureId(String);

impl MeasureId {
    /// Validates an id.
    pub fn new(id: &str) -> Result<Self> {
        id.parse()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MeasureId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidMeasureId { value: excerpt(s), reason };
        if s.is_empty() || s.len() > 64 {
            return Err(bad("must be 1 to 64 characters"));
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
            return Err(bad("only ASCII letters, digits, '.', '_' and '-' are allowed"));
        }
        Ok(Self(s.to_string()))
    }
}

impl fmt::Display for MeasureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MeasureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MeasureId({})", self.0)
    }
}

impl TryFrom<String> for MeasureId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<MeasureId> for String {
    fn from(m: MeasureId) -> String {
        m.0
    }
}

/// A firm or body that a measure names (ZTE, Huawei).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EntityRepr")]
pub struct Entity {
    name: String,
    economy: Economy,
    /// What the entity buys, where known (used to size a denial order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    buys: Option<ProductScope>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityRepr {
    name: String,
    economy: Economy,
    #[serde(default)]
    buys: Option<ProductScope>,
}

impl TryFrom<EntityRepr> for Entity {
    type Error = Error;
    fn try_from(r: EntityRepr) -> Result<Self> {
        let e = Self::new(&r.name, r.economy)?;
        Ok(match r.buys {
            Some(b) => e.buying(b),
            None => e,
        })
    }
}

impl Entity {
    /// An entity with a non-empty name.
    pub fn new(name: &str, economy: Economy) -> Result<Self> {
        if name.trim().is_empty() {
            return Err(Error::Invalid { what: "entity", reason: "name must not be empty".into() });
        }
        Ok(Self { name: name.trim().to_string(), economy, buys: None })
    }

    /// Records the products the entity buys.
    #[must_use]
    pub fn buying(mut self, scope: ProductScope) -> Self {
        self.buys = Some(scope);
        self
    }

    /// The entity's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The economy it belongs to.
    pub fn economy(&self) -> Economy {
        self.economy
    }

    /// The products it buys, if known.
    pub fn buys(&self) -> Option<&ProductScope> {
        self.buys.as_ref()
    }
}

/// What every measure has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HeaderRepr")]
pub struct MeasureHeader {
    /// Unique id in a timeline.
    pub id: MeasureId,
    /// Human name, e.g. "Section 301 List 1".
    pub name: String,
    /// The economy that imposes the measure (for a purchase commitment: the buyer).
    pub imposer: Economy,
    /// The economy it is aimed at (for a purchase commitment: the seller);
    /// an aggregate such as `WLD` aims at everyone.
    pub target: Economy,
    /// The products concerned.
    pub scope: ProductScope,
    /// When it is (scheduled to be) in force.
    pub window: DateWindow,
    /// The legal instrument.
    pub legal_basis: LegalBasis,
}

/// The serde form of a [`MeasureHeader`] (flattened into a measure's JSON),
/// read through [`MeasureHeader::new`].
#[derive(Deserialize)]
struct HeaderRepr {
    id: MeasureId,
    name: String,
    imposer: Economy,
    target: Economy,
    scope: ProductScope,
    window: DateWindow,
    legal_basis: LegalBasis,
}

impl TryFrom<HeaderRepr> for MeasureHeader {
    type Error = Error;
    fn try_from(r: HeaderRepr) -> Result<Self> {
        Self::new(r.id.as_str(), &r.name, r.imposer, r.target, r.scope, r.window, r.legal_basis)
    }
}

impl MeasureHeader {
    /// A header; the name must not be empty and imposer and target must
    /// differ. (A measure whose scope holds no product is refused by
    /// [`Measure::validate`], except a purchase commitment of services.)
    pub fn new(
        id: &str,
        name: &str,
        imposer: Economy,
        target: Economy,
        scope: ProductScope,
        window: DateWindow,
        legal_basis: LegalBasis,
    ) -> Result<Self> {
        let id = MeasureId::new(id)?;
        if name.trim().is_empty() {
            return Err(Error::Invalid { what: "measure", reason: format!("measure {id} has an empty name") });
        }
        if imposer == target {
            return Err(Error::Invalid {
                what: "measure",
                reason: format!("measure {id}: imposer and target are both {imposer}"),
            });
        }
        let window = DateWindow::new_for(window.start(), window.end(), id.as_str())?;
        Ok(Self { id, name: name.trim().to_string(), imposer, target, scope, window, legal_basis })
    }

    /// Checks what [`MeasureHeader::new`] checks (the fields are public, so
    /// a header can be changed after it was built).
    pub fn validate(&self) -> Result<()> {
        let again = Self::new(
            self.id.as_str(),
            &self.name,
            self.imposer,
            self.target,
            self.scope.clone(),
            self.window,
            self.legal_basis,
        )?;
        if again.name != self.name {
            return Err(Error::Invalid {
                what: "measure",
                reason: format!("measure {}: name {:?} has spaces around it", self.id, excerpt(&self.name)),
            });
        }
        Ok(())
    }
}

/// Rates of a tariff-like measure: one for the whole scope, or one per
/// product (the longest matching code wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RatesRepr")]
pub enum TariffRates {
    /// The same duty on every product in scope.
    Uniform {
        /// The duty.
        duty: Duty,
    },
    /// A duty per code; a product takes the duty of its longest listed ancestor.
    ByProduct {
        /// Duty by code.
        #[serde(with = "by_product_serde")]
        rates: BTreeMap<HsCode, Duty>,
    },
}

mod by_product_serde {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::duty::Duty;
    use crate::hs::HsCode;

    pub fn serialize<S: Serializer>(m: &BTreeMap<HsCode, Duty>, s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<(&HsCode, &Duty)> = m.iter().collect();
        v.serialize(s)
    }

    /// Per-product rates, read as the constructors take them: at least one, and no code listed twice
    /// (the last one would silently win).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<HsCode, Duty>, D::Error> {
        let v: Vec<(HsCode, Duty)> = Vec::deserialize(d)?;
        if v.is_empty() {
            return Err(serde::de::Error::custom("per-product rates are empty"));
        }
        let mut map = BTreeMap::new();
        for (code, duty) in v {
            if map.insert(code, duty).is_some() {
                return Err(serde::de::Error::custom(format!("code {code} is listed twice in per-product rates")));
            }
        }
        Ok(map)
    }
}

impl TariffRates {
    /// One ad valorem rate for the whole scope.
    pub fn uniform_ad_valorem(rate: Percent) -> Self {
        Self::Uniform { duty: Duty::ad_valorem(rate) }
    }

    /// The duty for a product, if the rates give one.
    pub fn duty_for(&self, code: HsCode) -> Option<&Duty> {
        match self {
            Self::Uniform { duty } => Some(duty),
            Self::ByProduct { rates } => {
                let mut c = Some(code);
                while let Some(x) = c {
                    if let Some(d) = rates.get(&x) {
                        return Some(d);
                    }
                    c = x.parent();
                }
                None
            }
        }
    }

    /// The scope implied by per-product rates (`None` for uniform rates).
    pub fn implied_scope(&self) -> Option<ProductScope> {
        match self {
            Self::Uniform { .. } => None,
            Self::ByProduct { rates } => Some(ProductScope::new(rates.keys().copied())),
        }
    }

    /// Applies a change of rates.
    pub fn apply(&mut self, change: &RateChange) {
        match change {
            RateChange::Set(new) => *self = new.clone(),
            RateChange::Update { rates } => match self {
                Self::ByProduct { rates: old } => {
                    for (k, v) in rates {
                        old.insert(*k, v.clone());
                    }
                }
                Self::Uniform { .. } => *self = Self::ByProduct { rates: rates.clone() },
            },
            RateChange::Scale { factor } => {
                // A rate scaled past Percent::MAX is a prohibitive duty (the
                // bound keeps every sum of layers exact).
                let scale = |d: &mut Duty| {
                    if let Duty::AdValorem { rate } | Duty::Compound { rate, .. } = d {
                        match rate.value().checked_mul(*factor).filter(|v| *v <= Percent::MAX) {
                            Some(v) => *rate = Percent::new_signed(v),
                            None => *d = Duty::Prohibitive,
                        }
                    }
                };
                match self {
                    Self::Uniform { duty } => scale(duty),
                    Self::ByProduct { rates } => rates.values_mut().for_each(scale),
                }
            }
        }
    }
}

/// A dated change of a measure's rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", try_from = "ChangeRepr")]
pub enum RateChange {
    /// Replace all rates (List 3: 10 % → 25 % on 2019-05-10).
    Set(TariffRates),
    /// Replace the rates of the listed products only.
    Update {
        /// New duty by code.
        #[serde(with = "by_product_serde")]
        rates: BTreeMap<HsCode, Duty>,
    },
    /// Multiply every ad valorem rate by a factor (China halved its
    /// September 2019 rates on 2020-02-14: factor 0.5).
    Scale {
        /// The factor, between 0 and 10.
        #[serde(with = "crate::money::amount_serde")]
        factor: Decimal,
    },
}

impl RateChange {
    /// Checks what the constructors check: new duties valid (no negative
    /// rate), a factor between 0 and 10.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Set(rates) => rates.validate(),
            Self::Update { rates } => {
                if rates.is_empty() {
                    return Err(Error::Invalid { what: "rate change", reason: "the update lists no rates".into() });
                }
                rates.values().try_for_each(Duty::validate)
            }
            Self::Scale { factor } => {
                if factor.is_sign_negative() && !factor.is_zero() || *factor > Decimal::TEN {
                    return Err(Error::Invalid {
                        what: "rate change",
                        reason: format!("scale factor {factor} is not between 0 and 10"),
                    });
                }
                Ok(())
            }
        }
    }
}

impl TariffRates {
    /// Checks every duty (no negative rate) and that per-product rates list some product.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Uniform { duty } => duty.validate(),
            Self::ByProduct { rates } => {
                if rates.is_empty() {
                    return Err(Error::Invalid { what: "tariff rates", reason: "per-product rates are empty".into() });
                }
                rates.values().try_for_each(Duty::validate)
            }
        }
    }
}

/// How a tariff layer combines with the others on the same line. Stacking
/// rules are data: a timeline carries them with the measure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "StackingRepr")]
pub struct Stacking {
    /// How the layer's rate combines.
    #[serde(default)]
    pub combine: Combine,
    /// The layer applies to this share of the customs value (default: all of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_share: Option<Percent>,
    /// Layers this one switches off on the lines it covers (precedence).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub switches_off: Vec<Selector>,
    /// Layers this one confines to a share of the customs value on the
    /// lines it covers (before 2026-04-06 the US reciprocal tariff applied
    /// only to the non-metal share of a Section 232 derivative).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confines: Vec<ShareLimit>,
}

/// A precedence rule on part of the value: the selected layers apply to at
/// most `share` of the customs value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareLimit {
    /// The layers confined.
    pub selector: Selector,
    /// The share of the value they still apply to.
    pub share: Percent,
}

/// How a layer's rate combines with the rest of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", from = "CombineRepr")]
pub enum Combine {
    /// Adds to what is there (2018–2020: MFN + 301 + 232 + retaliation).
    #[default]
    Add,
    /// Within the named group only the highest rate applies (overlapping lists).
    MaxInGroup {
        /// The group name.
        group: String,
    },
    /// Raises the total of the base rate (MFN after preferences) and this
    /// layer to at least the layer's rate: the layer pays the gap.
    Floor,
}

/// The serde form of [`Combine`], read strictly (struct variants: serde
/// checks unknown fields of struct variants only).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum CombineRepr {
    Add {},
    MaxInGroup { group: String },
    Floor {},
}

impl From<CombineRepr> for Combine {
    fn from(r: CombineRepr) -> Self {
        match r {
            CombineRepr::Add {} => Self::Add,
            CombineRepr::MaxInGroup { group } => Self::MaxInGroup { group },
            CombineRepr::Floor {} => Self::Floor,
        }
    }
}

/// Picks layers for a precedence rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case", deny_unknown_fields)]
pub enum Selector {
    /// One measure.
    Measure(MeasureId),
    /// Every layer under a legal basis.
    LegalBasis(LegalBasis),
    /// Every measure whose id starts with the prefix (a family of layers:
    /// `IEEPA-RECIP` picks the universal, country and floor reciprocal layers).
    IdPrefix(String),
}

impl Selector {
    /// Whether the selector picks this layer.
    pub fn matches(&self, id: &MeasureId, basis: LegalBasis) -> bool {
        match self {
            Self::Measure(m) => m == id,
            Self::LegalBasis(b) => *b == basis,
            Self::IdPrefix(p) => id.as_str().starts_with(p.as_str()),
        }
    }
}

/// A condition attached to lifting a measure early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "ConditionRepr")]
pub enum LiftCondition {
    /// A penalty paid.
    Penalty {
        /// Amount.
        amount: Money,
    },
    /// Money placed in escrow (forfeited on a new violation).
    Escrow {
        /// Amount.
        amount: Money,
    },
    /// Anything else, in words (e.g. "replace the board and senior management").
    Other {
        /// The condition.
        text: String,
    },
}

// The serde forms of the types above: the same shapes, read strictly, then checked by the
// type's `validate`, so that JSON accepts none of them that the constructors refuse.

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RatesRepr {
    Uniform {
        duty: Duty,
    },
    ByProduct {
        #[serde(with = "by_product_serde")]
        rates: BTreeMap<HsCode, Duty>,
    },
}

impl TryFrom<RatesRepr> for TariffRates {
    type Error = Error;
    fn try_from(r: RatesRepr) -> Result<Self> {
        let rates = match r {
            RatesRepr::Uniform { duty } => Self::Uniform { duty },
            RatesRepr::ByProduct { rates } => Self::ByProduct { rates },
        };
        rates.validate()?;
        Ok(rates)
    }
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum ChangeRepr {
    Set(TariffRates),
    Update {
        #[serde(with = "by_product_serde")]
        rates: BTreeMap<HsCode, Duty>,
    },
    Scale {
        #[serde(with = "crate::money::amount_serde")]
        factor: Decimal,
    },
}

impl TryFrom<ChangeRepr> for RateChange {
    type Error = Error;
    fn try_from(r: ChangeRepr) -> Result<Self> {
        let change = match r {
            ChangeRepr::Set(rates) => Self::Set(rates),
            ChangeRepr::Update { rates } => Self::Update { rates },
            ChangeRepr::Scale { factor } => Self::Scale { factor },
        };
        change.validate()?;
        Ok(change)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StackingRepr {
    #[serde(default)]
    combine: Combine,
    #[serde(default)]
    value_share: Option<Percent>,
    #[serde(default)]
    switches_off: Vec<Selector>,
    #[serde(default)]
    confines: Vec<ShareLimit>,
}

impl TryFrom<StackingRepr> for Stacking {
    type Error = Error;
    fn try_from(r: StackingRepr) -> Result<Self> {
        let s =
            Self { combine: r.combine, value_share: r.value_share, switches_off: r.switches_off, confines: r.confines };
        s.validate()?;
        Ok(s)
    }
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum ConditionRepr {
    Penalty { amount: Money },
    Escrow { amount: Money },
    Other { text: String },
}

impl TryFrom<ConditionRepr> for LiftCondition {
    type Error = Error;
    fn try_from(r: ConditionRepr) -> Result<Self> {
        let c = match r {
            ConditionRepr::Penalty { amount } => Self::Penalty { amount },
            ConditionRepr::Escrow { amount } => Self::Escrow { amount },
            ConditionRepr::Other { text } => Self::Other { text },
        };
        c.validate()?;
        Ok(c)
    }
}

impl LiftCondition {
    /// Checks what the constructors check: amounts not negative, a condition in words not empty.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::Penalty { amount } | Self::Escrow { amount } if amount.is_negative() => Err(Error::InvalidMoney {
                value: amount.to_string(),
                reason: "a penalty or an escrow must not be negative",
            }),
            Self::Other { text } if text.trim().is_empty() => {
                Err(Error::Invalid { what: "lift condition", reason: "a condition must not be empty".into() })
            }
            _ => Ok(()),
        }
    }
}

impl Selector {
    /// Checks what the constructors check: an id prefix is not empty (it would select every layer).
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::IdPrefix(p) if p.trim().is_empty() || p.trim() != p => Err(Error::Invalid {
                what: "layer selector",
                reason: format!("id prefix {:?} is empty or has spaces around it", excerpt(p)),
            }),
            _ => Ok(()),
        }
    }
}

impl Stacking {
    /// Checks what the constructors check: shares between 0 and 100%, a
    /// named group, and selectors that select something.
    pub fn validate(&self) -> Result<()> {
        let share = |p: Percent, what: &str| -> Result<()> {
            let p = p.check_rate().map_err(|e| Error::Invalid { what: "stacking", reason: format!("{what}: {e}") })?;
            if p.value() > Decimal::ONE_HUNDRED {
                return Err(Error::Invalid { what: "stacking", reason: format!("{what} {p} is above 100%") });
            }
            Ok(())
        };
        if let Some(p) = self.value_share {
            share(p, "value_share")?;
        }
        for l in &self.confines {
            share(l.share, "confined share")?;
            l.selector.validate()?;
        }
        self.switches_off.iter().try_for_each(Selector::validate)?;
        if let Combine::MaxInGroup { group } = &self.combine {
            if group.trim().is_empty() || group.trim() != group {
                return Err(Error::Invalid {
                    what: "stacking",
                    reason: format!("group {:?} is empty or has spaces around it", excerpt(group)),
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for LiftCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Penalty { amount } => write!(f, "penalty of {amount}"),
            Self::Escrow { amount } => write!(f, "escrow of {amount}"),
            Self::Other { text } => f.write_str(text),
        }
    }
}

/// Whether a commitment is an extra amount over a baseline or a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// Purchases above the baseline year's level (Phase One).
    AboveBaseline,
    /// Total purchases in the year.
    Total,
}

/// One year's committed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentYear {
    /// Calendar year.
    pub year: i32,
    /// Amount for that year (extra over baseline, or total, per the kind).
    pub amount: Money,
}

/// A trade-policy measure.
///
/// Serde writes the header's fields and the variant's own fields side by
/// side under `"type"`; reading refuses unknown fields at every level and
/// goes through the checks of the constructors ([`MeasureHeader::new`],
/// [`Measure::validate`]), so JSON accepts no measure the constructors refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "MeasureRepr")]
#[non_exhaustive]
pub enum Measure {
    /// An additional import duty on the target's goods (Section 301, retaliation).
    Tariff {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// The rates.
        rates: TariffRates,
        /// How the layer stacks on the others.
        #[serde(default)]
        stacking: Stacking,
    },
    /// Carves lines out of a tariff for a window.
    TariffExclusion {
        /// Common fields (scope = the excluded lines).
        #[serde(flatten)]
        header: MeasureHeader,
        /// The tariff it carves out of.
        tariff: MeasureId,
    },
    /// A change of the imposer's own MFN rates (market opening), toward
    /// every partner (`target` = `WLD`).
    MfnChange {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// The new MFN rates.
        rates: TariffRates,
    },
    /// The imposer's exporters may not sell the scope to the target economy
    /// or to a named entity (a denial order).
    ExportBan {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// The entity denied, if the ban is not economy-wide.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entity: Option<Entity>,
    },
    /// The imposer bans imports of the scope from the target.
    ImportBan {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
    },
    /// A cap on the value imported per year; above it the out-of-quota duty applies.
    Quota {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// Value allowed per year.
        annual_value: Money,
        /// Additional duty above the quota (`Prohibitive` for a hard cap).
        out_of_quota: Duty,
    },
    /// The imposer (buyer) commits to buy the scope from the target (seller).
    PurchaseCommitment {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// Extra-over-baseline or total.
        kind: CommitmentKind,
        /// Baseline year for `AboveBaseline`.
        baseline_year: i32,
        /// Amount by year.
        years: Vec<CommitmentYear>,
    },
    /// A production or export subsidy, ad valorem.
    Subsidy {
        /// Common fields.
        #[serde(flatten)]
        header: MeasureHeader,
        /// The rate.
        rate: Percent,
        /// Whether it subsidises exports only.
        export_only: bool,
    },
}

/// Fields of a measure's JSON that no field of its kind takes (their values are skipped unread).
#[allow(clippy::zero_sized_map_values)] // only the keys matter
type UnknownFields = BTreeMap<String, serde::de::IgnoredAny>;

/// The serde form of a [`Measure`]: the same shape, with the header read
/// through [`MeasureHeader::new`] and every other key collected so that an
/// unknown one is refused (`deny_unknown_fields` does not combine with the
/// flattened header).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::zero_sized_map_values)] // only the keys of `unknown` matter
enum MeasureRepr {
    Tariff {
        #[serde(flatten)]
        header: MeasureHeader,
        rates: TariffRates,
        #[serde(default)]
        stacking: Stacking,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    TariffExclusion {
        #[serde(flatten)]
        header: MeasureHeader,
        tariff: MeasureId,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    MfnChange {
        #[serde(flatten)]
        header: MeasureHeader,
        rates: TariffRates,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    ExportBan {
        #[serde(flatten)]
        header: MeasureHeader,
        #[serde(default)]
        entity: Option<Entity>,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    ImportBan {
        #[serde(flatten)]
        header: MeasureHeader,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    Quota {
        #[serde(flatten)]
        header: MeasureHeader,
        annual_value: Money,
        out_of_quota: Duty,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    PurchaseCommitment {
        #[serde(flatten)]
        header: MeasureHeader,
        kind: CommitmentKind,
        baseline_year: i32,
        years: Vec<CommitmentYear>,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
    Subsidy {
        #[serde(flatten)]
        header: MeasureHeader,
        rate: Percent,
        export_only: bool,
        #[serde(flatten)]
        unknown: UnknownFields,
    },
}

impl TryFrom<MeasureRepr> for Measure {
    type Error = Error;
    fn try_from(r: MeasureRepr) -> Result<Self> {
        let (m, unknown) = match r {
            MeasureRepr::Tariff { header, rates, stacking, unknown } => {
                (Self::Tariff { header, rates, stacking }, unknown)
            }
            MeasureRepr::TariffExclusion { header, tariff, unknown } => {
                (Self::TariffExclusion { header, tariff }, unknown)
            }
            MeasureRepr::MfnChange { header, rates, unknown } => (Self::MfnChange { header, rates }, unknown),
            MeasureRepr::ExportBan { header, entity, unknown } => (Self::ExportBan { header, entity }, unknown),
            MeasureRepr::ImportBan { header, unknown } => (Self::ImportBan { header }, unknown),
            MeasureRepr::Quota { header, annual_value, out_of_quota, unknown } => {
                (Self::Quota { header, annual_value, out_of_quota }, unknown)
            }
            MeasureRepr::PurchaseCommitment { header, kind, baseline_year, years, unknown } => {
                (Self::PurchaseCommitment { header, kind, baseline_year, years }, unknown)
            }
            MeasureRepr::Subsidy { header, rate, export_only, unknown } => {
                (Self::Subsidy { header, rate, export_only }, unknown)
            }
        };
        if let Some(field) = unknown.keys().next() {
            return Err(Error::Invalid {
                what: "measure",
                reason: format!("measure {}: unknown field {:?} for a {}", m.id(), excerpt(field), m.kind()),
            });
        }
        m.validate()?;
        Ok(m)
    }
}

impl Measure {
    /// The common fields.
    pub fn header(&self) -> &MeasureHeader {
        match self {
            Self::Tariff { header, .. }
            | Self::TariffExclusion { header, .. }
            | Self::MfnChange { header, .. }
            | Self::ExportBan { header, .. }
            | Self::ImportBan { header }
            | Self::Quota { header, .. }
            | Self::PurchaseCommitment { header, .. }
            | Self::Subsidy { header, .. } => header,
        }
    }

    pub(crate) fn header_mut(&mut self) -> &mut MeasureHeader {
        match self {
            Self::Tariff { header, .. }
            | Self::TariffExclusion { header, .. }
            | Self::MfnChange { header, .. }
            | Self::ExportBan { header, .. }
            | Self::ImportBan { header }
            | Self::Quota { header, .. }
            | Self::PurchaseCommitment { header, .. }
            | Self::Subsidy { header, .. } => header,
        }
    }

    /// The id.
    pub fn id(&self) -> &MeasureId {
        &self.header().id
    }

    /// A short name of the kind, e.g. `tariff`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Tariff { .. } => "tariff",
            Self::TariffExclusion { .. } => "tariff_exclusion",
            Self::MfnChange { .. } => "mfn_change",
            Self::ExportBan { .. } => "export_ban",
            Self::ImportBan { .. } => "import_ban",
            Self::Quota { .. } => "quota",
            Self::PurchaseCommitment { .. } => "purchase_commitment",
            Self::Subsidy { .. } => "subsidy",
        }
    }

    /// A tariff with one ad valorem rate.
    pub fn tariff(header: MeasureHeader, rate: Percent) -> Self {
        Self::Tariff { header, rates: TariffRates::uniform_ad_valorem(rate), stacking: Stacking::default() }
    }

    /// A tariff with per-product ad valorem rates; the scope is the listed codes.
    pub fn tariff_by_product(mut header: MeasureHeader, rates: BTreeMap<HsCode, Duty>) -> Self {
        header.scope = ProductScope::new(rates.keys().copied());
        Self::Tariff { header, rates: TariffRates::ByProduct { rates }, stacking: Stacking::default() }
    }

    /// The rates of tariff-like measures (tariffs and MFN changes).
    pub fn rates(&self) -> Option<&TariffRates> {
        match self {
            Self::Tariff { rates, .. } | Self::MfnChange { rates, .. } => Some(rates),
            _ => None,
        }
    }

    pub(crate) fn rates_mut(&mut self) -> Option<&mut TariffRates> {
        match self {
            Self::Tariff { rates, .. } | Self::MfnChange { rates, .. } => Some(rates),
            _ => None,
        }
    }

    /// Checks everything the constructors check: the header
    /// ([`MeasureHeader::validate`]), every duty and rate (none negative),
    /// the stacking rules, sane commitment years, an entity of the target
    /// economy.
    pub fn validate(&self) -> Result<()> {
        let id = self.id().clone();
        let invalid =
            |reason: String| Err(Error::Invalid { what: "measure", reason: format!("measure {id}: {reason}") });
        let within = |e: Error| match e {
            Error::Invalid { reason, .. } => {
                Error::Invalid { what: "measure", reason: format!("measure {id}: {reason}") }
            }
            other => other,
        };
        self.header().validate()?;
        // A measure on no product does nothing: `{"include": []}`, or `84` minus `84`. Only a
        // purchase commitment may have no goods scope: it buys services.
        let scope = &self.header().scope;
        if scope.covers_nothing() && !matches!(self, Self::PurchaseCommitment { .. }) {
            return invalid(format!("its scope {scope:?} holds no product"));
        }
        if let Some(rates) = self.rates() {
            rates.validate().map_err(within)?;
        }
        match self {
            Self::Tariff { stacking, .. } => stacking.validate().map_err(within)?,
            Self::MfnChange { header, .. } if header.target != Economy::WLD => {
                return invalid(format!("an MFN change applies to every partner (target WLD), not {}", header.target));
            }
            Self::PurchaseCommitment { years, baseline_year, .. } => {
                crate::check_year(i64::from(*baseline_year), "baseline year").map_err(within)?;
                if years.is_empty() {
                    return invalid("a purchase commitment needs at least one year".into());
                }
                let mut seen = std::collections::BTreeSet::new();
                for y in years {
                    crate::check_year(i64::from(y.year), "commitment year").map_err(within)?;
                    if y.amount.is_negative() {
                        return invalid(format!("committed amount {} for {} is negative", y.amount, y.year));
                    }
                    if !seen.insert(y.year) {
                        return invalid(format!("year {} is committed twice", y.year));
                    }
                }
            }
            Self::Quota { annual_value, out_of_quota, .. } => {
                if annual_value.is_negative() {
                    return invalid(format!("quota value {annual_value} is negative"));
                }
                out_of_quota.validate().map_err(within)?;
            }
            Self::Subsidy { rate, .. } => {
                rate.check_rate().map_err(|e| Error::Invalid {
                    what: "measure",
                    reason: format!("measure {id}: subsidy rate: {e}"),
                })?;
            }
            Self::ExportBan { header, entity: Some(e) } if e.economy() != header.target => {
                return invalid(format!(
                    "entity {} belongs to {}, not to the target {}",
                    e.name(),
                    e.economy(),
                    header.target
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::parse_date;

    #[test]
    fn scaling_past_the_bound_is_prohibitive() {
        let mut r = TariffRates::uniform_ad_valorem(Percent::new(Decimal::from(500_000)).unwrap());
        r.apply(&RateChange::Scale { factor: Decimal::from(3) });
        assert_eq!(r, TariffRates::Uniform { duty: Duty::Prohibitive });
        let mut r = TariffRates::uniform_ad_valorem(Percent::new(Decimal::from(25)).unwrap());
        r.apply(&RateChange::Scale { factor: Decimal::new(5, 1) });
        assert_eq!(r, TariffRates::uniform_ad_valorem("12.5".parse().unwrap()));
    }

    fn header() -> MeasureHeader {
        MeasureHeader::new(
            "US301-L1",
            "Section 301 List 1",
            Economy::USA,
            Economy::CHN,
            ProductScope::from_codes(["8471.30.01"]).unwrap(),
            DateWindow::from(parse_date("2018-07-06").unwrap()),
            LegalBasis::Section301,
        )
        .unwrap()
    }

    #[test]
    fn ids_are_validated() {
        assert!(MeasureId::new("").is_err());
        assert!(MeasureId::new("a b").is_err());
        assert!(MeasureId::new(&"x".repeat(65)).is_err());
        assert!(MeasureId::new("US301-L3.v2_x").is_ok());
    }

    #[test]
    fn header_rules() {
        let h = header();
        assert!(MeasureHeader::new("x", " ", h.imposer, h.target, h.scope.clone(), h.window, h.legal_basis).is_err());
        assert!(MeasureHeader::new("x", "n", Economy::USA, Economy::USA, h.scope, h.window, h.legal_basis).is_err());
    }

    #[test]
    fn serde_round_trip_of_every_kind() {
        let h = header();
        let usd = |s| Money::usd(s).unwrap();
        let zte = Entity::new("ZTE Corporation", Economy::CHN).unwrap();
        let all = vec![
            Measure::tariff(h.clone(), "25".parse().unwrap()),
            Measure::TariffExclusion {
                header: MeasureHeader { id: MeasureId::new("ex1").unwrap(), ..h.clone() },
                tariff: h.id.clone(),
            },
            Measure::MfnChange {
                header: MeasureHeader { target: Economy::WLD, ..h.clone() },
                rates: TariffRates::uniform_ad_valorem(Percent::ZERO),
            },
            Measure::ExportBan { header: h.clone(), entity: Some(zte) },
            Measure::ImportBan { header: h.clone() },
            Measure::Quota { header: h.clone(), annual_value: usd("1000"), out_of_quota: Duty::Prohibitive },
            Measure::PurchaseCommitment {
                header: h.clone(),
                kind: CommitmentKind::AboveBaseline,
                baseline_year: 2017,
                years: vec![CommitmentYear { year: 2020, amount: usd("32900000000") }],
            },
            Measure::Subsidy { header: h.clone(), rate: "10".parse().unwrap(), export_only: true },
        ];
        for m in all {
            m.validate().unwrap();
            let j = serde_json::to_string(&m).unwrap();
            let back: Measure = serde_json::from_str(&j).unwrap();
            assert_eq!(back, m, "{j}");
        }
    }

    #[test]
    fn rate_changes() {
        let mut r = TariffRates::uniform_ad_valorem("10".parse().unwrap());
        r.apply(&RateChange::Set(TariffRates::uniform_ad_valorem("25".parse().unwrap())));
        assert_eq!(r.duty_for("8471.30".parse().unwrap()), Some(&Duty::ad_valorem("25".parse().unwrap())));
        let mut by = TariffRates::ByProduct {
            rates: [("1201".parse().unwrap(), Duty::ad_valorem("10".parse().unwrap()))].into_iter().collect(),
        };
        by.apply(&RateChange::Scale { factor: Decimal::new(5, 1) });
        assert_eq!(by.duty_for("1201.90".parse().unwrap()).unwrap().to_string(), "5%");
        assert_eq!(by.duty_for("1202".parse().unwrap()), None);
    }
}
