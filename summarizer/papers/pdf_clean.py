"""Cleaning the text pypdf gives: characters, the arXiv stamp, running lines, hyphens.

Each function takes and returns plain text (or a page list), with no pypdf in
sight, so :mod:`summarizer.papers.pdf_text` can run them on what its worker read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from summarizer.errors import InvalidReferenceError
from summarizer.papers.refs import PaperRef, parse_reference

# --- character-level cleaning ---------------------------------------------------

# pdfTeX emits accents as a spacing mark *before* the letter ("Universit´e"); NFKC
# would turn "´" into " " + combining acute, so move it after the letter first.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301", "\u02c6": "\u0302", "\u02dc": "\u0303", "\u00a8": "\u0308",
    "\u02c7": "\u030c", "\u02d8": "\u0306", "\u02d9": "\u0307", "\u02da": "\u030a",
    "\u02dd": "\u030b",
}  # fmt: skip
_ACCENT_RE = re.compile(f"([{''.join(_SPACING_ACCENTS)}])([A-Za-z\u0131])")
# C0/C1 controls (not \n and \t), zero-width marks, lone surrogates and the Private
# Use Areas: real arXiv PDFs emit math glyphs as U+008D or U+F8EE, which mean nothing.
_JUNK_CHARS_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ud800-\udfff"
    "\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_SPACES_RE = re.compile(r"[ \t\f\v]+")


def clean_page_text(text: str) -> str:
    """Normalise one page of extracted text.

    Fixes pdfTeX's detached accents, applies Unicode NFKC (ligatures ``ﬁ ﬂ`` become
    ``fi fl``, full-width forms ASCII), drops control, zero-width and Private Use Area
    characters, collapses runs of spaces, trims lines and squeezes blank lines.  A
    soft hyphen at a line end becomes ``-`` so :func:`dehyphenate` can join the word.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ACCENT_RE.sub(
        lambda m: ("i" if m[2] == "\u0131" else m[2]) + _SPACING_ACCENTS[m[1]], text
    )
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad\n", "-\n").replace("\u00ad", "")
    text = _JUNK_CHARS_RE.sub("", text)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


# --- the arXiv side stamp -------------------------------------------------------

ARXIV_STAMP_RE = re.compile(
    r"arXiv:\s?(?P<id>(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)"
    r"\s+\[[\w.\-]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}"
)


def remove_arxiv_stamp(text: str) -> tuple[str, PaperRef | None]:
    """Remove arXiv's sideways stamp (``arXiv:2506.12345v2 [cs.CL] 14 Jun 2025``).

    pypdf emits it at the start of page 1 or anywhere in it, sometimes glued to other
    text, so it is matched anywhere and replaced by a line break.  Returns the text
    and the reference parsed from the stamp (``None`` if absent or invalid).
    """
    match = ARXIV_STAMP_RE.search(text)
    if match is None:
        return text, None
    try:
        ref: PaperRef | None = parse_reference(match["id"])
    except InvalidReferenceError:
        ref = None
    before, after = text[: match.start()].rstrip(" "), text[match.end() :].lstrip(" ")
    glue = "" if before.endswith("\n") or after.startswith("\n") else "\n"
    return re.sub(r"\n{3,}", "\n\n", before + glue + after).strip("\n"), ref


# --- running headers, footers and page numbers ----------------------------------

_PAGE_NUMBER_RE = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]", re.I
)
_ZONE = 3  # lines at the top and at the bottom of a page where headers/footers live


def _line_key(line: str) -> str:
    # Page numbers inside headers ("4 Trilling et al.") differ per page: ignore digits.
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def remove_running_lines(pages: list[str]) -> list[str]:
    """Drop running headers/footers and bare page numbers from cleaned pages.

    A running line is one that, with digits ignored, is among the first or last
    three lines of at least 40 % of the pages (and of two pages at least): 40 %, not
    50 %, because many styles alternate two headers on odd and even pages.  A bare
    number (``7``, ``Page 7``, ``7 of 12``, ``- 7 -``) is dropped only as one of the
    first or last two lines of a page, never from inside the text (table cells).
    """
    nonempty = [[i for i, line in enumerate(p.split("\n")) if line.strip()] for p in pages]
    counts: Counter[str] = Counter()
    for page, idx in zip(pages, nonempty, strict=True):
        lines = page.split("\n")
        counts.update({_line_key(lines[i]) for i in idx[:_ZONE] + idx[-_ZONE:]})
    threshold = max(2, math.ceil(0.4 * len(pages)))
    running = {k for k, n in counts.items() if n >= threshold and sum(map(str.isalpha, k)) >= 3}
    cleaned = []
    for page, idx in zip(pages, nonempty, strict=True):
        lines = page.split("\n")
        drop = {i for i in idx[:_ZONE] + idx[-_ZONE:] if _line_key(lines[i]) in running}
        drop |= {i for i in idx[:2] + idx[-2:] if _PAGE_NUMBER_RE.fullmatch(lines[i].strip())}
        kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        cleaned.append(re.sub(r"\n{3,}", "\n\n", kept).strip("\n"))
    return cleaned


# --- de-hyphenation -------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W\d_](?:[\w-]*[^\W_])?")
_BREAK_RE = re.compile(
    r"(?P<left>[^\W\d_][\w-]*)-\n(?P<right>[^\W_][\w'’]*)(?P<tail>\S*)[ \t]*(?P<nl>\n)?"
)


def dehyphenate(text: str) -> str:
    """Join words broken across lines: ``addi-\\ntion`` becomes ``addition``.

    When the part after the break starts with a lowercase letter, the hyphen is kept
    if the document itself decides: the hyphenated form occurs elsewhere in it
    (``pre-trained``), or the joined form does not but both halves are words it uses
    (``task-specific``), or the left part is already a compound (``state-of-the-``).
    Otherwise the break is TeX's hyphenation and the hyphen goes.  Before an
    uppercase letter or a digit the hyphen is real (``GPT-\\n3`` becomes ``GPT-3``).
    The completed word stays on the first line.
    """
    # Words as the document uses them, leaving out the halves of broken words.
    vocabulary = {w.casefold() for w in _WORD_RE.findall(_BREAK_RE.sub(" ", text))}

    def join(m: re.Match[str]) -> str:
        left, right = m["left"], m["right"]
        word = right.rstrip("'’")
        if word[0].islower():
            last = left.rsplit("-", 1)[-1]
            hyphenated = f"{left}-{word}".casefold() in vocabulary
            joined = f"{last}{word}".casefold() in vocabulary
            both_words = (
                min(len(last), len(word)) >= 3 and {last.casefold(), word.casefold()} <= vocabulary
            )
            keep = hyphenated or "-" in left or (not joined and both_words)
        else:
            keep = True
        # The rest of the second line stays on a line of its own.
        rest = "\n" if m["nl"] or m.end() < len(text) else ""
        return f"{left}{'-' if keep else ''}{right}{m['tail']}{rest}"

    return _BREAK_RE.sub(join, text)
