"""Command-line interface: parse options, call the library, print the result.

Errors become exit codes here and only here (see :func:`main`).  Heavy imports
(LangChain, openai, httpx, pydantic) happen inside commands, so ``--help`` is fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli import batch as cli_batch
from summarizer.cli import review as cli_review
from summarizer.errors import EXIT_REMOTE_FAILURE, SummarizerError

if TYPE_CHECKING:
    from summarizer.settings import Settings

PROG = "summarize"
DEFAULT_COMMAND = "draft"


class DefaultCommandGroup(click.Group):
    """A group where ``summarize REF`` means ``summarize draft REF``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(PROG, "REF [OPTIONS]\n       summarize COMMAND [ARGS]...")


@click.group(
    cls=DefaultCommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Run 'summarize draft --help' for the options of 'summarize REF'.",
)
@click.version_option(package_name="summarize", prog_name=PROG)
def cli() -> None:
    """Draft a Japanese paper note in your house style from an arXiv paper.

    REF is an arXiv URL or ID (2506.12345, arXiv:2506.12345, hep-th/9901001, …)
    or a paper PDF on disk.  The note is written to notes/<id>.md as a draft for
    you to review.  With no OpenAI key or server configured, the embedded local
    model writes it, offline.
    """


@cli.command(DEFAULT_COMMAND)
@click.argument("reference", metavar="REF")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the note (default: ./notes or SUMMARIZER_NOTES_DIR).",
)
@click.option("--model", help="Chat model name (default: gpt-4o-mini or SUMMARIZER_MODEL).")
@click.option(
    "--backend",
    type=click.Choice(["auto", "openai", "local"]),
    help="openai: an OpenAI-compatible server; local: the embedded model; "
    "auto (default): openai when a key or server is configured.",
)
@click.option(
    "--vocabulary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your controlled vocabulary (TSV with a 'name' column, or one tag per line).",
)
@click.option("--abstract-only", is_flag=True, help="Skip the PDF: no full text, no Comment draft.")
@click.option(
    "--max-input-tokens",
    type=click.IntRange(min=500),
    help="Paper text per model call for the Comment (default: 12000; 2500 for the local model).",
)
@click.option("--pdf-password", help="Password of an encrypted PDF.")
@click.option(
    "--dry-run", is_flag=True, help="Print the tokens and cost it would take; call no model."
)
@click.option(
    "--no-cache", is_flag=True, help="Ask the model again instead of reusing cached replies."
)
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="Your tagged notes (JSONL, or a folder of reviewed notes) to learn tags from; "
    "the reviewed notes in your notes folder always count too.",
)
@click.option("--no-llm", is_flag=True, help="Tags from --history alone, without the model.")
@click.option("--force", is_flag=True, help="Replace an existing draft nobody has edited.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the path.")
@click.option("--debug", is_flag=True, help="Log each step and show tracebacks.")
def draft(
    reference: str,
    out_dir: Path | None,
    model: str | None,
    backend: str | None,
    vocabulary: Path | None,
    abstract_only: bool,
    max_input_tokens: int | None,
    pdf_password: str | None,
    dry_run: bool,
    no_cache: bool,
    history: Path | None,
    no_llm: bool,
    force: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Draft the note for one paper (the default command)."""
    from summarizer.drafting.estimate import estimate_note
    from summarizer.drafting.pipeline import draft_note

    settings = drafting_settings(
        model=model,
        backend=backend,
        vocabulary=vocabulary,
        abstract_only=abstract_only,
        max_input_tokens=max_input_tokens,
        no_cache=no_cache,
        history=history,
        no_llm=no_llm,
        pdf_password=pdf_password,
    )
    _configure_logging(debug, secrets=_secrets_of(settings))
    status = _Status()
    if dry_run:
        with status:
            estimate = estimate_note(reference, settings, progress=status.update)
        _print_estimate(estimate, as_json)
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


@cli.group()
def tags() -> None:
    """Tag suggestions learned from your own tagged notes."""


@tags.command("suggest")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL with id, title and abstract per line.",
)
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="Your tagged notes, JSONL or a notes folder (default: the configured history; "
    "reviewed notes in your notes folder always count).",
)
@click.option("--top-k", default=8, show_default=True, type=click.IntRange(1, 30))
@click.option("--no-llm", is_flag=True, help="No model calls: fast and deterministic.")
@click.option("--vocabulary", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--debug", is_flag=True, help="Log each step and show tracebacks.")
def tags_suggest(
    input_path: Path,
    history: Path | None,
    top_k: int,
    no_llm: bool,
    vocabulary: Path | None,
    debug: bool,
) -> None:
    """Print one JSON line per paper: {"id", "tags" (best first), "scores"}."""
    from summarizer.drafting.tagging import suggest_for_papers
    from summarizer.settings import load_settings

    settings = load_settings(
        {"history": history, "tag_llm": False if no_llm else None, "vocabulary": vocabulary}
    )
    _configure_logging(debug, secrets=_secrets_of(settings))
    for line in suggest_for_papers(input_path, settings, top_k=top_k):
        click.echo(json.dumps(line, ensure_ascii=False))


@cli.group()
def vocab() -> None:
    """Your controlled vocabulary of hashtags."""


@vocab.command("build")
@click.argument("history", type=click.Path(path_type=Path))
@click.option(
    "--kinds-from",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A vocabulary whose kinds (topic/venue/workflow) to reuse.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the TSV here (never over an existing file) instead of printing it.",
)
def vocab_build(history: Path, kinds_from: Path | None, out_file: Path | None) -> None:
    """Derive a vocabulary (TSV) from your tagged notes (JSONL or a notes folder)."""
    from summarizer.errors import BadInputError
    from summarizer.fsutil import atomic_write_text
    from summarizer.tags.history import load_history
    from summarizer.tags.vocab_build import build_vocabulary, format_vocabulary
    from summarizer.tags.vocabulary import load_vocabulary

    reference = load_vocabulary(kinds_from) if kinds_from is not None else None
    text = format_vocabulary(build_vocabulary(load_history(history), reference))
    if out_file is None:
        click.echo(text, nl=False)
        return
    try:
        atomic_write_text(out_file, text, replace=False)
    except FileExistsError:
        raise BadInputError(f"{out_file} exists; choose another --out") from None
    click.echo(str(out_file))


# Commands of their own modules (batch; review, list, export, tags accept).
cli_batch.register(cli)
cli_review.register(cli, tags)


def drafting_settings(
    *,
    model: str | None,
    backend: str | None,
    vocabulary: Path | None,
    abstract_only: bool,
    max_input_tokens: int | None,
    no_cache: bool,
    history: Path | None,
    no_llm: bool,
    pdf_password: str | None = None,
) -> Settings:
    """Settings from the drafting options that ``summarize REF`` and ``batch`` share
    (an option left out keeps the config file's or environment's value)."""
    from summarizer.settings import load_settings

    return load_settings(
        {
            "model": model,
            "backend": backend,
            "vocabulary": vocabulary,
            "max_input_tokens": max_input_tokens,
            "full_text": False if abstract_only else None,
            "cache": False if no_cache else None,
            "pdf_password": pdf_password,
            "history": history,
            "tag_llm": False if no_llm else None,
        }
    )


def _print_estimate(estimate: Any, as_json: bool) -> None:
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


class _Status:
    """A spinner (and a bar for the local model's first-run setup) on an interactive
    stderr; log lines with --debug; silent otherwise."""

    def __init__(self) -> None:
        self._status: Any = None
        self._bar: Any = None
        self._console: Any = None
        if sys.stderr.isatty():
            from rich.console import Console

            self._console = Console(stderr=True)
            self._status = self._console.status("starting")

    def __enter__(self) -> _Status:
        if self._status is not None:
            self._status.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc_info)

    def update(self, message: str) -> None:
        logging.getLogger("summarizer").info(message)
        if self._status is not None:
            self._status.update(message)

    def setup_progress(self, done: int, total: int) -> None:
        """Called while the local model's weights are assembled (first run only)."""
        if self._console is None:
            return
        if self._bar is None:
            from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

            self._status.stop()
            self._bar = Progress(
                "setting up the local model (first run only)",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=self._console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("setup", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self._bar.stop()
            self._status.start()


def _secrets_of(settings: Any) -> list[str]:
    keys = (settings.api_key, settings.openai_api_key, settings.pdf_password)
    return [key.get_secret_value() for key in keys if key is not None]


class _RedactSecrets(logging.Filter):
    """Belt and braces: no log line may carry an API key, whoever logged it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def _configure_logging(debug: bool, *, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("summarizer").setLevel(logging.DEBUG if debug else logging.WARNING)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("SUMMARIZER_DEBUG", "") not in ("", "0")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``summarize`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_requested(args)
    try:
        cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        # Usage errors: a bad option or a missing argument (exit 2).
        error.show()
        sys.exit(error.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo(f"{PROG}: interrupted; no note was written", err=True)
        sys.exit(130)
    except SummarizerError as error:
        if debug:
            import traceback

            traceback.print_exc()
        click.echo(f"{PROG}: error: {_one_line(str(error))}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # the last line of defence for users
        if debug:
            raise
        click.echo(
            f"{PROG}: error: unexpected {type(error).__name__}: {_one_line(str(error))}; "
            "rerun with --debug and report it",
            err=True,
        )
        sys.exit(EXIT_REMOTE_FAILURE)
    sys.exit(0)
