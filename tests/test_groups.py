"""The one grouping (groups.py) and metadata conditions (corpus/selection.py)."""

import pandas as pd
import pytest

from sco_discourse import Corpus, Document, load_corpus
from sco_discourse.corpus.selection import parse_condition
from sco_discourse.errors import InputError
from sco_discourse.groups import Group, Grouping, documents_table, sort_key


def _docs():
    return pd.DataFrame({"doc_id": list("abcde"), "year": pd.array([2021, 2020, 2021, None, 2020], dtype="Int64"),
                         "iso3": ["CHN", "USA", "RUS", "CHN", None]})


def test_interaction_groups_sorted_with_missing_last():
    codes, labels = Grouping(["iso3", "year"]).resolve(_docs())
    assert labels.values.tolist() == [["CHN", 2021], ["CHN", pd.NA], ["RUS", 2021], ["USA", 2020], [None, 2020]]
    assert codes.tolist() == [0, 3, 2, 1, 4]


def test_custom_group_mapping_and_group_object_agree():
    docs = _docs()
    codes_a, labels_a = Grouping({"iso3": {"SCO": ["CHN", "RUS"]}}).resolve(docs)
    codes_b, labels_b = Grouping(Group("iso3", "iso3", {"SCO": ["CHN", "RUS"]})).resolve(docs)
    assert labels_a["iso3"].tolist() == ["SCO", "other", None]
    assert codes_a.tolist() == [0, 1, 0, 0, 2]
    assert codes_a.tolist() == codes_b.tolist() and labels_a.equals(labels_b)


def test_custom_group_from_command_line_strings_matches_numbers():
    # --group early=year:2020 gives the value as text; documents hold numbers
    codes, labels = Grouping(Group("early", "year", ["2020"])).resolve(_docs())
    assert labels["early"].tolist() == ["early", "other", None]
    assert codes.tolist() == [1, 0, 1, 2, 0]


def test_mixed_kinds_are_refused_naming_both_documents():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "wave": [1, "1"]})
    with pytest.raises(InputError, match=r"'wave' mixes kinds.*'a'.*'b'"):
        Grouping("wave").resolve(docs)


def test_int_and_float_of_the_same_number_are_one_group():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "wave": pd.Series([1, 1.0], dtype=object)})
    assert len(Grouping("wave").resolve(docs)[1]) == 1


def test_list_values_and_unknown_columns_are_clear_errors():
    docs = pd.DataFrame({"doc_id": ["a"], "tags": [["x", "y"]]})
    with pytest.raises(InputError, match=r"document 'a', field 'tags': a list value"):
        Grouping("tags").resolve(docs)
    with pytest.raises(InputError, match=r"no metadata column 'nope'"):
        Grouping("nope").resolve(docs)
    with pytest.raises(InputError, match=r"named twice"):
        Grouping(["year", "year"])


def test_sort_key_orders_numbers_text_missing():
    assert sorted([None, "b", 10, 2, "a"], key=sort_key) == [2, 10, "a", "b", None]


def test_conditions():
    assert parse_condition("year=2013..2024")(2020)
    assert not parse_condition("year=2013..2024")(2012)
    assert parse_condition("year=..2000")(1999) and not parse_condition("year=2001..")(2000)
    assert parse_condition("year>=2013")(2013) and not parse_condition("year>2013")(2013)
    assert parse_condition("iso3=CHN,RUS")("CHN") and not parse_condition("iso3=CHN,RUS")("USA")
    assert parse_condition("iso3!=CHN,RUS")("USA")
    assert not parse_condition("iso3=CHN")(None)
    for bad in ["year", "=2013", "year>=2013..2020", "iso3=CHN,,RUS"]:
        with pytest.raises(InputError, match="--where"):
            parse_condition(bad)
    with pytest.raises(InputError, match="'x' is not a number"):
        parse_condition("year>=x")(2013)


def test_corpus_where_and_select_on_the_seed_corpus():
    corpus = load_corpus()
    years = sorted(d.year for d in corpus)
    assert [d.doc_id for d in corpus.where("year=2023..2024")] == ["seed-001", "seed-004"]
    assert len(corpus.where("year>=2021", "year<=2022")) == sum(2021 <= y <= 2022 for y in years)
    assert len(corpus.select(year=slice(2021, 2022))) == sum(2021 <= y <= 2022 for y in years)
    assert len(corpus.select(year=">=2023")) == 2
    # a range string works in select as in --where; a comma stays part of the value
    assert [d.doc_id for d in corpus.select(year="2023..2024")] == ["seed-001", "seed-004"]
    assert len(corpus.select(year="2021..2022")) == sum(2021 <= y <= 2022 for y in years) == 5
    odd = Corpus.from_documents([Document("a", "x", meta={"outlet": "Reuters, London"}),
                                 Document("b", "y", meta={"outlet": "Reuters"}),
                                 Document("c", "z", meta={"outlet": "a..b"})])
    assert [d.doc_id for d in odd.select(outlet="Reuters, London")] == ["a"]
    assert [d.doc_id for d in odd.select(outlet="a..b")] == ["c"]  # the literal value, not a text range
    assert len(corpus.select(year=lambda y: y % 2 == 0)) == sum(y % 2 == 0 for y in years)


def test_corpus_groups_and_documents_table():
    corpus = Corpus.from_documents([Document("a", "x", meta={"iso3": "CHN", "tags": ["t"]}),
                                    Document("b", "y", meta={"iso3": "USA"})])
    table = documents_table(corpus)
    assert table.columns.tolist() == ["doc_id", "date", "date_precision", "year", "iso3"]  # the list is not scalar
    groups = corpus.groups({"iso3": {"SCO": ["CHN"]}})
    assert {k: [d.doc_id for d in v] for k, v in groups.items()} == {"SCO": ["a"], "other": ["b"]}
