"""``summarize publish`` in a real subprocess against the fake GitHub API.

Create, update without a duplicate, missing labels, 401, 422, rate limits, and the
token in no file and no log line.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.notes.edit import TagDecision, save_decision
from summarizer.notes.note import read_note
from tests.fakes.github_server import DEFAULT_REPO, FakeGitHubServer
from tests.fakes.server import Fault
from tests.review_support import Run, cli_env, run_cli, write_draft, write_vocabulary

ARXIV_ID = "2506.12345"
TAGS = ["NLP", "LanguageModel"]


@pytest.fixture
def github() -> FakeGitHubServer:
    with FakeGitHubServer() as server:
        yield server


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = write_draft(
        tmp_path / "notes",
        ARXIV_ID,
        created=datetime(2025, 6, 1, tzinfo=UTC),
        suggested=[*TAGS, "Hallucination"],
        title="Evidence graphs for retrieval",
        comment="## 概要\n- 自分のメモ。",
    )
    save_decision(path, TagDecision(TAGS, ["Hallucination"]))
    return path


@pytest.fixture
def env(tmp_path: Path, github: FakeGitHubServer) -> dict[str, str]:
    base = cli_env(tmp_path / "home", tmp_path / "notes", write_vocabulary(tmp_path))
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):  # never a developer's own token
        base.pop(name, None)
    no_gh = tmp_path / "bin"
    no_gh.mkdir()
    base.update(
        PATH=str(no_gh),  # no `gh` on the path: a developer's login cannot be used
        SUMMARIZER_GITHUB_API_URL=github.api_url,
        GITHUB_TOKEN=github.token,
    )
    return base


def publish(env: dict[str, str], *args: str) -> Run:
    return run_cli(env, "publish", *args)


def test_create_then_update_files_one_issue(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)  # the note named by its arXiv ID
    assert run.code == 0, run.stderr
    url = f"https://github.com/{DEFAULT_REPO}/issues/1"
    assert run.stdout == f"{url}\n"
    assert "filed issue #1" in run.stderr
    (issue,) = github.issues()
    assert (
        issue["title"]
        == "[Paper Note] Evidence graphs for retrieval, Aiko Tanaka+, arXiv'25, 2025.06"
    )
    assert issue["body"].startswith("#NLP #LanguageModel\n\n# URL\n")
    assert "## 概要\n- 自分のメモ。" in issue["body"]
    assert "status:" not in issue["body"]  # no front matter
    assert [label["name"] for label in issue["labels"]] == TAGS
    record = read_note(note).meta.github_issue
    assert record is not None
    assert (record.repo, record.number, record.url, record.labels) == (DEFAULT_REPO, 1, url, TAGS)

    # The person edits the note and publishes again: the same issue changes.
    text = note.read_text(encoding="utf-8").replace("自分のメモ。", "書き直したメモ。")
    note.write_text(text, encoding="utf-8")
    again = publish(env, str(note), "--repo", DEFAULT_REPO)
    assert again.code == 0, again.stderr
    assert again.stdout == f"{url}\n"
    assert "updated issue #1" in again.stderr
    (issue,) = github.issues()
    assert "書き直したメモ。" in issue["body"]
    assert [r.method for r in github.requests if "/issues" in r.path] == ["POST", "GET", "PATCH"]


def test_update_keeps_labels_added_on_github(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    assert publish(env, ARXIV_ID, "--repo", DEFAULT_REPO).code == 0
    # Someone adds "ACL" on GitHub; the person drops LanguageModel from the note.
    github.label_issue(1, "ACL")
    save_decision(note, TagDecision(["NLP"], ["LanguageModel"]))
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 0, run.stderr
    (issue,) = github.issues()
    assert [label["name"] for label in issue["labels"]] == ["NLP", "ACL"]


def test_repo_from_config(
    env: dict[str, str], github: FakeGitHubServer, note: Path, tmp_path: Path
) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.toml").write_text(
        f'[publish]\nrepo = "{DEFAULT_REPO}"\n', encoding="utf-8"
    )
    run = publish(env, ARXIV_ID)
    assert run.code == 0, run.stderr
    assert len(github.issues()) == 1


def test_missing_labels_stop_before_anything_is_filed(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    save_decision(note, TagDecision(["NLP", "Hallucination", "Quantization"], []))
    before = note.read_bytes()
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2, run.stderr
    assert "has no label(s) Hallucination, Quantization" in run.stderr
    assert "--create-labels" in run.stderr
    # GitHub would have created them with the issue: nothing was filed or created.
    assert github.issues() == []
    assert "Hallucination" not in github.label_names()
    assert note.read_bytes() == before

    created = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO, "--create-labels")
    assert created.code == 0, created.stderr
    assert "created label(s) Hallucination, Quantization" in created.stderr
    assert {"Hallucination", "Quantization"} <= set(github.label_names())
    label_posts = [r for r in github.requests if r.method == "POST" and r.path.endswith("/labels")]
    assert [r.json["name"] for r in label_posts] == ["Hallucination", "Quantization"]


def test_labels_take_the_repository_spelling(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    save_decision(note, TagDecision(["nlp"], []))
    assert publish(env, ARXIV_ID, "--repo", DEFAULT_REPO).code == 0
    (issue,) = github.issues()
    assert [label["name"] for label in issue["labels"]] == ["NLP"]


def test_rejected_token(env: dict[str, str], github: FakeGitHubServer, note: Path) -> None:
    before = note.read_bytes()
    wrong = "ghp_wrongTokenValue42"
    run = publish({**env, "GITHUB_TOKEN": wrong}, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert run.stderr.startswith("publishing ")
    error = run.stderr.strip().splitlines()[-1]
    assert error.startswith("summarize: error: GitHub token rejected (Bad credentials)")
    assert "GITHUB_TOKEN" in error
    assert wrong not in run.stderr + run.stdout
    assert note.read_bytes() == before


def test_validation_message_is_shown(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    too_long = "A" * 51  # GitHub's limit for a label name is 50 characters
    save_decision(note, TagDecision(["NLP", too_long], []))
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO, "--create-labels")
    assert run.code == 2
    assert "GitHub rejected the request: Validation Failed; Label name invalid" in run.stderr
    assert github.issues() == []
    assert read_note(note).meta.github_issue is None


def test_validation_on_the_issue_itself(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    github.inject(Fault(), Fault(status=422))  # labels answer, the issue is refused
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert "GitHub rejected the request: injected fault: HTTP 422" in run.stderr
    assert read_note(note).meta.github_issue is None


def test_rate_limited(env: dict[str, str], github: FakeGitHubServer, note: Path) -> None:
    reset = int(time.time()) + 600
    github.limit_next(reset)
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 1
    error = run.stderr.strip().splitlines()[-1]
    assert "GitHub rate limit reached; nothing was published; try again after " in error
    wanted = datetime.fromtimestamp(reset, UTC).strftime("%H:%M:%S")  # TZ=UTC in cli_env
    assert wanted in error
    assert "(in 10 min)" in error
    assert github.issues() == []

    github.inject(Fault(status=429, retry_after=30))  # a secondary limit
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 1
    assert "try again in 30 s" in run.stderr


def test_the_token_is_in_no_file_and_no_log(
    env: dict[str, str], github: FakeGitHubServer, note: Path, tmp_path: Path
) -> None:
    runs = [
        publish(env, ARXIV_ID, "--repo", DEFAULT_REPO, "--debug"),
        publish(env, ARXIV_ID, "--repo", DEFAULT_REPO, "--debug"),
        publish(env, ARXIV_ID, "--repo", DEFAULT_REPO, "--dry-run"),
        publish({**env, "SUMMARIZER_DEBUG": "1"}, "--repo", DEFAULT_REPO, ARXIV_ID, "-q"),
    ]
    assert [run.code for run in runs] == [0, 0, 0, 0], [run.stderr for run in runs]
    token = github.token.encode()
    for run in runs:
        assert github.token not in run.stdout + run.stderr
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert note in written
    assert [path for path in written if token in path.read_bytes()] == []
    # It went to the API, and only in the Authorization header.
    for request in github.requests:
        assert request.headers["authorization"] == f"Bearer {github.token}"
        assert github.token not in request.path + json.dumps(request.json)


def test_dry_run_prints_the_request_and_sends_nothing(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    no_token = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
    run = publish(no_token, ARXIV_ID, "--repo", DEFAULT_REPO, "--dry-run")
    assert run.code == 0, run.stderr
    head, _, payload = run.stdout.partition("\n\n")
    assert head.splitlines()[0] == f"POST {github.api_url}/repos/{DEFAULT_REPO}/issues"
    assert json.loads(payload)["labels"] == TAGS
    assert github.requests == []
    assert read_note(note).meta.github_issue is None


def test_a_draft_is_refused_unless_unreviewed(
    env: dict[str, str], github: FakeGitHubServer, tmp_path: Path
) -> None:
    write_draft(tmp_path / "notes", "2506.00001", created=datetime(2025, 6, 1, tzinfo=UTC))
    run = publish(env, "2506.00001", "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert "is not reviewed (status: draft)" in run.stderr
    assert "--unreviewed" in run.stderr
    assert github.requests == []
    run = publish(env, "2506.00001", "--repo", DEFAULT_REPO, "--unreviewed", "--create-labels")
    assert run.code == 0, run.stderr
    assert len(github.issues()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((ARXIV_ID,), "no repository to publish to: pass --repo OWNER/NAME"),
        ((ARXIV_ID, "--repo", "just-a-name"), "not a GitHub repository: 'just-a-name'"),
        (("2506.99999", "--repo", DEFAULT_REPO), "draft it first: summarize 2506.99999"),
        ((ARXIV_ID, "--repo", "someone/else"), "already published in owner/paper-notes"),
    ],
)
def test_bad_input_is_one_line(
    env: dict[str, str], github: FakeGitHubServer, note: Path, args: tuple[str, ...], fragment: str
) -> None:
    if "someone/else" in args:
        assert publish(env, ARXIV_ID, "--repo", DEFAULT_REPO).code == 0
    count = github.request_count
    run = publish(env, *args)
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert fragment in lines[0]
    assert github.request_count == count


def test_no_token_anywhere(env: dict[str, str], github: FakeGitHubServer, note: Path) -> None:
    no_token = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
    run = publish(no_token, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert "no GitHub token: set GITHUB_TOKEN or GH_TOKEN" in run.stderr
    assert github.requests == []


def test_token_from_gh(
    env: dict[str, str], github: FakeGitHubServer, note: Path, tmp_path: Path
) -> None:
    gh = tmp_path / "bin" / "gh"
    gh.write_text(f"#!/bin/sh\necho {github.token}\n", encoding="utf-8")
    gh.chmod(0o755)
    no_token = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
    run = publish(no_token, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 0, run.stderr
    assert len(github.issues()) == 1


def test_plain_http_only_to_this_machine(env: dict[str, str], note: Path) -> None:
    far = {**env, "SUMMARIZER_GITHUB_API_URL": "http://github.example.com/api/v3"}
    run = publish(far, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert "will not send the GitHub token to 'http://github.example.com/api/v3'" in run.stderr


def test_an_unreadable_record_is_not_taken_as_none(
    env: dict[str, str], github: FakeGitHubServer, note: Path
) -> None:
    text = note.read_text(encoding="utf-8").replace("\n---\n", "\ngithub_issue: 12\n---\n", 1)
    note.write_text(text, encoding="utf-8")
    run = publish(env, ARXIV_ID, "--repo", DEFAULT_REPO)
    assert run.code == 2
    assert "github_issue in its front matter is not readable" in run.stderr
    assert github.requests == []
