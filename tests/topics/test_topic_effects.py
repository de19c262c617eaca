"""Topic prevalence regression: least squares equal to statsmodels, the method of composition,
and a planted covariate effect recovered through a fitted topic model."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from sco_discourse import Corpus, Document
from sco_discourse.errors import InputError
from sco_discourse.topics import Preprocessor, TopicModel
from sco_discourse.topics.effects import (EFFECT_COLUMNS, PREVALENCE_COLUMNS, prevalence_regression, topic_effects,
                                          unit_draws)


@pytest.fixture(scope="module")
def planted():
    """200 documents of 20 speakers over 2018-2021; topic 0 is 0.25 more prevalent in the SCO bloc."""
    rng = np.random.default_rng(3)
    speaker = np.repeat(np.arange(20), 10)
    bloc = np.where(speaker < 8, "SCO", "other")
    year = np.tile([2018, 2019, 2020, 2021, 2018, 2019, 2020, 2021, 2019, 2020], 20)
    mean = np.where((bloc == "SCO")[:, None], [0.5, 0.3, 0.2], [0.25, 0.4, 0.35])
    theta = np.vstack([rng.dirichlet(20 * m) for m in mean])
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(200)], "bloc": bloc,
                         "year": pd.array(year, dtype="Int64"), "speaker": speaker})
    return theta, docs


def test_point_estimates_and_robust_errors_equal_statsmodels_ols(planted):
    theta, docs = planted
    with pytest.warns(UserWarning, match=r"bloc\[T.other\] \(8\) vary between fewer than 20 clusters"):
        effects = prevalence_regression(theta, docs, "C(year) + bloc", cluster="speaker", n_sims=4000,
                                        random_state=1)
    assert list(effects.coefficients.columns) == EFFECT_COLUMNS
    X = pd.get_dummies(docs[["year", "bloc"]].astype({"year": str}), drop_first=True, dtype=float)
    X.insert(0, "Intercept", 1.0)
    for topic in range(3):
        fit = sm.OLS(theta[:, topic], X).fit(cov_type="cluster", cov_kwds={"groups": docs["speaker"]})
        ours = effects.coefficients[effects.coefficients["topic"] == topic].set_index("term")
        np.testing.assert_allclose(ours["estimate"].to_numpy(), fit.params.to_numpy(), rtol=1e-9, atol=1e-12)
        # one draw of the proportions: the composed draws are normal around the estimate with the
        # cluster-robust covariance; 4,000 draws estimate its standard errors within a few percent
        np.testing.assert_allclose(ours["std_error"].to_numpy(), fit.bse.to_numpy(), rtol=0.05)


def test_predicted_prevalence_of_a_factor_is_the_group_mean(planted):
    theta, docs = planted
    effects = prevalence_regression(theta, docs, "bloc", n_sims=200)
    table = effects.predict_prevalence("bloc")
    assert list(table.columns) == ["bloc"] + PREVALENCE_COLUMNS
    for bloc in ("SCO", "other"):
        rows = table[table["bloc"] == bloc]
        np.testing.assert_allclose(rows["prevalence"], theta[(docs["bloc"] == bloc).to_numpy()].mean(axis=0))
        assert (rows["ci_low"] < rows["prevalence"]).all() and (rows["prevalence"] < rows["ci_high"]).all()
        assert (rows["n_docs"] == (docs["bloc"] == bloc).sum()).all()
    # the prevalences of a group sum to one (proportions), with or without covariates
    assert table.groupby("bloc")["prevalence"].sum().round(10).eq(1.0).all()


def test_years_outside_the_data_stay_in_the_table_without_numbers(planted):
    theta, docs = planted
    effects = prevalence_regression(theta, docs, "C(year)", n_sims=50)
    table = effects.predict_prevalence("year", at={"year": range(2017, 2023)})
    assert sorted(table["year"].unique()) == list(range(2017, 2023))
    empty = table[table["year"].isin([2017, 2022])]
    assert empty["prevalence"].isna().all() and empty["caveat"].str.startswith("cannot predict").all()
    assert table[table["year"] == 2019]["prevalence"].notna().all()


def test_method_of_composition_adds_the_uncertainty_of_the_proportions(planted):
    theta, docs = planted
    rng = np.random.default_rng(8)
    noise_sd = 0.05
    draws = theta[None] + rng.normal(0, noise_sd, size=(400, *theta.shape))
    fixed = prevalence_regression(theta, docs, "bloc", n_sims=200, random_state=2)
    composed = prevalence_regression(draws, docs, "bloc", n_sims=10, random_state=2)
    se_fixed = fixed.coefficients.set_index(["topic", "term"])["std_error"]
    se_composed = composed.coefficients.set_index(["topic", "term"])["std_error"]
    # independent noise of sd s on each of the 80 SCO and 120 other documents adds
    # s^2 (1/80 + 1/120) to the variance of the bloc difference twice: between draws (the
    # estimates move) and within each draw (the residuals are larger) -- the composed
    # variance is the mean within-draw variance plus the between-draw variance (as in
    # stm and in Rubin's rules for multiple imputation)
    extra = noise_sd ** 2 * (1 / 80 + 1 / 120)
    for topic in range(3):
        expected = np.sqrt(se_fixed[(topic, "bloc[T.other]")] ** 2 + 2 * extra)
        assert se_composed[(topic, "bloc[T.other]")] == pytest.approx(expected, rel=0.1)
        assert se_composed[(topic, "bloc[T.other]")] > se_fixed[(topic, "bloc[T.other]")] * 1.05


def test_same_seed_same_result(planted):
    theta, docs = planted
    a = prevalence_regression(theta, docs, "bloc", random_state=4).coefficients
    b = prevalence_regression(theta, docs, "bloc", random_state=4).coefficients
    pd.testing.assert_frame_equal(a, b)


def test_few_clusters_and_collinear_terms_are_said(planted):
    theta, docs = planted
    with pytest.warns(UserWarning, match=r"only 2 clusters"):
        prevalence_regression(theta, docs, "year", cluster="bloc")
    with pytest.warns(UserWarning, match=r"constant are not estimable"):
        effects = prevalence_regression(theta, docs.assign(constant=1.0), "bloc + constant")
    assert effects.coefficients.query("term == 'constant'")["estimate"].isna().all()
    assert effects.contrast("bloc", "SCO", "other")["difference"].notna().all()  # the bloc difference is estimable
    with pytest.raises(InputError, match="one row per document"):
        prevalence_regression(theta[:10], docs, "bloc")


# --------------------------------------------------------------------------- through a fitted model
def synthetic_corpus(rng, n_docs=160):
    """Paragraphs of 15 words, each from one of three planted topics (disjoint made-up
    vocabularies); a document's topic mix depends on its bloc: topic 0 has 0.5 of the
    SCO documents' paragraphs on average and 0.2 of the others'."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zu", "pe", "si"]
    words = ["".join(w) for w in itertools.permutations(syllables, 3)]
    vocab = [words[i * 40:(i + 1) * 40] for i in range(3)]
    docs = []
    for i in range(n_docs):
        bloc = "SCO" if i % 2 == 0 else "other"
        mix = rng.dirichlet(30 * np.array([0.5, 0.3, 0.2] if bloc == "SCO" else [0.2, 0.4, 0.4]))
        paragraphs = []
        for topic in rng.choice(3, size=8, p=mix):
            paragraphs.append(" ".join(rng.choice(vocab[topic], size=15)))
        docs.append(Document(f"doc{i:03d}", "\n".join(paragraphs), date=dt.date(2015 + i % 5, 1, 1),
                             date_precision="year", meta={"bloc": bloc}))
    return Corpus.from_documents(docs), vocab


def test_planted_covariate_effect_is_recovered_through_a_topic_model():
    corpus, vocab = synthetic_corpus(np.random.default_rng(12))
    model = TopicModel(3, method="nmf",  # "bloc" reaches the regression through model.docs_
                       preprocessor=Preprocessor(phrases=False, max_df=1.0, min_df=1)).fit(corpus)
    # which fitted topic is planted topic 0: the one whose top terms are its words
    top = model.topic_terms(n=10)
    first = set(vocab[0])
    topic0 = int(top.groupby("topic")["term"].apply(lambda t: sum(w in first for w in t)).idxmax())
    effects = topic_effects(model, "bloc + C(year)", n_draws=20, n_sims=50, random_state=0)
    contrast = effects.contrast("bloc", "SCO", "other").set_index("topic").loc[topic0]
    assert contrast["difference"] == pytest.approx(0.3, abs=0.07)
    assert contrast["ci_low"] < 0.3 < contrast["ci_high"]
    assert effects.n_draws == 20 and len(effects.data) == 160
    assert effects.labels == model.labels_


def test_unit_draws_resample_within_documents():
    unit_topics = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.8], [0.6, 0.4]])
    ids, draws = unit_draws(unit_topics, ["a", "b", "a", "b"], weights=[1, 1, 3, 1], n_draws=300, random_state=0)
    assert ids.tolist() == ["a", "b"]
    # document a: units (1, 0) weight 1 and (0.2, 0.8) weight 3, drawn twice with replacement
    possible = {1.0, 0.2, round((1 * 1.0 + 3 * 0.2) / 4, 10)}
    assert set(np.round(draws[:, 0, 0], 10)) == possible
    np.testing.assert_allclose(draws.sum(axis=2), 1.0)
