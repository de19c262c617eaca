"""The fast re-flowing (cheap negative tests, one strip per line, per-line work done by
built-ins over whole lists, one regex search for list markers, numpy's percentile computed
on the sorted lengths) gives what the reference implementation gave: the same text,
verdict, statistics and removed lines.

The reference below is the line-by-line implementation :mod:`sco_discourse.corpus.reflow`
used before (a regex search on every line for its last character, every line stripped
several times, the percentile computed for every text with a line break), kept verbatim.
"""

import gzip
import json
import random
import re
import textwrap
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from sco_discourse.corpus import reflow as fast

DATA = Path(__file__).parents[1] / "data"

# ---------------------------------------------------------------- reference implementation
_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]\u00bb\u2026]$")
_PAGE_FURNITURE = re.compile(r"[\d\s\-/.,()\u2013]{1,24}")
_LIST_MARKER = re.compile(r"(?:[\u2022\u25cf\u25aa\u00b7*\-\u2013\u2014]\s|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s)")


class _Line(NamedTuple):
    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        return self.raw.strip()


def _lines(text):
    out, offset = [], 0
    for raw in text.split("\n"):
        out.append(_Line(offset, offset + len(raw), raw))
        offset += len(raw) + 1
    return out


def _is_furniture(line):
    return bool(line) and _PAGE_FURNITURE.fullmatch(line) is not None and any(c.isdigit() for c in line)


def ref_wrap_profile(text):
    lines = [s for line in text.split("\n") if (s := line.strip()) and not _is_furniture(s)]
    if not lines:
        return fast.WrapProfile(0, 0.0, 0.0, 0.0, False)
    lengths = np.fromiter((len(s) for s in lines), dtype=float, count=len(lines))
    width = float(np.percentile(lengths, 90))
    continuation = sum(1 for s in lines if not _SENTENCE_END.search(s)) / len(lines)
    full = float(np.mean(lengths >= 0.6 * width))
    wrapped = len(lines) >= 8 and continuation >= 0.5 and full >= 0.6
    return fast.WrapProfile(len(lines), width, continuation, full, wrapped)


def ref_reflow(text, *, force=False):
    if "\n" not in text:
        return text, False, []
    profile = ref_wrap_profile(text)
    if not (profile.wrapped or force) or profile.n_lines == 0:
        return text, False, []
    width = profile.width
    lines = _lines(text)
    removed = []
    content = []
    blank = furniture = False
    for line in lines:
        stripped = line.text
        if not stripped:
            blank = True
            continue
        if _is_furniture(stripped):
            first = line.start + (len(line.raw) - len(line.raw.lstrip()))
            removed.append((first, first + len(stripped), "page_furniture", stripped))
            furniture = True
            continue
        content.append((line, blank, furniture))
        blank = furniture = False
    if not content:
        return text, False, []
    often = max(3, len(content) / 20)
    indented = sum(1 for line, _, _ in content if line.raw[:1] in (" ", "\t", "\u3000"))
    indent_marks_paragraphs = often <= indented <= 0.4 * len(content)
    blank_breaks = sum(1 for (prev, _, _), (_, blank_before, page_break) in zip(content, content[1:])
                       if blank_before and not page_break and _SENTENCE_END.search(prev.text))
    blank_marks_paragraphs = blank_breaks >= often

    paragraphs = [[content[0][0].text]]
    for (prev, _, _), (line, blank_before, page_break) in zip(content, content[1:]):
        previous, current = prev.text, line.text
        ends_sentence = _SENTENCE_END.search(previous) is not None
        first_word = current.split(None, 1)[0]
        if _LIST_MARKER.match(current):
            new_paragraph = True
        elif ends_sentence:
            new_paragraph = ((blank_before and not page_break)
                             or (indent_marks_paragraphs and line.raw[:1] in (" ", "\t", "\u3000"))
                             or (not (blank_marks_paragraphs or indent_marks_paragraphs)
                                 and len(previous) + 1 + len(first_word) <= 0.95 * width))
        else:
            new_paragraph = (blank_before and not page_break and len(previous) < 0.6 * width
                             and current[:1].isupper() and not previous.endswith(","))
        if new_paragraph:
            paragraphs.append([current])
        else:
            paragraphs[-1].append(current)
    out = "\n\n".join(_ref_join(parts) for parts in paragraphs)
    return out, out != text, removed


def _ref_join(parts):
    pieces = [parts[0]]
    for part in parts[1:]:
        previous = pieces[-1]
        if len(previous) >= 2 and previous.endswith("-") and previous[-2].isalpha() and part[:1].isalnum():
            pieces.append(part)
        else:
            pieces.append(" " + part)
    return "".join(pieces)


# ---------------------------------------------------------------- the comparison
def _check(text):
    for force in (False, True):
        expected = ref_reflow(text, force=force)
        assert fast._reflow(text, force=force) == expected
    profile = ref_wrap_profile(text)
    assert fast.wrap_profile(text) == profile
    assert fast.is_hard_wrapped(text) is profile.wrapped
    return profile.wrapped


def _un_texts():
    texts = []
    for name in ("ungdc_slice.jsonl.gz", "ungdc_extra.jsonl.gz"):
        with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle]
    return texts


def test_un_speeches_reflow_as_the_reference_does():
    texts = _un_texts()
    wrapped = [_check(text) for text in texts]
    # both kinds are exercised: the slice holds wrapped (CHN 2013, 2014) and unwrapped speeches
    assert 0 < sum(wrapped) < len(wrapped)


def _synthetic(rng):
    words = ["the", "Assembly", "peace", "co-operation", "security", "development,", "nations.", "(a)",
             "1.", "zero-", "sum", "region;", "\u2022", "17", "Mr.", "President:", "\u201cshared\u201d", "future"]
    paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 120))) for _ in range(rng.randint(1, 12))]
    kind = rng.randrange(8)
    if kind == 0:  # one line per paragraph
        return "\n".join(paragraphs)
    width = rng.randint(30, 90)
    wrapped = [textwrap.fill(p, width) for p in paragraphs]
    if kind >= 6:  # list items, markers alone on a line, hyphenated words, headings, odd white space
        lines = "\n".join(wrapped).split("\n")
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(lines) + 1)
            lines.insert(at, rng.choice(["1.", "(a)", "\u2022", "- ", "iv) ", "2) next item", "(b) an item,",
                                         "\u2022\tbullet", "a.\rb", "Mr. President", "", "zero-", "x-", "-",
                                         "12.\u3000full", "\u3000indented first line", "\u2014 dash"]))
        return "\n".join(lines)
    if kind == 1:
        return "\n".join(wrapped)
    if kind == 2:  # blank lines between paragraphs
        return "\n\n".join(wrapped)
    if kind == 3:  # indented first lines
        return "\n".join("   " + w for w in wrapped)
    lines = "\n".join(wrapped).split("\n")
    for _ in range(rng.randint(1, 4)):  # page numbers, document codes, blank lines, stray spaces
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, rng.choice(["17", " 10-54827 42 ", "", "25/09/2013", "  ", "\t3", "A/68/PV.5"]))
    if kind == 5:
        lines = [line + " " if rng.random() < 0.2 else line for line in lines]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_synthetic_texts_reflow_as_the_reference_does(seed):
    rng = random.Random(seed)
    verdicts = [_check(_synthetic(rng)) for _ in range(150)]
    assert 0 < sum(verdicts) < len(verdicts)


@pytest.mark.parametrize("text", ["", "\n", "x", "17\n18\n19\n20\n21\n22\n23\n24\n25", "\n" * 20,
                                  "a\n" * 8, "end.\n" * 9, "\u3000indented line of text\n" * 10,
                                  # a list marker whose white space would be the line's end is no marker
                                  "words of a line\n1.\nwords of a line\n" * 5,
                                  "a line that ends in a hyphen-\n- and a list item\n" * 6,
                                  "the end of one item.\n(a)\ta tab after the marker\n" * 6,
                                  "line-\n" * 9 + "-", "x\n\n17\n\nY line\n" * 4])
def test_edge_cases_reflow_as_the_reference_does(text):
    _check(text)


def test_the_wrap_width_is_numpys_percentile_to_the_last_bit():
    rng = random.Random(7)
    samples = [[rng.randint(0, 200) for _ in range(rng.randint(1, 400))] for _ in range(2000)]
    samples += [[5], [3, 9], [1, 2, 3], [0, 0, 0, 100], list(range(11)), list(range(10))]
    for lengths in samples:
        expected = float(np.percentile(np.array(lengths, dtype=float), 90))
        assert fast._percentile_90(sorted(lengths)) == expected  # exact, not approximate
