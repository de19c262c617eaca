"""sco_discourse: framing and discourse analysis of SCO coverage across publication years.

The data flow is the architecture: ``corpus`` (load, clean) → ``text`` (tokens) →
``frames`` / ``keywords`` / ``topics`` (tidy tables) → ``stats`` → ``plot`` →
``compendium`` (the paper's figures, numbers and manifest). See ``docs/design.md`` and
``docs/api.md``.

Examples
--------
>>> import sco_discourse as sd
>>> corpus = sd.load_corpus()          # the embedded seed corpus
>>> corpus.to_frame()[["doc_id", "year"]].head(2)
     doc_id  year
0  seed-000  2020
1  seed-001  2023
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("sco_discourse")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

from .corpus import Corpus, CorpusError, Document, load_corpus  # noqa: E402

__all__ = ["__version__", "Corpus", "CorpusError", "Document", "load_corpus"]
