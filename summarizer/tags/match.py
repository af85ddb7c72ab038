"""Finding a vocabulary tag from what a person typed: ``qa`` → ``QuestionAnswering``.

One ranking serves both the completion menu of ``summarize review`` and the
"closest matches" of a refused tag, so both agree.  Every spelling of a tag
(name, aliases, both halves of ``Long Name (ABBR)``) is compared with case and
spacing ignored; the best of: exact, prefix, the initials of its words (``qa``
finds ``QuestionAnswering``), substring, the letters in order (``rtrv`` finds
``Retrieval``), then plain similarity for typos (difflib).

Tags outside the vocabulary that a person uses anyway (``--new``) are appended to
``vocabulary-candidates.tsv`` in the user directory, for the vocabulary's keeper.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from summarizer.errors import UnknownTagError
from summarizer.notes.note import tag_key
from summarizer.tags.vocabulary import Vocabulary, VocabularyTag, derived_aliases

CANDIDATES_FILE = "vocabulary-candidates.tsv"
_CANDIDATES_HEADER = "name\tnote\trecorded_at\n"
# Below this, a "typo" is a different word (difflib's ratio, 0..1).
_MIN_SIMILARITY = 0.6


@dataclass(frozen=True, order=True)
class TagMatch:
    rank: tuple[int, float]  # lower is better: (kind of match, tiebreak)
    name: str
    spelling: str  # the spelling that matched (an alias, say)
    kind: str


def rank_tags(query: str, vocabulary: Vocabulary, *, limit: int = 10) -> list[TagMatch]:
    """Vocabulary tags matching ``query``, best first (all tags for an empty query)."""
    key = tag_key(query.removeprefix("#"))
    matches: list[TagMatch] = []
    for tag in vocabulary:
        best = min(
            (
                (rank, spelling)
                for spelling in _spellings(tag)
                if (rank := _rank(key, spelling)) is not None
            ),
            default=None,
        )
        if best is not None:
            matches.append(TagMatch(best[0], tag.name, best[1], tag.kind))
    matches.sort()
    return matches[:limit]


def closest_tags(query: str, vocabulary: Vocabulary, *, limit: int = 3) -> list[str]:
    return [match.name for match in rank_tags(query, vocabulary, limit=limit)] if query else []


def resolve_tag(name: str, vocabulary: Vocabulary, *, allow_new: bool) -> tuple[str, bool]:
    """The vocabulary's spelling of ``name`` and whether it is new to the vocabulary.

    Raises :class:`UnknownTagError` (with the closest tags) for a tag outside the
    vocabulary unless ``allow_new``.
    """
    cleaned = " ".join(name.strip().removeprefix("#").split())
    if not cleaned:
        raise UnknownTagError(name, [])
    canonical = vocabulary.canonical(cleaned)
    if canonical is not None:
        return canonical, False
    if not allow_new:
        raise UnknownTagError(cleaned, closest_tags(cleaned, vocabulary))
    return cleaned, True


def record_candidates(home: Path, names: list[str], note: Path) -> Path:
    """Append new tags to ``<home>/vocabulary-candidates.tsv`` (created with a header).

    Each line is one ``write`` to a file opened for appending, then fsynced: lines
    from concurrent runs never interleave and a crash loses at most the line being
    written, never earlier ones.
    """
    path = home / CANDIDATES_FILE
    home.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size == 0:
            os.write(fd, _CANDIDATES_HEADER.encode())
        for name in names:
            fields = (_tsv_field(name), _tsv_field(str(note)), stamp)
            os.write(fd, ("\t".join(fields) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _tsv_field(text: str) -> str:
    return " ".join(text.split())  # tabs and newlines would break the row


def _spellings(tag: VocabularyTag) -> tuple[str, ...]:
    return (tag.name, *tag.aliases, *derived_aliases(tag.name))


def _rank(query: str, spelling: str) -> tuple[int, float] | None:
    if not query:
        return (6, 0.0)  # everything, sorted by name
    key = tag_key(spelling)
    if key == query:
        return (0, 0.0)
    if key.startswith(query):
        return (1, len(key))
    initials = _initials(spelling)
    if len(query) > 1 and initials.startswith(query):
        return (2, len(initials))
    position = key.find(query)
    if position >= 0:
        return (3, position)
    span = _subsequence_span(query, key)
    if span is not None:
        return (4, span)
    ratio = difflib.SequenceMatcher(None, query, key).ratio()
    if ratio >= _MIN_SIMILARITY:
        return (5, 1.0 - ratio)
    return None


_WORD_START = re.compile(r"(?:^|(?<=[\s\-_/(]))\w|(?<=[a-z])[A-Z]")


def _initials(spelling: str) -> str:
    """``qa`` for ``QuestionAnswering``, ``sl`` for ``Scaling Laws``."""
    return "".join(_WORD_START.findall(spelling)).casefold()


def _subsequence_span(query: str, text: str) -> int | None:
    """How many characters of ``text`` the letters of ``query`` span, in order; None if
    they do not all occur (shorter spans are closer matches)."""
    start = position = -1
    for char in query:
        position = text.find(char, position + 1)
        if position < 0:
            return None
        if start < 0:
            start = position
    return position - start + 1
