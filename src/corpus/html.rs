//! HTML to text with a WHATWG tokenizer (html5gum): character references decoded, the content of
//! `script`, `style`, `template` and similar elements dropped, block elements turned into line breaks,
//! runs of white space folded.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// Elements whose content is never document text.
const SKIPPED: &[&[u8]] = &[
    b"script",
    b"style",
    b"template",
    b"noscript",
    b"iframe",
    b"object",
    b"svg",
    b"math",
];

/// Elements that end a line of text.
const BLOCKS: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"br",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"figcaption",
    b"figure",
    b"footer",
    b"form",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"header",
    b"hr",
    b"li",
    b"main",
    b"nav",
    b"ol",
    b"p",
    b"pre",
    b"section",
    b"table",
    b"td",
    b"th",
    b"title",
    b"tr",
    b"ul",
];

/// Extract the readable text of an HTML document.
pub fn html_to_text(html: &str) -> String {
    let mut emitter = DefaultEmitter::default();
    // Switch the tokenizer into RAWTEXT/script states after <script>, <style>, etc., as a browser would,
    // so that "</p>" inside a script is not taken for markup.
    emitter.naively_switch_states(true);
    let mut out = String::with_capacity(html.len() / 2);
    let mut skip_depth = 0usize;
    let mut pending_space = false;
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = tag.name.as_slice();
                if SKIPPED.contains(&name) && !tag.self_closing {
                    skip_depth += 1;
                } else if BLOCKS.contains(&name) {
                    break_line(&mut out);
                    pending_space = false;
                }
            }
            Token::EndTag(tag) => {
                let name = tag.name.as_slice();
                if SKIPPED.contains(&name) {
                    skip_depth = skip_depth.saturating_sub(1);
                } else if BLOCKS.contains(&name) {
                    break_line(&mut out);
                    pending_space = false;
                }
            }
            Token::String(s) if skip_depth == 0 => {
                let s = String::from_utf8_lossy(&s);
                for (i, part) in s.split(char::is_whitespace).enumerate() {
                    if i > 0 {
                        pending_space = true;
                    }
                    if part.is_empty() {
                        continue;
                    }
                    if pending_space && !out.is_empty() && !out.ends_with('\n') {
                        out.push(' ');
                    }
                    pending_space = false;
                    out.push_str(part);
                }
            }
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// End the current paragraph, leaving at most one blank line.
fn break_line(out: &mut String) {
    if out.is_empty() || out.ends_with("\n\n") {
        return;
    }
    out.push('\n');
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_styles_are_dropped() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body><p>One &amp; two</p>\
                    <script>var x = '</p>';</script><p>three</p></body></html>";
        assert_eq!(html_to_text(html), "T\n\nOne & two\n\nthree");
    }

    #[test]
    fn hostile_markup_becomes_text_or_nothing() {
        let html = "<p>a &lt;script&gt;alert(1)&lt;/script&gt; b<img src=x onerror=alert(1)></p>";
        assert_eq!(html_to_text(html), "a <script>alert(1)</script> b");
    }

    #[test]
    fn inline_whitespace_is_folded() {
        assert_eq!(html_to_text("<div>a\n   <b>b</b>\tc</div>"), "a b c");
    }
}
