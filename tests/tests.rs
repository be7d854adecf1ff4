//! Integration tests: the real binary on real text, through a `TestEnv` that owns a temporary folder.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// A temporary working folder and the paths of the bundled corpus.
struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// A file of the bundled corpus, by the start of its name.
    fn input(prefix: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("inputs/ exists")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .collect();
        assert_eq!(found.len(), 1, "exactly one input starts with {prefix}");
        found.pop().unwrap()
    }

    /// Write a file into the temporary folder.
    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).expect("write fixture");
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("cyberdiff").expect("binary built");
        c.current_dir(self.dir.path()).env_remove("NO_COLOR");
        c
    }

    /// Run `compare a b --json -` and parse the report.
    fn compare_json(&self, a: &Path, b: &Path, extra: &[&str]) -> Value {
        let out = self
            .cmd()
            .arg("compare")
            .arg(a)
            .arg(b)
            .args(["--json", "-"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "compare failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
    }
}

fn passages(r: &Value) -> &Vec<Value> {
    r["passages"].as_array().expect("passages[]")
}

/// The passages whose A and B texts both contain `needle` (white space folded, case ignored).
fn passages_containing<'a>(r: &'a Value, side_a: &str, side_b: &str) -> Vec<&'a Value> {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    passages(r)
        .iter()
        .filter(|p| {
            fold(p["a"]["text"].as_str().unwrap()).contains(&fold(side_a))
                && fold(p["b"]["text"].as_str().unwrap()).contains(&fold(side_b))
        })
        .collect()
}

// --- the bundled corpus -------------------------------------------------------------------------------

#[test]
fn speech_2015_and_concept_2019_share_the_cultural_platform_proposal_verbatim() {
    let env = TestEnv::new();
    let r = env.compare_json(&TestEnv::input("2015"), &TestEnv::input("2019"), &[]);
    let found = passages_containing(
        &r,
        "online platform for cultural exchanges and mutual learning",
        "online platform for cultural exchanges and mutual learning",
    );
    assert_eq!(found.len(), 1, "one passage for the proposal: {found:#?}");
    assert_eq!(found[0]["kind"], "repeated");
    assert_eq!(found[0]["a"]["line"], 27);
    assert_eq!(found[0]["b"]["line"], 43);
}

#[test]
fn concept_2019_and_letter_2020_share_the_four_aims_across_an_ocr_join() {
    let env = TestEnv::new();
    let r = env.compare_json(&TestEnv::input("2019"), &TestEnv::input("2020"), &[]);
    // The 2019 copy on line 25 reads "developthe ment": the passage must run through it.
    let found = passages_containing(
        &r,
        "jointly advance developthe ment, safeguard security, participate in governance, and share the benefits",
        "jointly advance development, safeguard security, participate in governance, and share the benefits",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    let p = found[0];
    assert_eq!(p["kind"], "repeated");
    assert_eq!(p["a"]["line"], 25);
    assert_eq!(p["b"]["line"], 33);
    let fuzzy: Vec<&Value> = p["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["fuzzy"] == true)
        .collect();
    assert_eq!(fuzzy.len(), 1);
    assert_eq!(fuzzy[0]["a"], "developthe ment");
    assert_eq!(fuzzy[0]["b"], "development");
}

#[test]
fn concept_2019_and_letter_2020_share_the_reinflected_philosophy() {
    let env = TestEnv::new();
    let r = env.compare_json(&TestEnv::input("2019"), &TestEnv::input("2020"), &[]);
    let found = passages_containing(
        &r,
        "achieve shared development, ensure common security, realize joint governance, and enjoy benefits together",
        "achieving shared development, ensuring common security, realizing joint governance, and enjoying benefits together",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["kind"], "repeated");
    // Re-inflected words are aligned as equal: the diff has no replacement.
    let ops = found[0]["ops"].as_array().unwrap();
    assert!(ops.iter().all(|o| o["op"] == "equal"), "{ops:#?}");
}

#[test]
fn navigation_bars_of_2015_and_2017_are_not_reuse() {
    let env = TestEnv::new();
    let (a, b) = (TestEnv::input("2015"), TestEnv::input("2017"));
    let r = env.compare_json(&a, &b, &[]);
    let text_a = std::fs::read_to_string(&a).unwrap();
    let text_b = std::fs::read_to_string(&b).unwrap();
    // The navigation ends where each article's dateline starts.
    let nav_a = text_a.find("Xinhua, December 16, 2015").unwrap();
    let nav_b = text_b.find("From:Xinhua").unwrap();
    for p in passages(&r) {
        assert!(
            p["a"]["start"].as_u64().unwrap() as usize > nav_a,
            "passage in 2015 navigation: {p:#?}"
        );
        assert!(
            p["b"]["start"].as_u64().unwrap() as usize > nav_b,
            "passage in 2017 navigation: {p:#?}"
        );
    }
}

#[test]
fn spans_point_at_the_text_as_written() {
    let env = TestEnv::new();
    for (x, y) in [
        ("2015", "2019"),
        ("2019", "2020"),
        ("2020", "2022"),
        ("2017", "2019"),
    ] {
        let (a, b) = (TestEnv::input(x), TestEnv::input(y));
        let r = env.compare_json(&a, &b, &[]);
        let (ta, tb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        for p in passages(&r) {
            for (side, text) in [("a", &ta), ("b", &tb)] {
                let (s, e) = (
                    p[side]["start"].as_u64().unwrap() as usize,
                    p[side]["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(&text[s..e], p[side]["text"].as_str().unwrap().as_bytes());
            }
        }
    }
}

#[test]
fn json_report_has_the_documented_shape() {
    let env = TestEnv::new();
    let r = env.compare_json(
        &TestEnv::input("2019"),
        &TestEnv::input("2020"),
        &["--min-words", "10"],
    );
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["command"], "compare");
    assert_eq!(r["manifest"]["tool"], "cyberdiff");
    assert_eq!(r["manifest"]["parameters"]["min_words"], 10.0);
    assert_eq!(
        r["manifest"]["parameters"]["thresholds"]["repeated_min_aligned"],
        0.9
    );
    let inputs = r["manifest"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0]["xxh3"].as_str().unwrap().len(), 16);
    assert_eq!(r["a"]["date"], "2019-10");
    assert_eq!(
        r["b"]["id"],
        "2020-11-23_peoplesdaily_wic-congratulatory-letter"
    );
    assert_eq!(r["b"]["bytes"], 5583);
    let s = &r["summary"];
    let n = passages(&r).len() as u64;
    assert_eq!(s["passages"].as_u64().unwrap(), n);
    let by_kind: u64 = ["repeated", "reworded", "expanded", "condensed"]
        .iter()
        .map(|k| s["kinds"][k].as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, n);
    assert!(
        s["a_reused_share"].as_f64().unwrap() > 0.0 && s["b_reused_share"].as_f64().unwrap() < 1.0
    );
    for p in passages(&r) {
        // Passages of the reworded tier carry their evidence and may be short clauses.
        assert!(p["aligned_words"].as_u64().unwrap() >= 10 || p.get("evidence").is_some());
        for op in p["ops"].as_array().unwrap() {
            assert!(["equal", "delete", "insert", "replace"].contains(&op["op"].as_str().unwrap()));
        }
    }
}

#[test]
fn json_is_identical_whatever_the_thread_count_and_argument_order_mirrors() {
    let env = TestEnv::new();
    let (a, b) = (TestEnv::input("2019"), TestEnv::input("2020"));
    let run = |threads: &str, x: &Path, y: &Path| {
        env.cmd()
            .env("RAYON_NUM_THREADS", threads)
            .arg("compare")
            .arg(x)
            .arg(y)
            .args(["--json", "-"])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1", &a, &b);
    assert!(!one.is_empty());
    assert_eq!(one, run("2", &a, &b));
    assert_eq!(one, run("4", &a, &b));
    let fwd: Value = serde_json::from_slice(&one).unwrap();
    let rev: Value = serde_json::from_slice(&run("2", &b, &a)).unwrap();
    let spans = |r: &Value, x: &str, y: &str| -> Vec<(u64, u64, u64, u64)> {
        let mut v: Vec<_> = passages(r)
            .iter()
            .map(|p| {
                (
                    p[x]["start"].as_u64().unwrap(),
                    p[x]["end"].as_u64().unwrap(),
                    p[y]["start"].as_u64().unwrap(),
                    p[y]["end"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(spans(&fwd, "a", "b"), spans(&rev, "b", "a"));
}

#[test]
fn terminal_summary_lists_shares_kinds_and_passages() {
    let env = TestEnv::new();
    env.cmd()
        .arg("compare")
        .arg(TestEnv::input("2015"))
        .arg(TestEnv::input("2019"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("reused:")
                .and(predicate::str::contains("repeated"))
                .and(predicate::str::contains("online platform")),
        )
        // Not a terminal: no colour codes.
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn colour_is_used_only_when_asked_and_no_color_wins_over_auto() {
    let env = TestEnv::new();
    let (a, b) = (TestEnv::input("2015"), TestEnv::input("2019"));
    env.cmd()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--color", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[31m"));
    env.cmd()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn json_file_is_written_and_summary_still_printed() {
    let env = TestEnv::new();
    let out = env.path("report.json");
    env.cmd()
        .arg("compare")
        .arg(TestEnv::input("2015"))
        .arg(TestEnv::input("2019"))
        .arg("--json")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("reused:"));
    let r: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(!passages(&r).is_empty());
}

#[test]
fn html_and_crlf_and_bom_inputs_are_read_as_text() {
    let env = TestEnv::new();
    let body = "Countries should step up communication, broaden consensus and deepen cooperation to build a community of shared future in cyberspace.";
    let a = env.write("a.html", format!("<html><head><title>x</title><script>var s = '{body}';</script></head><body><p>Intro.</p><p>{body}</p></body></html>"));
    let b = env.write("b.txt", format!("\u{FEFF}Line one.\r\n{body}\r\n"));
    let r = env.compare_json(&a, &b, &[]);
    let ps = passages(&r);
    assert_eq!(ps.len(), 1, "the script copy is not text: {ps:#?}");
    assert_eq!(ps[0]["kind"], "repeated");
    assert_eq!(ps[0]["b"]["line"], 2);
    // The BOM is dropped: offsets count from the first character after it.
    assert_eq!(ps[0]["b"]["start"], 11);
}

#[test]
fn cjk_text_is_aligned_on_characters() {
    let env = TestEnv::new();
    let a = env.write("old.txt", "第一条 中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。\n第二条 其他内容完全不同。\n");
    let b = env.write("new.txt", "前言。\n第一条 中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。社会主义制度是根本制度。\n");
    let r = env.compare_json(&a, &b, &[]);
    let ps = passages(&r);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert!(
        ps[0]["a"]["text"]
            .as_str()
            .unwrap()
            .contains("以工农联盟为基础的人民民主专政的社会主义国家")
    );
    assert_eq!(ps[0]["b"]["line"], 2);
}

// --- error paths --------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_names_the_file_and_offset_and_lossy_opts_in() {
    let env = TestEnv::new();
    let bad = env.write(
        "latin1.txt",
        b"caf\xE9 and more text here for the test of cooperation in cyberspace",
    );
    let good = TestEnv::input("2015");
    env.cmd()
        .arg("compare")
        .arg(&bad)
        .arg(&good)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("latin1.txt")
                .and(predicate::str::contains("byte offset 3"))
                .and(predicate::str::contains("--lossy")),
        );
    env.cmd()
        .arg("compare")
        .arg(&bad)
        .arg(&good)
        .arg("--lossy")
        .assert()
        .success();
}

#[test]
fn empty_binary_missing_and_folder_inputs_are_refused_with_exit_2() {
    let env = TestEnv::new();
    let good = TestEnv::input("2015");
    let empty = env.write("empty.txt", "  \n\n");
    let binary = env.write("image.txt", b"GIF89a\0\0\x01\x02");
    let cases: Vec<(PathBuf, &str)> = vec![
        (empty, "is empty"),
        (binary, "looks binary (NUL byte at byte offset 6)"),
        (env.path("nope.txt"), "cannot read"),
        (env.dir.path().to_path_buf(), "is a folder"),
    ];
    for (path, message) in cases {
        env.cmd()
            .arg("compare")
            .arg(&good)
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn size_limit_is_a_clear_error() {
    let env = TestEnv::new();
    let good = TestEnv::input("2015");
    env.cmd()
        .arg("compare")
        .arg(&good)
        .arg(&good)
        .args(["--max-bytes", "100"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("over the limit of 100 bytes")
                .and(predicate::str::contains("--max-bytes")),
        );
}

#[test]
fn bad_options_are_usage_errors() {
    let env = TestEnv::new();
    let good = TestEnv::input("2015");
    env.cmd()
        .arg("compare")
        .arg(&good)
        .arg(&good)
        .args(["--min-score", "1.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--min-score must be between 0 and 1",
        ));
    env.cmd()
        .arg("compare")
        .arg(&good)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage"));
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unwritable_json_path_is_exit_2_naming_it() {
    let env = TestEnv::new();
    let good = TestEnv::input("2015");
    let target = env.path("missing-folder/report.json");
    env.cmd()
        .arg("compare")
        .arg(&good)
        .arg(&good)
        .arg("--json")
        .arg(&target)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot write")
                .and(predicate::str::contains("missing-folder")),
        );
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberdiff"))
        .arg("compare")
        .arg(TestEnv::input("2019"))
        .arg(TestEnv::input("2020"))
        .args(["--json", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end at once.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- eval ---------------------------------------------------------------------------------------------

fn eval_data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("eval-data")
        .join(rel)
}

#[test]
fn eval_scores_the_pan_pairs_above_the_reference_peer() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("eval")
        .arg(eval_data("pan13/gold.jsonl"))
        // The PAN gold lists the verbatim cases only: the exact aligner is measured here, the
        // reworded tier's detections on these topical pairs are counted in docs/reworded.md.
        .args(["--json", "-", "--no-reworded"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &r["datasets"][0];
    assert_eq!(d["pairs"], 40);
    assert_eq!(d["cases"], 46);
    // passim 2 reaches plagdet 0.934 on these pairs.
    assert!(d["plagdet"].as_f64().unwrap() > 0.934, "{d:#}");
    assert!(d["recall"].as_f64().unwrap() > 0.95, "{d:#}");
}

#[test]
fn eval_covers_the_bible_verses_and_reports_by_label() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .arg("eval")
        .arg(eval_data("bible/KJV_WEB_gen1-6.gold.jsonl"))
        .arg(eval_data("chinalaw/中华人民共和国宪法.silver.jsonl"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bible = &r["datasets"][0];
    assert_eq!(bible["cases"], 160);
    assert!(bible["covered_share"].as_f64().unwrap() >= 0.9, "{bible:#}");
    let law = &r["datasets"][1];
    assert_eq!(law["by_label"]["verbatim"]["recall"], 1.0, "{law:#}");
}

#[test]
fn eval_rejects_a_malformed_gold_file_naming_the_line() {
    let env = TestEnv::new();
    let gold = env.write("gold.jsonl", "{\"a_doc\": \"x\", \"a_begin\": 0, \"a_end\": 1, \"b_doc\": \"y\", \"b_begin\": 0, \"b_end\": 1}\nnot json\n");
    env.cmd()
        .arg("eval")
        .arg(&gold)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gold.jsonl:2: not JSON"));
    let gold = env.write("gold2.jsonl", "{\"a_doc\": \"x.txt\", \"a_begin\": 0, \"a_end\": 1, \"b_doc\": \"y.txt\", \"b_begin\": 0, \"b_end\": 1}\n");
    env.cmd().arg("eval").arg(&gold).assert().code(2).stderr(
        predicate::str::contains("x.txt")
            .and(predicate::str::contains("not found below its folder")),
    );
}

// --- HTML ---------------------------------------------------------------------------------------------

#[test]
fn html_report_is_written_beside_the_summary() {
    let env = TestEnv::new();
    let out = env.path("report.html");
    env.cmd()
        .arg("compare")
        .arg(TestEnv::input("2019"))
        .arg(TestEnv::input("2020"))
        .arg("--html")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("reused:"));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("id=\"a-p1\"") && page.contains("id=\"b-p1\""));
}

#[test]
fn html_on_stdout_replaces_the_summary_and_both_on_stdout_is_refused() {
    let env = TestEnv::new();
    let (a, b) = (TestEnv::input("2015"), TestEnv::input("2019"));
    env.cmd()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--html", "-"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("<!DOCTYPE html>")
                .and(predicate::str::contains("reused:").not()),
        );
    env.cmd()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--html", "-", "--json", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard output"));
}

#[test]
fn hostile_documents_are_shown_as_text_in_the_html() {
    let env = TestEnv::new();
    let hostile = "<script>alert(1)</script> </script><script>alert(2)</script> <img src=x onerror=alert(3)> \
                   the community with a shared future in cyberspace rests on four principles and five proposals";
    let a = env.write("a.txt", hostile);
    let b = env.write("b.txt", format!("Preface. {hostile} Afterword."));
    let out = env.path("r.html");
    env.cmd()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--html")
        .arg(&out)
        .assert()
        .success();
    let page = std::fs::read_to_string(&out).unwrap();
    // The markup is kept as text, escaped (askama writes numeric character references).
    assert!(page.contains("alert(1)&#60;/script&#62;") || page.contains("alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the page's own two script elements"
    );
}

// --- corpus mode: scan and dedup ----------------------------------------------------------------------

/// Made-up words (no stop words, no chance overlap between seeds): word `i` of stream `seed`.
fn made_up_words(seed: u64, n: usize) -> Vec<String> {
    const C: &[u8] = b"bcdfghjklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            let mut w = String::new();
            for _ in 0..3 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                w.push(C[(x >> 33) as usize % C.len()] as char);
                w.push(V[(x >> 45) as usize % V.len()] as char);
            }
            w
        })
        .collect()
}

const NAV: &str = "Home | World news | Business | Sport | Weather forecast | Contact the newsroom | Subscribe today";

/// Ten dated documents with planted reuse:
/// - the navigation line `NAV` at the top of every document (boilerplate);
/// - passage P (40 words) first in 2012, copied verbatim into 2014, with substitutions into 2016 and
///   with inserted words into 2018 (one cluster of four documents, source 2012);
/// - 2015 is 2013 with two words changed (near-duplicate); 2017 is 2011 byte for byte (exact).
fn planted_corpus(env: &TestEnv, dir: &str) -> PathBuf {
    let root = env.path(dir);
    std::fs::create_dir_all(&root).unwrap();
    let p = made_up_words(999, 40);
    let body = |seed: u64| made_up_words(seed, 120);
    let mut docs: Vec<(String, String)> = Vec::new();
    for year in 2010..2020u64 {
        let mut w = body(year);
        match year {
            2012 | 2014 => w.splice(50..50, p.iter().cloned()).for_each(drop),
            2016 => {
                let mut q = p.clone();
                for i in (3..40).step_by(9) {
                    q[i] = format!("subst{i}");
                }
                w.splice(30..30, q).for_each(drop);
            }
            2018 => {
                let mut q = p.clone();
                for (k, at) in [10usize, 20, 30].iter().enumerate() {
                    let extra = made_up_words(5000 + k as u64, 6);
                    q.splice(at + k * 6..at + k * 6, extra).for_each(drop);
                }
                w.splice(60..60, q).for_each(drop);
            }
            _ => {}
        }
        docs.push((format!("{year}-03-01_doc"), w.join(" ")));
    }
    let mut near = docs[3].1.split(' ').map(str::to_owned).collect::<Vec<_>>();
    near[40] = "changed".into();
    near[80] = "altered".into();
    docs[5].1 = near.join(" ");
    // An exact duplicate of 2011, navigation line included.
    docs[7].1 = docs[1].1.clone();
    for (name, body) in &docs {
        std::fs::write(
            root.join(format!("{name}.txt")),
            format!("{NAV}\n\n{body}\n"),
        )
        .unwrap();
    }
    root
}

impl TestEnv {
    fn scan_json(&self, args: &[&str]) -> Value {
        let out = self
            .cmd()
            .arg("scan")
            .args(args)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
    }
}

fn ids_of<'a>(v: &'a Value, field: &str) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap())
        .collect()
}

#[test]
fn scan_finds_the_planted_cluster_with_its_earliest_source_and_kinds() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    let r = env.scan_json(&["corpus"]);
    assert_eq!(r["command"], "scan");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["documents"].as_array().unwrap().len(), 10);
    // Documents are in date order.
    assert_eq!(r["documents"][0]["id"], "2010-03-01_doc");
    let big: Vec<&Value> = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["documents"].as_u64().unwrap() >= 3)
        .collect();
    assert_eq!(big.len(), 1, "one cluster in 3+ documents: {big:#?}");
    let c = big[0];
    assert_eq!(c["documents"], 4);
    assert_eq!(c["source"], "2012-03-01_doc");
    let occ = c["occurrences"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = occ
        .iter()
        .skip(1)
        .map(|o| (o["document"].as_str().unwrap(), o["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2014-03-01_doc", "repeated"),
            ("2016-03-01_doc", "reworded"),
            ("2018-03-01_doc", "expanded")
        ]
    );
    assert!(occ[0]["kind"].is_null());
    // Spans are byte offsets into the file's text.
    let text = std::fs::read_to_string(env.path("corpus/2012-03-01_doc.txt")).unwrap();
    let (s, e) = (
        occ[0]["start"].as_u64().unwrap() as usize,
        occ[0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], occ[0]["text"].as_str().unwrap());
    assert_eq!(occ[0]["line"], 3);
}

#[test]
fn scan_reports_exact_and_near_duplicates_and_boilerplate() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    let r = env.scan_json(&["corpus"]);
    let dups: Vec<(&str, &str, &str)> = r["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["a"].as_str().unwrap(),
                d["b"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dups,
        [
            ("exact", "2011-03-01_doc", "2017-03-01_doc"),
            ("near", "2013-03-01_doc", "2015-03-01_doc")
        ]
    );
    // The navigation line is in all ten documents: boilerplate, listed, and out of the reuse shares.
    let b = r["boilerplate"].as_array().unwrap();
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0]["documents"], 10);
    assert_eq!(b[0]["text"], NAV);
    assert_eq!(b[0]["occurrences"].as_array().unwrap().len(), 10);
    assert_eq!(r["manifest"]["scan"]["boilerplate_min_docs"], 5);
    // A pair that shares only the navigation line and P: the nav passage is labelled, not counted.
    let pair = r["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"]["id"] == "2012-03-01_doc" && p["b"]["id"] == "2014-03-01_doc")
        .expect("pair 2012 ~ 2014");
    let nav: Vec<&Value> = pair["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            x["a"]["text"]
                .as_str()
                .unwrap()
                .contains("Weather forecast")
        })
        .collect();
    assert!(nav.iter().all(|x| x["boilerplate"] == true), "{nav:#?}");
    assert_eq!(pair["summary"]["kinds"]["repeated"], 1);
    let share = pair["summary"]["a_reused_share"].as_f64().unwrap();
    // 40 of 120 + 40 + 12 (navigation) words.
    assert!((share - 40.0 / 172.0).abs() < 0.001, "share {share}");
    // No pair of unrelated documents is reported.
    assert!(
        !r["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["a"]["id"] == "2010-03-01_doc"
                && p["summary"]["a_reused_share"].as_f64().unwrap() > 0.0)
    );
}

#[test]
fn scan_json_is_byte_identical_with_one_and_two_threads() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    // The planted corpus and the bundled texts together.
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let run = |threads: &str| {
        let out = env
            .cmd()
            .env("RAYON_NUM_THREADS", threads)
            .arg("scan")
            .arg("corpus")
            .arg(&inputs)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one == two, "JSON differs between 1 and 2 threads");
}

#[test]
fn scan_of_the_bundled_corpus_finds_the_2015_proposal_again_in_2019() {
    let env = TestEnv::new();
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    let r = env.scan_json(&[inputs.to_str().unwrap()]);
    assert_eq!(r["documents"].as_array().unwrap().len(), 5);
    let pair = r["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["a"]["id"].as_str().unwrap().starts_with("2015")
                && p["b"]["id"].as_str().unwrap().starts_with("2019")
        })
        .expect("2015 ~ 2019");
    let found = pair["passages"].as_array().unwrap().iter().any(|x| {
        x["kind"] == "repeated"
            && x["a"]["text"]
                .as_str()
                .unwrap()
                .contains("online platform for cultural exchanges and mutual learning")
    });
    assert!(found);
    // Every cluster's source is its earliest document.
    for c in r["clusters"].as_array().unwrap() {
        let dates: Vec<&str> = c["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["date"].as_str().unwrap())
            .collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    }
}

#[test]
fn scan_skips_bad_files_with_a_warning_each_and_exit_3() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    env.write("corpus/binary.txt", b"abc\0def");
    env.write("corpus/latin1.txt", b"caf\xe9 au lait");
    env.write("corpus/empty.md", b"  \n");
    env.write("corpus/notes.pdf", b"%PDF");
    env.cmd()
        .args(["scan", "corpus", "-q"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "binary.txt: looks binary (NUL byte at byte offset 3)",
        ))
        .stderr(predicate::str::contains(
            "latin1.txt: is not valid UTF-8 (first invalid byte at byte offset 3)",
        ))
        .stderr(predicate::str::contains("empty.md: is empty"))
        .stderr(predicate::str::contains("3 input(s) skipped (exit code 3)"))
        .stderr(predicate::str::contains("notes.pdf").not());
    // The report lists them.
    let out = env
        .cmd()
        .args(["scan", "corpus", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["skipped"].as_array().unwrap().len(), 3);
    assert_eq!(r["documents"].as_array().unwrap().len(), 10);
}

#[test]
fn scan_error_paths_exit_2_with_a_message() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path("none")).unwrap();
    env.write("none/image.png", b"x");
    env.cmd()
        .args(["scan", "none"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no usable document in none"));
    env.cmd()
        .args(["scan", "missing-folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing-folder: cannot read it"))
        .stderr(predicate::str::contains("no usable document"));
    env.cmd().args(["scan"]).assert().code(2);
    planted_corpus(&env, "corpus");
    for (args, msg) in [
        (
            &["--duplicate-threshold", "1.5"][..],
            "--duplicate-threshold must be between 0 and 1",
        ),
        (&["--max-df", "1"][..], "--max-df must be at least 2"),
        (
            &["--min-shared", "0"][..],
            "--min-shared must be at least 1",
        ),
        (
            &["--boilerplate-min-docs", "1"][..],
            "--boilerplate-min-docs must be at least 2",
        ),
        (&["--html", "-"][..], "--html - is not supported by scan"),
        (&["--glob", "a{"][..], "invalid glob"),
    ] {
        env.cmd()
            .args(["scan", "corpus"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg));
    }
    env.write(
        "corpus/corpus.toml",
        "[[document]]\nfile = \"2010-03-01_doc.txt\"\ndate = \"yesterday\"\n",
    );
    env.cmd()
        .args(["scan", "corpus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus.toml:2: date \"yesterday\"",
        ));
    env.write(
        "corpus/corpus.toml",
        "[[document]]\nfile = \"2010-03-01_doc.txt\"\nauthor = \"x\"\n",
    );
    env.cmd()
        .args(["scan", "corpus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus.toml:3: unknown field `author`",
        ));
}

#[test]
fn scan_reads_jsonl_records_and_a_manifest() {
    let env = TestEnv::new();
    let p = made_up_words(7, 30).join(" ");
    let a = format!(
        "{} {p} {}",
        made_up_words(1, 20).join(" "),
        made_up_words(2, 20).join(" ")
    );
    let b = format!("é {} {p}", made_up_words(3, 25).join(" "));
    let lines = [
        serde_json::json!({"id": "r1", "text": a, "date": "2001-05-02T00:00:00Z", "series": "paper"}),
        serde_json::json!({"id": 2, "text": b, "date": "2003"}),
    ];
    let mut jsonl = lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    jsonl.push_str("\nnot json\n{\"id\": \"r3\", \"text\": \" \"}\n");
    std::fs::create_dir_all(env.path("c")).unwrap();
    env.write("c/records.jsonl", &jsonl);
    env.write(
        "c/undated.txt",
        format!("{} {p}", made_up_words(9, 10).join(" ")),
    );
    env.write(
        "c/corpus.toml",
        "[[document]]\nfile = \"undated.txt\"\ntitle = \"A <title>\"\ndate = \"2002-01\"\nsource = \"wire\"\n",
    );
    let out = env
        .cmd()
        .args(["scan", "c", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "two bad records skipped");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("records.jsonl:3: not a record"), "{stderr}");
    assert!(
        stderr.contains("records.jsonl:4: record \"r3\" has no text"),
        "{stderr}"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids_of(&r["documents"], "id"), ["r1", "undated", "2"]);
    assert_eq!(r["documents"][0]["date"], "2001-05-02");
    assert_eq!(r["documents"][0]["source"], "paper");
    assert_eq!(r["documents"][0]["line"], 1);
    assert_eq!(r["documents"][1]["date"], "2002-01");
    assert_eq!(r["documents"][1]["title"], "A <title>");
    assert_eq!(r["documents"][1]["source"], "wire");
    let c = &r["clusters"][0];
    assert_eq!(c["documents"], 3);
    assert_eq!(c["source"], "r1");
    // Spans of a record are byte offsets into its text (here after a two-byte "é").
    let occ = &c["occurrences"][2];
    assert_eq!(occ["document"], "2");
    let (s, e) = (
        occ["start"].as_u64().unwrap() as usize,
        occ["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&b[s..e], p);
    assert_eq!(r["manifest"]["inputs"].as_array().unwrap().len(), 2);
}

#[test]
fn scan_walk_honours_ignore_files_and_globs() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    env.write("corpus/.cyberdiffignore", "2019-*\n");
    std::fs::create_dir_all(env.path("corpus/drafts")).unwrap();
    env.write("corpus/.gitignore", "drafts/\n");
    env.write("corpus/drafts/2011-01-01_x.txt", "draft text");
    let r = env.scan_json(&["corpus"]);
    assert_eq!(r["documents"].as_array().unwrap().len(), 9);
    let r = env.scan_json(&["corpus", "--glob", "201[0-4]*"]);
    assert_eq!(r["documents"].as_array().unwrap().len(), 5);
    let r = env.scan_json(&["corpus", "--glob", "!2010*"]);
    assert_eq!(r["documents"].as_array().unwrap().len(), 8);
}

#[test]
fn scan_html_has_the_heat_map_clusters_and_a_page_per_pair() {
    let env = TestEnv::new();
    let root = planted_corpus(&env, "corpus");
    let evil = "<script>alert(1)</script> ";
    let t = std::fs::read_to_string(root.join("2014-03-01_doc.txt")).unwrap();
    std::fs::write(root.join("2014-03-01_doc.txt"), format!("{evil}{t}")).unwrap();
    std::fs::create_dir_all(env.path("out")).unwrap();
    env.cmd()
        .args(["scan", "corpus", "--html", "out/scan.html", "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(env.path("out/scan.html")).unwrap();
    for needle in [
        "id=\"heatmap\"",
        "id=\"clusters\"",
        "class=\"timeline\"",
        "id=\"duplicates\"",
        "id=\"boilerplate\"",
        "scan-pairs/pair-00001.html",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("default-src"));
    let pages: Vec<_> = std::fs::read_dir(env.path("out/scan-pairs"))
        .unwrap()
        .collect();
    assert!(!pages.is_empty());
    let pair = std::fs::read_dir(env.path("out/scan-pairs"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|p| p.contains("&#60;script&#62;alert(1)"))
        .expect("a pair page shows the script as text");
    assert!(!pair.contains("<script>alert(1)"));
}

#[test]
fn dedup_writes_the_corpus_without_duplicates_keeping_the_earliest() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(env.path("corpus"))
        .unwrap()
        .flatten()
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect();
    env.cmd()
        .args(["dedup", "corpus", "--out", "clean"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "10 documents: 8 kept, 2 removed as duplicates",
        ))
        .stdout(predicate::str::contains("2017-03-01_doc"))
        .stdout(predicate::str::contains("wrote 8 files into clean"));
    // Inputs untouched.
    for (p, bytes) in &before {
        assert_eq!(&std::fs::read(p).unwrap(), bytes, "{} changed", p.display());
    }
    let removed: Value =
        serde_json::from_slice(&std::fs::read(env.path("clean/removed.json")).unwrap()).unwrap();
    assert_eq!(removed["command"], "dedup");
    let r: Vec<(&str, &str, &str)> = removed["removed_documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["kind"].as_str().unwrap(),
                d["duplicate_of"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        r,
        [
            ("2015-03-01_doc", "near", "2013-03-01_doc"),
            ("2017-03-01_doc", "exact", "2011-03-01_doc")
        ]
    );
    assert!(!env.path("clean/2015-03-01_doc.txt").exists());
    assert!(env.path("clean/2013-03-01_doc.txt").exists());
    // The navigation paragraph is kept in the earliest document only.
    let first = std::fs::read_to_string(env.path("clean/2010-03-01_doc.txt")).unwrap();
    assert!(first.starts_with(NAV));
    let later = std::fs::read_to_string(env.path("clean/2011-03-01_doc.txt")).unwrap();
    assert!(!later.contains("Weather forecast"));
    assert_eq!(removed["repeated_paragraphs"].as_array().unwrap().len(), 7);
    // --keep-paragraphs keeps them; a non-empty or overlapping --out is refused.
    env.cmd()
        .args(["dedup", "corpus", "--out", "clean"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out clean is not empty"));
    env.cmd()
        .args(["dedup", "corpus", "--out", "corpus/sub"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("overlaps the input"));
    env.cmd()
        .args([
            "dedup",
            "corpus",
            "--out",
            "clean2",
            "--keep-paragraphs",
            "-q",
        ])
        .assert()
        .success();
    let later = std::fs::read_to_string(env.path("clean2/2011-03-01_doc.txt")).unwrap();
    assert!(later.contains("Weather forecast"));
}

// --- track ----------------------------------------------------------------------------------------

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

impl TestEnv {
    /// Run `track --statements S PATHS... --json -` and parse the report.
    fn track_json(&self, statements: &Path, paths: &[&Path], extra: &[&str]) -> Value {
        let out = self
            .cmd()
            .arg("track")
            .arg("--statements")
            .arg(statements)
            .args(paths)
            .args(["--json", "-"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "track failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
    }
}

fn track_cell<'a>(r: &'a Value, statement: &str, document: &str) -> &'a Value {
    r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["statement"] == statement && c["document"] == document)
        .unwrap_or_else(|| panic!("no cell {statement} × {document}"))
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn track_grid_on_the_bundled_corpus_matches_the_gold_cells() {
    let env = TestEnv::new();
    let r = env.track_json(&repo("inputs/statements.toml"), &[&repo("inputs")], &[]);
    let gold: Value =
        toml::from_str(&std::fs::read_to_string(repo("tests/fixtures/track-gold.toml")).unwrap())
            .unwrap();
    let cells = gold["cell"].as_array().unwrap();
    assert!(cells.len() >= 25, "the fixture holds the clear cells");
    let mut failures = Vec::new();
    for g in cells {
        let (s, d) = (
            g["statement"].as_str().unwrap(),
            g["document"].as_str().unwrap(),
        );
        let c = track_cell(&r, s, d);
        let status = c["status"].as_str().unwrap();
        let want = g["status"].as_str().unwrap();
        let ok_status = match want {
            "present" => status != "absent",
            w => status == w,
        };
        let mut ok = ok_status;
        if let Some(line) = g.get("line") {
            ok &= c["span"]["line"] == *line;
        }
        if let Some(needle) = g.get("contains") {
            let text = c["span"]["text"].as_str().unwrap_or("");
            ok &= fold(text).contains(&fold(needle.as_str().unwrap()));
        }
        if !ok {
            failures.push(format!(
                "{s} × {d}: want {want} {:?} {:?}, got {status} line {} {:?} ({})",
                g.get("line"),
                g.get("contains"),
                c["span"]["line"],
                c["span"]["text"],
                g["why"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Spans point at the text as written.
    for c in r["cells"].as_array().unwrap() {
        if let Some(span) = c.get("span") {
            let doc = r["documents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == c["document"])
                .unwrap();
            let text = std::fs::read_to_string(repo(doc["path"].as_str().unwrap()))
                .or_else(|_| std::fs::read_to_string(doc["path"].as_str().unwrap()))
                .unwrap();
            let (a, b) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[a..b], span["text"].as_str().unwrap());
        }
    }
}

#[test]
fn track_finds_an_unseen_rewording_and_keeps_absent_statements_absent() {
    let env = TestEnv::new();
    let r = env.track_json(
        &repo("tests/fixtures/track-unseen.toml"),
        &[&repo("inputs")],
        &[],
    );
    for c in r["cells"].as_array().unwrap() {
        let s = c["statement"].as_str().unwrap();
        if s.starts_with('x') {
            assert_eq!(c["status"], "absent", "{s} must be absent: {c:#}");
        }
    }
    let w = track_cell(
        &r,
        "w1",
        "2017-03-01_xinhua_international-strategy-of-cooperation",
    );
    assert_eq!(w["status"], "reworded");
    assert_eq!(w["span"]["line"], 34);
    assert!(fold(w["span"]["text"].as_str().unwrap()).contains("assisting developing countries"));
    // The diff says how the words are related: synonyms ("help" / "assisting", "nations" /
    // "countries") and a derivation or inflection ("build" / "building").
    let relations: Vec<&str> = w["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["relation"].as_str())
        .collect();
    assert!(relations.contains(&"synonym"), "{:#}", w["ops"]);
    let elsewhere: Vec<&Value> = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["statement"] == "w1" && c["status"] != "absent")
        .collect();
    assert_eq!(
        elsewhere.len(),
        1,
        "w1 is said in 2017 only: {elsewhere:#?}"
    );
}

#[test]
fn track_json_has_the_documented_shape_and_is_identical_whatever_the_thread_count() {
    let env = TestEnv::new();
    let run = |threads: &str| {
        let out = env
            .cmd()
            .env("RAYON_NUM_THREADS", threads)
            .args(["track", "--statements"])
            .arg(repo("inputs/statements.toml"))
            .arg(repo("inputs"))
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"), "byte-identical with 1 and 2 threads");
    let r: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["command"], "track");
    assert_eq!(r["manifest"]["parameters"]["min_recall"], 0.5);
    assert!(r["manifest"]["parameters"]["thresholds"]["repeated_min_aligned"].is_number());
    let inputs = r["manifest"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 6, "the statements file and five documents");
    assert!(
        inputs[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("statements.toml")
    );
    let dates: Vec<&str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2015-12-16",
            "2017-03-01",
            "2019-10",
            "2020-11-23",
            "2022-11-07"
        ]
    );
    let ids: Vec<&str> = r["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(r["statements"][0]["group"], "Four principles");
    let cells = r["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 45);
    let present = track_cell(
        &r,
        "r2",
        "2019-10_chinadaily_community-shared-future-concept",
    );
    for key in ["statement", "document", "status", "score", "span", "ops"] {
        assert!(present.get(key).is_some(), "{key} in {present:#}");
    }
    for key in ["start", "end", "line", "column", "text"] {
        assert!(present["span"].get(key).is_some(), "span.{key}");
    }
    assert_eq!(present["ops"][0]["op"], "equal");
    let absent = track_cell(&r, "p1", "2015-12-16_xinhua_wic-speech-five-proposals");
    assert_eq!(absent["status"], "absent");
    assert_eq!(absent["score"], 0.0);
    assert!(absent.get("span").is_none());
    // A statement met more than once lists the other occurrences, best first.
    let several = track_cell(
        &r,
        "p2",
        "2019-10_chinadaily_community-shared-future-concept",
    );
    let others = several["other_occurrences"].as_array().unwrap();
    assert!(!others.is_empty());
    let mut last = several["score"].as_f64().unwrap();
    for o in others {
        let s = o["score"].as_f64().unwrap();
        assert!(s <= last, "best first");
        last = s;
    }
}

#[test]
fn track_terminal_grid_shows_statuses_in_date_order_and_colours_only_when_asked() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["track", "-s"])
        .arg(repo("inputs/statements.toml"))
        .arg(repo("inputs"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("statement"));
    let (a, b) = (
        header.find("2015-12-16").unwrap(),
        header.find("2022-11-07").unwrap(),
    );
    assert!(a < b, "columns in date order: {header}");
    let r2 = text.lines().find(|l| l.starts_with("r2 ")).unwrap();
    assert!(r2.contains("repeated"), "{r2}");
    assert!(!text.contains('\x1b'), "no colour off a terminal");
    let coloured = env
        .cmd()
        .args(["track", "--color", "always", "-s"])
        .arg(repo("inputs/statements.toml"))
        .arg(repo("inputs"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b[31m"));
}

#[test]
fn track_errors_name_the_file_and_line_and_exit_2() {
    let env = TestEnv::new();
    let doc = env.write(
        "2020_doc.txt",
        "Peace and security in cyberspace matter to all.\n",
    );
    let cases: [(&str, &str, &str); 5] = [
        (
            "bad.toml",
            "[[statement]]\nid = \"a\"\ntext = \"x\"\ngroup = \n",
            "bad.toml:4:",
        ),
        (
            "dup.toml",
            "[[statement]]\nid = \"a\"\ntext = \"x y\"\n\n[[statement]]\nid = \"a\"\ntext = \"z\"\n",
            "dup.toml:5: duplicate statement id \"a\"",
        ),
        (
            "empty.toml",
            "[[statement]]\nid = \"a\"\ntext = \" \"\n",
            "empty.toml:1: statement \"a\" has an empty text",
        ),
        (
            "none.toml",
            "# no statements\n",
            "none.toml:1: no statements",
        ),
        (
            "unknown.toml",
            "[[statement]]\nid = \"a\"\ntxt = \"x\"\n",
            "unknown.toml:3:",
        ),
    ];
    for (name, body, message) in cases {
        let s = env.write(name, body);
        env.cmd()
            .args(["track", "--statements"])
            .arg(&s)
            .arg(&doc)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    let good = env.write(
        "good.toml",
        "[[statement]]\nid = \"a\"\ntext = \"peace and security\"\n",
    );
    env.cmd()
        .args(["track", "--statements", "missing.toml"])
        .arg(&doc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
    env.cmd()
        .args(["track", "--statements"])
        .arg(&good)
        .arg("nowhere.txt")
        .assert()
        .code(2);
    env.cmd()
        .args(["track", "--statements"])
        .arg(&good)
        .arg(&doc)
        .args(["--min-score", "2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--min-score must be between 0 and 1",
        ));
    env.cmd()
        .args(["track", "--statements"])
        .arg(&good)
        .arg(&doc)
        .args(["--json", "-", "--html", "-"])
        .assert()
        .code(2);
}

#[test]
fn track_html_is_self_contained_escaped_and_has_grid_and_timelines() {
    let env = TestEnv::new();
    let hostile = env.write(
        "2021_hostile.txt",
        "Intro.\n<script>alert('x')</script> We respect cyber sovereignty </script><b>bold</b> & more.\n",
    );
    let out = env.path("track.html");
    env.cmd()
        .args(["track", "-q", "--statements"])
        .arg(repo("inputs/statements.toml"))
        .arg(repo("inputs"))
        .arg(&hostile)
        .arg("--html")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("default-src"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no URL"
    );
    assert_eq!(
        html.matches("<script").count(),
        2,
        "only the data and the page's script"
    );
    assert!(!html.contains("<b>bold</b>"));
    assert!(html.contains("\\u003cscript\\u003e") || html.contains("&lt;script&gt;"));
    assert!(html.contains("class=\"grid\""));
    assert!(html.contains("Four principles") && html.contains("Five proposals"));
    assert!(
        html.contains("first appearance"),
        "a timeline per statement"
    );
    let (a, b) = (
        html.find(">2015-12-16<").unwrap(),
        html.find(">2022-11-07<").unwrap(),
    );
    assert!(a < b, "columns in date order");
    // The CSP's script hash is the hash of the inlined script.
    let script_start = html.rfind("<script>").unwrap() + "<script>".len();
    let script_end = html.rfind("</script>").unwrap();
    assert!(script_end > script_start);
}

/// The figures published in the README ("Quality", track): KJV verses as statements found in the
/// WEB translation at the right verse, and verses of another book absent.
#[test]
fn track_measured_on_bible_paraphrase_it_was_not_tuned_on() {
    let env = TestEnv::new();
    let bible = repo("eval-data/bible");
    let kjv = std::fs::read(bible.join("KJV_gen1-6.txt")).unwrap();
    let gold: Vec<Value> = std::fs::read_to_string(bible.join("KJV_WEB_gen1-6.gold.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let picked: Vec<&Value> = gold.iter().step_by(8).take(20).collect();
    let toml_str = |s: &str| serde_json::to_string(s).unwrap();
    let mut statements = String::new();
    for g in &picked {
        let (a, b) = (
            g["a_begin"].as_u64().unwrap() as usize,
            g["a_end"].as_u64().unwrap() as usize,
        );
        let verse = std::str::from_utf8(&kjv[a..b]).unwrap().trim();
        statements += &format!(
            "[[statement]]\nid = {}\ntext = {}\n\n",
            toml_str(g["ref"].as_str().unwrap()),
            toml_str(verse)
        );
    }
    let s = env.write("verses.toml", statements);
    let r = env.track_json(&s, &[&bible.join("WEB_gen1-6.txt")], &[]);
    let right = picked
        .iter()
        .zip(r["cells"].as_array().unwrap())
        .filter(|(g, c)| {
            c.get("span").is_some_and(|sp| {
                sp["start"].as_u64().unwrap() < g["b_end"].as_u64().unwrap()
                    && g["b_begin"].as_u64().unwrap() < sp["end"].as_u64().unwrap()
            })
        })
        .count();
    eprintln!("KJV -> WEB: {right}/20 verses found at the right verse");
    assert!(right >= 16, "{right}/20 at the right verse");
    // Same register, other text: 2 Samuel 22 in Genesis 1-6, both KJV.
    let lines = std::fs::read_to_string(bible.join("parallels/2sam22_ps18_A.txt")).unwrap();
    let mut statements = String::new();
    for (i, l) in lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .enumerate()
    {
        statements += &format!(
            "[[statement]]\nid = \"v{i}\"\ntext = {}\n\n",
            toml_str(l.trim())
        );
    }
    let s = env.write("samuel.toml", statements);
    let r = env.track_json(&s, &[&bible.join("KJV_gen1-6.txt")], &[]);
    let absent = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "absent")
        .count();
    eprintln!("2 Samuel 22 -> Genesis 1-6: {absent}/20 absent");
    assert_eq!(absent, 20);
}

// --- report -----------------------------------------------------------------------------------------

/// Every file under `dir`, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Regression guard: the reports committed in `reports/` are what `cyberdiff report` writes for the
/// bundled corpus today. When this fails after an intended change, run `cargo run -- report` and
/// commit `reports/`.
#[test]
fn committed_reports_are_up_to_date() {
    let env = TestEnv::new();
    let out = env.path("reports");
    Command::cargo_bin("cyberdiff")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let committed = repo("reports");
    let (want, got) = (tree(&committed), tree(&out));
    assert_eq!(want, got, "the same files (run `cargo run -- report`)");
    for f in &want {
        assert!(
            std::fs::read(committed.join(f)).unwrap() == std::fs::read(out.join(f)).unwrap(),
            "reports/{} is stale: run `cargo run -- report` and commit reports/",
            f.display()
        );
    }
    for page in [
        "index.html",
        "report.json",
        "scan.html",
        "track.html",
        "track.json",
    ] {
        assert!(want.contains(&PathBuf::from(page)), "{page}");
    }
    let index = std::fs::read_to_string(committed.join("index.html")).unwrap();
    for link in ["track.html", "scan.html", "report.json", "dedup.json"] {
        assert!(
            index.contains(&format!("href=\"{link}\"")),
            "index links {link}"
        );
    }
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(committed.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(r["command"], "report");
    assert_eq!(r["track"]["command"], "track");
    assert_eq!(r["scan"]["command"], "scan");
    assert_eq!(r["dedup"]["command"], "dedup");
}

#[test]
fn report_without_statements_leaves_tracking_out_and_says_so() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("docs")).unwrap();
    env.write(
        "docs/2020_a.txt",
        "Peace and security in cyberspace matter to all of us today.\n",
    );
    env.write(
        "docs/2021_b.txt",
        "Peace and security in cyberspace matter to all of us, again.\n",
    );
    env.cmd()
        .args(["report", "docs", "--out", "out"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no statements file"));
    assert!(env.path("out/index.html").is_file());
    assert!(!env.path("out/track.html").exists());
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("out/report.json")).unwrap())
            .unwrap();
    assert!(r["track"].is_null());
    // With statements.toml in the folder, tracking is in.
    env.write(
        "docs/statements.toml",
        "[[statement]]\nid = \"s\"\ntext = \"peace and security in cyberspace\"\n",
    );
    env.cmd()
        .args(["report", "docs", "--out", "out", "-q"])
        .assert()
        .success();
    assert!(env.path("out/track.html").is_file());
}

// ---------------------------------------------------------------------------------------------------
// `cyberdiff check` (the CI gate) and `cyberdiff init`.

/// Pseudo-random words that two documents share only where a test copies them.
fn gate_words(seed: u64, n: usize) -> Vec<String> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let letters = b"bcdfghjklmnprstvwz";
            let vowels = b"aeiou";
            let mut w = String::new();
            let mut y = x >> 20;
            for i in 0..(2 + (y % 3)) {
                w.push(letters[(y % 18) as usize] as char);
                y /= 18;
                w.push(vowels[(y % 5) as usize] as char);
                y /= 5;
                if i == 0 && y.is_multiple_of(2) {
                    w.push('n');
                }
            }
            w
        })
        .collect()
}

/// Words as lines of twelve.
fn gate_text(words: &[String]) -> String {
    words
        .chunks(12)
        .map(|c| c.join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A corpus of six unrelated documents, the fourth copying 60 words of the second, and a config.
fn gate_env() -> (TestEnv, Vec<Vec<String>>) {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("corpus")).unwrap();
    let mut docs: Vec<Vec<String>> = (0..6).map(|i| gate_words(100 + i, 240)).collect();
    let copied: Vec<String> = docs[1][50..110].to_vec();
    docs[3].splice(120..120, copied);
    for (i, d) in docs.iter().enumerate() {
        env.write(&format!("corpus/2020-01-0{}_d{i}.txt", i + 1), gate_text(d));
    }
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\n[thresholds]\nreused_share = 0.1\n",
    );
    (env, docs)
}

fn check_json(env: &TestEnv, extra: &[&str]) -> (i32, Value, String) {
    let out = env
        .cmd()
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The findings of a cached run equal those of a full run without the cache.
fn assert_same_as_full_run(env: &TestEnv, cached: &Value) {
    let (_, full, _) = check_json(env, &["--no-cache"]);
    assert_eq!(full["cache"]["status"], "off");
    assert_eq!(cached["findings"], full["findings"], "incremental == full");
    assert_eq!(cached["gone"], full["gone"]);
}

#[test]
fn check_story_baseline_new_copy_rename_edit_and_corrupt_cache() {
    let (env, docs) = gate_env();
    // 1. Baseline the corpus: the one reusing document is recorded, the gate passes.
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 findings"));
    let baseline: Value = serde_json::from_str(
        &std::fs::read_to_string(env.path("cyberdiff-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 1);
    env.cmd()
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PASS"));

    // 2. A new document copies a passage of an old one: exit 1, naming it and the line.
    let mut new = gate_words(999, 200);
    new.splice(30..30, docs[4][10..90].to_vec());
    env.write("corpus/2020-02-01_copy.txt", gate_text(&new));
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["result"], "fail");
    assert_eq!(v["cache"]["status"], "incremental");
    assert!(
        v["cache"]["documents_read"].as_u64().unwrap() <= 2,
        "{}",
        v["cache"]
    );
    let fresh: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .collect();
    assert_eq!(fresh.len(), 1, "{:#}", v["findings"]);
    assert_eq!(fresh[0]["rule"], "reused-share");
    assert_eq!(fresh[0]["documents"][0], "corpus/2020-02-01_copy.txt");
    assert_eq!(
        fresh[0]["locations"][0]["line"], 3,
        "the copy starts on line 3"
    );
    assert_eq!(
        fresh[0]["locations"][0]["source"]["path"],
        "corpus/2020-01-05_d4.txt"
    );
    assert_same_as_full_run(&env, &v);
    env.cmd()
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("NEW reused-share"))
        .stdout(predicate::str::contains("corpus/2020-02-01_copy.txt:3:"));

    // 3. Accept it: the gate passes.
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    env.cmd().arg("check").assert().code(0);

    // 4. Rename and move a file: no new finding, nothing re-read.
    std::fs::create_dir(env.path("corpus/moved")).unwrap();
    std::fs::rename(
        env.path("corpus/2020-02-01_copy.txt"),
        env.path("corpus/moved/2020-02-01_renamed.txt"),
    )
    .unwrap();
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 0, "{:#}", v["findings"]);
    assert_eq!(v["cache"]["documents_read"], 0);
    assert_eq!(
        v["findings"][1]["documents"][0],
        "corpus/moved/2020-02-01_renamed.txt"
    );
    assert_same_as_full_run(&env, &v);

    // 5. Edit a part of a document no finding covers: no new finding.
    let mut edited = docs[3].clone();
    edited.extend(gate_words(4242, 30));
    env.write("corpus/2020-01-04_d3.txt", gate_text(&edited));
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 0, "{:#}", v["findings"]);
    assert_eq!(v["summary"]["gone"], 0);
    assert_same_as_full_run(&env, &v);

    // 6. Garbage in the cache: a warning, a rebuild, the same result.
    for file in [".cyberdiff/state.bin", ".cyberdiff/postings.bin"] {
        let before = check_json(&env, &[]).1;
        env.write(file, b"garbage, not a cache".repeat(100));
        let (code, v, stderr) = check_json(&env, &[]);
        assert_eq!(code, 0);
        assert!(
            stderr.contains("warning: index cache not used and rebuilt"),
            "{file}: {stderr}"
        );
        assert_eq!(v["findings"], before["findings"]);
        // And the rebuilt cache is used again without a warning.
        let (_, again, stderr) = check_json(&env, &[]);
        assert!(stderr.is_empty(), "{stderr}");
        assert_eq!(again["cache"]["status"], "unchanged");
    }

    // 7. A removed document: the baselined finding it carried is listed as gone.
    std::fs::remove_file(env.path("corpus/moved/2020-02-01_renamed.txt")).unwrap();
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["gone"].as_array().unwrap().len(), 1);
    assert_same_as_full_run(&env, &v);
}

#[test]
fn check_incremental_additions_equal_a_full_run() {
    let (env, docs) = gate_env();
    env.cmd().args(["check", "-q"]).assert().code(1);
    // Several documents at once, one copying from another new one, one an exact duplicate.
    let a = gate_words(7001, 150);
    let mut b = gate_words(7002, 150);
    b.splice(40..40, a[20..80].to_vec());
    let mut c = gate_words(7003, 150);
    c.splice(0..0, docs[0][100..160].to_vec());
    env.write("corpus/2021-01-01_a.txt", gate_text(&a));
    env.write("corpus/2021-01-02_b.txt", gate_text(&b));
    env.write("corpus/2019-12-31_c.txt", gate_text(&c));
    env.write("corpus/2021-01-03_dup.txt", gate_text(&docs[2]));
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["cache"]["status"], "incremental");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"duplicate"), "{rules:?}");
    assert_same_as_full_run(&env, &v);
}

#[test]
fn check_writes_valid_sarif_and_junit() {
    let (env, _) = gate_env();
    let out = env
        .cmd()
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cyberdiff");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "corpus/2020-01-04_d3.txt");
        let region = &loc["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(region["endLine"].as_u64().unwrap() >= region["startLine"].as_u64().unwrap());
        assert!(r["partialFingerprints"].is_object());
    }
    // JUnit to a file, terminal summary still printed.
    env.cmd()
        .args(["check", "--format", "junit", "--output", "junit.xml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"));
    let xml = std::fs::read_to_string(env.path("junit.xml")).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert_well_formed(&xml);
    assert_eq!(xml.matches("<testcase ").count(), 1);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert!(xml.contains("file=\"corpus/2020-01-04_d3.txt\""));
}

/// Tags balance, attributes are quoted, and `&` only starts an entity.
fn assert_well_formed(xml: &str) {
    let body = &xml[xml.find("?>").unwrap() + 2..];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        for (j, _) in text.match_indices('&') {
            let ent = &text[j..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bare & in {text:?}"
            );
        }
        let end = rest[i..].find('>').expect("tag closes") + i;
        let tag = &rest[i + 1..end];
        assert!(!tag.contains('<'), "{tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "{tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing {name}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_owned());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn init_writes_a_config_check_reads_and_refuses_to_overwrite() {
    let env = TestEnv::new();
    env.cmd().arg("init").assert().code(0);
    let text = std::fs::read_to_string(env.path("cyberdiff.toml")).unwrap();
    assert!(text.contains("paths = [\"corpus/\"]") && text.contains("# "));
    env.cmd()
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    env.cmd().args(["init", "--force"]).assert().code(0);
    // The example config points at corpus/, which does not exist yet: a clear error.
    env.cmd()
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("corpus"));
    std::fs::create_dir(env.path("corpus")).unwrap();
    env.write("corpus/a.txt", gate_text(&gate_words(1, 100)));
    env.cmd().arg("check").assert().code(0);
    // A bad config names the file and line.
    env.write("bad.toml", "paths = [\"corpus/\"]\nthreshold = 3\n");
    env.cmd()
        .args(["check", "--config", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:2"));
    // No corpus anywhere.
    env.cmd()
        .args(["check", "--config", "/dev/null"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no corpus to check"));
}

/// The bundled corpus and statements in a temporary folder, gated with `statements` set.
fn statements_env() -> TestEnv {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("corpus")).unwrap();
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
    for e in std::fs::read_dir(&inputs).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") {
            std::fs::copy(e.path(), env.path(&format!("corpus/{name}"))).unwrap();
        }
    }
    std::fs::copy(inputs.join("statements.toml"), env.path("statements.toml")).unwrap();
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\nstatements = \"statements.toml\"\n",
    );
    env
}

/// A 2023 document that repeats the 2022 wording of the four principles and rewords proposal r2
/// ("Building an online platform for cultural exchange and mutual learning"), absent in 2022.
const REWORDS_R2: &str = "Closing remarks at the 2023 forum on digital cooperation

The forum closed on Monday after two days of talks among delegates from more than sixty countries. \
Officials from the host city described the new data centres, the training schemes for engineers and \
the rules on cross-border payments that were discussed in the side meetings.

In doing so, basic principles including respecting cyber sovereignty, safeguarding peace and security, \
promoting openness and cooperation, and maintaining good order should be adhered to, speakers said.

Delegates agreed on setting up an internet platform for exchanges between cultures and for learning \
from one another, and said the next meeting would be held in the autumn.
";

#[test]
fn check_gates_tracked_statements_baseline_reworded_rename_and_corrupt_cache() {
    let env = statements_env();
    // 1. Baseline: every status change along the bundled corpus is accepted; an unchanged rerun
    //    passes and reuses the tracking.
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let (code, v, stderr) = check_json(&env, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["cache"]["statements"], "unchanged");
    let tracked = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "statement-status")
        .count();
    assert!(tracked > 10, "{:#}", v["findings"]);
    assert_eq!(
        v["manifest"]["check"]["statements"]["path"],
        "statements.toml"
    );

    // 2. A new document rewords r2: exit 1, naming the statement, the document and the line.
    env.write("corpus/2023-05-01_forum-remarks.txt", REWORDS_R2);
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["cache"]["statements"], "tracked");
    let fresh: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .collect();
    assert_eq!(fresh.len(), 1, "{:#?}", fresh);
    let f = fresh[0];
    assert_eq!(f["rule"], "statement-status");
    assert!(
        f["message"].as_str().unwrap().starts_with("statement r2 "),
        "{}",
        f["message"]
    );
    assert!(f["message"].as_str().unwrap().contains("reworded"));
    assert_eq!(f["documents"][0], "corpus/2023-05-01_forum-remarks.txt");
    assert_eq!(f["locations"][0]["line"], 7);
    assert_same_as_full_run(&env, &v);
    env.cmd()
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("NEW statement-status"))
        .stdout(predicate::str::contains(
            "corpus/2023-05-01_forum-remarks.txt:7:",
        ));
    // SARIF names the rule and the passage.
    let out = env
        .cmd()
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r: Vec<&Value> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["baselineState"] == "new")
        .collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["ruleId"], "statement-status");
    assert_eq!(
        r[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );

    // 3. Accept it: the gate passes.
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    env.cmd().arg("check").assert().code(0);

    // 4. Rename and move files (same dates): no new finding, and the same findings as a full run.
    std::fs::create_dir(env.path("corpus/2023")).unwrap();
    std::fs::rename(
        env.path("corpus/2023-05-01_forum-remarks.txt"),
        env.path("corpus/2023/2023-05-01_closing.txt"),
    )
    .unwrap();
    std::fs::rename(
        env.path("corpus/2019-10_chinadaily_community-shared-future-concept.txt"),
        env.path("corpus/2019-10_concept.txt"),
    )
    .unwrap();
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 0, "{:#}", v["findings"]);
    assert_eq!(v["summary"]["gone"], 0);
    assert_same_as_full_run(&env, &v);

    // 5. Garbage in the statement cache: a warning, tracked again, the same result.
    let before = check_json(&env, &[]).1;
    env.write(".cyberdiff/track.bin", b"garbage, not a cache".repeat(10));
    let (code, v, stderr) = check_json(&env, &[]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning: statement cache not used and rebuilt"),
        "{stderr}"
    );
    assert_eq!(v["cache"]["statements"], "tracked");
    assert_eq!(v["findings"], before["findings"]);

    // 6. Drops can be left out of the gate; a bad statements file is an error naming its line.
    let (_, v, _) = check_json(&env, &["--statement-dropped", "false"]);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["message"].as_str().unwrap().contains(" is absent from ")),
        "{:#}",
        v["findings"]
    );
    env.write("bad.toml", "[[statement]]\nid = \"a\"\n");
    env.cmd()
        .args(["check", "--statements", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:"));
}

#[test]
fn check_sees_an_edit_that_keeps_the_size_and_the_modification_time() {
    let (env, docs) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    // d5 now starts with 7 lines of d0, at the same size, and its modification time is set back.
    let path = env.path("corpus/2020-01-06_d5.txt");
    let old = std::fs::read_to_string(&path).unwrap();
    let from = gate_text(&docs[0]);
    let k = from.match_indices('\n').nth(6).unwrap().0 + 1;
    let edited = format!("{}{}", &from[..k], &old[k..]);
    assert_eq!(edited.len(), old.len());
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 1, "{:#}", v["findings"]);
    assert_eq!(v["cache"]["status"], "rebuilt");
    let fresh: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .collect();
    assert_eq!(fresh[0]["documents"][0], "corpus/2020-01-06_d5.txt");
    assert_same_as_full_run(&env, &v);
}

// --- robustness (issue 7): pathological inputs, limits, no panic, atomic outputs -------------------
//
// Each run goes through `limited`: the address space of the child is capped (RLIMIT_AS, set by
// `ulimit -v` in `sh` before `exec`), so a test that passes proves the memory bound, and a generous
// hang guard kills a run that does not end. No test measures speed.

/// Kills a run that has not ended by then: a hang guard, tens of times what any of these runs needs.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(600);

/// Run `cyberdiff ARGS` in the test folder with at most `mem_mib` MiB of address space and two
/// threads. Asserts it ended on its own with an exit code (no signal, no hang) and did not panic.
fn limited<S: AsRef<std::ffi::OsStr>>(
    env: &TestEnv,
    mem_mib: u64,
    args: &[S],
) -> std::process::Output {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v "$1" && shift && exec "$@""#)
        .arg("sh")
        .arg((mem_mib * 1024).to_string())
        .arg(env!("CARGO_BIN_EXE_cyberdiff"))
        .args(args)
        .current_dir(env.dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .env_remove("NO_COLOR")
        .timeout(HANG_GUARD)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some(),
        "killed ({:?}: the hang guard, or out of memory) running {:?}\nstderr: {stderr}",
        out.status,
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>()
    );
    assert!(
        out.status.code() != Some(101) && !stderr.contains("panicked"),
        "panicked: {stderr}"
    );
    out
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The run exited with `code` and its standard error says `needle`.
fn assert_exit(out: &std::process::Output, code: i32, needle: &str) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(needle), "no {needle:?} in: {err}");
}

/// Made-up words written straight to a file, `sep` after each: `n` words of stream `seed`.
fn write_words(path: &Path, seed: u64, n: usize, sep: &[u8]) {
    use std::io::Write;
    const C: &[u8] = b"bcdfghjklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed.wrapping_mul(6364136223846793005) | 1;
    for _ in 0..n {
        let mut word = [0u8; 6];
        for k in 0..3 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            word[2 * k] = C[(x >> 33) as usize % C.len()];
            word[2 * k + 1] = V[(x >> 45) as usize % V.len()];
        }
        w.write_all(&word).unwrap();
        w.write_all(sep).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn ten_megabytes_of_one_word_repeated() {
    let env = TestEnv::new();
    let big = env.write("one-word.txt", "cyber ".repeat(10 << 20 >> 3 << 2) + "\n");
    assert!(std::fs::metadata(&big).unwrap().len() >= 10_000_000);
    let small = TestEnv::input("2015");
    // With itself: every n-gram is far too common to seed on, so nothing is reported.
    let out = limited(
        &env,
        1536,
        &["compare", "one-word.txt", "one-word.txt", "--json", "-"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["a"]["words"], 10 << 20 >> 3 << 2);
    assert!(passages(&r).len() <= 1);
    let small = small.to_str().unwrap();
    let out = limited(&env, 1536, &["compare", "one-word.txt", small, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = limited(&env, 1536, &["scan", "one-word.txt", small, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

/// One line of `mib` MiB of made-up words; B holds three passages of it, from its start, middle and end.
fn single_line_case(mib: usize) {
    let env = TestEnv::new();
    let n = (mib << 20) / 7;
    let a = env.path("one-line.txt");
    write_words(&a, 7, n, b" ");
    let text = std::fs::read_to_string(&a).unwrap();
    assert!(!text.contains('\n'));
    let words: Vec<&str> = text.split(' ').collect();
    let mut b = String::new();
    for at in [0, n / 2, n - 41] {
        b.push_str(&words[at..at + 40].join(" "));
        b.push_str("\n\nAnd then something else entirely.\n\n");
    }
    drop(words);
    drop(text);
    env.write("b.txt", &b);
    let out = limited(
        &env,
        3072,
        &["compare", "one-line.txt", "b.txt", "--json", "out.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&std::fs::read(env.path("out.json")).unwrap()).unwrap();
    let ps = passages(&r);
    assert_eq!(ps.len(), 3, "the three copied passages");
    let text = std::fs::read(&a).unwrap();
    for p in ps {
        assert_eq!(p["a"]["line"], 1);
        let (start, end) = (
            p["a"]["start"].as_u64().unwrap() as usize,
            p["a"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(p["a"]["column"].as_u64().unwrap() as usize, start + 1);
        assert_eq!(
            &text[start..end],
            p["a"]["text"].as_str().unwrap().as_bytes()
        );
    }
}

#[test]
fn single_line_file_of_16_mib() {
    single_line_case(16);
}

/// The full size of issue 7; run with `cargo test -- --ignored` (measured in the README).
#[test]
#[ignore = "100 MiB on disk, about two minutes in a debug build; run with --ignored"]
fn single_line_file_of_100_mib() {
    single_line_case(100);
}

#[test]
fn a_document_compared_with_itself_is_one_repeated_passage() {
    let env = TestEnv::new();
    write_words(&env.path("a.txt"), 11, 150_000, b" ");
    let out = limited(&env, 1536, &["compare", "a.txt", "a.txt", "--json", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ps = passages(&r);
    assert!(!ps.is_empty());
    assert!(ps.iter().all(|p| p["kind"] == "repeated"));
    for side in ["a", "b"] {
        let share = r["summary"][format!("reused_{side}")]
            .as_f64()
            .unwrap_or(1.0);
        assert!(share > 0.99, "{side} reused {share}");
    }
    // Two copies in a corpus are exact duplicates.
    std::fs::copy(env.path("a.txt"), env.path("b.txt")).unwrap();
    let out = limited(&env, 1536, &["scan", "a.txt", "b.txt", "--json", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["duplicates"].as_array().unwrap().len(), 1);
}

/// `n` files of a few words each in `dir/`, one in ten a copy of another.
fn tiny_files(env: &TestEnv, dir: &str, n: usize) {
    let root = env.path(dir);
    for k in 0..n / 1000 + 1 {
        std::fs::create_dir_all(root.join(format!("d{k:03}"))).unwrap();
    }
    let words = made_up_words(5, 4000);
    for i in 0..n {
        let j = if i % 10 == 9 { i - 1 } else { i };
        let text = format!("{} {} {}\n", words[j % 4000], words[(j / 4000) % 4000], j);
        std::fs::write(root.join(format!("d{:03}/f{i:06}.txt", i / 1000)), text).unwrap();
    }
}

fn many_tiny_files_case(n: usize) {
    let env = TestEnv::new();
    tiny_files(&env, "corpus", n);
    let out = limited(&env, 3072, &["scan", "corpus", "--json", "scan.json", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&std::fs::read(env.path("scan.json")).unwrap()).unwrap();
    assert_eq!(r["documents"].as_array().unwrap().len(), n);
    assert_eq!(r["duplicates"].as_array().unwrap().len(), n / 10);
    let out = limited(&env, 3072, &["dedup", "corpus", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn scan_of_10_000_tiny_files() {
    many_tiny_files_case(10_000);
}

/// The full size of issue 7; run with `cargo test -- --ignored` (measured in the README).
#[test]
#[ignore = "100,000 files on disk, about half a minute; run with --ignored"]
fn scan_of_100_000_tiny_files() {
    many_tiny_files_case(100_000);
}

#[test]
fn very_long_words_and_runs_without_spaces() {
    let env = TestEnv::new();
    let mut text = String::new();
    text.push_str(&"a".repeat(8 << 20)); // one 8 MiB ASCII word
    text.push('\n');
    text.push_str(&"é".repeat(1 << 20)); // a 2 MiB word through the Unicode segmenter
    text.push('\n');
    text.push_str(&"a\u{301}".repeat(1 << 19)); // combining marks
    text.push('\n');
    text.push_str(&"1,2".repeat(1 << 20)); // digits joined by separators (WB11/12)
    text.push('\n');
    text.push_str(&"中华人民共和国".repeat(1 << 16)); // 1.3 MiB of Han, one token a character
    text.push('\n');
    text.push_str(&"กรุงเทพมหานคร".repeat(1 << 15)); // Thai, unspaced, not CJK
    text.push('\n');
    env.write("long.txt", &text);
    env.write(
        "b.txt",
        format!(
            "{} and 中华人民共和国中华人民共和国 again\n",
            "a".repeat(100)
        ),
    );
    for args in [
        ["compare", "long.txt", "b.txt", "--json", "-"],
        ["compare", "long.txt", "long.txt", "--json", "-"],
    ] {
        let out = limited(&env, 2048, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        for p in passages(&r) {
            for side in ["a", "b"] {
                let s = &p[side];
                let file = if side == "a" || args[2] == "long.txt" {
                    &text
                } else {
                    ""
                };
                if !file.is_empty() {
                    let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
                    assert!(
                        file.is_char_boundary(start as usize)
                            && file.is_char_boundary(end as usize)
                    );
                }
            }
        }
    }
    let out = limited(&env, 2048, &["scan", "long.txt", "b.txt", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn mixed_scripts_and_right_to_left_text_keep_exact_spans() {
    let env = TestEnv::new();
    let shared = "שלום לכל העולם הזה ברוכים הבאים למסמך המשותף \u{200F}مرحبا بكم في هذا العالم الكبير والجميل \
                  नमस्ते दुनिया यह एक परीक्षण है 👩‍👩‍👧 Ελληνικά κείμενα και Кириллица тоже";
    let a = format!(
        "\u{202E}Overridden direction\u{202C} first.\n\n{shared}\n\nEnd of A \u{2067}isolate\u{2069}.\n"
    );
    let b = format!("Intro of B, in English.\n{shared} — then Thai ภาษาไทย and 한국어.\n");
    env.write("rtl-a.txt", &a);
    env.write("rtl-b.txt", &b);
    let out = limited(
        &env,
        1536,
        &[
            "compare",
            "rtl-a.txt",
            "rtl-b.txt",
            "--json",
            "-",
            "--html",
            "rtl.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ps = passages(&r);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    for (side, text) in [("a", &a), ("b", &b)] {
        let s = &ps[0][side];
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], s["text"].as_str().unwrap());
        assert!(s["text"].as_str().unwrap().contains("مرحبا"));
    }
    // The terminal summary shows the override characters as U+FFFD, never raw.
    let out = limited(&env, 1536, &["compare", "rtl-a.txt", "rtl-b.txt"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('\u{202E}') && !stdout.contains('\u{2067}'));
}

#[test]
fn escape_sequences_in_documents_never_reach_the_terminal() {
    let env = TestEnv::new();
    let words = made_up_words(21, 60).join(" ");
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m";
    env.write("a.txt", format!("{evil} {words} {evil}\n"));
    env.write("b.txt", format!("Other. {evil} {words} {evil} end.\n"));
    env.write(
        "s.toml",
        format!("[[statement]]\nid = \"s\"\ntext = \"{}\"\n", &words[..80]),
    );
    for args in [
        vec!["compare", "a.txt", "b.txt", "--color", "never"],
        vec!["scan", "a.txt", "b.txt", "--color", "never"],
        vec![
            "track",
            "--statements",
            "s.toml",
            "a.txt",
            "b.txt",
            "--color",
            "never",
        ],
    ] {
        let out = limited(&env, 1536, &args);
        let all = [out.stdout, out.stderr].concat();
        assert!(
            !all.contains(&0x1b) && !all.contains(&0x07),
            "{args:?}: {}",
            String::from_utf8_lossy(&all)
        );
        assert!(
            !String::from_utf8_lossy(&all).contains('\u{9b}'),
            "{args:?}"
        );
    }
    // In file names too: the compare summary, the scan summary, warnings and errors.
    let (name, bad) = ("evil\u{1b}[2J\u{7}.txt", "bad\u{1b}]0;x\u{7}.txt");
    std::fs::copy(env.path("a.txt"), env.path(name)).unwrap();
    env.write(bad, b"\0");
    for args in [
        vec!["compare", name, "b.txt", "--color", "never"],
        vec!["scan", name, "b.txt", bad],
        vec!["compare", name, bad],
    ] {
        let out = limited(&env, 1536, &args);
        let all = [out.stdout, out.stderr].concat();
        let shown = String::from_utf8_lossy(&all);
        assert!(
            !all.contains(&0x1b) && !all.contains(&0x07),
            "{args:?}: {shown}"
        );
        assert!(
            shown.contains("\u{FFFD}[2J\u{FFFD}") || shown.contains("bad\u{FFFD}]0;x\u{FFFD}.txt"),
            "{args:?}: {shown}"
        );
    }
}

#[test]
fn nul_bytes_are_refused_naming_the_file_and_skipped_in_corpus_mode() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    env.write(
        "corpus/nul.txt",
        b"some text\0more text and more words here",
    );
    let good = env
        .path("corpus")
        .read_dir()
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let out = limited(
        &env,
        1536,
        &["compare", good.to_str().unwrap(), "corpus/nul.txt"],
    );
    assert_exit(&out, 2, "nul.txt looks binary (NUL byte at byte offset 9)");
    for cmd in [vec!["scan", "corpus", "-q"], vec!["dedup", "corpus", "-q"]] {
        assert_exit(&limited(&env, 1536, &cmd), 3, "nul.txt: looks binary");
    }
}

/// A sparse file of 2 GiB + 1 byte: no disk and no time to make.
fn sparse_2_gib(env: &TestEnv, name: &str) -> PathBuf {
    let p = env.path(name);
    std::fs::File::create(&p)
        .unwrap()
        .set_len((2 << 30) + 1)
        .unwrap();
    p
}

#[test]
fn a_2_gib_file_is_refused_by_every_command_without_being_read() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    sparse_2_gib(&env, "corpus/huge.txt");
    sparse_2_gib(&env, "huge.toml");
    sparse_2_gib(&env, "huge.jsonl");
    let good = TestEnv::input("2015");
    let good = good.to_str().unwrap();
    let size = format!("{} bytes, over the limit", (2u64 << 30) + 1);
    // 512 MiB of address space: reading the file whole could not fit.
    let mem = 512;
    let refuse = |args: &[&str], code: i32, names: &str, hint: &str| {
        let out = limited(&env, mem, args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            err.contains(names) && err.contains(&size) && err.contains(hint),
            "{args:?}: {err}"
        );
    };
    refuse(
        &["compare", good, "corpus/huge.txt"],
        2,
        "huge.txt",
        "--max-bytes",
    );
    refuse(
        &["compare", good, "huge.jsonl"],
        2,
        "huge.jsonl",
        "--max-bytes",
    );
    refuse(&["scan", "corpus", "-q"], 3, "huge.txt", "--max-bytes");
    refuse(
        &["scan", "huge.jsonl", good, "-q"],
        3,
        "huge.jsonl",
        "--max-bytes",
    );
    refuse(&["dedup", "corpus", "-q"], 3, "huge.txt", "--max-bytes");
    refuse(
        &["report", "corpus", "--out", "rep", "-q"],
        3,
        "huge.txt",
        "--max-bytes",
    );
    refuse(
        &["track", "--statements", "huge.toml", "corpus"],
        2,
        "huge.toml",
        "statements file",
    );
    refuse(
        &["check", "corpus", "--config", "huge.toml"],
        2,
        "huge.toml",
        "configuration",
    );
    refuse(
        &["check", "corpus", "--manifest", "huge.toml"],
        2,
        "huge.toml",
        "manifest",
    );
    refuse(&["eval", "huge.jsonl"], 2, "huge.jsonl", "gold file");
    let out = limited(&env, mem, &["check", "corpus", "--no-cache", "-q"]);
    assert!(stderr_of(&out).contains("huge.txt"), "{}", stderr_of(&out));
    sparse_2_gib(&env, "baseline.json");
    refuse(
        &[
            "check",
            "corpus",
            "--baseline",
            "baseline.json",
            "--no-cache",
        ],
        2,
        "baseline.json",
        "baseline",
    );
    // With the limit raised, the memory for it is asked for first: refused, not an abort.
    let raised = [
        "compare",
        good,
        "corpus/huge.txt",
        "--max-bytes",
        "4294967295",
    ];
    let out = limited(&env, mem, &raised);
    assert_exit(
        &out,
        2,
        "huge.txt is 2147483649 bytes and there is not enough memory",
    );
    // The limit itself is bounded: offsets are 32-bit.
    let out = limited(
        &env,
        mem,
        &["compare", good, good, "--max-bytes", "5000000000"],
    );
    assert_exit(&out, 2, "--max-bytes");
}

#[test]
fn a_device_or_pipe_that_never_ends_is_cut_at_the_limit() {
    let env = TestEnv::new();
    let good = TestEnv::input("2015");
    let good = good.to_str().unwrap();
    // /dev/zero: refused as binary at its first chunk.
    let out = limited(&env, 512, &["compare", good, "/dev/zero"]);
    assert_exit(
        &out,
        2,
        "/dev/zero looks binary (NUL byte at byte offset 0)",
    );
    // A pipe of text that never ends: cut one byte past the limit.
    let fifo = env.path("endless.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut w = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        let chunk = "words without end ".repeat(1000);
        while w.write_all(chunk.as_bytes()).is_ok() {}
    });
    let endless = ["compare", good, "endless.txt", "--max-bytes", "1000000"];
    let out = limited(&env, 512, &endless);
    assert_exit(
        &out,
        2,
        "endless.txt is 1000001 bytes, over the limit of 1000000",
    );
    writer.join().unwrap();
}

#[test]
fn hostile_side_files_are_errors_never_panics() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    let junk: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("nul", b"\0\0\0"),
        ("latin1", b"caf\xe9 = 1"),
        ("toml-garbage", b"[[[ = \"\n[a]\nb = 1\n[a]\n"),
        ("deep", &[b'['; 100_000]),
        ("json-garbage", b"{\"findings\": [{\"rule\": 7}]}"),
        (
            "wrong-types",
            b"[[statement]]\nid = 1\ntext = []\n[[document]]\nfile = 3\n",
        ),
        (
            "huge-number",
            b"paths = [\"corpus\"]\n[thresholds]\nmin_shared = 99999999999999999999\n",
        ),
        (
            "negative",
            b"paths = [\"corpus\"]\n[thresholds]\nreused_share = -1e308\nmin_words = nan\n",
        ),
        (
            "jsonl",
            b"{\"id\": {}, \"text\": 5}\n[1,2]\n{\"id\": \"x\", \"text\": \"\"}\n",
        ),
    ];
    for (name, bytes) in junk {
        env.write(&format!("{name}.junk"), bytes);
        let f = format!("{name}.junk");
        let cases: Vec<Vec<&str>> = vec![
            vec!["track", "--statements", &f, "corpus", "-q"],
            vec!["check", "corpus", "--config", &f, "--no-cache", "-q"],
            vec!["check", "corpus", "--manifest", &f, "--no-cache", "-q"],
            vec!["check", "corpus", "--baseline", &f, "--no-cache", "-q"],
            vec!["scan", "corpus", "--manifest", &f, "-q"],
            vec!["eval", &f],
        ];
        for args in cases {
            let out = limited(&env, 1536, &args);
            let code = out.status.code().unwrap();
            let err = stderr_of(&out);
            // Accepted (an empty configuration is the defaults) or refused, naming the file.
            assert!(matches!(code, 0..=2), "{args:?}: exit {code}: {err}");
            if code == 2 {
                assert!(
                    err.contains(&f),
                    "{args:?}: the message does not name the file: {err}"
                );
            }
        }
        // As a corpus file (JSON Lines or text): skipped or read, never a panic.
        env.write(&format!("corpus/zz-{name}.jsonl"), bytes);
        let out = limited(&env, 1536, &["scan", "corpus", "-q"]);
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{}",
            stderr_of(&out)
        );
        std::fs::remove_file(env.path(&format!("corpus/zz-{name}.jsonl"))).unwrap();
    }
}

#[test]
fn a_forged_or_corrupt_cache_is_rebuilt_never_trusted() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    let run = |env: &TestEnv| limited(env, 1536, &["check", "corpus", "--format", "json"]);
    let first = run(&env);
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    let state = env.path(".cyberdiff/state.bin");
    let good = std::fs::read(&state).unwrap();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..24 {
        let mut bytes = good.clone();
        match round % 4 {
            0 => bytes.truncate(bytes.len() * round / 24),
            1 => {
                for _ in 0..8 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let i = (x as usize) % bytes.len();
                    bytes[i] = (x >> 32) as u8;
                }
            }
            2 => bytes.extend_from_slice(&good),
            _ => bytes = vec![0xFF; round * 100],
        }
        std::fs::write(&state, &bytes).unwrap();
        let out = run(&env);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["findings"], first["findings"], "round {round}");
    }
    std::fs::write(env.path(".cyberdiff/postings.bin"), b"CYDFPOST garbage").unwrap();
    let out = run(&env);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["findings"], first["findings"]);
}

/// 120 documents in `dir/`, in ten groups of twelve that share a 60-word passage: 660 aligned pairs,
/// so that the outputs take a while to write.
fn reuse_corpus(env: &TestEnv, dir: &str) {
    std::fs::create_dir_all(env.path(dir)).unwrap();
    let passages: Vec<String> = (0..10)
        .map(|k| made_up_words(500 + k, 60).join(" "))
        .collect();
    for i in 0..120u64 {
        let body = made_up_words(1000 + i, 200);
        let text = format!(
            "{}\n\n{}\n\n{}\n",
            body[..100].join(" "),
            passages[(i % 10) as usize],
            body[100..].join(" ")
        );
        env.write(
            &format!("{dir}/20{:02}-01-01_d{i:03}.txt", 10 + i % 15),
            text,
        );
    }
}

/// Start `cyberdiff ARGS` in the test folder, its output discarded.
fn spawn_quiet(env: &TestEnv, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_cyberdiff"))
        .args(args)
        .current_dir(env.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Every file below `dir` whose name marks a temporary file of an atomic write.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    tree(dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp-"))
        .collect()
}

/// Run `args` to the end once for the new outputs, then again and again killed (SIGKILL) part-way:
/// as soon as a temporary output file appears (mid-write), and after growing delays. After each kill,
/// each of `targets` (files below the test folder) holds its old contents or its complete new ones,
/// and each file in `fresh_dir` (a folder the command fills, removed before each run) is complete.
fn assert_kills_leave_old_or_new(
    env: &TestEnv,
    args: &[&str],
    targets: &[&str],
    fresh_dir: Option<&str>,
) {
    let fresh = |rel: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let Some(d) = fresh_dir.filter(|d| env.path(d).is_dir()) else {
            return Vec::new();
        };
        tree(&env.path(d))
            .into_iter()
            .filter(|p| !p.to_string_lossy().contains(".tmp-"))
            .map(|p| (p.clone(), std::fs::read(rel.join(d).join(&p)).unwrap()))
            .collect()
    };
    let reset = || {
        if let Some(d) = fresh_dir {
            let _ = std::fs::remove_dir_all(env.path(d));
        }
        for t in targets {
            let p = env.path(t);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("old {t}\n")).unwrap();
        }
    };
    reset();
    let out = env.cmd().args(args).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr_of(&out)
    );
    let new: Vec<Vec<u8>> = targets
        .iter()
        .map(|t| std::fs::read(env.path(t)).unwrap())
        .collect();
    let new_fresh: std::collections::HashMap<PathBuf, Vec<u8>> =
        fresh(env.dir.path()).into_iter().collect();
    assert!(fresh_dir.is_none() || !new_fresh.is_empty());
    for (t, bytes) in targets.iter().zip(&new) {
        assert_ne!(
            bytes,
            format!("old {t}\n").as_bytes(),
            "{t} was not written"
        );
    }
    // The temporary files of the outputs: beside each target, and anywhere in `fresh_dir`.
    let mut watched: Vec<PathBuf> = targets
        .iter()
        .map(|t| env.path(t).parent().unwrap().to_path_buf())
        .collect();
    watched.dedup();
    let temps = || -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = watched
            .iter()
            .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains(".tmp-"))
            .collect();
        if let Some(d) = fresh_dir {
            out.extend(
                temp_files(&env.path(d))
                    .into_iter()
                    .map(|p| env.path(d).join(p)),
            );
        }
        out
    };
    let (mut mid_write, mut tries) = (0, 0);
    let mut outcomes = (0, 0); // (old, new) files seen after kills
    // Kills as soon as a temporary file appears (tried until one run is caught mid-write, up to 40
    // runs: the window can be short, and on a loaded machine fall between two polls again and
    // again), then after growing delays.
    let plan = std::iter::repeat_n(None, 40).chain([0, 50, 300, 1500].map(Some));
    for delay_ms in plan {
        if delay_ms.is_none() && mid_write > 0 {
            continue;
        }
        tries += usize::from(delay_ms.is_none());
        reset();
        for t in temps() {
            let _ = std::fs::remove_file(t);
        }
        let mut child = spawn_quiet(env, args);
        let start = std::time::Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let due = match delay_ms {
                None => !temps().is_empty(),
                Some(ms) => start.elapsed() >= std::time::Duration::from_millis(ms),
            };
            if due {
                if delay_ms.is_none() {
                    mid_write += 1;
                    eprintln!("{args:?}: killed mid-write after {tries} runs");
                }
                break;
            }
            assert!(start.elapsed() < HANG_GUARD, "hang guard");
            if delay_ms.is_some() {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        for (t, bytes) in targets.iter().zip(&new) {
            let now = std::fs::read(env.path(t)).unwrap();
            let old = format!("old {t}\n").into_bytes();
            assert!(
                now == old || &now == bytes,
                "{args:?} killed after {delay_ms:?} ms: {t} is neither old nor new ({} bytes, new has {})",
                now.len(),
                bytes.len()
            );
            if now == old {
                outcomes.0 += 1;
            } else {
                outcomes.1 += 1;
            }
        }
        for (p, bytes) in fresh(env.dir.path()) {
            assert_eq!(
                Some(&bytes),
                new_fresh.get(&p),
                "{args:?}: {} is torn",
                p.display()
            );
        }
    }
    assert_eq!(
        mid_write, 1,
        "{args:?}: no run was killed mid-write (no temporary file seen)"
    );
    assert!(outcomes.0 > 0, "{args:?}: no kill came before the rename");
}

#[test]
fn killed_runs_leave_every_output_old_or_new() {
    let env = TestEnv::new();
    reuse_corpus(&env, "corpus");
    let (a, b) = ("corpus/2010-01-01_d000.txt", "corpus/2010-01-01_d090.txt");
    assert_kills_leave_old_or_new(
        &env,
        &[
            "compare", a, b, "--json", "c.json", "--html", "c.html", "-q",
        ],
        &["c.json", "c.html"],
        None,
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "scan",
            "corpus",
            "--json",
            "out/s.json",
            "--html",
            "out/s.html",
            "-q",
        ],
        &["out/s.json", "out/s.html"],
        None,
    );
    env.write(
        "st.toml",
        format!(
            "[[statement]]\nid = \"p\"\ntext = \"{}\"\n",
            made_up_words(503, 20).join(" ")
        ),
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "track",
            "--statements",
            "st.toml",
            "corpus",
            "--json",
            "t.json",
            "--html",
            "t.html",
            "-q",
        ],
        &["t.json", "t.html"],
        None,
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "report",
            "corpus",
            "--statements",
            "st.toml",
            "--out",
            "rep",
            "-q",
        ],
        &["rep/index.html", "rep/report.json"],
        None,
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "dedup", "corpus", "--out", "clean", "--json", "d.json", "-q",
        ],
        &["d.json"],
        Some("clean"),
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "check",
            "corpus",
            "--no-cache",
            "--update-baseline",
            "--baseline",
            "base.json",
            "-q",
        ],
        &["base.json"],
        None,
    );
    assert_kills_leave_old_or_new(
        &env,
        &[
            "check",
            "corpus",
            "--no-cache",
            "--baseline",
            "none.json",
            "--format",
            "sarif",
            "--output",
            "c.sarif",
            "-q",
        ],
        &["c.sarif"],
        None,
    );
}

#[test]
fn a_check_killed_while_writing_its_cache_costs_at_most_a_rebuild() {
    let env = TestEnv::new();
    reuse_corpus(&env, "corpus");
    let full = env
        .cmd()
        .args(["check", "corpus", "--no-cache", "--format", "json"])
        .output()
        .unwrap();
    let full: Value = serde_json::from_slice(&full.stdout).unwrap();
    let mut killed_mid_write = 0;
    for round in 0..6 {
        let cache = env.path(".cyberdiff");
        let _ = std::fs::remove_dir_all(&cache);
        if round % 2 == 1 {
            // An older cache, of a smaller corpus, that the run replaces.
            let out = env
                .cmd()
                .args(["check", "corpus/2010-01-01_d000.txt", "-q"])
                .output()
                .unwrap();
            assert!(matches!(out.status.code(), Some(0 | 1)));
        }
        let mut child = spawn_quiet(&env, &["check", "corpus", "-q"]);
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if !temp_files(&cache).is_empty() && round >= 2 {
                killed_mid_write += 1;
                break;
            }
            if round < 2
                && start.elapsed() >= std::time::Duration::from_millis(200 * (round as u64 + 1))
            {
                break;
            }
            assert!(start.elapsed() < HANG_GUARD, "hang guard");
            if round < 2 {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        let out = env
            .cmd()
            .args(["check", "corpus", "--format", "json"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert!(
            !err.contains("truncated"),
            "round {round}: a torn cache file: {err}"
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["findings"], full["findings"], "round {round}");
    }
    assert!(
        killed_mid_write >= 1,
        "never killed while the cache was being written"
    );
}

/// Found by fuzz/align (with CYBERDIFF_FUZZ_MIRROR set): on these two pieces of the Chinese
/// constitution, with small seeds and passages, `compare a b` gave one reworded passage and
/// `compare b a` a shorter repeated one, where DESIGN.md wants mirror images. The two pieces have
/// as many tokens, and the canonical orientation was then chosen by a hash of the token ids, which
/// are numbered in order of first appearance and so differ with the argument order; it is now a
/// hash of the text.
#[test]
fn regression_fuzz_align_mirror_on_short_cjk_pieces() {
    let env = TestEnv::new();
    let (a, b) = (
        repo("tests/fixtures/mirror-a.txt"),
        repo("tests/fixtures/mirror-b.txt"),
    );
    let small = [
        "--min-words",
        "2",
        "--min-score",
        "0.1",
        "--ngram",
        "2",
        "--cjk-ngram",
        "2",
    ];
    let spans = |r: &Value, swap: bool| -> Vec<(String, u64, u64)> {
        passages(r)
            .iter()
            .map(|p| {
                let (x, y) = if swap { ("b", "a") } else { ("a", "b") };
                let kind = p["kind"].as_str().unwrap().to_owned();
                (
                    kind,
                    p[x]["start"].as_u64().unwrap(),
                    p[y]["start"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let ab = env.compare_json(&a, &b, &small);
    let ba = env.compare_json(&b, &a, &small);
    assert_eq!(spans(&ab, false), spans(&ba, true));
}

// ---- issue 14: the reworded tier, labels on content words, track's list rule; issue 16 item 1 ----

/// The four rewordings of issue 14, as (A prefix, B prefix, a words of A's side, a words of B's side).
const REWORDINGS: [(&str, &str, &str, &str); 4] = [
    (
        "2015",
        "2019",
        "building of global cyber infrastructure",
        "building of global internet infrastructure",
    ),
    (
        "2017",
        "2019",
        "national cyberspace sovereignty, security and development interests",
        "sovereignty, security and development interests of all countries",
    ),
    (
        "2017",
        "2022",
        "largest number of Internet users",
        "largest number of internet users",
    ),
    (
        "2019",
        "2022",
        "unbalanced development, inadequate rules",
        "unbalanced development and unsound regulation",
    ),
];

fn has_reworded_pair(passages: &[Value], a_words: &str, b_words: &str) -> bool {
    passages.iter().any(|p| {
        let (ta, tb) = (
            fold(p["a"]["text"].as_str().unwrap()),
            fold(p["b"]["text"].as_str().unwrap()),
        );
        ta.contains(&fold(a_words)) && tb.contains(&fold(b_words)) && p["kind"] == "reworded"
    })
}

#[test]
fn compare_finds_the_four_rewordings_of_issue_14_labelled_reworded_with_evidence() {
    let env = TestEnv::new();
    for (a, b, wa, wb) in REWORDINGS {
        let r = env.compare_json(&TestEnv::input(a), &TestEnv::input(b), &[]);
        assert_eq!(r["manifest"]["parameters"]["reworded"], true);
        let ps = r["passages"].as_array().unwrap();
        assert!(
            has_reworded_pair(ps, wa, wb),
            "{a} ~ {b}: {wa:?} / {wb:?} not found reworded"
        );
        // The tier's passages say why: word pairs with their relation, both coverages, the rule.
        let tier: Vec<&Value> = ps.iter().filter(|p| p.get("evidence").is_some()).collect();
        assert!(!tier.is_empty());
        for p in tier {
            let e = &p["evidence"];
            assert!(["two_sided", "supported"].contains(&e["rule"].as_str().unwrap()));
            assert!(
                e["coverage_a"].as_f64().unwrap() >= 0.5
                    && e["coverage_b"].as_f64().unwrap() >= 0.5
            );
            assert!(e["pairs"].as_array().unwrap().len() >= 3);
        }
        // Off, the tier adds nothing and the parameters say so.
        let off = env.compare_json(&TestEnv::input(a), &TestEnv::input(b), &["--no-reworded"]);
        assert_eq!(off["manifest"]["parameters"]["reworded"], false);
        assert!(
            off["passages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p.get("evidence").is_none())
        );
    }
    // A synonym replacement names its relation in the word diff.
    let r = env.compare_json(&TestEnv::input("2019"), &TestEnv::input("2022"), &[]);
    let ops: Vec<&Value> = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["ops"].as_array().unwrap())
        .collect();
    assert!(
        ops.iter()
            .any(|o| o["op"] == "replace" && o["relation"] == "synonym"),
        "no synonym replacement"
    );
}

#[test]
fn scan_finds_the_four_rewordings_of_issue_14() {
    let env = TestEnv::new();
    let r = env.scan_json(&[repo("inputs").to_str().unwrap()]);
    let pairs = r["pairs"].as_array().unwrap();
    for (a, b, wa, wb) in REWORDINGS {
        let found = pairs.iter().any(|p| {
            let ps = p["passages"].as_array().unwrap();
            let (ida, idb) = (
                p["a"]["id"].as_str().unwrap(),
                p["b"]["id"].as_str().unwrap(),
            );
            let forward = ida.starts_with(a) && idb.starts_with(b);
            let backward = ida.starts_with(b) && idb.starts_with(a);
            (forward && has_reworded_pair(ps, wa, wb))
                || (backward && has_reworded_pair(ps, wb, wa))
        });
        assert!(found, "scan: {a} ~ {b}: {wa:?} / {wb:?} not found reworded");
    }
}

#[test]
fn respect_for_cyber_sovereignty_is_repeated_in_compare_and_track() {
    // DESIGN.md: function words dropped and inflection do not reword.
    let env = TestEnv::new();
    let a = env.write("a.txt", "The speech began. Respect for cyber sovereignty comes first in the list of principles we hold.\n");
    let b = env.write("b.txt", "The letter reiterated the need of respecting cyber sovereignty which comes first in the list of principles we hold.\n");
    let r = env.compare_json(&a, &b, &[]);
    let ps = r["passages"].as_array().unwrap();
    assert!(!ps.is_empty());
    assert!(ps.iter().all(|p| p["kind"] == "repeated"), "{ps:#?}");
    let s = env.write(
        "s.toml",
        "[[statement]]\nid = \"p1\"\ntext = \"Respect for cyber sovereignty\"\n",
    );
    let t = env.track_json(&s, &[&b], &[]);
    assert_eq!(t["cells"][0]["status"], "repeated");
}

#[test]
fn track_finds_a_list_item_reworded_between_its_found_neighbours() {
    // "Building a sound order" shares only "order" with "Cultivation of good order", but it is the
    // fourth heading of a list whose first three are found in order.
    let env = TestEnv::new();
    let doc = env.write(
        "doc.txt",
        "Principles\n\nRespecting sovereignty in cyberspace. Text about it.\n\nUpholding peace and security. More text.\n\nPromoting openness and cooperation. Even more.\n\nBuilding a sound order. The end of the list.\n\nAn order of pizza arrived later.\n",
    );
    let s = env.write(
        "s.toml",
        "[[statement]]\nid = \"p1\"\ngroup = \"P\"\ntext = \"Respect for sovereignty in cyberspace\"\n\
         [[statement]]\nid = \"p2\"\ngroup = \"P\"\ntext = \"Upholding peace and security\"\n\
         [[statement]]\nid = \"p3\"\ngroup = \"P\"\ntext = \"Promotion of openness and cooperation\"\n\
         [[statement]]\nid = \"p4\"\ngroup = \"P\"\ntext = \"Cultivation of good order\"\n",
    );
    let t = env.track_json(&s, &[&doc], &[]);
    let p4 = track_cell(&t, "p4", "doc");
    assert_eq!(p4["span"]["text"], "Building a sound order", "{p4:#}");
    assert_ne!(p4["status"], "absent");
}

#[test]
fn track_on_long_text_without_sentence_breaks_completes() {
    // Issue 16, item 1: a 2,500-word unpunctuated document with a 400-word statement took 34 s and
    // one repeated word a megabyte long did not finish. Windows are now bounded; the harness
    // timeout is generous (no timing is asserted), the answers are checked.
    let env = TestEnv::new();
    let vocab: Vec<String> = (0..300)
        .map(|i| format!("w{}x{}", i % 37, i % 23))
        .collect();
    let mut x: u64 = 7;
    let mut pick = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        vocab[(x >> 33) as usize % vocab.len()].clone()
    };
    let doc: Vec<String> = (0..2500).map(|_| pick()).collect();
    let long: Vec<String> = (0..400).map(|_| pick()).collect();
    let short = doc[1000..1012].join(" ");
    let d = env.write("doc.txt", doc.join(" "));
    let s = env.write(
        "s.toml",
        format!("[[statement]]\nid = \"long\"\ntext = \"{}\"\n[[statement]]\nid = \"short\"\ntext = \"{short}\"\n", long.join(" ")),
    );
    let mut cmd = env.cmd();
    cmd.timeout(std::time::Duration::from_secs(60));
    let out = cmd
        .arg("track")
        .arg("-s")
        .arg(&s)
        .arg(&d)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let short_cell = track_cell(&t, "short", "doc");
    assert_eq!(short_cell["status"], "repeated");
    assert_eq!(
        fold(short_cell["span"]["text"].as_str().unwrap()),
        fold(&short)
    );
    // A megabyte of one word.
    let d = env.write("one.txt", "word ".repeat(200_000));
    let s = env.write(
        "w.toml",
        "[[statement]]\nid = \"w\"\ntext = \"word word word\"\n",
    );
    let mut cmd = env.cmd();
    cmd.timeout(std::time::Duration::from_secs(60));
    cmd.arg("track")
        .arg("-s")
        .arg(&s)
        .arg(&d)
        .arg("-q")
        .assert()
        .success();
}
