"""The note's Japanese text sections: the translation and the summary of the abstract.

Each is ``prompt | writer``: the prompt is built once per chain, and the writer asks
the model, asks again when the reply is empty or not Japanese (the turns of
:class:`~summarizer.llm.retry_policy.RetryPolicy`), and tidies the reply into one
paragraph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from summarizer.drafting.japanese import is_mostly_japanese, japanese_ratio
from summarizer.drafting.plain_style import to_plain_style
from summarizer.drafting.results import TaskResult, measured
from summarizer.errors import ModelOutputError
from summarizer.llm.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage
    from langchain_core.prompt_values import PromptValue
    from langchain_core.runnables import Runnable

    from summarizer.drafting.log_examples import LogExamples
    from summarizer.llm.retry_policy import RetryPolicy

log = logging.getLogger(__name__)

# The upper quartile of the house's summary lengths, in characters.
HOUSE_MAX_CHARS = 240
MAX_SUMMARY_SENTENCES = 4
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

    House summaries are 2-6 sentences, median 203 characters, the middle half
    169-240 (shared/house-style.md); a small model paraphrases the whole abstract
    instead (median 356 characters on bench.house_style).  A reply over 240
    characters keeps its leading sentences up to 240 characters, at most
    :data:`MAX_SUMMARY_SENTENCES` of them and at least the first; it is only ever
    cut at a sentence end.
    """
    if len(text) <= HOUSE_MAX_CHARS:
        return text
    sentences = [s + "。" for s in text.split("。") if s.strip()]
    if text and not text.endswith("。"):
        sentences[-1] = sentences[-1][:-1]
    kept = sentences[:1]
    for sentence in sentences[1:MAX_SUMMARY_SENTENCES]:
        if len("".join(kept)) + len(sentence) > HOUSE_MAX_CHARS:
            break
        kept.append(sentence)
    return "".join(kept).strip()


def house_summary(text: str) -> str:
    """A summary as the house writes it: plain style (である/体言止め), house length."""
    return trim_summary(to_plain_style(text))


def _unchanged(text: str) -> str:
    return text


class JapaneseSection:
    """``{title, abstract} -> TaskResult`` for one section (:attr:`runnable`).

    ``examples`` (the person's log) replaces the prompt file's few-shot examples by
    the notes nearest to each paper; ``task`` names the section they show.
    ``glossary``: the paper's turn ends with the ``glossary`` input.
    """

    def __init__(
        self,
        task: str,
        prompt_name: str,
        chat_model: BaseChatModel,
        policy: RetryPolicy,
        finish: Callable[[str], str] = _unchanged,
        examples: LogExamples | None = None,
        glossary: bool = False,
    ) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.runnables import RunnableLambda

        self.task = task
        self.policy = policy
        self.finish = finish
        self._ask = policy.retrying(chat_model) | StrOutputParser()
        spec = load_prompt(prompt_name)
        selector = None if examples is None else examples.for_prompt(task, spec.example_dicts())
        self.runnable: Runnable = spec.to_chat_prompt(selector, glossary=glossary) | RunnableLambda(
            self._write, name=task
        )

    def _write(self, prompt: PromptValue) -> TaskResult:
        return measured(lambda: self._in_japanese(prompt.to_messages()))

    def _reply(self, messages: list[BaseMessage]) -> str:
        return clean_paragraph(self._ask.invoke(messages))

    def _in_japanese(self, messages: list[BaseMessage]) -> TaskResult:
        from langchain_core.messages import AIMessage, HumanMessage

        text = self._reply(messages)
        for _ in range(self.policy.empty_reply_reasks):
            if text:
                break
            log.info("%s: empty reply; asking again", self.task)
            text = self._reply(messages)
        if not text:
            asked = 1 + self.policy.empty_reply_reasks
            raise ModelOutputError(self.task, f"the reply was empty {asked} times")
        best = text
        for _ in range(self.policy.japanese_reasks):
            if is_mostly_japanese(text):
                break
            log.info("%s: reply is not Japanese; asking again more strictly", self.task)
            strict = [*messages, AIMessage(content=text), HumanMessage(STRICT_JAPANESE_INSTRUCTION)]
            text = self._reply(strict) or text
            if japanese_ratio(text) > japanese_ratio(best):
                best = text
        if is_mostly_japanese(text):
            return TaskResult(text=self.finish(text))
        # Keep the draft (the person can fix it) but say where it needs a look.
        return TaskResult(
            text=best,
            needs_attention=True,
            warnings=[f"the {self.task} is not in Japanese; check it by hand"],
        )
