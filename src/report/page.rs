//! What every HTML page shares: the stylesheet, the Content-Security-Policy, data embedded for a
//! page's script, and the header that links the pages of one report to each other.
//!
//! Guarantees, for every page built on this module:
//! - Text reaches the page through askama's HTML escaping (the templates never mark document text
//!   `|safe`), or through [`script_json`], whose output cannot close its `<script>` element.
//! - The page's CSP (`default-src 'none'`) forbids every request; the one script allowed runs by the
//!   SHA-256 hash of its text, so no script a document smuggled in can run.
//! - Links between pages are relative URI references built by [`super::uri`], so a file named
//!   `my #1.html` stays one path.

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The stylesheet of every page (one visual language: the same colour for a kind on every page).
pub const STYLE: &str = include_str!("../../templates/style.css");

/// The Content-Security-Policy of a page: nothing may be fetched; inline styles are allowed (the
/// stylesheet is inlined); the one script allowed is `script`, by the hash of its text, or none.
pub fn csp(script: Option<&str>) -> String {
    let script_src = match script {
        Some(s) => format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        ),
        None => "'none'".to_owned(),
    };
    format!(
        "default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; img-src data:; \
         base-uri 'none'; form-action 'none'"
    )
}

/// JSON that is safe inside a `<script type="application/json">` element: `<`, `>` and `&` (which
/// could close the element or open a comment) and U+2028/U+2029 (line terminators to older
/// JavaScript parsers) are written as `\u` escapes, which JSON allows only inside strings, where they
/// mean the same characters.
pub fn script_json<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("page data serialises without error");
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The symbol of a kind (or status) on every page, so that the kind reads without its colour.
pub fn symbol(kind: &str) -> &'static str {
    match kind {
        "repeated" => "=",
        "reworded" => "≈",
        "expanded" => "+",
        "condensed" => "−",
        "absent" => "·",
        "boilerplate" => "▤",
        "source" => "◆",
        _ => "?",
    }
}

/// What a kind means, for the legend's tooltips (the page's own thresholds, where it has them, are
/// in its legend).
pub fn help(kind: &str) -> &'static str {
    match kind {
        "repeated" => "near-verbatim: the same words, in the same order",
        "reworded" => "the same content in other words: synonyms, other forms, another order",
        "expanded" => "the later text keeps the earlier passage and adds to it",
        "condensed" => "the later text keeps the core of the earlier passage in fewer words",
        "absent" => "no passage above the thresholds",
        "boilerplate" => {
            "text found in many documents (navigation, mastheads, credits): left out of the shares"
        }
        "source" => "the earliest place of a recurring passage",
        _ => "",
    }
}

/// The pages of one report that exist beside each other, as file names relative to the folder of
/// the top pages (`index.html`, `scan.html`, `track.html` in a `cyberdiff report` folder). A page
/// links only to pages named here, so a standalone page links to nothing that was not written.
#[derive(Clone, Debug, Default)]
pub struct Site {
    pub index: Option<String>,
    pub scan: Option<String>,
    pub track: Option<String>,
}

/// Which page a header is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Here {
    Index,
    Scan,
    Track,
    /// A compare page; `in_scan` when it is one of a scan's pair pages (one folder down).
    Pair {
        in_scan: bool,
    },
}

/// The header of a page: links to the other pages of the report, and the trail back to the top.
pub struct Nav {
    pub links: Vec<NavLink>,
    /// From the top page down to this one; the last is this page (no link).
    pub crumbs: Vec<NavLink>,
}

pub struct NavLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

impl Nav {
    /// The header of page `here` of `site`; `title` names this page in the trail.
    pub fn new(site: &Site, here: Here, title: &str) -> Self {
        let up = if matches!(here, Here::Pair { in_scan: true }) {
            "../"
        } else {
            ""
        };
        let link = |name: &str, label: &str, current: bool| NavLink {
            href: format!("{up}{}", super::uri(name)),
            label: label.to_owned(),
            current,
        };
        let mut links = Vec::new();
        if let Some(i) = &site.index {
            links.push(link(i, "Overview", here == Here::Index));
        }
        if let Some(t) = &site.track {
            links.push(link(t, "Statements", here == Here::Track));
        }
        if let Some(s) = &site.scan {
            links.push(link(
                s,
                "Corpus scan",
                matches!(here, Here::Scan | Here::Pair { in_scan: true }),
            ));
        }
        let mut crumbs = Vec::new();
        if here != Here::Index
            && let Some(i) = &site.index
        {
            crumbs.push(link(i, "Overview", false));
        }
        if let (Here::Pair { in_scan: true }, Some(s)) = (here, &site.scan) {
            crumbs.push(link(s, "Corpus scan", false));
        }
        crumbs.push(NavLink {
            href: String::new(),
            label: title.to_owned(),
            current: true,
        });
        Self { links, crumbs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_carries_the_base64_sha256_of_the_script() {
        // sha256("abc"), as browsers expect it in a CSP source (RFC 4648 base64 with padding).
        assert!(csp(Some("abc")).contains("'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"));
        assert!(csp(None).contains("script-src 'none'"));
        for c in [csp(None), csp(Some("x"))] {
            assert!(c.starts_with("default-src 'none';"));
            assert!(c.contains("base-uri 'none'") && c.contains("form-action 'none'"));
        }
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let s = script_json(&[
            "</script><script>alert(1)</script>",
            "a & b",
            "<!--",
            "\u{2028}\u{2029}",
        ]);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[1], "a & b");
        assert_eq!(back[3], "\u{2028}\u{2029}");
    }

    #[test]
    fn a_page_links_only_the_pages_of_its_site() {
        let alone = Nav::new(&Site::default(), Here::Pair { in_scan: false }, "a ↔ b");
        assert!(alone.links.is_empty());
        assert_eq!(alone.crumbs.len(), 1);

        let report = |track: bool| Site {
            index: Some("index.html".to_owned()),
            scan: Some("scan.html".to_owned()),
            track: track.then(|| "track.html".to_owned()),
        };
        let site = report(true);
        let pair = Nav::new(&site, Here::Pair { in_scan: true }, "Pair 3");
        let hrefs: Vec<&str> = pair.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, ["../index.html", "../track.html", "../scan.html"]);
        let trail: Vec<(&str, &str)> = pair
            .crumbs
            .iter()
            .map(|l| (l.href.as_str(), l.label.as_str()))
            .collect();
        assert_eq!(
            trail,
            [
                ("../index.html", "Overview"),
                ("../scan.html", "Corpus scan"),
                ("", "Pair 3")
            ]
        );
        assert!(pair.links[2].current);

        let no_track = Nav::new(&report(false), Here::Scan, "Corpus scan");
        assert!(no_track.links.iter().all(|l| l.href != "track.html"));
        let odd = Site {
            scan: Some("my #1.html".to_owned()),
            ..Site::default()
        };
        let n = Nav::new(&odd, Here::Pair { in_scan: true }, "p");
        assert_eq!(n.links[0].href, "../my%20%231.html");
    }
}
