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

    info = sub.add_parser("info", help="a table of documents: id, date, outlet, title, tokens",
                          description="Print one row per document: id, date, date precision, outlet, title, tokens.")
    add_corpus_options(info)
    info.add_argument("--out", metavar="FILE.csv", help="write the table as CSV instead of printing it")
    info.set_defaults(func=_info)

    show = sub.add_parser("show", help="print a document's cleaned text, or what cleaning removed",
                          description="Print the cleaned text of one document; --explain lists every span "
                                      "the cleaner removed and the rule that removed it.")
    show.add_argument("doc_id", metavar="ID")
    show.add_argument("--explain", action="store_true", help="list removed spans and rules instead of the text")
    show.add_argument("--raw", action="store_true", help="print the raw text as loaded, before cleaning")
    add_corpus_options(show)
    show.set_defaults(func=_show)


def _date_at_precision(doc) -> str:
    """The date as far as it is known: '2021' for a year, '2021-06' for a month."""
    if doc.date is None:
        return ""
    return {"year": doc.date.isoformat()[:4], "month": doc.date.isoformat()[:7]}.get(
        doc.date_precision, doc.date.isoformat())


def corpus_table(corpus) -> pd.DataFrame:
    """The ``corpus info`` table: doc_id, date, date_precision, outlet, title, tokens.

    ``date`` is written at its precision ("2021", "2021-06", "2021-06-15"), so a date
    known only to the year does not show a day it does not have.
    """
    rows = []
    for doc in corpus:
        rows.append({
            "doc_id": doc.doc_id,
            "date": _date_at_precision(doc),
            "date_precision": doc.date_precision or "",
            "outlet": doc.meta.get("outlet") or "",
            "title": doc.meta.get("title") or "",
            "tokens": count_tokens(doc.text),
        })
    return pd.DataFrame(rows, columns=["doc_id", "date", "date_precision", "outlet", "title", "tokens"])


def _info(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    table = corpus_table(corpus)
    if not args.out:
        long = table["title"].str.len() > 60
        table["title"] = table["title"].where(~long, table["title"].str.slice(0, 59) + "…")
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
        if doc.raw is None:
            raise UserError(f"{args.doc_id}: no cleaning was applied to this document (use --clean)")
        from ..corpus.cleaning import explain

        removed = explain(doc.raw)
        if removed.empty:
            print("(the cleaner removed nothing)")
        for row in removed.itertuples(index=False):
            print(f"[{row.start}:{row.end}] {row.rule}: {row.text!r}")
    else:
        print(doc.text)
    return 0
