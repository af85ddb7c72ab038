"""What a single draft tells, and notes named by arXiv ID, in a real subprocess
against the fake servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.notes.note import MARKER
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.review_support import cli_env, run_cli


@pytest.fixture
def env(
    tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer
) -> dict[str, str]:
    default_product_script(chat_server)
    variables = cli_env(tmp_path / "home", tmp_path / "notes")
    variables.update(
        {
            "OPENAI_BASE_URL": chat_server.base_url,
            "SUMMARIZER_ARXIV_API_URL": arxiv_server.api_url,
            "SUMMARIZER_ARXIV_PDF_URL": f"{arxiv_server.url}/pdf/",
            "SUMMARIZER_ARXIV_INTERVAL": "0",
        }
    )
    return variables


@pytest.mark.slow
def test_a_draft_without_its_pdf_says_so_on_one_stderr_line_even_piped(
    env: dict[str, str], tmp_path: Path
) -> None:
    # The fake arXiv serves no PDF for 1412.6980: the draft is from the abstract.
    run = run_cli(env, "1412.6980")
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == str(tmp_path / "notes" / "1412.6980.md")
    warned = [line for line in run.stderr.splitlines() if line.startswith("warnings: ")]
    # The fake's replies name numbers the abstract does not have: each is marked.
    marks = (tmp_path / "notes" / "1412.6980.md").read_text(encoding="utf-8").count(MARKER)
    assert marks > 0
    assert warned == [f"warnings: 1412.6980.md: abstract only (no PDF); {marks} 要確認 marks"]

    quiet = run_cli(env, "1412.6980", "--force", "--quiet")
    assert quiet.code == 0, quiet.stderr
    assert quiet.stderr == ""


@pytest.mark.slow
def test_dry_run_refuses_a_reviewed_note_as_the_real_run_does(env: dict[str, str]) -> None:
    drafted = run_cli(env, "2506.12345", "--abstract-only", "--quiet")
    assert drafted.code == 0, drafted.stderr
    # Named by its arXiv ID, not its path.
    accepted = run_cli(env, "tags", "accept", "2506.12345", "--all", "--json")
    assert accepted.code == 0, accepted.stderr
    assert json.loads(accepted.stdout)["path"].endswith("2506.12345.md")

    real = run_cli(env, "2506.12345", "--abstract-only")
    dry = run_cli(env, "2506.12345", "--abstract-only", "--dry-run")
    assert real.code == dry.code == 2
    assert dry.stderr == real.stderr
    assert "is reviewed; it is never overwritten" in dry.stderr
    assert dry.stdout == ""  # no cost printed for a run that would be refused

    exported = run_cli(env, "export", "2506.12345", "--json")
    assert exported.code == 0, exported.stderr
    assert json.loads(exported.stdout)["title"].startswith("[Paper Note]")
