"""From raw web-page text to article text: named, general, deterministic rules.

A news page saved as text carries the article (headline, standfirst, body) inside web
furniture: navigation, breadcrumbs, bylines, publication stamps, photo captions, links
to other stories, comment forms, cookie banners, disclaimers and copyright footers.
:func:`clean_text` removes that furniture by **rules with names**, and records every
span it removed, so a count can always be traced back to the page
(:func:`explain`, ``sco-discourse corpus show ID --explain``).

Principles
----------
* **The raw text is never modified.** :func:`clean_text` returns a new string and the
  list of removed spans; every span's ``start``/``end`` are offsets into the raw text
  and ``raw[start:end] == span.text``.
* **Rules are general.** Each rule is a regular expression or a layout heuristic that
  recognises a *kind* of furniture (a breadcrumb, a caption credit, a teaser card), so
  that other pages from the same sites are cleaned by it too. No rule holds an offset
  or a phrase taken from one particular story.
* **Deterministic.** No randomness, no network, no model: the same raw text always gives
  the same result.
* **Whitespace.** The cleaned text is the raw text with the removed spans cut out, each
  line stripped of surrounding blanks, and runs of blank lines collapsed to one blank
  line (leading and trailing blank lines dropped). A line break therefore still marks a
  paragraph, which the frame matcher relies on. A removed line leaves a paragraph break.

What is kept, and why
---------------------
* The **headline** (the first line that no rule removes), the **standfirst** and the
  **body**, including cross-heads (section headings inside the article) and datelines
  that open the first paragraph ("BEIJING, Nov. 12 (Xinhua) -- ...").
* A standfirst sentence repeated in the body is article text and is **kept twice**
  (codebook, counting rule 1). Only the *headline* is treated as a duplicate when a page
  repeats it, because the repeat is produced by the page template, not written by the
  author.

Decisions on metadata lines
---------------------------
Publication stamps ("Source: Xinhua| 2020-11-12 15:44:58|Editor: huaxia",
"Release time: Jul 01, 2024 08:34 AM", "Source of this article: Xinhuanet Author: ...")
and bylines ("by admin", "by Xinhua writers ...", "Xinhua News Agency reporter") are
**removed** as metadata: their information (outlet, original source, date) belongs in the
corpus manifest, not in the text whose tokens are counted, and leaving them in would add
words such as "Source", "Editor" or the agency name to keyword and topic counts of some
outlets but not of others.

Photo captions are **removed** too. They describe pictures (often taken years before the
article), they are added or dropped when an article is republished (the same Xinhua text
has captions on one site and none on another), and keeping them would make frame rates
depend on the page layout rather than on the article. Captions are recognised by their
credit ("(Photo by ...)", "(Xinhua/Name)", "Photo by reporter Name"), by "(photo taken
on ...)", or by a caption opening with a date ("This is a photo of ... on April 3, 2023").
A second, more heuristic rule, ``photo_caption_dated``, removes a one-sentence paragraph
that opens with a full date ("On April 12, 2023, ...") and contains no quotation — the
Xinhua caption form without a credit — but only on a page where ``photo_caption`` found
captions, so that a one-sentence paragraph of history ("On June 15, 2001, the SCO was
founded.") on a page without pictures is kept. It can be switched off with
``skip=("photo_caption_dated",)``; the removed
captions are always listed by :func:`explain`.

The rules
---------
They run in this order; a line removed by an earlier rule is not looked at again.

==========================  =================================================================
rule                        removes
==========================  =================================================================
``breadcrumb``              "Home » Section » Title", "You are here: ...", "World › Asia › Title"
``site_navigation``         menu labels and share buttons on a line of their own ("Connect
                            with us", "About Us", "Facebook", ...) and navigation blocks:
                            three or more adjacent short label lines / "a | b | c" link lists
                            that include a menu label, a link list or a copyright line
``publication_metadata``    "Source: ...", "Release time: ...", "Editor: ...", "Source of this
                            article: ...", "Tags: ...", "Published on <date>", and short lines
                            holding a date and "Source:"
``byline``                  "by admin", "by Xinhua writers ...", "Xinhua News Agency reporter"
``see_also``                "See also <title of another story>", "Read also: ...", "Related: ..."
``continue_reading``        "Continue Reading", "Read more", "Read full story"
``cookie_banner``           "This website uses cookies ...", "Privacy & Cookies Policy", ...
``site_disclaimer``         "Statement: The information provided on this website ...",
                            "Disclaimer: ...", "The views expressed ... do not necessarily ..."
``copyright_footer``        "Copyright ©/<year> ...", a short "Copyright <owner>" line, "© ...",
                            "All rights reserved", ICP licence numbers
``comment_form``            "Leave a Comment" / "Leave a Reply" and everything after it not
                            claimed by an earlier rule, "This site uses Akismet ...", "Your
                            email address will not be published", ...
``contributor_credit``      "(Xinhua reporters ... contributed to the story.)", a line
                            "(Edited by ...)", and a trailing "(Reporters A, B, C)" at the end
                            of a paragraph
``photo_caption``           captions recognised by a photo credit or caption opening
``photo_caption_dated``     one-sentence paragraphs "On <Month> <day>, <year>, ..." without
                            quotation (credit-less captions), on pages where
                            ``photo_caption`` found captions
``teaser_block``            teaser cards for other stories: a title line ending in a tag list
                            ("Title | culture | era") shown twice, plus its teaser paragraph
``related_block``           "You may also like" / "Related articles" / "Most read" and
                            everything after it
``repeated_headline``       later lines that repeat the headline verbatim, or nearly so after
                            a wire prefix ("Xinhua News Agency, Beijing, September 12.
                            Topic: <headline>")
``headline_site_suffix``    a site name glued to the end of the headline
                            ("<headline>-Shanghai Hotline News channel")
``end_marker``              wire end marks at the end of a paragraph ("Enditem", "(END)")
==========================  =================================================================

Examples
--------
>>> page = "\\n".join([
...     "Home » World » SCO leaders meet",
...     "SCO leaders meet",
...     "by admin",
...     "SCO leaders met on Tuesday.",
...     "",
...     "They agreed to meet again. Enditem",
...     "Leave a Comment",
... ])
>>> print(clean_text(page).text)
SCO leaders meet
<BLANKLINE>
SCO leaders met on Tuesday.
<BLANKLINE>
They agreed to meet again.
>>> explain(page)[["rule", "text"]]
             rule                             text
0      breadcrumb  Home » World » SCO leaders meet
1          byline                         by admin
2      end_marker                          Enditem
3    comment_form                  Leave a Comment
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

import pandas as pd

from ..errors import InputError

__all__ = ["CleanResult", "RemovedSpan", "RULES", "clean_text", "explain"]


# =========================================================================== results
@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """One span of the raw text removed by the cleaner.

    Attributes
    ----------
    start, end : int
        Offsets into the raw text; ``raw[start:end] == text``.
    rule : str
        Name of the rule that removed it (see :data:`RULES`).
    text : str
        The removed text, exactly as in the raw text.
    """

    start: int
    end: int
    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    """What :func:`clean_text` returns.

    Attributes
    ----------
    text : str
        The cleaned article text (headline, standfirst, body; paragraphs separated by a
        blank line).
    removed : tuple of RemovedSpan
        Every removed span, in the order of the raw text; spans do not overlap.
    """

    text: str
    removed: tuple[RemovedSpan, ...]

    def to_frame(self) -> pd.DataFrame:
        """The removed spans as a DataFrame with columns ``start, end, rule, text``."""
        return _spans_frame(self.removed)


def _spans_frame(spans: Iterable[RemovedSpan]) -> pd.DataFrame:
    rows = [(s.start, s.end, s.rule, s.text) for s in spans]
    frame = pd.DataFrame(rows, columns=["start", "end", "rule", "text"])
    return frame.astype({"start": "int64", "end": "int64", "rule": "object", "text": "object"})


# =========================================================================== page model
@dataclass(frozen=True, slots=True)
class _Line:
    index: int
    start: int  # offset of the line's first character in the raw text
    end: int  # offset just after its last character (the newline excluded)
    text: str  # raw[start:end]

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()


class _Page:
    """The raw text as lines, plus what the rules have claimed so far."""

    def __init__(self, raw: str):
        self.raw = raw
        self.lines: list[_Line] = []
        offset = 0
        for index, text in enumerate(raw.split("\n")):
            self.lines.append(_Line(index, offset, offset + len(text), text))
            offset += len(text) + 1
        self.claims: dict[int, str] = {}  # line index -> rule that removed the whole line
        self.inline: list[RemovedSpan] = []  # removals inside lines that are otherwise kept
        self._headline: int | None | bool = False  # False: not looked for yet

    def open_lines(self) -> Iterator[_Line]:
        """Non-blank lines no rule has removed yet."""
        return (ln for ln in self.lines if not ln.blank and ln.index not in self.claims)

    def claim(self, line: _Line, rule: str) -> None:
        self.claims.setdefault(line.index, rule)

    def claim_to_end(self, line: _Line, rule: str) -> None:
        for later in self.lines[line.index:]:
            if not later.blank:
                self.claim(later, rule)

    def remove_inline(self, line: _Line, match: re.Match, rule: str) -> None:
        start, end = line.start + match.start(), line.start + match.end()
        if end > start:
            self.inline.append(RemovedSpan(start, end, rule, self.raw[start:end]))

    def headline(self) -> _Line | None:
        """The first line left after the furniture above it is removed."""
        if self._headline is False:
            first = next(self.open_lines(), None)
            self._headline = first.index if first is not None else None
        return self.lines[self._headline] if self._headline is not None else None

    def spans(self) -> list[RemovedSpan]:
        """Whole-line removals merged per rule (across blank lines), plus inline ones."""
        spans: list[RemovedSpan] = []
        run_rule, run_first, run_last = None, None, None
        for line in self.lines:
            rule = self.claims.get(line.index)
            if rule is None and line.blank and run_rule is not None:
                continue  # a blank line inside a run does not end it
            if rule is not None and rule == run_rule:
                run_last = line
                continue
            if run_rule is not None:
                spans.append(self._span(run_first, run_last, run_rule))
            run_rule, run_first, run_last = (rule, line, line) if rule is not None else (None, None, None)
        if run_rule is not None:
            spans.append(self._span(run_first, run_last, run_rule))
        # a whole-line removal supersedes removals inside that line
        spans.extend(s for s in self.inline if self._line_at(s.start).index not in self.claims)
        return sorted(spans, key=lambda s: (s.start, s.end))

    def _span(self, first: _Line, last: _Line, rule: str) -> RemovedSpan:
        return RemovedSpan(first.start, last.end, rule, self.raw[first.start:last.end])

    def _line_at(self, offset: int) -> _Line:
        low, high = 0, len(self.lines) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.lines[mid].start <= offset:
                low = mid
            else:
                high = mid - 1
        return self.lines[low]


# =========================================================================== rule registry
@dataclass(frozen=True, slots=True)
class Rule:
    """A named cleaning rule: ``apply(page)`` marks what it removes."""

    name: str
    description: str
    apply: Callable[[_Page], None]


def _line_rule(name: str, description: str, *patterns: re.Pattern,
               max_len: int | None = None) -> Rule:
    """A rule removing every open line that one of ``patterns`` matches (``search``)."""
    def apply(page: _Page) -> None:
        for line in list(page.open_lines()):
            text = line.stripped
            if max_len is not None and len(text) > max_len:
                continue
            if any(p.search(text) for p in patterns):
                page.claim(line, name)

    return Rule(name, description, apply)


_I = re.IGNORECASE
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = rf"(?:\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b|\b{_MONTH} \d{{1,2}},? \d{{4}}\b|\b\d{{1,2}} {_MONTH},? \d{{4}}\b)"

# ---------------------------------------------------------------- breadcrumb
_BREADCRUMB = _line_rule(
    "breadcrumb", "breadcrumb trail ('Home » Section » Title', 'You are here: ...')",
    re.compile(r"^(?:home|homepage|start)\s*(?:»|>|›|/|\||::|→)\s*\S", _I),
    re.compile(r"^you are here\s*:", _I),
    # a trail without "Home": two or more short sections, each followed by " » ", " › " or " > ",
    # and a last one that does not end like a sentence
    re.compile(r"^(?:[^»›>]{1,60}?\s(?:»|›|>)\s+){2,}[^»›>]*[^.!?\"”\s]\s*$"),
)

# ---------------------------------------------------------------- site navigation
_NAV_LABELS = frozenset({
    "home", "connect with us", "follow us", "follow us on", "skip to content", "skip to main content",
    "menu", "main menu", "search", "share", "share this", "share this article", "share on", "print",
    "email", "subscribe", "sign in", "sign up", "log in", "login", "register", "newsletter",
    "advertisement", "advertise with us", "advertise", "about us", "contact us", "contact",
    "privacy policy", "privacy", "terms of use", "terms of service", "terms and conditions",
    "sitemap", "site map", "rss", "back to top", "feedback", "jobs", "careers",
    # share buttons
    "facebook", "twitter", "whatsapp", "telegram", "linkedin", "weibo", "wechat", "reddit", "tweet",
    "share on facebook", "share on twitter", "email this", "print this", "print this article",
})
_TERMINAL_PUNCT = re.compile(r"[.!?\"”'’:;,]$")
# "Copyright" opens a footer when a mark or a year follows, or when the line is a short label
# without sentence punctuation; "Copyright protection was strengthened ..." is article text.
_COPYRIGHT = re.compile(r"^(?:copyright\s*(?:©|\(c\)|\d{4})|copyright\b[^.!?;:\"“”]{0,80}$|©|\(c\)\s*\d{4})"
                        r"|all rights reserved|\bICP\s*(?:备|证)|公网安备", _I)


def _is_nav_label(text: str) -> bool:
    return text.lower().rstrip(" :»›>|") in _NAV_LABELS


def _is_link_list(text: str) -> bool:
    """'a | b | c': three or more short segments separated by vertical bars."""
    parts = [p.strip() for p in text.split("|")]
    parts = [p for p in parts if p]
    return len(parts) >= 3 and all(len(p.split()) <= 6 for p in parts)


def _is_label_like(text: str) -> bool:
    return len(text.split()) <= 6 and not _TERMINAL_PUNCT.search(text)


def _apply_site_navigation(page: _Page) -> None:
    for line in list(page.open_lines()):
        if _is_nav_label(line.stripped):
            page.claim(line, "site_navigation")
    # navigation blocks: runs of adjacent non-blank lines that all look like menu items
    run: list[_Line] = []
    for line in page.lines + [None]:
        if line is not None and not line.blank:
            text = line.stripped
            if (_is_label_like(text) or _is_link_list(text) or _COPYRIGHT.search(text)
                    or page.claims.get(line.index) == "site_navigation"):
                run.append(line)
                continue
        if len(run) >= 3 and any(_is_nav_label(ln.stripped) or _is_link_list(ln.stripped)
                                 or _COPYRIGHT.search(ln.stripped) for ln in run):
            for member in run:
                if not _COPYRIGHT.search(member.stripped):  # left to copyright_footer
                    page.claim(member, "site_navigation")
        run = []


_SITE_NAVIGATION = Rule(
    "site_navigation",
    "menu labels on their own line, and blocks of 3+ adjacent short label lines or "
    "'a | b | c' link lists that include a menu label, link list or copyright line",
    _apply_site_navigation,
)

# ---------------------------------------------------------------- publication metadata
_META_LABEL = (r"(?:source(?: of this article)?|release time|released|release date|published(?: on| at)?"
               r"|publication date|posted(?: on)?|updated|last updated|editor|responsible editor"
               r"|author|date|tags?|keywords?)")
_PUBLICATION_METADATA = _line_rule(
    "publication_metadata",
    "publication stamps: 'Source: ...', 'Release time: ...', 'Editor: ...', 'Source of this "
    "article: ...', short lines with a date and 'Source:' (their content belongs in the manifest)",
    re.compile(rf"^[\W_]*{_META_LABEL}\s*[:：]", _I),
    re.compile(rf"(?=.*\bsource\s*[:：])(?=.*{_DATE})", _I),
    re.compile(rf"^(?:first )?(?:published|posted|updated)(?: on| at)?\s*[:：]?\s*{_DATE}", _I),
    max_len=200,
)

# ---------------------------------------------------------------- byline
_BYLINE = _line_rule(
    "byline",
    "bylines: 'by admin', 'by Xinhua writers A, B and C', 'Xinhua News Agency reporter'",
    # "By <names>": every word a capitalised name or a byline word, so that a cross-head
    # such as "By the numbers" is kept
    re.compile(r"^[Bb]y\s+(?:(?:[A-Z][\w.'’-]*|admin|staff|our|own|special|xinhua|and|&|of|the|in|"
               r"(?:senior |chief )?(?:reporters?|correspondents?|writers?|editors?|contributors?))"
               r",?(?:\s+|$)){1,12}$"),
    re.compile(r"^(?:[A-Z][\w.&'’-]*\s+){0,5}(?:[Ss]taff\s+)?(?:[Rr]eporters?|[Cc]orrespondents?|[Ww]riters?)$"),
    max_len=120,
)

# ---------------------------------------------------------------- links to other stories
_SEE_ALSO = _line_rule(
    "see_also",
    "a link to another story on its own line: 'See also <title>', 'Read also: ...', 'Related: ...'",
    re.compile(r"^(?:see also|also read|read also|also see)\s*[:：]?\s*\S", _I),
    re.compile(r"^(?:read more|related(?: articles?| stories| news| posts?)?)\s*[:：]\s*\S", _I),
    max_len=300,
)
_CONTINUE_READING = _line_rule(
    "continue_reading",
    "'Continue Reading', 'Read more', 'Read full story' links",
    re.compile(r"^(?:continue reading|read more|read full (?:story|article)|read the (?:full|rest of the) "
               r"(?:story|article)|full story)\s*(?:»|›|→|>>|\.\.\.|…)?$", _I),
)

# ---------------------------------------------------------------- comment forms
_COMMENT_HEADING = re.compile(r"^(?:leave a (?:comment|reply)|\d+\s+(?:comments?|responses?))\s*:?$", _I)
_COMMENT_LINES = (
    _COMMENT_HEADING,
    re.compile(r"^(?:cancel reply|post comment|submit comment|add (?:a )?comment|comments?)\s*:?$", _I),
    re.compile(r"^this site uses akismet\b", _I),
    re.compile(r"your email address will not be published", _I),
    re.compile(r"^save my name, email,? and website", _I),
)


def _apply_comment_form(page: _Page) -> None:
    for line in list(page.open_lines()):
        if len(line.stripped) <= 300 and any(p.search(line.stripped) for p in _COMMENT_LINES):
            page.claim(line, "comment_form")
            if _COMMENT_HEADING.search(line.stripped):
                page.claim_to_end(line, "comment_form")
                return


_COMMENT_FORM = Rule(
    "comment_form",
    "comment forms: 'Leave a Comment'/'Leave a Reply' and everything after it, 'This site "
    "uses Akismet ...', 'Your email address will not be published', ...",
    _apply_comment_form,
)

# ---------------------------------------------------------------- banners, disclaimers, footers
_COOKIE_BANNER = _line_rule(
    "cookie_banner",
    "cookie and privacy banners: 'This website uses cookies ...', 'Privacy & Cookies Policy'",
    re.compile(r"^(?:this (?:web)?site uses cookies|we use cookies|by (?:continuing to use|using) "
               r"(?:this|our) (?:web)?site|privacy (?:&|and) cookies?(?: policy)?|cookie (?:policy|settings"
               r"|preferences|consent)|accept (?:all )?cookies)\b", _I),
    max_len=500,
)
_SITE_DISCLAIMER = _line_rule(
    "site_disclaimer",
    "site disclaimers: 'Statement: The information provided on this website ...', 'Disclaimer: ...'",
    re.compile(r"^(?:statement|disclaimer|declaration|copyright notice)\s*[:：]", _I),
    # "this site ... does not represent ..." only with words about published content, so that
    # "officials said this site does not represent a danger" stays
    re.compile(r"^(?=.*?\b(?:information|content|articles?|views?|opinions?|reprint\w*)\b)"
               r".*?\bthis (?:web)?site\b.{0,120}?\b(?:for reference only|does not (?:necessarily )?"
               r"(?:represent|reflect|endorse)|not responsible)\b", _I),
    re.compile(r"^(?:the )?views (?:and opinions )?expressed\b.{0,160}\bdo not necessarily (?:reflect|represent)", _I),
    max_len=800,
)
_COPYRIGHT_FOOTER = _line_rule(
    "copyright_footer",
    "copyright footers: 'Copyright ...', '© ...', 'All rights reserved', ICP licence numbers",
    _COPYRIGHT,
    max_len=300,
)

# ---------------------------------------------------------------- credits and captions
_CREDIT_INLINE = re.compile(
    r"\s*\((?:(?:xinhua |staff )?(?:reporters?|correspondents?|writers?|editors?)|reporting by|edited by"
    r"|compiled by)\b[^()]{0,200}\)\s*$", _I)


def _apply_contributor_credit(page: _Page) -> None:
    whole = re.compile(r"^\(.*\b(?:contributed|contributing)\b.*\)$|^(?:additional )?reporting by\b", _I)
    for line in list(page.open_lines()):
        text = line.stripped
        if len(text) <= 300 and whole.search(text):
            page.claim(line, "contributor_credit")
            continue
        match = _CREDIT_INLINE.search(line.text.rstrip())
        if match and not line.text[:match.start()].strip():  # the line is the credit
            page.claim(line, "contributor_credit")
        elif match:
            page.remove_inline(line, match, "contributor_credit")


_CONTRIBUTOR_CREDIT = Rule(
    "contributor_credit",
    "reporter credits: a line '(Xinhua reporters ... contributed to the story.)', or a "
    "trailing '(Reporters A, B, C)' at the end of a paragraph",
    _apply_contributor_credit,
)

_PHOTO_CAPTION = _line_rule(
    "photo_caption",
    "photo captions, recognised by a credit ('(Photo by ...)', '(Xinhua/Name)', 'Photo by "
    "reporter Name', 'Published by Xinhua News Agency'), '(photo taken on ...)', or a caption "
    "opening ('This is a photo of ...', 'This photo taken on ...')",
    re.compile(r"\((?:photos?|images?|pictures?)\s+(?:by|courtesy)\b[^)]*\)", _I),
    re.compile(r"\((?:photos?|pictures?) taken\b[^)]*\)", _I),
    re.compile(r"\([A-Z][A-Za-z]+/[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}\)"),  # (Xinhua/Li Ziheng), not (AIDS/HIV)
    re.compile(r"(?:^|[\s.)])Photo (?:by|courtesy of)\b"),
    re.compile(r"\bPublished by Xinhua News Agency\b"),
    re.compile(r"[.)]\s*Xinhua News Agency reporter [A-Z][a-z]+(?: [A-Z][a-z]+)?\s*$"),
    re.compile(rf"^This (?:is )?(?:a |an |the )?(?:photo|picture|image|file photo|aerial photo|screenshot)\b"
               rf"(?=.*(?:{_DATE}|\btaken\b|\bshows?\b))", _I),
    re.compile(r"^(?:file photo|photo taken on)\b", _I),
    max_len=800,
)

_DATED_CAPTION = re.compile(rf"^On {_FULL_MONTH} \d{{1,2}}, \d{{4}}, ")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“]|\s*$)")
_QUOTE = re.compile(r"[\"“”]")


def _apply_dated_caption(page: _Page) -> None:
    if "photo_caption" not in page.claims.values():
        return  # no pictures on this page: a dated one-sentence paragraph is article text
    for line in list(page.open_lines()):
        text = line.stripped
        if (len(text) <= 400 and _DATED_CAPTION.search(text) and not _QUOTE.search(text)
                and len(_SENTENCE_END.findall(text)) == 1 and text.endswith(".")):
            page.claim(line, "photo_caption_dated")


_PHOTO_CAPTION_DATED = Rule(
    "photo_caption_dated",
    "credit-less captions: a one-sentence paragraph without quotation opening with a full "
    "date ('On April 12, 2023, ...'), on a page where photo_caption found captions",
    _apply_dated_caption,
)

# ---------------------------------------------------------------- teasers and related blocks
def _is_teaser_title(line: _Line, following: _Line | None) -> bool:
    """A card title with a tag list ('Title | culture | era'), shown twice in a row.

    Teaser cards render their title twice (image caption and link), which running article
    text never does; the tag list is at least two vertical-bar separated segments after the
    title, the last of them short (a tag, not a sentence).
    """
    text = line.stripped
    if following is None or following.stripped != text or " | " not in text:
        return False
    segments = [s.strip() for s in text.split("|")]
    return (len(segments) >= 3 and all(segments) and len(segments[-1].split()) <= 5
            and len(text.split()) >= 5)


def _apply_teaser_block(page: _Page) -> None:
    lines = page.lines
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        if line.index in page.claims or line.blank or not _is_teaser_title(line, lines[i + 1]):
            i += 1
            continue
        page.claim(line, "teaser_block")
        page.claim(lines[i + 1], "teaser_block")
        j = i + 2
        while j < len(lines) and lines[j].blank:
            j += 1
        # the teaser paragraph: the next paragraph, unless it is itself a teaser card
        if j < len(lines) and not (j + 1 < len(lines) and _is_teaser_title(lines[j], lines[j + 1])):
            while j < len(lines) and not lines[j].blank:
                page.claim(lines[j], "teaser_block")
                j += 1
        i = j


_TEASER_BLOCK = Rule(
    "teaser_block",
    "teaser cards for other stories: a title ending in a tag list ('Title | culture | era') "
    "shown twice, and the teaser paragraph that follows it",
    _apply_teaser_block,
)

_RELATED_HEADING = re.compile(
    r"^(?:you (?:may|might) also like|related (?:articles?|posts?|stories|news|content|coverage|reading)"
    r"|more (?:stories|news|from this section)|recommended(?: for you| stories| articles| reading)?"
    r"|most (?:read|popular|viewed)|trending(?: now)?|read next|editor'?s picks?)\s*:?$", _I)


def _apply_related_block(page: _Page) -> None:
    for line in page.open_lines():
        if _RELATED_HEADING.search(line.stripped):
            page.claim_to_end(line, "related_block")
            return


_RELATED_BLOCK = Rule(
    "related_block",
    "'You may also like' / 'Related articles' / 'Most read' headings and everything after them",
    _apply_related_block,
)

# ---------------------------------------------------------------- headline rules
_SITE_WORD = (r"(?:News|Channel|channel|Online|Daily|Times|Post|Net|Network|Review|Agency|Tribune|Herald"
              r"|Observer|Today|Hotline|Press|Gazette|Journal)")
_SITE_SUFFIX = re.compile(
    rf"(?:\s*[-–—|]\s*)(?P<site>(?:[A-Z][\w'&.]*\s+){{0,5}}{_SITE_WORD}(?:\s+(?:channel|Channel|English|Online))?)\s*$")
_WIRE_PREFIX = re.compile(r"^.{0,160}?\b(?:topic|title|headline)\s*[:：]\s*", _I)
_WORD = re.compile(r"\w+")


def _headline_words(text: str) -> list[str]:
    return _WORD.findall(_SITE_SUFFIX.sub("", text).lower())


def _apply_repeated_headline(page: _Page) -> None:
    headline = page.headline()
    if headline is None:
        return
    target = _headline_words(headline.stripped)
    if not target or headline.stripped.endswith("."):
        return  # a first line ending in a full stop is a sentence (a text without headline)
    for line in list(page.open_lines()):
        if line.index <= headline.index:
            continue
        text = line.stripped
        if text == headline.stripped:
            page.claim(line, "repeated_headline")
            continue
        words = _headline_words(_WIRE_PREFIX.sub("", text, count=1))
        if len(target) >= 5 and SequenceMatcher(None, target, words, autojunk=False).ratio() >= 0.9:
            page.claim(line, "repeated_headline")


_REPEATED_HEADLINE = Rule(
    "repeated_headline",
    "later lines repeating the headline verbatim, or nearly so (90% of words in order) after a "
    "wire prefix such as 'Xinhua News Agency, Beijing, September 12. Topic:'",
    _apply_repeated_headline,
)


def _apply_headline_site_suffix(page: _Page) -> None:
    headline = page.headline()
    if headline is None:
        return
    match = _SITE_SUFFIX.search(headline.text)
    if match and match.start() > 0:
        page.remove_inline(headline, match, "headline_site_suffix")


_HEADLINE_SITE_SUFFIX = Rule(
    "headline_site_suffix",
    "a site name appended to the headline ('<headline>-Shanghai Hotline News channel', "
    "'<headline> | Daily Times')",
    _apply_headline_site_suffix,
)

_END_MARK = re.compile(r"\s*(?:\bEnditem\b|\bENDITEM\b|\(END\)|\(end\)|■|◆)\s*$")


def _apply_end_marker(page: _Page) -> None:
    for line in page.open_lines():
        match = _END_MARK.search(line.text)
        if match and match.start() > 0:
            page.remove_inline(line, match, "end_marker")


_END_MARKER = Rule("end_marker", "wire end marks at the end of a paragraph ('Enditem', '(END)')",
                   _apply_end_marker)

#: The cleaning rules in the order they run.
RULES: tuple[Rule, ...] = (
    _BREADCRUMB, _SITE_NAVIGATION, _PUBLICATION_METADATA, _BYLINE, _SEE_ALSO, _CONTINUE_READING,
    _COOKIE_BANNER, _SITE_DISCLAIMER, _COPYRIGHT_FOOTER, _COMMENT_FORM, _CONTRIBUTOR_CREDIT,
    _PHOTO_CAPTION, _PHOTO_CAPTION_DATED, _TEASER_BLOCK, _RELATED_BLOCK, _REPEATED_HEADLINE,
    _HEADLINE_SITE_SUFFIX, _END_MARKER,
)
_RULE_NAMES = tuple(rule.name for rule in RULES)


# =========================================================================== public API
def clean_text(raw: str, *, skip: Iterable[str] = ()) -> CleanResult:
    """Clean one raw web page (or one article's part of a page) into article text.

    Parameters
    ----------
    raw : str
        The page text as saved (never modified).
    skip : iterable of str, optional
        Names of rules (see :data:`RULES`) not to apply, e.g. ``("photo_caption_dated",)``.

    Returns
    -------
    CleanResult
        ``.text``: the cleaned text; ``.removed``: the removed spans (offsets into ``raw``,
        rule name, removed text), in text order.

    Raises
    ------
    InputError
        If ``raw`` is not a string or ``skip`` names an unknown rule.

    Examples
    --------
    >>> result = clean_text("Title\\n\\nSource: Xinhua| 2020-11-12\\n\\nBody text.")
    >>> result.text
    'Title\\n\\nBody text.'
    >>> [(s.rule, s.text) for s in result.removed]
    [('publication_metadata', 'Source: Xinhua| 2020-11-12')]
    """
    if not isinstance(raw, str):
        raise InputError(f"clean_text expects the raw text as str, not {type(raw).__name__}")
    skipped = set([skip] if isinstance(skip, str) else skip)
    unknown = sorted(skipped - set(_RULE_NAMES))
    if unknown:
        raise InputError(f"unknown cleaning rule(s) {', '.join(map(repr, unknown))}; "
                         f"rules are: {', '.join(_RULE_NAMES)}")
    page = _Page(raw)
    for rule in RULES:
        if rule.name not in skipped:
            rule.apply(page)
    removed = tuple(page.spans())
    return CleanResult(text=_assemble(raw, removed), removed=removed)


def explain(raw: str, *, skip: Iterable[str] = ()) -> pd.DataFrame:
    """Every span :func:`clean_text` removes from ``raw``, and the rule that removed it.

    Parameters
    ----------
    raw : str
        The raw text.
    skip : iterable of str, optional
        Rules not to apply, as in :func:`clean_text`.

    Returns
    -------
    pandas.DataFrame
        One row per removed span, in text order, with columns ``start``, ``end``
        (offsets into ``raw``; ``raw[start:end] == text``), ``rule`` and ``text``.

    Examples
    --------
    >>> explain("Connect with us\\nSCO summit opens\\nThe summit opened.")
       start  end             rule             text
    0      0   15  site_navigation  Connect with us
    """
    return clean_text(raw, skip=skip).to_frame()


def _assemble(raw: str, removed: Iterable[RemovedSpan]) -> str:
    pieces, position = [], 0
    for span in removed:
        pieces.append(raw[position:span.start])
        position = span.end
    pieces.append(raw[position:])
    lines = [line.strip() for line in "".join(pieces).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)
