"""What the chains hand back: each task's output and cost, and the note's sections."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from summarizer.llm.usage import CallUsage


class TokenUsage(BaseModel):
    """One task's calls and tokens, as the note's usage table records them."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    @classmethod
    def of(cls, usage: CallUsage) -> TokenUsage:
        return cls(
            input_tokens=usage.tokens("input_tokens"),
            output_tokens=usage.tokens("output_tokens"),
            calls=usage.calls,
        )


class TaskResult(BaseModel):
    """One task's output and what it cost."""

    text: str = ""
    tags: list[str] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    warnings: list[str] = Field(default_factory=list)
    needs_attention: bool = False
    tag_scores: dict[str, float] = Field(default_factory=dict)


class DraftSections(BaseModel):
    """Everything the chain writes into a note."""

    translation: str
    summary: str
    suggested_tags: list[str]
    usage: dict[str, TokenUsage]
    warnings: list[str] = Field(default_factory=list)
    attention: list[str] = Field(default_factory=list)
    # The history-trained suggester's calibrated score per suggested tag, when used.
    tag_scores: dict[str, float] = Field(default_factory=dict)
    # The person's notes (arXiv ID or title) that served as few-shot examples.
    examples: list[str] = Field(default_factory=list)

    def usage_table(self) -> dict[str, dict[str, int]]:
        """Per-call token counts plus a total, as recorded in the note."""
        table = {task: usage.model_dump() for task, usage in self.usage.items()}
        table["total"] = {
            key: sum(usage[key] for usage in table.values())
            for key in ("input_tokens", "output_tokens", "calls")
        }
        return table


def measured(work: Callable[[], TaskResult]) -> TaskResult:
    """``work()``, with the calls and tokens of the model calls it made as its usage."""
    from summarizer.llm.usage import collect_usage

    with collect_usage() as usage:
        result = work()
    result.usage = TokenUsage.of(usage)
    return result
