"""The frame matcher: every phrase of a lexicon found in one pass over each document.

How a document is read
----------------------
1. The text is normalised (:func:`sco_discourse.text.normalize`: curly quotes, dashes,
   exotic spaces; length-preserving) and lower-cased.
2. Hyphens and white space (line breaks included) become spaces and every run of them
   one space, giving the *match text*. A small table of break points maps every offset
   of the match text back to the original text, so evidence keeps exact offsets.
3. One Aho–Corasick automaton holding every phrase of every frame
   (with the plural forms of ``inflections``), every exclusion, and the leads and trails
   of coordinated lists scans the match text once. A hit counts only as a whole word (no
   letter, digit or ``_`` on either side). The items of a list with a lead or a trail
   ("development", "security": frequent words) are looked for only in a document where
   a lead is directly followed, or a trail directly preceded, by one of them.
4. Coordinated lists (``enumerations``) are assembled from the item hits: consecutive
   items separated only by commas, "and", "or", "&", "as well as" and quotes.
5. Overlaps are resolved leftmost-longest: a longer match wins over a shorter one at the
   same place, and one span of text is one mention of one frame. Exclusions take part in
   this competition but produce no mention.
6. Scope variants are read from the words directly before/after a mention
   (``variant_rules``).
7. The context rules of the lexicon decide which mentions count: ``since`` (the
   document's year), ``unless`` (a cue phrase near the mention vetoes it) and
   ``requires`` (a cue phrase near it, or ``in_list``: a list with a mention of another
   variant of the same frame). Cue phrases are looked up only where a rule asks. A
   mention that does not count is set aside with the rule that removed it
   (:meth:`Matcher.suppressed`), and resolution runs again without it, so it does not
   hide a shorter phrase it overlapped.

The context rules look at the words, sentence or paragraph around a conditional mention
only (sentences are split only in documents where a cue phrase occurs), so the cost of a
document is one automaton scan plus a small constant per hit. For speed the match text
is built from one array of code points by table look-ups (which also give the token and
character counts of :meth:`Matcher.count`), and an automaton over bytes scans a copy of
it with one byte per character, where every non-word character is a space
(:func:`_prepare`); ``Matcher._find_text(..., reference=True)`` takes the plain path
(steps 1-3 as written above), and the tests check that both give the same mentions.

Chinese documents are read by :class:`~sco_discourse.frames.matcher_zh.ChineseMatcher`
(phrases on word boundaries of the segmented text), with the packaged Chinese lexicon
unless a lexicon is given (:func:`sco_discourse.lexicons.defaults.default_lexicon`).

References
----------
Aho, A. V. & Corasick, M. J. (1975). Efficient string matching: an aid to bibliographic
search. *Communications of the ACM* 18(6), 333–340.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .._kernels import english_passes
from ..lexicons.schema import Lexicon, canonical_phrase, inflected_forms, load_lexicon
from ..provenance import corpus_attrs
from ..text import _lower, normalize
from .rules import ListResolver, _ContextRules, _Doc, _is_word, to_original

__all__ = ["Matcher", "Mention", "find_mentions", "match_text", "compile_phrase", "map_documents", "MENTION_COLUMNS",
           "key_name"]

# Separators that may stand between the items of a coordinated list (on match text:
# lower case, hyphens and white space already single spaces).
_Q = r"[ \"'()*]*"   # "*": Markdown emphasis in converted documents ("**development, security**")
_LIST_GAP_RE = re.compile(rf"{_Q}(?:[,;]{_Q})?(?:(?:and|or|&|as well as|and/or){_Q})?\Z")
# Between two list members of an ``in_list`` check: separators and an article, directly
# ("health, security"), or, in a list with commas, with up to three other items of one to
# four words between them ("equality, openness, justice and mutual benefit"; without a
# comma "the donor and development community" would make "donor" an item). Items hold
# only word characters, so a list never crosses a sentence end.
_PILLAR_GAP_RE = re.compile(
    rf"(?:{_Q}(?:[,;]{_Q})?(?:(?:and|or|&|as well as|and/or){_Q})?(?:(?:a|an|the){_Q})?"
    rf"|(?=[^,;]*[,;]){_Q}(?:[,;]{_Q}(?:(?:and|or|&|as well as|and/or){_Q})?|(?:and|or|&|as well as|and/or){_Q})"
    rf"(?:(?:a|an|the){_Q})?"
    rf"(?:(?:[\w'’]+ ){{0,3}}[\w'’]+{_Q}(?:[,;]{_Q}(?:(?:and|or|&|as well as|and/or){_Q})?"
    rf"|(?:and|or|&|as well as|and/or){_Q})(?:(?:a|an|the){_Q})?){{1,3}})\Z")
_SPACE_QUOTES_RE = re.compile(r"[ \"'*]*\Z")
_RUNS_RE = re.compile(r"  +")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention: character offsets in the original text, frame and variant ids."""

    start: int
    end: int
    frame: str
    variant: str


# --------------------------------------------------------------------------- match text
def match_text(text: str) -> tuple[str, list[int], list[int]]:
    """The text the automaton scans, and the table mapping its offsets back.

    Returns ``(compact, break_at, shift)``: a character at offset ``c`` of ``compact``
    comes from offset ``c + shift[k]`` of ``text``, where ``k`` is the last index with
    ``break_at[k] <= c``.

    Examples
    --------
    >>> compact, breaks, shifts = match_text("Win–win\\n\\n  Cooperation")
    >>> compact
    'win win cooperation'
    >>> to_original(compact.index("cooperation"), breaks, shifts)
    11
    """
    norm = _lower(normalize(text))  # length-preserving: "İ".lower() has two characters
    if "-" in norm:
        norm = norm.replace("-", " ")
    if "\n" in norm:
        norm = norm.replace("\n", " ")
    if "\r" in norm or "\f" in norm or "\v" in norm:
        norm = norm.replace("\r", " ").replace("\f", " ").replace("\v", " ")
    if "  " not in norm:
        return norm, [0], [0]
    pieces: list[str] = []
    break_at = [0]
    shift = [0]
    last = 0
    removed = 0
    for m in _RUNS_RE.finditer(norm):
        s, e = m.span()
        pieces.append(norm[last:s + 1])
        removed += e - s - 1
        break_at.append(s + 1 - (removed - (e - s - 1)))
        shift.append(removed)
        last = e
    pieces.append(norm[last:])
    return "".join(pieces), break_at, shift




# --------------------------------------------------------------------------- the fast path
# The match text is built from one array of code points (sco_discourse.text._codes) by
# table look-ups instead of several string passes: the match text itself and the *scan
# bytes*, one byte per character of the match text: an ASCII word character as itself,
# any other word character as 0x7F, every non-word character a space. The automaton
# (Rust's aho-corasick through ``ahocorasick_rs``, a DFA over bytes) scans them for the
# scan forms of its keys; byte offsets are character offsets of the match text, and a
# hit counts where a space (or the text's edge) stands on both sides.
_NON_WORD_RE = re.compile(r"\W")   # \w is isalnum() or "_": _is_word
_OTHER_WORD = 0x7F                 # the scan byte of a word character outside ASCII


@lru_cache(maxsize=1)
def _match_tables():
    """Per code point of the BMP: its match-text character (normalised, lower-cased, a
    hyphen or line break a space) and its scan byte (:data:`_OTHER_WORD` for a word
    character outside ASCII, a space for a non-word character); then, as 256-byte
    ``bytes.translate`` tables, the match character of ASCII text and of folded text
    (:func:`sco_discourse.text._folded_codes`), and the scan byte of a match character."""
    import numpy as np

    from ..text import _NORMALIZE_MAP

    size = 0x10000
    is_word = np.array([_is_word(chr(c)) for c in range(size)], dtype=bool)
    tables = []
    # normalize() maps every character of _NORMALIZE_MAP in text with a non-ASCII
    # character, only tabs in ASCII text (where a backquote stays a backquote)
    for mapping in (_NORMALIZE_MAP, {"\t": " "}):
        to_match = np.empty(size, dtype=np.uint16)
        for c in range(size):
            low = mapping.get(chr(c), chr(c)).lower()[:1]   # _lower: the first character
            to_match[c] = 32 if low in "-\n\r\f\v" else ord(low)
        scan_of_match = np.where(is_word, np.minimum(np.arange(size), _OTHER_WORD), 32).astype(np.uint8)
        tables.append((to_match, scan_of_match[to_match]))
    (to_match, to_scan), (ascii_match, _) = tables
    # a Latin-1 character lower-cases (and normalises) to a Latin-1 character
    assert (to_match[:256] < 256).all() and (ascii_match[:256] < 256).all()
    return (to_match, to_scan, bytes(ascii_match[:256].astype(np.uint8)), bytes(to_match[:256].astype(np.uint8)),
            bytes(scan_of_match[:256]))


def _scan_bytes(compact: str) -> bytes:
    """The scan bytes of a match text, with one space in front (the string path)."""
    scan = _NON_WORD_RE.sub(" ", compact)
    if not scan.isascii():
        scan = "".join(ch if ch < "\x80" else "\x7f" for ch in scan)
    return b" " + scan.encode("ascii")


def _prepare(text: str, codes=None, folded: bool = False) -> tuple[str, bytes, list[int], list[int]]:
    """``match_text(text)`` and the scan bytes of its match text (with one space in front).

    ``codes`` is :func:`sco_discourse.text._codes` of ``text``, or
    :func:`sco_discourse.text._folded_codes` with its ``folded``, when the caller has it."""
    import numpy as np

    from ..text import _folded_codes

    if codes is None:
        compiled = english_passes(text, counts=False)   # the same, in one compiled loop
        if compiled is not None:
            return compiled[0]
        codes, folded = _folded_codes(text)
    # "Σ" lower-cases by its context (final "ς"), which a table cannot do: the string path
    if codes is None or (codes.dtype != np.uint8 and "\u03a3" in text):
        compact, break_at, shift = match_text(text)
        return compact, _scan_bytes(compact), break_at, shift
    to_match, to_scan, ascii_table, folded_table, scan_table = _match_tables()
    if codes.dtype == np.uint8:   # one byte per character (ASCII or Latin-1): byte translations
        out = _collapse_bytes(codes.tobytes().translate(folded_table if folded else ascii_table), scan_table)
        if folded and text[0] == "\ufeff":   # the match text keeps the byte-order mark
            out = ("\ufeff" + out[0][1:], *out[1:])
        return out
    matched = to_match.take(codes)
    return _collapse_runs(matched.tobytes().decode("utf-16-le"), to_scan.take(codes).tobytes(), matched == 32)


def _kept(space) -> tuple[list[tuple[int, int]], list[int], list[int]] | None:
    """Where a run of spaces keeps only its first: the ``(start, end)`` slices of the text
    to keep and the offset map (:func:`match_text`), or None when no space follows a
    space. ``space``: a boolean array, True where the text has a space."""
    import numpy as np

    doubled = np.flatnonzero(space[1:] & space[:-1]).tolist()   # a space followed by a space
    if not doubled:
        return None
    slices = []
    break_at = [0]
    shift = [0]
    last = removed = 0
    doubled.append(-2)
    at = doubled[0]
    for i, here in enumerate(doubled[:-1]):
        if doubled[i + 1] == here + 1:
            continue   # the run goes on
        end = here + 2    # the run is text[at:end]
        slices.append((last, at + 1))
        break_at.append(at + 1 - removed)
        removed += end - at - 1
        shift.append(removed)
        last = end
        at = doubled[i + 1]
    slices.append((last, None))
    return slices, break_at, shift


def _collapse_runs(matched: str, scanned: bytes, space) -> tuple[str, bytes, list[int], list[int]]:
    """Keep the first space of every run of spaces of ``matched`` (and drop the same
    positions of ``scanned``): the match text, its scan bytes with a space in front, and
    the offset map (:func:`match_text`). ``space``: a boolean array, True where
    ``matched`` has a space."""
    kept = _kept(space)
    if kept is None:
        return matched, b" " + scanned, [0], [0]
    slices, break_at, shift = kept
    return ("".join([matched[a:b] for a, b in slices]), b" " + b"".join([scanned[a:b] for a, b in slices]),
            break_at, shift)


def _collapse_bytes(matched: bytes, scan_table: bytes) -> tuple[str, bytes, list[int], list[int]]:
    """:func:`_collapse_runs` of a match text of one byte per character (Latin-1): the
    bytes are collapsed once, and the scan bytes translated from them."""
    import numpy as np

    kept = _kept(np.frombuffer(matched, dtype=np.uint8) == 32)
    if kept is None:
        return matched.decode("latin-1"), b" " + matched.translate(scan_table), [0], [0]
    slices, break_at, shift = kept
    collapsed = b"".join([matched[a:b] for a, b in slices])
    return collapsed.decode("latin-1"), b" " + collapsed.translate(scan_table), break_at, shift


# --------------------------------------------------------------------------- rule phrases
def compile_phrase(phrase: str, gazetteer: dict[str, tuple[str, ...]]) -> str:
    """Regular expression (on match text) for a rule phrase with ``{list}`` and ``[word]``.

    Examples
    --------
    >>> rx = compile_phrase("for [the] {place} and {place}", {"place": ("china", "central asia")})
    >>> bool(re.fullmatch(rx, "for the central asia and china"))
    True
    """
    parts: list[tuple[str, bool]] = []  # (regex, optional)
    for token in re.findall(r"\{[^}]*\}|\[[^\]]*\]|[^\s\-{}\[\]]+", normalize(phrase).lower()):
        if token.startswith("{"):
            names = sorted(gazetteer[token[1:-1]], key=len, reverse=True)
            parts.append(("(?:" + "|".join(re.escape(n) for n in names) + ")", False))
        elif token.startswith("["):
            parts.append((re.escape(canonical_phrase(token[1:-1])), True))
        else:
            parts.append((re.escape(token), False))
    out = ""
    for i, (rx, optional) in enumerate(parts):
        sep = " " if i < len(parts) - 1 else ""
        out += f"(?:{rx}{sep})?" if optional else f"{rx}{sep}"
    return out


def _scan_form(key: str) -> bytes:
    """The scan bytes of a match-text key."""
    return _scan_bytes(key)[1:]


class _ScanAutomaton:
    """An automaton over scan bytes (:func:`_prepare`) for match-text keys: each key is
    added as its scan form (:func:`_scan_form`); a form's value lists ``(key, length,
    exact, payload)`` of every key with that form (``exact``: the key is one word of
    ASCII letters and digits, so a hit of the form is a hit of the key).

    ``ahocorasick_rs`` (Rust's ``aho-corasick``, a DFA) finds every overlapping hit in
    one call per document."""

    def __init__(self, entries: dict[str, list]):
        forms: dict[bytes, list] = {}
        for key, payload in entries.items():
            exact = key.isascii() and all(_is_word(ch) for ch in key)
            forms.setdefault(_scan_form(key), []).append((key, len(key), exact, tuple(payload)))
        self._forms = list(forms)
        self._values = [tuple(forms[f]) for f in self._forms]
        self._automaton = None
        if self._forms:
            import ahocorasick_rs

            self._automaton = ahocorasick_rs.BytesAhoCorasick(self._forms,
                                                              implementation=ahocorasick_rs.Implementation.DFA)

    def hits(self, compact: str, scan: bytes) -> list[tuple[int, int, tuple]]:
        """``(start, end, payload)`` of every whole-word hit of a key in the match text,
        by end (the longest first at one end, as the reference automaton reports them)."""
        if self._automaton is None:
            return []
        n = len(compact)
        values = self._values
        out = []
        # scan[i + 1] is the scan byte of compact[i]: a form ending at e (exclusive) in the
        # scan bytes ends at e - 1 in the match text
        for index, _, e in self._automaton.find_matches_as_indexes(scan, overlapping=True):
            end = e - 1
            if end < n and scan[e] != 32:
                continue
            for key, length, exact, payload in values[index]:
                start = end - length
                if exact or compact.startswith(key, start):
                    if start == 0 or scan[start] == 32:
                        out.append((start, end, payload))
        if len(out) > 1:
            out.sort(key=lambda h: (h[1], h[0]))
        return out


# --------------------------------------------------------------------------- the matcher
class Matcher(ListResolver):
    """A compiled lexicon, built once and applied to texts and corpora (spaCy's build-once
    ``PhraseMatcher``): every frame function takes it instead of compiling the lexicon again.

    Parameters
    ----------
    lexicon : Lexicon, path or None
        None (or the packaged codebook lexicon): the packaged lexicon of each document's
        language (English, or Chinese for Chinese text); another lexicon is used for
        every language.

    Attributes
    ----------
    lexicon : Lexicon
    keys : list of (frame, variant)
        Every row of a counts table, ``variant`` "" for the frame total (``lexicon.keys()``).
    all_keys : list of (frame, variant)
        ``keys`` and, with the packaged lexicons, the Chinese lexicon's other variants
        (``shared_future/human``) next to the variants they stand beside; ``key_index``
        numbers them.

    Notes
    -----
    ``matcher(text)`` gives the mentions of one text; :meth:`find` the mention table of a
    corpus; :meth:`count` the frame-by-document matrix (:class:`FrameMatrix`) that frame
    statistics (:func:`frame_counts`, :func:`frame_trend`) take.

    Examples
    --------
    >>> m = Matcher()
    >>> [(x.frame, x.variant) for x in m("A community with a shared future for mankind.")]
    [('shared_future', 'mankind')]
    >>> m("Win-win cooperation.")[0]
    Mention(start=0, end=19, frame='win_win', variant='cooperation')
    >>> [(x.frame, x.variant) for x in m("推动构建人类命运共同体")]
    [('shared_future', 'human')]
    """

    _LIST_GAP_RE = _LIST_GAP_RE
    _MEMBER_GAP_RE = _PILLAR_GAP_RE
    _JOIN_RE = _SPACE_QUOTES_RE

    def __init__(self, lexicon: Lexicon | str | None = None):
        self.lexicon = load_lexicon(lexicon)
        lex = self.lexicon
        self.keys = lex.keys()
        # no lexicon, or the packaged one: the packaged lexicon of each document's language
        self._per_language = lexicon is None or lex.digest == load_lexicon().digest
        self._chinese = None
        self.all_keys = self.keys
        if self._per_language:
            from ..lexicons.defaults import default_lexicon

            self.all_keys = merge_keys(self.keys, default_lexicon("zh").keys())
        self.key_index = {k: i for i, k in enumerate(self.all_keys)}
        entries: dict[str, list[tuple]] = {}

        def add(canon: str, entry: tuple, *, inflect: bool = True) -> None:
            forms = inflected_forms(canon, lex.inflections) if inflect else [canon]
            for form in forms:
                entries.setdefault(form, []).append(entry)

        self._frames = list(lex.frames.values())
        self._rules: dict[str, list[tuple[str, Any, Any]]] = {}
        self._enums: list[tuple[str, Any]] = []
        self._context = _ContextRules(lex)
        for frame in self._frames:
            for p in frame.patterns:
                add(p.canonical, ("p", frame.id, p.variant, self._context.pattern_rule(frame, p)))
            for p in frame.excludes:
                add(p.canonical, ("x",))
            if frame.rules:
                compiled = []
                for rule in frame.rules:
                    after = before = None
                    if rule.after:
                        after = re.compile(r"[ \"']*(?:" + "|".join(
                            compile_phrase(p, lex.gazetteer) for p in rule.after) + r")(?!\w)")
                    if rule.before:
                        before = re.compile(r"(?<!\w)(?:" + "|".join(
                            compile_phrase(p, lex.gazetteer) for p in rule.before) + r")[ \"']*\Z")
                    compiled.append((rule.variant, before, after))
                self._rules[frame.id] = compiled
            self._add_enumerations(frame, add)
        self._default_variant = {f.id: (f.default_variant or "") for f in self._frames}
        self._entries = {form: tuple(payload) for form, payload in entries.items()}
        # The items of a list with a lead or a trail are frequent words ("development",
        # "security", "human"); a list needs an item directly after a lead (before a trail),
        # which is rare. They are looked for only in a document where the lead/trail hits
        # allow it (``_gates``): the main automaton holds every other key.
        self._gated = {e for e, (_, spec) in enumerate(self._enums) if spec.lead or spec.trail}
        main: dict[str, list] = {}
        items: dict[int, dict[str, list]] = {e: {} for e in self._gated}
        for form, payload in self._entries.items():
            for entry in payload:
                if entry[0] == "i" and entry[1] in self._gated:
                    items[entry[1]].setdefault(form, []).append(entry)
                else:
                    main.setdefault(form, []).append(entry)
        self._automaton = _ScanAutomaton(main)
        self._item_automata = {e: _ScanAutomaton(forms) for e, forms in items.items()}
        self._gates = {}
        for e in self._gated:
            spec = self._enums[e][1]
            alternatives = "|".join(re.escape(f) for f in sorted(items[e], key=len, reverse=True)) or "(?!)"
            longest = max(map(len, items[e]), default=0)
            self._gates[e] = (re.compile(rf"[ \"'*]{{0,3}}(?:{alternatives})") if spec.lead else None,
                              re.compile(rf"(?:{alternatives})[ \"'*]{{0,3}}\Z") if spec.trail else None,
                              longest + 3)
        self._reference_automaton = None

    def __getstate__(self):  # the automaton is rebuilt in worker processes
        return {"lexicon": self.lexicon, "per_language": self._per_language}

    def __setstate__(self, state):
        self.__init__(None if state.get("per_language") else state["lexicon"])

    @property
    def chinese(self):
        """The :class:`~sco_discourse.frames.matcher_zh.ChineseMatcher` for Chinese text
        (built on first use: it loads jieba's dictionary)."""
        if self._chinese is None:
            from ..lexicons.defaults import default_lexicon
            from .matcher_zh import ChineseMatcher

            self._chinese = ChineseMatcher(default_lexicon("zh") if self._per_language else self.lexicon)
        return self._chinese

    def lexicon_for(self, language: str | None) -> Lexicon:
        """The lexicon documents in ``language`` are matched with."""
        return self.chinese.lexicon if language == "zh" else self.lexicon

    def keys_for(self, languages) -> list[tuple[str, str]]:
        """The rows of a counts table over documents in ``languages``: :attr:`keys`, with
        the Chinese lexicon's other variants when Chinese documents were read with it."""
        if self._per_language and "zh" in set(languages):
            return list(self.all_keys)
        return list(self.keys)

    def __repr__(self) -> str:
        return f"<Matcher {self.lexicon.label}: {len(self.lexicon.frames)} frames, {len(self.keys)} frame/variant keys>"

    # -- one document ------------------------------------------------------------------
    def __call__(self, text: str, *, language: str | None = None, year: int | None = None) -> list[Mention]:
        """Every mention in ``text``, in text order (offsets into ``text``); ``language``
        "zh" reads it as Chinese, None decides from the text
        (:func:`sco_discourse.language.detect_language`); ``year`` is the document's year,
        which the lexicon's ``since`` rules compare with."""
        return [Mention(*m) for m in self._spans(text, language, year)]

    # -- a corpus ------------------------------------------------------------------------
    def find(self, corpus, *, columns=None, n_jobs: int = 1, progress: bool = False, engine: str = "local",
             scheduler=None, dedupe=None):
        """Every mention of every frame in a corpus, one row per mention, with its evidence.

        Parameters
        ----------
        corpus : Corpus or iterable of Document
        columns : list of str, True or None
            Metadata columns of the documents table to include after ``doc_id``
            (e.g. ``["iso3", "year"]``; a :class:`~sco_discourse.groups.Group` gives a
            custom group column); ``True``: every metadata column; None: none.
        n_jobs : int, default 1
            Worker processes (-1: all cores). The output does not depend on it.
        progress : bool, default False
            Show a progress bar.
        engine : {"local", "dask"}, default "local"
            "dask": a corpus stored as shards (or a Dask bag or DataFrame) read shard by
            shard on a Dask cluster (:mod:`sco_discourse.dask_engine`); same table.
        scheduler : str, distributed.Client or None
            With ``engine="dask"``: the scheduler's address; None starts a local cluster of
            ``n_jobs`` workers for the call (or uses the current client).
        dedupe : None, "first", "weight" or dict, optional
            Count each cluster of exact or near-duplicate documents once
            (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`): "first" keeps the
            earliest copy of each, "weight" keeps all with weight 1/cluster size
            (``columns=["dedupe_weight"]`` adds it to every mention); a dict also sets the
            threshold (``{"keep": "weight", "threshold": 0.9}``). ``attrs["deduplicated"]``
            records what was left out or weighted.

        Returns
        -------
        pandas.DataFrame
            ``doc_id``, the ``columns`` asked for, then ``frame, variant, start, end,
            text, sentence, paragraph``: ``start``/``end`` are character offsets into
            ``Document.text`` (``text == doc.text[start:end]``), ``variant`` is "" for
            frames without variants, ``sentence`` and ``paragraph`` are the numbers (from
            0) of the sentence (:func:`sco_discourse.text.sentence_spans`) and paragraph
            (:func:`sco_discourse.text.paragraph_spans`) the mention starts in. Rows are in
            corpus order, then text order. ``attrs`` records the lexicon.

        Raises
        ------
        InputError
            A column asked for is a field of no document.

        Examples
        --------
        >>> import datetime
        >>> from sco_discourse import Corpus, Document
        >>> corpus = Corpus.from_documents([Document("d1", "Win-win cooperation.\\nThe SCO upholds the "
        ...     "Shanghai Spirit.", date=datetime.date(2021, 6, 15), meta={"iso3": "CHN"})])
        >>> Matcher().find(corpus, columns=["iso3", "year"])[["doc_id", "iso3", "year", "frame", "paragraph"]]
          doc_id iso3  year            frame  paragraph
        0     d1  CHN  2021          win_win          0
        1     d1  CHN  2021  shanghai_spirit          1
        """
        import pandas as pd

        from ..corpus.duplicates import apply_dedupe

        corpus = apply_dedupe(corpus, dedupe, where="Matcher.find")
        if engine != "local":
            from ..dask_engine import check_engine, find_mentions

            check_engine(engine)
            return find_mentions(self, corpus, columns=columns, scheduler=scheduler, n_jobs=n_jobs)
        meta = MetaColumns(columns, where=getattr(corpus, "name", "corpus"))
        pending: deque = deque()

        def items():
            from ..language import document_language

            for doc in corpus:
                pending.append(meta.record(doc))
                yield doc.doc_id, doc.text, document_language(doc), doc.year

        rows: list[tuple] = []
        row_records: list[dict] = []
        for found in map_documents(_mentions_item, items(), self, n_jobs=n_jobs, progress=progress,
                                   total=getattr(corpus, "_length", None), desc="mentions"):
            record = pending.popleft()
            rows.extend(found)
            row_records.extend([record] * len(found))
        frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
        frame = frame.astype({"start": "int64", "end": "int64", "sentence": "int64", "paragraph": "int64"})
        frame = meta.insert(frame, row_records)
        frame.attrs.update(lexicon_attrs(self.lexicon))
        frame.attrs.update(language_lexicon_attrs(self, ["zh"] if self._chinese is not None else []))
        frame.attrs.update(corpus_attrs(corpus))
        return frame

    def count(self, corpus, *, by=None, n_jobs: int = 1, progress: bool = False, engine: str = "local",
              scheduler=None, dedupe=None):
        """Count every frame and variant: the frame-by-document matrix.

        Parameters
        ----------
        corpus : Corpus or iterable of Document
        by : str, list, mapping or Group, optional
            Sum documents into groups while reading (as everywhere in the package,
            :mod:`sco_discourse.groups`): memory then grows with groups, not documents.
            The result equals ``matcher.count(corpus).group(by)``. Statistics that
            resample documents (the bootstrap of :func:`frame_counts`, the trend of
            :func:`frame_trend`) need the per-document matrix (``by=None``).
        n_jobs : int, default 1
            Worker processes (-1: all cores); results do not depend on it.
        progress : bool, default False
        engine : {"local", "dask"}, default "local"
            "dask": a corpus stored as shards (or a Dask bag or DataFrame) counted shard by
            shard on a Dask cluster (:mod:`sco_discourse.dask_engine`); same matrix.
        scheduler : str, distributed.Client or None
            With ``engine="dask"``: the scheduler's address; None starts a local cluster of
            ``n_jobs`` workers for the call (or uses the current client).
        dedupe : None, "first", "weight" or dict, optional
            Count each cluster of exact or near-duplicate documents once
            (:func:`~sco_discourse.corpus.duplicates.apply_dedupe`): "first" keeps the
            earliest copy of each, "weight" keeps all with weight 1/cluster size (the
            matrix's :attr:`~FrameMatrix.weights`; groups and :func:`frame_counts` then
            count weighted sums); a dict also sets the threshold (``{"keep": "weight",
            "threshold": 0.9}``). ``attrs["deduplicated"]`` records what was left out or
            weighted.

        Returns
        -------
        FrameMatrix
            Rows: documents (or groups); columns: the frame/variant keys
            (:attr:`FrameMatrix.keys`). ``docs`` is the documents table with
            ``n_tokens`` (per group: the group columns, ``n_docs``, ``n_tokens``).

        Examples
        --------
        >>> from sco_discourse import load_corpus
        >>> fm = Matcher().count(load_corpus())
        >>> fm
        <FrameMatrix 'embedded seed corpus': 8 documents x 37 frame/variant keys; lexicon sco_codebook 2.0.0>
        >>> int(fm.matrix[:, fm.term_index("shared_future")].sum())
        23
        """
        from ..corpus.duplicates import apply_dedupe

        corpus = apply_dedupe(corpus, dedupe, where="Matcher.count")  # before the engine: both count one copy
        if engine != "local":
            from ..dask_engine import check_engine, count_frames as dask_count

            check_engine(engine)
            return dask_count(self, corpus, by=by, scheduler=scheduler, n_jobs=n_jobs)
        from .matrix import count_frames

        return count_frames(self, corpus, by=by, n_jobs=n_jobs, progress=progress)

    def _spans(self, text: str, language: str | None = None, year: int | None = None) -> list[tuple[int, int, str, str]]:
        """``(start, end, frame, variant)`` of every mention, in text order."""
        if language is None and not text.isascii():
            from ..language import detect_language

            language = detect_language(text)
        if language == "zh":
            return self.chinese.find(text, year=year)
        return self._find_text(text, year)[0]

    def suppressed(self, text: str, *, year: int | None = None,
                   language: str | None = None) -> list[tuple[int, int, str, str, str, str]]:
        """What the context rules set aside in ``text``: ``(start, end, frame, variant,
        rule, entry)`` in text order.

        ``rule`` is ``"since"`` (the document is dated before the frame's or variant's first
        year: not counted), ``"undated"`` (the frame has a ``since`` rule but the document
        has no year: **counted**, flagged), ``"unless"`` (a veto cue occurs: not counted),
        ``"requires"`` (no required cue, no list: not counted). ``entry`` names the rule in
        the lexicon file.

        Examples
        --------
        >>> m = Matcher()
        >>> m.suppressed("A new type of international relations.", year=1985)
        [(2, 37, 'new_international_relations', '', 'since', 'frames.new_international_relations.since')]
        >>> m("A new type of international relations.", year=1985)
        []
        """
        if language is None and not text.isascii():
            from ..language import detect_language

            language = detect_language(text)
        if language == "zh":
            return self.chinese.suppressed(text, year=year)
        return self._find_text(text, year)[1]

    def _find_text(self, text: str, year: int | None, *, prepared=None,
                   reference: bool = False) -> tuple[list[tuple], list[tuple]]:
        """Mentions and set-aside mentions of ``text``, offsets into ``text``.

        ``reference=True`` takes the simple path (the match text by string operations,
        one automaton of every key, every list assembled from every item): the fast path
        must give the same mentions, and the tests compare the two."""
        if reference:
            compact, break_at, shift = match_text(text)
            scan = None
        else:
            compact, scan, break_at, shift = prepared if prepared is not None else _prepare(text)
        doc = _Doc(text, break_at, shift, year)
        spans, suppressed = self._find_compact(compact, doc, scan=scan)
        if len(break_at) == 1 or not (spans or suppressed):
            return spans, suppressed
        return ([(doc.orig(s), doc.orig(e - 1) + 1, *rest) for s, e, *rest in spans],
                [(doc.orig(s), doc.orig(e - 1) + 1, *rest) for s, e, *rest in suppressed])

    def _hits_reference(self, compact: str) -> Iterator[tuple[int, int, tuple]]:
        """Every whole-word hit of every key: one automaton over the match text."""
        if self._reference_automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for form, payload in self._entries.items():
                automaton.add_word(form, (len(form), payload))
            automaton.make_automaton()
            self._reference_automaton = automaton
        n = len(compact)
        for end_idx, (length, payload) in self._reference_automaton.iter(compact):
            end = end_idx + 1
            start = end - length
            if (start > 0 and _is_word(compact[start - 1])) or (end < n and _is_word(compact[end])):
                continue
            yield start, end, payload

    def _find_compact(self, compact: str, doc: "_Doc | None" = None, *,
                      scan: bytes | None = None) -> tuple[list[tuple], list[tuple]]:
        """Mentions ``(start, end, frame, variant)`` and set-aside mentions ``(start, end,
        frame, variant, rule, entry)`` of the match text, in text order; ``scan``: its scan
        text (:func:`_prepare`), None for the reference path."""
        candidates: list[tuple[int, int, tuple]] = []   # (start, end, payload)
        enum_hits: dict[int, dict[str, list]] | None = None
        first: dict[int, tuple] = {}    # list -> where its first hit ends (the order lists are read in)
        hits_iter = self._hits_reference(compact) if scan is None else self._automaton.hits(compact, scan)
        for start, end, payload in hits_iter:
            for entry in payload:
                kind = entry[0]
                if kind == "p" or kind == "x":
                    candidates.append((start, end, entry))
                else:
                    if enum_hits is None:
                        enum_hits = {}
                    hits = enum_hits.get(entry[1])
                    if hits is None:
                        hits = enum_hits[entry[1]] = {"i": [], "l": [], "t": []}
                        first[entry[1]] = (end, start, entry[1])
                    hits[kind].append((start, end, entry[2] if kind == "i" else None))
        if enum_hits and scan is not None:
            for e in self._gated & enum_hits.keys():
                hits = enum_hits[e]
                if not self._gate_open(compact, e, hits):
                    continue
                for start, end, payload in self._item_automata[e].hits(compact, scan):
                    for entry in payload:
                        hits["i"].append((start, end, entry[2]))
                        if (end, start, e) < first[e]:
                            first[e] = (end, start, e)
            # the order the reference path meets the lists in: by the end of each list's
            # first hit (the automaton reports hits by end, the longest first)
            enum_hits = {e: enum_hits[e] for e in sorted(enum_hits, key=first.__getitem__)}
        if enum_hits:
            for e, hits in enum_hits.items():
                if hits["i"]:
                    candidates.extend(self._enumerations(compact, e, hits))
        if not candidates:
            return [], []
        candidates.sort(key=lambda c: (c[0], -c[1]))
        if doc is None:
            doc = _Doc(compact, [0], [0], None)
        return self._settle(compact, candidates, doc)

    def _gate_open(self, compact: str, e: int, hits: dict[str, list]) -> bool:
        """Whether list ``e`` can have a member here: a list starts with an item directly
        after a lead (:meth:`_lead_before`) and ends with one directly before a trail
        (:meth:`_trail_after`), so without such a pair its items need not be looked for."""
        lead, trail, width = self._gates[e]
        if lead is not None and not any(lead.match(compact, end) for _, end, _ in hits["l"]):
            return False
        if trail is not None and not any(trail.search(compact, max(0, start - width), start)
                                         for start, _, _ in hits["t"]):
            return False
        return True


# --------------------------------------------------------------------------- many documents
_WORKER: dict[str, Any] = {}


def _worker_init(func, state) -> None:
    import signal

    # Ctrl-C is the parent's to handle (it stops the pool and exits with one line);
    # workers ignoring it do not each print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["func"] = func
    _WORKER["state"] = state


def _worker_run(batch):
    func = _WORKER["func"]
    state = _WORKER["state"]
    return [func(state, item) for item in batch]


def map_documents(func: Callable[[Any, Any], Any], items: Iterable[Any], state: Any, *, n_jobs: int = 1,
                  batch_size: int = 64, progress: bool = False, total: int | None = None,
                  desc: str = "documents") -> Iterator[Any]:
    """``func(state, item)`` for each item, in input order, optionally in parallel.

    Streams: at most ``2 * n_jobs`` batches are in flight, so memory does not grow with
    the corpus. ``state`` (e.g. a :class:`Matcher`) is sent once to each worker process.
    ``n_jobs=-1`` uses every core.
    """
    import os

    from tqdm.auto import tqdm

    if n_jobs is None or n_jobs == 0:
        n_jobs = 1
    if n_jobs < 0:
        n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    bar = tqdm(total=total, desc=desc, unit="doc", disable=not progress, leave=False)
    try:
        if n_jobs == 1:
            for item in items:
                yield func(state, item)
                bar.update(1)
            return
        from concurrent.futures import ProcessPoolExecutor

        def batches():
            batch = []
            for item in items:
                batch.append(item)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
            if batch:
                yield batch

        with ProcessPoolExecutor(max_workers=n_jobs, initializer=_worker_init, initargs=(func, state)) as pool:
            pending: deque = deque()
            for batch in batches():
                pending.append(pool.submit(_worker_run, batch))
                if len(pending) >= 2 * n_jobs:
                    results = pending.popleft().result()
                    yield from results
                    bar.update(len(results))
            while pending:
                results = pending.popleft().result()
                yield from results
                bar.update(len(results))
    finally:
        bar.close()


# --------------------------------------------------------------------------- the finder
MENTION_COLUMNS = ["doc_id", "frame", "variant", "start", "end", "text", "sentence", "paragraph"]


def key_name(frame: str, variant: str) -> str:
    """The column name of a frame/variant key: ``"shared_future"`` for the frame total,
    ``"shared_future/mankind"`` for a variant."""
    return f"{frame}/{variant}" if variant else frame


def _mentions_item(matcher: Matcher, item: tuple[str, str, str | None, Any]) -> list[tuple]:
    from ..text import paragraph_spans, sentence_spans

    doc_id, text, language, year = item
    found = matcher._spans(text, language, year)
    if not found:
        return []
    # sentences are split only as far as the last mention's paragraph
    sentence_starts = [s for s, _ in sentence_spans(text, language=language, until=max(m[0] for m in found))]
    paragraph_starts = [s for s, _ in paragraph_spans(text)]
    rows = []
    for start, end, frame, variant in found:
        sentence = max(0, bisect.bisect_right(sentence_starts, start) - 1)
        paragraph = max(0, bisect.bisect_right(paragraph_starts, start) - 1)
        rows.append((doc_id, frame, variant, start, end, text[start:end], sentence, paragraph))
    return rows


class MetaColumns:
    """The metadata columns a mention or KWIC table was asked to carry.

    ``columns`` is None (none), ``True`` (every metadata field of the documents table),
    or a list of field names and :class:`~sco_discourse.groups.Group` objects (a custom
    group column). :meth:`record` reads one document while streaming; :meth:`insert`
    puts the columns after ``doc_id`` and checks that every field asked for exists.
    """

    def __init__(self, columns, *, where: str = "corpus"):
        from ..groups import Group

        self.where = where
        self.all = columns is True
        self.parts: list[tuple[str, str, Any]] = []  # (output name, source field, recode)
        if columns is None or columns is False or columns is True:
            items = []
        elif isinstance(columns, (str, Group)):
            items = [columns]
        else:
            items = list(columns)
        for item in items:
            if isinstance(item, Group):
                self.parts.append((item.name, item.column, item.value))
            elif isinstance(item, str):
                if item != "doc_id":
                    self.parts.append((item, item, None))
            else:
                from ..errors import InputError

                raise InputError(f"columns: expected metadata column names (or True for all), got {item!r}")
        self.seen: dict[str, None] = {}
        self.active = self.all or bool(self.parts)

    def record(self, doc) -> dict | None:
        """The values of one document (``None`` when no column was asked for)."""
        if not self.active:
            return None
        from ..groups import doc_record

        record = doc_record(doc)
        for key in record:
            if key not in self.seen:
                self.seen[key] = None
        for name, source, recode in self.parts:
            if recode is not None:
                record[name] = recode(record.get(source))
        return record

    @property
    def names(self) -> list[str]:
        if self.all:
            return [c for c in self.seen if c != "doc_id"]
        return [p[0] for p in self.parts]

    def insert(self, table, records: list):
        """``table`` with the metadata columns after ``doc_id`` (``records``: one per row)."""
        if not self.active:
            return table
        from ..errors import InputError
        from ..groups import documents_table

        unknown = [source for _, source, _ in self.parts if source not in self.seen]
        if unknown:
            raise InputError(f"{self.where}: no metadata column {unknown[0]!r} for the table's columns; "
                             f"fields: {', '.join(self.seen) or '(no documents)'}")
        names = self.names
        clash = [n for n in names if n in table.columns]
        if clash:
            raise InputError(f"{self.where}: metadata column {clash[0]!r} has the name of a column of the table "
                             f"({', '.join(table.columns)}); ask for the other columns by name")
        values = documents_table(records).reindex(columns=names)
        values.index = table.index
        return table.iloc[:, :1].join(values).join(table.iloc[:, 1:])


def find_mentions(corpus, *, lexicon: Lexicon | str | None = None, columns=None, n_jobs: int = 1,
                  progress: bool = False, dedupe=None):
    """``Matcher(lexicon).find(corpus, ...)``: the mention table with a lexicon compiled for this call.

    See :meth:`Matcher.find` for the columns. Hold a :class:`Matcher` instead when you
    need mentions, counts or KWIC lines from the same lexicon more than once.

    Examples
    --------
    >>> from sco_discourse import Corpus, Document
    >>> corpus = Corpus.from_documents([Document("d1", "Win-win cooperation. The SCO upholds the Shanghai Spirit.")])
    >>> find_mentions(corpus)[["doc_id", "frame", "text", "sentence"]]
      doc_id            frame                 text  sentence
    0     d1          win_win  Win-win cooperation         0
    1     d1  shanghai_spirit      Shanghai Spirit         1
    """
    return Matcher(lexicon).find(corpus, columns=columns, n_jobs=n_jobs, progress=progress, dedupe=dedupe)


def lexicon_attrs(lexicon: Lexicon) -> dict:
    """What a result records about the lexicon that produced it."""
    return {"lexicon": lexicon.label, "lexicon_name": lexicon.name, "lexicon_version": lexicon.version,
            "lexicon_sha256": lexicon.digest}


def language_lexicon_attrs(matcher: Matcher, languages) -> dict:
    """:func:`lexicon_attrs` of the lexicon Chinese documents were read with
    (``lexicon_zh``, ``lexicon_zh_sha256``), when it is another one."""
    if "zh" not in set(languages):
        return {}
    chinese = matcher.lexicon_for("zh")
    if chinese is matcher.lexicon:
        return {}
    return {"lexicon_zh": chinese.label, "lexicon_zh_sha256": chinese.digest}


def merge_keys(keys: list[tuple[str, str]], other: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``keys`` with the keys of ``other`` it lacks: a variant before the next variant of
    its frame that both have (else after its frame's last key), a new frame at the end.

    Examples
    --------
    >>> merge_keys([("f", ""), ("f", "a"), ("f", "b")], [("f", ""), ("f", "z"), ("f", "b"), ("g", "")])
    [('f', ''), ('f', 'a'), ('f', 'z'), ('f', 'b'), ('g', '')]
    """
    out = list(keys)
    for i, key in enumerate(other):
        if key in out:
            continue
        frame = key[0]
        following = [k for k in other[i + 1:] if k[0] == frame and k in out]
        if following:
            out.insert(out.index(following[0]), key)
        elif any(k[0] == frame for k in out):
            out.insert(max(j for j, k in enumerate(out) if k[0] == frame) + 1, key)
        else:
            out.append(key)
    return out
