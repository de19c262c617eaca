"""Count regression of frame mentions: equal to statsmodels' GLM fitted directly on the same
table, predicted rates, and the cases that cannot be estimated (said, not NaN in silence)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
import statsmodels.formula.api as smf

from sco_discourse.errors import InputError
from sco_discourse.frames.regression import COEFFICIENT_COLUMNS, PREDICTION_COLUMNS, count_regression, frame_regression
from sco_discourse.groups import Group


@pytest.fixture(scope="module")
def corpus():
    """400 speeches by 40 speakers over 2015-2019; the SCO bloc uses the frame 2.5 times as often."""
    rng = np.random.default_rng(5)
    speaker = np.repeat(np.arange(40), 10)
    iso3 = np.array([f"C{s:02d}" for s in speaker], dtype=object)
    year = np.tile(np.arange(2015, 2020), 80)
    sco = speaker < 12
    tokens = rng.integers(800, 3000, len(speaker))
    habit = rng.gamma(2.0, 0.5, 40)[speaker]
    rate = 2e-3 * habit * np.where(sco, 2.5, 1.0) * (1 + 0.1 * (year - 2015))
    counts = rng.poisson(rate * tokens)
    other = rng.poisson(5e-4 * tokens)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(speaker))], "year": pd.array(year, dtype="Int64"),
                         "iso3": iso3, "n_tokens": tokens})
    matrix = sp.csr_matrix(np.column_stack([counts, other, np.zeros_like(counts)]))
    fm = SimpleNamespace(matrix=matrix, keys=[("f", ""), ("f", "v"), ("never", "")], docs=docs,
                         attrs={"lexicon": "test 1.0"})
    return fm, sorted(set(iso3[sco]))


def direct_table(fm, members, key=0):
    table = fm.docs.assign(year=fm.docs["year"].astype(int), count=fm.matrix[:, key].toarray().ravel())
    table["bloc"] = np.where(table["iso3"].isin(members), "SCO", "other")
    return table


@pytest.mark.parametrize("cluster", [None, "iso3"])
@pytest.mark.filterwarnings("ignore:frame_regression")
def test_coefficients_equal_statsmodels_glm_fitted_directly(corpus, cluster):
    fm, members = corpus
    model = frame_regression(fm, "C(year) + bloc", frame="f", groups=Group("bloc", "iso3", {"SCO": members}),
                             cluster=cluster)
    assert list(model.coefficients.columns) == COEFFICIENT_COLUMNS
    table = direct_table(fm, members)
    groups = np.arange(len(table)) if cluster is None else pd.factorize(table["iso3"])[0]
    direct = smf.glm("count ~ C(year) + bloc", data=table, family=sm.families.Poisson(),
                     offset=np.log(table["n_tokens"])).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                                           use_t=True)
    ours = model.coefficients.set_index("term")
    np.testing.assert_allclose(ours["estimate"], direct.params[ours.index], rtol=1e-7)
    np.testing.assert_allclose(ours["std_error"], direct.bse[ours.index], rtol=1e-6)
    np.testing.assert_allclose(ours["p"], direct.pvalues[ours.index], rtol=1e-5)
    conf = direct.conf_int()
    np.testing.assert_allclose(ours["rr_ci_low"], np.exp(conf.loc[ours.index, 0]), rtol=1e-6)
    np.testing.assert_allclose(ours["rr_ci_high"], np.exp(conf.loc[ours.index, 1]), rtol=1e-6)
    # the planted bloc effect (2.5) lies inside the interval of the bloc's rate ratio
    bloc = ours.loc["bloc[T.other]"]
    assert bloc["rr_ci_low"] < 1 / 2.5 < bloc["rr_ci_high"]
    assert model.n_clusters == (400 if cluster is None else 40)
    if cluster is None:
        assert model.caveat == ""
    else:  # 12 of the 40 speakers are in the bloc: its coefficient rests on 12 clusters
        assert "bloc[T.other] (12) vary between fewer than 20 clusters" in model.caveat
        assert bloc["caveat"].startswith("known from 12 clusters only")
        assert ours.loc["C(year)[T.2016]", "caveat"] == ""


@pytest.mark.filterwarnings("ignore:frame_regression")
def test_negative_binomial_equals_statsmodels_maximum_likelihood(corpus):
    fm, members = corpus
    model = frame_regression(fm, "year + bloc", frame="f", groups=Group("bloc", "iso3", {"SCO": members}),
                             family="negbin", cluster="iso3")
    table = direct_table(fm, members)
    ml = smf.negativebinomial("count ~ year + bloc", data=table, offset=np.log(table["n_tokens"]),
                              loglike_method="nb2").fit(disp=0, maxiter=300)
    assert model.alpha == pytest.approx(ml.params["alpha"], rel=1e-5)
    ours = model.coefficients.set_index("term")["estimate"]
    np.testing.assert_allclose(ours, ml.params[ours.index], rtol=1e-5)
    direct = smf.glm("count ~ year + bloc", data=table, family=sm.families.NegativeBinomial(alpha=model.alpha),
                     offset=np.log(table["n_tokens"])).fit(cov_type="cluster",
                                                           cov_kwds={"groups": pd.factorize(table["iso3"])[0]},
                                                           use_t=True)
    np.testing.assert_allclose(model.coefficients["std_error"], direct.bse.to_numpy(), rtol=1e-6)


def test_predicted_rates_are_the_fitted_rates_of_each_cell(corpus):
    fm, members = corpus
    model = frame_regression(fm, "C(year) * bloc", frame="f", groups=Group("bloc", "iso3", {"SCO": members}))
    rates = model.predict_rates(["bloc", "year"], at={"year": range(2014, 2021)})
    assert list(rates.columns) == ["bloc", "year"] + PREDICTION_COLUMNS
    assert len(rates) == 2 * 7
    # a saturated model reproduces each cell's pooled rate: mentions / tokens
    table = direct_table(fm, members)
    cells = table.groupby(["bloc", "year"])[["count", "n_tokens"]].sum()
    observed = rates.dropna(subset=["rate_per_10k"]).set_index(["bloc", "year"])
    np.testing.assert_allclose(observed["rate_per_10k"], 1e4 * cells["count"] / cells["n_tokens"], rtol=1e-6)
    assert (observed["ci_low"] < observed["rate_per_10k"]).all() and (observed["rate_per_10k"] < observed["ci_high"]).all()
    assert observed["n_docs"].sum() == 400
    # years without documents stay in the table, without a number and with the reason
    empty = rates[rates["year"].isin([2014, 2020])]
    assert len(empty) == 4 and empty["rate_per_10k"].isna().all() and (empty["n_docs"] == 0).all()
    assert empty["caveat"].str.startswith("cannot predict here").all()


def test_prediction_averages_over_the_other_covariates(corpus):
    fm, members = corpus
    model = frame_regression(fm, "C(year) + bloc", frame="f", groups=Group("bloc", "iso3", {"SCO": members}))
    by_bloc = model.predict_rates("bloc").set_index("bloc")
    beta = model.coefficients.set_index("term")["estimate"]
    used = direct_table(fm, members)
    year_effect = used["year"].map(lambda y: beta.get(f"C(year)[T.{y}]", 0.0))
    expected = 1e4 * np.exp(beta["Intercept"] + year_effect).mean()
    assert by_bloc.loc["SCO", "rate_per_10k"] == pytest.approx(expected, rel=1e-9)
    assert by_bloc.loc["other", "rate_per_10k"] == pytest.approx(expected * np.exp(beta["bloc[T.other]"]), rel=1e-9)


def test_separation_is_found_and_said_and_the_rest_is_estimated(corpus):
    fm, members = corpus
    counts = fm.matrix.toarray()
    counts[(fm.docs["year"] == 2016).to_numpy(), 0] = 0   # nobody uses the frame in 2016
    separated = SimpleNamespace(matrix=sp.csr_matrix(counts), keys=fm.keys, docs=fm.docs)
    with pytest.warns(UserWarning, match=r"separation: 80 document\(s\) without a mention"):
        model = frame_regression(separated, "C(year) + bloc", frame="f",
                                 groups=Group("bloc", "iso3", {"SCO": members}))
    coefficients = model.coefficients.set_index("term")
    assert np.isnan(coefficients.loc["C(year)[T.2016]", "estimate"])
    assert coefficients.loc["C(year)[T.2016]", "caveat"].startswith("separation")
    assert "separation" in model.caveat and "separation" in model.coefficients.attrs["caveat"]
    # the other coefficients are those of the model fitted without the 2016 documents
    table = direct_table(separated, members)
    rest = table[table["year"] != 2016]
    direct = smf.glm("count ~ C(year) + bloc", data=rest, family=sm.families.Poisson(),
                     offset=np.log(rest["n_tokens"])).fit()
    for term in direct.params.index:
        assert coefficients.loc[term, "estimate"] == pytest.approx(direct.params[term], rel=1e-7)
    rates = model.predict_rates("year").set_index("year")
    assert rates.loc[2016, "rate_per_10k"] == 0 and np.isnan(rates.loc[2016, "ci_high"])
    assert rates.loc[2016, "caveat"].startswith("separation")


def test_no_mentions_and_no_variation_are_reasons_not_silent_nans(corpus):
    fm, _ = corpus
    with pytest.warns(UserWarning, match="no mentions: nothing to estimate"):
        model = frame_regression(fm, "C(year)", frame="never")
    assert model.coefficients["estimate"].isna().all() and model.result_ is None
    assert model.predict_rates("year")["caveat"].eq("model not estimable").all()
    fm.docs["constant"] = 1.0
    try:
        with pytest.warns(UserWarning, match="constant have no variation"):
            model = frame_regression(fm, "C(year) + constant", frame="f")
    finally:
        del fm.docs["constant"]
    coefficients = model.coefficients.set_index("term")
    assert np.isnan(coefficients.loc["constant", "estimate"]) and np.isnan(coefficients.loc["Intercept", "estimate"])
    assert coefficients.loc["constant", "caveat"].startswith("not estimable")
    assert np.isfinite(coefficients.loc["C(year)[T.2016]", "estimate"])  # a difference of years is estimable


def test_few_clusters_warn(corpus):
    fm, members = corpus
    few = fm.docs.assign(region=np.where(fm.docs["iso3"] < "C20", "east", "west"))
    with pytest.warns(UserWarning, match=r"only 2 clusters \(fewer than 20\)"):
        model = frame_regression(SimpleNamespace(matrix=fm.matrix, keys=fm.keys, docs=few), "year", frame="f",
                                 cluster="region")
    assert "only 2 clusters" in model.coefficients.attrs["caveat"]


def test_missing_covariates_and_empty_documents_are_counted_not_lost_silently():
    table = pd.DataFrame({"count": [1, 2, 0, 3, 4, 2], "n_tokens": [100, 200, 0, 300, 100, 150],
                          "group": ["a", "b", "a", None, "b", "a"]})
    with pytest.warns(UserWarning, match="1 document.* without tokens .*; 1 document.* missing value"):
        model = count_regression(table, "group")
    assert model.n_docs == 4 and model.data["used"].tolist() == [True, True, False, False, True, True]


@pytest.mark.parametrize("kwargs, message", [
    (dict(formula="count ~ year", frame="f"), "only the covariates"),
    (dict(formula="C(nonexistent)", frame="f"), "C\\(nonexistent\\)"),
    (dict(formula="year", frame="g"), "unknown frame 'g'; frames: f, never"),
    (dict(formula="year", frame="f", variant="w"), "no variant 'w'; variants: v"),
    (dict(formula="year", frame="f", family="logit"), "family must be"),
])
def test_bad_input_names_the_option(corpus, kwargs, message):
    fm, _ = corpus
    with pytest.raises(InputError, match=message):
        frame_regression(fm, **kwargs)
