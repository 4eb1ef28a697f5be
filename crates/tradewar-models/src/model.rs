//! The one interface every model implements.

use crate::error::Result;
use crate::outcome::Outcome;
use crate::scenario::Scenario;

/// An impact model: runs a scenario and says what it does.
pub trait Model: Send + Sync {
    /// The model's name, e.g. "SMART".
    fn name(&self) -> &str;

    /// Runs the scenario.
    fn run(&self, scenario: &Scenario) -> Result<Outcome>;
}
