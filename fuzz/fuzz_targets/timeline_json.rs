//! Timelines and scenario files from JSON: reading never panics; what is
//! read writes back to JSON that reads back equal, and its states replay.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::Timeline;
use tradewar_data::scenario_file::{read_scenario_file, write_scenario_file};

fn exercise(t: &Timeline) {
    for d in t.dates() {
        let state = t.state_at(d);
        for m in state.in_force() {
            assert!(t.measure(m.id()).is_some());
        }
        for e in t.events_on(d) {
            let _ = e.describe(t);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = serde_json::from_slice::<Timeline>(data) {
        let json = serde_json::to_string(&t).expect("a timeline serializes");
        let back: Timeline = serde_json::from_str(&json).expect("a written timeline reads back");
        assert_eq!(back, t);
        exercise(&t);
    }
    match read_scenario_file("fuzz.json", data) {
        Ok(file) => {
            let mut json = Vec::new();
            write_scenario_file(&file, &mut json).expect("a scenario file writes");
            let back = read_scenario_file("rewritten.json", json.as_slice()).expect("a written file reads back");
            assert_eq!(back, file);
            exercise(&file.timeline);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
