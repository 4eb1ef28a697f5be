//! HS codes and sections: parsing never panics, and a parsed code prints in
//! a form that parses back to the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tradewar_core::{HsCode, HsLevel, HsRevision, HsSection};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = text.parse::<HsCode>() {
        let shown = code.to_string();
        assert_eq!(shown.parse::<HsCode>().ok(), Some(code), "display {shown:?} of {text:?}");
        assert_eq!(code.digits_str().parse::<HsCode>().ok(), Some(code));
        assert_eq!(HsCode::from_parts(code.value(), code.digits()).ok(), Some(code));
        let json = serde_json::to_string(&code).expect("a code serializes");
        assert_eq!(serde_json::from_str::<HsCode>(&json).ok(), Some(code));
        // The tree: every ancestor contains the code and sorts before it.
        let mut up = code.parent();
        while let Some(a) = up {
            assert!(a.contains(code) && a < code);
            up = a.parent();
        }
        for level in [HsLevel::Chapter, HsLevel::Heading, HsLevel::Subheading, HsLevel::National8] {
            if let Some(t) = code.truncate(level) {
                assert!(t.contains(code));
            }
        }
        let _ = code.section().map(HsSection::chapters);
    }
    if let Ok(section) = text.parse::<HsSection>() {
        assert_eq!(section.to_string().parse::<HsSection>().ok(), Some(section));
    }
    if let Ok(rev) = text.parse::<HsRevision>() {
        assert_eq!(rev.to_string().parse::<HsRevision>().ok(), Some(rev));
    }
    // Raw parts: a number and a length.
    if data.len() >= 9 {
        let mut v = [0u8; 8];
        v.copy_from_slice(&data[..8]);
        if let Ok(code) = HsCode::from_parts(u64::from_le_bytes(v), data[8]) {
            assert_eq!(code.to_string().parse::<HsCode>().ok(), Some(code));
        }
    }
});
