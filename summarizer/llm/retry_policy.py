"""The one retry policy of every chat-model call, and its worst case.

A model call is tried in four nested layers; this module holds every number of
them (the openai SDK's own waits are quoted, as they are not ours to set).
Innermost first:

1. **Rate limit** (only with a :class:`~summarizer.llm.gate.ModelGate`, i.e. in a
   batch): a 429 pauses the gate for its ``Retry-After`` (else 1, 2, 4 … s) and is
   sent again, up to ``rate_limit_retries`` (6) times: at most 7 requests per HTTP
   attempt.  A ``Retry-After`` above :data:`~summarizer.retry.MAX_RETRY_AFTER`
   (120 s) is not waited for: the 429 goes to the SDK at once.
2. **HTTP**: the openai client's ``max_retries`` = ``http_retries``
   (``settings.model_retries``, default 2) for timeouts, connection errors, 408,
   409, 429 and 5xx: at most 3 attempts, each at most the model timeout ``T``
   (``settings.model_timeout``, default 120 s) without progress, with the SDK's
   waits between them (its ``Retry-After`` up to 120 s, else 0.5 s doubling, capped
   at 8 s).
3. **Broken reply**: a 200 whose body is not JSON (``BROKEN_REPLY_EXCEPTIONS``)
   is asked again (:meth:`RetryPolicy.retrying`, the one helper every chain uses),
   up to ``broken_reply_attempts`` (3) attempts, waiting about 1 s, then 2 s (+ up
   to 1 s jitter, at most 4 s each).
4. **Turns**: a Japanese text section (translation, summary) asks once more when
   the reply is empty (``empty_reply_reasks`` = 1) and once more, more strictly,
   when it is not Japanese (``japanese_reasks`` = 1): at most 3 turns.  A
   structured reply (tags, Comment) gets ``repair_turns`` (1) repair turn: at most
   2 turns.  Each part of a long paper's Comment map step is 1 turn.

Worst case, with the defaults (H = 3 HTTP attempts, B = 3 broken-reply attempts,
R = 6 rate-limit retries, T = 120 s):

* requests per turn = B × H = **9** (× (R + 1) = **63** in a batch);
  a text section: 3 turns = **27** requests (**189** in a batch);
  tags or the Comment: 2 turns = **18** (**126**).
* seconds per turn = B × (H × T + (H − 1) × 120) + the broken-reply waits (2 + 3)
  = 3 × (360 + 240) + 5 = **1805 s** (about 30 min); in a batch each HTTP attempt
  may add R × (T + 120) s of 429s: **14 765 s** per turn.  Waiting for a free slot
  of the gate (other workers' requests) comes on top.

:meth:`RetryPolicy.requests_per_turn` and :meth:`RetryPolicy.seconds_per_turn`
compute these from the numbers; the tests hold the fake server to them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.retry import MAX_RETRY_AFTER

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from summarizer.settings import Settings

# Replies that arrive broken (a truncated or malformed JSON body the SDK cannot
# decode); status codes and timeouts are the HTTP layer's.
BROKEN_REPLY_EXCEPTIONS: tuple[type[BaseException], ...] = (json.JSONDecodeError,)

# The openai SDK's longest wait between its attempts: it honours a Retry-After of up
# to two minutes (openai._constants.MAX_RETRY_AFTER_DELAY); otherwise it waits
# 0.5 s doubling, capped at 8 s.
SDK_MAX_WAIT = 120.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often each layer tries (see the module docstring for the worst case)."""

    http_retries: int = 2
    rate_limit_retries: int = 6
    # With no Retry-After header: 1, 2, 4 … seconds between the gate's 429 retries.
    rate_limit_backoff: float = 1.0
    broken_reply_attempts: int = 3
    # tenacity's wait_exponential_jitter between broken-reply attempts.
    broken_reply_wait: float = 1.0
    broken_reply_max_wait: float = 4.0
    broken_reply_jitter: float = 1.0
    empty_reply_reasks: int = 1
    japanese_reasks: int = 1
    repair_turns: int = 1

    @classmethod
    def for_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(http_retries=settings.model_retries)

    @property
    def text_turns(self) -> int:
        """Turns of a Japanese text section at most."""
        return 1 + self.empty_reply_reasks + self.japanese_reasks

    @property
    def structured_turns(self) -> int:
        """Turns of a structured reply (tags, Comment) at most."""
        return 1 + self.repair_turns

    def requests_per_turn(self, *, gated: bool) -> int:
        """HTTP requests one turn may send at most."""
        per_attempt = 1 + self.rate_limit_retries if gated else 1
        return self.broken_reply_attempts * (1 + self.http_retries) * per_attempt

    def seconds_per_turn(self, timeout: float, *, gated: bool) -> float:
        """Wall-clock bound of one turn, with ``timeout`` per request (gate admission aside)."""
        attempt = timeout
        if gated:
            attempt += self.rate_limit_retries * (timeout + MAX_RETRY_AFTER)
        http = (1 + self.http_retries) * attempt + self.http_retries * SDK_MAX_WAIT
        waits = sum(
            min(
                self.broken_reply_wait * 2**n + self.broken_reply_jitter, self.broken_reply_max_wait
            )
            for n in range(self.broken_reply_attempts - 1)
        )
        return self.broken_reply_attempts * http + waits

    def retrying(self, runnable: Runnable) -> Runnable:
        """``runnable`` asked again when its reply arrives broken (layer 3)."""
        return runnable.with_retry(
            retry_if_exception_type=BROKEN_REPLY_EXCEPTIONS,
            stop_after_attempt=self.broken_reply_attempts,
            wait_exponential_jitter=True,
            exponential_jitter_params={
                "initial": self.broken_reply_wait,
                "max": self.broken_reply_max_wait,
                "jitter": self.broken_reply_jitter,
            },
        )
