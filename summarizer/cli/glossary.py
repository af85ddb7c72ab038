"""``summarize glossary build`` and ``glossary show``: the house glossary of terms."""

from __future__ import annotations

from pathlib import Path

import click

from summarizer.cli.options import debug_option

_HISTORY_HELP = (
    "Your notes, JSONL or a notes folder (default: the configured history; reviewed "
    "notes in your notes folder always count)."
)


@click.group()
def glossary() -> None:
    """Which English terms you keep in English and which you translate, and how."""


@glossary.command("build")
@click.option("--history", type=click.Path(path_type=Path), help=_HISTORY_HELP)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@debug_option()
def glossary_build(history: Path | None, quiet: bool, debug: bool) -> None:
    """Learn the glossary from your notes' Abstract, Translation and Summary.

    Writes glossary.tsv in the user directory; rows you changed, added or deleted
    there stay as you left them.
    """
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.drafting.user_log import history_sources
    from summarizer.errors import ConfigError
    from summarizer.settings import load_settings
    from summarizer.tags.glossary_file import build_glossary, glossary_path, learned_path

    settings = load_settings({"history": history})
    configure_logging(debug, secrets=secrets_of(settings))
    sources = history_sources(settings)
    if not sources:
        raise ConfigError(
            "no notes to learn a glossary from: pass --history PATH "
            f"(JSONL or a notes folder), or review notes in {settings.notes_dir}"
        )
    if not quiet:
        click.echo("learning the glossary from your notes…", err=True)
    result = build_glossary(glossary_path(settings), learned_path(settings), sources)
    if not quiet:
        keep = sum(1 for t in result.terms if t.kind == "keep")
        click.echo(
            f"{result.path}: {len(result.terms)} terms ({keep} kept in English, "
            f"{len(result.terms) - keep} translated) from {result.notes} notes"
            + (f"; {result.hand_rows} of your own rows kept" if result.hand_rows else "")
        )


@glossary.command("show")
@click.option("--history", type=click.Path(path_type=Path), help=_HISTORY_HELP)
@click.option(
    "--paper",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Show only the terms a text (an abstract, say) uses, as the prompts get them.",
)
@debug_option()
def glossary_show(history: Path | None, paper: Path | None, debug: bool) -> None:
    """Print the glossary (rebuilt first if your notes changed)."""
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.drafting.user_log import history_sources
    from summarizer.errors import BadInputError
    from summarizer.settings import load_settings
    from summarizer.tags.glossary import glossary_for, render_for_prompt
    from summarizer.tags.glossary_file import glossary_path, learned_path, load_glossary

    settings = load_settings({"history": history})
    configure_logging(debug, secrets=secrets_of(settings))
    path = glossary_path(settings)
    terms = load_glossary(path, learned_path(settings), history_sources(settings))
    if not terms:
        click.echo(f"no glossary yet ({path}); run: summarize glossary build --history PATH")
        return
    if paper is not None:
        try:
            text = paper.read_text(encoding="utf-8")[:200_000]
        except (OSError, UnicodeDecodeError) as error:
            raise BadInputError(f"cannot read {paper}: {error}") from None
        click.echo(render_for_prompt(glossary_for(text, terms)) or "(no glossary term in it)")
        return
    click.echo(f"# {path}: {len(terms)} terms")
    width = max(len(t.term) for t in terms)
    for t in terms:
        learned = f"{t.notes} notes, {t.share:.0%}" if t.notes else "yours"
        click.echo(f"{t.term:<{width}}  {t.kind:<9}  {t.japanese}  ({learned})")
