"""Saved web pages: real Foreign Ministry pages and English pages in the seed sites' structure."""

import gzip
import shutil
from pathlib import Path

import pytest

from sco_discourse import CorpusError, load_corpus
from sco_discourse.corpus.explain import document_steps, explain_document
from sco_discourse.corpus.html import decode_page, explain_extraction, extract_page, find_full_date

DATA = Path(__file__).parents[1] / "data"
MFA = DATA / "html_mfa"
EN = DATA / "html_en"


@pytest.fixture(scope="module")
def mfa():
    return load_corpus(MFA)


@pytest.fixture(scope="module")
def english():
    return load_corpus(EN)


def test_mfa_pages_text_title_date(mfa):
    # dates and titles as the staged corpus's README lists them (the page's own time stamp)
    expected = {
        "mfa_zh_dev_0001": ("2020-09-14", "2020年9月14日外交部发言人汪文斌主持例行记者会", "page metadata"),
        "mfa_zh_dev_0030": ("2021-09-20", "外交部发言人赵立坚就俄罗斯国家杜马选举 初步结果答记者问", "page metadata"),
        "mfa_zh_dev_0039": ("2022-01-21", "2022年1月21日外交部发言人赵立坚主持例行记者会", "page markup (htmldate)"),
        "mfa_zh_dev_0050": ("2022-06-29", "2022年6月29日外交部发言人赵立坚主持例行记者会", "page metadata"),
    }
    assert mfa.ids == sorted(expected)
    assert mfa.undated == ()
    for doc_id, (date, title, method) in expected.items():
        doc = mfa[doc_id]
        assert (doc.date.isoformat(), doc.date_precision, doc.meta["title"], doc.meta["date_method"]) == \
            (date, "day", title, method)
        assert doc.meta["language"] == "zh"  # from the script: the pages declare no language
        # site name and address from <meta name="SiteName">, <meta name="Url">; page 0039 has neither
        assert doc.meta["outlet"] == (None if doc_id == "mfa_zh_dev_0039" else "中华人民共和国外交部")
        assert doc.meta["source_file"] == f"{doc_id}.html.gz"
        assert doc.text.split("\n")[0] == title  # the title opens the text
        assert doc.raw.lstrip().startswith("<") and doc.meta["extracted_with"].startswith("trafilatura ")
        # Chinese pages are not given to the (word-based) cleaner
        assert doc.meta["cleaned"] is False and document_steps(doc) == ["extraction"]
    assert mfa["mfa_zh_dev_0001"].meta["date_evidence"] == '<meta name="PubDate" content="2020-09-14">'
    assert mfa["mfa_zh_dev_0050"].meta["url"] == \
        "https://www.mfa.gov.cn/web/wjdt_674879/fyrbt_674889/202206/t20220629_10712009.shtml"


def test_mfa_main_text_is_the_body_and_nothing_else(mfa):
    first = mfa["mfa_zh_dev_0001"].text.split("\n")
    # 43 paragraphs in div#News_Body_Txt_A, plus the title line
    assert len(first) == 44
    assert first[1].startswith("新华社记者：中方如何评价王毅国务委员兼外长日前对俄罗斯的访问？")
    assert first[-1].startswith("涉疆问题纯属中国内政，不容任何外部势力干预。")
    single = mfa["mfa_zh_dev_0030"].text
    # the single-topic page: question, answer in two paragraphs; the footer under it is left out
    assert single.split("\n")[1].startswith("问：俄罗斯于9月17日至19日举行国家杜马选举。")
    assert len(single.split("\n")) == 4
    for furniture in ("版权所有", "京ICP备", "首页", "相关新闻", "打印本页"):
        assert all(furniture not in doc.text for doc in mfa), furniture


def test_mfa_explain_lists_what_extraction_left_out(mfa):
    removed = explain_document(mfa["mfa_zh_dev_0030"])
    assert set(removed["step"]) == {"extraction"}
    texts = list(removed["text"])
    assert "首页" in texts and "中华人民共和国外交部 版权所有" in texts
    assert not any(t.startswith("问：俄罗斯") for t in texts)


def test_english_pages(english):
    expected = {
        "xinhua_2020-11-12_sco_stories": ("2020-11-12", "page metadata", "Xinhua"),
        "beijingreview_sco_commitment": ("2023-07-04", "page markup (htmldate)", None),
        "pakobserver_sco_forum": (None, "not found", None),
        "releasetime_xi_visit": ("2024-07-01", "release-time line", None),
        "dailycourier_republished": ("2020-11-13", "page metadata", "Daily Courier"),  # JSON-LD publisher
    }
    assert sorted(english.ids) == sorted(expected)
    for doc_id, (date, method, outlet) in expected.items():
        doc = english[doc_id]
        assert (doc.date.isoformat() if doc.date else None, doc.meta["date_method"]) == (date, method), doc_id
        assert doc.meta["language"] == "en" and doc.meta["cleaned"] is True
        assert doc.meta["outlet"] == outlet
    assert english.undated == [("pakobserver_sco_forum", "pakobserver_sco_forum.html")]
    assert english["releasetime_xi_visit"].meta["date_evidence"] == "Release time:Jul 01, 2024 08:34 AM"
    assert english["dailycourier_republished"].meta["date_evidence"] == \
        "JSON-LD datePublished '2020-11-13T09:10:00+06:00'"


@pytest.mark.parametrize("page, seed", [("xinhua_2020-11-12_sco_stories", "seed-000"),
                                        ("beijingreview_sco_commitment", "seed-001"),
                                        ("pakobserver_sco_forum", "seed-002a"),
                                        ("releasetime_xi_visit", "seed-004")])
def test_english_page_text_is_the_seed_article(english, page, seed):
    """Each page holds the headline and first seven paragraphs of a seed article amid page
    furniture; extraction and cleaning give back exactly those lines."""
    got = [line for line in english[page].text.split("\n") if line.strip()]
    want = [line for line in load_corpus()[seed].text.split("\n") if line.strip()][:8]
    assert got == want


def test_explain_english_page(english):
    doc = english["xinhua_2020-11-12_sco_stories"]
    assert document_steps(doc) == ["extraction", "cleaning"]
    removed = explain_document(doc)
    extraction = list(removed.loc[removed["step"] == "extraction", "text"])
    assert extraction[:6] == ["Home", "China", "World", "Business", "Culture", "Photos"]
    assert "Source: Xinhua| 2020-11-12 15:44:58|Editor: huaxia" in extraction
    assert "Copyright © 2000-2020 XINHUANET.com All rights reserved." in extraction
    cleaning = removed[removed["step"] == "cleaning"]
    assert list(cleaning["rule"]) == ["byline"]
    assert list(cleaning["text"]) == ["by Xinhua writers Li Laifang, Zhang Xudong and Zheng Xin"]


def test_metadata_csv_adds_and_overrides(tmp_path):
    folder = tmp_path / "pages"
    shutil.copytree(EN, folder)
    (folder / "metadata.csv").write_text(
        "file,date,outlet,batch\n"
        "pakobserver_sco_forum.html,2021,Pakistan Observer,b1\n"
        "beijingreview_sco_commitment.html,,Beijing Review,b2\n", encoding="utf-8")
    corpus = load_corpus(folder)
    assert corpus.undated == ()
    forum = corpus["pakobserver_sco_forum"]
    assert (forum.year, forum.date_precision, forum.meta["date_method"], forum.meta["outlet"], forum.meta["batch"]) \
        == (2021, "year", "metadata.csv", "Pakistan Observer", "b1")
    review = corpus["beijingreview_sco_commitment"]
    assert (review.date.isoformat(), review.meta["date_method"], review.meta["outlet"]) == \
        ("2023-07-04", "page markup (htmldate)", "Beijing Review")
    assert corpus["releasetime_xi_visit"].meta.get("batch") is None


def test_single_page_and_gzip(tmp_path):
    page = tmp_path / "story.htm.gz"
    with gzip.open(page, "wb") as handle:
        handle.write((EN / "releasetime_xi_visit.html").read_bytes())
    corpus = load_corpus(page)
    assert corpus.ids == ["story"] and corpus["story"].date.isoformat() == "2024-07-01"


def test_bad_pages_are_named(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "good.html").write_bytes((EN / "releasetime_xi_visit.html").read_bytes())
    (folder / "empty.html").write_text("", encoding="utf-8")
    (folder / "latin.html").write_bytes("<html><body><p>Caf\xe9 du monde</p></body></html>".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"empty\.html: the page is empty"):
        load_corpus(folder)
    corpus = load_corpus(folder, on_error="skip")
    assert corpus.ids == ["good"]
    reasons = dict(corpus.skipped)
    assert "the page is empty" in reasons[str(folder / "empty.html")]
    assert "cannot be decoded as utf-8" in reasons[str(folder / "latin.html")]
    (folder / "metadata.csv").write_text("file,date\nmissing.html,2020\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"metadata\.csv: row 2: field 'file': no page 'missing\.html'"):
        load_corpus(folder, on_error="skip")


def test_page_without_main_text_is_reported(tmp_path):
    page = tmp_path / "menu.html"
    page.write_text("<html><head><title></title></head><body><div><script>var x = 1;</script></div></body></html>",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"menu\.html: field 'text' no main text could be extracted"):
        load_corpus(page)


def test_declared_charset_is_used():
    page = '<html><head><meta charset="gbk"><title>外交部</title></head><body><p>中方对此表示欢迎。</p></body></html>'
    assert decode_page(page.encode("gbk")) == page
    with pytest.raises(CorpusError, match=r"p\.html: bytes .* cannot be decoded as utf-8"):
        decode_page("<p>Caf\xe9</p>".encode("latin-1"), source="p.html")


def test_full_dates_only():
    assert find_full_date("2021年6月2日外交部发言人") == ("2021-06-02", "2021年6月2日")
    assert find_full_date("Published 14 September 2020, 10:00") == ("2020-09-14", "14 September 2020")
    assert find_full_date("Sept. 3, 2022 | Source: Dawn") == ("2022-09-03", "Sept. 3, 2022")
    assert find_full_date("posted 2023/02/30") is None  # no such day
    assert find_full_date("June 2021") is None


def test_title_date_and_dateline():
    title_dated = extract_page("<html><head><title>2021年6月2日外交部发言人汪文斌主持例行记者会</title></head>"
                               "<body><div>" + "<p>汪文斌：中方欢迎各方为此作出的努力，愿同各方一道推动和平进程。</p>" * 6
                               + "</div></body></html>")
    assert (title_dated.date, title_dated.date_method, title_dated.language) == ("2021-06-02", "title", "zh")
    body = "<p>ISLAMABAD, March 3, 2021 – The forum opened today in the capital of Pakistan.</p>" + \
           "<p>Delegates from the member states of the organization attended the opening session.</p>" * 4
    datelined = extract_page(f"<html><head><title>Forum opens</title></head><body><article>{body}"
                             "</article></body></html>")
    assert (datelined.date, datelined.date_method, datelined.date_evidence) == \
        ("2021-03-03", "dateline", "March 3, 2021")


def test_explain_extraction_offsets():
    html = (EN / "pakobserver_sco_forum.html").read_text(encoding="utf-8")
    from sco_discourse.corpus.html import visible_text

    full = visible_text(html)
    removed = explain_extraction(html)
    for row in removed.itertuples():
        assert full[row.start:row.end] == row.text
    assert {"Leave a Reply", "Your email address will not be published.", "Home"} <= set(removed["text"])
