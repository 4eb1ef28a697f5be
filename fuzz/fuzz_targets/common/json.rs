//! Checks shared by the JSON targets.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use serde::Serialize;

/// What reads from `text` writes back to JSON that reads back equal.
pub fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(text: &[u8]) {
    if let Ok(t) = serde_json::from_slice::<T>(text) {
        let json = serde_json::to_string(&t).expect("a value read serializes");
        let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
        assert_eq!(back, t, "{json}");
    }
}

/// What reads from `text` the constructors build too, equal, and it round-trips.
pub fn agrees<T, F>(text: &[u8], rebuild: F)
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    F: Fn(&T) -> tradewar_core::Result<T>,
{
    if let Ok(t) = serde_json::from_slice::<T>(text) {
        match rebuild(&t) {
            Ok(again) => assert_eq!(again, t, "the constructors built another value"),
            Err(e) => panic!("JSON accepted {t:?}, which the constructors refuse: {e}"),
        }
    }
    round_trips::<T>(text);
}
