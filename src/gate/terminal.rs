//! The terminal output of `check`: what a person reads in a CI log. Every file name, id and
//! statement is shown on one line ([`crate::report::printable_line`]).

use std::path::Path;

use super::plan::CacheInfo;
use super::{Status, Verdict};

/// The terminal summary of a run over `docs` documents: the counts, each new finding with its first
/// ten places, the baselined findings gone, and PASS or FAIL naming the `baseline`.
pub fn render(v: &Verdict, docs: usize, cache: &CacheInfo, baseline: &Path) -> String {
    use std::fmt::Write as _;
    // File names, ids and statements reach these lines: each is shown on one line, so that a name
    // holding "\nPASS: " cannot print a line of its own.
    use crate::report::printable_line as line;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "cyberdiff check: {docs} documents ({} read), {} findings: {} new, {} baselined; {} gone from the baseline",
        cache.documents_read,
        v.findings.len(),
        v.new,
        v.findings.len() - v.new,
        v.gone.len()
    );
    for f in v.findings.iter().filter(|f| f.status == Status::New) {
        let _ = writeln!(
            s,
            "\nNEW {} {}: {}",
            f.rule.id(),
            f.fingerprint,
            line(&f.message)
        );
        for l in f.locations.iter().take(10) {
            let _ = write!(s, "  {}:{}:{}", line(l.shown_path()), l.line, l.column);
            if !l.text.is_empty() {
                let _ = write!(s, "  \"{}\"", line(&l.text));
            }
            if let Some(src) = &l.source {
                let _ = write!(s, "  <- {}:{}", line(src.shown_path()), src.line);
            }
            s.push('\n');
        }
        if f.locations.len() > 10 {
            let _ = writeln!(s, "  … and {} more places", f.locations.len() - 10);
        }
    }
    if !v.gone.is_empty() {
        let _ = writeln!(
            s,
            "\nin the baseline but no longer found (prune with --update-baseline):"
        );
        for g in &v.gone {
            let _ = writeln!(
                s,
                "  {} {}: {}",
                g.rule.id(),
                g.fingerprint,
                line(&g.message)
            );
        }
    }
    if v.new > 0 {
        let _ = writeln!(
            s,
            "\nFAIL: {} new finding{} not in {}. Fix them, or accept them with `cyberdiff check --update-baseline`.",
            v.new,
            if v.new == 1 { "" } else { "s" },
            crate::report::printable_path(baseline)
        );
    } else {
        let _ = writeln!(s, "\nPASS: no finding outside the baseline.");
    }
    s
}
