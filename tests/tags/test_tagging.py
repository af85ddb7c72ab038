"""Where suggestions learn from: the configured history plus the reviewed notes.

Reviewed notes are made the way a person makes them: drafted (render_note), then
accepted with summarizer.notes.edit, the code behind `summarize review` and
`summarize tags accept`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.drafting.tagging import load_suggester
from summarizer.drafting.user_log import MIN_REVIEWED_NOTES, history_sources
from summarizer.errors import ConfigError
from summarizer.settings import Settings, load_settings
from summarizer.tags.vocabulary import Vocabulary, VocabularyTag
from tests.review_support import reviewed_notes

VOCABULARY = Vocabulary(
    [VocabularyTag("Quantization"), VocabularyTag("Music"), VocabularyTag("NLP")]
)


@pytest.fixture(autouse=True)
def _user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path / "home"))
    for name in ("SUMMARIZER_HISTORY", "SUMMARIZER_NOTES_DIR"):
        monkeypatch.delenv(name, raising=False)


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return load_settings({"notes_dir": tmp_path / "notes", "tag_llm": True, **overrides})


def test_sources_are_the_history_then_the_notes_folder(tmp_path):
    history = tmp_path / "history.jsonl"
    history.write_text("", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    settings = _settings(tmp_path, history=history)
    assert history_sources(settings) == [history, tmp_path / "notes"]
    # The notes folder given as the history is not read twice.
    assert history_sources(_settings(tmp_path, history=tmp_path / "notes")) == [tmp_path / "notes"]
    with pytest.raises(ConfigError, match="no tagging history"):
        history_sources(_settings(tmp_path, history=tmp_path / "missing.jsonl"))


def test_reviewed_notes_alone_teach_once_there_are_enough(tmp_path):
    notes = tmp_path / "notes"
    reviewed_notes(notes, MIN_REVIEWED_NOTES - 1, accepted="Quantization", rejected="Music")
    assert load_suggester(_settings(tmp_path), VOCABULARY) is None
    with pytest.raises(ConfigError, match="--no-llm needs your tagging history"):
        load_suggester(_settings(tmp_path, tag_llm=False), VOCABULARY)

    reviewed_notes(notes, MIN_REVIEWED_NOTES, accepted="Quantization", rejected="Music")
    suggester = load_suggester(_settings(tmp_path, tag_llm=False), VOCABULARY)
    assert suggester is not None
    assert suggester.history_size == MIN_REVIEWED_NOTES
    ranked = suggester.suggest("Four-bit weights", "We quantize weights to four bits.", 3)
    assert ranked[0][0] == "Quantization"


def test_a_review_changes_what_the_history_teaches(tmp_path):
    # The configured history tags these papers Music; the person's reviews say
    # Quantization and reject Music: the reviews win and the index is rebuilt.
    history = tmp_path / "history.jsonl"
    rows = [
        {
            "title": f"Low-bit weights {i}",
            "abstract": f"We quantize the weights of model {i} to four bits.",
            "tags": ["Music"],
        }
        for i in range(30)
    ]
    history.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    settings = _settings(tmp_path, history=history, tag_llm=False)
    query = ("Four-bit weights", "We quantize weights to four bits.")
    before = load_suggester(settings, VOCABULARY)
    assert before is not None
    assert before.suggest(*query, 1)[0][0] == "Music"

    reviewed_notes(tmp_path / "notes", 30, accepted="Quantization", rejected="Music")
    after = load_suggester(settings, VOCABULARY)
    assert after is not None
    assert after.history_size == 30  # the same 30 papers, now with the reviewed tags
    assert after.suggest(*query, 1)[0][0] == "Quantization"
    scores = dict(after.suggest(*query, 3))
    assert scores["Music"] < scores["Quantization"]
