"""Admission to a shared chat server: every model request of a run passes the gate.

:class:`ModelGate` bounds the requests in flight and pauses everyone after a 429;
:class:`GatedTransport` puts it in front of the openai SDK's HTTP client.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from summarizer.llm.retry_policy import RetryPolicy
from summarizer.retry import MAX_RETRY_AFTER, retry_after_seconds


def _sdk_httpx() -> Any:
    """The httpx flavour the installed openai SDK is built on (httpx2 from openai 3)."""
    import openai

    if int(openai.__version__.split(".")[0]) >= 3:
        import httpx2

        return httpx2
    import httpx

    return httpx


def gated_http_client(gate: ModelGate, timeout: float, policy: RetryPolicy) -> Any:
    """The openai SDK's HTTP client with every request passing ``gate``."""
    import openai

    httpx_module = _sdk_httpx()
    inner = httpx_module.HTTPTransport(
        limits=httpx_module.Limits(max_connections=100, max_keepalive_connections=20)
    )
    return openai.DefaultHttpxClient(transport=GatedTransport(inner, gate, policy), timeout=timeout)


class GatedTransport:
    """An httpx transport (duck-typed, for httpx or httpx2) in front of the chat server.

    Each request waits for the :class:`~summarizer.papers.ratelimit.ModelGate`; a 429 pauses
    the gate for its ``Retry-After`` (so every worker waits, not just this one) and
    is sent again after the pause, up to ``policy.rate_limit_retries`` times (the
    openai client then retries what is left through the gate again: see
    :mod:`summarizer.llm.retry_policy`).
    """

    def __init__(self, inner: Any, gate: ModelGate, policy: RetryPolicy) -> None:
        self.inner = inner
        self.gate = gate
        self.retries = policy.rate_limit_retries
        self.backoff = policy.rate_limit_backoff

    def handle_request(self, request: Any) -> Any:
        for attempt in range(self.retries + 1):
            self.gate.acquire()
            try:
                response = self.inner.handle_request(request)
            except BaseException:
                self.gate.release()
                raise
            if response.status_code != 429 or attempt == self.retries:
                self.gate.release()
                return response
            delay = _retry_after(response.headers)
            if delay is None:
                delay = self.backoff * 2**attempt
            elif delay > MAX_RETRY_AFTER:
                self.gate.release()
                return response  # waiting that long is worse than failing the paper
            response.close()
            self.gate.release(rate_limited_for=delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> GatedTransport:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.inner.__exit__(*exc_info)


def _retry_after(headers: Any) -> float | None:
    """OpenAI sends ``retry-after-ms`` besides the standard ``Retry-After``."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    return retry_after_seconds(headers.get("retry-after"))


class ModelGate:
    """Admission to a shared chat server: every model request of a run passes here.

    At most ``limit`` requests are in flight.  A 429 pauses *every* caller until its
    ``Retry-After`` has passed and halves the limit (never below 1); each run of
    ``limit`` successes then raises it by one, back up to ``max_in_flight``.  So a
    rate-limited batch slows down as a whole instead of each worker hammering the
    server and failing its paper.
    """

    def __init__(
        self,
        max_in_flight: int,
        *,
        on_pause: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self.limit = max_in_flight
        self.rate_limited = 0  # 429 answers seen, for the report
        self._on_pause = on_pause
        self._clock = clock
        self._condition = threading.Condition()
        self._in_flight = 0
        self._successes = 0
        self._paused_until = 0.0

    @property
    def in_flight(self) -> int:
        with self._condition:
            return self._in_flight

    def paused_for(self) -> float:
        """Seconds until requests may start again (0 when not paused)."""
        with self._condition:
            return max(0.0, self._paused_until - self._clock())

    def acquire(self) -> None:
        """Block until no pause is in force and a slot is free, then take the slot."""
        with self._condition:
            while True:
                pause = self._paused_until - self._clock()
                if pause > 0:
                    self._condition.wait(pause)
                elif self._in_flight < self.limit:
                    self._in_flight += 1
                    return
                else:
                    self._condition.wait()

    def release(self, *, rate_limited_for: float | None = None) -> None:
        """Give the slot back; ``rate_limited_for`` seconds when the answer was a 429.

        The pause is set before the slot is freed, atomically, so no other caller can
        slip a request in between.
        """
        with self._condition:
            self._in_flight -= 1
            if rate_limited_for is None:
                self._successes += 1
                if self._successes >= self.limit and self.limit < self.max_in_flight:
                    self.limit += 1
                    self._successes = 0
            else:
                self.rate_limited += 1
                self._paused_until = max(self._paused_until, self._clock() + rate_limited_for)
                self.limit = max(1, self.limit // 2)
                self._successes = 0
            self._condition.notify_all()
        if rate_limited_for is not None and self._on_pause is not None:
            self._on_pause(rate_limited_for)
