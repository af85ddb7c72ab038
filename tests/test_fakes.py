"""Tests proving the fake HTTP servers behave like the services they stand in for.

Everything goes through real HTTP on 127.0.0.1 with the same client libraries
the product uses (openai SDK, langchain-openai, httpx, feedparser).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import httpx
import openai
import pytest

from tests.fakes import (
    PRODUCT_SUMMARY_JA,
    PRODUCT_TAGS,
    PRODUCT_TRANSLATION_JA,
    FakeArxivServer,
    FakeChatServer,
    Fault,
    default_product_script,
    make_entry,
)
from tests.fakes.arxiv_server import FIXTURE_DIR

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
REPO_ROOT = Path(__file__).resolve().parent.parent


def _client(server: FakeChatServer, max_retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=max_retries)


def _chat(server: FakeChatServer, text: str, **extra: Any) -> httpx.Response:
    """A raw chat-completion request (for looking at status, headers and bytes)."""
    payload = {"model": "m", "messages": [{"role": "user", "content": text}], **extra}
    return httpx.post(f"{server.base_url}/chat/completions", json=payload, timeout=5)


def _query(server: FakeArxivServer, id_list: str, **params: Any) -> httpx.Response:
    params = {"id_list": id_list, "start": 0, "max_results": 10, **params}
    return httpx.get(server.api_url, params=params, timeout=5)


# --- chat server: replies ---------------------------------------------------------------


def test_openai_sdk_gets_scripted_reply_and_usage(chat_server: FakeChatServer) -> None:
    chat_server.script("hello", "こんにちは")
    completion = _client(chat_server).chat.completions.create(
        model="gpt-test",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "say hello please"}]},
        ],
    )
    assert completion.choices[0].message.content == "こんにちは"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-test"
    assert completion.usage is not None
    # "be brief\nsay hello please" is 25 characters -> 6; 5 characters of reply -> 1.
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (6, 1)
    assert completion.usage.total_tokens == 7
    (payload,) = chat_server.chat_payloads
    assert payload["model"] == "gpt-test"


def test_rules_are_ordered_limited_and_callable(chat_server: FakeChatServer) -> None:
    once = chat_server.script("apple", "first apple", times=1)
    chat_server.script(lambda req: req.get("temperature") == 0, "deterministic")
    chat_server.script("apple", "later apple")
    client = _client(chat_server)

    def ask(text: str, **extra: Any) -> str | None:
        messages = [{"role": "user", "content": text}]
        reply = client.chat.completions.create(model="m", messages=messages, **extra)
        return reply.choices[0].message.content

    assert ask("an apple") == "first apple"
    assert ask("an apple") == "later apple"  # the first rule is used up
    assert ask("an apple", temperature=0) == "deterministic"
    assert once.used == 1
    with pytest.raises(openai.InternalServerError):
        ask("a pear")  # nothing matches
    response = _chat(chat_server, "a pear")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"message": "no scripted reply matches", "type": "server_error"}
    }


def test_forced_tool_call_is_parsed_by_the_sdk(chat_server: FakeChatServer) -> None:
    chat_server.script(None, '{"tags": ["NLP"]}')
    tool = {
        "type": "function",
        "function": {"name": "Tags", "parameters": {"type": "object", "properties": {}}},
    }
    completion = _client(chat_server).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "tag it"}],
        tools=[tool],  # type: ignore[list-item]
        tool_choice={"type": "function", "function": {"name": "Tags"}},
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.type == "function"
    assert call.function.name == "Tags"
    assert json.loads(call.function.arguments) == {"tags": ["NLP"]}


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_langchain_structured_output(chat_server: FakeChatServer, method: str) -> None:
    langchain_openai = pytest.importorskip("langchain_openai")
    pydantic = pytest.importorskip("pydantic")

    class Tags(pydantic.BaseModel):
        tags: list[str]

    default_product_script(chat_server)
    llm = langchain_openai.ChatOpenAI(
        model="gpt-4o-mini", base_url=chat_server.base_url, api_key="x", max_retries=0
    )
    result = llm.with_structured_output(Tags, method=method).invoke("このテキストにタグを付けよ")
    assert result == Tags(tags=PRODUCT_TAGS)
    (payload,) = chat_server.chat_payloads
    assert ("response_format" in payload) == (method == "json_schema")
    assert ("tools" in payload) == (method == "function_calling")


def test_default_product_script_order(chat_server: FakeChatServer) -> None:
    default_product_script(chat_server)
    client = _client(chat_server)

    def ask(text: str) -> str | None:
        messages = [{"role": "user", "content": text}]
        return (
            client.chat.completions.create(model="m", messages=messages).choices[0].message.content
        )

    assert ask("次の要旨を日本語に翻訳せよ") == PRODUCT_TRANSLATION_JA
    assert ask("翻訳ではなく3文で要約せよ") == PRODUCT_SUMMARY_JA


def test_streaming_is_refused_and_models_are_listed(chat_server: FakeChatServer) -> None:
    chat_server.script(None, "x")
    response = _chat(chat_server, "hi", stream=True)
    assert response.status_code == 400
    assert "streaming" in response.json()["error"]["message"]
    # Without the /v1 prefix too.
    plain = httpx.post(
        f"{chat_server.url}/chat/completions",
        json={"model": "other-model", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert plain.json()["choices"][0]["message"]["content"] == "x"
    models = [m.id for m in _client(chat_server).models.list()]
    assert models == ["gpt-4o-mini", "m", "other-model"]


# --- faults -----------------------------------------------------------------------------


def test_status_fault_with_retry_after(chat_server: FakeChatServer) -> None:
    chat_server.script(None, "ok")
    chat_server.inject(Fault(status=429, retry_after=2), Fault(status=503, retry_after=1.5))
    first = _chat(chat_server, "hi")
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert first.headers["retry-after-ms"] == "2000"
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    second = _chat(chat_server, "hi")
    assert (second.status_code, second.headers["retry-after"]) == (503, "1.5")
    third = _chat(chat_server, "hi")
    assert third.status_code == 200
    assert "retry-after" not in third.headers
    assert chat_server.request_count == 3
    assert chat_server.pending_faults == []


def test_openai_sdk_retries_after_429(chat_server: FakeChatServer) -> None:
    chat_server.script(None, "after retry")
    chat_server.inject(Fault(status=429, retry_after=0.05))
    completion = _client(chat_server, max_retries=2).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert completion.choices[0].message.content == "after retry"
    first, second = chat_server.requests
    assert second.time - first.time >= 0.05


def test_arxiv_status_fault_and_fifo(arxiv_server: FakeArxivServer) -> None:
    arxiv_server.inject(Fault(status=503, retry_after=3), Fault(status=500))
    first = _query(arxiv_server, "2506.12345")
    assert (first.status_code, first.headers["retry-after"]) == (503, "3")
    assert first.headers["content-type"].startswith("text/html")
    assert _query(arxiv_server, "2506.12345").status_code == 500
    assert _query(arxiv_server, "2506.12345").status_code == 200


@pytest.mark.parametrize("kind", ["chat", "arxiv"])
def test_truncated_body_breaks_the_client(
    kind: str, chat_server: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    chat_server.script(None, "a reply long enough to be cut in half")
    server = chat_server if kind == "chat" else arxiv_server
    server.inject(Fault(truncate=True))
    with pytest.raises(httpx.RemoteProtocolError):
        _chat(chat_server, "hi") if kind == "chat" else _query(arxiv_server, "2506.12345")
    # The next request gets a complete answer on a fresh connection.
    ok = _chat(chat_server, "hi") if kind == "chat" else _query(arxiv_server, "2506.12345")
    assert ok.status_code == 200
    assert server.errors == []


def test_malformed_chat_reply_is_not_json(chat_server: FakeChatServer) -> None:
    chat_server.script(None, "ok")
    chat_server.inject(Fault(malformed=True))
    response = _chat(chat_server, "hi")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_malformed_arxiv_feed_is_not_well_formed(arxiv_server: FakeArxivServer) -> None:
    arxiv_server.inject(Fault(malformed=True))
    response = _query(arxiv_server, "2506.12345")
    assert response.status_code == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)
    assert feedparser.parse(response.content).bozo


def test_empty_fault_gives_valid_empty_feed(arxiv_server: FakeArxivServer) -> None:
    arxiv_server.inject(Fault(empty=True))
    feed = feedparser.parse(_query(arxiv_server, "2506.12345").content)
    assert not feed.bozo
    assert feed.entries == []
    assert feed.feed.opensearch_totalresults == "0"


def test_delay_triggers_client_timeout_and_server_survives(chat_server: FakeChatServer) -> None:
    chat_server.script(None, "late")
    chat_server.inject(Fault(delay=0.5))
    payload = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{chat_server.base_url}/chat/completions", json=payload, timeout=0.1)
    assert _chat(chat_server, "hi").status_code == 200
    time.sleep(0.6)  # let the abandoned handler finish writing to the closed socket
    assert chat_server.errors == []


def test_stop_is_fast_with_a_delayed_request_pending() -> None:
    server = FakeChatServer().start()
    server.script(None, "never sent")
    server.inject(Fault(delay=30))
    url = f"{server.base_url}/chat/completions"
    outcome: list[BaseException | httpx.Response] = []

    def call() -> None:
        try:
            payload = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
            outcome.append(httpx.post(url, json=payload, timeout=10))
        except Exception as exc:  # recorded for the assertions below
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    while server.request_count == 0:
        time.sleep(0.01)
    began = time.monotonic()
    server.stop()
    worker.join(timeout=5)
    assert time.monotonic() - began < 2
    assert len(outcome) == 1
    assert isinstance(outcome[0], httpx.TransportError)
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, json={}, timeout=2)


# --- arXiv server -----------------------------------------------------------------------


def test_two_ids_in_request_order(arxiv_server: FakeArxivServer) -> None:
    response = _query(arxiv_server, "hep-th/9901001,2506.12345")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == (
        "arXiv Query: search_query=&id_list=hep-th/9901001,2506.12345&start=0&max_results=10"
    )
    assert feed.feed.opensearch_totalresults == "2"
    old, new = feed.entries
    assert old.id == "http://arxiv.org/abs/hep-th/9901001v2"
    assert old.published == "1999-01-04T17:23:45Z"
    assert old.arxiv_journal_ref == "J.Fict.Phys. 12 (1999) 301-330"
    # feedparser strips it, but the raw XML keeps arXiv's two leading spaces.
    assert "<summary>  We compute" in response.text

    assert new.id == "http://arxiv.org/abs/2506.12345v3"
    assert " ".join(new.title.split()) == (
        "EviGraph: Evidence-Graph Retrieval for Faithful Multi-Hop Question Answering"
        " with Large Language Models"
    )
    assert "\n" in new.title
    assert [a.name for a in new.authors] == [
        "Mariko Tanabe",
        "Jürgen Weiß",
        "Priya Raghunathan",
        "Lucas Ferreira-Okafor",
    ]
    assert new.arxiv_primary_category["term"] == "cs.CL"
    assert [t.term for t in new.tags] == ["cs.CL", "cs.AI"]
    assert (new.published, new.updated) == ("2025-06-14T09:31:05Z", "2025-09-02T16:47:12Z")
    assert new.arxiv_comment == "Accepted at ACL 2025. 9 pages, 4 figures"
    assert new.arxiv_doi == "10.5555/evigraph.2025.0612"
    assert "4.2 points" in new.summary
    assert "Q&A pairs" in new.summary
    pdf_links = [link.href for link in new.links if link.get("title") == "pdf"]
    assert pdf_links == ["https://arxiv.org/pdf/2506.12345v3"]
    (request,) = arxiv_server.requests
    assert request.query["id_list"] == ["hep-th/9901001,2506.12345"]


def test_unknown_well_formed_id_gives_empty_feed(arxiv_server: FakeArxivServer) -> None:
    root = ET.fromstring(_query(arxiv_server, "2501.99999").content)
    assert root.find(f"{ATOM}entry") is None
    assert root.findtext(f"{OPENSEARCH}totalResults") == "0"
    # Like arXiv: unknown IDs are silently left out of a multi-ID answer.
    mixed = feedparser.parse(_query(arxiv_server, "0808.05394,2401.00001").content)
    assert [e.id for e in mixed.entries] == ["http://arxiv.org/abs/2401.00001v1"]


@pytest.mark.parametrize("bad_id", ["abc", "arXiv:2506.12345", "2506.123"])
def test_bad_id_gives_400_error_entry(arxiv_server: FakeArxivServer, bad_id: str) -> None:
    response = _query(arxiv_server, f"2506.12345,{bad_id}")
    assert response.status_code == 400
    feed = feedparser.parse(response.content)
    (entry,) = feed.entries
    assert entry.title == "Error"
    assert entry.id == f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}"
    assert entry.summary == f"incorrect id format for {bad_id}"


def test_versions(arxiv_server: FakeArxivServer) -> None:
    feed = feedparser.parse(_query(arxiv_server, "2506.12345v2,2506.12345v4,1412.6980v9").content)
    older, latest = feed.entries
    assert older.id == "http://arxiv.org/abs/2506.12345v2"
    assert {link.href for link in older.links} >= {
        "https://arxiv.org/abs/2506.12345v2",
        "https://arxiv.org/pdf/2506.12345v2",
    }
    assert latest.id == "http://arxiv.org/abs/1412.6980v9"


def test_pagination_and_search_query_echo(arxiv_server: FakeArxivServer) -> None:
    ids = "2506.12345,2401.00001,1412.6980"
    response = _query(arxiv_server, ids, start=1, max_results=1, search_query="ti:x")
    feed = feedparser.parse(response.content)
    assert feed.feed.title.startswith("arXiv Query: search_query=ti:x&id_list=")
    assert feed.feed.opensearch_totalresults == "3"
    assert feed.feed.opensearch_startindex == "1"
    assert [e.id for e in feed.entries] == ["http://arxiv.org/abs/2401.00001v1"]


def test_add_entry_from_make_entry(arxiv_server: FakeArxivServer) -> None:
    for n in range(1, 101):
        arxiv_server.add_entry(
            make_entry(
                f"2502.{n:05d}",
                1,
                f"Paper <{n}> & friends",
                ["Ana Ñúñez", ("B. Co", "Lab & Co")],
                "  Abstract with <tags> & ampersands.",
                "2025-02-03",
                "2025-02-04T10:00:00Z",
                categories=("cs.CL", "cs.IR"),
                comment="3 pages",
                journal_ref="J. Fict. 1",
                doi="10.5555/x.1",
            )
        )
    ids = ",".join(f"2502.{n:05d}" for n in range(1, 101))
    response = _query(arxiv_server, ids, max_results=100)
    ET.fromstring(response.content)  # well-formed
    feed = feedparser.parse(response.content)
    assert len(feed.entries) == 100
    entry = feed.entries[41]
    assert entry.title == "Paper <42> & friends"
    assert entry.published == "2025-02-03T00:00:00Z"
    assert [a.name for a in entry.authors] == ["Ana Ñúñez", "B. Co"]
    assert entry.arxiv_affiliation == "Lab & Co"
    assert entry.arxiv_primary_category["term"] == "cs.CL"
    assert [t.term for t in entry.tags] == ["cs.CL", "cs.IR"]


def test_pdf_download(arxiv_server: FakeArxivServer) -> None:
    arxiv_server.add_pdf("2506.12345v3", b"%PDF-1.4 v3")
    arxiv_server.add_pdf("hep-th/9901001", b"%PDF-1.4 old")
    get = httpx.Client(base_url=arxiv_server.url, timeout=5).get
    assert get("/pdf/2506.12345v3").content == b"%PDF-1.4 v3"
    assert get("/pdf/2506.12345.pdf").content == b"%PDF-1.4 v3"  # newest registered version
    assert get("/pdf/2506.12345v3.pdf").headers["content-type"] == "application/pdf"
    assert get("/pdf/hep-th/9901001v2").content == b"%PDF-1.4 old"
    missing = get("/pdf/2506.12345v1")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")


# --- fixtures and the manual runner -----------------------------------------------------


# Child elements of an entry in the order the current arXiv API writes them.
_ENTRY_GRAMMAR = re.compile(
    r"id title updated link link summary (category )+published (arxiv:comment )?"
    r"arxiv:primary_category (arxiv:journal_ref )?(author )+(arxiv:doi link )?"
)


@pytest.mark.parametrize("path", sorted(FIXTURE_DIR.glob("[0-9h]*.xml")), ids=lambda p: p.name)
def test_fixture_files_match_server_output(arxiv_server: FakeArxivServer, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text.encode("utf-8"))
    (entry,) = root.findall(f"{ATOM}entry")
    prefixes = {ATOM: "", "{http://arxiv.org/schemas/atom}": "arxiv:"}
    tags = ""
    for child in entry:
        ns, local = child.tag.split("}")
        tags += f"{prefixes[ns + '}']}{local} "
    assert _ENTRY_GRAMMAR.fullmatch(tags), tags
    arxiv_id = path.stem.replace("_", "/")
    served = _query(arxiv_server, arxiv_id, max_results=100).text
    updated = re.compile(r"(?m)^  <updated>.*</updated>$")  # the feed's own timestamp
    assert updated.sub("", served, count=1) == updated.sub("", text, count=1)


@pytest.mark.slow
def test_manual_runner_prints_urls_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Serving"):
            lines.append(process.stdout.readline())
            assert lines[-1], "runner exited early"
        exports = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in lines
            if line.strip().startswith("export ")
        )
        feed = feedparser.parse(
            httpx.get(exports["SUMMARIZER_ARXIV_API_URL"], params={"id_list": "2401.00001"}).content
        )
        assert feed.entries[0].title.startswith("Curvature-Aware")
        client = openai.OpenAI(base_url=exports["OPENAI_BASE_URL"], api_key="x", max_retries=0)
        reply = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "要約せよ"}]
        )
        assert reply.choices[0].message.content == PRODUCT_SUMMARY_JA
        # A scratch home comes first: the fakes' data must not reach the real caches.
        assert exports["SUMMARIZER_HOME"] == "$(mktemp -d)"
    finally:
        process.terminate()
        process.wait(timeout=5)


@pytest.mark.slow
def test_manual_runner_env_prints_only_the_exports() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes", "--env"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        assert lines[0] == "export SUMMARIZER_HOME=$(mktemp -d)\n"
        assert all(line.startswith("export ") for line in lines)
    finally:
        process.terminate()
        process.wait(timeout=5)
