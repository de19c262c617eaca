"""Tokenizer, normaliser, sentence splitter, stop words and lemmas."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import text as T

_ALPHABET = st.sampled_from(list("abcXYZ019 -'.,\n\t\u2019\u2013\u201c\u201d\u00a0é_"))
texts = st.text(alphabet=_ALPHABET, max_size=80)


def test_hand_counted_sentence():
    # Counted by hand: Xi's | win-win | cooperation | with | 1,700 | km | of | COVID-19 | response | 3.5 | times
    sample = "Xi’s “win–win” cooperation with 1,700 km of COVID-19 response: 3.5 times."
    toks = T.tokenize(sample)
    assert [t.text for t in toks] == ["Xi's", "win-win", "cooperation", "with", "1,700", "km", "of",
                                      "COVID-19", "response", "3.5", "times"]
    assert T.count_tokens(sample) == 11
    # offsets index the ORIGINAL text (curly apostrophe and en dash included)
    assert sample[toks[0].start:toks[0].end] == "Xi’s"
    assert sample[toks[1].start:toks[1].end] == "win–win"


def test_numbers_and_punctuation_edges():
    assert T.tokens("end.Next 2023-2027 U.S. 10,000,000 'quoted' -dash- a--b", lower=False) == [
        "end", "Next", "2023-2027", "U", "S", "10,000,000", "quoted", "dash", "a", "b"]


@given(texts)
@settings(max_examples=300, deadline=None)
def test_normalize_preserves_length_and_is_idempotent(s):
    n = T.normalize(s)
    assert len(n) == len(s)
    assert T.normalize(n) == n
    assert not re.search("[\u2019\u2013\u201c\u201d\u00a0\t]", n)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_offsets_slice_back_and_count_matches(s):
    toks = T.tokenize(s)
    assert T.count_tokens(s) == len(toks)
    for tok in toks:
        assert T.normalize(s[tok.start:tok.end]) == tok.text
    starts = [t.start for t in toks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(toks, toks[1:]))


@given(texts, texts)
@settings(max_examples=200, deadline=None)
def test_counts_add_over_a_space(a, b):
    # Joining two texts with a space never merges or splits tokens across the seam.
    assert T.count_tokens(a + " " + b) == T.count_tokens(a) + T.count_tokens(b)


@given(texts)
@settings(max_examples=200, deadline=None)
def test_tokens_lower_equals_lowered_tokens(s):
    assert T.tokens(s, lower=True) == [t.lower() for t in T.tokens(s, lower=False)]


def test_sentences_respect_paragraphs_and_abbreviations():
    text = "BEIJING, Nov. 12 (Xinhua) -- Xi spoke. The U.S. delegate agreed.\nA new paragraph without stop"
    assert T.sentences(text) == ["BEIJING, Nov. 12 (Xinhua) -- Xi spoke.", "The U.S. delegate agreed.",
                                 "A new paragraph without stop"]
    for start, end in T.sentence_spans(text):
        assert "\n" not in text[start:end]


def test_stop_words_and_lemmas_offline():
    stops = T.stop_words()
    assert {"the", "and", "of", "said"} <= stops
    assert not {"community", "security", "health"} & stops
    assert T.tokens("The communities of the SCO were built", remove_stop_words=True, lemmas=True) == [
        "community", "sco", "build"]


def test_lowercasing_keeps_offsets_for_characters_whose_lower_case_is_longer():
    # "İ".lower() is "i" + a combining dot: two characters. Offsets and counts must not shift.
    from sco_discourse.text import count_tokens, tokenize, tokens

    text = "İstanbul hosts SCO talks"
    assert tokens(text) == ["istanbul", "hosts", "sco", "talks"]
    assert count_tokens(text) == 4
    assert [(t.start, t.end) for t in tokenize(text, lower=True)] == [(0, 8), (9, 14), (15, 18), (19, 24)]
