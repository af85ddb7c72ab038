"""Related notes: the person's own notes most similar to a paper, for the ``関連:`` block.

The person links related notes by hand in about one comment in ten (``関連:`` then
``- [Paper Note] …`` title lines).  A draft offers up to three, found among the notes
of their log by text similarity of title and abstract, and only above a threshold:
a weak match is noise the reviewer must delete.

Similarity is two TF-IDF cosines: the words of title and abstract (sublinear, English
stop words out), weighted 0.7, and the character 3-5 grams of the titles alone,
weighted 0.3.  Titles name what a note is about (``UI-TARS-2`` and ``UI-TARS``,
``VGGT`` and ``V-DPM``), and character grams match spellings words miss (``GUI
Agent`` / ``GUI agents``, ``Byteifying`` / ``Byte``).  On the dev corpus it finds 7
of the person's 10 links in its top 3, plain word TF-IDF 5
(``python -m bench.related`` prints both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from summarizer.tags.history import title_key

if TYPE_CHECKING:
    from scipy import sparse

    from summarizer.tags.log_notes import LogNote

# Up to this many related notes per draft (the house lists one to three).
MAX_RELATED = 3
# Below this similarity a suggestion is more often noise than a note the person would
# link (measured in bench.related; see docs/memory.md).
THRESHOLD = 0.15
Method = Literal["blend", "tfidf"]
_TEXT_WEIGHT = 0.7


@dataclass(frozen=True)
class Related:
    title_line: str
    link: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"title_line": self.title_line, "link": self.link, "score": round(self.score, 3)}


class RelatedIndex:
    """The notes of a log, ready to be compared with a paper (fit once, ask many times).

    ``method="tfidf"`` is the plain baseline (word unigrams, default settings) the
    benchmark compares against.
    """

    def __init__(self, notes: Sequence[LogNote], *, method: Method = "blend") -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.notes = list(notes)
        self.method = method
        # (vectorizer, weight, which text: the title alone or title and abstract)
        self._parts: list[tuple[TfidfVectorizer, float, bool]] = (
            [(TfidfVectorizer(), 1.0, False)]
            if method == "tfidf"
            else [
                (TfidfVectorizer(sublinear_tf=True, stop_words="english"), _TEXT_WEIGHT, False),
                (
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
                    1.0 - _TEXT_WEIGHT,
                    True,
                ),
            ]
        )
        self._matrices: list[sparse.csr_matrix] = []
        if self.notes:
            self._matrices = [
                vectorizer.fit_transform([n.title if titles else n.text for n in self.notes])
                for vectorizer, _, titles in self._parts
            ]

    def scores(self, title: str, abstract: str) -> list[float]:
        """The similarity of the paper to every note, in the order of ``notes``."""
        total = [0.0] * len(self.notes)
        if not self.notes:
            return total
        for (vectorizer, weight, titles), matrix in zip(self._parts, self._matrices, strict=True):
            query = title if titles else f"{title}\n{abstract}"
            sims = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
            total = [t + weight * float(s) for t, s in zip(total, sims, strict=True)]
        return total

    def find(
        self,
        title: str,
        abstract: str,
        *,
        limit: int = MAX_RELATED,
        threshold: float = THRESHOLD,
    ) -> list[Related]:
        """Up to ``limit`` notes scoring at least ``threshold``, best first.

        The paper's own note (same title) is never its own related note.
        """
        own = title_key(title)
        ranked = sorted(
            zip(self.scores(title, abstract), self.notes, strict=True), key=lambda p: -p[0]
        )
        found: list[Related] = []
        for score, note in ranked:
            if len(found) >= limit or score < threshold:
                break
            if title_key(note.title) == own:
                continue
            found.append(Related(note.title_line, note.link, score))
        return found


def load_related_index(sources: Sequence[Path], *, min_notes: int = 0) -> RelatedIndex:
    """The index of the notes in ``sources`` (see :func:`related_index`)."""
    from summarizer.tags.log_notes import load_log

    return related_index(load_log(sources) if sources else [], min_notes=min_notes)


def related_index(notes: Sequence[LogNote], *, min_notes: int = 0) -> RelatedIndex:
    """The index of ``notes``; empty (finds nothing) with fewer than ``min_notes`` of
    them, so a user without history sees no change."""
    return RelatedIndex(notes if len(notes) >= max(1, min_notes) else [])
