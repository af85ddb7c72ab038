"""What ``summarize list`` prints: one row per note, and what an empty result means.

On a terminal a rich table whose long cells end in "…" instead of wrapping (a
title folded over 9-13 rows at 80 columns hid the list); rich measures cells, so
a Japanese character counts two columns.  Piped, one tab-separated line per
note, for ``cut``, ``grep`` and ``awk``.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from summarizer.notes.index import NoteInfo


def nothing_found(every: list[NoteInfo], where: str, *, status: str | None, tag: str | None) -> str:
    """Why the list is empty: "no reviewed notes in notes (4 drafts)"."""
    wanted = f"no {status + ' ' if status else ''}notes{f' tagged #{tag}' if tag else ''}"
    counts = Counter(info.status for info in every)
    if not counts:
        return f"no notes in {where}"
    plural = {"draft": "drafts", "reviewed": "reviewed"}
    there = ", ".join(
        f"{count} {plural.get(name, name) if count != 1 else name}"
        for name, count in sorted(counts.items())
    )
    return f"{wanted} in {where} ({there})"


def print_notes(notes: list[NoteInfo], folder: Path) -> None:
    """The notes as a table on a terminal, as tab-separated lines otherwise."""
    rows = [_row(info, folder) for info in notes]
    if not sys.stdout.isatty():
        for row in rows:
            sys.stdout.write("\t".join(" ".join(cell.split()) for cell in row) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    table.add_column("path", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("date", no_wrap=True)
    # rich narrows only wrappable columns to fit: these two, whose cells then end
    # in "…" rather than wrap (the cell's own no_wrap).
    table.add_column("title line")
    table.add_column("tags", max_width=30)
    for path, status, date, title, tags in rows:
        style = "dim" if tags.endswith("(suggested)") else ""
        table.add_row(path, status, date, _one_line(title), _one_line(tags, style))
    Console(highlight=False).print(table)


def _one_line(text: str, style: str = "") -> Any:
    from rich.text import Text

    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _row(info: NoteInfo, folder: Path) -> tuple[str, str, str, str, str]:
    from summarizer.notes.note import hashtags_line

    status = info.status + (" (edited)" if info.state.value == "edited" else "")
    moment = info.reviewed_at or info.created
    date = moment.astimezone().date().isoformat() if moment else ""
    tags = hashtags_line(info.tags)
    if info.status != "reviewed" and info.tags:
        tags += " (suggested)"
    return (_relative(info.path, folder), status, date, info.title_line, tags)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
