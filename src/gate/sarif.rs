//! SARIF 2.1.0 output of the gate, for code-scanning views (GitHub, GitLab, Azure DevOps).
//!
//! One run; the tool's rules are the finding kinds; each finding is a result with its `ruleId`, a
//! message, its locations (an `artifactLocation.uri` relative to the working folder, and a `region`
//! with 1-based `startLine`, `startColumn`, `endLine`, `endColumn` in Unicode code points), the
//! places it was taken from as `relatedLocations`, its fingerprint as `partialFingerprints`, and
//! `baselineState` `new` (level `error`) or `unchanged` (level `note`).

use serde_json::{Value, json};

use super::{Finding, Location, Rule, Status, Verdict};
use crate::report::uri_of_bytes;

/// The JSON schema SARIF files name.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn physical(l: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_of_bytes(&l.raw_path()) },
            "region": {
                "startLine": l.line.max(1),
                "startColumn": l.column.max(1),
                "endLine": l.end_line.max(l.line).max(1),
                "endColumn": l.end_column.max(1),
            }
        }
    })
}

fn result(f: &Finding) -> Value {
    let rule_index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
    let mut locations: Vec<Value> = f.locations.iter().map(physical).collect();
    if locations.is_empty() {
        // Every result needs a location to show up in code scanning: the first document.
        if let Some(d) = f.first_document_bytes() {
            locations.push(json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri_of_bytes(&d) },
                    "region": { "startLine": 1, "startColumn": 1 }
                }
            }));
        }
    }
    let related: Vec<Value> = f
        .locations
        .iter()
        .filter_map(|l| l.source.as_ref())
        .enumerate()
        .map(|(i, s)| {
            json!({
                "id": i + 1,
                "message": { "text": format!("taken from {}:{}", s.shown_path(), s.line) },
                "physicalLocation": {
                    "artifactLocation": { "uri": uri_of_bytes(&s.raw_path()) },
                    "region": { "startLine": s.line.max(1) }
                }
            })
        })
        .collect();
    let mut r = json!({
        "ruleId": f.rule.id(),
        "ruleIndex": rule_index,
        "level": if f.status == Status::New { "error" } else { "note" },
        "message": { "text": f.message },
        "locations": locations,
        "partialFingerprints": { "cyberdiffFingerprint/v1": f.fingerprint },
        "baselineState": if f.status == Status::New { "new" } else { "unchanged" },
    });
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    r
}

/// The SARIF log of a verdict, pretty-printed with a final newline.
pub fn render(v: &Verdict) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "shortDescription": { "text": r.description() },
                "helpUri": "https://github.com/cyberdiff/cyberdiff#ci-gate",
                "defaultConfiguration": { "level": "error" }
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cyberdiff",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/cyberdiff/cyberdiff",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": v.findings.iter().map(result).collect::<Vec<_>>(),
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("JSON values serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use crate::report::{path_bytes_unescaped, uri};

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./corpus/a b.txt"), "corpus/a%20b.txt");
        assert_eq!(uri("corpus\\宪法.txt"), "corpus/%E5%AE%AA%E6%B3%95.txt");
    }

    #[test]
    fn a_path_that_is_not_utf8_gets_the_uri_of_its_bytes() {
        // `path_bytes` of the bytes 63 2F 61 FF 5C 2E 74 78 74 ("c/a", 0xFF, "\.txt").
        let bytes = path_bytes_unescaped("c/a\\xFF\\\\.txt");
        assert_eq!(bytes, b"c/a\xff\\.txt");
        assert_eq!(super::uri_of_bytes(&bytes), "c/a%FF/.txt");
        assert_eq!(
            path_bytes_unescaped("a\\x4"),
            b"a\\x4",
            "a cut escape is kept as written"
        );
    }
}
