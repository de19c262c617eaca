"""The paper: every number and figure it quotes exists, citations resolve, and it builds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sco_discourse import compendium
from sco_discourse.compendium import paper

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "paper"
FIGURES = ROOT / "figures"
SOURCES = ["paper.md", "manuscript.md"]
FIGURE_REF = re.compile(r"!\[[^\]]*\]\(\.\./figures/([A-Za-z0-9_]+)\.(svg|pdf|png)\)")


def _text(name: str) -> str:
    return (PAPER / name).read_text(encoding="utf-8")


def _bib() -> dict[str, str]:
    text = (PAPER / "paper.bib").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", text, re.S)}


@pytest.mark.parametrize("name", SOURCES)
def test_every_quoted_number_is_generated(name):
    values = compendium.manuscript_values(FIGURES)
    referenced = compendium.referenced_numbers(_text(name))
    assert referenced, f"{name} quotes no generated number"
    missing = [key for key in referenced if key not in values]
    assert not missing, f"{name} quotes numbers that `sco-discourse figures` does not generate: {missing}"


def test_manuscript_types_no_numbers_outside_placeholders():
    """Digits in the prose must come from placeholders (years of the SCO's history and
    section/figure numbers aside)."""
    text = _text("manuscript.md")
    names = compendium.referenced_numbers(text)
    # a year or topic number that labels a generated number (rate_shared_future_2021,
    # topic_1_terms) is part of the placeholder's name, not a typed result
    labels = {m for name in names for m in re.findall(r"(?<![0-9])(\d{4}|\d)(?![0-9])", name)}
    text = re.sub(r"\{\{[^}]*\}\}", "", text)
    text = re.sub(r"\[@[^\]]*\]", "", text)  # citation keys carry years
    text = text.replace("F1", "")  # the score's name
    text = re.sub(r"\bT(\d)\b", lambda m: "" if m.group(1) in labels else m.group(0), text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # figure paths
    text = re.sub(r"(?m)^#+ \d+(\.\d+)? ", "# ", text)  # section numbers
    text = re.sub(r"\((?:Figure|Figures) S?\d+\)|Figure S?\d+", "", text)
    allowed = {"2020", "95", "80", "10,000"}  # the year the four communities were proposed; the
    # 95% interval level; the 80% refit samples (paper.TOPIC_SAMPLE_FRACTION); "per 10,000 tokens"
    found = set(re.findall(r"\d[\d,.]*\d|\d", text)) - allowed - {x for x in labels if len(x) == 4}
    assert not found, f"hand-typed numbers in manuscript.md: {sorted(found)}"
    assert paper.TOPIC_SAMPLE_FRACTION == 0.8


@pytest.mark.parametrize("name", SOURCES)
def test_every_referenced_figure_is_registered_and_built(name):
    refs = FIGURE_REF.findall(_text(name))
    assert refs
    for stem, ext in refs:
        assert stem in compendium.FIGURES, f"{name}: figure {stem} is not in the registry"
        assert (FIGURES / f"{stem}.{ext}").is_file(), f"{name}: figures/{stem}.{ext} is not built"


def test_manuscript_shows_every_registered_figure():
    shown = {stem for stem, _ in FIGURE_REF.findall(_text("manuscript.md"))}
    assert set(compendium.FIGURES) <= shown, sorted(set(compendium.FIGURES) - shown)


@pytest.mark.parametrize("name", SOURCES)
def test_citations_resolve_to_bib_entries(name):
    bib = _bib()
    keys = set(re.findall(r"@([A-Za-z][\w:-]*)", " ".join(re.findall(r"\[[^\]]*@[^\]]*\]", _text(name)))))
    assert keys and keys <= set(bib), sorted(keys - set(bib))


def test_bib_entries_have_a_doi_or_url_and_are_all_cited():
    bib = _bib()
    cited = set(re.findall(r"@([A-Za-z][\w:-]*)", _text("paper.md") + _text("manuscript.md")))
    for key, body in bib.items():
        doi = re.search(r"doi\s*=\s*\{([^}]*)\}", body)
        assert doi or re.search(r"url\s*=\s*\{https?://", body), key
        if doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", doi.group(1)), (key, doi.group(1))
        assert key in cited, f"{key} is in paper.bib but cited nowhere"


def test_joss_paper_front_matter_and_sections():
    text = _text("paper.md")
    header = yaml.safe_load(text.split("---")[1])
    assert {"title", "tags", "authors", "affiliations", "date", "bibliography"} <= set(header)
    for section in ("# Summary", "# Statement of need", "# References"):
        assert section in text
    for tool in ("quanteda", "stm", "AntConc", "BERTopic"):
        assert tool in text


def test_manuscript_has_limitations_and_colophon():
    text = _text("manuscript.md")
    assert "# 5 Limitations" in text and "# Colophon" in text
    assert "{{colophon_commit}}" in text and "{{colophon_software}}" in text


def test_paper_renders_with_every_placeholder_filled(tmp_path):
    subprocess.run([sys.executable, str(PAPER / "render.py"), "fill", str(tmp_path)], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, str(PAPER / "render.py"), "html", str(tmp_path)], check=True,
                   capture_output=True)
    for stem in ("paper", "manuscript"):
        html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
        assert "{{" not in html
        for src in re.findall(r'<img src="([^"]+)"', html):
            assert (tmp_path / src).resolve().is_file(), src
        assert "https://doi.org/10." in html  # the reference list
        assert "(Entman, 1993" in html or stem == "paper"


def test_build_script_renders_html_in_python_with_html_flag(tmp_path):
    done = subprocess.run(["bash", str(PAPER / "build.sh"), "--html", str(tmp_path)], capture_output=True,
                          text=True, env={"PATH": os.environ["PATH"], "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr
    for stem in ("paper", "manuscript"):
        html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
        assert "{{" not in html and "https://doi.org/10." in html


@pytest.mark.skipif(shutil.which("pandoc") is not None, reason="with pandoc the build makes a PDF (slow)")
def test_build_script_falls_back_to_html_without_pandoc(tmp_path):
    done = subprocess.run(["bash", str(PAPER / "build.sh"), str(tmp_path)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr
    assert "pandoc not found" in done.stdout
    assert (tmp_path / "manuscript.html").is_file() and (tmp_path / "paper.html").is_file()


def test_build_script_rejects_an_unknown_option(tmp_path):
    done = subprocess.run(["bash", str(PAPER / "build.sh"), "--pdf", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --pdf" in done.stderr


@pytest.mark.skipif(not (shutil.which("pandoc") and (shutil.which("xelatex") or shutil.which("lualatex")
                                                     or shutil.which("pdflatex"))),
                    reason="needs pandoc and LaTeX (paper/build.sh --install)")
def test_build_script_makes_pdfs_with_pandoc_and_latex(tmp_path):
    done = subprocess.run(["bash", str(PAPER / "build.sh"), str(tmp_path)], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "PYTHON": sys.executable, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    for stem in ("paper", "manuscript"):
        pdf = (tmp_path / f"{stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    # the captions carry the manuscript's own figure numbers; LaTeX adds none
    assert "labelformat=empty" in (tmp_path / "captions.tex").read_text(encoding="utf-8")
