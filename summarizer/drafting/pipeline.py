"""The main job as a library call: a reference in, a draft note on disk out.

The CLI only parses options, calls :func:`draft_note` and prints the result.
Cheap checks that can fail on bad input run before anything costs time or money.
A :class:`Drafter` holds what papers can share (chat model, chains, HTTP clients),
so a batch drafts many with one.  Reading the paper is :mod:`summarizer.papers.reader`,
planning the full text :mod:`summarizer.drafting.budget`, checking and laying out
the note :mod:`summarizer.drafting.compose`; ``--dry-run`` is
:mod:`summarizer.drafting.estimate`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.drafting.budget import BudgetPlan, plan_for
from summarizer.drafting.chains import Chains, make_chains
from summarizer.drafting.compose import DraftResult, compose_note
from summarizer.drafting.log_examples import log_examples_for
from summarizer.drafting.results import TaskResult
from summarizer.drafting.tagging import load_suggester
from summarizer.drafting.user_log import (
    MIN_REVIEWED_NOTES,
    load_house_glossary,
    read_user_log,
)
from summarizer.llm.models import make_chat_model, model_errors, model_label
from summarizer.notes.note import check_folders_writable, ensure_writable, write_note
from summarizer.papers.reader import (
    Clients,
    PaperText,
    Progress,
    read_full_text,
    read_source,
)
from summarizer.papers.sources import ArxivSource, Source, note_stem, resolve_source
from summarizer.tags.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.llm.cache import SqliteReplyCache
    from summarizer.llm.gate import ModelGate
    from summarizer.papers.paper import Paper
    from summarizer.papers.pdf_text import PdfDocument
    from summarizer.settings import Settings
    from summarizer.tags.log_notes import LogNote
    from summarizer.tags.related import Related, RelatedIndex

SetupProgress = Callable[[int, int], None]


def draft_note(
    reference: str,
    settings: Settings,
    *,
    out_dir: Path | None = None,
    force: bool = False,
    chat_model: BaseChatModel | None = None,
    progress: Progress | None = None,
    setup_progress: SetupProgress | None = None,
) -> DraftResult:
    """Read the paper, run the chains and write ``<out_dir>/<id>.md``."""
    say = progress or _silent
    source = resolve_source(reference)
    with Drafter(settings, chat_model=chat_model, setup_progress=setup_progress) as drafter:
        return drafter.draft(source, out_dir or settings.notes_dir, force=force, say=say)


def _silent(_message: str) -> None:
    pass


# Called with the note's path and full text just before it is written (the batch
# journals what it is about to write, so a rerun can recognise its own notes).
BeforeWrite = Callable[[Path, str], None]


class Drafter:
    """What drafting needs that papers can share: vocabulary, HTTP clients, the chat
    model (made on first use), the chains and the tag suggester.  Thread-safe, so a
    batch drafts many papers at once with one of these; ``close()`` when done.

    The model it makes caches its replies on disk (``settings.cache``), as the
    model's own LangChain cache; a model passed in is used as it is.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        chat_model: BaseChatModel | None = None,
        setup_progress: SetupProgress | None = None,
        gate: ModelGate | None = None,
    ) -> None:
        self.settings = settings
        self.vocabulary = load_vocabulary(settings.vocabulary)
        self.clients = Clients(settings)
        self._chat_model = chat_model
        self._made_model = False
        self._setup_progress = setup_progress
        self._gate = gate
        self._lock = threading.Lock()
        self._chains: Chains | None = None
        self._reply_cache: SqliteReplyCache | None = None
        self._related: RelatedIndex | None = None
        self._log: list[LogNote] | None = None

    def close(self) -> None:
        self.clients.close()
        if self._reply_cache is not None:
            self._reply_cache.close()
        # The gated HTTP client is ours (ChatOpenAI never closes a client it was given).
        client = getattr(self._chat_model, "http_client", None) if self._made_model else None
        if self._gate is not None and client is not None:
            client.close()

    def __enter__(self) -> Drafter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def chat_model(self) -> BaseChatModel:
        with self._lock:
            if self._chat_model is None:
                if self.settings.cache:
                    from summarizer.llm.cache import SqliteReplyCache

                    path = self.settings.cache_dir / "replies.sqlite"
                    self._reply_cache = SqliteReplyCache(path)
                self._chat_model = make_chat_model(
                    self.settings, self._setup_progress, gate=self._gate, cache=self._reply_cache
                )
                self._made_model = True
            return self._chat_model

    @property
    def label(self) -> str:
        return model_label(self.chat_model, self.settings)

    def chains(self) -> Chains:
        """The note chain and the Comment chain (the suggester and the log's
        examples are loaded once)."""
        model = self.chat_model
        with self._lock:
            if self._chains is None:
                suggester = load_suggester(self.settings, self.vocabulary)
                self._chains = make_chains(
                    self.settings,
                    model,
                    self.vocabulary,
                    suggester=suggester,
                    log_examples=log_examples_for(self.settings, self._user_log()),
                    glossary=load_house_glossary(self.settings),
                )
            return self._chains

    def related_notes(self, paper: Paper) -> list[Related]:
        """The person's notes related to ``paper`` (none without a history)."""
        from summarizer.tags.related import related_index

        with self._lock:
            if self._related is None:
                configured = self.settings.history is not None
                self._related = related_index(
                    self._user_log(), min_notes=0 if configured else MIN_REVIEWED_NOTES
                )
        return self._related.find(paper.title, paper.abstract)

    def _user_log(self) -> list[LogNote]:
        """The person's log, read once (call with ``self._lock`` held)."""
        if self._log is None:
            self._log = read_user_log(self.settings)
        return self._log

    def draft(self, source: Source, folder: Path, *, force: bool, say: Progress) -> DraftResult:
        """Draft ``source`` into ``folder``: an arXiv paper, or a PDF."""
        # Before any paid call: a note that cannot be saved is money lost.
        check_folders_writable(folder, self.settings.home)
        if isinstance(source, ArxivSource):
            # Checked before anything costs time or money.
            ensure_writable(folder / f"{source.ref.safe_name}.md", force=force)
            say(f"fetching arXiv metadata for {source.ref}")
            paper = self.clients.arxiv.fetch(source.ref)
            return self.draft_paper(paper, source, folder, force=force, say=say)
        text = read_source(self.clients, source, self.settings, say)
        return self._write_draft(
            text.paper, source, folder, lambda: (text.document, []), force=force, say=say
        )

    def draft_paper(
        self,
        paper: Paper,
        source: ArxivSource,
        folder: Path,
        *,
        force: bool,
        say: Progress,
        before_write: BeforeWrite | None = None,
    ) -> DraftResult:
        """Draft an arXiv paper whose metadata is known; its PDF is read meanwhile."""
        return self._write_draft(
            paper,
            source,
            folder,
            lambda: read_full_text(self.clients, paper, self.settings, say),
            force=force,
            say=say,
            before_write=before_write,
        )

    def _write_draft(
        self,
        paper: Paper,
        source: Source,
        folder: Path,
        read_document: Callable[[], tuple[PdfDocument | None, list[str]]],
        *,
        force: bool,
        say: Progress,
        before_write: BeforeWrite | None = None,
    ) -> DraftResult:
        path = folder / f"{note_stem(paper, source)}.md"
        ensure_writable(path, force=force)
        if self._chains is None:
            # Loading the model and fitting the tag suggester on a new or changed log
            # take seconds to minutes: say so rather than sit silent.
            say("loading the model and learning from your notes log (faster once cached)")
        chains = self.chains()
        label = self.label
        say(f"drafting with {label}: {paper.title}")

        def full_text_comment() -> tuple[PaperText, BudgetPlan | None, TaskResult]:
            # The PDF (a download spaced by arXiv's rate limit) and the Comment run
            # while the translation, summary and tags are being written.
            document, warnings = read_document()
            text = PaperText(paper, source, document, warnings)
            plan = plan_for(document, self.settings) if document is not None else None
            if plan is None or not plan.chunks:
                return text, plan, TaskResult()
            map_reduce = plan.mode == "map_reduce"
            say(f"writing the Comment from {len(plan.chunks)} part(s) of the paper")
            return text, plan, chains.comment.run(paper.title, plan.chunks, map_reduce=map_reduce)

        with model_errors(self.settings), ThreadPoolExecutor(1) as pool:
            comment_job = pool.submit(full_text_comment)
            sections = chains.draft.run(paper)
            text, plan, comment = comment_job.result()
        if comment.usage.calls:
            sections.usage["comment"] = comment.usage
        note_text, result = compose_note(
            text, self.vocabulary, sections, comment, plan, label, path, self.related_notes(paper)
        )
        if before_write is not None:
            before_write(path, note_text)
        write_note(path, note_text, force=force)
        return result
