"""LDA and NMF topic models behind one scikit-learn estimator (`TopicModel`).

Backends
--------
``method="lda"`` (default)
    gensim ``LdaModel`` (online variational Bayes, Hoffman et al. 2010) on term counts.
    With an integer ``random_state`` it gives identical topics in a fresh process.
``method="lda_multicore"``
    gensim ``LdaMulticore``: faster on many cores but **not reproducible** — the order
    in which worker processes return their updates changes between runs even with a
    fixed seed. Use it for exploration only; a warning says so.
``method="nmf"``
    scikit-learn ``NMF`` on tf-idf weights (Frobenius loss, NNDSVDa initialisation):
    fast, deterministic, often the sharpest topics on short units.
``method="tomotopy"``
    tomotopy ``LDAModel``: collapsed Gibbs sampling in C++ (``gibbs_iterations`` sweeps
    over the tokens), one thread, so the same seed gives identical topics in a fresh
    process. An optional extra (``pip install sco_discourse[tomotopy]``); on the UN
    General Debate paragraphs it fits LDA several times faster than gensim for topics
    at least as coherent (numbers in the README).

Topic–term weights (``components_``) are normalised to sum to one per topic for every
backend (for LDA they are the topic–word probabilities), and unit–topic weights
(``unit_topics_``) sum to one per unit, so tables from different backends read alike.
Topics are numbered from 0 in the backend's order.

The estimator contract
----------------------
:class:`TopicModel` and :class:`~sco_discourse.topics.Preprocessor` are scikit-learn
estimators: ``__init__`` only stores settings, ``fit`` validates them and returns
``self``, learned state ends in ``_``, and ``get_params``/``set_params``/``clone``
work, so a model with other settings is ``clone(model).set_params(n_topics=8)``. Their
``X`` is text, not a numeric array: for the topic model a corpus, a unit table or a
list of texts (see :func:`~sco_discourse.topics.as_units`); for the preprocessor the
unit texts. To fit many models on one preprocessing (as :func:`~sco_discourse.topics.sweep`
does), fit a ``Preprocessor`` once, pass it frozen (``preprocessor=FrozenEstimator(pre)``,
:class:`sklearn.frozen.FrozenEstimator`) and give ``fit`` its counts (``counts=``).
"""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.frozen import FrozenEstimator

from ..errors import InputError
from .preprocess import Preprocessor
from .units import UNIT_KINDS, as_units

__all__ = ["METHODS", "TopicModel", "frex_scores", "exclusivity"]

#: Backends of :class:`TopicModel`; the first is the default.
METHODS = ("lda", "nmf", "lda_multicore", "tomotopy")

_MODEL_FILE = "model.pkl"
_MANIFEST_FILE = "model.json"


class TopicModel(TransformerMixin, BaseEstimator):
    """A topic model of a corpus split into units (a scikit-learn estimator).

    Parameters
    ----------
    n_topics : int, default 10
        Number of topics K.
    method : {"lda", "nmf", "lda_multicore", "tomotopy"}, default "lda"
        Backend (see the module notes; ``lda_multicore`` is not reproducible).
    random_state : int, default 0
        Seed of every random step (LDA initialisation and inference, NMF initialisation).
    unit : {"paragraph", "document", "window"}, default "paragraph"
        How :meth:`fit` splits a corpus (see :func:`~sco_discourse.topics.make_units`).
    window, min_tokens : int
        Passed to :func:`~sco_discourse.topics.make_units`.
    preprocessor : Preprocessor or FrozenEstimator, optional
        Token, phrase and vocabulary settings; default ``Preprocessor()``. It is cloned
        and fitted on the units; the fitted copy is ``preprocessor_``. A
        ``FrozenEstimator`` around a fitted ``Preprocessor`` is used as it is.
    passes : int, default 10
        LDA: passes over the units.
    iterations : int, default 100
        LDA: maximum inference iterations per unit and pass (tomotopy: sampling
        iterations when inferring the topics of new units).
    alpha, eta : str, float or array, optional
        LDA priors as gensim takes them (``"symmetric"``, ``"asymmetric"``, ``"auto"``, a float).
        tomotopy: ``"symmetric"`` is 1/K, ``"auto"`` re-estimates alpha every 10 sweeps,
        a float is used as it is; ``eta=None`` is 0.01.
    chunksize : int, default 2000
        LDA: units per online update.
    workers : int, default 1
        ``lda_multicore`` only.
    max_iter : int, default 400
        NMF: maximum iterations.
    nmf_init : str, default "nndsvda"
        NMF initialisation. NNDSVD-based inits do not depend on the seed, so refits with
        other seeds give the same topics; use ``"random"`` to study seed stability.
    nmf_dtype : {"float64", "float32"}, default "float64"
        NMF: precision of the tf-idf matrix and the factors (the tf-idf weights are
        computed in float64 and then cast). ``"float32"`` halves the memory of the
        factorisation and fits about 1.5 times faster; the topics can differ in the last
        digits, and so, rarely, in the order of terms of equal weight. :func:`sweep` uses
        it by default to choose K (see its Notes).
    gibbs_iterations : int, default 300
        tomotopy: Gibbs sampling sweeps over all tokens.

    Attributes
    ----------
    docs_ : pandas.DataFrame
        The documents table of what was fitted (:func:`~sco_discourse.groups.documents_table`:
        ``doc_id, date, date_precision, year`` and every scalar metadata field), one row
        per document. Topic statistics group units by it (``topic_prevalence(model,
        by=...)``), so any metadata field can be used without choosing it at fit time.
    units_ : pandas.DataFrame
        The units modelled (``unit_id, doc_id, year, start, end, n_tokens, text`` for a
        corpus, see :func:`~sco_discourse.topics.as_units`), in row order of
        ``unit_topics_``; ``doc_id`` joins ``docs_``. Units left with no vocabulary term
        are dropped.
    dropped_units_ : list of str
        Ids of units dropped because no term of theirs survived preprocessing.
    preprocessor_ : Preprocessor
        The fitted preprocessing (its :meth:`~Preprocessor.settings` record every choice).
    vocabulary_ : list of str
        Terms, in column order of ``components_``.
    components_ : numpy.ndarray, shape (n_topics, n_terms)
        Topic–term weights, each row summing to 1.
    unit_topics_ : numpy.ndarray, shape (n_units, n_topics)
        Unit–topic weights (topic proportions), each row summing to 1.
    term_counts_ : numpy.ndarray
        Corpus frequency of each term in the fitted units.
    labels_ : list of str
        A label per topic: suggested from the top terms, overridable with :meth:`set_labels`.
    model_ : gensim LdaModel or sklearn NMF
        The fitted backend object.
    tfidf_ : sklearn TfidfTransformer
        NMF only: the tf-idf weighting fitted on the units.
    corpus_fingerprint_ : str or None
        :meth:`Corpus.fingerprint` of the corpus fitted, when one was given.

    Examples
    --------
    >>> texts = ["tea tea leaf cup"] * 5 + ["rail rail train track"] * 5
    >>> model = TopicModel(2, method="nmf", preprocessor=Preprocessor(phrases=False, max_df=1.0)).fit(texts)
    >>> sorted(model.topic_terms(n=1)["term"])
    ['rail', 'tea']
    >>> model.unit_topics_.sum(axis=1).round(6).tolist() == [1.0] * 10
    True
    >>> from sklearn.base import clone
    >>> clone(model).set_params(n_topics=3).get_params()["n_topics"]
    3

    References
    ----------
    Blei, D. M., Ng, A. Y. & Jordan, M. I. (2003). Latent Dirichlet allocation. JMLR 3.
    Hoffman, M., Bach, F. & Blei, D. (2010). Online learning for latent Dirichlet allocation. NIPS.
    Lee, D. D. & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. Nature 401.
    """

    def __init__(self, n_topics: int = 10, *, method: str = "lda", random_state: int = 0,
                 unit: str = "paragraph", window: int = 200, min_tokens: int = 10,
                 preprocessor: Preprocessor | FrozenEstimator | None = None, passes: int = 10,
                 iterations: int = 100, alpha="symmetric", eta=None, chunksize: int = 2000, workers: int = 1,
                 max_iter: int = 400, nmf_init: str = "nndsvda", nmf_dtype: str = "float64",
                 gibbs_iterations: int = 300):
        self.n_topics = n_topics
        self.method = method
        self.random_state = random_state
        self.unit = unit
        self.window = window
        self.min_tokens = min_tokens
        self.preprocessor = preprocessor
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.chunksize = chunksize
        self.workers = workers
        self.max_iter = max_iter
        self.nmf_init = nmf_init
        self.nmf_dtype = nmf_dtype
        self.gibbs_iterations = gibbs_iterations

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # X is text: a corpus, a unit table or a list of strings
        tags.input_tags.string = True
        tags.non_deterministic = self.method == "lda_multicore"
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "components_")

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        if isinstance(self.n_topics, bool) or not isinstance(self.n_topics, (int, np.integer)) or self.n_topics < 1:
            raise InputError(f"TopicModel: n_topics must be a positive integer, got {self.n_topics!r}")
        if self.method not in METHODS:
            raise InputError(f"TopicModel: unknown method {self.method!r}; use one of {list(METHODS)}")
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, (int, np.integer)):
            raise InputError("TopicModel: random_state must be an integer seed (results must be "
                             f"reproducible), got {self.random_state!r}")
        if self.unit not in UNIT_KINDS:
            raise InputError(f"TopicModel: unknown unit {self.unit!r}; use one of {list(UNIT_KINDS)}")
        for name in ("passes", "iterations", "chunksize", "workers", "max_iter", "gibbs_iterations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"TopicModel: {name} must be a positive integer, got {value!r}")
        if self.nmf_dtype not in ("float64", "float32"):
            raise InputError(f"TopicModel: nmf_dtype must be 'float64' or 'float32', got {self.nmf_dtype!r}")
        inner = self.preprocessor.estimator if isinstance(self.preprocessor, FrozenEstimator) else self.preprocessor
        if inner is not None and not isinstance(inner, Preprocessor):
            raise InputError("TopicModel: preprocessor must be a Preprocessor (or a FrozenEstimator around a "
                             f"fitted one), got {type(inner).__name__}")

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None, *, counts: sp.spmatrix | None = None, dedupe=None) -> "TopicModel":
        """Fit on a corpus, a unit table or a list of texts; returns ``self``.

        Parameters
        ----------
        X : Corpus, iterable of Document, pandas.DataFrame or sequence of str
            A corpus is split into units (``unit``); a DataFrame is a unit table with a
            ``text`` column; plain strings become units ``u0, u1, ...`` (see
            :func:`~sco_discourse.topics.as_units`).
        y : ignored
        counts : sparse matrix, optional
            The units' term counts, as ``pre.transform(units["text"])`` gives them for a
            fitted ``pre`` passed frozen (``preprocessor=FrozenEstimator(pre)``): the
            texts are then not analysed again. Rows follow the units of ``X``.
        dedupe : None, "first" or dict, optional
            A corpus: fit on the earliest copy of each cluster of exact or near-duplicate
            documents (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`; a dict also
            sets the threshold, ``{"keep": "first", "threshold": 0.9}``), so a story
            republished five times does not pull a topic towards itself;
            ``docs_.attrs["deduplicated"]`` records what was left out. "weight" is refused:
            the topic models fit unweighted units.

        Notes
        -----
        Memory: a corpus is read once, one document at a time (a lazily loaded corpus is
        never held whole); the model keeps the units' text (``units_``, to quote
        passages) and the documents table, not the documents. Preprocessing holds each
        unit's tokens as 4-byte ids, not strings (see :class:`Preprocessor`). LDA streams
        bag-of-words rows made one at a time from the sparse count matrix; NMF needs the
        whole tf-idf matrix (sparse, as large as the counts). ``corpus_fingerprint_`` reads
        a corpus a second time (nothing is kept from that pass).
        """
        self._fit(_deduplicated_input(X, dedupe), counts)
        return self

    def fit_transform(self, X, y=None, *, counts: sp.spmatrix | None = None) -> np.ndarray:
        """Fit, and return the topic proportions of the units of ``X``.

        Returns
        -------
        numpy.ndarray, shape (n_units, n_topics)
            The fitted ``unit_topics_``, with a row of NaN for each unit dropped for having
            no vocabulary term (so rows follow the units of ``X``, as :meth:`transform`).
        """
        kept = self._fit(X, counts)
        theta = np.full((len(kept), self.n_topics), np.nan)
        theta[kept] = self.unit_topics_
        return theta

    def _fit(self, X, counts) -> np.ndarray:
        """Fit; the mask of the units of ``X`` that were kept."""
        self._check_params()
        units, docs = as_units(X, unit=self.unit, window=self.window, min_tokens=self.min_tokens)
        preprocessor = clone(self.preprocessor) if self.preprocessor is not None else Preprocessor()
        if counts is None:
            counts = preprocessor.fit_transform(units["text"])
        else:
            counts = _checked_counts(counts, preprocessor, len(units), "fit")
        if isinstance(preprocessor, FrozenEstimator):
            preprocessor = preprocessor.estimator
        nonempty = np.asarray(counts.sum(axis=1)).ravel() > 0
        dropped = units.loc[~nonempty, "unit_id"].tolist()
        units = units.loc[nonempty].reset_index(drop=True)
        counts = counts[nonempty]
        if counts.shape[0] < 2:
            raise InputError(f"TopicModel: only {counts.shape[0]} unit(s) have terms left after preprocessing; "
                             "loosen min_df/max_df or use smaller units")
        n_units, n_terms = counts.shape
        if self.n_topics >= n_units or self.n_topics > n_terms:
            # LDA would fill the surplus with identical empty topics, NMF cannot start at all
            limit = f"{n_units} unit(s)" if self.n_topics >= n_units else f"{n_terms} vocabulary term(s)"
            raise InputError(f"TopicModel: {self.n_topics} topics (K, --k) for {n_units} unit(s) with terms and "
                             f"{n_terms} vocabulary term(s): K must be smaller than the number of units and at "
                             f"most the number of terms (here the limit is {limit}); choose a smaller K or "
                             f"smaller units (unit='paragraph' or 'window', --unit)")
        vocabulary = list(preprocessor.vocabulary_)
        if self.method == "nmf":
            model, components, theta, tfidf = self._fit_nmf(counts)
        elif self.method == "tomotopy":
            model, components, theta = self._fit_tomotopy(counts, vocabulary)
            tfidf = None
        else:
            model, components, theta = self._fit_lda(counts, vocabulary)
            tfidf = None
        self.docs_ = docs
        if hasattr(X, "fingerprint"):
            from ..provenance import corpus_attrs

            self.docs_.attrs.update(corpus_attrs(X))
        self.units_ = units
        self.dropped_units_ = dropped
        self.preprocessor_ = preprocessor
        self.vocabulary_ = vocabulary
        self.term_counts_ = np.asarray(counts.sum(axis=0)).ravel()
        self.model_ = model
        if tfidf is not None:
            self.tfidf_ = tfidf
        elif hasattr(self, "tfidf_"):
            del self.tfidf_
        self.components_ = components
        self.unit_topics_ = theta
        self.labels_ = self.suggested_labels()
        self.corpus_fingerprint_ = X.fingerprint() if hasattr(X, "fingerprint") else None
        return nonempty

    def _fit_lda(self, counts: sp.csr_matrix, vocabulary: list[str]):
        from gensim.models import LdaModel, LdaMulticore

        bow = _BowRows(counts)
        id2word = dict(enumerate(vocabulary))
        common = dict(num_topics=int(self.n_topics), id2word=id2word, chunksize=self.chunksize,
                      passes=self.passes, iterations=self.iterations, eta=self.eta,
                      random_state=int(self.random_state), eval_every=None, minimum_probability=0.0)
        if self.method == "lda_multicore":
            warnings.warn("LdaMulticore is not reproducible: the same seed can give different topics "
                          "from run to run. Use method='lda' for results you report.", UserWarning, stacklevel=4)
            alpha = self.alpha if self.alpha != "auto" else "symmetric"  # LdaMulticore cannot learn alpha
            model = LdaMulticore(bow, workers=self.workers, alpha=alpha, **common)
        else:
            model = LdaModel(bow, alpha=self.alpha, update_every=1, **common)
        topics = model.get_topics().astype(np.float64)
        return model, topics / topics.sum(axis=1, keepdims=True), self._lda_theta(model, bow)

    def _lda_theta(self, model, bow: "_BowRows") -> np.ndarray:
        # gensim's inference draws its starting point from the model's random generator,
        # so the generator is re-seeded first: the same units always get the same weights.
        model.random_state = np.random.RandomState(int(self.random_state))
        parts = []
        for chunk in bow.chunks(self.chunksize):
            gamma, _ = model.inference(chunk)
            parts.append(np.asarray(gamma, dtype=np.float64))
        gamma = np.vstack(parts) if parts else np.zeros((0, self.n_topics))
        return gamma / gamma.sum(axis=1, keepdims=True)

    def _fit_tomotopy(self, counts: sp.csr_matrix, vocabulary: list[str]):
        tp = _tomotopy()
        k = int(self.n_topics)
        if isinstance(self.alpha, str) and self.alpha not in ("symmetric", "auto"):
            raise InputError(f"TopicModel: method='tomotopy' takes alpha='symmetric', 'auto' or a number, "
                             f"got {self.alpha!r}")
        alpha = 1.0 / k if isinstance(self.alpha, str) else self.alpha
        alpha = float(alpha) if np.ndim(alpha) == 0 else [float(a) for a in alpha]
        eta = 0.01 if self.eta is None else float(self.eta)
        model = tp.LDAModel(k=k, alpha=alpha, eta=eta, seed=int(self.random_state), min_cf=0, rm_top=0)
        model.optim_interval = 10 if isinstance(self.alpha, str) and self.alpha == "auto" else 0
        for words in _unit_words(counts, vocabulary):
            model.add_doc(words)
        # one worker and no parallel scheme: several workers make the result depend on thread timing
        model.train(int(self.gibbs_iterations), workers=1, parallel=tp.ParallelScheme.NONE)
        components = _tomotopy_topics(model, vocabulary)
        theta = np.array([doc.get_topic_dist() for doc in model.docs], dtype=np.float64)
        return model, components, _normalise_rows(theta)

    def _tomotopy_infer(self, counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Topic proportions and log-likelihoods of units under a fitted tomotopy model."""
        tp = _tomotopy()
        docs = [self.model_.make_doc(words) for words in _unit_words(counts, self.vocabulary_)]
        if not docs:
            return np.zeros((0, self.n_topics)), np.zeros(0)
        theta, ll = self.model_.infer(docs, iterations=int(self.iterations), workers=1,
                                      parallel=tp.ParallelScheme.NONE)
        return _normalise_rows(np.asarray(theta, dtype=np.float64)), np.asarray(ll, dtype=np.float64)

    def __getstate__(self):
        state = super().__getstate__()
        if getattr(self, "method", None) == "tomotopy" and "model_" in state:
            state = dict(state, model_=_TomotopyBytes(state["model_"].saves(full=False)))
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), _TomotopyBytes):
            state = dict(state, model_=_tomotopy().LDAModel.loads(state["model_"].data))
        state = {"nmf_dtype": "float64", **state}  # a model saved before the option existed
        super().__setstate__(state)

    def _fit_nmf(self, counts: sp.csr_matrix):
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        tfidf = TfidfTransformer()
        weights = tfidf.fit_transform(counts.astype(np.float64)).astype(self.nmf_dtype, copy=False)
        model = NMF(n_components=int(self.n_topics), init=self.nmf_init, random_state=int(self.random_state),
                    max_iter=self.max_iter)
        with warnings.catch_warnings():
            # a few units/iterations trip the convergence warning; the result is still usable
            warnings.filterwarnings("ignore", message="Maximum number of iterations")
            w = model.fit_transform(weights)
        h = model.components_.astype(np.float64)
        return model, _normalise_rows(h), _normalise_rows(w), tfidf

    # ------------------------------------------------------------------ applying
    def _require_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise InputError("this TopicModel is not fitted yet: call fit(...) first")

    def _counts_of(self, X, counts, what: str) -> sp.csr_matrix:
        units, _ = as_units(X, unit=self.unit, window=self.window, min_tokens=self.min_tokens)
        if counts is not None:
            return _checked_counts(counts, self.preprocessor_, len(units), what)
        return self.preprocessor_.transform(units["text"])

    def transform(self, X, *, counts: sp.spmatrix | None = None) -> np.ndarray:
        """Topic proportions of new units, shape (n_units, n_topics), rows summing to 1.

        ``X`` is read as in :meth:`fit` (corpora are split into units the same way);
        ``counts``, if given, are the units' counts from ``preprocessor_``. Units with no
        vocabulary term get a row of NaN.
        """
        self._require_fitted()
        counts = self._counts_of(X, counts, "transform")
        empty = np.asarray(counts.sum(axis=1)).ravel() == 0
        if self.method == "nmf":
            weights = self.tfidf_.transform(counts.astype(np.float64))
            theta = _normalise_rows(self.model_.transform(weights.astype(self.nmf_dtype, copy=False)))
        elif self.method == "tomotopy":
            theta = np.full((counts.shape[0], self.n_topics), np.nan)
            theta[~empty] = self._tomotopy_infer(counts[~empty])[0]
        else:
            theta = self._lda_theta(self.model_, _BowRows(counts))
        theta[empty] = np.nan
        return theta

    def perplexity(self, X, *, counts: sp.spmatrix | None = None) -> float:
        """Held-out perplexity of an LDA model on the units of ``X`` (lower is better).

        ``2 ** -(per-word bound)`` from gensim's ``log_perplexity``. gensim's variational
        bound includes the topic-word prior term once for the whole corpus, so the units
        are scaled up to the size of the training set (``total_docs``) as gensim intends;
        otherwise that term swamps a small held-out set. Units with no vocabulary term are
        left out. NaN when none is left. For ``method="tomotopy"`` it is
        ``exp(-log-likelihood per word)`` of the units after Gibbs inference (comparable
        between tomotopy models only).
        """
        self._require_fitted()
        if self.method == "nmf":
            raise InputError("perplexity is defined for LDA models only (method='lda'), not for NMF")
        if self.method == "tomotopy":
            counts = self._counts_of(X, counts, "perplexity")
            counts = counts[np.asarray(counts.sum(axis=1)).ravel() > 0]
            if counts.shape[0] == 0:
                return float("nan")
            _, ll = self._tomotopy_infer(counts)
            return float(np.exp(-ll.sum() / counts.sum()))
        bow = [doc for doc in _BowRows(self._counts_of(X, counts, "perplexity")) if doc]
        if not bow:
            return float("nan")
        self.model_.random_state = np.random.RandomState(int(self.random_state))
        return float(np.exp2(-self.model_.log_perplexity(bow, total_docs=len(self.units_))))

    # ------------------------------------------------------------------ tidy tables
    def topic_terms(self, n: int | None = 10, *, by: str = "probability", frex_weight: float = 0.5) -> pd.DataFrame:
        """Top terms of every topic.

        Parameters
        ----------
        n : int or None, default 10
            Terms per topic (``None``: all).
        by : {"probability", "frex"}
            Rank by topic–term weight, or by FREX (frequency and exclusivity, see
            :func:`frex_scores`) which favours terms typical of *this* topic.
        frex_weight : float, default 0.5
            Weight of frequency against exclusivity in FREX.

        Returns
        -------
        pandas.DataFrame
            ``topic, term, weight, rank, frex`` — ``weight`` is the topic–term weight,
            ``rank`` starts at 1 in the order asked for.
        """
        self._require_fitted()
        if by not in ("probability", "frex"):
            raise InputError(f"topic_terms: by must be 'probability' or 'frex', got {by!r}")
        frex = frex_scores(self.components_, weight=frex_weight)
        score = self.components_ if by == "probability" else frex
        n_terms = score.shape[1] if n is None else min(int(n), score.shape[1])
        vocab = np.asarray(self.vocabulary_, dtype=object)
        top = top_term_indices(score, n_terms)
        rows = []
        for k in range(score.shape[0]):
            order = top[k]
            rows.append(pd.DataFrame({"topic": k, "term": vocab[order], "weight": self.components_[k, order],
                                      "rank": np.arange(1, n_terms + 1), "frex": frex[k, order]}))
        return pd.concat(rows, ignore_index=True)

    def unit_topics(self) -> pd.DataFrame:
        """Topic proportions of the fitted units in long format.

        Returns
        -------
        pandas.DataFrame
            ``unit_id, doc_id, topic, weight`` (one row per unit and topic).
        """
        self._require_fitted()
        n_units, k = self.unit_topics_.shape
        return pd.DataFrame({
            "unit_id": np.repeat(self.units_["unit_id"].to_numpy(), k),
            "doc_id": np.repeat(self.units_["doc_id"].to_numpy(), k),
            "topic": np.tile(np.arange(k), n_units),
            "weight": self.unit_topics_.ravel(),
        })

    def suggested_labels(self, n: int = 3, *, pool: int = 30) -> list[str]:
        """A label per topic: ``n`` terms joined by "/" (e.g. "health/vaccine/covid-19").

        The terms are the highest-FREX terms among the topic's ``pool`` most probable
        terms: frequent enough to be recognisable, exclusive enough to tell topics apart
        (FREX over the whole vocabulary favours rare words). Override with :meth:`set_labels`.
        """
        self._require_fitted()
        top = self.topic_terms(pool, by="probability")
        top = top.sort_values(["topic", "frex", "rank"], ascending=[True, False, True], kind="stable")
        return ["/".join(group["term"].head(n)) for _, group in top.groupby("topic", sort=True)]

    def set_labels(self, labels: Mapping[int, str] | Sequence[str]) -> "TopicModel":
        """Override topic labels (a mapping topic → label, or one label per topic); returns self."""
        self._require_fitted()
        k = len(self.labels_)
        if isinstance(labels, Mapping):
            items = labels.items()
        else:
            labels = list(labels)
            if len(labels) != k:
                raise InputError(f"set_labels: {len(labels)} labels given for {k} topics")
            items = enumerate(labels)
        new = list(self.labels_)
        for topic, label in items:
            if not isinstance(topic, (int, np.integer)) or not 0 <= topic < k:
                raise InputError(f"set_labels: topic {topic!r} does not exist (topics are 0..{k - 1})")
            new[int(topic)] = str(label)
        self.labels_ = new
        return self

    def topic_summary(self, n: int = 10) -> pd.DataFrame:
        """One row per topic.

        Returns
        -------
        pandas.DataFrame
            ``topic, label, prevalence`` (mean proportion over units), ``n_dominant``
            (units where it is the largest), ``top_terms`` and ``frex_terms`` (``n`` terms
            joined by ", ").
        """
        self._require_fitted()
        prob = self.topic_terms(n, by="probability")
        frex = self.topic_terms(n, by="frex")
        dominant = np.bincount(self.unit_topics_.argmax(axis=1), minlength=self.n_topics)
        return pd.DataFrame({
            "topic": np.arange(self.n_topics),
            "label": self.labels_,
            "prevalence": self.unit_topics_.mean(axis=0),
            "n_dominant": dominant,
            "top_terms": [", ".join(g["term"]) for _, g in prob.groupby("topic", sort=True)],
            "frex_terms": [", ".join(g["term"]) for _, g in frex.groupby("topic", sort=True)],
        })

    def representative_units(self, n: int = 3) -> pd.DataFrame:
        """The units with the highest proportion of each topic (passages to read).

        Returns
        -------
        pandas.DataFrame
            ``topic, label, rank, unit_id, doc_id, year, weight, text`` (``n`` rows per
            topic, rank 1 = highest weight; ties broken by unit order).
        """
        self._require_fitted()
        year_of = self.docs_.set_index("doc_id")["year"]
        rows = []
        for k in range(self.n_topics):
            order = np.lexsort((np.arange(len(self.units_)), -self.unit_topics_[:, k]))[:n]
            part = self.units_.iloc[order]
            rows.append(pd.DataFrame({
                "topic": k, "label": self.labels_[k], "rank": np.arange(1, len(order) + 1),
                "unit_id": part["unit_id"].to_numpy(), "doc_id": part["doc_id"].to_numpy(),
                "year": year_of.reindex(part["doc_id"]).to_numpy(),
                "weight": self.unit_topics_[order, k], "text": part["text"].to_numpy()}))
        out = pd.concat(rows, ignore_index=True)
        out["year"] = out["year"].astype("Int64")
        return out

    # ------------------------------------------------------------------ persistence
    def manifest(self) -> dict:
        """What produced this model: settings, preprocessing, sizes, versions (JSON-ready)."""
        self._require_fitted()
        import gensim
        import sklearn

        from .. import __version__

        params = {k: v for k, v in self.get_params(deep=False).items() if k != "preprocessor"}
        for key in ("alpha", "eta"):
            if not isinstance(params[key], (str, int, float, type(None))):
                params[key] = np.asarray(params[key]).tolist()
        return {
            "model": params,
            "preprocessing": self.preprocessor_.settings(),
            "n_documents": int(len(self.docs_)),
            "n_units": int(len(self.units_)),
            "n_dropped_units": len(self.dropped_units_),
            "n_terms": len(self.vocabulary_),
            "labels": list(self.labels_),
            "corpus_fingerprint": self.corpus_fingerprint_ if hasattr(self, "corpus_fingerprint_") else None,
            "versions": {"sco_discourse": __version__, "gensim": gensim.__version__,
                         "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                         **({"tomotopy": _tomotopy().__version__} if self.method == "tomotopy" else {})},
        }

    def save(self, directory: str | Path, *, extra: Callable[[Path], None] | None = None) -> Path:
        """Save to a folder: ``model.pkl`` (the fitted object) and ``model.json`` (its manifest).

        The folder is built beside its final place and replaces it as a whole, so an
        interrupt leaves the previous model (or none), never a truncated ``model.pkl``
        beside an older run's files. ``extra``, if given, is called with the new folder
        to add files of its own (the command line adds its tables). A folder holding
        files the new one would not contain is refused, so no file of yours is removed.

        The pickle is for reloading with :meth:`load` under the same package versions;
        load only models you made yourself (unpickling runs code).
        """
        from ..outputs import atomic_dir, exclusive

        self._require_fitted()
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise InputError(f"{directory}: is a file; a topic model is saved to a folder")
        if directory.exists() and directory.resolve() == Path.cwd().resolve():
            raise InputError(f"{directory}: the current folder cannot be replaced by a model folder; "
                             "name a new folder")
        with exclusive(directory), atomic_dir(directory) as tmp:
            with open(tmp / _MODEL_FILE, "wb") as fh:  # atomic: inside the folder swapped in whole
                pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
            (tmp / _MANIFEST_FILE).write_text(json.dumps(self.manifest(), indent=2, sort_keys=True) + "\n",
                                              encoding="utf-8")
            if extra is not None:
                extra(tmp)
            if directory.is_dir():
                new = {p.relative_to(tmp) for p in tmp.rglob("*")}
                lost = sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                              if p.relative_to(directory) not in new)
                if lost:
                    shown = ", ".join(lost[:5]) + (" ..." if len(lost) > 5 else "")
                    raise InputError(f"{directory}: holds files a model folder does not ({shown}); saving "
                                     "replaces the whole folder, so name a new or empty folder")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> "TopicModel":
        """Load a model saved with :meth:`save`."""
        path = Path(directory) / _MODEL_FILE
        if not path.is_file():
            raise InputError(f"{directory}: no saved topic model here (expected {_MODEL_FILE}; "
                             "make one with `sco-discourse topics fit --out DIR`)")
        try:
            with open(path, "rb") as fh:
                model = pickle.load(fh)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
                ValueError) as exc:
            raise InputError(f"{path}: cannot read the saved model ({type(exc).__name__}: {exc}); the file is "
                             "damaged or was written by another version: fit it again") from None
        if not isinstance(model, cls):
            raise InputError(f"{path}: not a TopicModel")
        if not hasattr(model, "docs_"):
            raise InputError(f"{path}: saved by an older version of sco_discourse (no documents table); fit the "
                             "model again")
        return model


# ---------------------------------------------------------------------- scores
def frex_scores(components: np.ndarray, *, weight: float = 0.5) -> np.ndarray:
    """FREX score of every term in every topic (harmonic mean of frequency and exclusivity ranks).

    For topic k and term w, exclusivity is ``beta[k, w] / sum_j beta[j, w]``; both it and
    the frequency ``beta[k, w]`` are turned into within-topic empirical CDF values (rank
    / number of terms, ties averaged) and combined as
    ``1 / (weight / F_freq + (1 - weight) / F_excl)``, as ``calcfrex`` in the R package stm.

    Parameters
    ----------
    components : array, shape (n_topics, n_terms)
        Topic–term weights.
    weight : float, default 0.5
        Weight of frequency (0 = exclusivity only, 1 = frequency only).

    Returns
    -------
    numpy.ndarray, shape (n_topics, n_terms), values in (0, 1]

    Examples
    --------
    >>> beta = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    >>> frex_scores(beta).round(3).tolist()
    [[1.0, 0.667, 0.333], [0.333, 0.667, 1.0]]

    References
    ----------
    Roberts, M. E., Stewart, B. M. & Airoldi, E. M. (2016). A model of text for
    experimentation in the social sciences. JASA 111(515). Bischof, J. & Airoldi, E. (2012).
    Summarizing topical content with word frequency and exclusivity. ICML.
    """
    from scipy.stats import rankdata

    if not 0 <= weight <= 1:
        raise InputError(f"frex weight must be between 0 and 1, got {weight!r}")
    beta = np.asarray(components, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        excl = beta / beta.sum(axis=0, keepdims=True)
    excl = np.nan_to_num(excl)
    n_terms = beta.shape[1]
    freq_cdf = rankdata(beta, axis=1) / n_terms
    excl_cdf = rankdata(excl, axis=1) / n_terms
    return 1.0 / (weight / freq_cdf + (1 - weight) / excl_cdf)


def exclusivity(components: np.ndarray, *, n: int = 10) -> np.ndarray:
    """Mean exclusivity of each topic's top ``n`` terms.

    Exclusivity of term w in topic k is ``beta[k, w] / sum_j beta[j, w]``: 1 when only
    topic k uses the term, 1/K when all topics use it equally.

    Returns
    -------
    numpy.ndarray, shape (n_topics,)

    Examples
    --------
    >>> exclusivity(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]), n=2).tolist()
    [0.75, 0.75]

    References
    ----------
    Bischof, J. & Airoldi, E. (2012). Summarizing topical content with word frequency and
    exclusivity. ICML. Roberts et al. (2016), see :func:`frex_scores`.
    """
    beta = np.asarray(components, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        excl = np.nan_to_num(beta / beta.sum(axis=0, keepdims=True))
    top = top_term_indices(beta, n)
    return np.take_along_axis(excl, top, axis=1).mean(axis=1)


# ---------------------------------------------------------------------- helpers
def top_term_indices(weights: np.ndarray, n: int) -> np.ndarray:
    """Per topic (row), the indices of its ``n`` highest weights, highest first; equal
    weights in term order, so ties are broken the same way every time.

    Examples
    --------
    >>> top_term_indices(np.array([[0.1, 0.5, 0.5, 0.2]]), 3).tolist()
    [[1, 2, 3]]
    """
    return np.argsort(-np.asarray(weights), axis=1, kind="stable")[:, :n]


def _tomotopy():
    try:
        import tomotopy
    except ImportError:
        raise InputError("method='tomotopy' needs the tomotopy package: pip install 'sco_discourse[tomotopy]' "
                         "(or pip install tomotopy)") from None
    return tomotopy


class _TomotopyBytes:
    """A tomotopy model in a pickle: its own serialisation (``LDAModel.saves``), as tomotopy cannot pickle."""

    def __init__(self, data: bytes):
        self.data = data


def _unit_words(counts: sp.csr_matrix, vocabulary: Sequence[str]):
    """Each row of a count matrix as a list of its terms, each repeated as often as counted (term order)."""
    counts = counts.tocsr()
    vocab = np.asarray(vocabulary, dtype=object)
    indptr, indices, data = counts.indptr, counts.indices, counts.data
    for i in range(counts.shape[0]):
        lo, hi = indptr[i], indptr[i + 1]
        order = np.argsort(indices[lo:hi], kind="stable")
        yield np.repeat(vocab[indices[lo:hi][order]], data[lo:hi][order]).tolist()


def _tomotopy_topics(model, vocabulary: Sequence[str]) -> np.ndarray:
    """Topic-term probabilities of a tomotopy model in the columns of ``vocabulary`` (0 for unseen terms)."""
    position = {term: j for j, term in enumerate(vocabulary)}
    columns = np.array([position[term] for term in model.used_vocabs], dtype=np.int64)
    topics = np.zeros((model.k, len(vocabulary)))
    for k in range(model.k):
        topics[k, columns] = model.get_topic_word_dist(k)
    return _normalise_rows(topics)


class _BowRows:
    """Rows of a CSR count matrix as gensim bag-of-words lists, made one at a time.

    A re-iterable corpus in gensim's sense: LDA training streams over it, so memory does
    not grow by a Python list of (id, count) tuples for every unit.
    """

    def __init__(self, counts: sp.csr_matrix):
        counts = counts.tocsr()
        counts.sort_indices()
        self.counts = counts

    def __len__(self) -> int:
        return self.counts.shape[0]

    def __iter__(self):
        indptr, indices, data = self.counts.indptr, self.counts.indices, self.counts.data
        for i in range(self.counts.shape[0]):
            lo, hi = indptr[i], indptr[i + 1]
            yield list(zip(indices[lo:hi].tolist(), data[lo:hi].tolist()))

    def chunks(self, size: int):
        for start in range(0, len(self), size):
            yield list(_BowRows(self.counts[start:start + size]))


def _deduplicated_input(X, dedupe):
    """``X`` with ``dedupe=`` applied: only a corpus can be deduplicated, and only by keeping copies out."""
    from ..corpus.duplicates import apply_dedupe, dedupe_options

    options = dedupe_options(dedupe, where="TopicModel.fit")
    if options is None:
        return X
    if options["keep"] == "weight":
        raise InputError("TopicModel.fit: topic models fit unweighted units, so dedupe='weight' cannot be honoured; "
                         "use dedupe='first' (the earliest copy of each cluster)")
    if isinstance(X, (pd.DataFrame, str)) or (isinstance(X, (list, tuple)) and X and isinstance(X[0], str)):
        raise InputError("TopicModel.fit: dedupe= applies to a corpus (documents with ids and dates); "
                         f"got {type(X).__name__}")
    return apply_dedupe(X, options, where="TopicModel.fit")


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row becomes uniform (no information about any topic)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    sums = matrix.sum(axis=1, keepdims=True)
    out = np.divide(matrix, sums, out=np.full_like(matrix, 1.0 / matrix.shape[1]), where=sums > 0)
    return out


def _checked_counts(counts, preprocessor, n_units: int, what: str) -> sp.csr_matrix:
    """``counts=`` of fit/transform checked against the (fitted) preprocessor and the units."""
    inner = preprocessor.estimator if isinstance(preprocessor, FrozenEstimator) else preprocessor
    if not hasattr(inner, "vocabulary_"):
        raise InputError(f"TopicModel.{what}: counts= are term counts of a fitted preprocessor; pass it as "
                         "preprocessor=FrozenEstimator(fitted_preprocessor) so fit uses it as it is")
    if not sp.issparse(counts) and not isinstance(counts, np.ndarray):
        raise InputError(f"TopicModel.{what}: counts must be a (sparse) matrix, got {type(counts).__name__}")
    expected = (n_units, len(inner.vocabulary_))
    if counts.shape != expected:
        raise InputError(f"TopicModel.{what}: counts have shape {counts.shape}, but there are {n_units} units and "
                         f"{expected[1]} vocabulary terms")
    counts = sp.csr_matrix(counts, dtype=np.int64)
    if counts.nnz and counts.data.min() < 0:
        raise InputError(f"TopicModel.{what}: counts must not be negative")
    if not counts.has_sorted_indices:  # sums must run in one order every time; the caller's matrix is left alone
        counts = counts.copy()
        counts.sort_indices()
    return counts
