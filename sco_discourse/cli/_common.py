"""Options and output helpers shared by every command group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import pandas as pd

from ..errors import InputError as UserError

__all__ = ["UserError", "add_corpus_options", "add_engine_options", "engine_args", "at_least", "jobs", "by_from_args", "columns_from_args",
           "corpus_from_args", "emit_table", "groups_from_args", "targets_from_args", "run_context", "current_run",
           "note_lexicon", "note_model", "provenance_for"]


class Run:
    """What one invocation of the command read: the record behind every ``--out`` sidecar.

    ``main()`` opens one per call; :func:`corpus_from_args`, :func:`note_lexicon` and
    :func:`note_model` fill it, and :func:`provenance_for` turns it into the record.
    """

    def __init__(self, argv: list[str], args: argparse.Namespace | None = None):
        self.argv = argv
        self.args = args
        self.corpora: dict[str, object] = {}
        self.corpus_options: dict | None = None
        self.lexicon = None
        self.model: dict | None = None
        #: What ``--dedupe`` left out (``Corpus.deduplicated``), added to every table's attrs.
        self.deduplicated: dict | None = None
        #: Corpora read by ``--engine dask``: their bad rows are known once they are counted.
        self.report_after: list = []


_RUN: ContextVar[Run | None] = ContextVar("sco_discourse_cli_run", default=None)


@contextmanager
def run_context(argv: list[str], args: argparse.Namespace | None = None) -> Iterator[Run]:
    run = Run(argv, args)
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


def current_run() -> Run:
    run = _RUN.get()
    return run if run is not None else Run([])


def note_lexicon(lexicon) -> None:
    """Record the lexicon a command used (for tables whose ``attrs`` do not name it)."""
    current_run().lexicon = lexicon


def note_model(folder, model) -> None:
    """Record the topic model a command read or fitted (its folder and manifest)."""
    current_run().model = {"folder": str(folder) if folder is not None else None, "manifest": model.manifest()}


def _options(args: argparse.Namespace | None) -> dict:
    if args is None:
        return {}
    return {k: v for k, v in vars(args).items() if k != "func" and not k.startswith("_")}


def provenance_for(frame: pd.DataFrame | None = None) -> dict:
    """The provenance record of this command's output (see :mod:`sco_discourse.provenance`)."""
    from ..provenance import provenance_record

    run = current_run()
    return provenance_record(command=["sco-discourse", *run.argv], options=_options(run.args),
                             corpora=run.corpora, corpus_options=run.corpus_options, lexicon=run.lexicon,
                             attrs=frame.attrs if frame is not None else None, model=run.model)


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text!r}")
    return value


def at_least(minimum: int):
    """An argparse ``type`` for integers ``>= minimum`` (argparse then names the option in
    its error message instead of a traceback from deep inside the computation).

    >>> at_least(1)("3")
    3
    >>> at_least(1)("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be an integer >= 1, got '0'
    """
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def jobs(text: str) -> int:
    """An argparse ``type`` for ``--jobs``: -1 (all cores) or a positive number of processes.

    >>> jobs("-1"), jobs("2")
    (-1, 2)
    >>> jobs("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be -1 (all cores) or a number of processes >= 1, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == -1 or value >= 1:
        return value
    raise argparse.ArgumentTypeError(f"must be -1 (all cores) or a number of processes >= 1, got {text!r}")


def add_corpus_options(parser: argparse.ArgumentParser, *, groups: bool = False) -> None:
    """``--corpus PATH`` and friends, identical on every command that reads a corpus;
    with ``groups=True`` also ``--group`` (for commands with ``--by`` or ``--meta``)."""
    group = parser.add_argument_group("corpus")
    group.add_argument("--corpus", metavar="PATH",
                       help="a user corpus: folder of .txt files with metadata.csv, .csv, .jsonl, "
                            ".parquet, saved web pages (.html/.htm, or a folder of them); all optionally .gz; "
                            "default: the embedded seed corpus")
    group.add_argument("--columns", metavar="FIELD=COLUMN", nargs="+", default=None,
                       help="map the package's fields to your columns, e.g. id=speech_id text=body")
    cleaning = group.add_mutually_exclusive_group()
    cleaning.add_argument("--clean", action="store_true", default=None,
                          help="apply the web-page cleaner to your texts (default: to web pages not mostly in "
                               "Chinese/Japanese/Korean script; the seed corpus is always cleaned)")
    cleaning.add_argument("--no-clean", dest="clean", action="store_false",
                          help="do not apply the cleaner, not even to web pages")
    group.add_argument("--no-reflow", dest="reflow", action="store_false",
                       help="keep hard-wrapped lines as they are (default: texts wrapped every 50-100 "
                            "characters are re-flowed into one line per paragraph)")
    group.add_argument("--dedupe", nargs="?", const="first", choices=["first", "weight"], default=None,
                       metavar="first|weight",
                       help="count each cluster of exact or near-duplicate documents once: 'first' (the default "
                            "when given alone) keeps the earliest document of each, 'weight' keeps all with weight "
                            "1/cluster size; what was left out or weighted is listed and recorded with the output")
    group.add_argument("--dedupe-threshold", type=_unit_interval, default=0.8, metavar="J",
                       help="with --dedupe: smallest Jaccard similarity of word 5-gram sets for two documents "
                            "to count as copies (default 0.8)")
    group.add_argument("--encoding", default="utf-8", help="encoding of your text/CSV files (default utf-8)")
    group.add_argument("--skip-bad-rows", action="store_true",
                       help="skip rows with errors instead of stopping (they are reported, and listed "
                            "in the provenance of every --out table)")
    group.add_argument("--allow-outside-paths", action="store_true",
                       help="a folder corpus: let its metadata name text files outside the folder")
    group.add_argument("--where", metavar="CONDITION", action="append", default=[],
                       help="only documents whose metadata satisfy CONDITION (repeatable; all must hold): "
                            "FIELD=V1,V2 (any of), FIELD!=V1,V2, FIELD=LOW..HIGH (inclusive; e.g. year=2013..2024), "
                            "FIELD>=V, FIELD>V, FIELD<=V, FIELD<V")
    if groups:
        group.add_argument("--group", metavar="NAME=COLUMN:V1,V2,...", action="append", default=[],
                           help="define a custom group (repeatable): a column NAME holding NAME for documents whose "
                                "COLUMN is one of the values and 'other' for the rest, e.g. "
                                "--group SCO=iso3:CHN,RUS,KAZ; use NAME in --by, --target, --meta")


def add_engine_options(parser: argparse.ArgumentParser, *, jobs_option: bool = False) -> None:
    """``--engine local|dask`` and ``--scheduler ADDRESS`` (and ``--jobs`` where the command
    has none): a corpus stored as shards counted on a Dask cluster
    (:mod:`sco_discourse.dask_engine`)."""
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="dask: read a folder of JSON Lines or Parquet shards (--corpus FOLDER) one task per "
                            "shard on a Dask cluster; same results (needs pip install 'sco_discourse[dask]')")
    group.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="with --engine dask: a running Dask scheduler, e.g. tcp://10.0.0.1:8786; default: a "
                            "local cluster of --jobs worker processes, started and closed for the command")
    if jobs_option:
        group.add_argument("--jobs", type=jobs, default=1, metavar="N",
                           help="with --engine dask and no --scheduler: worker processes (-1: all cores; default 1)")


def engine_args(args: argparse.Namespace) -> dict:
    """``engine=``, ``scheduler=`` (and ``n_jobs=``) of ``--engine``/``--scheduler``/``--jobs``."""
    engine = getattr(args, "engine", "local")
    if engine == "local" and getattr(args, "scheduler", None):
        raise UserError("--scheduler applies to --engine dask")
    out = {"engine": engine, "n_jobs": getattr(args, "jobs", 1)}
    if engine == "dask":
        out["scheduler"] = args.scheduler
    return out


def corpus_from_args(args: argparse.Namespace, *, role: str = "corpus"):
    """Load the corpus of ``--corpus`` and friends; ``role`` names it in the provenance
    record (``"corpus"``, or e.g. ``"reference_corpus"``)."""
    from ..corpus import load_corpus

    columns = None
    if getattr(args, "columns", None):
        columns = {}
        for item in args.columns:
            if "=" not in item:
                raise UserError(f"--columns expects FIELD=COLUMN, got {item!r}")
            key, value = item.split("=", 1)
            columns[key.strip()] = value.strip()
    clean = getattr(args, "clean", None)
    if not args.corpus and (columns or clean is not None):
        raise UserError("--columns and --clean apply to a user corpus: give --corpus PATH")
    reflow = getattr(args, "reflow", True)
    dask = getattr(args, "engine", "local") == "dask"
    if dask and not args.corpus:
        raise UserError("--engine dask reads a corpus stored as shards: give --corpus FOLDER (a folder of JSON Lines "
                        "or Parquet files)")
    if dask and getattr(args, "dedupe", False):
        raise UserError("--dedupe compares every document with every other in one place: use --engine local")
    corpus = load_corpus(args.corpus, columns=columns, clean=clean, encoding=args.encoding, reflow=reflow,
                         on_error="skip" if args.skip_bad_rows else "raise",
                         allow_outside=getattr(args, "allow_outside_paths", False),
                         validate=not dask)  # the workers read (and check) every shard
    if dask:
        if corpus.shards is None:
            raise UserError(f"--engine dask reads a folder of JSON Lines or Parquet shards; {args.corpus} is not one "
                            f"(split it into shards, or use --engine local)")
        current_run().report_after.append(corpus)
    if corpus.skipped:
        print(f"skipped {len(corpus.skipped)} bad row(s):", file=sys.stderr)
        for where, reason in corpus.skipped:
            print(f"  {where}: {reason}", file=sys.stderr)
    if corpus.undated:
        print(f"{len(corpus.undated)} page(s) without a date (kept; date_method 'not found'):", file=sys.stderr)
        for doc_id, source_file in corpus.undated:
            print(f"  {doc_id} ({source_file})", file=sys.stderr)
    conditions = getattr(args, "where", None) or []
    if conditions:
        corpus = corpus.where(*conditions)
    run = current_run()
    dedupe = getattr(args, "dedupe", None)
    if dedupe:
        from ..corpus.duplicates import apply_dedupe

        corpus = apply_dedupe(corpus, {"keep": dedupe, "threshold": args.dedupe_threshold}, where="--dedupe")
        record = corpus.deduplicated
        run.deduplicated = record
        if dedupe == "weight":
            print(f"dedupe: {record['n_weighted']} of {record['n_documents']} document(s) weighted 1/cluster size "
                  f"({record['n_clusters']} cluster(s); Jaccard >= {record['threshold']:g})", file=sys.stderr)
            listed = [(row["doc_id"], f"weight {row['weight']:.3g}, cluster of {row['duplicate_of']}")
                      for row in record["weighted"]]
        else:
            print(f"dedupe: {record['n_removed']} of {record['n_documents']} document(s) left out as copies "
                  f"({record['n_clusters']} cluster(s); Jaccard >= {record['threshold']:g}; the earliest of each "
                  "kept)", file=sys.stderr)
            listed = [(row["doc_id"], f"copy of {row['duplicate_of']} ("
                       + ("exact copy" if row["exact"] else f"similarity {row['similarity']:.2f}") + ")")
                      for row in record["removed"]]
        for doc_id, text in listed[:20]:
            print(f"  {doc_id}: {text}", file=sys.stderr)
        if len(listed) > 20:
            print(f"  ... and {len(listed) - 20} more (all listed in the output's provenance)", file=sys.stderr)
    run.corpora[role] = corpus
    run.corpus_options = {"columns": columns, "clean": clean, "reflow": reflow, "encoding": args.encoding,
                          "skip_bad_rows": bool(args.skip_bad_rows), "where": list(conditions),
                          "dedupe": {"keep": dedupe, "threshold": args.dedupe_threshold} if dedupe else None}
    return corpus


def groups_from_args(args: argparse.Namespace) -> dict:
    """The custom groups of ``--group NAME=COLUMN:V1,V2`` by name.

    >>> groups_from_args(argparse.Namespace(group=["SCO=iso3:CHN,RUS"]))["SCO"].value("RUS")
    'SCO'
    """
    from ..groups import Group

    groups = {}
    for text in getattr(args, "group", None) or []:
        name, eq, rest = text.partition("=")
        column, colon, values = rest.partition(":")
        items = [v.strip() for v in values.split(",")]
        if not (eq and colon and name.strip() and column.strip()) or not all(items):
            raise UserError(f"--group {text!r}: expected NAME=COLUMN:V1,V2,..., e.g. SCO=iso3:CHN,RUS,KAZ")
        if name.strip() in groups:
            raise UserError(f"--group {text!r}: the group {name.strip()!r} is defined twice")
        groups[name.strip()] = Group(name.strip(), column.strip(), items)
    return groups


def _names(text: str | None, option: str) -> list[str]:
    names = [n.strip() for n in (text or "").split(",")]
    if not all(names):
        raise UserError(f"{option} {text!r}: an empty name in the list")
    return names


def by_from_args(args: argparse.Namespace, text: str | None = None):
    """``--by COLUMN[,COLUMN...]`` as a ``by=`` value: one name (a column or a ``--group``)
    or a list of them; None without ``--by``.

    >>> args = argparse.Namespace(by="SCO,year", group=["SCO=iso3:CHN,RUS"])
    >>> [getattr(b, "column", b) for b in by_from_args(args)]
    ['iso3', 'year']
    """
    text = getattr(args, "by", None) if text is None else text
    if text is None:
        return None
    groups = groups_from_args(args)
    by = [groups.get(name, name) for name in _names(text, "--by")]
    return by[0] if len(by) == 1 else by


def columns_from_args(args: argparse.Namespace, text: str | None):
    """``--meta COLUMN[,COLUMN...]`` (or ``all``) as the ``columns=`` of a mention or KWIC table."""
    if not text:
        return None
    if text.strip() == "all":
        return True
    groups = groups_from_args(args)
    return [groups.get(name, name) for name in _names(text, "--meta")]


def targets_from_args(values: list[str] | None, by):
    """``--target``/``--reference-group`` values as groups of ``by``: one value per group for
    one column; ``V1,V2`` (one value per column) for several, e.g. ``--by iso3,year --target CHN,2020``."""
    if not values:
        return None
    width = len(by) if isinstance(by, list) else 1
    if width == 1:
        return list(values)
    out = []
    for value in values:
        parts = tuple(v.strip() for v in value.split(","))
        if len(parts) != width:
            raise UserError(f"{value!r}: --by has {width} columns, so a group is written with {width} values "
                            f"separated by commas (e.g. CHN,2020)")
        out.append(parts)
    return out


def emit_table(frame: pd.DataFrame, out: str | None = None, *, float_format: str = "%.6g") -> None:
    """Write ``frame`` as CSV to ``out``, or print it as an aligned table to stdout.

    A CSV keeps its provenance beside it: ``OUT.json`` holds the record of
    :func:`sco_discourse.provenance.provenance_record` (package version, command and
    options, corpus path, fingerprint and skipped rows, lexicon, seeds, the table's
    ``attrs``, library versions, and the CSV's own SHA-256), so a file found later still
    says how it was made; the CSV's columns stay as documented. Both files are written
    whole or not at all.
    What ``--dedupe`` left out (``attrs["deduplicated"]``) is added to the table's
    ``attrs`` here, for every command.
    """
    if current_run().deduplicated is not None:
        frame.attrs.setdefault("deduplicated", current_run().deduplicated)
    while current_run().report_after:  # --engine dask: bad rows are found while counting
        corpus = current_run().report_after.pop(0)
        if corpus.skipped:
            print(f"skipped {len(corpus.skipped)} bad row(s):", file=sys.stderr)
            for where, reason in corpus.skipped:
                print(f"  {where}: {reason}", file=sys.stderr)
    if out:
        from ..provenance import write_table

        path = Path(out)
        write_table(frame, path, record=provenance_for(frame), float_format=float_format)
        print(f"wrote {len(frame)} rows to {path} (provenance: {path.name}.json)", file=sys.stderr)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            print(frame.to_string(index=False) if not frame.empty else "(no rows)")
