"""The LangChain chain that drafts a note's Japanese sections.

Three independent tasks run in parallel (``RunnableParallel``): the translation of
the abstract, the house-style summary (:mod:`~summarizer.drafting.text_tasks`), and
hashtag suggestions constrained to the controlled vocabulary
(:mod:`~summarizer.drafting.tag_chain`).  The summary is written from the English
abstract, not from the translation, so that it does not wait for the translation
and keeps technical terms in English, as the house notes do.

The chain is composed once per chat model and vocabulary (prompts included) and
then run for any number of papers, from any number of threads.  The chat model is
a parameter: the OpenAI client in production, a local server or a fake in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from summarizer.drafting.results import DraftSections, TaskResult
from summarizer.drafting.tag_chain import DEFAULT_MAX_TAGS, TagChooser
from summarizer.drafting.text_tasks import JapaneseSection, house_summary
from summarizer.llm.retry_policy import RetryPolicy

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from summarizer.drafting.log_examples import LogExamples
    from summarizer.papers.paper import Paper
    from summarizer.tags.glossary import Term
    from summarizer.tags.suggest import TagSuggester
    from summarizer.tags.vocabulary import Vocabulary

TASKS = ("translation", "summary", "tags")


class DraftChain:
    """``{title, abstract} -> DraftSections`` for one chat model and one vocabulary."""

    def __init__(
        self,
        chat_model: BaseChatModel | None,
        vocabulary: Vocabulary,
        *,
        structured_method: str = "json_schema",
        max_tags: int = DEFAULT_MAX_TAGS,
        policy: RetryPolicy | None = None,
        constrain_tag_count: bool = False,
        suggester: TagSuggester | None = None,
        use_llm_for_tags: bool = True,
        summary_from_translation: bool = False,
        log_examples: LogExamples | None = None,
        log_example_tasks: tuple[str, ...] = ("translation", "summary"),
        glossary: Sequence[Term] = (),
    ) -> None:
        """``chat_model`` None (``--no-llm``): only :meth:`suggest_tags`, by ``suggester``.

        ``summary_from_translation`` writes the summary from the Japanese translation
        once it is done, instead of from the abstract alongside it (see
        prompts/summarize_translation.toml for when that is worth the wait).
        ``log_examples``: the few-shot examples of ``log_example_tasks`` come from the
        person's notes nearest to the paper (:mod:`~summarizer.drafting.log_examples`).
        ``glossary``: the translation prompt ends with the house's renderings of the
        terms each paper uses (:mod:`summarizer.tags.glossary`).
        """
        self.summary_from_translation = summary_from_translation
        self.log_examples = log_examples
        self._example_tasks = log_example_tasks if log_examples is not None else ()
        self.glossary = list(glossary)
        policy = policy or RetryPolicy()
        self.tags = TagChooser(
            chat_model,
            vocabulary,
            policy,
            structured_method=structured_method,
            max_tags=max_tags,
            constrain_tag_count=constrain_tag_count,
            suggester=suggester,
            use_llm_for_tags=use_llm_for_tags,
        )
        self._draft = None if chat_model is None else self._compose(chat_model, policy)

    def _compose(self, chat_model: BaseChatModel, policy: RetryPolicy) -> Runnable:
        from langchain_core.runnables import (
            RunnableLambda,
            RunnableParallel,
            RunnablePassthrough,
        )

        translation = JapaneseSection(
            "translation",
            "translate",
            chat_model,
            policy,
            examples=self._examples("translation"),
            glossary=True,
        )
        tags = RunnableLambda(self.tags.suggest, name="tags")
        if not self.summary_from_translation:
            summary = JapaneseSection(
                "summary", "summarize", chat_model, policy, house_summary, self._examples("summary")
            )
            tasks = RunnableParallel(
                translation=translation.runnable, summary=summary.runnable, tags=tags
            )
            return tasks | _assemble
        summary = JapaneseSection(
            "summary",
            "summarize_translation",
            chat_model,
            policy,
            house_summary,
            self._examples("summary"),
        )
        first = RunnableParallel(
            translation=translation.runnable,
            tags=tags,
            title=itemgetter("title"),
            abstract=itemgetter("abstract"),
            arxiv_id=itemgetter("arxiv_id"),
        )
        translated = RunnableLambda(_summary_inputs, name="translated")
        return first | RunnablePassthrough.assign(summary=translated | summary.runnable) | _assemble

    def _examples(self, task: str) -> LogExamples | None:
        return self.log_examples if task in self._example_tasks else None

    def run(self, paper: Paper) -> DraftSections:
        if self._draft is None:
            raise ValueError("this chain was built without a chat model (--no-llm)")
        paper_inputs = {
            "title": paper.title,
            "abstract": paper.abstract,
            "arxiv_id": paper.arxiv_id or "",
        }
        sections = self._draft.invoke({**paper_inputs, "glossary": self._glossary_lines(paper)})
        if self._example_tasks and self.log_examples is not None:
            used = self.log_examples.nearest(**paper_inputs)
            sections = sections.model_copy(update={"examples": [note.key for note in used]})
        return sections

    def _glossary_lines(self, paper: Paper) -> str:
        """The glossary's lines for the terms ``paper`` uses, after a blank line ("" if none)."""
        from summarizer.tags.glossary import glossary_for, render_for_prompt

        lines = render_for_prompt(glossary_for(f"{paper.title}\n{paper.abstract}", self.glossary))
        return f"\n\n{lines}" if lines else ""

    def suggest_tags(self, inputs: dict[str, str]) -> TaskResult:
        """Tags for ``{title, abstract}``: from the vocabulary, best first."""
        return self.tags.suggest(inputs)

    def choose_among(self, inputs: dict[str, str], candidates: list[str]) -> TaskResult:
        """The model's pick among ``candidates`` (its reply constrained to them)."""
        return self.tags.choose_among(inputs, candidates)


def _summary_inputs(results: dict[str, Any]) -> dict[str, str]:
    return {
        "title": results["title"],
        "translation": results["translation"].text,
        # Not in the template: what the log's examples are chosen by.
        "abstract": results["abstract"],
        "arxiv_id": results["arxiv_id"],
    }


def _assemble(results: dict[str, Any]) -> DraftSections:
    return DraftSections(
        translation=results["translation"].text,
        summary=results["summary"].text,
        suggested_tags=results["tags"].tags,
        usage={task: results[task].usage for task in TASKS},
        warnings=[w for task in TASKS for w in results[task].warnings],
        attention=[task for task in TASKS if results[task].needs_attention],
        tag_scores=results["tags"].tag_scores,
    )
