"""Building every registered figure, checking a rebuild against the committed files, the manifest.

:func:`build_figures` runs each figure of the registry and writes, for a figure ``NAME``::

    figures/NAME.svg  figures/NAME.pdf  figures/NAME.png   the figure
    figures/data/NAME.csv                                  the table behind it
    figures/data/numbers.json                              every number the paper quotes
    figures/manifest.json                                  what produced them

Every file is written whole or not at all (:mod:`sco_discourse.compendium.files`). A
rebuild is byte-identical; the manifest holds nothing that changes between two runs
except the git commit and library versions (:data:`INFORMATIONAL_KEYS`), which
:func:`check_figures` records but does not compare. :func:`check_figures` rebuilds into a
temporary folder and names every figure whose files differ from the committed ones.

The manifest records with each figure what it declared it used (:class:`~.registry.Uses`):
the lexicon, the hand coding and the seeds and settings of its steps; ``lexicon`` and
``seeds`` at the top level gather those of the figures built.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import plot
from . import registry
from .files import CSV_FLOAT_FORMAT, FORMATS, project_root, read_json, save_figure, sha256, write_json, write_table
from .numbers import NUMBERS_FILE
from .registry import DEFAULT_RANDOM_STATE, Figure, FigureContext, figure_size, get_figure

__all__ = ["build_figures", "check_figures", "compare_outputs", "Difference", "FiguresDiffer", "INFORMATIONAL_KEYS"]

#: Manifest keys recorded for information only: they change with every commit or machine
#: without the figures changing, so :func:`check_figures` does not compare them.
INFORMATIONAL_KEYS = ("git_commit", "software")


# --------------------------------------------------------------------------- drawing
def _render(figure: Figure, table, out_dir: Path) -> list[Path]:
    # A bare matplotlib Figure (not pyplot): no GUI backend, nothing left open.
    from matplotlib.figure import Figure as MplFigure

    paths = []
    with plot.paper_style():  # the style fixes the fonts and the SVG hash salt
        fig = MplFigure(figsize=figure_size(figure, table))
        figure.draw(table, fig.add_subplot())
        for fmt in FORMATS:
            path = out_dir / f"{figure.name}.{fmt}"
            save_figure(fig, path, fmt)
            paths.append(path)
    return paths


# --------------------------------------------------------------------------- provenance
def _git_commit(root: Path) -> str | None:
    """The last commit that changed anything but the built ``figures/``: the code, texts and
    settings the figures come from. Committing rebuilt figures does not change it, so a
    rebuild in a clean clone reproduces ``manifest.json`` byte for byte too."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%H", "--", ".", ":(exclude)figures"], cwd=root,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def _software() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for dist in ("sco_discourse", "numpy", "scipy", "pandas", "matplotlib", "scikit-learn", "gensim",
                 "statsmodels", "simplemma"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def _uses(figure: Figure, context: FigureContext) -> dict[str, Any]:
    """What a figure declared it used, as the manifest records it."""
    uses = figure.uses
    lexicon = uses.lexicon() if uses.lexicon is not None else None
    return {
        "lexicon": {"name": lexicon.name, "version": lexicon.version} if lexicon is not None else None,
        "hand_coding": uses.hand_coding,
        "seeds": dict(uses.settings(context)) if uses.settings is not None else {},
    }


def _gather(records: Sequence[tuple[str, dict[str, Any]]]) -> tuple[Any, dict[str, Any]]:
    """The manifest's top-level ``lexicon`` and ``seeds``: those declared by the figures built."""
    lexicons: list[dict[str, Any]] = []
    seeds: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for name, uses in records:
        if uses["lexicon"] is not None and uses["lexicon"] not in lexicons:
            lexicons.append(uses["lexicon"])
        for key, value in uses["seeds"].items():
            if key in seeds and seeds[key] != value:
                raise ValueError(f"figure {name}: setting {key!r} is {value!r}, but figure {owner[key]} "
                                 f"used {seeds[key]!r}")
            seeds.setdefault(key, value)
            owner.setdefault(key, name)
    lexicon = lexicons[0] if len(lexicons) == 1 else (lexicons or None)
    return lexicon, dict(sorted(seeds.items()))


# --------------------------------------------------------------------------- build
def build_figures(out_dir: str | os.PathLike = "figures", corpus=None, *, names: Sequence[str] | None = None,
                  random_state: int = DEFAULT_RANDOM_STATE, progress: bool = True) -> dict[str, Any]:
    """Compute, draw and write every registered figure, its table and the paper's numbers.

    Parameters
    ----------
    out_dir : path, default "figures"
        Receives ``NAME.svg/.pdf/.png``, ``data/NAME.csv``, ``data/numbers.json`` and
        ``manifest.json``. When all figures are built, files of figures no longer
        registered are removed, so the folder holds exactly one build.
    corpus : Corpus, optional
        Default: the embedded seed corpus.
    names : sequence of str, optional
        Build only these figures (nothing else in ``out_dir`` is removed).
    random_state : int, default 0
        Seed of every random step.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    dict
        The manifest, as written to ``out_dir/manifest.json``: ``corpus`` (name,
        fingerprint, documents), ``lexicon`` (name, version of the lexicon the figures
        declared; a list if they used several, null if none), ``seeds`` (seeds and
        settings declared by the figures built, and ``random_state``), ``figures`` (name,
        label, caption, ``uses``: the lexicon, hand coding and seeds that figure declared,
        files with their SHA-256), ``skipped`` (figures that need the
        seed corpus's hand coding, when another corpus is given), ``numbers`` and, for
        information, ``git_commit`` and ``software`` (library versions).
    """
    from tqdm.auto import tqdm

    out = Path(out_dir)
    selected = list(registry.FIGURES) if names is None else [get_figure(n).name for n in names]
    context = FigureContext(corpus, random_state=random_state)
    (out / "data").mkdir(parents=True, exist_ok=True)

    numbers: dict[str, str] = {}
    for source, compute in registry.NUMBERS.items():
        _add_numbers(numbers, compute(context), source)
    entries, skipped, used, written = [], [], [], set()
    for name in tqdm(selected, desc="figures", unit="figure", disable=not progress):
        figure = registry.FIGURES[name]
        if figure.seed_corpus_only and not context.is_seed_corpus:
            skipped.append({"name": name, "reason": "needs the hand coding of the seed corpus"})
            continue
        table = figure.table(context)
        data_path = out / "data" / f"{name}.csv"
        write_table(table, data_path)
        paths = [data_path, *_render(figure, table, out)]
        if figure.numbers is not None:
            _add_numbers(numbers, figure.numbers(table, context), f"figure {name}")
        uses = _uses(figure, context)
        used.append((name, uses))
        written.update(paths)
        entries.append({"name": name, "label": figure.label, "caption": figure.caption, "uses": uses,
                        "files": {p.relative_to(out).as_posix(): sha256(p) for p in sorted(paths)}})

    numbers_path = out / "data" / NUMBERS_FILE
    write_json(dict(sorted(numbers.items())), numbers_path)
    lexicon, seeds = _gather(used)
    manifest = {
        "generated_by": "sco-discourse figures",
        "git_commit": _git_commit(project_root()),
        "software": _software(),
        "corpus": {"name": context.corpus.name, "fingerprint": context.corpus.fingerprint(),
                   "documents": len(context.corpus)},
        "lexicon": lexicon,
        "seeds": {"random_state": random_state, **seeds},
        "formats": list(FORMATS),
        "csv_float_format": CSV_FLOAT_FORMAT,
        "figures": entries,
        "skipped": skipped,
        "numbers": {"file": f"data/{NUMBERS_FILE}", "sha256": sha256(numbers_path), "count": len(numbers)},
    }
    manifest_path = out / "manifest.json"
    write_json(manifest, manifest_path)
    if names is None:  # a full build: drop outputs of figures that no longer exist
        keep = written | {numbers_path, manifest_path}
        for path in list(out.glob("*.*")) + list((out / "data").glob("*.*")):
            if path.is_file() and path not in keep and path.suffix.lstrip(".") in (*FORMATS, "csv"):
                path.unlink()
    return manifest


def _add_numbers(numbers: dict[str, str], new: Mapping[str, Any], source: str) -> None:
    for key, value in new.items():
        if key in numbers:
            raise ValueError(f"{source}: number {key!r} is already defined")
        numbers[key] = str(value)


# --------------------------------------------------------------------------- check
@dataclasses.dataclass(frozen=True)
class Difference:
    """A file that differs between a rebuild and the committed outputs."""

    path: str
    figure: str | None
    reason: str

    def __str__(self) -> str:
        who = f"figure {self.figure}: " if self.figure else ""
        return f"{who}{self.path}: {self.reason}"


class FiguresDiffer(AssertionError):
    """Raised by :func:`check_figures` when a rebuild differs from the committed files."""

    def __init__(self, differences: Sequence[Difference], note: str = ""):
        self.differences = list(differences)
        lines = [f"{len(self.differences)} file(s) differ from the committed outputs:"]
        lines += [f"  {d}" for d in self.differences]
        if note:
            lines.append(note)
        super().__init__("\n".join(lines))

    @property
    def figures(self) -> list[str]:
        """Names of the figures with a differing file."""
        return sorted({d.figure for d in self.differences if d.figure})


def _owner(rel: str) -> str | None:
    """The figure a file belongs to: ``NAME.svg`` and ``data/NAME.csv`` → ``NAME``."""
    stem = Path(rel).stem
    return stem if stem in registry.FIGURES else None


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def compare_outputs(built: str | os.PathLike, reference: str | os.PathLike) -> list[Difference]:
    """Every file that differs between two output folders, each naming its figure.

    Figures, tables and numbers must be byte-identical; in ``manifest.json`` the
    :data:`INFORMATIONAL_KEYS` (git commit, library versions) are not compared.

    Returns
    -------
    list of Difference
        Empty when the folders agree.
    """
    built, reference = Path(built), Path(reference)
    built_files, reference_files = _files(built), _files(reference)
    differences: list[Difference] = []
    for rel in sorted(built_files | reference_files):
        owner = _owner(rel)
        if rel not in reference_files:
            differences.append(Difference(rel, owner, "produced by the build but not committed"))
        elif rel not in built_files:
            differences.append(Difference(rel, owner, "committed but no longer produced by the build"))
        elif rel == "manifest.json":
            new, old = read_json(built / rel) or {}, read_json(reference / rel) or {}
            keys = sorted(k for k in set(new) | set(old) if k not in INFORMATIONAL_KEYS and new.get(k) != old.get(k))
            if keys:
                differences.append(Difference(rel, None, f"differs in {', '.join(keys)}"))
        elif (built / rel).read_bytes() != (reference / rel).read_bytes():
            reason = "content differs"
            if rel.endswith(NUMBERS_FILE):
                new, old = read_json(built / rel) or {}, read_json(reference / rel) or {}
                changed = sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k))
                reason = f"numbers differ: {', '.join(changed) or 'formatting'}"
            differences.append(Difference(rel, owner, reason))
    return differences


def check_figures(reference_dir: str | os.PathLike | None = None, corpus=None, *,
                  random_state: int = DEFAULT_RANDOM_STATE, progress: bool = False) -> dict[str, Any]:
    """Rebuild every figure into a temporary folder; raise if anything differs from ``reference_dir``.

    Parameters
    ----------
    reference_dir : path, optional
        The committed outputs (default: the project's ``figures/``).
    corpus : Corpus, optional
        Default: the embedded seed corpus.

    Returns
    -------
    dict
        The manifest of the rebuild (when nothing differs).

    Raises
    ------
    FiguresDiffer
        Listing every differing file and the figure it belongs to.
    """
    reference = Path(reference_dir) if reference_dir is not None else project_root() / "figures"
    with tempfile.TemporaryDirectory(prefix="sco-figures-") as tmp:
        manifest = build_figures(Path(tmp) / "figures", corpus, random_state=random_state, progress=progress)
        differences = compare_outputs(Path(tmp) / "figures", reference)
    if differences:
        raise FiguresDiffer(differences, _environment_note(manifest, read_json(reference / "manifest.json")))
    return manifest


def _environment_note(manifest: Mapping[str, Any], reference: Mapping[str, Any] | None) -> str:
    old, new = (reference or {}).get("software") or {}, manifest.get("software") or {}
    changed = [f"{k} {old.get(k)} -> {new.get(k)}" for k in sorted(set(old) | set(new))
               if old.get(k) != new.get(k) and k != "sco_discourse"]
    if not changed:
        return ""
    return ("note: the committed figures were made with other library versions ("
            + "; ".join(changed) + "); byte-identical output needs the same versions "
            "(install with -c .ci/constraints.txt).")
