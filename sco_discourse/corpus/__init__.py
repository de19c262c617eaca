"""Loading, cleaning and holding documents."""

from .loaders import load_corpus
from .model import Corpus, CorpusError, Document

__all__ = ["Corpus", "CorpusError", "Document", "load_corpus"]
