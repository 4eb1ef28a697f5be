//! The Caliendo–Parro model on a scenario: the world is the model's own
//! baseline (Caliendo and Parro's 1993 world, say), solved once; the
//! scenario supplies the shock, its tariff changes mapped to sectors and
//! weighted by its trade ([`SectorShock`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::results::{CpBaseline, CpResults};
use super::sectors::{SectorConcordance, SectorShock};
use super::solver::{CpSolverOptions, Deficits};
use super::world::CpWorld;
use crate::error::{ModelError, Result};
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome};
use crate::scenario::{PolicyShocks, Scenario};

/// What the model does with purchase commitments in a scenario (Phase One's,
/// say), which it cannot represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitmentHandling {
    /// Refuse the scenario with an error that says so (the default).
    #[default]
    Refuse,
    /// Run the tariffs alone and say in the outcome's notes which commitments were left out.
    LeaveOut,
}

/// Caliendo and Parro's multi-sector GE with input–output links, run on
/// scenarios.
#[derive(Debug, Clone)]
pub struct CaliendoParroModel {
    baseline: CpBaseline,
    concordance: SectorConcordance,
    commitments: CommitmentHandling,
}

impl CaliendoParroModel {
    /// A model over `world` (whose regions need economy codes, see
    /// [`CpWorld::with_economies`]); solves the baseline once.
    pub fn new(
        world: Arc<CpWorld>,
        concordance: SectorConcordance,
        deficits: Deficits,
        options: CpSolverOptions,
    ) -> Result<Self> {
        if world.economies().is_none() {
            return Err(ModelError::InvalidInput {
                what: "Caliendo-Parro world".into(),
                reason: "its regions have no economy codes; give them with CpWorld::with_economies".into(),
            });
        }
        Ok(Self {
            baseline: CpBaseline::solve(world, deficits, options)?,
            concordance,
            commitments: CommitmentHandling::Refuse,
        })
    }

    /// The same model with another handling of purchase commitments.
    #[must_use]
    pub fn with_commitments(mut self, handling: CommitmentHandling) -> Self {
        self.commitments = handling;
        self
    }

    /// The solved baseline.
    pub fn baseline(&self) -> &CpBaseline {
        &self.baseline
    }
    /// The world.
    pub fn world(&self) -> &CpWorld {
        self.baseline.world()
    }
    /// The concordance.
    pub fn concordance(&self) -> &SectorConcordance {
        &self.concordance
    }

    /// The scenario's shock by sector, the model's full results and the notes (commitments left out).
    pub fn results(&self, scenario: &Scenario) -> Result<(SectorShock, CpResults, Vec<String>)> {
        let (_, shock, results, notes) = self.evaluate(scenario)?;
        Ok((shock, results, notes))
    }

    fn evaluate(&self, scenario: &Scenario) -> Result<(PolicyShocks, SectorShock, CpResults, Vec<String>)> {
        let shocks = scenario.shocks()?;
        shocks.refuse_other_changes(Model::name(self))?;
        let mut notes = Vec::new();
        if !shocks.commitments.is_empty() {
            let ids: Vec<&str> = shocks.commitments.iter().map(|c| c.id.as_str()).collect();
            match self.commitments {
                CommitmentHandling::Refuse => {
                    return Err(ModelError::InvalidInput {
                        what: format!("purchase commitments {}", ids.join(", ")),
                        reason: "the Caliendo-Parro model has no purchase commitments; run the tariffs alone \
                                 with CommitmentHandling::LeaveOut, or use a model that has them"
                            .into(),
                    })
                }
                CommitmentHandling::LeaveOut => {
                    notes.push(format!("purchase commitments left out (tariffs only): {}", ids.join(", ")));
                }
            }
        }
        let world = self.baseline.world();
        let shock = SectorShock::from_shocks(world, &self.concordance, &shocks)?;
        let cube = shock.apply(world)?;
        let results = self.baseline.counterfactual(&cube)?;
        Ok((shocks, shock, results, notes))
    }
}

impl Model for CaliendoParroModel {
    fn name(&self) -> &'static str {
        "Caliendo-Parro multi-sector GE"
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        let (shocks, shock, results, mut notes) = self.evaluate(scenario)?;
        let world = self.baseline.world();
        let n = world.regions_len();
        // Each flow moves with its (importer, exporter, sector) cell in the model;
        // unmapped products with their direction's goods trade.
        let mut direction: BTreeMap<(usize, usize), (f64, f64)> = BTreeMap::new();
        for s in 0..world.sectors_len() {
            for m in 0..n {
                for e in 0..n {
                    let k = (s * n + m) * n + e;
                    let d = direction.entry((m, e)).or_default();
                    if m != e {
                        d.0 += results.trade_baseline[k];
                        d.1 += results.trade_counterfactual[k];
                    }
                }
            }
        }
        let mut table = FlowTable::default();
        for k in 0..shocks.len() {
            let (e, m) = (shocks.exporter[k], shocks.importer[k]);
            let (mi, ei) = (world.economy_index(m)?, world.economy_index(e)?);
            let ratio = match self.concordance.sector_of(shocks.product[k]) {
                Some(s) if results.trade_baseline[(s * n + mi) * n + ei] > 0.0 => {
                    let c = (s * n + mi) * n + ei;
                    results.trade_counterfactual[c] / results.trade_baseline[c]
                }
                _ => direction.get(&(mi, ei)).map_or(1.0, |d| if d.0 > 0.0 { d.1 / d.0 } else { 1.0 }),
            };
            let new_value = shocks.value[k] * ratio;
            table.exporter.push(e);
            table.importer.push(m);
            table.product.push(Some(shocks.product[k]));
            table.baseline.push(shocks.value[k]);
            table.new_value.push(new_value);
            table.tariff_before.push(shocks.t0[k]);
            table.tariff_after.push(shocks.t1[k]);
            table.revenue_change.push(shocks.t1[k] * new_value - shocks.t0[k] * shocks.value[k]);
            table.welfare_gain.push(f64::NAN);
        }
        let mut o = Outcome::from_flows(
            self.name(),
            scenario.name(),
            "welfare change in percent of income (terms of trade + volume of trade), in real_income_change_pct",
            table,
        );
        let economies = world.economies().unwrap_or_default().to_vec();
        let t = &mut o.economies;
        for (r, e) in economies.iter().enumerate() {
            let row = if let Some(row) = t.row(*e) {
                row
            } else {
                t.economy.push(*e);
                t.exports_change.push(f64::NAN);
                t.imports_change.push(f64::NAN);
                t.revenue_change.push(f64::NAN);
                t.welfare_gain.push(f64::NAN);
                t.real_income_change_pct.push(f64::NAN);
                t.economy.len() - 1
            };
            t.real_income_change_pct[row] = results.welfare_pct[r];
        }
        let unmapped: f64 = shock.unmapped.iter().map(|u| u.2).sum();
        let total: f64 = shocks.value.iter().sum();
        notes.push(format!(
            "world of {} regions and {} sectors (its own baseline, e.g. 1993); the scenario's tariff changes are \
             trade-weighted by (importer, exporter, sector) on its {} trade and added to the world's tariffs",
            n,
            world.sectors_len(),
            scenario.base_year()
        ));
        notes.push(format!(
            "products without a sector: {:.2}B of {:.2}B ({:.2}%), moved with their direction's goods trade",
            unmapped / 1e9,
            total / 1e9,
            if total > 0.0 { 100.0 * unmapped / total } else { 0.0 }
        ));
        notes.push(
            "economies outside the scenario's trade: welfare only (their trade is not in the scenario's units)".into(),
        );
        notes.push(format!(
            "deficits {:?}; converged in {} and {} wage iterations",
            self.baseline.deficits(),
            results.baseline_convergence.wage_iterations,
            results.counterfactual_convergence.wage_iterations
        ));
        notes.extend(shocks.notes.iter().cloned());
        o.notes = notes;
        o.caveats.clone_from(&shocks.caveats);
        o.caveats.extend(shocks.aggregate_caveat());
        o.score(scenario.target());
        Ok(o)
    }
}
