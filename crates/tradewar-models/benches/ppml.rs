//! PPML with high-dimensional fixed effects: a synthetic gravity panel of 150 countries × 10 years (225,000
//! observations; 1,500 exporter-year, 1,500 importer-year and 22,500 pair effects; an RTA dummy), and, when
//! ../shared/data is present, the Advanced Guide's Chapter 2 panel (28,566 observations, 2,347 + 414 + 414
//! effects). Data are built outside the timing; the timed call is `ppml` with default options (separation checks
//! included).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use tradewar_models::ppml::{ppml, Factor, PpmlData, PpmlOptions};

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The synthetic panel: every ordered pair (domestic included) in every year, trade = exp(effects + 0.5·RTA) times
/// a lognormal-ish noise, a tenth of the flows zero.
fn synthetic(countries: usize, years: usize) -> PpmlData {
    let mut rng = Lcg(42);
    let exp_fe: Vec<f64> = (0..countries * years).map(|_| 3.0 * rng.next()).collect();
    let imp_fe: Vec<f64> = (0..countries * years).map(|_| 3.0 * rng.next()).collect();
    let pair_fe: Vec<f64> = (0..countries * countries).map(|_| -2.0 * rng.next()).collect();
    let (mut y, mut rta, mut ex, mut im, mut pair) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for t in 0..years {
        for i in 0..countries {
            for j in 0..countries {
                let p = i * countries + j;
                let agreement = if i != j && (i + j) % 7 == 0 && t >= years / 2 { 1.0 } else { 0.0 };
                let eta = exp_fe[i * years + t] + imp_fe[j * years + t] + pair_fe[p] + 0.5 * agreement;
                let noise = (rng.next() + rng.next() + rng.next() - 1.5) * 0.8;
                y.push(if rng.next() < 0.1 { 0.0 } else { (eta + noise).exp() });
                rta.push(agreement);
                ex.push((i * years + t) as i64);
                im.push((j * years + t) as i64);
                pair.push(p as i64);
            }
        }
    }
    PpmlData::new("trade", y)
        .and_then(|d| d.with_regressor("RTA", rta))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("exporter_year", &ex)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("importer_year", &im)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_integers("pair", &pair)?))
        .expect("synthetic panel")
}

/// The Advanced Guide's panel with the log's S1 specification, if ../shared/data is present.
fn yotov() -> Option<PpmlData> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/yotov-advanced-guide/chapter2_application2.csv");
    let mut reader = csv::Reader::from_path(path).ok()?;
    let (mut y, mut rta, mut pair, mut ex, mut im) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in reader.records() {
        let r = r.ok()?;
        let year: i64 = r[3].parse().ok()?;
        if ![1986, 1990, 1994, 1998, 2002, 2006].contains(&year) {
            continue;
        }
        let (e, i) = (r[0].to_string(), r[1].to_string());
        pair.push(match e.cmp(&i) {
            std::cmp::Ordering::Equal => "domestic".to_string(),
            std::cmp::Ordering::Less => format!("{e}-{i}"),
            std::cmp::Ordering::Greater => format!("{i}-{e}"),
        });
        ex.push(format!("{e}#{year}"));
        im.push(format!("{i}#{year}"));
        y.push(r[4].parse().ok()?);
        rta.push(r[9].parse().ok()?);
    }
    PpmlData::new("trade", y)
        .and_then(|d| d.with_regressor("RTA", rta))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("pair", &pair)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("exporter_year", &ex)?))
        .and_then(|d| d.with_fixed_effect(Factor::from_labels("importer_year", &im)?))
        .ok()
}

fn bench(c: &mut Criterion) {
    let options = PpmlOptions::default();
    let mut group = c.benchmark_group("ppml");
    group.sample_size(10);
    if let Some(data) = yotov() {
        group.bench_function("yotov_ch2_panel_3fe", |b| b.iter(|| ppml(black_box(&data), &options).expect("fit")));
    } else {
        eprintln!("SKIP yotov_ch2_panel_3fe: ../shared/data is absent");
    }
    let data = synthetic(150, 10);
    group.bench_function("synthetic_225k_3fe", |b| b.iter(|| ppml(black_box(&data), &options).expect("fit")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
