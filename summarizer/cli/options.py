"""Options more than one command takes, each declared once.

``draft`` and ``batch`` share the drafting options (:func:`drafting_options`):
one declaration means one help text and one mapping to :class:`Settings`
(:meth:`DraftingChoices.settings`).  Imported by ``summarize --help``: click only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

if TYPE_CHECKING:
    from summarizer.settings import Settings
    from summarizer.tags.vocabulary import Vocabulary

DEBUG_HELP = "Log each step and show tracebacks."


class DraftingChoices(NamedTuple):
    """What the drafting options said; None or False: keep the configured value.

    (A NamedTuple rather than a dataclass: ``summarize --help`` imports this module,
    and dataclasses would add its import to every start.)"""

    model: str | None
    backend: str | None
    vocabulary: Path | None
    abstract_only: bool
    max_input_tokens: int | None
    no_cache: bool
    history: Path | None
    no_llm: bool
    text_source: str | None

    def settings(self, *, pdf_password: str | None = None) -> Settings:
        """Settings with these choices over the config file's and environment's."""
        from summarizer.settings import load_settings

        return load_settings(
            {
                "model": self.model,
                "backend": self.backend,
                "vocabulary": self.vocabulary,
                "max_input_tokens": self.max_input_tokens,
                "full_text": False if self.abstract_only else None,
                "cache": False if self.no_cache else None,
                "pdf_password": pdf_password,
                "history": self.history,
                "tag_llm": False if self.no_llm else None,
                "text_source": self.text_source,
            }
        )


# In the order --help lists them; one per field of DraftingChoices.
_DRAFTING_OPTIONS = (
    click.option("--model", help="Chat model name (default: gpt-4o-mini or SUMMARIZER_MODEL)."),
    click.option(
        "--backend",
        type=click.Choice(["auto", "openai", "local"]),
        help="openai: an OpenAI-compatible server; local: the embedded model; "
        "auto (default): openai when a key or server is configured.",
    ),
    click.option(
        "--vocabulary",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Your controlled vocabulary (TSV with a 'name' column, or one tag per line).",
    ),
    click.option(
        "--abstract-only", is_flag=True, help="Skip the PDF: no full text, no Comment draft."
    ),
    click.option(
        "--max-input-tokens",
        type=click.IntRange(min=500),
        help="Paper text per model call for the Comment "
        "(default: 12000; 2500 for the local model).",
    ),
    click.option(
        "--no-cache", is_flag=True, help="Ask the model again instead of reusing cached replies."
    ),
    click.option(
        "--history",
        type=click.Path(path_type=Path),
        help="Your tagged notes (JSONL, or a folder of reviewed notes) to learn tags from; "
        "the reviewed notes in your notes folder always count too.",
    ),
    click.option("--no-llm", is_flag=True, help="Tags from --history alone, without the model."),
    click.option(
        "--text-source",
        type=click.Choice(["auto", "latex", "html", "pdf"]),
        help="Where an arXiv paper's full text is read from; auto (default): its LaTeX "
        "source, else arXiv's HTML, else the PDF (see docs/text-sources.md).",
    ),
)


def drafting_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the drafting options to a command; it receives them as one
    ``drafting: DraftingChoices`` argument."""

    @functools.wraps(command)
    def with_choices(**kwargs: Any) -> Any:
        choices = DraftingChoices(**{name: kwargs.pop(name) for name in DraftingChoices._fields})
        return command(drafting=choices, **kwargs)

    # click lists a command's options in the reverse order of their decorators.
    for option in reversed(_DRAFTING_OPTIONS):
        with_choices = option(with_choices)
    return with_choices


def debug_option(help_text: str = DEBUG_HELP) -> Callable[[Any], Any]:
    """``--debug``: log each step (see :func:`summarizer.cli.terminal.configure_logging`)
    and let :func:`summarizer.cli.main` show tracebacks."""
    return click.option("--debug", is_flag=True, help=help_text)


def quiet_option(
    help_text: str = "No progress or warning lines on stderr.",
) -> Callable[[Any], Any]:
    """``--quiet``: stderr stays silent but for errors; the result is still printed."""
    return click.option("--quiet", is_flag=True, help=help_text)


def notes_dir_option() -> Callable[[Any], Any]:
    """``--notes-dir DIR`` (also spelled ``--out``): the notes folder, one name for
    every command that writes or reads notes.

    ``--notes-dir`` because it is the folder's name everywhere else (the
    ``notes_dir`` setting, ``SUMMARIZER_NOTES_DIR``) and reads right for commands
    that only read notes; ``--out``, the old spelling of draft and batch, still
    works for every command.  The command receives it as ``out_dir``."""
    return click.option(
        "--notes-dir",
        "--out",
        "out_dir",
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="The notes folder (default: ./notes or SUMMARIZER_NOTES_DIR); --out is the same.",
    )


def notes_vocabulary_option() -> Callable[[Any], Any]:
    """``--vocabulary`` of the commands that read notes (review, list, export, accept)."""
    return click.option(
        "--vocabulary",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Your controlled vocabulary (default: SUMMARIZER_VOCABULARY or the built-in one).",
    )


def settings_and_vocabulary(vocabulary: Path | None, debug: bool) -> tuple[Settings, Vocabulary]:
    """Settings (with ``--vocabulary`` over the configured one), logging set up for
    ``--debug``, and the vocabulary loaded: the start of every notes command."""
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.settings import load_settings
    from summarizer.tags.vocabulary import load_vocabulary

    settings = load_settings({"vocabulary": vocabulary})
    configure_logging(debug, secrets=secrets_of(settings))
    return settings, load_vocabulary(settings.vocabulary)
