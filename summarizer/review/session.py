"""Review decisions, with no terminal: which tags a note ends up with.

``summarize review`` (the screen) and ``summarize tags accept`` (scripts) both
decide here and write with :func:`summarizer.notes.edit.save_decision`.
:func:`plan_decision` turns the options of ``tags accept`` (--all, --only, --add,
--remove) into a decision, refusing names that are not among the note's tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from summarizer.errors import BadInputError
from summarizer.notes.edit import TagDecision, unique_tags
from summarizer.notes.index import NoteInfo
from summarizer.notes.note import Note, hashtags_line, tag_key
from summarizer.tags.match import resolve_tag
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
    meta = note.meta
    suggested = meta.suggested_tags
    current = meta.tags
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
        for tag in [*suggested, *meta.rejected_tags, *remove]
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


def resolve_additions(
    names: Iterable[str], vocabulary: Vocabulary, *, allow_new: bool
) -> tuple[list[str], list[str]]:
    """The vocabulary's spelling of each tag to add, and those new to the vocabulary.

    Raises :class:`~summarizer.errors.UnknownTagError` (naming the closest tags) for
    a tag outside the vocabulary unless ``allow_new``.
    """
    resolved: list[str] = []
    new: list[str] = []
    for name in names:
        if not name.strip():
            # Never "no tag": that would review the note with nothing accepted.
            raise BadInputError("empty tag name; give a tag, nothing was written")
        canonical, is_new = resolve_tag(name, vocabulary, allow_new=allow_new)
        resolved.append(canonical)
        if is_new:
            new.append(canonical)
    return resolved, new


def plan_decision(
    info: NoteInfo,
    *,
    accept_all: bool,
    only: list[str] | None,
    add: list[str],
    remove: list[str],
    vocabulary: Vocabulary,
) -> TagDecision:
    """The decision ``tags accept`` writes for one note.

    ``accept_all`` accepts every suggested tag; ``only`` (when not None) accepts
    just these suggested tags and rejects the rest; ``add`` are vocabulary
    spellings (see :func:`resolve_additions`); ``remove`` names tags the note would
    otherwise carry.  A name in ``only`` or ``remove`` that is not among the note's
    tags is a :class:`~summarizer.errors.BadInputError` listing them.
    """
    suggested = info.meta.suggested_tags
    chosen: list[str] | None = list(suggested) if accept_all else None
    if only is not None:
        chosen = [
            tag_among(name, suggested, vocabulary, "suggested tags", info.path) for name in only
        ]
    removals = []
    if remove:
        # Removable: what the note would carry after the other options.
        current = decide(info.note, accept_suggested=chosen, add=add)
        removals = [
            tag_among(name, current.accepted, vocabulary, "tags", info.path) for name in remove
        ]
    decision = decide(
        info.note, accept_suggested=chosen, add=add, remove=removals, vocabulary=vocabulary
    )
    if accept_all and not suggested and not add:
        raise BadInputError(f"{info.path} has no suggested tags; add some with --add TAG")
    return decision


def tag_among(name: str, tags: list[str], vocabulary: Vocabulary, what: str, note: Path) -> str:
    """The tag of ``tags`` that ``name`` (any spelling the vocabulary knows) means.

    When none matches, the error names the list (``what``: "suggested tags") and the
    note, and lists the tags.
    """
    wanted = {tag_key(name), tag_key(vocabulary.canonical(name) or name)}
    for tag in tags:
        if tag_key(tag) in wanted:
            return tag
    listed = hashtags_line(tags) or "none"
    raise BadInputError(f"{name!r} is not among the {what} of {note} ({listed})")
