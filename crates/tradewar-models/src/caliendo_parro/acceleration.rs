//! Anderson acceleration (type II, memory `m`, with damping) of the
//! outer wage iteration: a few dozen unknowns, buffers allocated once.

/// Anderson mixing state for `x = G(x)` in `len` unknowns.
#[derive(Debug, Clone)]
pub(super) struct Anderson {
    len: usize,
    memory: usize,
    damping: f64,
    /// Past steps `Δx` and residual changes `Δf`, column `c` at `c * len`.
    dx: Vec<f64>,
    df: Vec<f64>,
    /// Columns held (at most `memory`), and the next column to overwrite.
    held: usize,
    next: usize,
    prev_x: Vec<f64>,
    prev_f: Vec<f64>,
    has_prev: bool,
    // Scratch of the least-squares solve.
    q: Vec<f64>,
    r: Vec<f64>,
    gamma: Vec<f64>,
    order: Vec<usize>,
}

impl Anderson {
    pub(super) fn new(len: usize, memory: usize, damping: f64) -> Self {
        let memory = memory.min(len).min(16);
        Self {
            len,
            memory,
            damping,
            dx: vec![0.0; len * memory],
            df: vec![0.0; len * memory],
            held: 0,
            next: 0,
            prev_x: vec![0.0; len],
            prev_f: vec![0.0; len],
            has_prev: false,
            q: vec![0.0; len * memory],
            r: vec![0.0; memory * memory],
            gamma: vec![0.0; memory],
            order: vec![0; memory],
        }
    }

    /// The step length of the mixing.
    pub(super) fn damping(&self) -> f64 {
        self.damping
    }

    /// A shorter step (after the iteration stalled); forgets the history.
    pub(super) fn set_damping(&mut self, damping: f64) {
        self.damping = damping;
        self.reset();
    }

    /// Forgets the history (after a step that made things worse).
    pub(super) fn reset(&mut self) {
        self.held = 0;
        self.next = 0;
        self.has_prev = false;
    }

    /// Given the iterate `x` and its residual `f = G(x) − x`, writes the
    /// next iterate into `x`.
    pub(super) fn step(&mut self, x: &mut [f64], f: &[f64]) {
        let n = self.len;
        if self.memory > 0 && self.has_prev {
            let c = self.next;
            for k in 0..n {
                self.dx[c * n + k] = x[k] - self.prev_x[k];
                self.df[c * n + k] = f[k] - self.prev_f[k];
            }
            self.next = (self.next + 1) % self.memory;
            self.held = (self.held + 1).min(self.memory);
        }
        self.prev_x.copy_from_slice(x);
        self.prev_f.copy_from_slice(f);
        self.has_prev = true;
        let used = self.solve_gamma(f);
        for (xk, fk) in x.iter_mut().zip(f) {
            *xk += self.damping * fk;
        }
        for (slot, &col) in self.order[..used].iter().enumerate() {
            let g = self.gamma[slot];
            let (dx, df) = (&self.dx[col * n..(col + 1) * n], &self.df[col * n..(col + 1) * n]);
            for ((xk, a), b) in x.iter_mut().zip(dx).zip(df) {
                *xk -= g * (a + self.damping * b);
            }
        }
    }

    /// Least squares `min ‖f − ΔF γ‖` by modified Gram–Schmidt, dropping
    /// columns that are (nearly) dependent on the ones before. Returns the
    /// number of columns used; their indices are in `order`.
    fn solve_gamma(&mut self, f: &[f64]) -> usize {
        let n = self.len;
        let mut used = 0;
        for age in 0..self.held {
            // Oldest first, so that the newest columns are the ones kept when dependent.
            let col = (self.next + self.memory - self.held + age) % self.memory;
            let src = &self.df[col * n..(col + 1) * n];
            let norm0 = src.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm0 == 0.0 || !norm0.is_finite() {
                continue;
            }
            self.q[used * n..(used + 1) * n].copy_from_slice(src);
            for p in 0..used {
                let (head, tail) = self.q.split_at_mut(used * n);
                let qp = &head[p * n..(p + 1) * n];
                let v = &mut tail[..n];
                let dot: f64 = qp.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
                self.r[p * self.memory + used] = dot;
                for (vk, qk) in v.iter_mut().zip(qp) {
                    *vk -= dot * qk;
                }
            }
            let v = &mut self.q[used * n..(used + 1) * n];
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm <= 1e-10 * norm0 {
                continue;
            }
            for x in v.iter_mut() {
                *x /= norm;
            }
            self.r[used * self.memory + used] = norm;
            self.order[used] = col;
            used += 1;
        }
        // γ = R⁻¹ Qᵀ f.
        for p in 0..used {
            self.gamma[p] = self.q[p * n..(p + 1) * n].iter().zip(f).map(|(a, b)| a * b).sum();
        }
        for p in (0..used).rev() {
            let mut v = self.gamma[p];
            for c in p + 1..used {
                v -= self.r[p * self.memory + c] * self.gamma[c];
            }
            self.gamma[p] = v / self.r[p * self.memory + p];
        }
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear contraction x = A x + b is solved in about `len` accelerated steps.
    #[test]
    fn solves_a_linear_fixed_point_fast() {
        let a = [[0.5, 0.3, 0.1], [-0.2, 0.6, 0.1], [0.1, 0.1, 0.7]];
        let b = [1.0, 2.0, 3.0];
        let g =
            |x: &[f64]| -> Vec<f64> { (0..3).map(|i| (0..3).map(|k| a[i][k] * x[k]).sum::<f64>() + b[i]).collect() };
        let mut acc = Anderson::new(3, 5, 1.0);
        let mut x = vec![0.0; 3];
        let mut steps = 0;
        loop {
            let gx = g(&x);
            let f: Vec<f64> = gx.iter().zip(&x).map(|(p, q)| p - q).collect();
            if f.iter().map(|v| v.abs()).fold(0.0, f64::max) < 1e-12 {
                break;
            }
            acc.step(&mut x, &f);
            steps += 1;
            assert!(steps < 12, "too slow: {steps} steps, residual {f:?}");
        }
        let gx = g(&x);
        for k in 0..3 {
            assert!((gx[k] - x[k]).abs() < 1e-11);
        }
    }
}
