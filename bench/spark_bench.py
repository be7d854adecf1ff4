"""The Spark job (``python3 -m cyberdiff.spark scan``) against the single binary on the same corpus.

    cargo build --release && pip install . pyspark    # or maturin develop --release
    python3 bench/spark_bench.py [bible] [--partitions 4] [--extra "--json-summary"] [--markdown FILE]

The corpus is the Bible-chapters corpus of ``bench/realistic.py`` (5,945 chapters of five public-domain
translations, 21 MB of real text with heavy chance overlap), written as JSON Lines, one file per
translation and book (330 files), into ``bench/work/bible-jsonl/``. Both runs read that folder with
the same options. For each it reports wall time, CPU seconds and the peak memory of the whole process
tree (the binary; Spark's JVM with its Python workers, sampled every 0.2 s from /proc), and checks
that the two JSON files are byte-identical. The job's ``--stats`` give the stages' sizes (shuffle rows,
characters of text joined to candidate pairs), from which BENCHMARKS.md extrapolates to 10 million
documents.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realistic  # noqa: E402

REPO = realistic.REPO
WORK = realistic.WORK


def bible_jsonl() -> Path:
    src, _ = realistic.bible_corpus()
    out = WORK / "bible-jsonl"
    if (out / ".done").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}
    for p in sorted(src.glob("*.txt")):
        t, book, _ = p.stem.split("_")
        rec = {"id": p.stem, "text": p.read_text(encoding="utf-8"), "series": t}
        files.setdefault(f"{t}_{book}", []).append(json.dumps(rec, ensure_ascii=False))
    for name, lines in files.items():
        (out / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / ".done").write_text("")
    return out


TICK = os.sysconf("SC_CLK_TCK")


def tree_sample(pid: int, cpu: dict[int, float]) -> int:
    """Resident bytes of a process and all its descendants; records each one's own CPU seconds so
    far in `cpu`, by pid."""
    kids: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                kids.setdefault(int(fields[1]), []).append(int(d))
                stats[int(d)] = fields
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        if p in stats:
            # utime and stime: fields 14 and 15 of stat, 12 and 13 after the command.
            f = stats[p]
            cpu[p] = max(cpu.get(p, 0.0), (int(f[11]) + int(f[12])) / TICK)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Wall time, CPU seconds of the whole process tree (the larger of what the kernel reports for
    waited-for children and the sum sampled every 0.2 s from /proc: Spark's JVM and its Python
    workers are not waited for by this process) and its peak resident memory."""
    t0 = time.monotonic()
    before = os.times()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    cpu: dict[int, float] = {}

    def sample():
        while p.poll() is None:
            peak[0] = max(peak[0], tree_sample(p.pid, cpu))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = p.communicate()
    th.join()
    after = os.times()
    if p.returncode not in (0, 3):
        sys.exit(f"{cmd[:4]} failed ({p.returncode}): {err[-3000:]}")
    waited = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    # Each process counted once, up to its last sample (a process living under 0.2 s may be missed).
    sampled = sum(cpu.values())
    return {"wall": time.monotonic() - t0, "cpu": max(waited, sampled), "rss": peak[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default="bible", choices=["bible"])
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--bin", type=Path, default=REPO / "target" / "release" / "cyberdiff")
    ap.add_argument("--extra", default="", help="scan options for both runs, space-separated")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    corpus = bible_jsonl()
    size = sum(p.stat().st_size for p in corpus.glob("*.jsonl"))
    extra = args.extra.split()
    out = WORK / "spark-bench"
    out.mkdir(parents=True, exist_ok=True)
    cli_json = out / "cli.json"
    binary = measure([str(args.bin), "scan", str(corpus), "--json", str(cli_json), "-q", *extra])
    stats = out / "stats.json"
    job = measure(
        [sys.executable, "-m", "cyberdiff.spark", "scan", str(corpus), "--out", str(out / "spark"),
         "--partitions", str(args.partitions), "--stats", str(stats),
         "--conf", f"spark.driver.memory={args.driver_memory}", "--conf", "spark.ui.enabled=false", *extra]
    )
    equal = cli_json.read_bytes() == (out / "spark" / "scan.json").read_bytes()
    st = json.loads(stats.read_text())
    rows = [
        f"corpus: {corpus.name}, {st['documents']:,} documents in {st['files']} files, {size / 1e6:.1f} MB; "
        f"options: {' '.join(extra) or '(defaults)'}; Spark partitions {args.partitions}",
        "",
        "| run | wall s | CPU s | peak RSS (process tree) | JSON byte-identical |",
        "|---|---|---|---|---|",
        f"| cyberdiff scan (binary, 2 threads) | {binary['wall']:.1f} | {binary['cpu']:.1f} "
        f"| {binary['rss'] / 2**20:.0f} MiB | |",
        f"| python3 -m cyberdiff.spark scan (local[*]) | {job['wall']:.1f} | {job['cpu']:.1f} "
        f"| {job['rss'] / 2**20:.0f} MiB | {'yes' if equal else 'NO'} |",
        "",
        "Stages of the Spark run: " + json.dumps(st, sort_keys=True),
    ]
    text = "\n".join(rows)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if not equal:
        sys.exit("the Spark job's JSON differs from the binary's")


if __name__ == "__main__":
    main()
