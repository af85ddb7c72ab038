"""What to send to the model from a paper's full text, within a token budget.

``plan_full_text`` decides, with no model call, between

* **one call** (``"single"``) with the sections that matter most for a summary:
  the *core* (abstract, introduction, method, experiments, results, conclusion) in
  full, then discussion, related work and other sections while they fit, the first
  one that does not fit cut at a paragraph or sentence end, and everything after it
  (appendices and acknowledgements last) left out; and
* **map-reduce** (``"map_reduce"``) when even the core does not fit: the whole text,
  in document order, in chunks of at most ``max_input_tokens -
  prompt_overhead_tokens`` tokens, split between sections where possible, else
  between paragraphs, sentences, or (a single over-long sentence) words.

Chunks are sent in document order.  Each section is written as its heading line (as
printed, "3 Model Architecture"; "(continued)" added when a chunk starts in the
middle of a section) followed by its text; sections are separated by a blank line.
Sections are named in the plan by the same heading (their canonical name when the
heading is empty).  Token counts come from :mod:`summarizer.llm.tokens` and are of the
paper text only: the prompt's own tokens are the caller's ``prompt_overhead_tokens``.

Budgets (``default_budget``): gpt-4o-mini reads 128k tokens, but a call's price and
latency grow with its input, and a summary needs the paper's argument, not every
table: 12,000 tokens hold the core of most papers (the median arXiv PDF in
``bench.tokens`` is 10,800 tokens in all).  The embedded model has a 4,096-token
context for prompt *and* reply (up to 768 tokens): 2,500 o200k tokens of input are
at most about 2,850 of its own (its tokenizer counts up to 14 % more on paper
text), leaving room for the reply and the chat template.

``PriceTable`` turns token counts into dollars, from ``summarizer/data/prices.toml``
(prices change: the file says when they were recorded) and a file of the user's.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from summarizer.errors import ConfigError
from summarizer.llm.tokens import Tokenizer, tokenizer_for
from summarizer.papers.pdf_text import Section

__all__ = [
    "CORE_SECTIONS",
    "DEFAULT_MAX_INPUT_TOKENS",
    "LOCAL_MAX_INPUT_TOKENS",
    "BudgetPlan",
    "Chunk",
    "ModelPrice",
    "PriceTable",
    "default_budget",
    "estimate_cost",
    "load_price_table",
    "plan_full_text",
    "split_paragraphs",
    "split_sentences",
]

DEFAULT_MAX_INPUT_TOKENS = 12_000
LOCAL_MAX_INPUT_TOKENS = 2_500
# Below this, not even a heading and a sentence fit: a configuration mistake.
MIN_CHUNK_TOKENS = 100

# Single-call priority, most important first; sections of equal priority keep
# their order in the paper.
_PRIORITY = {
    "abstract": 0,
    "introduction": 1,
    "method": 2,
    "experiments": 3,
    "results": 4,
    "discussion": 5,
    "conclusion": 6,
    "related_work": 7,
    "other": 8,
    "appendix": 9,
}
_ACKNOWLEDGEMENTS = 10  # "other" sections headed "Acknowledgements": dropped first
_ACK_RE = re.compile(r"acknowledg", re.IGNORECASE)
# Sent in full in single mode, or else the plan is map-reduce.
CORE_SECTIONS = frozenset(
    {"abstract", "introduction", "method", "experiments", "results", "conclusion"}
)
_MAX_LABEL_CHARS = 80
_CONTINUED = " (continued)"
_SEPARATOR = "\n\n"


def default_budget(backend: str) -> int:
    """``max_input_tokens`` for a resolved backend, ``"openai"`` or ``"local"``
    (see the module doc for why)."""
    if backend == "openai":
        return DEFAULT_MAX_INPUT_TOKENS
    if backend == "local":
        return LOCAL_MAX_INPUT_TOKENS
    raise ValueError(f"unknown backend {backend!r}; expected 'openai' or 'local' (resolved)")


# --- the plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """One call's share of the paper: its ``text``, the ``sections`` it holds (by
    heading, in order) and its ``tokens``."""

    text: str
    sections: list[str]
    tokens: int


@dataclass(frozen=True)
class BudgetPlan:
    """What to send.  ``total_tokens`` is the whole paper's text, ``sent_tokens`` the
    chunks' (both without the prompt); ``dropped_sections`` were left out and
    ``truncated_sections`` cut short (single mode only); ``approximate`` when the
    counts are not exactly the model's tokenizer's."""

    mode: Literal["single", "map_reduce"]
    chunks: list[Chunk]
    total_tokens: int
    sent_tokens: int
    dropped_sections: list[str]
    approximate: bool
    truncated_sections: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def calls(self) -> int:
        """Model calls the plan needs: one per chunk, plus the reduce step."""
        return len(self.chunks) + (1 if self.mode == "map_reduce" and self.chunks else 0)


def plan_full_text(
    sections: list[Section],
    *,
    model: str,
    max_input_tokens: int,
    prompt_overhead_tokens: int,
    tokenizer: Tokenizer | None = None,
) -> BudgetPlan:
    """Choose between one call and map-reduce for ``sections`` (see the module doc).

    Deterministic and pure: the same sections and budget give the same plan.
    ``tokenizer`` defaults to :func:`summarizer.llm.tokens.tokenizer_for` ``(model)``.

    Raises:
        ValueError: the budget leaves fewer than 100 tokens for the paper.
    """
    available = max_input_tokens - prompt_overhead_tokens
    if available < MIN_CHUNK_TOKENS:
        raise ValueError(
            f"a budget of {max_input_tokens} tokens with {prompt_overhead_tokens} for the "
            f"prompt leaves {available} for the paper; at least {MIN_CHUNK_TOKENS} are needed"
        )
    counter = _Counter(tokenizer or tokenizer_for(model))
    parts = [_Part(i, s) for i, s in enumerate(sections) if s.text.strip()]
    total = counter.count(_render([(p.label, p.body) for p in parts]))
    kwargs: dict[str, Any] = {
        "total_tokens": total,
        "approximate": counter.tokenizer.approximate,
        "encoding": counter.tokenizer.encoding,
    }
    structured = any(p.section.name in CORE_SECTIONS - {"abstract"} for p in parts)
    # A paper whose structure was not recognised is all core: cutting it to the
    # budget would keep an arbitrary beginning.
    core = [p for p in parts if p.core or (not structured and p.priority < _PRIORITY["appendix"])]
    if counter.count(_render([(p.label, p.body) for p in core])) <= available:
        return _single(parts, core, counter, available, **kwargs)
    return _map_reduce(parts, counter, available, **kwargs)


@dataclass
class _Part:
    index: int
    section: Section

    @property
    def label(self) -> str:
        label = " ".join(self.section.heading.split()) or self.section.name
        return label[:_MAX_LABEL_CHARS]

    @property
    def body(self) -> str:
        return self.section.text.strip()

    @property
    def core(self) -> bool:
        return self.section.name in CORE_SECTIONS

    @property
    def priority(self) -> int:
        if self.section.name == "other" and _ACK_RE.search(self.section.heading):
            return _ACKNOWLEDGEMENTS
        return _PRIORITY.get(self.section.name, _PRIORITY["other"])


class _Counter:
    """Counts with a tokenizer, remembering pieces already counted."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self._seen: dict[str, int] = {}

    def count(self, text: str) -> int:
        if text not in self._seen:
            self._seen[text] = self.tokenizer.count(text)
        return self._seen[text]

    def header(self, label: str) -> int:
        """Tokens a segment's heading line adds, with the blank line before it."""
        return self.count(_SEPARATOR + label + "\n")


def _render(segments: Iterable[tuple[str, str]]) -> str:
    return _SEPARATOR.join(f"{label}\n{body}" for label, body in segments)


def _single(
    parts: list[_Part],
    core: list[_Part],
    counter: _Counter,
    available: int,
    **kwargs: Any,
) -> BudgetPlan:
    kept: dict[int, str] = {p.index: p.body for p in core}
    truncated: list[int] = []
    used = counter.count(_render([(p.label, p.body) for p in core]))
    extras = sorted((p for p in parts if p.index not in kept), key=lambda p: (p.priority, p.index))
    for part in extras:
        whole = counter.header(part.label) + counter.count(part.body)
        if used + whole <= available:
            kept[part.index] = part.body
            used += whole
            continue
        prefix = _fit_prefix(part.body, counter, available - used - counter.header(part.label))
        if prefix:
            kept[part.index] = prefix
            truncated.append(part.index)
        break  # everything of lower priority is left out
    by_index = {p.index: p for p in parts}

    def build() -> tuple[str, int]:
        text = _render([(by_index[i].label, kept[i]) for i in sorted(kept)])
        return text, counter.count(text)

    text, tokens = build()
    while tokens > available:  # counts of pieces do not always add up exactly
        last = max((p for p in extras if p.index in kept), key=lambda p: (p.priority, p.index))
        shorter = _fit_prefix(kept[last.index], counter, counter.count(kept[last.index]) - 1)
        if shorter:
            kept[last.index] = shorter
            truncated = sorted({*truncated, last.index})
        else:
            del kept[last.index]
            truncated = [i for i in truncated if i != last.index]
        text, tokens = build()
    chunks = [Chunk(text, [by_index[i].label for i in sorted(kept)], tokens)] if kept else []
    return BudgetPlan(
        mode="single",
        chunks=chunks,
        sent_tokens=tokens if kept else 0,
        dropped_sections=[p.label for p in parts if p.index not in kept],
        truncated_sections=[by_index[i].label for i in truncated],
        **kwargs,
    )


def _fit_prefix(text: str, counter: _Counter, limit: int) -> str:
    """The longest beginning of ``text`` that ends a paragraph or a sentence and has
    at most ``limit`` tokens ("" if not even the first sentence fits)."""
    if limit <= 0:
        return ""
    pieces: list[str] = []
    used = 0
    for paragraph in split_paragraphs(text):
        if used + (tokens := counter.count(paragraph)) <= limit:
            pieces.append(paragraph)
            used += tokens
            continue
        for sentence in split_sentences(paragraph):
            if used + (tokens := counter.count(sentence)) > limit:
                break
            pieces.append(sentence)
            used += tokens
        break
    # Counts of pieces almost always add up to at least the count of their text.
    while pieces and counter.count("".join(pieces).strip()) > limit:
        pieces.pop()
    return "".join(pieces).strip()


# --- map-reduce --------------------------------------------------------------------


@dataclass
class _Unit:
    """A contiguous piece of one section's text that fits in a chunk on its own."""

    part: _Part
    text: str
    tokens: int
    first: bool  # the section's first piece


def _map_reduce(parts: list[_Part], counter: _Counter, available: int, **kwargs: Any) -> BudgetPlan:
    units: list[_Unit] = []
    for part in parts:
        whole = counter.count(part.body)
        if counter.header(part.label) + whole <= available:
            units.append(_Unit(part, part.body, whole, first=True))
            continue
        # Room for a piece under the longer "(continued)" heading line.
        limit = available - counter.header(part.label + _CONTINUED)
        pieces = _split_to_fit(part.body, counter, limit)
        units += [
            _Unit(part, piece, counter.count(piece), first=n == 0) for n, piece in enumerate(pieces)
        ]
    chunks = [_chunk(group, counter) for group in _pack(units, counter, available)]
    return BudgetPlan(
        mode="map_reduce",
        chunks=chunks,
        sent_tokens=sum(chunk.tokens for chunk in chunks),
        dropped_sections=[],
        **kwargs,
    )


def _pack(units: list[_Unit], counter: _Counter, available: int) -> list[list[_Unit]]:
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


def _cost(unit: _Unit, current: list[_Unit], counter: _Counter) -> int:
    """Tokens ``unit`` adds to the chunk ``current``: its text, and a heading line
    unless it continues the section the chunk ends with."""
    if current and current[-1].part is unit.part:
        return unit.tokens
    return unit.tokens + counter.header(_label(unit))


def _shrink_to_fit(group: list[_Unit], counter: _Counter, available: int) -> list[_Unit]:
    """Remove units from the end of ``group`` until its text fits; returns them."""
    overflow: list[_Unit] = []
    while counter.count(_chunk_text(group)) > available:
        if len(group) > 1:
            overflow.insert(0, group.pop())
            continue
        # One unit over by a token or two: cut it in two and carry the rest.
        unit = group[0]
        head, tail = _halve(unit.text)
        group[0] = _Unit(unit.part, head, counter.count(head), unit.first)
        overflow.insert(0, _Unit(unit.part, tail, counter.count(tail), first=False))
    return overflow


def _label(unit: _Unit) -> str:
    return unit.part.label + ("" if unit.first else _CONTINUED)


def _segments(group: list[_Unit]) -> list[tuple[str, str]]:
    segments: list[tuple[str, list[str]]] = []
    previous: _Part | None = None
    for unit in group:
        if unit.part is previous:
            segments[-1][1].append(unit.text)
        else:
            segments.append((_label(unit), [unit.text]))
        previous = unit.part
    return [(label, "".join(texts).strip()) for label, texts in segments]


def _chunk_text(group: list[_Unit]) -> str:
    return _render(_segments(group))


def _chunk(group: list[_Unit], counter: _Counter) -> Chunk:
    text = _chunk_text(group)
    labels = list(dict.fromkeys(unit.part.label for unit in group))
    return Chunk(text, labels, counter.count(text))


# --- splitting text ----------------------------------------------------------------

_ENDS_SENTENCE_RE = re.compile(r"[.!?:。！？][\"'”’)\]」』]*$")
_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?<=[。！？])[」』）]*\s*"
)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``, each with its trailing line breaks, so that
    ``"".join(split_paragraphs(text)) == text``.

    A blank line ends a paragraph.  PDF text has none: there a paragraph ends at a
    line that ends a sentence, is shorter than the column (80 % of the 90th
    percentile line length) and is followed by a line that does not start in
    lowercase.
    """
    lines = text.splitlines(keepends=True)
    widths = sorted(len(line.strip()) for line in lines if line.strip())
    column = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:  # a blank line ends the paragraph it follows
            if current.strip():
                paragraphs.append(current + line)
                current = ""
            elif paragraphs:
                paragraphs[-1] += line
            else:
                current += line
            continue
        current += line
        following = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if (
            following
            and _ENDS_SENTENCE_RE.search(stripped)
            and len(stripped) < 0.8 * column
            and not following[:1].islower()
        ):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (English or Japanese), each with its trailing space, so
    that ``"".join(split_sentences(text)) == text``."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if match.end() > start and text[start : match.end()].strip():
            sentences.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        sentences.append(text[start:])
    return sentences


def _split_to_fit(text: str, counter: _Counter, limit: int) -> list[str]:
    """``text`` in contiguous pieces of at most ``limit`` tokens each: whole
    paragraphs, else sentences, else words (else characters)."""
    pieces: list[str] = []
    for paragraph in split_paragraphs(text):
        if counter.count(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for sentence in split_sentences(paragraph):
            if counter.count(sentence) <= limit:
                pieces.append(sentence)
            else:
                pieces += _hard_split(sentence, counter.count, limit)
    return pieces


def _hard_split(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Pieces of at most ``limit`` tokens, cut after a space where there is one."""
    pieces: list[str] = []
    while count(text) > limit:
        low, high = 1, len(text)  # the longest prefix that fits, by bisection
        while low < high:
            middle = (low + high + 1) // 2
            if count(text[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        space = text.rfind(" ", 0, low)
        cut = space + 1 if space >= low // 2 else low
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def _halve(text: str) -> tuple[str, str]:
    middle = len(text) // 2
    space = text.rfind(" ", 0, middle)
    cut = space + 1 if space > 0 else max(1, middle)
    return text[:cut], text[cut:]


# --- prices ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float


@dataclass(frozen=True)
class PriceTable:
    """Prices per model; ``recorded`` says when (they change)."""

    prices: Mapping[str, ModelPrice]
    recorded: str | None = None

    def price(self, model: str) -> ModelPrice | None:
        """The price of ``model``: its own entry, or that of the model a dated
        snapshot ("gpt-4o-mini-2024-07-18") or a local label ("…, local") names."""
        for name in _candidate_names(model):
            if name in self.prices:
                return self.prices[name]
        return None

    def estimate_cost(self, model: str, input_tokens: int, output_tokens: int) -> float | None:
        """USD for one model's tokens; ``None`` when the model has no price."""
        price = self.price(model)
        if price is None:
            return None
        return (input_tokens * price.input + output_tokens * price.output) / 1_000_000

    def merged(self, other: PriceTable) -> PriceTable:
        """This table with ``other``'s entries (and date) taking precedence."""
        return PriceTable({**self.prices, **other.prices}, other.recorded or self.recorded)


_SNAPSHOT_RE = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{4})$")


def _candidate_names(model: str) -> list[str]:
    name = model.strip().casefold().removesuffix(", local").strip()
    names = [name]
    if (undated := _SNAPSHOT_RE.sub("", name)) != name:
        names.append(undated)
    if "/" in name:  # "openai/gpt-4o-mini" on an OpenAI-compatible router
        names += _candidate_names(name.rsplit("/", 1)[1])
    return names


def _parse_price_table(text: str, source: str) -> PriceTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"price file {source} is not valid TOML: {error}") from None
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ConfigError(f"price file {source}: [models] must be a table of models")
    prices: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        values = entry if isinstance(entry, dict) else {}
        try:
            price = ModelPrice(float(values["input"]), float(values["output"]))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(
                f"price file {source}: model {name!r} needs numbers 'input' and 'output' "
                "(USD per million tokens)"
            ) from None
        if (
            not (math.isfinite(price.input) and math.isfinite(price.output))
            or min(price.input, price.output) < 0
        ):
            raise ConfigError(f"price file {source}: model {name!r} has a negative price")
        prices[name.strip().casefold()] = price
    recorded = data.get("recorded")
    return PriceTable(prices, str(recorded) if recorded is not None else None)


@cache
def _default_prices() -> PriceTable:
    text = resources.files("summarizer").joinpath("data", "prices.toml").read_text("utf-8")
    return _parse_price_table(text, "summarizer/data/prices.toml")


def load_price_table(path: Path | None = None) -> PriceTable:
    """The shipped prices, with the entries of the TOML file at ``path`` (same
    layout) replacing them model by model.

    Raises:
        ConfigError: the file is missing, unreadable or malformed.
    """
    table = _default_prices()
    if path is None:
        return table
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read price file {path}: {error}") from None
    return table.merged(_parse_price_table(text, str(path)))


def estimate_cost(
    model: str, input_tokens: int, output_tokens: int, *, prices: PriceTable | None = None
) -> float | None:
    """USD for ``model``'s tokens at the shipped prices (or ``prices``); ``None`` for a
    model without a price."""
    return (prices or load_price_table()).estimate_cost(model, input_tokens, output_tokens)
