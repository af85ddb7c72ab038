"""Downloading paper PDFs: from arXiv (politely, cached) or from any URL.

A body that is not a PDF (arXiv's HTML "not available" page, a login page) is a
:class:`PdfUnavailableError`, not a retry: asking again gives the same page.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import httpx

from summarizer.errors import RemoteServiceError
from summarizer.fsutil import atomic_write_bytes
from summarizer.papers.http import DownloadFailedError, RetryableResponseError, RetryingGetter
from summarizer.papers.metadata_cache import server_folder
from summarizer.papers.paper import Paper

log = logging.getLogger(__name__)

DEFAULT_ARXIV_PDF_URL = "https://arxiv.org/pdf/"
# Papers are a few MB; anything far larger is not the paper.
MAX_PDF_BYTES = 80 << 20


class PdfUnavailableError(RemoteServiceError):
    """No PDF could be had; the draft falls back to the abstract."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"could not get the PDF at {url}: {reason}")


def _accept_pdf(response: httpx.Response) -> bytes:
    if response.status_code != 200:
        raise PdfUnavailableError(str(response.url), f"HTTP {response.status_code}")
    body = response.content
    if len(body) > MAX_PDF_BYTES:
        raise PdfUnavailableError(str(response.url), f"it is {len(body) >> 20} MB, too large")
    if b"%PDF-" not in body[:1024]:
        kind = response.headers.get("content-type", "unknown type").split(";")[0]
        if not body:
            # An empty 200 is a hiccup worth one more try, not an answer.
            raise RetryableResponseError("the body was empty")
        raise PdfUnavailableError(str(response.url), f"the server sent {kind}, not a PDF")
    if b"%%EOF" not in body[-2048:]:
        # Content-Length matched but the file ends early: a cut upload or cache.
        raise RetryableResponseError("the PDF ends early (no %%EOF)")
    return body


class PdfDownloader:
    """Fetches PDFs through a :class:`RetryingGetter`; arXiv PDFs are cached on disk."""

    def __init__(
        self,
        arxiv_getter: RetryingGetter,
        other_getter: RetryingGetter,
        *,
        cache_dir: Path,
        arxiv_pdf_url: str = DEFAULT_ARXIV_PDF_URL,
    ) -> None:
        # arXiv's PDFs share the API's politeness limiter; other hosts do not.
        self.arxiv_getter = arxiv_getter
        self.other_getter = other_getter
        self.cache_dir = cache_dir
        self.arxiv_pdf_url = arxiv_pdf_url.rstrip("/") + "/"

    def for_paper(self, paper: Paper) -> bytes:
        """The PDF of exactly this arXiv version."""
        if paper.arxiv_id is None:
            raise ValueError("only arXiv papers have an arXiv PDF")
        name = f"{paper.arxiv_id.replace('/', '_')}v{paper.version}.pdf"
        url = f"{self.arxiv_pdf_url}{paper.versioned_id}"
        # Per server: a fake's or a mirror's PDFs never answer for arxiv.org's.
        folder = self.cache_dir / server_folder(self.arxiv_pdf_url)
        return self._cached(folder / name, url, self.arxiv_getter)

    def from_url(self, url: str) -> bytes:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
        return self._cached(self.cache_dir / f"url-{digest}.pdf", url, self.other_getter)

    def _cached(self, path: Path, url: str, getter: RetryingGetter) -> bytes:
        if path.is_file():
            log.debug("PDF %s from cache", url)
            return path.read_bytes()
        try:
            body = getter.get(url, _accept_pdf)
        except DownloadFailedError as failure:
            reason = f"{failure.reason} after {failure.attempts} attempt(s)"
            raise PdfUnavailableError(url, reason) from None
        try:
            atomic_write_bytes(path, body, replace=True)
        except OSError as error:
            log.warning("could not cache the PDF in %s: %s", path.parent, error)
        return body
