"""`cyberdiff scan` on Apache Spark.

    python3 -m cyberdiff.spark scan INPUT... --out DIR [--partitions N] [--master URL]
                                [--conf KEY=VALUE]... [scan options]

INPUT is a JSON Lines corpus (passim's fields: ``id``, ``text``, ``date``, ``series``) or a folder of
them; DIR receives ``scan.json``, the same JSON as ``cyberdiff scan --json`` gives for the same
INPUT and options (any of ``cyberdiff scan``'s options except those that find files or write
reports: ``--json``, ``--html``, ``--manifest``, ``--glob``, ``--exclude``, ``--follow``).

The job runs the stages of ``cyberdiff::scan::stages`` (each a Rust function of this package) and
does the grouping between them in Spark, as passim plans its job:

0. read: one task per file, records parsed by the same code as ``cyberdiff scan``; the driver
   collects each record's ``(path, line, id, date)`` (not its text) to put the documents in report
   order and make ids unique.
1. n-grams: per document, its word count and its distinct n-gram keys with their counts.
2. the shuffle by n-gram key (Spark SQL): document frequency; keys in more than ``--max-df``
   documents only link near-duplicates; the others pair the documents that hold them; pairs sharing
   ``--min-shared`` keys (or linked) are candidates.
3. boilerplate: per document, its runs of keys in ``--boilerplate-min-docs`` documents.
4. pairs: the two texts are joined to each candidate pair, which is verified and aligned in Rust.
5. assemble (driver): shares, clusters, duplicates and boilerplate texts, and the JSON.

Every collection is sorted before use and every key is a content hash, so the result does not
depend on the number of partitions or on task order. The driver holds the documents' texts for
the last stage (the report quotes them): its memory bounds the corpus, not the executors'.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence

from . import _native

USAGE = (
    "python3 -m cyberdiff.spark scan INPUT... --out DIR [--partitions N] [--master URL] "
    "[--conf KEY=VALUE]... [--broadcast-texts MB] [--stats FILE] [cyberdiff scan options]"
)


#: Texts up to this many megabytes (UTF-8) in all are broadcast to the executors for the pair stage.
#: The driver gathers every text for the report anyway; each executor's Python worker holds a copy.
BROADCAST_MB = 256.0

#: Sizes and times of the last scan's stages (rows, bytes, seconds), for `--stats`.
LAST_STATS: dict = {}


class JobError(Exception):
    """A problem with the job's arguments or inputs (exit code 2)."""


def _parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python3 -m cyberdiff.spark", usage=USAGE, add_help=True)
    p.add_argument("command", choices=["scan"], help="the only command: scan")
    p.add_argument("--out", required=True, help="folder that receives scan.json")
    p.add_argument(
        "--partitions",
        type=int,
        default=None,
        help="partitions of every stage (default: Spark's default parallelism)",
    )
    p.add_argument(
        "--master",
        default=None,
        help="Spark master URL (default: spark-submit's, else local[*])",
    )
    p.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting, e.g. spark.driver.memory=4g (repeatable)",
    )
    p.add_argument(
        "--broadcast-texts",
        type=float,
        default=BROADCAST_MB,
        metavar="MB",
        help="texts of at most MB megabytes in all are broadcast to the executors once, instead of "
        f"joined to every candidate pair (default {BROADCAST_MB:g}; 0: always join)",
    )
    p.add_argument(
        "--stats",
        default=None,
        metavar="FILE",
        help="write the stages' sizes and times as JSON (for capacity planning)",
    )
    ns, rest = p.parse_known_args(list(argv))
    if ns.broadcast_texts < 0:
        raise JobError(f"--broadcast-texts must be at least 0, got {ns.broadcast_texts:g}")
    if ns.partitions is not None and ns.partitions < 1:
        raise JobError(f"--partitions must be at least 1, got {ns.partitions}")
    for c in ns.conf:
        if "=" not in c:
            raise JobError(f"--conf takes KEY=VALUE, got {c!r}")
    return ns, rest


def _session(ns: argparse.Namespace):
    # Executors in local mode run this interpreter, which has this package.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName("cyberdiff scan")
    # --master, else spark-submit's (it starts the JVM and sets PYSPARK_GATEWAY_PORT), else
    # spark.master from --conf, else local mode on every core.
    if ns.master:
        b = b.master(ns.master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ and not any(
        c.startswith("spark.master=") for c in ns.conf
    ):
        b = b.master("local[*]")
    for c in ns.conf:
        k, v = c.split("=", 1)
        b = b.config(k, v)
    if ns.partitions:
        b = b.config("spark.sql.shuffle.partitions", str(ns.partitions))
        b = b.config("spark.default.parallelism", str(ns.partitions))
    b = b.config("spark.ui.showConsoleProgress", "false")
    return b.getOrCreate()


def _files(settings) -> tuple[list[str], list[tuple[str, str, str | None]]]:
    """The JSON Lines files under the given paths, as `cyberdiff scan` walks them."""
    files, skipped = _native.discover(settings.paths)
    return [str(f) for f in files], skipped


def _read(part: Iterable[str], settings) -> Iterator[tuple]:
    """Stage 0 on an executor: ("r", path, record...) per record, ("s", path, reason) per skip."""
    for path in part:
        records, skipped = _native.read_jsonl(path, settings)
        for r in records:
            yield ("r", path) + tuple(r)
        for s in skipped:
            yield ("s",) + tuple(s)


def scan_json(
    spark,
    args: Sequence[str],
    partitions: int | None = None,
    stats: bool = False,
    broadcast_mb: float = BROADCAST_MB,
) -> tuple[str, list]:
    """Run the scan of ``cyberdiff scan ARGS`` (inputs and options) in an existing Spark session:
    the JSON ``cyberdiff scan --json`` would write, and the skipped inputs ``(path, reason,
    path_bytes)``.
    Texts of at most ``broadcast_mb`` megabytes in all are broadcast for the pair stage, larger
    ones joined to each candidate pair (the same result either way)."""
    try:
        settings0 = _native.ScanSettings(list(args), 1)
    except ValueError as e:
        raise JobError(str(e)) from None
    files, skipped = _files(settings0)
    if not files:
        raise JobError(f"no JSON Lines file in {', '.join(settings0.paths)}")
    parts = partitions or spark.sparkContext.defaultParallelism
    spark.conf.set("spark.sql.shuffle.partitions", str(parts))
    return _scan(spark, parts, list(args), settings0, files, skipped, stats, broadcast_mb)


def run(argv: Sequence[str]) -> int:
    ns, scan_args = _parse(argv)
    started = time.monotonic()
    try:
        # Arguments are checked before Spark starts (about a minute on a small machine).
        _native.ScanSettings(scan_args, 1)
    except ValueError as e:
        raise JobError(str(e)) from None
    spark = _session(ns)
    try:
        json_text, skipped = scan_json(
            spark, scan_args, ns.partitions, bool(ns.stats), ns.broadcast_texts
        )
    finally:
        spark.stop()
    os.makedirs(ns.out, exist_ok=True)
    out = os.path.join(ns.out, "scan.json")
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json_text)
    os.replace(tmp, out)
    if ns.stats:
        with open(ns.stats, "w", encoding="utf-8") as f:
            json.dump(LAST_STATS, f, indent=1, sort_keys=True)
    for path, reason, _ in sorted(skipped, key=lambda s: (s[0], s[1])):
        print(f"cyberdiff.spark: warning: {path}: {reason}; skipped", file=sys.stderr)
    print(
        f"cyberdiff.spark: wrote {out} in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    # As cyberdiff scan: 3 when the run completed but some inputs were skipped.
    return 3 if skipped else 0


def _more_stats(stats, sc, F, km, seedable, texts, candidates) -> None:
    """The sizes that cost a Spark job each: rows of the shuffles and bytes of the texts joined."""
    stats["key_doc_rows"] = km.count()
    stats["pair_key_rows"] = (
        seedable.alias("x")
        .join(seedable.alias("y"), "key")
        .filter(F.col("x.doc") < F.col("y.doc"))
        .count()
    )
    lengths = sc.broadcast(dict(texts.mapValues(len).collect()))
    stats["text_chars"] = sum(lengths.value.values())
    stats["pair_text_chars"] = candidates.rdd.map(
        lambda r: lengths.value[r[0]] + lengths.value[r[1]]
    ).sum()


def _scan(
    spark, parts, scan_args, settings0, files, skipped, want_stats, broadcast_mb
) -> tuple[str, list]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.types import (
        BooleanType,
        IntegerType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    sc = spark.sparkContext
    stats = LAST_STATS
    stats.clear()
    stats["partitions"] = parts
    stats["files"] = len(files)
    clock = [time.monotonic()]

    def lap(name):
        now = time.monotonic()
        stats[f"seconds_{name}"] = round(now - clock[0], 2)
        clock[0] = now

    # Stage 0: read every file (one task per file), keep the records on the executors.
    raw = (
        sc.parallelize(files, max(1, min(len(files), parts)))
        .mapPartitions(lambda it: _read(it, settings0))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    skipped = list(skipped) + [tuple(s[1:]) for s in raw.filter(lambda r: r[0] == "s").collect()]
    records = raw.filter(lambda r: r[0] == "r").map(lambda r: r[1:])
    # (path, line, id, date, title, source, text, bytes, hash); bytes: the text's, in UTF-8.
    metas_bytes = records.map(lambda r: ((r[0], r[1], r[2], r[3]), r[7])).collect()
    metas = sorted(m for m, _ in metas_bytes)
    text_bytes = sum(b for _, b in metas_bytes)
    if not metas:
        raise JobError("no usable document in " + ", ".join(settings0.paths))
    order = _native.arrange(metas)  # [(index into metas, final id)] in report order
    n = len(order)
    numbering = [(metas[i][0], metas[i][1], d, final) for d, (i, final) in enumerate(order)]
    num_schema = StructType(
        [
            StructField("path", StringType(), False),
            StructField("line", LongType(), False),
            StructField("doc", IntegerType(), False),
            StructField("id", StringType(), False),
        ]
    )
    numbers = spark.createDataFrame(numbering, num_schema)
    rec_schema = StructType(
        [
            StructField("path", StringType(), False),
            StructField("line", LongType(), False),
            StructField("rid", StringType(), False),
            StructField("date", StringType(), True),
            StructField("title", StringType(), True),
            StructField("source", StringType(), True),
            StructField("text", StringType(), False),
            StructField("bytes", LongType(), False),
            StructField("hash", StringType(), False),
        ]
    )
    recs = spark.createDataFrame(records, rec_schema)
    docs = recs.join(numbers, ["path", "line"]).drop("rid")
    texts = (
        docs.select("doc", "text")
        .rdd.map(lambda r: (r[0], r[1]))
        .partitionBy(parts)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    raw.unpersist()

    # Stage 1: words and keys per document.
    grams = texts.mapValues(lambda t: _native.doc_grams(t, settings0)).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    words = [0] * n
    for d, w in grams.mapValues(lambda g: g[0]).collect():
        words[d] = w
    settings = _native.ScanSettings(scan_args, n)
    mask = _native.key_mask(n, max(words))
    max_df = settings.max_df
    bmd = settings.boilerplate_min_docs
    min_shared = settings.min_shared
    max_seed_freq = settings.max_seed_freq

    # Stage 2: the shuffle by (masked) key.
    kd_schema = StructType(
        [
            StructField("key", LongType(), False),
            StructField("doc", IntegerType(), False),
            StructField("n", IntegerType(), False),
        ]
    )
    kd = spark.createDataFrame(
        grams.flatMap(lambda x: ((k, x[0], c) for k, c in x[1][1])), kd_schema
    )
    lap("read")
    postings = kd.agg(F.sum("n")).collect()[0][0] or 0
    lap("ngrams")
    km = (
        kd.withColumn("key", F.col("key").bitwiseAND(F.lit(mask).cast("long")))
        .groupBy("key", "doc")
        .agg(F.sum("n").cast("int").alias("n"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    grams.unpersist()
    per_key = (
        km.groupBy("key")
        .agg(F.count("doc").alias("df"), F.min("doc").alias("first"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    ngrams = per_key.count()
    common_ngrams = per_key.filter(F.col("df") > max_df).count()
    doc_keys = [0] * n
    for d, c in km.groupBy("doc").count().collect():
        doc_keys[d] = c

    # Links through common keys: each later holder to the earliest one.
    links = (
        km.join(per_key.filter(F.col("df") > max_df), "key")
        .filter(F.col("doc") != F.col("first"))
        .groupBy(F.col("first").alias("a"), F.col("doc").alias("b"))
        .count()
        .filter(F.col("count") >= min_shared)
    )
    dk = sc.broadcast(doc_keys)
    linked = links.rdd.filter(
        lambda r: _native.is_linked(r[2], dk.value[r[0]], dk.value[r[1]], settings)
    ).map(lambda r: (r[0], r[1]))
    linked_df = spark.createDataFrame(
        linked.map(lambda p: (p[0], p[1], True)),
        StructType(
            [
                StructField("a", IntegerType(), False),
                StructField("b", IntegerType(), False),
                StructField("linked", BooleanType(), False),
            ]
        ),
    )
    # Pairs through shared keys of 2 to max_df documents, each held at most max_seed_freq times.
    seedable = (
        km.join(per_key.filter((F.col("df") >= 2) & (F.col("df") <= max_df)).select("key"), "key")
        .filter(F.col("n") <= max_seed_freq)
        .select("key", "doc")
    )
    sa, sb = seedable.alias("sa"), seedable.alias("sb")
    shared = (
        sa.join(sb, F.col("sa.key") == F.col("sb.key"))
        .filter(F.col("sa.doc") < F.col("sb.doc"))
        .groupBy(F.col("sa.doc").alias("a"), F.col("sb.doc").alias("b"))
        .agg(F.collect_list("sa.key").alias("keys"))
        .filter(F.size("keys") >= min_shared)
    )
    candidates = (
        shared.join(linked_df, ["a", "b"], "full_outer")
        .select(
            "a",
            "b",
            F.coalesce("keys", F.array().cast("array<long>")).alias("keys"),
            F.coalesce("linked", F.lit(False)).alias("linked"),
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    candidate_pairs = candidates.count()
    lap("candidates")
    stats.update(
        documents=n,
        postings=postings,
        keys=ngrams,
        common_keys=common_ngrams,
        candidate_pairs=candidate_pairs,
    )
    if want_stats:
        _more_stats(stats, sc, F, km, seedable, texts, candidates)
        lap("stats")

    # Stage 3: boilerplate runs of the documents holding keys of bmd documents or more.
    boiler_keys = (
        km.join(per_key.filter(F.col("df") >= bmd).select("key"), "key")
        .groupBy("doc")
        .agg(F.collect_list("key").alias("keys"))
        .rdd.map(lambda r: (r[0], r[1]))
    )
    boilerplate = (
        texts.join(boiler_keys, parts)
        .mapValues(lambda tk: _native.doc_boilerplate(tk[0], settings, mask, tk[1]))
        .filter(lambda x: x[1] is not None)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    boiler = [None] * n
    for d, j in boilerplate.collect():
        boiler[d] = j

    # Stage 4: each candidate pair meets both texts and boilerplate runs; verify and align in Rust.
    sides = texts.leftOuterJoin(boilerplate, parts)  # doc -> (text, runs or None)
    broadcast = text_bytes <= broadcast_mb * 1e6
    stats["pair_texts"] = "broadcast" if broadcast else "joined"

    def align(a, b, side_a, side_b, keys, is_linked):
        (ta, ra), (tb, rb) = side_a, side_b
        shared, verified, result = _native.pair(a, ta, ra, b, tb, rb, settings, mask, keys, is_linked)
        return (a, b, shared, verified, result)

    if broadcast:
        # Every text once to each executor, not two copies per candidate pair through two shuffles
        # (the driver gathers the texts for the report in stage 5 anyway).
        table = sc.broadcast(dict(sides.collect()))

        def align_part(rows):
            m = table.value
            for a, b, keys, is_linked in rows:
                yield align(a, b, m[a], m[b], keys, is_linked)

        outcomes = candidates.rdd.map(tuple).mapPartitions(align_part).filter(lambda o: o[3]).collect()
        table.destroy()
    else:
        by_a = candidates.rdd.map(lambda r: (r[0], (r[1], r[2], r[3])))
        with_a = by_a.join(sides, parts).map(
            lambda x: (x[1][0][0], (x[0], x[1][1], x[1][0][1], x[1][0][2]))
        )  # b -> (a, (text_a, runs_a), keys, linked)
        with_b = with_a.join(sides, parts)  # b -> ((a, side_a, keys, linked), side_b)
        outcomes = (
            with_b.map(lambda x: align(x[1][0][0], x[0], x[1][0][1], x[1][1], x[1][0][2], x[1][0][3]))
            .filter(lambda o: o[3])
            .collect()
        )
    lap("pairs")
    outcomes.sort(key=lambda o: (o[0], o[1]))
    verified = [(a, b, s) for a, b, s, _, _ in outcomes]
    pairs = [r for _, _, _, _, r in outcomes if r is not None]

    # Stage 5, on the driver: the documents (with their texts) in report order, and the JSON.
    rows = sorted(
        docs.select("doc", "path", "line", "id", "date", "title", "source", "text", "bytes", "hash")
        .rdd.map(tuple)
        .collect()
    )
    doc_rows = [tuple(r[1:]) for r in rows]
    inputs = [_native.input_info(p) for p in sorted({r[0] for r in doc_rows})]
    figures = (postings, ngrams, common_ngrams, candidate_pairs, verified)
    for df in (candidates, per_key, km):
        df.unpersist()
    for r in (texts, boilerplate):
        r.unpersist()
    json_text = _native.assemble(doc_rows, words, boiler, figures, pairs, inputs, skipped, settings)
    lap("assemble")
    stats.update(verified_pairs=len(verified), pairs_with_passages=len(pairs), json_bytes=len(json_text))
    return json_text, skipped


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except JobError as e:
        print(f"cyberdiff.spark: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
