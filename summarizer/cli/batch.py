"""``summarize batch LIST``: options, signals and the final report.

Progress goes to stderr (:mod:`summarizer.cli.batch_progress`); the report table
goes to stdout.  Ctrl-C (or SIGTERM) stops starting
papers and waits for those in flight; a second Ctrl-C stops at once (notes are
written atomically, so that too leaves no partial file).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
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
from summarizer.cli.options import DraftingChoices, debug_option, drafting_options

if TYPE_CHECKING:
    from summarizer.batch.report import BatchReport


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
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the notes (default: ./notes or SUMMARIZER_NOTES_DIR).",
)
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
@click.option("--quiet", is_flag=True, help="No progress output (the report is still printed).")
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
    1 when any failed, 130 when interrupted.
    """
    from summarizer.batch.readinglist import read_reading_list
    from summarizer.batch.run import BatchOptions, run_batch
    from summarizer.cli.batch_progress import make_view
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.errors import BadInputError, BatchFailedError, BatchInterruptedError
    from summarizer.fsutil import atomic_write_text

    settings = drafting.settings()
    configure_logging(debug, secrets=secrets_of(settings))
    papers = read_reading_list(reading_list, list_format)
    if not papers.entries and not papers.invalid and not papers.ignored:
        raise BadInputError(f"found no arXiv reference in {papers.source}")
    options = BatchOptions(out_dir, force, concurrency, budget_usd)
    if batch_api.wanted:
        command = CommandParts(_stop_on_signals, print_report, quiet, report_path)
        run_batch_api_command(batch_api, papers, settings, options, command)
        return
    stop = threading.Event()
    view = make_view(quiet)
    with _stop_on_signals(stop), view:
        report = run_batch(papers, settings, options, observer=view, stop=stop)
    print_report(report)
    if report_path is not None:
        text = json.dumps(report.as_json(), ensure_ascii=False, indent=1) + "\n"
        atomic_write_text(report_path, text, replace=True)
    if report.interrupted:
        raise BatchInterruptedError(report.count("not_started"))
    if report.failed:
        raise BatchFailedError(report.failed, len(report.outcomes))


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


# --- the report -----------------------------------------------------------------------


def print_report(report: BatchReport) -> None:
    """The table of every paper and the totals, on stdout."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Off a terminal rich would assume 80 columns; log files are read wider.
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in (
        ("line", "right"),
        ("paper", "left"),
        ("status", "left"),
        ("reason / title", "left"),
        ("tokens in/out", "right"),
        ("cost", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    styles = {"drafted": "green", "skipped": "yellow", "failed": "red", "not_started": "dim"}
    for outcome in report.outcomes:
        status = outcome.status.replace("_", " ")
        if outcome.earlier_run:
            status += " (earlier)"
        detail = (outcome.title or "") if outcome.status == "drafted" else outcome.reason
        tokens = (
            f"{outcome.input_tokens:,}/{outcome.output_tokens:,}"
            if outcome.status == "drafted"
            else ""
        )
        cost = f"${outcome.cost_usd:.4f}" if outcome.cost_usd is not None else ""
        table.add_row(
            str(outcome.line),
            Text(outcome.arxiv_id or outcome.reference),
            Text(status, style=styles[outcome.status]),
            Text(detail),  # plain text: a "[…]" in a title or reason is not markup
            tokens,
            cost,
        )
    console.print(table)
    console.print(_summary_line(report), markup=False, highlight=False, soft_wrap=True)


def _summary_line(report: BatchReport) -> str:
    totals = report.totals()
    earlier = totals["drafted_earlier"]
    earlier_note = f" ({earlier} by an earlier run)" if earlier else ""
    parts = [
        f"drafted {totals['drafted']}{earlier_note}",
        f"skipped {totals['skipped']}",
        f"failed {totals['failed']}",
    ]
    if totals["not_started"]:
        parts.append(f"not started {totals['not_started']}")
    cost = totals["cost_usd"]
    priced = (
        f"estimated cost ${cost:.4f} ({report.model}, prices of {report.prices_recorded})"
        if cost is not None
        else f"estimated cost unknown ({report.model} is not in the price table)"
    )
    line = (
        f"{' · '.join(parts)} · tokens {totals['input_tokens']:,} in / "
        f"{totals['output_tokens']:,} out · {priced} · {report.seconds:.1f} s"
    )
    if report.rate_limited:
        line += f" · {report.rate_limited} rate-limit answer(s) (HTTP 429) waited out"
    if report.budget_reached:
        line += f" · budget ${report.budget_usd} reached"
    return line
