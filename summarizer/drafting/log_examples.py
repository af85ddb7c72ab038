"""Few-shot examples from the person's own log: the notes nearest to the paper.

The fixed examples of ``prompts/*.toml`` are two fictional papers; the person's log
is the best description of the house style there is.  With a history whose notes
carry their Translation and Summary, each prompt's examples are the notes nearest
to the paper instead: nearest by TF-IDF cosine between English abstracts (the text
every note and every paper has), the paper's own note never among them (a re-draft
must not copy the person's answer).  The fixed examples stay the fallback when the
log has nothing usable.

A :class:`LogExamples` is a LangChain ``BaseExampleSelector``: the few-shot block
of a prompt (:meth:`~summarizer.llm.prompts.PromptSpec.to_chat_prompt`) calls
:meth:`LogExamples.select_examples` with the prompt's inputs, which carry the
paper's ``abstract`` and ``arxiv_id`` besides what the template shows.

bench.house_style (``--history``) measured it on the embedded model; see
docs/memory.md for the figures.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.example_selectors import BaseExampleSelector

from summarizer.llm.backend import backend_for
from summarizer.tags.history import title_key

if TYPE_CHECKING:
    from summarizer.settings import Settings
    from summarizer.tags.log_notes import LogNote

# A log this small says too little about the house to replace the written examples.
MIN_LOG_NOTES = 20
# Bounds on an example, in characters: a note far longer than the house's middle
# half would cost prompt tokens (seconds on the embedded model) for little.
MAX_EXAMPLE_TRANSLATION_CHARS = 900
MAX_EXAMPLE_ABSTRACT_CHARS = 1600
MIN_EXAMPLE_SUMMARY_CHARS = 80


# An arXiv ID in a note's link (its arXiv URL), to know the paper's own note by it.
_ARXIV_ID_IN_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")


@dataclass(frozen=True)
class ExampleNote:
    """One note of the log that can serve as an example."""

    key: str  # the arXiv ID, or the title when the note has none
    title: str
    abstract: str
    translation: str
    summary: str

    def example(self) -> dict[str, str]:
        """The note as a prompt example: every input a template may ask for."""
        return {"title": self.title, "abstract": self.abstract, "translation": self.translation}


def usable_notes(log: Sequence[LogNote]) -> list[ExampleNote]:
    """The log's notes that have an abstract, a translation and a summary."""
    notes = []
    for item in log:
        if not (item.abstract and item.translation and item.summary):
            continue
        if len(item.translation) > MAX_EXAMPLE_TRANSLATION_CHARS:
            continue
        if len(item.abstract) > MAX_EXAMPLE_ABSTRACT_CHARS:
            continue
        if len(item.summary) < MIN_EXAMPLE_SUMMARY_CHARS:
            continue
        found = _ARXIV_ID_IN_LINK.search(item.link)
        key = found.group(1) if found else title_key(item.title)
        notes.append(ExampleNote(key, item.title, item.abstract, item.translation, item.summary))
    return notes


def log_examples_for(settings: Settings, log: Sequence[LogNote]) -> LogExamples | None:
    """The examples of the person's log (:func:`~summarizer.drafting.user_log.read_user_log`),
    or None.

    None when ``examples_from_log`` is off or fewer than :data:`MIN_LOG_NOTES` notes
    have what an example needs: the prompt files' examples are used then.
    """
    if not settings.examples_from_log:
        return None
    notes = usable_notes(log)
    if len(notes) < MIN_LOG_NOTES:
        return None
    return LogExamples(notes, count=backend_for(settings).log_example_count)


class LogExamples(BaseExampleSelector):
    """The ``count`` log notes nearest to the paper, as examples whose ``output`` is
    their ``output_field`` (``summary`` or ``translation``: what the prompt asks for).

    ``fallback`` (the prompt file's own examples) answers when the log has no note
    for a paper.  :meth:`for_prompt` makes one per prompt; they share the TF-IDF
    index, fitted on first use.
    """

    def __init__(
        self,
        notes: Sequence[ExampleNote],
        *,
        count: int,
        output_field: str = "summary",
        fallback: Sequence[dict[str, str]] = (),
        index: _NearestNotes | None = None,
    ) -> None:
        self.notes = list(notes)
        self.count = count
        self.output_field = output_field
        self.fallback = list(fallback)
        self._index = index or _NearestNotes(self.notes)

    def for_prompt(self, output_field: str, fallback: Sequence[dict[str, str]]) -> LogExamples:
        """The same notes and index, for a prompt that asks for ``output_field``."""
        return LogExamples(
            self.notes,
            count=self.count,
            output_field=output_field,
            fallback=fallback,
            index=self._index,
        )

    def nearest(self, abstract: str, arxiv_id: str = "", title: str = "") -> list[ExampleNote]:
        """The nearest notes to a paper, best first, never the paper's own note."""
        own = {arxiv_id, title_key(title)} - {""}
        return self._index.nearest(abstract, self.count, exclude=own)

    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        notes = self.nearest(
            input_variables.get("abstract", ""),
            input_variables.get("arxiv_id", ""),
            input_variables.get("title", ""),
        )
        if not notes:
            return list(self.fallback)
        # Nearest last: the example just before the paper weighs most with small models.
        return [
            {**note.example(), "output": getattr(note, self.output_field)}
            for note in reversed(notes)
        ]

    def add_example(self, example: dict[str, str]) -> None:
        raise NotImplementedError("the examples are the person's log; review a note to add one")


class _NearestNotes:
    """A TF-IDF index of the notes' abstracts, fitted once, safe across threads."""

    def __init__(self, notes: Sequence[ExampleNote]) -> None:
        self._notes = list(notes)
        self._lock = threading.Lock()
        self._fitted: tuple[Any, Any] | None = None

    def _fit(self) -> tuple[Any, Any]:
        with self._lock:
            if self._fitted is None:
                from sklearn.feature_extraction.text import TfidfVectorizer

                vectorizer = TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1
                )
                matrix = vectorizer.fit_transform(
                    [f"{note.title} {note.abstract}" for note in self._notes]
                )
                self._fitted = (vectorizer, matrix)
            return self._fitted

    def nearest(self, abstract: str, count: int, *, exclude: set[str]) -> list[ExampleNote]:
        if not self._notes or count <= 0 or not abstract.strip():
            return []
        vectorizer, matrix = self._fit()
        scores = (matrix @ vectorizer.transform([abstract]).T).toarray().ravel()
        ranked = sorted(range(len(self._notes)), key=lambda i: (-scores[i], i))
        chosen: list[ExampleNote] = []
        for i in ranked:
            note = self._notes[i]
            if note.key in exclude or title_key(note.title) in exclude:
                continue
            chosen.append(note)
            if len(chosen) == count:
                break
        return chosen
