"""``sco-discourse kwic``: keyword-in-context lines for a frame, a variant or a phrase."""

from __future__ import annotations

import argparse
import sys

from ._common import (UserError, add_corpus_options, at_least, columns_from_args, corpus_from_args, emit_table, jobs,
                      note_lexicon)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "kwic", help="keyword in context for a frame, variant or phrase (aligned text or CSV)",
        description="Every occurrence of a frame (--frame, --variant) as found by the matcher, or of a "
                    "phrase (--pattern, matched like a lexicon phrase; --regex for a regular expression), "
                    "with its context. Prints aligned lines, or writes CSV with --out "
                    "(doc_id, the --meta columns, left, match, right, start, end, frame, variant).")
    parser.add_argument("--frame", help="a frame id of the lexicon, e.g. shared_future")
    parser.add_argument("--variant", help="a variant id, e.g. mankind")
    parser.add_argument("--pattern", help="a phrase, e.g. 'community of health'")
    parser.add_argument("--regex", action="store_true", help="treat --pattern as a regular expression")
    parser.add_argument("--window", type=at_least(0), default=60, help="characters of context each side (default 60)")
    parser.add_argument("--lexicon", metavar="FILE", help="a frame lexicon (YAML) instead of the packaged one")
    parser.add_argument("--meta", metavar="COLUMN[,COLUMN...]",
                        help="metadata columns to add after doc_id, e.g. iso3,year (a --group name gives its group "
                             "column; 'all': every metadata column); printed lines show them before the doc_id")
    parser.add_argument("--jobs", type=jobs, default=1, metavar="N", help="worker processes (-1: all cores)")
    add_corpus_options(parser, groups=True)
    parser.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing aligned lines")
    parser.set_defaults(func=_kwic)


def _kwic(args: argparse.Namespace) -> int:
    from ..frames import Matcher
    from ..frames.kwic import format_kwic, kwic

    if args.regex and not args.pattern:
        raise UserError("--regex needs --pattern")
    matcher = Matcher(args.lexicon) if args.pattern is None else None
    if matcher is not None:
        note_lexicon(matcher.lexicon)
    columns = columns_from_args(args, args.meta)
    table = kwic(corpus_from_args(args), matcher=matcher, frame=args.frame, variant=args.variant,
                 pattern=args.pattern, regex=args.regex, window=args.window, columns=columns, n_jobs=args.jobs,
                 progress=sys.stderr.isatty())
    if args.out:
        emit_table(table, args.out)
        return 0
    if table.empty:
        print("(no matches)")
        return 0
    shown = list(table.columns[1:table.columns.get_loc("left")]) + ["doc_id"]
    label = table[shown].astype(str).agg("  ".join, axis=1)
    for line in format_kwic(table.assign(_label=label), window=args.window, label="_label"):
        print(line)
    print(f"{len(table)} line(s)", file=sys.stderr)
    return 0
