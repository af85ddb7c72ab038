"""``summarize vocab build``: a controlled vocabulary derived from a tagging history.

Spellings of one label that differ only in case or spaces ("In-Context Learning",
"In-ContextLearning") become one tag: the most used spelling is the name, the
others its aliases.  Kinds come from a reference vocabulary when one is given;
otherwise venue names are recognised and reading-status labels (``read-later``,
``action_wanted``: all lower case with ``-`` or ``_``) are marked workflow, so they
are never suggested.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from summarizer.notes.note import tag_key
from summarizer.tags.history import HistoryItem
from summarizer.tags.venues import VENUES
from summarizer.tags.vocabulary import TagKind, Vocabulary, VocabularyTag

_WORKFLOW_SHAPE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_VENUE_NAMES = frozenset(tag_key(s) for venue in VENUES for s in (venue.key, *venue.spellings))


# Note-type labels that say how a note was written, not what the paper is about.
_WORKFLOW_SUFFIXES = ("notes", "papers/blogs", "thread-post", "blog", "tutorial")


def guess_kind(name: str) -> TagKind:
    """Venue, workflow (reading status or note type), else topic; --kinds-from is exact."""
    if tag_key(name) in _VENUE_NAMES:
        return "venue"
    if _WORKFLOW_SHAPE.match(name) or name.casefold().endswith(_WORKFLOW_SUFFIXES):
        return "workflow"
    return "topic"


def build_vocabulary(
    history: Iterable[HistoryItem], kinds_from: Vocabulary | None = None
) -> list[tuple[VocabularyTag, int]]:
    """Every label used in ``history`` with its count, most used first."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for item in history:
        for tag in item.tags:
            if tag.strip():
                spellings[tag_key(tag)][tag.strip()] += 1
    built: list[tuple[VocabularyTag, int]] = []
    for variants in spellings.values():
        name, _ = max(variants.items(), key=lambda pair: (pair[1], pair[0]))
        aliases = tuple(sorted(spelling for spelling in variants if spelling != name))
        known = kinds_from.tag(name) if kinds_from is not None else None
        kind = known.kind if known is not None else guess_kind(name)
        built.append((VocabularyTag(name, kind, aliases), sum(variants.values())))
    built.sort(key=lambda pair: (-pair[1], pair[0].name.casefold()))
    return built


def format_vocabulary(tags: list[tuple[VocabularyTag, int]]) -> str:
    """The TSV that ``--vocabulary`` reads (the count column is informational)."""
    rows = ["name\tkind\taliases\tdescription\tcount"]
    rows += [
        f"{tag.name}\t{tag.kind}\t{'|'.join(tag.aliases)}\t{tag.description}\t{count}"
        for tag, count in tags
    ]
    return "\n".join(rows) + "\n"
