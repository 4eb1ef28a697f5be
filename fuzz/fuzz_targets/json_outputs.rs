//! The JSON of results read back (Python reads them to unpickle): duty
//! stacks, coverage, tariff averages, balances, commitment and target
//! progress, replays. Reading never panics, refuses unknown fields, and what
//! is read writes back to JSON that reads back equal.
//!
//! The first byte picks the type; the rest is the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{Balance, CommitmentProgress, Coverage, DutyStack, Replay, TargetProgress, TariffAverages};

#[path = "common/json.rs"]
mod json;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else { return };
    match selector % 7 {
        0 => json::round_trips::<DutyStack>(text),
        1 => json::round_trips::<Coverage>(text),
        2 => json::round_trips::<TariffAverages>(text),
        3 => json::round_trips::<Balance>(text),
        4 => json::round_trips::<CommitmentProgress>(text),
        5 => json::round_trips::<TargetProgress>(text),
        _ => json::round_trips::<Replay>(text),
    }
});
