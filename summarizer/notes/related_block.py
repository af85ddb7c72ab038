"""The ``関連:`` block of a note's Comment: related notes of the person's log.

The house writes related notes at the end of a comment as a ``関連:`` line and one
``- [Paper Note] …`` title line per note.  A draft writes each as a Markdown link
(``- [title line](link or path)``), so the reviewer can open it; the front matter's
``related`` records every suggestion with its similarity score.  Review drops the
lines of the notes the person does not keep (:func:`drop_related`, which changes
only those lines); export prints the kept ones in the house form, the title line
alone (:func:`house_related`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from summarizer.errors import NoteFormatError
from summarizer.fsutil import atomic_write_bytes

HEADING = "関連:"
# "- [[Paper Note] Title, A+, arXiv'25, 2025.01](https://…)": the link text may hold
# brackets; the link is the last parenthesised part of the line.
_LINK_LINE = re.compile(r"^- \[(?P<title>.+)\]\((?P<link>[^()\s]*)\)\s*$")


def related_line(title_line: str, link: str) -> str:
    return f"- [{title_line}]({link})" if link else f"- {title_line}"


def render_block(items: Iterable[tuple[str, str]]) -> str:
    """``関連:`` and a line per (title line, link); '' for none."""
    lines = [related_line(title, link) for title, link in items]
    return "\n".join([HEADING, *lines]) if lines else ""


def house_related(markdown: str) -> str:
    """Lines of ``関連:`` blocks as the house writes them: the title line alone."""
    out: list[str] = []
    in_block = False
    for line in markdown.split("\n"):
        if line.strip() == HEADING:
            in_block = True
        elif in_block and line.startswith("- "):
            match = _LINK_LINE.match(line)
            line = f"- {match.group('title')}" if match else line
        else:
            in_block = False
        out.append(line)
    return "\n".join(out)


def drop_from_text(text: str, title_lines: Sequence[str]) -> str:
    """``text`` without the ``関連:`` lines of ``title_lines`` (and a block left empty)."""
    drop = {" ".join(t.split()) for t in title_lines}
    lines = text.split("\n")
    out: list[str] = []
    block_start: int | None = None
    for line in lines:
        if line.strip() == HEADING:
            block_start = len(out)
        elif block_start is not None and line.startswith("- "):
            match = _LINK_LINE.match(line)
            title = match.group("title") if match else line[2:]
            if " ".join(title.split()) in drop:
                continue
        else:
            if block_start is not None and len(out) == block_start + 1:
                out.pop()  # the heading of a block left empty
            block_start = None
        out.append(line)
    if block_start is not None and len(out) == block_start + 1:
        out.pop()
    return "\n".join(out)


def drop_related(path: Path, title_lines: Sequence[str]) -> None:
    """Remove the ``関連:`` lines of ``title_lines`` from the note at ``path``, in place.

    Only those lines change (the front matter keeps the record of what was
    suggested); the text is read at the last moment and written atomically.
    """
    if not title_lines:
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteFormatError(str(path), "not UTF-8 text") from None
    new = drop_from_text(text, title_lines)
    if new != text:
        atomic_write_bytes(path, new.encode("utf-8"), replace=True)
