"""The embedded seed corpus: eight articles from five saved news pages (2020–2024).

The package ships the five raw pages unchanged (``sco_discourse/data/seeds/*.txt``) and a
manifest (``manifest.csv``) with one row per article. :func:`load_seed_corpus` splits each
page into its articles, cleans each article with :func:`~sco_discourse.corpus.cleaning.clean_text`
and attaches the manifest's metadata.

Splitting
---------
A page is split by a general rule, not by offsets: **an article starts at the line
holding its headline** as listed in the manifest (``headline_line``, compared after
stripping surrounding blanks), searched in manifest order from the previous article's
start. Each article's segment runs to the start of the next article's headline line (or
to the end of the page); whatever comes before the first headline (a page header) belongs
to the first article's segment, so the segments of a page concatenate back to the page
exactly. A page with one article is one segment.

``Document.raw`` is the article's segment of the page (for a one-article page, the whole
page), so ``clean_text(doc.raw).text == doc.text`` and ``explain(doc.raw)`` lists what
cleaning removed from it. The page itself stays the provenance: ``source_file`` names
it, ``raw_sha256`` is its SHA-256, and ``segment_start``/``segment_end`` are the
segment's character offsets in the page.

Dates
-----
Every date is read from the page text, never guessed. ``date_method`` says how:
``"release-time line"`` (a publication stamp such as "Release time: Jul 01, 2024"),
``"dateline"`` (e.g. "Beijing, September 12", with the year inferred from the text and
the evidence quoted) or ``"inferred from content: <evidence quoted from the text>"``
where the page carries no date. ``date_precision`` is "day", "month" or "year"; the
manifest writes the date at that precision ("2021", "2021-06", "2020-11-12") and the
Document holds the first day of the period.

Manifest columns
----------------
doc_id, source_file, headline_line (the article's headline as the page shows it), title
(the headline without page furniture), outlet (the publisher as the page shows it; empty
when the page does not name it), original_source (the agency the page says it republishes,
e.g. "Xinhua"; empty otherwise), date, date_precision, date_method, date_evidence (the
words the date was read from), language, url (empty: no page shows its address),
raw_sha256 (SHA-256 of the raw page file), notes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources

import pandas as pd

from ..errors import CorpusError
from .cleaning import clean_text
from .model import Corpus, Document

__all__ = ["load_seed_corpus", "seed_manifest", "split_page", "MANIFEST_COLUMNS"]

#: Columns of ``data/seeds/manifest.csv``, in order.
MANIFEST_COLUMNS = (
    "doc_id", "source_file", "headline_line", "title", "outlet", "original_source", "date",
    "date_precision", "date_method", "date_evidence", "language", "url", "raw_sha256", "notes",
)
_MANIFEST = "manifest.csv"
# The manifest writes dates in one form per precision; parse_date reads them.
_DATE_FORMS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "year": re.compile(r"^\d{4}$"),
}
_METHODS = ("release-time line", "dateline", "inferred from content: ")


def _seed_dir():
    return resources.files("sco_discourse").joinpath("data", "seeds")


@lru_cache(maxsize=1)
def _manifest_rows() -> tuple[dict[str, str], ...]:
    text = _seed_dir().joinpath(_MANIFEST).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != MANIFEST_COLUMNS:
        raise CorpusError(f"{_MANIFEST}: columns {reader.fieldnames} differ from {list(MANIFEST_COLUMNS)}")
    rows = tuple(reader)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # header is row 1
        where = f"{_MANIFEST}, row {number}"
        for column in ("doc_id", "source_file", "headline_line", "title", "date", "date_precision", "date_method"):
            if not row[column].strip():
                raise CorpusError(f"{where}, field {column!r}: empty")
        if row["doc_id"] in seen:
            raise CorpusError(f"{where}, field 'doc_id': duplicate id {row['doc_id']!r}")
        seen.add(row["doc_id"])
        _parse_date(row["date"], row["date_precision"], where)
        if not row["date_method"].startswith(_METHODS):
            raise CorpusError(f"{where}, field 'date_method': {row['date_method'][:40]!r} is not one of "
                              f"'release-time line', 'dateline...', 'inferred from content: ...'")
    return rows


def _parse_date(value: str, precision: str, where: str) -> _dt.date:
    """The manifest's date, read by the package's one date parser, at the stated precision."""
    from .loaders import parse_date

    if precision not in _DATE_FORMS:
        raise CorpusError(f"{where}, field 'date_precision': {precision!r} is not day, month or year")
    if not _DATE_FORMS[precision].match(value):
        raise CorpusError(f"{where}, field 'date': {value!r} does not have {precision} precision "
                          "(write YYYY-MM-DD, YYYY-MM or YYYY)")
    try:
        return parse_date(value)[0]
    except ValueError as exc:
        raise CorpusError(f"{where}, field 'date': {value!r} is not a valid date ({exc})") from None


def seed_manifest() -> pd.DataFrame:
    """The manifest of the embedded seed corpus, one row per article.

    Returns
    -------
    pandas.DataFrame
        Columns (all strings, empty when unknown): ``doc_id``, ``source_file``,
        ``headline_line``, ``title``, ``outlet``, ``original_source``, ``date``
        ("YYYY-MM-DD", "YYYY-MM" or "YYYY" at the stated precision), ``date_precision``,
        ``date_method``, ``date_evidence``, ``language``, ``url``, ``raw_sha256``, ``notes``.

    Examples
    --------
    >>> manifest = seed_manifest()
    >>> manifest[["doc_id", "date", "date_precision"]].tail(3)
          doc_id        date date_precision
    5  seed-002d        2021           year
    6   seed-003  2022-09-12            day
    7   seed-004  2024-07-01            day
    """
    return pd.DataFrame(list(_manifest_rows()), columns=list(MANIFEST_COLUMNS))


def split_page(page: str, headlines: Sequence[str], *, source: str = "page") -> list[tuple[int, int]]:
    """Split a page into article segments, each starting at its headline line.

    Parameters
    ----------
    page : str
        The raw page text.
    headlines : sequence of str
        The articles' headline lines in page order, as the page shows them (surrounding
        blanks are ignored when comparing).
    source : str
        Name of the page, used in error messages.

    Returns
    -------
    list of (start, end)
        Character offsets of each article's segment. The first segment starts at 0 (the
        page header goes with the first article) and the last ends at ``len(page)``;
        consecutive segments meet, so they concatenate back to the page.

    Raises
    ------
    CorpusError
        If a headline is not found as a line of the page after the previous one.

    Examples
    --------
    >>> page = "Menu\\nFirst story\\nText one.\\nSecond story\\nText two."
    >>> [page[a:b] for a, b in split_page(page, ["First story", "Second story"])]
    ['Menu\\nFirst story\\nText one.\\n', 'Second story\\nText two.']
    """
    line_starts, offset = [], 0
    for line in page.split("\n"):
        line_starts.append((offset, line.strip()))
        offset += len(line) + 1
    starts: list[int] = []
    position = 0  # index into line_starts where the search resumes
    for number, headline in enumerate(headlines, start=1):
        wanted = headline.strip()
        for index in range(position, len(line_starts)):
            if line_starts[index][1] == wanted:
                starts.append(line_starts[index][0])
                position = index + 1
                break
        else:
            raise CorpusError(f"{source}: headline {number} {wanted[:60]!r} is not a line of the page "
                              "(after the previous article's headline)")
    if not starts:
        return []
    bounds = [0] + starts[1:] + [len(page)]
    return list(zip(bounds[:-1], bounds[1:]))


@lru_cache(maxsize=1)
def _seed_documents() -> tuple[Document, ...]:
    rows = _manifest_rows()
    by_file: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(rows, start=2):
        by_file.setdefault(row["source_file"], []).append((number, row))
    documents: dict[str, Document] = {}
    for source_file, members in by_file.items():
        path = _seed_dir().joinpath(source_file)
        where = f"{_MANIFEST}, row {members[0][0]}, field 'source_file'"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CorpusError(f"{where}: no file {source_file!r} in the package's seed data") from None
        digest = hashlib.sha256(data).hexdigest()
        for number, row in members:
            if row["raw_sha256"] != digest:
                raise CorpusError(f"{_MANIFEST}, row {number}, field 'raw_sha256': {source_file} has "
                                  f"SHA-256 {digest}, the manifest says {row['raw_sha256']!r}")
        try:
            page = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{source_file}: not valid UTF-8 at byte {exc.start} (tried encoding utf-8)") from None
        segments = split_page(page, [row["headline_line"] for _, row in members], source=source_file)
        for (number, row), (start, end) in zip(members, segments):
            raw = page[start:end]
            meta = {key: row[key] for key in MANIFEST_COLUMNS if key not in ("doc_id", "date", "date_precision")}
            meta.update(segment_start=start, segment_end=end)
            documents[row["doc_id"]] = Document(
                doc_id=row["doc_id"],
                text=clean_text(raw).text,
                date=_parse_date(row["date"], row["date_precision"], f"{_MANIFEST}, row {number}"),
                date_precision=row["date_precision"],
                meta=meta,
                raw=raw,
            )
    return tuple(documents[row["doc_id"]] for row in rows)


def load_seed_corpus() -> Corpus:
    """The embedded seed corpus: 8 cleaned articles from 5 news pages, 2020–2024.

    Returns
    -------
    Corpus
        Documents ``seed-000``, ``seed-001``, ``seed-002a`` … ``seed-002d`` (the four
        articles of one page, in page order), ``seed-003``, ``seed-004``. ``text`` is the
        cleaned article, ``raw`` the article's segment of the page; ``meta`` holds the
        manifest fields (see :func:`seed_manifest`) plus ``segment_start`` and
        ``segment_end``.

    Raises
    ------
    CorpusError
        If the packaged data are damaged (a raw file's SHA-256 differs from the manifest,
        a headline is missing from its page).

    Examples
    --------
    >>> corpus = load_seed_corpus()
    >>> len(corpus)
    8
    >>> doc = corpus["seed-002c"]
    >>> doc.date, doc.date_precision
    (datetime.date(2021, 6, 1), 'month')
    >>> doc.text.splitlines()[0]
    'Wang Yi urges SCO states to make joint efforts in building closer SCO community'
    """
    documents = _seed_documents()

    def factory() -> Iterator[Document]:
        # the parsed pages are cached; each document gets its own metadata dict, so a change a
        # user makes to one document's metadata does not reach the next load_corpus()
        return (replace(doc, meta=dict(doc.meta)) for doc in documents)

    return Corpus(factory, name="embedded seed corpus", length=len(documents))
