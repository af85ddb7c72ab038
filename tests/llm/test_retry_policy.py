"""The retry policy's stated worst case holds: a server that keeps failing receives
exactly the number of requests the policy states, and no more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.drafting.chain import DraftChain
from summarizer.errors import ModelError, ModelOutputError
from summarizer.llm.gate import ModelGate
from summarizer.llm.models import make_chat_model, model_errors
from summarizer.llm.retry_policy import RetryPolicy
from summarizer.settings import Settings
from summarizer.tags.vocabulary import load_vocabulary
from tests.factories import make_paper
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.fakes.server import Fault

ENGLISH = "This paper proposes a retrieval method and improves accuracy by 4.2 points."


def settings_for(server: FakeChatServer, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, base_url=server.base_url, model_timeout=2.0, model_retries=2)


def test_the_docstring_figures_are_the_policy_s() -> None:
    policy = RetryPolicy()
    assert policy.requests_per_turn(gated=False) == 9
    assert policy.requests_per_turn(gated=True) == 63
    assert policy.text_turns == 3
    assert policy.structured_turns == 2
    assert policy.seconds_per_turn(120.0, gated=False) == 1805
    assert policy.seconds_per_turn(120.0, gated=True) == 14_765


def test_http_and_broken_reply_retries_multiply_to_the_stated_maximum(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    # Each broken-reply attempt spends every HTTP retry on 503s, then gets a body
    # that is not JSON: the worst case of one turn outside a batch (about 3-5 s of
    # the policy's waits between broken replies).
    settings = settings_for(chat_server, tmp_path)
    policy = RetryPolicy.for_settings(settings)
    attempt = [Fault(status=503, retry_after=0.001)] * policy.http_retries + [Fault(malformed=True)]
    chat_server.inject(*attempt * policy.broken_reply_attempts)
    chat_server.script(None, "届かない返事")
    call = policy.retrying(make_chat_model(settings))
    with pytest.raises(ModelError, match="not valid JSON, 3 times"), model_errors(settings):
        call.invoke("質問")
    assert len(chat_server.chat_payloads) == policy.requests_per_turn(gated=False) == 9


def test_a_gated_client_sends_at_most_the_rate_limit_retries_per_http_attempt(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    settings = settings_for(chat_server, tmp_path)
    policy = RetryPolicy.for_settings(settings)
    chat_server.inject(*[Fault(status=429, retry_after=0.001)] * 100)
    gate = ModelGate(4)
    call = policy.retrying(make_chat_model(settings, gate=gate))
    with pytest.raises(ModelError, match="rate limited"), model_errors(settings):
        call.invoke("質問")
    # A 429 is no broken reply: the broken-reply layer does not multiply it.
    expected = (1 + policy.rate_limit_retries) * (1 + policy.http_retries)
    assert len(chat_server.chat_payloads) == expected == 21
    assert gate.rate_limited == policy.rate_limit_retries * (1 + policy.http_retries)


def run_chain(server: FakeChatServer, tmp_path: Path):
    settings = settings_for(server, tmp_path)
    chain = DraftChain(
        make_chat_model(settings), load_vocabulary(), policy=RetryPolicy.for_settings(settings)
    )
    return chain.run(make_paper())


def translation_requests(server: FakeChatServer) -> list[dict]:
    return [p for p in server.chat_payloads if "翻訳者" in json.dumps(p, ensure_ascii=False)]


def test_a_text_section_takes_at_most_its_stated_turns(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    # Empty, then English for ever: one re-ask for each, and no more.
    chat_server.script("翻訳者", "", times=1)
    chat_server.script("翻訳者", ENGLISH)
    default_product_script(chat_server)
    sections = run_chain(chat_server, tmp_path)
    assert sections.attention == ["translation"]
    assert len(translation_requests(chat_server)) == RetryPolicy().text_turns == 3
    assert sections.usage["translation"].calls == 3


def test_an_empty_reply_is_asked_again_once(chat_server: FakeChatServer, tmp_path: Path) -> None:
    chat_server.script("翻訳者", "")
    default_product_script(chat_server)
    with pytest.raises(ModelOutputError, match="empty 2 times"):
        run_chain(chat_server, tmp_path)
    assert len(translation_requests(chat_server)) == 1 + RetryPolicy().empty_reply_reasks


def test_a_structured_reply_gets_at_most_one_repair_turn(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(lambda request: "response_format" in request, '{"labels": []}')
    default_product_script(chat_server)
    sections = run_chain(chat_server, tmp_path)
    assert sections.suggested_tags == []
    tag_requests = [p for p in chat_server.chat_payloads if "response_format" in p]
    assert len(tag_requests) == RetryPolicy().structured_turns == 2
