"""Modelling units: the pieces of text a topic model treats as "documents".

A topic model needs many units to estimate topic proportions. The embedded seed corpus
has eight articles, far too few to be documents of a topic model, so the default unit
is the **paragraph** (about 200 of them in the seed corpus): a line of the cleaned text,
as :func:`sco_discourse.text.paragraph_spans` defines it for the whole package. Whole documents
are the natural unit for large corpora of short texts; fixed-size token windows suit long
texts without paragraph breaks (transcripts, OCR).

Every unit keeps its document id, year and character span in ``Document.text``, so frame
mentions (which carry character offsets) can be placed in units and passages quoted. The
rest of a document's metadata is not copied into units: it is in the documents table
(:func:`sco_discourse.groups.documents_table`) that :func:`as_units` returns beside the
units and that a fitted model keeps as ``docs_``; units join it by ``doc_id``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import pandas as pd

from ..errors import InputError
from ..groups import doc_record, documents_table
from ..text import count_tokens, paragraph_spans, tokenize

__all__ = ["UNIT_KINDS", "UNIT_COLUMNS", "as_units", "make_units"]

#: The kinds of unit :func:`make_units` can make.
UNIT_KINDS = ("paragraph", "document", "window")

#: Columns of the unit table, in order.
UNIT_COLUMNS = ["unit_id", "doc_id", "year", "start", "end", "n_tokens", "text"]

# Columns of a unit table that describe the unit, not its document.
_UNIT_LEVEL = {"unit_id", "start", "end", "n_tokens", "text"}


def make_units(corpus: Iterable, *, unit: str = "paragraph", window: int = 200,
               min_tokens: int = 10) -> pd.DataFrame:
    """Split a corpus into modelling units.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
        Read once, one document at a time.
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

    Returns
    -------
    pandas.DataFrame
        One row per unit, in corpus order: ``unit_id`` (``"<doc_id>/p<i>"``,
        ``"<doc_id>/w<i>"`` or the doc id), ``doc_id``, ``year`` (Int64), ``start``,
        ``end`` (character span in ``Document.text``), ``n_tokens``, ``text``.
        Documents with no tokens give no unit. Other metadata: :func:`as_units`.

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
    _check_unit_options(unit, window)
    rows = [row for doc in corpus for row in _document_units(doc, unit, window, min_tokens)]
    return _unit_table(rows)


def as_units(X, *, unit: str = "paragraph", window: int = 200,
             min_tokens: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units of what a topic model is given, and the documents table they belong to.

    This is how :meth:`TopicModel.fit <sco_discourse.topics.TopicModel.fit>` and
    ``transform`` read their ``X``.

    Parameters
    ----------
    X : Corpus or iterable of Document, a unit table, or a sequence of str
        * a corpus is read once, document by document, and split by :func:`make_units`
          (``unit``, ``window``, ``min_tokens``); the documents table holds every
          scalar metadata field of its documents;
        * a unit table is a DataFrame with a ``text`` column (one row per unit, e.g.
          from :func:`make_units` or your own segmentation); ``unit_id`` and ``doc_id``
          are made up when missing (``u0, u1, ...``; every unit its own document). Its
          other columns besides ``unit_id, start, end, n_tokens, text`` are document
          metadata and must hold one value per document;
        * plain strings are units ``u0, u1, ...``, each its own document.
    unit, window, min_tokens
        As for :func:`make_units` (used for a corpus only).

    Returns
    -------
    units : pandas.DataFrame
        ``unit_id, doc_id, year, start, end, n_tokens, text`` for a corpus (as
        :func:`make_units`); the given columns (with ``unit_id`` and ``doc_id``) for a
        unit table; ``unit_id, doc_id, text`` for strings.
    docs : pandas.DataFrame
        The documents table (:func:`~sco_discourse.groups.documents_table`): ``doc_id,
        date, date_precision, year`` and the metadata fields, one row per document
        (also documents that gave no unit).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> units, docs = as_units(load_corpus())
    >>> len(docs), bool(units["doc_id"].isin(docs["doc_id"]).all()), "outlet" in docs.columns
    (8, True, True)
    >>> as_units(["tea and cups", "rail"])[1]["doc_id"].tolist()
    ['u0', 'u1']
    """
    _check_unit_options(unit, window)
    if isinstance(X, pd.DataFrame):
        return _from_table(X)
    if isinstance(X, (str, bytes)) or X is None or not isinstance(X, Iterable):
        raise InputError("topic units: give a corpus, a unit table (DataFrame with a 'text' column) or a list "
                         f"of texts, not {'one string' if isinstance(X, (str, bytes)) else type(X).__name__}")
    items = iter(X)
    first = next(items, None)
    if first is None:
        raise InputError("topic units: the corpus or list of texts is empty")
    items = itertools.chain([first], items)
    if isinstance(first, str):
        texts = list(items)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"topic units: item {i + 1} is a {type(text).__name__}, but the first is a text; "
                                 "give texts only, or documents only")
        ids = [f"u{i}" for i in range(len(texts))]
        return (pd.DataFrame({"unit_id": ids, "doc_id": ids, "text": texts}),
                documents_table({"doc_id": i} for i in ids))
    rows: list[dict] = []
    records: list[dict] = []
    for i, doc in enumerate(items):
        if not (hasattr(doc, "doc_id") and hasattr(doc, "text")):
            raise InputError(f"topic units: item {i + 1} is a {type(doc).__name__}, not a Document; give a "
                             "corpus, a unit table (DataFrame with a 'text' column) or a list of texts")
        records.append(doc_record(doc))
        rows.extend(_document_units(doc, unit, window, min_tokens))
    return _unit_table(rows), documents_table(records)


def _check_unit_options(unit: str, window: int) -> None:
    if unit not in UNIT_KINDS:
        raise InputError(f"topic units: unknown unit {unit!r}; use one of {list(UNIT_KINDS)}")
    if unit == "window" and (isinstance(window, bool) or not isinstance(window, int) or window < 1):
        raise InputError(f"topic units: window must be a positive number of tokens, got {window!r}")


def _document_units(doc, unit: str, window: int, min_tokens: int) -> Iterator[dict]:
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
        yield {"unit_id": unit_id, "doc_id": doc.doc_id, "year": doc.year, "start": start, "end": end,
               "n_tokens": count_tokens(text), "text": text}


def _unit_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    table["year"] = table["year"].astype("Int64")
    table[["start", "end", "n_tokens"]] = table[["start", "end", "n_tokens"]].astype("int64")
    return table


def _from_table(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    if "text" not in table.columns:
        raise InputError(f"topic units: the unit table has no 'text' column (columns: {list(table.columns)})")
    units = table.reset_index(drop=True).copy()
    if "unit_id" not in units.columns:
        units.insert(0, "unit_id", [f"u{i}" for i in range(len(units))])
    if "doc_id" not in units.columns:
        units.insert(1, "doc_id", units["unit_id"])
    if units["unit_id"].duplicated().any():
        dup = units.loc[units["unit_id"].duplicated(), "unit_id"].iloc[0]
        raise InputError(f"topic units: the unit table repeats unit_id {dup!r}")
    if units.empty:
        raise InputError("topic units: the unit table has no rows")
    meta = [c for c in units.columns if c not in _UNIT_LEVEL]
    grouped = units.groupby("doc_id", sort=False, dropna=False)
    for column in list(meta):
        if column == "doc_id":
            continue
        try:
            varying = grouped[column].nunique(dropna=False) > 1
        except TypeError:  # lists or mappings: no group can be made of them, leave them with the units
            meta.remove(column)
            continue
        if varying.any():
            doc = varying.index[varying.to_numpy()][0]
            values = units.loc[units["doc_id"] == doc, column].drop_duplicates().head(2).tolist()
            raise InputError(f"topic units: column {column!r} of the unit table holds document metadata but "
                             f"differs within document {doc!r} ({values[0]!r} and {values[1]!r}); give one "
                             "value per document, or drop the column")
    first = units.drop_duplicates("doc_id")[meta]
    return units, documents_table(first.to_dict("records"))


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
