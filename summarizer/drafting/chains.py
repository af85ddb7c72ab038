"""The chains of one chat model, built in one place.

``summarize REF``, ``summarize batch``, ``summarize tags suggest`` and the benches
all draft with the same chains; building them here keeps their wiring (structured
output method, broken-reply retries, the backend's tag-count constraint, the
learned suggester) from drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.drafting.chain import DEFAULT_MAX_TAGS, DraftChain
from summarizer.drafting.comment import CommentChain
from summarizer.llm.backend import backend_for
from summarizer.llm.models import BROKEN_REPLY_EXCEPTIONS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.settings import Settings
    from summarizer.tags.suggest import TagSuggester
    from summarizer.tags.vocabulary import Vocabulary


@dataclass(frozen=True)
class Chains:
    """The note's Japanese sections and tags, and the Comment."""

    draft: DraftChain
    comment: CommentChain


def make_chains(
    settings: Settings,
    chat_model: BaseChatModel | None,
    vocabulary: Vocabulary,
    *,
    suggester: TagSuggester | None = None,
    max_tags: int = DEFAULT_MAX_TAGS,
) -> Chains:
    """The chains for ``chat_model`` (None: tags from ``suggester`` alone, --no-llm)."""
    method = settings.structured_output
    backend = backend_for(settings)
    draft = DraftChain(
        chat_model,
        vocabulary,
        structured_method=method,
        max_tags=max_tags,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
        constrain_tag_count=backend.enforces_max_items,
        suggester=suggester,
        use_llm_for_tags=settings.tag_llm,
    )
    comment = CommentChain(
        chat_model,  # type: ignore[arg-type]  # never run without a model
        structured_method=method,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
    )
    return Chains(draft, comment)
