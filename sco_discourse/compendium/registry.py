"""The registry of figures: what each one is computed from, how it is drawn, what it quotes.

A :class:`Figure` pairs a *table* function (a :class:`FigureContext` → a tidy table)
with a *draw* function (the table and an Axes → the Axes), the numbers the manuscript
quotes from the table, and a :class:`Uses` declaring what the table is computed from
(the frame lexicon, hand coding, settings of random steps), which the manifest records.
:func:`register` adds a figure to :data:`FIGURES` (in paper order); numbers that belong
to no figure (the size of the corpus) are registered with :func:`register_numbers`.
The paper's own figures are in :mod:`sco_discourse.compendium.paper`.

Examples
--------
>>> from sco_discourse import compendium
>>> compendium.FIGURES["corpus_tokens"].label
's1'
>>> compendium.FIGURES["frame_rates"].uses.lexicon().label
'sco_codebook 2.0.0'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .. import plot
from ..errors import InputError

__all__ = ["Figure", "Uses", "FigureContext", "FIGURES", "NUMBERS", "register", "register_numbers", "get_figure",
           "figure_table", "draw_figure", "figure_size", "DEFAULT_RANDOM_STATE"]

#: Seed of every random step behind the figures (bootstrap intervals, topic models).
DEFAULT_RANDOM_STATE = 0


@dataclasses.dataclass(frozen=True)
class Uses:
    """What a figure's table is computed from besides the corpus, as the manifest records it.

    Attributes
    ----------
    lexicon : callable() -> Lexicon, optional
        The frame lexicon the table is counted with (recorded as name and version).
    hand_coding : str, optional
        The hand-coded data the table needs, described for the manifest. Hand coding
        exists for the embedded seed corpus only, so the figure is skipped (and listed
        as skipped) for any other corpus.
    settings : callable(FigureContext) -> dict, optional
        Seeds and settings of the steps behind the table (name → value, e.g. the topic
        model's K and seed), recorded in the manifest's ``seeds``. Called after the table
        is computed, so a setting chosen from the data (the K) can be reported.
    """

    lexicon: Callable[[], Any] | None = None
    hand_coding: str | None = None
    settings: Callable[["FigureContext"], Mapping[str, Any]] | None = None


@dataclasses.dataclass(frozen=True)
class Figure:
    """One paper figure: how to compute its table, how to draw it, and what it used.

    Attributes
    ----------
    name : str
        File stem (``figures/NAME.svg``, ``figures/data/NAME.csv``).
    label : str
        Its letter in the paper (``"a"``, ``"b"``, ...; ``"s1"`` for supplementary ones).
    caption : str
        One sentence saying what it shows (recorded in the manifest).
    table : callable(FigureContext) -> DataFrame
        Computes the tidy table from the corpus.
    draw : callable(DataFrame, Axes) -> Axes
        Draws the table (with the plots of :mod:`sco_discourse.plot`).
    size : (float, float) or callable(DataFrame) -> (float, float)
        Figure size in inches (default: one journal column); a function of the table
        for figures whose height grows with it (a KWIC table).
    numbers : callable(DataFrame, FigureContext) -> dict, optional
        Numbers the manuscript quotes from this table (name → formatted string).
    uses : Uses
        What the table is computed from besides the corpus (lexicon, hand coding, settings).
    """

    name: str
    label: str
    caption: str
    table: Callable[["FigureContext"], pd.DataFrame]
    draw: Callable[[pd.DataFrame, Any], Any]
    size: tuple[float, float] | Callable[[pd.DataFrame], tuple[float, float]] = (plot.COLUMN_WIDTH, 2.6)
    numbers: Callable[[pd.DataFrame, "FigureContext"], dict[str, str]] | None = None
    uses: Uses = Uses()

    @property
    def seed_corpus_only(self) -> bool:
        """Whether the figure needs the hand coding that exists for the seed corpus only."""
        return self.uses.hand_coding is not None


#: The registered figures, in paper order.
FIGURES: dict[str, Figure] = {}
#: Numbers the manuscript quotes that belong to no figure: name → callable(FigureContext) -> dict.
NUMBERS: dict[str, Callable[["FigureContext"], dict[str, str]]] = {}


def register(figure: Figure) -> Figure:
    """Add a figure to :data:`FIGURES` (names must be unique); returns it."""
    if figure.name in FIGURES:
        raise ValueError(f"a figure named {figure.name!r} is already registered")
    FIGURES[figure.name] = figure
    return figure


def register_numbers(name: str, numbers: Callable[["FigureContext"], dict[str, str]]):
    """Add numbers that belong to no figure (e.g. the size of the corpus) to :data:`NUMBERS`."""
    if name in NUMBERS:
        raise ValueError(f"numbers named {name!r} are already registered")
    NUMBERS[name] = numbers
    return numbers


class FigureContext:
    """What the table functions share: the corpus, the seed, and a cache.

    Parameters
    ----------
    corpus : Corpus, optional
        Default: the embedded seed corpus.
    random_state : int
        Seed of every random step.
    """

    def __init__(self, corpus=None, *, random_state: int = DEFAULT_RANDOM_STATE):
        if corpus is None:
            from ..corpus import load_corpus

            corpus = load_corpus()
        self.corpus = corpus
        self.random_state = random_state
        self._cache: dict[str, Any] = {}

    @property
    def is_seed_corpus(self) -> bool:
        """Whether the corpus is the embedded seed corpus (same documents and texts)."""
        from ..corpus import load_corpus

        return self.memo("is_seed_corpus", lambda: self.corpus.fingerprint() == load_corpus().fingerprint())

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per context (figures share counts, fitted models, ...)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def get_figure(name: str) -> Figure:
    """The registered figure called ``name``.

    Raises
    ------
    InputError
        No such figure (the message lists the registered ones).
    """
    try:
        return FIGURES[name]
    except KeyError:
        raise InputError(f"no figure named {name!r}; figures: {', '.join(FIGURES)}") from None


def figure_size(figure: Figure, table: pd.DataFrame) -> tuple[float, float]:
    """The size in inches a figure is drawn at, for this table."""
    return figure.size(table) if callable(figure.size) else figure.size


def figure_table(name: str, corpus=None, *, random_state: int = DEFAULT_RANDOM_STATE,
                 context: FigureContext | None = None) -> pd.DataFrame:
    """The table behind a registered figure (what ``figures/data/NAME.csv`` holds).

    Examples
    --------
    >>> import datetime
    >>> from sco_discourse import Corpus, Document
    >>> docs = [Document("d1", "The SCO met.", datetime.date(2020, 1, 1))]
    >>> figure_table("corpus_tokens", Corpus.from_documents(docs))
      doc_id  year  tokens
    0     d1  2020       3
    """
    context = context or FigureContext(corpus, random_state=random_state)
    return get_figure(name).table(context)


def draw_figure(name: str, table: pd.DataFrame | None = None, ax=None, *, corpus=None,
                random_state: int = DEFAULT_RANDOM_STATE):
    """Draw a registered figure (its table computed unless given) and return the Axes.

    For notebooks: ``compendium.draw_figure("frame_rates")`` shows the paper's figure.
    """
    figure = get_figure(name)
    if table is None:
        table = figure_table(name, corpus, random_state=random_state)
    if ax is None:
        import matplotlib.pyplot as plt

        with plot.paper_style():
            _, ax = plt.subplots(figsize=figure_size(figure, table))
            return figure.draw(table, ax)
    return figure.draw(table, ax)
