//! Terminal output: a short summary a person reads at a glance. Colour only when asked for (the CLI
//! decides: a terminal, and NO_COLOR unset).

use std::fmt::Write;

use super::{CompareReport, excerpt};
use crate::align::Kind;

/// How many passages the summary lists before pointing to the JSON.
pub const DEFAULT_TOP: usize = 10;

fn paint(s: &str, kind: Kind, color: bool) -> String {
    if !color {
        return s.to_owned();
    }
    let code = match kind {
        // The pages' colours, as near as the terminal's eight come: blue, yellow, green, magenta.
        Kind::Repeated => "34",
        Kind::Reworded => "33",
        Kind::Expanded => "32",
        Kind::Condensed => "35",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Render the summary of a comparison: both documents, reused shares, counts by kind, and the `top`
/// longest passages with their lines and an excerpt.
pub fn render_compare(r: &CompareReport, top: usize, color: bool) -> String {
    let mut out = String::new();
    for (side, d) in [("A", &r.a), ("B", &r.b)] {
        let date = d
            .date
            .as_deref()
            .map(|x| format!("{x}, "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{side}  {}  ({date}{} words, {} bytes)",
            super::printable_line(&d.path),
            d.words,
            d.bytes
        );
    }
    let s = &r.summary;
    let kinds: Vec<String> = Kind::ALL
        .iter()
        .map(|&k| paint(&format!("{} {}", s.kinds.get(k), k.name()), k, color))
        .collect();
    let _ = writeln!(
        out,
        "\nreused: {} of A, {} of B in {} passage{}: {}",
        percent(s.a_reused_share),
        percent(s.b_reused_share),
        s.passages,
        if s.passages == 1 { "" } else { "s" },
        kinds.join(", ")
    );
    // `--top 0`: the counts above, and no table.
    if r.passages.is_empty() || top == 0 {
        return out;
    }
    // A stock phrase matched several times is one finding with its occurrences, distinct content
    // first (`super::findings`).
    let groups = super::findings(&r.passages);
    let _ = writeln!(
        out,
        "\n  #  kind       score  A line  B line  words  A text / B text"
    );
    for g in groups.iter().take(top) {
        let p = g[0];
        let times = if g.len() > 1 {
            format!(
                "  (×{}: passages {})",
                g.len(),
                g.iter()
                    .map(|q| q.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:>3}  {}  {:.2}   {:>6}  {:>6}  {:>5}  A: {}{times}",
            p.id,
            paint(&format!("{:<9}", p.kind.name()), p.kind, color),
            p.score,
            p.a.line,
            p.b.line,
            p.aligned_words,
            excerpt(&p.a.text, 60)
        );
        let _ = writeln!(out, "{:>48}B: {}", "", excerpt(&p.b.text, 60));
    }
    let top = groups.iter().take(top).map(Vec::len).sum::<usize>();
    if r.passages.len() > top {
        let _ = writeln!(
            out,
            "  … and {} more: --json FILE lists them all",
            r.passages.len() - top
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Params;
    use crate::corpus::Document;

    #[test]
    fn top_zero_prints_the_counts_and_no_table() {
        let shared = "We should speed up the building of an online platform for cultural \
                      exchanges and mutual learning among all the countries of the world.";
        let (a, b) = (format!("One. {shared}"), format!("{shared} Two."));
        let params = Params::default();
        let cmp = crate::compare_texts(&a, &b, &params);
        let r = CompareReport::new(
            &Document::from_text("a", &a),
            &Document::from_text("b", &b),
            &cmp,
            &params,
        );
        assert!(!r.passages.is_empty());
        let all = render_compare(&r, DEFAULT_TOP, false);
        assert!(all.contains("  #  kind"));
        let none = render_compare(&r, 0, false);
        assert!(none.contains("reused: "));
        assert!(
            !none.contains("#  kind") && !none.contains("more:"),
            "{none}"
        );
    }
}
