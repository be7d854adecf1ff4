#!/usr/bin/env python3
"""Measure `cyberdiff track` on text it was not tuned on (the figures in README.md, "Quality").

1. Paraphrase: every 8th verse of KJV Genesis 1-6 (20 verses) becomes a statement, tracked in the
   WEB translation of the same chapters; a statement is *found at the right verse* when its best
   passage overlaps the verse the gold file (eval-data/bible/KJV_WEB_gen1-6.gold.jsonl) pairs it with.
2. Absent rate: 20 statements from elsewhere (the first sentence of 20 paragraphs of the PAN 2013
   source documents, 8 to 30 words) tracked in the same WEB text must come out absent; and, harder
   because the register is the same, every verse of 2 Samuel 22 (KJV) tracked in KJV Genesis 1-6.
   The 160 verses of the gold file are also all tracked, as a larger sample.

Usage: python3 tools/measure_track.py [path/to/cyberdiff [track options...]]
       (default target/release/cyberdiff, default options)
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIBLE = ROOT / "eval-data" / "bible"


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def statements_file(items):
    out = []
    for sid, text in items:
        out.append(f"[[statement]]\nid = {toml_str(sid)}\ntext = {toml_str(text)}\n")
    return "\n".join(out)


def run(binary, statements, docs, extra=()):
    with tempfile.TemporaryDirectory() as tmp:
        st = Path(tmp) / "statements.toml"
        st.write_text(statements_file(statements), encoding="utf-8")
        out = subprocess.run(
            [binary, "track", "--statements", str(st), *map(str, docs), "--json", "-", *extra],
            check=True,
            capture_output=True,
        )
        return json.loads(out.stdout)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "cyberdiff")
    extra = sys.argv[2:]
    gold = [json.loads(l) for l in (BIBLE / "KJV_WEB_gen1-6.gold.jsonl").read_text().splitlines() if l]
    kjv = (BIBLE / "KJV_gen1-6.txt").read_bytes()  # gold offsets are byte offsets
    for name, picked in (("every 8th verse", gold[::8][:20]), ("all verses", gold)):
        statements = [
            (g["ref"].replace(" ", "_"), kjv[g["a_begin"] : g["a_end"]].decode("utf-8").strip())
            for g in picked
        ]
        r = run(binary, statements, [BIBLE / "WEB_gen1-6.txt"], extra)
        right, present, statuses = 0, 0, {}
        for g, cell in zip(picked, r["cells"]):
            statuses[cell["status"]] = statuses.get(cell["status"], 0) + 1
            if cell["status"] == "absent":
                continue
            present += 1
            s = cell["span"]
            if s["start"] < g["b_end"] and g["b_begin"] < s["end"]:
                right += 1
        print(f"KJV -> WEB, {name}: found at the right verse {right}/{len(picked)}, "
              f"present {present}, statuses {dict(sorted(statuses.items()))}")

    # Statements from elsewhere.
    others = []
    for f in sorted((ROOT / "eval-data" / "pan13" / "src").glob("*.txt")):
        for para in f.read_text(encoding="utf-8", errors="replace").split("\n\n"):
            sent = re.split(r"(?<=[.!?])\s", " ".join(para.split()))[0]
            n = len(sent.split())
            if 8 <= n <= 30:
                others.append((f"{f.stem}-{len(others)}", sent))
                break
        if len(others) == 20:
            break
    r = run(binary, others, [BIBLE / "WEB_gen1-6.txt"], extra)
    absent = sum(1 for c in r["cells"] if c["status"] == "absent")
    print(f"PAN sentences -> WEB: absent {absent}/{len(others)}")
    for c in r["cells"]:
        if c["status"] != "absent":
            print("  present:", c["statement"], c["score"], repr(c["span"]["text"]))

    # Same register, other text: 20 verses of 2 Samuel 22 (KJV) in KJV Genesis 1-6.
    lines = (BIBLE / "parallels" / "2sam22_ps18_A.txt").read_text(encoding="utf-8").splitlines()
    verses = [(f"2Sam22-{i + 1}", l.strip()) for i, l in enumerate(lines) if l.strip()]
    r = run(binary, verses, [BIBLE / "KJV_gen1-6.txt"], extra)
    absent = sum(1 for c in r["cells"] if c["status"] == "absent")
    print(f"2 Samuel 22 (KJV), all verses -> Genesis 1-6 (KJV): absent {absent}/{len(verses)}")
    for c in r["cells"]:
        if c["status"] != "absent":
            print("  present:", c["statement"], c["score"], repr(c["span"]["text"]))


if __name__ == "__main__":
    main()
