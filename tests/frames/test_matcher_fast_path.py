"""The fast path of the matcher gives exactly the mentions of the reference path.

The reference path (``Matcher._find_text(..., reference=True)``) is the simple one: the
match text built by string operations (:func:`match_text`), one automaton holding every key
scanned over it, every coordinated list assembled from every item hit. The fast path
builds the match text and the token counts from one array of code points (one byte per
character where the text is ASCII once typographic quotes, dashes and spaces are
normalised), scans bytes where every non-word character is a space, and looks for the
items of a list with a lead or a trail only where a lead or trail allows one. Both must
give the same mentions, set-aside mentions, token and character counts, on real speeches
and on texts made to hit the corner cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import load_corpus
from sco_discourse.frames import Matcher
from sco_discourse.frames.matcher import _prepare, match_text
from sco_discourse.frames.matrix import _count_item
from sco_discourse.frames.rules import _tokens_exceed
from sco_discourse.lexicons.schema import parse_lexicon
from sco_discourse.text import _folded_codes, count_characters, count_tokens

DATA = Path(__file__).resolve().parents[1] / "data"
MATCHER = Matcher()


def both(text: str, year):
    fast = MATCHER._find_text(text, year)
    reference = MATCHER._find_text(text, year, reference=True)
    return fast, reference


def speeches():
    docs = list(load_corpus(DATA / "ungdc_slice.jsonl.gz")) + list(load_corpus(DATA / "ungdc_extra.jsonl.gz"))
    return docs + list(load_corpus())


def test_fast_path_equals_reference_on_speeches_and_seeds():
    n_mentions = n_set_aside = 0
    frames = set()
    for doc in speeches():
        for year in (1990, None, doc.year):
            fast, reference = both(doc.text, year)
            assert fast == reference, (doc.doc_id, year)
            n_set_aside += len(fast[1])
        n_mentions += len(fast[0])    # in the document's own year
        frames.update(m[2] for m in fast[0])
        _, tokens, characters, _, _ = _count_item(MATCHER, (0, doc.text, "en", doc.year))
        assert (tokens, characters) == (count_tokens(doc.text), count_characters(doc.text)), doc.doc_id
    # the comparison is not vacuous: China's speeches 2013-2024 and the seeds name most frames
    assert n_mentions > 100 and n_set_aside > 100
    assert {"shared_future", "four_communities", "global_initiatives", "three_evils", "win_win"} <= frames


LISTS = [
    "a community of health, security, development and humanities",
    "a health, security, development and humanities community",
    "the Global Development, Security and Civilization Initiatives",
    "global initiatives on development, security, and civilisation",
    "terrorism, separatism and extremism",
    "“separatism”, religious extremism and terrorism",
    "the Southern African Development Community",
    "human security community",
    "equality, consultation, mutual trust, mutual benefit, respect for diverse civilizations",
]


@pytest.mark.parametrize("text", LISTS)
@pytest.mark.parametrize("year", [2024, 2015, None])
def test_fast_path_equals_reference_on_lists(text, year):
    fast, reference = both(text, year)
    assert fast == reference
    upper = text.upper().replace(" ", "\n ")
    assert both(upper, year)[0] == both(upper, year)[1]


def test_lists_are_found_on_the_fast_path():
    # hand-counted: one mention per item of the community list, one for the triad
    assert [(m[2], m[3]) for m in MATCHER._find_text(LISTS[0], 2024)[0]] == [
        ("four_communities", "health"), ("four_communities", "security"), ("four_communities", "development"),
        ("four_communities", "culture")]
    assert [(m[2], m[3]) for m in MATCHER._find_text(LISTS[4], 2024)[0]] == [("three_evils", "triad")]


# texts over an alphabet of key words, list separators and the characters the match text
# treats specially (dashes, curly quotes, tabs, a backquote, Σ, İ, a character outside the BMP)
WORDS = ["community", "of", "health", "security", "development", "humanities", "human", "global",
         "initiative", "initiatives", "civilization", "terrorism", "separatism", "extremism", "win", "win-win",
         "cooperation", "shared", "future", "with", "a", "for", "mankind", "Shanghai", "Spirit", "and", "or",
         "equality", "consultation", "mutual", "benefit", "trust", "multilateralism", "true", "belt", "road",
         "one", "Southern", "African"]
SEPARATORS = [" ", "  ", ", ", " and ", "\ufeff", "-", "\u2013", "\n", "\n\n", "\t", "\u201c", "\u201d", "\u2019", "`", ". ",
              "(", ") ", "*", " \u03a3 ", "\u0130", "\U0001f600", "_", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=30),
       st.sampled_from([2024, 2010, None]), st.booleans())
def test_fast_path_equals_reference_on_generated_text(parts, year, upper):
    text = "".join(w + s for w, s in parts)
    if upper:
        text = text.upper()
    if year == 2010:
        text = "\ufeff" + text   # a byte-order mark that opens the text: read folded
    assert both(text, year)[0] == both(text, year)[1]
    compact, scan, breaks, shifts = _prepare(text)
    assert (compact, breaks, shifts) == match_text(text)
    assert len(scan) == len(compact) + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=40),
       st.sampled_from(["en", None]))
def test_counts_from_folded_and_wide_codes_equal_count_tokens(parts, language):
    # the count path reads ASCII, folded (typographic characters only) and wide texts by
    # tables; the token and character counts must be those of the string functions
    body = "".join(w + s for w, s in parts) * 3   # past the 64-character shortcut
    for text in (body, "\ufeff" + body):
        _, tokens, characters, _, _ = _count_item(MATCHER, (0, text, language, 2024))
        assert (tokens, characters) == (count_tokens(text), count_characters(text))


def test_a_leading_byte_order_mark_is_folded_and_kept_in_the_match_text():
    text = "\ufeffA community with a shared future for mankind \u2013 Côte d\u2019Ivoire"
    codes, folded = _folded_codes(text)
    assert folded and codes[0] == 1
    assert _prepare(text)[0] == match_text(text)[0] and _prepare(text)[0][0] == "\ufeff"
    assert [(m[2], m[3]) for m in MATCHER._find_text(text, 2020)[0]] == [("shared_future", "mankind")]
    # anywhere else, a byte-order mark is read by the wide tables
    assert _folded_codes("x\ufeffy \u2013")[1] is False


def test_folded_codes_are_the_normalised_text():
    text = "The \u201cBelt and Road\u201d \u2013 win\u2011win`s\u00a0future"
    codes, folded = _folded_codes(text)
    # each character beyond Latin-1 as its normalisation; the backquote and the no-break
    # space are left to the tables
    assert folded and codes.tobytes() == b'The "Belt and Road" - win-win`s\xa0future'
    assert _prepare(text)[0] == match_text(text)[0] == "the \"belt and road\" win win's future"
    # Latin-1 letters stay as they are (one byte each); a letter beyond Latin-1 is not folded:
    # the wide tables read the text
    codes, folded = _folded_codes("Côte d\u2019Ivoire")
    assert folded and codes.tobytes() == "Côte d'Ivoire".encode("latin-1")
    assert _folded_codes("Hrvatska \u010dlanica \u2013 x")[1] is False
    assert _folded_codes("plain ASCII `text`")[1] is False


def test_keys_beyond_ascii_are_checked_against_the_match_text():
    # scan bytes write every letter beyond ASCII as one byte: a key with "ô" must not match "ö"
    lexicon = parse_lexicon("name: t\nversion: '1'\nprovenance: test\nframes:\n"
                            "  alpha:\n    variants:\n      one: [côte partnership]\n      two: [naïve idea]\n")
    matcher = Matcher(lexicon)
    text = "The Côte partnership, not the Cöte partnership; a naïve idea, a naive idea, a NAÏVE IDEA."
    # Latin-1 text (folded codes), and the same with a letter beyond Latin-1 (wide codes)
    for text in (text, text + " Hrvatska \u010dlanica."):
        fast = matcher._find_text(text, None)
        assert fast == matcher._find_text(text, None, reference=True)
        assert [(text[s:e], v) for s, e, _, v in fast[0]] == [
            ("Côte partnership", "one"), ("naïve idea", "two"), ("NAÏVE IDEA", "two")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=200),
       st.integers(0, 12))
def test_token_distance_reads_a_prefix_first_and_agrees_with_count_tokens(parts, limit):
    text = "".join(w + s for w, s in parts)
    assert _tokens_exceed(text, 0, len(text), limit, None) == (count_tokens(text, language="en") > limit)
