"""``summarize draft REF`` (also plain ``summarize REF``): one note, or with
``--dry-run`` the tokens and cost it would take.

After a draft, one stderr line says what its reviewer should check first (abstract
only, 要確認 marks, a section not in Japanese), piped or not; ``--quiet`` drops it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.cli.options import (
    DraftingChoices,
    debug_option,
    drafting_options,
    notes_dir_option,
    quiet_option,
)

if TYPE_CHECKING:
    from summarizer.drafting.estimate import Estimate
    from summarizer.drafting.pipeline import DraftResult


@click.command("draft")
@click.argument("reference", metavar="REF")
@notes_dir_option()
@drafting_options
@click.option("--pdf-password", help="Password of an encrypted PDF.")
@click.option(
    "--dry-run", is_flag=True, help="Print the tokens and cost it would take; call no model."
)
@click.option("--force", is_flag=True, help="Replace an existing draft nobody has edited.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the path.")
@quiet_option("No warnings line on stderr (errors are still shown).")
@debug_option()
def draft(
    reference: str,
    out_dir: Path | None,
    drafting: DraftingChoices,
    pdf_password: str | None,
    dry_run: bool,
    force: bool,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Draft the note for one paper (the default command)."""
    from summarizer.cli.terminal import DraftStatus, configure_logging, secrets_of
    from summarizer.drafting.estimate import estimate_note
    from summarizer.drafting.pipeline import draft_note

    settings = drafting.settings(pdf_password=pdf_password)
    configure_logging(debug, secrets=secrets_of(settings))
    status = DraftStatus()
    if dry_run:
        with status:
            estimate = estimate_note(
                reference, settings, out_dir=out_dir, force=force, progress=status.update
            )
        print_estimate(estimate, as_json)
        return
    with status:
        result = draft_note(
            reference,
            settings,
            out_dir=out_dir,
            force=force,
            progress=status.update,
            setup_progress=status.setup_progress,
        )
    print_result(result, as_json)
    if not quiet:
        print_signals(result)


def print_signals(result: DraftResult) -> None:
    """One stderr line with the draft's warnings, when it has any."""
    from summarizer.notes.index import draft_signals
    from summarizer.notes.note import read_note

    signals = draft_signals(read_note(result.path))
    if signals:
        click.echo(f"warnings: {result.path.name}: {'; '.join(signals)}", err=True)


def print_result(result: DraftResult, as_json: bool) -> None:
    """The note's path on stdout (or the JSON object); on a terminal, what it says on
    stderr too."""
    if as_json:
        click.echo(json.dumps(result.summary_json(), ensure_ascii=False))
        return
    click.echo(str(result.path))
    if sys.stderr.isatty():
        tags = " ".join(f"#{tag}" for tag in result.suggested_tags) or "(no tags)"
        total = result.sections.usage_table()["total"]
        click.echo(
            f"{result.title_line}\n{tags}\n"
            f"tokens: {total['input_tokens']} in, {total['output_tokens']} out",
            err=True,
        )
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)


def print_estimate(estimate: Estimate, as_json: bool) -> None:
    """What ``--dry-run`` found: calls, tokens and the estimated cost."""
    if as_json:
        click.echo(json.dumps(estimate.as_json(), ensure_ascii=False))
        return
    about = "~" if estimate.approximate else ""
    cost = "unknown (model not in the price table)"
    if estimate.cost_usd is not None:
        cost = f"${estimate.cost_usd:.4f}"
    mode = estimate.plan.mode if estimate.plan else "abstract only"
    click.echo(
        f"{estimate.paper.title}\n"
        f"model: {estimate.model}   full text: {mode}   calls: {estimate.calls}\n"
        f"tokens: {about}{estimate.input_tokens} in, ~{estimate.output_tokens} out "
        f"(output estimated{'; input approximate: no exact tokenizer' if about else ''})\n"
        f"estimated cost: {cost}"
    )
    for warning in estimate.warnings:
        click.echo(f"warning: {warning}", err=True)
