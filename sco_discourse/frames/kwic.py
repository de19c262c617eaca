"""Keyword in context: the evidence behind every count."""

from __future__ import annotations

import re

import pandas as pd

from ..errors import InputError
from ..lexicons.schema import Lexicon, canonical_phrase
from ..provenance import corpus_attrs
from ..text import normalize
from .matcher import Matcher, lexicon_attrs, map_documents, match_text, to_original

__all__ = ["kwic", "KWIC_COLUMNS", "format_kwic"]

KWIC_COLUMNS = ["doc_id", "year", "left", "match", "right", "start", "end", "frame", "variant"]
_WS = re.compile(r"\s")


def _flat(text: str) -> str:
    """White space (line breaks included) as single spaces, keeping the length."""
    return _WS.sub(" ", text)


def _context(text: str, start: int, end: int, window: int) -> tuple[str, str, str]:
    return (_flat(text[max(0, start - window):start]), _flat(text[start:end]), _flat(text[end:end + window]))


def _phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of a phrase, matched like a lexicon phrase."""
    compact, break_at, shift = match_text(text)
    n = len(compact)
    spans = []
    pos = compact.find(phrase)
    while pos != -1:
        end = pos + len(phrase)
        if not ((pos > 0 and (compact[pos - 1].isalnum() or compact[pos - 1] == "_"))
                or (end < n and (compact[end].isalnum() or compact[end] == "_"))):
            spans.append((to_original(pos, break_at, shift), to_original(end - 1, break_at, shift) + 1))
            pos = compact.find(phrase, end)
        else:
            pos = compact.find(phrase, pos + 1)
    return spans


def _kwic_item(state, item):
    matcher, frame, variant, phrase, regex, window = state
    doc_id, year, text = item
    rows = []
    if matcher is not None:
        for start, end, f, v in matcher.find(text):
            if (frame is None or f == frame) and (variant is None or v == variant):
                rows.append((doc_id, year, *_context(text, start, end, window), start, end, f, v))
    elif regex is not None:
        for m in regex.finditer(normalize(text)):
            if m.end() > m.start():
                rows.append((doc_id, year, *_context(text, m.start(), m.end(), window), m.start(), m.end(), "", ""))
    else:
        for start, end in _phrase_spans(text, phrase):
            rows.append((doc_id, year, *_context(text, start, end, window), start, end, "", ""))
    return rows


def kwic(corpus, *, frame: str | None = None, variant: str | None = None, pattern: str | None = None,
         regex: bool = False, window: int = 60, lexicon: Lexicon | str | None = None, n_jobs: int = 1,
         progress: bool = False) -> pd.DataFrame:
    """Keyword-in-context lines for a frame, a variant, or a free pattern.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    frame, variant : str, optional
        Mentions of this frame (and variant) as found by the matcher; with neither and no
        ``pattern``, every mention of every frame.
    pattern : str, optional
        A phrase, matched like a lexicon phrase (any case, hyphen = space, line breaks,
        whole words), e.g. ``"community of health"``; with ``regex=True`` a Python
        regular expression applied case-insensitively to the normalised text.
    window : int, default 60
        Characters of context on each side.
    lexicon : Lexicon or path, optional
    n_jobs, progress
        As in :func:`frame_counts`.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, year, left, match, right, start, end, frame, variant``: one row per
        occurrence; ``start``/``end`` are offsets into ``Document.text``; white space in
        ``left``/``match``/``right`` is shown as single spaces (line breaks flattened);
        ``frame``/``variant`` are "" for a free pattern.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([Document("d1", "We build a community of\\nhealth for all.")])
    >>> kwic(corpus, frame="four_communities", window=10)[["left", "match", "right", "variant"]]
             left                        match right variant
    0  e build a   community of health for all     .  health
    >>> kwic(corpus, pattern="Community  of health", window=5)[["match", "start"]]
                     match  start
    0  community of health     11
    """
    if pattern is not None and (frame is not None or variant is not None):
        raise InputError("kwic: give either a frame/variant or a pattern, not both")
    if window < 0:
        raise InputError(f"kwic: window must be 0 or more characters, not {window}")
    matcher = compiled = phrase = None
    attrs: dict = {}
    if pattern is None:
        matcher = Matcher(lexicon)
        attrs = lexicon_attrs(matcher.lexicon)
        if frame is not None and frame not in matcher.lexicon.frames:
            raise InputError(f"kwic: unknown frame {frame!r}; frames of {matcher.lexicon.label}: "
                             f"{', '.join(matcher.lexicon.frames)}")
        if variant is not None:
            known = {v for f in matcher.lexicon.frames.values() if frame in (None, f.id) for v in f.variants}
            if variant not in known:
                raise InputError(f"kwic: unknown variant {variant!r}" + (f" of frame {frame!r}" if frame else "")
                                 + f"; variants: {', '.join(sorted(known)) or '(none)'}")
    elif regex:
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise InputError(f"kwic: pattern {pattern!r} is not a valid regular expression: {exc}") from None
    else:
        phrase = canonical_phrase(pattern)
        if not phrase:
            raise InputError(f"kwic: pattern {pattern!r} has no words")
    state = (matcher, frame, variant, phrase, compiled, window)
    items = ((doc.doc_id, doc.year, doc.text) for doc in corpus)
    rows = []
    for found in map_documents(_kwic_item, items, state, n_jobs=n_jobs, progress=progress,
                               total=getattr(corpus, "_length", None), desc="kwic"):
        rows.extend(found)
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    out = out.astype({"start": "int64", "end": "int64"})
    out["year"] = out["year"].astype("Int64")
    out.attrs.update(attrs)
    out.attrs.update(corpus_attrs(corpus))
    return out


def format_kwic(table: pd.DataFrame, *, window: int | None = None) -> list[str]:
    """Aligned text lines for a KWIC table: ``doc_id  left [match] right``.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["d1"], "left": ["a "], "match": ["win-win"], "right": [" deal"]})
    >>> format_kwic(t)
    ['d1  a [win-win] deal']
    """
    if table.empty:
        return []
    width_left = window if window is not None else int(table["left"].str.len().max())
    width_id = int(table["doc_id"].astype(str).str.len().max())
    lines = []
    for row in table.itertuples(index=False):
        lines.append(f"{str(row.doc_id):<{width_id}}  {row.left[-width_left:]:>{width_left}}[{row.match}]"
                     f"{row.right}".rstrip())
    return lines
