"""Topic prevalence by group (years, countries, custom groups), with bootstrap intervals and a test of change.

Prevalence of topic k in a group (a year) is the mean proportion of topic k over the
group's units — optionally weighted by unit length, which makes it the share of the
group's tokens that the model attributes to the topic. Intervals are percentile
bootstrap intervals from :func:`sco_discourse.stats.bootstrap_ratio_ci`, resampling units
or whole documents (paragraphs of one article are not independent; resampling documents
respects that but needs several documents per group).

Groups are made from the fitted model's documents table (``model.docs_``), which holds
every metadata field of the corpus, by the package's one grouping
(:mod:`sco_discourse.groups`): ``by`` is a column, a list of columns, or a custom group
such as ``{"iso3": {"SCO": ["CHN", "RUS"]}}``, ordered and with missing values treated as
everywhere else in the package. A unit belongs to the group of its document.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..groups import Grouping, cluster_column, is_missing
from ..stats import adjust_p, bootstrap_ratio_ci

__all__ = ["topic_prevalence", "prevalence_change"]


def _fitted(model, what: str) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The units, their topic proportions and the labels of a fitted model."""
    missing = [a for a in ("docs_", "units_", "unit_topics_") if not hasattr(model, a)]
    if missing:
        raise InputError(f"{what} needs a fitted TopicModel (call fit(...) first); this object has no "
                         f"{', '.join(missing)}")
    theta = np.asarray(model.unit_topics_, dtype=float)
    labels = list(getattr(model, "labels_", [str(k) for k in range(theta.shape[1])]))
    return model.units_, theta, labels


def _unit_groups(model, by: Any, what: str) -> tuple[Grouping, np.ndarray, pd.DataFrame]:
    """``by`` resolved on ``model.docs_``: the grouping, the group code of every unit, the group labels."""
    grouping = Grouping(by, where=what)
    docs = model.docs_
    codes, labels = grouping.resolve(docs)
    index = pd.Index(docs["doc_id"])
    if not index.is_unique:
        raise InputError(f"{what}: the model's documents table repeats doc_id "
                         f"{index[index.duplicated()][0]!r}")
    position = index.get_indexer(model.units_["doc_id"])
    if (position < 0).any():
        unit = model.units_["unit_id"].iloc[int(np.argmax(position < 0))]
        raise InputError(f"{what}: unit {unit!r} belongs to no document of the model's documents table")
    return grouping, codes[position], labels


def _weights(units: pd.DataFrame, weight: str) -> np.ndarray:
    if weight == "units":
        return np.ones(len(units))
    if weight == "tokens":
        if "n_tokens" not in units.columns:
            raise InputError("topic prevalence: weight='tokens' needs an n_tokens column in the units "
                             "(fit the model on a corpus, or add the column to your unit table)")
        return units["n_tokens"].to_numpy(dtype=float)
    raise InputError(f"topic prevalence: weight must be 'units' or 'tokens', got {weight!r}")


def model_attrs(model) -> dict:
    """What a topic table records about the model and corpus behind it."""
    docs = getattr(model, "docs_", None)
    return {**(dict(docs.attrs) if docs is not None else {}), "method": getattr(model, "method", None),
            "n_topics": getattr(model, "n_topics", None), "model_random_state": getattr(model, "random_state", None),
            "corpus_fingerprint": getattr(model, "corpus_fingerprint_", None)}


def _show(key: tuple) -> str:
    return "/".join(str(v) for v in key)


def topic_prevalence(model, *, by: Any = "year", weight: str = "units", resample: str = "documents",
                     cluster: str | None = None, n_resamples: int = 2000, confidence: float = 0.95,
                     random_state: int = 0, min_units: int = 10, min_docs: int = 3,
                     warn: bool = True) -> pd.DataFrame:
    """Mean topic proportion per group with bootstrap intervals.

    Parameters
    ----------
    model : TopicModel
        Fitted; its units are grouped by their document's row of ``model.docs_``.
    by : str, list, mapping or Group, default "year"
        Any grouping of :mod:`sco_discourse.groups`: a metadata column (``"year"``,
        ``"outlet"``, ``"iso3"``), a list of columns (``["iso3", "year"]``: one group per
        combination), or a custom group (``{"iso3": {"SCO": ["CHN", "RUS"]}}``: "SCO"
        and "other"). Documents with no value form their own group, shown last.
    weight : {"units", "tokens"}, default "units"
        Every unit counts the same, or in proportion to its tokens.
    resample : {"documents", "units"}, default "documents"
        What the bootstrap draws with replacement within each group. Paragraphs of one
        speech or article are not independent (they share its author, occasion and
        topic mix), so resampling them as if they were gives intervals that are too
        narrow: on the UN General Debate, 66,000 paragraphs from 2,325 speeches gave
        intervals about half as wide as resampling speeches. "units" is for a group of
        a single long document, where there is nothing else to resample — and then the
        interval describes that text only.
    cluster : str, optional
        A metadata column of ``model.docs_`` (``"iso3"``, ``"outlet"``) whose documents
        are drawn together: the level at which another sample would differ (a country
        speaks every year in its own way). Needs ``resample="documents"``.
    n_resamples : int, default 2000
    confidence : float, default 0.95
    random_state : int, default 0
        Seed of the bootstrap: the same seed gives the same intervals.
    min_units, min_docs : int
        Groups with fewer units or documents are flagged ``few_units`` and a warning
        names them: their intervals describe variation *within* few texts, not between
        texts of that group.
    warn : bool, default True
        Emit that warning.

    Returns
    -------
    pandas.DataFrame
        One column per entry of ``by`` (``year``; ``iso3, year``; ...), then ``topic,
        label, prevalence, ci_low, ci_high, n_units, n_docs, few_units``; one row per
        group and topic, groups in the package's one order; the prevalences of a group
        sum to 1 over topics. A group whose documents left no modelled unit has no rows.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> from sco_discourse.topics import Preprocessor, TopicModel
    >>> docs = [Document(f"d{i}", text, meta={"iso3": iso3}) for i, (text, iso3) in
    ...         enumerate([("tea leaf cup", "CHN"), ("tea cup leaf tea", "RUS"),
    ...                    ("rail train track", "USA"), ("rail track tea", "CHN")])]
    >>> model = TopicModel(2, method="nmf", unit="document",
    ...                    preprocessor=Preprocessor(phrases=False, min_df=1, max_df=1.0)).fit(Corpus.from_documents(docs))
    >>> table = topic_prevalence(model, by={"iso3": {"SCO": ["CHN", "RUS"]}}, n_resamples=100, warn=False)
    >>> table[["iso3", "topic", "n_units"]].values.tolist()
    [['SCO', 0, 3], ['SCO', 1, 3], ['other', 0, 1], ['other', 1, 1]]
    >>> table.groupby("iso3")["prevalence"].sum().round(6).tolist()
    [1.0, 1.0]
    """
    if resample not in ("units", "documents"):
        raise InputError(f"topic prevalence: resample must be 'units' or 'documents', got {resample!r}")
    units, theta, labels = _fitted(model, "topic prevalence")
    cluster_of = None
    if cluster is not None:
        if resample != "documents":
            raise InputError("topic prevalence: cluster= groups documents; it needs resample='documents'")
        cluster_of = dict(zip(model.docs_["doc_id"], cluster_column(model.docs_, cluster, "topic prevalence")))
    grouping, unit_codes, group_labels = _unit_groups(model, by, "topic prevalence")
    w = _weights(units, weight)
    k = theta.shape[1]
    doc_ids = units["doc_id"].to_numpy()
    present = np.unique(unit_codes)  # groups in the one order; a group without units has no rows
    stats, few = [], []
    for code in present:
        mask = unit_codes == code
        num = theta[mask] * w[mask, None]
        den = w[mask]
        docs = doc_ids[mask]
        n_docs = len(pd.unique(docs))
        if resample == "documents":
            doc_codes, uniq = pd.factorize(docs)
            num = np.vstack([np.bincount(doc_codes, weights=num[:, j], minlength=len(uniq)) for j in range(k)]).T
            den = np.bincount(doc_codes, weights=den, minlength=len(uniq))
        clusters = None
        if cluster_of is not None:
            clusters = np.array([cluster_of.get(d) for d in uniq], dtype=object)
        low, high = bootstrap_ratio_ci(num, den, n_resamples=n_resamples, confidence=confidence,
                                       random_state=random_state, cluster=clusters)
        prevalence = num.sum(axis=0) / den.sum()
        n_units = int(mask.sum())
        flag = n_units < min_units or n_docs < min_docs
        if flag:
            key = tuple(group_labels.iloc[code])
            few.append(f"{_show(tuple(None if is_missing(v) else v for v in key))} ({n_units} units, "
                       f"{n_docs} documents)")
        stats.append(pd.DataFrame({"topic": np.arange(k), "label": labels, "prevalence": prevalence.astype(float),
                                   "ci_low": np.asarray(low, dtype=float), "ci_high": np.asarray(high, dtype=float),
                                   "n_units": n_units, "n_docs": n_docs, "few_units": flag}))
    if few and warn:
        warnings.warn(f"topic prevalence: few units or documents for {' × '.join(grouping.columns)} "
                      + ", ".join(few) + f" (fewer than {min_units} units or {min_docs} documents): their intervals "
                      "show variation within few texts and understate the uncertainty about the group",
                      UserWarning, stacklevel=2)
    columns = [*grouping.columns, "topic", "label", "prevalence", "ci_low", "ci_high", "n_units", "n_docs",
               "few_units"]
    if not stats:
        return pd.DataFrame(columns=columns)
    keys = group_labels.iloc[np.repeat(present, k)].reset_index(drop=True)
    out = pd.concat([keys, pd.concat(stats, ignore_index=True)], axis=1)
    out["topic"] = out["topic"].astype(np.int64)
    out[["n_units", "n_docs"]] = out[["n_units", "n_docs"]].astype(np.int64)
    out["few_units"] = out["few_units"].astype(bool)
    out = out[columns]
    out.attrs = {**model_attrs(model), "resample": resample, "cluster": cluster or resample, **out.attrs}
    return out


def _same(have: Any, want: Any) -> bool:
    """A group value matches a wanted one when equal or printed alike (``"2024"`` and 2024)."""
    if is_missing(want):
        return is_missing(have)
    return not is_missing(have) and (have == want or str(have) == str(want))


def prevalence_change(model, *, by: Any = "year", pairs: Sequence[tuple] | None = None, n_resamples: int = 9999,
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
        Fitted.
    by : str, list, mapping or Group, default "year"
        As for :func:`topic_prevalence`. Pairs compare values of the *last* entry of
        ``by`` within each combination of the others: ``by=["iso3", "year"]`` compares
        the years of each country.
    pairs : sequence of (a, b), optional
        Values of the last entry of ``by`` to compare; default each value with the next
        one in the group order (the group without a value is left out). A value absent
        from a combination of the other entries raises an error naming it.
    n_resamples : int, default 9999
        Random re-splits; when all distinct splits are fewer, all are enumerated (exact test).
    random_state : int, default 0
    correction : {"bh", "holm", "bonferroni"}, default "bh"

    Returns
    -------
    pandas.DataFrame
        The other entries of ``by`` (none for one column), then ``group_a, group_b,
        topic, label, prevalence_a, prevalence_b, difference`` (b minus a), ``p_value,
        p_adjusted, n_units_a, n_units_b``.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> from sco_discourse.topics import Preprocessor, TopicModel
    >>> import datetime
    >>> texts = ["tea cup tea", "tea leaf", "cup tea", "rail train", "train track", "rail track"]
    >>> corpus = Corpus.from_documents([Document(f"d{i}", t, date=datetime.date(2020 + i // 3, 1, 1))
    ...                                 for i, t in enumerate(texts)])
    >>> model = TopicModel(2, method="nmf", unit="document",
    ...                    preprocessor=Preprocessor(phrases=False, min_df=1, max_df=1.0)).fit(corpus)
    >>> table = prevalence_change(model)  # 2 of the 20 splits of 3 + 3 units are as extreme
    >>> table[["group_a", "group_b", "topic"]].values.tolist(), table["p_value"].round(3).tolist()
    ([[2020, 2021, 0], [2020, 2021, 1]], [0.1, 0.1])
    """
    from scipy.stats import permutation_test

    units, theta, labels = _fitted(model, "prevalence change")
    grouping, unit_codes, group_labels = _unit_groups(model, by, "prevalence change")
    strata_columns = grouping.columns[:-1]
    last = grouping.columns[-1]
    keys = [tuple(None if is_missing(v) else v for v in row)
            for row in group_labels.itertuples(index=False, name=None)]
    present = set(np.unique(unit_codes).tolist())
    strata: dict[tuple, list[int]] = {}  # codes of the groups of each combination of the other entries, in order
    for code, key in enumerate(keys):
        if code in present:
            strata.setdefault(key[:-1], []).append(code)
    rows = []
    for stratum, codes in strata.items():
        if pairs is None:
            valued = [c for c in codes if keys[c][-1] is not None]
            code_pairs = list(zip(valued[:-1], valued[1:]))
        else:
            code_pairs = []
            for a, b in pairs:
                found = []
                for wanted in (a, b):
                    match = [c for c in codes if _same(keys[c][-1], wanted)]
                    if not match:
                        where = f" for {_show(stratum)}" if strata_columns else ""
                        raise InputError(f"prevalence change: no units with {last} = {wanted!r}{where} (values: "
                                         f"{[keys[c][-1] for c in codes]})")
                    found.append(match[0])
                code_pairs.append(tuple(found))
        for code_a, code_b in code_pairs:
            xa = theta[unit_codes == code_a]
            xb = theta[unit_codes == code_b]
            if len(xa) < 2 or len(xb) < 2:  # nothing to permute: the p-value is left missing
                p_values = np.full(theta.shape[1], np.nan)
            else:
                result = permutation_test((xa, xb), _mean_difference, permutation_type="independent",
                                          vectorized=True, n_resamples=n_resamples, alternative="two-sided", axis=0,
                                          rng=np.random.default_rng(random_state))
                p_values = np.atleast_1d(result.pvalue)
            for j in range(theta.shape[1]):
                row = dict(zip(strata_columns, stratum))
                row.update({"group_a": keys[code_a][-1], "group_b": keys[code_b][-1], "topic": j, "label": labels[j],
                            "prevalence_a": float(xa[:, j].mean()), "prevalence_b": float(xb[:, j].mean()),
                            "difference": float(xb[:, j].mean() - xa[:, j].mean()),
                            "p_value": float(p_values[j]), "n_units_a": len(xa), "n_units_b": len(xb)})
                rows.append(row)
    columns = [*strata_columns, "group_a", "group_b", "topic", "label", "prevalence_a", "prevalence_b",
               "difference", "p_value", "n_units_a", "n_units_b"]
    out = pd.DataFrame(rows, columns=columns)
    out.insert(len(columns) - 2, "p_adjusted", adjust_p(out["p_value"].to_numpy(), correction) if len(out) else [])
    out.attrs = {**model_attrs(model), **out.attrs}
    return out


def _mean_difference(xa, xb, axis):
    return np.mean(xb, axis=axis) - np.mean(xa, axis=axis)
