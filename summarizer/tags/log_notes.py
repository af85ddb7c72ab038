"""The person's notes log as the glossary and related notes read it: every part of a note.

The tag suggester needs only title, abstract and tags (:mod:`summarizer.tags.history`);
the glossary needs the Japanese the person kept (translation, summary) next to the
English abstract, and related notes need each note's title line and where it lives.
Same two sources as the history, read with the same rules:

* a JSONL file, one note per line: ``title`` (the house title line) and ``abstract``
  are required; ``translation_ja`` / ``translation``, ``summary_ja`` / ``summary``,
  ``comment_text`` / ``comment``, ``url``, ``issue`` and ``tags`` are used when there.
* a folder of this tool's notes: the reviewed ones, with the ``# Abstract``,
  ``# Translation``, ``# Summary`` and ``# Comment`` sections; the link is the path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import HistoryFormatError
from summarizer.fsutil import read_user_text
from summarizer.notes.sections import section_content
from summarizer.tags.history import paper_title, reviewed_notes, section_text, title_key


@dataclass(frozen=True)
class LogNote:
    title_line: str  # as the house writes it: "[Paper Note] Title, Author+, arXiv'25, 2025.01"
    title: str  # the paper title alone
    abstract: str
    translation: str = ""
    summary: str = ""
    comment: str = ""
    link: str = ""  # the issue or arXiv URL, or the note's path
    tags: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"

    @property
    def japanese(self) -> str:
        return f"{self.translation}\n{self.summary}"


def load_log(paths: Sequence[Path]) -> list[LogNote]:
    """Every source as one log; a paper in more than one counts once (later wins)."""
    by_title: dict[str, LogNote] = {}
    for path in paths:
        notes = _load_folder(path) if path.is_dir() else _load_jsonl(path)
        for note in notes:
            key = title_key(note.title)
            by_title.pop(key, None)
            by_title[key] = note
    return list(by_title.values())


def _text(row: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = row.get(key)
        if isinstance(value, str):
            return value.strip()
    return ""


def _load_jsonl(path: Path) -> list[LogNote]:
    notes: list[LogNote] = []
    for number, line in enumerate(read_user_text(path, HistoryFormatError).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise HistoryFormatError(str(path), f"not JSON ({error.msg})", number) from None
        title_line, abstract = (
            row.get(k) if isinstance(row, dict) else None for k in ("title", "abstract")
        )
        if (
            not isinstance(title_line, str)
            or not title_line.strip()
            or not isinstance(abstract, str)
        ):
            raise HistoryFormatError(str(path), "needs string fields title and abstract", number)
        link = _text(row, "url")
        if isinstance(row.get("issue"), int) and not link:
            link = f"#{row['issue']}"
        tags = row.get("tags")
        notes.append(
            LogNote(
                title_line=" ".join(title_line.split()),
                title=paper_title(title_line),
                abstract=" ".join(abstract.split()),
                translation=_text(row, "translation_ja", "translation"),
                summary=_text(row, "summary_ja", "summary"),
                comment=_text(row, "comment_text", "comment"),
                link=link,
                tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
            )
        )
    return notes


def _load_folder(folder: Path) -> list[LogNote]:
    notes: list[LogNote] = []
    for path, note in reviewed_notes(folder):
        meta = note.meta
        if not meta.title:
            continue

        notes.append(
            LogNote(
                title_line=meta.title_line or meta.title,
                title=paper_title(meta.title),
                abstract=section_text(note.body, "Abstract"),
                translation=section_text(note.body, "Translation"),
                summary=section_text(note.body, "Summary"),
                comment=section_content(note.body, "Comment") or "",
                link=str(path),
                tags=tuple(meta.tags),
            )
        )
    return notes
