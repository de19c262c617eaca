"""``sco-discourse keywords freq|keyness|collocates|dispersion``: contracts, options, errors."""

import numpy as np
import pandas as pd
import pytest

from sco_discourse.cli import main
from sco_discourse.dtm import build_dtm
from sco_discourse.keywords import DISPERSION_COLUMNS, KEYNESS_COLUMNS, dispersion, keyness


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keyness_default_by_year_prints_2024_keywords(capsys):
    code, out, err = run(capsys, "keywords", "keyness", "--target", "2024", "--top", "5")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == KEYNESS_COLUMNS
    assert out.splitlines()[1].split()[0] == "kazakhstan"  # strongest 2024 keyword
    assert len(out.splitlines()) == 1 + 10  # 5 positive + 5 negative
    assert "year = 2024" in err and "g2 signed" in err


def test_keyness_csv_contract(tmp_path, capsys, seed):
    out = tmp_path / "k.csv"
    code, _, err = run(capsys, "keywords", "keyness", "--by", "year", "--target", "2024", "--out", str(out))
    assert code == 0 and "wrote" in err
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == KEYNESS_COLUMNS
    assert table["term"].is_unique
    api = keyness(build_dtm(seed), by="year", target=2024)
    assert len(table) == len(api)
    np.testing.assert_allclose(table["g2"], api["g2"], rtol=1e-5)
    np.testing.assert_allclose(table["p_adj"], api["p_adj"], rtol=1e-5)
    assert (table["g2"] > 0).any() and (table["g2"] < 0).any()  # signed, both directions


def test_keyness_options(tmp_path, capsys):
    out = tmp_path / "k.csv"
    code, _, _ = run(capsys, "keywords", "keyness", "--target", "2020", "--reference-group", "2021", "2022",
                     "--ngram", "2", "--remove-stop-words", "--lemma", "--min-count", "2",
                     "--correction", "bonferroni", "--all-columns", "--out", str(out))
    assert code == 0
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == KEYNESS_COLUMNS + ["chi2_yates", "rate_target", "rate_reference"]
    assert (table["count_target"] + table["count_reference"] >= 2).all()
    assert table["term"].str.contains(" ").all()


def test_keyness_against_a_reference_corpus_file(tmp_path, capsys):
    ref = tmp_path / "ref.csv"
    ref.write_text("id,text,date\nr1,The region and the region.,2019-01-01\nr2,Trade talks,2019\n", encoding="utf-8")
    out = tmp_path / "k.csv"
    code, _, err = run(capsys, "keywords", "keyness", "--reference", str(ref), "--out", str(out))
    assert code == 0 and "reference corpus" in err
    table = pd.read_csv(out, keep_default_na=False, na_values=[""]).set_index("term")
    assert table.loc["region", "count_reference"] == 2 and table.loc["region", "g2"] < 0


@pytest.mark.parametrize("argv, message", [
    (["keywords", "keyness", "--target", "1999"], "target 1999 matches no group of year"),
    (["keywords", "keyness", "--target", "2024", "--ngram", "5"], "--ngram"),
    (["keywords", "keyness", "--target", "2024", "--min-count", "0"], "--min-count"),
    (["keywords", "keyness", "--target", "2024", "--by", "party"], "no metadata column 'party'"),
    (["keywords", "keyness", "--target", "2024", "--reference", "x.csv", "--reference-group", "2020"],
     "not both"),
])
def test_errors_exit_2_with_a_message(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_dispersion_csv_contract(tmp_path, capsys, seed):
    out = tmp_path / "d.csv"
    code, _, _ = run(capsys, "keywords", "dispersion", "--min-count", "5", "--out", str(out))
    assert code == 0
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == DISPERSION_COLUMNS
    api = dispersion(build_dtm(seed), min_count=5)
    assert len(table) == len(api) and table["frequency"].min() >= 5
    np.testing.assert_allclose(table["dp_norm"], api["dp_norm"], rtol=1e-5)
    assert table.set_index("term").loc["sco", "range"] == 8  # parts = documents


def test_dispersion_by_year(capsys):
    code, out, _ = run(capsys, "keywords", "dispersion", "--by", "year", "--term", "sco", "health")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == DISPERSION_COLUMNS and len(lines) == 3
    assert lines[1].split()[:3] == ["sco", "189", "5"]


def test_freq(tmp_path, capsys):
    out = tmp_path / "f.csv"
    code, _, _ = run(capsys, "keywords", "freq", "--by", "year", "--ngram", "1-2", "--remove-stop-words",
                     "--top", "3", "--out", str(out))
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["year", "term", "n_words", "count", "rate_per_10k", "doc_freq", "group_tokens"]
    assert table.groupby("year").size().tolist() == [3, 3, 3, 3, 3]
    assert table.iloc[0].tolist()[:4] == [2020, "sco", 1, 19]


def test_collocates_node_and_ngrams(capsys):
    code, out, _ = run(capsys, "keywords", "collocates", "--node", "Shanghai Spirit", "--window", "3",
                       "--remove-stop-words", "--top", "4")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["node", "collocate", "observed"] and len(lines) == 5
    assert lines[1].startswith("shanghai spirit")
    code, out, _ = run(capsys, "keywords", "collocates", "--ngram", "2", "--remove-stop-words", "--top", "3")
    assert code == 0 and "president xi" in out
    code, out, err = run(capsys, "keywords", "collocates", "--node", "zebra")
    assert code == 0 and "does not occur" in err and "(no rows)" in out


def test_keyness_of_every_year(capsys):
    code, out, err = run(capsys, "keywords", "keyness", "--remove-stop-words", "--top", "2")
    assert code == 0 and "each group of year" in err
    lines = out.splitlines()
    assert lines[0].split() == ["year"] + KEYNESS_COLUMNS
    assert len(lines) == 1 + 5 * 4  # five years, 2 positive + 2 negative each
    assert [line.split()[0] for line in lines[1:]] == [y for y in ["2020", "2021", "2022", "2023", "2024"]
                                                       for _ in range(4)]
