"""The arXiv API client: one polite, retrying client for metadata.

It speaks the Atom API (``/api/query?id_list=…``) with httpx and parses feeds
with feedparser, which reads both the current format and the 2016 one (namespaces
declared per element, hard line breaks in titles).  Retries cover what arXiv is
known to do under load: 429/500/502/503/504, timeouts, truncated bodies, and a
feed that comes back empty for a paper that exists.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

from summarizer.errors import (
    ArxivRejectedQueryError,
    ArxivUnavailableError,
    PaperNotFoundError,
    SummarizerError,
)
from summarizer.papers.http import (
    DownloadFailedError,
    RetryableResponseError,
    RetryingGetter,
    make_http_client,
)
from summarizer.papers.metadata_cache import MetadataCache
from summarizer.papers.paper import Paper
from summarizer.papers.ratelimit import RateLimiter
from summarizer.papers.refs import PaperRef

log = logging.getLogger(__name__)

# An empty feed for an existing paper is a known, passing arXiv fault, but an
# unknown ID also gives an empty feed: retry only a little before saying "not found".
EMPTY_FEED_ATTEMPTS = 3
# IDs per id_list request when fetching many papers: 100 keep the URL near 1.3 kB,
# far inside any server's limit on query strings; longer lists take more requests.
ID_LIST_BATCH = 100
_ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")


class ArxivClient:
    """Fetches paper metadata; thread-safe, shares one rate limit across processes."""

    def __init__(
        self,
        api_url: str,
        *,
        min_interval: float = 3.0,
        max_attempts: int = 4,
        timeout: float = 30.0,
        cache: MetadataCache | None = None,
        rate_state_file: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = api_url
        # Answers are cached per server, so a fake or a mirror never fills arXiv's cache.
        self.cache = cache.for_server(api_url) if cache is not None else None
        self._http = make_http_client(timeout, transport)
        # `getter` (and its limiter) is shared with PDF downloads from arXiv.
        limiter = RateLimiter(min_interval, state_file=rate_state_file, sleep=sleep, clock=clock)
        self.getter = RetryingGetter(
            self._http,
            limiter=limiter,
            max_attempts=max_attempts,
            backoff=min_interval,
            sleep=sleep,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _cached(self, ref: PaperRef) -> Paper | None:
        if self.cache is None:
            return None
        cached = self.cache.get(ref)
        if cached is not None:
            log.debug("metadata for %s from cache", ref)
        return cached

    def fetch(self, ref: PaperRef) -> Paper:
        """Metadata of ``ref`` (its latest version when no version is given)."""
        cached = self._cached(ref)
        if cached is not None:
            return cached
        empty_feeds = 0

        def accept(response: httpx.Response) -> Paper:
            nonlocal empty_feeds
            papers = _papers_or_raise(response, ref.versioned_id)
            for paper in papers:
                if paper.arxiv_id == ref.arxiv_id:
                    return paper
            empty_feeds += 1
            if empty_feeds >= min(EMPTY_FEED_ATTEMPTS, self.getter.max_attempts):
                raise PaperNotFoundError(ref.versioned_id)
            raise RetryableResponseError("the feed was empty")

        params = {"id_list": ref.versioned_id, "start": "0", "max_results": "1"}
        try:
            paper = self.getter.get(self.api_url, accept, params=params)
        except DownloadFailedError as failure:
            raise ArxivUnavailableError(self.api_url, failure.reason, failure.attempts) from None
        if self.cache is not None:
            self.cache.put(ref, paper)
        return paper

    def fetch_many(
        self, refs: Sequence[PaperRef], *, batch_size: int = ID_LIST_BATCH
    ) -> dict[PaperRef, Paper | SummarizerError]:
        """Metadata of many papers in as few requests as possible: ``id_list`` with up
        to ``batch_size`` IDs per request, after the cache.  Each paper maps to its
        metadata or to the error that paper met; nothing is raised.
        """
        results: dict[PaperRef, Paper | SummarizerError] = {}
        missing = []
        for ref in refs:
            cached = self._cached(ref)
            if cached is not None:
                results[ref] = cached
            else:
                missing.append(ref)
        for start in range(0, len(missing), batch_size):
            results.update(self._fetch_chunk(missing[start : start + batch_size]))
        return results

    def _fetch_chunk(self, refs: list[PaperRef]) -> dict[PaperRef, Paper | SummarizerError]:
        id_list = ",".join(ref.versioned_id for ref in refs)
        empty_feeds = 0

        def accept(response: httpx.Response) -> list[Paper]:
            nonlocal empty_feeds
            papers = _papers_or_raise(response, id_list)
            if papers:
                return papers
            # Unknown IDs are left out of the feed; an empty feed may also be arXiv's
            # passing fault, as for a single paper.
            empty_feeds += 1
            if empty_feeds >= min(EMPTY_FEED_ATTEMPTS, self.getter.max_attempts):
                return []
            raise RetryableResponseError("the feed was empty")

        params = {"id_list": id_list, "start": "0", "max_results": str(len(refs))}
        try:
            papers = self.getter.get(self.api_url, accept, params=params)
        except ArxivRejectedQueryError:
            # One ID arXiv rejects spoils the whole query: ask for each on its own,
            # so only that paper fails.
            return {ref: self._fetch_or_error(ref) for ref in refs}
        except DownloadFailedError as failure:
            error = ArxivUnavailableError(self.api_url, failure.reason, failure.attempts)
            return dict.fromkeys(refs, error)
        by_version = {(paper.arxiv_id, paper.version): paper for paper in papers}
        by_id = {paper.arxiv_id: paper for paper in papers}
        results: dict[PaperRef, Paper | SummarizerError] = {}
        for ref in refs:
            paper = by_version.get((ref.arxiv_id, ref.version)) or by_id.get(ref.arxiv_id)
            if paper is None:
                results[ref] = PaperNotFoundError(ref.versioned_id)
                continue
            results[ref] = paper
            if self.cache is not None:
                self.cache.put(ref, paper)
        return results

    def _fetch_or_error(self, ref: PaperRef) -> Paper | SummarizerError:
        try:
            return self.fetch(ref)
        except SummarizerError as error:
            return error


def _papers_or_raise(response: httpx.Response, id_list: str) -> list[Paper]:
    """The papers of a 200 answer; a typed error (or a retry) for anything else."""
    if response.status_code == 400:
        detail = error_entry_summary(response.content) or "bad request"
        raise ArxivRejectedQueryError(id_list, detail)
    if response.status_code != 200:
        raise ArxivUnavailableError(str(response.url), f"HTTP {response.status_code}", 1)
    media = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if "xml" not in media and not response.content.lstrip().startswith((b"<?xml", b"<feed")):
        # A maintenance page or a captive portal answering 200: an outage, not "no
        # such paper"; retried like a 503.
        raise RetryableResponseError(f"HTTP 200, {media or 'no content type'}")
    try:
        return parse_feed(response.content)
    except MalformedFeedError as error:
        raise RetryableResponseError(str(error)) from None


class MalformedFeedError(ValueError):
    """The body is not a well-formed Atom feed (cut short, or not XML at all)."""


def parse_feed(body: bytes) -> list[Paper]:
    """The papers in an arXiv API Atom response (either API era); errors entries skipped."""
    feed = feedparser.parse(body)
    if feed.bozo:
        # A feed that parses partly is as bad as none: the part may be truncated.
        raise MalformedFeedError(f"the Atom feed was malformed ({feed.bozo_exception})")
    return [_paper_from_entry(entry) for entry in feed.entries if _is_paper_entry(entry)]


def _is_paper_entry(entry: Any) -> bool:
    return bool(_ENTRY_ID.search(entry.get("id", "")))


def _paper_from_entry(entry: Any) -> Paper:
    match = _ENTRY_ID.search(entry["id"])
    assert match is not None  # checked by _is_paper_entry
    primary = entry.get("arxiv_primary_category") or {}
    return Paper(
        arxiv_id=match["id"],
        version=int(match["version"]),
        # A title may legitimately be "0": never use `or` on it.
        title=entry.get("title", ""),
        authors=[author["name"] for author in entry.get("authors", []) if author.get("name")],
        abstract=entry.get("summary", ""),
        published=_parse_datetime(entry["published"]),
        updated=_parse_datetime(entry.get("updated", entry["published"])),
        primary_category=primary.get("term"),
        categories=[tag["term"] for tag in entry.get("tags", []) if tag.get("term")],
        comment=_clean_optional(entry.get("arxiv_comment")),
        journal_ref=_clean_optional(entry.get("arxiv_journal_ref")),
        doi=_clean_optional(entry.get("arxiv_doi")),
    )


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def error_entry_summary(body: bytes) -> str | None:
    """arXiv explains a rejected query in an entry titled 'Error'."""
    feed = feedparser.parse(body)
    for entry in feed.entries:
        if "/api/errors" in entry.get("id", ""):
            return " ".join(entry.get("summary", "").split()) or None
    return None
