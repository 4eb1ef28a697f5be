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

/// Why a solve stopped short of its tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NotConverged {
    /// Iterations done.
    pub iterations: usize,
    /// The relative residual reached.
    pub residual: f64,
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
        for (d, codes) in fe.codes.iter().enumerate() {
            let s = &mut sums[fe.starts[d]..fe.starts[d] + fe.levels[d]];
            for (&c, &w) in codes.iter().zip(weights) {
                s[c as usize] += w;
            }
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

    /// `out = D α`.
    fn gather(&self, alpha: &[f64], out: &mut [f64]) {
        let fe = self.fe;
        for (d, codes) in fe.codes.iter().enumerate() {
            let a = &alpha[fe.starts[d]..fe.starts[d] + fe.levels[d]];
            if d == 0 {
                for (o, &c) in out.iter_mut().zip(codes) {
                    *o = a[c as usize];
                }
            } else {
                for (o, &c) in out.iter_mut().zip(codes) {
                    *o += a[c as usize];
                }
            }
        }
    }

    /// `q = D' W D p` in one pass over the rows (pinned levels of `q` zeroed); returns `p · q`.
    fn apply(&self, p: &[f64], q: &mut [f64]) -> f64 {
        q.fill(0.0);
        let dims = self.fe.dims();
        let rows = self.fe.stacked.chunks_exact(dims).zip(self.weights);
        match dims {
            1 => {
                for (l, &w) in rows {
                    q[l[0] as usize] += w * p[l[0] as usize];
                }
            }
            2 => {
                for (l, &w) in rows {
                    let (a, b) = (l[0] as usize, l[1] as usize);
                    let ws = w * (p[a] + p[b]);
                    q[a] += ws;
                    q[b] += ws;
                }
            }
            3 => {
                for (l, &w) in rows {
                    let (a, b, c) = (l[0] as usize, l[1] as usize, l[2] as usize);
                    let ws = w * (p[a] + p[b] + p[c]);
                    q[a] += ws;
                    q[b] += ws;
                    q[c] += ws;
                }
            }
            _ => {
                for (l, &w) in rows {
                    let ws = w * l.iter().map(|&a| p[a as usize]).sum::<f64>();
                    for &a in l {
                        q[a as usize] += ws;
                    }
                }
            }
        }
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
        let dims = fe.dims();
        let start = fe.starts[e];
        means.fill(0.0);
        q.fill(0.0);
        let rows = || fe.stacked.chunks_exact(dims).zip(self.weights);
        let others =
            |l: &[u32]| -> f64 { l.iter().enumerate().filter(|(d, _)| *d != e).map(|(_, &a)| p[a as usize]).sum() };
        match (dims, e) {
            (2, 0) => {
                for (l, &w) in rows() {
                    means[l[0] as usize - start] += w * p[l[1] as usize];
                }
            }
            (2, 1) => {
                for (l, &w) in rows() {
                    means[l[1] as usize - start] += w * p[l[0] as usize];
                }
            }
            (3, _) => {
                let (o1, o2) = match e {
                    0 => (1, 2),
                    1 => (0, 2),
                    _ => (0, 1),
                };
                for (l, &w) in rows() {
                    means[l[e] as usize - start] += w * (p[l[o1] as usize] + p[l[o2] as usize]);
                }
            }
            _ => {
                for (l, &w) in rows() {
                    means[l[e] as usize - start] += w * others(l);
                }
            }
        }
        for (m, inv) in means.iter_mut().zip(&self.inv_weight[start..start + fe.levels[e]]) {
            *m *= inv;
        }
        match (dims, e) {
            (2, 0) => {
                for (l, &w) in rows() {
                    let b = l[1] as usize;
                    q[b] += w * (p[b] - means[l[0] as usize - start]);
                }
            }
            (2, 1) => {
                for (l, &w) in rows() {
                    let a = l[0] as usize;
                    q[a] += w * (p[a] - means[l[1] as usize - start]);
                }
            }
            (3, _) => {
                let (o1, o2) = match e {
                    0 => (1, 2),
                    1 => (0, 2),
                    _ => (0, 1),
                };
                for (l, &w) in rows() {
                    let (a, b) = (l[o1] as usize, l[o2] as usize);
                    let v = w * (p[a] + p[b] - means[l[e] as usize - start]);
                    q[a] += v;
                    q[b] += v;
                }
            }
            _ => {
                for (l, &w) in rows() {
                    let v = w * (others(l) - means[l[e] as usize - start]);
                    for (d, &a) in l.iter().enumerate() {
                        if d != e {
                            q[a as usize] += v;
                        }
                    }
                }
            }
        }
        p.iter().zip(q.iter()).map(|(a, b)| a * b).sum()
    }

    /// Moves the coefficients of dimension `d` by the weighted mean residual of each of its levels (exact for
    /// that dimension given the others); updates the residual `e`.
    fn project_dimension(&self, d: usize, e: &mut [f64], alpha: &mut [f64], buffer: &mut [f64]) {
        let fe = self.fe;
        let range = fe.starts[d]..fe.starts[d] + fe.levels[d];
        let m = &mut buffer[range.clone()];
        m.fill(0.0);
        let codes = &fe.codes[d];
        for ((&c, &w), &x) in codes.iter().zip(self.weights).zip(e.iter()) {
            m[c as usize] += w * x;
        }
        for (mi, inv) in m.iter_mut().zip(&self.inv_weight[range.clone()]) {
            *mi *= inv;
        }
        for (a, mi) in alpha[range].iter_mut().zip(m.iter()) {
            *a += mi;
        }
        for (x, &c) in e.iter_mut().zip(codes) {
            *x -= m[c as usize];
        }
    }

    /// `out = D' W v`, with pinned levels zeroed.
    fn scatter(&self, v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        let fe = self.fe;
        for (d, codes) in fe.codes.iter().enumerate() {
            let s = &mut out[fe.starts[d]..fe.starts[d] + fe.levels[d]];
            for ((&c, &w), &x) in codes.iter().zip(self.weights).zip(v) {
                s[c as usize] += w * x;
            }
        }
        if !self.pinned.is_empty() {
            for (o, &p) in out.iter_mut().zip(&self.pinned) {
                if p {
                    *o = 0.0;
                }
            }
        }
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
        let n = x.len();
        let g = self.coefficients();
        if self.fe.dims() == 0 {
            return Ok(0);
        }
        let total_weight: f64 = self.weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        let x_norm = self.weighted_norm(x);
        let floor = 1e-13 * x_norm;
        let original = x.to_vec();
        let mut v = vec![0.0; n];
        let residual = |alpha: &[f64], v: &mut [f64], x: &mut [f64]| {
            self.gather(alpha, v);
            for ((xi, vi), oi) in x.iter_mut().zip(v.iter()).zip(&original) {
                *xi = oi - vi;
            }
        };
        residual(alpha, &mut v, x);
        let mut r = vec![0.0; g];
        let mut z = vec![0.0; g];
        let mut p = vec![0.0; g];
        let mut q = vec![0.0; g];
        let mut done = 0;
        let mut last = f64::INFINITY;
        let mut previous_move = f64::INFINITY;
        let mut stalled = 0;
        let eliminated_range = self.eliminated.map(|e| self.fe.starts[e]..self.fe.starts[e] + self.fe.levels[e]);
        let mut means = vec![0.0; eliminated_range.as_ref().map_or(0, ExactSizeIterator::len)];
        while done < max_iterations {
            // Conjugate gradients from the current α. The residual e = x − Dα is not formed during the iterations:
            // its weighted norm follows from ‖e − s·u‖² = ‖e‖² − 2s (r·p) + s² (p·q), with u the residual's move,
            // r = D'We and q the operator's product. With a dimension eliminated, it is first solved exactly (so
            // r is zero there) and the gradients run on the other dimensions' Schur complement.
            if let Some(e) = self.eliminated {
                self.project_dimension(e, x, alpha, &mut q);
            }
            self.scatter(x, &mut r);
            if let Some(range) = &eliminated_range {
                r[range.clone()].fill(0.0);
            }
            let mut rz = 0.0;
            for ((zi, ri), inv) in z.iter_mut().zip(&r).zip(&self.inv_weight) {
                *zi = ri * inv;
                rz += ri * *zi;
            }
            p.copy_from_slice(&z);
            let mut norm2 = self.weighted_norm(x).powi(2);
            let mut moved_alpha = false;
            while done < max_iterations {
                let explained = rz.max(0.0).sqrt();
                let e_norm = norm2.max(0.0).sqrt();
                last = explained / e_norm.max(f64::MIN_POSITIVE);
                if explained <= floor || explained <= tolerance * e_norm {
                    break;
                }
                let pq = match self.eliminated {
                    Some(e) => self.apply_schur(e, &p, &mut q, &mut means),
                    None => self.apply(&p, &mut q),
                };
                done += 1;
                if !(pq > 0.0 && pq.is_finite()) {
                    break;
                }
                let step = rz / pq;
                let rp: f64 = r.iter().zip(&p).map(|(a, b)| a * b).sum();
                norm2 += step * (step * pq - 2.0 * rp);
                for (a, pi) in alpha.iter_mut().zip(&p) {
                    *a += step * pi;
                }
                if let Some(range) = &eliminated_range {
                    for (a, m) in alpha[range.clone()].iter_mut().zip(&means) {
                        *a -= step * m;
                    }
                }
                moved_alpha = true;
                let mut rz_new = 0.0;
                for (((ri, qi), zi), inv) in r.iter_mut().zip(&q).zip(z.iter_mut()).zip(&self.inv_weight) {
                    *ri -= step * qi;
                    *zi = *ri * inv;
                    rz_new += *ri * *zi;
                }
                let beta = rz_new / rz;
                for (pi, zi) in p.iter_mut().zip(&z) {
                    *pi = zi + beta * *pi;
                }
                rz = rz_new;
            }
            if moved_alpha {
                residual(alpha, &mut v, x);
                self.scatter(x, &mut r);
                for ((zi, ri), inv) in z.iter_mut().zip(&r).zip(&self.inv_weight) {
                    *zi = ri * inv;
                }
            }
            // A loose solve (IRLS's early steps) stops here: levels of little weight, which the gradients' norm
            // hardly sees, are settled by the later, tight solves.
            if tolerance >= SWEEP_BELOW {
                return Ok(done);
            }
            // Level by level: z holds each level's weighted mean residual, the move a Gauss–Seidel step would make.
            let rms = self.weighted_norm(x) / total_weight.sqrt();
            let pending = z.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if pending <= tolerance * rms || self.weighted_norm(x) <= floor {
                return Ok(done);
            }
            let moved = self.sweep(x, alpha, &mut q);
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
