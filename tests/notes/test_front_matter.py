"""The typed front matter: written exactly as before, read back leniently."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from summarizer.errors import NoteFormatError
from summarizer.notes.edit import TagDecision, apply_decision
from summarizer.notes.front_matter import FrontMatter, FullTextRecord
from summarizer.notes.index import find_notes
from summarizer.notes.note import NoteState, parse_note, render_note, state_of
from tests.factories import make_content, make_paper

CREATED = datetime(2026, 11, 26, 6, 0, 0, tzinfo=UTC)

# A draft as the code before the typed model wrote it (render_note of GOLDEN_INPUT).
# A new note must come out byte for byte the same, and an old one must still count
# as an untouched draft.
GOLDEN_DRAFT = (
    "---\n"
    "arxiv_id: '2506.12345'\n"
    "version: 3\n"
    "title: 'Tidy Retrieval: Fewer Passages, Better Answers'\n"
    "title_line: '[Paper Note] Tidy Retrieval: Fewer Passages, Better Answers, "
    "Aiko Tanaka+, arXiv''25, 2025.06'\n"
    "url: https://arxiv.org/abs/2506.12345\n"
    "authors:\n"
    "- Aiko Tanaka\n"
    "- Jürgen Weiß\n"
    "- Maria Silva\n"
    "published: 2025-06-14\n"
    "updated: 2025-09-02\n"
    "primary_category: cs.CL\n"
    "arxiv_comment: Accepted at ACL 2025\n"
    "journal_ref: ACL 2025\n"
    "doi: 10.1/x\n"
    "source: arxiv\n"
    "status: draft\n"
    "suggested_tags:\n"
    "- NLP\n"
    "- RAG(RetrievalAugmentedGeneration)\n"
    "tags: []\n"
    "model: gpt-4o-mini\n"
    "created: 2026-11-26 06:00:00+00:00\n"
    "usage:\n"
    "  total:\n"
    "    input_tokens: 10\n"
    "    output_tokens: 5\n"
    "    calls: 3\n"
    "suggested_tag_scores:\n"
    "  NLP: 0.91\n"
    "  RAG(RetrievalAugmentedGeneration): 0.5\n"
    "full_text:\n"
    "  mode: map_reduce\n"
    "  calls: 3\n"
    "  paper_tokens: 12000\n"
    "  sent_tokens: 9000\n"
    "  tokens_approximate: false\n"
    "  dropped_sections:\n"
    "  - appendix\n"
    "  - related_work\n"
    "unsupported_claims:\n"
    "  summary:\n"
    "  - '4.2'\n"
    "  - GPT-9\n"
    "warnings:\n"
    "- w1\n"
    "- w2\n"
    "needs_attention:\n"
    "- summary\n"
    "- comment\n"
    "draft_sha256: 7e9e2f1d5ca732a51a6f6b879a95c7f610814da271942cbdd2ec2f355e2862e8\n"
    "---\n"
    "#NLP #RAG(RetrievalAugmentedGeneration)\n"
    "\n"
    "# URL\n"
    "- https://arxiv.org/abs/2506.12345\n"
    "\n"
    "# Authors\n"
    "  - Aiko Tanaka\n"
    "  - Jürgen Weiß\n"
    "  - Maria Silva\n"
    "\n"
    "# Abstract\n"
    "  - We study retrieval. It helps by 4.2 points.\n"
    "\n"
    "# Translation (by gpt-4o-mini)\n"
    "- 私たちは検索を研究します。\n"
    "\n"
    "# Summary (by gpt-4o-mini)\n"
    "> ⚠ 要確認: the model did not answer in Japanese; check this section\n"
    "- 検索を整理する手法を提案。4.2ポイント改善を達成。\n"
    "\n"
    "# Comment\n"
    "> ⚠ 要確認: the model did not answer in Japanese; check this section\n"
    "## 概要\n"
    "- x\n"
)


def golden_input() -> str:
    paper = make_paper(doi="10.1/x", journal_ref="ACL 2025")
    content = make_content(
        warnings=["w1", "w2"],
        attention=("summary", "comment"),
        comment="## 概要\n- x",
        extra={
            "suggested_tag_scores": {"NLP": 0.91, "RAG(RetrievalAugmentedGeneration)": 0.5},
            "full_text": {
                "mode": "map_reduce",
                "calls": 3,
                "paper_tokens": 12000,
                "sent_tokens": 9000,
                "tokens_approximate": False,
                "dropped_sections": ["appendix", "related_work"],
            },
            "unsupported_claims": {"summary": ["4.2", "GPT-9"]},
        },
    )
    return render_note(paper, content, created=CREATED)


def front_matter_text(text: str) -> str:
    return text[4 : text.index("\n---\n", 4) + 1]


def test_a_new_note_is_written_byte_for_byte_as_before() -> None:
    assert golden_input() == GOLDEN_DRAFT


def test_a_draft_written_before_the_typed_model_is_still_an_untouched_draft() -> None:
    note = parse_note(Path("n.md"), GOLDEN_DRAFT)
    assert note.is_unedited_draft
    assert state_of(note) is NoteState.DRAFT
    edited = parse_note(Path("n.md"), GOLDEN_DRAFT.replace("- w2\n", "- w3\n"))
    assert state_of(edited) is NoteState.EDITED


def test_a_rendered_note_reads_back_typed_and_dumps_to_the_same_yaml() -> None:
    note = parse_note(Path("n.md"), GOLDEN_DRAFT)
    meta = note.meta
    assert meta.invalid_keys == frozenset()
    assert meta.arxiv_id == "2506.12345"
    assert meta.version == 3
    assert meta.published == date(2025, 6, 14)
    assert meta.created == CREATED
    assert meta.status == "draft"
    assert meta.suggested_tags == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    assert meta.suggested_tag_scores["NLP"] == 0.91
    assert meta.usage["total"]["calls"] == 3
    assert isinstance(meta.full_text, FullTextRecord)
    assert meta.full_text.dropped_sections == ["appendix", "related_work"]
    assert meta.needs_attention == ["summary", "comment"]
    assert meta.draft_sha256 is not None
    # The whole front matter, hash line included, round-trips through the model.
    assert meta.to_yaml() == front_matter_text(GOLDEN_DRAFT)
    assert meta.mapping() == note.front_matter


def test_full_text_false_round_trips() -> None:
    text = render_note(make_paper(), make_content(extra={"full_text": False}), created=CREATED)
    meta = parse_note(Path("n.md"), text).meta
    assert meta.full_text is False
    assert "full_text: false\n" in meta.to_yaml()


def test_unknown_keys_are_kept_and_survive_a_review_byte_for_byte() -> None:
    lines = GOLDEN_DRAFT.split("\n")
    at = lines.index("tags: []")
    lines[at:at] = ["reading_group: 2026-12  # 輪読会", "my_rating: {novelty: 4, clarity: 3}"]
    text = "\n".join(lines)
    meta = parse_note(Path("n.md"), text).meta
    assert meta.model_extra == {
        "reading_group": "2026-12",
        "my_rating": {"novelty": 4, "clarity": 3},
    }
    # The model lists them after the fields it knows; the file keeps its own order.
    assert list(meta.mapping())[-3:] == ["draft_sha256", "reading_group", "my_rating"]
    assert meta.has("reading_group")
    reviewed = apply_decision(
        text, TagDecision(accepted=["NLP"], rejected=[]), reviewed_at=CREATED, path=Path("n.md")
    )
    assert "reading_group: 2026-12  # 輪読会\nmy_rating: {novelty: 4, clarity: 3}\n" in reviewed


HAND_EDITED = """\
---
arxiv_id: 2506.12345
title: 42
tags: NLP
suggested_tags: [NLP, 7, null, {x: 1}]
rejected_tags:
suggested_tag_scores: {NLP: high, LanguageModel: 1}
authors: Aiko Tanaka
created: 2025-06-01T09:00
reviewed_at: sometime
usage: lots
full_text: {mode: single}
needs_attention: summary
2024: a year as a key
---
# Summary
- 要約
"""


def test_hand_edited_types_are_read_as_before_and_listed() -> None:
    note = parse_note(Path("n.md"), HAND_EDITED)
    meta = note.meta
    # An unquoted ID is a YAML float: not a string, but the key is there.
    assert meta.arxiv_id is None
    assert meta.has("arxiv_id")
    assert state_of(note) is NoteState.EDITED  # a note of this tool; status missing
    assert note.status == ""
    assert meta.title is None
    assert meta.tags == []  # a bare string is not a tag list
    assert meta.suggested_tags == ["NLP", "7"]  # strings and numbers kept
    assert meta.rejected_tags == []  # left empty: none
    assert meta.suggested_tag_scores == {"LanguageModel": 1.0}
    assert meta.authors == []
    assert meta.created == datetime(2025, 6, 1, 9, 0, tzinfo=UTC)  # naive reads as UTC
    assert meta.reviewed_at is None
    assert meta.usage == {}
    assert meta.full_text is None
    assert meta.needs_attention == []
    assert meta.model_extra == {"2024": "a year as a key"}
    assert meta.invalid_keys == {
        "arxiv_id",
        "title",
        "tags",
        "suggested_tags",
        "suggested_tag_scores",
        "authors",
        "reviewed_at",
        "usage",
        "full_text",
        "needs_attention",
    }


def test_a_hand_edited_note_is_still_listed(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text(HAND_EDITED, encoding="utf-8")
    [info] = find_notes([tmp_path])
    assert info.title_line == "n"
    assert info.tags == ["NLP", "7"]  # no valid `tags`: the suggested ones
    assert info.as_json()["created"] == "2025-06-01T09:00:00+00:00"


def test_what_the_tool_writes_is_checked_strictly() -> None:
    with pytest.raises(ValidationError):
        FrontMatter(tags="NLP")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        render_note(make_paper(), make_content(extra={"full_text": "yes"}), created=CREATED)


def test_broken_yaml_is_still_a_note_format_error() -> None:
    with pytest.raises(NoteFormatError, match="invalid YAML"):
        parse_note(Path("n.md"), "---\ntags: [NLP\n---\nbody\n")
