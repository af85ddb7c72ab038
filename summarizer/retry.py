"""Waiting out a busy server: how long a ``Retry-After`` asks for, and when not to.

Shared by the downloads (:mod:`summarizer.papers.http`) and the chat-model gate
(:mod:`summarizer.llm.gate`).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

# Past this, waiting is worse than telling the user to come back later.
MAX_RETRY_AFTER = 120.0


def retry_after_seconds(header: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
