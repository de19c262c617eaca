"""Chinese text: segmentation, normalisation, sentences, language, the Chinese lexicon and
every analysis on Chinese text. Expected values were checked by reading the excerpts
(tests/data/zh_gov_reports_excerpt.PROVENANCE.md)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.cli import main
from sco_discourse.frames import Matcher, cooccurrence, frame_counts, kwic
from sco_discourse.language import detect_language, document_language, han_share, language_code
from sco_discourse.lexicons.defaults import default_lexicon
from sco_discourse.text import count_characters, count_tokens, sentence_spans, stop_words, tokenize, tokens
from sco_discourse.zh import Segmenter, normalize_zh, sentence_spans_zh, stop_words_zh, to_simplified

DATA = Path(__file__).parent / "data"
EXCERPT = DATA / "zh_gov_reports_excerpt.jsonl.gz"
# 命运共同体 per report, read in the excerpts (every report that has it)
SHARED_FUTURE = {2015: 1, 2016: 1, 2017: 1, 2018: 2, 2019: 2, 2021: 2, 2022: 2, 2023: 2, 2024: 2, 2025: 2}
HUMAN = {2017: 1, 2018: 2, 2019: 2, 2021: 2, 2022: 2, 2023: 2, 2024: 2, 2025: 2}


@pytest.fixture(scope="module")
def excerpt():
    return load_corpus(EXCERPT)


def spans(matcher: Matcher, text: str, **options) -> list[tuple[int, int, str, str]]:
    """(start, end, frame, variant) of every mention of one text."""
    find = matcher if callable(matcher) else matcher.mentions
    return [(m.start, m.end, m.frame, m.variant) for m in find(text, **options)]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- tokens
def test_a_chinese_text_gives_words_not_clauses():
    text = "推动构建人类命运共同体，坚持真正的多边主义。"
    # the English rules alone make each run between punctuation one token
    assert count_tokens(text, language="en") == 2
    assert tokens(text) == ["推动", "构建", "人类", "命运共同体", "坚持", "真正的多边主义"]
    assert count_tokens(text) == 6 == len(tokenize(text))


def test_tokens_keep_offsets_into_the_original_text():
    text = "為打造人類命運共同體，２０２０年COVID-19疫情"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["为", "打造", "人类", "命运共同体", "2020", "年", "COVID-19", "疫情"]
    assert [text[t.start:t.end] for t in toks][3] == "命運共同體"
    assert text[toks[4].start:toks[4].end] == "２０２０"


def test_word_counts_of_real_reports_are_plausible(excerpt):
    # a Chinese word has 1-4 characters, most often 2: words/characters lies near 0.5-0.7
    for doc in excerpt:
        words, chars = count_tokens(doc.text), count_characters(doc.text)
        clause_runs = count_tokens(doc.text, language="en")
        assert 0.35 < words / chars < 0.8, doc.doc_id
        assert words > 3 * clause_runs, doc.doc_id


def test_english_text_is_tokenised_as_before():
    text = "Win–win results for COVID-19, 1,700 km."
    assert tokens(text) == tokens(text, language="en") == ["win-win", "results", "for", "covid-19", "1,700", "km"]
    assert count_tokens(text) == 6


def test_segmentation_is_deterministic_and_keeps_lexicon_phrases_whole():
    words = ["人类命运共同体", "上海精神", "卫生健康共同体"]
    a, b = Segmenter(words), Segmenter(list(reversed(words)))
    text = "弘扬上海精神，构建人类命运共同体和人类卫生健康共同体"
    assert a.cut(text) == b.cut(text)
    assert "人类命运共同体" in a.cut(text) and "上海精神" in a.cut(text)
    assert Segmenter().cut("弘扬上海精神") == ["弘扬", "上海", "精神"]  # jieba alone splits it
    import pickle

    assert pickle.loads(pickle.dumps(a)).cut(text) == a.cut(text)


def test_stop_words_come_from_stopwords_iso():
    import stopwordsiso

    zh = stop_words_zh()
    assert len(zh) == len(stopwordsiso.stopwords("zh")) == 794
    assert {"的", "我们", "和"} <= zh and "命运共同体" not in zh
    assert stop_words("zh") == stop_words() | zh
    assert tokens("我们的人类命运共同体", remove_stop_words=True) == ["人类", "命运共同体"]


# --------------------------------------------------------------------------- normalisation
def test_traditional_to_simplified_keeps_the_length(excerpt):
    doc = excerpt["gwr-1954"]
    simple = normalize_zh(doc.text)
    assert len(simple) == len(doc.text)
    assert "我們" in doc.text and "我们" in simple and "我們" not in simple
    # character by character conversion gives the same string (phrases map to equal lengths)
    assert simple[:2] == to_simplified(doc.text)[:2] == "各位"


def test_traditional_text_is_matched_and_evidence_points_into_the_original():
    text = "我們要構建人類命運共同體，弘揚「上海精神」。"
    assert [(text[s:e], f, v) for s, e, f, v in spans(Matcher(), text)] == [
        ("命運共同體", "shared_future", "human"), ("上海精神", "shanghai_spirit", "")]


# --------------------------------------------------------------------------- sentences
def test_sentences_end_at_chinese_punctuation_with_their_closing_quotes():
    text = "他说：“构建人类命运共同体。”我们同意！\n\u3000\u3000第二段；还有？最后"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["他说：“构建人类命运共同体。”", "我们同意！", "第二段；", "还有？", "最后"]
    assert spans == sentence_spans_zh(text) == sentence_spans(text, language="zh")


# --------------------------------------------------------------------------- language
def test_language_from_metadata_or_detected(excerpt):
    assert {doc.meta["language"] for doc in excerpt} == {"zh"}
    assert {doc.meta["language"] for doc in load_corpus()} == {"en"}  # the seed corpus
    assert language_code("zh-Hans") == language_code("中文") == "zh"
    assert document_language(Document("d", "The SCO met.", meta={"language": "zh_CN"})) == "zh"
    assert detect_language("SCO 峰会 in Qingdao, where leaders met") == "en"
    assert han_share("上海合作组织 SCO") == pytest.approx(6 / 9)
    assert detect_language("2020") is None


def test_counts_can_be_grouped_by_language(excerpt):
    docs = [*list(excerpt)[-3:], *list(load_corpus())[:2]]
    table = frame_counts(Matcher().count(Corpus.from_documents(docs), by="language"), interval="poisson")
    total = table.query("frame == 'shared_future' and variant == ''").set_index("language")["count"]
    assert total.to_dict() == {"en": sum(sum(1 for m in spans(Matcher(), d.text) if m[2] == "shared_future")
                                         for d in docs[3:]), "zh": 6}
    human = table.query("frame == 'shared_future' and variant == 'human'").set_index("language")["count"]
    assert human.to_dict() == {"en": 0, "zh": 6}


# --------------------------------------------------------------------------- the lexicon
def test_the_chinese_lexicon_has_the_english_frame_and_variant_ids():
    zh, en = default_lexicon("zh"), default_lexicon("en")
    assert list(zh.frames) == list(en.frames)
    for frame in en.frames.values():
        extra = set(zh.frames[frame.id].variants) - set(frame.variants)
        assert extra <= ({"human"} if frame.id == "shared_future" else {"true", "generic", "cooperation"})
    assert set(en.frames["shared_future"].variants) - set(zh.frames["shared_future"].variants) == {
        "mankind", "humankind", "humanity"}  # the English renderings of 人类


@pytest.mark.parametrize("text, expected", [
    ("推动构建人类命运共同体", [("命运共同体", "human")]),
    ("携手构建全人类命运共同体", [("命运共同体", "human")]),
    ("构建更加紧密的上海合作组织命运共同体", [("命运共同体", "sco")]),
    ("构建更加紧密的上合组织命运共同体", [("命运共同体", "sco")]),
    ("携手构建更为紧密的中国—东盟命运共同体", [("命运共同体", "bilateral_regional")]),
    ("打造中巴命运共同体和新时代中非命运共同体", [("命运共同体", "bilateral_regional")] * 2),
    ("携手构建柬中命运共同体", [("命运共同体", "bilateral_regional")]),
    ("打造周边命运共同体", [("命运共同体", "bilateral_regional")]),
    ("台湾同胞是血脉相连的命运共同体", [("命运共同体", "unqualified")]),
    ("构建网络空间命运共同体", [("命运共同体", "unqualified")]),
])
def test_scope_of_shared_future_is_read_from_the_characters_before_it(text, expected):
    found = [(text[s:e], v) for s, e, f, v in spans(Matcher(), text) if f == "shared_future"]
    assert found == expected


@pytest.mark.parametrize("text, expected", [
    # the list form counts each pillar it names
    ("打造卫生健康、安全、发展、人文共同体", [("four_communities", v) for v in
                                   ("health", "security", "development", "culture")]),
    ("构建卫生健康共同体、安全共同体、发展共同体、人文共同体", [("four_communities", v) for v in
                                             ("health", "security", "development", "culture")]),
    ("共同构建人类卫生健康共同体", [("four_communities", "health")]),
    ("安全和发展", []),
    ("坚决打击恐怖主义、分裂主义、极端主义“三股势力”", [("three_evils", "triad"), ("three_evils", "label")]),
    ("打击恐怖主义和极端主义", []),                              # two of the three: no triad
    ("暴力恐怖势力、民族分裂势力和宗教极端势力", [("three_evils", "triad")]),
    ("弘扬互信、互利、平等、协商、尊重多样文明、谋求共同发展的“上海精神”",
     [("shanghai_spirit_values", v) for v in ("mutual_trust", "mutual_benefit", "equality", "consultation",
                                             "respect_for_diverse_civilizations",
                                             "pursuit_of_common_development")] + [("shanghai_spirit", "")]),
    ("坚持平等协商，男女平等", []),                             # a value alone is ordinary vocabulary
    ("落实全球发展倡议、全球安全倡议、全球文明倡议", [("global_initiatives", v) for v in
                                         ("development", "security", "civilization")]),
    ("践行真正的多边主义，反对假多边主义", [("multilateralism", "true"), ("multilateralism", "generic")]),
    ("合作共赢、互利共赢", [("win_win", "cooperation"), ("win_win", "generic")]),
    ("推进丝绸之路经济带和21世纪海上丝绸之路建设，共建“一带一路”", [("belt_and_road", "")] * 3),
    ("推动构建新型国际关系", [("new_international_relations", "")]),
])
def test_frames_in_chinese(text, expected):
    assert [(f, v) for _, _, f, v in spans(Matcher(), text)] == expected


def test_india_is_not_found_inside_indonesia(tmp_path, excerpt):
    lexicon = tmp_path / "india.yaml"
    lexicon.write_text("name: india\nversion: '1'\nprovenance: test\nframes:\n  india:\n    patterns: [印度]\n",
                       encoding="utf-8")
    matcher = Matcher(str(lexicon))
    assert [m[:2] for m in spans(matcher, "印度和印度尼西亚", language="zh")] == [(0, 2)]
    assert spans(matcher, "印度尼西亚、印度支那、印度洋", language="zh") == []
    per_doc = {doc.doc_id: len(spans(matcher, doc.text)) for doc in excerpt}
    assert sum(doc.text.count("印度") for doc in excerpt) == 48  # 26 of them inside longer names
    # 22 Indias by reading, 3 of them in the dictionary word 印度政府
    assert sum(per_doc.values()) == 19
    assert per_doc["gwr-1954"] == 2 and per_doc["gwr-1959"] == 4 and per_doc["gwr-1964"] == 5


def test_a_line_break_inside_a_phrase_does_not_hide_it(excerpt):
    doc = excerpt["gwr-2017"]
    assert "打\n\u200b\n造" in doc.text
    found = [m for m in spans(Matcher(), doc.text) if m[2] == "shared_future"]
    assert [(doc.text[s:e], v) for s, e, _, v in found] == [("命运共同体", "human")]


# --------------------------------------------------------------------------- counts
def test_frames_count_by_year_on_the_reports(tmp_path, excerpt):
    out, english = tmp_path / "F.csv", tmp_path / "E.csv"
    assert main(["frames", "count", "--corpus", str(EXCERPT), "--by", "year", "--out", str(out)]) == 0
    assert main(["frames", "count", "--by", "year", "--n-resamples", "50", "--out", str(english)]) == 0
    rows, english_rows = read_csv(out), read_csv(english)
    assert list(rows[0]) == list(english_rows[0])  # the same columns as for English
    for key in ("characters", "rate_per_10k_chars"):
        assert key in rows[0]

    def series(variant):
        return {int(r["year"]): int(r["count"]) for r in rows
                if r["frame"] == "shared_future" and r["variant"] == variant and int(r["count"])}

    assert series("") == SHARED_FUTURE
    assert series("human") == HUMAN
    # a second count: the phrase in the text of each report
    by_year = {doc.year: doc.text.count("命运共同体") for doc in excerpt if "命运共同体" in doc.text}
    assert by_year == SHARED_FUTURE
    assert {doc.year: doc.text.count("人类命运共同体") for doc in excerpt if "人类命运共同体" in doc.text} == HUMAN
    row = next(r for r in rows if r["year"] == "2018" and r["frame"] == "shared_future" and r["variant"] == "")
    doc = next(d for d in excerpt if d.year == 2018)
    assert int(row["tokens"]) == count_tokens(doc.text) and int(row["characters"]) == count_characters(doc.text)
    assert float(row["rate_per_10k_chars"]) == pytest.approx(2 * 10_000 / count_characters(doc.text))
    variants = [r["variant"] for r in rows if r["year"] == "2018" and r["frame"] == "shared_future"]
    assert variants == ["", "mankind", "humankind", "humanity", "human", "sco", "bilateral_regional", "unqualified"]


def test_a_lexicon_given_is_used_for_every_language(tmp_path):
    lexicon = tmp_path / "one.yaml"
    lexicon.write_text("name: one\nversion: '1'\nprovenance: test\nframes:\n  spirit:\n    patterns: [上海精神, "
                       "shanghai spirit]\n", encoding="utf-8")
    docs = Corpus.from_documents([Document("zh", "弘扬上海精神。"), Document("en", "The Shanghai Spirit.")])
    table = frame_counts(Matcher(str(lexicon)).count(docs))
    assert table.set_index("doc_id")["count"].to_dict() == {"zh": 1, "en": 1}
    assert "lexicon_zh" not in table.attrs


# --------------------------------------------------------------------------- evidence and statistics
def test_kwic_shows_chinese_context(excerpt):
    table = kwic(excerpt, frame="shared_future", window=6)
    assert len(table) == sum(SHARED_FUTURE.values())
    human = table[table["variant"] == "human"]
    assert (human["match"] == "命运共同体").all() and human["left"].str.endswith("人类").all()
    first = table.iloc[0]
    assert (first["doc_id"], first["left"], first["match"]) == ("gwr-2015", "交，打造周边", "命运共同体")


def test_cooccurrence_by_chinese_sentence():
    corpus = Corpus.from_documents([Document("d", "坚持多边主义，推动构建人类命运共同体。弘扬上海精神！共建一带一路。")])
    table = cooccurrence(corpus, level="sentence").set_index(["frame_a", "frame_b"])
    assert table.loc[("shared_future", "multilateralism"), "n_ab"] == 1
    assert table.loc[("shared_future", "shanghai_spirit"), "n_ab"] == 0
    assert table["n_units"].iloc[0] == 3


def test_dtm_keyness_and_collocations_on_segmented_words(excerpt):
    from sco_discourse.dtm import build_dtm
    from sco_discourse.keywords import collocates, frequencies, keyness

    dtm = build_dtm(excerpt, remove_stop_words=True)
    freq = frequencies(dtm).set_index("term")["count"]
    assert freq["命运共同体"] == sum(SHARED_FUTURE.values())
    assert "的" not in freq.index and "，" not in freq.index
    assert max(map(len, freq.index)) <= 12  # words, not clauses
    key = keyness(dtm, by="year", target=[2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025])  # no report of 2020
    assert "命运共同体" in set(key.head(20)["term"])
    col = collocates(dtm, "命运共同体", window=1).set_index("collocate")
    assert col.loc["人类", "observed"] == sum(HUMAN.values())


def test_topic_labels_are_chinese_words():
    from sco_discourse.topics import Preprocessor, TopicModel

    economy = ["扩大内需", "稳定就业", "发展经济", "增加收入", "促进消费", "扩大投资"]
    diplomacy = ["推动构建人类命运共同体", "坚持多边主义", "弘扬上海精神", "共建一带一路", "践行真正的多边主义",
                 "推动构建新型国际关系"]
    # planted: twelve paragraphs, each three phrases of one topic
    texts = ["，".join(topic[i % 6] for i in range(k, k + 3)) + "。" for topic in (economy, diplomacy) for k in range(6)]
    model = TopicModel(2, method="nmf", preprocessor=Preprocessor(phrases=False, max_df=1.0)).fit(texts)
    terms = model.topic_terms(n=3).groupby("topic")["term"].apply(set).tolist()
    vocabulary = [set(tokens("，".join(topic))) for topic in (economy, diplomacy)]
    assert sorted(any(t <= v for t in terms) for v in vocabulary) == [True, True]
    for label in model.labels_:
        # words (a lexicon phrase such as 真正的多边主义 is one), never a clause
        assert not re.search(r"[，。]", label) and all(len(word) <= 8 for word in label.split("/"))


def test_kwic_of_a_free_chinese_phrase_respects_word_boundaries(excerpt):
    table = kwic(excerpt, pattern="印度", window=3)
    assert len(table) == 19  # as the lexicon phrase: not in 印度尼西亚, 印度支那, 印度洋, 印度政府
    assert set(table["match"]) == {"印度"}
    assert kwic(Corpus.from_documents([Document("d", "构建人类命运共同体")]), pattern="命运共同体")["start"].tolist() == [4]
