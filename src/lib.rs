//! # tradewar
//!
//! Trade-policy conflicts as typed domain objects, and what they do. The
//! first story is the 2018–2020 US–China trade war.
//!
//! ## Codes, money and duties
//!
//! Product codes parse in any common spelling and print canonically; money
//! is exact.
//!
//! ```
//! use tradewar::prelude::*;
//! let laptop: HsCode = "847130".parse()?;
//! assert_eq!(laptop.to_string(), "8471.30");
//! assert_eq!(laptop.section().unwrap().to_string(), "XVI");
//! let deficit = (Money::usd("130400000000")? - Money::usd("505600000000")?)?;
//! assert_eq!(deficit.billions().to_string(), "-375.2");
//! # Ok::<(), tradewar::Error>(())
//! ```
//!
//! ## What duty applied, and why
//!
//! The embedded timeline holds every measure of 2018–2020. A schedule
//! answers for one line on one date, with the stack that makes the total:
//!
//! ```
//! use tradewar::prelude::*;
//! let schedule = tradewar::us_china_2018::schedule()?;
//! let line: HsCode = "8541.40.60".parse()?; // diodes and solar cells, on List 2
//! let date = parse_date("2019-06-01")?;
//! let stack = schedule.query(Economy::USA, Economy::CHN, line, date)?;
//! assert_eq!(stack.total_ad_valorem, Some("25".parse()?));
//! assert_eq!(stack.layers[0].id.as_ref().unwrap().as_str(), "US301-L2");
//! println!("{}", stack.explain());
//! // China's soybeans: 3% MFN plus the 25% of July 2018.
//! let soy = schedule.query(Economy::CHN, Economy::USA, "1201.90".parse()?, date)?;
//! assert_eq!(soy.total_ad_valorem, Some("28".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Questions the data cannot answer as asked
//!
//! Every answer is right, refused with an error that says what to ask
//! instead, or carries its caveats. A subheading is coarser than the US
//! tariff lines, so one duty cannot be named for it: ask for the rate of the
//! product, which aggregates over its lines with the method named and gives
//! the range. A line that a list splits at 10 digits is refused the same
//! way; an importer outside the data, or an economy with itself, is refused;
//! a date after the sources carries a caveat.
//!
//! ```
//! use tradewar::prelude::*;
//! let schedule = tradewar::us_china_2018::schedule()?;
//! let date = parse_date("2019-06-01")?;
//! let refused = schedule.query(Economy::USA, Economy::CHN, "8517.62".parse()?, date);
//! assert!(matches!(refused, Err(tradewar::Error::QueryLevel { .. })));
//! let split = schedule.query(Economy::USA, Economy::CHN, "8517.62.00".parse()?, date);
//! assert!(matches!(split, Err(tradewar::Error::SplitLine { .. }))); // List 3 lists 8517.62.0010
//! let rate = schedule.at(date).product_rate(Economy::USA, Economy::CHN, "8517.62".parse()?)?;
//! assert_eq!((rate.lowest, rate.highest), (Some(Percent::ZERO), Some("25".parse()?)));
//! assert!(schedule.query(Economy::JPN, Economy::CHN, "8517.62.0010".parse()?, date).is_err());
//! let later = schedule.query(Economy::USA, Economy::CHN, "9403.10.00".parse()?, parse_date("2030-01-01")?)?;
//! assert!(matches!(later.caveats[0], Caveat::AfterSources { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Accounting on real trade
//!
//! ```
//! use tradewar::prelude::*;
//! let trade = tradewar::embedded::us_china_trade()?;
//! let b = balance(trade, Economy::USA, Economy::CHN, 2017)?;
//! assert!(b.balance.is_negative());
//! assert!(!b.is_like_for_like()); // exports FOB, imports CIF: the type says so
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Building your own measures
//!
//! ```
//! use tradewar::prelude::*;
//! let start = parse_date("2018-07-06")?;
//! let header = MeasureHeader::new(
//!     "MY-TARIFF", "25% on soybeans", Economy::CHN, Economy::USA,
//!     ProductScope::from_codes(["1201"])?, DateWindow::from(start), LegalBasis::Retaliation,
//! )?;
//! let mut timeline = Timeline::new("my scenario");
//! timeline.push(Event::new(start, Action::Impose { measure: Measure::tariff(header, "25".parse()?) }))?;
//! // A second measure with the same id is refused, and the timeline is unchanged.
//! let again = timeline.clone();
//! assert!(timeline.extend(again.events().iter().cloned()).is_err());
//! assert_eq!(timeline.events().len(), 1);
//! # Ok::<(), tradewar::Error>(())
//! ```
#![deny(missing_docs)]

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use tradewar_core::*;
pub use tradewar_data::{cp2015, embedded, loaders, scenario_file, us_china_2018, us_tariffs_2025, DataError};
/// Impact models: accounting, SMART, GSIM, structural gravity GE, Caliendo–Parro multi-sector GE, Monte Carlo sweeps.
pub use tradewar_models as models;

/// The names most programs need.
pub mod prelude {
    pub use tradewar_core::{
        balance, commitment_progress, coverage, parse_date, replay, tariff_averages, Action, Caveat, CoverageMethod,
        DateWindow, Duty, DutyStack, Economy, Event, HsCode, HsLevel, LegalBasis, LineAggregation, Measure,
        MeasureHeader, MeasureId, Money, Percent, ProductRate, ProductScope, Schedule, Target, Timeline, TradeFlow,
        TradeMatrix, ValuationBasis,
    };
}
