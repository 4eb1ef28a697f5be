//! Impact models of `tradewar`.
#![deny(missing_docs)]

pub mod accounting;
pub mod caliendo_parro;
pub mod commitments;
mod error;
pub mod ge_model;
pub mod gravity;
pub mod gsim;
pub mod gsim_model;
pub mod model;
pub mod outcome;
pub mod ppml;
pub mod scenario;
pub mod smart;
pub mod smart_model;
pub mod smart_table;
pub mod sweep;

pub use accounting::AccountingModel;
pub use caliendo_parro::CaliendoParroModel;
pub use error::{ModelError, Result};
pub use ge_model::GeModel;
pub use gsim_model::GsimModel;
pub use model::Model;
pub use outcome::{to_money, BalanceChange, EconomyTable, FlowTable, Outcome, PriceTable, TargetScore};
pub use scenario::{CommitmentMode, CommitmentShock, Evaluation, PolicyShocks, Scenario};
pub use smart_model::SmartModel;
pub use sweep::{Distribution, Sweep, SweepResult};
