"""The compiled loops (sco_discourse._kernels) give the values of the numpy passes.

The English counting path folds a document to one byte per character, builds its match
text and scan bytes, and counts its tokens and characters; language detection looks for a
Chinese character. With numba these are compiled loops over the characters as Python
stores them; without it (or inside ``numpy_passes()``) numpy passes. Both must agree on
real speeches, Chinese reports, the seeds and generated text made of the characters where
they could differ: runs of spaces and line breaks, hyphens and apostrophes between words
and digits, typographic quotes, a byte-order mark, Latin-1 letters, letters with no
one-byte form, Chinese characters and characters beyond U+FFFF.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import Corpus, load_corpus
from sco_discourse._kernels import _compiled, english_passes, kernels, numpy_passes
from sco_discourse.frames import Matcher, frame_counts
from sco_discourse.frames.matcher import _prepare
from sco_discourse.language import _may_have_han, detect_language
from sco_discourse.text import _counts_from_codes, _folded_codes, count_characters, count_tokens

pytest.importorskip("numba")

DATA = Path(__file__).resolve().parent / "data"


def numpy_path(text: str):
    """The match text and counts from the numpy passes; None where they read two bytes
    per character (or none: beyond the BMP)."""
    codes, folded = _folded_codes(text)
    if codes is None or codes.dtype != np.uint8:
        return None
    return _prepare(text, codes, folded), _counts_from_codes(text, codes, folded)


def both(text: str):
    compiled = english_passes(text)
    with numpy_passes():
        assert english_passes(text) is None
        reference = numpy_path(text)
        han = _may_have_han(text)
    assert _may_have_han(text) == han
    assert english_passes(text, counts=False) == (None if compiled is None else (compiled[0], (0, 0)))
    return compiled, reference


def test_compiled_loops_are_in_use():
    assert kernels() is not None
    with numpy_passes():
        assert kernels() is None
    assert kernels() is not None


def test_same_values_on_speeches_reports_and_seeds():
    docs = (list(load_corpus(DATA / "ungdc_slice.jsonl.gz")) + list(load_corpus(DATA / "ungdc_extra.jsonl.gz"))
            + list(load_corpus()) + list(load_corpus(DATA / "zh_gov_reports_excerpt.jsonl.gz")))
    read = 0
    for doc in docs:
        compiled, reference = both(doc.text)
        assert compiled == reference, doc.doc_id
        if compiled is not None:
            read += 1
            assert compiled[1] == (count_tokens(doc.text), count_characters(doc.text)), doc.doc_id
    # most English documents are read by the compiled loops, the Chinese ones never
    assert read >= 0.8 * sum(detect_language(d.text) == "en" for d in docs)
    assert not any(english_passes(d.text) for d in docs if detect_language(d.text) == "zh")


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
    (compact, scan, break_at, shift), counts = english_passes(text)
    assert compact.startswith("\ufeffwin win cooperation, 's 3.5 café a_b pad")
    assert scan.startswith(b"  win win cooperation   s 3 5 caf\x7f a_b pad")
    # "cooperation" starts at match offset 9 (text 10), "’s" at 22 (text 24)
    assert (break_at, shift) == ([0, 9, 22], [0, 1, 2])
    # tokens: win-win, cooperation, s, 3.5, café, a_b and 20 "pad"; word characters but "_":
    # 3 + 3 + 11 + 1 + 2 + 4 + 2 + 60
    assert counts == (26, 86) == (count_tokens(text), count_characters(text))
    # a letter with no one-byte form, or a character beyond U+FFFF: the numpy path
    assert english_passes("Zagreb \u010dlanica") is None and english_passes("a \U0001F600 b") is None


ALPHABET = st.sampled_from(list("ab9_ -'.,\n\t") + ["  ", "\n\n", "\u2019", "\u201c", "\u2013", "\u00e9", "\u00a0",
                                                   "\u010d", "\ufeff", "`", "\u4e2d", "\u3001", "\U0001F600"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, min_size=0, max_size=120).map("".join))
def test_same_values_on_generated_text(text):
    compiled, reference = both(text)
    assert compiled == reference
    if compiled is not None:
        assert compiled[1] == (count_tokens(text), count_characters(text))


def test_without_numba_the_numpy_passes_count(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)   # import numba raises ImportError
    _compiled.cache_clear()
    try:
        assert kernels() is None and english_passes("a text") is None
        text = "Community with a shared future \u2013 for mankind. " * 4
        assert numpy_path(text)[1] == (count_tokens(text), count_characters(text)) == (28, 144)   # 7 words, 36 letters, 4 times
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


def test_a_loop_numba_cannot_compile_leaves_the_numpy_path(monkeypatch):
    from sco_discourse import _english_kernel, _kernels

    def broken(*args):
        raise _english_kernel.numba.core.errors.TypingError("no attribute _kind")

    monkeypatch.setattr(_english_kernel, "english_text", broken)
    monkeypatch.setattr(_kernels, "_failed", False)
    text = "Community with a shared future \u2013 for mankind. " * 4
    with pytest.warns(RuntimeWarning, match="could not compile"):
        assert english_passes(text) is None
    assert kernels() is None
    compiled = frame_counts(Matcher().count(Corpus.from_documents(list(load_corpus()))), by="year",
                            interval="poisson")
    with numpy_passes():
        reference = frame_counts(Matcher().count(Corpus.from_documents(list(load_corpus()))), by="year",
                                 interval="poisson")
    assert compiled.equals(reference)


def test_numba_disable_jit_leaves_the_numpy_path(monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)   # NUMBA_DISABLE_JIT=1
    _compiled.cache_clear()
    try:
        assert kernels() is None and english_passes("a text") is None
        text = "Win\u2013win cooperation. " * 5
        assert _may_have_han(text) is False and numpy_path(text)[1] == (10, 85)   # 2 tokens, 17 letters, 5 times
    finally:
        monkeypatch.undo()
        _compiled.cache_clear()
    assert kernels() is not None


def test_a_numba_that_cannot_load_is_said(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def numba_without_llvmlite(name, *args, **kwargs):
        if name == "numba":
            raise ModuleNotFoundError("No module named 'llvmlite'", name="llvmlite")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", numba_without_llvmlite)
    _compiled.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="installed but could not be loaded"):
            assert kernels() is None
    finally:
        monkeypatch.undo()
        _compiled.cache_clear()
    assert kernels() is not None
