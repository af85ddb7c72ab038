"""The parts of ``summarize publish``: the GitHub client's errors, the token, the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.errors import (
    ConfigError,
    GitHubRateLimitError,
    GitHubRefusedError,
    GitHubUnavailableError,
    NoteFormatError,
)
from summarizer.notes.front_matter import PublishedIssue
from summarizer.notes.note import read_note
from summarizer.publish import token as token_module
from summarizer.publish.github import GitHubClient
from summarizer.publish.record import record_issue
from summarizer.publish.token import check_api_url, find_token
from tests.fakes.github_server import DEFAULT_REPO, FakeGitHubServer
from tests.fakes.server import FakeServer, Fault, RecordedRequest, Response
from tests.review_support import write_draft

RECORD = PublishedIssue(
    repo=DEFAULT_REPO,
    number=7,
    url=f"https://github.com/{DEFAULT_REPO}/issues/7",
    published_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    labels=["NLP"],
)


# --- the client ------------------------------------------------------------------------


@pytest.fixture
def github() -> FakeGitHubServer:
    with FakeGitHubServer() as server:
        yield server


def test_a_timed_out_write_says_it_may_have_gone_through(github: FakeGitHubServer) -> None:
    github.inject(Fault(delay=2.0))
    client = GitHubClient(github.api_url, DEFAULT_REPO, github.token, timeout=0.3)
    with client, pytest.raises(GitHubUnavailableError, match="the POST may have gone through"):
        client.create_issue({"title": "t", "body": "b"})


def test_server_errors_and_bodies_that_are_not_json(github: FakeGitHubServer) -> None:
    github.inject(Fault(status=502), Fault(malformed=True))
    with GitHubClient(github.api_url, DEFAULT_REPO, github.token) as client:
        with pytest.raises(GitHubUnavailableError, match="HTTP 502"):
            client.label_names()
        with pytest.raises(GitHubUnavailableError, match="with no JSON"):
            client.label_names()


def test_403_without_a_limit_is_a_permission_problem(github: FakeGitHubServer) -> None:
    github.inject(Fault(status=403))
    client = GitHubClient(github.api_url, DEFAULT_REPO, github.token)
    with client, pytest.raises(GitHubRefusedError, match="Issues: read and write") as refused:
        client.label_names()
    assert refused.value.exit_code == 2


def test_rate_limit_reset_is_told_by_the_injected_clock(github: FakeGitHubServer) -> None:
    github.limit_next(reset=10_000)
    with (
        GitHubClient(
            github.api_url, DEFAULT_REPO, github.token, clock=lambda: 10_000 - 45 * 60
        ) as client,
        pytest.raises(GitHubRateLimitError, match=r"\(in 45 min\)") as limited,
    ):
        client.label_names()
    assert limited.value.exit_code == 1


def test_labels_are_read_page_by_page(github: FakeGitHubServer) -> None:
    names = [f"tag{i:03d}" for i in range(230)]
    github.add_repo("me/many", labels=names)
    with GitHubClient(github.api_url, "me/many", github.token) as client:
        assert client.label_names() == names
    assert [r.param("page") for r in github.requests] == ["1", "2", "3"]


class _Redirecting(FakeServer):
    """Answers every request with a redirect to ``target``."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def handle(self, request: RecordedRequest) -> Response:
        return Response(status=301, headers={"Location": f"{self.target}{request.path}"})


def test_redirects_are_not_followed(github: FakeGitHubServer) -> None:
    # Following one would carry the Authorization header to whatever host it names.
    with _Redirecting(github.api_url) as redirecting:
        client = GitHubClient(redirecting.url, DEFAULT_REPO, github.token)
        with client, pytest.raises(GitHubUnavailableError, match="HTTP 301"):
            client.label_names()
    assert github.requests == []


# --- the token ---------------------------------------------------------------------------


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No token variables; PATH holds only ``bin`` (where a test may put a fake gh)."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def _fake_gh(folder: Path, script: str) -> None:
    gh = folder / "gh"
    gh.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    gh.chmod(0o755)


def test_the_variables_come_first(no_tokens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_gh(no_tokens, "echo from-gh")
    monkeypatch.setenv("GH_TOKEN", "from-gh-token")
    assert find_token().source == "GH_TOKEN"
    monkeypatch.setenv("GITHUB_TOKEN", "from-github-token")
    found = find_token()
    assert (found.value, found.source) == ("from-github-token", "GITHUB_TOKEN")
    assert "from-github-token" not in repr(found)


@pytest.mark.parametrize(
    "script",
    [
        "echo 'not logged in' >&2; exit 1",  # gh without a login
        "echo 'You are not logged into any GitHub hosts'",  # prose on stdout
        "sleep 5",  # a keyring prompt that never returns
    ],
)
def test_gh_without_a_usable_token(
    no_tokens: Path, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    monkeypatch.setattr(token_module, "GH_TIMEOUT", 0.5)
    _fake_gh(no_tokens, script)
    with pytest.raises(ConfigError, match="no GitHub token"):
        find_token()


def test_gh_token(no_tokens: Path) -> None:
    _fake_gh(no_tokens, "echo gho_abc123")
    assert find_token().value == "gho_abc123"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.github.com", True),
        ("https://github.example.com/api/v3", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://api.github.com", False),
        ("http://127.0.0.1.example.com", False),
        ("ftp://api.github.com", False),
        ("api.github.com", False),
    ],
)
def test_where_the_token_may_go(url: str, allowed: bool) -> None:
    if allowed:
        check_api_url(url)
    else:
        with pytest.raises(ConfigError, match="will not send the GitHub token"):
            check_api_url(url)


# --- the record in the note ----------------------------------------------------------------


def _note(tmp_path: Path) -> Path:
    return write_draft(tmp_path, "2506.00001", created=datetime(2025, 6, 1, tzinfo=UTC))


def test_the_record_adds_lines_and_changes_nothing_else(tmp_path: Path) -> None:
    path = _note(tmp_path)
    before = path.read_text(encoding="utf-8")
    record_issue(path, RECORD)
    after = path.read_text(encoding="utf-8")
    head, _, body = before[4:].partition("\n---\n")
    assert after == (
        f"---\n{head}\n"
        "github_issue:\n"
        f"  repo: {DEFAULT_REPO}\n"
        "  number: 7\n"
        f"  url: https://github.com/{DEFAULT_REPO}/issues/7\n"
        "  published_at: 2026-01-02 03:04:05+00:00\n"
        "  labels:\n"
        "  - NLP\n"
        f"---\n{body}"
    )
    assert read_note(path).meta.github_issue == RECORD


def test_a_second_record_replaces_the_first(tmp_path: Path) -> None:
    path = _note(tmp_path)
    record_issue(path, RECORD)
    newer = RECORD.model_copy(update={"labels": ["NLP", "ACL"]})
    text = path.read_text(encoding="utf-8").replace("---\n#", "# my comment\n---\n#", 1)
    path.write_text(text, encoding="utf-8")
    record_issue(path, newer)
    after = path.read_text(encoding="utf-8")
    assert after.count("github_issue:") == 1
    assert "# my comment\n---\n" in after
    assert read_note(path).meta.github_issue == newer


def test_crlf_notes_stay_crlf(tmp_path: Path) -> None:
    path = _note(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    record_issue(path, RECORD)
    raw = path.read_bytes()
    assert b"github_issue:\r\n  repo:" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_a_front_matter_that_cannot_be_edited_by_lines_is_left_alone(tmp_path: Path) -> None:
    path = _note(tmp_path)
    # Another key refers to the old record by a YAML alias: replacing the block's lines
    # would break it, so nothing is written and the message says what to add by hand.
    aliased = "github_issue: &old\n  repo: a/b\n  number: 1\n  url: u\ncopy: *old\n---\n#"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n#", aliased, 1), "utf-8")
    before = path.read_bytes()
    with pytest.raises(NoteFormatError, match=r"add this line by hand .*number: 7"):
        record_issue(path, RECORD)
    assert path.read_bytes() == before
