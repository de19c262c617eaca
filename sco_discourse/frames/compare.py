"""Group contrasts of frame rates: does the target use a frame more than the reference?

:func:`frame_compare` takes the per-document frame matrix
(:class:`~sco_discourse.frames.FrameMatrix` from :meth:`Matcher.count`, or anything with
``.matrix``, a sparse documents x keys count matrix; ``.keys``, the ``(frame, variant)``
of every column, variant "" for the frame's total; and ``.docs``, the documents table
with ``n_tokens`` and the metadata columns) and returns, per frame and variant, the rates
of the two groups, their ratio and difference with clustered bootstrap intervals, and a
test (:func:`sco_discourse.stats.rate_contrast`).

:func:`per_document_counts` is ``Matcher(lexicon).count(corpus)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..groups import Group, Grouping, is_missing
from ..stats import CONTRAST_COLUMNS, rate_contrast
from .matrix import with_specific

__all__ = ["COMPARE_COLUMNS", "frame_compare", "per_document_counts", "select_groups",
           "cluster_of"]

#: Columns of :func:`frame_compare`: the eleven of the comparison, then the group sizes and a caveat.
COMPARE_COLUMNS = ["frame", "variant", "specific"] + CONTRAST_COLUMNS


def per_document_counts(corpus, *, lexicon=None, n_jobs: int = 1, progress: bool = False, dedupe=None):
    """``Matcher(lexicon).count(corpus)``: the per-document frame matrix, with a lexicon
    compiled for this call (hold a :class:`~sco_discourse.frames.Matcher` to count more
    than once). ``dedupe=`` as in :meth:`Matcher.count`.

    Returns
    -------
    FrameMatrix
        ``docs`` holds ``n_tokens`` (the package tokenizer's count, the denominator of
        every rate); ``attrs`` the lexicon and corpus.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> fm = per_document_counts(load_corpus())
    >>> fm.matrix.shape[0] == len(fm.docs), fm.keys[0][1]
    (True, '')
    >>> int(fm.matrix[list(fm.docs["doc_id"]).index("seed-004"), fm.keys.index(("belt_and_road", ""))])
    11
    """
    from .matcher import Matcher

    return Matcher(lexicon).count(corpus, n_jobs=n_jobs, progress=progress, dedupe=dedupe)


# --------------------------------------------------------------------------- choosing the two groups
def _group_rows(labels: pd.DataFrame) -> list[tuple]:
    return [tuple(None if is_missing(v) else v for v in row) for row in labels.itertuples(index=False, name=None)]


def _value_test(column: str, wanted: Any):
    """A predicate on one group value: equality, any of a list, a slice, or a condition
    string (``"CHN,RUS"``, ``"2013..2016"``, ``">=2020"``) as on the command line."""
    from ..corpus.selection import parse_condition, value_matcher

    if isinstance(wanted, str) and wanted:
        text = wanted if wanted[:1] in "<>!=" else "=" + wanted
        condition = parse_condition(column + text)
        return lambda v: (not is_missing(v)) and (v == wanted or condition(v))
    return value_matcher(column, wanted)


def _tests(columns: list[str], wanted: Any, option: str) -> dict:
    """Column position -> predicate on the group value."""
    if isinstance(wanted, Mapping):
        unknown = [c for c in wanted if c not in columns]
        if unknown:
            raise InputError(f"{option}: {unknown[0]!r} is not a group column (group columns: {columns})")
        return {columns.index(c): _value_test(c, w) for c, w in wanted.items()}
    if isinstance(wanted, tuple) and len(columns) > 1:
        if len(wanted) != len(columns):
            raise InputError(f"{option}: {wanted!r} gives {len(wanted)} values for the {len(columns)} group columns "
                             f"{columns}")
        return {j: _value_test(c, w) for j, (c, w) in enumerate(zip(columns, wanted))}
    if len(columns) == 1:
        return {0: _value_test(columns[0], wanted)}
    raise InputError(f"{option}: with several group columns {columns}, name the group by a tuple "
                     f"(one value per column) or a mapping {{column: value}}; got {wanted!r}")


def select_groups(labels: pd.DataFrame, wanted: Any, *, option: str = "target") -> list[int]:
    """Rows of a group-label table (from :meth:`Grouping.resolve`) that ``wanted`` names.

    ``wanted`` is, for one group column, a value, a list of values, a ``slice`` or a
    condition string (``"CHN,RUS"``, ``"2013..2016"``); for several columns a tuple
    (one such entry per column) or a mapping ``{column: entry}`` (columns left out match
    any value). Groups with a missing value are never selected.

    Examples
    --------
    >>> labels = pd.DataFrame({"iso3": ["CHN", "RUS", "USA"]})
    >>> select_groups(labels, ["CHN", "RUS"]), select_groups(labels, "USA")
    ([0, 1], [2])
    >>> labels = pd.DataFrame({"bloc": ["SCO", "SCO", "other"], "year": [2013, 2014, 2013]})
    >>> select_groups(labels, {"bloc": "SCO", "year": "2014.."})
    [1]
    """
    columns = list(labels.columns)
    rows = _group_rows(labels)
    try:
        tests = _tests(columns, wanted, option)
        chosen = [i for i, row in enumerate(rows)
                  if all(v is not None for v in row) and all(test(row[j]) for j, test in tests.items())]
    except InputError as exc:  # a condition string that does not fit the column's values
        message = str(exc)
        raise InputError(message if message.startswith(option) else f"{option}: " + message.replace("--where ", "")
                         ) from None
    if not chosen:
        shown = ", ".join(str(r[0] if len(r) == 1 else r) for r in rows[:30]) + (" ..." if len(rows) > 30 else "")
        raise InputError(f"{option}: no group matches {wanted!r} (groups of {', '.join(columns)}: {shown})")
    return chosen


def cluster_of(docs: pd.DataFrame, cluster: Any, *, where: str = "cluster") -> tuple[np.ndarray | None, str]:
    """Cluster codes of the documents: None (every document its own cluster), a column,
    several columns (e.g. country x year), a custom group, or one value per document.

    Returns the codes (or None) and a note ("" or how many documents had no value).
    """
    if cluster is None:
        return None, ""
    if isinstance(cluster, (str, Mapping, Group)) or (isinstance(cluster, list) and cluster
                                                    and all(isinstance(c, (str, Mapping, Group)) for c in cluster)):
        grouping = Grouping(cluster, where=where)
        codes, labels = grouping.resolve(docs)
        missing_groups = [i for i, row in enumerate(_group_rows(labels)) if any(v is None for v in row)]
        n_missing = int(np.isin(codes, missing_groups).sum())
        note = ""
        if n_missing:
            note = (f"{n_missing} document(s) have no value for cluster {', '.join(grouping.columns)}: "
                    "they are resampled together as one cluster")
        return codes, note
    values = np.asarray(cluster, dtype=object)
    if values.shape != (len(docs),):
        raise InputError(f"{where}: expected a column name or one value per document ({len(docs)}), "
                         f"got {len(values)} values")
    return values, ""


def _describe(value: Any) -> str:
    if isinstance(value, Group):
        return f"{value.name} (from {value.column})"
    return str(value)


# --------------------------------------------------------------------------- the comparison
def frame_compare(fm, *, by: Any, target: Any, reference: Any = None, cluster: Any = None,
                  n_resamples: int = 2000, random_state: int = 0, confidence: float = 0.95,
                  per: float = 10_000.0, warn: bool = True) -> pd.DataFrame:
    """Frame rates of a target group against a reference group: ratio, difference, intervals, test.

    Parameters
    ----------
    fm : frame matrix
        Per-document frame counts: ``.matrix`` (documents x keys), ``.keys`` ((frame,
        variant) per column) and ``.docs`` (documents table with ``n_tokens``), e.g.
        from :func:`per_document_counts`.
    by : str, list, mapping or Group
        The grouping, as everywhere in the package (:mod:`sco_discourse.groups`): a
        column, several columns, or a custom group such as
        ``{"iso3": {"SCO": ["CHN", "RUS", ...]}}``.
    target : value, list of values, slice, condition string, tuple or mapping
        The group(s) of ``by`` to compare (their documents are pooled):
        ``"SCO"`` with the custom group above, ``["CHN", "RUS"]`` with ``by="iso3"``,
        ``"2013..2016"`` with ``by="year"``; a tuple or mapping for several columns
        (:func:`select_groups`).
    reference : same kinds as ``target``, optional
        Default: every other group with a value (documents with a missing group value
        are in neither group; the caveat says how many).
    cluster : str, list of str, custom group or array, optional
        The level that is resampled — and at which the test's standard errors are
        clustered. Default: the document. Use the unit whose documents are *not*
        independent: the speaker (``"iso3"`` in the UN corpus: one country gives a speech
        every year, in its own habitual words) or the outlet. Resampling documents when
        documents cluster by speaker makes intervals too narrow: the same data can give
        a win-win rate ratio interval of [6.9, 22.6] resampling UN speeches and
        [1.07, 39.5] resampling countries; only the second describes countries.
    n_resamples : int, default 2000
    random_state : int, default 0
        Seed: the same seed gives identical intervals.
    confidence : float, default 0.95
    per : float, default 10_000
        Rates per this many tokens.
    warn : bool, default True
        Issue the caveat (few clusters, documents in neither group) as a ``UserWarning``.

    Returns
    -------
    pandas.DataFrame
        One row per key of ``fm`` (frame total, then its variants), columns
        :data:`COMPARE_COLUMNS`: ``frame, variant, specific`` (False: generic
        vocabulary, see :func:`sco_discourse.frames.frame_counts`), ``rate_target, rate_reference,
        rate_ratio, rr_ci_low, rr_ci_high, rate_diff, diff_ci_low, diff_ci_high, p``
        (rates and difference per ``per`` tokens; ``p`` the Wald test of ratio 1 with
        cluster-robust standard errors), then ``count_*``, ``tokens_*``, ``n_docs_*``,
        ``n_clusters_*`` of target and reference, and a row ``caveat``. ``attrs``:
        ``by``, ``target``, ``reference``, ``cluster``, ``method``, ``test``,
        ``resampling``, ``n_resamples``, ``random_state``, ``confidence``, ``per``,
        ``caveat`` and the matrix's provenance (lexicon).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> fm = per_document_counts(load_corpus())
    >>> table = frame_compare(fm, by="year", target="2023..2024", n_resamples=200, warn=False)
    >>> row = table.query("frame == 'belt_and_road' and variant == ''").iloc[0]
    >>> int(row["count_target"]), int(row["n_docs_target"]), int(row["n_docs_reference"])
    (14, 2, 6)
    >>> round(float(row["rate_target"]), 2), round(float(row["rate_reference"]), 2)  # 14 / 4,470 and 11 / 5,919 tokens
    (31.32, 18.58)
    >>> table.attrs["caveat"][:40]
    'only 2 clusters in the target, only 6 cl'
    """
    from .counts import refuse_weights

    refuse_weights(fm, "frame_compare")
    docs = fm.docs
    if "n_tokens" not in docs.columns:
        raise InputError("frame_compare: the documents table has no n_tokens column (the token counts rates "
                         "are computed over)")
    keys = list(fm.keys)
    matrix = fm.matrix
    if matrix.shape != (len(docs), len(keys)):
        raise InputError(f"frame_compare: the matrix is {matrix.shape[0]} x {matrix.shape[1]} but there are "
                         f"{len(docs)} documents and {len(keys)} keys")
    if by is None:
        raise InputError("frame_compare: by= is required (the grouping target and reference are taken from)")
    codes, labels = Grouping(by, where="frame_compare").resolve(docs)
    chosen_target = select_groups(labels, target, option="target")
    if reference is None:
        rows = _group_rows(labels)
        chosen_reference = [i for i in range(len(labels))
                            if i not in set(chosen_target) and all(v is not None for v in rows[i])]
        if not chosen_reference:
            raise InputError(f"reference: every group of by={by!r} is in the target; nothing to compare with")
    else:
        chosen_reference = select_groups(labels, reference, option="reference")
        both = sorted(set(chosen_target) & set(chosen_reference))
        if both:
            raise InputError(f"target and reference both contain the group {_group_rows(labels)[both[0]]}")
    in_target = np.isin(codes, chosen_target)
    in_reference = np.isin(codes, chosen_reference)
    cluster_codes, cluster_note = cluster_of(docs, cluster)
    table = rate_contrast(matrix, docs["n_tokens"].to_numpy(dtype=float), target=in_target, reference=in_reference,
                          cluster=cluster_codes, n_resamples=n_resamples, confidence=confidence,
                          random_state=random_state, per=per)
    table.insert(0, "frame", [k[0] for k in keys])
    table.insert(1, "variant", [k[1] for k in keys])
    table = with_specific(table, fm)
    notes = [n for n in (table.attrs["caveat"], cluster_note) if n]
    neither = int((~in_target & ~in_reference).sum())
    if reference is None and neither:
        notes.append(f"{neither} document(s) with a missing value for {', '.join(labels.columns)} are in neither group")
    caveat = "; ".join(notes)
    provenance = dict(getattr(fm, "attrs", {}) or {})
    table.attrs = {**provenance, **table.attrs, "by": _describe(by), "target": _describe(target),
                   "reference": "all other groups" if reference is None else _describe(reference),
                   "cluster": "document" if cluster is None else _describe(cluster), "caveat": caveat}
    if caveat and warn:
        warnings.warn(f"frame_compare: {caveat}", UserWarning, stacklevel=2)
    return table
