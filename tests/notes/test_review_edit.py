"""Applying a review decision: only the tag lines change, every other byte stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.errors import NoteFormatError, UnknownTagError
from summarizer.notes.edit import TagDecision, apply_decision, save_decision
from summarizer.notes.note import NoteState, note_state, parse_note, read_note
from summarizer.review.session import decide, order_by_kind
from summarizer.tags.history import load_history
from summarizer.tags.match import closest_tags, rank_tags, record_candidates, resolve_tag
from summarizer.tags.vocabulary import Vocabulary, load_vocabulary
from tests.review_support import write_draft, write_vocabulary

WHEN = datetime(2025, 7, 1, 12, 30, 5, 123456, tzinfo=UTC)

# A draft a person has already worked on: comments, odd spacing and quoting in the
# front matter, an indented list, a rewritten summary with trailing spaces.
HAND_EDITED = "\n".join(
    [
        "---",
        "arxiv_id: '2506.11111'",
        'title: "A  Fictional Study of Tidy Notes"   # spacing kept on purpose',
        "title_line: '[Paper Note] A Fictional Study of Tidy Notes, Aiko Tanaka+, ACL''25'",
        "# 査読メモ: venue は手で直した",
        "source:    arxiv",
        "status:   draft",
        "suggested_tags:",
        "  - NLP",
        "  - LanguageModel",
        "  - Hallucination",
        "tags: []   # to fill",
        "suggested_tag_scores: {NLP: 0.9, LanguageModel: 0.4, Hallucination: 0.7}",
        "created: 2025-06-20 10:00:00+00:00",
        "draft_sha256: " + "0" * 64,
        "---",
        "#NLP #LanguageModel #Hallucination",
        "",
        "# URL",
        "- https://arxiv.org/abs/2506.11111",
        "",
        "# Abstract",
        "  - We tidy notes.",
        "",
        "# Summary (by gpt-4o-mini)",
        "- 要約を人が書き直した。  行末に空白  ",
        "",
        "# Comment",
        "## 所感",
        "-   面白い。\t",
        "",
    ]
)

EXPECTED = "\n".join(
    [
        "---",
        "arxiv_id: '2506.11111'",
        'title: "A  Fictional Study of Tidy Notes"   # spacing kept on purpose',
        "title_line: '[Paper Note] A Fictional Study of Tidy Notes, Aiko Tanaka+, ACL''25'",
        "# 査読メモ: venue は手で直した",
        "source:    arxiv",
        "status: reviewed",
        "reviewed_at: 2025-07-01 12:30:05+00:00",
        "suggested_tags:",
        "  - NLP",
        "  - LanguageModel",
        "  - Hallucination",
        "tags:",
        "- NLP",
        "- Hallucination",
        "rejected_tags:",
        "- LanguageModel",
        "suggested_tag_scores: {NLP: 0.9, LanguageModel: 0.4, Hallucination: 0.7}",
        "created: 2025-06-20 10:00:00+00:00",
        "---",
        "#NLP #Hallucination",
        "",
        "# URL",
        "- https://arxiv.org/abs/2506.11111",
        "",
        "# Abstract",
        "  - We tidy notes.",
        "",
        "# Summary (by gpt-4o-mini)",
        "- 要約を人が書き直した。  行末に空白  ",
        "",
        "# Comment",
        "## 所感",
        "-   面白い。\t",
        "",
    ]
)


@pytest.fixture
def vocabulary(tmp_path: Path) -> Vocabulary:
    return load_vocabulary(write_vocabulary(tmp_path))


def test_only_the_tag_lines_of_a_hand_edited_note_change() -> None:
    note = parse_note(Path("n.md"), HAND_EDITED)
    decision = decide(note, accept_suggested=["NLP", "Hallucination"])
    assert decision == TagDecision(["NLP", "Hallucination"], ["LanguageModel"])
    assert apply_decision(HAND_EDITED, decision, reviewed_at=WHEN) == EXPECTED


def test_windows_line_endings_are_kept() -> None:
    crlf = HAND_EDITED.replace("\n", "\r\n")
    decision = TagDecision(["NLP", "Hallucination"], ["LanguageModel"])
    result = apply_decision(crlf, decision, reviewed_at=WHEN)
    assert result == EXPECTED.replace("\n", "\r\n")


def test_a_rendered_draft_becomes_a_reviewed_note(tmp_path: Path) -> None:
    path = write_draft(tmp_path, "2506.00001", created=WHEN, suggested=["NLP", "Optimizer"])
    assert note_state(path) is NoteState.DRAFT
    before = path.read_text(encoding="utf-8")
    save_decision(path, TagDecision(["Optimizer"], ["NLP"]), reviewed_at=WHEN)
    after = read_note(path)
    assert note_state(path) is NoteState.REVIEWED
    front = after.front_matter
    assert (front["status"], front["tags"], front["rejected_tags"]) == (
        "reviewed",
        ["Optimizer"],
        ["NLP"],
    )
    assert front["reviewed_at"] == WHEN.replace(microsecond=0)
    assert "draft_sha256" not in front
    assert after.body.startswith("#Optimizer\n\n# URL\n")
    assert after.body.replace("#Optimizer\n", "") == parse_note(path, before).body.replace(
        "#NLP #Optimizer\n", ""
    )
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_a_note_without_suggestions_gets_a_hashtags_line(tmp_path: Path) -> None:
    path = write_draft(tmp_path, "2506.00002", created=WHEN, suggested=[])
    body_before = read_note(path).body
    assert body_before.startswith("# URL")
    save_decision(path, TagDecision(["Scaling Laws", "ACL"], []), reviewed_at=WHEN)
    assert read_note(path).body == "#Scaling Laws #ACL\n\n" + body_before


def test_rejecting_every_tag_removes_the_hashtags_line(tmp_path: Path) -> None:
    path = write_draft(tmp_path, "2506.00003", created=WHEN)
    body_before = read_note(path).body
    save_decision(path, TagDecision([], ["NLP"]), reviewed_at=WHEN)
    note = read_note(path)
    assert note.front_matter["tags"] == []
    assert note.body == body_before.split("\n", 2)[2]


def test_a_front_matter_that_cannot_be_edited_line_by_line_is_refused(tmp_path: Path) -> None:
    text = HAND_EDITED.replace("tags: []   # to fill", "tags: []\ntags: [NLP]")
    path = tmp_path / "dup.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NoteFormatError, match="appears twice"):
        save_decision(path, TagDecision(["NLP"], []), reviewed_at=WHEN)
    assert path.read_text(encoding="utf-8") == text


def test_an_edit_that_would_change_other_keys_is_refused(tmp_path: Path) -> None:
    # The tags block holds an anchor another key refers to: replacing the block
    # would break that key, so nothing is written.
    text = HAND_EDITED.replace("tags: []   # to fill", "tags: &empty []\nalso_tags: *empty")
    path = tmp_path / "anchor.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NoteFormatError, match="the review edit broke it"):
        save_decision(path, TagDecision(["NLP"], []), reviewed_at=WHEN)
    assert path.read_text(encoding="utf-8") == text


def test_the_decision_applies_to_the_note_as_it_is_on_disk(tmp_path: Path) -> None:
    path = write_draft(tmp_path, "2506.00004", created=WHEN)
    shown = read_note(path)
    edited = path.read_text(encoding="utf-8").replace("正答率", "正解率")
    path.write_text(edited, encoding="utf-8")  # saved from the person's editor meanwhile
    decision = decide(shown, accept_suggested=["NLP"])
    save_decision(path, decision, reviewed_at=WHEN)
    after = path.read_text(encoding="utf-8")
    assert "正解率" in after
    assert read_note(path).front_matter["tags"] == ["NLP"]


def test_decide_keeps_hand_tags_and_records_rejections(vocabulary: Vocabulary) -> None:
    text = HAND_EDITED.replace("tags: []   # to fill", "tags: [read-later, ACL]")
    note = parse_note(Path("n.md"), text)
    decision = decide(
        note,
        accept_suggested=["LanguageModel"],
        add=["Scaling Laws"],
        remove=["ACL"],
        vocabulary=vocabulary,
    )
    # Topics first, then venues, then workflow labels.
    assert decision.accepted == ["LanguageModel", "Scaling Laws", "read-later"]
    assert decision.rejected == ["NLP", "Hallucination", "ACL"]
    unchanged = decide(note, accept_suggested=None, add=["NLP"])
    assert unchanged.accepted == ["read-later", "ACL", "NLP"]
    assert unchanged.rejected == ["LanguageModel", "Hallucination"]


def test_order_by_kind_is_stable(vocabulary: Vocabulary) -> None:
    tags = ["ACL", "Optimizer", "read-later", "NewThing", "NLP"]
    assert order_by_kind(tags, vocabulary) == ["Optimizer", "NewThing", "NLP", "ACL", "read-later"]


def test_reviewed_notes_feed_the_tagging_history(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    reviewed = write_draft(notes, "2506.00005", created=WHEN, title="Reviewed Paper")
    write_draft(notes, "2506.00006", created=WHEN, title="Still A Draft")
    decision = decide(read_note(reviewed), accept_suggested=["NLP"], add=["Hallucination"])
    save_decision(reviewed, decision, reviewed_at=WHEN)
    history = load_history(notes)
    assert len(history) == 1
    assert history[0].title == "Reviewed Paper"
    assert history[0].tags == ["NLP", "Hallucination"]
    assert history[0].rejected == ["RAG(RetrievalAugmentedGeneration)"]
    assert history[0].abstract.startswith("We study retrieval.")


# --- finding tags from what a person typed -------------------------------------------


@pytest.mark.parametrize(
    ("typed", "best"),
    [
        ("hallu", "Hallucination"),  # prefix, case-insensitive
        ("HALLUCINATION", "Hallucination"),
        ("llm", "LanguageModel"),  # an alias
        ("laws", "Scaling Laws"),  # inside a multi-word name
        ("qa", "QuestionAnswering"),  # initials before "Quantization"
        ("scalinglaws", "Scaling Laws"),  # spacing does not matter
        ("rtrvl", "RAG(RetrievalAugmentedGeneration)"),  # letters in order
        ("optimiser", "Optimizer"),  # a typo
    ],
)
def test_rank_tags_finds_the_tag_meant(vocabulary: Vocabulary, typed: str, best: str) -> None:
    assert rank_tags(typed, vocabulary)[0].name == best


def test_rank_tags_for_nothing_typed_lists_everything(vocabulary: Vocabulary) -> None:
    assert len(rank_tags("", vocabulary, limit=100)) == len(vocabulary)
    assert rank_tags("zzzzqqq", vocabulary) == []


def test_resolve_tag_uses_the_vocabulary_spelling_or_refuses(vocabulary: Vocabulary) -> None:
    assert resolve_tag("#scaling  laws", vocabulary, allow_new=False) == ("Scaling Laws", False)
    assert resolve_tag("LLM", vocabulary, allow_new=False) == ("LanguageModel", False)
    with pytest.raises(UnknownTagError) as refused:
        resolve_tag("Hallucinations", vocabulary, allow_new=False)
    assert refused.value.closest[0] == "Hallucination"
    assert "closest: Hallucination" in str(refused.value)
    assert resolve_tag("Brand New  Tag", vocabulary, allow_new=True) == ("Brand New Tag", True)
    assert closest_tags("", vocabulary) == []


def test_new_tags_are_appended_to_the_candidates_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = record_candidates(home, ["Brand New Tag"], Path("notes/a.md"))
    record_candidates(home, ["Other\tTag"], Path("notes/b.md"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name\tnote\trecorded_at"
    assert [line.split("\t")[:2] for line in lines[1:]] == [
        ["Brand New Tag", "notes/a.md"],
        ["Other Tag", "notes/b.md"],
    ]
