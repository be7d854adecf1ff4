//! Tracking: reference statements across dated documents.
//!
//! Takes a statements file (TOML, `[[statement]]` tables with `id`, optional `group`, `text` and
//! optional `aliases`) and a set of documents, and gives, for each statement and each document in date
//! order (then id; undated documents last), every passage of the document that says what the statement
//! says, best first, with its status (repeated, reworded, expanded, condensed; **absent** when nothing
//! clears the thresholds), score, byte span and word diff against the statement. How passages are found
//! and scored is in [`matcher`]; the synonyms it uses are WordNet's, in [`synonyms`].
//!
//! Guarantees: the result depends only on the statements and the documents' texts (not on thread
//! count); every span lies inside its document's text on `char` boundaries; a statement's aliases are
//! matched like its text and an occurrence says which wording it matched.

pub mod matcher;
pub use crate::relate::synonyms;

use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;

use crate::Error;
use crate::corpus::Document;
use crate::text::Vocabulary;

pub use matcher::{MatchParams, Occurrence, Relation, Status, Step, Word};

/// One reference statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub id: String,
    pub group: Option<String>,
    pub text: String,
    pub aliases: Vec<String>,
    /// 1-based line of its `[[statement]]` header in the file; for a statement given to the Python
    /// package, its 1-based place in the list (0 when from neither).
    pub line: usize,
}

impl Statement {
    /// The statement's text, then its aliases.
    pub fn wordings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.text.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    statement: Vec<RawStatement>,
}

/// A statement as given (a `[[statement]]` table, or a mapping given to the Python package), before
/// [`check_statement`] accepts it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatement {
    pub id: String,
    pub group: Option<String>,
    pub text: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Accept one statement as given, trimmed, or say why not: its id must be non-empty and not among
/// the ids of `earlier` (the statements accepted before it; `at` says where one was given, for the
/// message), its text and each alias must hold words. `line` is where it was given (see
/// [`Statement::line`]).
pub fn check_statement(
    r: RawStatement,
    line: usize,
    earlier: &[Statement],
    at: &dyn Fn(&Statement) -> String,
) -> Result<Statement, String> {
    let id = r.id.trim().to_owned();
    if id.is_empty() {
        return Err("statement with an empty id".to_owned());
    }
    if let Some(first) = earlier.iter().find(|s| s.id == id) {
        return Err(format!(
            "duplicate statement id {id:?} (first at {}); ids must be unique",
            at(first)
        ));
    }
    if crate::text::count_words(&r.text) == 0 {
        return Err(format!(
            "statement {id:?} has an empty text: give the words to look for"
        ));
    }
    if let Some(a) = r
        .aliases
        .iter()
        .position(|a| crate::text::count_words(a) == 0)
    {
        return Err(format!("statement {id:?}: alias {} is empty", a + 1));
    }
    Ok(Statement {
        id,
        group: r
            .group
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty()),
        text: r.text.trim().to_owned(),
        aliases: r.aliases.into_iter().map(|a| a.trim().to_owned()).collect(),
        line,
    })
}

/// Read a statements file.
pub fn read_statements(path: &Path) -> Result<Vec<Statement>, Error> {
    let text = crate::corpus::read_side_file(path, "a statements file")?;
    parse_statements(path, &text)
}

/// Parse the text of a statements file; `path` names it in errors, with the line at fault.
pub fn parse_statements(path: &Path, src: &str) -> Result<Vec<Statement>, Error> {
    let err = |line: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            src[..s.start.min(src.len())].matches('\n').count() + 1
        });
        err(
            line,
            format!(
                "{} (see `cyberdiff track --help` for the statements file format)",
                e.message().trim_end()
            ),
        )
    })?;
    // The line of each [[statement]] header, for errors about one statement.
    let headers: Vec<usize> = src
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[statement]]"))
        .map(|(i, _)| i + 1)
        .collect();
    if raw.statement.is_empty() {
        return Err(err(
            1,
            "no statements: add [[statement]] tables with id and text".to_owned(),
        ));
    }
    let mut out: Vec<Statement> = Vec::with_capacity(raw.statement.len());
    for (k, r) in raw.statement.into_iter().enumerate() {
        let line = headers.get(k).copied().unwrap_or(1);
        let at = |s: &Statement| format!("line {}", s.line);
        out.push(check_statement(r, line, &out, &at).map_err(|m| err(line, m))?);
    }
    Ok(out)
}

/// One statement in one document: every occurrence, best first (none: absent).
#[derive(Clone, Debug)]
pub struct Cell {
    pub statement: usize,
    pub document: usize,
    pub occurrences: Vec<Found>,
}

impl Cell {
    /// The status of the best occurrence, or absent.
    pub fn status(&self) -> Status {
        self.occurrences
            .first()
            .map_or(Status::Absent, |f| f.occurrence.status)
    }
}

/// An occurrence and the wording of the statement it matched (0: the text, k: alias k).
#[derive(Clone, Debug)]
pub struct Found {
    pub wording: usize,
    pub occurrence: Occurrence,
}

/// The result of tracking statements through documents.
#[derive(Debug)]
pub struct Tracking<'a> {
    pub statements: &'a [Statement],
    /// The documents in date order, then id.
    pub documents: Vec<&'a Document>,
    /// Each statement's wordings cut into words: `words[statement][wording]`.
    pub statement_words: Vec<Vec<Vec<Word>>>,
    /// Each document's words, in `documents` order.
    pub document_words: Vec<Vec<Word>>,
    /// Statement-major: `cells[s * documents.len() + d]`.
    pub cells: Vec<Cell>,
}

impl Tracking<'_> {
    /// The cell of statement `s` and document `d`.
    pub fn cell(&self, s: usize, d: usize) -> &Cell {
        &self.cells[s * self.documents.len() + d]
    }
}

/// Date order: dated documents by date then id, undated ones after them by id.
pub fn date_order<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Vec<&'a Document> {
    let mut v: Vec<&Document> = docs.into_iter().collect();
    v.sort_by(|a, b| {
        (a.date.is_none(), &a.date, &a.id, &a.path).cmp(&(
            b.date.is_none(),
            &b.date,
            &b.id,
            &b.path,
        ))
    });
    v
}

/// Track every statement through every document.
pub fn track<'a>(
    statements: &'a [Statement],
    docs: &'a [Document],
    params: &MatchParams,
) -> Tracking<'a> {
    track_docs(statements, docs, params)
}

/// [`track`] over documents held elsewhere (a corpus's [`crate::corpus::CorpusDoc`]s).
pub fn track_docs<'a>(
    statements: &'a [Statement],
    docs: impl IntoIterator<Item = &'a Document>,
    params: &MatchParams,
) -> Tracking<'a> {
    let documents = date_order(docs);
    let lex = synonyms::lexicon();
    let mut vocab = Vocabulary::new();
    let document_words: Vec<Vec<Word>> = documents
        .iter()
        .map(|d| matcher::words(&d.text, &mut vocab, lex))
        .collect();
    let statement_words: Vec<Vec<Vec<Word>>> = statements
        .iter()
        .map(|s| {
            s.wordings()
                .map(|w| matcher::words(w, &mut vocab, lex))
                .collect()
        })
        .collect();
    let idf = matcher::Idf::new(document_words.iter().map(Vec::as_slice));
    let all_docs = document_words.iter().map(Vec::as_slice);
    let statement_weights: Vec<Vec<Vec<f64>>> = statement_words
        .par_iter()
        .map(|ws| {
            ws.iter()
                .map(|w| idf.statement_weights(w, all_docs.clone(), lex))
                .collect()
        })
        .collect();
    let nd = documents.len();
    let cells: Vec<Cell> = (0..statements.len() * nd)
        .into_par_iter()
        .map(|k| {
            let (s, d) = (k / nd, k % nd);
            let mut all: Vec<Found> = statement_words[s]
                .iter()
                .enumerate()
                .flat_map(|(wording, sw)| {
                    let weights = &statement_weights[s][wording];
                    matcher::find(sw, weights, &document_words[d], &idf, lex, params)
                        .into_iter()
                        .map(move |occurrence| Found {
                            wording,
                            occurrence,
                        })
                })
                .collect();
            all.sort_by(|x, y| {
                y.occurrence
                    .score
                    .total_cmp(&x.occurrence.score)
                    .then(x.occurrence.span.start.cmp(&y.occurrence.span.start))
                    .then(x.wording.cmp(&y.wording))
            });
            // Several wordings may find the same passage: keep the best of overlapping ones.
            let mut kept: Vec<Found> = Vec::new();
            for f in all {
                if !kept
                    .iter()
                    .any(|k| overlaps(&k.occurrence.span, &f.occurrence.span))
                {
                    kept.push(f);
                }
            }
            Cell {
                statement: s,
                document: d,
                occurrences: kept,
            }
        })
        .collect();
    let mut cells = cells;
    let texts: Vec<&str> = documents.iter().map(|d| d.text.as_str()).collect();
    list_rule(
        statements,
        &texts,
        &statement_words,
        &statement_weights,
        &document_words,
        &idf,
        lex,
        params,
        &mut cells,
    );
    Tracking {
        statements,
        documents,
        statement_words,
        document_words,
        cells,
    }
}

/// Statements of one group are often restated as a list, one heading or sentence each, in order. A
/// statement absent from a document whose two predecessors in its group are found there in order, in
/// sentences at most two apart, is looked for in the sentence that follows them (and, the mirror
/// case, one whose two successors are found, in the sentence before): a short sentence (at most
/// `2 × words + 2` words) that shares a content word with it is its occurrence, judged by the usual
/// diff. The list, not the words alone, is the evidence: "Building a sound order" after the other
/// three principles' headings says "Cultivation of good order" though only "order" is shared.
#[allow(clippy::too_many_arguments)]
fn list_rule(
    statements: &[Statement],
    texts: &[&str],
    statement_words: &[Vec<Vec<Word>>],
    statement_weights: &[Vec<Vec<f64>>],
    document_words: &[Vec<Word>],
    idf: &matcher::Idf,
    lex: &synonyms::Lexicon,
    params: &MatchParams,
    cells: &mut [Cell],
) {
    let nd = document_words.len();
    for d in 0..nd {
        let dw = &document_words[d];
        let sentence = |w: usize| dw[w].sentence;
        // A word opens a paragraph (a line): a heading of a list of paragraphs.
        let opens_line = |w: usize| {
            texts[d][..dw[w].start]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with('\n')
                || w == 0
        };
        let all = |cells: &[Cell], s: usize| -> Vec<Range<usize>> {
            cells[s * nd + d]
                .occurrences
                .iter()
                .map(|f| f.occurrence.words.clone())
                .collect()
        };
        // The word is in the first sentence of a paragraph.
        let heads_paragraph = |w: usize| {
            let first = (0..=w)
                .rev()
                .take_while(|&x| sentence(x) == sentence(w))
                .last();
            first.is_some_and(opens_line)
        };
        // Occurrences of two statements in order, in sentences at most two apart, or each opening
        // one of two consecutive paragraphs; and whether they are paragraph headings.
        let lines_between = |x: &Range<usize>, y: &Range<usize>| {
            texts[d][dw[x.end - 1].end..dw[y.start].start]
                .split('\n')
                .filter(|l| !l.trim().is_empty())
                .count()
        };
        // Paragraph headings first (a list of paragraphs), then neighbouring sentences.
        let in_list = |x: Vec<Range<usize>>,
                       y: Vec<Range<usize>>|
         -> Option<(Range<usize>, Range<usize>, bool)> {
            let pairs = || {
                x.iter()
                    .flat_map(|x| y.iter().map(move |y| (x, y)))
                    .filter(|(x, y)| x.end <= y.start)
            };
            pairs()
                .find(|(x, y)| {
                    heads_paragraph(x.start) && heads_paragraph(y.start) && lines_between(x, y) <= 1
                })
                .map(|(x, y)| (x.clone(), y.clone(), true))
                .or_else(|| {
                    pairs()
                        .find(|(x, y)| sentence(y.start) - sentence(x.end - 1) <= 2)
                        .map(|(x, y)| (x.clone(), y.clone(), false))
                })
        };
        // The first sentence of the paragraph after (or before) the one holding word `w`.
        let paragraph = |w: usize, after: bool| -> Option<Range<usize>> {
            let k = if after {
                (w + 1..dw.len()).find(|&k| opens_line(k))?
            } else {
                (0..w).rev().find(|&k| opens_line(k))?
            };
            let target = sentence(k);
            let end = (k..dw.len())
                .take_while(|&x| sentence(x) == target)
                .last()?
                + 1;
            Some(k..end)
        };
        // The words of the sentence `step` sentences after (or before) the one holding word `w`.
        let neighbour = |w: usize, after: bool| -> Option<Range<usize>> {
            let here = sentence(w);
            let k = if after {
                (w..dw.len()).find(|&k| sentence(k) != here)?
            } else {
                (0..w).rev().find(|&k| sentence(k) != here)?
            };
            let target = sentence(k);
            let start = (0..=k)
                .rev()
                .take_while(|&x| sentence(x) == target)
                .last()?;
            let end = (k..dw.len())
                .take_while(|&x| sentence(x) == target)
                .last()?
                + 1;
            Some(start..end)
        };
        let mut added: Vec<(usize, Found)> = Vec::new();
        for (k, st) in statements.iter().enumerate() {
            if st.group.is_none() || !cells[k * nd + d].occurrences.is_empty() {
                continue;
            }
            let same = |j: usize| statements.get(j).is_some_and(|o| o.group == st.group);
            let mut window = None;
            if k >= 2
                && same(k - 1)
                && same(k - 2)
                && let Some((_, y, heads)) = in_list(all(cells, k - 2), all(cells, k - 1))
            {
                window = if heads {
                    paragraph(y.start, true)
                } else {
                    neighbour(y.end - 1, true)
                };
            }
            if window.is_none()
                && same(k + 1)
                && same(k + 2)
                && let Some((x, _, heads)) = in_list(all(cells, k + 1), all(cells, k + 2))
            {
                window = if heads {
                    paragraph(x.start, false)
                } else {
                    neighbour(x.start, false)
                };
            }
            let Some(window) = window else { continue };
            let sw = &statement_words[k][0];
            if window.len() > 2 * sw.len() + 2 {
                continue;
            }
            let o =
                matcher::occurrence_at(sw, &statement_weights[k][0], dw, window, idf, lex, params);
            let shares = o.steps.iter().any(|x| {
                x.tag != crate::align::OpTag::Insert
                    && x.tag != crate::align::OpTag::Delete
                    && x.s.clone().any(|i| !sw[i].stop)
            });
            if shares {
                added.push((
                    k,
                    Found {
                        wording: 0,
                        occurrence: o,
                    },
                ));
            }
        }
        for (k, f) in added {
            cells[k * nd + d].occurrences.push(f);
        }
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Vec<Statement>, Error> {
        parse_statements(Path::new("s.toml"), src)
    }

    #[test]
    fn statements_parse_with_groups_and_aliases() {
        let s = parse(
            "[[statement]]\nid = \"p1\"\ngroup = \"G\"\ntext = \"Respect for sovereignty\"\naliases = [\"respecting sovereignty\"]\n\n[[statement]]\nid = \"p2\"\ntext = \"Peace\"\n",
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].group.as_deref(), Some("G"));
        assert_eq!(s[0].wordings().count(), 2);
        assert_eq!((s[1].line, s[1].group.as_deref()), (7, None));
    }

    #[test]
    fn bad_statement_files_name_the_line() {
        let e = parse(
            "[[statement]]\nid = \"a\"\ntext = \"x y\"\n[[statement]]\nid = \"a\"\ntext = \"z\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("s.toml:4: duplicate statement id \"a\""),
            "{e}"
        );
        let e = parse("[[statement]]\nid = \"a\"\ntext = \"  \"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:1:") && e.contains("empty text"), "{e}");
        let e = parse("[[statement]]\nid = \"a\"\ntext = \"x\"\ngroup = \n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:4:"), "{e}");
        let e = parse("[[statement]]\nid = \"a\"\ntxt = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("txt"), "{e}");
        assert!(
            parse("# nothing\n")
                .unwrap_err()
                .to_string()
                .contains("no statements")
        );
    }
}
