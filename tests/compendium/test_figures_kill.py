"""Killing ``sco-discourse figures`` at any moment leaves every figure file whole.

FIGURES ATOMICITY. The command is killed (SIGKILL: nothing can be cleaned up) at random
moments, seeded, while it rebuilds into a copy of the committed ``figures/``; afterwards
every file in the folder must be either the committed bytes or a complete new file, never
a truncated one. This holds only once every writer of the figures code goes through
``sco_discourse.outputs`` (temporary file, then rename); until then the test is marked
as an expected failure (see ``_FIGURES_WRITE_ATOMICALLY``), and it becomes a hard test
by itself as soon as they do.

Only the public command is used (``sco-discourse figures --out DIR``), so the test does
not depend on how the figures code is organised.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "figures"
_CLI = "import sys; from sco_discourse.cli import main; sys.exit(main(sys.argv[1:]))"


def _figures_write_atomically() -> bool:
    """True once the figures code (``figures.py`` or the package it moves to) writes through outputs.py."""
    package = ROOT / "sco_discourse"
    sources = [package / "figures.py", *sorted((package / "compendium").glob("**/*.py"))]
    pattern = re.compile(r"from \.+(outputs)? import .*(atomic_path|atomic_dir|write_text|write_bytes|outputs)")
    return any(pattern.search(p.read_text(encoding="utf-8")) for p in sources if p.is_file())


_FIGURES_WRITE_ATOMICALLY = _figures_write_atomically()


def _complete(path: Path) -> bool:
    """A file that ends as its format requires (a complete write), whatever its content."""
    data = path.read_bytes()
    suffix = path.suffix
    if suffix == ".png":
        return data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")
    if suffix == ".pdf":
        return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    if suffix == ".svg":
        return data.rstrip().endswith(b"</svg>")
    if suffix == ".json":
        try:
            json.loads(data)
        except ValueError:
            return False
        return True
    if suffix == ".csv":
        return data.endswith(b"\n")
    return True


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for sub in (folder, folder / "data"):
        try:
            entries = list(os.scandir(sub))
        except FileNotFoundError:
            continue
        for entry in entries:
            try:
                info = entry.stat()
            except FileNotFoundError:  # replaced while listing
                continue
            found[entry.path] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.mark.skipif(not (COMMITTED / "manifest.json").is_file(), reason="no committed figures to protect")
@pytest.mark.xfail(not _FIGURES_WRITE_ATOMICALLY, strict=False,
                   reason="the figures code does not yet write through sco_discourse.outputs")
def test_killing_figures_at_random_moments_leaves_every_file_whole(tmp_path):
    target = tmp_path / "figures"
    shutil.copytree(COMMITTED, target)
    committed = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")
    rng = random.Random(20240611)
    broken: list[str] = []
    for attempt in range(4):
        delay = rng.uniform(4.0, 30.0)  # a build takes 20-45 s here, writing from about 5 s on
        proc = subprocess.Popen([sys.executable, "-c", _CLI, "figures", "--no-notebooks", "--out", str(target)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        # then kill at the next sign of writing (a file changing or appearing), so the kill
        # lands inside a write, not between two of them
        before = _snapshot(target)
        while proc.poll() is None and _snapshot(target) == before:
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        for path in sorted(target.rglob("*")):
            rel = path.relative_to(target).as_posix()
            if not path.is_file() or path.name.startswith("."):
                continue  # a killed writer's temporary file is hidden and never a result
            if committed.get(rel) == path.read_bytes():
                continue
            if not _complete(path):
                broken.append(f"kill {attempt + 1} after {delay:.1f} s: {rel} is truncated "
                              f"({path.stat().st_size} bytes, committed {len(committed.get(rel, b''))})")
        missing = sorted(set(committed) - {p.relative_to(target).as_posix() for p in target.rglob("*")})
        broken += [f"kill {attempt + 1} after {delay:.1f} s: {rel} is missing" for rel in missing]
    assert not broken, "\n".join(broken)
