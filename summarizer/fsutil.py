"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


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
