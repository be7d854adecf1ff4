//! The gate's on-disk index cache (`.cyberdiff/` by default): a [`State`] and its postings.
//!
//! Two files:
//! - `state.bin`: a header (magic, format version, tool version, settings hash, a hash of every input's
//!   path and content hash, the id of the postings file, payload length and xxh3) and the payload:
//!   documents, pairs with their passages, and the *delta* postings of documents added since the
//!   postings file was written.
//! - `postings.bin`: the *base* postings, sorted `u64`s (40 bits of n-gram key, 24 bits of document
//!   slot), in up to 65,536 buckets by the key's top bits (about 256 postings each); its header holds the bucket offsets and one
//!   xxh3 per bucket, itself checksummed. A lookup reads only the buckets of the keys asked for and
//!   verifies each one, so a rerun that adds one document reads a few megabytes, not the whole index.
//!
//! - `track.bin`, when statements are tracked: the `statement-status` findings of the last run and a
//!   key (hash of the statements file, the matcher's settings and every document's path, date and
//!   text hash) they were computed from. Tracking weighs words by their frequency over the whole
//!   corpus, so any change of the corpus recomputes it; an unchanged rerun reuses it.
//!
//! Nothing read is trusted unverified: a wrong magic, format, tool version or settings hash, a
//! mismatched pair of files, or any checksum that fails gives an [`Invalid`] reason, and the caller
//! warns and rebuilds. Each file is written to a temporary name and renamed
//! ([`crate::report::json::write_atomic`]), so a killed run leaves the old file or the new one (it is
//! not flushed to disk: after a power cut, a cache that did not reach the disk fails its checksums
//! and is rebuilt); a torn
//! pair (state.bin of one run, postings.bin of another) is caught by the postings id.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::state::{DocEntry, FileMeta, Lookup, Pair, Passage, Span, State, slot_of};
use crate::align::Kind;

/// Bumped whenever the layout or the meaning of the cache changes.
pub const FORMAT_VERSION: u32 = 3;
const STATE_MAGIC: &[u8; 8] = b"CYDFGATE";
const POSTINGS_MAGIC: &[u8; 8] = b"CYDFPOST";
const TRACK_MAGIC: &[u8; 8] = b"CYDFTRAK";
/// Most buckets of postings.bin (by the top 16 bits of the key); small indexes use fewer.
const MAX_BUCKET_BITS: u32 = 16;

/// Header of postings.bin: magic, version, bucket bits, id, count, offsets, checksums, its checksum.
fn header_len(bits: u32) -> usize {
    let buckets = 1usize << bits;
    8 + 4 + 4 + 8 + 8 + (buckets + 1) * 8 + buckets * 8 + 8
}

/// Buckets of about 256 postings (2 KB, one read each).
fn bucket_bits(count: usize) -> u32 {
    let mut bits = 4;
    while bits < MAX_BUCKET_BITS && (count >> bits) > 256 {
        bits += 1;
    }
    bits
}

/// Why a cache was not used.
#[derive(Debug)]
pub struct Invalid(pub String);

/// A cache as read: the state, its delta postings and a reader of its base postings.
pub struct Loaded {
    /// When `state.bin` was written: its modification time (ns), for [`FileMeta::is_racy`].
    pub written: u64,
    pub state: State,
    pub delta: Vec<u64>,
    pub base: Base,
    /// The bytes `state.bin` was read into, for [`write_state`] to write the next one into
    /// (memory already mapped: a fresh 2.7 MB buffer costs ~700 page faults).
    pub buf: Vec<u8>,
}

/// The base postings file, read bucket by bucket.
pub struct Base {
    file: File,
    pub id: u64,
    pub count: u64,
    bits: u32,
    /// The verified header; bucket offsets and checksums are read from it where needed (a lookup
    /// needs a few hundred of the 65,536).
    head: Vec<u8>,
}

fn bucket_of(key: u64, bits: u32) -> usize {
    (key >> (64 - bits)) as usize
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, at)
}

#[cfg(not(unix))]
fn read_at(mut f: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::io::Seek;
    f.seek(std::io::SeekFrom::Start(at))?;
    f.read_exact(buf)
}

impl Base {
    fn open(path: &Path) -> Result<Base, Invalid> {
        let bad = |why: &str| Invalid(format!("{}: {why}", path.display()));
        // A regular file only: its header is read before its length is checked, and a device or a
        // pipe in its place would give endless bytes or block.
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Err(bad("missing, or not a regular file"));
        }
        let mut file = File::open(path).map_err(|e| bad(&format!("cannot open it ({e})")))?;
        let mut head = vec![0u8; 16];
        file.read_exact(&mut head)
            .map_err(|_| bad("shorter than its header"))?;
        if &head[..8] != POSTINGS_MAGIC {
            return Err(bad("not a cyberdiff postings file (wrong magic)"));
        }
        let bits = u32::from_le_bytes(head[12..16].try_into().expect("4 bytes"));
        if !(4..=MAX_BUCKET_BITS).contains(&bits) {
            return Err(bad("bad bucket count"));
        }
        let hl = header_len(bits);
        let buckets = 1usize << bits;
        head.resize(hl, 0);
        file.read_exact(&mut head[16..])
            .map_err(|_| bad("shorter than its header"))?;
        let u64_at = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
        let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(bad(&format!(
                "format version {version}, this cyberdiff reads {FORMAT_VERSION}"
            )));
        }
        let sum_at = hl - 8;
        if xxh3_64(&head[..sum_at]) != u64_at(sum_at) {
            return Err(bad("header checksum mismatch"));
        }
        let (id, count) = (u64_at(16), u64_at(24));
        let len = file.metadata().map_or(0, |m| m.len());
        if u64_at(32 + buckets * 8) != count
            || (0..buckets).any(|b| u64_at(32 + b * 8) > u64_at(32 + (b + 1) * 8))
            || len != hl as u64 + count * 8
        {
            return Err(bad("inconsistent bucket table or length"));
        }
        Ok(Base {
            file,
            id,
            count,
            bits,
            head,
        })
    }

    fn head_u64(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.head[i..i + 8].try_into().expect("8 bytes"))
    }

    /// Where bucket `b` starts (in postings); `b` may be the bucket count (the end).
    fn offset(&self, b: usize) -> u64 {
        self.head_u64(32 + b * 8)
    }

    fn sum(&self, b: usize) -> u64 {
        self.head_u64(32 + ((1usize << self.bits) + 1) * 8 + b * 8)
    }

    /// The postings of one bucket, verified.
    fn bucket(&self, b: usize) -> Result<Vec<u64>, String> {
        let (s, e) = (self.offset(b), self.offset(b + 1));
        let mut buf = vec![0u8; ((e - s) * 8) as usize];
        read_at(&self.file, &mut buf, header_len(self.bits) as u64 + s * 8)
            .map_err(|e| format!("postings file unreadable: {e}"))?;
        if xxh3_64(&buf) != self.sum(b) {
            return Err(format!("postings bucket {b} fails its checksum"));
        }
        Ok(buf
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// Every posting, in order (for merging the delta into a new base).
    pub fn all(&self) -> Result<Vec<u64>, String> {
        let mut out = Vec::with_capacity(self.count as usize);
        for b in 0..1usize << self.bits {
            out.extend(self.bucket(b)?);
        }
        Ok(out)
    }
}

/// Lookups over the base postings and the delta.
pub struct Postings<'a> {
    pub base: &'a Base,
    pub delta: &'a [u64],
}

impl Lookup for Postings<'_> {
    fn lookup(&mut self, keys: &[u64]) -> Result<Vec<Vec<u32>>, String> {
        let mut out = Vec::with_capacity(keys.len());
        let mut current: Option<(usize, Vec<u64>)> = None;
        for &k in keys {
            let b = bucket_of(k, self.base.bits);
            if current.as_ref().is_none_or(|(cb, _)| *cb != b) {
                current = Some((b, self.base.bucket(b)?));
            }
            let (_, posts) = current.as_ref().expect("set above");
            let mut slots: Vec<u32> = Vec::new();
            for list in [posts.as_slice(), self.delta] {
                slots.extend(super::state::holders(list, k));
            }
            slots.sort_unstable();
            out.push(slots);
        }
        Ok(out)
    }
}

/// Cache file paths in a folder.
pub fn state_path(dir: &Path) -> PathBuf {
    dir.join("state.bin")
}

pub fn postings_path(dir: &Path) -> PathBuf {
    dir.join("postings.bin")
}

/// A path as the cache stores it: its bytes (on Unix any bytes but NUL; a name need not be UTF-8),
/// elsewhere its UTF-8 form.
fn path_to_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().into()
    }
    #[cfg(not(unix))]
    {
        match p.to_string_lossy() {
            std::borrow::Cow::Borrowed(s) => s.as_bytes().into(),
            std::borrow::Cow::Owned(s) => s.into_bytes().into(),
        }
    }
}

/// The path [`path_to_bytes`] stored.
fn path_from_bytes(b: Vec<u8>) -> Result<PathBuf, String> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Ok(PathBuf::from(std::ffi::OsString::from_vec(b)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(b)
            .map(PathBuf::from)
            .map_err(|_| "a path is not UTF-8".into())
    }
}

/// A hash of every document's path and content hash: what the cache was built from.
pub fn inputs_hash(state: &State) -> u64 {
    let mut h = Xxh3::new();
    for d in &state.docs {
        h.update(&path_to_bytes(&d.path));
        h.update(&[0]);
        h.update(&d.line.unwrap_or(0).to_le_bytes());
        h.update(&d.file_hash.to_le_bytes());
    }
    h.digest()
}

/// Read a cache folder. `Ok(None)` when there is no cache yet.
pub fn load(dir: &Path, settings_hash: u64) -> Result<Option<Loaded>, Invalid> {
    load_any(dir)?.map(|u| u.check(settings_hash)).transpose()
}

/// A cache folder read before the settings it must have are known (the settings hash covers the
/// corpus manifests, found by the walk that this read runs beside): the settings hash it was built
/// with, and the rest of it or why it is unusable.
pub struct Unchecked {
    settings: u64,
    sp: PathBuf,
    rest: Result<Loaded, Invalid>,
}

impl Unchecked {
    /// The cache if it was built with these settings. The reasons come in the order [`load`] has
    /// always checked them: the frame, then the settings, then the rest.
    pub fn check(self, settings_hash: u64) -> Result<Loaded, Invalid> {
        if self.settings != settings_hash {
            return Err(Invalid(format!(
                "{}: built with other settings",
                self.sp.display()
            )));
        }
        self.rest
    }
}

/// Read a cache folder whatever its settings (see [`Unchecked`]). `Ok(None)` when there is none.
pub fn load_any(dir: &Path) -> Result<Option<Unchecked>, Invalid> {
    let sp = state_path(dir);
    let Some(bytes) = read_cache_file(&sp, STATE_MAGIC)? else {
        return Ok(None);
    };
    let written = std::fs::metadata(&sp).map_or(0, |m| FileMeta::from(&m).mtime);
    let bad = |why: String| Invalid(format!("{}: {why}", sp.display()));
    let (head, payload) = unframe(&bytes, STATE_MAGIC).map_err(&bad)?;
    let [settings, inputs, base_id] = head;
    let rest = (|| {
        let mut p = Reader { b: payload, at: 0 };
        let (state, delta) = read_payload(&mut p).map_err(&bad)?;
        if inputs_hash(&state) != inputs {
            return Err(bad("input hash mismatch".into()));
        }
        let base = Base::open(&postings_path(dir))?;
        if base.id != base_id {
            return Err(bad(format!(
                "does not belong with {} (a copy from another run?)",
                postings_path(dir).display()
            )));
        }
        if delta.windows(2).any(|w| w[0] > w[1])
            || delta
                .iter()
                .any(|&p| slot_of(p) as usize >= state.docs.len())
        {
            return Err(bad("delta postings out of order or range".into()));
        }
        Ok(Loaded {
            written,
            state,
            delta,
            base,
            buf: Vec::new(),
        })
    })();
    let rest = rest.map(|l| Loaded { buf: bytes, ..l });
    Ok(Some(Unchecked { settings, sp, rest }))
}

/// Write the base postings file; gives its id.
pub fn write_postings(dir: &Path, postings: &[u64], id: u64) -> Result<(), crate::Error> {
    let path = postings_path(dir);
    let bits = bucket_bits(postings.len());
    let buckets = 1usize << bits;
    let mut offsets = vec![0u64; buckets + 1];
    for &p in postings {
        offsets[bucket_of(p, bits) + 1] += 1;
    }
    for b in 0..buckets {
        offsets[b + 1] += offsets[b];
    }
    let mut head: Vec<u8> = Vec::with_capacity(header_len(bits));
    head.extend_from_slice(POSTINGS_MAGIC);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&bits.to_le_bytes());
    head.extend_from_slice(&id.to_le_bytes());
    head.extend_from_slice(&(postings.len() as u64).to_le_bytes());
    for o in &offsets {
        head.extend_from_slice(&o.to_le_bytes());
    }
    let mut body: Vec<u8> = Vec::new();
    let mut sums = Vec::with_capacity(buckets);
    for b in 0..buckets {
        body.clear();
        for &p in &postings[offsets[b] as usize..offsets[b + 1] as usize] {
            body.extend_from_slice(&p.to_le_bytes());
        }
        sums.push(xxh3_64(&body));
    }
    for s in &sums {
        head.extend_from_slice(&s.to_le_bytes());
    }
    let sum = xxh3_64(&head);
    head.extend_from_slice(&sum.to_le_bytes());
    crate::report::json::write_owned_with(&path, |f| {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        w.write_all(&head)?;
        for &p in postings {
            w.write_all(&p.to_le_bytes())?;
        }
        w.flush()
    })
}

/// Write `state.bin`, paired with the postings file `base_id`, through `buf` (cleared first; its
/// capacity is reused: pass the buffer the old file was read into, or an empty one).
pub fn write_state(
    mut buf: Vec<u8>,
    dir: &Path,
    state: &State,
    delta: &[u64],
    settings_hash: u64,
    base_id: u64,
) -> Result<(), crate::Error> {
    // The payload is written after a header whose length and checksum are filled in afterwards:
    // one buffer instead of a payload copied into a framed one.
    buf.clear();
    let mut w = Writer(buf);
    let at = open_frame(
        &mut w,
        STATE_MAGIC,
        [settings_hash, inputs_hash(state), base_id],
    );
    write_payload(&mut w, state, delta);
    close_frame(&mut w, at);
    replace_file(&state_path(dir), &w.0)
}

/// Start a frame (as [`frame`] writes it) whose payload follows; gives where its length goes.
fn open_frame(w: &mut Writer, magic: &[u8; 8], head: [u64; 3]) -> usize {
    w.0.extend_from_slice(magic);
    w.u32(FORMAT_VERSION);
    w.str(env!("CARGO_PKG_VERSION"));
    for x in head {
        w.u64(x);
    }
    let at = w.0.len();
    w.u64(0);
    w.u64(0);
    at
}

/// Fill in the length and checksum of the payload written since [`open_frame`].
fn close_frame(w: &mut Writer, at: usize) {
    let start = at + 16;
    let len = (w.0.len() - start) as u64;
    let sum = xxh3_64(&w.0[start..]);
    w.0[at..at + 8].copy_from_slice(&len.to_le_bytes());
    w.0[at + 8..start].copy_from_slice(&sum.to_le_bytes());
}

/// A cache file: magic, format version, tool version, the header words, the payload's length and
/// xxh3, and the payload.
fn frame(magic: &[u8; 8], head: [u64; 3], payload: &[u8]) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(payload.len() + 64));
    let at = open_frame(&mut w, magic, head);
    w.0.extend_from_slice(payload);
    close_frame(&mut w, at);
    w.0
}

/// The header words and the verified payload of a cache file.
fn unframe<'a>(bytes: &'a [u8], magic: &[u8; 8]) -> Result<([u64; 3], &'a [u8]), String> {
    let mut r = Reader { b: bytes, at: 0 };
    if r.take(8)? != magic {
        return Err("not a cyberdiff cache (wrong magic)".into());
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this cyberdiff reads {FORMAT_VERSION}"
        ));
    }
    let tool = r.str()?;
    if tool != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "written by cyberdiff {tool}, this is {}",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let head = [r.u64()?, r.u64()?, r.u64()?];
    let len = r.u64()? as usize;
    let sum = r.u64()?;
    let payload = r.take(len)?;
    if r.at != bytes.len() || xxh3_64(payload) != sum {
        return Err("checksum mismatch (truncated or corrupt)".into());
    }
    Ok((head, payload))
}

/// The longest tool version a frame may name (its length is read before the version itself).
const MAX_TOOL_VERSION: usize = 64;

/// The bytes of a cache file framed with `magic` (see [`frame`]); `None` when there is none.
///
/// Nothing is read whole before its header is checked: the file must be a regular file (not a
/// device such as `/dev/zero`, a pipe or a folder), its magic, format version and tool version must
/// be this cyberdiff's, and the payload length it declares must be the file's length; only then is
/// the file read, exactly that many bytes, into memory asked for (a failed allocation is a reason
/// to rebuild, not an abort).
fn read_cache_file(path: &Path, magic: &[u8; 8]) -> Result<Option<Vec<u8>>, Invalid> {
    let bad = |why: String| Invalid(format!("{}: {why}", path.display()));
    // Checked before opening: opening a named pipe would wait for a writer.
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(bad("not a regular file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot read it ({e})"))),
    }
    let mut file = File::open(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let size = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .ok_or_else(|| bad("not a regular file".into()))?
        .len();
    // Magic, format version and the tool version's length.
    let mut head = vec![0u8; 16];
    file.read_exact(&mut head)
        .map_err(|_| bad("shorter than its header".into()))?;
    if &head[..8] != magic {
        return Err(bad("not a cyberdiff cache (wrong magic)".into()));
    }
    let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version}, this cyberdiff reads {FORMAT_VERSION}"
        )));
    }
    let tool_len = u32::from_le_bytes(head[12..16].try_into().expect("4 bytes")) as usize;
    if tool_len > MAX_TOOL_VERSION {
        return Err(bad("bad tool version in its header".into()));
    }
    // The tool version, the three header words, the payload's length and checksum.
    let rest = tool_len + 3 * 8 + 8 + 8;
    head.resize(16 + rest, 0);
    file.read_exact(&mut head[16..])
        .map_err(|_| bad("shorter than its header".into()))?;
    let payload_len =
        u64::from_le_bytes(head[head.len() - 16..head.len() - 8].try_into().expect("8"));
    if payload_len.checked_add(head.len() as u64) != Some(size) {
        return Err(bad(format!(
            "its header declares {payload_len} bytes of payload, the file holds {} (truncated or corrupt)",
            size.saturating_sub(head.len() as u64)
        )));
    }
    let total = usize::try_from(size).map_err(|_| bad("too large".into()))?;
    let mut bytes: Vec<u8> = Vec::new();
    bytes
        .try_reserve_exact(total)
        .map_err(|_| bad(format!("not enough memory to read its {size} bytes")))?;
    bytes.extend_from_slice(&head);
    // Bounded: a file that grew since it was measured is read no further than its declared end.
    (&mut file)
        .take(payload_len)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("cannot read it ({e})")))?;
    if bytes.len() != total {
        return Err(bad("changed while it was read".into()));
    }
    Ok(Some(bytes))
}

/// Write a file of the cache through a temporary name and a rename, over whatever is in its place
/// (the helper every output goes through).
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), crate::Error> {
    crate::report::json::write_owned_with(path, |f| std::io::Write::write_all(f, bytes))
}

pub fn track_path(dir: &Path) -> PathBuf {
    dir.join("track.bin")
}

/// Read `track.bin`: `Ok(None)` when there is none or it was computed from other inputs (`key`).
pub fn load_tracked(dir: &Path, key: u64) -> Result<Option<Vec<super::Finding>>, Invalid> {
    let tp = track_path(dir);
    let Some(bytes) = read_cache_file(&tp, TRACK_MAGIC)? else {
        return Ok(None);
    };
    let bad = |why: String| Invalid(format!("{}: {why}", tp.display()));
    let ([stored, _, _], payload) = unframe(&bytes, TRACK_MAGIC).map_err(&bad)?;
    if stored != key {
        return Ok(None);
    }
    serde_json::from_slice(payload)
        .map(Some)
        .map_err(|e| bad(format!("unreadable findings ({e})")))
}

/// Write `track.bin` (temporary file and rename).
pub fn write_tracked(
    dir: &Path,
    key: u64,
    findings: &[super::Finding],
) -> Result<(), crate::Error> {
    let payload = serde_json::to_vec(findings).expect("findings serialise");
    replace_file(&track_path(dir), &frame(TRACK_MAGIC, [key, 0, 0], &payload))
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn path(&mut self, p: &Path) {
        let b = path_to_bytes(p);
        self.u32(b.len() as u32);
        self.0.extend_from_slice(&b);
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn span(&mut self, s: &Span) {
        for x in [
            s.tokens.0,
            s.tokens.1,
            s.start,
            s.end,
            s.line,
            s.column,
            s.end_line,
            s.end_column,
        ] {
            self.u32(x);
        }
        self.u64(s.fp);
        self.str(&s.snippet);
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or("truncated")?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }
    fn len(&mut self, unit: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(unit) > self.b.len() - self.at {
            return Err("a length runs past the end".into());
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "invalid UTF-8".into())
    }
    fn path(&mut self) -> Result<PathBuf, String> {
        let n = self.len(1)?;
        path_from_bytes(self.take(n)?.to_vec())
    }
    fn opt_str(&mut self) -> Result<Option<String>, String> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            _ => Err("bad option tag".into()),
        }
    }
    fn span(&mut self) -> Result<Span, String> {
        let mut v = [0u32; 8];
        for x in &mut v {
            *x = self.u32()?;
        }
        Ok(Span {
            tokens: (v[0], v[1]),
            start: v[2],
            end: v[3],
            line: v[4],
            column: v[5],
            end_line: v[6],
            end_column: v[7],
            fp: self.u64()?,
            snippet: self.str()?,
        })
    }
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Repeated => 0,
        Kind::Reworded => 1,
        Kind::Expanded => 2,
        Kind::Condensed => 3,
    }
}

fn write_payload(w: &mut Writer, s: &State, delta: &[u64]) {
    w.u64(s.bmd as u64);
    w.u32(s.docs.len() as u32);
    for d in &s.docs {
        w.path(&d.path);
        w.u32(d.line.unwrap_or(0));
        w.str(&d.id);
        w.opt_str(d.date.as_deref());
        w.u64(d.meta.size);
        w.u64(d.meta.mtime);
        w.u64(d.meta.ctime);
        w.u64(d.meta.ino);
        w.u64(d.file_hash);
        w.u64(d.text_hash);
        w.u64(d.text_len);
        w.u32(d.words);
        w.u32(d.boilerplate.len() as u32);
        for r in &d.boilerplate {
            w.span(r);
        }
    }
    w.u32(s.pairs.len() as u32);
    for p in &s.pairs {
        w.u32(p.a);
        w.u32(p.b);
        w.u32(p.shared);
        w.u32(p.passages.len() as u32);
        for x in &p.passages {
            w.u8(kind_code(x.kind) | (u8::from(x.boilerplate) << 4));
            w.f64(x.score);
            w.u32(x.aligned_a);
            w.u32(x.aligned_b);
            w.span(&x.a);
            w.span(&x.b);
        }
    }
    w.u32(s.empty_pairs.len() as u32);
    for &(a, b) in &s.empty_pairs {
        w.u64(a);
        w.u64(b);
    }
    w.u32(delta.len() as u32);
    for &p in delta {
        w.u64(p);
    }
}

/// Parse a `state.bin` payload (the bytes after the checksummed header): the fuzz target's entry
/// point, which cannot forge checksums of arbitrary bytes and so gives the payload directly.
#[doc(hidden)]
pub fn parse_payload(bytes: &[u8]) -> Result<(State, Vec<u64>), String> {
    read_payload(&mut Reader { b: bytes, at: 0 })
}

fn read_payload(r: &mut Reader) -> Result<(State, Vec<u64>), String> {
    let bmd = r.u64()? as usize;
    let n = r.len(64)?;
    let mut docs = Vec::with_capacity(n);
    for _ in 0..n {
        let path = r.path()?;
        let line = Some(r.u32()?).filter(|&l| l > 0);
        let id = r.str()?;
        let date = r.opt_str()?;
        let meta = FileMeta {
            size: r.u64()?,
            mtime: r.u64()?,
            ctime: r.u64()?,
            ino: r.u64()?,
        };
        let (file_hash, text_hash, text_len) = (r.u64()?, r.u64()?, r.u64()?);
        let words = r.u32()?;
        let nb = r.len(44)?;
        let boilerplate = (0..nb).map(|_| r.span()).collect::<Result<_, _>>()?;
        docs.push(DocEntry {
            path,
            line,
            id,
            date,
            meta,
            file_hash,
            text_hash,
            text_len,
            words,
            boilerplate,
        });
    }
    let np = r.len(16)?;
    let mut pairs = Vec::with_capacity(np);
    for _ in 0..np {
        let (a, b, shared) = (r.u32()?, r.u32()?, r.u32()?);
        if a as usize >= n || b as usize >= n {
            return Err("a pair names a document out of range".into());
        }
        let nx = r.len(100)?;
        let mut passages = Vec::with_capacity(nx);
        for _ in 0..nx {
            let code = r.u8()?;
            let kind = match code & 0xF {
                0 => Kind::Repeated,
                1 => Kind::Reworded,
                2 => Kind::Expanded,
                3 => Kind::Condensed,
                _ => return Err("bad passage kind".into()),
            };
            passages.push(Passage {
                kind,
                boilerplate: code & 0x10 != 0,
                score: r.f64()?,
                aligned_a: r.u32()?,
                aligned_b: r.u32()?,
                a: r.span()?,
                b: r.span()?,
            });
        }
        pairs.push(Pair {
            a,
            b,
            shared,
            passages,
        });
    }
    let ne = r.len(16)?;
    let empty_pairs = (0..ne)
        .map(|_| Ok((r.u64()?, r.u64()?)))
        .collect::<Result<_, String>>()?;
    let nd = r.len(8)?;
    let delta = (0..nd).map(|_| r.u64()).collect::<Result<_, _>>()?;
    if r.at != r.b.len() {
        return Err("trailing bytes".into());
    }
    Ok((
        State {
            docs,
            pairs,
            empty_pairs,
            bmd,
        },
        delta,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::state::fold;

    fn not_utf8_path() -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(b"c/a\xff.txt".to_vec()))
        }
        #[cfg(not(unix))]
        {
            PathBuf::from("c/a.txt")
        }
    }

    #[test]
    fn state_round_trips_and_corruption_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let span = Span {
            tokens: (1, 9),
            start: 3,
            end: 40,
            line: 2,
            column: 1,
            end_line: 2,
            end_column: 38,
            fp: 42,
            snippet: "a community with a shared future".into(),
        };
        let state = State {
            docs: vec![DocEntry {
                // A name that is not UTF-8 comes back as the same bytes.
                path: not_utf8_path(),
                line: None,
                id: "a".into(),
                date: Some("2020".into()),
                meta: FileMeta {
                    size: 9,
                    mtime: 7,
                    ctime: 8,
                    ino: 3,
                },
                file_hash: 1,
                text_hash: 2,
                text_len: 9,
                words: 12,
                boilerplate: vec![span.clone()],
            }],
            pairs: vec![Pair {
                a: 0,
                b: 0,
                shared: 4,
                passages: vec![Passage {
                    kind: Kind::Condensed,
                    score: 0.5,
                    aligned_a: 8,
                    aligned_b: 8,
                    boilerplate: true,
                    a: span.clone(),
                    b: span,
                }],
            }],
            empty_pairs: vec![(1, 2)],
            bmd: 5,
        };
        let posts: Vec<u64> = vec![fold(u64::MAX), fold(1 << 50)];
        let mut sorted = posts.clone();
        sorted.sort_unstable();
        write_postings(dir.path(), &sorted, 77).unwrap();
        write_state(Vec::new(), dir.path(), &state, &[], 9, 77).unwrap();
        let back = load(dir.path(), 9).unwrap().unwrap();
        assert_eq!(back.state, state);
        assert_eq!(back.base.all().unwrap(), sorted);
        assert!(load(dir.path(), 10).is_err(), "other settings");
        // One flipped byte anywhere in state.bin is caught.
        let sp = state_path(dir.path());
        let mut bytes = std::fs::read(&sp).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 1;
        std::fs::write(&sp, &bytes).unwrap();
        assert!(load(dir.path(), 9).is_err());
    }

    #[test]
    fn a_cache_file_is_judged_by_its_header_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("track.bin");
        let good = frame(TRACK_MAGIC, [1, 0, 0], b"[]");
        std::fs::write(&p, &good).unwrap();
        assert_eq!(read_cache_file(&p, TRACK_MAGIC).unwrap().unwrap(), good);
        let why = |p: &Path| match read_cache_file(p, TRACK_MAGIC) {
            Err(Invalid(why)) => why,
            other => panic!("accepted: {:?}", other.map(|b| b.map(|b| b.len()))),
        };
        // Longer than its header says (a file of 1 GiB, sparse: never read).
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(1 << 30).unwrap();
        assert!(
            why(&p).contains("declares 2 bytes of payload"),
            "{}",
            why(&p)
        );
        // Another magic, another format version, a tool version too long to be one.
        let mut other = good.clone();
        other[..8].copy_from_slice(STATE_MAGIC);
        std::fs::write(&p, &other).unwrap();
        assert!(why(&p).contains("wrong magic"));
        let mut other = good.clone();
        other[8] ^= 0xFF;
        std::fs::write(&p, &other).unwrap();
        assert!(why(&p).contains("format version"));
        let mut other = good.clone();
        other[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&p, &other).unwrap();
        assert!(why(&p).contains("bad tool version"));
        // Not a regular file.
        assert!(why(Path::new("/dev/zero")).contains("not a regular file"));
        assert!(why(dir.path()).contains("not a regular file"));
        assert!(
            read_cache_file(&dir.path().join("none"), TRACK_MAGIC)
                .unwrap()
                .is_none()
        );
    }
}
