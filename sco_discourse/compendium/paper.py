"""The paper: its figures and every analysis choice behind them.

This is the one file holding the paper's own content: which frames figure (a) shows,
which K range, seeds and settings the topic models use, how many keywords a year, the
labels of axes, and for each figure its table, its drawing and the numbers the
manuscript quotes. Frame and variant names and their order come from the lexicon file
(``short_label`` and variant ``label``, in file order), not from this module. The
library is called through one helper per stage (``_matcher``, ``_frame_counts_by_year``,
``_cooccurrence``, ``_kwic_lines``, ``_validation``, ``_keyness_by_year``,
``_topic_sweep``, ``_topic_model``, ``_topic_prevalence``, ``_topic_linkage``).

Each figure declares what it uses besides the corpus (:class:`~.registry.Uses`): the
lexicon, the hand coding, the seeds and settings of its random steps; the manifest
records exactly that.

Examples
--------
>>> from sco_discourse.compendium import paper
>>> paper.RATE_FRAMES[:2]
('shared_future', 'four_communities')
>>> paper.frame_labels()["new_international_relations"]
'new intl. relations'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import pandas as pd

from .. import plot
from .registry import Figure, FigureContext, Uses, register, register_numbers

__all__ = ["paper_lexicon", "frame_labels", "RATE_FRAMES", "FRAME_RATE_INTERVAL", "KWIC_FRAME", "KWIC_WINDOW",
           "KEYWORDS_PER_YEAR", "TOPIC_KS", "TOPIC_SEEDS", "TOPIC_METHOD", "TOPIC_SAMPLE_FRACTION",
           "TOPIC_BOOTSTRAP_RESAMPLES", "HAND_CODING", "corpus_numbers"]


# =========================================================================== analysis choices
def paper_lexicon():
    """The frame lexicon of the paper: the packaged codebook (``lexicons/codebook_v2.yaml``)."""
    from ..lexicons.schema import load_lexicon

    return load_lexicon()


def frame_labels() -> dict[str, str]:
    """Frame id → the short name the figures show (the lexicon's ``short_label``), in lexicon order."""
    return paper_lexicon().frame_labels()


def _variant_labels(frame: str) -> dict[str, str]:
    return paper_lexicon().variant_labels(frame)


#: Frames drawn in figure (a): the codebook's frames; the Shanghai Spirit's six values are
#: a keyword group counted separately, not a frame of their own.
RATE_FRAMES = ("shared_future", "four_communities", "shanghai_spirit", "belt_and_road", "three_evils",
               "global_initiatives", "win_win", "multilateralism", "new_international_relations")
#: Intervals of the frame rates. One to four documents per year: a document bootstrap has
#: (almost) nothing to resample, so the paper's intervals are exact Poisson (Garwood)
#: intervals on tokens.
FRAME_RATE_INTERVAL = "poisson"
#: The frame whose every mention figure (i) shows in context, and the characters of context.
KWIC_FRAME = "shared_future"
KWIC_WINDOW = 60
#: The hand coding behind the validation figure (exists for the seed corpus only).
HAND_CODING = "sco_discourse/data/gold_frames_seed.csv (hand-coded frame mentions of the seed corpus)"
#: Top positive keywords of each year shown in figure (e).
KEYWORDS_PER_YEAR = 8
#: The K range, seeds and settings of the topic models behind figures (f)-(h). NMF is
#: deterministic and fast; refitting on 80% samples per seed is the stability analysis
#: of Greene et al. (2014), which was proposed for NMF.
TOPIC_KS = (2, 3, 4, 5, 6)
TOPIC_SEEDS = 5  # stability over at least five seeds
TOPIC_METHOD = "nmf"
TOPIC_SAMPLE_FRACTION = 0.8
#: Resamples of the bootstrap intervals of topic prevalence (the library's default).
TOPIC_BOOTSTRAP_RESAMPLES = 2000

_FRAME_INTERVAL_SETTING = {"frame_rate_interval": "poisson (exact Garwood), 95%"}


# =========================================================================== one helper per stage
# The only calls into the analysis library; each result is computed once per build.
def _matcher(ctx: FigureContext):
    """The paper's lexicon, compiled once per build."""
    from ..frames import Matcher

    return ctx.memo("matcher", lambda: Matcher(paper_lexicon()))


def _frame_counts_by_year(ctx: FigureContext) -> pd.DataFrame:
    from ..frames import frame_counts

    def count():
        with warnings.catch_warnings():
            # one article per year is the seed corpus's nature; the caption and the exact
            # Poisson intervals say so, the warning would only repeat it on every build
            warnings.simplefilter("ignore", UserWarning)
            return frame_counts(_matcher(ctx).count(ctx.corpus, by="year"), interval=FRAME_RATE_INTERVAL)

    return ctx.memo("frame_counts_by_year", count)


def _cooccurrence(ctx: FigureContext) -> pd.DataFrame:
    from ..frames import cooccurrence

    return cooccurrence(ctx.corpus, matcher=_matcher(ctx), level="sentence")


def _kwic_lines(ctx: FigureContext) -> pd.DataFrame:
    from ..frames import kwic

    return kwic(ctx.corpus, matcher=_matcher(ctx), frame=KWIC_FRAME, window=KWIC_WINDOW, columns=["year"])


def _validation(ctx: FigureContext):
    from ..frames import validate_frames

    return ctx.memo("validation", lambda: validate_frames(ctx.corpus, matcher=_matcher(ctx)))


def _keyness_by_year(ctx: FigureContext) -> dict[int, pd.DataFrame]:
    """Keyness of every year against all other years (stop words removed): year → table."""
    from ..dtm import build_dtm
    from ..keywords import keyness

    dtm = build_dtm(ctx.corpus, remove_stop_words=True)
    years = sorted(ctx.corpus.to_frame(text=False)["year"].dropna().astype(int).unique())
    return {int(year): keyness(dtm, by="year", target=int(year)) for year in years}


def _topic_sweep(ctx: FigureContext) -> pd.DataFrame:
    from ..topics.selection import sweep

    def run():
        table = sweep(ctx.corpus, TOPIC_KS, seeds=TOPIC_SEEDS, method=TOPIC_METHOD, measures=["c_v"],
                      sample_fraction=TOPIC_SAMPLE_FRACTION, random_state=ctx.random_state, progress=False,
                      early_stop=None,  # the figure shows the whole grid
                      nmf_dtype="float64")  # the exact fits of the model the later figures use
        summary = table.groupby("k")[["coherence", "stability"]].mean()
        # The rule, stated once: the K with the best mean of coherence (C_V) and stability.
        chosen = int((summary["coherence"] + summary["stability"]).idxmax())
        return table.assign(chosen=table["k"] == chosen)

    return ctx.memo("topic_sweep", run)


def _chosen_k(ctx: FigureContext) -> int:
    sweep = _topic_sweep(ctx)
    return int(sweep.loc[sweep["chosen"], "k"].iloc[0])


def _topic_model(ctx: FigureContext):
    from ..topics import TopicModel

    return ctx.memo("topic_model", lambda: TopicModel(_chosen_k(ctx), method=TOPIC_METHOD,
                                                      random_state=ctx.random_state).fit(ctx.corpus))


def _topic_prevalence(ctx: FigureContext) -> pd.DataFrame:
    from ..topics.prevalence import topic_prevalence

    # the paper resamples paragraphs: most seed years are a single article, where resampling
    # documents (the library's default) has nothing to draw; the caption says so
    return topic_prevalence(_topic_model(ctx), resample="units", n_resamples=TOPIC_BOOTSTRAP_RESAMPLES,
                            random_state=ctx.random_state, warn=False)


def _topic_linkage(ctx: FigureContext) -> pd.DataFrame:
    from ..frames import find_mentions
    from ..topics.linkage import topic_frame_linkage

    return topic_frame_linkage(_topic_model(ctx), find_mentions(ctx.corpus, lexicon=paper_lexicon()), warn=False)


# --------------------------------------------------------------------------- declared settings
def _sweep_settings(ctx: FigureContext) -> dict[str, str]:
    return {"topic_sweep": f"{TOPIC_METHOD}, K {TOPIC_KS[0]}-{TOPIC_KS[-1]}, seeds {ctx.random_state}-"
                           f"{ctx.random_state + TOPIC_SEEDS - 1}, sample fraction {TOPIC_SAMPLE_FRACTION}"}


def _model_settings(ctx: FigureContext) -> dict[str, str]:
    return {**_sweep_settings(ctx),
            "topic_model": f"{TOPIC_METHOD}, K {_chosen_k(ctx)}, random_state {ctx.random_state}, paragraph units"}


def _prevalence_settings(ctx: FigureContext) -> dict[str, str]:
    return {**_model_settings(ctx),
            "topic_prevalence": f"bootstrap of paragraphs within year, {TOPIC_BOOTSTRAP_RESAMPLES} resamples, "
                                f"random_state {ctx.random_state}"}


# =========================================================================== the figures
# Each entry: a table function (FigureContext -> DataFrame), a draw function, the numbers
# the manuscript quotes from that table, and what it uses.

# --------------------------------------------------------------------------- corpus (s1)
def corpus_numbers(ctx: FigureContext) -> dict[str, str]:
    """The size of the corpus as the manuscript quotes it (documents, pages, tokens, years, outlets)."""
    from ..text import count_tokens

    frame = ctx.corpus.to_frame()
    years = frame["year"].dropna().astype(int)
    per_year = years.value_counts()
    pages = frame["source_file"].nunique() if "source_file" in frame else len(frame)
    numbers = {
        "n_documents": str(len(frame)),
        "n_source_pages": str(int(pages)),
        "n_tokens": f"{sum(count_tokens(text) for text in frame['text']):,}",
        "first_year": str(int(years.min())) if len(years) else "n/a",
        "last_year": str(int(years.max())) if len(years) else "n/a",
        "n_years": str(years.nunique()),
        "max_documents_per_year": str(int(per_year.max())) if len(years) else "0",
    }
    outlets = frame["outlet"].fillna("").astype(str).str.strip() if "outlet" in frame else pd.Series([], dtype=str)
    known = outlets[outlets != ""]
    numbers.update(n_documents_outlet_known=str(len(known)), outlets=", ".join(sorted(known.unique())) or "none",
                   years_one_document=", ".join(str(y) for y in sorted(per_year[per_year == 1].index)) or "none")
    return numbers


register_numbers("corpus", corpus_numbers)


def _corpus_tokens_table(ctx: FigureContext) -> pd.DataFrame:
    from ..text import count_tokens

    rows = [{"doc_id": d.doc_id, "year": d.year, "tokens": count_tokens(d.text)} for d in ctx.corpus]
    table = pd.DataFrame(rows, columns=["doc_id", "year", "tokens"])
    table["year"] = table["year"].astype("Int64")
    return table.sort_values(["year", "doc_id"], kind="stable").reset_index(drop=True)


def _corpus_tokens_draw(table: pd.DataFrame, ax):
    return plot.stacked_by_year(table, ax, y="tokens", hue="doc_id", ylabel="tokens (cleaned text)",
                                legend_title="document", totals=False)


register(Figure(
    name="corpus_tokens", label="s1",
    caption="Size of the corpus: tokens of cleaned text per publication year, by document.",
    table=_corpus_tokens_table, draw=_corpus_tokens_draw,
))


# --------------------------------------------------------------------------- frames (a-d, i, s2)
def _frame_rates_table(ctx: FigureContext) -> pd.DataFrame:
    counts = _frame_counts_by_year(ctx)
    table = counts[(counts["variant"] == "") & counts["frame"].isin(RATE_FRAMES)]
    return table[["year", "frame", "specific", "count", "tokens", "rate_per_10k", "ci_low", "ci_high", "n_docs"]] \
        .reset_index(drop=True)


def _frame_rates_draw(table: pd.DataFrame, ax):
    # frames on the x axis in RATE_FRAMES order, years as the coloured series; a frame the
    # table marks not specific (`specific: false` in the lexicon: ordinary vocabulary) gets an asterisk
    generic = set(table.loc[~table["specific"].astype(bool), "frame"])
    labels = {f: label + ("*" if f in generic else "") for f, label in frame_labels().items()}
    return plot.rates_by_year(table, ax, x="frame", hue="year", x_order=RATE_FRAMES, x_labels=labels,
                              legend_title="year", xlabel="", dodge=0.75, legend_below=False)


def _frame_rates_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for frame, part in table.groupby("frame", sort=False):
        numbers[f"mentions_{frame}"] = str(int(part["count"].sum()))
        for row in part.itertuples(index=False):
            numbers[f"rate_{frame}_{row.year}"] = f"{row.rate_per_10k:.1f}"
            numbers[f"ci_{frame}_{row.year}"] = f"{row.ci_low:.1f}–{row.ci_high:.1f}"
    numbers["mentions_all_frames"] = str(int(table["count"].sum()))
    return numbers


register(Figure(
    name="frame_rates", label="a",
    caption="Frame mentions per 10,000 tokens in each publication year, with exact Poisson 95% intervals. "
            "* generic vocabulary (specific: false in the lexicon): the rate counts the word, not a "
            "Chinese/SCO frame.",
    table=_frame_rates_table, draw=_frame_rates_draw,
    size=(plot.TEXT_WIDTH, 2.8), numbers=_frame_rates_numbers,
    uses=Uses(lexicon=paper_lexicon, settings=lambda ctx: _FRAME_INTERVAL_SETTING),
))


def _variants_table(ctx: FigureContext, frame: str) -> pd.DataFrame:
    counts = _frame_counts_by_year(ctx)
    table = counts[(counts["frame"] == frame) & (counts["variant"] != "")]
    return table[["year", "variant", "count", "tokens", "rate_per_10k", "ci_low", "ci_high"]].reset_index(drop=True)


def _variant_numbers(prefix: str):
    def numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
        out = {}
        for variant, part in table.groupby("variant", sort=False):
            total = int(part["count"].sum())
            out[f"{prefix}_{variant}_total"] = str(total)
            out[f"{prefix}_{variant}_times"] = {1: "once", 2: "twice"}.get(total, f"{total} times")
            years = part.loc[part["count"] > 0, "year"].astype(int).tolist()
            out[f"{prefix}_{variant}_years"] = ", ".join(map(str, years)) or "none"
            for row in part.itertuples(index=False):
                out[f"{prefix}_{variant}_{row.year}"] = str(int(row.count))
        return out

    return numbers


def _scope_variants_draw(table: pd.DataFrame, ax):
    labels = _variant_labels("shared_future")  # the lexicon's order and names of the scopes
    return plot.stacked_by_year(table, ax, y="count", hue="variant", order=list(labels), labels=labels,
                                legend_title="scope")


register(Figure(
    name="scope_variants", label="b",
    caption='Mentions of "community with a shared future" by scope variant (for mankind, for '
            "humanity, SCO, bilateral/regional, unqualified) in each publication year.",
    table=lambda ctx: _variants_table(ctx, "shared_future"), draw=_scope_variants_draw,
    numbers=_variant_numbers("scope"),
    uses=Uses(lexicon=paper_lexicon, settings=lambda ctx: _FRAME_INTERVAL_SETTING),
))


def _pillars_draw(table: pd.DataFrame, ax):
    labels = _variant_labels("four_communities")  # the four pillars and the umbrella phrase
    return plot.rates_by_year(table, ax, hue="variant", order=list(labels), labels=labels,
                              legend_title="community of ...")


register(Figure(
    name="pillars", label="c",
    caption="The four communities (health, security, development, cultural exchanges) and the phrase "
            '"four communities": mentions per 10,000 tokens by year, with exact Poisson 95% intervals.',
    table=lambda ctx: _variants_table(ctx, "four_communities"), draw=_pillars_draw,
    size=(plot.COLUMN_WIDTH, 2.8), numbers=_variant_numbers("pillar"),
    uses=Uses(lexicon=paper_lexicon, settings=lambda ctx: _FRAME_INTERVAL_SETTING),
))


def _cooccurrence_table(ctx: FigureContext) -> pd.DataFrame:
    pairs = _cooccurrence(ctx)
    mirrored = pairs.rename(columns={"frame_a": "frame_b", "frame_b": "frame_a", "n_a": "n_b", "n_b": "n_a"})
    counts = pd.concat([pairs[["frame_a", "n_a"]],
                        pairs[["frame_b", "n_b"]].set_axis(["frame_a", "n_a"], axis=1)])
    counts = counts.drop_duplicates("frame_a")
    n_units = int(pairs["n_units"].iloc[0]) if len(pairs) else 0
    diagonal = pd.DataFrame({"frame_a": counts["frame_a"], "frame_b": counts["frame_a"], "n_a": counts["n_a"],
                             "n_b": counts["n_a"], "n_ab": counts["n_a"], "n_units": n_units,
                             "jaccard": (counts["n_a"] > 0).astype(float), "pmi": float("nan")})
    order = {frame: i for i, frame in enumerate(dict.fromkeys(counts["frame_a"]))}
    table = pd.concat([pairs, mirrored[pairs.columns], diagonal[pairs.columns]], ignore_index=True)
    table = table.assign(_a=table["frame_a"].map(order), _b=table["frame_b"].map(order))
    return table.sort_values(["_a", "_b"]).drop(columns=["_a", "_b"]).reset_index(drop=True)


def _cooccurrence_draw(table: pd.DataFrame, ax):
    frames = list(dict.fromkeys(table["frame_a"]))
    return plot.heatmap(table, ax, row="frame_a", col="frame_b", value="n_ab", row_order=frames, col_order=frames,
                        labels=frame_labels(), colorbar_label="sentences with both frames")


def _cooccurrence_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    off = table[table["frame_a"] < table["frame_b"]]
    numbers = {"n_sentences": str(int(table["n_units"].iloc[0])) if len(table) else "0",
               "n_frame_pairs_cooccurring": str(int((off["n_ab"] > 0).sum())),
               "n_frame_pairs": str(len(off))}
    for row in table[table["frame_a"] == "shared_future"].itertuples(index=False):
        if row.frame_b != "shared_future":
            numbers[f"cooc_shared_future_{row.frame_b}"] = str(int(row.n_ab))
    return numbers


register(Figure(
    name="frame_cooccurrence", label="d",
    caption="Sentences in which two frames occur together (diagonal: sentences with the frame).",
    table=_cooccurrence_table, draw=_cooccurrence_draw,
    size=(plot.TEXT_WIDTH * 0.7, 4.2), numbers=_cooccurrence_numbers,
    uses=Uses(lexicon=paper_lexicon),
))


def _kwic_table(ctx: FigureContext) -> pd.DataFrame:
    table = _kwic_lines(ctx).sort_values(["year", "doc_id", "start"], kind="stable")
    return table[["doc_id", "year", "variant", "start", "end", "left", "match", "right"]].reset_index(drop=True)


def _kwic_draw(table: pd.DataFrame, ax):
    ax.set_position((0.0, 0.0, 1.0, 1.0))  # a text table: use the whole width for context
    labelled = table.assign(source=table["year"].astype(str) + " " + table["doc_id"])
    return plot.kwic_table(labelled, ax, label="source", n=len(labelled))


register(Figure(
    name="kwic_shared_future", label="i",
    caption='Every mention of "community with a shared future" in context, with year and document.',
    table=_kwic_table, draw=_kwic_draw,
    size=lambda table: (plot.TEXT_WIDTH, 0.16 * (len(table) + 1) + 0.2),
    numbers=lambda table, ctx: {"n_kwic_shared_future": str(len(table))},
    uses=Uses(lexicon=paper_lexicon),
))


def _validation_table(ctx: FigureContext) -> pd.DataFrame:
    return _validation(ctx).scores


def _validation_draw(table: pd.DataFrame, ax):
    frames = table[table["variant"] == ""]
    long = frames.melt(id_vars=["frame"], value_vars=["precision", "recall", "f1"], var_name="metric")
    return plot.heatmap(long, ax, row="frame", col="metric", value="value", fmt="{:.2f}",
                        row_order=list(frames["frame"]), col_order=["precision", "recall", "f1"],
                        labels={**frame_labels(), "ALL": "all frames (micro)"},
                        colorbar_label="score against hand coding", limits=(0.0, 1.0))


def _validation_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for row in table[table["variant"] == ""].itertuples(index=False):
        key = "all" if row.frame == "ALL" else row.frame
        numbers[f"validation_precision_{key}"] = f"{row.precision:.3f}"
        numbers[f"validation_recall_{key}"] = f"{row.recall:.3f}"
        numbers[f"validation_f1_{key}"] = f"{row.f1:.3f}"
        if row.frame == "ALL":
            numbers.update(validation_gold_mentions=str(int(row.tp + row.fn)),
                           validation_tp=str(int(row.tp)), validation_fp=str(int(row.fp)),
                           validation_fn=str(int(row.fn)))
    return numbers


register(Figure(
    name="frame_validation", label="s2",
    caption="Precision, recall and F1 of the frame matcher against the hand-coded mentions of the seed corpus.",
    table=_validation_table, draw=_validation_draw,
    size=(plot.COLUMN_WIDTH, 3.2), numbers=_validation_numbers,
    uses=Uses(lexicon=paper_lexicon, hand_coding=HAND_CODING),
))


# --------------------------------------------------------------------------- validation on the UN General Debate (s3)
#: The hand-coded sample of UN General Debate mentions behind figure (s3): package data, so
#: the figure needs neither the UN corpus nor a run of the matcher.
UN_VALIDATION = ("sco_discourse/data/validation_ungdc_v2.csv (mentions of lexicons 1.1.0 and 2.0.0 in the UN "
                 "General Debate 1946-2024, read and judged by hand)")
#: The two lexicons the sample measures and the sheet rows of each (see the sample's README).
UN_LEXICONS = (("1.1.0", ("both", "old_only")), ("2.0.0", ("both", "new_only")))


def _un_sheet() -> pd.DataFrame:
    from importlib import resources

    from ..frames.precision import load_sheet

    return load_sheet(str(resources.files("sco_discourse").joinpath("data", "validation_ungdc_v2.csv")))


def _un_precision_table(ctx: FigureContext) -> pd.DataFrame:
    from ..frames.precision import sheet_precision

    sheet = _un_sheet()
    mentions = sheet[sheet["kind"] == "mention"]
    parts = []
    for lexicon, statuses in UN_LEXICONS:
        table = sheet_precision(mentions[mentions["status"].isin(statuses)])
        parts.append(table[table["variant"] == ""].assign(lexicon=lexicon))
    columns = ["lexicon", "frame", "mentions", "n_coded", "n_true", "n_ambiguous", "precision", "ci_low", "ci_high"]
    return pd.concat(parts, ignore_index=True)[columns]


def _un_precision_draw(table: pd.DataFrame, ax):
    lexicon = paper_lexicon()
    generic = [f for f in lexicon.frames if not lexicon.frames[f].specific]
    return plot.precision_intervals(table, ax, hue="lexicon", order=[*lexicon.frames, "ALL"],
                                    labels={**frame_labels(), "ALL": "all frames"}, generic=generic,
                                    legend_title="lexicon")


def _un_precision_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    sheet = _un_sheet()
    near = sheet[sheet["kind"] == "near_miss"]
    numbers = {"un_mentions_read": str(int((sheet["kind"] == "mention").sum())),
               "un_near_misses": str(len(near)),
               "un_near_misses_missed": str(int((near["judgement"] == "TRUE").sum()))}
    for row in table.itertuples(index=False):
        key = f"un_{'v1' if row.lexicon == '1.1.0' else 'v2'}_{'all' if row.frame == 'ALL' else row.frame}"
        numbers[f"{key}_precision"] = f"{row.precision:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]"
        numbers[f"{key}_read"] = f"{row.n_coded:,}"
        numbers[f"{key}_mentions"] = f"{row.mentions:,}"
        numbers[f"{key}_true"] = str(int(row.n_true))
    return numbers


register(Figure(
    name="frame_precision_un", label="s3",
    caption="Precision of each frame on the UN General Debate 1946-2024, lexicons of codebook v1 (1.1.0) "
            "and v2 (2.0.0): a stratified random sample of mentions read by hand, 95% Wilson intervals, "
            "n = mentions read. * generic vocabulary (specific: false): the precision of the word.",
    table=_un_precision_table, draw=_un_precision_draw,
    size=(plot.COLUMN_WIDTH, 4.2), numbers=_un_precision_numbers,
    uses=Uses(lexicon=paper_lexicon, hand_coding=UN_VALIDATION),
))


# --------------------------------------------------------------------------- keywords (e)
def _keyness_table(ctx: FigureContext) -> pd.DataFrame:
    parts = []
    for year, table in _keyness_by_year(ctx).items():
        top = table[table["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True]).head(KEYWORDS_PER_YEAR)
        parts.append(top.assign(year=year))
    columns = ["year", "term", "count_target", "count_reference", "g2", "log_ratio", "log_ratio_ci_low",
               "log_ratio_ci_high", "p", "p_adj"]
    return pd.concat(parts, ignore_index=True)[columns]


def _keyness_draw(table: pd.DataFrame, ax):
    return plot.ranked_terms(table, ax, group="year", value="g2", xlabel="keyness (log-likelihood G²)",
                             legend_title="year")


def _keyness_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {"keywords_per_year": str(KEYWORDS_PER_YEAR),
               "keywords_significant": str(int((table["p_adj"] < 0.05).sum())),
               "keywords_shown": str(len(table))}
    for year, part in table.groupby("year"):
        numbers[f"keywords_{year}"] = ", ".join(part["term"].head(5))
        numbers[f"keywords_{year}_significant"] = str(int((part["p_adj"] < 0.05).sum()))
    return numbers


register(Figure(
    name="keyness_by_year", label="e",
    caption=f"The {KEYWORDS_PER_YEAR} strongest positive keywords of each year against all other years "
            "(signed log-likelihood G², stop words removed).",
    table=_keyness_table, draw=_keyness_draw,
    size=lambda table: (plot.COLUMN_WIDTH, max(2.0, 0.14 * (len(table) + table["year"].nunique()) + 0.6)),
    numbers=_keyness_numbers,
))


# --------------------------------------------------------------------------- topics (f-h)
def _topic_names(model) -> list[str]:
    return [f"T{k + 1} {label.replace('/', ', ')}" for k, label in enumerate(model.labels_)]


def _topic_selection_table(ctx: FigureContext) -> pd.DataFrame:
    columns = ["k", "seed", "coherence", "stability", "exclusivity", "n_units", "n_terms", "chosen"]
    return _topic_sweep(ctx)[columns].reset_index(drop=True)


def _topic_selection_draw(table: pd.DataFrame, ax):
    chosen = table.loc[table["chosen"].astype(bool), "k"]
    return plot.selection_curve(table, ax, x="k", metrics=("coherence", "stability"),
                                labels={"coherence": "coherence (C_V)", "stability": "stability"},
                                chosen=int(chosen.iloc[0]) if len(chosen) else None)


def _topic_selection_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    chosen = table[table["chosen"].astype(bool)]
    return {"topic_k": str(int(chosen["k"].iloc[0])), "topic_k_min": str(int(table["k"].min())),
            "topic_k_max": str(int(table["k"].max())), "topic_seeds": str(table["seed"].nunique()),
            "topic_coherence": f"{chosen['coherence'].mean():.2f}",
            "topic_stability": f"{chosen['stability'].mean():.2f}",
            "topic_units": str(int(table["n_units"].iloc[0])), "topic_vocabulary": str(int(table["n_terms"].iloc[0]))}


register(Figure(
    name="topic_selection", label="f",
    caption="Choosing the number of topics K: mean C_V coherence and seed stability over refits on 80% "
            "samples (band: range over seeds); dotted line: the K chosen.",
    table=_topic_selection_table, draw=_topic_selection_draw,
    size=(plot.COLUMN_WIDTH, 2.8), numbers=_topic_selection_numbers,
    uses=Uses(settings=_sweep_settings),
))


def _labelled(table: pd.DataFrame, ctx: FigureContext) -> pd.DataFrame:
    """``table`` with a ``label`` column naming its ``topic`` as the figures do ("T1 ...")."""
    table["label"] = table["topic"].map(dict(enumerate(_topic_names(_topic_model(ctx)))))
    return table


def _topic_prevalence_table(ctx: FigureContext) -> pd.DataFrame:
    return _labelled(_topic_prevalence(ctx), ctx)


def _topic_prevalence_draw(table: pd.DataFrame, ax):
    return plot.rates_by_year(table, ax, y="prevalence", hue="label", ylabel="mean topic proportion",
                              legend_below=True, legend_title="topic")


def _prose_terms(terms: str) -> str:
    """Phrase terms as words for the manuscript: "president_xi" -> "president xi"."""
    return terms.replace("_", " ")


def _topic_prevalence_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    summary = _topic_model(ctx).topic_summary(8)
    numbers = {}
    summary = summary.assign(top_terms=summary["top_terms"].map(_prose_terms),
                             frex_terms=summary["frex_terms"].map(_prose_terms))
    for row in summary.itertuples(index=False):
        numbers[f"topic_{row.topic + 1}_terms"] = row.top_terms
        numbers[f"topic_{row.topic + 1}_frex"] = row.frex_terms
        numbers[f"topic_{row.topic + 1}_prevalence"] = f"{row.prevalence:.2f}"
    # every topic in one phrase, so that prose quoting it holds for any chosen K
    numbers["topic_terms_list"] = "; ".join(f"T{row.topic + 1} — {row.top_terms}"
                                            for row in summary.itertuples(index=False))
    for row in table.itertuples(index=False):
        numbers[f"topic_{row.topic + 1}_prevalence_{row.year}"] = f"{row.prevalence:.2f}"
    return numbers


register(Figure(
    name="topic_prevalence", label="g",
    caption="Mean topic proportion of the paragraphs of each year, with 95% bootstrap intervals "
            "(paragraphs resampled within a year; most years are one article).",
    table=_topic_prevalence_table, draw=_topic_prevalence_draw,
    size=(plot.COLUMN_WIDTH, 3.2), numbers=_topic_prevalence_numbers,
    uses=Uses(settings=_prevalence_settings),
))


def _topic_linkage_table(ctx: FigureContext) -> pd.DataFrame:
    return _labelled(_topic_linkage(ctx), ctx)


def _topic_linkage_draw(table: pd.DataFrame, ax):
    labels: Mapping[str, str] = frame_labels()
    present = set(table["frame"])
    return plot.heatmap(table, ax, row="label", col="frame", value="association", fmt="{:.2f}", center=0.0,
                        labels=labels, col_order=[f for f in labels if f in present],
                        colorbar_label="difference in topic proportion")


def _topic_linkage_numbers(table: pd.DataFrame, ctx: FigureContext) -> dict[str, str]:
    numbers = {}
    for frame, part in table.groupby("frame"):
        best = part.sort_values(["association", "topic"], ascending=[False, True]).iloc[0]
        numbers[f"linkage_{frame}_topic"] = f"T{int(best['topic']) + 1}"
        numbers[f"linkage_{frame}_association"] = f"{best['association']:.2f}"
    return numbers


register(Figure(
    name="topic_frame_linkage", label="h",
    caption="Topic–frame linkage: mean topic proportion of paragraphs that mention a frame minus that of "
            "paragraphs that do not.",
    table=_topic_linkage_table, draw=_topic_linkage_draw,
    size=(plot.TEXT_WIDTH * 0.8, 3.4), numbers=_topic_linkage_numbers,
    uses=Uses(lexicon=paper_lexicon, settings=_model_settings),
))
