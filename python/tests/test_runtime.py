"""The GIL is released while Rust works, and a panic in Rust is a Python exception."""

import threading
import time

import pytest

import cyberdiff
from conftest import corpus_files, read_text


def test_other_threads_run_while_compare_works():
    # Two long texts (about 0.5 MB each) made of the repository's real documents: PAN, the Bible, the
    # Chinese statutes, the bundled corpus.
    files = corpus_files()
    a = "\n\n".join(read_text(p) for p in files[0::2])
    b = "\n\n".join(read_text(p) for p in files[1::2])
    calls = []

    def work():
        for _ in range(3):
            started = time.perf_counter()
            report = cyberdiff.compare(a, b)
            calls.append((started, time.perf_counter(), len(report["passages"])))

    t = threading.Thread(target=work)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
        sum(range(200))  # a little pure-Python work, which needs the GIL
    t.join()
    assert len(calls) == 3 and all(n > 100 for _, _, n in calls)
    for start, end, _ in calls:
        # The middle of each call is Rust work; held through it, the GIL would keep this thread
        # from ticking at all there (at its edges Python runs in either case).
        middle = (start + 0.3 * (end - start), end - 0.3 * (end - start))
        inside = sum(middle[0] < x < middle[1] for x in ticks)
        assert inside > 0, (end - start, len(ticks))
    assert len(ticks) > 100


def test_a_panic_is_a_runtime_error_and_the_interpreter_goes_on():
    with pytest.raises(RuntimeError, match="a bug, please report it.*: boom in a worker"):
        cyberdiff._native._panic("boom in a worker")
    # The package still works after it.
    assert cyberdiff.compare("one two three four five six seven eight nine",
                             "one two three four five six seven eight nine")["passages"]
