"""Counting a corpus stored as shards with Dask: frames, mentions and the document-term matrix.

``engine="dask"`` on :meth:`Matcher.count <sco_discourse.frames.Matcher.count>`,
:meth:`Matcher.find <sco_discourse.frames.Matcher.find>` and
:func:`~sco_discourse.dtm.build_dtm` (and ``--engine dask`` on the command line) reads
each shard of the corpus in a Dask task and adds the parts up on the caller's side; the
result is the one the local engine gives, row for row and value for value. Keyness,
frequencies and dispersion take the DTM, so they follow.

What is read
------------
* A corpus loaded from a folder of shards (:func:`~sco_discourse.corpus.load_corpus`
  on a folder of JSON Lines or Parquet files; ``validate=False`` leaves all reading to
  the workers), and its selections (``where``, ``select``, ``filter``), or the folder's
  path. One task per shard, in the order of the file names.
* A ``dask.bag.Bag`` of records (dicts with the fields of a corpus file) or of
  :class:`~sco_discourse.corpus.Document`, or a ``dask.dataframe.DataFrame`` with the
  columns of a corpus file: one task per partition (:func:`from_dask` sets ``columns=``,
  ``on_error=`` and the other reading options).

Every row is read by the rules of :mod:`sco_discourse.corpus.loaders` (the folder's
columns resolved once, then each shard by the loader's own functions), so a bad row
raises the same :class:`~sco_discourse.errors.CorpusError`, naming its file, row and
field; with ``on_error="skip"`` the same rows are left out and listed. Ids are checked
within each shard by the loader and across shards here (8-byte digests of the ids travel,
not the ids). A shard folder's fingerprint combines its shards' fingerprints
(:func:`~sco_discourse.corpus.model.combine_fingerprints`) under every engine.

How the parts are added up
--------------------------
Each task runs the package's per-document functions (the matcher's counting and mention
functions, :func:`sco_discourse.dtm.read_stream`) over its documents and returns sums:
per group (``by=``) counts, documents with a mention, tokens and characters; per document
(no ``by``) the rows of the matrix and the documents table; for the DTM the shard's own
matrix over its own vocabulary. The caller orders the groups once over all shards
(:class:`sco_discourse.groups.Grouping`), merges vocabularies in the local engine's order
and stacks rows in shard order.

Where it runs
-------------
``scheduler`` is the address of a running Dask scheduler (``"tcp://host:8786"``), a
``distributed.Client``, or None: the client already made current in this process
(``distributed.Client(...)``), else a ``distributed.LocalCluster`` of ``n_jobs`` worker
processes started and closed for the call. ``"synchronous"`` runs the tasks in this
process (for debugging). Dask is an optional extra: ``pip install "sco_discourse[dask]"``.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CorpusError, InputError

__all__ = ["ENGINES", "check_engine", "from_dask", "count_frames", "find_mentions", "build_dtm", "DaskCorpus"]

#: The engines of ``engine=``.
ENGINES = ("local", "dask")

_INSTALL = ('engine="dask" needs Dask and its distributed scheduler, which are not installed: '
            'pip install "sco_discourse[dask]" (or pip install "dask[distributed]")')


def check_engine(engine: str) -> str:
    """``engine`` checked: "local" or "dask" (an ImportError-free check: Dask is imported
    only when a computation runs).

    >>> check_engine("dask")
    'dask'
    >>> check_engine("spark")
    Traceback (most recent call last):
    sco_discourse.errors.InputError: engine: expected 'local' or 'dask', got 'spark'
    """
    if engine not in ENGINES:
        raise InputError(f"engine: expected 'local' or 'dask', got {engine!r}")
    return engine


def _require_dask():
    try:
        import dask  # noqa: F401
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(_INSTALL) from None


# =========================================================================== the input
class DaskCorpus:
    """A ``dask.bag.Bag`` or ``dask.dataframe.DataFrame`` with the reading options of
    :func:`~sco_discourse.corpus.load_corpus` (``columns``, ``on_error``, ``clean``,
    ``reflow``): what :func:`from_dask` returns and the builders take with ``engine="dask"``.

    Attributes
    ----------
    name : str
        "dask.bag" or "DataFrame" (as ``load_corpus`` names a pandas DataFrame), or the name given.
    skipped : list of (where, reason)
        Rows left out with ``on_error="skip"``, filled by the first computation; ``where`` is
        ``"NAME: partition P, row R"`` (both from 1).
    """

    def __init__(self, data, *, columns=None, on_error: str = "raise", clean: bool | None = None,
                 reflow: bool = True, name: str | None = None):
        _require_dask()
        import dask.bag as db
        import dask.dataframe as dd

        if on_error not in ("raise", "skip"):
            raise CorpusError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
        if isinstance(data, dd.DataFrame):
            from dask import delayed

            self.bag = db.from_delayed([delayed(_frame_records)(part) for part in data.to_delayed()])
            default = "DataFrame"
        elif isinstance(data, db.Bag):
            self.bag = data
            default = "dask.bag"
        else:
            raise InputError(f"from_dask: expected a dask.bag.Bag or a dask.dataframe.DataFrame, got "
                             f"{type(data).__name__}")
        self.name = name or default
        self.columns = dict(columns or {})
        self.on_error, self.clean, self.reflow = on_error, clean, reflow
        self.skipped: list = []
        self._length: int | None = None
        self._fingerprint: str | None = None
        self._recorded = False

    def __repr__(self) -> str:
        return f"<DaskCorpus {self.name!r}: {self.bag.npartitions} partitions>"


def from_dask(data, *, columns=None, on_error: str = "raise", clean: bool | None = None, reflow: bool = True,
              name: str | None = None) -> DaskCorpus:
    """A Dask bag or DataFrame as a corpus for ``engine="dask"``, read with the rules of
    :func:`~sco_discourse.corpus.load_corpus` (same ``columns``, ``on_error``, ``clean``,
    ``reflow``). A bag may hold records (dicts) or :class:`~sco_discourse.corpus.Document`.

    Returns
    -------
    DaskCorpus
    """
    return DaskCorpus(data, columns=columns, on_error=on_error, clean=clean, reflow=reflow, name=name)


def _frame_records(frame) -> list[dict]:
    return frame.to_dict("records")  # as load_corpus reads a pandas DataFrame


class _Plan:
    """What every task needs to read its part: picklable, sent once per task."""

    def __init__(self, *, shards=None, stages=(), columns=None, fixed=frozenset(), on_error="raise", clean=None,
                 reflow=True, name="corpus"):
        self.shards, self.stages = shards, tuple(stages)
        self.cols, self.fixed = columns, set(fixed)
        self.on_error, self.clean, self.reflow, self.name = on_error, clean, reflow, name
        self.has_ids = True

    def documents(self, index: int, data, *, skipped: list, first_index: int = 1,
                  exclude: dict | None = None) -> Iterator[tuple[str, int, Any]]:
        """``(where, row number in the part, document)`` of part ``index`` in order."""
        if self.shards is not None:
            yield from self.shards.documents(index, skipped=skipped, first_index=first_index, exclude=exclude)
            return
        from .corpus.loaders import _BadRow, _MemorySource, numbered_documents
        from .corpus.model import Document

        records = list(data)
        if records and all(isinstance(r, Document) for r in records):
            for n, doc in enumerate(records, 1):
                if exclude and n in exclude:
                    where = f"{self.name}: partition {index + 1}, row {n}"
                    message = f"field 'id' {exclude[n]}"
                    if self.on_error == "raise":
                        raise CorpusError(f"{where}: {message}")
                    skipped.append((where, message))
                    continue
                yield f"{self.name}: partition {index + 1}, row {n}", n, doc
            return
        source = _MemorySource([], f"{self.name}: partition {index + 1}")
        source.open_schema = True  # records need not share keys (as JSON Lines)
        rows = ((f"{source.name}, row {n}", record if isinstance(record, dict) else
                 _BadRow(f"is a {type(record).__name__}, expected a record (dict) or a Document"))
                for n, record in enumerate(records, 1))
        yield from numbered_documents(source, rows, self.cols, self.on_error, self.clean, skipped=skipped,
                                      fixed=self.fixed, reflow=self.reflow, first_index=first_index,
                                      exclude=exclude)


def _id_digest(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "little")


class _StageState:
    """One ``where`` selection's check: the fields no document reaching it had."""

    def __init__(self, conditions):
        self.unseen = {c.field for c in conditions}
        self.fields: list[str] | None = None


def _passes(doc, stages, states) -> bool:
    from .corpus.model import _BUILTIN_FIELDS

    for stage, state in zip(stages, states):
        if stage[0] == "filter":
            if not stage[1](doc):
                return False
            continue
        conditions = stage[1]
        if state.fields is None:
            state.fields = list(_BUILTIN_FIELDS[:1] + _BUILTIN_FIELDS[2:]) + list(doc.meta)
        if state.unseen:
            state.unseen -= {f for f in state.unseen if f in _BUILTIN_FIELDS or f in doc.meta}
        if not all(cond(doc.get(cond.field)) for cond in conditions):
            return False
    return True


_TASKS: dict[bytes, Any] = {}


def _task_of(blob: bytes):
    """The task object of a pickled task, unpickled once per worker process."""
    key = hashlib.sha256(blob).digest()
    task = _TASKS.get(key)
    if task is None:
        if len(_TASKS) > 8:
            _TASKS.clear()
        task = _TASKS[key] = pickle.loads(blob)
    return task


def _run_part(index: int, data, plan: _Plan, blob: bytes, first_index: int = 1, exclude=None,
              locate=None) -> dict:
    """One task: read part ``index`` and count it with the task's per-document function.

    Returns the task's partial result and what the caller checks across parts: the ids'
    digests, rows skipped, the part's fingerprint, the ``where`` selections' fields, and
    an input error (returned, not raised, so the first one in corpus order is reported).
    """
    from .corpus.model import add_to_fingerprint

    task = _task_of(blob)
    skipped: list = []
    states = [_StageState(stage[1]) if stage[0] == "where" else None for stage in plan.stages]
    ids: list[int] = []
    digest = hashlib.sha256()
    found: dict[int, tuple[str, int, str]] = {}
    n_read = n_kept = 0
    partial = task.start() if locate is None else None
    error = None
    try:
        for position, (where, row, doc) in enumerate(plan.documents(index, data, skipped=skipped,
                                                                     first_index=first_index, exclude=exclude)):
            n_read += 1
            ids.append(_id_digest(doc.doc_id))
            if locate is not None:
                if position in locate:
                    found[position] = (where, row, doc.doc_id)
                continue
            if not _passes(doc, plan.stages, states):
                continue
            add_to_fingerprint(digest, doc)
            n_kept += 1
            task.add(partial, doc)
    except InputError as exc:
        error = exc
    if locate is not None:
        return {"found": found}
    return {"result": task.finish(partial), "ids": np.array(ids, dtype=np.uint64), "skipped": skipped,
            "n_read": n_read, "n_kept": n_kept, "fingerprint": digest.hexdigest(), "stages": [(s.unseen, s.fields) if s else None
                                                                             for s in states],
            "error": error}


def _count_rows(index: int, data, plan: _Plan) -> int:
    if plan.shards is not None:
        return plan.shards.count_rows(index)
    return sum(1 for _ in data)


# =========================================================================== scheduling
@contextmanager
def _client(scheduler, n_jobs: int):
    """A function computing a list of Dask objects on the scheduler asked for."""
    import dask

    if scheduler in ("synchronous", "sync", "single-threaded"):
        yield lambda objs: list(dask.compute(*objs, scheduler="synchronous"))
        return
    import distributed

    if isinstance(scheduler, distributed.Client):
        yield lambda objs: scheduler.gather(scheduler.compute(list(objs)))
        return
    if scheduler is None:
        try:
            client = distributed.default_client()
        except ValueError:
            client = None
        if client is not None:
            yield lambda objs: client.gather(client.compute(list(objs)))
            return
        import os

        workers = n_jobs if n_jobs and n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + (n_jobs or 0))
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            yield lambda objs: client.gather(client.compute(list(objs)))
        return
    if not isinstance(scheduler, str):
        raise InputError(f"scheduler: expected an address such as 'tcp://host:8786', a distributed.Client or "
                         f"None, got {scheduler!r}")
    try:
        client = distributed.Client(scheduler, set_as_default=False, timeout=30)
    except OSError as exc:
        raise InputError(f"scheduler {scheduler!r}: no Dask scheduler answers there ({exc}); start one with "
                         f"`dask scheduler` and workers with `dask worker {scheduler}`") from None
    with client:
        yield lambda objs: client.gather(client.compute(list(objs)))


def _first_records(bag, k: int) -> list:
    """Up to ``k`` records from the first partitions of ``bag``, read in this process (the
    synchronous scheduler): as many partitions as needed, growing fourfold, never the whole
    bag just to learn its columns."""
    n = 1
    while True:
        taken = list(bag.take(k, npartitions=min(n, bag.npartitions), compute=False, warn=False)
                     .compute(scheduler="synchronous"))
        if len(taken) >= k or n >= bag.npartitions:
            return taken[:k]
        n *= 4


def _prepare(corpus):
    """The plan, the part inputs and the corpus whose attributes results record."""
    _require_dask()
    import dask.bag as db

    from .corpus import load_corpus

    if isinstance(corpus, (str, Path)):
        corpus = load_corpus(corpus, validate=False)
        if corpus.shards is None:
            raise InputError(f'{corpus.name}: engine="dask" reads a folder of JSON Lines or Parquet shards '
                             f"(one task per file); this is one file: split it into shards, or use the local engine")
    try:
        import dask.dataframe as dd

        frame_types: tuple = (dd.DataFrame,)
    except ImportError:  # pragma: no cover - dask.dataframe needs pandas and pyarrow, both required here
        frame_types = ()
    if isinstance(corpus, (db.Bag, *frame_types)):
        corpus = DaskCorpus(corpus)
    if isinstance(corpus, DaskCorpus):
        from .corpus.loaders import _MemorySource, _resolve_columns

        from .corpus.model import Document

        taken = _first_records(corpus.bag, 1000)
        first = [r for r in taken if isinstance(r, dict)]
        probe = _MemorySource(first, corpus.name)
        probe.open_schema = True
        cols = _resolve_columns(probe, corpus.columns)
        plan = _Plan(columns=cols, fixed=set(corpus.columns), on_error=corpus.on_error, clean=corpus.clean,
                     reflow=corpus.reflow, name=corpus.name)
        plan.has_ids = bool(taken) and isinstance(taken[0], Document) or cols.get("id") is not None
        parts = corpus.bag.to_delayed()
        return plan, parts, corpus
    shards = getattr(corpus, "shards", None)
    if shards is None:
        raise InputError(f'{getattr(corpus, "name", "corpus")}: engine="dask" reads a corpus stored as shards: a '
                         f"folder of JSON Lines or Parquet files (load_corpus(folder), --corpus FOLDER) or its "
                         f"selections, a dask.bag or a dask.dataframe; this corpus is not (deduplicated, or read "
                         f"from one file): use the local engine")
    plan = _Plan(shards=shards, stages=corpus._shard_stages, on_error=shards.on_error, name=shards.name)
    return plan, [None] * len(shards), corpus


def run(corpus, task, *, scheduler=None, n_jobs: int = 1) -> tuple[list, Any]:
    """Run ``task`` over every part of ``corpus``: the partial results in corpus order,
    and the corpus object whose name and skipped rows results record."""
    from dask import delayed

    plan, parts, corpus = _prepare(corpus)
    blob = pickle.dumps(task)
    n = len(parts)
    if n == 0:
        raise InputError(f"{plan.name}: the corpus has no documents")
    run_part = delayed(_run_part, pure=False)
    with _client(scheduler, n_jobs) as compute:
        firsts = [1] * n
        if not (plan.shards.has_ids if plan.shards is not None else plan.has_ids):
            # ids are "doc-N" over the whole corpus: each part needs the rows before it
            counts = compute([delayed(_count_rows, pure=False)(i, parts[i], plan) for i in range(n)])
            firsts = list(np.concatenate([[1], 1 + np.cumsum(counts)[:-1]]).astype(int))
        results = compute([run_part(i, parts[i], plan, blob, firsts[i]) for i in range(n)])
        duplicates = _cross_part_duplicates(results)
        if duplicates:
            locate: dict[int, set] = {}
            for (p, i), (q, j) in duplicates:
                locate.setdefault(p, set()).add(i)
                locate.setdefault(q, set()).add(j)
            order = sorted(locate)
            located = compute([run_part(p, parts[p], plan, blob, firsts[p], None, locate[p]) for p in order])
            where = {p: found["found"] for p, found in zip(order, located)}
            first_error = next((k for k, r in enumerate(results) if r["error"] is not None), n)
            exclude: dict[int, dict[int, str]] = {}
            for (p, i), (q, j) in duplicates:
                if p > first_error:
                    continue
                at, row, doc_id = where[p][i]
                message = f"duplicate id {doc_id!r} (first seen at {where[q][j][0]})"
                if plan.on_error == "raise":
                    raise CorpusError(f"{at}: field 'id' {message}")
                exclude.setdefault(p, {})[row] = message
            again = sorted(exclude)
            redone = compute([run_part(p, parts[p], plan, blob, firsts[p], exclude[p]) for p in again])
            for p, result in zip(again, redone):
                results[p] = result
    for result in results:
        if result["error"] is not None:
            raise result["error"]
    _check_stages(plan, results)
    return results, corpus


def _cross_part_duplicates(results: list[dict]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``((part, position), (part, position of the first copy))`` of every document whose
    id an earlier part already had, in corpus order."""
    sizes = [len(r["ids"]) for r in results]
    if sum(sizes) == 0:
        return []
    ids = np.concatenate([r["ids"] for r in results])
    _, first, inverse, counts = np.unique(ids, return_index=True, return_inverse=True, return_counts=True)
    later = np.flatnonzero((counts[inverse] > 1) & (first[inverse] != np.arange(len(ids))))
    if not len(later):
        return []
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def where(position: int) -> tuple[int, int]:
        part = int(np.searchsorted(starts, position, side="right") - 1)
        return part, int(position - starts[part])

    return [(where(int(k)), where(int(first[inverse[k]]))) for k in later]


def _check_stages(plan: _Plan, results: list[dict]) -> None:
    """A ``where`` field that no document reaching the selection has is a typo (as locally)."""
    for k, stage in enumerate(plan.stages):
        if stage[0] != "where":
            continue
        seen = [r["stages"][k] for r in results if r["stages"][k][1] is not None]
        if not seen:
            continue
        unseen = set.intersection(*(set(s[0]) for s in seen))
        if unseen:
            field = sorted(unseen)[0]
            text = next(c.text for c in stage[1] if c.field == field)
            raise CorpusError(f"--where {text!r}: no document of {stage[2]} has a field {field!r}; "
                              f"fields: {', '.join(seen[0][1])}")


def record_reading(corpus, results: list[dict], *, before_attrs: bool) -> None:
    """What reading found, kept on the corpus as a local reading keeps it: the bad rows
    skipped (once), the number of documents and the fingerprint.

    ``before_attrs``: the corpus as loaded (before any selection) knows its length once
    validated, so results record it; a selection's length (as the fingerprint) is kept
    after the results are made, for the provenance of files written later."""
    from .corpus.model import combine_fingerprints

    stages = getattr(corpus, "_shard_stages", ())
    shards = getattr(corpus, "shards", None)
    skipped = [s for r in results for s in r["skipped"]]
    if before_attrs:
        if isinstance(corpus, DaskCorpus):
            if not corpus._recorded:
                corpus.skipped.extend(skipped)
                corpus._recorded = True
        elif shards is not None and getattr(shards, "record_skips", [False])[0]:
            corpus.skipped.extend(skipped)
            shards.record_skips[0] = False
        if not stages:
            corpus._length = sum(r["n_read"] for r in results)
        if isinstance(corpus, DaskCorpus) and corpus._length == 0:
            raise CorpusError(f"{corpus.name}: the corpus is empty (no documents)")
        return
    if stages:
        corpus._length = sum(r["n_kept"] for r in results)
    if shards is not None and corpus._fingerprint is None:
        corpus._fingerprint = combine_fingerprints(r["fingerprint"] for r in results)


# =========================================================================== frame counts
class _CountTask:
    """Frame counts of one part: per document (``by`` None) or summed per group."""

    def __init__(self, matcher, by, name: str):
        from .groups import Grouping

        self.matcher = matcher
        self.grouping = Grouping(by, where=name) if by is not None else None

    def start(self) -> dict:
        return {"records": [], "tokens": [], "chars": [], "rows": [], "cols": [], "languages": set(),
                "groups": {}, "empty": [], "n_empty": 0, "first_doc": {}}

    def add(self, part: dict, doc) -> None:
        from .frames.matrix import LISTED_EMPTY, _count_item
        from .groups import doc_record
        from .language import document_language

        if self.grouping is None:
            i = len(part["records"])
            part["records"].append(doc_record(doc))
            _, n_tokens, n_chars, language, hits = _count_item(self.matcher, (i, doc.text, document_language(doc),
                                                                             doc.year))
            part["tokens"].append(n_tokens)
            part["chars"].append(n_chars)
            part["languages"].add(language)
            part["rows"].extend([i] * len(hits))
            part["cols"].extend(hits)
            return
        key = self.grouping.doc_key(doc)
        n_keys = len(self.matcher.all_keys)
        sums = part["groups"].get(key)
        if sums is None:
            sums = part["groups"][key] = [np.zeros(n_keys, dtype=np.int64), np.zeros(n_keys, dtype=np.int64),
                                          0, 0, 0, 0]
            part["first_doc"][key] = doc.doc_id
        _, n_tokens, n_chars, language, hits = _count_item(self.matcher, (key, doc.text, document_language(doc),
                                                                         doc.year))
        part["languages"].add(language)
        sums[2] += n_tokens
        sums[3] += n_chars
        sums[4] += 1
        if n_tokens == 0:
            sums[5] += 1
            part["n_empty"] += 1
            if len(part["empty"]) < LISTED_EMPTY:
                part["empty"].append(doc.doc_id)
        if hits:
            per_doc = np.bincount(hits, minlength=n_keys)
            sums[0] += per_doc
            sums[1] += per_doc > 0

    def finish(self, part: dict) -> dict:
        part["rows"] = np.asarray(part["rows"], dtype=np.int64)
        part["cols"] = np.asarray(part["cols"], dtype=np.int64)
        return part

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, state):
        self.__dict__.update(state)


def count_frames(matcher, corpus, *, by=None, scheduler=None, n_jobs: int = 1):
    """:meth:`Matcher.count <sco_discourse.frames.Matcher.count>` with ``engine="dask"``:
    the same :class:`~sco_discourse.frames.FrameMatrix`, counted shard by shard."""
    import scipy.sparse as sp

    from .frames.matrix import LISTED_EMPTY, _new_matrix
    from .groups import documents_table

    name = getattr(corpus, "name", None) or "corpus"
    task = _CountTask(matcher, by, str(name))
    results, corpus = run(corpus, task, scheduler=scheduler, n_jobs=n_jobs)
    record_reading(corpus, results, before_attrs=True)
    parts = [r["result"] for r in results]
    languages = set().union(*(p["languages"] for p in parts))
    n_keys = len(matcher.all_keys)
    name = getattr(corpus, "name", "corpus")
    if task.grouping is None:
        records = [rec for p in parts for rec in p["records"]]
        if not records:
            raise InputError(f"{name}: the corpus has no documents")
        offsets = np.cumsum([0] + [len(p["records"]) for p in parts])
        rows = np.concatenate([p["rows"] + offset for p, offset in zip(parts, offsets)])
        cols = np.concatenate([p["cols"] for p in parts])
        matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(records), n_keys),
                               dtype=np.int64)
        matrix.sum_duplicates()
        docs = documents_table(records)
        docs["n_tokens"] = np.asarray([t for p in parts for t in p["tokens"]], dtype=np.int64)
        docs["n_characters"] = np.asarray([c for p in parts for c in p["chars"]], dtype=np.int64)
        empty = docs.loc[docs["n_tokens"] == 0, "doc_id"].tolist()
        fm = _new_matrix(matcher, corpus, matrix, docs, empty=empty, n_empty=len(empty), languages=languages)
    else:
        grouping = task.grouping
        sums: dict[tuple, list] = {}
        for p in parts:
            for key, values in p["groups"].items():
                if key not in sums:
                    for (column, _, _), value in zip(grouping.parts, key):
                        if value is not None:
                            grouping._check_kind(column, value, p["first_doc"][key])
                    sums[key] = values
                else:
                    for k in range(6):
                        sums[key][k] = sums[key][k] + values[k]
        grouping.check_keys(sums, name)
        order = grouping.order(sums)
        docs = grouping.labels(order)
        docs["n_docs"] = np.asarray([sums[k][4] for k in order], dtype=np.int64)
        docs["n_empty_docs"] = np.asarray([sums[k][5] for k in order], dtype=np.int64)
        docs["n_tokens"] = np.asarray([sums[k][2] for k in order], dtype=np.int64)
        docs["n_characters"] = np.asarray([sums[k][3] for k in order], dtype=np.int64)
        matrix = sp.csr_matrix(np.vstack([sums[k][0] for k in order]), dtype=np.int64)
        doc_counts = sp.csr_matrix(np.vstack([sums[k][1] for k in order]), dtype=np.int64)
        empty = [doc_id for p in parts for doc_id in p["empty"]][:LISTED_EMPTY]
        fm = _new_matrix(matcher, corpus, matrix, docs, empty=empty, n_empty=int(sum(p["n_empty"] for p in parts)),
                         languages=languages, doc_counts=doc_counts, groups=grouping.columns)
    fm.attrs["engine"] = "dask"
    record_reading(corpus, results, before_attrs=False)
    return fm


# =========================================================================== mentions
class _FindTask:
    def __init__(self, matcher, columns, name: str):
        self.matcher, self.columns, self.name = matcher, columns, name

    def start(self) -> dict:
        from .frames.matcher import MetaColumns

        return {"rows": [], "records": [], "meta": MetaColumns(self.columns, where=self.name), "zh": False}

    def add(self, part: dict, doc) -> None:
        from .frames.matcher import _mentions_item
        from .language import document_language

        record = part["meta"].record(doc)
        language = document_language(doc)
        part["zh"] = part["zh"] or language == "zh"
        found = _mentions_item(self.matcher, (doc.doc_id, doc.text, language, doc.year))
        part["rows"].extend(found)
        part["records"].extend([record] * len(found))

    def finish(self, part: dict) -> dict:
        meta = part.pop("meta")
        part["seen"] = list(meta.seen)
        return part


def find_mentions(matcher, corpus, *, columns=None, scheduler=None, n_jobs: int = 1):
    """:meth:`Matcher.find <sco_discourse.frames.Matcher.find>` with ``engine="dask"``:
    the same mention table, found shard by shard."""
    import pandas as pd

    from .frames.matcher import MENTION_COLUMNS, MetaColumns, language_lexicon_attrs, lexicon_attrs
    from .provenance import corpus_attrs

    name = getattr(corpus, "name", None) or "corpus"
    results, corpus = run(corpus, _FindTask(matcher, columns, str(name)), scheduler=scheduler, n_jobs=n_jobs)
    record_reading(corpus, results, before_attrs=True)
    parts = [r["result"] for r in results]
    meta = MetaColumns(columns, where=getattr(corpus, "name", "corpus"))
    for p in parts:
        meta.seen.update(dict.fromkeys(p["seen"]))
    frame = pd.DataFrame([row for p in parts for row in p["rows"]], columns=MENTION_COLUMNS)
    frame = frame.astype({"start": "int64", "end": "int64", "sentence": "int64", "paragraph": "int64"})
    frame = meta.insert(frame, [rec for p in parts for rec in p["records"]])
    frame.attrs.update(lexicon_attrs(matcher.lexicon))
    chinese = any(p["zh"] for p in parts) or matcher._chinese is not None
    frame.attrs.update(language_lexicon_attrs(matcher, ["zh"] if chinese else []))
    frame.attrs.update(corpus_attrs(corpus))
    frame.attrs["engine"] = "dask"
    record_reading(corpus, results, before_attrs=False)
    return frame


# =========================================================================== the DTM
class _DtmTask:
    def __init__(self, *, sentences: bool, ngram, lemma: bool, remove_stop_words: bool, keep_stream: bool):
        self.sentences, self.ngram, self.lemma = sentences, ngram, lemma
        self.remove_stop_words, self.keep_stream = remove_stop_words, keep_stream

    def start(self) -> dict:
        return {"docs": []}

    def add(self, part: dict, doc) -> None:
        part["docs"].append(doc)

    def finish(self, part: dict) -> dict:
        from .dtm import dtm_from_stream, read_stream
        from .groups import doc_record

        docs = part.pop("docs")
        part["records"] = [doc_record(doc) for doc in docs]
        stream, table = read_stream(docs, sentences=self.sentences)
        del docs
        part["n_tokens"] = table["n_tokens"].to_numpy()
        dtm = dtm_from_stream(stream, table, ngram=self.ngram, lemma=self.lemma,
                              remove_stop_words=self.remove_stop_words, min_count=1)
        part["matrix"], part["vocabulary"], part["term_length"] = dtm.matrix, dtm.vocabulary, dtm.term_length
        part["stream"] = stream if self.keep_stream else None
        return part


def build_dtm(corpus, *, ngram=(1, 1), lemma: bool = False, remove_stop_words: bool = False, min_count: int = 1,
              sentences: bool | None = None, keep_stream: bool = True, scheduler=None, n_jobs: int = 1):
    """:func:`~sco_discourse.dtm.build_dtm` with ``engine="dask"``: each shard's matrix over
    its own vocabulary, merged into the local engine's matrix (terms by length, then
    alphabetically; ``min_count`` over the whole corpus; rows in corpus order).

    With ``keep_stream`` the token stream (4 bytes per token, for collocations) is
    gathered too; ``keep_stream=False`` keeps only the matrix on the caller's side.
    """
    import scipy.sparse as sp

    from .dtm import DTM, _normalise_ngram
    from .groups import documents_table
    from .provenance import corpus_attrs

    low, high = _normalise_ngram(ngram)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise InputError(f"min_count: expected a positive integer, got {min_count!r}")
    if sentences is None:
        sentences = high >= 2
    task = _DtmTask(sentences=sentences, ngram=(low, high), lemma=lemma, remove_stop_words=remove_stop_words,
                    keep_stream=keep_stream)
    results, corpus = run(corpus, task, scheduler=scheduler, n_jobs=n_jobs)
    record_reading(corpus, results, before_attrs=True)
    parts = [r["result"] for r in results]
    # the vocabulary: every part's terms, by length then alphabetically (as dtm_from_stream)
    lengths = np.concatenate([p["term_length"] for p in parts]).astype(np.int64)
    names = np.concatenate([p["vocabulary"] for p in parts]).astype(object)
    totals = np.concatenate([np.asarray(p["matrix"].sum(axis=0)).ravel() for p in parts]).astype(np.int64)
    terms, term_lengths, column_of = [], [], []
    offset = 0
    for n in range(low, high + 1):
        mask = lengths == n
        distinct, inverse = np.unique(names[mask].astype(str), return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=totals[mask], minlength=len(distinct)).astype(np.int64)
        keep = counts >= min_count
        rank = np.full(len(distinct), -1, dtype=np.int64)
        rank[keep] = np.arange(int(keep.sum())) + offset
        offset += int(keep.sum())
        terms.append(distinct[keep].astype(object))
        term_lengths.append(np.full(int(keep.sum()), n, dtype=np.int64))
        column_of.append((mask, rank[inverse.ravel()]))
    new_column = np.full(len(names), -1, dtype=np.int64)
    for mask, columns in column_of:
        new_column[mask] = columns
    blocks, start = [], 0
    for p in parts:
        m = p["matrix"].tocsr()
        mapping = new_column[start:start + m.shape[1]]
        start += m.shape[1]
        coo = m.tocoo()
        cols = mapping[coo.col]
        kept = cols >= 0
        blocks.append(sp.csr_matrix((coo.data[kept].astype(np.int64), (coo.row[kept], cols[kept])),
                                    shape=(m.shape[0], offset)))
    matrix = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, offset), dtype=np.int64)
    matrix.sum_duplicates()
    matrix.data = matrix.data.astype(np.int64, copy=False)
    records = [rec for p in parts for rec in p["records"]]
    docs = documents_table(records)
    docs["n_tokens"] = np.concatenate([p["n_tokens"] for p in parts]).astype(np.int64) if parts else []
    stream = _merge_streams([p["stream"] for p in parts]) if keep_stream else None
    options = {"ngram": (low, high), "lemma": bool(lemma), "remove_stop_words": bool(remove_stop_words),
               "min_count": int(min_count), "segment_unit": "sentence" if sentences else "paragraph"}
    vocabulary = np.concatenate(terms).astype(object) if terms else np.zeros(0, dtype=object)
    dtm = DTM(matrix, vocabulary, docs, np.concatenate(term_lengths), stream, options)
    dtm.name = getattr(corpus, "name", "corpus")
    dtm.docs.attrs.update(corpus_attrs(corpus))
    dtm.docs.attrs["engine"] = "dask"
    record_reading(corpus, results, before_attrs=False)
    return dtm


def _merge_streams(streams: list):
    """One token stream from the parts' streams: the vocabulary in order of first
    occurrence over the corpus (as one reading builds it), ids renumbered."""
    from .dtm import TokenStream

    vocabulary: dict[str, int] = {}
    ids, doc_starts, segment_starts = [], [np.zeros(1, dtype=np.int64)], []
    position = 0
    unit = "paragraph"
    for s in streams:
        mapping = np.fromiter((vocabulary.setdefault(w, len(vocabulary)) for w in s.vocabulary), dtype=np.int32,
                              count=len(s.vocabulary))
        ids.append(mapping[s.ids] if len(s.ids) else s.ids)
        doc_starts.append(s.doc_starts[1:] + position)
        segment_starts.append(s.segment_starts + position)
        position += len(s.ids)
        unit = s.segment_unit
    return TokenStream(
        ids=np.concatenate(ids).astype(np.int32) if ids else np.zeros(0, dtype=np.int32),
        vocabulary=np.array(list(vocabulary), dtype=object),
        doc_starts=np.concatenate(doc_starts).astype(np.int64),
        segment_starts=np.concatenate(segment_starts).astype(np.int64) if segment_starts else np.zeros(0, np.int64),
        segment_unit=unit)
