//! The gate's view of a corpus: what a scan finds, kept in a form that can be cached and updated.
//!
//! Takes the documents of a corpus (in report order) and gives a [`State`]: per document its file
//! identity (size, modification time, xxh3 of its bytes and of its text), its words and boilerplate
//! runs; the aligned pairs (earlier document as A) with their passages located by byte, line and
//! column and fingerprinted by their normalised words; and the postings of an inverted n-gram index.
//!
//! This is the engine of [`crate::scan`]: the same n-gram keys ([`index::gram_key`] of the normalised
//! forms, which do not depend on which documents were tokenised together, so a state can be updated),
//! the same candidate rule (`min_shared` n-grams in 2 to `max_df` documents, then the pair verified by
//! [`index::verify_pair`], which finds from the two documents the hits `scan`'s index finds from its
//! postings, or linked through common n-grams to the earliest document holding them, unverified),
//! the same boilerplate rule and aligner. [`build`] indexes a whole corpus (reusing the alignment of any pair whose two texts were
//! aligned before); [`add`] adds new documents to a state through a [`Lookup`] of the old postings and
//! reads only the new documents, the old ones they must be aligned with, and the old holders of text
//! they make common or now hold first (whose pairs with each other are counted again); [`remove`]
//! takes documents out, reading only the holders of text they made common or held first; [`replace`]
//! does both at once for edited files. All give the same state for the same corpus, which the tests
//! check.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::align::classify::round4;
use crate::align::{self, Kind, Params, coverage};
use crate::corpus::CorpusDoc;
use crate::index::{self, Candidate, Tokenized};
use crate::scan::{self, ViewCache};
use crate::text::TokenId;

/// Postings hold the document slot in their low bits.
const DOC_BITS: u32 = 24;
/// The largest number of documents a state holds.
pub const MAX_DOCS: usize = 1 << DOC_BITS;
const DOC_MASK: u64 = (1 << DOC_BITS) - 1;

/// An n-gram key without its document bits.
pub fn fold(h: u64) -> u64 {
    h >> DOC_BITS << DOC_BITS
}

/// The document slot of a posting.
pub fn slot_of(p: u64) -> u32 {
    (p & DOC_MASK) as u32
}

/// The slots of the documents holding the folded n-gram `k` in `postings` (sorted).
pub fn holders(postings: &[u64], k: u64) -> impl Iterator<Item = u32> + '_ {
    let i = postings.partition_point(|&p| fold(p) < k);
    postings[i..]
        .iter()
        .take_while(move |&&p| fold(p) == k)
        .map(|&p| slot_of(p))
}

/// What decides the content of a state: two states are comparable only with equal settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub params: Params,
    pub min_shared: usize,
    pub max_df: usize,
    /// `None`: 10% of the documents, at least 5, at most `max_df + 1` (as `scan`).
    pub boilerplate_min_docs: Option<usize>,
    /// The share of the smaller document's n-grams that common n-grams, held first by the earlier
    /// document, must make for the pair to be aligned (`index::IndexParams::link_share`): the
    /// duplicate threshold, as `scan`.
    pub link_share: f64,
    pub lossy: bool,
    pub max_bytes: u64,
}

impl Settings {
    /// N-grams in at least this many documents make boilerplate runs.
    pub fn bmd(&self, n_docs: usize) -> usize {
        self.boilerplate_min_docs
            .unwrap_or_else(|| n_docs.div_ceil(10).max(5).min(self.max_df + 1))
    }

    /// A stable hash of every setting (written into the cache header).
    pub fn hash(&self) -> u64 {
        xxh3_64(format!("{self:?}").as_bytes())
    }
}

/// Where a file was when it was read, to tell unchanged files without reading them: size,
/// modification and status-change times and inode, as Git's index and ripgrep compare them. The
/// status-change time cannot be set back by a program (`touch -d`, `cp -p` and `rsync -t` set the
/// modification time only) and the inode changes when an editor saves by renaming a new file over the
/// old one, so an edit that keeps the size and the modification time is still seen. An edit within
/// the clock tick in which the cache was written is caught by [`FileMeta::is_racy`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime: u64,
    /// Status-change time in nanoseconds since the epoch (0 when unknown or not Unix).
    pub ctime: u64,
    /// Inode number (0 when not Unix).
    pub ino: u64,
}

impl FileMeta {
    pub fn of(path: &std::path::Path) -> Option<FileMeta> {
        std::fs::metadata(path).ok().map(|m| FileMeta::from(&m))
    }

    /// The metadata of many files, in order, each as [`FileMeta::of`] gives it (`None` where it
    /// fails), spread over the threads. On Linux each file is stat'ed relative to its open folder
    /// (`statx(dirfd, name)`), which spares the kernel the walk of the folder's path on every file;
    /// any failure falls back to [`FileMeta::of`], so the result is the same.
    pub fn of_all(files: &[std::path::PathBuf]) -> Vec<Option<FileMeta>> {
        #[cfg(target_os = "linux")]
        {
            let parts: Vec<Vec<Option<FileMeta>>> =
                files.par_chunks(256).map(stat_in_folders).collect();
            parts.into_iter().flatten().collect()
        }
        #[cfg(not(target_os = "linux"))]
        files.par_iter().map(|f| FileMeta::of(f)).collect()
    }

    /// Git's "racy clean" rule: a file modified at or after the time the cache was written
    /// (`written`, the modification time of `state.bin`, on the same clock and with the same
    /// granularity as the files') may have changed after it was read without its times showing it,
    /// so it is read and hashed again.
    pub fn is_racy(&self, written: u64) -> bool {
        written > 0 && (self.mtime >= written || self.ctime >= written)
    }
}

impl From<&std::fs::Metadata> for FileMeta {
    fn from(m: &std::fs::Metadata) -> Self {
        let nanos = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64)
        };
        #[cfg(unix)]
        let (ctime, ino) = {
            use std::os::unix::fs::MetadataExt;
            let c = u64::try_from(m.ctime()).unwrap_or(0) * 1_000_000_000
                + u64::try_from(m.ctime_nsec()).unwrap_or(0);
            (c, m.ino())
        };
        #[cfg(not(unix))]
        let (ctime, ino) = (0, 0);
        FileMeta {
            size: m.len(),
            mtime: nanos(m.modified()),
            ctime,
            ino,
        }
    }
}

/// [`FileMeta::of`] of each file, through one descriptor per run of files in the same folder.
#[cfg(target_os = "linux")]
fn stat_in_folders(files: &[std::path::PathBuf]) -> Vec<Option<FileMeta>> {
    use rustix::fs::{AtFlags, Mode, OFlags, StatxFlags};
    use std::path::Path;
    let mut out = Vec::with_capacity(files.len());
    let mut dir: Option<(&Path, Option<rustix::fd::OwnedFd>)> = None;
    for f in files {
        let (Some(parent), Some(name)) = (f.parent(), f.file_name()) else {
            out.push(FileMeta::of(f));
            continue;
        };
        if dir.as_ref().is_none_or(|(p, _)| *p != parent) {
            let at = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            dir = Some((parent, rustix::fs::open(at, flags, Mode::empty()).ok()));
        }
        let fd = dir.as_ref().and_then(|(_, fd)| fd.as_ref());
        // Follows a symbolic link, as `std::fs::metadata` does.
        let meta = fd
            .and_then(|fd| {
                rustix::fs::statx(fd, name, AtFlags::empty(), StatxFlags::BASIC_STATS).ok()
            })
            .map(|x| FileMeta::from_statx(&x));
        out.push(meta.or_else(|| FileMeta::of(f)));
    }
    out
}

#[cfg(target_os = "linux")]
impl FileMeta {
    /// The same values as `From<&std::fs::Metadata>` (std reads them with the same `statx`).
    fn from_statx(x: &rustix::fs::Statx) -> FileMeta {
        let nanos = |t: &rustix::fs::StatxTimestamp| {
            u64::try_from(t.tv_sec).map_or(0, |s| s * 1_000_000_000 + u64::from(t.tv_nsec))
        };
        FileMeta {
            size: x.stx_size,
            mtime: nanos(&x.stx_mtime),
            ctime: nanos(&x.stx_ctime),
            ino: x.stx_ino,
        }
    }
}

/// A located, fingerprinted stretch of one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// Token range.
    pub tokens: (u32, u32),
    /// Byte range into the decoded text.
    pub start: u32,
    pub end: u32,
    /// 1-based line and column (characters) of the first byte, and of the character after the last.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// xxh3 of the normalised, stemmed words, space-separated.
    pub fp: u64,
    /// The start of the text as written, white space collapsed (at most 80 characters).
    pub snippet: String,
}

impl Span {
    pub fn token_range(&self) -> Range<usize> {
        self.tokens.0 as usize..self.tokens.1 as usize
    }
}

/// One document of the state.
#[derive(Clone, Debug, PartialEq)]
pub struct DocEntry {
    /// The path as found (any bytes on Unix: a file name need not be UTF-8).
    pub path: PathBuf,
    /// The 1-based line of a JSON Lines record.
    pub line: Option<u32>,
    pub id: String,
    pub date: Option<String>,
    pub meta: FileMeta,
    /// xxh3 of the file's bytes.
    pub file_hash: u64,
    /// xxh3 and length of the decoded text.
    pub text_hash: u64,
    pub text_len: u64,
    pub words: u32,
    pub boilerplate: Vec<Span>,
}

impl DocEntry {
    /// Report order: dated documents by date, then undated; then id, path, line (as `scan`).
    pub fn order_key(&self) -> (bool, &str, &str, &Path, u32) {
        (
            self.date.is_none(),
            self.date.as_deref().unwrap_or(""),
            &self.id,
            &self.path,
            self.line.unwrap_or(0),
        )
    }
}

/// A passage of a pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    pub kind: Kind,
    pub score: f64,
    pub aligned_a: u32,
    pub aligned_b: u32,
    pub boilerplate: bool,
    pub a: Span,
    pub b: Span,
}

impl Passage {
    fn swap(&mut self) {
        std::mem::swap(&mut self.a, &mut self.b);
        std::mem::swap(&mut self.aligned_a, &mut self.aligned_b);
        self.kind = match self.kind {
            Kind::Expanded => Kind::Condensed,
            Kind::Condensed => Kind::Expanded,
            k => k,
        };
    }
}

/// An aligned pair of document slots with at least one passage; `a` is earlier in report order.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    /// Distinct n-grams the two share (at most `max_df` documents each).
    pub shared: u32,
    pub passages: Vec<Passage>,
}

/// A corpus as the gate sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// Documents by slot (the postings' document numbers).
    pub docs: Vec<DocEntry>,
    pub pairs: Vec<Pair>,
    /// Text-hash pairs that were candidates but gave no passage (so a rebuild need not align them).
    pub empty_pairs: Vec<(u64, u64)>,
    /// The boilerplate threshold the state was built with.
    pub bmd: usize,
}

/// Alignments of earlier runs by (text hash of A, text hash of B).
pub type Memo = HashMap<(u64, u64), Vec<Passage>>;

impl State {
    /// Every pair's passages by the text hashes of its documents, for [`build`] to reuse.
    pub fn memo(&self) -> Memo {
        let mut m: Memo = self
            .pairs
            .iter()
            .map(|p| {
                let (a, b) = (&self.docs[p.a as usize], &self.docs[p.b as usize]);
                ((a.text_hash, b.text_hash), p.passages.clone())
            })
            .collect();
        for &k in &self.empty_pairs {
            m.entry(k).or_default();
        }
        m
    }

    /// Slots in report order.
    pub fn order(&self) -> Vec<u32> {
        let mut v: Vec<u32> = (0..self.docs.len() as u32).collect();
        v.sort_by(|&x, &y| {
            self.docs[x as usize]
                .order_key()
                .cmp(&self.docs[y as usize].order_key())
        });
        v
    }

    /// Make every pair's `a` the earlier document (after documents were renamed or redated).
    pub fn orient(&mut self) {
        let mut rank = vec![0u32; self.docs.len()];
        for (r, s) in self.order().into_iter().enumerate() {
            rank[s as usize] = r as u32;
        }
        for p in &mut self.pairs {
            if rank[p.a as usize] > rank[p.b as usize] {
                std::mem::swap(&mut p.a, &mut p.b);
                for x in &mut p.passages {
                    x.swap();
                }
            }
        }
        self.pairs
            .sort_by_key(|p| (rank[p.a as usize], rank[p.b as usize]));
    }

    /// Label passages whose side is at least half boilerplate (as `scan`).
    fn flag_boilerplate(&mut self) {
        let docs = &self.docs;
        for p in &mut self.pairs {
            let (ra, rb) = (
                &docs[p.a as usize].boilerplate,
                &docs[p.b as usize].boilerplate,
            );
            for x in &mut p.passages {
                let (ta, tb) = (x.a.token_range(), x.b.token_range());
                x.boilerplate =
                    in_runs(&ta, ra) * 2 >= ta.len() || in_runs(&tb, rb) * 2 >= tb.len();
            }
        }
    }

    /// Per document (slot): the share of its words in non-boilerplate passages with *earlier*
    /// documents (what it reuses), and with any document (as `scan`'s `reused_share`).
    pub fn shares(&self) -> (Vec<f64>, Vec<f64>) {
        let n = self.docs.len();
        let mut later: Vec<Vec<Range<usize>>> = vec![Vec::new(); n];
        let mut all: Vec<Vec<Range<usize>>> = vec![Vec::new(); n];
        for p in &self.pairs {
            for x in p.passages.iter().filter(|x| !x.boilerplate) {
                later[p.b as usize].push(x.b.token_range());
                all[p.b as usize].push(x.b.token_range());
                all[p.a as usize].push(x.a.token_range());
            }
        }
        let f = |v: Vec<Vec<Range<usize>>>| -> Vec<f64> {
            v.into_iter()
                .enumerate()
                .map(|(d, rs)| round4(coverage(self.docs[d].words as usize, rs.into_iter())))
                .collect()
        };
        (f(later), f(all))
    }

    /// The first half of [`State::shares`] alone (what the findings need).
    pub fn later_shares(&self) -> Vec<f64> {
        let mut later: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.docs.len()];
        for p in &self.pairs {
            for x in p.passages.iter().filter(|x| !x.boilerplate) {
                later[p.b as usize].push(x.b.token_range());
            }
        }
        later
            .into_iter()
            .enumerate()
            .map(|(d, rs)| round4(coverage(self.docs[d].words as usize, rs.into_iter())))
            .collect()
    }

    /// Shares of each side's words in any passage of a pair, boilerplate included.
    pub fn pair_shares(&self, p: &Pair) -> (f64, f64) {
        let (a, b) = (&self.docs[p.a as usize], &self.docs[p.b as usize]);
        (
            round4(coverage(
                a.words as usize,
                p.passages.iter().map(|x| x.a.token_range()),
            )),
            round4(coverage(
                b.words as usize,
                p.passages.iter().map(|x| x.b.token_range()),
            )),
        )
    }
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

fn in_runs(r: &Range<usize>, runs: &[Span]) -> usize {
    runs.iter().map(|x| overlap(&x.token_range(), r)).sum()
}

/// Texts tokenised with one vocabulary, with stable n-gram keys ([`index::gram_key`]).
struct Work<'a> {
    t: Tokenized,
    texts: Vec<&'a str>,
}

impl<'a> Work<'a> {
    fn new(texts: Vec<&'a str>) -> Self {
        let t = index::tokenize_corpus(&texts);
        Work { t, texts }
    }

    /// `f(position, length, key)` for every n-gram the aligner seeds on; the key is stable.
    fn grams(&self, d: usize, params: &Params, f: impl FnMut(usize, usize, u64)) {
        self.t.for_each_gram(d, params, f);
    }

    /// The n-grams of each document marked in `which` that a pair is verified by ([`Work::verify`]),
    /// given whether a document's key is in 2 to `max_df` documents (`rare(document, key)`):
    /// found once a document, not once a pair (a Bible chapter is in ~230 candidate pairs).
    fn pair_grams(
        &self,
        which: &[bool],
        s: &Settings,
        rare: impl Fn(usize, u64) -> bool + Sync,
    ) -> Vec<Vec<(u64, u32)>> {
        which
            .par_iter()
            .enumerate()
            .map(|(d, &yes)| {
                if yes {
                    index::pair_grams(&self.t, d, &s.params, |k| rare(d, k).then_some(k))
                } else {
                    Vec::new()
                }
            })
            .collect()
    }

    /// Whether documents `x` and `y` make a verified pair as `scan`'s index verifies them
    /// ([`index::verify_pair`]), given their [`Work::pair_grams`]; the n-grams they share.
    fn verify(&self, x: usize, y: usize, grams: &[Vec<(u64, u32)>], s: &Settings) -> Option<u32> {
        let (shared, verified) = index::shared_and_verified_grams(
            &self.t,
            (x, &grams[x]),
            (y, &grams[y]),
            &s.params,
            s.min_shared,
        );
        verified.then_some(shared)
    }

    /// Distinct postings of document `d` under slot `slot`, sorted.
    fn postings(&self, d: usize, params: &Params, slot: u32) -> Vec<u64> {
        let mut v = Vec::with_capacity(self.t.ids[d].len());
        self.grams(d, params, |_, _, h| v.push(fold(h) | u64::from(slot)));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Runs of at least `min_words` tokens covered by boilerplate n-grams (as `index`).
    fn runs(&self, d: usize, params: &Params, is_boiler: impl Fn(u64) -> bool) -> Vec<Span> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        self.grams(d, params, |i, k, h| {
            if is_boiler(fold(h)) {
                match runs.last_mut() {
                    Some(r) if r.end >= i => r.end = r.end.max(i + k),
                    _ => runs.push(i..i + k),
                }
            }
        });
        let min = params.min_words.ceil() as usize;
        runs.retain(|r| r.len() >= min);
        if runs.is_empty() {
            return Vec::new();
        }
        let toks = self.t.tokens(d, self.texts[d]);
        let lines = Lines::new(self.texts[d]);
        runs.into_iter()
            .map(|r| self.span(d, &toks, &lines, r))
            .collect()
    }

    fn span(&self, d: usize, toks: &[crate::text::Token], lines: &Lines, r: Range<usize>) -> Span {
        let bytes = crate::byte_span(toks, &r);
        let mut norm = String::new();
        for &id in &self.t.ids[d][r.clone()] {
            if !norm.is_empty() {
                norm.push(' ');
            }
            norm.push_str(&self.t.vocab.entry(TokenId(id)).form);
        }
        let text = self.texts[d];
        let (line, column) = lines.locate(text, bytes.start);
        let (end_line, end_column) = lines.locate(text, bytes.end);
        Span {
            tokens: (r.start as u32, r.end as u32),
            start: bytes.start as u32,
            end: bytes.end as u32,
            line,
            column,
            end_line,
            end_column,
            fp: xxh3_64(norm.as_bytes()),
            snippet: snippet(&text[bytes]),
        }
    }

    /// Align documents `x` (earlier) and `y`.
    /// A worker keeps the documents it met last ([`ViewCache`]), as `scan`'s do.
    fn align(&self, x: usize, y: usize, params: &Params, cache: &mut ViewCache) -> Vec<Passage> {
        let (tx, ty) = (self.texts[x], self.texts[y]);
        let (vx, vy) = (
            cache.view(&self.t, x, tx, params),
            cache.view(&self.t, y, ty, params),
        );
        let (sx, sy) = (vx.seq(&self.t.vocab), vy.seq(&self.t.vocab));
        let (kx, ky) = (sx.tokens, sy.tokens);
        let found = align::align(&sx, tx, &sy, ty, params);
        if found.is_empty() {
            return Vec::new();
        }
        let (lx, ly) = (Lines::new(tx), Lines::new(ty));
        found
            .into_iter()
            .map(|p| Passage {
                kind: p.kind,
                score: p.score,
                aligned_a: p.aligned_a as u32,
                aligned_b: p.aligned_b as u32,
                boilerplate: false,
                a: self.span(x, kx, &lx, p.a),
                b: self.span(y, ky, &ly, p.b),
            })
            .collect()
    }
}

/// Line starts of a text, to turn byte offsets into 1-based lines and character columns.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut v = vec![0];
        v.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines(v)
    }

    pub(crate) fn locate(&self, text: &str, byte: usize) -> (u32, u32) {
        let line = self.0.partition_point(|&s| s <= byte);
        let start = self.0[line - 1];
        let column = text[start..byte].chars().count() + 1;
        (line as u32, column as u32)
    }
}

/// The start of a text, white space collapsed (at most 80 characters).
pub(crate) fn snippet(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 80 {
        return flat;
    }
    let mut s: String = flat.chars().take(79).collect();
    s.push('…');
    s
}

fn doc_entry(d: &CorpusDoc, meta: FileMeta, words: usize) -> DocEntry {
    DocEntry {
        path: d.doc.path.clone(),
        line: d.line.map(|l| l as u32),
        id: d.doc.id.clone(),
        date: d.doc.date.clone(),
        meta,
        file_hash: u64::from_str_radix(&d.doc.hash, 16).unwrap_or(0),
        text_hash: xxh3_64(d.doc.text.as_bytes()),
        text_len: d.doc.text.len() as u64,
        words: words as u32,
        boilerplate: Vec::new(),
    }
}

/// Candidate pairs `(a, b, distinct n-grams of 2 to max_df documents shared)`, the linked ones among
/// them (sorted), and the boilerplate keys.
type Candidates = (Vec<(u32, u32, u32)>, Vec<(u32, u32)>, Vec<u64>);

/// Pairs of documents sharing at least `min_shared` n-grams found in 2 to `max_df` documents, or
/// linked through common n-grams as `index` links them (each later holder of an n-gram in more than
/// `max_df` documents to its earliest holder, the lowest slot as slots are in report order here; a
/// pair whose links are at least `min_shared` and `link_share` of the smaller document's distinct
/// n-grams, `grams`), and the boilerplate keys (n-grams in at least `bmd` documents), from sorted
/// postings.
fn candidates(postings: &[u64], grams: &[u32], s: &Settings, bmd: usize) -> Candidates {
    let parts = (rayon::current_num_threads() * 16).max(1);
    let mut cuts = vec![0];
    for p in 1..parts {
        let mut i = postings.len() * p / parts;
        while i > 0 && i < postings.len() && fold(postings[i]) == fold(postings[i - 1]) {
            i += 1;
        }
        if i > *cuts.last().expect("cuts start with 0") && i < postings.len() {
            cuts.push(i);
        }
    }
    cuts.push(postings.len());
    let results: Vec<(Vec<u64>, Vec<u64>, Vec<u64>)> = cuts
        .par_windows(2)
        .map(|w| {
            let seg = &postings[w[0]..w[1]];
            let (mut pairs, mut boiler, mut links) = (Vec::new(), Vec::new(), Vec::new());
            let mut i = 0;
            while i < seg.len() {
                let h = fold(seg[i]);
                let j = i + seg[i..].iter().take_while(|&&x| fold(x) == h).count();
                let df = j - i;
                if df >= bmd {
                    boiler.push(h);
                }
                if (2..=s.max_df).contains(&df) {
                    for x in i..j {
                        let a = seg[x] & DOC_MASK;
                        for y in &seg[x + 1..j] {
                            pairs.push(a << 32 | (y & DOC_MASK));
                        }
                    }
                } else if df > s.max_df {
                    let first = seg[i] & DOC_MASK;
                    links.extend(seg[i + 1..j].iter().map(|y| first << 32 | (y & DOC_MASK)));
                }
                i = j;
            }
            (pairs, boiler, links)
        })
        .collect();
    let mut pairs: Vec<u64> = Vec::new();
    let mut boiler: Vec<u64> = Vec::new();
    let mut links: Vec<u64> = Vec::new();
    for (p, b, l) in results {
        pairs.extend_from_slice(&p);
        boiler.extend_from_slice(&b);
        links.extend_from_slice(&l);
    }
    pairs.par_sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let j = i + pairs[i..].iter().take_while(|&&x| x == pairs[i]).count();
        if j - i >= s.min_shared {
            out.push(((pairs[i] >> 32) as u32, pairs[i] as u32, (j - i) as u32));
        }
        i = j;
    }
    let linked = index::linked_pairs(links, grams, s.min_shared, s.link_share);
    if !linked.is_empty() {
        // A linked pair is a candidate whatever it shares below max_df (0 when nothing).
        let found = out.len();
        for &(a, b) in &linked {
            if out[..found]
                .binary_search_by_key(&(a, b), |&(x, y, _)| (x, y))
                .is_err()
            {
                out.push((a, b, 0));
            }
        }
        out.sort_unstable();
    }
    boiler.sort_unstable();
    (out, linked, boiler)
}

/// Index and align a whole corpus (documents in report order, with their file metadata). Pairs whose
/// two texts are in `memo` are not aligned again. Gives the state and its sorted postings.
pub fn build(
    docs: &[CorpusDoc],
    metas: &[FileMeta],
    s: &Settings,
    memo: &Memo,
) -> (State, Vec<u64>) {
    assert!(docs.len() <= MAX_DOCS, "checked by the caller");
    let texts: Vec<&str> = docs.iter().map(|d| d.doc.text.as_str()).collect();
    let work = Work::new(texts);
    let per_doc: Vec<Vec<u64>> = (0..docs.len())
        .into_par_iter()
        .map(|d| work.postings(d, &s.params, d as u32))
        .collect();
    let mut postings: Vec<u64> = Vec::with_capacity(per_doc.iter().map(Vec::len).sum());
    for v in &per_doc {
        postings.extend_from_slice(v);
    }
    let grams: Vec<u32> = per_doc.iter().map(|v| v.len() as u32).collect();
    drop(per_doc);
    postings.par_sort_unstable();
    let bmd = s.bmd(docs.len());
    let (cands, linked, boiler) = candidates(&postings, &grams, s, bmd);
    let mut entries: Vec<DocEntry> = docs
        .par_iter()
        .enumerate()
        .map(|(d, cd)| {
            let mut e = doc_entry(cd, metas[d], work.t.ids[d].len());
            if !boiler.is_empty() {
                e.boilerplate = work.runs(d, &s.params, |k| boiler.binary_search(&k).is_ok());
            }
            e
        })
        .collect();
    // The verified pairs: those the memo holds, and the others, aligned in the order `scan` plans.
    let mut to_verify = vec![false; docs.len()];
    for &(a, b, _) in cands
        .iter()
        .filter(|&&(a, b, _)| linked.binary_search(&(a, b)).is_err())
    {
        (to_verify[a as usize], to_verify[b as usize]) = (true, true);
    }
    // Each such document's keys of 2 to max_df documents, from one pass over the sorted postings (a
    // key's postings are contiguous, a document once): a search in a document's short list where a
    // search in all the postings for each n-gram was most of a build.
    let mut rare: Vec<Vec<u64>> = vec![Vec::new(); docs.len()];
    for group in postings.chunk_by(|x, y| fold(*x) == fold(*y)) {
        if (2..=s.max_df).contains(&group.len()) {
            for &p in group {
                if to_verify[slot_of(p) as usize] {
                    rare[slot_of(p) as usize].push(fold(p));
                }
            }
        }
    }
    let grams = work.pair_grams(&to_verify, s, |d, k| {
        rare[d].binary_search(&fold(k)).is_ok()
    });
    drop(rare);
    let verified: Vec<(Candidate, Option<Vec<Passage>>)> = cands
        .par_iter()
        .filter_map(|&(a, b, count)| {
            // A linked pair is aligned unverified, as `scan`'s index keeps it.
            if linked.binary_search(&(a, b)).is_ok() {
                Some((a, b, count))
            } else {
                work.verify(a as usize, b as usize, &grams, s)
                    .map(|shared| (a, b, shared))
            }
        })
        .map(|(a, b, shared)| {
            let (ha, hb) = (entries_hash(docs, a), entries_hash(docs, b));
            let known = if let Some(p) = memo.get(&(ha, hb)) {
                Some(p.clone())
            } else {
                memo.get(&(hb, ha)).map(|p| {
                    let mut p = p.clone();
                    p.iter_mut().for_each(Passage::swap);
                    p
                })
            };
            (Candidate { a, b, shared }, known)
        })
        .collect();
    drop(grams);
    let pair = |c: Candidate, passages: Vec<Passage>| Pair {
        a: c.a,
        b: c.b,
        shared: c.shared,
        passages,
    };
    let mut aligned: Vec<Pair> = Vec::with_capacity(verified.len());
    let mut todo: Vec<Candidate> = Vec::new();
    for (c, known) in verified {
        match known {
            Some(p) => aligned.push(pair(c, p)),
            None => todo.push(c),
        }
    }
    let words: Vec<usize> = work.t.ids.iter().map(Vec::len).collect();
    aligned.extend(scan::align_planned(&todo, &words, |c, cache| {
        Some(pair(
            *c,
            work.align(c.a as usize, c.b as usize, &s.params, cache),
        ))
    }));
    let mut state = State {
        docs: Vec::new(),
        pairs: Vec::new(),
        empty_pairs: Vec::new(),
        bmd,
    };
    for p in aligned {
        if p.passages.is_empty() {
            state
                .empty_pairs
                .push((entries_hash(docs, p.a), entries_hash(docs, p.b)));
        } else {
            state.pairs.push(p);
        }
    }
    state.empty_pairs.sort_unstable();
    state.empty_pairs.dedup();
    state.docs = std::mem::take(&mut entries);
    state.flag_boilerplate();
    state.orient();
    (state, postings)
}

fn entries_hash(docs: &[CorpusDoc], d: u32) -> u64 {
    xxh3_64(docs[d as usize].doc.text.as_bytes())
}

/// The old postings of a state, by n-gram.
pub trait Lookup {
    /// The slots of the documents holding each folded key, for keys sorted ascending.
    fn lookup(&mut self, keys: &[u64]) -> Result<Vec<Vec<u32>>, String>;
}

/// What [`add`] did.
#[derive(Debug, Default)]
pub struct Added {
    /// The new postings (sorted).
    pub postings: Vec<u64>,
    /// Old documents read again (to align with a new one, whose boilerplate changed, or whose
    /// pairs were recounted).
    pub reread: usize,
    /// Old documents whose pairs with each other were counted again: they held an n-gram that the
    /// new documents made common (in more than `max_df` documents), or that a new document now
    /// holds first.
    pub recounted: usize,
    pub aligned_pairs: usize,
}

/// Add new documents (with their metadata) to a state, reading old documents only where needed
/// (`read_old(slot)` gives an old document's text). `Err` says why the state must be rebuilt instead;
/// the state may then have lost pairs, but every alignment left in it is still right for its two
/// texts (a rebuild may reuse them).
pub fn add(
    state: &mut State,
    old: &mut dyn Lookup,
    new_docs: &[CorpusDoc],
    metas: &[FileMeta],
    s: &Settings,
    read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
) -> Result<Added, String> {
    add_with(state, old, new_docs, metas, s, read_old, None)
}

/// [`add`]; or, as the second step of [`replace`], with the old documents whose pairs are recounted
/// given, and more whose boilerplate runs are found again (`given`).
fn add_with(
    state: &mut State,
    old: &mut dyn Lookup,
    new_docs: &[CorpusDoc],
    metas: &[FileMeta],
    s: &Settings,
    read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
    given: Option<(Vec<u32>, Vec<u32>)>,
) -> Result<Added, String> {
    let n_old = state.docs.len();
    let n = n_old + new_docs.len();
    if n > MAX_DOCS {
        return Err(format!("more than {MAX_DOCS} documents"));
    }
    if s.bmd(n) != state.bmd {
        return Err(
            "the boilerplate threshold depends on the number of documents, which changed it".into(),
        );
    }
    let bmd = state.bmd;
    // New documents' postings and their keys' holders.
    let texts: Vec<&str> = new_docs.iter().map(|d| d.doc.text.as_str()).collect();
    let work = Work::new(texts);
    let per_new: Vec<Vec<u64>> = (0..new_docs.len())
        .into_par_iter()
        .map(|d| work.postings(d, &s.params, (n_old + d) as u32))
        .collect();
    let mut new_postings: Vec<u64> = per_new.iter().flatten().copied().collect();
    new_postings.sort_unstable();
    let mut new_holders: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for &p in &new_postings {
        new_holders.entry(fold(p)).or_default().push(slot_of(p));
    }
    let keys: Vec<u64> = new_holders.keys().copied().collect();
    let old_holders = old.lookup(&keys)?;

    // Report order of every slot, the new documents' included: common n-grams link each later
    // holder to the earliest one (as `build` and `scan` do).
    let new_entries: Vec<DocEntry> = new_docs
        .iter()
        .zip(metas)
        .enumerate()
        .map(|(i, (cd, meta))| doc_entry(cd, *meta, work.t.ids[i].len()))
        .collect();
    let rank = ranks(&state.docs, &new_entries);
    let earliest = |xs: &mut dyn Iterator<Item = u32>| xs.min_by_key(|&x| rank[x as usize]);
    let mut counts: HashMap<(u32, u32), u32> = HashMap::new();
    // Per (earliest holder, new document): the common n-grams linking them.
    let mut links: HashMap<(u32, u32), u32> = HashMap::new();
    let mut boiler_changed: Vec<u32> = Vec::new();
    let mut df_new: HashMap<u64, usize> = HashMap::with_capacity(keys.len());
    // Old holders of n-grams that became common with the new documents, or that a new document
    // now holds first: the pairs among them are counted again from their own n-grams.
    let mut recount: Vec<u32> = Vec::new();
    for (k, olds) in keys.iter().zip(&old_holders) {
        let news = &new_holders[k];
        let (d_old, d_new) = (olds.len(), olds.len() + news.len());
        df_new.insert(*k, d_new);
        if (2..=s.max_df).contains(&d_new) {
            let all: Vec<u32> = olds.iter().chain(news).copied().collect();
            for (i, &x) in all.iter().enumerate() {
                for &y in &all[i + 1..] {
                    if x as usize >= n_old || y as usize >= n_old {
                        *counts.entry((x.min(y), x.max(y))).or_default() += 1;
                    }
                }
            }
        }
        if d_new > s.max_df {
            let first = earliest(&mut olds.iter().chain(news).copied()).expect("held");
            let became_common = d_old <= s.max_df;
            let new_first = first as usize >= n_old;
            for &x in news.iter().filter(|&&x| x != first) {
                *links.entry((first, x)).or_default() += 1;
            }
            // A new earliest holder (dated before every old one) links the old holders to itself.
            if new_first {
                for &x in olds {
                    *links.entry((first, x)).or_default() += 1;
                }
            }
            // The pairs of old holders lose the n-gram from their counts (it became common) or
            // their links through it to the old earliest holder (a new one holds it first): they
            // may gain or lose links, and are recounted below.
            if (became_common || new_first) && d_old >= 2 {
                recount.extend_from_slice(olds);
            }
        }
        if d_old < bmd && d_new >= bmd {
            boiler_changed.extend_from_slice(olds);
        }
    }
    let given_recount = given.map(|(recount, boiler)| {
        boiler_changed.extend(boiler);
        recount
    });
    boiler_changed.sort_unstable();
    boiler_changed.dedup();
    let mut cands: Vec<(u32, u32, u32)> = counts
        .iter()
        .filter(|&(_, &c)| c as usize >= s.min_shared)
        .map(|(&(x, y), &c)| (x, y, c))
        .collect();
    // Linked pairs with enough links to be one; an old earliest holder's distinct n-grams are
    // counted once it is read, unless the new document's own suffice.
    let grams_new =
        |x: u32| (x as usize >= n_old).then(|| per_new[x as usize - n_old].len() as f64);
    // A linked pair is a candidate whatever it shares below max_df (0 when nothing).
    let link = |pair: (u32, u32), shared: u32, cands: &mut Vec<_>, linked: &mut Vec<_>| {
        if (shared as usize) < s.min_shared {
            cands.push((pair.0, pair.1, shared));
        }
        linked.push(pair);
    };
    // Pairs (old, new) whose links may suffice, with their links: the old document's n-grams are
    // counted once it is read (old slots come first).
    let mut maybe: Vec<((u32, u32), u32)> = Vec::new();
    let mut linked: Vec<(u32, u32)> = Vec::new();
    for (&(e, x), &c) in &links {
        if (c as usize) < s.min_shared {
            continue;
        }
        let pair = (e.min(x), e.max(x));
        let enough = |d: u32| grams_new(d).is_some_and(|g| f64::from(c) >= s.link_share * g);
        if enough(e) || enough(x) {
            let shared = counts.get(&pair).copied().unwrap_or(0);
            link(pair, shared, &mut cands, &mut linked);
        } else if (pair.0 as usize) < n_old {
            maybe.push((pair, c));
        }
    }
    maybe.sort_unstable();
    cands.sort_unstable();
    if let Some(given) = given_recount {
        recount = given;
    }
    recount.sort_unstable();
    recount.dedup();
    if recount.len() * 2 > n_old {
        // Reading and recounting most of the corpus costs what a rebuild does (which reuses the
        // alignments too).
        return Err(format!(
            "the new documents change the pairs of {} of the {n_old} old documents (text they \
             hold became common, or is now held first by a new document)",
            recount.len()
        ));
    }

    // Old documents to read: partners of new ones, earliest holders whose n-grams must be counted,
    // and those whose boilerplate runs change.
    let mut need: Vec<u32> = cands
        .iter()
        .flat_map(|&(x, y, _)| [x, y])
        .filter(|&x| (x as usize) < n_old)
        .chain(maybe.iter().map(|&((e, _), _)| e))
        .chain(boiler_changed.iter().copied())
        .chain(recount.iter().copied())
        .collect();
    need.sort_unstable();
    need.dedup();
    let old_texts: Vec<String> = need
        .par_iter()
        .map(|&x| read_old(&state.docs[x as usize]))
        .collect::<Result<_, _>>()?;
    let mut texts: Vec<&str> = new_docs.iter().map(|d| d.doc.text.as_str()).collect();
    texts.extend(old_texts.iter().map(String::as_str));
    let read = Read {
        all: Work::new(texts),
        n_old,
        n_new: new_docs.len(),
        need,
        rank,
    };
    let (all, local) = (&read.all, |slot: u32| read.local(slot));
    // Distinct n-grams of the old documents read whose links are weighed.
    let mut grams_old: HashMap<u32, f64> = HashMap::with_capacity(recount.len());
    if !recount.is_empty() {
        let found = recount_pairs(
            &read,
            &recount,
            old,
            &new_holders,
            s,
            &mut df_new,
            &mut grams_old,
        )?;
        for (pair, shared, is_linked) in found {
            if is_linked {
                link(pair, shared, &mut cands, &mut linked);
            } else {
                cands.push((pair.0, pair.1, shared));
            }
        }
        cands.sort_unstable();
    }
    if !maybe.is_empty() {
        for &((e, x), c) in &maybe {
            let grams_e = *grams_old
                .entry(e)
                .or_insert_with(|| all.postings(local(e), &s.params, 0).len() as f64);
            if f64::from(c) >= s.link_share * grams_e {
                let shared = counts.get(&(e, x)).copied().unwrap_or(0);
                link((e, x), shared, &mut cands, &mut linked);
            }
        }
        cands.sort_unstable();
    }
    linked.sort_unstable();
    // Boilerplate keys of the documents whose runs are computed: their dfs after the addition.
    let mut run_docs: Vec<u32> = (n_old as u32..n as u32).collect();
    run_docs.extend_from_slice(&boiler_changed);
    let mut extra: Vec<u64> = Vec::new();
    for &x in &boiler_changed {
        all.grams(local(x), &s.params, |_, _, h| {
            if !df_new.contains_key(&fold(h)) {
                extra.push(fold(h));
            }
        });
    }
    extra.sort_unstable();
    extra.dedup();
    for (k, olds) in extra.iter().zip(old.lookup(&extra)?) {
        df_new.insert(*k, olds.len());
    }
    let runs: Vec<Vec<Span>> = run_docs
        .par_iter()
        .map(|&x| {
            all.runs(local(x), &s.params, |k| {
                df_new.get(&k).is_some_and(|&df| df >= bmd)
            })
        })
        .collect();
    state.docs.extend(new_entries);
    for (&x, r) in run_docs.iter().zip(runs) {
        state.docs[x as usize].boilerplate = r;
    }
    let df = |k: u64| df_new.get(&k).copied().unwrap_or(0);
    let aligned_pairs = settle(state, &read, &cands, &linked, &recount, &df, s);
    Ok(Added {
        postings: new_postings,
        reread: read.need.len(),
        recounted: recount.len(),
        aligned_pairs,
    })
}

/// Postings held in memory (sorted), as a [`Lookup`].
pub struct InMemory<'a>(pub &'a [u64]);

impl Lookup for InMemory<'_> {
    fn lookup(&mut self, keys: &[u64]) -> Result<Vec<Vec<u32>>, String> {
        Ok(keys.iter().map(|&k| holders(self.0, k).collect()).collect())
    }
}

/// How many documents hold the folded n-gram `k` in sorted `postings`.
fn df_in(postings: &[u64], k: u64) -> usize {
    let i = postings.partition_point(|&p| fold(p) < k);
    postings[i..].partition_point(|&p| fold(p) == k)
}

/// What [`remove`] did.
#[derive(Debug, Default)]
pub struct Removed {
    /// Documents removed.
    pub removed: usize,
    /// Documents left that were read again (whose pairs were recounted or boilerplate changed).
    pub reread: usize,
    /// Documents left whose pairs with each other were counted again: they held an n-gram whose
    /// removed holders made it rare again (in at most `max_df` documents), or whose earliest holder
    /// was removed.
    pub recounted: usize,
    pub aligned_pairs: usize,
}

/// Remove documents (slots `gone`) from a state and from its postings (all of them, sorted),
/// reading the documents left only where needed (`read_old`, as for [`add`]). The slots after a
/// removed one move down, in the state and in the postings. A pair of documents left changes only
/// where they hold an n-gram whose standing changed: removed holders made it rare again, so that it
/// counts for their pairs, or removed its earliest holder, which common n-grams link the others to;
/// those documents' pairs with each other are counted again (as [`add`] does) and their boilerplate
/// runs found again where an n-gram fell below the boilerplate threshold. `Err` says why the state
/// must be rebuilt instead; the state may then have lost pairs, but every alignment left in it is
/// still right for its two texts.
pub fn remove(
    state: &mut State,
    postings: &mut Vec<u64>,
    gone: &[u32],
    s: &Settings,
    read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
) -> Result<Removed, String> {
    remove_with(state, postings, gone, s, read_old, None).map(|x| x.0)
}

/// [`remove`]; or, as the first step of [`replace`] (`then`: the number of documents after it),
/// reading nothing: the second step recounts the pairs the whole update changes, and finds again the
/// boilerplate runs of the documents given back (slots before the removal).
fn remove_with(
    state: &mut State,
    postings: &mut Vec<u64>,
    gone: &[u32],
    s: &Settings,
    read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
    then: Option<usize>,
) -> Result<(Removed, Vec<u32>), String> {
    let n_old = state.docs.len();
    let is_gone = gone_mask(n_old, gone);
    let n_gone = is_gone.iter().filter(|&&x| x).count();
    let n = n_old - n_gone;
    if n == 0 {
        return Err("every document was removed".into());
    }
    if s.bmd(then.unwrap_or(n)) != state.bmd {
        return Err(
            "the boilerplate threshold depends on the number of documents, which changed it".into(),
        );
    }
    let bmd = state.bmd;
    let rank = ranks(&state.docs, &[]);
    // The documents left holding n-grams a removed document held: their pairs change where such an
    // n-gram falls back to max_df or loses its earliest holder ([`net_recount`]; in a [`replace`],
    // whose second step recounts for the whole update, nothing here), their runs where it falls
    // below the boilerplate threshold.
    let recount = match then {
        None => net_recount(postings, &is_gone, &[], &rank, s)?,
        Some(_) => Vec::new(),
    };
    let mut boiler_changed: Vec<u32> = Vec::new();
    for group in postings.chunk_by(|x, y| fold(*x) == fold(*y)) {
        let left = group.iter().filter(|&&p| !is_gone[slot_of(p) as usize]);
        let d_new = left.clone().count();
        if d_new < group.len() && group.len() >= bmd && d_new < bmd {
            boiler_changed.extend(left.map(|&p| slot_of(p)));
        }
    }
    boiler_changed.sort_unstable();
    boiler_changed.dedup();
    state
        .pairs
        .retain(|p| !is_gone[p.a as usize] && !is_gone[p.b as usize]);
    postings.retain(|&p| !is_gone[slot_of(p) as usize]);
    let handed = if then.is_some() {
        std::mem::take(&mut boiler_changed)
    } else {
        Vec::new()
    };
    let mut need: Vec<u32> = recount.iter().chain(&boiler_changed).copied().collect();
    need.sort_unstable();
    need.dedup();
    let old_texts: Vec<String> = need
        .par_iter()
        .map(|&x| read_old(&state.docs[x as usize]))
        .collect::<Result<_, _>>()?;
    let read = Read {
        all: Work::new(old_texts.iter().map(String::as_str).collect()),
        n_old,
        n_new: 0,
        need,
        rank,
    };
    let (mut cands, mut linked) = (Vec::new(), Vec::new());
    if !recount.is_empty() {
        let found = recount_pairs(
            &read,
            &recount,
            &mut InMemory(postings),
            &BTreeMap::new(),
            s,
            &mut HashMap::new(),
            &mut HashMap::new(),
        )?;
        for (pair, shared, is_linked) in found {
            if is_linked {
                linked.push(pair);
            }
            if !is_linked || (shared as usize) < s.min_shared {
                cands.push((pair.0, pair.1, shared));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        linked.sort_unstable();
    }
    let postings_left: &[u64] = postings;
    let df = |k: u64| df_in(postings_left, k);
    let runs: Vec<Vec<Span>> = boiler_changed
        .par_iter()
        .map(|&x| read.all.runs(read.local(x), &s.params, |k| df(k) >= bmd))
        .collect();
    for (&x, r) in boiler_changed.iter().zip(runs) {
        state.docs[x as usize].boilerplate = r;
    }
    let aligned_pairs = settle(state, &read, &cands, &linked, &recount, &df, s);
    // Slots move down over the removed ones.
    let slot = slots_after(&is_gone);
    let mut x = 0;
    state.docs.retain(|_| {
        x += 1;
        !is_gone[x - 1]
    });
    for p in &mut state.pairs {
        (p.a, p.b) = (slot[p.a as usize], slot[p.b as usize]);
    }
    for p in postings.iter_mut() {
        *p = fold(*p) | u64::from(slot[slot_of(*p) as usize]);
    }
    let hashes: std::collections::HashSet<u64> = state.docs.iter().map(|d| d.text_hash).collect();
    state
        .empty_pairs
        .retain(|(x, y)| hashes.contains(x) && hashes.contains(y));
    Ok((
        Removed {
            removed: n_gone,
            reread: read.need.len(),
            recounted: recount.len(),
            aligned_pairs,
        },
        handed,
    ))
}

/// The documents staying in an update (old slots not in `is_gone`) whose pairs with each other it
/// changes, given the n-grams of the new documents (`news`: key and slot, sorted; their slots after
/// the old ones) and every slot's place in report order (`rank`). `Err` when they are more than half
/// of those staying: reading them costs what a rebuild does.
fn net_recount(
    postings: &[u64],
    is_gone: &[bool],
    news: &[(u64, u32)],
    rank: &[u32],
    s: &Settings,
) -> Result<Vec<u32>, String> {
    let n_old = is_gone.len();
    let earliest = |xs: &mut dyn Iterator<Item = u32>| xs.min_by_key(|&x| rank[x as usize]);
    // An n-gram counts for the pairs of documents holding it when in 2 to max_df documents, links
    // them to its earliest holder when in more: the documents staying (old, not removed) that hold
    // an n-gram whose standing changes, or whose earliest holder changes to or from one of them,
    // have their pairs with each other recounted.
    let standing = |d: usize| match d {
        0 | 1 => 0,
        d if d <= s.max_df => 1,
        _ => 2,
    };
    let mut recount: Vec<u32> = Vec::new();
    let mut staying: Vec<u32> = Vec::new();
    let mut j = 0;
    for group in postings.chunk_by(|x, y| fold(*x) == fold(*y)) {
        let k = fold(group[0]);
        j += news[j..].iter().take_while(|x| x.0 < k).count();
        let added = &news[j..j + news[j..].iter().take_while(|x| x.0 == k).count()];
        let removed = group.iter().any(|&p| is_gone[slot_of(p) as usize]);
        if added.is_empty() && !removed {
            continue;
        }
        staying.clear();
        staying.extend(
            group
                .iter()
                .map(|&p| slot_of(p))
                .filter(|&x| !is_gone[x as usize]),
        );
        if staying.len() < 2 {
            continue;
        }
        let (d_old, d_new) = (group.len(), staying.len() + added.len());
        let changed = standing(d_old) != standing(d_new)
            || (d_old > s.max_df && {
                let first_old = earliest(&mut group.iter().map(|&p| slot_of(p))).expect("held");
                let first_new =
                    earliest(&mut staying.iter().chain(added.iter().map(|x| &x.1)).copied())
                        .expect("held");
                first_old != first_new
                    && (!is_gone[first_old as usize] || (first_new as usize) < n_old)
            });
        if changed {
            recount.extend_from_slice(&staying);
        }
    }
    recount.sort_unstable();
    recount.dedup();
    let n_left = is_gone.iter().filter(|&&x| !x).count();
    if recount.len() * 2 > n_left {
        return Err(format!(
            "the update changes the pairs of {} of the {n_left} documents it keeps (text they hold \
             became common or rare, or has another earliest holder)",
            recount.len()
        ));
    }
    Ok(recount)
}

/// Each slot's place in report order: the old documents', then new ones' (slots after them).
fn ranks(old: &[DocEntry], new: &[DocEntry]) -> Vec<u32> {
    let key = |x: u32| {
        let x = x as usize;
        match old.get(x) {
            Some(d) => d.order_key(),
            None => new[x - old.len()].order_key(),
        }
    };
    let mut order: Vec<u32> = (0..(old.len() + new.len()) as u32).collect();
    order.sort_by(|&x, &y| key(x).cmp(&key(y)));
    let mut rank = vec![0u32; order.len()];
    for (r, &x) in order.iter().enumerate() {
        rank[x as usize] = r as u32;
    }
    rank
}

/// Per slot of `n` documents: it is one of `gone`.
fn gone_mask(n: usize, gone: &[u32]) -> Vec<bool> {
    let mut is_gone = vec![false; n];
    for &g in gone {
        is_gone[g as usize] = true;
    }
    is_gone
}

/// Each old slot's slot once the documents `is_gone` are out (the slots after one move down).
fn slots_after(is_gone: &[bool]) -> Vec<u32> {
    is_gone
        .iter()
        .scan(0u32, |next, &g| {
            let slot = *next;
            *next += u32::from(!g);
            Some(slot)
        })
        .collect()
}

/// Remove documents (slots `gone`) and add new ones in one update: [`remove`], then [`add`], except
/// that the old pairs counted again are found from the net change of each n-gram's holders. An edited
/// file is both (its old document removed, its new one added) and keeps its place in report order,
/// so the n-grams both versions hold change nothing for the pairs of the others; remove then add
/// would each recount the holders of the common n-grams it holds first (editing the first Bible
/// chapter rebuilt). The postings (all of them, sorted) are updated as by both steps.
pub fn replace(
    state: &mut State,
    postings: &mut Vec<u64>,
    gone: &[u32],
    new_docs: &[CorpusDoc],
    metas: &[FileMeta],
    s: &Settings,
    read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
) -> Result<(Removed, Added), String> {
    let n_old = state.docs.len();
    let is_gone = gone_mask(n_old, gone);
    // The new documents' n-grams (their slots after the old ones), and everyone's report order.
    let work = Work::new(new_docs.iter().map(|d| d.doc.text.as_str()).collect());
    let mut news: Vec<(u64, u32)> = Vec::new();
    for d in 0..new_docs.len() {
        let ps = work.postings(d, &s.params, 0);
        news.extend(ps.into_iter().map(|p| (fold(p), (n_old + d) as u32)));
    }
    news.sort_unstable();
    let entries: Vec<DocEntry> = new_docs
        .iter()
        .zip(metas)
        .map(|(cd, m)| doc_entry(cd, *m, 0))
        .collect();
    let rank = ranks(&state.docs, &entries);
    let recount = net_recount(postings, &is_gone, &news, &rank, s)?;
    // Their slots once the removed documents are out.
    let slot = slots_after(&is_gone);
    let after = |xs: &[u32]| -> Vec<u32> { xs.iter().map(|&x| slot[x as usize]).collect() };
    let recount = after(&recount);
    let n_left = is_gone.iter().filter(|&&x| !x).count();
    let (removed, boiler) = remove_with(
        state,
        postings,
        gone,
        s,
        read_old,
        Some(n_left + new_docs.len()),
    )?;
    let added = add_with(
        state,
        &mut InMemory(postings),
        new_docs,
        metas,
        s,
        read_old,
        Some((recount, after(&boiler))),
    )?;
    merge_into(postings, &added.postings);
    Ok((removed, added))
}

/// Merge sorted `more` into sorted `all` (in place, from the back: linear, where sorting the
/// concatenation of millions of postings took a few hundred milliseconds).
pub fn merge_into(all: &mut Vec<u64>, more: &[u64]) {
    let (mut i, mut j) = (all.len(), more.len());
    all.resize(i + j, 0);
    let mut k = all.len();
    while j > 0 {
        k -= 1;
        if i > 0 && all[i - 1] > more[j - 1] {
            i -= 1;
            all[k] = all[i];
        } else {
            j -= 1;
            all[k] = more[j];
        }
    }
}

/// The documents an update reads: the new ones, then the old ones it needs, tokenised together;
/// and the report order of every slot.
struct Read<'a> {
    all: Work<'a>,
    /// Old documents (slots below this), new ones (after them).
    n_old: usize,
    n_new: usize,
    /// The old slots read, sorted.
    need: Vec<u32>,
    /// Per slot, its place in report order.
    rank: Vec<u32>,
}

impl Read<'_> {
    /// Where document `slot` is in `all`.
    fn local(&self, slot: u32) -> usize {
        if slot as usize >= self.n_old {
            slot as usize - self.n_old
        } else {
            self.n_new + self.need.binary_search(&slot).expect("read")
        }
    }

    /// The earliest of some slots in report order.
    fn earliest(&self, xs: impl Iterator<Item = u32>) -> Option<u32> {
        xs.min_by_key(|&x| self.rank[x as usize])
    }
}

/// A recounted candidate pair: its slots, the n-grams of at most `max_df` documents they share, and
/// whether it is linked (through common n-grams to the earliest holder).
type Recounted = ((u32, u32), u32, bool);

/// The pairs among `recount`, old documents that held an n-gram whose standing changed (it became
/// common or rare, or another document holds it first): their counts and links as `build` makes
/// them, from the n-grams two of them hold, held by the documents `old` gives and the new ones in
/// `news`. Gives the candidates `(pair, shared, linked)`; notes each such n-gram's document
/// frequency in `df` and each recounted document's distinct n-grams in `grams`.
fn recount_pairs(
    read: &Read,
    recount: &[u32],
    old: &mut dyn Lookup,
    news: &BTreeMap<u64, Vec<u32>>,
    s: &Settings,
    df: &mut HashMap<u64, usize>,
    grams: &mut HashMap<u32, f64>,
) -> Result<Vec<Recounted>, String> {
    let mut held: Vec<(u64, u32)> = Vec::new();
    for &x in recount {
        let ps = read.all.postings(read.local(x), &s.params, 0);
        grams.insert(x, ps.len() as f64);
        held.extend(ps.into_iter().map(|p| (fold(p), x)));
    }
    held.sort_unstable();
    let groups: Vec<&[(u64, u32)]> = held
        .chunk_by(|p, q| p.0 == q.0)
        .filter(|g| g.len() >= 2)
        .collect();
    let shared_keys: Vec<u64> = groups.iter().map(|g| g[0].0).collect();
    let mut counts: HashMap<(u32, u32), u32> = HashMap::new();
    let mut links: HashMap<(u32, u32), u32> = HashMap::new();
    for (g, olds) in groups.iter().zip(old.lookup(&shared_keys)?) {
        let k = g[0].0;
        let news = news.get(&k).map_or(&[][..], Vec::as_slice);
        let n = olds.len() + news.len();
        df.insert(k, n);
        if (2..=s.max_df).contains(&n) {
            for (i, &(_, x)) in g.iter().enumerate() {
                for &(_, y) in &g[i + 1..] {
                    *counts.entry((x, y)).or_default() += 1;
                }
            }
        } else if n > s.max_df {
            let first = read
                .earliest(olds.iter().chain(news).copied())
                .expect("held");
            if g.iter().any(|&(_, x)| x == first) {
                for &(_, x) in g.iter().filter(|&&(_, x)| x != first) {
                    *links.entry((first.min(x), first.max(x))).or_default() += 1;
                }
            }
        }
    }
    let mut found: Vec<Recounted> = counts
        .iter()
        .filter(|&(_, &c)| c as usize >= s.min_shared)
        .map(|(&pair, &c)| (pair, c, false))
        .collect();
    for (&pair, &c) in &links {
        let smaller = grams[&pair.0].min(grams[&pair.1]);
        if c as usize >= s.min_shared && f64::from(c) >= s.link_share * smaller {
            found.push((pair, counts.get(&pair).copied().unwrap_or(0), true));
        }
    }
    Ok(found)
}

/// Verify and align an update's candidate pairs (slots; `linked` ones unverified), given each
/// n-gram's document frequency after it (`df`), into the state. The pairs among `recount` leave the
/// state first and keep their alignments (a function of the two texts) if still candidates, as do
/// the pairs whose texts the state knows give none. Gives the number of pairs verified.
fn settle(
    state: &mut State,
    read: &Read,
    cands: &[(u32, u32, u32)],
    linked: &[(u32, u32)],
    recount: &[u32],
    df: &(dyn Fn(u64) -> usize + Sync),
    s: &Settings,
) -> usize {
    let (all, local) = (&read.all, |slot: u32| read.local(slot));
    // The recounted pairs leave the state; those still candidates come back below.
    let is_recounted = |x: u32| recount.binary_search(&x).is_ok();
    let mut realigned: HashMap<(u32, u32), Vec<Passage>> = HashMap::new();
    if !recount.is_empty() {
        let mut kept: Vec<Pair> = Vec::with_capacity(state.pairs.len());
        for p in std::mem::take(&mut state.pairs) {
            if is_recounted(p.a) && is_recounted(p.b) {
                realigned.insert((p.a.min(p.b), p.a.max(p.b)), p.passages);
            } else {
                kept.push(p);
            }
        }
        state.pairs = kept;
    }
    // Align the candidate pairs, earlier document first.
    let mut to_verify = vec![false; all.t.ids.len()];
    for &(x, y, _) in cands
        .iter()
        .filter(|&&(x, y, _)| linked.binary_search(&(x, y)).is_err())
    {
        (to_verify[local(x)], to_verify[local(y)]) = (true, true);
    }
    let grams = all.pair_grams(&to_verify, s, |_, k| (2..=s.max_df).contains(&df(fold(k))));
    let aligned: Vec<Pair> = cands
        .par_iter()
        .filter_map(|&(x, y, count)| {
            if linked.binary_search(&(x, y)).is_ok() {
                Some((x, y, count))
            } else {
                all.verify(local(x), local(y), &grams, s)
                    .map(|shared| (x, y, shared))
            }
        })
        .map_init(ViewCache::default, |cache, (x, y, shared)| {
            let (a, b) = if read.rank[x as usize] < read.rank[y as usize] {
                (x, y)
            } else {
                (y, x)
            };
            // A recounted pair of old documents keeps its alignment (a function of the two
            // texts), empty or not.
            let (ha, hb) = (
                state.docs[a as usize].text_hash,
                state.docs[b as usize].text_hash,
            );
            let passages = match realigned.get(&(x, y)) {
                Some(p) => p.clone(),
                None if state.empty_pairs.binary_search(&(ha, hb)).is_ok() => Vec::new(),
                None => all.align(local(a), local(b), &s.params, cache),
            };
            Pair {
                a,
                b,
                shared,
                passages,
            }
        })
        .collect();
    let aligned_pairs = aligned.len();
    if !recount.is_empty() {
        // The recounted pairs' empty alignments are those found again just now.
        let hashes: std::collections::HashSet<u64> = recount
            .iter()
            .map(|&x| state.docs[x as usize].text_hash)
            .collect();
        state
            .empty_pairs
            .retain(|(x, y)| !(hashes.contains(x) && hashes.contains(y)));
    }
    for p in aligned {
        if p.passages.is_empty() {
            let (a, b) = (&state.docs[p.a as usize], &state.docs[p.b as usize]);
            state.empty_pairs.push((a.text_hash, b.text_hash));
        } else {
            state.pairs.push(p);
        }
    }
    state.empty_pairs.sort_unstable();
    state.empty_pairs.dedup();
    state.flag_boilerplate();
    state.orient();
    aligned_pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state without slot numbers: documents and pairs by path, sorted (a document added later
    /// has a later slot than in a full build, whatever its date).
    type Canonical = (
        Vec<DocEntry>,
        Vec<(PathBuf, PathBuf, Pair)>,
        Vec<(u64, u64)>,
    );

    fn canonical(st: &State) -> Canonical {
        let mut docs = st.docs.clone();
        docs.sort_by(|x, y| x.path.cmp(&y.path));
        let path = |x: u32| st.docs[x as usize].path.clone();
        let mut pairs: Vec<(PathBuf, PathBuf, Pair)> = st
            .pairs
            .iter()
            .map(|p| {
                let mut q = p.clone();
                (q.a, q.b) = (0, 0);
                (path(p.a), path(p.b), q)
            })
            .collect();
        pairs.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        (docs, pairs, st.empty_pairs.clone())
    }

    /// Words of a small vocabulary (named by `prefix`) drawn with a Zipf-like skew (seeded).
    fn words(prefix: &str, seed: u64, n: usize) -> Vec<String> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Rank r with probability about 1 / r over 400 words.
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                let r = (400f64.powf(u)) as usize;
                format!("{prefix}{r}x{}", r * 7 % 13)
            })
            .collect()
    }

    /// Documents whose pairs change as documents come and go, with their settings: formulas held by
    /// 2 to 5 documents each (max_df 3), a block most of four short documents hold, a near copy, a
    /// document dated before all others holding the block, and unrelated documents (so that the
    /// documents recounted are not most of the corpus, when the update rebuilds).
    fn changing_corpus() -> (Vec<CorpusDoc>, Settings) {
        let formulas: Vec<Vec<String>> = (0..6).map(|f| words("f", 900 + f, 14)).collect();
        // A block most of four short documents hold (three old, one added): once common, it
        // links the old ones to the earliest.
        let block = words("b", 500, 100);
        let mut texts: Vec<(String, String)> = Vec::new();
        for i in 0..15u64 {
            let mut w = words("w", i + 1, 120);
            if [0, 2, 4, 8].contains(&i) {
                w.truncate(30);
                w.splice(10..10, block.iter().cloned());
            }
            for (f, formula) in formulas.iter().enumerate() {
                if (i as usize + f).is_multiple_of(3) && (i as usize) < 4 + 2 * f {
                    let at = (17 * f + 5) % 100;
                    w.splice(at..at, formula.iter().cloned());
                }
            }
            if i == 9 {
                // Doc 9 copies doc 2 with its last words changed.
                w = texts[2].1.split(' ').map(str::to_owned).collect();
                let n = w.len();
                w[n - 6..].clone_from_slice(&words("w", 77, 6));
            }
            if i == 11 {
                // Doc 11, dated before the others but doc 14, holds first a formula it makes
                // common (and nothing else that others hold).
                w = words("u", 11, 8);
                w.splice(4..4, formulas[5].iter().cloned());
            }
            if i == 14 {
                // Doc 14, dated before every other, holds first the block, common by then.
                w = words("v", 14, 10);
                w.splice(5..5, block.iter().cloned());
            }
            let id = match i {
                11 => "2020-01-01_d11".to_owned(),
                14 => "2019-12-31_d14".to_owned(),
                _ => format!("2020-01-{:02}_d{i}", i + 2),
            };
            texts.push((id, w.join(" ")));
        }
        // Unrelated old documents, so that the old holders recounted are not most of the corpus
        // (then `add` rebuilds).
        for i in 0..12u64 {
            let w = words(&format!("z{i}_"), 200 + i, 80);
            texts.push((format!("2020-02-{:02}_z{i}", i + 1), w.join(" ")));
        }
        let docs: Vec<CorpusDoc> = texts
            .iter()
            .map(|(id, text)| {
                let mut doc = crate::corpus::Document::from_text(id, text);
                doc.date = Some(id[..10].to_owned());
                CorpusDoc {
                    doc,
                    title: None,
                    source: None,
                    note: None,
                    line: None,
                }
            })
            .collect();
        let s = Settings {
            params: Params::default(),
            min_shared: 3,
            max_df: 3,
            boilerplate_min_docs: None,
            link_share: 0.5,
            lossy: false,
            max_bytes: u64::MAX,
        };
        (docs, s)
    }

    /// [`add`] documents to a state whose postings are held in memory, and keep their postings.
    fn add_kept(
        st: &mut State,
        postings: &mut Vec<u64>,
        docs: &[CorpusDoc],
        s: &Settings,
        read_old: &(dyn Fn(&DocEntry) -> Result<String, String> + Sync),
    ) -> Added {
        let metas = vec![FileMeta::default(); docs.len()];
        let added = add(st, &mut InMemory(postings), docs, &metas, s, read_old)
            .unwrap_or_else(|why| panic!("rebuilt: {why}"));
        postings.extend_from_slice(&added.postings);
        postings.sort_unstable();
        added
    }

    /// The block of [`changing_corpus`], as doc 14 holds it (its words 5 to 105).
    fn words_of_block(d: &CorpusDoc) -> Vec<String> {
        d.doc
            .text
            .split(' ')
            .skip(5)
            .take(100)
            .map(str::to_owned)
            .collect()
    }

    /// Documents in report order, as [`build`] takes them.
    fn in_order(ds: &[CorpusDoc]) -> Vec<CorpusDoc> {
        let mut v: Vec<CorpusDoc> = ds.to_vec();
        v.sort_by(|x, y| (&x.doc.date, &x.doc.id).cmp(&(&y.doc.date, &y.doc.id)));
        v
    }

    #[test]
    fn adding_documents_that_make_text_common_gives_the_full_build() {
        // Formulas held by 2 to 5 documents each (max_df 3): adding documents lifts some of them
        // into the common n-grams while several old documents hold them, which the old pairs'
        // counts and links must follow; a near copy of an earlier document links through them;
        // a document dated before all others is added holding text that is common already.
        let (docs, s) = changing_corpus();
        let metas = vec![FileMeta::default(); docs.len()];
        // Old documents first, then the others added one at a time, then two and three at once;
        // after each addition the state is a full build's of the same documents.
        let mut have: Vec<CorpusDoc> = docs[..7].iter().chain(&docs[15..]).cloned().collect();
        let (mut st, mut postings) = build(&in_order(&have), &metas, &s, &Memo::new());
        let texts_of: HashMap<PathBuf, String> = docs
            .iter()
            .map(|d| (d.doc.path.clone(), d.doc.text.clone()))
            .collect();
        let read_old = |e: &DocEntry| Ok(texts_of[&e.path].clone());
        let (mut recounted, mut linked) = (0, 0);
        for step in [7..8, 8..9, 9..10, 10..12, 12..15] {
            let step = &docs[step];
            recounted += add_kept(&mut st, &mut postings, step, &s, &read_old).recounted;
            have.extend_from_slice(step);
            let (want, _) = build(&in_order(&have), &metas, &s, &Memo::new());
            assert_eq!(
                canonical(&st),
                canonical(&want),
                "after adding {}",
                step[0].doc.id
            );
            linked += want.pairs.iter().filter(|p| p.shared < 3).count();
        }
        assert!(
            recounted >= 2 && linked >= 2,
            "no old pair recounted ({recounted}) or linked ({linked}): the test tests nothing"
        );
    }

    #[test]
    fn removing_and_changing_documents_gives_the_full_build() {
        // From the whole corpus, documents are removed (or changed: removed, then added again
        // edited) a few at a time; after each step the state is a full build's of the documents
        // left. Removing doc 14, the earliest holder of the common block, moves the others' links
        // to doc 0; removing doc 8 then makes the block rare again (3 holders), which the pairs of
        // its holders now count, and drops it below the boilerplate threshold (4 documents).
        let (docs, s) = changing_corpus();
        let metas = vec![FileMeta::default(); docs.len()];
        let mut have = in_order(&docs);
        let (mut st, mut postings) = build(&have, &metas, &s, &Memo::new());
        let mut texts_of: HashMap<PathBuf, String> = docs
            .iter()
            .map(|d| (d.doc.path.clone(), d.doc.text.clone()))
            .collect();
        let name = |i: usize| docs[i].doc.path.clone();
        // Doc 9 edited: its near copy of doc 2 loses a third of its words.
        let mut edited = docs[9].clone();
        let ws: Vec<&str> = edited.doc.text.split(' ').collect();
        edited.doc.text = ws[ws.len() / 3..].join(" ");
        // Doc 14 edited: it still holds the block first, with other words around it.
        let mut edited_first = docs[14].clone();
        let mut w = words("v", 140, 12);
        w.splice(3..3, words_of_block(&docs[14]));
        edited_first.doc.text = w.join(" ");
        let mut recounted = 0;
        let steps: Vec<(Vec<usize>, Option<CorpusDoc>)> = vec![
            (vec![14], Some(edited_first)),
            (vec![14], None),
            (vec![8], None),
            (vec![9], Some(edited)),
            (vec![11, 3], None),
            (vec![0, 15], None),
        ];
        for (gone, changed) in steps {
            let slots: Vec<u32> = gone
                .iter()
                .map(|&i| st.docs.iter().position(|d| d.path == name(i)).unwrap() as u32)
                .collect();
            let read_old = |e: &DocEntry| Ok(texts_of[&e.path].clone());
            have.retain(|d| !gone.iter().any(|&i| d.doc.path == name(i)));
            if let Some(c) = changed {
                let (removed, added) = replace(
                    &mut st,
                    &mut postings,
                    &slots,
                    std::slice::from_ref(&c),
                    &metas[..1],
                    &s,
                    &read_old,
                )
                .unwrap_or_else(|why| panic!("rebuilt: {why}"));
                assert_eq!(removed.removed, 1);
                // The edited first holder of the block holds it still: its links stay with it.
                if gone == [14] {
                    assert_eq!(added.recounted, 0, "the edit changes no other pair");
                }
                recounted += added.recounted;
                have.push(c);
            } else {
                let removed = remove(&mut st, &mut postings, &slots, &s, &read_old)
                    .unwrap_or_else(|why| panic!("rebuilt: {why}"));
                assert_eq!(removed.removed, gone.len());
                recounted += removed.recounted;
            }
            let (want, want_postings) = build(&in_order(&have), &metas, &s, &Memo::new());
            assert_eq!(
                canonical(&st),
                canonical(&want),
                "after removing {:?}",
                gone.iter().map(|&i| &docs[i].doc.id).collect::<Vec<_>>()
            );
            // The postings are the full build's, slot for slot once both are in one order.
            let path_of = |st: &State, p: u64| st.docs[slot_of(p) as usize].path.clone();
            let mut a: Vec<(u64, PathBuf)> = postings
                .iter()
                .map(|&p| (fold(p), path_of(&st, p)))
                .collect();
            let mut b: Vec<(u64, PathBuf)> = want_postings
                .iter()
                .map(|&p| (fold(p), path_of(&want, p)))
                .collect();
            a.sort_unstable();
            b.sort_unstable();
            assert!(a == b, "postings differ after removing {gone:?}");
            texts_of.retain(|p, _| have.iter().any(|d| &d.doc.path == p));
            for d in &have {
                texts_of.insert(d.doc.path.clone(), d.doc.text.clone());
            }
        }
        assert!(
            recounted >= 4,
            "few documents recounted ({recounted}): the test tests little"
        );
    }

    #[test]
    fn of_all_is_of_each() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (i, name) in ["a.txt", "sub/b.txt", "sub/c.md", "d.txt"]
            .iter()
            .enumerate()
        {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x".repeat(i + 1)).unwrap();
            files.push(p);
        }
        // A missing file, a folder and a relative path (its folder is the working directory's).
        files.push(dir.path().join("missing.txt"));
        files.push(dir.path().join("sub"));
        files.push(std::path::PathBuf::from("Cargo.toml"));
        let want: Vec<Option<FileMeta>> = files.iter().map(|f| FileMeta::of(f)).collect();
        assert_eq!(FileMeta::of_all(&files), want);
        assert!(want[0].is_some() && want[4].is_none() && want[6].is_some());
    }
}
