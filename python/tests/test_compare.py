"""cyberdiff.compare against `cyberdiff compare --json` on the same real texts."""

import pytest

import cyberdiff
from conftest import EVAL, INPUTS, leading_date, read_text

PAIRS = [
    # English news texts: repeated passages through an OCR join ("developthe ment") and rewordings.
    (
        INPUTS / "2019-10_chinadaily_community-shared-future-concept.txt",
        INPUTS / "2020-11-23_peoplesdaily_wic-congratulatory-letter.txt",
    ),
    (
        INPUTS / "2015-12-16_xinhua_wic-speech-five-proposals.txt",
        INPUTS / "2022-11-07_cgtn_white-paper-release.txt",
    ),
    # Chinese, aligned character by character: the 1982 and 2018 texts of the Constitution.
    (
        EVAL / "chinalaw" / "中华人民共和国宪法__1982-12-04.txt",
        EVAL / "chinalaw" / "中华人民共和国宪法__2018-03-11.txt",
    ),
]


def side(path):
    return {"id": path.stem, "date": leading_date(path.stem)}


def python_compare(a, b, **options):
    return cyberdiff.compare(
        read_text(a),
        read_text(b),
        a_id=a.stem,
        b_id=b.stem,
        a_date=leading_date(a.stem),
        b_date=leading_date(b.stem),
        **options,
    )


@pytest.mark.parametrize("a,b", PAIRS, ids=["en-letter", "en-white-paper", "zh-constitution"])
def test_compare_gives_the_passages_of_the_binary(cli, a, b):
    want = cli("compare", a, b, "--json", "-")
    got = python_compare(a, b)
    assert got["passages"], "these texts share passages"
    assert got["passages"] == want["passages"]
    assert got["summary"] == want["summary"]
    assert got["manifest"]["parameters"] == want["manifest"]["parameters"]
    for s in ("a", "b"):
        # The same document, but for where it came from: a text, not a file.
        assert got[s]["path"] == f"<{s}_text>"
        assert {**got[s], "path": want[s]["path"]} == want[s]
    assert [i["xxh3"] for i in got["manifest"]["inputs"]] == [
        i["xxh3"] for i in want["manifest"]["inputs"]
    ]


def test_options_are_the_flags_in_snake_case(cli):
    a, b = PAIRS[0]
    want = cli(
        "compare", a, b, "--json", "-", "--min-words", "12", "--ngram", "4", "--no-reworded",
        "--repeated-min-aligned", "0.95",
    )
    got = python_compare(a, b, min_words=12, ngram=4, reworded=False, repeated_min_aligned=0.95)
    assert got["manifest"]["parameters"]["reworded"] is False
    assert got["passages"] == want["passages"]
    assert got["manifest"]["parameters"] == want["manifest"]["parameters"]
    # None keeps the default.
    assert python_compare(a, b, min_words=None) == python_compare(a, b)


def test_a_passage_says_how_it_was_reused():
    a, b = PAIRS[0]
    got = python_compare(a, b)
    texts = read_text(a), read_text(b)
    for p in got["passages"]:
        assert p["kind"] in {"repeated", "reworded", "expanded", "condensed"}
        for side_, text in zip(("a", "b"), texts):
            span = p[side_]
            assert text.encode()[span["start"] : span["end"]].decode() == span["text"]
    # The OCR join of the 2019 text is aligned to the letter's "development".
    ops = [o for p in got["passages"] for o in p["ops"]]
    assert any("developthe" in o["a"] and "development" in o["b"] for o in ops)


@pytest.mark.parametrize(
    "options,message",
    [
        ({"min_words": 0}, "min_words must be at least 1, got 0"),
        ({"min_score": 1.5}, "min_score must be between 0 and 1, got 1.5"),
        ({"ngram": 17}, "ngram must be between 1 and 16, got 17"),
        ({"max_gap": -1}, "max_gap must not be negative, got -1"),
        ({"repeated_max_ratio": 0.5}, "repeated_max_ratio must be a ratio of at least 1, got 0.5"),
        ({"max_bytes": 0}, "max_bytes must be between 1 and 4294967295, got 0"),
    ],
)
def test_a_bad_option_is_a_value_error_naming_it(options, message):
    with pytest.raises(ValueError) as e:
        cyberdiff.compare("one two three", "one two three", **options)
    assert str(e.value) == message


def test_an_unknown_or_mistyped_option_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'min_wrods'; its options are min_words"):
        cyberdiff.compare("x", "y", min_wrods=3)
    with pytest.raises(TypeError, match=r"reworded=True or reworded=False"):
        cyberdiff.compare("x", "y", no_reworded=True)
    with pytest.raises(TypeError, match="compare\\(\\): min_words must be a number, got str"):
        cyberdiff.compare("x", "y", min_words="8")
    with pytest.raises(TypeError, match="ngram must be an int, got float"):
        cyberdiff.compare("x", "y", ngram=3.0)
    with pytest.raises(TypeError, match="reworded must be True or False, got int"):
        cyberdiff.compare("x", "y", reworded=1)


def test_a_text_without_words_is_a_value_error():
    with pytest.raises(ValueError, match=r'^b_text: record "b" has no text$'):
        cyberdiff.compare("Respect for cyber sovereignty", " \n ")
    with pytest.raises(ValueError, match=r"a_text: .*looks binary \(a NUL character at byte offset 3"):
        cyberdiff.compare("abc\0def", "abc def")
    with pytest.raises(ValueError, match=r'a_text: record "a": date "10/2019" is not YYYY'):
        cyberdiff.compare("x", "y", a_date="10/2019")
    with pytest.raises(ValueError, match="over the limit of 10 bytes"):
        cyberdiff.compare("Respect for cyber sovereignty", "x", max_bytes=10)
