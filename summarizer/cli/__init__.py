"""Command-line interface: parse options, call the library, print the result.

The group is here; each command lives in its own module (draft, batch, tags,
review) and is added below.  Errors become exit codes here and only here (see
:func:`main`).  Heavy imports (LangChain, openai, httpx, pydantic, rich) happen
inside commands, so ``--help`` is fast.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path

import click
from click_default_group import DefaultGroup

from summarizer.cli.batch import batch
from summarizer.cli.config import config
from summarizer.cli.draft import draft
from summarizer.cli.review import export, list_notes, review
from summarizer.cli.tags import tags, vocab
from summarizer.errors import EXIT_REMOTE_FAILURE, SummarizerError

PROG = "summarize"
# A word that cannot be a paper reference (no digit, no dot, no slash): when it is
# close to a command's name, it was a mistyped command.
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


class RefOrCommandGroup(DefaultGroup):
    """``summarize REF`` means ``summarize draft REF`` (click-default-group), with a
    usage line that says so."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(PROG, "REF [OPTIONS]\n       summarize COMMAND [ARGS]...")

    # The plain command list: draft's own help already says it is the default, so
    # DefaultGroup's "draft*" marker (and moving it first) would only add noise.
    format_commands = click.Group.format_commands

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            _reject_mistyped_command(args[0], sorted(self.commands))
        return super().resolve_command(ctx, args)


def _reject_mistyped_command(word: str, commands: list[str]) -> None:
    """``summarize lst`` is a usage error naming ``list``, not a paper reference."""
    if not _WORD.fullmatch(word) or Path(word).exists():
        return  # a reference (or a PDF file that happens to have this name)
    if word.lower() == "help":
        raise click.UsageError(f"no such command '{word}'; did you mean '{PROG} --help'?")
    close = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    if close:
        raise click.UsageError(f"no such command '{word}'; did you mean '{close[0]}'?")


@click.group(
    cls=RefOrCommandGroup,
    default=draft.name,
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


for command in (draft, batch, review, list_notes, export, tags, vocab, config):
    cli.add_command(command)


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
