"""``summarize publish NOTE``: file a reviewed note as a GitHub issue, or update it."""

from __future__ import annotations

import json
import sys

import click

from summarizer.cli.options import debug_option


@click.command()
@click.argument("note", metavar="NOTE")
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="The repository of your notes (default: repo under [publish] in config.toml).",
)
@click.option(
    "--create-labels",
    is_flag=True,
    help="Create the note's tags that are not labels of the repository yet "
    "(without it, such tags stop the publish).",
)
@click.option(
    "--unreviewed",
    is_flag=True,
    help="Publish a note that is not reviewed yet (its suggested tags become labels).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the request instead of sending it (no token needed)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the issue URL.")
@debug_option()
def publish(
    note: str,
    repo: str | None,
    create_labels: bool,
    unreviewed: bool,
    dry_run: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """File a reviewed note as a GitHub issue, or update its issue.

    NOTE is a note file, or an arXiv ID whose note is in your notes folder.  The
    issue is what 'summarize export' prints: title line, house body, tags as
    labels.  Its URL is recorded in the note, so publishing again updates the
    same issue.  The token comes from GITHUB_TOKEN, GH_TOKEN or 'gh auth token'.

    \b
    summarize publish 2506.12345 --repo me/paper-notes
    summarize publish notes/2506.12345.md --dry-run
    """
    from summarizer.cli.terminal import configure_logging, secrets_of
    from summarizer.publish.issue import check_repo, note_path, plan
    from summarizer.settings import load_settings

    settings = load_settings()
    configure_logging(debug, secrets=secrets_of(settings))
    target = check_repo(repo or settings.publish.repo)
    planned = plan(note_path(note, settings.notes_dir), target, unreviewed=unreviewed)
    api_url = settings.publish.api_url.rstrip("/")
    if dry_run:
        request = planned.request
        click.echo(f"{request.method} {api_url}{request.path}")
        click.echo("Authorization: Bearer <token from GITHUB_TOKEN, GH_TOKEN or gh; not shown>")
        click.echo()
        click.echo(json.dumps(request.payload, ensure_ascii=False, indent=2))
        click.echo(
            f"dry run: nothing sent; the labels are checked against {target} when run for real",
            err=True,
        )
        _warn(planned.issue.warnings)
        return
    from summarizer.cli.terminal import DraftStatus
    from summarizer.publish.github import GitHubClient
    from summarizer.publish.issue import publish as publish_note
    from summarizer.publish.token import check_api_url, find_token

    check_api_url(api_url)
    token = find_token()
    configure_logging(debug, secrets=[*secrets_of(settings), token.value])
    verb = "updating" if planned.previous else "publishing"
    if not quiet and not sys.stderr.isatty():
        click.echo(f"{verb} {planned.info.path} in {target} …", err=True)
    with (
        DraftStatus() if not quiet else _Nothing() as status,
        GitHubClient(api_url, target, token.value, timeout=settings.http_timeout) as client,
    ):
        status.update(f"{verb} {planned.info.path} in {target}")
        done = publish_note(planned, client, create_labels=create_labels)
    click.echo(done.url)
    if not quiet:
        if done.new_labels:
            click.echo(f"created label(s) {', '.join(done.new_labels)} in {target}", err=True)
        action = "filed" if done.created else "updated"
        click.echo(f"{action} issue #{done.number}; recorded in {planned.info.path}", err=True)
    _warn(planned.issue.warnings)


class _Nothing:
    """The progress of --quiet: none."""

    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def update(self, message: str) -> None:
        return None


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
