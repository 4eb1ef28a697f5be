//! Today's US tariff stack (2025–2026): the duty on a handful of telling
//! lines on three dates, each layer explained, and the trade-weighted rate
//! on US imports from China at every event date since 2025-01-27.
//!
//! `cargo run --release --example tariff_stack_today`

use tradewar::prelude::*;
use tradewar::us_tariffs_2025;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let schedule = us_tariffs_2025::schedule()?;
    let latest = us_tariffs_2025::latest_date()?;
    let lines: [(&str, &str, &str); 6] = [
        ("a Chinese laptop", "CHN", "8471.30.0100"),
        ("a German car", "DEU", "8703.23.0190"),
        ("a Canadian aluminium ingot", "CAN", "7601.10.6000"),
        ("a Brazilian coffee", "BRA", "0901.11.0025"),
        ("a Korean semiconductor (memory chip)", "KOR", "8542.32.0001"),
        ("a Korean semiconductor article (server, Note 39)", "KOR", "8471.50.0150"),
    ];
    let dates = [parse_date("2025-04-10")?, parse_date("2025-10-01")?, latest];
    println!("Today's US tariff stack: the duty on six lines on three dates\n");
    for (what, origin, line) in lines {
        println!("== {what} ({line} from {origin})");
        for d in dates {
            let stack = schedule.query(Economy::USA, origin.parse()?, line.parse()?, d)?;
            print!("{}", stack.explain());
        }
        println!();
    }
    let year = us_tariffs_2025::china_trade_year()?;
    println!("Effective US tariff on imports from China (weights: {year} US imports from China, HS6, CIF)\n");
    println!("{:<10}  {:>8}  {:>8}  event", "date", "total", "MFN");
    for (d, what, r) in us_tariffs_2025::china_effective_rates(&schedule)? {
        println!(
            "{d}  {:>8}  {:>8}  {what}",
            r.total.value().round_dp(2).to_string() + "%",
            r.base.value().round_dp(2).to_string() + "%"
        );
    }
    Ok(())
}
