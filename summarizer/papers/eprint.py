"""Downloading an arXiv paper's LaTeX source (``/e-print/ID``) and HTML (``/html/IDvN``).

Both go through the arXiv getter, so they share the API's rate limit, and both are
cached on disk next to the PDFs.  "arXiv has none" (HTTP 404, or an HTML page that
is not a LaTeXML rendering) is cached too, as a small ``.missing`` file holding the
reason: a version's source never appears later, and asking again would cost a
rate-limited request on every redraft.  Delete the file to ask again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx

from summarizer.fsutil import atomic_write_bytes
from summarizer.papers.http import DownloadFailedError, RetryableResponseError, RetryingGetter
from summarizer.papers.metadata_cache import server_folder
from summarizer.papers.paper import Paper

log = logging.getLogger(__name__)

DEFAULT_ARXIV_EPRINT_URL = "https://arxiv.org/e-print/"
DEFAULT_ARXIV_HTML_URL = "https://arxiv.org/html/"
# A source tarball is rarely over 20 MB (figures); the HTML page a few MB.
MAX_EPRINT_BYTES = 60 << 20
MAX_HTML_BYTES = 20 << 20


class SourceUnavailableError(Exception):
    """arXiv gave no usable source or HTML; ``reason`` says why, for the note."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _MissingError(Exception):
    """arXiv answered that it has none (cached)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _accept(limit: int, html: bool) -> Callable[[httpx.Response], bytes]:
    def accept(response: httpx.Response) -> bytes:
        if response.status_code in (404, 410):
            raise _MissingError(f"arXiv has none (HTTP {response.status_code})")
        if response.status_code != 200:
            raise SourceUnavailableError(f"HTTP {response.status_code}")
        body = response.content
        if not body:
            raise RetryableResponseError("the body was empty")
        if len(body) > limit:
            raise SourceUnavailableError(f"it is {len(body) >> 20} MB, over {limit >> 20} MB")
        if html and b"ltx_" not in body:
            raise _MissingError("the page is not a LaTeXML rendering of the paper")
        return body

    return accept


class ArxivSourceDownloader:
    """Fetches e-prints and HTML renderings through the arXiv getter; caches both."""

    def __init__(
        self, getter: RetryingGetter, *, cache_dir: Path, eprint_url: str, html_url: str
    ) -> None:
        self.getter = getter
        self.cache_dir = cache_dir
        self.eprint_url = eprint_url.rstrip("/") + "/"
        self.html_url = html_url.rstrip("/") + "/"

    def eprint(self, paper: Paper) -> bytes:
        """The e-print of exactly this version (tarball, gzipped .tex or PDF)."""
        url = f"{self.eprint_url}{paper.versioned_id}"
        return self._cached("eprint", _name(paper, ".src"), url, _accept(MAX_EPRINT_BYTES, False))

    def html(self, paper: Paper) -> bytes:
        url = f"{self.html_url}{paper.versioned_id}"
        return self._cached("html", _name(paper, ".html"), url, _accept(MAX_HTML_BYTES, True))

    def _cached(
        self, kind: str, name: str, url: str, accept: Callable[[httpx.Response], bytes]
    ) -> bytes:
        # Per server, as the PDFs: a fake's sources never answer for arXiv's.
        base = self.eprint_url if kind == "eprint" else self.html_url
        path = self.cache_dir / kind / server_folder(base) / name
        missing = path.with_suffix(".missing")
        if path.is_file():
            log.debug("%s from cache", url)
            return path.read_bytes()
        if missing.is_file():
            reason = missing.read_text(encoding="utf-8", errors="replace").strip()
            raise SourceUnavailableError(reason or "arXiv has none")
        try:
            body = self.getter.get(url, accept)
        except _MissingError as none:
            self._store(missing, none.reason.encode("utf-8"))
            raise SourceUnavailableError(none.reason) from None
        except DownloadFailedError as failure:
            raise SourceUnavailableError(
                f"{failure.reason} after {failure.attempts} attempt(s)"
            ) from None
        self._store(path, body)
        return body

    @staticmethod
    def _store(path: Path, body: bytes) -> None:
        try:
            atomic_write_bytes(path, body, replace=True)
        except OSError as error:
            log.warning("could not cache %s: %s", path, error)


def _name(paper: Paper, suffix: str) -> str:
    if paper.arxiv_id is None:
        raise ValueError("only arXiv papers have an e-print")
    return f"{paper.arxiv_id.replace('/', '_')}v{paper.version}{suffix}"
