//! The document reader on arbitrary bytes: decoding (BOM, NUL, invalid UTF-8, UTF-16 with and
//! without its byte-order mark, lossy) and HTML to text. Invariant: a refusal names the offset of a byte inside the input; the text extracted from
//! HTML holds no NUL byte.
#![no_main]

use std::path::Path;

use cyberdiff::Error;
use cyberdiff::corpus::{decode, html_to_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("fuzz.html");
    for lossy in [false, true] {
        match decode(path, bytes.to_vec(), lossy) {
            Ok(text) => {
                let out = html_to_text(&text);
                let _ = cyberdiff::text::count_words(&out);
            }
            Err(Error::Binary { offset, .. }) => assert_eq!(bytes[offset], 0),
            Err(Error::InvalidUtf8 { offset, .. }) | Err(Error::InvalidUtf16 { offset, .. }) => {
                assert!(!lossy && offset < bytes.len())
            }
            // NUL bytes in one of two positions: UTF-16 without its byte-order mark.
            Err(Error::Utf16NoBom { .. }) => assert!(bytes.contains(&0)),
            Err(e) => panic!("unexpected refusal: {e}"),
        }
    }
});
