"""Options and output helpers shared by every command group."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..errors import InputError as UserError

__all__ = ["UserError", "add_corpus_options", "at_least", "corpus_from_args", "emit_table"]


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


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """``--corpus PATH`` and friends, identical on every command that reads a corpus."""
    group = parser.add_argument_group("corpus")
    group.add_argument("--corpus", metavar="PATH",
                       help="a user corpus: folder of .txt files with metadata.csv, .csv, .jsonl, "
                            ".parquet (optionally .gz); default: the embedded seed corpus")
    group.add_argument("--columns", metavar="FIELD=COLUMN", nargs="+", default=None,
                       help="map the package's fields to your columns, e.g. id=speech_id text=body")
    group.add_argument("--clean", action="store_true",
                       help="apply the web-page cleaner to your texts (the seed corpus is always cleaned)")
    group.add_argument("--encoding", default="utf-8", help="encoding of your text/CSV files (default utf-8)")
    group.add_argument("--skip-bad-rows", action="store_true",
                       help="skip rows with errors instead of stopping (they are reported)")


def corpus_from_args(args: argparse.Namespace):
    from ..corpus import load_corpus

    columns = None
    if getattr(args, "columns", None):
        columns = {}
        for item in args.columns:
            if "=" not in item:
                raise UserError(f"--columns expects FIELD=COLUMN, got {item!r}")
            key, value = item.split("=", 1)
            columns[key.strip()] = value.strip()
    if not args.corpus and (columns or args.clean):
        raise UserError("--columns and --clean apply to a user corpus: give --corpus PATH")
    corpus = load_corpus(args.corpus, columns=columns, clean=args.clean, encoding=args.encoding,
                         on_error="skip" if args.skip_bad_rows else "raise")
    if corpus.skipped:
        print(f"skipped {len(corpus.skipped)} bad row(s):", file=sys.stderr)
        for where, reason in corpus.skipped:
            print(f"  {where}: {reason}", file=sys.stderr)
    return corpus


def emit_table(frame: pd.DataFrame, out: str | None = None, *, float_format: str = "%.6g") -> None:
    """Write ``frame`` as CSV to ``out``, or print it as an aligned table to stdout.

    A CSV keeps its provenance beside it: ``OUT.json`` holds the package version and the
    table's ``attrs`` (lexicon name, version and hash, interval method, seeds, ...), so a
    file found later still says how it was made; the CSV's columns stay as documented.
    """
    if out:
        path = Path(out)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
        print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)
        if frame.attrs:
            _write_provenance(frame.attrs, path)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            print(frame.to_string(index=False) if not frame.empty else "(no rows)")


def _jsonable(value):
    """attrs values as JSON: numbers and strings as they are, containers recursively, the rest as text."""
    import numpy as np

    if value is None or isinstance(value, (bool, int, float, str)):
        return None if isinstance(value, float) and value != value else value
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


def _write_provenance(attrs, path: Path) -> None:
    import json

    from .. import __version__

    meta = {"table": path.name, "written_by": f"sco_discourse {__version__}", "attrs": _jsonable(dict(attrs))}
    side = path.with_name(path.name + ".json")
    side.write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
