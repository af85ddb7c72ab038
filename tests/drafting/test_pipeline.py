"""The Drafter's reply cache is its chat model's own: no process-wide LangChain state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from langchain_core.globals import get_llm_cache

from summarizer.drafting.pipeline import Drafter
from summarizer.llm.cache import SqliteReplyCache
from summarizer.settings import Settings


def server_settings(tmp_path: Path, **extra: object) -> Settings:
    # A server nobody listens on: making the model sends no request.
    return Settings(home=tmp_path, base_url="http://127.0.0.1:9/v1", **extra)  # type: ignore[arg-type]


def test_the_model_a_drafter_makes_caches_its_replies_on_disk(tmp_path: Path) -> None:
    with Drafter(server_settings(tmp_path)) as drafter:
        cache = drafter.chat_model.cache
        assert isinstance(cache, SqliteReplyCache)
        assert cache.path == tmp_path / "cache" / "replies.sqlite"
        assert get_llm_cache() is None  # nothing process-wide
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the drafter
        cache.lookup("prompt", "model")


def test_no_cache_means_the_model_has_none(tmp_path: Path) -> None:
    with Drafter(server_settings(tmp_path, cache=False)) as drafter:
        assert drafter.chat_model.cache is None
    assert not (tmp_path / "cache" / "replies.sqlite").exists()


def test_a_given_model_is_used_as_it_is(tmp_path: Path) -> None:
    from langchain_openai import ChatOpenAI

    given = ChatOpenAI(model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1", api_key="k")
    with Drafter(server_settings(tmp_path), chat_model=given) as drafter:
        assert drafter.chat_model is given
        assert given.cache is None
