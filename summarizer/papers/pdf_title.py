"""A paper's title and authors from page 1's typography, checked against the PDF metadata.

The title is the largest text near the top of page 1 (a metadata title is used only
when it is plausible and agrees); the authors are the name-like fragments after it.
Pure functions on the fragments :mod:`summarizer.papers.pdf_worker` read.
"""

from __future__ import annotations

import re

from summarizer.papers.paper import normalize_whitespace
from summarizer.papers.pdf_layout import NUMBERED_HEADING_RE

_JUNK_TITLE_RE = re.compile(
    r"^(?:untitled\b.*|microsoft (?:word|powerpoint)\b.*|.*\.(?:docx?|tex|dvi|pdf|ps|rtf|odt)"
    r"|title|paper|main|article|manuscript|document\d*|arxiv|latex\b.*|template\b.*"
    r"|instructions for .*|none|null|unknown)$",
    re.I,
)
_JUNK_AUTHORS = frozenset({
    "", "author", "authors", "administrator", "admin", "user", "owner", "unknown", "anonymous",
    "anonymous author(s)", "anonymous authors", "none",
})  # fmt: skip
_PARTICLES = frozenset({
    "van", "von", "der", "den", "del", "della", "de", "la", "le", "di", "da", "du", "dos", "al",
})  # fmt: skip
_ORG_WORDS = re.compile(
    r"\b(?:university|universit\w+|institute|department|dept|laborator\w*|lab|labs|school|college|"
    r"cent(?:er|re)|inc|corp\w*|research|google|microsoft|openai|observatory|faculty|academy)\b",
    re.I,
)
_STOP_FRAGMENT_RE = re.compile(r"^\s*(?:abstract|zusammenfassung|a b s t r a c t|keywords)\b", re.I)
_MARKS_RE = re.compile(r"[∗*†‡§¶♦♣♠♥♯#\d]+")


def _folded(text: str) -> str:
    return normalize_whitespace(text).casefold()


def _plausible_title(title: str) -> bool:
    return 8 <= len(title) <= 300 and len(title.split()) >= 2


def _page_title(frags: list[tuple[float, str, str]]) -> tuple[str | None, int]:
    """The title is the first run of fragments in the largest font on page 1 (the
    stamp excluded); the next size down is tried when that run is no plausible title.
    Returns the title and the index of the fragment after it."""
    sizes = sorted({round(size) for size, _, text in frags}, reverse=True)
    for size in sizes[:3]:
        start = next(i for i, f in enumerate(frags) if round(f[0]) == size)
        end = start
        while end < len(frags) and round(frags[end][0]) == size:
            end += 1
        title = normalize_whitespace(" ".join(text for _, _, text in frags[start:end]))
        if _plausible_title(title):
            return title, end
    return None, 0


def _split_names(chunk: str) -> list[str]:
    tokens = chunk.split()
    if len(tokens) <= 3:
        return [chunk]
    # "Jacob Devlin Ming-Wei Chang Kenton Lee": names set apart by space alone.  Take
    # a given name, any initials ("J."), then one surname.
    names, i = [], 0
    while i < len(tokens):
        j = i + 1
        while j < len(tokens) and re.fullmatch(r"[A-Z]\.(?:-?[A-Z]\.)*", tokens[j]):
            j += 1
        names.append(" ".join(tokens[i : j + 1]))
        i = j + 1
    return names


def _is_name(name: str) -> bool:
    tokens = name.split()
    return (
        2 <= len(tokens) <= 5
        and not _ORG_WORDS.search(name)
        and "@" not in name
        and all(t[0].isupper() or t.casefold() in _PARTICLES for t in tokens)
    )


def _page_authors(frags: list[tuple[float, str, str]], after: int) -> list[str]:
    """Authors are the fragments between the title and the abstract set in the style
    (font and size) of the first one after the title; affiliations, e-mail addresses
    and footnote marks use other styles in every template we have seen."""
    zone = []
    for frag in frags[after : after + 120]:
        text = frag[2]
        if (
            _STOP_FRAGMENT_RE.match(text)
            or len(text.split()) >= 12
            or NUMBERED_HEADING_RE.match(text)
        ):
            break
        zone.append(frag)
    style = next(((s, f) for s, f, t in zone if re.search(r"[^\W\d_]{2}", t)), None)
    chunks, previous = [], -2
    for i, (size, font, text) in enumerate(zone):
        if (size, font) == style:
            chunks.append(("" if i == previous + 1 else ",") + text)
            previous = i
    names: list[str] = []
    for chunk in re.split(r",|;|\n|&|\band\b|\s{2,}", "".join(chunks)):
        chunk = normalize_whitespace(_MARKS_RE.sub(" ", chunk))
        names += [n for n in (_split_names(chunk) if chunk else []) if _is_name(n)]
    return list(dict.fromkeys(names))[:50]


def _metadata_authors(value: str | None) -> list[str]:
    if not value or value.strip().casefold() in _JUNK_AUTHORS:
        return []
    parts = value.split(";") if ";" in value else re.split(r",|&|\band\b", value)
    return [
        n for p in parts if (n := normalize_whitespace(p)) and n.casefold() not in _JUNK_AUTHORS
    ]


def title_and_authors(
    frags: list[tuple[float, str, str]], meta_title: str, meta_author: str, page_one: str
) -> tuple[str | None, list[str]]:
    """The title and authors, from page 1's cleaned text fragments ``(size, font,
    text)`` (the arXiv stamp left out), the cleaned /Title and /Author metadata and
    page 1's cleaned text.

    Metadata is used when the first page confirms it (templates leave stale
    /Title values such as "Instructions for NAACL-HLT 2019 Proceedings"); otherwise
    the first page's typography decides."""
    page_title, after = _page_title(frags)
    if _JUNK_TITLE_RE.match(meta_title) or not _plausible_title(meta_title):
        meta_title = ""
    folded_page = _folded(page_one)
    if meta_title and (not page_title or _folded(meta_title) in folded_page):
        title: str | None = meta_title
    else:
        title = page_title
    authors = _metadata_authors(meta_author)
    if authors and authors[0].split()[-1].casefold() not in folded_page:
        authors = []
    return title, authors or (_page_authors(frags, after) if page_title else [])
