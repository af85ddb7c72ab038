"""Review decisions, with no terminal: which tags a note ends up with.

``summarize review`` (the screen) and ``summarize tags accept`` (scripts) both
decide here and write with :func:`summarizer.notes.edit.save_decision`.
"""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.notes.edit import TagDecision, unique_tags
from summarizer.notes.note import Note, tag_key, tag_list
from summarizer.tags.vocabulary import Vocabulary

_KIND_ORDER = {"topic": 0, "venue": 1, "workflow": 2}


def decide(
    note: Note,
    *,
    accept_suggested: Iterable[str] | None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    vocabulary: Vocabulary | None = None,
) -> TagDecision:
    """The tags a note ends up with.

    ``accept_suggested`` says which suggested tags are accepted (None: leave them as
    they are in ``tags``); the other suggested tags are rejected.  Tags already in
    ``tags`` that were never suggested stay.  ``add`` and ``remove`` come last.
    A removed tag and a suggested tag not accepted are recorded as rejected.
    """
    front = note.front_matter
    suggested = tag_list(front.get("suggested_tags"))
    current = tag_list(front.get("tags"))
    suggested_keys = {tag_key(tag) for tag in suggested}
    if accept_suggested is None:
        accepted = list(current)
    else:
        chosen = {tag_key(tag) for tag in accept_suggested}
        accepted = [tag for tag in current if tag_key(tag) not in suggested_keys]
        accepted += [tag for tag in suggested if tag_key(tag) in chosen]
    accepted = unique_tags([*accepted, *add])
    removed = {tag_key(tag) for tag in remove}
    accepted = [tag for tag in accepted if tag_key(tag) not in removed]
    accepted_keys = {tag_key(tag) for tag in accepted}
    rejected = unique_tags(
        tag
        for tag in [*suggested, *tag_list(front.get("rejected_tags")), *remove]
        if tag_key(tag) not in accepted_keys
    )
    if vocabulary is not None:
        accepted = order_by_kind(accepted, vocabulary)
    return TagDecision(accepted=accepted, rejected=rejected)


def order_by_kind(tags: list[str], vocabulary: Vocabulary) -> list[str]:
    """Topics first, then venues, then workflow labels (house style); stable otherwise."""

    def kind_rank(tag: str) -> int:
        entry = vocabulary.tag(tag)
        return _KIND_ORDER.get(entry.kind, 0) if entry else 0

    return sorted(tags, key=kind_rank)
