"""pypdf in a child process that is killed at its deadline (see pdf_text's design notes).

:func:`run_worker` reads a PDF's pages, page-one fragments (with their font sizes,
for the title) and metadata in a forked (or spawned) process and hands back a
:class:`RawPdf` of plain data; a worker that hangs is killed, one that crashes is
reported, and nothing pypdf raises or logs escapes.
"""

from __future__ import annotations

import io
import logging
import math
import multiprocessing
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from summarizer.papers.pdf_errors import MalformedPdfError, PdfTimeoutError


@dataclass
class RawPdf:
    """What the worker hands back: plain data, so it pickles cheaply."""

    pages: list[str] = field(default_factory=list)
    page_one_fragments: list[tuple[float, str, str]] = field(default_factory=list)
    meta_title: str | None = None
    meta_author: str | None = None
    image_pages: int = 0
    encrypted: bool = False
    log: list[str] = field(default_factory=list)
    failure: tuple[str, str] | None = None  # (kind, detail): encrypted/password/aes/malformed


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def _fragment_size(cm: list[float], tm: list[float], font_size: float) -> float:
    # Rendered size = font size x vertical scale of the text matrix times the CTM.
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    return round(font_size * math.hypot(c, d), 1)


def extract_raw(source: bytes | str, password: str | None) -> RawPdf:
    """Run pypdf over the document; never raises (failures are recorded)."""
    raw = RawPdf()
    logger = logging.getLogger("pypdf")
    saved = (logger.handlers, logger.level, logger.propagate)
    # pypdf's warnings are summarised into PdfDocument.warnings, never printed.
    logger.handlers, logger.level, logger.propagate = (
        [_ListHandler(raw.log)],
        logging.WARNING,
        False,
    )
    try:
        return _extract_quietly(source, password, raw)
    finally:
        logger.handlers, logger.level, logger.propagate = saved


def _extract_quietly(source: bytes | str, password: str | None, raw: RawPdf) -> RawPdf:
    from pypdf import PasswordType, PdfReader  # lazy: `summarize --help` never pays for it
    from pypdf.errors import DependencyError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # A path is opened here, in the worker: the file is never pickled across.
            with io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb") as f:
                reader = PdfReader(f, strict=False)
                if reader.is_encrypted:
                    raw.encrypted = True
                    tries = [password, ""] if password else [""]
                    if all(reader.decrypt(pw) == PasswordType.NOT_DECRYPTED for pw in tries):
                        raw.failure = ("password" if password else "encrypted", "")
                        return raw
                _read_pages(reader, raw)
        except DependencyError as exc:
            raw.failure = ("aes", str(exc))
        except Exception as exc:  # anything pypdf raises: the file is unreadable
            raw.failure = ("malformed", f"{type(exc).__name__}: {exc}")
    # A ResourceWarning is the forked parent's garbage (a socket it left open), never
    # something the PDF said.
    raw.log += [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)]
    return raw


def _read_pages(reader: Any, raw: RawPdf) -> None:
    meta = reader.metadata or {}
    raw.meta_title, raw.meta_author = (
        str(v) if (v := meta.get(k)) else None for k in ("/Title", "/Author")
    )
    for number, page in enumerate(reader.pages):
        try:
            if number == 0:

                def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
                    if text.strip():
                        name = str((font or {}).get("/BaseFont", ""))
                        raw.page_one_fragments.append((_fragment_size(cm, tm, size), name, text))

                text = page.extract_text(visitor_text=visit)
            else:
                text = page.extract_text()
        except Exception as exc:  # one bad page should not cost the others
            raw.log.append(f"page {number + 1}: {type(exc).__name__}: {exc}")
            text = ""
        raw.pages.append(text or "")
        if not (text or "").strip() and _has_image(page):
            raw.image_pages += 1


def _has_image(page: Any) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject") or {}
        return any(xobjects[k].get_object().get("/Subtype") == "/Image" for k in xobjects)
    except Exception:
        return False


def _worker_main(conn: Any, source: bytes | str, password: str | None) -> None:
    try:
        result = extract_raw(source, password)
    except BaseException as exc:  # report even the unexpected, instead of dying silently
        result = RawPdf(failure=("malformed", f"{type(exc).__name__}: {exc}"))
    conn.send(result)
    conn.close()


def start_method() -> str:
    # fork costs ~20 ms, spawn ~130 ms, but fork is only safe without other threads
    # (and on macOS not even then).
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def run_worker(source: bytes | str, password: str | None, timeout: float, label: str) -> RawPdf:
    context = multiprocessing.get_context(start_method())
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_worker_main, args=(sender, source, password), name="pdf-text", daemon=True
    )
    deadline = time.monotonic() + timeout
    process.start()
    sender.close()
    try:
        # Wait for the answer or the worker's death, whichever comes first: a worker
        # that dies before reading its end of the pipe (spawn) never closes it.
        ready = wait([receiver, process.sentinel], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise PdfTimeoutError(
                f"reading {label} took longer than {timeout:g} s; the file may be malformed "
                "(try another copy, or raise the time limit)"
            )
        try:
            if receiver.poll(0 if receiver not in ready else None):
                return receiver.recv()
        except (EOFError, OSError):
            pass
        process.join(1)
        raise MalformedPdfError(
            f"pypdf crashed reading {label} (worker exit code {process.exitcode}); "
            "the file may be malformed: try another copy"
        )
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
