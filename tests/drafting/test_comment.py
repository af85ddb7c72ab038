"""The Comment draft from the full text, through the real client and the local server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.drafting.comment import IMPRESSION_PLACEHOLDER, CommentChain
from summarizer.llm.models import make_chat_model
from summarizer.settings import Settings
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import PRODUCT_COMMENT, PRODUCT_PART_NOTES, default_product_script


@dataclass
class Part:
    text: str
    sections: list[str] = field(default_factory=lambda: ["introduction"])


def comment_chain(server: FakeChatServer, tmp_path: Path) -> CommentChain:
    settings = Settings(home=tmp_path, base_url=server.base_url, model_timeout=2.0)
    return CommentChain(make_chat_model(settings))


def wants_comment(request: dict) -> bool:
    return "CommentDraft" in json.dumps(request)


def test_single_call_renders_the_house_subsections(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    default_product_script(chat_server)
    result = comment_chain(chat_server, tmp_path).run(
        "EviGraph", [Part("Body text of the paper.")], map_reduce=False
    )
    headings = [line for line in result.text.splitlines() if line.startswith("## ")]
    assert headings == ["## 概要", "## 手法", "## 実験・結果", "## 所感"]
    assert f"- {PRODUCT_COMMENT['results']}" in result.text
    assert result.text.endswith(IMPRESSION_PLACEHOLDER)
    assert result.usage.calls == 1
    (request,) = chat_server.chat_payloads
    assert "Body text of the paper." in request["messages"][-1]["content"]


def test_long_paper_is_read_part_by_part_then_reduced(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    default_product_script(chat_server)
    parts = [Part(f"Part {i} text.", [f"section{i}"]) for i in range(3)]
    result = comment_chain(chat_server, tmp_path).run("EviGraph", parts, map_reduce=True)
    assert result.usage.calls == 4  # three parts, then the draft
    reduce_request = next(p for p in chat_server.chat_payloads if wants_comment(p))
    material = reduce_request["messages"][-1]["content"]
    for i in range(3):
        assert f"[section{i}]" in material
    assert PRODUCT_PART_NOTES.splitlines()[0] in material
    assert "## 概要" in result.text


def test_malformed_comment_gets_one_repair_turn(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(wants_comment, '{"overview": "概要だけ"}', times=1)
    default_product_script(chat_server)
    result = comment_chain(chat_server, tmp_path).run("T", [Part("x")], map_reduce=False)
    assert result.usage.calls == 2
    assert "## 手法" in result.text
    assert result.warnings == []


def test_unusable_comment_leaves_a_warning_not_an_error(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    chat_server.script(wants_comment, '{"overview": "", "method": "", "results": ""}')
    result = comment_chain(chat_server, tmp_path).run("T", [Part("x")], map_reduce=False)
    assert result.text == ""
    assert any("Comment draft failed" in warning for warning in result.warnings)


def test_comment_request_allows_a_long_reply(chat_server: FakeChatServer, tmp_path: Path) -> None:
    default_product_script(chat_server)
    comment_chain(chat_server, tmp_path).run("T", [Part("x")], map_reduce=False)
    (request,) = chat_server.chat_payloads
    # langchain-openai sends max_tokens under the API's current name.
    assert request["max_completion_tokens"] >= 1000


def test_comment_not_in_japanese_is_flagged(chat_server: FakeChatServer, tmp_path: Path) -> None:
    english = {"overview": "We propose X.", "method": "X masks inputs.", "results": "X wins."}
    chat_server.script(wants_comment, json.dumps(english))
    result = comment_chain(chat_server, tmp_path).run("T", [Part("x")], map_reduce=False)
    assert result.needs_attention
    assert any("comment is not in Japanese" in warning for warning in result.warnings)
