"""``summarize batch LIST``: options, signals and the final report.

Progress goes to stderr (:mod:`summarizer.cli.batch_progress`); the report table
(:mod:`summarizer.cli.batch_report`), or with ``--json`` the report as JSON, goes
to stdout.  Ctrl-C (or SIGTERM) stops starting
papers and waits for those in flight; a second Ctrl-C stops at once (notes are
written atomically, so that too leaves no partial file).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli.batch_api import (
    BatchApiChoices,
    CommandParts,
    batch_api_options,
    run_batch_api_command,
)
from summarizer.cli.options import (
    DraftingChoices,
    debug_option,
    drafting_options,
    notes_dir_option,
    quiet_option,
)

if TYPE_CHECKING:
    from summarizer.batch.readinglist import ReadingList
    from summarizer.settings import Settings


@click.command("batch")
@click.argument("reading_list", metavar="LIST")
@click.option(
    "--format",
    "list_format",
    type=click.Choice(["auto", "text", "markdown", "bibtex"]),
    default="auto",
    show_default=True,
    help="How LIST is written (auto: by extension; stdin by content).",
)
@notes_dir_option()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,  # batch.DEFAULT_CONCURRENCY (not imported here: --help stays fast)
    show_default=True,
    help="Model requests in flight at once.",
)
@click.option("--force", is_flag=True, help="Redraft existing drafts nobody has edited.")
@click.option(
    "--budget-usd",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop starting papers once the estimated cost reaches this many US dollars.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JSON to this file.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what the list would cost (tokens, dollars); call no model, write no note.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, not a table.")
@quiet_option("No progress output (the report is still printed).")
@batch_api_options
@drafting_options
@debug_option()
def batch(
    reading_list: str,
    list_format: str,
    out_dir: Path | None,
    concurrency: int,
    force: bool,
    budget_usd: float | None,
    report_path: Path | None,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
    drafting: DraftingChoices,
    debug: bool,
    batch_api: BatchApiChoices,
) -> None:
    """Draft a note for every paper of a reading list.

    LIST is a text file (one arXiv reference per line, # comments), a Markdown file
    (every arXiv link or ID in it), a BibTeX file (eprint, doi or url fields), or -
    for stdin.  Existing notes are skipped; rerun the same command after a crash or
    Ctrl-C to finish the rest.  Exit code 0 when every paper was drafted or skipped,
    1 when any failed, 2 when the list names no arXiv paper, 130 when interrupted.
    """
    from summarizer.batch.readinglist import read_reading_list
    from summarizer.batch.run import BatchOptions, run_batch
    from summarizer.cli.batch_progress import make_view
    from summarizer.cli.batch_report import print_report
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.errors import BatchFailedError, BatchInterruptedError

    settings = drafting.settings()
    configure_logging(debug, secrets=secrets_of(settings))
    papers = read_reading_list(reading_list, list_format)
    _refuse_a_list_without_papers(papers)
    if dry_run:
        _dry_run(
            papers,
            settings,
            out_dir,
            force,
            as_json=as_json,
            quiet=quiet,
            batch_api=batch_api.wanted,
        )
        return
    options = BatchOptions(out_dir, force, concurrency, budget_usd)
    if batch_api.wanted:
        command = CommandParts(_stop_on_signals, print_report, quiet, report_path)
        run_batch_api_command(batch_api, papers, settings, options, command)
        return
    stop = threading.Event()
    view = make_view(quiet, _workers(settings, concurrency))
    with _stop_on_signals(stop), view:
        report = run_batch(papers, settings, options, observer=view, stop=stop)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    else:
        print_report(report)
    if report_path is not None:
        from summarizer.fsutil import atomic_write_text

        text = json.dumps(report.as_json(), ensure_ascii=False, indent=1) + "\n"
        atomic_write_text(report_path, text, replace=True)
    if report.interrupted:
        raise BatchInterruptedError(report.count("not_started"))
    if report.failed:
        raise BatchFailedError(report.failed, len(report.outcomes), retryable=report.retryable)


def _refuse_a_list_without_papers(papers: ReadingList) -> None:
    """A list that names no arXiv paper at all is the user's input to fix (exit 2)."""
    from summarizer.errors import BadInputError

    if papers.entries:
        return
    problems = [*papers.invalid, *papers.ignored]
    if not problems:
        raise BadInputError(f"found no arXiv reference in {papers.source}")
    first = min(problems, key=lambda problem: problem.line)
    raise BadInputError(
        f"found no arXiv reference in {papers.source}: {len(problems)} line(s) name no "
        f"arXiv paper, the first {first}"
    )


def _workers(settings: Settings, concurrency: int) -> int:
    """Papers drafted at once, as the runner decides (the embedded model: one)."""
    from summarizer.llm.backend import backend_for

    return min(concurrency, backend_for(settings).max_workers or concurrency)


def _dry_run(
    papers: ReadingList,
    settings: Settings,
    out_dir: Path | None,
    force: bool,
    *,
    as_json: bool,
    quiet: bool,
    batch_api: bool,
) -> None:
    """The list's tokens and cost, as ``summarize REF --dry-run`` counts one paper
    (at the Batch API's price with ``--batch-api``)."""
    from summarizer.batch.dry_run import estimate_batch
    from summarizer.cli.batch_report import print_estimate

    def say(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    estimate = estimate_batch(
        papers, settings, out_dir=out_dir, force=force, progress=say, batch_api=batch_api
    )
    if as_json:
        click.echo(json.dumps(estimate.as_json(), ensure_ascii=False, indent=1))
    else:
        print_estimate(estimate)


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C/SIGTERM: finish the papers in flight (the runner says so); the
    second: leave at once."""

    def handle(signum: int, _frame: Any) -> None:
        # Only async-signal-safe work here: the main thread may hold any lock.
        if not stop.is_set():
            stop.set()
            return
        # Nothing is lost: notes are written atomically and the journal is fsynced.
        os.write(2, b"\nsummarize: stopped; rerun the same command to finish the list\n")
        os._exit(130)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
