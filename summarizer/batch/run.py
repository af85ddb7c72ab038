"""``summarize batch``: draft every paper of a reading list, concurrently and resumably.

1. Each paper's note is looked at first: an existing note is skipped (an untouched
   draft is redrafted with ``force``; an edited or reviewed note never is).
2. The metadata of all the papers to draft comes in as few arXiv requests as
   possible (:meth:`ArxivClient.fetch_many`), still one request per interval.
3. Workers draft the papers with one shared :class:`~summarizer.drafting.pipeline.Drafter`;
   every model request passes one :class:`~summarizer.papers.ratelimit.ModelGate`: at most
   ``concurrency`` in flight, and a 429 pauses them all for its ``Retry-After``.
4. Notes are written atomically, so the notes on disk are the state: a run killed
   at any moment leaves whole notes or none, and a rerun skips the notes it finds.
   Model replies are cached on disk, so calls paid before a crash are not paid again.
5. The run journal (:mod:`summarizer.batch.journal`) records each note just before
   it is written, so a rerun of an unfinished batch recognises the notes the
   earlier run wrote: with ``force`` they are not drafted twice, and the report
   lists them as drafted, with their tokens and cost.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.batch.journal import RunJournal, journal_key, remove_stale_temp_files
from summarizer.batch.readinglist import ListEntry, ReadingList
from summarizer.batch.report import BatchObserver, BatchReport, PaperOutcome, SilentObserver, Status
from summarizer.drafting.prices import cost_usd, load_price_table
from summarizer.errors import EXIT_BAD_INPUT, ConfigError, NoteExistsError, SummarizerError
from summarizer.llm.backend import backend_for
from summarizer.llm.deferred_transport import RequestsDeferred, requests_for
from summarizer.notes.index import draft_signals
from summarizer.notes.note import check_folders_writable, ensure_writable, read_note
from summarizer.papers.arxiv import ID_LIST_BATCH
from summarizer.papers.sources import ArxivSource

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.drafting.pipeline import Drafter
    from summarizer.papers.paper import Paper
    from summarizer.settings import Settings

log = logging.getLogger(__name__)

# Model requests in flight.  OpenAI's lowest paid tier allows 500 requests and
# 200k tokens a minute for gpt-4o-mini; 8 calls of 5-20 s each stay well inside
# both while still drafting about 8 papers a minute.
DEFAULT_CONCURRENCY = 8
_POLL_SECONDS = 0.25
# The reason of a paper whose model requests went into a batch (Batch API rounds).
WAITING_FOR_BATCH = "waiting for the answers of a batch"


@dataclass(frozen=True)
class BatchOptions:
    out_dir: Path | None = None
    force: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    budget_usd: float | None = None


def run_batch(
    reading_list: ReadingList,
    settings: Settings,
    options: BatchOptions,
    *,
    observer: BatchObserver | None = None,
    stop: threading.Event | None = None,
    chat_model: BaseChatModel | None = None,
    journal: RunJournal | None = None,
) -> BatchReport:
    """Draft every paper of ``reading_list``; never raises for one paper's failure.

    Setting ``stop`` stops starting papers; those in flight are still written.
    A ``journal`` passed in is the caller's to finish (a Batch API round: a paper
    whose requests wait for a batch is ``not_started``, see :mod:`summarizer.batch.rounds`).
    """
    began = time.monotonic()
    run = _Run(reading_list, settings, options, observer or SilentObserver(), stop)
    try:
        run.execute(chat_model, journal)
    finally:
        # In list order: by line, then (several papers on one line) as they appear.
        order = {entry.ref.arxiv_id: index for index, entry in enumerate(reading_list.entries)}
        run.report.outcomes.sort(key=lambda o: (o.line, order.get(o.arxiv_id or "", -1)))
        run.report.seconds = time.monotonic() - began
    return run.report


class _Run:
    def __init__(
        self,
        reading_list: ReadingList,
        settings: Settings,
        options: BatchOptions,
        observer: BatchObserver,
        stop: threading.Event | None,
    ) -> None:
        self.entries = reading_list.entries
        self.settings = settings
        self.options = options
        self.observer = observer
        self.stop = stop or threading.Event()
        self.folder = options.out_dir or settings.notes_dir
        self.prices = load_price_table(settings.prices)
        self.backend = backend_for(settings)
        self.model = self.backend.model_name(settings)
        if options.budget_usd is not None and self.cost(0, 0) is None:
            raise ConfigError(
                f"--budget-usd needs a price for {settings.model!r}: add it to a price file "
                "(SUMMARIZER_PRICES) or drop --budget-usd"
            )
        self.report = BatchReport(
            reading_list.source,
            reading_list.format,
            self.model,
            budget_usd=options.budget_usd,
            prices_recorded=self.prices.recorded,
        )
        self._lock = threading.Lock()
        for problem in reading_list.invalid:
            self.report.outcomes.append(
                PaperOutcome(problem.line, problem.text, None, "failed", problem.reason)
            )
        for problem in reading_list.ignored:
            self.report.outcomes.append(
                PaperOutcome(problem.line, problem.text, None, "skipped", problem.reason)
            )

    def cost(self, input_tokens: int, output_tokens: int) -> float | None:
        return cost_usd(self.backend, self.settings.model, input_tokens, output_tokens, self.prices)

    def finish(self, outcome: PaperOutcome) -> None:
        with self._lock:
            self.report.outcomes.append(outcome)
        self.observer.finished(outcome)

    def execute(self, chat_model: BaseChatModel | None, given: RunJournal | None = None) -> None:
        # Once for the whole list, before any paid call (not once per paper, failing).
        check_folders_writable(self.folder, self.settings.home)
        key = journal_key(self.folder, self.options.force, self.entries)
        opened = (
            contextlib.nullcontext(given)
            if given is not None
            else RunJournal.open(self.settings.home / "batch", key, self.folder)
        )
        with opened as journal:
            todo = []
            decided = []
            for entry in self.entries:
                outcome = self._look_at_note(entry, journal)
                if outcome is None:
                    todo.append(entry)
                else:
                    decided.append(outcome)
            self.observer.begin(len(self.report.outcomes) + len(self.entries))
            for outcome in self.report.outcomes:
                self.observer.finished(outcome)
            for outcome in decided:
                self.finish(outcome)
            if todo:
                remove_stale_temp_files(self.folder, [entry.ref.safe_name for entry in todo])
                self._draft_all(todo, journal, chat_model)
            # A bad line of the list is not unfinished work; a paper that failed is.
            failed = any(o.status == "failed" and o.arxiv_id for o in self.report.outcomes)
            done = not (self.report.interrupted or self.report.budget_reached or failed)
            if done and given is None:
                journal.finish()

    def _look_at_note(self, entry: ListEntry, journal: RunJournal) -> PaperOutcome | None:
        """The outcome when the note settles it (drafted earlier, or not to touch)."""
        path = self.folder / f"{entry.ref.safe_name}.md"
        outcome = PaperOutcome(
            entry.line,
            entry.text,
            entry.ref.arxiv_id,
            "skipped",
            path=str(path),
            duplicate_lines=list(entry.duplicate_lines),
        )
        if journal.wrote(path):
            return self._drafted_earlier(outcome, path)
        try:
            ensure_writable(path, force=self.options.force)
        except NoteExistsError as error:
            outcome.reason = f"the note {error.reason}"
            return outcome
        return None

    def _drafted_earlier(self, outcome: PaperOutcome, path: Path) -> PaperOutcome:
        note = read_note(path)
        usage = note.meta.usage.get("total", {})
        outcome.status, outcome.earlier_run = "drafted", True
        outcome.reason = "drafted by an earlier, unfinished run of this batch"
        outcome.title = note.meta.title
        outcome.input_tokens = int(usage.get("input_tokens", 0))
        outcome.output_tokens = int(usage.get("output_tokens", 0))
        outcome.calls = int(usage.get("calls", 0))
        outcome.cost_usd = self.cost(outcome.input_tokens, outcome.output_tokens)
        outcome.warnings = draft_signals(note)
        return outcome

    def _draft_all(
        self, todo: list[ListEntry], journal: RunJournal, chat_model: BaseChatModel | None
    ) -> None:
        from summarizer.drafting.pipeline import Drafter
        from summarizer.llm.gate import ModelGate

        def paused(seconds: float) -> None:
            self.observer.message(f"rate limited (HTTP 429): all model calls wait {seconds:.1f} s")

        gate = ModelGate(self.options.concurrency, on_pause=paused)
        with Drafter(self.settings, chat_model=chat_model, gate=gate) as drafter:
            # A model that is not configured stops the batch before any request.
            drafter.chains()
            self.observer.message(
                f"fetching arXiv metadata for {len(todo)} paper(s), "
                f"up to {ID_LIST_BATCH} per request"
            )
            metadata = drafter.clients.arxiv.fetch_many([entry.ref for entry in todo])
            ready = []
            for entry in todo:
                found = metadata[entry.ref]
                if isinstance(found, SummarizerError):
                    self.finish(self._failed(entry, found))
                else:
                    ready.append((entry, found))
            self._schedule(ready, drafter, journal)
        self.report.rate_limited = gate.rate_limited

    def _schedule(
        self, ready: Sequence[tuple[ListEntry, Paper]], drafter: Drafter, journal: RunJournal
    ) -> None:
        # The embedded model answers one call at a time: more papers would only wait.
        workers = min(
            self.options.concurrency, self.backend.max_workers or self.options.concurrency
        )
        queue = deque(ready)
        in_flight: dict[Future[PaperOutcome], ListEntry] = {}
        spent = [o.cost_usd or 0.0 for o in self.report.outcomes if o.status == "drafted"]
        announced_stop = False
        with ThreadPoolExecutor(workers, thread_name_prefix="paper") as pool:
            while queue or in_flight:
                if self.stop.is_set() and not announced_stop:
                    announced_stop = True
                    self.observer.message(
                        f"stopping: finishing {len(in_flight)} paper(s) in flight "
                        "(Ctrl-C again to stop at once)"
                    )
                while queue and len(in_flight) < workers and not self.stop.is_set():
                    if not self._budget_allows(spent, len(in_flight)):
                        break
                    entry, paper = queue.popleft()
                    self.observer.started(entry)
                    future = pool.submit(self._draft_one, drafter, journal, entry, paper)
                    in_flight[future] = entry
                if not in_flight:
                    if queue and not self.stop.is_set():
                        self.report.budget_reached = True
                    break
                done, _ = wait(in_flight, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    in_flight.pop(future)
                    outcome = future.result()
                    if outcome.status == "drafted":
                        spent.append(outcome.cost_usd or 0.0)
                    self.finish(outcome)
        self.report.interrupted = self.stop.is_set() and bool(queue)
        reason = (
            "interrupted before it started"
            if self.report.interrupted
            else f"not started: the budget of ${self.options.budget_usd} was reached"
        )
        for entry, _ in queue:
            self.finish(self._outcome(entry, "not_started", reason))

    def _budget_allows(self, spent: list[float], in_flight: int) -> bool:
        """Start another paper while the estimate (spent, plus the papers in flight
        at the mean cost so far) is below the budget.  Until one cost is known,
        papers go one at a time."""
        budget = self.options.budget_usd
        if budget is None:
            return True
        if not spent:
            return in_flight == 0
        return sum(spent) + in_flight * (sum(spent) / len(spent)) < budget

    def _outcome(self, entry: ListEntry, status: Status, reason: str = "") -> PaperOutcome:
        return PaperOutcome(
            entry.line,
            entry.text,
            entry.ref.arxiv_id,
            status,
            reason,
            duplicate_lines=list(entry.duplicate_lines),
        )

    def _failed(self, entry: ListEntry, error: SummarizerError) -> PaperOutcome:
        outcome = self._outcome(entry, "failed", str(error))
        # arXiv or the model failing may pass; a paper arXiv does not have will not.
        outcome.retryable = error.exit_code != EXIT_BAD_INPUT
        return outcome

    def _draft_one(
        self, drafter: Drafter, journal: RunJournal, entry: ListEntry, paper: Paper
    ) -> PaperOutcome:
        began = time.monotonic()
        try:
            with requests_for(entry.ref.versioned_id):
                result = drafter.draft_paper(
                    paper,
                    ArxivSource(entry.ref),
                    self.folder,
                    force=self.options.force,
                    say=lambda message: log.info("%s: %s", entry.ref, message),
                    before_write=journal.record,
                )
        except NoteExistsError as error:  # someone wrote the note meanwhile
            return self._outcome(entry, "skipped", f"the note {error.reason}")
        except RequestsDeferred:
            return self._outcome(entry, "not_started", WAITING_FOR_BATCH)
        except SummarizerError as error:
            return self._failed(entry, error)
        except Exception as error:  # one paper's bug must not stop the batch
            log.debug("%s failed", entry.ref, exc_info=True)
            outcome = self._outcome(entry, "failed", f"unexpected {type(error).__name__}: {error}")
            outcome.retryable = True
            return outcome
        total = result.sections.usage_table()["total"]
        outcome = self._outcome(entry, "drafted")
        outcome.path = str(result.path)
        outcome.title = result.paper.title
        outcome.input_tokens = total["input_tokens"]
        outcome.output_tokens = total["output_tokens"]
        outcome.calls = total["calls"]
        outcome.cost_usd = self.cost(outcome.input_tokens, outcome.output_tokens)
        outcome.seconds = round(time.monotonic() - began, 2)
        outcome.warnings = draft_signals(read_note(result.path))
        return outcome
