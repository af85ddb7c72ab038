"""Notes, a small vocabulary and a CLI runner for the review, list, export and
``tags accept`` tests (fictional papers; the texts are our own)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarizer.notes.edit import TagDecision, save_decision
from summarizer.notes.note import NoteContent, render_note
from tests.factories import make_content, make_paper
from tests.fakes.environment import clean_environment

VOCABULARY_TSV = """\
name\tkind\taliases\tdescription
NLP\ttopic\t\t
LanguageModel\ttopic\tLLM\t
RAG(RetrievalAugmentedGeneration)\ttopic\t\t
Hallucination\ttopic\t\t
Scaling Laws\ttopic\t\t
Optimizer\ttopic\t\t
QuestionAnswering\ttopic\t\t
Quantization\ttopic\t\t
ACL\tvenue\t\t
read-later\tworkflow\t\t
"""


def write_vocabulary(folder: Path) -> Path:
    path = folder / "vocabulary.tsv"
    path.write_text(VOCABULARY_TSV, encoding="utf-8")
    return path


def write_draft(
    notes: Path,
    arxiv_id: str,
    *,
    created: datetime,
    suggested: list[str] | None = None,
    scores: dict[str, float] | None = None,
    summary: str = "検索結果を整理する手法を提案。正答率が4.2ポイント向上。",
    comment: str = "",
    **paper: Any,
) -> Path:
    """A draft as ``summarize draft`` writes it (render_note), with tag scores."""
    tags = ["NLP", "RAG(RetrievalAugmentedGeneration)"] if suggested is None else suggested
    extra = {"suggested_tag_scores": scores} if scores else {}
    content: NoteContent = make_content(
        suggested_tags=tags, summary=summary, comment=comment, extra=extra
    )
    text = render_note(make_paper(arxiv_id=arxiv_id, **paper), content, created=created)
    path = notes / f"{arxiv_id}.md"
    notes.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def three_drafts(notes: Path) -> list[Path]:
    """Three drafts created a day apart; the newest is 2506.00003."""
    return [
        write_draft(
            notes,
            f"2506.0000{day}",
            created=datetime(2025, 6, day, 9, 0, tzinfo=UTC),
            title=f"Paper number {day}",
            scores={"NLP": 0.91, "RAG(RetrievalAugmentedGeneration)": 0.48},
        )
        for day in (1, 2, 3)
    ]


# Two kinds of fictional paper for notes that teach tags ({i} numbers them).
QUANTIZATION = ("Low-bit weights {i}", "We quantize the weights of model {i} to four bits.")
MUSIC = ("Songs from scores {i}", "We generate music and melodies for song {i}.")


def reviewed_notes(
    folder: Path,
    count: int,
    *,
    accepted: str,
    rejected: str,
    paper: tuple[str, str] = QUANTIZATION,
    first: int = 0,
) -> None:
    """``count`` notes drafted, then reviewed (``accepted`` kept, ``rejected`` turned
    down) with the code behind ``summarize review`` and ``summarize tags accept``."""
    for i in range(first, first + count):
        path = write_draft(
            folder,
            f"2511.{i:05d}",
            created=datetime(2026, 11, 1, tzinfo=UTC),
            suggested=[accepted, rejected],
            title=paper[0].format(i=i),
            abstract=paper[1].format(i=i),
        )
        save_decision(path, TagDecision(accepted=[accepted], rejected=[rejected]))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli_env(home: Path, notes: Path, vocabulary: Path | None = None) -> dict[str, str]:
    env = clean_environment()
    env.update({"SUMMARIZER_HOME": str(home), "SUMMARIZER_NOTES_DIR": str(notes), "TZ": "UTC"})
    if vocabulary is not None:
        env["SUMMARIZER_VOCABULARY"] = str(vocabulary)
    return env


def run_cli(env: dict[str, str], *args: str, stdin: str = "", timeout: float = 60) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(run: Run, *fragments: str) -> None:
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("summarize: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
