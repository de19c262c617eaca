"""Reading and checking frame lexicons (YAML files).

A lexicon is data, not code: the frames of the codebook, their variants and the phrases
that count as a mention, plus the context rules of the codebook written as data (scope
cues, list conditions, coordinated enumerations). :func:`load_lexicon` reads one and
checks it against the schema below, raising :class:`~sco_discourse.errors.LexiconError`
that names the file and the entry at fault (e.g. ``frames.four_communities.variants.
culture.patterns[6]``). The packaged lexicon ``codebook_v1.yaml`` documents the format in
its header comment; copy it to start your own (``sco-discourse frames lexicon --out``).

Schema
------
``name`` (str), ``version`` (str), ``provenance`` (str), ``description`` (str, optional),
``inflections`` (singular: plural, optional), ``gazetteer`` (list name: [phrases],
optional) and ``frames``: frame id → mapping with

* ``label``, ``short_label``, ``description`` (optional str; ``short_label`` is the name
  on a figure's axis or legend, default ``label``);
* ``variants``: variant id → ``{label, patterns: [...]}`` (or directly a list of patterns,
  as in a quanteda dictionary), or
* ``patterns`` plus optional ``variant_rules`` (list of ``{variant, before, after}``),
  ``default_variant`` (required with rules) and ``variant_labels`` (variant id → label);
* ``enumerations`` (list of ``{lead, trail, items, count, variant, distinct, min_items}``);
* ``exclude`` (list of phrases that block matches without counting);
* context rules (also on a variant written as a mapping, and ``requires``/``unless``/
  ``only_in_list`` on a pattern written as a mapping):

  - ``since: YEAR``: mentions in documents dated before YEAR do not count (they are
    listed by :func:`sco_discourse.frames.suppressed_mentions`); undated documents count
    and are flagged there. A variant's ``since`` may only be later than its frame's.
  - ``requires``: one condition or a list of them; the mention counts only when **at
    least one** holds. Rules given at several levels (frame, variant, pattern) must all
    be met.
  - ``unless``: one condition or a list; the mention does not count when **any** holds.
  - ``only_in_list: true``: shorthand for ``requires: {in_list: true}``.
  - ``specific: false`` (frame or variant): the words are ordinary vocabulary too;
    results and figures carry the flag (:meth:`Lexicon.key_table`).

  A condition is ``{in_list: true, min_variants: K}`` (the mention stands in a coordinated
  list with mentions of other variants of its frame, K distinct variants in all, the
  mention's own included; default 2) or ``{cue: phrase or [phrases], within:
  sentence | paragraph | N, side: before | after | either, next_sentences: K}``: a cue
  phrase occurs in the mention's sentence (with ``next_sentences`` the K sentences after
  it too), its paragraph (line), or within N tokens of it (0: directly adjacent); a cue
  overlapping the mention and reaching beyond it ("gender equality" around "equality")
  is at distance 0.

A pattern is a phrase string or ``{phrase: str, only_in_list: bool, requires: ...,
unless: ..., note: str}``. Ids are lower case ``[a-z][a-z0-9_]*``. After normalisation
no phrase may appear twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import LexiconError

__all__ = ["Lexicon", "FrameSpec", "VariantSpec", "PatternSpec", "RuleSpec", "EnumerationSpec", "ConditionSpec",
           "load_lexicon", "canonical_phrase", "DEFAULT_LEXICON", "PACKAGED_LEXICONS"]

#: File name of the packaged lexicon (in ``sco_discourse/lexicons``).
DEFAULT_LEXICON = "codebook_v2.yaml"
#: Every packaged lexicon file; ``load_lexicon("codebook_v1.yaml")`` reads one by its name.
PACKAGED_LEXICONS = ("codebook_v1.yaml", "codebook_v2.yaml")
#: Window sizes a cue condition understands besides a number of tokens.
WINDOWS = ("sentence", "paragraph")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_NORM_TABLE = None


def canonical_phrase(phrase: str) -> str:
    """The form a phrase is matched in: normalised, lower case, hyphens and runs of white
    space as one space.

    Examples
    --------
    >>> canonical_phrase("Win–win  \\n Cooperation")
    'win win cooperation'
    """
    from ..text import normalize

    return " ".join(normalize(phrase).lower().replace("-", " ").split())


# --------------------------------------------------------------------------- data classes
@dataclass(frozen=True)
class ConditionSpec:
    """One context condition of a ``requires``/``unless`` rule.

    ``kind`` is ``"in_list"`` or ``"cue"``; a cue condition holds when one of ``cues``
    (canonical phrases) occurs within ``within`` ("sentence", "paragraph" or a number of
    tokens) on ``side`` ("before", "after", "either") of the mention.
    """

    kind: str
    cues: tuple[str, ...] = ()
    within: str | int = "sentence"
    side: str = "either"
    next_sentences: int = 0
    entry: str = ""
    min_variants: int = 2    # in_list: distinct variants the list must name, the mention's own included


@dataclass(frozen=True)
class PatternSpec:
    """One phrase of a frame: where it is declared and how it counts."""

    phrase: str          # as written in the file
    canonical: str       # canonical form (see canonical_phrase)
    frame: str
    variant: str | None  # None: assigned by the frame's variant rules
    only_in_list: bool = False
    entry: str = ""      # where in the file, for messages
    exclude: bool = False
    requires: tuple[ConditionSpec, ...] = ()   # any one suffices
    unless: tuple[ConditionSpec, ...] = ()     # any one vetoes


@dataclass(frozen=True)
class VariantSpec:
    """The context rules of one variant declared as a mapping (``since``, ``specific``,
    ``requires``, ``unless``); a variant without rules has the defaults."""

    id: str
    since: int | None = None
    specific: bool | None = None       # None: as the frame
    requires: tuple[ConditionSpec, ...] = ()
    unless: tuple[ConditionSpec, ...] = ()
    entry: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A scope rule: the variant applies when a ``before``/``after`` phrase is adjacent."""

    variant: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    entry: str = ""


@dataclass(frozen=True)
class EnumerationSpec:
    """A coordinated list that counts once per item (``each``) or once in all (``once``)."""

    items: tuple[tuple[str, tuple[str, ...]], ...]   # (key, canonical phrases)
    lead: tuple[str, ...] = ()
    trail: tuple[str, ...] = ()
    count: str = "each"
    variant: str | None = None
    distinct: bool = False
    min_items: int = 2
    entry: str = ""


@dataclass(frozen=True)
class FrameSpec:
    """One frame: its variants (in file order), phrases, rules and display names.

    ``label`` names the frame in prose, ``short_label`` on a figure's axis or legend;
    ``variant_labels`` holds the labels the file gives its variants (see
    :meth:`variant_label` for the others).
    """

    id: str
    label: str
    description: str
    variants: tuple[str, ...]
    patterns: tuple[PatternSpec, ...]
    rules: tuple[RuleSpec, ...] = ()
    default_variant: str | None = None
    enumerations: tuple[EnumerationSpec, ...] = ()
    excludes: tuple[PatternSpec, ...] = ()
    short_label: str = ""
    variant_labels: dict[str, str] = field(default_factory=dict, compare=False)
    since: int | None = None
    specific: bool = True
    requires: tuple[ConditionSpec, ...] = ()
    unless: tuple[ConditionSpec, ...] = ()
    variant_specs: dict[str, VariantSpec] = field(default_factory=dict)
    entry: str = ""

    def variant_label(self, variant: str) -> str:
        """The display name of a variant: its ``label`` in the file, else the id with spaces.

        Examples
        --------
        >>> spec = load_lexicon().frames["shared_future"]
        >>> spec.variant_label("bilateral_regional"), spec.variant_label("unqualified")
        ('bilateral / regional', 'unqualified')
        """
        if variant not in self.variants:
            raise KeyError(f"{variant!r} is not a variant of frame {self.id!r} ({', '.join(self.variants)})")
        return self.variant_labels.get(variant, variant.replace("_", " "))

    def since_for(self, variant: str | None) -> int | None:
        """The first year a mention of ``variant`` counts (the variant's, else the frame's)."""
        spec = self.variant_specs.get(variant or "")
        if spec is not None and spec.since is not None:
            return spec.since
        return self.since

    def is_specific(self, variant: str | None = None) -> bool:
        """False when the frame (or the variant) is marked ``specific: false``."""
        spec = self.variant_specs.get(variant or "")
        if spec is not None and spec.specific is not None:
            return spec.specific
        return self.specific


@dataclass(frozen=True)
class Lexicon:
    """A checked frame lexicon. Build it with :func:`load_lexicon`.

    Attributes
    ----------
    name, version : str
        Recorded with every result (``label`` is ``"name version"``).
    frames : dict of str to FrameSpec
        In file order.
    inflections : dict of str to str
    gazetteer : dict of str to tuple of str
        Canonical phrases of each named list.
    source : str
        The file it was read from.
    digest : str
        SHA-256 of the file's bytes: identifies an edited copy with an unchanged version.
    """

    name: str
    version: str
    description: str
    provenance: str
    frames: dict[str, FrameSpec]
    inflections: dict[str, str]
    gazetteer: dict[str, tuple[str, ...]]
    source: str
    digest: str
    raw: dict = field(repr=False, compare=False, default_factory=dict)
    text: str = field(repr=False, compare=False, default="")

    @property
    def label(self) -> str:
        """``"name version"``, e.g. ``"sco_codebook 1.1.0"``."""
        return f"{self.name} {self.version}"

    @property
    def frame_ids(self) -> list[str]:
        return list(self.frames)

    def frame_labels(self, *, short: bool = True) -> dict[str, str]:
        """Frame id → display name, in file order (``short_label``, or ``label`` with ``short=False``).

        Examples
        --------
        >>> labels = load_lexicon().frame_labels()
        >>> list(labels)[:2], labels["new_international_relations"]
        (['shared_future', 'four_communities'], 'new intl. relations')
        """
        return {f.id: (f.short_label or f.label) if short else f.label for f in self.frames.values()}

    def variant_labels(self, frame: str) -> dict[str, str]:
        """Variant id → display name for one frame, in the order the file gives the variants.

        Examples
        --------
        >>> load_lexicon().variant_labels("four_communities")["culture"]
        'cultural exchanges'
        """
        if frame not in self.frames:
            raise KeyError(f"{frame!r} is not a frame of lexicon {self.label} ({', '.join(self.frames)})")
        spec = self.frames[frame]
        return {v: spec.variant_label(v) for v in spec.variants}

    def keys(self) -> list[tuple[str, str]]:
        """Every (frame, variant) row of a counts table, ``variant`` "" for the frame total.

        Examples
        --------
        >>> load_lexicon().keys()[:3]
        [('shared_future', ''), ('shared_future', 'mankind'), ('shared_future', 'humankind')]
        """
        out: list[tuple[str, str]] = []
        for frame in self.frames.values():
            out.append((frame.id, ""))
            out.extend((frame.id, v) for v in frame.variants)
        return out

    def key_table(self):
        """One row per (frame, variant) key of :meth:`keys`, with the frame's label and its
        context flags: what a counts table or a figure needs to show them.

        Returns
        -------
        pandas.DataFrame
            ``frame, variant, label, specific, since``: ``variant`` "" is the frame's
            total row; ``specific`` is False for generic vocabulary (``specific: false``;
            a total row is specific only when every variant is); ``since`` is the first
            year that counts (``<NA>`` for none; a total row: the frame's own).

        Examples
        --------
        >>> table = load_lexicon().key_table()
        >>> table.query("frame == 'multilateralism'")[["variant", "specific"]].values.tolist()
        [['', False], ['true', True], ['generic', False]]
        >>> int(table.query("frame == 'global_initiatives' and variant == 'security'")["since"].iloc[0])
        2022
        """
        import pandas as pd

        rows = []
        for frame in self.frames.values():
            variant_flags = [frame.is_specific(v) for v in frame.variants]
            rows.append((frame.id, "", frame.label, all(variant_flags) if variant_flags else frame.specific,
                         frame.since))
            rows.extend((frame.id, v, frame.label, frame.is_specific(v), frame.since_for(v)) for v in frame.variants)
        table = pd.DataFrame(rows, columns=["frame", "variant", "label", "specific", "since"])
        return table.astype({"specific": bool, "since": "Int64"})

    def __repr__(self) -> str:
        return f"<Lexicon {self.label!r} from {self.source}: {len(self.frames)} frames>"


# --------------------------------------------------------------------------- loading
def load_lexicon(path: str | Path | "Lexicon" | None = None) -> Lexicon:
    """Read and check a frame lexicon; with no argument, the packaged codebook lexicon.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the format of ``codebook_v2.yaml``, or the name of a packaged
        lexicon (:data:`PACKAGED_LEXICONS`, e.g. ``"codebook_v1.yaml"`` for the lexicon
        of codebook v1). A :class:`Lexicon` is returned unchanged.

    Returns
    -------
    Lexicon

    Raises
    ------
    LexiconError
        The file is missing, is not YAML, or an entry breaks the schema; the message
        names the file and the entry.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> lex.label
    'sco_codebook 2.0.0'
    >>> lex.frames["shared_future"].variants
    ('mankind', 'humankind', 'humanity', 'sco', 'bilateral_regional', 'unqualified')
    >>> load_lexicon("codebook_v1.yaml").label
    'sco_codebook 1.1.0'
    """
    if isinstance(path, Lexicon):
        return path
    if path is None or (isinstance(path, str) and path in PACKAGED_LEXICONS and not Path(path).is_file()):
        name = DEFAULT_LEXICON if path is None else path
        # a packaged file cannot change while the package is loaded: parse it once
        if name not in _PACKAGED:
            text = resources.files("sco_discourse.lexicons").joinpath(name).read_text("utf-8")
            _PACKAGED[name] = parse_lexicon(text, source=f"<package>/sco_discourse/lexicons/{name}")
        return _PACKAGED[name]
    else:
        file = Path(path)
        if not file.is_file():
            raise LexiconError(f"{file}: lexicon file not found")
        try:
            text = file.read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise LexiconError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        source = str(file)
    return parse_lexicon(text, source=source)


_PACKAGED: dict[str, "Lexicon"] = {}


def parse_lexicon(text: str, *, source: str = "<string>") -> Lexicon:
    """Check YAML text as a lexicon (see :func:`load_lexicon`)."""
    import yaml

    try:
        data = yaml.load(text, Loader=_unique_keys_loader())
    except _DuplicateKey as exc:
        raise LexiconError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        raise LexiconError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    checker = _Checker(source)
    lexicon = checker.lexicon(data)
    return Lexicon(**lexicon, source=source, digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   raw=data, text=text)


class _DuplicateKey(Exception):
    pass


_LOADERS: dict[str, type] = {}


def _unique_keys_loader() -> type:
    """PyYAML's safe loader (the C parser when built) that refuses a key given twice in one
    mapping: YAML's default keeps the last, so a frame or variant declared twice would
    silently drop the first."""
    if "unique" not in _LOADERS:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node, deep=False):
                seen: dict = {}
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=True)
                    try:
                        first = seen.get(key)
                    except TypeError:  # an unhashable key: the base constructor reports it
                        continue
                    if first is not None:
                        raise _DuplicateKey(
                            f"entry {key!r} is given twice in one mapping (line {first.start_mark.line + 1} and "
                            f"line {key_node.start_mark.line + 1}); YAML would keep only the second: merge them "
                            f"or rename one")
                    seen[key] = key_node
                return super().construct_mapping(node, deep=deep)

        _LOADERS["unique"] = UniqueKeyLoader
    return _LOADERS["unique"]


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, entry: str, message: str):
        raise LexiconError(f"{self.source}: entry {entry}: {message}")

    # -- generic helpers -------------------------------------------------------------
    def mapping(self, value: Any, entry: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(entry, f"expected a mapping (key: value lines), got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                self.fail(entry, f"key {key!r} is not text")
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.fail(f"{entry}.{unknown[0]}" if entry else unknown[0],
                      f"unknown key {unknown[0]!r}; allowed keys are {sorted(allowed)}")
        missing = sorted(required - set(value))
        if missing:
            self.fail(entry or "(top level)", f"missing required key {missing[0]!r}")
        return value

    def string(self, value: Any, entry: str, *, allow_empty: bool = False) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and entry.endswith("version"):
            value = str(value)
        if not isinstance(value, str):
            self.fail(entry, f"expected text, got {_kind(value)}")
        if not allow_empty and not value.strip():
            self.fail(entry, "is empty")
        return value

    def ident(self, value: Any, entry: str) -> str:
        if not isinstance(value, str) or not _ID_RE.match(value):
            self.fail(entry, f"id {value!r} must be lower case letters, digits and _ and start with a letter")
        return value

    def string_list(self, value: Any, entry: str, *, allow_empty: bool = False) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(entry, f"expected a list of phrases, got {_kind(value)}")
        if not value and not allow_empty:
            self.fail(entry, "is an empty list")
        return [self.string(v, f"{entry}[{i}]") for i, v in enumerate(value)]

    def phrase(self, value: Any, entry: str) -> str:
        text = self.string(value, entry)
        canon = canonical_phrase(text)
        if not canon:
            self.fail(entry, f"phrase {text!r} has no words")
        if not (_is_word_char(canon[0]) and _is_word_char(canon[-1])):
            self.fail(entry, f"phrase {text!r} must begin and end with a letter or digit (quotes and "
                             f"punctuation around a phrase are ignored in matching anyway)")
        return canon

    # -- the lexicon -------------------------------------------------------------------
    def lexicon(self, data: Any) -> dict:
        if data is None:
            raise LexiconError(f"{self.source}: the file is empty")
        top = self.mapping(data, "", {"name", "version", "description", "provenance", "inflections",
                                      "gazetteer", "frames"}, {"name", "version", "provenance", "frames"})
        name = self.string(top["name"], "name")
        version = self.string(top["version"], "version")
        description = self.string(top.get("description", ""), "description", allow_empty=True)
        provenance = self.string(top["provenance"], "provenance")
        inflections: dict[str, str] = {}
        raw_infl = top.get("inflections") or {}
        self.mapping(raw_infl, "inflections", set(raw_infl) if isinstance(raw_infl, dict) else set())
        for singular, plural in raw_infl.items():
            entry = f"inflections.{singular}"
            s, p = canonical_phrase(singular), canonical_phrase(self.string(plural, entry))
            if " " in s or " " in p or not s or not p:
                self.fail(entry, "singular and plural must be single words")
            inflections[s] = p
        self.inflections = inflections
        gazetteer: dict[str, tuple[str, ...]] = {}
        raw_gaz = top.get("gazetteer") or {}
        self.mapping(raw_gaz, "gazetteer", set(raw_gaz) if isinstance(raw_gaz, dict) else set())
        for list_name, values in raw_gaz.items():
            self.ident(list_name, f"gazetteer.{list_name}")
            phrases = [self.phrase(v, f"gazetteer.{list_name}[{i}]")
                       for i, v in enumerate(self.string_list(values, f"gazetteer.{list_name}"))]
            gazetteer[list_name] = tuple(dict.fromkeys(phrases))
        self.gazetteer = gazetteer
        frames_raw = top["frames"]
        if not isinstance(frames_raw, dict) or not frames_raw:
            self.fail("frames", "expected a non-empty mapping of frame ids to frames")
        frames: dict[str, FrameSpec] = {}
        self.seen: dict[str, str] = {}  # canonical phrase (inflected) -> entry
        for frame_id, body in frames_raw.items():
            self.ident(frame_id, f"frames.{frame_id}")
            frames[frame_id] = self.frame(frame_id, body)
        return dict(name=name, version=version, description=description, provenance=provenance,
                    frames=frames, inflections=inflections, gazetteer=gazetteer)

    def frame(self, frame_id: str, body: Any) -> FrameSpec:
        entry = f"frames.{frame_id}"
        if body is None:
            self.fail(entry, "is empty: give it patterns or variants")
        body = self.mapping(body, entry, {"label", "short_label", "description", "patterns", "variants",
                                          "variant_rules", "default_variant", "variant_labels", "enumerations",
                                          "exclude", "specific"} | _CONTEXT_KEYS)
        label = self.string(body.get("label", frame_id), f"{entry}.label")
        short_label = self.string(body.get("short_label", label), f"{entry}.short_label")
        description = self.string(body.get("description", ""), f"{entry}.description", allow_empty=True)
        has_variants = "variants" in body
        if has_variants and "patterns" in body:
            self.fail(entry, "give either 'patterns' (variants from rules) or 'variants', not both")
        if has_variants and ("variant_rules" in body or "default_variant" in body):
            self.fail(entry, "'variant_rules'/'default_variant' apply to frame-level 'patterns', not to 'variants'")
        if has_variants and "variant_labels" in body:
            self.fail(f"{entry}.variant_labels", "with 'variants', give each variant its own 'label' instead")
        if not has_variants and "patterns" not in body:
            self.fail(entry, "has no 'patterns' and no 'variants'")
        patterns: list[PatternSpec] = []
        variants: list[str] = []
        variant_labels: dict[str, str] = {}
        rules: list[RuleSpec] = []
        default_variant = None
        since = self.year(body["since"], f"{entry}.since") if "since" in body else None
        specific = self.boolean(body.get("specific", True), f"{entry}.specific")
        requires, unless = self.context_rules(body, entry)
        variant_specs: dict[str, VariantSpec] = {}
        if has_variants:
            raw_variants = body["variants"]
            if not isinstance(raw_variants, dict) or not raw_variants:
                self.fail(f"{entry}.variants", "expected a non-empty mapping of variant ids to patterns")
            for variant_id, vbody in raw_variants.items():
                ventry = f"{entry}.variants.{variant_id}"
                self.ident(variant_id, ventry)
                if isinstance(vbody, list) or vbody is None:
                    vpatterns = vbody or []
                else:
                    vbody = self.mapping(vbody, ventry, {"label", "description", "patterns", "specific"} | _CONTEXT_KEYS)
                    vpatterns = vbody.get("patterns") or []
                    if "label" in vbody:
                        variant_labels[variant_id] = self.string(vbody["label"], f"{ventry}.label")
                    vsince = self.year(vbody["since"], f"{ventry}.since") if "since" in vbody else None
                    if vsince is not None and since is not None and vsince <= since:
                        self.fail(f"{ventry}.since", f"{vsince} is not later than the frame's since ({since}): "
                                                     f"a variant can only start later than its frame")
                    vrequires, vunless = self.context_rules(vbody, ventry)
                    vspecific = (self.boolean(vbody["specific"], f"{ventry}.specific")
                                 if "specific" in vbody else None)
                    variant_specs[variant_id] = VariantSpec(variant_id, since=vsince, specific=vspecific,
                                                            requires=vrequires, unless=vunless, entry=ventry)
                if not isinstance(vpatterns, list):
                    self.fail(f"{ventry}.patterns", f"expected a list of phrases, got {_kind(vpatterns)}")
                variants.append(variant_id)
                for i, p in enumerate(vpatterns):
                    patterns.append(self.pattern(p, f"{ventry}.patterns[{i}]", frame_id, variant_id))
        else:
            raw_patterns = body["patterns"]
            if not isinstance(raw_patterns, list) or not raw_patterns:
                self.fail(f"{entry}.patterns", "expected a non-empty list of phrases")
            for i, p in enumerate(raw_patterns):
                patterns.append(self.pattern(p, f"{entry}.patterns[{i}]", frame_id, None))
            if "variant_rules" in body:
                if "default_variant" not in body:
                    self.fail(entry, "'variant_rules' needs a 'default_variant' for mentions no rule applies to")
                raw_rules = body["variant_rules"]
                if not isinstance(raw_rules, list) or not raw_rules:
                    self.fail(f"{entry}.variant_rules", "expected a non-empty list of rules")
                for i, r in enumerate(raw_rules):
                    rule = self.rule(r, f"{entry}.variant_rules[{i}]")
                    rules.append(rule)
                    if rule.variant not in variants:
                        variants.append(rule.variant)
                default_variant = self.ident(body["default_variant"], f"{entry}.default_variant")
                if default_variant not in variants:
                    variants.append(default_variant)
            elif "default_variant" in body:
                self.fail(f"{entry}.default_variant", "is only meaningful with 'variant_rules'")
            if "variant_labels" in body:
                raw_labels = self.mapping(body["variant_labels"], f"{entry}.variant_labels", set(variants))
                for variant_id, text in raw_labels.items():
                    variant_labels[variant_id] = self.string(text, f"{entry}.variant_labels.{variant_id}")
        in_list = [p.entry for p in patterns if any(c.kind == "in_list" for c in p.requires)]
        in_list += [v.entry for v in variant_specs.values() if any(c.kind == "in_list" for c in v.requires)]
        if any(c.kind == "in_list" for c in requires):
            in_list.append(entry)
        if in_list and len(variants) < 2:
            self.fail(in_list[0] if in_list[0] != entry else entry,
                      "'only_in_list' / 'in_list' needs at least two variants in the frame (a value counts "
                      "in a list with a mention of another variant)")
        enumerations = []
        raw_enums = body.get("enumerations") or []
        if not isinstance(raw_enums, list):
            self.fail(f"{entry}.enumerations", f"expected a list, got {_kind(raw_enums)}")
        for i, e in enumerate(raw_enums):
            enumerations.append(self.enumeration(e, f"{entry}.enumerations[{i}]", variants))
        excludes = []
        for i, phrase in enumerate(self.string_list(body.get("exclude", []), f"{entry}.exclude", allow_empty=True)):
            canon = self.phrase(phrase, f"{entry}.exclude[{i}]")
            excludes.append(PatternSpec(phrase, canon, frame_id, None, entry=f"{entry}.exclude[{i}]", exclude=True))
            self.register(canon, f"{entry}.exclude[{i}]")
        return FrameSpec(id=frame_id, label=label, description=description, variants=tuple(variants),
                         patterns=tuple(patterns), rules=tuple(rules), default_variant=default_variant,
                         enumerations=tuple(enumerations), excludes=tuple(excludes), short_label=short_label,
                         variant_labels=variant_labels, since=since, specific=specific, requires=requires,
                         unless=unless, variant_specs=variant_specs, entry=entry)

    def register(self, canon: str, entry: str) -> None:
        for form in inflected_forms(canon, self.inflections):
            if form in self.seen:
                self.fail(entry, f"phrase {form!r} is already declared at {self.seen[form]}; "
                                 f"a span can count for one frame and variant only")
            self.seen[form] = entry

    def pattern(self, value: Any, entry: str, frame_id: str, variant: str | None) -> PatternSpec:
        only_in_list = False
        requires: tuple[ConditionSpec, ...] = ()
        unless: tuple[ConditionSpec, ...] = ()
        if isinstance(value, dict):
            value = self.mapping(value, entry, {"phrase", "only_in_list", "requires", "unless", "note"}, {"phrase"})
            if "note" in value:
                self.string(value["note"], f"{entry}.note")
            requires, unless = self.context_rules(value, entry)
            only_in_list = any(c.kind == "in_list" for c in requires)
            value = value["phrase"]
            entry_phrase = f"{entry}.phrase"
        else:
            entry_phrase = entry
        canon = self.phrase(value, entry_phrase)
        self.register(canon, entry)
        return PatternSpec(value, canon, frame_id, variant, only_in_list=only_in_list, entry=entry,
                           requires=requires, unless=unless)

    # -- context rules ---------------------------------------------------------------
    def boolean(self, value: Any, entry: str) -> bool:
        if not isinstance(value, bool):
            self.fail(entry, f"expected true or false, got {value!r}")
        return value

    def year(self, value: Any, entry: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1000 <= value <= 9999:
            self.fail(entry, f"expected a year (four digits), got {value!r}")
        return value

    def context_rules(self, body: dict, entry: str) -> tuple[tuple[ConditionSpec, ...], tuple[ConditionSpec, ...]]:
        """``requires`` (with ``only_in_list``) and ``unless`` of a frame, variant or pattern."""
        requires: list[ConditionSpec] = []
        if "only_in_list" in body:
            if self.boolean(body["only_in_list"], f"{entry}.only_in_list"):
                if "requires" in body:
                    self.fail(f"{entry}.only_in_list", "give either 'only_in_list' or 'requires'; to accept a list "
                                                       "or a cue write requires: [{in_list: true}, {cue: ...}]")
                requires.append(ConditionSpec("in_list", entry=f"{entry}.only_in_list"))
        if "requires" in body:
            requires.extend(self.conditions(body["requires"], f"{entry}.requires", allow_list=True))
        unless = self.conditions(body["unless"], f"{entry}.unless", allow_list=False) if "unless" in body else []
        return tuple(requires), tuple(unless)

    def conditions(self, value: Any, entry: str, *, allow_list: bool) -> list[ConditionSpec]:
        items = value if isinstance(value, list) else [value]
        if not items:
            self.fail(entry, "is an empty list; give at least one condition or remove the key")
        return [self.condition(item, f"{entry}[{i}]" if isinstance(value, list) else entry, allow_list=allow_list)
                for i, item in enumerate(items)]

    def condition(self, value: Any, entry: str, *, allow_list: bool) -> ConditionSpec:
        if not isinstance(value, dict):
            self.fail(entry, f"a condition is a mapping such as {{cue: [phrase], within: sentence}} or "
                             f"{{in_list: true}}, got {_kind(value)}")
        if "in_list" in value:
            value = self.mapping(value, entry, {"in_list", "min_variants", "note"})
            if not allow_list:
                self.fail(f"{entry}.in_list", "'in_list' is a condition of 'requires' only (to forbid lists, "
                                              "name the list words as cues)")
            if value["in_list"] is not True:
                self.fail(f"{entry}.in_list", f"expected true, got {value['in_list']!r}")
            least = value.get("min_variants", 2)
            if isinstance(least, bool) or not isinstance(least, int) or least < 2:
                self.fail(f"{entry}.min_variants", f"expected a whole number of at least 2, got {least!r}")
            return ConditionSpec("in_list", entry=entry, min_variants=least)
        value = self.mapping(value, entry, {"cue", "within", "side", "next_sentences", "note"}, {"cue"})
        cues = tuple(self.phrase(p, f"{entry}.cue[{i}]")
                     for i, p in enumerate(self.string_list(value["cue"], f"{entry}.cue")))
        within = value.get("within", "sentence")
        if isinstance(within, bool) or not (within in WINDOWS or (isinstance(within, int) and within >= 0)):
            self.fail(f"{entry}.within", f"expected 'sentence', 'paragraph' or a whole number of tokens >= 0, "
                                         f"got {within!r}")
        side = value.get("side", "either")
        if side not in ("before", "after", "either"):
            self.fail(f"{entry}.side", f"expected 'before', 'after' or 'either', got {side!r}")
        next_sentences = value.get("next_sentences", 0)
        if isinstance(next_sentences, bool) or not isinstance(next_sentences, int) or next_sentences < 0:
            self.fail(f"{entry}.next_sentences", f"expected a whole number >= 0, got {next_sentences!r}")
        if next_sentences and within != "sentence":
            self.fail(f"{entry}.next_sentences", "only meaningful with within: sentence")
        if "note" in value:
            self.string(value["note"], f"{entry}.note")
        return ConditionSpec("cue", cues=cues, within=within, side=side, next_sentences=next_sentences, entry=entry)

    def rule(self, value: Any, entry: str) -> RuleSpec:
        value = self.mapping(value, entry, {"variant", "before", "after", "note"}, {"variant"})
        variant = self.ident(value["variant"], f"{entry}.variant")
        if "before" not in value and "after" not in value:
            self.fail(entry, "a rule needs 'before' and/or 'after' phrases")
        before = tuple(self.rule_phrase(p, f"{entry}.before[{i}]")
                       for i, p in enumerate(self.string_list(value.get("before", []), f"{entry}.before",
                                                              allow_empty=True)))
        after = tuple(self.rule_phrase(p, f"{entry}.after[{i}]")
                      for i, p in enumerate(self.string_list(value.get("after", []), f"{entry}.after",
                                                             allow_empty=True)))
        if not before and not after:
            self.fail(entry, "a rule needs at least one 'before' or 'after' phrase")
        return RuleSpec(variant=variant, before=before, after=after, entry=entry)

    def rule_phrase(self, value: str, entry: str) -> str:
        for name in re.findall(r"\{([^}]*)\}", value):
            if name not in self.gazetteer:
                self.fail(entry, f"{{{name}}} names no gazetteer list; lists are {sorted(self.gazetteer)}")
        if re.search(r"\[[^\]]*\[|\][^\[]*\]|\{[^}]*\{", value) or value.count("[") != value.count("]"):
            self.fail(entry, f"unbalanced brackets in {value!r}")
        stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " x ", value)
        if not canonical_phrase(stripped):
            self.fail(entry, f"rule phrase {value!r} has no words")
        return value

    def enumeration(self, value: Any, entry: str, variants: list[str]) -> EnumerationSpec:
        value = self.mapping(value, entry, {"lead", "trail", "items", "count", "variant", "distinct",
                                            "min_items", "note"}, {"items", "count"})
        count = value["count"]
        if count not in ("each", "once"):
            self.fail(f"{entry}.count", f"must be 'each' or 'once', got {count!r}")
        items_raw = value["items"]
        if not isinstance(items_raw, dict) or len(items_raw) < 2:
            self.fail(f"{entry}.items", "expected a mapping of at least two item keys to phrases")
        items = []
        for key, phrases in items_raw.items():
            ientry = f"{entry}.items.{key}"
            self.ident(key, ientry)
            if count == "each" and key not in variants:
                self.fail(ientry, f"with count: each the item key is the variant; {key!r} is not a variant "
                                  f"of this frame ({', '.join(variants)})")
            canon = tuple(self.phrase(p, f"{ientry}[{i}]")
                          for i, p in enumerate(self.string_list(phrases, ientry)))
            items.append((key, canon))
        lead = tuple(self.phrase(p, f"{entry}.lead[{i}]")
                     for i, p in enumerate(self.string_list(value.get("lead", []), f"{entry}.lead", allow_empty=True)))
        trail = tuple(self.phrase(p, f"{entry}.trail[{i}]")
                      for i, p in enumerate(self.string_list(value.get("trail", []), f"{entry}.trail",
                                                             allow_empty=True)))
        variant = value.get("variant")
        if count == "once":
            if variant is None:
                self.fail(entry, "count: once needs the 'variant' the whole list counts for")
            self.ident(variant, f"{entry}.variant")
            if variant not in variants:
                self.fail(f"{entry}.variant", f"{variant!r} is not a variant of this frame ({', '.join(variants)})")
        elif variant is not None:
            self.fail(f"{entry}.variant", "with count: each the variant is the item key; remove 'variant'")
        distinct = value.get("distinct", False)
        if not isinstance(distinct, bool):
            self.fail(f"{entry}.distinct", f"expected true or false, got {distinct!r}")
        min_items = value.get("min_items", 2)
        if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 2:
            self.fail(f"{entry}.min_items", f"expected a whole number of at least 2, got {min_items!r}")
        if distinct and min_items > len(items):
            self.fail(f"{entry}.min_items", f"{min_items} distinct items required but only {len(items)} keys given")
        return EnumerationSpec(items=tuple(items), lead=lead, trail=trail, count=count, variant=variant,
                               distinct=distinct, min_items=min_items, entry=entry)


_CONTEXT_KEYS = {"since", "requires", "unless", "only_in_list"}


def inflected_forms(canon: str, inflections: dict[str, str]) -> list[str]:
    """The canonical phrase with each inflectable word singular or plural (all combinations).

    Examples
    --------
    >>> inflected_forms("community of health", {"community": "communities"})
    ['community of health', 'communities of health']
    """
    words = canon.split(" ")
    forms = [[]]
    for word in words:
        options = [word] if word not in inflections else [word, inflections[word]]
        forms = [f + [o] for f in forms for o in options]
    return [" ".join(f) for f in forms]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)
