"""The pieces a token plan is made of: a paper's sections ranked, counted and laid out.

Shared by the single-call plan (:mod:`summarizer.drafting.budget`) and the
map-reduce packing (:mod:`summarizer.drafting.map_reduce`).  Each section is
written as its heading line (as printed, "3 Model Architecture") followed by its
text; sections are separated by a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.llm.tokens import Tokenizer
from summarizer.papers.pdf_text import Section

# Below this, not even a heading and a sentence fit: a configuration mistake.
MIN_CHUNK_TOKENS = 100

# Single-call priority, most important first; sections of equal priority keep
# their order in the paper.
PRIORITY = {
    "abstract": 0,
    "introduction": 1,
    "method": 2,
    "experiments": 3,
    "results": 4,
    "discussion": 5,
    "conclusion": 6,
    "related_work": 7,
    "other": 8,
    "appendix": 9,
}
ACKNOWLEDGEMENTS = 10  # "other" sections headed "Acknowledgements": dropped first
ACK_RE = re.compile(r"acknowledg", re.IGNORECASE)
# Sent in full in single mode, or else the plan is map-reduce.
CORE_SECTIONS = frozenset(
    {"abstract", "introduction", "method", "experiments", "results", "conclusion"}
)
MAX_LABEL_CHARS = 80
CONTINUED = " (continued)"
SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Chunk:
    """One call's share of the paper: its ``text``, the ``sections`` it holds (by
    heading, in order) and its ``tokens``."""

    text: str
    sections: list[str]
    tokens: int


@dataclass
class Part:
    """A non-empty section of the paper, with its place in the document."""

    index: int
    section: Section

    @property
    def label(self) -> str:
        label = " ".join(self.section.heading.split()) or self.section.name
        return label[:MAX_LABEL_CHARS]

    @property
    def body(self) -> str:
        return self.section.text.strip()

    @property
    def core(self) -> bool:
        return self.section.name in CORE_SECTIONS

    @property
    def priority(self) -> int:
        if self.section.name == "other" and ACK_RE.search(self.section.heading):
            return ACKNOWLEDGEMENTS
        return PRIORITY.get(self.section.name, PRIORITY["other"])


class TokenCounter:
    """Counts with a tokenizer, remembering pieces already counted."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self._seen: dict[str, int] = {}

    def count(self, text: str) -> int:
        if text not in self._seen:
            self._seen[text] = self.tokenizer.count(text)
        return self._seen[text]

    def header(self, label: str) -> int:
        """Tokens a segment's heading line adds, with the blank line before it."""
        return self.count(SEPARATOR + label + "\n")


def render(segments: Iterable[tuple[str, str]]) -> str:
    return SEPARATOR.join(f"{label}\n{body}" for label, body in segments)
