"""Fixtures shared by the test modules: the corpora and the compiled matcher.

The corpora are read once per test session; tests must not modify them (a corpus is
immutable anyway: selecting returns a new one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
#: 30 speeches of the UN General Debate Corpus (provenance: data/ungdc_slice.PROVENANCE.md).
UN_SLICE = DATA / "ungdc_slice.jsonl.gz"


@pytest.fixture(scope="session")
def seed():
    """The embedded seed corpus: 8 articles from 5 pages, 2020-2024."""
    from sco_discourse import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def un_slice():
    """The UN General Debate slice: CHN 2013-2024 and 1971, SCO members in 2020 and 2023, USA, GBR."""
    from sco_discourse import load_corpus

    return load_corpus(UN_SLICE)


@pytest.fixture(scope="session")
def matcher():
    """The packaged codebook lexicon, compiled once."""
    from sco_discourse.frames import Matcher

    return Matcher()


@pytest.fixture(scope="session")
def seed_fm(seed, matcher):
    """The per-document frame matrix of the seed corpus."""
    return matcher.count(seed)
