"""BibTeX reading lists: the arXiv paper of each entry, with its line number.

Entries are read by bibtexparser (v2): it handles comments, ``@string``
definitions, nested braces and quoted values, and reports a malformed block with
its line instead of giving up on the file.  What it leaves to us: values joined with
``#`` (``"10.48550/" # "arXiv.2402.00003"``) and where an arXiv ID hides in an entry
(``eprint`` with ``archivePrefix``/``eprinttype``, an arXiv ``doi``, an arxiv.org
``url``, or ``arXiv:…`` in ``journal``/``note`` as Google Scholar exports it).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from summarizer.errors import InvalidReferenceError
from summarizer.papers.refs import PaperRef, find_references, parse_reference

# (line, text as written, reference) and (line, text, reason).
Found = tuple[int, str, PaperRef]
Problem = tuple[int, str, str]
_CONCATENATION = re.compile(r'\s*#\s*(?=["{])|(?<=["}])\s*#\s*')


def reference_problem(error: InvalidReferenceError) -> str:
    """Why a reference in a list is not usable, as the report says it."""
    return f"not an arXiv reference ({error.reason or 'unrecognised form'})"


_TEXT_FIELDS = ("journal", "note", "howpublished", "booktitle")


def parse_bibtex(text: str) -> tuple[list[Found], list[Problem], list[Problem]]:
    """Papers of a BibTeX file, and the entries that were malformed or are not arXiv."""
    found: list[Found] = []
    invalid: list[Problem] = []
    ignored: list[Problem] = []
    library = _parse_quietly(text)
    for block in library.failed_blocks:
        invalid.append((block.start_line + 1, _first_line(block.raw), _failure(block)))
    for entry in library.entries:
        line, key = entry.start_line + 1, entry.key
        fields = {f.key.lower(): _value(f.value) for f in entry.fields}
        ref, problem = _bib_reference(fields)
        if ref is not None:
            found.append((line, f"@{key}", ref))
        elif problem is not None:
            invalid.append((line, f"@{key}", problem))
        else:
            ignored.append((line, f"@{key}", "no arXiv eprint, doi or url"))
    return found, invalid, ignored


def _bib_reference(fields: dict[str, str]) -> tuple[PaperRef | None, str | None]:
    """The entry's arXiv paper, or the reason a field meant as arXiv is unusable."""
    candidates: list[tuple[str, str]] = []
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if fields.get("eprint") and archive in ("", "arxiv"):
        candidates.append(("eprint", fields["eprint"]))
    doi = fields.get("doi", "")
    if doi.lower().removeprefix("https://doi.org/").startswith("10.48550/"):
        candidates.append(("doi", doi))
    if "arxiv.org" in fields.get("url", "").lower():
        candidates.append(("url", fields["url"]))
    problem = None
    for name, value in candidates:
        try:
            return parse_reference(value), None
        except InvalidReferenceError as error:
            # An eprint without an archive prefix may be another archive's number.
            if name != "eprint" or archive == "arxiv":
                problem = problem or f"{name} {value!r}: {reference_problem(error)}"
    for name in _TEXT_FIELDS:
        mentions = find_references(fields.get(name, ""))
        if mentions:
            return mentions[0][1], None
    return None, problem


def _parse_quietly(text: str) -> Any:
    import bibtexparser

    # It logs each failed block as a warning; the report lists them instead.
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        return bibtexparser.parse_string(text)
    finally:
        logger.level = level


def _value(raw: str) -> str:
    """A field's text: ``#``-joined parts put together, braces and quotes dropped."""
    parts = _CONCATENATION.split(raw) if "#" in raw else [raw]
    joined = "".join(part.strip().strip('"') for part in parts)
    return " ".join(joined.replace("{", "").replace("}", "").split())


def _first_line(raw: str) -> str:
    return raw.strip().split("\n")[0][:40]


def _failure(block: Any) -> str:
    error = block.error
    reason = str(getattr(error, "abort_reason", "") or error or "unreadable")
    if "end of file" in reason.lower():
        return "entry is never closed"
    return f"malformed entry ({reason.splitlines()[-1]})"
