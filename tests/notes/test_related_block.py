"""The ``関連:`` block: drafted with links, dropped line by line, exported as the house."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from summarizer.notes.export import publishable
from summarizer.notes.front_matter import FrontMatter
from summarizer.notes.note import parse_note, render_note
from summarizer.notes.related_block import drop_from_text, drop_related, house_related, render_block
from tests.factories import make_content, make_paper

A = "[Paper Note] Quantized Adapters, Aiko Tanaka+, arXiv'25, 2025.01"
B = "[Paper Note] Sparse Kernels, Ken Mori+, NeurIPS'24, 2024.05"


def block() -> str:
    return render_block([(A, "https://github.com/me/notes/issues/7"), (B, "notes/2405.1.md")])


def test_render_block() -> None:
    assert block().splitlines() == [
        "関連:",
        f"- [{A}](https://github.com/me/notes/issues/7)",
        f"- [{B}](notes/2405.1.md)",
    ]
    assert render_block([]) == ""


def test_house_form_is_the_title_line_alone() -> None:
    text = f"## 概要\n- 手法を提案。\n\n{block()}\n\n- [other](https://x.org) stays"
    house = house_related(text)
    assert f"関連:\n- {A}\n- {B}\n" in house
    assert house.endswith("- [other](https://x.org) stays")


def test_drop_lines_and_an_emptied_block() -> None:
    text = f"## 所感\n- よい\n\n{block()}\n"
    assert drop_from_text(text, [A]) == f"## 所感\n- よい\n\n関連:\n- [{B}](notes/2405.1.md)\n"
    assert drop_from_text(text, [A, B]) == "## 所感\n- よい\n\n"
    assert drop_from_text(text, []) == text


def draft_with_related() -> str:
    related = [
        {"title_line": A, "link": "#7", "score": 0.31},
        {"title_line": B, "link": "", "score": 0.2},
    ]
    content = make_content(
        comment="## 概要\n- 手法。\n\n" + render_block([(A, "#7"), (B, "")]),
        extra={"related": related},
    )
    return render_note(make_paper(), content, created=datetime(2025, 6, 1, tzinfo=UTC))


def test_a_draft_records_scores_and_exports_kept_notes_as_the_house(tmp_path: Path) -> None:
    path = tmp_path / "2506.12345.md"
    path.write_text(draft_with_related(), "utf-8")
    note = parse_note(path, path.read_text("utf-8"))
    assert [(r.title_line, r.score) for r in note.meta.related] == [(A, 0.31), (B, 0.2)]
    drop_related(path, [B])
    body = parse_note(path, path.read_text("utf-8")).body
    assert publishable(body).rstrip().endswith(f"関連:\n- {A}")
    assert B not in body


def test_a_hand_broken_related_list_reads_as_empty() -> None:
    meta = FrontMatter.read({"related": "not a list"})
    assert meta.related == []
    assert "related" in meta.invalid_keys


def test_review_drops_the_related_notes_the_person_unticks(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from summarizer.review.tui import ReviewSession
    from summarizer.tags.vocabulary import load_vocabulary
    from tests.review_support import write_vocabulary

    path = tmp_path / "2506.12345.md"
    path.write_text(draft_with_related(), "utf-8")
    keys = iter(["r", "2", "r", "7", "\r"])
    output = io.StringIO()
    session = ReviewSession(
        Console(file=output, width=200),
        load_vocabulary(write_vocabulary(tmp_path)),
        tmp_path,
        read_key=lambda: next(keys),
        ask_tag=lambda _vocabulary: None,
        edit=lambda _path: None,
    )
    from summarizer.notes.index import find_notes

    outcome = session.run(find_notes([path]))
    assert outcome.reviewed == [path]
    shown = output.getvalue()
    assert f"r1 [x] {A}" in shown
    assert "related note 2 will be dropped" in shown
    assert "there is no related note 7" in shown
    note = parse_note(path, path.read_text("utf-8"))
    assert note.status == "reviewed"
    assert f"- [{A}](#7)" in note.body
    assert B not in note.body
    assert [r.title_line for r in note.meta.related] == [A, B]  # the record of suggestions
