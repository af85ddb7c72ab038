"""Spacing between requests, shared by threads and by processes on one machine.

arXiv allows one API request every three seconds.  A researcher who runs
``summarize`` in a shell loop starts a new process per paper, so the spacing is
kept in a small state file under the user dir and serialised with ``flock``.

:class:`ModelGate` does the same job for the chat server within one run: a bound
on requests in flight, and a pause for everyone after a 429.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Callable
from pathlib import Path


class RateLimiter:
    """Blocks in :meth:`wait` until ``min_interval`` seconds have passed since the last call."""

    def __init__(
        self,
        min_interval: float,
        *,
        state_file: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.min_interval = min_interval
        self.state_file = state_file
        self._sleep = sleep
        # Wall-clock time, because the state is compared across processes.
        self._clock = clock
        self._lock = threading.Lock()
        self._last_local = 0.0

    def wait(self) -> None:
        if self.min_interval <= 0:
            return
        with self._lock:
            if self.state_file is None:
                self._last_local = self._wait_until(self._last_local)
                return
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            with self.state_file.open("a+") as handle:
                # The lock is held while sleeping, so waiting processes queue in turn.
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    handle.seek(0)
                    last = _parse_float(handle.read())
                    now = self._wait_until(max(last, self._last_local))
                    handle.seek(0)
                    handle.truncate()
                    handle.write(f"{now:.6f}\n")
                    handle.flush()
                    self._last_local = now
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _wait_until(self, last: float) -> float:
        delay = last + self.min_interval - self._clock()
        if delay > 0:
            # A clock that jumped backwards could ask for a huge wait; never wait
            # more than one interval.
            self._sleep(min(delay, self.min_interval))
        return self._clock()


def _parse_float(text: str) -> float:
    with contextlib.suppress(ValueError):
        return float(text.strip() or 0.0)
    return 0.0


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
