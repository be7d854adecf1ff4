"""A JSON Lines corpus of real text for the Spark tests (about 100 documents): the bundled documents
(dated by their names), the PAN 2013 source and suspicious documents, parallel Bible passages, and
the cases real text may not show on its own: a masthead in many documents (boilerplate and keys
too common to pair by), copies of one story (near-duplicates linked through common keys), an id
given twice and a line that is not a record. Split over several files in nested folders."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MASTHEAD = (
    "Published by the Office of Public Records and Archives, all rights reserved, "
    "reproduction prohibited without written permission."
)


def records():
    out = []
    inputs = sorted((ROOT / "inputs").glob("*.txt"))
    for p in inputs:
        m = re.match(r"\d{4}(-\d\d){0,2}", p.name)
        out.append({"id": p.stem, "text": p.read_text(encoding="utf-8"), "date": m.group(0)})
    pan = ROOT / "eval-data" / "pan13"
    for sub, date in (("src", "2001-01-01"), ("susp", "2002-01-01")):
        for p in sorted((pan / sub).iterdir()):
            out.append({"id": p.stem, "text": p.read_text(encoding="utf-8"), "date": date, "series": sub})
    bible = ROOT / "eval-data" / "bible"
    for p in sorted(bible.glob("*.txt")) + sorted((bible / "parallels").glob("*.txt")):
        out.append({"id": p.stem, "text": p.read_text(encoding="utf-8"), "date": "1611"})
    words = [w for p in inputs for w in p.read_text(encoding="utf-8").split()]
    for i in range(8):
        body = " ".join(words[300 * i : 300 * i + 120])
        out.append({"id": f"m{i}", "text": f"{MASTHEAD}\n\n{body}\n\n{MASTHEAD}", "date": "2021"})
    story = " ".join(words[5000:5400])
    for i in range(6):
        out.append({"id": "copy", "text": f"{story}\n\nNote {i}.", "date": f"2023-0{i + 1}"})
    return out


def write(folder, files=3):
    """Write the corpus as `files` JSON Lines files under `folder` (and a bad line); the count."""
    recs = records()
    folder = Path(folder)
    (folder / "part").mkdir(parents=True, exist_ok=True)
    paths = [folder / (f"c{i}.jsonl" if i % 2 == 0 else f"part/c{i}.jsonl") for i in range(files)]
    handles = [open(p, "w", encoding="utf-8") for p in paths]
    for i, r in enumerate(recs):
        handles[i % files].write(json.dumps(r, ensure_ascii=False) + "\n")
    handles[-1].write("{not json\n")
    for h in handles:
        h.close()
    return len(recs)
