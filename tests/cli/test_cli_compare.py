"""`sco-discourse frames compare`: the CSV it writes, its rates checked against `frames count`,
the caveat it prints, and its messages for bad options."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sco_discourse.cli import main

SLICE = Path(__file__).parents[1] / "data" / "ungdc_slice.jsonl.gz"
SCO = "CHN,RUS,KAZ,PAK,UZB,TJK,KGZ,IND"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_compare_csv_agrees_with_per_document_counts(tmp_path, capsys):
    out = tmp_path / "sco.csv"
    assert main(["frames", "compare", "--corpus", str(SLICE), "--by", "iso3", "--target", SCO, "--cluster", "iso3",
                 "--n-resamples", "300", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    rows = read_csv(out)
    assert list(rows[0])[:12] == ["frame", "variant", "specific", "rate_target", "rate_reference", "rate_ratio", "rr_ci_low",
                                  "rr_ci_high", "rate_diff", "diff_ci_low", "diff_ci_high", "p"]
    # the same rates from the per-document table of `frames count`
    per_doc = tmp_path / "per_doc.csv"
    assert main(["frames", "count", "--corpus", str(SLICE), "--out", str(per_doc)]) == 0
    docs = read_csv(per_doc)
    target_ids = {r["doc_id"] for r in docs if r["doc_id"].split("_")[0] in SCO.split(",")}
    for frame in ("shared_future", "win_win"):
        total = [r for r in docs if r["frame"] == frame and r["variant"] == ""]
        count_t = sum(int(r["count"]) for r in total if r["doc_id"] in target_ids)
        tokens_t = sum(int(r["tokens"]) for r in total if r["doc_id"] in target_ids)
        count_r = sum(int(r["count"]) for r in total if r["doc_id"] not in target_ids)
        tokens_r = sum(int(r["tokens"]) for r in total if r["doc_id"] not in target_ids)
        row = next(r for r in rows if r["frame"] == frame and r["variant"] == "")
        assert float(row["rate_target"]) == pytest.approx(1e4 * count_t / tokens_t, rel=1e-5)
        assert float(row["rate_reference"]) == pytest.approx(1e4 * count_r / tokens_r, rel=1e-5)
        assert int(float(row["n_docs_target"])) == 27 and int(float(row["n_docs_reference"])) == 3
        assert int(float(row["n_clusters_target"])) == 8 and int(float(row["n_clusters_reference"])) == 2
    assert "resampled: iso3" in err
    assert "caveat: only 8 clusters in the target, only 2 clusters in the reference" in err
    meta = json.loads((tmp_path / "sco.csv.json").read_text(encoding="utf-8"))
    assert meta["attrs"]["cluster"] == "iso3" and meta["attrs"]["n_resamples"] == 300


def test_compare_with_several_columns_and_an_explicit_reference(tmp_path, capsys):
    out = tmp_path / "years.csv"
    assert main(["frames", "compare", "--corpus", str(SLICE), "--by", "iso3,year", "--target", "iso3=CHN",
                 "--target", "year=2020..2024", "--reference", "iso3=CHN", "--reference", "year=2013..2019",
                 "--n-resamples", "100", "--out", str(out)]) == 0
    row = read_csv(out)[0]
    assert (int(float(row["n_docs_target"])), int(float(row["n_docs_reference"]))) == (5, 7)


@pytest.mark.parametrize("argv, message", [
    (["--by", "iso3", "--target", "XYZ"], "target: no group matches 'XYZ'"),
    (["--by", "iso3,year", "--target", "CHN"], "--target 'CHN': with --by iso3,year give COLUMN=VALUES"),
    (["--by", "iso3", "--target", "CHN", "--cluster", "speaker"], "no metadata column 'speaker'"),
])
def test_compare_bad_options_exit_2_with_a_message(argv, message, capsys):
    assert main(["frames", "compare", "--corpus", str(SLICE), "--n-resamples", "10"] + argv) == 2
    assert message in capsys.readouterr().err
