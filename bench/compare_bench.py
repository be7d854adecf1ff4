"""Benchmark `cyberdiff compare` against Python's difflib.SequenceMatcher.

Generates a pair of ~1 MB English documents with planted reuse (see
gen_corpus.py), times `cyberdiff compare A B --json OUT` (wall time including
process start, and peak RSS), scores its passages against the planted ground
truth, runs difflib on the same word lists in a subprocess, and prints a
Markdown table with PASS/FAIL against the targets.

    cargo build --release && python3 bench/compare_bench.py

Scoring.  A word of B counts as covered by a passage when at least half of
its bytes lie inside the passage's `b` span (tolerates a tool trimming
punctuation).  "Planted words found" is the share of the words copied
unchanged from A into planted passages that are covered by a passage whose `a`
span overlaps that plant's source span in A.  "False-positive share" is the
share of all of B's words that are covered by some passage but lie outside
every planted passage.
"""

from __future__ import annotations

import argparse
import bisect
import json
import marshal
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gen_corpus import DEFAULT_TEXT_DIRS, KINDS, REPO_ROOT, Pair, load_sentences, make_pair, write_pair

TARGET_SPEEDUP = 200.0
TARGET_FOUND = 0.95
TARGET_RSS_BYTES = 48_000_000  # DESIGN.md: under 48 MB with the reworded tier on
CYBERDIFF_TIMEOUT = 600.0  # per run; only there so a hung binary cannot hang the benchmark

# Run as `python3 -c` so that its wall time includes interpreter start, like
# cyberdiff's includes process start.  autojunk=True is difflib's default,
# i.e. what a user gets; it is spelled out so the table can say so.
DIFFLIB_SCRIPT = """\
import difflib, json, sys, time
path_a, path_b, out = sys.argv[1:4]
words_a = open(path_a, encoding="utf-8").read().lower().split()
words_b = open(path_b, encoding="utf-8").read().lower().split()
start = time.perf_counter()
blocks = difflib.SequenceMatcher(None, words_a, words_b, autojunk=True).get_matching_blocks()
seconds = time.perf_counter() - start
with open(out, "w") as f:
    json.dump({"seconds": seconds, "words": [len(words_a), len(words_b)],
               "blocks": [list(m) for m in blocks if m.size]}, f)
"""

Span = tuple[int, int]
Passage = tuple[Span, Span]  # (a span, b span)


# Peak RSS is read from wait4's rusage, but Linux folds the pre-exec memory of
# the forking process into the child's ru_maxrss, so a child spawned by this
# (large) interpreter would report at least its size.  Children are therefore
# forked by this small helper (python3 -I -S, os/marshal/signal/time only),
# whose own size is the floor below which readings cannot go; it reports that
# floor first, by forking a child that exits at once.  The helper times the
# child too, from fork to exit, and kills it after the timeout.  It waits with
# waitid(WNOWAIT) first, so the clock stops at exit and the kill can never hit
# a reaped (and possibly reused) pid; wait4 then reaps it.
SPAWN_HELPER = """\
import marshal, os, signal, sys, time
inp, out = sys.stdin.buffer, sys.stdout.buffer
pid = os.fork()
if pid == 0:
    os._exit(0)
marshal.dump(os.wait4(pid, 0)[2].ru_maxrss, out)
out.flush()
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
while True:
    try:
        argv, stdout_path, stderr_path, timeout = marshal.load(inp)
    except EOFError:
        break
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fds = [os.open(os.devnull, os.O_RDONLY),
           os.open(stdout_path, flags, 0o644), os.open(stderr_path, flags, 0o644)]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.execv(argv[0], argv)
        except OSError as e:
            os.write(2, f"cannot run {argv[0]}: {e}\\n".encode())
        os._exit(127)
    for fd in fds:
        os.close(fd)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    seconds = time.perf_counter() - start
    timed_out = signal.setitimer(signal.ITIMER_REAL, 0)[0] == 0
    _, status, usage = os.wait4(pid, 0)
    marshal.dump((seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), timed_out), out)
    out.flush()
"""


@dataclass
class Run:
    seconds: float  # wall time from fork to exit
    max_rss_kib: int
    returncode: int
    timed_out: bool


class Spawner:
    """Runs commands through SPAWN_HELPER; ``floor_kib`` is its RSS floor."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", SPAWN_HELPER],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.floor_kib: int = marshal.load(self._proc.stdout)

    def run(self, argv: list[str], log_prefix: Path, timeout: float) -> Run:
        """Run ``argv`` (argv[0] a path), stdout/stderr to ``log_prefix``.stdout/.stderr."""
        marshal.dump((argv, f"{log_prefix}.stdout", f"{log_prefix}.stderr", timeout), self._proc.stdin)
        self._proc.stdin.flush()
        return Run(*marshal.load(self._proc.stdout))

    def close(self) -> None:
        self._proc.stdin.close()
        self._proc.wait()


def merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


class Coverage:
    """A union of byte spans, queried word by word."""

    def __init__(self, spans: list[Span]):
        self.spans = merge(spans)
        self.starts = [s for s, _ in self.spans]

    def overlap(self, word: Span) -> int:
        s, e = word
        i = max(bisect.bisect_right(self.starts, s) - 1, 0)
        total = 0
        while i < len(self.spans) and self.spans[i][0] < e:
            total += max(0, min(e, self.spans[i][1]) - max(s, self.spans[i][0]))
            i += 1
        return total

    def covers(self, word: Span) -> bool:
        return 2 * self.overlap(word) >= word[1] - word[0]


@dataclass
class Score:
    found: float
    found_by_kind: dict[str, float]
    false_positive_share: float
    passages: int


def score(passages: list[Passage], pair: Pair) -> Score:
    plants = sorted(pair.plants, key=lambda p: p.a)
    plant_starts = [p.a[0] for p in plants]
    longest = max(p.a[1] - p.a[0] for p in plants)
    # For each plant, the b spans of the passages whose a span overlaps its source.
    matched: list[list[Span]] = [[] for _ in plants]
    for a, b in passages:
        i = bisect.bisect_left(plant_starts, a[1]) - 1
        while i >= 0 and plant_starts[i] > a[0] - longest:
            if plants[i].a[1] > a[0]:
                matched[i].append(b)
            i -= 1

    found = {k: 0 for k in KINDS}
    total = {k: 0 for k in KINDS}
    for plant, spans in zip(plants, matched):
        cov = Coverage(spans)
        total[plant.kind] += len(plant.copied_words)
        found[plant.kind] += sum(cov.covers(w) for w in plant.copied_words)

    reported = Coverage([b for _, b in passages])
    planted = Coverage([p.b for p in plants])
    false_positive = sum(reported.covers(w) and not planted.overlap(w) for w in pair.doc_b.spans)
    return Score(found=sum(found.values()) / sum(total.values()),
                 found_by_kind={k: found[k] / total[k] for k in KINDS if total[k]},
                 false_positive_share=false_positive / len(pair.doc_b.spans),
                 passages=len(passages))


def read_cyberdiff_passages(path: Path) -> tuple[list[Passage], dict[str, int]]:
    passages, kinds = [], {}
    for p in json.loads(path.read_text())["passages"]:
        passages.append(((p["a"]["start"], p["a"]["end"]), (p["b"]["start"], p["b"]["end"])))
        kinds[p.get("kind", "?")] = kinds.get(p.get("kind", "?"), 0) + 1
    return passages, kinds


def difflib_passages(blocks: list[list[int]], pair: Pair) -> list[Passage]:
    """Matching blocks (word indices) as byte-span passages."""
    sa, sb = pair.doc_a.spans, pair.doc_b.spans
    return [((sa[i][0], sa[i + n - 1][1]), (sb[j][0], sb[j + n - 1][1])) for i, j, n in blocks]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def fmt_found(s: Score) -> str:
    kinds = ", ".join(f"{k} {v:.3f}" for k, v in s.found_by_kind.items())
    return f"{s.found:.3f} ({kinds})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", type=Path, default=REPO_ROOT / "target/release/cyberdiff",
                    help="cyberdiff binary (default: target/release/cyberdiff)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size-bytes", type=int, default=1_000_000, help="size of each document")
    ap.add_argument("--runs", type=int, default=5, help="cyberdiff runs to time")
    ap.add_argument("--difflib-timeout", type=float, default=600.0, help="seconds")
    ap.add_argument("--text-source", type=Path, action="append",
                    help="directory of *.txt raw material (repeatable; default: PAN-13 src and susp)")
    ap.add_argument("--workdir", type=Path,
                    help="keep the documents, truth and outputs here (default: a temp dir, removed)")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    if not args.bin.is_file():
        print(f"error: cyberdiff binary not found at {args.bin}\n"
              f"build it first:  (cd {REPO_ROOT} && cargo build --release)\n"
              f"or point --bin at one.", file=sys.stderr)
        return 2

    spawner = Spawner()
    try:
        if args.workdir:
            return bench(args, args.workdir, spawner)
        with tempfile.TemporaryDirectory(prefix="cyberdiff-bench-") as tmp:
            return bench(args, Path(tmp), spawner)
    finally:
        spawner.close()


def bench(args: argparse.Namespace, workdir: Path, spawner: Spawner) -> int:
    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    text_dirs = args.text_source or DEFAULT_TEXT_DIRS
    start = time.perf_counter()
    sentences = load_sentences(text_dirs)
    if not sentences:
        log(f"error: no usable sentences in *.txt under {', '.join(map(str, text_dirs))}")
        return 2
    pair = make_pair(sentences, seed=args.seed, size_bytes=args.size_bytes)
    path_a, path_b, _ = write_pair(pair, workdir)
    log(f"generated {path_a} and {path_b} in {time.perf_counter() - start:.1f} s")

    out_json = workdir / "cyberdiff.json"
    cmd = [str(args.bin.resolve()), "compare", str(path_a), str(path_b), "--json", str(out_json)]
    runs = []
    for k in range(args.runs):
        out_json.unlink(missing_ok=True)
        run = spawner.run(cmd, workdir / "cyberdiff", CYBERDIFF_TIMEOUT)
        if run.returncode != 0 or not out_json.is_file():
            stderr = (workdir / "cyberdiff.stderr").read_text(errors="replace").strip()
            log(f"error: `{shlex.join(cmd)}` "
                + (f"timed out after {CYBERDIFF_TIMEOUT:.0f} s" if run.timed_out
                   else f"exited with {run.returncode}" if run.returncode
                   else f"did not write {out_json}")
                + (f"; its stderr:\n{stderr}" if stderr else ""))
            return 2
        log(f"cyberdiff run {k + 1}/{args.runs}: {run.seconds:.3f} s, {run.max_rss_kib / 1024:.1f} MiB")
        runs.append(run)
        if k == 0:
            passages, passage_kinds = read_cyberdiff_passages(out_json)
    ours = score(passages, pair)
    median = statistics.median(r.seconds for r in runs)
    fastest = min(r.seconds for r in runs)
    rss_kib = max(r.max_rss_kib for r in runs)

    log(f"running difflib (timeout {args.difflib_timeout:.0f} s)...")
    difflib_json = workdir / "difflib.json"
    difflib_cmd = [sys.executable, "-c", DIFFLIB_SCRIPT, str(path_a), str(path_b), str(difflib_json)]
    drun = spawner.run(difflib_cmd, workdir / "difflib", args.difflib_timeout)
    if drun.timed_out:
        difflib_call = difflib_score = None
        ratio = args.difflib_timeout / median
        ratio_text = f">{ratio:.0f}x (difflib timed out)"
    elif drun.returncode != 0:
        log(f"error: difflib subprocess exited with {drun.returncode}:\n"
            + (workdir / "difflib.stderr").read_text(errors="replace"))
        return 2
    else:
        result = json.loads(difflib_json.read_text())
        if result["words"] != [len(pair.doc_a.words), len(pair.doc_b.words)]:
            raise RuntimeError("difflib's word split disagrees with the generator's word spans")
        difflib_call = result["seconds"]
        difflib_score = score(difflib_passages(result["blocks"], pair), pair)
        ratio = drun.seconds / median
        ratio_text = f"{ratio:.0f}x"

    kinds_text = ", ".join(f"{n} {k}" for k, n in sorted(passage_kinds.items()))
    plant_kinds = {k: sum(p.kind == k for p in pair.plants) for k in KINDS}
    planted_share = sum(
        len(pair.text_b.encode()[p.b[0]:p.b[1]].split()) for p in pair.plants) / len(pair.doc_b.words)
    rss_ok = rss_kib * 1024 < TARGET_RSS_BYTES
    rows = [
        ("input A", f"{len(pair.text_a.encode()):,} bytes, {len(pair.doc_a.words):,} words", "", ""),
        ("input B", f"{len(pair.text_b.encode()):,} bytes, {len(pair.doc_b.words):,} words", "", ""),
        ("planted passages",
         f"{len(pair.plants)} ({', '.join(f'{n} {k}' for k, n in plant_kinds.items())}), "
         f"{planted_share:.1%} of B's words", "", ""),
        (f"cyberdiff wall time, median / min of {args.runs} (incl. process start)",
         f"{median:.3f} s / {fastest:.3f} s", "", ""),
        ("cyberdiff peak RSS", f"{rss_kib / 1024:.1f} MiB", f"< {TARGET_RSS_BYTES / 1e6:.0f} MB ({TARGET_RSS_BYTES / 2**20:.1f} MiB)", verdict(rss_ok)),
        ("cyberdiff planted words found", fmt_found(ours), f">= {TARGET_FOUND}",
         verdict(ours.found >= TARGET_FOUND)),
        ("cyberdiff false-positive share of B's words", f"{ours.false_positive_share:.4f}", "", ""),
        ("cyberdiff passages", f"{ours.passages} ({kinds_text})", "", ""),
        ("difflib SequenceMatcher(autojunk=True) call",
         f"{difflib_call:.2f} s" if difflib_call is not None else f">{args.difflib_timeout:.0f} s (timeout)",
         "", ""),
        ("difflib incl. python3 start, reading, splitting",
         (f"{drun.seconds:.2f} s, peak RSS {drun.max_rss_kib / 1024:.0f} MiB" if not drun.timed_out
          else f">{args.difflib_timeout:.0f} s (timeout)"), "", ""),
        ("speed ratio difflib / cyberdiff (both incl. process start)", ratio_text,
         f">= {TARGET_SPEEDUP:.0f}x", verdict(ratio >= TARGET_SPEEDUP)),
    ]
    if difflib_score is not None:
        rows.append(("difflib planted words found (all matching blocks)", fmt_found(difflib_score), "", ""))
        rows.append(("difflib false-positive share / blocks",
                     f"{difflib_score.false_positive_share:.4f} / {difflib_score.passages}", "", ""))

    table = [
        "## cyberdiff compare vs difflib",
        "",
        "| measure | value | target | result |",
        "|---|---|---|---|",
        *(f"| {' | '.join(r)} |" for r in rows),
        "",
        f"- machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        f"- peak RSS: ru_maxrss of the child, forked from a helper whose size sets a floor "
        f"of {spawner.floor_kib / 1024:.1f} MiB (readings cannot go below it)",
        f"- text: seed {args.seed}, {pair.real_sentences} real + {pair.synthetic_sentences} "
        f"synthesised sentences from {', '.join(map(str, text_dirs))}",
        f"- benchmark: `{shlex.join(['python3', *sys.argv])}`",
        f"- cyberdiff: `{shlex.join(cmd)}`",
        f"- difflib: `python3 -c <DIFFLIB_SCRIPT in bench/compare_bench.py> {path_a} {path_b} OUT`",
        "",
    ]
    markdown = "\n".join(table)
    print(markdown)
    if args.markdown:
        args.markdown.write_text(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
