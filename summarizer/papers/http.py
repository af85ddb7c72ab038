"""One retry loop for every download: the arXiv API, arXiv PDFs, PDFs from any host.

Retried: 429/500/502/503/504 (honouring ``Retry-After``), timeouts, connection
failures and bodies cut short; and whatever the caller's ``accept`` function calls
retryable (an Atom feed that does not parse, an empty feed).  Backoff doubles from
the politeness interval, and a shared :class:`RateLimiter` spaces every attempt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import httpx

from summarizer.papers.ratelimit import RateLimiter
from summarizer.retry import MAX_RETRY_AFTER, retry_after_seconds

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "summarize/0.1 (paper-note drafting; +https://github.com/summarize-notes/summarize)"


class RetryableResponseError(Exception):
    """Raised by an ``accept`` function: the answer came, but is not usable yet."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DownloadFailedError(Exception):
    """Every attempt failed; ``reason`` says how the last one did."""

    def __init__(self, url: str, reason: str, attempts: int) -> None:
        super().__init__(f"{url}: {reason} after {attempts} attempt(s)")
        self.url = url
        self.reason = reason
        self.attempts = attempts


@dataclass
class _Failure:
    reason: str
    retry_after: float | None = None
    retryable: bool = True


def make_http_client(timeout: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        transport=transport,
    )


class RetryingGetter:
    """GET with retries and backoff; thread-safe when the limiter is shared."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        limiter: RateLimiter,
        max_attempts: int,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._sleep = sleep

    def get(
        self,
        url: str,
        accept: Callable[[httpx.Response], T],
        *,
        params: Mapping[str, str] | None = None,
    ) -> T:
        """``accept(response)`` for the first usable answer; :class:`DownloadFailedError` if none.

        ``accept`` sees every answer whose status is not retryable; it returns the
        value, raises :class:`RetryableResponseError` to try again, or raises anything
        else to stop at once.
        """
        failure = _Failure("no attempt made")
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):
            failure = self._attempt(url, params, accept)
            if not isinstance(failure, _Failure):
                return failure
            if not failure.retryable or attempt == self.max_attempts:
                break
            delay = max(failure.retry_after or 0.0, self.backoff * 2 ** (attempt - 1))
            log.info("%s: %s; retrying in %.1f s", url, failure.reason, delay)
            self._sleep(delay)
        raise DownloadFailedError(url, failure.reason, attempt)

    def _attempt(
        self,
        url: str,
        params: Mapping[str, str] | None,
        accept: Callable[[httpx.Response], T],
    ) -> T | _Failure:
        self.limiter.wait()
        try:
            response = self.client.get(url, params=params)
        except httpx.TimeoutException:
            return _Failure("the request timed out")
        except httpx.TransportError as error:
            # Includes a body cut short (RemoteProtocolError) and refused connections.
            return _Failure(f"the connection failed ({type(error).__name__}: {error})")
        if response.status_code in RETRYABLE_STATUS:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                return _Failure(
                    f"HTTP {response.status_code}, asked to wait {retry_after:.0f} s",
                    retryable=False,
                )
            return _Failure(f"HTTP {response.status_code}", retry_after)
        try:
            return accept(response)
        except RetryableResponseError as error:
            return _Failure(error.reason)
