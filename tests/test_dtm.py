"""The document-term matrix: counts equal the tokenizer's, n-grams respect sentences."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import Corpus, Document
from sco_discourse.dtm import build_dtm
from sco_discourse.errors import InputError
from sco_discourse.text import lemmatize, sentence_spans, stop_words, tokens


@pytest.fixture(scope="module")
def seed_dtm(seed):
    return build_dtm(seed, ngram=(1, 4))


def _row(dtm, i):
    row = dtm.matrix[i]
    return {dtm.vocabulary[j]: int(v) for j, v in zip(row.indices, row.data)}


def _naive_ngrams(text, n, *, drop_stops=False, lemma=False):
    """Independent count: tokenise each sentence, slide a window inside it."""
    stops = stop_words()
    out = Counter()
    for start, end in sentence_spans(text):
        words = tokens(text[start:end])
        forms = [lemmatize(w) for w in words] if lemma else words
        for i in range(len(words) - n + 1):
            if drop_stops and (words[i] in stops or words[i + n - 1] in stops):
                continue
            out[" ".join(forms[i:i + n])] += 1
    return out


def test_unigram_counts_are_the_tokenizers(seed):
    dtm = build_dtm(seed)
    assert dtm.options["segment_unit"] == "paragraph"  # no sentence splitting needed for words
    for i, doc in enumerate(seed):
        expected = Counter(tokens(doc.text))
        assert _row(dtm, i) == dict(expected), doc.doc_id
        assert dtm.docs.loc[i, "n_tokens"] == sum(expected.values())
    assert list(dtm.docs["doc_id"]) == seed.ids
    assert list(dtm.docs["year"]) == [d.year for d in seed]


def test_ngrams_1_to_4_match_a_per_sentence_count(seed, seed_dtm):
    for i, doc in enumerate(seed):
        expected = Counter()
        for n in range(1, 5):
            expected.update(_naive_ngrams(doc.text, n))
        assert _row(seed_dtm, i) == dict(expected), doc.doc_id
    assert set(seed_dtm.term_length) == {1, 2, 3, 4}
    # ordered by n-gram length, then alphabetically
    lengths = seed_dtm.term_length
    assert (np.diff(lengths) >= 0).all()
    first = seed_dtm.vocabulary[lengths == 2]
    assert list(first) == sorted(first)


def test_ngrams_do_not_cross_sentence_or_paragraph_boundaries():
    corpus = Corpus.from_documents([Document("d", "Shared future. Community now\nbuilt together")])
    dtm = build_dtm(corpus, ngram=2)
    assert list(dtm.vocabulary) == ["built together", "community now", "shared future"]


def test_stop_words_drop_ngrams_that_begin_or_end_with_one():
    corpus = Corpus.from_documents([Document("d", "The community of health for the region")])
    dtm = build_dtm(corpus, ngram=(1, 3), remove_stop_words=True)
    assert list(dtm.vocabulary) == ["community", "health", "region", "community of health"]
    assert dtm.docs.loc[0, "n_tokens"] == 7  # the corpus size keeps the stop words
    for i, doc in enumerate(corpus):
        expected = Counter()
        for n in range(1, 4):
            expected.update(_naive_ngrams(doc.text, n, drop_stops=True))
        assert _row(dtm, i) == dict(expected)


def test_lemmas_merge_forms():
    corpus = Corpus.from_documents([Document("d", "Communities built a community. They build.")])
    dtm = build_dtm(corpus, lemma=True)
    counts = _row(dtm, 0)
    assert counts["community"] == 2 and counts["build"] == 2
    bigrams = build_dtm(corpus, ngram=2, lemma=True)
    assert _row(bigrams, 0) == dict(_naive_ngrams(corpus["d"].text, 2, lemma=True))


def test_min_count_filters_terms_not_corpus_size(seed):
    full = build_dtm(seed)
    pruned = build_dtm(seed, min_count=5)
    counts = full.term_counts()
    assert pruned.n_terms == int((counts >= 5).sum())
    assert pruned.term_counts().min() >= 5
    assert pruned.n_tokens == full.n_tokens


def test_empty_documents_and_grouping():
    corpus = Corpus.from_documents([
        Document("a", "peace peace", meta={"side": "x"}),
        Document("b", "...", meta={"side": "y"}),
        Document("c", "peace and security", meta={"side": "x"}),
    ])
    dtm = build_dtm(corpus, ngram=(1, 2))
    assert dtm.docs["n_tokens"].tolist() == [2, 0, 3]
    assert dtm.matrix[1].nnz == 0
    grouped = dtm.group("side")
    assert grouped.docs.values.tolist() == [["x", 2, 0, 5], ["y", 1, 1, 0]]
    assert list(grouped.docs.columns) == ["side", "n_docs", "n_empty_docs", "n_tokens"]
    assert grouped.matrix[0, dtm.term_index("peace")] == 3 and grouped.doc_counts[0, dtm.term_index("peace")] == 2
    assert type(grouped) is type(dtm) and grouped.stream is None and grouped.groups == ["side"]
    assert grouped.to_frame().query("term == 'peace'").values.tolist() == [["x", "peace", 3]]
    with pytest.raises(InputError, match="no metadata column 'outlet'"):
        dtm.group("outlet")
    with pytest.raises(InputError, match="rows are groups of side"):
        grouped.group("doc_id")


def test_documents_table_is_the_package_one(seed):
    from sco_discourse.groups import documents_table

    dtm = build_dtm(seed)
    expected = documents_table(seed)
    pd.testing.assert_frame_equal(dtm.docs.drop(columns="n_tokens"), expected)
    assert dtm.docs.columns[-1] == "n_tokens"


def test_deterministic(seed):
    one, two = build_dtm(seed, ngram=(1, 2)), build_dtm(seed, ngram=(1, 2))
    assert list(one.vocabulary) == list(two.vocabulary)
    assert (one.matrix != two.matrix).nnz == 0


@pytest.mark.parametrize("ngram", [0, 5, (2, 1), "x", (1, 2, 3)])
def test_bad_ngram(ngram):
    with pytest.raises(InputError, match="ngram"):
        build_dtm(Corpus.from_documents([Document("a", "x")]), ngram=ngram)


def test_bad_min_count():
    with pytest.raises(InputError, match="min_count"):
        build_dtm(Corpus.from_documents([Document("a", "x")]), min_count=0)


_WORDS = st.sampled_from(["peace", "the", "sco", "of", "Community", "win-win", "3.5"])
_SEPARATORS = st.sampled_from([" ", " ", ". ", "\n", ", "])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(_WORDS, _SEPARATORS), max_size=12), min_size=1, max_size=4))
def test_counting_invariants(docs):
    texts = ["".join(w + s for w, s in doc) for doc in docs]
    corpus = Corpus.from_documents([Document(f"d{i}", t) for i, t in enumerate(texts)])
    dtm = build_dtm(corpus, ngram=(1, 3), sentences=False)
    unigram = dtm.term_length == 1
    # every token is counted once as a word; n-grams never outnumber their start positions
    assert np.asarray(dtm.matrix[:, unigram].sum(axis=1)).ravel().tolist() == [len(tokens(t)) for t in texts]
    for n in (2, 3):
        per_doc = np.asarray(dtm.matrix[:, dtm.term_length == n].sum(axis=1)).ravel()
        assert all(count <= max(len(tokens(t)) - n + 1, 0) for count, t in zip(per_doc, texts))


def test_stream_is_the_corpus_as_token_ids(seed):
    # building n-gram blocks must not reorder the stream (it is shared with collocations)
    dtm = build_dtm(seed, ngram=(1, 3), lemma=True, remove_stop_words=True)
    stream = dtm.stream
    assert stream.segment_unit == "sentence"
    for i, doc in enumerate(seed):
        ids = stream.ids[stream.doc_starts[i]:stream.doc_starts[i + 1]]
        assert list(stream.vocabulary[ids]) == tokens(doc.text)
    # every segment start is a sentence start: the first token of each sentence
    firsts = [tokens(d.text[s:e])[0] for d in seed for s, e in sentence_spans(d.text) if tokens(d.text[s:e])]
    assert list(stream.vocabulary[stream.ids[stream.segment_starts]]) == firsts


def test_select_docs_and_long_frame():
    corpus = Corpus.from_documents([Document("a", "peace peace", meta={"side": "x"}),
                                    Document("b", "security", meta={"side": "y"})])
    dtm = build_dtm(corpus)
    part = dtm.select_docs(dtm.docs["side"] == "y")
    assert part.n_docs == 1 and part.n_tokens == 1 and part.matrix[0, part.term_index("security")] == 1
    assert dtm.to_frame().values.tolist() == [["a", "peace", 2], ["b", "security", 1]]
    assert dtm.doc_frequencies().tolist() == [1, 1] and dtm.term_index("absent") is None
    assert build_dtm(corpus, keep_stream=False).stream is None


def test_empty_corpus():
    dtm = build_dtm(Corpus.from_documents([]), ngram=(1, 3))
    assert dtm.matrix.shape == (0, 0) and dtm.n_tokens == 0
