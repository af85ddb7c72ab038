"""What drafting takes from the person's log: where it is, and the house glossary.

The log is the configured history (``--history`` / ``history`` in config.toml /
``SUMMARIZER_HISTORY``: a JSONL file or a folder of notes) plus the reviewed notes
in the notes folder, so every review teaches the next draft: the tag suggester
(:mod:`~summarizer.drafting.tagging`), the few-shot examples
(:mod:`~summarizer.drafting.log_examples`), the glossary and related notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.settings import Settings
    from summarizer.tags.glossary import Term
    from summarizer.tags.log_notes import LogNote

# With no history configured, the reviewed notes alone are used once there are this
# many: a handful of notes teach too little to narrow the model's choice.
MIN_REVIEWED_NOTES = 20


def history_sources(settings: Settings) -> list[Path]:
    """The configured history, then the notes folder (its reviewed notes win)."""
    sources: list[Path] = []
    if settings.history is not None:
        if not settings.history.exists():
            raise ConfigError(f"no tagging history at {settings.history}; check --history")
        sources.append(settings.history)
    notes = settings.notes_dir
    if notes.is_dir() and all(notes.resolve() != source.resolve() for source in sources):
        sources.append(notes)
    return sources


def read_user_log(settings: Settings) -> list[LogNote]:
    """Every note of the log, with its Japanese sections ([] without a history);
    read once per Drafter and shared by the examples and the related notes."""
    from summarizer.tags.log_notes import load_log

    sources = history_sources(settings)
    return load_log(sources) if sources else []


def load_house_glossary(settings: Settings) -> list[Term]:
    """The house glossary of the user's log (rebuilt when it changed), or [] when off
    or without a history."""
    if not settings.glossary:
        return []
    from summarizer.tags.glossary_file import glossary_path, learned_path, load_glossary

    sources = history_sources(settings)
    if not sources:
        return []
    return load_glossary(glossary_path(settings), learned_path(settings), sources)
