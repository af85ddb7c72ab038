"""``summarize tags suggest``: tags for many papers at once, one JSON object per paper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.chain import DraftChain
from summarizer.errors import BadInputError
from summarizer.llm import BROKEN_REPLY_EXCEPTIONS, make_chat_model, model_errors
from summarizer.pipeline import load_suggester
from summarizer.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from summarizer.settings import Settings


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
    chain = DraftChain(
        model,
        vocabulary,
        structured_method=settings.structured_output,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
        max_tags=top_k,
        suggester=suggester,
        use_llm_for_tags=settings.tag_llm,
        constrain_tag_count=settings.resolved_backend == "local",
    )
    with model_errors(settings):
        for paper in papers:
            result = chain.suggest_tags({"title": paper["title"], "abstract": paper["abstract"]})
            yield {"id": paper["id"], "tags": result.tags, "scores": result.tag_scores}
