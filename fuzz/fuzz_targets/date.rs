//! Dates and date windows: parsing never panics, a parsed date prints back
//! to itself, and a window read from JSON is well formed and round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{parse_date, DateWindow};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = parse_date(&text) {
        let shown = d.to_string();
        assert_eq!(parse_date(&shown).ok(), Some(d), "display {shown:?} of {text:?}");
    }
    // Two dates separated by '|': a window, its queries, an early end.
    if let Some((a, b)) = text.split_once('|') {
        if let (Ok(start), Ok(end)) = (parse_date(a), parse_date(b)) {
            match DateWindow::new(start, Some(end)) {
                Ok(w) => {
                    assert!(start < end);
                    assert!(w.contains(start) && !w.contains(end));
                    assert!(w.overlaps(&DateWindow::from(start)));
                    let _ = w.ended_at(start, "fuzz");
                    let _ = w.ended_at(end, "fuzz");
                    let _ = w.to_string();
                }
                Err(_) => assert!(end <= start),
            }
        }
    }
    if let Ok(w) = serde_json::from_slice::<DateWindow>(data) {
        assert!(w.end().is_none_or(|e| e > w.start()), "{w}");
        let json = serde_json::to_string(&w).expect("a window serializes");
        assert_eq!(serde_json::from_str::<DateWindow>(&json).ok(), Some(w), "json {json}");
    }
});
