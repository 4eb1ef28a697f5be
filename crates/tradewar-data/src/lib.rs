//! Embedded data of `tradewar` and the loaders that read it (and yours).
//!
//! - [`cp2015`]: Caliendo and Parro's 1993 world of 31 regions and 40 sectors,
//!   and an HS6 → sector concordance for it.
//! - [`embedded`]: the US–China 2015–2021 trade, US MFN 2017, the Section 301
//!   lists, China's retaliation and MFN path, Phase One, elasticities.
//! - [`us_china_2018`]: the 2018–2020 trade war as one [`tradewar_core::Timeline`].
//! - [`us_tariffs_2025`]: the 2025–2026 US tariff stack as one timeline, on the same engine.
//! - [`loaders`]: CSV readers with errors that name file, line and column.
//! - [`scenario_file`]: a timeline, MFN tables and a target as one versioned JSON file.
#![deny(missing_docs)]

pub mod cp2015;
mod csv_source;
pub mod embedded;
mod error;
pub mod loaders;
pub mod scenario_file;
pub mod us_china_2018;
pub mod us_tariffs_2025;

pub use error::{DataError, Result};
