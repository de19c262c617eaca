"""Keyness over a corpus of >= 50,000 documents: the package against a per-term Python loop.

The corpus is the UN General Debate Corpus (Jankin, Baturo & Dasandi, Harvard Dataverse,
doi:10.7910/DVN/0TJX8Y) split into paragraphs, one document per paragraph, taking the
most recent sessions until ``--docs`` paragraphs are reached. Pass ``--data`` the
``ungdc_speeches_1946-2024.jsonl.gz`` file (one JSON object per speech with ``doc_id``,
``year``, ``text``).

Both sides answer the same queries — keyness of each of ``--queries`` years against all
other years, with G², chi² (plain and Yates), log ratio and its interval, %DIFF, p and
Benjamini-Hochberg p_adj — and the results are checked to agree:

* package: ``build_dtm`` once (one pass over the corpus), then ``keyness`` per query,
  vectorised over the matrix columns;
* baseline: what a plain script does — count tokens per year with ``collections.Counter``
  (same tokenizer) and loop over the terms in Python computing each statistic with
  ``math``, once per query.

Peak memory is measured with ``tracemalloc`` in a separate run of each side (tracing
slows allocation, so timings come from untraced runs).

Run: ``python benchmarks/bench_keyness.py --data PATH/ungdc_speeches_1946-2024.jsonl.gz``
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np

from sco_discourse import Corpus, Document
from sco_discourse.dtm import build_dtm
from sco_discourse.keywords import keyness
from sco_discourse.text import tokens

# the UN General Debate corpus in ../shared beside the repository
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz"


def load_paragraphs(path: Path, n_docs: int) -> list[Document]:
    by_year: dict[int, list] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            by_year.setdefault(int(record["year"]), []).append(record)
    docs: list[Document] = []
    for year in sorted(by_year, reverse=True):
        for record in by_year[year]:
            paragraphs = [p for p in record["text"].split("\n") if p.strip()]
            for k, paragraph in enumerate(paragraphs):
                docs.append(Document(f"{record['doc_id']}-{k}", paragraph, date=_year_start(year),
                                     date_precision="year", meta={"iso3": record.get("iso3")}))
        if len(docs) >= n_docs:
            break
    return docs


def _year_start(year: int):
    import datetime

    return datetime.date(year, 1, 1)


# --------------------------------------------------------------------------- the two sides
def package_side(corpus: Corpus, targets: list[int]) -> list:
    dtm = build_dtm(corpus)
    return [keyness(dtm, by="year", target=year) for year in targets]


def _g2(a, b, c, d):
    n = a + b + c + d
    total = 0.0
    for observed, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        if observed > 0:
            total += observed * math.log(observed * n / (row * col))
    return 2.0 * total


def _chi2(a, b, c, d, yates):
    n = a + b + c + d
    total = 0.0
    for observed, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        expected = row * col / n
        diff = abs(observed - expected)
        if yates:
            diff = max(diff - 0.5, 0.0)
        total += diff * diff / expected
    return total


def baseline_side(corpus: Corpus, targets: list[int]) -> list[dict]:
    results = []
    for year in targets:
        target, reference = Counter(), Counter()
        for doc in corpus:  # recount per query: no shared matrix
            (target if doc.year == year else reference).update(tokens(doc.text))
        size_t, size_r = sum(target.values()), sum(reference.values())
        rows = {}
        for term in target.keys() | reference.keys():
            a, b = target[term], reference[term]
            c, d = size_t - a, size_r - b
            g2 = _g2(a, c, b, d)
            if a / size_t < b / size_r:
                g2 = -g2
            a_adj, b_adj = (a or 0.5), (b or 0.5)
            ln_ratio = math.log((a_adj / size_t) / (b_adj / size_r))
            half = 1.959963984540054 * math.sqrt(1 / a_adj + 1 / b_adj)
            nf_t, nf_r = a / size_t, b / size_r
            rows[term] = {
                "g2": g2, "log_ratio": ln_ratio / math.log(2), "log_ratio_ci_low": (ln_ratio - half) / math.log(2),
                "log_ratio_ci_high": (ln_ratio + half) / math.log(2), "chi2": _chi2(a, c, b, d, False),
                "chi2_yates": _chi2(a, c, b, d, True),
                "pct_diff": 100 * (nf_t - nf_r) / nf_r if nf_r else math.inf,
                "p": math.erfc(math.sqrt(abs(g2) / 2)),
            }
        # Benjamini-Hochberg, step-up
        ordered = sorted(rows, key=lambda t: rows[t]["p"], reverse=True)
        m = len(ordered)
        running = 1.0
        for rank, term in zip(range(m, 0, -1), ordered):
            running = min(running, rows[term]["p"] * m / rank)
            rows[term]["p_adj"] = running
        results.append(rows)
    return results


def max_difference(package: list, baseline: list) -> float:
    worst = 0.0
    for table, rows in zip(package, baseline):
        assert len(table) == len(rows), "the two sides list different terms"
        for column in ("g2", "log_ratio", "log_ratio_ci_low", "chi2", "chi2_yates", "p_adj"):
            ours = table[column].to_numpy(dtype=float)
            theirs = np.array([rows[t][column] for t in table["term"]], dtype=float)
            # relative where values are large, absolute near 0 (G² of a term with equal
            # rates is ~1e-7 on both sides, all rounding)
            scale = np.maximum(np.abs(theirs), 1.0)
            worst = max(worst, float(np.max(np.abs(ours - theirs) / scale)))
    return worst


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def peak_mib(function, *args) -> float:
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the UNGDC speeches .jsonl.gz")
    parser.add_argument("--docs", type=int, default=50_000, help="at least this many paragraphs (default 50,000)")
    parser.add_argument("--queries", type=int, default=3, help="target years to test (default 3)")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced runs for peak memory")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no corpus file at {args.data}; pass --data PATH", file=sys.stderr)
        return 2

    docs = load_paragraphs(args.data, args.docs)
    corpus = Corpus.from_documents(docs, name="UNGDC paragraphs")
    years = sorted({d.year for d in docs}, reverse=True)
    targets = years[: args.queries]
    n_chars = sum(len(d.text) for d in docs)
    print(f"corpus: {len(docs):,} paragraphs ({n_chars / 1e6:.1f} M characters) from sessions "
          f"{min(years)}-{max(years)}; queries: keyness of {targets} against the other years")

    # Warm-up on a tiny corpus: the first call imports statsmodels (for p_adj) and scipy
    # modules, a one-off cost of about a second that is not part of either method.
    warm = Corpus.from_documents(docs[:50] + docs[-50:])
    package_side(warm, targets[:1])
    baseline_side(warm, targets[:1])

    t_build, dtm = timed(build_dtm, corpus)
    t_keyness = [timed(keyness, dtm, by="year", target=year)[0] for year in targets]
    package_tables = [keyness(dtm, by="year", target=year) for year in targets]
    print(f"DTM: {dtm.n_docs:,} documents x {dtm.n_terms:,} terms, {dtm.n_tokens:,} tokens, "
          f"{dtm.matrix.nnz:,} non-zero cells")
    t_baseline, baseline_rows = timed(baseline_side, corpus, targets)
    t_package = t_build + sum(t_keyness)
    print(f"results agree: max difference (relative, absolute below 1) {max_difference(package_tables, baseline_rows):.1e}")
    print()
    print(f"{'':38s}{'seconds':>10s}")
    print(f"{'package: build_dtm (one pass)':38s}{t_build:10.2f}")
    for year, t in zip(targets, t_keyness):
        print(f"{'package: keyness ' + str(year):38s}{t:10.3f}")
    print(f"{'package total':38s}{t_package:10.2f}")
    print(f"{'baseline: recount + per-term loop':38s}{t_baseline:10.2f}")
    per_query_baseline = t_baseline / len(targets)
    print(f"speed-up, {len(targets)} queries: {t_baseline / t_package:.1f}x; per extra query on a built DTM: "
          f"{per_query_baseline / np.mean(t_keyness):.0f}x")

    # The statistics alone, on counts already made: vectorised columns vs the Python loop.
    target, reference = Counter(), Counter()
    for doc in corpus:
        (target if doc.year == targets[0] else reference).update(tokens(doc.text))
    t_loop, _ = timed(baseline_side_from_counts, target, reference)
    print(f"statistics only (counts given): package keyness {t_keyness[0]:.3f} s, per-term loop {t_loop:.3f} s "
          f"({t_loop / t_keyness[0]:.1f}x)")

    if not args.no_memory:
        print()
        one = targets[:1]
        print(f"peak traced memory, one query: package {peak_mib(package_side, corpus, one):.0f} MiB, "
              f"baseline {peak_mib(baseline_side, corpus, one):.0f} MiB "
              f"(the documents, loaded beforehand, are not counted)")
    return 0


def baseline_side_from_counts(target: Counter, reference: Counter) -> dict:
    """The per-term loop of :func:`baseline_side` on counts made beforehand."""
    size_t, size_r = sum(target.values()), sum(reference.values())
    rows = {}
    for term in target.keys() | reference.keys():
        a, b = target[term], reference[term]
        c, d = size_t - a, size_r - b
        g2 = _g2(a, c, b, d)
        a_adj, b_adj = (a or 0.5), (b or 0.5)
        ln_ratio = math.log((a_adj / size_t) / (b_adj / size_r))
        half = 1.959963984540054 * math.sqrt(1 / a_adj + 1 / b_adj)
        rows[term] = (g2 if a / size_t >= b / size_r else -g2, ln_ratio / math.log(2), half,
                      _chi2(a, c, b, d, False), _chi2(a, c, b, d, True), math.erfc(math.sqrt(g2 / 2)))
    return rows


if __name__ == "__main__":
    sys.exit(main())
