"""Map-reduce chunks: a paper too long for one call, cut into calls that each fit.

The whole text goes, in document order, in chunks of at most the available tokens,
split between sections where possible, else between paragraphs, sentences, or (a
single over-long sentence) words.  A chunk that starts in the middle of a section
repeats its heading with "(continued)".
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.drafting.plan_parts import CONTINUED, Chunk, Part, TokenCounter, render
from summarizer.drafting.text_split import halve, split_to_fit


@dataclass
class _Unit:
    """A contiguous piece of one section's text that fits in a chunk on its own."""

    part: Part
    text: str
    tokens: int
    first: bool  # the section's first piece


def map_reduce_chunks(parts: list[Part], counter: TokenCounter, available: int) -> list[Chunk]:
    """The whole text in document order, in chunks of at most ``available`` tokens."""
    units: list[_Unit] = []
    for part in parts:
        whole = counter.count(part.body)
        if counter.header(part.label) + whole <= available:
            units.append(_Unit(part, part.body, whole, first=True))
            continue
        # Room for a piece under the longer "(continued)" heading line.
        limit = available - counter.header(part.label + CONTINUED)
        pieces = split_to_fit(part.body, counter.count, limit)
        units += [
            _Unit(part, piece, counter.count(piece), first=n == 0) for n, piece in enumerate(pieces)
        ]
    return [_chunk(group, counter) for group in _pack(units, counter, available)]


def _pack(units: list[_Unit], counter: TokenCounter, available: int) -> list[list[_Unit]]:
    """Greedy packing in document order.  A section that fits in a chunk is never
    split: it starts a new chunk instead.  The pieces of a split section fill the
    current chunk.  Every chunk is checked with an exact count."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    used = 0
    queue = list(reversed(units))
    while queue:
        unit = queue.pop()
        # Units are made to fit an empty chunk, and a chunk is closed as soon as the
        # next unit would not fit: the unit always fits here.
        used += _cost(unit, current, counter)
        current.append(unit)
        if not queue or used + _cost(queue[-1], current, counter) > available:
            # The chunk is complete: check its exact count, then start the next.
            overflow = _shrink_to_fit(current, counter, available)
            groups.append(current)
            queue += reversed(overflow)
            current, used = [], 0
    return groups


def _cost(unit: _Unit, current: list[_Unit], counter: TokenCounter) -> int:
    """Tokens ``unit`` adds to the chunk ``current``: its text, and a heading line
    unless it continues the section the chunk ends with."""
    if current and current[-1].part is unit.part:
        return unit.tokens
    return unit.tokens + counter.header(_label(unit))


def _shrink_to_fit(group: list[_Unit], counter: TokenCounter, available: int) -> list[_Unit]:
    """Remove units from the end of ``group`` until its text fits; returns them."""
    overflow: list[_Unit] = []
    while counter.count(_chunk_text(group)) > available:
        if len(group) > 1:
            overflow.insert(0, group.pop())
            continue
        # One unit over by a token or two: cut it in two and carry the rest.
        unit = group[0]
        head, tail = halve(unit.text)
        group[0] = _Unit(unit.part, head, counter.count(head), unit.first)
        overflow.insert(0, _Unit(unit.part, tail, counter.count(tail), first=False))
    return overflow


def _label(unit: _Unit) -> str:
    return unit.part.label + ("" if unit.first else CONTINUED)


def _segments(group: list[_Unit]) -> list[tuple[str, str]]:
    segments: list[tuple[str, list[str]]] = []
    previous: Part | None = None
    for unit in group:
        if unit.part is previous:
            segments[-1][1].append(unit.text)
        else:
            segments.append((_label(unit), [unit.text]))
        previous = unit.part
    return [(label, "".join(texts).strip()) for label, texts in segments]


def _chunk_text(group: list[_Unit]) -> str:
    return render(_segments(group))


def _chunk(group: list[_Unit], counter: TokenCounter) -> Chunk:
    text = _chunk_text(group)
    labels = list(dict.fromkeys(unit.part.label for unit in group))
    return Chunk(text, labels, counter.count(text))
