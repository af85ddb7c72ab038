"""``summarize review``, ``list`` and ``export``: the notes you have.

Parse options, call the library, print.  Heavy imports (rich, prompt_toolkit,
yaml via the note modules) happen inside the commands, so ``summarize --help``
stays fast.  Each names the notes folder with ``--notes-dir`` (or ``--out``, or as
before the positional folder) and takes a note by its arXiv ID as well as its path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.cli.options import (
    debug_option,
    notes_dir_option,
    notes_vocabulary_option,
    settings_and_vocabulary,
)

if TYPE_CHECKING:
    from summarizer.notes.index import NoteInfo, Unreadable
    from summarizer.settings import Settings

# One --vocabulary and one --debug for the three commands.
_VOCABULARY_OPTION = notes_vocabulary_option()
_DEBUG_OPTION = debug_option("Show tracebacks.")
_NOTES_DIR_OPTION = notes_dir_option()


@click.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path), metavar="[NOTES_DIR | NOTE.md | ID ...]"
)
@_NOTES_DIR_OPTION
@_VOCABULARY_OPTION
@_DEBUG_OPTION
def review(
    paths: tuple[Path, ...], out_dir: Path | None, vocabulary: Path | None, debug: bool
) -> None:
    """Review drafts newest first: accept or toggle tags, add one, edit, skip.

    One screen per draft (status: draft) with its title line, Japanese summary
    and suggested tags; single keys act (? shows them all).  Needs a terminal:
    scripts use 'summarize tags accept'.
    """
    from summarizer.errors import NotATerminalError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NotATerminalError(
            "summarize review", "in a script use 'summarize tags accept NOTE --all' (or --only A,B)"
        )
    from rich.console import Console

    from summarizer.notes.index import filter_notes
    from summarizer.review.tui import ReviewSession, ask_tag, edit_in_editor, read_key

    settings, vocab = settings_and_vocabulary(vocabulary, debug)
    settings, paths = _notes_folder(settings, out_dir, paths)
    notes = _find(paths, settings)
    for info in notes:
        if info.path in paths and info.status != "draft":
            click.echo(
                f"{info.path} is {info.status}; change its tags with "
                f"'summarize tags accept {info.path} --add TAG / --remove TAG'",
                err=True,
            )
    drafts = filter_notes(notes, status="draft")
    if not drafts:
        click.echo(f"no drafts to review in {_where(paths, settings)}")
        return
    session = ReviewSession(
        Console(highlight=False),
        vocab,
        settings.home,
        read_key=read_key,
        ask_tag=ask_tag,
        edit=edit_in_editor,
    )
    outcome = session.run(drafts)
    left = len(drafts) - len(outcome.reviewed) - len(outcome.skipped)
    click.echo(
        f"reviewed {len(outcome.reviewed)}, skipped {len(outcome.skipped)}, "
        f"left {left} of {len(drafts)} draft(s)"
    )


@click.command("list")
@click.argument("folder", required=False, type=click.Path(path_type=Path), metavar="[NOTES_DIR]")
@_NOTES_DIR_OPTION
@click.option("--status", type=click.Choice(["draft", "reviewed"]), help="Only these notes.")
@click.option(
    "--tag", metavar="TAG", help="Only notes carrying this tag (a draft: among its suggestions)."
)
@_VOCABULARY_OPTION
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of the table.")
@_DEBUG_OPTION
def list_notes(
    folder: Path | None,
    out_dir: Path | None,
    status: str | None,
    tag: str | None,
    vocabulary: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """List the notes, newest first: status, date, title line and tags.

    On a terminal, one row per note (long titles end in …); piped, one
    tab-separated line per note: path, status, date, title line, tags.
    """
    from summarizer.cli.notes_table import nothing_found, print_notes
    from summarizer.notes.index import filter_notes

    settings, vocab = settings_and_vocabulary(vocabulary, debug)
    settings, paths = _notes_folder(settings, out_dir, (folder,) if folder else ())
    wanted = (vocab.canonical(tag) or tag.removeprefix("#")) if tag else None
    unreadable: list[Unreadable] = []
    every = _find(paths, settings, unreadable)
    notes = filter_notes(every, status=status, tag=wanted)
    if as_json:
        click.echo(json.dumps([info.as_json() for info in notes], ensure_ascii=False, indent=2))
    elif notes:
        print_notes(notes, paths[0] if paths else settings.notes_dir)
    else:
        click.echo(nothing_found(every, _where(paths, settings), status=status, tag=wanted))
    if unreadable:
        # A footer on stderr: never hidden, never mixed into the JSON on stdout.
        count = f"{len(unreadable)} note{'s' if len(unreadable) > 1 else ''}"
        click.echo(f"warning: {count} could not be read (fix or move them):", err=True)
        for problem in unreadable:
            click.echo(f"  {problem.path}: {problem.reason}", err=True)


@click.command()
@click.argument(
    "path", required=False, type=click.Path(path_type=Path), metavar="[NOTE | ID | NOTES_DIR]"
)
@_NOTES_DIR_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["issue", "page"]),
    default="issue",
    show_default=True,
    help="issue: the GitHub issue of NOTE; page: all reviewed notes with --tag, as one page.",
)
@click.option("--tag", metavar="TAG", help="The tag of the page (--format page).")
@_VOCABULARY_OPTION
@click.option("--json", "as_json", is_flag=True, help="issue: {title, body, labels} as JSON.")
@_DEBUG_OPTION
def export(
    path: Path | None,
    out_dir: Path | None,
    fmt: str,
    tag: str | None,
    vocabulary: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """Print a note as a GitHub issue (title line, then the body) or a tag page.

    \b
    summarize export notes/2506.12345.md      the issue: title, blank line, body
    summarize export 2506.12345               the same, the note named by its ID
    summarize export --format page --tag NLP  every reviewed note tagged #NLP
    """
    from summarizer.errors import BadInputError
    from summarizer.notes.export import export_issue, render_page, unchecked_marks
    from summarizer.notes.index import filter_notes, find_notes

    settings, vocab = settings_and_vocabulary(vocabulary, debug)
    settings, paths = _notes_folder(settings, out_dir, (path,) if path else ())
    path = paths[0] if paths else None
    if fmt == "issue":
        if path is None or path.is_dir():
            raise BadInputError("--format issue exports one note; name its file")
        (info,) = find_notes([path])
        issue = export_issue(info)
        if as_json:
            click.echo(json.dumps(issue.as_json(), ensure_ascii=False))
        else:
            click.echo(issue.text, nl=False)
        _warn(issue.warnings)
        return
    if tag is None:
        raise BadInputError("--format page needs --tag TAG (the tag whose page to render)")
    name = vocab.canonical(tag) or " ".join(tag.removeprefix("#").split())
    reviewed = filter_notes(_find((path,) if path else (), settings), status="reviewed")
    carrying = filter_notes(reviewed, tag=name)
    if not carrying:
        from summarizer.tags.match import closest_tags
        from summarizer.tags.vocabulary import Vocabulary, VocabularyTag

        used = Vocabulary([VocabularyTag(t) for info in reviewed for t in info.tags])
        hint = ", ".join(closest_tags(name, used)) or "none"
        raise BadInputError(f"no reviewed note carries #{name} (closest tags in use: {hint})")
    click.echo(render_page(name, carrying), nl=False)
    _warn(unchecked_marks(carrying))


# --- helpers ---------------------------------------------------------------------------


def _notes_folder(
    settings: Settings, out_dir: Path | None, paths: tuple[Path, ...]
) -> tuple[Settings, tuple[Path, ...]]:
    """Settings with ``--notes-dir`` as the notes folder, and the named notes as paths
    (an arXiv ID is its note in that folder)."""
    from summarizer.notes.index import resolve_note_paths

    if out_dir is not None:
        settings = settings.model_copy(update={"notes_dir": out_dir})
    return settings, tuple(resolve_note_paths(paths, settings.notes_dir))


def _find(
    paths: tuple[Path, ...], settings: Settings, unreadable: list[Unreadable] | None = None
) -> list[NoteInfo]:
    from summarizer.errors import BadInputError
    from summarizer.notes.index import find_notes

    if not paths and not settings.notes_dir.is_dir():
        raise BadInputError(
            f"no notes folder {settings.notes_dir}; name one or set SUMMARIZER_NOTES_DIR"
        )
    return find_notes(paths or (settings.notes_dir,), unreadable=unreadable)


def _where(paths: tuple[Path, ...], settings: Settings) -> str:
    return ", ".join(map(str, paths)) if paths else str(settings.notes_dir)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
