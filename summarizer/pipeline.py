"""The main job as a library call: a reference in, a draft note on disk out.

The CLI only parses options, calls :func:`draft_note` and prints the result.
Cheap checks that can fail on bad input run before anything costs time or money.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.arxiv_client import ArxivClient
from summarizer.chain import DraftChain, DraftSections
from summarizer.llm import BROKEN_REPLY_EXCEPTIONS, make_chat_model, model_errors, model_label
from summarizer.metadata_cache import MetadataCache
from summarizer.note import NoteContent, ensure_writable, render_note, title_line, write_note
from summarizer.sources import ArxivSource, note_stem, paper_from_pdf, resolve_source
from summarizer.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.paper import Paper
    from summarizer.settings import Settings

Progress = Callable[[str], None]
SetupProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class DraftResult:
    path: Path
    paper: Paper
    sections: DraftSections
    title_line: str

    def summary_json(self) -> dict[str, object]:
        """The ``--json`` output: a stable contract for scripts."""
        return {
            "path": str(self.path),
            "arxiv_id": self.paper.arxiv_id,
            "title_line": self.title_line,
            "suggested_tags": self.sections.suggested_tags,
            "usage": self.sections.usage_table(),
        }


def make_arxiv_client(settings: Settings) -> ArxivClient:
    return ArxivClient(
        settings.arxiv_api_url,
        min_interval=settings.effective_arxiv_interval,
        max_attempts=settings.arxiv_attempts,
        timeout=settings.http_timeout,
        cache=MetadataCache(settings.cache_dir / "arxiv"),
        rate_state_file=settings.home / "state" / "arxiv-last-request",
    )


def draft_note(
    reference: str,
    settings: Settings,
    *,
    out_dir: Path | None = None,
    force: bool = False,
    chat_model: BaseChatModel | None = None,
    arxiv_client: ArxivClient | None = None,
    progress: Progress | None = None,
    setup_progress: SetupProgress | None = None,
) -> DraftResult:
    """Read the paper (arXiv or a local PDF), run the chain and write ``<out_dir>/<id>.md``."""
    say = progress or (lambda _message: None)
    source = resolve_source(reference)
    vocabulary = load_vocabulary(settings.vocabulary)
    folder = out_dir or settings.notes_dir
    if isinstance(source, ArxivSource):
        # Checked before anything costs time or money.
        ensure_writable(folder / f"{source.ref.safe_name}.md", force=force)
        model = chat_model or make_chat_model(settings, setup_progress)
        paper = _fetch_metadata(source, settings, arxiv_client, say)
    else:
        say(f"reading {source.path}")
        paper = paper_from_pdf(source.path)
        ensure_writable(folder / f"{note_stem(paper, source)}.md", force=force)
        model = chat_model or make_chat_model(settings, setup_progress)
    path = folder / f"{note_stem(paper, source)}.md"

    label = model_label(model, settings)
    say(f"drafting with {label}: {paper.title}")
    chain = DraftChain(
        model,
        vocabulary,
        structured_method=settings.structured_output,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
        constrain_tag_count=settings.resolved_backend == "local",
    )
    with model_errors(settings):
        sections = chain.run(paper)

    content = NoteContent(
        translation=sections.translation,
        summary=sections.summary,
        suggested_tags=sections.suggested_tags,
        model_label=label,
        usage=sections.usage_table(),
        warnings=sections.warnings,
        attention=tuple(sections.attention),
    )
    text = render_note(paper, content, created=datetime.now(UTC))
    write_note(path, text, force=force)
    return DraftResult(path=path, paper=paper, sections=sections, title_line=title_line(paper))


def _fetch_metadata(
    source: ArxivSource, settings: Settings, arxiv_client: ArxivClient | None, say: Progress
) -> Paper:
    say(f"fetching arXiv metadata for {source.ref}")
    client = arxiv_client or make_arxiv_client(settings)
    try:
        return client.fetch(source.ref)
    finally:
        if arxiv_client is None:
            client.close()
