"""The compiled re-flowing of hard-wrapped text: one loop over the text's characters;
called through :func:`sco_discourse._kernels.kernels` only (never without numba).

:func:`sco_discourse.corpus.reflow._reflow_python` splits a text into lines, strips them,
finds the blank and page-number lines, decides from the line statistics whether the text
is wrapped and, when it is, joins the lines of each paragraph. :func:`reflow_text` does
the same in one compiled function over the characters of the text as Python stores them
(one byte per character up to U+00FF, two up to U+FFFF: numba's string type exposes the
buffer, which is read in place, never copied) and builds the re-flowed text as an array
of the same width, decoded once. A text with a character beyond U+FFFF is left to the
Python code, which stays the reference and the fallback (without numba, with
``SCO_DISCOURSE_JIT=0`` or inside :func:`sco_discourse._kernels.numpy_passes`); the tests
check that both give the same text, verdict and removed lines.

Character classes come from :func:`char_classes`, one flag word per code point up to
U+FFFF, read from Python's own string methods and regular expressions, so that
``str.strip``, ``str.split``, ``str.isalpha`` and the patterns' ``\\s`` and ``\\d`` keep
their meaning.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

try:
    import numba
except Exception:   # without numba this module is never called (_kernels.kernels() is None)
    numba = None

from ._kernels import jit, run
from .corpus import reflow
# reflow's thresholds, read by the loop as constants
from .corpus.reflow import _FURNITURE_MAX as FURNITURE_MAX
from .corpus.reflow import MIN_CONTINUATION_SHARE, MIN_FULL_SHARE, MIN_LINES

__all__ = ["char_classes", "reflow_text"]

# flags of :func:`char_classes`
SPACE = 1          # str.isspace: what str.strip and str.split take away
RE_DIGIT = 2       # the patterns' \d
ISDIGIT = 4        # str.isdigit
ISALPHA = 8        # str.isalpha
ISALNUM = 16       # str.isalnum
ISUPPER = 32       # str.isupper
END = 64           # a character that ends a sentence (reflow._END_CHARS)
FURNITURE = 128    # a character of a page-number line (reflow._PAGE_FURNITURE's class)
RE_SPACE = 256     # the list marker's white space, [^\S\n]
ISDECIMAL = 512    # str.isdecimal
FURNITURE_START = 1024   # reflow._FURNITURE_PUNCTUATION
BULLET = 2048      # the bullets of reflow._LIST_MARKER
ROMAN = 4096       # [ivxIVX]
ASCII_LETTER = 8192   # [a-zA-Z]
INDENT = 16384     # reflow._INDENT



@lru_cache(maxsize=1)
def char_classes() -> np.ndarray:
    """The flags above for each of the 65,536 code points of the BMP (uint16), each read
    from the Python method or pattern :mod:`sco_discourse.corpus.reflow` uses."""
    chars = [chr(c) for c in range(0x10000)]
    every = "".join(chars)
    table = np.zeros(0x10000, dtype=np.uint16)

    def method(bit, test):
        table[np.fromiter(map(test, chars), dtype=bool, count=len(chars))] |= bit

    def pattern(bit, regex):   # the characters a one-character pattern matches
        table[[m.start() for m in re.finditer(regex, every)]] |= bit

    def members(bit, characters):
        table[[ord(c) for c in characters]] |= bit

    method(SPACE, str.isspace)
    method(ISDIGIT, str.isdigit)
    method(ISALPHA, str.isalpha)
    method(ISALNUM, str.isalnum)
    method(ISUPPER, str.isupper)
    method(ISDECIMAL, str.isdecimal)
    pattern(RE_DIGIT, r"\d")
    pattern(RE_SPACE, r"[^\S\n]")
    pattern(FURNITURE, reflow._PAGE_FURNITURE.pattern.replace("{1,24}", ""))
    pattern(BULLET, re.match(r"\(\?:(\[.*?\])\\s\|", reflow._LIST_MARKER.pattern).group(1))
    pattern(ROMAN, "[ivxIVX]")
    pattern(ASCII_LETTER, "[a-zA-Z]")
    members(END, reflow._END_CHARS)
    members(FURNITURE_START, reflow._FURNITURE_PUNCTUATION)
    members(INDENT, reflow._INDENT)
    return table


@jit
def _line_starts(codes):
    """Where each line of ``codes`` starts (0, then one past each "\\n"), plus an end mark
    one past the end: the words of 8 bytes that hold a "\\n" are found 8 bytes at a time
    (a "\\n" is a zero byte, or two, after an exclusive or with the "\\n"s; a zero lane
    sets its high bit after subtracting one from each lane)."""
    n = codes.shape[0]
    heads = np.empty(16 + n // 64, np.int64)
    heads[0] = 0
    k = 1
    per = 8 // codes.itemsize
    if codes.itemsize == 1:
        ones = np.uint64(0x0101010101010101)
    else:
        ones = np.uint64(0x0001000100010001)
    high = ones << np.uint64(8 * codes.itemsize - 1)
    newlines = ones * np.uint64(10)
    n_words = n // per
    words = codes[:n_words * per].view(np.uint64)
    for w in range(n_words + 1):
        if w < n_words:
            x = words[w] ^ newlines
            if not ((x - ones) & ~x & high):
                continue
            first, last = w * per, w * per + per
        else:
            first, last = n_words * per, n
        for i in range(first, last):
            if codes[i] == 10:
                if k + 1 >= heads.shape[0]:
                    grown = np.empty(2 * heads.shape[0], np.int64)
                    grown[:k] = heads[:k]
                    heads = grown
                heads[k] = i + 1
                k += 1
    heads[k] = n + 1
    return heads[:k + 1]


@jit
def _reflow_codes(codes, table, force):
    """The loop of :func:`reflow_text`: ``(status, out, spans)``, status 0 not re-flowed,
    1 re-flowed into the codes ``out``, 2 re-flowed into the text as it was; ``spans``
    the start and end of each page-number line removed."""
    n = codes.shape[0]
    no_spans = np.empty((0, 2), np.int64)
    nothing = np.empty(0, codes.dtype)   # not a view of ``codes``, which may be a str's buffer
    heads = _line_starts(codes)   # where each line starts as it stands
    n_lines = heads.shape[0] - 1
    if n_lines < MIN_LINES and not force:
        return 0, nothing, no_spans
    # each line stripped, then classed (reflow._special): kinds 0 a content line, 1 blank, 2 a
    # page-number line; the content lines' stripped spans, first characters and lengths
    starts = np.empty(n_lines, np.int64)
    ends = np.empty(n_lines, np.int64)
    kinds = np.zeros(n_lines, np.uint8)
    c_start = np.empty(n_lines, np.int64)
    c_end = np.empty(n_lines, np.int64)
    c_head = np.empty(n_lines, np.int64)
    n_content = 0
    n_ends = 0
    for j in range(n_lines):
        s = heads[j]
        e = heads[j + 1] - 1
        while s < e and (table[codes[s]] & SPACE) != 0:
            s += 1
        while e > s and (table[codes[e - 1]] & SPACE) != 0:
            e -= 1
        starts[j] = s
        ends[j] = e
        if s == e:
            kinds[j] = 1
            continue
        if e - s <= FURNITURE_MAX and (table[codes[s]] & (ISDECIMAL | FURNITURE_START)) != 0:
            furniture = True
            digit = False
            for k in range(s, e):
                flags = table[codes[k]]
                if not (flags & FURNITURE):
                    furniture = False
                    break
                if flags & ISDIGIT:
                    digit = True
            if furniture and digit:
                kinds[j] = 2
                continue
        c_start[n_content] = s
        c_end[n_content] = e
        c_head[n_content] = heads[j]
        n_content += 1
        if table[codes[e - 1]] & END:
            n_ends += 1
    if n_content == 0:
        return 0, nothing, no_spans
    continuation = (n_content - n_ends) / n_content
    if not force and (n_content < MIN_LINES or continuation < MIN_CONTINUATION_SHARE):
        return 0, nothing, no_spans
    c_start = c_start[:n_content]
    c_end = c_end[:n_content]
    c_head = c_head[:n_content]
    lengths = c_end - c_start
    # reflow._percentile_90: numpy's linear percentile, the same floating-point operations
    ordered = np.sort(lengths)
    virtual = (n_content - 1) * 0.9
    if virtual >= n_content - 1:
        width = float(ordered[n_content - 1])
    else:
        lower = int(np.floor(virtual))
        gamma = virtual - lower
        a = float(ordered[lower])
        b = float(ordered[lower + 1])
        diff = b - a
        width = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    limit = 0.6 * width
    below = 0
    for m in range(n_content):
        if lengths[m] < limit:
            below += 1
    full = (n_content - below) / n_content
    wrapped = n_content >= MIN_LINES and continuation >= MIN_CONTINUATION_SHARE and full >= MIN_FULL_SHARE
    if not (wrapped or force):
        return 0, nothing, no_spans
    # page-number lines removed, and the content lines after blank lines (not after page numbers)
    n_removed = 0
    for j in range(n_lines):
        if kinds[j] == 2:
            n_removed += 1
    spans = np.empty((n_removed, 2), np.int64)
    blank_before = np.zeros(n_content, np.bool_)
    seen = 0
    blank = False
    furniture = False
    r = 0
    for j in range(n_lines):
        if kinds[j] == 0:
            continue
        seen += 1
        if kinds[j] == 1:
            blank = True
        else:
            spans[r, 0] = starts[j]
            spans[r, 1] = ends[j]
            r += 1
            furniture = True
        if j + 1 < n_lines and kinds[j + 1] == 0:
            if blank and not furniture:
                blank_before[j + 1 - seen] = True
            blank = False
            furniture = False
    count = n_content
    often = count / 20
    if often < 3:
        often = 3.0
    indented = 0
    for m in range(count):
        if table[codes[c_head[m]]] & INDENT:
            indented += 1
    indent_marks_paragraphs = often <= indented and indented <= 0.4 * count
    blank_breaks = 0
    for m in range(1, count):
        if blank_before[m] and (table[codes[c_end[m - 1] - 1]] & END) != 0:
            blank_breaks += 1
    blank_marks_paragraphs = blank_breaks >= often
    short_breaks = not (blank_marks_paragraphs or indent_marks_paragraphs)
    fits = 0.95 * width
    short = 0.6 * width
    # 0 joined with a space, 1 a paragraph break, 2 joined without one (a hyphenated word)
    breaks = np.zeros(count, np.uint8)
    for m in range(1, count):   # rule 1: a list marker (reflow._LIST_MARKER, [^\S\n] for \s)
        p = c_start[m]
        e = c_end[m]
        c = table[codes[p]]
        q = p
        if c & BULLET:   # a bullet and white space
            if p + 1 < e and (table[codes[p + 1]] & RE_SPACE) != 0:
                breaks[m] = 1
            continue
        if codes[p] == 40:   # "(" if any, then 1-3 digits, a letter or 1-4 of ivxIVX
            q = p + 1
            if q >= e:
                continue
            c = table[codes[q]]
        k = q
        if c & RE_DIGIT:
            while k < e and k - q < 4 and (table[codes[k]] & RE_DIGIT) != 0:
                k += 1
            if k - q > 3:
                continue
        elif c & ASCII_LETTER:
            k = q + 1
            if not (k + 1 < e and (codes[k] == 46 or codes[k] == 41)) and (c & ROMAN) != 0:
                while k < e and k - q < 5 and (table[codes[k]] & ROMAN) != 0:
                    k += 1
                if k - q > 4:
                    continue
        else:
            continue
        # then "." or ")" and white space
        if k + 1 < e and (codes[k] == 46 or codes[k] == 41) and (table[codes[k + 1]] & RE_SPACE) != 0:
            breaks[m] = 1
    for m in range(1, count):   # rules 2-4 after a sentence's end
        previous = m - 1
        if breaks[m] == 1 or not (table[codes[c_end[previous] - 1]] & END):
            continue
        if blank_before[m] or (indent_marks_paragraphs and (table[codes[c_head[m]]] & INDENT) != 0):
            breaks[m] = 1
        elif short_breaks and lengths[previous] + 2 <= fits:
            k = c_start[m]
            while k < c_end[m] and not (table[codes[k]] & SPACE):
                k += 1
            if lengths[previous] + 1 + (k - c_start[m]) <= fits:
                breaks[m] = 1
    for m in range(1, count):   # rule 5: a heading or salutation
        if blank_before[m] and breaks[m] == 0 and not (table[codes[c_end[m - 1] - 1]] & END):
            if (lengths[m - 1] < short and (table[codes[c_start[m]]] & ISUPPER) != 0
                    and codes[c_end[m - 1] - 1] != 44):   # ","
                breaks[m] = 1
    for m in range(1, count):   # a word hyphenated at the line's end
        previous = m - 1
        if (breaks[m] == 0 and codes[c_end[previous] - 1] == 45 and lengths[previous] >= 2
                and (table[codes[c_end[previous] - 2]] & ISALPHA) != 0
                and (table[codes[c_start[m]]] & ISALNUM) != 0):
            breaks[m] = 2
    size = 0
    for m in range(count):
        size += lengths[m]
        if m:
            size += 1 if breaks[m] == 0 else (2 if breaks[m] == 1 else 0)
    out = np.empty(size, codes.dtype)
    o = 0
    for m in range(count):
        if m:
            if breaks[m] == 0:
                out[o] = 32
                o += 1
            elif breaks[m] == 1:
                out[o] = 10
                out[o + 1] = 10
                o += 2
        out[o:o + lengths[m]] = codes[c_start[m]:c_end[m]]
        o += lengths[m]
    same = size == n
    if same:
        for k in range(n):
            if out[k] != codes[k]:
                same = False
                break
    return (2 if same else 1), out, spans


@jit
def _reflow_text(text, table, force):
    """:func:`_reflow_codes` over the characters of the str ``text`` as they are stored
    (one or two bytes each: a view, no copy); status 3 for a text stored with four
    bytes per character (beyond the BMP)."""
    n = len(text)
    none8 = np.empty(0, np.uint8)
    none16 = np.empty(0, np.uint16)
    if text._kind == 1:
        status, out8, spans = _reflow_codes(numba.carray(text._data, (n,), np.uint8), table, force)
        return status, out8, none16, spans
    if text._kind == 2:
        status, out16, spans = _reflow_codes(numba.carray(text._data, (n,), np.uint16), table, force)
        return status, none8, out16, spans
    return 3, none8, none16, np.empty((0, 2), np.int64)


def reflow_text(text: str, force: bool) -> tuple[str, bool, list] | None:
    """``reflow._reflow(text, force=force)``, compiled; None for a text the loop does not
    take (a character beyond the BMP, or lone surrogates that would pair up in the
    re-flowed text), or when numba cannot compile the loop (:func:`sco_discourse._kernels.run`):
    the caller then takes the Python path."""
    out = run(_reflow_text, text, char_classes(), force)
    if out is None:
        return None
    status, out8, out16, spans = out
    if status == 0:
        return text, False, []
    if status == 3:
        return None
    removed = [(s, e, "page_furniture", text[s:e]) for s, e in spans.tolist()]
    if status == 2:
        return text, False, removed
    if out16.shape[0] == 0:
        result = out8.tobytes().decode("latin-1")
    else:
        result = out16.tobytes().decode("utf-16-le", "surrogatepass")
        if len(result) != out16.shape[0]:
            return None
    return result, True, removed
