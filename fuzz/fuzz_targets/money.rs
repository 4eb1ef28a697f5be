//! Money, percentages, currencies and valuation bases: parsing never
//! panics, and what parses prints back to the same value (text and JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{Currency, LegalBasis, Money, Percent, ValuationBasis};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = text.parse::<Money>() {
        let shown = m.to_string();
        assert_eq!(shown.parse::<Money>().ok(), Some(m), "display {shown:?} of {text:?}");
        let json = serde_json::to_string(&m).expect("money serializes");
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(m), "json {json}");
        // Arithmetic reports overflow instead of panicking.
        let _ = m.checked_add(m);
        let _ = m.checked_sub(m);
        let _ = m.checked_mul(m.amount());
        let _ = m.to_usd_cents();
        let _ = m.billions();
        let _ = m.round_dp(2);
        let _ = Money::non_negative(m.amount(), m.currency());
        let _ = Percent::from_fraction(m.amount());
        let _ = Percent::new(m.amount());
    }
    if let Ok(m) = Money::usd(&text) {
        assert_eq!(m.currency(), Currency::USD);
        assert_eq!(m.to_string().parse::<Money>().ok(), Some(m));
    }
    if let Ok(p) = text.parse::<Percent>() {
        let shown = p.to_string();
        assert_eq!(shown.parse::<Percent>().ok(), Some(p), "display {shown:?} of {text:?}");
        let json = serde_json::to_string(&p).expect("a percent serializes");
        assert_eq!(serde_json::from_str::<Percent>(&json).ok(), Some(p));
        let _ = p.fraction();
        let _ = Percent::from_fraction(p.fraction());
    }
    if let Ok(c) = text.parse::<Currency>() {
        assert_eq!(c.to_string().parse::<Currency>().ok(), Some(c));
    }
    if let Ok(b) = text.parse::<ValuationBasis>() {
        let json = serde_json::to_string(&b).expect("a basis serializes");
        assert_eq!(serde_json::from_str::<ValuationBasis>(&json).ok(), Some(b));
    }
    if let Ok(b) = text.parse::<LegalBasis>() {
        let json = serde_json::to_string(&b).expect("a legal basis serializes");
        assert_eq!(serde_json::from_str::<LegalBasis>(&json).ok(), Some(b));
    }
    // Money straight from JSON.
    if let Ok(m) = serde_json::from_slice::<Money>(data) {
        let json = serde_json::to_string(&m).expect("money serializes");
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(m), "json {json}");
    }
});
