"""The tables ``summarize batch`` prints on stdout: the report of a run, or of a dry run.

One row per line of the list, in list order, duplicates included (a line naming a
paper already on an earlier line says so, rather than vanishing), with the
warnings of each draft.  Off a terminal the table is 160 columns wide: log files
are read wider than 80.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.batch.dry_run import BatchEstimate
    from summarizer.batch.report import BatchReport

_STYLES = {
    "drafted": "green",
    "would draft": "green",
    "skipped": "yellow",
    "failed": "red",
    "not started": "dim",
    "duplicate": "dim",
}
_COLUMNS = (
    ("line", "right"),
    ("paper", "left"),
    ("status", "left"),
    ("reason / title", "left"),
    ("warnings", "left"),
    ("tokens in/out", "right"),
    ("cost", "right"),
)


def print_report(report: BatchReport) -> None:
    """The table of every line of the list and the totals, on stdout."""
    rows = []
    for outcome in report.outcomes:
        status = outcome.status.replace("_", " ")
        if outcome.earlier_run:
            status += " (earlier)"
        drafted = outcome.status == "drafted"
        detail = (outcome.title or "") if drafted else outcome.reason
        tokens = f"{outcome.input_tokens:,}/{outcome.output_tokens:,}" if drafted else ""
        name = outcome.arxiv_id or outcome.reference
        rows.append(
            (outcome.line, name, status, detail, outcome.warnings, tokens, outcome.cost_usd)
        )
        rows += _duplicate_rows(outcome.line, name, outcome.duplicate_lines)
    _print_table(rows, summary_line(report))


def print_estimate(estimate: BatchEstimate) -> None:
    """The dry run's table: what each line would cost, and the list's total."""
    rows = []
    for paper in estimate.papers:
        name = paper.arxiv_id or paper.reference
        drafting = paper.status == "would_draft"
        about = "~" if paper.tokens_approximate else ""
        tokens = f"{about}{paper.input_tokens:,}/~{paper.output_tokens:,}" if drafting else ""
        status = paper.status.replace("_", " ")
        rows.append(
            (paper.line, name, status, paper.reason, paper.warnings, tokens, paper.cost_usd)
        )
        rows += _duplicate_rows(paper.line, name, paper.duplicate_lines)
    _print_table(rows, estimate_line(estimate))


def _duplicate_rows(line: int, name: str, duplicates: list[int]) -> list[tuple[Any, ...]]:
    return [
        (other, name, "duplicate", f"same paper as line {line}", [], "", None)
        for other in duplicates
    ]


def _print_table(rows: list[tuple[Any, ...]], closing: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in _COLUMNS:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line, name, status, detail, warnings, tokens, cost in sorted(rows, key=lambda r: r[0]):
        table.add_row(
            str(line),
            Text(name),
            Text(status, style=_STYLES.get(status.split(" (")[0], "")),
            Text(detail),  # plain text: a "[…]" in a title or reason is not markup
            Text(", ".join(warnings), style="yellow"),
            tokens,
            f"${cost:.4f}" if cost is not None else "",
        )
    console.print(table)
    console.print(closing, markup=False, highlight=False, soft_wrap=True)


def summary_line(report: BatchReport) -> str:
    """The totals of a run, on one line."""
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
    warned = sum(1 for o in report.outcomes if o.warnings)
    if warned:
        parts.append(f"{warned} with warnings")
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


def estimate_line(estimate: BatchEstimate) -> str:
    """The totals of a dry run, on one line: nothing was paid or written."""
    totals = estimate.totals()
    about = "~" if totals["tokens_approximate"] else ""
    cost = totals["cost_usd"]
    priced = (
        f"estimated cost ${cost:.4f}"
        if cost is not None
        else f"estimated cost unknown ({estimate.model} is not in the price table)"
    )
    batch_price = ", Batch API price" if estimate.price == "batch" else ""
    return (
        f"dry run: would draft {totals['would_draft']} · skip {totals['skipped']} · "
        f"failed {totals['failed']} · {totals['calls']} model call(s) · tokens "
        f"{about}{totals['input_tokens']:,} in / ~{totals['output_tokens']:,} out · "
        f"{priced} ({estimate.model}{batch_price}) · nothing paid, no note written"
    )
