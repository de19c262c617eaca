"""Statistics shared by frames, keywords and topics: one place for each.

Sections: resampling (bootstrap), multiple-comparison correction, rates and intervals,
trend tests, contingency-table statistics. Every function is checked in the tests
against an independent implementation (scipy, statsmodels, NLTK) or a published
worked example.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_ratio_ci", "bootstrap_indices", "adjust_p"]


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


def bootstrap_ratio_ci(numerator: np.ndarray, denominator: np.ndarray, *, n_resamples: int = 2000,
                       confidence: float = 0.95, random_state: int | None = 0,
                       scale: float = 1.0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``scale * sum(numerator) / sum(denominator)``.

    Units (documents, paragraphs) are resampled with replacement, which respects that
    mentions cluster within documents. Columns of a 2-D ``numerator`` are resampled
    together (one interval per column is returned as arrays).

    Parameters
    ----------
    numerator, denominator : array-like, shape (n_units,) or (n_units, k) / (n_units,)
    n_resamples : int, default 2000
    confidence : float, default 0.95
    random_state : int, default 0
        Seed: the same seed gives the same interval.
    scale : float
        E.g. 10_000 for a rate per 10,000 tokens.

    Returns
    -------
    (low, high)
        NaN where there are no units.

    Examples
    --------
    >>> low, high = bootstrap_ratio_ci([1, 2, 3, 4], [10, 10, 10, 10], random_state=0)
    >>> bool(0.1 <= low <= 0.25 <= high <= 0.4)
    True
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    if num.shape[0] == 0:
        return (np.nan, np.nan)
    idx = bootstrap_indices(num.shape[0], n_resamples, random_state=random_state)
    num_sums = num[idx].sum(axis=1)
    den_sums = den[idx].sum(axis=1)
    if num.ndim == 2:
        den_sums = den_sums[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = scale * num_sums / den_sums
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
