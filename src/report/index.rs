//! `cyberdiff report`'s own outputs: the index page that answers the main question at a glance (where
//! each statement appears, year by year, and which passages recur), the combined `report.json`, and
//! the same answer on the terminal.
//!
//! Takes the reports of scan, dedup and track (any may be missing), the models their JSON and pages
//! are written from, and reads only what it shows from them, so the index always agrees with the
//! pages it links.

use std::fmt::Write as _;

use super::page::{self, Here, Nav, Site};
use super::scan::ScanReport;
use super::track::TrackReport;
use super::{SCHEMA_VERSION, excerpt};
use crate::dedup::DedupReport;
use crate::track::Status;
use askama::Template;

/// A document as the index lists it.
#[derive(Debug, Default, Clone)]
pub struct IndexDoc {
    pub id: String,
    pub date: String,
    pub path: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// The share of its words reused, as a percentage.
    pub reused: String,
}

/// A statement as the grid shows it: id, group, text, and per document (status, occurrences).
pub type GridRow = (String, Option<String>, String, Vec<(Status, usize)>);

/// The statements × documents grid of the tracking report.
#[derive(Debug, Default, Clone)]
pub struct TrackGrid {
    /// Column labels (dates, or ids of undated documents).
    pub columns: Vec<String>,
    /// Each column's (source, note) from a corpus manifest.
    pub column_meta: Vec<(Option<String>, Option<String>)>,
    /// (id, group, text, cells: (status, occurrences)) per statement.
    pub rows: Vec<GridRow>,
    /// Per statement, per document: the best passage's text, empty when absent.
    pub passages: Vec<Vec<String>>,
    /// Cells by status, in `Status::ALL` order.
    pub counts: Vec<(&'static str, usize)>,
}

/// A passage found in several documents (a cluster of the scan).
#[derive(Debug, Clone)]
pub struct TopPassage {
    pub id: usize,
    pub documents: usize,
    pub text: String,
    /// (date, document id, line, kind or "source") of each place, in date order.
    pub places: Vec<(String, String, u64, String)>,
}

/// What the index page of `cyberdiff report` says about the reports it links.
#[derive(Debug, Default)]
pub struct ReportSummary {
    pub documents: Vec<IndexDoc>,
    pub pairs: usize,
    pub clusters: usize,
    pub duplicates: usize,
    pub boilerplate: usize,
    pub removed_documents: usize,
    pub repeated_paragraphs: usize,
    /// The grid, when there was a statements file.
    pub track: Option<TrackGrid>,
    /// Recurring passages, most widespread first.
    pub top: Vec<TopPassage>,
    pub has_scan: bool,
    pub has_dedup: bool,
}

impl ReportSummary {
    /// Summarise the reports of scan, dedup and track (any may be missing).
    pub fn new(
        scan: Option<&ScanReport>,
        dedup: Option<&DedupReport>,
        track: Option<&TrackReport>,
    ) -> Self {
        let mut out = ReportSummary::default();
        if let Some(r) = scan {
            out.has_scan = true;
            out.pairs = r.pairs.len();
            out.clusters = r.clusters.len();
            out.duplicates = r.duplicates.len();
            out.boilerplate = r.boilerplate.len();
            out.documents = r
                .documents
                .iter()
                .map(|d| IndexDoc {
                    id: d.id.clone(),
                    date: d.date.clone().unwrap_or_default(),
                    path: d.path.clone(),
                    title: d.title.clone(),
                    source: d.source.clone(),
                    note: d.note.clone(),
                    reused: format!("{:.1}%", d.reused_share * 100.0),
                })
                .collect();
            let mut top: Vec<TopPassage> = r
                .clusters
                .iter()
                .map(|c| TopPassage {
                    id: c.id,
                    documents: c.documents,
                    text: c
                        .occurrences
                        .first()
                        .map(|o| o.text.clone())
                        .unwrap_or_default(),
                    places: c
                        .occurrences
                        .iter()
                        .map(|o| {
                            (
                                o.date.as_deref().unwrap_or_default().to_owned(),
                                o.document.to_string(),
                                o.line as u64,
                                o.kind.map_or("source", |k| k.name()).to_owned(),
                            )
                        })
                        .collect(),
                })
                .collect();
            top.sort_by_key(|t| (std::cmp::Reverse(t.documents), t.id));
            out.top = top;
        }
        if let Some(r) = dedup {
            out.has_dedup = true;
            out.removed_documents = r.removed_documents.len();
            out.repeated_paragraphs = r.repeated_paragraphs.len();
        }
        if let Some(r) = track {
            let columns: Vec<String> = r
                .documents
                .iter()
                .map(|d| d.date.clone().unwrap_or_else(|| excerpt(&d.id, 12)))
                .collect();
            let nd = r.documents.len();
            let rows: Vec<GridRow> = r
                .statements
                .iter()
                .enumerate()
                .map(|(si, s)| {
                    let row = (0..nd)
                        .map(|di| {
                            let c = r.cell(si, di);
                            (c.status, 1 + c.other_occurrences.len())
                        })
                        .collect();
                    (s.id.clone(), s.group.clone(), s.text.clone(), row)
                })
                .collect();
            let counts = Status::ALL
                .iter()
                .map(|&st| (st.name(), r.cells.iter().filter(|c| c.status == st).count()))
                .collect();
            let passages = (0..rows.len())
                .map(|si| {
                    (0..nd)
                        .map(|di| {
                            r.cell(si, di)
                                .span
                                .as_ref()
                                .map(|s| s.text.clone())
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect();
            let column_meta = r
                .documents
                .iter()
                .map(|d| (d.source.clone(), d.note.clone()))
                .collect();
            out.track = Some(TrackGrid {
                columns,
                column_meta,
                rows,
                passages,
                counts,
            });
        }
        out
    }

    /// The pages of the report folder this summary describes.
    pub fn site(&self) -> Site {
        Site {
            index: Some("index.html".to_owned()),
            scan: self.has_scan.then(|| "scan.html".to_owned()),
            track: self.track.is_some().then(|| "track.html".to_owned()),
        }
    }

    /// The files of the report folder: index.html, report.json, and the pages and JSON reports
    /// of the parts that ran.
    pub fn pages(&self) -> Vec<&'static str> {
        let mut pages = vec!["index.html", "report.json"];
        if self.has_scan {
            pages.extend(["scan.html", "scan.json"]);
        }
        if self.has_dedup {
            pages.push("dedup.json");
        }
        if self.track.is_some() {
            pages.extend(["track.html", "track.json"]);
        }
        pages
    }
}

/// The scan part of `report.json`: as `scan --json` writes it, or `scan --json-summary` (its rows
/// one a line, as in `scan.json`).
#[derive(Clone, Copy)]
pub enum ScanPart<'r, 'd> {
    Full(&'r ScanReport<'d>),
    Summary(&'r super::scan::ScanSummary),
}

/// Write the combined JSON of `cyberdiff report` to `w`: a header, then the scan, dedup and track
/// reports as their commands write them (pretty JSON at the top level, so their field order is
/// kept); a missing part is `null`.
pub fn write_report_json(
    w: &mut impl std::io::Write,
    summary: &ReportSummary,
    scan: Option<ScanPart>,
    dedup: Option<&DedupReport>,
    track: Option<&TrackReport>,
) -> std::io::Result<()> {
    fn part(w: &mut impl std::io::Write, r: Option<&impl serde::Serialize>) -> std::io::Result<()> {
        match r {
            Some(r) => serde_json::to_writer_pretty(w, r).map_err(std::io::Error::other),
            None => w.write_all(b"null"),
        }
    }
    let pages: Vec<&str> = summary
        .pages()
        .into_iter()
        .filter(|&p| p != "report.json")
        .collect();
    write!(
        w,
        "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"command\": \"report\",\n  \"manifest\": {{ \"tool\": \"cyberdiff\", \"version\": {} }},\n  \"pages\": {},\n  \"scan\": ",
        serde_json::to_string(env!("CARGO_PKG_VERSION")).expect("a string serialises"),
        serde_json::to_string(&pages).expect("strings serialise"),
    )?;
    match scan {
        Some(ScanPart::Full(r)) => part(w, Some(r))?,
        Some(ScanPart::Summary(r)) => {
            let mut ser =
                serde_json::Serializer::with_formatter(&mut *w, super::json::Rows::nested(1));
            serde::Serialize::serialize(r, &mut ser).map_err(std::io::Error::other)?
        }
        None => w.write_all(b"null")?,
    }
    w.write_all(b",\n  \"dedup\": ")?;
    part(w, dedup)?;
    w.write_all(b",\n  \"track\": ")?;
    part(w, track)?;
    w.write_all(b"\n}\n")
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    nav: Nav,
    csp: String,
    style: &'static str,
    version: &'a str,
    s: &'a ReportSummary,
    lede: String,
    legend: Vec<(&'static str, &'static str, &'static str, usize)>,
    groups: Vec<(Option<&'a str>, Vec<GridRowView<'a>>)>,
    top: Vec<TopView<'a>>,
}

struct GridRowView<'a> {
    index: usize,
    id: &'a str,
    text: &'a str,
    cells: Vec<GridCell>,
}

/// A cell of the index's grid: its status, and the passage's words, so that the changes of wording
/// read along a row.
struct GridCell {
    doc: usize,
    status: &'static str,
    symbol: &'static str,
    count: usize,
    wording: String,
}

struct TopView<'a> {
    id: usize,
    documents: usize,
    text: String,
    /// (date or id, kind of its first place, document id, places) per document.
    places: Vec<(&'a str, &'static str, &'a str, usize)>,
}

/// The index page of `cyberdiff report`, linking every page it wrote.
pub fn render_index(s: &ReportSummary) -> String {
    let mut groups: Vec<(Option<&str>, Vec<GridRowView>)> = Vec::new();
    if let Some(g) = &s.track {
        for (si, (id, group, text, cells)) in g.rows.iter().enumerate() {
            let row = GridRowView {
                index: si,
                id,
                text,
                cells: cells
                    .iter()
                    .enumerate()
                    .map(|(di, &(st, n))| GridCell {
                        doc: di,
                        status: st.name(),
                        symbol: page::symbol(st.name()),
                        count: n,
                        wording: excerpt(&g.passages[si][di], 64),
                    })
                    .collect(),
            };
            match groups.last_mut() {
                Some((name, rows)) if *name == group.as_deref() => rows.push(row),
                _ => groups.push((group.as_deref(), vec![row])),
            }
        }
    }
    let legend = s.track.as_ref().map_or_else(Vec::new, |g| {
        g.counts
            .iter()
            .map(|&(name, n)| (name, page::symbol(name), page::help(name), n))
            .collect()
    });
    let top = s
        .top
        .iter()
        .take(5)
        .map(|t| TopView {
            id: t.id,
            documents: t.documents,
            text: excerpt(&t.text, 160),
            places: {
                let mut per_doc: Vec<(&str, &'static str, &str, usize)> = Vec::new();
                for (date, doc, _, kind) in &t.places {
                    match per_doc.iter_mut().find(|p| p.2 == doc.as_str()) {
                        Some(p) => p.3 += 1,
                        None => per_doc.push((
                            if date.is_empty() {
                                doc.as_str()
                            } else {
                                date.as_str()
                            },
                            kind_name(kind),
                            doc.as_str(),
                            1,
                        )),
                    }
                }
                per_doc
            },
        })
        .collect();
    let dates: Vec<&str> = s
        .documents
        .iter()
        .map(|d| d.date.as_str())
        .filter(|d| !d.is_empty())
        .collect();
    let lede = format!(
        "{} document{}{}.{}",
        s.documents.len(),
        if s.documents.len() == 1 { "" } else { "s" },
        match (dates.first(), dates.last()) {
            (Some(f), Some(l)) if f != l => format!(", from {f} to {l}"),
            _ => String::new(),
        },
        s.track.as_ref().map_or(String::new(), |g| format!(
            " Below: where each of the {} statements appears, year by year; a cell opens its passage and how its wording changed.",
            g.rows.len()
        ))
    );
    let page = IndexPage {
        nav: Nav::new(&s.site(), Here::Index, "Overview"),
        csp: page::csp(None),
        style: page::STYLE,
        version: env!("CARGO_PKG_VERSION"),
        s,
        lede,
        legend,
        groups,
        top,
    };
    let mut html = page.render().expect("rendering into a String cannot fail");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

fn kind_name(k: &str) -> &'static str {
    ["repeated", "reworded", "expanded", "condensed", "source"]
        .into_iter()
        .find(|&x| x == k)
        .unwrap_or("source")
}

/// What `cyberdiff report` prints: the grid (as `track` prints it), the passages found in most
/// documents, and where the index page is.
pub fn render_terminal(s: &ReportSummary, index: &str, color: bool) -> String {
    let mut out = String::new();
    if let Some(g) = &s.track {
        let rows: Vec<(String, Vec<(Status, usize)>)> = g
            .rows
            .iter()
            .map(|(id, _, _, cells)| (id.clone(), cells.clone()))
            .collect();
        let _ = writeln!(
            out,
            "Where each statement appears ({} statements × {} documents; · absent):\n",
            g.rows.len(),
            g.columns.len()
        );
        out.push_str(&super::track::grid(&g.columns, &rows, color));
        let counts: Vec<String> = g
            .counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let _ = writeln!(out, "cells: {}", counts.join(", "));
        let width = g
            .columns
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        for (si, (id, _, stext, cells)) in g.rows.iter().enumerate() {
            let _ = writeln!(out, "\n{}  {}", super::printable(id), excerpt(stext, 100));
            for (di, &(st, _)) in cells.iter().enumerate() {
                if st != Status::Absent {
                    let _ = writeln!(
                        out,
                        "  {:<width$}  {:<9}  \"{}\"",
                        super::printable(&g.columns[di]),
                        st.name(),
                        excerpt(&g.passages[si][di], 76)
                    );
                }
            }
        }
    }
    let top: Vec<&TopPassage> = s.top.iter().take(5).collect();
    if !top.is_empty() {
        let _ = writeln!(
            out,
            "\nPassages found in the most documents ({} in all):",
            s.top.len()
        );
        for t in top {
            let mut years: Vec<&str> = t
                .places
                .iter()
                .map(|p| p.0.get(..4).unwrap_or(p.1.as_str()))
                .collect();
            years.dedup();
            let _ = writeln!(
                out,
                "  {} documents ({}): \"{}\"",
                t.documents,
                super::printable(&years.join(", ")),
                excerpt(&t.text, 80)
            );
        }
    }
    for d in s.documents.iter().filter(|d| d.note.is_some()) {
        let _ = writeln!(
            out,
            "\nNote on {}: {}",
            super::printable(&d.id),
            excerpt(d.note.as_deref().unwrap_or(""), 240)
        );
    }
    let _ = writeln!(
        out,
        "\nOpen {} in a browser: the grid with every passage and its word diff, the overlap of every pair of documents, side by side.",
        super::printable(index)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan of two documents with one recurring passage, and a grid of two statements.
    fn summary(track: bool, dedup: bool) -> ReportSummary {
        use Status::{Absent, Repeated, Reworded};
        let rows: Vec<GridRow> = vec![
            (
                "p1".into(),
                Some("G".into()),
                "Respect".into(),
                vec![(Absent, 1), (Reworded, 2)],
            ),
            (
                "p2".into(),
                Some("G".into()),
                "Peace".into(),
                vec![(Repeated, 1), (Absent, 1)],
            ),
        ];
        let counts = Status::ALL
            .iter()
            .map(|&st| {
                let n = rows.iter().flat_map(|r| &r.3).filter(|c| c.0 == st).count();
                (st.name(), n)
            })
            .collect();
        ReportSummary {
            documents: vec![IndexDoc {
                id: "a".into(),
                date: "2015".into(),
                path: "x/a.txt".into(),
                title: Some("<b>T</b>".into()),
                source: None,
                note: Some("partial".into()),
                reused: "10.0%".into(),
            }],
            top: vec![TopPassage {
                id: 1,
                documents: 2,
                text: "shared words".into(),
                places: vec![
                    ("2015".into(), "a".into(), 3, "source".into()),
                    ("2017".into(), "b".into(), 9, "repeated".into()),
                ],
            }],
            clusters: 1,
            has_scan: true,
            has_dedup: dedup,
            track: track.then(|| TrackGrid {
                columns: vec!["2015".into(), "2017".into()],
                column_meta: vec![(None, None); 2],
                rows,
                passages: vec![
                    vec![String::new(), "respecting <i>it</i>".into()],
                    vec![String::new(), String::new()],
                ],
                counts,
            }),
            ..ReportSummary::default()
        }
    }

    #[test]
    fn the_terminal_shows_the_grid_the_recurring_passages_and_the_index() {
        let s = summary(true, false);
        let t = render_terminal(&s, "reports/index.html", false);
        let lines: Vec<&str> = t.lines().collect();
        let head = lines
            .iter()
            .position(|l| l.starts_with("statement"))
            .unwrap();
        assert!(lines[head].contains("2015") && lines[head].contains("2017"));
        assert!(lines[head + 1].starts_with("p1") && lines[head + 1].contains("reworded ×2"));
        assert!(lines[head + 2].starts_with("p2") && lines[head + 2].contains("repeated"));
        assert!(t.contains("\np1  Respect\n  2017  reworded   \"respecting <i>it</i>\"\n"));
        assert!(t.contains("2 documents (2015, 2017): \"shared words\""));
        assert!(t.contains("Note on a: partial"));
        assert!(t.trim_end().ends_with("side by side."));
        assert!(t.contains("reports/index.html"));
        // Without statements or clusters, no empty heading.
        let bare = render_terminal(&ReportSummary::new(None, None, None), "i.html", false);
        assert!(!bare.contains("statement") && !bare.contains("Passages"));
    }

    #[test]
    fn the_index_links_only_what_was_written_and_escapes_titles() {
        let s = summary(false, true);
        assert_eq!(
            s.pages(),
            [
                "index.html",
                "report.json",
                "scan.html",
                "scan.json",
                "dedup.json"
            ]
        );
        let html = render_index(&s);
        assert!(!html.contains("track.html"));
        assert!(html.contains("href=\"scan.html\""));
        assert!(html.contains("&#60;b&#62;T&#60;/b&#62;") && !html.contains("<b>T</b>"));
        assert!(html.contains("partial"));
        let mut json = Vec::new();
        write_report_json(&mut json, &s, None, None, None).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            v["pages"],
            serde_json::json!(["index.html", "scan.html", "scan.json", "dedup.json"])
        );
        assert!(v["scan"].is_null() && v["track"].is_null());
        let with_track = render_index(&summary(true, false));
        assert!(with_track.contains("href=\"track.html#c-0-1\""));
        // The cell shows the passage's words, escaped.
        assert!(with_track.contains("“respecting &#60;i&#62;it&#60;/i&#62;”"));
    }
}
