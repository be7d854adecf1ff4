//! The `cyberdiff.toml` parser on any text. Invariant: an error is a parse error naming the file
//! and a line inside it.
#![no_main]

use std::path::Path;

use cyberdiff::Error;
use cyberdiff::cli::check_config_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    match check_config_text(Path::new("cyberdiff.toml"), src) {
        Ok(()) => {}
        Err(Error::Parse { line, .. }) => {
            assert!(line >= 1 && line <= src.lines().count().max(1) + 1)
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
});
