//! The index cache reader (`state.bin`, `postings.bin`) on arbitrary bytes, and what the gate does
//! with a cache it accepted.
//!
//! Input: a flag byte, a 2-byte length L, L bytes for state.bin, the rest for postings.bin. Random
//! bytes never pass the xxh3 checksums, so by flag the target also forges valid files around fuzzed
//! content: bit 0, the state part is a *payload*, parsed, then written back with a valid header;
//! bit 1, the postings part is a list of `u64`s written as a valid postings file; bit 2, the two
//! files get different ids. Invariant: `load` never panics and a cache it accepts can be looked up
//! and judged without panicking.
#![no_main]

use std::path::PathBuf;

use cyberdiff::gate::cache::{self, Postings};
use cyberdiff::gate::state::Lookup;
use cyberdiff::gate::{Thresholds, findings, judge};
use libfuzzer_sys::fuzz_target;

fn dir() -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let d = base.join(format!("cyberdiff-fuzz-cache-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("a scratch folder");
    d
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    if rest.len() < 2 {
        return;
    }
    let l = (u16::from_le_bytes([rest[0], rest[1]]) as usize).min(rest.len() - 2);
    let (state_part, postings_part) = rest[2..].split_at(l);
    let dir = dir();
    let (sp, pp) = (cache::state_path(&dir), cache::postings_path(&dir));
    let _ = std::fs::remove_file(&sp);
    let _ = std::fs::remove_file(&pp);
    let (state_id, postings_id) = (7, if flags & 4 != 0 { 8 } else { 7 });
    if flags & 1 != 0 {
        match cache::parse_payload(state_part) {
            Ok((state, delta)) => {
                cache::write_state(Vec::new(), &dir, &state, &delta, 0, state_id).expect("writes")
            }
            Err(_) => return,
        }
    } else {
        std::fs::write(&sp, state_part).expect("writes");
    }
    if flags & 2 != 0 {
        let mut posts: Vec<u64> = postings_part
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        posts.sort_unstable();
        cache::write_postings(&dir, &posts, postings_id).expect("writes");
    } else {
        std::fs::write(&pp, postings_part).expect("writes");
    }
    let Ok(Some(loaded)) = cache::load(&dir, 0) else {
        return;
    };
    let _ = loaded.base.all();
    let mut keys: Vec<u64> = loaded
        .delta
        .iter()
        .map(|&p| cyberdiff::gate::state::fold(p))
        .collect();
    keys.extend(
        postings_part.chunks_exact(8).take(16).map(|c| {
            cyberdiff::gate::state::fold(u64::from_le_bytes(c.try_into().expect("8 bytes")))
        }),
    );
    keys.sort_unstable();
    keys.dedup();
    let mut postings = Postings {
        base: &loaded.base,
        delta: &loaded.delta,
    };
    let _ = postings.lookup(&keys);
    let found = findings(&loaded.state, &Thresholds::default());
    let _ = judge(found, None);
});
