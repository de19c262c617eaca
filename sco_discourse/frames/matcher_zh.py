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
   (``variant_rules``); ``only_in_list`` mentions are kept only in a list with a mention
   of another variant of the same frame.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from ..lexicons.schema import Lexicon, canonical_phrase
from ..text import _lower
from ..zh import HAN_CLASS, Segmenter, _HAN_RE, _HAN_RUN_RE, lexicon_phrases, normalize_zh

__all__ = ["ChineseMatcher", "zh_match_text", "phrase_spans_zh"]

_QUOTES = "\"'「」『』《》〈〉"
_Q = rf"[{_QUOTES}]*"
# Between the items of a coordinated list (match text: "，" is "," and "；" is ";").
_LIST_GAP_RE = re.compile(rf"{_Q}(?:[、,;/]{_Q}(?:(?:和|与|及|以及|或){_Q})?|(?:和|与|及|以及|或){_Q})\Z")
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


def _to_original(offset: int, break_at: list[int], shift: list[int]) -> int:
    return offset + shift[bisect.bisect_right(break_at, offset) - 1]


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


class ChineseMatcher:
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
    """

    def __init__(self, lexicon: Lexicon, *, segmenter: Segmenter | None = None):
        import ahocorasick

        self.lexicon = lexicon
        if segmenter is None:
            from ..lexicons.defaults import default_lexicon
            from ..zh import default_segmenter

            segmenter = (default_segmenter() if lexicon.digest == default_lexicon("zh").digest
                         else Segmenter(lexicon_phrases(lexicon)))
        self.segmenter = segmenter
        entries: dict[str, list[tuple]] = {}

        def add(phrase: str, entry: tuple) -> None:
            form = zh_phrase(phrase)
            if form:
                entries.setdefault(form, []).append(entry)

        self._rules: dict[str, list[tuple[str, Any, Any]]] = {}
        self._enums: list[tuple[str, Any]] = []
        self._conditional_frames: set[str] = set()
        for frame in lexicon.frames.values():
            for p in frame.patterns:
                add(p.canonical, ("p", frame.id, p.variant, p.only_in_list))
                if p.only_in_list:
                    self._conditional_frames.add(frame.id)
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
            for spec in frame.enumerations:
                e = len(self._enums)
                self._enums.append((frame.id, spec))
                for key, phrases in spec.items:
                    for phrase in phrases:
                        add(phrase, ("i", e, key))
                for phrase in spec.lead:
                    add(phrase, ("l", e))
                for phrase in spec.trail:
                    add(phrase, ("t", e))
        self._default_variant = {f.id: (f.default_variant or "") for f in lexicon.frames.values()}
        automaton = ahocorasick.Automaton()
        for form, payload in entries.items():
            automaton.add_word(form, (len(form), tuple(payload)))
        automaton.make_automaton()
        self._automaton = automaton

    def __getstate__(self):
        return {"lexicon": self.lexicon}

    def __setstate__(self, state):
        self.__init__(state["lexicon"])

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, end, frame, variant)`` of every mention, offsets into ``text``, in text order."""
        compact, break_at, shift = zh_match_text(text)
        spans = self._find_compact(_Text(compact, self.segmenter))
        if not spans or len(break_at) == 1:
            return spans
        return [(_to_original(s, break_at, shift), _to_original(e - 1, break_at, shift) + 1, frame, variant)
                for s, e, frame, variant in spans]

    # -- one match text --------------------------------------------------------------
    def _find_compact(self, state: _Text) -> list[tuple[int, int, str, str]]:
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
                candidates.extend(self._enumerations(state, e, hits))
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0], -c[1]))
        while True:
            out, dropped = self._resolve(compact, candidates)
            if not dropped:
                return out
            # a conditional phrase that stands alone is no mention: it must not hide what
            # it overlaps, so resolve again without it
            candidates = [c for c in candidates if not (c[2][0] == "p" and c[2][3] and (c[0], c[1]) in dropped)]

    def _resolve(self, compact: str, candidates: list[tuple]) -> tuple[list[tuple], set[tuple[int, int]]]:
        kept = []
        last_end = -1
        for c in candidates:
            if c[0] >= last_end:
                kept.append(c)
                last_end = c[1]
        out: list[tuple[int, int, str, str]] = []
        conditional: set[int] = set()
        for start, end, entry in kept:
            kind = entry[0]
            if kind == "x":
                continue
            if kind == "p":
                frame, variant, only_in_list = entry[1], entry[2], entry[3]
                if variant is None:
                    variant = self._scope(compact, start, end, frame)
                if only_in_list:
                    conditional.add(len(out))
                out.append((start, end, frame, variant))
            else:
                out.extend(entry[1])
        if not conditional:
            return out, set()
        drop = self._lone_conditionals(compact, out, conditional)
        if not drop:
            return out, set()
        return [m for i, m in enumerate(out) if i not in drop], {(out[i][0], out[i][1]) for i in drop}

    def _scope(self, compact: str, start: int, end: int, frame: str) -> str:
        for variant, before, after in self._rules.get(frame, ()):
            if after is not None and after.match(compact, end):
                return variant
            if before is not None and before.search(compact, max(0, start - 40), start):
                return variant
        return self._default_variant[frame]

    def _lone_conditionals(self, compact: str, spans: list[tuple], conditional: set[int]) -> set[int]:
        """Indices of ``only_in_list`` mentions not in a list with a mention of another
        variant of their frame (consecutive mentions of a frame separated by list gaps)."""
        by_frame: dict[str, list[int]] = {}
        for i, s in enumerate(spans):
            if s[2] in self._conditional_frames:
                by_frame.setdefault(s[2], []).append(i)
        drop: set[int] = set()
        for idx in by_frame.values():
            groups: list[list[int]] = [[idx[0]]]
            for a, b in zip(idx, idx[1:]):
                if spans[a][1] <= spans[b][0] and _LIST_GAP_RE.match(compact, spans[a][1], spans[b][0]):
                    groups[-1].append(b)
                else:
                    groups.append([b])
            for group in groups:
                variants = {spans[i][3] for i in group}
                for i in group:
                    if i in conditional and len(variants - {spans[i][3]}) == 0:
                        drop.add(i)
        return drop

    def _enumerations(self, state: _Text, e: int, hits: dict[str, list]) -> list[tuple]:
        compact = state.compact
        frame, spec = self._enums[e]
        lead_at = {end: start for start, end, _ in hits["l"] if state.boundary(start)}
        trail_at = {start: end for start, end, _ in hits["t"] if state.boundary(end)}

        def lead_before(pos: int) -> int | None:
            for end, start in lead_at.items():
                if end <= pos and _QUOTES_RE.match(compact, end, pos) and pos - end <= 2:
                    return start
            return None

        def trail_after(pos: int) -> int | None:
            for start, end in trail_at.items():
                if start >= pos and start - pos <= 2 and _QUOTES_RE.match(compact, pos, start):
                    return end
            return None

        items = []
        last_end = -1
        for h in sorted(hits["i"], key=lambda h: (h[0], -h[1])):  # overlapping items: leftmost-longest
            if h[0] >= last_end:
                items.append(h)
                last_end = h[1]
        chains: list[list] = []
        current: list = []
        for h in items:
            if current:
                gap_from = current[-1][1]
                trail_end = trail_after(gap_from)
                if trail_end is not None:
                    gap_from = trail_end
                if gap_from <= h[0] and _LIST_GAP_RE.match(compact, gap_from, h[0]):
                    current.append(h)
                    continue
                chains.append(current)
            current = [h]
        if current:
            chains.append(current)
        out = []
        for chain in chains:
            lead_start = None
            if spec.lead:
                for i, h in enumerate(chain):
                    lead_start = lead_before(h[0])
                    if lead_start is not None:
                        chain = chain[i:]
                        break
                if lead_start is None:
                    continue
            trail_end = None
            if spec.trail:
                for i in range(len(chain) - 1, -1, -1):
                    trail_end = trail_after(chain[i][1])
                    if trail_end is not None:
                        chain = chain[:i + 1]
                        break
                if trail_end is None:
                    continue
            # every item on word boundaries, except where a lead or trail joins it
            if not all((lead_before(s) is not None or state.boundary(s))
                       and (trail_after(t) is not None or state.boundary(t)) for s, t, _ in chain):
                continue
            keys = [h[2] for h in chain]
            if spec.distinct:
                if len(set(keys)) < len(spec.items) or len(set(keys)) < spec.min_items:
                    continue
            elif len(chain) < spec.min_items:
                continue
            span_start = lead_start if lead_start is not None else chain[0][0]
            span_end = trail_end if trail_end is not None else chain[-1][1]
            if spec.count == "once":
                subs = [(span_start, span_end, frame, spec.variant)]
            else:
                # an item's evidence includes the trail that follows it ("安全共同体")
                subs = [(span_start if i == 0 else s, span_end if i == len(chain) - 1 else (trail_after(t) or t),
                         frame, key) for i, (s, t, key) in enumerate(chain)]
            out.append((span_start, span_end, ("e", subs)))
        return out


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
            out.append((_to_original(pos, break_at, shift), _to_original(end - 1, break_at, shift) + 1))
        pos = compact.find(form, pos + 1)
    return out
