"""``sco-discourse figures``: run the notebooks and rebuild every figure, table and number.

This is the one command that reproduces the paper's evidence::

    sco-discourse figures            # notebooks + figures/ (+ figures/data, manifest)
    sco-discourse figures --check    # rebuild into a temporary folder, compare with figures/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import UserError, add_corpus_options, at_least, corpus_from_args


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "figures", help="run the notebooks and rebuild every paper figure, table and number",
        description="Execute the notebooks (headless, nothing written back) and write every "
                    "registered figure as SVG, PDF and PNG to figures/, the table behind each as "
                    "figures/data/NAME.csv, the numbers the paper quotes as figures/data/numbers.json "
                    "and a manifest (version, commit, corpus hash, lexicon, seeds). With --check, "
                    "rebuild into a temporary folder instead and fail, naming each figure, if "
                    "anything differs from the committed files.")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="output folder (default: figures/ of the project in the current folder, i.e. "
                             "the nearest folder up from here holding figures/ and notebooks/); with "
                             "--check, the folder to compare against")
    parser.add_argument("--check", action="store_true",
                        help="rebuild into a temporary folder and compare with --out; exit 1 on any difference")
    parser.add_argument("--no-notebooks", action="store_true",
                        help="do not execute the notebooks (they always run on the seed corpus)")
    parser.add_argument("--seed", type=at_least(0), default=0, help="seed of every random step (default 0)")
    add_corpus_options(parser)
    parser.set_defaults(func=_figures)


def find_project(start: Path | None = None) -> Path | None:
    """The project the command works on: ``start`` (default: the current folder) or the
    nearest folder above it that holds both ``figures/`` and ``notebooks/``; else None.

    The current folder decides, not where the package was installed from, so a clone
    rebuilds its own figures, never those of another checkout.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "figures").is_dir() and (folder / "notebooks").is_dir():
            return folder
    return None


def _figures(args: argparse.Namespace) -> int:
    from .. import compendium

    project = find_project()
    if args.out:
        out = Path(args.out)
    elif project is not None:
        out = project / "figures"
    else:
        raise UserError(f"no project here: neither {Path.cwd()} nor a folder above it holds figures/ and "
                        "notebooks/; run from the project folder or give --out DIR")
    notebooks = None
    if not args.no_notebooks:
        if project is None or not (project / "notebooks").is_dir():
            raise UserError(f"no notebooks/ folder in {Path.cwd()} or above it to execute; run from the project "
                            "folder, or give --no-notebooks to build only the figures")
        notebooks = compendium.notebook_paths(project / "notebooks")
    print(f"{'comparing with' if args.check else 'writing to'} {out.resolve()}", file=sys.stderr)
    corpus = corpus_from_args(args)
    progress = sys.stderr.isatty()
    if notebooks is not None:
        try:
            ran = compendium.execute_notebooks(notebooks, progress=progress)
        except RuntimeError as exc:
            print(f"sco-discourse: notebook failed: {exc}", file=sys.stderr)
            return 1
        print(f"ran {len(ran)} notebook(s) from {project / 'notebooks'}", file=sys.stderr)
    if args.check:
        try:
            manifest = compendium.check_figures(out, corpus, random_state=args.seed, progress=progress)
        except compendium.FiguresDiffer as exc:
            print(f"sco-discourse: figures --check failed: {exc}", file=sys.stderr)
            return 1
        print(f"{len(manifest['figures'])} figure(s) identical to {out}", file=sys.stderr)
        return 0
    manifest = compendium.build_figures(out, corpus, random_state=args.seed, progress=progress)
    print(f"wrote {len(manifest['figures'])} figure(s), their tables and "
          f"{manifest['numbers']['count']} numbers to {out}", file=sys.stderr)
    return 0
