"""Spacing between requests, shared by threads and by processes on one machine.

arXiv allows one API request every three seconds.  A researcher who runs
``summarize`` in a shell loop starts a new process per paper, so the spacing is
kept in a small state file under the user dir and serialised with ``flock``.

The chat server's equivalent, a bound on requests in flight and a pause for
everyone after a 429, is :class:`summarizer.llm.gate.ModelGate`.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from summarizer.errors import StateFileError
from summarizer.fsutil import move_aside, os_reason

STATE = "arXiv rate-limit state"


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
            with self._open_state() as handle:
                # The lock is held while sleeping, so waiting processes queue in turn.
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    handle.seek(0)
                    last = _parse_time(handle.read()) or 0.0
                    now = self._wait_until(max(last, self._last_local))
                    handle.seek(0)
                    handle.truncate()
                    handle.write(f"{now:.6f}\n".encode())
                    handle.flush()
                    self._last_local = now
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _open_state(self) -> IO[bytes]:
        path = self.state_file
        assert path is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                move_aside(path, STATE, "a folder is in its place")
            elif path.is_file() and _parse_time(path.read_bytes()) is None:
                move_aside(path, STATE, "not a time")
            # Bytes: a damaged file must never stop a run with a decoding error.
            return path.open("a+b")
        except OSError as error:
            raise StateFileError(STATE, str(path), os_reason(error)) from None

    def _wait_until(self, last: float) -> float:
        delay = last + self.min_interval - self._clock()
        if delay > 0:
            # A clock that jumped backwards could ask for a huge wait; never wait
            # more than one interval.
            self._sleep(min(delay, self.min_interval))
        return self._clock()


def _parse_time(raw: bytes) -> float | None:
    """The time a state file holds (0.0 when empty); None when it holds anything else."""
    try:
        return float(raw.decode("ascii").strip() or 0.0)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return None
