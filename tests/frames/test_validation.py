"""Tests of the gold set of hand-coded frame mentions and of the frame validation.

Scores on stand-in tables are computed by hand in the comments next to each assertion.
"""

import hashlib
import math

import pandas as pd
import pytest

from sco_discourse import Corpus, Document
from sco_discourse.errors import InputError
from sco_discourse.errors import GoldError
from sco_discourse.frames import Matcher
from sco_discourse.frames.validation import load_gold, validate_frames

HEADER = "doc_id,frame,variant,text,context,occurrence,note\n"
# The stand-in tables of the loading and scoring tests were worked out for the lexicon of
# codebook v1 (win_win and multilateralism without variants); they keep it.
V1 = "codebook_v1.yaml"
V1_GOLD = "sco_discourse/data/gold_frames_seed_v1.csv"
V1_MATCHER = Matcher(V1)

# The seed texts the gold set was coded on. If cleaning changes a text, the gold set may
# miss mentions in new text: re-read the document, update the gold file, then this table.
CODED_TEXTS = {
    "seed-000": "fd8b879527d3f063",
    "seed-001": "2bb80edae39e4a5d",
    "seed-002a": "988a16d88db4880d",
    "seed-002b": "924b363906bbe58e",
    "seed-002c": "d852c5ec9109c109",
    "seed-002d": "2cbbd027ecff51ea",
    "seed-003": "275eae8c513361f2",
    "seed-004": "2d8cf5564da2815a",
}


@pytest.fixture(scope="module")
def gold(seed):
    return load_gold(corpus=seed)


# --------------------------------------------------------------------------- the gold set
def test_seed_texts_are_the_ones_coded(seed):
    found = {d.doc_id: hashlib.sha256(d.text.encode("utf-8")).hexdigest()[:16] for d in seed}
    assert found == CODED_TEXTS


def test_seed_gold_counts(gold):
    # codebook v2: the 177 mentions of v1 less 9 values outside a list of four values or a
    # Shanghai Spirit sentence and 2 labels with no triad item near them (see the README)
    assert len(gold) == 166
    assert gold["doc_id"].value_counts().sort_index().to_dict() == {
        "seed-000": 10, "seed-001": 41, "seed-002a": 8, "seed-002b": 2,
        "seed-002c": 18, "seed-002d": 3, "seed-003": 40, "seed-004": 44}
    by_frame = gold.groupby("frame").size().to_dict()
    assert by_frame == {"belt_and_road": 25, "four_communities": 30, "global_initiatives": 12,
                        "multilateralism": 5, "new_international_relations": 1,
                        "shanghai_spirit": 30, "shanghai_spirit_values": 25,
                        "shared_future": 23, "three_evils": 7, "win_win": 8}
    assert gold.query("frame == 'win_win'")["variant"].value_counts().to_dict() == {"cooperation": 5, "generic": 3}


def test_seed_gold_of_codebook_v1_is_kept(seed):
    v1 = load_gold(V1_GOLD, corpus=seed, lexicon=V1)
    assert len(v1) == 177 and v1.groupby("frame").size()["shanghai_spirit_values"] == 34


def test_seed_gold_spans_hold_the_coded_text(gold, seed):
    texts = {d.doc_id: d.text for d in seed}
    for row in gold.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text
        assert row.text.lower().replace("“", '"') in row.context.lower().replace("“", '"')


def test_repeated_context_is_located_by_occurrence(gold, seed):
    # seed-001's standfirst is repeated in the body: two mentions, the second later.
    text = seed["seed-001"].text
    spirit = gold[(gold.doc_id == "seed-001") & (gold.context.str.startswith("China has been firmly"))]
    assert spirit["occurrence"].tolist() == [1, 2]
    first, second = spirit["start"].tolist()
    assert text.find("Shanghai Spirit") == first
    assert text.find("Shanghai Spirit", first + 1) == second


def test_three_evils_also_called_is_two_labels_and_a_triad(gold):
    rows = gold[(gold.doc_id == "seed-002c") & (gold.frame == "three_evils")]
    assert rows["variant"].tolist() == ["label", "label", "label", "triad"]
    assert rows["text"].tolist()[1:] == ["three evils", "three evil forces",
                                         "terrorism, separatism, and extremism"]


# --------------------------------------------------------------------------- load_gold errors
def _doc_corpus():
    return Corpus.from_documents([
        Document("d1", "Build a closer SCO community with a shared future. "
                       "Carry forward the “Shanghai Spirit”. Carry forward the “Shanghai Spirit”."),
        Document("d2", "Win-win cooperation and genuine multilateralism."),
    ], name="test corpus")


def _write(tmp_path, body, name="gold.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_load_gold_user_file_quotes_and_occurrence(tmp_path):
    # straight quotes in the file locate curly quotes in the text; occurrence 2 = later span
    path = _write(tmp_path,
                  'd1,shared_future,sco,community with a shared future,closer SCO community with a shared future,,\n'
                  'd1,shanghai_spirit,,Shanghai Spirit,"Carry forward the ""Shanghai Spirit""",2,second\n'
                  "d2,win_win,,Win-win,Win-win cooperation,1,\n")
    gold = load_gold(path, corpus=_doc_corpus(), lexicon=V1)
    assert gold[["doc_id", "frame", "variant", "start", "end", "occurrence", "row"]].values.tolist() == [
        ["d1", "shared_future", "sco", 19, 49, 1, 1],
        ["d1", "shanghai_spirit", "", 107, 122, 2, 2],
        ["d2", "win_win", "", 0, 7, 1, 3],
    ]
    assert gold.loc[1, "text"] == "Shanghai Spirit" and gold.loc[1, "note"] == "second"


@pytest.mark.parametrize("body, field, words", [
    ("dX,win_win,,Win-win,Win-win cooperation,1,\n", "doc_id", "'dX' is not a document"),
    ("d2,winwin,,Win-win,Win-win cooperation,1,\n", "frame", "'winwin' is not a frame"),
    ("d1,shared_future,global,community with a shared future,SCO community with a shared future,1,\n",
     "variant", "'global' is not a variant of frame 'shared_future'"),
    ("d1,shared_future,,community with a shared future,SCO community with a shared future,1,\n",
     "variant", "'' is not a variant"),
    ("d2,win_win,sco,Win-win,Win-win cooperation,1,\n", "variant", "has no variants"),
    ("d2,win_win,,win-win,genuine multilateralism,1,\n", "text", "is not inside the context"),
    ("d2,win_win,,Win-win,Win-win partnership,1,\n", "context", "is not in the text of document 'd2'"),
    ("d2,win_win,,Win-win,Win-win cooperation,2,\n", "occurrence", "occurs 1 time(s)"),
    ("d2,win_win,,Win-win,Win-win cooperation,first,\n", "occurrence", "not a whole number"),
    ("d2,win_win,,Win-win,Win-win cooperation,0,\n", "occurrence", "not a whole number"),
    ("d2,,,Win-win,Win-win cooperation,1,\n", "frame", "empty"),
])
def test_load_gold_row_errors_name_file_row_and_field(tmp_path, body, field, words):
    # the faulty row is the second data row (line 3 of the file)
    path = _write(tmp_path, "d2,multilateralism,,multilateralism,genuine multilateralism,1,\n" + body)
    with pytest.raises(GoldError) as info:
        load_gold(path, corpus=_doc_corpus(), lexicon=V1)
    message = str(info.value)
    assert str(path) in message
    assert "row 2 (line 3)" in message
    assert f"field '{field}'" in message
    assert words in message
    assert isinstance(info.value, InputError)


def test_load_gold_duplicate_mention_names_both_rows(tmp_path):
    path = _write(tmp_path, "d2,win_win,,Win-win,Win-win cooperation,1,\n"
                            "d2,win_win,,Win-win,Win-win coop,1,\n")
    with pytest.raises(GoldError, match=r"row 2 \(line 3\), field 'context': locates the same "
                                        r"win_win mention as row 1"):
        load_gold(path, corpus=_doc_corpus(), lexicon=V1)


def test_load_gold_missing_column_and_bad_files(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("doc_id,frame,text,context\nd2,win_win,Win-win,Win-win cooperation\n")
    with pytest.raises(GoldError, match=r"g\.csv, header: missing column\(s\) variant"):
        load_gold(path, corpus=_doc_corpus(), lexicon=V1)
    with pytest.raises(GoldError, match="gold file not found"):
        load_gold(tmp_path / "none.csv", corpus=_doc_corpus())
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GoldError, match=r"empty\.csv: empty file"):
        load_gold(empty, corpus=_doc_corpus())
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "d2,win_win,,Win-win,Win-win “x”,1,\n".encode("cp1252"))
    with pytest.raises(GoldError, match=r"latin\.csv: not UTF-8"):
        load_gold(latin, corpus=_doc_corpus(), lexicon=V1)


def test_load_gold_dataframe_errors_name_the_row():
    frame = pd.DataFrame({"doc_id": ["d2", "d2"], "frame": ["win_win", "win_win"],
                          "variant": [None, None], "text": ["Win-win", "Win-win"],
                          "context": ["Win-win cooperation", "Win-win cooperation"],
                          "occurrence": [1, 3]})
    with pytest.raises(GoldError, match=r"^<DataFrame>, row 2, field 'occurrence': the context "
                                        r"occurs 1 time\(s\) in document 'd2', not 3$"):
        load_gold(frame, corpus=_doc_corpus(), lexicon=V1)


def test_load_gold_note_and_occurrence_columns_are_optional(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("doc_id,frame,variant,text,context\n\nd2,win_win,,Win-win,Win-win cooperation\n")
    gold = load_gold(path, corpus=_doc_corpus(), lexicon=V1)
    assert gold[["occurrence", "note", "row"]].values.tolist() == [[1, "", 1]]


# --------------------------------------------------------------------------- scoring logic
TEXT = ("Build a closer SCO community with a shared future and a community with a shared "
        "future for mankind. Uphold the Shanghai Spirit, then win-win results.")


def _stand_in():
    corpus = Corpus.from_documents([Document("a", TEXT), Document("b", "Nothing coded here.")])
    gold = pd.DataFrame({
        "doc_id": ["a"] * 4,
        "frame": ["shared_future", "shared_future", "shanghai_spirit", "win_win"],
        "variant": ["sco", "mankind", "", ""],
        "text": ["community with a shared future", "community with a shared future",
                 "Shanghai Spirit", "win-win"],
        "context": ["SCO community with a shared future", "a community with a shared future for",
                    "the Shanghai Spirit", "win-win"],
    })
    sco = TEXT.find("community")
    mankind = TEXT.find("community", sco + 1)
    spirit = TEXT.find("Shanghai Spirit")
    found = pd.DataFrame(
        [("a", "shared_future", "sco", sco, sco + 30),                    # TP, variant right
         ("a", "shared_future", "unqualified", mankind, mankind + 30),     # TP frame, wrong variant
         ("a", "shanghai_spirit", None, spirit, spirit + 15),             # TP
         ("a", "shanghai_spirit", None, spirit + 3, spirit + 10),         # overlaps, 2nd pair: FP
         ("b", "win_win", None, 0, 7)],                                   # FP, win-win in a missed
        columns=["doc_id", "frame", "variant", "start", "end"])
    return corpus, gold, found


def _row(scores, frame, variant=""):
    row = scores[(scores.frame == frame) & (scores.variant == variant)]
    assert len(row) == 1
    return row.iloc[0]


def test_scores_by_hand():
    corpus, gold, found = _stand_in()
    result = validate_frames(corpus, gold, mentions=found, matcher=V1_MATCHER)
    s = result.scores
    # shared_future: 2 gold, 2 found, both paired -> tp 2; P = R = 1
    assert _row(s, "shared_future")[["tp", "fp", "fn", "precision", "recall", "f1"]].tolist() == [2, 0, 0, 1.0, 1.0, 1.0]
    # variant sco: tp 1; mankind: gold 1 not found with that variant -> fn 1, P = 0/0
    assert _row(s, "shared_future", "sco")[["tp", "fp", "fn"]].tolist() == [1, 0, 0]
    mankind = _row(s, "shared_future", "mankind")
    assert mankind[["tp", "fp", "fn"]].tolist() == [0, 0, 1]
    assert math.isnan(mankind["precision"]) and mankind["recall"] == 0 and math.isnan(mankind["f1"])
    unq = _row(s, "shared_future", "unqualified")
    assert unq[["tp", "fp", "fn", "precision"]].tolist() == [0, 1, 0, 0.0] and math.isnan(unq["recall"])
    # shanghai_spirit: 1 gold, 2 found -> tp 1 fp 1; P 1/2, R 1, F1 2*.5*1/1.5 = 2/3
    spirit = _row(s, "shanghai_spirit")
    assert spirit[["tp", "fp", "fn"]].tolist() == [1, 1, 0]
    assert spirit["precision"] == 0.5 and spirit["recall"] == 1.0
    assert spirit["f1"] == pytest.approx(2 / 3)
    # win_win: the only prediction is in another document -> tp 0 fp 1 fn 1; F1 = 0
    assert _row(s, "win_win")[["tp", "fp", "fn", "precision", "recall", "f1"]].tolist() == [0, 1, 1, 0.0, 0.0, 0.0]
    # ALL (micro over frame rows): tp 3, fp 2, fn 1 -> P 3/5, R 3/4, F1 2*.6*.75/1.35 = 2/3
    total = s.iloc[-1]
    assert total["frame"] == "ALL" and total["variant"] == ""
    assert total[["tp", "fp", "fn"]].tolist() == [3, 2, 1]
    assert total["precision"] == pytest.approx(0.6) and total["recall"] == pytest.approx(0.75)
    assert total["f1"] == pytest.approx(2 / 3)
    # frames nobody found or coded: zeros, undefined ratios
    nir = _row(s, "new_international_relations")
    assert nir[["tp", "fp", "fn"]].tolist() == [0, 0, 0] and math.isnan(nir["precision"])
    assert list(s.columns) == ["frame", "variant", "tp", "fp", "fn", "precision", "recall", "f1"]
    assert result.lexicon == "sco_codebook 1.1.0"


def test_disagreements_are_kwic_lines():
    corpus, gold, found = _stand_in()
    d = validate_frames(corpus, gold, mentions=found, width=12, matcher=V1_MATCHER).disagreements
    assert d[["doc_id", "frame", "variant", "kind"]].values.tolist() == [
        ["a", "shared_future", "mankind", "wrong_variant"],
        ["a", "shanghai_spirit", "", "spurious"],
        ["a", "win_win", "", "missed"],
        ["b", "win_win", "", "spurious"],
    ]
    wrong = d.iloc[0]
    assert (wrong["left"], wrong["match"], wrong["right"]) == (
        "uture and a ", "community with a shared future", " for mankind")
    assert wrong["note"] == "matcher: unqualified"
    assert d.iloc[1]["match"] == "nghai S"
    assert d.iloc[2]["match"] == "win-win" and d.iloc[2]["right"] == " results."
    assert (d.iloc[3]["left"], d.iloc[3]["match"]) == ("", "Nothing")


def test_report_text_lists_scores_and_aligned_kwic():
    corpus, gold, found = _stand_in()
    report = str(validate_frames(corpus, gold, mentions=found, width=12, matcher=V1_MATCHER))
    assert "lexicon sco_codebook 1.1.0; 2 documents, 4 gold mentions, 5 found by the matcher" in report
    assert "Disagreements: 4" in report
    lines = [line for line in report.splitlines() if line.startswith(("a  ", "b  "))]
    assert len(lines) == 4
    assert lines[0].startswith("a  wrong_variant shared_future/mankind")
    assert "uture and a [community with a shared future] for mankind   (matcher: unqualified)" in lines[0]
    # the opening bracket of each KWIC line is in the same column
    assert len({line.index("[") for line in lines}) == 1


def test_pairing_is_one_to_one_and_optimal():
    # gold A [0, 10) and B [8, 12); prediction 1 [5, 11) overlaps both, prediction 2 [0, 4)
    # only A. Pairing 1 with A (the larger overlap) would leave B unpaired; the optimum is
    # A-2 and B-1: two true positives.
    corpus = Corpus.from_documents([Document("x", "win-win win-win win-win")])
    gold = pd.DataFrame({"doc_id": ["x", "x"], "frame": ["win_win"] * 2, "variant": ["", ""],
                         "text": ["win-win"] * 2, "context": ["win-win win-win", "win-win win-win"],
                         "occurrence": [1, 2]})
    gold = load_gold(gold, corpus=corpus, lexicon=V1)
    # place gold spans explicitly (load_gold locates them; this test sets its own)
    gold[["start", "end"]] = [[0, 10], [8, 12]]
    found = pd.DataFrame({"doc_id": ["x", "x"], "frame": ["win_win"] * 2, "variant": [None, None],
                          "start": [5, 0], "end": [11, 4]})
    from sco_discourse.frames.validation import _pair

    assert sorted(_pair(gold, found)) == [(0, 1), (1, 0)]


def test_pairing_prefers_agreeing_variants():
    # gold sco [0, 30) and mankind [40, 70); predictions mankind [20, 45) overlapping both
    # and sco [25, 35) overlapping only the first. Variant agreement decides: sco-sco and
    # mankind-mankind, no wrong_variant.
    corpus, gold, _ = _stand_in()
    g = load_gold(gold.iloc[:2], corpus=corpus, lexicon=V1)
    g[["start", "end"]] = [[0, 30], [40, 70]]
    found = pd.DataFrame({"doc_id": ["a", "a"], "frame": ["shared_future"] * 2,
                          "variant": ["mankind", "sco"], "start": [20, 25], "end": [45, 35]})
    from sco_discourse.frames.validation import _pair

    assert sorted(_pair(g, found)) == [(0, 1), (1, 0)]


def test_gold_as_predictions_scores_perfectly(gold, seed):
    result = validate_frames(seed, gold, mentions=gold)
    coded = result.scores[(result.scores.tp + result.scores.fn) > 0]
    assert (coded["precision"] == 1).all() and (coded["recall"] == 1).all()
    assert result.scores.iloc[-1][["tp", "fp", "fn"]].tolist() == [166, 0, 0]
    assert result.disagreements.empty


def test_mentions_table_is_checked():
    corpus, gold, found = _stand_in()
    with pytest.raises(InputError, match="missing column"):
        validate_frames(corpus, gold, mentions=found.drop(columns="end"), matcher=V1_MATCHER)
    with pytest.raises(InputError, match="'zz' is not a document"):
        validate_frames(corpus, gold, mentions=found.assign(doc_id="zz"), matcher=V1_MATCHER)


# --------------------------------------------------------------------------- the real matcher
# Disagreements between the packaged matcher and the gold set that are accepted, with why:
# none under codebook v2. Under codebook v1 one miss was accepted (kept below).
ACCEPTED: dict = {}
ACCEPTED_V1 = {
    ("seed-003", "shanghai_spirit_values", "pursuit_of_common_development", "missed",
     "seeking common development"):
        "codebook v1 gap: the sixth value in an explicit list of the six, worded 'seeking' by the "
        "translation; codebook v2 lists the wording",
}
# (seed-002a "mutual benefits", missed until the lexicon got "benefit: benefits" under codebook
# rule 2, was a matcher error, not an accepted disagreement.)


@pytest.fixture(scope="module")
def seed_validation(seed, matcher):
    return validate_frames(seed, matcher=matcher)


def _disagreement_keys(result):
    d = result.disagreements
    return {(r.doc_id, r.frame, r.variant, r.kind, r.match) for r in d.itertuples()}


def test_seed_disagreements_are_all_known(seed_validation):
    # Fails on any new disagreement (a regression, or a matcher change to look at).
    unknown = _disagreement_keys(seed_validation) - set(ACCEPTED)
    assert not unknown, seed_validation.to_text()


def test_seed_validation_figures(seed_validation, gold):
    # codebook v2 on the seed corpus: precision 1.000 and recall 1.000 (166 of 166)
    result = seed_validation
    assert result.lexicon == "sco_codebook 2.0.0"
    assert _disagreement_keys(result) == set(ACCEPTED)
    s = result.scores.set_index(["frame", "variant"])
    assert s.loc[("ALL", ""), ["tp", "fp", "fn"]].tolist() == [166, 0, 0]
    assert s.loc[("ALL", ""), "precision"] == 1.0 and s.loc[("ALL", ""), "recall"] >= 0.99
    # every coded frame and variant: all gold mentions found, nothing else
    n_gold = pd.concat([gold.groupby(["frame", "variant"]).size(),
                        gold.groupby("frame").size().rename(lambda f: (f, ""))])
    for (frame, variant), n in n_gold.items():
        assert s.loc[(frame, variant), ["tp", "fp", "fn"]].tolist() == [n, 0, 0], (frame, variant)


def test_seed_validation_of_codebook_v1_is_unchanged(seed):
    # the lexicon of codebook v1 against the gold set coded under it: the v1 figures
    result = validate_frames(seed, V1_GOLD, matcher=V1_MATCHER)
    assert _disagreement_keys(result) == set(ACCEPTED_V1)
    s = result.scores.set_index(["frame", "variant"])
    assert s.loc[("shanghai_spirit_values", ""), ["tp", "fp", "fn"]].tolist() == [33, 0, 1]
    assert s.loc[("ALL", ""), ["tp", "fp", "fn"]].tolist() == [176, 0, 1]
    assert s.loc[("ALL", ""), "recall"] == pytest.approx(176 / 177)
    assert s.loc[("ALL", ""), "f1"] == pytest.approx(352 / 353)


# --------------------------------------------------------------------------- pairing property
from hypothesis import given, settings, strategies as st  # noqa: E402


def _span_list(max_size):
    span = st.tuples(st.integers(0, 15), st.integers(1, 6), st.sampled_from(["a", "b"]))
    return st.lists(span, max_size=max_size)


@settings(max_examples=150, deadline=None)
@given(golds=_span_list(4), preds=_span_list(4))
def test_pairing_is_optimal_against_brute_force(golds, preds):
    """_pair maximises the number of pairs, then the agreeing variants (brute force check)."""
    from sco_discourse.frames.validation import _pair

    def table(spans):
        return pd.DataFrame({"doc_id": "x", "frame": "f", "variant": [v for _, _, v in spans],
                             "start": [s for s, _, _ in spans],
                             "end": [s + n for s, n, _ in spans]},
                            columns=["doc_id", "frame", "variant", "start", "end"]).astype(
                                {"start": "int64", "end": "int64"})

    g, p = table(golds), table(preds)

    def overlaps(i, j):
        return g.start[i] < p.end[j] and p.start[j] < g.end[i]

    def value(pairs):
        return (len(pairs), sum(g.variant[i] == p.variant[j] for i, j in pairs))

    def best_from(i, used):
        """Best (pairs, agreeing variants) for gold mentions i.. with predictions in used taken."""
        if i == len(g):
            return (0, 0)
        best = best_from(i + 1, used)                      # gold i left unpaired
        for j in range(len(p)):
            if j not in used and overlaps(i, j):
                n, agree = best_from(i + 1, used | {j})
                best = max(best, (n + 1, agree + (g.variant[i] == p.variant[j])))
        return best

    best = best_from(0, frozenset())
    pairs = _pair(g, p) if len(g) and len(p) else []
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(overlaps(i, j) for i, j in pairs)
    assert value(pairs) == best
