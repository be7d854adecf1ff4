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
        assert!(p["aligned_words"].as_u64().unwrap() >= 10);
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
        .args(["--json", "-"])
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
