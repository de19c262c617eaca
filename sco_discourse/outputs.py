"""Every file the package writes goes through here: whole or not at all.

A file is written to a temporary file in the same folder and moved into place with
:func:`os.replace` only when it is complete, so an interrupt, a full disk or a second
writer never leaves a truncated file under the final name (``os.replace`` is atomic on
POSIX and Windows when source and target are on one file system, which the same folder
guarantees). A folder of results (a fitted model) is built beside its final place and
swapped in as a whole.

A process killed outright (SIGKILL, power loss) cannot remove its temporary file. The
temporary name carries the writer's host and process id (``.NAME.HOST-PID.XXXX.tmp``),
so the next write of the same file removes the leftovers of writers on this host that
are gone, and never touches those of a writer still running.

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

import hashlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_dir", "write_text", "write_bytes", "exclusive", "remove_stale"]


@contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it replaces ``path`` in one step.

    Yields a :class:`~pathlib.Path` the caller writes to with any writer (``savefig``,
    ``to_csv``, ``pickle.dump``); on an exception the temporary file is removed and
    ``path`` is left as it was. ``suffix`` defaults to the final suffix of ``path`` (some
    writers choose the format from it).

    An :class:`OSError` while writing (a full disk, no permission) is raised again with
    ``filename`` set to ``path``, so a message names the file the user asked for, not
    the hidden temporary one.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    tmp: Path | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        fd, name = tempfile.mkstemp(prefix=_prefix(path),
                                    suffix=(path.suffix if suffix is None else suffix) + ".tmp", dir=parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        _fsync(tmp)
        # mkstemp creates 0600; a result file gets the permissions an ordinary write would give
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        # creating the temporary file, writing it or moving it into place: about ``path``
        if tmp is None or exc.filename is None or str(exc.filename) == str(tmp):
            raise _naming(exc, path) from exc
        raise
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error, naming ``path`` (the final file) instead of a temporary one
    (``OSError(errno, ...)`` builds the matching subclass, e.g. PermissionError)."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


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
    one is in place, so a reader never sees a mixture of an old and a new run. An
    :class:`OSError` names ``path``, as in :func:`atomic_path`.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    tmp: Path | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        tmp = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".tmp", dir=parent))
        yield tmp
        for file in tmp.rglob("*"):
            if file.is_file():
                _fsync(file)
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=_prefix(path), suffix=".old", dir=parent))
            os.replace(path, old / path.name)
        try:
            os.replace(tmp, path)
        except BaseException:
            if old is not None:  # put the previous folder back
                os.replace(old / path.name, path)
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if tmp is None or exc.filename is None or str(exc.filename).startswith(str(tmp)):
            raise _naming(exc, path) from exc
        raise
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def exclusive(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on the folder of ``path`` while a group of files is replaced.

    Each file is already replaced atomically; the lock keeps two processes writing the
    same output (a table and its provenance sidecar, a model folder) from interleaving,
    so the files found afterwards all come from one of them. POSIX only (``flock``); on
    other systems it does nothing.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    parent = Path(path).parent if str(Path(path).parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent, os.O_RDONLY)
    except OSError as exc:
        raise _naming(exc, Path(path)) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network mounts): each file is still atomic
            pass
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _host() -> str:
    """A short token of this machine and process-id namespace: two containers with the same
    host name but their own process ids (or two boots of one machine) get different tokens,
    so a process id is only ever judged alive or gone where it means something."""
    parts = [socket.gethostname()]
    for source in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        try:
            parts.append(os.readlink(source) if source.endswith("/pid") else Path(source).read_text().strip())
        except OSError:  # not Linux: the host name alone
            pass
    return hashlib.sha256("\0".join(parts).encode("utf-8", "replace")).hexdigest()[:8]


def _prefix(path: Path) -> str:
    """Prefix of the temporary names beside ``path``: ``.NAME.HOST-PID.``."""
    return f".{path.name}.{_host()}-{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else, or the check is not possible here
        return True
    return True


def remove_stale(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files and folders beside ``path`` left by writers of ``path``
    on this host that no longer run (killed before they could clean up); returns them.
    A previous folder a killed :func:`atomic_dir` had moved aside is put back at ``path``
    when nothing took its place.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> dead = folder / f".t.csv.{_host()}-999999999.abc.csv.tmp"   # no such process
    >>> _ = dead.write_text("half a ta")
    >>> [p.name == dead.name for p in remove_stale(folder / "t.csv")], dead.exists()
    ([True], False)
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(re.escape(f".{path.name}.{_host()}-") + r"(\d+)\..*\.(tmp|old)$")
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        if match.group(2) == "old":
            kept = Path(entry.path) / path.name
            if not path.exists() and kept.exists():
                # killed between moving the previous folder aside and putting the new one in
                # place: the previous results are the only copy; they go back, not away
                try:
                    os.replace(kept, path)
                except OSError:
                    continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:  # another writer removed it first, or no permission: leave it
            continue
        removed.append(Path(entry.path))
    return removed


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
