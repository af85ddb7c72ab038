"""Export reviewed notes in the house formats: a GitHub issue, or a tag page.

Issue: the title is the note's ``title_line``; the body is the note body (hashtags
line, ``# URL``, ``# Authors``, ``# Abstract``, ``# Translation``, ``# Summary``,
``# Comment``) without the YAML front matter and without the tool's reviewer
aids, which are not for publication:

* the ``> ⚠ 要確認: …`` lines that flag a section the model did not write in Japanese;
* the unfilled ``## 所感`` placeholder of the Comment draft (and a Comment heading
  left with nothing under it).

The ``関連:`` block's related notes (the ones the person kept) are printed as the
house writes them: the title line alone, without the draft's link
(:mod:`summarizer.notes.related_block`).

The inline ``（⚠要確認）`` marks after a number or name the paper does not contain
are kept: removing them would publish an unchecked claim as checked.  They are
reported as a warning instead, so the person fixes the sentence first.

Page: every reviewed note carrying a tag, newest first, as the house tag pages
lay them out: the tag name, then per note the hashtags line, ``Issue Date:``, the
title line, ``Summary`` and its text, ``Comment`` and its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from summarizer.notes.index import NoteInfo
from summarizer.notes.note import ATTENTION_MARK, MARKER, hashtags_line
from summarizer.notes.related_block import house_related
from summarizer.notes.sections import section_content

# Kept equal to summarizer.drafting.comment.IMPRESSION_PLACEHOLDER (a test checks it); not
# imported from there because that module pulls in LangChain.
IMPRESSION_PLACEHOLDER = "## 所感\n- (ここに所感を書く)"
_EMPTY_COMMENT_AT_END = re.compile(r"\n*^# Comment[ \t]*\n*\Z", re.MULTILINE)


@dataclass(frozen=True)
class Issue:
    title: str
    body: str
    labels: list[str]
    warnings: list[str]

    @property
    def text(self) -> str:
        """Title line, a blank line, then the body: what ``--format issue`` prints."""
        return f"{self.title}\n\n{self.body}"

    def as_json(self) -> dict[str, object]:
        return {"title": self.title, "body": self.body, "labels": self.labels}


def export_issue(info: NoteInfo) -> Issue:
    warnings: list[str] = []
    if info.status != "reviewed":
        warnings.append(
            f"{info.path} is not reviewed yet (status: {info.status or 'none'}); "
            "its tags are only suggestions"
        )
    body = publishable(info.note.body)
    warnings += unchecked_marks([info])
    labels = info.meta.tags if info.status == "reviewed" else info.tags
    return Issue(title=info.title_line, body=body, labels=labels, warnings=warnings)


def unchecked_marks(notes: Iterable[NoteInfo]) -> list[str]:
    """A warning per note that still has the fact check's marks in its text."""
    warnings: list[str] = []
    for info in notes:
        marks = publishable(info.note.body).count(MARKER)
        if marks:
            warnings.append(
                f"{info.path} still has {marks} {MARKER} mark(s) on numbers or names the paper "
                "does not contain; check and remove them before publishing"
            )
    return warnings


def publishable(markdown: str) -> str:
    """``markdown`` without the reviewer aids listed in the module docstring."""
    lines = [line for line in markdown.split("\n") if not line.startswith(ATTENTION_MARK)]
    text = house_related("\n".join(lines)).replace(IMPRESSION_PLACEHOLDER, "")
    text = _EMPTY_COMMENT_AT_END.sub("", text.rstrip())
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def render_page(tag: str, notes: Iterable[NoteInfo]) -> str:
    """One tag page; ``notes`` are the reviewed notes carrying ``tag``."""
    entries = sorted(notes, key=_issued, reverse=True)
    parts = [f"{tag}\n"]
    for info in entries:
        parts.append(_page_entry(info))
    return "\n".join(parts)


def _page_entry(info: NoteInfo) -> str:
    lines = [
        hashtags_line(info.meta.tags),
        f"Issue Date: {_issue_date(info)}",
        info.title_line,
    ]
    summary = _plain_items(publishable(section_content(info.note.body, "Summary") or ""))
    if summary:
        lines += ["Summary", summary]
    comment = publishable(section_content(info.note.body, "Comment") or "").strip()
    if comment:
        lines += ["Comment", comment]
    return "\n".join(lines) + "\n"


def _issued(info: NoteInfo) -> datetime:
    # The issue is filed once the note is reviewed.
    return info.reviewed_at or info.created or datetime.fromtimestamp(0, UTC)


def _issue_date(info: NoteInfo) -> str:
    return _issued(info).astimezone().date().isoformat()  # the person's local date


def _plain_items(text: str) -> str:
    """A one-item list (``- text``) as plain text, as the page shows a summary."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(line.removeprefix("- ") for line in lines)
