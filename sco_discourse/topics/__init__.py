"""Topic models of the corpus: units, preprocessing, LDA/NMF, K selection, prevalence, frame linkage.

Examples
--------
>>> from sco_discourse import load_corpus
>>> from sco_discourse.topics import TopicModel, topic_prevalence
>>> model = TopicModel(3, random_state=0, passes=1, iterations=20).fit(load_corpus())
>>> sorted(topic_prevalence(model, n_resamples=100, warn=False)["year"].unique().tolist())
[2020, 2021, 2022, 2023, 2024]
"""

from .effects import prevalence_regression, topic_effects
from .linkage import assign_mentions, topic_frame_linkage
from .models import METHODS, TopicModel, exclusivity, frex_scores
from .preprocess import Preprocessor
from .prevalence import prevalence_change, topic_prevalence
from .selection import (COHERENCE_MEASURES, CoherenceReference, coherence, early_stop_reached, k_criterion, select_k,
                        stability, sweep, sweep_summary, topic_similarity)
from .units import UNIT_KINDS, as_units, make_units

__all__ = ["COHERENCE_MEASURES", "METHODS", "UNIT_KINDS", "Preprocessor", "TopicModel", "as_units", "assign_mentions",
           "coherence", "exclusivity", "frex_scores", "make_units", "prevalence_change", "stability", "sweep",
           "sweep_summary", "topic_frame_linkage", "topic_prevalence", "topic_similarity"]
__all__ += ["prevalence_regression", "topic_effects"]
__all__ += ["CoherenceReference", "early_stop_reached", "k_criterion", "select_k"]
