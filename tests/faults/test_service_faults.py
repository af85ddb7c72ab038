"""Fault cases: services that answer wrongly (arXiv, the chat server)."""

from __future__ import annotations

from tests.fakes.server import Fault
from tests.faults.conftest import Env, assert_clear_failure, assert_not_a_bug


def test_arxiv_answering_200_with_an_html_page_is_an_outage(env: Env) -> None:
    env.arxiv.html_pages = 100
    run = env.run("2506.12345", SUMMARIZER_ARXIV_INTERVAL="0")
    assert_clear_failure(run, 1, "arXiv is unavailable (HTTP 200, text/html)")
    assert "check the ID" not in run.stderr
    assert env.model_calls == 0


def test_an_html_page_is_retried_like_a_503(env: Env) -> None:
    env.arxiv.html_pages = 1
    run = env.run("2506.12345")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert (env.notes / "2506.12345.md").is_file()


def test_arxiv_429_with_a_long_retry_after_gives_up_at_once(env: Env) -> None:
    env.arxiv.inject(Fault(status=429, retry_after=3600))
    run = env.run("2506.12345")
    assert_clear_failure(run, 1, "arXiv", "429")
    assert len(env.arxiv.requests) == 1


def test_arxiv_503_storm_ends_in_a_clear_line(env: Env) -> None:
    env.arxiv.inject(*[Fault(status=503)] * 10)
    run = env.run("2506.12345")
    assert_clear_failure(run, 1, "arXiv", "503", "try again later")


def test_malformed_arxiv_xml_is_retried(env: Env) -> None:
    env.arxiv.inject(Fault(malformed=True))
    run = env.run("2506.12345")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr


def test_malformed_model_json_ends_in_a_clear_line(env: Env) -> None:
    env.chat.inject(*[Fault(malformed=True)] * 40)
    run = env.run("2506.12345")
    assert_clear_failure(run, 1, "chat model at")
    assert not (env.notes / "2506.12345.md").exists()


def test_a_hung_model_stream_ends_in_a_clear_line(env: Env) -> None:
    env.chat.inject(*[Fault(delay=5)] * 40)
    run = env.run("2506.12345", SUMMARIZER_MODEL_TIMEOUT="0.5")
    assert_clear_failure(run, 1, "no answer within")
    assert not (env.notes / "2506.12345.md").exists()
