"""Every loader format, column mapping, streaming, and every bad-input case."""

import datetime as dt
import gzip
import json
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from sco_discourse import Corpus, CorpusError, load_corpus
from sco_discourse.corpus.loaders import parse_date

RECORDS = [
    {"id": "a1", "text": "Building a community with a shared future.", "date": "2021-06-15", "title": "T1",
     "outlet": "Xinhua", "country": "CHN"},
    {"id": "a2", "text": "Second text, second line\nhere.", "date": "2022-09", "title": "T2",
     "outlet": "Global Times", "country": "PAK"},
    {"id": "a3", "text": "Third.", "date": "2024", "title": "T3", "outlet": "CGTN", "country": "KAZ"},
]


def _expect_three(corpus):
    frame = corpus.to_frame()
    assert list(frame["doc_id"]) == ["a1", "a2", "a3"]
    assert list(frame["year"]) == [2021, 2022, 2024]
    assert list(frame["date_precision"]) == ["day", "month", "year"]
    assert frame.loc[1, "text"] == "Second text, second line\nhere."
    assert list(frame["country"]) == ["CHN", "PAK", "KAZ"]  # extra columns are kept
    assert {"doc_id", "source_file", "date", "year", "title", "outlet", "text"} <= set(frame.columns)
    assert len(corpus) == 3
    assert [d.doc_id for d in corpus] == [d.doc_id for d in corpus]  # re-iterable


def _write_csv(path, records, sep=","):
    pd.DataFrame(records).to_csv(path, index=False, sep=sep, compression="infer")


def _write_jsonl(path, records):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r) + "\n")


@pytest.mark.parametrize("name", ["c.csv", "c.csv.gz", "c.tsv", "c.jsonl", "c.jsonl.gz", "c.parquet"])
def test_each_file_format(tmp_path, name):
    path = tmp_path / name
    if ".csv" in name:
        _write_csv(path, RECORDS)
    elif ".tsv" in name:
        _write_csv(path, RECORDS, sep="\t")
    elif ".jsonl" in name:
        _write_jsonl(path, RECORDS)
    else:
        pd.DataFrame(RECORDS).to_parquet(path)
    _expect_three(load_corpus(path))


@pytest.mark.parametrize("gz", [False, True])
def test_folder_with_metadata(tmp_path, gz):
    meta = []
    for r in RECORDS:
        fname = f"{r['id']}.txt" + (".gz" if gz else "")
        data = r["text"].encode("utf-8")
        (tmp_path / fname).write_bytes(gzip.compress(data, mtime=0) if gz else data)
        meta.append({k: v for k, v in r.items() if k != "text"} | {"file": fname})
    _write_csv(tmp_path / "metadata.csv", meta)
    _expect_three(load_corpus(tmp_path))


def test_dataframe_and_column_mapping(tmp_path):
    frame = pd.DataFrame(RECORDS).rename(columns={"id": "speech", "text": "body", "date": "published"})
    corpus = load_corpus(frame, columns={"id": "speech", "text": "body", "date": "published"})
    _expect_three(corpus)
    path = tmp_path / "mapped.csv"
    frame.to_csv(path, index=False)
    _expect_three(load_corpus(path, columns={"id": "speech", "text": "body", "date": "published"}))


def test_year_only_corpus_is_valid(tmp_path):
    path = tmp_path / "years.jsonl"
    _write_jsonl(path, [{"doc_id": "CHN_70_2015", "year": 2015, "text": "x"},
                        {"doc_id": "CHN_78_2023", "year": 2023, "text": "y"}])
    frame = load_corpus(path).to_frame()
    assert list(frame["year"]) == [2015, 2023]
    assert set(frame["date_precision"]) == {"year"}
    assert frame["date"].iloc[0] == pd.Timestamp("2015-01-01")


def test_select_and_groups(tmp_path):
    path = tmp_path / "c.jsonl"
    _write_jsonl(path, RECORDS)
    corpus = load_corpus(path)
    assert [d.doc_id for d in corpus.select(outlet=["CGTN", "Xinhua"])] == ["a1", "a3"]
    groups = corpus.groups("year")
    assert list(groups) == [2021, 2022, 2024]
    assert [d.doc_id for d in groups[2022]] == ["a2"]
    assert corpus["a3"].text == "Third."
    with pytest.raises(KeyError, match="no document with id 'zz'"):
        corpus["zz"]


def test_parse_date_forms():
    assert parse_date("2020-11-12 15:44:58") == (dt.date(2020, 11, 12), "day")
    assert parse_date("Jul 01, 2024") == (dt.date(2024, 7, 1), "day")
    assert parse_date("12 November 2020") == (dt.date(2020, 11, 12), "day")
    assert parse_date(2021) == (dt.date(2021, 1, 1), "year")
    assert parse_date("2021-06") == (dt.date(2021, 6, 1), "month")
    with pytest.raises(ValueError, match="'next Tuesday'"):
        parse_date("next Tuesday")


# ------------------------------------------------------------------ bad input
def _csv(tmp_path, body, name="bad.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_missing_text(tmp_path):
    path = _csv(tmp_path, "id,text,date\n1,fine,2021\n2,,2022\n")
    with pytest.raises(CorpusError, match=r"bad\.csv: row 3: field 'text' \(column 'text'\) is missing or empty"):
        load_corpus(path)


def test_whitespace_only_text_is_empty(tmp_path):
    path = tmp_path / "w.jsonl"
    _write_jsonl(path, [{"id": "x", "text": "   \n"}])
    with pytest.raises(CorpusError, match=r"w\.jsonl: line 1: field 'text'"):
        load_corpus(path)


def test_missing_text_column(tmp_path):
    path = _csv(tmp_path, "id,body\n1,hello\n")
    with pytest.raises(CorpusError, match=r"no 'text' column \(the columns are \['id', 'body'\]\).*--columns text="):
        load_corpus(path)


def test_unparseable_date(tmp_path):
    path = _csv(tmp_path, "id,text,date\n1,fine,2021-02-30\n")
    with pytest.raises(CorpusError, match=r"row 2: field 'date' \(column 'date'\): cannot read '2021-02-30'"):
        load_corpus(path)


def test_duplicate_ids(tmp_path):
    path = _csv(tmp_path, "id,text\n7,a\n8,b\n7,c\n")
    with pytest.raises(CorpusError, match=r"row 4: field 'id' duplicate id '7' \(first seen at row 2\)"):
        load_corpus(path)


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,text\n1,ok\n2,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin\.csv: row 3: field 'text' holds undecodable text: bytes b'\\xe9' "
                                          r"at position 5 of line 3 cannot be decoded as utf-8"):
        load_corpus(path)
    assert load_corpus(path, encoding="latin-1")["2"].text == "caf\u00e9"
    # an undecodable row is a bad row like any other: skipped and reported on request
    corpus = load_corpus(path, on_error="skip")
    assert [d.doc_id for d in corpus] == ["1"]
    assert corpus.skipped == [(f"{path}: row 3", "field 'text' holds undecodable text: bytes b'\\xe9' at position 5 "
                               "of line 3 cannot be decoded as utf-8; give the file's encoding, e.g. latin-1 or cp1252 "
                                   "(--encoding on the command line, encoding= in Python)")]


def test_undecodable_bytes_in_jsonl_name_the_field_and_can_be_skipped(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"id": "1", "text": "ok"}\n{"id": "2", "title": "caf\xe9", "text": "x"}\n')
    with pytest.raises(CorpusError, match=r"c\.jsonl: line 2: field 'title' holds undecodable text: bytes b'\\xe9'"):
        load_corpus(path)
    corpus = load_corpus(path, on_error="skip")
    assert [d.doc_id for d in corpus] == ["1"] and len(corpus.skipped) == 1


def test_undecodable_text_file_in_folder(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe bad")
    (tmp_path / "b.txt").write_text("good", encoding="utf-8")
    _csv(tmp_path, "file,id\na.txt,A\nb.txt,B\n", name="metadata.csv")
    with pytest.raises(CorpusError, match=r"metadata\.csv: row 2: field 'file' names text file .*a\.txt, which holds "
                                          r"undecodable text: bytes b'\\xff' at position 0 of line 1 .*utf-8"):
        load_corpus(tmp_path)
    corpus = load_corpus(tmp_path, on_error="skip")
    assert [d.doc_id for d in corpus] == ["B"] and corpus.skipped[0][0].endswith("metadata.csv: row 2")


def test_rows_are_records_and_a_multi_line_record_names_its_first_line(tmp_path):
    # row = record number as a spreadsheet shows it (header = row 1); a quoted field with
    # line breaks makes the later records start on a later line, which is named too
    path = _csv(tmp_path, 'id,text,date\n1,"two\nlines",2020\n2,fine,someday\n')
    with pytest.raises(CorpusError, match=r"bad\.csv: row 3 \(line 4\): field 'date'"):
        load_corpus(path)


def test_a_row_of_empty_fields_is_a_bad_row_not_a_blank_line(tmp_path):
    path = _csv(tmp_path, "id,text\n1,ok\n,\n\n2,fine\n")
    with pytest.raises(CorpusError, match=r"bad\.csv: row 3: field 'text' \(column 'text'\) is missing or empty"):
        load_corpus(path)
    assert [d.doc_id for d in load_corpus(path, on_error="skip")] == ["1", "2"]


def test_unknown_column_mapping(tmp_path):
    path = _csv(tmp_path, "id,text\n1,a\n")
    with pytest.raises(CorpusError, match=r"column mapping text='body': no column 'body'; the columns are"):
        load_corpus(path, columns={"text": "body"})
    with pytest.raises(CorpusError, match=r"unknown field\(s\) \['txt'\]"):
        load_corpus(path, columns={"txt": "text"})


def test_empty_corpus(tmp_path):
    with pytest.raises(CorpusError, match="the corpus is empty"):
        load_corpus(_csv(tmp_path, "id,text\n"))
    with pytest.raises(CorpusError, match="the file is empty"):
        load_corpus(_csv(tmp_path, "", name="nothing.csv"))


def test_folder_problems(tmp_path):
    (tmp_path / "a.txt").write_text("A text")
    (tmp_path / "stray.txt").write_text("not listed")
    with pytest.raises(CorpusError, match="needs a metadata CSV"):
        load_corpus(tmp_path)
    _csv(tmp_path, "file,id\na.txt,A\nmissing.txt,M\n", name="metadata.csv")
    with pytest.raises(CorpusError, match=r"row 3: field 'file' text file .*missing\.txt does not exist"):
        load_corpus(tmp_path)
    _csv(tmp_path, "file,id\na.txt,A\n", name="metadata.csv")
    with pytest.raises(CorpusError, match=r"1 text file\(s\) in the folder are not listed .*stray\.txt"):
        load_corpus(tmp_path)


def test_malformed_rows(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"id": "1", "text": "ok"}\n{"id": 2, "text": \n[1, 2]\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"m\.jsonl: line 2: is not valid JSON"):
        load_corpus(path)
    with pytest.raises(CorpusError, match=r"row 3: has 3 fields but the header has 2"):
        load_corpus(_csv(tmp_path, "id,text\n1,a\n2,b,c\n"))


def test_skip_bad_rows_reports_every_skip(tmp_path):
    path = _csv(tmp_path, "id,text,date\n1,good,2021\n2,,2021\n3,fine,someday\n1,dup,2022\n4,ok,2023\n")
    corpus = load_corpus(path, on_error="skip")
    assert [d.doc_id for d in corpus] == ["1", "4"]
    assert len(corpus) == 2
    assert [where.split(": ")[-1] for where, _ in corpus.skipped] == ["row 3", "row 4", "row 5"]
    assert "field 'text'" in corpus.skipped[0][1] and "field 'date'" in corpus.skipped[1][1]
    assert "duplicate id '1'" in corpus.skipped[2][1]
    with pytest.raises(CorpusError, match="all 1 row"):
        load_corpus(_csv(tmp_path, "id,text\n1,\n", name="allbad.csv"), on_error="skip")


def test_unknown_format_and_path(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus(tmp_path / "nope.csv")
    odd = tmp_path / "c.xlsx"
    odd.write_text("x")
    with pytest.raises(CorpusError, match="cannot tell the corpus format"):
        load_corpus(odd)


def test_iteration_streams_with_flat_memory(tmp_path):
    # 4,000 documents of ~2 KB (8 MB): iterating must not hold the corpus in memory.
    path = tmp_path / "big.jsonl"
    body = "word " * 400
    _write_jsonl(path, ({"id": str(i), "text": body, "year": 2000 + i % 20} for i in range(4000)))
    corpus = load_corpus(path, validate=False)
    tracemalloc.start()
    n = sum(len(doc.text) for doc in corpus)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == 4000 * len(body)
    assert peak < 1_000_000, f"peak {peak} bytes while iterating an 8 MB corpus"


DATA_DIR = Path(__file__).parents[1] / "data"


def _jsonl(path, records):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def test_the_validation_pass_hands_its_documents_to_the_first_iteration(tmp_path):
    wrapped = "\n".join(["the Assembly met to consider the report of the Committee on"] * 12)
    records = [{"id": "w", "text": wrapped, "year": 2013}, *RECORDS,
               {"id": "a1", "text": "A duplicate.", "year": 2020}, {"id": "e", "text": " "}]
    path = tmp_path / "c.jsonl.gz"
    _jsonl(path, records)
    corpus = load_corpus(path, on_error="skip")
    streamed = load_corpus(path, on_error="skip", keep_mb=0)
    # rewriting the file shows which iterations read it: the first one reads nothing
    _jsonl(path, [{"id": "new", "text": "Written after loading."}])
    first = list(corpus)
    assert [d.doc_id for d in first] == ["w", "a1", "a2", "a3"]
    assert first[0].meta["reflowed"] is True and first[0].raw == wrapped and "\n" not in first[0].text
    assert [d.meta["language"] for d in first] == ["en"] * 4
    assert corpus.skipped == [(f"{path}: line 5", "field 'id' duplicate id 'a1' (first seen at line 2)"),
                              (f"{path}: line 6", "field 'text' (column 'text') is missing or empty")]
    assert corpus.skipped == streamed.skipped
    # ... and once an iteration has run to its end, the corpus streams from the file again
    assert [d.doc_id for d in corpus] == ["new"]
    assert [d.doc_id for d in streamed] == ["new"]


def test_documents_kept_by_the_validation_pass_equal_those_read_again():
    path = DATA_DIR / "ungdc_slice.jsonl.gz"
    kept, read = list(load_corpus(path)), list(load_corpus(path, keep_mb=0))
    assert kept == read and len(kept) == 30
    assert sum(d.meta["reflowed"] for d in kept) == sum(d.meta["reflowed"] for d in read) > 0


def test_a_corpus_over_the_memory_budget_is_read_again(tmp_path):
    path = tmp_path / "c.jsonl.gz"
    _jsonl(path, RECORDS)
    corpus = load_corpus(path, keep_mb=1e-4)  # 100 bytes: not even the first document fits
    _jsonl(path, [{"id": "new", "text": "Written after loading."}])
    assert [d.doc_id for d in corpus] == ["new"]
