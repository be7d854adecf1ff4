"""Benchmark of `cyberdiff check` (the CI gate) on a growing corpus.

    cargo build --release && python3 bench/check_bench.py [--docs 10000] [--trials 20] [--bin PATH]

Writes a corpus of DOCS documents of ~11.6 KB with planted reuse (``scan_bench.make_corpus``), then
runs ``target/release/cyberdiff check DIR`` once to build the index cache (timed: the full
rebuild), once more with nothing changed, and then TRIALS times: add one new ~10 KB document (random
words, with an 80-word passage copied from a random old document) and run ``check`` again in a new
process (cold process; the files are in the page cache, as on a CI runner that restored its cache).
Then EDIT_TRIALS times each: remove a random old document, and edit one (an 80-word passage of
another old document appended), each followed by a ``check`` run.
It prints the full build time, the incremental times (median, p95, max) and their CPU time (user +
system, which a busy machine inflates less than wall time), the ratio, what
``check`` read, and the index size on disk against the corpus size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus  # noqa: E402
import scan_bench  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


CPU: list[float] = []


def cpu_of_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(bin_: Path, cwd: Path, *args: str) -> tuple[float, dict]:
    """Wall time of one `check` (and its CPU time, user + system, appended to CPU)."""
    c = cpu_of_children()
    t = time.perf_counter()
    p = subprocess.run([str(bin_), "check", "corpus", "--format", "json", "--baseline", "none.json", *args],
                       cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    CPU.append(cpu_of_children() - c)
    if p.returncode not in (0, 1):
        raise SystemExit(f"check failed ({p.returncode}): {p.stderr}")
    return dt, json.loads(p.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--edit-trials", type=int, default=5,
                    help="runs after removing one old document, and after editing one")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    ap.add_argument("--bin", help="the cyberdiff binary (default: target/release/cyberdiff), to run an "
                    "older build side by side")
    args = ap.parse_args()
    bin_ = Path(args.bin).resolve() if args.bin else REPO / "target/release/cyberdiff"
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="check-bench-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.rmtree(work / ".cyberdiff", ignore_errors=True)
    sentences = gen_corpus.load_sentences(gen_corpus.DEFAULT_TEXT_DIRS)
    vocab = sorted({w for s in sentences for w in s.split() if re.fullmatch(r"[A-Za-z]+[,.]?", w)})
    scan_bench.make_corpus(corpus, args.docs, args.seed, vocab)
    corpus_bytes = du(corpus)
    full, r = run(bin_, work)
    assert r["cache"]["status"] == "built", r["cache"]
    nochange, r = run(bin_, work)
    assert r["cache"]["status"] == "unchanged", r["cache"]
    rng = random.Random(args.seed + 1)
    olds = sorted(corpus.glob("*.txt"))
    times, reads = [], []
    del CPU[:]
    for i in range(args.trials):
        words = [rng.choice(vocab) for _ in range(1600)]
        src = rng.choice(olds).read_text().split()
        at = rng.randrange(len(src) - 80)
        words[500:500] = src[at:at + 80]
        (corpus / f"2100-01-01_new{i:03d}.txt").write_text(" ".join(words) + "\n")
        dt, r = run(bin_, work)
        assert r["cache"]["status"] == "incremental", r["cache"]
        times.append(dt)
        reads.append(r["cache"]["documents_read"])
    cache_bytes = du(work / ".cyberdiff")
    cpu = sorted(CPU)
    # Removals and edits of old documents (a removal rewrites the postings file).
    removed, edited, other_reads = [], [], []
    for i in range(args.edit_trials):
        victim = olds.pop(rng.randrange(len(olds)))
        victim.unlink()
        dt, r = run(bin_, work)
        assert r["cache"]["status"] == "incremental", r["cache"]
        removed.append(dt)
        other_reads.append(r["cache"]["documents_read"])
        target, src = rng.sample(olds, 2)
        words = src.read_text().split()
        at = rng.randrange(len(words) - 80)
        target.write_text(target.read_text() + " ".join(words[at:at + 80]) + "\n")
        dt, r = run(bin_, work)
        assert r["cache"]["status"] == "incremental", r["cache"]
        edited.append(dt)
        other_reads.append(r["cache"]["documents_read"])
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"corpus: {args.docs} documents, {corpus_bytes / 1e6:.1f} MB; machine: {os.cpu_count()} cores")
    print("| measure | value |")
    print("|---|---|")
    print(f"| full build (`check`, no cache) | {full:.2f} s |")
    print(f"| rerun, nothing changed | {nochange * 1000:.0f} ms |")
    print(f"| add one ~10 KB document: median / p95 / max ({args.trials} cold runs) | "
          f"{statistics.median(times) * 1000:.0f} / {p95 * 1000:.0f} / {times[-1] * 1000:.0f} ms |")
    print(f"| CPU time (user + system) of those runs: median / p95 | "
          f"{statistics.median(cpu) * 1000:.0f} / {cpu[min(len(cpu) - 1, int(round(0.95 * (len(cpu) - 1))))] * 1000:.0f} ms |")
    print(f"| full build / p95 incremental | {full / p95:.0f}x |")
    for name, ts in (("remove", removed), ("edit", edited)):
        if ts:
            ts.sort()
            print(f"| {name} one old document: median / max ({len(ts)} cold runs) | "
                  f"{statistics.median(ts) * 1000:.0f} / {ts[-1] * 1000:.0f} ms |")
    if other_reads:
        print(f"| documents read per removal or edit (median / max) | "
              f"{statistics.median(other_reads):.0f} / {max(other_reads)} |")
    print(f"| documents read per incremental run (median) | {statistics.median(reads):.0f} |")
    print(f"| index cache on disk | {cache_bytes / 1e6:.1f} MB ({cache_bytes / corpus_bytes:.2f}x the corpus) |")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
