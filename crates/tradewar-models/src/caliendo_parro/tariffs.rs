//! Tariffs per (importer, exporter, sector): the shock of a counterfactual.

use super::world::CpWorld;
use crate::error::{ModelError, Result};

/// Ad valorem tariffs (fractions: 0.25 is 25 %) for every importer,
/// exporter and sector of a world, stored `[sector][importer][exporter]`.
///
/// Start from a world's baseline ([`CpWorld::tariffs`]) and change cells by
/// name or index; a cube of another world's shape is refused when solved.
#[derive(Debug, Clone, PartialEq)]
pub struct TariffCube {
    pub(crate) n: usize,
    pub(crate) j: usize,
    pub(crate) values: Vec<f64>,
}

impl TariffCube {
    /// A cube from flat values `[sector][importer][exporter]` for `regions`
    /// regions and `sectors` sectors.
    pub fn from_values(regions: usize, sectors: usize, values: Vec<f64>) -> Result<Self> {
        if values.len() != regions * regions * sectors {
            return Err(ModelError::DimensionMismatch {
                what: "tariff cube".into(),
                expected: regions * regions * sectors,
                found: values.len(),
                layout: format!("sector × importer × exporter = {sectors} × {regions} × {regions}"),
            });
        }
        Ok(Self { n: regions, j: sectors, values })
    }

    /// Number of regions.
    pub fn regions_len(&self) -> usize {
        self.n
    }
    /// Number of sectors.
    pub fn sectors_len(&self) -> usize {
        self.j
    }
    /// The flat values, `[sector][importer][exporter]`.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    fn index(&self, importer: usize, exporter: usize, sector: usize) -> Result<usize> {
        if importer >= self.n || exporter >= self.n || sector >= self.j {
            return Err(ModelError::InvalidInput {
                what: format!("tariff cell (importer {importer}, exporter {exporter}, sector {sector})"),
                reason: format!("outside the cube of {} regions and {} sectors", self.n, self.j),
            });
        }
        Ok((sector * self.n + importer) * self.n + exporter)
    }

    /// The tariff of `importer` on `exporter`'s goods of `sector`, by index.
    pub fn get(&self, importer: usize, exporter: usize, sector: usize) -> Result<f64> {
        Ok(self.values[self.index(importer, exporter, sector)?])
    }

    /// Sets a tariff by index.
    pub fn set(&mut self, importer: usize, exporter: usize, sector: usize, tariff: f64) -> Result<()> {
        let k = self.index(importer, exporter, sector)?;
        self.values[k] = tariff;
        Ok(())
    }

    /// Sets a tariff by the names (or economy codes) of `world`.
    pub fn set_by_name(
        &mut self,
        world: &CpWorld,
        importer: &str,
        exporter: &str,
        sector: &str,
        tariff: f64,
    ) -> Result<()> {
        let (m, e, s) = (world.region_index(importer)?, world.region_index(exporter)?, world.sector_index(sector)?);
        self.set(m, e, s, tariff)
    }

    /// Adds `change` (a fraction) to a tariff, by index.
    pub fn add(&mut self, importer: usize, exporter: usize, sector: usize, change: f64) -> Result<()> {
        let k = self.index(importer, exporter, sector)?;
        self.values[k] += change;
        Ok(())
    }

    /// Checks the cube against a world: same shape, every tariff finite and
    /// above −1, none on domestic sales. Errors name the cell.
    pub fn check(&self, world: &CpWorld) -> Result<()> {
        let (n, j) = (world.n, world.j);
        if self.n != n || self.j != j {
            return Err(ModelError::DimensionMismatch {
                what: "tariff cube".into(),
                expected: j * n * n,
                found: self.values.len(),
                layout: format!(
                    "sector × importer × exporter = {j} × {n} × {n} for this world; the cube is {} × {} × {}",
                    self.j, self.n, self.n
                ),
            });
        }
        for s in 0..j {
            for m in 0..n {
                for e in 0..n {
                    let t = self.values[(s * n + m) * n + e];
                    let cell =
                        || format!("tariff of {} on {} from {}", world.regions[m], world.sectors[s], world.regions[e]);
                    if !(t.is_finite() && t > -1.0) {
                        return Err(ModelError::OutOfDomain {
                            what: cell(),
                            value: t,
                            requirement: "must be finite and above -1 (a fraction: 0.05 is 5%)".into(),
                        });
                    }
                    if m == e && t != 0.0 {
                        return Err(ModelError::OutOfDomain {
                            what: cell(),
                            value: t,
                            requirement: "must be 0 (domestic sales pay no tariff)".into(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}
