"""What happened to a document between the input and ``Document.text``.

A loaded document may have gone through up to three steps, each recorded in its
metadata and each undone by reading ``Document.raw``, the input as loaded:

1. **extraction** of the main text from a web page (``meta["extracted_with"]``;
   :mod:`sco_discourse.corpus.html`),
2. **reflow** of hard-wrapped lines into paragraphs (``meta["reflowed"]``;
   :mod:`sco_discourse.corpus.reflow`),
3. **cleaning** by the named rules of :mod:`sco_discourse.corpus.cleaning`
   (``meta["cleaned"]``; the embedded seed corpus is always cleaned).

:func:`explain_document` re-runs the steps on ``raw`` (they are deterministic) and lists
what each removed; ``sco-discourse corpus show ID --explain`` prints it.
"""

from __future__ import annotations

import pandas as pd

from .model import Document

__all__ = ["explain_document", "document_steps"]


def document_steps(doc: Document) -> list[str]:
    """The steps that made ``doc.text`` from ``doc.raw``, in order.

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> document_steps(load_corpus()["seed-000"])
    ['cleaning']
    """
    if doc.raw is None:
        return []
    steps = []
    if doc.meta.get("extracted_with"):
        steps.append("extraction")
    if doc.meta.get("reflowed"):
        steps.append("reflow")
    # documents of the embedded seed corpus carry no flag: they are always cleaned
    if doc.meta.get("cleaned", "cleaned" not in doc.meta and not steps):
        steps.append("cleaning")
    return steps


def explain_document(doc: Document) -> pd.DataFrame:
    """Everything removed on the way from ``doc.raw`` to ``doc.text``, step by step.

    Returns
    -------
    pandas.DataFrame
        One row per removed span: ``step`` ("extraction", "reflow", "cleaning"),
        ``start``, ``end`` (offsets into that step's input: the page's visible text for
        extraction, the extracted or loaded text for reflow, the re-flowed text for
        cleaning), ``rule`` and ``text``. Empty if nothing was removed or no step ran
        (see :func:`document_steps`).

    Examples
    --------
    >>> from sco_discourse import load_corpus
    >>> removed = explain_document(load_corpus()["seed-000"])
    >>> list(removed["step"].unique()), list(removed["rule"])
    (['cleaning'], ['publication_metadata', 'byline', 'end_marker', 'contributor_credit'])
    """
    frames = []
    text = doc.raw
    for step in document_steps(doc):
        if step == "extraction":
            from .html import explain_extraction, extract_page

            removed = explain_extraction(text)
            text = extract_page(text).text
        elif step == "reflow":
            from .reflow import explain_reflow, reflow

            removed = explain_reflow(text)
            text = reflow(text).text
        else:
            from .cleaning import clean_text

            result = clean_text(text)
            removed, text = result.to_frame(), result.text
        frames.append(removed.assign(step=step))
    columns = ["step", "start", "end", "rule", "text"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else "object") for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]
