"""Counts, rates, intervals and trends; KWIC and co-occurrence; the UN General Debate slice."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.errors import InputError
from sco_discourse.frames import FrameMatrix, Matcher, cooccurrence, frame_counts, frame_trend, kwic, load_lexicon
from sco_discourse.text import tokens

MATCHER = Matcher()


@pytest.fixture(scope="module")
def per_doc(seed_fm):
    return frame_counts(seed_fm)


def value(table, column, **where):
    mask = np.ones(len(table), dtype=bool)
    for key, wanted in where.items():
        mask &= (table[key] == wanted).to_numpy()
    assert mask.sum() == 1, where
    return table.loc[mask, column].iloc[0]


# --------------------------------------------------------------------------- seed corpus, checked by reading
# seed-004 (read in load_corpus()["seed-004"].text): "community with a shared future for mankind at the
# bilateral level", "China-Central Asia community with a shared future", "community with a shared future
# for China and Kazakhstan", "China-Tajikistan community with a shared future"; Belt and Road 11 times
# ("Belt and Road (Initiative)" x9, "Silk Road Economic Belt", "BRI" none, "Belt and Road" in quotes).
@pytest.mark.parametrize("doc_id, frame, variant, expected", [
    ("seed-004", "shared_future", "", 4),
    ("seed-004", "shared_future", "mankind", 1),
    ("seed-004", "shared_future", "bilateral_regional", 3),
    ("seed-004", "belt_and_road", "", 11),
    ("seed-003", "belt_and_road", "", 9),        # incl. "One Belt, One Road" and "Silk Road Economic Belt"
    ("seed-003", "four_communities", "umbrella", 1),
    ("seed-000", "shared_future", "", 3),        # headline (no article), "for mankind", "closer SCO"
    ("seed-000", "shared_future", "sco", 2),
    ("seed-002c", "three_evils", "label", 3),     # "three evils" x2, "three evil forces"
    ("seed-002c", "three_evils", "triad", 1),
    ("seed-002d", "four_communities", "health", 3),  # headline + body "global community of health for all",
                                                     # "community of common health for mankind"
    ("seed-002a", "four_communities", "", 4),     # "a community of health, security, development, and humanities"
])
def test_seed_counts_checked_by_reading(per_doc, doc_id, frame, variant, expected):
    assert value(per_doc, "count", doc_id=doc_id, frame=frame, variant=variant) == expected


def test_per_document_table_shape_and_tokens(seed, per_doc):
    lex = load_lexicon()
    assert list(per_doc.columns) == ["doc_id", "frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters",
                                     "rate_per_10k_chars"]
    assert len(per_doc) == len(seed) * len(lex.keys())
    for doc in seed:
        n = len(tokens(doc.text))  # the regex tokenizer, not the vectorised counter
        n_chars = sum(ch.isalnum() for ch in doc.text)  # letters and digits, counted another way
        rows = per_doc[per_doc["doc_id"] == doc.doc_id]
        assert (rows["tokens"] == n).all()
        assert np.allclose(rows["rate_per_10k"], rows["count"] * 10_000 / n)
        assert (rows["characters"] == n_chars).all()
        assert np.allclose(rows["rate_per_10k_chars"], rows["count"] * 10_000 / n_chars)
    assert per_doc.attrs["lexicon"] == "sco_codebook 2.0.0"


def test_total_row_is_the_sum_of_variants(per_doc):
    lex = load_lexicon()
    for frame in lex.frames.values():
        if not frame.variants:
            continue
        rows = per_doc[per_doc["frame"] == frame.id]
        totals = rows[rows["variant"] == ""].set_index("doc_id")["count"]
        sums = rows[rows["variant"] != ""].groupby("doc_id")["count"].sum()
        pd.testing.assert_series_equal(totals.sort_index(), sums.sort_index(), check_names=False)


def test_grouped_by_year(seed, seed_fm, per_doc):
    table = frame_counts(seed_fm, by="year", n_resamples=300)
    assert list(table.columns) == ["year", "frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters",
                                   "rate_per_10k_chars", "n_docs", "docs_with_mention", "share_docs", "ci_low",
                                   "ci_high"]
    assert sorted(table["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    # 2020, 2022, 2023, 2024 have one document each, 2021 four
    assert table.attrs["caveat"].startswith("5 of 5 groups have fewer than 5 documents (min 1)")
    # 2021 = seed-002a..d: triad 2 in 002b, label 3 + triad 1 in 002c
    assert value(table, "count", year=2021, frame="three_evils", variant="") == 6
    assert value(table, "n_docs", year=2021, frame="three_evils", variant="") == 4
    assert value(table, "docs_with_mention", year=2021, frame="three_evils", variant="") == 2
    assert value(table, "share_docs", year=2021, frame="three_evils", variant="") == 0.5
    # a zero row is present
    assert value(table, "count", year=2020, frame="shared_future", variant="humankind") == 0
    # grouped counts are sums of the per-document counts
    years = {d.doc_id: d.year for d in seed}
    summed = per_doc.assign(year=per_doc["doc_id"].map(years)).groupby(["year", "frame", "variant"])["count"].sum()
    merged = table.set_index(["year", "frame", "variant"])["count"]
    assert merged.sort_index().tolist() == summed.reindex(merged.index).sort_index().tolist()
    assert ((table["ci_low"] <= table["rate_per_10k"] + 1e-9) & (table["rate_per_10k"] <= table["ci_high"] + 1e-9)).all()


def test_parallel_counts_equal_serial(seed, matcher, seed_fm):
    parallel = matcher.count(seed, n_jobs=2)
    assert (parallel.matrix != seed_fm.matrix).nnz == 0
    pd.testing.assert_frame_equal(parallel.docs, seed_fm.docs)
    grouped = matcher.count(seed, by="year", n_jobs=2)
    assert (grouped.matrix != seed_fm.group("year").matrix).nnz == 0


def test_grouped_by_source_file(seed_fm):
    table = frame_counts(seed_fm, by="source_file", interval="poisson")
    assert table["source_file"].nunique() == 5
    assert value(table, "n_docs", source_file="002_75d179712e1d01a8.txt", frame="win_win", variant="") == 4


def test_bootstrap_interval_is_reproducible_and_seeded():
    docs = [Document(f"d{i}", ("Win-win. " * (i % 4)) + "filler words here " * 10, date=None) for i in range(12)]
    corpus = Corpus.from_documents([Document(d.doc_id, d.text, meta={"g": "all"}) for d in docs])
    fm = MATCHER.count(corpus)
    a = frame_counts(fm, by="g", n_resamples=500, random_state=7)
    b = frame_counts(fm, by="g", n_resamples=500, random_state=7)
    c = frame_counts(fm, by="g", n_resamples=500, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    # drawing and summing the resamples in small blocks (bounded memory) changes nothing
    from sco_discourse import stats

    budget = stats.BOOTSTRAP_BLOCK_BYTES
    stats.BOOTSTRAP_BLOCK_BYTES = 8 * 12 * 3  # three resamples per block
    try:
        pd.testing.assert_frame_equal(a, frame_counts(fm, by="g", n_resamples=500, random_state=7))
    finally:
        stats.BOOTSTRAP_BLOCK_BYTES = budget
    row_a = a[a["frame"] == "win_win"].iloc[0]
    row_c = c[c["frame"] == "win_win"].iloc[0]
    assert (row_a.ci_low, row_a.ci_high) != (row_c.ci_low, row_c.ci_high)
    # an independent percentile bootstrap of the same documents (same generator and seed)
    counts = np.array([i % 4 for i in range(12)], dtype=float)
    toks = np.array([len(tokens(d.text)) for d in docs], dtype=float)
    idx = np.random.default_rng(7).integers(0, 12, size=(500, 12))
    ratios = 10_000 * counts[idx].sum(axis=1) / toks[idx].sum(axis=1)
    assert np.allclose([row_a.ci_low, row_a.ci_high], np.quantile(ratios, [0.025, 0.975]))


def test_poisson_interval_matches_statsmodels(seed_fm):
    from statsmodels.stats.rates import confint_poisson

    table = frame_counts(seed_fm, by="year", interval="poisson")
    for row in table.sample(12, random_state=1).itertuples():
        low, high = confint_poisson(row.count, row.tokens, method="exact-c")
        assert math.isclose(row.ci_low, 10_000 * low, rel_tol=1e-6, abs_tol=1e-12)
        assert math.isclose(row.ci_high, 10_000 * high, rel_tol=1e-6)


def test_trend_matches_a_direct_statsmodels_fit(seed, seed_fm, per_doc):
    import statsmodels.api as sm

    trend = frame_trend(seed_fm)
    assert list(trend.columns) == ["frame", "variant", "specific", "n_docs", "n_years", "irr_per_year", "ci_low", "ci_high",
                                   "p", "method", "caveat"]
    years = {d.doc_id: d.year for d in seed}
    rows = per_doc[(per_doc["frame"] == "shanghai_spirit") & (per_doc["variant"] == "")]
    x = sm.add_constant(rows["doc_id"].map(years).to_numpy(dtype=float))
    fit = sm.GLM(rows["count"].to_numpy(), x, family=sm.families.Poisson(),
                 offset=np.log(rows["tokens"].to_numpy(dtype=float))).fit()
    got = trend[(trend["frame"] == "shanghai_spirit")].iloc[0]
    assert math.isclose(got.irr_per_year, math.exp(fit.params[1]), rel_tol=1e-6)
    assert math.isclose(got.p, fit.pvalues[1], rel_tol=1e-5)
    assert math.isclose(got.ci_low, math.exp(fit.conf_int()[1, 0]), rel_tol=1e-6)
    assert "few documents" in got.caveat
    humankind = trend[(trend["frame"] == "shared_future") & (trend["variant"] == "humankind")].iloc[0]
    assert math.isnan(humankind.irr_per_year) and "no mentions" in humankind.caveat
    # bilateral/regional scope occurs in 2024 only: complete separation, no finite estimate
    bilateral = trend[(trend["frame"] == "shared_future") & (trend["variant"] == "bilateral_regional")].iloc[0]
    assert "all mentions in one year" in bilateral.caveat
    assert all(math.isnan(v) for v in (bilateral.irr_per_year, bilateral.ci_low, bilateral.ci_high, bilateral.p))
    assert trend.attrs["lexicon"] == "sco_codebook 2.0.0" and trend.attrs["model"] == "poisson"


def test_negbin_trend_runs(seed_fm):
    trend = frame_trend(seed_fm, model="negbin")
    row = trend[trend["frame"] == "belt_and_road"].iloc[0]
    assert row.method.startswith("negative binomial") and row.irr_per_year > 0


# --------------------------------------------------------------------------- invariants
FRAGMENTS = ["a community of health, security and development", "the three evils", "win-win",
             "terrorism, separatism and extremism", "a closer SCO community with a shared future",
             "community with a shared future for mankind", "the Global Development and Security Initiatives",
             "mutual trust", "plain words", "\n\n"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=8), min_size=1, max_size=4))
def test_total_equals_sum_of_variants_on_random_documents(docs):
    corpus = Corpus.from_documents([Document(f"d{i}", ". ".join(parts) or "empty", meta={"g": i % 2})
                                    for i, parts in enumerate(docs)])
    table = frame_counts(MATCHER.count(corpus), by="g", n_resamples=50)
    with_variants = table[table.groupby(["g", "frame"])["variant"].transform("nunique") > 1]
    totals = with_variants[with_variants["variant"] == ""].set_index(["g", "frame"])["count"]
    sums = with_variants[with_variants["variant"] != ""].groupby(["g", "frame"])["count"].sum()
    assert totals.sort_index().tolist() == sums.sort_index().tolist()
    assert (table["docs_with_mention"] <= table["n_docs"]).all()


# --------------------------------------------------------------------------- KWIC
def test_kwic_frame_variant_and_pattern(seed, matcher):
    lines = kwic(seed, matcher=matcher, frame="shared_future", variant="bilateral_regional", window=30,
                 columns=["year"])
    assert list(lines.columns) == ["doc_id", "year", "left", "match", "right", "start", "end", "frame", "variant"]
    assert lines["doc_id"].tolist() == ["seed-004"] * 3
    assert lines["right"].iloc[1].startswith(" for China and Kazakhstan")
    text = seed["seed-004"].text
    for row in lines.itertuples():
        assert text[row.start:row.end] == row.match
        assert len(row.left) == 30
    assert lines["year"].tolist() == [2024] * 3
    free = kwic(seed, pattern="three evil forces")
    assert free["doc_id"].tolist() == ["seed-002c", "seed-003"]
    rx = kwic(seed, pattern=r"three evil(s| forces)", regex=True)
    assert len(rx) == 4


# --------------------------------------------------------------------------- co-occurrence
def test_cooccurrence_document_and_sentence_levels():
    corpus = Corpus.from_documents([
        Document("d1", "Win-win deals. The Shanghai Spirit.", meta={"y": 1}),
        Document("d2", "The Shanghai Spirit and win-win cooperation.", meta={"y": 1}),
        Document("d3", "The Shanghai Spirit.", meta={"y": 2}),
        Document("d4", "Nothing.", meta={"y": 2}),
    ])
    doc = cooccurrence(corpus).set_index(["frame_a", "frame_b"]).loc[("shanghai_spirit", "win_win")]
    assert (doc.n_a, doc.n_b, doc.n_ab, doc.n_units) == (3, 2, 2, 4)
    assert doc.jaccard == pytest.approx(2 / 3)
    assert doc.pmi == pytest.approx(math.log2(2 * 4 / (3 * 2)))
    sent = cooccurrence(corpus, level="sentence").set_index(["frame_a", "frame_b"]).loc[("shanghai_spirit", "win_win")]
    assert (sent.n_a, sent.n_b, sent.n_ab, sent.n_units) == (3, 2, 1, 5)
    by = cooccurrence(corpus, by="y")
    row = by[(by["frame_a"] == "shanghai_spirit") & (by["frame_b"] == "win_win") & (by["y"] == 2)].iloc[0]
    assert (row.n_a, row.n_b, row.n_ab, row.n_units) == (1, 0, 0, 2) and math.isnan(row.pmi)


def test_cooccurrence_refuses_an_empty_corpus_and_a_by_column_without_values():
    # the same checks, and messages, as the grouped frame count
    with pytest.raises(InputError, match="empty: the corpus has no documents"):
        cooccurrence(Corpus.from_documents([], name="empty"))
    with pytest.raises(InputError, match=r"no document has a value for 'region' \(fields: doc_id"):
        cooccurrence(load_corpus(), by="region")


def test_cooccurrence_by_paragraph_and_by_several_columns():
    corpus = Corpus.from_documents([
        # two paragraphs, three sentences: win-win and the Shanghai Spirit share the first paragraph only
        Document("d1", "Win-win deals. The Shanghai Spirit.\nThe Shanghai Spirit again.", meta={"y": 1, "s": "a"}),
        Document("d2", "Nothing.\n\nWin-win.", meta={"y": 1, "s": "b"}),
    ])
    para = cooccurrence(corpus, level="paragraph").set_index(["frame_a", "frame_b"]).loc[("shanghai_spirit", "win_win")]
    assert (para.n_a, para.n_b, para.n_ab, para.n_units) == (2, 2, 1, 4)
    by = cooccurrence(corpus, level="paragraph", by=["y", "s"])
    assert list(by.columns[:4]) == ["frame_a", "frame_b", "y", "s"]
    row = by[(by["frame_a"] == "shanghai_spirit") & (by["frame_b"] == "win_win") & (by["s"] == "b")].iloc[0]
    assert (row.y, row.n_a, row.n_b, row.n_ab, row.n_units) == (1, 0, 1, 0, 2)
    with pytest.raises(InputError, match="level must be one of"):
        cooccurrence(corpus, level="chapter")


# --------------------------------------------------------------------------- the UN General Debate slice
def test_ungdc_slice_china_scope_variants_by_year(un_slice):
    corpus = un_slice
    assert len(corpus) == 30
    china = corpus.select(iso3="CHN", year=range(2013, 2025))
    table = frame_counts(MATCHER.count(china), by="year", n_resamples=100)
    scope = table[table["frame"] == "shared_future"].pivot(index="year", columns="variant", values="count")
    # read in the speeches' text (kwic lines): 2013 "community of common destiny with other developing
    # countries"; 2015 "community of shared future for humankind"; 2018 and 2019 twice "for humankind";
    # 2020 "... in which everyone" + "for mankind"; 2023 "for mankind" x2 and "for humankind".
    assert scope.loc[2013, "unqualified"] == 1
    assert scope.loc[2015, "humankind"] == 1
    assert scope.loc[2018, "humankind"] == scope.loc[2019, "humankind"] == 2
    assert (scope.loc[2020, "mankind"], scope.loc[2020, "unqualified"]) == (1, 1)
    assert (scope.loc[2023, "mankind"], scope.loc[2023, "humankind"]) == (2, 1)
    assert scope.loc[2014, ""] == 0
    # 2017 "building community and a shared future for humankind" (a form of codebook v2)
    assert (scope.loc[2017, ""], scope.loc[2017, "humankind"]) == (1, 1)
    # totals agree with a plain regular expression over the raw speeches
    rx = re.compile(r"communit(?:y|ies)\s+(?:with|of|and)\s+(?:a\s+)?(?:shared|common)\s+(?:future|destiny)", re.I)
    for doc in china:
        assert scope.loc[doc.year, ""] == len(rx.findall(doc.text)), doc.doc_id


def test_poisson_groups_summed_while_streaming_equal_the_per_document_path(seed, seed_fm):
    # count(by=) sums each group as it reads (flat memory); the bootstrap needs the
    # per-document counts. Both must give the same counts, documents and shares.
    streamed = frame_counts(MATCHER.count(seed, by="year"), interval="poisson")
    per_document = frame_counts(seed_fm, by="year", n_resamples=20)
    columns = ["year", "frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters", "rate_per_10k_chars",
               "n_docs", "docs_with_mention", "share_docs"]
    pd.testing.assert_frame_equal(streamed[columns], per_document[columns])
    assert streamed.attrs["caveat"] == per_document.attrs["caveat"].split("; a one-document")[0]


# --------------------------------------------------------------------------- the frame matrix and by=
def test_frame_matrix_shape_keys_and_documents_table(seed, seed_fm):
    lex = load_lexicon()
    assert isinstance(seed_fm, FrameMatrix) and not seed_fm.is_grouped
    assert seed_fm.matrix.shape == (8, len(lex.keys())) == (8, 37)
    assert seed_fm.keys == lex.keys()
    assert list(seed_fm.vocabulary[:3]) == ["shared_future", "shared_future/mankind", "shared_future/humankind"]
    assert list(seed_fm.docs.columns[:4]) == ["doc_id", "date", "date_precision", "year"]
    assert list(seed_fm.docs.columns[-2:]) == ["n_tokens", "n_characters"] and "outlet" in seed_fm.docs.columns
    assert seed_fm.docs["doc_id"].tolist() == seed.ids
    assert seed_fm.docs["n_tokens"].tolist() == [len(tokens(d.text)) for d in seed]
    # the hand-coded total of the seed corpus (gold file): 23 mentions of the core frame
    assert int(seed_fm.matrix[:, seed_fm.key_index("shared_future")].sum()) == 23
    # a frame's total column is the sum of its variant columns
    dense = seed_fm.matrix.toarray()
    for frame in lex.frames.values():
        if frame.variants:
            total = dense[:, seed_fm.key_index(frame.id)]
            parts = sum(dense[:, seed_fm.key_index(frame.id, v)] for v in frame.variants)
            assert (total == parts).all(), frame.id
    assert seed_fm.attrs["lexicon"] == "sco_codebook 2.0.0" and seed_fm.attrs["corpus"] == "embedded seed corpus"
    assert (seed_fm.attrs["n_empty_docs"], seed_fm.attrs["empty_docs"]) == (0, [])
    assert repr(seed_fm).startswith("<FrameMatrix 'embedded seed corpus': 8 documents x 37 frame/variant keys")
    with pytest.raises(InputError, match="no frame/variant 'nope'"):
        seed_fm.key_index("nope")


def _countries():
    import datetime as dt

    def doc(doc_id, iso3, year, text):
        return Document(doc_id, text, date=dt.date(year, 1, 1) if year else None, meta={"iso3": iso3})

    return Corpus.from_documents([
        doc("a", "CHN", 2020, "Win-win cooperation. Win-win results."),       # 4 tokens, win_win 2
        doc("b", "CHN", 2020, "A community with a shared future for mankind."),  # 8 tokens, shared_future/mankind 1
        doc("c", "CHN", 2021, "Win-win."),
        doc("d", "RUS", 2020, "The Shanghai Spirit."),
        doc("e", "RUS", 2021, "Win-win and the Shanghai Spirit."),
        doc("f", "KAZ", None, "Win-win."),                                   # no date: no year
    ])


def _rows(table, frame, variant=""):
    return table[(table["frame"] == frame) & (table["variant"] == variant)].reset_index(drop=True)


def test_by_several_columns_gives_interaction_groups_checked_by_hand():
    fm = MATCHER.count(_countries())
    table = frame_counts(fm, by=["iso3", "year"], interval="poisson")
    assert list(table.columns[:3]) == ["iso3", "year", "frame"]
    win = _rows(table, "win_win")
    # groups column by column, missing year last within KAZ's (only) group
    assert [(r.iso3, None if pd.isna(r.year) else int(r.year)) for r in win.itertuples()] == [
        ("CHN", 2020), ("CHN", 2021), ("KAZ", None), ("RUS", 2020), ("RUS", 2021)]
    assert win["count"].tolist() == [2, 1, 1, 0, 1]
    assert win["n_docs"].tolist() == [2, 1, 1, 1, 1]
    assert win["docs_with_mention"].tolist() == [1, 1, 1, 0, 1]
    assert win["tokens"].tolist() == [12, 1, 1, 3, 5]
    assert _rows(table, "shared_future", "mankind")["count"].tolist() == [1, 0, 0, 0, 0]
    assert _rows(table, "shanghai_spirit")["count"].tolist() == [0, 0, 0, 1, 1]


def test_custom_group_counts_checked_by_hand():
    from sco_discourse.groups import Group

    fm = MATCHER.count(_countries())
    table = frame_counts(fm, by={"iso3": {"SCO": ["CHN", "RUS"]}}, interval="poisson")
    win = _rows(table, "win_win")
    assert win["iso3"].tolist() == ["SCO", "other"]
    assert (win["count"].tolist(), win["n_docs"].tolist(), win["tokens"].tolist()) == ([4, 1], [5, 1], [21, 1])
    # the same group as a Group object, named, with a second column
    both = frame_counts(fm, by=[Group("bloc", "iso3", {"SCO": ["CHN", "RUS"]}), "year"], interval="poisson")
    win = _rows(both, "win_win")
    assert [(r.bloc, None if pd.isna(r.year) else int(r.year), r.count) for r in win.itertuples()] == [
        ("SCO", 2020, 2), ("SCO", 2021, 2), ("other", None, 1)]


@pytest.mark.parametrize("by", ["year", ["iso3", "year"], {"iso3": {"SCO": ["CHN", "RUS"]}}, "iso3"])
def test_grouped_while_streaming_equals_grouping_the_per_document_matrix(by):
    corpus = _countries()
    streamed = MATCHER.count(corpus, by=by)
    grouped = MATCHER.count(corpus).group(by)
    assert isinstance(streamed, FrameMatrix) and streamed.is_grouped
    assert streamed.groups == grouped.groups
    assert (streamed.matrix != grouped.matrix).nnz == 0
    assert (streamed.doc_counts != grouped.doc_counts).nnz == 0
    pd.testing.assert_frame_equal(streamed.docs, grouped.docs)
    pd.testing.assert_frame_equal(frame_counts(streamed, interval="poisson"),
                                  frame_counts(MATCHER.count(corpus), by=by, interval="poisson"))


def test_a_grouped_matrix_regroups_by_its_own_columns_only():
    fm = MATCHER.count(_countries())
    by_pair = MATCHER.count(_countries(), by=["iso3", "year"])
    pd.testing.assert_frame_equal(frame_counts(by_pair, by="year", interval="poisson"),
                                  frame_counts(fm, by="year", interval="poisson"))
    with pytest.raises(InputError, match="rows are groups of iso3, year; they cannot be grouped by 'outlet'"):
        frame_counts(by_pair, by="outlet", interval="poisson")


def test_target_and_reference_pool_groups_like_keyness():
    fm = MATCHER.count(_countries())
    table = frame_counts(fm, by="iso3", target="CHN", reference=["RUS"], interval="poisson")
    win = _rows(table, "win_win")
    assert win["side"].tolist() == ["target", "reference"]
    assert (win["count"].tolist(), win["n_docs"].tolist()) == ([3, 1], [3, 2])   # KAZ in neither
    assert (table.attrs["target"], table.attrs["reference"]) == ("iso3 = CHN", "iso3 = RUS")
    rest = _rows(frame_counts(fm, by="iso3", target="CHN", n_resamples=50), "win_win")
    assert (rest["count"].tolist(), rest["n_docs"].tolist()) == ([3, 2], [3, 3])  # RUS and KAZ
    pair = _rows(frame_counts(fm, by=["iso3", "year"], target=[("CHN", 2020), ("RUS", "2021")],
                              interval="poisson"), "win_win")
    assert (pair["count"].tolist(), pair["n_docs"].tolist()) == ([3, 2], [3, 3])
    with pytest.raises(InputError, match="target USA matches no group of iso3; groups: CHN, KAZ, RUS"):
        frame_counts(fm, by="iso3", target="USA")
    with pytest.raises(InputError, match="share groups"):
        frame_counts(fm, by="iso3", target="CHN", reference=["CHN", "RUS"])


def test_statistics_say_which_matrix_they_need(seed, seed_fm):
    grouped = MATCHER.count(seed, by="year")
    with pytest.raises(InputError, match="the bootstrap resamples documents"):
        frame_counts(grouped)
    with pytest.raises(InputError, match="needs per-document counts"):
        frame_trend(grouped)
    with pytest.raises(InputError, match=r"frame_counts takes the frame matrix of a corpus: fm = Matcher"):
        frame_counts(seed, by="year")
    with pytest.raises(InputError, match="no metadata column 'party'"):
        frame_counts(seed_fm, by="party")
    with pytest.raises(InputError, match="no document has a value for 'party'"):
        MATCHER.count(seed, by="party")


def test_un_slice_custom_sco_group(un_slice):
    sco = ["CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN", "BLR"]
    grouped = MATCHER.count(un_slice, by=[{"iso3": {"SCO": sco}}, "year"])
    table = frame_counts(grouped, interval="poisson")
    core = _rows(table, "shared_future")
    # the slice: CHN 1971 and 2013-2024, seven other members in 2020 and 2023; USA 2017, 2021; GBR 2022.
    # Only China's speeches use the phrase (counted with a regular expression in the test above):
    # 2020 twice and 2023 three times; China 2017's "community and a shared future" (codebook v2) is in the
    # pooled count.
    in_2020 = core[(core["iso3"] == "SCO") & (core["year"] == 2020)].iloc[0]
    in_2023 = core[(core["iso3"] == "SCO") & (core["year"] == 2023)].iloc[0]
    assert (in_2020["n_docs"], in_2020["count"], in_2020["docs_with_mention"]) == (8, 2, 1)
    assert (in_2023["n_docs"], in_2023["count"], in_2023["docs_with_mention"]) == (8, 3, 1)
    assert core.loc[core["iso3"] == "other", "count"].sum() == 0
    assert core.loc[core["iso3"] == "other", "n_docs"].sum() == 3
    pooled = _rows(frame_counts(MATCHER.count(un_slice), by={"iso3": {"SCO": sco}}, target="SCO",
                                interval="poisson"), "shared_future")
    assert (pooled["count"].tolist(), pooled["n_docs"].tolist()) == ([17, 0], [27, 3])


def test_cluster_resamples_whole_clusters_and_widens_the_interval():
    # group "a": 8 documents of two speakers, each speaker's documents alike
    from sco_discourse import Corpus, Document
    from sco_discourse.frames import Matcher, frame_counts

    win = "win-win cooperation. " * 3
    docs = []
    rows = [("a", "s1", win * 3)] * 4 + [("a", "s2", "peace. " * 9)] * 4 + [
        ("b", "s3", win), ("b", "s3", "peace. " * 9), ("b", "s4", win), ("b", "s4", "peace. " * 9)]
    for i, (side, speaker, text) in enumerate(rows):
        docs.append(Document(f"d{i}", text, meta={"side": side, "speaker": speaker}))
    fm = Matcher().count(Corpus.from_documents(docs))
    by_doc = frame_counts(fm, by="side", n_resamples=400, random_state=1).query("frame == 'win_win' and variant == ''")
    by_speaker = frame_counts(fm, by="side", n_resamples=400, random_state=1, cluster="speaker").query(
        "frame == 'win_win' and variant == ''")
    assert by_speaker.attrs["cluster"] == "speaker" and by_doc.attrs["cluster"] == "document"
    # group a: drawing 2 speakers gives no mention in 1 of 4 resamples (by document: 1 in 256)
    a_doc, a_spk = by_doc.iloc[0], by_speaker.iloc[0]
    assert a_spk["ci_low"] == 0.0 and a_doc["ci_low"] > 0.0
    assert a_spk["ci_high"] - a_spk["ci_low"] > a_doc["ci_high"] - a_doc["ci_low"]
    # the same seed gives the same intervals
    again = frame_counts(fm, by="side", n_resamples=400, random_state=1, cluster="speaker")
    assert again.query("frame == 'win_win' and variant == ''")["ci_high"].tolist() == by_speaker["ci_high"].tolist()
    with pytest.raises(InputError, match="cluster='nope' is not a metadata column"):
        frame_counts(fm, by="side", cluster="nope")


def test_precision_corrects_rates_inside_frame_counts(seed_fm):
    from sco_discourse.frames.precision import corrected_rates

    prec = pd.DataFrame({"frame": ["win_win"], "variant": [""], "precision": [0.8], "ci_low": [0.6],
                         "ci_high": [0.9], "precision_lenient": [0.9], "lenient_low": [0.7],
                         "lenient_high": [0.97], "n_effective": [20.0]})
    plain = frame_counts(seed_fm, by="year", interval="poisson")
    table = frame_counts(seed_fm, by="year", interval="poisson", precision=prec)
    row = table.query("frame == 'win_win' and variant == ''").iloc[0]
    assert row["rate_corrected"] == pytest.approx(0.8 * row["rate_per_10k"])
    assert row["count_corrected"] == pytest.approx(0.8 * row["count"])
    assert table.attrs["precision_corrected"] and table.attrs["interval"] == "poisson"
    # the same as correcting the table afterwards
    pd.testing.assert_frame_equal(table.reset_index(drop=True),
                                  corrected_rates(plain, prec).reset_index(drop=True), check_like=True)


def test_specific_flag_is_a_column_of_every_count_table(seed_fm):
    """codebook_v2.yaml marks win_win (frame) and multilateralism (frame, ``generic``
    variant) ``specific: false``; ``multilateralism/true`` is specific again, and a frame
    total is specific only when all its variants are."""
    generic = {("win_win", ""), ("win_win", "cooperation"), ("win_win", "generic"), ("multilateralism", ""),
               ("multilateralism", "generic")}
    for table in (frame_counts(seed_fm, interval="poisson"),
                  frame_counts(seed_fm, by="year", interval="poisson"),
                  frame_counts(Matcher().count(load_corpus(), by="year"), interval="poisson"),
                  frame_trend(seed_fm)):
        assert table.columns[table.columns.get_loc("variant") + 1] == "specific"
        assert table["specific"].dtype == bool
        flagged = set(zip(table.loc[~table["specific"], "frame"], table.loc[~table["specific"], "variant"]))
        assert flagged == generic
        assert table.loc[(table["frame"] == "shared_future"), "specific"].all()


def test_specific_flag_for_chinese_keys():
    """The Chinese lexicon's own variant (shared_future/human) gets a flag too."""
    corpus = load_corpus(pd.DataFrame({"doc_id": ["zh1", "en1"], "year": [2020, 2020], "language": ["zh", "en"],
                                       "text": ["构建人类命运共同体。", "We build a community with a shared future for mankind."]}))
    table = frame_counts(Matcher().count(corpus, by="language"), interval="poisson")
    human = table.query("frame == 'shared_future' and variant == 'human'")
    assert len(human) == 2 and human["specific"].all()
    assert int(human.query("language == 'zh'")["count"].iloc[0]) == 1
