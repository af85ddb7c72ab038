"""Local fake HTTP servers (OpenAI-compatible chat, arXiv API) with fault injection.

Real ``http.server`` servers on ``127.0.0.1`` in daemon threads, so the
product's real HTTP clients are tested through real HTTP without network.
See ``tests/fakes/pytest_plugin.py`` for the ``chat_server`` / ``arxiv_server``
fixtures and ``python -m tests.fakes`` for trying the CLI by hand.
"""

from __future__ import annotations

from tests.fakes.arxiv_server import FakeArxivServer, compose_feed, make_entry, parse_arxiv_id
from tests.fakes.openai_server import FakeChatServer, ScriptRule, message_text
from tests.fakes.product import (
    PRODUCT_SUMMARY_JA,
    PRODUCT_TAGS,
    PRODUCT_TRANSLATION_JA,
    default_product_script,
)
from tests.fakes.server import FakeServer, Fault, RecordedRequest, Response

__all__ = [
    "PRODUCT_SUMMARY_JA",
    "PRODUCT_TAGS",
    "PRODUCT_TRANSLATION_JA",
    "FakeArxivServer",
    "FakeChatServer",
    "FakeServer",
    "Fault",
    "RecordedRequest",
    "Response",
    "ScriptRule",
    "compose_feed",
    "default_product_script",
    "make_entry",
    "message_text",
    "parse_arxiv_id",
]
