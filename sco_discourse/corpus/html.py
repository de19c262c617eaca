"""Saved web pages (HTML): main text, title, publication date, language, address.

A researcher's corpus often arrives as a folder of saved pages (a scrape of an outlet or
a ministry site). :func:`extract_page` turns one page into what the package analyses:

* **Main text and title** come from `trafilatura <https://trafilatura.readthedocs.io>`_
  (Barbaresi 2021), a library designed and benchmarked for exactly this: it separates
  the article from navigation, related-story lists, comment sections and footers. It
  runs in precision mode (``favor_precision=True``: on the 100 pages of the Chinese
  Foreign Ministry set it keeps every paragraph of the article body and nothing else,
  where the default mode let a "相关链接" link block through on 4 pages and a site
  footer on 1). It never fetches anything: the page is given as text.
* The **text** is the title followed by the main text, one paragraph per line (the
  title is left out when the main text already starts with it), as the seed corpus
  holds "headline, standfirst, body".
* The **publication date** is taken from the first of these that gives one, and
  ``date_method`` records which (``date_evidence`` quotes it):

  ====================================  ===========================================================
  ``date_method``                       where the date was read
  ====================================  ===========================================================
  ``"metadata.csv"``                    the folder's metadata file (set by the loader)
  ``"page metadata"``                   a publication-date ``<meta>`` tag (``PubDate``,
                                        ``article:published_time``, ``datePublished``, ...) or
                                        ``datePublished`` in JSON-LD structured data
  ``"page markup (htmldate)"``          htmldate (Barbaresi 2020) in its non-guessing mode
                                        (``extensive_search=False``): ``<time>`` elements,
                                        other markup, a date in the page's address
  ``"release-time line"``               a visible stamp: a short line of the page with "Release
                                        time", "Published", "Source", "发布时间", "来源" ... and
                                        a full date
  ``"title"``                           a full date in the title ("2020年9月14日外交部发言人...")
  ``"dateline"``                        a full date at the start of the main text
  ``"not found"``                       none of these: the page is kept with no date, flagged
                                        (``corpus.undated``) and listed by the command line
  ====================================  ===========================================================

  Only full dates (day, month and year) are read from text; nothing is guessed from
  the content.
* The **language** is the page's declared language (``<html lang>``, a
  content-language or ``og:locale`` tag), else "zh" when most letters of the text are
  Chinese characters, else unknown (None). The **address** (``url``) is the page's
  canonical link, ``og:url`` or a ``<meta name="url">`` tag; the **outlet** its site
  name (``og:site_name``, ``<meta name="SiteName">``).
* **Encoding**: a page is decoded with the character set it declares (``<meta
  charset>``), else with the encoding the caller gives (UTF-8 by default).

:func:`explain_extraction` lists what extraction left out: the lines of the page's
visible text that are not in the main text. The project's cleaner
(:mod:`sco_discourse.corpus.cleaning`) is the second, explainable pass; the loader
applies it to pages that are not mostly in Chinese characters (its layout rules
measure lines in words, and a Chinese paragraph is one "word" long, so they would
take whole paragraphs for navigation).

References
----------
Barbaresi, A. (2021). Trafilatura: A Web Scraping Library and Command-Line Tool for
Text Discovery and Extraction. *Proceedings of ACL-IJCNLP 2021: System Demonstrations*,
122–131.

Barbaresi, A. (2020). htmldate: A Python package to extract publication dates from web
pages. *Journal of Open Source Software*, 5(51), 2439.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import CorpusError

__all__ = ["PageExtract", "extract_page", "decode_page", "visible_text", "explain_extraction",
           "find_full_date", "cjk_share", "DATE_METHODS"]

#: Every value ``date_method`` can take for an HTML page, in the order they are tried.
DATE_METHODS = ("metadata.csv", "page metadata", "page markup (htmldate)", "release-time line", "title",
                "dateline", "not found")

# publication-date <meta> names/properties/itemprops, most specific first (compared lower-cased)
_DATE_META = ("article:published_time", "og:article:published_time", "og:published_time", "datepublished",
              "pubdate", "publishdate", "publish-date", "publish_date", "publication_date", "dc.date.issued",
              "dcterms.issued", "citation_publication_date", "citation_date", "parsely-pub-date",
              "sailthru.date", "dc.date", "dcterms.date", "date")
_STAMP_WORDS = re.compile(r"(?i)\b(?:release time|released|published|publication date|posted|updated|"
                          r"date|source)\b|发布时间|发布日期|来源|时间|日期")
_MONTHS = {m: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for m in names}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
    re.compile(rf"(?i)\b(\d{{1,2}})\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b"),
    re.compile(rf"(?i)\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b"),
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
               "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "dd", "dt", "dl",
               "form", "figure", "figcaption", "main", "title", "option", "hr"}


@dataclass(frozen=True, slots=True)
class PageExtract:
    """What :func:`extract_page` reads from one page.

    Attributes
    ----------
    text : str
        Title, then the main text; one paragraph per line. Empty if the page has no
        main text.
    title, url, outlet, language : str or None
    date : str or None
        "YYYY-MM-DD".
    date_method : str
        One of :data:`DATE_METHODS`.
    date_evidence : str or None
        The tag, line or words the date was read from.
    """

    text: str
    title: str | None
    date: str | None
    date_method: str
    date_evidence: str | None
    language: str | None
    url: str | None
    outlet: str | None


def decode_page(data: bytes, *, encoding: str = "utf-8", source: str = "page") -> str:
    """Decode a page's bytes with the charset it declares, else with ``encoding``.

    Raises
    ------
    CorpusError
        Naming ``source`` and the byte position when the bytes cannot be decoded.

    Examples
    --------
    >>> decode_page('<meta charset="gbk"><p>外交部</p>'.encode("gbk"))
    '<meta charset="gbk"><p>外交部</p>'
    """
    declared = _CHARSET.search(data[:4096])
    chosen = encoding
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            import codecs

            chosen = codecs.lookup("gb18030" if name in ("gb2312", "gbk") else name).name
        except LookupError:
            chosen = encoding
    if data.startswith(b"\xef\xbb\xbf"):
        data, chosen = data[3:], "utf-8"
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as exc:
        said = "the charset the page declares" if declared else "encoding"
        raise CorpusError(f"{source}: bytes {data[exc.start:exc.end]!r} at position {exc.start} cannot be decoded "
                          f"as {chosen} ({said}); pass encoding= (e.g. 'gb18030', 'cp1252')") from None


def extract_page(html: str, *, source: str = "page") -> PageExtract:
    """Main text, title, publication date, language, address and outlet of one page.

    Parameters
    ----------
    html : str
        The page's HTML (decoded; see :func:`decode_page`).
    source : str
        Name of the page for error messages.

    Returns
    -------
    PageExtract

    Raises
    ------
    CorpusError
        If the text is not HTML that can be parsed.

    Examples
    --------
    >>> page = '''<html lang="en"><head><title>SCO summit opens | Daily News</title>
    ... <meta property="article:published_time" content="2024-07-03T08:34:00+05:00">
    ... <meta property="og:site_name" content="Daily News"></head><body>
    ... <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    ... <article><h1>SCO summit opens</h1>
    ... <p>Leaders of the Shanghai Cooperation Organization met in Astana on Wednesday
    ... for their annual summit, the first since Belarus joined the bloc as a full member.</p>
    ... <p>The host called for a community with a shared future and for closer cooperation
    ... on security, trade and energy among the member states of the organization.</p>
    ... </article><footer>Copyright 2024 Daily News. All rights reserved.</footer></body></html>'''
    >>> extract = extract_page(page)
    >>> print(extract.text)
    SCO summit opens
    Leaders of the Shanghai Cooperation Organization met in Astana on Wednesday for their annual summit, ...
    The host called for a community with a shared future and for closer cooperation on security, ...
    >>> extract.date, extract.date_method, extract.language, extract.outlet
    ('2024-07-03', 'page metadata', 'en', 'Daily News')
    """
    from trafilatura import bare_extraction

    tree = _parse(html, source)
    result = bare_extraction(html, with_metadata=True, favor_precision=True, include_comments=False,
                             deduplicate=False,
                             date_extraction_params={"extensive_search": False, "original_date": True,
                                                     "outputformat": "%Y-%m-%d"})
    found = result.as_dict() if result is not None else {}
    body = (found.get("text") or "").strip()
    # some sites write a line break into the title as the literal text "<br>"
    title = _clean_space(re.sub(r"(?i)<br\s*/?>", " ", found.get("title") or "")) or _meta(tree, ("og:title",)) or None
    text = body
    if title and not _same_line(body.split("\n", 1)[0], title):
        text = f"{title}\n{body}" if body else ""
    date, method, evidence = _page_date(tree, found.get("date"), title, body)
    language = _language(tree, text)
    url = found.get("url") or _meta(tree, ("og:url", "url")) or None
    outlet = found.get("sitename") or _meta(tree, ("og:site_name", "sitename", "application-name")) or None
    return PageExtract(text=text, title=title, date=date, date_method=method, date_evidence=evidence,
                       language=language, url=url, outlet=outlet)


def visible_text(html: str) -> str:
    """The page's visible text, one line per block element (scripts and styles left out).

    Examples
    --------
    >>> visible_text("<body><nav>Home</nav><p>First <b>para</b>.</p><script>x=1</script></body>")
    'Home\\nFirst para.'
    """
    return "\n".join(_visible_lines(_parse(html, "page")))


def explain_extraction(html: str) -> pd.DataFrame:
    """The lines of a page's visible text that extraction left out of the main text.

    Returns
    -------
    pandas.DataFrame
        One row per left-out line: ``start, end`` (offsets into :func:`visible_text`),
        ``rule`` ("outside main text", or "title" for the title line when it only
        appears in the page's head) and ``text``.

    Examples
    --------
    >>> page = ("<html><body><nav>Home | World</nav><article><p>" + "Leaders met in Astana. " * 12
    ...         + "</p><p>" + "They agreed on a plan. " * 12 + "</p></article>"
    ...         "<footer>Copyright 2024</footer></body></html>")
    >>> explain_extraction(page)[["rule", "text"]]
                    rule            text
    0  outside main text    Home | World
    1  outside main text  Copyright 2024
    """
    full = visible_text(html)
    kept = [_key(line) for line in extract_page(html).text.split("\n") if line.strip()]
    lines = full.split("\n")
    keys = [_key(line) for line in lines]
    matcher = difflib.SequenceMatcher(None, keys, kept, autojunk=False)
    kept_lines = set()
    for block in matcher.get_matching_blocks():
        kept_lines.update(range(block.a, block.a + block.size))
    kept_text = "\n".join(kept)
    rows, offset = [], 0
    for index, line in enumerate(lines):
        # a visible line split into several block elements is still kept if its text is in the extraction
        if index not in kept_lines and not (len(keys[index]) >= 8 and keys[index] in kept_text):
            rows.append((offset, offset + len(line), "outside main text", line))
        offset += len(line) + 1
    frame = pd.DataFrame(rows, columns=["start", "end", "rule", "text"])
    return frame.astype({"start": "int64", "end": "int64", "rule": "object", "text": "object"})


def find_full_date(text: str) -> tuple[str, str] | None:
    """The first full date (day, month, year) written in ``text``: ``(YYYY-MM-DD, words)``.

    Reads "2020年9月14日", "2020-09-14", "2020/09/14", "14 September 2020",
    "Sept. 14, 2020" and "Jul 01, 2024"; a date that does not exist is skipped.

    Examples
    --------
    >>> find_full_date("2020年9月14日外交部发言人汪文斌主持例行记者会")
    ('2020-09-14', '2020年9月14日')
    >>> find_full_date("Release time:Jul 01, 2024 08:34 AM")
    ('2024-07-01', 'Jul 01, 2024')
    >>> find_full_date("BEIJING, Nov. 12 (Xinhua)") is None
    True
    """
    best = None
    for number, pattern in enumerate(_DATE_PATTERNS):
        for match in pattern.finditer(text):
            groups = match.groups()
            if number < 2:
                year, month, day = (int(g) for g in groups)
            elif number == 2:
                day, month, year = int(groups[0]), _MONTHS[groups[1].lower()], int(groups[2])
            else:
                month, day, year = _MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
            try:
                value = _dt.date(year, month, day)
            except ValueError:
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), value.isoformat(), match.group())
            break
    return None if best is None else (best[1], best[2])


def cjk_share(text: str) -> float:
    """Share of Chinese, Japanese and Korean characters among the letters of ``text``.

    Examples
    --------
    >>> round(cjk_share("外交部 said"), 2)
    0.43
    """
    letters = cjk = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\ufaff":
                cjk += 1
    return cjk / letters if letters else 0.0


# =========================================================================== helpers
def _parse(html: str, source: str):
    import lxml.html
    from lxml import etree

    if not html or not html.strip():
        raise CorpusError(f"{source}: the page is empty")
    try:
        # lxml refuses str input with an XML encoding declaration; bytes carry it safely
        return lxml.html.document_fromstring(html.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise CorpusError(f"{source}: not an HTML page that can be read ({exc})") from None


def _clean_space(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _key(line: str) -> str:
    return re.sub(r"\s+", "", line.replace("\u3000", ""))


def _same_line(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def _meta(tree, names: tuple[str, ...]) -> str | None:
    """The content of the first <meta> whose name/property/itemprop (lower-cased) is in ``names``."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attr) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    for name in names:
        if name in found:
            return found[name]
    return None


def _meta_date(tree) -> tuple[str, str] | None:
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        for attr in ("property", "name", "itemprop"):
            key = (element.get(attr) or "").strip().lower()
            if key in _DATE_META and content:
                value = _iso_date(content)
                if value:
                    return value, f'<meta {attr}="{element.get(attr)}" content="{content}">'
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        value = _json_ld_date(data)
        if value and _iso_date(value):
            return _iso_date(value), f"JSON-LD datePublished {value!r}"
    return None


def _json_ld_date(data: Any) -> str | None:
    if isinstance(data, dict):
        if isinstance(data.get("datePublished"), str):
            return data["datePublished"]
        values = data.values()
    elif isinstance(data, list):
        values = data
    else:
        return None
    for value in values:
        found = _json_ld_date(value)
        if found:
            return found
    return None


def _iso_date(value: str) -> str | None:
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return _dt.date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            return None
    found = find_full_date(value)
    return found[0] if found else None


def _page_date(tree, markup_date: str | None, title: str | None, body: str) -> tuple[str | None, str, str | None]:
    found = _meta_date(tree)
    if found:
        return found[0], "page metadata", found[1]
    if markup_date:
        return markup_date, "page markup (htmldate)", None
    for line in _visible_lines(tree):
        if len(line) <= 200 and _STAMP_WORDS.search(line):
            stamp = find_full_date(line)
            if stamp:
                return stamp[0], "release-time line", line
    if title:
        stamp = find_full_date(title)
        if stamp:
            return stamp[0], "title", stamp[1]
    first = body[:300]
    stamp = find_full_date(first)
    if stamp:
        return stamp[0], "dateline", stamp[1]
    return None, "not found", None


def _visible_lines(tree) -> list[str]:
    """Visible text lines of a parsed page (a copy is changed, not ``tree``)."""
    import copy

    import lxml.html

    tree = copy.deepcopy(tree)
    for bad in tree.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    text = lxml.html.tostring(tree, method="text", encoding="unicode")
    return [line for line in (_clean_space(part) for part in text.split("\n")) if line]


def _language(tree, text: str) -> str | None:
    declared = None
    html = tree if tree.tag == "html" else next(iter(tree.xpath("//html")), None)
    if html is not None:
        declared = html.get("lang") or html.get("{http://www.w3.org/XML/1998/namespace}lang")
    declared = declared or _meta(tree, ("content-language", "og:locale", "dc.language", "language"))
    if declared:
        code = re.split(r"[-_,;\s]", declared.strip().lower())[0]
        if code:
            return code
    return "zh" if cjk_share(text[:5000]) >= 0.5 else None
