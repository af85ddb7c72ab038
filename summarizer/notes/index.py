"""Find the notes in a folder (or named files), newest first, filtered by status or tag.

Only notes of this tool count (front matter with ``arxiv_id`` or ``source``);
other Markdown files (a README, an unreadable file) are skipped, as history.py
does.  Hidden folders (``.git``) are not searched.  Wherever a command takes a
note's path it also takes the paper's arXiv ID (:func:`resolve_note_paths`), and
a draft's warnings fit one line (:func:`draft_signals`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from summarizer.errors import BadInputError, InvalidReferenceError, NoteFormatError
from summarizer.notes.front_matter import FrontMatter
from summarizer.notes.note import MARKER, Note, NoteState, read_note, state_of, tag_key
from summarizer.notes.sections import section_content
from summarizer.papers.refs import parse_reference


@dataclass(frozen=True)
class NoteInfo:
    path: Path
    note: Note
    state: NoteState

    @property
    def meta(self) -> FrontMatter:
        return self.note.meta

    @property
    def status(self) -> str:
        return self.note.status

    @property
    def title_line(self) -> str:
        return self.meta.title_line or self.meta.title or self.path.stem

    @property
    def created(self) -> datetime | None:
        return self.meta.created

    @property
    def reviewed_at(self) -> datetime | None:
        return self.meta.reviewed_at

    @property
    def tags(self) -> list[str]:
        """What the note carries: accepted tags once reviewed, else the suggested ones."""
        if self.status == "reviewed":
            return list(self.meta.tags)
        return list(self.meta.tags or self.meta.suggested_tags)

    @property
    def summary(self) -> str:
        return section_content(self.note.body, "Summary") or ""

    def newest_first_key(self) -> float:
        moment = self.created
        if moment is None:
            return self.path.stat().st_mtime
        return moment.timestamp()

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "status": self.status,
            "edited": self.state is NoteState.EDITED,
            "title_line": self.title_line,
            "created": _iso(self.created),
            "reviewed_at": _iso(self.reviewed_at),
            "tags": self.meta.tags,
            "suggested_tags": self.meta.suggested_tags,
            "rejected_tags": self.meta.rejected_tags,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class Unreadable:
    """A Markdown file in a notes folder that looks like a note but cannot be read."""

    path: Path
    reason: str


def find_notes(
    paths: Iterable[Path], *, unreadable: list[Unreadable] | None = None
) -> list[NoteInfo]:
    """The notes in the given folders (recursively) and files, newest first.

    A file named explicitly that is not a note of this tool is an error (saying
    why: the YAML parser's line and message, the byte that is not UTF-8); in a
    folder such files are skipped, and those that start like a note (front matter)
    but cannot be read are added to ``unreadable`` for the caller to report.
    """
    found: dict[Path, NoteInfo] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.md")):
                relative = candidate.relative_to(path).parts
                if any(part.startswith(".") for part in relative):
                    continue
                try:
                    info = _load(candidate)
                except (NoteFormatError, OSError) as error:
                    if unreadable is not None and _starts_like_a_note(candidate):
                        unreadable.append(Unreadable(candidate, _reason(error)))
                    continue
                if info is not None:
                    found.setdefault(candidate.resolve(), info)
        elif path.is_file():
            try:
                info = _load(path)
            except OSError as error:
                raise NoteFormatError(str(path), _reason(error)) from None
            except NoteFormatError:
                if _starts_like_a_note(path):
                    raise  # the parser's line and message say what to fix
                info = None
            if info is None:
                raise NoteFormatError(str(path), "it is not a note written by summarize")
            found.setdefault(path.resolve(), info)
        else:
            raise BadInputError(f"{path}: no such file or folder")
    return sorted(found.values(), key=NoteInfo.newest_first_key, reverse=True)


def _load(path: Path) -> NoteInfo | None:
    """The note at ``path``; None when it is not one of ours; raises when unreadable."""
    note = read_note(path)
    state = state_of(note)
    return None if state is NoteState.FOREIGN else NoteInfo(path=path, note=note, state=state)


def _starts_like_a_note(path: Path) -> bool:
    # A README or other Markdown is not "unreadable"; a file with front matter is.
    try:
        with path.open("rb") as handle:
            return handle.read(4) in (b"---\n", b"---\r")
    except OSError:
        return True


def _reason(error: Exception) -> str:
    if isinstance(error, NoteFormatError):
        return error.reason
    if isinstance(error, OSError):
        return (error.strerror or str(error)).lower()
    return str(error)


def filter_notes(
    notes: Iterable[NoteInfo], *, status: str | None = None, tag: str | None = None
) -> list[NoteInfo]:
    """Notes with ``status`` (draft includes edited drafts) carrying ``tag`` (any spelling)."""
    key = tag_key(tag) if tag else None
    return [
        info
        for info in notes
        if (status is None or info.status == status)
        and (key is None or key in {tag_key(t) for t in info.tags})
    ]


# --- a note named by its paper --------------------------------------------------------


def resolve_note_paths(names: Iterable[Path], folder: Path) -> list[Path]:
    """Each name as a path: an existing file or folder as it is, an arXiv ID (or any
    reference form) as that paper's note in ``folder``.

    The note is ``<folder>/<id>.md`` as drafts are written, else the note in
    ``folder`` (searched recursively) whose front matter names the paper.
    """
    return [_resolve(Path(name), folder) for name in names]


def _resolve(name: Path, folder: Path) -> Path:
    if name.exists():
        return name
    try:
        ref = parse_reference(str(name))
    except InvalidReferenceError:
        raise BadInputError(f"{name}: no such file or folder, nor an arXiv ID") from None
    direct = folder / f"{ref.safe_name}.md"
    if direct.is_file():
        return direct
    if folder.is_dir():
        for info in find_notes([folder]):
            if info.meta.arxiv_id == ref.arxiv_id:
                return info.path
    raise BadInputError(
        f"no note for {ref.arxiv_id} in {folder}; draft it with 'summarize {ref.arxiv_id}' "
        "or name the notes folder with --notes-dir"
    )


# --- what a draft's reviewer should know first -----------------------------------------


def draft_signals(note: Note) -> list[str]:
    """A draft's warnings, each a few words: abstract only, marks to check, language.

    Read from the note as written, so a draft, a batch and a rerun say the same.
    """
    meta = note.meta
    signals = []
    if meta.full_text is False:
        unavailable = any(w.startswith("full text unavailable") for w in meta.warnings)
        signals.append("abstract only (no PDF)" if unavailable else "abstract only")
    marks = note.body.count(MARKER)
    if marks:
        signals.append(f"{marks} 要確認 mark{'s' if marks != 1 else ''}")
    for warning in meta.warnings:
        if "not in Japanese" in warning:
            # "the summary is not in Japanese; check it by hand" -> "summary not Japanese"
            part = warning.removeprefix("the ").split(" is not in Japanese")[0]
            signals.append(f"{part} not Japanese")
        elif warning.startswith("the Comment draft failed"):
            signals.append("no Comment")
    return signals
