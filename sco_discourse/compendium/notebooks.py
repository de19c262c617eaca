"""Running the numbered notebooks headless, as ``sco-discourse figures`` does.

Each notebook runs top to bottom in a fresh kernel of the current Python, in its own
folder; nothing is written back (notebooks are stored without outputs).

Examples
--------
>>> [p.name for p in notebook_paths()][:2]
['01_corpus_overview.ipynb', '02_frames_over_years.ipynb']
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from collections.abc import Iterable
from pathlib import Path

from .files import project_root

__all__ = ["notebook_paths", "execute_notebooks"]


def notebook_paths(folder: str | os.PathLike | None = None, *, external: bool = False) -> list[Path]:
    """The numbered notebooks (``NN_*.ipynb``) in run order (default folder: ``notebooks/``).

    A notebook whose metadata says ``"sco_discourse": {"external_data": true}`` reads
    corpora kept outside the package (named by an environment variable); it is not part
    of the build from the seed corpus and is listed only with ``external=True``.
    """
    import json

    folder = Path(folder) if folder is not None else project_root() / "notebooks"
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())
    if external:
        return paths

    def needs_external_data(path: Path) -> bool:
        try:
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            return False  # unreadable: let the build report it
        return bool(metadata.get("sco_discourse", {}).get("external_data"))

    return [p for p in paths if not needs_external_data(p)]


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
