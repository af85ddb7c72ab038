"""Record the issue a note was published as (``github_issue`` in its front matter).

Like a review decision (:mod:`summarizer.notes.edit`), this edits lines and never
re-dumps the YAML: the ``github_issue:`` block is replaced, or added as the last key,
and every other byte of the note stays.  The result is parsed again and compared with
what was meant, the note is re-read just before the atomic write so a save from the
person's editor in between is kept, and a note whose front matter cannot be edited
that way is left alone with a message saying what to add by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from summarizer.errors import NoteFormatError
from summarizer.fsutil import atomic_write_bytes
from summarizer.notes.front_matter import PublishedIssue, dump_yaml
from summarizer.notes.note import FRONT_MATTER_DELIMITER, parse_note

KEY = "github_issue"
_KEY_LINE = re.compile(rf"^{KEY}[ \t]*:(?:[ \t]|$)")


def record_issue(path: Path, record: PublishedIssue) -> None:
    """Write ``record`` into the note at ``path`` (see the module docstring)."""
    for _attempt in range(5):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteFormatError(str(path), "not UTF-8 text") from None
        new_text = with_record(text, record, path)
        if path.read_bytes() != raw:
            continue  # saved by someone else while we worked: apply to the newer text
        atomic_write_bytes(path, new_text.encode("utf-8"), replace=True)
        return
    raise NoteFormatError(str(path), "it keeps changing on disk; try again when it is saved")


def with_record(text: str, record: PublishedIssue, path: Path) -> str:
    """``text`` with its ``github_issue`` block set to ``record``."""
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    before = parse_note(path, text)
    head = len(FRONT_MATTER_DELIMITER) + 1
    end = text.find(f"\n{FRONT_MATTER_DELIMITER}\n", len(FRONT_MATTER_DELIMITER)) + 1
    lines = text[head:end].splitlines(keepends=True)
    mapping = {KEY: record.model_dump(exclude_none=True)}
    block = dump_yaml(mapping).splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _KEY_LINE.match(line)), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += block
    else:
        stop = start + 1
        while stop < len(lines) and lines[stop][:1] in (" ", "\t", "-"):
            stop += 1
        lines[start:stop] = block
    result = f"{text[:head]}{''.join(lines)}{text[end:]}"
    _check(before.front_matter, before.body, result, yaml.safe_load(dump_yaml(mapping)), path)
    return result.replace("\n", "\r\n") if crlf else result


def _check(
    front_matter: dict[object, object], body: str, result: str, wanted: dict, path: Path
) -> None:
    """Only ``github_issue`` changed, or nothing is written."""
    try:
        after = parse_note(path, result)
    except NoteFormatError:
        after = None
    expected = {**front_matter, **wanted}
    if after is None or after.front_matter != expected or after.body != body:
        raise NoteFormatError(
            str(path),
            f"cannot add {KEY} without reformatting its front matter; add this line by hand "
            "so that a second publish updates the issue: "
            f"{yaml.safe_dump(wanted, default_flow_style=True, width=10_000).strip()}",
        )
