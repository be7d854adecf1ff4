//! The statements file parser (TOML) on any text. Invariant: a statement parsed has a non-empty id
//! and text; an error names the file and a line inside it.
#![no_main]

use std::path::Path;

use cyberdiff::Error;
use cyberdiff::track::parse_statements;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    match parse_statements(Path::new("statements.toml"), src) {
        Ok(statements) => {
            assert!(!statements.is_empty());
            for s in &statements {
                assert!(!s.id.is_empty());
                let _ = s.wordings().count();
            }
        }
        Err(Error::Parse { line, .. }) => {
            assert!(line >= 1 && line <= src.lines().count().max(1) + 1)
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
});
