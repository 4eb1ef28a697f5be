//! The rate of a product at any level (a chapter, a heading, an HS6
//! subheading, a line) read off the importer's tariff lines below it, with
//! the method named and the range over the lines given.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::at::SpecificPart;
use super::{Caveat, ScheduleAt, SpecificEquivalent};
use crate::duty::Percent;
use crate::economy::Economy;
use crate::error::{Error, Result};
use crate::hs::HsCode;

/// How the rate of a product is read off its tariff lines, and off the parts
/// of lines that measures split by listing finer codes (an HTS10 entry of a
/// Section 301 list below an HTS8 line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAggregation {
    /// The simple mean over the importer's lines below the product (for an
    /// HS6: line shares within the subheading); a split line counts each
    /// listed part and the rest of the line as equal shares. The usual
    /// estimate when trade is known only at HS6.
    #[default]
    LineShare,
    /// The highest rate of any line or part below the product: an upper bound.
    Highest,
    /// The lowest rate of any line or part below the product: a lower bound.
    Lowest,
}

impl LineAggregation {
    /// Every method, lower bound first.
    pub const ALL: [LineAggregation; 3] = [Self::Lowest, Self::LineShare, Self::Highest];

    /// The name used in serde, Python and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LineShare => "line_share",
            Self::Highest => "highest",
            Self::Lowest => "lowest",
        }
    }
}

impl fmt::Display for LineAggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LineAggregation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "line_share" => Ok(Self::LineShare),
            "highest" => Ok(Self::Highest),
            "lowest" => Ok(Self::Lowest),
            _ => Err(Error::UnknownKeyword {
                kind: "line aggregation",
                value: s.chars().take(64).collect(),
                expected: "line_share, highest, lowest",
            }),
        }
    }
}

/// The rate of a product over the importer's tariff lines below it, by each
/// [`LineAggregation`], on one date. Rates are `None` where trade is stopped
/// on some line or part (a ban, a prohibitive duty): see `stopped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRate {
    /// Importer.
    pub importer: Economy,
    /// Exporter.
    pub exporter: Economy,
    /// The product asked about.
    pub product: HsCode,
    /// The date.
    pub date: NaiveDate,
    /// Tariff lines below the product (1 when it is itself a line, or finer,
    /// or unknown to the importer's table).
    pub lines: usize,
    /// Lines that measures split by listing finer codes below them.
    pub split_lines: usize,
    /// Lines or parts on which trade is stopped.
    pub stopped: usize,
    /// Lines whose base rate has a specific (per-unit) part left out of the
    /// ad valorem rates (no unit value fits it).
    pub lines_with_specific: usize,
    /// Lines whose base rate has a specific part priced at its ad valorem
    /// equivalent (see [`crate::Schedule::with_unit_values`]).
    #[serde(default)]
    pub lines_by_equivalent: usize,
    /// Total ad valorem rate, line-share mean.
    pub line_share: Option<Percent>,
    /// Total ad valorem rate, the lowest line or part.
    pub lowest: Option<Percent>,
    /// Total ad valorem rate, the highest line or part.
    pub highest: Option<Percent>,
    /// Base (MFN) ad valorem rate, line-share mean.
    pub base_line_share: Option<Percent>,
    /// Base rate of the lowest line or part (by base rate).
    pub base_lowest: Option<Percent>,
    /// Base rate of the highest line or part (by base rate).
    pub base_highest: Option<Percent>,
    /// What the answer assumes.
    pub caveats: Vec<Caveat>,
}

impl ProductRate {
    /// The total rate by one method.
    pub fn total(&self, how: LineAggregation) -> Option<Percent> {
        match how {
            LineAggregation::LineShare => self.line_share,
            LineAggregation::Highest => self.highest,
            LineAggregation::Lowest => self.lowest,
        }
    }

    /// The base rate by one method.
    pub fn base(&self, how: LineAggregation) -> Option<Percent> {
        match how {
            LineAggregation::LineShare => self.base_line_share,
            LineAggregation::Highest => self.base_highest,
            LineAggregation::Lowest => self.base_lowest,
        }
    }

    /// Whether every line and part pays the same: one rate, whatever the method.
    pub fn is_uniform(&self) -> bool {
        self.lowest == self.highest && self.base_lowest == self.base_highest
    }
}

/// Running min, max and sum of rates; `None` once a value is missing.
#[derive(Debug, Clone, Copy)]
struct Spread {
    sum: Option<Decimal>,
    min: Option<Decimal>,
    max: Option<Decimal>,
    n: u32,
}

impl Spread {
    const EMPTY: Spread = Spread { sum: Some(Decimal::ZERO), min: None, max: None, n: 0 };

    fn add(&mut self, v: Option<Decimal>) {
        self.n += 1;
        match v {
            Some(v) => {
                self.sum = self.sum.map(|s| s + v);
                self.min = Some(self.min.map_or(v, |m| m.min(v)));
                self.max = Some(self.max.map_or(v, |m| m.max(v)));
            }
            None => self.sum = None,
        }
    }

    fn mean(&self) -> Option<Decimal> {
        (self.n > 0).then_some(())?;
        self.sum.map(|s| s / Decimal::from(self.n))
    }

    fn bounds(&self) -> (Option<Decimal>, Option<Decimal>) {
        if self.sum.is_none() {
            (None, None)
        } else {
            (self.min, self.max)
        }
    }
}

impl ScheduleAt {
    /// The rate of a product at any level, over the importer's tariff lines
    /// below it, by every [`LineAggregation`] at once.
    ///
    /// A product finer than the importer's lines, or unknown to its table,
    /// is priced as one line (with a [`Caveat::BaseRateUnknown`] when the
    /// table does not know it). A specific part of a line's base rate counts
    /// at its ad valorem equivalent where the schedule has a unit value for
    /// it (`lines_by_equivalent`, [`Caveat::SpecificAsEquivalent`]) and as 0
    /// otherwise (`lines_with_specific`, [`Caveat::SpecificDutyLeftOut`]). A line that a measure splits by listing finer
    /// codes below it is priced part by part: each listed code, and the rest
    /// of the line. Refused: an economy with itself, an importer the
    /// schedule's sources do not cover.
    ///
    /// ```
    /// use tradewar_core::*;
    /// let mfn = MfnTable::new(Economy::USA, [
    ///     ("8517.62.00".parse()?, Duty::ad_valorem(Percent::ZERO)),
    ///     ("8517.69.00".parse()?, Duty::ad_valorem(Percent::ZERO)),
    /// ])?;
    /// let h = MeasureHeader::new("L3", "List 3", Economy::USA, Economy::CHN,
    ///     ProductScope::from_codes(["8517.62.0010"])?, DateWindow::from(parse_date("2019-05-10")?),
    ///     LegalBasis::Section301)?;
    /// let tl = Timeline::from_events("t", vec![Event::new(parse_date("2019-05-10")?,
    ///     Action::Impose { measure: Measure::tariff(h, "25".parse()?) })])?;
    /// let at = Schedule::new(tl).with_mfn(mfn).at(parse_date("2019-06-01")?);
    /// let r = at.product_rate(Economy::USA, Economy::CHN, "8517.62".parse()?)?;
    /// assert_eq!((r.lowest, r.highest), (Some(Percent::ZERO), Some("25".parse()?)));
    /// assert_eq!(r.line_share, Some("12.5".parse()?)); // the listed part and the rest, equally
    /// assert!(at.stack(Economy::USA, Economy::CHN, "8517.62.00".parse()?).is_err()); // split: ask at 10 digits
    /// # Ok::<(), tradewar_core::Error>(())
    /// ```
    pub fn product_rate(&self, importer: Economy, exporter: Economy, product: HsCode) -> Result<ProductRate> {
        self.check_pair(importer, exporter)?;
        let table = self.mfn_table(importer);
        let mut lines: Vec<HsCode> =
            table.map(|t| t.lines_below(product).map(|(c, _)| c).collect()).unwrap_or_default();
        if lines.is_empty() {
            lines.push(product);
        }
        let mut caveats: Vec<Caveat> = self.date_caveat().into_iter().cloned().collect();
        if table.is_none_or(|t| t.duty_for(product).is_none() && t.lines_below(product).next().is_none()) {
            caveats.push(Caveat::BaseRateUnknown { importer, line: product });
        }
        let (mut share_t, mut share_b) = (Spread::EMPTY, Spread::EMPTY);
        let (mut all_t, mut all_b) = (Spread::EMPTY, Spread::EMPTY);
        let (mut split_lines, mut stopped, mut with_specific, mut by_equivalent) = (0usize, 0usize, 0usize, 0usize);
        let mut equivalents: Vec<SpecificEquivalent> = Vec::new();
        let mut first_split = None;
        for &line in &lines {
            let mut parts = vec![line];
            if let Some((_, listed)) = self.split_by(importer, Some(exporter), line).first() {
                first_split.get_or_insert(*listed);
                parts.extend(self.finer_codes(importer, exporter, line));
            }
            parts.sort_unstable();
            parts.dedup();
            if parts.len() > 1 {
                split_lines += 1;
            }
            let (mut line_t, mut line_b) = (Spread::EMPTY, Spread::EMPTY);
            let (mut left_out, mut equivalent) = (false, false);
            for &part in &parts {
                let t = self.line_total(importer, exporter, part).map(Percent::value);
                let (base, _, specific) = self.base(importer, Some(exporter), part);
                match specific {
                    SpecificPart::None => {}
                    SpecificPart::LeftOut => left_out = true,
                    SpecificPart::Equivalent(e) => {
                        equivalent = true;
                        equivalents.push(SpecificEquivalent {
                            layer: base.name.clone(),
                            line: part,
                            duty: base.duty.clone(),
                            equivalent: e,
                        });
                    }
                }
                let b = base.contribution.map(Percent::value);
                if t.is_none() {
                    stopped += 1;
                }
                for (acc, v) in [(&mut line_t, t), (&mut all_t, t)] {
                    acc.add(v);
                }
                for (acc, v) in [(&mut line_b, b), (&mut all_b, b)] {
                    acc.add(v);
                }
            }
            share_t.add(line_t.mean());
            share_b.add(line_b.mean());
            with_specific += usize::from(left_out);
            by_equivalent += usize::from(equivalent);
        }
        if let Some(example) = first_split {
            caveats.push(Caveat::SplitLines { lines: split_lines, example });
        }
        if with_specific > 0 {
            caveats
                .push(Caveat::SpecificDutyLeftOut { layers: vec![format!("{importer} MFN ({with_specific} lines)")] });
        }
        if let Some(year) = equivalents.first().map(|e| e.equivalent.year) {
            caveats.push(Caveat::SpecificAsEquivalent { layers: equivalents, year });
        }
        let pct = |d: Option<Decimal>| d.map(|d| Percent::new_signed(d.normalize()));
        let (lo_t, hi_t) = all_t.bounds();
        let (lo_b, hi_b) = all_b.bounds();
        Ok(ProductRate {
            importer,
            exporter,
            product,
            date: self.date(),
            lines: lines.len(),
            split_lines,
            stopped,
            lines_with_specific: with_specific,
            lines_by_equivalent: by_equivalent,
            line_share: pct(share_t.mean()),
            lowest: pct(lo_t),
            highest: pct(hi_t),
            base_line_share: pct(share_b.mean()),
            base_lowest: pct(lo_b),
            base_highest: pct(hi_b),
            caveats,
        })
    }
}
