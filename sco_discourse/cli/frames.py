"""``sco-discourse frames count|trend|lexicon|mentions|cooccur|validate|compare``."""

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

    _register_compare(sub)


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



# --------------------------------------------------------------------------- frames compare
def _register_compare(sub) -> None:
    compare = sub.add_parser(
        "compare", help="rates of a target group against a reference group: ratio, difference, intervals, test",
        description="Per frame and variant: the rates (per 10,000 tokens) of the target and reference groups, "
                    "their ratio and difference with percentile bootstrap intervals, and a Wald test of ratio 1 "
                    "with cluster-robust errors. --cluster sets the level that is resampled (default: the "
                    "document); use the speaker or outlet when its documents are not independent.",
        epilog="example: sco-discourse frames compare --corpus un.jsonl.gz --by iso3 "
               "--target CHN,RUS,KAZ,KGZ,TJK,UZB --cluster iso3 --out sco_vs_others.csv")
    add_corpus_options(compare)
    _lexicon_option(compare)
    compare.add_argument("--by", required=True, metavar="COLUMN[,COLUMN]",
                         help="the metadata column(s) the two groups are taken from (e.g. iso3, outlet, year)")
    compare.add_argument("--target", required=True, action="append", metavar="VALUES",
                         help="the target group: values of --by, e.g. CHN,RUS or 2013..2016; with several --by "
                              "columns COLUMN=VALUES (repeat the option for each column)")
    compare.add_argument("--reference", action="append", metavar="VALUES",
                         help="the reference group, as --target (default: every other document with a value)")
    compare.add_argument("--cluster", metavar="COLUMN[,COLUMN]",
                         help="resample these clusters instead of documents (e.g. iso3: a country's speeches "
                              "together)")
    compare.add_argument("--n-resamples", type=at_least(1), default=2000, metavar="N",
                         help="bootstrap draws (default 2000)")
    compare.add_argument("--seed", type=at_least(0), default=0, help="bootstrap seed (default 0)")
    _jobs_option(compare)
    compare.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    compare.set_defaults(func=_compare)


def _columns(text: str, option: str) -> list[str]:
    columns = [c.strip() for c in text.split(",") if c.strip()]
    if not columns:
        raise UserError(f"{option}: expected one or more column names, got {text!r}")
    return columns


def _group_choice(items: list[str] | None, by: list[str], option: str):
    """--target/--reference: plain values for one --by column, COLUMN=VALUES for several."""
    if not items:
        return None
    named = {}
    for item in items:
        column, sep, values = item.partition("=")
        if sep and column.strip() in by:
            named[column.strip()] = values.strip()
        elif len(by) == 1 and len(items) == 1:
            return item
        else:
            raise UserError(f"{option} {item!r}: with --by {','.join(by)} give COLUMN=VALUES with COLUMN one of "
                            f"{', '.join(by)}" + ("" if len(by) > 1 else ", or a single list of values"))
    return named


def _compare(args: argparse.Namespace) -> int:
    import warnings

    from ..frames.compare import frame_compare, per_document_counts

    by = _columns(args.by, "--by")
    cluster = _columns(args.cluster, "--cluster") if args.cluster else None
    target = _group_choice(args.target, by, "--target")
    reference = _group_choice(args.reference, by, "--reference")
    lexicon = _load_lexicon(args)
    fm = per_document_counts(corpus_from_args(args), lexicon=lexicon, n_jobs=args.jobs,
                             progress=sys.stderr.isatty())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the caveat is printed below
        table = frame_compare(fm, by=by[0] if len(by) == 1 else by, target=target, reference=reference,
                              cluster=(cluster[0] if cluster and len(cluster) == 1 else cluster),
                              n_resamples=args.n_resamples, random_state=args.seed)
    first = table.iloc[0]
    print(f"lexicon {lexicon.label}; target {int(first['n_docs_target'])} documents "
          f"({int(first['n_clusters_target'])} clusters), reference {int(first['n_docs_reference'])} documents "
          f"({int(first['n_clusters_reference'])} clusters); resampled: {table.attrs['cluster']}", file=sys.stderr)
    emit_table(table, args.out)
    if table.attrs.get("caveat"):
        print(f"caveat: {table.attrs['caveat']}", file=sys.stderr)
    return 0
