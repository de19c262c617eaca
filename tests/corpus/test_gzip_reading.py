"""Reading .gz corpora with ISA-L (``isal.igzip``) gives what the standard library's
:mod:`gzip` gives: the same lines of a sound file, and on damaged data the same lines
before the damage and the same error (ISA-L stops elsewhere, so the loader reads the rest
again with :mod:`gzip`)."""

import gzip
import json
import zlib
from pathlib import Path

import pytest

from sco_discourse import CorpusError, load_corpus
from sco_discourse.corpus.loaders import _byte_lines

DATA = Path(__file__).parents[1] / "data"
SLICE = DATA / "ungdc_slice.jsonl.gz"

_LINES = b"".join(b'{"id": "d%d", "text": "some words %d here and there"}\n' % (i, i * i) for i in range(3000))
_GZ = gzip.compress(_LINES, mtime=0)


def _stdlib(path):
    """(lines, (error type, message)) as gzip reads them."""
    lines = []
    try:
        with gzip.open(path, "rb") as handle:
            for line in handle:
                lines.append(line)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return lines, (type(exc), str(exc))
    return lines, None


def _fast(path):
    lines = []
    try:
        for line in _byte_lines(path):
            lines.append(line)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return lines, (type(exc), str(exc))
    return lines, None


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0xFF
    return bytes(out)


CASES = {
    "sound": _GZ,
    "two members": gzip.compress(b"a\nb\n", mtime=0) + gzip.compress(b"c\n", mtime=0),
    "zero padding after the member": _GZ + b"\x00" * 16,
    "truncated at a quarter": _GZ[: len(_GZ) // 4],
    "truncated at half": _GZ[: len(_GZ) // 2],
    "truncated before the trailer": _GZ[:-4],
    "header only": _GZ[:10],
    "bad CRC": _flip(_GZ, len(_GZ) - 8),
    "bad length": _flip(_GZ, len(_GZ) - 2),
    "damaged block": _flip(_GZ, 300),
    "damaged late block": _flip(_GZ, len(_GZ) - 200),
    "garbage after the member": _GZ + b"garbage!",
    "magic then garbage": b"\x1f\x8bnot gzip at all",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lines_and_errors_are_those_of_the_standard_library(tmp_path, name):
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(CASES[name])
    expected = _stdlib(path)
    assert _fast(path) == expected
    if name == "sound":
        assert expected == (_LINES.splitlines(keepends=True), None)


def test_the_replay_is_needed_isal_alone_stops_earlier(tmp_path):
    """The reason for reading damaged data again with gzip: ISA-L alone gives fewer lines
    before a cut (if this ever stops being true the replay is harmless)."""
    from isal import igzip

    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(CASES["truncated at half"])
    n = 0
    with pytest.raises(EOFError):
        with igzip.open(path, "rb") as handle:
            for _ in handle:
                n += 1
    stdlib_lines, _ = _stdlib(path)
    assert 0 < n <= len(stdlib_lines)
    assert len(_fast(path)[0]) == len(stdlib_lines)


def test_a_gzip_corpus_loads_as_its_uncompressed_copy(tmp_path):
    plain = tmp_path / "ungdc.jsonl"
    plain.write_bytes(gzip.decompress(SLICE.read_bytes()))
    packed, unpacked = list(load_corpus(SLICE)), list(load_corpus(plain))
    assert len(packed) == len(unpacked) == sum(1 for _ in gzip.open(SLICE))
    for a, b in zip(packed, unpacked):
        assert (a.doc_id, a.text, a.raw, a.date, a.date_precision) == (b.doc_id, b.text, b.raw, b.date, b.date_precision)
        assert {**a.meta, "source_file": None} == {**b.meta, "source_file": None}
    # and the texts are the records' own (re-flowed where wrapped)
    with gzip.open(SLICE, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    assert [d.raw if d.meta["reflowed"] else d.text for d in packed] == [r["text"] for r in records]


@pytest.mark.parametrize("on_error", ["raise", "skip"])
def test_a_truncated_corpus_reports_the_line_gzip_stops_at(tmp_path, on_error):
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(CASES["truncated at half"])
    lines, _ = _stdlib(path)
    unread = len(lines) + 1  # the first line not read
    if on_error == "raise":
        with pytest.raises(CorpusError, match=rf"c\.jsonl\.gz: line {unread}: the gzip data is truncated"):
            list(load_corpus(path))
    else:
        corpus = load_corpus(path, on_error="skip")
        assert [d.doc_id for d in corpus] == [f"d{i}" for i in range(len(lines))]
        assert corpus.skipped[0][0] == f"{path}: line {unread}"


def test_a_bad_checksum_names_the_line_gzip_reached(tmp_path):
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(CASES["bad CRC"])
    with pytest.raises(CorpusError, match=r"the gzip data is corrupt \(CRC check failed 0x[0-9a-f]+ != 0x[0-9a-f]+\), "
                                          r"found after line 3000: the file is damaged"):
        list(load_corpus(path))
