"""Benchmark: memory and time of ``find_duplicates`` at 1x and 10x the corpus size.

A synthetic corpus is generated lazily (one document at a time, from a seed per
document, so the generator itself holds nothing): documents of 250-350 words drawn from a
vocabulary of 20,000 pseudo-words, and every 20th document a copy of the previous one
with a new headline and footer (Jaccard similarity of about 0.9). For each size the script
reports wall and CPU time, the peak of memory traced by Python (``tracemalloc``: every
Python object and numpy array; the signatures the search writes to its temporary file
are on disk, not in memory) and how many planted copies were found.

Target: memory per document stays flat (the 10x peak is well under 10x the 1x peak once
the fixed cost is subtracted), i.e. a few hundred bytes per document, so a million
documents fit in a few hundred MB; every planted copy is found.

Usage::

    python benchmarks/bench_duplicates.py                  # 2,000 and 20,000 documents
    python benchmarks/bench_duplicates.py --base 5000      # 5,000 and 50,000
    python benchmarks/bench_duplicates.py --corpus ../shared/corpora/ungdc/ungdc_speeches_1946-2024.jsonl.gz
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc

import numpy as np


def synthetic_corpus(n: int, *, seed: int = 0):
    from sco_discourse import Corpus, Document

    def text_of(i: int) -> str:
        rng = np.random.default_rng(seed * 1_000_003 + i)
        words = rng.integers(0, 20_000, size=int(rng.integers(250, 351)))
        return " ".join(f"w{w}" for w in words) + "."

    def factory():
        for i in range(n):
            if i % 20 == 19:  # a republished copy of the previous document
                body = text_of(i - 1)
                text = f"Headline number {i} of another outlet\n{body}\nCopyright outlet {i}. All rights reserved."
            else:
                text = f"Headline {i}\n{text_of(i)}"
            yield Document(f"doc-{i:07d}", text)

    return Corpus(factory, name=f"synthetic {n}", length=n)


def measure(corpus, planted: int | None) -> dict:
    from sco_discourse.corpus.duplicates import find_duplicates

    gc.collect()
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    table = find_duplicates(corpus)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    found = int((~table["kept"]).sum())
    return {"documents": table.attrs["n_documents"], "wall_s": wall, "cpu_s": cpu, "peak_mb": peak / 1e6,
            "removed": found, "planted": planted, "clusters": int(table["cluster"].nunique()),
            "temp_disk_mb": table.attrs["n_documents"] * table.attrs["num_perm"] * 4 / 1e6}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=int, default=2000, help="documents at 1x (default 2000)")
    parser.add_argument("--corpus", help="instead: time one run on this corpus file or folder")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}; numpy {np.__version__}")
    if args.corpus:
        from sco_discourse import load_corpus

        corpus = load_corpus(args.corpus)
        result = measure(corpus, None)
        print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()})
        return 0
    measure(synthetic_corpus(50), planted=2)  # warm up: imports and one-time tables are not per-document cost
    rows = []
    for scale in (1, 10):
        n = args.base * scale
        result = measure(synthetic_corpus(n), planted=n // 20)
        rows.append(result)
        print(f"{scale:>3}x {n:>9,} docs: wall {result['wall_s']:7.1f} s, cpu {result['cpu_s']:7.1f} s "
              f"({1e3 * result['cpu_s'] / n:.2f} ms/doc), peak traced memory {result['peak_mb']:7.1f} MB, "
              f"temporary file {result['temp_disk_mb']:.1f} MB, copies found {result['removed']} of "
              f"{result['planted']} planted")
    small, large = rows
    per_doc = (large["peak_mb"] - small["peak_mb"]) * 1e6 / (large["documents"] - small["documents"])
    print(f"memory per additional document: {per_doc:.0f} bytes "
          f"(10x/1x peak ratio {large['peak_mb'] / small['peak_mb']:.2f}); "
          f"a million documents: about {per_doc + small['peak_mb']:.0f} MB of memory and "
          f"{1e6 * small['temp_disk_mb'] / small['documents']:.0f} MB of temporary disk")
    ok = all(r["removed"] == r["planted"] for r in rows)
    print("every planted copy found" if ok else "SOME PLANTED COPIES WERE MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
