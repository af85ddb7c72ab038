"""An OpenAI-compatible chat-completions server with scripted replies.

Clients use ``server.base_url`` (``http://127.0.0.1:PORT/v1``) exactly like the
real API.  Replies come from rules added with :meth:`FakeChatServer.script`; a
request no rule matches is answered with HTTP 500 so a test notices at once.
The Batch API (``/v1/files``, ``/v1/batches``) is :attr:`FakeChatServer.batch_api`
(:mod:`tests.fakes.openai_batches`), answering batch lines by the same rules.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.fakes.openai_batches import FakeBatchApi
from tests.fakes.server import FakeServer, RecordedRequest, Response

__all__ = ["FakeChatServer", "Matcher", "ScriptRule", "message_text"]

#: A rule matcher: a substring of the request's message text, a predicate over
#: the decoded request JSON, or ``None`` for "every request".
Matcher = str | Callable[[dict[str, Any]], bool] | None

# (type, code) of OpenAI error bodies per status, so SDK error classes and
# messages look like the real service's.
_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_denied", None),
    404: ("invalid_request_error", "model_not_found"),
    408: ("timeout", None),
    409: ("conflict", None),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    502: ("server_error", None),
    503: ("server_error", "service_unavailable"),
}


@dataclass
class ScriptRule:
    """One scripted reply; ``used`` counts how often it has answered."""

    match: Matcher
    content: str
    times: int | None = None
    used: int = 0

    @property
    def exhausted(self) -> bool:
        """True once the rule has been used ``times`` times."""
        return self.times is not None and self.used >= self.times

    def matches(self, request_json: dict[str, Any], text: str) -> bool:
        """Whether this rule answers a request with this JSON and message text."""
        if self.match is None:
            return True
        if isinstance(self.match, str):
            return self.match in text
        return bool(self.match(request_json))


def message_text(messages: Iterable[Any]) -> str:
    """Concatenate the text of all messages (string content or a list of text parts)."""
    pieces: list[str] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            pieces.append(content)
        elif isinstance(content, list):
            pieces.extend(
                str(part["text"]) for part in content if isinstance(part, dict) and "text" in part
            )
    return "\n".join(pieces)


def _openai_error(status: int, message: str, error_type: str | None = None) -> Response:
    kind, code = _ERROR_KINDS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    error = {"message": message, "type": error_type or kind, "param": None, "code": code}
    return Response.of_json({"error": error}, status=status)


def _forced_tool_name(request_json: dict[str, Any]) -> str | None:
    """Name of the function the request forces, the way langchain-openai asks for it.

    ``with_structured_output(method="function_calling")`` sends ``tools`` plus
    ``tool_choice={"type": "function", "function": {"name": ...}}``.  A bare
    ``"required"`` with a single tool forces that tool, too.
    """
    tools = request_json.get("tools")
    if not isinstance(tools, list) or not tools:
        return None
    choice = request_json.get("tool_choice")
    if isinstance(choice, dict):
        function = choice.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return str(function["name"])
        if isinstance(choice.get("name"), str):  # Responses-style {"type": "function", "name"}
            return str(choice["name"])
    if choice == "required" and len(tools) == 1:
        function = tools[0].get("function", {}) if isinstance(tools[0], dict) else {}
        name = function.get("name")
        return name if isinstance(name, str) else None
    return None


def _token_count(text: str) -> int:
    """Deterministic stand-in for a tokenizer: one token per four characters, at least 1."""
    return max(1, len(text) // 4)


class FakeChatServer(FakeServer):
    """``POST /v1/chat/completions`` and ``GET /v1/models`` with scripted answers."""

    def __init__(
        self, port: int = 0, models: Iterable[str] = ("gpt-4o-mini",), latency: float = 0.0
    ) -> None:
        """``models`` are listed by ``GET /v1/models`` besides the models seen in requests.

        ``latency`` seconds pass before every scripted reply (not before injected
        faults), like a real model's generation time; benchmarks use it.
        """
        super().__init__(port)
        self.latency = latency
        self._rules: list[ScriptRule] = []
        self._rules_lock = threading.Lock()
        self._models: set[str] = set(models)
        self._ids = itertools.count(1)
        self.batch_api = FakeBatchApi(self)
        # Fault mode: a server that echoes the request's Authorization header into
        # every plain-text reply (a misconfigured proxy, or a prompt injection that
        # got the key repeated); the client must scrub it before writing anything.
        self.echo_authorization = False

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url`` (``.url + "/v1"``)."""
        return f"{self.url}/v1"

    # --- scripting -------------------------------------------------------------

    def script(self, match: Matcher, content: str, *, times: int | None = None) -> ScriptRule:
        """Add a reply rule; rules are tried in the order added.

        ``match`` is a substring looked for in the text of all request messages,
        a predicate ``(request_json) -> bool``, or ``None`` for every request.
        ``times`` limits how often the rule may answer (then it is skipped).
        For a forced tool call, ``content`` is the JSON arguments string.
        """
        rule = ScriptRule(match=match, content=content, times=times)
        with self._rules_lock:
            self._rules.append(rule)
        return rule

    def clear_script(self) -> None:
        """Remove all reply rules."""
        with self._rules_lock:
            self._rules.clear()

    @property
    def rules(self) -> list[ScriptRule]:
        """The reply rules in matching order (a copy of the list)."""
        with self._rules_lock:
            return list(self._rules)

    @property
    def chat_payloads(self) -> list[dict[str, Any]]:
        """Decoded JSON bodies of the chat-completion requests received so far."""
        return [
            r.json
            for r in self.requests
            if r.path.endswith("/chat/completions") and isinstance(r.json, dict)
        ]

    # --- FakeServer hooks ------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        """Route to chat completions or the model list (``/v1`` prefix optional)."""
        path = request.path.rstrip("/")
        if path.startswith("/v1/"):
            path = path[len("/v1") :]
        if path == "/chat/completions" and request.method == "POST":
            return self._chat_completion(request)
        if path == "/models" and request.method == "GET":
            return self._model_list()
        routed = self.batch_api.route(request.method, path, request)
        if routed is not None:
            return routed
        return _openai_error(
            404, f"Unknown request URL: {request.method} {request.path}", "invalid_request_error"
        )

    def error_response(self, status: int, message: str) -> Response:
        """OpenAI-style ``{"error": {"message", "type", "param", "code"}}`` body."""
        return _openai_error(status, message)

    def malformed_response(self, request: RecordedRequest) -> Response:
        """200 JSON whose body stops in the middle of the object."""
        return Response(body=b'{"id": "chatcmpl-x", "choices": [', content_type="application/json")

    def answer_line(self, body: dict[str, Any], raw: bytes) -> tuple[int, Any]:
        """(status, JSON body) of a chat request answered inside a batch: the same
        rules and token counts as a synchronous call."""
        request = RecordedRequest("POST", "/v1/chat/completions", {}, {}, raw, body, 0.0)
        response = self._chat_completion(request)
        return response.status, json.loads(response.body)

    # --- internals -------------------------------------------------------------

    def _chat_completion(self, request: RecordedRequest) -> Response:
        payload = request.json
        if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
            return _openai_error(400, "request body must be a JSON object with 'messages'")
        model = str(payload.get("model", "unknown"))
        with self._rules_lock:
            self._models.add(model)
        if payload.get("stream"):
            return _openai_error(400, "streaming is not supported by the fake chat server")
        text = message_text(payload["messages"])
        rule = self._take_rule(payload, text)
        if rule is None:
            # Exactly this body: tests rely on noticing unscripted requests.
            error = {"message": "no scripted reply matches", "type": "server_error"}
            return Response.of_json({"error": error}, status=500)

        if self.latency > 0 and self._stopping.wait(self.latency):
            return _openai_error(503, "the fake chat server is stopping")
        tool_name = _forced_tool_name(payload)
        number = next(self._ids)
        if tool_name is not None:
            message: dict[str, Any] = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_fake{number:06d}",
                        "type": "function",
                        "function": {"name": tool_name, "arguments": rule.content},
                    }
                ],
            }
            finish_reason = "tool_calls"
        else:
            content = rule.content
            if self.echo_authorization:
                content += f" (request header: {request.headers.get('authorization', '')})"
            message = {"role": "assistant", "content": content}
            finish_reason = "stop"
        prompt_tokens = _token_count(text)
        completion_tokens = _token_count(rule.content)
        response = Response.of_json(
            {
                "id": f"chatcmpl-fake{number:06d}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )
        response.headers["x-request-id"] = f"req_fake{number:06d}"
        return response

    def _take_rule(self, payload: dict[str, Any], text: str) -> ScriptRule | None:
        """First usable matching rule, counted as used (atomically, for concurrent clients)."""
        with self._rules_lock:
            for rule in self._rules:
                if not rule.exhausted and rule.matches(payload, text):
                    rule.used += 1
                    return rule
        return None

    def _model_list(self) -> Response:
        with self._rules_lock:
            models = sorted(self._models)
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in models]
        return Response.of_json({"object": "list", "data": data})
