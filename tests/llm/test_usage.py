"""Usage gathered by LangChain's usage callback: calls and tokens per task, cached
replies counted as the calls they were, with the tokens they cost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.drafting.chains import make_chains
from summarizer.llm.cache import SqliteReplyCache
from summarizer.llm.models import make_chat_model
from summarizer.llm.usage import collect_usage
from summarizer.settings import Settings
from summarizer.tags.vocabulary import load_vocabulary
from tests.factories import make_paper
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[SqliteReplyCache]:
    reply_cache = SqliteReplyCache(tmp_path / "replies.sqlite")
    yield reply_cache
    reply_cache.close()


def settings_for(server: FakeChatServer, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, base_url=server.base_url, model_timeout=2.0)


def test_calls_and_tokens_of_the_block(chat_server: FakeChatServer, tmp_path: Path) -> None:
    chat_server.script(None, "答えは四文字以上")
    model = make_chat_model(settings_for(chat_server, tmp_path))
    model.invoke("外の質問")  # outside the block: not counted
    with collect_usage() as usage:
        model.invoke("質問その一")
        model.invoke("質問その二")
    assert usage.calls == 2
    # The fake counts one token per four characters of the prompt and the reply.
    assert usage.tokens("output_tokens") == 2 * (len("答えは四文字以上") // 4)
    assert usage.tokens("input_tokens") == 2 * max(1, len("質問その一") // 4)


def test_a_cached_reply_counts_as_the_call_it_was(
    chat_server: FakeChatServer, tmp_path: Path, cache: SqliteReplyCache
) -> None:
    default_product_script(chat_server)
    settings = settings_for(chat_server, tmp_path)
    model = make_chat_model(settings, cache=cache)
    chains = make_chains(settings, model, load_vocabulary())
    first = chains.draft.run(make_paper()).usage_table()
    asked = len(chat_server.requests)
    again = chains.draft.run(make_paper()).usage_table()
    assert len(chat_server.requests) == asked  # every reply came from the cache
    assert again == first
    assert first["total"]["calls"] == 3
    assert first["total"]["input_tokens"] > 0


def test_parallel_tasks_keep_their_own_usage(chat_server: FakeChatServer, tmp_path: Path) -> None:
    default_product_script(chat_server)
    settings = settings_for(chat_server, tmp_path)
    chains = make_chains(settings, make_chat_model(settings), load_vocabulary())
    with collect_usage() as whole:
        table = chains.draft.run(make_paper()).usage_table()
    assert {task: row["calls"] for task, row in table.items()} == {
        "translation": 1,
        "summary": 1,
        "tags": 1,
        "total": 3,
    }
    # An enclosing block sees every call of the tasks inside it, too.
    assert whole.calls == 3
    assert whole.tokens("output_tokens") == table["total"]["output_tokens"]
