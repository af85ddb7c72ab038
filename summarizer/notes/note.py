"""The note file: house title line, Markdown body in the house layout, YAML front matter.

A note is a draft for a person to review.  Each draft records ``draft_sha256``,
the SHA-256 of the file as written (that line left out), so the tool can tell an
untouched draft, which ``--force`` may replace, from one a person has edited,
which it never overwrites; a ``reviewed`` note is never overwritten either.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from summarizer.errors import NoteExistsError, NoteFormatError
from summarizer.fsutil import atomic_write_text, ensure_writable_folder
from summarizer.notes.front_matter import FrontMatter
from summarizer.papers.paper import Paper, normalize_whitespace

FRONT_MATTER_DELIMITER = "---"
_HASH_LINE = re.compile(r"^draft_sha256: ([0-9a-f]{64})\n", re.MULTILINE)


def title_line(paper: Paper) -> str:
    """``[Paper Note] {title}, {first author}+, arXiv'{yy}, {yyyy}.{mm}``.

    ``+`` marks more than one author; the dates are those of the first version,
    which is what the arXiv API calls ``published``.  A PDF without arXiv metadata
    gets the parts it has; the person adds the venue when reviewing anyway.
    """
    parts = [f"[Paper Note] {normalize_whitespace(paper.title)}"]
    if paper.authors:
        plus = "+" if len(paper.authors) > 1 else ""
        parts.append(f"{normalize_whitespace(paper.authors[0])}{plus}")
    first_month = paper.published or _month_of_arxiv_id(paper.arxiv_id)
    if first_month is not None:
        parts.append(f"arXiv'{first_month:%y}, {first_month:%Y.%m}")
    return ", ".join(parts)


def _month_of_arxiv_id(arxiv_id: str | None) -> datetime | None:
    """The first version's month, which every arXiv ID encodes (YYMM)."""
    if arxiv_id is None:
        return None
    digits = arxiv_id.rpartition("/")[2][:4]
    year, month = int(digits[:2]), int(digits[2:4])
    # Old-style IDs start in 1991; new-style ones in 2007.
    return datetime(1900 + year if year >= 91 else 2000 + year, month, 1)


def hashtags_line(tags: list[str]) -> str:
    # Multi-word labels keep their spaces, as on the house pages ("#Scaling Laws").
    return " ".join(f"#{tag}" for tag in tags)


# "#NLP #Scaling Laws" is a hashtags line; "# URL" and "## 概要" are headings.
_HASHTAGS_LINE = re.compile(r"^#[^\s#]")


def is_hashtags_line(line: str) -> bool:
    return _HASHTAGS_LINE.match(line) is not None


@dataclass(frozen=True)
class NoteContent:
    """What the chain produced for one paper, ready to be laid out."""

    translation: str
    summary: str
    suggested_tags: list[str]
    model_label: str
    usage: dict[str, dict[str, int]]
    warnings: list[str]
    # Sections a person must look at (e.g. the model did not answer in Japanese).
    attention: tuple[str, ...] = ()
    comment: str = ""
    # More front-matter fields (full-text record, unsupported claims, tag scores), by
    # their FrontMatter names.
    extra: dict[str, Any] = field(default_factory=dict)


def render_note(paper: Paper, content: NoteContent, *, created: datetime) -> str:
    """The full text of a draft note, including its ``draft_sha256``.

    ``created`` should be aware; a naive one is taken as UTC, as when it is read back.
    """
    front_matter = FrontMatter(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        title=paper.title,
        title_line=title_line(paper),
        url=paper.abs_url,
        pdf=paper.pdf_path,
        authors=list(paper.authors),
        published=paper.published.date() if paper.published else None,
        updated=paper.updated.date() if paper.updated else None,
        primary_category=paper.primary_category,
        arxiv_comment=paper.comment,
        journal_ref=paper.journal_ref,
        doi=paper.doi,
        source=paper.source,
        status="draft",
        suggested_tags=list(content.suggested_tags),
        tags=[],
        model=content.model_label,
        created=created.replace(microsecond=0),
        usage=content.usage,
        **content.extra,
        # Left out when empty, as optional metadata arXiv did not give is.
        **({"warnings": list(content.warnings)} if content.warnings else {}),
        **({"needs_attention": list(content.attention)} if content.attention else {}),
    )
    text = (
        f"{FRONT_MATTER_DELIMITER}\n{front_matter.to_yaml()}{FRONT_MATTER_DELIMITER}\n"
        f"{render_body(paper, content)}"
    )
    return _insert_hash(text)


def render_body(paper: Paper, content: NoteContent) -> str:
    lines: list[str] = []
    if content.suggested_tags:
        lines += [hashtags_line(content.suggested_tags), ""]
    lines += ["# URL", f"- {paper.abs_url or paper.pdf_path}", ""]
    lines += ["# Authors", *(f"  - {author}" for author in paper.authors), ""]
    lines += ["# Abstract", f"  - {paper.abstract}", ""]
    lines += [f"# Translation (by {content.model_label})"]
    lines += [*_attention_line(content, "translation"), f"- {content.translation}", ""]
    lines += [f"# Summary (by {content.model_label})"]
    lines += [*_attention_line(content, "summary"), f"- {content.summary}", ""]
    lines += ["# Comment", *_attention_line(content, "comment")]
    if content.comment:
        lines.append(content.comment)
    return "\n".join(lines) + "\n"


ATTENTION_MARK = "> ⚠ 要確認:"


# The fact check appends this to a number or name the paper does not contain; review
# and export look for it (full-width brackets: no Markdown meaning, so it cannot break
# links, emphasis or tables).
MARKER = "（⚠要確認）"


def tag_key(text: str) -> str:
    # Case and spacing are not meaningful in a tag name ("In-Context Learning" and
    # "In-ContextLearning" are the same label written twice).
    return "".join(text.split()).casefold()


def _attention_line(content: NoteContent, task: str) -> list[str]:
    # Visible in any Markdown viewer, so the reviewer cannot miss it.
    if task not in content.attention:
        return []
    return [f"{ATTENTION_MARK} the model did not answer in Japanese; check this section"]


def _content_hash(text_without_hash_line: str) -> str:
    return hashlib.sha256(text_without_hash_line.encode("utf-8")).hexdigest()


def _insert_hash(text: str) -> str:
    """Add ``draft_sha256`` as the last front-matter key."""
    end = text.index(f"\n{FRONT_MATTER_DELIMITER}\n", len(FRONT_MATTER_DELIMITER)) + 1
    digest = _content_hash(text)
    return f"{text[:end]}draft_sha256: {digest}\n{text[end:]}"


# --- reading notes back -----------------------------------------------------------


class NoteState(enum.Enum):
    ABSENT = "absent"
    DRAFT = "draft"  # written by this tool and untouched since
    EDITED = "edited"  # a draft a person has changed
    REVIEWED = "reviewed"
    FOREIGN = "foreign"  # not a note this tool wrote


@dataclass(frozen=True)
class Note:
    path: Path
    # The YAML mapping as parsed: what edit.py checks its line edits against (and what
    # readers outside the notes package still use; the typed view is `meta`).
    front_matter: dict[str, Any]
    meta: FrontMatter
    body: str
    text: str
    # The file had CRLF (or CR) line ends: a draft is written with LF, so an editor
    # re-saved it, and a person's save is an edit even when no word changed.
    resaved_line_ends: bool = False

    @property
    def status(self) -> str:
        return self.meta.status

    @property
    def is_unedited_draft(self) -> bool:
        if self.resaved_line_ends:
            return False
        match = _HASH_LINE.search(self.text)
        if match is None:
            return False
        without = self.text[: match.start()] + self.text[match.end() :]
        return _content_hash(without) == match.group(1)


def parse_note(path: Path, text: str) -> Note:
    if not text.startswith(f"{FRONT_MATTER_DELIMITER}\n"):
        raise NoteFormatError(str(path), "no YAML front matter")
    end = text.find(f"\n{FRONT_MATTER_DELIMITER}\n", len(FRONT_MATTER_DELIMITER))
    if end < 0:
        raise NoteFormatError(str(path), "the front matter is not closed by '---'")
    try:
        front_matter = yaml.safe_load(text[len(FRONT_MATTER_DELIMITER) + 1 : end + 1])
    except yaml.YAMLError as error:
        raise NoteFormatError(str(path), _yaml_problem(error)) from None
    if not isinstance(front_matter, dict):
        raise NoteFormatError(str(path), "the front matter is not a mapping")
    body = text[end + len(FRONT_MATTER_DELIMITER) + 2 :]
    return Note(
        path=path,
        front_matter=front_matter,
        meta=FrontMatter.read(front_matter),
        body=body,
        text=text,
    )


def _yaml_problem(error: yaml.YAMLError) -> str:
    """The parser's own message, at the line of the file (the YAML starts on line 2)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    if mark is None:
        return f"invalid YAML front matter: {detail}"
    return f"invalid YAML front matter at line {mark.line + 2}, column {mark.column + 1}: {detail}"


def read_note(path: Path) -> Note:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            raw = handle.read()
    except UnicodeDecodeError as error:
        raise NoteFormatError(str(path), f"not UTF-8 text (byte {error.start})") from None
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    note = parse_note(path, text)
    return replace(note, resaved_line_ends=True) if text != raw else note


def note_state(path: Path) -> NoteState:
    if not path.exists():
        return NoteState.ABSENT
    try:
        note = read_note(path)
    except NoteFormatError:
        return NoteState.FOREIGN
    return state_of(note)


def state_of(note: Note) -> NoteState:
    """The state of a note already read (see :func:`note_state`)."""
    if not note.meta.has("arxiv_id") and not note.meta.has("source"):
        return NoteState.FOREIGN
    if note.status == "reviewed":
        return NoteState.REVIEWED
    if note.status == "draft" and note.is_unedited_draft:
        return NoteState.DRAFT
    return NoteState.EDITED


def ensure_writable(path: Path, *, force: bool) -> NoteState:
    """Raise :class:`NoteExistsError` unless a draft may be written to ``path``."""
    state = note_state(path)
    if state is NoteState.ABSENT:
        return state
    if state is NoteState.DRAFT and force:
        return state
    reasons = {
        NoteState.DRAFT: "already exists (an unedited draft); pass --force to redraft it",
        NoteState.EDITED: "was edited by a person since it was drafted; it is never "
        "overwritten (move or rename it to draft again)",
        NoteState.REVIEWED: "is reviewed; it is never overwritten",
        NoteState.FOREIGN: "exists and was not written by summarize; it is never overwritten",
    }
    raise NoteExistsError(str(path), reasons[state])


def check_folders_writable(notes_folder: Path, home: Path) -> None:
    """The notes folder and the user folder can be written: checked before any paid call."""
    ensure_writable_folder(
        notes_folder,
        "notes folder",
        "choose another with --out or SUMMARIZER_NOTES_DIR, or fix its permissions",
    )
    ensure_writable_folder(
        home,
        "user folder (SUMMARIZER_HOME)",
        "set SUMMARIZER_HOME to a folder you can write, or fix its permissions",
    )


def write_note(path: Path, text: str, *, force: bool) -> None:
    """Write atomically, checking the protection rules again at the last moment."""
    state = ensure_writable(path, force=force)
    try:
        atomic_write_text(path, text, replace=state is NoteState.DRAFT)
    except FileExistsError:
        # Someone created the file while the model was working.
        ensure_writable(path, force=False)
        raise
