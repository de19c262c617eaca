"""What the English and the Chinese matcher share: offsets, context rules, lists, overlaps.

:class:`~sco_discourse.frames.matcher.Matcher` (English, whole words) and
:class:`~sco_discourse.frames.matcher_zh.ChineseMatcher` (words of the segmented text)
find candidate spans each in their own way; from there on the logic is one:

* :func:`to_original` maps an offset of a match text back to the original text;
* :class:`_ContextRules` compiles a lexicon's ``since`` / ``requires`` / ``unless`` /
  ``in_list`` rules and judges each mention against its document (:class:`_Doc`: the
  year, cue phrases on word boundaries, sentences and token distances of the text's
  language);
* :class:`ListResolver` assembles coordinated lists (``enumerations``), resolves
  overlaps leftmost-longest, reads scope variants from the characters before/after a
  mention, finds the lists an ``in_list`` condition asks for, and sets aside what a rule
  removes (resolving again without it). A matcher sets the separators of its language
  as class attributes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..lexicons.schema import ConditionSpec, Lexicon, inflected_forms
from ..text import count_tokens

__all__ = ["to_original", "ListResolver", "automaton_of"]

_MAX_LIST_GAP = 160


def to_original(offset: int, break_at: list[int], shift: list[int]) -> int:
    """Offset in the original text of offset ``offset`` of the match text.

    ``break_at`` and ``shift`` are the table of :func:`sco_discourse.frames.matcher.match_text`
    (or :func:`sco_discourse.frames.matcher_zh.zh_match_text`): offset ``c`` comes from
    ``c + shift[k]``, ``k`` the last index with ``break_at[k] <= c``.

    Examples
    --------
    >>> to_original(3, [0, 2], [0, 5])
    8
    """
    return offset + shift[bisect.bisect_right(break_at, offset) - 1]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def automaton_of(entries: dict[str, list[tuple]]):
    """One Aho–Corasick automaton (``pyahocorasick``) of every form of ``entries``, each
    word's value ``(length, payloads)``."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for form, payload in entries.items():
        automaton.add_word(form, (len(form), tuple(payload)))
    automaton.make_automaton()
    return automaton

# --------------------------------------------------------------------------- context rules
@dataclass(frozen=True, slots=True)
class _Cond:
    kind: str                     # "cue" or "in_list"
    cue_ids: frozenset
    within: str | int
    side: str
    next_sentences: int
    entry: str
    min_variants: int = 2


@dataclass(frozen=True, slots=True)
class _Rule:
    """The context rules one kind of mention is subject to (frame, variant and pattern
    levels together)."""

    since: int | None
    since_entry: str
    requires: tuple        # ((level entry, (_Cond, ...)), ...): every level needs one condition
    unless: tuple          # (_Cond, ...): any one vetoes


class _Doc:
    """One document as the context rules see it: its text, its year, the offset map of
    the match text and the cue phrases found; sentences are split on first use."""

    __slots__ = ("text", "break_at", "shift", "year", "compact", "language", "edges", "_cue_hits", "_sentences",
                 "_starts")

    def __init__(self, text: str, break_at: list[int], shift: list[int], year, *, language: str | None = None,
                 edges: Callable[[int, int], bool] | None = None):
        self.text = text
        self.break_at = break_at
        self.shift = shift
        self.year = None if year is None or year != year else int(year)   # NaN: undated
        self.compact = ""
        self.language = language
        # whether a match-text span stands on word boundaries at both ends (None: no
        # letter, digit or "_" on either side; Chinese text: the segmented words)
        self.edges = edges
        self._cue_hits: dict[int, list[tuple[int, int]]] = {}
        self._sentences = None
        self._starts = None

    def cue_hits(self, cue: int, forms: tuple[str, ...]) -> list[tuple[int, int]]:
        """Whole-word occurrences (match-text offsets) of one cue phrase, found on first use:
        cue words are frequent ("interests", "for all"), so they are looked up only in a
        document where a rule asks for them, with ``str.find``."""
        hits = self._cue_hits.get(cue)
        if hits is None:
            text, n, edges = self.compact, len(self.compact), self.edges
            hits = []
            for form in forms:
                at = text.find(form)
                while at >= 0:
                    end = at + len(form)
                    if edges is not None:
                        if edges(at, end):
                            hits.append((at, end))
                    elif not ((at > 0 and _is_word(text[at - 1])) or (end < n and _is_word(text[end]))):
                        hits.append((at, end))
                    at = text.find(form, at + 1)
            hits.sort()
            self._cue_hits[cue] = hits
        return hits

    def orig(self, offset: int) -> int:
        if len(self.break_at) == 1:
            return offset
        return to_original(offset, self.break_at, self.shift)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of a match-text span."""
        return self.orig(start), self.orig(end - 1) + 1

    def sentence_window(self, offset: int, following: int) -> tuple[int, int]:
        """Original offsets of the sentence holding original offset ``offset`` (and the
        ``following`` sentences after it)."""
        if self._sentences is None:
            from ..text import sentence_spans

            self._sentences = sentence_spans(self.text, language=self.language) or [(0, len(self.text))]
            self._starts = [s for s, _ in self._sentences]
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        j = min(len(self._sentences) - 1, i + following)
        return self._sentences[i][0], self._sentences[j][1]

    def paragraph_window(self, offset: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return start, len(self.text) if end < 0 else end


class _ContextRules:
    """The lexicon's ``since``/``requires``/``unless`` rules, compiled: each pattern and each
    (frame, variant) gets one :class:`_Rule` (None when nothing applies); cue phrases are
    looked up in a document only when a rule asks (:meth:`_Doc.cue_hits`)."""

    def __init__(self, lexicon: Lexicon, *, form: Callable[[str], str] | None = None):
        self._form = form   # a cue phrase as the match text has it (Chinese: zh_phrase)
        self._cue_ids: dict[str, int] = {}
        self._cue_forms: list[tuple[str, ...]] = []   # cue id -> its forms (plurals of `inflections`)
        self._inflections = lexicon.inflections
        self._variant_rules: dict[tuple[str, str], _Rule | None] = {}
        self._frames = lexicon.frames
        for frame in lexicon.frames.values():
            self._variant_rules[(frame.id, "")] = self._combine(frame, None, None)
            for variant in frame.variants:
                self._variant_rules[(frame.id, variant)] = self._combine(frame, variant, None)

    def _cond(self, spec: ConditionSpec) -> _Cond:
        ids = []
        for cue in spec.cues:
            if cue not in self._cue_ids:
                self._cue_ids[cue] = len(self._cue_ids)
                forms = inflected_forms(cue, self._inflections)
                if self._form is not None:
                    forms = dict.fromkeys(self._form(f) for f in forms)
                self._cue_forms.append(tuple(forms))
            ids.append(self._cue_ids[cue])
        return _Cond(spec.kind, frozenset(ids), spec.within, spec.side, spec.next_sentences, spec.entry,
                     spec.min_variants)

    def _combine(self, frame, variant: str | None, pattern) -> _Rule | None:
        levels = [(frame.entry, frame.requires, frame.unless)]
        vspec = frame.variant_specs.get(variant) if variant else None
        if vspec is not None:
            levels.append((vspec.entry, vspec.requires, vspec.unless))
        if pattern is not None:
            levels.append((pattern.entry, pattern.requires, pattern.unless))
        requires = tuple((f"{entry}.requires" if not conds[0].entry.endswith("only_in_list") else conds[0].entry,
                          tuple(self._cond(c) for c in conds))
                         for entry, conds, _ in levels if conds)
        unless = tuple(self._cond(c) for _, _, conds in levels for c in conds)
        since = frame.since_for(variant)
        since_entry = ""
        if since is not None:
            since_entry = f"{vspec.entry}.since" if vspec is not None and vspec.since is not None else f"{frame.entry}.since"
        if since is None and not requires and not unless:
            return None
        return _Rule(since, since_entry, requires, unless)

    def pattern_rule(self, frame, pattern) -> _Rule | None:
        return self._combine(frame, pattern.variant, pattern)

    def variant_rule(self, frame: str, variant: str) -> _Rule | None:
        return self._variant_rules.get((frame, variant or ""))

    # -- applying them ---------------------------------------------------------------
    def judge(self, out: list[tuple], doc: _Doc, compact: str, lister: Callable) -> list[tuple[str, str] | None]:
        """Per mention ``(start, end, frame, variant, rule, index)`` of ``out``: None (it
        counts) or ``(rule, entry)``; "undated" mentions count.

        Order: ``unless``, then ``requires`` (list partners are the mentions no veto
        removed), then ``since`` -- so the era diagnostics list only mentions that would
        count in a later document."""
        verdicts: list[tuple[str, str] | None] = [None] * len(out)
        for i, m in enumerate(out):
            rule = m[4]
            if rule is None:
                continue
            for cond in rule.unless:
                if self._holds(cond, m, doc, self._cue_forms):
                    verdicts[i] = ("unless", cond.entry)
                    break
        lists: dict[str, dict[int, set[str]]] = {}   # frame -> mention index -> variants of its list
        for i, m in enumerate(out):
            rule = m[4]
            if rule is None or not rule.requires or verdicts[i] is not None:
                continue
            for level_entry, conds in rule.requires:
                if not any(self._in_list(i, c.min_variants, out, verdicts, compact, lists, lister)
                           if c.kind == "in_list" else self._holds(c, m, doc, self._cue_forms) for c in conds):
                    verdicts[i] = ("requires", level_entry)
                    break
        for i, m in enumerate(out):
            rule = m[4]
            if rule is None or rule.since is None or verdicts[i] is not None:
                continue
            if doc.year is None:
                verdicts[i] = ("undated", rule.since_entry)
            elif doc.year < rule.since:
                verdicts[i] = ("since", rule.since_entry)
        return verdicts

    @staticmethod
    def _in_list(i: int, least: int, out, verdicts, compact: str, lists: dict, lister: Callable) -> bool:
        frame = out[i][2]
        if frame not in lists:
            members = [j for j, m in enumerate(out) if m[2] == frame and verdicts[j] is None]
            variants_of: dict[int, set[str]] = {}
            for group in lister(compact, out, members):
                variants = {out[j][3] for j in group}
                for j in group:
                    variants_of[j] = variants
            lists[frame] = variants_of
        return len(lists[frame].get(i, set()) | {out[i][3]}) >= least

    @staticmethod
    def _holds(cond: _Cond, m: tuple, doc: _Doc, cue_forms: list) -> bool:
        """A cue of ``cond`` occurs in its window around mention ``m`` (match-text offsets)."""
        ms, me = m[0], m[1]
        window = None
        hits = [h for cue in cond.cue_ids for h in doc.cue_hits(cue, cue_forms[cue])]
        for cs, ce in hits:
            if cs >= ms and ce <= me:
                continue   # inside the mention: a mention is not its own context
            before, after = cs < ms, ce > me
            if (cond.side == "before" and not before) or (cond.side == "after" and not after):
                continue
            if isinstance(cond.within, int):
                if ce > ms and cs < me:
                    return True   # overlapping: no token between
                a, b = (doc.span(ce - 1, ms)[0] + 1, doc.orig(ms)) if ce <= ms else \
                       (doc.span(me - 1, me)[1], doc.orig(cs))
                if not _tokens_exceed(doc.text, a, b, cond.within, doc.language):
                    return True
                continue
            if window is None:
                mo = doc.orig(ms)
                window = (doc.sentence_window(mo, cond.next_sentences) if cond.within == "sentence"
                          else doc.paragraph_window(mo))
            cso, ceo = doc.span(cs, ce)
            if cso < window[1] and ceo > window[0]:
                return True
        return False



def _tokens_exceed(text: str, start: int, end: int, limit: int, language: str | None) -> bool:
    """Whether ``text[start:end]`` holds more than ``limit`` tokens: English tokens unless
    ``language`` is ``"zh"`` (the English rules read a document as English).

    A cue can stand far from a mention; the tokens of the first ``_GAP_PREFIX`` characters
    per token of ``limit`` are counted first, since no prefix holds more tokens than the
    whole (a token of the prefix is part of one token of the whole).

    Examples
    --------
    >>> _tokens_exceed("a b c d", 0, 7, 3, None), _tokens_exceed("a b c d", 0, 7, 4, None)
    (True, False)
    """
    if language != "zh":
        language = "en"
        cap = _GAP_PREFIX * (limit + 1)
        if end - start > cap and count_tokens(text[start:start + cap], language="en") > limit:
            return True
    return count_tokens(text[start:end], language=language) > limit


_GAP_PREFIX = 32


# --------------------------------------------------------------------------- lists and overlaps
class ListResolver:
    """Lists, overlaps, scope variants and context rules over the candidates of a match
    text; a matcher subclasses it and sets ``_rules``, ``_enums``, ``_default_variant``
    and ``_context`` (:class:`_ContextRules`) in its constructor.

    Class attributes (the separators of the matcher's language)
    -----------------------------------------------------------
    _LIST_GAP_RE : what may stand between two items of an enumeration.
    _MEMBER_GAP_RE : what may stand between two list members of an ``in_list`` check.
    _JOIN_RE : what may stand between a lead and an item, or an item and a trail.
    _SCOPE_LOOKBACK : characters before a mention a ``before`` scope phrase may span.
    _TRAIL_IN_EVIDENCE : an item's evidence includes the trail after it.
    """

    _LIST_GAP_RE: re.Pattern
    _MEMBER_GAP_RE: re.Pattern
    _JOIN_RE: re.Pattern
    _SCOPE_LOOKBACK = 160
    _TRAIL_IN_EVIDENCE = False

    def _add_enumerations(self, frame, add: Callable[[str, tuple], None]) -> None:
        """Register the coordinated lists of ``frame``: ``add(phrase, payload)`` for each
        item (``("i", list, key)``), lead (``("l", list)``) and trail (``("t", list)``)."""
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

    def _settle(self, compact: str, candidates: list[tuple], doc: _Doc) -> tuple[list[tuple], list[tuple]]:
        """Mentions ``(start, end, frame, variant)`` and set-aside mentions ``(start, end,
        frame, variant, rule, entry)`` from the candidates ``(start, end, payload)`` of a
        match text, sorted by ``(start, -end)``; in text order."""
        doc.compact = compact
        set_aside: list[tuple] = []
        while True:
            out, dropped, suppressed = self._resolve(compact, candidates, doc)
            if not dropped:
                if set_aside:
                    suppressed = sorted(set_aside + suppressed, key=lambda m: (m[0], m[1], m[2]))
                return out, suppressed
            # A pattern that does not count (it stands alone where it needs a list or a cue,
            # or its document is too early) is no mention, so it must not hide what it
            # overlaps: resolve again without it.
            set_aside.extend(m[:6] for m in suppressed if m[6] in dropped)
            candidates = [c for i, c in enumerate(candidates) if i not in dropped]

    def _resolve(self, compact: str, candidates: list[tuple], doc: "_Doc") -> tuple[list[tuple], set[int], list[tuple]]:
        """Leftmost-longest over sorted candidates (one span is one mention), then the
        context rules; returns the mentions, the indices (in ``candidates``) of patterns
        that did not count, and every set-aside mention with its rule."""
        out: list[tuple] = []       # (start, end, frame, variant, rule, candidate index or -1)
        last_end = -1
        conditional = False
        for index, (start, end, entry) in enumerate(candidates):
            if start < last_end:
                continue
            last_end = end
            kind = entry[0]
            if kind == "x":
                continue
            if kind == "p":
                frame, variant, rule = entry[1], entry[2], entry[3]
                if variant is None:
                    variant = self._scope(compact, start, end, frame)
                out.append((start, end, frame, variant, rule, index))
                conditional = conditional or rule is not None
            else:  # an enumeration: its sub-mentions
                for s, e, frame, variant in entry[1]:
                    rule = self._context.variant_rule(frame, variant)
                    out.append((s, e, frame, variant, rule, -1))
                    conditional = conditional or rule is not None
        if not conditional:
            return [m[:4] for m in out], set(), []
        verdicts = self._context.judge(out, doc, compact, self._only_in_list)
        kept = [m[:4] for m, v in zip(out, verdicts) if v is None or v[0] == "undated"]
        suppressed = [(*m[:4], v[0], v[1], m[5]) for m, v in zip(out, verdicts) if v is not None]
        dropped = {m[5] for m, v in zip(out, verdicts) if v is not None and v[0] != "undated" and m[5] >= 0}
        if not dropped:
            return kept, set(), [m[:6] for m in suppressed]
        return kept, dropped, suppressed

    def _scope(self, compact: str, start: int, end: int, frame: str) -> str:
        for variant, before, after in self._rules.get(frame, ()):
            if after is not None and after.match(compact, end):
                return variant
            if before is not None and before.search(compact, max(0, start - self._SCOPE_LOOKBACK), start):
                return variant
        return self._default_variant[frame]

    def _enumerations(self, compact: str, e: int, hits: dict[str, list],
                      edge: Callable[[int], bool] | None = None) -> list[tuple]:
        """The coordinated lists of enumeration ``e`` from its item, lead and trail hits:
        candidates ``(start, end, ("e", sub-mentions))``. ``edge(offset)``: whether a word
        boundary is there (None: every hit is already a whole word); a lead and a trail
        must begin and end on one, an item too where no lead or trail joins it."""
        frame, spec = self._enums[e]
        items = sorted(hits["i"], key=lambda h: (h[0], -h[1]))
        dedup = []
        last_end = -1
        for h in items:  # overlapping items ("common health" / "health"): keep leftmost-longest
            if h[0] >= last_end:
                dedup.append(h)
                last_end = h[1]
        lead_ends = {h[1]: h[0] for h in hits["l"] if edge is None or edge(h[0])}
        trail_starts = {h[0]: h[1] for h in hits["t"] if edge is None or edge(h[1])}
        chains: list[list] = []
        current: list = []
        for h in dedup:
            if current:
                gap_from = current[-1][1]
                trail_end = self._trail_after(compact, gap_from, trail_starts)
                if trail_end is not None:
                    gap_from = trail_end
                if gap_from <= h[0] and self._LIST_GAP_RE.match(compact, gap_from, h[0]):
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
                # the list begins at the first item directly preceded by a lead
                for i, h in enumerate(chain):
                    lead_start = self._lead_before(compact, h[0], lead_ends)
                    if lead_start is not None:
                        chain = chain[i:]
                        break
                if lead_start is None:
                    continue
            trail_end = None
            if spec.trail:
                for i in range(len(chain) - 1, -1, -1):
                    trail_end = self._trail_after(compact, chain[i][1], trail_starts)
                    if trail_end is not None:
                        chain = chain[:i + 1]
                        break
                if trail_end is None:
                    continue
            if edge is not None and not all(
                    (self._lead_before(compact, s, lead_ends) is not None or edge(s))
                    and (self._trail_after(compact, t, trail_starts) is not None or edge(t)) for s, t, _ in chain):
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
                subs = []
                for i, (s, t, key) in enumerate(chain):
                    if i < len(chain) - 1 and self._TRAIL_IN_EVIDENCE:
                        # an item's evidence includes the trail that follows it ("安全共同体")
                        t = self._trail_after(compact, t, trail_starts) or t
                    subs.append((span_start if i == 0 else s, span_end if i == len(chain) - 1 else t, frame, key))
            out.append((span_start, span_end, ("e", subs)))
        return out

    def _lead_before(self, compact: str, pos: int, lead_ends: dict[int, int]) -> int | None:
        for gap in range(0, 4):
            start = lead_ends.get(pos - gap)
            if start is not None and self._JOIN_RE.match(compact, pos - gap, pos):
                return start
        return None

    def _trail_after(self, compact: str, pos: int, trail_starts: dict[int, int]) -> int | None:
        for gap in range(0, 4):
            end = trail_starts.get(pos + gap)
            if end is not None and self._JOIN_RE.match(compact, pos, pos + gap):
                return end
        return None

    def _only_in_list(self, compact: str, spans: list[tuple], members: list[int]) -> list[list[int]]:
        """The lists among ``members`` (indices into ``spans``, mentions of one frame in text
        order): runs of mentions separated only by list separators (commas, "and", "or",
        quotes, articles), directly or with up to three other short items between them
        ("equality, openness, justice and mutual benefit")."""
        groups: list[list[int]] = [[members[0]]]
        for a, b in zip(members, members[1:]):
            gap_from, gap_to = spans[a][1], spans[b][0]
            if gap_from <= gap_to and gap_to - gap_from <= _MAX_LIST_GAP and \
                    self._MEMBER_GAP_RE.match(compact, gap_from, gap_to):
                groups[-1].append(b)
            else:
                groups.append([b])
        return groups
