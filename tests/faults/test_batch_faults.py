"""Fault cases of the battery that already passed before issue 18, kept so they keep
passing: a batch killed with SIGKILL, and two batches of one list at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.faults.conftest import Env, assert_clear_failure, assert_not_a_bug

PAPERS = "2506.12345\n2401.00001\n"


def _start(env: Env, reading_list: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", "batch", str(reading_list), "--concurrency", "1"],
        env=env.variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigkill_mid_batch_then_rerun_finishes_with_nothing_lost(env: Env, tmp_path: Path) -> None:
    reading_list = tmp_path / "list.txt"
    reading_list.write_text(PAPERS, encoding="utf-8")
    env.chat.latency = 0.3
    process = _start(env, reading_list)
    _wait_for(lambda: env.model_calls >= 2)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    env.chat.latency = 0.0
    run = env.run("batch", str(reading_list), "--quiet")
    assert_not_a_bug(run)
    assert run.code == 0, run.stderr
    assert sorted(p.name for p in env.notes.iterdir()) == ["2401.00001.md", "2506.12345.md"]


def test_two_batches_of_one_list_at_once(env: Env, tmp_path: Path) -> None:
    reading_list = tmp_path / "list.txt"
    reading_list.write_text(PAPERS, encoding="utf-8")
    env.chat.latency = 0.5
    first = _start(env, reading_list)
    try:
        _wait_for(lambda: any((env.home / "batch").glob("*.jsonl")))
        second = env.run("batch", str(reading_list), "--quiet")
        assert_clear_failure(second, 2, "another 'summarize batch'")
    finally:
        first.communicate(timeout=120)
    assert first.returncode == 0, first.stderr
