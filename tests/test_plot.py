"""Plot functions: drawn values equal the table's values; labels, order and style are right."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sco_discourse import plot  # noqa: E402
from sco_discourse.errors import InputError  # noqa: E402


@pytest.fixture(autouse=True)
def _close_all():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _rates():
    return pd.DataFrame({
        "year": [2020, 2021, 2022, 2020, 2021, 2022],
        "frame": ["b", "b", "b", "a", "a", "a"],
        "rate_per_10k": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "ci_low": [0.5, 1.0, np.nan, 3.0, 5.0, 4.0],
        "ci_high": [2.0, 2.5, np.nan, 4.5, 5.0, 9.0],
    })


def test_rates_by_year_points_and_interval_bars_match_the_table():
    ax = plot.rates_by_year(_rates(), hue="frame", dodge=0.6)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b"]  # sorted by default
    a, b = ax.containers
    line_a = a.lines[0]
    # two groups over 0.6 years: offsets -0.15 and +0.15
    np.testing.assert_allclose(line_a.get_xdata(), [2019.85, 2020.85, 2021.85])
    np.testing.assert_allclose(line_a.get_ydata(), [4.0, 5.0, 6.0])
    # error bar segments run from ci_low to ci_high (a NaN bound draws a zero-length bar)
    segments = b.lines[2][0].get_segments()
    spans = [(s[0][1], s[1][1]) for s in segments]
    assert spans == [(0.5, 2.0), (1.0, 2.5), (3.0, 3.0)]
    assert ax.get_ylabel() == "mentions per 10,000 tokens"
    assert ax.get_xlabel() == "publication year"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022"]


def test_rates_by_year_order_and_labels():
    ax = plot.rates_by_year(_rates(), order=["b", "a", "zzz"], labels={"b": "Bee"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Bee", "a"]
    assert [c.lines[0].get_color() for c in ax.containers] == list(plot.OKABE_ITO[:2])


def test_missing_column_names_the_column():
    with pytest.raises(InputError, match="no column 'ci_low'"):
        plot.rates_by_year(_rates().drop(columns="ci_low"))
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        plot.heatmap([1, 2], row="a", col="b", value="c")


def test_stacked_by_year_heights_counts_and_shares():
    table = pd.DataFrame({"year": [2020, 2020, 2021, 2021, 2021],
                          "variant": ["mankind", "sco", "sco", "humanity", "humanity"],
                          "count": [3, 1, 2, 1, 1]})
    ax = plot.stacked_by_year(table, order=["mankind", "humankind", "humanity", "sco"],
                              labels={"mankind": "for mankind", "humanity": "for humanity", "sco": "SCO"})
    # the given order: mankind, humanity, sco (absent variants are not drawn)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["for mankind", "for humanity", "SCO"]
    heights = [[bar.get_height() for bar in c] for c in ax.containers]
    assert heights == [[3, 0], [0, 2], [1, 2]]
    assert [t.get_text() for t in ax.texts] == ["n=4", "n=4"]
    ax2 = plot.stacked_by_year(table, share=True)
    shares = [[round(bar.get_height(), 6) for bar in c] for c in ax2.containers]
    # sorted variant order: humanity, mankind, sco
    assert shares == [[0.0, 50.0], [75.0, 0.0], [25.0, 50.0]]
    assert ax2.get_ylabel() == "share of mentions (%)"


def test_heatmap_matrix_is_the_pivot_of_the_long_table():
    table = pd.DataFrame({"frame_a": ["x", "x", "y", "y"], "frame_b": ["x", "y", "x", "y"],
                          "n_ab": [4, 1, 1, 2]})
    ax = plot.heatmap(table, row="frame_a", col="frame_b", value="n_ab", row_order=["y", "x"])
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 2], [4, 1]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["y", "x"]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "2", "4"]


def test_heatmap_centre_gives_a_symmetric_diverging_scale():
    table = pd.DataFrame({"topic": ["t1", "t2"], "frame": ["f", "f"], "association": [-0.5, 2.0]})
    ax = plot.heatmap(table, row="topic", col="frame", value="association", center=0.0)
    norm = ax.images[0].norm
    assert (norm.vmin, norm.vmax) == (-2.0, 2.0)


def test_ranked_terms_top_n_per_group_in_order():
    table = pd.DataFrame({"year": [2020, 2020, 2020, 2021, 2021],
                          "term": ["virus", "health", "mask", "security", "energy"],
                          "g2": [8.0, 12.0, 1.0, 5.0, 9.0]})
    ax = plot.ranked_terms(table, n=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["health", "virus", "energy", "security"]
    widths = [[bar.get_width() for bar in c] for c in ax.containers]
    assert widths == [[12.0, 8.0], [9.0, 5.0]]


def test_selection_curve_mean_and_band_over_seeds():
    table = pd.DataFrame({"k": [2, 2, 4, 4], "seed": [0, 1, 0, 1],
                          "coherence": [0.2, 0.4, 0.5, 0.7], "stability": [1.0, 0.8, 0.6, 0.6]})
    ax = plot.selection_curve(table, chosen=4)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.3, 0.6])
    twin = [a for a in ax.figure.axes if a is not ax][0]
    np.testing.assert_allclose(twin.lines[0].get_ydata(), [0.9, 0.6])
    assert twin.get_ylabel() == "stability"
    assert ax.lines[-1].get_xdata()[0] == 4.0  # the chosen K
    with pytest.raises(InputError, match="one or two metrics"):
        plot.selection_curve(table, metrics=["coherence", "stability", "seed"])


def test_kwic_table_aligns_the_node_in_one_column():
    table = pd.DataFrame({"doc_id": ["d1", "d2"], "left": ["we build a", "a"],
                          "match": ["community with a shared future", "community of shared future"],
                          "right": ["for mankind", "for all"]})
    ax = plot.kwic_table(table)
    nodes = [t for t in ax.texts if t.get_text().startswith("community")]
    assert len(nodes) == 2 and nodes[0].get_position()[0] == nodes[1].get_position()[0]
    assert all(t.get_fontweight() == "bold" for t in nodes)


def test_kwic_table_cuts_long_context_at_whole_words():
    table = pd.DataFrame({"doc_id": ["d1"], "left": ["one two three four five six"],
                          "match": ["X"], "right": ["alpha beta gamma delta epsilon"]})
    ax = plot.kwic_table(table, width=12)
    texts = [t.get_text() for t in ax.texts]
    assert texts[1] == "…five six" and texts[3] == "alpha beta…"


def test_style_uses_the_colour_blind_safe_palette_and_restores_settings():
    before = mpl.rcParams["font.size"]
    with plot.paper_style():
        colours = [c["color"].lower() for c in mpl.rcParams["axes.prop_cycle"]]
        assert colours == [c.lower() for c in plot.OKABE_ITO]
        assert mpl.rcParams["svg.hashsalt"] == "sco-discourse"
    assert mpl.rcParams["font.size"] == before


def test_stacked_by_year_leaves_out_groups_without_counts():
    table = pd.DataFrame({"year": [2020, 2020, 2021, 2021], "variant": ["mankind", "humankind"] * 2,
                          "count": [2, 0, 1, 0]})
    ax = plot.stacked_by_year(table, labels={"mankind": "for mankind", "humankind": "for humankind"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["for mankind"]


def test_rates_by_year_with_categorical_x_uses_category_positions():
    table = _rates().assign(frame=lambda t: t["frame"].map({"a": "shared_future", "b": "win_win"}))
    ax = plot.rates_by_year(table, x="frame", hue="year", x_order=["win_win", "shared_future"],
                            x_labels={"win_win": "win-win"}, dodge=0.75)
    # labels given or the value with "_" as a space
    assert [t.get_text() for t in ax.get_xticklabels()] == ["win-win", "shared future"]
    # three years dodged over 0.75 around each frame's position; 2020 is the first series
    np.testing.assert_allclose(ax.containers[0].lines[0].get_xdata(), [-0.25, 0.75])
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), [1.0, 4.0])
    assert ax.containers[0].lines[0].get_linestyle() == "None"  # categories are not joined
