#!/usr/bin/env python3
"""How many restatements of the flagship statements `compare` finds between documents.

Usage: python3 tools/restated_pairs.py BINARY [extra compare args...]

The gold is tests/fixtures/track-gold.toml: each cell that locates a statement in a document (a
`line` and the text it `contains`) is an occurrence. Every two occurrences of one statement in
different documents are a restatement `compare EARLIER LATER` should find: a passage whose A side
overlaps the earlier occurrence and whose B side overlaps the later one. Prints each restatement
found or missed (with the passage's kind and whether the reworded tier found it) and the recall.

The cells were written for `track`, not for this measure, and they hold only the occurrences whose
answer is clear from the text, so the figure is a floor on what a reader would count. It describes
the bundled corpus; no setting is chosen on it (docs/reworded.md says which data chose which).
"""
import itertools
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN, EXTRA = sys.argv[1], sys.argv[2:]


def occurrence(doc, line, contains):
    """Byte range of `contains` (case and white space folded) on line `line` of inputs/DOC.txt."""
    raw = (ROOT / "inputs" / f"{doc}.txt").read_bytes()
    lines = raw.split(b"\n")
    start = sum(len(x) + 1 for x in lines[: line - 1])
    text = lines[line - 1].decode()
    pat = r"\s+".join(re.escape(w) for w in contains.split())
    m = re.search(pat, text, re.IGNORECASE)
    if not m:
        sys.exit(f"{doc}:{line} does not contain {contains!r}")
    return (start + len(text[: m.start()].encode()), start + len(text[: m.end()].encode()))


cells = tomllib.loads((ROOT / "tests/fixtures/track-gold.toml").read_text())["cell"]
occ = {}
for c in cells:
    if c["status"] != "absent" and "line" in c:
        occ.setdefault(c["statement"], []).append(
            (c["document"], occurrence(c["document"], c["line"], c["contains"]), c["contains"]))

cache = {}


def passages(a, b):
    if (a, b) not in cache:
        out = subprocess.run([BIN, "compare", str(ROOT / "inputs" / f"{a}.txt"),
                              str(ROOT / "inputs" / f"{b}.txt"), "--json", "-"] + EXTRA,
                             capture_output=True, text=True, check=True).stdout
        cache[(a, b)] = json.loads(out)["passages"]
    return cache[(a, b)]


def overlaps(side, r):
    return side["start"] < r[1] and r[0] < side["end"]


found = total = 0
for sid, occs in sorted(occ.items()):
    for (da, ra, ta), (db, rb, tb) in itertools.combinations(sorted(occs), 2):
        if da == db:
            continue
        total += 1
        hit = [p for p in passages(da, db) if overlaps(p["a"], ra) and overlaps(p["b"], rb)]
        found += bool(hit)
        how = (f"{hit[0]['kind']}{' (tier)' if hit[0].get('evidence') else ''}" if hit
               else "MISSED")
        print(f"{sid}\t{da[:7]} ~ {db[:7]}\t{how}\t{ta!r} ~ {tb!r}")
print(f"restatements found: {found} of {total} ({found / max(total, 1):.2f})")
