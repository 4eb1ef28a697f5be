//! Economies: parsing never panics; what parses prints back to itself, as
//! text and as JSON, and aggregates behave.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::Economy;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(e) = text.parse::<Economy>() {
        let shown = e.to_string();
        assert_eq!(shown.parse::<Economy>().ok(), Some(e), "display {shown:?} of {text:?}");
        let json = serde_json::to_string(&e).expect("an economy serializes");
        assert_eq!(serde_json::from_str::<Economy>(&json).ok(), Some(e));
        assert!(e.includes(e) && Economy::WLD.includes(e));
        for m in e.members() {
            assert!(e.includes(m));
        }
    }
    if let Ok(e) = serde_json::from_slice::<Economy>(data) {
        assert_eq!(e.as_str().parse::<Economy>().ok(), Some(e));
    }
});
