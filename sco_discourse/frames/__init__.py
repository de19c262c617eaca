"""Frames: the codebook lexicon, the matcher, the frame matrix, counts, KWIC evidence,
co-occurrence and validation.

Build the matcher once and pass it on: ``matcher(text)`` gives the mentions of a text,
``matcher.find(corpus)`` the mention table, ``matcher.count(corpus)`` the frame matrix
that :func:`frame_counts` and :func:`frame_trend` take.

Examples
--------
>>> from sco_discourse import load_corpus
>>> from sco_discourse.frames import Matcher, frame_counts
>>> fm = Matcher().count(load_corpus())
>>> table = frame_counts(fm, by="year", n_resamples=200)
>>> sorted(table.columns)[:4]
['characters', 'ci_high', 'ci_low', 'count']
"""

from ..lexicons.schema import Lexicon, load_lexicon
from .compare import frame_compare, per_document_counts
from .cooccurrence import cooccurrence
from .counts import frame_counts, frame_trend
from .kwic import format_kwic, kwic
from .matcher import Matcher, Mention, find_mentions
from .matrix import FrameMatrix
from .regression import count_regression, frame_regression
from .validation import ValidationResult, load_gold, validate_frames

__all__ = ["FrameMatrix", "Lexicon", "Matcher", "Mention", "ValidationResult", "cooccurrence", "find_mentions",
           "format_kwic", "frame_counts", "frame_trend", "kwic", "load_gold", "load_lexicon", "validate_frames"]
__all__ += ["count_regression", "frame_compare", "frame_regression", "per_document_counts"]
