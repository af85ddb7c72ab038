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
from summarizer.llm import BROKEN_REPLY_EXCEPTIONS, make_chat_model, model_errors
from summarizer.metadata_cache import MetadataCache
from summarizer.note import NoteContent, ensure_writable, render_note, title_line, write_note
from summarizer.refs import parse_reference
from summarizer.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.paper import Paper
    from summarizer.settings import Settings

Progress = Callable[[str], None]


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
) -> DraftResult:
    """Fetch the paper, run the chain and write ``<out_dir>/<id>.md``."""
    say = progress or (lambda _message: None)
    ref = parse_reference(reference)
    vocabulary = load_vocabulary(settings.vocabulary)
    path = (out_dir or settings.notes_dir) / f"{ref.safe_name}.md"
    ensure_writable(path, force=force)
    model = chat_model or make_chat_model(settings)

    say(f"fetching arXiv metadata for {ref}")
    client = arxiv_client or make_arxiv_client(settings)
    try:
        paper = client.fetch(ref)
    finally:
        if arxiv_client is None:
            client.close()

    say(f"drafting with {settings.model}: {paper.title}")
    chain = DraftChain(
        model,
        vocabulary,
        structured_method=settings.structured_output,
        retry_exceptions=BROKEN_REPLY_EXCEPTIONS,
    )
    with model_errors(settings):
        sections = chain.run(paper)

    content = NoteContent(
        translation=sections.translation,
        summary=sections.summary,
        suggested_tags=sections.suggested_tags,
        model_label=settings.model,
        usage=sections.usage_table(),
        warnings=sections.warnings,
    )
    text = render_note(paper, content, created=datetime.now(UTC))
    write_note(path, text, force=force)
    return DraftResult(path=path, paper=paper, sections=sections, title_line=title_line(paper))
