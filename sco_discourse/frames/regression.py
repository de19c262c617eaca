"""Count regression of frame mentions on covariates, with a log-token offset.

One model per frame (or variant): ``log E[mentions] = log(tokens) + X b``, where ``X``
comes from a formula of the documents' metadata (year as a factor ``C(year)`` or a spline
``bs(year, df=4)``, a group, an outlet, interactions ``C(year) * group``). ``exp(b)`` of
a term is a rate ratio: how many times more often the frame is used, the other terms
held constant. :func:`count_regression` does it on any table; :func:`frame_regression`
takes a frame matrix.

Estimation
----------
* Poisson (quasi-likelihood) or negative binomial (NB2: ``alpha`` estimated by maximum
  likelihood with statsmodels' ``NegativeBinomial``, then the GLM at that ``alpha``),
  fitted by statsmodels' ``GLM``.
* Standard errors are cluster-robust (sandwich, CR1) at the ``cluster`` level, with t
  tests on G - 1 degrees of freedom; by default every document is its own cluster, which
  is the heteroskedasticity-robust sandwich and keeps the Poisson model honest when
  counts are over-dispersed.
* **Not estimable** cases are found before fitting and reported, never returned as NaN
  silently: no mentions at all; terms without variation or collinear with others (left
  out); *separation* — a combination of terms that picks out only documents without a
  mention (e.g. a year in which nobody used the frame), whose coefficient would run off
  to minus infinity. Separation is found exactly, by the linear program of Santos Silva
  & Tenreyro (2010); the separated documents are set aside (their fitted rate is 0) and
  the model is fitted on the rest. A coefficient is reported only when it is estimable
  from the documents fitted (its unit vector lies in the row space of their design);
  otherwise it is NaN with the reason in its ``caveat``. Fewer than
  :data:`~sco_discourse.stats.FEW_CLUSTERS` clusters make cluster-robust errors
  unreliable: a caveat says so — also for a 0/1 term (a bloc of 10 countries among
  190) whose two sides hold fewer clusters, however many the model has.

References
----------
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
inference. *Journal of Human Resources* 50(2), 317-372.
Santos Silva, J. M. C. & Tenreyro, S. (2010). On the existence of the maximum likelihood
estimates in Poisson regression. *Economics Letters* 107(2), 310-312.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..stats import (FEW_CLUSTERS, cluster_codes, cluster_robust_df, design_rows, in_row_space, independent_columns,
                     model_design, prediction_grid, row_space, thin_terms)

__all__ = ["COEFFICIENT_COLUMNS", "PREDICTION_COLUMNS", "RateModel", "count_regression", "frame_regression"]

#: Columns of :attr:`RateModel.coefficients`.
COEFFICIENT_COLUMNS = ["term", "estimate", "std_error", "statistic", "p", "ci_low", "ci_high", "rate_ratio",
                       "rr_ci_low", "rr_ci_high", "caveat"]
#: Columns of :meth:`RateModel.predict_rates` after the grid columns.
PREDICTION_COLUMNS = ["rate_per_10k", "ci_low", "ci_high", "n_docs", "caveat"]
_FAMILIES = ("poisson", "negbin")


@dataclass
class RateModel:
    """A fitted count regression of mentions with a log-token offset.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        :data:`COEFFICIENT_COLUMNS`: one row per term of the design; ``estimate`` on the
        log scale, ``rate_ratio = exp(estimate)`` with its interval. Terms that cannot be
        estimated have NaN and a ``caveat`` saying why. ``attrs["caveat"]`` holds the
        model's caveat.
    data : pandas.DataFrame
        The table the model was fitted on (every row given, with ``used`` False for the
        rows left out: a missing covariate or no tokens).
    formula, family, count, exposure : str
    cluster : str
        What was resampled ... clustered: "document" or the column(s).
    n_docs, n_clusters : int
        Documents used and clusters among them.
    alpha : float
        NB2 dispersion (NaN for Poisson).
    dispersion : float
        Pearson chi2 / df of the fit: well above 1 means over-dispersion (the robust
        errors allow for it; a negative binomial model may fit better).
    caveat : str
        "" or why the results are unreliable (also issued as a ``UserWarning``).
    result_ : statsmodels GLMResults or None
        The fit (None when nothing could be estimated).
    """

    coefficients: pd.DataFrame
    data: pd.DataFrame
    formula: str
    family: str
    count: str
    exposure: str
    cluster: str
    n_docs: int
    n_clusters: int
    confidence: float
    alpha: float = np.nan
    dispersion: float = np.nan
    caveat: str = ""
    result_: Any = None
    _design: Any = field(default=None, repr=False)      # patsy design info: columns for new rows
    _beta: Any = field(default=None, repr=False)        # one solution for every design column (0 if not fitted)
    _cov: Any = field(default=None, repr=False)         # its covariance (zeros outside the fitted columns)
    _basis: Any = field(default=None, repr=False)       # orthonormal basis of the fitted rows' row space
    _direction: Any = field(default=None, repr=False)   # separating direction (design columns) or None
    _quantile: float = field(default=np.nan, repr=False)

    def predict_rates(self, by: str | list[str] | None = None, *, at: dict | None = None) -> pd.DataFrame:
        """Predicted rates per 10,000 tokens for every combination of ``by`` (and ``at``) values.

        Each prediction averages the model's rate over the documents used, with the
        ``by``/``at`` columns set to the cell's values (the other covariates keep their
        observed values: a standardised, "average predicted" rate). With a formula of
        only the ``by`` columns this is simply the fitted rate of the cell. Intervals are
        delta-method intervals on the log scale with the model's (cluster-robust) covariance.

        Parameters
        ----------
        by : str or list of str, optional
            Columns of :attr:`data` to vary, e.g. ``["group", "year"]``.
        at : mapping column -> values, optional
            Values to use instead of those observed, e.g. ``{"year": range(2013, 2025)}``;
            a value the model cannot predict for (a year absent from a ``C(year)`` model)
            gets a row with NaN and a caveat, so empty years stay on a plot's axis.

        Returns
        -------
        pandas.DataFrame
            The grid columns, then :data:`PREDICTION_COLUMNS`: ``rate_per_10k, ci_low,
            ci_high, n_docs`` (documents of the cell in the data) and ``caveat``.
        """
        from patsy import PatsyError

        used = self.data[self.data["used"]].reset_index(drop=True)
        grid = prediction_grid(used, by, at)
        fitted = self._basis is not None
        rows = []
        for cell in grid.itertuples(index=False, name=None):
            values = dict(zip(grid.columns, cell))
            in_cell = np.ones(len(used), dtype=bool)
            for column, value in values.items():
                in_cell &= (used[column] == value).fillna(False).to_numpy(dtype=bool)
            out = {"rate_per_10k": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_docs": int(in_cell.sum()),
                   "caveat": ""}
            rows.append(out)
            if not fitted:
                out["caveat"] = "model not estimable"
                continue
            try:
                design = design_rows(self._design, used.assign(**values))
            except PatsyError as exc:
                out["caveat"] = f"cannot predict here: {str(exc).splitlines()[0]}"
                continue
            separated = np.zeros(len(design), dtype=bool)
            if self._direction is not None:
                side = design @ self._direction
                separated = side < -1e-9
                if (side > 1e-9).any():
                    out["caveat"] = "not estimable: the rate would be unbounded here"
                    continue
            if not in_row_space(design[~separated], self._basis).all():
                out["caveat"] = "not estimable: no documents with this combination of covariates"
                continue
            with np.errstate(over="ignore"):
                each = np.where(separated, 0.0, np.exp(design @ self._beta))
            mean = each.mean()
            out["rate_per_10k"] = 10_000.0 * mean
            if mean > 0:
                gradient = (each[:, None] * design).mean(axis=0)
                se_log = np.sqrt(max(gradient @ self._cov @ gradient, 0.0)) / mean
                out["ci_low"] = 10_000.0 * mean * np.exp(-self._quantile * se_log)
                out["ci_high"] = 10_000.0 * mean * np.exp(self._quantile * se_log)
            if separated.all():
                out["caveat"] = "separation: no mentions where these terms apply; the rate is 0, without an interval"
            elif separated.any():
                out["caveat"] = (f"{int(separated.sum())} of {len(separated)} documents are in separated cells "
                                 "(rate 0, no uncertainty)")
        table = pd.concat([grid, pd.DataFrame(rows, columns=PREDICTION_COLUMNS)], axis=1)
        table.attrs.update(formula=self.formula, family=self.family, cluster=self.cluster, confidence=self.confidence,
                           caveat=self.caveat,
                           method="average predicted rate over the documents used; delta-method interval (log scale)")
        return table


def _separation(X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """A direction ``d`` with ``X d = 0`` where ``y > 0`` and ``X d <= 0`` where ``y = 0``
    (negative somewhere), or None: the Poisson estimates exist iff there is none
    (Santos Silva & Tenreyro 2010). Found by a linear program (scipy, HiGHS)."""
    from scipy.optimize import linprog

    positive, zero = X[y > 0], X[y == 0]
    if not len(zero):
        return None
    result = linprog(c=zero.sum(axis=0), A_ub=np.vstack([zero, -zero]),
                     b_ub=np.concatenate([np.zeros(len(zero)), np.ones(len(zero))]),
                     A_eq=positive if len(positive) else None, b_eq=np.zeros(len(positive)) if len(positive) else None,
                     bounds=[(None, None)] * X.shape[1], method="highs")
    if result.status != 0 or result.fun > -1e-7:
        return None
    direction = np.where(np.abs(result.x) > 1e-9, result.x, 0.0)
    return direction


def _fit(X: np.ndarray, y: np.ndarray, offset: np.ndarray, groups: np.ndarray, family: str):
    """statsmodels GLM with cluster-robust covariance; for NB2, alpha by maximum likelihood first."""
    import statsmodels.api as sm

    alpha = np.nan
    _, groups = np.unique(groups, return_inverse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence messages become a caveat
        if family == "negbin":
            from statsmodels.discrete.discrete_model import NegativeBinomial

            nb = NegativeBinomial(y, X, offset=offset, loglike_method="nb2").fit(disp=0, maxiter=300)
            alpha = float(np.asarray(nb.params)[-1])
            glm_family = sm.families.NegativeBinomial(alpha=alpha)
        else:
            glm_family = sm.families.Poisson()
        model = sm.GLM(y, X, family=glm_family, offset=offset)
        if groups.max(initial=0) >= 1 and len(y) > X.shape[1]:
            return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True), alpha
        return model.fit(), alpha


def count_regression(data: pd.DataFrame, formula: str, *, count: str = "count", exposure: str = "n_tokens",
                     family: str = "poisson", cluster: Any = None, confidence: float = 0.95,
                     warn: bool = True, where: str = "count_regression") -> RateModel:
    """Regress a count column on a formula of covariates with ``log(exposure)`` as offset.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per document: ``count``, ``exposure`` and the covariates.
    formula : str
        Right-hand side in patsy syntax: ``"C(year) + group"``, ``"bs(year, df=4) + group"``,
        ``"C(year) * group"``.
    count, exposure : str
        Column names of the count and of the tokens.
    family : {"poisson", "negbin"}, default "poisson"
    cluster : str, list of str or array-like, optional
        Column(s) whose values define the clusters of the robust standard errors (the
        speaker, the outlet); default every document on its own. Documents of one
        speaker share the speaker's habits, and treating them as independent makes the
        intervals too narrow.
    confidence : float, default 0.95
    warn : bool, default True
        Issue the caveat as a ``UserWarning``.

    Returns
    -------
    RateModel

    Examples
    --------
    >>> table = pd.DataFrame({"count": [2, 4, 1, 3, 6, 8], "n_tokens": [1000] * 6,
    ...                       "group": ["a", "b"] * 3})
    >>> model = count_regression(table, "group", warn=False)
    >>> model.coefficients[["term", "rate_ratio"]].round(3).values.tolist()
    [['Intercept', 0.003], ['group[T.b]', 1.667]]
    >>> rates = model.predict_rates("group")
    >>> rates["group"].tolist(), rates["rate_per_10k"].round(6).tolist()  # 9 / 3,000 and 15 / 3,000 tokens
    (['a', 'b'], [30.0, 50.0])
    """
    from scipy.stats import t as t_dist

    if family not in _FAMILIES:
        raise InputError(f"{where}: family must be 'poisson' or 'negbin', not {family!r}")
    for column in (count, exposure):
        if column not in data.columns:
            raise InputError(f"{where}: no column {column!r} (columns: {', '.join(map(str, data.columns))})")
    table = data.reset_index(drop=True).copy()
    notes: list[str] = []
    tokens = pd.to_numeric(table[exposure], errors="coerce").to_numpy(dtype=float)
    no_tokens = ~(tokens > 0)
    X_frame, y, used = model_design(table.loc[~no_tokens] if no_tokens.any() else table, formula, response=count,
                                    where=where)
    if no_tokens.any():
        full = np.zeros(len(table), dtype=bool)
        full[np.flatnonzero(~no_tokens)[used]] = True
        used = full
        notes.append(f"{int(no_tokens.sum())} document(s) without tokens left out")
    n_missing = int((~used & ~no_tokens).sum())
    if n_missing:
        notes.append(f"{n_missing} document(s) with a missing value of a covariate left out")
    table["used"] = used
    design = X_frame.design_info
    names = list(X_frame.columns)
    X = X_frame.to_numpy(dtype=float)
    offset = np.log(tokens[used])
    if isinstance(cluster, str) or (isinstance(cluster, list) and all(isinstance(c, str) for c in cluster)):
        columns = [cluster] if isinstance(cluster, str) else cluster
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise InputError(f"{where}: no cluster column {missing[0]!r}")
        values = table.loc[used, columns].astype(object).agg(tuple, axis=1).to_numpy() if len(columns) > 1 \
            else table.loc[used, columns[0]].to_numpy(dtype=object)
        groups = cluster_codes(values, int(used.sum()))
        cluster_label = ", ".join(columns)
    elif cluster is None:
        groups = np.arange(int(used.sum()))
        cluster_label = "document"
    else:
        values = np.asarray(cluster, dtype=object)
        if values.shape != (len(table),):
            raise InputError(f"{where}: cluster= needs a column name or one value per row ({len(table)})")
        groups = cluster_codes(values[used], int(used.sum()))
        cluster_label = "given clusters"
    n_clusters = int(groups.max()) + 1 if len(groups) else 0

    reasons = {name: "" for name in names}
    direction = None
    fit_rows = np.ones(len(y), dtype=bool)
    beta = np.full(len(names), np.nan)
    cov = np.full((len(names), len(names)), np.nan)
    basis = None
    result, alpha, dispersion = None, np.nan, np.nan
    if y.sum() == 0:
        notes.append("no mentions: nothing to estimate")
    else:
        direction = _separation(X, y)
        if direction is not None:
            fit_rows = X @ direction > -1e-9
            notes.append(f"separation: {int((~fit_rows).sum())} document(s) without a mention are isolated by "
                         f"a combination of terms (e.g. a year or group in which no document uses the frame); "
                         "their fitted rate is 0 and they are set aside; terms that depend on them have no estimate")
        X_fit = X[fit_rows]
        keep = independent_columns(X_fit)
        if fit_rows.sum() < len(keep):
            notes.append("fewer documents than terms: nothing to estimate")
        else:
            result, alpha = _fit(X_fit[:, keep], y[fit_rows], offset[fit_rows], groups[fit_rows], family)
            if not bool(getattr(result, "converged", True)):
                notes.append("the fit did not converge")
            fitted = np.asarray(result.fittedvalues, dtype=float)
            if result.df_resid > 0:
                dispersion = float(np.sum((y[fit_rows] - fitted) ** 2 / fitted) / result.df_resid)
            beta = np.zeros(len(names))
            beta[keep] = np.asarray(result.params, dtype=float)
            cov = np.zeros((len(names), len(names)))
            cov[np.ix_(keep, keep)] = np.asarray(result.cov_params(), dtype=float)
            if len(np.unique(groups[fit_rows])) < 2:  # a sandwich needs two clusters at least
                cov[:] = np.nan
                notes.append("one cluster only: no standard errors")
            elif fit_rows.sum() == len(keep):
                cov[:] = np.nan
                notes.append("as many terms as documents: the model reproduces the data, no standard errors")
            basis = row_space(X_fit)
        estimable = in_row_space(np.eye(len(names)), basis) if basis is not None else np.zeros(len(names), bool)
        collinear = []
        for j, name in enumerate(names):
            if estimable[j]:
                continue
            if direction is not None and (direction[j] != 0 or not X_fit[:, j].any()):
                reasons[name] = "separation: no mentions where this term applies; its estimate is infinite"
            else:
                reasons[name] = "not estimable: no variation, or collinear with other terms"
                collinear.append(name)
        if collinear and basis is not None:
            notes.append(f"term(s) {', '.join(collinear)} have no variation or are collinear with others: "
                         "not estimable")
        beta = np.where(estimable, beta, np.nan)
    n_fit_clusters = len(np.unique(groups[fit_rows])) if len(groups) else 0
    if cluster is not None and 0 < n_fit_clusters < FEW_CLUSTERS:
        notes.append(f"only {n_fit_clusters} clusters (fewer than {FEW_CLUSTERS}): cluster-robust standard errors "
                     "and p-values are unreliable")
    elif cluster is not None and len(groups):
        thin = {name: fewest for name, fewest in thin_terms(X[fit_rows], names, groups[fit_rows]).items()
                if not reasons[name]}
        for name, fewest in thin.items():
            reasons[name] = (f"known from {fewest} clusters only (fewer than {FEW_CLUSTERS}): its interval "
                             "and p-value are too narrow")
        if thin:
            notes.append(f"term(s) {', '.join(f'{n} ({f})' for n, f in thin.items())} vary between fewer than "
                         f"{FEW_CLUSTERS} clusters: their cluster-robust intervals and p-values understate the "
                         "uncertainty")
    q = t_dist.ppf(0.5 + confidence / 2, cluster_robust_df(n_fit_clusters))
    rows = []
    for j, name in enumerate(names):
        estimate = beta[j]
        se = np.sqrt(max(cov[j, j], 0.0)) if np.isfinite(estimate) and np.isfinite(cov[j, j]) else np.nan
        statistic = estimate / se if se > 0 else np.nan
        p = 2 * t_dist.sf(abs(statistic), cluster_robust_df(n_fit_clusters)) if np.isfinite(statistic) else np.nan
        low, high = estimate - q * se, estimate + q * se
        with np.errstate(over="ignore"):
            rows.append({"term": name, "estimate": estimate, "std_error": se, "statistic": statistic, "p": p,
                         "ci_low": low, "ci_high": high, "rate_ratio": np.exp(estimate), "rr_ci_low": np.exp(low),
                         "rr_ci_high": np.exp(high), "caveat": reasons[name]})
    coefficients = pd.DataFrame(rows, columns=COEFFICIENT_COLUMNS)
    caveat = "; ".join(notes)
    coefficients.attrs.update(formula=formula, family=family, cluster=cluster_label, n_docs=int(used.sum()),
                              n_clusters=n_clusters, confidence=confidence, caveat=caveat,
                              test="Wald t tests, cluster-robust (CR1) covariance, G - 1 degrees of freedom")
    if caveat and warn:
        warnings.warn(f"{where}: {caveat}", UserWarning, stacklevel=3)
    return RateModel(coefficients=coefficients, data=table, formula=formula, family=family, count=count,
                     exposure=exposure, cluster=cluster_label, n_docs=int(used.sum()), n_clusters=n_clusters,
                     confidence=confidence, alpha=alpha, dispersion=dispersion, caveat=caveat, result_=result,
                     _design=design, _beta=np.nan_to_num(beta), _cov=cov, _basis=basis, _direction=direction,
                     _quantile=q)


def frame_regression(fm, formula: str, *, frame: str, variant: str = "", groups: Any = None,
                     family: str = "poisson", cluster: Any = None, confidence: float = 0.95,
                     warn: bool = True) -> RateModel:
    """Regress one frame's (or variant's) mentions per document on metadata covariates.

    Parameters
    ----------
    fm : frame matrix
        ``.matrix`` (documents x keys), ``.keys`` ((frame, variant) per column) and
        ``.docs`` (documents table with ``n_tokens``), e.g. from
        :func:`~sco_discourse.frames.compare.per_document_counts`.
    formula : str
        Covariates (patsy): columns of ``fm.docs`` and of ``groups``. ``"C(year)"``
        (a rate per year), ``"C(year) + bloc"`` (a bloc difference held constant across
        years), ``"bs(year, df=4) * bloc"`` (smooth trends per bloc).
    frame, variant : str
        The key modelled; variant "" (default) is the frame's total.
    groups : by-specification, optional
        Grouping columns added to the table as everywhere in the package
        (:mod:`sco_discourse.groups`), e.g. ``Group("bloc", "iso3", {"SCO": [...]})``
        adds a column ``bloc`` ("SCO"/"other"); a mapping ``{"iso3": {...}}`` replaces
        ``iso3`` by the custom group.
    family : {"poisson", "negbin"}, default "poisson"
    cluster : str or list of str, optional
        Column(s) defining the clusters of the robust standard errors; default the document.
    confidence : float, default 0.95
    warn : bool, default True

    Returns
    -------
    RateModel
        ``.coefficients`` (tidy, with rate ratios), ``.predict_rates(by=..., at=...)``
        and ``.caveat``; ``.data`` is the table fitted (``count`` is the key's mentions).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> from sco_discourse.frames.compare import per_document_counts
    >>> fm = per_document_counts(load_corpus())
    >>> model = frame_regression(fm, "C(year)", frame="belt_and_road", warn=False)
    >>> rates = model.predict_rates("year")
    >>> rates["year"].tolist()[:2], rates["rate_per_10k"].round(2).tolist()[:2]  # 1 / 1,134; 1 / 2,680 tokens
    ([2020, 2021], [8.82, 3.73])
    >>> frame_regression(fm, "C(year)", frame="global_initiatives", warn=False).caveat[:60]  # none in 2020-21
    'separation: 5 document(s) without a mention are isolated by '
    
    """
    from ..groups import Grouping
    from .counts import refuse_weights

    refuse_weights(fm, "frame_regression")
    keys = list(fm.keys)
    if (frame, variant) not in keys:
        frames = sorted({k[0] for k in keys})
        if frame not in frames:
            raise InputError(f"frame_regression: unknown frame {frame!r}; frames: {', '.join(frames)}")
        variants = [k[1] for k in keys if k[0] == frame and k[1]]
        raise InputError(f"frame_regression: frame {frame!r} has no variant {variant!r}; variants: "
                         f"{', '.join(variants) or '(none)'}")
    docs = fm.docs.reset_index(drop=True).copy()
    if "n_tokens" not in docs.columns:
        raise InputError("frame_regression: the documents table has no n_tokens column")
    if "count" in docs.columns:
        raise InputError("frame_regression: the documents table already has a column 'count'; rename it")
    if groups is not None:
        grouping = Grouping(groups, where="frame_regression")
        codes, labels = grouping.resolve(docs)
        for column in grouping.columns:
            docs[column] = labels[column].to_numpy(dtype=object)[codes]
    column = fm.matrix[:, keys.index((frame, variant))]
    docs["count"] = np.asarray(column.toarray() if hasattr(column, "toarray") else column).ravel()
    model = count_regression(docs, formula, count="count", exposure="n_tokens", family=family, cluster=cluster,
                             confidence=confidence, warn=False, where=f"frame_regression({frame}"
                             + (f"/{variant}" if variant else "") + ")")
    model.coefficients.attrs.update(frame=frame, variant=variant, **dict(getattr(fm, "attrs", {}) or {}))
    if model.caveat and warn:
        warnings.warn(f"frame_regression({frame}{'/' + variant if variant else ''}): {model.caveat}", UserWarning,
                      stacklevel=2)
    return model
