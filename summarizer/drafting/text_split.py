"""Paper text cut into paragraphs, sentences and pieces that fit a token limit.

The token budget (:mod:`summarizer.drafting.budget`) cuts where a reader would:
between paragraphs, else between sentences, else between words.  Every function
keeps the text: joining the pieces gives back the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ENDS_SENTENCE_RE = re.compile(r"[.!?:。！？][\"'”’)\]」』]*$")
_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?<=[。！？])[」』）]*\s*"
)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``, each with its trailing line breaks, so that
    ``"".join(split_paragraphs(text)) == text``.

    A blank line ends a paragraph.  PDF text has none: there a paragraph ends at a
    line that ends a sentence, is shorter than the column (80 % of the 90th
    percentile line length) and is followed by a line that does not start in
    lowercase.
    """
    lines = text.splitlines(keepends=True)
    widths = sorted(len(line.strip()) for line in lines if line.strip())
    column = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:  # a blank line ends the paragraph it follows
            if current.strip():
                paragraphs.append(current + line)
                current = ""
            elif paragraphs:
                paragraphs[-1] += line
            else:
                current += line
            continue
        current += line
        following = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if (
            following
            and _ENDS_SENTENCE_RE.search(stripped)
            and len(stripped) < 0.8 * column
            and not following[:1].islower()
        ):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (English or Japanese), each with its trailing space, so
    that ``"".join(split_sentences(text)) == text``."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if match.end() > start and text[start : match.end()].strip():
            sentences.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        sentences.append(text[start:])
    return sentences


def split_to_fit(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """``text`` in contiguous pieces of at most ``limit`` tokens each: whole
    paragraphs, else sentences, else words (else characters)."""
    pieces: list[str] = []
    for paragraph in split_paragraphs(text):
        if count(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for sentence in split_sentences(paragraph):
            if count(sentence) <= limit:
                pieces.append(sentence)
            else:
                pieces += hard_split(sentence, count, limit)
    return pieces


def hard_split(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Pieces of at most ``limit`` tokens, cut after a space where there is one."""
    pieces: list[str] = []
    while count(text) > limit:
        low, high = 1, len(text)  # the longest prefix that fits, by bisection
        while low < high:
            middle = (low + high + 1) // 2
            if count(text[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        space = text.rfind(" ", 0, low)
        cut = space + 1 if space >= low // 2 else low
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def halve(text: str) -> tuple[str, str]:
    """``text`` cut in two near its middle, after a space where there is one."""
    middle = len(text) // 2
    space = text.rfind(" ", 0, middle)
    cut = space + 1 if space > 0 else max(1, middle)
    return text[:cut], text[cut:]
