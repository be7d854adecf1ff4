"""cyberdiff.track against `cyberdiff track --json` on the bundled statements and corpus."""

import pytest

import cyberdiff
from conftest import INPUTS, as_records_path, write_jsonl

STATEMENTS = INPUTS / "statements.toml"


def load_statements():
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        pytest.skip("tomllib is Python 3.11+")
    with open(STATEMENTS, "rb") as f:
        return tomllib.load(f)["statement"]


def test_track_is_the_binarys_track(cli, tmp_path, bundled_records):
    jsonl = write_jsonl(tmp_path / "corpus.jsonl", bundled_records)
    want = as_records_path(cli("track", "-q", "--statements", STATEMENTS, jsonl, "--json", "-"), jsonl)
    got = cyberdiff.track(str(STATEMENTS), bundled_records)
    assert got == want
    # The flagship question: "Respect for cyber sovereignty" (p1) is not in the 2015 text (page 2 of
    # the report of the speech), and is in every later document, reworded in the 2019 one.
    p1 = [c["status"] for c in got["cells"] if c["statement"] == "p1"]
    assert p1[0] == "absent" and "absent" not in p1[1:] and p1[2] == "reworded"


def test_statements_may_be_given_as_dicts(bundled_records):
    from_file = cyberdiff.track(STATEMENTS, bundled_records)  # a pathlib.Path too
    given = cyberdiff.track(load_statements(), bundled_records)
    assert given["cells"] == from_file["cells"]
    assert given["statements"] == from_file["statements"]
    # Only the file is an input of the manifest.
    assert from_file["manifest"]["inputs"][0]["path"] == str(STATEMENTS)
    assert given["manifest"]["inputs"] == from_file["manifest"]["inputs"][1:]


def test_track_options_are_the_flags_in_snake_case(cli, tmp_path, bundled_records):
    jsonl = write_jsonl(tmp_path / "corpus.jsonl", bundled_records)
    want = as_records_path(
        cli("track", "-q", "--statements", STATEMENTS, jsonl, "--json", "-", "--min-recall", "0.7",
            "--min-score", "0.6"),
        jsonl,
    )
    got = cyberdiff.track(str(STATEMENTS), bundled_records, min_recall=0.7, min_score=0.6)
    assert got == want
    with pytest.raises(ValueError, match="^min_recall must be between 0 and 1, got 2$"):
        cyberdiff.track(str(STATEMENTS), bundled_records, min_recall=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'min_words'"):
        cyberdiff.track(str(STATEMENTS), bundled_records, min_words=3)


def test_a_bad_statement_is_named(tmp_path, bundled_records):
    with pytest.raises(ValueError) as e:
        cyberdiff.track([{"id": "p1", "text": "cyber sovereignty"}, {"id": "p1", "text": "peace"}], bundled_records)
    assert str(e.value) == 'statements[1]: duplicate statement id "p1" (first at statements[0]); ids must be unique'
    with pytest.raises(ValueError, match=r'^statements\[0\]: statement "p1" has an empty text'):
        cyberdiff.track([{"id": "p1", "text": "  "}], bundled_records)
    with pytest.raises(ValueError, match=r'^statements\[0\]: unknown field "alias"'):
        cyberdiff.track([{"id": "p1", "text": "peace", "alias": ["x"]}], bundled_records)
    with pytest.raises(ValueError, match="^no statements"):
        cyberdiff.track([], bundled_records)
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(FileNotFoundError, match="nowhere.toml"):
        cyberdiff.track(missing, bundled_records)
    broken = tmp_path / "broken.toml"
    broken.write_text('[[statement]]\nid = "p1"\n\n[[statement]]\nid = "p2"\ntext = ""\n')
    with pytest.raises(ValueError, match=r"broken.toml:1: missing field `text`"):
        cyberdiff.track(broken, bundled_records)


def test_a_bad_record_is_named(bundled_records):
    with pytest.raises(ValueError, match=r'^documents\[2\]: record "x": date "someday"'):
        cyberdiff.track(STATEMENTS, bundled_records[:2] + [{"id": "x", "text": "t", "date": "someday"}])
