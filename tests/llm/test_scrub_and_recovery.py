"""Keys never leave by the wrong road, and a damaged reply cache rebuilds itself.

The end-to-end cases are in tests/faults; these pin the pieces: which base URLs may
carry a key, the scrubbing of replies (text and structured), the cache key's
server, and the cache's recovery mid-run.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel

from summarizer.errors import ConfigError
from summarizer.llm.cache import SqliteReplyCache
from summarizer.llm.models import check_key_transport, make_chat_model
from summarizer.llm.scrub import MARKER, SecretScrubber
from summarizer.settings import Settings
from tests.fakes.openai_server import FakeChatServer

SECRET = "sk-scrub-test-0123456789"


@pytest.mark.parametrize(
    ("base_url", "key", "allowed"),
    [
        ("https://api.openai.com/v1", "openai", True),
        ("http://api.openai.com/v1", "openai", False),
        ("http://api.openai.com/v1", None, False),  # OpenAI is HTTPS only: say so
        ("http://127.0.0.1:11434/v1", "own", True),  # a local server
        ("http://localhost:8000/v1", "own", True),
        ("http://gpu-box.lan:8000/v1", "own", False),  # a key in clear over the network
        ("http://gpu-box.lan:8000/v1", None, True),  # nothing secret to send
        ("https://gpu-box.lan:8000/v1", "own", True),
    ],
)
def test_a_key_goes_only_over_https_or_to_this_machine(
    tmp_path: Path, base_url: str, key: str | None, allowed: bool
) -> None:
    secrets = {"openai": {"openai_api_key": SECRET}, "own": {"api_key": SECRET}}
    settings = Settings(home=tmp_path, base_url=base_url, **secrets.get(key or "", {}))
    if allowed:
        check_key_transport(settings)
    else:
        with pytest.raises(ConfigError, match="http://"):
            check_key_transport(settings)


def test_openai_key_is_never_the_key_of_plain_http_openai(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, base_url="http://api.openai.com/v1", openai_api_key=SECRET)
    assert settings.api_key_for_model() is None


class Comment(BaseModel):
    overview: str
    tags: list[str]


def test_the_scrubber_cleans_text_lists_mappings_and_models() -> None:
    scrubber = SecretScrubber([SECRET, "short"])
    assert scrubber.clean(f"key={SECRET}.") == f"key={MARKER}."
    assert scrubber.clean("short words stay") == "short words stay"  # too short to scrub
    cleaned = scrubber.clean({"a": [SECRET, 1], "b": Comment(overview=SECRET, tags=[SECRET])})
    assert cleaned == {"a": [MARKER, 1], "b": Comment(overview=MARKER, tags=[MARKER])}


def test_a_reply_with_the_key_reaches_neither_caller_nor_cache(
    chat_server: FakeChatServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    chat_server.script(None, f"the header was Bearer {SECRET}")
    cache = SqliteReplyCache(tmp_path / "replies.sqlite")
    settings = Settings(home=tmp_path, base_url=chat_server.base_url, api_key=SECRET)
    with caplog.at_level(logging.WARNING):
        reply = make_chat_model(settings, cache=cache).invoke("質問")
    cache.close()
    assert reply.content == f"the header was Bearer {MARKER}"
    assert "configured secret" in caplog.text
    assert SECRET.encode() not in (tmp_path / "replies.sqlite").read_bytes()


def test_the_cache_key_names_the_server(chat_server: FakeChatServer, tmp_path: Path) -> None:
    """The same prompt to another server is asked again, not answered from the cache."""
    chat_server.script(None, "答え")
    cache = SqliteReplyCache(tmp_path / "replies.sqlite")
    for base_url in (chat_server.base_url, chat_server.base_url.replace("127.0.0.1", "localhost")):
        settings = Settings(home=tmp_path, base_url=base_url)
        make_chat_model(settings, cache=cache).invoke("質問")
    cache.close()
    assert len(chat_server.chat_payloads) == 2


def test_a_cache_with_damaged_pages_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The SQLite header intact, the pages behind it overwritten: found on opening."""
    path = tmp_path / "replies.sqlite"
    cache = SqliteReplyCache(path)
    for number in range(300):
        cache.update(f"prompt {number}", "llm", [])
    cache.close()
    data = path.read_bytes()
    noise = bytes(range(256)) * (len(data) // 256 + 1)
    path.write_bytes(data[:100] + noise[: len(data) - 100])
    with caplog.at_level(logging.WARNING):
        cache = SqliteReplyCache(path)
    assert cache.lookup("prompt 1", "llm") is None
    cache.update("prompt 1", "llm", [])
    cache.close()
    assert "was damaged" in caplog.text
    assert len(list(tmp_path.glob("replies.sqlite.corrupt-*"))) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM replies").fetchone()[0] == 1
