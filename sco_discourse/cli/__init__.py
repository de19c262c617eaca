"""The ``sco-discourse`` command: a thin layer over the package functions.

Each command group lives in its own module of this package (``corpus.py``, ``frames.py``,
...) with a ``register(subparsers)`` function that adds its sub-commands; modules are
found by name, so adding a group means adding a module. every sub-command sets ``func`` to a function taking the
parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .. import __version__
from ._common import UserError, run_context

# Command groups listed first, in pipeline order; any other module found is listed after them.
_ORDER = ["corpus", "frames", "kwic", "keywords", "topics", "figures", "cite"]


def _groups() -> list[str]:
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return [g for g in _ORDER if g in found] + sorted(found - set(_ORDER))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sco-discourse",
        description="Framing and discourse analysis of SCO coverage: corpus, frames, keywords, topics, figures.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _groups():
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code (0 done, 1 a check failed, 2 bad input or
    an unwritable output, 130 interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        with run_context(argv, args):
            return int(args.func(args) or 0)
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's code for SIGINT; outputs are whole or absent
        print("sco-discourse: interrupted (no output was half-written)", file=sys.stderr)
        return 130
    except UserError as exc:
        print(f"sco-discourse: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        _silence_stdout()
        return 0
    except (OSError, UnicodeError) as exc:  # an unreadable file, an unwritable --out, a full disk
        # the file named is the one the error is about (the writers name the output path,
        # not their temporary file); without one, say only what happened
        where = getattr(exc, "filename", None)
        print(f"sco-discourse: error: {f'{where}: ' if where else ''}{getattr(exc, 'strerror', None) or exc}",
              file=sys.stderr)
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise again
    (the recipe of the Python documentation for SIGPIPE)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
