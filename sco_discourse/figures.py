"""The registry of paper figures, and the only module of the package that writes files.

A registered :class:`Figure` is a pair: a *table* function computing a tidy table from
the corpus, and a *draw* function from :mod:`sco_discourse.plot` drawing that table.
:func:`build_figures` runs them all and writes, for a figure called ``NAME``::

    figures/NAME.svg  figures/NAME.pdf  figures/NAME.png   the figure
    figures/data/NAME.csv                                  the table behind it
    figures/data/numbers.json                              every number the paper quotes
    figures/manifest.json                                  what produced them

A rebuild is byte-identical: the style fixes the fonts and the SVG hash salt, files carry
no dates, CSV floats have a fixed format, and the manifest holds nothing that changes
between two runs except the git commit and library versions, which :func:`check_figures`
records but does not compare. :func:`check_figures` rebuilds into a temporary folder and
names every figure whose files differ from the committed ones. :func:`execute_notebooks`
runs the notebooks headless (``sco-discourse figures`` does both).

Examples
--------
>>> from sco_discourse import figures
>>> figures.FIGURES["corpus_tokens"].label
's1'
>>> figures.fill_numbers("We read {{n_documents}} articles.", {"n_documents": "8"})
'We read 8 articles.'
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import plot
from .errors import InputError

__all__ = [
    "Figure",
    "FigureContext",
    "FIGURES",
    "register",
    "figure_table",
    "draw_figure",
    "build_figures",
    "check_figures",
    "compare_outputs",
    "Difference",
    "FiguresDiffer",
    "execute_notebooks",
    "notebook_paths",
    "load_numbers",
    "manuscript_values",
    "fill_numbers",
    "referenced_numbers",
    "project_root",
    "FORMATS",
    "CSV_FLOAT_FORMAT",
]

#: Formats every figure is written in (vector for print, PNG for screens).
FORMATS = ("svg", "pdf", "png")
#: printf format of floats in the CSV tables (fixed, so CSVs rebuild byte for byte).
CSV_FLOAT_FORMAT = "%.6g"
#: Resolution of the PNG files.
PNG_DPI = 300
#: Seed of every random step behind the figures (bootstrap intervals, topic models).
DEFAULT_RANDOM_STATE = 0
#: Manifest keys recorded for information only: they change with every commit or machine
#: without the figures changing, so :func:`check_figures` does not compare them.
INFORMATIONAL_KEYS = ("git_commit", "software")
#: File (under ``figures/data``) holding every number the manuscript quotes.
NUMBERS_FILE = "numbers.json"

_CREATOR = "sco_discourse figures (matplotlib)"
_SAVE_METADATA = {
    "svg": {"Date": None, "Creator": _CREATOR},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": _CREATOR, "Producer": _CREATOR},
    "png": {"Software": _CREATOR},
}


# --------------------------------------------------------------------------- registry
@dataclasses.dataclass(frozen=True)
class Figure:
    """One paper figure: how to compute its table and how to draw it.

    Attributes
    ----------
    name : str
        File stem (``figures/NAME.svg``, ``figures/data/NAME.csv``).
    label : str
        Its letter in the paper (``"a"``, ``"b"``, ...; ``"s1"`` for supplementary ones).
    caption : str
        One sentence saying what it shows (recorded in the manifest).
    table : callable(FigureContext) -> DataFrame
        Computes the tidy table from the corpus.
    draw : callable(DataFrame, Axes) -> Axes
        Draws the table (a function of :mod:`sco_discourse.plot`).
    size : (float, float) or callable(DataFrame) -> (float, float)
        Figure size in inches (default: one journal column); a function of the table
        for figures whose height grows with it (a KWIC table).
    numbers : callable(DataFrame, FigureContext) -> dict, optional
        Numbers the manuscript quotes from this table (name → formatted string).
    seed_corpus_only : bool
        The figure needs data that exist only for the embedded seed corpus (the
        hand-coded mentions); it is skipped, and listed in the manifest, for other corpora.
    """

    name: str
    label: str
    caption: str
    table: Callable[["FigureContext"], pd.DataFrame]
    draw: Callable[[pd.DataFrame, Any], Any]
    size: tuple[float, float] | Callable[[pd.DataFrame], tuple[float, float]] = (plot.COLUMN_WIDTH, 2.6)
    numbers: Callable[[pd.DataFrame, "FigureContext"], dict[str, str]] | None = None
    seed_corpus_only: bool = False


#: The registered figures, in paper order.
FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    """Add a figure to :data:`FIGURES` (names must be unique)."""
    if figure.name in FIGURES:
        raise ValueError(f"a figure named {figure.name!r} is already registered")
    FIGURES[figure.name] = figure
    return figure


class FigureContext:
    """What the table functions share: the corpus, the seed, and a cache.

    Parameters
    ----------
    corpus : Corpus, optional
        Default: the embedded seed corpus.
    random_state : int
        Seed of every random step.
    """

    def __init__(self, corpus=None, *, random_state: int = DEFAULT_RANDOM_STATE):
        if corpus is None:
            from .corpus import load_corpus

            corpus = load_corpus()
        self.corpus = corpus
        self.random_state = random_state
        self._cache: dict[str, Any] = {}
        #: Seeds and settings of random steps, recorded in the manifest (name → value).
        self.seeds: dict[str, Any] = {"random_state": random_state}

    @property
    def is_seed_corpus(self) -> bool:
        """Whether the corpus is the embedded seed corpus (same documents and texts)."""
        from .corpus import load_corpus

        return self.memo("is_seed_corpus", lambda: self.corpus.fingerprint() == load_corpus().fingerprint())

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per context (figures share counts, fitted models, ...)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def figure_table(name: str, corpus=None, *, random_state: int = DEFAULT_RANDOM_STATE,
                 context: FigureContext | None = None) -> pd.DataFrame:
    """The table behind a registered figure (what ``figures/data/NAME.csv`` holds).

    Examples
    --------
    >>> import datetime
    >>> from sco_discourse import Corpus, Document
    >>> docs = [Document("d1", "The SCO met.", datetime.date(2020, 1, 1))]
    >>> figure_table("corpus_tokens", Corpus.from_documents(docs))
      doc_id  year  tokens
    0     d1  2020       3
    """
    context = context or FigureContext(corpus, random_state=random_state)
    return _get(name).table(context)


def draw_figure(name: str, table: pd.DataFrame | None = None, ax=None, *, corpus=None,
                random_state: int = DEFAULT_RANDOM_STATE):
    """Draw a registered figure (its table computed unless given) and return the Axes.

    For notebooks: ``figures.draw_figure("frame_rates")`` shows the paper's figure.
    """
    figure = _get(name)
    if table is None:
        table = figure_table(name, corpus, random_state=random_state)
    if ax is None:
        import matplotlib.pyplot as plt

        with plot.paper_style():
            _, ax = plt.subplots(figsize=_size(figure, table))
            return figure.draw(table, ax)
    return figure.draw(table, ax)


def _size(figure: Figure, table: pd.DataFrame) -> tuple[float, float]:
    return figure.size(table) if callable(figure.size) else figure.size


def _get(name: str) -> Figure:
    try:
        return FIGURES[name]
    except KeyError:
        raise InputError(f"no figure named {name!r}; figures: {', '.join(FIGURES)}") from None


# --------------------------------------------------------------------------- writing files
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_table(table: pd.DataFrame, path: Path) -> None:
    text = table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_json(data: Any, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8", newline="\n")


def _render(figure: Figure, table: pd.DataFrame, out_dir: Path) -> list[Path]:
    # A bare matplotlib Figure (not pyplot): no GUI backend, nothing left open.
    from matplotlib.figure import Figure as MplFigure

    paths = []
    with plot.paper_style():  # the style fixes the fonts and the SVG hash salt
        fig = MplFigure(figsize=_size(figure, table))
        figure.draw(table, fig.add_subplot())
        for fmt in FORMATS:
            path = out_dir / f"{figure.name}.{fmt}"
            fig.savefig(path, format=fmt, metadata=_SAVE_METADATA[fmt],
                        dpi=PNG_DPI if fmt == "png" else None)
            paths.append(path)
    return paths


# --------------------------------------------------------------------------- provenance
def project_root() -> Path:
    """The source checkout the package runs from (holding ``pyproject.toml``), else the cwd."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


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


def _lexicon_info() -> dict[str, Any] | None:
    try:
        from .lexicons.schema import load_lexicon
    except ImportError:
        return None
    lexicon = load_lexicon()
    return {"name": getattr(lexicon, "name", None), "version": getattr(lexicon, "version", None)}


def _corpus_numbers(corpus) -> dict[str, str]:
    from .text import count_tokens

    frame = corpus.to_frame()
    years = frame["year"].dropna().astype(int)
    per_year = years.value_counts()
    pages = frame["source_file"].nunique() if "source_file" in frame else len(frame)
    numbers = {
        "n_documents": str(len(frame)),
        "n_source_pages": str(int(pages)),
        "n_tokens": f"{sum(count_tokens(text) for text in frame['text']):,}",
        "first_year": str(int(years.min())) if len(years) else "n/a",
        "last_year": str(int(years.max())) if len(years) else "n/a",
        "n_years": str(years.nunique()),
        "max_documents_per_year": str(int(per_year.max())) if len(years) else "0",
    }
    outlets = frame["outlet"].fillna("").astype(str).str.strip() if "outlet" in frame else pd.Series([], dtype=str)
    known = outlets[outlets != ""]
    numbers.update(n_documents_outlet_known=str(len(known)), outlets=", ".join(sorted(known.unique())) or "none",
                   years_one_document=", ".join(str(y) for y in sorted(per_year[per_year == 1].index)) or "none")
    return numbers


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
        fingerprint, documents), ``lexicon`` (name, version), ``seeds``, ``figures``
        (name, label, caption, files with their SHA-256), ``skipped`` (figures that need
        the seed corpus, when another is given), ``numbers`` and, for
        information, ``git_commit`` and ``software`` (library versions).
    """
    from tqdm.auto import tqdm

    out = Path(out_dir)
    selected = list(FIGURES) if names is None else [_get(n).name for n in names]
    context = FigureContext(corpus, random_state=random_state)
    (out / "data").mkdir(parents=True, exist_ok=True)

    numbers = _corpus_numbers(context.corpus)
    entries, skipped, written = [], [], set()
    for name in tqdm(selected, desc="figures", unit="figure", disable=not progress):
        figure = FIGURES[name]
        if figure.seed_corpus_only and not context.is_seed_corpus:
            skipped.append({"name": name, "reason": "needs the hand coding of the seed corpus"})
            continue
        table = figure.table(context)
        data_path = out / "data" / f"{name}.csv"
        _write_table(table, data_path)
        paths = [data_path, *_render(figure, table, out)]
        if figure.numbers is not None:
            for key, value in figure.numbers(table, context).items():
                if key in numbers:
                    raise ValueError(f"figure {name}: number {key!r} is already defined")
                numbers[key] = str(value)
        written.update(paths)
        entries.append({"name": name, "label": figure.label, "caption": figure.caption,
                        "files": {p.relative_to(out).as_posix(): _sha256(p) for p in sorted(paths)}})

    numbers_path = out / "data" / NUMBERS_FILE
    _write_json(dict(sorted(numbers.items())), numbers_path)
    manifest = {
        "generated_by": "sco-discourse figures",
        "git_commit": _git_commit(project_root()),
        "software": _software(),
        "corpus": {"name": context.corpus.name, "fingerprint": context.corpus.fingerprint(),
                   "documents": len(context.corpus)},
        "lexicon": _lexicon_info(),
        "seeds": dict(sorted(context.seeds.items())),
        "formats": list(FORMATS),
        "csv_float_format": CSV_FLOAT_FORMAT,
        "figures": entries,
        "skipped": skipped,
        "numbers": {"file": f"data/{NUMBERS_FILE}", "sha256": _sha256(numbers_path), "count": len(numbers)},
    }
    manifest_path = out / "manifest.json"
    _write_json(manifest, manifest_path)
    if names is None:  # a full build: drop outputs of figures that no longer exist
        keep = written | {numbers_path, manifest_path}
        for path in list(out.glob("*.*")) + list((out / "data").glob("*.*")):
            if path.is_file() and path not in keep and path.suffix.lstrip(".") in (*FORMATS, "csv"):
                path.unlink()
    return manifest


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
    return stem if stem in FIGURES else None


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


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
            new, old = _read_json(built / rel) or {}, _read_json(reference / rel) or {}
            keys = sorted(k for k in set(new) | set(old) if k not in INFORMATIONAL_KEYS and new.get(k) != old.get(k))
            if keys:
                differences.append(Difference(rel, None, f"differs in {', '.join(keys)}"))
        elif (built / rel).read_bytes() != (reference / rel).read_bytes():
            reason = "content differs"
            if rel.endswith(NUMBERS_FILE):
                new, old = _read_json(built / rel) or {}, _read_json(reference / rel) or {}
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
        raise FiguresDiffer(differences, _environment_note(manifest, _read_json(reference / "manifest.json")))
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


# --------------------------------------------------------------------------- notebooks
def notebook_paths(folder: str | os.PathLike | None = None) -> list[Path]:
    """The numbered notebooks (``NN_*.ipynb``) in run order (default folder: ``notebooks/``)."""
    folder = Path(folder) if folder is not None else project_root() / "notebooks"
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def _kernel_manager():
    """A kernel manager running ipykernel with *this* Python, whatever kernelspecs are installed."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisPythonKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: ARG002 - one kernel only
            # log level ERROR: the kernel warns about local TCP on every start (noise here)
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                                    "--IPKernelApp.log_level=ERROR"],
                              display_name=f"Python {platform.python_version()}", language="python",
                              env={"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                              resource_dir="")

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisPythonKernelSpecs())


def execute_notebooks(paths: Iterable[str | os.PathLike] | None = None, *, timeout: int = 600,
                      progress: bool = True) -> list[Path]:
    """Run notebooks headless, top to bottom, in their own folder; nothing is written back.

    Each notebook runs in a fresh kernel of the current Python, so a fresh virtual
    environment works without registering a Jupyter kernel.

    Parameters
    ----------
    paths : iterable of path, optional
        Default: :func:`notebook_paths`.
    timeout : int
        Seconds allowed per cell.
    progress : bool
        Show a progress bar.

    Returns
    -------
    list of Path
        The notebooks run.

    Raises
    ------
    RuntimeError
        Naming the notebook and the cell that failed, with the error.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from tqdm.auto import tqdm

    paths = notebook_paths() if paths is None else [Path(p) for p in paths]
    for path in tqdm(paths, desc="notebooks", unit="notebook", disable=not progress):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, km=_kernel_manager(), timeout=timeout, allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as exc:
            index = next((i for i, cell in enumerate(notebook.cells)
                          if any(o.get("output_type") == "error" for o in cell.get("outputs", []))), None)
            where = f"cell {index + 1}" if index is not None else "a cell"
            raise RuntimeError(f"{path}: {where} failed:\n{exc}") from None
        finally:
            with contextlib.suppress(Exception):
                if client.km is not None and client.km.has_kernel:
                    client.km.shutdown_kernel(now=True)
    return paths


# --------------------------------------------------------------------------- manuscript numbers
_NUMBER_REF = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def load_numbers(figures_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """The generated numbers (``figures/data/numbers.json``) as name → formatted string."""
    folder = Path(figures_dir) if figures_dir is not None else project_root() / "figures"
    path = folder / "data" / NUMBERS_FILE
    if not path.is_file():
        raise InputError(f"{path}: no generated numbers; run `sco-discourse figures` first")
    return json.loads(path.read_text(encoding="utf-8"))


def manuscript_values(figures_dir: str | os.PathLike | None = None) -> dict[str, str]:
    """Everything a manuscript may quote: the generated numbers plus the colophon.

    The colophon values come from ``figures/manifest.json`` (they are recorded, not
    compared, by :func:`check_figures`): ``colophon_commit``, ``colophon_software``,
    ``colophon_corpus``, ``colophon_lexicon`` and ``colophon_seeds``; ``package_version``
    and ``date_released`` come from the package metadata (:mod:`sco_discourse.citation`).
    """
    from .citation import metadata

    folder = Path(figures_dir) if figures_dir is not None else project_root() / "figures"
    values = load_numbers(folder)
    manifest = _read_json(folder / "manifest.json") or {}
    software = manifest.get("software") or {}
    lexicon = manifest.get("lexicon") or {}
    corpus = manifest.get("corpus") or {}
    values.update({
        "colophon_commit": manifest.get("git_commit") or "unknown (not built from a git checkout)",
        "colophon_software": ", ".join(f"{k} {v}" for k, v in software.items()),
        "colophon_corpus": f"{corpus.get('name')}, {corpus.get('documents')} documents, "
                           f"SHA-256 {corpus.get('fingerprint')}",
        "colophon_lexicon": f"{lexicon.get('name')} version {lexicon.get('version')}" if lexicon else "none",
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
    """
    unknown = [name for name in referenced_numbers(text) if name not in numbers]
    if unknown:
        raise InputError(f"{source}: no generated number for {', '.join(unknown)} "
                         f"(rebuild with `sco-discourse figures`)")
    return _NUMBER_REF.sub(lambda m: str(numbers[m.group(1)]), text)


# =========================================================================== the figures
# Each entry: a table function (FigureContext -> DataFrame), a plot function, and the
# numbers the manuscript quotes from that table. A figure is registered once the
# analysis it draws exists in the package.

def _corpus_tokens_table(ctx: FigureContext) -> pd.DataFrame:
    from .text import count_tokens

    rows = [{"doc_id": d.doc_id, "year": d.year, "tokens": count_tokens(d.text)} for d in ctx.corpus]
    table = pd.DataFrame(rows, columns=["doc_id", "year", "tokens"])
    table["year"] = table["year"].astype("Int64")
    return table.sort_values(["year", "doc_id"], kind="stable").reset_index(drop=True)


def _corpus_tokens_draw(table: pd.DataFrame, ax):
    return plot.stacked_by_year(table, ax, y="tokens", hue="doc_id", ylabel="tokens (cleaned text)",
                                legend_title="document", totals=False)


register(Figure(
    name="corpus_tokens", label="s1",
    caption="Size of the corpus: tokens of cleaned text per publication year, by document.",
    table=_corpus_tokens_table, draw=_corpus_tokens_draw,
))


# --------------------------------------------------------------------------- frames (a-d, i, s2)
#: Frames drawn in figure (a): the codebook's frames; the Shanghai Spirit's six values are
#: a keyword group counted separately, not a frame of their own.
RATE_FRAMES = ("shared_future", "four_communities", "shanghai_spirit", "belt_and_road", "three_evils",
               "global_initiatives", "win_win", "multilateralism", "new_international_relations")


def _frame_counts_by_year(ctx: FigureContext) -> pd.DataFrame:
    from .frames import frame_counts

    # One to four documents per year: a document bootstrap has (almost) nothing to
    # resample, so the paper's intervals are exact Poisson (Garwood) intervals on tokens.
    ctx.seeds["frame_rate_interval"] = "poisson (exact Garwood), 95%"
    return ctx.memo("frame_counts_by_year",
                    lambda: frame_counts(ctx.corpus, by="year", interval="poisson"))


def _frame_rates_table(ctx: FigureContext) -> pd.DataFrame:
    counts = _frame_counts_by_year(ctx)
    table = counts[(counts["variant"] == "") & counts["frame"].isin(RATE_FRAMES)]
    return table[["year", "frame", "count", "tokens", "rate_per_10k", "ci_low", "ci_high", "n_docs"]] \
        .reset_index(drop=True)


def _frame_rates_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for frame, part in table.groupby("frame", sort=False):
        numbers[f"mentions_{frame}"] = str(int(part["count"].sum()))
        for row in part.itertuples(index=False):
            numbers[f"rate_{frame}_{row.year}"] = f"{row.rate_per_10k:.1f}"
            numbers[f"ci_{frame}_{row.year}"] = f"{row.ci_low:.1f}–{row.ci_high:.1f}"
    numbers["mentions_all_frames"] = str(int(table["count"].sum()))
    return numbers


register(Figure(
    name="frame_rates", label="a",
    caption="Frame mentions per 10,000 tokens in each publication year, with exact Poisson 95% intervals.",
    table=_frame_rates_table,
    draw=lambda table, ax: plot.frame_rates(table, ax, frames=RATE_FRAMES),
    size=(plot.TEXT_WIDTH, 2.8), numbers=_frame_rates_numbers,
))


def _variants_table(ctx: FigureContext, frame: str) -> pd.DataFrame:
    counts = _frame_counts_by_year(ctx)
    table = counts[(counts["frame"] == frame) & (counts["variant"] != "")]
    return table[["year", "variant", "count", "tokens", "rate_per_10k", "ci_low", "ci_high"]].reset_index(drop=True)


def _variant_numbers(prefix: str):
    def numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
        out = {}
        for variant, part in table.groupby("variant", sort=False):
            total = int(part["count"].sum())
            out[f"{prefix}_{variant}_total"] = str(total)
            out[f"{prefix}_{variant}_times"] = {1: "once", 2: "twice"}.get(total, f"{total} times")
            years = part.loc[part["count"] > 0, "year"].astype(int).tolist()
            out[f"{prefix}_{variant}_years"] = ", ".join(map(str, years)) or "none"
            for row in part.itertuples(index=False):
                out[f"{prefix}_{variant}_{row.year}"] = str(int(row.count))
        return out

    return numbers


register(Figure(
    name="scope_variants", label="b",
    caption='Mentions of "community with a shared future" by scope variant (for mankind, for '
            "humanity, SCO, bilateral/regional, unqualified) in each publication year.",
    table=lambda ctx: _variants_table(ctx, "shared_future"),
    draw=lambda table, ax: plot.scope_variants(table, ax),
    numbers=_variant_numbers("scope"),
))

register(Figure(
    name="pillars", label="c",
    caption="The four communities (health, security, development, cultural exchanges) and the phrase "
            '"four communities": mentions per 10,000 tokens by year, with exact Poisson 95% intervals.',
    table=lambda ctx: _variants_table(ctx, "four_communities"),
    draw=lambda table, ax: plot.pillars(table, ax),
    size=(plot.COLUMN_WIDTH, 2.8), numbers=_variant_numbers("pillar"),
))


def _cooccurrence_table(ctx: FigureContext) -> pd.DataFrame:
    from .frames import cooccurrence

    pairs = cooccurrence(ctx.corpus, level="sentence")
    mirrored = pairs.rename(columns={"frame_a": "frame_b", "frame_b": "frame_a", "n_a": "n_b", "n_b": "n_a"})
    counts = pd.concat([pairs[["frame_a", "n_a"]],
                        pairs[["frame_b", "n_b"]].set_axis(["frame_a", "n_a"], axis=1)])
    counts = counts.drop_duplicates("frame_a")
    n_units = int(pairs["n_units"].iloc[0]) if len(pairs) else 0
    diagonal = pd.DataFrame({"frame_a": counts["frame_a"], "frame_b": counts["frame_a"], "n_a": counts["n_a"],
                             "n_b": counts["n_a"], "n_ab": counts["n_a"], "n_units": n_units,
                             "jaccard": (counts["n_a"] > 0).astype(float), "pmi": float("nan")})
    order = {frame: i for i, frame in enumerate(dict.fromkeys(counts["frame_a"]))}
    table = pd.concat([pairs, mirrored[pairs.columns], diagonal[pairs.columns]], ignore_index=True)
    table = table.assign(_a=table["frame_a"].map(order), _b=table["frame_b"].map(order))
    return table.sort_values(["_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)


def _cooccurrence_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    off = table[table["frame_a"] < table["frame_b"]]
    numbers = {"n_sentences": str(int(table["n_units"].iloc[0])) if len(table) else "0",
               "n_frame_pairs_cooccurring": str(int((off["n_ab"] > 0).sum())),
               "n_frame_pairs": str(len(off))}
    for row in table[table["frame_a"] == "shared_future"].itertuples(index=False):
        if row.frame_b != "shared_future":
            numbers[f"cooc_shared_future_{row.frame_b}"] = str(int(row.n_ab))
    return numbers


register(Figure(
    name="frame_cooccurrence", label="d",
    caption="Sentences in which two frames occur together (diagonal: sentences with the frame).",
    table=_cooccurrence_table,
    draw=lambda table, ax: plot.frame_cooccurrence(table, ax, row_order=list(dict.fromkeys(table["frame_a"])),
                                                   col_order=list(dict.fromkeys(table["frame_a"]))),
    size=(plot.TEXT_WIDTH * 0.7, 4.2), numbers=_cooccurrence_numbers,
))


def _kwic_table(ctx: FigureContext) -> pd.DataFrame:
    from .frames import kwic

    table = kwic(ctx.corpus, frame="shared_future", window=60)
    table = table.sort_values(["year", "doc_id", "start"], kind="stable")
    return table[["doc_id", "year", "variant", "start", "end", "left", "match", "right"]].reset_index(drop=True)


def _kwic_draw(table: pd.DataFrame, ax):
    ax.set_position((0.0, 0.0, 1.0, 1.0))  # a text table: use the whole width for context
    labelled = table.assign(source=table["year"].astype(str) + " " + table["doc_id"])
    return plot.kwic(labelled, ax, label="source", n=len(labelled))


register(Figure(
    name="kwic_shared_future", label="i",
    caption='Every mention of "community with a shared future" in context, with year and document.',
    table=_kwic_table, draw=_kwic_draw,
    size=lambda table: (plot.TEXT_WIDTH, 0.16 * (len(table) + 1) + 0.2),
    numbers=lambda table, ctx: {"n_kwic_shared_future": str(len(table))},
))


def _validation_table(ctx: FigureContext) -> pd.DataFrame:
    from .frames import validate_frames

    return ctx.memo("validation", lambda: validate_frames(ctx.corpus)).scores


def _validation_draw(table: pd.DataFrame, ax):
    frames = table[table["variant"] == ""]
    long = frames.melt(id_vars=["frame"], value_vars=["precision", "recall", "f1"], var_name="metric")
    return plot.heatmap(long, ax, row="frame", col="metric", value="value", fmt="{:.2f}",
                        row_order=list(frames["frame"]), col_order=["precision", "recall", "f1"],
                        labels={**plot.FRAME_LABELS, "ALL": "all frames (micro)"},
                        colorbar_label="score against hand coding", limits=(0.0, 1.0))


def _validation_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for row in table[table["variant"] == ""].itertuples(index=False):
        key = "all" if row.frame == "ALL" else row.frame
        numbers[f"validation_precision_{key}"] = f"{row.precision:.3f}"
        numbers[f"validation_recall_{key}"] = f"{row.recall:.3f}"
        numbers[f"validation_f1_{key}"] = f"{row.f1:.3f}"
        if row.frame == "ALL":
            numbers.update(validation_gold_mentions=str(int(row.tp + row.fn)),
                           validation_tp=str(int(row.tp)), validation_fp=str(int(row.fp)),
                           validation_fn=str(int(row.fn)))
    return numbers


register(Figure(
    name="frame_validation", label="s2",
    caption="Precision, recall and F1 of the frame matcher against the hand-coded mentions of the seed corpus.",
    table=_validation_table, draw=_validation_draw,
    size=(plot.COLUMN_WIDTH, 3.2), numbers=_validation_numbers, seed_corpus_only=True,
))


# --------------------------------------------------------------------------- keywords (e)
#: Top positive keywords of each year shown in figure (e).
KEYWORDS_PER_YEAR = 8


def _keyness_table(ctx: FigureContext) -> pd.DataFrame:
    from .dtm import build_dtm
    from .keywords import keyness

    dtm = build_dtm(ctx.corpus, remove_stop_words=True)
    parts = []
    for year in sorted(ctx.corpus.to_frame(text=False)["year"].dropna().astype(int).unique()):
        table = keyness(dtm, by="year", target=int(year))
        top = table[table["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True]).head(KEYWORDS_PER_YEAR)
        parts.append(top.assign(year=int(year)))
    columns = ["year", "term", "count_target", "count_reference", "g2", "log_ratio", "log_ratio_ci_low",
               "log_ratio_ci_high", "p", "p_adj"]
    return pd.concat(parts, ignore_index=True)[columns]


def _keyness_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {"keywords_per_year": str(KEYWORDS_PER_YEAR),
               "keywords_significant": str(int((table["p_adj"] < 0.05).sum())),
               "keywords_shown": str(len(table))}
    for year, part in table.groupby("year"):
        numbers[f"keywords_{year}"] = ", ".join(part["term"].head(5))
        numbers[f"keywords_{year}_significant"] = str(int((part["p_adj"] < 0.05).sum()))
    return numbers


register(Figure(
    name="keyness_by_year", label="e",
    caption=f"The {KEYWORDS_PER_YEAR} strongest positive keywords of each year against all other years "
            "(signed log-likelihood G², stop words removed).",
    table=_keyness_table,
    draw=lambda table, ax: plot.keyness_by_year(table, ax),
    size=lambda table: (plot.COLUMN_WIDTH, max(2.0, 0.14 * (len(table) + table["year"].nunique()) + 0.6)),
    numbers=_keyness_numbers,
))


# --------------------------------------------------------------------------- topics (f-h)
#: The K range, seeds and settings of the topic models behind figures (f)-(h). NMF is
#: deterministic and fast; refitting on 80% samples per seed is the stability analysis
#: of Greene et al. (2014), which was proposed for NMF.
TOPIC_KS = (2, 3, 4, 5, 6)
TOPIC_SEEDS = 5  # the issue asks for stability over at least five seeds
TOPIC_METHOD = "nmf"
TOPIC_SAMPLE_FRACTION = 0.8


def _topic_sweep(ctx: FigureContext) -> pd.DataFrame:
    from .topics.selection import sweep

    def run():
        table = sweep(ctx.corpus, TOPIC_KS, seeds=TOPIC_SEEDS, method=TOPIC_METHOD, measures=["c_v"],
                      sample_fraction=TOPIC_SAMPLE_FRACTION, random_state=ctx.random_state, progress=False)
        summary = table.groupby("k")[["coherence", "stability"]].mean()
        # The rule, stated once: the K with the best mean of coherence (C_V) and stability.
        chosen = int((summary["coherence"] + summary["stability"]).idxmax())
        return table.assign(chosen=table["k"] == chosen)

    ctx.seeds["topic_sweep"] = (f"{TOPIC_METHOD}, K {TOPIC_KS[0]}-{TOPIC_KS[-1]}, seeds {ctx.random_state}-"
                                f"{ctx.random_state + TOPIC_SEEDS - 1}, sample fraction {TOPIC_SAMPLE_FRACTION}")
    return ctx.memo("topic_sweep", run)


def _topic_model(ctx: FigureContext):
    from .topics import TopicModel

    sweep = _topic_sweep(ctx)
    k = int(sweep.loc[sweep["chosen"], "k"].iloc[0])
    ctx.seeds["topic_model"] = f"{TOPIC_METHOD}, K {k}, random_state {ctx.random_state}, paragraph units"
    return ctx.memo("topic_model",
                    lambda: TopicModel(k, method=TOPIC_METHOD, random_state=ctx.random_state).fit(ctx.corpus))


def _topic_names(model) -> list[str]:
    return [f"T{k + 1} {label.replace('/', ', ')}" for k, label in enumerate(model.labels_)]


def _topic_selection_table(ctx: FigureContext) -> pd.DataFrame:
    columns = ["k", "seed", "coherence", "stability", "exclusivity", "n_units", "n_terms", "chosen"]
    return _topic_sweep(ctx)[columns].reset_index(drop=True)


def _topic_selection_draw(table: pd.DataFrame, ax):
    chosen = table.loc[table["chosen"].astype(bool), "k"]
    return plot.topic_selection(table, ax, labels={"coherence": "coherence (C_V)", "stability": "stability"},
                                chosen=int(chosen.iloc[0]) if len(chosen) else None)


def _topic_selection_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    chosen = table[table["chosen"].astype(bool)]
    return {"topic_k": str(int(chosen["k"].iloc[0])), "topic_k_min": str(int(table["k"].min())),
            "topic_k_max": str(int(table["k"].max())), "topic_seeds": str(table["seed"].nunique()),
            "topic_coherence": f"{chosen['coherence'].mean():.2f}",
            "topic_stability": f"{chosen['stability'].mean():.2f}",
            "topic_units": str(int(table["n_units"].iloc[0])), "topic_vocabulary": str(int(table["n_terms"].iloc[0]))}


register(Figure(
    name="topic_selection", label="f",
    caption="Choosing the number of topics K: mean C_V coherence and seed stability over refits on 80% "
            "samples (band: range over seeds); dotted line: the K chosen.",
    table=_topic_selection_table, draw=_topic_selection_draw,
    size=(plot.COLUMN_WIDTH, 2.8), numbers=_topic_selection_numbers,
))


def _topic_prevalence_table(ctx: FigureContext) -> pd.DataFrame:
    from .topics.prevalence import topic_prevalence

    model = _topic_model(ctx)
    ctx.seeds["topic_prevalence"] = f"bootstrap of paragraphs within year, 2000 resamples, random_state {ctx.random_state}"
    table = topic_prevalence(model, random_state=ctx.random_state, warn=False)
    table["label"] = table["topic"].map(dict(enumerate(_topic_names(model))))
    return table


def _prose_terms(terms: str) -> str:
    """Phrase terms as words for the manuscript: "president_xi" -> "president xi"."""
    return terms.replace("_", " ")


def _topic_prevalence_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    model = _topic_model(ctx)
    summary = model.topic_summary(8)
    numbers = {}
    summary = summary.assign(top_terms=summary["top_terms"].map(_prose_terms),
                             frex_terms=summary["frex_terms"].map(_prose_terms))
    for row in summary.itertuples(index=False):
        numbers[f"topic_{row.topic + 1}_terms"] = row.top_terms
        numbers[f"topic_{row.topic + 1}_frex"] = row.frex_terms
        numbers[f"topic_{row.topic + 1}_prevalence"] = f"{row.prevalence:.2f}"
    # every topic in one phrase, so that prose quoting it holds for any chosen K
    numbers["topic_terms_list"] = "; ".join(f"T{row.topic + 1} — {row.top_terms}"
                                            for row in summary.itertuples(index=False))
    for row in table.itertuples(index=False):
        numbers[f"topic_{row.topic + 1}_prevalence_{row.year}"] = f"{row.prevalence:.2f}"
    return numbers


register(Figure(
    name="topic_prevalence", label="g",
    caption="Mean topic proportion of the paragraphs of each year, with 95% bootstrap intervals "
            "(paragraphs resampled within a year; most years are one article).",
    table=_topic_prevalence_table,
    draw=lambda table, ax: plot.topic_prevalence(table, ax, hue="label"),
    size=(plot.COLUMN_WIDTH, 3.2), numbers=_topic_prevalence_numbers,
))


def _topic_linkage_table(ctx: FigureContext) -> pd.DataFrame:
    from .topics.linkage import topic_frame_linkage

    model = _topic_model(ctx)
    table = topic_frame_linkage(model, ctx.corpus, warn=False)
    table["label"] = table["topic"].map(dict(enumerate(_topic_names(model))))
    return table


def _topic_linkage_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for frame, part in table.groupby("frame"):
        best = part.sort_values(["association", "topic"], ascending=[False, True]).iloc[0]
        numbers[f"linkage_{frame}_topic"] = f"T{int(best['topic']) + 1}"
        numbers[f"linkage_{frame}_association"] = f"{best['association']:.2f}"
    return numbers


register(Figure(
    name="topic_frame_linkage", label="h",
    caption="Topic–frame linkage: mean topic proportion of paragraphs that mention a frame minus that of "
            "paragraphs that do not.",
    table=_topic_linkage_table,
    draw=lambda table, ax: plot.topic_frame_linkage(
        table, ax, row="label", col="frame", center=0.0, labels=plot.FRAME_LABELS,
        col_order=[f for f in plot.FRAME_LABELS if f in set(table["frame"])],
        colorbar_label="difference in topic proportion"),
    size=(plot.TEXT_WIDTH * 0.8, 3.4), numbers=_topic_linkage_numbers,
))
