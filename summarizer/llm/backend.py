"""Which kind of model writes the note, and everything that follows from that.

Every choice that depends on the backend is a field of :class:`Backend`, decided
once in :func:`backend_for`; no other module compares backend names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from summarizer.settings import Settings

# Paper text per Comment call.  gpt-4o-mini reads 128k tokens, but a call's price and
# latency grow with its input: 12,000 tokens hold the core of most papers (the median
# arXiv PDF in bench.tokens is 10,800 tokens).  The embedded model has a 4,096-token
# context for prompt and reply: 2,500 o200k tokens of input are at most ~2,850 of its
# own (its tokenizer counts up to 14 % more on paper text), leaving room for the reply.
SERVER_INPUT_TOKENS = 12_000
LOCAL_INPUT_TOKENS = 2_500


@dataclass(frozen=True)
class Backend:
    name: Literal["openai", "local"]
    # Runs on this machine's CPU: it costs nothing, so no price is looked up.
    free: bool
    # Paper text per Comment call, unless --max-input-tokens says otherwise.
    default_input_tokens: int
    # Papers drafted at once: the embedded model is one process on the CPU, so
    # running several would only slow each of them down.
    max_workers: int | None
    # The server enforces a JSON schema's ``maxItems`` (llama.cpp's grammar does;
    # strict OpenAI schemas reject the keyword).
    enforces_max_items: bool
    # The embedded model, run in this process (no server, no key).
    in_process: bool
    # Summarise the Japanese translation once it is written, not the English abstract
    # alongside it: the embedded model answers one call at a time anyway, and from
    # Japanese it copies no English clauses (bench.house_style measures it).
    summary_from_translation: bool
    # Read the start of each core section in one Comment call instead of reading the
    # whole paper part by part: each local call takes tens of seconds on 2 cores.
    single_comment_call: bool
    # Few-shot examples per prompt when they come from the person's log: each costs
    # ~600 prompt tokens, about 8 s on 2 cores for the embedded model.
    log_example_count: int

    def model_name(self, settings: Settings) -> str:
        """The model as reports and estimates name it."""
        return "local" if self.name == "local" else settings.model


SERVER = Backend(
    name="openai",
    free=False,
    default_input_tokens=SERVER_INPUT_TOKENS,
    max_workers=None,
    enforces_max_items=False,
    in_process=False,
    summary_from_translation=False,
    single_comment_call=False,
    log_example_count=2,
)
LOCAL = Backend(
    name="local",
    free=True,
    default_input_tokens=LOCAL_INPUT_TOKENS,
    max_workers=1,
    enforces_max_items=True,
    in_process=True,
    summary_from_translation=True,
    single_comment_call=True,
    log_example_count=1,
)


def backend_for(settings: Settings) -> Backend:
    """The backend the settings select (``auto`` resolved)."""
    return LOCAL if settings.resolved_backend == "local" else SERVER
