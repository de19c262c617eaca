"""Scaling of the Dask engine from 1 to 2 workers, with the local engine side by side.

The UN General Debate Corpus (``$SCO_DISCOURSE_CORPORA/ungdc/ungdc_speeches_1946-2024.jsonl.gz``,
10,952 speeches, 199 M characters; see its README) is written into ``--shards`` JSON Lines
shards (gzip) in a temporary folder. Each pass then reads that folder:

* ``local``: ``load_corpus(folder)`` (the validation pass) and the computation in this process;
* ``dask N``: the same call with ``engine="dask"`` on a ``LocalCluster`` of N worker processes
  (one thread each), started before the clock starts; the workers read and check every shard.

Passes: frame counts by year (``Matcher.count(corpus, by="year")``) and the unigram DTM
(``build_dtm``). Reported per pass: wall-clock seconds (best of ``--repeats``), CPU seconds
of this process and of the workers, MB/s of corpus text per wall-clock second, and the
speed-up against the local engine and against 1 worker. Results are checked to be equal.

Run: ``python benchmarks/bench_dask.py [--shards 16] [--repeats 1] [--limit N]``.
On a shared machine, compare ratios in the same run rather than absolute figures.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path


def corpus_file() -> Path:
    root = Path(os.environ.get("SCO_DISCOURSE_CORPORA", "/work/shared/corpora"))
    return root / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz"


def write_shards(source: Path, folder: Path, n_shards: int, limit: int | None) -> tuple[int, int]:
    """The corpus in ``n_shards`` gzip JSON Lines files of consecutive speeches; (documents, characters)."""
    import json

    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    if limit:
        lines = lines[:limit]
    size = -(-len(lines) // n_shards)
    chars = sum(len(json.loads(line)["text"]) for line in lines)
    for i in range(n_shards):
        part = lines[i * size:(i + 1) * size]
        if part:
            with gzip.open(folder / f"part.{i}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as out:
                out.writelines(part)
    return len(lines), chars


def worker_cpu(client) -> float:
    import psutil

    def cpu():
        times = psutil.Process().cpu_times()
        return times.user + times.system

    return sum(client.run(cpu).values()) if client is not None else 0.0


def timed(call, client, repeats: int):
    best = None
    for _ in range(repeats):
        cpu0, workers0 = time.process_time(), worker_cpu(client)
        t0 = time.perf_counter()
        result = call()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        workers = worker_cpu(client) - workers0
        if best is None or wall < best[0]:
            best = (wall, cpu, workers, result)
    return best


def same(a, b) -> bool:
    import pandas as pd

    if (a.matrix != b.matrix).nnz or list(a.vocabulary) != list(b.vocabulary):
        return False
    pd.testing.assert_frame_equal(a.docs, b.docs)
    return True


def main() -> None:
    import distributed

    from sco_discourse import load_corpus
    from sco_discourse.dtm import build_dtm
    from sco_discourse.frames import Matcher

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="only the first N speeches")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--passes", default="count,dtm")
    args = parser.parse_args()
    source = corpus_file()
    if not source.exists():
        raise SystemExit(f"{source}: the UN General Debate Corpus is not there (set SCO_DISCOURSE_CORPORA)")
    folder = Path(tempfile.mkdtemp(prefix="sco_shards_"))
    try:
        n_docs, n_chars = write_shards(source, folder, args.shards, args.limit)
        mb = n_chars / 1e6
        print(f"corpus: {n_docs} speeches, {mb:.1f} M characters, {args.shards} shards in {folder}; "
              f"{os.cpu_count()} cores")
        matcher = Matcher()
        passes = {
            "count": lambda **kw: matcher.count(load_corpus(folder, validate=not kw), by="year", **kw),
            "dtm": lambda **kw: build_dtm(load_corpus(folder, validate=not kw), **kw),
        }
        rows = []
        local_results = {}
        for name in args.passes.split(","):
            wall, cpu, _, local_results[name] = timed(lambda: passes[name](), None, args.repeats)
            rows.append((name, "local", wall, cpu, 0.0, True))
            print(f"  {name} local: {wall:.1f} s", flush=True)
        for n in [int(x) for x in args.workers.split(",")]:
            t0 = time.perf_counter()
            with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                          silence_logs=logging.ERROR) as cluster, \
                    distributed.Client(cluster, set_as_default=False) as client:
                print(f"  cluster of {n} worker(s) started in {time.perf_counter() - t0:.1f} s", flush=True)
                for name in args.passes.split(","):
                    wall, cpu, workers, result = timed(
                        lambda: passes[name](engine="dask", scheduler=client), client, args.repeats)
                    equal = same(result, local_results[name])
                    rows.append((name, f"dask {n}", wall, cpu, workers, equal))
                    print(f"  {name} dask {n}: {wall:.1f} s", flush=True)
        print()
        print("| pass | engine | wall s | CPU s (caller) | CPU s (workers) | MB/s | vs local | vs 1 worker |")
        print("|---|---|---|---|---|---|---|---|")
        for name, engine, wall, cpu, workers, equal in rows:
            local = next(r[2] for r in rows if r[0] == name and r[1] == "local")
            one = next((r[2] for r in rows if r[0] == name and r[1] == "dask 1"), None)
            print(f"| {name} | {engine} | {wall:.1f} | {cpu:.1f} | {workers:.1f} | {mb / wall:.1f} | "
                  f"{local / wall:.2f}x | {'' if one is None or engine == 'local' else f'{one / wall:.2f}x'} |"
                  + ("" if equal else " RESULTS DIFFER"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
