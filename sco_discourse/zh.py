"""Chinese text: normalisation for matching, word segmentation, sentences, stop words.

:mod:`sco_discourse.text` calls this module for text that contains Chinese characters,
so every count in the package (tokens behind a rate, the document-term matrix, topic
models) uses the same Chinese words.

Design
------
* **Normalisation** (:func:`normalize_zh`) keeps the length of the text, so offsets in
  the normalised text are offsets in the original: :func:`sco_discourse.text.normalize`
  (quotes, dashes, exotic spaces), full-width ASCII to ASCII ("２０２０" → "2020"), and
  Traditional to Simplified characters with OpenCC's ``t2s`` conversion. Every entry of
  the ``t2s`` dictionaries shipped with OpenCC 1.4 maps a string to one of the same
  length (checked entry by entry; ``tests/test_zh.py`` checks a sample), and
  :func:`normalize_zh` falls back to converting character by character should a
  conversion ever change the length. The original text is never changed.
* **Segmentation**: a token of Chinese text is a jieba word of a run of Chinese
  characters (dictionary route with the HMM for unknown words: deterministic, offline),
  or, outside such runs, a token as :func:`sco_discourse.text.tokenize` defines it
  ("2020", "COVID-19"). Punctuation is never a token. The phrases of a frame lexicon are
  added to jieba's dictionary so that they are never split (:class:`Segmenter`); the
  package's segmenter (:func:`default_segmenter`) holds the phrases of the packaged
  Chinese lexicon. The engine is jieba-rs (``rjieba``, the Rust port of jieba with
  jieba's dictionary), which gave jieba's own words on all 95,982 runs of characters of
  the Government Work Reports 1954–2025 and is 11 times faster; the Python ``jieba`` is
  the fallback where rjieba cannot be imported (``Segmenter(backend="jieba")`` chooses it).
* **Sentences** end after 。！？；(and ! ? ;), together with the closing quotes or
  brackets that follow them; a line break always ends a sentence (a paragraph).
* **Stop words**: the Chinese list of stopwords-iso (package ``stopwordsiso``).

References
----------
Sun, J. (2012–2020). jieba: Chinese text segmentation, version 0.42.1.
messense et al. jieba-rs and its Python binding rjieba, version 0.2.2.
BYVoid et al. OpenCC: Open Chinese Convert, version 1.4.
stopwords-iso: stop words for many languages, https://github.com/stopwords-iso.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from .text import Token, _lower, normalize

__all__ = ["HAN_CLASS", "BACKENDS", "has_han", "normalize_zh", "Segmenter", "default_segmenter", "tokenize_zh",
           "tokens_zh", "count_tokens_zh", "sentence_spans_zh", "stop_words_zh"]

#: Chinese characters (CJK unified ideographs with extensions A–G, compatibility
#: ideographs, and 〇) as the body of a regular-expression character class.
HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN_CLASS}]")
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
# A run of Chinese characters, or a token as text.TOKEN_PATTERN defines it made of the
# other word characters ("2020", "COVID-19", "1,700").
_W = rf"[^\W{HAN_CLASS}]"
_ZH_TOKEN_RE = re.compile(rf"[{HAN_CLASS}]+|{_W}+(?:(?:['-]|(?<=\d)[.,](?=\d)){_W}+)*")
_NON_HAN_TOKEN_RE = re.compile(rf"{_W}+(?:(?:['-]|(?<=\d)[.,](?=\d)){_W}+)*")
# Sentence ends: the punctuation, then any closing quotes and brackets.
_SENTENCE_END_RE = re.compile(r"[。！？；!?;]+[”’」』）》)\"']*")
_LINE_RE = re.compile(r"[^\n]+")
# Full-width ASCII (U+FF01..U+FF5E) to ASCII: one character to one character.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_RE = re.compile("[\uff01-\uff5e]+")


def has_han(text: str) -> bool:
    """Whether ``text`` contains a Chinese character.

    Examples
    --------
    >>> has_han("SCO 上海精神"), has_han("SCO")
    (True, False)
    """
    return not text.isascii() and _HAN_RE.search(text) is not None


# --------------------------------------------------------------------------- normalisation
@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified characters (OpenCC ``t2s``), keeping the length.

    Examples
    --------
    >>> to_simplified("構建人類命運共同體")
    '构建人类命运共同体'
    """
    if not has_han(text):
        return text
    converter = _t2s()
    out = converter.convert(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length (none in OpenCC 1.4's t2s): keep offsets
    # valid by converting one character at a time, keeping any that would change length.
    chars = []
    for ch in text:
        simple = converter.convert(ch) if _HAN_RE.match(ch) else ch
        chars.append(simple if len(simple) == 1 else ch)
    return "".join(chars)


def normalize_zh(text: str) -> str:
    """The text Chinese matching and segmentation read, with the length of ``text``.

    :func:`sco_discourse.text.normalize` (quotes, dashes, exotic spaces), full-width
    letters, digits and signs to ASCII, and Traditional to Simplified characters.

    Examples
    --------
    >>> normalize_zh("構建“人類命運共同體”，２０２０年")
    '构建"人类命运共同体",2020年'
    >>> len(normalize_zh("一帶一路")) == len("一帶一路")
    True
    """
    if text.isascii():
        return normalize(text)
    norm = normalize(text)
    # str.translate looks every character up in the table (slow on long Chinese texts);
    # a regular expression finds the few full-width runs
    norm = _FULL_WIDTH_RE.sub(lambda m: m.group().translate(_FULL_WIDTH), norm)
    return to_simplified(norm)


# --------------------------------------------------------------------------- segmentation
_BASE: dict = {}
_LOCK = threading.Lock()


def _jieba_base():
    """jieba's tokenizer with its own dictionary, loaded once per process."""
    with _LOCK:
        if "tokenizer" not in _BASE:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _BASE["tokenizer"] = tokenizer
        return _BASE["tokenizer"]


def dictionary_words(phrases: Iterable[str]) -> tuple[str, ...]:
    """The words to add to jieba's dictionary for ``phrases``: each maximal run of two or
    more Chinese characters of each phrase (normalised), sorted.

    Examples
    --------
    >>> dictionary_words(["21世纪海上丝绸之路", "人類命運共同體", "SCO"])
    ('世纪海上丝绸之路', '人类命运共同体')
    """
    words = set()
    for phrase in phrases:
        for run in _HAN_RUN_RE.findall(normalize_zh(phrase)):
            if len(run) >= 2:
                words.add(run)
    return tuple(sorted(words))


def _rjieba_available() -> bool:
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return False
    return True


#: Segmentation engines: ``"rjieba"`` (jieba-rs, the Rust port of jieba with jieba's own
#: dictionary, through its Python binding) and ``"jieba"`` (the Python original).
BACKENDS = ("rjieba", "jieba")


class Segmenter:
    """jieba word segmentation of runs of Chinese characters, with words never split.

    Parameters
    ----------
    words : iterable of str, optional
        Phrases added to jieba's dictionary (their runs of Chinese characters; see
        :func:`dictionary_words`), each with the frequency jieba suggests to keep it
        whole, in sorted order (so the result does not depend on the order given).
    backend : {"rjieba", "jieba"}, optional
        The engine. Default: ``rjieba`` (jieba-rs: jieba's dictionary and algorithm, 11
        times faster; it gives jieba's words on every run of characters of the
        Government Work Reports 1954–2025, with the lexicon's words added), or ``jieba``
        when rjieba cannot be imported.

    Examples
    --------
    >>> Segmenter().cut("构建人类命运共同体")
    ['构建', '人类', '命运', '共同体']
    >>> Segmenter(["人类命运共同体"]).cut("构建人类命运共同体")
    ['构建', '人类命运共同体']
    >>> Segmenter(["人类命运共同体"], backend="jieba").cut("构建人类命运共同体")
    ['构建', '人类命运共同体']
    """

    def __init__(self, words: Iterable[str] = (), *, backend: str | None = None):
        if backend is None:
            backend = "rjieba" if _rjieba_available() else "jieba"
        if backend not in BACKENDS:
            from .errors import InputError

            raise InputError(f"backend: expected one of {', '.join(BACKENDS)}, got {backend!r}")
        self.backend = backend
        self.words = dictionary_words(words)
        if backend == "rjieba":
            import rjieba

            tokenizer = rjieba.Jieba()   # jieba-rs's copy of jieba's dictionary (0.1 s)
            for word in self.words:
                tokenizer.add_word(word, None, None)   # the frequency jieba suggests
            self._cut = tokenizer.cut                  # cut(text, hmm=True)
            return
        base = _jieba_base()
        if not self.words:
            tokenizer = base
        else:
            import jieba

            tokenizer = jieba.Tokenizer()
            # a copy of the loaded dictionary (0.05 s) instead of reading it again (1-3 s)
            tokenizer.FREQ = dict(base.FREQ)
            tokenizer.total = base.total
            tokenizer.initialized = True
            for word in self.words:
                tokenizer.add_word(word)
        self._cut = lambda run, hmm: tokenizer.lcut(run, HMM=hmm)

    def __repr__(self) -> str:
        return f"<Segmenter: {self.backend}, jieba dictionary + {len(self.words)} words>"

    def __getstate__(self):  # rebuilt in worker processes from the words
        return {"words": self.words, "backend": self.backend}

    def __setstate__(self, state):
        self.__init__(state["words"], backend=state.get("backend"))

    def cut(self, run: str) -> list[str]:
        """The words of a run of Chinese characters (normalised text), in order."""
        return self._cut(run, True)

    def boundaries(self, run: str, offset: int = 0) -> set[int]:
        """Offsets (plus ``offset``) at which a word of ``run`` begins or ends."""
        out = {offset}
        position = offset
        for word in self._cut(run, True):
            position += len(word)
            out.add(position)
        return out


@lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """The package's segmenter: jieba's dictionary plus every phrase of the packaged
    Chinese lexicon (``codebook_v2_zh.yaml``), so a frame phrase is one token."""
    from .lexicons.defaults import default_lexicon

    return Segmenter(lexicon_phrases(default_lexicon("zh")))


def lexicon_phrases(lexicon) -> list[str]:
    """Every phrase of a lexicon that segmentation must keep whole: patterns, exclusions,
    the items, leads and trails of enumerations, literal scope phrases and the cue phrases
    of context rules."""
    phrases: list[str] = []
    for frame in lexicon.frames.values():
        phrases.extend(p.canonical for p in frame.patterns)
        phrases.extend(p.canonical for p in frame.excludes)
        for spec in frame.enumerations:
            for _, items in spec.items:
                phrases.extend(items)
            phrases.extend(spec.lead)
            phrases.extend(spec.trail)
        for rule in frame.rules:
            phrases.extend(p for p in (*rule.before, *rule.after) if not re.search(r"[{\[]", p))
        # the cue phrases of context rules (frame, variant and pattern levels)
        levels = [frame, *frame.variant_specs.values(), *frame.patterns]
        for level in levels:
            for cond in (*level.requires, *level.unless):
                phrases.extend(cond.cues)
    return [p.replace(" ", "") if has_han(p) else p for p in phrases]


def tokenize_zh(text: str, *, lower: bool = False, segmenter: Segmenter | None = None) -> list[Token]:
    """Tokens of Chinese (or mixed) text with their character offsets in ``text``.

    Token strings are normalised (:func:`normalize_zh`: Simplified characters, ASCII
    digits and letters).

    Examples
    --------
    >>> [t.text for t in tokenize_zh("推动構建人类命运共同体，2020年COVID-19。")]
    ['推动', '构建', '人类', '命运共同体', '2020', '年', 'COVID-19']
    >>> tokenize_zh("印度尼西亚")[0]
    Token(text='印度尼西亚', start=0, end=5)
    """
    norm = normalize_zh(text)
    if lower:
        norm = _lower(norm)
    seg = segmenter or default_segmenter()
    out: list[Token] = []
    for m in _ZH_TOKEN_RE.finditer(norm):
        start, word = m.start(), m.group()
        if _HAN_RE.match(word):
            for piece in seg.cut(word):
                out.append(Token(piece, start, start + len(piece)))
                start += len(piece)
        else:
            out.append(Token(word, start, m.end()))
    return out


def tokens_zh(text: str, *, lower: bool = True, segmenter: Segmenter | None = None) -> list[str]:
    """Token strings of Chinese (or mixed) text (see :func:`tokenize_zh`).

    Examples
    --------
    >>> tokens_zh("弘扬“上海精神”")
    ['弘扬', '上海精神']
    """
    norm = normalize_zh(text)
    if lower:
        norm = _lower(norm)
    seg = segmenter or default_segmenter()
    out: list[str] = []
    for m in _ZH_TOKEN_RE.finditer(norm):
        word = m.group()
        if _HAN_RE.match(word):
            out.extend(seg.cut(word))
        else:
            out.append(word)
    return out


def count_tokens_zh(text: str, *, segmenter: Segmenter | None = None) -> int:
    """Number of tokens :func:`tokenize_zh` gives.

    Examples
    --------
    >>> count_tokens_zh("构建人类命运共同体。")
    3
    """
    norm = normalize_zh(text)
    seg = segmenter or default_segmenter()
    n = len(_NON_HAN_TOKEN_RE.findall(_HAN_RUN_RE.sub(" ", norm)))
    for run in _HAN_RUN_RE.findall(norm):
        n += len(seg.cut(run))
    return n


# --------------------------------------------------------------------------- sentences
def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans_zh(text: str, *, paragraphs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of Chinese text.

    A sentence ends after 。！？；(or ! ? ;) and the closing quotes or brackets that
    follow; a line break always ends one. Spans leave out white space at their ends
    (full-width indentation included).

    Parameters
    ----------
    paragraphs : list of (start, end), optional
        The paragraph spans to split (default: every line with text).

    Examples
    --------
    >>> t = "他说：“要构建人类命运共同体。”我们同意！\\n\u3000\u3000第二段；还有"
    >>> [t[s:e] for s, e in sentence_spans_zh(t)]
    ['他说：“要构建人类命运共同体。”', '我们同意！', '第二段；', '还有']
    """
    if paragraphs is None:
        paragraphs = [m.span() for m in _LINE_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraphs:
        position = p_start
        for m in _SENTENCE_END_RE.finditer(text, p_start, p_end):
            s, e = _strip(text, position, m.end())
            if e > s:
                spans.append((s, e))
            position = m.end()
        s, e = _strip(text, position, p_end)
        if e > s:
            spans.append((s, e))
    return spans


# --------------------------------------------------------------------------- stop words
@lru_cache(maxsize=1)
def stop_words_zh() -> frozenset[str]:
    """The Chinese stop words of stopwords-iso (``stopwordsiso``, 794 words), in
    Simplified characters.

    Examples
    --------
    >>> "的" in stop_words_zh(), "共同体" in stop_words_zh()
    (True, False)
    """
    import stopwordsiso

    return frozenset(to_simplified(w) for w in stopwordsiso.stopwords("zh"))
