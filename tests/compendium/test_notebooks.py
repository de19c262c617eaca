"""Notebooks: stored thin and without outputs, numbered in run order, and each one runs
headless on the seed corpus."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat
import pytest

from sco_discourse import compendium

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = ["01_corpus_overview", "02_frames_over_years", "03_four_communities",
            "04_keyness_and_collocations", "05_topic_models", "06_validation"]
PATHS = compendium.notebook_paths(NOTEBOOKS)
# with the notebooks that read corpora kept outside the package (not part of the seed build)
ALL_PATHS = compendium.notebook_paths(NOTEBOOKS, external=True)
EXTERNAL = [p for p in ALL_PATHS if p not in PATHS]


def test_notebooks_are_numbered_in_run_order():
    names = [p.stem for p in PATHS]
    assert names == EXPECTED[:len(names)]
    assert names, "no notebooks found"


@pytest.mark.parametrize("path", ALL_PATHS, ids=[p.stem for p in ALL_PATHS])
def test_notebook_is_stored_thin_and_without_outputs(path):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert notebook.nbformat == 4
    nbformat.validate(notebook)
    cells = notebook.cells
    assert cells[0].cell_type == "markdown" and "**Question.**" in cells[0].source
    assert cells[-1].cell_type == "markdown" and "**Interpretation.**" in cells[-1].source
    for cell in cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: stored with outputs"
        tree = ast.parse(cell.source)
        # calls into the package only: no function definitions, no loops over data
        banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While)
        assert not any(isinstance(node, banned) for node in ast.walk(tree)), f"{path.name}: {cell.source}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_headless_on_the_seed_corpus(path):
    assert compendium.execute_notebooks([path], progress=False) == [path]


def test_notebooks_on_external_corpora_stay_out_of_the_seed_build():
    assert [p.stem for p in EXTERNAL] == ["07_validation_un", "08_parallel_speeches"]
    assert all(nbformat.read(p, as_version=4).metadata["sco_discourse"]["external_data"] for p in EXTERNAL)


@pytest.mark.skipif(not (os.environ.get("SCO_DISCOURSE_CORPORA")
                         and (Path(os.environ["SCO_DISCOURSE_CORPORA"]) / "xi_2020_parallel").is_dir()),
                    reason="SCO_DISCOURSE_CORPORA does not name the folder of the shared corpora")
@pytest.mark.parametrize("path", EXTERNAL, ids=[p.stem for p in EXTERNAL])
def test_notebook_on_external_corpora_runs_headless(path):
    assert compendium.execute_notebooks([path], progress=False) == [path]


def test_un_validation_notebook_runs_without_the_corpus(monkeypatch):
    # its validation reads the coded sample shipped with the package; only the last cell
    # needs the UN corpus, and it says so and is skipped when the corpora are not there
    monkeypatch.delenv("SCO_DISCOURSE_CORPORA", raising=False)
    path = NOTEBOOKS / "07_validation_un.ipynb"
    assert compendium.execute_notebooks([path], progress=False) == [path]


def test_a_failing_notebook_names_the_notebook_and_cell(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# x"), nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "01_broken.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(RuntimeError, match=r"01_broken.ipynb: cell 2 failed:(.|\n)*ZeroDivisionError"):
        compendium.execute_notebooks([path], progress=False)
