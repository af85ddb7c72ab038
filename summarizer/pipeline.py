"""The main job as a library call: a reference in, a draft note on disk out.

The CLI only parses options, calls :func:`draft_note` (or :func:`estimate_note`
for ``--dry-run``) and prints the result.  Cheap checks that can fail on bad input
run before anything costs time or money.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.arxiv_client import ArxivClient
from summarizer.budget import (
    CORE_SECTIONS,
    BudgetPlan,
    default_budget,
    load_price_table,
    plan_full_text,
    split_sentences,
)
from summarizer.chain import DraftChain, DraftSections, TaskResult
from summarizer.comment import CommentChain
from summarizer.errors import ConfigError
from summarizer.factcheck import check_against_source, mark_unsupported
from summarizer.http import RetryingGetter, make_http_client
from summarizer.llm import BROKEN_REPLY_EXCEPTIONS, make_chat_model, model_errors, model_label
from summarizer.metadata_cache import MetadataCache
from summarizer.note import NoteContent, ensure_writable, render_note, title_line, write_note
from summarizer.pdf_fetch import PdfDownloader, PdfUnavailableError
from summarizer.pdf_text import PdfTextError, extract_pdf
from summarizer.ratelimit import RateLimiter
from summarizer.sources import (
    ArxivSource,
    PdfSource,
    PdfUrlSource,
    Source,
    note_stem,
    paper_from_document,
    resolve_source,
)
from summarizer.tokens import count_tokens, tokenizer_for
from summarizer.venues import venue_tags
from summarizer.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.paper import Paper
    from summarizer.pdf_text import PdfDocument, Section
    from summarizer.settings import Settings
    from summarizer.suggest import TagSuggester
    from summarizer.vocabulary import Vocabulary

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
    warnings: list[str] = []
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
    document = None
    if settings.full_text:
        say(f"reading the full text of {paper.versioned_id}")
        try:
            document = extract_pdf(clients.pdfs.for_paper(paper))
        except (PdfUnavailableError, PdfTextError) as error:
            # The abstract still makes a useful draft; say what is missing.
            warnings.append(f"full text unavailable ({error}); drafted from the abstract only")
    return PaperText(paper, source, document, warnings)


def load_suggester(settings: Settings, vocabulary: Vocabulary) -> TagSuggester | None:
    """The tag suggester trained on the user's history (cached), or None without one."""
    if settings.history is None:
        if not settings.tag_llm:
            raise ConfigError("--no-llm needs your tagging history: pass --history PATH")
        return None
    from summarizer.suggest import load_or_fit

    if not settings.history.exists():
        raise ConfigError(f"no tagging history at {settings.history}")
    key = hashlib.sha256(str(settings.history.resolve()).encode()).hexdigest()[:16]
    return load_or_fit(settings.cache_dir / f"tags-{key}.idx", settings.history, vocabulary)


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

    from summarizer.llm_cache import SqliteReplyCache

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
    say = progress or (lambda _message: None)
    source = resolve_source(reference)
    vocabulary = load_vocabulary(settings.vocabulary)
    folder = out_dir or settings.notes_dir
    if isinstance(source, ArxivSource):
        # Checked before anything costs time or money.
        ensure_writable(folder / f"{source.ref.safe_name}.md", force=force)
    text = read_paper(source, settings, say)
    path = folder / f"{note_stem(text.paper, source)}.md"
    ensure_writable(path, force=force)
    model = chat_model or make_chat_model(settings, setup_progress)
    label = model_label(model, settings)
    plan = plan_for(text.document, settings) if text.document is not None else None

    say(f"drafting with {label}: {text.paper.title}")
    chain = DraftChain(
        model,
        vocabulary,
        structured_method=settings.structured_output,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
        constrain_tag_count=settings.resolved_backend == "local",
        suggester=load_suggester(settings, vocabulary),
        use_llm_for_tags=settings.tag_llm,
    )
    commenter = CommentChain(
        model,
        structured_method=settings.structured_output,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
    )
    with model_errors(settings), reply_cache(settings), ThreadPoolExecutor(2) as pool:
        comment_job = (
            pool.submit(
                commenter.run, text.paper.title, plan.chunks, map_reduce=plan.mode == "map_reduce"
            )
            if plan is not None and plan.chunks
            else None
        )
        sections = chain.run(text.paper)
        comment = comment_job.result() if comment_job is not None else TaskResult()
    if comment.usage.calls:
        sections.usage["comment"] = comment.usage

    checked = _check_facts(text, sections, comment.text)
    warnings = [*text.warnings, *sections.warnings, *comment.warnings, *checked.warnings]
    # Venues come from the metadata, never from the model (house style: topics
    # first, the venue after them).
    suggested_tags = [
        *sections.suggested_tags,
        *venue_tags(vocabulary, journal_ref=text.paper.journal_ref, comment=text.paper.comment),
    ]
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
    write_note(path, note_text, force=force)
    return DraftResult(
        path=path,
        paper=text.paper,
        sections=sections,
        title_line=title_line(text.paper),
        warnings=warnings,
        suggested_tags=suggested_tags,
    )


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


# --- --dry-run ------------------------------------------------------------------------

# Typical reply lengths (tokens), measured on the fake-free runs in the closing notes;
# only used to estimate, never to cap.
EXPECTED_OUTPUT_TOKENS = {"translation": 450, "summary": 160, "tags": 30, "comment": 600}
PART_NOTES_TOKENS = 250


@dataclass(frozen=True)
class Estimate:
    paper: Paper
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    approximate: bool
    cost_usd: float | None
    plan: BudgetPlan | None
    warnings: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.paper.title,
            "model": self.model,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "tokens_approximate": self.approximate,
            "cost_usd": self.cost_usd,
            "full_text_mode": self.plan.mode if self.plan else None,
            "warnings": self.warnings,
        }


def estimate_note(
    reference: str, settings: Settings, *, progress: Progress | None = None
) -> Estimate:
    """Tokens and cost of drafting ``reference``, without calling any model."""
    from summarizer.prompts import load_prompt

    say = progress or (lambda _message: None)
    source = resolve_source(reference)
    vocabulary = load_vocabulary(settings.vocabulary)
    text = read_paper(source, settings, say)
    inputs = {"title": text.paper.title, "abstract": text.paper.abstract}
    prompts = {
        "translation": load_prompt("translate").to_chat_prompt().format(**inputs),
        "summary": load_prompt("summarize").to_chat_prompt().format(**inputs),
        "tags": load_prompt("tags")
        .to_chat_prompt()
        .format(**inputs, vocabulary="\n".join(vocabulary.names()), max_tags=8),
    }
    counts = [count_tokens(prompt, settings.model) for prompt in prompts.values()]
    input_tokens = sum(count.tokens for count in counts)
    output_tokens = sum(EXPECTED_OUTPUT_TOKENS[task] for task in prompts)
    calls = len(prompts)
    approximate = any(count.approximate for count in counts)
    plan = plan_for(text.document, settings) if text.document is not None else None
    if plan is not None and plan.chunks:
        calls += plan.calls
        input_tokens += plan.sent_tokens + COMMENT_PROMPT_TOKENS * plan.calls
        output_tokens += EXPECTED_OUTPUT_TOKENS["comment"]
        if plan.mode == "map_reduce":
            output_tokens += PART_NOTES_TOKENS * len(plan.chunks)
            input_tokens += PART_NOTES_TOKENS * len(plan.chunks)
        approximate = approximate or plan.approximate
    prices = load_price_table(settings.prices)
    cost = (
        0.0
        if settings.resolved_backend == "local"
        else prices.estimate_cost(settings.model, input_tokens, output_tokens)
    )
    return Estimate(
        paper=text.paper,
        model=settings.model if settings.resolved_backend == "openai" else "local",
        calls=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        approximate=approximate,
        cost_usd=cost,
        plan=plan,
        warnings=text.warnings,
    )
