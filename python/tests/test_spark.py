"""The Spark job gives exactly `cyberdiff scan`'s JSON, whatever the partitioning, and stays within
its memory on skewed corpora.

Needs pyspark and Java; skipped without pyspark unless CYBERDIFF_REQUIRE_SPARK is set (CI sets it).
The CLI is `$CYBERDIFF_BIN`, else target/release or target/debug of this repository."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402

if not os.environ.get("CYBERDIFF_REQUIRE_SPARK"):
    pytest.importorskip("pyspark")

from cyberdiff import spark as job  # noqa: E402

ROOT = corpus.ROOT


def cli_bin():
    if os.environ.get("CYBERDIFF_BIN"):
        return os.environ["CYBERDIFF_BIN"]
    for kind in ("release", "debug"):
        p = ROOT / "target" / kind / "cyberdiff"
        if p.exists():
            return str(p)
    pytest.fail("no cyberdiff binary: build it (cargo build) or set CYBERDIFF_BIN")


def cli_scan(args, tmp_path):
    out = tmp_path / "cli.json"
    r = subprocess.run(
        [cli_bin(), "scan", *args, "--json", str(out), "-q"], capture_output=True, text=True
    )
    assert r.returncode in (0, 3), r.stderr
    return out.read_text(encoding="utf-8")


def canonical(text):
    """The JSON with every list of objects sorted: the issue's canonical form (both sides are in
    fact byte-identical, which the test also checks)."""

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            xs = [walk(x) for x in v]
            return sorted(xs, key=lambda x: json.dumps(x, sort_keys=True))
        return v

    return walk(json.loads(text))


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master("local[2]")
        .appName("cyberdiff tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    n = corpus.write(d, files=3)
    assert 90 <= n <= 110
    return d


@pytest.mark.parametrize(
    "options",
    [[], ["--max-df", "4", "--boilerplate-min-docs", "4", "--json-summary"]],
    ids=["defaults", "small-max-df-summary"],
)
def test_spark_scan_equals_cli_scan_at_every_partitioning(spark, corpus_dir, tmp_path, options):
    args = [str(corpus_dir), *options]
    want = cli_scan(args, tmp_path)
    report = json.loads(want)
    # The corpus exercises every stage: passages, clusters, near-duplicates, boilerplate, and (with
    # a small --max-df) keys too common to pair by, and a skipped line.
    assert report["index"]["documents"] >= 90
    assert len(report["pairs"]) > 50
    assert report["duplicates"] and report["clusters"]
    assert any(s["path"].endswith(":34") for s in report["skipped"])
    if options:
        assert report["index"]["common_ngrams_skipped"] > 0 and report["boilerplate"]
        assert report["level"] == "summary" and all(isinstance(p, list) for p in report["pairs"])
    for parts in (1, 2, 4, 7):
        # Twice each: the texts broadcast to the executors, then joined to each candidate pair.
        for mb, how in ((job.BROADCAST_MB, "broadcast"), (0, "joined")):
            got, skipped = job.scan_json(spark, args, parts, broadcast_mb=mb)
            assert job.LAST_STATS["pair_texts"] == how
            assert canonical(got) == canonical(want), f"{parts} partitions, texts {how}"
            assert got == want, f"{parts} partitions, texts {how}: not byte-identical"
            assert len(skipped) == len(report["skipped"])


def test_the_job_writes_scan_json_and_says_what_it_skipped(corpus_dir, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "cyberdiff.spark", "scan", str(corpus_dir), "--out", str(out),
         "--partitions", "3", "--master", "local[2]", "--conf", "spark.ui.enabled=false"],
        capture_output=True, text=True,
    )
    # 3, as cyberdiff scan: the run completed and skipped the bad line, which it names.
    assert r.returncode == 3, r.stderr
    assert "c2.jsonl:34" in r.stderr and "skipped" in r.stderr
    assert (out / "scan.json").read_text(encoding="utf-8") == cli_scan([str(corpus_dir)], tmp_path)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--json", "x.json"], "--json is not supported"),
        (["--max-df", "1"], "--max-df must be at least 2"),
        (["--no-such-option"], "--no-such-option"),
        (["--broadcast-texts", "-1"], "--broadcast-texts must be at least 0"),
    ],
)
def test_bad_arguments_fail_before_spark_starts(corpus_dir, tmp_path, args, message):
    r = subprocess.run(
        [sys.executable, "-m", "cyberdiff.spark", "scan", str(corpus_dir), "--out",
         str(tmp_path / "o"), *args],
        capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 2
    assert message in r.stderr
    assert not (tmp_path / "o").exists()


def test_a_folder_without_json_lines_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("Some words of a text document here.", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "cyberdiff.spark", "scan", str(tmp_path), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 2
    assert "no JSON Lines file" in r.stderr


def skewed(folder):
    """1,001 documents: a hub holding 1,000 passages of real text, each copied into one other
    document (the hub is in 1,000 candidate pairs), and one sentence in every document (a key of
    every document, far above --max-df)."""
    words = []
    for p in sorted((ROOT / "eval-data" / "pan13" / "src").iterdir()):
        words += p.read_text(encoding="utf-8").split()
    filler = []
    for p in sorted((ROOT / "eval-data" / "pan13" / "susp").iterdir()):
        filler += p.read_text(encoding="utf-8").split()
    motto = "This record is kept in the public archive of the county."
    piece = 20
    assert len(words) >= 1000 * piece
    hub = " ".join(words[: 1000 * piece])
    recs = [{"id": "hub", "text": f"{motto} {hub}", "date": "1900"}]
    for i in range(1000):
        own = " ".join(words[i * piece : (i + 1) * piece])
        f0 = (i * 37) % max(1, len(filler) - 60)
        recs.append({
            "id": f"d{i:04}",
            "text": f"{motto}\n\n{' '.join(filler[f0:f0 + 40])}\n\n{own}",
            "date": "1901",
        })
    path = Path(folder) / "skew.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


def test_skew_runs_within_one_gigabyte(tmp_path):
    path = skewed(tmp_path)
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "cyberdiff.spark", "scan", str(path), "--out", str(out),
         "--partitions", "4", "--master", "local[2]",
         # The hard case: the hub's text joined to each of its 1,000 pairs, not broadcast.
         "--broadcast-texts", "0",
         # Local mode runs the executor inside the driver's JVM: this is the executor's memory.
         "--conf", "spark.driver.memory=1g", "--conf", "spark.executor.memory=1g",
         "--conf", "spark.executor.pyspark.memory=1g", "--conf", "spark.ui.enabled=false"],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    hub_pairs = [p for p in got["pairs"] if "hub" in (p["a"]["id"], p["b"]["id"])]
    assert got["index"]["common_ngrams_skipped"] > 0
    assert got["index"]["candidate_pairs"] >= 1000
    assert len(hub_pairs) >= 990
    assert (out / "scan.json").read_text(encoding="utf-8") == cli_scan([str(path)], tmp_path)
