"""Coding sheets for validating the lexicon on your own corpus: a stratified random sample
of mentions (and of near-misses) to read in context and judge.

The validation workflow is: :func:`sample_mentions` (or ``sco-discourse frames sample``)
draws up to ``per_cell`` mentions of every frame × variant (× group) cell at random and
writes them as a coding sheet; a coder reads each row's context and fills ``judgement``
with TRUE (a mention of the frame as the codebook means it), FALSE (not the frame) or
AMBIGUOUS, and a ``note`` for FALSE/AMBIGUOUS; :func:`sco_discourse.frames.precision.
sheet_precision` (``sco-discourse frames precision``) turns the coded sheet into
precision per frame and variant with Wilson intervals, a recall estimate from the coded
near-misses and agreement between coders; :func:`~sco_discourse.frames.precision.
corrected_rates` corrects frame rates by the measured precision.

Near-misses are sentences that hold a frame's cue words but no counted mention of it
(including every mention a context rule set aside). Coded TRUE, a near-miss is a mention
the lexicon missed; their share, scaled to all near-miss sentences of the corpus,
estimates what recall loses. The default cue words of a frame are the content words of
each of its phrases (all of them; all but one for phrases of four or more content
words); pass ``cue_words`` to choose your own.

References
----------
Grimmer, J. & Stewart, B. M. (2013). Text as data: the promise and pitfalls of automatic
content analysis methods for political texts. *Political Analysis* 21(3), 267–297.
Chan, C.-h. & Sältzer, M. (2020). oolong: an R package for validating automated content
analysis tools. *Journal of Open Source Software* 5(55), 2461.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..lexicons.schema import Lexicon, canonical_phrase, load_lexicon
from ..language import document_language
from ..provenance import corpus_attrs
from .matcher import Matcher, lexicon_attrs

__all__ = ["sample_mentions", "diff_mentions", "SHEET_COLUMNS", "JUDGEMENTS", "default_cue_words"]

#: Columns of a coding sheet around the metadata and group columns (see sample_mentions).
SHEET_COLUMNS = ["sample_id", "kind", "doc_id", "frame", "variant", "cell", "cell_size", "start", "end", "left",
                 "match", "right", "sentence", "judgement", "note"]
#: The values a coder writes in ``judgement``.
JUDGEMENTS = ("TRUE", "FALSE", "AMBIGUOUS")
_WORD_RE = re.compile(r"[^\W_]+")


def default_cue_words(lexicon: Lexicon | str | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Cue-word sets of each frame, for near-misses: a sentence is a near-miss of a frame
    when it holds every word of one set (as whole words, case ignored, a plural "s" allowed)
    and no counted mention of the frame.

    A set is the content words (not stop words) of one phrase of the frame; a phrase of four
    or more content words gives each set that leaves one word out ("new type of
    international relations" → {new, international, relations}, ...), so a synonym of one
    word ("new kind of ...") is still a near-miss.

    Examples
    --------
    >>> cues = default_cue_words()
    >>> ("community", "shared", "future") in cues["shared_future"]
    True
    >>> ("new", "international", "relations") in cues["new_international_relations"]
    True
    """
    from ..text import stop_words

    stops = stop_words()
    lex = load_lexicon(lexicon)
    out: dict[str, list[tuple[str, ...]]] = {}
    for frame in lex.frames.values():
        sets: list[tuple[str, ...]] = []
        phrases = [p.canonical for p in frame.patterns]
        for spec in frame.enumerations:
            if spec.count == "once":   # the whole list: its items' first wordings together
                phrases.append(" ".join(items[0] for _, items in spec.items))
                continue
            for _, items in spec.items:   # a listed item with its lead and trail is a phrase too
                for item in items:
                    phrases.extend(f"{lead} {item} {trail}".strip()
                                   for lead in spec.lead or ("",) for trail in spec.trail or ("",))
        for phrase in phrases:
            words = tuple(dict.fromkeys(w for w in _WORD_RE.findall(phrase) if w not in stops))
            if not words:
                continue
            if len(words) >= 4:
                sets.extend(words[:i] + words[i + 1:] for i in range(len(words)))
            else:
                sets.append(words)
        out[frame.id] = list(dict.fromkeys(sets))
    return out


def diff_mentions(corpus, old: Lexicon | str | None, new: Lexicon | str | None = None) -> pd.DataFrame:
    """The mentions of two lexicons side by side: what an edit of the lexicon changed.

    A mention of ``old`` and one of ``new`` are the same when they are in the same
    document, of the same frame, and their spans overlap (each pairs with at most one,
    in text order). Sampling this table with ``by="status"`` measures the precision of
    both lexicons on one coded sheet: ``old`` is ``both`` + ``old_only``, ``new`` is
    ``both`` + ``new_only``.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    old, new : Lexicon or path
        ``new`` defaults to the packaged lexicon.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, year, frame, variant, start, end, status, old_variant``: one row per
        mention of either lexicon, in corpus and text order; ``status`` is ``both``,
        ``old_only`` or ``new_only``; ``variant``/``start``/``end`` are the new
        lexicon's where it has the mention, ``old_variant`` the old lexicon's ("" where
        it has none). ``attrs`` records both lexicons.

    Examples
    --------
    >>> from datetime import date
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([Document("d", "the security community; win-win cooperation",
    ...                                          date=date(2021, 9, 21))])
    >>> diff_mentions(corpus, "codebook_v1.yaml")[["frame", "variant", "status", "old_variant"]]
                  frame      variant    status old_variant
    0  four_communities     security  old_only    security
    1           win_win  cooperation      both
    """
    old_matcher, new_matcher = Matcher(old), Matcher(new)
    rows = []
    for doc in corpus:
        language = document_language(doc)
        a = old_matcher._spans(doc.text, language, doc.year)
        b = new_matcher._spans(doc.text, language, doc.year)
        used = set()
        paired: dict[int, int] = {}
        for j, (s2, e2, f2, _) in enumerate(b):
            for i, (s1, e1, f1, _) in enumerate(a):
                if i not in used and f1 == f2 and s1 < e2 and s2 < e1:
                    used.add(i)
                    paired[j] = i
                    break
        for j, (s2, e2, f2, v2) in enumerate(b):
            if j in paired:
                rows.append((doc.doc_id, doc.year, f2, v2, s2, e2, "both", a[paired[j]][3]))
            else:
                rows.append((doc.doc_id, doc.year, f2, v2, s2, e2, "new_only", ""))
        rows.extend((doc.doc_id, doc.year, f1, v1, s1, e1, "old_only", v1)
                    for i, (s1, e1, f1, v1) in enumerate(a) if i not in used)
    table = pd.DataFrame(rows, columns=["doc_id", "year", "frame", "variant", "start", "end", "status", "old_variant"])
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(table["doc_id"]))}
    table = table.assign(_o=table["doc_id"].map(order)).sort_values(["_o", "start", "end"], kind="stable")
    table = table.drop(columns="_o").reset_index(drop=True).astype({"start": "int64", "end": "int64"})
    table["year"] = table["year"].astype("Int64")
    table.attrs.update(old=old_matcher.lexicon.label,
                       new=new_matcher.lexicon.label, old_sha256=old_matcher.lexicon.digest,
                       new_sha256=new_matcher.lexicon.digest)
    return table


def _word_set(text: str) -> set[str]:
    words = set(_WORD_RE.findall(text))
    return words | {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}


def sample_mentions(corpus, *, lexicon: Lexicon | str | None = None, per_cell: int = 40, by: Any = None,
                    seed: int = 0, near_misses: int = 0, window: int = 120, mentions: pd.DataFrame | None = None,
                    cue_words: Mapping[str, Any] | None = None, frames: list[str] | None = None) -> pd.DataFrame:
    """A coding sheet: a stratified random sample of mentions to judge in context.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
        Read twice (to find mentions, then to cut the contexts of the sampled ones).
    lexicon : Lexicon or path, optional
        Default: the packaged codebook lexicon. The document's year goes to the matcher,
        so ``since`` rules apply.
    per_cell : int, default 40
        Mentions drawn at random (without replacement) from every frame × variant (× group)
        cell; a smaller cell is taken whole.
    by : column, list of columns or custom group, optional
        Stratify by groups as well (``by="year"``; see :mod:`sco_discourse.groups`); a
        column of ``mentions`` may be named too.
    seed : int, default 0
        The same corpus, lexicon and seed give the same sheet. Each cell is drawn with its
        own generator (seeded by ``seed`` and the cell's name), so editing the lexicon
        changes the draws of the cells it changes and of no other.
    near_misses : int, default 0
        Also draw up to this many near-miss sentences per frame (× group): sentences with
        the frame's cue words but no counted mention of it (see :func:`default_cue_words`).
    window : int, default 120
        Characters of context on each side.
    mentions : DataFrame, optional
        Mentions to sample from instead of running the matcher (``doc_id, frame, variant,
        start, end`` and any extra columns, e.g. :func:`diff_mentions` of two lexicons);
        offsets into ``Document.text``. Near-misses are then sentences with none of these
        mentions.
    cue_words : mapping of frame id to phrases or word sets, optional
        Near-miss cues per frame, replacing the defaults of the frames given.
    frames : list of str, optional
        Only these frames.

    Returns
    -------
    pandas.DataFrame
        One row per sampled item: ``sample_id`` (``S0001``...), ``kind`` ("mention" or
        "near_miss"), ``doc_id``, the document's metadata (``year`` and every scalar
        metadata field), the group columns of ``by``, ``frame``, ``variant`` ("" for a
        near-miss), ``cell`` (the stratum: ``frame:variant[:column=value...]``, or
        ``frame:near_miss...``), ``cell_size`` (mentions — or near-miss sentences — in
        the whole cell: what the precision estimate weights by), ``start``/``end`` (offsets of the
        mention, or of the near-miss sentence), ``left``/``match``/``right`` (the
        context, line breaks as spaces), ``sentence`` (the sentence holding the match),
        ``judgement`` and ``note`` (empty, for the coder). Rows are ordered by cell, then
        by corpus order. ``attrs`` records the lexicon, ``per_cell``, ``seed`` and ``by``.

    Raises
    ------
    InputError
        ``per_cell`` < 1, an unknown frame, a ``mentions`` table without its columns or
        naming documents not in the corpus.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> sheet = sample_mentions(load_corpus(), per_cell=2, seed=0, frames=["shared_future"])
    >>> sheet[["sample_id", "doc_id", "variant", "cell_size", "match"]].head(3)
      sample_id    doc_id   variant  cell_size                           match
    0     S0001  seed-003   mankind          6  community with a shared future
    1     S0002  seed-004   mankind          6  community with a shared future
    2     S0003  seed-001  humanity          2  community with a shared future
    >>> bool(sheet["judgement"].eq("").all())
    True
    """
    from ..groups import Grouping, doc_record, documents_table
    from ..text import sentence_spans

    if not isinstance(per_cell, int) or isinstance(per_cell, bool) or per_cell < 1:
        raise InputError(f"per_cell must be a whole number of at least 1, got {per_cell!r}")
    if not isinstance(near_misses, int) or isinstance(near_misses, bool) or near_misses < 0:
        raise InputError(f"near_misses must be a whole number of at least 0, got {near_misses!r}")
    lex = load_lexicon(lexicon)
    wanted = list(lex.frames) if frames is None else list(frames)
    unknown = [f for f in wanted if f not in lex.frames]
    if unknown:
        raise InputError(f"frames: unknown frame {unknown[0]!r}; frames of {lex.label}: {', '.join(lex.frames)}")
    matcher = Matcher(lex) if mentions is None else None
    cues = _cue_sets(lex, cue_words, wanted) if near_misses else {}

    # pass 1: every mention (and near-miss sentence), with its document's metadata
    records: list[dict] = []
    found: list[tuple] = []      # (doc index, start, end, frame, variant, row of `mentions` or -1)
    near: list[tuple] = []       # (doc index, start, end, frame)
    given = _mentions_by_doc(mentions) if mentions is not None else None
    for i, doc in enumerate(corpus):
        records.append(doc_record(doc))
        if given is not None:
            spans = given.pop(doc.doc_id, [])
        else:
            spans = [(s, e, f, v, -1) for s, e, f, v in matcher._spans(doc.text, document_language(doc), doc.year)]
        spans = [m for m in spans if m[2] in wanted]
        found.extend((i, *m) for m in spans)
        if cues:
            near.extend((i, s, e, f) for s, e, f in _near_miss_sentences(doc.text, spans, cues, sentence_spans))
    if given:
        raise InputError(f"mentions, field 'doc_id': {next(iter(given))!r} is not a document of the corpus")
    if not records:
        raise InputError(f"{getattr(corpus, 'name', 'corpus')}: the corpus has no documents")
    docs = documents_table(records)
    grouping = Grouping(by, where=getattr(corpus, "name", "corpus"))

    mention_table = pd.DataFrame(found, columns=["doc", "start", "end", "frame", "variant", "row"])
    if mentions is not None and grouping:
        extra = [c for c in grouping.sources if c not in docs.columns and c in mentions.columns]
        for column in extra:  # group columns carried by the mention table itself
            mention_table[column] = mentions[column].to_numpy()[mention_table["row"].to_numpy()]
    near_table = pd.DataFrame(near, columns=["doc", "start", "end", "frame"]).assign(variant="")
    rng = seed
    parts = []
    for kind, table in (("mention", mention_table), ("near_miss", near_table)):
        if kind == "near_miss" and not near_misses:
            continue
        limit = per_cell if kind == "mention" else near_misses
        # a group column that only the mention table carries does not apply to sentences
        cells = grouping if kind == "mention" else Grouping(_doc_groups(by, docs), where=grouping.where)
        parts.append(_draw(kind, table, docs, cells, lex, wanted, limit, rng, with_variants=kind == "mention",
                           keys=matcher.all_keys if matcher is not None else lex.keys()))
    sample = pd.concat(parts, ignore_index=True)

    # pass 2: the contexts of the drawn items
    needed = set(sample["doc"].astype(int))
    texts = {i: doc.text for i, doc in enumerate(corpus) if i in needed}
    sentences: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for item in sample.itertuples(index=False):
        doc = int(item.doc)
        text = texts[doc]
        s, e = int(item.start), int(item.end)
        if doc not in sentences:
            sentences[doc] = sentence_spans(text)
        sentence = next((text[a:b] for a, b in sentences[doc] if a <= s < b), text[s:e])
        rows.append((_flat(text[max(0, s - window):s]), _flat(text[s:e]), _flat(text[e:e + window]), _flat(sentence)))
    context = pd.DataFrame(rows, columns=["left", "match", "right", "sentence"])
    sample = pd.concat([sample.reset_index(drop=True), context], axis=1)
    meta_columns = [c for c in docs.columns if c not in ("doc_id", "date_precision") and docs[c].notna().any()]
    sample = sample.join(docs[["doc_id"] + [c for c in meta_columns if c not in sample.columns]], on="doc")
    sample["sample_id"] = [f"S{i + 1:04d}" for i in range(len(sample))]
    sample["judgement"] = ""
    sample["note"] = ""
    group_columns = [c for c in grouping.columns if c not in meta_columns]
    columns = (["sample_id", "kind", "doc_id"] + meta_columns + group_columns
               + [c for c in SHEET_COLUMNS if c not in ("sample_id", "kind", "doc_id")])
    sample = sample[columns]
    sample = sample.astype({"start": "int64", "end": "int64", "cell_size": "int64"})
    sample.attrs.update(lexicon_attrs(lex))
    sample.attrs.update(corpus_attrs(corpus))
    sample.attrs.update(per_cell=per_cell, near_misses=near_misses, seed=seed, by=grouping.columns or None,
                        sampling="stratified by frame x variant" + (" x " + " x ".join(grouping.columns)
                                                                   if grouping else "")
                                 + f"; up to {per_cell} per cell, without replacement")
    return sample


def _draw(kind: str, table: pd.DataFrame, docs: pd.DataFrame, grouping, lex: Lexicon, wanted: list[str],
          limit: int, rng: int, *, with_variants: bool, keys: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Up to ``limit`` rows of every cell, drawn without replacement; empty cells listed too.
    ``keys``: the frame/variant keys of the matcher (with the packaged lexicons, the
    Chinese lexicon's variants too, e.g. ``shared_future/human``)."""
    group_columns = grouping.columns
    if grouping:
        codes, labels = grouping.resolve(_group_source(table, docs, grouping))
        table = table.assign(group=codes)
    else:
        labels = pd.DataFrame(index=[0])
        table = table.assign(group=0)
    cells = []
    for frame_id in wanted:
        variants = [v for f, v in (keys or lex.keys()) if f == frame_id and v]
        variants = (variants or [""]) if with_variants else [""]
        cells.extend((frame_id, v) for v in variants)
    key = {c: i for i, c in enumerate(cells)}
    table = table.assign(cell=[key.get((f, v), -1) for f, v in zip(table["frame"], table["variant"])])
    unknown = table[table["cell"] < 0]
    if len(unknown):
        row = unknown.iloc[0]
        raise InputError(f"mentions: frame {row['frame']!r} variant {row['variant']!r} is not a key of {lex.label}")
    out = []
    by_cell = {k: idx for k, idx in table.groupby(["cell", "group"], sort=True).groups.items()}
    for c, (frame_id, variant) in enumerate(cells):
        for g in range(len(labels)):
            idx = by_cell.get((c, g))
            size = 0 if idx is None else len(idx)
            base = {"kind": kind, "frame": frame_id, "variant": variant, "cell_size": size}
            cell = f"{frame_id}:{variant if kind == 'mention' else 'near_miss'}"
            for column in group_columns:
                base[column] = labels.iloc[g][column]
                cell += f":{column}={_label(base[column])}"
            base["cell"] = cell
            if size == 0:
                continue
            # each cell has its own generator, seeded by the seed and the cell's name: a
            # lexicon edit that changes one cell leaves the draws of every other cell as they
            # were, so their coding can be kept
            cell_rng = np.random.default_rng([rng, zlib.crc32(cell.encode("utf-8"))])
            chosen = np.sort(cell_rng.choice(size, size=min(size, limit), replace=False))
            rows = table.loc[idx].iloc[chosen]
            out.extend({**base, "doc": r.doc, "start": r.start, "end": r.end} for r in rows.itertuples())
    return pd.DataFrame(out, columns=["kind", "frame", "variant", "cell", "cell_size", *group_columns, "doc", "start",
                                      "end"])


def _label(value) -> str:
    return "NA" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _doc_groups(by: Any, docs: pd.DataFrame) -> list:
    """The entries of ``by`` that read a column of the documents table."""
    from ..groups import Group

    items = [] if by is None else [by] if isinstance(by, (str, Mapping, Group)) else list(by)
    out = []
    for item in items:
        column = item if isinstance(item, str) else item.column if isinstance(item, Group) else next(iter(item), None)
        if column in docs.columns:
            out.append(item)
    return out


def _group_source(table: pd.DataFrame, docs: pd.DataFrame, grouping) -> pd.DataFrame:
    """The columns ``by`` reads, one row per item of ``table``."""
    source = docs.iloc[table["doc"].to_numpy()].reset_index(drop=True)
    for column in grouping.sources:
        if column in table.columns:
            source[column] = table[column].to_numpy()
    return source


def _mentions_by_doc(mentions: pd.DataFrame) -> dict[str, list[tuple]]:
    needed = ["doc_id", "frame", "variant", "start", "end"]
    missing = [c for c in needed if c not in mentions.columns]
    if missing:
        raise InputError(f"mentions: missing column(s) {', '.join(missing)} (needs {', '.join(needed)})")
    out: dict[str, list[tuple]] = {}
    variants = mentions["variant"].map(lambda v: "" if v is None or v != v else str(v))
    for doc_id, start, end, frame, variant, row in zip(mentions["doc_id"], mentions["start"], mentions["end"],
                                                       mentions["frame"], variants, range(len(mentions))):
        out.setdefault(str(doc_id), []).append((int(start), int(end), str(frame), variant, row))
    return {k: sorted(v) for k, v in out.items()}


def _cue_sets(lex: Lexicon, cue_words, wanted: list[str]) -> dict[str, list[frozenset]]:
    defaults = default_cue_words(lex)
    out = {}
    for frame in wanted:
        given = (cue_words or {}).get(frame)
        if given is None:
            sets = defaults.get(frame, [])
        else:
            items = [given] if isinstance(given, str) else list(given)
            sets = [tuple(_WORD_RE.findall(canonical_phrase(i))) if isinstance(i, str) else tuple(i) for i in items]
        out[frame] = [frozenset(s) for s in sets if s]
    if cue_words:
        unknown = [f for f in cue_words if f not in lex.frames]
        if unknown:
            raise InputError(f"cue_words: unknown frame {unknown[0]!r}")
    return out


def _near_miss_sentences(text: str, spans: list[tuple], cues: dict[str, list[frozenset]], splitter) -> list[tuple]:
    """``(start, end, frame)`` of each sentence with a frame's cue words and no mention of it."""
    lowered = text.lower().replace("-", " ")
    words = _word_set(lowered)
    frames = [f for f, sets in cues.items() if any(s <= words for s in sets)]
    if not frames:
        return []
    out = []
    for a, b in splitter(text):
        sentence_words = _word_set(lowered[a:b])
        for frame in frames:
            if any(s <= sentence_words for s in cues[frame]) and \
                    not any(f == frame and s < b and e > a for s, e, f, *_ in spans):
                out.append((a, b, frame))
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s", " ", text)
