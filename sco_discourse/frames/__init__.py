"""Frames: the codebook lexicon, the matcher, counts, KWIC evidence, co-occurrence, validation.

Examples
--------
>>> from sco_discourse import load_corpus
>>> from sco_discourse.frames import frame_counts
>>> table = frame_counts(load_corpus(), by="year", n_resamples=200)
>>> sorted(table.columns)[:4]
['ci_high', 'ci_low', 'count', 'docs_with_mention']
"""

from ..lexicons.schema import Lexicon, load_lexicon
from .compare import frame_compare, per_document_counts
from .cooccurrence import cooccurrence
from .counts import frame_counts, frame_trend
from .kwic import kwic
from .matcher import Matcher, find_mentions
from .regression import count_regression, frame_regression
from .validation import load_gold, validate_frames

__all__ = ["Lexicon", "Matcher", "cooccurrence", "find_mentions", "frame_counts", "frame_trend", "kwic",
           "load_gold", "load_lexicon", "validate_frames"]
__all__ += ["count_regression", "frame_compare", "frame_regression", "per_document_counts"]
