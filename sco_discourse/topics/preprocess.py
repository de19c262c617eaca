"""From unit texts to terms and a count matrix, with every choice recorded.

Tokens come from :func:`sco_discourse.text.tokens` (the package's one tokenizer), so a
term of a topic model is the same token that frame rates and keyness count. On top of
it, :class:`Preprocessor` adds what topic models need: dropping numbers, multi-word
terms found by gensim's ``Phrases`` ("shanghai_spirit", "belt_road"), and pruning the
vocabulary by document frequency. The fitted preprocessor travels inside the topic model,
so a saved model says exactly how its terms were made (:meth:`Preprocessor.settings`).
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import InputError
from ..text import stop_words, tokens

__all__ = ["Preprocessor"]


def _identity(items):
    """Analyzer for CountVectorizer over already tokenised units (module level: picklable)."""
    return items


class Preprocessor(TransformerMixin, BaseEstimator):
    """Tokens, phrases and vocabulary pruning for topic models (a scikit-learn transformer).

    ``X`` is an iterable of unit texts (``str``), one per unit: a list, a pandas Series
    such as ``model.units_["text"]``, or a generator. :meth:`transform` turns it into a
    unit × term count matrix whose columns are :attr:`vocabulary_`. Nothing here is
    random, so there is no ``random_state``: the same texts give the same terms.

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
        The terms kept, in column order of :meth:`transform` (alphabetical).
    document_frequency_ : numpy.ndarray
        Number of fitted units containing each term.
    n_units_ : int
        Units seen by :meth:`fit`.

    Notes
    -----
    Memory: :meth:`fit` and :meth:`fit_transform` read ``X`` once. Without phrases the
    texts stream straight into the count matrix. Phrases need two looks at every unit
    (learn the phrases, then join them), so each unit's tokens are kept in between as
    4-byte ids into one array, not as lists of Python strings (which take over ten times
    as much). :meth:`transform` streams. ``X`` may therefore be a one-shot generator.

    Examples
    --------
    >>> texts = ["The Belt and Road links Asia.", "Belt and Road projects grow.",
    ...          "Belt and Road loans.", "The Shanghai Spirit guides Asia."]
    >>> pre = Preprocessor(phrase_min_count=2, min_df=1, max_df=1.0).fit(texts)
    >>> pre.analyze("Belt and Road in Asia")
    ['belt_road', 'asia']
    >>> pre.vocabulary_
    ['asia', 'belt_road', 'grow', 'guides', 'links', 'loans', 'projects', 'shanghai', 'spirit']
    >>> pre.transform(["Asia, Asia and the Belt and Road"]).toarray().tolist()
    [[2, 1, 0, 0, 0, 0, 0, 0, 0]]
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # X is a sequence of texts, as for CountVectorizer
        tags.input_tags.string = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "vocabulary_")

    def settings(self) -> dict:
        """The settings plus what fitting learned: the phrases, the vocabulary size (JSON-ready)."""
        out = {k: (list(v) if isinstance(v, (tuple, list, frozenset, set)) else v)
               for k, v in self.get_params(deep=False).items()}
        out["stop_word_list_size"] = len(stop_words()) if self.remove_stop_words else 0
        if hasattr(self, "vocabulary_"):
            out["n_units"] = self.n_units_
            out["n_terms"] = len(self.vocabulary_)
            out["n_phrases"] = len(self.phrases_.phrasegrams) if self.phrases_ is not None else 0
            out["phrases_learned"] = sorted(self.phrases_.phrasegrams) if self.phrases_ is not None else []
        return out

    # -- fitting ------------------------------------------------------------------------
    def _check(self) -> None:
        for name in ("min_df", "max_df"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                    isinstance(value, float) and value > 1):
                raise InputError(f"topic preprocessing: {name} must be a count (int >= 0) or a share "
                                 f"(float in [0, 1]), got {value!r}")
        if not isinstance(self.phrase_min_count, (int, float)) or not 0 < self.phrase_min_count \
                or not isinstance(self.phrase_threshold, (int, float)) or not -1 <= self.phrase_threshold <= 1:
            raise InputError("topic preprocessing: phrase_min_count must be >= 1 and phrase_threshold in "
                             f"[-1, 1], got {self.phrase_min_count!r}, {self.phrase_threshold!r}")
        if isinstance(self.extra_stop_words, str):
            raise InputError(f"topic preprocessing: extra_stop_words must be a list of words, got the string "
                             f"{self.extra_stop_words!r}")

    def _tokenizer(self) -> Callable[[str], list[str]]:
        """The unit tokenizer of these settings (tokens, then the filters)."""
        extra = frozenset(w.lower() for w in self.extra_stop_words)
        lower, remove, lemmas = self.lower, self.remove_stop_words, self.lemmas
        min_length, drop_numbers = self.min_length, self.drop_numbers

        def tokenize(text: str) -> list[str]:
            return [t for t in tokens(text, lower=lower, remove_stop_words=remove, lemmas=lemmas)
                    if len(t) >= min_length
                    and not (drop_numbers and not any(c.isalpha() for c in t))
                    and t.lower() not in extra]

        return tokenize

    def fit(self, X: Iterable[str], y=None) -> "Preprocessor":
        """Learn phrases and the pruned vocabulary from unit texts; returns ``self``.

        Parameters
        ----------
        X : iterable of str
            One text per unit.
        y : ignored
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Iterable[str], y=None) -> sp.csr_matrix:
        """Fit, and return the unit × term count matrix of ``X`` (reads ``X`` once).

        Returns
        -------
        scipy.sparse.csr_matrix of int64, shape (n_units, len(vocabulary_))
        """
        return self._fit_transform(X, None)

    def fit_transform_tokens(self, X: Iterable[str]) -> tuple[sp.csr_matrix, list[list[str]]]:
        """Fit, and return both the counts and the terms of each text (reads ``X`` once).

        The same as ``(pre.fit_transform(X), pre.transform_tokens(X))`` without analysing
        the texts a second time (a topic sweep needs both: counts for the models, the
        terms in order for coherence). The terms of every text are held in memory.

        Returns
        -------
        counts : scipy.sparse.csr_matrix of int64, shape (n_units, len(vocabulary_))
        tokens : list of list of str
            Each text's terms in order, restricted to :attr:`vocabulary_`.

        Examples
        --------
        >>> texts = ["tea cup tea", "rail train", "tea rail"]
        >>> counts, tokens = Preprocessor(phrases=False, min_df=2, max_df=1.0).fit_transform_tokens(texts)
        >>> counts.toarray().tolist(), tokens
        ([[0, 2], [1, 0], [1, 1]], [['tea', 'tea'], ['rail'], ['tea', 'rail']])
        """
        kept: list[list[str]] = []
        counts = self._fit_transform(X, kept)
        vocab = set(self.vocabulary_)
        return counts, [[t for t in terms if t in vocab] for terms in kept]

    def _fit_transform(self, X, kept: list | None) -> sp.csr_matrix:
        """``fit_transform``; with a list ``kept``, each text's analysed terms are appended to it."""
        from sklearn.feature_extraction.text import CountVectorizer

        self._check()
        texts = _texts(X, "topic preprocessing")
        tokenize = self._tokenizer()
        if self.phrases:
            from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

            store = _TokenIds()
            for text in texts:
                store.add(tokenize(text))
            if not len(store):
                raise InputError("topic preprocessing: no units to fit on")
            connectors = frozenset() if self.remove_stop_words else ENGLISH_CONNECTOR_WORDS
            model = Phrases(store, min_count=self.phrase_min_count, threshold=self.phrase_threshold,
                            scoring="npmi", delimiter="_", connector_words=connectors)
            phrases = model.freeze()
            analysed = _Counted(phrases[toks] for toks in store)
        else:
            phrases = None
            analysed = _Counted(map(tokenize, texts))
        if kept is not None:
            analysed = _Counted(_kept(analysed, kept))
        vectorizer = CountVectorizer(analyzer=_identity, min_df=self.min_df, max_df=self.max_df,
                                     max_features=self.max_terms)
        try:
            counts = vectorizer.fit_transform(analysed)
        except InputError:
            raise
        except ValueError as exc:  # e.g. "After pruning, no terms remain"
            if not analysed.n:
                raise InputError("topic preprocessing: no units to fit on") from None
            raise InputError(f"topic preprocessing: {exc} (min_df={self.min_df!r}, max_df={self.max_df!r}, "
                             f"{analysed.n} units)") from None
        counts = counts.astype(np.int64).tocsr()
        counts.sort_indices()  # pruning leaves columns unsorted; sums must run in one order every time
        self.phrases_ = phrases
        self.vocabulary_ = vectorizer.get_feature_names_out().tolist()
        self.document_frequency_ = np.asarray((counts > 0).sum(axis=0)).ravel()
        self.n_units_ = counts.shape[0]
        return counts

    # -- applying -------------------------------------------------------------------------
    def _require_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise InputError("this Preprocessor is not fitted yet: call fit(texts) first")

    def analyze(self, text: str) -> list[str]:
        """Terms of one text: tokens, filters and phrases (not yet pruned to the vocabulary)."""
        self._require_fitted()
        base = self._tokenizer()(text)
        return self.phrases_[base] if self.phrases_ is not None else base

    def _analyzed(self, X) -> Iterator[list[str]]:
        self._require_fitted()
        tokenize, phrases = self._tokenizer(), self.phrases_
        for text in _texts(X, "topic preprocessing"):
            yield phrases[tokenize(text)] if phrases is not None else tokenize(text)

    def transform_tokens(self, X: Iterable[str]) -> list[list[str]]:
        """Terms of each text restricted to the vocabulary (the input of coherence measures)."""
        self._require_fitted()
        vocab = set(self.vocabulary_)
        return [[t for t in terms if t in vocab] for terms in self._analyzed(X)]

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Unit × term counts of texts (streamed), columns = :attr:`vocabulary_`.

        Returns
        -------
        scipy.sparse.csr_matrix of int64, shape (n_units, len(vocabulary_))
        """
        from sklearn.feature_extraction.text import CountVectorizer

        self._require_fitted()
        vectorizer = CountVectorizer(analyzer=_identity, vocabulary=self.vocabulary_)
        return vectorizer.transform(self._analyzed(X)).astype(np.int64).tocsr()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The terms, in column order of :meth:`transform` (as scikit-learn's vectorizers)."""
        self._require_fitted()
        return np.asarray(self.vocabulary_, dtype=object)


def _texts(X, where: str) -> Iterator[str]:
    """``X`` checked to be texts, one at a time (a lone string is a mistake, not 1 text per character)."""
    if isinstance(X, (str, bytes)):
        raise InputError(f"{where}: give a list of texts (one per unit), not one string")
    if X is None or not isinstance(X, Iterable):
        raise InputError(f"{where}: give a list of texts (one per unit), got {type(X).__name__}")

    def check(items):
        for i, text in enumerate(items):
            if not isinstance(text, str):
                raise InputError(f"{where}: text {i + 1} is a {type(text).__name__} ({text!r:.60}), "
                                 "not a string")
            yield text

    return check(X)


def _kept(items: Iterable[list[str]], kept: list) -> Iterator[list[str]]:
    """The items, each also appended to ``kept`` as it is given."""
    for item in items:
        kept.append(item)
        yield item


class _Counted:
    """An iterable that counts the items it has given."""

    def __init__(self, items: Iterable):
        self._items = items
        self.n = 0

    def __iter__(self):
        for item in self._items:
            self.n += 1
            yield item


class _TokenIds:
    """The tokens of every unit as 32-bit ids in one array, re-iterable as lists of strings.

    Phrase learning needs a second look at every unit; this keeps them at 4 bytes a token
    instead of a list of Python strings per unit.
    """

    def __init__(self):
        self._index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self._ids = array("i")
        self._ends = array("q")

    def add(self, unit_tokens: list[str]) -> None:
        self._ids.extend(map(self._index.__getitem__, unit_tokens))
        self._ends.append(len(self._ids))

    def __len__(self) -> int:
        return len(self._ends)

    def __iter__(self) -> Iterator[list[str]]:
        words = list(self._index)  # insertion order is id order
        ids, start = self._ids, 0
        for end in self._ends:
            yield list(map(words.__getitem__, ids[start:end]))
            start = end
