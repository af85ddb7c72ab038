"""``summarize batch --batch-api``: a reading list drafted in rounds of batches.

A *round* runs the ordinary batch (:func:`summarizer.batch.run.run_batch`) with a
chat model whose transport answers from the batch results downloaded so far and
sets every other request aside (:mod:`summarizer.llm.deferred_transport`): the
papers whose calls are all answered are written, exactly as a synchronous run
writes them; the requests set aside become the next batch.  A call that needs an
earlier answer (a long paper's Comment after its map step, a re-ask) is made in
a later round by itself.

Crash safety, step by step, each recorded in the run journal before the next:

1. ``file``: the requests file (kept under ``<key>.requests/``) and its
   ``custom_id`` → paper and task map;
2. ``uploaded``: its file id;
3. ``batch``: the batch id, right after ``batches.create`` returns;
4. ``downloaded``: the batch's answers, kept under ``<key>.results/``.

A rerun picks up at the first missing step.  A ``file`` without its ``batch`` is
looked up by listing the batches (their metadata names the file) before one is
created, so a kill between the create and its record does not pay twice.
Answers go into the reply cache as the synchronous path's do, so a later run (or
a synchronous one) pays nothing for them either.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.batch.exchange import (
    export_requests,
    exported_waiting,
    import_results,
    journal_batches,
    keep_results,
    record_file,
    records,
)
from summarizer.batch.journal import RunJournal, journal_key
from summarizer.batch.requests_file import (
    MAX_FILE_BYTES,
    MAX_REQUESTS_PER_FILE,
    parse_results,
    write_requests,
)
from summarizer.batch.results_store import ResultStore
from summarizer.batch.round_cost import round_cost_usd
from summarizer.batch.run import BatchOptions, run_batch
from summarizer.drafting.prices import batch_cost_usd, load_price_table
from summarizer.errors import BatchApiError, ConfigError
from summarizer.llm.backend import backend_for

if TYPE_CHECKING:
    from summarizer.batch.batch_api import BatchService, BatchState
    from summarizer.batch.readinglist import ReadingList
    from summarizer.batch.report import BatchObserver, BatchReport, PaperOutcome
    from summarizer.llm.deferred_transport import DeferredRequest
    from summarizer.settings import Settings


@dataclass(frozen=True)
class ApiOptions:
    wait: bool = True
    finish_sync: bool = False
    export_path: Path | None = None
    import_path: Path | None = None
    poll_seconds: float = 30.0
    max_requests_per_file: int = MAX_REQUESTS_PER_FILE
    max_file_bytes: int = MAX_FILE_BYTES


@dataclass
class ApiOutcome:
    """Where the run stands: the last round's report and the batches of each round."""

    report: BatchReport | None = None
    created: list[list[str]] = field(default_factory=list)  # batch ids per round
    waiting: list[BatchState] = field(default_factory=list)  # left running (--no-wait)
    exported: Path | None = None
    exported_requests: int = 0
    round_cost_usd: float | None = None  # of the round stopped by the budget
    done: bool = False


Waiting = Callable[[list["BatchState"]], None]


def run_batch_api(
    reading_list: ReadingList,
    settings: Settings,
    options: BatchOptions,
    api: ApiOptions,
    *,
    observer: BatchObserver | None = None,
    stop: threading.Event | None = None,
    service: BatchService | None = None,
    on_wait: Waiting | None = None,
) -> ApiOutcome:
    """Run rounds until every paper is written, or the run must wait (``--no-wait``,
    an export), or the budget cannot cover the next round."""
    folder = options.out_dir or settings.notes_dir
    key = journal_key(folder, options.force, reading_list.entries)
    base = settings.home / "batch"
    with RunJournal.open(base, key, folder) as journal:
        rounds = _Rounds(reading_list, settings, options, api, journal, base / key)
        rounds.observer, rounds.stop = observer, stop or threading.Event()
        rounds.service, rounds.on_wait = service, on_wait
        return rounds.run()


class _Rounds:
    def __init__(
        self,
        reading_list: ReadingList,
        settings: Settings,
        options: BatchOptions,
        api: ApiOptions,
        journal: RunJournal,
        stem: Path,
    ) -> None:
        self.reading_list, self.settings, self.api, self.journal = (
            reading_list,
            settings,
            api,
            journal,
        )
        if backend_for(settings).in_process:
            raise ConfigError(
                "the Batch API needs an OpenAI(-compatible) server, not the embedded model: "
                "set OPENAI_API_KEY (or OPENAI_BASE_URL and --model for vLLM)"
            )
        self.budget = options.budget_usd
        # The budget is checked per round here, before a batch is paid for.
        self.options = replace(options, budget_usd=None)
        self.prices = load_price_table(settings.prices)
        if self.budget is not None and batch_cost_usd(settings.model, 0, 0, self.prices) is None:
            raise ConfigError(
                f"--budget-usd needs a price for {settings.model!r}: add it to a price file "
                "(SUMMARIZER_PRICES) or drop --budget-usd"
            )
        self.requests_dir = stem.with_name(stem.name + ".requests")
        self.store = ResultStore(stem.with_name(stem.name + ".results"))
        self.outcome = ApiOutcome()
        self.drafted: dict[tuple[int, str | None], PaperOutcome] = {}
        self.observer: BatchObserver | None = None
        self.stop = threading.Event()
        self.service: BatchService | None = None
        self.on_wait: Waiting | None = None

    # --- the loop -----------------------------------------------------------------------

    def run(self) -> ApiOutcome:
        if self.api.import_path is not None:
            import_results(self.journal, self.store, self.api.import_path)
        while not self.stop.is_set():
            self._submit_unsent()
            if not self._settle_batches():
                return self.outcome
            self.outcome.exported = exported_waiting(self.journal)
            if self.outcome.exported is not None:
                return self.outcome
            report, deferred = self._round()
            self.outcome.report = report
            if not deferred:
                self._finish(report)
                return self.outcome
            if not self._budget_covers(report, deferred):
                return self.outcome
            if self.api.export_path is not None:
                export_requests(self.journal, self.requests_dir, deferred, self.api.export_path)
                self.outcome.exported = self.api.export_path
                self.outcome.exported_requests = len(deferred)
                return self.outcome
            self._submit_round(deferred)
            if not self.api.wait:
                self._settle_batches()  # records what the batches are doing, no wait
                return self.outcome
        return self.outcome

    def _round(self) -> tuple[BatchReport, list[DeferredRequest]]:
        from summarizer.llm.deferred_transport import (
            DeferringTransport,
            deferring_http_client,
            sdk_http_transport,
        )
        from summarizer.llm.models import make_chat_model

        cache = None
        if self.settings.cache:
            from summarizer.llm.cache import SqliteReplyCache

            cache = SqliteReplyCache(self.settings.cache_dir / "replies.sqlite")
        sync = sdk_http_transport() if self.api.finish_sync else None
        transport = DeferringTransport(self.store.replies(), pass_through=sync)
        client = deferring_http_client(transport, self.settings.model_timeout)
        try:
            model = make_chat_model(self.settings, cache=cache, http_client=client)
            report = run_batch(
                self.reading_list,
                self.settings,
                self.options,
                observer=self.observer,
                stop=self.stop,
                chat_model=model,
                journal=self.journal,
            )
        finally:
            client.close()
            if cache is not None:
                cache.close()
        # A paper written by an earlier round of this run is reported as that round did.
        report.outcomes = [
            self.drafted.get((o.line, o.arxiv_id), o) if o.earlier_run else o
            for o in report.outcomes
        ]
        for outcome in report.outcomes:
            if outcome.status == "drafted":
                if not outcome.earlier_run:
                    self.drafted[(outcome.line, outcome.arxiv_id)] = outcome
                outcome.cost_usd = batch_cost_usd(
                    self.settings.model, outcome.input_tokens, outcome.output_tokens, self.prices
                )
        return report, transport.deferred

    def _budget_covers(self, report: BatchReport, deferred: list[DeferredRequest]) -> bool:
        cost = round_cost_usd(deferred, self.settings.model, self.prices)
        self.outcome.round_cost_usd = cost
        if self.budget is None or cost is None:
            return True
        spent = report.totals()["cost_usd"] or 0.0
        if spent + cost <= self.budget:
            return True
        report.budget_reached = True
        for outcome in report.outcomes:
            if outcome.status == "not_started":
                outcome.reason = (
                    f"not submitted: the next round (~${cost:.4f} at the batch price) "
                    f"would pass the budget of ${self.budget}"
                )
        return False

    def _finish(self, report: BatchReport) -> None:
        failed = any(o.status == "failed" and o.arxiv_id for o in report.outcomes)
        self.outcome.done = not (failed or report.interrupted)
        if self.outcome.done:
            self.journal.finish()
            for directory in (self.requests_dir, self.store.directory):
                shutil.rmtree(directory, ignore_errors=True)

    # --- submitting ---------------------------------------------------------------------

    def _submit_round(self, deferred: list[DeferredRequest]) -> None:
        files = write_requests(
            deferred,
            self.requests_dir,
            max_requests=self.api.max_requests_per_file,
            max_bytes=self.api.max_file_bytes,
        )
        created: list[str] = []
        for requests_file in files:
            key = record_file(self.journal, requests_file, deferred)
            created.append(self._submit(key, requests_file.path, resume=False))
        self.outcome.created.append(created)

    def _submit_unsent(self) -> None:
        """Files a killed run recorded but did not see created (and not exported)."""
        sent = {r["key"] for r in records(self.journal, "batch")} | {
            r["key"] for r in records(self.journal, "exported")
        }
        resumed = [
            self._submit(str(r["key"]), Path(str(r["path"])), resume=True)
            for r in records(self.journal, "file")
            if r["key"] not in sent
        ]
        if resumed:
            self.outcome.created.append(resumed)

    def _submit(self, key: str, path: Path, *, resume: bool) -> str:
        service = self._service()
        if resume:
            found = service.find(key)
            if found is not None:
                self.journal.add({"kind": "batch", "key": key, "batch_id": found.id})
                return found.id
        uploaded = [r for r in records(self.journal, "uploaded") if r["key"] == key]
        if uploaded:
            file_id = str(uploaded[-1]["file_id"])
        else:
            file_id = service.upload(path)
            self.journal.add({"kind": "uploaded", "key": key, "file_id": file_id})
        batch = service.create(file_id, key)
        self.journal.add({"kind": "batch", "key": key, "batch_id": batch.id})
        return batch.id

    def _service(self) -> BatchService:
        if self.service is None:
            from summarizer.batch.batch_api import BatchService

            self.service = BatchService(self.settings)
        return self.service

    # --- waiting and downloading --------------------------------------------------------

    def _settle_batches(self) -> bool:
        """Download every finished batch; wait for the others unless ``--no-wait``.
        False when the run stops here (a batch still running, or stopped)."""
        downloaded = {r["batch_id"] for r in records(self.journal, "downloaded")}
        pending = [b for b in journal_batches(self.journal.records) if b not in downloaded]
        while pending:
            states = [self._service().retrieve(batch_id) for batch_id in pending]
            if self.on_wait is not None:
                self.on_wait(states)
            for state in states:
                if state.done:
                    self._download(state)
            pending = [state.id for state in states if not state.done]
            if pending and (not self.api.wait or self.stop.is_set()):
                self.outcome.waiting = [s for s in states if not s.done]
                return False
            if pending:
                self.stop.wait(self.api.poll_seconds)  # Ctrl-C ends the wait at once
        return True

    def _download(self, state: BatchState) -> None:
        service = self._service()
        results = []
        for file_id in (state.output_file_id, state.error_file_id):
            if file_id:
                results += parse_results(service.download(file_id), f"batch {state.id} file")
        key = next(
            str(r["key"]) for r in records(self.journal, "batch") if r["batch_id"] == state.id
        )
        keep_results(self.journal, self.store, state.id, results, key)
        self.journal.add({"kind": "downloaded", "batch_id": state.id, "status": state.status})
        if state.status == "failed" and state.errors:
            raise BatchApiError(
                f"rejected batch {state.id}",
                state.errors,
                "see docs/batch.md for the request limits",
            )
