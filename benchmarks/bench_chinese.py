"""Benchmark: frame counting on Chinese text, beside the same pass on English text.

Texts (read once into memory; loading and HTML extraction are not timed):

* the 52 Chinese Government Work Reports (``zh_gov_reports/gov_work_reports_zh.jsonl.gz``);
* the 100 Chinese Foreign Ministry pages (``mfa_zh_html_dev/``), read by ``load_corpus``
  (main text of each page);
* English: the first UN General Debate speeches (``ungdc/``) up to the size in bytes of
  the Government Work Reports.

For each, the per-document pass of ``frame_counts`` (normalisation, matching with the
lexicon of the document's language, token and character counts) is timed in CPU seconds
of one process, so other work on a shared machine does not distort the figures; MB are
of UTF-8 text. The pass is then split into its parts: segmentation (``count_tokens``,
which runs jieba over every run of Chinese characters), matching (``matcher(text)``,
which segments only the runs that hold a hit), and, for Chinese, the Traditional →
Simplified normalisation alone. The share of segmentation is its CPU time over the
whole pass's.

Corpora are found in ``$SCO_DISCOURSE_CORPORA`` (default ``../shared/corpora`` beside
the checkout).

Usage::

    python benchmarks/bench_chinese.py
    python benchmarks/bench_chinese.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def cpu(func, texts, repeat):
    """Smallest CPU time of ``repeat`` runs of ``func`` over every text."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text in texts:
            func(text)
        best = min(best, time.process_time() - start)
    return best


def mfa_texts(folder: Path) -> list[str]:
    from sco_discourse import load_corpus

    return [doc.text for doc in load_corpus(folder)]  # main text of each page (trafilatura)


def english_texts(path: Path, size: int) -> list[str]:
    from sco_discourse import load_corpus

    texts, total = [], 0
    for doc in load_corpus(path):
        texts.append(doc.text)
        total += len(doc.text.encode("utf-8"))
        if total >= size:
            break
    return texts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=os.environ.get("SCO_DISCOURSE_CORPORA", str(DEFAULT_CORPORA)),
                        help="folder holding zh_gov_reports/, mfa_zh_html_dev/ and ungdc/")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (the fastest is kept)")
    args = parser.parse_args(argv)

    from sco_discourse import load_corpus
    from sco_discourse.frames import Matcher
    from sco_discourse.frames.matrix import _count_item
    from sco_discourse.text import count_characters, count_tokens
    from sco_discourse.zh import normalize_zh

    root = Path(args.corpora)
    reports = root / "zh_gov_reports" / "gov_work_reports_zh.jsonl.gz"
    if not reports.exists():
        print(f"corpora not found in {root} (set SCO_DISCOURSE_CORPORA or --corpora)", file=sys.stderr)
        return 2
    print(f"python {platform.python_version()}, {platform.machine()}; corpora in {root}")
    sets = {"zh Government Work Reports": ("zh", [d.text for d in load_corpus(reports)])}
    sets["zh Foreign Ministry pages"] = ("zh", mfa_texts(root / "mfa_zh_html_dev"))
    size = sum(len(t.encode("utf-8")) for t in sets["zh Government Work Reports"][1])
    sets["en UN General Debate (same MB)"] = ("en", english_texts(root / "ungdc" / "ungdc_speeches_1946-2024.jsonl.gz",
                                                                   size))
    matcher = Matcher()
    # warm up: jieba's dictionary, the Chinese lexicon's automaton, character tables
    _count_item(matcher, (0, "构建人类命运共同体。A community with a shared future.", "zh"))
    _count_item(matcher, (0, "A community with a shared future.", "en"))

    print(f"{'texts':32s} {'docs':>5s} {'MB':>6s} | {'pass MB/s':>9s} {'segment':>9s} {'match':>9s} "
          f"{'t2s':>9s} | segmentation share")
    for name, (language, texts) in sets.items():
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        whole = cpu(lambda t: _count_item(matcher, (0, t, language)), texts, args.repeat)
        segment = cpu(lambda t: count_tokens(t, language=language), texts, args.repeat)
        match = cpu(lambda t: matcher(t, language=language), texts, args.repeat)
        chars = cpu(count_characters, texts, args.repeat)
        t2s = cpu(normalize_zh, texts, args.repeat) if language == "zh" else float("nan")
        print(f"{name:32s} {len(texts):5d} {mb:6.2f} | {mb / whole:9.2f} {mb / segment:9.2f} {mb / match:9.2f} "
              f"{mb / t2s if t2s == t2s else float('nan'):9.2f} | {segment / whole:6.1%} "
              f"(pass {whole:.2f} s CPU; characters {chars:.3f} s)")
    print("columns: MB/s per core of the whole per-document pass, of token counting (segmentation), of matching, "
          "and of Traditional->Simplified normalisation alone")
    print(f"max resident set size: {__import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
