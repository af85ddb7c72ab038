"""Measures of a Japanese text against the house style of the person's notes.

Used by ``bench.house_style`` to compare drafts with what the person wrote, and by
the chain to catch a reply that drifted into Chinese.  The house figures these
measures give on the 163 dev notes (shared/house-style.md): summaries 0.89
Japanese, no Chinese-only character, plain style (である/体言止め) on 84 % of
sentence ends, median 203 characters (middle half 169-240).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from summarizer.llm.local_vocab import is_chinese_only

# Endings of the polite style (です/ます調).  Anything else counts as plain: である,
# だ, した, する and 体言止め (a sentence ending in a noun: 「…を提案。」).
_POLITE_END = re.compile(
    r"(?:です|ます|ました|ません|でした|ましょう|ございます|ください|でしょう|ませんでした)$"
)
# Closing brackets, quotes and spaces after the last word of a sentence.
_TRAILING = "」』）)]】\"'” 　"
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def chinese_only_characters(text: str) -> list[str]:
    """The Chinese-only characters of ``text``, in order, repeats included."""
    return [char for char in text if is_chinese_only(char)]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip(" 　。！？!?")]


def sentence_end(sentence: str) -> str:
    """The sentence without its final punctuation and closing brackets."""
    return sentence.rstrip("。！？!?").rstrip(_TRAILING).rstrip("。")


def is_plain_ending(sentence: str) -> bool:
    """である調 or 体言止め, as opposed to です/ます調."""
    return not _POLITE_END.search(sentence_end(sentence))


def plain_share(text: str) -> float | None:
    """The share of sentence ends in plain style; None for a text without sentences."""
    ends = sentences(text)
    if not ends:
        return None
    return sum(is_plain_ending(s) for s in ends) / len(ends)


def _bigrams(text: str) -> Counter[str]:
    compact = "".join(text.split())
    return Counter(compact[i : i + 2] for i in range(len(compact) - 1))


def bigram_f1(candidate: str, reference: str) -> float:
    """Character-bigram F1 of ``candidate`` against ``reference`` (spaces ignored)."""
    got, want = _bigrams(candidate), _bigrams(reference)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def numbers(text: str) -> set[str]:
    return {match.replace(",", "") for match in _NUMBER.findall(text)}


@dataclass(frozen=True)
class HouseRange:
    """The middle half of the house's summary lengths, in characters."""

    low: int = 169
    high: int = 240

    def contains(self, text: str) -> bool:
        return self.low <= len(text) <= self.high
