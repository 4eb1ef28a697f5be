//! SMART over a synthetic HS6 world table: 5,000 products × 200 importers ×
//! 10 partners = 10 million flows in 1 million markets, generated once from a
//! fixed LCG outside the timing. Measures the single-threaded pass and the
//! rayon pass, each with fresh result memory (validation, allocation, page
//! faults and freeing included) and into reused buffers.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tradewar_models::smart::{
    smart, smart_into, smart_par, smart_par_into, SmartElasticities, SmartFlows, SmartResults,
};

const PRODUCTS: u32 = 5_000;
const IMPORTERS: u32 = 200;
const PARTNERS: u32 = 10;

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn world_table() -> (SmartFlows, Vec<SmartElasticities>) {
    let mut rng = Lcg(20_180_706);
    let markets = (PRODUCTS * IMPORTERS) as usize;
    let mut flows = SmartFlows::with_capacity(markets * PARTNERS as usize);
    let mut elasticities = Vec::with_capacity(markets);
    for product in 0..PRODUCTS {
        for importer in 0..IMPORTERS {
            let market = product * IMPORTERS + importer;
            let e_m = -0.2 - 2.8 * rng.next();
            let e_x = if rng.next() < 0.25 { 0.5 + 10.0 * rng.next() } else { 99.0 };
            elasticities.push(SmartElasticities::new(e_m, e_x, 0.5 + 9.5 * rng.next()));
            for k in 0..PARTNERS {
                let partner = (importer + 1 + k * 17) % IMPORTERS;
                // skewed import values, some zero
                let u = rng.next();
                let imports = if u < 0.05 { 0.0 } else { (12.0 * u).exp() };
                let t0 = 0.3 * rng.next() * rng.next();
                let t1 = if rng.next() < 0.3 { t0 + 0.25 * rng.next() } else { t0 };
                flows.push(market, partner, imports, t0, t1);
            }
        }
    }
    (flows, elasticities)
}

fn bench_smart(c: &mut Criterion) {
    let (flows, elasticities) = world_table();
    let mut group = c.benchmark_group("smart_10m_flows");
    group.throughput(Throughput::Elements(flows.len() as u64));
    group.bench_function("single_thread", |b| {
        b.iter(|| smart(black_box(&flows), black_box(&elasticities), &[]).expect("valid input"));
    });
    group.bench_function("rayon", |b| {
        b.iter(|| smart_par(black_box(&flows), black_box(&elasticities), &[]).expect("valid input"));
    });
    // Repeated runs into the same buffers (as a sweep would do): no page
    // faults for fresh result memory.
    let mut results = SmartResults::default();
    group.bench_function("single_thread_reused_buffers", |b| {
        b.iter(|| smart_into(black_box(&flows), black_box(&elasticities), &[], &mut results).expect("valid input"));
    });
    group.bench_function("rayon_reused_buffers", |b| {
        b.iter(|| smart_par_into(black_box(&flows), black_box(&elasticities), &[], &mut results).expect("valid input"));
    });
    group.finish();
}

criterion_group!(benches, bench_smart);
criterion_main!(benches);
