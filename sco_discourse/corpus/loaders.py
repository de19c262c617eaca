"""Reading corpora: the embedded seeds, a folder of .txt files with a metadata CSV, CSV,
JSON Lines, Parquet, and saved web pages (CSV, JSON Lines, .txt and .html optionally
gzip-compressed).

Every reader streams: a file is re-read for each iteration and only one document is
held at a time, so memory does not grow with corpus size. Only the validation pass at
load time (``validate=True``, the default) keeps the ids seen, to detect duplicates; with
``validate=False`` every iteration checks ids and so holds them. The validation pass also
keeps the documents it builds while they fit ``keep_mb`` (default 512 MB of text) and hands
them to the first complete iteration, which then reads nothing: loading a file and counting
it decompresses and parses each document once (see ``load_corpus``).

Every text is checked for hard line-wrapping at load time and re-flowed into one line per
paragraph when it is wrapped (:mod:`sco_discourse.corpus.reflow`; ``reflow=False`` turns
this off): ``meta["reflowed"]`` records whether it was done and ``Document.raw`` keeps
the text as it was. Web pages are read by :mod:`sco_discourse.corpus.html`.

Bad input raises :class:`~sco_discourse.errors.CorpusError` naming the file, the row
(CSV: spreadsheet row, header = row 1; JSON Lines: line; Parquet: 1-based row) and the
field. With ``on_error="skip"`` bad rows are left out, counted and listed in
``corpus.skipped`` — never dropped silently.

Strict reading, decided once for every format:

* CSV is parsed in strict mode. A quote that opens a field and is not closed where the
  field should end makes its row bad (named by row and line); the lines after it are
  read again as rows of their own, so one stray quote never merges later rows into it.
* A NUL character in any text field is an error (a bad row): it does not occur in text
  and usually means a binary file or a wrong encoding (UTF-16 read as UTF-8). So is a
  lone surrogate (a JSON escape ``\\ud800`` without its pair): half a character, which no
  table could be written with.
* The package's fields (``id``, ``text``, ``date``, ...) match column names exactly
  first, then ignoring case and surrounding spaces (a header ``Date`` is the date);
  two columns that both match a field that way (``Date`` and ``DATE``) are an error.
* JSON Lines records need not share keys: a field's key is found in each record, so a
  ``date`` key that first appears after many records still dates its document.
* Truncated or corrupt gzip data is a bad row at the line where reading stopped;
  ``on_error="skip"`` keeps the rows read before it and reports the rest as unread.
  Gzip data is decompressed with ISA-L (:mod:`isal.igzip`); where it is damaged the file
  is read again with :mod:`gzip` from there, so the rows kept and the message are those
  of the standard library.
* A folder corpus reads only text files inside its folder unless
  ``allow_outside=True`` (command line ``--allow-outside-paths``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import gzip
import hashlib
import io
import json
import os
import re
import sys
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CorpusError
from ..language import detect_language as _detect_language
from .model import Corpus, Document, add_to_fingerprint, combine_fingerprints
from .reflow import reflow as _reflow_text

__all__ = ["load_corpus", "records_corpus", "parse_date", "shard_files", "Shards", "FIELDS"]

#: The package's fields and the column names tried, in order, when ``columns`` does not map them.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id"),
    "text": ("text",),
    "date": ("date",),
    "year": ("year",),
    "title": ("title",),
    "outlet": ("outlet",),
    "file": ("file", "filename", "path"),
}

_MAGIC_GZIP = b"\x1f\x8b"
#: What reading damaged gzip data raises (the stream ends early, a block or the checksum is wrong).
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# =========================================================================== public entry point
#: Default memory budget (MB of document text) for keeping the documents of the validation
#: pass until the first complete iteration (``load_corpus(keep_mb=...)``).
KEEP_MB = 512.0


def load_corpus(path: str | Path | pd.DataFrame | None = None, *, format: str | None = None,
                columns: Mapping[str, str] | None = None, metadata: str | Path | None = None,
                encoding: str = "utf-8", on_error: str = "raise", clean: bool | None = None,
                reflow: bool = True, validate: bool = True, allow_outside: bool = False,
                keep_mb: float = KEEP_MB) -> Corpus:
    """Load a corpus: the embedded seed corpus, or a user's corpus from disk.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame, optional
        Nothing: the embedded seed corpus (8 articles from 5 pages, 2020–2024).
        A DataFrame: its rows, read with the same column rules as a file.
        A folder: ``*.txt`` files plus a metadata CSV (``metadata.csv`` in the folder
        unless ``metadata`` is given) with a ``file`` column naming each text file.
        A folder of shards (no metadata CSV): JSON Lines (``.jsonl``/``.ndjson``,
        optionally ``.gz``) or Parquet files, all of one format, read in the order of
        their names (numbers in names compared as numbers: ``part.2`` before
        ``part.10``), each row by the rules of its format; the corpus's ``shards`` lets
        :mod:`sco_discourse.dask_engine` read them in parallel.
        A file: ``.csv``/``.tsv``, ``.jsonl``/``.ndjson``, ``.parquet``; ``.gz`` allowed
        for CSV, JSON Lines (and the .txt files of a folder).
        Saved web pages: one ``.html``/``.htm`` file or a folder of them (``.gz`` allowed,
        sub-folders searched), with an optional ``metadata.csv`` whose ``file`` column
        names a page (its path in the folder, or its file name) and whose other non-empty
        values add or override fields (a ``date`` or ``year`` there wins over the page's,
        with ``date_method`` "metadata.csv"). Each page gives one document: id = the file
        name without extension (or the metadata's ``id``), text = title and main text,
        metadata ``title, outlet, url, language, date_method, date_evidence,
        source_file`` (see :mod:`sco_discourse.corpus.html`). Pages whose date cannot
        be established are kept with no date and ``date_method`` "not found", and are
        listed in ``corpus.undated``.
    format : {"csv", "tsv", "jsonl", "parquet", "folder", "shards", "html"}, optional
        Overrides detection from the file name.
    columns : mapping, optional
        The package field → your column, e.g. ``{"id": "speech_id", "text": "body"}``.
        Fields: ``id, text, date, year, title, outlet, file``. Unmapped fields use the
        defaults in :data:`FIELDS`. Every other column is kept as metadata.
    metadata : path, optional
        The metadata CSV of a folder corpus.
    encoding : str, default "utf-8"
        Encoding of text files, CSV and JSON Lines (a UTF-8 byte-order mark is accepted;
        UTF-16 and UTF-32 files are decoded before they are split into lines).
    on_error : {"raise", "skip"}
        "skip" leaves bad rows out and lists them in ``corpus.skipped``.
    clean : bool, optional
        Apply the web-page cleaner (:mod:`sco_discourse.corpus.cleaning`) to each text;
        the original stays in ``Document.raw`` and ``meta["cleaned"]`` records it. Default
        (None): web pages that are not mostly in Chinese, Japanese or Korean script are
        cleaned (the cleaner's layout rules count words, see
        :mod:`sco_discourse.corpus.html`), other texts are not.
    reflow : bool, default True
        Detect hard-wrapped texts (a line break every 50–100 characters, as in PDF
        extractions) and re-flow them into one line per paragraph
        (:func:`sco_discourse.corpus.reflow.reflow`) before cleaning;
        ``meta["reflowed"]`` says whether it was done.
    validate : bool, default True
        Read the whole input once now, so errors surface at load time and ``len()`` is
        known. With ``False`` errors surface during iteration. The documents this pass
        builds are kept (up to ``keep_mb``) for the first full iteration, so loading and
        then counting a file decompresses and parses each document once.
    allow_outside : bool, default False
        A folder corpus: let the metadata name text files outside the folder
        (``../x.txt``, absolute paths). Refused by default, so a metadata file cannot make
        the loader read arbitrary files.
    keep_mb : float, default :data:`KEEP_MB` (512)
        Memory, in MB of document text (``text`` and ``raw``; the budget counts text only,
        not the metadata of each document, so a corpus of short documents with many
        metadata fields uses more), the validation pass may use to keep the documents it
        builds. Iterations started before one has run to its end
        yield these documents instead of reading the input again; the first complete
        iteration releases them, so later iterations stream from the input, one document
        at a time. When the documents outgrow the budget the pass drops them and every
        iteration reads the input (a corpus larger than the budget is read twice: once to
        validate, once to count). ``0`` never keeps documents. Not used with
        ``validate=False`` (nothing is read at load time), for a folder of shards (read
        shard by shard, by any engine), nor when texts are cleaned (the validation pass does
        not clean, so its documents differ from those iterated).

        The trade-off: validating at load time is what lets ``load_corpus`` raise on the
        first bad row, refuse an empty corpus, count documents and fingerprint them before
        any work starts; validating during the counting pass instead would raise after part
        of the counting is done. Keeping the validated documents costs memory up to
        ``keep_mb`` between loading and the first iteration, and saves a second
        decompression, parse, re-flow and language detection of every document.

    Returns
    -------
    Corpus
        Each document's metadata has a ``language``: the source's field of that name,
        else detected from the text ("zh" or "en", :func:`sco_discourse.language.detect_language`).

    Raises
    ------
    CorpusError
        Missing or empty text, unparseable date or year (``true`` is not a year), duplicate
        id, undecodable bytes, a NUL character or lone surrogate, a malformed CSV row (unclosed quote),
        truncated or corrupt gzip data, a text file outside a folder corpus, unknown
        column mapping, empty corpus, unknown format — naming file, row, field.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> len(corpus), int(corpus.to_frame()["year"].min())
    (8, 2020)
    >>> import pandas as pd
    >>> table = pd.DataFrame({"speech": ["s1"], "body": ["Win-win."], "year": [2021]})
    >>> [d.doc_id for d in load_corpus(table, columns={"id": "speech", "text": "body"})]
    ['s1']
    """
    if on_error not in ("raise", "skip"):
        raise CorpusError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    keep_mb = _check_keep_mb(keep_mb)
    if isinstance(path, pd.DataFrame):
        if format is not None or metadata is not None:
            raise CorpusError("format and metadata apply to files; a DataFrame is read as it is")
        return records_corpus(path.to_dict("records"), name="DataFrame", columns=columns, on_error=on_error,
                              clean=clean)
    if path is None:
        from .seeds import load_seed_corpus

        return load_seed_corpus()
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    kind = format or _detect_format(path)
    if kind == "folder" and metadata is None and not (path / "metadata.csv").exists() and _has_shards(path):
        kind = "shards"
    if kind == "folder" and not _text_files(path) and _html_files(path):
        kind = "html"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise CorpusError(f"unknown encoding {encoding!r}") from None
    if kind == "folder":
        source = _FolderSource(path, metadata=metadata, encoding=encoding, allow_outside=allow_outside)
    elif kind in ("csv", "tsv"):
        source = _CsvSource(path, encoding=encoding, delimiter="\t" if kind == "tsv" else ",")
    elif kind == "jsonl":
        source = _JsonlSource(path, encoding=encoding)
    elif kind == "parquet":
        source = _ParquetSource(path)
    elif kind == "html":
        source = _HtmlSource(path, metadata=metadata, encoding=encoding)
    elif kind == "shards":
        source = _ShardSource(path, encoding=encoding)
    else:
        raise CorpusError(f"{path}: unknown corpus format {kind!r}; use csv, tsv, jsonl, parquet, folder, shards "
                          f"or html")
    return _build_corpus(source, columns=columns, on_error=on_error, clean=clean, reflow=reflow, validate=validate,
                         keep_mb=keep_mb)


def _check_keep_mb(keep_mb: Any) -> float:
    """``keep_mb`` as a finite, non-negative number of MB, or a CorpusError naming the option."""
    import math

    if isinstance(keep_mb, bool) or not isinstance(keep_mb, (int, float)) or not math.isfinite(keep_mb) \
            or keep_mb < 0:
        raise CorpusError(f"keep_mb: MB of text to keep from the validation pass must be a number >= 0 "
                          f"(0: never keep), not {keep_mb!r}")
    return float(keep_mb)


def records_corpus(records: Iterable[Mapping[str, Any]], *, name: str = "records",
                   columns: Mapping[str, str] | None = None, on_error: str = "raise",
                   clean: bool | None = None, reflow: bool = True) -> Corpus:
    """A corpus from in-memory records (dicts), with the same rules as :func:`load_corpus`."""
    rows = list(records)
    source = _MemorySource(rows, name)
    return _build_corpus(source, columns=columns, on_error=on_error, clean=clean, reflow=reflow, validate=True)


# =========================================================================== dates
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y",
                 "%b %d, %Y", "%B %d %Y", "%b %d %Y")
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%B %Y", "%b %Y")


def parse_date(value: Any) -> tuple[_dt.date, str]:
    """Parse a date value into ``(date, precision)``; raise ``ValueError`` if impossible.

    Accepts ISO dates and date-times, a bare year, year-month, common written forms,
    and datetime objects. A date with time keeps only the day.

    Examples
    --------
    >>> parse_date("2020-11-12 15:44:58")
    (datetime.date(2020, 11, 12), 'day')
    >>> parse_date("2021")
    (datetime.date(2021, 1, 1), 'year')
    >>> parse_date("July 2023")
    (datetime.date(2023, 7, 1), 'month')
    """
    if isinstance(value, _dt.datetime):
        return value.date(), "day"
    if isinstance(value, _dt.date):
        return value, "day"
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date(), "day"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return _dt.date(int(text), 1, 1), "year"
    iso = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", text)
    if iso:
        try:
            return _dt.date.fromisoformat(iso.group(1)), "day"
        except ValueError as exc:
            raise ValueError(f"cannot read {text!r} as a date: {exc}") from None
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date(), "day"
        except ValueError:
            pass
    for fmt in _MONTH_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date().replace(day=1), "month"
        except ValueError:
            pass
    raise ValueError(f"cannot read {text!r} as a date (use e.g. 2021-06-15, 2021-06 or 2021)")


# =========================================================================== sources
class _Source:
    """Yields ``(where, record)`` pairs; ``where`` names file and row for messages."""

    name: str
    columns: list[str]

    def rows(self) -> Iterator[tuple[str, dict[str, Any]]]:  # pragma: no cover - interface
        raise NotImplementedError

    def read_text(self, record_where: str, value: Any) -> str:
        """For folder corpora: turn the ``file`` field into text (others: identity)."""
        return value


def _detect_format(path: Path) -> str:
    if path.is_dir():
        return "folder"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    mapping = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
               ".pq": "parquet", ".html": "html", ".htm": "html"}
    if last not in mapping:
        raise CorpusError(f"{path}: cannot tell the corpus format from the name; expected .csv, .tsv, .jsonl, "
                          f".ndjson, .parquet, .html, .htm (optionally .gz) or a folder: rename the file to one of these")
    return mapping[last]


_HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def _html_files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(_HTML_SUFFIXES)),
                  key=lambda p: p.relative_to(folder).as_posix())


def _text_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and (p.name.endswith(".txt") or p.name.endswith(".txt.gz"))]


def _is_gzip(path: Path) -> bool:
    """Whether the file holds gzip data (its first two bytes), whatever its name."""
    with open(path, "rb") as probe:
        return probe.read(2) == _MAGIC_GZIP


def _open_binary(path: Path):
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def _byte_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file as bytes, decompressed when it holds gzip data.

    Gzip data is decompressed with ISA-L (:mod:`isal.igzip`, 2-3 times faster than
    :mod:`gzip`). On damaged data ISA-L stops at other places than :mod:`gzip` (it
    decompresses in larger blocks, so it gives fewer lines before a cut) and raises other
    errors: the file is then read again with :mod:`gzip` from the first line not yet given,
    so the lines read before the damage and the error raised are exactly those of :mod:`gzip`.
    """
    if not _is_gzip(path):
        with open(path, "rb") as handle:
            yield from handle
        return
    from isal import igzip, isal_zlib

    given = 0
    try:
        with igzip.open(path, "rb") as handle:
            for line in handle:
                given += 1
                yield line
        return
    except (*_GZIP_ERRORS, isal_zlib.error):
        pass
    with gzip.open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if number > given:
                yield line


class _Unreadable(Exception):
    """The rest of a file cannot be read: ``lineno`` is the first line not read."""

    def __init__(self, path: Path, lineno: int, reason: str):
        super().__init__(reason)
        self.path, self.lineno, self.reason = path, lineno, reason

    def message(self) -> str:
        return f"{self.reason}; line {self.lineno} and everything after it could not be read"


def _encoding_advice(encoding: str, raw: bytes = b"") -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and "16" not in encoding:
        return "the file starts with a UTF-16 byte-order mark: give the encoding utf-16 (--encoding utf-16)"
    return ("give the file's encoding, e.g. latin-1 or cp1252 (--encoding on the command line, "
            "encoding= in Python)")


def _splits_on_newline_byte(encoding: str) -> bool:
    """True when every line ends in the byte 0x0A (UTF-8, Latin-1, cp1252, ...), so lines can
    be split before decoding; False for UTF-16/UTF-32, which must be decoded first."""
    try:
        return "\n".encode(encoding) == b"\n"
    except (UnicodeError, LookupError):
        return True


def _decoded_lines(path: Path, encoding: str, bad: dict[int, str] | None = None,
                   escaped: set[int] | None = None) -> Iterator[str]:
    """Decode line by line so an undecodable byte is reported with its line number.

    Without ``bad`` such a line raises :class:`CorpusError`; with it, the line is decoded
    with U+FFFD for the bad bytes and ``bad[line number]`` holds the message, so the row
    it belongs to can be reported (and skipped) like any other bad row. Damaged gzip data
    raises :class:`_Unreadable` naming the first line not read. ``escaped``, when
    given, receives the numbers of the lines whose bytes hold a JSON escape of a NUL
    character or of a surrogate (:data:`_NUL_OR_SURROGATE_ESCAPE`; looked for in the
    bytes, which is cheaper than in the text; only for lines split before decoding).
    """
    lineno = 0
    try:
        if not _splits_on_newline_byte(encoding):
            # UTF-16/32: a newline is more than the byte 0x0A, so decode first, then split
            with _open_binary(path) as handle:
                stream = io.TextIOWrapper(handle, encoding=encoding, newline="")
                while True:
                    try:
                        line = stream.readline()
                    except UnicodeDecodeError as exc:
                        what = f"line {lineno + 1} cannot be decoded as {encoding} ({exc.reason})"
                        if bad is None:
                            raise CorpusError(f"{path}: {what}; {_encoding_advice(encoding)}") from None
                        raise _Unreadable(path, lineno + 1, what) from None
                    if not line:
                        return
                    lineno += 1
                    yield line[1:] if lineno == 1 and line.startswith("\ufeff") else line
        else:
            for raw_line in _byte_lines(path):
                lineno += 1
                if escaped is not None and _NUL_OR_SURROGATE_ESCAPE.search(raw_line):
                    escaped.add(lineno)
                try:
                    line = raw_line.decode(encoding)
                except UnicodeDecodeError as exc:
                    what = f"bytes {raw_line[exc.start:exc.end]!r} at position {exc.start}"
                    advice = f"cannot be decoded as {encoding}; {_encoding_advice(encoding, raw_line)}"
                    if bad is None:
                        raise CorpusError(f"{path}: line {lineno}: {what} {advice}") from None
                    bad[lineno] = f"{what} of line {lineno} {advice}"
                    line = raw_line.decode(encoding, errors="replace")
                if lineno == 1 and line.startswith("\ufeff"):
                    line = line[1:]
                yield line
    except EOFError as exc:  # the stream stops early (a cut download): what was read is sound
        raise _Unreadable(path, lineno + 1, f"the gzip data is truncated ({exc})") from None
    except _GZIP_ERRORS as exc:  # a bad block or checksum: somewhere the text read is damaged
        raise CorpusError(f"{path}: the gzip data is corrupt ({exc}), found after line {lineno}: the file is "
                          f"damaged and no row of it can be trusted; download or compress it again") from None


class _LineFeed:
    """Lines for :mod:`csv` with their numbers; keeps the lines of the record being read,
    so a malformed record's later lines can be read again as rows of their own."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._pending: deque[tuple[int, str]] = deque()
        self._lineno = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self._pending:
            item = self._pending.popleft()
        else:
            text = next(self._lines)
            self._lineno += 1
            item = (self._lineno, text)
        self.taken.append(item)
        return item[1]

    def start_record(self) -> None:
        self.taken = []

    def read_again(self, items: list[tuple[int, str]]) -> None:
        self._pending.extendleft(reversed(items))


def _undecodable(bad: dict[int, str], first: int, last: int, record: Mapping[str, Any]) -> _BadRow | None:
    """The bad-row marker for a record on lines ``first..last`` holding undecodable bytes."""
    lines = [n for n in range(first, last + 1) if n in bad]
    if not lines:
        return None
    field = next((str(k) for k, v in record.items() if isinstance(v, str) and "\ufffd" in v), "row")
    reason = bad[lines[0]] if field == "row" else f"holds undecodable text: {bad[lines[0]]}"
    return _BadRow(reason, field=field)


class _CsvSource(_Source):
    def __init__(self, path: Path, *, encoding: str, delimiter: str = ","):
        self.path, self.encoding, self.delimiter, self.name = path, encoding, delimiter, str(path)
        reader = csv.reader(_decoded_lines(path, encoding), delimiter=delimiter, strict=True)
        try:
            self.columns = [c.strip() for c in next(reader)]
        except StopIteration:
            raise CorpusError(f"{path}: the file is empty (no header row)") from None
        except csv.Error as exc:
            raise CorpusError(f"{path}: header row: malformed CSV ({exc})") from None
        except _Unreadable as exc:
            raise CorpusError(f"{path}: header row: {exc.message()}") from None
        if len(set(self.columns)) != len(self.columns):
            dupes = sorted({c for c in self.columns if self.columns.count(c) > 1})
            raise CorpusError(f"{path}: header row: column name(s) {dupes} appear more than once")

    def _reader(self, feed: _LineFeed):
        return csv.reader(feed, delimiter=self.delimiter, strict=True)

    def _swallowed_rows(self, values: list[str], lines: list[tuple[int, str]]) -> int | None:
        """The first inner line of a multi-line record when every inner line looks like a row
        of its own (as many fields as the header, an id of the same shape as this row's):
        the sign of a quote opened by mistake that closes, by chance, in a later row.

        Legal multi-line text (paragraphs in a quoted field) has inner lines of prose, so
        the rule rarely fires on it; when it does, the message says how to check.
        """
        inner = lines[1:-1]
        if not inner:
            return None
        try:
            id_col = self.columns.index(_match_column("id", self.columns) or self.columns[0])
        except (ValueError, _AmbiguousColumn):
            id_col = 0

        def shape(value: str) -> str:
            return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", value.strip()))

        own = shape(values[id_col])
        for _, text in inner:
            fields = next(csv.reader([text], delimiter=self.delimiter), [])
            if (len(fields) != len(self.columns) or not fields[id_col].strip() or " " in fields[id_col].strip()
                    or shape(fields[id_col]) != own):
                return None
        return inner[0][0]

    def rows(self):
        bad: dict[int, str] = {}
        feed = _LineFeed(_decoded_lines(self.path, self.encoding, bad=bad))
        reader = self._reader(feed)
        try:
            next(reader, None)  # the header, checked when the source was opened
        except (csv.Error, _Unreadable):
            return
        n_cols = len(self.columns)
        row_no = 1  # the header is row 1, as in a spreadsheet
        while True:
            feed.start_record()
            try:
                values = next(reader)
                problem = None
            except StopIteration:
                return
            except _Unreadable as exc:
                yield f"{self.path}: row {row_no + 1} (line {exc.lineno})", _BadRow(exc.message())
                return
            except csv.Error as exc:
                values, problem = None, str(exc)
            if not feed.taken:
                return
            lines = list(feed.taken)
            first_line, last_line = lines[0][0], lines[-1][0]
            row_no += 1
            # a record with a line break inside a quoted field spans several lines: name both
            where = f"{self.path}: row {row_no}" + (f" (line {first_line})" if first_line != row_no else "")
            if values is not None and (not values or (len(values) == 1 and not values[0].strip())):
                continue  # a blank line is not a record
            if values is None or (len(values) != n_cols and len(lines) > 1):
                # A quote opened in this row and not closed where its field ends: the csv
                # reader ran on into the following lines. This row is bad; the lines after
                # its first are read again as rows, so no later row is merged into it.
                detail = problem or f"it ran on for {len(values)} fields"
                if len(lines) > 1:
                    reason = (f"malformed CSV: a quoted field opened on line {first_line} is not closed where "
                              f"the field ends (read on to line {last_line}: {detail}); this line is left out "
                              f"and the lines after it are read as rows of their own")
                    feed.read_again(lines[1:])
                elif problem and "unexpected end of data" in problem:
                    reason = f"malformed CSV: a quoted field opened on line {first_line} is never closed (the file ends)"
                else:
                    reason = f"malformed CSV ({detail})"
                reader = self._reader(feed)  # a fresh reader: no state left from the bad record
                yield where, _BadRow(reason)
                continue
            if len(values) != n_cols:
                yield where, _BadRow(f"has {len(values)} fields but the header has {n_cols}")
                continue
            swallowed = self._swallowed_rows(values, lines) if len(lines) > 2 else None
            if swallowed is not None:
                yield where, _BadRow(
                    f"malformed CSV: a quoted field opened on line {first_line} runs on to line {last_line}, and "
                    + (f"line {swallowed}" if swallowed == last_line - 1 else f"lines {swallowed}-{last_line - 1}")
                    + f" inside it look like rows of their own (a quote not closed "
                    f"where its field ends?); this line is left out and the lines after it are read as rows")
                feed.read_again(lines[1:])
                reader = self._reader(feed)
                continue
            record = dict(zip(self.columns, values))
            if bad:
                marker = _undecodable(bad, first_line, last_line, record)
                if marker is not None:
                    yield where, marker
                    continue
            yield where, record


class _JsonlSource(_Source):
    #: Records need not share keys: fields not among the first records' keys are looked up
    #: in each record (see :func:`_record_columns`).
    open_schema = True

    def __init__(self, path: Path, *, encoding: str, probe: bool = True):
        self.path, self.encoding, self.name = path, encoding, str(path)
        self.columns: list[str] = []
        if not probe:  # a shard of a folder: the folder reads the first records once
            return
        # the columns offered for mapping and shown in messages: the keys of the first records
        seen: dict[str, None] = {}
        for n, (where, record) in enumerate(self.rows()):
            if isinstance(record, dict):
                seen.update(dict.fromkeys(record))
            if n >= 999:
                break
        self.columns = list(seen)

    def rows(self):
        bad: dict[int, str] = {}
        # a NUL character in a JSON value can only come from the escape \u0000 (a raw NUL is
        # not valid JSON), a lone surrogate only from an escape \ud800-\udfff: when the line's
        # bytes hold neither, the record needs no check of its characters (the bytes are looked
        # at only in encodings that write these escapes as those ASCII bytes)
        escaped: set[int] | None = set() if _ascii_compatible(self.encoding) else None
        lineno = 0
        try:
            for lineno, line in enumerate(_decoded_lines(self.path, self.encoding, bad=bad,
                                                         escaped=escaped), 1):
                if not line or line.isspace():  # what strip() would empty, without copying the line
                    continue
                where = f"{self.path}: line {lineno}"
                try:
                    # JSON allows the white space of the line's end: the line is parsed as it is
                    record = json.loads(line)
                except json.JSONDecodeError:
                    try:  # the message, from the line without its end (a column past it would confuse)
                        record = json.loads(line.rstrip("\r\n"))
                    except json.JSONDecodeError as exc:
                        yield where, _BadRow(bad.get(lineno) or f"is not valid JSON ({exc.msg} at column {exc.colno})")
                        continue
                if not isinstance(record, dict):
                    yield where, _BadRow(f"is a JSON {type(record).__name__}, expected an object")
                    continue
                if lineno in bad:
                    yield where, _undecodable(bad, lineno, lineno, record)
                    continue
                if escaped is not None and lineno not in escaped:
                    record = _PlainText(record)
                yield where, record
        except _Unreadable as exc:
            yield f"{self.path}: line {exc.lineno}", _BadRow(exc.message())


#: Encodings (by their codec's name) in which every ASCII character is its own byte and no
#: other character holds the bytes of an escape such as "\u0000" (see :meth:`_JsonlSource.rows`).
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252", "iso8859-15"})


def _ascii_compatible(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _ASCII_COMPATIBLE
    except LookupError:
        return False


#: A JSON escape that gives a NUL character or half of a surrogate pair (in a line's bytes).
_NUL_OR_SURROGATE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


class _PlainText(dict):
    """A record whose values are known to hold no NUL character and no lone surrogate
    (:func:`_check_characters` is skipped)."""

    __slots__ = ()


class _ParquetSource(_Source):
    def __init__(self, path: Path, batch_size: int = 1024, **_):
        import pyarrow.parquet as pq

        self.path, self.batch_size, self.name = path, batch_size, str(path)
        try:
            self.columns = list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise CorpusError(f"{path}: not a readable Parquet file ({exc})") from None

    def rows(self):
        import pyarrow.parquet as pq

        row_no = 0
        try:
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.batch_size):
                for record in batch.to_pylist():
                    row_no += 1
                    yield f"{self.path}: row {row_no}", record
        except OSError as exc:  # pyarrow reports damaged pages as OSError (ArrowIOError, ArrowInvalid)
            yield f"{self.path}: row {row_no + 1}", _BadRow(
                f"the Parquet data is damaged ({exc}); row {row_no + 1} and everything after it could not be read")


# --------------------------------------------------------------------------- shards
#: Shard formats by file-name suffix (``.gz`` allowed for JSON Lines).
_SHARD_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
#: Corpus files that cannot stand beside shards in a shard folder.
_OTHER_CORPUS_SUFFIXES = (".csv", ".tsv", ".txt", ".html", ".htm")


def _shard_kind(name: str) -> str | None:
    lower = name.lower().removesuffix(".gz")
    for suffix, kind in _SHARD_SUFFIXES.items():
        if lower.endswith(suffix):
            if kind == "parquet" and name.lower().endswith(".gz"):
                return None
            return kind
    return None


def _natural_key(name: str) -> list:
    """File names in the order people number them: ``part.2`` before ``part.10``."""
    return [(0, int(piece), "") if piece.isdigit() else (1, 0, piece) for piece in re.split(r"(\d+)", name)]


def _has_shards(folder: Path) -> bool:
    return any(p.is_file() and _shard_kind(p.name) for p in folder.iterdir())


def shard_files(folder: str | Path) -> tuple[list[Path], str]:
    """The shards of a shard folder in reading order, and their format.

    Shards are the folder's own ``.jsonl``/``.ndjson`` (optionally ``.gz``) or
    ``.parquet``/``.pq`` files (not those of sub-folders; names starting with ``.`` or
    ``_``, such as ``_metadata``, are not shards), ordered by name with numbers compared
    as numbers. Files of other corpus formats (``.csv``, ``.txt``, ``.html``) or shards of
    two formats in one folder are an error: which of them is the corpus?

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["part.10.jsonl", "part.2.jsonl.gz", "README.md"]:
    ...     _ = (folder / name).write_bytes(b"")
    >>> files, kind = shard_files(folder)
    >>> [f.name for f in files], kind
    (['part.2.jsonl.gz', 'part.10.jsonl'], 'jsonl')
    """
    folder = Path(folder)
    by_kind: dict[str, list[Path]] = {}
    others: list[str] = []
    for path in folder.iterdir():
        if not path.is_file() or path.name.startswith((".", "_")):
            continue
        kind = _shard_kind(path.name)
        if kind is not None:
            by_kind.setdefault(kind, []).append(path)
        elif path.name.lower().removesuffix(".gz").endswith(_OTHER_CORPUS_SUFFIXES):
            others.append(path.name)
    if not by_kind:
        raise CorpusError(f"{folder}: no JSON Lines (.jsonl, .ndjson, optionally .gz) or Parquet (.parquet, .pq) "
                          f"shards in the folder")
    if len(by_kind) > 1 or others:
        found = {kind: sorted((p.name for p in by_kind[kind]), key=_natural_key)[:3] for kind in sorted(by_kind)}
        if others:
            found["other"] = sorted(others, key=_natural_key)[:3]
        listed = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in found.items())
        raise CorpusError(f"{folder}: a folder of shards holds files of one format, found several ({listed}); "
                          f"move the files that are not part of the corpus out of the folder")
    kind, paths = next(iter(by_kind.items()))
    return sorted(paths, key=lambda p: _natural_key(p.name)), kind


def _shard_part(path: Path, kind: str, encoding: str) -> _Source:
    if kind == "parquet":
        return _ParquetSource(path)
    return _JsonlSource(path, encoding=encoding, probe=False)


class _ShardSource(_Source):
    """A folder of JSON Lines or Parquet shards read one after the other; each row is
    named by its shard file and line (JSON Lines) or row (Parquet)."""

    #: Shards need not share keys or columns: fields are looked up in each record.
    open_schema = True
    #: Messages name the shard of the first copy of a duplicated id.
    full_where = True

    def __init__(self, folder: Path, *, encoding: str):
        self.folder, self.encoding, self.name = folder, encoding, str(folder)
        self.files, self.kind = shard_files(folder)
        self.current = 0  # the shard being read (fingerprints are kept per shard)
        seen: dict[str, None] = {}
        if self.kind == "parquet":
            for i in range(len(self.files)):
                seen.update(dict.fromkeys(self.part(i).columns))
        else:  # the keys of the first records, as for one JSON Lines file
            n = 0
            for i in range(len(self.files)):
                for where, record in self.part(i).rows():
                    if isinstance(record, dict):
                        seen.update(dict.fromkeys(record))
                    n += 1
                    if n >= 1000:
                        break
                if n >= 1000:
                    break
        self.columns = list(seen)

    def part(self, index: int) -> _Source:
        """The source of shard ``index`` alone."""
        return _shard_part(self.files[index], self.kind, self.encoding)

    @property
    def source_file(self) -> str:
        """The shard being read: the ``source_file`` of its documents."""
        return str(self.files[self.current])

    def rows(self):
        for i in range(len(self.files)):
            self.current = i
            yield from self.part(i).rows()


class Shards:
    """How to read each shard of a shard-folder corpus on its own, by the rules the whole
    folder was loaded with (the columns resolved once for the folder, ``on_error``,
    ``clean``, ``reflow``): what a worker of :mod:`sco_discourse.dask_engine` needs, and
    picklable.

    Ids are checked within a shard here; across shards by the caller. Without an id field
    a document's id counts rows over the whole folder (``doc-N``), so reading a shard then
    needs the number of rows of the shards before it (``first_index``).
    """

    def __init__(self, source: _ShardSource, cols: dict, fixed: set, *, on_error: str, clean, reflow: bool):
        self.name = source.name
        self.files = list(source.files)
        self.kind = source.kind
        self.encoding = source.encoding
        self.cols, self.fixed = dict(cols), set(fixed)
        self.on_error, self.clean, self.reflow = on_error, clean, reflow
        self._source = source

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_source"] = None
        return state

    def __len__(self) -> int:
        return len(self.files)

    @property
    def has_ids(self) -> bool:
        return self.cols.get("id") is not None

    @property
    def current(self) -> int:
        """The shard the (sequential) local reading is in."""
        return self._source.current if self._source is not None else 0

    def count_rows(self, index: int) -> int:
        """Rows of shard ``index`` as the loader numbers them (bad rows included)."""
        return sum(1 for _ in _shard_part(self.files[index], self.kind, self.encoding).rows())

    def documents(self, index: int, *, skipped: list | None = None, first_index: int = 1,
                  exclude: Mapping[int, str] | None = None) -> Iterator[tuple[str, int, Document]]:
        """``(where, row number in the shard, document)`` of shard ``index`` in row order; bad rows raise or go to
        ``skipped`` as the folder's ``on_error`` says; ``exclude`` (row number in the shard,
        from 1 -> reason) leaves rows out as bad rows (copies of ids of earlier shards)."""
        part = _shard_part(self.files[index], self.kind, self.encoding)
        yield from numbered_documents(part, part.rows(), self.cols, self.on_error, self.clean, skipped=skipped,
                                      fixed=self.fixed, reflow=self.reflow, first_index=first_index,
                                      exclude=exclude)


def numbered_documents(source: "_Source", rows: Iterable[tuple[str, Any]], cols, on_error: str, clean,
                       *, skipped: list | None, fixed, reflow: bool, first_index: int = 1,
                       exclude: Mapping[int, str] | None = None) -> Iterator[tuple[str, int, Document]]:
    """``(where, row number, document)`` of one part of a corpus read from ``rows``
    (``(where, record)`` pairs): the loader's own document building (:func:`_iter_documents`),
    each document with the place and number (from 1) of its row; ``exclude`` (row number ->
    reason) turns rows into bad rows of field ``id`` (copies of ids of earlier parts)."""
    last = [("", 0)]

    def numbered():
        for n, (where, record) in enumerate(rows, 1):
            if exclude and n in exclude and not isinstance(record, _BadRow):
                record = _BadRow(exclude[n], field="id")
            last[0] = (where, n)
            yield where, record

    source.rows = numbered  # type: ignore[method-assign]
    for doc in _iter_documents(source, cols, on_error, clean, skipped=skipped, fixed=fixed, reflow=reflow,
                               first_index=first_index, full_where=True):
        yield last[0][0], last[0][1], doc


class _MemorySource(_Source):
    def __init__(self, records: list[Mapping[str, Any]], name: str):
        self.records, self.name = records, name
        # records need not share keys: the columns are every key of every record
        self.columns = list(dict.fromkeys(key for record in records for key in record))

    def rows(self):
        for i, record in enumerate(self.records, 1):
            yield f"{self.name}: row {i}", dict(record)


class _FolderSource(_Source):
    def __init__(self, folder: Path, *, metadata: str | Path | None, encoding: str, allow_outside: bool = False):
        self.folder, self.encoding, self.name = folder, encoding, str(folder)
        self.allow_outside = allow_outside
        meta_path = Path(metadata) if metadata is not None else folder / "metadata.csv"
        if not meta_path.exists():
            raise CorpusError(
                f"{folder}: a folder corpus needs a metadata CSV ({meta_path} not found): one row per text file, "
                f"with a 'file' column naming the .txt file and optional id, date/year, title, outlet columns")
        self.meta = _CsvSource(meta_path, encoding=encoding)
        self.columns = self.meta.columns

    def rows(self):
        yield from self.meta.rows()

    def read_text(self, where: str, value: Any) -> str:
        if value is None or not str(value).strip():
            raise _RowError("file", "names no text file")
        name = str(value).strip()
        if not self.allow_outside:
            normal = os.path.normpath(name)
            if os.path.isabs(name) or normal == os.pardir or normal.startswith(os.pardir + os.sep):
                raise _RowError("file", f"names {name!r}, which is outside the folder {self.folder}; a folder "
                                        f"corpus reads only its own files (to allow it: --allow-outside-paths "
                                        f"on the command line, allow_outside=True in Python)")
        path = self.folder / name
        if not path.is_file():
            raise _RowError("file", f"text file {path} does not exist")
        bad: dict[int, str] = {}
        try:
            text = "".join(_decoded_lines(path, self.encoding, bad=bad))
        except _Unreadable as exc:
            raise _RowError("file", f"names text file {path}: {exc.message()}") from None
        if bad:
            first = min(bad)
            raise _RowError("file", f"names text file {path}, which holds undecodable text: {bad[first]}")
        return text

    def unlisted_files(self, listed: set[str]) -> list[str]:
        found = sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*")
                       if p.is_file() and (p.name.endswith(".txt") or p.name.endswith(".txt.gz")))
        return [f for f in found if f not in listed]


class _Record(dict):
    """A record that also carries the document's original input (a web page's HTML)."""

    original: str | None = None


class _HtmlSource(_Source):
    """One saved web page, or a folder of them with an optional metadata CSV."""

    #: The fields every page record has, before metadata.csv adds its columns.
    BASE_COLUMNS = ["id", "text", "date", "title", "outlet", "url", "language", "date_method", "date_evidence",
                    "source_file", "extracted_with"]

    def __init__(self, path: Path, *, metadata: str | Path | None, encoding: str):
        self.path, self.encoding, self.name = path, encoding, str(path)
        if path.is_dir():
            self.folder = path
            self.files = _html_files(path)
            if not self.files:
                raise CorpusError(f"{path}: no .html/.htm pages (optionally .gz) in the folder")
            meta_path = Path(metadata) if metadata is not None else path / "metadata.csv"
        else:
            self.folder = path.parent
            self.files = [path]
            meta_path = Path(metadata) if metadata is not None else None
        if metadata is not None and not meta_path.exists():
            raise CorpusError(f"{meta_path}: no such metadata file")
        self.meta_path = meta_path if meta_path is not None and meta_path.exists() else None
        self.meta_rows: dict[str, tuple[str, dict[str, Any]]] = {}
        meta_columns: list[str] = []
        if self.meta_path is not None:
            meta = _CsvSource(self.meta_path, encoding=encoding)
            if not any(c in meta.columns for c in FIELDS["file"]):
                raise CorpusError(f"{self.meta_path}: header row: no 'file' column naming the page each row "
                                  f"describes (the columns are {meta.columns})")
            file_column = next(c for c in FIELDS["file"] if c in meta.columns)
            known = {p.relative_to(self.folder).as_posix(): p for p in self.files}
            by_name: dict[str, list[str]] = {}
            for key in known:
                by_name.setdefault(key.rsplit("/", 1)[-1], []).append(key)
            for where, record in meta.rows():
                if isinstance(record, _BadRow):
                    raise CorpusError(f"{where}: {record.reason}")
                named = str(record.get(file_column) or "").strip()
                key = named if named in known else (by_name.get(named, [None])[0]
                                                    if len(by_name.get(named, [])) == 1 else None)
                if key is None:
                    raise CorpusError(f"{where}: field {file_column!r}: no page {named!r} in {self.folder}")
                if key in self.meta_rows:
                    raise CorpusError(f"{where}: field {file_column!r}: page {named!r} is already described at "
                                      f"{self.meta_rows[key][0]}")
                values = {k: v for k, v in record.items() if k != file_column and str(v).strip()}
                self.meta_rows[key] = (where.split(": ", 1)[-1], values)
            meta_columns = [c for c in meta.columns if c != file_column]
        self.columns = self.BASE_COLUMNS + [c for c in meta_columns if c not in self.BASE_COLUMNS]

    def rows(self):
        from importlib.metadata import version

        from .html import decode_page, extract_page

        extractor = f"trafilatura {version('trafilatura')}"
        for page in self.files:
            relative = page.relative_to(self.folder).as_posix()
            where = str(page)
            try:
                with _open_binary(page) as handle:
                    data = handle.read()
                html = decode_page(data, encoding=self.encoding, source=where)
                found = extract_page(html, source=where)
            except CorpusError as exc:
                yield where, _BadRow(str(exc).removeprefix(f"{where}: "))
                continue
            if not found.text:
                yield where, _BadRow("no main text could be extracted from the page", field="text")
                continue
            stem = relative
            for suffix in _HTML_SUFFIXES:
                if stem.lower().endswith(suffix):
                    stem = stem[: -len(suffix)]
                    break
            record = _Record(id=stem, text=found.text, date=found.date, title=found.title, outlet=found.outlet,
                             url=found.url, language=found.language, date_method=found.date_method,
                             date_evidence=found.date_evidence, source_file=relative, extracted_with=extractor)
            record.original = html
            listed = self.meta_rows.get(relative)
            if listed is not None:
                meta_where, values = listed
                if "date" in values or "year" in values:
                    record.update(date=None, date_method="metadata.csv",
                                  date_evidence=f"{self.meta_path.name}, {meta_where}")
                if "doc_id" in values and "id" in record:
                    record["id"] = values.pop("doc_id")
                record.update(values)
            yield where, record


class _BadRow:
    """A row that could not be read at all (malformed JSON, wrong number of CSV fields,
    undecodable bytes); ``field`` names the field at fault where it is known."""

    def __init__(self, reason: str, field: str = "row"):
        self.reason, self.field = reason, field


class _RowError(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


# =========================================================================== record → Document
def _match_column(field: str, names: Iterable[Any]) -> str | None:
    """The column holding ``field``: a default name of :data:`FIELDS` exactly, else one
    that differs only in case or surrounding spaces (``Date``); two such columns are an error."""
    names = [n for n in names if isinstance(n, str)]
    for candidate in FIELDS[field]:
        if candidate in names:
            return candidate
    for candidate in FIELDS[field]:
        hits = [n for n in names if n.strip().casefold() == candidate]
        if len(hits) > 1:
            raise _AmbiguousColumn(field, hits)
        if hits:
            return hits[0]
    return None


class _AmbiguousColumn(Exception):
    def __init__(self, field: str, names: list[str]):
        super().__init__(f"columns {names} could each be the field {field!r} (they differ only in case or spaces); "
                         f"rename one, or map the field to one of them (--columns {field}=NAME, "
                         f"columns={{'{field}': NAME}} in Python)")


def _resolve_columns(source: _Source, columns: Mapping[str, str] | None) -> dict[str, str | None]:
    columns = dict(columns or {})
    unknown_fields = sorted(set(columns) - set(FIELDS))
    if unknown_fields:
        raise CorpusError(f"{source.name}: unknown field(s) {unknown_fields} in the column mapping; "
                          f"fields are {sorted(FIELDS)}")
    available = list(source.columns)
    open_schema = getattr(source, "open_schema", False)
    resolved: dict[str, str | None] = {}
    for field in FIELDS:
        if field in columns:
            # keys of JSON Lines records may first appear after the records the columns were read from
            if available and columns[field] not in available and not open_schema:
                raise CorpusError(f"{source.name}: column mapping {field}={columns[field]!r}: no column "
                                  f"{columns[field]!r}; the columns are {available}")
            resolved[field] = columns[field]
        else:
            try:
                resolved[field] = _match_column(field, available)
            except _AmbiguousColumn as exc:
                raise CorpusError(f"{source.name}: header: {exc}") from None
    text_field = "file" if isinstance(source, _FolderSource) else "text"
    if available and resolved[text_field] is None:
        hint = "file" if text_field == "file" else "text"
        raise CorpusError(f"{source.name}: no {hint!r} column (the columns are {available}); map yours with "
                          f"--columns {hint}=YOUR_COLUMN (in Python: columns={{'{hint}': 'YOUR_COLUMN'}})")
    return resolved


def _record_columns(cols: dict[str, str | None], record: Mapping[str, Any], fixed: set[str]) -> dict[str, str | None]:
    """For records that need not share keys (JSON Lines): a field not found among the
    first records' keys (and not mapped by the user, ``fixed``) is looked up in this record."""
    missing = tuple(f for f, c in cols.items() if c is None and f not in fixed)
    if not missing:
        return cols
    found = dict(cols)
    for field, column in _columns_among(missing, tuple(record)):
        if isinstance(column, _AmbiguousColumn):
            raise _RowError(field, str(column))
        found[field] = column
    return found


@lru_cache(maxsize=256)
def _columns_among(fields: tuple[str, ...], keys: tuple) -> tuple:
    """``(field, column)`` for each of ``fields`` among a record's ``keys`` (records of one
    file mostly share their keys: looked up once per set of keys); ``column`` is the
    :class:`_AmbiguousColumn` error when two keys match, the fields after it left out."""
    out = []
    for field in fields:
        try:
            out.append((field, _match_column(field, keys)))
        except _AmbiguousColumn as exc:
            out.append((field, exc))
            break
    return tuple(out)


_NUL = "\x00"


def _check_characters(record: Mapping[str, Any], cols: Mapping[str, str | None]) -> None:
    """A NUL character is not text: it means a binary file or a wrong encoding. A lone
    surrogate (a JSON escape ``\\ud800``-``\\udfff`` without its pair, or a string built in
    Python) is half of a UTF-16 pair, not a character: no table holding it could be written."""
    field_of = None
    for key, v in record.items():
        if not isinstance(v, str):
            continue
        if _NUL in v:
            problem = (f"holds a NUL character at position {v.index(_NUL)}: not text; the file may be binary "
                       f"or in another encoding (UTF-16: --encoding utf-16, encoding='utf-16' in Python)")
        elif v.isascii():
            continue
        else:
            try:
                v.encode("utf-8")
                continue
            except UnicodeEncodeError as exc:
                problem = (f"holds a lone surrogate (U+{ord(v[exc.start]):04X}) at position {exc.start}: half of "
                           f"a UTF-16 pair, not a character (in JSON an escape \\u{ord(v[exc.start]):04x} "
                           f"without its partner); correct the file, or skip the row (on_error='skip')")
        if field_of is None:
            field_of = {c: f for f, c in cols.items() if c is not None}
        field = field_of.get(key, str(key))
        column = f" (column {key!r})" if field != key else ""
        raise _RowError(field, f"{column} {problem}".lstrip())


def _missing(v) -> bool:  # str.isspace stops at the first other character; strip() copies the text
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and (not v or v.isspace()))


def _make_document(where: str, record: dict[str, Any], cols: dict[str, str | None], source: _Source,
                   row_index: int, clean: bool | None, fixed: set[str] = frozenset(), reflow: bool = False,
                   column_cache: dict | None = None) -> Document:
    """The document of one record. ``column_cache`` (a dict kept by the caller for one
    source): the columns of records of an open schema, by their keys, so that records that
    share their keys are matched to fields once."""
    if getattr(source, "open_schema", False):
        if column_cache is None:
            cols = _record_columns(cols, record, fixed)
        else:
            keys = tuple(record)
            found = column_cache.get(keys)
            if found is None:
                found = _record_columns(cols, record, fixed)  # an error is raised again for the next such record
                if len(column_cache) >= 1024:  # records of ever new keys: keep the memory bounded
                    column_cache.clear()
                column_cache[keys] = found
            cols = found
    if type(record) is not _PlainText:
        _check_characters(record, cols)
    missing = _missing

    def value(field):
        col = cols.get(field)
        return record.get(col) if col is not None else None

    # text
    if isinstance(source, _FolderSource):
        text = source.read_text(where, value("file"))
        text_label = f"file {value('file')!r}"
        if _NUL in text:
            raise _RowError("file", f"names a text file whose text holds a NUL character at position "
                                    f"{text.index(_NUL)}: not text (a binary file, or another encoding such as "
                                    f"UTF-16: --encoding utf-16)")
    else:
        text = value("text")
        text_label = f"column {cols['text']!r}"
        if text is not None and not isinstance(text, str):
            raise _RowError("text", f"({text_label}) is a {type(text).__name__}, expected text")
    if missing(text):
        raise _RowError("text", f"({text_label}) is missing or empty")

    # id
    raw_id = value("id")
    if cols.get("id") is None:
        doc_id = f"doc-{row_index}"
    elif missing(raw_id):
        raise _RowError("id", f"(column {cols['id']!r}) is missing or empty")
    elif isinstance(raw_id, (bool, dict, list)):
        raise _RowError("id", f"(column {cols['id']!r}) is {json.dumps(raw_id)}, expected text or a number")
    else:
        doc_id = str(int(raw_id)) if isinstance(raw_id, float) and raw_id.is_integer() else str(raw_id).strip()

    # date
    date, precision = None, None
    raw_date = value("date")
    if cols.get("date") is not None and not missing(raw_date):
        if isinstance(raw_date, bool):
            raise _RowError("date", f"(column {cols['date']!r}) is {json.dumps(raw_date)}, not a date")
        try:
            date, precision = parse_date(raw_date)
        except (ValueError, OverflowError) as exc:
            raise _RowError("date", f"(column {cols['date']!r}): {exc}") from None
    raw_year = value("year")
    if cols.get("year") is not None and not missing(raw_year):
        if isinstance(raw_year, bool):  # JSON true/false: Python would read it as the year 1 or 0
            raise _RowError("year", f"(column {cols['year']!r}) is {json.dumps(raw_year)}, not a year")
        try:
            year = int(float(raw_year)) if not isinstance(raw_year, int) else raw_year
            if float(raw_year) != year:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            raise _RowError("year", f"(column {cols['year']!r}): cannot read {raw_year!r} as a year") from None
        if not _dt.MINYEAR <= year <= _dt.MAXYEAR:
            raise _RowError("year", f"(column {cols['year']!r}): {raw_year!r} is not a year "
                                    f"({_dt.MINYEAR}-{_dt.MAXYEAR})")
        if date is None:
            date, precision = _dt.date(year, 1, 1), "year"
        elif date.year != year:
            raise _RowError("year", f"(column {cols['year']!r}) says {year} but the date says {date.isoformat()}")

    meta: dict[str, Any] = {}
    for field in ("title", "outlet"):
        v = value(field)
        meta[field] = None if missing(v) else v
    used = {c for f, c in cols.items() if c is not None and f in ("id", "text", "date", "year", "title", "outlet")}
    for key, v in record.items():
        if key not in used and key not in meta:
            meta[key] = v
    meta.setdefault("source_file", getattr(source, "source_file", source.name))
    # Document.raw keeps the input as loaded (a page's HTML, a text before re-flowing or cleaning)
    raw = getattr(record, "original", None)
    if reflow:
        loaded = text
        text, reflowed = _reflow_text(text)
        meta["reflowed"] = reflowed
        if reflowed and raw is None:
            raw = loaded
    if clean is None:
        clean = isinstance(source, _HtmlSource) and _cjk_share(text[:5000]) < 0.5
    meta["cleaned"] = bool(clean)
    if clean:
        from .cleaning import clean_text

        if raw is None:
            raw = text
        text = clean_text(text).text
    if missing(meta.get("language")):  # detected when the source does not say (see sco_discourse.language)
        meta["language"] = _detect_language(text)
    return Document(doc_id=doc_id, text=text, date=date, date_precision=precision, meta=meta, raw=raw)


def _cjk_share(text: str) -> float:
    from .html import cjk_share

    return cjk_share(text)


def _iter_documents(source: _Source, cols, on_error: str, clean: bool | None, skipped: list | None,
                    known_duplicates: set[int] | None = None, found_duplicates: set[int] | None = None,
                    fixed: set[str] = frozenset(), mapped_seen: set[str] | None = None,
                    reflow: bool = False, first_index: int = 1, full_where: bool = False) -> Iterator[Document]:
    # Checking ids (and a folder's unlisted files) keeps one entry per document, so it is done
    # once, in the validation pass; later passes get the rows it found (`known_duplicates`) and
    # hold one document at a time.
    full_check = known_duplicates is None
    seen: dict[str, str] = {}
    listed: set[str] = set()
    full_where = full_where or getattr(source, "full_where", False)
    column_cache: dict = {}
    for index, (where, record) in enumerate(source.rows(), first_index):
        if not full_check and index in known_duplicates:
            continue  # already reported by the validation pass
        try:
            if isinstance(record, _BadRow):
                raise _RowError(record.field, record.reason)
            if mapped_seen is not None:
                mapped_seen.update(cols[f] for f in fixed if cols[f] in record)
            if full_check and isinstance(source, _FolderSource) and cols.get("file"):
                listed.add(str(record.get(cols["file"]) or "").strip())
            doc = _make_document(where, record, cols, source, index, clean, fixed, reflow, column_cache)
            if full_check and doc.doc_id in seen:
                if found_duplicates is not None:
                    found_duplicates.add(index)
                raise _RowError("id", f"duplicate id {doc.doc_id!r} (first seen at {seen[doc.doc_id]})")
        except _RowError as err:
            message = f"field {err.field!r} {err.reason}" if err.field != "row" else err.reason
            if on_error == "raise":
                raise CorpusError(f"{where}: {message}") from None
            if skipped is not None:
                skipped.append((where, message))
            continue
        if full_check:
            seen[doc.doc_id] = where if full_where else where.split(": ", 1)[-1]
        yield doc
    if full_check and isinstance(source, _FolderSource):
        extra = source.unlisted_files(listed)
        if extra:
            shown = ", ".join(extra[:10]) + (" ..." if len(extra) > 10 else "")
            message = f"{len(extra)} text file(s) in the folder are not listed in the metadata CSV: {shown}"
            if on_error == "raise":
                raise CorpusError(f"{source.name}: {message}")
            if skipped is not None:
                skipped.append((source.name, message))


def _doc_bytes(doc: Document) -> int:
    size = sys.getsizeof(doc.text)
    if doc.raw is not None and doc.raw is not doc.text:
        size += sys.getsizeof(doc.raw)
    return size


def _build_corpus(source: _Source, *, columns, on_error: str, clean: bool | None, reflow: bool,
                  validate: bool, keep_mb: float = 0.0) -> Corpus:
    cols = _resolve_columns(source, columns)
    fixed = set(columns or {})
    skipped: list = []
    duplicates: set[int] = set()
    undated: list[tuple[str, str]] = []
    length = None
    fingerprint = None
    kept: list[Document] | None = None
    if validate:
        mapped_seen: set[str] = set()
        # without cleaning, the validation pass (which re-flows as every later pass does) reads
        # exactly the documents every later pass yields: fingerprint them now rather than read
        # the corpus again for provenance
        may_clean = clean or (clean is None and isinstance(source, _HtmlSource))
        digest = None if may_clean else hashlib.sha256()
        # a folder of shards: one fingerprint per shard, combined (what a worker reading one
        # shard can compute, so every engine records the same)
        per_shard = [hashlib.sha256() for _ in source.files] if isinstance(source, _ShardSource) else None
        length = 0
        # the documents of this pass are those the first iteration yields (same rows, duplicates
        # left out, no cleaning): keep them within the budget, so that iteration reads nothing
        # (not for shards: a pass over them also tells which shard each document came from)
        budget = keep_mb * 1e6 if not (may_clean or per_shard is not None) else 0
        kept = [] if budget > 0 else None
        kept_bytes = 0
        for doc in _iter_documents(source, cols, on_error, clean=False, skipped=skipped,
                                   found_duplicates=duplicates, fixed=fixed, mapped_seen=mapped_seen,
                                   reflow=reflow):
            length += 1
            if kept is not None:
                kept_bytes += _doc_bytes(doc)
                if kept_bytes > budget:
                    kept = None
                else:
                    kept.append(doc)
            if digest is not None:
                add_to_fingerprint(digest if per_shard is None else per_shard[source.current], doc)
            if doc.date is None and isinstance(source, _HtmlSource):
                undated.append((doc.doc_id, str(doc.meta.get("source_file"))))
        fingerprint = digest.hexdigest() if digest is not None and length else None
        if fingerprint is not None and per_shard is not None:
            fingerprint = combine_fingerprints([d.hexdigest() for d in per_shard])
        never = sorted(f"{f}={cols[f]!r}" for f in fixed if cols[f] not in mapped_seen)
        if never and getattr(source, "open_schema", False):  # a key no record has: a typo, not a missing value
            raise CorpusError(f"{source.name}: column mapping {', '.join(never)}: no record has that key; "
                              f"keys of the first records: {list(source.columns)}")
        if length == 0:
            detail = f"; all {len(skipped)} row(s) were bad, the first: {skipped[0][0]}: {skipped[0][1]}" \
                if skipped else ""
            raise CorpusError(f"{source.name}: the corpus is empty (no documents){detail}")

    record_skips = [not validate]  # without a validation pass, the first full iteration reports skips
    cache = [kept]  # the validated documents, until an iteration runs to its end

    def factory() -> Iterator[Document]:
        documents = cache[0]
        if documents is not None:
            yield from documents
            cache[0] = None  # one complete iteration: from now on, stream from the input
            return
        produced = 0
        report_to = skipped if record_skips[0] else None
        record_skips[0] = False
        for doc in _iter_documents(source, cols, on_error, clean, skipped=report_to,
                                   known_duplicates=duplicates if validate else None, fixed=fixed,
                                   reflow=reflow):
            produced += 1
            yield doc
        if produced == 0:
            raise CorpusError(f"{source.name}: the corpus is empty (no documents)")

    corpus = Corpus(factory, name=source.name, length=length, skipped=skipped)
    corpus._fingerprint = fingerprint
    if isinstance(source, _ShardSource):
        corpus.shards = Shards(source, cols, fixed, on_error=on_error, clean=clean, reflow=reflow)
        corpus.shards.validated = validate
        corpus.shards.record_skips = record_skips  # a first full reading (any engine) lists the bad rows
    if undated:
        corpus.undated = undated
    return corpus
