//! Monte Carlo sweeps over uncertain parameters, seeded and reproducible,
//! run in parallel with rayon. Draw `i` uses its own generator seeded from
//! `(seed, i)`, so results do not depend on thread scheduling, and draws are
//! made as they are run (never all up front): only the results are kept.
//! A sweep of more than [`Sweep::MAX_DRAWS`] draws is refused before anything
//! is allocated.

use rayon::prelude::*;

use crate::error::{ModelError, Result};

/// How one parameter is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Always the same value.
    Fixed(f64),
    /// Normal with a mean and a standard deviation (e.g. an estimate and its standard error).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (0 gives the mean).
        sd: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

/// A sweep: named parameters, a number of draws and a seed.
#[derive(Debug, Clone)]
pub struct Sweep {
    params: Vec<(String, Distribution)>,
    draws: usize,
    seed: u64,
}

/// Results of a sweep: one row of outputs per draw.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    /// The parameters drawn, one row per draw.
    pub params: Vec<Vec<f64>>,
    /// The outputs, one row per draw.
    pub outputs: Vec<Vec<f64>>,
}

/// A generator of 64-bit values (SplitMix64): small, fast, and good
/// enough for Monte Carlo draws; each draw gets its own stream.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) with 53 bits.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Draws run in parallel at a time: enough to keep every core busy, few
/// enough that nothing but the results grows with the number of draws.
const CHUNK: usize = 4096;

impl Sweep {
    /// The most draws a sweep takes: ten million. Quantiles settle long
    /// before (a few thousand draws), and the results of more draws would
    /// take gigabytes; a larger sweep is refused by [`Sweep::validate`]
    /// before anything is allocated (issue 11: `10**12` draws aborted the
    /// process on an allocation failure).
    pub const MAX_DRAWS: usize = 10_000_000;

    /// A sweep of `draws` draws with a seed (checked by [`Sweep::validate`] and [`Sweep::run`]).
    pub fn new(draws: usize, seed: u64) -> Self {
        Self { params: Vec::new(), draws, seed }
    }

    /// The number of draws.
    pub fn draws(&self) -> usize {
        self.draws
    }

    /// Adds a parameter.
    #[must_use]
    pub fn param(mut self, name: &str, d: Distribution) -> Self {
        self.params.push((name.to_string(), d));
        self
    }

    /// The parameter names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.params.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Checks the sweep without running it: between 1 and
    /// [`Sweep::MAX_DRAWS`] draws, and valid distributions (finite; a
    /// standard deviation not negative; `low <= high`).
    pub fn validate(&self) -> Result<()> {
        if self.draws == 0 {
            return Err(ModelError::InvalidInput {
                what: "draws".into(),
                reason: "a sweep needs at least one draw".into(),
            });
        }
        if self.draws > Self::MAX_DRAWS {
            return Err(ModelError::InvalidInput {
                what: "draws".into(),
                reason: format!(
                    "{} draws is too large: a sweep takes at most {} (quantiles settle within a few thousand)",
                    self.draws,
                    Self::MAX_DRAWS
                ),
            });
        }
        for (name, d) in &self.params {
            let ok = match *d {
                Distribution::Fixed(v) => v.is_finite(),
                Distribution::Normal { mean, sd } => mean.is_finite() && sd.is_finite() && sd >= 0.0,
                Distribution::Uniform { low, high } => low.is_finite() && high.is_finite() && low <= high,
            };
            if !ok {
                return Err(ModelError::InvalidInput {
                    what: format!("parameter {name}"),
                    reason: format!("{d:?} is not a valid distribution"),
                });
            }
        }
        Ok(())
    }

    /// The parameters of draw `i`.
    pub fn draw(&self, i: usize) -> Vec<f64> {
        let mut g = SplitMix64(self.seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        g.next_u64();
        self.params
            .iter()
            .map(|(_, d)| match *d {
                Distribution::Fixed(v) => v,
                Distribution::Normal { mean, sd } => mean + sd * g.normal(),
                Distribution::Uniform { low, high } => low + (high - low) * g.uniform(),
            })
            .collect()
    }

    /// Runs `f` on every draw, in parallel, a chunk of draws at a time. The
    /// first error stops the sweep. Room for the results is reserved first:
    /// if it cannot be had, that is an error, not an abort.
    pub fn run<F>(&self, f: F) -> Result<SweepResult>
    where
        F: Fn(&[f64]) -> Result<Vec<f64>> + Sync,
    {
        self.validate()?;
        let room = |what: &str| ModelError::InvalidInput {
            what: "draws".into(),
            reason: format!("no memory for the {what} of {} draws", self.draws),
        };
        let mut params: Vec<Vec<f64>> = Vec::new();
        let mut outputs: Vec<Vec<f64>> = Vec::new();
        params.try_reserve_exact(self.draws).map_err(|_| room("parameters"))?;
        outputs.try_reserve_exact(self.draws).map_err(|_| room("results"))?;
        let mut start = 0;
        while start < self.draws {
            let stop = self.draws.min(start + CHUNK);
            let rows: Vec<(Vec<f64>, Vec<f64>)> = (start..stop)
                .into_par_iter()
                .map(|i| {
                    let p = self.draw(i);
                    let out = f(&p)?;
                    Ok((p, out))
                })
                .collect::<Result<_>>()?;
            for (p, o) in rows {
                params.push(p);
                outputs.push(o);
            }
            start = stop;
        }
        Ok(SweepResult { params, outputs })
    }
}

impl SweepResult {
    /// The `q`-quantile (0..=1, linear interpolation) of output `k` over draws.
    pub fn quantile(&self, k: usize, q: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&q) {
            return Err(ModelError::InvalidInput {
                what: "quantile".into(),
                reason: format!("{q} is not between 0 and 1"),
            });
        }
        let mut v: Vec<f64> = self.outputs.iter().filter_map(|o| o.get(k).copied()).collect();
        if v.is_empty() {
            return Err(ModelError::InvalidInput { what: "output".into(), reason: format!("no output number {k}") });
        }
        v.sort_by(f64::total_cmp);
        let pos = q * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        Ok(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
    }

    /// Mean of output `k`.
    pub fn mean(&self, k: usize) -> f64 {
        let v: Vec<f64> = self.outputs.iter().filter_map(|o| o.get(k).copied()).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reproducible_and_order_free() {
        let s = Sweep::new(200, 42).param("e_m", Distribution::Normal { mean: -1.5, sd: 0.3 });
        let a = s.run(|p| Ok(vec![p[0] * 2.0])).unwrap();
        let b = s.run(|p| Ok(vec![p[0] * 2.0])).unwrap();
        assert_eq!(a, b);
        let m = a.mean(0);
        assert!((m - -3.0).abs() < 0.15, "{m}");
        let med = a.quantile(0, 0.5).unwrap();
        assert!(a.quantile(0, 0.05).unwrap() < med && med < a.quantile(0, 0.95).unwrap());
    }

    /// Issue 11: `Sweep(draws=10**12)` aborted the process (`memory allocation
    /// of 805306368 bytes failed`). An impossible size is refused before any
    /// draw is made or any memory is reserved.
    #[test]
    fn impossible_sizes_are_refused_before_allocating() {
        for draws in [Sweep::MAX_DRAWS + 1, 1_000_000_000_000, usize::MAX] {
            let s = Sweep::new(draws, 1).param("x", Distribution::Normal { mean: 0.0, sd: 1.0 });
            let e = s.validate().unwrap_err();
            assert!(e.to_string().contains("too large"), "{e}");
            assert!(s.run(|_| unreachable!("no draw is run")).is_err());
        }
        assert!(Sweep::new(Sweep::MAX_DRAWS, 1).validate().is_ok());
    }

    /// Chunked runs give the same results as draw-by-draw calls, across chunk boundaries.
    #[test]
    fn chunks_keep_draw_order() {
        let s = Sweep::new(2 * CHUNK + 3, 7).param("u", Distribution::Uniform { low: 0.0, high: 1.0 });
        let r = s.run(|p| Ok(vec![p[0]])).unwrap();
        assert_eq!(r.params.len(), 2 * CHUNK + 3);
        for i in [0, CHUNK - 1, CHUNK, 2 * CHUNK + 2] {
            assert_eq!(r.params[i], s.draw(i));
            assert_eq!(r.outputs[i], s.draw(i));
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(Sweep::new(0, 1).run(|_| Ok(vec![])).is_err());
        assert!(Sweep::new(3, 1).param("x", Distribution::Normal { mean: 0.0, sd: -1.0 }).run(|_| Ok(vec![])).is_err());
        assert!(Sweep::new(3, 1).param("x", Distribution::Fixed(f64::NAN)).run(|_| Ok(vec![])).is_err());
        let r = Sweep::new(3, 1).run(|_| Ok(vec![1.0])).unwrap();
        assert!(r.quantile(0, 1.5).is_err());
        assert!(r.quantile(3, 0.5).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// With zero variance every draw is the point estimate.
        #[test]
        fn zero_variance_is_the_point_estimate(mean in -10.0f64..10.0, seed in any::<u64>(), draws in 1usize..50) {
            let s = Sweep::new(draws, seed).param("x", Distribution::Normal { mean, sd: 0.0 });
            let r = s.run(|p| Ok(vec![p[0] * p[0]])).unwrap();
            for o in &r.outputs {
                prop_assert_eq!(o[0], mean * mean);
            }
        }
    }
}
