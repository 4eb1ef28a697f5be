//! MFN tables: an importer's own rates by national line, which are also its nomenclature.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::duty::Duty;
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::HsCode;

/// An importer's MFN schedule by national line (or HS6 where that is all
/// that is known). Its keys are also the importer's nomenclature: the lines
/// over which simple averages and line shares are taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfnTable {
    importer: Economy,
    #[serde(with = "lines_serde")]
    lines: BTreeMap<HsCode, Duty>,
}

mod lines_serde {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::duty::Duty;
    use crate::hs::HsCode;

    pub fn serialize<S: Serializer>(m: &BTreeMap<HsCode, Duty>, s: S) -> Result<S::Ok, S::Error> {
        m.iter().collect::<Vec<_>>().serialize(s)
    }

    /// The lines as [`super::MfnTable::new`] takes them: a line listed twice is refused (issue 11: the last won).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<HsCode, Duty>, D::Error> {
        let mut map = BTreeMap::new();
        for (code, duty) in Vec::<(HsCode, Duty)>::deserialize(d)? {
            if map.insert(code, duty).is_some() {
                return Err(serde::de::Error::custom(format!("line {code} is listed twice in the MFN table")));
            }
        }
        Ok(map)
    }
}

impl MfnTable {
    /// A table; a line listed twice, or a duty that is not valid (a negative
    /// rate), is an error naming it.
    pub fn new<I: IntoIterator<Item = (HsCode, Duty)>>(importer: Economy, lines: I) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (code, duty) in lines {
            duty.validate()
                .map_err(|e| Error::Invalid { what: "MFN table", reason: format!("line {code} of {importer}: {e}") })?;
            if map.insert(code, duty).is_some() {
                return Err(Error::Invalid {
                    what: "MFN table",
                    reason: format!("line {code} of {importer} is listed twice"),
                });
            }
        }
        Ok(Self { importer, lines: map })
    }

    /// The importer.
    pub fn importer(&self) -> Economy {
        self.importer
    }

    /// The duty on a line: its own, or that of its longest listed ancestor.
    /// For a code coarser than the table (an HS6 in an HTS8 table) there is
    /// no single duty: `None`.
    pub fn duty_for(&self, code: HsCode) -> Option<&Duty> {
        let mut c = Some(code);
        while let Some(x) = c {
            if let Some(d) = self.lines.get(&x) {
                return Some(d);
            }
            c = x.parent();
        }
        None
    }

    /// The listed lines at or below a code, in order.
    pub fn lines_below(&self, code: HsCode) -> impl Iterator<Item = (HsCode, &Duty)> + '_ {
        let (lo, _) = code.sort_key();
        let hi = lo + 10u64.pow(10 - u32::from(code.digits()));
        // Codes sort by their 10-digit padding, so the lines below `code` are
        // one contiguous run starting at `code` itself.
        self.lines.range(code..).take_while(move |(c, _)| c.sort_key().0 < hi).map(|(c, d)| (*c, d))
    }

    /// Every line.
    pub fn lines(&self) -> impl Iterator<Item = (HsCode, &Duty)> + '_ {
        self.lines.iter().map(|(c, d)| (*c, d))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}
