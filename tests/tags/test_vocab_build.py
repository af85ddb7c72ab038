"""A vocabulary derived from a tagging history: variants merged, kinds assigned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from summarizer.tags.history import HistoryItem
from summarizer.tags.vocab_build import build_vocabulary, format_vocabulary, guess_kind
from summarizer.tags.vocabulary import Vocabulary, VocabularyTag, parse_vocabulary


def item(*tags: str) -> HistoryItem:
    return HistoryItem(title="t", abstract="a", tags=list(tags), rejected=[])


def test_spelling_variants_become_one_tag_with_aliases() -> None:
    history = [
        item("In-Context Learning", "NLP"),
        item("In-ContextLearning", "NLP"),
        item("In-ContextLearning"),
    ]
    built = dict((tag.name, (tag, count)) for tag, count in build_vocabulary(history))
    tag, count = built["In-ContextLearning"]
    assert tag.aliases == ("In-Context Learning",)
    assert count == 3
    assert "In-Context Learning" not in built


def test_most_used_first_and_kinds_guessed() -> None:
    history = [item("NLP", "ACL", "read-later", "One-Line Notes"), item("NLP", "action_wanted")]
    built = build_vocabulary(history)
    assert built[0][0].name == "NLP"
    kinds = {tag.name: tag.kind for tag, _ in built}
    assert kinds == {
        "NLP": "topic",
        "ACL": "venue",
        "read-later": "workflow",
        "action_wanted": "workflow",
        "One-Line Notes": "workflow",
    }


def test_kinds_from_a_reference_vocabulary_win() -> None:
    reference = Vocabulary([VocabularyTag("Pocket", "workflow")])
    built = build_vocabulary([item("Pocket")], reference)
    assert built[0][0].kind == "workflow"
    assert guess_kind("Pocket") == "topic"


def test_output_reads_back_as_a_vocabulary() -> None:
    text = format_vocabulary(build_vocabulary([item("Scaling Laws", "NLP", "ACL")]))
    tags = {tag.name: tag.kind for tag in parse_vocabulary(text, "built")}
    assert tags == {"Scaling Laws": "topic", "NLP": "topic", "ACL": "venue"}


def test_cli_writes_a_new_file_and_never_overwrites(tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    history.write_text(json.dumps({"title": "t", "abstract": "a", "tags": ["NLP"]}), "utf-8")
    out = tmp_path / "vocab.tsv"
    command = [
        sys.executable,
        "-m",
        "summarizer",
        "vocab",
        "build",
        str(history),
        "--out",
        str(out),
    ]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("NLP\ttopic")
    out.write_text("my edits\n", encoding="utf-8")
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    assert second.returncode == 2
    assert "exists" in second.stderr
    assert out.read_text(encoding="utf-8") == "my edits\n"
