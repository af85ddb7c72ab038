"""Recover a paper's structure from its cleaned text: one concern, the layout heuristics.

Given the text :mod:`summarizer.papers.pdf_text` has extracted and cleaned, find the
abstract (:func:`find_abstract`), where the References and the appendix begin
(:func:`split_references`), and the top-level sections with canonical names
(:func:`find_sections`, :func:`canonical_section_name`).  Pure functions on strings:
no pypdf, no worker process, no character-level cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from summarizer.papers.paper import normalize_whitespace

__all__ = [
    "SECTION_NAMES", "Section", "canonical_section_name", "find_abstract", "find_sections",
    "split_references",
]  # fmt: skip


# --- sections: the result type --------------------------------------------------

SECTION_NAMES = (
    "abstract", "introduction", "related_work", "method", "experiments", "results",
    "discussion", "conclusion", "appendix", "other",
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One top-level section: canonical ``name`` (see SECTION_NAMES), ``heading`` as
    printed in the paper, and its ``text`` (without the heading line)."""

    name: str
    heading: str
    text: str


# --- references and appendix ----------------------------------------------------

_REFS_HEADING_RE = re.compile(
    r"^(?:(?:\d{1,2}|[IVX]{1,5})\.?\s+)?(?:references(?: and notes)?|bibliography|literatur"
    r"(?:verzeichnis)?|works cited|literature cited)\s*$",
    re.I | re.M,
)
# "Appendix", "Appendix B: Proofs", "Appendix for <title>"; not a sentence that merely
# starts a line with "Appendix C." or "Appendix E of the paper." (they end with ".").
_APPENDIX_KEYWORD_RE = re.compile(
    r"^(?:Appendix|APPENDIX|Appendices|APPENDICES|Supplementary Material|SUPPLEMENTARY MATERIAL)"
    r"(?:\s+[A-Z0-9]{1,2})?(?:[.:]?\s+[^\n]{0,70}[^.\n])?$"
)
_LETTER_HEADING_RE = re.compile(r"^(?P<letter>[A-H])\.?\s+(?P<title>[A-Z][^,.;:\[\]()]{1,80})$")
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def _appendix_start(lines: list[str], first: int) -> int:
    """Where the appendix after the references starts (``len(lines)`` if none).

    "Appendix ..." is a heading.  A line like "A Proofs" is one when "A.1" follows;
    otherwise it may be a wrapped reference title ("A Primer on Neural Networks"),
    so the last such "A" line before a "B ..." heading wins, or failing a "B", the
    last one after which no years (citations) follow.
    """
    candidates: list[int] = []
    for i in range(first, len(lines)):
        line = lines[i].strip()
        if _APPENDIX_KEYWORD_RE.match(line):
            return i
        letter = _LETTER_HEADING_RE.match(line)
        if letter is None:
            continue
        if letter["letter"] == "A":
            following = [x.strip() for x in lines[i + 1 : i + 9] if x.strip()]
            if following and following[0].startswith("A.1"):
                return i
            candidates.append(i)
        elif letter["letter"] == "B" and candidates:
            return candidates[-1]
    for i in reversed(candidates):
        if not _YEAR_RE.search(" ".join(lines[i + 1 : i + 9])[:600]):
            return i
    return len(lines)


def _unheaded_reference_start(lines: list[str]) -> int | None:
    """REVTeX prints its numbered list with no heading: find "1 D. C. Johnston, ..."
    in the second half, followed closely by entry 2 and by years."""
    for i in range(len(lines) // 2, len(lines)):
        if not re.match(r"^(?:\[1\]|1\.?)\s+\S", lines[i]):
            continue
        window = lines[i + 1 : i + 7]
        if any(re.match(r"^(?:\[2\]|2\.?)\s+\S", line) for line in window) and _YEAR_RE.search(
            " ".join([lines[i], *window])
        ):
            return i
    return None


def split_references(text: str) -> tuple[str, str, str]:
    """Split the text into ``(body, references, appendix)``.

    References start at the first heading line "References" / "Bibliography" /
    "Literatur" (optionally numbered), or, failing that, at a headless numbered list
    in the second half (REVTeX).  They end at an appendix heading ("Appendix ...",
    "A Proofs") or at the end.  The heading line itself is dropped.
    """
    lines = text.split("\n")
    match = _REFS_HEADING_RE.search(text)
    if match is not None:
        start = text.count("\n", 0, match.start())
        first = start + 1
    elif (start_or_none := _unheaded_reference_start(lines)) is not None:
        start = first = start_or_none
    else:
        return text, "", ""
    end = _appendix_start(lines, first)
    body = "\n".join(lines[:start]).strip("\n")
    return body, "\n".join(lines[first:end]).strip("\n"), "\n".join(lines[end:]).strip("\n")


# --- sections -------------------------------------------------------------------

NUMBERED_HEADING_RE = re.compile(
    r"^(?P<num>\d{1,2}|[IVX]{1,6})(?:\.|\s)\s*(?P<title>[^\W\d_][^\n]{0,80})$"
)
_ROMAN = {"I": 1, "V": 5, "X": 10}
_UNNUMBERED = frozenset({
    "abstract", "introduction", "related work", "related works", "background", "preliminaries",
    "method", "methods", "methodology", "approach", "our approach", "experiments",
    "experimental setup", "experimental results", "evaluation", "results", "analysis",
    "discussion", "limitations", "conclusion", "conclusions", "conclusion and future work",
    "conclusions and future work", "acknowledgments", "acknowledgements", "acknowledgment",
    "acknowledgement", "appendix", "broader impact", "ethics statement", "einleitung", "fazit",
})  # fmt: skip
# First matching rule wins: "Experimental Results" is results, "Conclusion and
# Discussion" a conclusion, "Limitations and Future Work" a discussion.
_CANONICAL_RULES = (
    ("abstract", r"abstract|zusammenfassung"),
    ("appendix", r"appendix|appendices|supplementary"),
    ("introduction", r"introduction|einleitung|motivation"),
    ("related_work", r"related work|background|prior work|previous work|literature review"),
    ("conclusion", r"conclusion|concluding|summary|fazit|ausblick"),
    ("results", r"results?\b|analysis|ablation|findings"),
    ("discussion", r"discussion|limitation|broader impact|societal impact|ethic"),
    ("experiments", r"experiment|evaluation|setup|training|datasets?\b|data\b|benchmark"),
    ("method", r"method|approach|model|architecture|framework|algorithm|proposed|design"),
)


def canonical_section_name(heading: str) -> str:
    """Map a heading as printed ("2. Related Work", "III. METHOD") to a canonical name."""
    title = NUMBERED_HEADING_RE.sub(r"\g<title>", heading.strip()).casefold()
    for name, pattern in _CANONICAL_RULES:
        if re.search(rf"\b(?:{pattern})", title):
            return name
    return "other"


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


_DANGLING = frozenset({"a", "an", "the", "of", "and", "or", "to", "in", "for", "with", "as", "by"})


def _heading_like(title: str) -> bool:
    # A numbered list item in the text ("1. We propose X as a") is a wrapped sentence:
    # long, or ending in punctuation or a function word.
    words = title.split()
    return (
        title[0].isupper()
        and len(words) <= 10
        and title[-1] not in ".,;:"
        and words[-1] not in _DANGLING  # lowercase only: "IN THE" ends a wrapped heading
    )


def _headings(lines: list[str]) -> list[int]:
    """Indexes of top-level heading lines: numbered in sequence (1, 2, 3 or I, II, III;
    a gap of one is allowed for a heading pypdf merged into a line) or a known
    unnumbered heading such as "Abstract" or "Conclusion".  One numbering style per
    paper ("1 Intro" or "1. Intro" or "I. INTRO", or none when an unnumbered
    "Introduction" comes first), which keeps numbered lists in the text out."""
    found: list[int] = []
    style, last, seen_abstract = "", 0, False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not seen_abstract and _ABSTRACT_RE.match(line):
            # Numbered lines above the abstract are affiliations ("1 Department of ...").
            found, style, last, seen_abstract = [], "", 0, True
        if line[:1].isupper() and line.rstrip(":").casefold() in _UNNUMBERED:
            found.append(i)
            if not style and canonical_section_name(line) == "introduction":
                style = "none"
            continue
        m = NUMBERED_HEADING_RE.match(line)
        if m is None or not _heading_like(m["title"]):
            continue
        number = _roman(m["num"]) if m["num"].isalpha() else int(m["num"])
        kind = ("roman" if m["num"].isalpha() else "arabic") + line[len(m["num"])]
        if style in ("", kind) and (number in (last + 1, last + 2) if last else number <= 2):
            found.append(i)
            style, last = kind, number
    return found


def find_sections(body: str, appendix: str = "") -> list[Section]:
    """Split the body (and the appendix that followed the References) into sections.

    Text before the first heading (title, authors) belongs to no section.  Appendix
    sections start at "Appendix ..." or lettered headings ("A Proofs") and are all
    named ``appendix``.
    """
    lines = body.split("\n")
    sections = _slice(lines, _headings(lines), canonical_section_name)
    if appendix.strip():
        alines = appendix.split("\n")
        starts, expected = [0], "A"  # lettered headings only in order: A, B, C ...
        for i, line in enumerate(alines):
            letter = _LETTER_HEADING_RE.match(line.strip())
            if letter and letter["letter"] == expected:
                starts.append(i)
                expected = chr(ord(expected) + 1)
            elif _APPENDIX_KEYWORD_RE.match(line.strip()):
                starts.append(i)
        sections += _slice(alines, sorted(set(starts)), lambda _heading: "appendix")
    return sections


def _slice(lines: list[str], starts: list[int], namer: Any) -> list[Section]:
    sections = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        heading = lines[start].strip()
        text = "\n".join(lines[start + 1 : end]).strip("\n")
        sections.append(Section(namer(heading), heading, text))
    return sections


# --- abstract -------------------------------------------------------------------

# Case matters: "Abstract" or "ABSTRACT" as a heading, alone or run in ("Abstract—In
# this paper"); a sentence starting "abstract representations" is no heading.
_ABSTRACT_RE = re.compile(
    r"^(?:Abstract|ABSTRACT|A B S T R A C T|Zusammenfassung)\b\s*[—–:.\-]?\s*(?P<rest>.*)$", re.M
)
_ABSTRACT_END_RE = re.compile(
    r"^(?:keywords|key words|index terms|ccs concepts|acm reference format)\b", re.I
)
_MAX_ABSTRACT = 4000  # longer means we missed where it ends: better no abstract than a page


def find_abstract(text: str) -> str | None:
    """The abstract: what follows an "Abstract" heading (or "Abstract—" inline) up to
    the next section heading or "Keywords"/"Index Terms" line, whitespace collapsed.
    REVTeX papers have no heading: there it is what follows the "(Dated: ...)" line."""
    head = text[:20000]
    match = _ABSTRACT_RE.search(head)
    if match is None:
        match = re.search(r"^\(Dated:[^\n]*\)(?P<rest>)$", head, re.M)
    if match is None:
        return None
    lines = [match["rest"], *head[match.end() :].split("\n")[1:]]
    stop = {i for i in _headings(lines) if i > 0}
    taken = []
    for i, line in enumerate(lines):
        if i in stop or _ABSTRACT_END_RE.match(line):
            break
        taken.append(line)
    abstract = normalize_whitespace(" ".join(taken))
    return abstract if 0 < len(abstract) <= _MAX_ABSTRACT else None
