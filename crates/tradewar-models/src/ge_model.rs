//! The structural gravity GE run on a scenario. The GE world is its own
//! baseline (e.g. the 30-country 2006 sample with domestic flows); the
//! scenario supplies the policy: bilateral tariff changes, trade-weighted
//! over the scenario's flows of each direction, bans of whole directions,
//! and commitments. Results in the scenario's units (its base-year US
//! dollars) come from applying the GE's percentage changes to the
//! scenario's baseline flows of each direction.

use std::collections::BTreeMap;

use tradewar_core::Economy;

use crate::commitments::calibrate_factor;
use crate::error::{ModelError, Result};
use crate::gravity::{solve_full_ge, GeConfig, GeEquilibrium, GeShock, GravityData};
use crate::model::Model;
use crate::outcome::{FlowTable, Outcome};
use crate::scenario::{CommitmentMode, PolicyShocks, Scenario};

/// Full-endowment structural gravity GE on a scenario.
#[derive(Debug, Clone)]
pub struct GeModel {
    /// The GE world (countries named by ISO alpha-3 codes).
    pub world: GravityData,
    /// σ, numéraire, deficit closure, revenue rebate, solver options.
    pub config: GeConfig,
}

/// Per direction (exporter, importer) of the scenario: baseline value and
/// trade-weighted tariffs before and after, and whether all of it is banned.
#[derive(Debug, Clone, Copy, Default)]
struct Direction {
    value: f64,
    t0: f64,
    t1: f64,
    banned: f64,
}

fn directions(s: &PolicyShocks) -> BTreeMap<(Economy, Economy), Direction> {
    let mut d: BTreeMap<(Economy, Economy), Direction> = BTreeMap::new();
    for k in 0..s.len() {
        let e = d.entry((s.exporter[k], s.importer[k])).or_default();
        e.value += s.value[k];
        e.t0 += s.t0[k] * s.value[k];
        e.t1 += s.t1[k] * s.value[k];
        if s.banned[k] {
            e.banned += s.value[k];
        }
    }
    for e in d.values_mut() {
        if e.value > 0.0 {
            e.t0 /= e.value;
            e.t1 /= e.value;
        }
    }
    d
}

impl GeModel {
    /// A model over a world; the numéraire is `config.reference`.
    pub fn new(world: GravityData, config: GeConfig) -> Self {
        Self { world, config }
    }

    fn index(&self, e: Economy) -> Result<usize> {
        self.world.index_of(e.as_str()).ok_or_else(|| ModelError::InvalidInput {
            what: format!("economy {e}"),
            reason: "is in the scenario but not in the GE world".into(),
        })
    }

    fn solve(
        &self,
        dirs: &BTreeMap<(Economy, Economy), Direction>,
        boost: &[((Economy, Economy), f64)],
    ) -> Result<GeEquilibrium> {
        let mut shock = GeShock::none(self.world.len());
        for (&(e, i), d) in dirs {
            let (a, b) = (self.index(e)?, self.index(i)?);
            if d.value > 0.0 && d.banned >= d.value {
                shock.ban(a, b)?;
            } else {
                shock.set_tariff(a, b, d.t0, d.t1)?;
            }
        }
        for &((e, i), f) in boost {
            let (a, b) = (self.index(e)?, self.index(i)?);
            // A preference shift toward the seller: trade costs fall by the factor.
            let d = dirs.get(&(e, i)).copied().unwrap_or_default();
            shock.set_tariff(a, b, d.t0, (1.0 + d.t1) / f - 1.0)?;
        }
        Ok(solve_full_ge(&self.world, &shock, &self.config)?.full)
    }
}

impl Model for GeModel {
    fn name(&self) -> &'static str {
        "Structural gravity GE (full endowment)"
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome> {
        let s = scenario.shocks()?;
        s.refuse_other_changes(self.name())?;
        let dirs = directions(&s);
        // A ban on part of a direction has no aggregate form: refused, never ignored.
        if let Some(((e, i), d)) = dirs.iter().find(|(_, d)| d.banned > 0.0 && d.banned < d.value) {
            let ids = banning_measures(scenario, *e, *i);
            return Err(ModelError::Unsupported {
                model: self.name().to_string(),
                measure: ids.join(", "),
                kind: "ban",
                reason: format!(
                    "it stops {:.1}% of the value from {e} to {i}; the GE model has one aggregate good per \
                     direction and cannot stop part of it: run SMART or GSIM, or leave the ban out with \
                     Scenario::ignoring (Python: Scenario(..., ignore=[...]))",
                    100.0 * d.banned / d.value
                ),
            });
        }
        let mut eq = self.solve(&dirs, &[])?;
        let mut notes = vec![format!(
            "GE world of {} economies, sigma {}; tariffs trade-weighted by direction; revenue rebated: {}",
            self.world.len(),
            self.config.sigma,
            self.config.rebate_tariff_revenue
        )];
        let mut added: BTreeMap<(Economy, Economy), f64> = BTreeMap::new();
        let change = |eq: &GeEquilibrium, e: Economy, i: Economy| -> Result<f64> {
            let p = eq.pair(self.index(e)?, self.index(i)?).ok_or_else(|| ModelError::InvalidInput {
                what: format!("pair {e}->{i}"),
                reason: "not in the GE results".into(),
            })?;
            Ok(p.change_pct / 100.0)
        };
        // Commitments on the same direction are met together.
        let mut by_direction: BTreeMap<(Economy, Economy), (f64, Vec<String>)> = BTreeMap::new();
        for c in &s.commitments {
            let e = by_direction.entry((c.seller, c.buyer)).or_default();
            e.0 += c.extra_usd;
            e.1.push(c.id.clone());
        }
        let mut boosts: Vec<((Economy, Economy), f64)> = Vec::new();
        for (key, (extra, ids)) in by_direction {
            let base = dirs.get(&key).map_or(0.0, |d| d.value);
            match scenario.commitment_mode() {
                CommitmentMode::AddedDemand => {
                    *added.entry(key).or_default() += extra;
                    notes.push(format!("commitments {}: {:.1}B added to demand", ids.join(", "), extra / 1e9));
                }
                CommitmentMode::Diversion => {
                    let goal = base * (1.0 + change(&eq, key.0, key.1)?) + extra;
                    let f = calibrate_factor(goal, |f| {
                        let mut trial = boosts.clone();
                        trial.push((key, f));
                        Ok(base * (1.0 + change(&self.solve(&dirs, &trial)?, key.0, key.1)?))
                    })?;
                    boosts.push((key, f));
                    eq = self.solve(&dirs, &boosts)?;
                    notes.push(format!(
                        "commitments {}: met by trade costs {:.1}% lower from {} to {}",
                        ids.join(", "),
                        (1.0 - 1.0 / f) * 100.0,
                        key.0,
                        key.1
                    ));
                }
            }
        }
        let mut table = FlowTable::default();
        for (&(e, i), d) in &dirs {
            let ch = change(&eq, e, i)?;
            let new_value = d.value * (1.0 + ch) + added.get(&(e, i)).copied().unwrap_or(0.0);
            table.exporter.push(e);
            table.importer.push(i);
            table.product.push(None);
            table.baseline.push(d.value);
            table.new_value.push(new_value);
            table.tariff_before.push(d.t0);
            table.tariff_after.push(d.t1);
            table.revenue_change.push(d.t1 * new_value - d.t0 * d.value);
            // GE measures welfare as the real income change of each economy, not in dollars by flow.
            table.welfare_gain.push(f64::NAN);
        }
        let mut o = Outcome::from_flows(
            self.name(),
            scenario.name(),
            "real income change (percent, in real_income_change_pct)",
            table,
        );
        for (row, e) in o.economies.economy.clone().iter().enumerate() {
            if let Some(c) = eq.country(e.as_str()) {
                o.economies.real_income_change_pct[row] = c.welfare_gain_pct;
            }
        }
        notes.extend(s.notes.iter().cloned());
        o.notes = notes;
        o.caveats.clone_from(&s.caveats);
        o.caveats.extend(s.aggregate_caveat());
        o.score(scenario.target());
        Ok(o)
    }
}

/// The ids of the bans in force on the later date that stop some flow from
/// `exporter` to `importer` (for the error that refuses a partial ban).
fn banning_measures(scenario: &Scenario, exporter: Economy, importer: Economy) -> Vec<String> {
    let (_, to) = scenario.dates();
    let at = scenario.applied_schedule().at(to);
    let mut ids: Vec<String> = at
        .state()
        .in_force()
        .filter(|m| match m {
            tradewar_core::Measure::ImportBan { header } => {
                header.imposer == importer && header.target.includes(exporter)
            }
            tradewar_core::Measure::ExportBan { header, entity: None } => {
                header.imposer == exporter && header.target.includes(importer)
            }
            _ => false,
        })
        .map(|m| m.id().to_string())
        .collect();
    ids.sort_unstable();
    ids
}
