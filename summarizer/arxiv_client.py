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
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

from summarizer.errors import (
    ArxivRejectedQueryError,
    ArxivUnavailableError,
    PaperNotFoundError,
)
from summarizer.metadata_cache import MetadataCache
from summarizer.paper import Paper
from summarizer.ratelimit import RateLimiter
from summarizer.refs import PaperRef

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Past this, waiting is worse than telling the user to come back later.
MAX_RETRY_AFTER = 120.0
# An empty feed for an existing paper is a known, passing arXiv fault, but an
# unknown ID also gives an empty feed: retry only a little before saying "not found".
EMPTY_FEED_ATTEMPTS = 3
_ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")
_USER_AGENT = "summarize/0.1 (paper-note drafting; +https://github.com/summarize-notes/summarize)"


@dataclass
class _Attempt:
    """Why one attempt failed, and how long the server asked us to wait."""

    reason: str
    retry_after: float | None = None
    retryable: bool = True


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
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.cache = cache
        self._sleep = sleep
        self._limiter = RateLimiter(
            min_interval, state_file=rate_state_file, sleep=sleep, clock=clock
        )
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": _USER_AGENT},
            follow_redirects=True,
            transport=transport,
        )
        self.requests_made = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, ref: PaperRef) -> Paper:
        """Metadata of ``ref`` (its latest version when no version is given)."""
        if self.cache is not None:
            cached = self.cache.get(ref)
            if cached is not None:
                log.debug("metadata for %s from cache", ref)
                return cached
        last_failure = "no answer"
        for attempt in range(1, self.max_attempts + 1):
            result = self._query_once([ref.versioned_id])
            if isinstance(result, list):
                papers = [p for p in result if p.arxiv_id == ref.arxiv_id]
                if papers:
                    paper = papers[0]
                    if self.cache is not None:
                        self.cache.put(ref, paper)
                    return paper
                if attempt >= min(EMPTY_FEED_ATTEMPTS, self.max_attempts):
                    raise PaperNotFoundError(ref.versioned_id)
                failure = _Attempt("the feed was empty")
            else:
                failure = result
            last_failure = failure.reason
            if not failure.retryable or attempt == self.max_attempts:
                break
            self._back_off(attempt, failure)
        raise ArxivUnavailableError(self.api_url, last_failure, attempt)

    def _back_off(self, attempt: int, failure: _Attempt) -> None:
        delay = max(failure.retry_after or 0.0, self.min_interval * 2 ** (attempt - 1))
        log.info("arXiv: %s; retrying in %.1f s", failure.reason, delay)
        self._sleep(delay)

    def _query_once(self, id_list: Sequence[str]) -> list[Paper] | _Attempt:
        """One request; papers on success, or why it failed (no exception for retryables)."""
        params = {"id_list": ",".join(id_list), "start": "0", "max_results": str(len(id_list))}
        self._limiter.wait()
        self.requests_made += 1
        try:
            response = self._http.get(self.api_url, params=params)
        except httpx.TimeoutException:
            return _Attempt("the request timed out")
        except httpx.TransportError as error:
            # Includes a body cut short (RemoteProtocolError) and refused connections.
            return _Attempt(f"the connection failed ({type(error).__name__}: {error})")
        if response.status_code == 400:
            detail = error_entry_summary(response.content) or "bad request"
            raise ArxivRejectedQueryError(",".join(id_list), detail)
        if response.status_code in RETRYABLE_STATUS:
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                return _Attempt(
                    f"HTTP {response.status_code}, asked to wait {retry_after:.0f} s",
                    retryable=False,
                )
            return _Attempt(f"HTTP {response.status_code}", retry_after)
        if response.status_code != 200:
            return _Attempt(f"HTTP {response.status_code}", retryable=False)
        try:
            return parse_feed(response.content)
        except MalformedFeedError as error:
            return _Attempt(str(error))


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


def _retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
