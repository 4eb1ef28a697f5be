//! Duty stacks: the answer to one duty query, layer by layer, with what is uncertain about it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::duty::{Duty, LegalBasis, Percent};
use crate::economy::Economy;
use crate::hs::HsCode;
use crate::measure::MeasureId;

/// One layer of a duty stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// (share of value, floors); `None` for prohibitive layers.
    pub contribution: Option<Percent>,
}

/// A layer that would apply but was switched off, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        }
    }
}

/// The duty on one line, and the stack that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// total leaves out.
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
        let _ = writeln!(s, "  base  {:<44} {}", self.base.name, self.base.duty);
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
