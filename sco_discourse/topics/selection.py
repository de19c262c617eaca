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
from .models import TopicModel, exclusivity
from .preprocess import Preprocessor
from .units import as_units

__all__ = ["COHERENCE_MEASURES", "coherence", "topic_similarity", "stability", "sweep", "sweep_summary"]

#: Coherence measures of gensim's ``CoherenceModel`` that :func:`sweep` reports.
COHERENCE_MEASURES = ("c_v", "c_npmi", "u_mass")


def coherence(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], *, measure: str = "c_v",
              n: int = 10) -> np.ndarray:
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
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    if measure not in ("c_v", "c_npmi", "u_mass", "c_uci"):
        raise InputError(f"coherence: unknown measure {measure!r}; use c_v, c_npmi, u_mass or c_uci")
    texts = [list(t) for t in texts]
    dictionary = Dictionary(texts)
    topics = [[t for t in topic if t in dictionary.token2id][:n] for topic in topics]
    kwargs = {"texts": texts} if measure != "u_mass" else {"corpus": [dictionary.doc2bow(t) for t in texts]}
    model = CoherenceModel(topics=topics, dictionary=dictionary, coherence=measure, topn=n, processes=1,
                           **kwargs)
    return np.asarray(model.get_coherence_per_topic(), dtype=float)


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
          unit: str = "paragraph", window: int = 200, min_tokens: int = 10, progress: bool = True,
          **model_options) -> pd.DataFrame:
    """Fit and score one topic model per (K, seed).

    Parameters
    ----------
    X : Corpus, unit table or list of texts
        As :meth:`TopicModel.fit` takes it.
    ks : iterable of int
        Numbers of topics to try.
    seeds : int or sequence of int, default 5
        Seeds per K (an int n means seeds ``random_state .. random_state + n - 1``).
    method : {"lda", "nmf", "lda_multicore"}
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
        Seed of the held-out split and first model seed.
    preprocessor, unit, window, min_tokens
        As for :class:`TopicModel`; the vocabulary is learned once from all units.
    progress : bool, default True
        Show a progress bar.
    **model_options
        Further :class:`TopicModel` settings (``passes``, ``iterations``, ``alpha``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per (K, seed): ``method, k, seed, coherence`` (the first measure),
        ``coherence_<measure>`` for each measure, ``exclusivity`` (mean over topics),
        ``stability`` (mean matched Jaccard similarity to the other seeds' topics at this
        K), ``perplexity`` (held-out, LDA; NaN otherwise), ``n_units`` (fitted),
        ``n_heldout``, ``n_terms`` (vocabulary size).

    Notes
    -----
    The units are made and preprocessed once; every run is
    ``clone(template).set_params(n_topics=k, random_state=seed)`` fitted on its units'
    rows of the one count matrix (``fit(units, counts=...)`` with the preprocessor passed
    frozen), so runs differ only in K, seed and sample.

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
    seed_list = list(range(random_state, random_state + seeds)) if isinstance(seeds, (int, np.integer)) \
        else [int(s) for s in seeds]
    if not seed_list:
        raise InputError("topic sweep: give at least one seed")
    if not 0 <= heldout < 1 or not 0 < sample_fraction <= 1:
        raise InputError(f"topic sweep: heldout must be in [0, 1) and sample_fraction in (0, 1], "
                         f"got {heldout!r}, {sample_fraction!r}")
    measures = list(measures)
    if (method == "nmf" and sample_fraction == 1 and len(seed_list) > 1
            and model_options.get("nmf_init", "nndsvda") in ("nndsvd", "nndsvda")):
        warnings.warn("topic sweep: NMF with an NNDSVD initialisation ignores the seed, so on the same units "
                      "every seed gives the same topics and stability is 1 by construction; use "
                      "sample_fraction=0.8 (or nmf_init='random') to measure stability", UserWarning, stacklevel=2)
    pre = clone(preprocessor) if preprocessor is not None else Preprocessor()
    units, _ = as_units(X, unit=unit, window=window, min_tokens=min_tokens)
    counts = pre.fit_transform(units["text"])
    texts = pre.transform_tokens(units["text"])  # the reference texts of coherence
    template = TopicModel(ks[0], method=method, random_state=seed_list[0], unit=unit, window=window,
                          min_tokens=min_tokens, preprocessor=FrozenEstimator(pre), **model_options)

    n_units = counts.shape[0]
    order = np.random.default_rng(random_state).permutation(n_units)
    n_heldout = int(round(heldout * n_units))
    held_idx = np.sort(order[:n_heldout])
    train_idx = np.sort(order[n_heldout:])
    held_units = units.iloc[held_idx].reset_index(drop=True)
    n_held_scored = int((counts[held_idx].getnnz(axis=1) > 0).sum()) if n_heldout else 0

    rows = []
    bar = tqdm(total=len(ks) * len(seed_list), desc="topic sweep", disable=not progress)
    for k in ks:
        runs = []
        for seed in seed_list:
            idx = train_idx
            if sample_fraction < 1:
                rng = np.random.default_rng(seed)
                idx = np.sort(rng.choice(train_idx, size=max(2, int(round(sample_fraction * len(train_idx)))),
                                         replace=False))
            model = clone(template).set_params(n_topics=k, random_state=seed)
            model.fit(units.iloc[idx].reset_index(drop=True), counts=counts[idx])
            top = [g["term"].tolist() for _, g in model.topic_terms(n_terms).groupby("topic", sort=True)]
            runs.append(top)
            row = {"method": method, "k": k, "seed": seed}
            for measure in measures:
                row[f"coherence_{measure}"] = float(np.mean(coherence(top, texts, measure=measure, n=n_terms)))
            row["exclusivity"] = float(np.mean(exclusivity(model.components_, n=n_terms)))
            row["perplexity"] = (model.perplexity(held_units, counts=counts[held_idx])
                                 if method != "nmf" and n_held_scored else float("nan"))
            row.update(n_units=len(model.units_), n_heldout=n_held_scored, n_terms=len(pre.vocabulary_))
            rows.append(row)
            bar.update()
        for row, value in zip(rows[-len(seed_list):], stability(runs)):
            row["stability"] = float(value)
    bar.close()
    table = pd.DataFrame(rows)
    table.insert(3, "coherence", table[f"coherence_{measures[0]}"])
    columns = ["method", "k", "seed", "coherence", *[f"coherence_{m}" for m in measures], "exclusivity",
               "stability", "perplexity", "n_units", "n_heldout", "n_terms"]
    return table[columns]


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
