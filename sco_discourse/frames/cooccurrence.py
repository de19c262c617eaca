"""Co-occurrence of frames within documents, paragraphs or sentences.

Co-occurrence needs to know which mentions share a unit of text, so it reads the corpus
(with a :class:`~sco_discourse.frames.Matcher` built once) rather than the frame matrix,
whose rows are whole documents.
"""

from __future__ import annotations

import bisect
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..provenance import corpus_attrs
from .matcher import Matcher, lexicon_attrs, map_documents

__all__ = ["cooccurrence", "COOCCURRENCE_COLUMNS", "LEVELS"]

COOCCURRENCE_COLUMNS = ["frame_a", "frame_b", "n_a", "n_b", "n_ab", "n_units", "jaccard", "pmi"]
#: The units of co-occurrence.
LEVELS = ("document", "paragraph", "sentence")


def _units_item(state, item):
    """Worker: (group, number of units, frame sets of the units that have mentions)."""
    from ..text import paragraph_spans, sentence_spans

    matcher, level = state
    group, text, year = item
    found = matcher._spans(text, None, year)
    if level == "document":
        return group, 1, [frozenset(f for _, _, f, _ in found)] if found else []
    spans = sentence_spans(text) if level == "sentence" else paragraph_spans(text)
    starts = [s for s, _ in spans]
    units: dict[int, set] = {}
    for start, _, frame, _ in found:
        units.setdefault(max(0, bisect.bisect_right(starts, start) - 1), set()).add(frame)
    return group, max(len(starts), 1 if found else 0), [frozenset(s) for s in units.values()]


def cooccurrence(corpus, *, matcher: Matcher | None = None, level: str = "document", by=None, n_jobs: int = 1,
                 progress: bool = False, dedupe=None) -> pd.DataFrame:
    """How often two frames occur in the same document, paragraph or sentence, with association.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    matcher : Matcher, optional
        The compiled lexicon (default: ``Matcher()``, the packaged codebook).
    level : {"document", "paragraph", "sentence"}
        The unit: a document, a paragraph (:func:`sco_discourse.text.paragraph_spans`) or
        a sentence (:func:`sco_discourse.text.sentence_spans`); a mention belongs to the
        unit it starts in.
    by : str, list, mapping or Group, optional
        Groups of documents, as everywhere in the package (:mod:`sco_discourse.groups`):
        one table per group, stacked. None: overall.
    n_jobs : int, default 1
        Worker processes for matching (-1: all cores); results do not depend on it.
    progress : bool, default False
    dedupe : None, "first", "weight" or dict, optional
        Count each cluster of exact or near-duplicate documents once
        (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`): "first" keeps the earliest
        copy of each; "weight" keeps all, each unit of a copy counting 1/cluster size (the
        ``n_*`` columns are then weighted sums, floats); a dict also sets the threshold.
        ``attrs["deduplicated"]`` records what was left out or weighted.

    Returns
    -------
    pandas.DataFrame
        ``frame_a, frame_b``, the group columns of ``by``, then ``n_a, n_b, n_ab,
        n_units, jaccard, pmi``: one row per pair of frames (lexicon order, ``frame_a``
        before ``frame_b``; per group when ``by`` is given, groups in the one order).
        ``n_a``/``n_b`` units mention the frame, ``n_ab`` both, ``n_units`` units in all.
        ``jaccard = n_ab / (n_a + n_b - n_ab)`` (NaN when neither occurs);
        ``pmi = log2(n_ab * n_units / (n_a * n_b))``, pointwise mutual information in bits
        (NaN when ``n_ab`` is 0).

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
    from ..corpus.duplicates import WEIGHT_FIELD, apply_dedupe
    from ..groups import Grouping

    corpus = apply_dedupe(corpus, dedupe, where="cooccurrence")
    if level not in LEVELS:
        raise InputError(f"cooccurrence: level must be one of {', '.join(LEVELS)}, not {level!r}")
    matcher = matcher if matcher is not None else Matcher()
    if not isinstance(matcher, Matcher):
        raise InputError(f"cooccurrence: matcher must be a Matcher (Matcher(lexicon)), got {type(matcher).__name__}")
    name = getattr(corpus, "name", "corpus")
    grouping = Grouping(by, where=name)
    frames = matcher.lexicon.frame_ids
    position = {f: i for i, f in enumerate(frames)}
    n_frames = len(frames)
    tables: dict[Any, list] = {}  # group key -> [n_units, singles, pairs]
    weighted = False
    # a document's weight (dedupe="weight") travels with its group key through the workers
    items = (((grouping.doc_key(doc), doc.meta.get(WEIGHT_FIELD)), doc.text, doc.year) for doc in corpus)
    for (group, weight), n_units, units in map_documents(_units_item, items, (matcher, level), n_jobs=n_jobs,
                                               progress=progress, total=getattr(corpus, "_length", None),
                                               desc="co-occurrence"):
        weighted |= weight is not None
        weight = 1.0 if weight is None else float(weight)
        acc = tables.get(group)
        if acc is None:  # float sums are exact for integer counts
            acc = tables[group] = [0.0, np.zeros(n_frames), np.zeros((n_frames, n_frames))]
        acc[0] += weight * n_units
        for unit in units:
            idx = sorted(position[f] for f in unit)
            acc[1][idx] += weight
            for a, b in combinations(idx, 2):
                acc[2][a, b] += weight
    grouping.check_keys(tables, name)
    order = grouping.order(tables)
    labels = grouping.labels(order)
    rows, group_rows = [], []
    number = float if weighted else int
    for g, group in enumerate(order):
        n_units, singles, pairs = tables[group]
        n_units = number(n_units)
        for a, b in combinations(range(n_frames), 2):
            n_a, n_b, n_ab = number(singles[a]), number(singles[b]), number(pairs[a, b])
            union = n_a + n_b - n_ab
            jaccard = n_ab / union if union else np.nan
            pmi = np.log2(n_ab * n_units / (n_a * n_b)) if n_ab else np.nan
            rows.append((frames[a], frames[b], n_a, n_b, n_ab, n_units, jaccard, pmi))
            group_rows.append(g)
    out = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
    if grouping:
        groups = labels.iloc[group_rows].reset_index(drop=True)
        out = pd.concat([out[COOCCURRENCE_COLUMNS[:2]], groups, out[COOCCURRENCE_COLUMNS[2:]]], axis=1)
    out.attrs.update(lexicon_attrs(matcher.lexicon))
    out.attrs.update(corpus_attrs(corpus))
    out.attrs["level"] = level
    return out
