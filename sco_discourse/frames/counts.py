"""Frame counts per document or per group, rates per 10,000 tokens, intervals, trends.

Every statistic here takes the frame matrix (:class:`~sco_discourse.frames.FrameMatrix`,
from :meth:`Matcher.count`): the corpus is matched once, and ``by=`` groups its
documents table as everywhere in the package (:mod:`sco_discourse.groups`). Tokens are
counted with :func:`sco_discourse.text.count_tokens`, the package tokenizer, so a rate
here uses the same tokens as keyness and topic models; for Chinese text they are words
of the segmented text, and rates per 10,000 characters
(:func:`sco_discourse.text.count_characters`) stand beside them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InputError
from .matrix import FrameMatrix, with_specific

__all__ = ["frame_counts", "frame_trend", "COUNT_COLUMNS", "GROUP_COLUMNS", "TREND_COLUMNS",
           "FEW_DOCUMENTS"]

#: Columns of a per-document table (after ``doc_id``).
COUNT_COLUMNS = ["frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters", "rate_per_10k_chars"]
#: Extra columns of a grouped table.
GROUP_COLUMNS = ["n_docs", "docs_with_mention", "share_docs", "ci_low", "ci_high"]
TREND_COLUMNS = ["frame", "variant", "specific", "n_docs", "n_years", "irr_per_year", "ci_low", "ci_high", "p",
                 "method", "caveat"]
#: A group with fewer documents than this gets a caveat: its interval and the trend rest on little data.
FEW_DOCUMENTS = 5


def _characters(fm: FrameMatrix) -> np.ndarray:
    """Letters and digits of each row (0 for a matrix built before they were counted)."""
    if "n_characters" not in fm.docs.columns:
        return np.zeros(fm.n_docs, dtype=np.int64)
    return fm.docs["n_characters"].to_numpy()


def _check_matrix(fm, what: str) -> FrameMatrix:
    if not isinstance(fm, FrameMatrix):
        raise InputError(f"{what} takes the frame matrix of a corpus: fm = Matcher(lexicon).count(corpus), then "
                         f"{what}(fm, ...); got {type(fm).__name__}")
    return fm


def refuse_weights(fm: FrameMatrix, what: str) -> None:
    """Statistics that do not weight documents refuse a weighted matrix rather than ignore its weights."""
    matrix = getattr(fm, "matrix", None)
    if getattr(fm, "weights", None) is not None or getattr(matrix, "dtype", np.dtype(int)).kind == "f":
        raise InputError(f"{what} does not weight documents; this frame matrix is weighted by duplicate cluster "
                         f"(dedupe='weight'): count with dedupe='first' (one copy of each cluster) instead")


def _sides(fm: FrameMatrix, codes: np.ndarray, labels: pd.DataFrame, target, reference):
    """Regroup into two groups, target and reference, as keyness does."""
    from ..groups import describe_groups, match_groups

    columns = list(labels.columns)
    if target is None:
        raise InputError("frame_counts: reference= compares with a target: give target= too")
    in_target = match_groups(labels, target, what="target", where=fm.name)
    target_label = describe_groups(columns, target)
    if reference is None:
        in_reference = ~in_target
        reference_label = f"{', '.join(columns)} other than {target_label.split(' = ', 1)[1]}"
    else:
        in_reference = match_groups(labels, reference, what="reference", where=fm.name)
        reference_label = describe_groups(columns, reference)
        if (in_target & in_reference).any():
            raise InputError(f"frame_counts: target and reference share groups ({target_label}; {reference_label})")
    if not in_reference.any():
        raise InputError(f"frame_counts: the reference ({reference_label}) has no documents")
    side = np.where(in_target, 0, np.where(in_reference, 1, -1))[codes]
    return side, pd.DataFrame({"side": ["target", "reference"]}), {"target": target_label,
                                                                   "reference": reference_label}


def frame_counts(fm: FrameMatrix, *, by=None, target=None, reference=None, interval: str = "bootstrap",
                 n_resamples: int = 2000, random_state: int = 0, confidence: float = 0.95,
                 cluster: str | None = None, precision: pd.DataFrame | None = None) -> pd.DataFrame:
    """Frame counts and rates per 10,000 tokens, per document or per group.

    Parameters
    ----------
    fm : FrameMatrix
        From :meth:`Matcher.count`: per document, or already grouped while counting
        (``matcher.count(corpus, by=...)``, flat memory).
    by : str, list, mapping or Group, optional
        Groups of documents, as everywhere in the package (:mod:`sco_discourse.groups`):
        a column (``"year"``), several (``["iso3", "year"]``: one column each in the
        table), or a custom group (``{"iso3": {"SCO": ["CHN", "RUS", ...]}}``: "SCO" and
        "other"). None: one row per document × frame × variant, or, for a grouped
        matrix, its own groups.
    target, reference : optional
        Groups of ``by`` to compare, as in :func:`sco_discourse.keywords.keyness`: the
        documents of the target groups are pooled into one group, those of the reference
        groups (default: every other document) into another; the table then has a column
        ``side`` ("target", "reference") instead of the group columns, and ``attrs``
        ``target``/``reference`` say which groups each side holds.
    interval : {"bootstrap", "poisson"}, default "bootstrap"
        95% interval of each group's rate. "bootstrap" resamples *documents* (percentile
        interval, ``n_resamples`` draws, seeded): mentions cluster within documents, and
        resampling whole documents keeps that clustering, so the interval is honest
        about it; it needs a per-document matrix. "poisson" is the exact Garwood
        interval treating tokens as independent (narrower when mentions cluster); use it
        for a matrix grouped while counting, and for groups with very few documents,
        where a bootstrap has almost nothing to resample (one document: a zero-width
        interval).
    n_resamples : int, default 2000
    random_state : int, default 0
        Seed of the bootstrap; the same seed gives the same intervals. Each group is
        resampled with this seed, so a group's interval depends only on its own documents.
    confidence : float, default 0.95
    cluster : str, optional
        The level the bootstrap resamples: a metadata column (``"iso3"``, ``"outlet"``,
        ``"speaker"``) whose documents are drawn together; default: each document its own
        cluster. The level matters because documents of one speaker or outlet share a
        style: resampling documents as if independent then gives intervals that are too
        narrow (speeches of one country use a frame year after year). Choose the level at
        which you would say "another sample would have had other ..." (countries, outlets).
    precision : DataFrame, optional
        The precision measured on a coded sample of your corpus
        (:func:`sco_discourse.frames.precision.sheet_precision`): the table then also has
        ``precision, precision_low, precision_high, count_corrected, rate_corrected,
        corrected_low, corrected_high``, the rates corrected by it with intervals that
        carry the uncertainty of the precision too
        (:func:`sco_discourse.frames.precision.corrected_rates`, seeded by
        ``random_state``).

    Memory
    ------
    ``matcher.count(corpus, by=...)`` keeps only the sums of each group while reading, so
    memory does not grow with the corpus; ``frame_counts(..., interval="poisson")`` turns
    it into the table. The bootstrap resamples a group's documents, so it needs their
    counts: the per-document matrix (8 bytes per document and 16 per mention, plus the
    documents table). Its resamples are drawn and summed in blocks of a few megabytes
    (:func:`sco_discourse.stats.bootstrap_index_blocks`; the same draws as all at once), so
    the bootstrap adds a bounded amount of memory, not documents x resamples
    (``benchmarks/bench_memory.py``).

    Returns
    -------
    pandas.DataFrame
        Per document: ``doc_id, frame, variant, specific, count, tokens, rate_per_10k,
        characters, rate_per_10k_chars``.
        Per group: the group columns (one per entry of ``by``, or ``side``), then
        ``frame, variant, specific, count, tokens, rate_per_10k, characters, rate_per_10k_chars,
        n_docs, docs_with_mention, share_docs, ci_low, ci_high``; groups in the one order
        of the package (numbers numerically, text alphabetically, missing values last).
        Each frame has one total row with ``variant`` "" and one row per variant of the
        lexicon, zero rows included, so every document/group × frame × variant appears;
        the total equals the sum of its variants. ``specific`` is False for generic
        vocabulary (``specific: false`` in the lexicon: "multilateralism", "win-win"): the
        rate counts the word, which is used in its sense but not only in this discourse;
        read it with the frame's measured precision. ``tokens`` is the token count of the
        document/group (words, for Chinese text), ``characters`` its letters and digits
        (:func:`sco_discourse.text.count_characters`); intervals are of ``rate_per_10k``.
        With the packaged lexicons, Chinese documents add the rows of the Chinese lexicon's
        own variants (``shared_future/human``; ``attrs["lexicon_zh"]`` names that lexicon).
        ``share_docs`` = ``docs_with_mention / n_docs``. A document
        without tokens (emptied by cleaning, punctuation or invisible characters only) has
        no rate: per document its ``rate_per_10k`` is NaN; per group it is left out of
        ``n_docs``, ``share_docs`` and the interval. Either way ``attrs["n_empty_docs"]``
        counts them, ``attrs["empty_docs"]`` names the first and the caveat says so. ``attrs``
        records the lexicon (``lexicon``, ``lexicon_version``, ``lexicon_sha256``) and the
        corpus (``fm.attrs``), the interval method, ``n_resamples``, ``random_state`` and, for groups, ``caveat``: "" or
        a warning that some groups have fewer than :data:`FEW_DOCUMENTS` documents.

    Weights
    -------
    A matrix counted with ``dedupe="weight"`` weights each document by 1/size of its
    cluster of duplicate copies (:attr:`FrameMatrix.weights`). Per document, the table
    then has a last column ``weight``. Per group, ``count``, ``tokens``, ``characters``,
    ``n_docs`` and ``docs_with_mention`` are weighted sums (floats): a cluster of copies
    counts as one document, and rates are weighted count over weighted tokens, so a
    cluster of exact copies gives the counts and rates of its earliest copy alone
    (``dedupe="first"``). Copies are not independent evidence, so the intervals treat a
    cluster as one unit: the bootstrap resamples clusters (``cluster=`` a metadata
    column resamples those instead, each document weighted), and the Poisson interval
    is the exact interval in its gamma form (``chi2`` quantiles with ``2 x count``
    degrees of freedom, continuous in the count) of the weighted count over the weighted
    tokens: Fay & Feuer's (1997) gamma interval for a weighted sum of Poisson counts
    with each cluster a unit of weight 1. For a cluster of exact copies both give the
    interval of the corpus with one copy kept.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> from sco_discourse.frames import Matcher
    >>> fm = Matcher().count(load_corpus())
    >>> table = frame_counts(fm, by="year", n_resamples=200)
    >>> row = table.query("year == 2020 and frame == 'shared_future' and variant == ''")
    >>> int(row["count"].iloc[0]), int(row["n_docs"].iloc[0])
    (3, 1)
    >>> table.attrs["lexicon"]
    'sco_codebook 2.0.0'
    >>> sides = frame_counts(fm, by="year", target=[2023, 2024], interval="poisson")
    >>> sides.query("frame == 'shared_future' and variant == ''")[["side", "count", "n_docs"]]
             side  count  n_docs
    0      target     13       2
    37  reference     10       6
    """
    from ..stats import bootstrap_ratio_ci, poisson_rate_ci, rate_per

    fm = _check_matrix(fm, "frame_counts")
    if interval not in ("bootstrap", "poisson"):
        raise InputError(f"interval must be 'bootstrap' or 'poisson', not {interval!r}")
    keys = fm.keys
    frames = [k[0] for k in keys]
    variants = [k[1] for k in keys]
    n_keys = len(keys)
    if by is None and not fm.is_grouped:
        if target is not None or reference is not None:
            raise InputError("frame_counts: target= and reference= are groups of by=; give by= too")
        n_docs = fm.n_docs
        out = pd.DataFrame({
            "doc_id": np.repeat(fm.docs["doc_id"].to_numpy(dtype=object), n_keys),
            "frame": np.tile(np.asarray(frames, dtype=object), n_docs),
            "variant": np.tile(np.asarray(variants, dtype=object), n_docs),
            "count": fm.matrix.toarray().reshape(-1),
            "tokens": np.repeat(fm.docs["n_tokens"].to_numpy(dtype=np.int64), n_keys),
        })
        out["rate_per_10k"] = rate_per(out["count"], out["tokens"])
        out["characters"] = np.repeat(_characters(fm), n_keys)
        out["rate_per_10k_chars"] = rate_per(out["count"], out["characters"])
        out = with_specific(out.astype({"count": "int64", "tokens": "int64", "characters": "int64"}), fm)
        if fm.weights is not None:
            out["weight"] = np.repeat(fm.weights, n_keys)
        empty = fm.docs.loc[fm.docs["n_tokens"] == 0, "doc_id"].tolist()
        out.attrs.update(fm.attrs)
        out.attrs.update(n_empty_docs=len(empty), empty_docs=empty[:_LISTED_EMPTY],
                         caveat=_empty_note(len(empty), empty, grouped=False, empty_groups=[]))
        return _corrected(out, precision, random_state=random_state, confidence=confidence)

    if fm.is_grouped and interval == "bootstrap":
        raise InputError("frame_counts: the bootstrap resamples documents, but the rows of this frame matrix are "
                         f"groups of {', '.join(fm.groups)} (counted with by=); pass the per-document matrix "
                         "(matcher.count(corpus)) or use interval='poisson'")
    codes, labels = fm.group_codes(by if by is not None else fm.groups)
    weights = fm.weights  # per document, or None (unweighted, or weighted sums already)
    kind = np.int64 if weights is None and fm.matrix.dtype.kind != "f" else float
    cluster_values = None
    if cluster is not None:
        if interval != "bootstrap":
            raise InputError("frame_counts: cluster= sets what the bootstrap resamples; it needs interval='bootstrap'")
        from ..groups import cluster_column

        cluster_values = cluster_column(fm.docs, cluster, "frame_counts").to_numpy()
    elif weights is not None and interval == "bootstrap":
        from ..corpus.duplicates import CLUSTER_FIELD

        if CLUSTER_FIELD in fm.docs.columns:  # copies of one story are one unit
            cluster_values = fm.docs[CLUSTER_FIELD].fillna(fm.docs["doc_id"]).to_numpy()
    side_attrs: dict = {}
    if target is not None or reference is not None:
        codes, labels, side_attrs = _sides(fm, codes, labels, target, reference)
    n_groups = len(labels)
    rows = np.flatnonzero(codes >= 0)
    row_weight = np.ones(fm.n_docs) if weights is None else weights
    indicator = sp.csr_matrix((row_weight[rows].astype(kind), (codes[rows], rows)), shape=(n_groups, fm.n_docs))
    counts = (indicator @ fm.matrix).toarray().astype(kind)
    with_mention = (indicator @ fm.presence()).toarray().astype(kind)
    row_tokens = fm.docs["n_tokens"].to_numpy(dtype=kind)
    group_tokens = np.bincount(codes[rows], weights=(row_tokens * row_weight)[rows], minlength=n_groups).astype(kind)
    # a document without tokens has no rate: it is counted apart, not in n_docs or the interval
    row_empty = fm.row_empty_docs()
    rated = fm.row_docs() - row_empty
    docs_per_group = np.bincount(codes[rows], weights=(rated * row_weight)[rows], minlength=n_groups).astype(kind)
    low = np.full((n_groups, n_keys), np.nan)
    high = np.full((n_groups, n_keys), np.nan)
    for g in range(n_groups):
        if group_tokens[g] == 0:  # no text to rate: no interval
            continue
        if interval == "bootstrap":
            members = np.flatnonzero((codes == g) & (row_tokens > 0))  # in corpus order
            # the matrix stays sparse and resamples are summed in blocks: memory does not grow
            # with documents x resamples (stats.bootstrap_ratio_ci)
            low[g], high[g] = bootstrap_ratio_ci(
                fm.matrix[members], row_tokens[members], n_resamples=n_resamples, confidence=confidence,
                random_state=random_state, scale=10_000.0,
                cluster=None if cluster_values is None else cluster_values[members],
                weights=None if weights is None else weights[members])
        else:
            low[g], high[g] = poisson_rate_ci(counts[g], np.full(n_keys, group_tokens[g]), confidence=confidence,
                                              per=10_000.0)
    out = labels.iloc[np.repeat(np.arange(n_groups), n_keys)].reset_index(drop=True)
    out["frame"] = np.tile(np.asarray(frames, dtype=object), n_groups)
    out["variant"] = np.tile(np.asarray(variants, dtype=object), n_groups)
    out = with_specific(out, fm)
    out["count"] = counts.reshape(-1)
    out["tokens"] = np.repeat(group_tokens, n_keys)
    out["rate_per_10k"] = rate_per(out["count"], out["tokens"])
    group_chars = np.bincount(codes[rows], weights=(_characters(fm) * row_weight)[rows],
                              minlength=n_groups).astype(kind)
    out["characters"] = np.repeat(group_chars, n_keys)
    out["rate_per_10k_chars"] = rate_per(out["count"], out["characters"])
    out["n_docs"] = np.repeat(docs_per_group, n_keys)
    out["docs_with_mention"] = with_mention.reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_docs"] = out["docs_with_mention"] / out["n_docs"]
    out["ci_low"] = low.reshape(-1)
    out["ci_high"] = high.reshape(-1)
    rated_groups = docs_per_group[docs_per_group > 0]  # groups of empty documents only: said below
    few = int((rated_groups < FEW_DOCUMENTS).sum())
    caveat = ""
    if few:
        caveat = (f"{few} of {n_groups} groups have fewer than {FEW_DOCUMENTS} documents "
                  f"(min {int(rated_groups.min())}): their intervals rest on little data"
                  + ("; a one-document bootstrap interval has zero width (exact Poisson intervals "
                     "over tokens do not: interval='poisson', on the command line --interval poisson)"
                     if interval == "bootstrap" and rated_groups.min() == 1 else ""))
    n_empty = int(row_empty.sum())
    empty = (fm.docs.loc[fm.docs["n_tokens"] == 0, "doc_id"].tolist() if not fm.is_grouped
             else list(fm.attrs.get("empty_docs", [])))
    empty_groups = [_show_key(labels.iloc[g]) for g in np.flatnonzero((docs_per_group == 0) & (group_tokens == 0))
                    if n_empty]
    out.attrs.update(fm.attrs)
    out.attrs.update(interval=interval, confidence=confidence,
                     caveat="; ".join(c for c in (caveat, _empty_note(n_empty, empty, grouped=True,
                                                                       empty_groups=empty_groups)) if c),
                     n_resamples=n_resamples if interval == "bootstrap" else None,
                     random_state=random_state if interval == "bootstrap" else None, n_empty_docs=n_empty,
                     cluster=(cluster or ("duplicate cluster" if cluster_values is not None else "document"))
                     if interval == "bootstrap" else None,
                     empty_docs=empty[:_LISTED_EMPTY], **side_attrs)
    if out.attrs["caveat"]:
        # the caveat is in attrs for tables written out; a Python user sees it now
        warnings.warn(f"frame_counts: {out.attrs['caveat']}", UserWarning, stacklevel=2)
    return _corrected(out, precision, random_state=random_state, confidence=confidence)


def _corrected(out: pd.DataFrame, precision, *, random_state: int, confidence: float) -> pd.DataFrame:
    if precision is None:
        return out
    from .precision import corrected_rates

    attrs = dict(out.attrs)
    corrected = corrected_rates(out, precision, random_state=random_state, confidence=confidence)
    caveat = "; ".join(c for c in (attrs.get("caveat", ""), corrected.attrs.get("caveat", "")) if c)
    corrected.attrs = {**attrs, **corrected.attrs, "caveat": caveat, "precision_corrected": True}
    return corrected


_LISTED_EMPTY = 20


def _show_key(row: pd.Series) -> str:
    values = ["" if pd.isna(v) else str(v) for v in row.tolist()]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _empty_note(n_empty: int, empty: list, *, grouped: bool, empty_groups: list) -> str:
    """The caveat for documents without tokens (emptied by cleaning, punctuation only,
    invisible characters): they have no rate, so they are reported, not averaged in."""
    if not n_empty:
        return ""
    shown = ", ".join(map(str, empty[:5])) + (" ..." if n_empty > 5 else "")
    note = f"{n_empty} document(s) have no tokens ({shown})"
    if not grouped:
        return note + ": their rate_per_10k is empty (NaN)"
    note += ": they are left out of n_docs, share_docs and the intervals"
    if empty_groups:
        note += (f"; {len(empty_groups)} group(s) hold only such documents and have no rate: "
                 + ", ".join(empty_groups[:5]))
    return note


def frame_trend(fm: FrameMatrix, *, model: str = "poisson") -> pd.DataFrame:
    """Trend of each frame's (and variant's) rate across years: a count regression per frame.

    For each frame and variant, the per-document counts are regressed on the year with
    log(tokens) as offset (:func:`sco_discourse.stats.rate_trend`: Poisson GLM or
    negative binomial). ``irr_per_year`` is the incidence rate ratio: 1.10 means the
    rate grows by 10% a year.

    Parameters
    ----------
    fm : FrameMatrix
        The per-document frame matrix (:meth:`Matcher.count` without ``by``); the year
        comes from its documents table.
    model : {"poisson", "negbin"}, default "poisson"
        Use "negbin" when the caveat reports over-dispersion.

    Returns
    -------
    pandas.DataFrame
        ``frame, variant, specific, n_docs, n_years, irr_per_year, ci_low, ci_high, p,
        method, caveat``: one row per frame (variant "") and per variant. ``n_docs`` documents
        with a year and tokens were used. ``caveat`` is "" or a warning: few years, few
        documents in some year (fewer than :data:`FEW_DOCUMENTS`), no mentions,
        over-dispersion, no convergence.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> from sco_discourse.frames import Matcher
    >>> trend = frame_trend(Matcher().count(load_corpus()))
    >>> row = trend.query("frame == 'shanghai_spirit'").iloc[0]
    >>> int(row["n_docs"]), int(row["n_years"])
    (8, 5)
    >>> "few documents" in row["caveat"]
    True
    """
    from ..stats import rate_trend

    if model not in ("poisson", "negbin"):
        raise InputError(f"model must be 'poisson' or 'negbin', not {model!r}")
    fm = _check_matrix(fm, "frame_trend")
    refuse_weights(fm, "frame_trend")
    if fm.is_grouped:
        raise InputError(f"frame_trend: the regression needs per-document counts, but the rows of this frame matrix "
                         f"are groups of {', '.join(fm.groups)}; pass matcher.count(corpus) without by=")
    attrs = dict(fm.attrs)
    keys = fm.keys
    matrix = fm.matrix.tocsc()
    tokens = fm.docs["n_tokens"].to_numpy(dtype=float)
    years = pd.to_numeric(fm.docs["year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    usable = (tokens > 0) & ~np.isnan(years)
    used_years = years[usable]
    year_values, docs_per_year = np.unique(used_years, return_counts=True)
    n_docs = int(usable.sum())
    base_caveats = []
    if len(year_values) < 3:
        base_caveats.append(f"only {len(year_values)} year(s)")
    if len(year_values) and docs_per_year.min() < FEW_DOCUMENTS:
        few = int((docs_per_year < FEW_DOCUMENTS).sum())
        base_caveats.append(f"few documents: {few} of {len(year_values)} years have fewer than {FEW_DOCUMENTS} "
                            f"(min {int(docs_per_year.min())})")
    rows = []
    specific = fm.key_flags()["specific"].tolist()
    for j, (frame, variant) in enumerate(keys):
        column = matrix[:, j]
        y = (column.toarray().ravel() if hasattr(column, "toarray") else np.asarray(column))[usable]
        fit = rate_trend(y, tokens[usable], used_years, model=model)
        caveats = list(base_caveats)
        if y.sum() == 0:
            caveats.append("no mentions")
        elif np.unique(used_years[y > 0]).size == 1:
            # complete separation: the likelihood keeps rising as the slope grows, so the
            # fitted rate ratio and its interval are artefacts of where the optimiser stopped
            caveats.append("all mentions in one year: the estimate is unbounded")
            fit = dict(fit, irr=np.nan, ci_low=np.nan, ci_high=np.nan, p=np.nan)
        elif np.isnan(fit["irr"]):
            caveats.append("not estimable")
        else:
            if not fit["converged"]:
                caveats.append("fit did not converge")
            if model == "poisson" and fit["dispersion"] > 2:
                caveats.append(f"over-dispersed (Pearson chi2/df = {fit['dispersion']:.1f}): prefer model='negbin'")
        rows.append({"frame": frame, "variant": variant, "specific": specific[j], "n_docs": n_docs, "n_years": int(len(year_values)),
                     "irr_per_year": fit["irr"], "ci_low": fit["ci_low"], "ci_high": fit["ci_high"], "p": fit["p"],
                     "method": fit["method"], "caveat": "; ".join(caveats)})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out.attrs.update(attrs)
    out.attrs["model"] = model
    if base_caveats:
        warnings.warn("frame_trend: " + "; ".join(base_caveats), UserWarning, stacklevel=2)
    return out
