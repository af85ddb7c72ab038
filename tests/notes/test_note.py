"""The note format: title line, layout, front matter, and the no-overwrite rules."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from summarizer.errors import NoteExistsError, NoteFormatError
from summarizer.notes.note import (
    NoteState,
    ensure_writable,
    note_state,
    read_note,
    render_note,
    title_line,
    write_note,
)
from tests.factories import make_content, make_paper

CREATED = datetime(2026, 11, 26, 6, 0, 0, tzinfo=UTC)


def test_title_line_is_the_house_form_for_several_authors() -> None:
    assert title_line(make_paper()) == (
        "[Paper Note] Tidy Retrieval: Fewer Passages, Better Answers, Aiko Tanaka+, "
        "arXiv'25, 2025.06"
    )


def test_title_line_has_no_plus_for_a_single_author() -> None:
    paper = make_paper(authors=["Kenji Mori"], published=datetime(2019, 1, 4, tzinfo=UTC))
    assert title_line(paper).endswith(", Kenji Mori, arXiv'19, 2019.01")


def test_title_line_uses_the_first_version_date_not_the_update() -> None:
    paper = make_paper(
        published=datetime(2023, 12, 31, 23, 0, tzinfo=UTC),
        updated=datetime(2024, 2, 1, tzinfo=UTC),
    )
    assert title_line(paper).endswith("arXiv'23, 2023.12")


def test_title_line_keeps_a_falsy_title() -> None:
    assert title_line(make_paper(title="0")).startswith("[Paper Note] 0, Aiko Tanaka+")


def test_rendered_note_has_front_matter_and_house_body(tmp_path: Path) -> None:
    text = render_note(make_paper(), make_content(), created=CREATED)
    path = tmp_path / "n.md"
    path.write_text(text, encoding="utf-8")
    note = read_note(path)
    fm = note.front_matter
    assert fm["arxiv_id"] == "2506.12345"
    assert fm["version"] == 3
    assert fm["title"] == "Tidy Retrieval: Fewer Passages, Better Answers"
    assert fm["title_line"] == title_line(make_paper())
    assert fm["url"] == "https://arxiv.org/abs/2506.12345"
    assert fm["authors"] == ["Aiko Tanaka", "Jürgen Weiß", "Maria Silva"]
    assert fm["published"] == date(2025, 6, 14)
    assert fm["status"] == "draft"
    assert fm["suggested_tags"] == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    assert fm["tags"] == []
    assert fm["model"] == "gpt-4o-mini"
    assert fm["created"] == CREATED
    assert fm["usage"]["total"]["calls"] == 3
    assert "doi" not in fm  # absent metadata is left out, not written as null
    headings = [line for line in note.body.splitlines() if line.startswith("# ")]
    assert headings == [
        "# URL",
        "# Authors",
        "# Abstract",
        "# Translation (by gpt-4o-mini)",
        "# Summary (by gpt-4o-mini)",
        "# Comment",
    ]
    lines = note.body.splitlines()
    assert lines[0] == "#NLP #RAG(RetrievalAugmentedGeneration)"
    assert "  - Jürgen Weiß" in lines
    assert "  - We study retrieval. It helps by 4.2 points." in lines
    assert "- 私たちは検索を研究します。" in lines
    assert "- https://arxiv.org/abs/2506.12345" in lines


def test_note_without_tags_has_no_hashtags_line() -> None:
    text = render_note(make_paper(), make_content(suggested_tags=[]), created=CREATED)
    body = text.split("\n---\n", 1)[1]
    assert body.startswith("# URL\n")


def test_multiword_tags_keep_their_spaces() -> None:
    content = make_content(suggested_tags=["Scaling Laws", "NLP"])
    text = render_note(make_paper(), content, created=CREATED)
    assert "\n#Scaling Laws #NLP\n" in text


def test_fresh_draft_is_recognised_and_any_edit_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=False)
    assert note_state(path) is NoteState.DRAFT
    # A person fixes one character of the summary.
    path.write_text(path.read_text(encoding="utf-8").replace("提案", "提案する"), "utf-8")
    assert note_state(path) is NoteState.EDITED


def test_front_matter_edit_counts_as_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=False)
    text = path.read_text(encoding="utf-8").replace("tags: []", "tags:\n- NLP")
    path.write_text(text, encoding="utf-8")
    assert note_state(path) is NoteState.EDITED


def test_existing_draft_needs_force(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    first = render_note(make_paper(), make_content(), created=CREATED)
    write_note(path, first, force=False)
    second = render_note(make_paper(), make_content(summary="別の要約。"), created=CREATED)
    with pytest.raises(NoteExistsError, match="--force"):
        write_note(path, second, force=False)
    assert path.read_text(encoding="utf-8") == first
    write_note(path, second, force=True)
    assert path.read_text(encoding="utf-8") == second


@pytest.mark.parametrize(
    ("existing", "reason"),
    [
        ("edited", "edited by a person"),
        ("reviewed", "is reviewed"),
        ("foreign", "not written by summarize"),
    ],
)
def test_protected_notes_are_never_overwritten_even_with_force(
    tmp_path: Path, existing: str, reason: str
) -> None:
    path = tmp_path / "n.md"
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=False)
    text = path.read_text(encoding="utf-8")
    if existing == "edited":
        text = text.replace("# Comment", "# Comment\n面白い。")
    elif existing == "reviewed":
        text = text.replace("status: draft", "status: reviewed")
    else:
        text = "my own notes, not front matter\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NoteExistsError, match=reason):
        write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=True)
    assert path.read_text(encoding="utf-8") == text


def test_reviewed_note_with_untouched_body_is_still_protected(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=False)
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: draft", "status: reviewed"), "utf-8"
    )
    with pytest.raises(NoteExistsError):
        ensure_writable(path, force=True)


def test_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "n.md"
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=False)
    write_note(path, render_note(make_paper(), make_content(), created=CREATED), force=True)
    assert sorted(p.name for p in path.parent.iterdir()) == ["n.md"]


def test_concurrent_writers_never_clobber_each_other(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    texts = [
        render_note(make_paper(), make_content(summary=f"要約{i}。"), created=CREATED)
        for i in range(8)
    ]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(texts))

    def writer(text: str) -> None:
        barrier.wait()
        try:
            write_note(path, text, force=False)
            outcomes.append("written")
        except (NoteExistsError, FileExistsError):
            outcomes.append("refused")

    threads = [threading.Thread(target=writer, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("written") == 1
    assert path.read_text(encoding="utf-8") in texts
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_failed_write_keeps_the_old_note_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "n.md"
    old = render_note(make_paper(), make_content(), created=CREATED)
    write_note(path, old, force=False)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    # The disk fills up halfway through writing the replacement.
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        write_note(
            path, render_note(make_paper(), make_content(summary="新"), created=CREATED), force=True
        )
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == old
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_unparseable_front_matter_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(NoteFormatError, match="invalid YAML"):
        read_note(path)
    assert note_state(path) is NoteState.FOREIGN
