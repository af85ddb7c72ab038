"""``summarize batch LIST --batch-api``: the Batch API options, the wait, and status/cancel.

Status and cancel are flags of the same command (``--status``, ``--cancel``), not
subcommands: ``batch`` takes a reading list as its argument, and a list file
called ``status`` must stay a list.  A flag also takes the same LIST, ``--out``
and ``--force`` that name the run's journal, so "the same command plus
``--status``" shows that run's batches.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

if TYPE_CHECKING:
    from summarizer.batch.batch_api import BatchState
    from summarizer.batch.readinglist import ReadingList
    from summarizer.batch.report import BatchReport
    from summarizer.batch.rounds import ApiOutcome
    from summarizer.batch.run import BatchOptions
    from summarizer.settings import Settings


class BatchApiChoices(NamedTuple):
    batch_api: bool
    no_wait: bool
    finish_sync: bool
    export_requests: Path | None
    import_results: Path | None
    status: bool
    cancel: bool
    poll_seconds: float

    @property
    def wanted(self) -> bool:
        return self.batch_api or any(
            (self.export_requests, self.import_results, self.status, self.cancel)
        )


class CommandParts(NamedTuple):
    """What the Batch API run shares with ``summarize batch`` (passed in by it: this
    module is imported by :mod:`summarizer.cli.batch` for its options)."""

    stop_on_signals: Callable[[threading.Event], AbstractContextManager[None]]
    print_report: Callable[[BatchReport], None]
    quiet: bool
    report_path: Path | None


_FILE = click.Path(dir_okay=False, path_type=Path)
_OPTIONS = (
    click.option(
        "--batch-api",
        is_flag=True,
        help="Send the model requests as OpenAI Batch API batches (half the price, "
        "answers within 24 h); rerun the same command to collect them.",
    ),
    click.option("--no-wait", is_flag=True, help="With --batch-api: submit, then exit."),
    click.option(
        "--finish-sync",
        is_flag=True,
        help="With --batch-api: send what is left (failed or expired requests) synchronously.",
    ),
    click.option(
        "--export-requests",
        type=_FILE,
        help="Write the next round's requests to this JSONL file (for vLLM run_batch).",
    ),
    click.option(
        "--import-results",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Read the results JSONL of the exported requests, then go on.",
    ),
    click.option("--status", is_flag=True, help="Show the batches of this list's run."),
    click.option("--cancel", is_flag=True, help="Cancel the batches of this list's run."),
    click.option("--poll-seconds", type=click.FloatRange(0), default=30.0, hidden=True),
)


def batch_api_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the Batch API options; the command receives them as ``batch_api: BatchApiChoices``."""

    @functools.wraps(command)
    def with_choices(**kwargs: Any) -> Any:
        choices = BatchApiChoices(**{name: kwargs.pop(name) for name in BatchApiChoices._fields})
        return command(batch_api=choices, **kwargs)

    for option in reversed(_OPTIONS):
        with_choices = option(with_choices)
    return with_choices


def run_batch_api_command(
    choices: BatchApiChoices,
    papers: ReadingList,
    settings: Settings,
    options: BatchOptions,
    command: CommandParts,
) -> None:
    """What ``summarize batch`` does when a Batch API option is given."""
    from summarizer.batch.batch_control import batch_states

    if choices.status or choices.cancel:
        states = batch_states(papers, settings, options, cancel=choices.cancel)
        if not states:
            click.echo("no batch recorded for this list (same LIST, --out and --force?)")
        for state in states:
            click.echo(_state_line(state))
        return
    stop = threading.Event()
    outcome = _run(choices, papers, settings, options, command, stop)
    _finish(outcome, command, interrupted=stop.is_set())


def _run(
    choices: BatchApiChoices,
    papers: ReadingList,
    settings: Settings,
    options: BatchOptions,
    command: CommandParts,
    stop: threading.Event,
) -> ApiOutcome:
    from summarizer.batch.rounds import ApiOptions, run_batch_api
    from summarizer.cli.batch_progress import make_view

    api = ApiOptions(
        wait=not choices.no_wait,
        finish_sync=choices.finish_sync,
        export_path=choices.export_requests,
        import_path=choices.import_results,
        poll_seconds=choices.poll_seconds,
    )
    waiting = _WaitView(command.quiet)
    with command.stop_on_signals(stop), make_view(command.quiet) as view:
        return run_batch_api(
            papers, settings, options, api, observer=view, stop=stop, on_wait=waiting.show
        )


def _finish(outcome: ApiOutcome, command: CommandParts, *, interrupted: bool) -> None:
    import json

    from summarizer.errors import BatchFailedError, BatchInterruptedError
    from summarizer.fsutil import atomic_write_text

    report = outcome.report
    if report is not None:
        command.print_report(report)
        report_path = command.report_path
        if report_path is not None:
            data = report.as_json()
            data["batch_api"] = {
                "batches_per_round": outcome.created,
                "next_round_cost_usd": outcome.round_cost_usd,
            }
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
            atomic_write_text(report_path, text, replace=True)
    again = " ".join(["summarize", *sys.argv[1:]]).replace(" --no-wait", "")
    for created in outcome.created:
        click.echo(f"submitted {len(created)} batch(es): {', '.join(created)}")
    if outcome.waiting:
        for state in outcome.waiting:
            click.echo(_state_line(state))
        click.echo(f"batches still running; to collect their answers, run again: {again}")
    if outcome.exported is not None and outcome.exported_requests:
        click.echo(
            f"wrote {outcome.exported_requests} request(s) to {outcome.exported}; run them, e.g. "
            f"python -m vllm.entrypoints.openai.run_batch -i {outcome.exported} "
            f"-o results.jsonl --model MODEL, then add --import-results results.jsonl"
        )
    elif outcome.exported is not None:
        click.echo(
            f"the requests exported to {outcome.exported} have no results yet: "
            "add --import-results FILE with the results of running them"
        )
    if outcome.round_cost_usd is not None and report is not None and report.budget_reached:
        click.echo(f"the next round (~${outcome.round_cost_usd:.4f}) was not submitted")
    if interrupted:
        raise BatchInterruptedError(report.count("not_started") if report else 0)
    if report is not None and report.failed:
        raise BatchFailedError(report.failed, len(report.outcomes))


def _state_line(state: BatchState) -> str:
    counts = f"{state.completed + state.failed}/{state.total} answered"
    failed = f", {state.failed} failed" if state.failed else ""
    errors = f": {state.errors}" if state.errors else ""
    return f"{state.id}  {state.status}  {counts}{failed}{errors}"


class _WaitView:
    """The wait for batches: a bar on a terminal, a line per change when piped."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = ""

    def show(self, states: list[BatchState]) -> None:
        if self.quiet:
            return
        done = sum(s.completed + s.failed for s in states)
        total = sum(s.total for s in states) or 1
        statuses = ", ".join(sorted({s.status for s in states}))
        line = f"batches: {statuses}; {done}/{total} requests answered"
        if sys.stderr.isatty():
            width = 30
            filled = width * done // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {line}\x1b[K")
            if all(s.done for s in states):
                sys.stderr.write("\n")
        elif line != self.last:
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} {line}\n")
        sys.stderr.flush()
        self.last = line
