"""Fault cases: the user's setup (folders, SUMMARIZER_HOME, config, debug switch).

Permission cases use a folder under /sys, where even root may create nothing
(EPERM/EACCES), so they run for real on a machine whose tests run as root.
"""

from __future__ import annotations

from pathlib import Path

from tests.faults.conftest import UNWRITABLE, Env, assert_clear_failure, assert_not_a_bug


def test_notes_folder_that_is_a_file_fails_before_any_model_call(env: Env) -> None:
    env.notes.parent.mkdir(parents=True, exist_ok=True)
    env.notes.write_text("not a folder\n", encoding="utf-8")
    run = env.run("2506.12345")
    assert_clear_failure(run, 2, str(env.notes))
    assert env.model_calls == 0
    assert env.notes.read_text(encoding="utf-8") == "not a folder\n"


def test_notes_folder_not_writable_fails_before_any_model_call(env: Env) -> None:
    run = env.run("2506.12345", SUMMARIZER_NOTES_DIR=str(UNWRITABLE))
    assert_clear_failure(run, 2, str(UNWRITABLE), "not writable")
    assert env.model_calls == 0


def test_batch_into_a_folder_not_writable_fails_once_before_any_model_call(
    env: Env, tmp_path: Path
) -> None:
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("2506.12345\n2401.00001\n", encoding="utf-8")
    run = env.run("batch", str(reading_list), "--out", str(UNWRITABLE))
    assert_clear_failure(run, 2, str(UNWRITABLE), "not writable")
    assert env.model_calls == 0


def test_summarizer_home_that_is_a_file(env: Env) -> None:
    env.home.parent.mkdir(parents=True, exist_ok=True)
    env.home.write_text("oops\n", encoding="utf-8")
    run = env.run("2506.12345")
    assert_clear_failure(run, 2, str(env.home), "SUMMARIZER_HOME")
    assert env.model_calls == 0
    assert env.home.read_text(encoding="utf-8") == "oops\n"


def test_summarizer_home_not_writable(env: Env) -> None:
    run = env.run("2506.12345", SUMMARIZER_HOME=str(UNWRITABLE))
    assert_clear_failure(run, 2, str(UNWRITABLE), "SUMMARIZER_HOME")
    assert env.model_calls == 0


def test_config_file_that_is_not_utf8(env: Env) -> None:
    env.home.mkdir(parents=True)
    (env.home / "config.toml").write_bytes(b'model = "gpt-4o-mini"\n# \xff\xfe caf\xe9\n')
    run = env.run("2506.12345")
    assert_clear_failure(run, 2, "config.toml", "UTF-8")
    assert env.model_calls == 0


def test_summarizer_debug_logs_like_the_debug_option(env: Env) -> None:
    run = env.run("2506.12345", SUMMARIZER_DEBUG="1")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert "INFO summarizer" in run.stderr
    assert "fetching arXiv metadata" in run.stderr
