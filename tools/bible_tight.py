#!/usr/bin/env python3
"""KJV ~ WEB Genesis 1-6: verses covered, and verses covered by a *tight* passage (both sides inside
at most two verses of the gold).

Usage: python3 tools/bible_tight.py BINARY [extra compare args...]

A verse is covered when some passage has an A word in the verse's KJV span and a B word in its WEB
span with most of its A side... (the simpler test used here: the passage overlaps the verse on both
sides). It is covered *tightly* when, in addition, the passage's A side overlaps at most two KJV
verses and its B side at most two WEB verses.
"""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
B = ROOT / "eval-data/bible"
gold = [json.loads(l) for l in open(B / "KJV_WEB_gen1-6.gold.jsonl")]
out = subprocess.run([sys.argv[1], "compare", str(B / "KJV_gen1-6.txt"), str(B / "WEB_gen1-6.txt"),
                      "--json", "-"] + sys.argv[2:], capture_output=True, text=True, check=True).stdout
ps = json.loads(out)["passages"]


def ov(s, e, x, y):
    return s < y and x < e


def verses(side, p):
    k = "a" if side == "a" else "b"
    return sum(1 for g in gold if ov(p[k]["start"], p[k]["end"], g[f"{k}_begin"], g[f"{k}_end"]))


covered = tight = 0
for g in gold:
    hit = [p for p in ps if ov(p["a"]["start"], p["a"]["end"], g["a_begin"], g["a_end"])
           and ov(p["b"]["start"], p["b"]["end"], g["b_begin"], g["b_end"])]
    covered += bool(hit)
    tight += any(verses("a", p) <= 2 and verses("b", p) <= 2 for p in hit)
print(f"passages {len(ps)}  verses {len(gold)}  covered {covered}  tightly covered {tight}")
