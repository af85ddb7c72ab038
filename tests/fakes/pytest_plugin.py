"""pytest fixtures for the fake servers.

Register in ``tests/conftest.py`` with::

    pytest_plugins = ["tests.fakes.pytest_plugin"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def chat_server() -> Iterator[FakeChatServer]:
    """A started :class:`FakeChatServer` with no rules; use ``.script()`` or
    ``default_product_script()``.  Stopped after the test."""
    with FakeChatServer() as server:
        yield server


@pytest.fixture
def arxiv_server() -> Iterator[FakeArxivServer]:
    """A started :class:`FakeArxivServer` serving the fixture feeds; stopped after the test."""
    with FakeArxivServer() as server:
        yield server
