"""Compiled passes over one-byte code arrays: the English counting path's inner loops.

Counting frames in English text reads each document's characters as one byte per
character (:func:`sco_discourse.text._folded_codes`: ASCII, or Latin-1 once typographic
quotes, dashes and spaces are normalised) and makes two passes over those bytes:

* :func:`match_bytes`: the match text (each byte through a 256-byte table, a run of spaces
  kept as its first space) with its offset map, and the scan bytes the automaton reads;
* :func:`class_counts`: the token and character counts, from each byte's class flags.

A text with characters beyond Latin-1 is first folded to one byte per character when
those characters are all typographic quotes, dashes and spaces (:func:`fold_wide`).

With numpy these are five to eight array passes per document (translations, comparisons,
shifts); compiled with `numba <https://numba.pydata.org>`_ each is one loop, and counting
is about twice as fast (``benchmarks/bench_frames.py``). numba is a dependency where it
has wheels; without it (with ``SCO_DISCOURSE_JIT=0`` in the environment, or inside
``with numpy_passes():``) :func:`kernels` returns None and the callers take their numpy path, which gives the same values (the tests
run both on real speeches and on generated text). The first call in a process compiles the
loops or loads them from numba's cache (``__pycache__`` beside this file, or the user's
cache directory when that is read-only).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

__all__ = ["kernels", "numpy_passes", "fold_wide", "match_bytes", "class_counts"]

#: Set to "0" to count with the numpy passes instead of the compiled ones.
ENV_SWITCH = "SCO_DISCOURSE_JIT"


def _match_bytes(codes, match_table, scan_table):
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


def _class_counts(codes, class_table):
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
    return n_word, runs, joiners, underscores


def _fold_wide(wide, table):
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


_numpy_only = False


@contextmanager
def numpy_passes() -> Iterator[None]:
    """Within the block, count with the numpy passes instead of the compiled loops (the
    benchmark's comparison, and the tests that check both give the same values).

    Examples
    --------
    >>> with numpy_passes():
    ...     kernels() is None
    True
    """
    global _numpy_only
    before, _numpy_only = _numpy_only, True
    try:
        yield
    finally:
        _numpy_only = before


def kernels():
    """The compiled loops (``fold_wide``, ``match_bytes``, ``class_counts``), or None without
    numba, with ``SCO_DISCOURSE_JIT=0`` or inside :func:`numpy_passes`."""
    return None if _numpy_only else _compiled()


@lru_cache(maxsize=1)
def _compiled():
    if os.environ.get(ENV_SWITCH, "1").strip() == "0":
        return None
    try:
        import numba
    except ImportError:
        return None
    except Exception as exc:   # an install numba cannot load with (e.g. llvmlite of another version)
        warnings.warn(f"numba could not be loaded ({exc}); counting with numpy instead", RuntimeWarning,
                      stacklevel=2)
        return None
    def compile_(function):
        try:
            return numba.njit(cache=True, nogil=True, boundscheck=False)(function)
        except RuntimeError:   # no writable cache location: compile in every process
            return numba.njit(nogil=True, boundscheck=False)(function)

    return SimpleNamespace(fold_wide=compile_(_fold_wide), match_bytes=compile_(_match_bytes),
                           class_counts=compile_(_class_counts))


def fold_wide(wide, table):
    """Two-byte codes as one byte per character, compiled: the uint8 array, or None when a
    character has no one-byte form; raises LookupError without numba.

    ``wide``: a uint16 array of code points; ``table``: a uint16 array of 65,536 entries,
    each code point's byte, above 255 where it has none (:func:`sco_discourse.text._fold_table`).
    A byte-order mark (U+FEFF) that opens the text becomes 0x01. The codec path is
    :func:`sco_discourse.text._folded_codes`.

    Examples
    --------
    >>> import numpy as np
    >>> table = np.full(0x10000, 0xFFFF, np.uint16); table[:256] = np.arange(256); table[0x2019] = 39
    >>> wide = lambda text: np.frombuffer(text.encode("utf-16-le"), np.uint16)
    >>> bytes(fold_wide(wide("\ufeffit\u2019s caf\u00e9"), table)), fold_wide(wide("\u010d"), table)
    (b"\\x01it's caf\\xe9", None)
    """
    compiled = kernels()
    if compiled is None:
        raise LookupError("fold_wide needs numba")
    out, complete = compiled.fold_wide(wide, table)
    return out if complete else None


def match_bytes(codes, match_table: bytes, scan_table: bytes) -> tuple[bytes, bytes, list[int], list[int]] | None:
    """The match text of one-byte codes and its scan bytes, compiled; None without numba.

    ``codes``: a uint8 array; ``match_table``: each byte's match character; ``scan_table``:
    each match character's scan byte. Returns ``(match, scan, break_at, shift)``: the
    translated bytes with every run of spaces kept as its first, the scan bytes of those
    with one space in front, and the offset map of
    :func:`sco_discourse.frames.matcher.match_text` (the numpy path is
    :func:`sco_discourse.frames.matcher._collapse_bytes`).

    Examples
    --------
    >>> import numpy as np
    >>> table = bytes(range(256)).replace(b"-", b" ")
    >>> scan = bytes(c if chr(c).isalnum() else 32 for c in range(256))
    >>> out = match_bytes(np.frombuffer(b"a-b  c", np.uint8), table, scan)
    >>> out is None or out == (b"a b c", b" a b c", [0, 4], [0, 1])
    True
    """
    compiled = kernels()
    if compiled is None:
        return None
    out, scan, breaks, shifts = compiled.match_bytes(codes, _table(match_table), _table(scan_table))
    return out.tobytes(), scan.tobytes(), breaks.tolist(), shifts.tolist()


def class_counts(codes, class_table: bytes) -> tuple[int, int, int, int] | None:
    """Counts over the class flags of one-byte codes, compiled; None without numba.

    ``class_table`` gives each byte's flags (:func:`sco_discourse.text._byte_classes`: 1 a
    word character, 2 a digit, 4 a hyphen or apostrophe, 8 a "." or ","). Returns
    ``(word characters, runs of word characters, joiners, underscores)``, where a joiner
    is a character flagged 4 between two word characters or flagged 8 between two digits.

    Examples
    --------
    >>> import numpy as np
    >>> table = bytes((1 if chr(c).isalnum() or c == 95 else 0) | (2 if chr(c).isdigit() else 0)
    ...               | (4 if chr(c) in "-'" else 0) | (8 if chr(c) in ".," else 0) for c in range(256))
    >>> out = class_counts(np.frombuffer(b"win-win, 3.5 a_b", np.uint8), table)
    >>> out is None or out == (11, 5, 2, 1)
    True
    """
    compiled = kernels()
    if compiled is None:
        return None
    return tuple(int(v) for v in compiled.class_counts(codes, _table(class_table)))


def _table(table: bytes):
    return np.frombuffer(table, np.uint8)
