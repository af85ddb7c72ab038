"""``summarize publish``: a reviewed note filed as a GitHub issue, once.

The issue is what ``summarize export`` prints (:func:`summarizer.notes.export.export_issue`):
the title line, the house body, the note's tags as labels.  Where it was filed is
recorded in the note (:mod:`summarizer.publish.record`), so publishing the note again
updates that issue instead of filing a duplicate.

Labels: GitHub creates a label that does not exist when an issue names it, and the
house's tag pages are built from labels, so a tag spelled wrong would quietly start a
new tag page.  The repository's labels are therefore read first; a tag that is not
one of them stops the publish before anything is filed (nothing to undo), unless
``--create-labels`` says to create them.  On an update, labels someone added on
GitHub by hand are kept: only those the last publish set are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarizer.errors import BadInputError, GitHubUnavailableError, MissingLabelsError
from summarizer.notes.export import Issue, export_issue
from summarizer.notes.front_matter import PublishedIssue
from summarizer.notes.index import NoteInfo, find_notes
from summarizer.papers.refs import is_arxiv_reference, parse_reference
from summarizer.publish.github import GitHubClient
from summarizer.publish.record import record_issue

# GitHub's colour for a label it creates itself; the person recolours them at will.
NEW_LABEL_COLOR = "ededed"
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def check_repo(repo: str | None) -> str:
    """``OWNER/NAME`` as given, or :class:`BadInputError` saying how to name one."""
    if repo is None:
        raise BadInputError(
            "no repository to publish to: pass --repo OWNER/NAME or set repo under "
            "[publish] in config.toml (or SUMMARIZER_PUBLISH_REPO)"
        )
    if not _REPO.fullmatch(repo) or repo.endswith((".", "/..")):
        raise BadInputError(f"not a GitHub repository: {repo!r}; expected OWNER/NAME")
    return repo


def note_path(name: str, notes_dir: Path) -> Path:
    """The note a person named: a file, or an arXiv ID/URL (its note in ``notes_dir``)."""
    path = Path(name).expanduser()
    if path.is_file() or not is_arxiv_reference(name):
        return path
    by_id = notes_dir / f"{parse_reference(name).safe_name}.md"
    if not by_id.is_file():
        raise BadInputError(f"no note {by_id} for {name}; draft it first: summarize {name}")
    return by_id


@dataclass(frozen=True)
class Request:
    """One write request to GitHub, as ``--dry-run`` prints it."""

    method: str
    path: str  # under the API URL
    payload: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """What publishing a note means: the issue, and whether it creates or updates."""

    info: NoteInfo
    repo: str
    issue: Issue
    previous: PublishedIssue | None

    @property
    def request(self) -> Request:
        payload = self.issue.as_json()
        if self.previous is None:
            return Request("POST", f"/repos/{self.repo}/issues", payload)
        return Request("PATCH", f"/repos/{self.repo}/issues/{self.previous.number}", payload)


def plan(path: Path, repo: str, *, unreviewed: bool) -> Plan:
    """Read the note and decide (no request yet); refuses a note not reviewed unless
    ``unreviewed``, and a note already filed in another repository."""
    (info,) = find_notes([path])
    if info.status != "reviewed" and not unreviewed:
        raise BadInputError(
            f"{info.path} is not reviewed (status: {info.status or 'none'}); review it "
            "first (summarize review), or pass --unreviewed to publish its suggested tags"
        )
    previous = info.meta.github_issue
    if previous is None and info.meta.has("github_issue"):
        # Read leniently as absent, it would file a second issue: the person fixes it.
        raise BadInputError(
            f"{info.path}: github_issue in its front matter is not readable (it needs repo, "
            "number and url); fix it, or remove it to file a new issue"
        )
    if previous is not None and previous.repo.lower() != repo.lower():
        raise BadInputError(
            f"{info.path} is already published in {previous.repo} as {previous.url}; "
            f"publishing it to {repo} would make a second issue: remove github_issue from "
            "its front matter first if that is what you want"
        )
    return Plan(info=info, repo=repo, issue=export_issue(info), previous=previous)


@dataclass(frozen=True)
class Published:
    number: int
    url: str
    created: bool  # False: an existing issue was updated
    new_labels: list[str]


def publish(
    planned: Plan,
    client: GitHubClient,
    *,
    create_labels: bool,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Published:
    """File or update the issue, then record it in the note."""
    labels, missing = _labels(planned.issue.labels, client.label_names())
    if missing and not create_labels:
        raise MissingLabelsError(planned.repo, missing)
    for name in missing:
        client.create_label(name, NEW_LABEL_COLOR)
    payload = {**planned.issue.as_json(), "labels": labels}
    previous = planned.previous
    if previous is None:
        answer = client.create_issue(payload)
    else:
        current = client.get_issue(previous.number)
        payload["labels"] = labels + _kept_labels(current, previous.labels, labels)
        answer = client.update_issue(previous.number, payload)
    try:
        number, url = int(answer["number"]), str(answer["html_url"])
    except (KeyError, TypeError, ValueError):
        raise GitHubUnavailableError(
            f"its answer names no issue; look at {planned.repo} on GitHub before trying again"
        ) from None
    record = PublishedIssue(
        repo=planned.repo,
        number=number,
        url=url,
        published_at=now().astimezone(UTC).replace(microsecond=0),
        labels=labels,
    )
    try:
        record_issue(planned.info.path, record)
    except OSError as error:
        raise BadInputError(
            f"filed {url}, but could not record it in {planned.info.path} "
            f"({error.strerror or error}); add github_issue with repo {planned.repo}, "
            f"number {number} and url {url} to its front matter before publishing it again"
        ) from None
    return Published(number=number, url=url, created=previous is None, new_labels=missing)


def _labels(tags: list[str], existing: list[str]) -> tuple[list[str], list[str]]:
    """The labels to send (the repository's spelling: GitHub matches case-insensitively)
    and the tags that are no label yet."""
    by_key = {name.casefold(): name for name in existing}
    labels = [by_key.get(tag.casefold(), tag) for tag in tags]
    missing = [tag for tag in tags if tag.casefold() not in by_key]
    return labels, missing


def _kept_labels(current: dict[str, Any], published: list[str], labels: list[str]) -> list[str]:
    """Labels on the issue that the last publish did not set: someone added them on
    GitHub, so they stay."""
    ours = {name.casefold() for name in [*published, *labels]}
    names = [str(label.get("name", "")) for label in current.get("labels") or []]
    return [name for name in names if name and name.casefold() not in ours]
