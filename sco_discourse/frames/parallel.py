"""How frames travel between languages: a Chinese original and its English translation.

For documents paired with their translation (a table ``zh_doc_id, en_doc_id``), the
Chinese text is read with the Chinese lexicon and the English text with the English one,
so the frame and variant ids are the same on both sides. :func:`align_pairs` gives

* ``counts``: one row per pair × frame × variant with the count in each language; and
* ``mentions``: each Chinese mention of a frame aligned to the English mention that
  renders it (人类命运共同体 → "community with a shared future for mankind").

Alignment
---------
The pairs are aligned as documents, not sentence by sentence, so mentions are aligned by
where they stand: a mention's *position* is its offset divided by the length of its text
(a translation keeps the order of the original and, roughly, its proportions). Within a
pair, the Chinese and the English mentions of a frame, each in text order, are aligned
by a monotone dynamic programme (Needleman–Wunsch) that pays the difference of positions
for each aligned pair and ``max_distance / 2`` for each mention left alone: two mentions
are aligned only when they stand less than ``max_distance`` apart, and the order of
mentions is kept. Mentions added or dropped by the translator stay alone ("zh only",
"en only"). ``tests/frames/test_parallel.py`` checks it on texts with planted positions; on the
16 verified pairs of Xi Jinping's 2020 speeches, each of the 13 mentions of 人类命运共同体
finds its "community with a shared future for mankind".

References
----------
Needleman, S. B. & Wunsch, C. D. (1970). A general method applicable to the search for
similarities in the amino acid sequence of two proteins. *J. Mol. Biol.* 48(3), 443–453.
Gale, W. A. & Church, K. W. (1993). A program for aligning sentences in bilingual
corpora. *Computational Linguistics* 19(1), 75–102.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import InputError
from .kwic import kwic_context
from .matcher import Matcher, language_lexicon_attrs, lexicon_attrs

__all__ = ["align_pairs", "read_pairs", "ParallelFrames", "PAIR_COUNT_COLUMNS", "ALIGNMENT_COLUMNS"]

#: Columns of :attr:`ParallelFrames.counts`.
PAIR_COUNT_COLUMNS = ["zh_doc_id", "en_doc_id", "date", "frame", "variant", "count_zh", "count_en"]
#: Columns of :attr:`ParallelFrames.mentions`.
ALIGNMENT_COLUMNS = ["zh_doc_id", "en_doc_id", "date", "frame", "status", "zh_variant", "en_variant",
                     "zh_position", "en_position", "zh_start", "zh_end", "en_start", "en_end",
                     "zh_left", "zh_match", "zh_right", "en_left", "en_match", "en_right"]


class ParallelFrames(NamedTuple):
    """What :func:`align_pairs` returns: the counts per pair and the aligned mentions."""

    counts: pd.DataFrame
    mentions: pd.DataFrame


def read_pairs(pairs) -> pd.DataFrame:
    """The pairs table: a CSV file or a DataFrame with ``zh_doc_id, en_doc_id`` (and
    optionally ``date``); ids as text, ``date`` as datetime.

    Raises
    ------
    InputError
        A column is missing or an id is empty (naming the file and row).

    Examples
    --------
    >>> read_pairs(pd.DataFrame({"zh_doc_id": ["z1"], "en_doc_id": ["e1"], "date": ["2020-11-10"]}))
      zh_doc_id en_doc_id       date
    0        z1        e1 2020-11-10
    """
    where = "pairs"
    if not isinstance(pairs, pd.DataFrame):
        where = str(pairs)
        try:
            pairs = pd.read_csv(pairs, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise InputError(f"{where}: pairs file not found") from None
    missing = [c for c in ("zh_doc_id", "en_doc_id") if c not in pairs.columns]
    if missing:
        raise InputError(f"{where}: no column {missing[0]!r}; a pairs table needs zh_doc_id and en_doc_id "
                         f"(columns: {', '.join(map(str, pairs.columns))})")
    table = pairs.copy()
    for column in ("zh_doc_id", "en_doc_id"):
        table[column] = table[column].astype(str).str.strip()
        empty = table.index[table[column].isin(["", "nan", "None"])]
        if len(empty):
            raise InputError(f"{where}, row {int(empty[0]) + 2}, field {column!r}: the id is empty")
    if "date" in table.columns:
        try:
            table["date"] = pd.to_datetime(table["date"].replace("", None))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{where}, field 'date': cannot read the dates ({exc})") from None
    else:
        table["date"] = pd.NaT
    return table.reset_index(drop=True)


def _documents(corpus, wanted: set[str], side: str) -> dict:
    found = {doc.doc_id: doc for doc in corpus if doc.doc_id in wanted}
    absent = sorted(wanted - set(found))
    if absent:
        raise InputError(f"pairs: {side} document {absent[0]!r} is not in the {side} corpus "
                         f"{getattr(corpus, 'name', '')!r}".rstrip(" '"))
    return found


def _align(zh_pos: list[float], en_pos: list[float], max_distance: float) -> list[tuple[int | None, int | None]]:
    """Monotone alignment of two ordered position lists (Needleman–Wunsch): pairs of
    indices, ``None`` for a mention left alone."""
    n, m = len(zh_pos), len(en_pos)
    gap = max_distance / 2
    cost = np.zeros((n + 1, m + 1))
    cost[:, 0] = np.arange(n + 1) * gap
    cost[0, :] = np.arange(m + 1) * gap
    move = np.zeros((n + 1, m + 1), dtype=np.int8)  # 0 diagonal, 1 zh alone, 2 en alone
    move[1:, 0] = 1
    move[0, 1:] = 2
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d = abs(zh_pos[i - 1] - en_pos[j - 1])
            options = (cost[i - 1, j - 1] + d if d < max_distance else np.inf,
                       cost[i - 1, j] + gap, cost[i, j - 1] + gap)
            best = int(np.argmin(options))  # ties: align first, then leave the Chinese mention alone
            cost[i, j], move[i, j] = options[best], best
    out: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if move[i, j] == 0:
            out.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif move[i, j] == 1:
            out.append((i - 1, None))
            i -= 1
        else:
            out.append((None, j - 1))
            j -= 1
    return out[::-1]


def align_pairs(zh_corpus, en_corpus, pairs, *, matcher: Matcher | None = None, frames=("shared_future",),
                max_distance: float = 0.1, window: int = 30) -> ParallelFrames:
    """Frame counts of paired documents in both languages, and each Chinese mention
    aligned to its English rendering.

    Parameters
    ----------
    zh_corpus, en_corpus : Corpus or iterable of Document
        The Chinese originals and the English translations.
    pairs : path or DataFrame
        ``zh_doc_id, en_doc_id`` and optionally ``date`` (:func:`read_pairs`); a document
        may stand in several pairs (two copies of one speech).
    matcher : Matcher, optional
        Default ``Matcher()``: the packaged lexicon of each language.
    frames : sequence of str, default ("shared_future",)
        The frames whose mentions are aligned (counts cover every frame).
    max_distance : float, default 0.1
        Largest difference of relative positions (share of the text) at which two
        mentions are aligned.
    window : int, default 30
        Characters of context on each side in ``mentions``.

    Returns
    -------
    ParallelFrames
        ``counts``: ``zh_doc_id, en_doc_id, date, frame, variant, count_zh, count_en``, one
        row per pair × frame/variant key of both lexicons (``variant`` "" is the frame
        total), in pairs order. ``mentions``: ``zh_doc_id, en_doc_id, date, frame, status,
        zh_variant, en_variant, zh_position, en_position, zh_start, zh_end, en_start,
        en_end`` and KWIC context ``zh_left, zh_match, zh_right, en_left, en_match,
        en_right``; one row per Chinese mention of ``frames`` (``status`` "aligned" or
        "zh only") and per English mention left alone ("en only"), in text order; the
        columns of the other side are empty (NA, "") where there is none. Both tables'
        ``attrs`` record the lexicons and ``max_distance``.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> zh = Corpus.from_documents([Document("z", "我们要构建人类命运共同体。")])
    >>> en = Corpus.from_documents([Document("e", "We must build a community with a shared future for mankind.")])
    >>> result = align_pairs(zh, en, pd.DataFrame({"zh_doc_id": ["z"], "en_doc_id": ["e"]}), max_distance=0.3)
    >>> result.mentions[["status", "zh_variant", "en_variant", "zh_match", "en_match"]].values.tolist()
    [['aligned', 'human', 'mankind', '命运共同体', 'community with a shared future']]
    >>> result.counts.query("variant in ['human', 'mankind']")[["variant", "count_zh", "count_en"]].values.tolist()
    [['mankind', 0, 1], ['human', 1, 0]]
    """
    table = read_pairs(pairs)
    matcher = matcher if matcher is not None else Matcher()
    if not isinstance(matcher, Matcher):
        raise InputError(f"align_pairs: matcher must be a Matcher, got {type(matcher).__name__}")
    if not 0 < max_distance <= 1:
        raise InputError(f"align_pairs: max_distance is a share of the text, in (0, 1]; got {max_distance!r}")
    zh_docs = _documents(zh_corpus, set(table["zh_doc_id"]), "Chinese")
    en_docs = _documents(en_corpus, set(table["en_doc_id"]), "English")
    keys = matcher.keys_for(["en", "zh"])
    index = {k: i for i, k in enumerate(keys)}
    count_rows, mention_rows = [], []
    for pair in table.itertuples(index=False):
        zh_text, en_text = zh_docs[pair.zh_doc_id].text, en_docs[pair.en_doc_id].text
        found = {"zh": matcher._spans(zh_text, "zh"), "en": matcher._spans(en_text, "en")}
        counts = {side: np.zeros(len(keys), dtype=np.int64) for side in found}
        for side, spans in found.items():
            for _, _, frame, variant in spans:
                counts[side][index[(frame, "")]] += 1
                if variant and (frame, variant) in index:
                    counts[side][index[(frame, variant)]] += 1
        for k, (frame, variant) in enumerate(keys):
            count_rows.append((pair.zh_doc_id, pair.en_doc_id, pair.date, frame, variant,
                               int(counts["zh"][k]), int(counts["en"][k])))
        for frame in frames:
            zh_m = [m for m in found["zh"] if m[2] == frame]
            en_m = [m for m in found["en"] if m[2] == frame]
            zh_pos = [m[0] / max(len(zh_text), 1) for m in zh_m]
            en_pos = [m[0] / max(len(en_text), 1) for m in en_m]
            for i, j in _align(zh_pos, en_pos, max_distance):
                status = "aligned" if i is not None and j is not None else ("zh only" if j is None else "en only")
                row = [pair.zh_doc_id, pair.en_doc_id, pair.date, frame, status]
                z = zh_m[i] if i is not None else None
                e = en_m[j] if j is not None else None
                row += [z[3] if z else "", e[3] if e else "", zh_pos[i] if z else np.nan, en_pos[j] if e else np.nan,
                        z[0] if z else pd.NA, z[1] if z else pd.NA, e[0] if e else pd.NA, e[1] if e else pd.NA]
                row += list(kwic_context(zh_text, z[0], z[1], window)) if z else ["", "", ""]
                row += list(kwic_context(en_text, e[0], e[1], window)) if e else ["", "", ""]
                mention_rows.append(row)
    counts_table = pd.DataFrame(count_rows, columns=PAIR_COUNT_COLUMNS)
    mentions = pd.DataFrame(mention_rows, columns=ALIGNMENT_COLUMNS)
    for column in ("zh_start", "zh_end", "en_start", "en_end"):
        mentions[column] = mentions[column].astype("Int64")
    attrs = {**lexicon_attrs(matcher.lexicon), **language_lexicon_attrs(matcher, ["zh"]), "max_distance": max_distance}
    counts_table.attrs.update(attrs)
    mentions.attrs.update(attrs)
    return ParallelFrames(counts_table, mentions)


def corpora_folder(name: str, *, variable: str = "SCO_DISCOURSE_CORPORA") -> Path:
    """The folder ``name`` inside the folder of corpora named by the environment variable
    ``variable`` (for notebooks and benchmarks that read corpora kept outside the package).

    Raises
    ------
    InputError
        The variable is not set, or the folder is not there; the message says what to set.

    Examples
    --------
    >>> corpora_folder("xi_2020_parallel", variable="SCO_DISCOURSE_NO_SUCH_VARIABLE")
    Traceback (most recent call last):
    ...
    sco_discourse.errors.InputError: set the environment variable SCO_DISCOURSE_NO_SUCH_VARIABLE to the folder that holds xi_2020_parallel/ (e.g. export SCO_DISCOURSE_NO_SUCH_VARIABLE=../shared/corpora); it is not set
    """
    root = os.environ.get(variable)
    hint = (f"set the environment variable {variable} to the folder that holds {name}/ "
            f"(e.g. export {variable}=../shared/corpora)")
    if not root:
        raise InputError(f"{hint}; it is not set")
    folder = Path(root) / name
    if not folder.is_dir():
        raise InputError(f"{hint}; {folder} is not a folder")
    return folder
