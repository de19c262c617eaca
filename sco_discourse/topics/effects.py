"""Topic prevalence regression: how document metadata moves topic proportions, with honest intervals.

In the style of stm's ``estimateEffect`` (Roberts, Stewart & Tingley 2019): each topic's
document proportion is regressed (least squares) on a formula of metadata — year as a
factor or spline, a group, an outlet, interactions — and the uncertainty of the
proportions themselves is carried into the result by the **method of composition**
(Tanner 1996): for each of ``n_draws`` draws of the document–topic proportions the
regression is refitted and ``n_sims`` coefficient vectors are drawn from the normal
approximation of its estimate; the pooled draws give the intervals. Without draws (a
single matrix of proportions) only the regression's own uncertainty is counted.

Where draws come from: :func:`unit_draws` resamples the units (paragraphs) of each
document with replacement — a document's proportions are the token-weighted mean of
its units', so this is the uncertainty of a document's topic mix given what its
paragraphs say. Posterior draws (Dirichlet draws from an LDA's variational parameters)
can be passed just the same.

The regression's covariance is cluster-robust (CR1 sandwich): by default every
document is its own cluster (robust to the unequal variance of proportions); with
``cluster=`` the documents of one speaker or outlet are treated as dependent (stm uses
the classical OLS covariance, which assumes independent, equal-variance documents).

References
----------
Roberts, M. E., Stewart, B. M. & Tingley, D. (2019). stm: An R package for structural
topic models. *Journal of Statistical Software* 91(2).
Tanner, M. A. (1996). *Tools for Statistical Inference*, 3rd ed., section 3.3 (the method
of composition). Springer.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..stats import (FEW_CLUSTERS, cluster_codes, cluster_sums, design_rows, in_row_space, independent_columns,
                     model_design, prediction_grid, row_space, thin_terms)

__all__ = ["EFFECT_COLUMNS", "PREVALENCE_COLUMNS", "TopicEffects", "prevalence_regression", "topic_effects",
           "unit_draws", "document_topics"]

#: Columns of :attr:`TopicEffects.coefficients`.
EFFECT_COLUMNS = ["topic", "label", "term", "estimate", "std_error", "statistic", "p", "ci_low", "ci_high",
                  "caveat"]
#: Columns of :meth:`TopicEffects.predict_prevalence` after the grid columns.
PREVALENCE_COLUMNS = ["topic", "label", "prevalence", "ci_low", "ci_high", "n_docs", "caveat"]


@dataclass
class TopicEffects:
    """A fitted topic prevalence regression (all topics, one formula).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        :data:`EFFECT_COLUMNS`, one row per topic and term: ``estimate`` (the mean over
        the proportion draws of the least-squares coefficient: a change in the topic's
        proportion), ``std_error`` (the standard deviation of the composed draws),
        ``statistic``, ``p`` (normal), the percentile interval and a ``caveat`` for a
        term that cannot be estimated.
    data : pandas.DataFrame
        The documents table used, with ``used`` (False: a covariate was missing).
    formula : str
    labels : list of str
    n_draws, n_sims : int
        Proportion draws, and coefficient draws per proportion draw.
    n_clusters : int
    caveat : str
    draws_ : numpy.ndarray, shape (n_draws * n_sims, n_terms, n_topics)
        The composed coefficient draws (NaN for a term that cannot be estimated).
    """

    coefficients: pd.DataFrame
    data: pd.DataFrame
    formula: str
    labels: list
    n_draws: int
    n_sims: int
    n_clusters: int
    confidence: float
    caveat: str = ""
    draws_: Any = field(default=None, repr=False)
    _point: Any = field(default=None, repr=False)      # mean coefficients, (n_terms, n_topics), 0 where unfitted
    _design: Any = field(default=None, repr=False)
    _basis: Any = field(default=None, repr=False)

    def _cell_design(self, values: dict) -> np.ndarray:
        used = self.data[self.data["used"]].reset_index(drop=True)
        return design_rows(self._design, used.assign(**values)).mean(axis=0)

    def _summarise(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sims = np.einsum("p,spk->sk", weights, np.nan_to_num(self.draws_))
        alpha = (1 - self.confidence) / 2
        low, high = np.quantile(sims, [alpha, 1 - alpha], axis=0)
        return weights @ self._point, low, high

    def predict_prevalence(self, by: str | list[str] | None = None, *, at: dict | None = None) -> pd.DataFrame:
        """Expected topic proportions for every combination of ``by`` (and ``at``) values.

        Each is the mean over the documents used of the predicted proportion with the
        ``by``/``at`` columns set to the cell's values (other covariates as observed).

        Parameters
        ----------
        by : str or list of str, optional
        at : mapping column -> values, optional
            E.g. ``{"year": range(2013, 2025)}``; a value the model cannot predict (a
            level absent from a factor) gives NaN with a caveat, so the year stays on a plot.

        Returns
        -------
        pandas.DataFrame
            Grid columns, then :data:`PREVALENCE_COLUMNS`: ``topic, label, prevalence,
            ci_low, ci_high, n_docs`` (documents of the cell) and ``caveat``.
        """
        from patsy import PatsyError

        used = self.data[self.data["used"]].reset_index(drop=True)
        grid = prediction_grid(used, by, at)
        k = len(self.labels)
        parts = []
        for cell in grid.itertuples(index=False, name=None):
            values = dict(zip(grid.columns, cell))
            in_cell = np.ones(len(used), dtype=bool)
            for column, value in values.items():
                in_cell &= (used[column] == value).fillna(False).to_numpy(dtype=bool)
            estimate = low = high = np.full(k, np.nan)
            caveat = ""
            try:
                weights = self._cell_design(values)
            except PatsyError as exc:
                caveat = f"cannot predict here: {str(exc).splitlines()[0]}"
            else:
                if self._basis is None or not in_row_space(weights, self._basis)[0]:
                    caveat = "not estimable: no documents with this combination of covariates"
                else:
                    estimate, low, high = self._summarise(weights)
            part = pd.DataFrame({column: [value] * k for column, value in values.items()})
            part = part.assign(topic=np.arange(k), label=self.labels, prevalence=estimate, ci_low=low, ci_high=high,
                               n_docs=int(in_cell.sum()), caveat=caveat)
            parts.append(part)
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=list(grid.columns) + PREVALENCE_COLUMNS)
        table.attrs.update(formula=self.formula, n_draws=self.n_draws, n_sims=self.n_sims, caveat=self.caveat,
                           method="method of composition; mean predicted proportion over the documents used")
        return table

    def contrast(self, column: str, target: Any, reference: Any, *, at: dict | None = None) -> pd.DataFrame:
        """Difference in expected topic proportions, ``target`` minus ``reference`` values of ``column``.

        Returns
        -------
        pandas.DataFrame
            ``topic, label, difference, ci_low, ci_high`` (percentile interval of the
            composed draws), ``caveat``.
        """
        values = dict(at or {})
        k = len(self.labels)
        weights = self._cell_design({**values, column: target}) - self._cell_design({**values, column: reference})
        caveat = ""
        if self._basis is None or not in_row_space(weights, self._basis)[0]:
            estimate = low = high = np.full(k, np.nan)
            caveat = "not estimable"
        else:
            estimate, low, high = self._summarise(weights)
        table = pd.DataFrame({"topic": np.arange(k), "label": self.labels, "difference": estimate, "ci_low": low,
                              "ci_high": high, "caveat": caveat})
        table.attrs.update(column=column, target=target, reference=reference, caveat=self.caveat)
        return table


# --------------------------------------------------------------------------- draws of document proportions
def document_topics(unit_topics: np.ndarray, unit_doc, *, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Document proportions as the (token-)weighted mean of their units' proportions.

    Returns
    -------
    doc_ids : numpy.ndarray
        In order of first appearance.
    theta : numpy.ndarray, shape (n_docs, n_topics)

    Examples
    --------
    >>> ids, theta = document_topics(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), ["a", "a", "b"],
    ...                              weights=[30, 10, 5])
    >>> ids.tolist(), theta.tolist()
    (['a', 'b'], [[0.75, 0.25], [0.5, 0.5]])
    """
    theta = np.asarray(unit_topics, dtype=float)
    w = np.ones(len(theta)) if weights is None else np.asarray(weights, dtype=float)
    codes, ids = pd.factorize(pd.Series(np.asarray(unit_doc, dtype=object)))
    sums = cluster_sums(theta * w[:, None], codes, len(ids))
    return np.asarray(ids, dtype=object), sums / cluster_sums(w, codes, len(ids))[:, None]


def unit_draws(unit_topics: np.ndarray, unit_doc, *, weights=None, n_draws: int = 20,
               random_state: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draws of document proportions by resampling each document's units with replacement.

    A document of one unit has no variation between draws.

    Returns
    -------
    doc_ids : numpy.ndarray
    draws : numpy.ndarray, shape (n_draws, n_docs, n_topics)
        Each document's (token-)weighted mean over its resampled units.

    Examples
    --------
    >>> ids, draws = unit_draws(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]), ["a", "a", "b"], n_draws=50)
    >>> draws.shape, sorted(set(draws[:, 0, 0].tolist())), set(draws[:, 1, 0].tolist())
    ((50, 2, 2), [0.0, 0.5, 1.0], {0.5})
    """
    theta = np.asarray(unit_topics, dtype=float)
    w = np.ones(len(theta)) if weights is None else np.asarray(weights, dtype=float)
    codes, ids = pd.factorize(pd.Series(np.asarray(unit_doc, dtype=object)))
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=len(ids))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rng = np.random.default_rng(random_state)
    out = np.empty((n_draws, len(ids), theta.shape[1]))
    unit_of_slot = np.repeat(np.arange(len(ids)), sizes)          # document of every unit position
    for d in range(n_draws):
        # for every unit position, a random unit of the same document
        picks = order[starts[unit_of_slot] + (rng.random(len(theta)) * sizes[unit_of_slot]).astype(np.int64)]
        num = cluster_sums(theta[picks] * w[picks, None], unit_of_slot, len(ids))
        out[d] = num / cluster_sums(w[picks], unit_of_slot, len(ids))[:, None]
    return np.asarray(ids, dtype=object), out


# --------------------------------------------------------------------------- the regression
def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return vectors * np.sqrt(np.clip(values, 0, None))


def prevalence_regression(theta: np.ndarray, docs: pd.DataFrame, formula: str, *, labels=None,
                          cluster: Any = None, n_sims: int = 50, confidence: float = 0.95,
                          random_state: int | None = 0, warn: bool = True) -> TopicEffects:
    """Regress document–topic proportions on a formula of metadata (method of composition).

    Parameters
    ----------
    theta : numpy.ndarray, shape (n_docs, n_topics) or (n_draws, n_docs, n_topics)
        Topic proportions of each document (row ``i`` = row ``i`` of ``docs``), or draws
        of them (:func:`unit_draws`, posterior draws).
    docs : pandas.DataFrame
        The documents table: the covariates of the formula.
    formula : str
        Right-hand side (patsy): ``"C(year) + bloc"``, ``"bs(year, df=4) * bloc"``.
    labels : list of str, optional
        Topic labels (default "0", "1", ...).
    cluster : str, list of str or array-like, optional
        Column(s) defining clusters of the robust covariance (speaker, outlet); default
        every document its own. Topic use is a habit of a speaker: several documents of
        one speaker are not independent evidence.
    n_sims : int, default 50
        Coefficient draws per proportion draw.
    confidence : float, default 0.95
    random_state : int, default 0
        Seed of the coefficient draws: the same seed gives identical results.
    warn : bool, default True

    Returns
    -------
    TopicEffects

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> docs = pd.DataFrame({"bloc": ["SCO"] * 50 + ["other"] * 50})
    >>> theta = rng.dirichlet([6, 4], 50).tolist() + rng.dirichlet([3, 7], 50).tolist()
    >>> effects = prevalence_regression(np.array(theta), docs, "bloc")
    >>> table = effects.contrast("bloc", "SCO", "other")  # planted: 0.6 - 0.3 for topic 0
    >>> round(float(table["difference"].iloc[0]), 2), bool(table["ci_low"].iloc[0] < 0.3 < table["ci_high"].iloc[0])
    (0.28, True)
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim == 2:
        theta = theta[None]
    if theta.ndim != 3 or theta.shape[1] != len(docs):
        raise InputError(f"prevalence regression: theta must be (documents, topics) or (draws, documents, topics) "
                         f"with one row per document ({len(docs)}); got shape {theta.shape}")
    n_draws, _, k = theta.shape
    labels = [str(j) for j in range(k)] if labels is None else list(labels)
    if len(labels) != k:
        raise InputError(f"prevalence regression: {len(labels)} labels for {k} topics")
    table = docs.reset_index(drop=True).copy()
    X_frame, _, used = model_design(table, formula, where="prevalence regression")
    table["used"] = used
    names = list(X_frame.columns)
    X_all = X_frame.to_numpy(dtype=float)
    notes = []
    if (~used).any():
        notes.append(f"{int((~used).sum())} document(s) with a missing value of a covariate left out")
    if isinstance(cluster, str) or (isinstance(cluster, list) and all(isinstance(c, str) for c in cluster)):
        columns = [cluster] if isinstance(cluster, str) else cluster
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise InputError(f"prevalence regression: no cluster column {missing[0]!r}")
        values = table.loc[used, columns].astype(object).agg(tuple, axis=1).to_numpy()
        groups = cluster_codes(values, int(used.sum()))
    elif cluster is None:
        groups = np.arange(int(used.sum()))
    else:
        values = np.asarray(cluster, dtype=object)
        if values.shape != (len(table),):
            raise InputError(f"prevalence regression: cluster= needs a column name or one value per document")
        groups = cluster_codes(values[used], int(used.sum()))
    n_clusters = int(groups.max()) + 1 if len(groups) else 0
    if cluster is not None and n_clusters < FEW_CLUSTERS:
        notes.append(f"only {n_clusters} clusters (fewer than {FEW_CLUSTERS}): cluster-robust intervals are unreliable")
    keep = independent_columns(X_all)
    X = X_all[:, keep]
    n, p = X.shape
    reasons = {name: "" for name in names}
    basis = row_space(X_all) if n > p else None
    estimable = in_row_space(np.eye(len(names)), basis) if basis is not None else np.zeros(len(names), dtype=bool)
    for j, name in enumerate(names):
        if not estimable[j]:
            reasons[name] = "not estimable: no variation, or collinear with other terms"
    if cluster is not None and n_clusters >= FEW_CLUSTERS:
        thin = {name: fewest for name, fewest in thin_terms(X_all, names, groups).items() if not reasons[name]}
        for name, fewest in thin.items():
            reasons[name] = (f"known from {fewest} clusters only (fewer than {FEW_CLUSTERS}): its interval is "
                             "too narrow")
        if thin:
            notes.append(f"term(s) {', '.join(f'{n} ({f})' for n, f in thin.items())} vary between fewer than "
                         f"{FEW_CLUSTERS} clusters: their cluster-robust intervals understate the uncertainty")
    dropped = [name for name, why in reasons.items() if why.startswith("not estimable")]
    if dropped and basis is not None:
        notes.append(f"term(s) {', '.join(dropped)} are not estimable (no variation or collinear)")
    draws = np.full((n_draws * n_sims, len(names), k), np.nan)
    point = np.zeros((len(names), k))
    if n <= p or n_clusters < 2:
        notes.append("too few documents or clusters to estimate the effects")
        basis = None
    else:
        rng = np.random.default_rng(random_state)
        bread = np.linalg.inv(X.T @ X)
        correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - p)
        for d in range(n_draws):
            y = theta[d][used]
            beta = bread @ X.T @ y                                    # (p, k)
            resid = y - X @ beta
            scores = cluster_sums(X[:, :, None] * resid[:, None, :], groups, n_clusters)  # (G, p, k)
            for j in range(k):
                meat = scores[:, :, j].T @ scores[:, :, j]
                cov = correction * bread @ meat @ bread
                noise = rng.standard_normal((n_sims, p)) @ _sqrt_psd(cov).T
                draws[d * n_sims:(d + 1) * n_sims, keep, j] = beta[:, j] + noise
            point[keep] += beta / n_draws
        draws[:, ~estimable, :] = np.nan
    alpha = (1 - confidence) / 2
    rows = []
    from scipy.stats import norm

    for j in range(k):
        for t, name in enumerate(names):
            sims = draws[:, t, j]
            ok = estimable[t] and basis is not None
            estimate = point[t, j] if ok else np.nan
            se = float(np.std(sims, ddof=1)) if ok else np.nan
            low, high = (np.quantile(sims, [alpha, 1 - alpha]) if ok else (np.nan, np.nan))
            statistic = estimate / se if ok and se > 0 else np.nan
            rows.append({"topic": j, "label": labels[j], "term": name, "estimate": estimate, "std_error": se,
                         "statistic": statistic, "p": 2 * norm.sf(abs(statistic)) if np.isfinite(statistic) else np.nan,
                         "ci_low": low, "ci_high": high, "caveat": reasons[name]})
    coefficients = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    caveat = "; ".join(notes)
    coefficients.attrs.update(formula=formula, n_draws=n_draws, n_sims=n_sims, n_clusters=n_clusters,
                              confidence=confidence, random_state=random_state, caveat=caveat,
                              method="least squares per topic; method of composition over proportion draws; "
                                     "cluster-robust (CR1) covariance")
    if caveat and warn:
        warnings.warn(f"prevalence regression: {caveat}", UserWarning, stacklevel=2)
    return TopicEffects(coefficients=coefficients, data=table, formula=formula, labels=labels, n_draws=n_draws,
                        n_sims=n_sims, n_clusters=n_clusters, confidence=confidence, caveat=caveat,
                        draws_=draws, _point=np.where(estimable[:, None], point, 0.0), _design=X_frame.design_info,
                        _basis=basis)


def topic_effects(model, formula: str, *, groups: Any = None, cluster: Any = None, n_draws: int = 20,
                  n_sims: int = 50, weight: str = "tokens", confidence: float = 0.95, random_state: int | None = 0,
                  warn: bool = True) -> TopicEffects:
    """Topic prevalence regression of a fitted topic model at the document level.

    Documents' proportions are the token-weighted means of their units' proportions;
    their uncertainty comes from resampling each document's units (:func:`unit_draws`),
    so a model of paragraphs is analysed per document — the level at which metadata
    vary — while keeping what the paragraphs disagree about.

    Parameters
    ----------
    model : TopicModel
        Fitted: ``units_`` (``doc_id``, ``n_tokens``), ``unit_topics_``, ``labels_``,
        and ``docs_``, the documents table whose metadata fields are the covariates.
    formula : str
        Covariates (patsy), columns of the documents table and of ``groups``.
    groups : by-specification, optional
        Grouping columns added to the table (:mod:`sco_discourse.groups`), e.g.
        ``Group("bloc", "iso3", {"SCO": [...]})``.
    cluster : str or list of str, optional
        Clusters of the robust covariance (default: the document).
    n_draws : int, default 20
        Unit resamples per document (0: the point proportions only).
    n_sims : int, default 50
    weight : {"tokens", "units"}, default "tokens"
        How units are averaged into a document.
    confidence, random_state, warn
        As in :func:`prevalence_regression`; ``random_state`` seeds both draws.

    Returns
    -------
    TopicEffects
    """
    from ..groups import Grouping

    units = getattr(model, "units_", None)
    theta = getattr(model, "unit_topics_", None)
    if units is None or theta is None:
        raise InputError("topic_effects needs a fitted topic model (with units_ and unit_topics_)")
    if weight not in ("tokens", "units"):
        raise InputError(f"topic_effects: weight must be 'tokens' or 'units', got {weight!r}")
    weights = units["n_tokens"].to_numpy(dtype=float) if weight == "tokens" and "n_tokens" in units.columns else None
    if n_draws:
        ids, draws = unit_draws(theta, units["doc_id"], weights=weights, n_draws=n_draws, random_state=random_state)
    else:
        ids, draws = document_topics(theta, units["doc_id"], weights=weights)
    docs = getattr(model, "docs_", None)
    if docs is None:  # the unit table's document-level columns, one row per document
        unit_only = {"unit_id", "start", "end", "n_tokens", "text"}
        docs = units.drop(columns=[c for c in units.columns if c in unit_only]).drop_duplicates("doc_id")
    docs = docs.set_index("doc_id").reindex(pd.Index(ids, name="doc_id")).reset_index()
    if groups is not None:
        grouping = Grouping(groups, where="topic_effects")
        codes, labels = grouping.resolve(docs)
        for column in grouping.columns:
            docs[column] = labels[column].to_numpy(dtype=object)[codes]
    labels = list(getattr(model, "labels_", [str(j) for j in range(np.shape(theta)[1])]))
    effects = prevalence_regression(draws, docs, formula, labels=labels, cluster=cluster, n_sims=n_sims,
                                    confidence=confidence, random_state=random_state, warn=False)
    if effects.caveat and warn:
        warnings.warn(f"topic_effects: {effects.caveat}", UserWarning, stacklevel=2)
    return effects
