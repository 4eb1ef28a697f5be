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
mod unit_values;
mod window;

pub use accounting::{
    balance, check_trade_year, commitment_progress, coverage, coverage_by_measure, tariff_averages, tariff_path,
    total_attainment, Balance, CommitmentProgress, Coverage, CoverageMethod, CoveredFlows, Target, TargetProgress,
    TariffAverages,
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
pub use schedule::{
    Caveat, CustomsLines, DataCoverage, DutyStack, InactiveLayer, Layer, LineAggregation, MfnTable, ProductRate,
    Schedule, ScheduleAt,
};
pub use scope::{Overlap, ProductScope};
pub use timeline::{Action, Event, MeasureState, PolicyState, Status, Timeline};
pub use unit_values::{
    ad_valorem_equivalent, AdValoremEquivalent, DutyUnit, Quantity, QuantityUnit, UnitValue, UnitValues,
};
pub use window::{check_date, check_year, parse_date, DateWindow, MAX_YEAR, MIN_YEAR};
