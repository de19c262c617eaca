"""Citation: CITATION.cff is valid CFF 1.2.0 and matches the package metadata; cite prints it."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from sco_discourse import __version__, citation
from sco_discourse.cli import main
from sco_discourse.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).resolve().parent / "data" / "cff-schema-1.2.0.json"


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'(?m)^version\s*=\s*"([^"]+)"', text).group(1)


def test_version_comes_from_pyproject():
    assert citation.metadata()["version"] == version("sco_discourse") == __version__ == _pyproject_version()


def test_citation_cff_is_valid_against_the_cff_1_2_0_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # YAML reads an unquoted date as a date object; CFF files quote it, so it stays a string.
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["version"] == _pyproject_version()


def test_schema_catches_an_invalid_file():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = yaml.safe_load(citation.cff())
    del data["authors"]
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(data))
    assert any("authors" in e.message for e in errors)


def test_committed_citation_cff_is_the_generated_one():
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == citation.cff()


def _parse_bibtex(entry: str) -> tuple[str, str, dict[str, str]]:
    """A small independent BibTeX reader: entry type, key, and brace-balanced field values."""
    head = re.match(r"@(\w+)\{([^,\s]+),", entry)
    assert head, entry
    fields, i = {}, head.end()
    while True:
        m = re.compile(r"\s*(\w+)\s*=\s*\{").match(entry, i)
        if not m:
            break
        depth, j = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(entry[j], 0) if entry[j - 1] != "\\" else 0
            j += 1
        fields[m.group(1)] = entry[m.end():j - 1]
        i = j + 1 if entry[j:j + 1] == "," else j
    assert entry[i:].strip() == "}", entry[i:]
    return head.group(1), head.group(2), fields


def test_bibtex_entry_is_well_formed_with_the_installed_version():
    kind, key, fields = _parse_bibtex(citation.bibtex())
    assert kind == "software"
    assert key == "sco_discourse_" + _pyproject_version().replace(".", "_")
    assert fields["version"] == _pyproject_version()
    assert fields["author"] == "{sco\\_discourse contributors}"
    assert fields["year"] == str(citation.DATE_RELEASED.year)
    assert fields["title"].startswith("{sco\\_discourse}: Media-framing")
    assert fields["title"].count("{") == fields["title"].count("}")


def test_bibtex_entry_parses_with_pybtex():
    """A second, independent BibTeX parser reads the entry with the same fields."""
    from pybtex.database import parse_string

    entries = parse_string(citation.bibtex(), "bibtex").entries
    (key,) = entries
    entry = entries[key]
    assert key == "sco_discourse_" + _pyproject_version().replace(".", "_")
    assert entry.type == "software"
    assert entry.fields["version"] == _pyproject_version()
    assert entry.fields["year"] == str(citation.DATE_RELEASED.year)
    assert [str(p) for p in entry.persons["author"]] == ["{sco\\_discourse contributors}"]


def test_paper_bib_parses_with_pybtex_and_every_article_has_a_doi():
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "paper" / "paper.bib"), "bibtex").entries
    assert len(entries) >= 15
    for key, entry in entries.items():
        assert "title" in entry.fields and ("year" in entry.fields or "date" in entry.fields), key
        if entry.type == "article":
            # Dunning (1993) appeared in Computational Linguistics before it had DOIs
            assert "doi" in entry.fields or "url" in entry.fields, key
        doi = entry.fields.get("doi")
        assert doi is None or re.fullmatch(r"10\.\d{4,9}/\S+", doi), (key, doi)


def test_apa_reference():
    text = citation.apa()
    assert text.startswith(f"sco_discourse contributors. ({citation.DATE_RELEASED.year}). sco_discourse: ")
    assert f"(Version {_pyproject_version()}) [Computer software]." in text


def test_cite_rejects_an_unknown_format():
    with pytest.raises(InputError, match="unknown format 'ris'"):
        citation.cite("ris")


def test_cli_cite_prints_bibtex_and_apa(capsys):
    assert main(["cite"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("@software{") and "[Computer software]." in out
    assert main(["cite", "--format", "bibtex"]) == 0
    assert capsys.readouterr().out == citation.bibtex() + "\n"
    assert main(["cite", "--format", "cff"]) == 0
    assert capsys.readouterr().out == citation.cff()
