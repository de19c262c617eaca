"""The frame-by-document matrix: what :meth:`Matcher.count` returns and frame statistics take.

A :class:`FrameMatrix` is a :class:`~sco_discourse.dtm.DTM` whose features are the
frame/variant keys of a lexicon instead of terms: the same class family, so grouping
(:meth:`~sco_discourse.dtm.DTM.group`), row selection and the documents table work the
same way, and keyword statistics can even be run on frames (``keyness(fm, by=...)``
lists the frames and variants a group over-uses).

Counting streams: documents are read one at a time, and with ``by`` only the sums of each
group are kept (memory grows with groups x keys, not with documents).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._kernels import english_passes
from ..dtm import DTM
from ..errors import InputError
from ..text import _counts_from_codes, _folded_codes, count_characters, count_tokens
from .matcher import Matcher, _prepare, key_name, language_lexicon_attrs, lexicon_attrs, map_documents

__all__ = ["FrameMatrix", "count_frames", "with_specific"]


@dataclass(repr=False)
class FrameMatrix(DTM):
    """Counts of every frame and variant per document (or group): a DTM over frame keys.

    Build it with :meth:`Matcher.count`. A mention adds one to its frame's total column
    and one to its variant's column, so a frame total equals the sum of its variants.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of int64, shape (n_rows, n_keys)
    vocabulary : numpy.ndarray of str
        Column names: ``"shared_future"`` for a frame total, ``"shared_future/mankind"``
        for a variant (:func:`key_name`).
    keys : list of (frame, variant)
        The same columns as pairs, ``variant`` "" for the total (lexicon order).
    specific : list of bool
        Per key: False for generic vocabulary (``specific: false`` in the lexicon, see
        :meth:`sco_discourse.lexicons.Lexicon.key_table`): the rate counts the word, not
        necessarily the frame. Empty means every key is specific.
    docs : pandas.DataFrame
        Per document: the documents table (``doc_id, date, date_precision, year`` and
        every scalar metadata field) and ``n_tokens`` (:func:`sco_discourse.text.count_tokens`).
        Per group: the group columns, ``n_docs``, ``n_tokens``.
    doc_counts : scipy.sparse.csr_matrix or None
        Per group: documents of the group with at least one mention of each key.
    groups : list of str or None
        The group columns when the rows are groups.
    weights : numpy.ndarray or None
        Per document: the weight of each document of a corpus deduplicated with
        ``dedupe="weight"`` (1/size of its cluster of copies; the documents-table column
        ``dedupe_weight``). Counts stay per document as read; :meth:`group`, counting with
        ``by`` and :func:`~sco_discourse.frames.frame_counts` weight them; a grouped
        matrix of a weighted corpus holds weighted sums (floats).
    attrs : dict
        Provenance, copied into every table made from the matrix: the lexicon that
        produced the counts (``lexicon``, ``lexicon_name``, ``lexicon_version``,
        ``lexicon_sha256``), the corpus (:func:`sco_discourse.provenance.corpus_attrs`) and
        the documents without a token (``n_empty_docs``, ``empty_docs``: the first ids).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> by_year = Matcher().count(load_corpus(), by="year")
    >>> by_year.docs[["year", "n_docs"]].values.tolist()
    [[2020, 1], [2021, 4], [2022, 1], [2023, 1], [2024, 1]]
    >>> by_year.keys[:2], list(by_year.vocabulary[:2])
    ([('shared_future', ''), ('shared_future', 'mankind')], ['shared_future', 'shared_future/mankind'])
    """

    keys: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    specific: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"<FrameMatrix {self.name!r}: {self._rows_label()} x {self.n_terms} frame/variant keys; "
                f"lexicon {self.attrs.get('lexicon', '?')}>")

    def key_index(self, frame: str, variant: str = "") -> int:
        """Column of a frame total (``variant=""``) or of a variant."""
        index = self.term_index(key_name(frame, variant))
        if index is None:
            raise InputError(f"no frame/variant {key_name(frame, variant)!r} in lexicon "
                             f"{self.attrs.get('lexicon', '?')}")
        return index

    def key_flags(self) -> pd.DataFrame:
        """``frame, variant, specific`` per key, in column order: what a counts table shows
        next to each frame so that generic vocabulary is not read as the frame.

        Examples
        --------
        >>> from sco_discourse import load_corpus
        >>> flags = Matcher().count(load_corpus()).key_flags()
        >>> flags.query("frame == 'multilateralism'")["specific"].tolist()
        [False, True, False]
        """
        specific = list(self.specific) if self.specific else [True] * len(self.keys)
        return pd.DataFrame({"frame": [k[0] for k in self.keys], "variant": [k[1] for k in self.keys],
                             "specific": np.asarray(specific, dtype=bool)})


def with_specific(table: pd.DataFrame, fm: FrameMatrix) -> pd.DataFrame:
    """``table`` (with ``frame, variant`` columns) with the key's ``specific`` flag
    inserted after ``variant``; rows and order unchanged."""
    if not hasattr(fm, "key_flags"):  # a matrix made by hand: no lexicon flags to show
        table.insert(table.columns.get_loc("variant") + 1, "specific", True)
        return table
    flags = fm.key_flags()
    lookup = dict(zip(zip(flags["frame"], flags["variant"]), flags["specific"]))
    values = [lookup.get(key, True) for key in zip(table["frame"], table["variant"])]
    table.insert(table.columns.get_loc("variant") + 1, "specific", np.asarray(values, dtype=bool))
    return table


def _key_specific(matcher: Matcher, keys: list, languages: set) -> list[bool]:
    """Per key: specific unless a lexicon that counts it marks it ``specific: false``."""
    lexicons = [matcher.lexicon] + ([matcher.lexicon_for("zh")] if "zh" in set(languages) else [])
    flags: dict = {}
    for lexicon in lexicons:
        for frame, variant, specific in lexicon.key_table()[["frame", "variant", "specific"]].itertuples(index=False):
            flags[(frame, variant)] = flags.get((frame, variant), True) and bool(specific)
    return [flags.get(key, True) for key in keys]


def _spans_and_counts(matcher: Matcher, text: str, language: str | None, year) -> tuple[list, int, int]:
    """Mentions, tokens and characters of one document. English: the match text and both
    counts in one compiled call (:func:`sco_discourse._kernels.english_passes`), or else
    from one array of code points; Chinese, a text of unknown language with letters beyond
    ASCII (its language is detected) and text beyond the BMP: the string path."""
    if language != "zh":
        compiled = english_passes(text)
        if compiled is not None:
            prepared, (n_tokens, n_characters) = compiled
            return matcher._find_text(text, year, prepared=prepared)[0], n_tokens, n_characters
        codes, folded = _folded_codes(text)
        if codes is not None and (language is not None or codes.dtype == np.uint8):
            spans = matcher._find_text(text, year, prepared=_prepare(text, codes, folded))[0]
            return (spans, *_counts_from_codes(text, codes, folded))
    return matcher._spans(text, language, year), count_tokens(text, language=language), count_characters(text)


def _count_item(matcher: Matcher, item: tuple[Any, str, str | None, Any]) -> tuple[Any, int, int, str | None, list[int]]:
    """Worker: (key, tokens, characters, language, key indices hit) for one document read
    in its language and dated by its year (``since`` rules); a mention adds to its frame's
    total column and to its variant's column."""
    key, text, language, year = item
    index = matcher.key_index
    spans, n_tokens, n_characters = _spans_and_counts(matcher, text, language, year)
    hits: list[int] = []
    for _, _, frame, variant in spans:
        hits.append(index[(frame, "")])
        if variant:
            hits.append(index[(frame, variant)])
    return key, n_tokens, n_characters, language, hits


#: How many ids of documents without tokens a matrix (and its tables) lists; all are counted.
LISTED_EMPTY = 20


def _new_matrix(matcher: Matcher, corpus, matrix, docs, *, empty: list, n_empty: int, languages: set,
                doc_counts=None, groups=None) -> FrameMatrix:
    from ..provenance import corpus_attrs

    # the columns of the lexicons the documents were read with (all_keys while counting)
    keys = matcher.keys_for(languages)
    columns = [matcher.key_index[k] for k in keys]
    matrix = matrix[:, columns].tocsr()
    if doc_counts is not None:
        doc_counts = doc_counts[:, columns].tocsr()
    attrs = {**lexicon_attrs(matcher.lexicon), **language_lexicon_attrs(matcher, languages), **corpus_attrs(corpus),
             "n_empty_docs": n_empty, "empty_docs": list(empty[:LISTED_EMPTY])}
    return FrameMatrix(matrix, np.array([key_name(f, v) for f, v in keys], dtype=object), docs,
                       np.ones(len(keys), dtype=np.int64), None, {"lexicon": matcher.lexicon.label},
                       getattr(corpus, "name", "corpus"), doc_counts, groups, keys=keys, attrs=attrs,
                       specific=_key_specific(matcher, keys, languages))


def count_frames(matcher: Matcher, corpus, *, by=None, n_jobs: int = 1, progress: bool = False,
                 dedupe=None) -> FrameMatrix:
    """The frame matrix of a corpus; what :meth:`Matcher.count` does (see there)."""
    from ..corpus.duplicates import WEIGHT_FIELD, apply_dedupe
    from ..groups import doc_record, documents_table
    from ..language import document_language

    corpus = apply_dedupe(corpus, dedupe, where="Matcher.count")
    name = getattr(corpus, "name", "corpus")
    n_keys = len(matcher.all_keys)
    total = getattr(corpus, "_length", None)
    languages: set = set()
    if by is None:
        records: list[dict] = []
        tokens, characters, rows, cols = array("q"), array("q"), array("q"), array("q")

        def items():
            for i, doc in enumerate(corpus):
                records.append(doc_record(doc))
                yield i, doc.text, document_language(doc), doc.year

        for i, n_tokens, n_chars, language, hits in map_documents(
                _count_item, items(), matcher, n_jobs=n_jobs, progress=progress, total=total,
                desc="counting frames"):
            tokens.append(n_tokens)
            characters.append(n_chars)
            languages.add(language)
            rows.extend([i] * len(hits))
            cols.extend(hits)
        if not records:
            raise InputError(f"{name}: the corpus has no documents")
        rows_np = np.frombuffer(rows, dtype=np.int64) if len(rows) else np.zeros(0, dtype=np.int64)
        cols_np = np.frombuffer(cols, dtype=np.int64) if len(cols) else np.zeros(0, dtype=np.int64)
        matrix = sp.csr_matrix((np.ones(len(rows_np), dtype=np.int64), (rows_np, cols_np)),
                               shape=(len(records), n_keys), dtype=np.int64)
        matrix.sum_duplicates()
        docs = documents_table(records)
        docs["n_tokens"] = np.frombuffer(tokens, dtype=np.int64).copy()
        docs["n_characters"] = np.frombuffer(characters, dtype=np.int64).copy()
        empty = docs.loc[docs["n_tokens"] == 0, "doc_id"].tolist()
        return _new_matrix(matcher, corpus, matrix, docs, empty=empty, n_empty=len(empty), languages=languages)

    from collections import deque

    from ..groups import Grouping

    grouping = Grouping(by, where=name)
    code_of: dict[tuple, int] = {}
    # sums in float64 are exact for integer counts; a corpus weighted by duplicate cluster
    # (dedupe="weight") adds weight x count
    counts: list[np.ndarray] = []
    with_mention: list[np.ndarray] = []
    group_tokens: list[float] = []
    group_chars: list[float] = []
    group_docs: list[float] = []
    group_empty: list[float] = []
    weighted = False
    n_empty = 0
    empty: list[str] = []
    in_flight: deque = deque()  # (id, weight) of the documents sent to be counted

    def grouped_items():
        for doc in corpus:
            key = grouping.doc_key(doc)
            code = code_of.get(key)
            if code is None:
                code = code_of[key] = len(counts)
                counts.append(np.zeros(n_keys))
                with_mention.append(np.zeros(n_keys))
                group_tokens.append(0.0)
                group_chars.append(0.0)
                group_docs.append(0.0)
                group_empty.append(0.0)
            in_flight.append((doc.doc_id, doc.meta.get(WEIGHT_FIELD)))
            yield code, doc.text, document_language(doc), doc.year

    for code, n_tokens, n_chars, language, hits in map_documents(
            _count_item, grouped_items(), matcher, n_jobs=n_jobs, progress=progress, total=total,
            desc="counting frames"):
        doc_id, weight = in_flight.popleft()
        weight = 1.0 if weight is None else float(weight)
        weighted |= weight != 1.0  # a corpus without copies keeps integer counts
        languages.add(language)
        group_tokens[code] += weight * n_tokens
        group_chars[code] += weight * n_chars
        group_docs[code] += weight
        if n_tokens == 0:
            group_empty[code] += weight
            n_empty += 1
            if len(empty) < LISTED_EMPTY:
                empty.append(doc_id)
        if hits:
            per_doc = np.bincount(hits, minlength=n_keys)
            counts[code] += weight * per_doc
            with_mention[code] += weight * (per_doc > 0)
    grouping.check_keys(code_of, name)
    order = grouping.order(code_of)
    permutation = np.array([code_of[key] for key in order], dtype=np.int64)
    docs = grouping.labels(order)
    kind = float if weighted else np.int64
    docs["n_docs"] = np.asarray(group_docs)[permutation].astype(kind)
    docs["n_empty_docs"] = np.asarray(group_empty)[permutation].astype(kind)
    docs["n_tokens"] = np.asarray(group_tokens)[permutation].astype(kind)
    docs["n_characters"] = np.asarray(group_chars)[permutation].astype(kind)
    matrix = sp.csr_matrix(np.vstack(counts)[permutation].astype(kind))
    doc_counts = sp.csr_matrix(np.vstack(with_mention)[permutation].astype(kind))
    return _new_matrix(matcher, corpus, matrix, docs, empty=empty, n_empty=n_empty, languages=languages, doc_counts=doc_counts, groups=grouping.columns)
