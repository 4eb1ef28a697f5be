//! The schedule's bulk query: total ad valorem duty of 1 million synthetic US customs lines from China under the
//! 2018–2020 schedule (US MFN 2017 plus Section 232 and the Section 301 lists, rates as of each date). Lines are
//! drawn uniformly from the US MFN table's HTS8 lines and dates uniformly from 2018-01-01 to 2020-12-31 with a
//! fixed LCG, outside the timing; the timed call is `Schedule::bulk_totals` (policy compiled once per date). A line
//! that a list splits at 10 digits cannot be priced as one line: such a draw takes the first 10-digit code listed
//! below it, as a customs entry would.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tradewar_core::{CustomsLines, Economy, HsCode};

const LINES: usize = 1_000_000;

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }
}

fn customs_lines(schedule: &tradewar_core::Schedule) -> CustomsLines {
    let mfn = tradewar_data::embedded::us_mfn_2017().expect("US MFN 2017");
    let at = schedule.at(NaiveDate::from_ymd_opt(2020, 12, 31).expect("date"));
    let codes: Vec<HsCode> = mfn
        .lines()
        .map(|(code, _)| at.split_by(Economy::USA, Some(Economy::CHN), code).first().map_or(code, |(_, finer)| *finer))
        .collect();
    let first = NaiveDate::from_ymd_opt(2018, 1, 1).expect("date");
    let last = NaiveDate::from_ymd_opt(2020, 12, 31).expect("date");
    let days = (last - first).num_days() as usize + 1;
    let mut rng = Lcg(20_180_706);
    let mut lines = CustomsLines::default();
    for _ in 0..LINES {
        let code = codes[rng.below(codes.len())];
        let date = first + Days::new(rng.below(days) as u64);
        lines.push(Economy::USA, Economy::CHN, code, date);
    }
    lines
}

fn bench_schedule(c: &mut Criterion) {
    let schedule = tradewar_data::us_china_2018::schedule().expect("schedule");
    let lines = customs_lines(&schedule);
    let totals = schedule.bulk_totals(&lines).expect("every line priced");
    let priced = totals.iter().filter(|t| t.is_some()).count();
    eprintln!("{} customs lines, {priced} with an ad valorem total", lines.len());
    let mut group = c.benchmark_group("schedule_bulk_1m_lines");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10);
    group.bench_function("bulk_totals", |b| {
        b.iter(|| black_box(schedule.bulk_totals(black_box(&lines))));
    });
    group.finish();
}

criterion_group!(benches, bench_schedule);
criterion_main!(benches);
