"""The bad-input gallery: every hostile input and fault we know of, and its outcome.

Each case asserts the class of outcome and the message:

* CLEAR: an ``InputError`` (from Python) or exit code 2 with one line on stderr (from the
  command line), whose text names the file and row/line and field, or the option, and
  no traceback;
* HANDLED: the input is read correctly (the values are checked), or the fault leaves
  the outputs whole (the old bytes, or none).

Cases come in groups: corpus loaders, lexicons, command-line options, interrupted and
failed writes, provenance sidecars. The command line runs in-process through
``sco_discourse.cli.main``; Ctrl-C and SIGKILL run in a subprocess. Group values 1, "1"
and 1.0 and list-valued ``--by`` fields are tested with the grouping module.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sco_discourse import load_corpus
from sco_discourse.cli import main
from sco_discourse.corpus.loaders import records_corpus
from sco_discourse.errors import CorpusError, InputError, LexiconError
from sco_discourse.lexicons.schema import load_lexicon
from sco_discourse.provenance import check_sidecar, read_sidecar

ROOT = Path(__file__).resolve().parent.parent
SLICE = Path(__file__).parent / "data" / "ungdc_slice.jsonl.gz"


def _jsonl(records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# One JSON Lines corpus of 2,000 records compressed, cut in half or damaged in the middle.
_BIG = _jsonl({"id": f"d{i}", "text": f"record {i} about the SCO"} for i in range(2000))
_BIG_GZ = _gz(_BIG)
_DAMAGED = bytearray(_BIG_GZ)
_DAMAGED[-8] ^= 0xFF  # the stored CRC-32: every block decodes, the checksum does not match
_LATE = [{"id": f"d{i}", "text": "words here"} for i in range(1200)]
for _record in _LATE[1100:]:
    _record["date"] = "2021-05-05"
_LATE_BAD = [dict(r) for r in _LATE]
_LATE_BAD[1150]["date"] = "someday"
_LATE_MAPPED = [{"id": f"d{i}", "text": "words", **({"published": "2022"} if i >= 1050 else {})}
                for i in range(1100)]

# --------------------------------------------------------------------------- corpus loaders: CLEAR
# (id, files {name: bytes}, the corpus to load, load_corpus options, message regex)
LOADER_ERRORS = [
    ("csv-unclosed-quote-to-end", {"c.csv": b'id,text,outlet\n1,first,A\n2,"unclosed,B\n3,third,C\n4,fourth,D\n'},
     "c.csv", {}, r"c\.csv: row 3: malformed CSV: a quoted field opened on line 3 is not closed where the field "
                  r"ends \(read on to line 5: unexpected end of data\)"),
    ("csv-unclosed-quote-closes-in-a-later-row",
     {"c.csv": b'id,text,outlet\n1,first,A\n2,"unclosed,B\n3,third,C\n4,fourth said hi",D\n5,fifth,E\n'},
     "c.csv", {}, r"c\.csv: row 3: malformed CSV: a quoted field opened on line 3 runs on to line 5, and line 4 "
                  r"inside it look like rows of their own"),
    ("csv-text-after-closing-quote", {"c.csv": b'id,text\n1,"quoted"tail\n'},
     "c.csv", {}, r"c\.csv: row 2: malformed CSV \(',' expected after '\"'\)"),
    ("csv-too-few-fields", {"c.csv": b"id,text,date\n1,a,2020\n2,b\n"},
     "c.csv", {}, r"c\.csv: row 3: has 2 fields but the header has 3"),
    ("csv-too-many-fields", {"c.csv": b"id,text\n1,a,extra\n"},
     "c.csv", {}, r"c\.csv: row 2: has 3 fields but the header has 2"),
    ("tsv-too-few-fields", {"c.tsv": b"id\ttext\tdate\n1\ta\n"},
     "c.tsv", {}, r"c\.tsv: row 2: has 2 fields but the header has 3"),
    ("csv-empty-file", {"c.csv": b""}, "c.csv", {}, r"c\.csv: the file is empty \(no header row\)"),
    ("csv-header-only", {"c.csv": b"id,text\n"}, "c.csv", {}, r"c\.csv: the corpus is empty \(no documents\)"),
    ("csv-duplicate-header", {"c.csv": b"id,text,id\n1,a,2\n"},
     "c.csv", {}, r"c\.csv: header row: column name\(s\) \['id'\] appear more than once"),
    ("csv-no-text-column", {"c.csv": b"id,body\n1,a\n"},
     "c.csv", {}, r"c\.csv: no 'text' column \(the columns are \['id', 'body'\]\); map yours with --columns "
                  r"text=YOUR_COLUMN"),
    ("csv-empty-text", {"c.csv": b"id,text\n1,\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'text' \(column 'text'\) is missing or empty"),
    ("csv-whitespace-text", {"c.csv": b"id,text\n1,   \n"},
     "c.csv", {}, r"c\.csv: row 2: field 'text' \(column 'text'\) is missing or empty"),
    ("csv-empty-id", {"c.csv": b"id,text\n,a\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'id' \(column 'id'\) is missing or empty"),
    ("csv-bad-date", {"c.csv": b"id,text,date\n1,a,someday\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'date' \(column 'date'\): cannot read 'someday' as a date"),
    ("csv-impossible-date", {"c.csv": b"id,text,date\n1,a,2021-02-30\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'date' \(column 'date'\): cannot read '2021-02-30' as a date"),
    ("csv-Date-header-bad-value", {"c.csv": b"id,text,Date\n1,a,2021-01-01\n2,b,notadate\n"},
     "c.csv", {}, r"c\.csv: row 3: field 'date' \(column 'Date'\): cannot read 'notadate' as a date"),
    ("csv-two-date-headers", {"c.csv": b"id,text,Date,DATE\n1,a,2021,2022\n"},
     "c.csv", {}, r"c\.csv: header: columns \['Date', 'DATE'\] could each be the field 'date'"),
    ("csv-bad-year", {"c.csv": b"id,text,year\n1,a,20x1\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\): cannot read '20x1' as a year"),
    ("csv-year-out-of-range", {"c.csv": b"id,text,year\n1,a,99999\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\): '99999' is not a year \(1-9999\)"),
    ("csv-year-zero", {"c.csv": b"id,text,year\n1,a,0\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\): '0' is not a year"),
    ("csv-year-infinite", {"c.csv": b"id,text,year\n1,a,inf\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\): cannot read 'inf' as a year"),
    ("csv-year-fraction", {"c.csv": b"id,text,year\n1,a,2021.5\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\): cannot read '2021\.5' as a year"),
    ("csv-year-disagrees-with-date", {"c.csv": b"id,text,date,year\n1,a,2021-01-01,2020\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'year' \(column 'year'\) says 2020 but the date says 2021-01-01"),
    ("csv-nul-in-text", {"c.csv": b"id,text\n1,hello\x00world\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'text' holds a NUL character at position 5: not text"),
    ("csv-nul-in-title", {"c.csv": b"id,text,title\n1,ok,ti\x00tle\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'title' holds a NUL character at position 2"),
    ("csv-nul-in-other-column", {"c.csv": b"id,text,country\n1,ok,\x00CHN\n"},
     "c.csv", {}, r"c\.csv: row 2: field 'country' holds a NUL character at position 0"),
    ("csv-nul-in-mapped-column", {"c.csv": b"id,body\n1,a\x00b\n"},
     "c.csv", {"columns": {"text": "body"}}, r"c\.csv: row 2: field 'text' \(column 'body'\) holds a NUL character"),
    ("csv-duplicate-id", {"c.csv": b"id,text\na,x\na,y\n"},
     "c.csv", {}, r"c\.csv: row 3: field 'id' duplicate id 'a' \(first seen at row 2\)"),
    ("csv-latin-1-bytes", {"c.csv": "id,text\n1,caf\u00e9\n".encode("latin-1")},
     "c.csv", {}, r"c\.csv: row 2: field 'text' holds undecodable text: bytes b'\\xe9' at position 5 of line 2 "
                  r"cannot be decoded as utf-8; give the file's encoding"),
    ("csv-utf-16-read-as-utf-8", {"c.csv": "id,text\n1,a\n".encode("utf-16")},
     "c.csv", {}, r"c\.csv: line 1: bytes b'\\xff' at position 0 cannot be decoded as utf-8; the file starts with "
                  r"a UTF-16 byte-order mark: give the encoding utf-16 \(--encoding utf-16\)"),
    ("csv-gz-truncated", {"c.csv.gz": _gz(b"id,text\n" + b"".join(b"%d,some words here\n" % i
                                                                  for i in range(3000)))[:2000]},
     "c.csv.gz", {}, r"c\.csv\.gz: row \d+ \(line \d+\): the gzip data is truncated \(Compressed file ended before "
                     r"the end-of-stream marker was reached\); line \d+ and everything after it could not be read"),
    ("jsonl-invalid-json", {"c.jsonl": b'{"id": "1", "text": "ok"}\n{"id": 2, "text": \n'},
     "c.jsonl", {}, r"c\.jsonl: line 2: is not valid JSON \(Expecting value at column 19\)"),
    ("jsonl-array-record", {"c.jsonl": b'{"id": "1", "text": "ok"}\n[1, 2]\n'},
     "c.jsonl", {}, r"c\.jsonl: line 2: is a JSON list, expected an object"),
    ("jsonl-year-true", {"c.jsonl": _jsonl([{"id": "a", "text": "x y", "year": True}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'year' \(column 'year'\) is true, not a year"),
    ("jsonl-year-false", {"c.jsonl": _jsonl([{"id": "a", "text": "x y", "year": False}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'year' \(column 'year'\) is false, not a year"),
    ("jsonl-date-true", {"c.jsonl": _jsonl([{"id": "a", "text": "x y", "date": True}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'date' \(column 'date'\) is true, not a date"),
    ("jsonl-year-list", {"c.jsonl": _jsonl([{"id": "a", "text": "x y", "year": [2021]}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'year' \(column 'year'\): cannot read \[2021\] as a year"),
    ("jsonl-text-number", {"c.jsonl": _jsonl([{"id": "a", "text": 12}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'text' \(column 'text'\) is a int, expected text"),
    ("jsonl-id-true", {"c.jsonl": _jsonl([{"id": True, "text": "x"}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'id' \(column 'id'\) is true, expected text or a number"),
    ("jsonl-id-object", {"c.jsonl": _jsonl([{"id": {"a": 1}, "text": "x"}])},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'id' \(column 'id'\) is \{\"a\": 1\}, expected text or a number"),
    ("jsonl-escaped-nul", {"c.jsonl": b'{"id": "a", "text": "bad\\u0000text"}\n'},
     "c.jsonl", {}, r"c\.jsonl: line 1: field 'text' holds a NUL character at position 3"),
    ("jsonl-late-date-key-bad-value", {"c.jsonl": _jsonl(_LATE_BAD)},
     "c.jsonl", {}, r"c\.jsonl: line 1151: field 'date' \(column 'date'\): cannot read 'someday' as a date"),
    ("jsonl-mapping-to-a-key-no-record-has", {"c.jsonl": _jsonl([{"id": "a", "text": "x"}])},
     "c.jsonl", {"columns": {"date": "published"}},
     r"c\.jsonl: column mapping date='published': no record has that key"),
    ("jsonl-gz-truncated", {"c.jsonl.gz": _BIG_GZ[: len(_BIG_GZ) // 2]},
     "c.jsonl.gz", {}, r"c\.jsonl\.gz: line \d+: the gzip data is truncated"),
    ("jsonl-gz-bad-checksum", {"c.jsonl.gz": bytes(_DAMAGED)},
     "c.jsonl.gz", {}, r"c\.jsonl\.gz: the gzip data is corrupt \(CRC check failed .*\), found after line 2000: "
                       r"the file is damaged"),
    ("jsonl-gz-magic-then-garbage", {"c.jsonl.gz": b"\x1f\x8bnot gzip at all"},
     "c.jsonl.gz", {}, r"c\.jsonl\.gz: the gzip data is corrupt"),
    ("jsonl-gz-empty-after-header", {"c.jsonl.gz": _BIG_GZ[:10]},
     "c.jsonl.gz", {}, r"c\.jsonl\.gz: line 1: the gzip data is truncated"),
    ("parquet-not-parquet", {"c.parquet": b"PAR1 but not really"},
     "c.parquet", {}, r"c\.parquet: not a readable Parquet file"),
    ("unknown-suffix", {"c.xlsx": b"x"},
     "c.xlsx", {}, r"c\.xlsx: cannot tell the corpus format from the name; expected \.csv.*rename the file"),
    ("missing-path", {}, "nope.csv", {}, r"nope\.csv: no such file or folder"),
    ("unknown-encoding", {"c.csv": b"id,text\n1,a\n"}, "c.csv", {"encoding": "klingon"},
     r"unknown encoding 'klingon'"),
    ("unknown-field-in-mapping", {"c.csv": b"id,text\n1,a\n"}, "c.csv", {"columns": {"body": "text"}},
     r"c\.csv: unknown field\(s\) \['body'\] in the column mapping"),
    ("mapping-to-missing-column", {"c.csv": b"id,text\n1,a\n"}, "c.csv", {"columns": {"text": "body"}},
     r"c\.csv: column mapping text='body': no column 'body'"),
    ("folder-path-with-dotdot", {"f/metadata.csv": b"file,id\n../secret.txt,a\n", "secret.txt": b"secret"},
     "f", {}, r"f/metadata\.csv: row 2: field 'file' names '\.\./secret\.txt', which is outside the folder .*f; a "
              r"folder corpus reads only its own files \(to allow it: --allow-outside-paths"),
    ("folder-absolute-path", {"f/metadata.csv": b"file,id\n/etc/hostname,a\n"},
     "f", {}, r"f/metadata\.csv: row 2: field 'file' names '/etc/hostname', which is outside the folder"),
    ("folder-dotdot-inside-name", {"f/metadata.csv": b"file,id\nsub/../../x.txt,a\n", "x.txt": b"x"},
     "f", {}, r"field 'file' names 'sub/\.\./\.\./x\.txt', which is outside the folder"),
    ("folder-missing-text-file", {"f/metadata.csv": b"file,id\nmissing.txt,a\n"},
     "f", {}, r"f/metadata\.csv: row 2: field 'file' text file .*missing\.txt does not exist"),
    ("folder-no-metadata", {"f/a.txt": b"text"}, "f", {}, r"f: a folder corpus needs a metadata CSV"),
    ("folder-text-with-nul", {"f/metadata.csv": b"file,id\na.txt,a\n", "f/a.txt": b"ab\x00cd"},
     "f", {}, r"f/metadata\.csv: row 2: field 'file' names a text file whose text holds a NUL character at "
              r"position 2"),
    ("folder-truncated-gz-text", {"f/metadata.csv": b"file,id\na.txt.gz,a\n",
                                  "f/a.txt.gz": _gz(b"".join(b"word%d " % i for i in range(5000)))[:200]},
     "f", {}, r"f/metadata\.csv: row 2: field 'file' names text file .*a\.txt\.gz: the gzip data is truncated"),
    ("folder-unlisted-text", {"f/metadata.csv": b"file,id\na.txt,a\n", "f/a.txt": b"a", "f/b.txt": b"b"},
     "f", {}, r"f: 1 text file\(s\) in the folder are not listed in the metadata CSV: b\.txt"),
    ("all-rows-bad-when-skipping", {"c.csv": b"id,text\n1,\n"}, "c.csv", {"on_error": "skip"},
     r"c\.csv: the corpus is empty \(no documents\); all 1 row\(s\) were bad, the first: .*c\.csv: row 2: field "
     r"'text' \(column 'text'\) is missing or empty"),
    ("bad-checksum-even-when-skipping", {"c.jsonl.gz": bytes(_DAMAGED)}, "c.jsonl.gz", {"on_error": "skip"},
     r"c\.jsonl\.gz: the gzip data is corrupt"),
]


def _make(tmp_path: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.mark.parametrize("case, files, target, options, message", LOADER_ERRORS, ids=[c[0] for c in LOADER_ERRORS])
def test_loader_rejects_with_a_message_naming_file_row_and_field(tmp_path, case, files, target, options, message):
    _make(tmp_path, files)
    with pytest.raises(CorpusError, match=message) as caught:
        load_corpus(tmp_path / target, **options)
    assert "format=" not in str(caught.value)  # advice a command-line user cannot follow is given in both forms


# --------------------------------------------------------------------------- corpus loaders: HANDLED
def _ids(corpus) -> list[str]:
    return [d.doc_id for d in corpus]


def test_unclosed_quote_skipping_keeps_every_other_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b'id,text,outlet\n1,first,A\n2,"unclosed,B\n3,third,C\n4,fourth,D\n5,fifth,E\n')
    corpus = load_corpus(path, on_error="skip")
    assert _ids(corpus) == ["1", "3", "4", "5"]  # 5 records: one bad, four read, none merged
    assert [d.meta["outlet"] for d in corpus] == ["A", "C", "D", "E"]
    assert [w for w, _ in corpus.skipped] == [f"{path}: row 3"]


def test_a_quote_closing_in_a_later_row_merges_nothing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b'id,text,outlet\n1,first,A\n2,"unclosed,B\n3,third,C\n4,fourth said hi",D\n5,fifth,E\n')
    corpus = load_corpus(path, on_error="skip")
    assert _ids(corpus) == ["1", "3", "4", "5"]
    assert corpus["4"].text == 'fourth said hi"' and corpus["4"].meta["outlet"] == "D"
    assert len(corpus.skipped) == 1 and "row 3" in corpus.skipped[0][0]


@pytest.mark.parametrize("text", [
    "First paragraph.\n\nSecond paragraph, with a comma.",
    "Line one, two, three\nline four, five, six\nend",  # inner lines of prose: not rows
    "2021, a year\nof change\nend",
])
def test_legal_multi_line_text_is_one_row(tmp_path, text):
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": ["1", "2"], "text": [text, "plain"], "outlet": ["A", "B"]}).to_csv(path, index=False)
    corpus = load_corpus(path)
    assert _ids(corpus) == ["1", "2"] and corpus["1"].text == text and corpus.skipped == []


def test_a_date_key_first_seen_after_1000_records_dates_its_documents(tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_bytes(_jsonl(_LATE))
    docs = list(load_corpus(path))
    assert len(docs) == 1200
    assert all(d.date is None for d in docs[:1100])
    assert {d.date.isoformat() for d in docs[1100:]} == {"2021-05-05"}
    assert all("date" not in d.meta for d in docs)  # the date is the date, not metadata


def test_a_mapping_to_a_key_first_seen_after_1000_records_is_accepted(tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_bytes(_jsonl(_LATE_MAPPED))
    docs = list(load_corpus(path, columns={"date": "published"}))
    assert [d.year for d in docs].count(2022) == 50 and docs[0].year is None


def test_records_need_not_share_keys_in_memory_either():
    corpus = records_corpus([{"id": "a", "text": "x"}, {"id": "b", "text": "y", "date": "2020-05-01"}])
    assert [d.date and d.date.isoformat() for d in corpus] == [None, "2020-05-01"]


@pytest.mark.parametrize("header", ["Date", "DATE", " date ", "Date "])
def test_standard_field_names_ignore_case_and_spaces(tmp_path, header):
    path = tmp_path / "c.csv"
    path.write_text(f"ID,Text,{header},Outlet\n1,hello,2021-03-04,Xinhua\n", encoding="utf-8")
    doc = next(iter(load_corpus(path)))
    assert (doc.doc_id, doc.text, doc.date.isoformat(), doc.meta["outlet"]) == ("1", "hello", "2021-03-04", "Xinhua")


def test_an_exact_field_name_wins_over_a_case_variant(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,text,date,Date\n1,a,2021-01-01,2022-02-02\n", encoding="utf-8")
    doc = next(iter(load_corpus(path)))
    assert doc.date.isoformat() == "2021-01-01" and doc.meta["Date"] == "2022-02-02"


@pytest.mark.parametrize("encoding, name", [("utf-16", "c.csv"), ("utf-16-le", "c.csv"), ("utf-16-be", "c.tsv"),
                                            ("utf-32", "c.csv"), ("utf-16", "c.jsonl"), ("utf-16", "c.csv.gz")])
def test_wide_encodings_are_decoded_before_lines_are_split(tmp_path, encoding, name):
    if name.endswith(".jsonl"):
        text = '{"id": "1", "text": "h\u00e9llo \u4e16\u754c"}\n{"id": "2", "text": "line\\nbreak"}\n'
    else:
        sep = "\t" if ".tsv" in name else ","
        text = f'id{sep}text\n1{sep}h\u00e9llo \u4e16\u754c\n2{sep}"line\nbreak"\n'
    data = text.encode(encoding)
    (tmp_path / name).write_bytes(_gz(data) if name.endswith(".gz") else data)
    corpus = load_corpus(tmp_path / name, encoding=encoding)
    assert [(d.doc_id, d.text) for d in corpus] == [("1", "h\u00e9llo \u4e16\u754c"), ("2", "line\nbreak")]


def test_a_truncated_gzip_can_be_skipped_keeping_the_rows_read(tmp_path):
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(_BIG_GZ[: len(_BIG_GZ) // 2])
    corpus = load_corpus(path, on_error="skip")
    n = len(corpus)
    assert 0 < n < 2000 and _ids(corpus)[:3] == ["d0", "d1", "d2"]
    (where, reason), = corpus.skipped
    assert where == f"{path}: line {n + 1}" or where == f"{path}: line {n + 2}"  # the cut line may be partial
    assert "the gzip data is truncated" in reason and "everything after it could not be read" in reason


def test_a_folder_may_read_outside_when_allowed(tmp_path):
    _make(tmp_path, {"f/metadata.csv": b"file,id\n../outside.txt,a\n", "outside.txt": b"outside text"})
    assert next(iter(load_corpus(tmp_path / "f", allow_outside=True))).text == "outside text"


# --------------------------------------------------------------------------- lexicons
_LEXICON_HEAD = 'name: t\nversion: "1"\nprovenance: test\n'
LEXICON_ERRORS = [
    ("frame-declared-twice",
     _LEXICON_HEAD + "frames:\n  alpha:\n    patterns: [shared future]\n  alpha:\n    patterns: [common destiny]\n",
     r"entry 'alpha' is given twice in one mapping \(line 5 and line 7\); YAML would keep only the second"),
    ("variant-declared-twice",
     _LEXICON_HEAD + "frames:\n  alpha:\n    variants:\n      one: [shared future]\n      one: [common destiny]\n",
     r"entry 'one' is given twice in one mapping \(line 7 and line 8\)"),
    ("top-key-twice", _LEXICON_HEAD + 'version: "2"\nframes:\n  alpha:\n    patterns: [x y]\n',
     r"entry 'version' is given twice in one mapping \(line 2 and line 4\)"),
    ("gazetteer-list-twice",
     _LEXICON_HEAD + "gazetteer:\n  places: [china]\n  places: [russia]\nframes:\n  alpha:\n    patterns: [x y]\n",
     r"entry 'places' is given twice in one mapping"),
    ("empty-file", "", r"the file is empty"),
    ("not-yaml", "name: [unclosed\n", r"not valid YAML at line 2"),
    ("missing-provenance", 'name: t\nversion: "1"\nframes:\n  alpha:\n    patterns: [x y]\n',
     r"entry \(top level\): missing required key 'provenance'"),
    ("unknown-top-key", _LEXICON_HEAD + "colour: red\nframes:\n  alpha:\n    patterns: [x y]\n",
     r"entry colour: unknown key 'colour'"),
    ("no-frames", _LEXICON_HEAD + "frames: {}\n", r"entry frames: expected a non-empty mapping"),
    ("bad-frame-id", _LEXICON_HEAD + "frames:\n  Alpha:\n    patterns: [x y]\n",
     r"entry frames\.Alpha: id 'Alpha' must be lower case"),
    ("phrase-without-words", _LEXICON_HEAD + "frames:\n  alpha:\n    patterns: ['--']\n",
     r"entry frames\.alpha\.patterns\[0\]: phrase '--' has no words"),
    ("frame-without-patterns", _LEXICON_HEAD + "frames:\n  alpha:\n    label: A\n",
     r"entry frames\.alpha: has no 'patterns' and no 'variants'"),
    ("same-phrase-in-two-frames",
     _LEXICON_HEAD + "frames:\n  alpha:\n    patterns: [x y]\n  beta:\n    patterns: [x y]\n",
     r"entry frames\.beta.*phrase 'x y' is already declared"),
]


@pytest.mark.parametrize("case, text, message", LEXICON_ERRORS, ids=[c[0] for c in LEXICON_ERRORS])
def test_lexicon_rejects_with_a_message_naming_file_and_entry(tmp_path, case, text, message):
    path = tmp_path / "lex.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as caught:
        load_lexicon(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_lexicon_file_problems(tmp_path):
    with pytest.raises(LexiconError, match=r"nope\.yaml: lexicon file not found"):
        load_lexicon(tmp_path / "nope.yaml")
    (tmp_path / "latin.yaml").write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(LexiconError, match=r"latin\.yaml: not UTF-8 text"):
        load_lexicon(tmp_path / "latin.yaml")


# --------------------------------------------------------------------------- command line
def run(capsys, *argv) -> tuple[int, str, str]:
    """The command in-process: (exit code, stdout, stderr); argparse's own exit included."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bad_files(tmp_path):
    _make(tmp_path, {
        "unclosed.csv": b'id,text\n1,first\n2,"unclosed\n3,third\n',
        "odd.xlsx": b"x",
        "u16.csv": "id,text,year\n1,the shared future,2021\n2,second text,2022\n".encode("utf-16"),
        "f/metadata.csv": b"file,id\n../outside.txt,a\n", "outside.txt": b"community with a shared future",
        "dup.yaml": (_LEXICON_HEAD + "frames:\n  alpha:\n    patterns: [x y]\n  alpha:\n    patterns: [z w]\n"
                     ).encode(),
        "empty_docs.csv": b"id,text,year\n1,a community with a shared future,2020\n2,...,2020\n3,\xe2\x80\x8b,2021\n",
        "a_file": b"not a folder",
    })
    return tmp_path


CLI_ERRORS = [
    ("jobs-zero", ["frames", "count", "--jobs", "0"],
     "argument --jobs: must be -1 (all cores) or a number of processes >= 1, got '0'"),
    ("jobs-minus-five", ["kwic", "--frame", "shared_future", "--jobs", "-5"],
     "argument --jobs: must be -1 (all cores) or a number of processes >= 1, got '-5'"),
    ("jobs-word", ["frames", "mentions", "--jobs", "many"],
     "argument --jobs: must be -1 (all cores) or a number of processes >= 1, got 'many'"),
    ("jobs-zero-trend", ["frames", "trend", "--jobs", "0"], "argument --jobs: must be -1"),
    ("jobs-zero-cooccur", ["frames", "cooccur", "--jobs", "-2"], "argument --jobs: must be -1"),
    ("mentions-unknown-variant", ["frames", "mentions", "--variant", "nope"],
     "--variant: unknown variant 'nope'; variants: bilateral_regional"),
    ("mentions-variant-of-another-frame", ["frames", "mentions", "--frame", "belt_and_road", "--variant", "mankind"],
     "--variant: unknown variant 'mankind' of frame 'belt_and_road'; variants: (none)"),
    ("mentions-unknown-frame", ["frames", "mentions", "--frame", "nope"], "--frame: unknown frame 'nope'"),
    ("kwic-unknown-variant", ["kwic", "--variant", "nope"], "kwic: unknown variant 'nope'"),
    ("keyness-one-target-missing", ["keywords", "keyness", "--target", "2021", "1999"],
     "embedded seed corpus: target 1999 matches no group of year; groups: 2020, 2021, 2022, 2023, 2024"),
    ("keyness-all-targets-missing", ["keywords", "keyness", "--target", "1999", "1998"],
     "target 1999, 1998 matches no group of year"),
    ("keyness-reference-group-missing", ["keywords", "keyness", "--target", "2021", "--reference-group", "2020",
                                         "1999"], "reference 1999 matches no group of year"),
    ("lda-k-at-least-units", ["topics", "fit", "--k", "900", "--out", "{tmp}/m"],
     "TopicModel: 900 topics (K, --k) for 200 unit(s) with terms"),
    ("nmf-k-at-least-units", ["topics", "fit", "--k", "900", "--method", "nmf", "--out", "{tmp}/m"],
     "K must be smaller than the number of units"),
    ("lda-k-at-least-documents", ["topics", "fit", "--k", "8", "--unit", "document", "--out", "{tmp}/m"],
     "TopicModel: 8 topics (K, --k) for 8 unit(s) with terms"),
    ("corpus-unclosed-quote", ["corpus", "info", "--corpus", "{tmp}/unclosed.csv"],
     "unclosed.csv: row 3: malformed CSV: a quoted field opened on line 3"),
    ("corpus-unknown-suffix", ["corpus", "info", "--corpus", "{tmp}/odd.xlsx"],
     "odd.xlsx: cannot tell the corpus format from the name"),
    ("corpus-missing", ["frames", "count", "--corpus", "{tmp}/none.csv"], "none.csv: no such file or folder"),
    ("corpus-utf16-without-encoding", ["corpus", "info", "--corpus", "{tmp}/u16.csv"],
     "give the encoding utf-16 (--encoding utf-16)"),
    ("unknown-encoding", ["corpus", "info", "--corpus", "{tmp}/u16.csv", "--encoding", "nope"],
     "unknown encoding 'nope'"),
    ("columns-without-equals", ["corpus", "info", "--corpus", "{tmp}/u16.csv", "--columns", "text"],
     "--columns expects FIELD=COLUMN, got 'text'"),
    ("columns-without-corpus", ["corpus", "info", "--columns", "text=body"],
     "--columns and --clean apply to a user corpus: give --corpus PATH"),
    ("folder-outside-path", ["corpus", "info", "--corpus", "{tmp}/f"],
     "names '../outside.txt', which is outside the folder"),
    ("lexicon-declared-twice", ["frames", "count", "--lexicon", "{tmp}/dup.yaml"],
     "dup.yaml: entry 'alpha' is given twice in one mapping (line 5 and line 7)"),
    ("out-under-a-file", ["frames", "count", "--out", "{tmp}/a_file/rates.csv"], "{tmp}/a_file"),
    ("out-is-a-folder", ["corpus", "info", "--out", "{tmp}"], "{tmp}: Is a directory"),
    ("fit-out-is-a-file", ["topics", "fit", "--k", "2", "--out", "{tmp}/a_file"],
     "--out {tmp}/a_file: is a file; `topics fit` writes a folder"),
    ("fit-out-holds-other-files", ["topics", "fit", "--k", "2", "--out", "{tmp}"],
     "the folder holds files a model folder does not (a_file, dup.yaml"),
    ("show-no-model", ["topics", "show", "{tmp}"], "no saved topic model here (expected model.pkl"),
    ("n-resamples-zero", ["frames", "count", "--by", "year", "--n-resamples", "0"],
     "argument --n-resamples: must be an integer >= 1, got '0'"),
    ("ngram-too-long", ["keywords", "freq", "--ngram", "5"], "--ngram: expected lengths between 1 and 4"),
    ("show-unknown-document", ["corpus", "show", "nope"], "no document 'nope' in embedded seed corpus"),
    ("sweep-k-range", ["topics", "sweep", "--k-min", "5", "--k-max", "2"], "need 1 <= --k-min <= --k-max"),
]


@pytest.mark.parametrize("case, argv, message", CLI_ERRORS, ids=[c[0] for c in CLI_ERRORS])
def test_command_line_errors_exit_2_with_one_clear_line(capsys, bad_files, case, argv, message):
    tmp = str(bad_files)
    code, out, err = run(capsys, *[a.replace("{tmp}", tmp) for a in argv])
    assert code == 2, (out, err)
    assert message.replace("{tmp}", tmp) in err
    assert "Traceback" not in err and "format=" not in err
    if "--out" in argv and "a_file/rates.csv" in " ".join(argv):
        assert "embedded seed corpus" not in err  # the output is blamed, not the input


def test_the_message_names_the_output_not_the_corpus_when_the_disk_is_full(capsys, bad_files, monkeypatch):
    def full_disk(self, path, *args, **kwargs):
        Path(path).write_text("doc_id,frame\nseed-000,shared", encoding="utf-8")  # half a table, then the disk fills
        raise OSError(errno.ENOSPC, "No space left on device")

    out = bad_files / "rates.csv"
    out.write_text("old table\n", encoding="utf-8")
    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    code, _, err = run(capsys, "frames", "count", "--corpus", bad_files / "u16.csv", "--encoding", "utf-16",
                       "--out", out)
    assert code == 2
    assert err.strip().splitlines()[-1] == f"sco-discourse: error: {out}: No space left on device"
    assert out.read_text(encoding="utf-8") == "old table\n"
    assert sorted(p.name for p in bad_files.glob(".rates*")) == []  # no temporary file left behind


def test_utf16_corpus_and_outside_paths_work_when_asked_for(capsys, bad_files):
    code, out, _ = run(capsys, "corpus", "info", "--corpus", bad_files / "u16.csv", "--encoding", "utf-16")
    # columns doc_id, source_file, date, ...
    assert code == 0 and [line.split()[:3:2] for line in out.splitlines()[1:]] == [["1", "2021"], ["2", "2022"]]
    code, out, _ = run(capsys, "kwic", "--corpus", bad_files / "f", "--allow-outside-paths", "--frame",
                       "shared_future")
    assert code == 0 and "community with a shared future" in out


def test_truncated_model_file_is_a_clear_error(capsys, tmp_path):
    folder = tmp_path / "m"
    assert run(capsys, "topics", "fit", "--k", "2", "--method", "nmf", "--out", folder)[0] == 0
    data = (folder / "model.pkl").read_bytes()
    (folder / "model.pkl").write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, "topics", "show", folder)
    assert code == 2 and "Traceback" not in err
    assert f"{folder / 'model.pkl'}: cannot read the saved model" in err and "fit it again" in err


# --------------------------------------------------------------------------- empty documents
def test_documents_without_tokens_are_counted_apart_not_averaged_in(capsys, bad_files):
    # doc 1: 6 tokens, one shared_future mention; doc 2: punctuation only; doc 3: a zero-width space
    out = bad_files / "by_year.csv"
    code, _, err = run(capsys, "frames", "count", "--corpus", bad_files / "empty_docs.csv", "--by", "year",
                       "--interval", "poisson", "--out", out)
    assert code == 0
    caveat = next(line for line in err.splitlines() if line.startswith("caveat: "))
    assert caveat.endswith("2 document(s) have no tokens (2, 3): they are left out of n_docs, share_docs and the "
                           "intervals; 1 group(s) hold only such documents and have no rate: 2021")
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    total = table[(table["frame"] == "shared_future") & (table["variant"] == "")].set_index("year")
    assert total.loc["2020", ["count", "tokens", "n_docs", "docs_with_mention", "share_docs"]].tolist() == \
        ["1", "6", "1", "1", "1"]
    assert float(total.loc["2020", "rate_per_10k"]) == pytest.approx(1 / 6 * 10_000, rel=1e-5)
    assert total.loc["2021", ["tokens", "n_docs", "rate_per_10k", "share_docs"]].tolist() == ["0", "0", "", ""]
    record = read_sidecar(out)
    assert record["attrs"]["n_empty_docs"] == 2 and record["attrs"]["empty_docs"] == ["2", "3"]


def test_per_document_counts_say_which_documents_have_no_tokens(bad_files):
    from sco_discourse.frames import Matcher, frame_counts

    table = frame_counts(Matcher().count(load_corpus(bad_files / "empty_docs.csv")))
    assert table.attrs["caveat"] == "2 document(s) have no tokens (2, 3): their rate_per_10k is empty (NaN)"
    rates = table[table["variant"] == ""].groupby("doc_id")["rate_per_10k"].first()
    assert rates.isna().tolist() == [False, True, True]


# --------------------------------------------------------------------------- interrupted and failed writes
class Interrupt(BaseException):
    """Stands for Ctrl-C or a kill arriving in the middle of a write."""


def _half_then(exc):
    def writer(self, path, *args, **kwargs):
        Path(path).write_text("doc_id,frame,variant\nseed-000,shared_fu", encoding="utf-8")
        raise exc

    return writer


@pytest.mark.parametrize("fault", [Interrupt(), KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left on device"),
                                   OSError(errno.EIO, "Input/output error")], ids=["kill", "ctrl-c", "disk-full", "io"])
def test_an_interrupted_table_write_leaves_the_previous_pair_intact(tmp_path, monkeypatch, fault):
    out = tmp_path / "rates.csv"
    assert main(["frames", "count", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(before) == {"rates.csv", "rates.csv.json"} and check_sidecar(out)
    monkeypatch.setattr(pd.DataFrame, "to_csv", _half_then(fault))
    argv = ["frames", "count", "--by", "year", "--out", str(out)]
    if isinstance(fault, OSError):
        assert main(argv) == 2
    elif isinstance(fault, KeyboardInterrupt):
        assert main(argv) == 130
    else:
        with pytest.raises(Interrupt):
            main(argv)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # the old table and its own sidecar


def test_an_interrupted_first_write_leaves_nothing(tmp_path, monkeypatch):
    from sco_discourse.provenance import write_table

    monkeypatch.setattr(pd.DataFrame, "to_csv", _half_then(Interrupt()))
    with pytest.raises(Interrupt):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_between_table_and_sidecar_never_pairs_a_table_with_another_run(tmp_path, monkeypatch):
    import sco_discourse.provenance as provenance

    out = tmp_path / "t.csv"
    provenance.write_table(pd.DataFrame({"a": [1]}), out, record={"run": "old"})
    monkeypatch.setattr(provenance, "write_record", lambda *a, **k: (_ for _ in ()).throw(Interrupt()))
    with pytest.raises(Interrupt):
        provenance.write_table(pd.DataFrame({"a": [2]}), out, record={"run": "new"})
    assert out.read_text() == "a\n2\n"
    assert not (tmp_path / "t.csv.json").exists()  # no sidecar rather than the old run's


@pytest.mark.parametrize("fault", [Interrupt(), OSError(errno.ENOSPC, "No space left on device")],
                         ids=["kill", "disk-full"])
def test_an_interrupted_model_save_leaves_the_previous_model_folder_intact(tmp_path, capsys, monkeypatch, fault):
    import pickle

    import sco_discourse.topics.models as models

    folder = tmp_path / "m"
    assert run(capsys, "topics", "fit", "--k", "2", "--method", "nmf", "--out", folder)[0] == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) == {"model.pkl", "model.json", "topic_terms.csv", "doc_topics.csv", "units.csv",
                           "topics.csv", "provenance.json"}

    def half_pickle(obj, fh, protocol=None):
        fh.write(pickle.dumps(obj, protocol=protocol)[:1000])
        raise fault

    monkeypatch.setattr(models.pickle, "dump", half_pickle)
    if isinstance(fault, OSError):
        code, _, err = run(capsys, "topics", "fit", "--k", "3", "--method", "nmf", "--out", folder)
        assert code == 2 and f"sco-discourse: error: {folder}: No space left on device" in err
    else:
        with pytest.raises(Interrupt):
            main(["topics", "fit", "--k", "3", "--method", "nmf", "--out", str(folder)])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no half-built folder beside it


def test_an_interrupted_lexicon_copy_leaves_the_old_file(tmp_path, monkeypatch):
    import sco_discourse.outputs as outputs

    out = tmp_path / "my.yaml"
    out.write_text("my edits\n", encoding="utf-8")

    def fsync_then_die(path):  # the copy is complete on disk, then the process is stopped
        raise Interrupt()

    monkeypatch.setattr(outputs, "_fsync", fsync_then_die)
    with pytest.raises(Interrupt):
        main(["frames", "lexicon", "--out", str(out)])
    assert out.read_text(encoding="utf-8") == "my edits\n" and list(tmp_path.iterdir()) == [out]


_WRITE_MANY = ("import sys, pandas as pd\n"
               "from sco_discourse.provenance import write_table\n"
               "n = int(sys.argv[2])\n"
               "for _ in range(15):\n"
               "    write_table(pd.DataFrame({'writer': [n] * 500}), sys.argv[1], record={'writer': n})\n")


def test_concurrent_writers_of_one_output_leave_a_matching_pair(tmp_path):
    out = tmp_path / "t.csv"
    writers = [subprocess.Popen([sys.executable, "-c", _WRITE_MANY, str(out), str(n)], env=_env()) for n in range(3)]
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0]
    record = read_sidecar(out)
    assert check_sidecar(out)  # the sidecar describes exactly the table beside it
    assert pd.read_csv(out)["writer"].tolist() == [record["writer"]] * 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.csv.json"]


# --------------------------------------------------------------------------- signals (subprocess)
def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_one_line_and_no_output(tmp_path, jobs):
    with gzip.open(SLICE, "rt", encoding="utf-8") as src:
        speeches = [json.loads(line) for line in src]
    corpus = tmp_path / "big.jsonl.gz"  # 30 speeches x 40: long enough to be interrupted while counting
    corpus.write_bytes(_gz(_jsonl({**r, "doc_id": f"{r['doc_id']}-{n}"} for n in range(40) for r in speeches)))
    out = tmp_path / "rates.csv"
    # the child says when the package is imported (a Ctrl-C before that is Python's, not ours)
    code = "import sys; from sco_discourse.cli import main; print('ready', flush=True); sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "frames", "count", "--corpus", str(corpus), "--jobs", jobs,
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert proc.stdout.readline() == b"ready\n"
    time.sleep(1.5)  # reading and counting 1,200 speeches takes longer than this
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.decode().strip().splitlines() == ["sco-discourse: interrupted (no output was half-written)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl.gz"]


def test_sigkill_while_a_model_is_saved_leaves_the_old_folder(tmp_path, capsys):
    folder = tmp_path / "m"
    assert run(capsys, "topics", "fit", "--k", "2", "--method", "nmf", "--out", folder)[0] == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # the child writes half the pickle, says so, and waits to be killed
    code = ("import pickle, sys, time\n"
            "import sco_discourse.topics.models as m\n"
            "def slow(obj, fh, protocol=None):\n"
            "    fh.write(pickle.dumps(obj, protocol=protocol)[:500]); fh.flush()\n"
            "    print('writing', flush=True); time.sleep(120)\n"
            "m.pickle.dump = slow\n"
            "from sco_discourse.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "topics", "fit", "--k", "3", "--method", "nmf", "--out",
                             str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    line = b""
    while b"writing" not in line and proc.poll() is None:
        line = proc.stdout.readline()
    proc.kill()
    proc.wait(timeout=60)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    from sco_discourse.topics import TopicModel

    assert TopicModel.load(folder).n_topics == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "m"]
    assert all(name.startswith(".m.") for name in leftovers)  # a killed writer's temporary folder is hidden


# --------------------------------------------------------------------------- provenance sidecars
@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model") / "m"
    assert main(["topics", "fit", "--k", "2", "--method", "nmf", "--out", str(folder)]) == 0
    return folder


OUT_COMMANDS = [
    ("corpus-info", ["corpus", "info"]),
    ("frames-count", ["frames", "count", "--by", "year", "--n-resamples", "50", "--seed", "3"]),
    ("frames-trend", ["frames", "trend"]),
    ("frames-mentions", ["frames", "mentions"]),
    ("frames-cooccur", ["frames", "cooccur"]),
    ("frames-validate", ["frames", "validate"]),
    ("kwic", ["kwic", "--frame", "shared_future"]),
    ("keywords-freq", ["keywords", "freq", "--top", "20"]),
    ("keywords-keyness", ["keywords", "keyness", "--target", "2021"]),
    ("keywords-collocates", ["keywords", "collocates", "--node", "community"]),
    ("keywords-dispersion", ["keywords", "dispersion", "--top", "20"]),
    ("topics-sweep", ["topics", "sweep", "--k-min", "2", "--k-max", "3", "--seeds", "2", "--method", "nmf",
                      "--no-progress"]),
    ("topics-show", ["topics", "show", "{model}"]),
    ("topics-prevalence", ["topics", "prevalence", "--model", "{model}", "--n-resamples", "50"]),
    ("topics-prevalence-changes", ["topics", "prevalence", "--model", "{model}", "--n-resamples", "50",
                                   "--changes", "{out}"]),
    ("topics-link", ["topics", "link", "--model", "{model}"]),
]


@pytest.mark.parametrize("case, argv", OUT_COMMANDS, ids=[c[0] for c in OUT_COMMANDS])
def test_every_out_table_gets_a_complete_sidecar(tmp_path, capsys, fitted, case, argv):
    out = tmp_path / "table.csv"
    extra = ["--out", str(tmp_path / "prevalence.csv")] if "{out}" in argv else ["--out", str(out)]
    argv = [a.replace("{model}", str(fitted)).replace("{out}", str(out)) for a in argv] + extra
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    record = read_sidecar(out)
    assert check_sidecar(out)
    table = pd.read_csv(out)
    assert record["table"]["rows"] == len(table) and record["table"]["columns"] == list(table.columns)
    assert record["command"] == ["sco-discourse", *argv]
    assert record["written_by"].startswith("sco_discourse ") and record["software"]["numpy"]
    seed = load_corpus()
    if case in ("topics-show", "topics-prevalence", "topics-prevalence-changes"):
        # from a saved model, no corpus read: the model's manifest records the corpus it was fitted on
        assert "corpus" not in record
        assert record["model"]["manifest"]["corpus_fingerprint"] == seed.fingerprint()
        assert record["model"]["folder"] == str(fitted)
    else:
        assert record["corpus"]["fingerprint"] == seed.fingerprint()
        assert (record["corpus"]["documents"], record["corpus"]["skipped_rows"]) == (8, 0)
    if case.startswith(("frames", "kwic", "topics-link")):
        lexicon = load_lexicon()
        assert {k: record["lexicon"][k] for k in ("name", "version", "sha256")} == {
            "name": lexicon.name, "version": lexicon.version, "sha256": lexicon.digest}
    if case == "frames-count":
        assert record["seeds"] == {"random_state": 3, "seed": 3}


def test_the_sidecar_records_the_rows_skipped_and_why(tmp_path, capsys):
    corpus = tmp_path / "c.csv"
    corpus.write_text("id,text,date\n1,the shared future,2021\n2,,2021\n3,third text,someday\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    code, _, err = run(capsys, "frames", "count", "--corpus", corpus, "--skip-bad-rows", "--out", out)
    assert code == 0 and "skipped 2 bad row(s):" in err
    record = read_sidecar(out)["corpus"]
    assert record["path"] == str(corpus.resolve()) and record["documents"] == 1
    assert record["skipped_rows"] == 2
    assert record["skipped"] == [
        {"where": f"{corpus}: row 3", "reason": "field 'text' (column 'text') is missing or empty"},
        {"where": f"{corpus}: row 4", "reason": "field 'date' (column 'date'): cannot read 'someday' as a date "
                                                "(use e.g. 2021-06-15, 2021-06 or 2021)"}]
    assert record["options"]["skip_bad_rows"] is True
    assert read_sidecar(out)["attrs"]["skipped_rows"] == 2


def test_a_table_changed_after_writing_no_longer_matches_its_sidecar(tmp_path):
    out = tmp_path / "t.csv"
    assert main(["corpus", "info", "--out", str(out)]) == 0
    assert check_sidecar(out)
    out.write_text(out.read_text() + "extra,row\n")
    assert not check_sidecar(out)


def test_the_same_run_writes_the_same_sidecar(tmp_path):
    for name in ("a", "b"):
        assert main(["frames", "count", "--by", "year", "--n-resamples", "50", "--out", str(tmp_path / name / "t.csv")]) == 0
    first, second = (read_sidecar(tmp_path / n / "t.csv") for n in ("a", "b"))
    for record in (first, second):
        record["command"] = record["options"]["out"] = None
    assert first == second and (tmp_path / "a/t.csv").read_bytes() == (tmp_path / "b/t.csv").read_bytes()


# --------------------------------------------------------------------------- figures: which project
def test_figures_outside_a_project_needs_out(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "figures", "--no-notebooks")
    assert code == 2
    assert err.strip() == (f"sco-discourse: error: no project here: neither {tmp_path} nor a folder above it holds "
                           "figures/ and notebooks/; run from the project folder or give --out DIR")
    code, _, err = run(capsys, "figures", "--out", tmp_path / "figs")
    assert code == 2 and "no notebooks/ folder in" in err and "--no-notebooks" in err
    assert not (tmp_path / "figs").exists()


def test_figures_works_on_the_project_of_the_current_folder(tmp_path, monkeypatch):
    from sco_discourse.cli.figures import find_project

    clone = tmp_path / "clone"
    (clone / "figures").mkdir(parents=True)
    (clone / "notebooks").mkdir()
    (clone / "paper" / "build").mkdir(parents=True)
    monkeypatch.chdir(clone / "paper" / "build")
    assert find_project() == clone.resolve()  # a clone's own figures/, not the installed checkout's
    monkeypatch.chdir(tmp_path)
    assert find_project() is None


@pytest.mark.parametrize("clean", [False, True])
def test_the_fingerprint_taken_while_validating_is_the_fingerprint(tmp_path, clean):
    from sco_discourse import Corpus

    path = tmp_path / "c.csv"
    path.write_text("id,text,date\n1,<p>hello</p>,2020\n2,world,2021-03\n3,,2022\n2,dup,2023\n", encoding="utf-8")
    corpus = load_corpus(path, on_error="skip", clean=clean)
    again = Corpus.from_documents(list(corpus))  # the same documents, fingerprinted by reading them
    assert corpus.fingerprint() == again.fingerprint()


_DIE_WRITING = ("import os, signal, sys\n"
                "from sco_discourse.outputs import atomic_path, atomic_dir\n"
                "with atomic_path(sys.argv[1]) as tmp:\n"
                "    tmp.write_text('half a ta')\n"
                "    with atomic_dir(sys.argv[1] + '.d') as folder:\n"
                "        (folder / 'x').write_text('y')\n"
                "        os.kill(os.getpid(), signal.SIGKILL)\n")


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    out = tmp_path / "t.csv"
    killed = subprocess.run([sys.executable, "-c", _DIE_WRITING, str(out)], env=_env())
    assert killed.returncode == -9
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 2 and all(name.endswith(".tmp") for name in left)  # SIGKILL: nothing cleaned up
    # a live writer's temporary file is never touched
    from sco_discourse.outputs import _prefix, atomic_dir, write_text

    live = tmp_path / (_prefix(out) + "live.csv.tmp")
    live.write_text("in progress")
    write_text(out, "complete\n")
    with atomic_dir(tmp_path / "t.csv.d") as folder:
        (folder / "x").write_text("z")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "t.csv", "t.csv.d"])
    assert out.read_text() == "complete\n" and (tmp_path / "t.csv.d" / "x").read_text() == "z"


def test_a_folder_moved_aside_by_a_killed_writer_comes_back(tmp_path):
    """Killed between moving the previous model folder aside and moving the new one in:
    the next write restores the previous folder instead of deleting the only copy."""
    from sco_discourse.outputs import _host, atomic_dir

    aside = tmp_path / f".m.{_host()}-999999999.abc.old"  # a writer that no longer runs
    (aside / "m").mkdir(parents=True)
    (aside / "m" / "model.txt").write_text("previous results")
    with pytest.raises(RuntimeError):
        with atomic_dir(tmp_path / "m"):
            raise RuntimeError("the new fit fails")
    assert (tmp_path / "m" / "model.txt").read_text() == "previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("keep_mb", ["100", -1, float("nan"), True])
def test_keep_mb_must_be_a_number_of_megabytes(keep_mb, tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="keep_mb: .* must be a number >= 0"):
        load_corpus(path, keep_mb=keep_mb)
