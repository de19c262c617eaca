"""Benchmark: counting every codebook frame on the UN General Debate corpus.

Compares, on the same texts in the same run,

* the package's counter (normalisation, one Aho-Corasick pass for all phrases with the
  codebook's rules, token count: exactly what ``Matcher.count`` does per document), and
* a baseline of one compiled case-insensitive regular expression per phrase (every
  plural form, ``\\b`` on both sides, hyphen/white space between words), with the same
  normalisation and token count.

Throughput is MB of UTF-8 text per second of CPU time of one process (one core), over
texts already in memory (so decompression and JSON parsing are not counted); CPU time
rather than wall time, so that other work on a shared machine does not distort the
figures (wall-clock times are printed too). Then ``Matcher.count(corpus, by="year")``
and ``frame_counts(..., interval="poisson")`` run end to end from the file with
``--jobs`` processes, and peak traced memory of the same is measured while streaming
the first tenth of the corpus and the whole of it: if memory is flat the two peaks are
close.

Targets: >= 10 MB/s per core and >= 10x the baseline.

Usage::

    python benchmarks/bench_frames.py                       # the whole corpus
    python benchmarks/bench_frames.py --limit 1000          # the first 1000 speeches
    python benchmarks/bench_frames.py --baseline-limit 2000 # baseline on a subset only
"""

from __future__ import annotations

import argparse
import gc
import platform
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz"


def baseline_patterns(lexicon):
    from sco_discourse.lexicons.schema import inflected_forms

    compiled = []
    for frame in lexicon.frames.values():
        for pattern in frame.patterns:
            for form in inflected_forms(pattern.canonical, lexicon.inflections):
                body = r"[\s\-]+".join(re.escape(w) for w in form.split(" "))
                compiled.append((frame.id, re.compile(r"\b" + body + r"\b", re.IGNORECASE)))
    return compiled


def run_baseline(texts, patterns):
    from sco_discourse.text import count_tokens, normalize

    total = 0
    for text in texts:
        norm = normalize(text)
        for _, rx in patterns:
            total += len(rx.findall(norm))
        count_tokens(text)
    return total


def run_fast(texts, matcher):
    from sco_discourse.frames.matrix import _count_item

    total = 0
    for i, text in enumerate(texts):
        _, _, _, _, hits = _count_item(matcher, (i, text, "en"))
        total += len(hits)
    return total


def limited(corpus, limit):
    for i, doc in enumerate(corpus):
        if limit is not None and i >= limit:
            return
        yield doc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="a corpus file (default: the UNGDC JSONL)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N documents")
    parser.add_argument("--baseline-limit", type=int, default=None,
                        help="run the baseline (and the ratio) on the first N of them only")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the end-to-end run (default 2)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the traced-memory runs")
    args = parser.parse_args(argv)

    from sco_discourse import Corpus, load_corpus
    from sco_discourse.frames import Matcher, frame_counts

    path = Path(args.corpus)
    if not path.exists():
        print(f"corpus not found: {path}", file=sys.stderr)
        return 2
    print(f"python {platform.python_version()}, {platform.machine()}; corpus {path}")
    corpus = load_corpus(path)
    texts = [doc.text for doc in limited(corpus, args.limit)]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} documents, {megabytes:.1f} MB of text (UTF-8)")

    matcher = Matcher()
    patterns = baseline_patterns(matcher.lexicon)
    print(f"lexicon {matcher.lexicon.label}: {len(matcher.lexicon.frames)} frames, "
          f"{len(patterns)} phrase forms for the baseline")

    # warm up: one-off set-up (character tables of the token counter, regex caches) is not throughput
    run_fast(texts[:20] + ["Ünïcödé – text"], matcher)
    run_baseline(texts[:2], patterns)
    wall, start = time.perf_counter(), time.process_time()
    fast_hits = run_fast(texts, matcher)
    fast_seconds = time.process_time() - start
    wall = time.perf_counter() - wall
    fast_rate = megabytes / fast_seconds
    print(f"package counter, 1 core : {fast_seconds:8.2f} s CPU  {fast_rate:7.2f} MB/s  "
          f"(wall {wall:.2f} s; {fast_hits} key hits)")

    sample = texts if args.baseline_limit is None else texts[:args.baseline_limit]
    sample_mb = sum(len(t.encode("utf-8")) for t in sample) / 1e6
    if sample is not texts:
        start = time.process_time()
        run_fast(sample, matcher)
        fast_sample_rate = sample_mb / (time.process_time() - start)
    else:
        fast_sample_rate = fast_rate
    wall, start = time.perf_counter(), time.process_time()
    base_hits = run_baseline(sample, patterns)
    base_seconds = time.process_time() - start
    wall = time.perf_counter() - wall
    base_rate = sample_mb / base_seconds
    print(f"baseline (1 regex/phrase): {base_seconds:8.2f} s CPU  {base_rate:7.2f} MB/s  on {len(sample)} documents "
          f"({sample_mb:.1f} MB; wall {wall:.2f} s; {base_hits} raw phrase hits)")
    print(f"speed-up                : {fast_sample_rate / base_rate:7.1f}x  (package {fast_sample_rate:.2f} MB/s "
          f"on the same documents)")

    del texts, sample
    gc.collect()
    subset = Corpus(lambda: limited(corpus, args.limit), name="bench")
    start = time.perf_counter()
    table = frame_counts(matcher.count(subset, by="year", n_jobs=args.jobs), interval="poisson")
    seconds = time.perf_counter() - start
    print(f"count(by='year') + frame_counts end to end from the gzip file, n_jobs={args.jobs}: {seconds:.2f} s wall, "
          f"{megabytes / seconds:.2f} MB/s ({len(table)} rows; includes decompression and JSON parsing)")

    if not args.skip_memory:
        n_docs = args.limit or len(corpus)
        for share in (10, 1):
            part = Corpus(lambda n=n_docs // share: limited(corpus, n), name="bench")
            gc.collect()
            tracemalloc.start()
            frame_counts(matcher.count(part, by="year"), interval="poisson")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak traced memory, streaming {n_docs // share:6d} documents: {peak / 1e6:7.1f} MB")
    print(f"max resident set size of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
    ok = fast_rate >= 10 and fast_sample_rate / base_rate >= 10
    print("targets (>= 10 MB/s per core, >= 10x baseline):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
