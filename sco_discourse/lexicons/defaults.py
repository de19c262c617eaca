"""The packaged lexicon of each language: which codebook lexicon a document is read with.

A document in Chinese is matched with the Chinese lexicon (``codebook_v2_zh.yaml``),
every other document with the package's default lexicon; a lexicon the user passes
(``--lexicon FILE``, ``Matcher(lexicon)``) replaces both.
"""

from __future__ import annotations

from importlib import resources

from .schema import Lexicon, load_lexicon, parse_lexicon

__all__ = ["LANGUAGE_LEXICONS", "default_lexicon"]

#: Packaged lexicon file per language (None: the package's default lexicon).
LANGUAGE_LEXICONS = {"en": None, "zh": "codebook_v2_zh.yaml"}
_CACHE: dict[str, Lexicon] = {}


def default_lexicon(language: str | None = "en") -> Lexicon:
    """The packaged lexicon for documents in ``language`` (English's for any language
    without its own).

    Examples
    --------
    >>> default_lexicon("zh").label
    'sco_codebook_zh 2.1.0'
    >>> default_lexicon("en") is load_lexicon()
    True
    """
    name = LANGUAGE_LEXICONS.get(language or "en")
    if name is None:
        return load_lexicon()
    if name not in _CACHE:  # a packaged file cannot change while the package is loaded
        text = resources.files("sco_discourse.lexicons").joinpath(name).read_text("utf-8")
        _CACHE[name] = parse_lexicon(text, source=f"<package>/sco_discourse/lexicons/{name}")
    return _CACHE[name]
