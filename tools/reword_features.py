#!/usr/bin/env python3
"""Features of the reworded tier's detections on the PAN 2013 pairs, PAN negative controls and the
KJV ~ WEB Bible pair, for choosing the tier's thresholds on data other than inputs/.

Usage: python3 tools/reword_features.py BINARY [extra compare args...] > features.tsv

Each line: set, pair, n (pairs), in_order, coverage_a, coverage_b, weight, rule, correct (1: the
detection overlaps a gold case on both sides; for the negative controls every detection is 0; for
the Bible a detection is correct when both sides lie in the same verse).
"""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAN = ROOT / "eval-data/pan13"
BIN, EXTRA = sys.argv[1], sys.argv[2:]


def compare(a, b):
    out = subprocess.run([BIN, "compare", str(a), str(b), "--json", "-"] + EXTRA,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def emit(kind, pair, p, correct):
    e = p["evidence"]
    print("\t".join(map(str, [kind, pair, len(e["pairs"]), e["in_order"], e["coverage_a"],
                              e["coverage_b"], e["weight"], e["log_expected"], e["rule"], int(correct), p["a"]["words"] + p["b"]["words"]])))


def main():
    gold = [json.loads(l) for l in open(PAN / "gold.jsonl")]
    pairs = [l.split() for l in open(PAN / "pairs.txt") if l.strip()]
    mb = 0
    for susp, src in pairs:
        r = compare(PAN / "src" / src, PAN / "susp" / susp)
        cases = [g for g in gold if g["susp"] == susp and g["src"] == src]
        for p in r["passages"]:
            if not p.get("evidence"):
                continue
            ok = any(p["a"]["start"] < g["source_offset"] + g["source_length"] and g["source_offset"] < p["a"]["end"]
                     and p["b"]["start"] < g["this_offset"] + g["this_length"] and g["this_offset"] < p["b"]["end"]
                     for g in cases)
            emit("pan", f"{src}~{susp}", p, ok)
    # Negative controls: each source against the suspicious documents of two other pairs.
    susps = sorted({s for s, _ in pairs})
    srcs = sorted({r for _, r in pairs})
    related = {(r, s) for s, r in pairs}
    for i, src in enumerate(srcs):
        for k in (1, 2):
            susp = susps[(i * 7 + k * 11) % len(susps)]
            if (src, susp) in related:
                continue
            r = compare(PAN / "src" / src, PAN / "susp" / susp)
            mb += (r["a"]["bytes"] + r["b"]["bytes"]) / 1e6
            for p in r["passages"]:
                if p.get("evidence"):
                    emit("neg", f"{src}~{susp}", p, False)
    print(f"# negative-control MB\t{mb:.3f}", file=sys.stderr)
    bible = ROOT / "eval-data/bible"
    r = compare(bible / "KJV_gen1-6.txt", bible / "WEB_gen1-6.txt")
    for p in r["passages"]:
        if p.get("evidence"):
            emit("bible", "kjv~web", p, p["a"]["line"] == p["b"]["line"] and p["a"]["end_line"] == p["b"]["end_line"])


main()
