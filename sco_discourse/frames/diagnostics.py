"""What the lexicon's context rules set aside: nothing is dropped without a trace.

A ``since`` rule keeps a formula out of documents dated before it existed, ``requires``
and ``unless`` keep ordinary words out of a frame; :func:`suppressed_mentions` lists every
phrase they set aside, with the rule and the lexicon entry that did it, and every mention
counted in an undated document although its frame has a first year (flagged, not dropped).
"""

from __future__ import annotations

import bisect
from typing import Any

import pandas as pd

from ..errors import InputError
from ..lexicons.schema import Lexicon
from ..provenance import corpus_attrs
from .matcher import Matcher, lexicon_attrs, map_documents

__all__ = ["suppressed_mentions", "SUPPRESSED_COLUMNS", "RULES"]

SUPPRESSED_COLUMNS = ["doc_id", "year", "frame", "variant", "start", "end", "text", "sentence", "rule", "entry",
                      "counted"]
#: The rules a row can name, in the order the matcher applies them.
RULES = ("unless", "requires", "since", "undated")


def _suppressed_item(matcher: Matcher, item: tuple) -> list[tuple]:
    from ..text import sentence_spans

    doc_id, year, text, language = item
    found = matcher.suppressed(text, year=year, language=language)
    if not found:
        return []
    starts = [s for s, _ in sentence_spans(text)]
    return [(doc_id, year, frame, variant, start, end, text[start:end],
             max(0, bisect.bisect_right(starts, start) - 1), rule, entry, rule == "undated")
            for start, end, frame, variant, rule, entry in found]


def suppressed_mentions(corpus, *, lexicon: Lexicon | str | None = None, rules: Any = None, n_jobs: int = 1,
                        progress: bool = False) -> pd.DataFrame:
    """Every phrase of the lexicon that a context rule kept from counting, and every
    mention counted in an undated document of a frame with a first year.

    Parameters
    ----------
    corpus : Corpus or iterable of Document
    lexicon : Lexicon or path, optional
        Default: the packaged codebook lexicon.
    rules : str or list of str, optional
        Only these rules (:data:`RULES`), e.g. ``"since"`` for the era diagnostics.
    n_jobs, progress
        As in :func:`sco_discourse.frames.find_mentions`.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, year, frame, variant, start, end, text, sentence, rule, entry,
        counted``: ``rule`` is "since" (the document is dated before the frame's or
        variant's first year), "unless" (a veto cue occurs), "requires" (no required cue
        and no list), or "undated" (the frame has a first year but the document has no
        date); ``entry`` names the rule in the lexicon file; ``counted`` is True only for
        "undated" rows (those mentions are in the counts). Offsets and ``sentence`` as in
        :func:`~sco_discourse.frames.find_mentions`. ``attrs`` records the lexicon.

    Examples
    --------
    >>> from datetime import date
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([
    ...     Document("old", "a new type of international relations", date=date(1977, 9, 27)),
    ...     Document("new", "a new type of international relations", date=date(2015, 9, 28))])
    >>> suppressed_mentions(corpus)[["doc_id", "year", "frame", "rule", "counted"]]
      doc_id  year                        frame   rule  counted
    0    old  1977  new_international_relations  since    False
    """
    wanted = None
    if rules is not None:
        wanted = {rules} if isinstance(rules, str) else set(rules)
        unknown = sorted(wanted - set(RULES))
        if unknown:
            raise InputError(f"rules: unknown rule {unknown[0]!r}; rules are {', '.join(RULES)}")
    matcher = Matcher(lexicon)
    from ..language import document_language

    items = ((doc.doc_id, doc.year, doc.text, document_language(doc)) for doc in corpus)
    rows: list[tuple] = []
    for found in map_documents(_suppressed_item, items, matcher, n_jobs=n_jobs, progress=progress,
                               total=getattr(corpus, "_length", None), desc="context rules"):
        rows.extend(r for r in found if wanted is None or r[8] in wanted)
    table = pd.DataFrame(rows, columns=SUPPRESSED_COLUMNS)
    table = table.astype({"start": "int64", "end": "int64", "sentence": "int64", "counted": bool})
    table["year"] = table["year"].astype("Int64")
    table.attrs.update(lexicon_attrs(matcher.lexicon))
    table.attrs.update(corpus_attrs(corpus))
    return table
