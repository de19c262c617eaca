"""Tokenizer, normaliser, sentence splitter, stop words and lemmas."""

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import text as T

DATA = Path(__file__).resolve().parent / "data"

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


def test_sentence_splitter_on_re_gives_nltks_own_sentences():
    # Punkt's fixed patterns run on ``re`` (NLTK >= 3.10 wraps them in a timed ``regex``
    # engine, ten times slower): the sentences must be those of NLTK's own tokenizer
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    from sco_discourse import load_corpus

    params = PunktParameters()
    params.abbrev_types = set(T._ABBREVIATIONS)
    own = PunktSentenceTokenizer(params)
    docs = list(load_corpus(DATA / "ungdc_slice.jsonl.gz"))
    tricky = ("He said: \u201cWe agree.\u201d Then he left... Did he? Yes! (Really.) "
              "It cost $3.5 bn., i.e. 3.5 per cent. Mr. A. B. Smith and Dr. Lee arrived at 5 p.m. today.")
    n = 0
    for text in [d.text for d in docs] + [tricky]:
        for start, end in T.paragraph_spans(text):
            paragraph = text[start:end]
            ours = list(T._punkt().span_tokenize(paragraph))
            assert ours == list(own.span_tokenize(paragraph))
            n += len(ours)
    assert n > 500   # the speeches hold many sentences: the comparison is not vacuous
    assert isinstance(T._punkt()._lang_vars.period_context_re(), re.Pattern)


_SENTENCE_ALPHABET = st.sampled_from(list("aB. .!?\"')(:;,-\u201c\u201d\u2019") + ["Mr.", "U.S.", "3.5", "etc.", "...",
                                                                                    " The", " said", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_SENTENCE_ALPHABET, max_size=60))
def test_sentence_splitter_on_re_agrees_on_generated_text(parts):
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(T._ABBREVIATIONS)
    text = "".join(parts)
    assert list(T._punkt().span_tokenize(text)) == list(PunktSentenceTokenizer(params).span_tokenize(text))


def test_sentence_spans_until_an_offset_are_the_first_sentences():
    from sco_discourse import load_corpus

    for doc in list(load_corpus(DATA / "ungdc_slice.jsonl.gz"))[:5]:
        text = doc.text
        full = T.sentence_spans(text)
        for until in (0, len(text) // 3, len(text) - 1):
            part = T.sentence_spans(text, until=until)
            assert part == full[:len(part)]
            # every sentence that starts at or before the offset is there
            assert [s for s in full if s[0] <= until] == [s for s in part if s[0] <= until]
            assert len(part) < len(full) or until == len(text) - 1
