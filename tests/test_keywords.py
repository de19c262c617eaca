"""Keyword statistics checked against scipy, statsmodels, NLTK and published worked examples."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nltk.collocations import BigramCollocationFinder
from nltk.metrics.association import BigramAssocMeasures, TrigramAssocMeasures
from scipy.stats import chi2 as chi2_dist
from scipy.stats import chi2_contingency, power_divergence
from statsmodels.stats.rates import confint_poisson_2indep

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse import stats
from sco_discourse.dtm import build_dtm
from sco_discourse.errors import InputError
from sco_discourse.keywords import (DISPERSION_COLUMNS, KEYNESS_COLUMNS, collocates, dispersion, frequencies,
                                    keyness, ngram_collocations)
from sco_discourse.text import sentence_spans, stop_words, tokens

RNG = np.random.default_rng(20240601)


@pytest.fixture(scope="module")
def seed_dtm(seed):
    return build_dtm(seed)


def _random_tables(n=200):
    tables = RNG.integers(0, 60, size=(n, 4))
    tables[::7, 0] = 0      # zero counts in the target
    tables[3::7, 2] = 0     # ... and in the reference
    tables[:, 1] += 1       # keep every row and column non-empty
    tables[:, 3] += 1
    return tables


# --------------------------------------------------------------------------- 2x2 statistics
def test_g2_agrees_with_scipy_power_divergence():
    for a, b, c, d in _random_tables():
        table = np.array([[a, b], [c, d]])
        expected = chi2_contingency(table, correction=False)[3]
        reference = power_divergence(table.ravel(), expected.ravel(), lambda_="log-likelihood", ddof=0)[0]
        assert stats.log_likelihood_g2(a, b, c, d) == pytest.approx(reference, rel=1e-10, abs=1e-10)
        # and scipy's own G² test over the table
        scipy_g2 = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert stats.log_likelihood_g2(a, b, c, d) == pytest.approx(scipy_g2, rel=1e-10, abs=1e-10)


def test_chi2_with_and_without_yates_agrees_with_scipy():
    tables = _random_tables()
    plain = stats.pearson_chi2(*tables.T)
    yates = stats.pearson_chi2(*tables.T, yates=True)
    for row, p, y in zip(tables, plain, yates):
        table = row.reshape(2, 2)
        assert p == pytest.approx(chi2_contingency(table, correction=False)[0], rel=1e-10, abs=1e-12)
        assert y == pytest.approx(chi2_contingency(table, correction=True)[0], rel=1e-10, abs=1e-12)


def test_gries_coll_analysis_reference_values():
    # Gries, S. Th. Coll.analysis 4.0 (R script), reference output for the 2x2 table
    # [4, 954; 10, 137,696]: G² = 23.2028341311467, MI = log2(O/E) = 5.36999698988606.
    assert stats.log_likelihood_g2(4, 954, 10, 137_696) == pytest.approx(23.2028341311467, rel=1e-12)
    scores = stats.association_measures(4, 4 + 954, 4 + 10, 4 + 954 + 10 + 137_696)
    assert scores["mi"] == pytest.approx(5.36999698988606, rel=1e-12)
    assert scores["g2"] == pytest.approx(23.2028341311467, rel=1e-12)  # attraction: positive


def test_signed_g2_and_zero_cells():
    assert stats.log_likelihood_g2(0, 100, 10, 100, signed=True) < 0
    assert stats.log_likelihood_g2(10, 100, 0, 100, signed=True) > 0
    assert stats.log_likelihood_g2(10, 100, 10, 100, signed=True) == 0
    # absent from one side: the 0 * ln 0 cell contributes 0, by hand 2 * (10 ln 2 + 100 ln(200/210) + ...)
    a, b, c, d = 10, 100, 0, 110
    n = a + b + c + d
    by_hand = 2 * (a * np.log(a / ((a + b) * (a + c) / n)) + b * np.log(b / ((a + b) * (b + d) / n))
                   + d * np.log(d / ((c + d) * (b + d) / n)))
    assert stats.log_likelihood_g2(a, b, c, d) == pytest.approx(by_hand, rel=1e-12)


def test_association_measures_agree_with_nltk():
    measures = BigramAssocMeasures
    for _ in range(100):
        n = int(RNG.integers(1_000, 100_000))
        r1, c1 = (int(x) for x in RNG.integers(5, 500, size=2))
        o11 = int(RNG.integers(1, min(r1, c1) + 1))
        ours = stats.association_measures(o11, r1, c1, n)
        marginals = (o11, (r1, c1), n)
        assert ours["mi"] == pytest.approx(measures.pmi(*marginals), rel=1e-10)
        assert abs(ours["g2"]) == pytest.approx(measures.likelihood_ratio(*marginals), rel=1e-8)
        assert ours["t_score"] == pytest.approx(measures.student_t(*marginals), rel=1e-10)
        assert ours["chi2"] == pytest.approx(measures.chi_sq(*marginals), rel=1e-8)
        assert stats.log_dice(o11, r1, c1) == pytest.approx(14 + np.log2(measures.dice(*marginals)), rel=1e-12)


def test_log_ratio_hardie_and_interval_against_statsmodels():
    # Hardie (2014): log ratio 1 = twice as frequent, 0 = equal, -1 = half.
    assert stats.log_ratio(20, 1000, 10, 1000)[0] == pytest.approx(1.0)
    assert stats.log_ratio(10, 1000, 20, 2000)[0] == pytest.approx(0.0)
    assert stats.log_ratio(5, 2000, 10, 2000)[0] == pytest.approx(-1.0)
    # zero frequency replaced by 0.5 (Hardie 2014): log2((5/1000) / (0.5/1000))
    assert stats.log_ratio(5, 1000, 0, 1000)[0] == pytest.approx(np.log2(10))
    for a, size_a, b, size_b in [(20, 1000, 10, 1000), (3, 5000, 40, 7000), (100, 10**6, 7, 10**5)]:
        low, high = confint_poisson_2indep(a, size_a, b, size_b, method="wald-log", compare="ratio")
        _, ours_low, ours_high = stats.log_ratio(a, size_a, b, size_b)
        assert ours_low == pytest.approx(np.log2(low), rel=1e-9)
        assert ours_high == pytest.approx(np.log2(high), rel=1e-9)


def test_pct_diff_gabrielatos_marchi():
    # %DIFF = (NF_target - NF_reference) * 100 / NF_reference (Gabrielatos & Marchi 2012)
    assert stats.pct_diff(30, 1000, 10, 1000) == pytest.approx(200.0)
    assert stats.pct_diff(5, 1000, 10, 1000) == pytest.approx(-50.0)
    assert stats.pct_diff(0, 1000, 10, 1000) == pytest.approx(-100.0)
    assert stats.pct_diff(3, 1000, 0, 1000) == np.inf


def test_log_dice_rychly():
    # Rychlý (2008): logDice = 14 + log2(2 f_xy / (f_x + f_y)); maximum 14 when x, y always co-occur.
    assert stats.log_dice(50, 50, 50) == pytest.approx(14.0)
    assert stats.log_dice(1, 1000, 1000) == pytest.approx(14 + np.log2(2 / 2000))


# --------------------------------------------------------------------------- keyness
def test_keyness_matches_a_per_term_computation(seed, seed_dtm):
    table = keyness(seed_dtm, by="year", target=2024).set_index("term")
    target = Counter()
    reference = Counter()
    for doc in seed:
        (target if doc.year == 2024 else reference).update(tokens(doc.text))
    size_t, size_r = sum(target.values()), sum(reference.values())
    assert table.attrs["target_tokens"] == size_t and table.attrs["reference_tokens"] == size_r
    assert len(table) == len(set(target) | set(reference))
    only_reference = next(t for t in reference if t not in target)
    only_target = next(t for t in target if t not in reference)
    for term in ["kazakhstan", "sco", "community", "the", only_reference, only_target]:
        a, b = target[term], reference[term]
        cont = np.array([[a, size_t - a], [b, size_r - b]])
        g2 = chi2_contingency(cont, correction=False, lambda_="log-likelihood")[0]
        chi2 = chi2_contingency(cont, correction=False)[0]
        chi2_yates = chi2_contingency(cont, correction=True)[0]
        row = table.loc[term]
        sign = 1 if a / size_t > b / size_r else -1
        assert (row.count_target, row.count_reference) == (a, b)
        assert row.g2 == pytest.approx(sign * g2, rel=1e-10)
        assert row.chi2 == pytest.approx(chi2, rel=1e-10)
        assert row.chi2_yates == pytest.approx(chi2_yates, rel=1e-10)
        assert row.p == pytest.approx(chi2_dist.sf(g2, 1), rel=1e-9)
        lr = np.log2((max(a, 0.5) / size_t) / (max(b, 0.5) / size_r))
        assert row.log_ratio == pytest.approx(lr, rel=1e-12)
        assert row.log_ratio_ci_low < row.log_ratio < row.log_ratio_ci_high
    assert table.loc[only_reference, "g2"] < 0 and table.loc[only_reference, "pct_diff"] == -100
    assert table.loc[only_target, "g2"] > 0 and table.loc[only_target, "pct_diff"] == np.inf
    # p_adj is Benjamini-Hochberg over all listed terms
    np.testing.assert_allclose(table["p_adj"], stats.adjust_p(table["p"], "bh"))
    assert ["term"] + list(table.columns[:10]) == KEYNESS_COLUMNS


def test_keyness_sorted_positive_first_and_corrections(seed_dtm):
    table = keyness(seed_dtm, target=2024, correction="bonferroni", min_count=3)
    assert (np.diff(table["g2"]) <= 1e-12).all()
    assert (table["count_target"] + table["count_reference"] >= 3).all()
    np.testing.assert_allclose(table["p_adj"], np.minimum(table["p"] * len(table), 1.0))
    assert table.iloc[0]["term"] == "kazakhstan" and table.iloc[-1]["term"] == "sco"


def test_keyness_reference_groups_and_one_document_group(seed_dtm):
    # 2020 is a single document; against 2021 only (four documents)
    table = keyness(seed_dtm, target="2020", reference=[2021]).set_index("term")
    size_2020 = int(seed_dtm.docs.loc[seed_dtm.docs.year == 2020, "n_tokens"].sum())
    size_2021 = int(seed_dtm.docs.loc[seed_dtm.docs.year == 2021, "n_tokens"].sum())
    assert table.attrs["target_tokens"] == size_2020 and table.attrs["reference_tokens"] == size_2021
    a, b = table.loc["covid-19", ["count_target", "count_reference"]]
    g2 = chi2_contingency([[a, size_2020 - a], [b, size_2021 - b]], correction=False, lambda_="log-likelihood")[0]
    assert table.loc["covid-19", "g2"] == pytest.approx(np.sign(a / size_2020 - b / size_2021) * g2)
    # terms only in 2022-2024 are not listed: absent from both sides
    in_groups = set()
    for i in np.flatnonzero(seed_dtm.docs.year.isin([2020, 2021]).to_numpy()):
        in_groups.update(seed_dtm.vocabulary[seed_dtm.matrix[i].indices])
    assert set(table.index) == in_groups
    assert "rahmon" not in table.index


def test_keyness_against_a_reference_corpus(seed, seed_dtm):
    ref = Corpus.from_documents([Document("r1", "The SCO and the region. Region, region!"),
                                 Document("r2", "Nothing about cooperation")], name="ref")
    table = keyness(seed_dtm, reference=build_dtm(ref)).set_index("term")
    assert table.attrs["reference_tokens"] == 10
    assert table.attrs["target_tokens"] == seed_dtm.n_tokens
    assert table.loc["region", "count_reference"] == 3
    assert table.loc["nothing", "count_target"] == 0
    assert table.loc["kazakhstan", "count_reference"] == 0
    assert table.loc["region", "g2"] < 0 < table.loc["kazakhstan", "g2"]
    assert table.attrs["reference"] == "reference corpus ref"
    with pytest.raises(InputError, match="reference corpus is passed as a DTM"):
        keyness(seed_dtm, target=2024, reference=ref)
    with pytest.raises(InputError, match="the reference DTM was built with ngram=.1, 2."):
        keyness(seed_dtm, reference=build_dtm(ref, ngram=(1, 2)))


def test_keyness_errors(seed_dtm):
    with pytest.raises(InputError, match="target 2030 matches no group of year; groups: 2020, 2021, 2022, 2023, 2024"):
        keyness(seed_dtm, target=2030)
    with pytest.raises(InputError, match="single group"):
        keyness(seed_dtm.select_docs(seed_dtm.docs.year == 2021))
    with pytest.raises(InputError, match="share documents"):
        keyness(seed_dtm, target=2021, reference=[2021, 2022])
    with pytest.raises(InputError, match="no metadata column"):
        keyness(seed_dtm, by="party", target="x")
    with pytest.raises(InputError, match=r"keyness takes a document-term matrix: dtm = build_dtm\(corpus"):
        keyness(load_corpus(), target=2024)
    only = build_dtm(Corpus.from_documents([Document("a", "one text", date=None)]))
    with pytest.raises(InputError, match="reference"):
        keyness(only, by="doc_id", target="a")


def test_keyness_ngrams_and_lemmas(seed):
    dtm = build_dtm(seed, ngram=2, remove_stop_words=True, lemma=True)
    table = keyness(dtm, target=2024).set_index("term")
    assert "president xi" in table.index
    assert all(" " in t for t in table.index)


# --------------------------------------------------------------------------- frequencies
def test_frequencies_by_year_match_counting(seed):
    table = frequencies(build_dtm(seed, ngram=(1, 2)), by="year")
    per_year: dict = {}
    docs_with: dict = {}
    sizes = Counter()
    for doc in seed:
        words = tokens(doc.text)
        sizes[doc.year] += len(words)
        grams = Counter(words)
        for s, e in sentence_spans(doc.text):
            w = tokens(doc.text[s:e])
            grams.update(" ".join(w[i:i + 2]) for i in range(len(w) - 1))
        per_year.setdefault(doc.year, Counter()).update(grams)
        for g in grams:
            docs_with.setdefault((doc.year, g), set()).add(doc.doc_id)
    assert len(table) == sum(len(c) for c in per_year.values())
    sample = table.sample(50, random_state=1)
    for row in sample.itertuples():
        assert row.count == per_year[row.year][row.term]
        assert row.rate_per_10k == pytest.approx(row.count * 10_000 / sizes[row.year])
        assert row.doc_freq == len(docs_with[(row.year, row.term)])
        assert row.group_tokens == sizes[row.year]
        assert row.n_words == len(row.term.split())


def test_frequencies_whole_corpus_filters(seed_dtm):
    table = frequencies(seed_dtm, min_count=10)
    assert list(table.columns) == ["term", "n_words", "count", "rate_per_10k", "doc_freq", "group_tokens"]
    assert table["count"].min() >= 10 and (np.diff(table["count"]) <= 0).all()
    picked = frequencies(seed_dtm, terms=["sco", "community", "absent-term"])
    assert set(picked["term"]) == {"sco", "community"}
    assert picked.set_index("term").loc["sco", "doc_freq"] == 8


# --------------------------------------------------------------------------- dispersion
GRIES_TOY = ["b a m n i b e u p", "b a s a t b e w q n", "b c a g a b e s t a", "b a g h a b e a a t",
             "b a h a a b e a x a t"]


def test_dispersion_gries_worked_example():
    # Gries, S. Th. (2008). Dispersions and adjusted frequencies in corpora. IJCL 13(4):
    # 50 words in parts of 9, 10, 10, 10, 11 words; "a" occurs 1, 2, 3, 4, 5 times.
    # Published values for "a": Juilland's D = 0.785150453450451, DP = 0.18,
    # DPnorm = 0.219512195121951 (Lijffijt & Gries 2012).
    corpus = Corpus.from_documents([Document(f"part{i}", t) for i, t in enumerate(GRIES_TOY)])
    table = dispersion(build_dtm(corpus)).set_index("term")
    assert list(table.columns) == DISPERSION_COLUMNS[1:] + ["n_parts"]
    row = table.loc["a"]
    assert row.frequency == 15 and row.range == 5 and row.n_parts == 5
    assert row.juilland_d == pytest.approx(0.785150453450451, rel=1e-12)
    assert row.dp == pytest.approx(0.18, rel=1e-12)
    assert row.dp_norm == pytest.approx(0.219512195121951, rel=1e-12)
    # "b" occurs twice in every part: as even as part sizes allow, DP = 0.5 * sum |2/10 - s_i|
    assert table.loc["b", "dp"] == pytest.approx(0.5 * (0.02 + 0 + 0 + 0 + 0.02))
    # a word in one part only: range 1
    assert table.loc["m", "range"] == 1


def test_dispersion_matches_a_per_term_computation(seed, seed_dtm):
    table = dispersion(seed_dtm, ["sco", "health", "kazakhstan"], by="year").set_index("term")
    sizes, counts = Counter(), {}
    for doc in seed:
        words = tokens(doc.text)
        sizes[doc.year] += len(words)
        for term in table.index:
            counts.setdefault(term, Counter())[doc.year] += words.count(term)
    years = sorted(sizes)
    s = np.array([sizes[y] for y in years], dtype=float)
    s /= s.sum()
    for term, row in table.iterrows():
        v = np.array([counts[term][y] for y in years], dtype=float)
        p = v / np.array([sizes[y] for y in years])
        assert row.juilland_d == pytest.approx(1 - (p.std() / p.mean()) / np.sqrt(len(v) - 1))
        dp = 0.5 * np.abs(v / v.sum() - s).sum()
        assert row.dp == pytest.approx(dp)
        assert row.dp_norm == pytest.approx(dp / (1 - s.min()))
        assert row.range == (v > 0).sum()


def test_dispersion_one_part_and_empty_parts():
    corpus = Corpus.from_documents([Document("a", "peace peace"), Document("b", "...")])
    row = dispersion(build_dtm(corpus)).iloc[0]
    assert row.n_parts == 1 and np.isnan(row.juilland_d) and row.dp == 0


# --------------------------------------------------------------------------- collocates
def _naive_collocates(texts, node_words, left, right):
    """Per-position loop: union of window positions, node tokens excluded."""
    observed, freq, window_tokens, node_freq, total = Counter(), Counter(), 0, 0, 0
    k = len(node_words)
    for text in texts:
        words = tokens(text)
        total += len(words)
        freq.update(words)
        starts = [i for i in range(len(words) - k + 1) if words[i:i + k] == node_words]
        node_freq += len(starts)
        covered, node_pos = set(), set()
        for s in starts:
            node_pos.update(range(s, s + k))
            covered.update(range(max(0, s - left), s))
            covered.update(range(s + k, min(len(words), s + k + right)))
        for pos in covered - node_pos:
            observed[words[pos]] += 1
            window_tokens += 1
    return observed, freq, window_tokens, node_freq, total


def test_collocates_match_a_per_position_loop(seed, seed_dtm):
    texts = [d.text for d in seed]
    for node, window in [("community", 5), ("Shanghai Spirit", (3, 2))]:
        table = collocates(seed_dtm, node, window=window).set_index("collocate")
        left, right = (window, window) if isinstance(window, int) else window
        observed, freq, window_tokens, node_freq, total = _naive_collocates(texts, tokens(node), left, right)
        assert table.attrs["window_tokens"] == window_tokens
        assert dict(table["observed"]) == dict(observed)
        for word in list(observed)[:25]:
            row = table.loc[word]
            e = window_tokens * freq[word] / total
            assert row.expected == pytest.approx(e)
            assert row.mi == pytest.approx(np.log2(observed[word] / e))
            assert row.t_score == pytest.approx((observed[word] - e) / np.sqrt(observed[word]))
            assert row.log_dice == pytest.approx(14 + np.log2(2 * observed[word] / (node_freq + freq[word])))
            assert row.node_freq == node_freq and row.collocate_freq == freq[word]


def test_collocates_edges_phrases_and_absent_nodes():
    corpus = build_dtm(Corpus.from_documents([Document("a", "x shared future y"), Document("b", "z shared future")]))
    table = collocates(corpus, "Shared future", window=2).set_index("collocate")
    # windows stop at document edges: "y" of document a never reaches "z" of document b
    assert dict(table["observed"]) == {"x": 1, "y": 1, "z": 1}
    assert table.attrs["window_tokens"] == 3
    assert collocates(corpus, "common destiny").empty
    with pytest.raises(InputError, match="window"):
        collocates(corpus, "shared", window=0)
    with pytest.raises(InputError, match="no word"):
        collocates(corpus, "...")
    assert "the" not in set(collocates(build_dtm(load_corpus()), "community", remove_stop_words=True)["collocate"])
    with pytest.raises(InputError, match="needs the token stream"):
        collocates(build_dtm(load_corpus(), keep_stream=False), "community")


# --------------------------------------------------------------------------- n-gram collocations
def test_bigram_collocations_equal_nltk_finder():
    text = ("the silk road links the silk route and the road of silk to the region of the "
            "road and the belt of the silk road")
    dtm = build_dtm(Corpus.from_documents([Document("a", text)]), sentences=True)
    ours = ngram_collocations(dtm, n=2, min_count=1).set_index("ngram")
    finder = BigramCollocationFinder.from_words(tokens(text))
    for name, column in [("pmi", "mi"), ("likelihood_ratio", "g2"), ("student_t", "t_score"),
                         ("chi_sq", "chi2")]:
        reference = dict(finder.score_ngrams(getattr(BigramAssocMeasures, name)))
        assert len(reference) == len(ours)
        for (w1, w2), score in reference.items():
            value = ours.loc[f"{w1} {w2}", column]
            assert (abs(value) if column == "g2" else value) == pytest.approx(score, rel=1e-8, abs=1e-9)


def test_trigram_collocations_equal_nltk_measures(seed):
    table = ngram_collocations(build_dtm(seed, sentences=True), n=3, min_count=3).set_index("ngram")
    words_by_sentence = [tokens(d.text[s:e]) for d in seed for s, e in sentence_spans(d.text)]
    unigram, adjacent, skipped = Counter(), Counter(), Counter()
    for w in words_by_sentence:
        unigram.update(w)
        adjacent.update(zip(w, w[1:]))
        skipped.update(zip(w, w[2:]))
    total = sum(unigram.values())
    for gram in list(table.index[:20]) + ["president xi jinping"]:
        w1, w2, w3 = gram.split(" ")
        marginals = (table.loc[gram, "observed"], (adjacent[w1, w2], skipped[w1, w3], adjacent[w2, w3]),
                     (unigram[w1], unigram[w2], unigram[w3]), total)
        assert table.loc[gram, "mi"] == pytest.approx(TrigramAssocMeasures.pmi(*marginals), rel=1e-9)
        assert table.loc[gram, "t_score"] == pytest.approx(TrigramAssocMeasures.student_t(*marginals), rel=1e-9)
        assert abs(table.loc[gram, "g2"]) == pytest.approx(TrigramAssocMeasures.likelihood_ratio(*marginals),
                                                           rel=1e-8)
        assert table.loc[gram, "chi2"] == pytest.approx(TrigramAssocMeasures.chi_sq(*marginals), rel=1e-8)


def test_ngram_collocations_stop_words_and_errors(seed):
    dtm = build_dtm(seed, sentences=True)
    table = ngram_collocations(dtm, n=2, remove_stop_words=True)
    stops = stop_words()
    assert not any(t.split()[0] in stops or t.split()[-1] in stops for t in table["ngram"])
    assert (table["observed"] >= 3).all()
    with pytest.raises(InputError, match="bigrams"):
        ngram_collocations(dtm, n=4)


_DOC_TEXTS = st.lists(st.sampled_from(["peace", "sco", "the", "health", "road", "silk"]), min_size=1, max_size=15)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_DOC_TEXTS, st.sampled_from(["x", "y"])), min_size=2, max_size=6))
def test_keyness_swapping_sides_flips_signs(docs):
    corpus = Corpus.from_documents([Document(f"d{i}", " ".join(words), meta={"side": side})
                                    for i, (words, side) in enumerate(docs)])
    assume({side for _, side in docs} == {"x", "y"})
    dtm = build_dtm(corpus)
    forward = keyness(dtm, by="side", target="x").set_index("term").sort_index()
    backward = keyness(dtm, by="side", target="y").set_index("term").sort_index()
    np.testing.assert_allclose(forward["g2"], -backward["g2"], atol=1e-9)
    np.testing.assert_allclose(forward["log_ratio"], -backward["log_ratio"], atol=1e-12)
    np.testing.assert_allclose(forward["chi2"], backward["chi2"], rtol=1e-9)
    assert (forward["count_target"] == backward["count_reference"]).all()
    # the target and reference sizes add up to the corpus
    assert forward.attrs["target_tokens"] + forward.attrs["reference_tokens"] == sum(len(w) for w, _ in docs)


def test_keyness_several_target_values(seed_dtm):
    table = keyness(seed_dtm, target=[2023, "2024"])
    sizes = seed_dtm.docs.groupby("year")["n_tokens"].sum()
    assert table.attrs["target_tokens"] == sizes[2023] + sizes[2024]


def test_collocations_reuse_a_dtm_of_either_form(seed, seed_dtm):
    lemmas = collocates(seed_dtm, "communities", lemma=True).set_index("collocate")
    from_lemma_dtm = collocates(build_dtm(seed, lemma=True), "communities").set_index("collocate")
    pd.testing.assert_frame_equal(lemmas, from_lemma_dtm)
    assert lemmas["node"].iloc[0] == "community"
    with pytest.warns(UserWarning, match="sentence boundaries"):
        ngram_collocations(seed_dtm, n=2)
    sentences = build_dtm(seed, ngram=(1, 2))
    pd.testing.assert_frame_equal(ngram_collocations(sentences, n=2),
                                  ngram_collocations(build_dtm(seed, sentences=True), n=2))


def test_keyness_of_each_group_against_the_rest(seed_dtm):
    table = keyness(seed_dtm, by="year")
    assert list(table.columns[:2]) == ["year", "term"]
    assert sorted(table["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    for year in (2020, 2024):
        alone = keyness(seed_dtm, by="year", target=year)
        part = table[table["year"] == year].drop(columns="year").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_like=False)


# --------------------------------------------------------------------------- published worked examples
# Every value below is printed in the cited source; the tolerance is half a unit in the last
# digit the source prints.
def _published(value, expected, decimals):
    return value == pytest.approx(expected, abs=0.5 * 10.0 ** -decimals)


# The 15 p-values of Benjamini & Hochberg (1995), JRSS B 57(1), 289-300, section 3.2 (the
# rt-PA/APSAC thrombolysis trial of Neuhaus et al. 1992), with the adjusted values printed in
# the SciPy documentation, scipy.stats.false_discovery_control, "Examples" (SciPy 1.17,
# https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.false_discovery_control.html).
BH_1995_P = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
             0.6528, 0.7590, 1.000]


def test_benjamini_hochberg_published_example():
    # SciPy docs: "stats.false_discovery_control(ps)" prints
    # [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645, 0.0765, 0.486,
    #  0.58118182, 0.714875, 0.75323077, 0.81321429, 1.], and "the first *four* adjusted p-values
    # fall below 0.05" (Benjamini & Hochberg reject four hypotheses at q = 0.05; statsmodels'
    # test_fdr_bky, statsmodels/stats/tests/test_multi.py, likewise checks "single step-up: 4").
    published = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645, 0.0765, 0.486,
                 0.58118182, 0.714875, 0.75323077, 0.81321429, 1.0]
    adjusted = stats.adjust_p(BH_1995_P, "bh")
    np.testing.assert_allclose(adjusted, published, rtol=0, atol=5e-9)
    assert (adjusted < 0.05).tolist() == [True] * 4 + [False] * 11
    # the same docs, unsorted input: false_discovery_control([0.5, 0.6, 0.1, 0.001]) -> [0.6, 0.6, 0.2, 0.004]
    np.testing.assert_allclose(stats.adjust_p([0.5, 0.6, 0.1, 0.001], "bh"), [0.6, 0.6, 0.2, 0.004],
                               rtol=0, atol=5e-13)


def test_bonferroni_published_example():
    # SciPy docs (as above): "np.array(ps) * len(ps)" prints [1.5e-03, 6.0e-03, 2.85e-02, 1.425e-01,
    # 3.015e-01, 4.17e-01, 4.47e-01, 5.16e-01, 6.885e-01, 4.86, 6.393, 8.5785, 9.792, 11.385, 15.],
    # and "only the hypotheses corresponding with the first three p-values can be rejected"
    # at a family-wise 5%. adjust_p caps the adjusted values at 1.
    published = [1.5e-03, 6.0e-03, 2.85e-02, 1.425e-01, 3.015e-01, 4.17e-01, 4.47e-01, 5.16e-01, 6.885e-01,
                 4.86, 6.393, 8.5785, 9.792, 11.385, 15.0]
    adjusted = stats.adjust_p(BH_1995_P, "bonferroni")
    np.testing.assert_allclose(adjusted, np.minimum(published, 1.0), rtol=0, atol=5e-13)
    assert (adjusted < 0.05).tolist() == [True] * 3 + [False] * 12


def test_t_score_chi2_and_mi_manning_schuetze():
    # Manning, C. D. & Schütze, H. (1999). Foundations of Statistical Natural Language Processing,
    # ch. 5 "Collocations", sections 5.3.2-5.4 (pp. 164-165 for the t test): the values as printed
    # in NLTK's doctest nltk/test/collocations.doctest ("We test their calculation using some known
    # values presented in Manning and Schutze's text"), marginals (O11, (f1, f2), N).
    # t: "new companies", 8 of f(new) = 15,828 and f(companies) = 4,675 in N = 14,307,668:
    # t = 0.999932 (the Wordless test harness, BLKSerene/Wordless measures_statistical_significance.py,
    # quotes "0.999932" from pp. 164-165; NLTK prints 0.9999); and 4.4721 for (20, (42, 20)).
    n = 14_307_668
    new_companies = stats.association_measures(8, 15_828, 4_675, n)
    assert _published(new_companies["t_score"], 0.999932, 6)
    assert _published(new_companies["t_score"], 0.9999, 4)
    assert _published(stats.association_measures(20, 42, 20, n)["t_score"], 4.4721, 4)
    # chi-squared (5.3.3): 1.55 for "new companies"; 456400 for (59, (67, 65), 571,007)
    assert _published(new_companies["chi2"], 1.55, 2)
    assert _published(stats.association_measures(59, 67, 65, 571_007)["chi2"], 456_400, 0)
    # the same table given as its four cells (NLTK's ContingencyMeasures example: 8, 15820, 4667, 14287173)
    assert _published(stats.pearson_chi2(8, 15_820, 4_667, 14_287_173), 1.55, 2)
    # pointwise mutual information (5.4): 18.38 for (20, (42, 20)), 0.29 for (20, (15019, 15629))
    assert _published(stats.association_measures(20, 42, 20, n)["mi"], 18.38, 2)
    assert _published(stats.association_measures(20, 15_019, 15_629, n)["mi"], 0.29, 2)


def test_log_likelihood_dunning_1993():
    # Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
    # Computational Linguistics 19(1), 61-74: the bigram table of -2 log lambda with the cells
    # k(AB), k(A~B), k(~AB), k(~A~B). 270.72 and 95.29 as printed in NLTK's
    # nltk/test/collocations.doctest ("Likelihood ratios: examples from Dunning, CL, 1993";
    # likelihood_ratio(110, (2552, 221), 31777) and the cells 8, 5, 24, 31740);
    # 263.90 and 48.94 as quoted in the tests of sscdotopen/puppies src/llr.rs ("Some cases from
    # Ted's paper"); 167.23 for (10, 0, 3, 31764) as quoted from p. 72 in the Wordless test harness
    # (BLKSerene/Wordless, measures_statistical_significance.py).
    assert _published(stats.log_likelihood_g2(110, 2442, 111, 29114), 270.72, 2)
    assert _published(stats.association_measures(110, 2552, 221, 31777)["g2"], 270.72, 2)
    assert _published(stats.log_likelihood_g2(8, 5, 24, 31740), 95.29, 2)
    assert _published(stats.association_measures(8, 13, 32, 31777)["g2"], 95.29, 2)
    assert _published(stats.log_likelihood_g2(29, 13, 123, 31612), 263.90, 2)
    assert _published(stats.log_likelihood_g2(9, 12, 429, 31327), 48.94, 2)
    assert _published(stats.log_likelihood_g2(10, 0, 3, 31764), 167.23, 2)


def test_chi2_g2_and_mi_dunning_corpora_list_1996():
    # Ted Dunning, Corpora mailing list, "Re: comparisons in text corpora: keywords / CHI square",
    # 29 Aug 1996 (http://icame.uib.no/corpora/1996-3/0028.html): a word twice in a 1,000-word
    # sample and once in a million words, table [1, 999; 1, 999999]: "if we use chi^2 ... we get a
    # score of 499", "the log likelihood ratio test ... we get a score of 11.05".
    assert _published(stats.pearson_chi2(1, 999, 1, 999_999), 499, 0)
    assert _published(stats.log_likelihood_g2(1, 999, 1, 999_999), 11.05, 2)
    # 30 Aug 1996 (http://icame.uib.no/corpora/1996-3/0034.html): table [150, 1000000; 1000, 10000000]:
    # "Pearson's chi^2 gives a score of 21.74 while the log-likelihood ratio gives 19.40"; "single
    # cell mutual information gives a score of only 0.52 (compared to ... 8.97)" for the first table.
    assert _published(stats.pearson_chi2(150, 1_000_000, 1000, 10_000_000), 21.74, 2)
    assert _published(stats.log_likelihood_g2(150, 1_000_000, 1000, 10_000_000), 19.40, 2)
    big = stats.association_measures(150, 150 + 1_000_000, 150 + 1000, 150 + 1_000_000 + 1000 + 10_000_000)
    small = stats.association_measures(1, 1 + 999, 1 + 1, 1 + 999 + 1 + 999_999)
    assert _published(big["mi"], 0.52, 2)
    assert _published(small["mi"], 8.97, 2)
    # association_measures gives the same chi-squared and G² over the table built from the margins
    assert _published(big["chi2"], 21.74, 2) and _published(big["g2"], 19.40, 2)


def test_chi2_pedersen_and_scipy_published_values():
    # Pedersen, T. (1996). Fishing for exactness. Proceedings of the South-Central SAS Users Group
    # Conference, Austin, p. 10, as quoted in the Wordless test harness (BLKSerene/Wordless,
    # measures_statistical_significance.py): [1, 3; 3, 1] with Yates' correction: chi-squared 0.500,
    # p 0.480; and (with Dunning 1993, p. 73) [3, 0; 0, 31774] without correction: 31777.00.
    yates = stats.pearson_chi2(1, 3, 3, 1, yates=True)
    assert _published(yates, 0.500, 3)
    assert _published(chi2_dist.sf(yates, 1), 0.480, 3)
    assert _published(stats.pearson_chi2(3, 0, 0, 31_774), 31_777.00, 2)
    # SciPy documentation, scipy.stats.chi2_contingency, "Examples" (SciPy 1.17,
    # https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.chi2_contingency.html):
    # obs = [[12, 3], [17, 16]], chi2_contingency(obs, correction=False).pvalue -> 0.0614122539870913
    assert chi2_dist.sf(stats.pearson_chi2(12, 3, 17, 16), 1) == pytest.approx(0.0614122539870913, rel=1e-12)


def test_log_likelihood_calculator_example_end_to_end():
    # The Lancaster log-likelihood calculator walk-through (UCREL LL wizard,
    # http://ucrel.lancs.ac.uk/llwizard.html), reproduced in the slides "Corpus 2",
    # https://www.scribd.com/presentation/807361921/Corpus-2: "a word that occurs 52 times in
    # Corpus 1, which has 50,000 tokens in total; but occurs 57 times in Corpus 2, which is 75,000
    # tokens in size" gives "Item O1 %1 O2 %2 LL / Word 52 0.10 57 0.08 + 2.65", "The + sign
    # indicates that the word is more frequent ... in Corpus 1", and the LL "must be above 3.84"
    # for p < 0.05, "So this difference is not statistically significant."
    assert _published(stats.log_likelihood_g2(52, 50_000 - 52, 57, 75_000 - 57, signed=True), 2.65, 2)
    assert _published(stats.rate_per(52, 50_000, per=100), 0.10, 2)
    assert _published(stats.rate_per(57, 75_000, per=100), 0.08, 2)
    # the same through keyness(): two "corpora" with exactly those counts and sizes
    corpus = Corpus.from_documents([
        Document("c1", " ".join(["word"] * 52 + ["filler"] * (50_000 - 52))),
        Document("c2", " ".join(["word"] * 57 + ["filler"] * (75_000 - 57)))])
    table = keyness(build_dtm(corpus), by="doc_id", target="c1").set_index("term")
    assert (table.attrs["target_tokens"], table.attrs["reference_tokens"]) == (50_000, 75_000)
    row = table.loc["word"]
    assert (row.count_target, row.count_reference) == (52, 57)
    assert _published(row.g2, 2.65, 2) and row.g2 > 0
    assert row.p > 0.05 and row.g2 < 3.84


def test_log_ratio_published_interpretations():
    # Hardie, A. (2014). Log Ratio - an informal introduction. CASS, Lancaster University
    # (http://cass.lancs.ac.uk/log-ratio-an-informal-introduction/): "if the relative frequency of a
    # word is 0.0006 in Corpus A, and 0.0002 in Corpus B, then ... the relative frequency in Corpus A
    # is three times bigger than in Corpus B (0.0006 ÷ 0.0002 = 3)"; Log Ratio is the binary log of
    # that ratio.
    assert 2 ** stats.log_ratio(6, 10_000, 2, 10_000)[0] == pytest.approx(3.0, rel=1e-12)
    assert 2 ** stats.log_ratio(0.0006, 1, 0.0002, 1)[0] == pytest.approx(3.0, rel=1e-12)
    # Scott, M. WordSmith Tools Manual, "How Key Words are calculated"
    # (https://lexically.net/downloads/version7/HTML/keywords_calculate_info.htm), on Hardie's Log
    # Ratio: "A value of 2 means the item is 4 times more frequent in the small word list than in the
    # reference corpus list. A value of 3 means it's 8 times more frequent, and of 4 means it's 16
    # times more frequent."
    for times, value in [(4, 2), (8, 3), (16, 4)]:
        assert stats.log_ratio(times * 5, 10_000, 5, 10_000)[0] == pytest.approx(value, rel=1e-12)
        assert stats.log_ratio(5, 10_000, times * 5, 10_000)[0] == pytest.approx(-value, rel=1e-12)


def test_pct_diff_gabrielatos_2018_example():
    # Gabrielatos, C. (2018). Keyness analysis: nature, metrics and techniques. In C. Taylor &
    # A. Marchi (eds.), Corpus Approaches to Discourse: A Critical Review, Routledge, pp. 21-22:
    # 20 occurrences in 29,954 words against 1 in 23,691 give %DIFF = 1481.83 (as quoted in the
    # Wordless test harness, BLKSerene/Wordless, measures_effect_size.py: "pct_diff(main, 20, 1,
    # 29954 - 20, 23691 - 1) # 1481.83").
    assert _published(stats.pct_diff(20, 29_954, 1, 23_691), 1481.83, 2)
    # the reverse comparison is the frequency of the reference relative to the target
    assert stats.pct_diff(1, 23_691, 20, 29_954) == pytest.approx(100 * ((1 / 23_691) / (20 / 29_954) - 1))


def test_log_dice_and_mi_published_values():
    # Rychlý, P. (2008). A lexicographer-friendly association score. RASLAN 2008, pp. 6-9 (text
    # quoted at http://www.perezparedes.es/the-logdice-score-in-word-sketches/): "Theoretical
    # maximum is 14, in case when all occurrences of X co-occur with Y and all occurrences of Y
    # co-occur with X"; "Value 0 means there is less than 1 co-occurrence of XY per 16,000 X or
    # 16,000 Y"; "plus 1 point means twice as often collocation, plus 7 points means roughly 100
    # times frequent collocation".
    assert stats.log_dice(250, 250, 250) == pytest.approx(14.0)
    assert abs(stats.log_dice(1, 16_000, 16_000)) < 0.05
    assert stats.log_dice(1, 16_000, 16_000) > 0 > stats.log_dice(1, 17_000, 17_000)
    assert stats.log_dice(40, 3000, 5000) - stats.log_dice(20, 3000, 5000) == pytest.approx(1.0)
    assert round(stats.log_dice(2000, 30_000, 50_000) - stats.log_dice(20, 30_000, 50_000)) == 7
    # Smadja, F., McKeown, K. & Hatzivassiloglou, V. (1996). Translating collocations for bilingual
    # lexicons. Computational Linguistics 22(1), p. 13: Dice = 0.08 for 130 joint occurrences of
    # words with frequencies 3,121 and 143 (as quoted in the Wordless test harness,
    # measures_effect_size.py); logDice is 14 + log2(Dice).
    assert _published(2 ** (stats.log_dice(130, 3121, 143) - 14), 0.08, 2)
    # Church, K. W. & Hanks, P. (1990). Word association norms, mutual information, and
    # lexicography. Computational Linguistics 16(1), p. 24: I(x; y) = 11.3 for f(x, y) = 8,
    # f(x) = 1,105, f(y) = 44 in N = 15 million words (as quoted in the same Wordless harness).
    assert _published(stats.association_measures(8, 1105, 44, 15_000_000)["mi"], 11.3, 1)


def test_keyness_and_frequencies_by_several_columns_and_a_custom_group():
    dtm = build_dtm(Corpus.from_documents([
        Document("a", "health health silk", meta={"iso3": "CHN", "wave": 1}),
        Document("b", "silk road", meta={"iso3": "RUS", "wave": 1}),
        Document("c", "road road", meta={"iso3": "USA", "wave": 1}),
        Document("d", "health road", meta={"iso3": "CHN", "wave": 2})]))
    # SCO = a, b, d (7 tokens: health 3, silk 2, road 2); other = c (2 tokens: road 2)
    sco = keyness(dtm, by={"iso3": {"SCO": ["CHN", "RUS"]}}, target="SCO").set_index("term")
    assert (sco.attrs["target_tokens"], sco.attrs["reference_tokens"]) == (7, 2)
    assert (sco.attrs["target"], sco.attrs["reference"]) == ("iso3 = SCO", "iso3 other than SCO")
    assert sco.loc["health", ["count_target", "count_reference"]].tolist() == [3, 0]
    assert sco.loc["road", ["count_target", "count_reference"]].tolist() == [2, 2]
    assert sco.loc["road", "g2"] == pytest.approx(float(stats.log_likelihood_g2(2, 5, 2, 0, signed=True)))
    # a group of two columns: (CHN, 1) = a against the rest
    pair = keyness(dtm, by=["iso3", "wave"], target=("CHN", "1")).set_index("term")
    assert (pair.attrs["target_tokens"], pair.attrs["reference_tokens"]) == (3, 6)
    assert pair.attrs["target"] == "iso3, wave = (CHN, 1)"
    each = keyness(dtm, by=["iso3", "wave"])
    assert list(each.columns[:3]) == ["iso3", "wave", "term"]
    assert list(dict.fromkeys(zip(each["iso3"], each["wave"]))) == [("CHN", 1), ("CHN", 2), ("RUS", 1), ("USA", 1)]
    freq = frequencies(dtm, by=[{"iso3": {"SCO": ["CHN", "RUS"]}}, "wave"])
    assert freq[["iso3", "wave", "term", "count", "doc_freq", "group_tokens"]].values.tolist() == [
        ["SCO", 1, "health", 2, 1, 5], ["SCO", 1, "silk", 2, 2, 5], ["SCO", 1, "road", 1, 1, 5],
        ["SCO", 2, "health", 1, 1, 2], ["SCO", 2, "road", 1, 1, 2], ["other", 1, "road", 2, 1, 2]]
    parts = dispersion(dtm, ["road"], by={"iso3": {"SCO": ["CHN", "RUS"]}}).iloc[0]
    assert (parts.n_parts, parts.range, parts.frequency) == (2, 2, 4)


def test_statistics_of_a_grouped_dtm_equal_those_of_the_documents(seed_dtm):
    grouped = seed_dtm.group("year")
    assert grouped.is_grouped and grouped.groups == ["year"] and grouped.docs["n_docs"].tolist() == [1, 4, 1, 1, 1]
    pd.testing.assert_frame_equal(keyness(grouped, target=2024), keyness(seed_dtm, target=2024))
    pd.testing.assert_frame_equal(frequencies(grouped, by="year"), frequencies(seed_dtm, by="year"))
    pd.testing.assert_frame_equal(frequencies(grouped), frequencies(seed_dtm))
    assert (grouped.doc_frequencies() == seed_dtm.doc_frequencies()).all()


def test_every_keyword_table_records_the_corpus_and_the_dtm_options(seed):
    from sco_discourse.keywords import collocates, dispersion, frequencies, keyness, ngram_collocations

    dtm = build_dtm(seed)
    tables = [frequencies(dtm), keyness(dtm, by="year", target=2024), collocates(dtm, node="community"),
              dispersion(dtm, terms=["community"]), ngram_collocations(build_dtm(seed, ngram=2))]
    for table in tables:
        assert table.attrs["corpus"] == "embedded seed corpus" and table.attrs["corpus_documents"] == 8
        assert table.attrs["skipped_rows"] == 0 and "ngram" in table.attrs["dtm_options"]
    assert tables[1].attrs["target"] == "year = 2024"   # the statistic's own attrs stay
