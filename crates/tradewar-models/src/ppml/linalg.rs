//! Small dense linear algebra for the regressors' side of the estimation (a handful of columns): Gram matrices,
//! a Cholesky factorisation that drops collinear columns in order, a null-space basis, a dense simplex method for
//! the separation linear programme, and the special functions of the report (normal tail, log-gamma).

/// `X'WX` for columns `cols` (row-major `k × k`).
pub(crate) fn gram(cols: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let k = cols.len();
    let mut g = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..=a {
            let s: f64 = cols[a].iter().zip(&cols[b]).zip(weights).map(|((x, y), w)| w * x * y).sum();
            g[a * k + b] = s;
            g[b * k + a] = s;
        }
    }
    g
}

/// `X'Wv`.
pub(crate) fn cross(cols: &[Vec<f64>], weights: &[f64], v: &[f64]) -> Vec<f64> {
    cols.iter().map(|c| c.iter().zip(weights).zip(v).map(|((x, w), y)| w * x * y).sum()).collect()
}

/// A Cholesky factor of the Gram matrix of the columns kept, built column by column in the given order: a column
/// whose part not explained by the earlier kept columns is at most `tolerance` times its `scale` (its sum of
/// squares before the fixed effects were partialled out) is collinear and left out, as Stata's `_rmcoll` does.
#[derive(Debug, Clone)]
pub(crate) struct OrderedCholesky {
    /// Positions (in the input order) of the columns kept.
    pub kept: Vec<usize>,
    /// Lower-triangular factor over the kept columns, row-major `m × m`.
    l: Vec<f64>,
}

impl OrderedCholesky {
    pub fn new(g: &[f64], k: usize, scale: &[f64], tolerance: f64) -> Self {
        let mut kept: Vec<usize> = Vec::new();
        let mut l: Vec<Vec<f64>> = Vec::new(); // rows of L over kept columns
        for j in 0..k {
            // Solve L r = g[kept, j], then d = g[j,j] − r·r.
            let m = kept.len();
            let mut r = vec![0.0; m];
            for a in 0..m {
                let mut s = g[kept[a] * k + j];
                for b in 0..a {
                    s -= l[a][b] * r[b];
                }
                r[a] = s / l[a][a];
            }
            let d = g[j * k + j] - r.iter().map(|v| v * v).sum::<f64>();
            let threshold = tolerance * scale[j].max(f64::MIN_POSITIVE);
            if d > threshold && d.is_finite() {
                let mut row = r;
                row.push(d.sqrt());
                l.push(row);
                kept.push(j);
            }
        }
        let m = kept.len();
        let mut flat = vec![0.0; m * m];
        for (a, row) in l.iter().enumerate() {
            flat[a * m..a * m + row.len()].copy_from_slice(row);
        }
        Self { kept, l: flat }
    }

    /// The squared pivot of each kept column: the part of its sum of squares not explained by the earlier kept
    /// columns.
    pub fn pivots(&self) -> Vec<f64> {
        let m = self.kept.len();
        (0..m).map(|a| self.l[a * m + a] * self.l[a * m + a]).collect()
    }

    /// Solves `G x = b` over the kept columns (`b` indexed like `kept`).
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let m = self.kept.len();
        let l = &self.l;
        let mut y = vec![0.0; m];
        for a in 0..m {
            let mut s = b[a];
            for c in 0..a {
                s -= l[a * m + c] * y[c];
            }
            y[a] = s / l[a * m + a];
        }
        for a in (0..m).rev() {
            let mut s = y[a];
            for c in a + 1..m {
                s -= l[c * m + a] * y[c];
            }
            y[a] = s / l[a * m + a];
        }
        y
    }

    /// The inverse of `G` over the kept columns (row-major `m × m`).
    pub fn inverse(&self) -> Vec<f64> {
        let m = self.kept.len();
        let mut inv = vec![0.0; m * m];
        for c in 0..m {
            let mut e = vec![0.0; m];
            e[c] = 1.0;
            let col = self.solve(&e);
            for a in 0..m {
                inv[a * m + c] = col[a];
            }
        }
        // Symmetrise the rounding.
        for a in 0..m {
            for b in 0..a {
                let v = 0.5 * (inv[a * m + b] + inv[b * m + a]);
                inv[a * m + b] = v;
                inv[b * m + a] = v;
            }
        }
        inv
    }
}

/// A basis of the null space `{θ : Aθ = 0}` of the dense matrix `a` (`rows × cols`, row-major), by Gauss–Jordan
/// elimination with partial pivoting; entries below `tolerance` times the column's largest entry count as zero.
/// Returns the basis vectors (each of length `cols`).
pub(crate) fn null_space(a: &[f64], rows: usize, cols: usize, tolerance: f64) -> Vec<Vec<f64>> {
    let mut m = a.to_vec();
    let col_scale: Vec<f64> =
        (0..cols).map(|c| (0..rows).map(|r| m[r * cols + c].abs()).fold(0.0, f64::max).max(1.0)).collect();
    let mut pivot_cols = Vec::new();
    let mut row = 0;
    for c in 0..cols {
        if row >= rows {
            break;
        }
        let (best, value) =
            (row..rows)
                .map(|r| (r, m[r * cols + c].abs()))
                .fold((row, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
        if value <= tolerance * col_scale[c] {
            for r in row..rows {
                m[r * cols + c] = 0.0;
            }
            continue;
        }
        if best != row {
            for k in 0..cols {
                m.swap(best * cols + k, row * cols + k);
            }
        }
        let p = m[row * cols + c];
        for k in 0..cols {
            m[row * cols + k] /= p;
        }
        for r in 0..rows {
            if r != row {
                let f = m[r * cols + c];
                if f != 0.0 {
                    for k in 0..cols {
                        m[r * cols + k] -= f * m[row * cols + k];
                    }
                }
            }
        }
        pivot_cols.push(c);
        row += 1;
    }
    let free: Vec<usize> = (0..cols).filter(|c| !pivot_cols.contains(c)).collect();
    free.iter()
        .map(|&f| {
            let mut v = vec![0.0; cols];
            v[f] = 1.0;
            for (r, &pc) in pivot_cols.iter().enumerate() {
                v[pc] = -m[r * cols + f];
            }
            v
        })
        .collect()
}

/// Maximises `c'x` subject to `Ax ≤ b`, `x ≥ 0`, with `b ≥ 0` (so the origin is feasible), by the dense tableau
/// simplex method with Bland's rule (which cannot cycle on the degenerate vertices these problems have).
/// `a` is `rows × cols` row-major. Returns `x`, or `None` when the problem is unbounded or the pivot budget
/// (`max_pivots`) runs out.
pub(crate) fn simplex_max(
    a: &[f64],
    b: &[f64],
    c: &[f64],
    rows: usize,
    cols: usize,
    max_pivots: usize,
) -> Option<Vec<f64>> {
    const EPS: f64 = 1e-11;
    let width = cols + rows + 1;
    // Tableau rows: constraints with slacks, then the objective row (reduced costs −c).
    let mut t = vec![0.0; (rows + 1) * width];
    for r in 0..rows {
        t[r * width..r * width + cols].copy_from_slice(&a[r * cols..(r + 1) * cols]);
        t[r * width + cols + r] = 1.0;
        t[r * width + width - 1] = b[r];
    }
    for (j, &cj) in c.iter().enumerate() {
        t[rows * width + j] = -cj;
    }
    let mut basis: Vec<usize> = (cols..cols + rows).collect();
    for _ in 0..max_pivots {
        // Entering: the lowest-index column with a negative reduced cost.
        let Some(enter) = (0..cols + rows).find(|&j| t[rows * width + j] < -EPS) else {
            let mut x = vec![0.0; cols];
            for (r, &bv) in basis.iter().enumerate() {
                if bv < cols {
                    x[bv] = t[r * width + width - 1];
                }
            }
            return Some(x);
        };
        // Leaving: minimum ratio, ties broken by the lowest basic variable index.
        let mut leave: Option<(usize, f64)> = None;
        for r in 0..rows {
            let coef = t[r * width + enter];
            if coef > EPS {
                let ratio = t[r * width + width - 1] / coef;
                leave = match leave {
                    None => Some((r, ratio)),
                    Some((lr, lratio)) => {
                        if ratio < lratio - EPS || ((ratio - lratio).abs() <= EPS && basis[r] < basis[lr]) {
                            Some((r, ratio))
                        } else {
                            Some((lr, lratio))
                        }
                    }
                };
            }
        }
        let (pr, _) = leave?;
        let p = t[pr * width + enter];
        for k in 0..width {
            t[pr * width + k] /= p;
        }
        for r in 0..=rows {
            if r != pr {
                let f = t[r * width + enter];
                if f != 0.0 {
                    for k in 0..width {
                        t[r * width + k] -= f * t[pr * width + k];
                    }
                }
            }
        }
        basis[pr] = enter;
    }
    None
}

/// `erfc(x)` for `x ≥ 0`, to about 1e-15 relative: the Taylor series of `erf` below 2, a continued fraction above.
fn erfc_nonneg(x: f64) -> f64 {
    if x < 2.0 {
        // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
        let mut term = x;
        let mut sum = x;
        let x2 = x * x;
        for n in 1..200 {
            term *= -x2 / f64::from(n);
            let add = term / f64::from(2 * n + 1);
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        1.0 - sum * std::f64::consts::FRAC_2_SQRT_PI
    } else {
        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated by Lentz's method.
        let tiny = 1e-300;
        let mut f = x;
        let mut c = x;
        let mut d = 0.0;
        for n in 1..500 {
            let an = f64::from(n) / 2.0;
            d = x + an * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = x + an / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
    }
}

/// Two-sided normal p-value of a z statistic, `P(|Z| > |z|)`.
pub(crate) fn normal_two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    erfc_nonneg(z.abs() / std::f64::consts::SQRT_2)
}

/// The 97.5% quantile of the standard normal distribution (95% confidence intervals).
pub(crate) const Z_975: f64 = 1.959_963_984_540_054;

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, g = 7, 9 terms; about 1e-15 relative).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_functions_match_known_values() {
        // P(|Z| > 1.96) and P(|Z| > 9.99).
        assert!((normal_two_sided_p(Z_975) - 0.05).abs() < 1e-15);
        assert!((normal_two_sided_p(1.0) - 0.317_310_507_862_914_1).abs() < 1e-15);
        // erfc at both sides of the switch between the series and the continued fraction, and in the tail.
        assert!((normal_two_sided_p(2.0 * std::f64::consts::SQRT_2) / 0.004_677_734_981_047_266 - 1.0).abs() < 1e-13);
        assert!(
            (normal_two_sided_p(1.999_999 * std::f64::consts::SQRT_2) / 0.004_677_734_981_047_266 - 1.0).abs() < 1e-5
        );
        assert!((normal_two_sided_p(3.0 * std::f64::consts::SQRT_2) / 2.209_049_699_858_544e-5 - 1.0).abs() < 1e-13);
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn ordered_cholesky_drops_a_collinear_column_and_solves() {
        // Columns: a, 2a (collinear), b.
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let b = vec![1.0, 0.0, 1.0, 0.0];
        let cols = vec![a.clone(), a.iter().map(|v| 2.0 * v).collect(), b];
        let w = vec![1.0; 4];
        let g = gram(&cols, &w);
        let scale: Vec<f64> = (0..3).map(|j| g[j * 3 + j]).collect();
        let ch = OrderedCholesky::new(&g, 3, &scale, 1e-9);
        assert_eq!(ch.kept, vec![0, 2]);
        let sub = [g[0], g[2], g[6], g[8]];
        let x = ch.solve(&[1.0, 2.0]);
        assert!((sub[0] * x[0] + sub[1] * x[1] - 1.0).abs() < 1e-12);
        assert!((sub[2] * x[0] + sub[3] * x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn null_space_and_simplex() {
        // A = [1 1 0; 0 0 1]: null space spanned by (1, −1, 0).
        let n = null_space(&[1.0, 1.0, 0.0, 0.0, 0.0, 1.0], 2, 3, 1e-12);
        assert_eq!(n.len(), 1);
        assert!((n[0][0] + n[0][1]).abs() < 1e-15 && n[0][2] == 0.0);
        // max x + y s.t. x + 2y ≤ 4, 3x + y ≤ 6 → (1.6, 1.2).
        let x = simplex_max(&[1.0, 2.0, 3.0, 1.0], &[4.0, 6.0], &[1.0, 1.0], 2, 2, 100).unwrap();
        assert!((x[0] - 1.6).abs() < 1e-12 && (x[1] - 1.2).abs() < 1e-12);
    }
}
