"""Topic models: units, preprocessing, planted-topic recovery, determinism, persistence, FREX."""

import datetime
import hashlib
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from sco_discourse import Corpus, Document
from sco_discourse.errors import InputError
from sco_discourse.topics import Preprocessor, TopicModel, exclusivity, frex_scores, make_units

# Three planted topics with disjoint vocabularies (a block-diagonal unit-term matrix, as in
# scikit-learn's own LDA tests): every unit draws its words from one block only.
BLOCKS = [
    ["apple", "banana", "cherry", "grape", "mango"],
    ["rail", "train", "track", "station", "ticket"],
    ["rain", "cloud", "storm", "wind", "snow"],
]


def planted_texts(n_per_block=12, length=25, seed=0):
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for i in range(n_per_block):
        for b, words in enumerate(BLOCKS):
            texts.append(" ".join(rng.choice(words, size=length)))
            truth.append(b)
    return texts, np.array(truth)


PLAIN = dict(phrases=False, min_df=1, max_df=1.0)


def doc(doc_id, text, year=2021):
    return Document(doc_id, text, date=datetime.date(year, 1, 1))


# --------------------------------------------------------------------------- units
def test_paragraph_units_cover_text_and_merge_short_lines():
    text = "Headline\n\nFirst paragraph has exactly seven tokens here.\n\nTiny.\nLast paragraph with six tokens now."
    units = make_units([doc("d", text)], min_tokens=5)
    # the headline (1 token) merges into the first paragraph, "Tiny." into the last one
    assert units["unit_id"].tolist() == ["d/p0", "d/p1"]
    for row in units.itertuples():
        assert row.text == text[row.start:row.end]
    assert units["text"].tolist() == ["Headline\n\nFirst paragraph has exactly seven tokens here.",
                                      "Tiny.\nLast paragraph with six tokens now."]
    assert units["n_tokens"].tolist() == [8, 7]
    assert units["year"].tolist() == [2021, 2021]


def test_document_and_window_units():
    text = " ".join(f"w{i}" for i in range(25))
    docs = [doc("a", text), doc("b", "")]
    assert make_units(docs, unit="document")["unit_id"].tolist() == ["a"]  # no tokens, no unit
    windows = make_units(docs, unit="window", window=10, min_tokens=1)
    assert windows["n_tokens"].tolist() == [10, 10, 5]
    assert windows["text"].iloc[2] == "w20 w21 w22 w23 w24"


def test_bad_unit_options_name_the_option():
    with pytest.raises(InputError, match="unknown unit 'sentence'"):
        make_units([doc("a", "x")], unit="sentence")
    with pytest.raises(InputError, match="window"):
        make_units([doc("a", "x")], unit="window", window=0)


# --------------------------------------------------------------------------- preprocessing
def test_phrases_join_codebook_terms_after_stop_word_removal():
    texts = ["The Belt and Road links Asia with the Shanghai Spirit."] * 3 + ["Road works in Asia.", "A belt."]
    pre = Preprocessor(phrase_min_count=2, min_df=1, max_df=1.0).fit(texts)
    assert pre.analyze("Belt and Road and the Shanghai Spirit") == ["belt_road", "shanghai_spirit"]
    kept = Preprocessor(phrase_min_count=2, min_df=1, max_df=1.0, remove_stop_words=False).fit(texts)
    assert "belt_and_road" in kept.analyze("the Belt and Road")
    assert {"belt_road", "shanghai_spirit"} <= set(pre.settings()["phrases_learned"])


def test_vocabulary_pruning_by_document_frequency():
    texts = ["alpha beta gamma", "alpha beta", "alpha delta", "alpha 2021"]
    # document frequencies counted by hand: alpha 4, beta 2, gamma 1, delta 1 ("2021" is a number)
    pre = Preprocessor(phrases=False, min_df=2, max_df=0.9).fit(texts)
    assert pre.vocabulary_ == ["beta"]  # alpha is in 100% > 90% of units
    pre = Preprocessor(phrases=False, min_df=1, max_df=1.0).fit(texts)
    assert pre.vocabulary_ == ["alpha", "beta", "delta", "gamma"]
    assert pre.document_frequency_.tolist() == [4, 2, 1, 1]
    assert pre.transform(["beta beta gamma"]).toarray().tolist() == [[0, 2, 0, 1]]


def test_preprocessing_errors_are_input_errors():
    with pytest.raises(InputError, match="min_df"):
        Preprocessor(min_df=-1).fit(["a b"])
    with pytest.raises(InputError, match="no terms remain|max_df"):
        Preprocessor(phrases=False, min_df=5).fit(["alpha beta", "gamma"])


# --------------------------------------------------------------------------- planted topics
def _blocks_found(model, n=5):
    terms = model.topic_terms(n)
    return sorted(sorted(g["term"]) for _, g in terms.groupby("topic"))


@pytest.mark.parametrize("method", ["lda", "nmf"])
def test_planted_topics_are_recovered(method):
    texts, truth = planted_texts()
    model = TopicModel(3, method=method, random_state=0, passes=5, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    assert _blocks_found(model) == sorted(sorted(b) for b in BLOCKS)
    dominant = model.unit_topics_.argmax(axis=1)
    # each planted block maps to exactly one topic: the assignment is a relabelling of the truth
    mapping = {b: set(dominant[truth == b]) for b in range(3)}
    assert all(len(v) == 1 for v in mapping.values())
    assert len(set().union(*mapping.values())) == 3
    assert np.allclose(model.components_.sum(axis=1), 1) and np.allclose(model.unit_topics_.sum(axis=1), 1)


def test_same_seed_same_tables_and_seed_matters():
    texts, _ = planted_texts(n_per_block=6, length=8)
    fit = lambda seed: TopicModel(3, random_state=seed, passes=2, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    a, b, c = fit(3), fit(3), fit(4)
    pd.testing.assert_frame_equal(a.topic_terms(None), b.topic_terms(None))
    pd.testing.assert_frame_equal(a.unit_topics(), b.unit_topics())
    assert not np.array_equal(a.components_, c.components_)


FRESH = textwrap.dedent("""
    import hashlib, sys
    sys.path.insert(0, {path!r})
    from test_topics_models import planted_texts, PLAIN
    from sco_discourse.topics import TopicModel, Preprocessor
    texts, _ = planted_texts(n_per_block=6, length=8)
    m = TopicModel(3, random_state=7, passes=2, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    csv = m.topic_terms(None).to_csv(index=False) + m.unit_topics().to_csv(index=False)
    print(hashlib.sha256(csv.encode()).hexdigest())
""")


def test_same_seed_same_result_in_a_fresh_process():
    import pathlib

    here = str(pathlib.Path(__file__).parent)
    texts, _ = planted_texts(n_per_block=6, length=8)
    m = TopicModel(3, random_state=7, passes=2, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    csv = m.topic_terms(None).to_csv(index=False) + m.unit_topics().to_csv(index=False)
    out = subprocess.run([sys.executable, "-c", FRESH.format(path=here)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(csv.encode()).hexdigest()


@pytest.mark.parametrize("method", ["lda", "nmf"])
def test_transform_reproduces_fitted_weights_and_marks_empty_units(method):
    texts, _ = planted_texts(n_per_block=4, length=10)
    model = TopicModel(3, method=method, random_state=1, passes=3, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    theta = model.transform(texts + ["nothing known here"])
    if method == "lda":  # the same units, the same re-seeded inference: identical weights
        assert np.array_equal(theta[:-1], model.unit_topics_)
    else:  # NMF re-solves W for fixed components: close to the fitted W
        assert np.abs(theta[:-1] - model.unit_topics_).max() < 0.05
    assert np.isnan(theta[-1]).all()


def test_save_load_round_trip(tmp_path):
    corpus = Corpus.from_documents([doc(f"d{i}", t, 2020 + i % 2) for i, t in enumerate(planted_texts(4, 12)[0])])
    model = TopicModel(3, random_state=2, passes=2, unit="document", preprocessor=Preprocessor(**PLAIN)).fit(corpus)
    model.set_labels({0: "first"})
    model.save(tmp_path / "m")
    loaded = TopicModel.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.topic_terms(None), model.topic_terms(None))
    pd.testing.assert_frame_equal(loaded.units_, model.units_)
    assert loaded.labels_[0] == "first"
    assert np.array_equal(loaded.transform(corpus), model.transform(corpus))
    manifest = (tmp_path / "m" / "model.json").read_text()
    assert '"corpus_fingerprint": "' + corpus.fingerprint() in manifest
    with pytest.raises(InputError, match="no saved topic model"):
        TopicModel.load(tmp_path)


def test_bad_settings_raise_input_errors():
    with pytest.raises(InputError, match="method"):
        TopicModel(2, method="bertopic").fit(["a b c"])
    with pytest.raises(InputError, match="random_state"):
        TopicModel(2, random_state=None).fit(["a b c"])
    with pytest.raises(InputError, match="n_topics"):
        TopicModel(0).fit(["a b c"])
    with pytest.raises(InputError, match="not fitted"):
        TopicModel(2).topic_terms()


def test_lda_multicore_warns_it_is_not_reproducible():
    texts, _ = planted_texts(n_per_block=3, length=5)
    with pytest.warns(UserWarning, match="not reproducible"):
        TopicModel(2, method="lda_multicore", passes=1, preprocessor=Preprocessor(**PLAIN)).fit(texts)


# --------------------------------------------------------------------------- interpretation
def _frex_by_hand(beta, w):
    """stm's calcfrex without shrinkage, written out with loops and explicit ECDFs."""
    k_topics, n_terms = beta.shape
    out = np.zeros_like(beta)
    for k in range(k_topics):
        excl = [beta[k, v] / beta[:, v].sum() for v in range(n_terms)]
        for v in range(n_terms):
            # ECDF with ties averaged: (count below + (count equal + 1) / 2) / n
            f_less = sum(beta[k, u] < beta[k, v] for u in range(n_terms))
            f_eq = sum(beta[k, u] == beta[k, v] for u in range(n_terms))
            e_less = sum(excl[u] < excl[v] for u in range(n_terms))
            e_eq = sum(excl[u] == excl[v] for u in range(n_terms))
            f_cdf = (f_less + (f_eq + 1) / 2) / n_terms
            e_cdf = (e_less + (e_eq + 1) / 2) / n_terms
            out[k, v] = 1 / (w / f_cdf + (1 - w) / e_cdf)
    return out


def test_frex_and_exclusivity_against_hand_computation():
    rng = np.random.default_rng(5)
    beta = rng.dirichlet(np.ones(12), size=4)
    for w in (0.5, 0.3):
        assert np.allclose(frex_scores(beta, weight=w), _frex_by_hand(beta, w))
    excl = beta / beta.sum(axis=0)
    top3 = [np.argsort(-beta[k])[:3] for k in range(4)]
    assert np.allclose(exclusivity(beta, n=3), [excl[k, top3[k]].mean() for k in range(4)])


def test_labels_passages_and_summary():
    texts, truth = planted_texts(n_per_block=5, length=15)
    model = TopicModel(3, method="nmf", random_state=0, preprocessor=Preprocessor(**PLAIN)).fit(texts)
    for k, label in enumerate(model.labels_):
        words = label.split("/")
        assert len(words) == 3 and any(set(words) <= set(b) for b in BLOCKS)
    passages = model.representative_units(2)
    assert passages.groupby("topic").size().tolist() == [2, 2, 2]
    for row in passages.itertuples():  # the top passage of a topic is made of that topic's block
        block = next(b for b in BLOCKS if model.labels_[row.topic].split("/")[0] in b)
        assert set(row.text.split()) <= set(block)
    model.set_labels(["fruit", "rail", "weather"])
    summary = model.topic_summary(5)
    assert summary["label"].tolist() == ["fruit", "rail", "weather"]
    assert summary["n_dominant"].sum() == len(texts)
    assert np.isclose(summary["prevalence"].sum(), 1)
    with pytest.raises(InputError, match="topic 7"):
        model.set_labels({7: "x"})


def test_seed_corpus_end_to_end():
    from sco_discourse import load_corpus

    corpus = load_corpus()
    model = TopicModel(4, random_state=0, passes=2, iterations=30).fit(corpus)
    assert set(model.units_["doc_id"]) == set(corpus.ids)
    assert sorted(model.units_["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    for row in model.units_.head(20).itertuples():
        assert corpus[row.doc_id].text[row.start:row.end] == row.text
    terms = set(model.vocabulary_)
    assert {"shanghai_spirit", "belt_road"} <= terms
    assert len(model.unit_topics()) == 4 * len(model.units_)



# --------------------------------------------------------------------------- the scikit-learn estimator contract
# sklearn.utils.estimator_checks.check_estimator skips estimators whose input is not a 2-D
# numeric array (it warns "Can't test estimator ... which requires input of type ...", as
# for CountVectorizer), and most of its checks fit on make_blobs data, which a text
# estimator cannot take. So the checks that do not fit run as scikit-learn wrote them,
# and those that fit are repeated below on text with the same assertions.
def _estimators():
    return [TopicModel(3, method="nmf", preprocessor=Preprocessor(**PLAIN)), TopicModel(),
            Preprocessor(**PLAIN), Preprocessor()]


@pytest.mark.parametrize("estimator", _estimators(), ids=["nmf", "default", "plain", "default-pre"])
def test_scikit_learn_checks_that_do_not_fit(estimator):
    from sklearn.utils import estimator_checks as ec

    name = type(estimator).__name__
    for check in (ec.check_estimator_cloneable, ec.check_estimator_repr, ec.check_no_attributes_set_in_init,
                  ec.check_get_params_invariance, ec.check_set_params, ec.check_parameters_default_constructible,
                  ec.check_do_not_raise_errors_in_init_or_set_params, ec.check_mixin_order,
                  ec.check_estimator_tags_renamed, ec.check_valid_tag_types, ec.check_transformers_unfitted,
                  ec.check_estimators_unfitted):
        check(name, estimator)


@pytest.mark.parametrize("estimator", [TopicModel(3, method="nmf", preprocessor=Preprocessor(**PLAIN)),
                                       TopicModel(3, passes=2, iterations=20, preprocessor=Preprocessor(**PLAIN)),
                                       Preprocessor(**PLAIN)], ids=["nmf", "lda", "preprocessor"])
def test_scikit_learn_fit_checks_on_text(estimator):
    """check_estimators_overwrite_params, check_dont_overwrite_parameters, check_fit_idempotent,
    check_estimators_fit_returns_self and check_fit_check_is_fitted, on texts instead of blobs."""
    from copy import deepcopy

    import joblib
    from sklearn.base import clone
    from sklearn.utils.validation import check_is_fitted

    from sklearn.exceptions import NotFittedError

    texts, _ = planted_texts(n_per_block=5, length=12)
    est = clone(estimator)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    params = deepcopy(est.get_params())
    before = dict(est.__dict__)
    assert est.fit(texts) is est
    check_is_fitted(est)
    # fit changes no parameter, not even inside the nested preprocessor
    for name, value in est.get_params().items():
        assert joblib.hash(value) == joblib.hash(params[name]), name
    # fit adds only learned attributes (ending in _) and changes no public attribute
    added = [k for k in est.__dict__ if k not in before]
    assert added and all(k.endswith("_") or k.startswith("_") for k in added)
    assert all(est.__dict__[k] is before[k] for k in before)
    # idempotent: fitting again on the same data gives the same transform
    first = est.transform(texts)
    again = est.fit(texts).transform(texts)
    if hasattr(first, "toarray"):
        assert (first != again).nnz == 0
    else:
        assert np.array_equal(first, again)
    # a clone is unfitted and has equal parameters
    copy = clone(est)
    assert copy.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    assert all(joblib.hash(v) == joblib.hash(est.get_params()[k]) for k, v in copy.get_params().items())
    assert not hasattr(copy, "vocabulary_") and not hasattr(copy, "components_")


def test_clone_and_set_params_refit_with_new_settings():
    from sklearn.base import clone

    texts, _ = planted_texts(n_per_block=5, length=12)
    base = TopicModel(3, method="nmf", random_state=1, preprocessor=Preprocessor(**PLAIN))
    assert base.get_params()["preprocessor__min_df"] == 1  # nested parameters, as in a Pipeline
    wider = clone(base).set_params(n_topics=4, random_state=5, preprocessor__max_df=0.9)
    assert base.n_topics == 3 and base.preprocessor.max_df == 1.0  # the original is untouched
    assert wider.fit(texts).components_.shape[0] == 4 and wider.preprocessor_.max_df == 0.9
    # same settings, same seed: identical models, whether built directly or by clone + set_params
    direct = TopicModel(4, method="nmf", random_state=5, preprocessor=Preprocessor(**{**PLAIN, "max_df": 0.9}))
    assert np.array_equal(direct.fit(texts).components_, wider.components_)
    assert np.array_equal(direct.unit_topics_, wider.unit_topics_)
    # validation happens in fit, not in __init__ or set_params
    bad = clone(base).set_params(n_topics=0)
    with pytest.raises(InputError, match="n_topics"):
        bad.fit(texts)
    with pytest.raises(InputError, match="preprocessor must be a Preprocessor"):
        TopicModel(preprocessor="nope").fit(texts)


@pytest.mark.parametrize("method", ["lda", "nmf"])
def test_counts_with_a_frozen_preprocessor_fit_the_same_model(method):
    from sklearn.frozen import FrozenEstimator

    texts, _ = planted_texts(n_per_block=5, length=12)
    kwargs = dict(method=method, random_state=2, passes=2, iterations=20)
    plain = TopicModel(3, preprocessor=Preprocessor(**PLAIN), **kwargs).fit(texts)
    pre = Preprocessor(**PLAIN).fit(texts)
    counts = pre.transform(texts)
    frozen = TopicModel(3, preprocessor=FrozenEstimator(pre), **kwargs).fit(texts, counts=counts)
    assert frozen.preprocessor_ is pre
    assert np.array_equal(plain.components_, frozen.components_)
    assert np.array_equal(plain.unit_topics_, frozen.unit_topics_)
    assert np.array_equal(frozen.transform(texts), frozen.transform(texts, counts=counts))
    with pytest.raises(InputError, match="FrozenEstimator"):
        TopicModel(3, preprocessor=Preprocessor(**PLAIN)).fit(texts, counts=counts)
    with pytest.raises(InputError, match="shape"):
        TopicModel(3, preprocessor=FrozenEstimator(pre)).fit(texts[:-1], counts=counts)


def test_fit_transform_rows_follow_the_units_given():
    texts = ["tea leaf cup tea", "rail train track", "tea cup leaf", "train rail track rail", "zzz qqq"]
    pre = Preprocessor(phrases=False, min_df=2, max_df=1.0)
    theta = TopicModel(2, method="nmf", preprocessor=pre).fit_transform(texts)
    assert theta.shape == (5, 2) and np.isnan(theta[4]).all()  # "zzz qqq" has no vocabulary term
    assert np.allclose(theta[:4].sum(axis=1), 1)


def test_preprocessor_streams_and_fit_transform_equals_fit_then_transform():
    texts = ["The Belt and Road links Asia with the Shanghai Spirit."] * 3 + ["Road works in Asia.", "A belt."] * 2
    for phrases in (True, False):
        listed = Preprocessor(phrases=phrases, phrase_min_count=2, min_df=1, max_df=1.0)
        counts = listed.fit_transform(texts)
        streamed = Preprocessor(phrases=phrases, phrase_min_count=2, min_df=1, max_df=1.0).fit(iter(texts))
        assert streamed.vocabulary_ == listed.vocabulary_
        assert (streamed.transform(t for t in texts) != counts).nnz == 0
        assert counts.has_sorted_indices and counts.dtype == np.int64
        assert list(listed.get_feature_names_out()) == listed.vocabulary_
    # counted by hand: "Asia" once in each long text and in each "Road works in Asia."
    assert counts[:, listed.vocabulary_.index("asia")].toarray().ravel().tolist() == [1, 1, 1, 1, 0, 1, 0]
    with pytest.raises(InputError, match="not one string"):
        Preprocessor().fit("one text")
    with pytest.raises(InputError, match="text 2 is a int"):
        Preprocessor(phrases=False, min_df=1).fit(["a text", 3])


def test_a_unit_table_carries_document_metadata():
    texts, _ = planted_texts(n_per_block=2, length=10)
    units = pd.DataFrame({"unit_id": [f"x{i}" for i in range(6)], "doc_id": ["a", "a", "b", "b", "c", "c"],
                          "iso3": ["CHN", "CHN", "RUS", "RUS", "USA", "USA"], "text": texts})
    model = TopicModel(2, method="nmf", preprocessor=Preprocessor(**PLAIN)).fit(units)
    assert model.docs_[["doc_id", "iso3"]].values.tolist() == [["a", "CHN"], ["b", "RUS"], ["c", "USA"]]
    units.loc[1, "iso3"] = "IND"
    with pytest.raises(InputError, match="'iso3' .* differs within document 'a'"):
        TopicModel(2, method="nmf", preprocessor=Preprocessor(**PLAIN)).fit(units)


def test_fit_reads_a_one_shot_stream_of_documents():
    texts, _ = planted_texts(n_per_block=3, length=10)
    docs = [doc(f"d{i}", t, 2020 + i % 3) for i, t in enumerate(texts)]
    kwargs = dict(method="nmf", unit="document", preprocessor=Preprocessor(**PLAIN))
    streamed = TopicModel(3, **kwargs).fit(d for d in docs)
    listed = TopicModel(3, **kwargs).fit(Corpus.from_documents(docs))
    assert np.array_equal(streamed.components_, listed.components_)
    pd.testing.assert_frame_equal(streamed.docs_, listed.docs_)
    assert streamed.corpus_fingerprint_ is None and listed.corpus_fingerprint_ == Corpus.from_documents(docs).fingerprint()
