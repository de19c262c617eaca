"""Topic prevalence over years (or any unit field), with bootstrap intervals and a test of change.

Prevalence of topic k in a group (a year) is the mean proportion of topic k over the
group's units — optionally weighted by unit length, which makes it the share of the
group's tokens that the model attributes to the topic. Intervals are percentile
bootstrap intervals from :func:`sco_discourse.stats.bootstrap_ratio_ci`, resampling units
or whole documents (paragraphs of one article are not independent; resampling documents
respects that but needs several documents per group).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from ..stats import adjust_p, bootstrap_ratio_ci

__all__ = ["topic_prevalence", "prevalence_change"]


def _frame(model, by: str) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    units = getattr(model, "units_", None)
    theta = getattr(model, "unit_topics_", None)
    if units is None or theta is None:
        raise InputError("topic prevalence needs a fitted TopicModel (with units_ and unit_topics_)")
    if by not in units.columns:
        raise InputError(f"topic prevalence: the units have no field {by!r} (fields: {list(units.columns)})")
    labels = list(getattr(model, "labels_", [str(k) for k in range(theta.shape[1])]))
    return units, np.asarray(theta, dtype=float), labels


def _weights(units: pd.DataFrame, weight: str) -> np.ndarray:
    if weight == "units":
        return np.ones(len(units))
    if weight == "tokens":
        if "n_tokens" not in units.columns:
            raise InputError("topic prevalence: weight='tokens' needs an n_tokens column in the units "
                             "(fit the model on a corpus, or add the column to your unit table)")
        return units["n_tokens"].to_numpy(dtype=float)
    raise InputError(f"topic prevalence: weight must be 'units' or 'tokens', got {weight!r}")


def topic_prevalence(model, *, by: str = "year", weight: str = "units", resample: str = "units",
                     n_resamples: int = 2000, confidence: float = 0.95, random_state: int = 0,
                     min_units: int = 10, min_docs: int = 3, warn: bool = True) -> pd.DataFrame:
    """Mean topic proportion per group with bootstrap intervals.

    Parameters
    ----------
    model : TopicModel
        Fitted (anything with ``units_``, ``unit_topics_`` and ``labels_`` works).
    by : str, default "year"
        A column of ``model.units_`` (``year``, ``doc_id``, or a field copied by
        ``make_units(fields=...)``). Units with a missing value are left out.
    weight : {"units", "tokens"}, default "units"
        Every unit counts the same, or in proportion to its tokens.
    resample : {"units", "documents"}, default "units"
        What the bootstrap draws with replacement within each group.
    n_resamples : int, default 2000
    confidence : float, default 0.95
    random_state : int, default 0
        Seed of the bootstrap: the same seed gives the same intervals.
    min_units, min_docs : int
        Groups with fewer units or documents are flagged ``few_units`` and a warning
        names them: their intervals describe variation *within* few texts, not between
        texts of that year.
    warn : bool, default True
        Emit that warning.

    Returns
    -------
    pandas.DataFrame
        ``<by>, topic, label, prevalence, ci_low, ci_high, n_units, n_docs, few_units``,
        one row per group and topic; prevalences of a group sum to 1 over topics.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> units = pd.DataFrame({"unit_id": list("abcd"), "doc_id": list("abcd"), "year": [2020, 2020, 2021, 2021],
    ...                       "n_tokens": [10, 30, 10, 10]})
    >>> fitted = SimpleNamespace(units_=units, unit_topics_=np.array([[1, 0], [0.5, 0.5], [0, 1], [0.2, 0.8]]),
    ...                          labels_=["t0", "t1"])
    >>> topic_prevalence(fitted, warn=False)[["year", "topic", "prevalence"]].values.tolist()
    [[2020, 0, 0.75], [2020, 1, 0.25], [2021, 0, 0.1], [2021, 1, 0.9]]
    >>> topic_prevalence(fitted, weight="tokens", warn=False)["prevalence"].tolist()[:2]
    [0.625, 0.375]
    """
    if resample not in ("units", "documents"):
        raise InputError(f"topic prevalence: resample must be 'units' or 'documents', got {resample!r}")
    units, theta, labels = _frame(model, by)
    w = _weights(units, weight)
    k = theta.shape[1]
    keep = units[by].notna().to_numpy()
    rows, few = [], []
    for value in sorted(units.loc[keep, by].unique(), key=lambda v: (str(type(v)), v)):
        mask = (units[by] == value).fillna(False).to_numpy(dtype=bool) & keep
        num = theta[mask] * w[mask, None]
        den = w[mask]
        docs = units.loc[mask, "doc_id"].to_numpy()
        n_docs = len(pd.unique(docs))
        if resample == "documents":
            codes, uniq = pd.factorize(docs)
            num = np.vstack([np.bincount(codes, weights=num[:, j], minlength=len(uniq)) for j in range(k)]).T
            den = np.bincount(codes, weights=den, minlength=len(uniq))
        low, high = bootstrap_ratio_ci(num, den, n_resamples=n_resamples, confidence=confidence,
                                       random_state=random_state)
        prevalence = num.sum(axis=0) / den.sum()
        flag = int(mask.sum()) < min_units or n_docs < min_docs
        if flag:
            few.append(f"{value} ({int(mask.sum())} units, {n_docs} documents)")
        for j in range(k):
            rows.append({by: value, "topic": j, "label": labels[j], "prevalence": float(prevalence[j]),
                         "ci_low": float(low[j]), "ci_high": float(high[j]), "n_units": int(mask.sum()),
                         "n_docs": n_docs, "few_units": flag})
    if few and warn:
        warnings.warn(f"topic prevalence: few units or documents for {by} " + ", ".join(few) +
                      f" (fewer than {min_units} units or {min_docs} documents): their intervals show variation "
                      "within few texts and understate the uncertainty about the year", UserWarning, stacklevel=2)
    out = pd.DataFrame(rows, columns=[by, "topic", "label", "prevalence", "ci_low", "ci_high", "n_units", "n_docs",
                                      "few_units"])
    if by == "year":
        out[by] = out[by].astype("Int64")
    return out


def prevalence_change(model, *, by: str = "year", pairs: Sequence[tuple] | None = None, n_resamples: int = 9999,
                      random_state: int = 0, correction: str = "bh") -> pd.DataFrame:
    """Permutation test of the change in each topic's mean proportion between two groups.

    Units of the two groups are pooled and re-split at random (``n_resamples`` times,
    seeded); the p-value is two-sided, for the difference of mean unit proportions.
    p-values are then corrected over all rows (:func:`sco_discourse.stats.adjust_p`).
    Units are treated as independent; with few documents per group, read the p-values as
    descriptive. A group with fewer than two units gets no p-value (NaN).

    Parameters
    ----------
    model : TopicModel
    by : str, default "year"
    pairs : sequence of (a, b), optional
        Groups to compare; default each group with the next one in order.
    n_resamples : int, default 9999
        Random re-splits; when all distinct splits are fewer, all are enumerated (exact test).
    random_state : int, default 0
    correction : {"bh", "holm", "bonferroni"}, default "bh"

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, topic, label, prevalence_a, prevalence_b, difference``
        (b minus a), ``p_value, p_adjusted, n_units_a, n_units_b``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> units = pd.DataFrame({"unit_id": list("abcdef"), "doc_id": list("abcdef"), "year": [1] * 3 + [2] * 3})
    >>> theta = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0, 1]])
    >>> table = prevalence_change(SimpleNamespace(units_=units, unit_topics_=theta, labels_=["a", "b"]))
    >>> table[["topic", "difference", "p_value"]].round(3).values.tolist()  # 2 of 20 splits are as extreme
    [[0.0, -0.8, 0.1], [1.0, 0.8, 0.1]]
    """
    from scipy.stats import permutation_test

    units, theta, labels = _frame(model, by)
    values = sorted(units[by].dropna().unique(), key=lambda v: (str(type(v)), v))
    if pairs is None:
        pairs = list(zip(values[:-1], values[1:]))
    rows = []
    for a, b in pairs:
        for group in (a, b):
            if group not in set(values):
                raise InputError(f"prevalence change: no units with {by} = {group!r} (values: {values})")
        xa = theta[(units[by] == a).fillna(False).to_numpy(dtype=bool)]
        xb = theta[(units[by] == b).fillna(False).to_numpy(dtype=bool)]
        if len(xa) < 2 or len(xb) < 2:  # nothing to permute: the p-value is left missing
            p_values = np.full(theta.shape[1], np.nan)
        else:
            result = permutation_test((xa, xb), _mean_difference, permutation_type="independent", vectorized=True,
                                      n_resamples=n_resamples, alternative="two-sided", axis=0,
                                      rng=np.random.default_rng(random_state))
            p_values = np.atleast_1d(result.pvalue)
        for j in range(theta.shape[1]):
            rows.append({"group_a": a, "group_b": b, "topic": j, "label": labels[j],
                         "prevalence_a": float(xa[:, j].mean()), "prevalence_b": float(xb[:, j].mean()),
                         "difference": float(xb[:, j].mean() - xa[:, j].mean()),
                         "p_value": float(p_values[j]), "n_units_a": len(xa),
                         "n_units_b": len(xb)})
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "topic", "label", "prevalence_a", "prevalence_b",
                                      "difference", "p_value", "n_units_a", "n_units_b"])
    out.insert(8, "p_adjusted", adjust_p(out["p_value"].to_numpy(), correction) if len(out) else [])
    return out


def _mean_difference(xa, xb, axis):
    return np.mean(xb, axis=axis) - np.mean(xa, axis=axis)
