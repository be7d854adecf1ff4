"""Benchmark of `cyberdiff scan` on generated corpora with planted reuse.

    cargo build --release && python3 bench/scan_bench.py [--docs 1000 10000] [--threads 1 2]

For each corpus size it writes DOCS documents of ~11.6 KB into a work folder
(dated file names, one document a day), words drawn at random from the
vocabulary of the bundled PAN sentences (``gen_corpus.load_sentences``), so
that unrelated documents share next to no n-gram. Reuse is planted with
``gen_corpus``'s three kinds: about 30% of documents copy a 40-200 word
passage of an earlier document (verbatim, 10% of words substituted, or 10-20%
words inserted); every 25th planted passage is also copied into two more
later documents (a cluster of four). It then runs
``target/release/cyberdiff scan DIR --json OUT -q`` under ``/usr/bin/time``
(wall time and peak RSS) with ``RAYON_NUM_THREADS`` set, and counts the
planted pairs found: a reported pair (source, copy) with a passage whose copy
span overlaps the planted span. It prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DOC_BYTES = 11_600


def make_corpus(out: Path, docs: int, seed: int, vocab: list[str]) -> list[tuple[str, str, int, int]]:
    """Write the corpus; return the planted (source id, copy id, copy start, copy end)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    texts: list[list[str]] = []
    ids: list[str] = []
    plants = []
    pending: list[tuple[int, list[str], str]] = []  # (from doc, words, kind) to copy later
    base = 730_000  # days since year 1: dates from about 2000 on
    import datetime
    for i in range(docs):
        day = datetime.date.fromordinal(base + i)
        ids.append(f"{day.isoformat()}_d{i:05d}")
        words = []
        size = 0
        target = rng.randint(int(DOC_BYTES * 0.6), int(DOC_BYTES * 1.4))
        while size < target:
            w = rng.choice(vocab)
            words.append(w)
            size += len(w) + 1
        copies = []
        if i > 0 and rng.random() < 0.3:
            src = rng.randrange(i)
            n = rng.randint(40, 200)
            st = rng.randrange(max(1, len(texts[src]) - n))
            passage = texts[src][st:st + n]
            kind = rng.choice(gen_corpus.KINDS)
            copies.append((src, passage, kind))
            if len(plants) % 25 == 0:
                for _ in range(2):
                    pending.append((src, passage, rng.choice(gen_corpus.KINDS)))
        elif pending and rng.random() < 0.5:
            copies.append(pending.pop(0))
        spans = []
        for src, passage, kind in copies:
            p = list(passage)
            if kind == "substituted":
                for k in rng.sample(range(len(p)), len(p) // 10):
                    p[k] = rng.choice(vocab)
            elif kind == "inserted":
                for _ in range(max(1, len(p) // 30)):
                    at = rng.randrange(1, len(p))
                    p[at:at] = [rng.choice(vocab) for _ in range(rng.randint(3, 6))]
            at = rng.randrange(len(words))
            spans.append((src, at, len(p)))
            words[at:at] = p
        text = " ".join(words) + "\n"
        # Byte spans of planted copies.
        offsets = []
        pos = 0
        for w in words:
            offsets.append(pos)
            pos += len(w.encode()) + 1
        for src, at, n in spans:
            plants.append((ids[src], ids[i], offsets[at], offsets[at + n - 1] + len(words[at + n - 1].encode())))
        texts.append(words)
        (out / f"{ids[i]}.txt").write_text(text, encoding="utf-8")
    return plants


def run(bin_: Path, corpus: Path, out: Path, threads: int) -> tuple[float, int]:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", str(bin_), "scan", str(corpus), "--json", str(out), "-q"],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"scan failed: {p.stderr}")
    wall, rss_kb = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss_kb) * 1024


def recall(report: Path, plants) -> float:
    r = json.loads(report.read_text())
    found_spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for p in r["pairs"]:
        key = (p["a"]["id"], p["b"]["id"])
        found_spans[key] = [(x["b"]["start"], x["b"]["end"]) for x in p["passages"]]
        found_spans[(key[1], key[0])] = [(x["a"]["start"], x["a"]["end"]) for x in p["passages"]]
    hit = 0
    for src, dst, s, e in plants:
        spans = found_spans.get((src, dst), [])
        if any(a < e and s < b for a, b in spans):
            hit += 1
    return hit / max(1, len(plants))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--threads", type=int, nargs="+", default=[2, 1])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bin", type=Path, default=REPO / "target/release/cyberdiff")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args()
    sentences = gen_corpus.load_sentences(gen_corpus.DEFAULT_TEXT_DIRS)
    vocab = sorted({w for s in sentences for w in s.split() if re.fullmatch(r"[A-Za-z]+[,.]?", w)})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scan_bench_"))
    print(f"vocabulary: {len(vocab)} words; work folder {work}", file=sys.stderr)
    print("| documents | MB | threads | wall s | MB/s | peak RSS MiB | RSS bytes per input byte | planted pairs | found |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.docs:
        corpus = work / f"c{n}"
        if corpus.exists():
            shutil.rmtree(corpus)
        plants = make_corpus(corpus, n, args.seed, vocab)
        size = sum(f.stat().st_size for f in corpus.iterdir())
        for t in args.threads:
            out = work / f"c{n}-t{t}.json"
            wall, rss = run(args.bin, corpus, out, t)
            rec = recall(out, plants)
            print(f"| {n} | {size / 1e6:.1f} | {t} | {wall:.2f} | {size / 1e6 / wall:.1f} | {rss / 2**20:.0f} | "
                  f"{rss / size:.2f} | {len(plants)} | {rec:.3f} |", flush=True)


if __name__ == "__main__":
    main()
