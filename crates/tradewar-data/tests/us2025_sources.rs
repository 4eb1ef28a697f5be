//! The embedded 2025–2026 stack against its source files in
//! `../shared/data/us-tariff-stack-2025-2026` (skipped, with a message, when
//! that folder is absent): the April 2026 annex lists are exactly the
//! provisions of U.S. note 16(c) of Chapter 99, tier by tier, and every legal
//! date that cites a source file is in that file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use tradewar_core::HsCode;
use tradewar_data::us_tariffs_2025::{layer_events, lists, Op};

fn source(name: &str) -> Option<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/us-tariff-stack-2025-2026").join(name);
    if let Ok(bytes) = std::fs::read(&path) {
        // Chapter 99 holds a few non-UTF-8 bytes (soft hyphens): read as Latin-1.
        Some(bytes.iter().map(|&b| char::from(b)).collect::<String>().replace('\u{ad}', "-"))
    } else {
        eprintln!("skipping: {} is absent (the test reads ../shared/data beside the project)", path.display());
        None
    }
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A provision as written in the HTS ("7206", "7302.10", "7216.10.00",
/// "7308.20.0035"), as digits; a 10-digit code with suffix 00 is its 8-digit line.
fn provision(token: &str) -> Option<String> {
    let parts: Vec<&str> = token.split('.').collect();
    let ok = parts[0].len() == 4
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[1..].iter().enumerate().all(|(i, p)| p.len() == 2 || (i == 1 && parts.len() == 3 && p.len() == 4));
    if !ok || parts.len() > 4 {
        return None;
    }
    let d: String = parts.concat();
    Some(if d.len() == 10 && d.ends_with("00") { d[..8].to_string() } else { d })
}

#[test]
fn annex_lists_are_the_provisions_of_note_16c_tier_by_tier() {
    let Some(text) = source("chapter99_2026_rev_6.txt") else { return };
    let start = text.find("(c) Headings 9903.82.02").expect("note 16(c)");
    let end = start + text[start..].find("(d) Headings 9903.82.04").expect("note 16(d)");
    // Lists (i)-(v) are Annex I-A (heading 9903.82.02), (vi)-(viii) Annex I-B
    // (9903.82.09), (ix)-(x) Annex III (9903.82.10/.11).
    let tiers = [
        ("(i) ", "1a"),
        ("(ii) ", "1a"),
        ("(iii) ", "1a"),
        ("(iv) ", "1a"),
        ("(v) ", "1a"),
        ("(vi) ", "1b"),
        ("(vii) ", "1b"),
        ("(viii) ", "1b"),
        ("(ix) ", "3"),
        ("(x) ", "3"),
    ];
    let mut from_note = BTreeSet::new();
    let mut tier: Option<&str> = None;
    for line in text[start..end].lines() {
        let l = line.trim_start();
        if l.contains("Harmonized Tariff Schedule") {
            continue;
        }
        let mut rest = line;
        for (mark, t) in tiers {
            if let Some(i) = line.find(mark) {
                if line[i..].contains(':') {
                    tier = Some(t);
                    rest = &line[i + line[i..].find(':').unwrap_or(0) + 1..];
                }
            }
        }
        let Some(t) = tier else { continue };
        for token in rest.split_whitespace() {
            if let Some(p) = provision(token) {
                from_note.insert((t, p));
            }
        }
    }
    // A provision listed under a shorter one of the same tier adds nothing (7308.20.0035
    // under 7308.20.00, both Annex I-A): the embedded lists keep the shorter.
    let from_note: BTreeSet<(&str, String)> = from_note
        .iter()
        .filter(|(t, c)| !(4..c.len()).step_by(2).any(|k| from_note.contains(&(*t, c[..k].to_string()))))
        .cloned()
        .collect();
    let mut embedded = BTreeSet::new();
    for t in ["1a", "1b", "3"] {
        for part in &lists().unwrap()[&format!("s232_annex_{t}")] {
            assert!(part.exclude.is_empty() && part.start.is_none());
            for c in &part.include {
                embedded.insert((t, c.to_string().replace('.', "")));
            }
        }
    }
    let missing: Vec<_> = from_note.difference(&embedded).collect();
    let extra: Vec<_> = embedded.difference(&from_note).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    // 279 + 388 + 47 provisions, of which 18 sit under a shorter one of their tier.
    assert_eq!(from_note.len(), 279 + 388 + 47 - 18);
    // The line of the issue: flat-rolled steel 7208.51.00 is an article of steel of Annex I-A.
    let line: HsCode = "7208.51.00".parse().unwrap();
    assert!(lists().unwrap()["s232_annex_1a"].iter().any(|p| p.include.iter().any(|c| c.contains(line))));
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The last date written in `words`, as "Month D, YYYY" or "YYYY-MM-DD".
fn last_date(words: &str) -> Option<String> {
    let w: Vec<&str> = words.split([' ', '\'']).filter(|s| !s.is_empty()).collect();
    let mut found = None;
    for i in 0..w.len() {
        if let Some(m) = MONTHS.iter().position(|m| *m == w[i]) {
            if let (Some(day), Some(year)) = (w.get(i + 1), w.get(i + 2)) {
                let day = day.trim_end_matches(',');
                let year: String = year.chars().take_while(char::is_ascii_digit).collect();
                if let (Ok(d), 4) = (day.parse::<u32>(), year.len()) {
                    found = Some(format!("{year}-{:02}-{d:02}", m + 1));
                }
            }
        }
        let iso: String = w[i].chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
        if iso.len() == 10 && iso.as_bytes()[4] == b'-' && iso.as_bytes()[7] == b'-' {
            found = Some(iso);
        }
    }
    found
}

#[test]
fn every_legal_date_quoted_from_a_source_file_is_in_it() {
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut checked = 0;
    for e in layer_events().unwrap().iter().filter(|e| e.op != Op::Milestone) {
        let Some((_, quote)) = e.legal_source.split_once("date stated in ") else { continue };
        let (file, words) = quote.split_once(": ").expect("file: \"words\"");
        let words = words.trim_matches('"');
        if !texts.contains_key(file) {
            let Some(text) = source(file) else { return };
            texts.insert(file.to_string(), flat(&text));
        }
        assert!(texts[file].contains(&flat(words)), "{file} does not say {words:?}");
        // When the quoted words hold a date, it is the legal date.
        if let Some(date) = last_date(words) {
            assert_eq!(date, e.legal_date.unwrap().to_string(), "{} {:?}: {words:?}", e.measure, e.op);
        }
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
}
