//! MFN schedule and rate CSV loaders on arbitrary bytes: no panic, errors
//! print, and an MFN table read round-trips through JSON.
//!
//! The first byte picks the loader (`'0'` MFN table, `'1'` dated rates,
//! `'2'` line rates, `'3'` elasticities, `'4'` published totals, `'5'`
//! yearly amounts); the rest is the CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{Economy, MfnTable};
use tradewar_data::loaders::{
    read_dated_rates, read_line_rates, read_mfn_csv, read_published_totals, read_sigmas, read_yearly_amounts,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else { return };
    let name = "fuzz.csv";
    let error = match selector.wrapping_sub(b'0') % 6 {
        0 => match read_mfn_csv(name, Economy::USA, csv) {
            Ok(table) => {
                let json = serde_json::to_string(&table).expect("a table serializes");
                let back: MfnTable = serde_json::from_str(&json).expect("a written table reads back");
                assert_eq!(back, table);
                for (code, duty) in table.lines() {
                    assert_eq!(table.duty_for(code), Some(duty));
                    assert!(table.lines_below(code).next().is_some());
                }
                None
            }
            Err(e) => Some(e),
        },
        1 => read_dated_rates(name, csv).err(),
        2 => read_line_rates(name, csv).err(),
        3 => match read_sigmas(name, csv) {
            Ok(sigmas) => {
                assert!(sigmas.values().all(|s| s.is_finite() && *s > 0.0));
                None
            }
            Err(e) => Some(e),
        },
        4 => read_published_totals(name, csv).err(),
        _ => read_yearly_amounts(name, csv).err(),
    };
    if let Some(e) = error {
        let _ = e.to_string();
    }
});
