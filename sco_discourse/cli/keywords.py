"""``sco-discourse keywords freq|keyness|collocates|dispersion``."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ._common import (UserError, add_corpus_options, add_engine_options, at_least, by_from_args, corpus_from_args,
                      emit_table, engine_args, targets_from_args)

_KEYNESS_HELP = """\
Keywords of a target group against a reference. For each term a 2x2 table (its count
and the other tokens, in target and reference) gives: g2, Dunning's log-likelihood over
all four cells, SIGNED: positive = relatively more frequent in the target (positive
keyword, overused), negative = less frequent (negative keyword); there is no separate
direction column. log_ratio = log2 of the ratio of relative frequencies (Hardie 2014;
zero counts count as 0.5) with its 95% interval; chi2 = Pearson's chi-squared without
continuity correction; pct_diff = %DIFF (Gabrielatos & Marchi 2012; inf when the term
is absent from the reference); p from g2 (1 df); p_adj corrected over all listed terms
(--correction). Rows are sorted by g2: positive keywords first, negative last.
Corpus sizes count every token, stop words included.

The --target value(s) of --by (default year) are compared with all other documents;
--reference-group compares with chosen groups instead; --reference PATH compares with a
separate corpus (the whole corpus when no --target is given). --by takes several columns
(--by iso3,year; a group is then written V1,V2, e.g. --target CHN,2020) and custom
groups (--group SCO=iso3:CHN,RUS,KAZ --by SCO --target SCO). With neither --target nor
--reference, every group of --by is compared in turn with all others: one table with
the --by columns first (p_adj corrected within each group)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "keywords", help="frequencies, keyness, collocates and dispersion of words and n-grams",
        description="Keyword statistics over the corpus (default: the embedded seed corpus). "
                    "Tables are printed aligned, or written as CSV with --out.")
    sub = parser.add_subparsers(dest="keywords_command", metavar="SUBCOMMAND")
    sub.required = True

    freq = sub.add_parser("freq", help="term and n-gram frequencies, per group",
                          description="Frequencies of terms (or n-grams), overall or per value of --by: "
                                      "columns [BY,] term, n_words, count, rate_per_10k, doc_freq, group_tokens.")
    _common(freq, by_default=None, by_help="group by metadata columns (year, outlet, doc_id, ...; iso3,year; "
                                           "a --group name)")
    freq.add_argument("--term", nargs="+", metavar="TERM", help="only these terms")
    freq.set_defaults(func=_freq)

    key = sub.add_parser("keyness", help="keywords of a group (G², log ratio, chi², %%DIFF, p)",
                         description=_KEYNESS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(key, by_default="year", by_help="metadata columns defining the groups (default: year; iso3,year; "
                                            "a --group name)")
    key.add_argument("--target", nargs="+", metavar="VALUE", help="the group(s) to characterise, e.g. 2024")
    key.add_argument("--reference", metavar="PATH",
                     help="a reference corpus, read like --corpus (same --columns, --clean, --encoding; "
                          "--where does not apply to it); default: the other groups of --by")
    key.add_argument("--reference-group", nargs="+", metavar="VALUE",
                     help="compare with these groups of --by instead of all others")
    key.add_argument("--correction", choices=["bh", "bonferroni", "holm"], default="bh",
                     help="multiple-comparison correction for p_adj (default bh = Benjamini-Hochberg)")
    key.add_argument("--all-columns", action="store_true",
                     help="also write chi2_yates, rate_target, rate_reference")
    key.set_defaults(func=_keyness)

    col = sub.add_parser(
        "collocates", help="collocates of a node word/phrase, or corpus-wide n-gram collocations",
        description="With --node: words within --window tokens of the node (O, E, O/E, MI, t-score, "
                    "logDice, signed G², p). Without --node: corpus-wide bigram (--ngram 2) or trigram "
                    "(--ngram 3) collocations with the same scores.")
    _common(col, by_default=None, by_help=argparse.SUPPRESS, ngram=False)
    col.add_argument("--node", metavar="WORD_OR_PHRASE", help='e.g. community or "Shanghai Spirit"')
    col.add_argument("--window", type=at_least(1), default=5, metavar="N", help="tokens on each side (default 5)")
    col.add_argument("--ngram", type=int, choices=[2, 3], default=2,
                     help="without --node: bigrams or trigrams (default 2)")
    col.add_argument("--sort-by", default=None,
                     help="column to sort by (default: log_dice with --node, g2 without)")
    col.set_defaults(func=_collocates)

    disp = sub.add_parser("dispersion", help="range, Juilland's D, Gries' DP of terms across documents",
                          description="Dispersion across parts = documents (or the groups of --by): "
                                      "columns term, frequency, range, juilland_d, dp, dp_norm.")
    _common(disp, by_default=None, by_help="parts are the groups of these metadata columns (default: documents)")
    disp.add_argument("--term", nargs="+", metavar="TERM", help="only these terms")
    disp.set_defaults(func=_dispersion)


def _common(parser, *, by_default, by_help, ngram: bool = True) -> None:
    add_corpus_options(parser, groups=by_help is not argparse.SUPPRESS)
    opts = parser.add_argument_group("counting")
    opts.add_argument("--by", default=by_default, metavar="COLUMN[,COLUMN...]", help=by_help)
    if ngram:
        opts.add_argument("--ngram", default="1", metavar="N[-M]",
                          help="n-gram lengths, 1-4: '1' words, '2' bigrams, '1-3' words to trigrams (default 1); "
                               "n-grams never cross sentence boundaries")
    opts.add_argument("--lemma", action="store_true", help="count lemmas instead of word forms")
    opts.add_argument("--remove-stop-words", action="store_true",
                      help="drop stop words (and n-grams beginning or ending with one)")
    opts.add_argument("--min-count", type=at_least(0), default=None, metavar="N",
                      help="only terms occurring at least N times (default 1; collocates without --node: 3)")
    opts.add_argument("--top", type=at_least(1), default=None, metavar="N",
                      help="only the first N rows (keyness: N positive and N negative keywords)")
    opts.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing a table")
    add_engine_options(parser, jobs_option=True)


def _parse_ngram(value: str) -> tuple[int, int]:
    try:
        parts = [int(x) for x in str(value).split("-")]
    except ValueError:
        raise UserError(f"--ngram: expected N or N-M (e.g. 2 or 1-3), got {value!r}") from None
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not 1 <= parts[0] <= parts[1] <= 4:
        raise UserError(f"--ngram: expected lengths between 1 and 4 (e.g. 2 or 1-3), got {value!r}")
    return parts[0], parts[1]


def _dtm(args, corpus, *, ngram=None, sentences: bool | None = None):
    """The document-term matrix of the options, read once with a progress bar on a terminal."""
    from ..dtm import build_dtm

    return build_dtm(corpus, ngram=ngram or _parse_ngram(args.ngram), lemma=args.lemma,
                     remove_stop_words=args.remove_stop_words, sentences=sentences,
                     progress=sys.stderr.isatty(), **engine_args(args))


def _min_count(args, default: int = 1) -> int:
    value = default if args.min_count is None else args.min_count
    if value < 1:
        raise UserError(f"--min-count: expected a positive integer, got {value}")
    return value


def _head(frame: pd.DataFrame, top: int | None) -> pd.DataFrame:
    return frame if top is None else frame.head(max(top, 0))


def _group_columns(by) -> list[str]:
    """The output columns of a ``by`` value (a Group is named by its name)."""
    items = by if isinstance(by, list) else [by]
    return [getattr(item, "name", item) for item in items]


def _freq(args) -> int:
    from ..keywords import frequencies

    by = by_from_args(args)
    table = frequencies(_dtm(args, corpus_from_args(args)), by=by, terms=args.term, min_count=_min_count(args))
    if args.top is not None:
        table = table.groupby(_group_columns(by), sort=False, dropna=False).head(args.top) if by else table.head(args.top)
    emit_table(table, args.out)
    return 0


def _keyness(args) -> int:
    from ..keywords import KEYNESS_COLUMNS, keyness

    if args.reference and args.reference_group:
        raise UserError("give either --reference PATH or --reference-group VALUE, not both")
    by = by_from_args(args)
    dtm = _dtm(args, corpus_from_args(args))
    reference = targets_from_args(args.reference_group, by)
    if args.reference:  # read like --corpus, with the same --columns/--clean/--encoding (not --where)
        reference_corpus = corpus_from_args(argparse.Namespace(**{**vars(args), "corpus": args.reference,
                                                                  "where": []}), role="reference_corpus")
        reference = _dtm(args, reference_corpus, sentences=dtm.options["segment_unit"] == "sentence")
    table = keyness(dtm, by=by, target=targets_from_args(args.target, by), reference=reference,
                    min_count=_min_count(args), correction=args.correction)
    info = table.attrs
    each_group = not args.target and not args.reference
    lead = _group_columns(by) if each_group else []
    if not args.all_columns:
        table = table[lead + KEYNESS_COLUMNS]
    if args.top is not None:
        parts = [table] if not each_group else [g for _, g in table.groupby(lead, sort=False, dropna=False)]
        table = pd.concat([piece for part in parts
                           for piece in (part[part["g2"] > 0].head(args.top), part[part["g2"] < 0].tail(args.top))])
    if each_group:
        print(f"each group of {', '.join(lead)} against all other documents; g2 signed (+ = overused in the group); "
              f"p_adj: {args.correction} within each group", file=sys.stderr)
    else:
        print(f"target: {info['target']} ({info['target_tokens']} tokens); reference: {info['reference']} "
              f"({info['reference_tokens']} tokens); g2 signed (+ = overused in target); "
              f"p_adj: {info['correction']}", file=sys.stderr)
    emit_table(table, args.out)
    return 0


def _collocates(args) -> int:
    from ..keywords import collocates, ngram_collocations

    corpus = corpus_from_args(args)
    if args.node:
        table = collocates(_dtm(args, corpus, ngram=1), args.node, window=args.window, min_count=_min_count(args), lemma=args.lemma,
                           remove_stop_words=args.remove_stop_words, sort_by=args.sort_by or "log_dice")
        if table.empty:
            print(f"the node {args.node!r} does not occur in {corpus.name}", file=sys.stderr)
    else:
        table = ngram_collocations(_dtm(args, corpus, ngram=1, sentences=True), n=args.ngram, min_count=_min_count(args, 3), lemma=args.lemma,
                                   remove_stop_words=args.remove_stop_words, sort_by=args.sort_by or "g2")
    emit_table(_head(table, args.top), args.out)
    return 0


def _dispersion(args) -> int:
    from ..keywords import DISPERSION_COLUMNS, dispersion

    table = dispersion(_dtm(args, corpus_from_args(args)), args.term, by=by_from_args(args),
                       min_count=_min_count(args))
    emit_table(_head(table[DISPERSION_COLUMNS], args.top), args.out)
    return 0

