"""Statistics shared by frames, keywords and topics: one place for each.

Sections: resampling (bootstrap), multiple-comparison correction, rates and intervals,
trend tests, contingency-table statistics. Every function is checked in the tests
against an independent implementation (scipy, statsmodels, NLTK) or a published
worked example.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import InputError

__all__ = ["bootstrap_ratio_ci", "bootstrap_indices", "bootstrap_index_blocks", "bootstrap_draw_counts",
           "cluster_codes", "cluster_sums", "adjust_p"]


# --------------------------------------------------------------------------- resampling
def bootstrap_indices(n_units: int, n_resamples: int, *, random_state: int | np.random.Generator | None = 0
                      ) -> np.ndarray:
    """Resampled unit indices, shape ``(n_resamples, n_units)``, from a seeded generator.

    Examples
    --------
    >>> bootstrap_indices(3, 2, random_state=1).shape
    (2, 3)
    """
    rng = np.random.default_rng(random_state)
    return rng.integers(0, n_units, size=(n_resamples, n_units))


def cluster_codes(cluster, n_units: int, *, where: str = "cluster") -> np.ndarray:
    """Integer code of every unit's cluster, numbered in order of first appearance.

    ``None`` makes every unit its own cluster (``0, 1, ..., n_units - 1``), so the
    document-level bootstrap is the clustered bootstrap with one document per cluster.
    Missing values (None, NaN) form one cluster together.

    Examples
    --------
    >>> cluster_codes(["b", "a", "b", None], 4).tolist()
    [0, 1, 0, 2]
    >>> cluster_codes(None, 3).tolist()
    [0, 1, 2]
    """
    if cluster is None:
        return np.arange(n_units, dtype=np.int64)
    values = np.asarray(cluster, dtype=object) if not isinstance(cluster, np.ndarray) else cluster
    if values.shape != (n_units,):
        raise ValueError(f"{where}: expected one cluster per unit ({n_units}), got shape {values.shape}")
    codes, _ = pd.factorize(pd.Series(values), use_na_sentinel=False)
    return codes.astype(np.int64)


def cluster_sums(values, codes: np.ndarray, n_clusters: int | None = None) -> np.ndarray:
    """Sums of ``values`` (dense or sparse, shape ``(n_units, ...)``) within each
    cluster: shape ``(n_clusters, ...)``, dense float.

    Examples
    --------
    >>> cluster_sums([[1, 0], [2, 1], [3, 5]], np.array([0, 1, 0])).tolist()
    [[4.0, 5.0], [2.0, 1.0]]
    """
    codes = np.asarray(codes, dtype=np.int64)
    n_clusters = int(codes.max()) + 1 if n_clusters is None else n_clusters
    if sparse.issparse(values):
        indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                      shape=(n_clusters, len(codes)))
        return np.asarray((indicator @ values.astype(float)).toarray())
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        return np.bincount(codes, weights=array, minlength=n_clusters)
    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                  shape=(n_clusters, len(codes)))
    return np.asarray(indicator @ array.reshape(len(codes), -1)).reshape((n_clusters,) + array.shape[1:])


def _strata_members(n_units: int, strata) -> list[np.ndarray]:
    """The units of each stratum (sorted codes), or all units as one stratum: the order
    every bootstrap stream of this module draws in."""
    if strata is None:
        return [np.arange(n_units)]
    strata = np.asarray(strata)
    return [np.flatnonzero(strata == s) for s in np.unique(strata)]


def _block_size(n_units: int, n_resamples: int, block_bytes: float) -> int:
    """Resamples per block: as many rows of ``n_units`` 8-byte values as ``block_bytes``
    holds (at least one, at most ``n_resamples``)."""
    return int(max(1, min(n_resamples, block_bytes // (8 * max(n_units, 1)))))


def bootstrap_draw_counts(n_units: int, n_resamples: int, *, strata: np.ndarray | None = None,
                          random_state: int | np.random.Generator | None = 0,
                          block_bytes: float = 32e6) -> Iterator[np.ndarray]:
    """How often each unit is drawn in each bootstrap resample, in blocks of resamples.

    A resample draws ``n_units`` units with replacement; with ``strata`` (a code per
    unit) each stratum's units are drawn among themselves, so every stratum keeps its
    size (e.g. the clusters of each of two groups being compared).

    Yields
    ------
    numpy.ndarray of float, shape (block, n_units)
        Row ``r``, column ``u``: times unit ``u`` is in resample ``r``; rows of all blocks
        together are the ``n_resamples`` resamples, always the same for the same seed.

    Examples
    --------
    >>> blocks = list(bootstrap_draw_counts(4, 3, strata=np.array([0, 0, 1, 1]), random_state=1))
    >>> counts = np.vstack(blocks)
    >>> counts.shape, counts[:, :2].sum(axis=1).tolist(), counts[:, 2:].sum(axis=1).tolist()
    ((3, 4), [2.0, 2.0, 2.0], [2.0, 2.0, 2.0])
    """
    rng = np.random.default_rng(random_state)
    members = _strata_members(n_units, strata)
    block = _block_size(n_units, n_resamples, block_bytes)
    done = 0
    while done < n_resamples:
        size = min(block, n_resamples - done)
        counts = np.empty((size, n_units))
        for units in members:
            drawn = rng.integers(0, len(units), size=(size, len(units)))
            drawn += (np.arange(size) * len(units))[:, None]  # row r counts into its own slice
            counts[:, units] = np.bincount(drawn.ravel(), minlength=size * len(units)).reshape(size, len(units))
        done += size
        yield counts


#: Bytes of resampled indices a bootstrap holds at once (each block also needs about as much
#: again for the draw counts); the results do not depend on it.
BOOTSTRAP_BLOCK_BYTES = 2e6


def bootstrap_index_blocks(n_units: int, n_resamples: int, *, random_state: int | np.random.Generator | None = 0,
                           block_bytes: float | None = None) -> Iterator[np.ndarray]:
    """:func:`bootstrap_indices` in blocks of resamples, so memory does not grow with
    ``n_units x n_resamples``.

    The blocks stacked are exactly ``bootstrap_indices(n_units, n_resamples,
    random_state=...)``: numpy's generator draws the same stream whether the integers are
    asked for at once or in consecutive pieces.

    Yields
    ------
    numpy.ndarray of int64, shape (block, n_units)
        At most ``block_bytes`` bytes each (at least one resample; default
        :data:`BOOTSTRAP_BLOCK_BYTES`).

    Examples
    --------
    >>> blocks = list(bootstrap_index_blocks(5, 7, random_state=3, block_bytes=80))
    >>> [len(b) for b in blocks]
    [2, 2, 2, 1]
    >>> bool((np.vstack(blocks) == bootstrap_indices(5, 7, random_state=3)).all())
    True
    """
    rng = np.random.default_rng(random_state)
    block_bytes = BOOTSTRAP_BLOCK_BYTES if block_bytes is None else block_bytes
    block = _block_size(n_units, n_resamples, block_bytes)
    for done in range(0, n_resamples, block):
        yield rng.integers(0, n_units, size=(min(block, n_resamples - done), n_units))


def _draw_counts(indices: np.ndarray, n_units: int) -> np.ndarray:
    """Times each unit is drawn in each row of ``indices``: shape ``(len(indices), n_units)``."""
    size = len(indices)
    flat = (indices + (np.arange(size) * n_units)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n_units).reshape(size, n_units).astype(float)


def bootstrap_ratio_ci(numerator, denominator, *, n_resamples: int = 2000,
                       confidence: float = 0.95, random_state: int | None = 0,
                       scale: float = 1.0, cluster=None, weights=None) -> tuple[float, float]:
    """Percentile bootstrap interval of ``scale * sum(numerator) / sum(denominator)``.

    Units (documents, paragraphs) are resampled with replacement, which respects that
    mentions cluster within documents. Columns of a 2-D ``numerator`` are resampled
    together (one interval per column is returned as arrays).

    Parameters
    ----------
    numerator, denominator : array-like or scipy sparse, shape (n_units,) or (n_units, k) / (n_units,)
    n_resamples : int, default 2000
    confidence : float, default 0.95
    random_state : int, default 0
        Seed: the same seed gives the same interval.
    scale : float
        E.g. 10_000 for a rate per 10,000 tokens.
    cluster : array-like of shape (n_units,), optional
        The level that is resampled: units with the same value (speaker, country,
        outlet, document) are drawn together, as one cluster. Default: every unit on its
        own (the same result as ``cluster=range(n_units)``). Resample at the level at
        which units are independent: documents of one speaker share the speaker's
        habits, so resampling documents treats 10 speeches of one country as 10
        independent pieces of evidence and gives intervals that are too narrow.
    weights : array-like of shape (n_units,), optional
        A weight per unit (e.g. 1/size of its cluster of duplicate documents): a
        cluster's (or unit's) contribution to a resample is ``sum(w * numerator)`` over
        ``sum(w * denominator)`` of its units. Default: all 1.

    Returns
    -------
    (low, high)
        NaN where there are no units.

    Memory
    ------
    Resamples are drawn and summed in blocks (:func:`bootstrap_index_blocks`; a block
    holds at most about 2 MB of indices), so memory grows with ``n_units`` and the
    number of columns, not with ``n_units x n_resamples``; the blocks are the same
    resamples as drawn at once, so the interval does not depend on the block size. A
    sparse ``numerator`` stays sparse.

    Examples
    --------
    >>> low, high = bootstrap_ratio_ci([1, 2, 3, 4], [10, 10, 10, 10], random_state=0)
    >>> bool(0.1 <= low <= 0.25 <= high <= 0.4)
    True
    >>> low, high = bootstrap_ratio_ci([1, 2, 3, 4], [10, 10, 10, 10], cluster=["a", "a", "b", "b"])
    >>> sorted({round(low, 2), round(high, 2)})  # two clusters: 3/20, 7/20 or their mean
    [0.15, 0.35]
    """
    if sparse.issparse(numerator):
        num = sparse.csr_matrix(numerator, dtype=float)
    else:
        num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if num.shape[0] == 0:
        return (np.nan, np.nan)
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        num = sparse.csr_matrix(num.multiply(w[:, None])) if sparse.issparse(num) else \
            (num * w if num.ndim == 1 else num * w[:, None])
        den = den * w
    if cluster is not None:
        codes = cluster_codes(cluster, num.shape[0])
        n_clusters = int(codes.max()) + 1
        num, den = _cluster_totals(num, codes, n_clusters), cluster_sums(den, codes, n_clusters)
    n_units = num.shape[0]
    ratios = []
    # Sums of integer counts by integer draw counts are exact in float64, so they equal the
    # sums over ``num[indices]`` of drawing all resamples at once (and summing them).
    for indices in bootstrap_index_blocks(n_units, n_resamples, random_state=random_state):
        drawn = _draw_counts(indices, n_units)
        num_sums = drawn @ num
        den_sums = drawn @ den
        if num.ndim == 2:
            den_sums = den_sums[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(scale * np.asarray(num_sums) / den_sums)
    ratios = np.concatenate(ratios)
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(ratios, [alpha, 1 - alpha], axis=0)
    if num.ndim == 1:
        return float(low), float(high)
    return low, high


# --------------------------------------------------------------------------- multiple comparisons
_P_METHODS = {"bonferroni": "bonferroni", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "holm": "holm"}


def adjust_p(p_values, method: str = "bh") -> np.ndarray:
    """p-values corrected for multiple comparisons (NaNs stay NaN and are not counted).

    Parameters
    ----------
    p_values : array-like of float
    method : {"bh", "bonferroni", "holm"}
        "bh" is Benjamini & Hochberg (1995), controlling the false discovery rate;
        "bonferroni" and "holm" (Holm 1979) control the family-wise error rate.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, capped at 1, in the input order.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], "bonferroni").round(2).tolist()
    [0.03, 0.12, 0.09]
    >>> adjust_p([0.01, 0.04, 0.03], "bh").round(2).tolist()
    [0.03, 0.04, 0.04]

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1).
    """
    from statsmodels.stats.multitest import multipletests

    try:
        sm_method = _P_METHODS[method.lower()]
    except KeyError:
        raise ValueError(f"unknown p-value correction {method!r}; use one of {sorted(_P_METHODS)}") from None
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=sm_method)[1]
    return out


# --------------------------------------------------------------------------- rates, intervals and trend tests
__all__ += ["rate_per", "poisson_rate_ci", "rate_trend"]


def rate_per(count, exposure, *, per: float = 10_000.0):
    """``per * count / exposure`` (NaN where the exposure is 0), e.g. a rate per 10,000 tokens.

    Examples
    --------
    >>> rate_per([3, 0], [15_000, 0]).round(3).tolist()
    [2.0, nan]
    """
    count = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(exposure > 0, per * count / np.where(exposure > 0, exposure, 1), np.nan)


def poisson_rate_ci(count, exposure, *, confidence: float = 0.95, per: float = 1.0):
    """Exact (Garwood) interval of a Poisson rate ``count / exposure``, times ``per``.

    Treats every token as an independent chance of a mention. That is exact for a
    Poisson count, but mentions cluster within documents (a text that uses a frame tends
    to repeat it), so with many documents the document bootstrap
    (:func:`bootstrap_ratio_ci`) is the honest interval; the Poisson interval is useful
    when a group has too few documents to resample.

    Parameters
    ----------
    count, exposure : array-like
        Event counts and exposures (e.g. tokens).
    confidence : float, default 0.95
    per : float, default 1
        Scale, e.g. 10_000 for a rate per 10,000 tokens.

    Returns
    -------
    (low, high) : numpy arrays (floats for scalar input); NaN where the exposure is 0.

    Examples
    --------
    >>> low, high = poisson_rate_ci(0, 10_000, per=10_000)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0, 3.6889)

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28,
    437–442.
    """
    from scipy.stats import chi2

    k = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(k > 0, chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
        high = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
        scale = np.where(exposure > 0, per / np.where(exposure > 0, exposure, 1), np.nan)
    low, high = low * scale, high * scale
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def rate_trend(count, exposure, x, *, model: str = "poisson", confidence: float = 0.95) -> dict:
    """Log-linear trend of a rate: ``log E[count] = log(exposure) + a + b * x``.

    Fits a Poisson GLM (statsmodels) or a negative-binomial (NB2) regression with
    ``log(exposure)`` as offset, one row per unit (document). ``exp(b)`` is the incidence
    rate ratio per unit of ``x`` (per year when ``x`` is the year). Units with zero
    exposure are left out; ``x`` is centred, which changes only the intercept.

    Parameters
    ----------
    count, exposure, x : array-like of the same length
    model : {"poisson", "negbin"}
        "negbin" estimates the over-dispersion (alpha) by maximum likelihood; use it when
        the Poisson fit reports ``dispersion`` well above 1.
    confidence : float, default 0.95

    Returns
    -------
    dict
        ``irr`` (exp(b)), ``ci_low``, ``ci_high`` (Wald interval of exp(b)), ``p`` (Wald
        test of b = 0), ``method``, ``n`` (units used), ``dispersion`` (Pearson
        chi²/df of the Poisson fit, NaN for negbin), ``alpha`` (negbin only),
        ``converged``. NaN estimates when the model cannot be fitted (no events, one
        value of x).

    Examples
    --------
    >>> out = rate_trend([1, 2, 4, 8], [1000, 1000, 1000, 1000], [2020, 2021, 2022, 2023])
    >>> round(out["irr"], 3), out["method"]
    (2.0, 'poisson GLM, log(exposure) offset')

    References
    ----------
    Cameron, A. C. & Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.
    Cambridge University Press.
    """
    import warnings

    import statsmodels.api as sm

    y = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    xs = np.asarray(x, dtype=float)
    ok = (exposure > 0) & ~np.isnan(xs) & ~np.isnan(y)
    y, exposure, xs = y[ok], exposure[ok], xs[ok]
    if model not in ("poisson", "negbin"):
        raise ValueError(f"model must be 'poisson' or 'negbin', not {model!r}")
    method = ("poisson GLM, log(exposure) offset" if model == "poisson"
              else "negative binomial (NB2, ML alpha), log(exposure) offset")
    out = {"irr": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "method": method,
           "n": int(len(y)), "dispersion": np.nan, "alpha": np.nan, "converged": False}
    if len(y) < 3 or y.sum() == 0 or np.unique(xs).size < 2:
        return out
    design = sm.add_constant(xs - xs.mean(), has_constant="add")
    offset = np.log(exposure)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if model == "poisson":
                fit = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
                converged = bool(fit.converged)
                if fit.df_resid > 0:
                    out["dispersion"] = float(fit.pearson_chi2 / fit.df_resid)
            else:
                from statsmodels.discrete.discrete_model import NegativeBinomial

                fit = NegativeBinomial(y, design, offset=offset, loglike_method="nb2").fit(disp=0, maxiter=200)
                converged = bool(fit.mle_retvals.get("converged", False))
                out["alpha"] = float(np.asarray(fit.params)[-1])
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return out
    params = np.asarray(fit.params)
    conf = np.asarray(fit.conf_int(alpha=1 - confidence))
    pvalues = np.asarray(fit.pvalues)
    out.update(irr=float(np.exp(params[1])), ci_low=float(np.exp(conf[1, 0])), ci_high=float(np.exp(conf[1, 1])),
               p=float(pvalues[1]), converged=converged)
    return out


# --------------------------------------------------------------------------- contrasts of two groups' rates
__all__ += ["rate_contrast", "CONTRAST_COLUMNS", "FEW_CLUSTERS"]

#: Columns of :func:`rate_contrast` (one row per count column).
CONTRAST_COLUMNS = ["rate_target", "rate_reference", "rate_ratio", "rr_ci_low", "rr_ci_high", "rate_diff",
                    "diff_ci_low", "diff_ci_high", "p", "count_target", "count_reference", "tokens_target",
                    "tokens_reference", "n_docs_target", "n_docs_reference", "n_clusters_target",
                    "n_clusters_reference", "caveat"]
#: Fewer independent clusters than this (in a group compared, or in a model) get a caveat:
#: cluster bootstrap and sandwich intervals then run too narrow and tests over-reject
#: (Cameron & Miller 2015, section VI, put "few" at 20-50; below 10 they can be badly off).
FEW_CLUSTERS = 20


def rate_contrast(counts, exposure, *, target, reference, cluster=None, n_resamples: int = 2000,
                  confidence: float = 0.95, random_state: int | None = 0, per: float = 10_000.0
                  ) -> pd.DataFrame:
    """Rates of two groups of units compared: ratio and difference with clustered bootstrap intervals.

    The rate of a group is its summed count over its summed exposure (mentions per
    ``per`` tokens). The rate ratio (target / reference) and the rate difference get
    percentile intervals from a bootstrap that resamples **clusters**: every unit of a
    cluster is drawn together. ``p`` tests rate ratio = 1.

    Which level to resample is the analyst's statement of what is independent. Documents
    by one speaker (a country, an outlet) share the speaker's habits; resampling
    documents then counts ten speeches of one country as ten independent pieces of
    evidence, and the interval is too narrow: with a strong speaker effect, a nominal 95%
    interval covers the truth far less often. Resample the speaker (``cluster=`` its
    code) when the question is about speakers in general, not about these documents.

    Parameters
    ----------
    counts : array-like or scipy sparse, shape (n_units,) or (n_units, k)
        Counts per unit (document); every column is compared separately, on the same resamples.
    exposure : array-like, shape (n_units,)
        Tokens per unit.
    target, reference : array-like of bool, shape (n_units,)
        The two groups; they must not overlap. Units in neither are ignored.
    cluster : array-like, shape (n_units,), optional
        Cluster of every unit (speaker, country, outlet); missing values form one cluster.
        Default: every unit is its own cluster (the document-level bootstrap).
    n_resamples : int, default 2000
    confidence : float, default 0.95
    random_state : int, default 0
        Seed: the same seed gives identical intervals.
    per : float, default 10_000
        Rates per this many tokens.

    Returns
    -------
    pandas.DataFrame
        One row per column of ``counts``, columns :data:`CONTRAST_COLUMNS`:
        ``rate_target, rate_reference`` (per ``per`` tokens), ``rate_ratio, rr_ci_low,
        rr_ci_high, rate_diff, diff_ci_low, diff_ci_high`` (target minus reference, per
        ``per`` tokens), ``p``, the ``count_*``, ``tokens_*``, ``n_docs_*`` (units) and
        ``n_clusters_*`` of each group, and ``caveat`` ("" or why a row is unreliable:
        no mentions in a group makes the ratio 0 or unbounded). ``attrs``: ``method``,
        ``test``, ``resampling`` (see Notes), ``n_resamples``, ``random_state``,
        ``confidence``, ``per`` and ``caveat`` ("" or a warning about few clusters).

    Notes
    -----
    *Resampling.* When every cluster lies within one group (speakers nested in blocs;
    documents), each group's clusters are resampled among themselves, so both groups
    keep their number of clusters. When clusters cross the groups (an outlet writing in
    both periods compared), clusters are drawn from both groups together and a drawn
    cluster brings its documents of both groups, which keeps their dependence.

    *Test.* ``p`` is the Wald test of the group coefficient of a Poisson log-linear model
    ``log E[count] = log(exposure) + a + b * target`` with cluster-robust (sandwich)
    standard errors at the same ``cluster`` level (CR1: the small-sample factor
    G/(G-1) * (N-1)/(N-2) of statsmodels) and a t reference distribution. Its degrees
    of freedom are those of the smaller group, min(G_target, G_reference) - 1, when
    clusters are nested in the groups: with 10 speakers in the target and 186 in the
    reference, what is known about the target's rate rests on 10 units, and the usual
    G - 1 would over-reject (Imbens & Kolesár 2016 show this for a binary regressor);
    G - 1 when clusters cross the groups. Its estimate exp(b) is exactly the ratio of the
    pooled rates, and the sandwich variance is the analytic counterpart of the cluster
    bootstrap, so the test and the interval make the same independence assumption; an
    analytic test is used rather than a bootstrap p-value because a bootstrap p-value
    cannot go below 1 / ``n_resamples`` and is noisy in the tail. It is computed in
    closed form: var(b) = Σ_c (e_cT / Y_T - e_cR / Y_R)², e_cg the residual count of
    cluster c in group g, Y_g the group's count.

    Examples
    --------
    Twelve documents of six speakers; the target uses the word twice as often:

    >>> counts = np.array([4, 6, 5, 3, 4, 2, 2, 3, 1, 3, 2, 1])
    >>> tokens = np.full(12, 1000)
    >>> target = np.arange(12) < 6
    >>> out = rate_contrast(counts, tokens, target=target, reference=~target, n_resamples=500)
    >>> out[["rate_target", "rate_reference", "rate_ratio", "rate_diff"]].round(2).values.tolist()
    [[40.0, 20.0, 2.0, 20.0]]
    >>> speaker = np.repeat(np.arange(6), 2)
    >>> clustered = rate_contrast(counts, tokens, target=target, reference=~target, cluster=speaker,
    ...                           n_resamples=500)
    >>> int(clustered["n_clusters_target"].iloc[0]), clustered.attrs["caveat"][:31]
    (3, 'only 3 clusters in the target, ')

    References
    ----------
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *Journal of Human Resources* 50(2), 317-372.
    Imbens, G. W. & Kolesár, M. (2016). Robust standard errors in small samples: some
    practical advice. *Review of Economics and Statistics* 98(4), 701-712.
    Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
    section 3.8 (resampling clustered data). Cambridge University Press.
    """
    from scipy.stats import t as t_dist

    target = np.asarray(target, dtype=bool)
    reference = np.asarray(reference, dtype=bool)
    exposure = np.asarray(exposure, dtype=float)
    n = exposure.shape[0]
    if target.shape != (n,) or reference.shape != (n,):
        raise ValueError(f"target and reference must be one flag per unit ({n})")
    if (target & reference).any():
        raise ValueError(f"{int((target & reference).sum())} unit(s) are in both the target and the reference")
    if not target.any() or not reference.any():
        raise ValueError("the " + ("target" if not target.any() else "reference") + " has no units")
    matrix = counts if sparse.issparse(counts) else np.asarray(counts, dtype=float)
    one_column = matrix.ndim == 1
    if one_column:
        matrix = matrix[:, None]
    if sparse.issparse(matrix):
        matrix = sparse.csr_matrix(matrix)
    used = target | reference
    _, codes = np.unique(cluster_codes(cluster, n)[used], return_inverse=True)
    n_clusters = int(codes.max()) + 1
    in_target = target[used]
    matrix = matrix[np.flatnonzero(used)]
    exposure = exposure[used]
    parts = {}
    for name, mask in (("target", in_target), ("reference", ~in_target)):
        rows = np.flatnonzero(mask)
        parts[name] = (_cluster_totals(matrix[rows], codes[rows], n_clusters),
                       cluster_sums(exposure[rows], codes[rows], n_clusters),
                       np.bincount(codes[rows], minlength=n_clusters) > 0, len(rows))
    (count_t, tokens_t, has_t, docs_t), (count_r, tokens_r, has_r, docs_r) = parts["target"], parts["reference"]
    crossed = bool((has_t & has_r).any())
    y_t, y_r = np.asarray(count_t.sum(axis=0)).ravel(), np.asarray(count_r.sum(axis=0)).ravel()
    e_t, e_r = tokens_t.sum(), tokens_r.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_t, rate_r = per * y_t / e_t, per * y_r / e_r
        ratio = rate_t / rate_r

    # bootstrap: draw counts of clusters, then resampled sums by matrix products, in blocks
    log_ratios, diffs = [], []
    strata = None if crossed else has_t.astype(np.int64)
    for sum_ct, sum_tt, sum_cr, sum_tr in _resampled_sums([count_t, tokens_t, count_r, tokens_r], n_clusters,
                                                          n_resamples, strata=strata, random_state=random_state):
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_t = per * sum_ct / sum_tt[:, None]
            boot_r = per * sum_cr / sum_tr[:, None]
            log_ratios.append(np.log(boot_t) - np.log(boot_r))
        diffs.append(boot_t - boot_r)
    log_ratios, diffs = np.vstack(log_ratios), np.vstack(diffs)
    alpha = (1 - confidence) / 2
    # an unbounded ratio (no mention in the reference of a resample) stays unbounded: keep it
    # as a huge finite number through the quantile's interpolation, then map back
    finite = np.nan_to_num(log_ratios, nan=np.nan, posinf=1e300, neginf=-1e300)
    with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no mentions at all
        rr_low, rr_high = np.exp(np.nanquantile(finite, [alpha, 1 - alpha], axis=0))
        diff_low, diff_high = np.nanquantile(diffs, [alpha, 1 - alpha], axis=0)

    # Wald test with a cluster-robust variance (closed form of the sandwich, see Notes)
    n_units = int(used.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        correction = n_clusters / (n_clusters - 1) * (n_units - 1) / (n_units - 2) if n_clusters > 1 and n_units > 2 \
            else np.nan
        se = np.sqrt(correction * _squared_residual_sums(count_t, tokens_t, y_t, e_t, count_r, tokens_r, y_r, e_r))
        statistic = np.log(ratio) / se
        df = (n_clusters if crossed else min(int(has_t.sum()), int(has_r.sum()))) - 1
        p = 2 * t_dist.sf(np.abs(statistic), df=max(df, 1))
    p = np.where((y_t > 0) & (y_r > 0) & np.isfinite(statistic), p, np.nan)
    p = np.where((y_t > 0) & (y_r > 0) & (se == 0) & (ratio != 1), 0.0, p)

    caveats = []
    for j in range(matrix.shape[1]):
        if y_t[j] == 0 and y_r[j] == 0:
            caveats.append("no mentions in either group")
        elif y_r[j] == 0:
            caveats.append("no mentions in the reference: the ratio is unbounded")
        elif y_t[j] == 0:
            caveats.append("no mentions in the target: the ratio is 0")
        elif not np.isfinite(rr_high[j]) or rr_low[j] == 0:
            caveats.append("mentions in few clusters: some resamples have none, so the interval is unbounded")
        else:
            caveats.append("")
    out = pd.DataFrame({
        "rate_target": rate_t, "rate_reference": rate_r, "rate_ratio": ratio,
        "rr_ci_low": rr_low, "rr_ci_high": rr_high, "rate_diff": rate_t - rate_r,
        "diff_ci_low": diff_low, "diff_ci_high": diff_high, "p": p,
        "count_target": y_t, "count_reference": y_r, "tokens_target": e_t, "tokens_reference": e_r,
        "n_docs_target": docs_t, "n_docs_reference": docs_r,
        "n_clusters_target": int(has_t.sum()), "n_clusters_reference": int(has_r.sum()), "caveat": caveats,
    }, columns=CONTRAST_COLUMNS)
    few = []
    if crossed and n_clusters < FEW_CLUSTERS:
        few.append(f"only {n_clusters} clusters in both groups together")
    elif not crossed:
        few += [f"only {int(has.sum())} clusters in the {name}" for name, has in (("target", has_t), ("reference", has_r))
                if has.sum() < FEW_CLUSTERS]
    caveat = ""
    if few:
        caveat = (", ".join(few) + f" (fewer than {FEW_CLUSTERS}): resampling and cluster-robust intervals and the "
                  "p-value understate the uncertainty with so few independent units")
    out.attrs.update(
        method=f"percentile bootstrap of clusters ({n_resamples} resamples)",
        test=("Wald test, Poisson log-linear model with cluster-robust (CR1) standard errors, t with "
              + ("G - 1" if crossed else "min(G_target, G_reference) - 1") + " degrees of freedom"),
        resampling=("clusters cross the groups: drawn from both together, each with its documents in both"
                    if crossed else "clusters nested in the groups: drawn within each group"),
        n_resamples=n_resamples, random_state=random_state, confidence=confidence, per=per, caveat=caveat)
    return out


def _cluster_totals(values, codes: np.ndarray, n_clusters: int):
    """:func:`cluster_sums`, kept sparse for a sparse matrix (memory grows with the non-zero cells)."""
    if not sparse.issparse(values):
        return cluster_sums(values, codes, n_clusters)
    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_clusters, len(codes)))
    return (indicator @ values.astype(float)).tocsr()


#: Bytes of draws (and of dense rows of residuals) :func:`rate_contrast` holds at once.
_CHUNK_BYTES = 4e6


def _resampled_sums(arrays: list, n_units: int, n_resamples: int, *, strata: np.ndarray | None,
                    random_state, block_bytes: float = 32e6) -> Iterator[list[np.ndarray]]:
    """Bootstrap sums of each array (rows = units) over the resamples of
    :func:`bootstrap_draw_counts`, block by block, without holding a block's draw counts.

    The generator is consumed in the order of :func:`bootstrap_draw_counts` (the same
    blocks; in a block, stratum after stratum, row after row), so the resamples are the
    same; a stratum's rows are drawn in chunks of at most ``_CHUNK_BYTES``. Sums of
    integer values are exact, so they equal the sums of the draw counts times the arrays.
    """
    rng = np.random.default_rng(random_state)
    members = _strata_members(n_units, strata)
    parts = [[array[units] for array in arrays] for units in members]
    block = _block_size(n_units, n_resamples, block_bytes)
    done = 0
    while done < n_resamples:
        size = min(block, n_resamples - done)
        sums = [np.zeros((size,) + array.shape[1:]) for array in arrays]
        for units, subsets in zip(members, parts):
            step = int(max(1, _CHUNK_BYTES // (8 * max(len(units), 1))))
            for start in range(0, size, step):
                rows = min(step, size - start)
                drawn = _draw_counts(rng.integers(0, len(units), size=(rows, len(units))), len(units))
                for total, subset in zip(sums, subsets):
                    total[start:start + rows] += np.asarray(drawn @ subset)
        done += size
        yield sums


def _squared_residual_sums(count_t, tokens_t, y_t, e_t, count_r, tokens_r, y_r, e_r) -> np.ndarray:
    """Σ over clusters of (e_cT / Y_T - e_cR / Y_R)², the residuals made dense a chunk of
    clusters at a time and added in cluster order (the order of a sum over the whole array)."""
    n_clusters, k = count_t.shape

    def residuals(rows: slice) -> np.ndarray:
        ct, cr = count_t[rows], count_r[rows]
        ct = ct.toarray() if sparse.issparse(ct) else ct
        cr = cr.toarray() if sparse.issparse(cr) else cr
        resid_t = (ct - np.outer(tokens_t[rows], y_t / e_t)) / y_t
        resid_r = (cr - np.outer(tokens_r[rows], y_r / e_r)) / y_r
        return (resid_t - resid_r) ** 2

    if k == 1:  # numpy sums one column pairwise: keep it one sum (one column is small anyway)
        return residuals(slice(None)).sum(axis=0)
    step = int(max(1, _CHUNK_BYTES // (8 * k)))
    total = None
    for start in range(0, n_clusters, step):
        chunk = residuals(slice(start, start + step))
        total = chunk.sum(axis=0) if total is None else np.vstack([total[None], chunk]).sum(axis=0)
    return total


# --------------------------------------------------------------------------- regression designs (formulas)
__all__ += ["model_design", "design_rows", "prediction_grid", "cluster_robust_df", "row_space", "in_row_space",
            "independent_columns", "thin_terms"]


def _patsy_ready(data: pd.DataFrame) -> pd.DataFrame:
    """Columns as patsy reads them: nullable integers as integers (floats when a value is
    missing), text as Python objects with None for a missing value."""
    out = {}
    for name in data.columns:
        column = data[name]
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
            if pd.api.types.is_integer_dtype(column.dtype):
                column = column.astype("int64") if not column.isna().any() else column.astype("float64")
            elif pd.api.types.is_float_dtype(column.dtype):
                column = column.astype("float64")
            elif not isinstance(column.dtype, pd.DatetimeTZDtype):
                column = pd.Series(np.asarray(column.astype(object).where(column.notna(), None), dtype=object),
                                   index=column.index)
        out[name] = column
    return pd.DataFrame(out, index=data.index)


def model_design(data: pd.DataFrame, formula: str, *, response: str | None = None, where: str = "formula"):
    """The design matrix of a formula of covariates (patsy syntax) over a table.

    Parameters
    ----------
    data : pandas.DataFrame
    formula : str
        Right-hand side only: ``"C(year) + group"``, ``"bs(year, df=4) * group"``.
    response : str, optional
        A column to return as the response.
    where : str
        Named in error messages.

    Returns
    -------
    X : pandas.DataFrame
        One row per row of ``data`` used (the index says which), one column per
        coefficient; ``X.design_info`` builds the same columns for new data (:func:`design_rows`).
    y : numpy.ndarray or None
    used : numpy.ndarray of bool, shape (len(data),)
        False for rows left out because a variable of the formula is missing there.

    Examples
    --------
    >>> table = pd.DataFrame({"year": [2020, 2021, 2021], "bloc": ["SCO", None, "other"], "n": [1, 2, 3]})
    >>> X, y, used = model_design(table, "C(year) + bloc", response="n")
    >>> list(X.columns), y.tolist(), used.tolist()
    (['Intercept', 'C(year)[T.2021]', 'bloc[T.other]'], [1.0, 3.0], [True, False, True])
    """
    import patsy

    if "~" in formula:
        raise InputError(f"{where}: give only the covariates (right-hand side), e.g. 'C(year) + group', "
                         f"not {formula!r}")
    if not formula.strip():
        raise InputError(f"{where}: the formula is empty; use '1' for a constant only")
    ready = _patsy_ready(data.reset_index(drop=True))
    try:
        if response is None:
            X = patsy.dmatrix(formula, ready, return_type="dataframe", NA_action="drop")
            y = None
        else:
            y_frame, X = patsy.dmatrices(f"Q({response!r}) ~ {formula}", ready, return_type="dataframe",
                                         NA_action="drop")
            y = y_frame.iloc[:, 0].to_numpy(dtype=float)
    except patsy.PatsyError as exc:
        raise InputError(f"{where} {formula!r}: {str(exc).splitlines()[0]} (columns: "
                         f"{', '.join(map(str, data.columns))})") from None
    used = np.zeros(len(data), dtype=bool)
    used[X.index.to_numpy()] = True
    return X, y, used


def design_rows(design_info, data: pd.DataFrame) -> np.ndarray:
    """Columns of a fitted design (``X.design_info`` of :func:`model_design`) for new rows.

    Raises ``patsy.PatsyError`` when a value was not in the fitted data (a level of ``C(year)``).
    """
    import patsy

    return np.asarray(patsy.build_design_matrices([design_info], _patsy_ready(data.reset_index(drop=True)),
                                                  NA_action="raise")[0], dtype=float)


def prediction_grid(data: pd.DataFrame, by, at=None) -> pd.DataFrame:
    """Every combination of the values of ``by`` columns: those seen in ``data`` (in the
    package's order: numbers numerically, text alphabetically), or those of ``at``.

    Examples
    --------
    >>> table = pd.DataFrame({"year": [2021, 2020, 2021], "bloc": ["SCO", "other", "other"]})
    >>> prediction_grid(table, ["bloc", "year"], at={"year": range(2020, 2023)}).shape
    (6, 2)
    """
    import itertools

    from .groups import sort_key

    by = [by] if isinstance(by, str) else list(by or [])
    at = dict(at or {})
    unknown = [c for c in list(by) + list(at) if c not in data.columns]
    if unknown:
        raise InputError(f"predict: no column {unknown[0]!r} in the model's data (columns: "
                         f"{', '.join(map(str, data.columns))})")
    columns = list(dict.fromkeys(by + list(at)))
    values = []
    for column in columns:
        if column in at:
            seen = list(at[column]) if not isinstance(at[column], (str, bytes)) else [at[column]]
        else:
            seen = sorted(pd.unique(data[column].dropna()), key=sort_key)
        values.append([v.item() if isinstance(v, np.generic) else v for v in seen])
    return pd.DataFrame(list(itertools.product(*values)), columns=columns)


def cluster_robust_df(n_clusters: int) -> int:
    """Degrees of freedom of t tests with cluster-robust errors: clusters minus one
    (Cameron & Miller 2015, section VI; statsmodels' ``use_t`` with ``cov_type="cluster"``)."""
    return max(int(n_clusters) - 1, 1)


def row_space(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis (as columns) of the space spanned by the rows of ``X``.

    Examples
    --------
    >>> row_space(np.array([[1.0, 1.0], [2.0, 2.0]])).shape
    (2, 1)
    """
    _, singular, vt = np.linalg.svd(np.asarray(X, dtype=float), full_matrices=False)
    tolerance = singular.max(initial=0) * max(np.shape(X)) * np.finfo(float).eps
    return vt[singular > tolerance].T


def in_row_space(rows: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Whether each row is a combination of the rows a basis spans (:func:`row_space`).

    For a rank-deficient design, ``x @ b`` is *estimable* — the same for every least-squares
    or maximum-likelihood solution ``b`` — exactly when ``x`` is in the row space of the
    design; a single coefficient is estimable when its unit vector is.

    Examples
    --------
    >>> basis = row_space(np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]))  # intercept + two dummies, no baseline
    >>> in_row_space(np.eye(3), basis).tolist(), in_row_space(np.array([0.0, 1.0, -1.0]), basis).tolist()
    ([False, False, False], [True])
    """
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    residual = rows - (rows @ basis) @ basis.T
    scale = np.maximum(np.linalg.norm(rows, axis=1), 1.0)
    return np.linalg.norm(residual, axis=1) <= 1e-8 * scale


def independent_columns(X: np.ndarray) -> np.ndarray:
    """Indices of a largest set of linearly independent columns, earlier columns first
    (the intercept and the first levels of a factor stay; a later column they already
    span is left out). Gram-Schmidt with a second orthogonalisation pass.

    Examples
    --------
    >>> independent_columns(np.array([[1.0, 1.0, 2.0, 0.0], [1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 2.0, 0.0]])).tolist()
    [0, 1]
    """
    X = np.asarray(X, dtype=float)
    keep: list[int] = []
    basis = np.zeros((X.shape[0], 0))
    for j in range(X.shape[1]):
        column = X[:, j]
        residual = column - basis @ (basis.T @ column)
        residual = residual - basis @ (basis.T @ residual)
        norm = np.linalg.norm(residual)
        if norm > 1e-9 * max(np.linalg.norm(column), 1.0):
            basis = np.column_stack([basis, residual / norm])
            keep.append(j)
    return np.asarray(keep, dtype=int)


def thin_terms(X: np.ndarray, names: Sequence[str], clusters: np.ndarray, *, below: int | None = None) -> dict:
    """0/1 terms whose two sides hold fewer than ``below`` clusters (default
    :data:`FEW_CLUSTERS`): name -> the smaller number of clusters.

    A bloc of 10 countries among 190 is known from 10 clusters however many the model
    has, so its cluster-robust interval is as fragile as a comparison of 10 clusters.

    Examples
    --------
    >>> X = np.array([[1, 1], [1, 1], [1, 0], [1, 0], [1, 0]], dtype=float)
    >>> thin_terms(X, ["Intercept", "bloc"], np.array([0, 1, 2, 3, 4]), below=3)
    {'bloc': 2}
    """
    below = FEW_CLUSTERS if below is None else below
    clusters = np.asarray(clusters)
    out = {}
    for j, name in enumerate(names):
        column = X[:, j]
        if not np.isin(column, (0.0, 1.0)).all() or column.min() == column.max():
            continue
        fewest = min(len(np.unique(clusters[column == 1])), len(np.unique(clusters[column == 0])))
        if fewest < below:
            out[name] = fewest
    return out


# --------------------------------------------------------------------------- contingency-table statistics
# A 2x2 table throughout: o11 = the item in the target (or in the node's window),
# o12 = everything else in the target, o21 = the item elsewhere, o22 = everything else
# elsewhere. Every function is vectorised: pass arrays of cells, get arrays back.
__all__ += ["expected_2x2", "log_likelihood_g2", "pearson_chi2", "log_ratio", "pct_diff",
            "association_measures", "log_dice"]


def _cells(o11, o12, o21, o22) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(x, dtype=float) for x in (o11, o12, o21, o22))


def expected_2x2(o11, o12, o21, o22) -> tuple[np.ndarray, ...]:
    """Expected cell counts of a 2x2 table under independence: row total x column total / N.

    Examples
    --------
    >>> [float(e) for e in expected_2x2(10, 20, 30, 40)]
    [12.0, 18.0, 28.0, 42.0]
    """
    o11, o12, o21, o22 = _cells(o11, o12, o21, o22)
    n = o11 + o12 + o21 + o22
    r1, r2, c1, c2 = o11 + o12, o21 + o22, o11 + o21, o12 + o22
    with np.errstate(divide="ignore", invalid="ignore"):
        return r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n


def log_likelihood_g2(o11, o12, o21, o22, *, signed: bool = False) -> np.ndarray:
    """Log-likelihood ratio G² = 2 Σ O ln(O/E) over all four cells of a 2x2 table.

    Cells with O = 0 contribute 0. A table with an empty row or column gives 0.

    Parameters
    ----------
    o11, o12, o21, o22 : array-like
        Observed cells (row 1 = target, column 1 = the item).
    signed : bool, default False
        Give G² the sign of ``o11 - e11``: positive when the item is relatively more
        frequent in row 1 (overused in the target), negative when less.

    Returns
    -------
    numpy.ndarray (a float for scalar input)

    Examples
    --------
    Gries' Coll.analysis 4.0 reference table:

    >>> round(float(log_likelihood_g2(4, 954, 10, 137_696)), 6)
    23.202834

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. Computational Linguistics 19(1), 61-74.
    Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling.
    Workshop on Comparing Corpora, ACL 2000, 1-6.
    """
    cells = _cells(o11, o12, o21, o22)
    expected = expected_2x2(*cells)
    total = np.zeros(np.broadcast(*cells).shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for observed, exp in zip(cells, expected):
            total = total + np.where(observed > 0, observed * np.log(observed / exp), 0.0)
    g2 = np.maximum(2.0 * total, 0.0)  # rounding can leave -1e-13 for perfectly independent tables
    if signed:
        g2 = np.where(cells[0] < expected[0], -g2, g2)
    return g2[()] if g2.ndim == 0 else g2


def pearson_chi2(o11, o12, o21, o22, *, yates: bool = False) -> np.ndarray:
    """Pearson's chi-squared of a 2x2 table, optionally with Yates' continuity correction.

    The correction is the one of ``scipy.stats.chi2_contingency``: each |O - E| is
    reduced by 0.5 but not below 0. NaN when a row or column is empty.

    Examples
    --------
    >>> round(float(pearson_chi2(10, 20, 30, 40)), 4), round(float(pearson_chi2(10, 20, 30, 40, yates=True)), 4)
    (0.7937, 0.4464)

    References
    ----------
    Yates, F. (1934). Contingency tables involving small numbers and the chi² test.
    Supplement to the Journal of the Royal Statistical Society 1(2), 217-235.
    """
    cells = _cells(o11, o12, o21, o22)
    expected = expected_2x2(*cells)
    total = np.zeros(np.broadcast(*cells).shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for observed, exp in zip(cells, expected):
            diff = np.abs(observed - exp)
            if yates:
                diff = np.maximum(diff - 0.5, 0.0)
            total = total + diff ** 2 / exp
    return total[()] if total.ndim == 0 else total


def log_ratio(count_a, size_a, count_b, size_b, *, zero: float = 0.5, confidence: float = 0.95
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hardie's Log Ratio: the binary log of the ratio of relative frequencies, with an interval.

    ``log2((a / size_a) / (b / size_b))``: 1 means twice as frequent in A, -1 half as
    frequent. A zero count is replaced by ``zero`` (0.5, as Hardie 2014 proposes) so the
    ratio stays finite. The interval is the Wald interval of a log ratio of two Poisson
    rates, ``ln(RR) ± z * sqrt(1/a + 1/b)`` (statsmodels' ``confint_poisson_2indep``
    method "wald-log"), converted to log2, computed on the same zero-adjusted counts.

    Returns
    -------
    (log_ratio, ci_low, ci_high) : arrays (floats for scalar input)

    Examples
    --------
    >>> [round(float(x), 4) for x in log_ratio(20, 1000, 10, 1000)]
    [1.0, -0.0951, 2.0951]
    >>> round(float(log_ratio(5, 1000, 0, 1000)[0]), 4)  # log2(5 / 0.5)
    3.3219

    References
    ----------
    Hardie, A. (2014). Log Ratio - an informal introduction. ESRC Centre for
    Corpus Approaches to Social Science (CASS), Lancaster University.
    """
    from scipy.stats import norm

    a = np.asarray(count_a, dtype=float)
    b = np.asarray(count_b, dtype=float)
    a = np.where(a > 0, a, zero)
    b = np.where(b > 0, b, zero)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_ratio = np.log((a / np.asarray(size_a, dtype=float)) / (b / np.asarray(size_b, dtype=float)))
        half_width = norm.ppf(0.5 + confidence / 2) * np.sqrt(1.0 / a + 1.0 / b)
    out = tuple(x / np.log(2.0) for x in (ln_ratio, ln_ratio - half_width, ln_ratio + half_width))
    return tuple(x[()] if x.ndim == 0 else x for x in out)


def pct_diff(count_a, size_a, count_b, size_b) -> np.ndarray:
    """%DIFF: the percentage by which the relative frequency in A exceeds that in B.

    ``100 * (nf_a - nf_b) / nf_b`` with ``nf = count / size``. +inf when the item is
    absent from B (Gabrielatos & Marchi substitute a tiny number and get a huge finite
    value); NaN when it is absent from both.

    Examples
    --------
    >>> round(float(pct_diff(30, 1000, 10, 1000)), 9), float(pct_diff(5, 1000, 10, 2000))
    (200.0, 0.0)

    References
    ----------
    Gabrielatos, C. & Marchi, A. (2012). Keyness: appropriate metrics and practical
    issues. CADS International Conference, University of Bologna.
    """
    nf_a = np.asarray(count_a, dtype=float) / np.asarray(size_a, dtype=float)
    nf_b = np.asarray(count_b, dtype=float) / np.asarray(size_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * (nf_a - nf_b) / nf_b
    return out[()] if np.ndim(out) == 0 else out


def association_measures(observed, row_total, col_total, n) -> dict[str, np.ndarray]:
    """Association scores of a 2x2 table given as O11 and its margins.

    Parameters
    ----------
    observed : array-like
        O11: co-occurrences (the collocate inside the node's window, or the n-gram).
    row_total : array-like
        R1: the node side (tokens in the node's windows, or the first word's frequency).
    col_total : array-like
        C1: the collocate's (second word's) frequency.
    n : array-like
        N: the sample size (corpus tokens).

    Returns
    -------
    dict of arrays
        ``expected`` (E11 = R1 C1 / N), ``obs_exp`` (O11 / E11), ``mi`` (log2 O11/E11,
        Church & Hanks 1990), ``t_score`` ((O11 - E11) / sqrt(O11)), ``g2`` (signed
        log-likelihood over the full table, negative when O11 < E11), ``chi2`` (Pearson,
        no correction).

    Examples
    --------
    Gries' Coll.analysis 4.0 reference table [4, 954; 10, 137,696]:

    >>> scores = association_measures(4, 958, 14, 138_664)
    >>> round(float(scores["mi"]), 6), round(float(scores["g2"]), 6)
    (5.369997, 23.202834)

    References
    ----------
    Church, K. W. & Hanks, P. (1990). Word association norms, mutual information, and
    lexicography. Computational Linguistics 16(1), 22-29.
    Evert, S. (2008). Corpora and collocations. In A. Lüdeling & M. Kytö (eds.),
    Corpus Linguistics: An International Handbook, article 58. De Gruyter.
    """
    o11 = np.asarray(observed, dtype=float)
    r1 = np.asarray(row_total, dtype=float)
    c1 = np.asarray(col_total, dtype=float)
    total = np.asarray(n, dtype=float)
    o12, o21 = r1 - o11, c1 - o11
    o22 = total - r1 - c1 + o11
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = r1 * c1 / total
        out = {
            "expected": expected,
            "obs_exp": o11 / expected,
            "mi": np.log2(o11 / expected),
            "t_score": (o11 - expected) / np.sqrt(o11),
            "g2": log_likelihood_g2(o11, o12, o21, o22, signed=True),
            "chi2": pearson_chi2(o11, o12, o21, o22),
        }
    return {k: (np.asarray(v)[()] if np.ndim(v) == 0 else np.asarray(v)) for k, v in out.items()}


def log_dice(observed, freq_x, freq_y) -> np.ndarray:
    """logDice = 14 + log2(2 f_xy / (f_x + f_y)): at most 14, independent of corpus size.

    Examples
    --------
    >>> float(log_dice(10, 10, 10)), float(log_dice(1, 8, 8))
    (14.0, 11.0)

    References
    ----------
    Rychlý, P. (2008). A lexicographer-friendly association score. Proceedings of
    Recent Advances in Slavonic Natural Language Processing (RASLAN 2008), 6-9.
    """
    with np.errstate(divide="ignore"):
        out = 14.0 + np.log2(2.0 * np.asarray(observed, dtype=float)
                             / (np.asarray(freq_x, dtype=float) + np.asarray(freq_y, dtype=float)))
    return out[()] if np.ndim(out) == 0 else out


# --------------------------------------------------------------------------- proportions and agreement
__all__ += ["wilson_interval", "stratified_proportion", "cohen_kappa", "krippendorff_alpha"]


def wilson_interval(successes, n, *, confidence: float = 0.95):
    """Wilson score interval of a binomial proportion ``successes / n``.

    Unlike the Wald interval it stays inside [0, 1] and keeps close to its nominal
    coverage for small ``n`` and proportions near 0 or 1 (Newcombe 1998, method 3), which
    is where a precision estimate from 10 to 40 coded mentions lives.

    Parameters
    ----------
    successes, n : int or array-like
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : floats (arrays for array input); NaN where ``n`` is 0.

    Examples
    --------
    Newcombe (1998), Table I, method 3:

    >>> [round(float(x), 4) for x in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    >>> [round(float(x), 4) for x in wilson_interval(0, 20)]
    [0.0, 0.1611]

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209–212.
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857–872.
    """
    from scipy.stats import norm

    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    z = norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / total
        denominator = 1 + z ** 2 / total
        centre = (p + z ** 2 / (2 * total)) / denominator
        half = z * np.sqrt(p * (1 - p) / total + z ** 2 / (4 * total ** 2)) / denominator
        low = np.where(total > 0, np.clip(centre - half, 0, 1), np.nan)
        high = np.where(total > 0, np.clip(centre + half, 0, 1), np.nan)
    low = np.where(k == 0, np.where(total > 0, 0.0, np.nan), low)       # exact ends, not 1e-17
    high = np.where(k == total, np.where(total > 0, 1.0, np.nan), high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def stratified_proportion(successes, n, population, *, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """A proportion estimated from a stratified sample, with a Wilson interval.

    Each stratum *h* holds ``population[h]`` units, of which ``n[h]`` were drawn at random
    and ``successes[h]`` judged a success. The estimate weights each stratum's proportion
    by its share of the population, ``p = sum(W_h p_h)``; its variance is
    ``sum(W_h^2 p_h (1 - p_h) / n_h)`` (no finite-population correction: the precision of a
    lexicon is a property of the kind of text, not of these documents). The interval is
    the Wilson interval of ``p`` at Kish's effective sample size ``p (1 - p) / variance``,
    capped at the number coded, so it is never narrower than a simple random sample of the
    same size (with one stratum, or equal sampling fractions and proportions, it is the
    plain Wilson interval).

    Parameters
    ----------
    successes, n, population : array-like of the same length
        Strata with ``n == 0`` are left out (their population is not estimated).
    confidence : float, default 0.95

    Returns
    -------
    (estimate, low, high, n_effective)

    Examples
    --------
    >>> p, low, high, n_eff = stratified_proportion([9, 1], [10, 10], [90, 10])
    >>> round(p, 3), round(n_eff, 1)
    (0.82, 20.0)
    >>> one = stratified_proportion([30], [40], [500])     # one stratum: the Wilson interval
    >>> [round(x, 4) for x in one[1:3]] == [round(x, 4) for x in wilson_interval(30, 40)]
    True

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley (design effect, effective sample size).
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology*
    24, 193–201.
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    big = np.asarray(population, dtype=float)
    used = m > 0
    k, m, big = k[used], m[used], big[used]
    if not len(m) or big.sum() <= 0:
        return (np.nan, np.nan, np.nan, 0.0)
    weights = big / big.sum()
    p_h = k / m
    estimate = float((weights * p_h).sum())
    variance = float((weights ** 2 * p_h * (1 - p_h) / m).sum())
    n_coded = float(m.sum())
    n_eff = n_coded if variance <= 0 else min(n_coded, estimate * (1 - estimate) / variance)
    low, high = wilson_interval(estimate * n_eff, n_eff, confidence=confidence)
    return estimate, float(low), float(high), n_eff


def cohen_kappa(first, second) -> float:
    """Cohen's kappa: agreement of two coders on nominal judgements, corrected for chance.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed share of agreements and
    ``p_e`` the agreement expected from each coder's own category shares. Items one coder
    left empty (None/NaN) are left out.

    Parameters
    ----------
    first, second : sequences of the same length

    Returns
    -------
    float
        NaN with no items, or when both coders used a single identical category
        (``p_e == 1``: agreement cannot be told from chance).

    Examples
    --------
    The worked example of Wikipedia's "Cohen's kappa" (50 proposals: 20 yes/yes, 5 yes/no,
    10 no/yes, 15 no/no): p_o = 0.7, p_e = 0.5, kappa = 0.4.

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 4)
    0.4

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20, 37–46.
    """
    pairs = [(x, y) for x, y in zip(first, second, strict=True) if not _is_empty(x) and not _is_empty(y)]
    if not pairs:
        return float("nan")
    categories = sorted({str(v) for pair in pairs for v in pair})
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for x, y in pairs:
        table[index[str(x)], index[str(y)]] += 1
    total = table.sum()
    observed = np.trace(table) / total
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum() / total ** 2)
    if expected >= 1:
        return float("nan")
    return float((observed - expected) / (1 - expected))


def krippendorff_alpha(judgements, *, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing judgements.

    A thin wrapper over the ``krippendorff`` package (Castro 2017), which implements
    Krippendorff's (2011) computation; categories given as text are coded as numbers
    first (the order is irrelevant at the nominal level).

    Parameters
    ----------
    judgements : 2-D array-like, coders x items
        None/NaN/"" where a coder did not judge an item.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"

    Returns
    -------
    float
        NaN when fewer than two judgements share an item or only one category occurs.

    Examples
    --------
    Krippendorff (2011), example C (four coders, twelve units, nominal, missing data):

    >>> nan = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data), 3)
    0.743

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
    for Communication, University of Pennsylvania, Departmental Papers 43.
    Castro, S. (2017). Fast Krippendorff: fast computation of Krippendorff's alpha
    agreement measure. https://github.com/pln-fing-udelar/fast-krippendorff
    """
    import krippendorff

    rows = [list(r) for r in judgements]
    values = sorted({str(v) for r in rows for v in r if not _is_empty(v)})
    if level == "nominal" or any(not _is_number(v) for r in rows for v in r if not _is_empty(v)):
        if level != "nominal":
            raise ValueError(f"level {level!r} needs numeric judgements")
        code = {v: float(i) for i, v in enumerate(values)}
        data = np.array([[np.nan if _is_empty(v) else code[str(v)] for v in r] for r in rows], dtype=float)
    else:
        data = np.array([[np.nan if _is_empty(v) else float(v) for v in r] for r in rows], dtype=float)
    if len(values) < 2 or (np.sum(~np.isnan(data), axis=0) >= 2).sum() == 0:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
