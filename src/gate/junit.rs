//! JUnit XML output of the gate: one test case per finding (a failure when it is new), or one passing
//! test case when there is no finding, so CI test-report views list what the gate found.

use std::fmt::Write as _;

use super::{Status, Verdict};

/// Escape text for XML attributes and content; characters XML 1.0 cannot hold are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report of a verdict.
pub fn render(v: &Verdict) -> String {
    let tests = v.findings.len().max(1);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"cyberdiff check\" tests=\"{tests}\" failures=\"{}\" errors=\"0\">",
        v.new
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"cyberdiff check\" tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
        v.new
    );
    if v.findings.is_empty() {
        s.push_str("    <testcase classname=\"cyberdiff.check\" name=\"no findings\"/>\n");
    }
    for f in &v.findings {
        let doc = f.first_document_shown().unwrap_or("");
        let line = f.locations.first().map_or(1, |l| l.line);
        let _ = write!(
            s,
            "    <testcase classname=\"cyberdiff.{}\" name=\"{} [{}]\" file=\"{}\" line=\"{line}\"",
            f.rule.id(),
            escape(doc),
            f.fingerprint,
            escape(doc)
        );
        let mut details = String::new();
        for l in &f.locations {
            let _ = write!(
                details,
                "{}:{}:{}: {}",
                l.shown_path(),
                l.line,
                l.column,
                l.text
            );
            if let Some(src) = &l.source {
                let _ = write!(details, " (from {}:{})", src.shown_path(), src.line);
            }
            details.push('\n');
        }
        match f.status {
            Status::New => {
                let _ = writeln!(
                    s,
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    f.rule.id(),
                    escape(&f.message),
                    escape(&details)
                );
            }
            Status::Baselined => {
                let _ = writeln!(
                    s,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    escape(&format!("baselined: {}\n{details}", f.message))
                );
            }
        }
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
