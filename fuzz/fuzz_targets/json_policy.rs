//! The JSON of measures, events, timelines and schedules: reading never
//! panics; what is read is what the constructors build from its parts, and it
//! writes back to JSON that reads back equal; a timeline read replays.
//!
//! The first byte picks the type (measure, event, timeline, schedule); the
//! rest is the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{Event, Measure, Schedule, Timeline};

#[path = "../../crates/tradewar-core/tests/support/rebuild.rs"]
mod rebuild;
#[path = "common/json.rs"]
mod json;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else { return };
    match selector % 4 {
        0 => json::agrees::<Measure, _>(text, rebuild::measure),
        1 => json::agrees::<Event, _>(text, rebuild::event),
        2 => {
            json::agrees::<Timeline, _>(text, rebuild::timeline);
            if let Ok(t) = serde_json::from_slice::<Timeline>(text) {
                for d in t.dates() {
                    let _ = t.state_at(d).in_force().count();
                }
            }
        }
        _ => {
            json::agrees::<Schedule, _>(text, rebuild::schedule);
            if let Ok(s) = serde_json::from_slice::<Schedule>(text) {
                for d in s.timeline().dates() {
                    let at = s.at(d);
                    for m in at.state().in_force() {
                        for &c in m.header().scope.included().iter().take(3) {
                            // A question refused (a self pair, a split line) is refused the same way by both.
                            let (i, e) = (m.header().imposer, m.header().target);
                            match at.stack(i, e, c) {
                                Ok(st) => assert_eq!(at.total(i, e, c), Ok(st.total_ad_valorem)),
                                Err(err) => assert_eq!(at.total(i, e, c), Err(err)),
                            }
                        }
                    }
                }
            }
        }
    }
});
