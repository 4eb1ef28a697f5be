//! What a schedule's sources cover: a period and the importers whose tariffs they hold.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Caveat;
use crate::economy::Economy;
use crate::error::{Error, Result};

/// What a schedule's sources describe. Outside it the schedule refuses
/// (an importer whose tariffs the sources do not hold) or flags (a date
/// before or after the period, with a [`Caveat`] on every answer).
///
/// ```
/// use tradewar_core::{parse_date, DataCoverage, Economy};
/// let c = DataCoverage::new("USITC HTS 2017 and the Section 301 lists", parse_date("2017-01-01")?,
///                           parse_date("2020-12-31")?, vec![Economy::USA])?;
/// assert!(c.caveat_for(parse_date("2019-06-01")?).is_none());
/// assert!(c.caveat_for(parse_date("2030-01-01")?).is_some());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "CoverageRepr")]
pub struct DataCoverage {
    /// What the sources are, for messages ("USITC HTS 2017, USTR lists...").
    pub source: String,
    /// The first date they describe.
    pub from: NaiveDate,
    /// The last date they describe.
    pub until: NaiveDate,
    /// The importers whose tariffs they hold, sorted.
    pub importers: Vec<Economy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageRepr {
    source: String,
    from: NaiveDate,
    until: NaiveDate,
    importers: Vec<Economy>,
}

impl TryFrom<CoverageRepr> for DataCoverage {
    type Error = Error;
    fn try_from(r: CoverageRepr) -> Result<Self> {
        Self::new(&r.source, r.from, r.until, r.importers)
    }
}

impl DataCoverage {
    /// A coverage: a named source, a period (`from` not after `until`) and at least one importer.
    pub fn new(source: &str, from: NaiveDate, until: NaiveDate, mut importers: Vec<Economy>) -> Result<Self> {
        if source.trim().is_empty() {
            return Err(Error::Invalid { what: "data coverage", reason: "the source must be named".into() });
        }
        if until < from {
            return Err(Error::Invalid {
                what: "data coverage",
                reason: format!("the period ends on {until}, before it starts on {from}"),
            });
        }
        importers.sort_unstable();
        importers.dedup();
        if importers.is_empty() {
            return Err(Error::Invalid { what: "data coverage", reason: "at least one importer is needed".into() });
        }
        Ok(Self { source: source.trim().to_string(), from, until, importers })
    }

    /// The caveat an answer for `date` carries, if the date is outside the period.
    pub fn caveat_for(&self, date: NaiveDate) -> Option<Caveat> {
        if date > self.until {
            Some(Caveat::AfterSources { date, until: self.until, source: self.source.clone() })
        } else if date < self.from {
            Some(Caveat::BeforeSources { date, from: self.from, source: self.source.clone() })
        } else {
            None
        }
    }
}
