"""Typed stubs of cyberdiff's native module (the Rust crate python/, built with PyO3).

Each function returns the report the command line writes with ``--json``, as parsed JSON (see
docs/json.md for every field). Keyword options are the command line's flags in snake_case; an option
left out, or given as None, keeps the command line's default (shown here).
"""

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

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
    reworded: Optional[bool] = True,
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

# The stages of the Spark job (``python -m cyberdiff.spark``): each is one step of
# ``cyberdiff scan`` on part of the corpus, so that Spark can group and shuffle between them.
# Documents are numbered in report order (see ``arrange``); n-gram keys are stable 64-bit hashes of
# the normalised words, the same in any shard.

class ScanSettings:
    """``cyberdiff scan``'s settings from its arguments (what follows ``scan`` on the command line)
    for a corpus of ``n_docs`` documents. Raises ValueError as the command line does for a bad option,
    and for options about finding files or writing reports. Pickled as its arguments."""

    def __init__(self, args: List[str], n_docs: int) -> None: ...
    @property
    def paths(self) -> List[str]: ...
    @property
    def summary(self) -> bool: ...
    @property
    def max_df(self) -> int: ...
    @property
    def min_shared(self) -> int: ...
    @property
    def boilerplate_min_docs(self) -> int: ...
    @property
    def max_seed_freq(self) -> int: ...

def read_jsonl(
    path: Union[str, os.PathLike], settings: ScanSettings
) -> Tuple[
    List[Tuple[int, str, Optional[str], Optional[str], Optional[str], str, int, str]],
    List[Tuple[str, str, Optional[str]]],
]:
    """The records ``(line, id, date, title, source, text, bytes, xxh3)`` of a JSON Lines file and the
    lines skipped ``(path:line, reason, path_bytes)``, read as ``cyberdiff scan`` reads it."""

def input_info(path: Union[str, os.PathLike]) -> Tuple[str, Optional[str], int, str]:
    """The report's entry for an input file: ``(path, path_bytes, bytes, xxh3)``. Raises OSError."""

def arrange(metas: List[Tuple[str, int, str, Optional[str]]]) -> List[Tuple[int, str]]:
    """Report order of documents ``(path, line, id, date)``: ``(index into metas, final unique id)``."""

def doc_grams(text: str, settings: ScanSettings) -> Tuple[int, List[Tuple[int, int]]]:
    """A document's word count and its n-gram keys with their counts ``(key, count)``."""

def key_mask(n_docs: int, longest: int) -> int:
    """The mask grouping n-gram keys in a corpus of ``n_docs`` documents whose longest has ``longest``
    words."""

def is_linked(links: int, keys_a: int, keys_b: int, settings: ScanSettings) -> bool:
    """Whether two documents sharing ``links`` keys (of ``keys_a`` and ``keys_b``) are near-duplicates."""

def doc_boilerplate(
    text: str, settings: ScanSettings, mask: int, keys: List[int]
) -> Optional[bytes]:
    """A document's boilerplate runs (the spans of its common ``keys``), serialised, or None."""

def pair(
    a: int,
    a_text: str,
    a_boilerplate: Optional[bytes],
    b: int,
    b_text: str,
    b_boilerplate: Optional[bytes],
    settings: ScanSettings,
    mask: int,
    keys: List[int],
    linked: bool,
) -> Tuple[int, bool, Optional[bytes]]:
    """One candidate pair, documents ``a < b`` sharing ``keys``: ``(shared seeds, verified, result)``,
    the result serialised when the pair shares passages."""

def assemble(
    docs: List[Tuple[str, Optional[int], str, Optional[str], Optional[str], Optional[str], str, int, str]],
    words: List[int],
    boilerplate: List[Optional[bytes]],
    figures: Tuple[int, int, int, int, List[Tuple[int, int, int]]],
    pairs: List[bytes],
    inputs: List[Tuple[str, Optional[str], int, str]],
    skipped: List[Tuple[str, str, Optional[str]]],
    settings: ScanSettings,
) -> str:
    """The scan's JSON report from the stages' results, byte-identical to ``cyberdiff scan --json``'s."""

def discover(
    paths: List[Union[str, os.PathLike]],
) -> Tuple[List[str], List[Tuple[str, str, Optional[str]]]]:
    """The JSON Lines files under ``paths`` (files given, folders walked) and what was skipped,
    ``(path, reason, path_bytes)``: what could not be walked, and files that are not JSON Lines."""
