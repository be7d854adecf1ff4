#!/usr/bin/env python3
"""The reworded tier on real translations: where its detections fall.

Usage: python3 tools/tier_bible_places.py BINARY   (after `python3 bench/realistic.py bible` has built
bench/work/bible/)

Compares the KJV with Young's Literal Translation and with Darby, chapter by chapter, for Genesis 1-30
(60 pairs), and prints how many passages of the tier (those with `evidence`) lie in place (their two
sides start at relative positions in their chapters less than 0.15 apart: the same verses, as the
translations keep the verse order) and how many are displaced; then the tier's passages between each
KJV chapter and the same-numbered chapter of Exodus in the other translation, where every detection is
chance or a formula. Used to ablate LINK_GAP, MAX_UNIT and SUPPORT_DISTANCE (docs/reworded.md): build
with the constant changed and run this, tools/reword_features.py, tools/bible_tight.py and
`cyberdiff eval`.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIBLE = ROOT / "bench" / "work" / "bible"


def compare(binary, a, b):
    out = subprocess.run([binary, "compare", str(a), str(b), "--json", "-", "-q"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def tier(report):
    return [p for p in report["passages"] if p.get("evidence")]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    if not BIBLE.is_dir():
        sys.exit("bench/work/bible/ is missing: run python3 bench/realistic.py bible first")
    in_place = displaced = words = other = 0
    for translation in ["ylt", "dar"]:
        for ch in range(1, 31):
            kjv = BIBLE / f"kjv_01_{ch:03d}.txt"
            r = compare(binary, kjv, BIBLE / f"{translation}_01_{ch:03d}.txt")
            la, lb = r["a"]["bytes"], r["b"]["bytes"]
            for p in tier(r):
                if abs(p["a"]["start"] / la - p["b"]["start"] / lb) < 0.15:
                    in_place += 1
                    words += p["a"]["words"]
                else:
                    displaced += 1
            other += len(tier(compare(binary, kjv, BIBLE / f"{translation}_02_{ch:03d}.txt")))
    print(f"same chapter: {in_place} tier passages in place ({words} words), {displaced} displaced; "
          f"other book's chapter: {other}")


if __name__ == "__main__":
    main()
