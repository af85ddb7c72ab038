"""``summarize tags accept``: the review without a terminal, in a real subprocess."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.notes.note import NoteState, note_state, read_note
from tests.review_support import (
    assert_one_line_error,
    cli_env,
    run_cli,
    write_draft,
    write_vocabulary,
)

WHEN = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "home", tmp_path / "notes", write_vocabulary(tmp_path))


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    return write_draft(
        tmp_path / "notes", "2506.00001", created=WHEN, suggested=["NLP", "LanguageModel", "ACL"]
    )


def front(path: Path) -> dict:
    return read_note(path).front_matter


def test_all_accepts_every_suggested_tag(env: dict[str, str], draft: Path) -> None:
    run = run_cli(env, "tags", "accept", str(draft), "--all")
    assert run.code == 0, run.stderr
    assert run.stdout == f"{draft}: #NLP #LanguageModel #ACL\n"
    assert (front(draft)["tags"], front(draft)["rejected_tags"]) == (
        ["NLP", "LanguageModel", "ACL"],
        [],
    )
    assert note_state(draft) is NoteState.REVIEWED
    assert read_note(draft).body.startswith("#NLP #LanguageModel #ACL\n")


def test_only_add_and_remove(env: dict[str, str], draft: Path) -> None:
    run = run_cli(env, "tags", "accept", str(draft), "--only", "nlp, acl", "--add", "hallucination")
    assert run.code == 0, run.stderr
    # Vocabulary spelling, topics before the venue; the rest recorded as rejected.
    assert front(draft)["tags"] == ["NLP", "Hallucination", "ACL"]
    assert front(draft)["rejected_tags"] == ["LanguageModel"]
    # A reviewed note can be changed again: --remove records a rejection.
    run = run_cli(env, "tags", "accept", str(draft), "--remove", "ACL", "--add", "LLM", "--json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == {
        "path": str(draft),
        "tags": ["NLP", "Hallucination", "LanguageModel"],
        "rejected_tags": ["ACL"],
    }


def test_out_of_vocabulary_tags_are_refused_with_the_closest(
    env: dict[str, str], draft: Path
) -> None:
    before = draft.read_bytes()
    run = run_cli(env, "tags", "accept", str(draft), "--all", "--add", "Halucination")
    assert_one_line_error(run, "'Halucination' is not in the vocabulary", "Hallucination", "--new")
    assert draft.read_bytes() == before
    assert not (Path(env["SUMMARIZER_HOME"]) / "vocabulary-candidates.tsv").exists()


def test_new_allows_them_and_records_candidates(env: dict[str, str], draft: Path) -> None:
    run = run_cli(env, "tags", "accept", str(draft), "--all", "--add", "Tidy Notes", "--new")
    assert run.code == 0, run.stderr
    assert front(draft)["tags"] == ["NLP", "LanguageModel", "Tidy Notes", "ACL"]
    candidates = Path(env["SUMMARIZER_HOME"]) / "vocabulary-candidates.tsv"
    rows = [line.split("\t") for line in candidates.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["name", "note", "recorded_at"]
    assert rows[1][:2] == ["Tidy Notes", str(draft)]
    assert "vocabulary-candidates.tsv" in run.stderr


def test_every_note_is_checked_before_any_is_written(
    env: dict[str, str], draft: Path, tmp_path: Path
) -> None:
    other = write_draft(tmp_path / "notes", "2506.00002", created=WHEN, suggested=["Optimizer"])
    before = draft.read_bytes(), other.read_bytes()
    run = run_cli(env, "tags", "accept", str(draft), str(other), "--only", "NLP")
    assert_one_line_error(
        run, "'NLP' is not among the suggested tags of", "2506.00002", "#Optimizer"
    )
    assert (draft.read_bytes(), other.read_bytes()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "say which tags: --all, --only A,B, --add TAG or --remove TAG"),
        (("--all", "--only", "NLP"), "--all and --only exclude each other"),
        (("--remove", "Optimizer"), "'Optimizer' is not among the tags of"),
    ],
)
def test_bad_options_are_one_line_errors(
    env: dict[str, str], draft: Path, args: tuple[str, ...], message: str
) -> None:
    before = draft.read_bytes()
    assert_one_line_error(run_cli(env, "tags", "accept", str(draft), *args), message)
    assert draft.read_bytes() == before


def test_a_file_that_is_not_a_note_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Notes\n", encoding="utf-8")
    assert_one_line_error(
        run_cli(env, "tags", "accept", str(readme), "--all"), "not a note written by summarize"
    )
    assert_one_line_error(
        run_cli(env, "tags", "accept", str(tmp_path / "missing.md"), "--all"), "no such file"
    )
