"""Chat requests answered from batch results, or set aside for the next batch.

The Batch API (and vLLM's ``run_batch``) must receive exactly the requests the
synchronous path sends.  Rather than build them a second time by hand, a batch
round runs the ordinary drafting pipeline with :class:`DeferringTransport` under
the ``ChatOpenAI`` client: the openai SDK serialises each request as it always
does, and the transport

- answers it with the recorded response when the batch results hold one for that
  exact body (so LangChain parses it, and stores it in the reply cache, as if the
  server had just sent it: a later run pays nothing for it), or
- records it (its ``custom_id`` is a hash of the body) and raises
  :class:`RequestsDeferred`, which the batch runner reads as "this paper waits for
  the next batch".  ``RequestsDeferred`` is not an ``httpx`` error, so the SDK
  neither retries nor wraps it (``openai._base_client`` re-raises what it does not
  know).

A dependent call (a long paper's Comment reduce after its map step) is only made
once its inputs are answered, so it surfaces in a later round by itself.
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CHAT_COMPLETIONS_URL = "/v1/chat/completions"

# Which paper the requests made in this thread (and the threads LangChain starts
# for it, which copy the context) belong to: the batch journal maps each custom_id
# to its paper.
_current_paper: contextvars.ContextVar[str] = contextvars.ContextVar(
    "summarizer_batch_paper", default=""
)


@contextmanager
def requests_for(paper: str) -> Iterator[None]:
    """Attribute the chat requests made inside the block to ``paper``."""
    token = _current_paper.set(paper)
    try:
        yield
    finally:
        _current_paper.reset(token)


class RequestsDeferred(Exception):  # noqa: N818 - control flow, not an error
    """A chat request has no answer yet: it goes into the next batch."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(f"request {custom_id} waits for a batch answer")
        self.custom_id = custom_id


def canonical_body(body: bytes) -> bytes:
    """The body as canonical JSON, so a key order the SDK may change finds the same answer."""
    return json.dumps(
        json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def custom_id_of(body: bytes) -> str:
    """The request's ``custom_id``: a hash of its canonical body (equal bodies, one answer)."""
    return "req-" + hashlib.sha256(canonical_body(body)).hexdigest()[:40]


@dataclass(frozen=True)
class DeferredRequest:
    """A request set aside: its exact body, and what it belongs to."""

    custom_id: str
    body: bytes  # exactly as the SDK serialised it
    paper: str
    task: str


@dataclass(frozen=True)
class RecordedAnswer:
    """What the server answered one request of a batch."""

    status_code: int
    body: bytes


def task_of(payload: Mapping[str, Any]) -> str:
    """A short name for what a request asks: its schema or tool, else plain text."""
    response_format = payload.get("response_format")
    if isinstance(response_format, dict):
        schema = response_format.get("json_schema")
        if isinstance(schema, dict) and schema.get("name"):
            return str(schema["name"])
    tools = payload.get("tools")
    if isinstance(tools, list) and tools and isinstance(tools[0], dict):
        name = tools[0].get("function", {}).get("name")
        if name:
            return str(name)
    return "text"


class DeferringTransport:
    """An httpx transport (duck-typed, for httpx or httpx2) that answers chat
    requests from batch results, defers the others, or, with ``pass_through``, sends
    those to the server synchronously (``--finish-sync``)."""

    def __init__(
        self, answers: Mapping[str, RecordedAnswer], *, pass_through: Any | None = None
    ) -> None:
        self.answers = answers
        self.pass_through = pass_through
        self._lock = threading.Lock()
        self._deferred: dict[str, DeferredRequest] = {}
        self.answered: set[str] = set()

    @property
    def deferred(self) -> list[DeferredRequest]:
        """The requests set aside so far, in the order they were first made."""
        with self._lock:
            return list(self._deferred.values())

    def handle_request(self, request: Any) -> Any:
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            return self._send(request)
        body = request.read()
        custom_id = custom_id_of(body)
        answer = self.answers.get(custom_id)
        if answer is not None:
            with self._lock:
                self.answered.add(custom_id)
            return _response_like(request, answer)
        if self.pass_through is not None:
            return self._send(request)
        deferred = DeferredRequest(custom_id, body, _current_paper.get(), task_of(json.loads(body)))
        with self._lock:
            self._deferred.setdefault(custom_id, deferred)
        raise RequestsDeferred(custom_id)

    def _send(self, request: Any) -> Any:
        if self.pass_through is None:
            raise RequestsDeferred(f"{request.method} {request.url.path}")
        return self.pass_through.handle_request(request)

    def close(self) -> None:
        if self.pass_through is not None:
            self.pass_through.close()

    def __enter__(self) -> DeferringTransport:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _response_like(request: Any, answer: RecordedAnswer) -> Any:
    # The response must be of the request's own httpx flavour (httpx, or httpx2
    # under openai 3), so it is built from the module the request came from.
    httpx_module = importlib.import_module(type(request).__module__.partition(".")[0])
    return httpx_module.Response(
        answer.status_code,
        headers={"content-type": "application/json"},
        content=answer.body,
        request=request,
    )


def deferring_http_client(transport: DeferringTransport, timeout: float) -> Any:
    """The openai SDK's HTTP client over ``transport``."""
    import openai

    return openai.DefaultHttpxClient(transport=transport, timeout=timeout)


def sdk_http_transport() -> Any:
    """A plain HTTP transport of the SDK's httpx flavour, for ``pass_through``."""
    import openai

    client_class = next(
        cls for cls in openai.DefaultHttpxClient.__mro__ if cls.__name__ == "Client"
    )
    httpx_module = importlib.import_module(client_class.__module__.partition(".")[0])
    return httpx_module.HTTPTransport()
