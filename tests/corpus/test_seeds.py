"""The embedded seed corpus: manifest against the raw pages, page splitting, hashes."""

import datetime as dt
import hashlib
import re
from importlib import resources

import pytest

from sco_discourse import CorpusError, load_corpus
from sco_discourse.corpus.loaders import parse_date
from sco_discourse.corpus.seeds import MANIFEST_COLUMNS, seed_manifest, split_page

SEED_DIR = resources.files("sco_discourse").joinpath("data", "seeds")
QUOTE = re.compile(r"'(.+?)'(?=[;,)]|\s|$)")  # 'quoted words' inside a manifest note

# Read by hand from the pages (see the evidence column): doc id -> (date, precision, outlet, original source)
EXPECTED = {
    "seed-000": (dt.date(2020, 11, 12), "day", "Xinhua", ""),
    "seed-001": (dt.date(2023, 7, 4), "day", "Beijing Review", "Xinhua"),
    "seed-002a": (dt.date(2021, 1, 1), "year", "", ""),
    "seed-002b": (dt.date(2021, 1, 1), "year", "", ""),
    "seed-002c": (dt.date(2021, 6, 1), "month", "", ""),
    "seed-002d": (dt.date(2021, 1, 1), "year", "", ""),
    "seed-003": (dt.date(2022, 9, 12), "day", "Shanghai Hotline News", "Xinhua"),
    "seed-004": (dt.date(2024, 7, 1), "day", "", ""),
}


@pytest.fixture(scope="module")
def manifest():
    return seed_manifest()


@pytest.fixture(scope="module")
def pages(manifest):
    return {name: SEED_DIR.joinpath(name).read_text(encoding="utf-8") for name in manifest["source_file"].unique()}


@pytest.fixture(scope="module")
def docs():
    return {doc.doc_id: doc for doc in load_corpus()}


def test_manifest_shape(manifest):
    assert tuple(manifest.columns) == MANIFEST_COLUMNS
    assert list(manifest["doc_id"]) == list(EXPECTED)
    assert manifest["doc_id"].is_unique
    assert len(manifest["source_file"].unique()) == 5
    assert set(manifest["language"]) == {"en"}
    # the doc id carries the page number of its source file
    for doc_id, source_file in zip(manifest["doc_id"], manifest["source_file"]):
        assert doc_id[5:8] == source_file[:3]
    assert list(manifest.loc[manifest["source_file"].str.startswith("002"), "doc_id"]) == [
        "seed-002a", "seed-002b", "seed-002c", "seed-002d"]


def test_raw_files_match_their_sha256(manifest):
    for name, digest in zip(manifest["source_file"], manifest["raw_sha256"]):
        assert hashlib.sha256(SEED_DIR.joinpath(name).read_bytes()).hexdigest() == digest, name


def test_dates_outlets_and_sources_are_those_read_from_the_pages(manifest, docs):
    for row in manifest.itertuples(index=False):
        date, precision, outlet, original = EXPECTED[row.doc_id]
        assert (docs[row.doc_id].date, docs[row.doc_id].date_precision) == (date, precision)
        assert row.date == {"day": date.isoformat(), "month": date.isoformat()[:7], "year": str(date.year)}[precision]
        assert (row.outlet, row.original_source) == (outlet, original)


def test_every_quoted_piece_of_evidence_is_verbatim_on_the_page(manifest, pages, docs):
    for row in manifest.itertuples(index=False):
        page, segment = pages[row.source_file], docs[row.doc_id].raw
        evidence = QUOTE.findall(row.date_evidence)
        assert evidence, f"{row.doc_id}: no quoted evidence"
        for quote in evidence:  # the evidence is in the article itself
            assert quote in segment, (row.doc_id, quote)
        for quote in QUOTE.findall(row.date_method) + QUOTE.findall(row.notes):
            assert quote in page, (row.doc_id, quote)
        if row.outlet:
            assert row.outlet in page
        if row.original_source:
            assert row.original_source in page


def test_date_methods_match_the_evidence(manifest):
    for row in manifest.itertuples(index=False):
        if row.date_method == "release-time line":
            # the stamp holds the full date: parse it independently of the manifest's date column
            stamp = re.search(r"\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2} \d{2}, \d{4}", row.date_evidence).group(0)
            assert parse_date(stamp) == (dt.date.fromisoformat(row.date), "day"), row.doc_id
        elif row.date_method.startswith("dateline"):
            assert row.date_precision == "day"
        else:
            assert row.date_method.startswith("inferred from content: ")
            assert row.date_precision in ("month", "year")  # undated pages never claim a day


def test_pages_without_a_date_stamp_are_exactly_the_inferred_ones(manifest, pages):
    stamp = re.compile(r"Source: Xinhua\| \d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}\s+·\s+Source:|Release time:")
    for row in manifest.itertuples(index=False):
        assert bool(stamp.search(pages[row.source_file])) == (row.date_method == "release-time line"), row.doc_id


def test_titles_are_the_headlines_of_the_cleaned_articles(manifest, pages, docs):
    for row in manifest.itertuples(index=False):
        assert row.headline_line in [line.strip() for line in pages[row.source_file].split("\n")]
        assert docs[row.doc_id].text.split("\n")[0] == row.title
        assert docs[row.doc_id].meta["title"] == row.title
    seed_003 = manifest.set_index("doc_id").loc["seed-003"]
    assert seed_003.headline_line == seed_003.title + "-Shanghai Hotline News channel"


def test_segments_concatenate_back_to_each_page(manifest, pages, docs):
    for name, page in pages.items():
        members = [docs[d] for d in manifest.loc[manifest["source_file"] == name, "doc_id"]]
        assert "".join(doc.raw for doc in members) == page
        assert members[0].meta["segment_start"] == 0 and members[-1].meta["segment_end"] == len(page)
        for doc in members:
            assert page[doc.meta["segment_start"]:doc.meta["segment_end"]] == doc.raw
            assert doc.meta["source_file"] == name
    # the four articles of page 002 start at their own headlines
    for doc_id in ("seed-002b", "seed-002c", "seed-002d"):
        assert docs[doc_id].raw.split("\n")[0].strip() == docs[doc_id].meta["title"]


def test_split_page_rules():
    page = "Menu\nFirst story\nText one.\n  Second story  \nText two."
    assert [page[a:b] for a, b in split_page(page, ["First story", "Second story"])] == [
        "Menu\nFirst story\nText one.\n", "  Second story  \nText two."]
    assert split_page(page, ["First story"]) == [(0, len(page))]
    assert split_page(page, []) == []
    with pytest.raises(CorpusError, match=r"p.txt: headline 2 'First story' is not a line of the page"):
        split_page(page, ["Second story", "First story"], source="p.txt")  # order matters
    with pytest.raises(CorpusError, match="headline 1 'Text'"):
        split_page(page, ["Text"])  # whole lines only


def test_seed_corpus_is_the_default_and_is_stable():
    first, second = load_corpus(), load_corpus()
    assert first.fingerprint() == second.fingerprint()
    assert [d.doc_id for d in first] == list(EXPECTED)
