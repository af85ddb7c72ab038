"""The OpenAI Batch API, as the batch rounds use it: upload, create, look up, download.

One ``openai.OpenAI`` client on the configured server and key (the same ones the
synchronous path uses).  Creating a batch is the one step that must never happen
twice for one file: it is sent without the SDK's own retries, and after a
connection error the batches are listed to find one created for the file (its
``metadata`` names the file's submission key) before anything is sent again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.errors import BatchApiError
from summarizer.llm.models import PLACEHOLDER_API_KEY, model_errors, server_label
from summarizer.llm.retry_policy import RetryPolicy

if TYPE_CHECKING:
    from summarizer.settings import Settings

log = logging.getLogger(__name__)

COMPLETION_WINDOW = "24h"
# Batches in these states will not change any more.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
# The key of a batch's metadata that names its requests file (its submission key).
FILE_KEY = "summarize_file"
# Batches looked at when searching for one created before a crash.
_LIST_LIMIT = 100


@dataclass(frozen=True)
class BatchState:
    """What a batch is doing (a retrieve, reduced to what the runner needs)."""

    id: str
    status: str
    completed: int
    failed: int
    total: int
    output_file_id: str | None
    error_file_id: str | None
    errors: str  # the first validation error, in one line ("" when none)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @classmethod
    def of(cls, batch: Any) -> BatchState:
        counts = batch.request_counts
        errors = ""
        data = getattr(getattr(batch, "errors", None), "data", None) or []
        if data:
            first = data[0]
            line = f"line {first.line}: " if getattr(first, "line", None) else ""
            errors = " ".join(f"{line}{first.message or first.code}".split())[:300]
        return cls(
            batch.id,
            batch.status,
            counts.completed if counts else 0,
            counts.failed if counts else 0,
            counts.total if counts else 0,
            batch.output_file_id,
            batch.error_file_id,
            errors,
        )


class BatchService:
    """The Batch API of the configured OpenAI(-compatible) server."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        import openai

        self.settings = settings
        self.policy = RetryPolicy.for_settings(settings)
        self._sleep = sleep
        self.client = openai.OpenAI(
            base_url=settings.effective_base_url,
            api_key=settings.api_key_for_model() or PLACEHOLDER_API_KEY,
            timeout=settings.model_timeout,
            max_retries=self.policy.http_retries,
        )
        self.where = server_label(settings.effective_base_url)

    def close(self) -> None:
        self.client.close()

    def upload(self, path: Path) -> str:
        """Upload a requests file; its file id."""
        with model_errors(self.settings), path.open("rb") as handle:
            return str(self.client.files.create(file=handle, purpose="batch").id)

    def create(self, file_id: str, key: str) -> BatchState:
        """Create the batch of an uploaded file, exactly once (see the module docstring)."""
        import openai

        once = self.client.with_options(max_retries=0)
        for attempt in range(self.policy.http_retries + 1):
            try:
                batch = once.batches.create(
                    input_file_id=file_id,
                    endpoint="/v1/chat/completions",
                    completion_window=COMPLETION_WINDOW,
                    metadata={FILE_KEY: key},
                )
                return BatchState.of(batch)
            except openai.RateLimitError as error:
                # Not created: the queue of this organisation is full, or too fast.
                last = f"rate limited (HTTP 429: {_message(error)})"
            except (openai.APIConnectionError, openai.InternalServerError) as error:
                found = self.find(key)
                if found is not None:
                    return found
                last = f"no answer ({type(error).__name__})"
            except openai.APIStatusError as error:
                raise BatchApiError(
                    "refused to create a batch",
                    f"HTTP {error.status_code}: {_message(error)}",
                    "check the model and the file limits",
                ) from None
            log.info("creating the batch failed (%s); attempt %d", last, attempt + 1)
            self._sleep(min(2.0**attempt, 30.0))
        raise BatchApiError("did not create the batch", f"{last} after retries")

    def find(self, key: str) -> BatchState | None:
        """The newest batch whose metadata names ``key`` (one a crash left unrecorded)."""
        with model_errors(self.settings):
            for batch in self.client.batches.list(limit=_LIST_LIMIT):
                if (batch.metadata or {}).get(FILE_KEY) == key:
                    return BatchState.of(batch)
        return None

    def retrieve(self, batch_id: str) -> BatchState:
        with model_errors(self.settings):
            return BatchState.of(self.client.batches.retrieve(batch_id))

    def cancel(self, batch_id: str) -> BatchState:
        with model_errors(self.settings):
            return BatchState.of(self.client.batches.cancel(batch_id))

    def download(self, file_id: str) -> bytes:
        with model_errors(self.settings):
            return self.client.files.content(file_id).read()


def _message(error: Exception) -> str:
    body = getattr(error, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message or error).split())[:200]
