"""The chains of one chat model, built in one place.

``summarize REF``, ``summarize batch``, ``summarize tags suggest`` and the benches
all draft with the same chains; building them here keeps their wiring (structured
output method, the retry policy, the backend's tag-count constraint, the learned
suggester) from drifting apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.drafting.chain import DraftChain
from summarizer.drafting.comment import CommentChain
from summarizer.drafting.tag_chain import DEFAULT_MAX_TAGS
from summarizer.llm.backend import backend_for
from summarizer.llm.retry_policy import RetryPolicy

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.drafting.log_examples import LogExamples
    from summarizer.settings import Settings
    from summarizer.tags.glossary import Term
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
    log_examples: LogExamples | None = None,
    glossary: Sequence[Term] = (),
) -> Chains:
    """The chains for ``chat_model`` (None: tags from ``suggester`` alone, --no-llm).

    ``log_examples``: the Translation and Summary prompts show the person's notes
    nearest to each paper instead of the prompt files' examples.
    """
    method = settings.structured_output
    policy = RetryPolicy.for_settings(settings)
    backend = backend_for(settings)
    draft = DraftChain(
        chat_model,
        vocabulary,
        structured_method=method,
        max_tags=max_tags,
        policy=policy,
        constrain_tag_count=backend.enforces_max_items,
        suggester=suggester,
        use_llm_for_tags=settings.tag_llm,
        summary_from_translation=backend.summary_from_translation,
        log_examples=log_examples,
        glossary=glossary,
    )
    comment = CommentChain(chat_model, structured_method=method, policy=policy)
    return Chains(draft, comment)
