"""Document and Corpus: re-iteration, length, selection, grouping, to_frame, streaming memory."""

import datetime as dt
import gzip
import json
import tracemalloc

import pandas as pd
import pytest

from sco_discourse import Corpus, CorpusError, Document, load_corpus

SEED_IDS = ["seed-000", "seed-001", "seed-002a", "seed-002b", "seed-002c", "seed-002d", "seed-003", "seed-004"]
SEED_YEARS = [2020, 2023, 2021, 2021, 2021, 2021, 2022, 2024]


def _docs():
    return [
        Document("a", "Shared future.", dt.date(2021, 6, 15), "day", {"outlet": "Xinhua", "title": "A"}),
        Document("b", "Four communities.", dt.date(2022, 1, 1), "year", {"outlet": "CGTN", "title": "B"}),
        Document("c", "Silk Road.", dt.date(2021, 9, 1), "month", {"outlet": "Xinhua", "title": "C"}),
        Document("d", "No date.", None, None, {"outlet": None}),
    ]


class CountingFactory:
    """A document factory that counts how often the corpus was iterated."""

    def __init__(self, docs):
        self.docs, self.calls = docs, 0

    def __call__(self):
        self.calls += 1
        return iter(self.docs)


# ------------------------------------------------------------------ Document
def test_document_fields_and_get():
    doc = _docs()[0]
    assert doc.year == 2021 and _docs()[3].year is None
    assert doc.get("doc_id") == "a" and doc.get("year") == 2021 and doc.get("text") == "Shared future."
    assert doc.get("outlet") == "Xinhua" and doc.get("country", "n/a") == "n/a"
    with pytest.raises(AttributeError):
        doc.text = "changed"  # a Document is never modified after loading


# ------------------------------------------------------------------ iteration and length
def test_corpus_is_lazy_and_reiterable():
    factory = CountingFactory(_docs())
    corpus = Corpus(factory, name="test")
    assert factory.calls == 0  # nothing read at construction
    assert [d.doc_id for d in corpus] == ["a", "b", "c", "d"]
    assert [d.doc_id for d in corpus] == ["a", "b", "c", "d"]
    assert factory.calls == 2
    assert len(corpus) == 4 and len(corpus) == 4
    assert factory.calls == 3  # the length is counted once, then remembered
    assert "4 documents" in repr(corpus)
    assert corpus.ids == ["a", "b", "c", "d"]
    assert corpus["c"].text == "Silk Road."
    with pytest.raises(KeyError, match="no document with id 'z'"):
        corpus["z"]


def test_from_documents_rejects_duplicate_ids():
    docs = _docs() + [Document("b", "again")]
    with pytest.raises(CorpusError, match=r"mine: document 5, field 'doc_id': duplicate id 'b'"):
        Corpus.from_documents(docs, name="mine")


# ------------------------------------------------------------------ select and groups
def test_select_by_value_list_range_and_metadata():
    corpus = Corpus.from_documents(_docs())
    assert [d.doc_id for d in corpus.select(year=2021)] == ["a", "c"]
    assert [d.doc_id for d in corpus.select(year=[2022, 2030])] == ["b"]
    assert [d.doc_id for d in corpus.select(year=range(2021, 2023), outlet="Xinhua")] == ["a", "c"]
    assert [d.doc_id for d in corpus.select(date_precision="month")] == ["c"]
    empty = corpus.select(outlet="Nobody")
    assert len(empty) == 0 and list(empty) == []
    assert len(corpus) == 4  # selecting never changes the parent


def test_groups_are_ordered_with_missing_values_last():
    corpus = Corpus.from_documents(_docs())
    by_year = corpus.groups("year")
    assert list(by_year) == [2021, 2022, None]
    assert {year: [d.doc_id for d in sub] for year, sub in by_year.items()} == {
        2021: ["a", "c"], 2022: ["b"], None: ["d"]}
    by_outlet = corpus.groups("outlet")
    assert list(by_outlet) == ["CGTN", "Xinhua", None]
    assert [d.doc_id for d in by_outlet["Xinhua"]] == ["a", "c"]


def test_filter_is_lazy():
    factory = CountingFactory(_docs())
    sub = Corpus(factory).filter(lambda d: "u" in d.text)
    assert factory.calls == 0
    assert [d.doc_id for d in sub] == ["a", "b"]


# ------------------------------------------------------------------ to_frame
def test_to_frame_columns_types_and_values():
    frame = Corpus.from_documents(_docs()).to_frame()
    assert list(frame.columns[:8]) == ["doc_id", "source_file", "date", "date_precision", "year", "title",
                                       "outlet", "text"]
    assert list(frame["doc_id"]) == ["a", "b", "c", "d"]
    assert list(frame["year"]) == [2021, 2022, 2021, pd.NA]
    assert str(frame["year"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert frame["date"].iloc[0] == pd.Timestamp("2021-06-15") and pd.isna(frame["date"].iloc[3])
    assert list(frame["text"]) == [d.text for d in _docs()]
    assert "text" not in Corpus.from_documents(_docs()).to_frame(text=False).columns


def test_to_frame_of_an_empty_selection_keeps_the_columns():
    frame = Corpus.from_documents(_docs()).select(year=1999).to_frame()
    assert len(frame) == 0
    assert {"doc_id", "source_file", "date", "year", "title", "outlet", "text"} <= set(frame.columns)
    assert frame.groupby("year").size().empty  # code written for a full table runs on it


def test_fingerprint_identifies_the_input():
    one = Corpus.from_documents(_docs())
    assert one.fingerprint() == Corpus.from_documents(_docs()).fingerprint()
    changed = _docs()
    changed[1] = Document("b", "Four communities!", dt.date(2022, 1, 1), "year")
    assert Corpus.from_documents(changed).fingerprint() != one.fingerprint()


# ------------------------------------------------------------------ the embedded seed corpus
def test_seed_corpus_ids_years_and_groups():
    corpus = load_corpus()
    assert len(corpus) == 8
    assert [d.doc_id for d in corpus] == SEED_IDS
    assert [d.doc_id for d in corpus] == SEED_IDS  # again
    assert [d.year for d in corpus] == SEED_YEARS
    assert {year: len(sub) for year, sub in corpus.groups("year").items()} == {
        2020: 1, 2021: 4, 2022: 1, 2023: 1, 2024: 1}
    assert [d.doc_id for d in corpus.select(outlet="Xinhua")] == ["seed-000"]
    assert [d.doc_id for d in corpus.select(source_file="002_75d179712e1d01a8.txt")] == SEED_IDS[2:6]
    frame = corpus.to_frame()
    assert {"doc_id", "source_file", "date", "year", "title", "outlet", "text"} <= set(frame.columns)
    assert list(frame["year"]) == SEED_YEARS
    assert list(frame["date_precision"]) == ["day", "day", "year", "year", "month", "year", "day", "day"]
    assert frame.loc[frame["doc_id"] == "seed-004", "date"].item() == pd.Timestamp("2024-07-01")
    assert all(frame["text"].str.len() > 1000)


def test_changing_a_seed_document_metadata_does_not_leak_into_the_next_load():
    doc = load_corpus()["seed-000"]
    doc.meta["outlet"] = "changed"
    assert load_corpus()["seed-000"].meta["outlet"] == "Xinhua"


# ------------------------------------------------------------------ year-only corpora
def test_year_only_corpus_from_csv(tmp_path):
    path = tmp_path / "speeches.csv"
    path.write_text("id,year,outlet,text\nKAZ_2015,2015,UN,Peace.\nCHN_2023,2023,UN,Shared future.\n"
                    "RUS_2015,2015,UN,Security.\n", encoding="utf-8")
    corpus = load_corpus(path)
    assert [(d.doc_id, d.date, d.date_precision) for d in corpus] == [
        ("KAZ_2015", dt.date(2015, 1, 1), "year"), ("CHN_2023", dt.date(2023, 1, 1), "year"),
        ("RUS_2015", dt.date(2015, 1, 1), "year")]
    assert {year: [d.doc_id for d in sub] for year, sub in corpus.groups("year").items()} == {
        2015: ["KAZ_2015", "RUS_2015"], 2023: ["CHN_2023"]}
    frame = corpus.to_frame()
    assert list(frame["year"]) == [2015, 2023, 2015] and set(frame["date_precision"]) == {"year"}


def test_year_column_must_agree_with_a_date(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,date,year,text\n1,2021-06-15,2021,a\n2,,2022,b\n3,2020-01-02,2019,c\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"mixed.csv: row 4: field 'year' .*2019.*2020-01-02"):
        load_corpus(path)
    corpus = load_corpus(path, on_error="skip")
    assert [(d.doc_id, d.date_precision) for d in corpus] == [("1", "day"), ("2", "year")]


# ------------------------------------------------------------------ streaming
def _write_jsonl_gz(path, n_rows):
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        for i in range(n_rows):
            handle.write(json.dumps({"id": f"doc-{i:06d}", "year": 2000 + i % 20, "outlet": "wire",
                                     "text": f"Text {i} on the Shanghai Cooperation Organization. " * 3}) + "\n")


def _iteration_peak(corpus):
    tracemalloc.start()
    try:
        n_chars = sum(len(doc.text) for doc in corpus)
        return n_chars, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_iterating_memory_does_not_grow_with_corpus_size(tmp_path):
    peaks = {}
    for n_rows in (2_000, 20_000):
        path = tmp_path / f"c{n_rows}.jsonl.gz"
        _write_jsonl_gz(path, n_rows)
        corpus = load_corpus(path)  # validated at load time: ids checked once
        assert len(corpus) == n_rows
        n_chars, peaks[n_rows] = _iteration_peak(corpus)
        assert n_chars > 100 * n_rows
    # ten times the documents, (about) the same peak: one document is held at a time
    assert peaks[20_000] < 1.25 * peaks[2_000] + 20_000, peaks
    assert peaks[20_000] < 500_000, peaks


def test_skipped_duplicates_stay_skipped_on_every_iteration(tmp_path):
    path = tmp_path / "dups.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "x", "text": "one"}, {"id": "y", "text": "two"}, {"id": "x", "text": "three"}]) + "\n")
    corpus = load_corpus(path, on_error="skip")
    assert [d.text for d in corpus] == ["one", "two"]
    assert [d.text for d in corpus] == ["one", "two"]
    assert len(corpus) == 2
    assert len(corpus.skipped) == 1 and "line 3" in corpus.skipped[0][0]
    assert "duplicate id 'x' (first seen at line 1)" in corpus.skipped[0][1]
    with pytest.raises(CorpusError, match=r"dups.jsonl: line 3: field 'id' duplicate id 'x'"):
        load_corpus(path)
    unvalidated = load_corpus(path, on_error="skip", validate=False)
    assert [d.text for d in unvalidated] == ["one", "two"] == [d.text for d in unvalidated]
