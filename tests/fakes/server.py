"""Shared base for the local fake HTTP servers used in tests.

A :class:`FakeServer` is a real ``http.server.ThreadingHTTPServer`` bound to
``127.0.0.1`` on an ephemeral port and run in a daemon thread, so the product's
real HTTP clients (openai SDK, httpx) are exercised end to end without network.

Subclasses only implement :meth:`FakeServer.handle` (plus optional hooks that
format error / malformed / empty answers the way their real counterpart would).
Everything else lives here: request recording, FIFO fault injection (status,
Retry-After, delay, truncated body, malformed body, empty result), quiet
logging and fast, robust shutdown.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["FakeServer", "Fault", "RecordedRequest", "Response"]

_HOST = "127.0.0.1"

# Errors that only mean "the client went away"; they are expected when a test
# times out on purpose and must not be reported as server failures.
_DISCONNECT_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour, consumed by exactly one request.

    Several fields may be combined, e.g. ``Fault(status=429, retry_after=1)`` or
    ``Fault(delay=2.0)`` followed by the normal answer.
    """

    status: int | None = None  # answer with this status and an error body fitting the server
    retry_after: float | None = None  # add `Retry-After` and `retry-after-ms` headers
    delay: float = 0.0  # sleep this long before answering (to provoke client timeouts)
    truncate: bool = False  # full Content-Length, only half the body, then close
    malformed: bool = False  # 200 with a body that is not valid JSON / XML
    empty: bool = False  # 200 with a valid but empty result (servers that support it)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the fake server received it.

    ``headers`` has lower-cased names (repeated headers joined with ``", "``);
    ``json`` is the decoded body when it is valid JSON, else ``None``;
    ``time`` is ``time.monotonic()`` when the request arrived.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any | None
    time: float

    def param(self, name: str, default: str | None = None) -> str | None:
        """First value of query parameter ``name`` (``default`` when absent)."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    """What a subclass's :meth:`FakeServer.handle` returns."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, payload: Any, status: int = 200) -> Response:
        """A JSON response (UTF-8, non-ASCII kept readable like real APIs do)."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status=status, body=body, content_type="application/json")

    @classmethod
    def of_text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        """A text response encoded as UTF-8; ``charset`` is added to the content type."""
        return cls(
            status=status,
            body=text.encode("utf-8"),
            content_type=f"{content_type}; charset=utf-8",
        )


def _format_seconds(seconds: float) -> str:
    """``Retry-After`` value: an integer string when whole (as HTTP prescribes)."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its :class:`FakeServer` and never blocks on close."""

    daemon_threads = True  # a stuck handler must never keep the test process alive
    block_on_close = False  # stop() must not wait for handlers sleeping in a delay

    def __init__(self, fake: FakeServer, port: int) -> None:
        self.fake = fake
        super().__init__((_HOST, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Record unexpected handler errors instead of printing tracebacks to stderr."""
        if isinstance(sys.exc_info()[1], _DISCONNECT_ERRORS):
            return  # the client hung up; nothing went wrong on our side
        self.fake._record_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the :class:`FakeServer` for the answer and writes it."""

    # HTTP/1.1 keeps connections alive like real servers, so client connection
    # pools and Content-Length handling behave as in production.
    protocol_version = "HTTP/1.1"
    server_version = "FakeServer/1.0"
    timeout = 60  # idle keep-alive connections eventually go away on their own
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.fake._track_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.fake._untrack_connection(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        try:
            request = self._read_request()
            answer = self.server.fake._process(request)
            if answer is None:  # the server is stopping: drop the connection unanswered
                self.close_connection = True
                return
            response, truncate = answer
            self._write(response, truncate=truncate)
        except _DISCONNECT_ERRORS:
            # The client gave up (e.g. its timeout fired during an injected delay).
            self.close_connection = True

    def _read_request(self) -> RecordedRequest:
        arrived = time.monotonic()
        parts = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body = self._read_body(headers)
        try:
            decoded: Any | None = json.loads(body) if body else None
        except ValueError:
            decoded = None
        return RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            json=decoded,
            time=arrived,
        )

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Skip optional trailers up to the blank line that ends the body.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
        length = int(headers.get("content-length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, response: Response, *, truncate: bool) -> None:
        body = response.body
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        # Always the full length, even when truncating: that mismatch is the fault.
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True  # the client sees EOF before Content-Length bytes
            return
        self.wfile.write(body)


class FakeServer:
    """Base class: a local HTTP server with request recording and fault injection.

    Use as a context manager (``with FakeChatServer() as server: ...``) or call
    :meth:`start` / :meth:`stop`.  All public methods are thread-safe.
    """

    def __init__(self, port: int = 0) -> None:
        """``port=0`` picks a free ephemeral port (what tests should use)."""
        self._requested_port = port
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeServer:
        """Bind and start serving in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        self._stopping.clear()
        self._httpd = _HTTPServer(self, self._requested_port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # short poll so shutdown() returns quickly
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections; safe to call twice."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in an injected delay
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        # Keep-alive connections would otherwise keep being served by their
        # handler threads after the listening socket is gone.
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (only while started)."""
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        return f"http://{_HOST}:{self.port}"

    # --- faults and recording --------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each following request consumes one, in order (FIFO)."""
        with self._lock:
            self._faults.extend(faults)

    def clear_faults(self) -> None:
        """Drop faults that have not been consumed yet."""
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Forget pending faults, recorded requests and recorded errors."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()
            self._errors.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults not consumed yet (a copy)."""
        with self._lock:
            return list(self._faults)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """Number of requests received so far (faulted ones included)."""
        with self._lock:
            return len(self._requests)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of unexpected exceptions inside the server (should stay empty)."""
        with self._lock:
            return list(self._errors)

    # --- subclass hooks --------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        """Build the normal answer to ``request``.  Subclasses must implement this."""
        raise NotImplementedError

    def error_response(self, status: int, message: str) -> Response:
        """Answer with HTTP ``status``; subclasses format the body like their real API."""
        return Response.of_text(message, status=status)

    def malformed_response(self, request: RecordedRequest) -> Response:
        """A 200 answer whose body cannot be parsed; subclasses make it look plausible."""
        return Response.of_text("{ this is not valid", status=200)

    def empty_response(self, request: RecordedRequest) -> Response:
        """A valid answer without results; servers without the notion answer normally."""
        return self.handle(request)

    # --- internals -------------------------------------------------------------

    def _process(self, request: RecordedRequest) -> tuple[Response, bool] | None:
        """Record ``request``, apply the next fault and return (response, truncate).

        Returns ``None`` when the server is stopping during an injected delay.
        """
        with self._lock:
            self._requests.append(request)
            fault = self._faults.popleft() if self._faults else Fault()
        if fault.delay > 0 and self._stopping.wait(fault.delay):
            return None
        response = self._build(request, fault)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = _format_seconds(fault.retry_after)
            response.headers["retry-after-ms"] = str(round(fault.retry_after * 1000))
        return response, fault.truncate

    def _build(self, request: RecordedRequest, fault: Fault) -> Response:
        try:
            if fault.status is not None:
                return self.error_response(fault.status, f"injected fault: HTTP {fault.status}")
            if fault.malformed:
                return self.malformed_response(request)
            if fault.empty:
                return self.empty_response(request)
            return self.handle(request)
        except Exception:  # a bug in a fake must surface as a 500, not as a hang
            details = traceback.format_exc()
            self._record_error(details)
            return self.error_response(500, f"fake server error: {details}")

    def _record_error(self, details: str) -> None:
        with self._lock:
            self._errors.append(details)

    def _track_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
