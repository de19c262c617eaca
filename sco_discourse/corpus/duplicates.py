"""Exact and near-duplicate documents: find them, and count each story once.

A wire story (Xinhua, AP, TASS) is republished by many outlets, often with a new
headline, a trimmed paragraph or the outlet's own footer. Counted as it comes, one story
counts five times; framing studies report their figures with and without such copies.

:func:`find_duplicates` groups a corpus into clusters of copies: **exact** copies (the
same tokens after the package's normalisation, so case, punctuation and white space do
not matter) and **near** copies, whose sets of word 5-grams ("shingles", Broder 1997)
have a Jaccard similarity of at least ``threshold``. Near copies are found with MinHash
signatures and locality-sensitive hashing (LSH; Leskovec, Rajaraman & Ullman 2020,
ch. 3) from `datasketch <https://ekzhu.com/datasketch/>`_: the signatures are computed
in one streamed pass over the corpus, documents whose signatures agree on a whole band
become candidates (the bands favour recall: a pair 0.05 above the threshold becomes a
candidate with probability above 0.99), and a candidate pair joins a cluster only if its
estimated similarity (the share of equal signature values; standard error about 0.035
at J = 0.8 with 128 values) reaches the threshold, so pairs within a few hundredths of
the threshold may fall either way. Clusters are
closed under "is a copy of" (if A copies B and B copies C, all three are one cluster).

:func:`dedupe` (also :meth:`Corpus.dedupe <sco_discourse.corpus.model.Corpus.dedupe>`)
returns a lazy corpus that keeps one document per cluster (the earliest, or the longest),
or keeps every document with a weight (``meta["dedupe_weight"]``) of 1/cluster size so that a
cluster counts as one document, and records what it did in ``corpus.deduplicated``.

Every function of the package that counts over a corpus takes ``dedupe=`` (frame
matrices and mention tables, the DTM, KWIC, co-occurrence, topic models; ``--dedupe``
on the command line): :func:`apply_dedupe` is the one place that reads that option.
Counts of a weighted corpus are weighted sums (see
:class:`~sco_discourse.frames.FrameMatrix` and :func:`~sco_discourse.frames.frame_counts`).

Memory
------
The pass over the corpus holds one document at a time. Per document it keeps in memory
the id (a Python string), the date, token count and exact-copy hash in compact arrays,
and while clusters are formed a few 8-byte integers (cluster link, one band's key and
its sort order); the signatures (``num_perm`` × 4 bytes per document: 512 bytes at the
default 128) go to an anonymous temporary file that the operating system deletes when
the search ends. ``benchmarks/bench_duplicates.py`` measured about 250 bytes of memory
per document (ids of 11 characters; 2,000 and 20,000 documents of 300 words): a
million documents need about 250 MB of memory and 0.5 GB of temporary disk, and about
7 ms of one core per 300-word document.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents. *Compression and
Complexity of Sequences*, 21–29.

Leskovec, J., Rajaraman, A., & Ullman, J. D. (2020). *Mining of Massive Datasets*
(3rd ed.), chapter 3. Cambridge University Press.
"""

from __future__ import annotations

import array
import hashlib
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .model import Corpus, Document

__all__ = ["find_duplicates", "dedupe", "apply_dedupe", "dedupe_options", "KEEP_POLICIES", "WEIGHT_FIELD",
           "CLUSTER_FIELD"]

#: How :func:`dedupe` treats a cluster: keep its earliest document, its longest, or weight all.
KEEP_POLICIES = ("first", "longest", "weight")
#: The metadata field (and documents-table column) that holds a document's weight with ``keep="weight"``.
WEIGHT_FIELD = "dedupe_weight"
#: The metadata field that names a document's cluster with ``keep="weight"``: the id of the
#: cluster's earliest document (a document without copies: its own id).
CLUSTER_FIELD = "dedupe_cluster"
_NO_DATE = np.iinfo(np.int32).max
_COLUMNS = ["cluster", "doc_id", "date", "kept", "duplicate_of", "similarity", "exact", "n_tokens"]


def find_duplicates(corpus: Iterable[Document], *, threshold: float = 0.8, keep: str = "first",
                    num_perm: int = 128, shingle_size: int = 5, seed: int = 1) -> pd.DataFrame:
    """Clusters of exact and near-duplicate documents.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
        Read once, one document at a time.
    threshold : float, default 0.8
        Smallest Jaccard similarity of two documents' shingle sets for them to count as
        copies (0 < threshold <= 1). An article republished with another headline and
        footer is typically above 0.85; different articles on the same event are far
        below 0.5.
    keep : {"first", "longest"}, default "first"
        Which document of a cluster is marked ``kept``: the earliest by date (documents
        without a date last; ties by corpus order), or the one with most tokens.
    num_perm : int, default 128
        MinHash signature length; the similarity estimate has a standard error of about
        ``sqrt(J(1-J)/num_perm)`` (0.035 at J = 0.8).
    shingle_size : int, default 5
        Words per shingle; a document shorter than this is one shingle.
    seed : int, default 1
        Seed of the MinHash permutations (same seed, same clusters).

    Returns
    -------
    pandas.DataFrame
        One row per document that has at least one copy, grouped by cluster (the kept
        document first), with columns ``cluster`` (0, 1, ... in corpus order of the kept
        documents), ``doc_id``, ``date``, ``kept`` (bool), ``duplicate_of`` (the kept
        document's id), ``similarity`` (estimated Jaccard similarity to the kept
        document; 1.0 for exact copies and for the kept document itself; a document
        joined through a chain of copies may be below ``threshold``), ``exact`` (an exact
        copy of the kept document: the same tokens; False for the kept document itself)
        and ``n_tokens``. ``attrs`` holds the settings, the
        LSH bands and rows, and ``n_documents``.

    Raises
    ------
    InputError
        For a threshold outside (0, 1], an unknown ``keep``, or ``num_perm``/
        ``shingle_size`` below 1.

    Examples
    --------
    >>> import datetime as dt
    >>> from sco_discourse import Corpus, Document
    >>> story = ("Leaders of the Shanghai Cooperation Organization met in Astana on Thursday "
    ...          "and agreed to expand cooperation on security, trade, energy and transport, the "
    ...          "host said after talks that lasted most of the day. The declaration they signed "
    ...          "calls for closer coordination against terrorism, separatism and extremism, and "
    ...          "for new rail links between Central Asia and the ports of the Indian Ocean. "
    ...          "Belarus took part for the first time as a full member of the bloc, whose next "
    ...          "summit will be held in China next year, officials said on Friday.")
    >>> docs = [Document("xinhua", "SCO summit ends\\n" + story, date=dt.date(2024, 7, 4)),
    ...         Document("daily", "Leaders agree to cooperate\\n" + story + "Copyright Daily.",
    ...                  date=dt.date(2024, 7, 5)),
    ...         Document("other", "A different article about grain prices in the region.")]
    >>> find_duplicates(Corpus.from_documents(docs))[["cluster", "doc_id", "kept", "exact"]]
       cluster  doc_id   kept  exact
    0        0  xinhua   True  False
    1        0   daily  False  False
    """
    threshold, num_perm, shingle_size = _check(threshold, keep, num_perm, shingle_size)
    return _search(corpus, threshold=threshold, keep=keep, num_perm=num_perm, shingle_size=shingle_size,
                   seed=seed)[0]


def dedupe(corpus: Corpus, *, keep: str = "first", threshold: float = 0.8, num_perm: int = 128,
           shingle_size: int = 5, seed: int = 1) -> Corpus:
    """The corpus with each cluster of copies counted once.

    Parameters
    ----------
    corpus : Corpus
    keep : {"first", "longest", "weight"}, default "first"
        "first": keep the earliest document of each cluster (by date, then corpus
        order) and leave the others out; "longest": keep the one with most tokens;
        "weight": keep every document and give each member of a cluster of n documents
        ``meta["dedupe_weight"] = 1/n`` (1.0 for documents without copies), so that a
        weighted count counts each cluster as one document: frame counts, rates,
        intervals and DTM counts of the package weight each document by it;
        ``meta["dedupe_cluster"]`` names the cluster (the id of its earliest document),
        which the bootstrap resamples as one unit.
    threshold, num_perm, shingle_size, seed
        As in :func:`find_duplicates`.

    Returns
    -------
    Corpus
        A lazy corpus (documents are read from the original corpus as it is iterated).
        ``corpus.deduplicated`` records what was done: a dict with ``keep``,
        ``threshold``, ``num_perm``, ``shingle_size``, ``seed``, ``n_documents``,
        ``n_clusters``, ``n_removed`` (0 for "weight") and ``removed``: one dict per
        document left out (``doc_id``, ``duplicate_of``, ``similarity``, ``exact``);
        with "weight", ``n_weighted`` and ``weighted``: one dict per document given a
        weight below 1 (``doc_id``, ``duplicate_of``, ``weight``);
        ``corpus.duplicates`` holds the :func:`find_duplicates` table.

    Examples
    --------
    >>> import datetime as dt
    >>> from sco_discourse import Corpus, Document
    >>> docs = [Document("a", "The summit opened in Astana today.", date=dt.date(2024, 7, 4)),
    ...         Document("b", "The summit opened in Astana today!", date=dt.date(2024, 7, 3)),
    ...         Document("c", "Grain prices rose in Kazakhstan.")]
    >>> unique = dedupe(Corpus.from_documents(docs))
    >>> [d.doc_id for d in unique], unique.deduplicated["removed"]
    (['b', 'c'], [{'doc_id': 'a', 'duplicate_of': 'b', 'similarity': 1.0, 'exact': True}])
    """
    if keep not in KEEP_POLICIES:
        raise InputError(f"dedupe: keep must be one of {', '.join(KEEP_POLICIES)}, not {keep!r}")
    threshold, num_perm, shingle_size = _check(threshold, "first" if keep == "weight" else keep, num_perm,
                                               shingle_size)
    table, n_documents = _search(corpus, threshold=threshold, keep="first" if keep == "weight" else keep,
                                 num_perm=num_perm, shingle_size=shingle_size, seed=seed)
    settings = {"keep": keep, "threshold": threshold, "num_perm": num_perm, "shingle_size": shingle_size,
                "seed": seed, "n_documents": n_documents, "n_clusters": int(table["cluster"].nunique())}
    parent = corpus
    if keep == "weight":
        sizes = table.groupby("cluster")["doc_id"].transform("size")
        weights = dict(zip(table["doc_id"], 1.0 / sizes))
        clusters = dict(zip(table["doc_id"], table["duplicate_of"]))

        def factory():
            for doc in parent:
                yield Document(doc.doc_id, doc.text, doc.date, doc.date_precision,
                               {**doc.meta, WEIGHT_FIELD: weights.get(doc.doc_id, 1.0),
                                CLUSTER_FIELD: clusters.get(doc.doc_id, doc.doc_id)}, doc.raw)

        result = Corpus(factory, name=f"{corpus.name} [weighted by duplicate cluster]", length=n_documents)
        settings.update(n_removed=0, removed=[], n_weighted=len(table), weighted=[
            {"doc_id": row.doc_id, "duplicate_of": row.duplicate_of, "weight": float(weights[row.doc_id])}
            for row in table.itertuples(index=False)])
    else:
        dropped = table[~table["kept"]]
        removed_ids = set(dropped["doc_id"])

        def factory():
            return (doc for doc in parent if doc.doc_id not in removed_ids)

        result = Corpus(factory, name=f"{corpus.name} [deduplicated]", length=n_documents - len(removed_ids))
        settings.update(n_removed=len(removed_ids), removed=[
            {"doc_id": row.doc_id, "duplicate_of": row.duplicate_of, "similarity": float(row.similarity),
             "exact": bool(row.exact)} for row in dropped.itertuples(index=False)])
    result.skipped = list(getattr(corpus, "skipped", []))
    result.undated = getattr(corpus, "undated", ())
    result.deduplicated = settings
    result.duplicates = table
    return result


def dedupe_options(dedupe: Any, *, where: str = "dedupe") -> dict[str, Any] | None:
    """The options of :func:`dedupe` that a ``dedupe=`` value asks for (None: no deduplication).

    Parameters
    ----------
    dedupe : None, False, True, str or mapping
        None or False: none. "first", "longest" or "weight" (True means "first"): that
        ``keep`` policy with the default threshold (0.8). A mapping: options of
        :func:`dedupe` (``keep``, ``threshold``, ``num_perm``, ``shingle_size``,
        ``seed``), e.g. ``{"keep": "weight", "threshold": 0.9}``.
    where : str
        The function or option named in error messages.

    Examples
    --------
    >>> dedupe_options("weight")
    {'keep': 'weight'}
    >>> dedupe_options({"keep": "first", "threshold": 0.9})
    {'keep': 'first', 'threshold': 0.9}
    >>> dedupe_options(None) is None
    True
    """
    if dedupe is None or dedupe is False:
        return None
    if dedupe is True:
        return {"keep": "first"}
    if isinstance(dedupe, str):
        options = {"keep": dedupe}
    elif isinstance(dedupe, Mapping):
        options = dict(dedupe)
        unknown = sorted(set(options) - {"keep", "threshold", "num_perm", "shingle_size", "seed"})
        if unknown:
            raise InputError(f"{where}: unknown dedupe option(s) {', '.join(map(repr, unknown))}; known: keep, "
                             "threshold, num_perm, shingle_size, seed")
        options.setdefault("keep", "first")
    else:
        raise InputError(f"{where}: dedupe= must be None, 'first', 'longest', 'weight' or a dict of options "
                         f"(e.g. {{'keep': 'weight', 'threshold': 0.9}}), not {dedupe!r}")
    if options["keep"] not in KEEP_POLICIES:
        raise InputError(f"{where}: dedupe keep must be one of {', '.join(KEEP_POLICIES)}, not {options['keep']!r}")
    return options


def apply_dedupe(corpus, dedupe: Any, *, where: str = "dedupe"):
    """The corpus a function with a ``dedupe=`` option counts: the one place that reads the option.

    Parameters
    ----------
    corpus : Corpus or list of Document
        Read twice (once to find the copies, once by the caller), so a one-shot
        generator is refused when ``dedupe`` is set.
    dedupe : None, False, True, str or mapping
        See :func:`dedupe_options`.
    where : str
        The function named in error messages.

    Returns
    -------
    Corpus or the input unchanged
        With ``dedupe`` set, :func:`dedupe`'s corpus: its ``deduplicated`` record reaches
        the ``attrs`` of every table made from it
        (:func:`sco_discourse.provenance.corpus_attrs`), so what was removed or weighted
        is recorded with the result.

    Examples
    --------
    >>> import datetime as dt
    >>> from sco_discourse import Corpus, Document
    >>> docs = [Document("a", "The summit opened in Astana today.", date=dt.date(2024, 7, 4)),
    ...         Document("b", "The summit opened in Astana today!", date=dt.date(2024, 7, 3))]
    >>> [d.doc_id for d in apply_dedupe(docs, "first")]
    ['b']
    >>> [d.meta["dedupe_weight"] for d in apply_dedupe(docs, "weight")]
    [0.5, 0.5]
    """
    options = dedupe_options(dedupe, where=where)
    if options is None:
        return corpus
    if not isinstance(corpus, Corpus):
        if isinstance(corpus, (list, tuple)):
            corpus = Corpus.from_documents(corpus)
        else:
            raise InputError(f"{where}: dedupe= reads the corpus twice (to find the copies, then to count); give "
                             f"a Corpus or a list of documents, not {type(corpus).__name__}")
    return globals()["dedupe"](corpus, **options)


# =========================================================================== internals
def _check(threshold: Any, keep: str, num_perm: Any, shingle_size: Any) -> tuple[float, int, int]:
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise InputError(f"threshold must be a number in (0, 1], not {threshold!r}") from None
    if not 0 < threshold <= 1:
        raise InputError(f"threshold must be in (0, 1], not {threshold}")
    if keep not in ("first", "longest"):
        raise InputError(f"keep must be 'first' or 'longest', not {keep!r}")
    for name, value in (("num_perm", num_perm), ("shingle_size", shingle_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name} must be an integer >= 1, not {value!r}")
    return threshold, int(num_perm), int(shingle_size)


def _shingle_hashes(tokens: list[str], k: int) -> list[int]:
    """32-bit hashes of the k-token shingles (crc32 of each token, combined by position)."""
    codes = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(codes) <= k:
        combined = np.array([int(np.bitwise_xor.reduce(codes * _MULTIPLIERS[: len(codes)]))], dtype=np.uint64)
    else:
        n = len(codes) - k + 1
        combined = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            combined ^= codes[j:j + n] * _MULTIPLIERS[j]
    return (combined >> np.uint64(32)).tolist()


# odd 64-bit multipliers (from a fixed seed) that make a shingle's hash depend on token order
_MULTIPLIERS = np.random.default_rng(20240704).integers(1, 2**63, size=64, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def _search(corpus: Iterable[Document], *, threshold: float, keep: str, num_perm: int, shingle_size: int,
            seed: int) -> tuple[pd.DataFrame, int]:
    from datasketch import MinHash, MinHashLSH

    from ..text import tokens as tokenize

    if shingle_size > len(_MULTIPLIERS):
        raise InputError(f"shingle_size must be at most {len(_MULTIPLIERS)}, not {shingle_size}")
    # Candidates are checked, so a false positive of the bands costs one comparison while a false
    # negative loses a copy: the bands are chosen with false negatives weighted 19 times as much
    # (at threshold 0.8 and 128 permutations: 16 bands of 8 rows; a pair at J = 0.85 becomes a
    # candidate with probability 0.994, at J = 0.9 with 0.9998).
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.05, 0.95))
    bands, rows_per_band = lsh.b, lsh.r
    ids: list[str] = []
    dates = array.array("i")
    n_tokens = array.array("i")
    exact_keys = array.array("q")
    has_shingles = array.array("b")
    empty = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
    with tempfile.TemporaryFile(prefix="sco_discourse-minhash-") as scratch:
        for doc in corpus:
            toks = tokenize(doc.text, lower=True)
            ids.append(doc.doc_id)
            dates.append(doc.date.toordinal() if doc.date is not None else _NO_DATE)
            n_tokens.append(len(toks))
            digest = hashlib.blake2b("\x00".join(toks).encode("utf-8"), digest_size=8).digest()
            exact_keys.append(int.from_bytes(digest, "little", signed=True))
            signature = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, permutations=empty.permutations,
                                scheme=empty.scheme)
            if toks:
                signature.update_batch(_shingle_hashes(toks, shingle_size))
            has_shingles.append(1 if toks else 0)
            scratch.write(np.asarray(signature.hashvalues, dtype=np.uint32).tobytes())
        scratch.flush()
        n = len(ids)
        if n == 0:
            return _frame([], threshold, keep, num_perm, shingle_size, seed, bands, rows_per_band, 0), 0
        signatures = np.memmap(scratch, dtype=np.uint32, mode="r", shape=(n, num_perm))
        parent = np.arange(n, dtype=np.int64)

        def find(i: int) -> int:
            root = i
            while parent[root] != root:
                root = parent[root]
            while parent[i] != root:  # path compression keeps later look-ups short
                parent[i], i = root, parent[i]
            return root

        def union(i: int, j: int) -> None:
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)

        def similarity(i: int, j: int) -> float:
            return float(np.count_nonzero(signatures[i] == signatures[j])) / num_perm

        keys = np.frombuffer(exact_keys, dtype=np.int64)
        for run in _runs(keys):
            for other in run[1:]:
                union(run[0], other)
        usable = np.frombuffer(has_shingles, dtype=np.int8).astype(bool)
        multipliers = _MULTIPLIERS[:rows_per_band]
        for band in range(bands):
            columns = slice(band * rows_per_band, (band + 1) * rows_per_band)
            band_keys = np.zeros(n, dtype=np.uint64)
            for start in range(0, n, 65536):  # chunks keep the temporary product small
                block = np.asarray(signatures[start:start + 65536, columns], dtype=np.uint64)
                band_keys[start:start + 65536] = np.bitwise_xor.reduce(block * multipliers, axis=1)
            band_keys[~usable] = np.arange(np.count_nonzero(~usable), dtype=np.uint64) ^ np.uint64(2**63)
            for run in _runs(band_keys):
                for position, member in enumerate(run[1:], start=1):
                    # compare with up to 8 earlier members of the bucket until one is a copy
                    for earlier in run[max(0, position - 8):position]:
                        if find(earlier) == find(member):
                            break
                        if similarity(earlier, member) >= threshold:
                            union(earlier, member)
                            break
        roots = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
        counts = np.bincount(roots, minlength=n)
        members = np.flatnonzero(counts[roots] > 1)
        rows = []
        clusters: dict[int, list[int]] = {}
        for i in members:
            clusters.setdefault(int(roots[i]), []).append(int(i))
        date_arr = np.frombuffer(dates, dtype=np.int32)
        token_arr = np.frombuffer(n_tokens, dtype=np.int32)
        chosen = {}
        for root, group in clusters.items():
            if keep == "first":
                chosen[root] = min(group, key=lambda i: (date_arr[i], i))
            else:
                chosen[root] = min(group, key=lambda i: (-token_arr[i], i))
        for number, root in enumerate(sorted(clusters, key=lambda r: chosen[r])):
            kept = chosen[root]
            for i in [kept] + [m for m in clusters[root] if m != kept]:
                exact = bool(keys[i] == keys[kept]) and i != kept
                rows.append((number, ids[i], None if date_arr[i] == _NO_DATE else int(date_arr[i]), i == kept,
                             ids[kept], 1.0 if exact or i == kept else similarity(i, kept), exact,
                             int(token_arr[i])))
        del signatures
    return _frame(rows, threshold, keep, num_perm, shingle_size, seed, bands, rows_per_band, n), n


def _runs(keys: np.ndarray) -> Iterable[np.ndarray]:
    """Groups of indices with equal keys (two or more), each in increasing index order."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    boundaries = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(keys)]))
    for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
        yield order[start:end]


def _frame(rows, threshold, keep, num_perm, shingle_size, seed, bands, rows_per_band, n) -> pd.DataFrame:
    import datetime as _dt

    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame["date"] = pd.to_datetime([None if d is None else _dt.date.fromordinal(d) for d in frame["date"]])
    frame = frame.astype({"cluster": "int64", "kept": "bool", "similarity": "float64", "exact": "bool",
                          "n_tokens": "int64", "doc_id": "object", "duplicate_of": "object"})
    frame.attrs.update({
        "threshold": threshold, "keep": keep, "num_perm": num_perm, "shingle_size": shingle_size, "seed": seed,
        "lsh_bands": bands, "lsh_rows": rows_per_band, "n_documents": n,
        "method": f"MinHash/LSH (datasketch) over word {shingle_size}-gram shingles; exact copies by token hash",
    })
    return frame
