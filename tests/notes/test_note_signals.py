"""A draft's warnings in a few words, and a note named by its paper's arXiv ID."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.errors import BadInputError
from summarizer.notes.index import draft_signals, resolve_note_paths
from summarizer.notes.note import MARKER, read_note, render_note
from tests.factories import make_content, make_paper
from tests.review_support import write_draft

WHEN = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def note_with(tmp_path: Path, **content: object) -> Path:
    text = render_note(make_paper(), make_content(**content), created=WHEN)
    path = tmp_path / "2506.12345.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_draft_has_no_signals(tmp_path: Path) -> None:
    assert draft_signals(read_note(note_with(tmp_path))) == []


def test_no_pdf_marks_and_language_each_say_a_few_words(tmp_path: Path) -> None:
    path = note_with(
        tmp_path,
        summary=f"精度が9.9{MARKER}向上。GPT-9{MARKER}を使用。",
        translation=f"私たちは12{MARKER}の課題を解きます。",
        warnings=[
            "full text unavailable (HTTP 404); drafted from the abstract only",
            "the summary is not in Japanese; check it by hand",
        ],
        extra={"full_text": False},
    )
    assert draft_signals(read_note(path)) == [
        "abstract only (no PDF)",
        "3 要確認 marks",
        "summary not Japanese",
    ]


def test_abstract_only_by_choice_says_so_without_blaming_the_pdf(tmp_path: Path) -> None:
    path = note_with(tmp_path, extra={"full_text": False})
    assert draft_signals(read_note(path)) == ["abstract only"]


def test_an_id_names_its_note_in_the_folder(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    direct = write_draft(notes, "2506.00001", created=WHEN)
    assert resolve_note_paths([Path("2506.00001")], notes) == [direct]
    assert resolve_note_paths([Path("arXiv:2506.00001v2")], notes) == [direct]
    # A note renamed by hand is still found by the paper its front matter names.
    moved = notes / "2025" / "evidence-graphs.md"
    moved.parent.mkdir()
    direct.rename(moved)
    assert resolve_note_paths([Path("2506.00001")], notes) == [moved]


def test_an_existing_path_is_taken_as_it_is(tmp_path: Path) -> None:
    note = write_draft(tmp_path, "2506.00001", created=WHEN)
    assert resolve_note_paths([note, tmp_path], tmp_path / "elsewhere") == [note, tmp_path]


def test_an_id_without_a_note_or_a_name_that_is_neither_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no note for 2506\.00009 in .*summarize 2506\.00009"):
        resolve_note_paths([Path("2506.00009")], tmp_path)
    with pytest.raises(BadInputError, match="no such file or folder, nor an arXiv ID"):
        resolve_note_paths([Path("notes/typo.md")], tmp_path)
