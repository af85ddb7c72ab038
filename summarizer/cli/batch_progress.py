"""Progress of ``summarize batch`` on stderr, while the papers are drafted.

A rich progress bar when both stdout and stderr are terminals, plain timestamped
log lines otherwise (pipes, CI logs), nothing with ``--quiet``.  Each view is an
observer of :func:`summarizer.batch.run.run_batch`, called from its worker threads.
The ETA is :func:`summarizer.batch.report.eta_seconds`: none until a few papers
were drafted, then the median paper time, not the rate of skips and failed lines.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from summarizer.batch.report import SilentObserver, eta_seconds

if TYPE_CHECKING:
    from summarizer.batch.readinglist import ListEntry
    from summarizer.batch.report import PaperOutcome


def make_view(quiet: bool, workers: int = 1) -> Any:
    """The view for this terminal (or pipe), entered around the run; ``workers``:
    the papers drafted at once, for the ETA."""
    if quiet:
        return _QuietView()
    if sys.stdout.isatty() and sys.stderr.isatty():
        return _BarView(workers)
    return _LogView(workers)


class _Eta:
    """Papers done and the times of those drafted by this run: the ETA's inputs."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.total = 0
        self.done = 0
        self.durations: list[float] = []

    def count(self, outcome: PaperOutcome) -> None:
        self.done += 1
        if outcome.status == "drafted" and outcome.seconds is not None:
            self.durations.append(outcome.seconds)

    def text(self) -> str:
        """``eta 0:01:10``, or ``eta --`` while there is too little to go by."""
        left = eta_seconds(self.durations, self.total - self.done, self.workers)
        if left is None:
            return "eta --"
        minutes, seconds = divmod(round(left), 60)
        return f"eta {minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def describe(outcome: PaperOutcome) -> str:
    """One line for a finished paper: what happened, tokens, cost, time or reason."""
    name = outcome.arxiv_id or outcome.reference
    if outcome.status == "drafted":
        cost = f"  ${outcome.cost_usd:.4f}" if outcome.cost_usd is not None else ""
        tokens = f"{outcome.input_tokens + outcome.output_tokens:,} tokens"
        when = "  (earlier run)" if outcome.earlier_run else f"  {outcome.seconds or 0:.1f} s"
        warned = f"  warnings: {', '.join(outcome.warnings)}" if outcome.warnings else ""
        return f"drafted  {name}  {outcome.calls} calls  {tokens}{cost}{when}{warned}"
    where = f"line {outcome.line}: " if outcome.arxiv_id is None else ""
    return f"{outcome.status.replace('_', ' ')}  {name}  {where}{outcome.reason}"


class _QuietView(SilentObserver):
    """No progress at all (--quiet); the views below say what they show."""

    def __enter__(self) -> _QuietView:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


class _LogView(_QuietView):
    """One plain line per event on stderr, for logs and pipes."""

    def __init__(self, workers: int) -> None:
        self._lock = threading.Lock()
        self._eta = _Eta(workers)

    def _write(self, text: str) -> None:
        with self._lock:
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} {text}\n")
            sys.stderr.flush()

    def begin(self, total: int) -> None:
        self._write(f"batch of {total} paper(s)")
        self._eta.total = total

    def finished(self, outcome: PaperOutcome) -> None:
        with self._lock:
            self._eta.count(outcome)
            done, total, eta = self._eta.done, self._eta.total, self._eta.text()
        width = len(str(total))
        known = f"  ({eta})" if eta != "eta --" and done < total else ""
        self._write(f"[{done:>{width}}/{total}] {describe(outcome)}{known}")

    def message(self, text: str) -> None:
        self._write(text)


class _BarView(_QuietView):
    """A rich progress bar: counts, ETA and the papers in flight."""

    def __init__(self, workers: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._console = Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            # Not rich's TimeRemainingColumn: its speed counts skips and failed lines.
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.description}"),
            console=self._console,
            transient=True,
        )
        self._lock = threading.Lock()
        self._task: Any = None
        self._in_flight: list[str] = []
        self._eta = _Eta(workers)
        self._counts = {"drafted": 0, "skipped": 0, "failed": 0, "not_started": 0}

    def __enter__(self) -> _BarView:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def _refresh(self, advance: int = 0) -> None:
        shown = ", ".join(self._in_flight[:3])
        more = f" +{len(self._in_flight) - 3}" if len(self._in_flight) > 3 else ""
        counts = self._counts
        self._progress.update(
            self._task,
            advance=advance,
            description=f"drafting {shown}{more}" if shown else "",
            counts=f"[green]✓{counts['drafted']}[/] [yellow]↷{counts['skipped']}[/] "
            f"[red]✗{counts['failed']}[/]",
            eta=self._eta.text(),
        )

    def begin(self, total: int) -> None:
        with self._lock:
            self._eta.total = total
            self._task = self._progress.add_task("", total=total, counts="", eta="")
            self._refresh()

    def started(self, entry: ListEntry) -> None:
        with self._lock:
            self._in_flight.append(entry.ref.arxiv_id)
            self._refresh()

    def finished(self, outcome: PaperOutcome) -> None:
        with self._lock:
            if outcome.arxiv_id in self._in_flight:
                self._in_flight.remove(outcome.arxiv_id)
            self._counts[outcome.status] += 1
            self._eta.count(outcome)
            self._refresh(advance=1)
        if outcome.status == "failed":
            self._progress.console.print(describe(outcome), style="red", **_PLAIN)

    def message(self, text: str) -> None:
        self._progress.console.print(text, **_PLAIN)


# User text (titles, reasons) is never rich markup, and numbers are not recoloured.
_PLAIN: dict[str, Any] = {"markup": False, "highlight": False}
