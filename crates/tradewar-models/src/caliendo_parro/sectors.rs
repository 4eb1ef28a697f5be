//! Products to sectors: an HS6 → model-sector concordance, and a
//! scenario's tariff changes aggregated to (importer, exporter, sector)
//! cells, weighted by the scenario's trade.
//!
//! The aggregate change of a cell is the trade-weighted mean over its
//! flows of `t1 − t0` (the flow's tariff after minus before, fractions):
//! flows the measures do not touch count with a change of zero. It is
//! added to the world's own tariff of the cell: `τ' = τ + Σ v (t1 − t0) / Σ v`.
//! Adding keeps the reading of the measures (an additional duty stacks on
//! whatever MFN rate applies), although the world's tariffs (1993 for
//! Caliendo and Parro's data) are not the scenario's MFN rates.

use std::collections::{BTreeMap, HashMap};

use tradewar_core::{Economy, HsCode, HsLevel};

use super::tariffs::TariffCube;
use super::world::CpWorld;
use crate::error::{ModelError, Result};
use crate::scenario::PolicyShocks;

/// HS subheadings (6 digits) mapped to the sectors of a world.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorConcordance {
    sectors: Vec<String>,
    map: HashMap<HsCode, usize>,
}

impl SectorConcordance {
    /// A concordance from `(HS6 code, sector name)` pairs; every sector must
    /// be one of `world`'s, every code a 6-digit subheading, each given once.
    pub fn new<'a>(world: &CpWorld, pairs: impl IntoIterator<Item = (HsCode, &'a str)>) -> Result<Self> {
        let mut map = HashMap::new();
        for (code, sector) in pairs {
            if code.level() != HsLevel::Subheading {
                return Err(ModelError::InvalidInput {
                    what: format!("concordance code {code}"),
                    reason: "must be an HS subheading (6 digits)".into(),
                });
            }
            let s = world.sector_index(sector).map_err(|e| match e {
                ModelError::UnknownName { kind, name, known } => {
                    ModelError::UnknownName { kind, name: format!("{name} (for HS {code})"), known }
                }
                other => other,
            })?;
            if let Some(prev) = map.insert(code, s) {
                if prev != s {
                    return Err(ModelError::InvalidInput {
                        what: format!("concordance code {code}"),
                        reason: format!("mapped twice, to {} and {}", world.sectors[prev], world.sectors[s]),
                    });
                }
            }
        }
        Ok(Self { sectors: world.sectors.clone(), map })
    }

    /// The sector of a product (national lines are cut to their subheading);
    /// `None` for codes coarser than 6 digits or not in the concordance.
    pub fn sector_of(&self, code: HsCode) -> Option<usize> {
        self.map.get(&code.truncate(HsLevel::Subheading)?).copied()
    }

    /// Number of subheadings mapped.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// Whether no code is mapped.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// The sector names the concordance was built for.
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }
}

/// One (importer, exporter, sector) cell of a scenario: its trade and
/// trade-weighted tariffs before and after.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SectorCell {
    /// Importer (economy code).
    pub importer: Economy,
    /// Exporter.
    pub exporter: Economy,
    /// Sector index in the world.
    pub sector: usize,
    /// Sector name.
    pub sector_name: String,
    /// The scenario's trade in the cell, US dollars.
    pub value: f64,
    /// Trade-weighted tariff before, fraction.
    pub tariff_before: f64,
    /// Trade-weighted tariff after, fraction.
    pub tariff_after: f64,
    /// Flows (HS6 products) in the cell.
    pub flows: usize,
}

impl SectorCell {
    /// The change added to the world's tariff, `tariff_after − tariff_before`.
    pub fn change(&self) -> f64 {
        self.tariff_after - self.tariff_before
    }
}

type Sums = (f64, f64, f64, usize);

/// A scenario's tariff changes by (importer, exporter, sector) cell.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SectorShock {
    /// Cells with trade, by importer, exporter and sector.
    pub cells: Vec<SectorCell>,
    /// Trade of products the concordance does not map (HS 9999.99, codes
    /// coarser than 6 digits, non-traded activities), by direction.
    pub unmapped: Vec<(Economy, Economy, f64)>,
}

impl SectorShock {
    /// Aggregates a scenario's flow-by-flow shocks. Every economy of the
    /// scenario must be in `world`; bans are refused (a ban on some
    /// products is not a tariff on a sector).
    pub fn from_shocks(world: &CpWorld, concordance: &SectorConcordance, shocks: &PolicyShocks) -> Result<Self> {
        if concordance.sectors != world.sectors {
            return Err(ModelError::InvalidInput {
                what: "sector concordance".into(),
                reason: "was built for another world's sectors".into(),
            });
        }
        // Per (importer, exporter, sector): trade, trade × tariff before, trade × tariff after, flows.
        let mut cells: BTreeMap<(usize, usize, usize), Sums> = BTreeMap::new();
        let mut unmapped: BTreeMap<(Economy, Economy), f64> = BTreeMap::new();
        for k in 0..shocks.len() {
            let (e, m) = (shocks.exporter[k], shocks.importer[k]);
            if shocks.banned[k] {
                return Err(ModelError::InvalidInput {
                    what: format!("flow {e}->{m} of {}", shocks.product[k]),
                    reason: "is stopped by a ban; the Caliendo-Parro model prices sectors, not products, and cannot \
                             represent a ban on part of one: evaluate a date without bans"
                        .into(),
                });
            }
            let (mi, ei) = (world.economy_index(m)?, world.economy_index(e)?);
            let v = shocks.value[k];
            match concordance.sector_of(shocks.product[k]) {
                Some(s) => {
                    let c = cells.entry((mi, ei, s)).or_insert((0.0, 0.0, 0.0, 0));
                    c.0 += v;
                    c.1 += v * shocks.t0[k];
                    c.2 += v * shocks.t1[k];
                    c.3 += 1;
                }
                None => *unmapped.entry((e, m)).or_default() += v,
            }
        }
        let econ = |r: usize| world.economies.as_ref().map_or(Economy::WLD, |x| x[r]);
        let cells = cells
            .into_iter()
            .filter(|(_, c)| c.0 > 0.0)
            .map(|((m, e, s), (v, a0, a1, flows))| SectorCell {
                importer: econ(m),
                exporter: econ(e),
                sector: s,
                sector_name: world.sectors[s].clone(),
                value: v,
                tariff_before: a0 / v,
                tariff_after: a1 / v,
                flows,
            })
            .collect();
        Ok(Self { cells, unmapped: unmapped.into_iter().map(|((e, m), v)| (e, m, v)).collect() })
    }

    /// The world's tariffs plus each cell's change.
    pub fn apply(&self, world: &CpWorld) -> Result<TariffCube> {
        let mut cube = world.tariffs();
        for c in &self.cells {
            let (m, e) = (world.economy_index(c.importer)?, world.economy_index(c.exporter)?);
            cube.add(m, e, c.sector, c.change())?;
        }
        cube.check(world)?;
        Ok(cube)
    }

    /// Trade-weighted mean tariff change (fraction) of a direction over its mapped cells.
    pub fn mean_change(&self, importer: Economy, exporter: Economy) -> f64 {
        let (mut v, mut d) = (0.0, 0.0);
        for c in self.cells.iter().filter(|c| c.importer == importer && c.exporter == exporter) {
            v += c.value;
            d += c.value * c.change();
        }
        if v > 0.0 {
            d / v
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_worlds::world;
    use super::*;

    fn code(s: &str) -> HsCode {
        s.parse().expect("code")
    }

    fn shocks() -> PolicyShocks {
        // Two flows of S0 (one taxed 25 points more), one of S1, one unmapped, from C1 (CHN) to C0 (USA).
        PolicyShocks {
            exporter: vec![Economy::CHN; 4],
            importer: vec![Economy::USA; 4],
            product: vec![code("010121"), code("010129"), code("847130"), code("999999")],
            value: vec![300.0, 100.0, 50.0, 10.0],
            t0: vec![0.02, 0.02, 0.0, 0.0],
            t1: vec![0.27, 0.02, 0.1, 0.0],
            banned: vec![false; 4],
            ..PolicyShocks::default()
        }
    }

    #[test]
    fn changes_are_trade_weighted_by_cell_and_added_to_the_world() {
        let w = world(3, 3, 1).with_economies(vec![Economy::USA, Economy::CHN, Economy::ROW]).expect("codes");
        let c = SectorConcordance::new(&w, [(code("010121"), "S0"), (code("010129"), "S0"), (code("847130"), "S1")])
            .expect("concordance");
        assert_eq!(c.sector_of(code("0101.21.00")), Some(0), "national lines are cut to HS6");
        assert_eq!(c.sector_of(code("0101")), None);
        let shock = SectorShock::from_shocks(&w, &c, &shocks()).expect("aggregates");
        assert_eq!(shock.cells.len(), 2);
        let s0 = &shock.cells[0];
        assert_eq!((s0.sector, s0.flows, s0.value), (0, 2, 400.0));
        assert!((s0.change() - 0.25 * 300.0 / 400.0).abs() < 1e-15);
        assert_eq!(shock.unmapped, vec![(Economy::CHN, Economy::USA, 10.0)]);
        assert!((shock.mean_change(Economy::USA, Economy::CHN) - (75.0 + 5.0) / 450.0).abs() < 1e-15);
        let cube = shock.apply(&w).expect("cube");
        let before = w.tariffs().get(0, 1, 0).expect("cell");
        assert!((cube.get(0, 1, 0).expect("cell") - before - 0.1875).abs() < 1e-15);
        assert_eq!(cube.get(1, 0, 0).expect("cell"), w.tariffs().get(1, 0, 0).expect("cell"));
    }

    #[test]
    fn bad_concordances_and_shocks_are_refused() {
        let w = world(3, 3, 1).with_economies(vec![Economy::USA, Economy::CHN, Economy::ROW]).expect("codes");
        let e = SectorConcordance::new(&w, [(code("0101"), "S0")]).expect_err("heading");
        assert!(e.to_string().contains("must be an HS subheading"), "{e}");
        let e = SectorConcordance::new(&w, [(code("010121"), "Spice")]).expect_err("unknown sector");
        assert!(e.to_string().contains("Spice (for HS 0101.21)"), "{e}");
        let e = SectorConcordance::new(&w, [(code("010121"), "S0"), (code("010121"), "S1")]).expect_err("twice");
        assert!(e.to_string().contains("mapped twice"), "{e}");
        let c = SectorConcordance::new(&w, [(code("010121"), "S0")]).expect("concordance");
        let mut s = shocks();
        s.banned[1] = true;
        let e = SectorShock::from_shocks(&w, &c, &s).expect_err("ban");
        assert!(e.to_string().contains("ban"), "{e}");
        let mut s = shocks();
        s.importer[0] = Economy::JPN;
        let e = SectorShock::from_shocks(&w, &c, &s).expect_err("unknown economy");
        assert!(matches!(e, ModelError::UnknownName { kind: "economy", .. }), "{e}");
    }
}
