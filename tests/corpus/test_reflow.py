"""Hard-wrapped text: detection, re-flowing into paragraphs, and its use at load time."""

import gzip
import json
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.corpus.reflow import explain_reflow, is_hard_wrapped, reflow, wrap_profile
from sco_discourse.frames import find_mentions
from sco_discourse.text import sentences

DATA = Path(__file__).parents[1] / "data"
SLICE = DATA / "ungdc_slice.jsonl.gz"
EXTRA = DATA / "ungdc_extra.jsonl.gz"


def _records(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return {r["doc_id"]: r for r in map(json.loads, handle)}


def _paragraphs(text):
    return [line for line in text.split("\n") if line.strip()]


def _same(a, b):
    """Paragraph lists equal up to white space (a source may hold double spaces)."""
    return [" ".join(p.split()) for p in a] == [" ".join(p.split()) for p in b]


@pytest.fixture(scope="module")
def speeches():
    return _records(SLICE)


def test_detection_on_the_un_slice(speeches):
    # CHN 2013, 2014 and 2024 are wrapped at 50-100 characters; every other speech of the slice is not
    wrapped = sorted(k for k, r in speeches.items() if is_hard_wrapped(r["text"]))
    assert wrapped == ["CHN_68_2013", "CHN_69_2014", "CHN_79_2024"]
    profile = wrap_profile(speeches["CHN_68_2013"]["text"])
    assert profile.continuation_share > 0.8 and profile.full_share > 0.9 and 50 <= profile.width <= 60
    assert wrap_profile(speeches["CHN_71_2016"]["text"]).continuation_share < 0.1


def _blank_line_paragraphs(text):
    """Independent truth for a speech whose paragraphs are separated by blank lines: its blocks,
    a block ending inside a sentence (a page break) joined to the next."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if not joined:
            continue
        if out and not re.search(r"[.!?:;\"\u201d)]$", out[-1]):
            out[-1] += " " + joined
        else:
            out.append(joined)
    # a word split at a line-end hyphen is one word ("zero-\nsum" -> "zero-sum")
    return [re.sub(r"(?<=[A-Za-z])- (?=[A-Za-z])", "-", p) for p in out]


@pytest.mark.parametrize("doc_id, n_lines, n_paragraphs", [
    ("CHN_68_2013", 295, 24), ("CHN_69_2014", 305, 27), ("CHN_79_2024", 197, 26)])
def test_wrapped_un_speeches_give_their_paragraphs(speeches, doc_id, n_lines, n_paragraphs):
    text = speeches[doc_id]["text"]
    assert len(_paragraphs(text)) == n_lines
    new, changed = reflow(text)
    assert changed
    assert _same(_paragraphs(new), _blank_line_paragraphs(text))
    assert len(_paragraphs(new)) == n_paragraphs


def test_paragraph_counts_no_longer_jump_in_wrapped_years(speeches):
    """China's speeches 2013-2024: per speech 197-305 lines in the wrapped years against 19-40
    in the others; after reflow every year lies in the range of the unwrapped ones."""
    chn = {r["year"]: r for r in speeches.values() if r["iso3"] == "CHN" and r["year"] >= 2013}
    before = {y: len(_paragraphs(r["text"])) for y, r in chn.items()}
    after = {y: len(_paragraphs(reflow(r["text"]).text)) for y, r in chn.items()}
    unwrapped = [n for y, n in before.items() if y not in (2013, 2014, 2024)]
    assert (min(unwrapped), max(unwrapped)) == (19, 40)
    assert [before[y] for y in (2013, 2014, 2024)] == [295, 305, 197]
    assert [after[y] for y in (2013, 2014, 2024)] == [24, 27, 26]
    assert all(min(unwrapped) <= n <= max(unwrapped) for n in after.values())


def test_indented_paragraphs_and_page_numbers():
    # CHN 2010: wrapped at ~55 characters, paragraphs marked by an indented first line,
    # two page-number/document-code lines ("10-54827 42", "43 10-54827") in the middle of the text
    text = _records(EXTRA)["CHN_65_2010"]["text"]
    truth = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped in ("10-54827 42", "43 10-54827"):
            continue
        if line.startswith(" ") or not truth:
            truth.append(stripped)
        else:
            truth[-1] += " " + stripped
    truth = [p.replace("5,000-year- old", "5,000-year-old") for p in truth]
    new, changed = reflow(text)
    assert changed and len(truth) == 25
    assert _same(_paragraphs(new), truth)
    removed = explain_reflow(text)
    assert list(removed["text"]) == ["10-54827 42", "43 10-54827"]
    assert [text[row.start:row.end] for row in removed.itertuples()] == ["10-54827 42", "43 10-54827"]


@pytest.mark.parametrize("width", [50, 60, 72])
def test_wrapped_and_unwrapped_versions_of_one_speech_give_the_same_paragraphs(speeches, width):
    # China 2016: 31 paragraphs, one per line, each ending a sentence
    paragraphs = [" ".join(p.split()) for p in _paragraphs(speeches["CHN_71_2016"]["text"])]
    assert len(paragraphs) == 31
    assert reflow("\n".join(paragraphs)) == ("\n".join(paragraphs), False)  # not wrapped: unchanged
    blank_separated = "\n\n".join(textwrap.fill(p, width) for p in paragraphs)
    indented = "\n".join(("   " if i else "") + textwrap.fill(p, width) for i, p in enumerate(paragraphs))
    assert _paragraphs(reflow(blank_separated).text) == paragraphs
    assert _paragraphs(reflow(indented).text) == paragraphs
    # without any mark the end of a paragraph whose last line is full cannot be seen: some
    # paragraphs are merged, none is cut
    unmarked = reflow("\n".join(textwrap.fill(p, width) for p in paragraphs)).text
    found = _paragraphs(unmarked)
    assert " ".join(found) == " ".join(paragraphs)
    starts = {p[:60] for p in paragraphs}
    assert all(p[:60] in starts for p in found)
    assert len(found) >= 0.8 * len(paragraphs)


def test_joins_and_breaks():
    lines = ["The member states agreed to work for a zero-",
             "sum approach to nothing and for South-",
             "South cooperation, said the minister of",
             "foreign affairs, who spoke to reporters.",
             "\u2022 first, trade;",
             "\u2022 second, energy and transport links",
             "between the states.",
             "Mr. President",
             "",
             "The Assembly then heard the speaker of the",
             "delegation of the Republic of Kazakhstan.",
             "17",
             "",
             "Thank you for your attention and your time."]
    text, changed = reflow("\n".join(lines), force=True)
    assert changed
    assert text.split("\n\n") == [
        "The member states agreed to work for a zero-sum approach to nothing and for South-South "
        "cooperation, said the minister of foreign affairs, who spoke to reporters.",
        "\u2022 first, trade;",
        "\u2022 second, energy and transport links between the states.",
        "Mr. President",
        "The Assembly then heard the speaker of the delegation of the Republic of Kazakhstan. "
        "Thank you for your attention and your time.",
    ]


def test_short_and_unwrapped_texts_are_left_alone():
    assert reflow("One line.") == ("One line.", False)
    assert not is_hard_wrapped("Headline\n\nA paragraph that ends.\nAnother that ends too.")
    for doc in load_corpus():  # the cleaned seed articles: one paragraph per line
        assert not is_hard_wrapped(doc.text), doc.doc_id


def test_load_time_reflow_keeps_the_original_and_offsets_refer_to_the_text():
    corpus = load_corpus(SLICE)
    doc = corpus["CHN_68_2013"]
    assert doc.meta["reflowed"] is True and corpus["CHN_70_2015"].meta["reflowed"] is False
    assert doc.raw is not None and len(_paragraphs(doc.raw)) == 295 and len(_paragraphs(doc.text)) == 24
    assert corpus["CHN_70_2015"].raw is None
    # sentences no longer stop at every wrapped line
    assert len(sentences(doc.text)) < len(sentences(doc.raw)) / 2
    mentions = find_mentions(corpus.select(doc_id="CHN_68_2013"))
    assert len(mentions) > 0
    for row in mentions.itertuples():
        assert doc.text[row.start:row.end] == row.text
    plain = load_corpus(SLICE, reflow=False)["CHN_68_2013"]
    assert plain.text == doc.raw and "reflowed" not in plain.meta


def test_reflow_then_clean_and_explain():
    # (a breadcrumb on a line of its own, a blank line, then wrapped paragraphs)
    wrapped = "\n\n".join(textwrap.fill(p, 52) for p in [
        "Home \u00bb World \u00bb SCO",
        "The leaders of the member states met in Astana on Thursday and agreed on a plan "
        "for closer cooperation in trade, energy and security over the next five years.",
        "They will meet again in China next year, the host announced at the end of the "
        "summit, which was attended by the leaders of ten member states."])
    corpus = load_corpus(pd.DataFrame([{"id": "w1", "text": wrapped}]), clean=True)
    doc = corpus["w1"]
    assert doc.meta["reflowed"] and doc.meta["cleaned"] and doc.raw == wrapped
    assert not doc.text.startswith("Home")
    from sco_discourse.corpus.explain import document_steps, explain_document

    assert document_steps(doc) == ["reflow", "cleaning"]
    removed = explain_document(doc)
    assert list(removed["step"]) == ["cleaning"]
    assert removed.loc[0, "rule"] == "breadcrumb"


def test_documents_built_in_memory_are_not_touched():
    doc = Document("d", "\n".join(["a line of a wrapped text that goes on and on"] * 12))
    assert list(Corpus.from_documents([doc]))[0].text == doc.text


def test_list_markers_among_lines_that_start_with_words():
    lines = ["The Assembly adopted the following measures on the",
             "question before it:",
             "ii) the first measure of the list of the",
             "agreed measures;",
             "iv. the second measure, which it adopted",
             "after a long debate, a vote and the",
             "Ivan said that it) was not a list item at",  # "Iv" + "a": a word, not a roman numeral
             "all, and B. Smith agreed.",
             "B. a lettered item of the list that was",
             "adopted too."]
    assert reflow("\n".join(lines), force=True).text.split("\n\n") == [
        "The Assembly adopted the following measures on the question before it:",
        "ii) the first measure of the list of the agreed measures;",
        "iv. the second measure, which it adopted after a long debate, a vote and the Ivan said that it) "
        "was not a list item at all, and B. Smith agreed.",
        "B. a lettered item of the list that was adopted too.",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_page_numbers_in_brackets_and_dashes_and_short_lines_that_are_text(newline):
    lines = ["(12)",  # the first line is a page number
             "The General Assembly met in its plenary hall",
             "to hear the statements of the delegations of",
             "- 17 -",
             "the member states, which spoke in the order",
             "of the list of speakers agreed by the General",
             "\u20133\u2013",
             "Committee; the first to speak was the head of",
             "the delegation of Brazil, who spoke on 17 May.",
             "17 May.",  # short, starts with a digit, holds letters: text
             "A/68/PV.5",  # a document code with letters: text
             "The next speaker was the minister of foreign",
             "affairs of the Republic of Kazakhstan, who",
             "spoke of the Shanghai Cooperation Organization."]
    text = newline.join(lines)
    assert is_hard_wrapped(text)
    # 11 content lines, width 46 (the 90th percentile), "17 May." leaves room for "A/68/PV.5"
    assert reflow(text) == (
        "The General Assembly met in its plenary hall to hear the statements of the delegations of the member "
        "states, which spoke in the order of the list of speakers agreed by the General Committee; the first to "
        "speak was the head of the delegation of Brazil, who spoke on 17 May. 17 May.\n\n"
        "A/68/PV.5 The next speaker was the minister of foreign affairs of the Republic of Kazakhstan, who "
        "spoke of the Shanghai Cooperation Organization.", True)
    removed = explain_reflow(text)
    assert list(removed["text"]) == ["(12)", "- 17 -", "\u20133\u2013"]
    assert list(removed["start"]) == [0, text.index("- 17 -"), text.index("\u20133\u2013")]
    assert list(removed["end"] - removed["start"]) == [4, 6, 3]


def test_tab_and_ideographic_space_indents_hyphen_joins_and_no_final_newline():
    lines = ["\tThe delegation of China supports the zero-",
             "sum approach of none of the members of the",
             "Organization and calls on all of them to act",
             "together.",
             "\u3000It also supports the work of the Council",
             "of the Heads of State and of the Council of",
             "the Heads of Government of the member states",
             "of the Organization.",
             "   Finally, it thanks the Secretary-General of",
             "the Organization for the report on the work",
             "of the Organization since the last summit of",
             "the Heads of State in Astana."]
    assert reflow("\n".join(lines)) == (
        "The delegation of China supports the zero-sum approach of none of the members of the Organization "
        "and calls on all of them to act together.\n\n"
        "It also supports the work of the Council of the Heads of State and of the Council of the Heads of "
        "Government of the member states of the Organization.\n\n"
        "Finally, it thanks the Secretary-General of the Organization for the report on the work of the "
        "Organization since the last summit of the Heads of State in Astana.", True)


@pytest.mark.parametrize("force", [False, True])
def test_only_blank_lines(force):
    text = "\n \n\t\n\u3000\n" * 5
    assert reflow(text, force=force) == (text, False)
    assert explain_reflow(text, force=force).empty
