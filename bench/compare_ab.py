"""Time two cyberdiff binaries on the same pair of documents, alternated run by run.

    python3 bench/compare_ab.py OLD_BINARY NEW_BINARY [--runs 40] [--pair A B]

Alternating the two in one loop exposes both to the same machine: on a shared machine the speed of
either alone drifts by a third within an hour, more than most changes move it. Each run is
`BINARY compare A B --json OUT` (OUT in a temporary folder, one per binary, replaced run after run),
timed from spawn to exit. The default pair is the one bench/compare_bench.py generates (seed 0),
written to a temporary folder first.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import DEFAULT_TEXT_DIRS, load_sentences, make_pair, write_pair  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--pair", type=Path, nargs=2, metavar=("A", "B"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cyberdiff-ab-") as tmp:
        work = Path(tmp)
        if args.pair:
            a, b = args.pair
        else:
            pair = make_pair(load_sentences(DEFAULT_TEXT_DIRS), seed=0)
            a, b, _ = write_pair(pair, work)
        times: dict[Path, list[float]] = {args.old: [], args.new: []}
        for _ in range(args.runs):
            for binary, out in ((args.old, work / "old.json"), (args.new, work / "new.json")):
                start = time.perf_counter()
                subprocess.run([str(binary), "compare", str(a), str(b), "--json", str(out)],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[binary].append(time.perf_counter() - start)
        for label, binary in (("old", args.old), ("new", args.new)):
            v = sorted(times[binary])
            print(f"{label}: median {statistics.median(v) * 1e3:.1f} ms, p25 {v[len(v) // 4] * 1e3:.1f} ms, "
                  f"min {v[0] * 1e3:.1f} ms of {len(v)} ({binary})")
        same = (work / "old.json").read_bytes() == (work / "new.json").read_bytes()
        print("outputs byte-identical" if same else "outputs differ")


if __name__ == "__main__":
    main()
