"""Co-occurrence of frames within documents or within sentences."""

from __future__ import annotations

import bisect
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..lexicons.schema import Lexicon
from ..provenance import corpus_attrs
from .matcher import Matcher, lexicon_attrs, map_documents

__all__ = ["cooccurrence", "COOCCURRENCE_COLUMNS"]

COOCCURRENCE_COLUMNS = ["frame_a", "frame_b", "n_a", "n_b", "n_ab", "n_units", "jaccard", "pmi"]


def _units_item(state, item):
    """Worker: (group, number of units, frame sets of the units that have mentions)."""
    from ..text import sentence_spans

    matcher, level = state
    group, text = item
    found = matcher.find(text)
    if level == "document":
        return group, 1, [frozenset(f for _, _, f, _ in found)] if found else []
    starts = [s for s, _ in sentence_spans(text)]
    units: dict[int, set] = {}
    for start, _, frame, _ in found:
        units.setdefault(max(0, bisect.bisect_right(starts, start) - 1), set()).add(frame)
    return group, max(len(starts), 1 if found else 0), [frozenset(s) for s in units.values()]


def cooccurrence(corpus, *, level: str = "document", by: str | None = None,
                 lexicon: Lexicon | str | None = None, n_jobs: int = 1, progress: bool = False) -> pd.DataFrame:
    """How often two frames occur in the same document (or sentence), with association.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    level : {"document", "sentence"}
        The unit: a document, or a sentence (:func:`sco_discourse.text.sentence_spans`;
        a mention belongs to the sentence it starts in).
    by : str, optional
        A metadata field (e.g. "year"): one table per group, stacked; None: overall.
    lexicon : Lexicon or path, optional
    n_jobs, progress
        As in :func:`frame_counts`.

    Returns
    -------
    pandas.DataFrame
        ``frame_a, frame_b, [<by>], n_a, n_b, n_ab, n_units, jaccard, pmi``: one row per
        pair of frames (lexicon order, ``frame_a`` before ``frame_b``; per group when
        ``by`` is given). ``n_a``/``n_b`` units mention the frame, ``n_ab`` both,
        ``n_units`` units in all. ``jaccard = n_ab / (n_a + n_b - n_ab)`` (NaN when
        neither occurs); ``pmi = log2(n_ab * n_units / (n_a * n_b))``, pointwise mutual
        information in bits (NaN when ``n_ab`` is 0).

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([
    ...     Document("d1", "Win-win cooperation and the Shanghai Spirit."),
    ...     Document("d2", "The Shanghai Spirit."), Document("d3", "Nothing here.")])
    >>> t = cooccurrence(corpus)
    >>> row = t.query("frame_a == 'shanghai_spirit' and frame_b == 'win_win'").iloc[0]
    >>> int(row.n_a), int(row.n_b), int(row.n_ab), int(row.n_units), float(row.jaccard)
    (2, 1, 1, 3, 0.5)

    References
    ----------
    Church, K. W. & Hanks, P. (1990). Word association norms, mutual information, and
    lexicography. *Computational Linguistics* 16(1), 22–29.
    """
    if level not in ("document", "sentence"):
        raise InputError(f"cooccurrence: level must be 'document' or 'sentence', not {level!r}")
    matcher = Matcher(lexicon)
    frames = matcher.lexicon.frame_ids
    position = {f: i for i, f in enumerate(frames)}
    n_frames = len(frames)
    tables: dict[Any, list] = {}  # group -> [n_units, singles, pairs]
    seen_value = False

    def items():
        nonlocal seen_value
        for doc in corpus:
            value = doc.get(by) if by else None
            if isinstance(value, float) and value != value:
                value = None
            seen_value = seen_value or value is not None
            yield value, doc.text

    for group, n_units, units in map_documents(_units_item, items(), (matcher, level), n_jobs=n_jobs,
                                               progress=progress, total=getattr(corpus, "_length", None),
                                               desc="co-occurrence"):
        acc = tables.get(group)
        if acc is None:
            acc = tables[group] = [0, np.zeros(n_frames, dtype=np.int64), np.zeros((n_frames, n_frames), dtype=np.int64)]
        acc[0] += n_units
        for unit in units:
            idx = sorted(position[f] for f in unit)
            acc[1][idx] += 1
            for a, b in combinations(idx, 2):
                acc[2][a, b] += 1
    if by and tables and not seen_value:
        raise InputError(f"{getattr(corpus, 'name', 'corpus')}: no document has a value for {by!r}")
    rows = []
    order = sorted(tables, key=lambda v: (v is None, str(type(v)), v if v is not None else 0))
    for group in order:
        n_units, singles, pairs = tables[group]
        for a, b in combinations(range(n_frames), 2):
            n_a, n_b, n_ab = int(singles[a]), int(singles[b]), int(pairs[a, b])
            union = n_a + n_b - n_ab
            jaccard = n_ab / union if union else np.nan
            pmi = np.log2(n_ab * n_units / (n_a * n_b)) if n_ab else np.nan
            row = {"frame_a": frames[a], "frame_b": frames[b]}
            if by:
                row[by] = group
            row.update(n_a=n_a, n_b=n_b, n_ab=n_ab, n_units=n_units, jaccard=jaccard, pmi=pmi)
            rows.append(row)
    columns = COOCCURRENCE_COLUMNS[:2] + ([by] if by else []) + COOCCURRENCE_COLUMNS[2:]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs.update(lexicon_attrs(matcher.lexicon))
    out.attrs.update(corpus_attrs(corpus))
    out.attrs["level"] = level
    return out
