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
