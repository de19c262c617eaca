"""Exceptions raised for bad user input.

Every message names where the problem is (file, row, field, entry) in the user's own
words. The command line prints these without a traceback.
"""


class InputError(ValueError):
    """Base class for errors in what the user supplied (corpus, lexicon, gold file, options)."""


class CorpusError(InputError):
    """Bad corpus input: the message names the file, row and field at fault."""


class LexiconError(InputError):
    """A malformed lexicon: the message names the file and the entry at fault."""


class GoldError(InputError):
    """A malformed gold file of hand-coded frame mentions: the message names the file, the
    row and the field."""
