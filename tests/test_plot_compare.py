"""Plots of comparisons (forest plot, predicted rates with bands, topic contrasts) and
missing cells of a heatmap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from sco_discourse import plot
from sco_discourse.errors import InputError


def test_heatmap_leaves_missing_cells_blank_and_keeps_zero_cells():
    table = pd.DataFrame({"row": ["a", "a", "b", "b"], "col": ["x", "y", "x", "y"],
                          "value": [0.0, np.nan, 2.5, 1.0]})
    table = table[~((table["row"] == "b") & (table["col"] == "y"))]       # (b, y) absent altogether
    ax = plot.heatmap(table, row="row", col="col", value="value", fmt="{:.1f}")
    data = ax.images[0].get_array()
    assert data.mask.tolist() == [[False, True], [False, True]]           # NaN and absent: blank
    assert data.data[0, 0] == 0.0 and data.data[1, 0] == 2.5             # a real 0 is a value
    assert sorted(t.get_text() for t in ax.texts) == ["0.0", "2.5"]      # no "0" written in a blank cell
    plot.close(ax)


def test_forest_plot_rows_intervals_and_unbounded_ends():
    table = pd.DataFrame({"frame": ["win_win", "win_win", "belt_and_road"], "variant": ["", "mutual", ""],
                          "rate_ratio": [8.0, np.inf, 0.5], "rr_ci_low": [2.0, 3.0, 0.0],
                          "rr_ci_high": [30.0, np.inf, 2.0]})
    ax = plot.rate_ratio_forest(table, labels={"belt_and_road": "Belt and Road"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["win win", "win win: mutual", "Belt and Road"]
    assert ax.get_xscale() == "log"
    low, high = ax.get_xlim()
    assert low < 0.5 and high > 30.0
    # two open ends (an unbounded upper bound and a zero lower bound) are arrows
    assert len([c for c in ax.texts if c.arrow_patch is not None]) == 2
    # the point of an unbounded ratio is not drawn; the finite ones are
    points = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert sorted(points[0].get_xdata().tolist()) == [0.5, 8.0]
    plot.close(ax)


def test_forest_plot_dodges_two_clusterings_of_one_comparison():
    one = pd.DataFrame({"frame": ["a", "b"], "variant": [""] * 2, "rate_ratio": [2.0, 3.0]})
    table = pd.concat([one.assign(rr_ci_low=[1.5, 2.0], rr_ci_high=[2.5, 4.0], cluster="document"),
                       one.assign(rr_ci_low=[0.8, 1.1], rr_ci_high=[5.0, 9.0], cluster="iso3")])  # index 0, 1, 0, 1
    ax = plot.rate_ratio_forest(table, hue="cluster")
    points = [line for line in ax.lines if line.get_linestyle() == "None"]
    ys = [p.get_ydata().tolist() for p in points]
    assert ys == [[-0.15, 0.85], [0.15, 1.15]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["document", "iso3"]
    plot.close(ax)


def test_predicted_rates_keep_empty_years_on_the_axis_as_gaps():
    table = pd.DataFrame({"group": ["SCO"] * 3 + ["other"] * 3, "year": [2013, 2015, 2016] * 2,
                          "rate_per_10k": [1.0, np.nan, 2.0, 0.5, 0.6, 0.7],
                          "ci_low": [0.5, np.nan, 1.5, 0.4, 0.5, 0.6], "ci_high": [1.5, np.nan, 2.5, 0.6, 0.7, 0.8]})
    ax = plot.predicted_rates(table, hue="group", x_values=range(2013, 2018))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2013", "2014", "2015", "2016", "2017"]
    sco, other = ax.lines  # groups sorted as text: 'SCO' before 'other'
    assert sco.get_xdata().tolist() == [2013, 2014, 2015, 2016, 2017]
    assert np.isnan(sco.get_ydata()[1:3]).all() and sco.get_ydata()[3] == 2.0  # 2014 absent, 2015 NaN: a gap
    assert np.isnan(other.get_ydata()[1]) and other.get_ydata()[2] == 0.6
    assert len(ax.collections) == 2
    plot.close(ax)


def test_topic_contrast_sorts_and_marks_clear_effects():
    table = pd.DataFrame({"label": ["a", "b", "c"], "difference": [-0.05, 0.2, 0.01],
                          "ci_low": [-0.09, 0.1, -0.02], "ci_high": [-0.01, 0.3, 0.04]})
    ax = plot.topic_contrast(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]
    colours = [line.get_color() for line in ax.lines if line.get_marker() == "o"]
    assert colours == [plot.OKABE_ITO[0], "0.55", plot.OKABE_ITO[0]]
    plot.close(ax)


def test_new_plots_name_missing_columns():
    with pytest.raises(InputError, match="no column 'rate_ratio'"):
        plot.rate_ratio_forest(pd.DataFrame({"frame": ["a"], "variant": [""]}))
    with pytest.raises(InputError, match="no column 'prevalence'"):
        plot.predicted_rates(pd.DataFrame({"year": [2020]}), y="prevalence")
