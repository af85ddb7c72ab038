"""Reading lists: the papers a batch drafts, from a text, Markdown or BibTeX file.

* text: one reference per line (any form :func:`~summarizer.papers.refs.parse_reference`
  takes); blank lines and ``#`` comments, whole-line or after a space, are ignored;
  any other line that is not a reference is reported with its line number.
* Markdown: every arXiv link or ID anywhere in the text, and links to the paper
  pages of alphaxiv.org, huggingface.co/papers, ar5iv and Semantic Scholar's arXiv
  links (read as the arXiv ID they show); an ``arxiv.org/abs|pdf|html`` link or an
  ``arXiv:`` citation that starts like an ID but is not a valid one is reported.
  Prose after "arXiv:" ("see arXiv: the appendix") is not a reference.
* BibTeX: per entry, ``eprint`` (when ``archivePrefix``/``eprinttype`` is arXiv or
  absent), then an arXiv ``doi`` (10.48550/arXiv.…), an arxiv.org ``url``, then an
  ``arXiv:…`` in ``journal``/``note``/``howpublished`` (Google Scholar's exports).
  An entry with none is listed as ignored (not an arXiv paper), one whose arXiv
  field is malformed as invalid.

The same paper named twice (other versions, other URL forms) is drafted once, at the
line of its first mention.  **Which version wins**: a mention without a version
(meaning "the latest") over any pinned version, otherwise the highest version named.
A note is per paper, not per version, so only one can be drafted, and the newest is
what a reader of the list wants.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from summarizer.batch.bibtex import Found, parse_bibtex, reference_problem
from summarizer.errors import BadInputError, InvalidReferenceError
from summarizer.fsutil import read_user_text
from summarizer.papers.refs import PaperRef, find_references, parse_reference

ListFormat = Literal["text", "markdown", "bibtex"]
FORMATS: tuple[str, ...] = ("auto", "text", "markdown", "bibtex")
_SUFFIXES: dict[str, ListFormat] = {
    ".txt": "text",
    ".list": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
}
STDIN = "-"


@dataclass(frozen=True)
class ListEntry:
    """One paper of the list: where it is first named, and the reference to draft."""

    line: int
    text: str  # as written at that line
    ref: PaperRef
    duplicate_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class ListProblem:
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}: {self.reason}"


@dataclass(frozen=True)
class ReadingList:
    source: str  # the path, or "<stdin>"
    format: ListFormat
    entries: list[ListEntry]
    invalid: list[ListProblem] = field(default_factory=list)
    # BibTeX entries that point at no arXiv paper: reported, not failed.
    ignored: list[ListProblem] = field(default_factory=list)


def read_reading_list(
    location: str, list_format: str = "auto", *, stdin: TextIO | None = None
) -> ReadingList:
    """Read and parse the list at ``location`` (a path, or ``-`` for stdin)."""
    if location == STDIN:
        text, source = (stdin or sys.stdin).read(), "<stdin>"
    else:
        path = Path(location).expanduser()
        if path.is_dir():
            raise BadInputError(f"{location} is a folder; give a reading-list file")
        text = read_user_text(path, _unreadable)
        source = str(path)
    chosen = detect_format(location, text) if list_format == "auto" else list_format
    return parse_reading_list(text, chosen, source)  # type: ignore[arg-type]


def _unreadable(path: str, reason: str) -> BadInputError:
    return BadInputError(f"cannot read the reading list {path}: {reason}")


def detect_format(location: str, text: str) -> ListFormat:
    """By the file's extension; for stdin or another extension, by its content."""
    suffix = Path(location).suffix.lower() if location != STDIN else ""
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if location != STDIN and suffix == "":
        return "text"
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    # Links or list items mean Markdown; a text list has neither.
    if re.search(r"\]\(|^\s*(?:[-*+]|\d+\.)\s", text, re.MULTILINE):
        return "markdown"
    return "text"


def parse_reading_list(text: str, list_format: ListFormat, source: str) -> ReadingList:
    text = text.removeprefix("\ufeff")
    ignored: list[ListProblem] = []
    if list_format == "text":
        found, invalid = _parse_text(text)
    elif list_format == "markdown":
        found, invalid = _parse_markdown(text)
    elif list_format == "bibtex":
        found, bib_invalid, bib_ignored = parse_bibtex(text)
        invalid = [ListProblem(*problem) for problem in bib_invalid]
        ignored = [ListProblem(*problem) for problem in bib_ignored]
    else:
        raise BadInputError(f"unknown list format {list_format!r}; use one of {FORMATS}")
    return ReadingList(source, list_format, deduplicate(found), invalid, ignored)


def deduplicate(found: list[Found]) -> list[ListEntry]:
    """One entry per paper, at its first mention; the version as the module says."""
    first: dict[str, Found] = {}
    chosen: dict[str, PaperRef] = {}
    lines: dict[str, list[int]] = {}
    for line, text, ref in found:
        key = ref.arxiv_id
        if key not in first:
            first[key], chosen[key], lines[key] = (line, text, ref), ref, []
            continue
        lines[key].append(line)
        if _newer(ref, chosen[key]):
            chosen[key] = ref
    return [
        ListEntry(line, text, chosen[key], tuple(lines[key]))
        for key, (line, text, _) in first.items()
    ]


def _newer(candidate: PaperRef, current: PaperRef) -> bool:
    if current.version is None:
        return False
    return candidate.version is None or candidate.version > current.version


# --- text --------------------------------------------------------------------------

_TRAILING_COMMENT = re.compile(r"\s+#.*$")


def _parse_text(text: str) -> tuple[list[Found], list[ListProblem]]:
    found: list[Found] = []
    invalid: list[ListProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _TRAILING_COMMENT.sub("", raw).strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append((number, line, parse_reference(line)))
        except InvalidReferenceError as error:
            invalid.append(ListProblem(number, line, reference_problem(error)))
    return found, invalid


# --- Markdown ----------------------------------------------------------------------

# Sites that show an arXiv paper under its arXiv ID: the link names the paper, so it
# is read as the arXiv reference it stands for (``find_references`` leaves IDs in
# other sites' URLs alone, rightly for a blog post's URL, not for these).
_MIRROR_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?"
    r"(?:alphaxiv\.org/(?:abs|overview|pdf)/"
    r"|huggingface\.co/papers/"
    r"|ar5iv(?:\.labs\.arxiv)?\.org/(?:abs|html)/"
    r"|(?:api\.)?semanticscholar\.org/(?:graph/v1/paper/)?arxiv[:/])"
    r"(?P<id>[^\s)\]>\"'<?#]+)",
    re.IGNORECASE,
)

# What a reader means as an arXiv paper in prose: these are reported when invalid.
# After "arXiv:" only what starts like an ID (a digit, or an old archive name and a
# slash) is an attempt at one: "see arXiv: the appendix" and "Not arXiv: <a URL>"
# are prose, not failed references.
_ARXIV_MENTION = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/[^\s)\]>\"'<]+"
    r"|arxiv:[ \t]*(?=\d|[a-z][a-z-]*(?:\.[a-z]{2})?/\d)[^\s)\]>\"'<,;]+",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,:;!?"


def _parse_markdown(text: str) -> tuple[list[Found], list[ListProblem]]:
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    found: list[tuple[int, str, PaperRef]] = []
    invalid: list[ListProblem] = []
    mirrors: list[range] = []
    for link in _MIRROR_LINK.finditer(text):
        mirrors.append(range(link.start(), link.end()))
        written = link.group().rstrip(_TRAILING_PUNCTUATION)
        arxiv_id = re.sub(r"\.pdf$", "", link.group("id").rstrip(_TRAILING_PUNCTUATION), flags=re.I)
        try:
            found.append((link.start(), written, parse_reference(arxiv_id)))
        except InvalidReferenceError as error:
            line = _line_at(starts, link.start())
            invalid.append(ListProblem(line, written, reference_problem(error)))
    accepted = set()
    for offset, ref in find_references(text):
        if not any(offset in span for span in mirrors):
            accepted.add(offset)
            found.append((offset, _mention_at(text, offset), ref))
    for mention in _ARXIV_MENTION.finditer(text):
        if mention.start() in accepted or any(mention.start() in span for span in mirrors):
            continue
        candidate = mention.group().rstrip(_TRAILING_PUNCTUATION)
        try:
            parse_reference(candidate)
        except InvalidReferenceError as error:
            line = _line_at(starts, mention.start())
            invalid.append(ListProblem(line, candidate, reference_problem(error)))
    found.sort(key=lambda item: item[0])
    invalid.sort(key=lambda problem: problem.line)
    return [(_line_at(starts, offset), written, ref) for offset, written, ref in found], invalid


def _line_at(starts: list[int], offset: int) -> int:
    """1-based line of ``offset``, given the offsets where lines start."""
    return bisect.bisect_right(starts, offset)


_MENTION_TEXT = re.compile(r"(?:arxiv:[ \t]*)?[A-Za-z0-9:/._-]+", re.IGNORECASE | re.ASCII)


def _mention_at(text: str, offset: int) -> str:
    """The reference as written (for the report), without trailing punctuation."""
    match = _MENTION_TEXT.match(text, offset)
    return match.group().rstrip(".,:;!?") if match else text[offset : offset + 40]
