"""``sco-discourse kwic``: keyword-in-context lines for a frame, a variant or a phrase."""

from __future__ import annotations

import argparse
import sys

from ._common import UserError, add_corpus_options, at_least, corpus_from_args, emit_table, jobs, note_lexicon


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "kwic", help="keyword in context for a frame, variant or phrase (aligned text or CSV)",
        description="Every occurrence of a frame (--frame, --variant) as found by the matcher, or of a "
                    "phrase (--pattern, matched like a lexicon phrase; --regex for a regular expression), "
                    "with its context. Prints aligned lines, or writes CSV with --out "
                    "(doc_id, year, left, match, right, start, end, frame, variant).")
    parser.add_argument("--frame", help="a frame id of the lexicon, e.g. shared_future")
    parser.add_argument("--variant", help="a variant id, e.g. mankind")
    parser.add_argument("--pattern", help="a phrase, e.g. 'community of health'")
    parser.add_argument("--regex", action="store_true", help="treat --pattern as a regular expression")
    parser.add_argument("--window", type=at_least(0), default=60, help="characters of context each side (default 60)")
    parser.add_argument("--lexicon", metavar="FILE", help="a frame lexicon (YAML) instead of the packaged one")
    parser.add_argument("--jobs", type=jobs, default=1, metavar="N", help="worker processes (-1: all cores)")
    add_corpus_options(parser)
    parser.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing aligned lines")
    parser.set_defaults(func=_kwic)


def _kwic(args: argparse.Namespace) -> int:
    from ..frames.kwic import format_kwic, kwic
    from ..lexicons.schema import load_lexicon

    if args.regex and not args.pattern:
        raise UserError("--regex needs --pattern")
    lexicon = load_lexicon(args.lexicon) if args.pattern is None else None
    if lexicon is not None:
        note_lexicon(lexicon)
    table = kwic(corpus_from_args(args), frame=args.frame, variant=args.variant, pattern=args.pattern,
                 regex=args.regex, window=args.window, lexicon=lexicon, n_jobs=args.jobs,
                 progress=sys.stderr.isatty())
    if args.out:
        emit_table(table, args.out)
        return 0
    if table.empty:
        print("(no matches)")
        return 0
    for line in format_kwic(table, window=args.window):
        print(line)
    print(f"{len(table)} line(s)", file=sys.stderr)
    return 0
