//! Replaying a timeline on a trade matrix: at each event date, what is in
//! force, what it covers, the average tariffs each way and the duties.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::accounting::{coverage, tariff_averages, Coverage, CoverageMethod, TariffAverages};
use crate::economy::Economy;
use crate::error::Result;
use crate::matrix::TradeMatrix;
use crate::measure::Measure;
use crate::money::Money;
use crate::schedule::{LineAggregation, Schedule};

/// One event date of a replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayStep {
    /// The date.
    pub date: NaiveDate,
    /// What happened that day, one line each.
    pub events: Vec<String>,
    /// Coverage of each tariff measure in force between the replayed pairs.
    pub coverage: Vec<Coverage>,
    /// Average tariffs of each replayed direction.
    pub averages: Vec<TariffAverages>,
}

/// A whole replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Timeline name.
    pub name: String,
    /// Trade year used as weights throughout.
    pub weights_year: i32,
    /// Coverage method for lists finer than the trade data.
    pub method: CoverageMethod,
    /// One step per event date.
    pub steps: Vec<ReplayStep>,
}

/// Replays `schedule`'s timeline on `trade` of `weights_year`, for each
/// (importer, exporter) direction in `directions`; averages read each HS6
/// rate as the line-share mean of its lines (with the bracket).
pub fn replay(
    schedule: &Schedule,
    trade: &TradeMatrix,
    directions: &[(Economy, Economy)],
    weights_year: i32,
    method: CoverageMethod,
) -> Result<Replay> {
    let timeline = schedule.timeline();
    let mut steps = Vec::new();
    for date in timeline.dates() {
        let at = schedule.at(date);
        let events = timeline.events_on(date).map(|e| {
            let what = e.describe(timeline);
            match &e.note {
                Some(n) if !n.is_empty() => format!("{what}: {n}"),
                _ => what,
            }
        });
        let mut cov = Vec::new();
        for &(importer, exporter) in directions {
            for m in at.tariffs_on(importer, exporter) {
                if matches!(m, Measure::Tariff { .. }) {
                    let mut c = coverage(&at, trade, m, weights_year, method)?;
                    c.exporter = exporter;
                    cov.push(c);
                }
            }
        }
        let averages = directions
            .iter()
            .map(|&(i, e)| tariff_averages(&at, trade, i, e, weights_year, LineAggregation::LineShare))
            .collect::<Result<Vec<_>>>()?;
        steps.push(ReplayStep { date, events: events.collect(), coverage: cov, averages });
    }
    Ok(Replay { name: timeline.name().to_string(), weights_year, method, steps })
}

/// `$12.3B`, `-$375.2B`.
pub fn bn(m: Money) -> String {
    let b = m.billions();
    if b.is_sign_negative() && !b.is_zero() {
        format!("-${:.1}B", -b)
    } else {
        format!("${:.1}B", b.abs())
    }
}

impl fmt::Display for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: replayed on {} trade as weights", self.name, self.weights_year)?;
        writeln!(f, "(lists at national lines meet HS6 trade by the {} method)", self.method)?;
        let mut previous: Option<&ReplayStep> = None;
        for s in &self.steps {
            writeln!(f)?;
            writeln!(f, "{}", s.date)?;
            for e in &s.events {
                writeln!(f, "  * {e}")?;
            }
            if previous.is_some_and(|p| p.coverage == s.coverage && p.averages == s.averages) {
                writeln!(f, "  (no change to the duties in force)")?;
                continue;
            }
            previous = Some(s);
            if !s.coverage.is_empty() {
                writeln!(f, "  {:<50} {:>6} {:>9} {:>8}", "in force", "codes", "covers", "share")?;
                for c in &s.coverage {
                    let codes: usize = c.lines_by_digits.iter().map(|(_, n)| n).sum();
                    let dir = format!("{}->{}", c.exporter, c.importer);
                    writeln!(
                        f,
                        "    {:<48} {:>6} {:>9} {:>8} {dir}",
                        truncate(&c.name, 48),
                        codes,
                        bn(c.covered),
                        c.share().to_string()
                    )?;
                }
            }
            for a in &s.averages {
                writeln!(
                    f,
                    "  {} on {}: trade-weighted {} (MFN {}), simple {}; duties {} ({} above MFN)",
                    a.importer,
                    a.exporter,
                    a.trade_weighted,
                    a.trade_weighted_mfn,
                    a.simple,
                    bn(a.mechanical_duties),
                    bn(a.mechanical_additional_duties)
                )?;
            }
        }
        Ok(())
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}
