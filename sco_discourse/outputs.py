"""Every file the package writes goes through here: whole or not at all.

A file is written to a temporary file in the same folder and moved into place with
:func:`os.replace` only when it is complete, so an interrupt, a full disk or a second
writer never leaves a truncated file under the final name (``os.replace`` is atomic on
POSIX and Windows when source and target are on one file system, which the same folder
guarantees). A folder of results (a fitted model) is built beside its final place and
swapped in as a whole.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text(folder / "a.txt", "complete\\n")
>>> (folder / "a.txt").read_text()
'complete\\n'
>>> with atomic_path(folder / "b.bin") as tmp:
...     _ = tmp.write_bytes(b"xyz")        # any writer that takes a path
>>> sorted(p.name for p in folder.iterdir())   # no temporary file left behind
['a.txt', 'b.bin']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_dir", "write_text", "write_bytes"]


@contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it replaces ``path`` in one step.

    Yields a :class:`~pathlib.Path` the caller writes to with any writer (``savefig``,
    ``to_csv``, ``pickle.dump``); on an exception the temporary file is removed and
    ``path`` is left as it was. ``suffix`` defaults to the final suffix of ``path`` (some
    writers choose the format from it).
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=(path.suffix if suffix is None else suffix) + ".tmp",
                                dir=parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        # mkstemp creates 0600; a result file gets the permissions an ordinary write would give
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (``\\n`` line ends on every platform)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="\n") as fh:  # atomic: temporary file
            fh.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:  # atomic: temporary file
            fh.write(data)


@contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """A fresh temporary folder beside ``path`` that replaces ``path`` as a whole on success.

    An existing folder at ``path`` is moved aside first and removed only after the new
    one is in place, so a reader never sees a mixture of an old and a new run.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    try:
        yield tmp
        for file in tmp.rglob("*"):
            if file.is_file():
                _fsync(file)
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
