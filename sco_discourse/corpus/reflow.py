"""Hard-wrapped text: detect it, and re-flow it into one line per paragraph.

Text extracted from PDF files, printed records or old archives often carries a line
break every 50–100 characters. The package reads a non-blank line as a paragraph
(sentences never run across a line break, topic models use paragraphs as units), so a
wrapped document looks like a document of 200 one-line "paragraphs". :func:`reflow`
detects such documents from the distribution of their line lengths and joins the lines
of each paragraph; the corpus loaders call it on every document at load time
(``load_corpus(..., reflow=True)``, the default), keep the original in ``Document.raw``
and record ``reflowed=True`` in the document's metadata.

Detection
---------
A document is hard-wrapped when (over its non-blank lines, page-number lines left out)

* it has at least :data:`MIN_LINES` lines,
* at least :data:`MIN_CONTINUATION_SHARE` of them end inside a sentence (their last
  character is not one of ``. ! ? : ;``, a closing quote or bracket, or an ellipsis), and
* at least :data:`MIN_FULL_SHARE` of them are "full": as long as 60 % of the wrap width,
  the 90th percentile of the line lengths.

One line per paragraph gives the opposite picture: lines end with a full stop, and
their lengths spread from a heading to a page. On the UN General Debate corpus
(10,952 speeches) the two groups are far apart: wrapped speeches (1992–2014, part of
1969 and 1982, 11 of 2024) have 78–91 % continuation lines and 87–96 % full lines;
unwrapped ones at most 53 % and 55 %.

Re-flowing
----------
In a wrapped document a line break is a paragraph break when

1. the next line starts with a list marker ("•", "-", "*", "1.", "(a)", "a)");
2. the line ends a sentence and a blank line follows (a blank line *inside* a sentence
   is a page break and is joined over; so is a blank line next to a page-number line);
3. the line ends a sentence and the next line is indented, in a document where
   indented lines are a minority (at most 40 %) but frequent (at least 3, and one per
   20 lines): indentation then marks a paragraph's first line;
4. the line ends a sentence and the next line's first word would have fitted on it:
   ``len(line) + 1 + len(first word) <= 0.95 * wrap width``. A typesetter only breaks
   a line early at the end of a paragraph. This rule is not used in a document whose
   paragraphs are marked, by blank lines after a sentence's end or by indented first
   lines, at least 3 times and once per 20 lines: there the marks say where paragraphs
   end;
5. a short line (under 60 % of the width) without final punctuation is followed by a
   blank line and a capitalised line (a heading or salutation: "Mr. President").

Every other break is joined with one space; a line ending in a hyphen after a letter
is joined to the next line without a space, keeping the hyphen
("zero-\\nsum" → "zero-sum"; a word split by hyphenation keeps its hyphen too, since
no characters are dropped). Lines holding only digits and separators ("10-54827 42",
"17", "25/09/2013") are page numbers and document codes of the printed page; in a
wrapped document they are removed, and listed by :func:`explain_reflow`. Paragraphs are
separated by a blank line, as in cleaned web pages.

Rule 4 cannot see the end of a paragraph whose last line happens to be full. Measured
on the 387 speeches of 2013–2014, whose paragraphs are also separated by blank lines
(rule 2 left out for the check), 93 % of the breaks rule 4 finds are paragraph ends and
it finds 75 % of the blank-line breaks (some of which are page breaks, not paragraph
ends): a paragraph is sometimes merged with the next one, a speech is never cut into
lines.

Text that is not wrapped is returned unchanged.

With numba, detection and re-flowing run as one compiled loop over the characters of the
text (:mod:`sco_discourse._reflow_kernel`), about three times as fast (the loader re-flows
the UN General Debate corpus in 0.9 s of CPU instead of 2.5 s); the Python code below is the fallback and the reference, and gives the same
text, verdict and removed lines.
"""

from __future__ import annotations

import bisect
import math
import re
from itertools import accumulate, compress
from operator import itemgetter
from typing import NamedTuple

import pandas as pd

from .._kernels import kernels

__all__ = ["Reflowed", "WrapProfile", "wrap_profile", "is_hard_wrapped", "reflow", "explain_reflow",
           "MIN_LINES", "MIN_CONTINUATION_SHARE", "MIN_FULL_SHARE"]

#: Fewer non-blank lines than this: never treated as wrapped.
MIN_LINES = 8
#: Share of lines ending inside a sentence needed to call a document wrapped.
MIN_CONTINUATION_SHARE = 0.5
#: Share of lines at least 60 % of the wrap width needed to call a document wrapped.
MIN_FULL_SHARE = 0.6

_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]\u00bb\u2026]$")
#: The characters :data:`_SENTENCE_END` looks for: a stripped line ends a sentence when its
#: last character is one of them (a set lookup, rather than a regex search along the line).
_END_CHARS = frozenset(".!?:;\"'\u201d\u2019)]\u00bb\u2026")
_PAGE_FURNITURE = re.compile(r"[\d\s\-/.,()\u2013]{1,24}")
_FURNITURE_MAX = 24  # longest page-number line :data:`_PAGE_FURNITURE` accepts
_LIST_MARKER = re.compile(r"(?:[\u2022\u25cf\u25aa\u00b7*\-\u2013\u2014]\s|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s)")
#: :data:`_LIST_MARKER` at the start of a line after the first, in lines joined by "\n": one
#: search over the text (the regex engine skips to each "\n") instead of a match per line;
#: the white space after the marker is on its line (not the "\n" that ends it).
#: A lookahead first turns away the lines that start with a word (most lines: a letter, then a
#: character no marker has after its first letter) before the alternatives are tried.
_LIST_AFTER_BREAK = re.compile(_LIST_MARKER.pattern.replace(r"\s", r"[^\S\n]").replace(
    "(?:", r"\n(?=[^a-zA-Z]|[a-zA-Z][.)]|[ivxIVX]{2,4}[.)])(?:", 1))
_END_CHAR_RE = re.compile("[" + re.escape("".join(sorted(_END_CHARS))) + "]")
_LAST = itemgetter(-1)
_HEAD = itemgetter(0)
_INDENT = (" ", "\t", "\u3000")
#: The characters other than digits and white space a page-number line can start with.
_FURNITURE_PUNCTUATION = frozenset("-/.,()\u2013")


class WrapProfile(NamedTuple):
    """The line statistics :func:`is_hard_wrapped` decides on."""

    n_lines: int
    width: float
    continuation_share: float
    full_share: float
    wrapped: bool


class Reflowed(NamedTuple):
    """What :func:`reflow` returns: the text and whether it was changed."""

    text: str
    changed: bool


def _is_furniture(line: str) -> bool:
    return bool(line) and _PAGE_FURNITURE.fullmatch(line) is not None and any(c.isdigit() for c in line)


def _content(stripped: list[str]) -> list[str]:
    """The non-blank lines that are not page furniture (:func:`_special`)."""
    special = _special(stripped, list(map(len, stripped)))
    return [s for i, s in enumerate(stripped) if i not in special] if special else stripped


def _special(stripped: list[str], lengths: list[int]) -> dict[int, bool]:
    """``{line number: is blank}`` of the blank and page-number lines, in line order (only
    lines of at most :data:`_FURNITURE_MAX` characters can be either)."""
    short = [i for i, k in enumerate(lengths) if k <= _FURNITURE_MAX]
    # the pattern only for lines that start with a digit (``\d``) or a punctuation mark it allows
    return {i: not line for i in short if not (line := stripped[i])
            or ((line[0].isdecimal() or line[0] in _FURNITURE_PUNCTUATION) and _is_furniture(line))}


def _percentile_90(sorted_lengths: list[int]) -> float:
    """``numpy.percentile(lengths, 90)`` (its default "linear" method), computed the way numpy
    computes it (the same floating-point operations, so the same value to the last bit)
    from the lengths in ascending order: numpy's call costs more than the rest of the
    statistics of a short text."""
    n = len(sorted_lengths)
    virtual = (n - 1) * 0.9  # numpy: q = 90 / 100, virtual index (n - 1) * q
    if virtual >= n - 1:
        return float(sorted_lengths[-1])
    below = math.floor(virtual)
    gamma = virtual - below
    a, b = float(sorted_lengths[below]), float(sorted_lengths[below + 1])
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def _end_count(last_chars: str) -> int:
    """How many of the lines whose last characters are ``last_chars`` end a sentence."""
    return sum(map(last_chars.count, _END_CHARS))


def _profile(lines: list[str], *, complete: bool = True, lengths: list[int] | None = None,
             last_chars: str | None = None) -> WrapProfile | None:
    """:func:`wrap_profile` of the content lines; with ``complete=False``, None as soon as
    the cheap statistics (line count, continuation share) rule wrapping out. ``lengths``
    and ``last_chars`` (the lines' lengths, their last characters as one string) when the
    caller has them."""
    n = len(lines)
    if not n:
        return WrapProfile(0, 0.0, 0.0, 0.0, False)
    if last_chars is None:
        last_chars = "".join(map(_LAST, lines))
    continuation = (n - _end_count(last_chars)) / n
    if not complete and (n < MIN_LINES or continuation < MIN_CONTINUATION_SHARE):
        return None
    ordered = sorted(map(len, lines) if lengths is None else lengths)
    width = _percentile_90(ordered)
    # the share of lines at least 60 % of the width: those after the first that long
    full = (n - bisect.bisect_left(ordered, 0.6 * width)) / n
    wrapped = n >= MIN_LINES and continuation >= MIN_CONTINUATION_SHARE and full >= MIN_FULL_SHARE
    return WrapProfile(n, width, continuation, full, wrapped)


def wrap_profile(text: str) -> WrapProfile:
    """Line statistics of ``text`` and the verdict "hard-wrapped or not".

    Returns
    -------
    WrapProfile
        ``n_lines`` (non-blank lines, page-number lines left out), ``width`` (90th
        percentile of their lengths), ``continuation_share`` (share ending inside a
        sentence), ``full_share`` (share at least 60 % of ``width``) and ``wrapped``.

    Examples
    --------
    >>> wrapped = "\\n".join(["The Assembly met to consider the report of"] * 10)
    >>> wrap_profile(wrapped).wrapped
    True
    >>> wrap_profile("One paragraph.\\nAnother paragraph, longer than the first.").wrapped
    False
    """
    return _profile(_content(list(map(str.strip, text.split("\n")))))


def is_hard_wrapped(text: str) -> bool:
    """True if ``text`` has line breaks inside its paragraphs (see :func:`wrap_profile`).

    Examples
    --------
    >>> is_hard_wrapped("A short text.")
    False
    """
    raw_lines = text.split("\n")
    if len(raw_lines) < MIN_LINES:  # too few lines to be wrapped
        return False
    profile = _profile(_content(list(map(str.strip, raw_lines))), complete=False)
    return profile is not None and profile.wrapped


def reflow(text: str, *, force: bool = False) -> Reflowed:
    """Join the lines of each paragraph of a hard-wrapped text.

    Parameters
    ----------
    text : str
    force : bool, default False
        Re-flow even if :func:`is_hard_wrapped` says the text is not wrapped.

    Returns
    -------
    Reflowed
        ``(text, changed)``: the text with one paragraph per line and a blank line
        between paragraphs, and whether anything was changed (False: ``text`` is
        returned as it was).

    Examples
    --------
    >>> speech = '''I have the honour to address the General Assembly
    ... in the last year of the current elected Government of
    ... Afghanistan. I therefore think that it is useful to
    ... revisit the story of the past 12 years.
    ... For a little more than two decades prior to November
    ... 2001, the people of Afghanistan suffered incalculable
    ... pain, deprivation and losses through three distinct
    ... periods, each worse than the one that came before it.'''
    >>> text, changed = reflow(speech)
    >>> changed
    True
    >>> [len(p.split()) for p in text.split("\\n\\n")]   # words per paragraph
    [36, 34]
    >>> text.split("\\n\\n")[1][:60]
    'For a little more than two decades prior to November 2001, t'
    """
    result = _reflow(text, force=force)
    return Reflowed(result[0], result[1])


def explain_reflow(text: str, *, force: bool = False) -> pd.DataFrame:
    """The page-number lines :func:`reflow` removes from ``text``.

    Returns
    -------
    pandas.DataFrame
        Columns ``start, end`` (offsets into ``text``), ``rule`` ("page_furniture") and
        ``text``; empty when the text is not wrapped.

    Examples
    --------
    >>> page = "\\n".join(["the Assembly met to consider the report of"] * 5 + ["17", ""]
    ...                   + ["the Assembly met to consider the report of"] * 5)
    >>> explain_reflow(page)
       start  end            rule text
    0    215  217  page_furniture   17
    """
    removed = _reflow(text, force=force)[2]
    frame = pd.DataFrame(removed, columns=["start", "end", "rule", "text"])
    return frame.astype({"start": "int64", "end": "int64", "rule": "object", "text": "object"})


def _reflow(text: str, *, force: bool) -> tuple[str, bool, list[tuple[int, int, str, str]]]:
    """``(text, changed, removed)`` of :func:`reflow` and :func:`explain_reflow`: with the
    compiled loop over the text's code points when numba is there
    (:mod:`sco_discourse._reflow_kernel`), else (or for a text with characters beyond the
    Basic Multilingual Plane) with :func:`_reflow_python`, which gives the same."""
    if "\n" not in text:
        return text, False, []
    compiled = kernels()
    if compiled is not None:
        result = compiled.reflow.reflow_text(text, force)
        if result is not None:
            return result
    return _reflow_python(text, force=force)


def _reflow_python(text: str, *, force: bool) -> tuple[str, bool, list[tuple[int, int, str, str]]]:
    # Cheap tests first: a text with fewer line breaks than MIN_LINES - 1 cannot be wrapped,
    # nor can one where most lines end a sentence; the percentile of the line lengths is only
    # computed for texts that pass both. Every line is stripped once, and the work done per
    # line is done by built-ins over whole lists (lengths, last characters, indentation):
    # Python code runs only for the few lines a rule may apply to.
    if "\n" not in text:
        return text, False, []
    raw_lines = text.split("\n")
    if not force and len(raw_lines) < MIN_LINES:
        return text, False, []
    stripped = list(map(str.strip, raw_lines))
    all_lengths = list(map(len, stripped))
    # blank lines (True) and page-number lines (False): only short lines can be either
    special = _special(stripped, all_lengths)
    if special:
        kept = [True] * len(stripped)
        for i in special:
            kept[i] = False
        lines = list(compress(stripped, kept))
        lengths = list(compress(all_lengths, kept))
    else:
        kept = None
        lines, lengths = stripped, all_lengths
    last_chars = "".join(map(_LAST, lines))
    profile = _profile(lines, complete=force, lengths=lengths, last_chars=last_chars)
    if profile is None or not (profile.wrapped or force) or profile.n_lines == 0:
        return text, False, []
    width = profile.width
    removed: list[tuple[int, int, str, str]] = []
    n = len(stripped)
    # content lines with a blank line before them (and no page-number line between)
    blank_before: set[int] = set()
    if special:
        starts = None
        seen = 0
        blank = furniture = False
        for i, is_blank in special.items():  # in line order
            seen += 1
            if is_blank:
                blank = True
            else:
                if starts is None:  # offsets of the lines (before the "\n" of each line), for the removed ones
                    starts = list(accumulate(map(len, raw_lines), initial=0))
                raw, line = raw_lines[i], stripped[i]
                first = starts[i] + i + (len(raw) - len(raw.lstrip()))
                removed.append((first, first + len(line), "page_furniture", line))
                furniture = True
            if i + 1 < n and i + 1 not in special:  # the next content line
                if blank and not furniture:
                    blank_before.add(i + 1 - seen)
                blank = furniture = False
    count = len(lines)
    # the first character of each content line as it stands (never empty): indented or not
    heads = "".join(map(_HEAD, compress(raw_lines, kept) if kept is not None else raw_lines))
    # lines ending a sentence: the line after each may start a paragraph
    sentence_ends = [m.start() for m in _END_CHAR_RE.finditer(last_chars)]
    # a mark of paragraphs is used often enough to be one: a paragraph every 20 lines at most
    often = max(3, count / 20)
    indented = sum(map(heads.count, _INDENT))
    indent_marks_paragraphs = often <= indented <= 0.4 * count
    # blank lines after a sentence's end: when there are enough of them they are the paragraph
    # breaks, and a short line at a sentence's end is not taken for one (rule 4 is off)
    blank_breaks = sum(1 for i in blank_before if i >= 1 and last_chars[i - 1] in _END_CHARS)
    blank_marks_paragraphs = blank_breaks >= often
    short_breaks = not (blank_marks_paragraphs or indent_marks_paragraphs)
    fits = 0.95 * width
    short = 0.6 * width

    # the lines that start a paragraph (rules 1-5 of the module's docstring)
    markers = [m.start() + 1 for m in _LIST_AFTER_BREAK.finditer("\n".join(lines))]  # where such lines start
    new_paragraph: set[int] = set()
    if markers:
        line_starts = list(accumulate((k + 1 for k in lengths), initial=0))
        new_paragraph.update(bisect.bisect_left(line_starts, start) for start in markers)
    for previous_index in sentence_ends:
        i = previous_index + 1
        if i >= count or i in new_paragraph:
            continue
        if (i in blank_before or (indent_marks_paragraphs and heads[i] in _INDENT)
                or (short_breaks and lengths[previous_index] + 2 <= fits  # room for a word of one character
                    and lengths[previous_index] + 1 + len(lines[i].split(None, 1)[0]) <= fits)):
            new_paragraph.add(i)
    for i in blank_before:  # a heading or salutation: a short line without final punctuation
        if 1 <= i < count and i not in new_paragraph and last_chars[i - 1] not in _END_CHARS:
            previous, current = lines[i - 1], lines[i]
            if len(previous) < short and current[:1].isupper() and not previous.endswith(","):
                new_paragraph.add(i)
    # where a line is not joined to the previous one with a space: a paragraph break, or
    # nothing (a word hyphenated at the line's end: "zero-" + "sum"); the runs of lines in
    # between are joined with spaces
    breaks = dict.fromkeys(new_paragraph, "\n\n")
    position = last_chars.find("-")
    while 0 <= position < count - 1:
        i = position + 1
        previous = lines[position]
        if i not in new_paragraph and len(previous) >= 2 and previous[-2].isalpha() and lines[i][:1].isalnum():
            breaks[i] = ""
        position = last_chars.find("-", i)
    pieces = []
    start = 0
    for i in sorted(breaks):
        pieces.append(" ".join(lines[start:i]))
        pieces.append(breaks[i])
        start = i
    pieces.append(" ".join(lines[start:]))
    out = "".join(pieces)
    return out, out != text, removed
