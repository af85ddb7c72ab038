"""Text as the tag suggester compares it: lower-case words, and every spelling of a tag.

``ReinforcementLearning``, ``reinforcement learning`` and ``RL systems`` meet here:
camel case is split, plural ``s`` dropped and punctuation folded, so a tag's name,
aliases and description can be found in a title and abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from summarizer.tags.vocabulary import derived_aliases

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def words(text: str) -> list[str]:
    """Lower-case alphanumeric tokens, plural ``s`` removed (so ``systems`` = ``system``)."""
    tokens = _NON_WORD.split(text.casefold())
    return [
        t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t
        for t in tokens
        if t
    ]


def spelling_phrase(spelling: str) -> str:
    """``ReinforcementLearning`` / ``Supervised-FineTuning`` -> ``reinforcement learning``."""
    return " ".join(words(_CAMEL.sub(" ", spelling)))


def tag_phrases(name: str, aliases: Iterable[str]) -> list[str]:
    spellings = [name, *aliases, *derived_aliases(name)]
    # "PEFT(Adaptor/LoRA)", "ActivationSteering/ITI": each part of a compound name.
    parts = [p for p in re.split(r"[()/]", name) if p.strip()]
    if len(parts) > 1:
        spellings += [p for p in parts if len(p.strip()) >= 3]
    phrases: list[str] = []
    for spelling in spellings:
        for phrase in {spelling_phrase(spelling), " ".join(words(spelling))}:
            if len(phrase) >= 2 and phrase not in phrases:
                phrases.append(phrase)
    return phrases


# English stop words as words() spells them ("always" -> "alway").
STOP_WORDS = sorted({word for stop in ENGLISH_STOP_WORDS for word in words(stop)})


def padded(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def compact(text: str) -> str:
    return "".join(words(text))
