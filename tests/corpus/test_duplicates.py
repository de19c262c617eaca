"""Exact and near-duplicate documents: clusters, similarity, dedupe, and the --dedupe option."""

import datetime as dt
import json
from pathlib import Path

import pytest

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.cli import main
from sco_discourse.corpus.duplicates import dedupe, find_duplicates
from sco_discourse.errors import InputError
from sco_discourse.text import tokens

DATA = Path(__file__).parents[1] / "data"


def jaccard(a: str, b: str, k: int = 5) -> float:
    """Exact Jaccard similarity of two texts' word k-gram sets (the quantity MinHash estimates)."""
    def shingles(text):
        toks = tokens(text, lower=True)
        return {tuple(toks[i:i + k]) for i in range(max(1, len(toks) - k + 1))}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_republished_article_with_new_headline_and_footer_is_a_near_duplicate():
    pages = load_corpus(DATA / "html_en")
    table = find_duplicates(pages)
    assert list(table["doc_id"]) == ["xinhua_2020-11-12_sco_stories", "dailycourier_republished"]
    assert list(table["kept"]) == [True, False] and list(table["exact"]) == [False, False]
    assert set(table["duplicate_of"]) == {"xinhua_2020-11-12_sco_stories"}
    truth = jaccard(pages["xinhua_2020-11-12_sco_stories"].text, pages["dailycourier_republished"].text)
    assert 0.85 < truth < 0.95
    # MinHash with 128 permutations: standard error sqrt(J(1-J)/128) < 0.03
    assert abs(table.loc[1, "similarity"] - truth) < 0.1
    assert table.attrs["n_documents"] == 5 and (table.attrs["lsh_bands"], table.attrs["lsh_rows"]) == (16, 8)


def test_real_duplicate_in_the_un_corpus():
    # South Africa's 1984 file holds the Central African Republic's speech (see the PROVENANCE note)
    corpus = load_corpus(DATA / "ungdc_extra.jsonl.gz")
    table = find_duplicates(corpus)
    assert list(table["doc_id"]) == ["CAF_39_1984", "ZAF_39_1984"]
    assert list(table["kept"]) == [True, False]  # same year: the first in corpus order is kept
    truth = jaccard(corpus["CAF_39_1984"].text, corpus["ZAF_39_1984"].text)
    assert truth > 0.9 and abs(table.loc[1, "similarity"] - truth) < 0.06


def test_distinct_articles_are_not_clustered():
    # the eight seed articles: five pages, four of them on one page, several on the same summit
    assert find_duplicates(load_corpus()).empty
    assert find_duplicates(load_corpus(DATA / "ungdc_slice.jsonl.gz")).empty


def _doc(doc_id, text, date=None):
    return Document(doc_id, text, date=date)


STORY = ("Leaders of the Shanghai Cooperation Organization met in Astana on Thursday and agreed to expand "
         "cooperation on security, trade, energy and transport, the host said after talks that lasted most "
         "of the day. The declaration they signed calls for closer coordination against terrorism, separatism "
         "and extremism, and for new rail links between Central Asia and the ports of the Indian Ocean.")


def test_exact_copies_ignore_case_punctuation_and_spacing():
    docs = [_doc("a", STORY, dt.date(2024, 7, 5)),
            _doc("b", STORY.upper().replace(",", "").replace(" the ", "  the\n"), dt.date(2024, 7, 4)),
            _doc("c", "Grain prices rose in Kazakhstan after a dry summer, traders said.")]
    table = find_duplicates(Corpus.from_documents(docs))
    assert list(table["doc_id"]) == ["b", "a"]  # the earlier one is kept
    assert list(table["exact"]) == [False, True] and list(table["similarity"]) == [1.0, 1.0]
    assert list(table["date"].dt.date) == [dt.date(2024, 7, 4), dt.date(2024, 7, 5)]


def test_keep_longest_and_chains():
    head = load_corpus()["seed-000"].text  # about 1,000 words
    longer = head + "\nThe next summit will be held in China, officials said on Friday."
    docs = [_doc("short", head, dt.date(2024, 7, 4)), _doc("long", longer, dt.date(2024, 7, 6))]
    assert list(find_duplicates(Corpus.from_documents(docs), keep="longest")["doc_id"]) == ["long", "short"]
    # a chain: each step changes a different part, the ends are further apart than the threshold
    words = (STORY + " " + STORY.replace("Astana", "Tashkent").replace("Thursday", "Monday")).split()
    a = " ".join(words)
    b = " ".join(words[:60] + ["NEW"] * 8 + words[60:])
    c = " ".join(words[:60] + ["NEW"] * 8 + words[60:110] + ["OTHER"] * 8 + words[110:])
    assert jaccard(a, b) >= 0.84 and jaccard(b, c) >= 0.89 and jaccard(a, c) < 0.76
    table = find_duplicates(Corpus.from_documents([_doc("a", a), _doc("b", b), _doc("c", c)]), threshold=0.8)
    assert sorted(table["doc_id"]) == ["a", "b", "c"] and table["cluster"].nunique() == 1


def test_same_seed_same_result_and_one_pass():
    passes = []
    docs = [_doc("a", STORY), _doc("b", STORY + " Copyright Daily News."), _doc("c", "Another story entirely.")]

    def factory():
        passes.append(1)
        return iter(docs)

    corpus = Corpus(factory, name="counted")
    first = find_duplicates(corpus, seed=3)
    assert len(passes) == 1  # streamed: the corpus is read once
    assert first.equals(find_duplicates(corpus, seed=3))
    assert list(first["doc_id"]) == ["a", "b"]


def test_dedupe_keeps_the_first_and_records_what_it_removed():
    pages = load_corpus(DATA / "html_en")
    unique = pages.dedupe()
    assert len(unique) == 4 and "dailycourier_republished" not in unique.ids
    assert unique.ids == [d.doc_id for d in unique]  # lazy and re-iterable
    record = unique.deduplicated
    assert (record["keep"], record["n_documents"], record["n_removed"], record["n_clusters"]) == ("first", 5, 1, 1)
    assert record["removed"][0]["doc_id"] == "dailycourier_republished"
    assert record["removed"][0]["duplicate_of"] == "xinhua_2020-11-12_sco_stories"
    assert unique.undated == pages.undated
    assert list(unique.duplicates["doc_id"]) == ["xinhua_2020-11-12_sco_stories", "dailycourier_republished"]


def test_dedupe_by_weight():
    docs = [_doc("a", STORY), _doc("b", STORY + " Copyright Daily News."), _doc("c", STORY + " (END)"),
            _doc("d", "A different story about grain prices and the harvest in the region.")]
    weighted = dedupe(Corpus.from_documents(docs), keep="weight")
    assert [(d.doc_id, round(d.meta["dedupe_weight"], 4)) for d in weighted] == \
        [("a", 0.3333), ("b", 0.3333), ("c", 0.3333), ("d", 1.0)]
    assert weighted.deduplicated["n_removed"] == 0 and weighted.deduplicated["n_clusters"] == 1


@pytest.mark.parametrize("options, message", [
    ({"threshold": 0}, "threshold must be in"), ({"threshold": "high"}, "threshold must be a number"),
    ({"keep": "last"}, "keep must be"), ({"num_perm": 0}, "num_perm must be"),
    ({"shingle_size": 2.5}, "shingle_size must be")])
def test_bad_options(options, message):
    with pytest.raises(InputError, match=message):
        dedupe(load_corpus(), **options)


def test_cli_dedupe_records_what_it_dropped(tmp_path, capsys):
    out = tmp_path / "counts.csv"
    code = main(["frames", "count", "--corpus", str(DATA / "html_en"), "--dedupe", "--by", "year",
                 "--interval", "poisson", "--out", str(out)])
    assert code == 0
    err = capsys.readouterr().err
    assert "dedupe: 1 of 5 document(s) left out as copies" in err
    assert "dailycourier_republished: copy of xinhua_2020-11-12_sco_stories" in err
    assert "1 page(s) without a date" in err and "pakobserver_sco_forum" in err
    provenance = json.loads(out.with_name("counts.csv.json").read_text())
    record = provenance["attrs"]["deduplicated"]
    assert record["n_removed"] == 1 and record["removed"][0]["doc_id"] == "dailycourier_republished"
    # the counted documents: 2020 has one document left (the Xinhua page), not two
    import pandas as pd

    table = pd.read_csv(out)
    assert table.loc[table["year"] == 2020, "n_docs"].unique().tolist() == [1]
    # a second command in the same process does not inherit the first one's record
    again = tmp_path / "again.csv"
    assert main(["frames", "count", "--corpus", str(DATA / "html_en"), "--by", "year", "--interval", "poisson",
                 "--out", str(again)]) == 0
    assert "deduplicated" not in json.loads(again.with_name("again.csv.json").read_text())["attrs"]


def test_cli_dedupe_threshold_is_checked(capsys):
    with pytest.raises(SystemExit):
        main(["corpus", "info", "--dedupe", "--dedupe-threshold", "1.5"])
    assert "must be a number in (0, 1]" in capsys.readouterr().err
