"""Benchmark: peak memory of frame counts with every interval method, at 1x and 10x a corpus.

Run from the repository root (the UN General Debate corpus by default; any corpus file
``load_corpus`` reads works)::

    python benchmarks/bench_memory.py
    python benchmarks/bench_memory.py --corpus PATH --times 10 --limit 2000

The 10x corpus is the same documents read ``--times`` times over (a generator: every copy
gets its own ``doc_id``), so per-group document counts grow tenfold while the texts stay
real. For each size the script reports the peak of memory traced by Python
(``tracemalloc``: numpy and scipy arrays included) of:

* the per-document matrix the bootstrap needs (``count()``) and, holding it,
  ``frame_counts(by="year")`` with ``interval="poisson"``, ``"bootstrap"`` (the default,
  2,000 resamples of documents), the bootstrap of ``cluster="iso3"``, and ``frame_compare``
  (rate ratio with a document-level bootstrap);
* the bootstrap as the package computed it before it worked in blocks ("before"), on the
  same matrix, for comparison in the same run.

The corpus is counted once (untraced) and the 10x per-document matrix is that matrix
stacked 10 times, which is what counting the repeated corpus gives; ``--count`` also
traces the streamed counting passes at both sizes (slow: tracing slows matching several
times over). Each statistic's peak is traced while it runs on the held matrix; "+ matrix"
adds the held matrix (its sparse arrays and its documents table), the memory of the whole
step. Target: every method's 10x "+ matrix" peak is within 1.3x its 1x peak (and, with
``--count``, the streamed passes'). CPU time per process is printed beside each figure
(the machine may be shared).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz"


def repeated(corpus, times: int, limit: int | None):
    """The corpus's first ``limit`` documents, ``times`` times over, each copy with its own id."""
    from sco_discourse import Corpus, Document

    def factory():
        for copy in range(times):
            for i, doc in enumerate(corpus):
                if limit is not None and i >= limit:
                    break
                yield doc if copy == 0 else Document(f"{doc.doc_id}#{copy}", doc.text, doc.date, doc.date_precision,
                                                     doc.meta, doc.raw)

    return Corpus(factory, name=f"{corpus.name} x{times}")


def old_bootstrap(fm, *, by="year", n_resamples=2000, random_state=0, confidence=0.95):
    """The document bootstrap of frame_counts as computed before: every resample's indices at
    once, and the resampled counts array (resamples x documents x columns) in column blocks of
    at most 256 MB."""
    codes, labels = fm.group_codes(by)
    tokens = fm.docs["n_tokens"].to_numpy(dtype=float)
    n_keys = fm.matrix.shape[1]
    for g in range(len(labels)):
        members = np.flatnonzero((codes == g) & (tokens > 0))
        if not len(members):
            continue
        matrix, den = fm.matrix[members], tokens[members]
        block = max(1, int(256e6 // (8 * n_resamples * len(den))))
        for j in range(0, n_keys, block):
            num = matrix[:, j:j + block].toarray().astype(float)
            idx = np.random.default_rng(random_state).integers(0, num.shape[0], size=(n_resamples, num.shape[0]))
            ratios = 1e4 * num[idx].sum(axis=1) / den[idx].sum(axis=1)[:, None]
            np.nanquantile(ratios, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)


def traced(step):
    """(result, peak MB since the last reset, CPU seconds) of ``step()``."""
    gc.collect()
    tracemalloc.reset_peak()
    cpu = time.process_time()
    result = step()
    return result, tracemalloc.get_traced_memory()[1] / 1e6, time.process_time() - cpu


def tiled(fm, times: int):
    """The frame matrix of the corpus read ``times`` times over (each copy with its own ids),
    built from the matrix of one reading: counting the repeated corpus gives the same rows."""
    import dataclasses

    import pandas as pd
    import scipy.sparse as sp

    copies = []
    for copy in range(times):
        docs = fm.docs.copy()
        if copy:
            docs["doc_id"] = docs["doc_id"].astype(str) + f"#{copy}"
        copies.append(docs)
    return dataclasses.replace(fm, matrix=sp.vstack([fm.matrix] * times, format="csr"),
                               docs=pd.concat(copies, ignore_index=True))


def matrix_mb(fm) -> float:
    """Memory of a frame matrix: its sparse arrays and its documents table (deep)."""
    arrays = fm.matrix.data.nbytes + fm.matrix.indices.nbytes + fm.matrix.indptr.nbytes
    return (arrays + fm.docs.memory_usage(deep=True).sum()) / 1e6


def statistics(fm, n_resamples: int) -> dict:
    """The statistics measured, by name: each a function of no argument run on ``fm``."""
    from sco_discourse.frames import frame_compare, frame_counts

    years = sorted(fm.docs["year"].dropna().unique())
    later_years = [int(y) for y in years[len(years) // 2:]]  # the later half against the earlier
    return {
        "poisson": lambda: frame_counts(fm, by="year", interval="poisson"),
        "bootstrap (documents)": lambda: frame_counts(fm, by="year", n_resamples=n_resamples),
        "bootstrap (cluster=iso3)": lambda: frame_counts(fm, by="year", cluster="iso3", n_resamples=n_resamples),
        "frame_compare (documents)": lambda: frame_compare(fm, by="year", target=later_years,
                                                           n_resamples=n_resamples),
        "bootstrap (documents), before": lambda: old_bootstrap(fm, n_resamples=n_resamples),
    }


def peak_resident_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss``, not inherited
    from the parent across ``exec``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return float("nan")


def child(path: str, times: int, name: str, n_resamples: int) -> None:
    """One statistic on the tiled matrix in this process; prints the process's peak resident memory."""
    import pickle

    with open(path, "rb") as handle:
        fm = tiled(pickle.load(handle), times)
    gc.collect()
    before = peak_resident_mb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        statistics(fm, n_resamples)[name]()
    print(f"{before:.1f} {peak_resident_mb():.1f}")


def process_peaks(fm1, times_list, n_resamples: int) -> dict:
    """Peak resident memory (MB) of a fresh process per size and statistic: (before the statistic, after)."""
    import pickle
    import subprocess
    import tempfile

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fm.pickle"
        with open(path, "wb") as handle:
            pickle.dump(fm1, handle)
        for name in statistics(fm1, n_resamples):
            for times in times_list:
                result = subprocess.run([sys.executable, __file__, "--child", str(path), str(times), name,
                                         str(n_resamples)], capture_output=True, text=True, check=True)
                before, after = map(float, result.stdout.split())
                out[(name, times)] = (before, after)
    return out


def measure(matcher, corpus, fm1, times: int, limit: int | None, n_resamples: int, count: bool) -> dict:
    out = {}
    fm = tiled(fm1, times)
    out["per-document matrix (held)"] = (matrix_mb(fm), float("nan"))
    tracemalloc.start()
    try:
        if count:
            data = repeated(corpus, times, limit)
            _, peak, cpu = traced(lambda: frame_counts(matcher.count(data, by="year"), interval="poisson"))
            out["count(by=year) + poisson, streamed"] = (peak, cpu)
            _, peak, cpu = traced(lambda: matcher.count(data))
            out["count() per document, streamed"] = (peak, cpu)
        steps = statistics(fm, n_resamples)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, step in steps.items():
                _, peak, cpu = traced(step)
                out[name] = (peak, cpu)
                out[name + " + matrix"] = (peak + out["per-document matrix (held)"][0], float("nan"))
        out["_documents"] = fm.n_docs
    finally:
        tracemalloc.stop()
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1], int(argv[2]), argv[3], int(argv[4]))
        return 0
    from sco_discourse import load_corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--times", type=int, default=10, help="the large corpus is the corpus this many times over")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents (a quick run)")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--processes-only", action="store_true", help="only the peak resident memory of processes")
    parser.add_argument("--count", action="store_true",
                        help="also trace the streamed counting passes (slow: tracemalloc slows matching several times)")
    args = parser.parse_args(argv)
    from sco_discourse.frames import Matcher

    corpus = load_corpus(args.corpus)
    matcher = Matcher()
    cpu = time.process_time()
    fm1 = matcher.count(repeated(corpus, 1, args.limit))
    print(f"counted the corpus once in {time.process_time() - cpu:.1f} s CPU (not traced)", file=sys.stderr)
    # warm up (lazy imports, caches) on a few documents, so the first measurement does not carry them
    import dataclasses

    warm = dataclasses.replace(fm1, matrix=fm1.matrix[:200], docs=fm1.docs.iloc[:200].reset_index(drop=True))
    measure(matcher, corpus, warm, 1, args.limit, 50, False)
    if args.processes_only:
        return report_processes(fm1, args)
    results = {times: measure(matcher, corpus, fm1, times, args.limit, args.resamples, args.count)
               for times in (1, args.times)}
    small, large = results[1], results[args.times]
    print(f"corpus {args.corpus}: {small['_documents']} documents (1x), {large['_documents']} ({args.times}x); "
          f"{args.resamples} resamples")
    print(f"{'step (peak traced while it runs)':40s} {'1x MB':>8s} {'1x CPU s':>9s} {f'{args.times}x MB':>9s} "
          f"{f'{args.times}x CPU s':>10s} {'ratio':>6s}")
    ok = True
    for name in small:
        if name.startswith("_"):
            continue
        (p1, c1), (p10, c10) = small[name], large[name]
        ratio = p10 / p1
        if name.endswith("+ matrix") and "before" not in name or name.endswith("streamed"):
            ok &= ratio <= 1.3
        print(f"{name:40s} {p1:8.1f} {c1:9.1f} {p10:9.1f} {c10:10.1f} {ratio:6.2f}")
    print(f"target for the traced peaks (every method's {args.times}x peak within 1.3x of its 1x peak):",
          "met" if ok else "NOT met")
    print()
    return report_processes(fm1, args)


def report_processes(fm1, args) -> int:
    peaks = process_peaks(fm1, (1, args.times), args.resamples)
    print("peak resident memory of a process holding the per-document matrix and running the statistic (MB;")
    print("one fresh process per figure; 'held' = after loading the matrix, before the statistic)")
    print(f"{'statistic':40s} {'1x held':>8s} {'1x peak':>8s} {f'{args.times}x held':>9s} {f'{args.times}x peak':>9s} "
          f"{'ratio':>6s}")
    ok = True
    for name in statistics(fm1, args.resamples):
        (h1, p1), (h10, p10) = peaks[(name, 1)], peaks[(name, args.times)]
        if "before" not in name:
            ok &= p10 / p1 <= 1.3
        print(f"{name:40s} {h1:8.1f} {p1:8.1f} {h10:9.1f} {p10:9.1f} {p10 / p1:6.2f}")
    print(f"target for the process peaks (within 1.3x from 1x to {args.times}x):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
