"""Where tag suggestions learn from, and ``summarize tags suggest`` for scripts.

The tagging history is the user's configured history (``--history`` /
``history`` in config.toml / ``SUMMARIZER_HISTORY``: a JSONL file or a folder of
notes) plus the reviewed notes in their notes folder, so every review teaches the
next suggestions.  The suggester is fitted once per version of those sources and
cached (``summarizer.tags.suggest_index.load_or_fit``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.drafting.chains import make_chains
from summarizer.drafting.user_log import MIN_REVIEWED_NOTES, history_sources
from summarizer.errors import BadInputError, ConfigError
from summarizer.llm.models import make_chat_model, model_errors
from summarizer.tags.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from summarizer.settings import Settings
    from summarizer.tags.suggest import TagSuggester
    from summarizer.tags.vocabulary import Vocabulary


def load_suggester(settings: Settings, vocabulary: Vocabulary) -> TagSuggester | None:
    """The tag suggester trained on the user's history (cached), or None without one."""
    from summarizer.tags.suggest_index import load_or_fit

    sources = history_sources(settings)
    suggester = None
    if sources:
        key = hashlib.sha256("\0".join(str(s.resolve()) for s in sources).encode()).hexdigest()
        suggester = load_or_fit(settings.cache_dir / f"tags-{key[:16]}.idx", sources, vocabulary)
        if settings.history is None and suggester.history_size < MIN_REVIEWED_NOTES:
            suggester = None
    if suggester is None and not settings.tag_llm:
        raise ConfigError(
            "--no-llm needs your tagging history: pass --history PATH "
            f"(or review at least {MIN_REVIEWED_NOTES} notes in {settings.notes_dir})"
        )
    return suggester


def read_papers(path: Path) -> Iterator[dict[str, str]]:
    """Lines of ``{"id", "title", "abstract"}``; a bad line is an error naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"cannot read {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadInputError(f"{path}, line {number}: not JSON ({error.msg})") from None
        if not isinstance(row, dict) or not all(
            isinstance(row.get(key), str) for key in ("title", "abstract")
        ):
            raise BadInputError(f"{path}, line {number}: needs string fields title and abstract")
        yield {"id": row.get("id", number), "title": row["title"], "abstract": row["abstract"]}


def suggest_for_papers(path: Path, settings: Settings, *, top_k: int) -> Iterator[dict[str, Any]]:
    papers = list(read_papers(path))  # every line checked before any work
    vocabulary = load_vocabulary(settings.vocabulary)
    suggester = load_suggester(settings, vocabulary)
    model = make_chat_model(settings) if settings.tag_llm else None
    chain = make_chains(settings, model, vocabulary, suggester=suggester, max_tags=top_k).draft
    with model_errors(settings):
        for paper in papers:
            result = chain.suggest_tags({"title": paper["title"], "abstract": paper["abstract"]})
            yield {"id": paper["id"], "tags": result.tags, "scores": result.tag_scores}
