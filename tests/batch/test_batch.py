"""`summarize batch`: bulk metadata, concurrency gate, resume, report, exit codes.

The library runs in-process against the fake servers; the CLI, Ctrl-C and SIGKILL
run `python -m summarizer batch` in a real subprocess.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from summarizer.batch.journal import STALE_TEMP_SECONDS, RunJournal, remove_stale_temp_files
from summarizer.batch.readinglist import ReadingList, parse_reading_list
from summarizer.batch.report import BatchReport, PaperOutcome
from summarizer.batch.run import DEFAULT_CONCURRENCY, BatchOptions, run_batch
from summarizer.errors import (
    ArxivUnavailableError,
    BatchBusyError,
    ConfigError,
    PaperNotFoundError,
)
from summarizer.llm.gate import ModelGate
from summarizer.notes.note import NoteState, note_state
from summarizer.papers.arxiv import EMPTY_FEED_ATTEMPTS, ArxivClient
from summarizer.papers.metadata_cache import MetadataCache
from summarizer.papers.paper import Paper
from summarizer.papers.refs import PaperRef
from summarizer.settings import Settings
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_server import FakeChatServer, message_text
from tests.fakes.product import default_product_script
from tests.fakes.server import Fault, RecordedRequest
from tests.pdfs import paper_pdf

# --- helpers --------------------------------------------------------------------------


def make_settings(
    tmp_path: Path, chat: FakeChatServer, arxiv: FakeArxivServer, **extra: object
) -> Settings:
    values: dict[str, object] = {
        "home": tmp_path / "home",
        "notes_dir": tmp_path / "notes",
        "base_url": chat.base_url,
        "arxiv_api_url": arxiv.api_url,
        "arxiv_pdf_url": f"{arxiv.url}/pdf/",
        "arxiv_interval": 0,
        "model_timeout": 10,
        "http_timeout": 5,
        "full_text": False,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def reading_list(ids: list[str]) -> ReadingList:
    return parse_reading_list("\n".join(ids) + "\n", "text", "list.txt")


def statuses(report: BatchReport) -> list[str]:
    return [outcome.status for outcome in report.outcomes]


def paper_numbers(requests: list[RecordedRequest]) -> set[int]:
    """Which generated papers ("Generated Paper N: …") the model was asked about."""
    numbers = set()
    for request in requests:
        if isinstance(request.json, dict) and "messages" in request.json:
            text = message_text(request.json["messages"])
            numbers.update(int(n) for n in re.findall(r"Generated Paper (\d+):", text))
    return numbers


def note_number(path: Path) -> int:
    return int(path.stem.split(".")[1])


class StopAfterFirst:
    """An observer that asks the batch to stop once the first paper is drafted."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.messages: list[str] = []

    def begin(self, total: int) -> None:
        pass

    def started(self, entry: object) -> None:
        pass

    def finished(self, outcome: PaperOutcome) -> None:
        if outcome.status == "drafted":
            self.stop.set()

    def message(self, text: str) -> None:
        self.messages.append(text)


@pytest.fixture
def chat(chat_server: FakeChatServer) -> FakeChatServer:
    default_product_script(chat_server)
    return chat_server


# --- bulk metadata ----------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def arxiv_client(server: FakeArxivServer, tmp_path: Path | None = None) -> ArxivClient:
    clock = FakeClock()
    return ArxivClient(
        server.api_url,
        min_interval=3.0,
        timeout=2.0,
        cache=MetadataCache(tmp_path / "cache") if tmp_path else None,
        sleep=clock.sleep,
        clock=clock.time,
    )


def api_requests(server: FakeArxivServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == "/api/query"]


def test_metadata_for_many_papers_comes_in_few_requests_and_fills_the_cache(
    arxiv_server: FakeArxivServer, tmp_path: Path
) -> None:
    ids = arxiv_server.add_generated_papers(7)
    refs = [PaperRef(i) for i in ids]
    with arxiv_client(arxiv_server, tmp_path) as client:
        papers = client.fetch_many(refs, batch_size=3)
        assert len(api_requests(arxiv_server)) == 3  # 3 + 3 + 1 IDs
        assert [len(r.param("id_list", "").split(",")) for r in api_requests(arxiv_server)] == [
            3,
            3,
            1,
        ]
        assert all(isinstance(papers[ref], Paper) for ref in refs)
        assert papers[refs[4]].title.startswith("Generated Paper 5:")
        again = client.fetch_many(refs)
    assert len(api_requests(arxiv_server)) == 3  # all from the cache now
    assert again == papers


def test_a_pinned_version_is_fetched_as_that_version(arxiv_server: FakeArxivServer) -> None:
    with arxiv_client(arxiv_server) as client:
        papers = client.fetch_many([PaperRef("2506.12345", 2), PaperRef("1412.6980")])
    assert papers[PaperRef("2506.12345", 2)].version == 2  # type: ignore[union-attr]
    assert len(api_requests(arxiv_server)) == 1


def test_an_unknown_paper_fails_alone(arxiv_server: FakeArxivServer) -> None:
    known = arxiv_server.add_generated_papers(2)
    refs = [PaperRef(known[0]), PaperRef("2507.09999"), PaperRef(known[1])]
    with arxiv_client(arxiv_server) as client:
        papers = client.fetch_many(refs)
    assert isinstance(papers[refs[1]], PaperNotFoundError)
    assert isinstance(papers[refs[0]], Paper)
    assert isinstance(papers[refs[2]], Paper)
    assert len(api_requests(arxiv_server)) == 1


def test_a_batch_of_only_unknown_papers_retries_the_empty_feed_then_gives_up(
    arxiv_server: FakeArxivServer,
) -> None:
    refs = [PaperRef("2507.09998"), PaperRef("2507.09999")]
    with arxiv_client(arxiv_server) as client:
        papers = client.fetch_many(refs)
    assert all(isinstance(papers[ref], PaperNotFoundError) for ref in refs)
    assert len(api_requests(arxiv_server)) == EMPTY_FEED_ATTEMPTS


def test_a_rejected_batch_query_is_asked_again_paper_by_paper(
    arxiv_server: FakeArxivServer,
) -> None:
    ids = arxiv_server.add_generated_papers(3)
    arxiv_server.inject(Fault(status=400))
    with arxiv_client(arxiv_server) as client:
        papers = client.fetch_many([PaperRef(i) for i in ids])
    assert all(isinstance(paper, Paper) for paper in papers.values())
    assert [r.param("id_list") for r in api_requests(arxiv_server)][1:] == ids


def test_arxiv_down_fails_every_paper_of_the_batch(arxiv_server: FakeArxivServer) -> None:
    ids = arxiv_server.add_generated_papers(2)
    arxiv_server.inject(*[Fault(status=503)] * 4)
    with arxiv_client(arxiv_server) as client:
        papers = client.fetch_many([PaperRef(i) for i in ids])
    assert all(isinstance(error, ArxivUnavailableError) for error in papers.values())


# --- the gate -------------------------------------------------------------------------


def test_a_429_halves_the_concurrency_and_successes_restore_it() -> None:
    clock = FakeClock()
    gate = ModelGate(4, clock=clock.time)
    gate.acquire()
    gate.release(rate_limited_for=5.0)
    assert (gate.limit, gate.rate_limited) == (2, 1)
    assert gate.paused_for() == 5.0
    clock.now += 5.0
    assert gate.paused_for() == 0.0
    for _ in range(2 + 3):  # `limit` successes raise the limit by one
        gate.acquire()
        gate.release()
    assert gate.limit == 4
    assert gate.in_flight == 0


def test_the_gate_admits_no_more_than_its_limit() -> None:
    gate = ModelGate(1)
    gate.acquire()
    waiter = threading.Thread(target=gate.acquire, daemon=True)
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()  # blocked while the only slot is taken
    gate.release()
    waiter.join(5)
    assert not waiter.is_alive()
    assert gate.in_flight == 1


def test_a_429_pauses_every_model_call_for_its_retry_after(
    tmp_path: Path, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    with FakeChatServer(latency=0.5) as slow_chat:
        default_product_script(slow_chat)
        slow_chat.inject(Fault(status=429, retry_after=1.5))
        settings = make_settings(tmp_path, slow_chat, arxiv_server)
        report = run_batch(reading_list(ids), settings, BatchOptions(concurrency=2))
        requests = slow_chat.requests
    assert statuses(report) == ["drafted", "drafted"]  # slowed down, not failed
    assert report.rate_limited == 1
    assert len(requests) == 2 * 3 + 1  # the rate-limited call was sent again
    limited = requests[0]  # the first request to arrive took the fault
    # Every call started after the 429 came back waited for the pause, whichever
    # worker or paper it belonged to (requests[1] was already on its way).
    assert all(r.time >= limited.time + 1.5 for r in requests[2:])


# --- drafting -------------------------------------------------------------------------


def test_a_batch_drafts_every_paper_with_concurrent_calls(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(5)
    settings = make_settings(tmp_path, chat, arxiv_server)
    report = run_batch(reading_list(ids), settings, BatchOptions(concurrency=4))
    assert statuses(report) == ["drafted"] * 5
    assert [o.line for o in report.outcomes] == [1, 2, 3, 4, 5]
    assert all(note_state(Path(o.path or "")) is NoteState.DRAFT for o in report.outcomes)
    assert len(api_requests(arxiv_server)) == 1  # one id_list request for all five
    assert len(chat.requests) == 5 * 3  # translation, summary, tags
    totals = report.totals()
    assert totals["calls"] == 15
    assert totals["input_tokens"] > 0
    assert totals["cost_usd"] == pytest.approx(
        (totals["input_tokens"] * 0.15 + totals["output_tokens"] * 0.60) / 1e6, abs=1e-6
    )


def test_full_text_papers_get_their_pdf_and_a_comment(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(3, pdf=paper_pdf())
    settings = make_settings(tmp_path, chat, arxiv_server, full_text=True)
    report = run_batch(reading_list(ids), settings, BatchOptions(concurrency=3))
    assert statuses(report) == ["drafted"] * 3
    assert [o.calls for o in report.outcomes] == [4, 4, 4]  # + the Comment
    note = (tmp_path / "notes" / f"{ids[0]}.md").read_text(encoding="utf-8")
    assert "## 概要" in note
    pdf_requests = [r for r in arxiv_server.requests if r.path.startswith("/pdf/")]
    assert (len(api_requests(arxiv_server)), len(pdf_requests)) == (1, 3)


def test_one_failing_paper_does_not_stop_the_others(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    chat.inject(Fault(status=401))  # the first paper's first call
    settings = make_settings(tmp_path, chat, arxiv_server)
    report = run_batch(reading_list(ids), settings, BatchOptions(concurrency=1))
    assert statuses(report) == ["failed", "drafted"]
    assert "rejected the API key" in report.outcomes[0].reason
    assert not (tmp_path / "notes" / f"{ids[0]}.md").exists()


def test_existing_notes_are_skipped_and_reviewed_ones_never_touched(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(3)
    settings = make_settings(tmp_path, chat, arxiv_server)
    run_batch(reading_list(ids[:2]), settings, BatchOptions())
    reviewed = tmp_path / "notes" / f"{ids[0]}.md"
    reviewed.write_text(
        reviewed.read_text(encoding="utf-8").replace("status: draft", "status: reviewed"),
        encoding="utf-8",
    )
    before = reviewed.read_bytes()
    asked = len(chat.requests)

    again = run_batch(reading_list(ids), settings, BatchOptions())
    assert statuses(again) == ["skipped", "skipped", "drafted"]
    assert "already exists" in again.outcomes[1].reason
    assert len(chat.requests) == asked + 3  # only the new paper

    forced = run_batch(reading_list(ids), settings, BatchOptions(force=True))
    assert statuses(forced) == ["skipped", "drafted", "drafted"]
    assert "is reviewed; it is never overwritten" in forced.outcomes[0].reason
    assert reviewed.read_bytes() == before


def test_a_redraft_reuses_the_replies_cached_before(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(2)
    settings = make_settings(tmp_path, chat, arxiv_server)
    run_batch(reading_list(ids), settings, BatchOptions())
    asked = len(chat.requests)
    (tmp_path / "notes" / f"{ids[1]}.md").unlink()
    report = run_batch(reading_list(ids), settings, BatchOptions())
    assert statuses(report) == ["skipped", "drafted"]
    assert len(chat.requests) == asked  # every reply came from the cache


def test_a_stopped_forced_batch_resumes_without_drafting_anything_twice(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(4)
    settings = make_settings(tmp_path, chat, arxiv_server, cache=False)
    options = BatchOptions(force=True, concurrency=1)
    stop = threading.Event()
    observer = StopAfterFirst(stop)
    first = run_batch(reading_list(ids), settings, options, observer=observer, stop=stop)
    assert statuses(first) == ["drafted", "not_started", "not_started", "not_started"]
    assert first.interrupted
    assert any(m.startswith("stopping: finishing") for m in observer.messages)
    kept = (tmp_path / "notes" / f"{ids[0]}.md").read_bytes()

    # --force again, as the same command: the note of the stopped run is its own.
    second = run_batch(reading_list(ids), settings, options)
    assert statuses(second) == ["drafted"] * 4
    assert [o.earlier_run for o in second.outcomes] == [True, False, False, False]
    assert second.outcomes[0].calls == 3
    assert second.outcomes[0].cost_usd
    assert (tmp_path / "notes" / f"{ids[0]}.md").read_bytes() == kept
    assert len(chat.requests) == 4 * 3

    # That batch is complete: the next --force run redrafts everything.
    third = run_batch(reading_list(ids), settings, options)
    assert [o.earlier_run for o in third.outcomes] == [False] * 4
    assert len(chat.requests) == 8 * 3


def test_budget_stops_starting_papers_once_the_estimate_reaches_it(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    ids = arxiv_server.add_generated_papers(5)
    settings = make_settings(tmp_path, chat, arxiv_server)
    # Until one paper's cost is known, papers go one at a time, whatever the concurrency.
    options = BatchOptions(concurrency=4, budget_usd=0.000001)
    report = run_batch(reading_list(ids), settings, options)
    assert statuses(report) == ["drafted"] + ["not_started"] * 4
    assert report.budget_reached
    assert not report.interrupted
    assert "budget of $1e-06 was reached" in report.outcomes[1].reason
    assert len(chat.requests) == 3

    # Rerun with a larger budget: the rest is drafted, the first counted as before.
    enough = run_batch(reading_list(ids), settings, BatchOptions(budget_usd=5.0))
    assert statuses(enough) == ["drafted"] * 5
    assert [o.earlier_run for o in enough.outcomes] == [True] + [False] * 4
    assert not enough.budget_reached


def test_budget_needs_a_price_for_the_model(
    tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    settings = make_settings(tmp_path, chat, arxiv_server, model="my-own-model")
    with pytest.raises(ConfigError, match="needs a price for 'my-own-model'"):
        run_batch(reading_list(["2506.12345"]), settings, BatchOptions(budget_usd=1.0))


def test_the_same_batch_cannot_run_twice_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    with (
        RunJournal.open(tmp_path / "batch", "key", folder),
        pytest.raises(BatchBusyError, match="another 'summarize batch'"),
    ):
        RunJournal.open(tmp_path / "batch", "key", folder)
    with RunJournal.open(tmp_path / "batch", "key", folder):  # free again once closed
        pass


def test_a_journal_line_cut_by_a_crash_is_ignored(tmp_path: Path) -> None:
    note = tmp_path / "2507.00001.md"
    with RunJournal.open(tmp_path / "batch", "key", tmp_path) as journal:
        journal.record(note, "the note")
    journal_file = tmp_path / "batch" / "key.jsonl"
    with journal_file.open("a", encoding="utf-8") as handle:
        handle.write('{"path": "/somewhere/2507.00002.md", "sha2')  # killed mid-write
    note.write_text("the note", encoding="utf-8")
    with RunJournal.open(tmp_path / "batch", "key", tmp_path) as journal:
        assert journal.wrote(note)
        journal.record(tmp_path / "2507.00003.md", "another")
    records = journal_file.read_text(encoding="utf-8").splitlines()
    assert json.loads(records[-1])["path"].endswith("2507.00003.md")


def test_stale_temporary_files_of_a_killed_write_are_removed(tmp_path: Path) -> None:
    old = tmp_path / ".2507.00001.md.k3j2.tmp"
    fresh = tmp_path / ".2507.00002.md.a8b1.tmp"
    other = tmp_path / ".2507.00003.md.zz99.tmp"
    for path in (old, fresh, other):
        path.write_text("half a note", encoding="utf-8")
    long_ago = time.time() - STALE_TEMP_SECONDS - 5
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert remove_stale_temp_files(tmp_path, ["2507.00001", "2507.00002"]) == 1
    assert not old.exists()
    assert fresh.exists()
    assert other.exists()


# --- the command, in a subprocess -------------------------------------------------------


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@dataclass
class Env:
    tmp: Path
    notes: Path
    chat: FakeChatServer
    arxiv: FakeArxivServer
    variables: dict[str, str]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "summarizer", "batch", *args]

    def run(self, *args: str, stdin: str | None = None) -> Run:
        done = subprocess.run(
            self.command(*args),
            env=self.variables,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.variables,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def list_file(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def notes_written(self) -> list[Path]:
        return sorted(self.notes.glob("*.md")) if self.notes.exists() else []


@pytest.fixture
def env(tmp_path: Path, chat: FakeChatServer, arxiv_server: FakeArxivServer) -> Env:
    variables = {
        **clean_environment(),
        **server_variables(chat, arxiv_server),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
        "SUMMARIZER_MODEL_TIMEOUT": "10",
        "SUMMARIZER_HTTP_TIMEOUT": "5",
    }
    return Env(tmp_path, tmp_path / "notes", chat, arxiv_server, variables)


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the batch ended first: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.mark.slow
def test_report_and_exit_code_1_when_a_paper_or_a_line_fails(env: Env) -> None:
    ids = env.arxiv.add_generated_papers(2)
    listing = env.list_file(
        "list.txt",
        f"# to read\n{ids[0]}\nnot a paper\nhttps://arxiv.org/abs/{ids[0]}v1\n"
        f"2507.09999\n{ids[1]}\n",
    )
    report_path = env.tmp / "report.json"
    run = env.run(str(listing), "--abstract-only", "--report", str(report_path))
    assert run.code == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "summarize: error: 2 of 4 paper(s) failed (reasons in the report above); fix the list for 2"
    )
    assert "Traceback" not in run.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    papers = {paper["line"]: paper for paper in report["papers"]}
    assert {line: paper["status"] for line, paper in papers.items()} == {
        2: "drafted",
        3: "failed",
        5: "failed",
        6: "drafted",
    }
    assert papers[2]["duplicate_lines"] == [4]
    assert "not an arXiv reference" in papers[3]["reason"]
    assert "arXiv has no paper 2507.09999" in papers[5]["reason"]
    assert papers[2]["path"] == str(env.notes / f"{ids[0]}.md")
    assert report["totals"]["drafted"] == 2
    assert report["totals"]["failed"] == 2
    assert report["totals"]["input_tokens"] > 0
    assert report["totals"]["cost_usd"] > 0
    # The same report as a table on stdout; progress as plain lines (not a terminal).
    assert "drafted 2 · skipped 0 · failed 2" in run.stdout
    assert "arXiv has no paper 2507.09999" in run.stdout
    assert re.search(r"^\d\d:\d\d:\d\d \[\d/4\] drafted  2507\.00001", run.stderr, re.M)


@pytest.mark.slow
def test_exit_code_0_when_every_paper_is_drafted_or_skipped(env: Env) -> None:
    ids = env.arxiv.add_generated_papers(2)
    bibtex = "".join(f"@misc{{p{i}, eprint = {{{i}}}, archivePrefix = {{arXiv}}}}\n" for i in ids)
    bibtex += "@book{offline, title = {Not on arXiv}}\n"
    listing = env.list_file("refs.bib", bibtex)
    first = env.run(str(listing), "--abstract-only", "--quiet")
    assert (first.code, first.stderr) == (0, "")  # --quiet: no progress at all
    assert "drafted 2 · skipped 1 · failed 0" in first.stdout
    assert "no arXiv eprint, doi or url" in first.stdout
    again = env.run(str(listing), "--abstract-only")
    assert again.code == 0
    assert "drafted 0 · skipped 3 · failed 0" in again.stdout


@pytest.mark.slow
def test_a_markdown_list_from_stdin_and_a_budget(env: Env) -> None:
    ids = env.arxiv.add_generated_papers(3)
    markdown = "\n".join(f"- [paper](https://arxiv.org/abs/{i})" for i in ids) + "\n"
    report_path = env.tmp / "report.json"
    run = env.run(
        "-", "--abstract-only", "--budget-usd", "0.000001", "--report", str(report_path),
        stdin=markdown,
    )  # fmt: skip
    assert run.code == 0, run.stderr  # papers left for the budget are not failures
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert (report["list"], report["format"]) == ("<stdin>", "markdown")
    assert [p["status"] for p in report["papers"]] == ["drafted", "not_started", "not_started"]
    assert report["budget_reached"] is True


@pytest.mark.slow
def test_an_empty_list_is_bad_input(env: Env) -> None:
    listing = env.list_file("empty.md", "# Nothing to read yet\n")
    run = env.run(str(listing))
    assert run.code == 2
    assert run.stderr.strip() == f"summarize: error: found no arXiv reference in {listing}"


@pytest.mark.slow
def test_a_batch_killed_with_sigkill_is_finished_by_rerunning_it(env: Env) -> None:
    count = 10
    ids = env.arxiv.add_generated_papers(count)
    env.chat.latency = 0.3
    listing = env.list_file("list.txt", "\n".join(ids) + "\n")
    args = (str(listing), "--abstract-only", "--concurrency", "2")
    process = env.start(*args)
    wait_until(lambda: len(env.notes_written()) >= 2, process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    written = {path: path.read_bytes() for path in env.notes_written()}
    assert 2 <= len(written) < count  # killed mid-batch
    # No partial file: every note on disk is whole (its fingerprint checks out).
    assert all(note_state(path) is NoteState.DRAFT for path in written)
    asked_first = len(env.chat.requests)

    report_path = env.tmp / "report.json"
    run = env.run(*args, "--report", str(report_path))
    assert run.code == 0, run.stderr
    notes = env.notes_written()
    assert [path.stem for path in notes] == ids  # no paper lost
    assert all(note_state(path) is NoteState.DRAFT for path in notes)
    assert all(path.read_bytes() == data for path, data in written.items())
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert {p["arxiv_id"] for p in report["papers"] if p["earlier_run"]} == {
        path.stem for path in written
    }
    assert report["totals"]["drafted"] == count
    # None drafted twice: the rerun asked the model nothing about the papers already
    # drafted, and at most the three calls of each remaining paper (fewer when the
    # killed run's replies were cached).
    rerun_requests = env.chat.requests[asked_first:]
    assert paper_numbers(rerun_requests).isdisjoint(note_number(p) for p in written)
    assert len(rerun_requests) <= 3 * (count - len(written))


@pytest.mark.slow
def test_ctrl_c_stops_after_the_papers_in_flight_are_written(env: Env) -> None:
    count = 10
    ids = env.arxiv.add_generated_papers(count)
    env.chat.latency = 0.4
    listing = env.list_file("list.txt", "\n".join(ids) + "\n")
    report_path = env.tmp / "report.json"
    args = (str(listing), "--abstract-only", "--concurrency", "2")
    process = env.start(*args, "--report", str(report_path))
    wait_until(lambda: len(env.notes_written()) >= 1, process)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert "stopping: finishing" in stderr
    assert "rerun the same command to finish them" in stderr.strip().splitlines()[-1]
    assert "Traceback" not in stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["interrupted"] is True
    assert report["totals"]["not_started"] > 0
    # Every paper the model was asked about was finished and written.
    notes = env.notes_written()
    assert {note_number(path) for path in notes} == paper_numbers(env.chat.requests)
    assert all(note_state(path) is NoteState.DRAFT for path in notes)

    run = env.run(*args)
    assert run.code == 0, run.stderr
    assert [path.stem for path in env.notes_written()] == ids


def test_the_cli_default_concurrency_is_the_library_default() -> None:
    from summarizer.cli.batch import batch

    option = next(p for p in batch.params if p.name == "concurrency")
    assert option.default == DEFAULT_CONCURRENCY
