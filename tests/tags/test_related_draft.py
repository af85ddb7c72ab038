"""A draft lists related notes of the person's log, and only with a log (the real CLI
against the fake arXiv and chat servers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from summarizer.notes.note import read_note
from summarizer.notes.sections import section_content
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf

pytestmark = pytest.mark.slow

RELATED = "[Paper Note] Claim Graphs for Multi-Hop Answers, Ken Mori+, arXiv'24, 2024.03"
OTHER_TOPICS = [
    "four-bit quantization of convolutional weights",
    "melody generation from chord sequences",
    "sparse attention kernels for long inputs",
    "protein folding with diffusion",
]


def write_history(path: Path) -> Path:
    rows = [
        {
            "title": RELATED,
            "abstract": "Evidence graph retrieval of sentence-level claims for multi-hop "
            "question answering with retrieval-augmented generation and a reranker.",
            "url": "https://github.com/me/notes/issues/42",
            "tags": ["RAG(RetrievalAugmentedGeneration)"],
        },
        *(
            {
                "title": f"[Paper Note] Unrelated {i}, A+, arXiv'24",
                "abstract": f"We study {OTHER_TOPICS[i % 4]}. Variant {i}.",
                "tags": ["NLP"],
            }
            for i in range(23)
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def draft(tmp_path: Path, chat: FakeChatServer, arxiv: FakeArxivServer, *args: str) -> Path:
    default_product_script(chat)
    arxiv.add_pdf("2506.12345", paper_pdf())
    env = {
        **clean_environment(),
        **server_variables(chat, arxiv),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "2506.12345", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return tmp_path / "notes" / "2506.12345.md"


def test_a_draft_lists_the_related_notes_of_the_log(
    tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    history = write_history(tmp_path / "home" / "history.jsonl")
    path = draft(tmp_path, chat_server, arxiv_server, "--history", str(history))
    note = read_note(path)
    (related,) = note.meta.related
    assert related.title_line == RELATED
    assert related.link == "https://github.com/me/notes/issues/42"
    assert related.score >= 0.15
    comment = section_content(note.body, "Comment") or ""
    assert comment.endswith(f"関連:\n- [{RELATED}](https://github.com/me/notes/issues/42)")


def test_without_a_log_the_draft_has_no_related_notes(
    tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    path = draft(tmp_path, chat_server, arxiv_server)
    text = path.read_text(encoding="utf-8")
    assert "関連:" not in text
    assert "related" not in yaml.safe_load(text.split("---\n")[1])
