"""``sco-discourse corpus info|show``."""

from __future__ import annotations

import argparse

import pandas as pd

from ..text import count_tokens
from ._common import UserError, add_corpus_options, corpus_from_args, emit_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("corpus", help="inspect a corpus: documents, dates, cleaned text",
                                   description="Inspect a corpus (default: the embedded seed corpus).")
    sub = parser.add_subparsers(dest="corpus_command", metavar="SUBCOMMAND")
    sub.required = True

    info = sub.add_parser("info", help="a table of documents: id, source file, date and how it was found, title, "
                                       "tokens",
                          description="Print one row per document: id, source file, date, date precision, how "
                                      "the date was found, language, outlet, title, number of tokens.")
    add_corpus_options(info)
    info.add_argument("--out", metavar="FILE.csv", help="write the table as CSV instead of printing it")
    info.set_defaults(func=_info)

    show = sub.add_parser("show", help="print a document's text, or what extraction, reflow and cleaning removed",
                          description="Print the analysed text of one document; --explain lists, step by step, "
                                      "what was removed on the way from the input: lines of a web page left out "
                                      "by main-text extraction, page numbers dropped when re-flowing "
                                      "hard-wrapped lines, and every span the cleaner removed with its rule.")
    show.add_argument("doc_id", metavar="ID")
    show.add_argument("--explain", action="store_true", help="list removed spans and rules instead of the text")
    show.add_argument("--raw", action="store_true",
                      help="print the input as loaded (a web page's HTML, a text before reflow and cleaning)")
    add_corpus_options(show)
    show.set_defaults(func=_show)


def _date_at_precision(doc) -> str:
    """The date as far as it is known: '2021' for a year, '2021-06' for a month."""
    if doc.date is None:
        return ""
    return {"year": doc.date.isoformat()[:4], "month": doc.date.isoformat()[:7]}.get(
        doc.date_precision, doc.date.isoformat())


INFO_COLUMNS = ["doc_id", "source_file", "date", "date_precision", "date_method", "language", "outlet", "title",
                "n_tokens"]


def corpus_table(corpus) -> pd.DataFrame:
    """The ``corpus info`` table, one row per document.

    Columns: ``doc_id, source_file, date, date_precision, date_method`` (how the date was
    established, where the loader records it: seed pages, web pages), ``language,
    outlet, title, n_tokens``; empty strings where a value is unknown. ``date`` is
    written at its precision ("2021", "2021-06", "2021-06-15"), so a date known only to
    the year does not show a day it does not have.
    """
    rows = []
    for doc in corpus:
        rows.append({
            "doc_id": doc.doc_id,
            "source_file": doc.meta.get("source_file") or "",
            "date": _date_at_precision(doc),
            "date_precision": doc.date_precision or "",
            "date_method": doc.meta.get("date_method") or "",
            "language": doc.meta.get("language") or "",
            "outlet": doc.meta.get("outlet") or "",
            "title": doc.meta.get("title") or "",
            "n_tokens": count_tokens(doc.text),
        })
    return pd.DataFrame(rows, columns=INFO_COLUMNS)


def _info(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    table = corpus_table(corpus)
    if not args.out:
        for column, width in (("title", 60), ("date_method", 24), ("source_file", 40)):
            long = table[column].str.len() > width
            table[column] = table[column].where(~long, table[column].str.slice(0, width - 1) + "…")
    emit_table(table, args.out)
    return 0


def _show(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    try:
        doc = corpus[args.doc_id]
    except KeyError:
        ids = corpus.ids
        shown = ", ".join(ids[:20]) + (" ..." if len(ids) > 20 else "")
        raise UserError(f"no document {args.doc_id!r} in {corpus.name}; ids: {shown}") from None
    if args.raw:
        print(doc.raw if doc.raw is not None else doc.text)
    elif args.explain:
        from ..corpus.explain import document_steps, explain_document

        steps = document_steps(doc)
        if not steps:
            raise UserError(f"{args.doc_id}: no cleaning was applied to this document (use --clean); "
                            "no extraction or reflow either: the text is the input as loaded")
        removed = explain_document(doc)
        headers = {
            "extraction": f"extraction ({doc.meta.get('extracted_with')}): lines of the page's visible text "
                          "left out of the main text",
            "reflow": "reflow: hard-wrapped lines joined into paragraphs; page numbers and codes removed",
            "cleaning": "cleaning: spans removed by the cleaner's rules",
        }
        for step in steps:
            part = removed[removed["step"] == step]
            print(f"== {headers[step]} ({len(part)})")
            if part.empty:
                print("(nothing removed)")
            for row in part.itertuples(index=False):
                print(f"[{row.start}:{row.end}] {row.rule}: {row.text!r}")
    else:
        print(doc.text)
    return 0
