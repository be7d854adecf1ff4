//! Splitting passages at the line and sentence breaks both sides share.
//!
//! Takes the exact aligner's labelled passages and gives the same words cut into shorter passages
//! where the two texts' own structure says where one reuse ends and the next begins. Two translations
//! of one book, or two versions of a statute, share long stretches with small changes in every verse
//! or article; the aligner joins them into one passage spanning many verses, labelled by the whole.
//! A reader wants each verse or article on its own, with its own label.
//!
//! A *shared break* is a point of the passage's word alignment where both sides have a break between
//! the two words: a line break in A aligned to a line break in B (*line level*), or a sentence end
//! (`.` `!` `?` `;` and their full-width forms, or a line break) in A aligned to one in B (*sentence
//! level*). The alignment path runs through the word diff: along an equal run word by word, along a
//! deletion or insertion with the other side fixed, and through a replacement at any point where the
//! breaks inside it pair off one to one in order.
//!
//! 1. The passage is cut at every shared line break (lines are the units a reader reports: verses,
//!    articles, paragraphs); a passage without one, in text that is not cut into lines, is cut at
//!    every shared sentence end instead.
//! 2. Neighbouring pieces both *repeated* are joined (a verbatim copy across a line break stays one
//!    passage).
//! 3. A piece too small or too weak to report on its own (`reportable`) joins its smaller
//!    neighbour, until every piece is reportable or the passage is whole again.
//!
//! Passages labelled *repeated* as a whole are not split: a near-verbatim copy (PAN's "no
//! obfuscation" cases) is one reuse, and a one-word change in one of its sentences is not worth a
//! passage of its own. Passages of the reworded tier are not split either (their units are already
//! sentences).
//!
//! The pieces tile the passage's diff: the words between two aligned words at a cut (a verse's
//! leading "And" deleted) belong to the piece they stand in, so the pieces cover the words the
//! passage covered. Each piece is re-scored and labelled by [`classify`],
//! the same code that labels every passage. Nothing here depends on the language: the breaks are
//! read from the text between two words.
//!
//! Guarantees: pieces cover disjoint, ordered stretches of the passage's diff, so they never overlap;
//! together they are the original passage's diff; a passage without a shared break is returned as is.

use std::ops::Range;

use super::classify::{Kind, classify};
use super::{Op, OpTag, Params, Passage, Seq};

/// Characters that end a sentence (the reworded tier's units end at the same ones).
pub const SENTENCE_ENDS: [char; 9] = ['.', '!', '?', ';', '。', '！', '？', '；', '\n'];

/// How strong the break between token `i - 1` and token `i` of a sequence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    None,
    Sentence,
    Line,
}

fn level(s: &Seq, text: &str, i: usize) -> Level {
    if i == 0 || i >= s.len() {
        return Level::None;
    }
    let gap = &text[s.tokens[i - 1].end as usize..s.tokens[i].start as usize];
    if gap.contains('\n') {
        Level::Line
    } else if gap.contains(SENTENCE_ENDS) {
        Level::Sentence
    } else {
        Level::None
    }
}

/// Split every passage of the exact aligner at the breaks both sides share (see the module docs).
/// The passages must be labelled; the pieces come back labelled.
pub fn split(
    passages: Vec<Passage>,
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    params: &Params,
) -> Vec<Passage> {
    let mut out = Vec::with_capacity(passages.len());
    for p in passages {
        if p.evidence.is_some() || p.kind == Kind::Repeated {
            out.push(p);
            continue;
        }
        split_one(p, a, text_a, b, text_b, params, &mut out);
    }
    out
}

/// A stretch of a passage's (cut) diff: a range of op indices.
type Piece = Range<usize>;

fn split_one(
    p: Passage,
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    params: &Params,
    out: &mut Vec<Passage>,
) {
    let (ops, cuts) = cut_ops(&p, a, text_a, b, text_b);
    if cuts.is_empty() {
        out.push(p);
        return;
    }
    let judge = Judge {
        ops: &ops,
        a,
        b,
        params,
    };
    // Lines are the units where the passage has shared line breaks; sentences where it has none.
    let unit = if cuts.iter().any(|c| c.1 == Level::Line) {
        Level::Line
    } else {
        Level::Sentence
    };
    let mut pieces: Vec<(Piece, Verdict)> = segment(0..ops.len(), &cuts, unit)
        .into_iter()
        .map(|r| {
            let v = judge.verdict(&r);
            (r, v)
        })
        .collect();
    join_repeated(&mut pieces, &judge);
    // Pieces too small to report join their smaller neighbour.
    while pieces.len() > 1 {
        let Some(i) = pieces.iter().position(|(_, v)| !v.reportable) else {
            break;
        };
        let left = i.checked_sub(1).map(|j| judge.words(&pieces[j].0));
        let right = pieces.get(i + 1).map(|x| judge.words(&x.0));
        let j = match (left, right) {
            (Some(l), Some(r)) if r < l => i + 1,
            (Some(_), _) => i - 1,
            _ => i + 1,
        };
        let (lo, hi) = (i.min(j), i.max(j));
        let joined = pieces[lo].0.start..pieces[hi].0.end;
        let v = judge.verdict(&joined);
        pieces.splice(lo..=hi, [(joined, v)]);
        join_repeated(&mut pieces, &judge);
    }
    if pieces.len() == 1 {
        out.push(p);
        return;
    }
    out.extend(pieces.into_iter().filter_map(|(r, _)| judge.passage(&r)));
}

/// Join neighbouring pieces that are both repeated, when the two together are still repeated (the
/// words between them may not be aligned).
fn join_repeated(pieces: &mut Vec<(Piece, Verdict)>, judge: &Judge) {
    let mut i = 1;
    while i < pieces.len() {
        let repeated = |v: &Verdict| v.kind == Some(Kind::Repeated);
        if repeated(&pieces[i - 1].1) && repeated(&pieces[i].1) {
            let joined = pieces[i - 1].0.start..pieces[i].0.end;
            let v = judge.verdict(&joined);
            if repeated(&v) {
                pieces.splice(i - 1..=i, [(joined, v)]);
                continue;
            }
        }
        i += 1;
    }
}

/// The stretches of `range` between cuts of at least `min` level.
fn segment(range: Piece, cuts: &[(usize, Level)], min: Level) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = range.start;
    for &(at, l) in cuts {
        if l >= min && at > start && at < range.end {
            out.push(start..at);
            start = at;
        }
    }
    out.push(start..range.end);
    out
}

/// What a stretch would be as a passage of its own.
#[derive(Clone, Copy, Debug)]
struct Verdict {
    kind: Option<Kind>,
    reportable: bool,
}

/// Labels and sizes of stretches of one cut diff.
struct Judge<'o, 's, 't> {
    ops: &'o [Op],
    a: &'s Seq<'t>,
    b: &'s Seq<'t>,
    params: &'s Params,
}

impl Judge<'_, '_, '_> {
    fn passage(&self, r: &Piece) -> Option<Passage> {
        let ops = &self.ops[r.clone()];
        if !ops.iter().any(Op::same_word) {
            return None;
        }
        let (first, last) = (&ops[0], &ops[ops.len() - 1]);
        let mut p = Passage {
            a: first.a.start..last.a.end,
            b: first.b.start..last.b.end,
            ops: ops.to_vec(),
            kind: Kind::Reworded,
            score: 0.0,
            aligned_a: 0,
            aligned_b: 0,
            evidence: None,
        };
        classify(&mut p, self.a, self.b, &self.params.thresholds);
        Some(p)
    }

    /// The label of the stretch (`None` when nothing in it is aligned) and whether it is
    /// reportable on its own.
    fn verdict(&self, r: &Piece) -> Verdict {
        match self.passage(r) {
            Some(p) => Verdict {
                kind: Some(p.kind),
                reportable: super::reportable(&p, self.a, self.params),
            },
            None => Verdict {
                kind: None,
                reportable: false,
            },
        }
    }

    /// Words of A in the stretch, its size when choosing a neighbour to join.
    fn words(&self, r: &Piece) -> usize {
        let ops = &self.ops[r.clone()];
        match (ops.first(), ops.last()) {
            (Some(f), Some(l)) => l.a.end - f.a.start,
            _ => 0,
        }
    }
}

/// The passage's diff with its steps cut at every shared break, and the cuts: (index of the first
/// step after the cut, level).
fn cut_ops(
    p: &Passage,
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
) -> (Vec<Op>, Vec<(usize, Level)>) {
    let la = |i: usize| level(a, text_a, i);
    let lb = |j: usize| level(b, text_b, j);
    let mut ops: Vec<Op> = Vec::with_capacity(p.ops.len());
    let mut cuts: Vec<(usize, Level)> = Vec::new();
    for (k, op) in p.ops.iter().enumerate() {
        if k > 0 {
            let l = la(op.a.start).min(lb(op.b.start));
            if l > Level::None {
                cuts.push((ops.len(), l));
            }
        }
        // Points (i, j) inside the step where the path may be cut.
        let inner: Vec<(usize, usize)> = match op.tag {
            OpTag::Equal => (1..op.a.len())
                .map(|t| (op.a.start + t, op.b.start + t))
                .collect(),
            OpTag::Delete => (op.a.start + 1..op.a.end)
                .map(|i| (i, op.b.start))
                .collect(),
            OpTag::Insert => (op.b.start + 1..op.b.end)
                .map(|j| (op.a.start, j))
                .collect(),
            OpTag::Replace => {
                // Breaks inside a replacement pair off in order when each side has as many.
                let xs: Vec<usize> = (op.a.start..=op.a.end)
                    .filter(|&i| la(i) > Level::None)
                    .collect();
                let ys: Vec<usize> = (op.b.start..=op.b.end)
                    .filter(|&j| lb(j) > Level::None)
                    .collect();
                if xs.len() == ys.len() {
                    xs.into_iter()
                        .zip(ys)
                        .filter(|&(i, j)| {
                            (i, j) != (op.a.start, op.b.start) && (i, j) != (op.a.end, op.b.end)
                        })
                        .collect()
                } else {
                    Vec::new()
                }
            }
        };
        let mut from = (op.a.start, op.b.start);
        for (i, j) in inner {
            let l = la(i).min(lb(j));
            if l == Level::None {
                continue;
            }
            push_part(&mut ops, op, from.0..i, from.1..j);
            cuts.push((ops.len(), l));
            from = (i, j);
        }
        if from == (op.a.start, op.b.start) {
            ops.push(op.clone());
        } else {
            push_part(&mut ops, op, from.0..op.a.end, from.1..op.b.end);
        }
    }
    // Two cuts at one place (a part left empty) keep the stronger.
    cuts.dedup_by(|x, y| {
        let same = x.0 == y.0;
        if same {
            y.1 = y.1.max(x.1);
        }
        same
    });
    (ops, cuts)
}

/// Push the part `ra`, `rb` of step `op`: an equal run stays equal; a part of a replacement is a
/// replacement, deletion or insertion by what it holds and no longer carries the relation of the
/// whole. An empty part is not pushed.
fn push_part(ops: &mut Vec<Op>, op: &Op, ra: Range<usize>, rb: Range<usize>) {
    let tag = match (op.tag, ra.is_empty(), rb.is_empty()) {
        (_, true, true) => return,
        (OpTag::Equal, _, _) => OpTag::Equal,
        (_, false, false) => OpTag::Replace,
        (_, false, true) => OpTag::Delete,
        (_, true, false) => OpTag::Insert,
    };
    let whole = ra == op.a && rb == op.b;
    ops.push(Op {
        tag,
        a: ra,
        b: rb,
        fuzzy: whole && op.fuzzy,
        relation: if whole { op.relation } else { None },
    });
}

#[cfg(test)]
mod tests {
    use crate::align::{Kind, Params};
    use crate::compare_texts;

    fn passages(a: &str, b: &str) -> Vec<(String, String, Kind)> {
        let cmp = compare_texts(a, b, &Params::default());
        cmp.passages
            .iter()
            .map(|p| {
                let (x, y) = (cmp.byte_span_a(p), cmp.byte_span_b(p));
                (a[x].to_owned(), b[y].to_owned(), p.kind)
            })
            .collect()
    }

    const A: &str = "the king of the north gathered a great army and marched against the southern city walls at dawn\n\
                     the people of the city closed the gates and prayed to their gods for rain and deliverance";

    #[test]
    fn a_reworded_passage_over_two_lines_splits_into_one_per_line() {
        let b = "the king of the north gathered a huge army and marched against the southern city fortress at dawn\n\
                 the people of the city shut the gates and prayed to their gods for rain and rescue";
        let found = passages(A, b);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].0,
            "the king of the north gathered a great army and marched against the southern city walls at dawn"
        );
        // A passage ends at its last aligned word.
        assert_eq!(
            found[1].1,
            "the people of the city shut the gates and prayed to their gods for rain and"
        );
        assert!(found.iter().all(|p| p.2 == Kind::Reworded), "{found:?}");
    }

    #[test]
    fn a_verbatim_line_next_to_a_reworded_one_is_labelled_repeated() {
        let b = "the king of the north gathered a great army and marched against the southern city walls at dawn\n\
                 the people of the city shut the gates and prayed to their idols for rain and rescue";
        let kinds: Vec<Kind> = passages(A, b).into_iter().map(|p| p.2).collect();
        assert_eq!(kinds, [Kind::Repeated, Kind::Reworded]);
    }

    #[test]
    fn a_verbatim_copy_across_a_line_break_is_not_split() {
        let b = format!("some words before it. {A} and after it");
        let found = passages(A, &b);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0.as_str(), found[0].2), (A, Kind::Repeated));
    }

    #[test]
    fn a_line_break_on_one_side_only_does_not_split() {
        let b = A
            .replace('\n', " ")
            .replace("great", "huge")
            .replace("closed", "shut");
        let found = passages(A, &b);
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn chinese_articles_split_at_shared_lines() {
        let a = "第一条 为了加强商标管理，保护商标专用权，促使生产者保证商品和服务质量，维护商标信誉，特制定本法。\n\
                 第二条 国务院工商行政管理部门商标局主管全国商标注册和管理的工作，负责处理商标争议事宜。";
        let b = "第一条 为了规范商标注册和使用，保护商标专用权，促使经营者保证商品和服务质量，维护商标信誉，特制定本法。\n\
                 第二条 国务院知识产权行政部门主管全国商标注册和管理的工作，负责处理商标争议事宜。";
        let found = passages(a, b);
        assert_eq!(found.len(), 2, "{found:?}");
        // The first article is nearly verbatim from its second clause on, the second reworded.
        assert!(found[0].0.ends_with("特制定本法") && found[0].2 == Kind::Repeated);
        assert!(found[1].1.starts_with("第二条") && found[1].2 == Kind::Reworded);
    }

    #[test]
    fn sentences_split_where_the_text_has_no_shared_lines() {
        let a = A.replace('\n', ". ");
        let b = "the king of the north gathered a huge army and marched against the southern city fortress at dawn. \
                 the people of the city shut the gates and prayed to their gods for rain and rescue";
        assert_eq!(passages(&a, b).len(), 2);
    }
}
