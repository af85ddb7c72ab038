"""Small builders for test data (fictional papers, never copies of real ones)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from summarizer.notes.note import NoteContent
from summarizer.papers.paper import Paper


def make_paper(**overrides: Any) -> Paper:
    values: dict[str, Any] = {
        "arxiv_id": "2506.12345",
        "version": 3,
        "title": "Tidy Retrieval:  Fewer Passages,\n  Better Answers",
        "authors": ["Aiko Tanaka", "Jürgen Weiß", "Maria Silva"],
        "abstract": "We study retrieval.\n  It helps by 4.2 points.",
        "published": datetime(2025, 6, 14, 17, 2, 11, tzinfo=UTC),
        "updated": datetime(2025, 9, 2, 8, 0, 0, tzinfo=UTC),
        "primary_category": "cs.CL",
        "categories": ["cs.CL", "cs.AI"],
        "comment": "Accepted at ACL 2025",
    }
    values.update(overrides)
    return Paper(**values)


def make_content(**overrides: Any) -> NoteContent:
    values: dict[str, Any] = {
        "translation": "私たちは検索を研究します。",
        "summary": "検索を整理する手法を提案。4.2ポイント改善を達成。",
        "suggested_tags": ["NLP", "RAG(RetrievalAugmentedGeneration)"],
        "model_label": "gpt-4o-mini",
        "usage": {"total": {"input_tokens": 10, "output_tokens": 5, "calls": 3}},
        "warnings": [],
    }
    values.update(overrides)
    return NoteContent(**values)
