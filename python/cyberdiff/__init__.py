"""cyberdiff finds text reuse: it aligns the passages documents share and says how each was
reused: repeated (near-verbatim), reworded, expanded or condensed.

Three functions, each giving the report the command line writes with ``--json``, as dicts and lists:

- ``compare(a_text, b_text, **options)``: two texts, every passage they share with its word diff.
- ``scan(documents, **options)``: a corpus of ``{"id", "text", "date"}`` records; the pairs that
  share passages, the passages that recur (clusters), near-duplicates and boilerplate.
- ``track(statements, documents, **options)``: reference statements through dated documents.

Options are the command line's flags in snake_case (``--min-words 10`` is ``min_words=10``),
checked by the same code: a value out of range raises ValueError naming the option, a bad record
raises ValueError naming it (``documents[3]: ...``). The GIL is released while Rust works, so
other Python threads run meanwhile; a failure inside the engine is a RuntimeError.

>>> import cyberdiff
>>> r = cyberdiff.compare(
...     "We should speed up the building of an online platform for cultural exchanges and mutual learning.",
...     "Building an online platform for cultural exchanges and mutual learning is the second proposal.",
... )
>>> [(p["kind"], p["a"]["text"]) for p in r["passages"]]
[('repeated', 'an online platform for cultural exchanges and mutual learning')]
"""

from ._native import __version__, compare, scan, track

__all__ = ["__version__", "compare", "scan", "track"]
