"""Tagging history: JSONL lines and reviewed notes, and errors naming file and line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from summarizer.errors import BadInputError
from summarizer.notes.note import render_note
from summarizer.tags.history import (
    HistoryFormatError,
    histories_fingerprint,
    history_fingerprint,
    load_histories,
    load_history,
    paper_title,
)
from tests.factories import make_content, make_paper


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def test_jsonl_rows_become_items(tmp_path):
    path = tmp_path / "h.jsonl"
    _write_jsonl(
        path,
        [
            {
                "title": "[Paper Note] Tidy Retrieval, Aiko Tanaka+, arXiv'25, 2025.06",
                "abstract": "We study\n retrieval.",
                "tags": ["NLP", "#RAG(RetrievalAugmentedGeneration)", "NLP"],
                "extra": 1,
            },
            {"title": "Plain", "abstract": "", "tags": [], "rejected_tags": ["Bias"]},
        ],
    )
    items = load_history(path)
    assert [i.title for i in items] == ["Tidy Retrieval", "Plain"]
    assert items[0].abstract == "We study retrieval."
    assert items[0].tags == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    assert items[0].rejected == []
    assert items[1].rejected == ["Bias"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"abstract": "a", "tags": []}', "'title'"),
        ('{"title": "t", "tags": []}', "'abstract'"),
        ('{"title": "t", "abstract": "a", "tags": "NLP"}', "'tags'"),
        ('{"title": "t", "abstract": "a", "tags": ["NLP"], "rejected_tags": [1]}', "rejected"),
    ],
)
def test_bad_line_names_file_and_line(tmp_path, line, reason):
    path = tmp_path / "h.jsonl"
    good = json.dumps({"title": "t", "abstract": "a", "tags": ["NLP"]})
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(HistoryFormatError) as caught:
        load_history(path)
    assert isinstance(caught.value, BadInputError)
    assert caught.value.line == 3
    assert str(path) in str(caught.value)
    assert "line 3" in str(caught.value)
    assert reason in str(caught.value)


def test_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(HistoryFormatError, match="no such file"):
        load_history(tmp_path / "absent.jsonl")


def _note(folder, name, *, status, tags=None, rejected=None, **paper):
    text = render_note(
        make_paper(**paper), make_content(), created=datetime(2025, 7, 1, tzinfo=UTC)
    )
    text = text.replace("status: draft", f"status: {status}")
    if tags is not None:
        text = text.replace("tags: []", "tags:\n" + "".join(f"- {t}\n" for t in tags).rstrip())
    if rejected is not None:
        text = text.replace("---\n", "---\nrejected_tags: " + json.dumps(rejected) + "\n", 1)
    (folder / name).write_text(text, encoding="utf-8")


def test_notes_folder_counts_reviewed_notes_only(tmp_path):
    _note(tmp_path, "a.md", status="reviewed", tags=["NLP", "RAG"], rejected=["Bias"])
    _note(tmp_path, "b.md", status="draft", tags=["Music"])
    (tmp_path / "README.md").write_text("# not a note\n", encoding="utf-8")
    sub = tmp_path / "2024"
    sub.mkdir()
    _note(sub, "c.md", status="reviewed", tags=["Game"], title="Playing Games", abstract="Go.")
    items = load_history(tmp_path)
    assert len(items) == 2
    by_title = {i.title: i for i in items}
    first = by_title["Tidy Retrieval: Fewer Passages, Better Answers"]
    assert first.tags == ["NLP", "RAG"]
    assert first.rejected == ["Bias"]
    assert first.abstract == "We study retrieval. It helps by 4.2 points."
    assert by_title["Playing Games"].abstract == "Go."
    assert by_title["Playing Games"].rejected == []


def test_reviewed_note_with_bad_tags_names_the_file(tmp_path):
    _note(tmp_path, "a.md", status="reviewed")
    path = tmp_path / "a.md"
    path.write_text(path.read_text().replace("tags: []", "tags: NLP"), encoding="utf-8")
    with pytest.raises(HistoryFormatError, match=r"a\.md.*'tags'"):
        load_history(tmp_path)


@pytest.mark.parametrize(
    ("tags_line", "key"),
    [
        ("tags:", "'tags'"),  # left empty
        ("tags: [NLP, 1]", "'tags'"),
        ("", "'tags'"),  # missing
        ("tags: [NLP]\nrejected_tags: Bias", "'rejected_tags'"),
        ("tags: [NLP]\nrejected_tags: [Bias, 2]", "'rejected_tags'"),
    ],
)
def test_reviewed_note_tags_must_be_lists_of_strings(tmp_path, tags_line, key):
    _note(tmp_path, "a.md", status="reviewed")
    path = tmp_path / "a.md"
    path.write_text(path.read_text().replace("tags: []", tags_line), encoding="utf-8")
    with pytest.raises(HistoryFormatError, match=rf"a\.md.*{key} is missing or not a list"):
        load_history(tmp_path)


def test_reviewed_note_with_rejected_tags_left_empty_has_none(tmp_path):
    _note(tmp_path, "a.md", status="reviewed", tags=["NLP"])
    path = tmp_path / "a.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: reviewed\n", "status: reviewed\nrejected_tags:\n"))
    [item] = load_history(tmp_path)
    assert item.tags == ["NLP"]
    assert item.rejected == []


def test_paper_title_only_strips_a_house_title_line():
    assert paper_title("[Paper Note] A, B, and C, Jo Doe+, arXiv'24, 2024.01") == "A, B, and C"
    assert paper_title("Old Note, Jo Doe+, ACL'23") == "Old Note"
    assert paper_title("Commas, In, Titles") == "Commas, In, Titles"


def test_fingerprint_changes_with_the_history(tmp_path):
    path = tmp_path / "h.jsonl"
    _write_jsonl(path, [{"title": "t", "abstract": "a", "tags": ["NLP"]}])
    before = history_fingerprint(path)
    assert history_fingerprint(path) == before
    _write_jsonl(path, [{"title": "t", "abstract": "a", "tags": ["Music"]}])
    assert history_fingerprint(path) != before


def test_several_sources_count_a_paper_once_and_the_later_wins(tmp_path):
    jsonl = tmp_path / "h.jsonl"
    _write_jsonl(
        jsonl,
        [
            {
                "title": "Tidy Retrieval: Fewer Passages, Better Answers",
                "abstract": "a",
                "tags": ["NLP"],
            },
            {"title": "Another Paper", "abstract": "b", "tags": ["Music"]},
        ],
    )
    notes = tmp_path / "notes"
    notes.mkdir()
    _note(notes, "a.md", status="reviewed", tags=["NLP", "RAG"], rejected=["Bias"])
    items = load_histories([jsonl, notes])
    assert [i.title for i in items] == [
        "Another Paper",
        "Tidy Retrieval: Fewer Passages, Better Answers",
    ]
    assert items[1].tags == ["NLP", "RAG"]
    assert items[1].rejected == ["Bias"]
    assert histories_fingerprint([jsonl, notes]) != histories_fingerprint([jsonl])
    assert histories_fingerprint([jsonl]) == history_fingerprint(jsonl)
