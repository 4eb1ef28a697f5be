//! Scenario files: a timeline, the MFN tables it applies over and a target,
//! as one JSON document with a schema version.
//!
//! ```json
//! { "schema_version": 1, "name": "...", "timeline": { ... },
//!   "mfn": [ { ... } ], "target": { ... } }
//! ```
//!
//! The version is checked before anything else is interpreted: a file
//! written by a newer `tradewar` (or one without a version) gets
//! [`DataError::UnsupportedSchema`] naming the version found and the one
//! this library reads, not a confusing error about some field further down.
//!
//! ```
//! use tradewar_data::scenario_file::{read_scenario_file, write_scenario_file, ScenarioFile};
//! let file = ScenarioFile::new("empty", tradewar_core::Timeline::new("nothing yet"));
//! let mut json = Vec::new();
//! write_scenario_file(&file, &mut json)?;
//! assert_eq!(read_scenario_file("empty.json", json.as_slice())?, file);
//!
//! let newer = r#"{"schema_version": 2, "name": "from the future"}"#;
//! let err = read_scenario_file("newer.json", newer.as_bytes()).unwrap_err();
//! assert!(err.to_string().contains("schema_version 2"));
//! # Ok::<(), tradewar_data::DataError>(())
//! ```

use std::io::{Read, Write};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use tradewar_core::{MfnTable, Target, Timeline};

use crate::error::{DataError, Result};

/// The schema version this library writes, and the newest it reads.
pub const SCHEMA_VERSION: u64 = 1;

/// The contents of a scenario file (the schema version is not kept: it is
/// checked on reading and [`SCHEMA_VERSION`] is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenario's name.
    pub name: String,
    /// The events.
    pub timeline: Timeline,
    /// MFN schedules of the importers concerned (may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mfn: Vec<MfnTable>,
    /// A negotiating target to score against, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

impl ScenarioFile {
    /// A scenario of a timeline alone.
    pub fn new(name: &str, timeline: Timeline) -> Self {
        Self { name: name.to_string(), timeline, mfn: Vec::new(), target: None }
    }
}

/// The document as written: the version first, then the contents.
#[derive(Serialize)]
struct Written<'a> {
    schema_version: u64,
    #[serde(flatten)]
    file: &'a ScenarioFile,
}

/// The document as read once its version is known to be supported.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Versioned {
    #[allow(dead_code)] // checked beforehand by `check_version`
    schema_version: IgnoredAny,
    name: String,
    timeline: Timeline,
    #[serde(default)]
    mfn: Vec<MfnTable>,
    #[serde(default)]
    target: Option<Target>,
}

/// Only the version: every other field is skipped unread (but the JSON
/// must still be well formed).
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default, deserialize_with = "present")]
    schema_version: Option<serde_json::Value>,
}

/// `Some` for any value written, `null` included (absence is `None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Reads a scenario file. `source_name` names it in errors.
///
/// Errors: [`DataError::Io`] when the reader fails,
/// [`DataError::Json`] (with line and column) for malformed JSON or a
/// document that is not a valid scenario, [`DataError::UnsupportedSchema`]
/// when `schema_version` is missing, not a positive integer, or newer than
/// [`SCHEMA_VERSION`].
pub fn read_scenario_file<R: Read>(source_name: &str, mut reader: R) -> Result<ScenarioFile> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| DataError::Io { source_name: source_name.to_string(), message: e.to_string() })?;
    let probe: VersionProbe = serde_json::from_slice(&bytes).map_err(|e| json_error(source_name, &e))?;
    check_version(source_name, probe.schema_version.as_ref())?;
    let v: Versioned = serde_json::from_slice(&bytes).map_err(|e| json_error(source_name, &e))?;
    let mut importers: Vec<_> = v.mfn.iter().map(MfnTable::importer).collect();
    importers.sort_unstable();
    if let Some(&[twice, _]) = importers.windows(2).find(|w| w[0] == w[1]) {
        return Err(DataError::Inconsistent {
            source_name: source_name.to_string(),
            message: format!("two MFN tables for importer {twice} (one would silently replace the other)"),
        });
    }
    Ok(ScenarioFile { name: v.name, timeline: v.timeline, mfn: v.mfn, target: v.target })
}

/// Writes a scenario file (pretty-printed JSON, [`SCHEMA_VERSION`] first).
pub fn write_scenario_file<W: Write>(file: &ScenarioFile, writer: W) -> Result<()> {
    let out = Written { schema_version: SCHEMA_VERSION, file };
    serde_json::to_writer_pretty(writer, &out)
        .map_err(|e| DataError::Write { source_name: file.name.clone(), message: e.to_string() })
}

fn check_version(source_name: &str, found: Option<&serde_json::Value>) -> Result<()> {
    let unsupported = |found: String, reason: &'static str| DataError::UnsupportedSchema {
        source_name: source_name.to_string(),
        found,
        supported: SCHEMA_VERSION,
        reason,
    };
    let Some(value) = found else {
        return Err(unsupported("none".into(), "the file has no schema_version field"));
    };
    match value.as_u64() {
        Some(v) if v > SCHEMA_VERSION => {
            Err(unsupported(v.to_string(), "newer than this library: read it with a newer tradewar"))
        }
        Some(v) if v >= 1 => Ok(()),
        _ => Err(unsupported(value.to_string(), "not a positive integer")),
    }
}

fn json_error(source_name: &str, e: &serde_json::Error) -> DataError {
    let kind = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Syntax => "malformed JSON",
        serde_json::error::Category::Io => "cannot read",
        serde_json::error::Category::Data => "not a valid scenario",
    };
    // serde_json's message ends with " at line L column C": keep it once.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    DataError::Json {
        source_name: source_name.to_string(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: format!("{kind}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(file: &ScenarioFile) -> ScenarioFile {
        let mut json = Vec::new();
        write_scenario_file(file, &mut json).unwrap();
        read_scenario_file("rt.json", json.as_slice()).unwrap()
    }

    #[test]
    fn embedded_timeline_round_trips_through_the_file() {
        let timeline = crate::us_china_2018::timeline().unwrap();
        let mut file = ScenarioFile::new("US-China 2018-2020", timeline);
        file.target = Some(crate::us_china_2018::deficit_target().unwrap());
        file.mfn.push(crate::embedded::us_mfn_2017().unwrap().clone());
        let back = round_trip(&file);
        assert_eq!(back, file);
        assert_eq!(back.timeline.events().len(), file.timeline.events().len());
    }

    #[test]
    fn written_file_starts_with_its_version() {
        let mut json = Vec::new();
        write_scenario_file(&ScenarioFile::new("x", Timeline::new("t")), &mut json).unwrap();
        let text = String::from_utf8(json).unwrap();
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n  \"name\": \"x\""), "{text}");
    }

    #[test]
    fn newer_schema_is_refused_without_reading_the_rest() {
        // The rest is nonsense for version 1: only the version is reported.
        let newer = r#"{"schema_version": 2, "name": 7, "timeline": [], "scenarios": {"new": true}}"#;
        let err = read_scenario_file("future.json", newer.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            DataError::UnsupportedSchema {
                source_name: "future.json".into(),
                found: "2".into(),
                supported: 1,
                reason: "newer than this library: read it with a newer tradewar",
            }
        );
        assert_eq!(
            err.to_string(),
            "future.json: unsupported schema_version 2 (newer than this library: read it with a newer tradewar); \
             this version of tradewar reads schema_version 1"
        );
    }

    #[test]
    fn missing_or_odd_versions_are_refused() {
        let cases = [
            (r#"{"name": "x", "timeline": {"name": "t", "events": []}}"#, "none"),
            (r#"{"schema_version": "1", "name": "x"}"#, "\"1\""),
            (r#"{"schema_version": 1.5, "name": "x"}"#, "1.5"),
            (r#"{"schema_version": 0, "name": "x"}"#, "0"),
            (r#"{"schema_version": -1, "name": "x"}"#, "-1"),
            (r#"{"schema_version": null, "name": "x"}"#, "null"),
        ];
        for (text, found) in cases {
            match read_scenario_file("odd.json", text.as_bytes()) {
                Err(DataError::UnsupportedSchema { found: f, supported: 1, .. }) => assert_eq!(f, found, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let mut json = Vec::new();
        let file = ScenarioFile::new("x", crate::us_china_2018::timeline().unwrap());
        write_scenario_file(&file, &mut json).unwrap();
        let cut = &json[..json.len() / 2];
        let err = read_scenario_file("cut.json", cut).unwrap_err();
        match &err {
            DataError::Json { source_name, line, column, message } => {
                assert_eq!(source_name, "cut.json");
                assert!(*line > 1 && *column > 0, "{err}");
                assert!(message.starts_with("truncated JSON: EOF while parsing"), "{message}");
                assert!(!message.contains(" at line "), "the place is given once: {message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("cut.json, line "), "{err}");
    }

    #[test]
    fn malformed_and_invalid_documents() {
        let bad = "{\"schema_version\": 1,\n \"name\": \"x\",, }";
        let err = read_scenario_file("bad.json", bad.as_bytes()).unwrap_err();
        assert!(matches!(&err, DataError::Json { line: 2, .. }), "{err:?}");
        assert!(err.to_string().contains("malformed JSON"), "{err}");
        // Version fine, contents not: an unknown field is named.
        let odd = r#"{"schema_version": 1, "name": "x", "timeline": {"name": "t", "events": []}, "extra": 1}"#;
        let err = read_scenario_file("odd.json", odd.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("not a valid scenario: unknown field `extra`"), "{err}");
        // An invalid timeline is refused with the core's reason.
        let inverted = r#"{"schema_version": 1, "name": "x", "timeline": {"name": "t", "events": [
            {"date": "2018-07-06", "action": "suspend", "id": "NOPE"}]}}"#;
        assert!(matches!(read_scenario_file("inv.json", inverted.as_bytes()), Err(DataError::Json { .. })));
        // Two MFN tables of one importer (issue 11: one silently replaced the other in Python's check only).
        let mut file = ScenarioFile::new("x", Timeline::new("t"));
        let usa = MfnTable::new(tradewar_core::Economy::USA, []).unwrap();
        file.mfn = vec![usa.clone(), usa];
        let mut json = Vec::new();
        write_scenario_file(&file, &mut json).unwrap();
        let err = read_scenario_file("two.json", json.as_slice()).unwrap_err();
        assert!(err.to_string().contains("two MFN tables for importer USA"), "{err}");
        // Not UTF-8 at all.
        assert!(matches!(read_scenario_file("bin.json", &[0xff, 0xfe, 0x00][..]), Err(DataError::Json { .. })));
    }
}
