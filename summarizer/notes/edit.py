"""Apply a review decision to a note's text, changing nothing else.

The person may have edited the draft anywhere (front matter comments, odd
spacing, rewritten sections).  Accepting tags therefore edits lines, never
re-dumps the YAML: it replaces the ``status:`` line and the ``tags:`` block,
writes ``rejected_tags:`` and ``reviewed_at:`` (in place if present, else next to
``tags``/``status``), drops ``draft_sha256`` (its one job, telling an untouched
draft that ``--force`` may replace, ends with the review; the note is protected as
``reviewed`` from now on) and rewrites the body's hashtags line.  Every other
byte stays as it was.  The result is parsed again and compared with what was
meant, so an unusual front matter is refused rather than damaged.

These field names are what :mod:`summarizer.tags.history` reads back as the person's
tagging history: ``tags`` (accepted), ``rejected_tags``, ``status: reviewed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarizer.errors import NoteFormatError
from summarizer.fsutil import atomic_write_bytes
from summarizer.notes.front_matter import FrontMatter, dump_yaml
from summarizer.notes.note import (
    FRONT_MATTER_DELIMITER,
    Note,
    hashtags_line,
    is_hashtags_line,
    parse_note,
    tag_key,
)

_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


@dataclass(frozen=True)
class TagDecision:
    accepted: list[str]  # in the order they go into `tags` and the hashtags line
    rejected: list[str]


def apply_decision(
    text: str, decision: TagDecision, *, reviewed_at: datetime, path: Path = Path("note")
) -> str:
    """``text`` with the decision applied (see the module docstring); raises
    :class:`NoteFormatError` if that cannot be done by editing lines alone."""
    newline = "\r\n" if "\r\n" in text and "\n" not in text.replace("\r\n", "") else "\n"
    text = text.replace("\r\n", "\n") if newline == "\r\n" else text
    before = parse_note(path, text)
    fm_end = text.find(f"\n{FRONT_MATTER_DELIMITER}\n", len(FRONT_MATTER_DELIMITER)) + 1
    head = len(FRONT_MATTER_DELIMITER) + 1
    lines = text[head:fm_end].splitlines(keepends=True)
    review = FrontMatter(
        status="reviewed",
        tags=decision.accepted,
        rejected_tags=decision.rejected,
        reviewed_at=reviewed_at.astimezone(UTC).replace(microsecond=0),
    ).mapping()
    try:
        lines = _set_key(lines, "status", review["status"], after=None)
        lines = _set_key(lines, "tags", review["tags"], after="suggested_tags")
        lines = _set_key(lines, "rejected_tags", review["rejected_tags"], after="tags")
        lines = _set_key(lines, "reviewed_at", review["reviewed_at"], after="status")
        lines = _drop_key(lines, "draft_sha256")
    except ValueError as error:
        raise NoteFormatError(str(path), f"cannot update its front matter: {error}") from None
    body = _set_hashtags(before.body, decision.accepted)
    result = f"{text[:head]}{''.join(lines)}{text[fm_end : len(text) - len(before.body)]}{body}"
    _check(before, result, review)
    return result.replace("\n", newline) if newline != "\n" else result


def save_decision(path: Path, decision: TagDecision, *, reviewed_at: datetime | None = None) -> str:
    """Apply ``decision`` to the note at ``path`` as it is now and replace it atomically.

    The text is read at the last moment and checked once more just before the
    write, so a save from the person's editor in between is never lost: the
    decision is applied to the newer text instead.  Returns the text written.
    """
    when = reviewed_at or datetime.now(UTC)
    for _attempt in range(5):
        raw = path.read_bytes()
        text = _decode(path, raw)
        new_text = apply_decision(text, decision, reviewed_at=when, path=path)
        if path.read_bytes() != raw:
            continue  # changed while we worked: apply to the newer text
        atomic_write_bytes(path, new_text.encode("utf-8"), replace=True)
        return new_text
    raise NoteFormatError(str(path), "it keeps changing on disk; try again when it is saved")


def read_note_exact(path: Path) -> Note:
    """The note with its bytes as they are (no newline translation)."""
    text = _decode(path, path.read_bytes())
    return parse_note(path, text.replace("\r\n", "\n"))


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteFormatError(str(path), "not UTF-8 text") from None


# --- front matter, line by line ------------------------------------------------------


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, end) of its block: the key line and what belongs
    to it (indented lines, ``- item`` lines, and blank or comment lines between them)."""
    blocks: dict[str, tuple[int, int]] = {}
    index = 0
    while index < len(lines):
        match = _KEY_LINE.match(lines[index])
        if match is None:
            index += 1
            continue
        key = match.group("key")
        if key in blocks:
            raise ValueError(f"the key {key!r} appears twice")
        end = index + 1
        scan = end
        while scan < len(lines):
            line = lines[scan]
            if line[:1] in (" ", "\t", "-"):
                end = scan = scan + 1
            elif not line.strip() or line.startswith("#"):
                scan += 1  # belongs to the block only if more of it follows
            else:
                break
        blocks[key] = (index, end)
        index = end
    return blocks


def _set_key(lines: list[str], key: str, value: Any, *, after: str | None) -> list[str]:
    block = dump_yaml({key: value}).splitlines(keepends=True)
    blocks = _blocks(lines)
    if key in blocks:
        start, end = blocks[key]
        return [*lines[:start], *block, *lines[end:]]
    at = blocks[after][1] if after in blocks else len(lines)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines = [*lines[: at - 1], lines[at - 1] + "\n", *lines[at:]]
    return [*lines[:at], *block, *lines[at:]]


def _drop_key(lines: list[str], key: str) -> list[str]:
    blocks = _blocks(lines)
    if key not in blocks:
        return lines
    start, end = blocks[key]
    return [*lines[:start], *lines[end:]]


# --- body -------------------------------------------------------------------------------


def _set_hashtags(body: str, tags: list[str]) -> str:
    """Replace the hashtags line (the first non-blank line, if it is one), or insert one."""
    lines = body.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    has_line = first is not None and is_hashtags_line(lines[first])
    if not tags:
        if not has_line:
            return body
        assert first is not None
        drop = 2 if first + 1 < len(lines) and not lines[first + 1].strip() else 1
        return "".join([*lines[:first], *lines[first + drop :]])
    new_line = hashtags_line(tags)
    if has_line:
        assert first is not None
        ending = lines[first][len(lines[first].rstrip("\n")) :]
        return "".join([*lines[:first], new_line + ending, *lines[first + 1 :]])
    separator = "\n" if body.startswith("\n") else "\n\n"
    return f"{new_line}{separator}{body}"


def _check(before: Note, result: str, review: dict[str, Any]) -> None:
    """The edit did exactly what was meant, or it is refused (nothing is written).

    The whole parsed mapping is compared, not the typed fields, so that a key the
    tool does not know cannot change unnoticed either."""
    try:
        after = parse_note(before.path, result)
    except NoteFormatError as error:
        raise NoteFormatError(str(before.path), f"the review edit broke it ({error})") from None
    expected = {k: v for k, v in before.front_matter.items() if k != "draft_sha256"}
    expected.update(review)
    if after.front_matter != expected:
        changed = sorted(
            key
            for key in {*expected, *after.front_matter}
            if expected.get(key) != after.front_matter.get(key)
        )
        raise NoteFormatError(
            str(before.path),
            f"cannot set the tags without reformatting its front matter (keys {changed}); "
            "set status, tags and rejected_tags by hand",
        )


def unique_tags(tags: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for tag in tags:
        key = tag_key(tag)
        if key and key not in seen:
            seen.add(key)
            unique.append(tag)
    return unique
