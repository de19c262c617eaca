"""The validation workflow on a user's corpus: coding sheets (sample_mentions, diff_mentions),
precision / recall / agreement from coded sheets, rates corrected by precision, the CLI, and
the hand-coded UN General Debate sample shipped with the package.

Every expected number is counted by hand from the small corpora below (or computed in the
comment next to it)."""

from __future__ import annotations

import csv
import math
from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from sco_discourse import Corpus, Document
from sco_discourse.cli import main
from sco_discourse.errors import InputError
from sco_discourse.frames.precision import (SheetError, coder_agreement, corrected_rates, load_sheet,
                                            sheet_precision, sheet_recall)
from sco_discourse.frames.sampling import diff_mentions, sample_mentions
from sco_discourse.lexicons.schema import load_lexicon, parse_lexicon


def _corpus():
    # 12 documents: win-win cooperation in each (24 mentions: "win-win cooperation" twice),
    # "multilateralism" in the even ones (6), "true multilateralism" in doc 0 only
    docs = []
    for i in range(12):
        text = f"Doc {i}. We seek win-win cooperation. Again win-win cooperation."
        if i % 2 == 0:
            text += " We uphold multilateralism."
        if i == 0:
            text += " China practises true multilateralism."
        if i == 5:
            text += " A shared future matters to the community."    # cue words, no mention
        docs.append(Document(f"d{i:02d}", text, date=date(2010 + i % 3, 9, 1), meta={"group": "ab"[i % 2]}))
    return Corpus.from_documents(docs, name="toy")


# --------------------------------------------------------------------------- sampling
def test_sample_caps_each_cell_and_records_cell_sizes():
    sheet = sample_mentions(_corpus(), per_cell=5, seed=1)
    cells = sheet.groupby(["frame", "variant"]).agg(n=("sample_id", "size"), size=("cell_size", "first"))
    assert cells.loc[("win_win", "cooperation")].tolist() == [5, 24]
    assert cells.loc[("multilateralism", "generic")].tolist() == [5, 6]
    assert cells.loc[("multilateralism", "true")].tolist() == [1, 1]          # a small cell is taken whole
    assert sheet["sample_id"].tolist() == [f"S{i:04d}" for i in range(1, 12)]
    assert (sheet["judgement"] == "").all() and (sheet["note"] == "").all()
    assert set(sheet["cell"]) == {"win_win:cooperation", "multilateralism:generic", "multilateralism:true"}
    # each row's match is the mention, with its context and sentence
    for row in sheet.itertuples():
        assert row.match.lower().startswith(("win-win", "multilateralism", "true multilateralism"))
        assert row.match in row.sentence and row.year in (2010, 2011, 2012)
    assert sheet.attrs["lexicon"] == "sco_codebook 2.0.0" and sheet.attrs["seed"] == 1


def test_sample_is_reproducible_and_depends_on_the_seed():
    a = sample_mentions(_corpus(), per_cell=5, seed=7)
    b = sample_mentions(_corpus(), per_cell=5, seed=7)
    c = sample_mentions(_corpus(), per_cell=5, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert a["start"].tolist() != c["start"].tolist() or a["doc_id"].tolist() != c["doc_id"].tolist()


def test_sample_by_group_stratifies_each_cell():
    sheet = sample_mentions(_corpus(), per_cell=3, by="group", seed=0)
    cells = sheet.groupby("cell")["cell_size"].first().to_dict()
    # win-win: 12 mentions per group; multilateralism generic: 6 in group "a" (even docs), none in "b"
    assert cells == {"win_win:cooperation:group=a": 12, "win_win:cooperation:group=b": 12,
                     "multilateralism:generic:group=a": 6, "multilateralism:true:group=a": 1}
    assert sheet.groupby("cell").size().to_dict()["win_win:cooperation:group=b"] == 3


def test_editing_the_lexicon_redraws_only_the_cells_it_changes():
    before = sample_mentions(_corpus(), per_cell=4, seed=0)
    text = load_lexicon().text.replace("          - multi-lateralism\n",
                                       "          - multi-lateralism\n          - uphold\n")
    edited = parse_lexicon(text)
    after = sample_mentions(_corpus(), lexicon=edited, per_cell=4, seed=0)
    keep = ["doc_id", "start", "end", "cell"]
    same = lambda t: t[t["frame"] == "win_win"][keep].reset_index(drop=True)   # noqa: E731
    pd.testing.assert_frame_equal(same(before), same(after))
    assert after.query("cell == 'multilateralism:generic'")["cell_size"].iloc[0] == 12


def test_near_misses_are_sentences_with_cue_words_and_no_mention():
    sheet = sample_mentions(_corpus(), per_cell=2, seed=0, near_misses=5, frames=["shared_future", "win_win"])
    near = sheet[sheet["kind"] == "near_miss"]
    # "A shared future matters to the community." holds community/shared/future, no mention
    assert near[["frame", "doc_id", "cell_size"]].values.tolist() == [["shared_future", "d05", 1]]
    assert near["match"].iloc[0] == near["sentence"].iloc[0] == "A shared future matters to the community."
    own = sample_mentions(_corpus(), per_cell=2, seed=0, near_misses=5, frames=["win_win"],
                          cue_words={"win_win": ["we seek"]})
    # "We seek win-win cooperation." holds a mention: no near-miss there
    assert (own["kind"] == "mention").all()


def test_diff_mentions_and_sampling_a_lexicon_change():
    corpus = Corpus.from_documents([
        Document("a", "the European security community and win-win cooperation", date=date(1990, 9, 1)),
        Document("b", "building community and a shared future for humankind", date=date(2017, 9, 1))])
    diff = diff_mentions(corpus, "codebook_v1.yaml")
    assert diff[["doc_id", "frame", "variant", "status", "old_variant"]].values.tolist() == [
        ["a", "four_communities", "security", "old_only", "security"],
        ["a", "win_win", "cooperation", "both", ""],
        ["b", "shared_future", "humankind", "new_only", ""]]
    sheet = sample_mentions(corpus, mentions=diff, by="status", per_cell=5)
    assert sorted(sheet["cell"]) == ["four_communities:security:status=old_only",
                                     "shared_future:humankind:status=new_only", "win_win:cooperation:status=both"]


def test_sample_input_errors():
    with pytest.raises(InputError, match="per_cell must be a whole number"):
        sample_mentions(_corpus(), per_cell=0)
    with pytest.raises(InputError, match="unknown frame 'nope'"):
        sample_mentions(_corpus(), frames=["nope"])
    with pytest.raises(InputError, match="missing column"):
        sample_mentions(_corpus(), mentions=pd.DataFrame({"doc_id": ["d00"]}))
    bad = pd.DataFrame({"doc_id": ["zz"], "frame": ["win_win"], "variant": ["generic"], "start": [0], "end": [3]})
    with pytest.raises(InputError, match="'zz' is not a document"):
        sample_mentions(_corpus(), mentions=bad)


# --------------------------------------------------------------------------- reading sheets
def _sheet(judgements, cells=None, sizes=None, frame="win_win", variant="generic", kind="mention"):
    n = len(judgements)
    return pd.DataFrame({"sample_id": [f"S{i}" for i in range(n)], "kind": kind, "frame": frame,
                         "variant": variant, "cell": cells or ["c"] * n, "cell_size": sizes or [n] * n,
                         "judgement": judgements, "note": ""})


@pytest.mark.parametrize("edit, words", [
    (lambda t: t.assign(judgement=["TRUE", "maybe"]), "row 3, column 'judgement': 'maybe' is not one of"),
    (lambda t: t.assign(cell_size=["2", "two"]), "row 3, column 'cell_size': 'two' is not a whole number"),
    (lambda t: t.assign(sample_id=["S1", "S1"]), "row 3, column 'sample_id': 'S1' appears twice"),
    (lambda t: t.assign(kind=["mention", "other"]), "row 3, column 'kind'"),
    (lambda t: t.assign(cell_size=["2", "3"]), "cell 'c' has different sizes (2, 3)"),
    (lambda t: t.drop(columns="cell"), "header: missing column(s) cell"),
])
def test_load_sheet_errors_name_file_row_and_column(tmp_path, edit, words):
    path = tmp_path / "coded.csv"
    edit(_sheet(["TRUE", "FALSE"]).astype(str)).to_csv(path, index=False)
    with pytest.raises(SheetError) as info:
        load_sheet(path)
    assert str(path) in str(info.value) and words in str(info.value)
    assert isinstance(info.value, InputError)


def test_load_sheet_reads_short_judgements_and_spreadsheet_files(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text("\ufeffsample_id,kind,frame,variant,cell,cell_size,judgement\n"
                    "S1,mention,win_win,generic,c,3,t\nS2,mention,win_win,generic,c,3.0, No \n"
                    "S3,mention,win_win,generic,c,3,\n", encoding="utf-8")
    assert load_sheet(path)["judgement"].tolist() == ["TRUE", "FALSE", ""]
    with pytest.raises(SheetError, match="coding sheet not found"):
        load_sheet(tmp_path / "none.csv")


# --------------------------------------------------------------------------- precision
def test_precision_by_hand_strict_lenient_and_weighted():
    sheet = pd.concat([
        _sheet(["TRUE"] * 6 + ["FALSE", "AMBIGUOUS", "", ""], cells=["g"] * 10, sizes=[100] * 10),
        _sheet(["TRUE", "FALSE"], cells=["c"] * 2, sizes=[4] * 2, variant="cooperation"),
    ], ignore_index=True).assign(sample_id=lambda t: [f"S{i}" for i in range(len(t))])
    table = sheet_precision(sheet).set_index(["frame", "variant"])
    generic = table.loc[("win_win", "generic")]
    # 8 coded (2 empty): strict 6/8, lenient 7/8, Wilson intervals of a single cell
    assert generic[["mentions", "n_coded", "n_true", "n_false", "n_ambiguous", "n_uncoded"]].tolist() == [
        100, 8, 6, 1, 1, 2]
    assert generic["precision"] == 0.75 and generic["precision_lenient"] == 0.875
    from sco_discourse.stats import wilson_interval

    assert (generic["ci_low"], generic["ci_high"]) == pytest.approx(wilson_interval(6, 8))
    assert (generic["lenient_low"], generic["lenient_high"]) == pytest.approx(wilson_interval(7, 8))
    # the frame weights its cells by their mentions: (100 * 0.75 + 4 * 0.5) / 104
    frame = table.loc[("win_win", "")]
    assert frame["mentions"] == 104 and frame["precision"] == pytest.approx(77 / 104)
    assert table.loc[("ALL", ""), "precision"] == pytest.approx(77 / 104)


def test_precision_by_group():
    sheet = _sheet(["TRUE", "FALSE", "TRUE", "TRUE"], cells=["a", "a", "b", "b"], sizes=[5, 5, 2, 2])
    sheet["year"] = [2020, 2020, 2021, 2021]
    table = sheet_precision(sheet, by="year")
    rows = table[(table.frame == "win_win") & (table.variant == "generic")]
    assert rows[["year", "mentions", "precision"]].values.tolist() == [[2020, 5, 0.5], [2021, 2, 1.0]]
    with pytest.raises(SheetError, match="--by column 'iso3' is not in the sheet"):
        sheet_precision(sheet, by="iso3")


def test_several_coders_majority_and_agreement():
    one = _sheet(["TRUE", "TRUE", "FALSE", "FALSE", "TRUE"])
    two = _sheet(["TRUE", "FALSE", "FALSE", "FALSE", "AMBIGUOUS"])
    three = _sheet(["TRUE", "TRUE", "FALSE", "TRUE", "FALSE"])
    # majorities: TRUE, TRUE, FALSE, FALSE, tie of three -> AMBIGUOUS
    table = sheet_precision(one, two, three).set_index(["frame", "variant"])
    assert table.loc[("win_win", "generic"), ["n_true", "n_false", "n_ambiguous"]].tolist() == [2, 2, 1]
    agreement = coder_agreement(one, two).set_index("frame")
    # two coders agree on 3 of 5; kappa from the 3x3 table: p_o = 0.6, marginals T 3/1,
    # F 2/3, A 0/1 -> p_e = (3 + 6 + 0) / 25 = 0.36, kappa = 0.24 / 0.64 = 0.375
    assert agreement.loc["win_win", "percent_agreement"] == pytest.approx(0.6)
    assert agreement.loc["win_win", "cohen_kappa"] == pytest.approx(0.375)
    import krippendorff

    three_way = coder_agreement(one, two, three).set_index("frame").loc["ALL"]
    code = {"TRUE": 0, "FALSE": 1, "AMBIGUOUS": 2}
    data = np.array([[code[v] for v in s["judgement"]] for s in (one, two, three)], dtype=float)
    assert three_way["krippendorff_alpha"] == pytest.approx(krippendorff.alpha(reliability_data=data,
                                                                               level_of_measurement="nominal"))
    assert math.isnan(three_way["cohen_kappa"]) and three_way["n_coders"] == 3
    with pytest.raises(SheetError, match="sample_ids differ"):
        sheet_precision(one, one.assign(sample_id=[f"T{i}" for i in range(5)]))


def test_recall_from_near_misses_by_hand():
    mentions = _sheet(["TRUE"] * 9 + ["FALSE"], sizes=[50] * 10)
    near = _sheet(["TRUE", "FALSE", "FALSE", "FALSE"], cells=["n"] * 4, sizes=[40] * 4, variant="", kind="near_miss")
    sheet = pd.concat([mentions, near], ignore_index=True).assign(sample_id=lambda t: [f"S{i}" for i in range(14)])
    row = sheet_recall(sheet).iloc[0]
    # found right: 50 * 0.9 = 45; missed: 40 near-miss sentences * 1/4 = 10; recall 45 / 55
    assert (row["found"], row["missed"], row["n_missed"]) == (45.0, 10.0, 1)
    assert row["recall"] == pytest.approx(45 / 55)
    assert row["recall_low"] < row["recall"] < row["recall_high"]


# --------------------------------------------------------------------------- corrected rates
PRECISION = pd.DataFrame({"frame": ["win_win", "win_win"], "variant": ["", "cooperation"], "precision": [0.8, 0.5],
                          "ci_low": [0.6, 0.3], "ci_high": [0.9, 0.7], "precision_lenient": [0.9, 0.6],
                          "lenient_low": [0.7, 0.4], "lenient_high": [0.95, 0.8], "n_effective": [30.0, 12.0]})


def test_corrected_rates_point_values_and_fallback_to_the_frame():
    counts = pd.DataFrame({"frame": ["win_win", "win_win", "win_win", "belt_and_road"],
                           "variant": ["", "cooperation", "generic", ""], "count": [20, 10, 10, 5],
                           "rate_per_10k": [4.0, 2.0, 2.0, 1.0]})
    out = corrected_rates(counts, PRECISION)
    assert out["rate_corrected"].tolist()[:3] == pytest.approx([3.2, 1.0, 1.6])     # generic: the frame's 0.8
    assert out["count_corrected"].tolist()[:3] == pytest.approx([16.0, 5.0, 8.0])
    assert math.isnan(out["rate_corrected"].iloc[3])
    assert "no precision for frame(s) belt_and_road" in out.attrs["caveat"]
    lenient = corrected_rates(counts, PRECISION, use="lenient")
    assert lenient["rate_corrected"].iloc[0] == pytest.approx(3.6)


def test_corrected_interval_without_rate_uncertainty_is_the_beta_interval():
    # a per-document table has no rate interval: only the precision varies
    from scipy.stats import beta

    counts = pd.DataFrame({"frame": ["win_win"], "variant": [""], "count": [20], "rate_per_10k": [4.0]})
    out = corrected_rates(counts, PRECISION, n_draws=200_000).iloc[0]
    a, b = 0.8 * 30 + 0.5, 0.2 * 30 + 0.5
    assert out["corrected_low"] == pytest.approx(4.0 * beta.ppf(0.025, a, b), rel=0.01)
    assert out["corrected_high"] == pytest.approx(4.0 * beta.ppf(0.975, a, b), rel=0.01)


def test_corrected_interval_with_a_certain_precision_is_the_rate_interval():
    counts = pd.DataFrame({"frame": ["win_win"], "variant": [""], "count": [50], "rate_per_10k": [2.0],
                           "ci_low": [1.5], "ci_high": [2.6]})
    certain = PRECISION.assign(precision=1.0, ci_low=1.0, ci_high=1.0, n_effective=1e9)
    out = corrected_rates(counts, certain, n_draws=200_000).iloc[0]
    # the log-normal fitted to [1.5, 2.6] around 2.0 gives back (nearly) that interval
    sigma = (math.log(2.6) - math.log(1.5)) / (2 * 1.959964)
    assert out["corrected_low"] == pytest.approx(2.0 * math.exp(-1.959964 * sigma), rel=0.01)
    assert out["corrected_high"] == pytest.approx(2.0 * math.exp(1.959964 * sigma), rel=0.01)


def test_corrected_interval_covers_the_true_rate():
    # simulation: true rate 3.0 per 10k estimated with a log-normal error (sigma 0.2) and a
    # 95% interval; true precision 0.7 estimated from 30 coded mentions. The corrected
    # interval should cover 3.0 * 0.7 about 95% of the time.
    rng = np.random.default_rng(11)
    z = 1.959964
    hits = 0
    reps = 300
    for _ in range(reps):
        rate = 3.0 * math.exp(rng.normal(0, 0.2))
        k = rng.binomial(30, 0.7)
        counts = pd.DataFrame({"frame": ["win_win"], "variant": [""], "count": [100], "rate_per_10k": [rate],
                               "ci_low": [rate * math.exp(-z * 0.2)], "ci_high": [rate * math.exp(z * 0.2)]})
        prec = PRECISION.iloc[:1].assign(precision=k / 30, n_effective=30.0)
        out = corrected_rates(counts, prec, n_draws=2000, random_state=int(rng.integers(1e9))).iloc[0]
        hits += out["corrected_low"] <= 2.1 <= out["corrected_high"]
    assert 0.90 <= hits / reps <= 0.99


def test_corrected_rates_zero_counts_and_input_errors():
    counts = pd.DataFrame({"frame": ["win_win"], "variant": [""], "count": [0], "rate_per_10k": [0.0],
                           "ci_low": [0.0], "ci_high": [1.2]})
    out = corrected_rates(counts, PRECISION).iloc[0]
    assert (out["rate_corrected"], out["corrected_low"]) == (0.0, 0.0)
    assert out["corrected_high"] == pytest.approx(1.2 * 0.9)
    with pytest.raises(InputError, match="use must be"):
        corrected_rates(counts, PRECISION, use="both")
    with pytest.raises(InputError, match="counts: missing column"):
        corrected_rates(counts.drop(columns="count"), PRECISION)
    with pytest.raises(InputError, match="per group"):
        corrected_rates(counts, PRECISION.assign(year=2020))


# --------------------------------------------------------------------------- the command line
def test_cli_sample_then_precision(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    assert main(["frames", "sample", "--per-cell", "3", "--frame", "shared_future", "--frame", "three_evils",
                 "--seed", "2", "--near-misses", "1", "--out", str(sheet)]) == 0
    err = capsys.readouterr().err
    assert "mentions and" in err and "near-miss" in err
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert {"sample_id", "doc_id", "year", "frame", "variant", "cell", "cell_size", "left", "match", "right",
            "sentence", "judgement", "note"} <= set(rows[0])
    assert (sheet.parent / "sheet.csv.json").exists()
    for row in rows:
        row["judgement"] = "TRUE" if row["kind"] == "mention" else "FALSE"
    coded = tmp_path / "coded.csv"
    with coded.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "precision.csv"
    assert main(["frames", "precision", "--sheet", str(coded), "--sheet", str(coded), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Recall from near-miss sentences" in printed and "Agreement of 2 coders" in printed
    table = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["precision"] for r in table if r["frame"] == "shared_future" and r["variant"] == ""] == ["1"]


def test_cli_precision_bad_sheet_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    _sheet(["TRUE", "perhaps"]).to_csv(bad, index=False)
    assert main(["frames", "precision", "--sheet", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column 'judgement'" in err and "Traceback" not in err


def test_cli_suppressed(tmp_path):
    out = tmp_path / "s.csv"
    assert main(["frames", "suppressed", "--rule", "requires", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # the seed corpus: the 9 value words and 2 labels of the v1 gold set that codebook v2 does
    # not count (see the gold README), and 4 wordings new in v2 outside a list of values
    # ("mutually beneficial cooperation" twice, "seek common development" twice)
    assert len(rows) == 15 and {r["rule"] for r in rows} == {"requires"}
    assert sorted({r["frame"] for r in rows}) == ["shanghai_spirit_values", "three_evils"]


# --------------------------------------------------------------------------- the shipped UN sample
def _un_sheet(name="validation_ungdc_v2.csv"):
    return load_sheet(str(resources.files("sco_discourse").joinpath("data", name)))


def test_un_sample_is_complete_and_coded():
    sheet = _un_sheet()
    assert len(sheet) == 484 and (sheet["judgement"] != "").all()
    assert sheet["kind"].value_counts().to_dict() == {"mention": 422, "near_miss": 62}
    # 240 mentions of lexicon 2.0.0 (227 also of 1.1.0, 13 new) and 182 of 1.1.0 only
    assert sheet[sheet["kind"] == "mention"]["status"].value_counts().to_dict() == {
        "both": 227, "old_only": 182, "new_only": 13}
    notes = sheet[sheet["judgement"].isin(["FALSE", "AMBIGUOUS"])]["note"]
    assert (notes.str.len() > 0).all()      # every FALSE and AMBIGUOUS row says why


def test_un_sample_meets_the_codebook_v2_target():
    # Every frame of lexicon 2.0.0 with at least 10 mentions on the UN debate has strict
    # precision >= 0.90 on the sample, or is marked specific: false.
    sheet = _un_sheet()
    v2 = sheet[(sheet["kind"] == "mention") & sheet["status"].isin(["both", "new_only"])]
    table = sheet_precision(v2).set_index(["frame", "variant"])
    lex = load_lexicon()
    for frame in lex.frames:
        if (frame, "") not in table.index:
            continue
        row = table.loc[(frame, "")]
        if row["mentions"] >= 10:
            assert row["precision"] >= 0.90 or not lex.frames[frame].specific, (frame, row["precision"])
    assert table.loc[("shared_future", ""), ["n_coded", "n_true"]].tolist() == [21, 20]
    assert table.loc[("belt_and_road", ""), "precision"] == 1.0


def test_un_sample_measures_codebook_v1_as_the_issue_found():
    sheet = _un_sheet()
    v1 = sheet[(sheet["kind"] == "mention") & sheet["status"].isin(["both", "old_only"])]
    table = sheet_precision(v1).set_index(["frame", "variant"])
    assert table.loc[("four_communities", ""), ["n_coded", "n_true"]].tolist() == [14, 3]
    assert table.loc[("new_international_relations", ""), ["n_coded", "n_true"]].tolist() == [10, 7]
    assert table.loc[("shanghai_spirit_values", ""), "n_true"] == 0
    # the codebook's own list rule for the values (round 1): 97 read, none TRUE
    literal = _un_sheet("validation_ungdc_v2_values_round1.csv")
    assert len(literal) == 97 and (literal["judgement"] != "TRUE").all()
    assert sheet_precision(literal).set_index(["frame", "variant"]).loc[("shanghai_spirit_values", ""),
                                                                         "ci_high"] < 0.05
