"""The OpenAI Batch API on the fake chat server: ``/v1/files`` and ``/v1/batches``.

Files are uploaded (multipart, ``purpose=batch``) and read back
(``/v1/files/{id}/content``).  A batch goes through a scripted lifecycle, one step
per retrieve: ``validating`` → ``in_progress`` → its end (by default
``completed``).  When it ends, each request line is answered by the chat server's
own scripted rules (so a batch answers exactly what a synchronous call would),
and the answers go to the output file, failures to the error file.

:class:`BatchPlan` scripts one batch (plans are taken in creation order; a batch
without one completes normally): end ``failed`` with validation ``errors``,
``expired`` after answering some lines, some lines in the error file, or
``cancelled``.  ``lose_create_reply`` creates the batch but answers the create
with a 500, as when the connection drops after the server acted.  A 429 on create
is the ordinary fault queue: ``server.inject(Fault(status=429))``.
"""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakes.server import RecordedRequest, Response

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeChatServer

__all__ = ["BatchPlan", "FakeBatchApi", "vllm_results"]


@dataclass
class BatchPlan:
    """How one batch ends (see the module docstring)."""

    end: str = "completed"  # completed | failed | expired | cancelled
    steps: tuple[str, ...] = ("validating", "in_progress")
    errors: str = "line 1: the model is not available for batch"  # for end == "failed"
    answer_lines: int | None = None  # expired: lines answered before it expired
    error_lines: set[int] = field(default_factory=set)  # 0-based lines put in the error file
    lose_create_reply: bool = False


@dataclass
class _Batch:
    id: str
    input_file_id: str
    metadata: dict[str, Any]
    plan: BatchPlan
    created_at: int
    status: str = "validating"
    step: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0
    total: int = 0

    def as_json(self) -> dict[str, Any]:
        errors = None
        if self.status == "failed":
            line, _, message = self.plan.errors.partition(": ")
            number = int(line.split()[-1]) if line.startswith("line ") else None
            errors = {
                "object": "list",
                "data": [
                    {"code": "invalid_request", "message": message, "param": None, "line": number}
                ],
            }
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "created_at": self.created_at,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "errors": errors,
            "request_counts": {
                "total": self.total,
                "completed": self.completed,
                "failed": self.failed,
            },
            "metadata": self.metadata,
        }


def _upload(request: RecordedRequest) -> tuple[str, bytes]:
    """(purpose, file bytes) of a multipart upload."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    purpose, data = "", b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name == "purpose":
            purpose = payload.decode()
        elif name == "file":
            data = payload
    return purpose, data


def vllm_results(server: FakeChatServer, requests_jsonl: bytes) -> bytes:
    """What vLLM's ``run_batch`` writes for a requests file, answered by ``server``'s
    scripted rules (its output lines have OpenAI's result format)."""
    lines = []
    for number, line in enumerate(requests_jsonl.splitlines()):
        item = json.loads(line)
        status, body = server.answer_line(item["body"], line_raw_body(line))
        lines.append(
            {
                "id": f"vllm-{number:08x}",
                "custom_id": item["custom_id"],
                "response": {
                    "status_code": status,
                    "request_id": f"vllm-batch-{number}",
                    "body": body,
                },
                "error": None,
            }
        )
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


def line_raw_body(line: bytes) -> bytes:
    """The ``body`` bytes of a request line as sent (the product writes it last)."""
    return line[line.index(b'"body": ') + len(b'"body": ') : line.rindex(b"}")]


class FakeBatchApi:
    """State and routes of the Batch API, owned by a :class:`FakeChatServer`."""

    def __init__(self, server: FakeChatServer) -> None:
        self.server = server
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.files: dict[str, tuple[str, bytes]] = {}  # id -> (purpose, bytes)
        self.batches: dict[str, _Batch] = {}
        self.plans: deque[BatchPlan] = deque()
        #: custom_ids of every request line a batch ran, in order (duplicates show).
        self.executed: list[str] = []
        #: request bodies exactly as they arrived in uploaded files.
        self.uploaded_bodies: list[bytes] = []

    def plan(self, *plans: BatchPlan) -> None:
        with self._lock:  # copies: a plan's steps change as its batch runs
            self.plans.extend(dataclasses.replace(plan) for plan in plans)

    def finish_running(self) -> None:
        """Let every batch still running end at its next retrieve."""
        with self._lock:
            for batch in self.batches.values():
                batch.plan.steps = batch.plan.steps[: batch.step]

    def route(self, method: str, path: str, request: RecordedRequest) -> Response | None:
        parts = path.strip("/").split("/")
        if parts[0] == "files":
            if method == "POST" and len(parts) == 1:
                return self._create_file(request)
            if method == "GET" and len(parts) == 3 and parts[2] == "content":
                return self._file_content(parts[1])
        if parts[0] == "batches":
            if method == "POST" and len(parts) == 1:
                return self._create_batch(request)
            if method == "GET" and len(parts) == 1:
                return self._list(request)
            if method == "GET" and len(parts) == 2:
                return self._retrieve(parts[1])
            if method == "POST" and len(parts) == 3 and parts[2] == "cancel":
                return self._cancel(parts[1])
        return None

    # --- files ------------------------------------------------------------------------

    def _create_file(self, request: RecordedRequest) -> Response:
        purpose, data = _upload(request)
        with self._lock:
            file_id = f"file-fake{next(self._ids):06d}"
            self.files[file_id] = (purpose, data)
            if purpose == "batch":
                self.uploaded_bodies += [line_raw_body(x) for x in data.splitlines()]
        return Response.of_json(
            {
                "id": file_id,
                "object": "file",
                "bytes": len(data),
                "created_at": int(time.time()),
                "filename": "requests.jsonl",
                "purpose": purpose,
                "status": "processed",
            }
        )

    def _file_content(self, file_id: str) -> Response:
        with self._lock:
            found = self.files.get(file_id)
        if found is None:
            return self.server.error_response(404, f"No such File object: {file_id}")
        return Response(body=found[1], content_type="application/octet-stream")

    # --- batches ----------------------------------------------------------------------

    def _create_batch(self, request: RecordedRequest) -> Response:
        payload = request.json if isinstance(request.json, dict) else {}
        file_id = str(payload.get("input_file_id"))
        with self._lock:
            if file_id not in self.files:
                return self.server.error_response(400, f"no file {file_id}")
            plan = self.plans.popleft() if self.plans else BatchPlan()
            batch = _Batch(
                f"batch_fake{next(self._ids):06d}",
                file_id,
                dict(payload.get("metadata") or {}),
                plan,
                int(time.time()),
                total=len(self.files[file_id][1].splitlines()),
            )
            self.batches[batch.id] = batch
        if plan.lose_create_reply:
            return self.server.error_response(500, "the connection dropped")
        return Response.of_json(batch.as_json())

    def _retrieve(self, batch_id: str) -> Response:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return self.server.error_response(404, f"No such Batch: {batch_id}")
            self._advance(batch)
            return Response.of_json(batch.as_json())

    def _cancel(self, batch_id: str) -> Response:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return self.server.error_response(404, f"No such Batch: {batch_id}")
            if batch.status not in ("completed", "failed", "expired", "cancelled"):
                batch.plan = BatchPlan(end="cancelled", steps=(), answer_lines=0)
                batch.status = "cancelling"
            return Response.of_json(batch.as_json())

    def _list(self, request: RecordedRequest) -> Response:
        limit = int(request.param("limit", "20") or 20)
        with self._lock:
            data = [b.as_json() for b in reversed(self.batches.values())][:limit]
        return Response.of_json(
            {
                "object": "list",
                "data": data,
                "has_more": False,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )

    def _advance(self, batch: _Batch) -> None:
        """One lifecycle step per retrieve (called under the lock)."""
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            return
        if batch.step < len(batch.plan.steps):
            batch.status = batch.plan.steps[batch.step]
            batch.step += 1
            return
        end = batch.plan.end
        if end == "failed":
            batch.status = "failed"
            return
        lines = self.files[batch.input_file_id][1].splitlines()
        if end in ("expired", "cancelled"):
            lines = lines[: batch.plan.answer_lines or 0]
        outputs, errors = [], []
        for number, line in enumerate(lines):
            item = json.loads(line)
            self.executed.append(item["custom_id"])
            if number in batch.plan.error_lines:
                errors.append(
                    self._line(
                        item["custom_id"],
                        500,
                        {"error": {"message": "the server had an error", "type": "server_error"}},
                    )
                )
                continue
            status, body = self.server.answer_line(item["body"], line_raw_body(line))
            (outputs if status == 200 else errors).append(
                self._line(item["custom_id"], status, body)
            )
        batch.completed, batch.failed = len(outputs), len(errors)
        batch.output_file_id = self._store(outputs) if outputs else None
        batch.error_file_id = self._store(errors) if errors else None
        batch.status = end

    def _line(self, custom_id: str, status: int, body: Any) -> dict[str, Any]:
        number = next(self._ids)
        return {
            "id": f"batch_req_{number}",
            "custom_id": custom_id,
            "response": {"status_code": status, "request_id": f"req_{number}", "body": body},
            "error": None,
        }

    def _store(self, lines: list[dict[str, Any]]) -> str:
        file_id = f"file-fake{next(self._ids):06d}"
        data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
        self.files[file_id] = ("batch_output", data)
        return file_id
