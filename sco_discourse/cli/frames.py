"""``sco-discourse frames count|trend|lexicon|mentions|cooccur|validate|compare|sample|precision|suppressed``."""

from __future__ import annotations

import argparse
import sys
import warnings

from ._common import (UserError, add_corpus_options, add_engine_options, at_least, by_from_args, columns_from_args,
                      corpus_from_args, current_run, emit_table, engine_args, jobs, note_lexicon, targets_from_args)


def _lexicon_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lexicon", metavar="FILE",
                        help="a frame lexicon (YAML) to use instead of the packaged codebook lexicon "
                             "(get a copy to edit with `sco-discourse frames lexicon --out FILE`)")


def _meta_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--meta", metavar="COLUMN[,COLUMN...]",
                        help="metadata columns to add after doc_id, e.g. iso3,year (a --group name gives its "
                             "group column; 'all': every metadata column)")


def _by_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--by", metavar="COLUMN[,COLUMN...]", help=help)


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
    add_corpus_options(count, groups=True)
    _by_option(count, "group by metadata columns (year, outlet, source_file, ...; iso3,year: one group per "
                      "pair; a --group name); default: per document")
    count.add_argument("--target", nargs="+", metavar="VALUE",
                       help="pool the documents of these groups of --by into a 'target' row and all others (or "
                            "--reference-group) into a 'reference' row (with several --by columns: V1,V2 per group)")
    count.add_argument("--reference-group", nargs="+", metavar="VALUE",
                       help="with --target: the groups of --by pooled into the reference (default: all others)")
    _lexicon_option(count)
    count.add_argument("--interval", choices=["bootstrap", "poisson"], default="bootstrap",
                       help="bootstrap over documents (default) or exact Poisson")
    count.add_argument("--n-resamples", type=at_least(1), default=2000, metavar="N", help="bootstrap draws (default 2000)")
    count.add_argument("--cluster", metavar="COL", default=None,
                       help="the bootstrap resamples whole clusters of documents, e.g. --cluster iso3 (countries) "
                            "or outlet; default: each document")
    count.add_argument("--seed", type=at_least(0), default=0, help="bootstrap seed (default 0)")
    _jobs_option(count)
    add_engine_options(count)
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
    add_engine_options(trend)
    trend.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    trend.set_defaults(func=_trend)

    lexicon = sub.add_parser("lexicon", help="print the packaged lexicon (YAML) or write a copy to edit",
                             description="Print the frame lexicon or write it to --out, as a start for your own. "
                                         "The package reads each document with the lexicon of its language: "
                                         "--language en (the default) gives the codebook lexicon that English "
                                         "and every other language use, --language zh the Chinese one.")
    _lexicon_option(lexicon)
    from ..lexicons.defaults import LANGUAGE_LEXICONS

    lexicon.add_argument("--language", choices=sorted(LANGUAGE_LEXICONS),
                         help="the packaged lexicon of this document language (default: en; not with --lexicon)")
    lexicon.add_argument("--out", metavar="FILE.yaml", help="write the YAML here instead of printing it")
    lexicon.set_defaults(func=_lexicon)

    mentions = sub.add_parser("mentions", help="every mention: document, frame, variant, offsets, text",
                              description="One row per mention: doc_id, the --meta columns, frame, variant, "
                                          "start, end, text, sentence, paragraph.")
    add_corpus_options(mentions, groups=True)
    _lexicon_option(mentions)
    _meta_option(mentions)
    mentions.add_argument("--frame", help="only this frame")
    mentions.add_argument("--variant", help="only this variant")
    _jobs_option(mentions)
    add_engine_options(mentions)
    mentions.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    mentions.set_defaults(func=_mentions)

    cooccur = sub.add_parser("cooccur", help="co-occurrence of frames in documents, paragraphs or sentences",
                             description="Pairs of frames: units mentioning each, both, Jaccard and PMI.")
    add_corpus_options(cooccur, groups=True)
    _lexicon_option(cooccur)
    cooccur.add_argument("--level", choices=["document", "paragraph", "sentence"], default="document")
    _by_option(cooccur, "per group of metadata columns (e.g. year, or iso3,year)")
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
    validate.add_argument("--where", metavar="CONDITION", action="append", default=[],
                          help="score only the documents that satisfy CONDITION (as on every command, e.g. "
                               "doc_id=seed-000,seed-001); every document scored counts as coded")
    validate.add_argument("--out", metavar="FILE.csv", help="also write the score table as CSV")
    validate.set_defaults(func=_validate)

    _register_compare(sub)
    _register_validation(sub)


def _matcher(args):
    from ..frames import Matcher

    matcher = Matcher(args.lexicon)
    note_lexicon(matcher.lexicon)
    return matcher


def _count(args: argparse.Namespace) -> int:
    from ..frames import frame_counts

    matcher = _matcher(args)
    by = by_from_args(args)
    target = targets_from_args(args.target, by)
    reference = targets_from_args(args.reference_group, by)
    if (target or reference) and by is None:
        raise UserError("--target and --reference-group are groups of --by: give --by")
    if reference and not target:
        raise UserError("--reference-group needs --target")
    corpus = corpus_from_args(args)
    progress = sys.stderr.isatty()
    if args.cluster and (by is None or args.interval != "bootstrap"):
        raise UserError("--cluster sets what the bootstrap of grouped rates resamples: give --by (and the default "
                        "--interval bootstrap)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the caveat is printed below
        if by is not None and args.interval == "poisson":  # sums per group while reading: flat memory
            fm = matcher.count(corpus, by=by, progress=progress, **engine_args(args))
            table = frame_counts(fm, target=target, reference=reference, interval="poisson")
        else:
            fm = matcher.count(corpus, progress=progress, **engine_args(args))
            table = frame_counts(fm, by=by, target=target, reference=reference, interval=args.interval,
                                 n_resamples=args.n_resamples, random_state=args.seed, cluster=args.cluster)
    chinese = f" (Chinese documents: {table.attrs['lexicon_zh']})" if table.attrs.get("lexicon_zh") else ""
    print(f"lexicon {matcher.lexicon.label}{chinese}" + (f"; interval: {args.interval}" if by is not None else ""),
          file=sys.stderr)
    if target:
        print(f"target: {table.attrs['target']}; reference: {table.attrs['reference']}", file=sys.stderr)
    emit_table(table, args.out)
    if table.attrs.get("caveat"):
        print(f"caveat: {table.attrs['caveat']}", file=sys.stderr)
    return 0


def _trend(args: argparse.Namespace) -> int:
    from ..frames import frame_trend

    matcher = _matcher(args)
    fm = matcher.count(corpus_from_args(args), progress=sys.stderr.isatty(), **engine_args(args))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        table = frame_trend(fm, model=args.model)
    emit_table(table, args.out)
    for warning in caught:  # the caveat of every row is in its column; the shared one is said once
        print(f"caveat: {warning.message}", file=sys.stderr)
    return 0


def _lexicon(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..lexicons.schema import load_lexicon

    if args.lexicon and args.language:
        raise UserError("--language: give either --lexicon FILE or --language (the packaged lexicon of a language)")
    if args.language:
        from ..lexicons.defaults import default_lexicon

        lexicon = default_lexicon(args.language)
    else:
        lexicon = load_lexicon(args.lexicon)
    note_lexicon(lexicon)
    if args.out:
        from ..outputs import write_text

        path = Path(args.out)
        write_text(path, lexicon.text)
        print(f"wrote {lexicon.label} to {path}", file=sys.stderr)
    else:
        sys.stdout.write(lexicon.text)
    if not args.lexicon and not args.language:
        print("Chinese documents are read with the Chinese lexicon: `sco-discourse frames lexicon --language zh`",
              file=sys.stderr)
    return 0


def _mentions(args: argparse.Namespace) -> int:
    matcher = _matcher(args)
    lexicon = matcher.lexicon
    if args.frame and args.frame not in lexicon.frames:
        raise UserError(f"--frame: unknown frame {args.frame!r}; frames: {', '.join(lexicon.frames)}")
    if args.variant:  # as kwic does: an unknown variant is an error, not an empty table
        known = {v for f in lexicon.frames.values() if args.frame in (None, f.id) for v in f.variants}
        if args.variant not in known:
            raise UserError(f"--variant: unknown variant {args.variant!r}"
                            + (f" of frame {args.frame!r}" if args.frame else "")
                            + f"; variants: {', '.join(sorted(known)) or '(none)'}")
    table = matcher.find(corpus_from_args(args), columns=columns_from_args(args, args.meta),
                         progress=sys.stderr.isatty(), **engine_args(args))
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

    table = cooccurrence(corpus_from_args(args), matcher=_matcher(args), level=args.level, by=by_from_args(args),
                         n_jobs=args.jobs, progress=sys.stderr.isatty())
    emit_table(table, args.out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ..frames import validate_frames

    from ..corpus import load_corpus

    corpus = load_corpus(args.corpus)  # no --corpus: the seed corpus, which the shipped gold file codes
    if args.where:
        corpus = corpus.where(*args.where)
    current_run().corpora["corpus"] = corpus
    result = validate_frames(corpus, gold=args.gold, matcher=_matcher(args))
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
    add_corpus_options(compare, groups=True)
    _lexicon_option(compare)
    compare.add_argument("--by", required=True, metavar="COLUMN[,COLUMN]",
                         help="the metadata column(s) the two groups are taken from (e.g. iso3, outlet, year; "
                              "a --group name)")
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
    from ..frames.compare import frame_compare

    by = by_from_args(args)
    names = [getattr(item, "name", item) for item in (by if isinstance(by, list) else [by])]
    cluster = _columns(args.cluster, "--cluster") if args.cluster else None
    target = _group_choice(args.target, names, "--target")
    reference = _group_choice(args.reference, names, "--reference")
    matcher = _matcher(args)
    lexicon = matcher.lexicon
    fm = matcher.count(corpus_from_args(args), n_jobs=args.jobs, progress=sys.stderr.isatty())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the caveat is printed below
        table = frame_compare(fm, by=by, target=target, reference=reference,
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


# --------------------------------------------------------------------------- validation on your own corpus
# frames sample | precision | suppressed: the coding-sheet workflow (sample -> code -> precision ->
# corrected rates) and the context-rule diagnostics.
def _register_validation(sub) -> None:
    sample = sub.add_parser(
        "sample", help="a coding sheet: a stratified random sample of mentions to judge by hand",
        description="Draw up to --per-cell mentions of every frame x variant (x group) at random and write them "
                    "as a coding sheet (sample_id, doc_id, metadata, frame, variant, cell, cell_size, context, "
                    "sentence, and empty judgement/note columns). Fill judgement with TRUE, FALSE or AMBIGUOUS "
                    "and pass the sheet to `frames precision`.")
    add_corpus_options(sample)
    _lexicon_option(sample)
    sample.add_argument("--per-cell", type=at_least(1), default=40, metavar="N",
                        help="mentions drawn per frame x variant (x group) cell (default 40)")
    sample.add_argument("--by", metavar="COLUMN[,COLUMN]", help="also stratify by these metadata columns (e.g. year)")
    sample.add_argument("--seed", type=at_least(0), default=0, help="random seed (default 0)")
    sample.add_argument("--near-misses", type=at_least(0), default=0, metavar="N",
                        help="also draw N sentences per frame that hold its cue words but no mention (for recall)")
    sample.add_argument("--frame", action="append", metavar="FRAME", help="only this frame (repeatable)")
    sample.add_argument("--window", type=at_least(1), default=120, metavar="CHARS",
                        help="characters of context on each side (default 120)")
    sample.add_argument("--out", metavar="FILE.csv", help="write the sheet as CSV (default: print it)")
    sample.set_defaults(func=_sample)

    precision = sub.add_parser(
        "precision", help="precision, recall and coder agreement from coded sheets",
        description="Precision per frame and variant with Wilson intervals, strict (AMBIGUOUS = FALSE) and "
                    "lenient (AMBIGUOUS = TRUE), weighted by the size of each sampled cell; recall estimated "
                    "from coded near-miss sentences; with several --sheet (the same sheet coded by several "
                    "coders) the majority judgement is used and agreement is reported (Cohen's kappa for two "
                    "coders, Krippendorff's alpha for any number).")
    precision.add_argument("--sheet", action="append", required=True, metavar="FILE.csv",
                           help="a coded sheet from `frames sample` (repeat for more coders)")
    precision.add_argument("--by", metavar="COLUMN[,COLUMN]", help="also per group (columns of the sheet)")
    precision.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    precision.add_argument("--out", metavar="FILE.csv", help="write the precision table as CSV")
    precision.set_defaults(func=_precision)

    suppressed = sub.add_parser(
        "suppressed", help="what the lexicon's context rules set aside (era, required and veto cues)",
        description="Every lexicon phrase a context rule kept from counting (rule since, requires, unless) and "
                    "every mention counted in an undated document of a frame with a first year (undated), with "
                    "the lexicon entry of the rule.")
    add_corpus_options(suppressed)
    _lexicon_option(suppressed)
    suppressed.add_argument("--rule", action="append", choices=["since", "requires", "unless", "undated"],
                            help="only this rule (repeatable)")
    _jobs_option(suppressed)
    suppressed.add_argument("--out", metavar="FILE.csv", help="write CSV instead of printing")
    suppressed.set_defaults(func=_suppressed)


def _by_columns(value: str | None) -> list[str] | None:
    if not value:
        return None
    columns = [c.strip() for c in value.split(",") if c.strip()]
    if not columns:
        raise UserError(f"--by: no column named in {value!r}")
    return columns


def _validation_lexicon(args):
    from ..lexicons.schema import load_lexicon

    lexicon = load_lexicon(args.lexicon)
    note_lexicon(lexicon)
    return lexicon


def _sample(args: argparse.Namespace) -> int:
    from ..frames.sampling import sample_mentions

    lexicon = _validation_lexicon(args)
    if args.frame:
        unknown = [f for f in args.frame if f not in lexicon.frames]
        if unknown:
            raise UserError(f"--frame: unknown frame {unknown[0]!r}; frames: {', '.join(lexicon.frames)}")
    sheet = sample_mentions(corpus_from_args(args), lexicon=lexicon, per_cell=args.per_cell, by=_by_columns(args.by),
                            seed=args.seed, near_misses=args.near_misses, window=args.window, frames=args.frame)
    counts = sheet.groupby("kind").size().to_dict()
    print(f"lexicon {lexicon.label}; {counts.get('mention', 0)} mentions and {counts.get('near_miss', 0)} "
          f"near-miss sentences drawn (seed {args.seed})", file=sys.stderr)
    emit_table(sheet, args.out)
    return 0


def _precision(args: argparse.Namespace) -> int:
    from ..frames.precision import coder_agreement, load_sheet, sheet_precision, sheet_recall

    if not 0 < args.confidence < 1:
        raise UserError(f"--confidence must be between 0 and 1, got {args.confidence}")
    sheets = [load_sheet(path) for path in args.sheet]
    table = sheet_precision(*sheets, by=_by_columns(args.by), confidence=args.confidence)
    shown = table.copy()
    shown["variant"] = shown["variant"].map(lambda v: v or "(all)")
    print("Precision (strict: AMBIGUOUS counts as FALSE; lenient: as TRUE)")
    emit_table(shown if not args.out else table, args.out)
    if any((s["kind"] == "near_miss").any() for s in sheets):
        print("\nRecall from near-miss sentences (an upper bound: misses without the cue words are not seen)")
        emit_table(sheet_recall(*sheets, confidence=args.confidence))
    if len(sheets) > 1:
        print(f"\nAgreement of {len(sheets)} coders")
        emit_table(coder_agreement(*sheets))
    uncoded = int(table.loc[table["frame"] == "ALL", "n_uncoded"].sum()) if len(table) else 0
    if uncoded:
        print(f"note: {uncoded} mention rows are not coded yet (empty judgement) and are left out", file=sys.stderr)
    return 0


def _suppressed(args: argparse.Namespace) -> int:
    from ..frames.diagnostics import suppressed_mentions

    table = suppressed_mentions(corpus_from_args(args), lexicon=_validation_lexicon(args), rules=args.rule,
                                n_jobs=args.jobs, progress=sys.stderr.isatty())
    if not args.out:
        table = table.assign(text=table["text"].str.replace(r"\s+", " ", regex=True))
    emit_table(table, args.out)
    return 0
