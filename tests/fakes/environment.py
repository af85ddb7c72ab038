"""Environment variables that point ``summarize`` at the fake servers.

One place for what the CLI tests, the batch tests, the review tests and
``python -m tests.fakes`` all need: the user's own OpenAI/summarize settings
removed (a developer's key or config must never leak into a test), then the
fake servers' addresses.
"""

from __future__ import annotations

import os

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer

GITHUB_TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def clean_environment() -> dict[str, str]:
    """This process's environment without any ``OPENAI_*``, ``SUMMARIZER_*`` or GitHub
    token variable (a developer's real token must never reach a test's fake)."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SUMMARIZER_")) and key not in GITHUB_TOKEN_VARIABLES
    }


def server_variables(chat: FakeChatServer, arxiv: FakeArxivServer) -> dict[str, str]:
    """What sends the model and arXiv requests to the fakes (no 3 s spacing: not arxiv.org)."""
    return {
        "OPENAI_BASE_URL": chat.base_url,
        "SUMMARIZER_ARXIV_API_URL": arxiv.api_url,
        "SUMMARIZER_ARXIV_PDF_URL": f"{arxiv.url}/pdf/",
        "SUMMARIZER_ARXIV_INTERVAL": "0",
    }
