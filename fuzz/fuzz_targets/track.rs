//! Statement tracking on arbitrary text: the input before its first NUL gives the statements (one a
//! line, at most eight), the rest two documents (split at the next NUL, or one). Then the track report
//! (JSON, HTML, terminal). Invariant: every present cell's span gives its text in its document.
#![no_main]

use cyberdiff::corpus::Document;
use cyberdiff::report::json;
use cyberdiff::report::track::{TrackReport, render_html, render_terminal};
use cyberdiff::track::{MatchParams, Statement, track};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Some((head, rest)) = text.split_once('\0') else {
        return;
    };
    let statements: Vec<Statement> = head
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(8)
        .enumerate()
        .map(|(i, l)| Statement {
            id: format!("s{i}"),
            group: None,
            text: l.to_owned(),
            aliases: Vec::new(),
            line: i + 1,
        })
        .collect();
    if statements.is_empty() {
        return;
    }
    let docs: Vec<Document> = rest
        .splitn(2, '\0')
        .enumerate()
        .map(|(i, t)| Document {
            date: Some(format!("20{:02}", 10 + i)),
            ..Document::from_text(&format!("d{i}"), t)
        })
        .collect();
    let params = MatchParams::default();
    let t = track(&statements, &docs, &params);
    let report = TrackReport::new(&t, &params, None);
    for (s, _) in statements.iter().enumerate() {
        for (d, doc) in t.documents.iter().enumerate() {
            if let Some(span) = &report.cell(s, d).span {
                assert_eq!(doc.text.get(span.start..span.end), Some(span.text.as_str()));
            }
        }
    }
    let _ = json::to_json(&report);
    let texts: Vec<&str> = t.documents.iter().map(|d| d.text.as_str()).collect();
    let _ = render_html(&report, &texts);
    let _ = render_terminal(&report, true);
});
