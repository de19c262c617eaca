"""Benchmark: frame counting on Chinese text, beside the same pass on English text.

Texts (read once into memory; loading and HTML extraction are not timed):

* the 52 Chinese Government Work Reports (``zh_gov_reports/gov_work_reports_zh.jsonl.gz``);
* the 100 Chinese Foreign Ministry pages (``mfa_zh_html_dev/``), read by ``load_corpus``
  (main text of each page);
* English: the first UN General Debate speeches (``ungdc/``) up to the size in bytes of
  the Government Work Reports.

For each, the per-document pass of ``frame_counts`` (normalisation, matching with the
lexicon of the document's language and the context rules, token and character counts)
is timed in CPU seconds of one process, so other work on a shared machine does not
distort the figures; MB are of UTF-8 text. Chinese text is timed with both segmentation
engines, side by side in the same run: jieba-rs (``rjieba``, the package's default) and
the Python ``jieba`` (the fallback). The pass is then split into its parts: segmentation
(``count_tokens``, which segments every run of Chinese characters), matching
(``matcher(text)``, which segments only the runs of characters that hold a candidate
match, to check its word boundaries), and, for Chinese, the normalisation alone
(Traditional -> Simplified, full-width -> ASCII). The share of segmentation is its CPU
time over the whole pass's. Before timing, the two engines' words are compared on every
run of Chinese characters of the texts (agreement in % of runs with identical words).

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
    from sco_discourse.lexicons.defaults import default_lexicon
    from sco_discourse.zh import Segmenter, _HAN_RUN_RE, default_segmenter, lexicon_phrases

    engines = {"rjieba": default_segmenter(),
               "jieba": Segmenter(lexicon_phrases(default_lexicon("zh")), backend="jieba")}
    assert engines["rjieba"].backend == "rjieba", "rjieba is not installed"
    for name, (language, texts) in sets.items():
        if language != "zh":
            continue
        runs = [r for t in texts for r in _HAN_RUN_RE.findall(normalize_zh(t))]
        same = sum(engines["rjieba"].cut(r) == engines["jieba"].cut(r) for r in runs)
        print(f"{name}: rjieba and jieba give the same words on {same:,} of {len(runs):,} runs of characters "
              f"({same / len(runs):.4%})")

    def matcher_with(engine):
        """A fresh matcher whose Chinese reading (matching and token counts) uses ``engine``."""
        zh.default_segmenter = lambda: engines[engine]
        matcher = Matcher()
        # warm up: the Chinese lexicon's automaton, character tables
        _count_item(matcher, (0, "构建人类命运共同体。A community with a shared future.", "zh", 2020))
        _count_item(matcher, (0, "A community with a shared future.", "en", 2020))
        return matcher

    from sco_discourse import zh

    original = zh.default_segmenter
    print(f"{'texts':32s} {'engine':7s} {'docs':>5s} {'MB':>6s} | {'pass MB/s':>9s} {'segment':>9s} {'match':>9s} "
          f"{'normalise':>9s} | segmentation share")
    try:
        for name, (language, texts) in sets.items():
            mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
            for engine in (("rjieba", "jieba") if language == "zh" else ("-",)):
                matcher = matcher_with(engine if engine != "-" else "rjieba")
                whole = cpu(lambda t: _count_item(matcher, (0, t, language, 2020)), texts, args.repeat)
                segment = cpu(lambda t: count_tokens(t, language=language), texts, args.repeat)
                match = cpu(lambda t: matcher(t, language=language, year=2020), texts, args.repeat)
                chars = cpu(count_characters, texts, args.repeat)
                norm = cpu(normalize_zh, texts, args.repeat) if language == "zh" else float("nan")
                print(f"{name:32s} {engine:7s} {len(texts):5d} {mb:6.2f} | {mb / whole:9.2f} {mb / segment:9.2f} "
                      f"{mb / match:9.2f} {mb / norm if norm == norm else float('nan'):9.2f} | {segment / whole:6.1%} "
                      f"(pass {whole:.2f} s CPU; characters {chars:.3f} s)")
    finally:
        zh.default_segmenter = original
    print("columns: MB/s per core of the whole per-document pass, of token counting (segmentation), of matching, "
          "and of the Chinese normalisation alone")
    print(f"max resident set size: {__import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
