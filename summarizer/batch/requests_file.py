"""Batch request files (JSONL) out, batch result files in: the OpenAI Batch API's
format, which vLLM's ``run_batch`` reads and writes too.

A request line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions",
"body"}``; the body is embedded as the exact bytes the openai SDK serialised for the
synchronous call, so the batch asks exactly what a synchronous run would.  A result
line is ``{"id", "custom_id", "response": {"status_code", "request_id", "body"},
"error"}`` (an error file has the same lines, with ``error`` or a non-200 status).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import BadInputError
from summarizer.fsutil import atomic_write_bytes
from summarizer.llm.deferred_transport import (
    CHAT_COMPLETIONS_URL,
    DeferredRequest,
    RecordedAnswer,
)

# The Batch API's limits per input file.
MAX_REQUESTS_PER_FILE = 50_000
MAX_FILE_BYTES = 200 * 1024 * 1024
# A results file is untrusted input: read at most this much of it.
MAX_RESULTS_BYTES = 2 * MAX_FILE_BYTES
_LINE_KEYS = {"custom_id", "method", "url", "body"}


@dataclass(frozen=True)
class RequestsFile:
    """One JSONL file of requests, named by the SHA-256 of its content."""

    path: Path
    sha256: str
    custom_ids: tuple[str, ...]


def request_line(request: DeferredRequest) -> bytes:
    """One line of a requests file; the body is the SDK's own bytes, unchanged."""
    head = json.dumps(
        {"custom_id": request.custom_id, "method": "POST", "url": CHAT_COMPLETIONS_URL}
    )
    return head[:-1].encode() + b', "body": ' + request.body + b"}\n"


def split_lines(
    lines: Sequence[bytes],
    *,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_FILE_BYTES,
) -> list[list[bytes]]:
    """The lines cut into files within the Batch API's limits, in order."""
    files: list[list[bytes]] = [[]]
    size = 0
    for line in lines:
        if len(line) > max_bytes:
            raise BadInputError(
                f"one request is {len(line):,} bytes, over the {max_bytes:,}-byte file limit"
            )
        if len(files[-1]) >= max_requests or size + len(line) > max_bytes:
            files.append([])
            size = 0
        files[-1].append(line)
        size += len(line)
    return [chunk for chunk in files if chunk]


def write_requests(
    requests: Sequence[DeferredRequest],
    directory: Path,
    *,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_FILE_BYTES,
) -> list[RequestsFile]:
    """Write ``requests`` as one or more JSONL files under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [request_line(request) for request in requests]
    written = []
    for chunk in split_lines(lines, max_requests=max_requests, max_bytes=max_bytes):
        data = b"".join(chunk)
        digest = hashlib.sha256(data).hexdigest()
        path = directory / f"{digest[:24]}.jsonl"
        atomic_write_bytes(path, data, replace=True)
        ids = tuple(json.loads(line)["custom_id"] for line in chunk)
        written.append(RequestsFile(path, digest, ids))
    return written


def check_request_lines(data: bytes) -> list[str]:
    """Problems of a requests file by the Batch API's line format (empty: none).

    Every line a JSON object with exactly ``custom_id`` (unique, non-empty),
    ``method`` POST, ``url`` ``/v1/chat/completions`` and a ``body`` object with a
    ``model`` (the same in every line) and a non-empty ``messages`` list; at most
    50,000 lines and 200 MB.
    """
    problems: list[str] = []
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{len(data):,} bytes, over {MAX_FILE_BYTES:,}")
    lines = data.splitlines()
    if len(lines) > MAX_REQUESTS_PER_FILE:
        problems.append(f"{len(lines):,} lines, over {MAX_REQUESTS_PER_FILE:,}")
    seen: set[str] = set()
    models: set[str] = set()
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
        except ValueError:
            problems.append(f"line {number}: not JSON")
            continue
        if not isinstance(item, dict) or set(item) != _LINE_KEYS:
            problems.append(f"line {number}: keys must be {sorted(_LINE_KEYS)}")
            continue
        custom_id, body = item["custom_id"], item["body"]
        if not isinstance(custom_id, str) or not custom_id or custom_id in seen:
            problems.append(f"line {number}: custom_id missing or repeated")
        seen.add(str(custom_id))
        if item["method"] != "POST" or item["url"] != CHAT_COMPLETIONS_URL:
            problems.append(f"line {number}: must be POST {CHAT_COMPLETIONS_URL}")
        if not isinstance(body, dict) or not body.get("messages") or not body.get("model"):
            problems.append(f"line {number}: body needs a model and messages")
            continue
        models.add(str(body["model"]))
    if len(models) > 1:
        problems.append(f"more than one model in one file: {sorted(models)}")
    return problems


@dataclass(frozen=True)
class ResultLine:
    """One answered (or failed) request of a results or error file."""

    custom_id: str
    answer: RecordedAnswer | None  # None: the request failed without a response

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.answer.status_code == 200


def parse_results(data: bytes, source: str) -> list[ResultLine]:
    """The lines of an output or error file (OpenAI's or vLLM's ``run_batch``'s).

    Raises:
        BadInputError: the file is too large or a line is not a result line.
    """
    if len(data) > MAX_RESULTS_BYTES:
        raise BadInputError(f"{source} is over {MAX_RESULTS_BYTES:,} bytes; not a results file")
    results = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            custom_id = item["custom_id"]
            response = item.get("response")
            answer = None
            if isinstance(response, dict) and response.get("body") is not None:
                body = json.dumps(response["body"], ensure_ascii=False).encode()
                answer = RecordedAnswer(int(response.get("status_code", 200)), body)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadInputError(
                f"{source} line {number} is not a batch result "
                '(expected {"custom_id", "response": {"status_code", "body"}, "error"})'
            ) from None
        results.append(ResultLine(str(custom_id), answer))
    return results


def results_lines(results: Iterable[ResultLine]) -> bytes:
    """Result lines written back in the same format (for the results store)."""
    out = []
    for result in results:
        response = None
        if result.answer is not None:
            response = {
                "status_code": result.answer.status_code,
                "body": json.loads(result.answer.body),
            }
        item = {"custom_id": result.custom_id, "response": response, "error": None}
        out.append(json.dumps(item, ensure_ascii=False) + "\n")
    return "".join(out).encode()
