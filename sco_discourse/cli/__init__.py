"""The ``sco-discourse`` command: a thin layer over the package functions.

Each command group lives in its own module with a ``register(subparsers)`` function
that adds its sub-commands; every sub-command sets ``func`` to a function taking the
parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ._common import UserError

# Command groups, in the order ``--help`` lists them (module names under sco_discourse.cli).
_GROUPS = ["corpus"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sco-discourse",
        description="Framing and discourse analysis of SCO coverage: corpus, frames, keywords, topics, figures.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _GROUPS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"sco-discourse: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
