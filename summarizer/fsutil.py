"""Atomic file writes, writable folders, and damaged state files moved aside.

An atomic write means a reader sees the old file or the new one, never half of
one.  A folder is checked writable by writing to it (permissions, read-only file
systems, a file where the folder should be: only trying tells).  A state file the
tool keeps for itself (a cache, a journal) that turns out damaged is moved aside
as ``<name>.corrupt-<time>`` with one warning, so the run rebuilds it instead of
failing on every later run.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from summarizer.errors import FolderNotWritableError, StateFileError

log = logging.getLogger(__name__)
_moved_lock = threading.Lock()


def read_user_text(path: Path, error: Callable[[str, str], Exception]) -> str:
    """UTF-8 text of a file the user named; ``error(path, reason)`` when unusable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise error(str(path), "not UTF-8 text") from None
    except OSError as exc:
        raise error(str(path), exc.strerror or str(exc)) from None


def atomic_write_text(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), replace=replace)


def atomic_write_bytes(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` atomically.

    With ``replace=False`` the write fails with ``FileExistsError`` if ``path``
    appears at any moment before the write completes, so two writers can never
    clobber each other or a file a person just created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file lives beside the target: os.replace/os.link are atomic only
    # within one file system.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        if replace:
            tmp.replace(path)
        else:
            _link_no_clobber(tmp, path)
        fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _link_no_clobber(source: Path, target: Path) -> None:
    try:
        # link() refuses an existing target, which makes "create if absent" atomic.
        os.link(source, target)
    except OSError as error:
        if error.errno == errno.EEXIST:
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # File systems without hard links: fall back to a checked rename.
        if target.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
        source.replace(target)


def fsync_dir(directory: Path) -> None:
    # Persist the directory entry too, so a crash right after cannot lose the rename.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def ensure_writable_folder(path: Path, what: str, hint: str) -> None:
    """Create ``path`` if needed and write a file in it, or :class:`FolderNotWritableError`.

    Run before anything costs money: a note that cannot be saved after three paid
    model calls is money lost.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".summarize-write-check-")
        os.close(fd)
        Path(probe).unlink()
    except OSError as error:
        raise FolderNotWritableError(what, str(path), os_reason(error), hint) from None


def os_reason(error: OSError) -> str:
    """What an OSError means to a person, without the errno noise."""
    if isinstance(error, FileExistsError | NotADirectoryError):
        return "a file is in the way of the folder"
    return (error.strerror or str(error)).lower()


def move_aside(path: Path, what: str, reason: str) -> Path | None:
    """Move a damaged state file (or a folder in its place) to ``<name>.corrupt-<time>``.

    Warns once (the caller rebuilds it).  None when another process moved it first.
    :class:`StateFileError` when it cannot be moved (then the person must act).
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    with _moved_lock:
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        try:
            path.replace(target)
        except FileNotFoundError:
            return None
        except OSError as error:
            detail = f"damaged: {reason}; {os_reason(error)}"
            raise StateFileError(what, str(path), detail) from None
    log.warning(
        "the %s %s was damaged (%s); moved it aside to %s and started a new one",
        what,
        path,
        reason,
        target.name,
    )
    return target
