"""The one place where text becomes tokens and sentences.

Every module of the package (frames, keywords, topics) calls these functions, so a
token means the same thing everywhere: token counts behind a frame rate are the same
tokens that keyness and topic models see.

Design
------
* :func:`normalize` maps typographic variants to one form **without changing the
  length of the text** (one character in, one character out). Character offsets found
  in the normalised text are therefore valid offsets into the original text, which is
  what KWIC evidence and the frame matcher rely on.
* A token is a run of word characters, optionally joined by a hyphen or apostrophe to
  further runs ("win-win", "COVID-19", "people's"), or a number with decimal/thousands
  separators ("3.5", "1,700"). Hyphenated compounds are kept whole.
* Sentence splitting uses NLTK's Punkt algorithm with its default (untrained)
  parameters plus a small list of abbreviations; nothing is downloaded.
* Stop words are a data file shipped with the package (``lexicons/stopwords_en.txt``).
* Lemmatization uses ``simplemma`` (offline, data in the wheel).
* **Chinese.** Text that contains Chinese characters (or ``language="zh"``) is read by
  :mod:`sco_discourse.zh`: runs of Chinese characters are segmented into words (jieba,
  with the frame lexicon's phrases kept whole), the rest is tokenised as above;
  sentences end at 。！？；; Chinese stop words are added to the English ones. Text
  without Chinese characters gives exactly the tokens it gave before. ``language`` is
  ``None`` (decide from the text), ``"zh"`` or ``"en"`` (the rules above only).
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "Token",
    "normalize",
    "tokenize",
    "tokens",
    "count_tokens",
    "count_characters",
    "sentences",
    "sentence_spans",
    "paragraph_spans",
    "stop_words",
    "lemmatize",
    "TOKEN_PATTERN",
]

# Length-preserving normalisation: each key is one character and maps to one character.
_NORMALIZE_MAP = {
    # quotes and apostrophes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    # hyphens and dashes
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\ufe63": "-", "\uff0d": "-",
    # white space variants (line breaks are kept as they are: they mark paragraphs)
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u3000": " ",
    "\t": " ",
}
# Most text is ASCII or has few special characters: a regex substitution over just the
# mapped characters is ~10x faster than str.translate on real corpora.
_NON_ASCII_RE = re.compile("[" + re.escape("".join(k for k in _NORMALIZE_MAP if k != "\t")) + "]")

#: The token regular expression (applied to normalised text).
TOKEN_PATTERN = r"\w+(?:(?:['-]|(?<=\d)[.,](?=\d))\w+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_RUN_RE = re.compile(r"\w+")
# Joiners inside a token; starting with the literal character makes the scan fast.
_JOIN_RE = re.compile(r"[-'.,](?:(?<=\w[-'])(?=\w)|(?<=\d[.,])(?=\d))")


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its character offsets in the text it came from."""

    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """Map curly quotes, dashes and exotic spaces to plain ASCII, keeping the length.

    Examples
    --------
    >>> normalize("“win–win” cooperation\u00a0now")
    '"win-win" cooperation now'
    >>> len(normalize("a\u2014b")) == len("a\u2014b")
    True
    """
    if not text.isascii():
        text = _NON_ASCII_RE.sub(lambda m: _NORMALIZE_MAP[m.group()], text)
    return text.replace("\t", " ")


def _lower(norm: str) -> str:
    """Lower-case without changing the length ("İ".lower() is two characters), so that
    offsets and token boundaries stay those of the original text."""
    lowered = norm.lower()
    if len(lowered) == len(norm):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else low[0] for ch in norm)


def _reads_chinese(text: str, language: str | None) -> bool:
    """Whether the Chinese reading applies: ``language="zh"``, or no language and Chinese
    characters in the text (``"en"`` and other languages: the English rules only)."""
    if language is None:
        if text.isascii():
            return False
        from .zh import has_han

        return has_han(text)
    return language == "zh"


def tokenize(text: str, *, lower: bool = False, language: str | None = None) -> list[Token]:
    """Split ``text`` into tokens that keep their character offsets.

    Parameters
    ----------
    text : str
        Raw or cleaned text. It is normalised internally; offsets refer to ``text``.
    lower : bool, default False
        Lower-case the token strings.
    language : {None, "zh", "en"}, optional
        None: Chinese characters, where present, are segmented into words
        (:func:`sco_discourse.zh.tokenize_zh`); "en": the English rules only.

    Returns
    -------
    list of Token

    Examples
    --------
    >>> [t.text for t in tokenize("Win–win results for COVID-19, 1,700 km.")]
    ['Win-win', 'results', 'for', 'COVID-19', '1,700', 'km']
    >>> tokenize("Xi’s visit")[0]
    Token(text="Xi's", start=0, end=4)
    >>> [t.text for t in tokenize("构建人类命运共同体")]
    ['构建', '人类', '命运共同体']
    """
    if _reads_chinese(text, language):
        from .zh import tokenize_zh

        return tokenize_zh(text, lower=lower)
    norm = normalize(text)
    if lower:
        norm = _lower(norm)
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(norm)]


def tokens(text: str, *, lower: bool = True, remove_stop_words: bool = False,
           lemmas: bool = False, language: str | None = None) -> list[str]:
    """Token strings of ``text``: the list every count in the package is built from.

    Parameters
    ----------
    lower : bool, default True
    remove_stop_words : bool, default False
        Drop the package stop words (see :func:`stop_words`; Chinese ones too when the
        text is read as Chinese).
    lemmas : bool, default False
        Replace each token by its lemma (:func:`lemmatize`); Chinese words have none.
    language : {None, "zh", "en"}, optional
        As in :func:`tokenize`.

    Examples
    --------
    >>> tokens("The communities were built", remove_stop_words=True, lemmas=True)
    ['community', 'build']
    >>> tokens("我们推动构建人类命运共同体", remove_stop_words=True)
    ['推动', '构建', '人类', '命运共同体']
    """
    if _reads_chinese(text, language):
        from .zh import has_han, tokens_zh

        out = tokens_zh(text, lower=lower)
        if remove_stop_words:
            stops = stop_words("zh")
            out = [t for t in out if t.lower() not in stops]
        if lemmas:
            out = [t if has_han(t) else lemmatize(t) for t in out]
        return out
    norm = normalize(text)
    if lower:
        norm = _lower(norm)
    out = _TOKEN_RE.findall(norm)
    if remove_stop_words:
        stops = stop_words()
        out = [t for t in out if t.lower() not in stops]
    if lemmas:
        out = [lemmatize(t) for t in out]
    return out


def count_tokens(text: str, *, language: str | None = None) -> int:
    """Number of tokens :func:`tokenize` would return, computed without building them.

    Every token is a maximal run of word characters, or several runs linked by a
    joiner (hyphen, apostrophe, or a decimal/thousands separator between digits), so
    the count is ``runs - joiners``. This is several times faster than tokenising and
    is what the frame counter uses for rates per 10,000 tokens.

    Examples
    --------
    >>> count_tokens("Win-win results for COVID-19, 1,700 km.")
    6
    >>> count_tokens("推动构建人类命运共同体。")   # 推动 构建 人类 命运共同体
    4
    """
    if _reads_chinese(text, language):
        from .zh import count_tokens_zh

        return count_tokens_zh(text)
    norm = normalize(text)
    if len(norm) < 64:  # numpy's per-call overhead dominates on short strings
        return len(_RUN_RE.findall(norm)) - len(_JOIN_RE.findall(norm))
    return _count_tokens_vectorized(norm)


def count_characters(text: str) -> int:
    """Number of letters and digits of ``text`` (Chinese characters included; spaces,
    punctuation and ``_`` left out): the denominator of rates per 10,000 characters.

    Examples
    --------
    >>> count_characters("推动构建人类命运共同体。"), count_characters("Win-win, 2020!")
    (11, 10)
    """
    import numpy as np

    try:
        codes = np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
        is_word, _ = _char_classes(False)
    except UnicodeEncodeError:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        is_word, _ = _char_classes(True)
    return int(np.count_nonzero(is_word[codes])) - text.count("_")


def _char_classes(wide: bool):
    """Boolean lookup tables "is \\w" and "is \\d" over code points, built from the same
    regular expressions the tokenizer uses (so they agree with ``re`` by construction)."""
    import numpy as np

    key = "wide" if wide else "narrow"
    if key not in _CLASS_TABLES:
        size = 0x110000 if wide else 256
        alphabet = "".join(map(chr, range(size)))
        tables = []
        for pattern in (r"\w+", r"\d+"):
            table = np.zeros(size, dtype=bool)
            for m in re.finditer(pattern, alphabet):
                table[m.start():m.end()] = True
            tables.append(table)
        _CLASS_TABLES[key] = tuple(tables)
    return _CLASS_TABLES[key]


_CLASS_TABLES: dict = {}


def _count_tokens_vectorized(norm: str) -> int:
    """``runs - joiners`` of normalised text with array operations (exactly as the regexes).

    A run starts where a word character follows a non-word character; a joiner is an
    apostrophe or hyphen between two word characters, or "." / "," between two digits.
    """
    import numpy as np

    try:  # one byte per character when the text allows it (most English text)
        codes = np.frombuffer(norm.encode("latin-1"), dtype=np.uint8)
        is_word, is_digit = _char_classes(False)
    except UnicodeEncodeError:
        codes = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        is_word, is_digit = _char_classes(True)
    word = is_word[codes]
    runs = int(word[0]) + int(np.count_nonzero(word[1:] > word[:-1]))
    mid = codes[1:-1]
    joiners = np.count_nonzero(((mid == 39) | (mid == 45)) & word[:-2] & word[2:])  # ' and -
    separators = (mid == 46) | (mid == 44)  # . and ,
    if separators.any():
        digit = is_digit[codes]
        joiners += np.count_nonzero(separators & digit[:-2] & digit[2:])
    return runs - int(joiners)


# --------------------------------------------------------------------------- sentences
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "no", "vol", "etc", "e.g", "i.e", "u.s", "u.n", "u.k",
    "co", "ltd", "inc", "corp", "gen", "gov", "sen", "rep", "jr", "sr", "vs", "approx",
}


@lru_cache(maxsize=1)
def _punkt():
    """NLTK's Punkt sentence splitter with the package's abbreviations; its fixed regular
    expressions run on ``re`` (:func:`_punkt_classes`)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(_ABBREVIATIONS)
    lang_vars, token_cls = _punkt_classes()
    return PunktSentenceTokenizer(params, lang_vars=lang_vars(), token_cls=token_cls)


def _plain_pattern(pattern):
    """The ``re`` pattern of one of NLTK's regular expressions (the same pattern and flags).

    NLTK 3.10 runs every regular expression through the ``regex`` engine with a
    wall-clock timeout (``nltk.redos``), against patterns supplied by callers; Punkt's
    own patterns are fixed, and the wrapper makes sentence splitting 2.9 times slower on
    the UN speeches. Earlier NLTK versions give ``re`` patterns, returned as they are."""
    if isinstance(pattern, re.Pattern):
        return pattern
    flags = pattern.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE)
    return re.compile(pattern.pattern, flags)


@lru_cache(maxsize=1)
def _punkt_classes():
    """Punkt's language variables and token class with the same regular expressions on
    ``re`` (:func:`_plain_pattern`); ``tests/test_text.py`` checks that the sentences are
    NLTK's own."""
    from nltk.tokenize import punkt

    class LanguageVars(punkt.PunktLanguageVars):
        re_boundary_realignment = _plain_pattern(punkt.PunktLanguageVars.re_boundary_realignment)

        def __init__(self):
            super().__init__()
            self._plain = (_plain_pattern(super()._word_tokenizer_re()), _plain_pattern(super().period_context_re()))

        def _word_tokenizer_re(self):
            return self._plain[0]

        def period_context_re(self):
            return self._plain[1]

    non_punct = _plain_pattern(punkt._re_non_punct)

    class Token(punkt.PunktToken):
        __slots__ = ()
        _RE_ELLIPSIS = _plain_pattern(punkt.PunktToken._RE_ELLIPSIS)
        _RE_NUMERIC = _plain_pattern(punkt.PunktToken._RE_NUMERIC)
        _RE_INITIAL = _plain_pattern(punkt.PunktToken._RE_INITIAL)
        _RE_ALPHA = _plain_pattern(punkt.PunktToken._RE_ALPHA)

        @property
        def is_non_punct(self):
            return non_punct.search(self.type)

    return LanguageVars, Token


_LINE_RE = re.compile(r"[^\n]+")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of ``text``: THE paragraph definition of the package.

    A paragraph is a line: a maximal run of characters without a line break (``\\n``)
    that holds something other than white space. Blank lines separate nothing more than
    one line break does. Spans are whole lines (leading and trailing spaces included), in
    text order. The document-term matrix, sentence splitting, topic-model units and
    paragraph-level co-occurrence all use this function.

    Examples
    --------
    >>> t = "Headline\\n\\n  First paragraph.\\n \\nSecond."
    >>> [t[s:e] for s, e in paragraph_spans(t)]
    ['Headline', '  First paragraph.', 'Second.']
    """
    return [m.span() for m in _LINE_RE.finditer(text) if not m.group().isspace()]


def sentence_spans(text: str, *, language: str | None = None, until: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``.

    Paragraph breaks (:func:`paragraph_spans`) always end a sentence; inside a paragraph
    NLTK's Punkt splitter decides, with common abbreviations ("Nov.", "U.S.") protected.
    Chinese text (``language="zh"``, or None and mostly Chinese characters,
    :func:`sco_discourse.language.detect_language`) ends sentences at 。！？；
    (:func:`sco_discourse.zh.sentence_spans_zh`). ``until``: split only the paragraphs
    that begin at or before this offset (the sentences up to it are the same).

    Examples
    --------
    >>> t = "Xi spoke on Nov. 10 in Beijing. He left.\\nNew paragraph"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Xi spoke on Nov. 10 in Beijing.', 'He left.', 'New paragraph']
    >>> t = "构建人类命运共同体。坚持多边主义！"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['构建人类命运共同体。', '坚持多边主义！']
    """
    paragraphs = paragraph_spans(text)
    if until is not None:
        paragraphs = paragraphs[:bisect.bisect_right(paragraphs, (until, len(text) + 1))]
    if language == "zh" or (language is None and not text.isascii() and _detect(text) == "zh"):
        from .zh import sentence_spans_zh

        return sentence_spans_zh(text, paragraphs=paragraphs)
    spans: list[tuple[int, int]] = []
    punkt = _punkt()
    for start, end in paragraphs:
        for s, e in punkt.span_tokenize(text[start:end]):
            spans.append((start + s, start + e))
    return spans


def _detect(text: str) -> str | None:
    from .language import detect_language

    return detect_language(text)


def sentences(text: str, *, language: str | None = None) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text, language=language)]


# --------------------------------------------------------------------------- stop words / lemmas
@lru_cache(maxsize=3)
def stop_words(language: str | None = None) -> frozenset[str]:
    """The package's stop words: the English list (a data file with its provenance in its
    header); with ``language="zh"`` the Chinese list of stopwords-iso as well
    (:func:`sco_discourse.zh.stop_words_zh`), since Chinese text mixes in English words.

    Examples
    --------
    >>> "the" in stop_words(), "community" in stop_words()
    (True, False)
    >>> "我们" in stop_words("zh"), "the" in stop_words("zh"), "我们" in stop_words()
    (True, True, False)
    """
    if language == "zh":
        from .zh import stop_words_zh

        return stop_words() | stop_words_zh()
    raw = resources.files("sco_discourse.lexicons").joinpath("stopwords_en.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=200_000)
def lemmatize(word: str) -> str:
    """Lemma of an English word (simplemma, offline); lower-cases it.

    Examples
    --------
    >>> lemmatize("communities"), lemmatize("built")
    ('community', 'build')
    >>> lemmatize("命运共同体")   # Chinese words have no inflection
    '命运共同体'
    """
    if not word.isascii():
        from .zh import has_han

        if has_han(word):
            return word
    import simplemma

    return simplemma.lemmatize(word.lower(), lang="en").lower()


def iter_tokens(texts, **kwargs) -> Iterator[list[str]]:
    """Yield :func:`tokens` for each text of an iterable (streams)."""
    for text in texts:
        yield tokens(text, **kwargs)


# --------------------------------------------------------------------------- one pass of codes
def _codes(text: str):
    """The code points of ``text`` as a numpy array of one or two bytes per character, or
    None when a character lies outside the Basic Multilingual Plane (the callers then
    take the string path). The match text, the token count and the character count of
    the frame counter are all read from this one array (:func:`_counts_from_codes`,
    :func:`sco_discourse.frames.matcher._prepare`)."""
    import numpy as np

    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    raw = text.encode("utf-16-le", "surrogatepass")
    if len(raw) != 2 * len(text):
        return None
    return np.frombuffer(raw, dtype=np.uint16)


def _fold_error(exc: UnicodeEncodeError) -> tuple[str, int]:
    """Codec error handler of :func:`_folded_codes`: a character beyond Latin-1 as its
    ASCII normalisation (:func:`normalize`), or the error again when it has none."""
    out = []
    for i, ch in enumerate(exc.object[exc.start:exc.end], exc.start):
        folded = _NORMALIZE_MAP.get(ch)
        if folded is None:
            if i == 0 and ch == "\ufeff":
                # a byte-order mark that opens the text (a file read without utf-8-sig):
                # a control character reads the same (no word, no space, no punctuation)
                folded = _BOM_STANDIN
            else:
                raise exc
        out.append(folded)
    return "".join(out), exc.end


_BOM_STANDIN = "\x01"


codecs.register_error("sco_discourse.fold", _fold_error)


def _folded_codes(text: str):
    """``(codes, folded)``: :func:`_codes` of ``text``, except for a non-ASCII text whose
    characters beyond Latin-1 are all typographic quotes, dashes and spaces (most news
    and speeches in English and other languages written in the Latin alphabet): one byte
    per character (Latin-1, every other character as its ASCII normalisation, a
    byte-order mark that opens the text as ``\\x01``) and ``folded`` True. Folded codes
    are read with the tables of text with a non-ASCII character (where a backquote is an
    apostrophe), restricted to Latin-1.

    Examples
    --------
    >>> codes, folded = _folded_codes("Caf\u00e9 \u2013 \u201cwin-win\u201d")
    >>> codes.tobytes().decode("latin-1"), folded
    ('Café - "win-win"', True)
    >>> _folded_codes("Plain `ASCII`")[1], _folded_codes("Zagreb, Hrvatska \u010dlanica")[1]
    (False, False)
    """
    import numpy as np

    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8), False
    try:
        return np.frombuffer(text.encode("latin-1", "sco_discourse.fold"), dtype=np.uint8), True
    except UnicodeEncodeError:
        return _codes(text), False


@lru_cache(maxsize=1)
def _fold_table():
    """Per code point of the BMP, its one-byte code in :func:`_folded_codes` (what
    :func:`_fold_error` makes of it), 0xFFFF where it has none: the table of the compiled
    fold (:func:`sco_discourse._kernels.english_passes`)."""
    import numpy as np

    table = np.full(0x10000, 0xFFFF, dtype=np.uint16)
    table[:256] = np.arange(256)
    for ch, folded in _NORMALIZE_MAP.items():
        if ord(ch) > 255:
            table[ord(ch)] = ord(folded)
    return table


@lru_cache(maxsize=1)
def _code_classes():
    """Per code point of the BMP, bit flags read by :func:`_counts_from_codes`: 1 word
    character, 2 digit (both as the token regex sees them), 4 a hyphen or apostrophe after
    :func:`normalize`, 8 a "." or "," (the joiners of :func:`count_tokens`). Two tables:
    for text with a non-ASCII character, and for ASCII text (which :func:`normalize`
    leaves as it is but for tabs, so a backquote stays a backquote)."""
    import numpy as np

    is_word, is_digit = _char_classes(True)
    size = 0x10000
    codes = np.arange(size)
    tables = []
    for mapping in (_NORMALIZE_MAP, {"\t": " "}):
        norm = np.array([ord(mapping.get(chr(c), chr(c))) for c in range(size)], dtype=np.int64)
        # normalize() maps non-word characters to non-word characters only: classes of the
        # raw text are those of the normalised text
        assert (is_word[norm] == is_word[codes]).all() and (is_digit[norm] == is_digit[codes]).all()
        flags = is_word[:size].astype(np.uint8) | (is_digit[:size].astype(np.uint8) << 1)
        flags |= ((norm == 39) | (norm == 45)).astype(np.uint8) << 2
        flags |= ((norm == 46) | (norm == 44)).astype(np.uint8) << 3
        tables.append(flags)
    return tables[0], tables[1][:256].copy()


@lru_cache(maxsize=1)
def _byte_classes() -> tuple[bytes, bytes]:
    """:func:`_code_classes` of one-byte codes as ``bytes.translate`` tables: for ASCII
    text, and for folded text (:func:`_folded_codes`: the table of text with a non-ASCII
    character)."""
    wide, ascii = _code_classes()
    return bytes(ascii), bytes(wide[:256])


def _counts_from_codes(text: str, codes, folded: bool = False) -> tuple[int, int]:
    """``(count_tokens(text), count_characters(text))`` of English text from its code array
    (:func:`_codes`, or :func:`_folded_codes` with its ``folded``): one table look-up,
    then the same arithmetic as :func:`_count_tokens_vectorized`."""
    import numpy as np

    if len(text) < 64:
        return count_tokens(text, language="en"), count_characters(text)
    wide, ascii = _code_classes()
    if codes.dtype == np.uint8:   # one byte per character: a byte translation
        raw = codes.tobytes()
        flags = np.frombuffer(raw.translate(_byte_classes()[folded]), dtype=np.uint8)
        underscores = raw.count(b"_")
    else:
        flags = wide.take(codes)
        underscores = text.count("_")
    word = (flags & 1).view(np.bool_)
    n_word = int(np.count_nonzero(word))
    runs = int(word[0]) + int(np.count_nonzero(word[1:] > word[:-1]))
    # a joiner: bit 4 (hyphen/apostrophe) between two word characters, or bit 8 ("." or ",")
    # between two digits; shifted down, the joiner bits meet the "both neighbours" bits
    joiners = int(np.count_nonzero((flags[1:-1] >> 2) & (flags[:-2] & flags[2:])))
    return runs - joiners, n_word - underscores
