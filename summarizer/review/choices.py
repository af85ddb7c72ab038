"""The tag choices on one review screen: what is marked, toggled and added (no terminal)."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.notes.edit import TagDecision
from summarizer.notes.note import Note, tag_key
from summarizer.review.session import decide
from summarizer.tags.vocabulary import Vocabulary


@dataclass
class TagChoice:
    name: str
    origin: str  # "suggested", "kept" (already in `tags`) or "added"
    selected: bool = True
    score: float | None = None
    new: bool = False  # outside the vocabulary (recorded as a candidate on save)


@dataclass
class ReviewState:
    """The tag choices for one note; pure logic, no terminal."""

    choices: list[TagChoice] = field(default_factory=list)
    # Indexes into the note's front-matter `related` the person chose to drop.
    dropped_related: set[int] = field(default_factory=set)

    @classmethod
    def for_note(cls, note: Note, previous: ReviewState | None = None) -> ReviewState:
        before = {tag_key(c.name): c for c in previous.choices} if previous else {}
        scores = note.meta.suggested_tag_scores
        choices: list[TagChoice] = []
        seen: set[str] = set()
        for name in note.meta.suggested_tags:
            old = before.get(tag_key(name))
            choices.append(
                TagChoice(
                    name,
                    "suggested",
                    selected=old.selected if old else True,
                    score=scores.get(name),
                )
            )
            seen.add(tag_key(name))
        for name in note.meta.tags:
            if tag_key(name) not in seen:
                old = before.get(tag_key(name))
                choices.append(TagChoice(name, "kept", selected=old.selected if old else True))
                seen.add(tag_key(name))
        for old in before.values():
            if old.origin == "added" and tag_key(old.name) not in seen:
                choices.append(old)
        return cls(choices, set(previous.dropped_related) if previous else set())

    def toggle_related(self, note: Note, index: int) -> bool:
        """Drop related note ``index`` (0-based), or keep it again."""
        if not 0 <= index < len(note.meta.related):
            return False
        self.dropped_related ^= {index}
        return True

    def related_to_drop(self, note: Note) -> list[str]:
        """The title lines of the related notes to remove from the ``関連:`` block."""
        related = note.meta.related
        return [related[i].title_line for i in sorted(self.dropped_related) if i < len(related)]

    def toggle(self, index: int) -> bool:
        if 0 <= index < len(self.choices):
            self.choices[index].selected = not self.choices[index].selected
            return True
        return False

    def select_all(self) -> None:
        """Tick every tag on the screen (the `x` key)."""
        for choice in self.choices:
            choice.selected = True

    def has_changes(self, note: Note) -> bool:
        """Whether these choices differ from what ``note`` has on disk: unsaved work."""
        return _marks(self) != _marks(ReviewState.for_note(note))

    def add(self, name: str, *, new: bool = False) -> str:
        for choice in self.choices:
            if tag_key(choice.name) == tag_key(name):
                choice.selected = True
                return f"#{choice.name} is selected"
        self.choices.append(TagChoice(name, "added", new=new))
        return f"added #{name}" + (" (new: recorded as a vocabulary candidate)" if new else "")

    def decision(self, note: Note, vocabulary: Vocabulary) -> TagDecision:
        suggested = [c for c in self.choices if c.origin == "suggested"]
        return decide(
            note,
            accept_suggested=[c.name for c in suggested if c.selected],
            add=[c.name for c in self.choices if c.origin != "suggested" and c.selected],
            remove=[c.name for c in self.choices if c.origin == "kept" and not c.selected],
            vocabulary=vocabulary,
        )

    def new_tags(self) -> list[str]:
        return [c.name for c in self.choices if c.new and c.selected]


def _marks(state: ReviewState) -> list[tuple[str, bool, bool]]:
    return [(tag_key(c.name), c.selected, c.new) for c in state.choices]
