"""Frames across languages: paired documents, counts in both languages and aligned
mentions. The texts are written for the test, with positions chosen by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from sco_discourse import Corpus, Document
from sco_discourse.errors import InputError
from sco_discourse.frames.parallel import ALIGNMENT_COLUMNS, PAIR_COUNT_COLUMNS, _align, align_pairs, read_pairs

FILL_ZH = "各国发展经济，改善民生，扩大开放，深化合作。" * 2      # 44 characters without frames
FILL_EN = "Countries develop their economies and deepen cooperation. " * 3

# a Xinhua headline (Chinese only), 人类 at about 0.35, the ASEAN compound near the end
ZH = ("构建更加紧密的命运共同体\n" + FILL_ZH + "我们要推动构建人类命运共同体。" + FILL_ZH * 2
      + "携手共建更为紧密的中国—东盟命运共同体。")
# the translation: no headline, "for humanity" at about 0.3, one mention the original lacks
# at about 0.65, the ASEAN compound at the end
EN = (FILL_EN + "We will build a community with a shared future for humanity. " + FILL_EN
      + "Such a community with a shared future needs all of us. " + FILL_EN
      + "Let us build a closer China-ASEAN community with a shared future.")


def corpora():
    zh = Corpus.from_documents([Document("z1", ZH), Document("z2", "坚持真正的多边主义。")])
    en = Corpus.from_documents([Document("e1", EN), Document("e2", "We uphold true multilateralism.")])
    return zh, en


def test_alignment_keeps_order_and_leaves_far_mentions_alone():
    # hand-computed: gap cost 0.05 each; aligning 0.1-0.12 and 0.9-0.88 costs 0.04 in all
    assert _align([0.1, 0.5, 0.9], [0.12, 0.88], 0.1) == [(0, 0), (1, None), (2, 1)]
    # two Chinese candidates for one English mention: the nearer one (0.01 + 0.05 < 0.04 + 0.05)
    assert _align([0.2, 0.25], [0.24], 0.1) == [(0, None), (1, 0)]
    # too far apart to be the same mention
    assert sorted(_align([0.1], [0.3], 0.1), key=str) == [(0, None), (None, 0)]
    assert _align([], [0.5], 0.1) == [(None, 0)]


def test_each_chinese_mention_is_aligned_to_its_rendering():
    zh, en = corpora()
    pairs = pd.DataFrame({"zh_doc_id": ["z1", "z2"], "en_doc_id": ["e1", "e2"], "date": ["2020-11-10", "2021-01-25"]})
    result = align_pairs(zh, en, pairs)
    mentions = result.mentions
    assert list(mentions.columns) == ALIGNMENT_COLUMNS
    assert mentions[["status", "zh_variant", "en_variant"]].values.tolist() == [
        ["zh only", "unqualified", ""],
        ["aligned", "human", "humanity"],
        ["en only", "", "unqualified"],
        ["aligned", "bilateral_regional", "bilateral_regional"],
    ]
    aligned = mentions[mentions["status"] == "aligned"]
    assert (aligned["zh_match"] == "命运共同体").all()
    assert (aligned["en_match"] == "community with a shared future").all()
    assert aligned["en_right"].iloc[0].startswith(" for humanity")
    assert aligned["zh_left"].iloc[1].endswith("中国—东盟")
    row = aligned.iloc[0]
    assert ZH[row["zh_start"]:row["zh_end"]] == "命运共同体" and EN[row["en_start"]:row["en_end"]] == row["en_match"]
    assert (mentions["date"] == pd.Timestamp("2020-11-10")).all()


def test_counts_per_pair_in_both_languages():
    zh, en = corpora()
    pairs = pd.DataFrame({"zh_doc_id": ["z1", "z2"], "en_doc_id": ["e1", "e2"]})
    counts = align_pairs(zh, en, pairs).counts
    assert list(counts.columns) == PAIR_COUNT_COLUMNS
    first = counts[counts["zh_doc_id"] == "z1"].set_index(["frame", "variant"])
    assert first.loc[("shared_future", ""), ["count_zh", "count_en"]].tolist() == [3, 3]
    assert first.loc[("shared_future", "human"), ["count_zh", "count_en"]].tolist() == [1, 0]
    assert first.loc[("shared_future", "humanity"), ["count_zh", "count_en"]].tolist() == [0, 1]
    second = counts[counts["zh_doc_id"] == "z2"].set_index(["frame", "variant"])
    assert second.loc[("multilateralism", ""), ["count_zh", "count_en"]].tolist() == [1, 1]
    # every pair has every key of both lexicons
    assert len(counts) == 2 * len(first)


def test_bad_pairs_are_named(tmp_path):
    zh, en = corpora()
    with pytest.raises(InputError, match="no column 'en_doc_id'"):
        read_pairs(pd.DataFrame({"zh_doc_id": ["z1"]}))
    with pytest.raises(InputError, match="English document 'e9' is not in the English corpus"):
        align_pairs(zh, en, pd.DataFrame({"zh_doc_id": ["z1"], "en_doc_id": ["e9"]}))
    pairs = tmp_path / "pairs.csv"
    pd.DataFrame({"zh_doc_id": ["z1", ""], "en_doc_id": ["e1", "e2"]}).to_csv(pairs, index=False)
    with pytest.raises(InputError, match=r"pairs.csv, row 3, field 'zh_doc_id': the id is empty"):
        read_pairs(pairs)
