"""The UN case study in examples/: stored thin and without outputs, a clear message without
the corpus, and a headless run on the committed UN slice."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "un_case_study.ipynb"
SLICE = Path(__file__).parent / "data" / "ungdc_slice.jsonl.gz"


def test_case_study_is_stored_thin_and_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    assert "**Question.**" in notebook.cells[0].source and "**Interpretation.**" in notebook.cells[-1].source
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While)
            assert not any(isinstance(node, banned) for node in ast.walk(ast.parse(cell.source)))


def test_case_study_says_how_to_give_the_corpus(monkeypatch):
    monkeypatch.delenv("SCO_UNGDC", raising=False)
    first = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    with pytest.raises(FileNotFoundError, match="set SCO_UNGDC to the file ungdc_speeches_1946-2024.jsonl.gz"):
        exec(compile(first.source, "un_case_study", "exec"), {})


def test_case_study_runs_headless_on_the_un_slice(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    figure = tmp_path / "figure.png"
    monkeypatch.setenv("SCO_UNGDC", str(SLICE))
    monkeypatch.setenv("SCO_UNGDC_FIGURE", str(figure))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the comparison table was computed for the three frames at both levels
    table = next(c for c in notebook.cells if c.cell_type == "code" and "by_country =" in c.source)
    shown = table.outputs[-1]["data"]["text/plain"]
    assert shown.count("win_win") == 2 and "countries" in shown and "speeches" in shown
