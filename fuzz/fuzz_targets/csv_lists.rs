//! Product-list CSV loaders on arbitrary bytes: no panic, errors print, and
//! what is read is consistent.
//!
//! The first byte picks the loader (`'0'` Section 301 lists, `'1'` wave
//! rates, `'2'`–`'6'` categories in a column `category` cut at 2, 4, 6, 8
//! or 10 digits); the rest is the CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::HsLevel;
use tradewar_data::loaders::{read_categories, read_section301_lists, read_wave_rates};

const LEVELS: [HsLevel; 5] =
    [HsLevel::Chapter, HsLevel::Heading, HsLevel::Subheading, HsLevel::National8, HsLevel::National10];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else { return };
    let name = "fuzz.csv";
    let error = match usize::from(selector.wrapping_sub(b'0') % 7) {
        0 => match read_section301_lists(name, csv) {
            Ok(lists) => {
                for (list, scope) in &lists {
                    assert!(["1", "2", "3", "4A", "4B"].contains(&list.as_str()));
                    for code in scope.included() {
                        assert!(scope.contains(*code));
                    }
                }
                None
            }
            Err(e) => Some(e),
        },
        1 => read_wave_rates(name, csv).err(),
        n => {
            let level = LEVELS[n - 2];
            match read_categories(name, csv, "category", level) {
                Ok(cats) => {
                    for scope in cats.values() {
                        for code in scope.included() {
                            assert!(code.digits() <= level.digits());
                        }
                    }
                    None
                }
                Err(e) => Some(e),
            }
        }
    };
    if let Some(e) = error {
        let _ = e.to_string();
    }
});
