//! Today's US tariff stack (2025–2026): the duty on a handful of telling
//! lines on three dates, each layer explained, and the trade-weighted rate
//! on US imports from China at every event date, dated by the legal
//! effective date of each change (and, for comparison, by the HTS revision
//! that carried it).
//!
//! `cargo run --release --example tariff_stack_today`

use tradewar::prelude::*;
use tradewar::us_tariffs_2025::{self, DateConvention};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let schedule = us_tariffs_2025::schedule()?;
    let latest = us_tariffs_2025::latest_date()?;
    let lines: [(&str, &str, &str); 7] = [
        ("a Chinese laptop", "CHN", "8471.30.0100"),
        ("a German car", "DEU", "8703.23.0190"),
        ("German hot-rolled steel (Annex I-A from 2026-04-06)", "DEU", "7208.51.0030"),
        ("a Canadian aluminium ingot", "CAN", "7601.10.6000"),
        ("a Brazilian coffee", "BRA", "0901.11.0025"),
        ("a Korean semiconductor (memory chip)", "KOR", "8542.32.0001"),
        ("a Korean semiconductor article (server, Note 39)", "KOR", "8471.50.0150"),
    ];
    let dates = [parse_date("2025-04-10")?, parse_date("2025-10-01")?, latest];
    println!("Today's US tariff stack: the duty on seven lines on three dates (legal effective dates)\n");
    for (what, origin, line) in lines {
        println!("== {what} ({line} from {origin})");
        for d in dates {
            let stack = schedule.query(Economy::USA, origin.parse()?, line.parse()?, d)?;
            print!("{}", stack.explain());
        }
        println!();
    }
    let year = us_tariffs_2025::china_trade_year()?;
    println!("Effective US tariff on imports from China (weights: {year} US imports from China, HS6, CIF)");
    println!("dated by the legal effective date of each change\n");
    println!("{:<10}  {:>8}  {:>8}  event", "date", "total", "MFN");
    let rates = us_tariffs_2025::china_effective_rates(&schedule, DateConvention::Legal)?;
    for (d, what, r) in &rates {
        println!(
            "{d}  {:>8}  {:>8}  {what}",
            r.total.value().round_dp(2).to_string() + "%",
            r.base.value().round_dp(2).to_string() + "%"
        );
    }
    // How long the peak lasts on each convention: the days from the first event date
    // above 100% to the first one below it after.
    println!();
    let by_hts = us_tariffs_2025::schedule_dated_by(DateConvention::HtsRevision)?;
    let hts_rates = us_tariffs_2025::china_effective_rates(&by_hts, DateConvention::HtsRevision)?;
    for (by, rows) in [(DateConvention::Legal, &rates), (DateConvention::HtsRevision, &hts_rates)] {
        let hundred = rust_decimal::Decimal::ONE_HUNDRED;
        let up = rows.iter().position(|r| r.2.total.value() > hundred);
        let down = up.and_then(|i| rows[i..].iter().position(|r| r.2.total.value() < hundred).map(|j| i + j));
        if let (Some(u), Some(dn)) = (up, down) {
            let (from, to) = (rows[u].0, rows[dn].0);
            println!(
                "on {by} dates the rate on China is above 100% from {from} to {to} ({} days)",
                (to - from).num_days()
            );
        }
    }
    Ok(())
}
