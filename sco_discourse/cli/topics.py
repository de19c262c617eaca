"""``sco-discourse topics sweep|fit|show|prevalence|link``: topic models from the command line.

Files written (columns are stable; other tools read them):

``topics fit --out DIR``
    ``topic_terms.csv``: ``topic, term, weight, rank`` (every term of every topic,
    rank 1 = most probable); ``doc_topics.csv``: ``unit_id, doc_id, topic, weight``;
    ``units.csv``: ``unit_id, doc_id, year, start, end, n_tokens``; ``topics.csv``:
    ``topic, label, prevalence, n_dominant, top_terms, frex_terms``; ``model.pkl`` and
    ``model.json`` (the fitted model and its settings, for ``show``/``prevalence``/``link``).
``topics sweep --out F.csv``
    One row per (K, seed): ``method, k, seed, coherence, coherence_c_v,
    coherence_c_npmi, coherence_u_mass, exclusivity, stability, perplexity, n_units,
    n_heldout, n_terms`` (Ks not fitted after an early stop have no rows; the selected
    K and the skipped Ks are in the provenance record's ``attrs``).
``topics prevalence --out F.csv``
    one column per ``--by`` column, then ``topic, label, prevalence, ci_low, ci_high,
    n_units, n_docs, few_units``; ``--changes F.csv`` adds the permutation tests between
    consecutive groups (of the last ``--by`` column, within each value of the others).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from ._common import (UserError, add_corpus_options, at_least, corpus_from_args, emit_table, note_lexicon,
                      note_model, provenance_for)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "topics", help="topic models: choose K, fit, inspect, prevalence by year, frame linkage",
        description="LDA (gensim, reproducible) and NMF (scikit-learn) topic models of paragraphs, "
                    "documents or token windows.")
    sub = parser.add_subparsers(dest="topics_command", metavar="SUBCOMMAND")
    sub.required = True

    sweep = sub.add_parser("sweep", help="coherence, exclusivity, stability and perplexity for a range of K",
                           description="Fit one model per (K, seed) and score it. Prints the mean and spread "
                                       "over seeds per K; --out writes one row per (K, seed).")
    sweep.add_argument("--k-min", type=int, default=2, metavar="A", help="smallest K (default 2)")
    sweep.add_argument("--k-max", type=int, default=10, metavar="B", help="largest K (default 10)")
    sweep.add_argument("--k-step", type=int, default=1, metavar="STEP", help="step between Ks (default 1)")
    sweep.add_argument("--seeds", type=at_least(1), default=5, metavar="N", help="seeds per K (default 5: --seed .. --seed+4)")
    sweep.add_argument("--heldout", type=float, default=0.1, metavar="SHARE",
                       help="share of units held out for perplexity (default 0.1; 0 = none)")
    sweep.add_argument("--sample-fraction", type=float, default=1.0, metavar="SHARE",
                       help="fit each seed on this share of the units (default 1; use 0.8 for NMF stability)")
    sweep.add_argument("--n-terms", type=at_least(1), default=10, metavar="N", help="top terms scored per topic (default 10)")
    sweep.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="worker processes fitting runs at the same time (default 1; -1: one per core); the "
                            "table is the same for any number")
    sweep.add_argument("--coherence-sample", type=at_least(0), default=0, metavar="N",
                       help="count coherence in a random sample of N units, drawn with --seed (default 0: all "
                            "units; a sample can change the ranking of the Ks, check it first)")
    sweep.add_argument("--early-stop", type=at_least(0), default=2, metavar="N",
                       help="stop when N consecutive Ks all score clearly below the best so far (default 2; "
                            "the rule: `help(sco_discourse.topics.sweep)`)")
    sweep.add_argument("--no-early-stop", action="store_true", help="fit every K of the grid")
    sweep.add_argument("--nmf-dtype", choices=["float32", "float64"], default=None,
                       help="NMF precision while choosing K (default float32: about 1.5x faster, the same ranking "
                            "of the Ks on the UN grid; float64: the exact fits of `topics fit`)")
    sweep.add_argument("--out", metavar="FILE.csv", help="write the per-(K, seed) table as CSV")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    _model_options(sweep, k_required=False)
    add_corpus_options(sweep)
    sweep.set_defaults(func=_sweep)

    fit = sub.add_parser("fit", help="fit one model and write its tables and the model to a folder",
                         description="Fit a topic model and write DIR/topic_terms.csv, DIR/doc_topics.csv, "
                                     "DIR/units.csv, DIR/topics.csv and the model (DIR/model.pkl, DIR/model.json).")
    _model_options(fit, k_required=True)
    fit.add_argument("--out", required=True, metavar="DIR", help="folder to write (created if needed)")
    add_corpus_options(fit)
    fit.set_defaults(func=_fit)

    show = sub.add_parser("show", help="top terms, labels and representative passages of a fitted model",
                          description="Print each topic's label, top terms (by probability or FREX) and the "
                                      "passages with the highest proportion of it.")
    show.add_argument("model", metavar="DIR", nargs="?", help="a folder written by `topics fit`")
    show.add_argument("--model", dest="model_option", metavar="DIR",
                      help="the same folder given as an option, as with prevalence and link")
    show.add_argument("--n", type=at_least(1), default=10, help="terms per topic (default 10)")
    show.add_argument("--by", choices=["probability", "frex"], default="probability", help="rank terms by")
    show.add_argument("--passages", type=at_least(0), default=2, metavar="N", help="passages per topic (default 2)")
    show.add_argument("--label", action="append", default=[], metavar="TOPIC=LABEL",
                      help="override a topic's label (repeatable)")
    show.add_argument("--save", action="store_true", help="store the --label overrides in the model folder")
    show.add_argument("--out", metavar="FILE.csv", help="write the term table (topic, label, term, weight, rank, frex)")
    show.set_defaults(func=_show)

    prev = sub.add_parser("prevalence", help="topic prevalence by year (or another field) with bootstrap intervals",
                          description="Mean topic proportion per group with percentile bootstrap intervals, "
                                      "from a saved model (--model DIR) or a model fitted now (--k K).")
    prev.add_argument("--model", metavar="DIR", help="a folder written by `topics fit` (else fit with --k)")
    prev.add_argument("--by", default=None, metavar="COL[,COL...]",
                      help="metadata column(s) of the documents to group by, e.g. year or iso3,year "
                           "(default year); may name a --group")
    prev.add_argument("--group", action="append", default=[], metavar="NAME=COL:V1,V2,...",
                      help="a custom group: column NAME is NAME where COL has one of the values and 'other' "
                           "elsewhere, e.g. SCO=iso3:CHN,RUS,KAZ (repeatable); grouped by when --by is not given")
    prev.add_argument("--weight", choices=["units", "tokens"], default="units",
                      help="average over units, or weight units by their tokens (default units)")
    prev.add_argument("--resample", choices=["documents", "units"], default="documents",
                      help="what the bootstrap resamples within a group (default documents: paragraphs of one "
                           "text are not independent)")
    prev.add_argument("--cluster", metavar="COL", default=None,
                      help="resample whole clusters of documents, e.g. --cluster iso3 (countries) or outlet")
    prev.add_argument("--n-resamples", type=at_least(1), default=2000, metavar="N", help="bootstrap resamples (default 2000)")
    prev.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    prev.add_argument("--changes", metavar="FILE.csv",
                      help="also test the change between consecutive groups (permutation test) and write it")
    prev.add_argument("--out", metavar="FILE.csv", help="write the prevalence table as CSV instead of printing it")
    _model_options(prev, k_required=False)
    add_corpus_options(prev)
    prev.set_defaults(func=_prevalence)

    link = sub.add_parser("link", help="which topics carry which frames",
                          description="Place every frame mention in its unit and report, per frame and topic, "
                                      "the share of mentions in units dominated by the topic and the topic's mean "
                                      "proportion in units with vs without the frame.")
    link.add_argument("--model", required=True, metavar="DIR", help="a folder written by `topics fit`")
    link.add_argument("--lexicon", metavar="PATH", help="a frame lexicon YAML (default: the codebook lexicon)")
    link.add_argument("--out", metavar="FILE.csv", help="write the table as CSV instead of printing it")
    add_corpus_options(link)
    link.set_defaults(func=_link)


def _model_options(parser: argparse.ArgumentParser, *, k_required: bool) -> None:
    group = parser.add_argument_group("model")
    if k_required:
        group.add_argument("--k", type=at_least(1), required=True, help="number of topics")
    else:
        group.add_argument("--k", type=at_least(1), default=None, help="number of topics (when a model is fitted here)")
    group.add_argument("--method", choices=["lda", "nmf", "lda_multicore", "tomotopy"], default="lda",
                       help="lda: gensim LdaModel (reproducible, default); nmf: scikit-learn NMF on tf-idf; "
                            "tomotopy: Gibbs-sampling LDA, reproducible and faster (pip install tomotopy); "
                            "lda_multicore: faster but NOT reproducible")
    group.add_argument("--seed", type=at_least(0), default=0, help="random seed (default 0); also seeds the bootstrap")
    group.add_argument("--unit", choices=["paragraph", "document", "window"], default="paragraph",
                       help="modelling unit (default paragraph)")
    group.add_argument("--window", type=at_least(1), default=200, help="tokens per window with --unit window (default 200)")
    group.add_argument("--min-tokens", type=at_least(0), default=10,
                       help="merge shorter paragraphs into the next one (default 10)")
    # --fields chose metadata to keep at fit time; every field now travels with the model
    group.add_argument("--fields", nargs="+", default=None, help=argparse.SUPPRESS)
    group.add_argument("--passes", type=at_least(1), default=10, help="LDA passes (default 10)")
    group.add_argument("--iterations", type=at_least(1), default=100, help="LDA inference iterations (default 100)")
    group.add_argument("--gibbs-iterations", type=at_least(1), default=300,
                       help="tomotopy: Gibbs sampling sweeps (default 300)")
    group.add_argument("--alpha", default="symmetric", help="LDA document-topic prior: symmetric, asymmetric, auto "
                                                            "or a number (default symmetric)")
    pre = parser.add_argument_group("preprocessing")
    pre.add_argument("--keep-stop-words", action="store_true", help="keep stop words")
    pre.add_argument("--lemmas", action="store_true", help="replace words by their lemmas")
    pre.add_argument("--no-phrases", action="store_true", help="no multi-word terms (gensim Phrases)")
    pre.add_argument("--phrase-min-count", type=at_least(1), default=3, help="minimum count of a phrase (default 3)")
    pre.add_argument("--phrase-threshold", type=float, default=0.5, help="minimum NPMI of a phrase (default 0.5)")
    pre.add_argument("--min-df", type=_count_or_share, default=2,
                     help="drop terms in fewer units (an integer) or a smaller share (e.g. 0.01); default 2")
    pre.add_argument("--max-df", type=_count_or_share, default=0.5,
                     help="drop terms in more units (integer) or a larger share (default 0.5)")
    pre.add_argument("--extra-stop-words", nargs="+", default=[], metavar="WORD", help="further words to drop")


def _count_or_share(value: str):
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer or a share, got {value!r}") from None


def _alpha(value: str):
    try:
        return float(value)
    except ValueError:
        return value


def _preprocessor(args):
    from ..topics import Preprocessor

    return Preprocessor(remove_stop_words=not args.keep_stop_words, lemmas=args.lemmas, phrases=not args.no_phrases,
                        phrase_min_count=args.phrase_min_count, phrase_threshold=args.phrase_threshold,
                        min_df=args.min_df, max_df=args.max_df, extra_stop_words=tuple(args.extra_stop_words))


def _model_kwargs(args) -> dict:
    if args.fields:
        print("caveat: --fields is no longer needed and is ignored: every metadata field of the corpus "
              "travels with the model (give it to --by directly)", file=sys.stderr)
    return dict(method=args.method, unit=args.unit, window=args.window, min_tokens=args.min_tokens,
                passes=args.passes, iterations=args.iterations, alpha=_alpha(args.alpha),
                **({"gibbs_iterations": args.gibbs_iterations} if args.method == "tomotopy" else {}))


def _fit_model(args, corpus):
    from ..topics import TopicModel

    if args.k is None:
        raise UserError("give --model DIR (a folder written by `topics fit`) or --k K to fit a model here")
    with _caveats():
        model = TopicModel(args.k, random_state=args.seed, preprocessor=_preprocessor(args),
                           **_model_kwargs(args)).fit(corpus)
    note_model(None, model)
    return model


class _caveats:
    """Print package warnings (caveats) as one line each on stderr, without Python's warning prefix."""

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self._caught = self._cm.__enter__()
        warnings.simplefilter("always", UserWarning)
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        for item in self._caught:
            if issubclass(item.category, UserWarning):
                print(f"caveat: {item.message}", file=sys.stderr)
        return False


def _load(directory: str):
    from ..topics import TopicModel

    model = TopicModel.load(directory)
    note_model(directory, model)
    return model


def _sweep(args: argparse.Namespace) -> int:
    from ..topics.selection import sweep, sweep_summary

    if args.k_step < 1 or args.k_min < 1 or args.k_max < args.k_min:
        raise UserError(f"need 1 <= --k-min <= --k-max and --k-step >= 1, got {args.k_min}, {args.k_max}, "
                        f"{args.k_step}")
    corpus = corpus_from_args(args)
    with _caveats():
        table = sweep(corpus, range(args.k_min, args.k_max + 1, args.k_step), seeds=args.seeds,
                      random_state=args.seed, heldout=args.heldout, sample_fraction=args.sample_fraction,
                      n_terms=args.n_terms, preprocessor=_preprocessor(args), progress=not args.no_progress,
                      n_jobs=args.jobs, coherence_sample=args.coherence_sample or None,
                      early_stop=None if args.no_early_stop else args.early_stop, **_model_kwargs(args),
                      **({"nmf_dtype": args.nmf_dtype} if args.nmf_dtype else {}))
    if args.out:
        emit_table(table, args.out)
    skipped = table.attrs["ks_skipped"]
    print(f"selected K = {table.attrs['selected_k']} (best mean of coherence + stability)"
          + (f"; stopped early, K = {', '.join(map(str, skipped))} not fitted (--no-early-stop fits them)"
             if skipped else ""), file=sys.stderr)
    summary = sweep_summary(table)
    columns = ["k", "n_seeds"] + [c for c in summary.columns if c.endswith("_mean") and c != "coherence_mean"]
    columns.insert(columns.index("stability_mean") + 1, "stability_sd")
    emit_table(summary[columns].round(4))
    return 0


_MODEL_FOLDER_FILES = {"model.pkl", "model.json", "topic_terms.csv", "doc_topics.csv", "units.csv", "topics.csv",
                       "provenance.json"}


def _fit(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.is_dir():  # said before fitting, not after: the folder is replaced as a whole
        foreign = sorted(p.name for p in out.iterdir() if p.name not in _MODEL_FOLDER_FILES)
        if foreign:
            raise UserError(f"--out {out}: the folder holds files a model folder does not "
                            f"({', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''}); `topics fit` replaces "
                            "the whole folder, so name a new or empty folder")
    elif out.exists():
        raise UserError(f"--out {out}: is a file; `topics fit` writes a folder")
    corpus = corpus_from_args(args)
    model = _fit_model(args, corpus)
    model.save(out, extra=lambda folder: write_model_tables(model, folder, provenance_for()))
    print(f"wrote topic_terms.csv, doc_topics.csv, units.csv, topics.csv, model.pkl, model.json, "
          f"provenance.json to {out}", file=sys.stderr)
    if model.dropped_units_:
        print(f"caveat: {len(model.dropped_units_)} unit(s) had no vocabulary term and were left out",
              file=sys.stderr)
    emit_table(model.topic_summary(8)[["topic", "label", "prevalence", "top_terms"]].round(4))
    return 0


def write_model_tables(model, out: Path, record: dict | None = None) -> None:
    """The CSV files of ``topics fit`` (see the module docstring for their columns) and,
    with ``record``, ``provenance.json``: that record plus the SHA-256 of every file.

    ``out`` is the folder :meth:`TopicModel.save` is building; it replaces the final
    folder as a whole, so these plain writes are never seen half-done.
    """
    import hashlib

    from ..provenance import write_record

    csv = dict(index=False, lineterminator="\n", float_format="%.8g")
    model.topic_terms(None)[["topic", "term", "weight", "rank"]].to_csv(out / "topic_terms.csv", **csv)
    model.unit_topics().to_csv(out / "doc_topics.csv", **csv)
    model.units_.drop(columns="text").to_csv(out / "units.csv", **csv)
    model.topic_summary(10).to_csv(out / "topics.csv", **csv)
    if record is not None:
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()}
        write_record(out / "provenance.json", {**record, "files": files})


def _parse_labels(items: list[str]) -> dict[int, str]:
    labels = {}
    for item in items:
        topic, sep, label = item.partition("=")
        if not sep or not topic.strip().isdigit():
            raise UserError(f"--label expects TOPIC=LABEL with a topic number, got {item!r}")
        labels[int(topic)] = label.strip()
    return labels


def _show(args: argparse.Namespace) -> int:
    if args.model and args.model_option and args.model != args.model_option:
        raise UserError(f"two model folders given: {args.model} and --model {args.model_option}")
    args.model = args.model or args.model_option
    if not args.model:
        raise UserError("topics show needs the folder written by `topics fit` (DIR or --model DIR)")
    model = _load(args.model)
    if args.label:
        model.set_labels(_parse_labels(args.label))
        if args.save:
            import json

            fitted = Path(args.model) / "provenance.json"
            record = provenance_for()
            if fitted.is_file():  # how the model was fitted stays on record
                record["fitted"] = json.loads(fitted.read_text(encoding="utf-8"))
            model.save(args.model, extra=lambda folder: write_model_tables(model, folder, record))
            print(f"saved labels to {args.model}", file=sys.stderr)
    terms = model.topic_terms(args.n, by=args.by)
    terms.insert(1, "label", [model.labels_[k] for k in terms["topic"]])
    if args.out:
        emit_table(terms, args.out)
        return 0
    summary = model.topic_summary(args.n)
    passages = model.representative_units(args.passages) if args.passages else None
    for row in summary.itertuples(index=False):
        top = ", ".join(terms.loc[terms["topic"] == row.topic, "term"])
        print(f"topic {row.topic}  [{row.label}]  prevalence {row.prevalence:.3f}, dominant in {row.n_dominant} units")
        print(f"  terms ({args.by}): {top}")
        if passages is not None:
            for p in passages[passages["topic"] == row.topic].itertuples(index=False):
                text = " ".join(str(p.text).split())
                text = text if len(text) <= 240 else text[:237] + "..."
                print(f"  {p.unit_id} ({p.year}) {p.weight:.2f}: {text}")
        print()
    return 0


def _prevalence(args: argparse.Namespace) -> int:
    from ..topics.prevalence import prevalence_change, topic_prevalence

    by = _grouping(args.by, args.group)
    if args.model:
        model = _load(args.model)
    else:
        model = _fit_model(args, corpus_from_args(args))
    with _caveats():
        table = topic_prevalence(model, by=by, weight=args.weight, resample=args.resample, cluster=args.cluster,
                                 n_resamples=args.n_resamples, confidence=args.confidence, random_state=args.seed)
    emit_table(table.drop(columns="label") if not args.out else table, args.out)
    if args.changes:
        changes = prevalence_change(model, by=by, random_state=args.seed)
        emit_table(changes, args.changes)
    return 0


def _grouping(by: str | None, groups: list[str]) -> list:
    """``--by COL,COL`` and ``--group NAME=COL:V1,V2`` as a ``by=`` of :mod:`sco_discourse.groups`."""
    from ..groups import Group

    defined = {}
    for item in groups:
        name, sep, rest = item.partition("=")
        column, sep2, values = rest.partition(":")
        members = [v.strip() for v in values.split(",") if v.strip()]
        if not (sep and sep2 and name.strip() and column.strip() and members):
            raise UserError(f"--group expects NAME=COLUMN:VALUE1,VALUE2,..., e.g. SCO=iso3:CHN,RUS; got {item!r}")
        defined[name.strip()] = Group(name.strip(), column.strip(), members)
    if by is None:
        return list(defined.values()) or ["year"]
    names = [c.strip() for c in by.split(",") if c.strip()]
    if not names:
        raise UserError(f"--by expects column names separated by commas, e.g. iso3,year; got {by!r}")
    unused = sorted(set(defined) - set(names))
    if unused:
        raise UserError(f"--group {unused[0]} is defined but --by {by} does not name it (e.g. --by {by},{unused[0]})")
    return [defined.get(name, name) for name in names]


def _link(args: argparse.Namespace) -> int:
    from ..topics.linkage import topic_frame_linkage

    model = _load(args.model)
    corpus = corpus_from_args(args)
    fitted = getattr(model, "corpus_fingerprint_", None)
    if fitted is not None and corpus.fingerprint() != fitted:
        raise UserError(f"the corpus {corpus.name} is not the corpus the model in {args.model} was fitted on "
                        "(give the same --corpus options as to `topics fit`)")
    from ..frames import find_mentions
    from ..lexicons.schema import load_lexicon

    lexicon = load_lexicon(args.lexicon)
    note_lexicon(lexicon)
    with _caveats():
        table = topic_frame_linkage(model, find_mentions(corpus, lexicon=lexicon))
    emit_table(table if args.out else table.drop(columns="label").round(4), args.out)
    return 0

