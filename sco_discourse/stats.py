"""Statistics shared by frames, keywords and topics: one place for each.

Sections: resampling (bootstrap), multiple-comparison correction, rates and intervals,
trend tests, contingency-table statistics. Every function is checked in the tests
against an independent implementation (scipy, statsmodels, NLTK) or a published
worked example.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_ratio_ci", "bootstrap_indices"]


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
