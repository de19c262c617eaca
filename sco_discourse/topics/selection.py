"""How many topics? Coherence, exclusivity, stability across seeds and held-out perplexity.

:func:`sweep` fits one model per (K, seed) on the same preprocessed units and scores it:

* **coherence** of each topic's top terms (gensim ``CoherenceModel``: ``c_v``, ``c_npmi``,
  ``u_mass``), computed on the modelled units themselves (no external reference corpus,
  nothing downloaded);
* **exclusivity** of the top terms (:func:`~sco_discourse.topics.exclusivity`);
* **stability**: each run's topics are matched one-to-one to every other seed's topics at
  the same K (Hungarian algorithm on the Jaccard similarity of top-term sets) and the
  matched similarities averaged — 1 means every seed finds the same topics;
* **perplexity** of held-out units (LDA only; lower is better).

No single number picks K. Look for a K where coherence and stability are both high and
the topics read well (``topics show``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .models import TopicModel, exclusivity, top_term_indices
from .preprocess import Preprocessor
from .units import as_units

__all__ = ["COHERENCE_MEASURES", "CoherenceReference", "coherence", "early_stop_reached", "k_criterion",
           "select_k", "topic_similarity", "stability", "sweep", "sweep_summary"]

#: Coherence measures of gensim's ``CoherenceModel`` that :func:`sweep` reports.
COHERENCE_MEASURES = ("c_v", "c_npmi", "u_mass")


class CoherenceReference:
    """Reference texts of topic coherence, prepared once and reused for every topic set scored.

    The gensim ``Dictionary`` is built once from *all* texts (so a topic term is kept or
    dropped exactly as with the full texts), and the bag-of-words corpus of ``u_mass`` is
    made once. With ``sample``, co-occurrences are counted in a random sample of the texts
    (drawn once with ``random_state``, kept in their original order); a sample at least as
    large as the texts is the full set, and the scores are then those of the full texts.

    Parameters
    ----------
    texts : list of list of str
        The reference texts as terms (for a sweep: the modelled units after preprocessing).
    sample : int, optional
        Number of texts in which co-occurrences are counted (default: all).
    random_state : int, default 0
        Seed of the sample.

    Attributes
    ----------
    n_texts : int
        Number of texts given.
    sample_index : numpy.ndarray
        Positions of the texts counted, ascending.

    Examples
    --------
    >>> texts = [["tea", "cup"], ["tea", "cup"], ["rail", "train"], ["rail", "train"]]
    >>> ref = CoherenceReference(texts)
    >>> ref.score([["tea", "cup"], ["rail", "train"]], measure="u_mass", n=2).round(3).tolist()
    [0.0, 0.0]
    >>> len(CoherenceReference(texts, sample=2, random_state=1).sample_index)
    2
    """

    def __init__(self, texts: Sequence[Sequence[str]], *, sample: int | None = None, random_state: int = 0):
        from gensim.corpora import Dictionary

        if sample is not None and (isinstance(sample, bool) or not isinstance(sample, (int, np.integer))
                                   or sample < 1):
            raise InputError(f"coherence: the sample size must be a positive number of texts, got {sample!r}")
        texts = [list(t) for t in texts]
        self.n_texts = len(texts)
        self.dictionary = Dictionary(texts)
        if sample is None or sample >= len(texts):
            self.sample_index = np.arange(len(texts))
        else:
            rng = np.random.default_rng(random_state)
            self.sample_index = np.sort(rng.choice(len(texts), size=int(sample), replace=False))
        self.texts = [texts[i] for i in self.sample_index]
        self._bow = None

    def score(self, topics: Sequence[Sequence[str]], *, measure: str = "c_v", n: int = 10) -> np.ndarray:
        """Coherence of each topic's top ``n`` terms (see :func:`coherence`).

        Many topic sets are best scored in one call (concatenated): the texts are read
        once for all of them, and each topic's score depends only on its own terms.
        """
        from gensim.models import CoherenceModel

        if measure not in ("c_v", "c_npmi", "u_mass", "c_uci"):
            raise InputError(f"coherence: unknown measure {measure!r}; use c_v, c_npmi, u_mass or c_uci")
        topics = [[t for t in topic if t in self.dictionary.token2id][:n] for topic in topics]
        if measure == "u_mass":
            if self._bow is None:
                self._bow = [self.dictionary.doc2bow(t) for t in self.texts]
            kwargs = {"corpus": self._bow}
        else:
            kwargs = {"texts": self.texts}
        model = CoherenceModel(topics=topics, dictionary=self.dictionary, coherence=measure, topn=n, processes=1,
                               **kwargs)
        return np.asarray(model.get_coherence_per_topic(), dtype=float)


def coherence(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], *, measure: str = "c_v",
              n: int = 10, sample: int | None = None, random_state: int = 0) -> np.ndarray:
    """Coherence of each topic's top terms, measured on tokenised texts.

    Parameters
    ----------
    topics : list of list of str
        Top terms of each topic, best first.
    texts : list of list of str
        The reference texts as terms (for a fitted model: the units it was fitted on,
        ``model.preprocessor_.transform_tokens(model.units_["text"])``).
    measure : {"c_v", "c_npmi", "u_mass", "c_uci"}
    n : int, default 10
        Top terms per topic used.
    sample : int, optional
        Count co-occurrences in a random sample of this many texts (default: all; see
        :class:`CoherenceReference`). To score many topic sets against the same texts,
        make one :class:`CoherenceReference` and call its ``score``.
    random_state : int, default 0
        Seed of the sample.

    Returns
    -------
    numpy.ndarray, shape (n_topics,)

    Examples
    --------
    >>> texts = [["tea", "cup"], ["tea", "cup"], ["rail", "train"], ["rail", "train"]]
    >>> coherence([["tea", "cup"], ["rail", "train"]], texts, measure="u_mass", n=2).round(3).tolist()
    [0.0, 0.0]

    References
    ----------
    Röder, M., Both, A. & Hinneburg, A. (2015). Exploring the space of topic coherence
    measures. WSDM. Mimno, D. et al. (2011). Optimizing semantic coherence in topic models.
    EMNLP (u_mass).
    """
    if measure not in ("c_v", "c_npmi", "u_mass", "c_uci"):
        raise InputError(f"coherence: unknown measure {measure!r}; use c_v, c_npmi, u_mass or c_uci")
    return CoherenceReference(texts, sample=sample, random_state=random_state).score(topics, measure=measure, n=n)

def topic_similarity(topics_a: Sequence[Sequence[str]], topics_b: Sequence[Sequence[str]]) -> np.ndarray:
    """Best one-to-one matching of two topic sets by the Jaccard similarity of their term sets.

    Returns
    -------
    numpy.ndarray
        For each topic of ``topics_a``, the Jaccard similarity to the topic of
        ``topics_b`` it is matched with (Hungarian algorithm, maximising the total).

    Examples
    --------
    >>> topic_similarity([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "e"]]).round(3).tolist()
    [0.333, 1.0]

    References
    ----------
    Greene, D., O'Callaghan, D. & Cunningham, P. (2014). How many topics? Stability
    analysis for topic models. ECML PKDD.
    """
    from scipy.optimize import linear_sum_assignment

    sets_a = [set(t) for t in topics_a]
    sets_b = [set(t) for t in topics_b]
    sim = np.array([[len(a & b) / len(a | b) if a | b else 1.0 for b in sets_b] for a in sets_a])
    rows, cols = linear_sum_assignment(-sim)
    out = np.zeros(len(sets_a))
    out[rows] = sim[rows, cols]
    return out


def stability(runs: Sequence[Sequence[Sequence[str]]]) -> np.ndarray:
    """Per run: mean best-match similarity of its topics to each other run's topics.

    Parameters
    ----------
    runs : list of topic sets
        Top terms of every topic of every run (e.g. one run per seed).

    Returns
    -------
    numpy.ndarray, shape (n_runs,)
        NaN with fewer than two runs.

    Examples
    --------
    >>> stability([[["a", "b"], ["c", "d"]], [["a", "b"], ["c", "d"]], [["a", "c"], ["b", "d"]]]).round(3).tolist()
    [0.667, 0.667, 0.333]
    """
    n = len(runs)
    if n < 2:
        return np.full(n, np.nan)
    pair = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            pair[i, j] = pair[j, i] = topic_similarity(runs[i], runs[j]).mean()
    return pair.sum(axis=1) / (n - 1)


def sweep(X, ks: Iterable[int], *, seeds: int | Sequence[int] = 5, method: str = "lda",
          measures: Sequence[str] = COHERENCE_MEASURES, n_terms: int = 10, heldout: float = 0.1,
          sample_fraction: float = 1.0, random_state: int = 0, preprocessor: Preprocessor | None = None,
          unit: str = "paragraph", window: int = 200, min_tokens: int = 10, n_jobs: int = 1,
          coherence_sample: int | None = None, early_stop: int | None = 2, progress: bool = True,
          **model_options) -> pd.DataFrame:
    """Fit and score one topic model per (K, seed).

    Parameters
    ----------
    X : Corpus, unit table or list of texts
        As :meth:`TopicModel.fit` takes it.
    ks : iterable of int
        Numbers of topics to try (fitted in ascending order).
    seeds : int or sequence of int, default 5
        Seeds per K (an int n means seeds ``random_state .. random_state + n - 1``).
    method : {"lda", "nmf", "lda_multicore", "tomotopy"}
    measures : sequence of str
        Coherence measures (the first is also reported as ``coherence``).
    n_terms : int, default 10
        Top terms per topic for coherence, exclusivity and stability.
    heldout : float, default 0.1
        Share of units held out (the same units for every run, drawn with
        ``random_state``); models are fitted on the rest and LDA's perplexity is
        measured on them. 0 fits on all units.
    sample_fraction : float, default 1.0
        Fit each run on a random share of the training units drawn with its seed
        (Greene et al. 2014 use 0.8). NMF's default initialisation ignores the seed, so
        for NMF stability across seeds is only informative with ``sample_fraction < 1``.
    random_state : int, default 0
        Seed of the held-out split, of the coherence sample and first model seed.
    preprocessor, unit, window, min_tokens
        As for :class:`TopicModel`; the vocabulary is learned once from all units.
    n_jobs : int, default 1
        Worker processes fitting and scoring runs at the same time (-1: one per core).
        The table does not depend on it: every run is a function of its K and seed
        alone, and each uses one BLAS thread.
    coherence_sample : int or None, default None
        Count the co-occurrences of coherence in a random sample of this many units
        (drawn once with ``random_state``; see :class:`CoherenceReference`). ``None``
        uses all units; with fewer units than this, all are used. Check that a sample
        ranks the Ks as all units do before relying on it (``benchmarks/bench_ksweep.py``
        does): on 20,000 UN General Debate paragraphs a 6,000-paragraph sample did
        *not* (C_V shifts with the number of texts counted, and the selected K changed
        from 15 to 5), so all units are the default.
    early_stop : int or None, default 2
        Stop when the choice of K is clear: after ``early_stop`` consecutive Ks that all
        score clearly below the best K so far (see Notes). ``None`` or 0 fits every K.
    progress : bool, default True
        Show a progress bar.
    **model_options
        Further :class:`TopicModel` settings (``passes``, ``iterations``, ``alpha``, ...).
        For NMF the sweep's default is ``nmf_dtype="float32"`` (see Notes); pass
        ``nmf_dtype="float64"`` for exactly the fits of :class:`TopicModel`'s default.

    Returns
    -------
    pandas.DataFrame
        One row per (K, seed): ``method, k, seed, coherence`` (the first measure),
        ``coherence_<measure>`` for each measure, ``exclusivity`` (mean over topics),
        ``stability`` (mean matched Jaccard similarity to the other seeds' topics at this
        K), ``perplexity`` (held-out, LDA; NaN otherwise), ``n_units`` (fitted),
        ``n_heldout``, ``n_terms`` (vocabulary size). ``attrs["selected_k"]`` is
        :func:`select_k` of the table; ``attrs["ks_skipped"]`` lists the Ks not fitted
        because the sweep stopped early.

    Notes
    -----
    The units are made and analysed once (:meth:`Preprocessor.fit_transform_tokens`: the
    counts of the models and the terms of coherence from one pass); every run is
    ``clone(template).set_params(n_topics=k, random_state=seed)`` fitted on its units'
    rows of the one count matrix (``fit(units, counts=...)`` with the preprocessor passed
    frozen), so runs differ only in K, seed and sample. The coherence reference (the
    dictionary, the sampled texts) is built once, and the topics of all seeds of a K are
    scored in one pass over the texts (a topic's score depends on its own terms only).

    **NMF in float32.** An NMF run is almost all scikit-learn's coordinate-descent solver
    (sparse products with the tf-idf matrix); in single precision it runs about 1.5 times
    faster. The tf-idf weights are computed in float64 and cast, and the solver stops
    after the same number of iterations, give or take one. On the 65,936 paragraphs of the
    2013–2024 UN General Debate speeches (``benchmarks/bench_ksweep.py sweep``) the
    float32 sweep selected the same K as the float64 one and ranked the Ks alike (see the
    README); its scores differ in the last digits, and a topic's 10th and 11th terms can
    swap when their weights nearly tie. A looser solver tolerance was not adopted: at
    ``tol=3e-4`` the top-10 term sets changed for 1 of 25 topics.

    **Early stopping.** The criterion of :func:`select_k` is, per K, the mean over seeds
    of ``coherence + stability``; its standard error is the standard deviation over seeds
    divided by the square root of the number of seeds (0 with one seed). Ks are fitted in
    ascending order. After each K, let K* be the best K so far; the sweep stops when the
    last ``early_stop`` Ks all come after K* and each scores below it by more than twice
    the standard error of the difference, ``2 * sqrt(se(K*)**2 + se(K)**2)``. The larger
    Ks are then not fitted. The rule assumes the criterion does not climb again past a
    clear decline; set ``early_stop=None`` to fit the whole grid.

    Examples
    --------
    >>> texts = ["tea leaf tea cup leaf"] * 6 + ["rail train track rail"] * 6
    >>> table = sweep(texts, [1, 2], seeds=2, method="nmf", heldout=0, progress=False, sample_fraction=0.9,
    ...               preprocessor=Preprocessor(phrases=False, max_df=1.0), measures=["u_mass"])
    >>> table[["k", "seed"]].values.tolist(), table["stability"].tolist()
    ([[1, 0], [1, 1], [2, 0], [2, 1]], [1.0, 1.0, 1.0, 1.0])
    """
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator
    from tqdm.auto import tqdm

    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1:
        raise InputError(f"topic sweep: give numbers of topics >= 1, got {ks}")
    ks = sorted(set(ks))
    seed_list = list(range(random_state, random_state + seeds)) if isinstance(seeds, (int, np.integer)) \
        else [int(s) for s in seeds]
    if not seed_list:
        raise InputError("topic sweep: give at least one seed")
    if not 0 <= heldout < 1 or not 0 < sample_fraction <= 1:
        raise InputError(f"topic sweep: heldout must be in [0, 1) and sample_fraction in (0, 1], "
                         f"got {heldout!r}, {sample_fraction!r}")
    if early_stop is not None and (isinstance(early_stop, bool) or not isinstance(early_stop, (int, np.integer))
                                   or early_stop < 0):
        raise InputError(f"topic sweep: early_stop must be a number of Ks >= 0 (or None), got {early_stop!r}")
    n_jobs = _n_workers(n_jobs)
    measures = list(measures)
    if (method == "nmf" and sample_fraction == 1 and len(seed_list) > 1
            and model_options.get("nmf_init", "nndsvda") in ("nndsvd", "nndsvda")):
        warnings.warn("topic sweep: NMF with an NNDSVD initialisation ignores the seed, so on the same units "
                      "every seed gives the same topics (but for rounding) and stability is 1 by construction; use "
                      "sample_fraction=0.8 (or nmf_init='random') to measure stability", UserWarning, stacklevel=2)
    if method == "nmf":
        model_options.setdefault("nmf_dtype", "float32")  # same ranking of the Ks, 1.5x faster (see Notes)
    pre = clone(preprocessor) if preprocessor is not None else Preprocessor()
    units, _ = as_units(X, unit=unit, window=window, min_tokens=min_tokens)
    # one analysis of the texts gives the counts of the models and the terms of coherence
    counts, tokens = pre.fit_transform_tokens(units["text"])
    # the reference texts of coherence, prepared once for every run
    reference = CoherenceReference(tokens, sample=coherence_sample, random_state=random_state)
    del tokens
    template = TopicModel(ks[0], method=method, random_state=seed_list[0], unit=unit, window=window,
                          min_tokens=min_tokens, preprocessor=FrozenEstimator(pre), **model_options)
    template._check_params()  # a bad option is reported here, not from inside a worker

    n_units = counts.shape[0]
    order = np.random.default_rng(random_state).permutation(n_units)
    n_heldout = int(round(heldout * n_units))
    held_idx = np.sort(order[:n_heldout])
    train_idx = np.sort(order[n_heldout:])
    n_held_scored = int((counts[held_idx].getnnz(axis=1) > 0).sum()) if n_heldout else 0
    # the runs need the counts, not the texts (units_ of the sweep's models are not shown)
    state = {"template": template, "units": units.assign(text=""), "counts": counts, "train_idx": train_idx,
             "held_idx": held_idx, "sample_fraction": sample_fraction, "n_terms": n_terms,
             "perplexity": method != "nmf" and n_held_scored > 0, "reference": reference}

    bar = tqdm(total=len(ks) * len(seed_list), desc="topic sweep", disable=not progress)
    runs: dict[tuple[int, int], dict] = {}
    scores: dict[tuple[int, str], np.ndarray] = {}

    def scoring(k: int) -> list:
        """The coherence passes of K once all its seeds are fitted: all their topics in one pass."""
        if not all((k, s) in runs for s in seed_list):
            return []
        topics = [topic for s in seed_list for topic in runs[k, s]["top"]]
        return [("score", k, measure, topics) for measure in measures]

    def table_of(ks_done):
        return _rows(ks_done, seed_list, runs, scores, measures, method, n_held_scored, len(pre.vocabulary_))

    ks_fitted = ks
    n_decided = 0  # Ks, from the smallest, for which the early-stopping rule was checked
    with _Runner(state, n_jobs) as runner:
        for kind, _, _ in runner.run([("fit", k, seed) for k in ks for seed in seed_list], scoring, runs, scores):
            if kind == "fit":
                bar.update()
                continue
            if not early_stop:
                continue
            # decide in K order, one K at a time, so the table does not depend on which run finished first
            while n_decided < len(ks) and all((ks[n_decided], m) in scores for m in measures):
                n_decided += 1
                if early_stop_reached(table_of(ks[:n_decided]), patience=early_stop):
                    ks_fitted = ks[:n_decided]
                    runner.stop()
                    break
            if runner.stopped:
                break
    bar.close()
    unmeasured = sum(int(np.isnan(scores[k, m]).sum()) for k in ks_fitted for m in measures)
    if unmeasured:
        warnings.warn(f"topic sweep: {unmeasured} topic coherence score(s) could not be measured (their top terms "
                      f"never occur together in the {len(reference.sample_index)} units counted) and were left out "
                      "of the means; count more units (coherence_sample, --coherence-sample)", UserWarning,
                      stacklevel=2)
    table = _rows(ks_fitted, seed_list, runs, scores, measures, method, n_held_scored, len(pre.vocabulary_))
    table.attrs["selected_k"] = select_k(table)
    table.attrs["ks_skipped"] = [k for k in ks if k not in ks_fitted]
    return table


def _rows(ks, seed_list, runs, scores, measures, method, n_held_scored, n_vocabulary) -> pd.DataFrame:
    """The sweep table of the Ks given, from the finished runs and coherence scores."""
    rows = []
    for k in ks:
        tops = [runs[k, s]["top"] for s in seed_list]
        for i, (seed, value) in enumerate(zip(seed_list, stability(tops))):
            run = runs[k, seed]
            row = {"method": method, "k": k, "seed": seed, "coherence": float("nan")}
            for measure in measures:
                per_topic = scores[k, measure][i * k:(i + 1) * k]
                # a topic none of whose sampled co-occurrences exist scores NaN; it is left out of the mean
                row[f"coherence_{measure}"] = float(np.nanmean(per_topic)) if np.isfinite(per_topic).any() \
                    else float("nan")
            row.update(exclusivity=run["exclusivity"], stability=float(value), perplexity=run["perplexity"],
                       n_units=run["n_units"], n_heldout=n_held_scored, n_terms=n_vocabulary)
            rows.append(row)
    columns = ["method", "k", "seed", "coherence", *[f"coherence_{m}" for m in measures], "exclusivity",
               "stability", "perplexity", "n_units", "n_heldout", "n_terms"]
    table = pd.DataFrame(rows, columns=columns)
    table["coherence"] = table[f"coherence_{measures[0]}"]
    return table


def k_criterion(table: pd.DataFrame) -> pd.DataFrame:
    """Per K, the selection criterion of :func:`select_k` and its standard error over seeds.

    The criterion of a run is ``coherence + stability`` (stability counts 0 when there is
    only one seed, as it is then undefined for every K alike).

    Returns
    -------
    pandas.DataFrame
        ``k, n_seeds, criterion`` (mean over seeds), ``se`` (standard deviation over seeds
        divided by the square root of their number; 0 with one seed), sorted by K.

    Examples
    --------
    >>> table = pd.DataFrame({"k": [2, 2, 3, 3], "coherence": [0.5, 0.7, 0.4, 0.4],
    ...                       "stability": [1.0, 1.0, 0.5, 0.7]})
    >>> k_criterion(table).round(3).values.tolist()
    [[2.0, 2.0, 1.6, 0.1], [3.0, 2.0, 1.0, 0.1]]
    """
    run = table["coherence"] + table["stability"].fillna(0.0)
    grouped = run.groupby(table["k"], sort=True)
    out = grouped.agg(n_seeds="size", criterion="mean").reset_index()
    sd = grouped.std(ddof=1).fillna(0.0).to_numpy()
    out["se"] = sd / np.sqrt(out["n_seeds"].to_numpy())
    return out


def select_k(table: pd.DataFrame) -> int:
    """The K of a :func:`sweep` table with the best mean of coherence + stability.

    The first coherence measure of the sweep (``coherence``) is used; ties go to the
    smaller K. Read the topics too (``topics show``): the rule is a starting point.

    Examples
    --------
    >>> table = pd.DataFrame({"k": [2, 2, 3, 3], "coherence": [0.5, 0.7, 0.4, 0.4],
    ...                       "stability": [1.0, 1.0, 0.5, 0.7]})
    >>> select_k(table)
    2
    """
    crit = k_criterion(table)
    if crit["criterion"].isna().all():
        raise InputError("select_k: no K has a coherence score (the table is empty or every score is NaN)")
    return int(crit.loc[crit["criterion"].idxmax(), "k"])


def early_stop_reached(table: pd.DataFrame, *, patience: int = 2) -> bool:
    """Whether :func:`sweep` stops after the Ks of ``table`` (the rule is in its Notes).

    True when the last ``patience`` Ks (in ascending order) all come after the best K
    so far and each scores below it by more than ``2 * sqrt(se_best**2 + se_k**2)``
    (criterion and standard errors of :func:`k_criterion`).

    Examples
    --------
    >>> table = pd.DataFrame({"k": [2, 3, 4, 5], "coherence": [0.5, 0.9, 0.6, 0.4], "stability": 1.0})
    >>> early_stop_reached(table, patience=2), early_stop_reached(table, patience=3)
    (True, False)
    """
    crit = k_criterion(table)
    if len(crit) <= patience:
        return False
    values = crit["criterion"].to_numpy()
    if np.isnan(values).all():
        return False
    best = int(np.nanargmax(values))
    last = crit.iloc[-patience:]
    if best >= len(crit) - patience:
        return False
    gap = crit["criterion"].iloc[best] - last["criterion"]
    margin = 2 * np.sqrt(crit["se"].iloc[best] ** 2 + last["se"] ** 2)
    return bool((gap > margin).all())


def _n_workers(n_jobs) -> int:
    import os

    if n_jobs is None or n_jobs == 0:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise InputError(f"topic sweep: n_jobs must be an integer, got {n_jobs!r}")
    return int(n_jobs) if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))


# ---------------------------------------------------------------------- the runs of a sweep
_STATE: dict = {}


def _init_worker(state: dict) -> None:
    _STATE.clear()
    _STATE.update(state)


def _task(task: tuple):
    """One fit (``("fit", k, seed)``) or one coherence pass (``("score", k, measure, topics)``)."""
    from threadpoolctl import threadpool_limits

    state = _STATE
    with threadpool_limits(1), warnings.catch_warnings():
        # one BLAS thread per run: the numbers do not depend on how many runs share the machine
        warnings.simplefilter("ignore", UserWarning)
        if task[0] == "score":
            _, k, measure, topics = task
            return state["reference"].score(topics, measure=measure, n=state["n_terms"])
        return _fit_run(state, task[1], task[2])


def _fit_run(state: dict, k: int, seed: int) -> dict:
    from sklearn.base import clone

    idx = state["train_idx"]
    if state["sample_fraction"] < 1:
        rng = np.random.default_rng(seed)
        idx = np.sort(rng.choice(idx, size=max(2, int(round(state["sample_fraction"] * len(idx)))), replace=False))
    counts, units = state["counts"], state["units"]
    model = clone(state["template"]).set_params(n_topics=k, random_state=seed)
    model.fit(units.iloc[idx].reset_index(drop=True), counts=counts[idx])
    # the top terms as topic_terms gives them, without building its table
    order = top_term_indices(model.components_, state["n_terms"])
    vocabulary = np.asarray(model.vocabulary_, dtype=object)
    top = [vocabulary[row].tolist() for row in order]
    held = state["held_idx"]
    perplexity = (model.perplexity(units.iloc[held].reset_index(drop=True), counts=counts[held])
                  if state["perplexity"] else float("nan"))
    return {"top": top, "exclusivity": float(np.mean(exclusivity(model.components_, n=state["n_terms"]))),
            "perplexity": perplexity, "n_units": len(model.units_)}


class _Runner:
    """Runs the fits of a sweep, and each K's coherence pass as soon as all its seeds are fitted.

    With one worker everything runs here, in order. With more, a process pool (the
    state sent once to each worker) keeps every worker busy; coherence passes go first,
    so that the early-stopping decision for a K comes as soon as possible.
    """

    def __init__(self, state: dict, n_jobs: int):
        self.state, self.n_jobs, self.pool, self.stopped = state, n_jobs, None, False

    def __enter__(self):
        if self.n_jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.n_jobs, initializer=_init_worker,
                                            initargs=(self.state,))
        else:
            _init_worker(self.state)
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            if self.stopped or exc[0] is not None:
                # fits of Ks past the early stop (or after an error) are not used: end them now
                # instead of waiting for them (a large-K fit takes longer than any other task);
                # Python 3.14 has a method for it, earlier versions only the pool's processes
                terminate = getattr(self.pool, "terminate_workers", None)
                if terminate is not None:
                    terminate()
                else:
                    for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                        process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
        _STATE.clear()
        return False

    def stop(self) -> None:
        self.stopped = True

    def run(self, fits: list, scoring, runs: dict, scores: dict):
        """Yield ``(kind, key, result)`` as tasks finish; ``scoring(k)`` gives the coherence tasks of a K.

        Results are stored in ``runs`` (by K and seed) and ``scores`` (by K and measure)
        before being yielded.
        """
        from collections import deque

        fits = deque(fits)
        queue: deque = deque()
        if self.pool is None:
            while fits and not self.stopped:
                _, k, seed = task = fits.popleft()
                runs[k, seed] = _task(task)
                yield "fit", (k, seed), runs[k, seed]
                queue.extend(scoring(k))
                while queue and not self.stopped:
                    task = queue.popleft()
                    scores[task[1], task[2]] = _task(task)
                    yield "score", (task[1], task[2]), scores[task[1], task[2]]
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        pending = {}
        while (fits or queue or pending) and not self.stopped:
            while len(pending) < self.n_jobs and (queue or fits):
                task = queue.popleft() if queue else fits.popleft()
                pending[self.pool.submit(_task, task)] = task
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f][:3]):
                task = pending.pop(future)
                if task[0] == "fit":
                    runs[task[1], task[2]] = future.result()
                    yield "fit", (task[1], task[2]), runs[task[1], task[2]]
                    queue.extend(scoring(task[1]))
                else:
                    scores[task[1], task[2]] = future.result()
                    yield "score", (task[1], task[2]), scores[task[1], task[2]]
                if self.stopped:
                    return


def sweep_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of every metric of a :func:`sweep` table, per K.

    Returns
    -------
    pandas.DataFrame
        ``method, k, n_seeds``, then ``<metric>_mean`` and ``<metric>_sd`` for each
        metric column of the sweep (coherence columns, exclusivity, stability, perplexity).
    """
    metrics = [c for c in table.columns if c.startswith("coherence") or c in ("exclusivity", "stability",
                                                                               "perplexity")]
    grouped = table.groupby(["method", "k"], sort=True)
    out = grouped.size().rename("n_seeds").reset_index()
    for metric in metrics:
        out[f"{metric}_mean"] = grouped[metric].mean().to_numpy()
        out[f"{metric}_sd"] = grouped[metric].std(ddof=1).to_numpy()
    return out
