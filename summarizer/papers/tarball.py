"""An arXiv e-print read into memory, never onto disk: the untrusted tarball's text files.

arXiv's ``/e-print/ID`` is a gzipped tar of the source tree, one gzipped ``.tex``,
or (for papers submitted as PDF) the PDF itself.  The bytes come from the network,
so they are treated as hostile:

* nothing is extracted to disk, so no member name can write anywhere;
* a symlink, hard link, device, absolute name or ``..`` in a name makes the whole
  archive refused (real arXiv sources have none; their presence means the archive
  is not what it claims to be);
* gzip is inflated in bounded steps, so a decompression bomb stops at
  :attr:`Limits.total_bytes` without ever holding more;
* one member may be at most :attr:`Limits.member_bytes`, and only text members
  (``.tex``, ``.bbl``, ...) are read at all;
* the whole read is checked against :attr:`Limits.seconds` between steps; each
  step is bounded (1 MB inflated, one member), so no step can hang.
"""

from __future__ import annotations

import io
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# Members read into memory; figures, fonts and data files are only listed.
TEXT_SUFFIXES = frozenset({".tex", ".bbl", ".ltx", ".latex", ".sty", ".cls", ".def", ".txt"})
_STEP = 1 << 20


class SourceArchiveError(Exception):
    """The e-print cannot be used; ``reason`` says why, in words for the note."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """Bounds on reading one e-print (sizes after decompression)."""

    member_bytes: int = 8 << 20
    total_bytes: int = 64 << 20
    members: int = 5000
    seconds: float = 10.0


@dataclass(frozen=True)
class SourceFiles:
    """The text files of a source tree (POSIX names, as in the archive) and the rest's names."""

    files: dict[str, bytes]
    other_names: list[str] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.files[name].decode("utf-8", errors="replace")


def read_source_archive(
    data: bytes, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic
) -> SourceFiles:
    """The text files of an e-print; :class:`SourceArchiveError` when it has none to read."""
    limits = limits or Limits()
    deadline = clock() + limits.seconds
    if data.startswith(b"%PDF"):
        raise SourceArchiveError("arXiv has no source for this paper, only its PDF")
    raw = _gunzip(data, limits, deadline, clock) if data[:2] == b"\x1f\x8b" else data
    if raw.startswith(b"%PDF"):
        raise SourceArchiveError("arXiv has no source for this paper, only its PDF")
    if _is_tar(raw):
        return _read_tar(raw, limits, deadline, clock)
    if len(raw) > limits.member_bytes:
        raise SourceArchiveError(f"the single source file is over {limits.member_bytes >> 20} MB")
    # gzip but not tar: arXiv's form for a paper that is one .tex file.
    return SourceFiles({"main.tex": raw})


def _gunzip(data: bytes, limits: Limits, deadline: float, clock: Callable[[], float]) -> bytes:
    inflater = zlib.decompressobj(wbits=31)  # gzip header and trailer
    out = bytearray()
    pending = data
    try:
        while pending and not inflater.eof:
            out += inflater.decompress(pending, _STEP)
            pending = inflater.unconsumed_tail
            if len(out) > limits.total_bytes:
                raise SourceArchiveError(
                    f"the source unpacks to over {limits.total_bytes >> 20} MB "
                    "(a decompression bomb?)"
                )
            if clock() > deadline:
                raise SourceArchiveError(f"unpacking took over {limits.seconds:g} s")
        out += inflater.flush()
    except zlib.error as error:
        raise SourceArchiveError(f"the gzip data is damaged ({error})") from None
    if not inflater.eof:
        raise SourceArchiveError("the gzip file is cut short")
    return bytes(out)


def _is_tar(raw: bytes) -> bool:
    if raw[257:262] == b"ustar":
        return True
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            return archive.next() is not None
    except (tarfile.TarError, EOFError, ValueError):
        return False


def _member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    path = PurePosixPath(name)
    if "\x00" in name or "\\" in name or path.is_absolute() or ".." in path.parts:
        raise SourceArchiveError(f"the archive names a file outside itself ({name!r})")
    if member.issym() or member.islnk():
        raise SourceArchiveError(f"the archive holds a link ({name!r} -> {member.linkname!r})")
    if not (member.isfile() or member.isdir()):
        raise SourceArchiveError(f"the archive holds a device or special file ({name!r})")
    return str(PurePosixPath(*[p for p in path.parts if p != "."]))


def _read_tar(
    raw: bytes, limits: Limits, deadline: float, clock: Callable[[], float]
) -> SourceFiles:
    files: dict[str, bytes] = {}
    others: list[str] = []
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            count = 0
            while (member := archive.next()) is not None:
                count += 1
                if count > limits.members:
                    raise SourceArchiveError(f"the archive has over {limits.members} members")
                if clock() > deadline:
                    raise SourceArchiveError(f"reading the archive took over {limits.seconds:g} s")
                name = _member_name(member)
                if member.isdir():
                    continue
                if PurePosixPath(name).suffix.lower() not in TEXT_SUFFIXES:
                    others.append(name)
                    continue
                if member.size > limits.member_bytes:
                    raise SourceArchiveError(
                        f"{name} is {member.size >> 20} MB, over {limits.member_bytes >> 20} MB"
                    )
                total += member.size
                if total > limits.total_bytes:
                    raise SourceArchiveError(f"the text files total over {limits.total_bytes} B")
                handle = archive.extractfile(member)
                body = handle.read(limits.member_bytes + 1) if handle else b""
                if len(body) != member.size:
                    raise SourceArchiveError(f"the archive is cut short inside {name}")
                files[name] = body
    except (tarfile.TarError, EOFError) as error:
        raise SourceArchiveError(f"the archive is damaged ({error})") from None
    if not files:
        kinds = sorted({PurePosixPath(n).suffix.lower() or n for n in others})
        has = f" (it holds {', '.join(kinds[:5])})" if kinds else ""
        raise SourceArchiveError(f"the source archive has no TeX file{has}")
    return SourceFiles(files, others)
