"""``summarize tags suggest``, ``tags accept`` and ``vocab build``: tags without the
review screen."""

from __future__ import annotations

import json
from pathlib import Path

import click

from summarizer.cli.options import (
    debug_option,
    notes_dir_option,
    notes_vocabulary_option,
    settings_and_vocabulary,
)


@click.group()
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
@debug_option()
def tags_suggest(
    input_path: Path,
    history: Path | None,
    top_k: int,
    no_llm: bool,
    vocabulary: Path | None,
    debug: bool,
) -> None:
    """Print one JSON line per paper: {"id", "tags" (best first), "scores"}."""
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.drafting.tagging import suggest_for_papers
    from summarizer.settings import load_settings

    settings = load_settings(
        {"history": history, "tag_llm": False if no_llm else None, "vocabulary": vocabulary}
    )
    configure_logging(debug, secrets=secrets_of(settings))
    for line in suggest_for_papers(input_path, settings, top_k=top_k):
        click.echo(json.dumps(line, ensure_ascii=False))


@tags.command("accept")
@click.argument("note_paths", nargs=-1, required=True, metavar="NOTE|ID...", type=Path)
@notes_dir_option()
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
@notes_vocabulary_option()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per note.")
@debug_option("Show tracebacks.")
def tags_accept(
    note_paths: tuple[Path, ...],
    out_dir: Path | None,
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

    NOTE is a note's path or its paper's arXiv ID (the note in the notes folder).
    Writes tags, rejected_tags, status: reviewed and reviewed_at, and the body's
    hashtags line; nothing else in the note changes.  Every note is checked
    before any is written.
    """
    from summarizer.errors import BadInputError
    from summarizer.notes.edit import save_decision
    from summarizer.notes.index import find_notes, resolve_note_paths
    from summarizer.notes.note import hashtags_line
    from summarizer.review.session import plan_decision, resolve_additions
    from summarizer.tags.match import record_candidates

    if accept_all and only is not None:
        raise BadInputError("--all and --only exclude each other; pass one")
    if not (accept_all or only is not None or add or remove):
        raise BadInputError("say which tags: --all, --only A,B, --add TAG or --remove TAG")
    settings, vocab = settings_and_vocabulary(vocabulary, debug)
    additions, new_tags = resolve_additions(split_tags(add, "--add"), vocab, allow_new=allow_new)
    plans = []
    for path in resolve_note_paths(note_paths, out_dir or settings.notes_dir):
        if path.is_dir():
            raise BadInputError(f"{path} is a folder; name the note files")
        (info,) = find_notes([path])
        decision = plan_decision(
            info,
            accept_all=accept_all,
            only=None if only is None else split_tags(only, "--only"),
            add=additions,
            remove=split_tags(remove, "--remove"),
            vocabulary=vocab,
        )
        plans.append((info, decision))
    for info, decision in plans:
        save_decision(info.path, decision)
        if new_tags:
            record_candidates(settings.home, new_tags, info.path)
        if as_json:
            line = {"path": str(info.path), "tags": decision.accepted}
            click.echo(json.dumps({**line, "rejected_tags": decision.rejected}, ensure_ascii=False))
        else:
            click.echo(f"{info.path}: {hashtags_line(decision.accepted)}")
    if new_tags and not as_json:
        click.echo(f"new tags recorded in {settings.home / 'vocabulary-candidates.tsv'}", err=True)


def split_tags(values: tuple[str, ...] | str, option: str) -> list[str]:
    """``--add A,B --add C`` (or ``--only A,B``) as ``[A, B, C]``.

    A value with no tag in it (``--add ""``, often an empty shell variable) is
    refused: read as "no tags" it would mark the note reviewed with every suggestion
    rejected, which then teaches the suggester false negatives.
    """
    from summarizer.errors import BadInputError

    items = [values] if isinstance(values, str) else list(values)
    for item in items:
        if not any(part.strip() for part in item.split(",")):
            raise BadInputError(
                f"empty tag value {option} {item!r} (an unset shell variable?); "
                "give a tag name, nothing was written"
            )
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


@click.group()
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
