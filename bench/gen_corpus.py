"""Synthetic English documents with planted text reuse and exact ground truth.

The raw material is real English sentences (by default the PAN-13 texts in
``eval-data/pan13``).  Documents are built from a shared
:class:`SentenceSupply` that never hands out two sentences sharing a sequence
of 5 word tokens, so (nearly) the only reuse between generated documents is the
reuse planted on purpose.  The PAN texts hold about 90k words of usable
sentences, far less than a 1 MB pair needs, so the supply mixes in sentences
synthesised by a word-level Markov chain trained on the real ones (under the
same n-gram rule; they read as English-flavoured word salad).

Planted passages come in three kinds, mirroring common reuse:

* ``verbatim``    -- an exact copy of a run of source words;
* ``substituted`` -- a copy with a share of its words replaced by random
  vocabulary words;
* ``inserted``    -- a copy with extra clauses inserted at random points.

All offsets are byte offsets into the UTF-8 text as written, ``[start, end)``.

Library use::

    from gen_corpus import load_sentences, make_pair, write_pair
    pair = make_pair(load_sentences([src_dir, susp_dir]), seed=1)
    write_pair(pair, out_dir)

Command line: ``python3 bench/gen_corpus.py OUT_DIR [--seed N] [--size-bytes N]``
writes ``a.txt``, ``b.txt`` and ``truth.json`` into OUT_DIR.

:class:`SentenceSupply`, :class:`Document` and :func:`plant_copy` are the
building blocks; a corpus generator (N documents reusing one another) is a
loop over them like the one in :func:`make_pair`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXT_DIRS = [
    REPO_ROOT / "eval-data/pan13/src",
    REPO_ROOT / "eval-data/pan13/susp",
]

KINDS = ("verbatim", "substituted", "inserted")

# A sentence boundary: terminal punctuation (optionally followed by a closing
# quote or bracket), whitespace, then something that can start a sentence.
_SENTENCE_BREAK = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])"
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?$")
_MIN_WORDS, _MAX_WORDS = 6, 60


_TOKEN = re.compile(r"\w+")


def tokens(word: str) -> list[str]:
    """A word as a detector is likely to see it: lowercase alphanumeric runs.

    The n-gram rule works on these rather than on whitespace words, so that
    "2-deoxy-2-[18F" or a URL cannot repeat four tokens at a time unnoticed.
    """
    return _TOKEN.findall(word.lower())


def load_sentences(dirs: Iterable[Path]) -> list[str]:
    """All plausible English sentences in the ``*.txt`` files under ``dirs``.

    Whitespace (including hard line wraps) is collapsed; fragments that are too
    short, too long or mostly non-letters (tables, URLs, boilerplate) are
    dropped, as are exact duplicates.  The order is deterministic.
    """
    sentences, seen = [], set()
    for d in dirs:
        for path in sorted(Path(d).rglob("*.txt")):
            text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
            for s in _SENTENCE_BREAK.split(text):
                words = s.split()
                if not (_MIN_WORDS <= len(words) <= _MAX_WORDS) or not _SENTENCE_END.search(s):
                    continue
                letters = sum(c.isalpha() for c in s)
                if letters < 0.7 * (len(s) - s.count(" ")):
                    continue
                key = s.lower()
                if key not in seen:
                    seen.add(key)
                    sentences.append(s)
    return sentences


class SentenceSupply:
    """Hands out sentences (as word lists) that share no token n-gram with one another.

    Real sentences are used while they last, mixed at random with sentences
    synthesised by an order-2 word Markov chain, in the proportion that makes
    the real ones last for ``expected_words`` words of output.  A real sentence
    that repeats an n-gram of another is dropped up front (this also drops most
    of the near-copies PAN plants between its own documents); a synthesised one
    picks another successor word instead.  ``ngram`` counts :func:`tokens`;
    n-grams spanning two sentences are not checked.
    """

    def __init__(self, sentences: list[str], rng: random.Random, *,
                 expected_words: int, ngram: int = 5):
        self._rng = rng
        self._n = ngram
        self._seen: set[tuple[str, ...]] = set()
        shuffled = [s.split() for s in sentences]
        rng.shuffle(shuffled)
        # Claim the real sentences' n-grams up front, so that synthesised
        # sentences (made from the same words) cannot repeat them either.
        self._real = []
        for words in shuffled:
            grams = self._new_grams([], words)
            if self._seen.isdisjoint(grams):
                self._seen.update(grams)
                self._real.append(words)
        real_words = sum(map(len, self._real))
        self._real_share = min(1.0, real_words / max(expected_words, 1))
        self.vocabulary = sorted({w for s in self._real for w in s if w.isalpha()})
        # Order-2 chain: (w1, w2) -> successors, None marking sentence start/end.
        # The order-1 chain is the fallback when the pair was never seen.
        self._chain2: dict[tuple, list] = defaultdict(list)
        self._chain1: dict[str, list] = defaultdict(list)
        for words in self._real:
            seq = [None, None, *words, None]
            for w1, w2, w3 in zip(seq, seq[1:], seq[2:]):
                self._chain2[(w1, w2)].append(w3)
                if w2 is not None:
                    self._chain1[w2].append(w3)
        self.real_sentences = 0
        self.synthetic_sentences = 0

    def next(self) -> list[str]:
        """The next fresh sentence, as a list of words."""
        if self._real and self._rng.random() < self._real_share:
            self.real_sentences += 1
            return self._real.pop()
        self.synthetic_sentences += 1
        return self._synthesise()

    def random_word(self) -> str:
        return self._rng.choice(self.vocabulary)

    def _new_grams(self, before: list[str], words: list[str]) -> list[tuple[str, ...]]:
        """The token n-grams that ``words`` would add after the tokens ``before``."""
        toks = before[-(self._n - 1):] + [t for w in words for t in tokens(w)]
        return [tuple(toks[i:i + self._n]) for i in range(len(toks) - self._n + 1)]

    def _synthesise(self) -> list[str]:
        rng = self._rng
        words: list[str] = []
        toks: list[str] = []
        while len(words) < _MAX_WORDS:
            ctx = (words[-2] if len(words) > 1 else None, words[-1] if words else None)
            options = self._chain2.get(ctx) or self._chain1.get(ctx[1]) or self.vocabulary
            word = None
            # A few weighted draws keep the text close to the chain; if every
            # draw would repeat an n-gram, a random vocabulary word breaks it.
            for _ in range(8):
                cand = rng.choice(options)
                if cand is None:
                    if len(words) >= _MIN_WORDS:
                        break
                    continue
                grams = self._new_grams(toks, [cand])
                if self._seen.isdisjoint(grams):
                    word = cand
                    break
            else:
                while word is None:
                    cand = self.random_word()
                    grams = self._new_grams(toks, [cand])
                    if self._seen.isdisjoint(grams):
                        word = cand
            if word is None:  # the chain chose to end the sentence
                break
            words.append(word)
            toks.extend(tokens(word))
            self._seen.update(grams)
        if not _SENTENCE_END.search(words[-1]):
            words[-1] += "."
        return words


class Document:
    """A text under construction that records each word's byte span."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.seps: list[str] = []  # the separator written before each word
        self.spans: list[tuple[int, int]] = []
        self.size = 0  # bytes written so far

    def add_word(self, word: str, sep: str = " ") -> tuple[int, int]:
        if not self.words:
            sep = ""
        start = self.size + len(sep.encode())
        end = start + len(word.encode())
        self.words.append(word)
        self.seps.append(sep)
        self.spans.append((start, end))
        self.size = end
        return start, end

    def add_sentence(self, words: list[str], new_paragraph: bool = False) -> None:
        for k, w in enumerate(words):
            self.add_word(w, "\n\n" if new_paragraph and k == 0 else " ")

    def text(self) -> str:
        return "".join(s + w for s, w in zip(self.seps, self.words)) + "\n"


@dataclass
class Plant:
    """One planted passage: words ``src_words`` of A copied into B at ``b``."""

    kind: str
    a: tuple[int, int]  # byte span of the source passage in A
    b: tuple[int, int]  # byte span of the planted copy in B
    src_words: tuple[int, int]  # word index range of the source in A
    copied_words: list[tuple[int, int]] = field(default_factory=list)
    """Byte spans in B of the words copied unchanged from A (what recall counts)."""


def plant_copy(src: Document, first: int, last: int, dst: Document, kind: str,
               supply: SentenceSupply, rng: random.Random, *,
               substitute_rate: float = 0.10,
               insert_rate: tuple[float, float] = (0.10, 0.20),
               sep: str = " ") -> Plant:
    """Append to ``dst`` a copy of ``src`` words ``[first, last)`` of the given kind.

    ``substituted`` replaces ``substitute_rate`` of the words with other random
    vocabulary words; ``inserted`` adds a uniform ``insert_rate`` share of extra
    words, as clauses of 1-6 words cut from fresh sentences, between copied
    words.  Copied words keep their separators from ``src``.
    """
    length = last - first
    substituted: set[int] = set()
    inserts: dict[int, list[str]] = defaultdict(list)
    if kind == "substituted":
        substituted = set(rng.sample(range(length), round(length * substitute_rate)))
    elif kind == "inserted":
        remaining = round(length * rng.uniform(*insert_rate))
        while remaining > 0 and length > 1:
            sentence = supply.next()
            k = min(remaining, rng.randint(1, 6), len(sentence))
            at = rng.randrange(len(sentence) - k + 1)
            inserts[rng.randrange(1, length)].extend(sentence[at:at + k])
            remaining -= k
    elif kind != "verbatim":
        raise ValueError(f"unknown kind {kind!r}")

    copied = []
    for k in range(length):
        for w in inserts.get(k, ()):
            dst.add_word(w)
        word = src.words[first + k]
        word_sep = sep if k == 0 else src.seps[first + k]
        if k in substituted:
            new = supply.random_word()
            while tokens(new) == tokens(word):
                new = supply.random_word()
            span = dst.add_word(new, word_sep)
        else:
            span = dst.add_word(word, word_sep)
            copied.append(span)
        if k == 0:
            b_start = span[0]
    return Plant(kind=kind,
                 a=(src.spans[first][0], src.spans[last - 1][1]),
                 b=(b_start, dst.size),
                 src_words=(first, last),
                 copied_words=copied)


@dataclass
class Pair:
    text_a: str
    text_b: str
    doc_a: Document
    doc_b: Document
    plants: list[Plant]
    seed: int
    real_sentences: int
    synthetic_sentences: int


def make_pair(sentences: list[str], *, seed: int = 0, size_bytes: int = 1_000_000,
              reuse_fraction: float = 0.30, passage_words: tuple[int, int] = (40, 400),
              paragraph_rate: float = 0.2, ngram: int = 5) -> Pair:
    """Build documents A and B of about ``size_bytes`` each, B reusing parts of A.

    A is fresh sentences.  B is fresh sentences interleaved with planted copies
    of A passages (``passage_words`` words long, from random, non-overlapping
    places in A, kinds drawn uniformly from :data:`KINDS`) until the planted
    passages hold ``reuse_fraction`` of B's words.  ``sentences`` is the raw
    material (see :func:`load_sentences`); the result depends only on it and
    the other arguments.
    """
    rng = random.Random(seed)
    avg_word_bytes = sum(len(s) + 1 for s in sentences) / sum(len(s.split()) for s in sentences)
    expected_words = int(size_bytes * (2 - reuse_fraction) / avg_word_bytes)
    supply = SentenceSupply(sentences, rng, expected_words=expected_words, ngram=ngram)

    a = Document()
    while a.size < size_bytes:
        a.add_sentence(supply.next(), new_paragraph=rng.random() < paragraph_rate)

    b = Document()
    plants: list[Plant] = []
    used: list[tuple[int, int]] = []  # source word ranges already planted
    planted_words = 0
    while b.size < size_bytes:
        new_paragraph = rng.random() < paragraph_rate
        if planted_words >= reuse_fraction * len(b.words):
            b.add_sentence(supply.next(), new_paragraph)
            continue
        length = min(rng.randint(*passage_words), len(a.words))
        # Non-overlapping sources keep the ground truth unambiguous; with a
        # tiny A that may be impossible, and overlap is then accepted.
        for _ in range(100):
            first = rng.randrange(len(a.words) - length + 1)
            if all(first + length <= s or e <= first for s, e in used):
                break
        used.append((first, first + length))
        words_before = len(b.words)
        plants.append(plant_copy(a, first, first + length, b, rng.choice(KINDS), supply, rng,
                                 sep="\n\n" if new_paragraph else " "))
        planted_words += len(b.words) - words_before

    return Pair(text_a=a.text(), text_b=b.text(), doc_a=a, doc_b=b, plants=plants, seed=seed,
                real_sentences=supply.real_sentences,
                synthetic_sentences=supply.synthetic_sentences)


def write_pair(pair: Pair, out_dir: Path) -> tuple[Path, Path, Path]:
    """Write ``a.txt``, ``b.txt`` and ``truth.json`` (the planted passages) to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path_a, path_b, path_truth = out_dir / "a.txt", out_dir / "b.txt", out_dir / "truth.json"
    path_a.write_text(pair.text_a, encoding="utf-8")
    path_b.write_text(pair.text_b, encoding="utf-8")
    truth = {
        "seed": pair.seed,
        "real_sentences": pair.real_sentences,
        "synthetic_sentences": pair.synthetic_sentences,
        "plants": [{"kind": p.kind,
                    "a": {"start": p.a[0], "end": p.a[1]},
                    "b": {"start": p.b[0], "end": p.b[1]},
                    "a_words": list(p.src_words),
                    "copied_words": p.copied_words} for p in pair.plants],
    }
    path_truth.write_text(json.dumps(truth), encoding="utf-8")
    return path_a, path_b, path_truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size-bytes", type=int, default=1_000_000)
    ap.add_argument("--text-source", type=Path, action="append",
                    help="directory of *.txt raw material (repeatable; default: PAN-13 src and susp)")
    args = ap.parse_args()
    pair = make_pair(load_sentences(args.text_source or DEFAULT_TEXT_DIRS),
                     seed=args.seed, size_bytes=args.size_bytes)
    for path in write_pair(pair, args.out_dir):
        print(path)


if __name__ == "__main__":
    main()
