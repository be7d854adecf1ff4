"""Shared fixtures: the repository's real texts as records, and the cyberdiff binary to compare with.

The binary is $CYBERDIFF_BIN, or the newer of target/release/cyberdiff and target/debug/cyberdiff
(CI runs `cargo test` first, which builds the debug one).
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
EVAL = ROOT / "eval-data"


def read_text(path):
    """A file's text as the binary decodes it: UTF-8, a BOM dropped, line ends kept as written."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return f.read()


def leading_date(stem):
    """The binary's rule for a date in a file name: a leading YYYY-MM-DD, YYYY-MM or YYYY."""
    m = re.match(r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?(?!\d)", stem)
    return m.group(0) if m else None


def corpus_files():
    """About ninety real documents: the bundled corpus, the PAN 2013 pairs, the Chinese statutes
    and the Bible texts of eval-data/."""
    files = sorted(INPUTS.glob("*.txt"))
    files += sorted((EVAL / "pan13" / "src").glob("*.txt"))
    files += sorted((EVAL / "pan13" / "susp").glob("*.txt"))
    files += sorted((EVAL / "chinalaw").glob("*.txt"))
    files += sorted((EVAL / "bible").glob("*.txt"))
    files += sorted((EVAL / "bible" / "parallels").glob("*.txt"))
    return files


def record_of(path, **extra):
    rec = {"id": path.stem, "text": read_text(path)}
    date = leading_date(path.stem)
    if date:
        rec["date"] = date
    rec.update(extra)
    return rec


@pytest.fixture(scope="session")
def corpus_records():
    return [record_of(p, series=p.parent.name) for p in corpus_files()]


@pytest.fixture(scope="session")
def bundled_records():
    return [record_of(p) for p in sorted(INPUTS.glob("*.txt"))]


@pytest.fixture(scope="session")
def binary():
    given = os.environ.get("CYBERDIFF_BIN")
    if given:
        return Path(given)
    built = [ROOT / "target" / kind / "cyberdiff" for kind in ("release", "debug")]
    built = [p for p in built if p.is_file()]
    if not built:
        pytest.fail("no cyberdiff binary: run `cargo build` (or set CYBERDIFF_BIN) before these tests")
    return max(built, key=lambda p: p.stat().st_mtime)


@pytest.fixture
def cli(binary):
    """Run the binary; return its JSON report (written to standard output with --json -)."""

    def run(*args, ok=(0,)):
        done = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode in ok, done.stderr
        return json.loads(done.stdout)

    return run


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def as_records_path(report, jsonl):
    """The binary's report on a .jsonl file with the file's path written as the package writes the
    path of records given in Python: `<documents>`."""
    return json.loads(json.dumps(report).replace(json.dumps(str(jsonl))[1:-1], "<documents>"))
