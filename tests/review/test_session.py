"""``tags accept`` decisions without a terminal: --all, --only, --add, --remove,
--new, and the errors that name what the note has instead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.errors import BadInputError, UnknownTagError
from summarizer.notes.edit import TagDecision, save_decision
from summarizer.notes.index import NoteInfo, find_notes
from summarizer.review.session import plan_decision, resolve_additions, tag_among
from summarizer.tags.vocabulary import Vocabulary, load_vocabulary
from tests.review_support import write_draft, write_vocabulary

WHEN = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def vocab(tmp_path: Path) -> Vocabulary:
    return load_vocabulary(write_vocabulary(tmp_path))


def draft_info(folder: Path, suggested: list[str], arxiv_id: str = "2506.00001") -> NoteInfo:
    (info,) = find_notes([write_draft(folder, arxiv_id, created=WHEN, suggested=suggested)])
    return info


def plan(info: NoteInfo, vocab: Vocabulary, **options: object) -> TagDecision:
    choices: dict = {"accept_all": False, "only": None, "add": [], "remove": [], **options}
    return plan_decision(info, vocabulary=vocab, **choices)


def test_all_accepts_every_suggestion_topics_before_venues(
    tmp_path: Path, vocab: Vocabulary
) -> None:
    info = draft_info(tmp_path, ["ACL", "NLP", "LanguageModel"])
    assert plan(info, vocab, accept_all=True) == TagDecision(
        accepted=["NLP", "LanguageModel", "ACL"], rejected=[]
    )


def test_only_accepts_those_in_any_spelling_and_rejects_the_rest(
    tmp_path: Path, vocab: Vocabulary
) -> None:
    info = draft_info(tmp_path, ["NLP", "LanguageModel", "ACL"])
    # "llm" is an alias of LanguageModel; case and spacing do not matter.
    decision = plan(info, vocab, only=["llm", " acl"])
    assert decision == TagDecision(accepted=["LanguageModel", "ACL"], rejected=["NLP"])


def test_only_nothing_rejects_every_suggestion(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, ["NLP", "ACL"])
    assert plan(info, vocab, only=[]) == TagDecision(accepted=[], rejected=["NLP", "ACL"])


def test_add_and_remove_come_after_the_suggestions(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, ["NLP", "LanguageModel"])
    decision = plan(info, vocab, accept_all=True, add=["Hallucination"], remove=["nlp"])
    assert decision == TagDecision(accepted=["LanguageModel", "Hallucination"], rejected=["NLP"])


def test_remove_works_on_a_reviewed_note(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, ["NLP", "ACL"])
    save_decision(info.path, TagDecision(accepted=["NLP", "ACL"], rejected=[]))
    (reviewed,) = find_notes([info.path])
    decision = plan(reviewed, vocab, remove=["ACL"], add=["Optimizer"])
    assert decision == TagDecision(accepted=["NLP", "Optimizer"], rejected=["ACL"])


def test_only_names_a_tag_that_was_not_suggested(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, ["Optimizer"])
    with pytest.raises(BadInputError) as error:
        plan(info, vocab, only=["NLP"])
    message = str(error.value)
    assert "'NLP' is not among the suggested tags of" in message
    assert str(info.path) in message
    assert "#Optimizer" in message


def test_remove_names_a_tag_the_note_would_not_carry(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, ["NLP"])
    with pytest.raises(BadInputError, match=r"'Optimizer' is not among the tags of .*none"):
        plan(info, vocab, remove=["Optimizer"])


def test_all_without_suggestions_needs_an_addition(tmp_path: Path, vocab: Vocabulary) -> None:
    info = draft_info(tmp_path, [])
    with pytest.raises(BadInputError, match="has no suggested tags; add some with --add TAG"):
        plan(info, vocab, accept_all=True)
    assert plan(info, vocab, accept_all=True, add=["NLP"]).accepted == ["NLP"]


def test_additions_take_the_vocabulary_spelling(vocab: Vocabulary) -> None:
    assert resolve_additions(["#llm", "hallucination"], vocab, allow_new=False) == (
        ["LanguageModel", "Hallucination"],
        [],
    )


def test_an_unknown_addition_names_the_closest_tags(vocab: Vocabulary) -> None:
    with pytest.raises(UnknownTagError) as error:
        resolve_additions(["NLP", "Halucination"], vocab, allow_new=False)
    message = str(error.value)
    assert "'Halucination' is not in the vocabulary" in message
    assert "Hallucination" in message
    assert "--new" in message


def test_new_allows_unknown_additions_and_reports_them(vocab: Vocabulary) -> None:
    assert resolve_additions(["NLP", "Tidy  Notes"], vocab, allow_new=True) == (
        ["NLP", "Tidy Notes"],
        ["Tidy Notes"],
    )


def test_tag_among_returns_the_spelling_of_the_list(vocab: Vocabulary) -> None:
    note = Path("notes/2506.00001.md")
    assert tag_among("rag", ["RAG(RetrievalAugmentedGeneration)"], vocab, "tags", note) == (
        "RAG(RetrievalAugmentedGeneration)"
    )
    with pytest.raises(BadInputError, match=r"'ACL' is not among the tags of .* \(#NLP\)"):
        tag_among("ACL", ["NLP"], vocab, "tags", note)
