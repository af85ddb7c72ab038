"""The on-disk reply cache: a rerun of the same prompt makes no model call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.llm.cache import SqliteReplyCache, _key
from summarizer.llm.models import make_chat_model
from summarizer.settings import Settings
from tests.fakes.openai_server import FakeChatServer

SECRET = "sk-cache-test-SECRET"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[SqliteReplyCache]:
    reply_cache = SqliteReplyCache(tmp_path / "llm.sqlite")
    yield reply_cache
    reply_cache.close()


def model(
    server: FakeChatServer,
    tmp_path: Path,
    cache: SqliteReplyCache,
    name: str = "gpt-4o-mini",
):
    """The model with the reply cache as its own (no process-wide LangChain cache)."""
    settings = Settings(home=tmp_path, base_url=server.base_url, model=name, api_key=SECRET)
    return make_chat_model(settings, cache=cache)


def test_same_prompt_is_answered_from_the_cache(
    cache: SqliteReplyCache, chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(None, "答え")
    first = model(chat_server, tmp_path, cache).invoke("質問")
    second = model(chat_server, tmp_path, cache).invoke("質問")
    assert first.content == second.content == "答え"
    assert len(chat_server.requests) == 1


def test_another_model_or_prompt_is_a_miss(
    cache: SqliteReplyCache, chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(None, "答え")
    model(chat_server, tmp_path, cache).invoke("質問")
    model(chat_server, tmp_path, cache).invoke("別の質問")
    model(chat_server, tmp_path, cache, name="gpt-4o").invoke("質問")
    assert len(chat_server.requests) == 3


def test_the_cache_survives_a_new_process_and_holds_no_key(
    cache: SqliteReplyCache, chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(None, "答え")
    model(chat_server, tmp_path, cache).invoke("質問")
    reopened = SqliteReplyCache(cache.path)
    assert model(chat_server, tmp_path, reopened).invoke("質問").content == "答え"
    assert len(chat_server.requests) == 1
    reopened.close()
    assert SECRET.encode() not in cache.path.read_bytes()


def test_an_unreadable_entry_is_a_miss(cache: SqliteReplyCache) -> None:
    cache._db.execute(
        "INSERT INTO replies (key, llm_string, generations) VALUES (?, ?, ?)",
        (_key("p", "m"), "m", "{not json"),
    )
    assert cache.lookup("p", "m") is None
