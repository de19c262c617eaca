"""The `frames` and `kwic` commands: the CSV contract other tools read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sco_discourse.cli import main
from sco_discourse.lexicons.schema import load_lexicon

SLICE = Path(__file__).parents[1] / "data" / "ungdc_slice.jsonl.gz"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_count_by_year_csv_contract(tmp_path):
    out = tmp_path / "by_year.csv"
    assert main(["frames", "count", "--by", "year", "--n-resamples", "200", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["year", "frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters",
                             "rate_per_10k_chars", "n_docs", "docs_with_mention", "share_docs", "ci_low", "ci_high"]
    keys = load_lexicon().keys()
    assert len(rows) == 5 * len(keys)
    assert {r["frame"] for r in rows} == {k[0] for k in keys}
    total = [r for r in rows if r["year"] == "2020" and r["frame"] == "shared_future" and r["variant"] == ""]
    assert total[0]["count"] == "3"
    # the lexicon and interval settings travel with the CSV in OUT.json
    import json

    meta = json.loads((tmp_path / "by_year.csv.json").read_text(encoding="utf-8"))
    lexicon = load_lexicon()
    assert meta["table"]["file"] == "by_year.csv" and meta["written_by"].startswith("sco_discourse ")
    assert meta["attrs"]["lexicon_version"] == lexicon.version and meta["attrs"]["lexicon_name"] == lexicon.name
    assert (meta["attrs"]["interval"], meta["attrs"]["n_resamples"], meta["attrs"]["random_state"]) == ("bootstrap", 200, 0)


def test_count_per_document_and_by_source_file(tmp_path):
    out = tmp_path / "docs.csv"
    assert main(["frames", "count", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["doc_id", "frame", "variant", "specific", "count", "tokens", "rate_per_10k", "characters",
                             "rate_per_10k_chars"]
    out2 = tmp_path / "pages.csv"
    assert main(["frames", "count", "--by", "source_file", "--interval", "poisson", "--out", str(out2)]) == 0
    pages = {r["source_file"] for r in read_csv(out2)}
    assert len(pages) == 5


def test_count_on_a_gzip_jsonl_corpus(tmp_path):
    out = tmp_path / "ungdc.csv"
    assert main(["frames", "count", "--corpus", str(SLICE), "--by", "iso3", "--interval", "poisson",
                 "--out", str(out)]) == 0
    rows = read_csv(out)
    chn = [r for r in rows if r["iso3"] == "CHN" and r["frame"] == "shared_future" and r["variant"] == ""]
    assert chn[0]["n_docs"] == "13" and int(chn[0]["count"]) >= 16


def test_lexicon_copy_round_trip_and_bad_lexicon(tmp_path, capsys):
    assert main(["frames", "lexicon"]) == 0
    printed = capsys.readouterr().out
    assert "name: sco_codebook" in printed and "shared_future:" in printed
    copy = tmp_path / "mine.yaml"
    assert main(["frames", "lexicon", "--out", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == printed
    assert load_lexicon(copy).label == "sco_codebook 2.0.0"
    edited = copy.read_text(encoding="utf-8").replace("          - win-win\n", "          - win-win\n          - win-win\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited, encoding="utf-8")
    assert main(["frames", "count", "--lexicon", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "frames.win_win.variants.generic.patterns[1]" in err and "Traceback" not in err


def test_mentions_and_kwic(tmp_path, capsys):
    out = tmp_path / "m.csv"
    assert main(["frames", "mentions", "--frame", "three_evils", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["doc_id", "frame", "variant", "start", "end", "text", "sentence", "paragraph"]
    assert len(rows) == 7   # the gold set's three_evils mentions under codebook v2
    capsys.readouterr()
    assert main(["kwic", "--frame", "shared_future", "--variant", "mankind", "--window", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert all("[community with a shared future] for mankind" in line for line in lines)
    # aligned: the match starts at the same column on every line
    assert len({line.index("[") for line in lines}) == 1
    out2 = tmp_path / "k.csv"
    assert main(["kwic", "--pattern", "Shanghai Spirit", "--meta", "year", "--out", str(out2)]) == 0
    assert list(read_csv(out2)[0]) == ["doc_id", "year", "left", "match", "right", "start", "end", "frame",
                                       "variant"]


def test_cooccur_and_trend(tmp_path):
    out = tmp_path / "c.csv"
    assert main(["frames", "cooccur", "--by", "year", "--out", str(out)]) == 0
    assert list(read_csv(out)[0]) == ["frame_a", "frame_b", "year", "n_a", "n_b", "n_ab", "n_units", "jaccard",
                                      "pmi"]
    out2 = tmp_path / "t.csv"
    assert main(["frames", "trend", "--out", str(out2)]) == 0
    assert list(read_csv(out2)[0])[:6] == ["frame", "variant", "specific", "n_docs", "n_years", "irr_per_year"]


def test_validate_prints_scores_and_disagreements(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["frames", "validate", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "precision" in text and "recall" in text
    assert list(read_csv(out)[0])[:8] == ["frame", "variant", "tp", "fp", "fn", "precision", "recall", "f1"]


@pytest.mark.parametrize("argv", [["kwic", "--frame", "nope"], ["frames", "count", "--by", "no_such_column"]])
def test_user_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err


# --------------------------------------------------------------------------- selection and grouping
SCO = "CHN,RUS,KAZ,KGZ,TJK,UZB,IND,PAK,IRN,BLR"


def test_where_selects_documents_before_counting(tmp_path):
    out = tmp_path / "chn.csv"
    assert main(["frames", "count", "--corpus", str(SLICE), "--where", "iso3=CHN", "--where", "year=2013..2024",
                 "--by", "year", "--interval", "poisson", "--out", str(out)]) == 0
    rows = [r for r in read_csv(out) if r["frame"] == "shared_future" and r["variant"] == ""]
    # China's speeches 2013-2024 (1971 left out by the second condition): counted in test_frame_counts
    # (2017: "community and a shared future", a form of codebook v2)
    assert [r["year"] for r in rows] == [str(y) for y in range(2013, 2025)]
    assert [int(r["count"]) for r in rows] == [1, 0, 1, 1, 1, 2, 2, 2, 1, 2, 3, 1]
    assert all(r["n_docs"] == "1" for r in rows)


def test_where_on_a_field_no_document_has_is_an_error(capsys):
    assert main(["frames", "count", "--corpus", str(SLICE), "--where", "iso=CHN"]) == 2
    err = capsys.readouterr().err
    assert "--where 'iso=CHN': no document of" in err and "has a field 'iso'" in err and "iso3" in err


def test_by_several_columns_and_a_custom_group(tmp_path):
    out = tmp_path / "sco.csv"
    assert main(["frames", "count", "--corpus", str(SLICE), "--group", f"SCO=iso3:{SCO}", "--by", "SCO,year",
                 "--where", "year=2020,2023", "--interval", "poisson", "--out", str(out)]) == 0
    rows = [r for r in read_csv(out) if r["frame"] == "shared_future" and r["variant"] == ""]
    assert list(read_csv(out)[0])[:3] == ["SCO", "year", "frame"]
    # 2020 and 2023: eight speeches of members each (CHN, IND, KAZ, KGZ, PAK, RUS, TJK, UZB), none of others
    assert [(r["SCO"], r["year"], r["n_docs"], r["count"]) for r in rows] == [
        ("SCO", "2020", "8", "2"), ("SCO", "2023", "8", "3")]
    pooled = tmp_path / "pooled.csv"
    assert main(["frames", "count", "--corpus", str(SLICE), "--group", f"SCO=iso3:{SCO}", "--by", "SCO",
                 "--target", "SCO", "--interval", "poisson", "--out", str(pooled)]) == 0
    rows = [r for r in read_csv(pooled) if r["frame"] == "shared_future" and r["variant"] == ""]
    assert [(r["side"], r["n_docs"], r["count"]) for r in rows] == [("target", "27", "17"), ("reference", "3", "0")]


def test_keyness_with_a_custom_group(capsys):
    assert main(["keywords", "keyness", "--corpus", str(SLICE), "--group", f"SCO=iso3:{SCO}", "--by", "SCO",
                 "--target", "SCO", "--top", "3"]) == 0
    captured = capsys.readouterr()
    assert "target: SCO = SCO" in captured.err and "reference: SCO other than SCO" in captured.err
    assert len(captured.out.splitlines()) == 1 + 6


def test_kwic_and_mentions_with_metadata_columns(tmp_path, capsys):
    out = tmp_path / "k.csv"
    assert main(["kwic", "--corpus", str(SLICE), "--frame", "shared_future", "--where", "year=2023",
                 "--meta", "iso3,year", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0])[:4] == ["doc_id", "iso3", "year", "left"]
    assert [(r["doc_id"], r["iso3"], r["year"], r["variant"]) for r in rows] == [
        ("CHN_78_2023", "CHN", "2023", v) for v in ("mankind", "mankind", "humankind")]
    capsys.readouterr()
    assert main(["kwic", "--corpus", str(SLICE), "--frame", "shared_future", "--where", "year=2023",
                 "--meta", "iso3,year", "--window", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("CHN  2023  CHN_78_2023  ") for line in lines)
    out2 = tmp_path / "m.csv"
    assert main(["frames", "mentions", "--corpus", str(SLICE), "--group", f"SCO=iso3:{SCO}", "--meta", "SCO,year",
                 "--where", "iso3=CHN", "--where", "year<2016", "--out", str(out2)]) == 0
    rows = read_csv(out2)
    assert list(rows[0])[:4] == ["doc_id", "SCO", "year", "frame"]
    assert {(r["SCO"], r["year"]) for r in rows} == {("SCO", "2013"), ("SCO", "2014"), ("SCO", "2015")}
    assert main(["kwic", "--frame", "win_win", "--meta", "party"]) == 2
    assert "no metadata column 'party'" in capsys.readouterr().err


def test_count_cluster_option_and_its_errors(capsys):
    from sco_discourse.cli import main

    assert main(["frames", "count", "--by", "year", "--cluster", "outlet", "--n-resamples", "50"]) == 0
    out = capsys.readouterr()
    assert "shared_future" in out.out and "caveat:" in out.err and "UserWarning" not in out.err
    assert main(["frames", "count", "--cluster", "outlet"]) == 2
    assert "--cluster sets what the bootstrap" in capsys.readouterr().err
