"""The main job as a library call: a reference in, a draft note on disk out.

The CLI only parses options, calls :func:`draft_note` and prints the result.
Cheap checks that can fail on bad input run before anything costs time or money.
A :class:`Drafter` holds what papers can share (chat model, chains, HTTP clients),
so a batch drafts many with one.  ``--dry-run`` lives in :mod:`summarizer.drafting.estimate`,
which reads the paper with :func:`read_paper` and plans with :func:`plan_for`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.drafting.budget import (
    CORE_SECTIONS,
    BudgetPlan,
    default_budget,
    plan_full_text,
    split_sentences,
)
from summarizer.drafting.chain import DraftChain, DraftSections, TaskResult
from summarizer.drafting.chains import make_chains
from summarizer.drafting.comment import CommentChain
from summarizer.drafting.factcheck import check_against_source, mark_unsupported
from summarizer.drafting.tagging import load_suggester
from summarizer.llm.models import make_chat_model, model_errors, model_label
from summarizer.llm.tokens import tokenizer_for
from summarizer.notes.note import NoteContent, ensure_writable, render_note, title_line, write_note
from summarizer.papers.arxiv import ArxivClient
from summarizer.papers.http import RetryingGetter, make_http_client
from summarizer.papers.metadata_cache import MetadataCache
from summarizer.papers.pdf_fetch import PdfDownloader, PdfUnavailableError
from summarizer.papers.pdf_text import PdfTextError, extract_pdf
from summarizer.papers.ratelimit import RateLimiter
from summarizer.papers.sources import (
    ArxivSource,
    PdfSource,
    PdfUrlSource,
    Source,
    note_stem,
    paper_from_document,
    resolve_source,
)
from summarizer.tags.venues import venue_tags
from summarizer.tags.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.llm.gate import ModelGate
    from summarizer.papers.paper import Paper
    from summarizer.papers.pdf_text import PdfDocument, Section
    from summarizer.settings import Settings
    from summarizer.tags.vocabulary import Vocabulary

Progress = Callable[[str], None]
SetupProgress = Callable[[int, int], None]
# Tokens of the Comment prompt itself (instructions, title), kept out of the budget
# for the paper's text.  Measured on prompts/comment.toml: about 450 with a title.
COMMENT_PROMPT_TOKENS = 600


@dataclass(frozen=True)
class DraftResult:
    path: Path
    paper: Paper
    sections: DraftSections
    title_line: str
    warnings: list[str] = field(default_factory=list)
    # As written in the note: the chain's topic tags, then venue tags.
    suggested_tags: list[str] = field(default_factory=list)

    def summary_json(self) -> dict[str, object]:
        """The ``--json`` output: a stable contract for scripts."""
        return {
            "path": str(self.path),
            "arxiv_id": self.paper.arxiv_id,
            "title_line": self.title_line,
            "suggested_tags": self.suggested_tags,
            "usage": self.sections.usage_table(),
        }


@dataclass(frozen=True)
class PaperText:
    """What was read: metadata, and the full text when there is one."""

    paper: Paper
    source: Source
    document: PdfDocument | None
    warnings: list[str]


class Clients:
    """The HTTP clients of one run, sharing arXiv's rate limit; close() when done."""

    def __init__(self, settings: Settings) -> None:
        self.arxiv = ArxivClient(
            settings.arxiv_api_url,
            min_interval=settings.effective_arxiv_interval,
            max_attempts=settings.arxiv_attempts,
            timeout=settings.http_timeout,
            cache=MetadataCache(settings.cache_dir / "arxiv"),
            rate_state_file=settings.home / "state" / "arxiv-last-request",
        )
        self._web = make_http_client(settings.http_timeout)
        web_getter = RetryingGetter(
            self._web,
            limiter=RateLimiter(0),
            max_attempts=settings.arxiv_attempts,
            backoff=1.0,
        )
        self.pdfs = PdfDownloader(
            self.arxiv.getter,
            web_getter,
            cache_dir=settings.cache_dir / "pdf",
            arxiv_pdf_url=settings.arxiv_pdf_url,
        )

    def close(self) -> None:
        self.arxiv.close()
        self._web.close()


def read_paper(source: Source, settings: Settings, say: Progress) -> PaperText:
    """Metadata, plus the PDF's text when wanted; a PDF that fails is a warning."""
    clients = Clients(settings)
    try:
        return _read_with(clients, source, settings, say)
    finally:
        clients.close()


def _read_with(clients: Clients, source: Source, settings: Settings, say: Progress) -> PaperText:
    if isinstance(source, PdfSource):
        say(f"reading {source.path}")
        # The user's own file: its errors are theirs to fix (exit 2), no fallback.
        document = extract_pdf(source.path, password=_password(settings))
        return PaperText(paper_from_document(document, str(source.path)), source, document, [])
    if isinstance(source, PdfUrlSource):
        say(f"downloading {source.url}")
        document = extract_pdf(clients.pdfs.from_url(source.url), password=_password(settings))
        return PaperText(paper_from_document(document, source.url), source, document, [])
    say(f"fetching arXiv metadata for {source.ref}")
    paper = clients.arxiv.fetch(source.ref)
    document, warnings = read_full_text(clients, paper, settings, say)
    return PaperText(paper, source, document, warnings)


def read_full_text(
    clients: Clients, paper: Paper, settings: Settings, say: Progress
) -> tuple[PdfDocument | None, list[str]]:
    """An arXiv paper's PDF as text when wanted; a PDF that fails is only a warning."""
    if not settings.full_text:
        return None, []
    say(f"reading the full text of {paper.versioned_id}")
    try:
        return extract_pdf(clients.pdfs.for_paper(paper)), []
    except (PdfUnavailableError, PdfTextError) as error:
        # The abstract still makes a useful draft; say what is missing.
        return None, [f"full text unavailable ({error}); drafted from the abstract only"]


def _password(settings: Settings) -> str | None:
    return settings.pdf_password.get_secret_value() if settings.pdf_password else None


def plan_for(document: PdfDocument, settings: Settings) -> BudgetPlan:
    budget = settings.max_input_tokens or default_budget(settings.resolved_backend)
    sections = list(document.sections or [])
    if settings.resolved_backend == "local":
        # On 2 CPU cores each local call takes ~20 s, so a long paper read in 5-29
        # parts would take minutes: the local model gets one call with the start of
        # each core section instead.
        sections = shorten_core_sections(sections, budget - COMMENT_PROMPT_TOKENS, settings.model)
    return plan_full_text(
        sections,
        model=settings.model,
        max_input_tokens=budget,
        prompt_overhead_tokens=COMMENT_PROMPT_TOKENS,
    )


def shorten_core_sections(sections: list[Section], available: int, model: str) -> list[Section]:
    """Keep the core sections only, each cut to its share of ``available`` tokens."""
    core = [s for s in sections if s.name in CORE_SECTIONS and s.text.strip()]
    if not core:
        return sections
    tokenizer = tokenizer_for(model)
    # A little headroom for the section labels the plan adds.
    share = max(50, int(available * 0.9) // len(core))
    shortened = []
    for section in core:
        kept = ""
        for sentence in split_sentences(section.text):
            if tokenizer.count(kept + sentence) > share:
                break
            kept += sentence
        shortened.append(dataclasses.replace(section, text=kept or section.text[: share * 3]))
    return shortened


@contextlib.contextmanager
def reply_cache(settings: Settings) -> Iterator[None]:
    """Model replies cached on disk for the duration of a run (unless disabled)."""
    if not settings.cache:
        yield
        return
    from langchain_core.globals import get_llm_cache, set_llm_cache

    from summarizer.llm.cache import SqliteReplyCache

    previous = get_llm_cache()
    cache = SqliteReplyCache(settings.cache_dir / "replies.sqlite")
    set_llm_cache(cache)
    try:
        yield
    finally:
        set_llm_cache(previous)
        cache.close()


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
    with (
        Drafter(settings, chat_model=chat_model, setup_progress=setup_progress) as drafter,
        reply_cache(settings),
    ):
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

    Model replies are cached only inside :func:`reply_cache`, which the caller sets
    up once for the run (LangChain's cache is process-wide).
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
        self._chains: tuple[DraftChain, CommentChain] | None = None

    def close(self) -> None:
        self.clients.close()
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
                self._chat_model = make_chat_model(
                    self.settings, self._setup_progress, gate=self._gate
                )
                self._made_model = True
            return self._chat_model

    @property
    def label(self) -> str:
        return model_label(self.chat_model, self.settings)

    def chains(self) -> tuple[DraftChain, CommentChain]:
        """The note chain and the Comment chain (the suggester is loaded once)."""
        model = self.chat_model
        with self._lock:
            if self._chains is None:
                suggester = load_suggester(self.settings, self.vocabulary)
                made = make_chains(self.settings, model, self.vocabulary, suggester=suggester)
                self._chains = (made.draft, made.comment)
            return self._chains

    def draft(self, source: Source, folder: Path, *, force: bool, say: Progress) -> DraftResult:
        """Draft ``source`` into ``folder``: an arXiv paper, or a PDF."""
        if isinstance(source, ArxivSource):
            # Checked before anything costs time or money.
            ensure_writable(folder / f"{source.ref.safe_name}.md", force=force)
            say(f"fetching arXiv metadata for {source.ref}")
            paper = self.clients.arxiv.fetch(source.ref)
            return self.draft_paper(paper, source, folder, force=force, say=say)
        text = _read_with(self.clients, source, self.settings, say)
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
        chain, commenter = self.chains()
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
            return text, plan, commenter.run(paper.title, plan.chunks, map_reduce=map_reduce)

        with model_errors(self.settings), ThreadPoolExecutor(1) as pool:
            comment_job = pool.submit(full_text_comment)
            sections = chain.run(paper)
            text, plan, comment = comment_job.result()
        if comment.usage.calls:
            sections.usage["comment"] = comment.usage
        note_text, result = _compose_note(
            text, self.vocabulary, sections, comment, plan, label, path
        )
        if before_write is not None:
            before_write(path, note_text)
        write_note(path, note_text, force=force)
        return result


def _compose_note(
    text: PaperText,
    vocabulary: Vocabulary,
    sections: DraftSections,
    comment: TaskResult,
    plan: BudgetPlan | None,
    label: str,
    path: Path,
) -> tuple[str, DraftResult]:
    """The note's text, and what the caller is told about it."""
    checked = _check_facts(text, sections, comment.text)
    warnings = [*text.warnings, *sections.warnings, *comment.warnings, *checked.warnings]
    # Venues come from the metadata, never from the model (house style: topics
    # first, the venue after them).
    venues = venue_tags(vocabulary, journal_ref=text.paper.journal_ref, comment=text.paper.comment)
    suggested_tags = [*sections.suggested_tags, *venues]
    content = NoteContent(
        translation=checked.translation,
        summary=checked.summary,
        suggested_tags=suggested_tags,
        model_label=label,
        usage=sections.usage_table(),
        warnings=warnings,
        attention=(*sections.attention, *(["comment"] if comment.needs_attention else [])),
        comment=checked.comment,
        extra=_full_text_record(text, plan, checked.unsupported, sections.tag_scores),
    )
    note_text = render_note(text.paper, content, created=datetime.now(UTC))
    result = DraftResult(
        path=path,
        paper=text.paper,
        sections=sections,
        title_line=title_line(text.paper),
        warnings=warnings,
        suggested_tags=suggested_tags,
    )
    return note_text, result


@dataclass(frozen=True)
class _Checked:
    translation: str
    summary: str
    comment: str
    unsupported: dict[str, list[str]]
    warnings: list[str]


def _check_facts(text: PaperText, sections: DraftSections, comment: str) -> _Checked:
    """Mark numbers and names the paper does not contain, for the reviewer."""
    abstract = text.paper.abstract
    full = f"{abstract}\n{text.paper.title}\n{text.document.text if text.document else ''}"
    marked: dict[str, str] = {}
    unsupported: dict[str, list[str]] = {}
    for name, generated, source in (
        ("translation", sections.translation, f"{text.paper.title}\n{abstract}"),
        ("summary", sections.summary, f"{text.paper.title}\n{abstract}"),
        ("comment", comment, full),
    ):
        result = check_against_source(generated, source)
        marked[name] = mark_unsupported(generated, result) if result.unsupported else generated
        if result.unsupported:
            unsupported[name] = [claim.text for claim in result.unsupported]
    warnings = [
        f"the {name} has {len(claims)} number(s)/name(s) not found in the paper, marked (⚠要確認)"
        for name, claims in unsupported.items()
    ]
    return _Checked(
        marked["translation"], marked["summary"], marked["comment"], unsupported, warnings
    )


def _full_text_record(
    text: PaperText,
    plan: BudgetPlan | None,
    unsupported: dict[str, list[str]],
    tag_scores: dict[str, float],
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if tag_scores:
        record["suggested_tag_scores"] = tag_scores
    if plan is not None:
        record["full_text"] = {
            "mode": plan.mode,
            "calls": plan.calls,
            "paper_tokens": plan.total_tokens,
            "sent_tokens": plan.sent_tokens,
            "tokens_approximate": plan.approximate,
            "dropped_sections": plan.dropped_sections,
        }
    elif isinstance(text.source, ArxivSource):
        record["full_text"] = False
    if unsupported:
        record["unsupported_claims"] = unsupported
    return record
