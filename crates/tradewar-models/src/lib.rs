//! Impact models of `tradewar`.
#![deny(missing_docs)]

mod error;
pub mod gravity;
pub mod gsim;
pub mod smart;

pub use error::{ModelError, Result};
