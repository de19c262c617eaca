"""The research compendium: the paper's figures, their build and check, notebooks, numbers.

``sco-discourse figures`` runs the notebooks and rebuilds every figure, the table behind
it, the numbers the manuscript quotes and a manifest of what produced them; ``--check``
rebuilds into a temporary folder and names every figure that differs from the committed
files. The package is the only part of sco_discourse that writes the paper's outputs.

* :mod:`~sco_discourse.compendium.registry` – :class:`Figure`, :class:`Uses`,
  :func:`register`, :func:`figure_table`, :func:`draw_figure`.
* :mod:`~sco_discourse.compendium.build` – :func:`build_figures`, :func:`check_figures`,
  :func:`compare_outputs`, the manifest.
* :mod:`~sco_discourse.compendium.files` – atomic, byte-stable writing of figures and tables.
* :mod:`~sco_discourse.compendium.notebooks` – :func:`execute_notebooks`.
* :mod:`~sco_discourse.compendium.numbers` – ``numbers.json`` and manuscript placeholders.
* :mod:`~sco_discourse.compendium.paper` – the paper's own figures and analysis choices.

Examples
--------
>>> from sco_discourse import compendium
>>> list(compendium.FIGURES)[:3]
['corpus_tokens', 'frame_rates', 'scope_variants']
>>> compendium.fill_numbers("We read {{n_documents}} articles.", {"n_documents": "8"})
'We read 8 articles.'
"""

from .build import Difference, FiguresDiffer, build_figures, check_figures, compare_outputs
from .files import CSV_FLOAT_FORMAT, FORMATS, project_root
from .notebooks import execute_notebooks, notebook_paths
from .numbers import NUMBERS_FILE, fill_numbers, load_numbers, manuscript_values, referenced_numbers
from .registry import (FIGURES, Figure, FigureContext, Uses, draw_figure, figure_table, get_figure, register,
                       register_numbers)
from . import paper  # noqa: E402,I001 - registers the paper's figures

__all__ = ["Figure", "FigureContext", "Uses", "FIGURES", "register", "register_numbers", "get_figure",
           "figure_table", "draw_figure", "build_figures", "check_figures", "compare_outputs", "Difference",
           "FiguresDiffer", "execute_notebooks", "notebook_paths", "load_numbers", "manuscript_values",
           "fill_numbers", "referenced_numbers", "NUMBERS_FILE", "project_root", "FORMATS", "CSV_FLOAT_FORMAT",
           "paper"]
