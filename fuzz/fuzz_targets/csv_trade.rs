//! Trade CSV loaders on arbitrary bytes: no panic, errors print, and a load
//! that fails leaves the matrix it was loading into exactly as it was (a
//! file that reads alone may still repeat a flow of that matrix: refused).
//!
//! The first byte picks the loader (`'0'`: tradewar's layout, read and
//! loaded into a matrix; `'1'`: UN Comtrade); the rest is the CSV. One
//! loader per run keeps runs fast (each CSV reader builds its own DFA).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tradewar_core::{Error as CoreError, TradeMatrix};
use tradewar_data::loaders::{load_trade_csv_into, read_comtrade_csv, read_trade_csv};
use tradewar_data::DataError;

const BEFORE: &str = "year,exporter,importer,hs6,value_usd,basis\n\
                      2017,USA,CHN,120190,12224000000,fob\n\
                      2017,CHN,USA,847130,45000000000.25,cif\n";

fn before() -> &'static TradeMatrix {
    static M: OnceLock<TradeMatrix> = OnceLock::new();
    M.get_or_init(|| read_trade_csv("before.csv", BEFORE.as_bytes()).expect("the fixed matrix loads"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else { return };
    if selector.wrapping_sub(b'0') % 2 == 0 {
        let before = before();
        let read = read_trade_csv("fuzz.csv", csv);
        let mut m = before.clone();
        match load_trade_csv_into(&mut m, "fuzz.csv", csv) {
            Ok(n) => {
                let new = read.expect("read and load agree");
                assert_eq!(n, new.len());
                assert_eq!(m.len(), before.len() + n);
                for (i, f) in new.iter().enumerate() {
                    assert!(f.validate().is_ok());
                    assert_eq!(m.get(before.len() + i), Some(f));
                }
            }
            Err(e) => {
                assert_eq!(&m, before, "a failed load changed the matrix: {e}");
                match read {
                    // The file reads alone, but repeats a flow the matrix loaded
                    // into has, or holds one of its products at another level.
                    Ok(_) => assert!(
                        matches!(&e, DataError::Duplicate { first, .. } if first.contains("matrix loaded into"))
                            || matches!(&e, DataError::Domain { error, .. } if matches!(**error, CoreError::NestedFlows { .. })),
                        "{e}"
                    ),
                    Err(r) => assert_eq!(r, e),
                }
                let _ = e.to_string();
            }
        }
    } else {
        match read_comtrade_csv("fuzz.csv", csv) {
            Ok(m) => {
                for f in m.iter() {
                    assert!(f.validate().is_ok());
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
