"""The v2 context rules in Chinese text (codebook_v2_zh.yaml 2.1.0): era rules, the values of
the Shanghai Spirit in a list of four or in the sentence with 上海精神, exclusions, what is set
aside, the shared rules module, the segmentation engines, and `frames lexicon --language`.
Expected counts were read off the sentences by hand."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.cli import main
from sco_discourse.frames import Matcher
from sco_discourse.frames.diagnostics import suppressed_mentions
from sco_discourse.frames.matcher_zh import ChineseMatcher
from sco_discourse.lexicons.defaults import default_lexicon
from sco_discourse.lexicons.schema import load_lexicon
from sco_discourse.zh import Segmenter, count_tokens_zh, default_segmenter, lexicon_phrases

EXCERPT = Path(__file__).parents[1] / "data" / "zh_gov_reports_excerpt.jsonl.gz"
VALUES = "shanghai_spirit_values"


@pytest.fixture(scope="module")
def matcher():
    return Matcher()


def found(matcher, text, year=None):
    """(matched text, frame, variant) of every mention that counts."""
    return [(text[s:e], f, v) for s, e, f, v in matcher._spans(text, "zh", year)]


def set_aside(matcher, text, year=None):
    """(matched text, frame, rule, entry) of every mention a rule set aside."""
    return [(text[s:e], f, rule, entry) for s, e, f, v, rule, entry in matcher.suppressed(text, year=year,
                                                                                              language="zh")]


# --------------------------------------------------------------------------- the values
def test_the_new_security_concept_is_no_statement_of_the_shanghai_spirit(matcher):
    # three of the six values (协作 is not one): a list of four is required
    text = "坚持互信、互利、平等、协作的新安全观"
    assert found(matcher, text, 2004) == []
    assert set_aside(matcher, text, 2004) == [(w, VALUES, "requires", f"frames.{VALUES}.requires")
                                              for w in ("互信", "互利", "平等")]


def test_values_count_in_a_list_of_four_of_the_six(matcher):
    text = "坚持互信、互利、平等、协商的原则"
    assert found(matcher, text, 2015) == [("互信", VALUES, "mutual_trust"), ("互利", VALUES, "mutual_benefit"),
                                         ("平等", VALUES, "equality"), ("协商", VALUES, "consultation")]
    # the statement of the Shanghai Spirit, in quotes: six values and the spirit
    text = "提出“互信、互利、平等、协商、尊重多样文明、谋求共同发展”的“上海精神”"
    assert [v for _, f, v in found(matcher, text, 2024) if f == VALUES] == [
        "mutual_trust", "mutual_benefit", "equality", "consultation", "respect_for_diverse_civilizations",
        "pursuit_of_common_development"]
    # another item may stand between two values of a list with 、 (开放 here): still four values
    assert len(found(matcher, "互信、互利、开放、平等、协商", 2015)) == 4
    # the China-Latin America formula names two of them: no mention
    assert found(matcher, "构建平等、互利、创新、开放、惠民的新时代中拉关系", 2021) == []


def test_a_value_counts_in_the_sentence_with_the_shanghai_spirit(matcher):
    assert found(matcher, "弘扬“上海精神”，增进互信。", 2020) == [("上海精神", "shanghai_spirit", ""),
                                                        ("互信", VALUES, "mutual_trust")]
    # the next sentence is another sentence (。 ends one)
    assert found(matcher, "弘扬“上海精神”。增进互信。", 2020) == [("上海精神", "shanghai_spirit", "")]
    assert set_aside(matcher, "弘扬“上海精神”。增进互信。", 2020) == [
        ("互信", VALUES, "requires", f"frames.{VALUES}.requires")]
    # 平等互利 is one word of the segmented text: neither value is found in it
    assert found(matcher, "坚持平等互利", 2020) == set_aside(matcher, "坚持平等互利", 2020) == []


# --------------------------------------------------------------------------- era rules
@pytest.mark.parametrize("text, year, counted, rule, entry", [
    ("构建人类命运共同体", 2010, False, "since", "frames.shared_future.since"),
    ("构建人类命运共同体", 2012, True, None, None),
    ("构建人类命运共同体", None, True, "undated", "frames.shared_future.since"),
    ("全球安全倡议", 2021, False, "since", "frames.global_initiatives.variants.security.since"),
    ("全球安全倡议", 2022, True, None, None),
    ("全球发展倡议", 2021, True, None, None),
    ("推动构建新型国际关系", 2012, False, "since", "frames.new_international_relations.since"),
    ("构建安全共同体", 2019, False, "since", "frames.four_communities.since"),
    ("构建安全共同体", 2020, True, None, None),
    ("暴力恐怖势力、民族分裂势力和宗教极端势力", 1990, False, "since", "frames.three_evils.variants.triad.since"),
    ("暴力恐怖势力、民族分裂势力和宗教极端势力", 2003, True, None, None),
])
def test_era_rules_in_chinese(matcher, text, year, counted, rule, entry):
    assert bool(found(matcher, text, year)) is counted
    listed = set_aside(matcher, text, year)
    assert listed == ([] if rule is None else [(listed[0][0], listed[0][1], rule, entry)])


def test_the_three_forces_label_needs_no_cue_in_chinese(matcher):
    # 三股势力 names nothing else: counted alone, in any year (the English label rule is not transposed)
    assert found(matcher, "加强安全合作，共同打击“三股势力”。", 1995) == [("三股势力", "three_evils", "label")]


def test_pillars_of_four_communities_and_the_names_of_other_organisations(matcher):
    # each pillar in its own sentence, as in Xi Jinping's SCO speech of 10 November 2020
    text = "第二，维护安全和稳定，构建安全共同体。第三，深化务实合作，构建发展共同体。"
    assert [v for _, _, v in found(matcher, text, 2020)] == ["security", "development"]
    assert found(matcher, "推进东盟政治安全共同体建设", 2021) == []          # ASEAN's own community
    assert found(matcher, "携手构建中国—东盟安全共同体", 2021) == [("安全共同体", "four_communities", "security")]


def test_suppressed_mentions_are_reported_for_chinese_documents():
    corpus = Corpus.from_documents([
        Document("old", "两岸同胞是血脉相连的命运共同体。", date=datetime.date(2007, 10, 15)),
        Document("new", "推动构建人类命运共同体。坚持互信、互利、平等、协作。", date=datetime.date(2018, 3, 5)),
    ])
    table = suppressed_mentions(corpus)
    rows = table[["doc_id", "frame", "rule", "counted"]].values.tolist()
    assert rows == [["old", "shared_future", "since", False]] + [["new", VALUES, "requires", False]] * 3
    assert table["text"].tolist() == ["命运共同体", "互信", "互利", "平等"]
    # and not counted: the one mention left is 2018's
    assert Matcher().find(corpus)[["doc_id", "frame", "variant"]].values.tolist() == [
        ["new", "shared_future", "human"]]


# --------------------------------------------------------------------------- the lexicon
def test_the_chinese_key_table_carries_the_v2_flags():
    table = default_lexicon("zh").key_table()
    row = table.set_index(["frame", "variant"])
    assert int(row.loc[("shared_future", ""), "since"]) == 2012
    assert int(row.loc[("shared_future", "human"), "since"]) == 2012
    assert int(row.loc[("global_initiatives", "security"), "since"]) == 2022
    assert int(row.loc[("three_evils", "triad"), "since"]) == 1996
    assert row.loc[("three_evils", "label"), "since"] is pd_na()
    assert table.query("frame == 'multilateralism'")[["variant", "specific"]].values.tolist() == [
        ["", False], ["true", True], ["generic", False]]
    assert not row.loc[("win_win", ""), "specific"] and row.loc[("belt_and_road", ""), "specific"]
    # the same frame and variant ids as the English lexicon, plus `human`
    assert set(map(tuple, table[["frame", "variant"]].values)) - set(load_lexicon().keys()) == {
        ("shared_future", "human")}


def pd_na():
    import pandas as pd

    return pd.NA


def test_frames_lexicon_prints_the_lexicon_of_a_language(tmp_path, capsys):
    assert main(["frames", "lexicon", "--language", "zh"]) == 0
    out = capsys.readouterr().out
    assert out == default_lexicon("zh").text and "上海精神" in out
    copy = tmp_path / "zh.yaml"
    assert main(["frames", "lexicon", "--language", "zh", "--out", str(copy)]) == 0
    assert load_lexicon(copy).label == "sco_codebook_zh 2.1.0"
    assert main(["frames", "lexicon", "--language", "en"]) == 0
    assert capsys.readouterr().out == load_lexicon().text
    # no --language: the default lexicon, and a note on the Chinese one
    assert main(["frames", "lexicon"]) == 0
    captured = capsys.readouterr()
    assert captured.out == load_lexicon().text and "--language zh" in captured.err
    assert main(["frames", "lexicon", "--language", "zh", "--lexicon", str(copy)]) == 2
    assert "--language" in capsys.readouterr().err


# --------------------------------------------------------------------------- one implementation
def test_both_matchers_share_the_rules_module():
    from sco_discourse.frames import rules
    from sco_discourse.frames.matcher import Matcher as English

    for name in ("_resolve", "_settle", "_enumerations", "_scope", "_only_in_list", "_lead_before", "_trail_after"):
        assert getattr(English, name) is getattr(rules.ListResolver, name)
        assert getattr(ChineseMatcher, name) is getattr(rules.ListResolver, name)


# --------------------------------------------------------------------------- segmentation engines
def test_rjieba_and_jieba_give_the_same_words_and_counts_on_the_excerpts():
    pytest.importorskip("rjieba")
    lexicon = default_lexicon("zh")
    fast = default_segmenter()
    assert fast.backend == "rjieba"
    slow = Segmenter(lexicon_phrases(lexicon), backend="jieba")
    fast_matcher, slow_matcher = ChineseMatcher(lexicon, segmenter=fast), ChineseMatcher(lexicon, segmenter=slow)
    docs = list(load_corpus(EXCERPT))
    assert len(docs) == 31
    for doc in docs:
        assert count_tokens_zh(doc.text, segmenter=fast) == count_tokens_zh(doc.text, segmenter=slow), doc.doc_id
        assert fast_matcher.find(doc.text, year=doc.year) == slow_matcher.find(doc.text, year=doc.year), doc.doc_id
    # the segmenter travels to worker processes with its engine
    import pickle

    assert pickle.loads(pickle.dumps(slow)).backend == "jieba"


def test_counts_on_the_excerpts_as_before_except_the_deliberate_rule_change(matcher):
    """Mentions of lexicon 2.0.0 (no context rules) and 2.1.0 differ in one report only:
    the new security concept of 2004 (three values in a list) is set aside."""
    docs = {doc.doc_id: doc for doc in load_corpus(EXCERPT)}
    doc = docs["gwr-2004"]
    assert "互信、互利、平等、协作的新安全观" in doc.text
    assert [f for _, f, _ in found(matcher, doc.text, doc.year)].count(VALUES) == 0
    assert [(w, rule) for w, _, rule, _ in set_aside(matcher, doc.text, doc.year)] == [
        ("互信", "requires"), ("互利", "requires"), ("平等", "requires")]
    # every other mention set aside is a value word standing alone, which lexicon 2.0.0
    # (only_in_list: a list with another value) did not count either
    values = "互信|互利|平等|协商|尊重多样文明|尊重文明多样性|谋求共同发展"
    listed = []
    for d in docs.values():
        for s, e, f, v, rule, entry in matcher.suppressed(d.text, year=d.year, language="zh"):
            listed.append((d.doc_id, f, rule))
            if d.doc_id != "gwr-2004":
                assert not re.match(rf"[、，,和与及或]({values})", d.text[e:e + 8]), (d.doc_id, d.text[s - 5:e + 5])
                assert not re.search(rf"({values})[、，,和与及或]\Z", d.text[max(0, s - 8):s]), (d.doc_id,)
    assert {(f, rule) for _, f, rule in listed} == {(VALUES, "requires")}


def test_an_unknown_segmentation_engine_is_refused():
    from sco_discourse.errors import InputError

    with pytest.raises(InputError, match="backend: expected one of rjieba, jieba, got 'thulac'"):
        Segmenter(backend="thulac")


def test_the_suppressed_command_lists_chinese_documents(tmp_path, capsys):
    corpus = tmp_path / "zh.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"doc_id": "a", "year": 2010, "text": "推动构建新型国际关系。"},
        {"doc_id": "b", "year": 2019, "text": "推动构建新型国际关系。"}]) + "\n", encoding="utf-8")
    out = tmp_path / "S.csv"
    assert main(["frames", "suppressed", "--corpus", str(corpus), "--out", str(out)]) == 0
    import pandas as pd

    table = pd.read_csv(out)
    assert table[["doc_id", "frame", "rule"]].values.tolist() == [["a", "new_international_relations", "since"]]
