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
        let base_note = if self.base_known { "" } else { " (not in the MFN table: taken as 0)" };
        let _ = writeln!(s, "  base  {:<44} {}{}", self.base.name, self.base.duty, base_note);
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
        s
    }
}
