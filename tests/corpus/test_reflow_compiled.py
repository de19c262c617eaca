"""The compiled re-flowing (sco_discourse._reflow_kernel) gives what the Python code gives.

With numba, ``reflow._reflow`` runs one compiled loop over the characters of the text;
without it (or inside ``numpy_passes()``) it runs ``reflow._reflow_python``. Both must give
the same text, verdict and removed page-number lines, with ``force`` and without: on the
committed speeches and reports, and on generated texts made of what the rules look at
(lines of words of similar length, blank and white-space lines, page-number lines, list
markers, indentation, line-end hyphens, sentence ends, Unicode spaces, digits and letters).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import load_corpus
from sco_discourse._kernels import kernels, numpy_passes
from sco_discourse.corpus.reflow import _reflow, _reflow_python, explain_reflow, reflow

pytest.importorskip("numba")

from sco_discourse._reflow_kernel import char_classes, reflow_text  # noqa: E402

DATA = Path(__file__).parents[1] / "data"


def both(text: str, force: bool):
    compiled = _reflow(text, force=force)
    with numpy_passes():
        reference = _reflow(text, force=force)
    assert reference == _reflow_python(text, force=force)
    return compiled, reference


def test_compiled_path_in_use():
    assert kernels() is not None
    text = "the Assembly met to consider the report of\n" * 9
    assert reflow_text(text, False) == (" ".join(["the Assembly met to consider the report of"] * 9), True, [])


@pytest.mark.parametrize("source", ["ungdc_slice.jsonl.gz", "ungdc_extra.jsonl.gz", "zh_gov_reports_excerpt.jsonl.gz",
                                    "html_en", "html_mfa"])
def test_same_on_committed_documents(source):
    texts = [doc.text for doc in load_corpus(DATA / source, validate=False, reflow=False)]
    texts += [doc.text for doc in load_corpus(DATA / source, validate=False)]
    changed = {False: 0, True: 0}
    for text in texts:
        for force in (False, True):
            compiled, reference = both(text, force)
            assert compiled == reference
            changed[force] += reference[1]
    assert changed[True] > 0
    if source.startswith("ungdc"):
        assert changed[False] > 0   # wrapped speeches among them


def test_same_on_a_wrapped_speech_with_page_furniture():
    doc = next(d for d in load_corpus(DATA / "ungdc_extra.jsonl.gz", reflow=False) if d.doc_id == "CHN_65_2010")
    compiled, reference = both(doc.text, False)
    assert compiled == reference and compiled[1]
    # the page number and document code lines, at the offsets explain_reflow gives
    removed = [(text, doc.text[start:end]) for start, end, _, text in compiled[2]]
    assert removed == [("10-54827 42", "10-54827 42"), ("43 10-54827", "43 10-54827")]


# the hand-checked cases: a wrapped text whose breaks rules 1, 2, 4 and the hyphen join decide
HAND = "\n".join([
    "The Assembly met to consider the report of the",          # 46 characters
    "Secretary-General on the work of the Organization,",      # 50
    "and heard the statements of the delegations on a",        # 48
    "zero-",                                                   # a hyphenated word: no space
    "sum view of security in the region of the world.",        # 48, ends a sentence
    "",
    "12-34567 3",                                              # page furniture after a blank line
    "\u2022 Peace and development are the two themes of the",  # rule 1: a bullet
    "age in which the Members of the United Nations live",     # 51
    "and work together on the matters before them all.",       # 49, ends a sentence
    "",
    "Next, the Assembly turned to the budget of the next",     # rule 2: blank line after a full stop
    "two years, in which the Fifth Committee had found",
    "a balance between the needs and means of the work.",
    "It closed.",                                              # rule 4 only where no blank lines mark paragraphs
])


def test_hand_checked_text():
    text, changed, removed = _reflow(HAND, force=False)
    assert changed
    assert removed == [(HAND.index("12-34567 3"), HAND.index("12-34567 3") + 10, "page_furniture", "12-34567 3")]
    paragraphs = text.split("\n\n")
    assert paragraphs == [
        "The Assembly met to consider the report of the Secretary-General on the work of the Organization, "
        "and heard the statements of the delegations on a zero-sum view of security in the region of the world.",
        "\u2022 Peace and development are the two themes of the age in which the Members of the United Nations "
        "live and work together on the matters before them all.",
        "Next, the Assembly turned to the budget of the next two years, in which the Fifth Committee had found "
        "a balance between the needs and means of the work. It closed.",
    ]
    assert both(HAND, False)[1] == (text, changed, removed)
    assert explain_reflow(HAND)["text"].tolist() == ["12-34567 3"]


def test_texts_the_loop_leaves_to_python():
    # beyond the BMP (four bytes per character): the Python path
    wide = "\U0001f30d the Assembly met to consider the report of\n" * 9
    assert reflow_text(wide, False) is None
    assert both(wide, False)[0] == both(wide, False)[1] == (" ".join(wide.split("\n")[:9]), True, [])
    # two lone surrogates side by side would pair up in UTF-16: the Python path too
    lone = "the Assembly met \ud83c\udf0d to consider the report of\n" * 9
    assert reflow_text(lone, False) is None
    assert both(lone, False)[0] == both(lone, False)[1] == (" ".join(lone.split("\n")[:9]), True, [])


def test_the_loop_follows_the_patterns_and_thresholds():
    # the loop reads the character classes from these patterns, and implements their structure
    from sco_discourse import _reflow_kernel as k
    from sco_discourse.corpus import reflow as r

    assert r._LIST_MARKER.pattern == (r"(?:[\u2022\u25cf\u25aa\u00b7*\-\u2013\u2014]\s|"
                                      r"\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s)")
    assert r._PAGE_FURNITURE.pattern == r"[\d\s\-/.,()\u2013]{1,24}"
    assert (r.MIN_LINES, r.MIN_CONTINUATION_SHARE, r.MIN_FULL_SHARE, r._FURNITURE_MAX) == (
        k.MIN_LINES, k.MIN_CONTINUATION_SHARE, k.MIN_FULL_SHARE, k.FURNITURE_MAX)


def test_character_classes_are_pythons():
    table = char_classes()
    from sco_discourse import _reflow_kernel as k

    # no-break space, ideographic space, a line separator: white space; "\u00b2" a digit, not decimal
    expected = [(" ", k.SPACE | k.RE_SPACE | k.FURNITURE | k.INDENT), ("\u00a0", k.SPACE | k.RE_SPACE | k.FURNITURE),
                ("\u3000", k.SPACE | k.RE_SPACE | k.FURNITURE | k.INDENT), ("\n", k.SPACE | k.FURNITURE),
                ("\u2028", k.SPACE | k.RE_SPACE | k.FURNITURE), ("\u00b2", k.ISDIGIT | k.ISALNUM),
                ("\u0663", k.RE_DIGIT | k.ISDIGIT | k.ISDECIMAL | k.ISALNUM | k.FURNITURE),
                ("7", k.RE_DIGIT | k.ISDIGIT | k.ISDECIMAL | k.ISALNUM | k.FURNITURE),
                ("\u01c5", k.ISALPHA | k.ISALNUM), ("\u0416", k.ISALPHA | k.ISALNUM | k.ISUPPER),
                ("i", k.ISALPHA | k.ISALNUM | k.ROMAN | k.ASCII_LETTER),
                ("\u2013", k.FURNITURE | k.FURNITURE_START | k.BULLET), ("\u201d", k.END),
                ("-", k.FURNITURE | k.FURNITURE_START | k.BULLET), (".", k.END | k.FURNITURE | k.FURNITURE_START),
                (")", k.END | k.FURNITURE | k.FURNITURE_START), ("\u2022", k.BULLET)]
    for char, flags in expected:
        assert table[ord(char)] == flags, char


# ---------------------------------------------------------------- generated texts
LETTERS = "abcdefghijklmnopqrstuvwxyzIVXivxABZ\u00e9\u00df\u0416\u0436\u4e2d\u01c5\u00b2\u0663"
WORD = st.text(alphabet=LETTERS + "-'", min_size=1, max_size=9)
SPACE = st.sampled_from([" ", " ", " ", "  ", "\u00a0", "\u3000", "\t", "\u2003"])
ENDING = st.sampled_from(["", "", "", "", ".", ".", ",", "-", "\u201d", ":", "?", " ", "\r", "\u00a0"])
INDENT = st.sampled_from(["", "", "", "", " ", "   ", "\t", "\u3000", "\u00a0"])
MARKER = st.sampled_from(["", "", "", "", "", "\u2022 ", "- ", "* ", "\u2014 ", "(a) ", "a) ", "iv. ", "(iv) ",
                          "xviii. ", "12. ", "(3) ", "1234. ", "\u0663. ", "\u2022", "-", "(", "ivxiv. ", "A.\u00a0",
                          "b.\u3000"])
FURNITURE = st.sampled_from(["10-54827 42", "17", "25/09/2013", "(3)", "- 4 -", "\u0661\u0662", "\u00b2", "1.",
                             "12,5", "3\u20134", "\u00a0 42 \u00a0", "x 17", "1234567890123456789012345"])


@st.composite
def line(draw):
    kind = draw(st.sampled_from(["words"] * 8 + ["blank", "spaces", "furniture"]))
    if kind == "blank":
        return ""
    if kind == "spaces":
        return draw(st.text(alphabet=" \t\u00a0\u3000\r\u2028", min_size=1, max_size=3))
    if kind == "furniture":
        return draw(FURNITURE)
    words = draw(st.lists(WORD, min_size=1, max_size=9))
    spaces = draw(st.lists(SPACE, min_size=len(words), max_size=len(words)))
    body = "".join(w + s for w, s in zip(words, spaces))[:-1]
    return draw(INDENT) + draw(MARKER) + body + draw(ENDING)


@settings(max_examples=400, deadline=None)
@given(st.lists(line(), min_size=0, max_size=40).map("\n".join))
def test_same_on_generated_text(text):
    for force in (False, True):
        compiled, reference = both(text, force)
        assert compiled == reference


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(30, 60), st.sampled_from(["", "", "", ".", "-", ","])), min_size=8, max_size=40),
       st.randoms(use_true_random=False))
def test_same_on_generated_wrapped_text(shape, rnd):
    # lines of similar length, most ending inside a sentence: texts the detection calls wrapped
    words = ["the", "Assembly", "pe\u00e7a", "\u0416\u0438", "World", "zero", "12", "(b)", "iv.", "\u2022", "sum"]
    lines = []
    for width, ending in shape:
        current = ""
        while len(current) < width:
            current += rnd.choice(words) + rnd.choice([" ", " ", " ", "\u00a0"])
        lines.append(rnd.choice(["", "", "", " ", "\u3000"]) + current.strip() + ending)
        if rnd.random() < 0.15:
            lines.append(rnd.choice(["", "  ", "10-54827 42", "7"]))
    text = "\n".join(lines)
    for force in (False, True):
        compiled, reference = both(text, force)
        assert compiled == reference


def test_a_loop_numba_cannot_compile_leaves_the_python_path(monkeypatch):
    from sco_discourse import _kernels, _reflow_kernel

    def broken(text, table, force):
        raise _reflow_kernel.numba.core.errors.TypingError("no attribute _kind")

    monkeypatch.setattr(_reflow_kernel, "_reflow_text", broken)
    monkeypatch.setattr(_kernels, "_failed", False)
    with pytest.warns(RuntimeWarning, match="could not compile"):
        assert _reflow(HAND, force=False) == _reflow_python(HAND, force=False)
    assert _kernels.kernels() is None    # every compiled loop is left from then on
    assert _reflow(HAND, force=True) == _reflow_python(HAND, force=True)   # no second warning
