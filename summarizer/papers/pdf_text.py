"""Turn a paper PDF into clean text with pypdf, robustly.

:func:`extract_pdf` reads a PDF (a path or the downloaded bytes) and returns a
:class:`PdfDocument`: the cleaned body text, the References kept apart, the sections
with canonical names, and best-effort title, authors, abstract and arXiv ID.  Every
failure is a :class:`PdfTextError` subclass with a one-line message saying what is
wrong and what to do; nothing pypdf raises or logs escapes.  This module runs the
reader (:mod:`summarizer.papers.pdf_worker`) and cleans the pages
(:mod:`summarizer.papers.pdf_clean`); finding the structure in the cleaned text
(title, authors, abstract, References, sections) is :mod:`summarizer.papers.pdf_layout`'s.

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

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.papers.paper import normalize_whitespace
from summarizer.papers.pdf_clean import (
    ARXIV_STAMP_RE,
    clean_page_text,
    dehyphenate,
    remove_arxiv_stamp,
    remove_running_lines,
)
from summarizer.papers.pdf_errors import (
    EncryptedPdfError,
    ImageOnlyPdfError,
    MalformedPdfError,
    PdfTextError,
    PdfTimeoutError,
)
from summarizer.papers.pdf_layout import (
    SECTION_NAMES,
    Section,
    canonical_section_name,
    find_abstract,
    find_sections,
    split_references,
)
from summarizer.papers.pdf_title import title_and_authors
from summarizer.papers.pdf_worker import RawPdf, run_worker

__all__ = [
    "SECTION_NAMES", "EncryptedPdfError", "ImageOnlyPdfError", "MalformedPdfError", "PdfDocument",
    "PdfTextError", "PdfTimeoutError", "Section", "canonical_section_name", "extract_pdf",
    "find_abstract", "find_sections", "split_references",
]  # fmt: skip


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


# --- page 1 for the title and authors -------------------------------------------


def _clean_fragment(text: str) -> str:
    # Keep the space or line break at either end: they separate adjacent names.
    head = " " if text[:1].isspace() else ""
    tail = "\n" if text.rstrip(" ").endswith("\n") else (" " if text[-1:].isspace() else "")
    return head + clean_page_text(text) + tail


def _title_and_authors(raw: RawPdf, page_one: str) -> tuple[str | None, list[str]]:
    """Clean what the worker read of page 1 and the metadata, and leave the judging
    to :func:`~summarizer.papers.pdf_layout.title_and_authors`."""
    frags = [
        (size, font, clean)
        for size, font, text in raw.page_one_fragments
        if (clean := _clean_fragment(text)).strip() and not ARXIV_STAMP_RE.search(clean)
    ]
    meta_title = normalize_whitespace(clean_page_text(raw.meta_title or ""))
    meta_author = clean_page_text(raw.meta_author or "")
    return title_and_authors(frags, meta_title, meta_author, page_one)


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

    raw = run_worker(payload, password, timeout, label)
    if raw.failure is not None:
        raise _failure_error(raw, label, truncated)
    return build_document(raw, label, truncated)


def _failure_error(raw: RawPdf, label: str, truncated: bool) -> PdfTextError:
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


def build_document(raw: RawPdf, label: str, truncated: bool) -> PdfDocument:
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
