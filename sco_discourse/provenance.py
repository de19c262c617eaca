"""Provenance: what made a table, recorded beside it.

One function, :func:`provenance_record`, builds the record of every output: the package
version, the command and its options, each corpus read (path, fingerprint, documents,
rows skipped and why), the lexicon (name, version, SHA-256), the seeds, the table's own
``attrs`` and the versions of the libraries that computed it. :func:`write_table` writes
a CSV and that record beside it as ``FILE.csv.json``, both atomically and under a lock,
so the sidecar found next to a table always describes that table: it carries the
table's SHA-256 (:func:`check_sidecar` compares them).

Library functions that read a corpus put :func:`corpus_attrs` in the ``attrs`` of the
DataFrame they return, so a table made from a partial corpus says so even before it is
written anywhere.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from sco_discourse import load_corpus
>>> corpus = load_corpus()
>>> table = pd.DataFrame({"doc_id": ["a", "b"], "count": [1, 2]})
>>> record = provenance_record(corpora={"corpus": corpus}, seeds={"random_state": 0})
>>> record["corpus"]["documents"], record["corpus"]["skipped_rows"], len(record["corpus"]["fingerprint"])
(8, 0, 64)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> side = write_table(table, out, record=record)
>>> side.name, check_sidecar(out)
('t.csv.json', True)
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .outputs import atomic_path, exclusive, write_text

__all__ = ["provenance_record", "corpus_attrs", "corpus_record", "write_table", "write_record",
           "sidecar_path", "read_sidecar", "check_sidecar", "software_versions"]

#: Format of the record (bumped when a key changes meaning).
RECORD_VERSION = 1
#: Distributions whose versions are recorded (those the computations rest on).
_LIBRARIES = ("numpy", "scipy", "pandas", "scikit-learn", "gensim", "statsmodels", "pyahocorasick", "ahocorasick-rs",
              "numba", "jieba", "rjieba", "simplemma", "nltk", "pyyaml", "pyarrow", "matplotlib")
#: How many skipped rows are listed one by one (all are counted).
MAX_LISTED_SKIPS = 1000


#: Distributions recorded as well when a table was computed by an engine (``attrs["engine"]``).
_ENGINE_LIBRARIES = {"dask": ("dask", "distributed")}


def software_versions(engine: str | None = None) -> dict[str, str]:
    """Python, sco_discourse and the libraries the results depend on: ``{name: version}``;
    with ``engine="dask"`` also dask and distributed.

    Examples
    --------
    >>> versions = software_versions("dask")
    >>> list(versions)[:2], "distributed" in versions, "distributed" in software_versions()
    (['python', 'sco_discourse'], True, False)
    """
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    versions = {"python": platform.python_version(), "sco_discourse": __version__}
    for dist in _LIBRARIES + _ENGINE_LIBRARIES.get(engine, ()):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def _skips(corpus) -> list:
    return list(getattr(corpus, "skipped", None) or [])


def corpus_attrs(corpus) -> dict[str, Any]:
    """What a returned table records about the corpus it was computed from (cheap: no re-reading).

    Keys ``corpus`` (its name, e.g. the file path), ``corpus_documents`` (when known
    without reading), ``skipped_rows`` (how many rows ``on_error="skip"`` left out) and
    ``skipped`` (``"where: reason"`` for each, at most :data:`MAX_LISTED_SKIPS`) and, for a
    deduplicated corpus (``dedupe=``, ``--dedupe``), ``deduplicated``: what was left out or
    weighted (:func:`sco_discourse.corpus.duplicates.dedupe`).

    >>> from sco_discourse import load_corpus
    >>> corpus_attrs(load_corpus())
    {'corpus': 'embedded seed corpus', 'corpus_documents': 8, 'skipped_rows': 0, 'skipped': []}
    """
    skipped = _skips(corpus)
    attrs = {"corpus": str(getattr(corpus, "name", "corpus")),
             "corpus_documents": getattr(corpus, "_length", None),
             "skipped_rows": len(skipped),
             "skipped": [f"{where}: {reason}" for where, reason in skipped[:MAX_LISTED_SKIPS]]}
    if getattr(corpus, "deduplicated", None) is not None:
        attrs["deduplicated"] = corpus.deduplicated
    return attrs


def corpus_record(corpus, *, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The provenance of one corpus: name, path, fingerprint, documents, skipped rows.

    ``fingerprint`` is :meth:`Corpus.fingerprint` (SHA-256 over every document's id,
    date and text, so it reads the corpus once; the corpus caches it). ``path`` is the
    absolute path when the name is a file or folder. ``skipped`` lists ``where`` and
    ``reason`` of every row left out.
    """
    name = str(getattr(corpus, "name", "corpus"))
    path = Path(name)
    record: dict[str, Any] = {"name": name, "path": str(path.resolve()) if path.exists() else None}
    fingerprint = getattr(corpus, "fingerprint", None)
    record["fingerprint"] = fingerprint() if callable(fingerprint) else None
    try:
        record["documents"] = len(corpus)
    except TypeError:
        record["documents"] = None
    skipped = _skips(corpus)
    record["skipped_rows"] = len(skipped)
    record["skipped"] = [{"where": str(w), "reason": str(r)} for w, r in skipped[:MAX_LISTED_SKIPS]]
    if len(skipped) > MAX_LISTED_SKIPS:
        record["skipped_not_listed"] = len(skipped) - MAX_LISTED_SKIPS
    if options:
        record["options"] = _jsonable(dict(options))
    return record


def _lexicon_record(lexicon, attrs: Mapping[str, Any]) -> dict[str, Any] | None:
    if lexicon is not None:
        return {"name": lexicon.name, "version": lexicon.version, "sha256": lexicon.digest,
                "source": str(lexicon.source)}
    if attrs.get("lexicon_sha256"):
        return {"name": attrs.get("lexicon_name"), "version": attrs.get("lexicon_version"),
                "sha256": attrs.get("lexicon_sha256"), "source": attrs.get("lexicon_source")}
    return None


def provenance_record(*, command: Sequence[str] | None = None, options: Mapping[str, Any] | None = None,
                      corpora: Mapping[str, Any] | None = None, corpus_options: Mapping[str, Any] | None = None,
                      lexicon=None, seeds: Mapping[str, Any] | None = None,
                      attrs: Mapping[str, Any] | None = None, model: Mapping[str, Any] | None = None
                      ) -> dict[str, Any]:
    """The provenance record of an output: the one place it is built.

    Parameters
    ----------
    command : sequence of str, optional
        The command line (``["sco-discourse", "frames", "count", ...]``).
    options : mapping, optional
        Every option of the command, defaults included (``{"by": "year", ...}``).
    corpora : mapping, optional
        Role → corpus, e.g. ``{"corpus": corpus, "reference_corpus": reference}``; each
        becomes a key of the record holding :func:`corpus_record`.
    corpus_options : mapping, optional
        How the corpora were read (columns, encoding, clean, skip).
    lexicon : Lexicon, optional
        Else the lexicon is taken from ``attrs`` (``lexicon_name``, ``lexicon_version``,
        ``lexicon_sha256``) when the table has one.
    seeds : mapping, optional
        Every seed used; seeds found among ``options`` and ``attrs`` (names containing
        "seed", and ``random_state``) are added.
    attrs : mapping, optional
        The table's ``DataFrame.attrs`` (kept whole, as JSON).
    model : mapping, optional
        A topic model's folder and manifest, for tables computed from a saved model.

    Returns
    -------
    dict
        JSON-ready: ``record_version, written_by, command, options, <role> (per corpus:
        name, path, fingerprint, documents, skipped_rows, skipped, options), lexicon,
        seeds, model, attrs, software`` (with dask's versions for a table computed
        with ``engine="dask"``). :func:`write_table` adds ``table``
        (``file, rows, columns, sha256``). Nothing in it depends on the time of the run,
        so the same run writes the same record.
    """
    from . import __version__

    attrs = dict(attrs or {})
    options = dict(options or {})
    found_seeds = {k: v for k, v in options.items() if "seed" in k.lower() and v is not None}
    found_seeds.update({k: v for k, v in attrs.items() if (k == "random_state" or "seed" in k) and v is not None})
    found_seeds.update(seeds or {})
    record: dict[str, Any] = {
        "record_version": RECORD_VERSION,
        "written_by": f"sco_discourse {__version__}",
        "command": list(command) if command is not None else None,
        "options": _jsonable(options),
    }
    for role, corpus in (corpora or {}).items():
        if corpus is not None:
            record[role] = corpus_record(corpus, options=corpus_options)
    record["lexicon"] = _lexicon_record(lexicon, attrs)
    record["seeds"] = _jsonable(found_seeds)
    if model is not None:
        record["model"] = _jsonable(dict(model))
    record["attrs"] = _jsonable(attrs)
    record["software"] = software_versions(attrs.get("engine"))
    return record


def sidecar_path(path: str | os.PathLike) -> Path:
    """``FILE.csv`` → ``FILE.csv.json``."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def write_record(path: str | os.PathLike, record: Mapping[str, Any]) -> Path:
    """Write a provenance record as JSON (sorted keys, UTF-8), atomically; returns the path."""
    path = Path(path)
    write_text(path, json.dumps(_jsonable(dict(record)), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, record: Mapping[str, Any] | None = None,
                float_format: str = "%.6g") -> Path:
    """Write ``frame`` as CSV to ``path`` and its provenance to ``path.json``; returns the sidecar.

    Both files are written to temporary files and moved into place; the old sidecar is
    removed before the new table replaces the old one, so an interrupt leaves either the
    old pair, or the new table without a sidecar, never a table beside a record of
    another run. A lock on the folder keeps concurrent writers of the same path from
    mixing their files. ``record`` defaults to :func:`provenance_record` of the table's
    ``attrs``.
    """
    path = Path(path)
    side = sidecar_path(path)
    record = dict(record if record is not None else provenance_record(attrs=frame.attrs))
    with exclusive(path):
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, float_format=float_format, lineterminator="\n")
            record["table"] = {"file": path.name, "rows": int(len(frame)),
                               "columns": [str(c) for c in frame.columns], "sha256": _sha256(tmp)}
            side.unlink(missing_ok=True)
        write_record(side, record)
    return side


def read_sidecar(path: str | os.PathLike) -> dict[str, Any]:
    """The provenance record of ``path`` (a table; its ``.json`` sidecar is read)."""
    return json.loads(sidecar_path(path).read_text(encoding="utf-8"))


def check_sidecar(path: str | os.PathLike) -> bool:
    """True when ``path``'s sidecar exists and records exactly this file (SHA-256)."""
    side = sidecar_path(path)
    if not side.is_file() or not Path(path).is_file():
        return False
    table = read_sidecar(path).get("table") or {}
    return table.get("sha256") == _sha256(Path(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value):
    """Values as JSON: numbers and strings as they are, containers recursively, the rest as text."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if value != value or value in (float("inf"), float("-inf")) else value
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)
