"""Typed stubs of cyberdiff's native module (the Rust crate python/, built with PyO3).

Each function returns the report the command line writes with ``--json``, as parsed JSON (see
docs/json.md for every field). Keyword options are the command line's flags in snake_case; an option
left out, or given as None, keeps the command line's default (shown here).
"""

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

__version__: str

Report = Dict[str, Any]
"""A report as parsed JSON: dicts, lists, strings, numbers, booleans and None."""

Record = Mapping[str, Any]
"""A document: {"id": str | int, "text": str, "date": str | datetime.date (optional), "title",
"series" or "source" (optional str)}; other keys are ignored."""

Statement = Mapping[str, Any]
"""A reference statement: {"id": str, "text": str, "group": str (optional), "aliases": list of str
(optional)}."""

def compare(
    a_text: str,
    b_text: str,
    *,
    a_id: str = "a",
    b_id: str = "b",
    a_date: Optional[str] = None,
    b_date: Optional[str] = None,
    min_words: Optional[float] = 8.0,
    min_score: Optional[float] = 0.3,
    ngram: Optional[int] = 3,
    cjk_ngram: Optional[int] = 4,
    max_gap: Optional[int] = 24,
    max_seed_freq: Optional[int] = 64,
    repeated_min_aligned: Optional[float] = 0.9,
    repeated_max_ratio: Optional[float] = 1.25,
    expanded_min_found: Optional[float] = 0.8,
    expanded_min_ratio: Optional[float] = 1.3,
    reworded: Optional[bool] = True,
    max_bytes: Optional[int] = 268435456,
) -> Report:
    """Align two texts (``a_text`` the earlier): the report of ``cyberdiff compare --json``.

    Raises ValueError for an option out of range or a text without words, TypeError for an
    unknown option. The GIL is released while the texts are aligned.
    """

def scan(
    documents: Iterable[Record],
    *,
    skip_bad_records: bool = False,
    min_words: Optional[float] = 8.0,
    min_score: Optional[float] = 0.3,
    ngram: Optional[int] = 3,
    cjk_ngram: Optional[int] = 4,
    max_gap: Optional[int] = 24,
    max_seed_freq: Optional[int] = 64,
    repeated_min_aligned: Optional[float] = 0.9,
    repeated_max_ratio: Optional[float] = 1.25,
    expanded_min_found: Optional[float] = 0.8,
    expanded_min_ratio: Optional[float] = 1.3,
    reworded: Optional[bool] = False,
    min_shared: Optional[int] = 3,
    max_df: Optional[int] = 100,
    boilerplate_min_docs: Optional[int] = None,
    duplicate_threshold: Optional[float] = 0.8,
    min_cluster_docs: Optional[int] = 2,
    json_summary: Optional[bool] = False,
    max_bytes: Optional[int] = 268435456,
) -> Report:
    """Scan a corpus of records: the report of ``cyberdiff scan --json`` on the same records
    written as JSON Lines (path ``<documents>``, line = 1-based place in ``documents``).

    A bad record raises ValueError naming it (``documents[3]: ...``), or with
    ``skip_bad_records=True`` is listed in the report's ``skipped``. The GIL is released while
    the corpus is scanned.
    """

def track(
    statements: Union[str, "os.PathLike[str]", Iterable[Statement]],
    documents: Iterable[Record],
    *,
    min_recall: Optional[float] = 0.5,
    min_score: Optional[float] = 0.5,
    repeated_min_aligned: Optional[float] = 0.9,
    repeated_max_ratio: Optional[float] = 1.25,
    expanded_min_found: Optional[float] = 0.8,
    expanded_min_ratio: Optional[float] = 1.3,
    max_bytes: Optional[int] = 268435456,
) -> Report:
    """Track statements (a statements file's path, or statement dicts) through dated documents:
    the report of ``cyberdiff track --json``.

    A bad statement raises ValueError naming it (``statements[2]: ...``, or the file and line),
    a missing file FileNotFoundError, a bad record ValueError naming it. The GIL is released while
    the statements are tracked.
    """

def _panic(message: str) -> None:
    """For the tests: panic in a worker thread with the GIL released; raises RuntimeError."""
