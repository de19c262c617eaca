"""Keyword statistics: frequencies, keyness, collocations and dispersion.

Every function takes a :class:`~sco_discourse.dtm.DTM` from
:func:`~sco_discourse.dtm.build_dtm` (the middle object of this stage, as quanteda's
``textstat_*`` take a ``dfm``): the corpus is read once, with the counting options
(``ngram``, ``lemma``, ``remove_stop_words``) chosen there, and every statistic is array
arithmetic over the same counts. ``by=`` means what it means everywhere in the package
(:mod:`sco_discourse.groups`): a column, several columns, or a custom group such as
``{"iso3": {"SCO": ["CHN", "RUS"]}}``.

The 2x2 statistics themselves (G², chi-squared, log ratio, %DIFF, MI, t-score, logDice)
live in :mod:`sco_discourse.stats` ("contingency-table statistics"). Conventions used
here:

* **Corpus size** is the number of tokens (stop words included) of the documents in a
  group, ``docs["n_tokens"]``; it is the denominator of every rate and 2x2 table, also
  for n-grams and when stop words are not listed.
* **G² is signed**: positive when the term is relatively more frequent in the target
  (a positive keyword, "overused"), negative when less frequent (a negative keyword).
  There is no separate direction column; ``log_ratio`` carries the same sign.
* **p-values** come from G² (chi-squared distribution, 1 degree of freedom);
  ``p_adj`` corrects them over all terms in the table (:func:`stats.adjust_p`).

Examples
--------
>>> from sco_discourse import load_corpus
>>> from sco_discourse.dtm import build_dtm
>>> dtm = build_dtm(load_corpus())
>>> table = keyness(dtm, by="year", target=2024)
>>> list(table.columns[:4])
['term', 'count_target', 'count_reference', 'g2']
>>> bool((table["g2"].diff().dropna() <= 0).all())   # strongest positive keywords first
True
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import chdtrc, erfc

from .dtm import DTM, ngram_ids
from .errors import InputError
from .groups import is_missing
from .stats import (adjust_p, association_measures, log_dice, log_likelihood_g2, log_ratio, pct_diff,
                    pearson_chi2)
from .text import lemmatize, stop_words, tokens

__all__ = ["frequencies", "keyness", "collocates", "ngram_collocations", "dispersion", "KEYNESS_COLUMNS",
           "DISPERSION_COLUMNS"]

#: Columns of :func:`keyness` that form the CLI/CSV contract, in order.
KEYNESS_COLUMNS = ["term", "count_target", "count_reference", "g2", "log_ratio", "log_ratio_ci_low",
                   "log_ratio_ci_high", "chi2", "pct_diff", "p", "p_adj"]
#: Columns of :func:`dispersion` (the CLI/CSV contract).
DISPERSION_COLUMNS = ["term", "frequency", "range", "juilland_d", "dp", "dp_norm"]


# --------------------------------------------------------------------------- input
def _check_dtm(data, what: str, *, need_stream: bool = False) -> DTM:
    """``data`` if it is a DTM; the message says how to build one otherwise."""
    if not isinstance(data, DTM):
        raise InputError(f"{what} takes a document-term matrix: dtm = build_dtm(corpus, ngram=..., lemma=..., "
                         f"remove_stop_words=...), then {what}(dtm, ...); got {type(data).__name__}")
    if need_stream and data.stream is None:
        raise InputError(f"{what} needs the token stream: build the DTM with keep_stream=True (and do not group "
                         "or select rows of it)")
    return data



def _records_provenance(func):
    """Every keyword table records the corpus (``dtm.docs.attrs``: name, documents, skipped
    rows) and the options the DTM was built with, beside the statistic's own ``attrs``."""
    @functools.wraps(func)
    def wrapper(dtm, *args, **kwargs):
        out = func(dtm, *args, **kwargs)
        if isinstance(dtm, DTM) and isinstance(out, pd.DataFrame):
            out.attrs = {**dict(dtm.docs.attrs), "dtm_options": dict(dtm.options), **out.attrs}
        return out
    return wrapper


def _as_list(value) -> list:
    if isinstance(value, (list, tuple, set, frozenset, range, np.ndarray, pd.Index, pd.Series)):
        return list(value)
    return [value]


def _p_from_g2(g2, dof: int = 1) -> np.ndarray:
    """Upper tail of the chi-squared distribution, as ``scipy.stats.chi2.sf``.

    With 1 degree of freedom it is erfc(sqrt(x / 2)), about 50 times faster than the
    incomplete gamma function and as accurate far into the tail.
    """
    x = np.abs(np.asarray(g2, dtype=float))
    return erfc(np.sqrt(x / 2.0)) if dof == 1 else chdtrc(dof, x)


# --------------------------------------------------------------------------- frequencies
@_records_provenance
def frequencies(dtm: DTM, *, by=None, terms: Iterable[str] | None = None, min_count: int = 1) -> pd.DataFrame:
    """Term and n-gram frequencies, overall or per group of documents.

    Parameters
    ----------
    dtm : DTM
    by : str, list or mapping, optional
        Groups of documents (``"year"``, ``["iso3", "year"]``, a custom group; see
        :mod:`sco_discourse.groups`): one set of rows per group. Default: the whole
        corpus (all rows of ``dtm``).
    terms : iterable of str, optional
        Only these terms (as in the vocabulary: lower case, n-grams space-joined).
    min_count : int, default 1
        Only terms occurring at least this often in the whole corpus.

    Returns
    -------
    pandas.DataFrame
        One row per group and term with a non-zero count, columns: the group columns
        (one per entry of ``by``; none when ``by`` is None), ``term``, ``n_words`` (1 for words, 2 for bigrams,
        ...), ``count``, ``rate_per_10k`` (count per 10,000 tokens of the group),
        ``doc_freq`` (documents of the group containing the term), ``group_tokens``.
        Sorted by group, then count (descending), then term.

    Examples
    --------
    >>> from sco_discourse import Document, Corpus
    >>> corpus = Corpus.from_documents([
    ...     Document("a", "Peace and development.", meta={"outlet": "X"}),
    ...     Document("b", "Peace, peace.", meta={"outlet": "Y"})])
    >>> from sco_discourse.dtm import build_dtm
    >>> frequencies(build_dtm(corpus, remove_stop_words=True), by="outlet").round(1)
      outlet         term  n_words  count  rate_per_10k  doc_freq  group_tokens
    0      X  development        1      1        3333.3         1             3
    1      X        peace        1      1        3333.3         1             3
    2      Y        peace        1      2       10000.0         1             2
    """
    dtm = _check_dtm(dtm, "frequencies")
    columns = _select_terms(dtm, terms, min_count)
    weights = dtm.weights  # a corpus weighted by duplicate cluster: weighted sums (floats)
    kind = np.int64 if weights is None and not _float_counts(dtm) else float
    if by is None:
        labels = None
        if weights is None:
            grouped = sp.csr_matrix(dtm.matrix.sum(axis=0))
            present = sp.csr_matrix(dtm.presence().sum(axis=0))
            sizes = np.array([dtm.n_tokens], dtype=np.int64)
        else:
            grouped = sp.csr_matrix(np.asarray(dtm.matrix.T @ weights).reshape(1, -1))
            present = sp.csr_matrix(np.asarray(dtm.presence().T @ weights).reshape(1, -1))
            sizes = np.array([dtm.docs["n_tokens"].to_numpy(dtype=float) @ weights])
    else:
        parts = dtm.group(by)
        labels = parts.docs[parts.groups]
        grouped, present, sizes = parts.matrix, parts.doc_counts, parts.docs["n_tokens"].to_numpy(dtype=kind)
    doc_freq = present.tocsr()[:, columns].tocoo()
    counts = grouped.tocsr()[:, columns].tocoo()
    # Both matrices have the same sparsity pattern (a count > 0 iff a document has it).
    order_c = np.lexsort((counts.col, counts.row))
    order_d = np.lexsort((doc_freq.col, doc_freq.row))
    group_index, term_index = counts.row[order_c], columns[counts.col[order_c]]
    frame = pd.DataFrame({
        "term": dtm.vocabulary[term_index],
        "n_words": dtm.term_length[term_index],
        "count": counts.data[order_c].astype(kind),
        "rate_per_10k": counts.data[order_c] * 10_000.0 / sizes[group_index],
        "doc_freq": doc_freq.data[order_d].astype(kind),
        "group_tokens": sizes[group_index].astype(kind),
    })
    if labels is not None:
        frame = pd.concat([labels.iloc[group_index].reset_index(drop=True), frame], axis=1)
        frame["_g"] = group_index
        frame = frame.sort_values(["_g", "count", "term"], ascending=[True, False, True], kind="stable")
        frame = frame.drop(columns="_g")
    else:
        frame = frame.sort_values(["count", "term"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def _select_terms(dtm: DTM, terms, min_count: int) -> np.ndarray:
    keep = dtm.term_counts() >= min_count
    if terms is not None:
        wanted = set(_as_list(terms))
        keep &= np.fromiter((t in wanted for t in dtm.vocabulary), dtype=bool, count=dtm.n_terms)
    return np.flatnonzero(keep)


# --------------------------------------------------------------------------- keyness
@_records_provenance
def keyness(dtm: DTM, *, by="year", target=None, reference=None, min_count: int = 1,
            correction: str = "bh") -> pd.DataFrame:
    """Keywords of a target against a reference: Dunning's G², log ratio, chi², %DIFF.

    For every term a 2x2 table is formed: its count in the target and in the
    reference, and the remaining tokens of each. G² is computed over all four cells
    (Dunning 1993), as are chi-squared and its Yates-corrected form. (Lancaster's
    online LL wizard and tools following Rayson & Garside 2000 sum only the two
    "frequency of word" cells, 2 (a ln(a/E1) + b ln(b/E2)); that value is slightly
    different, most visibly for frequent words.)

    Parameters
    ----------
    dtm : DTM
    by : str, list or mapping, default "year"
        What defines the groups, as everywhere in the package (:mod:`sco_discourse.groups`):
        a column, several columns (``["iso3", "year"]``) or a custom group
        (``{"iso3": {"SCO": ["CHN", "RUS", ...]}}``, groups "SCO" and "other").
    target : value or list of values, optional
        The group(s) of ``by`` to characterise (``2024`` or ``"2024"``; ``"SCO"``; with
        several columns a tuple per group, ``("CHN", 2020)``; see
        :func:`sco_discourse.groups.match_groups`). Default: with a reference corpus, the
        whole of ``dtm``; without one, *each* group of ``by`` in turn against all other
        documents (a long table with the group columns first, ``p_adj`` corrected within
        each group).
    reference : None, value(s) of ``by``, or DTM
        None (default): every document of ``dtm`` not in the target. Value(s): those
        groups of ``by``. A DTM: a separate reference corpus, built with the same
        ``ngram``, ``lemma`` and ``remove_stop_words``.
    min_count : int, default 1
        Only terms with ``count_target + count_reference >= min_count`` are tested
        (and counted in the multiple-comparison correction).
    correction : {"bh", "bonferroni", "holm"}, default "bh"
        Multiple-comparison correction for ``p_adj`` (Benjamini-Hochberg by default).

    Returns
    -------
    pandas.DataFrame
        One row per term, sorted by ``g2`` (strongest positive keywords first, strongest
        negative keywords last). Columns:

        ``term``; ``count_target``, ``count_reference`` (raw counts); ``g2`` (signed
        log-likelihood: > 0 relatively more frequent in the target); ``log_ratio`` (log2 of
        the ratio of relative frequencies, zero counts replaced by 0.5; Hardie 2014),
        ``log_ratio_ci_low``, ``log_ratio_ci_high`` (95% interval); ``chi2`` (Pearson,
        no correction); ``pct_diff`` (%DIFF, +inf when absent from the reference); ``p``
        (from G², 1 df); ``p_adj`` (corrected); then ``chi2_yates``; ``rate_target``,
        ``rate_reference`` (per 10,000 tokens). ``attrs`` holds ``target_tokens``,
        ``reference_tokens``, ``target``, ``reference`` and ``correction``.

    Examples
    --------
    >>> from sco_discourse import Document, Corpus
    >>> corpus = Corpus.from_documents([
    ...     Document("a", "health health silk road", meta={"topic": "x"}),
    ...     Document("b", "silk road security road", meta={"topic": "y"})])
    >>> from sco_discourse.dtm import build_dtm
    >>> keyness(build_dtm(corpus), by="topic", target="x")[["term", "count_target", "count_reference", "g2"]]
           term  count_target  count_reference        g2
    0    health             2                0  3.452185
    1      silk             1                1  0.000000
    2      road             1                2 -0.541153
    3  security             0                1 -1.529641

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
    Computational Linguistics 19(1), 61-74.
    Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling.
    Workshop on Comparing Corpora, ACL 2000.
    Hardie, A. (2014). Log Ratio - an informal introduction. CASS, Lancaster University.
    Gabrielatos, C. & Marchi, A. (2012). Keyness: appropriate metrics and practical
    issues. CADS International Conference, Bologna.
    """
    from .groups import describe_groups, match_groups

    dtm = _check_dtm(dtm, "keyness")
    sizes = dtm.docs["n_tokens"].to_numpy(dtype=np.int64)
    if target is None and reference is None:
        codes, labels = dtm.group_codes(by)
        if len(labels) < 2:
            raise InputError(f"keyness: {', '.join(labels.columns)} has a single group; give a reference corpus")
        tables = []
        for code, key in enumerate(labels.itertuples(index=False, name=None)):
            if any(is_missing(v) for v in key):
                continue  # documents without a value stay in every reference, never a target
            target_mask = codes == code
            table = _keyness_table(dtm, target_mask, ~target_mask, min_count=min_count, correction=correction,
                                   target_label=describe_groups(labels.columns, key if len(key) > 1 else key[0]),
                                   reference_label="all other documents")
            for position, column in enumerate(labels.columns):
                table.insert(position, column, labels[column].iloc[[code] * len(table)].reset_index(drop=True))
            tables.append(table)
        return pd.concat(tables, ignore_index=True)
    if target is None:
        if not isinstance(reference, DTM):
            raise InputError("keyness: give a target group (target=...) or a reference corpus as a DTM (reference=...)")
        target_mask = np.ones(dtm.n_docs, dtype=bool)
        target_label = f"all of {dtm.name}"
    else:
        codes, labels = dtm.group_codes(by)
        target_mask = match_groups(labels, target, what="target", where=dtm.name)[codes]
        target_label = describe_groups(labels.columns, target)
    if isinstance(reference, DTM):
        for key in ("ngram", "lemma", "remove_stop_words"):
            if reference.options.get(key) != dtm.options.get(key):
                raise InputError(f"keyness: the reference DTM was built with {key}={reference.options.get(key)!r}, "
                                 f"the target with {key}={dtm.options.get(key)!r}; build both with the same options")
        return _keyness_table(dtm, target_mask, reference, min_count=min_count, correction=correction,
                              target_label=target_label, reference_label=f"reference corpus {reference.name}")
    if _is_corpus(reference):
        raise InputError("keyness: a separate reference corpus is passed as a DTM built with the same options: "
                         "reference=build_dtm(reference_corpus, ...)")
    if reference is None:
        reference_mask = ~target_mask
        reference_label = f"{', '.join(labels.columns)} other than {target_label.split(' = ', 1)[1]}"
    else:
        reference_mask = match_groups(labels, reference, what="reference", where=dtm.name)[codes]
        reference_label = describe_groups(labels.columns, reference)
        if (reference_mask & target_mask).any():
            raise InputError(f"keyness: target and reference share documents ({target_label}; {reference_label})")
    if not reference_mask.any():
        raise InputError(f"keyness: the reference ({reference_label}) has no documents")
    return _keyness_table(dtm, target_mask, reference_mask, min_count=min_count, correction=correction,
                          target_label=target_label, reference_label=reference_label)


def _keyness_table(dtm: DTM, target_mask: np.ndarray, reference, *, min_count: int, correction: str,
                   target_label: str, reference_label: str) -> pd.DataFrame:
    """The keyness table of the rows ``target_mask`` against rows ``reference`` (a mask) or a reference DTM."""
    weights = dtm.weights  # a corpus weighted by duplicate cluster: weighted counts and sizes
    kind = np.int64 if weights is None else float
    sizes = dtm.docs["n_tokens"].to_numpy(dtype=np.int64)
    if weights is not None:
        sizes = sizes * weights
    vocabulary = dtm.vocabulary
    count_target = _column_sums(dtm.matrix, target_mask, weights)
    total = int if weights is None else float
    size_target = total(sizes[target_mask].sum())
    if isinstance(reference, DTM):
        vocabulary, (count_target, count_reference) = _align(
            (dtm.vocabulary, count_target), (reference.vocabulary, reference.term_counts()))
        size_reference = reference.n_tokens
    else:
        count_reference = _column_sums(dtm.matrix, reference, weights)
        size_reference = total(sizes[reference].sum())
    if size_target == 0 or size_reference == 0:
        raise InputError(f"keyness: {'target' if size_target == 0 else 'reference'} has no tokens")

    keep = (count_target + count_reference >= max(min_count, 1))
    a = count_target[keep].astype(kind)
    b = count_reference[keep].astype(kind)
    cells = (a, size_target - a, b, size_reference - b)
    g2 = log_likelihood_g2(*cells, signed=True)
    lr, lr_low, lr_high = log_ratio(a, size_target, b, size_reference)
    p = _p_from_g2(g2)
    frame = pd.DataFrame({
        "term": np.asarray(vocabulary)[keep],
        "count_target": a,
        "count_reference": b,
        "g2": g2,
        "log_ratio": lr,
        "log_ratio_ci_low": lr_low,
        "log_ratio_ci_high": lr_high,
        "chi2": pearson_chi2(*cells),
        "pct_diff": pct_diff(a, size_target, b, size_reference),
        "p": p,
        "p_adj": adjust_p(p, correction) if len(p) else p,
        "chi2_yates": pearson_chi2(*cells, yates=True),
        "rate_target": a * 10_000.0 / size_target,
        "rate_reference": b * 10_000.0 / size_reference,
    })
    # Strongest positive first; ties keep the vocabulary's (alphabetical) order.
    frame = frame.take(np.argsort(-g2, kind="stable")).reset_index(drop=True)
    frame.attrs.update(target=target_label, reference=reference_label, target_tokens=size_target,
                       reference_tokens=size_reference, correction=correction)
    return frame


def _is_corpus(value) -> bool:
    from .corpus import Corpus

    return isinstance(value, Corpus)


def _float_counts(dtm: DTM) -> bool:
    """A grouped matrix of a weighted corpus holds weighted sums (floats)."""
    return dtm.matrix.dtype.kind == "f"


def _column_sums(matrix: sp.csr_matrix, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Column sums over the rows of a mask, each row times its weight (None: 1)."""
    if weights is None:
        return np.asarray(matrix.T @ rows.astype(np.int64)).ravel()
    return np.asarray(matrix.T @ (rows * weights)).ravel()


def _align(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Counts of several vocabularies on their sorted union (absent = 0)."""
    union = pd.Index(np.concatenate([np.asarray(v, dtype=object) for v, _ in parts])).unique().sort_values()
    out = []
    for vocab, counts in parts:
        aligned = np.zeros(len(union), dtype=np.int64)
        aligned[union.get_indexer(pd.Index(np.asarray(vocab, dtype=object)))] = counts
        out.append(aligned)
    return union.to_numpy(dtype=object), out


# --------------------------------------------------------------------------- collocations
_COLLOCATE_COLUMNS = ["node", "collocate", "observed", "expected", "obs_exp", "mi", "t_score", "log_dice",
                      "g2", "p", "node_freq", "collocate_freq"]


@_records_provenance
def collocates(dtm: DTM, node: str, *, window: int | tuple[int, int] = 5, min_count: int = 1,
               lemma: bool | None = None, remove_stop_words: bool | None = None,
               sort_by: str = "log_dice") -> pd.DataFrame:
    """Words that keep company with a node word or phrase within a window of tokens.

    Each occurrence of the node (a word, or a phrase such as "Shanghai Spirit" whose
    words are consecutive within a sentence/paragraph) opens a window of ``left``
    tokens before and ``right`` tokens after it, clipped at the document's edges. The
    windows may cross sentence boundaries but never documents (as in AntConc). A token
    position covered by several windows counts once; the node's own tokens are not in
    the window.

    The 2x2 table is Evert's (2008) for surface co-occurrence: rows = token positions
    inside / outside the node's windows (R1 = ``window_tokens``), columns = the
    collocate / any other word (C1 = its corpus frequency), N = corpus tokens. So
    ``expected`` = R1 C1 / N, ``mi`` = log2(O/E), ``t_score`` = (O - E)/sqrt(O), ``g2``
    the signed log-likelihood over the table; ``log_dice`` = 14 + log2(2 O / (f_node +
    f_collocate)) (Rychlý 2008) does not depend on the window size.

    Parameters
    ----------
    dtm : DTM
        With its token stream (``build_dtm(..., keep_stream=True)``, the default).
    node : str
        A word or phrase; tokenised (and lemmatised when ``lemma``) like the corpus.
    window : int or (int, int), default 5
        Tokens on each side, or (left, right).
    min_count : int, default 1
        Only collocates seen at least this often in the windows.
    lemma : bool, optional
        Match lemmas (default: the DTM's setting). The stream holds surface forms, so
        a DTM of either form serves both.
    remove_stop_words : bool, optional
        Do not list stop words as collocates (they still occupy window positions).
    sort_by : str, default "log_dice"
        Column to sort by, descending.

    Returns
    -------
    pandas.DataFrame
        Columns ``node, collocate, observed`` (O: co-occurrences), ``expected`` (E),
        ``obs_exp`` (O/E), ``mi``, ``t_score``, ``log_dice``, ``g2``, ``p`` (from G²),
        ``node_freq``, ``collocate_freq``. ``attrs["window_tokens"]`` is R1. Empty when
        the node does not occur.

    Examples
    --------
    >>> from sco_discourse import Document, Corpus
    >>> from sco_discourse.dtm import build_dtm
    >>> dtm = build_dtm(Corpus.from_documents([Document("a", "the shared future of a shared community")]))
    >>> collocates(dtm, "shared", window=1)[["collocate", "observed", "collocate_freq"]]
       collocate  observed  collocate_freq
    0          a         1               1
    1  community         1               1
    2     future         1               1
    3        the         1               1

    References
    ----------
    Evert, S. (2008). Corpora and collocations. In A. Lüdeling & M. Kytö (eds.),
    Corpus Linguistics: An International Handbook, article 58. De Gruyter.
    Rychlý, P. (2008). A lexicographer-friendly association score. RASLAN 2008, 6-9.
    """
    dtm = _check_dtm(dtm, "collocates", need_stream=True)
    lemma_used = dtm.options["lemma"] if lemma is None else bool(lemma)
    stream = dtm.stream
    left, right = (window, window) if isinstance(window, (int, np.integer)) else tuple(window)
    if left < 0 or right < 0 or left + right == 0:
        raise InputError(f"window: need non-negative sizes, not both 0; got {window!r}")
    ids, vocab, _ = stream.forms(lemma=lemma_used)
    node_words = tokens(node)
    if lemma_used:
        node_words = [lemmatize(w) for w in node_words]
    if not node_words:
        raise InputError(f"node {node!r} contains no word")
    lookup = {w: i for i, w in enumerate(vocab)}
    empty = pd.DataFrame(columns=_COLLOCATE_COLUMNS)
    empty.attrs["window_tokens"] = 0
    if any(w not in lookup for w in node_words):
        return empty
    node_ids = [lookup[w] for w in node_words]
    k = len(node_ids)
    segment = stream.segment_ids()
    total = len(ids)
    starts = np.flatnonzero(ids[: total - k + 1] == node_ids[0]) if total >= k else np.zeros(0, np.int64)
    for j in range(1, k):
        starts = starts[(ids[starts + j] == node_ids[j]) & (segment[starts + j] == segment[starts])]
    if len(starts) == 0:
        return empty
    doc_of = np.searchsorted(stream.doc_starts, starts, side="right") - 1
    doc_start, doc_end = stream.doc_starts[doc_of], stream.doc_starts[doc_of + 1]
    # Union of all windows via a difference array: +1 where a window opens, -1 after it closes.
    opens = np.concatenate([np.maximum(doc_start, starts - left), starts + k])
    closes = np.concatenate([starts, np.minimum(doc_end, starts + k + right)])
    diff = np.zeros(total + 1, dtype=np.int64)
    np.add.at(diff, opens, 1)
    np.add.at(diff, closes, -1)
    in_window = np.cumsum(diff[:-1]) > 0
    node_diff = np.zeros(total + 1, dtype=np.int64)
    np.add.at(node_diff, starts, 1)
    np.add.at(node_diff, starts + k, -1)
    in_window &= ~(np.cumsum(node_diff[:-1]) > 0)
    window_tokens = int(in_window.sum())
    observed = np.bincount(ids[in_window], minlength=len(vocab))
    freq = np.bincount(ids, minlength=len(vocab))
    keep = observed >= max(min_count, 1)
    if remove_stop_words if remove_stop_words is not None else dtm.options["remove_stop_words"]:
        stops = stop_words("zh")  # English and Chinese (as the DTM's stop-word filter)
        keep &= np.fromiter((w not in stops for w in vocab), dtype=bool, count=len(vocab))
    cols = np.flatnonzero(keep)
    scores = association_measures(observed[cols], window_tokens, freq[cols], total)
    frame = pd.DataFrame({
        "node": " ".join(node_words),
        "collocate": vocab[cols],
        "observed": observed[cols].astype(np.int64),
        "expected": scores["expected"],
        "obs_exp": scores["obs_exp"],
        "mi": scores["mi"],
        "t_score": scores["t_score"],
        "log_dice": log_dice(observed[cols], len(starts), freq[cols]),
        "g2": scores["g2"],
        "p": _p_from_g2(scores["g2"]),
        "node_freq": len(starts),
        "collocate_freq": freq[cols].astype(np.int64),
    }, columns=_COLLOCATE_COLUMNS)
    if sort_by not in frame.columns:
        raise InputError(f"sort_by: no column {sort_by!r}; use one of {', '.join(_COLLOCATE_COLUMNS[2:])}")
    frame = frame.sort_values([sort_by, "collocate"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame.attrs["window_tokens"] = window_tokens
    return frame


_NGRAM_COLUMNS = ["ngram", "observed", "expected", "obs_exp", "mi", "t_score", "log_dice", "g2", "chi2", "p"]


@_records_provenance
def ngram_collocations(dtm: DTM, *, n: int = 2, min_count: int = 3, lemma: bool | None = None,
                       remove_stop_words: bool | None = None, sort_by: str = "g2") -> pd.DataFrame:
    """Multi-word collocations across the corpus: bigrams or trigrams with association scores.

    The n-grams are runs of consecutive tokens within a sentence. Their scores follow
    the independence model of NLTK's ``BigramAssocMeasures`` / ``TrigramAssocMeasures``
    (Manning & Schütze 1999, ch. 5): the marginals are the words' corpus frequencies
    and N the number of tokens, so E = f1 f2 / N for a bigram and f1 f2 f3 / N² for a
    trigram. For trigrams ``g2`` and ``chi2`` are computed over the 2x2x2 table whose
    pair margins are the within-sentence counts of (w1 w2), (w1 _ w3) and (w2 w3).

    Parameters
    ----------
    dtm : DTM
        With its token stream, segmented by sentences (built with n-grams, or with
        ``sentences=True``) so that n-grams do not cross sentence boundaries.
    n : {2, 3}, default 2
    min_count : int, default 3
        Only n-grams occurring at least this often.
    lemma, remove_stop_words : bool, optional
        Lemmas instead of surface forms; drop n-grams beginning or ending with a stop word.
    sort_by : str, default "g2"

    Returns
    -------
    pandas.DataFrame
        Columns ``ngram`` (space-joined), ``observed``, ``expected``, ``obs_exp``,
        ``mi`` (log2 O/E, NLTK's ``pmi``), ``t_score`` (NLTK's ``student_t``),
        ``log_dice`` (bigrams: 14 + log2(2 O / (f1 + f2)); trigrams: NaN), ``g2`` (signed;
        NLTK's ``likelihood_ratio`` is its absolute value), ``chi2`` (NLTK's ``chi_sq``),
        ``p`` (from G²; 1 df for bigrams, 4 for the 2x2x2 trigram table).

    Examples
    --------
    >>> from sco_discourse import Document, Corpus
    >>> from sco_discourse.dtm import build_dtm
    >>> dtm = build_dtm(Corpus.from_documents([Document("a", "Silk Road. The Silk Road and the silk trade.")]),
    ...                 sentences=True)
    >>> ngram_collocations(dtm, min_count=2)[["ngram", "observed"]]
           ngram  observed
    0  silk road         2
    1    the silk         2

    References
    ----------
    Manning, C. D. & Schütze, H. (1999). Foundations of Statistical Natural Language
    Processing, ch. 5 (Collocations). MIT Press.
    """
    if n not in (2, 3):
        raise InputError(f"n: corpus-wide collocations are bigrams (2) or trigrams (3), got {n!r}")
    dtm = _check_dtm(dtm, "ngram_collocations", need_stream=True)
    if dtm.stream.segment_unit != "sentence":
        warnings.warn("this DTM was segmented by paragraphs (built for words only), so n-grams may cross "
                      "sentence boundaries; build it with sentences=True (or ngram=(1, 2))", stacklevel=2)
    lemma_used = dtm.options["lemma"] if lemma is None else bool(lemma)
    drop_stops = dtm.options["remove_stop_words"] if remove_stop_words is None else bool(remove_stop_words)
    ids, vocab, is_stop = dtm.stream.forms(lemma=lemma_used)
    segment = dtm.stream.segment_ids()
    total = len(ids)
    freq = np.bincount(ids, minlength=len(vocab)).astype(float)
    starts, gram, components = ngram_ids(ids, segment, n)
    if drop_stops:
        keep = ~(is_stop[starts] | is_stop[starts + n - 1])
        starts, gram = starts[keep], gram[keep]
    observed = np.bincount(gram, minlength=len(components)).astype(float)
    cols = np.flatnonzero(observed >= max(min_count, 1))
    words = components[cols]
    o = observed[cols]
    names = vocab[words[:, 0]]
    for j in range(1, n):
        names = names + " " + vocab[words[:, j]]
    if n == 2:
        f1, f2 = freq[words[:, 0]], freq[words[:, 1]]
        scores = association_measures(o, f1, f2, total)
        scores["log_dice"] = log_dice(o, f1, f2)
        dof = 1
    else:
        scores = _trigram_measures(o, words, ids, segment, freq, total)
        dof = 4
    frame = pd.DataFrame({"ngram": names, "observed": o.astype(np.int64), **{
        key: scores[key] for key in ("expected", "obs_exp", "mi", "t_score", "log_dice", "g2", "chi2")}},
        columns=_NGRAM_COLUMNS[:-1])
    frame["p"] = _p_from_g2(frame["g2"].to_numpy(dtype=float), dof)
    if sort_by not in frame.columns:
        raise InputError(f"sort_by: no column {sort_by!r}; use one of {', '.join(_NGRAM_COLUMNS[1:])}")
    return frame.sort_values([sort_by, "ngram"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _pair_counts(ids: np.ndarray, segment: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Sorted int64 keys ``w1 * base + w2`` of within-segment pairs ``gap`` apart, and their counts."""
    base = int(ids.max()) + 1 if len(ids) else 1
    first = np.flatnonzero(segment[:-gap] == segment[gap:]) if len(ids) > gap else np.zeros(0, np.int64)
    keys, counts = np.unique(ids[first].astype(np.int64) * base + ids[first + gap], return_counts=True)
    return keys, counts, base


def _lookup(keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    pos = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = (keys[pos] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, counts[pos] if len(keys) else 0, 0).astype(float)


def _trigram_measures(o, words, ids, segment, freq, total) -> dict[str, np.ndarray]:
    """NLTK's TrigramAssocMeasures, vectorised (the 2x2x2 table from pair and word margins)."""
    adjacent, adjacent_counts, base = _pair_counts(ids, segment, 1)
    skipped, skipped_counts, _ = _pair_counts(ids, segment, 2)
    w1, w2, w3 = words[:, 0], words[:, 1], words[:, 2]
    n_iix = _lookup(adjacent, adjacent_counts, w1 * base + w2)
    n_xii = _lookup(adjacent, adjacent_counts, w2 * base + w3)
    n_ixi = _lookup(skipped, skipped_counts, w1 * base + w3)
    n_ixx, n_xix, n_xxi = freq[w1], freq[w2], freq[w3]
    n = float(total)
    # Cells in NLTK's order (bit 0: w1 absent, bit 1: w2 absent, bit 2: w3 absent).
    n_oii = n_xii - o
    n_ioi = n_ixi - o
    n_iio = n_iix - o
    n_ooi = n_xxi - o - n_oii - n_ioi
    n_oio = n_xix - o - n_oii - n_iio
    n_ioo = n_ixx - o - n_ioi - n_iio
    n_ooo = n - o - n_oii - n_ioi - n_iio - n_ooi - n_oio - n_ioo
    cells = [o, n_oii, n_ioi, n_ooi, n_iio, n_oio, n_ioo, n_ooo]
    margins = [n_ixx, n_xix, n_xxi]
    g2 = np.zeros_like(o)
    chi2 = np.zeros_like(o)
    expected_first = n_ixx * n_xix * n_xxi / n ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        for index, observed in enumerate(cells):
            expected = np.ones_like(o)
            for bit, margin in enumerate(margins):
                expected = expected * (n - margin if index >> bit & 1 else margin)
            expected = expected / n ** 2
            g2 += np.where(observed > 0, observed * np.log(observed / expected), 0.0)
            chi2 += (observed - expected) ** 2 / expected
        g2 = 2.0 * g2
        g2 = np.where(o < expected_first, -np.abs(g2), np.abs(g2))
        return {"expected": expected_first, "obs_exp": o / expected_first, "mi": np.log2(o / expected_first),
                "t_score": (o - expected_first) / np.sqrt(o), "log_dice": np.full(len(o), np.nan),
                "g2": g2, "chi2": chi2}


# --------------------------------------------------------------------------- dispersion
@_records_provenance
def dispersion(dtm: DTM, terms: Iterable[str] | None = None, *, by=None, min_count: int = 1) -> pd.DataFrame:
    """How evenly terms spread over the parts of the corpus: range, Juilland's D, Gries' DP.

    Parts are the rows of ``dtm`` (documents), or the groups of ``by``. Parts without
    tokens are left out. With ``n`` parts of sizes as proportions ``s_i`` of the corpus,
    a term's frequency ``v_i`` in part ``i``, ``f = sum(v_i)``, and ``p_i = v_i / size_i``:

    * ``range``: number of parts with ``v_i > 0``.
    * ``juilland_d`` = 1 - CV(p) / sqrt(n - 1), CV with the population standard
      deviation (Juilland & Chang-Rodríguez 1964); 1 = perfectly even. NaN for 1 part.
    * ``dp`` = 0.5 * sum |v_i / f - s_i| (Gries 2008); 0 = as even as the part sizes allow.
    * ``dp_norm`` = dp / (1 - min(s)) (Lijffijt & Gries 2012), in [0, 1].

    Parameters
    ----------
    dtm : DTM
    terms : iterable of str, optional
        Only these terms (default: all with ``frequency >= min_count``).
    by : str, list or mapping, optional
        Groups defining the parts, as everywhere in the package
        (:mod:`sco_discourse.groups`); default: the rows (documents).
    min_count : int, default 1

    Returns
    -------
    pandas.DataFrame
        Columns ``term, frequency, range, juilland_d, dp, dp_norm, n_parts``, sorted by
        frequency (descending), then term.

    Examples
    --------
    Gries' (2008) toy corpus: "a" occurs 1, 2, 3, 4, 5 times in parts of 9, 10, 10, 10
    and 11 words.

    >>> from sco_discourse import Document, Corpus
    >>> parts = ["b a m n i b e u p", "b a s a t b e w q n", "b c a g a b e s t a",
    ...          "b a g h a b e a a t", "b a h a a b e a x a t"]
    >>> corpus = Corpus.from_documents([Document(f"p{i}", t) for i, t in enumerate(parts)])
    >>> from sco_discourse.dtm import build_dtm
    >>> dispersion(build_dtm(corpus), ["a"]).round(6)
      term  frequency  range  juilland_d    dp  dp_norm  n_parts
    0    a         15      5     0.78515  0.18  0.219512        5

    References
    ----------
    Gries, S. Th. (2008). Dispersions and adjusted frequencies in corpora. International
    Journal of Corpus Linguistics 13(4), 403-437.
    Lijffijt, J. & Gries, S. Th. (2012). Correction to Stefan Th. Gries' "Dispersions and
    adjusted frequencies in corpora". International Journal of Corpus Linguistics 17(1), 147-149.
    Juilland, A. & Chang-Rodríguez, E. (1964). Frequency Dictionary of Spanish Words. Mouton.
    """
    dtm = _check_dtm(dtm, "dispersion")
    columns = _select_terms(dtm, terms, min_count)
    grouped = dtm if by is None else dtm.group(by)
    parts, sizes = grouped.matrix, grouped.docs["n_tokens"].to_numpy(dtype=float)
    nonempty = sizes > 0
    parts = parts[np.flatnonzero(nonempty)][:, columns].tocsc()
    sizes = sizes[nonempty]
    n_parts = len(sizes)
    share = sizes / sizes.sum() if n_parts else sizes
    freq = np.asarray(parts.sum(axis=0)).ravel().astype(float)
    coo = parts.tocoo()
    values, rows, cols = coo.data.astype(float), coo.row, coo.col
    # Sums over all parts from the non-zero cells: a part where v_i = 0 adds s_i to the
    # DP sum and 0 to the sums of p and p².
    with np.errstate(divide="ignore", invalid="ignore"):
        dp_sum = 1.0 + np.bincount(cols, weights=np.abs(values / freq[cols] - share[rows]) - share[rows],
                                   minlength=len(columns))
        dp = 0.5 * dp_sum
        dp_norm = dp / (1.0 - share.min()) if n_parts else dp
        proportion = values / sizes[rows]
        mean = np.bincount(cols, weights=proportion, minlength=len(columns)) / n_parts
        mean_sq = np.bincount(cols, weights=proportion ** 2, minlength=len(columns)) / n_parts
        sd = np.sqrt(np.maximum(mean_sq - mean ** 2, 0.0))
        juilland = 1.0 - (sd / mean) / np.sqrt(n_parts - 1) if n_parts > 1 else np.full(len(columns), np.nan)
    frame = pd.DataFrame({
        "term": dtm.vocabulary[columns],
        "frequency": freq.astype(np.int64),
        "range": np.bincount(cols, minlength=len(columns)).astype(np.int64),
        "juilland_d": juilland,
        "dp": dp,
        "dp_norm": dp_norm,
        "n_parts": n_parts,
    })
    return frame.sort_values(["frequency", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
