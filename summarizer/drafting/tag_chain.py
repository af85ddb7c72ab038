"""Hashtags for a paper, from the controlled vocabulary only.

Without a tagging history the model chooses from the whole vocabulary; with a
suggester trained on the user's notes, the model only re-ranks the suggester's
candidates (its pick adds :data:`MODEL_PICK_BONUS` to their scores), and with
``--no-llm`` the suggester decides alone.  The model's reply is structured output
constrained to the listed tags (:mod:`summarizer.llm.structured`), and every tag is
checked against the vocabulary again: an invented tag never reaches the note.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from summarizer.drafting.results import TaskResult, measured
from summarizer.llm.prompts import load_prompt
from summarizer.llm.structured import invoke_structured, structured_model

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from summarizer.llm.retry_policy import RetryPolicy
    from summarizer.tags.suggest import TagSuggester
    from summarizer.tags.vocabulary import Vocabulary

log = logging.getLogger(__name__)

DEFAULT_MAX_TAGS = 8
# With a history-trained suggester: how many candidates the model re-ranks, and the
# calibrated score below which a tag is not suggested on the suggester's word alone.
CANDIDATES = 30
MIN_TAG_SCORE = 0.3
# What the model's pick adds to a candidate's calibrated score.  Small on purpose:
# the model moves a tag the suggester half believes in above the line, but cannot
# push out the suggester's confident tags (bench/tags_llm measures the trade-off).
MODEL_PICK_BONUS = 0.15


class TagReply(BaseModel):
    tags: list[str]


def tag_schema(allowed: list[str], max_items: int | None = None) -> dict[str, Any]:
    """JSON schema for the tag reply; ``enum`` lets the server constrain decoding."""
    tags: dict[str, Any] = {
        "type": "array",
        "description": "Tags from the allowed list, broad field first.",
        "items": {"type": "string", "enum": allowed},
    }
    if max_items is not None:
        tags["maxItems"] = max_items
    return {
        "title": "TagSuggestion",
        "description": "Hashtags for the paper, chosen from the allowed list, best first.",
        "type": "object",
        "properties": {"tags": tags},
        "required": ["tags"],
        "additionalProperties": False,
    }


def merge_model_choice(
    ranked: list[tuple[str, float]],
    chosen: list[str],
    max_tags: int,
    *,
    bonus: float = MODEL_PICK_BONUS,
    min_score: float = MIN_TAG_SCORE,
) -> list[str]:
    """Suggester scores plus ``bonus`` for the model's picks, best first, above
    ``min_score``.  Only candidates count: a pick outside ``ranked`` is ignored."""
    picked = set(chosen)
    boosted = [(tag, score + (bonus if tag in picked else 0.0)) for tag, score in ranked]
    kept = [(tag, score) for tag, score in boosted if score >= min_score]
    kept.sort(key=lambda item: -item[1])  # stable: ties keep the suggester's order
    return [tag for tag, _ in kept[:max_tags]]


class TagChooser:
    """Tags for ``{title, abstract}``: from the vocabulary, best first."""

    def __init__(
        self,
        chat_model: BaseChatModel | None,
        vocabulary: Vocabulary,
        policy: RetryPolicy,
        *,
        structured_method: str,
        max_tags: int,
        constrain_tag_count: bool,
        suggester: TagSuggester | None,
        use_llm_for_tags: bool,
    ) -> None:
        """``constrain_tag_count`` puts ``maxItems`` in the tag schema: the local
        model's grammar enforces it, while strict OpenAI schemas may reject it."""
        self.chat_model = chat_model
        self.vocabulary = vocabulary
        self.policy = policy
        self.structured_method = structured_method
        self.max_tags = max_tags
        self.max_items = max_tags if constrain_tag_count else None
        self.suggester = suggester
        self.use_llm_for_tags = use_llm_for_tags
        self._prompt = load_prompt("tags").to_chat_prompt()
        # Without a suggester every paper lists the same tags: one runnable for all.
        self._whole_vocabulary: Runnable | None = None
        if chat_model is not None and suggester is None:
            self._whole_vocabulary = self._structured(vocabulary.spellings("topic"))

    def suggest(self, inputs: dict[str, str]) -> TaskResult:
        return measured(lambda: self._suggest(inputs))

    def choose_among(self, inputs: dict[str, str], candidates: list[str]) -> TaskResult:
        """The model's pick among ``candidates`` (its reply constrained to them)."""
        return measured(lambda: self._ask(inputs, candidates, self._structured(candidates)))

    def _suggest(self, inputs: dict[str, str]) -> TaskResult:
        if self.suggester is None:
            assert self._whole_vocabulary is not None, "tags need a chat model or a suggester"
            allowed = self.vocabulary.names("topic")
            return self._ask(inputs, allowed, self._whole_vocabulary)
        ranked = self.suggester.suggest(inputs["title"], inputs["abstract"], top_k=CANDIDATES)
        scores = dict(ranked)
        chosen = TaskResult()
        if self.use_llm_for_tags:
            candidates = [tag for tag, _ in ranked]
            chosen = self._ask(inputs, candidates, self._structured(candidates))
        chosen.tags = merge_model_choice(ranked, chosen.tags, self.max_tags)
        chosen.tag_scores = {tag: round(scores[tag], 3) for tag in chosen.tags}
        return chosen

    def _structured(self, spellings: list[str]) -> Runnable:
        # Built per candidate list: the schema's enum is what constrains the reply.
        if self.chat_model is None:
            raise ValueError("this chain was built without a chat model (--no-llm)")
        schema = tag_schema(spellings, self.max_items)
        return structured_model(self.chat_model, schema, self.structured_method, self.policy)

    def _ask(self, inputs: dict[str, str], listed: list[str], structured: Runnable) -> TaskResult:
        messages = self._prompt.format_messages(
            **inputs, vocabulary="\n".join(listed), max_tags=self.max_tags
        )
        tags, problem = invoke_structured(
            structured,
            messages,
            lambda parsed: TagReply.model_validate(parsed).tags,
            policy=self.policy,
            expected='{"tags": [...]}, using tags from the allowed list',
        )
        result = TaskResult()
        if problem is not None:
            result.warnings.append(
                f"tag suggestion failed ({problem}); add tags by hand when reviewing"
            )
            return result
        kept = self.vocabulary.filter(tags)
        dropped = [tag for tag in tags if self.vocabulary.canonical(tag) not in kept]
        if dropped:
            # Never written anywhere: an invented tag must not reach the note.
            log.debug("tags: dropped %d tag(s) outside the vocabulary", len(dropped))
        result.tags = kept[: self.max_tags]
        return result
