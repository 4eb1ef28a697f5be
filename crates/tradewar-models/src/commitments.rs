//! Purchase commitments as forced increases of the covered flows, in the
//! two named modes of [`CommitmentMode`].

use crate::scenario::{CommitmentMode, PolicyShocks};

/// Raises the flows a commitment covers by its extra amount, spread pro
/// rata to their values. In `Diversion` mode the same amount is taken from
/// the buyer's imports of the same products from other suppliers (pro rata,
/// never below zero); what cannot be diverted is reported back as the
/// second element ("undiverted", USD) and is added demand after all.
///
/// Returns, per commitment, `(id, applied_usd, undiverted_usd)`.
pub fn apply(shocks: &PolicyShocks, values: &mut [f64], mode: CommitmentMode) -> Vec<(String, f64, f64)> {
    let mut report = Vec::new();
    for c in &shocks.commitments {
        let weights = values.to_vec();
        add_pro_rata(&c.rows, &weights, values, c.extra_usd);
        let mut undiverted = 0.0;
        if mode == CommitmentMode::Diversion {
            let products: std::collections::HashSet<_> = c.rows.iter().map(|&r| shocks.product[r]).collect();
            let others: Vec<usize> = (0..shocks.len())
                .filter(|&r| {
                    shocks.importer[r] == c.buyer
                        && shocks.exporter[r] != c.seller
                        && products.contains(&shocks.product[r])
                })
                .collect();
            let pool: f64 = others.iter().map(|&r| values[r]).sum();
            let take = c.extra_usd.min(pool.max(0.0));
            if pool > 0.0 {
                for &r in &others {
                    values[r] -= take * values[r] / pool;
                }
            }
            undiverted = c.extra_usd - take;
        }
        report.push((c.id.clone(), c.extra_usd, undiverted));
    }
    report
}

/// Adds `extra` to `values` over `rows`, pro rata to `weights` (equal shares when they are all zero).
pub fn add_pro_rata(rows: &[usize], weights: &[f64], values: &mut [f64], extra: f64) {
    let base: f64 = rows.iter().map(|&r| weights[r]).sum();
    for &r in rows {
        let w = if base > 0.0 { weights[r] / base } else { 1.0 / rows.len() as f64 };
        values[r] += extra * w;
    }
}

/// Finds the factor `f ≥ 1` at which `flow(f)` reaches `goal`, by bisection on
/// `ln f` (the flow rises with `f`). An error if even a factor of 1e6 falls short.
pub fn calibrate_factor(goal: f64, mut flow: impl FnMut(f64) -> crate::Result<f64>) -> crate::Result<f64> {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while flow(hi.exp())? < goal {
        lo = hi;
        hi *= 2.0;
        if hi > 14.0 {
            return Err(crate::ModelError::NonConvergence {
                solver: "commitment calibration",
                iterations: 0,
                residual: goal,
                tolerance: 0.0,
                detail: ", the committed flow cannot be reached even with a preference factor of 1e6".into(),
            });
        }
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if flow(mid.exp())? < goal {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    Ok((0.5 * (lo + hi)).exp())
}
