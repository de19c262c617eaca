"""The figures registry: every figure builds with its axes, rebuilds byte for byte, and
``figures --check`` passes on an identical folder and names the figure that differs."""

from __future__ import annotations

import datetime
import json

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sco_discourse import Corpus, Document, figures  # noqa: E402
from sco_discourse.cli import main  # noqa: E402
from sco_discourse.errors import InputError  # noqa: E402
from sco_discourse.text import count_tokens  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One full build on the seed corpus, shared by the tests of this module."""
    out = tmp_path_factory.mktemp("build") / "figures"
    manifest = figures.build_figures(out, progress=False)
    return out, manifest


def test_every_registered_figure_is_written_in_every_format(built):
    out, manifest = built
    assert [f["name"] for f in manifest["figures"]] == list(figures.FIGURES)
    for name in figures.FIGURES:
        for fmt in figures.FORMATS:
            assert (out / f"{name}.{fmt}").stat().st_size > 1000, (name, fmt)
        table = pd.read_csv(out / "data" / f"{name}.csv")
        assert len(table) > 0, name


def test_svg_and_pdf_carry_no_date(built):
    out, _ = built
    for name in figures.FIGURES:
        svg = (out / f"{name}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
        pdf = (out / f"{name}.pdf").read_bytes()
        assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf


def test_manifest_records_corpus_lexicon_seeds_and_file_hashes(built):
    out, manifest = built
    from sco_discourse import load_corpus

    corpus = load_corpus()
    assert manifest["corpus"] == {"name": corpus.name, "fingerprint": corpus.fingerprint(),
                                  "documents": len(corpus)}
    assert manifest["seeds"]["random_state"] == 0
    assert set(manifest["software"]) >= {"python", "sco_discourse", "matplotlib"}
    import hashlib

    for entry in manifest["figures"]:
        for rel, digest in entry["files"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_corpus_numbers_match_an_independent_count(built):
    out, _ = built
    numbers = json.loads((out / "data" / "numbers.json").read_text(encoding="utf-8"))
    from sco_discourse import load_corpus

    docs = list(load_corpus())
    assert numbers["n_documents"] == str(len(docs)) == "8"
    assert numbers["n_source_pages"] == "5"
    assert numbers["n_tokens"] == f"{sum(count_tokens(d.text) for d in docs):,}"
    assert (numbers["first_year"], numbers["last_year"], numbers["n_years"]) == ("2020", "2024", "5")
    assert numbers["max_documents_per_year"] == "4"  # the 2021 page holds four articles


def test_rebuild_is_byte_identical_and_check_passes(built, tmp_path):
    out, _ = built
    assert figures.check_figures(out)["corpus"]["documents"] == 8


def test_check_names_the_altered_figure(built, tmp_path):
    out, _ = built
    import shutil

    copy = tmp_path / "committed"
    shutil.copytree(out, copy)
    name = list(figures.FIGURES)[-1]
    svg = copy / f"{name}.svg"
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"<!-- edited --></svg>"))
    (copy / "data" / "stale.csv").write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(figures.FiguresDiffer) as caught:
        figures.check_figures(copy)
    assert caught.value.figures == [name]
    message = str(caught.value)
    assert f"figure {name}: {name}.svg: content differs" in message
    assert "data/stale.csv: committed but no longer produced by the build" in message


def test_manifest_commit_and_versions_are_not_compared(built, tmp_path):
    out, manifest = built
    import shutil

    copy = tmp_path / "committed"
    shutil.copytree(out, copy)
    edited = dict(manifest, git_commit="0" * 40, software={"python": "0"})
    (copy / "manifest.json").write_text(json.dumps(edited), encoding="utf-8")
    assert figures.compare_outputs(out, copy) == []
    edited["seeds"] = {"random_state": 1}
    (copy / "manifest.json").write_text(json.dumps(edited), encoding="utf-8")
    assert [str(d) for d in figures.compare_outputs(out, copy)] == ["manifest.json: differs in seeds"]


def test_changed_numbers_are_named(built, tmp_path):
    out, _ = built
    import shutil

    copy = tmp_path / "committed"
    shutil.copytree(out, copy)
    path = copy / "data" / "numbers.json"
    numbers = json.loads(path.read_text(encoding="utf-8"))
    numbers["n_documents"] = "9"
    path.write_text(json.dumps(numbers), encoding="utf-8")
    (difference,) = figures.compare_outputs(out, copy)
    assert difference.reason == "numbers differ: n_documents"


def test_cli_check_exit_codes(built, tmp_path, capsys):
    out, _ = built
    assert main(["figures", "--check", "--no-notebooks", "--out", str(out)]) == 0
    assert main(["figures", "--check", "--no-notebooks", "--out", str(tmp_path / "empty")]) == 1
    assert "produced by the build but not committed" in capsys.readouterr().err


def test_a_partial_build_on_a_user_corpus_removes_nothing(tmp_path):
    docs = [Document("a", "The SCO met in Samarkand.", datetime.date(2022, 9, 15)),
            Document("b", "A community with a shared future.", datetime.date(2023, 1, 2))]
    (tmp_path / "keep.svg").write_text("<svg/>", encoding="utf-8")
    manifest = figures.build_figures(tmp_path, Corpus.from_documents(docs), names=["corpus_tokens"],
                                     progress=False)
    assert (tmp_path / "keep.svg").exists()
    assert manifest["corpus"]["documents"] == 2
    table = pd.read_csv(tmp_path / "data" / "corpus_tokens.csv")
    assert table.to_dict("list") == {"doc_id": ["a", "b"], "year": [2022, 2023], "tokens": [5, 6]}


def test_full_build_removes_outputs_of_unregistered_figures(tmp_path):
    docs = [Document("a", "The SCO met.", datetime.date(2022, 9, 15))]
    (tmp_path / "data").mkdir()
    (tmp_path / "old_figure.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "data" / "old_figure.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("kept", encoding="utf-8")
    figures.build_figures(tmp_path, Corpus.from_documents(docs), names=None, progress=False)
    assert not (tmp_path / "old_figure.svg").exists() and not (tmp_path / "data" / "old_figure.csv").exists()
    assert (tmp_path / "README.md").exists()


def test_unknown_figure_and_unknown_number_are_input_errors():
    with pytest.raises(InputError, match="no figure named 'nope'"):
        figures.figure_table("nope")
    with pytest.raises(InputError, match="no generated number for n_pages"):
        figures.fill_numbers("{{n_documents}} of {{n_pages}}", {"n_documents": "8"})
