"""`make demo` until the embedded model lands: the real CLI against the fake servers.

The replies are SCRIPTED by the fake chat server, not written by a model; this
shows the pipeline, the note format and the CLI contract end to end, offline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script

OUT = Path("demo-notes")


def main() -> int:
    print("DEMO against local FAKE servers: the Japanese text is scripted, not model output.\n")
    with (
        FakeChatServer() as chat,
        FakeArxivServer() as arxiv,
        tempfile.TemporaryDirectory() as home,
    ):
        default_product_script(chat)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))},
            "SUMMARIZER_HOME": home,
            "OPENAI_BASE_URL": chat.base_url,
            "SUMMARIZER_ARXIV_API_URL": arxiv.api_url,
            "SUMMARIZER_ARXIV_INTERVAL": "0",
        }
        command = ["summarize", "https://arxiv.org/abs/2506.12345", "--out", str(OUT), "--force"]
        print("$", " ".join(command))
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", *command[1:]], env=env, check=False
        )
        if done.returncode != 0:
            return done.returncode
    note = OUT / "2506.12345.md"
    print(f"\n--- {note} ---")
    print(note.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
