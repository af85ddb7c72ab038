"""The in-process llama.cpp chat model: unit tests, and one real run of the chain.

The real run needs the `local` extra (llama-cpp-python and the model parts) and
is skipped without it.  It assembles the model once into pytest's cache folder
(.pytest_cache/d/local-model), or uses $SUMMARIZER_LOCAL_MODEL_PATH.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel

from summarizer.drafting.chain import TASKS, DraftChain
from summarizer.drafting.japanese import is_mostly_japanese
from summarizer.drafting.tag_chain import tag_schema
from summarizer.llm.local_chat import (
    LocalChatModel,
    _PrefixCache,
    _RepetitionGuard,
    to_llama_messages,
)
from summarizer.llm.local_model import LocalModelUnavailableError, ensure_gguf
from summarizer.tags.vocabulary import load_vocabulary
from tests.factories import make_paper

HAS_LLAMA = importlib.util.find_spec("llama_cpp") is not None
needs_llama = pytest.mark.skipif(not HAS_LLAMA, reason="llama-cpp-python is not installed")

# A fictional paper, written for this test.
TITLE = "Quiet Heads: Pruning Attention Heads for Faster Small Language Models"
ABSTRACT = (
    "Small language models waste compute on attention heads that contribute little to "
    "their predictions. We propose QuietPrune, a training-free method that scores each "
    "head by how much the output distribution changes when the head is masked, and "
    "removes the lowest-scoring heads. On three question answering benchmarks, QuietPrune "
    "removes 30% of the heads of a 1B-parameter model, speeds up inference by 1.4x and "
    "loses less than one point of accuracy. We release our code."
)


# --- messages ---------------------------------------------------------------------------


def test_messages_become_llama_chat_messages() -> None:
    messages = [
        SystemMessage(content="あなたは翻訳者です。"),
        HumanMessage(content="Translate: {not a template}"),
        AIMessage(content=[{"type": "text", "text": "翻訳"}, "です"]),
        ChatMessage(role="user", content="もう一度"),
    ]
    assert to_llama_messages(messages) == [
        {"role": "system", "content": "あなたは翻訳者です。"},
        {"role": "user", "content": "Translate: {not a template}"},
        {"role": "assistant", "content": "翻訳です"},
        {"role": "user", "content": "もう一度"},
    ]


@pytest.mark.parametrize(
    "message",
    [
        ToolMessage(content="42", tool_call_id="call-1"),
        HumanMessage(content=[{"type": "image_url", "image_url": {"url": "x"}}]),
    ],
)
def test_messages_the_model_cannot_read_are_refused(message: Any) -> None:
    with pytest.raises(ValueError, match="local model"):
        to_llama_messages([message])


# --- repetition guard and prefix cache (no model needed) ------------------------------------


class Ids(list):
    """Stands in for the numpy array llama_cpp passes to stopping criteria."""

    def __getitem__(self, index: Any) -> Any:
        result = super().__getitem__(index)
        return Ids(result) if isinstance(index, slice) else result

    def tolist(self) -> list[int]:
        return list(self)


def test_repetition_guard_stops_at_the_second_copy() -> None:
    prompt = [9, 9, 9]
    reply = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4]
    guard = _RepetitionGuard(len(prompt), window=4)
    stopped_at = None
    for length in range(1, len(reply) + 1):
        if guard(Ids(prompt + reply[:length]), None):
            stopped_at = length
            break
    assert stopped_at == 10
    assert guard.cut == 6  # keep [1, 2, 3, 4, 5, 6]


def test_repetition_guard_lets_varied_text_through() -> None:
    guard = _RepetitionGuard(0, window=4)
    assert not guard(Ids(list(range(200))), None)
    assert guard.cut is None


def test_prefix_cache_counts_the_shared_start() -> None:
    assert _PrefixCache.shared([1, 2, 3, 4], [1, 2, 5]) == 2
    assert _PrefixCache.shared([], [1]) == 0


# --- structured output (llama_cpp's grammar converter, no model) ----------------------------


class CannedLocalModel(LocalChatModel):
    """Answers with canned text instead of running llama.cpp; records each call's kwargs."""

    replies: list[str]
    calls: list[dict[str, Any]]

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any):
        self.calls.append(kwargs)
        text = self.replies[len(self.calls) - 1]
        usage = {"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}
        message = AIMessage(content=text, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])


def canned(*replies: str) -> CannedLocalModel:
    return CannedLocalModel(model_path="unused.gguf", replies=list(replies), calls=[])


@needs_llama
def test_structured_output_has_langchains_include_raw_shape() -> None:
    model = canned('{"tags": ["NLP", "Reranking"]}')
    runnable = model.with_structured_output(
        tag_schema(["NLP", "Reranking", "RAG"]), method="json_schema", include_raw=True, strict=True
    )

    reply = runnable.invoke([HumanMessage(content="tag this")])

    assert set(reply) == {"raw", "parsed", "parsing_error"}
    assert isinstance(reply["raw"], AIMessage)
    assert reply["raw"].usage_metadata["input_tokens"] == 10
    assert reply["parsed"] == {"tags": ["NLP", "Reranking"]}
    assert reply["parsing_error"] is None
    grammar = model.calls[0]["grammar"]
    # The enum as a prefix tree: the shared opening quote, then "R" then two branches.
    assert 'tags-item ::= "\\"" ("NLP\\"" | "R" ("AG\\"" | "eranking\\""))' in grammar


@needs_llama
def test_structured_output_reports_unparsable_replies() -> None:
    model = canned('{"tags": ["NLP", "Rer')
    runnable = model.with_structured_output(tag_schema(["NLP"]), include_raw=True)

    reply = runnable.invoke("tag this")

    assert reply["parsed"] is None
    assert isinstance(reply["parsing_error"], OutputParserException)
    assert reply["raw"].content == '{"tags": ["NLP", "Rer'


@needs_llama
def test_structured_output_with_a_pydantic_class() -> None:
    class Reply(BaseModel):
        tags: list[str]

    model = canned('{"tags": ["NLP"]}')
    assert model.with_structured_output(Reply).invoke("tag this") == Reply(tags=["NLP"])


def expand(expression: str) -> set[str]:
    """Every string a prefix-tree expression of quoted literals, ``( | )`` and ``?`` matches."""
    import re

    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[()|?]', expression)
    position = 0

    def sequence() -> set[str]:
        nonlocal position
        results = {""}
        while position < len(tokens) and tokens[position] not in ("|", ")"):
            token = tokens[position]
            position += 1
            if token == "(":
                inner = alternatives()
                assert tokens[position] == ")"
                position += 1
                part = inner
            else:
                part = {bytes(token[1:-1], "utf-8").decode("unicode_escape")}
            if position < len(tokens) and tokens[position] == "?":
                position += 1
                part = part | {""}
            results = {a + b for a in results for b in part}
        return results

    def alternatives() -> set[str]:
        nonlocal position
        results = sequence()
        while position < len(tokens) and tokens[position] == "|":
            position += 1
            results |= sequence()
        return results

    return alternatives()


@needs_llama
def test_prefix_tree_matches_exactly_the_enum() -> None:
    import json

    from summarizer.llm.local_chat import _trie_alternation

    names = [*load_vocabulary().names("topic"), "A", "AB", "ABC", 'quote"d', "back\\slash"]
    literals = [json.dumps(name, ensure_ascii=False) for name in names]

    def literal(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # GBNF escapes like JSON for these

    assert expand(_trie_alternation(literals, literal)) == set(literals)


@needs_llama
def test_tag_vocabulary_compiles_to_a_grammar() -> None:
    import json

    from summarizer.llm.local_chat import schema_to_gbnf

    grammar = schema_to_gbnf(json.dumps(tag_schema(load_vocabulary().names("topic"))))
    assert grammar.startswith("root ::= ")
    assert "tags-item ::= " in grammar


# --- one real run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_model(request: pytest.FixtureRequest, tmp_path_factory: Any) -> LocalChatModel:
    if not HAS_LLAMA:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[local]')")
    cache = request.config.cache
    cache_dir = (
        Path(cache.mkdir("local-model")) if cache else tmp_path_factory.mktemp("local-model")
    )
    try:
        path = ensure_gguf(cache_dir)
    except LocalModelUnavailableError:
        pytest.skip("the local model parts are not installed (pip install -e '.[local]')")
    # Short replies keep the test fast: the summary still shows whether it is Japanese.
    model = LocalChatModel(model_path=str(path), max_tokens=128)
    model.load()
    return model


@pytest.mark.timeout(600)
def test_draft_chain_runs_on_the_real_local_model(real_model: LocalChatModel) -> None:
    vocabulary = load_vocabulary()
    paper = make_paper(title=TITLE, abstract=ABSTRACT)

    sections = DraftChain(real_model, vocabulary).run(paper)

    assert is_mostly_japanese(sections.summary), sections.summary
    assert is_mostly_japanese(sections.translation), sections.translation
    assert sections.suggested_tags, sections.warnings
    assert all(tag in vocabulary.names("topic") for tag in sections.suggested_tags)
    table = sections.usage_table()
    for task in TASKS:
        assert table[task]["input_tokens"] > 0
        assert table[task]["output_tokens"] > 0
        assert table[task]["calls"] >= 1
