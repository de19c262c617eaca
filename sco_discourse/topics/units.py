"""Modelling units: the pieces of text a topic model treats as "documents".

A topic model needs many units to estimate topic proportions. The embedded seed corpus
has eight articles, far too few to be documents of a topic model, so the default unit
is the **paragraph** (about 200 of them in the seed corpus): a line of the cleaned text,
as :func:`sco_discourse.text.paragraph_spans` defines it for the whole package. Whole documents
are the natural unit for large corpora of short texts; fixed-size token windows suit long
texts without paragraph breaks (transcripts, OCR).

Every unit keeps its document id, year and character span in ``Document.text``, so frame
mentions (which carry character offsets) can be placed in units and passages quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from ..errors import InputError
from ..text import count_tokens, paragraph_spans, tokenize

__all__ = ["UNIT_KINDS", "UNIT_COLUMNS", "make_units"]

#: The kinds of unit :func:`make_units` can make.
UNIT_KINDS = ("paragraph", "document", "window")

#: Columns of the unit table, in order (metadata ``fields`` follow them).
UNIT_COLUMNS = ["unit_id", "doc_id", "year", "start", "end", "n_tokens", "text"]

def make_units(corpus: Iterable, *, unit: str = "paragraph", window: int = 200, min_tokens: int = 10,
               fields: Sequence[str] = ()) -> pd.DataFrame:
    """Split a corpus into modelling units.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    unit : {"paragraph", "document", "window"}, default "paragraph"
        ``paragraph``: each non-blank line of the text (the cleaned texts keep one
        paragraph per line);
        ``document``: the whole text; ``window``: consecutive runs of ``window`` tokens.
    window : int, default 200
        Tokens per window (``unit="window"``); the last window of a document may be shorter.
    min_tokens : int, default 10
        A paragraph with fewer tokens (a headline, a dateline, "Photo: ...") is merged
        into the next paragraph of the same document (the last one into the previous),
        so no text is lost and mentions in headlines still fall in a unit. Applies to
        paragraphs and to the last window of a document.
    fields : sequence of str
        Further document metadata to copy into the table (e.g. ``["outlet"]``).

    Returns
    -------
    pandas.DataFrame
        One row per unit, in corpus order: ``unit_id`` (``"<doc_id>/p<i>"``,
        ``"<doc_id>/w<i>"`` or the doc id), ``doc_id``, ``year`` (Int64), ``start``,
        ``end`` (character span in ``Document.text``), ``n_tokens``, ``text``, then
        ``fields``. Documents with no tokens give no unit.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> import datetime
    >>> doc = Document("d1", "Short headline\\n\\nA first paragraph with quite a few words in it, "
    ...                "enough to stand alone.\\nA second one, long enough.", date=datetime.date(2021, 5, 1))
    >>> units = make_units(Corpus.from_documents([doc]), min_tokens=5)
    >>> units[["unit_id", "start", "end", "n_tokens"]].values.tolist()
    [['d1/p0', 0, 86, 16], ['d1/p1', 87, 113, 5]]
    >>> make_units([doc], unit="window", window=8, min_tokens=1)["n_tokens"].tolist()
    [8, 8, 5]
    >>> make_units([doc], unit="window", window=8, min_tokens=6)["n_tokens"].tolist()
    [8, 13]
    """
    if unit not in UNIT_KINDS:
        raise InputError(f"topic units: unknown unit {unit!r}; use one of {list(UNIT_KINDS)}")
    if unit == "window" and (not isinstance(window, int) or window < 1):
        raise InputError(f"topic units: window must be a positive number of tokens, got {window!r}")
    rows = []
    for doc in corpus:
        if unit == "document":
            spans = [(0, len(doc.text))] if count_tokens(doc.text) else []
            ids = [doc.doc_id]
        elif unit == "paragraph":
            spans = _paragraph_spans(doc.text, min_tokens)
            ids = [f"{doc.doc_id}/p{i}" for i in range(len(spans))]
        else:
            spans = _window_spans(doc.text, window, min_tokens)
            ids = [f"{doc.doc_id}/w{i}" for i in range(len(spans))]
        for unit_id, (start, end) in zip(ids, spans):
            text = doc.text[start:end]
            row = {"unit_id": unit_id, "doc_id": doc.doc_id, "year": doc.year, "start": start, "end": end,
                   "n_tokens": count_tokens(text), "text": text}
            for name in fields:
                row[name] = doc.get(name)
            rows.append(row)
    table = pd.DataFrame(rows, columns=UNIT_COLUMNS + list(fields))
    table["year"] = table["year"].astype("Int64")
    table[["start", "end", "n_tokens"]] = table[["start", "end", "n_tokens"]].astype("int64")
    return table


def _paragraph_spans(text: str, min_tokens: int) -> list[tuple[int, int]]:
    spans = []
    pending_start = None  # start of short paragraphs waiting to be merged into the next one
    for para_start, para_end in paragraph_spans(text):
        start = para_start if pending_start is None else pending_start
        if count_tokens(text[start:para_end]) < min_tokens:
            pending_start = start
            continue
        spans.append((start, para_end))
        pending_start = None
    if pending_start is not None:
        tail_end = len(text.rstrip())
        if spans:
            spans[-1] = (spans[-1][0], tail_end)
        elif count_tokens(text[pending_start:tail_end]):
            spans.append((pending_start, tail_end))
    return spans


def _window_spans(text: str, window: int, min_tokens: int) -> list[tuple[int, int]]:
    toks = tokenize(text)
    spans = []
    for i in range(0, len(toks), window):
        chunk = toks[i:i + window]
        spans.append((chunk[0].start, chunk[-1].end))
    if len(spans) > 1 and len(toks) - window * (len(spans) - 1) < min_tokens:
        last = spans.pop()
        spans[-1] = (spans[-1][0], last[1])
    return spans
