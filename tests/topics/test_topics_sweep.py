"""The fast K sweep (workers, shared and sampled coherence, early stopping) and the tomotopy backend."""

import hashlib
import importlib.util
import math
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from sco_discourse.errors import InputError
from sco_discourse.topics import Preprocessor, TopicModel
from sco_discourse.topics.selection import (CoherenceReference, coherence, early_stop_reached, k_criterion,
                                            select_k, sweep)

sys.path.insert(0, str(pathlib.Path(__file__).parent))  # the planted-topic corpus of the model tests
from test_topics_models import BLOCKS, PLAIN, planted_texts  # noqa: E402


# --------------------------------------------------------------------------- workers
def test_sweep_table_is_the_same_with_one_and_two_workers():
    texts, _ = planted_texts(n_per_block=8, length=12)
    kwargs = dict(method="nmf", seeds=3, sample_fraction=0.8, progress=False, preprocessor=Preprocessor(**PLAIN),
                  measures=["c_npmi", "u_mass"], n_terms=5)
    one = sweep(texts, [2, 3, 4, 5, 6], n_jobs=1, **kwargs)
    two = sweep(texts, [6, 5, 4, 3, 2], n_jobs=2, **kwargs)  # the order given does not matter either
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs == two.attrs
    # three planted topics: K = 3 is chosen; K = 4 and 5 score clearly lower, so K = 6 is never fitted
    assert one.attrs == {"selected_k": 3, "ks_skipped": [6]}
    assert sorted(set(one["k"])) == [2, 3, 4, 5]


def test_lda_sweep_with_workers_equals_the_serial_sweep_without_early_stopping():
    texts, _ = planted_texts(n_per_block=6, length=10)
    kwargs = dict(method="lda", seeds=2, passes=3, iterations=20, progress=False, early_stop=None,
                  preprocessor=Preprocessor(**PLAIN), measures=["c_v"], n_terms=5)
    one = sweep(texts, [2, 3], n_jobs=1, **kwargs)
    two = sweep(texts, [2, 3], n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(one, two)
    assert one["perplexity"].notna().all() and one.attrs["ks_skipped"] == []


def test_sweep_rejects_bad_new_options():
    texts, _ = planted_texts(n_per_block=3, length=10)
    with pytest.raises(InputError, match="early_stop"):
        sweep(texts, [2], early_stop=-1, progress=False)
    with pytest.raises(InputError, match="n_jobs"):
        sweep(texts, [2], n_jobs="two", progress=False)
    with pytest.raises(InputError, match="sample size"):
        sweep(texts, [2], coherence_sample=0, progress=False)


# --------------------------------------------------------------------------- coherence
TEXTS = [["tea", "cup"], ["tea", "cup", "milk"], ["tea"], ["milk", "cup"], ["rail"], ["rail", "train"],
         ["train", "tea"], ["cup", "milk", "rail"]]
TOPICS = [["tea", "cup", "milk"], ["rail", "train", "cup"]]


@pytest.mark.parametrize("measure", ["c_v", "c_npmi", "u_mass"])
def test_sampled_coherence_with_a_sample_at_least_as_large_is_the_full_coherence(measure):
    full = coherence(TOPICS, TEXTS, measure=measure, n=3)
    for sample in (len(TEXTS), len(TEXTS) + 5):
        assert np.array_equal(coherence(TOPICS, TEXTS, measure=measure, n=3, sample=sample, random_state=4), full)


def test_sampled_u_mass_by_hand_on_the_drawn_texts():
    ref = CoherenceReference(TEXTS, sample=5, random_state=3)
    assert len(ref.sample_index) == 5 and np.all(np.diff(ref.sample_index) > 0)
    drawn = [TEXTS[i] for i in ref.sample_index]
    d = lambda *ws: sum(all(w in t for w in ws) for t in drawn)
    topic = ["tea", "cup", "milk"]
    pairs = [(topic[i], topic[j]) for i in range(3) for j in range(i)]
    expected = np.mean([math.log((d(wi, wj) + 1e-12) / d(wj)) for wi, wj in pairs])
    assert math.isclose(ref.score([topic], measure="u_mass", n=3)[0], expected, rel_tol=1e-9)
    # the same seed draws the same texts
    assert np.array_equal(CoherenceReference(TEXTS, sample=5, random_state=3).sample_index, ref.sample_index)


@pytest.mark.parametrize("measure", ["c_v", "c_npmi", "u_mass"])
def test_topics_scored_together_score_as_scored_alone(measure):
    """The sweep scores all seeds of a K in one pass: a topic's score must not depend on the others."""
    ref = CoherenceReference(TEXTS)
    together = ref.score(TOPICS + [["milk", "train", "tea"]], measure=measure, n=3)
    alone = np.concatenate([ref.score([t], measure=measure, n=3) for t in TOPICS + [["milk", "train", "tea"]]])
    assert np.allclose(together, alone, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- early stopping
def _table(per_k):
    """A sweep table from {k: [(coherence, stability) per seed]}."""
    return pd.DataFrame([{"k": k, "seed": s, "coherence": c, "stability": st}
                         for k, runs in per_k.items() for s, (c, st) in enumerate(runs)])


def test_early_stopping_rule_on_constructed_scores():
    # criteria (coherence + stability) per K: 1.0, 1.5, 1.2, 1.1 with a standard error of 0.01 each
    runs = lambda mean: [(mean - 0.01 - 0.5, 0.5), (mean + 0.01 - 0.5, 0.5)]
    table = _table({2: runs(1.0), 3: runs(1.5), 4: runs(1.2), 5: runs(1.1)})
    crit = k_criterion(table)
    assert np.allclose(crit["criterion"], [1.0, 1.5, 1.2, 1.1])
    assert np.allclose(crit["se"], 0.01)  # sd over two seeds (0.01 * sqrt 2) / sqrt 2
    # two Ks after the best, both lower by more than 2 * sqrt(0.01^2 + 0.01^2) = 0.028: stop
    assert early_stop_reached(table, patience=2)
    assert not early_stop_reached(table, patience=3)  # only two Ks after the best
    assert not early_stop_reached(table[table["k"] <= 4], patience=2)
    # K = 5 within the noise of the best (1.48 vs 1.5, margin 0.028): not clear, go on
    close = _table({2: runs(1.0), 3: runs(1.5), 4: runs(1.2), 5: runs(1.48)})
    assert not early_stop_reached(close, patience=2)
    # a later K that beats the earlier best resets the count
    later = _table({2: runs(1.0), 3: runs(1.5), 4: runs(1.6), 5: runs(1.2)})
    assert not early_stop_reached(later, patience=2)
    assert select_k(table) == 3 and select_k(later) == 4


def test_early_stopping_with_one_seed_uses_coherence_alone():
    table = _table({2: [(0.5, np.nan)], 3: [(0.4, np.nan)], 4: [(0.3, np.nan)]})
    assert k_criterion(table)["se"].tolist() == [0.0, 0.0, 0.0]
    assert early_stop_reached(table, patience=2) and select_k(table) == 2


# --------------------------------------------------------------------------- tomotopy
needs_tomotopy = pytest.mark.skipif(importlib.util.find_spec("tomotopy") is None,
                                    reason="tomotopy (the optional extra) is not installed")


@needs_tomotopy
def test_tomotopy_recovers_planted_topics():
    texts, truth = planted_texts()
    model = TopicModel(3, method="tomotopy", random_state=0, gibbs_iterations=100,
                       preprocessor=Preprocessor(**PLAIN)).fit(texts)
    found = sorted(sorted(g["term"]) for _, g in model.topic_terms(5).groupby("topic"))
    assert found == sorted(sorted(b) for b in BLOCKS)
    dominant = model.unit_topics_.argmax(axis=1)
    assert all(len(set(dominant[truth == b])) == 1 for b in range(3))
    assert np.allclose(model.components_.sum(axis=1), 1) and np.allclose(model.unit_topics_.sum(axis=1), 1)


FRESH = textwrap.dedent("""
    import hashlib, sys
    sys.path.insert(0, {path!r})
    from test_topics_models import planted_texts, PLAIN
    from sco_discourse.topics import TopicModel, Preprocessor
    texts, _ = planted_texts(n_per_block=6, length=8)
    m = TopicModel(3, method="tomotopy", random_state=7, gibbs_iterations=30,
                   preprocessor=Preprocessor(**PLAIN)).fit(texts)
    print(hashlib.sha256(m.components_.tobytes() + m.unit_topics_.tobytes()).hexdigest())
""")


@needs_tomotopy
def test_tomotopy_same_seed_identical_twice_and_in_a_fresh_process():
    texts, _ = planted_texts(n_per_block=6, length=8)
    fit = lambda seed: TopicModel(3, method="tomotopy", random_state=seed, gibbs_iterations=30,
                                  preprocessor=Preprocessor(**PLAIN)).fit(texts)
    a, b, c = fit(7), fit(7), fit(8)
    assert np.array_equal(a.components_, b.components_) and np.array_equal(a.unit_topics_, b.unit_topics_)
    assert not np.array_equal(a.components_, c.components_)
    here = str(pathlib.Path(__file__).parent)
    out = subprocess.run([sys.executable, "-c", FRESH.format(path=here)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(a.components_.tobytes() + a.unit_topics_.tobytes()).hexdigest()


@needs_tomotopy
def test_tomotopy_model_saves_transforms_and_scores_held_out_units(tmp_path):
    texts, _ = planted_texts(n_per_block=4, length=10)
    model = TopicModel(3, method="tomotopy", random_state=1, gibbs_iterations=50,
                       preprocessor=Preprocessor(**PLAIN)).fit(texts)
    theta = model.transform(texts + ["nothing known here"])
    assert np.isnan(theta[-1]).all() and np.allclose(theta[:-1].sum(axis=1), 1)
    # inference lands each planted unit on the topic it was fitted to
    assert np.array_equal(theta[:-1].argmax(axis=1), model.unit_topics_.argmax(axis=1))
    perplexity = model.perplexity(texts)
    assert 1 < perplexity < 15  # each unit draws from 5 words of its block
    model.save(tmp_path / "m")
    loaded = TopicModel.load(tmp_path / "m")
    assert np.array_equal(loaded.transform(texts), model.transform(texts))
    assert loaded.perplexity(texts) == perplexity
    assert '"tomotopy": "' in (tmp_path / "m" / "model.json").read_text()
    with pytest.raises(InputError, match="tomotopy"):
        TopicModel(3, method="tomotopy", alpha="asymmetric", preprocessor=Preprocessor(**PLAIN)).fit(texts)


@needs_tomotopy
def test_tomotopy_sweep_is_the_same_with_two_workers():
    texts, _ = planted_texts(n_per_block=6, length=10)
    kwargs = dict(method="tomotopy", seeds=2, gibbs_iterations=30, progress=False, early_stop=None,
                  preprocessor=Preprocessor(**PLAIN), measures=["c_npmi"], n_terms=5)
    one = sweep(texts, [2, 3], n_jobs=1, **kwargs)
    pd.testing.assert_frame_equal(one, sweep(texts, [2, 3], n_jobs=2, **kwargs))
    assert one["perplexity"].notna().all() and select_k(one) == 3


# --------------------------------------------------------------------------- command line
def test_cli_sweep_jobs_sample_and_early_stop(tmp_path, capsys):
    from sco_discourse.cli import main

    common = ["topics", "sweep", "--k-min", "2", "--k-max", "6", "--seeds", "2", "--method", "nmf",
              "--sample-fraction", "0.8", "--coherence-sample", "60", "--early-stop", "1", "--no-progress"]
    assert main([*common, "--jobs", "2", "--out", str(tmp_path / "two.csv")]) == 0
    err = capsys.readouterr().err
    assert main([*common, "--jobs", "1", "--out", str(tmp_path / "one.csv")]) == 0
    two, one = pd.read_csv(tmp_path / "two.csv"), pd.read_csv(tmp_path / "one.csv")
    pd.testing.assert_frame_equal(one, two)
    chosen = select_k(one)
    assert f"selected K = {chosen}" in err
    fitted = sorted(set(one["k"]))
    assert fitted == list(range(2, fitted[-1] + 1))
    if fitted[-1] < 6:  # stopped early: the skipped Ks are named, and --no-early-stop fits them
        assert "not fitted" in err
        assert main([*common[:-3], "--no-early-stop", "--no-progress", "--out", str(tmp_path / "all.csv")]) == 0
        assert sorted(set(pd.read_csv(tmp_path / "all.csv")["k"])) == [2, 3, 4, 5, 6]


# --------------------------------------------------------------------------- the faster fits of a sweep
def _un_paragraphs(un_slice):
    from sco_discourse.topics import as_units

    units, _ = as_units(un_slice, unit="paragraph")
    return units["text"].tolist()


def test_one_analysis_gives_the_counts_and_the_terms_of_two(un_slice):
    texts = _un_paragraphs(un_slice)
    pre = Preprocessor()  # with phrases: the second look at every unit is the one kept
    counts, tokens = pre.fit_transform_tokens(texts)
    again = Preprocessor()
    expected_counts = again.fit_transform(texts)
    assert (counts != expected_counts).nnz == 0 and pre.vocabulary_ == again.vocabulary_
    assert tokens == again.transform_tokens(texts)
    assert any("_" in t for terms in tokens for t in terms)  # phrases were joined
    # the terms are the counts in order: every unit's terms count up to its row
    for i in (0, 7, len(texts) - 1):
        row = counts[i].toarray().ravel()
        assert sorted(tokens[i]) == sorted(t for t, n in zip(pre.vocabulary_, row) for _ in range(n))


@pytest.mark.parametrize("k", [4, 8])
def test_float32_nmf_finds_the_top_terms_of_float64_on_un_paragraphs(un_slice, k):
    from sklearn.frozen import FrozenEstimator

    texts = _un_paragraphs(un_slice)
    pre = Preprocessor()
    counts = pre.fit_transform(texts)
    fits = {dtype: TopicModel(k, method="nmf", random_state=0, preprocessor=FrozenEstimator(pre), nmf_dtype=dtype)
            .fit(texts, counts=counts) for dtype in ("float64", "float32")}
    single, double = fits["float32"], fits["float64"]
    assert single.model_.components_.dtype == np.float32 and double.model_.components_.dtype == np.float64
    pd.testing.assert_frame_equal(single.topic_terms(10)[["topic", "term", "rank"]],
                                  double.topic_terms(10)[["topic", "term", "rank"]])
    np.testing.assert_allclose(single.components_, double.components_, atol=1e-4)
    assert single.model_.n_iter_ == pytest.approx(double.model_.n_iter_, abs=2)
    # new units are weighted in the precision of the fit
    np.testing.assert_allclose(single.transform(texts[:20], counts=counts[:20]),
                               double.transform(texts[:20], counts=counts[:20]), atol=1e-3)


def test_nmf_dtype_is_checked_and_old_models_load_as_float64(tmp_path):
    texts, _ = planted_texts(n_per_block=4, length=10)
    with pytest.raises(InputError, match="nmf_dtype"):
        TopicModel(3, method="nmf", nmf_dtype="float16", preprocessor=Preprocessor(**PLAIN)).fit(texts)
    model = TopicModel(3, method="nmf", preprocessor=Preprocessor(**PLAIN)).fit(texts)
    state = dict(model.__getstate__())
    del state["nmf_dtype"]  # as pickled before the option existed
    old = TopicModel.__new__(TopicModel)
    old.__setstate__(state)
    assert old.get_params()["nmf_dtype"] == "float64"
    np.testing.assert_array_equal(old.transform(texts), model.transform(texts))


def test_nmf_sweep_fits_in_float32_unless_told_and_ranks_the_ks_alike(un_slice):
    texts = _un_paragraphs(un_slice)
    kwargs = dict(method="nmf", seeds=2, sample_fraction=0.8, progress=False, early_stop=None, measures=["c_v"])
    fast = sweep(texts, [3, 5, 8], **kwargs)
    explicit = sweep(texts, [3, 5, 8], nmf_dtype="float32", **kwargs)
    exact = sweep(texts, [3, 5, 8], nmf_dtype="float64", **kwargs)
    pd.testing.assert_frame_equal(fast, explicit)
    # the same top terms: coherence and stability equal, exclusivity (from the weights) to float32 precision
    for column in ("coherence", "stability", "n_units"):
        np.testing.assert_array_equal(fast[column], exact[column])
    np.testing.assert_allclose(fast["exclusivity"], exact["exclusivity"], atol=1e-4)
    assert fast.attrs == exact.attrs


def test_sweep_top_terms_are_those_of_topic_terms():
    from sklearn.frozen import FrozenEstimator

    from sco_discourse.topics.selection import _fit_run

    texts, _ = planted_texts(n_per_block=6, length=12)
    pre = Preprocessor(**PLAIN)
    counts = pre.fit_transform(texts)
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(texts))], "text": ""})
    template = TopicModel(3, method="nmf", preprocessor=FrozenEstimator(pre))
    state = {"template": template, "units": units, "counts": counts, "train_idx": np.arange(len(texts)),
             "held_idx": np.arange(0), "sample_fraction": 1.0, "n_terms": 7, "perplexity": False}
    run = _fit_run(state, 3, 0)
    model = template.set_params(n_topics=3, random_state=0).fit(units, counts=counts)
    expected = [g["term"].tolist() for _, g in model.topic_terms(7).groupby("topic", sort=True)]
    assert run["top"] == expected and len(run["top"][0]) == 7


def test_cli_sweep_passes_the_nmf_precision(tmp_path, monkeypatch):
    from sco_discourse.cli import main
    from sco_discourse.topics import selection

    seen = []
    real = selection.sweep

    def recording(*args, **kwargs):
        seen.append(kwargs.get("nmf_dtype"))
        return real(*args, **kwargs)

    monkeypatch.setattr(selection, "sweep", recording)
    common = ["topics", "sweep", "--k-min", "2", "--k-max", "3", "--seeds", "2", "--method", "nmf",
              "--sample-fraction", "0.8", "--no-progress"]
    assert main([*common, "--nmf-dtype", "float64", "--out", str(tmp_path / "exact.csv")]) == 0
    assert main([*common, "--out", str(tmp_path / "fast.csv")]) == 0
    assert seen == ["float64", None]  # None: the sweep's own default, float32
    exact, fast = pd.read_csv(tmp_path / "exact.csv"), pd.read_csv(tmp_path / "fast.csv")
    assert exact[["k", "seed", "n_units"]].equals(fast[["k", "seed", "n_units"]])


_MARKER: list = []


def _slow_second_fit(task):
    """A sweep task: the first fit returns at once; the second would end 3 s later, leaving a marker file."""
    import time

    if task[2] == 1:
        time.sleep(3)
        _MARKER[0].write_text("the fit ran to its end")
    return {"top": [], "exclusivity": 0.0, "perplexity": 0.0, "n_units": 0}


def test_early_stop_ends_the_fits_still_running(tmp_path, monkeypatch):
    import multiprocessing
    import time

    from sco_discourse.topics import selection

    marker = tmp_path / "finished"
    _MARKER[:] = [marker]
    monkeypatch.setattr(selection, "_task", _slow_second_fit)  # the workers are forked from this process
    try:
        with selection._Runner({}, 2) as runner:
            for kind, key, _ in runner.run([("fit", 1, 0), ("fit", 1, 1)], lambda k: [], {}, {}):
                assert (kind, key) == ("fit", (1, 0))
                runner.stop()
        assert not marker.exists() and multiprocessing.active_children() == []
        time.sleep(4)
        assert not marker.exists()  # ended, not left running in the background
    finally:
        _MARKER.clear()
