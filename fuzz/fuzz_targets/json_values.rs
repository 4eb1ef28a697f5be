//! The JSON of every serialisable value type: reading never panics; what is
//! read is a value the constructors build too (equal, rebuilt from its parts
//! through them: `crates/tradewar-core/tests/support/rebuild.rs`), and it
//! writes back to JSON that reads back equal.
//!
//! The first byte picks the type (scope, window, money, percent, duty,
//! stacking, entity, target, MFN table, trade flow, trade matrix); the rest is
//! the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{
    DateWindow, Duty, Entity, Money, MfnTable, Percent, ProductScope, Stacking, Target, TradeFlow, TradeMatrix,
};

#[path = "../../crates/tradewar-core/tests/support/rebuild.rs"]
mod rebuild;
#[path = "common/json.rs"]
mod json;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else { return };
    match selector % 11 {
        0 => json::agrees::<ProductScope, _>(text, rebuild::scope),
        1 => json::agrees::<DateWindow, _>(text, rebuild::window),
        2 => json::agrees::<Money, _>(text, rebuild::money),
        3 => json::agrees::<Percent, _>(text, |p| rebuild::percent(*p)),
        4 => json::agrees::<Duty, _>(text, rebuild::duty),
        5 => json::agrees::<Stacking, _>(text, rebuild::stacking),
        6 => json::agrees::<Entity, _>(text, rebuild::entity),
        7 => json::agrees::<Target, _>(text, rebuild::target),
        8 => json::agrees::<MfnTable, _>(text, rebuild::mfn),
        9 => json::agrees::<TradeFlow, _>(text, |f| {
            f.validate()?;
            Ok(f.clone())
        }),
        _ => json::agrees::<TradeMatrix, _>(text, rebuild::matrix),
    }
});
