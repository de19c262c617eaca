"""The English counting path's loops, compiled with numba; called
through :func:`sco_discourse._kernels.kernels` only (never without numba).

:func:`english_text` reads a text's characters as Python stores them (one byte per
character up to U+00FF, two up to U+FFFF: numba's string type exposes that buffer, read in
place, never copied) and makes, per document:

* the fold to one byte per character (:func:`_fold_wide`): a character beyond Latin-1 as
  its ASCII normalisation where it is a typographic quote, dash or space, a byte-order mark
  that opens the text as 0x01; any other such character stops the loop (status 1: the
  caller takes the two-byte numpy path);
* the match text and its scan bytes (:func:`_match_bytes`): each byte through a 256-byte
  table, a run of spaces kept as its first space, with the offset map of
  :func:`sco_discourse.frames.matcher.match_text`;
* the token and character counts (:func:`_class_counts`), from each byte's class flags.

The numpy passes they replace, and which give the same values, are
:func:`sco_discourse.text._folded_codes`, :func:`sco_discourse.frames.matcher._prepare`
and :func:`sco_discourse.text._counts_from_codes`.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except Exception:   # without numba this module is never called (_kernels.kernels() is None)
    numba = None

from ._kernels import jit

__all__ = ["english_text", "han_in_text"]


@jit
def _fold_wide(wide, table):
    """``(bytes, True)``: two-byte codes as one byte each by ``table`` (a code point's
    byte, above 255 where it has none); ``(partial, False)`` at the first without one."""
    n = wide.shape[0]
    out = np.empty(n, np.uint8)
    for i in range(n):
        code = table[wide[i]]
        if code > 255:
            if i == 0 and wide[0] == 0xFEFF:
                code = 1    # a byte-order mark that opens the text (text._BOM_STANDIN)
            else:
                return out, False
        out[i] = code
    return out, True


@jit
def _match_bytes(codes, match_table, scan_table):
    """The match bytes, the scan bytes (a space in front) and the offset map."""
    n = codes.shape[0]
    out = np.empty(n, np.uint8)
    scan = np.empty(n + 1, np.uint8)
    scan[0] = 32
    # a break per run of two or more spaces: at most one per two characters, plus the first
    breaks = np.empty(n // 2 + 2, np.int64)
    shifts = np.empty(n // 2 + 2, np.int64)
    breaks[0] = 0
    shifts[0] = 0
    n_breaks = 1
    m = 0
    previous_space = 0
    previous_dropped = 0
    for i in range(n):
        ch = match_table[codes[i]]
        space = np.int64(ch == 32)
        dropped = space & previous_space   # a space after a space
        if previous_dropped > dropped:     # a run of spaces ended before this character
            breaks[n_breaks] = m
            shifts[n_breaks] = i - m
            n_breaks += 1
        out[m] = ch                        # written always, kept when m moves on
        scan[m + 1] = scan_table[ch]
        m += 1 - dropped
        previous_space = space
        previous_dropped = dropped
    if previous_dropped:
        breaks[n_breaks] = m
        shifts[n_breaks] = n - m
        n_breaks += 1
    return out[:m], scan[:m + 1], breaks[:n_breaks], shifts[:n_breaks]


@jit
def _class_counts(codes, class_table):
    """``(tokens, characters)``: runs of word characters less the joiners (a character
    flagged 4 between two word characters, or 8 between two digits), and word characters
    less underscores."""
    n_word = 0
    runs = 0
    joiners = 0
    underscores = 0
    before = 0     # flags of the previous character
    before2 = 0    # and of the one before it
    for i in range(codes.shape[0]):
        c = codes[i]
        flags = np.int64(class_table[c])
        word = flags & 1
        n_word += word
        runs += word & ~before & 1                      # a word character after a non-word one
        joiners += ((before >> 2) & before2 & flags) != 0
        underscores += c == 95
        before2 = before
        before = flags
    return runs - joiners, n_word - underscores


@jit
def _passes(codes, table, match_tables, scan_table, class_tables, counts):
    match, scan, breaks, shifts = _match_bytes(codes, match_tables[table], scan_table)
    tokens = characters = 0
    if counts:
        tokens, characters = _class_counts(codes, class_tables[table])
    return 0, match, scan, breaks, shifts, tokens, characters


@jit
def english_text(text, fold_table, match_tables, scan_table, class_tables, counts):
    """``(status, match, scan, break_at, shift, tokens, characters)`` of a str; status 0,
    or 1 for a character with no one-byte form, 2 for one beyond U+FFFF (the rest is then
    empty). Row 0 of the two tables is read for ASCII text, row 1 for other text."""
    n = len(text)
    if text._kind == 1:
        return _passes(numba.carray(text._data, (n,), np.uint8), 0 if text._is_ascii else 1,
                       match_tables, scan_table, class_tables, counts)
    if text._kind == 2:
        folded, complete = _fold_wide(numba.carray(text._data, (n,), np.uint16), fold_table)
        if complete:
            return _passes(folded, 1, match_tables, scan_table, class_tables, counts)
    empty = np.empty(0, np.uint8)
    none = np.empty(0, np.int64)
    return (1 if text._kind == 2 else 2), empty, empty, none, none, 0, 0


@jit
def han_in_text(text, han_table):
    """Whether a str has a character of ``han_table`` (bool, one per BMP code point); -1
    for a text beyond U+FFFF. One byte per character: none (the first Chinese character
    of the table is U+3007)."""
    if text._kind == 1:
        return 0
    if text._kind != 2:
        return -1
    codes = numba.carray(text._data, (len(text),), np.uint16)
    for i in range(codes.shape[0]):
        if han_table[codes[i]]:
            return 1
    return 0
