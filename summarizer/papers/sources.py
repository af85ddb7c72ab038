"""What a REF names: an arXiv paper, or a PDF file on disk.

arXiv forms are tried first, because ``…/pdf/2506.12345.pdf`` is an arXiv URL
that happens to end in ``.pdf``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import BadInputError, InvalidReferenceError
from summarizer.papers.paper import Paper
from summarizer.papers.refs import PaperRef, is_arxiv_reference, parse_reference

if TYPE_CHECKING:
    from summarizer.papers.pdf_text import PdfDocument

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
# A PDF anywhere on the web: the path ends in .pdf (query strings allowed).
_PDF_URL = re.compile(r"\.pdf(?:[?#].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ArxivSource:
    ref: PaperRef


@dataclass(frozen=True)
class PdfSource:
    path: Path


@dataclass(frozen=True)
class PdfUrlSource:
    url: str

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rpartition("/")[2] or "paper"


Source = ArxivSource | PdfSource | PdfUrlSource


def resolve_source(reference: str) -> Source:
    """Classify ``reference``; :class:`InvalidReferenceError` when it is neither."""
    text = reference.strip()
    if is_arxiv_reference(text):
        return ArxivSource(parse_reference(text))
    if text.lower().startswith(("http://", "https://")) and _PDF_URL.search(text):
        return PdfUrlSource(text)
    path = Path(text).expanduser()
    if path.suffix.lower() == ".pdf" or _is_file(text, path):
        if not _is_file(text, path):
            raise BadInputError(f"no such PDF file: {text}")
        return PdfSource(path)
    return ArxivSource(parse_reference(text))  # raises, naming the accepted forms


def _is_file(text: str, path: Path) -> bool:
    """Whether ``path`` is a file; a name the OS refuses (too long, say) is no reference."""
    try:
        return path.is_file()
    except OSError as error:
        shown = text if len(text) <= 60 else f"{text[:40]}… ({len(text)} characters)"
        raise InvalidReferenceError(
            shown, f"not a file name either: {error.strerror or error}"
        ) from None


def note_stem(paper: Paper, source: Source) -> str:
    """The note's file name without ``.md``: the arXiv ID when known, else the PDF's name."""
    if isinstance(source, ArxivSource):
        return source.ref.safe_name
    if paper.arxiv_id is not None:
        return PaperRef(paper.arxiv_id).safe_name
    stem = source.path.stem if isinstance(source, PdfSource) else Path(source.name).stem
    return _UNSAFE_FILE_CHARS.sub("-", stem).strip("-.") or "paper"


def paper_from_document(document: PdfDocument, where: str) -> Paper:
    """Title, authors and abstract of a PDF (metadata and first page) as a Paper."""
    if not document.title:
        raise BadInputError(f"found no title in {where}; is it a paper with a text layer?")
    if not document.abstract:
        raise BadInputError(
            f"found no abstract in {where} (no 'Abstract' heading on the first page); "
            "give the arXiv ID instead if the paper is on arXiv"
        )
    return Paper(
        arxiv_id=document.arxiv_id,
        version=document.arxiv_version,
        title=document.title,
        authors=document.authors,
        abstract=document.abstract,
        source="pdf",
        pdf_path=where,
    )
