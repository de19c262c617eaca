"""``sco-discourse frames count|trend|lexicon|mentions|cooccur|validate``."""

from __future__ import annotations

import argparse
import sys

from ._common import (UserError, add_corpus_options, at_least, corpus_from_args, current_run, emit_table, jobs,
                      note_lexicon)


def _lexicon_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lexicon", metavar="FILE",
                        help="a frame lexicon (YAML) to use instead of the packaged codebook lexicon "
                             "(get a copy to edit with `sco-discourse frames lexicon --out FILE`)")


def _jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=jobs, default=1, metavar="N",
                        help="worker processes for matching (-1: all cores; default 1)")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "frames", help="count codebook frames: counts, rates, intervals, trends, mentions, validation",
        description="Frames of the codebook: counts and rates per document or group, trends over "
                    "years, every mention as evidence, co-occurrence, and validation against hand coding.")
    sub = parser.add_subparsers(dest="frames_command", metavar="SUBCOMMAND")
    sub.required = True

    count = sub.add_parser(
        "count", help="frame counts and rates per 10,000 tokens, per document or per group",
        description="One row per document (or group) x frame x variant: count, tokens, rate_per_10k; "
                    "with --by also n_docs, docs_with_mention, share_docs and a 95% interval of the rate. "
                    "Each frame has a total row with an empty variant.")
    add_corpus_options(count)
    count.add_argument("--by", metavar="COLUMN",
                       help="group by a metadata column (year, outlet, source_file, ...); default: per document")
    _lexicon_option(count)
    count.add_argument("--interval", choices=["bootstrap", "poisson"], default="bootstrap",
                       help="bootstrap over documents (default) or exact Poisson")
    count.add_argument("--n-resamples", type=at_least(1), default=2000, metavar="N", help="bootstrap draws (default 2000)")
    count.add_argument("--seed", type=at_least(0), default=0, help="bootstrap seed (default 0)")
    _jobs_option(count)
    count.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    count.set_defaults(func=_count)

    trend = sub.add_parser(
        "trend", help="trend of each frame's rate across years (Poisson / negative-binomial regression)",
        description="Per frame and variant: incidence rate ratio per year from a count regression of "
                    "per-document counts on year with log(tokens) as offset, its 95% interval, p-value "
                    "and a caveat when the data are thin.")
    add_corpus_options(trend)
    _lexicon_option(trend)
    trend.add_argument("--model", choices=["poisson", "negbin"], default="poisson")
    _jobs_option(trend)
    trend.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    trend.set_defaults(func=_trend)

    lexicon = sub.add_parser("lexicon", help="print the packaged lexicon (YAML) or write a copy to edit",
                             description="Print the frame lexicon (default: the packaged codebook lexicon) "
                                         "or write it to --out, as a start for your own.")
    _lexicon_option(lexicon)
    lexicon.add_argument("--out", metavar="FILE.yaml", help="write the YAML here instead of printing it")
    lexicon.set_defaults(func=_lexicon)

    mentions = sub.add_parser("mentions", help="every mention: document, frame, variant, offsets, text",
                              description="One row per mention: doc_id, frame, variant, start, end, text, "
                                          "sentence.")
    add_corpus_options(mentions)
    _lexicon_option(mentions)
    mentions.add_argument("--frame", help="only this frame")
    mentions.add_argument("--variant", help="only this variant")
    _jobs_option(mentions)
    mentions.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    mentions.set_defaults(func=_mentions)

    cooccur = sub.add_parser("cooccur", help="co-occurrence of frames in documents or sentences",
                             description="Pairs of frames: units mentioning each, both, Jaccard and PMI.")
    add_corpus_options(cooccur)
    _lexicon_option(cooccur)
    cooccur.add_argument("--level", choices=["document", "sentence"], default="document")
    cooccur.add_argument("--by", metavar="COLUMN", help="per group of a metadata column (e.g. year)")
    _jobs_option(cooccur)
    cooccur.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    cooccur.set_defaults(func=_cooccur)

    validate = sub.add_parser(
        "validate", help="precision, recall and F1 per frame/variant against hand-coded mentions",
        description="Score the matcher against a gold file (default: the hand-coded set for the seed "
                    "corpus) and list every disagreement as a KWIC line.")
    validate.add_argument("--gold", metavar="FILE", help="your gold CSV (same format as the shipped one)")
    _lexicon_option(validate)
    validate.add_argument("--corpus", metavar="PATH", help="the coded corpus (default: the seed corpus)")
    validate.add_argument("--out", metavar="FILE.csv", help="also write the score table as CSV")
    validate.set_defaults(func=_validate)


def _load_lexicon(args):
    from ..lexicons.schema import load_lexicon

    lexicon = load_lexicon(args.lexicon)
    note_lexicon(lexicon)
    return lexicon


def _count(args: argparse.Namespace) -> int:
    from ..frames import frame_counts

    lexicon = _load_lexicon(args)
    corpus = corpus_from_args(args)
    table = frame_counts(corpus, by=args.by, lexicon=lexicon, interval=args.interval,
                         n_resamples=args.n_resamples, random_state=args.seed, n_jobs=args.jobs,
                         progress=sys.stderr.isatty())
    print(f"lexicon {lexicon.label}" + (f"; interval: {args.interval}" if args.by else ""), file=sys.stderr)
    emit_table(table, args.out)
    if table.attrs.get("caveat"):
        print(f"caveat: {table.attrs['caveat']}", file=sys.stderr)
    return 0


def _trend(args: argparse.Namespace) -> int:
    from ..frames import frame_trend

    corpus = corpus_from_args(args)
    table = frame_trend(corpus, lexicon=_load_lexicon(args), model=args.model, n_jobs=args.jobs,
                        progress=sys.stderr.isatty())
    emit_table(table, args.out)
    return 0


def _lexicon(args: argparse.Namespace) -> int:
    from pathlib import Path

    lexicon = _load_lexicon(args)
    if args.out:
        from ..outputs import write_text

        path = Path(args.out)
        write_text(path, lexicon.text)
        print(f"wrote {lexicon.label} to {path}", file=sys.stderr)
    else:
        sys.stdout.write(lexicon.text)
    return 0


def _mentions(args: argparse.Namespace) -> int:
    from ..frames import find_mentions

    lexicon = _load_lexicon(args)
    if args.frame and args.frame not in lexicon.frames:
        raise UserError(f"--frame: unknown frame {args.frame!r}; frames: {', '.join(lexicon.frames)}")
    if args.variant:  # as kwic does: an unknown variant is an error, not an empty table
        known = {v for f in lexicon.frames.values() if args.frame in (None, f.id) for v in f.variants}
        if args.variant not in known:
            raise UserError(f"--variant: unknown variant {args.variant!r}"
                            + (f" of frame {args.frame!r}" if args.frame else "")
                            + f"; variants: {', '.join(sorted(known)) or '(none)'}")
    table = find_mentions(corpus_from_args(args), lexicon=lexicon, n_jobs=args.jobs, progress=sys.stderr.isatty())
    if args.frame:
        table = table[table["frame"] == args.frame]
    if args.variant:
        table = table[table["variant"] == args.variant]
    if not args.out:
        table = table.assign(text=table["text"].str.replace(r"\s+", " ", regex=True))
    emit_table(table, args.out)
    return 0


def _cooccur(args: argparse.Namespace) -> int:
    from ..frames import cooccurrence

    table = cooccurrence(corpus_from_args(args), level=args.level, by=args.by, lexicon=_load_lexicon(args),
                         n_jobs=args.jobs, progress=sys.stderr.isatty())
    emit_table(table, args.out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..frames import validate_frames

    from ..corpus import load_corpus

    corpus = load_corpus(args.corpus)  # no --corpus: the seed corpus, which the shipped gold file codes
    current_run().corpora["corpus"] = corpus
    result = validate_frames(corpus, gold=args.gold, lexicon=_load_lexicon(args))
    print(result.to_text())
    if args.out:
        emit_table(result.scores, args.out)
    return 0

