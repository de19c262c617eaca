"""The shipped lexicon follows the codebook; the schema rejects malformed lexicons by entry."""

from __future__ import annotations

import re

import pytest

from sco_discourse.errors import LexiconError
from sco_discourse.lexicons.schema import load_lexicon, parse_lexicon

# Frame ids and variant ids exactly as the codebook names them.
CODEBOOK = {
    "shared_future": ["mankind", "humankind", "humanity", "sco", "bilateral_regional", "unqualified"],
    "four_communities": ["health", "security", "development", "culture", "umbrella"],
    "shanghai_spirit": [],
    "shanghai_spirit_values": ["mutual_trust", "mutual_benefit", "equality", "consultation",
                               "respect_for_diverse_civilizations", "pursuit_of_common_development"],
    "belt_and_road": [],
    "three_evils": ["label", "triad"],
    "global_initiatives": ["development", "security", "civilization", "umbrella"],
    "win_win": ["cooperation", "generic"],
    "multilateralism": ["true", "generic"],
    "new_international_relations": [],
}


def test_shipped_lexicon_has_the_codebook_frames_and_variants():
    lex = load_lexicon()
    assert (lex.name, lex.version) == ("sco_codebook", "2.0.0")
    assert {f: list(spec.variants) for f, spec in lex.frames.items()} == CODEBOOK
    keys = lex.keys()
    assert keys[0] == ("shared_future", "")
    assert len(keys) == len(CODEBOOK) + sum(len(v) for v in CODEBOOK.values())


def test_lexicon_of_codebook_v1_is_still_shipped():
    v1 = load_lexicon("codebook_v1.yaml")
    assert v1.label == "sco_codebook 1.1.0"
    assert v1.frames["win_win"].variants == () and v1.frames["multilateralism"].variants == ()
    assert all(f.since is None and f.specific and not f.requires for f in v1.frames.values())


def test_shipped_lexicon_lists_every_codebook_phrase():
    lex = load_lexicon()
    phrases = {f: {p.canonical for p in spec.patterns} for f, spec in lex.frames.items()}
    assert {"community with a shared future", "community with shared future", "community of shared future",
            "community with a common future", "community of common destiny", "community of shared destiny",
            "shared future community"} <= phrases["shared_future"]
    assert {"community of health", "health community", "community of common health", "community of security",
            "security community", "indivisible security community", "community of development",
            "development community", "global development community", "community of cultural exchanges",
            "community of people to people exchanges", "humanities community", "community of humanities",
            "human community", "four communities"} <= phrases["four_communities"]
    assert {"belt and road", "bri", "one belt, one road", "one belt one road", "obor", "silk road economic belt",
            "21st century maritime silk road"} <= phrases["belt_and_road"]
    assert {"three evils", "three evil forces", "three forces"} <= phrases["three_evils"]
    human = [p for p in lex.frames["four_communities"].patterns if p.canonical == "human community"]
    assert human[0].only_in_list and human[0].variant == "culture"


def test_user_lexicon_file_is_used_and_recorded(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nversion: 2\nprovenance: test\nframes:\n  peace:\n    patterns: [peace]\n",
                    encoding="utf-8")
    lex = load_lexicon(path)
    assert lex.label == "mine 2"
    assert lex.keys() == [("peace", "")]
    assert lex.source == str(path)


GOOD = """
name: t
version: "1"
provenance: test
frames:
  alpha:
    variants:
      one: [first phrase]
      two:
        patterns:
          - second phrase
          - phrase: third phrase
            only_in_list: true
"""


@pytest.mark.parametrize("broken, entry", [
    (GOOD.replace("name: t\n", ""), "(top level)"),
    (GOOD.replace("provenance: test", "provenance: test\ncolour: red"), "colour"),
    (GOOD.replace("alpha:", "Alpha:"), "frames.Alpha"),
    (GOOD.replace("one: [first phrase]", "one: [second phrase]"), "frames.alpha.variants.two.patterns[0]"),
    (GOOD.replace("only_in_list: true", "only_in_list: yes please"), "frames.alpha.variants.two.patterns[1].only_in_list"),
    (GOOD.replace("- second phrase", "- \"  \""), "frames.alpha.variants.two.patterns[0]"),
    (GOOD.replace("- second phrase", "- '\"quoted\" phrase,'"), "frames.alpha.variants.two.patterns[0]"),
    (GOOD.replace("    variants:", "    patterns: [x]\n    variants:"), "frames.alpha"),
    (GOOD + "  beta:\n    patterns: [b]\n    variant_rules:\n      - {variant: v, after: [for all]}\n",
     "frames.beta"),  # rules without a default variant
    (GOOD + "  beta:\n    patterns: [b]\n    default_variant: plain\n    variant_rules:\n"
            "      - {variant: v, before: ['{nowhere}']}\n", "frames.beta.variant_rules[0].before[0]"),
    (GOOD + "  beta:\n    variants:\n      a: [b1]\n    enumerations:\n      - items: {a: [x], z: [y]}\n"
            "        count: each\n", "frames.beta.enumerations[0].items.z"),
    (GOOD + "  beta:\n    patterns:\n      - phrase: lonely\n        only_in_list: true\n", "frames.beta"),
    (GOOD + "  beta:\n", "frames.beta"),
    (GOOD + "inflections:\n  - {community: communities}\n", "inflections"),
    (GOOD + "gazetteer:\n  - {place: [china]}\n", "gazetteer"),
    (GOOD + "inflections:\n  community of: communities of\n", "inflections.community of"),
    (GOOD.replace("    variants:", "    variant_labels: {one: One}\n    variants:"), "frames.alpha.variant_labels"),
    (GOOD + "  beta:\n    patterns: [b]\n    default_variant: plain\n    variant_labels: {other: Other}\n"
            "    variant_rules:\n      - {variant: v, after: [for all]}\n", "frames.beta.variant_labels.other"),
    (GOOD.replace("      two:\n", "      two:\n        label: ''\n"), "frames.alpha.variants.two.label"),
])
def test_schema_rejects_malformed_lexicon_naming_the_entry(broken, entry):
    with pytest.raises(LexiconError) as err:
        parse_lexicon(broken, source="my.yaml")
    message = str(err.value)
    assert message.startswith("my.yaml: ")
    assert re.search(r"entry " + re.escape(entry) + r"(?![\w\[])", message), message


def test_good_lexicon_parses():
    lex = parse_lexicon(GOOD)
    assert lex.keys() == [("alpha", ""), ("alpha", "one"), ("alpha", "two")]


def test_labels_and_order_come_from_the_file():
    text = (GOOD.replace("  alpha:\n", "  alpha:\n    label: the alpha frame\n    short_label: alpha\n")
            .replace("      two:\n", "      two:\n        label: Second\n")
            + "  beta:\n    patterns: [b]\n    default_variant: plain\n    variant_labels: {v: for all}\n"
              "    variant_rules:\n      - {variant: v, after: [for all]}\n")
    lex = parse_lexicon(text)
    assert lex.frame_labels() == {"alpha": "alpha", "beta": "beta"}
    assert lex.frame_labels(short=False) == {"alpha": "the alpha frame", "beta": "beta"}
    # variants in file order (rule variants first, then the default); unlabelled ones show their id
    assert lex.variant_labels("alpha") == {"one": "one", "two": "Second"}
    assert list(lex.variant_labels("beta").items()) == [("v", "for all"), ("plain", "plain")]
    with pytest.raises(KeyError, match="gamma"):
        lex.variant_labels("gamma")


def test_shipped_lexicon_labels_every_variant():
    lex = load_lexicon()
    for frame, spec in lex.frames.items():
        assert set(spec.variant_labels) == set(spec.variants), frame
    assert lex.variant_labels("shared_future")["sco"] == "SCO"
    assert lex.frame_labels()["win_win"] == "win-win"


def test_invalid_yaml_and_missing_file_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("frames: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.yaml: not valid YAML at line"):
        load_lexicon(bad)
    with pytest.raises(LexiconError, match=r"nope\.yaml: lexicon file not found"):
        load_lexicon(tmp_path / "nope.yaml")


def test_plural_duplicate_is_caught():
    text = GOOD.replace("one: [first phrase]", "one: [community of x]").replace(
        "- second phrase", "- communities of x") + "inflections:\n  community: communities\n"
    with pytest.raises(LexiconError, match="already declared"):
        parse_lexicon(text)
