"""The package's documentation and typed stubs say what the functions do and take."""

import ast
import doctest
from pathlib import Path

import pytest

import cyberdiff

STUBS = Path(__file__).resolve().parents[1] / "cyberdiff" / "_native.pyi"


def test_the_docstring_example_runs():
    assert doctest.testmod(cyberdiff).failed == 0
    for f in (cyberdiff.compare, cyberdiff.scan, cyberdiff.track):
        assert "Raises" in f.__doc__ or "raises" in f.__doc__


def stub_keywords():
    tree = ast.parse(STUBS.read_text())
    return {
        f.name: [a.arg for a in f.args.kwonlyargs]
        for f in tree.body
        if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")
    }


@pytest.mark.parametrize("name", ["compare", "scan", "track"])
def test_every_keyword_of_the_stubs_is_taken(name, bundled_records):
    keywords = stub_keywords()[name]
    assert len(keywords) >= 7
    args = {
        "compare": ("one two three four five six seven eight", "one two three four five six seven eight"),
        "scan": (bundled_records[:2],),
        "track": ([{"id": "p1", "text": "cyber sovereignty"}], bundled_records[:2]),
    }[name]
    # None keeps each default; an option the function does not take would be a TypeError.
    given = {k: None for k in keywords if k not in ("a_id", "b_id", "skip_bad_records")}
    report = getattr(cyberdiff, name)(*args, **given)
    assert report["command"] == name
    # And the function takes no option the stubs leave out.
    with pytest.raises(TypeError) as e:
        getattr(cyberdiff, name)(*args, no_such_option=1)
    taken = str(e.value).split("its options are ")[1].split(", ")
    signature = ("a_date", "b_date")  # keywords of the signature, not options
    assert sorted(taken) == sorted(k for k in given if k not in signature)
