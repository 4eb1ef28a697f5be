//! Multi-sector general equilibrium with input–output links: Caliendo and
//! Parro (2015), "Estimates of the Trade and Welfare Effects of NAFTA",
//! *Review of Economic Studies* 82(1).
//!
//! `N` regions and `J` sectors; each sector's goods are made from labour
//! and the composite goods of every sector (Cobb–Douglas, input–output
//! shares γ), traded Eaton–Kortum style with a sector trade elasticity θ_j,
//! under ad valorem tariffs whose revenue goes to the importer, with trade
//! deficits held (or set to zero). Counterfactuals are solved in exact-hat
//! form ([`solve`]: wages in an outer loop, prices in an inner loop).
//!
//! - [`world`]: the baseline ([`CpWorld`]) from national accounts
//!   ([`CpAccounts`]) or coefficients ([`CpCoefficients`]), validated cell by cell.
//! - [`TariffCube`]: tariffs per (importer, exporter, sector), the shock.
//! - [`solver`]: the exact-hat equilibrium and how it converged.
//! - [`results`]: welfare, its terms-of-trade and volume-of-trade parts by
//!   partner and sector, real wages, prices, input costs, output, trade, revenue.
//! - [`sectors`]: HS subheadings mapped to the model's sectors, and a
//!   scenario's tariff changes aggregated to sectors, trade-weighted.
//! - [`CaliendoParroModel`]: the model on a [`crate::Scenario`].
//! - [`monte_carlo`]: draws of θ_j, solved in parallel.
//!
//! ```
//! use tradewar_models::caliendo_parro::{counterfactual, CpAccounts, CpSolverOptions, CpWorld, CpWorldOptions, Deficits};
//!
//! // Two regions, one traded sector ("goods") and one that is not ("services").
//! let regions = vec!["Home".to_string(), "Foreign".to_string()];
//! let sectors = vec!["goods".to_string(), "services".to_string()];
//! // [sector][importer][exporter], factory prices.
//! let trade = vec![
//!     60.0, 20.0, 15.0, 70.0, // goods: Home buys 60 at home and 20 from Foreign
//!     50.0, 0.0, 0.0, 55.0, // services: domestic only
//! ];
//! let world = CpWorld::from_accounts(
//!     CpAccounts {
//!         regions,
//!         sectors,
//!         trade,
//!         tariffs: vec![0.0; 8],
//!         // [region][user sector][input sector]
//!         intermediate: vec![20.0, 10.0, 10.0, 10.0, 25.0, 10.0, 10.0, 15.0],
//!         value_added: vec![45.0, 30.0, 50.0, 30.0],
//!         final_demand: vec![50.0, 30.0, 50.0, 30.0],
//!         deficits: vec![5.0, -5.0],
//!         theta: vec![4.0, 4.0],
//!     },
//!     CpWorldOptions::default(),
//! )?;
//! let mut tariffs = world.tariffs();
//! tariffs.set_by_name(&world, "Home", "Foreign", "goods", 0.25)?;
//! let r = counterfactual(&world, &tariffs, Deficits::Held, &CpSolverOptions::default())?;
//! let home = world.region_index("Home")?;
//! assert!(r.imports_change_pct(home, &[1], None) < 0.0); // Home buys less from Foreign
//! assert!(r.revenue_counterfactual[home] > 0.0); // and collects duties
//! # Ok::<(), tradewar_models::ModelError>(())
//! ```

mod acceleration;
mod model;
pub mod monte_carlo;
pub mod results;
pub mod sectors;
pub mod solver;
mod tariffs;
#[cfg(test)]
mod test_worlds;
pub mod world;

pub use model::{CaliendoParroModel, CommitmentHandling};
pub use results::{counterfactual, CpBaseline, CpResults};
pub use sectors::{SectorConcordance, SectorShock};
pub use solver::{solve, Convergence, CpEquilibrium, CpSolverOptions, Deficits};
pub use tariffs::TariffCube;
pub use world::{CpAccounts, CpCoefficients, CpWorld, CpWorldOptions};
