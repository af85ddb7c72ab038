"""PDF downloads through the local arXiv server: retries, cache, non-PDF answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.papers.http import RetryingGetter, make_http_client
from summarizer.papers.metadata_cache import server_folder
from summarizer.papers.pdf_fetch import PdfDownloader, PdfUnavailableError
from summarizer.papers.ratelimit import RateLimiter
from tests.factories import make_paper
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.server import Fault
from tests.pdfs import paper_pdf

PAPER = make_paper(arxiv_id="2506.12345", version=3)


@pytest.fixture
def downloader(arxiv_server: FakeArxivServer, tmp_path: Path) -> Iterator[PdfDownloader]:
    client = make_http_client(timeout=1.0)
    getter = RetryingGetter(
        client, limiter=RateLimiter(0), max_attempts=3, backoff=0.0, sleep=lambda _s: None
    )
    yield PdfDownloader(
        getter, getter, cache_dir=tmp_path / "pdf", arxiv_pdf_url=f"{arxiv_server.url}/pdf/"
    )
    client.close()


def test_downloads_the_versioned_pdf_and_caches_it(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer, tmp_path: Path
) -> None:
    data = paper_pdf()
    arxiv_server.add_pdf("2506.12345v3", data)
    assert downloader.for_paper(PAPER) == data
    assert arxiv_server.requests[-1].path == "/pdf/2506.12345v3"
    assert downloader.for_paper(PAPER) == data
    assert len(arxiv_server.requests) == 1
    (cached,) = (tmp_path / "pdf").glob("*/2506.12345v3.pdf")
    assert cached.read_bytes() == data
    # Kept per server: arXiv's own PDFs live in another folder than this fake's.
    assert cached.parent.name == server_folder(f"{arxiv_server.url}/pdf/")
    assert server_folder("https://arxiv.org/pdf/") != cached.parent.name


@pytest.mark.parametrize(
    "fault",
    [Fault(status=503), Fault(status=429, retry_after=0), Fault(truncate=True), Fault(delay=1.5)],
    ids=["503", "429", "truncated", "timeout"],
)
def test_transient_faults_are_retried(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer, fault: Fault
) -> None:
    arxiv_server.add_pdf("2506.12345", paper_pdf())
    arxiv_server.inject(fault)
    assert downloader.for_paper(PAPER).startswith(b"%PDF-")
    assert len(arxiv_server.requests) == 2


def test_missing_pdf_is_unavailable_without_retrying(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer
) -> None:
    with pytest.raises(PdfUnavailableError, match="HTTP 404"):
        downloader.for_paper(PAPER)
    assert len(arxiv_server.requests) == 1


def test_an_html_page_is_not_taken_for_the_pdf(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_pdf("2506.12345", b"<!DOCTYPE html><html><body>Not ready</body></html>")
    with pytest.raises(PdfUnavailableError, match="not a PDF"):
        downloader.for_paper(PAPER)


def test_a_pdf_cut_short_is_retried_then_reported(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_pdf("2506.12345", paper_pdf()[:2000])
    with pytest.raises(PdfUnavailableError, match="ends early"):
        downloader.for_paper(PAPER)
    assert len(arxiv_server.requests) == 3


def test_any_url_is_cached_by_its_address(
    downloader: PdfDownloader, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_pdf("2401.00001", paper_pdf())
    url = f"{arxiv_server.url}/pdf/2401.00001.pdf"
    assert downloader.from_url(url) == downloader.from_url(url)
    assert len(arxiv_server.requests) == 1
