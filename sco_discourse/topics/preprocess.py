"""From unit texts to terms and a count matrix, with every choice recorded.

Tokens come from :func:`sco_discourse.text.tokens` (the package's one tokenizer), so a
term of a topic model is the same token that frame rates and keyness count. On top of
it, :class:`Preprocessor` adds what topic models need: dropping numbers, multi-word
terms found by gensim's ``Phrases`` ("shanghai_spirit", "belt_road"), and pruning the
vocabulary by document frequency. The fitted preprocessor travels inside the topic model,
so a saved model says exactly how its terms were made (:meth:`Preprocessor.settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from ..text import stop_words, tokens

__all__ = ["Preprocessor"]


def _identity(items):
    """Analyzer for CountVectorizer over already tokenised units (module level: picklable)."""
    return items


class Preprocessor:
    """Tokens, phrases and vocabulary pruning for topic models (an estimator).

    Parameters
    ----------
    lower : bool, default True
    remove_stop_words : bool, default True
        Drop the package stop words (:func:`sco_discourse.text.stop_words`) before
        phrase detection, so "Belt and Road" becomes the term ``belt_road``.
    lemmas : bool, default False
        Replace tokens by their lemma (simplemma) — merges "community"/"communities".
    drop_numbers : bool, default True
        Drop tokens without a letter ("2021", "1,700").
    min_length : int, default 2
        Drop shorter tokens.
    extra_stop_words : sequence of str
        Further words to drop (lower case), e.g. outlet names.
    phrases : bool, default True
        Join frequent collocations into one term with gensim ``Phrases`` (NPMI scoring).
        When stop words are kept, connector words ("and", "of", "the") may sit inside a
        phrase ("belt_and_road").
    phrase_min_count : int, default 3
        A word pair must occur at least this often to become a phrase.
    phrase_threshold : float, default 0.5
        Minimum normalised PMI (between -1 and 1) of a phrase.
    min_df : int or float, default 2
        Drop terms in fewer units (an int) or in a smaller share of units (a float).
    max_df : int or float, default 0.5
        Drop terms in more units (int) or a larger share of units (float): words that are
        everywhere ("sco" in an SCO corpus) describe no topic.
    max_terms : int, optional
        Keep only the most frequent terms.

    Attributes
    ----------
    phrases_ : gensim FrozenPhrases or None
        The learned phrase model.
    vocabulary_ : list of str
        The terms kept, in column order of :meth:`count_matrix` (alphabetical).
    document_frequency_ : numpy.ndarray
        Number of fitted units containing each term.
    n_units_ : int
        Units seen by :meth:`fit`.

    Examples
    --------
    >>> texts = ["The Belt and Road links Asia.", "Belt and Road projects grow.",
    ...          "Belt and Road loans.", "The Shanghai Spirit guides Asia."]
    >>> pre = Preprocessor(phrase_min_count=2, min_df=1, max_df=1.0).fit(texts)
    >>> pre.analyze("Belt and Road in Asia")
    ['belt_road', 'asia']
    >>> pre.vocabulary_
    ['asia', 'belt_road', 'grow', 'guides', 'links', 'loans', 'projects', 'shanghai', 'spirit']
    """

    def __init__(self, *, lower: bool = True, remove_stop_words: bool = True, lemmas: bool = False,
                 drop_numbers: bool = True, min_length: int = 2, extra_stop_words: Sequence[str] = (),
                 phrases: bool = True, phrase_min_count: int = 3, phrase_threshold: float = 0.5,
                 min_df: int | float = 2, max_df: int | float = 0.5, max_terms: int | None = None):
        self.lower = lower
        self.remove_stop_words = remove_stop_words
        self.lemmas = lemmas
        self.drop_numbers = drop_numbers
        self.min_length = min_length
        self.extra_stop_words = extra_stop_words
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms

    # -- settings ---------------------------------------------------------------------
    _SETTINGS = ("lower", "remove_stop_words", "lemmas", "drop_numbers", "min_length", "extra_stop_words",
                 "phrases", "phrase_min_count", "phrase_threshold", "min_df", "max_df", "max_terms")

    def get_params(self) -> dict:
        """The constructor settings (as scikit-learn's ``get_params``)."""
        return {name: getattr(self, name) for name in self._SETTINGS}

    def settings(self) -> dict:
        """The settings plus what fitting learned: the phrases, the vocabulary size (JSON-ready)."""
        out = {k: (list(v) if isinstance(v, (tuple, list, frozenset, set)) else v)
               for k, v in self.get_params().items()}
        out["stop_word_list_size"] = len(stop_words()) if self.remove_stop_words else 0
        if hasattr(self, "vocabulary_"):
            out["n_units"] = self.n_units_
            out["n_terms"] = len(self.vocabulary_)
            out["n_phrases"] = len(self.phrases_.phrasegrams) if self.phrases_ is not None else 0
            out["phrases_learned"] = sorted(self.phrases_.phrasegrams) if self.phrases_ is not None else []
        return out

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != _DEFAULTS[k]}
        return f"Preprocessor({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # -- fitting ------------------------------------------------------------------------
    def _check(self) -> None:
        for name in ("min_df", "max_df"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                    isinstance(value, float) and value > 1):
                raise InputError(f"topic preprocessing: {name} must be a count (int >= 0) or a share "
                                 f"(float in [0, 1]), got {value!r}")
        if not 0 < self.phrase_min_count or not -1 <= self.phrase_threshold <= 1:
            raise InputError("topic preprocessing: phrase_min_count must be >= 1 and phrase_threshold in "
                             f"[-1, 1], got {self.phrase_min_count!r}, {self.phrase_threshold!r}")

    def _base_tokens(self, text: str) -> list[str]:
        out = tokens(text, lower=self.lower, remove_stop_words=self.remove_stop_words, lemmas=self.lemmas)
        extra = self._extra
        return [t for t in out
                if len(t) >= self.min_length
                and not (self.drop_numbers and not any(c.isalpha() for c in t))
                and t.lower() not in extra]

    @property
    def _extra(self) -> frozenset:
        return frozenset(w.lower() for w in self.extra_stop_words)

    def fit(self, texts: Iterable[str]) -> "Preprocessor":
        """Learn phrases and the pruned vocabulary from unit texts; returns ``self``."""
        self.fit_tokens(texts)
        return self

    def fit_tokens(self, texts: Iterable[str]) -> list[list[str]]:
        """Fit, and return the analysed (phrase-joined, unpruned) tokens of every unit."""
        from sklearn.feature_extraction.text import CountVectorizer

        self._check()
        base = [self._base_tokens(t) for t in texts]
        if not base:
            raise InputError("topic preprocessing: no units to fit on")
        if self.phrases:
            from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

            connectors = frozenset() if self.remove_stop_words else ENGLISH_CONNECTOR_WORDS
            model = Phrases(base, min_count=self.phrase_min_count, threshold=self.phrase_threshold,
                            scoring="npmi", delimiter="_", connector_words=connectors)
            self.phrases_ = model.freeze()
            analysed = [self.phrases_[toks] for toks in base]
        else:
            self.phrases_ = None
            analysed = base
        vectorizer = CountVectorizer(analyzer=_identity, min_df=self.min_df, max_df=self.max_df,
                                     max_features=self.max_terms)
        try:
            counts = vectorizer.fit_transform(analysed)
        except ValueError as exc:  # e.g. "After pruning, no terms remain"
            raise InputError(f"topic preprocessing: {exc} (min_df={self.min_df!r}, max_df={self.max_df!r}, "
                             f"{len(analysed)} units)") from None
        self.vocabulary_ = vectorizer.get_feature_names_out().tolist()
        self.document_frequency_ = np.asarray((counts > 0).sum(axis=0)).ravel()
        self.n_units_ = len(analysed)
        return analysed

    # -- applying -------------------------------------------------------------------------
    def _require_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise InputError("this Preprocessor is not fitted yet: call fit(texts) first")

    def analyze(self, text: str) -> list[str]:
        """Terms of one text: tokens, filters and phrases (not yet pruned to the vocabulary)."""
        self._require_fitted()
        base = self._base_tokens(text)
        return self.phrases_[base] if self.phrases_ is not None else base

    def transform_tokens(self, texts: Iterable[str]) -> list[list[str]]:
        """Terms of each text restricted to the vocabulary (the input of coherence measures)."""
        self._require_fitted()
        vocab = set(self.vocabulary_)
        return [[t for t in self.analyze(text) if t in vocab] for text in texts]

    def count_matrix(self, analysed: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """Unit × term counts (CSR, int64) of already analysed units, columns = ``vocabulary_``."""
        from sklearn.feature_extraction.text import CountVectorizer

        self._require_fitted()
        vectorizer = CountVectorizer(analyzer=_identity, vocabulary=self.vocabulary_)
        return vectorizer.transform(list(analysed)).astype(np.int64).tocsr()

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Unit × term count matrix of raw texts."""
        return self.count_matrix(self.analyze(t) for t in texts)


_DEFAULTS = Preprocessor().get_params()
