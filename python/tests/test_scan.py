"""cyberdiff.scan against `cyberdiff scan --json` on the same records written as JSON Lines."""

import datetime

import pytest

import cyberdiff
from conftest import INPUTS, as_records_path, read_text, write_jsonl


def cli_scan(cli, tmp_path, records, *flags):
    jsonl = write_jsonl(tmp_path / "corpus.jsonl", records)
    return as_records_path(cli("scan", "-q", jsonl, "--json", "-", *flags, ok=(0, 3)), jsonl)


def without_inputs(report):
    """The report but the manifest's inputs: the binary read (and hashed) a file, the package none."""
    return {**report, "manifest": {**report["manifest"], "inputs": None}}


def test_scan_of_records_is_the_binarys_scan_of_them(cli, tmp_path, corpus_records):
    assert len(corpus_records) > 80
    want = cli_scan(cli, tmp_path, corpus_records)
    got = cyberdiff.scan(corpus_records)
    assert got["manifest"]["inputs"] == []
    assert got["manifest"]["parameters"]["reworded"] is True  # on by default, as in the binary
    assert without_inputs(got) == without_inputs(want)
    # Real findings, not an empty report equal to another: PAN pairs share passages, clusters
    # recur across documents, and the records' places and sources are kept.
    assert len(got["pairs"]) > 40 and got["clusters"]
    pan = [p for p in got["pairs"] if {p["a"]["id"][:6], p["b"]["id"][:6]} == {"source", "suspic"}]
    assert pan
    doc = next(d for d in got["documents"] if d["id"] == "2015-12-16_xinhua_wic-speech-five-proposals")
    assert (doc["path"], doc["line"], doc["source"], doc["date"]) == ("<documents>", 1, "inputs", "2015-12-16")


def test_scan_options_are_the_flags_in_snake_case(cli, tmp_path, corpus_records):
    flags = ["--no-reworded", "--min-words", "10", "--max-df", "20", "--min-cluster-docs", "3",
             "--duplicate-threshold", "0.7", "--json-summary"]
    want = cli_scan(cli, tmp_path, corpus_records, *flags)
    got = cyberdiff.scan(
        corpus_records, reworded=False, min_words=10, max_df=20, min_cluster_docs=3,
        duplicate_threshold=0.7, json_summary=True,
    )
    assert got["manifest"]["parameters"]["reworded"] is False
    assert got["manifest"]["scan"]["max_df"] == 20
    assert without_inputs(got) == without_inputs(want)
    # The summary level: pairs and passages as rows of the named fields, no texts.
    assert got["level"] == "summary" and got["pair_fields"][:2] == ["a", "b"]
    assert got["pairs"] and all(isinstance(pair, list) for pair in got["pairs"])
    assert got["clusters"] and all(isinstance(o, list) for c in got["clusters"] for o in c["occurrences"])


def test_ids_are_made_unique_and_documents_sorted_as_the_binary_does(cli, tmp_path, bundled_records):
    # The same id twice, undated and dated records, a numeric id, records out of order.
    records = list(reversed(bundled_records))
    records.append({**bundled_records[0], "id": bundled_records[1]["id"]})
    records.append({"id": 7, "text": read_text(INPUTS / "2017-03-01_xinhua_international-strategy-of-cooperation.txt")})
    want = cli_scan(cli, tmp_path, records)
    got = cyberdiff.scan(iter(records))  # any iterable
    assert without_inputs(got) == without_inputs(want)
    ids = [d["id"] for d in got["documents"]]
    assert "2017-03-01_xinhua_international-strategy-of-cooperation@<documents>:4" in ids
    assert ids[-1] == "7"  # undated last
    assert [d["date"] for d in got["documents"]][:2] == ["2015-12-16", "2015-12-16"]


def test_a_date_may_be_a_datetime_date(bundled_records):
    rec = dict(bundled_records[0], date=datetime.date(2015, 12, 16))
    other = dict(bundled_records[1], date=datetime.datetime(2017, 3, 1, 9, 30))
    got = cyberdiff.scan([rec, other])
    assert [d["date"] for d in got["documents"]] == ["2015-12-16", "2017-03-01"]


BAD = [
    ({"id": "x", "text": "one two", "date": "Oct 2019"},
     'documents[1]: record "x": date "Oct 2019" is not YYYY, YYYY-MM or YYYY-MM-DD'),
    ({"id": "", "text": "one two"}, 'documents[1]: "id" must be a non-empty string or a number'),
    ({"id": True, "text": "one two"}, 'documents[1]: "id" must be a non-empty string or a number'),
    ({"id": "x", "text": " \n"}, 'documents[1]: record "x" has no text'),
    ({"id": "x", "text": "a\0b"},
     'documents[1]: record "x" looks binary (a NUL character at byte offset 1 of its text)'),
]


@pytest.mark.parametrize("bad,message", BAD)
def test_a_bad_record_is_a_value_error_naming_it(bundled_records, bad, message):
    with pytest.raises(ValueError) as e:
        cyberdiff.scan([bundled_records[0], bad, bundled_records[1]])
    assert str(e.value) == message


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"id": "x"}, 'documents[1]: record "x" has no "text"'),
        ({"id": 3, "text": b"bytes"}, 'documents[1]: record "3": "text" must be a string, got bytes'),
        ({"id": "x", "text": "t", "date": 2019}, 'documents[1]: record "x": "date" must be a string'),
        ({"id": "x", "text": "t", "title": 5}, 'documents[1]: record "x": "title" must be a string, got int'),
        (["x", "text"], "documents[1]: a record is a mapping"),
    ],
)
def test_a_record_of_the_wrong_shape_is_a_value_error_naming_it(bundled_records, bad, message):
    with pytest.raises(ValueError) as e:
        cyberdiff.scan([bundled_records[0], bad])
    assert str(e.value).startswith(message)


def test_skipped_records_are_listed_as_the_binary_lists_bad_lines(cli, tmp_path, bundled_records):
    records = bundled_records[:2] + [bad for bad, _ in BAD] + bundled_records[2:]
    want = cli_scan(cli, tmp_path, records)
    got = cyberdiff.scan(records, skip_bad_records=True)
    assert [s["path"] for s in got["skipped"]] == [f"<documents>:{i}" for i in range(3, 8)]
    assert without_inputs(got) == without_inputs(want)


def test_no_documents_or_bad_options_are_value_errors(bundled_records):
    with pytest.raises(ValueError, match="no usable document"):
        cyberdiff.scan([])
    with pytest.raises(ValueError, match="^max_df must be at least 2, got 1$"):
        cyberdiff.scan(bundled_records, max_df=1)
    with pytest.raises(ValueError, match="^boilerplate_min_docs must be at least 2, got 1$"):
        cyberdiff.scan(bundled_records, boilerplate_min_docs=1)
    with pytest.raises(TypeError, match="not a string"):
        cyberdiff.scan("inputs/")
