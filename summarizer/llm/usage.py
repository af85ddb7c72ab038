"""What a piece of work cost: the chat-model calls made while it ran, and their tokens.

LangChain's :class:`UsageMetadataCallbackHandler` sums ``AIMessage.usage_metadata``
per model; :class:`CallUsage` also counts the calls.  A reply answered from the
reply cache counts as a call with the tokens it cost when it was first asked
(LangChain keeps the cached message's usage), as the note's usage table always has.

:func:`collect_usage` works like ``get_usage_metadata_callback``: every model call
made in its ``with`` block (in this thread and in the threads LangChain starts for
it, e.g. ``RunnableParallel`` branches) reports to the handler it yields.  Its
context variable is registered once here, not on every use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook


class CallUsage(UsageMetadataCallbackHandler):
    """Tokens per model (``usage_metadata``), plus the number of calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        super().on_llm_end(response, **kwargs)
        with self._lock:
            self.calls += 1

    def tokens(self, key: str) -> int:
        """``input_tokens`` or ``output_tokens`` over every model called."""
        with self._lock:
            return sum(int(usage.get(key, 0)) for usage in self.usage_metadata.values())


_active: ContextVar[CallUsage | None] = ContextVar("summarizer_call_usage", default=None)
register_configure_hook(_active, inheritable=True)


@contextmanager
def collect_usage() -> Iterator[CallUsage]:
    """A fresh :class:`CallUsage` for the model calls made inside the block."""
    usage = CallUsage()
    token = _active.set(usage)
    try:
        yield usage
    finally:
        _active.reset(token)
