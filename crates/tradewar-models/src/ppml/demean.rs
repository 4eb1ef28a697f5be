//! Partialling fixed effects out of a column: weighted least squares on the fixed-effect dummies without ever
//! building them.
//!
//! For weights `w` and the dummies `D` of every fixed-effect dimension, the residual `e = x − Dα` of the weighted
//! regression of `x` on `D` solves the normal equations `D'WD α = D'W x`. Plain alternating projections (demeaning
//! by each dimension in turn, i.e. block Gauss–Seidel) converge slowly on gravity designs. Here:
//!
//! * the dimension with the most levels (the pair effects of a gravity panel) is solved exactly inside every
//!   product, its coefficient being the weighted mean of what the others leave, and the conjugate-gradient method
//!   runs on the other dimensions' Schur complement, preconditioned with each level's weight sum (the diagonal);
//!   with two dimensions this is fixest's reduction to one, with more it is CG as ppmlhdfe and reghdfe accelerate
//!   it, on a better-conditioned system;
//! * a tight solve then checks every level one by one (Gauss–Seidel sweeps), because the gradients' weighted norm
//!   hardly sees a level of little weight (a pair with almost no trade), whose coefficient must still be right.
//!
//! One product costs two passes over the rows. A single dimension is solved in one step. The coefficient vector
//! `α` (stacked over dimensions) is both the warm start and the result, so that the iterations of IRLS, whose
//! weights change little, start from the previous solution.

use super::design::SampleEffects;

/// Solves at least this tight also check every level one by one (Gauss–Seidel sweeps) before they stop.
const SWEEP_BELOW: f64 = 1e-9;

/// The passes over the rows, written once for a compile-time number of dimensions `D` (1 to 4, so that the loops
/// over dimensions unroll) and once for any number (`D = 0`: the runtime `dims`). `stacked` holds each row's
/// stacked level per dimension, row-major.
mod kernels {
    /// `sums[level] += w` for every row and dimension.
    pub fn level_sums<const D: usize>(dims: usize, stacked: &[u32], w: &[f64], sums: &mut [f64]) {
        let dims = if D == 0 { dims } else { D };
        for (l, &wi) in stacked.chunks_exact(dims).zip(w) {
            for &a in l {
                sums[a as usize] += wi;
            }
        }
    }

    /// `out = original − Dα`; returns `‖out‖²_W`.
    pub fn residual<const D: usize>(
        dims: usize,
        stacked: &[u32],
        w: &[f64],
        alpha: &[f64],
        original: &[f64],
        out: &mut [f64],
    ) -> f64 {
        let dims = if D == 0 { dims } else { D };
        let mut norm2 = 0.0;
        for (((l, &wi), &o), x) in stacked.chunks_exact(dims).zip(w).zip(original).zip(out.iter_mut()) {
            let mut v = o;
            for &a in l {
                v -= alpha[a as usize];
            }
            *x = v;
            norm2 += wi * v * v;
        }
        norm2
    }

    /// `r += D'We` (r zeroed by the caller); returns `‖e‖²_W`.
    pub fn gradient<const D: usize>(dims: usize, stacked: &[u32], w: &[f64], e: &[f64], r: &mut [f64]) -> f64 {
        let dims = if D == 0 { dims } else { D };
        let mut norm2 = 0.0;
        for ((l, &wi), &x) in stacked.chunks_exact(dims).zip(w).zip(e) {
            let wx = wi * x;
            norm2 += wx * x;
            for &a in l {
                r[a as usize] += wx;
            }
        }
        norm2
    }

    /// `q += D'WDp` (q zeroed by the caller).
    pub fn product<const D: usize>(dims: usize, stacked: &[u32], w: &[f64], p: &[f64], q: &mut [f64]) {
        let dims = if D == 0 { dims } else { D };
        for (l, &wi) in stacked.chunks_exact(dims).zip(w) {
            let mut s = 0.0;
            for &a in l {
                s += p[a as usize];
            }
            let ws = wi * s;
            for &a in l {
                q[a as usize] += ws;
            }
        }
    }

    /// `means[level of e − start] += w · (Dp)_row` over the dimensions other than `e` (p is zero on `e`).
    pub fn schur_means<const D: usize>(
        dims: usize,
        e: usize,
        start: usize,
        stacked: &[u32],
        w: &[f64],
        p: &[f64],
        means: &mut [f64],
    ) {
        let dims = if D == 0 { dims } else { D };
        for (l, &wi) in stacked.chunks_exact(dims).zip(w) {
            let mut s = 0.0;
            for (k, &a) in l.iter().enumerate() {
                if k != e {
                    s += p[a as usize];
                }
            }
            means[l[e] as usize - start] += wi * s;
        }
    }

    /// `q += D'W(Dp − D_e means)` on the dimensions other than `e`.
    #[allow(clippy::too_many_arguments)]
    pub fn schur_product<const D: usize>(
        dims: usize,
        e: usize,
        start: usize,
        stacked: &[u32],
        w: &[f64],
        p: &[f64],
        means: &[f64],
        q: &mut [f64],
    ) {
        let dims = if D == 0 { dims } else { D };
        for (l, &wi) in stacked.chunks_exact(dims).zip(w) {
            let mut s = -means[l[e] as usize - start];
            for (k, &a) in l.iter().enumerate() {
                if k != e {
                    s += p[a as usize];
                }
            }
            let v = wi * s;
            for (k, &a) in l.iter().enumerate() {
                if k != e {
                    q[a as usize] += v;
                }
            }
        }
    }

    /// `means[level of d − start] += w · x` (the first pass of solving dimension `d` exactly).
    pub fn level_means<const D: usize>(
        dims: usize,
        d: usize,
        start: usize,
        stacked: &[u32],
        w: &[f64],
        x: &[f64],
        means: &mut [f64],
    ) {
        let dims = if D == 0 { dims } else { D };
        for ((l, &wi), &xi) in stacked.chunks_exact(dims).zip(w).zip(x) {
            means[l[d] as usize - start] += wi * xi;
        }
    }

    /// `x −= means[level of d − start]`, then `r += D'Wx` on the dimensions other than `d`; returns `‖x‖²_W`.
    #[allow(clippy::too_many_arguments)]
    pub fn shift_and_gradient<const D: usize>(
        dims: usize,
        d: usize,
        start: usize,
        stacked: &[u32],
        w: &[f64],
        means: &[f64],
        x: &mut [f64],
        r: &mut [f64],
    ) -> f64 {
        let dims = if D == 0 { dims } else { D };
        let mut norm2 = 0.0;
        for ((l, &wi), xi) in stacked.chunks_exact(dims).zip(w).zip(x.iter_mut()) {
            *xi -= means[l[d] as usize - start];
            let wx = wi * *xi;
            norm2 += wx * *xi;
            for (k, &a) in l.iter().enumerate() {
                if k != d {
                    r[a as usize] += wx;
                }
            }
        }
        norm2
    }
}

/// Calls `kernels::$f::<D>` with the number of dimensions fixed at compile time where it is small.
macro_rules! by_dims {
    ($dims:expr, $f:ident($($arg:expr),* $(,)?)) => {
        match $dims {
            1 => kernels::$f::<1>($dims, $($arg),*),
            2 => kernels::$f::<2>($dims, $($arg),*),
            3 => kernels::$f::<3>($dims, $($arg),*),
            4 => kernels::$f::<4>($dims, $($arg),*),
            _ => kernels::$f::<0>($dims, $($arg),*),
        }
    };
}

/// Why a solve stopped short of its tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NotConverged {
    /// Iterations done.
    pub iterations: usize,
    /// The relative residual reached.
    pub residual: f64,
}

/// Work vectors of one partialling out, kept across calls so that repeated solves (every IRLS step) do not
/// allocate and page in fresh memory each time.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scratch {
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
    means: Vec<f64>,
}

impl Scratch {
    fn prepare(&mut self, g: usize, m: usize) {
        for v in [&mut self.r, &mut self.z, &mut self.p, &mut self.q] {
            v.clear();
            v.resize(g, 0.0);
        }
        self.means.clear();
        self.means.resize(m, 0.0);
    }
}

/// The weighted projection onto the fixed-effect dummies of one sample, for one set of weights.
pub(crate) struct Projector<'a> {
    fe: &'a SampleEffects,
    weights: &'a [f64],
    /// `1 / Σ w` per level (stacked); 0 for a level without weight or pinned to zero.
    inv_weight: Vec<f64>,
    /// Levels held at their starting value (used to normalise recovered fixed effects).
    pinned: Vec<bool>,
    /// The dimension solved exactly inside every product (the one with most levels), when there are two or more
    /// and nothing is pinned: the conjugate gradients then run on its Schur complement.
    eliminated: Option<usize>,
}

impl<'a> Projector<'a> {
    /// The projector of `fe` under `weights` (one per sample row, non-negative).
    pub fn new(fe: &'a SampleEffects, weights: &'a [f64]) -> Self {
        let mut sums = vec![0.0; fe.total_levels()];
        if fe.dims() > 0 {
            by_dims!(fe.dims(), level_sums(&fe.stacked, weights, &mut sums));
        }
        let inv_weight = sums.iter().map(|&s| if s > 0.0 { 1.0 / s } else { 0.0 }).collect();
        let eliminated = (fe.dims() >= 2).then(|| (0..fe.dims()).max_by_key(|&d| fe.levels[d]).unwrap_or(0));
        Self { fe, weights, inv_weight, pinned: Vec::new(), eliminated }
    }

    /// Holds the marked levels (stacked index) at the value they have in the starting `α`.
    pub fn with_pinned(mut self, pinned: Vec<bool>) -> Self {
        for (inv, &p) in self.inv_weight.iter_mut().zip(&pinned) {
            if p {
                *inv = 0.0;
            }
        }
        self.pinned = pinned;
        self.eliminated = None;
        self
    }

    /// Number of stacked coefficients.
    pub fn coefficients(&self) -> usize {
        self.inv_weight.len()
    }

    /// `out = original − D α` in one pass over the rows; returns the weighted squared norm of `out`.
    fn residual_from(&self, original: &[f64], alpha: &[f64], out: &mut [f64]) -> f64 {
        by_dims!(self.fe.dims(), residual(&self.fe.stacked, self.weights, alpha, original, out))
    }

    /// `r = D' W e` in one pass over the rows (pinned levels zeroed); returns `‖e‖²_W`.
    fn gradient(&self, e: &[f64], r: &mut [f64]) -> f64 {
        r.fill(0.0);
        let norm2 = by_dims!(self.fe.dims(), gradient(&self.fe.stacked, self.weights, e, r));
        if !self.pinned.is_empty() {
            for (o, &pinned) in r.iter_mut().zip(&self.pinned) {
                if pinned {
                    *o = 0.0;
                }
            }
        }
        norm2
    }

    /// Solves dimension `d` exactly given the others (its coefficients move by the weighted mean residual of each
    /// level), then forms `r = D' W e` for the other dimensions (zero on `d`) in the same second pass. Returns
    /// `‖e‖²_W` after the move.
    fn project_and_gradient(
        &self,
        d: usize,
        e: &mut [f64],
        alpha: &mut [f64],
        r: &mut [f64],
        means: &mut [f64],
    ) -> f64 {
        let fe = self.fe;
        let range = fe.starts[d]..fe.starts[d] + fe.levels[d];
        let start = range.start;
        means.fill(0.0);
        by_dims!(fe.dims(), level_means(d, start, &fe.stacked, self.weights, e, means));
        for (m, inv) in means.iter_mut().zip(&self.inv_weight[range.clone()]) {
            *m *= inv;
        }
        for (a, m) in alpha[range].iter_mut().zip(means.iter()) {
            *a += m;
        }
        r.fill(0.0);
        by_dims!(fe.dims(), shift_and_gradient(d, start, &fe.stacked, self.weights, means, e, r))
    }

    /// `q = D' W D p` in one pass over the rows (pinned levels of `q` zeroed); returns `p · q`.
    fn apply(&self, p: &[f64], q: &mut [f64]) -> f64 {
        q.fill(0.0);
        by_dims!(self.fe.dims(), product(&self.fe.stacked, self.weights, p, q));
        if !self.pinned.is_empty() {
            for (o, &pinned) in q.iter_mut().zip(&self.pinned) {
                if pinned {
                    *o = 0.0;
                }
            }
        }
        p.iter().zip(q.iter()).map(|(a, b)| a * b).sum()
    }

    /// The product with the Schur complement of the eliminated dimension `e`: for `p` (zero on `e`), with
    /// `y = D p` and `m` the weighted mean of `y` over each level of `e`, `q = D' W (y − D_e m)` on the other
    /// dimensions (zero on `e`). `m` is returned in `means` (the move of `α_e` that goes with `p`). Returns `p · q`.
    fn apply_schur(&self, e: usize, p: &[f64], q: &mut [f64], means: &mut [f64]) -> f64 {
        let fe = self.fe;
        let start = fe.starts[e];
        means.fill(0.0);
        q.fill(0.0);
        by_dims!(fe.dims(), schur_means(e, start, &fe.stacked, self.weights, p, means));
        for (m, inv) in means.iter_mut().zip(&self.inv_weight[start..start + fe.levels[e]]) {
            *m *= inv;
        }
        by_dims!(fe.dims(), schur_product(e, start, &fe.stacked, self.weights, p, means, q));
        p.iter().zip(q.iter()).map(|(a, b)| a * b).sum()
    }

    fn weighted_norm(&self, v: &[f64]) -> f64 {
        v.iter().zip(self.weights).map(|(x, w)| w * x * x).sum::<f64>().sqrt()
    }

    /// One block Gauss–Seidel sweep over the dimensions: every level's coefficient moves
    /// by the weighted mean of the residual over its rows, which zeroes it given the others. Returns the largest
    /// move. This settles the levels whose weight is too small for the conjugate gradients' norm to see.
    fn sweep(&self, e: &mut [f64], alpha: &mut [f64], buffer: &mut [f64]) -> f64 {
        let fe = self.fe;
        let dims = fe.dims();
        let mut largest = 0.0_f64;
        for d in 0..dims {
            let range = fe.starts[d]..fe.starts[d] + fe.levels[d];
            let m = &mut buffer[range.clone()];
            m.fill(0.0);
            let codes = &fe.codes[d];
            for ((&c, &w), &x) in codes.iter().zip(self.weights).zip(e.iter()) {
                m[c as usize] += w * x;
            }
            for (mi, inv) in m.iter_mut().zip(&self.inv_weight[range.clone()]) {
                *mi *= inv;
                largest = largest.max(mi.abs());
            }
            for (a, mi) in alpha[range].iter_mut().zip(m.iter()) {
                *a += mi;
            }
            for (x, &c) in e.iter_mut().zip(codes) {
                *x -= m[c as usize];
            }
        }
        largest
    }

    /// Replaces `x` by its residual `x − Dα` from the weighted regression on the dummies; `alpha` is the warm start
    /// and receives the coefficients. Conjugate gradients run until the part of the residual still explained by the
    /// dummies (in the preconditioner's norm) is at most `tolerance · ‖e‖_W`; then Gauss–Seidel sweeps check every
    /// level one by one: done when no level's coefficient moves by more than `tolerance` times the residual's
    /// root-mean-square (or the residual is negligible next to `x`), else the gradients resume. Returns the
    /// iterations done (sweeps count as iterations).
    pub fn residualize(
        &self,
        x: &mut [f64],
        alpha: &mut [f64],
        tolerance: f64,
        max_iterations: usize,
    ) -> Result<usize, NotConverged> {
        self.residualize_within(x, alpha, tolerance, max_iterations, 0.0)
    }

    /// As [`residualize`](Self::residualize), but also done once the part still explained by the dummies is at most
    /// `tolerance · reference` (an absolute size: a warm start can leave a residual much smaller than the quantity
    /// whose precision matters).
    pub fn residualize_within(
        &self,
        x: &mut [f64],
        alpha: &mut [f64],
        tolerance: f64,
        max_iterations: usize,
        reference: f64,
    ) -> Result<usize, NotConverged> {
        if self.fe.dims() == 0 {
            return Ok(0);
        }
        let original = x.to_vec();
        self.residualize_from(&original, x, alpha, tolerance, max_iterations, reference, &mut Scratch::default())
    }

    /// As [`residualize_within`](Self::residualize_within), writing the residual of `original` into `x` (any prior
    /// content), with work vectors from `scratch`; `reference` 0 for none.
    #[allow(clippy::too_many_arguments)]
    pub fn residualize_from(
        &self,
        original: &[f64],
        x: &mut [f64],
        alpha: &mut [f64],
        tolerance: f64,
        max_iterations: usize,
        reference: f64,
        scratch: &mut Scratch,
    ) -> Result<usize, NotConverged> {
        let g = self.coefficients();
        if self.fe.dims() == 0 {
            x.copy_from_slice(original);
            return Ok(0);
        }
        let total_weight: f64 = self.weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        let floor = (1e-13 * self.weighted_norm(original)).max(tolerance * reference);
        self.residual_from(original, alpha, x);
        let eliminated = self.eliminated.map(|e| (e, self.fe.starts[e]..self.fe.starts[e] + self.fe.levels[e]));
        scratch.prepare(g, eliminated.as_ref().map_or(0, |(_, range)| range.len()));
        let Scratch { r, z, p, q, means } = scratch;
        let mut done = 0;
        let mut last = f64::INFINITY;
        let mut previous_move = f64::INFINITY;
        let mut stalled = 0;
        while done < max_iterations {
            // Conjugate gradients from the current α. The residual e = x − Dα is not formed during the iterations:
            // its weighted norm follows from ‖e − s·u‖² = ‖e‖² − 2s (r·p) + s² (p·q), with u the residual's move,
            // r = D'We and q the operator's product. With a dimension eliminated, it is first solved exactly (so
            // r is zero there) and the gradients run on the other dimensions' Schur complement.
            let mut norm2 = match &eliminated {
                Some((e, _)) => self.project_and_gradient(*e, x, alpha, r, means),
                None => self.gradient(x, r),
            };
            let mut rz = 0.0;
            for ((zi, ri), inv) in z.iter_mut().zip(r.iter()).zip(&self.inv_weight) {
                *zi = ri * inv;
                rz += ri * *zi;
            }
            p.copy_from_slice(z);
            let mut moved_alpha = false;
            while done < max_iterations {
                let explained = rz.max(0.0).sqrt();
                let e_norm = norm2.max(0.0).sqrt();
                last = explained / e_norm.max(f64::MIN_POSITIVE);
                if explained <= floor || explained <= tolerance * e_norm {
                    break;
                }
                let pq = match &eliminated {
                    Some((e, _)) => self.apply_schur(*e, p, q, means),
                    None => self.apply(p, q),
                };
                done += 1;
                if !(pq > 0.0 && pq.is_finite()) {
                    break;
                }
                let step = rz / pq;
                let rp: f64 = r.iter().zip(p.iter()).map(|(a, b)| a * b).sum();
                norm2 += step * (step * pq - 2.0 * rp);
                for (a, pi) in alpha.iter_mut().zip(p.iter()) {
                    *a += step * pi;
                }
                if let Some((_, range)) = &eliminated {
                    for (a, m) in alpha[range.clone()].iter_mut().zip(means.iter()) {
                        *a -= step * m;
                    }
                }
                moved_alpha = true;
                let mut rz_new = 0.0;
                for (((ri, qi), zi), inv) in r.iter_mut().zip(q.iter()).zip(z.iter_mut()).zip(&self.inv_weight) {
                    *ri -= step * qi;
                    *zi = *ri * inv;
                    rz_new += *ri * *zi;
                }
                let beta = rz_new / rz;
                for (pi, zi) in p.iter_mut().zip(z.iter()) {
                    *pi = zi + beta * *pi;
                }
                rz = rz_new;
            }
            let norm2 = if moved_alpha { self.residual_from(original, alpha, x) } else { norm2 };
            // A loose solve (IRLS's early steps) stops here: levels of little weight, which the gradients' norm
            // hardly sees, are settled by the later, tight solves.
            if tolerance >= SWEEP_BELOW {
                return Ok(done);
            }
            // Level by level: each level's weighted mean residual is the move a Gauss–Seidel step would make.
            self.gradient(x, r);
            let rms = norm2.max(0.0).sqrt() / total_weight.sqrt();
            let pending = r.iter().zip(&self.inv_weight).fold(0.0_f64, |m, (ri, inv)| m.max((ri * inv).abs()));
            if pending <= tolerance * rms || norm2.max(0.0).sqrt() <= floor {
                return Ok(done);
            }
            let moved = self.sweep(x, alpha, q);
            done += 1;
            let rms = self.weighted_norm(x) / total_weight.sqrt();
            if moved <= tolerance * rms {
                return Ok(done);
            }
            // Rounding sets a floor on how still the levels can get: when the moves stop shrinking within a
            // thousand times the tolerance, that floor is reached.
            stalled = if moved > 0.5 * previous_move { stalled + 1 } else { 0 };
            if stalled >= 3 && moved <= 1e3 * tolerance * rms {
                return Ok(done);
            }
            previous_move = moved;
            last = last.max(moved / rms.max(f64::MIN_POSITIVE));
        }
        Err(NotConverged { iterations: max_iterations, residual: last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ppml::design::Factor;

    #[test]
    fn residual_is_orthogonal_to_every_dummy() {
        let a = Factor::from_integers("a", &[0, 0, 1, 1, 2, 2, 0, 1, 2, 3]).unwrap();
        let b = Factor::from_integers("b", &[0, 1, 0, 1, 0, 1, 2, 2, 2, 0]).unwrap();
        let rows: Vec<usize> = (0..10).collect();
        let fe = SampleEffects::new(&[&a, &b], &rows);
        let w: Vec<f64> = (0..10).map(|i| 0.5 + f64::from(i) * 0.3).collect();
        let x0: Vec<f64> = (0..10).map(|i| f64::from(i * i % 7) - 2.0).collect();
        let projector = Projector::new(&fe, &w);
        let mut x = x0.clone();
        let mut alpha = vec![0.0; projector.coefficients()];
        projector.residualize(&mut x, &mut alpha, 1e-13, 1000).unwrap();
        for (d, codes) in fe.codes.iter().enumerate() {
            for level in 0..fe.levels[d] {
                let s: f64 = (0..10).filter(|&i| codes[i] as usize == level).map(|i| w[i] * x[i]).sum();
                assert!(s.abs() < 1e-10, "dim {d} level {level}: {s}");
            }
        }
        // x0 − x = Dα.
        for i in 0..10 {
            let fit = alpha[fe.starts[0] + fe.codes[0][i] as usize] + alpha[fe.starts[1] + fe.codes[1][i] as usize];
            assert!((x0[i] - x[i] - fit).abs() < 1e-10);
        }
    }
}
