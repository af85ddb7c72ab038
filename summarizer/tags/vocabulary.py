"""The controlled vocabulary of hashtags: the only tags a draft may suggest.

File format: UTF-8 TSV with a header row naming at least ``name`` (or ``label``,
as in exported label lists); optional columns ``kind`` (topic | venue |
workflow), ``aliases`` (``|``-separated) and ``description``.  Lines starting
with ``#`` are comments.  A file without a header is read as one tag per line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from summarizer.errors import VocabularyError
from summarizer.fsutil import read_user_text
from summarizer.notes.note import tag_key

TagKind = Literal["topic", "venue", "workflow"]
_KINDS: frozenset[str] = frozenset({"topic", "venue", "workflow"})


@dataclass(frozen=True)
class VocabularyTag:
    name: str
    kind: TagKind = "topic"
    aliases: tuple[str, ...] = ()
    description: str = ""


_PARENTHESISED = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)$")


_ABBREVIATION = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z0-9-]{2,8}$")


def derived_aliases(name: str) -> tuple[str, ...]:
    """Both halves of ``Long Name (ABBR)`` and ``ABBR(Long Name)`` labels.

    Models write such tags either way ("RAG", "RetrievalAugmentedGeneration").
    Only an abbreviation in one half counts: in ``2D (Image)`` or ``Pretraining
    (Concept)`` the parentheses qualify the name and neither half means the tag.
    """
    match = _PARENTHESISED.match(name)
    if match is None:
        return ()
    outer, inner = match.group("outer").strip(), match.group("inner").strip()
    if _ABBREVIATION.match(inner) and len(outer) > len(inner):
        return (outer, inner)
    if _ABBREVIATION.match(outer) and len(inner) > len(outer):
        return (outer, inner)
    return ()


@dataclass
class Vocabulary:
    tags: list[VocabularyTag]
    source: str = "built-in"
    _index: dict[str, VocabularyTag] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        # Names first, so an alias or a derived alias never shadows a real name.
        for tag in self.tags:
            self._index.setdefault(tag_key(tag.name), tag)
        for tag in self.tags:
            for spelling in (*tag.aliases, *derived_aliases(tag.name)):
                self._index.setdefault(tag_key(spelling), tag)

    def fingerprint(self) -> str:
        """A hash of every tag's name, kind, aliases and description: what a fitted
        suggester depends on."""
        digest = hashlib.sha256()
        for tag in self:
            digest.update(repr((tag.name, tag.kind, tag.aliases, tag.description)).encode())
        return digest.hexdigest()

    def __len__(self) -> int:
        return len(self.tags)

    def __iter__(self) -> Iterator[VocabularyTag]:
        return iter(self.tags)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.canonical(name) is not None

    def tag(self, name: str) -> VocabularyTag | None:
        """The tag ``name`` (or one of its aliases) stands for."""
        return self._index.get(tag_key(name))

    def canonical(self, name: str) -> str | None:
        """The vocabulary's spelling of ``name``, or None if it is not in the vocabulary."""
        tag = self._index.get(tag_key(name))
        return tag.name if tag else None

    def names(self, kind: TagKind | None = "topic") -> list[str]:
        return [tag.name for tag in self.tags if kind is None or tag.kind == kind]

    def spellings(self, kind: TagKind | None = "topic") -> list[str]:
        """Every accepted way to write a tag of ``kind``: names, aliases, derived aliases.

        A reply constrained to these (a JSON-schema enum) can still say "RAG" for
        ``RAG(RetrievalAugmentedGeneration)``; :meth:`filter` maps it back.
        """
        seen: set[str] = set()
        spellings: list[str] = []
        for tag in self.tags:
            if kind is not None and tag.kind != kind:
                continue
            for spelling in (tag.name, *tag.aliases, *derived_aliases(tag.name)):
                if self._index.get(tag_key(spelling)) is tag and spelling not in seen:
                    seen.add(spelling)
                    spellings.append(spelling)
        return spellings

    def filter(self, suggested: Iterable[str], *, kind: TagKind = "topic") -> list[str]:
        """Keep only vocabulary tags of ``kind``, in canonical spelling, first mention wins."""
        kept: list[str] = []
        for name in suggested:
            canonical = self.canonical(name) if isinstance(name, str) else None
            if canonical is None or canonical in kept:
                continue
            if self._index[tag_key(canonical)].kind != kind:
                continue
            kept.append(canonical)
        return kept


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The user's vocabulary file, or the built-in default when ``path`` is None."""
    if path is None:
        text = resources.files("summarizer").joinpath("data/vocabulary.tsv").read_text("utf-8")
        return Vocabulary(parse_vocabulary(text, "built-in"), source="built-in")
    text = read_user_text(path, VocabularyError)
    return Vocabulary(parse_vocabulary(text, str(path)), source=str(path))


def parse_vocabulary(text: str, source: str) -> list[VocabularyTag]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise VocabularyError(source, "it has no tags")
    header = [column.strip().casefold() for column in lines[0].split("\t")]
    if "name" not in header and "label" not in header:
        # A plain list: one tag name per line.
        return _dedupe(VocabularyTag(name=line.strip()) for line in lines)
    name_column = "name" if "name" in header else "label"
    rows = csv.DictReader(
        io.StringIO("\n".join(lines[1:])), fieldnames=header, delimiter="\t", quoting=csv.QUOTE_NONE
    )
    tags: list[VocabularyTag] = []
    for number, row in enumerate(rows, start=2):
        name = (row.get(name_column) or "").strip()
        if not name:
            continue
        kind = (row.get("kind") or "topic").strip() or "topic"
        if kind not in _KINDS:
            raise VocabularyError(
                source, f"row {number}: kind {kind!r} is not topic/venue/workflow"
            )
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        description = (row.get("description") or "").strip()
        tags.append(VocabularyTag(name, kind, aliases, description))  # type: ignore[arg-type]
    if not tags:
        raise VocabularyError(source, "it has no tags")
    return _dedupe(tags)


def _dedupe(tags: Iterable[VocabularyTag]) -> list[VocabularyTag]:
    seen: set[str] = set()
    unique: list[VocabularyTag] = []
    for tag in tags:
        if tag.name not in seen:
            seen.add(tag.name)
            unique.append(tag)
    return unique
