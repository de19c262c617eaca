"""Topic models of the corpus: units, preprocessing, LDA/NMF, K selection, prevalence, frame linkage."""

from .models import METHODS, TopicModel, exclusivity, frex_scores
from .preprocess import Preprocessor
from .units import UNIT_KINDS, make_units

__all__ = ["METHODS", "UNIT_KINDS", "Preprocessor", "TopicModel", "exclusivity", "frex_scores", "make_units"]
