"""The bootstrap in bounded memory gives exactly the intervals of the code that drew all resamples at once.

``tests/data/bootstrap_reference.json`` holds results computed before the change (its
PROVENANCE file has the script); each is recomputed here with the same seeds, with the
default block size and with blocks of a few resamples.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sco_discourse import load_corpus, stats
from sco_discourse.frames import Matcher, frame_compare, frame_counts
from sco_discourse.stats import bootstrap_index_blocks, bootstrap_indices, bootstrap_ratio_ci, rate_contrast

DATA = Path(__file__).parent / "data"
REFERENCE = json.loads((DATA / "bootstrap_reference.json").read_text())
INPUTS = {k: np.asarray(v) for k, v in REFERENCE["inputs"].items()}


@pytest.fixture(params=[None, 8 * 41 * 3], ids=["default blocks", "small blocks and chunks"])
def block_bytes(request, monkeypatch):
    if request.param is not None:
        monkeypatch.setattr(stats, "BOOTSTRAP_BLOCK_BYTES", request.param)  # 3 resamples of 41 units
        monkeypatch.setattr(stats, "_CHUNK_BYTES", 8 * 3 * 2)  # rate_contrast: 2 rows of draws / residuals
    return request.param


def same(actual, expected):
    np.testing.assert_array_equal(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float))


def test_index_blocks_are_the_resamples_drawn_at_once():
    for n_units, block in [(1, 8), (7, 8), (57, 8 * 57 * 5), (1000, 8 * 1000 * 3)]:
        blocks = list(bootstrap_index_blocks(n_units, 33, random_state=4, block_bytes=block))
        assert max(len(b) for b in blocks) == max(1, min(33, block // (8 * n_units)))
        same(np.vstack(blocks), bootstrap_indices(n_units, 33, random_state=4))


def test_ratio_intervals_equal_the_reference(block_bytes):
    same(bootstrap_ratio_ci(INPUTS["num1"], INPUTS["den1"], n_resamples=2000, random_state=0, scale=1e4),
         REFERENCE["ratio_1d"])
    same(bootstrap_ratio_ci(INPUTS["num2"], INPUTS["den2"], n_resamples=777, random_state=5, scale=1e4),
         REFERENCE["ratio_2d"])
    same(bootstrap_ratio_ci(INPUTS["num2"], INPUTS["den2"], n_resamples=1000, random_state=2, scale=1e4,
                            cluster=INPUTS["cluster"]), REFERENCE["ratio_cluster"])


def test_sparse_numerator_gives_the_dense_result():
    import scipy.sparse as sp

    dense = bootstrap_ratio_ci(INPUTS["num2"], INPUTS["den2"], n_resamples=300, random_state=1)
    same(bootstrap_ratio_ci(sp.csr_matrix(INPUTS["num2"]), INPUTS["den2"], n_resamples=300, random_state=1), dense)


def test_rate_contrast_equals_the_reference(block_bytes):
    target = np.arange(41) < 20
    out = rate_contrast(INPUTS["num2"], INPUTS["den2"], target=target, reference=~target, cluster=INPUTS["cluster"],
                        n_resamples=999, random_state=4)
    for column, expected in REFERENCE["contrast"].items():
        same(out[column], expected)


@pytest.fixture(scope="module")
def slice_fm():
    return Matcher().count(load_corpus(DATA / "ungdc_slice.jsonl.gz"))


@pytest.mark.parametrize("name, options", [
    ("slice_year", dict(by="year")),
    ("slice_iso3_cluster", dict(by="year", cluster="iso3", n_resamples=500)),
    ("slice_sides", dict(by="iso3", target="CHN", n_resamples=300, random_state=9)),
])
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_frame_counts_equal_the_reference(slice_fm, block_bytes, name, options):
    table = frame_counts(slice_fm, **options)
    same(table["ci_low"], REFERENCE[name]["ci_low"])
    same(table["ci_high"], REFERENCE[name]["ci_high"])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_frame_compare_equals_the_reference(slice_fm, block_bytes):
    table = frame_compare(slice_fm, by="iso3", target="CHN", cluster="iso3")
    for column, expected in REFERENCE["slice_compare"].items():
        same(table[column], expected)
