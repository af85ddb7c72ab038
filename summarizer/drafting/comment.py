"""The Comment draft: 概要 / 手法 / 実験・結果 from the paper's full text.

A paper that fits the token budget goes to the model in one call; a longer one is
read part by part first (map: notes per part, in parallel), then the notes are
turned into the draft (reduce).  The reply is structured (three fields), with one
repair turn when it does not parse, as for tags (:mod:`summarizer.llm.structured`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ValidationError

from summarizer.drafting.japanese import is_mostly_japanese
from summarizer.drafting.results import TaskResult, measured
from summarizer.drafting.text_tasks import clean_paragraph
from summarizer.llm.prompts import load_prompt
from summarizer.llm.retry_policy import RetryPolicy
from summarizer.llm.structured import invoke_structured, structured_model

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

COMMENT_HEADINGS = (("overview", "概要"), ("method", "手法"), ("results", "実験・結果"))
IMPRESSION_PLACEHOLDER = "## 所感\n- (ここに所感を書く)"
# Parts of a long paper read at once; bounded so a rate-limited API is not flooded.
MAP_CONCURRENCY = 4
COMMENT_MAX_TOKENS = 1200


class Part(Protocol):
    """A piece of the paper as the token budget cut it."""

    text: str
    sections: list[str]


class CommentReply(BaseModel):
    overview: str
    method: str
    results: str


def comment_schema() -> dict[str, Any]:
    fields = {
        name: {"type": "string", "description": f"{heading} (Japanese)"}
        for name, heading in COMMENT_HEADINGS
    }
    return {
        "title": "CommentDraft",
        "description": "The Comment section of a paper note, in Japanese.",
        "type": "object",
        "properties": fields,
        "required": [name for name, _ in COMMENT_HEADINGS],
        "additionalProperties": False,
    }


def render_comment(reply: CommentReply) -> str:
    """Markdown under ``# Comment``: the drafted parts, then a place for the person."""
    blocks = [
        f"## {heading}\n- {clean_paragraph(getattr(reply, name))}"
        for name, heading in COMMENT_HEADINGS
    ]
    return "\n\n".join([*blocks, IMPRESSION_PLACEHOLDER])


class CommentChain:
    """``(title, parts) -> TaskResult`` for one chat model, composed once."""

    def __init__(
        self,
        chat_model: BaseChatModel | None,
        *,
        structured_method: str = "json_schema",
        policy: RetryPolicy | None = None,
    ) -> None:
        """``chat_model`` None (``--no-llm``, tags only): a chain that cannot run."""
        self.policy = policy or RetryPolicy()
        self._prompt = load_prompt("comment").to_chat_prompt()
        self._runnables = (
            None if chat_model is None else self._compose(chat_model, structured_method)
        )

    def _compose(
        self, chat_model: BaseChatModel, structured_method: str
    ) -> tuple[Runnable, Runnable]:
        """The structured Comment call, and the map step's ``prompt | model | parser``."""
        from langchain_core.output_parsers import StrOutputParser

        structured = structured_model(
            chat_model,
            comment_schema(),
            structured_method,
            self.policy,
            # Three Japanese paragraphs: far longer than a tag list, and repeated
            # particles (の, を) must not be penalised.
            max_tokens=COMMENT_MAX_TOKENS,
            presence_penalty=0.0,
        )
        part_notes = (
            load_prompt("comment_map").to_chat_prompt()
            | self.policy.retrying(chat_model)
            | StrOutputParser()
        )
        return structured, part_notes

    def run(self, title: str, parts: Sequence[Part], *, map_reduce: bool) -> TaskResult:
        return measured(lambda: self._draft(title, parts, map_reduce=map_reduce))

    def _draft(self, title: str, parts: Sequence[Part], *, map_reduce: bool) -> TaskResult:
        if self._runnables is None:
            raise ValueError("this chain was built without a chat model (--no-llm)")
        structured, part_notes = self._runnables
        if map_reduce:
            material = self._read_parts(title, parts, part_notes)
            kind = "論文の各部分について作った覚え書き"
        else:
            material = "\n\n".join(part.text for part in parts)
            kind = "本文(抜粋)"
        messages = self._prompt.format_messages(title=title, material=material, material_kind=kind)
        parsed, problem = invoke_structured(structured, messages, _validate, policy=self.policy)
        result = TaskResult()
        if problem is not None:
            result.warnings.append(f"the Comment draft failed ({problem}); write it by hand")
            return result
        assert isinstance(parsed, CommentReply)
        result.text = render_comment(parsed)
        if not is_mostly_japanese(" ".join(getattr(parsed, name) for name, _ in COMMENT_HEADINGS)):
            # No second try: on a CPU the Comment is the longest call of the note.
            result.needs_attention = True
            result.warnings.append("the comment is not in Japanese; check it by hand")
        return result

    def _read_parts(self, title: str, parts: Sequence[Part], part_notes: Runnable) -> str:
        """Map step: Japanese notes on each part, in parallel, in the paper's order."""
        inputs = [
            {"title": title, "sections": ", ".join(part.sections), "text": part.text}
            for part in parts
        ]
        notes = part_notes.batch(inputs, config={"max_concurrency": MAP_CONCURRENCY})
        return "\n\n".join(
            f"[{', '.join(part.sections)}]\n{note.strip()}"
            for part, note in zip(parts, notes, strict=True)
        )


def _validate(parsed: Any) -> CommentReply:
    try:
        reply = CommentReply.model_validate(parsed)
    except ValidationError as error:
        raise ValueError(f"not of the expected form ({error.error_count()} error(s))") from None
    if not all(getattr(reply, name).strip() for name, _ in COMMENT_HEADINGS):
        raise ValueError("a part of the Comment was empty")
    return reply
