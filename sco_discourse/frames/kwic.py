"""Keyword in context: the evidence behind every count.

One extractor (:func:`kwic_context`) and one renderer (:func:`format_kwic`) serve every
KWIC line of the package: :func:`kwic` tables, the command line and the disagreements of
frame validation.
"""

from __future__ import annotations

import re
from collections import deque

import pandas as pd

from ..errors import InputError
from ..lexicons.schema import canonical_phrase
from ..provenance import corpus_attrs
from ..text import normalize
from .matcher import Matcher, MetaColumns, lexicon_attrs, map_documents, match_text, to_original

__all__ = ["kwic", "KWIC_COLUMNS", "format_kwic", "kwic_context"]

#: Columns of a KWIC table; the metadata columns asked for follow ``doc_id``.
KWIC_COLUMNS = ["doc_id", "left", "match", "right", "start", "end", "frame", "variant"]
_WS = re.compile(r"\s")


def _flat(text: str) -> str:
    """White space (line breaks included) as single spaces, keeping the length."""
    return _WS.sub(" ", text)


def kwic_context(text: str, start: int, end: int, window: int) -> tuple[str, str, str]:
    """``(left, match, right)`` of ``text[start:end]`` with ``window`` characters each side.

    White space (line breaks included) is shown as single spaces, one character for one,
    so ``len(left) == window`` wherever the text is long enough and ``match`` has the
    length of the span.

    Examples
    --------
    >>> kwic_context("We build a community of\\nhealth for all.", 11, 30, 6)
    ('ild a ', 'community of health', ' for a')
    """
    return (_flat(text[max(0, start - window):start]), _flat(text[start:end]), _flat(text[end:end + window]))


def _phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of a phrase, matched like a lexicon phrase (in Chinese: on
    word boundaries of the segmented text)."""
    from ..zh import has_han

    if has_han(phrase):
        from .matcher_zh import phrase_spans_zh

        return phrase_spans_zh(text, phrase)
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
    doc_id, text, year = item
    rows = []
    if matcher is not None:
        for start, end, f, v in matcher._spans(text, None, year):
            if (frame is None or f == frame) and (variant is None or v == variant):
                rows.append((doc_id, *kwic_context(text, start, end, window), start, end, f, v))
    elif regex is not None:
        for m in regex.finditer(normalize(text)):
            if m.end() > m.start():
                rows.append((doc_id, *kwic_context(text, m.start(), m.end(), window), m.start(), m.end(), "", ""))
    else:
        for start, end in _phrase_spans(text, phrase):
            rows.append((doc_id, *kwic_context(text, start, end, window), start, end, "", ""))
    return rows


def kwic(corpus, *, matcher: Matcher | None = None, frame: str | None = None, variant: str | None = None,
         pattern: str | None = None, regex: bool = False, window: int = 60, columns=None, n_jobs: int = 1,
         progress: bool = False, dedupe=None) -> pd.DataFrame:
    """Keyword-in-context lines for a frame, a variant, or a free pattern.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
        KWIC lines need the text, so they read the corpus.
    matcher : Matcher, optional
        The compiled lexicon that finds frame mentions (default: ``Matcher()``, the
        packaged codebook); not used for a ``pattern``.
    frame, variant : str, optional
        Mentions of this frame (and variant) as found by the matcher; with neither and no
        ``pattern``, every mention of every frame.
    pattern : str, optional
        A phrase, matched like a lexicon phrase (any case, hyphen = space, line breaks,
        whole words), e.g. ``"community of health"``; with ``regex=True`` a Python
        regular expression applied case-insensitively to the normalised text.
    window : int, default 60
        Characters of context on each side.
    columns : list of str, True or None
        Metadata columns of the documents table to include after ``doc_id``, e.g.
        ``["iso3", "year"]`` (a :class:`~sco_discourse.groups.Group` gives a custom group
        column); ``True``: every metadata column; None: none.
    n_jobs : int, default 1
        Worker processes (-1: all cores); results do not depend on it.
    progress : bool, default False
    dedupe : None, "first", "weight" or dict, optional
        Read each cluster of exact or near-duplicate documents once
        (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`): "first" keeps the earliest
        copy of each; "weight" keeps every copy with weight 1/cluster size (add it to the
        lines with ``columns=["dedupe_weight"]``); a dict also sets the threshold
        (``{"keep": "first", "threshold": 0.9}``). ``attrs["deduplicated"]`` records what
        was left out or weighted.

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, the ``columns`` asked for, ``left, match, right, start, end, frame,
        variant``: one row per occurrence; ``start``/``end`` are offsets into
        ``Document.text``; white space in ``left``/``match``/``right`` is shown as single
        spaces (:func:`kwic_context`); ``frame``/``variant`` are "" for a free pattern.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([Document("d1", "We build a community of\\nhealth for all.",
    ...                                          meta={"outlet": "X"})])
    >>> kwic(corpus, frame="four_communities", window=10, columns=["outlet"])[["outlet", "left", "match", "variant"]]
      outlet        left                        match variant
    0      X  e build a   community of health for all  health
    >>> kwic(corpus, pattern="Community  of health", window=5)[["match", "start"]]
                     match  start
    0  community of health     11
    """
    if pattern is not None and (frame is not None or variant is not None):
        raise InputError("kwic: give either a frame/variant or a pattern, not both")
    if window < 0:
        raise InputError(f"kwic: window must be 0 or more characters, not {window}")
    from ..corpus.duplicates import apply_dedupe

    corpus = apply_dedupe(corpus, dedupe, where="kwic")
    compiled = phrase = None
    attrs: dict = {}
    meta = MetaColumns(columns, where=getattr(corpus, "name", "corpus"))
    if pattern is None:
        matcher = matcher if matcher is not None else Matcher()
        if not isinstance(matcher, Matcher):
            raise InputError(f"kwic: matcher must be a Matcher (Matcher(lexicon)), got {type(matcher).__name__}")
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
        matcher = None
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise InputError(f"kwic: pattern {pattern!r} is not a valid regular expression: {exc}") from None
    else:
        matcher = None
        phrase = canonical_phrase(pattern)
        if not phrase:
            raise InputError(f"kwic: pattern {pattern!r} has no words")
    state = (matcher, frame, variant, phrase, compiled, window)
    pending: deque = deque()

    def items():
        for doc in corpus:
            pending.append(meta.record(doc))
            yield doc.doc_id, doc.text, doc.year

    rows: list[tuple] = []
    row_records: list = []
    for found in map_documents(_kwic_item, items(), state, n_jobs=n_jobs, progress=progress,
                               total=getattr(corpus, "_length", None), desc="kwic"):
        record = pending.popleft()
        rows.extend(found)
        row_records.extend([record] * len(found))
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    out = meta.insert(out.astype({"start": "int64", "end": "int64"}), row_records)
    out.attrs.update(attrs)
    out.attrs.update(corpus_attrs(corpus))
    return out


def format_kwic(table: pd.DataFrame, *, window: int | None = None, label: str = "doc_id",
                note: str | None = None) -> list[str]:
    """Aligned text lines for a KWIC table: ``LABEL  left[match]right``, the opening
    brackets in one column.

    Parameters
    ----------
    table : pandas.DataFrame
        With ``left``, ``match``, ``right`` and the ``label`` column (e.g. from :func:`kwic`).
    window : int, optional
        Characters of left context shown (default: the longest left context).
    label : str, default "doc_id"
        The column that heads each line (padded to one width).
    note : str, optional
        A column appended in parentheses where it is not empty.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["d1", "doc2"], "left": ["a ", ""], "match": ["win-win", "Win-win"],
    ...                   "right": [" deal", " now"]})
    >>> format_kwic(t)
    ['d1    a [win-win] deal', 'doc2    [Win-win] now']
    """
    if table.empty:
        return []
    width_left = window if window is not None else int(table["left"].str.len().max())
    labels = table[label].astype(str)
    width_label = int(labels.str.len().max())
    notes = table[note].fillna("").astype(str) if note else [""] * len(table)
    lines = []
    for head, left, match, right, extra in zip(labels, table["left"], table["match"], table["right"], notes):
        line = f"{head:<{width_label}}  {left[-width_left:] if width_left else '':>{width_left}}[{match}]{right}"
        lines.append(line.rstrip() + (f"   ({extra})" if extra else ""))
    return lines
