"""Group contrasts of frame rates: the clustered bootstrap, the cluster-robust test (against
statsmodels), frame_compare on a frame matrix, and the coverage of the intervals on
simulated corpora with a planted rate ratio."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from scipy.stats import t as t_dist

from sco_discourse.errors import InputError
from sco_discourse.frames.compare import COMPARE_COLUMNS, frame_compare, per_document_counts
from sco_discourse.groups import Group
from sco_discourse.stats import bootstrap_draw_counts, bootstrap_ratio_ci, rate_contrast


def frame_matrix(counts, docs, keys):
    """A frame matrix as frame functions take it: .matrix, .keys, .docs (with n_tokens)."""
    return SimpleNamespace(matrix=sp.csr_matrix(np.asarray(counts)), keys=list(keys), docs=pd.DataFrame(docs),
                           attrs={"lexicon": "test 1.0"})


@pytest.fixture
def small():
    # six documents by four speakers; key 0 is the frame total, key 1 one variant
    docs = {"doc_id": list("abcdef"), "year": [2020, 2020, 2021, 2021, 2022, 2022],
            "iso3": ["CHN", "CHN", "RUS", "USA", "USA", "FRA"], "n_tokens": [1000, 3000, 1000, 2000, 2000, 1000]}
    counts = [[4, 1], [2, 0], [3, 3], [1, 0], [0, 0], [2, 1]]
    return frame_matrix(counts, docs, [("f", ""), ("f", "v")])


# --------------------------------------------------------------------------- rates, counts, choice of groups
def test_rates_ratio_and_difference_checked_by_hand(small):
    table = frame_compare(small, by="iso3", target=["CHN", "RUS"], n_resamples=200, warn=False)
    assert list(table.columns) == COMPARE_COLUMNS
    assert COMPARE_COLUMNS[:12] == ["frame", "variant", "specific", "rate_target", "rate_reference", "rate_ratio", "rr_ci_low",
                                    "rr_ci_high", "rate_diff", "diff_ci_low", "diff_ci_high", "p"]
    total = table.iloc[0]
    # target CHN+RUS: 4+2+3 = 9 mentions in 5,000 tokens = 18 per 10k; reference USA+FRA: 3 in 5,000 = 6
    assert (total["count_target"], total["tokens_target"], total["n_docs_target"]) == (9, 5000, 3)
    assert (total["count_reference"], total["tokens_reference"], total["n_docs_reference"]) == (3, 5000, 3)
    assert total["rate_target"] == pytest.approx(18.0)
    assert total["rate_reference"] == pytest.approx(6.0)
    assert total["rate_ratio"] == pytest.approx(3.0)
    assert total["rate_diff"] == pytest.approx(12.0)
    assert total["rr_ci_low"] <= 3.0 <= total["rr_ci_high"]
    variant = table.iloc[1]
    assert (variant["frame"], variant["variant"], variant["count_target"], variant["count_reference"]) == ("f", "v", 4, 1)
    assert variant["rate_ratio"] == pytest.approx(4.0)
    assert table.attrs["lexicon"] == "test 1.0" and table.attrs["cluster"] == "document"


def test_custom_group_target_and_explicit_reference(small):
    bloc = {"iso3": {"SCO": ["CHN", "RUS"]}}
    a = frame_compare(small, by=bloc, target="SCO", n_resamples=200, warn=False)
    b = frame_compare(small, by=bloc, target="SCO", reference="other", n_resamples=200, warn=False)
    c = frame_compare(small, by=Group("bloc", "iso3", {"SCO": ["CHN", "RUS"]}), target="SCO", n_resamples=200,
                      warn=False)
    d = frame_compare(small, by="iso3", target="CHN,RUS", n_resamples=200, warn=False)  # as on the command line
    for other in (b, c, d):
        pd.testing.assert_frame_equal(a.drop(columns="caveat"), other.drop(columns="caveat"))
    # only USA as the reference: 1 mention in 4,000 tokens
    usa = frame_compare(small, by="iso3", target=["CHN", "RUS"], reference="USA", n_resamples=200, warn=False)
    assert usa["rate_reference"].iloc[0] == pytest.approx(2.5)
    assert usa["n_docs_reference"].iloc[0] == 2


def test_year_ranges_and_several_columns(small):
    table = frame_compare(small, by="year", target="2021..2022", reference=2020, n_resamples=100, warn=False)
    assert table["count_target"].iloc[0] == 6 and table["count_reference"].iloc[0] == 6
    two = frame_compare(small, by=["iso3", "year"], target={"iso3": "USA"}, reference=("CHN", 2020),
                        n_resamples=100, warn=False)
    assert two["tokens_target"].iloc[0] == 4000 and two["tokens_reference"].iloc[0] == 4000


@pytest.mark.parametrize("kwargs, message", [
    (dict(by="iso3", target="JPN"), r"target: no group matches 'JPN' \(groups of iso3: CHN, FRA, RUS, USA\)"),
    (dict(by="iso3", target="CHN", reference=["CHN", "USA"]), "target and reference both contain"),
    (dict(by="iso3", target=["CHN", "RUS", "USA", "FRA"]), "every group .* is in the target"),
    (dict(by="outlet", target="x"), "no metadata column 'outlet'"),
    (dict(by=["iso3", "year"], target="CHN"), "name the group by a tuple"),
    (dict(by="year", target="2020..abc"), "target: .*not a number"),
])
def test_bad_choices_name_the_option(small, kwargs, message):
    with pytest.raises(InputError, match=message):
        frame_compare(small, n_resamples=10, **kwargs)


def test_documents_with_no_group_value_are_in_neither_group_and_said_so(small):
    small.docs.loc[5, "iso3"] = None
    with pytest.warns(UserWarning, match="1 document.* missing value for iso3 are in neither group"):
        table = frame_compare(small, by="iso3", target="CHN", n_resamples=50)
    assert table["n_docs_reference"].iloc[0] == 3  # RUS and USA twice; FRA lost its value
    assert "neither group" in table.attrs["caveat"]


def test_same_seed_same_table_and_another_seed_another_interval(small):
    one = frame_compare(small, by="iso3", target="CHN", n_resamples=300, random_state=3, warn=False)
    two = frame_compare(small, by="iso3", target="CHN", n_resamples=300, random_state=3, warn=False)
    pd.testing.assert_frame_equal(one, two)
    three = frame_compare(small, by="iso3", target="CHN", n_resamples=300, random_state=4, warn=False)
    assert not np.allclose(one[["rr_ci_low", "rr_ci_high"]], three[["rr_ci_low", "rr_ci_high"]])


def test_few_clusters_are_a_warning_and_an_attribute(small):
    with pytest.warns(UserWarning, match=r"only 2 clusters in the target.*fewer than 20"):
        table = frame_compare(small, by="iso3", target=["CHN", "RUS"], cluster="iso3", n_resamples=50)
    assert table["n_clusters_target"].iloc[0] == 2 and table["n_clusters_reference"].iloc[0] == 2
    assert table.attrs["cluster"] == "iso3" and "fewer than 20" in table.attrs["caveat"]


# --------------------------------------------------------------------------- the bootstrap
def test_cluster_bootstrap_checked_by_enumeration():
    # target: two clusters with rates 2 and 6 per 100 tokens; reference: one cluster, 4 per 100.
    # Resamples of the target: (a, a) -> 2, (b, b) -> 6, (a, b) -> 4 per 100, so the ratio takes only
    # the values 0.5, 1.5 and 1.0 and the 95% percentile interval is [0.5, 1.5].
    counts = np.array([1, 1, 3, 3, 2, 2])
    tokens = np.full(6, 50.0)
    cluster = np.array(["a", "a", "b", "b", "r", "r"])
    target = np.array([True] * 4 + [False] * 2)
    out = rate_contrast(counts, tokens, target=target, reference=~target, cluster=cluster, n_resamples=2000,
                        per=100)
    assert out[["rate_target", "rate_reference", "rate_ratio"]].iloc[0].tolist() == [4.0, 4.0, 1.0]
    assert out[["rr_ci_low", "rr_ci_high"]].iloc[0].tolist() == [0.5, 1.5]
    assert out[["diff_ci_low", "diff_ci_high"]].iloc[0].tolist() == [-2.0, 2.0]
    assert out.attrs["resampling"].startswith("clusters nested")


def test_every_document_its_own_cluster_is_the_document_bootstrap():
    rng = np.random.default_rng(0)
    counts = rng.poisson(2, size=(40, 3))
    tokens = rng.integers(500, 1500, 40)
    target = np.arange(40) < 15
    default = rate_contrast(counts, tokens, target=target, reference=~target, n_resamples=300)
    explicit = rate_contrast(counts, tokens, target=target, reference=~target, cluster=np.arange(40) * 7,
                             n_resamples=300)
    pd.testing.assert_frame_equal(default, explicit)
    # bootstrap_ratio_ci: cluster= is new; without it (or one unit per cluster) nothing changes
    plain = bootstrap_ratio_ci(counts, tokens, n_resamples=300, random_state=5)
    clustered = bootstrap_ratio_ci(counts, tokens, n_resamples=300, random_state=5, cluster=np.arange(40))
    np.testing.assert_array_equal(plain, clustered)


def test_bootstrap_ratio_ci_with_clusters_equals_the_bootstrap_of_cluster_sums():
    rng = np.random.default_rng(2)
    counts = rng.poisson(3, 30).astype(float)
    tokens = rng.integers(100, 300, 30).astype(float)
    cluster = np.repeat(np.arange(10), 3)
    sums = counts.reshape(10, 3).sum(axis=1), tokens.reshape(10, 3).sum(axis=1)
    assert bootstrap_ratio_ci(counts, tokens, cluster=cluster, random_state=1) == \
        bootstrap_ratio_ci(*sums, random_state=1)


def test_draw_counts_keep_stratum_sizes_and_blocks_do_not_change_the_draws():
    strata = np.array([0] * 5 + [1] * 3)
    small_blocks = np.vstack(list(bootstrap_draw_counts(8, 50, strata=strata, random_state=9, block_bytes=64 * 3)))
    one_block = np.vstack(list(bootstrap_draw_counts(8, 50, strata=strata, random_state=9)))
    assert small_blocks.shape == (50, 8)
    assert (small_blocks[:, :5].sum(axis=1) == 5).all() and (small_blocks[:, 5:].sum(axis=1) == 3).all()
    assert (one_block[:, :5].sum(axis=1) == 5).all()


def test_crossed_clusters_are_drawn_with_their_documents_in_both_groups():
    # outlet x period: every outlet writes in both periods, so clusters cross the groups
    rng = np.random.default_rng(4)
    outlet = np.repeat(np.arange(12), 6)
    later = np.tile([False, False, False, True, True, True], 12)
    tokens = np.full(72, 1000.0)
    counts = rng.poisson(np.where(later, 6, 3) * rng.gamma(2, 0.5, 12)[outlet])
    out = rate_contrast(counts, tokens, target=later, reference=~later, cluster=outlet, n_resamples=500)
    assert out.attrs["resampling"].startswith("clusters cross the groups")
    assert out["n_clusters_target"].iloc[0] == 12 == out["n_clusters_reference"].iloc[0]
    assert out["rr_ci_low"].iloc[0] < out["rate_ratio"].iloc[0] < out["rr_ci_high"].iloc[0]


# --------------------------------------------------------------------------- the test, against statsmodels
@pytest.mark.parametrize("design", ["nested", "crossed", "documents"])
def test_p_value_equals_statsmodels_poisson_glm_with_cluster_robust_errors(design):
    rng = np.random.default_rng(11)
    n = 240
    speaker = rng.integers(0, 30, n)
    target = speaker < 14 if design != "crossed" else rng.random(n) < 0.5
    tokens = rng.integers(200, 2000, n).astype(float)
    counts = rng.poisson(0.004 * tokens * rng.gamma(1.0, 1.0, 30)[speaker] * np.where(target, 1.6, 1.0))
    cluster = None if design == "documents" else speaker
    ours = rate_contrast(counts, tokens, target=target, reference=~target, cluster=cluster, n_resamples=50)
    groups = np.arange(n) if cluster is None else speaker
    fit = sm.GLM(counts, sm.add_constant(target.astype(float)), family=sm.families.Poisson(),
                 offset=np.log(tokens)).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    assert ours["rate_ratio"].iloc[0] == pytest.approx(np.exp(fit.params[1]), rel=1e-9)
    # statsmodels' t test uses G - 1 degrees of freedom; ours those of the smaller group when
    # clusters are nested in the groups (the same standard error, a more cautious reference)
    if design == "crossed":
        df = len(np.unique(groups)) - 1
        assert ours["p"].iloc[0] == pytest.approx(fit.pvalues[1], rel=1e-6)
    else:
        df = min(len(np.unique(groups[target])), len(np.unique(groups[~target]))) - 1
    assert ours["p"].iloc[0] == pytest.approx(2 * t_dist.sf(abs(fit.tvalues[1]), df), rel=1e-6)


def test_zero_mentions_give_unbounded_or_zero_ratios_with_a_reason():
    counts = np.array([[0, 2, 0], [0, 1, 0], [0, 0, 1], [0, 0, 3]])
    target = np.array([True, True, False, False])
    out = rate_contrast(counts, np.full(4, 100.0), target=target, reference=~target, n_resamples=100)
    assert out["caveat"].tolist() == ["no mentions in either group",
                                      "no mentions in the reference: the ratio is unbounded",
                                      "no mentions in the target: the ratio is 0"]
    assert np.isnan(out["rate_ratio"].iloc[0]) and np.isinf(out["rate_ratio"].iloc[1])
    assert out["rate_ratio"].iloc[2] == 0 and out["p"].isna().all()


# --------------------------------------------------------------------------- coverage (planted rate ratio)
def simulated_corpus(rng, *, n_speakers=60, docs_per_speaker=6, rate_ratio=2.0):
    """Two groups of speakers; every speaker has a habitual rate (gamma, shape 1: strong
    speaker effect), every document of a speaker shares it; counts are Poisson given the rate."""
    n = 2 * n_speakers
    speaker = np.repeat(np.arange(n), docs_per_speaker)
    target = speaker < n_speakers
    tokens = rng.integers(500, 1500, len(speaker))
    habit = rng.gamma(1.0, 1.0, n)[speaker]
    counts = rng.poisson(3e-3 * tokens * habit * np.where(target, rate_ratio, 1.0))
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(speaker))], "speaker": speaker,
                         "bloc": np.where(target, "target", "reference"), "n_tokens": tokens})
    return frame_matrix(counts[:, None], docs, [("frame", "")])


def test_interval_covers_the_planted_ratio_about_95_percent_with_speaker_clusters():
    # 200 corpora of 720 documents by 120 speakers (6 each), planted rate ratio 2. The share of
    # intervals covering 2 is itself an estimate (binomial SE about 0.016); over other seeds it was
    # 0.915-0.95 with speaker clusters and 0.55-0.69 with documents resampled.
    rng = np.random.default_rng(20240601)
    covered = {"speaker": 0, "document": 0}
    n_corpora = 200
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 60 speakers per group: no caveat expected
        for i in range(n_corpora):
            fm = simulated_corpus(rng)
            for level, cluster in (("speaker", "speaker"), ("document", None)):
                row = frame_compare(fm, by="bloc", target="target", cluster=cluster, n_resamples=300,
                                    random_state=i).iloc[0]
                covered[level] += row["rr_ci_low"] <= 2.0 <= row["rr_ci_high"]
    assert 0.90 <= covered["speaker"] / n_corpora <= 0.99
    # documents of one speaker are not independent: resampling documents covers far less often
    assert covered["document"] / n_corpora < 0.85


# --------------------------------------------------------------------------- from a corpus
def test_per_document_counts_are_the_matchers_mentions_of_each_document():
    from collections import Counter

    from sco_discourse import load_corpus
    from sco_discourse.frames import Matcher
    from sco_discourse.text import tokens

    corpus = load_corpus()
    fm = per_document_counts(corpus)
    matcher = Matcher()
    for i, doc in enumerate(corpus):
        found = Counter()
        for m in matcher(doc.text):  # a mention counts for its frame's total and for its variant
            found[(m.frame, "")] += 1
            if m.variant:
                found[(m.frame, m.variant)] += 1
        assert {k: int(fm.matrix[i, j]) for j, k in enumerate(fm.keys) if fm.matrix[i, j]} == dict(found)
        assert fm.docs["n_tokens"].iloc[i] == len(tokens(doc.text))
    assert fm.attrs["lexicon"].startswith("sco_codebook")
