"""Fault cases: damaged state files under SUMMARIZER_HOME recover by themselves.

Each is moved aside as ``<name>.corrupt-<time>``, warned about once, and rebuilt
in the same run.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.faults.conftest import Env, assert_not_a_bug

REPLIES = Path("cache") / "replies.sqlite"


def _corrupt_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def _damage(path: Path, how: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "random bytes":
        path.write_bytes(os.urandom(4096))
    elif how == "header only":
        path.write_bytes(b"SQLite format 3\x00")
    elif how == "a directory":
        path.mkdir()
        (path / "stray").write_text("x", encoding="utf-8")


@pytest.mark.parametrize("how", ["random bytes", "header only", "a directory"])
def test_a_damaged_reply_cache_is_moved_aside_and_rebuilt(env: Env, how: str) -> None:
    cache = env.home / REPLIES
    _damage(cache, how)
    run = env.run("2506.12345")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert run.stderr.count(" was damaged ") == 1, run.stderr
    assert str(cache) in run.stderr
    assert len(_corrupt_copies(cache)) == 1
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM replies").fetchone()[0] > 0
    # Rebuilt: the next run is answered from it, silently.
    calls = env.model_calls
    again = env.run("2506.12345", "--force")
    assert again.code == 0, again.stderr
    assert " was damaged " not in again.stderr
    assert env.model_calls == calls


def test_a_batch_with_a_damaged_reply_cache_finishes_and_leaves_no_journal(
    env: Env, tmp_path: Path
) -> None:
    cache = env.home / REPLIES
    _damage(cache, "random bytes")
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("2506.12345\n", encoding="utf-8")
    run = env.run("batch", str(reading_list), "--quiet")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert (env.notes / "2506.12345.md").is_file()
    assert list((env.home / "batch").glob("*.jsonl")) == []
    assert len(_corrupt_copies(cache)) == 1


def test_a_damaged_metadata_cache_entry_is_moved_aside(env: Env) -> None:
    entry = env.home / "cache" / "arxiv"
    first = env.run("2506.12345")
    assert first.code == 0, first.stderr
    (env.notes / "2506.12345.md").unlink()
    damaged = sorted(entry.rglob("*.json"))
    assert damaged
    for path in damaged:
        path.write_bytes(b"\x00{not json")
    run = env.run("2506.12345")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert " was damaged " in run.stderr
    assert any(entry.rglob("*.corrupt-*"))


def test_a_damaged_rate_limit_state_is_moved_aside(env: Env) -> None:
    state = env.home / "state" / "arxiv-last-request"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"\xff\xfe garbage \x00")
    # The limiter keeps state only when there is an interval to keep.
    run = env.run("2506.12345", SUMMARIZER_ARXIV_INTERVAL="0.01")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert " was damaged " in run.stderr
    assert len(_corrupt_copies(state)) == 1
    float(state.read_text(encoding="utf-8"))


def test_a_damaged_batch_journal_is_moved_aside(env: Env, tmp_path: Path) -> None:
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("2506.12345\n", encoding="utf-8")
    journal_dir = env.home / "batch"
    journal_dir.mkdir(parents=True)
    # The journal's name is a hash of the batch: the one this run will open.
    from summarizer.batch.journal import journal_key
    from summarizer.batch.readinglist import read_reading_list

    entries = read_reading_list(str(reading_list)).entries
    key = journal_key(env.notes, False, entries)
    journal = journal_dir / f"{key}.jsonl"
    journal.write_bytes(b"\xff\xfe\x00 not text\n")
    run = env.run("batch", str(reading_list), "--quiet")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert (env.notes / "2506.12345.md").is_file()
    assert " was damaged " in run.stderr
    assert len(_corrupt_copies(journal)) == 1
