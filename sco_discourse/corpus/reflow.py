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
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

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
_INDENT = (" ", "\t", "\u3000")


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
    """The non-blank lines that are not page furniture (only short lines can be)."""
    return [s for s in stripped if s and (len(s) > _FURNITURE_MAX or not _is_furniture(s))]


def _profile(lines: list[str], *, complete: bool = True) -> WrapProfile | None:
    """:func:`wrap_profile` of the content lines; with ``complete=False``, None as soon as
    the cheap statistics (line count, continuation share) rule wrapping out."""
    n = len(lines)
    if not n:
        return WrapProfile(0, 0.0, 0.0, 0.0, False)
    continuation = (n - sum(map(_END_CHARS.__contains__, [s[-1] for s in lines]))) / n
    if not complete and (n < MIN_LINES or continuation < MIN_CONTINUATION_SHARE):
        return None
    lengths = np.fromiter(map(len, lines), dtype=float, count=n)
    width = float(np.percentile(lengths, 90))
    full = float(np.mean(lengths >= 0.6 * width))
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
    # Cheap tests first: a text with fewer line breaks than MIN_LINES - 1 cannot be wrapped,
    # nor can one where most lines end a sentence; the percentile of the line lengths is only
    # computed for texts that pass both. Every line is stripped once.
    if "\n" not in text:
        return text, False, []
    raw_lines = text.split("\n")
    if not force and len(raw_lines) < MIN_LINES:
        return text, False, []
    stripped = list(map(str.strip, raw_lines))
    profile = _profile(_content(stripped), complete=force)
    if profile is None or not (profile.wrapped or force) or profile.n_lines == 0:
        return text, False, []
    width = profile.width
    removed: list[tuple[int, int, str, str]] = []
    # blank lines (True) and page-number lines (False): only short lines can be either
    special = {i: not line for i, line in enumerate(stripped)
               if len(line) <= _FURNITURE_MAX and (not line or _is_furniture(line))}
    n = len(stripped)
    # the content lines, each with what separates it from the previous content line
    keep = [i for i in range(n) if i not in special] if special else range(n)
    lines = [stripped[i] for i in keep]
    if not lines:
        return text, False, []
    indents = [raw_lines[i][:1] in _INDENT for i in keep]  # the raw line starts indented
    blanks = [False] * len(lines)  # a blank line before
    pages = [False] * len(lines)  # a page-number line before
    if special:
        starts = None
        seen = 0
        blank = furniture = False
        for i, is_blank in special.items():  # in line order
            seen += 1
            if is_blank:
                blank = True
            else:
                if starts is None:  # offsets of the lines, for the removed ones
                    starts = np.cumsum([0] + [len(raw) + 1 for raw in raw_lines]).tolist()
                raw, line = raw_lines[i], stripped[i]
                first = starts[i] + (len(raw) - len(raw.lstrip()))
                removed.append((first, first + len(line), "page_furniture", line))
                furniture = True
            if i + 1 < n and i + 1 not in special:  # the next content line
                blanks[i + 1 - seen], pages[i + 1 - seen] = blank, furniture
                blank = furniture = False
    ends = [s[-1] in _END_CHARS for s in lines]
    # a mark of paragraphs is used often enough to be one: a paragraph every 20 lines at most
    often = max(3, len(lines) / 20)
    indented = sum(indents)
    indent_marks_paragraphs = often <= indented <= 0.4 * len(lines)
    # blank lines after a sentence's end: when there are enough of them they are the paragraph
    # breaks, and a short line at a sentence's end is not taken for one (rule 4 is off)
    blank_breaks = sum(1 for i in range(1, len(lines)) if blanks[i] and not pages[i] and ends[i - 1])
    blank_marks_paragraphs = blank_breaks >= often
    short_breaks = not (blank_marks_paragraphs or indent_marks_paragraphs)
    fits = 0.95 * width
    short = 0.6 * width

    # each line, preceded by what separates it from the previous one: a paragraph break, a
    # space, or nothing (a word hyphenated at the line's end: "zero-" + "sum")
    pieces = [lines[0]]
    for i in range(1, len(lines)):
        previous, current = lines[i - 1], lines[i]
        blank_before = blanks[i] and not pages[i]
        if _LIST_MARKER.match(current):
            new_paragraph = True
        elif ends[i - 1]:
            new_paragraph = (blank_before
                             or (indent_marks_paragraphs and indents[i])
                             or (short_breaks and len(previous) + 1 + len(current.split(None, 1)[0]) <= fits))
        else:
            new_paragraph = (blank_before and len(previous) < short
                             and current[:1].isupper() and not previous.endswith(","))
        if new_paragraph:
            pieces.append("\n\n")
        elif not (previous[-1] == "-" and len(previous) >= 2 and previous[-2].isalpha() and current[:1].isalnum()):
            pieces.append(" ")
        pieces.append(current)
    out = "".join(pieces)
    return out, out != text, removed
