"""The deferring transport under a real ChatOpenAI: answered from results, or deferred."""

from __future__ import annotations

import json

import pytest
from langchain_openai import ChatOpenAI

from summarizer.llm.deferred_transport import (
    DeferringTransport,
    RecordedAnswer,
    RequestsDeferred,
    custom_id_of,
    deferring_http_client,
    requests_for,
)


def chat_model(transport: DeferringTransport) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini",
        base_url="http://127.0.0.1:9/v1",  # never reached: the transport answers
        api_key="test-key",
        max_retries=2,
        http_client=deferring_http_client(transport, 5.0),
    )


def completion(text: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    ).encode()


def test_a_request_without_an_answer_is_recorded_and_deferred_unwrapped() -> None:
    transport = DeferringTransport({})
    with requests_for("2507.00001v1"), pytest.raises(RequestsDeferred):
        chat_model(transport).invoke("翻訳して")
    (deferred,) = transport.deferred  # once: the SDK did not retry it
    assert deferred.paper == "2507.00001v1"
    assert deferred.task == "text"
    body = json.loads(deferred.body)
    assert body["messages"] == [{"content": "翻訳して", "role": "user"}]
    assert deferred.custom_id == custom_id_of(deferred.body)


def test_the_recorded_answer_of_the_same_body_answers_it() -> None:
    first = DeferringTransport({})
    with pytest.raises(RequestsDeferred):
        chat_model(first).invoke("要約して")
    (deferred,) = first.deferred
    answers = {deferred.custom_id: RecordedAnswer(200, completion("要約です"))}
    reply = chat_model(DeferringTransport(answers)).invoke("要約して")
    assert reply.content == "要約です"
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] == 3


def test_the_custom_id_does_not_depend_on_key_order() -> None:
    assert custom_id_of(b'{"a": 1, "b": [2]}') == custom_id_of(b'{"b":[2],"a":1}')
    assert custom_id_of(b'{"a": 1}') != custom_id_of(b'{"a": 2}')
