"""Turn a paper PDF into clean text with pypdf, robustly.

:func:`extract_pdf` reads a PDF (a path or the downloaded bytes) and returns a
:class:`PdfDocument`: the cleaned body text, the References kept apart, the sections
with canonical names, and best-effort title, authors, abstract and arXiv ID.  Every
failure is a :class:`PdfTextError` subclass with a one-line message saying what is
wrong and what to do; nothing pypdf raises or logs escapes.  This module reads the
pages and cleans their characters; finding the structure in the cleaned text (title,
authors, abstract, References, sections) is :mod:`summarizer.papers.pdf_layout`'s concern.

Design decisions, measured with ``python -m bench.pdf_extract --parallelism`` on the 10
real arXiv papers in ``shared/fixtures`` (207 pages; 2-core container shared with other
work, pypdf 7.1.1, Python 3.11):

* **pypdf runs in a child process that is killed at the deadline.**  pypdf is pure
  Python and has looped forever on malformed files (pypdf issue #2928); a thread cannot
  be stopped, a process can.  The same boundary contains hard crashes and pypdf's
  logging.  A forked worker costs ~25 ms per document (spawn: ~150 ms, a fresh
  interpreter importing pypdf); the whole pipeline takes 1.12x plain pypdf (5.07 s vs
  4.54 s for the 10 papers: ~0.23 s of that is the worker, ~0.30 s the cleaning).
* **fork only when it is safe**: on Linux, and only while the caller runs a single
  thread (forking a threaded process can deadlock the child on a lock another thread
  held).  Otherwise spawn, which re-imports the caller's ``__main__``: scripts must use
  the ``if __name__ == "__main__":`` guard, as ``multiprocessing`` requires.
* **No page-level parallelism.**  Two threads: 4.92 s vs 4.54 s (the GIL).  Two forked
  processes, each parsing the document and its fonts again: 4.02 s on a quiet machine
  (-11 %; -37 % on the 68-page paper, slower on two others) but 5.76 s vs 4.81 s when
  other work shares the cores (+20 %).  A few tenths of a second at best, for twice
  the CPU and memory, in a command that then waits seconds for a model: not worth it.
  A caller with many PDFs on a machine with idle cores can call :func:`extract_pdf`
  from several threads: each call only waits on its own worker, so the GIL is no limit.
"""

from __future__ import annotations

import io
import logging
import math
import multiprocessing
import re
import sys
import threading
import time
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from summarizer.errors import BadInputError, InvalidReferenceError
from summarizer.papers.paper import normalize_whitespace
from summarizer.papers.pdf_layout import (
    SECTION_NAMES,
    Section,
    canonical_section_name,
    find_abstract,
    find_sections,
    split_references,
    title_and_authors,
)
from summarizer.papers.refs import PaperRef, parse_reference

__all__ = [
    "SECTION_NAMES", "EncryptedPdfError", "ImageOnlyPdfError", "MalformedPdfError", "PdfDocument",
    "PdfTextError", "PdfTimeoutError", "Section", "canonical_section_name", "clean_page_text",
    "dehyphenate", "extract_pdf", "find_abstract", "find_sections", "remove_arxiv_stamp",
    "remove_running_lines", "split_references",
]  # fmt: skip


# --- errors ---------------------------------------------------------------------


class PdfTextError(BadInputError):
    """A PDF whose text cannot be extracted.  Exit code 2: for a local file it is the
    user's input; for a downloaded PDF the caller decides whether to fall back."""


class EncryptedPdfError(PdfTextError):
    """The PDF needs a password (the empty one was tried), or a missing package."""


class ImageOnlyPdfError(PdfTextError):
    """The PDF has no text layer, e.g. a scan."""


class MalformedPdfError(PdfTextError):
    """pypdf cannot read the file, or it is not a PDF at all."""


class PdfTimeoutError(PdfTextError):
    """Extraction took longer than the per-document time limit."""


# --- results --------------------------------------------------------------------


@dataclass(frozen=True)
class PdfDocument:
    """The text of one paper PDF and what could be recovered about it.

    ``arxiv_id`` is the canonical versionless ID from the arXiv side stamp (as in
    :class:`~summarizer.papers.paper.Paper`) and ``arxiv_version`` its version.
    """

    pages: int
    text: str
    references: str
    sections: list[Section]
    title: str | None
    authors: list[str]
    abstract: str | None
    arxiv_id: str | None
    arxiv_version: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def char_count(self) -> int:
        """Number of characters of the body text."""
        return len(self.text)


# --- character-level cleaning ---------------------------------------------------

# pdfTeX emits accents as a spacing mark *before* the letter ("Universit´e"); NFKC
# would turn "´" into " " + combining acute, so move it after the letter first.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301", "\u02c6": "\u0302", "\u02dc": "\u0303", "\u00a8": "\u0308",
    "\u02c7": "\u030c", "\u02d8": "\u0306", "\u02d9": "\u0307", "\u02da": "\u030a",
    "\u02dd": "\u030b",
}  # fmt: skip
_ACCENT_RE = re.compile(f"([{''.join(_SPACING_ACCENTS)}])([A-Za-z\u0131])")
# C0/C1 controls (not \n and \t), zero-width marks, lone surrogates and the Private
# Use Areas: real arXiv PDFs emit math glyphs as U+008D or U+F8EE, which mean nothing.
_JUNK_CHARS_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ud800-\udfff"
    "\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_SPACES_RE = re.compile(r"[ \t\f\v]+")


def clean_page_text(text: str) -> str:
    """Normalise one page of extracted text.

    Fixes pdfTeX's detached accents, applies Unicode NFKC (ligatures ``ﬁ ﬂ`` become
    ``fi fl``, full-width forms ASCII), drops control, zero-width and Private Use Area
    characters, collapses runs of spaces, trims lines and squeezes blank lines.  A
    soft hyphen at a line end becomes ``-`` so :func:`dehyphenate` can join the word.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ACCENT_RE.sub(
        lambda m: ("i" if m[2] == "\u0131" else m[2]) + _SPACING_ACCENTS[m[1]], text
    )
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    text = _JUNK_CHARS_RE.sub("", text)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


# --- the arXiv side stamp -------------------------------------------------------

_STAMP_RE = re.compile(
    r"arXiv:\s?(?P<id>(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)"
    r"\s+\[[\w.\-]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}"
)


def remove_arxiv_stamp(text: str) -> tuple[str, PaperRef | None]:
    """Remove arXiv's sideways stamp (``arXiv:2506.12345v2 [cs.CL] 14 Jun 2025``).

    pypdf emits it at the start of page 1 or anywhere in it, sometimes glued to other
    text, so it is matched anywhere and replaced by a line break.  Returns the text
    and the reference parsed from the stamp (``None`` if absent or invalid).
    """
    match = _STAMP_RE.search(text)
    if match is None:
        return text, None
    try:
        ref: PaperRef | None = parse_reference(match["id"])
    except InvalidReferenceError:
        ref = None
    before, after = text[: match.start()].rstrip(" "), text[match.end() :].lstrip(" ")
    glue = "" if before.endswith("\n") or after.startswith("\n") else "\n"
    return re.sub(r"\n{3,}", "\n\n", before + glue + after).strip("\n"), ref


# --- running headers, footers and page numbers ----------------------------------

_PAGE_NUMBER_RE = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]", re.I
)
_ZONE = 3  # lines at the top and at the bottom of a page where headers/footers live


def _line_key(line: str) -> str:
    # Page numbers inside headers ("4 Trilling et al.") differ per page: ignore digits.
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def remove_running_lines(pages: list[str]) -> list[str]:
    """Drop running headers/footers and bare page numbers from cleaned pages.

    A running line is one that, with digits ignored, is among the first or last
    three lines of at least 40 % of the pages (and of two pages at least): 40 %, not
    50 %, because many styles alternate two headers on odd and even pages.  A bare
    number (``7``, ``Page 7``, ``7 of 12``, ``- 7 -``) is dropped only as one of the
    first or last two lines of a page, never from inside the text (table cells).
    """
    nonempty = [[i for i, line in enumerate(p.split("\n")) if line.strip()] for p in pages]
    counts: Counter[str] = Counter()
    for page, idx in zip(pages, nonempty, strict=True):
        lines = page.split("\n")
        counts.update({_line_key(lines[i]) for i in idx[:_ZONE] + idx[-_ZONE:]})
    threshold = max(2, math.ceil(0.4 * len(pages)))
    running = {k for k, n in counts.items() if n >= threshold and sum(map(str.isalpha, k)) >= 3}
    cleaned = []
    for page, idx in zip(pages, nonempty, strict=True):
        lines = page.split("\n")
        drop = {i for i in idx[:_ZONE] + idx[-_ZONE:] if _line_key(lines[i]) in running}
        drop |= {i for i in idx[:2] + idx[-2:] if _PAGE_NUMBER_RE.fullmatch(lines[i].strip())}
        kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        cleaned.append(re.sub(r"\n{3,}", "\n\n", kept).strip("\n"))
    return cleaned


# --- de-hyphenation -------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W\d_](?:[\w-]*[^\W_])?")
_BREAK_RE = re.compile(
    r"(?P<left>[^\W\d_][\w-]*)-\n(?P<right>[^\W_][\w'’]*)(?P<tail>\S*)[ \t]*(?P<nl>\n)?"
)


def dehyphenate(text: str) -> str:
    """Join words broken across lines: ``addi-\\ntion`` becomes ``addition``.

    When the part after the break starts with a lowercase letter, the hyphen is kept
    if the document itself decides: the hyphenated form occurs elsewhere in it
    (``pre-trained``), or the joined form does not but both halves are words it uses
    (``task-specific``), or the left part is already a compound (``state-of-the-``).
    Otherwise the break is TeX's hyphenation and the hyphen goes.  Before an
    uppercase letter or a digit the hyphen is real (``GPT-\\n3`` becomes ``GPT-3``).
    The completed word stays on the first line.
    """
    # Words as the document uses them, leaving out the halves of broken words.
    vocabulary = {w.casefold() for w in _WORD_RE.findall(_BREAK_RE.sub(" ", text))}

    def join(m: re.Match[str]) -> str:
        left, right = m["left"], m["right"]
        word = right.rstrip("'’")
        if word[0].islower():
            last = left.rsplit("-", 1)[-1]
            hyphenated = f"{left}-{word}".casefold() in vocabulary
            joined = f"{last}{word}".casefold() in vocabulary
            both_words = (
                min(len(last), len(word)) >= 3 and {last.casefold(), word.casefold()} <= vocabulary
            )
            keep = hyphenated or "-" in left or (not joined and both_words)
        else:
            keep = True
        # The rest of the second line stays on a line of its own.
        rest = "\n" if m["nl"] or m.end() < len(text) else ""
        return f"{left}{'-' if keep else ''}{right}{m['tail']}{rest}"

    return _BREAK_RE.sub(join, text)


# --- page 1 for the title and authors -------------------------------------------


def _clean_fragment(text: str) -> str:
    # Keep the space or line break at either end: they separate adjacent names.
    head = " " if text[:1].isspace() else ""
    tail = "\n" if text.rstrip(" ").endswith("\n") else (" " if text[-1:].isspace() else "")
    return head + clean_page_text(text) + tail


def _title_and_authors(raw: _RawPdf, page_one: str) -> tuple[str | None, list[str]]:
    """Clean what the worker read of page 1 and the metadata, and leave the judging
    to :func:`~summarizer.papers.pdf_layout.title_and_authors`."""
    frags = [
        (size, font, clean)
        for size, font, text in raw.page_one_fragments
        if (clean := _clean_fragment(text)).strip() and not _STAMP_RE.search(clean)
    ]
    meta_title = normalize_whitespace(clean_page_text(raw.meta_title or ""))
    meta_author = clean_page_text(raw.meta_author or "")
    return title_and_authors(frags, meta_title, meta_author, page_one)


# --- the worker process ---------------------------------------------------------


@dataclass
class _RawPdf:
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


def _extract_raw(source: bytes | str, password: str | None) -> _RawPdf:
    """Run pypdf over the document; never raises (failures are recorded)."""
    raw = _RawPdf()
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


def _extract_quietly(source: bytes | str, password: str | None, raw: _RawPdf) -> _RawPdf:
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
    raw.log += [str(w.message) for w in caught]
    return raw


def _read_pages(reader: Any, raw: _RawPdf) -> None:
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
        result = _extract_raw(source, password)
    except BaseException as exc:  # report even the unexpected, instead of dying silently
        result = _RawPdf(failure=("malformed", f"{type(exc).__name__}: {exc}"))
    conn.send(result)
    conn.close()


def _start_method() -> str:
    # fork costs ~20 ms, spawn ~130 ms, but fork is only safe without other threads
    # (and on macOS not even then).
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _run_worker(source: bytes | str, password: str | None, timeout: float, label: str) -> _RawPdf:
    context = multiprocessing.get_context(_start_method())
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


# --- the entry point ------------------------------------------------------------


def _looks_like(head: bytes, size: int) -> str:
    """Name what a file that does not start like a PDF looks like instead."""
    sample = head.lstrip().lower()
    if size == 0:
        return "it is empty (0 bytes)"
    if sample.startswith((b"<!doctype html", b"<html")) or b"<html" in sample or b"<body" in sample:
        return "it looks like an HTML page (an error or login page saved instead of the PDF?)"
    if sample.startswith((b"{", b"[")):
        return "it looks like JSON"
    if sample.startswith(b"<?xml") or sample.startswith(b"<"):
        return "it looks like XML"
    if sample.startswith(b"pk\x03\x04"):
        return "it looks like a ZIP archive"
    return f"it starts with {head[:16]!r}"


def extract_pdf(
    source: bytes | Path, *, timeout: float = 60.0, password: str | None = None
) -> PdfDocument:
    """Extract and clean the text of a paper PDF.

    Args:
        source: The PDF's bytes, or a path to it.
        timeout: Seconds allowed for the whole document; the worker is killed then.
        password: Tried first if the PDF is encrypted (the empty password always is).

    Raises:
        MalformedPdfError: not a PDF (empty, HTML, ...), truncated, or unreadable.
        EncryptedPdfError: a password is needed, or AES needs ``cryptography``.
        ImageOnlyPdfError: no page has text (a scan).
        PdfTimeoutError: extraction exceeded ``timeout``.
        PdfTextError: a path that cannot be read.
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        label, size = f"the PDF ({len(data):,} bytes)", len(data)
        head, tail, payload = data[:1024], data[-1024:], data
    else:
        path = Path(source)
        label = str(path)
        try:
            size = path.stat().st_size
            with path.open("rb") as f:
                head = f.read(1024)
                f.seek(max(0, size - 1024))
                tail = f.read()
        except OSError as exc:
            raise PdfTextError(f"cannot read {label}: {exc.strerror or exc}") from None
        payload = str(path)  # the worker reads the file itself: nothing big to pickle
    if b"%PDF-" not in head:
        raise MalformedPdfError(f"{label} is not a PDF: {_looks_like(head, size)}")
    truncated = b"%%EOF" not in tail

    raw = _run_worker(payload, password, timeout, label)
    if raw.failure is not None:
        raise _failure_error(raw, label, truncated)
    return _build_document(raw, label, truncated)


def _failure_error(raw: _RawPdf, label: str, truncated: bool) -> PdfTextError:
    kind, detail = raw.failure or ("malformed", "")
    if kind == "encrypted":
        return EncryptedPdfError(
            f"{label} is encrypted and needs a password; pass it with --pdf-password"
        )
    if kind == "password":
        return EncryptedPdfError(f"the password given for {label} is wrong; check it")
    if kind == "aes":
        return EncryptedPdfError(
            f"{label} is AES-encrypted and reading it needs the 'cryptography' package: "
            "pip install cryptography"
        )
    if truncated:
        return MalformedPdfError(
            f"{label} looks truncated (no %EOF at the end; an incomplete download?): "
            f"{detail}; download it again"
        )
    return MalformedPdfError(f"pypdf cannot read {label}: {detail}; try another copy")


def _summarise_log(log: list[str], limit: int = 5) -> list[str]:
    # Group by the message without its object dump ("... in font dictionary {...}"):
    # one CFF font warning per font would otherwise fill the list.
    counts = Counter(re.split(r"[{(\n]", m.strip(), maxsplit=1)[0].strip()[:120] for m in log)
    lines = [f"pypdf: {m}" + (f" (x{n})" if n > 1 else "") for m, n in counts.most_common(limit)]
    if len(counts) > limit:
        lines.append(f"pypdf: ... and {len(counts) - limit} more kinds of warning")
    return lines


def _build_document(raw: _RawPdf, label: str, truncated: bool) -> PdfDocument:
    pages = [clean_page_text(p) for p in raw.pages]
    empty = sum(1 for p in pages if not p)
    notes = _summarise_log(raw.log)
    if not pages:
        raise MalformedPdfError(f"{label} has no pages; try another copy")
    if empty == len(pages):
        if raw.image_pages or not raw.log:
            raise ImageOnlyPdfError(
                f"{label} has no text layer ({len(pages)} page(s), scanned or images only); "
                "run OCR (e.g. ocrmypdf) first"
            )
        raise MalformedPdfError(
            f"pypdf found no readable text in {label} ({notes[0]}); try another copy"
        )
    if empty:
        notes.insert(0, f"{empty} of {len(pages)} pages had no text")
    if truncated:
        notes.append("the file looks truncated (no %EOF at the end); pages may be missing")
    if raw.encrypted:
        notes.append("the PDF is encrypted; it opened with the empty or given password")

    pages[0], ref = remove_arxiv_stamp(pages[0])
    page_one = pages[0]
    pages = remove_running_lines(pages)
    body, references, appendix = split_references(dehyphenate("\n".join(p for p in pages if p)))
    sections = find_sections(body, appendix)
    abstract = find_abstract(body)
    if abstract and not any(s.name == "abstract" for s in sections):
        sections.insert(0, Section("abstract", "Abstract", abstract))
    title, authors = _title_and_authors(raw, page_one)
    return PdfDocument(
        pages=len(pages),
        text="\n".join(part for part in (body, appendix) if part),
        references=references,
        sections=sections,
        title=title,
        authors=authors,
        abstract=abstract,
        arxiv_id=ref.arxiv_id if ref else None,
        arxiv_version=ref.version if ref else None,
        warnings=notes,
    )
