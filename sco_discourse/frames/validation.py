"""Validation of the frame matcher against hand-coded mentions (a "gold" set).

A gold file lists, one row per mention found by a human reader, the document, frame,
variant and a verbatim piece of text that locates the mention. :func:`load_gold` reads and
checks such a file; :func:`validate_frames` runs the matcher (or takes any table of
predicted mentions), pairs predictions with gold mentions and reports precision, recall and
F1 per frame and per variant, with every disagreement as a KWIC line.

The package ships a gold set for the embedded seed corpus, coded by reading the eight
articles (``sco_discourse/data/gold_frames_seed.csv`` under codebook v2, the default;
``gold_frames_seed_v1.csv`` under codebook v1; how they were coded and the coder's
decisions on hard cases are in ``tests/data/gold_frames.README.md`` of the source tree).
For a corpus of your own, sample and code mentions with :mod:`sco_discourse.frames.sampling`
and score the sheet with :mod:`sco_discourse.frames.precision`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import GoldError, InputError
from ..text import normalize

__all__ = ["ValidationResult", "load_gold", "validate_frames", "GOLD_COLUMNS"]

#: Columns of a gold file, in order. ``occurrence`` and ``note`` may be left out.
GOLD_COLUMNS = ("doc_id", "frame", "variant", "text", "context", "occurrence", "note")
_REQUIRED = ("doc_id", "frame", "variant", "text", "context")
_SEED_GOLD = "gold_frames_seed.csv"

SCORE_COLUMNS = ["frame", "variant", "tp", "fp", "fn", "precision", "recall", "f1"]
DISAGREEMENT_COLUMNS = ["doc_id", "frame", "variant", "kind", "start", "end", "left", "match",
                        "right", "note"]


# --------------------------------------------------------------------------- loading
def load_gold(path: str | Path | pd.DataFrame | None = None, *, corpus=None,
              lexicon=None) -> pd.DataFrame:
    """Read and check a file of hand-coded frame mentions, locating each in its document.

    Parameters
    ----------
    path : str, Path or DataFrame, optional
        A UTF-8 CSV file with the columns ``doc_id, frame, variant, text, context`` and
        optionally ``occurrence`` (default 1) and ``note``, or a DataFrame with those
        columns. Nothing: the gold set shipped for the seed corpus.
    corpus : Corpus, optional
        The corpus the file was coded on (default: the embedded seed corpus).
    lexicon : Lexicon or path, optional
        Frame and variant ids are checked against it (default: the packaged codebook).

    Returns
    -------
    pandas.DataFrame
        One row per gold mention, in file order, with columns ``doc_id, frame, variant,
        start, end, text, context, occurrence, note, row``: ``start``/``end`` are
        character offsets into ``Document.text``, ``variant`` is ``""`` for a frame
        without variants, ``row`` is the 1-based data row of the file.

    Raises
    ------
    GoldError
        The file is missing or unreadable, lacks a column, or a row names an unknown
        document, frame or variant, has a ``context`` not found in the document (or not
        as many times as ``occurrence`` says), a ``text`` not inside its ``context``, or
        locates the same mention as an earlier row. The message names file, row, field.

    Notes
    -----
    A mention's span is the **first** occurrence of ``text`` inside the ``occurrence``-th
    occurrence of ``context`` in the document's text. Both are compared after
    :func:`sco_discourse.text.normalize` (curly and straight quotes, dashes and exotic
    spaces are equal), which keeps lengths, so offsets are offsets into the original text.

    Examples
    --------
    >>> gold = load_gold()
    >>> len(gold), gold["doc_id"].nunique()
    (166, 8)
    >>> gold.loc[0, ["doc_id", "frame", "variant", "start", "end", "text"]]
    doc_id                         seed-000
    frame                     shared_future
    variant                             sco
    start                                47
    end                                  75
    text       community with shared future
    Name: 0, dtype: object
    """
    lex = _lexicon(lexicon)
    if isinstance(path, pd.DataFrame):
        source = "<DataFrame>"
        header = [str(c) for c in path.columns]
        records = [(i + 1, None, ["" if _missing(v) else str(v) for v in values])
                   for i, values in enumerate(path.itertuples(index=False, name=None))]
    else:
        source, text = _read_gold_text(path)
        header, records = _parse_csv(text, source)

    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise GoldError(f"{source}, header: missing column(s) {', '.join(missing)}; a gold "
                        f"file needs {', '.join(_REQUIRED)} (and optionally occurrence, note)")
    index = {name: header.index(name) for name in GOLD_COLUMNS if name in header}

    if corpus is None:
        from ..corpus import load_corpus

        corpus = load_corpus()
    wanted = {_cell(values, index, "doc_id") for _, _, values in records}
    texts = {doc.doc_id: doc.text for doc in corpus if doc.doc_id in wanted}
    normalized: dict[str, str] = {}

    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, int, int], int] = {}
    for row_number, line, values in records:
        where = f"{source}, row {row_number}" + (f" (line {line})" if line is not None else "")
        if len(values) > len(header):
            raise GoldError(f"{where}: {len(values)} fields but the header has {len(header)} "
                            "(a comma inside a field needs double quotes)")
        cell = {name: _cell(values, index, name) for name in GOLD_COLUMNS}
        for name in ("doc_id", "frame", "text", "context"):
            if not cell[name].strip():
                raise GoldError(f"{where}, field '{name}': empty")
        doc_id, frame, variant = cell["doc_id"].strip(), cell["frame"].strip(), cell["variant"].strip()
        if doc_id not in texts:
            raise GoldError(f"{where}, field 'doc_id': {doc_id!r} is not a document of corpus "
                            f"{getattr(corpus, 'name', 'corpus')!r}")
        if frame not in lex.frames:
            raise GoldError(f"{where}, field 'frame': {frame!r} is not a frame of lexicon "
                            f"{lex.label} (frames: {', '.join(lex.frames)})")
        variants = lex.frames[frame].variants
        if variants and variant not in variants:
            raise GoldError(f"{where}, field 'variant': {variant!r} is not a variant of frame "
                            f"{frame!r} in lexicon {lex.label} (variants: {', '.join(variants)})")
        if not variants and variant:
            raise GoldError(f"{where}, field 'variant': frame {frame!r} has no variants in "
                            f"lexicon {lex.label}; leave the field empty (got {variant!r})")
        occurrence_text = cell["occurrence"].strip() or "1"
        try:
            occurrence = int(float(occurrence_text))
            if occurrence < 1 or occurrence != float(occurrence_text):
                raise ValueError
        except ValueError:
            raise GoldError(f"{where}, field 'occurrence': {occurrence_text!r} is not a whole "
                            "number of at least 1") from None

        context, mention = cell["context"], cell["text"]
        norm_context, norm_mention = normalize(context), normalize(mention)
        offset_in_context = norm_context.find(norm_mention)
        if offset_in_context < 0:
            raise GoldError(f"{where}, field 'text': {mention!r} is not inside the context "
                            f"{context!r}")
        if doc_id not in normalized:
            normalized[doc_id] = normalize(texts[doc_id])
        doc_text = normalized[doc_id]
        found, at = 0, -1
        while found < occurrence:
            at = doc_text.find(norm_context, at + 1)
            if at < 0:
                break
            found += 1
        if at < 0:
            if found == 0:
                raise GoldError(f"{where}, field 'context': {context!r} is not in the text of "
                                f"document {doc_id!r}")
            raise GoldError(f"{where}, field 'occurrence': the context occurs {found} time(s) "
                            f"in document {doc_id!r}, not {occurrence}")
        start = at + offset_in_context
        end = start + len(norm_mention)
        key = (doc_id, frame, start, end)
        if key in seen:
            raise GoldError(f"{where}, field 'context': locates the same {frame} mention as row "
                            f"{seen[key]} (use 'occurrence' for a repeated context)")
        seen[key] = row_number
        rows.append({"doc_id": doc_id, "frame": frame, "variant": variant, "start": start,
                     "end": end, "text": texts[doc_id][start:end], "context": context,
                     "occurrence": occurrence, "note": cell["note"].strip(), "row": row_number})
    columns = ["doc_id", "frame", "variant", "start", "end", "text", "context", "occurrence",
               "note", "row"]
    gold = pd.DataFrame(rows, columns=columns)
    gold = gold.astype({"start": "int64", "end": "int64", "occurrence": "int64", "row": "int64"})
    gold.attrs["source"] = source
    return gold


def _lexicon(lexicon):
    from ..lexicons.schema import load_lexicon

    return load_lexicon(lexicon)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(values: list[str], index: dict[str, int], name: str) -> str:
    i = index.get(name)
    return values[i] if i is not None and i < len(values) else ""


def _read_gold_text(path) -> tuple[str, str]:
    if path is None:
        resource = resources.files("sco_discourse").joinpath("data", _SEED_GOLD)
        return f"<package>/sco_discourse/data/{_SEED_GOLD}", resource.read_text("utf-8")
    file = Path(path)
    if not file.is_file():
        raise GoldError(f"{file}: gold file not found")
    try:
        return str(file), file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GoldError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _parse_csv(text: str, source: str) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """Header and ``(row number, line number, fields)`` of each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise GoldError(f"{source}: empty file (no header)") from None
    except csv.Error as exc:
        raise GoldError(f"{source}, header: not valid CSV ({exc})") from None
    records: list[tuple[int, int, list[str]]] = []
    row_number = 0
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise GoldError(f"{source}, line {line}: not valid CSV ({exc})") from None
        if not any(v.strip() for v in values):
            continue
        row_number += 1
        records.append((row_number, line, values))
    return header, records


# --------------------------------------------------------------------------- scoring
@dataclass
class ValidationResult:
    """Precision, recall and F1 of the matcher against a gold set, with the evidence.

    Attributes
    ----------
    scores : pandas.DataFrame
        ``frame, variant, tp, fp, fn, precision, recall, f1``: one row per frame with
        ``variant == ""`` (the frame, variants ignored), one per variant of the frame,
        and a last micro-averaged row ``frame == "ALL"`` summing the frame rows.
        precision/recall/F1 are NaN where undefined (0/0).
    disagreements : pandas.DataFrame
        ``doc_id, frame, variant, kind, start, end, left, match, right, note``; ``kind``
        is ``"missed"`` (a gold mention no prediction overlaps; the gold span and
        variant), ``"spurious"`` (a prediction no gold mention overlaps; its span and
        variant) or ``"wrong_variant"`` (paired, variants differ; the gold span and
        variant, the predicted variant in ``note``). ``left``/``match``/``right`` is
        the KWIC line (:func:`~sco_discourse.frames.kwic.kwic_context`), white space shown as spaces.
    lexicon : str
        ``"name version"`` of the lexicon used.
    gold_source : str
        Where the gold mentions came from.
    n_documents : int
        Documents scored (every document of the corpus).
    """

    scores: pd.DataFrame
    disagreements: pd.DataFrame
    lexicon: str
    gold_source: str = ""
    n_documents: int = 0
    n_gold: int = 0
    n_predicted: int = 0
    _width: int = field(default=40, repr=False)

    def to_text(self, *, max_disagreements: int | None = None) -> str:
        """The report: a score table and every disagreement as an aligned KWIC line."""
        lines = [f"Frame validation against {self.gold_source}",
                 f"lexicon {self.lexicon}; {self.n_documents} documents, "
                 f"{self.n_gold} gold mentions, {self.n_predicted} found by the matcher",
                 ""]
        table = self.scores.copy()
        for col in ("precision", "recall", "f1"):
            table[col] = table[col].map(lambda v: "-" if pd.isna(v) else f"{v:.3f}")
        table["variant"] = table["variant"].map(lambda v: v or "(all)")
        lines.append(table.to_string(index=False))
        dis = self.disagreements
        lines += ["", f"Disagreements: {len(dis)}"]
        if len(dis):
            from .kwic import format_kwic

            shown = dis if max_disagreements is None else dis.head(max_disagreements)
            heads = [f"{r.doc_id}  {r.kind:<13} {r.frame}/{r.variant or '-'}" for r in shown.itertuples()]
            lines += format_kwic(shown.assign(head=heads), window=self._width, label="head", note="note")
            if len(shown) < len(dis):
                lines.append(f"... {len(dis) - len(shown)} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def validate_frames(corpus=None, gold=None, *, matcher=None, mentions: pd.DataFrame | None = None,
                    width: int = 40) -> ValidationResult:
    """Score the frame matcher against hand-coded mentions.

    Parameters
    ----------
    corpus : Corpus, optional
        The coded documents (default: the embedded seed corpus). Every document counts as
        coded: a prediction in a document without gold mentions is a false positive, so
        pass only the documents that were read (e.g. ``corpus.select(doc_id=[...])``).
    gold : str, Path or DataFrame, optional
        A gold file (see :func:`load_gold`) or its loaded table; default: the gold set
        shipped for the seed corpus.
    matcher : Matcher, optional
        The compiled lexicon to score (default: ``Matcher()``, the packaged codebook);
        gold frame and variant ids are checked against its lexicon.
    mentions : DataFrame, optional
        Predicted mentions (``doc_id, frame, variant, start, end``) to score instead of
        running ``matcher.find(corpus)``, e.g. the output of another tool.
    width : int, default 40
        Characters of context on each side of a KWIC line.

    Returns
    -------
    ValidationResult
        ``.scores`` (``frame, variant, tp, fp, fn, precision, recall, f1``),
        ``.disagreements`` (``doc_id, frame, variant, kind, start, end, left, match,
        right, note``), ``.lexicon``; ``print(result)`` gives the report.

    Notes
    -----
    **Pairing rule.** A predicted and a gold mention can be paired when they are in the
    same document, have the same frame and their character spans overlap. Within each
    document and frame the pairs are chosen one-to-one by a maximum-weight assignment
    (Hungarian algorithm) that, in this order of priority, makes as many pairs as
    possible, makes as many of them agree on the variant as possible, and prefers larger
    overlaps. At frame level every pair is a true positive, an unpaired prediction a
    false positive and an unpaired gold mention a false negative. At variant level a pair
    is a true positive of variant *v* only when both mentions have variant *v*; a pair
    whose variants differ is a false positive of the predicted variant and a false
    negative of the gold variant (and a ``"wrong_variant"`` disagreement). The ``ALL`` row
    sums tp/fp/fn over the frame rows (micro average). Precision = tp/(tp+fp), recall =
    tp/(tp+fn), F1 their harmonic mean (van Rijsbergen 1979).

    References
    ----------
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem. *Naval Research
    Logistics Quarterly* 2, 83–97.
    van Rijsbergen, C. J. (1979). *Information Retrieval* (2nd ed.), ch. 7. Butterworths.

    Examples
    --------
    >>> import pandas as pd
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([Document("d1", "Uphold the Shanghai Spirit and win-win "
    ...                                          "cooperation, not the Shanghai Spirit Bar.")])
    >>> gold = pd.DataFrame({"doc_id": ["d1", "d1"], "frame": ["shanghai_spirit", "win_win"],
    ...                      "variant": ["", "cooperation"], "text": ["Shanghai Spirit", "win-win"],
    ...                      "context": ["Uphold the Shanghai Spirit", "win-win"]})
    >>> found = pd.DataFrame({"doc_id": ["d1", "d1"], "frame": ["shanghai_spirit"] * 2,
    ...                       "variant": ["", ""], "start": [11, 60], "end": [26, 75]})
    >>> result = validate_frames(corpus, gold, mentions=found)
    >>> result.scores.query("frame == 'ALL'")[["tp", "fp", "fn", "precision", "recall"]]
        tp  fp  fn  precision  recall
    37   1   1   1        0.5     0.5
    >>> result.disagreements[["kind", "frame", "match"]]
           kind            frame            match
    0    missed          win_win          win-win
    1  spurious  shanghai_spirit  Shanghai Spirit
    """
    from .matcher import Matcher

    if matcher is None:
        matcher = Matcher()
    elif not isinstance(matcher, Matcher):
        raise InputError(f"validate_frames: matcher must be a Matcher (Matcher(lexicon)), got {type(matcher).__name__}")
    lex = matcher.lexicon
    if corpus is None:
        from ..corpus import load_corpus

        corpus = load_corpus()
    gold_table = load_gold(gold, corpus=corpus, lexicon=lex)
    gold_source = gold_table.attrs.get("source", "")

    doc_ids = [doc.doc_id for doc in corpus]
    if mentions is None:
        mentions = matcher.find(corpus)
    predicted = _predicted_table(mentions, set(doc_ids))

    pairs = _pair(gold_table, predicted)
    scores = _scores(gold_table, predicted, pairs, lex)
    disagreements = _disagreements(gold_table, predicted, pairs, corpus, doc_ids, width)
    return ValidationResult(scores=scores, disagreements=disagreements, lexicon=lex.label,
                            gold_source=gold_source, n_documents=len(doc_ids),
                            n_gold=len(gold_table), n_predicted=len(predicted), _width=width)


def _predicted_table(mentions: pd.DataFrame, doc_ids: set[str]) -> pd.DataFrame:
    needed = ["doc_id", "frame", "variant", "start", "end"]
    missing = [c for c in needed if c not in mentions.columns]
    if missing:
        raise InputError(f"mentions: missing column(s) {', '.join(missing)} "
                         f"(needs {', '.join(needed)})")
    table = mentions[needed].copy().reset_index(drop=True)
    table["variant"] = table["variant"].map(lambda v: "" if _missing(v) else str(v))
    unknown = sorted(set(table["doc_id"]) - doc_ids)
    if unknown:
        raise InputError(f"mentions, field 'doc_id': {unknown[0]!r} is not a document of the "
                         "corpus being validated")
    return table.astype({"start": "int64", "end": "int64"})


def _pair(gold: pd.DataFrame, predicted: pd.DataFrame) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs; see the pairing rule above."""
    from scipy.optimize import linear_sum_assignment

    pairs: list[tuple[int, int]] = []
    pred_groups = {key: idx for key, idx in predicted.groupby(["doc_id", "frame"]).groups.items()}
    for key, gold_index in gold.groupby(["doc_id", "frame"]).groups.items():
        pred_index = pred_groups.get(key)
        if pred_index is None or len(pred_index) == 0:
            continue
        g = gold.loc[gold_index]
        p = predicted.loc[pred_index]
        gs, ge, gv = (g[c].to_numpy()[:, None] for c in ("start", "end", "variant"))
        ps, pe, pv = (p[c].to_numpy()[None, :] for c in ("start", "end", "variant"))
        overlap = np.minimum(ge, pe) - np.maximum(gs, ps)
        n = min(len(g), len(p))
        # lexicographic weight: pair count >> variant agreement >> overlap fraction
        bonus_variant = float(n + 1)
        base = (n + 1) * (bonus_variant + 1)
        fraction = overlap / np.maximum(np.maximum(ge - gs, pe - ps), 1)
        weight = np.where(overlap > 0, base + bonus_variant * (gv == pv) + fraction, 0.0)
        rows, cols = linear_sum_assignment(weight, maximize=True)
        for r, c in zip(rows, cols):
            if weight[r, c] > 0:
                pairs.append((int(gold_index[r]), int(pred_index[c])))
    return pairs


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def _f1(precision: float, recall: float) -> float:
    if math.isnan(precision) or math.isnan(recall):
        return float("nan")
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _scores(gold, predicted, pairs, lex) -> pd.DataFrame:
    keys = list(lex.keys())
    extra = {(f, v) for f, v in zip(predicted["frame"], predicted["variant"])} - set(keys)
    extra |= {(f, "") for f, _ in extra}
    keys += sorted(extra - set(keys))

    gold_var = gold.groupby(["frame", "variant"]).size()
    gold_frame = gold.groupby("frame").size()
    pred_var = predicted.groupby(["frame", "variant"]).size()
    pred_frame = predicted.groupby("frame").size()
    tp_frame: dict[str, int] = {}
    tp_var: dict[tuple[str, str], int] = {}
    for gi, pi in pairs:
        frame = gold.at[gi, "frame"]
        tp_frame[frame] = tp_frame.get(frame, 0) + 1
        if gold.at[gi, "variant"] == predicted.at[pi, "variant"]:
            key = (frame, gold.at[gi, "variant"])
            tp_var[key] = tp_var.get(key, 0) + 1

    rows = []
    for frame, variant in keys:
        if variant == "":
            tp = tp_frame.get(frame, 0)
            n_gold, n_pred = int(gold_frame.get(frame, 0)), int(pred_frame.get(frame, 0))
        else:
            tp = tp_var.get((frame, variant), 0)
            n_gold = int(gold_var.get((frame, variant), 0))
            n_pred = int(pred_var.get((frame, variant), 0))
        rows.append((frame, variant, tp, n_pred - tp, n_gold - tp))
    table = pd.DataFrame(rows, columns=["frame", "variant", "tp", "fp", "fn"])
    totals = table[table["variant"] == ""][["tp", "fp", "fn"]].sum()
    table.loc[len(table)] = ["ALL", "", int(totals["tp"]), int(totals["fp"]), int(totals["fn"])]
    table = table.astype({"tp": "int64", "fp": "int64", "fn": "int64"})
    table["precision"] = [_ratio(tp, tp + fp) for tp, fp in zip(table["tp"], table["fp"])]
    table["recall"] = [_ratio(tp, tp + fn) for tp, fn in zip(table["tp"], table["fn"])]
    table["f1"] = [_f1(p, r) for p, r in zip(table["precision"], table["recall"])]
    return table[SCORE_COLUMNS]


def _disagreements(gold, predicted, pairs, corpus, doc_order, width) -> pd.DataFrame:
    from .kwic import kwic_context

    paired_gold = {gi: pi for gi, pi in pairs}
    paired_pred = {pi for _, pi in pairs}
    rows = []
    for gi, g in gold.iterrows():
        if gi not in paired_gold:
            rows.append((g["doc_id"], g["frame"], g["variant"], "missed", g["start"], g["end"],
                         g["note"]))
        else:
            pred_variant = predicted.at[paired_gold[gi], "variant"]
            if pred_variant != g["variant"]:
                note = f"matcher: {pred_variant or '(none)'}"
                if g["note"]:
                    note += f"; gold note: {g['note']}"
                rows.append((g["doc_id"], g["frame"], g["variant"], "wrong_variant",
                             g["start"], g["end"], note))
    for pi, p in predicted.iterrows():
        if pi not in paired_pred:
            rows.append((p["doc_id"], p["frame"], p["variant"], "spurious", p["start"], p["end"], ""))
    order = {doc_id: i for i, doc_id in enumerate(doc_order)}
    rows.sort(key=lambda r: (order[r[0]], r[4], r[5], r[1], r[3]))
    # texts only of the documents with a disagreement: memory stays small on a big corpus
    needed = {r[0] for r in rows}
    texts = {doc.doc_id: doc.text for doc in corpus if doc.doc_id in needed} if needed else {}
    out = []
    for doc_id, frame, variant, kind, start, end, note in rows:
        left, match, right = kwic_context(texts[doc_id], int(start), int(end), width)
        out.append((doc_id, frame, variant, kind, int(start), int(end), left, match, right, note))
    return pd.DataFrame(out, columns=DISAGREEMENT_COLUMNS).astype({"start": "int64", "end": "int64"})
