"""Benchmark of `cyberdiff scan` on generated corpora with planted reuse.

    cargo build --release && python3 bench/scan_bench.py [--docs 1000 10000] [--threads 1 2] [--non-ascii 0 0.1] [--runs 3]

For each corpus size it writes DOCS documents of ~11.6 KB into a work folder
(dated file names, one document a day), words drawn at random from the
vocabulary of the bundled PAN sentences (``gen_corpus.load_sentences``), so
that unrelated documents share next to no n-gram. Reuse is planted with
``gen_corpus``'s three kinds: about 30% of documents copy a 40-200 word
passage of an earlier document (verbatim, 10% of words substituted, or 10-20%
words inserted); every 25th planted passage is also copied into two more
later documents (a cluster of four). It then runs
``target/release/cyberdiff scan DIR --json OUT -q`` under ``/usr/bin/time``
(wall time and peak RSS) with ``RAYON_NUM_THREADS`` set and ``CYBERDIFF_TIMINGS=1`` (scan then
prints its stage times to stderr: read, tokenise, index, align, cluster, report, json); the indexing
throughput is the corpus size over tokenise + index time, per thread. ``--non-ascii 0 0.1`` adds a
variant corpus in which 10% of the words are made non-ASCII (accented). It counts the
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


ACCENTS = str.maketrans("aeiouncAEIOU", "áéîöüñçÁÉÎÖÜ")


def non_ascii(word: str) -> str:
    """The word with its vowels (and n, c) accented, or with an "é" added when it has none."""
    w = word.translate(ACCENTS)
    return w if w != word else word + "é"


def make_corpus(out: Path, docs: int, seed: int, vocab: list[str],
                non_ascii_share: float = 0.0) -> list[tuple[str, str, int, int]]:
    """Write the corpus; return the planted (source id, copy id, copy start, copy end).

    With ``non_ascii_share`` > 0 that share of the drawn words is made non-ASCII (``non_ascii``), drawn
    from a second random stream so that the corpus is otherwise the same."""
    rng = random.Random(seed)
    acc = random.Random(seed + 7919)
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
            if non_ascii_share and acc.random() < non_ascii_share:
                w = non_ascii(w)
            words.append(w)
            size += len(w.encode()) + 1
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


def run(bin_: Path, corpus: Path, out: Path, threads: int) -> tuple[float, int, dict[str, float]]:
    """Wall time, peak RSS and the stage times scan prints with CYBERDIFF_TIMINGS=1."""
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), CYBERDIFF_TIMINGS="1")
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", str(bin_), "scan", str(corpus), "--json", str(out), "-q"],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"scan failed: {p.stderr}")
    lines = p.stderr.strip().splitlines()
    wall, rss_kb = lines[-1].split()
    stages = {}
    for line in lines:
        m = re.match(r"cyberdiff: time: (\S+) ([0-9.]+) s", line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    return float(wall), int(rss_kb) * 1024, stages


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
    ap.add_argument("--non-ascii", type=float, nargs="+", default=[0.0],
                    help="shares of non-ASCII words, one corpus each (e.g. 0 0.1)")
    ap.add_argument("--runs", type=int, default=1, help="runs per setting; the median is reported")
    args = ap.parse_args()
    sentences = gen_corpus.load_sentences(gen_corpus.DEFAULT_TEXT_DIRS)
    vocab = sorted({w for s in sentences for w in s.split() if re.fullmatch(r"[A-Za-z]+[,.]?", w)})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scan_bench_"))
    print(f"vocabulary: {len(vocab)} words; work folder {work}", file=sys.stderr)
    print("| documents | non-ASCII words | MB | threads | wall s | MB/s | peak RSS MiB | RSS bytes per input byte "
          "| tokenise s | index s | indexing MB/s per core | align s | planted pairs | found |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.docs:
        for na in args.non_ascii:
            corpus = work / f"c{n}-na{na:g}"
            if corpus.exists():
                shutil.rmtree(corpus)
            plants = make_corpus(corpus, n, args.seed, vocab, na)
            size = sum(f.stat().st_size for f in corpus.iterdir())
            for t in args.threads:
                out = work / f"c{n}-na{na:g}-t{t}.json"
                runs = sorted((run(args.bin, corpus, out, t) for _ in range(args.runs)), key=lambda r: r[0])
                wall, rss, st = runs[len(runs) // 2]
                rec = recall(out, plants)
                # Indexing: tokenising (one vocabulary) and building the n-gram index, per core used.
                ix = st.get("tokenise", 0.0) + st.get("index", 0.0)
                per_core = size / 1e6 / ix / t if ix else 0.0
                print(f"| {n} | {na:.0%} | {size / 1e6:.1f} | {t} | {wall:.2f} | {size / 1e6 / wall:.1f} | "
                      f"{rss / 2**20:.0f} | {rss / size:.2f} | {st.get('tokenise', 0):.2f} | {st.get('index', 0):.2f} | "
                      f"{per_core:.0f} | {st.get('align', 0):.2f} | {len(plants)} | {rec:.3f} |", flush=True)


if __name__ == "__main__":
    main()
