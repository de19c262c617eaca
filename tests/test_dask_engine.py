"""The Dask engine gives what the local engine gives: same rows, order, values and attrs.

One ``distributed.LocalCluster`` (2 worker processes, 1 thread each) serves the module;
the shards are the UN General Debate slice (30 speeches, data/ungdc_slice.PROVENANCE.md)
cut into four JSON Lines files, and the seed corpus written as Parquet shards.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from sco_discourse import load_corpus  # noqa: E402
from sco_discourse.cli import main  # noqa: E402
from sco_discourse.corpus.loaders import records_corpus  # noqa: E402
from sco_discourse.dtm import build_dtm  # noqa: E402
from sco_discourse.errors import CorpusError, InputError  # noqa: E402
from sco_discourse.frames import Matcher, frame_counts  # noqa: E402
from sco_discourse.keywords import keyness  # noqa: E402

SLICE = Path(__file__).parent / "data" / "ungdc_slice.jsonl.gz"
# shard names whose order needs numbers read as numbers (part.10 is the last shard)
SHARD_NAMES = ["part.0.jsonl.gz", "part.1.jsonl.gz", "part.2.jsonl", "part.10.jsonl.gz"]
SHARD_SIZES = [7, 8, 8, 7]
SCO = ["CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "PAK", "IND"]


def _records() -> list[dict]:
    with gzip.open(SLICE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write_shards(folder: Path, records: list[dict], names=SHARD_NAMES, sizes=SHARD_SIZES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths, start = [], 0
    for name, size in zip(names, sizes):
        lines = "".join(json.dumps(r) + "\n" for r in records[start:start + size])
        start += size
        path = folder / name
        path.write_bytes(gzip.compress(lines.encode()) if name.endswith(".gz") else lines.encode())
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def client():
    """Two worker processes for the module, closed (and their processes ended) at its end."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def un_shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("un") / "shards"
    write_shards(folder, _records())
    return folder


@pytest.fixture(scope="module")
def seed_shards(tmp_path_factory):
    """The seed corpus as three Parquet shards (3, 3 and 2 documents)."""
    folder = tmp_path_factory.mktemp("seeds") / "shards"
    folder.mkdir()
    table = load_corpus().to_frame()
    table = table[["doc_id", "date", "title", "outlet", "source_file", "language", "text"]]
    for i, (start, stop) in enumerate([(0, 3), (3, 6), (6, 8)]):
        table.iloc[start:stop].to_parquet(folder / f"seeds-{i}.parquet", index=False)
    return folder


def without_engine(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if k != "engine"}


def assert_same_matrix(dask_result, local):
    assert type(dask_result) is type(local)
    assert dask_result.matrix.shape == local.matrix.shape
    assert (dask_result.matrix != local.matrix).nnz == 0
    assert dask_result.matrix.dtype == local.matrix.dtype
    assert list(dask_result.vocabulary) == list(local.vocabulary)
    assert np.array_equal(dask_result.term_length, local.term_length)
    pd.testing.assert_frame_equal(dask_result.docs, local.docs)
    assert without_engine(dask_result.docs.attrs) == local.docs.attrs
    assert (dask_result.doc_counts is None) == (local.doc_counts is None)
    if local.doc_counts is not None:
        assert (dask_result.doc_counts != local.doc_counts).nnz == 0
    assert dask_result.groups == local.groups and dask_result.name == local.name
    if hasattr(local, "attrs"):   # a frame matrix: its keys and their flags too
        assert dask_result.keys == local.keys
        assert list(getattr(dask_result, "specific", [])) == list(getattr(local, "specific", []))
        assert dask_result.attrs["engine"] == "dask"
        assert without_engine(dask_result.attrs) == local.attrs


def assert_same_table(dask_table: pd.DataFrame, local: pd.DataFrame):
    pd.testing.assert_frame_equal(dask_table, local)
    assert without_engine(dask_table.attrs) == without_engine(local.attrs)


# --------------------------------------------------------------------------- the shard folder, locally
def test_shard_folder_reads_like_the_file_in_name_order(un_shards):
    shards = load_corpus(un_shards)
    whole = load_corpus(SLICE)
    assert [d.doc_id for d in shards] == [d.doc_id for d in whole]
    assert [d.text for d in shards] == [d.text for d in whole]
    assert [f.name for f in shards.shards.files] == SHARD_NAMES
    # the 23rd document is the first of part.2 (after 7 + 8 in part.0 and part.1)
    assert list(shards)[15].meta["source_file"] == list(whole)[15].meta["source_file"]


def test_mixed_shard_formats_are_refused(tmp_path, un_shards):
    folder = tmp_path / "mixed"
    shutil.copytree(un_shards, folder)
    load_corpus(folder.parent / "mixed")  # the copy reads
    pd.DataFrame({"id": ["x"], "text": ["peace"]}).to_parquet(folder / "extra.parquet")
    with pytest.raises(CorpusError, match=r"holds files of one format.*jsonl: part\.0\.jsonl\.gz.*parquet: extra"):
        load_corpus(folder)


# --------------------------------------------------------------------------- frames
@pytest.mark.filterwarnings("ignore:frame_counts:UserWarning")
@pytest.mark.parametrize("by", [None, "year", ["iso3", "year"], {"iso3": {"SCO": SCO}}])
def test_frame_counts_identical(client, un_shards, by):
    matcher = Matcher()
    local = matcher.count(load_corpus(un_shards), by=by)
    dask_fm = matcher.count(load_corpus(un_shards, validate=False), by=by, engine="dask", scheduler=client)
    assert_same_matrix(dask_fm, local)
    # not a comparison of empty matrices: 17 shared-future mentions in the slice (11 speeches)
    column = local.term_index("shared_future")
    assert int(local.matrix[:, column].sum()) == 17
    if by is None:
        assert local.matrix[:, column].nnz == 11
    if by is None:   # the per-document matrix: the bootstrap resamples it the same way
        assert_same_table(frame_counts(dask_fm, by="year", n_resamples=200, random_state=3),
                          frame_counts(local, by="year", n_resamples=200, random_state=3))
    else:
        assert_same_table(frame_counts(dask_fm, interval="poisson"), frame_counts(local, interval="poisson"))


def test_mentions_identical(client, un_shards):
    matcher = Matcher()
    for columns in (["iso3", "year"], True, None):
        local = matcher.find(load_corpus(un_shards), columns=columns)
        assert_same_table(matcher.find(un_shards, columns=columns, engine="dask", scheduler=client), local)
    assert len(local) > 100 and local["doc_id"].iloc[0] == "CHN_68_2013"


def test_selection_identical(client, un_shards):
    matcher = Matcher()
    local = matcher.count(load_corpus(un_shards).where("iso3=CHN", "year=2015..2020"), by="year")
    selected = load_corpus(un_shards, validate=False).where("iso3=CHN", "year=2015..2020")
    dask_fm = matcher.count(selected, by="year", engine="dask", scheduler=client)
    assert_same_matrix(dask_fm, local)
    assert dask_fm.docs["year"].tolist() == [2015, 2016, 2017, 2018, 2019, 2020]
    assert len(selected) == 6   # counted by the workers, as the fingerprint
    assert selected.fingerprint() == load_corpus(un_shards).where("iso3=CHN", "year=2015..2020").fingerprint()
    typo = load_corpus(un_shards, validate=False).where("iso=CHN")
    with pytest.raises(CorpusError) as dask_error:
        matcher.count(typo, engine="dask", scheduler=client)
    with pytest.raises(CorpusError) as local_error:
        matcher.count(load_corpus(un_shards).where("iso=CHN"))
    assert str(dask_error.value) == str(local_error.value) and "has a field 'iso'" in str(local_error.value)


def test_parquet_seed_shards_identical(client, seed_shards):
    matcher = Matcher()
    assert [d.doc_id for d in load_corpus(seed_shards)] == [d.doc_id for d in load_corpus()]
    for by in (None, "year"):
        assert_same_matrix(matcher.count(seed_shards, by=by, engine="dask", scheduler=client),
                           matcher.count(load_corpus(seed_shards), by=by))
    assert_same_table(matcher.find(seed_shards, columns=["outlet"], engine="dask", scheduler=client),
                      matcher.find(load_corpus(seed_shards), columns=["outlet"]))


# --------------------------------------------------------------------------- the DTM and keyness
@pytest.mark.parametrize("options", [{}, {"ngram": (1, 3), "remove_stop_words": True, "min_count": 2},
                                     {"lemma": True}])
def test_dtm_identical(client, un_shards, options):
    local = build_dtm(load_corpus(un_shards), **options)
    dask_dtm = build_dtm(un_shards, engine="dask", scheduler=client, **options)
    assert_same_matrix(dask_dtm, local)
    assert dask_dtm.options == local.options
    for name in ("ids", "vocabulary", "doc_starts", "segment_starts"):
        assert np.array_equal(getattr(dask_dtm.stream, name), getattr(local.stream, name)), name
    assert local.n_tokens > 60_000   # 450,800 characters of speeches


def test_keyness_identical(client, un_shards):
    local = build_dtm(load_corpus(un_shards), ngram=(1, 2), remove_stop_words=True)
    dask_dtm = build_dtm(un_shards, ngram=(1, 2), remove_stop_words=True, engine="dask", scheduler=client)
    for by, target in (("year", 2023), ("iso3", "CHN")):
        assert_same_table(keyness(dask_dtm, by=by, target=target), keyness(local, by=by, target=target))
    assert keyness(local, by="iso3", target="CHN")["term"].iloc[0] == "china"   # not an empty table


# --------------------------------------------------------------------------- Dask bags and DataFrames
def test_bag_and_dataframe_identical(client):
    import dask.bag as db
    import dask.dataframe as dd

    from sco_discourse.dask_engine import from_dask

    records = _records()
    matcher = Matcher()
    local = matcher.count(records_corpus(records, name="dask.bag"), by="year")
    assert_same_matrix(matcher.count(db.from_sequence(records, npartitions=3), by="year", engine="dask",
                                     scheduler=client), local)
    frame = pd.DataFrame(records)
    local = build_dtm(load_corpus(frame))
    assert_same_matrix(build_dtm(dd.from_pandas(frame, npartitions=3), engine="dask", scheduler=client), local)
    # the reading options of load_corpus apply: a mapped id column
    renamed = frame.rename(columns={"doc_id": "speech"})
    local = matcher.count(load_corpus(renamed, columns={"id": "speech"}))
    dask_fm = matcher.count(from_dask(dd.from_pandas(renamed, npartitions=2), columns={"id": "speech"}),
                            engine="dask", scheduler=client)
    assert_same_matrix(dask_fm, local)
    assert dask_fm.docs["doc_id"].iloc[0] == "CHN_26_1971"


def test_ids_numbered_over_the_whole_folder(client, tmp_path):
    records = [{k: v for k, v in r.items() if k != "doc_id"} for r in _records()]
    write_shards(tmp_path / "noid", records)
    local = Matcher().count(load_corpus(tmp_path / "noid"))
    dask_fm = Matcher().count(tmp_path / "noid", engine="dask", scheduler=client)
    assert_same_matrix(dask_fm, local)
    assert dask_fm.docs["doc_id"].tolist() == [f"doc-{i}" for i in range(1, 31)]


# --------------------------------------------------------------------------- bad input
def _bad_folder(tmp_path: Path) -> tuple[Path, Path]:
    records = _records()
    records[8] = {**records[8], "text": ""}   # shard 2 (part.1) holds records 7-14: its 2nd line
    paths = write_shards(tmp_path / "bad", records)
    return tmp_path / "bad", paths[1]


def test_bad_row_in_shard_two_names_file_and_row(client, tmp_path):
    folder, shard = _bad_folder(tmp_path)
    with pytest.raises(CorpusError) as local_error:
        load_corpus(folder)
    with pytest.raises(CorpusError) as dask_error:
        Matcher().count(folder, by="year", engine="dask", scheduler=client)
    assert str(dask_error.value) == str(local_error.value)
    assert str(dask_error.value) == f"{shard}: line 2: field 'text' (column 'text') is missing or empty"


def test_skipped_rows_identical(client, tmp_path):
    folder, shard = _bad_folder(tmp_path)
    local_corpus = load_corpus(folder, on_error="skip")
    local = Matcher().count(local_corpus, by="year")
    dask_corpus = load_corpus(folder, on_error="skip", validate=False)
    dask_fm = Matcher().count(dask_corpus, by="year", engine="dask", scheduler=client)
    assert_same_matrix(dask_fm, local)
    assert dask_corpus.skipped == local_corpus.skipped == [
        (f"{shard}: line 2", "field 'text' (column 'text') is missing or empty")]
    assert int(dask_fm.docs["n_docs"].sum()) == 29


def test_duplicate_ids_across_shards(client, tmp_path):
    records = _records()
    records[20] = {**records[20], "doc_id": records[3]["doc_id"]}   # part.2, line 6 repeats part.0, line 4
    paths = write_shards(tmp_path / "dup", records)
    folder = tmp_path / "dup"
    expected = (f"{paths[2]}: line 6: field 'id' duplicate id {records[3]['doc_id']!r} "
                f"(first seen at {paths[0]}: line 4)")
    with pytest.raises(CorpusError) as local_error:
        load_corpus(folder)
    with pytest.raises(CorpusError) as dask_error:
        Matcher().count(folder, engine="dask", scheduler=client)
    assert str(local_error.value) == str(dask_error.value) == expected
    local_corpus = load_corpus(folder, on_error="skip")
    dask_corpus = load_corpus(folder, on_error="skip", validate=False)
    assert_same_matrix(Matcher().count(dask_corpus, engine="dask", scheduler=client),
                       Matcher().count(local_corpus))
    assert dask_corpus.skipped == local_corpus.skipped and len(local_corpus.skipped) == 1


def test_engine_errors(monkeypatch, un_shards):
    with pytest.raises(InputError, match="expected 'local' or 'dask'"):
        Matcher().count(load_corpus(), engine="spark")
    with pytest.raises(InputError, match="reads a corpus stored as shards"):
        Matcher().count(load_corpus(), engine="dask", scheduler="synchronous")
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)   # as if Dask were not installed
    with pytest.raises(InputError, match=r"pip install \"sco_discourse\[dask\]\""):
        build_dtm(un_shards, engine="dask")


# --------------------------------------------------------------------------- the command line
def test_cli_engine_dask_end_to_end(client, un_shards, tmp_path, capsys):
    address = client.scheduler.address
    common = ["--corpus", str(un_shards), "--by", "year", "--interval", "poisson"]
    assert main(["frames", "count", *common, "--out", str(tmp_path / "local.csv")]) == 0
    assert main(["frames", "count", *common, "--engine", "dask", "--scheduler", address,
                 "--out", str(tmp_path / "dask.csv")]) == 0
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    local_record = json.loads((tmp_path / "local.csv.json").read_text())
    dask_record = json.loads((tmp_path / "dask.csv.json").read_text())
    assert dask_record["corpus"] == local_record["corpus"]      # fingerprint, documents, skipped rows
    assert (dask_record["options"]["engine"], dask_record["attrs"]["engine"]) == ("dask", "dask")
    # the record names the versions of the engine's libraries, the local one does not
    import dask
    import distributed

    assert (dask_record["software"]["dask"], dask_record["software"]["distributed"]) == (dask.__version__,
                                                                                         distributed.__version__)
    assert "dask" not in local_record["software"]
    keyness_args = ["keywords", "keyness", "--corpus", str(un_shards), "--by", "iso3", "--target", "CHN",
                    "--top", "15"]
    assert main([*keyness_args, "--out", str(tmp_path / "k_local.csv")]) == 0
    assert main([*keyness_args, "--engine", "dask", "--scheduler", address, "--out", str(tmp_path / "k_dask.csv")]) == 0
    assert (tmp_path / "k_dask.csv").read_bytes() == (tmp_path / "k_local.csv").read_bytes()
    capsys.readouterr()
    folder, shard = _bad_folder(tmp_path)
    assert main(["frames", "mentions", "--corpus", str(folder), "--engine", "dask", "--scheduler", address]) == 2
    assert f"{shard}: line 2: field 'text'" in capsys.readouterr().err


def test_cli_local_cluster_started_and_closed(un_shards, tmp_path):
    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert main(["frames", "mentions", "--corpus", str(un_shards), "--engine", "dask", "--jobs", "1",
                 "--out", str(tmp_path / "m.csv")]) == 0
    assert main(["frames", "mentions", "--corpus", str(un_shards), "--out", str(tmp_path / "m_local.csv")]) == 0
    assert (tmp_path / "m.csv").read_bytes() == (tmp_path / "m_local.csv").read_bytes()
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert left == []
