"""Reading a paper: its metadata from arXiv, and its full text from its LaTeX source,
arXiv's HTML or the PDF (:mod:`summarizer.papers.text_sources` chooses).

One :class:`Clients` per run holds the HTTP clients, which share arXiv's rate
limit (the API, the e-prints, the HTML pages and the PDFs count against the same
one request every 3 s).  Full text that cannot be had or read is a warning for an
arXiv paper (the abstract still makes a useful draft) and an error for a PDF the
user named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.papers.arxiv import ArxivClient
from summarizer.papers.eprint import ArxivSourceDownloader
from summarizer.papers.http import RetryingGetter, make_http_client
from summarizer.papers.metadata_cache import MetadataCache
from summarizer.papers.pdf_fetch import PdfDownloader, PdfUnavailableError
from summarizer.papers.pdf_text import PdfTextError, extract_pdf
from summarizer.papers.ratelimit import RateLimiter
from summarizer.papers.sources import PdfSource, PdfUrlSource, Source, paper_from_document
from summarizer.papers.text_sources import SourcedDocument, read_structured, sourced

if TYPE_CHECKING:
    from summarizer.papers.paper import Paper
    from summarizer.papers.pdf_text import PdfDocument
    from summarizer.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PaperText:
    """What was read: metadata, and the full text when there is one."""

    paper: Paper
    source: Source
    document: PdfDocument | None
    warnings: list[str]


class Clients:
    """The HTTP clients of one run, sharing arXiv's rate limit; close() when done."""

    def __init__(self, settings: Settings) -> None:
        self.arxiv = ArxivClient(
            settings.arxiv_api_url,
            min_interval=settings.effective_arxiv_interval,
            max_attempts=settings.arxiv_attempts,
            timeout=settings.http_timeout,
            cache=MetadataCache(settings.cache_dir / "arxiv"),
            rate_state_file=settings.home / "state" / "arxiv-last-request",
        )
        self._web = make_http_client(settings.http_timeout)
        web_getter = RetryingGetter(
            self._web,
            limiter=RateLimiter(0),
            max_attempts=settings.arxiv_attempts,
            backoff=1.0,
        )
        self.pdfs = PdfDownloader(
            self.arxiv.getter,
            web_getter,
            cache_dir=settings.cache_dir / "pdf",
            arxiv_pdf_url=settings.arxiv_pdf_url,
        )
        self.sources = ArxivSourceDownloader(
            self.arxiv.getter,
            cache_dir=settings.cache_dir,
            eprint_url=settings.arxiv_sibling_url("e-print"),
            html_url=settings.arxiv_sibling_url("html"),
        )

    def close(self) -> None:
        self.arxiv.close()
        self._web.close()


def read_paper(source: Source, settings: Settings, say: Progress) -> PaperText:
    """Metadata, plus the PDF's text when wanted; a PDF that fails is a warning."""
    clients = Clients(settings)
    try:
        return read_source(clients, source, settings, say)
    finally:
        clients.close()


def read_source(clients: Clients, source: Source, settings: Settings, say: Progress) -> PaperText:
    """Read ``source`` with ``clients``: a PDF on disk or on the web, or an arXiv paper."""
    if isinstance(source, PdfSource):
        say(f"reading {source.path}")
        # The user's own file: its errors are theirs to fix (exit 2), no fallback.
        document = extract_pdf(source.path, password=_password(settings))
        return PaperText(paper_from_document(document, str(source.path)), source, document, [])
    if isinstance(source, PdfUrlSource):
        say(f"downloading {source.url}")
        document = extract_pdf(clients.pdfs.from_url(source.url), password=_password(settings))
        return PaperText(paper_from_document(document, source.url), source, document, [])
    say(f"fetching arXiv metadata for {source.ref}")
    paper = clients.arxiv.fetch(source.ref)
    document, warnings = read_full_text(clients, paper, settings, say)
    return PaperText(paper, source, document, warnings)


def read_full_text(
    clients: Clients, paper: Paper, settings: Settings, say: Progress
) -> tuple[PdfDocument | None, list[str]]:
    """An arXiv paper's full text when wanted, from the best source it has (see
    :mod:`summarizer.papers.text_sources`); no text at all is only a warning."""
    if not settings.full_text:
        return None, []
    failed: list[str] = []

    def read_pdf(fallbacks: list[str]) -> SourcedDocument:
        say(f"reading the PDF of {paper.versioned_id}")
        failed.extend(fallbacks)
        return sourced(extract_pdf(clients.pdfs.for_paper(paper)), fallbacks)

    try:
        return read_structured(paper, settings.text_source, clients.sources, read_pdf, say)
    except (PdfUnavailableError, PdfTextError) as error:
        # The abstract still makes a useful draft; say what is missing and why.
        tried = "".join(f"; {reason}" for reason in failed)
        return None, [f"full text unavailable ({error}{tried}); drafted from the abstract only"]


def _password(settings: Settings) -> str | None:
    return settings.pdf_password.get_secret_value() if settings.pdf_password else None
