"""K selection, prevalence over years, change tests, topic–frame linkage and the `topics` CLI."""

import itertools
import math
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sco_discourse import Corpus, Document
from sco_discourse.cli import main
from sco_discourse.errors import InputError
from sco_discourse.groups import Group, documents_table
from sco_discourse.topics import Preprocessor, TopicModel
from sco_discourse.topics.linkage import assign_mentions, topic_frame_linkage
from sco_discourse.topics.prevalence import prevalence_change, topic_prevalence
from sco_discourse.topics.selection import coherence, stability, sweep, sweep_summary, topic_similarity

sys.path.insert(0, str(Path(__file__).parent))  # the planted-topic corpus of the model tests
from test_topics_models import BLOCKS, PLAIN, planted_texts  # noqa: E402


# --------------------------------------------------------------------------- selection
def test_topic_similarity_matches_brute_force_over_all_matchings():
    rng = np.random.default_rng(0)
    vocab = list("abcdefghij")
    for _ in range(5):
        a = [list(rng.choice(vocab, 4, replace=False)) for _ in range(4)]
        b = [list(rng.choice(vocab, 4, replace=False)) for _ in range(4)]
        jac = lambda x, y: len(set(x) & set(y)) / len(set(x) | set(y))
        best = max(sum(jac(a[i], b[p[i]]) for i in range(4)) for p in itertools.permutations(range(4)))
        assert math.isclose(topic_similarity(a, b).sum(), best)


def test_stability_by_hand():
    run1 = [["a", "b"], ["c", "d"]]
    run2 = [["a", "b"], ["c", "e"]]  # matched similarities 1 and 1/3
    run3 = [["a", "b"], ["c", "d"]]
    expected_12 = (1 + 1 / 3) / 2
    got = stability([run1, run2, run3])
    assert np.allclose(got, [(expected_12 + 1) / 2, expected_12, (expected_12 + 1) / 2])
    assert np.isnan(stability([run1])).all()


def test_u_mass_coherence_by_hand():
    texts = [["tea", "cup"], ["tea", "cup", "milk"], ["tea"], ["milk", "cup"], ["rail"]]
    # u_mass (Mimno et al. 2011): mean over ordered pairs (w_i, w_j), i > j, of
    # log((D(w_i, w_j) + eps) / D(w_j)), D = number of texts containing the word(s)
    d = lambda *ws: sum(all(w in t for w in ws) for t in texts)
    topic = ["tea", "cup", "milk"]
    pairs = [(topic[i], topic[j]) for i in range(3) for j in range(i)]
    expected = np.mean([math.log((d(wi, wj) + 1e-12) / d(wj)) for wi, wj in pairs])
    assert math.isclose(coherence([topic], texts, measure="u_mass", n=3)[0], expected, rel_tol=1e-9)


def test_sweep_table_is_complete_reproducible_and_finds_the_planted_k():
    texts, _ = planted_texts(n_per_block=8, length=12)
    kwargs = dict(method="lda", passes=15, progress=False, preprocessor=Preprocessor(**PLAIN),
                  measures=["c_npmi", "u_mass"], n_terms=5)
    table = sweep(texts, [2, 3, 4], seeds=3, **kwargs)
    assert table[["k", "seed"]].values.tolist() == [[k, s] for k in (2, 3, 4) for s in (0, 1, 2)]
    assert list(table.columns) == ["method", "k", "seed", "coherence", "coherence_c_npmi", "coherence_u_mass",
                                   "exclusivity", "stability", "perplexity", "n_units", "n_heldout", "n_terms"]
    assert (table["n_heldout"] == 2).all() and (table["n_units"] == 22).all()
    # three planted topics: K = 3 is the most coherent, the most stable and the least perplexed
    summary = sweep_summary(table).set_index("k")
    assert summary["coherence_mean"].idxmax() == 3
    assert summary["stability_mean"].idxmax() == 3 and math.isclose(summary.loc[3, "stability_mean"], 1.0)
    assert summary["perplexity_mean"].idxmin() == 3
    assert summary["n_seeds"].tolist() == [3, 3, 3]
    # the same seeds give the same numbers (stability depends on which other seeds are compared)
    again = sweep(texts, [3], seeds=[1, 2], **kwargs)
    pd.testing.assert_frame_equal(again.drop(columns="stability"),
                                  table[(table["k"] == 3) & (table["seed"] > 0)].drop(columns="stability")
                                  .reset_index(drop=True))


def test_sweep_nmf_subsampling_and_errors():
    texts, _ = planted_texts(n_per_block=6, length=10)
    table = sweep(texts, [3], seeds=[4, 9], method="nmf", sample_fraction=0.8, heldout=0, progress=False,
                  preprocessor=Preprocessor(**PLAIN), measures=["u_mass"])
    assert table["seed"].tolist() == [4, 9] and table["perplexity"].isna().all()
    assert (table["n_units"] == round(0.8 * 18)).all()
    with pytest.warns(UserWarning, match="stability is 1 by construction"):
        # in float64: the planted topics' tail terms tie, and float32 rounding of the init breaks ties by seed
        table = sweep(texts, [3], seeds=2, method="nmf", heldout=0, progress=False, nmf_dtype="float64",
                      preprocessor=Preprocessor(**PLAIN), measures=["u_mass"])
    assert (table["stability"] == 1).all()
    with pytest.raises(InputError, match="numbers of topics"):
        sweep(texts, [0], progress=False)
    with pytest.raises(InputError, match="heldout"):
        sweep(texts, [2], heldout=1.5, progress=False)


# --------------------------------------------------------------------------- prevalence
def fitted(theta, years, docs=None, n_tokens=None):
    """A fitted model's tables with chosen topic proportions, to check the arithmetic by hand.

    The statistics read a fitted model's ``docs_``, ``units_``, ``unit_topics_`` and
    ``labels_``; real fits are tested below, where proportions cannot be chosen.
    """
    n = len(years)
    doc_ids = docs or [f"d{i}" for i in range(n)]
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "doc_id": doc_ids,
                          "year": years, "n_tokens": n_tokens or [10] * n})
    first = units.drop_duplicates("doc_id")
    docs_table = documents_table({"doc_id": d, "year": y} for d, y in zip(first["doc_id"], first["year"]))
    return SimpleNamespace(docs_=docs_table, units_=units, unit_topics_=np.asarray(theta, dtype=float),
                           labels_=[f"t{k}" for k in range(np.shape(theta)[1])])


def test_prevalence_equals_group_means_and_is_reproducible():
    rng = np.random.default_rng(1)
    theta = rng.dirichlet(np.ones(3), size=60)
    years = [2020] * 20 + [2021] * 25 + [2022] * 15
    model = fitted(theta, years)
    table = topic_prevalence(model, n_resamples=300, random_state=3, min_docs=1)
    by_hand = pd.DataFrame(theta).groupby(np.array(years)).mean()
    assert np.allclose(table.pivot(index="year", columns="topic", values="prevalence").to_numpy(), by_hand)
    assert ((table["ci_low"] <= table["prevalence"]) & (table["prevalence"] <= table["ci_high"])).all()
    assert not table["few_units"].any()
    pd.testing.assert_frame_equal(table, topic_prevalence(model, n_resamples=300, random_state=3, min_docs=1))
    other = topic_prevalence(model, n_resamples=300, random_state=4, min_docs=1)
    assert not np.array_equal(other["ci_low"], table["ci_low"])


def test_token_weighting_and_document_resampling():
    theta = [[1, 0], [0, 1], [0.5, 0.5], [0.2, 0.8]]
    model = fitted(theta, [2020, 2020, 2021, 2021], docs=["a", "a", "b", "c"], n_tokens=[30, 10, 10, 10])
    with pytest.warns(UserWarning, match="2020 \\(2 units, 1 documents\\)"):
        table = topic_prevalence(model, weight="tokens", resample="documents", n_resamples=200)
    first = table[table["year"] == 2020]
    assert np.allclose(first["prevalence"], [0.75, 0.25])  # (30*1 + 10*0) / 40
    # one document in 2020: resampling documents cannot vary, the interval collapses to the estimate
    assert np.allclose(first["ci_low"], first["prevalence"]) and np.allclose(first["ci_high"], first["prevalence"])
    assert first["few_units"].all()
    with pytest.raises(InputError, match="no metadata column 'outlet'"):
        topic_prevalence(model, by="outlet")


def test_units_without_a_year_form_their_own_group_shown_last():
    # the package's one missing-value rule: nothing is dropped, the group without a value comes last
    model = fitted([[1, 0], [0, 1], [0.5, 0.5], [0.2, 0.8]], pd.array([2020, None, 2021, 2021], dtype="Int64"))
    table = topic_prevalence(model, n_resamples=50, warn=False)
    assert table["year"].tolist()[:4] == [2020, 2020, 2021, 2021] and table["year"].iloc[4:].isna().all()
    assert table["n_units"].tolist() == [1, 1, 2, 2, 1, 1]
    assert np.allclose(table["prevalence"].iloc[4:], [0, 1])
    change = prevalence_change(model)  # consecutive years only: the group without a year is not a step in time
    assert change[["group_a", "group_b"]].values.tolist() == [[2020, 2021]] * 2
    assert change["n_units_a"].tolist() == [1, 1] and change["p_value"].isna().all()


# Twelve one-block documents with metadata, so every group's prevalence can be counted by hand:
# a topic's prevalence in a group is the share of the group's documents drawn from its block.
#            block outlet year iso3
GROUPED = [(0, "A", 2020, "CHN"), (1, "A", 2020, "RUS"), (2, "A", 2020, "USA"),
           (0, "A", 2021, "CHN"), (0, "A", 2021, "IND"),
           (1, "B", 2020, "USA"), (2, "B", 2020, "KAZ"), (2, "B", 2020, "GBR"),
           (1, "B", 2021, "RUS"), (0, "B", 2021, "FRA"), (1, "B", 2021, "PAK"),
           (2, None, 2021, "CHN")]
SCO = ["CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN", "BLR"]


@pytest.fixture(scope="module")
def grouped_model():
    import datetime

    rng = np.random.default_rng(3)
    docs = []
    for i, (block, outlet, year, iso3) in enumerate(GROUPED):
        meta = {"iso3": iso3, "tags": ["a", "list"]}  # a list cannot define a group and is left out
        if outlet is not None:
            meta["outlet"] = outlet
        docs.append(Document(f"d{i:02d}", " ".join(rng.choice(BLOCKS[block], size=30)),
                             date=datetime.date(year, 6, 1), meta=meta))
    # no fields=[...] at fit time: every metadata field travels with the model in docs_
    model = TopicModel(3, method="nmf", unit="document", preprocessor=Preprocessor(**PLAIN))
    model.fit(Corpus.from_documents(docs))
    topic_of_block = [int(model.transform([" ".join(words)])[0].argmax()) for words in BLOCKS]
    assert sorted(topic_of_block) == [0, 1, 2]
    return model, topic_of_block


def _by_block(table, topic_of_block, columns):
    """{group key: [prevalence of block 0, 1, 2]} from a prevalence table."""
    out = {}
    for key, part in table.groupby(columns, sort=False, dropna=False):
        key = tuple(None if pd.isna(v) else v for v in (key if isinstance(key, tuple) else (key,)))
        weights = part.set_index("topic")["prevalence"]
        out[key] = [weights[t] for t in topic_of_block]
    return out


def test_model_carries_the_documents_table(grouped_model):
    model, _ = grouped_model
    docs = model.docs_
    assert docs["doc_id"].tolist() == [f"d{i:02d}" for i in range(12)]
    assert {"outlet", "iso3", "year", "date"} <= set(docs.columns) and "tags" not in docs.columns
    assert docs["outlet"].isna().sum() == 1 and docs["iso3"].tolist()[:3] == ["CHN", "RUS", "USA"]
    assert set(model.units_["doc_id"]) <= set(docs["doc_id"])


def test_prevalence_by_two_columns_counted_by_hand(grouped_model):
    model, topic_of_block = grouped_model
    table = topic_prevalence(model, by=["outlet", "year"], n_resamples=200, warn=False)
    assert list(table.columns[:3]) == ["outlet", "year", "topic"]
    found = _by_block(table, topic_of_block, ["outlet", "year"])
    # the groups in the one order (outlet, then year; the document without an outlet last)
    assert list(found) == [("A", 2020), ("A", 2021), ("B", 2020), ("B", 2021), (None, 2021)]
    expected = {("A", 2020): [1 / 3, 1 / 3, 1 / 3], ("A", 2021): [1, 0, 0], ("B", 2020): [0, 1 / 3, 2 / 3],
                ("B", 2021): [1 / 3, 2 / 3, 0], (None, 2021): [0, 0, 1]}
    for key, shares in expected.items():
        assert np.allclose(found[key], shares, atol=0.01), key
    assert table.drop_duplicates(["outlet", "year"])["n_units"].tolist() == [3, 2, 3, 3, 1]
    assert np.allclose(table.groupby(["outlet", "year"], dropna=False)["prevalence"].sum(), 1)


def test_prevalence_by_a_custom_group_counted_by_hand(grouped_model):
    model, topic_of_block = grouped_model
    table = topic_prevalence(model, by={"iso3": {"SCO": SCO}}, n_resamples=200, warn=False)
    found = _by_block(table, topic_of_block, ["iso3"])
    assert list(found) == [("SCO",), ("other",)]
    # SCO members: d00 d01 d03 d04 d06 d08 d10 d11 -> fruit 3, rail 3, weather 2 of 8
    assert np.allclose(found[("SCO",)], [3 / 8, 3 / 8, 2 / 8], atol=0.01)
    assert np.allclose(found[("other",)], [1 / 4, 1 / 4, 2 / 4], atol=0.01)
    assert table.drop_duplicates("iso3")["n_units"].tolist() == [8, 4]
    # a Group names its own column, and combines with other columns
    bloc = Group("bloc", "iso3", {"SCO": SCO})
    both = topic_prevalence(model, by=[bloc, "year"], n_resamples=200, warn=False)
    assert both.drop_duplicates(["bloc", "year"])[["bloc", "year", "n_units"]].values.tolist() == [
        ["SCO", 2020, 3], ["SCO", 2021, 5], ["other", 2020, 3], ["other", 2021, 1]]
    # the bootstrap is seeded: the same call gives the same intervals
    pd.testing.assert_frame_equal(both, topic_prevalence(model, by=[bloc, "year"], n_resamples=200, warn=False))


def test_prevalence_change_within_strata(grouped_model):
    model, topic_of_block = grouped_model
    change = prevalence_change(model, by=["outlet", "year"], n_resamples=99)
    assert list(change.columns[:3]) == ["outlet", "group_a", "group_b"]
    # years compared within each outlet; the document without an outlet has one year only
    assert change.drop_duplicates("outlet")[["outlet", "group_a", "group_b"]].values.tolist() == [
        ["A", 2020, 2021], ["B", 2020, 2021]]
    fruit = change[(change["outlet"] == "A") & (change["topic"] == topic_of_block[0])].iloc[0]
    assert math.isclose(fruit["difference"], 1 - 1 / 3, abs_tol=0.01)
    with pytest.raises(InputError, match="no units with year = 2019"):
        prevalence_change(model, by=["outlet", "year"], pairs=[(2019, 2020)])


def test_change_test_matches_exact_enumeration():
    rng = np.random.default_rng(2)
    theta = rng.dirichlet(np.ones(2), size=9)
    years = [2020] * 4 + [2021] * 5
    table = prevalence_change(fitted(theta, years), n_resamples=9999)
    x = theta[:, 0]
    observed = x[4:].mean() - x[:4].mean()
    stats = []
    for group_a in itertools.combinations(range(9), 4):
        rest = [i for i in range(9) if i not in group_a]
        stats.append(x[rest].mean() - x[list(group_a)].mean())
    stats = np.array(stats)
    eps = 1e-12
    p_exact = min(1.0, 2 * min((stats >= observed - eps).mean(), (stats <= observed + eps).mean()))
    row = table[table["topic"] == 0].iloc[0]
    assert math.isclose(row["difference"], observed) and math.isclose(row["p_value"], p_exact)
    assert list(table.columns) == ["group_a", "group_b", "topic", "label", "prevalence_a", "prevalence_b",
                                   "difference", "p_value", "p_adjusted", "n_units_a", "n_units_b"]


# --------------------------------------------------------------------------- linkage
def linked_model():
    units = pd.DataFrame({"unit_id": ["a/p0", "a/p1", "b/p0", "b/p1"], "doc_id": ["a", "a", "b", "b"],
                          "start": [0, 100, 0, 60], "end": [90, 200, 50, 120]})
    theta = np.array([[0.8, 0.2], [0.1, 0.9], [0.6, 0.4], [0.3, 0.7]])
    return SimpleNamespace(units_=units, unit_topics_=theta, labels_=["health", "trade"])


def test_linkage_by_hand():
    mentions = pd.DataFrame({"doc_id": ["a", "a", "b", "b", "a"], "frame": ["f", "f", "f", "g", "g"],
                             "start": [10, 20, 70, 5, 150]})
    table = topic_frame_linkage(linked_model(), mentions=mentions)
    f = table[table["frame"] == "f"].set_index("topic")
    # f: mentions in a/p0 (twice, dominant 0) and b/p1 (dominant 1) -> 2 and 1 mentions
    assert f["n_mentions"].tolist() == [2, 1]
    assert np.allclose(f["mention_share"], [2 / 3, 1 / 3])
    # units with f: a/p0, b/p1 -> topic 0 mean (0.8 + 0.3) / 2; without: a/p1, b/p0 -> (0.1 + 0.6) / 2
    assert np.allclose(f["mean_with"], [0.55, 0.45]) and np.allclose(f["mean_without"], [0.35, 0.65])
    assert np.allclose(f["association"], [0.2, -0.2])
    g = table[table["frame"] == "g"].set_index("topic")
    assert g["n_mentions"].tolist() == [1, 1] and g["n_units_with"].tolist() == [2, 2]


def test_mentions_outside_units_are_reported():
    mentions = pd.DataFrame({"doc_id": ["a", "a", "zz"], "frame": ["f", "f", "f"], "start": [95, 10, 0]})
    placed = assign_mentions(linked_model(), mentions)
    assert placed["topic"].tolist() == [-1, 0, -1]  # offset 95 lies between a/p0 and a/p1
    with pytest.warns(UserWarning, match="2 of 3 mentions"):
        table = topic_frame_linkage(linked_model(), mentions=mentions)
    assert table["n_mentions"].sum() == 1
    with pytest.raises(InputError, match="lacks column"):
        topic_frame_linkage(linked_model(), mentions=pd.DataFrame({"doc_id": ["a"]}))


def test_linkage_with_the_frame_matcher_on_the_seed_corpus():
    from sco_discourse import load_corpus
    from sco_discourse.frames import find_mentions
    from sco_discourse.topics import TopicModel

    corpus = load_corpus()
    model = TopicModel(3, random_state=0, passes=1, iterations=20).fit(corpus)
    mentions = find_mentions(corpus)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every mention falls in a unit: headlines are merged, not dropped
        table = topic_frame_linkage(model, mentions)
    with pytest.raises(InputError, match="mention table"):  # the frames stage makes the mentions, not linkage
        topic_frame_linkage(model, corpus)
    counts = table.groupby("frame")["n_mentions"].sum()
    assert counts.to_dict() == mentions.groupby("frame").size().to_dict()
    assert np.allclose(table.groupby("frame")["mention_share"].sum(), 1)


# --------------------------------------------------------------------------- CLI
FAST = ["--passes", "1", "--iterations", "20"]


def test_cli_fit_writes_the_contract_files_reproducibly(tmp_path, capsys):
    for name in ("a", "b"):
        assert main(["topics", "fit", "--k", "3", "--seed", "5", "--out", str(tmp_path / name), *FAST]) == 0
    terms = pd.read_csv(tmp_path / "a" / "topic_terms.csv")
    assert list(terms.columns) == ["topic", "term", "weight", "rank"]
    assert sorted(terms["topic"].unique()) == [0, 1, 2]
    assert np.allclose(terms.groupby("topic")["weight"].sum(), 1, atol=1e-5)
    docs = pd.read_csv(tmp_path / "a" / "doc_topics.csv")
    assert list(docs.columns) == ["unit_id", "doc_id", "topic", "weight"]
    assert np.allclose(docs.groupby("unit_id")["weight"].sum(), 1, atol=1e-6)
    for name in ("topic_terms.csv", "doc_topics.csv", "units.csv", "topics.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

    capsys.readouterr()
    assert main(["topics", "show", str(tmp_path / "a"), "--n", "4", "--label", "1=trade", "--save"]) == 0
    out = capsys.readouterr().out
    assert "topic 1  [trade]" in out
    assert pd.read_csv(tmp_path / "a" / "topics.csv")["label"].iloc[1] == "trade"
    assert main(["topics", "show", "--model", str(tmp_path / "a"), "--n", "4"]) == 0  # as prevalence/link take it
    assert "topic 1  [trade]" in capsys.readouterr().out
    assert main(["topics", "show"]) == 2
    assert "DIR or --model DIR" in capsys.readouterr().err

    assert main(["topics", "prevalence", "--model", str(tmp_path / "a"), "--n-resamples", "100",
                 "--out", str(tmp_path / "prev.csv"), "--changes", str(tmp_path / "changes.csv")]) == 0
    prev = pd.read_csv(tmp_path / "prev.csv")
    assert list(prev.columns) == ["year", "topic", "label", "prevalence", "ci_low", "ci_high", "n_units", "n_docs",
                                  "few_units"]
    assert sorted(prev["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    assert "caveat: topic prevalence: few units" in capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "changes.csv")) == 4 * 3

    # any metadata field of the corpus, without choosing it at fit time; several columns; a custom group
    assert main(["topics", "prevalence", "--model", str(tmp_path / "a"), "--n-resamples", "50",
                 "--group", "via_xinhua=original_source:Xinhua",
                 "--by", "via_xinhua,year", "--out", str(tmp_path / "by.csv")]) == 0
    by = pd.read_csv(tmp_path / "by.csv", keep_default_na=False)
    # Xinhua is the original source of seed-001 (2023) and seed-003 (2022); the others have none
    assert by.drop_duplicates(["via_xinhua", "year"])[["via_xinhua", "year"]].values.tolist() == [
        ["other", 2020], ["other", 2021], ["other", 2024], ["via_xinhua", 2022], ["via_xinhua", 2023]]
    capsys.readouterr()
    assert main(["topics", "prevalence", "--model", str(tmp_path / "a"), "--by", "year",
                 "--group", "x=outlet:Xinhua"]) == 2
    assert "--group x is defined but --by year does not name it" in capsys.readouterr().err
    assert main(["topics", "prevalence", "--model", str(tmp_path / "a"), "--by", "nosuchfield"]) == 2
    assert "no metadata column 'nosuchfield'" in capsys.readouterr().err

    assert main(["topics", "link", "--model", str(tmp_path / "a"), "--out", str(tmp_path / "link.csv")]) == 0
    link = pd.read_csv(tmp_path / "link.csv")
    assert {"frame", "topic", "association"} <= set(link.columns) and "shared_future" in set(link["frame"])


def test_cli_sweep_and_errors(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    assert main(["topics", "sweep", "--k-min", "2", "--k-max", "3", "--seeds", "2", "--no-progress",
                 "--out", str(out), *FAST]) == 0
    table = pd.read_csv(out)
    assert table[["k", "seed"]].values.tolist() == [[2, 0], [2, 1], [3, 0], [3, 1]]
    assert {"coherence_c_v", "coherence_c_npmi", "coherence_u_mass", "stability", "exclusivity"} <= set(table.columns)
    printed = capsys.readouterr().out
    assert "coherence_c_v_mean" in printed and "stability_mean" in printed
    assert main(["topics", "prevalence"]) == 2
    assert "--k" in capsys.readouterr().err
    assert main(["topics", "show", str(tmp_path)]) == 2


def test_topic_tables_record_the_model_and_corpus(seed):
    from sco_discourse.frames import Matcher

    model = TopicModel(3, method="nmf", random_state=0).fit(seed)
    prevalence = topic_prevalence(model, n_resamples=50, warn=False)
    linkage = topic_frame_linkage(model, Matcher().find(seed))
    for table in (prevalence, linkage):
        assert table.attrs["corpus"] == "embedded seed corpus" and table.attrs["n_topics"] == 3
        assert table.attrs["method"] == "nmf" and len(table.attrs["corpus_fingerprint"]) == 64
    assert linkage.attrs["lexicon_version"] == "2.0.0"


def test_prevalence_resamples_documents_by_default_and_clusters_on_request():
    # six documents of two countries; each document two paragraph units
    texts = {"d0": ("tea leaf cup\n\ntea cup leaf", "CHN"), "d1": ("tea leaf cup\n\ntea cup leaf", "CHN"),
             "d2": ("rail train track\n\nrail track train", "RUS"), "d3": ("rail train track\n\nrail track train", "RUS"),
             "d4": ("tea leaf cup\n\nrail track train", "KAZ"), "d5": ("tea leaf cup\n\nrail track train", "KAZ")}
    corpus = Corpus.from_documents([Document(k, t, meta={"iso3": c, "bloc": "SCO"}) for k, (t, c) in texts.items()])
    model = TopicModel(2, method="nmf", unit="paragraph", min_tokens=1,
                       preprocessor=Preprocessor(phrases=False, min_df=1, max_df=1.0)).fit(corpus)
    kwargs = dict(by="bloc", n_resamples=400, random_state=0, warn=False)
    by_doc = topic_prevalence(model, **kwargs)
    by_unit = topic_prevalence(model, resample="units", **kwargs)
    by_country = topic_prevalence(model, cluster="iso3", **kwargs)
    assert by_doc.attrs["resample"] == "documents" and by_country.attrs["cluster"] == "iso3"
    width = {name: float((t["ci_high"] - t["ci_low"]).iloc[0]) for name, t in
             [("doc", by_doc), ("unit", by_unit), ("country", by_country)]}
    # the same point estimate; three independent countries give the widest interval
    assert by_doc["prevalence"].tolist() == by_country["prevalence"].tolist() == by_unit["prevalence"].tolist()
    assert width["country"] > width["doc"] > 0
    with pytest.raises(InputError, match="cluster='nope' is not a metadata column"):
        topic_prevalence(model, cluster="nope", **kwargs)
