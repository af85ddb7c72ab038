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

Budgets (``Backend.default_input_tokens``, :mod:`summarizer.llm.backend`):
gpt-4o-mini reads 128k tokens, but a call's price and latency grow with its input,
and a summary needs the paper's argument, not every table: 12,000 tokens hold the
core of most papers (the median arXiv PDF in ``bench.tokens`` is 10,800 tokens in
all).  The embedded model has a 4,096-token context for prompt *and* reply (up to
768 tokens): 2,500 o200k tokens of input are at most about 2,850 of its own (its
tokenizer counts up to 14 % more on paper text), leaving room for the reply and the
chat template.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from summarizer.drafting.map_reduce import map_reduce_chunks
from summarizer.drafting.plan_parts import (
    CORE_SECTIONS,
    MIN_CHUNK_TOKENS,
    PRIORITY,
    Chunk,
    Part,
    TokenCounter,
    render,
)
from summarizer.drafting.text_split import split_paragraphs, split_sentences
from summarizer.llm.backend import backend_for
from summarizer.llm.tokens import Tokenizer, tokenizer_for
from summarizer.papers.pdf_text import Section

if TYPE_CHECKING:
    from summarizer.papers.pdf_text import PdfDocument
    from summarizer.settings import Settings


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
    counter = TokenCounter(tokenizer or tokenizer_for(model))
    parts = [Part(i, s) for i, s in enumerate(sections) if s.text.strip()]
    total = counter.count(render([(p.label, p.body) for p in parts]))
    kwargs: dict[str, Any] = {
        "total_tokens": total,
        "approximate": counter.tokenizer.approximate,
        "encoding": counter.tokenizer.encoding,
    }
    structured = any(p.section.name in CORE_SECTIONS - {"abstract"} for p in parts)
    # A paper whose structure was not recognised is all core: cutting it to the
    # budget would keep an arbitrary beginning.
    core = [p for p in parts if p.core or (not structured and p.priority < PRIORITY["appendix"])]
    if counter.count(render([(p.label, p.body) for p in core])) <= available:
        return _single(parts, core, counter, available, **kwargs)
    chunks = map_reduce_chunks(parts, counter, available)
    return BudgetPlan(
        mode="map_reduce",
        chunks=chunks,
        sent_tokens=sum(chunk.tokens for chunk in chunks),
        dropped_sections=[],
        **kwargs,
    )


def _single(
    parts: list[Part],
    core: list[Part],
    counter: TokenCounter,
    available: int,
    **kwargs: Any,
) -> BudgetPlan:
    kept: dict[int, str] = {p.index: p.body for p in core}
    truncated: list[int] = []
    used = counter.count(render([(p.label, p.body) for p in core]))
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
        text = render([(by_index[i].label, kept[i]) for i in sorted(kept)])
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


def _fit_prefix(text: str, counter: TokenCounter, limit: int) -> str:
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


# --- a plan for a backend ------------------------------------------------------------

# Tokens of the Comment prompt itself (instructions, title), kept out of the budget
# for the paper's text.  Measured on prompts/comment.toml: about 450 with a title.
COMMENT_PROMPT_TOKENS = 600


def plan_for(document: PdfDocument, settings: Settings) -> BudgetPlan:
    """The plan for ``document`` on the settings' backend and budget."""
    backend = backend_for(settings)
    budget = settings.max_input_tokens or backend.default_input_tokens
    sections = list(document.sections or [])
    if backend.single_comment_call:
        # On 2 CPU cores each local call takes ~20 s, so a long paper read in 5-29
        # parts would take minutes: the local model gets one call with the start of
        # each core section instead.
        sections = shorten_core_sections(sections, budget - COMMENT_PROMPT_TOKENS, settings.model)
    return plan_full_text(
        sections,
        model=settings.model,
        max_input_tokens=budget,
        prompt_overhead_tokens=COMMENT_PROMPT_TOKENS,
    )


def shorten_core_sections(sections: list[Section], available: int, model: str) -> list[Section]:
    """Keep the core sections only, each cut to its share of ``available`` tokens."""
    core = [s for s in sections if s.name in CORE_SECTIONS and s.text.strip()]
    if not core:
        return sections
    tokenizer = tokenizer_for(model)
    # A little headroom for the section labels the plan adds.
    share = max(50, int(available * 0.9) // len(core))
    shortened = []
    for section in core:
        kept = ""
        for sentence in split_sentences(section.text):
            if tokenizer.count(kept + sentence) > share:
                break
            kept += sentence
        shortened.append(dataclasses.replace(section, text=kept or section.text[: share * 3]))
    return shortened
