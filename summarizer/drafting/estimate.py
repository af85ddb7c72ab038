"""``summarize --dry-run``: what drafting a paper would cost, without calling any model.

The paper is read exactly as a draft would read it (metadata, and the full text
when wanted), the prompts are rendered and counted, and the full-text plan is made
with the same :func:`~summarizer.drafting.budget.plan_for` as a real draft.  Only the
replies' lengths are guessed, from typical replies, so the output tokens and the
cost are estimates.  It refuses what the real run refuses (a note that may not be
replaced), before reading anything, with the same error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.drafting.budget import COMMENT_PROMPT_TOKENS, plan_for
from summarizer.drafting.prices import cost_usd, load_price_table
from summarizer.llm.backend import backend_for
from summarizer.llm.tokens import count_tokens
from summarizer.notes.note import ensure_writable
from summarizer.papers.reader import PaperText, Progress, read_paper
from summarizer.papers.sources import ArxivSource, note_stem, resolve_source
from summarizer.tags.vocabulary import Vocabulary, load_vocabulary

if TYPE_CHECKING:
    from summarizer.drafting.budget import BudgetPlan
    from summarizer.papers.paper import Paper
    from summarizer.settings import Settings

# Typical reply lengths (tokens), measured on the fake-free runs in the closing notes;
# only used to estimate, never to cap.
EXPECTED_OUTPUT_TOKENS = {"translation": 450, "summary": 160, "tags": 30, "comment": 600}
PART_NOTES_TOKENS = 250


@dataclass(frozen=True)
class Estimate:
    paper: Paper
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    approximate: bool
    cost_usd: float | None
    plan: BudgetPlan | None
    warnings: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.paper.title,
            "model": self.model,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens_approximate": self.approximate,
            "cost_usd": self.cost_usd,
            "full_text_mode": self.plan.mode if self.plan else None,
            "warnings": self.warnings,
        }


def estimate_note(
    reference: str,
    settings: Settings,
    *,
    out_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Estimate:
    """Tokens and cost of drafting ``reference`` into ``out_dir``, without calling
    any model; :class:`~summarizer.errors.NoteExistsError` where a draft would be
    refused."""
    say = progress or (lambda _message: None)
    source = resolve_source(reference)
    folder = out_dir or settings.notes_dir
    if isinstance(source, ArxivSource):
        ensure_writable(folder / f"{source.ref.safe_name}.md", force=force)
    text = read_paper(source, settings, say)
    ensure_writable(folder / f"{note_stem(text.paper, source)}.md", force=force)
    return estimate_text(text, settings, load_vocabulary(settings.vocabulary))


def estimate_text(text: PaperText, settings: Settings, vocabulary: Vocabulary) -> Estimate:
    """Tokens and cost of drafting a paper already read (a batch's dry run reads many)."""
    from summarizer.llm.prompts import load_prompt

    inputs = {"title": text.paper.title, "abstract": text.paper.abstract}
    prompts = {
        "translation": load_prompt("translate").to_chat_prompt().format(**inputs),
        "summary": load_prompt("summarize").to_chat_prompt().format(**inputs),
        "tags": load_prompt("tags")
        .to_chat_prompt()
        .format(**inputs, vocabulary="\n".join(vocabulary.names()), max_tags=8),
    }
    counts = [count_tokens(prompt, settings.model) for prompt in prompts.values()]
    input_tokens = sum(count.tokens for count in counts)
    output_tokens = sum(EXPECTED_OUTPUT_TOKENS[task] for task in prompts)
    calls = len(prompts)
    approximate = any(count.approximate for count in counts)
    plan = plan_for(text.document, settings) if text.document is not None else None
    if plan is not None and plan.chunks:
        calls += plan.calls
        input_tokens += plan.sent_tokens + COMMENT_PROMPT_TOKENS * plan.calls
        output_tokens += EXPECTED_OUTPUT_TOKENS["comment"]
        if plan.mode == "map_reduce":
            output_tokens += PART_NOTES_TOKENS * len(plan.chunks)
            input_tokens += PART_NOTES_TOKENS * len(plan.chunks)
        approximate = approximate or plan.approximate
    backend = backend_for(settings)
    prices = load_price_table(settings.prices)
    return Estimate(
        paper=text.paper,
        model=backend.model_name(settings),
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        approximate=approximate,
        cost_usd=cost_usd(backend, settings.model, input_tokens, output_tokens, prices),
        plan=plan,
        warnings=text.warnings,
    )
