"""The compendium: every registered figure builds with its axes, rebuilds byte for byte,
``figures --check`` passes on an identical folder and names the figure that differs, and
the manifest records what each figure declared it used."""

from __future__ import annotations

import datetime
import json

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sco_discourse import Corpus, Document, compendium  # noqa: E402
from sco_discourse.compendium import paper, registry  # noqa: E402
from sco_discourse.cli import main  # noqa: E402
from sco_discourse.errors import InputError  # noqa: E402
from sco_discourse.text import count_tokens  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One full build on the seed corpus, shared by the tests of this module."""
    out = tmp_path_factory.mktemp("build") / "figures"
    manifest = compendium.build_figures(out, progress=False)
    return out, manifest


def test_every_registered_figure_is_written_in_every_format(built):
    out, manifest = built
    assert [f["name"] for f in manifest["figures"]] == list(compendium.FIGURES)
    for name in compendium.FIGURES:
        for fmt in compendium.FORMATS:
            assert (out / f"{name}.{fmt}").stat().st_size > 1000, (name, fmt)
        table = pd.read_csv(out / "data" / f"{name}.csv")
        assert len(table) > 0, name


def test_svg_and_pdf_carry_no_date(built):
    out, _ = built
    for name in compendium.FIGURES:
        svg = (out / f"{name}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
        pdf = (out / f"{name}.pdf").read_bytes()
        assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf


def test_manifest_records_corpus_lexicon_seeds_and_file_hashes(built):
    out, manifest = built
    from sco_discourse import load_corpus

    corpus = load_corpus()
    assert manifest["corpus"] == {"name": corpus.name, "fingerprint": corpus.fingerprint(),
                                  "documents": len(corpus)}
    assert manifest["seeds"]["random_state"] == 0
    assert set(manifest["software"]) >= {"python", "sco_discourse", "matplotlib"}
    import hashlib

    for entry in manifest["figures"]:
        for rel, digest in entry["files"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_corpus_numbers_match_an_independent_count(built):
    out, _ = built
    numbers = json.loads((out / "data" / "numbers.json").read_text(encoding="utf-8"))
    from sco_discourse import load_corpus

    docs = list(load_corpus())
    assert numbers["n_documents"] == str(len(docs)) == "8"
    assert numbers["n_source_pages"] == "5"
    assert numbers["n_tokens"] == f"{sum(count_tokens(d.text) for d in docs):,}"
    assert (numbers["first_year"], numbers["last_year"], numbers["n_years"]) == ("2020", "2024", "5")
    assert numbers["max_documents_per_year"] == "4"  # the 2021 page holds four articles
    assert numbers["years_one_document"] == "2020, 2022, 2023, 2024"
    outlets = sorted({d.meta.get("outlet") for d in docs if d.meta.get("outlet")})
    assert numbers["outlets"] == ", ".join(outlets)
    assert numbers["n_documents_outlet_known"] == str(sum(bool(d.meta.get("outlet")) for d in docs))


def test_rebuild_is_byte_identical_and_cli_check_passes(built, capsys):
    out, _ = built
    assert main(["figures", "--check", "--no-notebooks", "--out", str(out)]) == 0
    assert f"{len(compendium.FIGURES)} figure(s) identical to {out}" in capsys.readouterr().err


def test_committed_figures_are_what_the_raw_texts_rebuild(capsys):
    """CI's `sco-discourse figures --check`: the committed figures/ (figures, tables,
    numbers, manifest) equal a rebuild from the raw seed texts, byte for byte. The
    notebooks are executed by test_notebooks.py, so they are not run a second time here."""
    committed = compendium.project_root() / "figures"
    assert (committed / "manifest.json").is_file(), f"{committed} holds no built figures"
    status = main(["figures", "--check", "--no-notebooks"])
    assert status == 0, capsys.readouterr().err
    assert f"{len(compendium.FIGURES)} figure(s) identical to {committed}" in capsys.readouterr().err


def test_constraints_pin_the_versions_the_committed_figures_were_made_with():
    """The set-up commands install .ci/constraints.txt; it must pin what the manifest records."""
    import re

    root = compendium.project_root()
    manifest = json.loads((root / "figures" / "manifest.json").read_text(encoding="utf-8"))
    pins = dict(re.findall(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)$", (root / ".ci" / "constraints.txt").read_text("utf-8")))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    recorded = {k: v for k, v in manifest["software"].items() if k not in ("python", "sco_discourse")}
    assert recorded
    for name, version in recorded.items():
        assert pins.get(name.lower().replace("_", "-")) == version, (name, version)


def test_check_names_the_altered_figure(monkeypatch, tmp_path, capsys):
    # the registry cut to one figure, so the checks rebuild in a second
    monkeypatch.setattr(registry, "FIGURES", {"corpus_tokens": compendium.FIGURES["corpus_tokens"]})
    reference = tmp_path / "committed"
    compendium.build_figures(reference, progress=False)
    assert compendium.check_figures(reference)["figures"][0]["name"] == "corpus_tokens"
    svg = reference / "corpus_tokens.svg"
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"<!-- edited --></svg>"))
    (reference / "data" / "stale.csv").write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(compendium.FiguresDiffer) as caught:
        compendium.check_figures(reference)
    assert caught.value.figures == ["corpus_tokens"]
    message = str(caught.value)
    assert "figure corpus_tokens: corpus_tokens.svg: content differs" in message
    assert "data/stale.csv: committed but no longer produced by the build" in message
    assert main(["figures", "--check", "--no-notebooks", "--out", str(reference)]) == 1
    assert "figure corpus_tokens: corpus_tokens.svg: content differs" in capsys.readouterr().err


def test_manifest_commit_and_versions_are_not_compared(built, tmp_path):
    out, manifest = built
    import shutil

    copy = tmp_path / "committed"
    shutil.copytree(out, copy)
    edited = dict(manifest, git_commit="0" * 40, software={"python": "0"})
    (copy / "manifest.json").write_text(json.dumps(edited), encoding="utf-8")
    assert compendium.compare_outputs(out, copy) == []
    edited["seeds"] = {"random_state": 1}
    (copy / "manifest.json").write_text(json.dumps(edited), encoding="utf-8")
    assert [str(d) for d in compendium.compare_outputs(out, copy)] == ["manifest.json: differs in seeds"]


def test_changed_numbers_are_named(built, tmp_path):
    out, _ = built
    import shutil

    copy = tmp_path / "committed"
    shutil.copytree(out, copy)
    path = copy / "data" / "numbers.json"
    numbers = json.loads(path.read_text(encoding="utf-8"))
    numbers["n_documents"] = "9"
    path.write_text(json.dumps(numbers), encoding="utf-8")
    (difference,) = compendium.compare_outputs(out, copy)
    assert difference.reason == "numbers differ: n_documents"


def test_a_partial_build_on_a_user_corpus_removes_nothing(tmp_path):
    docs = [Document("a", "The SCO met in Samarkand.", datetime.date(2022, 9, 15)),
            Document("b", "A community with a shared future.", datetime.date(2023, 1, 2))]
    (tmp_path / "keep.svg").write_text("<svg/>", encoding="utf-8")
    manifest = compendium.build_figures(tmp_path, Corpus.from_documents(docs), names=["corpus_tokens"],
                                     progress=False)
    assert (tmp_path / "keep.svg").exists()
    assert manifest["corpus"]["documents"] == 2
    table = pd.read_csv(tmp_path / "data" / "corpus_tokens.csv")
    assert table.to_dict("list") == {"doc_id": ["a", "b"], "year": [2022, 2023], "tokens": [5, 6]}


def test_figures_needing_the_seed_hand_coding_are_skipped_for_another_corpus(tmp_path):
    docs = [Document("a", "A community with a shared future for mankind.", datetime.date(2022, 9, 15))]
    manifest = compendium.build_figures(tmp_path, Corpus.from_documents(docs), names=["frame_validation"],
                                     progress=False)
    assert manifest["figures"] == []
    assert manifest["skipped"] == [{"name": "frame_validation", "reason": "needs the hand coding of the seed corpus"}]
    assert not (tmp_path / "frame_validation.svg").exists()


def test_full_build_removes_outputs_of_unregistered_figures(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "FIGURES", {"corpus_tokens": compendium.FIGURES["corpus_tokens"]})
    docs = [Document("a", "The SCO met.", datetime.date(2022, 9, 15))]
    (tmp_path / "data").mkdir()
    (tmp_path / "old_figure.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "data" / "old_figure.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("kept", encoding="utf-8")
    compendium.build_figures(tmp_path, Corpus.from_documents(docs), progress=False)
    assert not (tmp_path / "old_figure.svg").exists() and not (tmp_path / "data" / "old_figure.csv").exists()
    assert (tmp_path / "README.md").exists() and (tmp_path / "corpus_tokens.svg").exists()


def test_unknown_figure_and_unknown_number_are_input_errors():
    with pytest.raises(InputError, match="no figure named 'nope'"):
        compendium.figure_table("nope")
    with pytest.raises(InputError, match="no generated number for n_pages"):
        compendium.fill_numbers("{{n_documents}} of {{n_pages}}", {"n_documents": "8"})


def test_manifest_gathers_what_the_built_figures_declared(tmp_path):
    docs = [Document("a", "A community with a shared future for mankind.", datetime.date(2022, 9, 15))]
    corpus = Corpus.from_documents(docs)
    manifest = compendium.build_figures(tmp_path / "a", corpus, names=["corpus_tokens"], progress=False)
    assert manifest["lexicon"] is None  # counting tokens uses no lexicon
    assert manifest["seeds"] == {"random_state": 0}
    manifest = compendium.build_figures(tmp_path / "b", corpus, names=["corpus_tokens", "scope_variants"],
                                        random_state=3, progress=False)
    assert manifest["lexicon"] == {"name": "sco_codebook", "version": "2.0.0"}
    assert manifest["seeds"] == {"random_state": 3, "frame_rate_interval": "poisson (exact Garwood), 95%"}
    tokens, scope = manifest["figures"]
    assert tokens["uses"] == {"lexicon": None, "hand_coding": None, "seeds": {}}
    assert scope["uses"] == {"lexicon": {"name": "sco_codebook", "version": "2.0.0"}, "hand_coding": None,
                             "seeds": {"frame_rate_interval": "poisson (exact Garwood), 95%"}}


def test_each_figure_records_what_it_declared(built):
    _, manifest = built
    uses = {entry["name"]: entry["uses"] for entry in manifest["figures"]}
    frame_figures = {"frame_rates", "scope_variants", "pillars", "frame_cooccurrence", "kwic_shared_future",
                     "frame_validation", "frame_precision_un", "topic_frame_linkage"}
    assert {name for name, u in uses.items() if u["lexicon"]} == frame_figures
    assert [name for name, u in uses.items() if u["hand_coding"]] == ["frame_validation", "frame_precision_un"]
    k = json.loads((built[0] / "data" / "numbers.json").read_text(encoding="utf-8"))["topic_k"]
    assert uses["topic_prevalence"]["seeds"]["topic_model"] == f"nmf, K {k}, random_state 0, paragraph units"
    assert set(uses["topic_selection"]["seeds"]) == {"topic_sweep"}
    assert uses["keyness_by_year"] == {"lexicon": None, "hand_coding": None, "seeds": {}}


def test_two_figures_declaring_one_setting_differently_is_an_error(monkeypatch, tmp_path):
    def variant(name, value):
        figure = compendium.FIGURES["corpus_tokens"]
        return compendium.Figure(name=name, label=name, caption="", table=figure.table, draw=figure.draw,
                                 uses=compendium.Uses(settings=lambda ctx: {"interval": value}))

    monkeypatch.setattr(registry, "FIGURES", {"one": variant("one", "poisson"), "two": variant("two", "bootstrap")})
    docs = [Document("a", "The SCO met.", datetime.date(2022, 9, 15))]
    with pytest.raises(ValueError, match="figure two: setting 'interval' is 'bootstrap', but figure one used"):
        compendium.build_figures(tmp_path, Corpus.from_documents(docs), progress=False)


def test_a_build_killed_while_saving_leaves_no_partial_file(monkeypatch, tmp_path):
    from matplotlib.figure import Figure as MplFigure

    monkeypatch.setattr(registry, "FIGURES", {"corpus_tokens": compendium.FIGURES["corpus_tokens"]})
    docs = [Document("a", "The SCO met.", datetime.date(2022, 9, 15))]
    corpus = Corpus.from_documents(docs)
    compendium.build_figures(tmp_path, corpus, progress=False)
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    save = MplFigure.savefig

    def killed_in_pdf(self, path, *args, format=None, **kwargs):  # noqa: A002 - matplotlib's name
        if format == "pdf":
            with open(path, "wb") as fh:
                fh.write(b"%PDF-1.4 half")
            raise KeyboardInterrupt
        return save(self, path, *args, format=format, **kwargs)

    monkeypatch.setattr(MplFigure, "savefig", killed_in_pdf)
    with pytest.raises(KeyboardInterrupt):
        compendium.build_figures(tmp_path, corpus, progress=False)
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # the pdf as it was, no temporary file left, manifest untouched


def test_paper_labels_and_variant_order_come_from_the_lexicon(monkeypatch):
    from matplotlib.figure import Figure as MplFigure

    from sco_discourse.lexicons.schema import parse_lexicon

    scope = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "variant": ["unqualified", "sco", "sco", "mankind"],
                          "count": [1, 1, 2, 3]})
    ax = compendium.draw_figure("scope_variants", scope, MplFigure().add_subplot())
    # the codebook's order and labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["for mankind", "SCO", "unqualified"]
    rates = pd.DataFrame({"year": [2020, 2020], "variant": ["health", "umbrella"], "rate_per_10k": [1.0, 2.0],
                          "ci_low": [0.5, 1.0], "ci_high": [2.0, 3.0]})
    # another lexicon file: other labels, another order, no code changed
    edited = parse_lexicon("""
name: t
version: "1"
provenance: test
frames:
  shared_future:
    patterns: [community with a shared future]
    default_variant: unqualified
    variant_labels: {sco: the SCO itself, unqualified: plain}
    variant_rules:
      - {variant: sco, before: [sco]}
      - {variant: mankind, after: [for mankind]}
  four_communities:
    variants:
      umbrella: {label: all four, patterns: [four communities]}
      health: {patterns: [community of health]}
""")
    monkeypatch.setattr(paper, "paper_lexicon", lambda: edited)
    ax = compendium.draw_figure("scope_variants", scope, MplFigure().add_subplot())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["the SCO itself", "mankind", "plain"]
    ax = compendium.draw_figure("pillars", rates, MplFigure().add_subplot())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["all four", "health"]


# ----------------------------------------------------------------- each figure's content
def _draw(name, out):
    from matplotlib.figure import Figure as MplFigure

    table = pd.read_csv(out / "data" / f"{name}.csv")
    if "variant" in table:  # a frame's total row has variant "" (read back as NaN)
        table["variant"] = table["variant"].fillna("")
    ax = MplFigure(figsize=(7, 4)).add_subplot()
    return table, compendium.draw_figure(name, table, ax)


def _check_corpus_tokens(table, ax):
    from sco_discourse import load_corpus

    docs = {d.doc_id: d for d in load_corpus()}
    assert sorted(table["doc_id"]) == sorted(docs)
    assert all(table.set_index("doc_id")["tokens"][i] == count_tokens(d.text) for i, d in docs.items())
    assert len(ax.containers) == len(docs)  # one stacked series per document


def _check_frame_rates(table, ax):
    from scipy.stats import chi2

    from sco_discourse import load_corpus

    tokens = {}
    for doc in load_corpus():
        tokens[doc.year] = tokens.get(doc.year, 0) + count_tokens(doc.text)
    assert dict(zip(table["year"], table["tokens"])) == tokens
    assert list(dict.fromkeys(table["frame"])) == list(paper.RATE_FRAMES)
    rate = table["count"] / table["tokens"] * 10_000
    assert (abs(table["rate_per_10k"] - rate) < 1e-4 * (1 + rate)).all()
    # exact Poisson (Garwood) 95% interval, from the chi-square distribution
    k = table["count"].to_numpy()
    low = [0.0 if c == 0 else chi2.ppf(0.025, 2 * c) / 2 for c in k] / table["tokens"] * 10_000
    high = chi2.ppf(0.975, 2 * k + 2) / 2 / table["tokens"] * 10_000
    assert (abs(table["ci_low"] - low) < 1e-4 * (1 + low)).all()
    assert (abs(table["ci_high"] - high) < 1e-4 * (1 + high)).all()
    # frames whose words are ordinary vocabulary (specific: false) carry an asterisk
    generic = {"win_win", "multilateralism"}
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        paper.frame_labels()[f] + ("*" if f in generic else "") for f in paper.RATE_FRAMES]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2020", "2021", "2022", "2023", "2024"]
    series_2023 = ax.containers[3].lines[0].get_ydata()
    expected = table[table["year"] == 2023].set_index("frame")["rate_per_10k"].reindex(paper.RATE_FRAMES)
    assert list(series_2023) == pytest.approx(list(expected))


def _check_scope_variants(table, ax):
    from sco_discourse import load_corpus
    from sco_discourse.frames import kwic

    lines = kwic(load_corpus(), frame="shared_future", columns=["year"])
    by_kwic = lines.groupby(["year", "variant"]).size()
    by_table = table[table["count"] > 0].set_index(["year", "variant"])["count"]
    assert by_table.sort_index().to_dict() == by_kwic.sort_index().to_dict()
    assert ax.get_ylabel() == "mentions"
    totals = [int(t.get_text()[2:]) for t in ax.texts]
    assert totals == table.groupby("year")["count"].sum().tolist()


def _check_pillars(table, ax):
    assert set(table["variant"]) == {"health", "security", "development", "culture", "umbrella"}
    assert len(ax.containers) == 5
    assert ax.get_ylabel() == "mentions per 10,000 tokens"


def _check_frame_cooccurrence(table, ax):
    import numpy as np

    matrix = ax.images[0].get_array()
    assert np.array_equal(matrix, matrix.T)  # symmetric
    frames = list(dict.fromkeys(table["frame_a"]))
    diagonal = table[table["frame_a"] == table["frame_b"]].set_index("frame_a")["n_a"].reindex(frames)
    assert list(np.diag(matrix)) == list(diagonal)
    assert (table["n_ab"] <= table[["n_a", "n_b"]].min(axis=1)).all()


def _check_kwic_shared_future(table, ax):
    assert (table["match"].str.lower().str.contains("community")).all()
    bold = [t for t in ax.texts if t.get_fontweight() == "bold"]
    assert [t.get_text() for t in bold] == list(table["match"])


def _check_frame_validation(table, ax):
    frames = table[table["variant"] == ""]
    assert list(ax.images[0].get_array()[:, 0]) == pytest.approx(list(frames["precision"]))
    all_row = frames[frames["frame"] == "ALL"].iloc[0]
    assert all_row["precision"] == pytest.approx(all_row["tp"] / (all_row["tp"] + all_row["fp"]))
    assert all_row["recall"] == pytest.approx(all_row["tp"] / (all_row["tp"] + all_row["fn"]))


def _check_frame_precision_un(table, ax):
    from statsmodels.stats.proportion import proportion_confint

    rows = table.set_index(["lexicon", "frame"])
    # counted by hand in sco_discourse/data/validation_ungdc_v2.csv: lexicon 1.1.0, four
    # communities: 14 mentions read, 3 of them the frame; 2.0.0, shared future: 20 of 21
    assert rows.loc[("1.1.0", "four_communities"), ["n_coded", "n_true"]].tolist() == [14, 3]
    assert rows.loc[("2.0.0", "shared_future"), ["n_coded", "n_true"]].tolist() == [21, 20]
    # a frame read whole in one cell: the proportion and its Wilson interval (statsmodels)
    one = rows.loc[("1.1.0", "four_communities")]   # (the CSV keeps six significant digits)
    assert one["precision"] == pytest.approx(3 / 14, abs=1e-6)
    assert (one["ci_low"], one["ci_high"]) == pytest.approx(proportion_confint(3, 14, method="wilson"), abs=1e-6)
    assert "shanghai_spirit_values" not in set(table.loc[table["lexicon"] == "2.0.0", "frame"])
    assert len(ax.containers) == 2        # one series of points with interval bars per lexicon
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "win-win*" in labels and "multilateralism*" in labels and labels[-1] == "all frames"


def _check_keyness_by_year(table, ax):
    import math

    from sco_discourse import load_corpus

    assert (table.groupby("year").size() <= paper.KEYWORDS_PER_YEAR).all()
    assert (table["g2"] > 0).all()
    # G² by hand over the four cells of the 2x2 table (Dunning 1993) for the top keyword
    # of every year; corpus sizes are all tokens of the year and of the other years.
    tokens = {}
    for doc in load_corpus():
        tokens[doc.year] = tokens.get(doc.year, 0) + count_tokens(doc.text)
    for year, part in table.groupby("year"):
        row = part.iloc[0]
        c, d = tokens[year], sum(tokens.values()) - tokens[year]
        a, b = row["count_target"], row["count_reference"]
        cells = [(a, c * (a + b) / (c + d)), (b, d * (a + b) / (c + d)),
                 (c - a, c * (c + d - a - b) / (c + d)), (d - b, d * (c + d - a - b) / (c + d))]
        g2 = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
        assert row["g2"] == pytest.approx(g2, rel=1e-5), (year, row["term"])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table["term"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [str(y) for y in sorted(table["year"].unique())]


def _check_topic_selection(table, ax):
    assert sorted(table["k"].unique()) == list(paper.TOPIC_KS)
    assert (table.groupby("k").size() == paper.TOPIC_SEEDS).all()
    means = table.groupby("k")[["coherence", "stability"]].mean()
    chosen = table.loc[table["chosen"], "k"].unique()
    assert list(chosen) == [int((means["coherence"] + means["stability"]).idxmax())]
    assert list(ax.lines[0].get_ydata()) == pytest.approx(list(means["coherence"]))
    assert ax.lines[-1].get_xdata()[0] == chosen[0]


def _check_topic_prevalence(table, ax):
    sums = table.groupby("year")["prevalence"].sum()
    assert list(sums) == pytest.approx([1.0] * len(sums), abs=1e-5)  # the CSV keeps 6 significant digits
    assert ((table["ci_low"] <= table["prevalence"] + 1e-12) & (table["prevalence"] <= table["ci_high"] + 1e-12)).all()
    assert len(ax.containers) == table["topic"].nunique()


def _check_topic_frame_linkage(table, ax):
    assert (abs(table["association"] - (table["mean_with"] - table["mean_without"])) < 1e-5).all()  # CSV keeps 6 digits
    shares = table.groupby("frame")["mention_share"].sum()
    assert list(shares) == pytest.approx([1.0] * len(shares), abs=1e-5)  # the CSV keeps 6 significant digits
    assert ax.images[0].get_array().shape == (table["topic"].nunique(), table["frame"].nunique())


CHECKS = {name[len("_check_"):]: check for name, check in list(globals().items()) if name.startswith("_check_")}


def test_every_registered_figure_has_a_content_check():
    assert set(compendium.FIGURES) <= set(CHECKS)


@pytest.mark.parametrize("name", list(compendium.FIGURES))
def test_figure_draws_its_table(name, built):
    out, _ = built
    table, ax = _draw(name, out)
    CHECKS[name](table, ax)
