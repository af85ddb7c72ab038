"""The command group itself: the default command, --version, -h, and the drafting
options draft and batch share."""

from __future__ import annotations

from importlib.metadata import version

import click
import pytest

from summarizer.cli import cli, main
from summarizer.cli.batch import batch
from summarizer.cli.draft import draft
from summarizer.cli.options import DraftingChoices

SHARED = [
    "model",
    "backend",
    "vocabulary",
    "abstract_only",
    "max_input_tokens",
    "no_cache",
    "history",
    "no_llm",
    "text_source",
    "debug",
]


def options_of(command: click.Command) -> dict[str, click.Option]:
    return {p.name: p for p in command.params if isinstance(p, click.Option) and p.name}


@pytest.mark.parametrize("name", SHARED)
def test_draft_and_batch_declare_the_shared_options_alike(name: str) -> None:
    ours, theirs = options_of(draft)[name], options_of(batch)[name]
    assert ours.opts == theirs.opts
    assert ours.help == theirs.help
    assert ours.help  # every shared option explains itself
    assert (ours.is_flag, repr(ours.type)) == (theirs.is_flag, repr(theirs.type))


def test_every_drafting_choice_is_an_option_of_both() -> None:
    choices = set(DraftingChoices._fields)
    assert choices <= set(options_of(draft))
    assert choices <= set(options_of(batch))
    assert choices | {"debug"} == set(SHARED)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return done.value.code, capsys.readouterr().out


def test_version_prints_the_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_main(capsys, "--version")
    assert code == 0
    assert out == f"summarize, version {version('summarize')}\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    code, out = run_main(capsys, flag)
    assert code == 0
    assert out.startswith("Usage: summarize REF [OPTIONS]\n       summarize COMMAND [ARGS]...")
    for name in cli.commands:
        assert f"\n  {name} " in out


def test_a_reference_goes_to_draft(capsys: pytest.CaptureFixture[str]) -> None:
    # REF first, then --help: the help of draft, which is what `summarize REF` runs.
    code, out = run_main(capsys, "2506.12345", "--help")
    assert code == 0
    assert out.startswith("Usage: summarize draft [OPTIONS] REF")
