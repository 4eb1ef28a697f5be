//! Duty stacks: the answer to one duty query, layer by layer, with what is uncertain about it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::duty::{Duty, LegalBasis, Percent};
use crate::economy::Economy;
use crate::hs::HsCode;
use crate::measure::MeasureId;
use crate::unit_values::AdValoremEquivalent;

/// One layer of a duty stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// The measure, `None` for the MFN base rate of the importer's own schedule.
    pub id: Option<MeasureId>,
    /// Human name.
    pub name: String,
    /// Legal basis.
    pub legal_basis: LegalBasis,
    /// The duty the layer levies as written.
    pub duty: Duty,
    /// Its ad valorem contribution to the total after the stacking rules
    /// (share of value, floors); `None` for prohibitive layers. A specific
    /// part counts at its ad valorem equivalent where the schedule has a
    /// unit value for the line ([`Caveat::SpecificAsEquivalent`]), and as 0
    /// otherwise ([`Caveat::SpecificDutyLeftOut`]).
    pub contribution: Option<Percent>,
}

/// A layer that would apply but was switched off, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InactiveLayer {
    /// The measure.
    pub id: MeasureId,
    /// Human name.
    pub name: String,
    /// Why it does not apply.
    pub reason: String,
}

/// Something about an answer that the numbers alone do not say: the answer
/// stands, but only under the stated assumption. Every query result carries
/// its caveats; the Python package turns each into a `TradewarWarning`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Caveat {
    /// The date is after the last date the schedule's sources describe: the
    /// answer assumes that nothing changed since, apart from changes the
    /// sources had already scheduled.
    AfterSources {
        /// The date asked about.
        date: NaiveDate,
        /// The last date the sources describe.
        until: NaiveDate,
        /// What the sources are.
        source: String,
    },
    /// The date is before the first date the schedule's sources describe:
    /// the answer applies the earliest rates known.
    BeforeSources {
        /// The date asked about.
        date: NaiveDate,
        /// The first date the sources describe.
        from: NaiveDate,
        /// What the sources are.
        source: String,
    },
    /// The line is not in the importer's MFN table (its nomenclature): the
    /// base rate is unknown and taken as 0.
    BaseRateUnknown {
        /// The importer.
        importer: Economy,
        /// The line.
        line: HsCode,
    },
    /// Some lines below a product are split by measures that list finer
    /// codes; their parts count as equal shares in the line-share mean, and
    /// the lowest and highest rates bracket the answer.
    SplitLines {
        /// How many lines are split.
        lines: usize,
        /// One finer code listed.
        example: HsCode,
    },
    /// Some layer levies a specific (per-unit) duty that the ad valorem
    /// total leaves out.
    SpecificDutyLeftOut {
        /// The layers concerned (`MFN` for the base rate).
        layers: Vec<String>,
    },
    /// Some layer's specific (per-unit) duty is in the total as its ad
    /// valorem equivalent at the unit value of one year's trade in the
    /// line's HS6 (see [`crate::UnitValues`]): an estimate, since the goods
    /// of the line may be dearer or cheaper than its HS6's average.
    SpecificAsEquivalent {
        /// Each specific duty so priced.
        layers: Vec<SpecificEquivalent>,
        /// The year of the unit values.
        year: i32,
    },
}

/// A specific duty of one layer on one line, taken as its ad valorem equivalent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecificEquivalent {
    /// The layer: the measure id, or the base rate's name (`USA MFN`).
    pub layer: String,
    /// The line.
    pub line: HsCode,
    /// The duty as written.
    pub duty: Duty,
    /// Its ad valorem equivalent.
    pub equivalent: AdValoremEquivalent,
}

impl std::fmt::Display for SpecificEquivalent {
    /// `USA MFN on 0201.10.05 (0.044 USD/kg) as 0.8182% at 5.3776 USD/kg (CIF)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.equivalent;
        write!(
            f,
            "{} on {} ({}) as {} at {}/{} ({})",
            self.layer,
            self.line,
            self.duty,
            e.specific,
            e.unit_value,
            e.unit,
            e.basis.as_str().to_uppercase()
        )
    }
}

impl std::fmt::Display for Caveat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AfterSources { date, until, source } => write!(
                f,
                "{date} is after {until}, the last date the sources ({source}) describe: the answer assumes \
                 that nothing changed since, apart from changes they had already scheduled"
            ),
            Self::BeforeSources { date, from, source } => write!(
                f,
                "{date} is before {from}, the first date the sources ({source}) describe: the earliest rates \
                 known are applied"
            ),
            Self::BaseRateUnknown { importer, line } => {
                write!(f, "{line} is not in {importer}'s MFN table: its base rate is unknown and taken as 0")
            }
            Self::SplitLines { lines, example } => write!(
                f,
                "{lines} line(s) are split by measures that list finer codes (e.g. {example}): their parts count \
                 as equal shares in the line-share mean; the lowest and highest rates bracket the answer"
            ),
            Self::SpecificDutyLeftOut { layers } => {
                write!(f, "specific (per-unit) duties of {} are left out of the ad valorem total", layers.join(", "))
            }
            Self::SpecificAsEquivalent { layers, year } => {
                // Parts named in the message; the rest are counted.
                const SHOWN: usize = 3;
                if let [one] = layers.as_slice() {
                    let e = &one.equivalent;
                    return write!(
                        f,
                        "the specific part of {} on {} ({}) is taken as {} ad valorem at the {year} unit value of \
                         {}/{} ({}, the line's HS6)",
                        one.layer,
                        one.line,
                        one.duty,
                        e.specific,
                        e.unit_value,
                        e.unit,
                        e.basis.as_str().to_uppercase()
                    );
                }
                let parts: Vec<String> = layers.iter().take(SHOWN).map(ToString::to_string).collect();
                let more = match layers.len().saturating_sub(SHOWN) {
                    0 => String::new(),
                    n => format!("; and {n} more"),
                };
                write!(
                    f,
                    "{} specific parts are taken as ad valorem at the {year} unit values of their lines' HS6: {}{more}",
                    layers.len(),
                    parts.join("; ")
                )
            }
        }
    }
}

/// The duty on one line, and the stack that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyStack {
    /// Importer.
    pub importer: Economy,
    /// Exporter (origin).
    pub exporter: Economy,
    /// The line.
    pub line: HsCode,
    /// The date.
    pub date: NaiveDate,
    /// The base rate (the importer's MFN, possibly changed by an MFN-change measure).
    pub base: Layer,
    /// Whether the base rate was found in the importer's MFN table.
    pub base_known: bool,
    /// The additional layers that apply, in the order applied.
    pub layers: Vec<Layer>,
    /// Layers switched off (exclusions, precedence, max-of-group).
    pub inactive: Vec<InactiveLayer>,
    /// Bans that stop this trade altogether.
    pub blocked_by: Vec<MeasureId>,
    /// Total ad valorem rate; `None` when a ban or prohibitive duty stops trade.
    pub total_ad_valorem: Option<Percent>,
    /// Whether some layer has a specific (per-unit) part that the ad valorem
    /// total leaves out (one priced at its ad valorem equivalent is in the
    /// total, and named by a [`Caveat::SpecificAsEquivalent`]).
    pub has_specific: bool,
    /// What the answer assumes (dates outside the sources, an unknown base
    /// rate, specific duties left out); empty when the answer is plain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

impl DutyStack {
    /// The additional duty over the base rate, in percentage points.
    pub fn additional(&self) -> Option<Percent> {
        let base = self.base.contribution?;
        self.total_ad_valorem.map(|t| Percent::new_signed(t.value() - base.value()))
    }

    /// A multi-line explanation.
    pub fn explain(&self) -> String {
        use std::fmt::Write;
        let mut s = format!("{} from {} into {} on {}\n", self.line, self.exporter, self.importer, self.date);
        let _ = write!(s, "  base  {:<44} {}", self.base.name, self.base.duty);
        if self.base.contribution != self.base.duty.ad_valorem_part() {
            let c = self.base.contribution.map_or_else(|| "prohibitive".to_string(), |c| c.to_string());
            let _ = write!(s, " -> {c}");
        }
        let _ = writeln!(s);
        for l in &self.layers {
            let c = l.contribution.map_or_else(|| "prohibitive".to_string(), |c| c.to_string());
            let _ = writeln!(
                s,
                "  + {:<46} {} -> {}",
                format!("{} [{}]", l.name, l.id.as_ref().map_or("", MeasureId::as_str)),
                l.duty,
                c
            );
        }
        for l in &self.inactive {
            let _ = writeln!(s, "  x {} [{}]: {}", l.name, l.id, l.reason);
        }
        for b in &self.blocked_by {
            let _ = writeln!(s, "  ! trade stopped by {b}");
        }
        let total = self.total_ad_valorem.map_or_else(|| "prohibitive".to_string(), |t| t.to_string());
        let spec = if self.has_specific { " plus specific duties" } else { "" };
        let _ = writeln!(s, "  = {total}{spec}");
        for c in &self.caveats {
            let _ = writeln!(s, "  ? {c}");
        }
        s
    }
}
