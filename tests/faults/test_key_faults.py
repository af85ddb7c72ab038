"""Fault cases: keys go only over HTTPS to their own host, and never into anything
written (note, cache, log)."""

from __future__ import annotations

from tests.faults.conftest import SECRET, Env, assert_clear_failure, assert_not_a_bug


def test_plain_http_to_openai_is_refused_and_the_proxy_sees_no_key(env: Env) -> None:
    proxy = env.chat  # any HTTP server records what a proxy would receive
    run = env.run(
        "2506.12345",
        OPENAI_BASE_URL="http://api.openai.com/v1",
        OPENAI_API_KEY=SECRET,
        http_proxy=proxy.url,
        HTTP_PROXY=proxy.url,
        # The fake arXiv is reached directly; only the model's host goes by the proxy.
        no_proxy="127.0.0.1,localhost",
        NO_PROXY="127.0.0.1,localhost",
    )
    assert_clear_failure(run, 2, "http://", "https://")
    for request in proxy.requests:
        assert SECRET not in str(request.headers)
        assert SECRET.encode() not in request.body


def test_a_reply_echoing_the_key_is_scrubbed_before_anything_is_written(env: Env) -> None:
    env.chat.echo_authorization = True
    run = env.run("2506.12345", "--debug", SUMMARIZER_API_KEY=SECRET)
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert SECRET not in run.stderr + run.stdout
    assert "secret" in run.stderr.lower()
    note = (env.notes / "2506.12345.md").read_text(encoding="utf-8")
    assert SECRET not in note
    assert "[redacted secret]" in note
    for path in env.home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
