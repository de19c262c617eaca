"""``sco-discourse cite``: how to cite the package (BibTeX, APA, or CITATION.cff)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    from ..citation import FORMATS

    parser = subparsers.add_parser(
        "cite", help="print how to cite this package (BibTeX, APA, CITATION.cff)",
        description="Print a citation for the installed version of sco_discourse. The version "
                    "and all fields come from the package metadata (pyproject.toml).")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="bibtex, apa or cff (the CITATION.cff file); default: BibTeX and APA")
    parser.set_defaults(func=_cite)


def _cite(args: argparse.Namespace) -> int:
    from ..citation import apa, bibtex, cite

    if args.format is None:
        print(bibtex())
        print()
        print(apa())
    else:
        print(cite(args.format), end="" if args.format == "cff" else "\n")
    return 0
