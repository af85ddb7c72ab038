"""`summarize batch --batch-api` as a command: SIGKILL while waiting, --no-wait, --status."""

from __future__ import annotations

import signal
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from tests.batch.test_batch import Env, wait_until
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_batches import BatchPlan
from tests.fakes.product import default_product_script

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fakes.arxiv_server import FakeArxivServer
    from tests.fakes.openai_server import FakeChatServer

# A batch that stays in progress until the test lets it end.
RUNNING = BatchPlan(steps=("validating", *["in_progress"] * 100_000))


@pytest.fixture
def cli(tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer) -> Env:
    """The command in a subprocess, on the fakes (as tests/batch/test_batch.py runs it)."""
    default_product_script(chat_server)
    variables = {
        **clean_environment(),
        **server_variables(chat_server, arxiv_server),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
    }
    return Env(tmp_path, tmp_path / "notes", chat_server, arxiv_server, variables)


def journal_text(env: Env) -> str:
    return "".join(
        p.read_text(encoding="utf-8") for p in (env.tmp / "home" / "batch").glob("*.jsonl")
    )


@pytest.mark.slow
def test_a_run_killed_while_waiting_resumes_without_a_new_batch(cli: Env) -> None:
    env = cli
    ids = env.arxiv.add_generated_papers(6)
    env.chat.batch_api.plan(RUNNING)
    listing = env.list_file("list.txt", "\n".join(ids) + "\n")
    args = (str(listing), "--abstract-only", "--batch-api", "--poll-seconds", "0.05")
    process = env.start(*args)
    wait_until(lambda: '"kind": "batch"' in journal_text(env), process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert env.notes_written() == []

    env.chat.batch_api.finish_running()
    run = env.run(*args)
    assert run.code == 0, run.stderr
    assert [p.stem for p in env.notes_written()] == ids
    assert len(env.chat.batch_api.batches) == 1  # resumed, not created again
    assert max(Counter(env.chat.batch_api.executed).values()) == 1  # 0 duplicate requests
    assert "batches: " in run.stderr  # the wait showed its progress


@pytest.mark.slow
def test_no_wait_says_how_to_resume_and_status_shows_the_batch(cli: Env) -> None:
    env = cli
    ids = env.arxiv.add_generated_papers(2)
    env.chat.batch_api.plan(RUNNING)
    listing = env.list_file("list.txt", "\n".join(ids) + "\n")
    args = (str(listing), "--abstract-only", "--batch-api")
    run = env.run(*args, "--no-wait")
    assert run.code == 0, run.stderr
    assert "run again: summarize" in run.stdout
    status = env.run(*args, "--status")
    assert status.code == 0, status.stderr
    batch_id = next(iter(env.chat.batch_api.batches))
    assert f"{batch_id}  in_progress  0/6 answered" in status.stdout
    cancel = env.run(*args, "--cancel")
    assert f"{batch_id}  cancelling" in cancel.stdout


@pytest.mark.slow
def test_the_embedded_model_cannot_use_the_batch_api(cli: Env) -> None:
    env = cli
    ids = env.arxiv.add_generated_papers(1)
    listing = env.list_file("list.txt", ids[0] + "\n")
    run = env.run(str(listing), "--batch-api", "--backend", "local")
    assert run.code == 2
    assert "needs an OpenAI(-compatible) server" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
