"""An arXiv paper's full text, from the best source it has: LaTeX, then HTML, then the PDF.

The LaTeX source is the paper as its authors wrote it: sections, captions and
tables (as cells) come out exactly, math as TeX.  arXiv's HTML (LaTeXML, papers
since late 2023) keeps the same structure when the source does not parse.  The PDF
is the last resort (pypdf loses tables and section boundaries on two columns).
Each step that is skipped says why (no source, no main file, unparseable, too
small); the reasons go into the note's front matter (``full_text.fallbacks``) and,
when a source was there but unusable, into its warnings.

The result is a :class:`SourcedDocument`: the :class:`PdfDocument` every drafting
step already takes, plus which source it came from, so the budget, map-reduce and
Comment code read structured text from any source unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from summarizer.papers.eprint import ArxivSourceDownloader, SourceUnavailableError
from summarizer.papers.latex_source import NoMainFileError, flatten
from summarizer.papers.pdf_text import PdfDocument

if TYPE_CHECKING:
    from summarizer.papers.latex_text import LatexPaper
    from summarizer.papers.paper import Paper

log = logging.getLogger(__name__)

TextSource = Literal["auto", "latex", "html", "pdf"]
TEXT_SOURCES: tuple[TextSource, ...] = ("auto", "latex", "html", "pdf")
# Fewer characters than this is not a paper's body (a stub, a one-line .tex).
MIN_TEXT_CHARS = 2000
# pylatexenc is pure Python: beyond this a "source" is not one paper's text.
MAX_TEX_CHARS = 3_000_000
_CASCADE: dict[str, tuple[str, ...]] = {
    "auto": ("latex", "html", "pdf"),
    "latex": ("latex", "pdf"),
    "html": ("html", "pdf"),
    "pdf": ("pdf",),
}


@dataclass(frozen=True)
class SourcedDocument(PdfDocument):
    """A paper's text as every drafting step takes it, and where it was read from."""

    source: str = "pdf"
    fallbacks: list[str] = field(default_factory=list)
    tables: int = 0


class TextUnusableError(Exception):
    """One source could not give the text; ``reason`` says why, ``absent`` if it has none."""

    def __init__(self, reason: str, *, absent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.absent = absent


def cascade(mode: str) -> tuple[str, ...]:
    """The sources tried, in order, for ``--text-source mode``."""
    return _CASCADE[mode]


def document_from_latex(parsed: LatexPaper, paper: Paper, source: str) -> SourcedDocument:
    text = parsed.text
    if len(text) < MIN_TEXT_CHARS:
        raise TextUnusableError(f"too small ({len(text)} characters of text)")
    return SourcedDocument(
        pages=0,
        text=text,
        references="",
        sections=parsed.sections,
        title=parsed.title or paper.title,
        authors=list(paper.authors),
        abstract=parsed.abstract or paper.abstract,
        arxiv_id=paper.arxiv_id,
        arxiv_version=paper.version,
        source=source,
        tables=len(parsed.tables),
    )


def latex_document(data: bytes, paper: Paper) -> SourcedDocument:
    """The text of an e-print's bytes; :class:`TextUnusableError` saying why not."""
    from summarizer.papers.latex_text import parse_latex
    from summarizer.papers.tarball import SourceArchiveError, read_source_archive

    try:
        tree = read_source_archive(data)
        flat = flatten(tree)
    except SourceArchiveError as error:
        raise TextUnusableError(error.reason, absent="only its PDF" in error.reason) from None
    except NoMainFileError as error:
        raise TextUnusableError(f"no main file ({error})") from None
    if len(flat.text) > MAX_TEX_CHARS:
        raise TextUnusableError(f"the TeX is {len(flat.text):,} characters, too large")
    try:
        parsed = parse_latex(flat.text)
    except Exception as error:
        log.debug("LaTeX of %s did not parse", paper.versioned_id, exc_info=True)
        raise TextUnusableError(f"unparseable ({type(error).__name__}: {error})") from None
    return document_from_latex(parsed, paper, "latex")


def html_document(data: bytes, paper: Paper) -> SourcedDocument:
    from summarizer.papers.html_text import parse_arxiv_html

    try:
        parsed = parse_arxiv_html(data)
    except Exception as error:
        raise TextUnusableError(f"unparseable ({type(error).__name__}: {error})") from None
    return document_from_latex(parsed, paper, "html")


def sourced(document: PdfDocument, fallbacks: list[str]) -> SourcedDocument:
    """A PDF's document, saying it came from the PDF and why the better sources did not."""
    values: dict[str, Any] = {k: getattr(document, k) for k in PdfDocument.__dataclass_fields__}
    return SourcedDocument(**values, source="pdf", fallbacks=fallbacks)


def read_structured(
    paper: Paper,
    mode: str,
    downloader: ArxivSourceDownloader,
    read_pdf: Callable[[list[str]], SourcedDocument],
    say: Callable[[str], None],
) -> tuple[SourcedDocument, list[str]]:
    """The first source of ``cascade(mode)`` that gives the text, and the warnings.

    ``read_pdf(fallbacks)`` reads the PDF (its errors are the caller's).
    """
    fallbacks: list[str] = []
    warnings: list[str] = []
    for step in cascade(mode):
        if step == "pdf":
            return read_pdf(fallbacks), warnings
        what = "LaTeX source" if step == "latex" else "arXiv HTML"
        say(f"reading the {what} of {paper.versioned_id}")
        try:
            if step == "latex":
                document = latex_document(downloader.eprint(paper), paper)
            else:
                document = html_document(downloader.html(paper), paper)
        except SourceUnavailableError as error:
            fallbacks.append(f"{step}: {error.reason}")
            continue
        except TextUnusableError as error:
            fallbacks.append(f"{step}: {error.reason}")
            if not error.absent:
                warnings.append(f"the {what} was not used: {error.reason}")
            continue
        return _with_fallbacks(document, fallbacks), warnings
    raise AssertionError("every cascade ends with the PDF")


def _with_fallbacks(document: SourcedDocument, fallbacks: list[str]) -> SourcedDocument:
    from dataclasses import replace

    return replace(document, fallbacks=list(fallbacks))


def text_source_record(document: PdfDocument | None) -> dict[str, Any]:
    """What the note's ``full_text`` says about the source: ``source`` and ``fallbacks``."""
    if document is None:
        return {}
    if not isinstance(document, SourcedDocument):
        return {"source": "pdf"}
    record: dict[str, Any] = {"source": document.source}
    if document.fallbacks:
        record["fallbacks"] = document.fallbacks
    return record
