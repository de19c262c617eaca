"""The numbers the manuscript quotes: ``figures/data/numbers.json`` and ``{{name}}`` placeholders.

Every number in the manuscript is a placeholder (``{{rate_shared_future_2021}}``) filled
from the numbers the build generated, plus the colophon from the manifest; a placeholder
without a generated number is an error, never an empty string.

Examples
--------
>>> fill_numbers("We read {{n_documents}} articles.", {"n_documents": "8"})
'We read 8 articles.'
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from .files import project_root, read_json

__all__ = ["NUMBERS_FILE", "load_numbers", "manuscript_values", "referenced_numbers", "fill_numbers"]

#: File (under ``figures/data``) holding every number the manuscript quotes.
NUMBERS_FILE = "numbers.json"

_NUMBER_REF = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _folder(figures_dir: str | os.PathLike | None) -> Path:
    return Path(figures_dir) if figures_dir is not None else project_root() / "figures"


def load_numbers(figures_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """The generated numbers (``figures/data/numbers.json``) as name → formatted string.

    Raises
    ------
    InputError
        The folder holds no built numbers.
    """
    path = _folder(figures_dir) / "data" / NUMBERS_FILE
    if not path.is_file():
        raise InputError(f"{path}: no generated numbers; run `sco-discourse figures` first")
    numbers = read_json(path)
    if not isinstance(numbers, dict):
        raise InputError(f"{path}: not a JSON object of generated numbers; rebuild with `sco-discourse figures`")
    return numbers


def manuscript_values(figures_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """Everything a manuscript may quote: the generated numbers plus the colophon.

    The colophon values come from ``figures/manifest.json`` (they are recorded, not
    compared, by :func:`~sco_discourse.compendium.check_figures`): ``colophon_commit``,
    ``colophon_software``, ``colophon_corpus``, ``colophon_lexicon`` and
    ``colophon_seeds``; ``package_version`` and ``date_released`` come from the package
    metadata (:mod:`sco_discourse.citation`).
    """
    from ..citation import metadata

    folder = _folder(figures_dir)
    values = load_numbers(folder)
    manifest = read_json(folder / "manifest.json") or {}
    software = manifest.get("software") or {}
    lexicon = manifest.get("lexicon") or {}
    corpus = manifest.get("corpus") or {}
    lexicons = lexicon if isinstance(lexicon, list) else [lexicon] if lexicon else []
    values.update({
        "colophon_commit": manifest.get("git_commit") or "unknown (not built from a git checkout)",
        "colophon_software": ", ".join(f"{k} {v}" for k, v in software.items()),
        "colophon_corpus": f"{corpus.get('name')}, {corpus.get('documents')} documents, "
                           f"SHA-256 {corpus.get('fingerprint')}",
        "colophon_lexicon": "; ".join(f"{lex.get('name')} version {lex.get('version')}" for lex in lexicons)
                            or "none",
        "colophon_seeds": "; ".join(f"{k}: {v}" for k, v in (manifest.get("seeds") or {}).items()),
    })
    package = metadata()
    values.update(package_version=package["version"], date_released=package["date_released"].isoformat())
    return values


def referenced_numbers(text: str) -> list[str]:
    """Names of the ``{{name}}`` placeholders in a manuscript, in order of first use.

    Examples
    --------
    >>> referenced_numbers("{{a}} and {{ b }} and {{a}}")
    ['a', 'b']
    """
    return list(dict.fromkeys(_NUMBER_REF.findall(text)))


def fill_numbers(text: str, numbers: Mapping[str, str], *, source: str = "manuscript") -> str:
    """Replace every ``{{name}}`` with its generated value; unknown names are an error.

    Raises
    ------
    InputError
        Naming every placeholder without a generated number.

    Examples
    --------
    >>> fill_numbers("{{n}} of {{m}}", {"n": "8"}, source="draft.md")
    Traceback (most recent call last):
    ...
    sco_discourse.errors.InputError: draft.md: no generated number for m (rebuild with `sco-discourse figures`)
    """
    unknown = [name for name in referenced_numbers(text) if name not in numbers]
    if unknown:
        raise InputError(f"{source}: no generated number for {', '.join(unknown)} "
                         f"(rebuild with `sco-discourse figures`)")
    return _NUMBER_REF.sub(lambda m: str(numbers[m.group(1)]), text)
