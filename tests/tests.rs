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

    /// A folder `name` in the temporary folder holding the bundled corpus's files that start with
    /// `prefixes` ([`TestEnv::input`]).
    fn inputs_in(&self, name: &str, prefixes: &[&str]) {
        std::fs::create_dir(self.path(name)).unwrap();
        for prefix in prefixes {
            let from = TestEnv::input(prefix);
            std::fs::copy(&from, self.path(name).join(from.file_name().unwrap())).unwrap();
        }
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
        // Repeated in blue, as on the HTML pages (red reads as "deleted").
        .stdout(predicate::str::contains("\x1b[34m"));
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
fn kjv_and_web_genesis_are_reported_verse_by_verse_and_pan_copies_stay_whole() {
    // Issue 14: every verse of Genesis 1-6 is reworded between the two translations; the aligner's
    // long passages are split at the line breaks both sides share, so that a verse is reported (and
    // labelled) on its own: a passage covers a verse *tightly* when both its sides stay inside at most
    // two verses (tools/bible_tight.py counts the same).
    let env = TestEnv::new();
    let gold_text = std::fs::read_to_string(eval_data("bible/KJV_WEB_gen1-6.gold.jsonl")).unwrap();
    let gold: Vec<Value> = gold_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let out = env
        .cmd()
        .arg("compare")
        .arg(eval_data("bible/KJV_gen1-6.txt"))
        .arg(eval_data("bible/WEB_gen1-6.txt"))
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ps = r["passages"].as_array().unwrap();
    let span = |v: &Value, side: &str| {
        (
            v[side]["start"].as_u64().unwrap(),
            v[side]["end"].as_u64().unwrap(),
        )
    };
    let case = |g: &Value, side: &str| {
        (
            g[format!("{side}_begin")].as_u64().unwrap(),
            g[format!("{side}_end")].as_u64().unwrap(),
        )
    };
    let ov = |x: (u64, u64), y: (u64, u64)| x.0 < y.1 && y.0 < x.1;
    let verses = |p: &Value, side: &str| {
        gold.iter()
            .filter(|g| ov(span(p, side), case(g, side)))
            .count()
    };
    let (mut covered, mut tight) = (0, 0);
    for g in &gold {
        let hit: Vec<&Value> = ps
            .iter()
            .filter(|p| ov(span(p, "a"), case(g, "a")) && ov(span(p, "b"), case(g, "b")))
            .collect();
        covered += usize::from(!hit.is_empty());
        tight += usize::from(
            hit.iter()
                .any(|p| verses(p, "a") <= 2 && verses(p, "b") <= 2),
        );
    }
    assert_eq!(gold.len(), 160);
    assert!(covered >= 157, "covered {covered}");
    assert!(tight >= 150, "tightly covered {tight}");
    // Both labels occur: the verses are judged one by one.
    let kinds: Vec<&str> = ps.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"repeated") && kinds.contains(&"reworded"),
        "{kinds:?}"
    );

    // The PAN "no obfuscation" copies are near-verbatim: not split, one detection per case.
    let out = env
        .cmd()
        .arg("eval")
        .arg(eval_data("pan13/gold.jsonl"))
        .args(["--json", "-", "--no-reworded"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &r["datasets"][0];
    assert_eq!(d["granularity"].as_f64().unwrap(), 1.0, "{d:#}");
    assert!(d["plagdet"].as_f64().unwrap() >= 0.96, "{d:#}");
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
    let run = |threads: &str, summary: bool| {
        let out = env
            .cmd()
            .env("RAYON_NUM_THREADS", threads)
            .arg("scan")
            .arg("corpus")
            .arg(&inputs)
            .args(["--json", "-"])
            .args(summary.then_some("--json-summary"))
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    for summary in [false, true] {
        let (one, two) = (run("1", summary), run("2", summary));
        assert!(one.len() > 1000);
        assert!(
            one == two,
            "JSON differs between 1 and 2 threads (summary: {summary})"
        );
    }
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

// ---- corpus engine: clusters on real text (issue 13) ----

/// The bundled corpus with real parallel texts beside it: Genesis 1-6 in two translations (every verse
/// reworded) and two pairs of parallel psalms, dated so that the reuse runs forward in time.
fn real_text_corpus(env: &TestEnv, folder: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(env.path(folder)).unwrap();
    for e in std::fs::read_dir(root.join("inputs")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "txt") {
            std::fs::copy(e.path(), env.path(folder).join(e.file_name())).unwrap();
        }
    }
    let bible = root.join("eval-data/bible");
    let copies = [
        ("KJV_gen1-6.txt", "1611_kjv_gen.txt"),
        ("WEB_gen1-6.txt", "2000_web_gen.txt"),
        ("parallels/2sam22_ps18_A.txt", "1700_2sam22.txt"),
        ("parallels/2sam22_ps18_B.txt", "1701_ps18.txt"),
        ("parallels/ps14_ps53_A.txt", "1702_ps14.txt"),
        ("parallels/ps14_ps53_B.txt", "1703_ps53.txt"),
    ];
    for (from, to) in copies {
        std::fs::copy(bible.join(from), env.path(folder).join(to)).unwrap();
    }
}

/// The content words of a text as their first five letters, normalised, so that an inflection or
/// a derivation of the same root ("safeguard" / "safeguarding", which a reworded passage may use)
/// counts as a shared word and "of the" does not.
fn word_set(s: &str) -> std::collections::BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .map(cyberdiff::text::normalize)
        .filter(|w| !w.is_empty() && !cyberdiff::text::is_stop_form(w))
        .map(|w| w.chars().take(5).collect())
        .collect()
}

#[test]
fn scan_clusters_on_real_text_hold_one_passage_with_an_earlier_source() {
    let env = TestEnv::new();
    real_text_corpus(&env, "corpus");
    let r = env.scan_json(&["corpus"]);
    let dates: std::collections::BTreeMap<&str, &str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["date"].as_str().unwrap()))
        .collect();
    let clusters = r["clusters"].as_array().unwrap();
    assert!(clusters.len() >= 5, "clusters: {}", clusters.len());
    for c in clusters {
        let occ = c["occurrences"].as_array().unwrap();
        let source = &occ[0];
        let src_words = word_set(source["text"].as_str().unwrap());
        for o in &occ[1..] {
            // Never credited to a later document.
            if let Some(from) = o["from"].as_str() {
                assert!(
                    dates[from] <= o["date"].as_str().unwrap(),
                    "{} credited from the later {from}",
                    o["document"]
                );
            }
            assert!(source["date"].as_str().unwrap() <= o["date"].as_str().unwrap());
            // One passage: every occurrence shares a good part of its content words with the
            // source, so no cluster chains unrelated passages through overlapping spans. A third,
            // not half: an occurrence joined to the source through a third document's rewording
            // shares fewer surface words with it (2015 "development of a cyber economy", 2017
            // "promotion of the global development of the digital economy", both restated by a
            // 2019 heading), while unrelated passages share next to none.
            let words = word_set(o["text"].as_str().unwrap());
            let shared = words.intersection(&src_words).count();
            assert!(
                shared >= 2 && shared * 3 >= words.len().min(src_words.len()),
                "unrelated occurrences in one cluster: {:?} ~ {:?}",
                source["text"],
                o["text"]
            );
        }
    }
    // The slogan of the bundled corpus is one cluster across its documents, not one per pair.
    let slogan = clusters
        .iter()
        .filter(|c| {
            c["occurrences"][0]["text"]
                .as_str()
                .unwrap()
                .contains("shared future in cyberspace")
        })
        .count();
    assert!(slogan >= 1);
}

/// Issue 13's overlap stress in small: 60 documents of 5 paragraphs drawn from a pool of 12
/// (deterministic draws). Pairs share one, two or three neighbouring paragraphs as one passage;
/// the clusters must be the pool's paragraphs, each with every document holding it, not the
/// combinations that pairs happen to share.
#[test]
fn scan_clusters_of_an_overlap_corpus_are_the_pool_paragraphs() {
    let env = TestEnv::new();
    let root = env.path("overlap");
    std::fs::create_dir_all(&root).unwrap();
    let pool: Vec<String> = (0..12)
        .map(|i| made_up_words(700 + i, 40).join(" "))
        .collect();
    let mut x: u64 = 13;
    let mut holders: std::collections::BTreeMap<usize, std::collections::BTreeSet<String>> =
        Default::default();
    for d in 0..60 {
        let id = format!("2001-{:02}-{:02}_o{d:02}", d / 28 + 1, d % 28 + 1);
        let paras: Vec<usize> = (0..5)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 33) as usize % pool.len()
            })
            .collect();
        for &p in &paras {
            holders.entry(p).or_default().insert(id.clone());
        }
        let text: Vec<&str> = paras.iter().map(|&p| pool[p].as_str()).collect();
        std::fs::write(root.join(format!("{id}.txt")), text.join("\n\n") + "\n").unwrap();
    }
    // Every paragraph is in about 25 of the 60 documents: boilerplate by the default threshold.
    let r = env.scan_json(&["overlap", "--boilerplate-min-docs", "61"]);
    let clusters = r["clusters"].as_array().unwrap();
    let mut found = std::collections::BTreeMap::new();
    for c in clusters {
        let occ = c["occurrences"].as_array().unwrap();
        let text = occ[0]["text"].as_str().unwrap();
        let p = pool
            .iter()
            .position(|x| x == text)
            .unwrap_or_else(|| panic!("a cluster that is not one pool paragraph: {text:?}"));
        let docs: std::collections::BTreeSet<String> = occ
            .iter()
            .map(|o| {
                assert_eq!(o["text"], text, "one paragraph throughout");
                o["document"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(c["documents"], docs.len());
        assert!(
            found.insert(p, docs).is_none(),
            "paragraph {p} in two clusters"
        );
        // Every later document's copy is credited to an earlier document (a second copy in the
        // source document is not credited).
        for o in occ.iter().filter(|o| o["document"] != occ[0]["document"]) {
            let from = o["from"].as_str().expect("joined to an earlier document");
            assert!(from < o["document"].as_str().unwrap());
        }
    }
    assert_eq!(
        found,
        holders.into_iter().filter(|(_, d)| d.len() >= 2).collect()
    );
}

/// The first words of a passage as both reports give it (`check` shows a one-line snippet).
fn text_start(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(40)
        .collect()
}

/// Every non-boilerplate passage of a scan as `check` locates it: (later document, line, column,
/// start of the text, earlier document).
fn scan_passages(r: &Value) -> std::collections::BTreeSet<(String, u64, u64, String, String)> {
    let mut out = std::collections::BTreeSet::new();
    for p in r["pairs"].as_array().unwrap() {
        for x in p["passages"].as_array().unwrap() {
            if x["boilerplate"].as_bool().unwrap() {
                continue;
            }
            out.insert((
                p["b"]["path"].as_str().unwrap().to_owned(),
                x["b"]["line"].as_u64().unwrap(),
                x["b"]["column"].as_u64().unwrap(),
                text_start(x["b"]["text"].as_str().unwrap()),
                p["a"]["path"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// The same from `check`'s reused-share findings (with a threshold of 0, every document with reuse).
fn check_passages(r: &Value) -> std::collections::BTreeSet<(String, u64, u64, String, String)> {
    let mut out = std::collections::BTreeSet::new();
    for f in r["findings"].as_array().unwrap() {
        if f["rule"] != "reused-share" {
            continue;
        }
        for l in f["locations"].as_array().unwrap() {
            out.insert((
                l["path"].as_str().unwrap().to_owned(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
                text_start(l["text"].as_str().unwrap()),
                l["source"]["path"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// The passages `check` lists of each later document: the first `MAX_LOCATIONS` (50) by line,
/// column and source (KJV ~ WEB Genesis has more passages than that, one per verse).
fn capped(
    all: std::collections::BTreeSet<(String, u64, u64, String, String)>,
) -> std::collections::BTreeSet<(String, u64, u64, String, String)> {
    let mut by_doc: std::collections::BTreeMap<String, Vec<_>> = Default::default();
    for x in all {
        by_doc.entry(x.0.clone()).or_default().push(x);
    }
    let mut out = std::collections::BTreeSet::new();
    for (_, mut list) in by_doc {
        list.sort_by(|x, y| (x.1, x.2, &x.4).cmp(&(y.1, y.2, &y.4)));
        out.extend(list.into_iter().take(50));
    }
    out
}

#[test]
fn check_and_scan_find_the_same_passages_full_and_incremental() {
    // The bundled corpus, real parallel texts and a generated corpus with planted reuse, in one folder.
    let env = TestEnv::new();
    real_text_corpus(&env, "corpus");
    let planted = planted_corpus(&env, "planted");
    for e in std::fs::read_dir(&planted).unwrap().flatten() {
        std::fs::rename(e.path(), env.path("corpus").join(e.file_name())).unwrap();
    }
    let scan = env.scan_json(&["corpus"]);
    let from_scan = capped(scan_passages(&scan));
    assert!(from_scan.len() >= 20, "{} passages", from_scan.len());
    let gate = ["corpus", "--reused-share", "0", "--boilerplate", "false"];
    let (code, full, err) = check_json(&env, &[&gate[..], &["--no-cache"]].concat());
    assert_eq!(code, 1, "{err}");
    assert_eq!(check_passages(&full), from_scan, "check --no-cache == scan");

    // Incremental: half the documents first (the cache is written), then the rest added.
    let mut names: Vec<_> = std::fs::read_dir(env.path("corpus"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    std::fs::create_dir_all(env.path("later")).unwrap();
    for n in names.iter().skip(names.len() / 2) {
        std::fs::rename(env.path("corpus").join(n), env.path("later").join(n)).unwrap();
    }
    let (_, first, err) = check_json(&env, &gate);
    assert_ne!(first["cache"]["status"], "off", "{err}");
    for n in names.iter().skip(names.len() / 2) {
        std::fs::rename(env.path("later").join(n), env.path("corpus").join(n)).unwrap();
    }
    let (_, added, err) = check_json(&env, &gate);
    assert_eq!(added["cache"]["status"], "incremental", "{err}");
    assert_eq!(
        check_passages(&added),
        from_scan,
        "incremental check == scan"
    );
}

#[test]
fn scan_json_summary_has_the_spans_of_the_full_report_without_texts() {
    let env = TestEnv::new();
    real_text_corpus(&env, "corpus");
    // Text in three documents is boilerplate here, so that the corpus has some.
    let full = env.scan_json(&["corpus", "--boilerplate-min-docs", "3"]);
    let summary = env.scan_json(&["corpus", "--boilerplate-min-docs", "3", "--json-summary"]);
    assert_eq!(summary["level"], "summary");
    // Full pairs and passages, then the summary's rows, read through the names of their fields.
    type Row = (String, String, u64, String, u64, u64, u64, u64, u64, u64);
    let mut f: Vec<Row> = Vec::new();
    for p in full["pairs"].as_array().unwrap() {
        for x in p["passages"].as_array().unwrap() {
            assert!(x["a"].get("text").is_some() && x.get("ops").is_some());
            f.push((
                p["a"]["id"].as_str().unwrap().to_owned(),
                p["b"]["id"].as_str().unwrap().to_owned(),
                p["shared_ngrams"].as_u64().unwrap(),
                x["kind"].as_str().unwrap().to_owned(),
                x["a"]["start"].as_u64().unwrap(),
                x["a"]["end"].as_u64().unwrap(),
                x["a"]["line"].as_u64().unwrap(),
                x["b"]["start"].as_u64().unwrap(),
                x["b"]["end"].as_u64().unwrap(),
                x["b"]["line"].as_u64().unwrap(),
            ));
        }
    }
    let names = |key: &str| -> Vec<String> {
        summary[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let (pair_fields, passage_fields) = (names("pair_fields"), names("passage_fields"));
    let col = |fields: &[String], name: &str| fields.iter().position(|n| n == name).unwrap();
    let mut s: Vec<Row> = Vec::new();
    for p in summary["pairs"].as_array().unwrap() {
        let p = p.as_array().unwrap();
        assert_eq!(p.len(), pair_fields.len());
        let pc = |name: &str| &p[col(&pair_fields, name)];
        for x in pc("passages").as_array().unwrap() {
            let x = x.as_array().unwrap();
            assert_eq!(x.len(), passage_fields.len());
            let xc = |name: &str| x[col(&passage_fields, name)].as_u64().unwrap();
            s.push((
                pc("a").as_str().unwrap().to_owned(),
                pc("b").as_str().unwrap().to_owned(),
                pc("shared_ngrams").as_u64().unwrap(),
                x[col(&passage_fields, "kind")].as_str().unwrap().to_owned(),
                xc("a_start"),
                xc("a_end"),
                xc("a_line"),
                xc("b_start"),
                xc("b_end"),
                xc("b_line"),
            ));
        }
    }
    assert!(!f.is_empty());
    assert_eq!(f, s);
    // The clusters' occurrences as rows of `occurrence_fields`, without their texts.
    let occ_fields = names("occurrence_fields");
    let occurrences = |r: &Value, rows: bool| -> Vec<Vec<Value>> {
        let mut v = Vec::new();
        for c in r["clusters"].as_array().unwrap() {
            for o in c["occurrences"].as_array().unwrap() {
                v.push(if rows {
                    o.as_array().unwrap().clone()
                } else {
                    assert!(o["text"].as_str().is_some_and(|t| !t.is_empty()));
                    occ_fields.iter().map(|n| o[n].clone()).collect()
                });
            }
        }
        v
    };
    let occ = occurrences(&full, false);
    assert!(
        occ.iter().any(|o| o[5].is_string()),
        "some occurrence has a source"
    );
    assert_eq!(occ, occurrences(&summary, true));
    // Boilerplate places as rows of `place_fields`, without the texts.
    let place_fields = names("place_fields");
    let places = |r: &Value, rows: bool| -> Vec<Vec<Value>> {
        let mut v = Vec::new();
        for b in r["boilerplate"].as_array().unwrap() {
            assert_eq!(b.get("text").is_some(), !rows);
            for o in b["occurrences"].as_array().unwrap() {
                v.push(if rows {
                    o.as_array().unwrap().clone()
                } else {
                    place_fields.iter().map(|n| o[n].clone()).collect()
                });
            }
        }
        v
    };
    assert!(
        !places(&full, false).is_empty(),
        "the corpus has boilerplate"
    );
    assert_eq!(places(&full, false), places(&summary, true));
    let bytes = |r: &Value| serde_json::to_string(r).unwrap().len();
    assert!(bytes(&summary) * 2 < bytes(&full), "the summary is smaller");
    // One record per line: each document, pair row, cluster, ... is a line of its own.
    let out = env
        .cmd()
        .args([
            "scan",
            "corpus",
            "--boilerplate-min-docs",
            "3",
            "--json-summary",
        ])
        .args(["--json", "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = text
        .lines()
        .filter(|l| l.starts_with("    [") || l.starts_with("    {"))
        .count();
    assert_eq!(
        rows,
        [
            "skipped",
            "documents",
            "pairs",
            "clusters",
            "duplicates",
            "boilerplate"
        ]
        .iter()
        .map(|k| summary[k].as_array().unwrap().len())
        .sum::<usize>()
    );
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

/// Empty sections of the scan page say why they are empty instead of showing a bare header, and the
/// manifest's titles, sources and notes are shown (escaped).
#[test]
fn scan_html_explains_empty_sections_and_shows_titles() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("docs")).unwrap();
    let shared = "We should speed up the building of an online platform for cultural exchanges and \
                  mutual learning among all the countries of the world.";
    let (a, b) = (gate_words(1, 120).join(" "), gate_words(2, 120).join(" "));
    env.write("docs/2015_a.txt", format!("{a}\n\n{shared}\n"));
    env.write("docs/2017_b.txt", format!("{shared}\n\n{b}\n"));
    env.write(
        "docs/corpus.toml",
        "[[document]]\nfile = \"2015_a.txt\"\ntitle = \"The <b>first</b> text\"\nsource = \"Wire\"\nnote = \"Only page 2\"\n",
    );
    env.cmd()
        .args(["scan", "docs", "--html", "out/scan.html", "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(env.path("out/scan.html")).unwrap();
    assert!(
        html.contains("No two documents are duplicates"),
        "duplicates"
    );
    assert!(html.contains("No text recurs in"), "boilerplate");
    // Two documents: the one pair, no cluster of three, and tables only where there are rows.
    assert_eq!(
        html.matches("<table class=\"list\"").count(),
        3,
        "clusters, pairs, documents"
    );
    assert!(html.contains("The &#60;b&#62;first&#60;/b&#62; text") && !html.contains("<b>first"));
    assert!(html.contains("Only page 2") && html.contains(">Wire<"));
    // The page links its pair page, and the pair page its scan page back.
    let pair = std::fs::read_to_string(env.path("out/scan-pairs/pair-00001.html")).unwrap();
    assert!(html.contains("href=\"scan-pairs/pair-00001.html\""));
    assert!(
        pair.contains("href=\"../scan.html\""),
        "the pair page links back"
    );
    assert!(pair.contains("Only page 2"), "the pair page shows the note");
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
        "class=\"ctl\"",
        "id=\"duplicates\"",
        "id=\"boilerplate\"",
        "scan-pairs/pair-00001.html",
        // The heat map's colour scale, and its cells in percent.
        "class=\"scale\"",
        "%</a></td>",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // The page runs no script at all, and its text is escaped.
    assert!(html.contains("script-src &#39;none&#39;") && !html.contains("<script"));
    assert!(html.contains("&#60;script&#62;alert(1)") || !html.contains("alert(1)"));
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
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b[34m"));
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

/// The main job's terminal output answers the question: the statements × documents grid, each
/// statement's wording per document, the passages found in most documents, the partial 2015 text's
/// note, and where the index page is.
#[test]
fn report_prints_the_grid_the_recurring_passages_and_the_index() {
    let env = TestEnv::new();
    let out = env.path("r");
    let assert = Command::cargo_bin("cyberdiff")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.starts_with("statement"))
        .expect("a grid header");
    for date in [
        "2015-12-16",
        "2017-03-01",
        "2019-10",
        "2020-11-23",
        "2022-11-07",
    ] {
        assert!(lines[head].contains(date), "{date} in {}", lines[head]);
    }
    let ids = ["p1", "p2", "p3", "p4", "r1", "r2", "r3", "r4", "r5"];
    for (k, id) in ids.iter().enumerate() {
        assert!(
            lines[head + 1 + k].starts_with(id),
            "row {id}: {}",
            lines[head + 1 + k]
        );
    }
    // The 2015 text is page 2 of a news report: the four principles cannot be in it.
    assert!(lines[head + 1].split_whitespace().nth(1) == Some("·"));
    assert!(stdout.contains("\np1  Respect for cyber sovereignty\n"));
    assert!(stdout.contains("Passages found in the most documents"));
    assert!(stdout.contains("OPOSALS FOR"), "the 2015 note");
    assert!(stdout.contains(&out.join("index.html").display().to_string()));
    assert!(stdout.contains("track.html"));
    assert!(!stdout.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn top_zero_prints_no_empty_table_header() {
    let env = TestEnv::new();
    let root = planted_corpus(&env, "corpus");
    let out = env
        .cmd()
        .args(["scan"])
        .arg(&root)
        .args(["--top", "0"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("pairs: "), "{stdout}");
    assert!(
        !stdout.contains("a -> b") && !stdout.contains("top 0"),
        "{stdout}"
    );
}

/// `report`'s parts are what `scan --reworded`, `dedup` and `track` write for the same corpus, from
/// one reading and one scan of it: the corpus is read and tokenised once (the stage times say so),
/// and dedup's plan, taken from the report's scan with the reworded tier's passages left out, is
/// `dedup`'s (the fixture is a near-duplicate only with the tier: the scan lists it, dedup keeps it).
#[test]
fn report_parts_are_what_the_commands_write_from_one_reading_of_the_corpus() {
    let env = TestEnv::new();
    env.inputs_in("corpus", &["2017", "2022", "statements"]);
    std::fs::copy(
        repo("tests/fixtures/reworded-copy.txt"),
        env.path("corpus/2023_copy.txt"),
    )
    .unwrap();
    env.write("corpus/empty.txt", "");
    let out = env
        .cmd()
        .args(["report", "corpus", "--out", "rep", "-q"])
        .env("CYBERDIFF_TIMINGS", "1")
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let times = |stage: &str| {
        stderr
            .lines()
            .filter(|l| l.starts_with(&format!("cyberdiff: time: {stage} ")))
            .count()
    };
    assert_eq!(times("read"), 1, "the corpus is read once: {stderr}");
    assert_eq!(times("tokenise"), 1, "and tokenised once: {stderr}");
    assert_eq!(
        stderr.matches("empty.txt: is empty").count(),
        1,
        "one warning per skipped input: {stderr}"
    );
    let commands: [&[&str]; 3] = [
        &["scan", "--reworded", "corpus", "--json", "scan.json", "-q"],
        &["dedup", "corpus", "--json", "dedup.json", "-q"],
        &[
            "track",
            "--statements",
            "corpus/statements.toml",
            "corpus",
            "--json",
            "track.json",
            "-q",
        ],
    ];
    let combined: Value =
        serde_json::from_slice(&std::fs::read(env.path("rep/report.json")).unwrap()).unwrap();
    for argv in commands {
        let out = env.cmd().args(argv).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
        let name = format!("{}.json", argv[0]);
        let want = std::fs::read(env.path(&name)).unwrap();
        assert!(
            want == std::fs::read(env.path("rep").join(&name)).unwrap(),
            "rep/{name} is what `cyberdiff {}` writes",
            argv.join(" ")
        );
        assert_eq!(
            combined[argv[0]],
            serde_json::from_slice::<Value>(&want).unwrap()
        );
    }
    let scan: Value =
        serde_json::from_slice(&std::fs::read(env.path("scan.json")).unwrap()).unwrap();
    let dedup: Value =
        serde_json::from_slice(&std::fs::read(env.path("dedup.json")).unwrap()).unwrap();
    assert_eq!(
        scan["duplicates"][0]["b"], "2023_copy",
        "{}",
        scan["duplicates"]
    );
    assert_eq!(dedup["removed_documents"], serde_json::json!([]));
    assert_eq!(dedup["manifest"]["parameters"]["reworded"], false);
}

#[test]
fn report_json_summary_writes_the_scan_as_scan_json_summary_does() {
    let env = TestEnv::new();
    env.inputs_in("corpus", &["2015", "2017", "2019"]);
    for argv in [
        &["report", "corpus", "--out", "full", "-q"][..],
        &["report", "corpus", "--out", "sum", "--json-summary", "-q"],
        &[
            "scan",
            "corpus",
            "--json-summary",
            "--json",
            "scan.json",
            "-q",
        ],
    ] {
        let out = env.cmd().args(argv).output().unwrap();
        assert!(out.status.success(), "{argv:?}: {}", stderr_of(&out));
    }
    let read = |name: &str| std::fs::read(env.path(name)).unwrap();
    let json = |name: &str| serde_json::from_slice::<Value>(&read(name)).unwrap();
    assert!(
        read("sum/scan.json") == read("scan.json"),
        "sum/scan.json is what `scan --json-summary` writes"
    );
    let (full, sum) = (json("full/report.json"), json("sum/report.json"));
    assert_eq!(sum["scan"], json("scan.json"));
    assert_eq!(sum["scan"]["level"], "summary");
    assert!(
        sum["scan"]["pairs"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    assert_eq!(
        sum["scan"]["pairs"].as_array().unwrap().len(),
        full["scan"]["pairs"].as_array().unwrap().len()
    );
    // A summary pair is a row: ids, shared n-grams, shares and its passages' spans, no texts.
    let (row, pair) = (&sum["scan"]["pairs"][0], &full["scan"]["pairs"][0]);
    assert_eq!(row[0], pair["a"]["id"], "{row}");
    assert!(pair["passages"][0]["a"]["text"].is_string(), "{pair}");
    assert_eq!(
        row[5].as_array().map(Vec::len),
        pair["passages"].as_array().map(Vec::len)
    );
    assert!(
        !row.to_string()
            .contains(pair["passages"][0]["a"]["text"].as_str().unwrap())
    );
    assert_eq!(sum["dedup"], full["dedup"]);
    assert_eq!(sum["track"], full["track"]);
    assert!(read("sum/report.json").len() < read("full/report.json").len());
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
    // Regression: it warned that tracking was left out, then listed track.html among the pages.
    env.cmd()
        .args(["report", "docs", "--out", "out"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no statements file"))
        .stdout(
            predicate::str::contains("index.html").and(predicate::str::contains("track").not()),
        );
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

/// A gate document of 20 words (seeded), with a fixed 150-word passage in it or 150 other words.
fn passage_doc(seed: u64, with: bool) -> String {
    let mut w = gate_words(seed, 20);
    if with {
        w.splice(10..10, gate_words(4242, 150));
    } else {
        w.extend(gate_words(seed + 50, 150));
    }
    gate_text(&w)
}

/// A gate corpus of `n` documents `corpus/2020-01-DD_dI.txt` ([`passage_doc`], seed 300 + i), those
/// `with(i)` holding the passage, checked with max_df 3.
fn passage_corpus(n: u64, with: impl Fn(u64) -> bool) -> TestEnv {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("corpus")).unwrap();
    for i in 0..n {
        let name = format!("corpus/2020-01-{:02}_d{i}.txt", i + 1);
        env.write(&name, passage_doc(300 + i, with(i)));
    }
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\n[thresholds]\nreused_share = 0.1\nmax_df = 3\n",
    );
    env
}

#[test]
fn check_stays_incremental_when_an_added_document_makes_old_shared_text_common() {
    // A new document lifting an n-gram that several old documents hold past max_df changes their
    // pairs (the n-gram no longer counts; they may link through it to its earliest holder). Check
    // rebuilt its whole index then, which on the Bible corpus was 3 of 5 added chapters.
    // d0, d2 and d4 hold the passage: in max_df documents, so their pairs count it.
    let env = passage_corpus(8, |i| i % 2 == 0 && i < 5);
    let doc = passage_doc;
    let (_, before, err) = check_json(&env, &[]);
    assert_eq!(before["cache"]["status"], "built", "{err}");
    env.write("corpus/2020-02-01_new.txt", doc(400, true));
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    // The new document and the three old holders, not the others.
    assert_eq!(v["cache"]["documents_read"], 4, "{}", v["cache"]);
    assert_same_as_full_run(&env, &v);
    // The old holders are still near-duplicates of the earliest, now through their links, and the
    // new one is too; d2 and d4 were a pair through the passage and are no longer.
    let mut dups = check_duplicates(&v);
    dups.sort();
    let want: Vec<(String, String)> = ["d2", "d4", "new"]
        .iter()
        .map(|d| {
            let later = if *d == "new" {
                "corpus/2020-02-01_new.txt".to_owned()
            } else {
                format!("corpus/2020-01-0{}_{d}.txt", if *d == "d2" { 3 } else { 5 })
            };
            (later, "corpus/2020-01-01_d0.txt".to_owned())
        })
        .collect();
    assert_eq!(dups, want);
    assert!(!check_duplicates(&before).is_empty());

    // A document dated before all others holding the passage, common by now: every holder's link
    // moves to it (check rebuilt then too).
    env.write("corpus/2019-06-01_early.txt", doc(500, true));
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    assert_eq!(v["cache"]["documents_read"], 5, "{}", v["cache"]);
    assert_same_as_full_run(&env, &v);
    let mut dups: Vec<String> = check_duplicates(&v)
        .into_iter()
        .filter(|(_, earlier)| earlier == "corpus/2019-06-01_early.txt")
        .map(|(later, _)| later)
        .collect();
    dups.sort();
    assert_eq!(
        dups,
        [
            "corpus/2020-01-01_d0.txt",
            "corpus/2020-01-03_d2.txt",
            "corpus/2020-01-05_d4.txt",
            "corpus/2020-02-01_new.txt"
        ]
    );
}

#[test]
fn check_stays_incremental_when_files_are_removed_or_changed() {
    // A removed or changed file rebuilt the whole index. Now its document leaves the state: the
    // pairs of the documents left change only where it made text common or held it first.
    // d0, d2, d4, d6 and d8 hold the passage, common with max_df 3: the later ones link to d0.
    let env = passage_corpus(10, |i| i % 2 == 0);
    let doc = passage_doc;
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "built", "{err}");
    let dups = |v: &Value| {
        let mut d = check_duplicates(v);
        d.sort();
        d
    };
    let name = |i: u32| format!("corpus/2020-01-{:02}_d{i}.txt", i + 1);
    assert_eq!(
        dups(&v),
        [2, 4, 6, 8].map(|i| (name(i), name(0))),
        "linked to the earliest holder"
    );

    // d0 edited, still holding the passage first: the links stay with it; d0 is read, and the four
    // documents it is linked with.
    env.write(&name(0), doc(900, true));
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    assert_eq!(v["cache"]["documents_read"], 5, "{}", v["cache"]);
    assert_eq!(dups(&v), [2, 4, 6, 8].map(|i| (name(i), name(0))));
    assert_same_as_full_run(&env, &v);

    // d0 removed: the others' links move to d2, the earliest holder left (4 documents read).
    std::fs::remove_file(env.path(&name(0))).unwrap();
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    assert_eq!(v["cache"]["documents_read"], 4, "{}", v["cache"]);
    assert_eq!(dups(&v), [4, 6, 8].map(|i| (name(i), name(2))));
    assert_same_as_full_run(&env, &v);

    // d8 changed, no longer holding the passage: the passage is rare again (d2, d4 and d6), which
    // their pairs count; the new d8 is read, and the three.
    env.write(&name(8), doc(777, false));
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    assert_eq!(v["cache"]["documents_read"], 4, "{}", v["cache"]);
    assert_eq!(
        dups(&v),
        [(4, 2), (6, 2), (6, 4)].map(|(x, y)| (name(x), name(y)))
    );
    assert_same_as_full_run(&env, &v);

    // A file removed that shares nothing: nothing read. And the cache is used on the next run.
    std::fs::remove_file(env.path(&name(9))).unwrap();
    let (_, v, err) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{err} {}", v["cache"]);
    assert_eq!(v["cache"]["documents_read"], 0, "{}", v["cache"]);
    assert_same_as_full_run(&env, &v);
    let (_, again, _) = check_json(&env, &[]);
    assert_eq!(again["cache"]["status"], "unchanged");
    assert_eq!(again["findings"], v["findings"]);
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
    // Seen, and taken in without a rebuild: the old d5 removed, the new one added.
    assert_eq!(v["cache"]["status"], "incremental", "{}", v["cache"]);
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

/// Make a named pipe at `path` (with `mkfifo`).
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
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
    mkfifo(&fifo);
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
    // The temporary files of the outputs: beside each target, and anywhere in `fresh_dir`; and the
    // folders that output folders (`report`'s, `dedup --out`) are built in, beside them.
    let mut watched: Vec<PathBuf> = targets
        .iter()
        .map(|t| env.path(t).parent().unwrap().to_path_buf())
        .chain([env.dir.path().to_path_buf()])
        .collect();
    watched.sort();
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
            let _ = std::fs::remove_file(&t).or_else(|_| std::fs::remove_dir_all(&t));
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
    // Six rounds, and more (up to 40) until one is caught mid-write: the window is short, and on a
    // loaded machine it can fall between two polls again and again.
    for round in 0..40 {
        if round >= 6 && killed_mid_write >= 1 {
            break;
        }
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
/// `compare b a` a shorter repeated one, where mirror images are wanted (ARCHITECTURE.md, "Determinism"). The two pieces have
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

// ---------------------------------------------------------------------------------------------
// Hardening, round two (issue 16): outputs never replace inputs, reports are not read back, caches
// are checked before they are read, links in folders are documents, the gate's verdict survives an
// unwritable cache, the report folder is replaced as a whole, repetition stays bounded in memory,
// file names cannot print lines of their own.

/// The text of `path`, which must still hold `want`.
fn assert_unchanged(path: &Path, want: &str) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        want,
        "{path:?} was replaced"
    );
}

#[test]
fn regression_an_output_that_is_an_input_is_refused_naming_both_roles() {
    let env = TestEnv::new();
    let text_a = "Respect for cyber sovereignty, peace and security, openness and cooperation, good order.\n";
    let text_b = "We respect cyber sovereignty and we keep peace and security, openness and cooperation, good order.\n";
    let a = env.write("a.txt", text_a);
    env.write("b.txt", text_b);
    // The same file by its name, with ./, and through a link.
    std::os::unix::fs::symlink(&a, env.path("link.txt")).unwrap();
    for json in ["a.txt", "./a.txt", "link.txt"] {
        let out = env
            .cmd()
            .args(["compare", "a.txt", "b.txt", "--json", json])
            .output()
            .unwrap();
        assert_exit(&out, 2, "--json");
        assert_exit(&out, 2, "is the input document a.txt");
        assert_unchanged(&a, text_a);
    }
    // Two outputs in one file.
    let out = env
        .cmd()
        .args([
            "compare", "a.txt", "b.txt", "--json", "r.html", "--html", "./r.html",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2, "are the same file");
    assert!(!env.path("r.html").exists());
    // A document of a walked folder, the statements file, the manifest.
    planted_corpus(&env, "corpus");
    let doc = env.path("corpus/2010-03-01_doc.txt");
    let before = std::fs::read_to_string(&doc).unwrap();
    let out = env
        .cmd()
        .args(["scan", "corpus", "--json", "corpus/2010-03-01_doc.txt"])
        .output()
        .unwrap();
    assert_exit(&out, 2, "is a document in the input folder corpus");
    assert_unchanged(&doc, &before);
    let st = "[[statement]]\nid = \"p1\"\ntext = \"respect for cyber sovereignty\"\n";
    let s = env.write("s.toml", st);
    let out = env
        .cmd()
        .args([
            "track",
            "--statements",
            "s.toml",
            "a.txt",
            "--html",
            "s.toml",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2, "is the statements file s.toml");
    assert_unchanged(&s, st);
    let m = env.write("m.toml", "[[document]]\nfile = \"a.txt\"\ntitle = \"A\"\n");
    let out = env
        .cmd()
        .args([
            "scan",
            "a.txt",
            "b.txt",
            "--manifest",
            "m.toml",
            "--json",
            "m.toml",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2, "is the manifest m.toml");
    assert!(std::fs::read_to_string(&m).unwrap().contains("title"));
    // check: --output over the baseline, the configuration or a document.
    let (env, _) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let baseline = std::fs::read_to_string(env.path("cyberdiff-baseline.json")).unwrap();
    for (target, role) in [
        ("cyberdiff-baseline.json", "is the baseline"),
        ("cyberdiff.toml", "is the configuration"),
        (
            "corpus/2020-01-01_d0.txt",
            "is a document in the input folder",
        ),
    ] {
        let out = env
            .cmd()
            .args(["check", "--format", "json", "--output", target])
            .output()
            .unwrap();
        assert_exit(&out, 2, role);
        assert_exit(&out, 2, "--output");
    }
    assert_unchanged(&env.path("cyberdiff-baseline.json"), &baseline);
    // [outputs] in the configuration and --update-baseline's own baseline are outputs too.
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\n[outputs]\njson = \"cyberdiff-baseline.json\"\n",
    );
    let out = env.cmd().arg("check").output().unwrap();
    assert_exit(&out, 2, "outputs.json in cyberdiff.toml");
    assert_unchanged(&env.path("cyberdiff-baseline.json"), &baseline);
}

#[test]
fn regression_reports_written_inside_the_corpus_are_not_read_back() {
    let env = TestEnv::new();
    let corpus = planted_corpus(&env, "corpus");
    let run = || {
        let out = Command::cargo_bin("cyberdiff")
            .unwrap()
            .current_dir(&corpus)
            .args(["report", ".", "-q"])
            .timeout(HANG_GUARD)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let scan: Value =
            serde_json::from_slice(&std::fs::read(corpus.join("reports/scan.json")).unwrap())
                .unwrap();
        scan["documents"].as_array().unwrap().len()
    };
    assert_eq!(run(), 10);
    assert_eq!(run(), 10, "the second run read the first one's pages");
    assert_eq!(run(), 10);
    // A page of an earlier report elsewhere in the corpus (another --out) is recognised, listed as
    // skipped and warned about, not read as a document.
    std::fs::create_dir(corpus.join("old")).unwrap();
    std::fs::copy(
        corpus.join("reports/scan.html"),
        corpus.join("old/scan.html"),
    )
    .unwrap();
    std::fs::copy(
        corpus.join("reports/track.html"),
        corpus.join("old/index.html"),
    )
    .ok();
    let out = env
        .cmd()
        .args(["scan", "corpus", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("a report page written by cyberdiff"));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["documents"].as_array().unwrap().len(), 10);
    let skipped = r["skipped"].to_string();
    assert!(skipped.contains("old/scan.html"), "{skipped}");
    // scan --html inside the corpus: its page and pair pages are not read by the next run.
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    for _ in 0..2 {
        env.cmd()
            .args(["scan", "corpus", "-q", "--html", "corpus/out.html"])
            .assert()
            .code(0);
    }
    assert!(env.path("corpus/out-pairs").is_dir());
}

#[test]
fn regression_a_cache_file_is_checked_before_it_is_read() {
    let (env, _) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let state = env.path(".cyberdiff/state.bin");
    // A device in its place: never read (it would be read until memory runs out).
    std::fs::remove_file(&state).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &state).unwrap();
    let out = limited(&env, 512, &["check"]);
    assert_exit(&out, 0, "not a regular file");
    assert!(String::from_utf8_lossy(&out.stdout).contains("PASS"));
    // A file of 3 GB (sparse) behind a valid start: refused from its declared length.
    std::fs::remove_file(&state).unwrap();
    env.cmd().arg("check").assert().code(0);
    let mut head = std::fs::read(&state).unwrap();
    head.truncate(64);
    std::fs::write(&state, &head).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&state)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let out = limited(&env, 512, &["check"]);
    assert_exit(&out, 0, "declares");
    assert!(String::from_utf8_lossy(&out.stdout).contains("PASS"));
    // A named pipe in its place: not opened (that would wait for a writer).
    std::fs::remove_file(&state).unwrap();
    mkfifo(&state);
    let out = limited(&env, 512, &["check"]);
    assert_exit(&out, 0, "not a regular file");
}

#[test]
fn regression_linked_documents_in_a_folder_are_read_and_what_is_skipped_is_listed() {
    let (env, docs) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    // A copy of a document, kept outside the corpus and added to it as a link: the gate fails.
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    let mut copy = gate_words(777, 200);
    copy.splice(20..20, docs[4][10..100].to_vec());
    env.write("elsewhere/copy.txt", gate_text(&copy));
    std::os::unix::fs::symlink(
        "../elsewhere/copy.txt",
        env.path("corpus/2020-02-01_copy.txt"),
    )
    .unwrap();
    let (code, v, _) = check_json(&env, &[]);
    assert_eq!(code, 1, "{v}");
    assert!(v["findings"].to_string().contains("2020-02-01_copy"));
    // In a scan: the link is a document; a link to a file read already, a link to a folder, a
    // broken link and a link loop are each listed as skipped and warned about.
    std::os::unix::fs::symlink("2020-01-01_d0.txt", env.path("corpus/again.txt")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", env.path("corpus/folder")).unwrap();
    std::os::unix::fs::symlink("missing.txt", env.path("corpus/broken.txt")).unwrap();
    std::os::unix::fs::symlink("loop2.txt", env.path("corpus/loop1.txt")).unwrap();
    std::os::unix::fs::symlink("loop1.txt", env.path("corpus/loop2.txt")).unwrap();
    let out = env
        .cmd()
        .args(["scan", "corpus", "--json", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = ids_of(&r["documents"], "id");
    assert!(ids.contains(&"2020-02-01_copy"), "{ids:?}");
    assert_eq!(ids.len(), 7, "{ids:?}");
    let skipped: Vec<String> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["path"], s["reason"]))
        .collect();
    let err = stderr_of(&out);
    for (name, why) in [
        ("again.txt", "which is read already"),
        ("folder", "a link to a folder"),
        ("broken.txt", "a broken link"),
        ("loop1.txt", "a broken link"),
    ] {
        assert!(
            skipped.iter().any(|s| s.contains(name) && s.contains(why)),
            "{name}: {skipped:?}"
        );
        assert!(err.contains(name), "no warning for {name}: {err}");
    }
    // --follow enters the linked folder (its copy.txt is the same file as the linked document).
    let out = env
        .cmd()
        .args(["scan", "corpus", "--follow", "--json", "-"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids_of(&r["documents"], "id").len(), 7);
    assert!(!r["skipped"].to_string().contains("a link to a folder"));
}

#[test]
fn regression_check_gives_its_verdict_when_the_cache_cannot_be_written() {
    let (env, docs) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let mut new = gate_words(999, 200);
    new.splice(30..30, docs[4][10..90].to_vec());
    env.write("corpus/2020-02-01_copy.txt", gate_text(&new));
    // A file where the cache folder should be, then a folder where state.bin should be.
    std::fs::remove_dir_all(env.path(".cyberdiff")).unwrap();
    env.write(".cyberdiff", "not a folder");
    for round in 0..2 {
        let out = env
            .cmd()
            .args(["check", "--format", "json", "--output", "check.json"])
            .output()
            .unwrap();
        assert_exit(&out, 1, "the index cache was not saved");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("FAIL: 1 new finding"),
            "round {round}: {stdout}"
        );
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(env.path("check.json")).unwrap())
                .unwrap();
        assert_eq!(v["result"], "fail");
        std::fs::remove_file(env.path(".cyberdiff")).ok();
        std::fs::create_dir_all(env.path(".cyberdiff/state.bin")).unwrap();
    }
}

/// `check -o /dev/null` renamed its report over `/dev/null`, turning the device into a regular file
/// for every program on the machine; a named pipe stands for it here.
#[cfg(unix)]
#[test]
fn regression_a_report_written_to_a_device_or_pipe_leaves_it_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let env = TestEnv::new();
    let fifo = env.path("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = env
        .cmd()
        .args(["scan"])
        .arg(repo("inputs"))
        .args(["--json", "pipe", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Checked first: were the pipe replaced, the reader would wait on it for ever.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the pipe is still a pipe"
    );
    let json: Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(json["command"], "scan");
}

#[test]
fn regression_the_report_folder_is_replaced_as_a_whole() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    env.cmd()
        .args(["report", "corpus", "--out", "out", "-q"])
        .assert()
        .code(0);
    // A stale pair page of an earlier run, and the staging folder of a killed run (a process id
    // that cannot be running).
    env.write("out/scan-pairs/pair-99999.html", "stale");
    std::fs::create_dir(env.path(".out.tmp-4294967295")).unwrap();
    env.write(".out.tmp-4294967295/scan.json", "{}");
    env.cmd()
        .args(["report", "corpus", "--out", "out", "-q"])
        .assert()
        .code(0);
    assert!(!env.path("out/scan-pairs/pair-99999.html").exists());
    assert!(!env.path(".out.tmp-4294967295").exists());
    assert!(env.path("out/index.html").is_file() && env.path("out/scan.json").is_file());
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A folder holding other files, or holding the corpus, is never replaced.
    std::fs::create_dir_all(env.path("mine")).unwrap();
    env.write("mine/notes.txt", "my notes");
    let out = env
        .cmd()
        .args(["report", "corpus", "--out", "mine"])
        .output()
        .unwrap();
    assert_exit(&out, 2, "notes.txt, which `cyberdiff report` did not write");
    assert_unchanged(&env.path("mine/notes.txt"), "my notes");
    let out = env
        .cmd()
        .args(["report", "corpus", "--out", "."])
        .output()
        .unwrap();
    assert_exit(&out, 2, "holds the input corpus");
}

#[test]
fn regression_a_block_repeated_64_times_compared_with_itself_stays_bounded() {
    let env = TestEnv::new();
    // Every n-gram occurs 64 times a side, at the --max-seed-freq limit: all pairs of copies gave
    // 64 seeds a position (about 220 MiB for this 0.9 MB text in the debug build).
    let block = made_up_words(4242, 2000).join(" ");
    env.write("rep.txt", vec![block; 64].join("\n\n"));
    let out = limited(&env, 192, &["compare", "rep.txt", "rep.txt", "--json", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["a_reused_share"], 1.0);
    assert_eq!(r["summary"]["b_reused_share"], 1.0);
}

#[test]
fn regression_file_names_cannot_print_lines_of_their_own() {
    let (env, docs) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let mut new = gate_words(999, 200);
    new.splice(30..30, docs[4][10..90].to_vec());
    env.write("corpus/x\nPASS: all good\n.txt", gate_text(&new));
    env.write("corpus/empty\nPASS: fine\u{1b}[2J.txt", "");
    let out = env.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = stderr_of(&out);
    for text in [&stdout, &stderr] {
        assert!(
            !text.lines().any(|l| l.starts_with("PASS")),
            "a file name printed a line: {text}"
        );
        assert!(
            !text.contains('\u{1b}'),
            "an escape reached the terminal: {text}"
        );
    }
    assert!(
        stdout.contains("x\u{FFFD}PASS: all good\u{FFFD}"),
        "{stdout}"
    );
    assert!(
        stderr.contains("empty\u{FFFD}PASS: fine\u{FFFD}"),
        "{stderr}"
    );
    // scan's summary and an error show the same names on one line.
    let out = env.cmd().args(["scan", "corpus"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.starts_with("PASS"))
    );
    let out = env
        .cmd()
        .args([
            "compare",
            "corpus/x\nPASS: all good\n.txt",
            "missing\nPASS.txt",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 2, "missing\u{FFFD}PASS.txt");
    assert_eq!(stderr_of(&out).lines().count(), 1);
}

#[test]
fn utf16_with_a_byte_order_mark_is_read_and_without_one_is_named() {
    let env = TestEnv::new();
    let text =
        "Respect for cyber sovereignty, peace and security, openness and cooperation — 网络主权.\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    env.write("le.txt", &le);
    env.write("be.txt", &be);
    env.write("utf8.txt", text);
    for f in ["le.txt", "be.txt"] {
        let r = env.compare_json(&env.path(f), &env.path("utf8.txt"), &[]);
        assert_eq!(r["summary"]["a_reused_share"], 1.0, "{f}");
        assert_eq!(r["a"]["bytes"].as_u64().unwrap(), le.len() as u64);
        // Spans point into the decoded text.
        let p = &passages(&r)[0];
        assert_eq!(p["a"]["start"], p["b"]["start"]);
    }
    env.write("nobom.txt", &le[2..]);
    let out = env
        .cmd()
        .args(["compare", "nobom.txt", "utf8.txt"])
        .output()
        .unwrap();
    assert_exit(
        &out,
        2,
        "looks like UTF-16 (little-endian) without a byte-order mark",
    );
}

#[test]
fn a_named_pipe_with_no_writer_is_refused_at_once() {
    let env = TestEnv::new();
    env.write("a.txt", "some words to compare with nothing at all\n");
    mkfifo(&env.path("pipe.txt"));
    let out = env
        .cmd()
        .args(["compare", "a.txt", "pipe.txt"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_exit(&out, 2, "named pipe with nothing writing to it");
    // In a walked folder it is listed as skipped, not opened.
    std::fs::create_dir(env.path("c")).unwrap();
    std::fs::rename(env.path("pipe.txt"), env.path("c/pipe.txt")).unwrap();
    env.write("c/a.txt", "some words to compare with nothing at all\n");
    let out = env
        .cmd()
        .args(["scan", "c"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_exit(&out, 3, "not a regular file");
}

#[test]
fn check_update_baseline_writes_the_configured_outputs_and_a_missing_baseline_is_named() {
    let (env, _) = gate_env();
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\n[thresholds]\nreused_share = 0.1\n[outputs]\njson = \"out.json\"\nsarif = \"out.sarif\"\n",
    );
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "baseline cyberdiff-baseline.json written",
        ));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("out.json")).unwrap()).unwrap();
    assert_eq!(v["result"], "pass");
    assert!(env.path("out.sarif").is_file());
    let out = env
        .cmd()
        .args(["check", "--baseline", "typo-baseline.json"])
        .output()
        .unwrap();
    assert_exit(&out, 1, "the baseline typo-baseline.json does not exist");
}

#[test]
fn a_replaced_baseline_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _) = gate_env();
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let b = env.path("cyberdiff-baseline.json");
    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.write(
        "corpus/2020-03-01_more.txt",
        gate_text(&gate_words(31, 200)),
    );
    env.cmd()
        .args(["check", "--update-baseline"])
        .assert()
        .code(0);
    let mode = std::fs::metadata(&b).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn regression_a_dedup_out_that_fails_leaves_no_half_folder() {
    let env = TestEnv::new();
    planted_corpus(&env, "corpus");
    // Writes past 512 bytes fail (EFBIG, the signal ignored), as on a full disk.
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 1 && exec "$@""#)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_cyberdiff"))
        .args(["dedup", "corpus", "--out", "clean", "-q"])
        .current_dir(env.dir.path())
        .timeout(HANG_GUARD)
        .output()
        .unwrap();
    assert_exit(&out, 2, "cannot write");
    assert!(
        !env.path("clean").exists(),
        "a half-written folder was left"
    );
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    env.cmd()
        .args(["dedup", "corpus", "--out", "clean", "-q"])
        .assert()
        .code(0);
    assert!(env.path("clean/removed.json").is_file());
}

#[test]
fn json_lines_records_with_nul_are_binary_and_warnings_sort_by_line_number() {
    let env = TestEnv::new();
    let mut lines: Vec<String> = (1..=12)
        .map(|i| {
            format!(
                "{{\"id\": \"r{i}\", \"text\": \"{}\"}}",
                made_up_words(i, 30).join(" ")
            )
        })
        .collect();
    lines[1] = "not json".into();
    lines[8] = "{\"id\": \"r9\", \"text\": \"\"}".into();
    lines[9] = "{\"id\": \"r10\", \"text\": \"a\\u0000b and more words here\"}".into();
    env.write("c.jsonl", lines.join("\n") + "\n");
    let out = env.cmd().args(["scan", "c.jsonl", "-q"]).output().unwrap();
    assert_exit(&out, 3, "c.jsonl:10: record \"r10\" looks binary");
    let err = stderr_of(&out);
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {err}"))
    };
    assert!(
        at("c.jsonl:2:") < at("c.jsonl:9:") && at("c.jsonl:9:") < at("c.jsonl:10:"),
        "{err}"
    );
}

#[test]
fn eval_shows_a_gold_file_name_on_one_line() {
    let env = TestEnv::new();
    let text = "Respect for cyber sovereignty, peace and security, openness and cooperation, good order online.\n";
    env.write("a.txt", text);
    env.write("b.txt", text);
    env.write(
        "g\nPASS: ok.jsonl",
        "{\"a_doc\":\"a.txt\",\"a_begin\":0,\"a_end\":60,\"b_doc\":\"b.txt\",\"b_begin\":0,\"b_end\":60}\n",
    );
    let out = env
        .cmd()
        .args(["eval", "g\nPASS: ok.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.lines().any(|l| l.starts_with("PASS")), "{stdout}");
    assert!(stdout.contains("g\u{FFFD}PASS: ok.jsonl"), "{stdout}");
}

#[test]
fn regression_temporary_files_of_killed_runs_are_removed() {
    let env = TestEnv::new();
    let text = "Respect for cyber sovereignty, peace and security, openness and cooperation, good order.\n";
    env.write("a.txt", text);
    env.write("b.txt", text);
    // A process id above any the kernel gives (a killed run's), and one that runs (init).
    let dead = env.write(".c.json.tmp-4294967295", "half a report");
    let live = env.write(".c.json.tmp-1", "being written");
    env.cmd()
        .args(["compare", "a.txt", "b.txt", "--json", "c.json", "-q"])
        .assert()
        .code(0);
    assert!(!dead.exists(), "a killed run's temporary file was left");
    assert!(
        live.exists(),
        "a running process's temporary file was removed"
    );
}

#[test]
fn scan_refuses_pair_pages_in_an_input_folder() {
    let env = TestEnv::new();
    planted_corpus(&env, "docs-pairs");
    let out = env
        .cmd()
        .args(["scan", "docs-pairs", "--html", "docs.html"])
        .output()
        .unwrap();
    assert_exit(&out, 2, "which holds the input docs-pairs");
    assert!(!env.path("docs.html").exists());
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

/// Whether a passage that `keep` accepts holds `a_words` on its A side and `b_words` on its B side
/// (case and white space folded).
fn has_pair(passages: &[Value], a_words: &str, b_words: &str, keep: fn(&Value) -> bool) -> bool {
    passages.iter().any(|p| {
        let (ta, tb) = (
            fold(p["a"]["text"].as_str().unwrap()),
            fold(p["b"]["text"].as_str().unwrap()),
        );
        ta.contains(&fold(a_words)) && tb.contains(&fold(b_words)) && keep(p)
    })
}

fn has_reworded_pair(passages: &[Value], a_words: &str, b_words: &str) -> bool {
    has_pair(passages, a_words, b_words, |p| p["kind"] == "reworded")
}

/// The 2019 concept document restates the proposals and principles as the headings of its
/// paragraphs, and the 2017 strategy and the 2020 letter name them in lists, in the words the texts
/// use most (development, security, cyberspace): a short unit meets its source in two anchors, which
/// is enough for a unit of at most `SHORT_UNIT` content words.
#[test]
fn compare_finds_the_short_restatements_of_the_principles_and_proposals() {
    let env = TestEnv::new();
    for (a, b, wa, wb) in [
        (
            "2015",
            "2019",
            "maintain cyber security and promote its orderly development",
            "Maintaining cybersecurity to promote orderly development",
        ),
        (
            "2017",
            "2019",
            "respect cyber sovereignty",
            "Respecting sovereignty in cyberspace",
        ),
        (
            "2017",
            "2019",
            "development of the digital economy",
            "Promoting innovative development of the digital economy",
        ),
        (
            "2017",
            "2019",
            "peace, security and stability in cyberspace",
            "maintain peace and security in cyberspace",
        ),
        (
            "2019",
            "2020",
            "Respecting sovereignty in cyberspace",
            "respect cyber sovereignty",
        ),
    ] {
        let r = env.compare_json(&TestEnv::input(a), &TestEnv::input(b), &[]);
        let by_tier = |p: &Value| p.get("evidence").is_some();
        assert!(
            has_pair(r["passages"].as_array().unwrap(), wa, wb, by_tier),
            "{a} ~ {b}: {wa:?} / {wb:?} not found by the tier"
        );
    }
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
    // On by default (as in `compare`, `check` and `report`), off with --no-reworded.
    let off = env.scan_json(&[repo("inputs").to_str().unwrap(), "--no-reworded"]);
    assert_eq!(off["manifest"]["parameters"]["reworded"], false);
    let r = env.scan_json(&[repo("inputs").to_str().unwrap()]);
    assert_eq!(r["manifest"]["parameters"]["reworded"], true);
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

// --- near-duplicates of common text (issue 16) ---------------------------------------------------

/// 300 copies of a real article, each with a last line of its own, named `copy-NNN` from `from`.
fn common_copies(env: &TestEnv, folder: &str, from: usize, to: usize) {
    let article = std::fs::read_to_string(TestEnv::input("2017-03-01")).unwrap();
    std::fs::create_dir_all(env.path(folder)).unwrap();
    for i in from..=to {
        env.write(
            &format!("{folder}/copy-{i:03}.txt"),
            format!("{article}\nFiled by correspondent {i} from bureau desk number {i}.\n"),
        );
    }
}

/// Duplicate pairs `(kind, a, b)` of a scan report.
fn scan_duplicates(r: &Value) -> Vec<(String, String, String)> {
    r["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_owned();
            (s("kind"), s("a"), s("b"))
        })
        .collect()
}

/// Duplicate findings of `check` as `(later path, earlier path)`, sorted.
fn check_duplicates(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "duplicate")
        .map(|f| {
            let d = |i: usize| f["documents"][i].as_str().unwrap().to_owned();
            (d(0), d(1))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn regression_near_duplicates_of_common_text_are_paired_with_the_earliest_copy() {
    // Issue 16: with every n-gram of the article in more than --max-df documents, no pair was a
    // candidate and copies differing by their last line gave no near-duplicate at all.
    let env = TestEnv::new();
    common_copies(&env, "corpus", 1, 300);
    let r = env.scan_json(&["corpus", "--max-df", "50", "-q"]);
    assert!(r["index"]["common_ngrams_skipped"].as_u64().unwrap() > 300);
    let want: Vec<(String, String, String)> = (2..=300)
        .map(|i| {
            (
                "near".to_owned(),
                "copy-001".to_owned(),
                format!("copy-{i:03}"),
            )
        })
        .collect();
    assert_eq!(scan_duplicates(&r), want);
    // Linear: each copy aligned with the earliest one only.
    assert_eq!(r["index"]["verified_pairs"], 299);

    // `check` finds the same duplicates, built whole, then with a later and an earlier copy added
    // (incrementally, and by a rebuild when a new document holds first the common text of every
    // old document: recounting their pairs would read the whole corpus).
    env.write(
        "cyberdiff.toml",
        "paths = [\"corpus/\"]\n[thresholds]\nreused_share = 1.0\nmax_df = 50\nboilerplate_min_docs = 20\n",
    );
    let pairs = |from: usize, to: usize, first: usize| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = (from..=to)
            .filter(|&i| i != first)
            .map(|i| {
                (
                    format!("corpus/copy-{i:03}.txt"),
                    format!("corpus/copy-{first:03}.txt"),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (_, v, _) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "built", "{}", v["cache"]);
    assert_eq!(check_duplicates(&v), pairs(1, 300, 1));
    common_copies(&env, "corpus", 301, 301);
    let (_, v, _) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "incremental", "{}", v["cache"]);
    assert_eq!(
        v["cache"]["documents_read"], 2,
        "the new copy and the earliest"
    );
    assert_eq!(check_duplicates(&v), pairs(1, 301, 1));
    assert_same_as_full_run(&env, &v);
    common_copies(&env, "corpus", 0, 0);
    let (_, v, _) = check_json(&env, &[]);
    assert_eq!(v["cache"]["status"], "rebuilt", "{}", v["cache"]);
    assert_eq!(check_duplicates(&v), pairs(0, 301, 0));
    assert_same_as_full_run(&env, &v);
    let r = env.scan_json(&["corpus", "--max-df", "50", "-q"]);
    assert_eq!(scan_duplicates(&r).len(), 301);
}

// --- paths that are not UTF-8 in JSON (issue 16) ------------------------------------------------

#[cfg(unix)]
#[test]
fn regression_json_keeps_a_path_that_is_not_utf8_in_escaped_form() {
    use std::os::unix::ffi::OsStrExt;
    // Issue 16: a file name holding byte 0xFF was written as U+FFFD only, which names no file.
    let env = TestEnv::new();
    std::fs::create_dir(env.path("corpus")).unwrap();
    let text = std::fs::read(TestEnv::input("2015")).unwrap();
    env.write("corpus/a\\b.txt", &text);
    let odd = env
        .path("corpus")
        .join(std::ffi::OsStr::from_bytes(b"b\xff\\.txt"));
    std::fs::write(&odd, &text).unwrap();
    let want = "corpus/b\\xFF\\\\.txt";
    // Each report's entries for the odd file carry path_bytes; the others have none.
    let check = |entries: &Value, what: &str| {
        let entries = entries.as_array().unwrap();
        assert_eq!(entries.len(), 2, "{what}: {entries:#?}");
        for e in entries {
            if e["path"].as_str().unwrap().contains('\u{FFFD}') {
                assert_eq!(e["path_bytes"], want, "{what}");
            } else {
                assert!(e.get("path_bytes").is_none(), "{what}: {e}");
            }
        }
    };
    let r = env.scan_json(&["corpus", "-q"]);
    check(&r["documents"], "scan documents");
    check(&r["manifest"]["inputs"], "scan inputs");
    let pair = &r["pairs"][0];
    check(
        &Value::Array(vec![pair["a"].clone(), pair["b"].clone()]),
        "scan pair",
    );
    let out = env
        .cmd()
        .args(["dedup", "corpus", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let removed = d["removed_documents"].as_array().unwrap();
    assert_eq!(removed.len(), 1, "{d:#}");
    assert_eq!(removed[0]["path_bytes"], want);
    let statements = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/statements.toml");
    let t = env.track_json(&statements, &[Path::new("corpus")], &["-q"]);
    check(&t["documents"], "track documents");
    // A skipped record of a JSON Lines file with such a name: its path_bytes ends with the line.
    std::fs::create_dir(env.path("bad")).unwrap();
    let jl = env
        .path("bad")
        .join(std::ffi::OsStr::from_bytes(b"c\xff.jsonl"));
    let good = r#"{"id": "x", "text": "one two three four five six seven"}"#;
    std::fs::write(&jl, format!("{good}\nnot json\n")).unwrap();
    let out = env
        .cmd()
        .args(["scan", "bad", "--json", "-", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = s["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{s:#}");
    assert_eq!(skipped[0]["path"], "bad/c\u{FFFD}.jsonl:2");
    assert_eq!(skipped[0]["path_bytes"], "bad/c\\xFF.jsonl:2");
}

/// Issue 16: `check`'s cache kept each path as text (U+FFFD for bytes that are not UTF-8), so two
/// names differing only in such bytes were one key, and an old document was read again under its
/// lossy name, which names no file ("cannot read corpus/a�.txt", and the run rebuilt from scratch).
/// Its findings gave the lossy form only. Now the cache keeps the bytes, the incremental run is
/// incremental and equal to a full run, and findings carry `path_bytes` / `documents_bytes`, the
/// SARIF URI the real bytes, and the terminal the escaped form.
#[test]
fn regression_check_keeps_paths_that_are_not_utf8_apart_and_usable() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    std::fs::create_dir(env.path("corpus")).unwrap();
    let text = |y: &str| std::fs::read(TestEnv::input(y)).unwrap();
    let ff = env
        .path("corpus")
        .join(std::ffi::OsStr::from_bytes(b"a\xff.txt"));
    let fe = env
        .path("corpus")
        .join(std::ffi::OsStr::from_bytes(b"a\xfe.txt"));
    std::fs::write(&ff, text("2015")).unwrap();
    std::fs::write(&fe, text("2017")).unwrap();
    env.write("corpus/b.txt", &text("2019")[..3000]);
    env.write("cyberdiff.toml", "paths = [\"corpus/\"]\n");
    let (code, first, err) = check_json(&env, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first["cache"]["status"], "built", "{err}");
    let inputs = first["manifest"]["inputs"].as_array().unwrap();
    let bytes: Vec<&Value> = inputs.iter().map(|i| &i["path_bytes"]).collect();
    assert_eq!(
        bytes,
        [
            &Value::from("corpus/a\\xFE.txt"),
            &Value::from("corpus/a\\xFF.txt"),
            &Value::Null
        ],
        "{inputs:#?}"
    );
    // A copy of the start of a\xFF.txt: the update reads only it and aligns it with the old texts.
    env.write("corpus/copy.txt", &text("2015")[..2500]);
    let (code, inc, err) = check_json(&env, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(inc["cache"]["status"], "incremental", "{:#}", inc["cache"]);
    assert_same_as_full_run(&env, &inc);
    let findings = inc["findings"].as_array().unwrap();
    // Undated documents are in id order: the copy ("copy") comes before "corpus/a\xFF", so the
    // finding is a\xFF.txt reusing the copy.
    let reused = findings
        .iter()
        .find(|f| f["rule"] == "reused-share")
        .expect("a\\xFF.txt and the copy share a passage");
    assert_eq!(reused["documents"][0], "corpus/a\u{FFFD}.txt", "{reused:#}");
    assert_eq!(reused["documents_bytes"][0], "corpus/a\\xFF.txt");
    // Its sources in path order: a\xFE.txt (whose lossy name is a\xFF.txt's), b.txt, the copy.
    let docs: Vec<(&Value, &Value)> = reused["documents"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reused["documents_bytes"].as_array().unwrap())
        .collect();
    let (fe, copy) = (
        Value::from("corpus/a\\xFE.txt"),
        Value::from("corpus/copy.txt"),
    );
    assert!(
        docs.contains(&(&Value::from("corpus/a\u{FFFD}.txt"), &fe)),
        "{docs:?}"
    );
    assert!(docs.contains(&(&copy, &Value::Null)), "{docs:?}");
    for at in reused["locations"].as_array().unwrap() {
        assert_eq!(at["path_bytes"], "corpus/a\\xFF.txt", "{reused:#}");
        let source = &at["source"];
        let bytes = source.get("path_bytes").unwrap_or(&Value::Null);
        assert!(docs[1..].contains(&(&source["path"], bytes)), "{reused:#}");
    }
    assert!(
        reused["message"]
            .as_str()
            .unwrap()
            .starts_with("corpus/a\\xFF.txt reuses"),
        "{reused:#}"
    );
    // UTF-8 names only: no documents_bytes.
    std::fs::create_dir(env.path("corpus2")).unwrap();
    env.write("corpus2/x.txt", &text("2015")[..2500]);
    env.write("corpus2/y.txt", &text("2015")[..2500]);
    let (_, plain, _) = check_json(&env, &["corpus2", "--no-cache"]);
    let f = &plain["findings"][0];
    assert!(
        f["documents"].is_array() && f.get("documents_bytes").is_none(),
        "{f:#}"
    );
    // SARIF: the URI of the bytes; the terminal: the escaped name.
    let out = env
        .cmd()
        .args(["check", "corpus", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif = String::from_utf8(out.stdout).unwrap();
    assert!(sarif.contains("\"uri\": \"corpus/a%FF.txt\""), "{sarif}");
    assert!(!sarif.contains("%EF%BF%BD"), "{sarif}");
    let out = env.cmd().args(["check", "corpus"]).output().unwrap();
    let terminal = String::from_utf8(out.stdout).unwrap();
    assert!(terminal.contains("\n  corpus/a\\xFF.txt:"), "{terminal}");
}

/// Found by fuzz/align: the reworded tier's compound rule compared the first byte of a word with a
/// string slice, which panicked on a word starting with a two-byte letter ("Ҡ" in a news page's
/// list of headlines). The fuzz target's input and parameters, both ways round.
#[test]
fn regression_fuzz_align_compound_rule_on_a_non_ascii_first_letter() {
    let input = std::fs::read_to_string(repo("tests/fixtures/fuzz-align-compound-first-char.txt"))
        .expect("fixture");
    let (a, b) = input.split_once('\0').expect("two texts split at a NUL");
    let params = cyberdiff::align::Params {
        min_words: 2.0,
        min_score: 0.1,
        word_ngram: 2,
        cjk_ngram: 2,
        ..cyberdiff::align::Params::default()
    };
    assert!(params.reworded, "the tier is on by default in compare");
    let ab = cyberdiff::compare_texts(a, b, &params);
    let ba = cyberdiff::compare_texts(b, a, &params);
    assert!(!ab.passages.is_empty());
    assert_eq!(ab.passages.len(), ba.passages.len());
}
