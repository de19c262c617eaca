"""Loops compiled with numba, and the switch between them and the numpy/Python code.

A few passes over every character of every document dominate loading and counting a
large English corpus: folding typographic characters to one byte per character, building
the match text and the scan bytes the automaton reads, counting tokens and characters,
and telling whether a text has Chinese characters. With numpy these are five to eight
array passes per document (and a copy of the text to an array); compiled with `numba
<https://numba.pydata.org>`_ each is one loop over the characters as Python stores them
(:mod:`sco_discourse._english_kernel`), and counting is about 1.3 times as fast
(``benchmarks/bench_frames.py`` shows both in one run). Re-flowing hard-wrapped text at
load time is one compiled loop over the characters too (:mod:`sco_discourse._reflow_kernel`),
whose reference is the Python code of :mod:`sco_discourse.corpus.reflow`.

numba is a dependency on the platforms it has wheels for (CPython on x86-64 and 64-bit
ARM). Without it, with ``SCO_DISCOURSE_JIT=0`` in the
environment or inside ``with numpy_passes():``, :func:`kernels` is None and every caller
takes its numpy or Python path, which stays the reference: the tests check both give the
same values on real speeches, the seeds and generated text. The first call in a process
compiles the loops or loads them from numba's cache (``__pycache__`` beside the package's
files, or the user's cache directory when that is read-only).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace

__all__ = ["kernels", "numpy_passes", "english_passes", "may_have_han", "ENV_SWITCH"]

#: Set to "0" to run the numpy/Python passes instead of the compiled loops.
ENV_SWITCH = "SCO_DISCOURSE_JIT"

_numpy_only = False


@contextmanager
def numpy_passes() -> Iterator[None]:
    """Within the block, run the numpy/Python passes instead of the compiled loops (the
    benchmark's comparison, and the tests that check both give the same values). It
    switches this process only: worker processes (``n_jobs`` > 1) keep the compiled loops,
    unless ``SCO_DISCOURSE_JIT=0`` is set in the environment before they start.

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
    """The compiled loops (a namespace of the kernel modules), or None without numba (or
    with ``NUMBA_DISABLE_JIT=1``), with ``SCO_DISCOURSE_JIT=0``, inside
    :func:`numpy_passes`, or once numba failed to compile one (:func:`run`). The
    environment is read at the first call of a process."""
    return None if _numpy_only or _failed else _compiled()


_failed = False


def run(loop, *args):
    """``loop(*args)``, or None when numba cannot compile it: the loops read the fields of
    numba's string type (``_kind``, ``_data``), which a numba release could rename. A
    warning then says so once, and :func:`kernels` is None from then on: every caller takes
    its numpy or Python path, which gives the same values."""
    global _failed
    try:
        return loop(*args)
    except Exception as exc:
        import numba

        if not isinstance(exc, numba.core.errors.NumbaError):
            raise
        _failed = True
        warnings.warn(f"numba could not compile {getattr(loop, '__name__', 'a loop')} ({type(exc).__name__}); "
                      "counting and re-flowing with the numpy and Python code instead", RuntimeWarning,
                      stacklevel=3)
        return None


@lru_cache(maxsize=1)
def _compiled():
    if os.environ.get(ENV_SWITCH, "1").strip() == "0":
        return None
    try:
        import numba
    except ModuleNotFoundError as exc:
        if exc.name != "numba":   # numba is there, a module it needs is not
            _cannot_load(exc)
        return None
    except Exception as exc:   # e.g. numba refusing a numpy or llvmlite of another version
        _cannot_load(exc)
        return None
    if numba.config.DISABLE_JIT:   # NUMBA_DISABLE_JIT=1: the loops would run as Python, on str
        return None
    from . import _english_kernel, _reflow_kernel

    return SimpleNamespace(english=_english_kernel, reflow=_reflow_kernel)


def _cannot_load(exc: Exception) -> None:
    warnings.warn(f"numba is installed but could not be loaded ({exc}); counting and re-flowing with the "
                  "numpy and Python code instead (the same values, slower)", RuntimeWarning, stacklevel=4)


def jit(function):
    """``function`` compiled by numba (no Python objects, the GIL released, cached on
    disk); for the kernel modules. Without numba ``function`` as it is, which is then never
    called (:func:`kernels` is None): the modules still import, for their doctests."""
    try:
        import numba
    except Exception:
        return function

    try:
        return numba.njit(cache=True, nogil=True, boundscheck=False)(function)
    except RuntimeError:   # no writable cache location: compile in every process
        return numba.njit(nogil=True, boundscheck=False)(function)


@lru_cache(maxsize=1)
def _english_tables():
    """The tables :func:`english_passes` reads: the fold of each BMP code point, the match
    character of each byte (for ASCII text, for other text), the scan byte of each match
    character, and the class flags of each byte (for ASCII text, for other text)."""
    import numpy as np

    from .frames.matcher import _match_tables
    from .text import _byte_classes, _fold_table

    _, _, ascii_match, other_match, scan = _match_tables()
    ascii_classes, other_classes = _byte_classes()

    def rows(*tables):
        return np.stack([np.frombuffer(t, dtype=np.uint8) for t in tables])

    return _fold_table(), rows(ascii_match, other_match), rows(scan)[0], rows(ascii_classes, other_classes)


def english_passes(text: str, *, counts: bool = True):
    """The match text of an English text, its scan bytes and offset map, and its token
    and character counts, in one compiled call; None without the compiled loops, or for
    a text with a character beyond Latin-1 other than typographic quotes, dashes and
    spaces (the caller then takes the numpy path).

    Returns ``((match text, scan bytes, break_at, shift), (tokens, characters))``: what
    :func:`sco_discourse.frames.matcher._prepare` and
    :func:`sco_discourse.text._counts_from_codes` give; with ``counts=False`` the counts
    are ``(0, 0)``.

    Examples
    --------
    >>> out = english_passes("Win\\u2013win  cooperation.")
    >>> out is None or out == (("win win cooperation.", b" win win cooperation ", [0, 8], [0, 1]), (2, 17))
    True
    """
    compiled = kernels()
    if compiled is None:
        return None
    out = run(compiled.english.english_text, text, *_english_tables(), counts)
    if out is None or out[0]:
        return None
    _, match, scan, breaks, shifts, tokens, characters = out
    compact = match.tobytes().decode("latin-1")
    if text[:1] == "\ufeff":   # the match text keeps the byte-order mark, folded to 0x01
        compact = "\ufeff" + compact[1:]
    return (compact, scan.tobytes(), breaks.tolist(), shifts.tolist()), (int(tokens), int(characters))


def may_have_han(text: str, han_table) -> bool | None:
    """Whether ``text`` has a character of ``han_table`` (bool, one per BMP code point:
    :func:`sco_discourse.language._han_table`), in one compiled pass over its characters
    as stored; None without the compiled loops or for a text beyond U+FFFF (the caller
    decides then).

    Examples
    --------
    >>> from sco_discourse.language import _han_table
    >>> table = _han_table()
    >>> may_have_han("caf\\u00e9", table) in (False, None), may_have_han("\\u4e2d\\u56fd", table) in (True, None)
    (True, True)
    """
    compiled = kernels()
    if compiled is None:
        return None
    found = run(compiled.english.han_in_text, text, han_table)
    return None if found is None or found < 0 else bool(found)
