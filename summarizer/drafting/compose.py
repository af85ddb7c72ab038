"""A draft's parts checked against the paper and put together as the note's text.

Numbers and names the paper does not contain are marked for the reviewer; venue
tags come from the metadata, never from the model; the full-text record says what
the Comment was drafted from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.drafting.factcheck import check_against_source, mark_unsupported
from summarizer.notes.note import NoteContent, render_note, title_line
from summarizer.notes.related_block import render_block
from summarizer.papers.sources import ArxivSource
from summarizer.papers.text_sources import text_source_record
from summarizer.tags.venues import venue_tags

if TYPE_CHECKING:
    from summarizer.drafting.budget import BudgetPlan
    from summarizer.drafting.results import DraftSections, TaskResult
    from summarizer.papers.paper import Paper
    from summarizer.papers.reader import PaperText
    from summarizer.tags.related import Related
    from summarizer.tags.vocabulary import Vocabulary


@dataclass(frozen=True)
class DraftResult:
    path: Path
    paper: Paper
    sections: DraftSections
    title_line: str
    warnings: list[str] = field(default_factory=list)
    # As written in the note: the chain's topic tags, then venue tags.
    suggested_tags: list[str] = field(default_factory=list)

    def summary_json(self) -> dict[str, object]:
        """The ``--json`` output: a stable contract for scripts."""
        return {
            "path": str(self.path),
            "arxiv_id": self.paper.arxiv_id,
            "title_line": self.title_line,
            "suggested_tags": self.suggested_tags,
            "usage": self.sections.usage_table(),
        }


def compose_note(
    text: PaperText,
    vocabulary: Vocabulary,
    sections: DraftSections,
    comment: TaskResult,
    plan: BudgetPlan | None,
    label: str,
    path: Path,
    related: Sequence[Related] = (),
) -> tuple[str, DraftResult]:
    """The note's text, and what the caller is told about it (nothing is written).

    ``related``: notes of the person's log to list in a ``関連:`` block at the end of
    the Comment (their scores go to the front matter's ``related``).
    """
    checked = _check_facts(text, sections, comment.text)
    warnings = [*text.warnings, *sections.warnings, *comment.warnings, *checked.warnings]
    # Venues come from the metadata, never from the model (house style: topics
    # first, the venue after them).
    venues = venue_tags(vocabulary, journal_ref=text.paper.journal_ref, comment=text.paper.comment)
    suggested_tags = [*sections.suggested_tags, *venues]
    content = NoteContent(
        translation=checked.translation,
        summary=checked.summary,
        suggested_tags=suggested_tags,
        model_label=label,
        usage=sections.usage_table(),
        warnings=warnings,
        attention=(*sections.attention, *(["comment"] if comment.needs_attention else [])),
        comment=_with_related(checked.comment, related),
        extra={
            **_record(text, plan, checked.unsupported, sections),
            **({"related": [r.as_dict() for r in related]} if related else {}),
        },
    )
    note_text = render_note(text.paper, content, created=datetime.now(UTC))
    result = DraftResult(
        path=path,
        paper=text.paper,
        sections=sections,
        title_line=title_line(text.paper),
        warnings=warnings,
        suggested_tags=suggested_tags,
    )
    return note_text, result


def _with_related(comment: str, related: Sequence[Related]) -> str:
    block = render_block((r.title_line, r.link) for r in related)
    return "\n\n".join(part for part in (comment, block) if part)


@dataclass(frozen=True)
class _Checked:
    translation: str
    summary: str
    comment: str
    unsupported: dict[str, list[str]]
    warnings: list[str]


def _check_facts(text: PaperText, sections: DraftSections, comment: str) -> _Checked:
    """Mark numbers and names the paper does not contain, for the reviewer."""
    abstract = text.paper.abstract
    full = f"{abstract}\n{text.paper.title}\n{text.document.text if text.document else ''}"
    marked: dict[str, str] = {}
    unsupported: dict[str, list[str]] = {}
    for name, generated, source in (
        ("translation", sections.translation, f"{text.paper.title}\n{abstract}"),
        ("summary", sections.summary, f"{text.paper.title}\n{abstract}"),
        ("comment", comment, full),
    ):
        result = check_against_source(generated, source)
        marked[name] = mark_unsupported(generated, result) if result.unsupported else generated
        if result.unsupported:
            unsupported[name] = [claim.text for claim in result.unsupported]
    warnings = [
        f"the {name} has {len(claims)} number(s)/name(s) not found in the paper, marked (⚠要確認)"
        for name, claims in unsupported.items()
    ]
    return _Checked(
        marked["translation"], marked["summary"], marked["comment"], unsupported, warnings
    )


def _record(
    text: PaperText,
    plan: BudgetPlan | None,
    unsupported: dict[str, list[str]],
    sections: DraftSections,
) -> dict[str, Any]:
    """What the front matter says of how the draft was made, beyond its text."""
    record: dict[str, Any] = {}
    if sections.tag_scores:
        record["suggested_tag_scores"] = sections.tag_scores
    if sections.examples:
        record["examples_from"] = sections.examples
    if plan is not None:
        record["full_text"] = {
            "mode": plan.mode,
            "calls": plan.calls,
            "paper_tokens": plan.total_tokens,
            "sent_tokens": plan.sent_tokens,
            "tokens_approximate": plan.approximate,
            "dropped_sections": plan.dropped_sections,
            **text_source_record(text.document),
        }
    elif isinstance(text.source, ArxivSource):
        record["full_text"] = False
    if unsupported:
        record["unsupported_claims"] = unsupported
    return record
