"""Frame matching in Chinese text: lexicon phrases on word boundaries of the segmented text.

:class:`~sco_discourse.frames.Matcher` hands every Chinese document to
:class:`ChineseMatcher`. Chinese has no spaces, so the English rule "a phrase counts as a
whole word" is replaced by the words of the segmented text:

1. The *match text* is the normalised text (:func:`sco_discourse.zh.normalize_zh`:
   Simplified characters, ASCII digits and letters, plain quotes and dashes; lower case)
   with white space and zero-width characters removed between characters that are not
   both ASCII letters or digits (a line break inside a phrase, as left by a scraper, does
   not hide it). A table of break points maps every offset back to the original text.
2. One Aho–Corasick automaton (``pyahocorasick``) holding every phrase, exclusion, and
   item, lead and trail of coordinated lists scans the match text once.
3. A hit counts only when it begins and ends on a word boundary: between two Chinese
   characters, a boundary of jieba's segmentation of that run of characters (with the
   lexicon's phrases in jieba's dictionary, :class:`sco_discourse.zh.Segmenter`);
   between a Chinese character and anything else, always; between two other characters,
   when they are not both letters or digits. Only the runs that hold a hit are segmented.
   So 印度 does not match in 印度尼西亚 (one word), 安全 not in 国家安全局.
4. Coordinated lists (``enumerations``) join items separated by 、，；/ 和 与 及 以及 或
   (quotes allowed); a ``trail`` may follow any item ("卫生健康、安全、发展、人文共同体").
5. Overlaps are resolved leftmost-longest; exclusions compete but give no mention.
6. Scope variants are read from the characters directly before/after a mention
   (``variant_rules``).
7. The lexicon's context rules (``since``, ``requires``, ``unless``, ``in_list``,
   ``only_in_list``) decide which mentions count, as in English
   (:mod:`sco_discourse.frames.rules`, which both matchers share): cue phrases count on
   word boundaries of the segmented text, a ``sentence`` ends at 。！？；, a distance
   ``within: N`` is in words of the segmented text, and an ``in_list`` list joins
   mentions separated by 、，和 与 及 以及 或 (with up to three other short items between
   them in a list with 、). What a rule sets aside is listed by :meth:`ChineseMatcher.suppressed`.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from ..lexicons.schema import Lexicon, canonical_phrase
from ..text import _lower
from ..zh import HAN_CLASS, Segmenter, _HAN_RE, _HAN_RUN_RE, lexicon_phrases, normalize_zh
from .rules import ListResolver, _ContextRules, _Doc, automaton_of, to_original

__all__ = ["ChineseMatcher", "zh_match_text", "phrase_spans_zh"]

_QUOTES = "\"'「」『』《》〈〉"
_Q = rf"[{_QUOTES}]*"
# Between the items of a coordinated list (match text: "，" is "," and "；" is ";").
_CONJ = r"(?:和|与|及|以及|或)"
_LIST_GAP_RE = re.compile(rf"{_Q}(?:[、,;/]{_Q}(?:{_CONJ}{_Q})?|{_CONJ}{_Q})\Z")
# Between two list members of an ``in_list`` check: a separator as above, or, in a list
# with 、, up to three other items of one to eight Chinese characters between them
# ("平等、开放、公正、互利"); a list never crosses a sentence end or a comma-separated clause.
_ITEM_SEP = rf"(?:、{_Q}(?:{_CONJ}{_Q})?|{_CONJ}{_Q})"
_MEMBER_GAP_RE = re.compile(rf"{_Q}(?:[、,;/]{_Q}(?:{_CONJ}{_Q})?|{_CONJ}{_Q})\Z"
                            rf"|{_Q}{_ITEM_SEP}(?:[{HAN_CLASS}]{{1,8}}{_Q}{_ITEM_SEP}){{1,3}}\Z")
_QUOTES_RE = re.compile(rf"{_Q}\Z")
_REMOVABLE_RE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_SPACE_NEXT_TO_HAN_RE = re.compile(rf"(?<=[{HAN_CLASS}]) +| +(?=[{HAN_CLASS}])")


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def zh_match_text(text: str) -> tuple[str, list[int], list[int]]:
    """The text Chinese matching scans, and the table mapping its offsets back.

    Returns ``(compact, break_at, shift)`` as :func:`sco_discourse.frames.matcher.match_text`:
    offset ``c`` of ``compact`` is offset ``c + shift[k]`` of ``text``, ``k`` the last
    index with ``break_at[k] <= c``.

    Examples
    --------
    >>> compact, breaks, shifts = zh_match_text("為打\\n\\u200b\\n造人類命運共同體 SCO  Summit")
    >>> compact
    '为打造人类命运共同体sco summit'
    >>> from sco_discourse.frames.matcher import to_original
    >>> to_original(compact.index("人类"), breaks, shifts)
    6
    """
    norm = _lower(normalize_zh(text))
    pieces: list[str] = []
    break_at = [0]
    shift = [0]
    last = 0
    removed = 0
    n = len(norm)
    for m in _REMOVABLE_RE.finditer(norm):
        s, e = m.span()
        keep = 1 if (s > 0 and e < n and _ascii_alnum(norm[s - 1]) and _ascii_alnum(norm[e])) else 0
        if keep and e - s == 1 and norm[s] == " ":
            continue  # one plain space between two words: nothing to change
        pieces.append(norm[last:s])
        if keep:
            pieces.append(" ")
        removed += e - s - keep
        break_at.append(e - removed)
        shift.append(removed)
        last = e
    if not pieces:
        return norm, [0], [0]
    pieces.append(norm[last:])
    return "".join(pieces), break_at, shift


def zh_phrase(phrase: str) -> str:
    """A lexicon phrase in the form the Chinese match text has.

    Examples
    --------
    >>> zh_phrase("人類 命運共同體"), zh_phrase("Belt-and-Road 倡议")
    ('人类命运共同体', 'belt and road倡议')
    """
    return _SPACE_NEXT_TO_HAN_RE.sub("", _lower(normalize_zh(canonical_phrase(phrase))))


def _rule_regex(phrase: str, gazetteer: dict[str, tuple[str, ...]]) -> str:
    """Regular expression (on match text) of a rule phrase with ``{list}`` and ``[optional]``;
    a hyphen stands for a dash, a hyphen or nothing."""
    out = ""
    for part in re.findall(r"\{[^}]*\}|\[[^\]]*\]|[^{}\[\]]+", phrase):
        if part.startswith("{"):
            names = sorted({zh_phrase(n) for n in gazetteer[part[1:-1]]}, key=len, reverse=True)
            out += "(?:" + "|".join(re.escape(n) for n in names) + ")"
        elif part.startswith("["):
            out += "(?:" + _literal_regex(part[1:-1]) + ")?"
        else:
            out += _literal_regex(part)
    return out


def _literal_regex(text: str) -> str:
    norm = _lower(normalize_zh(text)).strip()
    out = []
    for ch in norm:
        if ch == "-":
            out.append("-?")
        elif ch.isspace():
            out.append(" ?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


class _Text:
    """Per-text state: the match text and the word boundaries of the runs segmented so far."""

    __slots__ = ("compact", "segmenter", "runs", "run_starts", "bounds")

    def __init__(self, compact: str, segmenter: Segmenter):
        self.compact = compact
        self.segmenter = segmenter
        self.runs: list[tuple[int, int]] | None = None
        self.run_starts: list[int] = []
        self.bounds: dict[int, set[int]] = {}

    def boundary(self, p: int) -> bool:
        compact = self.compact
        if p <= 0 or p >= len(compact):
            return True
        a, b = compact[p - 1], compact[p]
        a_han, b_han = _HAN_RE.match(a) is not None, _HAN_RE.match(b) is not None
        if a_han and b_han:
            if self.runs is None:
                self.runs = [m.span() for m in _HAN_RUN_RE.finditer(compact)]
                self.run_starts = [s for s, _ in self.runs]
            start, end = self.runs[bisect.bisect_right(self.run_starts, p) - 1]
            bounds = self.bounds.get(start)
            if bounds is None:
                bounds = self.bounds[start] = self.segmenter.boundaries(compact[start:end], start)
            return p in bounds
        if a_han or b_han:
            return True
        return not ((a.isalnum() or a == "_") and (b.isalnum() or b == "_"))


class ChineseMatcher(ListResolver):
    """A lexicon compiled for Chinese text: :meth:`find` gives every mention of one text.

    Parameters
    ----------
    lexicon : Lexicon
    segmenter : Segmenter, optional
        Default: jieba with the lexicon's phrases added (the package's segmenter when the
        lexicon is the packaged Chinese one).

    Examples
    --------
    >>> from sco_discourse.lexicons.defaults import default_lexicon
    >>> m = ChineseMatcher(default_lexicon("zh"))
    >>> m.find("推动构建人类命运共同体和中巴命运共同体。")
    [(6, 11, 'shared_future', 'human'), (14, 19, 'shared_future', 'bilateral_regional')]
    >>> m.find("印度尼西亚"), m.find("印度")
    ([], [])
    >>> m.find("构建新型国际关系", year=2010), m.suppressed("构建新型国际关系", year=2010)
    ([], [(2, 8, 'new_international_relations', '', 'since', 'frames.new_international_relations.since')])
    """

    _LIST_GAP_RE = _LIST_GAP_RE
    _MEMBER_GAP_RE = _MEMBER_GAP_RE
    _JOIN_RE = _QUOTES_RE
    _SCOPE_LOOKBACK = 40
    _TRAIL_IN_EVIDENCE = True

    def __init__(self, lexicon: Lexicon, *, segmenter: Segmenter | None = None):
        self.lexicon = lexicon
        if segmenter is None:
            from ..lexicons.defaults import default_lexicon
            from ..zh import default_segmenter

            segmenter = (default_segmenter() if lexicon.digest == default_lexicon("zh").digest
                         else Segmenter(lexicon_phrases(lexicon)))
        self.segmenter = segmenter
        self._context = _ContextRules(lexicon, form=zh_phrase)
        entries: dict[str, list[tuple]] = {}

        def add(phrase: str, entry: tuple) -> None:
            form = zh_phrase(phrase)
            if form:
                entries.setdefault(form, []).append(entry)

        self._rules: dict[str, list[tuple[str, Any, Any]]] = {}
        self._enums: list[tuple[str, Any]] = []
        for frame in lexicon.frames.values():
            for p in frame.patterns:
                add(p.canonical, ("p", frame.id, p.variant, self._context.pattern_rule(frame, p)))
            for p in frame.excludes:
                add(p.canonical, ("x",))
            compiled = []
            for rule in frame.rules:
                after = before = None
                if rule.after:
                    after = re.compile(_Q + "(?:" + "|".join(_rule_regex(p, lexicon.gazetteer)
                                                             for p in rule.after) + ")")
                if rule.before:
                    before = re.compile("(?:" + "|".join(_rule_regex(p, lexicon.gazetteer)
                                                         for p in rule.before) + ")" + _Q + r"\Z")
                compiled.append((rule.variant, before, after))
            if compiled:
                self._rules[frame.id] = compiled
            self._add_enumerations(frame, add)
        self._default_variant = {f.id: (f.default_variant or "") for f in lexicon.frames.values()}
        self._automaton = automaton_of(entries)

    def __getstate__(self):
        return {"lexicon": self.lexicon}

    def __setstate__(self, state):
        self.__init__(state["lexicon"])

    def find(self, text: str, *, year: int | None = None) -> list[tuple[int, int, str, str]]:
        """``(start, end, frame, variant)`` of every mention that counts, offsets into
        ``text``, in text order; ``year`` is the document's year (``since`` rules)."""
        return self._find_text(text, year)[0]

    def suppressed(self, text: str, *, year: int | None = None) -> list[tuple[int, int, str, str, str, str]]:
        """What the context rules set aside in ``text``: ``(start, end, frame, variant,
        rule, entry)``, as :meth:`sco_discourse.frames.Matcher.suppressed`."""
        return self._find_text(text, year)[1]

    def _find_text(self, text: str, year: int | None) -> tuple[list[tuple], list[tuple]]:
        compact, break_at, shift = zh_match_text(text)
        state = _Text(compact, self.segmenter)
        doc = _Doc(text, break_at, shift, year, language="zh",
                   edges=lambda s, e: state.boundary(s) and state.boundary(e))
        spans, suppressed = self._find_compact(state, doc)
        if len(break_at) == 1 or not (spans or suppressed):
            return spans, suppressed
        return ([(doc.orig(s), doc.orig(e - 1) + 1, *rest) for s, e, *rest in spans],
                [(doc.orig(s), doc.orig(e - 1) + 1, *rest) for s, e, *rest in suppressed])

    # -- one match text --------------------------------------------------------------
    def _find_compact(self, state: _Text, doc: _Doc) -> tuple[list[tuple], list[tuple]]:
        compact = state.compact
        candidates: list[tuple[int, int, tuple]] = []
        enum_hits: dict[int, dict[str, list]] = {}
        for end_idx, (length, payload) in self._automaton.iter(compact):
            end = end_idx + 1
            start = end - length
            for entry in payload:
                kind = entry[0]
                if kind in ("p", "x"):
                    if state.boundary(start) and state.boundary(end):
                        candidates.append((start, end, entry))
                else:  # list parts: boundaries are checked where the list is assembled
                    hits = enum_hits.setdefault(entry[1], {"i": [], "l": [], "t": []})
                    hits[kind].append((start, end, entry[2] if kind == "i" else None))
        for e, hits in enum_hits.items():
            if hits["i"]:
                candidates.extend(self._enumerations(compact, e, hits, state.boundary))
        if not candidates:
            return [], []
        candidates.sort(key=lambda c: (c[0], -c[1]))
        return self._settle(compact, candidates, doc)


@lru_cache(maxsize=8)
def _phrase_segmenter(phrase: str) -> Segmenter:
    from ..zh import default_segmenter

    base = default_segmenter()
    return base if not _HAN_RE.search(phrase) or zh_phrase(phrase) in base.words else Segmenter(
        (*base.words, zh_phrase(phrase)))


def phrase_spans_zh(text: str, phrase: str) -> list[tuple[int, int]]:
    """Occurrences of a free phrase in Chinese text on word boundaries of the segmented
    text (the phrase itself kept whole), as offsets into ``text``: what KWIC searches.

    Examples
    --------
    >>> t = "印度和印度尼西亚"
    >>> [t[s:e] for s, e in phrase_spans_zh(t, "印度")]
    ['印度']
    """
    form = zh_phrase(phrase)
    compact, break_at, shift = zh_match_text(text)
    state = _Text(compact, _phrase_segmenter(phrase))
    out = []
    pos = compact.find(form)
    while pos != -1 and form:
        end = pos + len(form)
        if state.boundary(pos) and state.boundary(end):
            out.append((to_original(pos, break_at, shift), to_original(end - 1, break_at, shift) + 1))
        pos = compact.find(form, pos + 1)
    return out
