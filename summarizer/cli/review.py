"""Command-line interface of review, list, export and ``tags accept``.

Parse options, call the library, print.  Heavy imports (rich, prompt_toolkit,
yaml via the note modules) happen inside the commands, so ``summarize --help``
stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from summarizer.notes.edit import TagDecision
    from summarizer.notes.index import NoteInfo
    from summarizer.settings import Settings
    from summarizer.tags.vocabulary import Vocabulary

_VOCABULARY_OPTION = click.option(
    "--vocabulary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your controlled vocabulary (default: SUMMARIZER_VOCABULARY or the built-in one).",
)
_DEBUG_OPTION = click.option("--debug", is_flag=True, help="Show tracebacks.")


def register(cli: click.Group, tags: click.Group) -> None:
    """Add the review commands to the top-level group and ``tags``."""
    cli.add_command(review)
    cli.add_command(list_notes)
    cli.add_command(export)
    tags.add_command(tags_accept)


@click.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path), metavar="[NOTES_DIR | NOTE.md ...]"
)
@_VOCABULARY_OPTION
@_DEBUG_OPTION
def review(paths: tuple[Path, ...], vocabulary: Path | None, debug: bool) -> None:
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

    settings, vocab = _settings_and_vocabulary(vocabulary, debug)
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


@click.command("accept")
@click.argument("note_paths", nargs=-1, required=True, metavar="NOTE...", type=Path)
@click.option("--all", "accept_all", is_flag=True, help="Accept every suggested tag.")
@click.option(
    "--only", metavar="A,B", help="Accept only these suggested tags (A,B); the others are rejected."
)
@click.option("--add", multiple=True, metavar="TAG", help="Add a vocabulary tag (repeat, or A,B).")
@click.option(
    "--remove", multiple=True, metavar="TAG", help="Remove a tag; it is recorded as rejected."
)
@click.option(
    "--new",
    "allow_new",
    is_flag=True,
    help="Allow --add tags outside the vocabulary (recorded as vocabulary candidates).",
)
@_VOCABULARY_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per note.")
@_DEBUG_OPTION
def tags_accept(
    note_paths: tuple[Path, ...],
    accept_all: bool,
    only: str | None,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    allow_new: bool,
    vocabulary: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """Finish the review of NOTE without a terminal: set its tags, mark it reviewed.

    Writes tags, rejected_tags, status: reviewed and reviewed_at, and the body's
    hashtags line; nothing else in the note changes.  Every note is checked
    before any is written.
    """
    from summarizer.errors import BadInputError
    from summarizer.notes.edit import save_decision
    from summarizer.notes.index import find_notes
    from summarizer.tags.match import record_candidates

    if accept_all and only is not None:
        raise BadInputError("--all and --only exclude each other; pass one")
    if not (accept_all or only is not None or add or remove):
        raise BadInputError("say which tags: --all, --only A,B, --add TAG or --remove TAG")
    settings, vocab = _settings_and_vocabulary(vocabulary, debug)
    additions, new_tags = _resolve_additions(_split(add), vocab, allow_new)
    plans: list[tuple[NoteInfo, TagDecision]] = []
    for path in note_paths:
        if path.is_dir():
            raise BadInputError(f"{path} is a folder; name the note files")
        (info,) = find_notes([path])
        plans.append((info, _plan(info, accept_all, only, additions, _split(remove), vocab)))
    for info, decision in plans:
        save_decision(info.path, decision)
        if new_tags:
            record_candidates(settings.home, new_tags, info.path)
        if as_json:
            line = {"path": str(info.path), "tags": decision.accepted}
            click.echo(json.dumps({**line, "rejected_tags": decision.rejected}, ensure_ascii=False))
        else:
            click.echo(f"{info.path}: {_hashtags(decision.accepted)}")
    if new_tags and not as_json:
        click.echo(f"new tags recorded in {settings.home / 'vocabulary-candidates.tsv'}", err=True)


@click.command("list")
@click.argument("folder", required=False, type=click.Path(path_type=Path), metavar="[NOTES_DIR]")
@click.option("--status", type=click.Choice(["draft", "reviewed"]), help="Only these notes.")
@click.option(
    "--tag", metavar="TAG", help="Only notes carrying this tag (a draft: among its suggestions)."
)
@_VOCABULARY_OPTION
@click.option("--json", "as_json", is_flag=True, help="A JSON list instead of the table.")
@_DEBUG_OPTION
def list_notes(
    folder: Path | None,
    status: str | None,
    tag: str | None,
    vocabulary: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """List the notes, newest first: status, date, title line and tags."""
    from summarizer.notes.index import filter_notes

    settings, vocab = _settings_and_vocabulary(vocabulary, debug)
    paths = (folder,) if folder else ()
    wanted = (vocab.canonical(tag) or tag) if tag else None
    notes = filter_notes(_find(paths, settings), status=status, tag=wanted)
    if as_json:
        click.echo(json.dumps([info.as_json() for info in notes], ensure_ascii=False, indent=2))
        return
    _print_table(notes, folder or settings.notes_dir)


@click.command()
@click.argument(
    "path", required=False, type=click.Path(path_type=Path), metavar="[NOTE | NOTES_DIR]"
)
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
    fmt: str,
    tag: str | None,
    vocabulary: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """Print a note as a GitHub issue (title line, then the body) or a tag page.

    \b
    summarize export notes/2506.12345.md      the issue: title, blank line, body
    summarize export --format page --tag NLP  every reviewed note tagged #NLP
    """
    from summarizer.errors import BadInputError
    from summarizer.notes.export import export_issue, render_page, unchecked_marks
    from summarizer.notes.index import filter_notes, find_notes

    settings, vocab = _settings_and_vocabulary(vocabulary, debug)
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


def _settings_and_vocabulary(vocabulary: Path | None, debug: bool) -> tuple[Settings, Vocabulary]:
    from summarizer.cli import _configure_logging, _secrets_of
    from summarizer.settings import load_settings
    from summarizer.tags.vocabulary import load_vocabulary

    settings = load_settings({"vocabulary": vocabulary})
    _configure_logging(debug, secrets=_secrets_of(settings))
    return settings, load_vocabulary(settings.vocabulary)


def _find(paths: tuple[Path, ...], settings: Settings) -> list[NoteInfo]:
    from summarizer.errors import BadInputError
    from summarizer.notes.index import find_notes

    if not paths and not settings.notes_dir.is_dir():
        raise BadInputError(
            f"no notes folder {settings.notes_dir}; name one or set SUMMARIZER_NOTES_DIR"
        )
    return find_notes(paths or (settings.notes_dir,))


def _where(paths: tuple[Path, ...], settings: Settings) -> str:
    return ", ".join(map(str, paths)) if paths else str(settings.notes_dir)


def _split(values: tuple[str, ...] | str | None) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _resolve_additions(
    names: list[str], vocab: Vocabulary, allow_new: bool
) -> tuple[list[str], list[str]]:
    from summarizer.tags.match import resolve_tag

    resolved: list[str] = []
    new: list[str] = []
    for name in names:
        canonical, is_new = resolve_tag(name, vocab, allow_new=allow_new)
        resolved.append(canonical)
        if is_new:
            new.append(canonical)
    return resolved, new


def _plan(
    info: NoteInfo,
    accept_all: bool,
    only: str | None,
    additions: list[str],
    removals: list[str],
    vocab: Vocabulary,
) -> TagDecision:
    from summarizer.errors import BadInputError
    from summarizer.notes.note import tag_list
    from summarizer.review.session import decide

    suggested = tag_list(info.front.get("suggested_tags"))
    chosen: list[str] | None = list(suggested) if accept_all else None
    if only is not None:
        chosen = [_one_of(name, suggested, vocab, "suggested tags", info) for name in _split(only)]
    remove = []
    if removals:
        current = decide(info.note, accept_suggested=chosen, add=additions)
        remove = [_one_of(name, current.accepted, vocab, "tags", info) for name in removals]
    decision = decide(
        info.note, accept_suggested=chosen, add=additions, remove=remove, vocabulary=vocab
    )
    if accept_all and not suggested and not additions:
        raise BadInputError(f"{info.path} has no suggested tags; add some with --add TAG")
    return decision


def _one_of(name: str, tags: list[str], vocab: Vocabulary, what: str, info: NoteInfo) -> str:
    from summarizer.errors import BadInputError
    from summarizer.notes.note import tag_key

    wanted = {tag_key(name), tag_key(vocab.canonical(name) or name)}
    for tag in tags:
        if tag_key(tag) in wanted:
            return tag
    listed = _hashtags(tags) or "none"
    raise BadInputError(f"{name!r} is not among the {what} of {info.path} ({listed})")


def _hashtags(tags: list[str]) -> str:
    return " ".join(f"#{tag}" for tag in tags)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _print_table(notes: list[NoteInfo], folder: Path) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not notes:
        console.print(f"no notes in {folder}")
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("path", overflow="fold")
    table.add_column("status")
    table.add_column("date", no_wrap=True)
    table.add_column("title line", overflow="fold", ratio=3)
    table.add_column("tags", overflow="fold", ratio=2)
    for info in notes:
        status = info.status + (" (edited)" if info.state.value == "edited" else "")
        moment = info.reviewed_at or info.created
        date = moment.astimezone().date().isoformat() if moment else ""
        tags = Text(_hashtags(info.tags))
        if info.status != "reviewed" and info.tags:
            tags = Text(f"{tags} (suggested)", style="dim")
        cells = (_relative(info.path, folder), status, date, info.title_line)
        table.add_row(*(Text(cell) for cell in cells), tags)
    console.print(table)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
