"""The LangChain chain that drafts a note's Japanese sections.

Three independent calls run in parallel (``RunnableParallel``): the translation
of the abstract, the house-style summary, and hashtag suggestions constrained to
the controlled vocabulary.  The summary is written from the English abstract,
not from the translation, so that it does not wait for the translation and keeps
technical terms in English, as the house notes do.

The chat model is a parameter: the OpenAI client in production, a local server or
a fake in tests.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from summarizer.drafting.japanese import is_mostly_japanese, japanese_ratio
from summarizer.errors import ModelOutputError
from summarizer.llm.prompts import load_prompt
from summarizer.tags.vocabulary import Vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.runnables import Runnable

    from summarizer.papers.paper import Paper
    from summarizer.tags.suggest import TagSuggester

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
MAX_SUMMARY_CHARS = 365
MAX_SUMMARY_SENTENCES = 4
TASKS = ("translation", "summary", "tags")
# The second turn when a reply was not Japanese (small models drift into English,
# copy the abstract or add labels).
STRICT_JAPANESE_INSTRUCTION = (
    "出力が日本語になっていません。英語の文を書かず、日本語だけで書き直してください。"
    "手法名・モデル名・データセット名などの固有名詞は英語のままでかまいません。"
    "前置きや見出し(「タイトル:」「要約:」など)を付けず、本文だけを出力してください。"
)
# Labels a model sometimes puts before the text it was asked for.
_LEADING_LABEL = re.compile(
    r"^(?:(?:タイトル|Title)\s*[:：].*?(?=(?:要約|翻訳|日本語訳|アブストラクト|概要|Abstract)\s*[:：]))?"
    r"(?:要約|翻訳|日本語訳|和訳|アブストラクト|概要|Summary|Translation|Abstract)\s*[:：]\s*",
    re.IGNORECASE,
)


class TokenUsage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    def add(self, message: AIMessage) -> None:
        self.calls += 1
        usage = getattr(message, "usage_metadata", None) or {}
        self.input_tokens += int(usage.get("input_tokens", 0))
        self.output_tokens += int(usage.get("output_tokens", 0))


class TaskResult(BaseModel):
    """One task's output and what it cost."""

    text: str = ""
    tags: list[str] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    warnings: list[str] = Field(default_factory=list)
    needs_attention: bool = False
    tag_scores: dict[str, float] = Field(default_factory=dict)


class DraftSections(BaseModel):
    """Everything the chain writes into a note."""

    translation: str
    summary: str
    suggested_tags: list[str]
    usage: dict[str, TokenUsage]
    warnings: list[str] = Field(default_factory=list)
    attention: list[str] = Field(default_factory=list)
    # The history-trained suggester's calibrated score per suggested tag, when used.
    tag_scores: dict[str, float] = Field(default_factory=dict)

    def usage_table(self) -> dict[str, dict[str, int]]:
        """Per-call token counts plus a total, as recorded in the note."""
        table = {task: usage.model_dump() for task, usage in self.usage.items()}
        table["total"] = {
            key: sum(usage[key] for usage in table.values())
            for key in ("input_tokens", "output_tokens", "calls")
        }
        return table


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


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content
    )


def clean_paragraph(text: str) -> str:
    """One paragraph on one line: the note puts each section after a single ``- ``."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    joined = ""
    for line in lines:
        line = line.removeprefix("- ").removeprefix("・").strip()
        # Japanese needs no space between joined lines; English does.
        if joined and (joined[-1].isascii() and line[:1].isascii()):
            joined += " "
        joined += line
    # Labels ("要約:", "タイトル: … 要約:") may sit on a line of their own.
    joined = _LEADING_LABEL.sub("", joined, count=1)
    if len(joined) >= 2 and joined[0] + joined[-1] in ('""', "「」", "“”"):
        joined = joined[1:-1].strip()
    return joined


def trim_summary(text: str) -> str:
    """Keep a rambling summary to its first sentences, as the house notes are short.

    House summaries are 88-365 characters and 2-6 sentences; a small model can
    paraphrase the whole abstract instead.  Only an over-long reply is cut, and only
    at a sentence end.
    """
    if len(text) <= MAX_SUMMARY_CHARS:
        return text
    sentences = [s + "。" for s in text.split("。") if s.strip()]
    if text and not text.endswith("。"):
        sentences[-1] = sentences[-1][:-1]
    kept = sentences[:MAX_SUMMARY_SENTENCES]
    return "".join(kept).strip() if len(sentences) > MAX_SUMMARY_SENTENCES else text


class DraftChain:
    """Builds and runs the chain for one chat model and one vocabulary."""

    def __init__(
        self,
        chat_model: BaseChatModel | None,
        vocabulary: Vocabulary,
        *,
        structured_method: str = "json_schema",
        max_tags: int = DEFAULT_MAX_TAGS,
        retry_exceptions: tuple[type[BaseException], ...] = (),
        constrain_tag_count: bool = False,
        suggester: TagSuggester | None = None,
        use_llm_for_tags: bool = True,
    ) -> None:
        """``constrain_tag_count`` puts ``maxItems`` in the tag schema: the local
        model's grammar enforces it, while strict OpenAI schemas may reject it."""
        self.chat_model = chat_model
        self.vocabulary = vocabulary
        self.structured_method = structured_method
        self.max_tags = max_tags
        self.retry_exceptions = retry_exceptions
        self.constrain_tag_count = constrain_tag_count
        # With a suggester trained on the user's notes, the model only re-ranks its
        # candidates; without the model (--no-llm) the suggester decides alone.
        self.suggester = suggester
        self.use_llm_for_tags = use_llm_for_tags
        self._allowed = vocabulary.names("topic")

    @property
    def _model(self) -> BaseChatModel:
        if self.chat_model is None:
            raise ValueError("this chain was built without a chat model (--no-llm)")
        return self.chat_model

    def _with_retry(self, runnable: Runnable) -> Runnable:
        # Status codes and timeouts are retried by the HTTP client itself; this
        # covers replies that arrive broken (truncated or malformed bodies).
        if not self.retry_exceptions:
            return runnable
        return runnable.with_retry(
            retry_if_exception_type=self.retry_exceptions,
            stop_after_attempt=3,
            wait_exponential_jitter=True,
        )

    def build(self) -> Runnable:
        """``{title, abstract} -> DraftSections`` as one LCEL runnable."""
        from langchain_core.runnables import RunnableLambda, RunnableParallel

        translation = self._text_task("translate", "translation")
        summary = self._text_task("summarize", "summary", trim_summary)
        tags = RunnableLambda(self.suggest_tags, name="tags")
        return RunnableParallel(translation=translation, summary=summary, tags=tags) | (
            RunnableLambda(_assemble, name="assemble")
        )

    def run(self, paper: Paper) -> DraftSections:
        return self.build().invoke({"title": paper.title, "abstract": paper.abstract})

    # --- text tasks --------------------------------------------------------------

    def _text_task(
        self, prompt_name: str, task: str, finish: Callable[[str], str] = lambda text: text
    ) -> Runnable:
        """A Japanese text section: one call, and one more if the reply is unusable."""
        from langchain_core.messages import AIMessage, HumanMessage
        from langchain_core.runnables import RunnableLambda

        prompt = load_prompt(prompt_name).to_chat_prompt()
        call = self._with_retry(self._model)

        def run(inputs: dict[str, str]) -> TaskResult:
            result = TaskResult()
            messages = prompt.format_messages(**inputs)
            message = call.invoke(messages)
            result.usage.add(message)
            result.text = clean_paragraph(message_text(message))
            if not result.text:
                log.info("%s: empty reply; asking again", task)
                message = call.invoke(messages)
                result.usage.add(message)
                result.text = clean_paragraph(message_text(message))
                if not result.text:
                    raise ModelOutputError(task, "the reply was empty twice")
            if is_mostly_japanese(result.text):
                result.text = finish(result.text)
                return result
            log.info("%s: reply is not Japanese; asking again more strictly", task)
            retry = [
                *messages,
                AIMessage(content=result.text),
                HumanMessage(STRICT_JAPANESE_INSTRUCTION),
            ]
            message = call.invoke(retry)
            result.usage.add(message)
            second = clean_paragraph(message_text(message))
            if is_mostly_japanese(second):
                result.text = finish(second)
                return result
            # Keep the draft (the person can fix it) but say where it needs a look.
            if second and japanese_ratio(second) > japanese_ratio(result.text):
                result.text = second
            result.needs_attention = True
            result.warnings.append(f"the {task} is not in Japanese; check it by hand")
            return result

        return RunnableLambda(run, name=task)

    # --- tags --------------------------------------------------------------------

    def _structured_runnable(self, allowed: list[str]) -> Runnable:
        kwargs: dict[str, Any] = {"method": self.structured_method, "include_raw": True}
        if self.structured_method == "json_schema":
            kwargs["strict"] = True
        max_items = self.max_tags if self.constrain_tag_count else None
        return self._model.with_structured_output(tag_schema(allowed, max_items), **kwargs)

    def suggest_tags(self, inputs: dict[str, str]) -> TaskResult:
        """Tags for ``{title, abstract}``: from the vocabulary, best first."""
        if self.suggester is None:
            return self._llm_tags(inputs, self._allowed, self.vocabulary.spellings("topic"))
        ranked = self.suggester.suggest(inputs["title"], inputs["abstract"], top_k=CANDIDATES)
        scores = dict(ranked)
        if not self.use_llm_for_tags:
            result = TaskResult()
            result.tags = merge_model_choice(ranked, [], self.max_tags)
        else:
            result = self.choose_among(inputs, [tag for tag, _ in ranked])
            result.tags = merge_model_choice(ranked, result.tags, self.max_tags)
        result.tag_scores = {tag: round(scores[tag], 3) for tag in result.tags}
        return result

    def choose_among(self, inputs: dict[str, str], candidates: list[str]) -> TaskResult:
        """The model's pick among ``candidates`` (its reply constrained to them)."""
        return self._llm_tags(inputs, candidates, candidates)

    def _llm_tags(
        self, inputs: dict[str, str], listed: list[str], spellings: list[str]
    ) -> TaskResult:
        prompt = load_prompt("tags").to_chat_prompt()
        messages = prompt.format_messages(
            **inputs, vocabulary="\n".join(listed), max_tags=self.max_tags
        )
        structured = self._with_retry(self._structured_runnable(spellings))
        result = TaskResult()
        tags, problem = invoke_structured(
            structured,
            messages,
            lambda parsed: TagReply.model_validate(parsed).tags,
            result.usage,
            expected='{"tags": [...]}, using tags from the allowed list',
        )
        if problem is not None:
            result.warnings.append(
                f"tag suggestion failed ({problem}); add tags by hand when reviewing"
            )
            return result
        kept = self.vocabulary.filter(tags or [])
        dropped = [tag for tag in tags or [] if self.vocabulary.canonical(tag) not in kept]
        if dropped:
            # Never written anywhere: an invented tag must not reach the note.
            log.debug("tags: dropped %d tag(s) outside the vocabulary", len(dropped))
        result.tags = kept[: self.max_tags]
        return result


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


def invoke_structured(
    structured: Runnable,
    messages: list[BaseMessage],
    validate: Callable[[Any], Any],
    usage: TokenUsage,
    *,
    expected: str = "the JSON object described above",
) -> tuple[Any, str | None]:
    """Call a ``with_structured_output(include_raw=True)`` runnable, with one repair turn.

    Returns ``(validate(parsed), None)``, or ``(None, problem)`` when the reply is
    still unusable after the model was shown its reply and what was wrong with it.
    """
    from langchain_core.messages import AIMessage, HumanMessage

    reply = structured.invoke(messages)
    usage.add(reply["raw"])
    value, problem = _validated(reply, validate)
    if problem is None:
        return value, None
    log.info("structured reply unusable (%s); asking once more", problem)
    repair = [
        *messages,
        AIMessage(content=_raw_reply_text(reply["raw"])),
        HumanMessage(
            content=f"That reply was not usable: {problem}. Reply again with only {expected}."
        ),
    ]
    reply = structured.invoke(repair)
    usage.add(reply["raw"])
    return _validated(reply, validate)


def _validated(reply: dict[str, Any], validate: Callable[[Any], Any]) -> tuple[Any, str | None]:
    if reply.get("parsing_error") is not None:
        return None, f"not valid JSON ({reply['parsing_error']})".splitlines()[0][:200]
    parsed = reply.get("parsed")
    if isinstance(parsed, BaseModel):
        parsed = parsed.model_dump()
    try:
        return validate(parsed), None
    except ValidationError as error:
        return None, f"not of the expected form ({error.error_count()} error(s))"
    except ValueError as error:
        return None, str(error)


def _raw_reply_text(message: AIMessage) -> str:
    text = message_text(message)
    if text:
        return text
    calls = getattr(message, "tool_calls", None) or []
    return json.dumps(calls[0]["args"], ensure_ascii=False) if calls else ""


def _assemble(results: dict[str, TaskResult]) -> DraftSections:
    return DraftSections(
        translation=results["translation"].text,
        summary=results["summary"].text,
        suggested_tags=results["tags"].tags,
        usage={task: results[task].usage for task in TASKS},
        warnings=[w for task in TASKS for w in results[task].warnings],
        attention=[task for task in TASKS if results[task].needs_attention],
        tag_scores=results["tags"].tag_scores,
    )
