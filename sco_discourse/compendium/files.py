"""How the compendium writes its outputs: whole or not at all, and the same bytes every time.

Every file goes through :mod:`sco_discourse.outputs` (a temporary file beside the final
one, renamed when complete), so a build that is killed leaves each figure, table and
manifest either as it was or complete. The bytes do not depend on when or where the
build ran: the style fixes the fonts and the SVG hash salt, the save metadata carry no
dates, CSV floats have a fixed format and JSON keys are sorted.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_table(pd.DataFrame({"x": [1 / 3]}), folder / "t.csv")
>>> (folder / "t.csv").read_text()
'x\\n0.333333\\n'
>>> write_json({"b": 1, "a": "ü"}, folder / "m.json")
>>> read_json(folder / "m.json")
{'a': 'ü', 'b': 1}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..outputs import atomic_path, write_text

__all__ = ["FORMATS", "CSV_FLOAT_FORMAT", "PNG_DPI", "project_root", "write_table", "write_json", "read_json",
           "save_figure", "sha256"]

#: Formats every figure is written in (vector for print, PNG for screens).
FORMATS = ("svg", "pdf", "png")
#: printf format of floats in the CSV tables (fixed, so CSVs rebuild byte for byte).
CSV_FLOAT_FORMAT = "%.6g"
#: Resolution of the PNG files.
PNG_DPI = 300

_CREATOR = "sco_discourse figures (matplotlib)"
_SAVE_METADATA = {
    "svg": {"Date": None, "Creator": _CREATOR},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": _CREATOR, "Producer": _CREATOR},
    "png": {"Software": _CREATOR},
}


def project_root() -> Path:
    """The source checkout the package runs from (holding ``pyproject.toml``), else the cwd."""
    here = Path(__file__).resolve().parent.parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table as CSV: no index, floats as :data:`CSV_FLOAT_FORMAT`, ``\\n`` line ends."""
    write_text(path, table.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n"))


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON with sorted keys, two-space indents and a final newline (UTF-8, not escaped)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def read_json(path: str | Path) -> Any:
    """The JSON in ``path``, or None when it is missing or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def save_figure(fig, path: str | Path, fmt: str) -> None:
    """Save a matplotlib figure as ``fmt`` (one of :data:`FORMATS`) to ``path``, atomically.

    The format is passed explicitly: the temporary file's name ends in ``.tmp``.
    """
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, metadata=_SAVE_METADATA[fmt], dpi=PNG_DPI if fmt == "png" else None)
