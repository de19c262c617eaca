"""Proportions and agreement statistics against published worked examples and a second
implementation: Wilson interval, stratified proportion, Cohen's kappa, Krippendorff's alpha."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sco_discourse.stats import cohen_kappa, krippendorff_alpha, stratified_proportion, wilson_interval


# --------------------------------------------------------------------------- Wilson
@pytest.mark.parametrize("k, n, low, high", [
    # Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    # comparison of seven methods. Statistics in Medicine 17, 857-872, Table I, method 3
    # (score method without continuity correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998_table_1(k, n, low, high):
    got = wilson_interval(k, n)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


def test_wilson_matches_statsmodels_and_handles_edges():
    from statsmodels.stats.proportion import proportion_confint

    k = np.array([0, 1, 7, 20, 33, 40])
    n = np.array([40, 40, 10, 20, 33, 41])
    low, high = wilson_interval(k, n, confidence=0.9)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)
    assert low[0] == 0.0 and high[4] == 1.0           # exact ends at 0/n and n/n
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    # the belt_and_road row: 33 of 33 -> [0.90, 1.00]
    assert round(wilson_interval(33, 33)[0], 2) == 0.90


# --------------------------------------------------------------------------- stratified proportion
def test_stratified_proportion_weights_cells_by_their_size():
    # cell A: 30 of 40 coded TRUE, 3,000 mentions; cell B: 2 of 10, 10 mentions
    p, low, high, n_eff = stratified_proportion([30, 2], [40, 10], [3000, 10])
    w_a, w_b = 3000 / 3010, 10 / 3010
    assert p == pytest.approx(w_a * 0.75 + w_b * 0.2)
    variance = w_a ** 2 * 0.75 * 0.25 / 40 + w_b ** 2 * 0.2 * 0.8 / 10
    assert n_eff == pytest.approx(min(50, p * (1 - p) / variance))
    assert (low, high) == pytest.approx(wilson_interval(p * n_eff, n_eff))


def test_stratified_proportion_reduces_to_wilson():
    # one cell, or cells with the same proportion sampled at the same rate
    assert stratified_proportion([12], [20], [999])[1:3] == pytest.approx(wilson_interval(12, 20))
    p, low, high, n_eff = stratified_proportion([10, 5], [20, 10], [200, 100])
    assert p == pytest.approx(0.5) and n_eff == pytest.approx(30)
    assert (low, high) == pytest.approx(wilson_interval(15, 30))


def test_stratified_proportion_all_true_uses_the_sample_size():
    # no variance within cells: the interval is that of n/n, never a zero-width one
    p, low, high, n_eff = stratified_proportion([40, 3], [40, 3], [3500, 3])
    assert (p, n_eff) == (1.0, 43.0)
    assert (low, high) == pytest.approx(wilson_interval(43, 43))
    assert math.isnan(stratified_proportion([0], [0], [5])[0])


# --------------------------------------------------------------------------- Cohen's kappa
def test_cohen_kappa_worked_example():
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals read by two readers,
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_matches_scikit_learn_and_skips_missing():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(3)
    a = rng.choice(["TRUE", "FALSE", "AMBIGUOUS"], size=60, p=[0.6, 0.3, 0.1])
    b = np.where(rng.random(60) < 0.8, a, rng.choice(["TRUE", "FALSE", "AMBIGUOUS"], size=60))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    with_missing_a = list(a) + [None, "TRUE"]
    with_missing_b = list(b) + ["TRUE", float("nan")]
    assert cohen_kappa(with_missing_a, with_missing_b) == pytest.approx(cohen_kappa_score(a, b))
    assert math.isnan(cohen_kappa(["TRUE"] * 5, ["TRUE"] * 5))   # one category: chance cannot be told apart


# --------------------------------------------------------------------------- Krippendorff's alpha
def test_krippendorff_alpha_example_c_four_coders_missing_data():
    # Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability, section C
    # (nominal data, any number of observers, missing data): alpha = 0.743.
    nan = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    assert round(krippendorff_alpha(data), 3) == 0.743


def test_krippendorff_alpha_example_a_two_coders_binary():
    # Krippendorff (2011), section A (binary data, two observers, no missing data):
    # alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(krippendorff_alpha([a, b]), 3) == 0.095
    # the same data as judgement labels: the nominal coding does not depend on the names
    labels = {0: "FALSE", 1: "TRUE"}
    assert krippendorff_alpha([[labels[x] for x in a], [labels[x] for x in b]]) == pytest.approx(0.095238, abs=1e-6)


def test_krippendorff_alpha_undefined_cases():
    assert math.isnan(krippendorff_alpha([["TRUE", "TRUE"], ["TRUE", "TRUE"]]))
    assert math.isnan(krippendorff_alpha([["TRUE", None], [None, "FALSE"]]))
