"""Fault cases: notes that a person or their tools damaged."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.faults.conftest import Env, assert_clear_failure, assert_not_a_bug
from tests.review_support import write_draft

WHEN = datetime(2025, 6, 1, tzinfo=UTC)


def test_list_reports_unreadable_notes_in_a_footer(env: Env) -> None:
    write_draft(env.notes, "2506.00001", created=WHEN)
    broken = write_draft(env.notes, "2506.00002", created=WHEN)
    broken.write_bytes(broken.read_bytes().replace(b"status: draft", b"status: [draft"))
    (env.notes / "latin1.md").write_bytes(b"---\narxiv_id: '2506.00003'\ntitle: caf\xe9\n---\n")
    run = env.run("list")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert "2506.00001" in run.stdout
    footer = run.stdout + run.stderr
    assert "2 notes could not be read" in footer
    assert "2506.00002.md" in footer
    assert "latin1.md" in footer


def test_broken_yaml_shows_the_parser_line_and_message(env: Env) -> None:
    path = write_draft(env.notes, "2506.00001", created=WHEN)
    path.write_bytes(path.read_bytes().replace(b"status: draft", b"status: [draft"))
    run = env.run("export", str(path))
    assert_clear_failure(run, 2, str(path), "line ")
    assert "not a note written by summarize" not in run.stderr


def test_a_crlf_resave_counts_as_an_edit_and_force_keeps_it(env: Env) -> None:
    first = env.run("2506.12345")
    assert first.code == 0, first.stderr
    path = env.notes / "2506.12345.md"
    resaved = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(resaved)
    run = env.run("2506.12345", "--force")
    assert_clear_failure(run, 2, "edited")
    assert path.read_bytes() == resaved
