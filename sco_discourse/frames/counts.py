"""Frame counts per document or per group, rates per 10,000 tokens, intervals, trends.

Tokens are counted with :func:`sco_discourse.text.count_tokens`, the package tokenizer,
so a rate here uses the same tokens as keyness and topic models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..lexicons.schema import Lexicon
from ..text import count_tokens
from ..provenance import corpus_attrs
from .matcher import Matcher, lexicon_attrs, map_documents

__all__ = ["frame_counts", "frame_trend", "COUNT_COLUMNS", "GROUP_COLUMNS", "TREND_COLUMNS",
           "FEW_DOCUMENTS"]

#: Columns of a per-document table (after ``doc_id``).
COUNT_COLUMNS = ["frame", "variant", "count", "tokens", "rate_per_10k"]
#: Extra columns of a grouped table.
GROUP_COLUMNS = ["n_docs", "docs_with_mention", "share_docs", "ci_low", "ci_high"]
TREND_COLUMNS = ["frame", "variant", "n_docs", "n_years", "irr_per_year", "ci_low", "ci_high", "p",
                 "method", "caveat"]
#: A group with fewer documents than this gets a caveat: its interval and the trend rest on little data.
FEW_DOCUMENTS = 5
# Memory budget of one bootstrap call (bytes of the resampled counts array).
_BOOTSTRAP_BYTES = 256e6


def _count_item(matcher: Matcher, item: tuple[Any, str]) -> tuple[Any, int, list[int]]:
    """Worker: (key, tokens, key indices hit) for one document; a mention adds to its
    frame's total row and to its variant's row."""
    key, text = item
    index = matcher.key_index
    hits: list[int] = []
    for _, _, frame, variant in matcher.find(text):
        hits.append(index[(frame, "")])
        if variant:
            hits.append(index[(frame, variant)])
    return key, count_tokens(text), hits


class _DocCounts:
    """Per-document counts of every (frame, variant) key, kept small while streaming.

    Per document only its token count and its group code (8 bytes each), and 16 bytes
    per mention are held (id and year instead of the group code when the output is per
    document); the counts
    form a sparse documents x keys matrix. The document-level bootstrap needs the
    per-document counts of a group, so they cannot be summed away while streaming.
    """

    def __init__(self, keys, ids, group_values, codes, years, tokens, rows, cols):
        from scipy import sparse

        self.keys = keys
        self.ids = ids
        self.group_values = group_values  # code -> value
        self.codes = np.frombuffer(codes, dtype=np.int64) if len(codes) else np.zeros(0, dtype=np.int64)
        self.years = np.frombuffer(years, dtype=np.float64) if len(years) else np.zeros(0)
        self.tokens = np.frombuffer(tokens, dtype=np.int64) if len(tokens) else np.zeros(0, dtype=np.int64)
        rows = np.frombuffer(rows, dtype=np.int64) if len(rows) else np.zeros(0, dtype=np.int64)
        cols = np.frombuffer(cols, dtype=np.int64) if len(cols) else np.zeros(0, dtype=np.int64)
        self.matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                                        shape=(len(self.tokens), len(keys)), dtype=np.int64)
        self.matrix.sum_duplicates()


def _count_documents(corpus, matcher: Matcher, *, by: str | None, n_jobs: int, progress: bool) -> _DocCounts:
    from array import array
    from collections import deque

    ids: list[str] = []
    in_flight: deque = deque()  # ids of documents sent to be counted, to name the empty ones
    empty: list[str] = []
    codes = array("q")
    years = array("d")
    code_of: dict[Any, int] = {}
    n = 0

    def items():
        nonlocal n
        for doc in corpus:
            if by is None:  # per-document output (and the trend regression, which needs years)
                ids.append(doc.doc_id)
                years.append(np.nan if doc.year is None else float(doc.year))
            else:
                codes.append(code_of.setdefault(_group_value(doc, by), len(code_of)))
            n += 1
            in_flight.append(doc.doc_id)
            yield n - 1, doc.text

    tokens = array("q")
    rows = array("q")
    cols = array("q")
    for i, n_tokens, hits in map_documents(_count_item, items(), matcher, n_jobs=n_jobs, progress=progress,
                                           total=getattr(corpus, "_length", None), desc="counting frames"):
        doc_id = in_flight.popleft()
        if n_tokens == 0:
            empty.append(doc_id)
        tokens.append(n_tokens)
        rows.extend([i] * len(hits))
        cols.extend(hits)
    _check_counted(corpus, by, n, code_of)
    counts = _DocCounts(matcher.keys, ids, list(code_of), codes, years, tokens, rows, cols)
    counts.empty = empty
    return counts


class _GroupTotals:
    """Per group: summed counts, documents with a mention, tokens and documents, summed
    while streaming (memory grows with groups x keys, not with documents)."""

    def __init__(self, n_keys: int):
        self.n_keys = n_keys
        self.values: list[Any] = []  # code -> group value
        self.counts: list[np.ndarray] = []
        self.with_mention: list[np.ndarray] = []
        self.tokens: list[int] = []
        self.n_docs: list[int] = []
        self.empty: list[str] = []  # ids of documents without a token

    def add_group(self, value: Any) -> int:
        self.values.append(value)
        self.counts.append(np.zeros(self.n_keys, dtype=np.int64))
        self.with_mention.append(np.zeros(self.n_keys, dtype=np.int64))
        self.tokens.append(0)
        self.n_docs.append(0)
        return len(self.values) - 1


def _sum_groups(corpus, matcher: Matcher, *, by: str, n_jobs: int, progress: bool) -> _GroupTotals:
    from collections import deque

    totals = _GroupTotals(len(matcher.keys))
    code_of: dict[Any, int] = {}
    in_flight: deque = deque()
    n = 0

    def items():
        nonlocal n
        for doc in corpus:
            value = _group_value(doc, by)
            code = code_of.get(value)
            if code is None:
                code = code_of[value] = totals.add_group(value)
            n += 1
            in_flight.append(doc.doc_id)
            yield code, doc.text

    for code, n_tokens, hits in map_documents(_count_item, items(), matcher, n_jobs=n_jobs, progress=progress,
                                              total=getattr(corpus, "_length", None), desc="counting frames"):
        doc_id = in_flight.popleft()
        if n_tokens == 0:  # nothing to rate: counted apart, not in n_docs
            totals.empty.append(doc_id)
            continue
        totals.tokens[code] += n_tokens
        totals.n_docs[code] += 1
        if hits:
            per_doc = np.bincount(hits, minlength=totals.n_keys)
            totals.counts[code] += per_doc
            totals.with_mention[code] += per_doc > 0
    _check_counted(corpus, by, n, code_of)
    return totals


def _group_value(doc, by: str) -> Any:
    value = doc.get(by)
    if isinstance(value, float) and value != value:  # NaN from a table: a missing value
        value = None
    return value


def _check_counted(corpus, by: str | None, n: int, code_of: dict[Any, int]) -> None:
    if not n:
        raise InputError(f"{getattr(corpus, 'name', 'corpus')}: the corpus has no documents")
    if by and set(code_of) == {None}:
        raise InputError(f"{getattr(corpus, 'name', 'corpus')}: no document has a value for {by!r} "
                         f"(fields: doc_id, year, date and the metadata columns of your corpus)")


_LISTED_EMPTY = 20


def _empty_note(empty: list[str], by: str | None, empty_groups: list) -> str:
    """The caveat for documents without tokens (emptied by cleaning, punctuation only,
    invisible characters): they have no rate, so they are reported, not averaged in."""
    if not empty:
        return ""
    shown = ", ".join(map(str, empty[:5])) + (" ..." if len(empty) > 5 else "")
    note = f"{len(empty)} document(s) have no tokens ({shown})"
    if by is None:
        return note + ": their rate_per_10k is empty (NaN)"
    note += ": they are left out of n_docs, share_docs and the intervals"
    if empty_groups:
        note += (f"; {len(empty_groups)} group(s) hold only such documents and have no rate: "
                 + ", ".join(map(str, empty_groups[:5])))
    return note


def _group_order(values) -> list:
    present = list(dict.fromkeys(values))
    return sorted(present, key=lambda v: (v is None, str(type(v)), v if v is not None else 0))


def _split_groups(counts: _DocCounts) -> dict[Any, tuple]:
    """Group value -> (count, docs_with_mention, tokens, n_docs, per-document matrix, tokens)."""
    codes = counts.codes
    by_group = np.argsort(codes, kind="stable")  # documents of a group, in corpus order
    bounds = np.searchsorted(codes[by_group], np.arange(len(counts.group_values) + 1))
    groups = {}
    for code, value in enumerate(counts.group_values):
        members = by_group[bounds[code]:bounds[code + 1]]
        members = members[counts.tokens[members] > 0]  # a document without tokens has no rate to resample
        matrix = counts.matrix[members]
        tokens = counts.tokens[members]
        groups[value] = (np.asarray(matrix.sum(axis=0)).ravel(), np.asarray((matrix > 0).sum(axis=0)).ravel(),
                         int(tokens.sum()), len(members), matrix, tokens)
    return groups


def frame_counts(corpus, *, by: str | None = None, lexicon: Lexicon | str | None = None,
                 interval: str = "bootstrap", n_resamples: int = 2000, random_state: int = 0,
                 confidence: float = 0.95, n_jobs: int = 1, progress: bool = False) -> pd.DataFrame:
    """Frame counts and rates per 10,000 tokens, per document or per group.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    by : str, optional
        A metadata field to group by ("year", "outlet", "source_file", any column of
        your corpus). None: one row per document × frame × variant.
    lexicon : Lexicon or path, optional
        Default: the packaged codebook lexicon.
    interval : {"bootstrap", "poisson"}, default "bootstrap"
        95% interval of each group's rate. "bootstrap" resamples *documents* (percentile
        interval, ``n_resamples`` draws, seeded): mentions cluster within documents, and
        resampling whole documents keeps that clustering, so the interval is honest
        about it. "poisson" is the exact Garwood interval treating tokens as independent
        (narrower when mentions cluster); use it only for groups with very few documents,
        where a bootstrap has almost nothing to resample (one document: a zero-width
        interval).
    n_resamples : int, default 2000
    random_state : int, default 0
        Seed of the bootstrap; the same seed gives the same intervals. Each group is
        resampled with this seed, so a group's interval depends only on its own documents.
    confidence : float, default 0.95
    n_jobs : int, default 1
        Worker processes for matching (-1: all cores); results do not depend on it.
    progress : bool, default False

    Memory
    ------
    Documents are read one at a time. With ``by`` and ``interval="poisson"`` only the
    sums of each group are kept, so memory does not grow with the corpus. The bootstrap
    resamples a group's documents, so it keeps their counts: 16 bytes per document and
    16 per mention (a sparse matrix). Per-document output holds one row per document ×
    frame × variant.

    Returns
    -------
    pandas.DataFrame
        Per document: ``doc_id, frame, variant, count, tokens, rate_per_10k``.
        Per group: ``<by>, frame, variant, count, tokens, rate_per_10k, n_docs,
        docs_with_mention, share_docs, ci_low, ci_high``.
        Each frame has one total row with ``variant`` "" and one row per variant of the
        lexicon, zero rows included, so every document/group × frame × variant appears;
        the total equals the sum of its variants. ``tokens`` is the token count of the
        document/group, ``share_docs`` = ``docs_with_mention / n_docs``. A document
        without tokens (emptied by cleaning, punctuation or invisible characters only) has
        no rate: per document its ``rate_per_10k`` is NaN; per group it is left out of
        ``n_docs``, ``share_docs`` and the interval. Either way ``attrs["n_empty_docs"]``
        counts them, ``attrs["empty_docs"]`` names the first and the caveat says so. ``attrs``
        records the lexicon (``lexicon``, ``lexicon_version``, ``lexicon_sha256``), the
        interval method, ``n_resamples``, ``random_state`` and, for groups, ``caveat``: "" or
        a warning that some groups have fewer than :data:`FEW_DOCUMENTS` documents.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> table = frame_counts(load_corpus(), by="year", n_resamples=200)
    >>> row = table.query("year == 2020 and frame == 'shared_future' and variant == ''")
    >>> int(row["count"].iloc[0]), int(row["n_docs"].iloc[0])
    (3, 1)
    >>> table.attrs["lexicon"]
    'sco_codebook 1.1.0'
    """
    from ..stats import bootstrap_ratio_ci, poisson_rate_ci, rate_per

    if interval not in ("bootstrap", "poisson"):
        raise InputError(f"interval must be 'bootstrap' or 'poisson', not {interval!r}")
    matcher = Matcher(lexicon)
    keys = matcher.keys
    if by is not None and interval == "poisson":  # sums suffice: memory stays flat
        totals = _sum_groups(corpus, matcher, by=by, n_jobs=n_jobs, progress=progress)
        groups = {value: (totals.counts[c], totals.with_mention[c], totals.tokens[c], totals.n_docs[c], None, None)
                  for c, value in enumerate(totals.values)}
        empty = totals.empty
    else:  # per-document counts: the output itself, or what a document bootstrap resamples
        counts = _count_documents(corpus, matcher, by=by, n_jobs=n_jobs, progress=progress)
        groups = _split_groups(counts) if by is not None else None
        empty = counts.empty
    frames = [k[0] for k in keys]
    variants = [k[1] for k in keys]
    n_keys = len(keys)
    if by is None:
        n_docs = len(counts.ids)
        out = pd.DataFrame({
            "doc_id": np.repeat(np.asarray(counts.ids, dtype=object), n_keys),
            "frame": np.tile(np.asarray(frames, dtype=object), n_docs),
            "variant": np.tile(np.asarray(variants, dtype=object), n_docs),
            "count": counts.matrix.toarray().reshape(-1),
            "tokens": np.repeat(counts.tokens, n_keys),
        })
        out["rate_per_10k"] = rate_per(out["count"], out["tokens"])
    else:
        parts = []
        order = _group_order(list(groups))
        for value in order:
            count, with_mention, total_tokens, n_docs, matrix, tokens = groups[value]
            if total_tokens == 0:  # no text to rate: no interval
                low = high = np.full(n_keys, np.nan)
            elif interval == "bootstrap":
                # columns in blocks: the resampled array is n_resamples x documents x columns;
                # the same seed gives every block the same resamples, so results are unchanged
                block = max(1, int(_BOOTSTRAP_BYTES // (8 * n_resamples * len(tokens))))
                low, high = np.empty(n_keys), np.empty(n_keys)
                for j in range(0, n_keys, block):
                    low[j:j + block], high[j:j + block] = bootstrap_ratio_ci(
                        matrix[:, j:j + block].toarray(), tokens, n_resamples=n_resamples, confidence=confidence,
                        random_state=random_state, scale=10_000.0)
            else:
                low, high = poisson_rate_ci(count, np.full(n_keys, total_tokens), confidence=confidence,
                                            per=10_000.0)
            parts.append(pd.DataFrame({
                by: [value] * n_keys, "frame": frames, "variant": variants, "count": count,
                "tokens": total_tokens, "rate_per_10k": rate_per(count, np.full(n_keys, total_tokens)),
                "n_docs": n_docs, "docs_with_mention": with_mention,
                "share_docs": with_mention / n_docs if n_docs else np.full(n_keys, np.nan),
                "ci_low": np.asarray(low, dtype=float), "ci_high": np.asarray(high, dtype=float),
            }))
        out = pd.concat(parts, ignore_index=True)
        docs_per_group = np.array([groups[value][3] for value in order])
        caveat = ""
        docs_per_group = docs_per_group[docs_per_group > 0]  # groups of empty documents only: said below
        few = int((docs_per_group < FEW_DOCUMENTS).sum())
        if few:
            caveat = (f"{few} of {len(order)} groups have fewer than {FEW_DOCUMENTS} documents "
                      f"(min {int(docs_per_group.min())}): their intervals rest on little data"
                      + ("; a one-document bootstrap interval has zero width (exact Poisson intervals "
                         "over tokens do not: interval='poisson', on the command line --interval poisson)"
                         if interval == "bootstrap" and docs_per_group.min() == 1 else ""))
    out = out.astype({"count": "int64", "tokens": "int64"})
    out.attrs.update(lexicon_attrs(matcher.lexicon))
    out.attrs.update(corpus_attrs(corpus))
    out.attrs["n_empty_docs"] = len(empty)
    out.attrs["empty_docs"] = list(empty[:_LISTED_EMPTY])
    empty_note = _empty_note(empty, by, [v for v in (order if by is not None else []) if groups[v][3] == 0])
    if by is None:
        out.attrs["caveat"] = empty_note
    if by is not None:
        out.attrs.update(interval=interval, confidence=confidence,
                         caveat="; ".join(c for c in (caveat, empty_note) if c),
                         n_resamples=n_resamples if interval == "bootstrap" else None,
                         random_state=random_state if interval == "bootstrap" else None)
    return out


def frame_trend(corpus_or_counts, *, lexicon: Lexicon | str | None = None, model: str = "poisson",
                n_jobs: int = 1, progress: bool = False) -> pd.DataFrame:
    """Trend of each frame's (and variant's) rate across years: a count regression per frame.

    For each frame and variant, the per-document counts are regressed on the year with
    log(tokens) as offset (:func:`sco_discourse.stats.rate_trend`: Poisson GLM or
    negative binomial). ``irr_per_year`` is the incidence rate ratio: 1.10 means the
    rate grows by 10% a year.

    Parameters
    ----------
    corpus_or_counts : Corpus or DataFrame
        A corpus, or a per-document table of :func:`frame_counts` (``by=None``) with a
        ``year`` column added (e.g. merged from ``corpus.to_frame(text=False)``).
    lexicon : Lexicon or path, optional
        For a corpus; default the packaged codebook lexicon.
    model : {"poisson", "negbin"}, default "poisson"
        Use "negbin" when the caveat reports over-dispersion.
    n_jobs, progress
        As in :func:`frame_counts`.

    Returns
    -------
    pandas.DataFrame
        ``frame, variant, n_docs, n_years, irr_per_year, ci_low, ci_high, p, method,
        caveat``: one row per frame (variant "") and per variant. ``n_docs`` documents
        with a year and tokens were used. ``caveat`` is "" or a warning: few years, few
        documents in some year (fewer than :data:`FEW_DOCUMENTS`), no mentions,
        over-dispersion, no convergence.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> trend = frame_trend(load_corpus())
    >>> row = trend.query("frame == 'shanghai_spirit'").iloc[0]
    >>> int(row["n_docs"]), int(row["n_years"])
    (8, 5)
    >>> "few documents" in row["caveat"]
    True
    """
    from ..stats import rate_trend

    if model not in ("poisson", "negbin"):
        raise InputError(f"model must be 'poisson' or 'negbin', not {model!r}")
    attrs: dict = {}
    if isinstance(corpus_or_counts, pd.DataFrame):
        table = corpus_or_counts
        needed = {"doc_id", "frame", "variant", "count", "tokens", "year"}
        missing = sorted(needed - set(table.columns))
        if missing:
            raise InputError(f"frame_trend: the counts table lacks column(s) {missing}; pass a corpus, or the "
                             f"per-document frame_counts table with a 'year' column")
        attrs = dict(table.attrs)
        variants_frame = table.assign(variant=table["variant"].fillna("").astype(str))
        key_order = list(dict.fromkeys(zip(variants_frame["frame"], variants_frame["variant"])))
        wide = variants_frame.pivot_table(index="doc_id", columns=["frame", "variant"], values="count",
                                          aggfunc="sum", fill_value=0, sort=False)
        docs = variants_frame.drop_duplicates("doc_id").set_index("doc_id").loc[wide.index]
        tokens = docs["tokens"].to_numpy(dtype=float)
        years = pd.to_numeric(docs["year"], errors="coerce").to_numpy(dtype=float)
        matrix = np.column_stack([wide[k].to_numpy() for k in key_order])
        keys = key_order
    else:
        matcher = Matcher(lexicon)
        counts = _count_documents(corpus_or_counts, matcher, by=None, n_jobs=n_jobs, progress=progress)
        attrs = {**lexicon_attrs(matcher.lexicon), **corpus_attrs(corpus_or_counts),
                 "n_empty_docs": len(counts.empty), "empty_docs": list(counts.empty[:_LISTED_EMPTY])}
        keys = counts.keys
        matrix = counts.matrix.tocsc()
        tokens = counts.tokens.astype(float)
        years = counts.years
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
        rows.append({"frame": frame, "variant": variant, "n_docs": n_docs, "n_years": int(len(year_values)),
                     "irr_per_year": fit["irr"], "ci_low": fit["ci_low"], "ci_high": fit["ci_high"], "p": fit["p"],
                     "method": fit["method"], "caveat": "; ".join(caveats)})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out.attrs.update(attrs)
    out.attrs["model"] = model
    return out
