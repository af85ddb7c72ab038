"""What a batch reports: one outcome per line of the list, totals, progress callbacks."""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

if TYPE_CHECKING:
    from summarizer.batch.readinglist import ListEntry

Status = Literal["drafted", "skipped", "failed", "not_started"]


@dataclass
class PaperOutcome:
    """What became of one line of the list."""

    line: int
    reference: str
    arxiv_id: str | None
    status: Status
    reason: str = ""
    path: str | None = None
    title: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    cost_usd: float | None = None
    earlier_run: bool = False  # drafted by an earlier, unfinished run of this batch
    seconds: float | None = None
    duplicate_lines: list[int] = field(default_factory=list)
    # What the reviewer should check first (summarizer.notes.index.draft_signals).
    warnings: list[str] = field(default_factory=list)
    # A failure a rerun may fix (arXiv or the model), not one of the list's own.
    retryable: bool = False


@dataclass
class BatchReport:
    source: str
    list_format: str
    model: str
    outcomes: list[PaperOutcome] = field(default_factory=list)
    interrupted: bool = False
    budget_usd: float | None = None
    budget_reached: bool = False
    rate_limited: int = 0  # 429 answers from the model server
    seconds: float = 0.0
    prices_recorded: str | None = None

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def retryable(self) -> int:
        """Failures a rerun of the same command may fix."""
        return sum(1 for o in self.outcomes if o.status == "failed" and o.retryable)

    def totals(self) -> dict[str, Any]:
        drafted = [o for o in self.outcomes if o.status == "drafted"]
        costs = [o.cost_usd for o in drafted]
        return {
            "papers": len(self.outcomes),
            **{status: self.count(status) for status in get_args(Status)},
            "drafted_earlier": sum(1 for o in drafted if o.earlier_run),
            "input_tokens": sum(o.input_tokens for o in drafted),
            "output_tokens": sum(o.output_tokens for o in drafted),
            "calls": sum(o.calls for o in drafted),
            "cost_usd": None if None in costs else round(sum(c or 0.0 for c in costs), 6),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "list": self.source,
            "format": self.list_format,
            "model": self.model,
            "totals": self.totals(),
            "interrupted": self.interrupted,
            "budget_usd": self.budget_usd,
            "budget_reached": self.budget_reached,
            "rate_limited_responses": self.rate_limited,
            "seconds": round(self.seconds, 2),
            "prices_recorded": self.prices_recorded,
            "papers": [dataclasses.asdict(outcome) for outcome in self.outcomes],
        }


# An ETA from fewer papers is a guess from a cold start (model load, first PDFs).
ETA_MIN_PAPERS = 3


def eta_seconds(durations: list[float], remaining: int, workers: int) -> float | None:
    """Time left: the median time one paper took, times the papers left, over the
    workers drafting them at once; None until :data:`ETA_MIN_PAPERS` were drafted.

    Only papers drafted by this run count: a skipped note or a failed line takes
    no time and would make the estimate absurdly short."""
    if len(durations) < ETA_MIN_PAPERS:
        return None
    return statistics.median(durations) * remaining / max(workers, 1)


class BatchObserver(Protocol):
    """Progress callbacks; called from worker threads too."""

    def begin(self, total: int) -> None: ...
    def started(self, entry: ListEntry) -> None: ...
    def finished(self, outcome: PaperOutcome) -> None: ...
    def message(self, text: str) -> None: ...


class SilentObserver:
    def begin(self, total: int) -> None:
        pass

    def started(self, entry: ListEntry) -> None:
        pass

    def finished(self, outcome: PaperOutcome) -> None:
        pass

    def message(self, text: str) -> None:
        pass
