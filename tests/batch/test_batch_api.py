"""`summarize batch --batch-api`: rounds of OpenAI Batch API batches, against the fake.

The fake chat server answers batch lines with the same scripted rules as
synchronous calls (tests/fakes/openai_batches.py), so a batch run and a
synchronous run of the same list must write the same notes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from summarizer.batch.batch_api import BatchService
from summarizer.batch.batch_control import batch_states
from summarizer.batch.requests_file import check_request_lines, split_lines
from summarizer.batch.rounds import ApiOptions, ApiOutcome, run_batch_api
from summarizer.batch.run import BatchOptions, run_batch
from summarizer.drafting.prices import batch_cost_usd, load_price_table
from summarizer.errors import BadInputError, BatchApiError
from summarizer.settings import Settings
from tests.batch.test_batch import make_settings, reading_list, statuses
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_batches import BatchPlan, vllm_results
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.fakes.server import Fault
from tests.pdfs import paper_pdf, text_pages_pdf

FAST = ApiOptions(poll_seconds=0)


def long_paper_pdf() -> bytes:
    """Six sections of about 500 tokens: more than one Comment call at 1,000 tokens."""
    sentence = (
        "The claim graph links sentences that mention the same entity, and the reranker "
        "keeps a connected subgraph of at most twelve claims for the generator. "
    )
    titles = ["Introduction", "Method", "Experiments", "Results", "Analysis", "Conclusion"]
    return text_pages_pdf([f"{n} {title}\n" + sentence * 18 for n, title in enumerate(titles, 1)])


@pytest.fixture
def chat(chat_server: FakeChatServer) -> FakeChatServer:
    default_product_script(chat_server)
    return chat_server


def settings_in(
    root: Path, chat: FakeChatServer, arxiv: FakeArxivServer, **extra: object
) -> Settings:
    return make_settings(root, chat, arxiv, **extra)


def run_api(
    ids: list[str], settings: Settings, api: ApiOptions = FAST, **options: object
) -> ApiOutcome:
    service = BatchService(settings, sleep=lambda _seconds: None)
    try:
        return run_batch_api(
            reading_list(ids), settings, BatchOptions(**options), api, service=service
        )
    finally:
        service.close()


# What differs between two runs of the same list at different times.
_WHEN = re.compile(r"^(created|draft_sha256): .*$", re.MULTILINE)


def notes(folder: Path) -> dict[str, str]:
    """Each note's text, without its creation time (and the hash that covers it)."""
    return {
        path.name: _WHEN.sub("", path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.md"))
    }


def chat_calls(chat: FakeChatServer) -> int:
    return len(chat.chat_payloads)


# --- the same notes as a synchronous run, for half the price -----------------------------


@pytest.mark.parametrize(
    ("count", "full_text", "extra"),
    [
        (100, False, {}),
        (20, True, {}),
        # Parts read one by one (map), then the Comment from their notes (reduce).
        (3, True, {"max_input_tokens": 1000}),
    ],
)
def test_a_batch_run_writes_the_notes_a_synchronous_run_writes(
    tmp_path: Path,
    chat: FakeChatServer,
    arxiv_server: FakeArxivServer,
    count: int,
    full_text: bool,
    extra: dict[str, object],
) -> None:
    pdf = {"pdf": long_paper_pdf() if extra else paper_pdf()} if full_text else {}
    ids = arxiv_server.add_generated_papers(count, **pdf)
    sync_settings = settings_in(tmp_path / "sync", chat, arxiv_server, full_text=full_text, **extra)
    sync = run_batch(reading_list(ids), sync_settings, BatchOptions(concurrency=8))
    assert statuses(sync) == ["drafted"] * count
    sync_calls = chat_calls(chat)
    sync_bodies = {r.body for r in chat.requests if r.path.endswith("/chat/completions")}

    settings = settings_in(tmp_path / "api", chat, arxiv_server, full_text=full_text, **extra)
    outcome = run_api(ids, settings, concurrency=8)
    if extra:
        assert len(outcome.created) == 2  # the reduce waits for the map's answers

    assert outcome.done
    assert outcome.report is not None
    assert statuses(outcome.report) == ["drafted"] * count
    assert chat_calls(chat) == sync_calls  # no synchronous model call at all
    assert notes(tmp_path / "api" / "notes") == notes(tmp_path / "sync" / "notes")
    assert all(len(round_) <= 2 for round_ in outcome.created)
    executed = chat.batch_api.executed
    assert len(executed) == len(set(executed)) == sync_calls  # each request once
    # The very bytes the synchronous path sent, schemas included.
    assert set(chat.batch_api.uploaded_bodies) == sync_bodies
    # Half the synchronous price (gpt-4o-mini: 0.15 / 0.60 per million tokens).
    totals, sync_totals = outcome.report.totals(), sync.totals()
    assert totals["input_tokens"] == sync_totals["input_tokens"]
    assert totals["cost_usd"] == pytest.approx(sync_totals["cost_usd"] / 2, rel=1e-3)
    # The journal and its files are gone once the list is done.
    assert not list((tmp_path / "api" / "home" / "batch").iterdir())


def test_the_request_file_has_the_batch_api_line_format(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(3)
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings, ApiOptions(export_path=tmp_path / "requests.jsonl"))
    data = (tmp_path / "requests.jsonl").read_bytes()
    assert outcome.exported_requests == 9
    assert check_request_lines(data) == []
    first = json.loads(data.splitlines()[0])
    assert (first["method"], first["url"]) == ("POST", "/v1/chat/completions")
    assert first["body"]["model"] == "gpt-4o-mini"
    # The check catches what the Batch API would refuse.
    broken = data.replace(b'"POST"', b'"GET"', 1) + data.splitlines(keepends=True)[1]
    problems = check_request_lines(broken)
    assert any("must be POST" in p for p in problems)
    assert any("repeated" in p for p in problems)


def test_request_files_are_split_at_the_limits() -> None:
    lines = [b"x" * 10 + b"\n"] * 7
    assert [len(f) for f in split_lines(lines, max_requests=3, max_bytes=1000)] == [3, 3, 1]
    assert [len(f) for f in split_lines(lines, max_requests=100, max_bytes=25)] == [2, 2, 2, 1]
    with pytest.raises(BadInputError):
        split_lines([b"y" * 50], max_bytes=20)


def test_a_round_over_the_file_limit_goes_in_two_batches(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(4)
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings, ApiOptions(poll_seconds=0, max_requests_per_file=7))
    assert outcome.done
    assert [len(r) for r in outcome.created] == [2]  # 12 requests: 7 + 5
    assert len(notes(tmp_path / "notes")) == 4


# --- resuming: nothing paid twice ---------------------------------------------------------


def test_no_wait_submits_and_a_rerun_collects_without_a_new_batch(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(5)
    settings = settings_in(tmp_path, chat, arxiv_server)
    first = run_api(ids, settings, ApiOptions(wait=False, poll_seconds=0))
    assert [len(r) for r in first.created] == [1]
    assert [s.status for s in first.waiting] == ["validating"]
    assert notes(tmp_path / "notes") == {}
    # Like a process killed while it waited: the journal knows the batch.
    states = batch_states(reading_list(ids), settings, BatchOptions())
    assert [s.id for s in states] == first.created[0]

    second = run_api(ids, settings)
    assert second.done
    assert second.created == []
    assert len(chat.batch_api.batches) == 1
    assert len(notes(tmp_path / "notes")) == 5
    assert Counter(chat.batch_api.executed).most_common(1)[0][1] == 1


def test_a_batch_created_but_not_recorded_is_found_not_created_again(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    """The create reached the server but its answer was lost (as when the process
    dies between batches.create and the journal record)."""
    ids = arxiv_server.add_generated_papers(3)
    chat.batch_api.plan(BatchPlan(lose_create_reply=True))
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings)
    assert outcome.done
    assert len(chat.batch_api.batches) == 1
    assert len(chat.batch_api.executed) == 9


def test_a_429_on_create_is_waited_out(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    settings = settings_in(tmp_path, chat, arxiv_server)
    upload_then_429 = [Fault(), Fault(status=429)]
    chat.inject(*upload_then_429)
    outcome = run_api(ids, settings)
    assert outcome.done
    assert len(chat.batch_api.batches) == 1


def test_expired_and_partly_failed_batches_resend_only_the_missing_requests(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(6)
    chat.batch_api.plan(
        BatchPlan(end="expired", answer_lines=10, error_lines={0, 4}),  # 8 of 18 answered
        BatchPlan(error_lines={1}),  # one of the 10 re-sent fails again
    )
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings)
    assert outcome.done
    assert outcome.report is not None
    assert statuses(outcome.report) == ["drafted"] * 6
    assert [len(r) for r in outcome.created] == [1, 1, 1]
    batches = list(chat.batch_api.batches.values())
    assert [b.total for b in batches] == [18, 10, 1]
    # Each request answered exactly once; only failures were asked again.
    answered = Counter(chat.batch_api.executed)
    assert len(answered) == 18
    assert sum(answered.values()) == 10 + 10 + 1
    assert len(notes(tmp_path / "notes")) == 6


def test_a_request_that_keeps_failing_fails_its_paper_not_the_list(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    chat.batch_api.plan(*[BatchPlan(error_lines={0})] * 3)
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings)
    assert outcome.report is not None
    assert sorted(statuses(outcome.report)) == ["drafted", "failed"]
    assert not outcome.done
    assert len(chat.batch_api.batches) == 3


def test_a_batch_that_fails_validation_says_why_in_one_line(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(1)
    chat.batch_api.plan(BatchPlan(end="failed", errors="line 2: model not supported"))
    settings = settings_in(tmp_path, chat, arxiv_server)
    with pytest.raises(BatchApiError) as raised:
        run_api(ids, settings)
    message = str(raised.value)
    assert "line 2: model not supported" in message
    assert "\n" not in message


def test_cancel_stops_the_recorded_batches(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    settings = settings_in(tmp_path, chat, arxiv_server)
    run_api(ids, settings, ApiOptions(wait=False))
    states = batch_states(reading_list(ids), settings, BatchOptions(), cancel=True)
    assert [s.status for s in states] == ["cancelling"]
    again = batch_states(reading_list(ids), settings, BatchOptions())
    assert [s.status for s in again] == ["cancelled"]
    # The next run re-sends what the cancelled batch did not answer.
    outcome = run_api(ids, settings)
    assert outcome.done
    assert len(notes(tmp_path / "notes")) == 2


# --- costs --------------------------------------------------------------------------------


def test_a_budget_that_cannot_cover_a_round_stops_before_submitting_it(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(4)
    settings = settings_in(tmp_path, chat, arxiv_server)
    outcome = run_api(ids, settings, budget_usd=0.0001)
    assert outcome.report is not None
    assert outcome.report.budget_reached
    assert chat.batch_api.batches == {}
    assert chat.batch_api.files == {}
    assert outcome.round_cost_usd is not None
    assert outcome.round_cost_usd > 0.0001
    assert "would pass the budget" in outcome.report.outcomes[0].reason
    enough = run_api(ids, settings, budget_usd=1.0)
    assert enough.done


# --- vLLM run_batch: export, import -------------------------------------------------------


def test_exported_requests_answered_by_vllm_are_imported(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(3)
    settings = settings_in(tmp_path, chat, arxiv_server)
    requests = tmp_path / "requests.jsonl"
    run_api(ids, settings, ApiOptions(export_path=requests))
    results = tmp_path / "results.jsonl"
    results.write_bytes(vllm_results(chat, requests.read_bytes()))
    before = chat.request_count

    outcome = run_api(ids, settings, ApiOptions(import_path=results))
    assert outcome.done
    assert chat.request_count == before  # nothing sent to any server
    assert len(notes(tmp_path / "notes")) == 3


def test_importing_without_an_export_is_bad_input(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(1)
    results = tmp_path / "results.jsonl"
    results.write_text("", encoding="utf-8")
    with pytest.raises(BadInputError, match="export-requests"):
        run_api(ids, settings_in(tmp_path, chat, arxiv_server), ApiOptions(import_path=results))


def test_a_price_file_may_name_the_batch_price(tmp_path: Path) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[models]\n"m-half" = { input = 1.0, output = 4.0 }\n'
        '"m-own" = { input = 1.0, output = 4.0, batch_input = 0.8, batch_output = 3.0 }\n',
        encoding="utf-8",
    )
    table = load_price_table(prices)
    million = 1_000_000
    assert batch_cost_usd("m-half", million, million, table) == pytest.approx(2.5)
    assert batch_cost_usd("m-own", million, million, table) == pytest.approx(3.8)
    assert batch_cost_usd("unknown-model", 1, 1, table) is None


def test_finish_sync_sends_what_a_batch_left_unanswered_synchronously(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(3)
    chat.batch_api.plan(BatchPlan(end="expired", answer_lines=5))
    settings = settings_in(tmp_path, chat, arxiv_server)
    run_api(ids, settings, ApiOptions(wait=False))
    finished = run_api(ids, settings, ApiOptions(poll_seconds=0, finish_sync=True))
    assert finished.done
    assert len(chat.batch_api.batches) == 1
    assert len(chat.batch_api.executed) == 5
    assert chat_calls(chat) == 9 - 5  # only the expired requests, each once
    assert len(notes(tmp_path / "notes")) == 3
