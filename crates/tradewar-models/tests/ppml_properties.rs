//! PPML: properties that must hold on any data (weights as repeated rows, offsets, recovered fixed effects that
//! rebuild the fit), the variance against a dense sandwich written out by hand, and bad input as typed errors.

use tradewar_models::ppml::{
    ppml, ClusterDf, Collinear, Factor, PpmlData, PpmlOptions, RowStatus, Separation, SmallSample,
};
use tradewar_models::ModelError;

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A small panel: `groups_a × groups_b` cells, `reps` rows each, two regressors, outcome with some zeros.
struct Panel {
    y: Vec<f64>,
    x1: Vec<f64>,
    x2: Vec<f64>,
    a: Vec<i64>,
    b: Vec<i64>,
    c1: Vec<i64>,
    c2: Vec<i64>,
}

fn panel(seed: u64) -> Panel {
    let mut rng = Lcg(seed);
    let mut p = Panel { y: vec![], x1: vec![], x2: vec![], a: vec![], b: vec![], c1: vec![], c2: vec![] };
    for a in 0..6 {
        for b in 0..5 {
            for rep in 0..3 {
                let x1 = rng.next() * 2.0 - 1.0;
                let x2 = if rng.next() < 0.4 { 1.0 } else { 0.0 };
                let eta = 0.3 * f64::from(a) - 0.2 * f64::from(b) + 0.7 * x1 - 0.4 * x2;
                let y = if rng.next() < 0.15 { 0.0 } else { eta.exp() * (0.5 + rng.next()) };
                p.y.push(y);
                p.x1.push(x1);
                p.x2.push(x2);
                p.a.push(i64::from(a));
                p.b.push(i64::from(b));
                p.c1.push(i64::from((a + rep) % 4));
                p.c2.push(i64::from(b % 3));
            }
        }
    }
    p
}

fn data(p: &Panel) -> PpmlData {
    PpmlData::new("y", p.y.clone())
        .and_then(|d| d.with_regressor("x1", p.x1.clone()))
        .and_then(|d| d.with_regressor("x2", p.x2.clone()))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("a", &p.a)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("b", &p.b)?))
        .expect("data")
}

/// Dense `A⁻¹` by Gauss–Jordan with partial pivoting.
fn inverse(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| m[x * n + c].abs().total_cmp(&m[y * n + c].abs())).expect("pivot");
        for k in 0..n {
            m.swap(c * n + k, p * n + k);
            inv.swap(c * n + k, p * n + k);
        }
        let d = m[c * n + c];
        for k in 0..n {
            m[c * n + k] /= d;
            inv[c * n + k] /= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[r * n + c];
                for k in 0..n {
                    m[r * n + k] -= f * m[c * n + k];
                    inv[r * n + k] -= f * inv[c * n + k];
                }
            }
        }
    }
    inv
}

/// The regressors' variance from the full design [x1, x2, dummies of a, dummies of b except b = 0] written out,
/// with meat `Σ_g s_g s_g'` over `groups` (one group per row when `None`).
fn dense_variance(p: &Panel, mu: &[f64], groups: Option<&[i64]>) -> Vec<f64> {
    let n = p.y.len();
    let k = 2 + 6 + 4;
    let row = |i: usize| {
        let mut r = vec![0.0; k];
        r[0] = p.x1[i];
        r[1] = p.x2[i];
        r[2 + p.a[i] as usize] = 1.0;
        if p.b[i] > 0 {
            r[8 + p.b[i] as usize - 1] = 1.0;
        }
        r
    };
    let mut h = vec![0.0; k * k];
    let mut scores: std::collections::BTreeMap<i64, Vec<f64>> = std::collections::BTreeMap::new();
    for i in 0..n {
        let r = row(i);
        for a in 0..k {
            for b in 0..k {
                h[a * k + b] += mu[i] * r[a] * r[b];
            }
        }
        let g = groups.map_or(i as i64, |g| g[i]);
        let s = scores.entry(g).or_insert_with(|| vec![0.0; k]);
        for a in 0..k {
            s[a] += r[a] * (p.y[i] - mu[i]);
        }
    }
    let mut meat = vec![0.0; k * k];
    for s in scores.values() {
        for a in 0..k {
            for b in 0..k {
                meat[a * k + b] += s[a] * s[b];
            }
        }
    }
    let hi = inverse(&h, k);
    let mut v = vec![0.0; 4];
    for (oa, a) in [0, 1].iter().enumerate() {
        for (ob, b) in [0, 1].iter().enumerate() {
            let mut s = 0.0;
            for c in 0..k {
                for d in 0..k {
                    s += hi[a * k + c] * meat[c * k + d] * hi[d * k + b];
                }
            }
            v[oa * 2 + ob] = s;
        }
    }
    v
}

#[test]
fn variance_matches_a_dense_sandwich_under_each_convention() {
    let p = panel(7);
    let base = data(&p);
    let n = p.y.len() as f64;
    let options = |small_sample, cluster_df| PpmlOptions {
        small_sample,
        cluster_df,
        drop_singletons: false,
        ..PpmlOptions::default()
    };
    // Robust.
    let fit = ppml(&base, &options(SmallSample::Stata, ClusterDf::Min)).expect("fit");
    assert_eq!(fit.observations, p.y.len(), "no row dropped: {:?}", fit.notes);
    let dense = dense_variance(&p, &fit.fitted, None);
    let fixest_k = 2.0 + (6.0 + 5.0 - 1.0);
    for (convention, factor) in
        [(SmallSample::Stata, n / (n - 1.0)), (SmallSample::Fixest, n / (n - fixest_k)), (SmallSample::None, 1.0)]
    {
        let f = ppml(&base, &options(convention, ClusterDf::Min)).expect("fit");
        for (j, term) in ["x1", "x2"].iter().enumerate() {
            let se = f.coefficient(term).expect("term").std_error;
            let want = (dense[j * 2 + j] * factor).sqrt();
            assert!((se / want - 1.0).abs() < 1e-8, "{convention:?} {term}: {se} vs {want}");
        }
    }
    // One-way clustered by c1 (4 clusters; neither fixed effect is nested in it).
    let one = base.clone().with_cluster(Factor::from_integers("c1", &p.c1).expect("c1")).expect("cluster");
    let dense1 = dense_variance(&p, &fit.fitted, Some(&p.c1));
    for (convention, factor) in
        [(SmallSample::Stata, 4.0 / 3.0), (SmallSample::Fixest, (n - 1.0) / (n - fixest_k) * 4.0 / 3.0)]
    {
        let f = ppml(&one, &options(convention, ClusterDf::Min)).expect("fit");
        let se = f.coefficient("x1").expect("x1").std_error;
        let want = (dense1[0] * factor).sqrt();
        assert!((se / want - 1.0).abs() < 1e-8, "{convention:?}: {se} vs {want}");
    }
    // Two-way: c1 (4 clusters) and c2 (3), intersection as its own clustering.
    let two = one.clone().with_cluster(Factor::from_integers("c2", &p.c2).expect("c2")).expect("cluster");
    let inter: Vec<i64> = p.c1.iter().zip(&p.c2).map(|(a, b)| a * 10 + b).collect();
    let g12 = inter.iter().collect::<std::collections::BTreeSet<_>>().len() as f64;
    let (d1, d2, d12) =
        (dense1, dense_variance(&p, &fit.fitted, Some(&p.c2)), dense_variance(&p, &fit.fitted, Some(&inter)));
    for (df, f1, f2, f12) in
        [(ClusterDf::Min, 1.5, 1.5, 1.5), (ClusterDf::Conventional, 4.0 / 3.0, 1.5, g12 / (g12 - 1.0))]
    {
        let f = ppml(&two, &options(SmallSample::Stata, df)).expect("fit");
        let se = f.coefficient("x1").expect("x1").std_error;
        let want = (f1 * d1[0] + f2 * d2[0] - f12 * d12[0]).sqrt();
        assert!((se / want - 1.0).abs() < 1e-8, "{df:?}: {se} vs {want}");
    }
}

#[test]
fn integer_weights_equal_repeated_rows_and_offsets_equal_fixed_coefficients() {
    let p = panel(11);
    let weights: Vec<f64> = (0..p.y.len()).map(|i| (i % 3) as f64 + 1.0).collect();
    let weighted = data(&p).with_weights(weights.clone()).expect("weights");
    let fw = ppml(&weighted, &PpmlOptions::default()).expect("weighted");
    let mut q = Panel { y: vec![], x1: vec![], x2: vec![], a: vec![], b: vec![], c1: vec![], c2: vec![] };
    for (i, w) in weights.iter().enumerate() {
        for _ in 0..(*w as usize) {
            q.y.push(p.y[i]);
            q.x1.push(p.x1[i]);
            q.x2.push(p.x2[i]);
            q.a.push(p.a[i]);
            q.b.push(p.b[i]);
        }
    }
    let fr = ppml(&data(&q), &PpmlOptions::default()).expect("repeated");
    for term in ["x1", "x2"] {
        let (a, b) = (fw.coefficient(term).expect("t").estimate, fr.coefficient(term).expect("t").estimate);
        assert!((a - b).abs() < 1e-9, "{term}: {a} vs {b}");
    }
    assert!((fw.deviance / fr.deviance - 1.0).abs() < 1e-9);

    // Offset = β̂₂·x2 with x2 dropped: the same fit, x1 unchanged.
    let full = ppml(&data(&p), &PpmlOptions::default()).expect("full");
    let b2 = full.coefficient("x2").expect("x2").estimate;
    let offset_data = PpmlData::new("y", p.y.clone())
        .and_then(|d| d.with_regressor("x1", p.x1.clone()))
        .and_then(|d| d.with_offset(p.x2.iter().map(|x| b2 * x).collect()))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("a", &p.a)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("b", &p.b)?))
        .expect("data");
    let fo = ppml(&offset_data, &PpmlOptions::default()).expect("offset");
    assert!((fo.coefficient("x1").expect("x1").estimate - full.coefficient("x1").expect("x1").estimate).abs() < 1e-8);
    assert!((fo.deviance / full.deviance - 1.0).abs() < 1e-10);
}

#[test]
fn recovered_fixed_effects_rebuild_the_fitted_values() {
    let p = panel(3);
    let fit = ppml(&data(&p), &PpmlOptions { references: vec![("b".into(), "2".into())], ..PpmlOptions::default() })
        .expect("fit");
    let (fa, fb) = (fit.fixed_effect("a").expect("a"), fit.fixed_effect("b").expect("b"));
    assert_eq!(fb.value("2"), Some(0.0));
    let (b1, b2) = (fit.coefficient("x1").expect("x1").estimate, fit.coefficient("x2").expect("x2").estimate);
    for i in 0..p.y.len() {
        if fit.row_status[i] != RowStatus::Used {
            continue;
        }
        let eta = b1 * p.x1[i]
            + b2 * p.x2[i]
            + fa.value(&p.a[i].to_string()).expect("a")
            + fb.value(&p.b[i].to_string()).expect("b");
        assert!((eta.exp() / fit.fitted[i] - 1.0).abs() < 1e-9, "row {i}");
    }
    // Two references in one connected set over-identify: refused, not answered.
    let err = ppml(
        &data(&p),
        &PpmlOptions { references: vec![("b".into(), "2".into()), ("a".into(), "1".into())], ..PpmlOptions::default() },
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a normalisation"), "{err}");
}

fn expect_input_error<T: std::fmt::Debug>(r: Result<T, ModelError>, words: &[&str]) {
    match r {
        Err(e @ ModelError::InvalidInput { .. }) => {
            for w in words {
                assert!(e.to_string().contains(w), "{e} should mention {w:?}");
            }
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn expect_not_identified<T: std::fmt::Debug>(r: Result<T, ModelError>, words: &[&str]) {
    match r {
        Err(e @ ModelError::NotIdentified { .. }) => {
            for w in words {
                assert!(e.to_string().contains(w), "{e} should mention {w:?}");
            }
        }
        other => panic!("expected NotIdentified, got {other:?}"),
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_what_and_where() {
    expect_input_error(PpmlData::new("trade", vec![1.0, f64::NAN]), &["trade", "row 1", "NaN"]);
    expect_input_error(PpmlData::new("trade", vec![1.0, -2.0]), &["row 1", "non-negative"]);
    expect_input_error(PpmlData::new("trade", vec![]), &["no rows"]);
    let base = PpmlData::new("trade", vec![1.0, 2.0, 0.0, 3.0]).expect("y");
    expect_input_error(base.clone().with_regressor("d", vec![1.0, f64::INFINITY, 0.0, 1.0]), &["regressor d", "row 1"]);
    expect_input_error(base.clone().with_regressor("d", vec![1.0]), &["regressor d", "1 rows"]);
    expect_input_error(base.clone().with_weights(vec![1.0, -1.0, 1.0, 1.0]), &["weights", "row 1"]);
    expect_input_error(base.clone().with_offset(vec![0.0, 0.0, f64::NAN, 0.0]), &["offset", "row 2"]);
    let dup = base.clone().with_regressor("d", vec![1.0; 4]).expect("d");
    expect_input_error(dup.with_regressor("d", vec![2.0; 4]), &["used twice"]);
    let f = Factor::from_labels("c", &["a", "b", "a", "b"]).expect("f");
    let three = base.clone().with_cluster(f.clone()).and_then(|d| d.with_cluster(f.clone())).expect("two");
    expect_input_error(three.with_cluster(f), &["at most two"]);
    expect_input_error(
        ppml(&base, &PpmlOptions { tolerance: 0.0, ..PpmlOptions::default() }),
        &["tolerance", "(0, 1)"],
    );

    // The outcome zero everywhere: nothing to estimate.
    let zeros = PpmlData::new("trade", vec![0.0; 4]).expect("y");
    expect_not_identified(ppml(&zeros, &PpmlOptions::default()), &["zero on every row"]);

    // A regressor the fixed effects absorb, and one with no variation: named, with what to do.
    let p = panel(5);
    let by_a: Vec<f64> = p.a.iter().map(|a| (*a as f64).sqrt()).collect();
    let absorbed = data(&p).with_regressor("by_a", by_a).expect("data");
    expect_not_identified(ppml(&absorbed, &PpmlOptions::default()), &["by_a", "absorbed by the fixed effects"]);
    let fit = ppml(&absorbed, &PpmlOptions { collinear: Collinear::Omit, ..PpmlOptions::default() }).expect("omit");
    assert!(fit.coefficient("by_a").expect("term").omitted);
    assert!(fit.notes.iter().any(|n| n.contains("by_a")), "{:?}", fit.notes);
    let constant = PpmlData::new("y", p.y.clone())
        .and_then(|d| d.with_regressor("x1", p.x1.clone()))
        .and_then(|d| d.with_regressor("flat", vec![2.0; p.y.len()]))
        .expect("data");
    expect_not_identified(ppml(&constant, &PpmlOptions::default()), &["flat", "collinear with _cons"]);

    // A unit whose flows are all zero: dropped as separated and reported, or, with the checks off, refused.
    let mut q = panel(9);
    for (y, a) in q.y.iter_mut().zip(&q.a) {
        if *a == 2 {
            *y = 0.0;
        }
    }
    let fit = ppml(&data(&q), &PpmlOptions::default()).expect("fit");
    assert_eq!(fit.rows_with(RowStatus::SeparatedByFixedEffect).len(), 15);
    assert!(fit.fixed_effect("a").expect("a").value("2").is_none());
    expect_not_identified(
        ppml(&data(&q), &PpmlOptions { separation: Separation::NONE, ..PpmlOptions::default() }),
        &["separated"],
    );
}

#[test]
fn singletons_are_dropped_by_default_and_kept_on_request() {
    let mut p = panel(13);
    // A level of `a` with one row.
    p.y.push(2.0);
    p.x1.push(0.3);
    p.x2.push(0.0);
    p.a.push(99);
    p.b.push(1);
    let dropped = ppml(&data(&p), &PpmlOptions::default()).expect("fit");
    let last = p.y.len() - 1;
    assert_eq!(dropped.row_status[last], RowStatus::Singleton);
    assert_eq!(dropped.fitted[last], 2.0);
    let kept = ppml(&data(&p), &PpmlOptions { drop_singletons: false, ..PpmlOptions::default() }).expect("fit");
    assert_eq!(kept.row_status[last], RowStatus::Used);
    // A singleton carries no information on the coefficients.
    let (a, b) = (dropped.coefficient("x1").expect("x1").estimate, kept.coefficient("x1").expect("x1").estimate);
    assert!((a - b).abs() < 1e-8, "{a} vs {b}");
}
