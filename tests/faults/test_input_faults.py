"""Fault cases: what a user types (references, tag values)."""

from __future__ import annotations

from datetime import UTC, datetime

from summarizer.notes.note import NoteState, note_state
from tests.faults.conftest import Env, assert_clear_failure, assert_not_a_bug
from tests.review_support import write_draft, write_vocabulary


def test_a_reference_longer_than_a_file_name_is_a_clear_error(env: Env) -> None:
    run = env.run("x" * 300)
    assert_clear_failure(run, 2, "(300 characters)", "name too long")
    assert env.model_calls == 0


def test_a_full_width_reference_is_read_as_ascii_and_says_so(env: Env) -> None:
    run = env.run("ａｒＸｉｖ:２５０６.１２３４５")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert (env.notes / "2506.12345.md").is_file()
    assert "read the full-width reference" in run.stderr
    assert "arXiv:2506.12345" in run.stderr


def _draft(env: Env) -> tuple[dict[str, str], bytes]:
    path = write_draft(
        env.notes, "2506.00001", created=datetime(2025, 6, 1, tzinfo=UTC), suggested=["NLP"]
    )
    vocabulary = write_vocabulary(env.notes.parent)
    return {"SUMMARIZER_VOCABULARY": str(vocabulary)}, path.read_bytes()


def test_an_empty_tag_value_is_refused_and_nothing_is_written(env: Env) -> None:
    extra, before = _draft(env)
    path = env.notes / "2506.00001.md"
    for value in ("", "   "):
        run = env.run("tags", "accept", str(path), "--add", value, **extra)
        assert_clear_failure(run, 2, "empty tag")
        assert path.read_bytes() == before
        assert note_state(path) is NoteState.DRAFT


def test_an_empty_only_or_remove_value_is_refused(env: Env) -> None:
    extra, before = _draft(env)
    path = env.notes / "2506.00001.md"
    for option in ("--only", "--remove"):
        run = env.run("tags", "accept", str(path), option, " ", **extra)
        assert_clear_failure(run, 2, "empty tag")
        assert path.read_bytes() == before
