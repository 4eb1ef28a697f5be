//! The unit values loader on arbitrary bytes: no panic, errors print, a
//! table read round-trips through JSON, and the ad valorem equivalent of a
//! specific duty in every unit on every flow is either none or a rate that
//! is not negative and never below the duty's ad valorem part.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{ad_valorem_equivalent, Duty, DutyUnit, Money, Percent, UnitValues};
use tradewar_data::loaders::read_unit_values_csv;

const UNITS: [DutyUnit; 14] = [
    DutyUnit::Kilogram,
    DutyUnit::Tonne,
    DutyUnit::Each,
    DutyUnit::Pair,
    DutyUnit::Dozen,
    DutyUnit::DozenPairs,
    DutyUnit::Gross,
    DutyUnit::Thousand,
    DutyUnit::Liter,
    DutyUnit::Barrel,
    DutyUnit::Meter,
    DutyUnit::SquareMeter,
    DutyUnit::CubicMeter,
    DutyUnit::Carat,
];

fuzz_target!(|data: &[u8]| {
    match read_unit_values_csv("fuzz.csv", data) {
        Ok(values) => {
            let json = serde_json::to_string(&values).expect("unit values serialize");
            let back: UnitValues = serde_json::from_str(&json).expect("written unit values read back");
            assert_eq!(back, values);
            let rate: Percent = "2.5".parse().expect("a rate");
            for uv in values.iter() {
                for unit in UNITS {
                    let _ = uv.per(unit);
                    let duty = Duty::Compound {
                        rate,
                        amount: Money::usd("0.37").expect("an amount"),
                        unit: unit.to_string(),
                    };
                    if let Some(ave) = ad_valorem_equivalent(&duty, uv) {
                        assert!(!ave.specific.value().is_sign_negative() || ave.specific.is_zero());
                        assert!(ave.total >= rate);
                    }
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
