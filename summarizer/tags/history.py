"""A user's tagging history: the papers they tagged and the tags they chose.

Two sources, both read into :class:`HistoryItem` rows:

* a JSONL file, one note per line with at least ``title`` (str), ``abstract``
  (str) and ``tags`` (list of str); ``rejected_tags`` (list of str) is optional.
  The house title line (``[Paper Note] {title}, {author}+, arXiv'25, 2506``) is
  reduced to the paper title.
* a folder of this tool's notes (``*.md``, searched recursively): only notes
  with ``status: reviewed`` count.  The accepted tags are the front-matter
  ``tags``, the rejected ones ``rejected_tags`` (may be absent); the title comes
  from the front-matter ``title`` and the abstract from the body's ``# Abstract``
  section.  Markdown files that are not notes of this tool (a README, say) and
  unreviewed notes are skipped.  (The notes' other parts: :mod:`summarizer.tags.log_notes`.)

A line or note that cannot be used raises :class:`HistoryFormatError`, naming
the file (and line).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import HistoryFormatError, NoteFormatError
from summarizer.fsutil import read_user_text
from summarizer.notes.note import Note, read_note
from summarizer.notes.sections import section_content


@dataclass(frozen=True)
class HistoryItem:
    title: str
    abstract: str
    tags: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"


# "[Paper Note] Title, First Author+, arXiv'25, 2506.12" / "..., ACL'23, 2022.11" /
# older notes without the prefix.  Only the trailing ", Name+, Venue'yy[, yyyy.mm]"
# is removed, and only when it is there.
_PREFIX = re.compile(r"^\s*\[Paper Note\]\s*")
_TRAILER = re.compile(
    r",\s*[^,]{1,80}?\+?,\s*[A-Za-z][\w&-]*'\d{2}(?:,\s*\d{4}(?:\.\d{1,2})?)?\s*$"
)


def paper_title(house_title: str) -> str:
    """The paper title inside a house title line (unchanged if it is not one)."""
    title = _PREFIX.sub("", house_title)
    stripped = _TRAILER.sub("", title)
    return " ".join((stripped or title).split())


def title_key(title: str) -> str:
    """What makes two titles the same paper's: case and spacing do not count."""
    return " ".join(title.casefold().split())


def load_history(path: Path) -> list[HistoryItem]:
    """Tagging history from a JSONL file or a folder of notes."""
    if path.is_dir():
        return load_history_notes(path)
    return load_history_jsonl(path)


def load_histories(paths: Sequence[Path]) -> list[HistoryItem]:
    """Several sources as one history; a paper found in more than one counts once.

    Later sources win: with ``[history.jsonl, notes/]`` the tags a person accepted
    and rejected when reviewing a note replace that paper's older row.
    """
    by_title: dict[str, HistoryItem] = {}
    for path in paths:
        for item in load_history(path):
            key = title_key(item.title)
            by_title.pop(key, None)  # re-insert: the newest decision goes last
            by_title[key] = item
    return list(by_title.values())


def load_history_jsonl(path: Path) -> list[HistoryItem]:
    text = read_user_text(path, HistoryFormatError)
    items: list[HistoryItem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise HistoryFormatError(str(path), f"not JSON ({error.msg})", number) from None
        if not isinstance(row, dict):
            raise HistoryFormatError(str(path), "not a JSON object", number)
        try:
            items.append(_item(row, row.get("tags"), row.get("rejected_tags")))
        except ValueError as error:
            raise HistoryFormatError(str(path), str(error), number) from None
    return items


def reviewed_notes(folder: Path) -> Iterator[tuple[Path, Note]]:
    """The reviewed notes of this tool below ``folder`` (hidden folders and other
    Markdown files passed over); an unreadable file is an error naming it."""
    for path in sorted(folder.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            note = read_note(path)
        except NoteFormatError:
            continue  # not a note of this tool
        except OSError as error:
            raise HistoryFormatError(str(path), error.strerror or str(error)) from None
        if note.status == "reviewed":
            yield path, note


def load_history_notes(folder: Path) -> list[HistoryItem]:
    items: list[HistoryItem] = []
    for path, note in reviewed_notes(folder):
        meta = note.meta
        row = {"title": meta.title, "abstract": section_text(note.body, "Abstract")}
        try:
            # Stricter than the other readers: a history row must say which tags
            # were chosen, so `tags` must be there and be a list of strings.
            for key in ("tags", "rejected_tags"):
                if key in meta.invalid_keys or (key == "tags" and not meta.has(key)):
                    raise ValueError(f"{key!r} is missing or not a list of strings")
            items.append(_item(row, meta.tags, meta.rejected_tags))
        except ValueError as error:
            raise HistoryFormatError(str(path), str(error)) from None
    return items


def section_text(body: str, name: str) -> str:
    """The text of section ``name`` (``Abstract``, ``Summary``) of a note body, on one line.

    Lines are joined without a space when either side is Japanese (a translation
    wrapped by hand must not gain spaces inside a sentence).  Review flags (``> ⚠``)
    are not part of the text.
    """
    content = section_content(body, name) or ""
    lines = [
        line.strip().removeprefix("- ").strip()
        for line in content.splitlines()
        if line.strip() and not line.lstrip().startswith(">")
    ]
    joined = ""
    for line in lines:
        if joined and joined[-1].isascii() and line[0].isascii():
            joined += " "
        joined += line
    return " ".join(joined.split())


def _item(row: dict[str, Any], tags: Any, rejected: Any) -> HistoryItem:
    title, abstract = row.get("title"), row.get("abstract")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("'title' is missing or not a non-empty string")
    if not isinstance(abstract, str):
        raise ValueError("'abstract' is missing or not a string")
    return HistoryItem(
        title=paper_title(title),
        abstract=" ".join(abstract.split()),
        tags=_tag_list(tags, "tags", required=True),
        rejected=_tag_list(rejected, "rejected_tags", required=False),
    )


def _tag_list(value: Any, key: str, *, required: bool) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValueError(f"{key!r} is missing or not a list of strings")
    # "#NLP" and "NLP" are the same tag; first mention wins.
    tags: list[str] = []
    for tag in value:
        name = tag.strip().removeprefix("#").strip()
        if name and name not in tags:
            tags.append(name)
    return tags


def histories_fingerprint(paths: Sequence[Path]) -> str:
    """Changes whenever any of the sources may have changed (or the list did)."""
    if len(paths) == 1:
        return history_fingerprint(paths[0])
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{history_fingerprint(path)}\n".encode())
    return "sources:" + digest.hexdigest()


def history_fingerprint(path: Path) -> str:
    """Changes whenever the history at ``path`` may have changed.

    A file: the SHA-256 of its bytes.  A folder: the names, sizes and
    modification times of its ``*.md`` files (no file is read).
    """
    digest = hashlib.sha256()
    if path.is_dir():
        for note in sorted(path.rglob("*.md")):
            stat = note.stat()
            rel = note.relative_to(path).as_posix()
            digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return "dir:" + digest.hexdigest()
    try:
        digest.update(path.read_bytes())
    except FileNotFoundError:
        raise HistoryFormatError(str(path), "no such file") from None
    return "file:" + digest.hexdigest()
