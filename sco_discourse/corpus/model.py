"""`Document` and the lazily iterable `Corpus`.

A corpus is anything that can be iterated more than once (the gensim convention): it
holds a *factory* that yields documents, never the documents themselves, so iterating
over five or five million documents uses the same memory. Selecting and grouping
return new lazy corpora; nothing is modified in place.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import CorpusError

__all__ = ["Document", "Corpus", "CorpusError"]


@dataclass(frozen=True, slots=True)
class Document:
    """One document: an id, the text analysed, and its metadata.

    Attributes
    ----------
    doc_id : str
        Unique id within the corpus.
    text : str
        The text every analysis reads (for the seed pages: the *cleaned* article text).
    date : datetime.date or None
        Publication date; with ``date_precision`` "month" or "year" it is the first day
        of that period.
    date_precision : {"day", "month", "year", None}
    meta : Mapping
        Every other field the source supplied (title, outlet, source_file, ...). Nothing
        the user gave is dropped.
    raw : str or None
        The text as it was before cleaning, when cleaning was applied.
    """

    doc_id: str
    text: str
    date: _dt.date | None = None
    date_precision: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    raw: str | None = None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date is not None else None

    def get(self, key: str, default: Any = None) -> Any:
        """A metadata value; ``doc_id``, ``date``, ``year``, ``text`` work as keys too."""
        if key in _BUILTIN_FIELDS:
            return getattr(self, key)
        return self.meta.get(key, default)


_BUILTIN_FIELDS = ("doc_id", "text", "date", "date_precision", "year")


class Corpus:
    """A re-iterable, lazily loaded collection of :class:`Document`.

    Parameters
    ----------
    factory : callable returning an iterator of Document
        Called afresh for each iteration.
    name : str
        A label used in messages and manifests (e.g. the file path).
    length : int, optional
        Known number of documents (otherwise counted on first ``len()``).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> corpus = load_corpus()
    >>> len(corpus) >= 5
    True
    >>> sorted(corpus.groups("year"))[:2]
    [2020, 2021]
    >>> len(corpus.select(year=2020))
    1
    """

    #: Documents loaded without a date that were expected to have one (web pages whose date
    #: could not be established): list of (doc_id, source_file). Set by the loaders.
    undated: list | tuple = ()
    #: What :meth:`dedupe` removed (a dict; see :func:`sco_discourse.corpus.duplicates.dedupe`).
    deduplicated: dict | None = None
    #: The :func:`~sco_discourse.corpus.duplicates.find_duplicates` table behind :meth:`dedupe`.
    duplicates: pd.DataFrame | None = None
    #: A corpus read from a folder of shards (and its selections): how to read each shard
    #: on its own (:class:`~sco_discourse.corpus.loaders.Shards`), for the Dask engine.
    shards = None
    #: The selections applied since the shards were read, in order: ``("filter", predicate)``
    #: or ``("where", conditions, name of the corpus selected from)``.
    _shard_stages: tuple = ()

    def __init__(self, factory: Callable[[], Iterator[Document]], *, name: str = "corpus",
                 length: int | None = None, skipped: list | None = None):
        self._factory = factory
        self.name = name
        self._length = length
        #: Rows skipped at load time with ``on_error="skip"``: list of (where, reason).
        self.skipped: list = skipped if skipped is not None else []
        self._fingerprint: str | None = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_documents(cls, documents: Iterable[Document], *, name: str = "corpus") -> "Corpus":
        """A corpus over documents already in memory (checks ids are unique)."""
        docs = list(documents)
        seen: set[str] = set()
        for i, doc in enumerate(docs):
            if doc.doc_id in seen:
                raise CorpusError(f"{name}: document {i + 1}, field 'doc_id': duplicate id {doc.doc_id!r}")
            seen.add(doc.doc_id)
        return cls(lambda: iter(docs), name=name, length=len(docs))

    # -- iteration ------------------------------------------------------------------
    def __iter__(self) -> Iterator[Document]:
        return iter(self._factory())

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    def __repr__(self) -> str:
        n = f"{self._length} documents" if self._length is not None else "length not yet counted"
        return f"<Corpus {self.name!r}: {n}>"

    def __getitem__(self, doc_id: str) -> Document:
        for doc in self:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(f"no document with id {doc_id!r} in {self.name}")

    @property
    def ids(self) -> list[str]:
        return [d.doc_id for d in self]

    # -- selection ------------------------------------------------------------------
    def filter(self, predicate: Callable[[Document], bool], *, label: str = "filtered") -> "Corpus":
        """A lazy sub-corpus of the documents for which ``predicate(doc)`` is true."""
        parent = self
        # a selection from a corpus read with skipped rows is still a partial corpus: say so
        child = Corpus(lambda: (d for d in parent if predicate(d)), name=f"{self.name} [{label}]",
                       skipped=self.skipped)
        # ... and a selection from a deduplicated corpus is still deduplicated
        child.deduplicated, child.duplicates = self.deduplicated, self.duplicates
        return self._shard_child(child, ("filter", predicate))

    def _shard_child(self, child: "Corpus", stage: tuple) -> "Corpus":
        if self.shards is not None:
            child.shards = self.shards
            child._shard_stages = self._shard_stages + (stage,)
        return child

    def select(self, **criteria: Any) -> "Corpus":
        """Documents whose metadata satisfy every criterion.

        A criterion is a value (equality), a list/set/tuple/range ("any of"), an
        inclusive ``slice(low, high)`` (either end None), a predicate function, or a
        condition string for the field (``year=">=2013"``, ``year="2013..2024"``,
        ``iso3="!=CHN"``; see :mod:`sco_discourse.corpus.selection`). Unlike ``--where``,
        a comma is part of the value (``outlet="Reuters, London"``); several values are a
        list.

        Examples
        --------
        >>> from sco_discourse import load_corpus
        >>> [d.doc_id for d in load_corpus().select(year=[2023, 2024])]
        ['seed-001', 'seed-004']
        >>> len(load_corpus().select(year=slice(2021, 2022)))
        5
        >>> len(load_corpus().select(year="2021..2022"))
        5
        """
        from .selection import value_matcher

        tests = [(key, value_matcher(key, wanted)) for key, wanted in criteria.items()]

        def match(doc: Document) -> bool:
            return all(test(doc.get(key)) for key, test in tests)

        label = ", ".join(f"{k}={v!r}" for k, v in criteria.items())
        return self.filter(match, label=label)

    def where(self, *conditions: str) -> "Corpus":
        """Documents that satisfy every condition string, as the command line's ``--where``:
        ``"iso3=CHN,RUS"``, ``"year=2013..2024"``, ``"year>=2013"``, ``"outlet!=Xinhua"``.

        Examples
        --------
        >>> from sco_discourse import load_corpus
        >>> [d.doc_id for d in load_corpus().where("year=2023..", "outlet!=nothing")]
        ['seed-001', 'seed-004']
        """
        from .selection import parse_condition

        parsed = [parse_condition(c) for c in conditions]
        if not parsed:
            return self
        parent = self
        wanted = {cond.field for cond in parsed}

        def documents() -> Iterator[Document]:
            # A field no document has is a typo, not an empty selection: say so once the
            # whole corpus has been read (the check costs nothing while streaming).
            unseen = set(wanted)
            fields: list[str] = []
            for doc in parent:
                if not fields:
                    fields = list(_BUILTIN_FIELDS[:1] + _BUILTIN_FIELDS[2:]) + list(doc.meta)
                if unseen:
                    unseen -= {f for f in unseen if f in _BUILTIN_FIELDS or f in doc.meta}
                if all(cond(doc.get(cond.field)) for cond in parsed):
                    yield doc
            if unseen and fields:
                field = sorted(unseen)[0]
                text = next(c.text for c in parsed if c.field == field)
                raise CorpusError(f"--where {text!r}: no document of {parent.name} has a field {field!r}; "
                                  f"fields: {', '.join(fields)}")

        child = Corpus(documents, name=f"{self.name} [{' & '.join(c.text for c in parsed)}]", skipped=self.skipped)
        return self._shard_child(child, ("where", tuple(parsed), parent.name))

    def groups(self, by: Any) -> dict[Any, "Corpus"]:
        """Split into lazy sub-corpora by ``by`` (as everywhere: a column, a list of
        columns, or a custom group; see :mod:`sco_discourse.groups`), in the one group
        order. Keys are values (one column) or tuples (several)."""
        from ..groups import Grouping

        grouping = Grouping(by, where=self.name)
        keys = grouping.order(grouping.doc_key(doc) for doc in self)
        single = len(grouping.columns) == 1

        def part(key):
            return self.filter(lambda d, k=key: grouping.doc_key(d) == k, label=f"{by}={key}")

        return {(k[0] if single else k): part(k) for k in keys}

    def documents(self) -> pd.DataFrame:
        """The documents table (no text): what every table of the package groups by.

        See :func:`sco_discourse.groups.documents_table`.
        """
        from ..groups import documents_table

        return documents_table(self)

    def dedupe(self, *, keep: str = "first", threshold: float = 0.8, **options: Any) -> "Corpus":
        """This corpus with each cluster of exact or near-duplicate documents counted once.

        See :func:`sco_discourse.corpus.duplicates.dedupe` (``keep="first"``: the earliest
        copy of each cluster stays; ``"longest"``; ``"weight"``); the result's
        ``deduplicated`` attribute records what was removed.

        Examples
        --------
        >>> from sco_discourse import load_corpus
        >>> unique = load_corpus().dedupe()
        >>> len(unique), unique.deduplicated["n_removed"]
        (8, 0)
        """
        from .duplicates import dedupe

        return dedupe(self, keep=keep, threshold=threshold, **options)

    # -- export -----------------------------------------------------------------------
    def to_frame(self, *, text: bool = True) -> pd.DataFrame:
        """One row per document.

        Columns: ``doc_id, source_file, date, date_precision, year, title, outlet``,
        then ``text`` (the analysed text, unless ``text=False``), then every other
        metadata field.
        """
        rows = []
        for doc in self:
            row = {
                "doc_id": doc.doc_id,
                "source_file": doc.meta.get("source_file"),
                "date": pd.Timestamp(doc.date) if doc.date is not None else pd.NaT,
                "date_precision": doc.date_precision,
                "year": doc.year,
                "title": doc.meta.get("title"),
                "outlet": doc.meta.get("outlet"),
            }
            if text:
                row["text"] = doc.text
            for key, value in doc.meta.items():
                row.setdefault(key, value)
            rows.append(row)
        base = ["doc_id", "source_file", "date", "date_precision", "year", "title", "outlet"]
        base += ["text"] if text else []
        # an empty selection still has the documented columns, so code written for it runs
        frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=base)
        frame["date"] = pd.to_datetime(frame["date"])
        frame["year"] = frame["year"].astype("Int64")
        return frame

    def fingerprint(self) -> str:
        """SHA-256 over every document's id, date and text: identifies the exact input.

        Reads the corpus once; the result is kept, so asking again costs nothing.
        """
        if self._fingerprint is None and self.shards is not None:
            per_shard = [hashlib.sha256() for _ in range(len(self.shards))]
            for doc in self:
                add_to_fingerprint(per_shard[self.shards.current], doc)
            self._fingerprint = combine_fingerprints(d.hexdigest() for d in per_shard)
        elif self._fingerprint is None:
            digest = hashlib.sha256()
            for doc in self:
                add_to_fingerprint(digest, doc)
            self._fingerprint = digest.hexdigest()
        return self._fingerprint


def combine_fingerprints(parts: Iterable[str]) -> str:
    """The fingerprint of a corpus stored as shards: SHA-256 over the fingerprints of its
    shards in order (each over that shard's documents, as :meth:`Corpus.fingerprint`), so
    the readers of separate shards need not pass one digest from hand to hand."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("ascii"))
        digest.update(b"\x00")
    return digest.hexdigest()


def add_to_fingerprint(digest, doc: Document) -> None:
    """Feed one document to a :meth:`Corpus.fingerprint` digest (for a loader that reads
    the documents anyway and so can fingerprint them without a second pass)."""
    for part in (doc.doc_id, str(doc.date), doc.text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")

