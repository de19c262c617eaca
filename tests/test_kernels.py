"""The compiled byte loops (sco_discourse._kernels) give the values of the numpy passes.

The English counting path folds a document to one byte per character, builds its match
text and scan bytes, and counts its tokens and characters. With numba these are compiled
loops; without it (or inside ``numpy_passes()``) numpy passes. Both must agree on real
speeches, on the seeds and on generated text made of the characters where they could
differ: runs of spaces and line breaks, hyphens and apostrophes between words and digits,
typographic quotes, a byte-order mark, Latin-1 letters, and letters with no one-byte form.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import Corpus, load_corpus
from sco_discourse._kernels import _compiled, kernels, numpy_passes
from sco_discourse.frames import Matcher, frame_counts
from sco_discourse.frames.matcher import _prepare
from sco_discourse.text import _counts_from_codes, _folded_codes, count_characters, count_tokens

pytest.importorskip("numba")

DATA = Path(__file__).resolve().parent / "data"


def passes(text: str):
    """What the counting path reads of ``text``: codes, match text and counts."""
    codes, folded = _folded_codes(text)
    if codes is None:
        return None
    prepared = _prepare(text, codes, folded)
    counts = _counts_from_codes(text, codes, folded)
    return codes.dtype.str, codes.tobytes(), folded, prepared, counts


def both(text: str):
    compiled = passes(text)
    with numpy_passes():
        reference = passes(text)
    return compiled, reference


def test_compiled_loops_are_in_use():
    assert kernels() is not None
    with numpy_passes():
        assert kernels() is None
    assert kernels() is not None


def test_same_values_on_speeches_and_seeds():
    docs = (list(load_corpus(DATA / "ungdc_slice.jsonl.gz")) + list(load_corpus(DATA / "ungdc_extra.jsonl.gz"))
            + list(load_corpus()))
    kinds = set()
    for doc in docs:
        compiled, reference = both(doc.text)
        assert compiled == reference, doc.doc_id
        kinds.add((compiled[0], compiled[2]))
        assert compiled[4] == (count_tokens(doc.text), count_characters(doc.text)), doc.doc_id
    # ASCII speeches, folded ones (typographic quotes) and ones kept at two bytes are all there
    assert {("|u1", False), ("|u1", True)} <= kinds


@pytest.mark.filterwarnings("ignore:frame_counts. .* groups have fewer")
def test_same_frame_table_on_speeches():
    corpus = Corpus.from_documents(list(load_corpus(DATA / "ungdc_slice.jsonl.gz")))
    matcher = Matcher()
    compiled = frame_counts(matcher.count(corpus, by="year"), interval="poisson")
    with numpy_passes():
        reference = frame_counts(matcher.count(corpus, by="year"), interval="poisson")
    assert compiled.equals(reference)
    assert compiled["count"].sum() > 0


def test_hand_checked_values():
    # the en dash folds to "-", a single space in the match text; the two spaces after "win"
    # (text offsets 8-9) and the two line breaks after "cooperation," (22-23) keep their first
    text = "\ufeffWin\u2013win  cooperation,\n\n\u2019s 3.5 caf\u00e9 a_b" + " pad" * 20
    codes, folded = _folded_codes(text)
    assert folded and codes.dtype == np.uint8 and codes[0] == 1
    compact, scan, break_at, shift = _prepare(text, codes, folded)
    assert compact.startswith("\ufeffwin win cooperation, 's 3.5 café a_b pad")
    assert scan.startswith(b"  win win cooperation   s 3 5 caf\x7f a_b pad")
    # "cooperation" starts at match offset 9 (text 10), "’s" at 22 (text 24)
    assert (break_at, shift) == ([0, 9, 22], [0, 1, 2])
    # tokens: win-win, cooperation, s, 3.5, café, a_b and 20 "pad"; word characters but "_":
    # 3 + 3 + 11 + 1 + 2 + 4 + 2 + 60
    assert _counts_from_codes(text, codes, folded) == (26, 86) == (count_tokens(text), count_characters(text))


ALPHABET = st.sampled_from(list("ab9_ -'.,\n\t") + ["  ", "\n\n", "\u2019", "\u201c", "\u2013", "\u00e9", "\u00a0",
                                                   "\u010d", "\ufeff", "`"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, min_size=0, max_size=120).map("".join))
def test_same_values_on_generated_text(text):
    compiled, reference = both(text)
    assert compiled == reference
    if compiled is not None and "\u010d" not in text:
        assert compiled[4] == (count_tokens(text), count_characters(text))


def test_without_numba_the_numpy_passes_count(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)   # import numba raises ImportError
    _compiled.cache_clear()
    try:
        assert kernels() is None
        text = "Community with a shared future \u2013 for mankind. " * 4
        assert passes(text)[4] == (count_tokens(text), count_characters(text)) == (28, 144)   # 7 words, 36 letters, 4 times
    finally:
        monkeypatch.undo()
        _compiled.cache_clear()
    assert kernels() is not None


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("SCO_DISCOURSE_JIT", "0")
    _compiled.cache_clear()
    try:
        assert kernels() is None
    finally:
        monkeypatch.undo()
        _compiled.cache_clear()
    assert kernels() is not None
