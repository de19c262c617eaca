"""The document-term matrix: one pass over the corpus, reused by every count statistic.

:func:`build_dtm` reads each document once, tokenises it with THE tokenizer
(:func:`sco_discourse.text.tokens`) segment by segment, and stores the whole corpus as
one integer token stream (:class:`TokenStream`, 4 bytes per token). Everything else —
unigram and n-gram counts, lemmas, stop-word filters, the sparse matrix — is computed
from that stream with array operations, never by re-reading the text. Keyness,
frequencies and dispersion use :attr:`DTM.matrix`; collocations use :attr:`DTM.stream`.

Decisions
---------
* **Token form.** Tokens are lower-cased (``text.tokens`` default). With
  ``lemma=True`` each distinct form is replaced by its lemma (:func:`text.lemmatize`).
* **n-grams do not cross segment boundaries.** With n-grams (``ngram`` upper bound
  >= 2) the segments are *sentences* (:func:`text.sentence_spans`, which also ends a
  sentence at every paragraph break); otherwise they are paragraphs
  (:func:`text.paragraph_spans`), which saves the cost of sentence splitting. An n-gram is a run of ``n`` consecutive
  tokens inside one segment, joined by single spaces ("shared future").
* **Stop words** (:func:`text.stop_words`, checked on the lower-cased surface form as
  ``text.tokens`` does): ``remove_stop_words=True`` drops unigrams that are stop words
  and n-grams that *begin or end* with one, so "community of health" and "community
  with shared future" are kept while "of the" is dropped. The list is English and
  Chinese (``text.stop_words("zh")``); Chinese text is segmented into words by
  ``text.tokens``, so the same holds for a Chinese corpus.
* **Corpus size.** ``docs["n_tokens"]`` counts *every* token of a document (stop words
  included, before any filter); it is the denominator of rates and of keyness tables,
  so filters change which terms are listed, never the size of the corpus.
* ``min_count`` drops terms whose total count over the corpus is lower.
* **Groups.** :meth:`DTM.group` sums rows by ``by`` as every table of the package
  does (:mod:`sco_discourse.groups`): a column, several columns or a custom group.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import InputError
from .groups import doc_record, documents_table
from .provenance import corpus_attrs
from .text import lemmatize, paragraph_spans, sentence_spans, stop_words, tokens

__all__ = ["DTM", "TokenStream", "build_dtm"]

_MAX_N = 4


class _Vocabulary(dict):
    """str -> consecutive int id, adding unseen strings on lookup."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


@dataclass
class TokenStream:
    """The corpus as one array of token ids (surface forms, lower-cased).

    Attributes
    ----------
    ids : numpy.ndarray of int32, shape (n_tokens,)
        Token ids in corpus order, indices into ``vocabulary``.
    vocabulary : numpy.ndarray of str (object)
        Surface forms, in order of first occurrence.
    doc_starts : numpy.ndarray of int64, shape (n_docs + 1,)
        Document ``i`` is ``ids[doc_starts[i]:doc_starts[i + 1]]``.
    segment_starts : numpy.ndarray of int64
        Position of the first token of every segment (sentence or paragraph).
    segment_unit : {"sentence", "paragraph"}
    """

    ids: np.ndarray
    vocabulary: np.ndarray
    doc_starts: np.ndarray
    segment_starts: np.ndarray
    segment_unit: str

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def segment_ids(self) -> np.ndarray:
        """Segment number of every token position."""
        marks = np.zeros(len(self), dtype=np.int64)
        marks[self.segment_starts] = 1
        return np.cumsum(marks) - 1

    def doc_index(self) -> np.ndarray:
        """Document row number of every token position."""
        return np.repeat(np.arange(len(self.doc_starts) - 1), np.diff(self.doc_starts))

    def forms(self, *, lemma: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token ids in surface or lemma form.

        Returns
        -------
        ids : numpy.ndarray of int32, shape (n_tokens,)
        vocabulary : numpy.ndarray of str
            The forms the ids index (lemmas when ``lemma=True``).
        is_stop : numpy.ndarray of bool, shape (n_tokens,)
            Whether the *surface* token is a stop word.
        """
        stops = stop_words("zh")  # English and Chinese: the Chinese list holds no Latin-script word
        surface_stop = np.fromiter((w in stops for w in self.vocabulary), dtype=bool,
                                   count=len(self.vocabulary))
        is_stop = surface_stop[self.ids]
        if not lemma:
            return self.ids, self.vocabulary, is_stop
        lemmas = np.array([lemmatize(w) for w in self.vocabulary], dtype=object)
        lemma_vocab, surface_to_lemma = np.unique(lemmas, return_inverse=True) if len(lemmas) else (
            lemmas, np.zeros(0, dtype=np.int64))
        return surface_to_lemma.astype(np.int32)[self.ids], lemma_vocab, is_stop


@dataclass(repr=False)
class DTM:
    """A sparse document-term matrix with its vocabulary, documents table and token stream.

    Build it with :func:`build_dtm`; every statistic of :mod:`sco_discourse.keywords`
    takes it, so the text is read once. :meth:`group` sums its rows by groups of
    documents and returns a matrix of the same class whose rows are the groups.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of int64, shape (n_rows, n_terms)
        ``matrix[i, j]`` = occurrences of term ``j`` in document (or group) ``i``.
    vocabulary : numpy.ndarray of str (object), shape (n_terms,)
        Terms; n-grams are space-joined. Ordered by n-gram length, then alphabetically.
    docs : pandas.DataFrame, one row per matrix row
        Per document: the documents table (:func:`sco_discourse.groups.documents_table`:
        ``doc_id, date, date_precision, year`` and every scalar metadata field) and
        ``n_tokens``, which counts every token of the document. Per group (after
        :meth:`group`): the group columns, ``n_docs``, ``n_empty_docs`` (documents
        without a token) and ``n_tokens``.
    term_length : numpy.ndarray of int, shape (n_terms,)
        Number of words in each term (the ``n`` of the n-gram).
    stream : TokenStream or None
        The corpus as token ids, used by collocation statistics (``None`` when built
        with ``keep_stream=False``, and after :meth:`group` or :meth:`select_docs`).
    options : dict
        The options the matrix was built with (``ngram, lemma, remove_stop_words,
        min_count, segment_unit``).
    name : str
        The corpus it was built from (for messages).
    doc_counts : scipy.sparse.csr_matrix or None
        For a grouped matrix: documents of each group containing each term. ``None``
        for a per-document matrix (where it is ``matrix > 0``).
    groups : list of str or None
        The group columns of ``docs`` when the rows are groups; ``None`` when they are
        documents.

    Weights
    -------
    A corpus deduplicated with ``keep="weight"`` (``dedupe="weight"``) carries each
    document's weight (1/size of its cluster of copies) in the documents-table column
    ``dedupe_weight`` (:attr:`weights`). Counts are kept per document as read; grouping
    (:meth:`group`, ``matcher.count(corpus, by=...)``) and the statistics weight them:
    a group's count, tokens, ``n_docs`` and documents containing a term are weighted
    sums, so a cluster of n copies counts as one document (floats, not integers).
    """

    matrix: sp.csr_matrix
    vocabulary: np.ndarray
    docs: pd.DataFrame
    term_length: np.ndarray
    stream: TokenStream | None = None
    options: dict[str, Any] = field(default_factory=dict)
    name: str = "corpus"
    doc_counts: sp.csr_matrix | None = None
    groups: list[str] | None = None

    def __post_init__(self):
        self._index: dict[str, int] | None = None

    # -- shape and lookup ---------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        """Rows of the matrix: documents, or groups when grouped (see :attr:`groups`)."""
        return int(self.matrix.shape[0])

    @property
    def n_terms(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def n_tokens(self) -> int:
        """Tokens in the whole corpus (stop words included)."""
        return int(self.docs["n_tokens"].sum())

    @property
    def is_grouped(self) -> bool:
        return self.groups is not None

    def _rows_label(self) -> str:
        if self.is_grouped:
            n_docs = int(self.docs["n_docs"].sum()) if "n_docs" in self.docs.columns else "?"
            return f"{self.n_docs} groups of {', '.join(self.groups)} ({n_docs} documents)"
        return f"{self.n_docs} documents"

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return (f"<{type(self).__name__} {self.name!r}: {self._rows_label()} x {self.n_terms} terms, "
                f"{self.n_tokens} tokens; {opts}>")

    def term_index(self, term: str) -> int | None:
        """Column of ``term`` (``None`` when it is not in the vocabulary)."""
        if self._index is None:
            self._index = {t: i for i, t in enumerate(self.vocabulary)}
        return self._index.get(term)

    def term_counts(self) -> np.ndarray:
        """Total count of every term over the corpus, shape (n_terms,)."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()

    def presence(self) -> sp.csr_matrix:
        """Documents of each row containing each term: 0/1 per document, counts per group."""
        if self.doc_counts is not None:
            return self.doc_counts
        presence = self.matrix.copy()
        presence.data = np.ones_like(presence.data)
        presence.eliminate_zeros()
        return presence

    def doc_frequencies(self) -> np.ndarray:
        """Number of documents containing every term, shape (n_terms,)."""
        if self.doc_counts is not None:
            return np.asarray(self.doc_counts.sum(axis=0)).ravel().astype(np.int64)
        return np.bincount(self.matrix.indices, minlength=self.n_terms)

    @property
    def weights(self) -> np.ndarray | None:
        """Per-document weights (the ``dedupe_weight`` column), or None: unweighted, or
        already applied (a grouped matrix)."""
        from .corpus.duplicates import WEIGHT_FIELD

        if self.is_grouped or WEIGHT_FIELD not in self.docs.columns:
            return None
        weights = pd.to_numeric(self.docs[WEIGHT_FIELD], errors="coerce").fillna(1.0).to_numpy(dtype=float)
        return None if (weights == 1).all() else weights  # no copies: the unweighted counts, as integers

    def row_docs(self) -> np.ndarray:
        """Documents behind each row: 1 per document, ``n_docs`` per group."""
        if self.is_grouped:  # weighted sums (floats) for a weighted corpus
            return self.docs["n_docs"].to_numpy()
        return np.ones(self.n_docs, dtype=np.int64)

    def row_empty_docs(self) -> np.ndarray:
        """Documents without a token behind each row (no rate can be computed for them)."""
        if self.is_grouped:
            return self.docs["n_empty_docs"].to_numpy()
        return (self.docs["n_tokens"].to_numpy() == 0).astype(np.int64)

    # -- grouping ---------------------------------------------------------------------
    def group_codes(self, by) -> tuple[np.ndarray, pd.DataFrame]:
        """The group of every row and the group labels, for ``by`` as everywhere in the
        package (a column, a list of columns, a custom group; :mod:`sco_discourse.groups`).

        A grouped matrix can be grouped again by its own group columns (or groups
        defined from them), e.g. from ``["iso3", "year"]`` to ``"year"``.

        Returns
        -------
        codes : numpy.ndarray of int64, shape (n_rows,)
        labels : pandas.DataFrame
            One row per group, in the one order; one column per entry of ``by``.

        Raises
        ------
        InputError
            ``by`` names a column the documents table does not have, or a column in
            which no document has a value.
        """
        from .groups import Grouping

        grouping = Grouping(by, where=self.name)
        if self.is_grouped:
            missing = [c for c in grouping.sources if c not in self.docs.columns]
            if missing:
                raise InputError(f"{self.name}: the rows are groups of {', '.join(self.groups)}; they cannot be "
                                 f"grouped by {missing[0]!r} (group the per-document matrix instead)")
        codes, labels = grouping.resolve(self.docs)
        for column in labels.columns:
            if len(labels) and labels[column].isna().all():
                raise InputError(f"{self.name}: no document has a value for {column!r} "
                                 f"(fields: {', '.join(map(str, self.docs.columns))})")
        return codes, labels

    def group(self, by) -> "DTM":
        """Counts summed by groups of documents: a matrix of the same class, one row per group.

        Parameters
        ----------
        by : str, list, mapping or Group
            As everywhere in the package (:mod:`sco_discourse.groups`).

        Returns
        -------
        DTM (or the subclass of ``self``)
            ``docs`` holds the group columns, ``n_docs``, ``n_empty_docs`` (documents
            without a token) and ``n_tokens``; ``doc_counts`` the documents of each group
            containing each term.

        Examples
        --------
        >>> from sco_discourse import Document, Corpus
        >>> dtm = build_dtm(Corpus.from_documents([
        ...     Document("a", "peace and peace", meta={"side": "x"}),
        ...     Document("b", "peace", meta={"side": "y"}),
        ...     Document("c", "peace", meta={"side": "x"})]))
        >>> by_side = dtm.group("side")
        >>> by_side.docs
          side  n_docs  n_empty_docs  n_tokens
        0    x       2             0         4
        1    y       1             0         1
        >>> by_side.matrix.toarray().tolist(), by_side.doc_counts.toarray().tolist()
        ([[1, 3], [0, 1]], [[1, 2], [0, 1]])
        """
        codes, labels = self.group_codes(by)
        n_groups = len(labels)
        weights = self.weights
        row_weight = np.ones(self.n_docs) if weights is None else weights
        kind = np.int64 if weights is None and self.matrix.dtype.kind != "f" else float
        indicator = sp.csr_matrix((row_weight.astype(kind), (codes, np.arange(self.n_docs))),
                                  shape=(n_groups, self.n_docs))
        docs = labels.copy()
        docs.attrs.update(self.docs.attrs)  # which corpus the counts came from
        docs["n_docs"] = np.bincount(codes, weights=self.row_docs() * row_weight, minlength=n_groups).astype(kind)
        docs["n_empty_docs"] = np.bincount(codes, weights=self.row_empty_docs() * row_weight,
                                           minlength=n_groups).astype(kind)
        docs["n_tokens"] = np.bincount(codes, weights=self.docs["n_tokens"].to_numpy(dtype=float) * row_weight,
                                       minlength=n_groups).astype(kind)
        if "n_characters" in self.docs.columns:  # a frame matrix: the denominator of rates per character
            docs["n_characters"] = np.bincount(
                codes, weights=self.docs["n_characters"].to_numpy(dtype=float) * row_weight,
                minlength=n_groups).astype(kind)
        matrix = (indicator @ self.matrix).tocsr()
        doc_counts = (indicator @ self.presence()).tocsr()
        matrix.data = matrix.data.astype(kind, copy=False)
        doc_counts.data = doc_counts.data.astype(kind, copy=False)
        return replace(self, matrix=matrix, docs=docs, stream=None, doc_counts=doc_counts,
                       groups=list(labels.columns))

    def select_docs(self, mask) -> "DTM":
        """The rows where ``mask`` is true (same vocabulary and class, no stream)."""
        mask = np.asarray(mask, dtype=bool)
        return replace(self, matrix=self.matrix[mask], docs=self.docs[mask].reset_index(drop=True), stream=None,
                       doc_counts=None if self.doc_counts is None else self.doc_counts[mask])

    def to_frame(self) -> pd.DataFrame:
        """Long table of the non-zero cells: ``doc_id`` (or the group columns), ``term``, ``count``."""
        coo = self.matrix.tocoo()
        ids = self.groups if self.is_grouped else ["doc_id"]
        frame = self.docs[ids].iloc[coo.row].reset_index(drop=True)
        frame["term"] = self.vocabulary[coo.col]
        frame["count"] = coo.data
        return frame


# --------------------------------------------------------------------------- building
def _normalise_ngram(ngram) -> tuple[int, int]:
    if isinstance(ngram, (int, np.integer)):
        ngram = (int(ngram), int(ngram))
    try:
        low, high = (int(x) for x in ngram)
    except (TypeError, ValueError):
        raise InputError(f"ngram: expected an int or a (min, max) pair, got {ngram!r}") from None
    if not 1 <= low <= high <= _MAX_N:
        raise InputError(f"ngram: need 1 <= min <= max <= {_MAX_N}, got {ngram!r}")
    return low, high


def read_stream(corpus: Iterable, *, sentences: bool = False, progress: bool = False
                ) -> tuple[TokenStream, pd.DataFrame]:
    """Read a corpus once into a :class:`TokenStream` and a document table.

    Each segment (sentence or paragraph) is tokenised with :func:`text.tokens`; as
    segment boundaries never fall inside a token, the tokens of a document are exactly
    ``text.tokens(doc.text)``.
    """
    from tqdm.auto import tqdm

    vocab = _Vocabulary()
    token_ids = array("i")  # grows in place; handed to numpy without a copy
    doc_starts = [0]
    segment_starts: list[int] = []
    rows: list[dict] = []
    n_tokens = array("q")
    position = 0
    total = None
    try:
        total = len(corpus)  # type: ignore[arg-type]
    except TypeError:
        pass
    for doc in tqdm(corpus, total=total, disable=not progress, desc="reading documents", unit="doc"):
        text = doc.text or ""
        spans = sentence_spans(text) if sentences else paragraph_spans(text)
        start_position = position
        for start, end in spans:
            toks = tokens(text[start:end])
            if toks:
                segment_starts.append(position)
                # One dictionary lookup per token (the hash of each new string is the cost).
                token_ids.extend(map(vocab.__getitem__, toks))
                position += len(toks)
        doc_starts.append(position)
        rows.append(doc_record(doc))
        n_tokens.append(position - start_position)
    stream = TokenStream(
        ids=np.frombuffer(token_ids, dtype=np.int32) if len(token_ids) else np.zeros(0, dtype=np.int32),
        vocabulary=np.array(list(vocab), dtype=object),
        doc_starts=np.array(doc_starts, dtype=np.int64),
        segment_starts=np.array(segment_starts, dtype=np.int64),
        segment_unit="sentence" if sentences else "paragraph",
    )
    docs = documents_table(rows)
    docs["n_tokens"] = np.asarray(n_tokens, dtype=np.int64)
    return stream, docs


def ngram_ids(ids: np.ndarray, segment: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids of the n-grams starting at each position whose n tokens share a segment.

    Returns
    -------
    starts : numpy.ndarray of int64
        Start positions of the valid n-grams.
    gram : numpy.ndarray of int64
        N-gram id of each start (index into ``components``).
    components : numpy.ndarray of int64, shape (n_distinct, n)
        Token ids making up each distinct n-gram.
    """
    length = ids.shape[0] - n + 1
    if length <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, n), np.int64)
    starts = np.flatnonzero(segment[:length] == segment[n - 1:])
    base = int(ids.max()) + 1
    key = ids[starts].astype(np.int64)  # id of the prefix read so far (first: the token id)
    components = np.arange(base, dtype=np.int64)[:, None]  # token ids of every prefix id
    for k in range(1, n):
        # Pair (prefix id, next token id) -> one int64 key; renumbering the distinct pairs
        # keeps keys below (number of n-grams) * base, far from overflow.
        pairs = key * base + ids[starts + k]
        distinct, key = np.unique(pairs, return_inverse=True)
        components = np.column_stack([components[distinct // base], distinct % base])
    return starts, key.astype(np.int64).ravel(), components


def build_dtm(corpus, *, ngram=(1, 1), lemma: bool = False, remove_stop_words: bool = False,
              min_count: int = 1, progress: bool = False, sentences: bool | None = None,
              keep_stream: bool = True, engine: str = "local", scheduler=None, n_jobs: int = 1,
              dedupe=None) -> DTM:
    """Count every term of every document in one pass: the matrix all statistics reuse.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    ngram : int or (int, int), default (1, 1)
        Lengths of the n-grams counted, from 1 to 4: ``(1, 1)`` words only, ``(1, 3)``
        words, bigrams and trigrams, ``2`` bigrams only. n-grams never cross a sentence
        or paragraph boundary.
    lemma : bool, default False
        Count lemmas (simplemma) instead of lower-cased surface forms.
    remove_stop_words : bool, default False
        Drop stop words and n-grams that begin or end with one.
    min_count : int, default 1
        Drop terms occurring fewer times in the whole corpus.
    progress : bool, default False
        Show a progress bar while reading documents.
    sentences : bool, optional
        Segment by sentences (True) or by paragraphs (False); default: sentences
        exactly when n-grams of 2 or more words are counted.
    keep_stream : bool, default True
        Keep the token stream (4 bytes per token) for collocation statistics.
    engine : {"local", "dask"}, default "local"
        "dask": a corpus stored as shards (or a Dask bag or DataFrame) read shard by shard
        on a Dask cluster (:mod:`sco_discourse.dask_engine`); the same matrix.
    scheduler : str, distributed.Client or None
        With ``engine="dask"``: the scheduler's address; None starts a local cluster of
        ``n_jobs`` workers for the call (or uses the current client).
    n_jobs : int, default 1
        With ``engine="dask"`` and no scheduler: the workers of the local cluster.
    dedupe : None, "first", "weight" or dict, optional
        Count each cluster of exact or near-duplicate documents once
        (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`): "first" keeps the earliest
        copy of each, "weight" keeps all with weight 1/cluster size (``docs["dedupe_weight"]``;
        :meth:`DTM.group`, frequencies and keyness then count weighted sums); a dict also sets
        the threshold (``{"keep": "weight", "threshold": 0.9}``). ``docs.attrs["deduplicated"]``
        records what was left out or weighted.

    Returns
    -------
    DTM

    Examples
    --------
    >>> from sco_discourse import Document, Corpus
    >>> corpus = Corpus.from_documents([
    ...     Document("d1", "A shared future. Shared future!", meta={"outlet": "X"}),
    ...     Document("d2", "The future of the SCO", meta={"outlet": "Y"})])
    >>> dtm = build_dtm(corpus, ngram=(1, 2), remove_stop_words=True)
    >>> list(dtm.vocabulary)
    ['future', 'sco', 'shared', 'shared future']
    >>> dtm.matrix.toarray().tolist()
    [[2, 0, 2, 2], [1, 1, 0, 0]]
    >>> dtm.docs[["doc_id", "outlet", "n_tokens"]].values.tolist()
    [['d1', 'X', 5], ['d2', 'Y', 5]]

    "future shared" is not counted: the bigram would cross the sentence boundary.
    """
    from .corpus.duplicates import apply_dedupe

    corpus = apply_dedupe(corpus, dedupe, where="build_dtm")
    if engine != "local":
        from .dask_engine import build_dtm as dask_dtm, check_engine

        check_engine(engine)
        return dask_dtm(corpus, ngram=ngram, lemma=lemma, remove_stop_words=remove_stop_words, min_count=min_count,
                        sentences=sentences, keep_stream=keep_stream, scheduler=scheduler, n_jobs=n_jobs)
    low, high = _normalise_ngram(ngram)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise InputError(f"min_count: expected a positive integer, got {min_count!r}")
    if sentences is None:
        sentences = high >= 2
    stream, docs = read_stream(corpus, sentences=sentences, progress=progress)
    dtm = dtm_from_stream(stream, docs, ngram=(low, high), lemma=lemma,
                          remove_stop_words=remove_stop_words, min_count=min_count)
    dtm.name = getattr(corpus, "name", "corpus")
    dtm.docs.attrs.update(corpus_attrs(corpus))  # which corpus, and the rows skipped reading it
    if not keep_stream:
        dtm.stream = None
    return dtm


def dtm_from_stream(stream: TokenStream, docs: pd.DataFrame, *, ngram=(1, 1), lemma: bool = False,
                    remove_stop_words: bool = False, min_count: int = 1) -> DTM:
    """The matrix of :func:`build_dtm` from an already read :class:`TokenStream`."""
    low, high = _normalise_ngram(ngram)
    ids, vocab, is_stop = stream.forms(lemma=lemma)
    segment = stream.segment_ids() if high >= 2 else None
    n_docs = len(stream.doc_starts) - 1
    pieces, terms, lengths = [], [], []
    offset = 0
    for n in range(low, high + 1):
        if n == 1:
            starts = np.flatnonzero(~is_stop) if remove_stop_words else None
            gram = ids if starts is None else ids[starts]
            names = vocab
        else:
            starts, gram, components = ngram_ids(ids, segment, n)
            if remove_stop_words:
                keep = ~(is_stop[starts] | is_stop[starts + n - 1])
                starts, gram = starts[keep], gram[keep]
            names = vocab[components[:, 0]]
            for k in range(1, n):
                names = names + " " + vocab[components[:, k]]
        # Columns in their final order before any matrix exists: rank = new column of each
        # n-gram id (-1 = below min_count), so the matrix is built once, never re-indexed.
        counts = np.bincount(gram, minlength=len(names))
        cols = np.flatnonzero(counts >= max(min_count, 1))
        order = cols[np.argsort(names[cols].astype(str), kind="stable")] if len(cols) else cols
        rank = np.full(len(names), -1, dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32) + offset
        column = rank[gram]
        # Positions are in corpus order, so the n-grams of a document are contiguous and
        # the CSR row pointer comes straight from the document starts (no row index array).
        indptr = stream.doc_starts if starts is None else np.searchsorted(starts, stream.doc_starts)
        if len(order) < len(cols) or (len(cols) < len(names)):
            kept = column >= 0
            indptr = np.concatenate([[0], np.cumsum(kept)])[indptr]
            column = column[kept]
        pieces.append((column, indptr))
        offset += len(order)
        terms.append(names[order])
        lengths.append(np.full(len(order), n, dtype=np.int64))
    matrix = _stack_rows(pieces, n_docs, offset)
    options = {"ngram": (low, high), "lemma": bool(lemma), "remove_stop_words": bool(remove_stop_words),
               "min_count": int(min_count), "segment_unit": stream.segment_unit}
    return DTM(matrix, np.concatenate(terms).astype(object), docs, np.concatenate(lengths), stream, options)


def _stack_rows(pieces: list[tuple[np.ndarray, np.ndarray]], n_docs: int, n_terms: int) -> sp.csr_matrix:
    """One CSR count matrix from (column per occurrence, row pointer) pieces, one per n.

    Occurrences of a row from all pieces are put side by side, then duplicates summed.
    """
    if len(pieces) == 1:
        column, indptr = pieces[0]
    else:
        per_row = np.sum([np.diff(p) for _, p in pieces], axis=0)
        indptr = np.concatenate([[0], np.cumsum(per_row)])
        column = np.empty(int(indptr[-1]), dtype=np.int32)
        filled = indptr[:-1].copy()
        for piece_column, piece_indptr in pieces:
            sizes = np.diff(piece_indptr)
            # destination of each occurrence: its row's fill position + its rank within the row
            row = np.repeat(np.arange(n_docs), sizes)
            within = np.arange(len(piece_column)) - np.repeat(piece_indptr[:-1], sizes)
            column[filled[row] + within] = piece_column
            filled += sizes
    index_dtype = np.int32 if indptr[-1] < 2**31 - 1 and n_terms < 2**31 - 1 else np.int64
    # int32 ones while summing (half the memory of the occurrence arrays), int64 counts after.
    matrix = sp.csr_matrix((np.ones(len(column), dtype=np.int32), column.astype(index_dtype, copy=False),
                            np.asarray(indptr, dtype=index_dtype)), shape=(n_docs, n_terms))
    matrix.sum_duplicates()  # sorts the column indices of every row and adds up repeats
    # sum_duplicates leaves views into the longer occurrence arrays: copy what is used
    matrix.data, matrix.indices = matrix.data.astype(np.int64), matrix.indices.copy()
    return matrix
