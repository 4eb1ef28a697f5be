//! Replays the 2018–2020 US–China trade war on the embedded data and prints
//! a report: at each event date the measures in force, the trade they
//! cover, the average tariffs each way and the duties; then the $200B
//! target, China's May 2018 offer, and Phase One's attainment.
//!
//! Run: `cargo run --release --example trade_war_2018`

fn main() {
    match tradewar::us_china_2018::report() {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
