"""The matcher implements each counting rule of the codebook (one test per rule).

Every expected list below was worked out by hand from the codebook text (codebook v2, the
packaged lexicon 2.0.0; its context rules are tested in test_context_rules.py).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sco_discourse import Corpus, Document
from sco_discourse.frames import Matcher, Mention, find_mentions
from sco_discourse.frames.matcher import match_text, to_original

MATCHER = Matcher()


def found(text: str) -> list[tuple[str, str, str]]:
    """(frame, variant, matched text) of every mention, in text order."""
    return [(m.frame, m.variant, text[m.start:m.end]) for m in MATCHER(text)]


def frames_of(text: str) -> list[tuple[str, str]]:
    return [(f, v) for f, v, _ in found(text)]


# --------------------------------------------------------------------------- rule 1: every occurrence
def test_rule1_every_occurrence_counts_including_repeats():
    text = ("Xi calls for win-win cooperation.\n\nXi calls for win-win cooperation. "
            "Win-win results, win-win sharing.")
    assert frames_of(text) == [("win_win", "cooperation"), ("win_win", "cooperation"), ("win_win", "cooperation"),
                               ("win_win", "generic")]


# --------------------------------------------------------------------------- rule 2: normalisation
@pytest.mark.parametrize("text", [
    "the Shanghai Spirit", "the SHANGHAI SPIRIT", "the “Shanghai Spirit”", 'the "Shanghai Spirit"',
    "the ‘Shanghai Spirit’", "the Shanghai\nSpirit", "the Shanghai  \n\t Spirit", "the Shanghai-Spirit",
])
def test_rule2_case_quotes_white_space_line_breaks(text):
    assert frames_of(text) == [("shanghai_spirit", "")]


@pytest.mark.parametrize("text", ["win-win", "win win", "win–win", "win—win", "Win - win", "win\u2011win"])
def test_rule2_hyphen_space_dash_are_the_same(text):
    assert frames_of(text + " cooperation") == [("win_win", "cooperation")]


def test_rule2_plural_head_nouns():
    assert frames_of("building communities with a shared future") == [("shared_future", "unqualified")]
    assert frames_of("communities of health") == [("four_communities", "health")]
    assert frames_of("global development initiatives and global security initiatives") == [
        ("global_initiatives", "development"), ("global_initiatives", "security")]
    assert frames_of("new types of international relations") == [("new_international_relations", "")]


def test_rule2_whole_words_only():
    # "bri" inside "bring"/"brief"/"Brian", "obor" inside "oboro", "equality" inside "inequality"
    assert found("Bring a brief note to Brian about inequality.") == []
    assert found("the BRI and (BRI) and BRI's loans") == [("belt_and_road", "", "BRI")] * 3


# --------------------------------------------------------------------------- rule 3: longest match, one frame per span
def test_rule3_longest_match_wins():
    assert found("the Belt and Road Initiative") == [("belt_and_road", "", "Belt and Road Initiative")]
    # (v2: a head-last pillar form needs "for all" after it or a pillar list)
    assert found("a global development community for all") == [
        ("four_communities", "development", "global development community")]
    assert found("an indivisible security community for all") == [
        ("four_communities", "security", "indivisible security community")]
    assert found("practise true multilateralism") == [("multilateralism", "true", "practise true multilateralism")]
    assert found("true multilateralism") == [("multilateralism", "true", "true multilateralism")]


def test_rule3_one_span_one_frame_and_exclusions():
    # "global development initiative" is not also a "development" pillar mention
    assert frames_of("the Global Development Initiative") == [("global_initiatives", "development")]
    # a proper name containing a pillar phrase is excluded
    assert found("the Southern African Development Community met") == []
    assert found("the ASEAN Political-Security Community") == []
    assert found("the Southern Africa Development Community (SADC) and the ASEAN Security Community") == []


# --------------------------------------------------------------------------- rule 4: coordination
def test_rule4_pillar_enumeration_counts_each_pillar():
    text = "a community of health, security, development, and humanities"
    assert found(text) == [("four_communities", "health", "community of health"),
                           ("four_communities", "security", "security"),
                           ("four_communities", "development", "development"),
                           ("four_communities", "culture", "humanities")]
    # without the serial comma, and with "or"
    assert frames_of("communities of security and development or health") == [
        ("four_communities", "security"), ("four_communities", "development"), ("four_communities", "health")]


def test_rule4_pillar_list_with_the_head_noun_after_it():
    assert found("a health, security, development and humanities community") == [
        ("four_communities", "health", "health"), ("four_communities", "security", "security"),
        ("four_communities", "development", "development"),
        ("four_communities", "culture", "humanities community")]
    assert frames_of("health, security and human communities") == [
        ("four_communities", "health"), ("four_communities", "security"), ("four_communities", "culture")]
    # one item is no list: the single head-last pillar phrase needs "for all" (codebook v2)
    assert found("a development community for us all") == [
        ("four_communities", "development", "development community")]
    assert found("a development community") == []


def test_rule4_pillar_list_needs_its_lead():
    # no "community of" before the list: these are ordinary words
    assert found("peace, security, development and humanities") == []


def test_rule4_global_initiatives_coordinated_and_listed():
    text = "the Global Development, Security and Civilization Initiatives"
    assert frames_of(text) == [("global_initiatives", "development"), ("global_initiatives", "security"),
                               ("global_initiatives", "civilization")]
    text = ("the Global Development Initiative, the Global Security Initiative and the Global "
            "Civilization Initiative")
    assert frames_of(text) == [("global_initiatives", "development"), ("global_initiatives", "security"),
                               ("global_initiatives", "civilization")]
    # "global development and security" without "initiative(s)" is not the frame
    assert found("global development and security challenges") == []
    assert frames_of("the three major global initiatives") == [("global_initiatives", "umbrella")]


@pytest.mark.parametrize("text", [
    "terrorism, separatism and extremism", "terrorism, separatism, and extremism",
    "extremism, terrorism and separatism", "Terrorist, separatist and extremist forces",
    "the Shanghai Convention on Combating Terrorism, Separatism and Extremism",
])
def test_rule4_triad_any_order_serial_comma_adjectives_titles(text):
    assert frames_of(text) == [("three_evils", "triad")]


def test_rule4_triad_needs_all_three():
    assert found("anti-terrorism and anti-extremism") == []
    assert found("terrorism, drug trafficking and extremism") == []


def test_rule4_label_and_alias_are_two_mentions():
    # (v2: a label counts with the triad or one of its items in the sentence or the next)
    assert found("the “three evils,” also called “three evil forces,” refer to terrorism, separatism, and "
                 "extremism") == [
        ("three_evils", "label", "three evils"), ("three_evils", "label", "three evil forces"),
        ("three_evils", "triad", "terrorism, separatism, and extremism")]


# --------------------------------------------------------------------------- rule 5: evidence
def test_rule5_offsets_point_into_the_original_text():
    text = "A “closer\n\nSCO   community with a\nshared–future” for mankind; win–win."
    corpus = Corpus.from_documents([Document("d", text)])
    table = MATCHER.find(corpus)
    assert list(table.columns) == ["doc_id", "frame", "variant", "start", "end", "text", "sentence", "paragraph"]
    for row in table.itertuples():
        assert text[row.start:row.end] == row.text
    assert table["text"].tolist() == ["community with a\nshared–future", "win–win"]
    assert table.attrs["lexicon"] == "sco_codebook 2.0.0"


def test_sentence_and_paragraph_index():
    corpus = Corpus.from_documents([Document("d", "No frame here. Win-win deals.\n \nBRI loans. Also BRI.")])
    table = MATCHER.find(corpus)
    assert table["sentence"].tolist() == [1, 2, 3]
    assert table["paragraph"].tolist() == [0, 1, 1]   # the blank line is no paragraph


def test_matcher_called_on_a_text_gives_mentions():
    text = "The SCO upholds the Shanghai Spirit and win-win cooperation."
    assert MATCHER(text) == [Mention(20, 35, "shanghai_spirit", ""), Mention(40, 59, "win_win", "cooperation")]
    assert MATCHER("") == [] and MATCHER("plain words") == []
    lex = MATCHER.lexicon
    assert repr(MATCHER) == f"<Matcher {lex.label}: {len(lex.frames)} frames, {len(lex.keys())} frame/variant keys>"


def test_mention_table_carries_the_metadata_columns_asked_for():
    import datetime as dt

    from sco_discourse.errors import InputError
    from sco_discourse.groups import Group

    corpus = Corpus.from_documents([
        Document("a", "Win-win.", date=dt.date(2021, 5, 1), meta={"iso3": "CHN", "session": 76}),
        Document("b", "Nothing here.", date=dt.date(2022, 1, 1), meta={"iso3": "USA", "session": 77}),
        Document("c", "The Shanghai Spirit. Win-win.", meta={"iso3": "RUS", "session": 78}),
    ])
    table = MATCHER.find(corpus, columns=["iso3", "year", Group("bloc", "iso3", {"SCO": ["CHN", "RUS"]})])
    assert list(table.columns[:5]) == ["doc_id", "iso3", "year", "bloc", "frame"]
    assert table[["doc_id", "iso3", "bloc", "frame"]].values.tolist() == [
        ["a", "CHN", "SCO", "win_win"], ["c", "RUS", "SCO", "shanghai_spirit"], ["c", "RUS", "SCO", "win_win"]]
    assert str(table["year"].dtype) == "Int64" and table["year"].tolist()[0] == 2021 and table["year"].isna()[1:].all()
    every = MATCHER.find(corpus, columns=True)
    assert list(every.columns[:6]) == ["doc_id", "date", "date_precision", "year", "iso3", "session"]
    assert every["session"].tolist() == [76, 78, 78]
    with pytest.raises(InputError, match="no metadata column 'party'.*fields: doc_id, date, date_precision, year, "
                                         "iso3, session"):
        MATCHER.find(corpus, columns=["party"])
    assert find_mentions(corpus, columns=["iso3"]).equals(MATCHER.find(corpus, columns=["iso3"]))


# --------------------------------------------------------------------------- scope variants
@pytest.mark.parametrize("text, variant", [
    ("a community with a shared future for mankind", "mankind"),
    ("a community with a shared future for all mankind", "mankind"),
    ("a community with a shared future for humankind", "humankind"),
    ("a community of shared future for humanity", "humanity"),
    ("a closer SCO community with a shared future", "sco"),
    ("an “SCO community with a shared future”", "sco"),
    ("the SCO’s community with a shared future", "sco"),
    ("the Shanghai Cooperation Organization's community of shared future", "sco"),
    ("a closer China-Central Asia community with a shared future", "bilateral_regional"),
    ("the China–Tajikistan community with a shared future", "bilateral_regional"),
    ("a community with a shared future for China and Kazakhstan", "bilateral_regional"),
    ("a community with a shared future between China and the Arab states", "bilateral_regional"),
    ("a community with a shared future", "unqualified"),
    ("a community of common destiny with other developing countries", "unqualified"),
])
def test_scope_variant_read_from_the_surrounding_words(text, variant):
    assert frames_of(text) == [("shared_future", variant)]


def test_scope_rule_order_for_mankind_beats_sco():
    assert frames_of("an SCO community with a shared future for mankind") == [("shared_future", "mankind")]


def test_bilateral_pillar_counts_for_its_pillar():
    assert frames_of("a China-Tajikistan community of development") == [("four_communities", "development")]


# --------------------------------------------------------------------------- context condition
def test_human_community_only_inside_a_pillar_list():
    text = "a health community, a security community, a development community and a human community"
    assert frames_of(text) == [("four_communities", "health"), ("four_communities", "security"),
                               ("four_communities", "development"), ("four_communities", "culture")]
    assert found("the human community faces climate change") == []
    assert found("a human community and a human community") == []


@pytest.mark.parametrize("text, expected", [
    ("We will build a human community with a shared future.", ("shared_future", "community with a shared future")),
    ("a human community of shared future for mankind", ("shared_future", "community of shared future")),
    ("the human community of health", ("four_communities", "community of health")),
])
def test_a_dropped_human_community_does_not_hide_the_phrase_it_overlaps(text, expected):
    # "human community" outside a pillar list is no mention, so the overlapping
    # phrase starting at "community" counts
    assert [(f, t) for f, _, t in found(text)] == [expected]


def test_offsets_survive_letters_that_lower_case_to_two_characters():
    # "İ".lower() is two characters; offsets must still point at the mention
    text = "İlham Aliyev in İstanbul praised win-win cooperation and a community with a shared future."
    assert [t for _, _, t in found(text)] == ["win-win cooperation", "community with a shared future"]


def test_umbrella_phrase():
    assert frames_of("from two-wheel drive to the “four communities”") == [("four_communities", "umbrella")]


# --------------------------------------------------------------------------- offsets of the match text
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab -–\n\t\u00a0\u2019\u201cX")), max_size=40))
def test_match_text_offsets_map_back(text):
    compact, breaks, shifts = match_text(text)
    assert "  " not in compact
    previous = -1
    for c, ch in enumerate(compact):
        o = to_original(c, breaks, shifts)
        assert o > previous
        previous = o
        if ch not in " ":
            assert text[o].lower() == ch or (ch == "'" and text[o] == "\u2019") or (ch == '"' and text[o] == "\u201c")


# --------------------------------------------------------------------------- invariants
PHRASES = ["community with a shared future", "Shanghai Spirit", "win-win", "Belt and Road Initiative",
           "new type of international relations", "community of cultural exchanges", "Global Security Initiative"]


@settings(max_examples=60, deadline=None)
@given(phrase=st.sampled_from(PHRASES), breaks=st.lists(st.sampled_from([" ", "  ", "\n", " \n ", "\t", "\u00a0"]),
                                                          min_size=8, max_size=8),
       before=st.sampled_from(["", "We uphold the ", "“", "Text.\n"]),
       after=st.sampled_from(["", ".", "” and more", " for mankind"]))
def test_white_space_and_line_breaks_inside_a_phrase_do_not_change_counts(phrase, breaks, before, after):
    plain = before + phrase + after
    words = phrase.split(" ")
    spaced = " ".join(words)
    bent = words[0]
    for i, word in enumerate(words[1:]):
        bent += breaks[i] + word
    varied = before + bent + after
    assert frames_of(varied) == frames_of(plain) == frames_of(before + spaced + after)
    mentions = MATCHER(varied)
    assert len(mentions) == 1
    span = varied[mentions[0].start:mentions[0].end]
    assert re.sub(r"[\s\-]+", " ", span).lower() == re.sub(r"[\s\-]+", " ", phrase).lower()


def test_parallel_matches_serial():
    docs = [Document(f"d{i}", "The SCO upholds the Shanghai Spirit and win-win cooperation. " * (i % 3 + 1))
            for i in range(40)]
    corpus = Corpus.from_documents(docs)
    serial = MATCHER.find(corpus, columns=["doc_id"])
    parallel = MATCHER.find(corpus, n_jobs=2)
    assert serial.equals(parallel)
    assert len(serial) == sum(2 * (i % 3 + 1) for i in range(40))
