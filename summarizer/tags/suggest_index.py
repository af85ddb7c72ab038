"""The fitted tag suggester on disk: saved once per history and vocabulary, reused.

Fitting on a few hundred notes takes seconds; a draft needs a suggestion in
milliseconds.  The index is rebuilt only when a source of the history or the
vocabulary changes (checked by fingerprints, without reading the notes).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from summarizer.errors import StateFileError
from summarizer.fsutil import move_aside
from summarizer.tags.history import histories_fingerprint, load_histories
from summarizer.tags.suggest import TagSuggester
from summarizer.tags.vocabulary import Vocabulary

INDEX_FORMAT = 3


def save_index(suggester: TagSuggester, path: Path, *, history_fingerprint: str = "") -> None:
    """Write ``suggester`` to ``path`` atomically, with what it was fitted on."""
    payload = {
        "format": INDEX_FORMAT,
        "history": history_fingerprint,
        "vocabulary": suggester.vocabulary_fingerprint,
        "suggester": suggester,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def load_index(
    path: Path, *, history_fingerprint: str | None = None, vocabulary: Vocabulary | None = None
) -> TagSuggester | None:
    """The saved suggester, or None if it is missing, unreadable or stale.

    The index is a pickle: load only files this tool wrote (the user's cache).
    """
    try:
        with path.open("rb") as handle:
            payload = pickle.load(handle)
    except (FileNotFoundError, AttributeError, ImportError):
        return None  # none yet, or written by another version: refitted and replaced
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        # Damaged: set aside (with a warning), then refitted.
        with contextlib.suppress(StateFileError):
            move_aside(path, "fitted tag model", type(error).__name__)
        return None
    if not isinstance(payload, dict) or payload.get("format") != INDEX_FORMAT:
        return None
    if history_fingerprint is not None and payload.get("history") != history_fingerprint:
        return None
    if vocabulary is not None and payload.get("vocabulary") != vocabulary.fingerprint():
        return None
    suggester = payload.get("suggester")
    return suggester if isinstance(suggester, TagSuggester) else None


def load_or_fit(
    index_path: Path, history: Path | Sequence[Path], vocabulary: Vocabulary
) -> TagSuggester:
    """The cached suggester for this history (one source or several) and vocabulary,
    rebuilt (and saved) if stale."""
    sources = [history] if isinstance(history, Path) else list(history)
    fingerprint = histories_fingerprint(sources)
    cached = load_index(index_path, history_fingerprint=fingerprint, vocabulary=vocabulary)
    if cached is not None:
        return cached
    suggester = TagSuggester().fit(load_histories(sources), vocabulary)
    save_index(suggester, index_path, history_fingerprint=fingerprint)
    return suggester
