"""The batch answers downloaded so far, on disk: what the next round is answered from.

One JSONL file per downloaded batch (or imported results file) under
``$SUMMARIZER_HOME/batch/<journal key>.results/``, in the results format of
:mod:`summarizer.batch.requests_file`.  A request with a 200 answer is answered
from it.  A request that failed (an error line, or no line in an expired or
cancelled batch) is sent again in the next batch, up to :data:`MAX_ATTEMPTS`
batches; then its last error answers it, so its paper fails with that error
instead of waiting for ever.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from summarizer.batch.requests_file import ResultLine, parse_results, results_lines
from summarizer.fsutil import atomic_write_bytes
from summarizer.llm.deferred_transport import RecordedAnswer

# Batches a request is sent in at most before its error stands.
MAX_ATTEMPTS = 3


def _no_answer(attempts: int) -> RecordedAnswer:
    message = f"no answer from {attempts} batches (the request failed or the batch expired)"
    body = {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
    return RecordedAnswer(500, json.dumps(body).encode())


class ResultStore:
    """The answers in ``directory``, by ``custom_id``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.answers: dict[str, RecordedAnswer] = {}
        self.failures: dict[str, list[RecordedAnswer | None]] = {}
        if directory.is_dir():
            for path in sorted(directory.glob("*.jsonl")):
                self._take(parse_results(path.read_bytes(), str(path)))

    def _take(self, results: Iterable[ResultLine]) -> None:
        for result in results:
            if result.ok and result.answer is not None:
                self.answers[result.custom_id] = result.answer
            else:
                self.failures.setdefault(result.custom_id, []).append(result.answer)

    def add(self, name: str, results: list[ResultLine]) -> Path:
        """Keep ``results`` (one batch's, or an imported file's) as ``<name>.jsonl``."""
        path = self.directory / f"{name}.jsonl"
        self.directory.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, results_lines(results), replace=True)
        self._take(results)
        return path

    def attempts(self, custom_id: str) -> int:
        return len(self.failures.get(custom_id, []))

    def replies(self) -> dict[str, RecordedAnswer]:
        """What the transport answers: every 200, and the last error of a request
        that failed :data:`MAX_ATTEMPTS` times."""
        replies = dict(self.answers)
        for custom_id, failed in self.failures.items():
            if custom_id not in replies and len(failed) >= MAX_ATTEMPTS:
                replies[custom_id] = failed[-1] or _no_answer(len(failed))
        return replies
