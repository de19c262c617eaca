"""Figure functions: each takes a tidy table and ``ax=None`` and returns the Axes.

Nothing here saves or shows a figure (:mod:`sco_discourse.compendium` writes the paper's
figures). Every function draws onto ``ax`` when one is given, so figures can be
composed; with ``ax=None`` it makes a new figure of a size that reads at journal column
width. The look comes from the package style file (:data:`STYLE_PATH`): Okabe–Ito
colours with one marker per series, 8 pt DejaVu Sans, axes labelled with units.

Generic plots (usable on any table with the named columns):

* :func:`rates_by_year` – points with interval bars per group and year (dodged).
* :func:`stacked_by_year` – stacked bars of counts (or shares) per year.
* :func:`heatmap` – a labelled matrix from a long table.
* :func:`ranked_terms` – horizontal bars of the top terms per group.
* :func:`selection_curve` – one or two metrics against a model size, seeds as a band.
* :func:`kwic_table` – key-word-in-context lines, the node aligned in the middle.
* :func:`precision_intervals` – precision per frame with interval bars (lexicon validation).

The paper's figures (which columns, orders and labels) are drawn with these in
:mod:`sco_discourse.compendium.paper`; frame and variant names come from the lexicon
(:meth:`~sco_discourse.lexicons.schema.Lexicon.frame_labels`).

Examples
--------
>>> import pandas as pd
>>> from sco_discourse import plot
>>> table = pd.DataFrame({"year": [2020, 2021, 2020, 2021], "frame": ["a", "a", "b", "b"],
...                       "rate_per_10k": [1.0, 2.0, 0.5, 0.0],
...                       "ci_low": [0.5, 1.0, 0.1, 0.0], "ci_high": [1.5, 3.0, 0.9, 0.0]})
>>> with plot.paper_style():
...     ax = plot.rates_by_year(table, hue="frame")
>>> ax.get_ylabel()
'mentions per 10,000 tokens'
>>> [t.get_text() for t in ax.get_legend().get_texts()]
['a', 'b']
>>> plot.close(ax)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "STYLE_PATH",
    "OKABE_ITO",
    "paper_style",
    "use_style",
    "close",
    "rates_by_year",
    "stacked_by_year",
    "heatmap",
    "ranked_terms",
    "selection_curve",
    "kwic_table",
    "RATE_LABEL",
    "COLUMN_WIDTH",
    "TEXT_WIDTH",
    "precision_intervals",
]

#: Path of the package style file (matplotlib ``.mplstyle``).
STYLE_PATH = str(resources.files("sco_discourse") / "data" / "paper.mplstyle")

#: The Okabe–Ito colour-blind-safe palette, in the order the style file cycles through it.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Unit labels used on the paper's axes.
RATE_LABEL = "mentions per 10,000 tokens"

#: Column width of a two-column journal page, and the full text width, in inches.
COLUMN_WIDTH = 3.5
TEXT_WIDTH = 7.0


# --------------------------------------------------------------------------- style
@contextlib.contextmanager
def paper_style() -> Iterator[None]:
    """Context manager applying the package style (restores the previous settings after).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with paper_style():
    ...     mpl.rcParams["font.size"]
    8.0
    """
    import matplotlib.pyplot as plt

    with plt.style.context(STYLE_PATH):
        yield


def use_style() -> None:
    """Apply the package style for the rest of the session (e.g. at the top of a notebook)."""
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_PATH)


def close(ax) -> None:
    """Close the figure an Axes belongs to (frees memory in loops and tests)."""
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


# --------------------------------------------------------------------------- helpers
def _axes(ax, figsize: tuple[float, float] | None = None):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def _require(table: pd.DataFrame, columns: Sequence[str | None], where: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{where}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise InputError(f"{where}: the table has no column {', '.join(map(repr, missing))} "
                         f"(its columns: {', '.join(map(str, table.columns))})")


def _label(value: Any, labels: Mapping[Any, str] | None) -> str:
    if labels and value in labels:
        return str(labels[value])
    return str(value).replace("_", " ")


def _ordered(values: pd.Series, order: Sequence[Any] | None) -> list[Any]:
    present = list(pd.unique(values.dropna()))
    if order is None:
        return sorted(present, key=lambda v: (str(type(v)), v))
    return [v for v in order if v in set(present)]


def _style_for(index: int) -> dict[str, Any]:
    return {"color": OKABE_ITO[index % len(OKABE_ITO)], "marker": _MARKERS[index % len(_MARKERS)]}


def _year_ticks(ax, years: Sequence[Any]) -> None:
    ax.set_xticks(list(years))
    ax.set_xticklabels([str(int(y)) if float(y).is_integer() else str(y) for y in years])


def _legend(ax, n_series: int, *, title: str | None = None, below: bool | None = None) -> None:
    if n_series == 0:
        return
    if below is None:
        below = n_series > 4
    if below:
        # below the x tick labels and the axis label (rotated labels need more room)
        rotated = any(t.get_rotation() for t in ax.get_xticklabels())
        long_labels = max((len(t) for t in ax.get_legend_handles_labels()[1]), default=0) > 20
        ax.legend(title=title, loc="upper center", bbox_to_anchor=(0.5, -0.45 if rotated else -0.24),
                  ncol=1 if long_labels else min(3, n_series), borderaxespad=0.0)
    else:
        ax.legend(title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


# --------------------------------------------------------------------------- generic plots
def rates_by_year(table: pd.DataFrame, ax=None, *, x: str = "year", y: str = "rate_per_10k",
                  low: str | None = "ci_low", high: str | None = "ci_high", hue: str | None = "frame",
                  order: Sequence[Any] | None = None, labels: Mapping[Any, str] | None = None,
                  ylabel: str = RATE_LABEL, xlabel: str = "publication year", title: str | None = None,
                  legend_title: str | None = None, dodge: float = 0.6, connect: bool = True,
                  x_order: Sequence[Any] | None = None, x_labels: Mapping[Any, str] | None = None,
                  legend_below: bool | None = None):
    """Points with interval bars for each group and year; groups dodged side by side.

    ``x`` is usually the year; a non-numeric ``x`` (e.g. the frame) is drawn as evenly
    spaced categories in ``x_order`` (labels from ``x_labels``), with ``connect`` off.

    Parameters
    ----------
    table : DataFrame
        Long format, one row per year (× group): columns ``x``, ``y``, optionally ``low``
        and ``high`` (interval bounds; NaN draws no bar) and ``hue``.
    ax : matplotlib Axes, optional
    x, y, low, high, hue : str
        Column names; ``low``/``high``/``hue`` may be None.
    order : sequence, optional
        Groups to draw and their order (default: sorted).
    labels : mapping, optional
        Display names of the groups (default: the value with ``_`` as a space).
    ylabel, xlabel, title, legend_title : str
    dodge : float
        Total width (in years) the groups of one year spread over.
    connect : bool
        Join a group's points across years with a thin line.
    x_order, x_labels : optional
        Order and display names of a categorical ``x``.
    legend_below : bool, optional
        Legend under the plot (default: when there are more than four groups) or beside it.

    Returns
    -------
    matplotlib.axes.Axes
        One ``ErrorbarContainer`` per group (``ax.containers``), labelled for the legend.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2020, 2021], "rate_per_10k": [3.0, 4.0],
    ...                   "ci_low": [2.0, 3.0], "ci_high": [4.0, 5.0]})
    >>> ax = rates_by_year(t, hue=None)
    >>> len(ax.containers), [tick.get_text() for tick in ax.get_xticklabels()]
    (1, ['2020', '2021'])
    >>> close(ax)
    """
    _require(table, [x, y, low, high, hue], "plot.rates_by_year")
    ax = _axes(ax)
    groups = _ordered(table[hue], order) if hue else [None]
    categorical = not pd.api.types.is_numeric_dtype(table[x])
    if categorical:
        categories = _ordered(table[x], x_order)
        table = table[table[x].isin(categories)]
        position = {value: float(i) for i, value in enumerate(categories)}
        connect = False
    years = sorted(pd.unique(table[x].dropna())) if not categorical else categories
    n = len(groups)
    for i, group in enumerate(groups):
        part = table if group is None else table[table[hue] == group]
        if categorical:
            part = part.assign(_x=part[x].map(position)).sort_values("_x")
        else:
            part = part.assign(_x=part[x].astype(float)).sort_values("_x")
        offset = (i - (n - 1) / 2) * (dodge / n) if n > 1 else 0.0
        xs = part["_x"].to_numpy(dtype=float) + offset
        ys = part[y].to_numpy(dtype=float)
        yerr = None
        if low and high:
            lo = part[low].to_numpy(dtype=float)
            hi = part[high].to_numpy(dtype=float)
            yerr = np.vstack([np.where(np.isnan(lo), 0.0, np.clip(ys - lo, 0, None)),
                              np.where(np.isnan(hi), 0.0, np.clip(hi - ys, 0, None))])
        style = _style_for(i)
        ax.errorbar(xs, ys, yerr=yerr, linestyle="-" if connect else "none", linewidth=0.7,
                    elinewidth=0.8, label=None if group is None else _label(group, labels),
                    color=style["color"], marker=style["marker"], markersize=3.5)
    if categorical:
        ax.set_xticks(range(len(categories)))
        ax.set_xticklabels([_label(c, x_labels) for c in categories], rotation=30, ha="right",
                           rotation_mode="anchor")
        ax.grid(axis="x", visible=False)
    else:
        _year_ticks(ax, years)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    if hue:
        _legend(ax, n, title=legend_title, below=legend_below)
    return ax


def stacked_by_year(table: pd.DataFrame, ax=None, *, x: str = "year", y: str = "count",
                    hue: str = "variant", order: Sequence[Any] | None = None,
                    labels: Mapping[Any, str] | None = None, share: bool = False,
                    ylabel: str | None = None, xlabel: str = "publication year",
                    title: str | None = None, legend_title: str | None = None, totals: bool = True):
    """Stacked bars per year, one segment per group (e.g. scope variant).

    Parameters
    ----------
    table : DataFrame
        Columns ``x``, ``y`` (a count) and ``hue``; several rows for one (x, hue) are summed.
    share : bool
        Plot each group's percentage of the year's total instead of the count.
    totals : bool
        Write the year's total count above each bar (``n=``).

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per group in ``ax.containers``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2020, 2020, 2021], "variant": ["mankind", "sco", "sco"],
    ...                   "count": [2, 1, 3]})
    >>> ax = stacked_by_year(t)
    >>> [len(c) for c in ax.containers], ax.get_ylabel()
    ([2, 2], 'mentions')
    >>> close(ax)
    """
    _require(table, [x, y, hue], "plot.stacked_by_year")
    ax = _axes(ax)
    wide = table.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", fill_value=0, observed=True)
    # a group with no counts at all draws nothing: leave it out of the legend too
    groups = [g for g in _ordered(table[hue], order) if wide.get(g, pd.Series(dtype=float)).sum() > 0]
    wide = wide.reindex(columns=groups, fill_value=0).sort_index()
    total = wide.sum(axis=1)
    values = wide.div(total.where(total > 0, 1), axis=0) * 100 if share else wide
    years = list(wide.index)
    bottom = np.zeros(len(years))
    for i, group in enumerate(groups):
        heights = values[group].to_numpy(dtype=float)
        ax.bar(years, heights, bottom=bottom, width=0.7, label=_label(group, labels),
               color=OKABE_ITO[i % len(OKABE_ITO)], edgecolor="white")
        bottom = bottom + heights
    if totals:
        for year, top, n in zip(years, bottom, total.to_numpy()):
            ax.annotate(f"n={int(n)}", (year, top), xytext=(0, 1.5), textcoords="offset points",
                        ha="center", va="bottom", fontsize=6)
    _year_ticks(ax, years)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or ("share of mentions (%)" if share else "mentions"))
    if share:
        ax.set_ylim(0, 100)
    if title:
        ax.set_title(title)
    _legend(ax, len(groups), title=legend_title, below=False)
    return ax


def heatmap(table: pd.DataFrame, ax=None, *, row: str, col: str, value: str,
            row_order: Sequence[Any] | None = None, col_order: Sequence[Any] | None = None,
            labels: Mapping[Any, str] | None = None, annotate: bool = True, fmt: str = "{:.0f}",
            cmap: str = "cividis", colorbar_label: str | None = None, center: float | None = None,
            limits: tuple[float, float] | None = None,
            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None):
    """A matrix of ``value`` with ``row`` × ``col`` categories from a long table.

    Missing cells are blank (NaN). With ``center`` set (e.g. 0 for an association), a
    diverging map symmetric around it is used instead of ``cmap``; ``limits`` fixes the
    colour scale (e.g. ``(0, 1)`` for scores, so 0.97 does not look like a failure).

    Returns
    -------
    matplotlib.axes.Axes
        The matrix is ``ax.images[0]``; a colour bar is added beside it.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": ["x", "x", "y"], "b": ["x", "y", "y"], "n": [3, 1, 2]})
    >>> ax = heatmap(t, row="a", col="b", value="n")
    >>> ax.images[0].get_array().shape
    (2, 2)
    >>> close(ax)
    """
    _require(table, [row, col, value], "plot.heatmap")
    ax = _axes(ax)
    rows = _ordered(table[row], row_order)
    cols = _ordered(table[col], col_order)
    # min_count=1: a cell whose values are all missing stays missing (blank), not a sum of 0
    matrix = (table.pivot_table(index=row, columns=col, values=value, aggfunc=lambda v: v.sum(min_count=1),
                                observed=True, dropna=False)
              .reindex(index=rows, columns=cols))
    data = matrix.to_numpy(dtype=float)
    finite = data[np.isfinite(data)]
    kwargs: dict[str, Any] = {"cmap": cmap}
    if limits is not None:
        kwargs.update(vmin=limits[0], vmax=limits[1])
    if center is not None and finite.size:
        span = max(abs(finite.max() - center), abs(finite.min() - center)) or 1.0
        kwargs.update(cmap="PuOr_r", vmin=center - span, vmax=center + span)
    image = ax.imshow(np.ma.masked_invalid(data), aspect="auto", interpolation="nearest", **kwargs)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([_label(c, labels) for c in cols], rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r, labels) for r in rows])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate and finite.size:
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                if np.isfinite(data[i, j]):
                    r, g, b, _ = image.cmap(image.norm(data[i, j]))
                    light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
                    ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=6,
                            color="black" if light else "white")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.outline.set_visible(False)
    if colorbar_label:
        bar.set_label(colorbar_label)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def ranked_terms(table: pd.DataFrame, ax=None, *, group: str = "year", term: str = "term",
                 value: str = "g2", n: int | None = None, order: Sequence[Any] | None = None,
                 xlabel: str | None = None, title: str | None = None, legend_title: str | None = None):
    """Horizontal bars of the highest-``value`` terms in each group, groups one under another.

    Parameters
    ----------
    table : DataFrame
        Columns ``group``, ``term``, ``value``.
    n : int, optional
        Keep the top ``n`` terms per group (default: all rows).

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` per group; the y tick labels are the terms, top to bottom.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2020, 2020, 2021], "term": ["health", "virus", "security"],
    ...                   "g2": [12.0, 8.0, 5.0]})
    >>> ax = ranked_terms(t, n=1)
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['health', 'security']
    >>> close(ax)
    """
    _require(table, [group, term, value], "plot.ranked_terms")
    groups = _ordered(table[group], order)
    n_rows = sum(min(n or len(table), int((table[group] == g).sum())) for g in groups)
    ax = _axes(ax, figsize=(COLUMN_WIDTH, max(2.0, 0.16 * (n_rows + len(groups)) + 0.6)))
    positions: list[float] = []
    names: list[str] = []
    cursor = 0.0
    for i, g in enumerate(groups):
        part = table[table[group] == g].sort_values([value, term], ascending=[False, True])
        if n is not None:
            part = part.head(n)
        ys = cursor + np.arange(len(part))
        ax.barh(ys, part[value].to_numpy(dtype=float), height=0.75, label=_label(g, None),
                color=OKABE_ITO[i % len(OKABE_ITO)])
        positions.extend(ys.tolist())
        names.extend(part[term].astype(str).tolist())
        cursor += len(part) + 1  # a blank row between groups
    ax.set_yticks(positions)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel or value)
    if title:
        ax.set_title(title)
    _legend(ax, len(groups), title=legend_title, below=False)
    return ax


def selection_curve(table: pd.DataFrame, ax=None, *, x: str = "k", metrics: Sequence[str] = ("coherence", "stability"),
                    labels: Mapping[str, str] | None = None, xlabel: str = "number of topics (K)",
                    title: str | None = None, chosen: Any = None):
    """Model-selection metrics against model size; several runs (seeds) per size as a band.

    The mean over runs is a line, the range over runs a shaded band. A second metric is
    drawn on a twin y axis on the right (its own scale); ``chosen`` marks a size with a
    dashed vertical line.

    Returns
    -------
    matplotlib.axes.Axes
        The left (first-metric) axes; the twin is in ``ax.figure.axes``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"k": [2, 2, 3, 3], "seed": [0, 1, 0, 1],
    ...                   "coherence": [0.4, 0.5, 0.6, 0.6], "stability": [0.9, 0.9, 0.7, 0.8]})
    >>> ax = selection_curve(t, chosen=3)
    >>> ax.get_ylabel(), len(ax.figure.axes)
    ('coherence', 2)
    >>> close(ax)
    """
    _require(table, [x, *metrics], "plot.selection_curve")
    if not 1 <= len(metrics) <= 2:
        raise InputError(f"plot.selection_curve: give one or two metrics, got {list(metrics)}")
    ax = _axes(ax)
    stats = table.groupby(x)[list(metrics)].agg(["mean", "min", "max"]).sort_index()
    xs = stats.index.to_numpy(dtype=float)
    handles = []
    for i, metric in enumerate(metrics):
        target = ax if i == 0 else ax.twinx()
        style = _style_for(i)
        (line,) = target.plot(xs, stats[(metric, "mean")], color=style["color"], marker=style["marker"],
                              linestyle="-" if i == 0 else "--", label=_label(metric, labels))
        target.fill_between(xs, stats[(metric, "min")], stats[(metric, "max")], color=style["color"],
                            alpha=0.2, linewidth=0)
        target.set_ylabel(_label(metric, labels), color=style["color"] if len(metrics) > 1 else None)
        if i == 1:
            target.spines["right"].set_visible(True)
            target.grid(False)
        handles.append(line)
    if chosen is not None:
        ax.axvline(float(chosen), color="0.4", linestyle=":", linewidth=0.9)
    ax.set_xticks(xs)
    ax.set_xticklabels([str(int(v)) if float(v).is_integer() else str(v) for v in xs])
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    if len(metrics) > 1:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    return ax


def kwic_table(table: pd.DataFrame, ax=None, *, left: str = "left", match: str = "match",
               right: str = "right", label: str | None = "doc_id", n: int = 12, width: int | None = None,
               fontsize: float = 6.5, title: str | None = None):
    """Key-word-in-context lines drawn as text, the matched words aligned in one column.

    Parameters
    ----------
    table : DataFrame
        Columns ``left``, ``match``, ``right`` and optionally ``label`` (e.g. the
        document id, shown in the margin).
    n : int
        At most this many lines (the first ``n`` rows).
    width : int, optional
        Characters of context kept on each side (default: as many as fit the Axes).
    fontsize : float
        Size of the monospaced text, in points.

    Returns
    -------
    matplotlib.axes.Axes
        Axis turned off; one ``Text`` per context part in ``ax.texts``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["d1"], "left": ["build a"], "match": ["community with a shared future"],
    ...                   "right": ["for mankind"]})
    >>> ax = kwic_table(t)
    >>> [text.get_text() for text in ax.texts]
    ['d1', 'build a', 'community with a shared future', 'for mankind']
    >>> close(ax)
    """
    _require(table, [left, match, right, label], "plot.kwic_table")
    rows = table.head(n)
    if ax is None:
        ax = _axes(None, figsize=(TEXT_WIDTH, 0.16 * (len(rows) + 1) + 0.2))
        ax.set_position((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(len(rows) - 0.5, -0.5)

    def clean(value: Any) -> str:
        return " ".join(str(value).split())

    labels = [clean(v) for v in rows[label]] if label else []
    matches = [clean(v) for v in rows[match]]
    # A monospaced glyph is 0.6 em wide (DejaVu Sans Mono): lay the lines out in character columns.
    char_in = 0.6 * fontsize / 72
    axes_in = ax.get_position().width * ax.figure.get_figwidth()
    columns = max(int(axes_in / char_in), 20)
    label_chars = max((len(v) for v in labels), default=0) + 2 if label else 0
    match_chars = max((len(v) for v in matches), default=0)
    if width is None:
        width = max((columns - label_chars - match_chars - 2) // 2, 10)
    node_x = (label_chars + width + 1) * char_in / axes_in
    font = {"family": "monospace", "size": fontsize}
    for i, row in enumerate(rows.itertuples(index=False)):
        values = row._asdict()
        before, after = clean(values[left]), clean(values[right])
        if len(before) > width:  # cut whole words off, with an ellipsis
            before = "…" + before[-(width - 1):].split(" ", 1)[-1]
        if len(after) > width:
            after = after[:width - 1].rsplit(" ", 1)[0] + "…"
        if label:
            ax.text(0.0, i, labels[i], ha="left", va="center", fontdict=font, color="0.35")
        ax.text(node_x - char_in / axes_in, i, before, ha="right", va="center", fontdict=font)
        ax.text(node_x, i, matches[i], ha="left", va="center", fontdict=font, fontweight="bold",
                color=OKABE_ITO[3])
        ax.text(node_x + (len(matches[i]) + 1) * char_in / axes_in, i, after, ha="left", va="center",
                fontdict=font)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- comparisons: ratios, predictions, effects
__all__ += ["rate_ratio_forest", "predicted_rates", "topic_contrast"]


def rate_ratio_forest(table: pd.DataFrame, ax=None, *, ratio: str = "rate_ratio", low: str = "rr_ci_low",
                      high: str = "rr_ci_high", label: str | Sequence[str] = ("frame", "variant"),
                      hue: str | None = None, order: Sequence[Any] | None = None,
                      labels: Mapping[Any, str] | None = None, hue_labels: Mapping[Any, str] | None = None,
                      xlabel: str = "rate ratio (log scale)", title: str | None = None,
                      legend_title: str | None = None, legend_below: bool | None = None, reference: float = 1.0):
    """A forest plot: one row per item, its ratio as a point and its interval as a line, log x axis.

    Works on :func:`~sco_discourse.frames.compare.frame_compare` (``rate_ratio``,
    ``rr_ci_low``, ``rr_ci_high``) and on the coefficients of a count regression
    (``label="term"``). With ``hue`` (e.g. the clustering level of two comparisons
    stacked into one table) the intervals of one item are drawn one under the other,
    so their widths can be compared. A bound that is 0 or unbounded is drawn to the
    edge of the axis with an arrow; a missing ratio draws nothing, but its row stays.

    Parameters
    ----------
    table : DataFrame
    ratio, low, high : str
        Columns of the ratio and its interval.
    label : str or sequence of str
        Column(s) naming a row; with ``("frame", "variant")`` a frame total (variant "")
        is shown by the frame's name and a variant as "frame: variant".
    hue : str, optional
        A column whose values are drawn as separate, dodged series.
    order : sequence, optional
        Row labels (as displayed before ``labels`` is applied) in top-to-bottom order.
    labels, hue_labels : mapping, optional
        Display names of rows and of hue values.
    legend_below : bool, optional
        Legend under the plot (default: with more than three series) or beside it.
    reference : float, default 1
        Where the dashed "no difference" line goes.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> t = pd.DataFrame({"frame": ["a", "a", "b"], "variant": ["", "x", ""], "rate_ratio": [2.0, 4.0, 0.5],
    ...                   "rr_ci_low": [1.0, 1.5, 0.2], "rr_ci_high": [4.0, np.inf, 1.1]})
    >>> ax = rate_ratio_forest(t)
    >>> [tick.get_text() for tick in ax.get_yticklabels()], ax.get_xscale()
    (['a', 'a: x', 'b'], 'log')
    >>> close(ax)
    """
    label_columns = [label] if isinstance(label, str) else list(label)
    _require(table, [ratio, low, high, hue] + label_columns, "plot.rate_ratio_forest")
    table = table.reset_index(drop=True)  # tables stacked with pd.concat repeat index labels
    ax = _axes(ax, figsize=(COLUMN_WIDTH, 0.8 + 0.22 * max(len(table) / max(table[hue].nunique(), 1)
                                                             if hue else len(table), 1)))

    def name(row) -> str:
        parts = [str(row[c]) for c in label_columns if str(row[c]) not in ("", "nan", "None")]
        return ": ".join(parts)

    names = table.apply(name, axis=1) if len(table) else pd.Series(dtype=object)
    rows = list(dict.fromkeys(names)) if order is None else [r for r in order if r in set(names)]
    position = {r: i for i, r in enumerate(rows)}
    series = _ordered(table[hue], None) if hue else [None]
    finite = pd.concat([table[c] for c in (ratio, low, high)]).replace([np.inf, -np.inf], np.nan)
    finite = finite[finite > 0].dropna()
    lo_edge = min(finite.min(), reference) / 1.5 if len(finite) else reference / 10
    hi_edge = max(finite.max(), reference) * 1.5 if len(finite) else reference * 10
    n = len(series)
    for i, value in enumerate(series):
        part = table if value is None else table[table[hue] == value]
        part_names = names.loc[part.index]
        keep = part_names.isin(position)
        part, part_names = part[keep], part_names[keep]
        offset = (i - (n - 1) / 2) * (0.6 / n) if n > 1 else 0.0
        ys = part_names.map(position).to_numpy(dtype=float) + offset
        xs = part[ratio].to_numpy(dtype=float)
        lows = part[low].to_numpy(dtype=float)
        highs = part[high].to_numpy(dtype=float)
        style = _style_for(i)
        for y, lo, hi in zip(ys, lows, highs):
            if np.isnan(lo) or np.isnan(hi):
                continue
            left, right = (lo if lo > 0 else lo_edge), (hi if np.isfinite(hi) else hi_edge)
            ax.plot([left, right], [y, y], color=style["color"], linewidth=1.0, marker="", solid_capstyle="butt")
            for edge, open_end in ((lo_edge, lo <= 0), (hi_edge, not np.isfinite(hi))):
                if open_end:
                    ax.annotate("", xy=(edge, y), xytext=(right if edge == hi_edge else left, y),
                                arrowprops={"arrowstyle": "->", "color": style["color"], "lw": 1.0})
        shown = np.isfinite(xs) & (xs > 0)
        ax.plot(xs[shown], ys[shown], linestyle="none", marker=style["marker"], markersize=3.5,
                color=style["color"], label=None if value is None else _label(value, hue_labels))
    ax.axvline(reference, color="0.4", linewidth=0.7, linestyle="--", zorder=0)
    ax.set_xscale("log")
    ax.set_xlim(lo_edge, hi_edge)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r, labels) for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    if hue:
        _legend(ax, n, title=legend_title, below=n > 3 if legend_below is None else legend_below)
    return ax


def predicted_rates(table: pd.DataFrame, ax=None, *, x: str = "year", y: str = "rate_per_10k",
                    low: str | None = "ci_low", high: str | None = "ci_high", hue: str | None = None,
                    order: Sequence[Any] | None = None, labels: Mapping[Any, str] | None = None,
                    x_values: Sequence[Any] | None = None, ylabel: str = RATE_LABEL, xlabel: str = "year",
                    title: str | None = None, legend_title: str | None = None, legend_below: bool | None = None):
    """Predicted rates (or proportions) over years, one line with a shaded interval per group.

    Every year of the table — or of ``x_values`` — gets a tick, including years without
    an estimate: a missing value breaks the line and the band there instead of joining
    across the gap, so an empty year is seen, not hidden.

    Parameters
    ----------
    table : DataFrame
        E.g. ``RateModel.predict_rates(["group", "year"], at={"year": range(2013, 2025)})``
        or ``TopicEffects.predict_prevalence(...)`` (``y="prevalence"``): columns ``x``,
        ``y``, optionally ``low``/``high`` and ``hue``.
    x_values : sequence, optional
        Every year to keep on the axis (default: those in the table).
    legend_below : bool, optional
        Legend under the plot or beside it (default: under with more than four groups).

    Returns
    -------
    matplotlib.axes.Axes
        One line per group in ``ax.lines`` (with gaps at missing years) and one band each
        in ``ax.collections``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2013, 2014, 2015, 2016], "rate_per_10k": [1.0, np.nan, 2.0, 3.0],
    ...                   "ci_low": [0.5, np.nan, 1.0, 2.0], "ci_high": [2.0, np.nan, 3.0, 4.0]})
    >>> ax = predicted_rates(t, x_values=range(2012, 2018))
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['2012', '2013', '2014', '2015', '2016', '2017']
    >>> close(ax)
    """
    _require(table, [x, y, low, high, hue], "plot.predicted_rates")
    ax = _axes(ax)
    years = sorted(set(pd.unique(table[x].dropna())) | set(x_values or []))
    groups = _ordered(table[hue], order) if hue else [None]
    for i, group in enumerate(groups):
        part = table if group is None else table[table[hue] == group]
        part = (part.groupby(x, sort=True)[[c for c in (y, low, high) if c]].first()
                .reindex(years))  # missing years become NaN rows: gaps, not joins
        xs = np.asarray(years, dtype=float)
        style = _style_for(i)
        ax.plot(xs, part[y].to_numpy(dtype=float), color=style["color"], marker=style["marker"], markersize=3,
                linewidth=1.0, label=None if group is None else _label(group, labels))
        if low and high:
            ax.fill_between(xs, part[low].to_numpy(dtype=float), part[high].to_numpy(dtype=float),
                            color=style["color"], alpha=0.18, linewidth=0)
    if years:
        _year_ticks(ax, years)
        if len(years) > 8:
            for tick in ax.get_xticklabels():
                tick.set_rotation(45)
                tick.set_ha("right")
                tick.set_rotation_mode("anchor")
        ax.set_xlim(float(years[0]) - 0.5, float(years[-1]) + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if hue:
        _legend(ax, len(groups), title=legend_title, below=legend_below)
    return ax


def topic_contrast(table: pd.DataFrame, ax=None, *, estimate: str = "difference", low: str = "ci_low",
                   high: str = "ci_high", label: str = "label", sort: bool = True,
                   xlabel: str = "difference in topic proportion", title: str | None = None):
    """Topic effects as stm draws them: one row per topic, the difference in expected
    proportion between two groups with its interval, a line at 0.

    ``table`` is :meth:`TopicEffects.contrast` (``label, difference, ci_low, ci_high``)
    or any table with these columns (e.g. the coefficients of one term). Topics are
    sorted by the estimate (largest at the top) unless ``sort`` is False; intervals
    that exclude 0 are drawn solid, the others grey.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["trade", "security"], "difference": [0.1, -0.02],
    ...                   "ci_low": [0.05, -0.08], "ci_high": [0.15, 0.03]})
    >>> ax = topic_contrast(t)
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['trade', 'security']
    >>> close(ax)
    """
    _require(table, [estimate, low, high, label], "plot.topic_contrast")
    rows = table.sort_values(estimate, ascending=False) if sort else table
    ax = _axes(ax, figsize=(COLUMN_WIDTH, 0.8 + 0.22 * max(len(rows), 1)))
    for i, (_, row) in enumerate(rows.iterrows()):
        lo, hi, value = float(row[low]), float(row[high]), float(row[estimate])
        clear = lo > 0 or hi < 0
        color = OKABE_ITO[0] if clear else "0.55"
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [i, i], color=color, linewidth=1.0, marker="")
        if np.isfinite(value):
            ax.plot([value], [i], marker="o", markersize=3.5, color=color, linestyle="none")
    ax.axvline(0, color="0.4", linewidth=0.7, linestyle="--", zorder=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([str(v) for v in rows[label]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- validation
def precision_intervals(table: pd.DataFrame, ax=None, *, y: str = "frame", x: str = "precision",
                        low: str = "ci_low", high: str = "ci_high", hue: str | None = None,
                        order: Sequence[Any] | None = None, hue_order: Sequence[Any] | None = None,
                        labels: Mapping[Any, str] | None = None, n: str | None = "n_coded",
                        generic: Sequence[Any] = (), target: float | None = 0.9, legend_title: str | None = None):
    """Precision per frame (one row each) with its interval, optionally per series (``hue``).

    ``table`` is e.g. the frame rows of :func:`sco_discourse.frames.precision.sheet_precision`
    (``frame``, ``precision``, ``ci_low``, ``ci_high``, ``n_coded``); with ``hue`` (say a
    column ``lexicon``) the series are dodged vertically. Frames in ``generic`` (marked
    ``specific: false`` in the lexicon) get an asterisk and a note under the axis: their
    precision is that of the word, not of a frame. ``n`` writes the number coded beside
    each point; ``target`` draws a dotted line (the 0.90 of the codebook).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"frame": ["a", "b", "a", "b"], "lexicon": ["1", "1", "2", "2"],
    ...                       "precision": [0.2, 1.0, 1.0, 1.0], "ci_low": [0.1, 0.9, 0.6, 0.9],
    ...                       "ci_high": [0.5, 1.0, 1.0, 1.0], "n_coded": [14, 33, 3, 33]})
    >>> with paper_style():
    ...     ax = precision_intervals(table, hue="lexicon", generic=["b"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b*']
    >>> close(ax)
    """
    _require(table, [y, x, low, high, hue, n], "precision_intervals")
    rows = _ordered(table[y], order)
    series = _ordered(table[hue], hue_order) if hue else [None]
    ax = _axes(ax, (COLUMN_WIDTH, 0.35 * len(rows) * max(1, len(series)) ** 0.5 + 0.8))
    step = 0.6 / max(1, len(series))
    for k, value in enumerate(series):
        part = table if hue is None else table[table[hue] == value]
        part = part.set_index(y)
        offsets = [i + (k - (len(series) - 1) / 2) * step for i in range(len(rows))]
        present = [(o, r) for o, r in zip(offsets, rows) if r in part.index]
        if not present:
            continue
        pos = [o for o, _ in present]
        est = np.array([float(part.loc[r, x]) for _, r in present])
        lo = np.array([float(part.loc[r, low]) for _, r in present])
        hi = np.array([float(part.loc[r, high]) for _, r in present])
        style = _style_for(k)
        ax.errorbar(est, pos, xerr=[est - lo, hi - est], fmt=style["marker"], color=style["color"], capsize=2,
                    label=None if hue is None else _label(value, None))
        if n is not None:
            for o, r in present:
                ax.annotate(f"n={int(part.loc[r, n])}", (1.02, o), xycoords=("axes fraction", "data"),
                            va="center", fontsize="x-small", color=style["color"], annotation_clip=False)
    marked = set(generic)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r, labels) + ("*" if r in marked else "") for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("precision (95% interval)")
    if target is not None:
        ax.axvline(target, linestyle=":", color="0.4", linewidth=0.8)
    if marked & set(rows):
        ax.text(0.0, -0.16 - 0.02 * len(series), "* generic vocabulary (specific: false): precision of the word, "
                "not of a Chinese/SCO frame", transform=ax.transAxes, fontsize="x-small", va="top")
    if hue is not None:
        _legend(ax, len(series), title=legend_title or hue, below=True)
    return ax
