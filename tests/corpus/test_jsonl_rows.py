"""JSON Lines rows read without copies of the line: the NUL and lone-surrogate checks left
to the records whose bytes hold the escape \\u0000 or one of \\ud800-\\udfff, lines parsed
with their line end, the columns of records that share their keys matched once. Each case
gives what reading the line after stripping it, checking every value and matching every
record gave: the same documents, skips and messages."""

import json

import pytest

from sco_discourse import CorpusError, load_corpus
from sco_discourse.language import detect_language

LINES = [
    '{"id": "a", "text": "kept", "note": "x\\u0000y"}',  # an escaped NUL in another column
    '{"id": "b", "text": "a backslash \\\\u0000 is text"}',  # an escaped backslash: no NUL
    '   \t',  # white space only: not a row
    '{"id": "c", "text": "cut',  # the string is not closed
    '{"id": "d", "text": "ok"} tail',  # something after the object
    '{"id": "e", "text": "fine", "year": 2001}',
]


@pytest.mark.parametrize("encoding, newline", [("utf-8", "\n"), ("utf-8", "\r\n"), ("latin-1", "\n"),
                                               ("utf-16", "\n")])
def test_escaped_nul_line_ends_and_bad_json(tmp_path, encoding, newline):
    path = tmp_path / "c.jsonl"
    path.write_bytes((newline.join(LINES) + newline).encode(encoding))
    corpus = load_corpus(path, on_error="skip", encoding=encoding)
    docs = list(corpus)
    assert [d.doc_id for d in docs] == ["b", "e"]
    assert docs[0].text == "a backslash \\u0000 is text"  # 26 characters, the backslash kept
    assert len(docs[0].text) == 26 and "\x00" not in docs[0].text
    assert docs[1].year == 2001
    # the columns counted on the line without its end (the white space line is no row)
    assert [(where.rsplit(": ", 1)[-1], message) for where, message in corpus.skipped] == [
        ("line 1", "field 'note' holds a NUL character at position 1: not text; the file may be binary or "
                   "in another encoding (UTF-16: --encoding utf-16, encoding='utf-16' in Python)"),
        ("line 4", "is not valid JSON (Unterminated string starting at at column 21)"),
        ("line 5", "is not valid JSON (Extra data at column 27)"),
    ]
    with pytest.raises(CorpusError, match=r"c\.jsonl: line 1: field 'note' holds a NUL character at position 1"):
        load_corpus(path, encoding=encoding)


def test_records_with_new_keys_are_matched_record_by_record(tmp_path):
    # the columns offered are the keys of the first 1,000 records: keys that appear later are
    # matched in each record, and a record whose keys are ambiguous is a bad row every time
    lines = [json.dumps({"id": f"r{i}", "text": "same keys"}) for i in range(1000)]
    lines += [json.dumps({"id": "t1", "text": "one title", "Title": "First"}),
              json.dumps({"id": "t2", "text": "two titles", "Title": "A", "TITLE": "B"}),
              json.dumps({"id": "t3", "text": "two titles again", "Title": "A", "TITLE": "B"}),
              json.dumps({"id": "t4", "text": "one title again", "Title": "Second"}),
              json.dumps({"id": "t5", "text": "no title"})]
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(path, on_error="skip")
    late = {d.doc_id: d for d in corpus if d.doc_id.startswith("t")}
    assert sorted(late) == ["t1", "t4", "t5"]
    assert [late[k].meta["title"] for k in ("t1", "t4", "t5")] == ["First", "Second", None]
    assert "Title" not in late["t1"].meta  # the column is the title, not kept twice
    assert [where.rsplit(": ", 1)[-1] for where, _ in corpus.skipped] == ["line 1002", "line 1003"]
    assert all(message.startswith("field 'title' columns ['Title', 'TITLE'] could each be the field 'title'")
               for _, message in corpus.skipped)


@pytest.mark.parametrize("text, language", [
    ("Typographic \u2019quotes\u2019 \u2014 and \u2026", "en"),  # the highest character is below U+3000
    ("An ideographic comma\u3001 and a full stop\u3002 are not Chinese", "en"),  # from U+3000, not Han
    ("\u4e2d\u6587\u3001\u6587\u672c", "zh"),  # Han characters and an ideographic comma
    ("English text that names \u4e0a\u6d77 once", "en"),  # 2 Han characters among 25 letters
])
def test_language_when_the_text_is_not_ascii(text, language):
    assert detect_language(text) == language


SURROGATE_LINES = [
    '{"id": "a", "text": "half a pair \\ud800 here"}',             # a lone high surrogate
    '{"id": "b", "text": "a pair \\ud83d\\ude00 is one character"}',  # U+1F600: kept
    '{"id": "c", "text": "ok", "note": "low half \\uDC00"}',         # a lone low one, upper-case hex
    '{"id": "d", "text": "the escape \\\\ud800 is text"}',          # an escaped backslash: no surrogate
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_lone_surrogate_is_a_bad_row_naming_line_field_and_position(tmp_path, encoding):
    # a JSON escape of half a UTF-16 pair gives no character: before, it went through loading
    # and broke the corpus fingerprint (or a written table) with a traceback
    path = tmp_path / "s.jsonl"
    path.write_bytes(("\n".join(SURROGATE_LINES) + "\n").encode(encoding))
    corpus = load_corpus(path, on_error="skip", encoding=encoding)
    docs = list(corpus)
    assert [d.doc_id for d in docs] == ["b", "d"]
    assert docs[0].text == "a pair \U0001f600 is one character"
    assert docs[1].text == "the escape \\ud800 is text"
    assert [(where.rsplit(": ", 1)[-1], message) for where, message in corpus.skipped] == [
        ("line 1", "field 'text' holds a lone surrogate (U+D800) at position 12: half of a UTF-16 pair, not a "
                   "character (in JSON an escape \\ud800 without its partner); correct the file, or skip the "
                   "row (on_error='skip')"),
        ("line 3", "field 'note' holds a lone surrogate (U+DC00) at position 9: half of a UTF-16 pair, not a "
                   "character (in JSON an escape \\udc00 without its partner); correct the file, or skip the "
                   "row (on_error='skip')"),
    ]
    with pytest.raises(CorpusError, match=r"s\.jsonl: line 1: field 'text' holds a lone surrogate \(U\+D800\)"):
        load_corpus(path, encoding=encoding)


def test_a_lone_surrogate_in_records_given_in_python_is_refused():
    from sco_discourse.corpus.loaders import records_corpus

    with pytest.raises(CorpusError, match=r"row 2: field 'text' holds a lone surrogate \(U\+DFFF\) at position 1"):
        records_corpus([{"id": "a", "text": "fine"}, {"id": "b", "text": "x\udfff"}])
