//! Typed domain of `tradewar`: economies, product codes, money, duties,
//! measures, timelines, the duty schedule and accounting.
//!
//! No I/O beyond serde lives here; the data crate loads files into these
//! types and the models crate computes with them.
#![deny(missing_docs)]

mod accounting;
mod duty;
mod economy;
mod error;
mod hs;
mod matrix;
mod measure;
mod money;
mod replay;
mod schedule;
mod scope;
mod timeline;
mod window;

pub use accounting::{
    balance, commitment_progress, coverage, tariff_averages, total_attainment, Balance, CommitmentProgress, Coverage,
    CoverageMethod, Target, TargetProgress, TariffAverages,
};
pub use duty::{Duty, LegalBasis, Percent};
pub use economy::Economy;
pub use error::{excerpt, Error, Result, EXCERPT_CHARS};
pub use hs::{HsCode, HsLevel, HsRevision, HsSection};
pub use matrix::{Duplicates, FlowFilter, TradeFlow, TradeMatrix};
pub use measure::{
    Combine, CommitmentKind, CommitmentYear, Entity, LiftCondition, Measure, MeasureHeader, MeasureId, RateChange,
    Selector, ShareLimit, Stacking, TariffRates,
};
pub use money::{Currency, Money, ValuationBasis};
pub use replay::{bn, replay, Replay, ReplayStep};
pub use schedule::{CustomsLines, DutyStack, InactiveLayer, Layer, MfnTable, Schedule, ScheduleAt};
pub use scope::{Overlap, ProductScope};
pub use timeline::{Action, Event, MeasureState, PolicyState, Status, Timeline};
pub use window::{check_date, check_year, parse_date, DateWindow, MAX_YEAR, MIN_YEAR};
