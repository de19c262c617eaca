"""``dedupe=`` on every counting function: "first" and "weight" give the counts of one copy per cluster.

The corpus: one story republished three times (exact copies, dates 3, 4 and 5 July; the
copy dated 3 July comes first in corpus order) and two other documents. Read by hand,
the story mentions the Shanghai Spirit twice and win-win cooperation once per copy;
"other" mentions the Shanghai Spirit once; "later" (2025) mentions nothing of the lexicon.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:frame_counts:UserWarning")

from sco_discourse import Corpus, Document
from sco_discourse.corpus.duplicates import apply_dedupe, dedupe_options
from sco_discourse.dtm import build_dtm
from sco_discourse.errors import InputError
from sco_discourse.frames import Matcher, cooccurrence, frame_counts, frame_trend, kwic
from sco_discourse.keywords import frequencies, keyness
from sco_discourse.text import count_tokens

STORY = ("Leaders of the Shanghai Cooperation Organization met in Astana and praised the Shanghai Spirit. "
         "They called for win-win cooperation on trade, energy and transport, and said the Shanghai Spirit "
         "of mutual trust would guide the organization in the years ahead, officials said after the talks.")
OTHER = "Grain prices rose in the region this summer. A minister recalled the Shanghai Spirit in passing."
LATER = "A new rail link opened between two cities of Central Asia, carrying freight and passengers."


def corpus() -> Corpus:
    return Corpus.from_documents([
        Document("copy-b", STORY, date=dt.date(2024, 7, 3), meta={"outlet": "B"}),
        Document("other", OTHER, date=dt.date(2024, 7, 4), meta={"outlet": "D"}),
        Document("copy-c", STORY, date=dt.date(2024, 7, 4), meta={"outlet": "C"}),
        Document("copy-a", STORY, date=dt.date(2024, 7, 5), meta={"outlet": "A"}),
        Document("later", LATER, date=dt.date(2025, 1, 9), meta={"outlet": "A"}),
    ])


MATCHER = Matcher()
TOKENS_2024 = count_tokens(STORY) + count_tokens(OTHER)


def total_rows(table):
    return table[table["variant"] == ""].set_index(["year", "frame"])


def test_first_keeps_the_earliest_copy_and_records_the_others():
    unique = apply_dedupe(corpus(), "first")
    assert [d.doc_id for d in unique] == ["copy-b", "other", "later"]
    record = unique.deduplicated
    assert record["n_removed"] == 2 and {r["doc_id"] for r in record["removed"]} == {"copy-a", "copy-c"}
    assert all(r["duplicate_of"] == "copy-b" and r["exact"] for r in record["removed"])


def test_weight_gives_each_copy_a_third():
    weighted = apply_dedupe(corpus(), {"keep": "weight", "threshold": 0.9})
    weights = {d.doc_id: d.meta["dedupe_weight"] for d in weighted}
    assert weights == pytest.approx({"copy-b": 1 / 3, "other": 1, "copy-c": 1 / 3, "copy-a": 1 / 3, "later": 1})
    assert {d.doc_id: d.meta["dedupe_cluster"] for d in weighted}["copy-a"] == "copy-b"
    assert weighted.deduplicated["n_weighted"] == 3 and weighted.deduplicated["threshold"] == 0.9


@pytest.mark.parametrize("by_while_counting", [False, True])
@pytest.mark.parametrize("mode", ["first", "weight"])
def test_counts_and_rates_are_those_of_one_copy(mode, by_while_counting):
    fm = MATCHER.count(corpus(), dedupe=mode, by="year" if by_while_counting else None)
    table = total_rows(frame_counts(fm, by=None if by_while_counting else "year", interval="poisson"))
    row = table.loc[(2024, "shanghai_spirit")]
    assert row["count"] == pytest.approx(3)           # 2 in the story (once counted) + 1 in "other"
    assert row["tokens"] == pytest.approx(TOKENS_2024)
    assert row["rate_per_10k"] == pytest.approx(3 * 10_000 / TOKENS_2024)
    assert row["n_docs"] == pytest.approx(2) and row["docs_with_mention"] == pytest.approx(2)
    assert table.loc[(2024, "win_win"), "count"] == pytest.approx(1)
    assert table.loc[(2025, "shanghai_spirit"), "count"] == 0
    assert table.attrs["deduplicated"]["keep"] == mode
    # without dedupe the story counts three times
    plain = total_rows(frame_counts(MATCHER.count(corpus()), by="year", interval="poisson"))
    assert plain.loc[(2024, "shanghai_spirit"), "count"] == 7 and plain.loc[(2024, "shanghai_spirit"), "n_docs"] == 4


def test_weighted_intervals_equal_those_of_one_copy():
    first = MATCHER.count(corpus(), dedupe="first")
    weighted = MATCHER.count(corpus(), dedupe="weight")
    for options in (dict(interval="poisson"), dict(n_resamples=300, random_state=3)):
        a = frame_counts(first, by="year", **options)
        b = frame_counts(weighted, by="year", **options)
        np.testing.assert_allclose(b["ci_low"], a["ci_low"], rtol=1e-12)
        np.testing.assert_allclose(b["ci_high"], a["ci_high"], rtol=1e-12)
        np.testing.assert_allclose(b["count"], a["count"], rtol=1e-12)
    assert frame_counts(weighted, by="year", n_resamples=50).attrs["cluster"] == "duplicate cluster"


def test_per_document_table_carries_the_weight():
    table = frame_counts(MATCHER.count(corpus(), dedupe="weight"))
    weights = table.drop_duplicates("doc_id").set_index("doc_id")["weight"]
    assert weights.to_dict() == pytest.approx({"copy-b": 1 / 3, "other": 1, "copy-c": 1 / 3, "copy-a": 1 / 3,
                                               "later": 1})


def test_statistics_that_cannot_weight_refuse():
    with pytest.raises(InputError, match="dedupe='first'"):
        frame_trend(MATCHER.count(corpus(), dedupe="weight"))
    from sco_discourse.topics import TopicModel

    with pytest.raises(InputError, match="dedupe='first'"):
        TopicModel(2).fit(corpus(), dedupe="weight")


def test_mentions_kwic_and_cooccurrence():
    found = MATCHER.find(corpus(), dedupe="first", columns=["outlet"])
    assert sorted(set(found["doc_id"])) == ["copy-b", "other"] and found.attrs["deduplicated"]["n_removed"] == 2
    weighted = MATCHER.find(corpus(), dedupe="weight", columns=["dedupe_weight"])
    assert weighted.groupby("frame")["dedupe_weight"].sum()["shanghai_spirit"] == pytest.approx(3)
    lines = kwic(corpus(), frame="shanghai_spirit", dedupe="first")
    assert len(lines) == 3 and lines.attrs["deduplicated"]["keep"] == "first"
    pair = "frame_a == 'shanghai_spirit' and frame_b == 'win_win'"
    for mode in ("first", "weight"):
        row = cooccurrence(corpus(), dedupe=mode).query(pair).iloc[0]
        assert (row.n_a, row.n_b, row.n_ab, row.n_units) == pytest.approx((2, 1, 1, 3))


def test_dtm_frequencies_and_keyness_weighted():
    first = build_dtm(corpus(), dedupe="first")
    weighted = build_dtm(corpus(), dedupe="weight")
    assert weighted.docs.attrs["deduplicated"]["keep"] == "weight"
    columns = ["count", "rate_per_10k", "doc_freq", "group_tokens"]
    a = frequencies(first, by="year").set_index(["year", "term"]).sort_index()[columns].astype(float)
    b = frequencies(weighted, by="year").set_index(["year", "term"]).sort_index()[columns]
    pd.testing.assert_frame_equal(b, a, check_exact=False, rtol=1e-12)
    assert a.loc[(2024, "spirit"), "count"] == 3
    overall = frequencies(weighted).set_index("term")
    assert overall.loc["spirit", "count"] == pytest.approx(3)
    ka = keyness(first, by="year", target=2024).set_index("term")
    kb = keyness(weighted, by="year", target=2024).set_index("term")
    np.testing.assert_allclose(kb.loc[ka.index, "g2"], ka["g2"], rtol=1e-9)
    np.testing.assert_allclose(kb.loc[ka.index, "count_target"], ka["count_target"], rtol=1e-12)


def test_bad_dedupe_values():
    for value, message in [("last", "first, longest, weight"), ({"keep": "first", "limit": 3}, "unknown dedupe"),
                           (0.8, "dedupe= must be")]:
        with pytest.raises(InputError, match=message):
            dedupe_options(value)
    with pytest.raises(InputError, match="reads the corpus twice"):
        MATCHER.count((d for d in corpus()), dedupe="first")


def test_cli_dedupe_weight_records_what_it_weighted(tmp_path, capsys):
    from sco_discourse.cli import main

    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps({"id": d.doc_id, "text": d.text, "date": d.date.isoformat(),
                                          "outlet": d.meta["outlet"]}) for d in corpus()), encoding="utf-8")
    out = tmp_path / "counts.csv"
    assert main(["frames", "count", "--corpus", str(path), "--dedupe", "weight", "--by", "year",
                 "--interval", "poisson", "--out", str(out)]) == 0
    assert "dedupe: 3 of 5 document(s) weighted 1/cluster size" in capsys.readouterr().err
    table = pd.read_csv(out).query("frame == 'shanghai_spirit' and variant.isna()", engine="python")
    assert table.set_index("year").loc[2024, "count"] == pytest.approx(3)
    record = json.loads((tmp_path / "counts.csv.json").read_text())
    assert record["attrs"]["deduplicated"]["n_weighted"] == 3


@pytest.mark.parametrize("by_while_counting", [False, True])
def test_weight_mode_without_copies_changes_nothing(by_while_counting):
    from sco_discourse import load_corpus

    seeds = load_corpus()  # no two of the 8 seed articles are copies
    by = "year" if by_while_counting else None
    plain = frame_counts(MATCHER.count(seeds, by=by), by=None if by else "year", interval="poisson")
    weighted = frame_counts(MATCHER.count(seeds, by=by, dedupe="weight"), by=None if by else "year",
                            interval="poisson")
    pd.testing.assert_frame_equal(weighted, plain)  # integer counts, same rates and intervals
