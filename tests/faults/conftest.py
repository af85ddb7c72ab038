"""The fault battery: the real ``summarize`` command, in a subprocess, against the
fakes, in every environment a user can get it into.

Each test is one case of issue 18.  A case passes when the run ends in a clear
line (the expected exit code, one ``summarize: error:`` line naming what to do),
never in the bug path ("unexpected …; rerun with --debug"), with nothing lost and
no key anywhere it should not be.  ``pytest tests/faults`` ends with a line
"N/M fault cases passed".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf
from tests.review_support import Run, run_cli

pytestmark = pytest.mark.slow

# A key that must never appear in a note, a cache, a log or a plain-HTTP request.
SECRET = "sk-fault-battery-DO-NOT-LEAK-4242"
# A directory even root cannot create anything in: sysfs refuses with EPERM/EACCES,
# so the permission cases run for real on a machine whose tests run as root.
UNWRITABLE = Path("/sys/kernel/summarize-fault-battery")


@dataclass
class Env:
    home: Path
    notes: Path
    chat: FakeChatServer
    arxiv: FakeArxivServer
    variables: dict[str, str]

    def run(self, *args: str, stdin: str = "", **extra_env: str) -> Run:
        done = run_cli({**self.variables, **extra_env}, *args, stdin=stdin, timeout=120)
        _record(done.code, done.stderr)
        return done

    @property
    def model_calls(self) -> int:
        return len(self.chat.chat_payloads)


def _record(code: int, stderr: str) -> None:
    """With ``FAULT_TABLE=<file>``, append each run's exit code and last line (the
    before/after table of docs/faults.md is made from these)."""
    table = os.environ.get("FAULT_TABLE")
    if not table:
        return
    lines = [line for line in stderr.splitlines() if line.strip()]
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    row = {"test": test, "code": code, "line": lines[-1] if lines else ""}
    with open(table, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


@pytest.fixture
def env(tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer) -> Env:
    default_product_script(chat_server)
    arxiv_server.add_pdf("2506.12345", paper_pdf())
    variables = {
        **clean_environment(),
        **server_variables(chat_server, arxiv_server),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
        "SUMMARIZER_MODEL_TIMEOUT": "2",
        "SUMMARIZER_HTTP_TIMEOUT": "2",
        "TZ": "UTC",
    }
    return Env(tmp_path / "home", tmp_path / "notes", chat_server, arxiv_server, variables)


def assert_clear_failure(run: Run, code: int, *fragments: str) -> None:
    """Exit ``code``, one line ``summarize: error: …`` holding every fragment; no bug path."""
    assert_not_a_bug(run)
    assert run.code == code, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("summarize: error: ")]
    assert len(lines) == 1, run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def assert_not_a_bug(run: Run) -> None:
    assert "unexpected" not in run.stderr, run.stderr
    assert "Traceback" not in run.stderr, run.stderr


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The battery's score: "N/M fault cases passed"."""
    outcomes: dict[str, int] = {}
    for name in ("passed", "failed", "error", "skipped"):
        reports = terminalreporter.stats.get(name, [])
        outcomes[name] = sum(
            1
            for report in reports
            if "tests/faults/" in getattr(report, "nodeid", "")
            and getattr(report, "when", "call") in ("call", "setup")
            and (name != "error" or report.when == "setup")
        )
    total = sum(outcomes.values())
    if total:
        terminalreporter.write_line(
            f"{outcomes['passed']}/{total} fault cases passed"
            + (f" ({outcomes['skipped']} skipped)" if outcomes["skipped"] else "")
        )
