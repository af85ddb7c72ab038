"""What `summarize batch` tells: duplicates and warnings in the table, an honest ETA,
exit codes, advice after failures, --dry-run and --json (a real subprocess against
the fake servers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.batch.report import ETA_MIN_PAPERS, eta_seconds
from summarizer.errors import BatchFailedError
from tests.batch.test_batch import Env
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.review_support import write_draft


@pytest.fixture
def env(tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer) -> Env:
    default_product_script(chat_server)
    variables = {
        **clean_environment(),
        **server_variables(chat_server, arxiv_server),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
        "SUMMARIZER_MODEL_TIMEOUT": "10",
        "SUMMARIZER_HTTP_TIMEOUT": "5",
    }
    return Env(tmp_path, tmp_path / "notes", chat_server, arxiv_server, variables)


# --- the ETA ----------------------------------------------------------------------------


def test_no_eta_until_a_few_papers_were_drafted() -> None:
    assert eta_seconds([5.0] * (ETA_MIN_PAPERS - 1), 10, 1) is None


def test_eta_is_the_median_paper_time_times_the_papers_left_over_the_workers() -> None:
    # One slow outlier (a cold start) does not drag the estimate: the median is 10 s.
    assert eta_seconds([10.0, 60.0, 9.0, 11.0, 10.0], 8, 4) == pytest.approx(20.0)
    assert eta_seconds([10.0, 10.0, 10.0], 8, 1) == pytest.approx(80.0)


# --- advice after failures ----------------------------------------------------------------


def test_failures_a_rerun_cannot_fix_are_not_told_to_rerun() -> None:
    only_list = str(BatchFailedError(2, 5, retryable=0))
    assert "rerun" not in only_list
    assert "fix the list for 2" in only_list
    mixed = str(BatchFailedError(3, 5, retryable=1))
    assert "fix the list for 2" in mixed
    assert "rerun the same command to retry 1" in mixed


# --- the CLI ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_text_list_of_only_non_references_is_bad_input(env: Env) -> None:
    listing = env.list_file("list.txt", "not a paper\nsee the appendix\n")
    run = env.run(str(listing), "--abstract-only")
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("summarize: error: found no arXiv reference in")
    assert "2 line(s) name no arXiv paper, the first line 1: 'not a paper'" in lines[0]
    assert env.chat.requests == []


@pytest.mark.slow
def test_duplicates_and_warnings_are_in_the_table_and_the_json(env: Env) -> None:
    ids = env.arxiv.add_generated_papers(2)
    listing = env.list_file(
        "list.md",
        f"- {ids[0]}\n- see arXiv: the appendix\n- https://huggingface.co/papers/{ids[0]}\n"
        f"- Not arXiv: https://openreview.net/forum?id=abc\n"
        f"- https://www.alphaxiv.org/abs/{ids[1]}\n",
    )
    run = env.run(str(listing), "--abstract-only")
    assert run.code == 0, run.stderr
    rows = {line.split()[0]: line for line in run.stdout.splitlines()[1:-1] if line.strip()}
    assert "duplicate" in rows["3"]
    assert "same paper as line 1" in rows["3"]
    assert "drafted" in rows["5"]  # the alphaxiv link is the arXiv paper it shows
    assert "abstract only" in rows["1"]  # the warnings column
    assert "2 with warnings" in run.stdout
    assert sorted(rows) == ["1", "3", "5"]  # prose after "arXiv:" is no reference

    again = env.run(str(listing), "--abstract-only", "--json", "--quiet")
    assert again.code == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["totals"]["skipped"] == 2
    assert report["papers"][0]["duplicate_lines"] == [3]


@pytest.mark.slow
def test_dry_run_prices_the_list_and_writes_nothing(env: Env) -> None:
    ids = env.arxiv.add_generated_papers(3)
    env.notes.mkdir()
    write_draft(env.notes, ids[2], created=datetime.now(UTC))  # skipped, as the real run
    listing = env.list_file("list.txt", f"{ids[0]}\n{ids[1]}\n{ids[0]}v1\n{ids[2]}\nnot one\n")
    before = sorted(env.notes.iterdir())
    run = env.run(str(listing), "--dry-run", "--abstract-only")
    assert run.code == 0, run.stderr
    assert "dry run: would draft 2 · skip 1 · failed 1" in run.stdout
    assert "nothing paid, no note written" in run.stdout
    assert env.chat.requests == []  # no model call
    assert sorted(env.notes.iterdir()) == before

    as_json = json.loads(env.run(str(listing), "--dry-run", "--abstract-only", "--json").stdout)
    assert as_json["dry_run"] is True
    totals = as_json["totals"]
    assert (totals["would_draft"], totals["skipped"], totals["failed"]) == (2, 1, 1)
    assert totals["calls"] == 6  # translation, summary, tags per paper
    assert totals["input_tokens"] > 0
    assert totals["cost_usd"] > 0
    planned = {paper["line"]: paper for paper in as_json["papers"]}
    assert planned[1]["duplicate_lines"] == [3]
    # With --batch-api the same list is priced at the Batch API's half price.
    batch = json.loads(
        env.run(str(listing), "--dry-run", "--abstract-only", "--json", "--batch-api").stdout
    )
    assert batch["price"] == "batch"
    assert batch["totals"]["input_tokens"] == totals["input_tokens"]
    assert batch["totals"]["cost_usd"] == pytest.approx(totals["cost_usd"] / 2, rel=0.01)
    assert planned[4]["status"] == "skipped"
    assert "already exists" in planned[4]["reason"]
