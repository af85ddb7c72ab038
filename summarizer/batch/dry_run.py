"""``summarize batch --dry-run``: what a reading list would cost, without calling any model.

Each paper is looked at as the real run looks at it: a line that is not a reference
fails, a note that may not be replaced is skipped, the metadata comes in as few
arXiv requests as possible, and each paper is estimated exactly as ``summarize REF
--dry-run`` estimates one (its PDF read when full text is wanted).  Nothing is
paid and no note is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from summarizer.drafting.estimate import estimate_text
from summarizer.drafting.prices import batch_cost_usd, load_price_table
from summarizer.errors import NoteExistsError, SummarizerError
from summarizer.llm.backend import backend_for
from summarizer.notes.note import ensure_writable
from summarizer.papers.reader import Clients, PaperText, Progress, read_full_text
from summarizer.papers.sources import ArxivSource
from summarizer.tags.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from summarizer.batch.readinglist import ReadingList
    from summarizer.settings import Settings

PlannedStatus = Literal["would_draft", "skipped", "failed"]


@dataclass
class PlannedPaper:
    """One line of the list, as the real run would take it."""

    line: int
    reference: str
    arxiv_id: str | None
    status: PlannedStatus
    reason: str = ""
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    tokens_approximate: bool = False
    duplicate_lines: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BatchEstimate:
    source: str
    list_format: str
    model: str
    papers: list[PlannedPaper] = field(default_factory=list)
    # "batch": priced at the Batch API's price (--batch-api), half the table's.
    price: str = "standard"

    def totals(self) -> dict[str, Any]:
        drafting = [p for p in self.papers if p.status == "would_draft"]
        costs = [p.cost_usd for p in drafting]
        return {
            "papers": len(self.papers),
            **{s: sum(1 for p in self.papers if p.status == s) for s in get_args(PlannedStatus)},
            "calls": sum(p.calls for p in drafting),
            "input_tokens": sum(p.input_tokens for p in drafting),
            "output_tokens": sum(p.output_tokens for p in drafting),
            "tokens_approximate": any(p.tokens_approximate for p in drafting),
            "cost_usd": None if None in costs else round(sum(c or 0.0 for c in costs), 6),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": True,
            "list": self.source,
            "format": self.list_format,
            "model": self.model,
            "price": self.price,
            "totals": self.totals(),
            "papers": [asdict(paper) for paper in self.papers],
        }


def estimate_batch(
    reading_list: ReadingList,
    settings: Settings,
    *,
    out_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
    batch_api: bool = False,
) -> BatchEstimate:
    """Tokens and cost of every paper the real run would draft; never raises for
    one paper's failure.  ``batch_api``: costs at the Batch API's price."""
    say = progress or (lambda _message: None)
    folder = out_dir or settings.notes_dir
    backend = backend_for(settings)
    estimate = BatchEstimate(
        reading_list.source,
        reading_list.format,
        backend.model_name(settings),
        price="batch" if batch_api else "standard",
    )
    for problem in reading_list.invalid:
        estimate.papers.append(
            PlannedPaper(problem.line, problem.text, None, "failed", problem.reason)
        )
    for problem in reading_list.ignored:
        estimate.papers.append(
            PlannedPaper(problem.line, problem.text, None, "skipped", problem.reason)
        )
    todo = []
    for entry in reading_list.entries:
        planned = PlannedPaper(
            entry.line,
            entry.text,
            entry.ref.arxiv_id,
            "would_draft",
            duplicate_lines=list(entry.duplicate_lines),
        )
        estimate.papers.append(planned)
        try:
            ensure_writable(folder / f"{entry.ref.safe_name}.md", force=force)
        except NoteExistsError as error:
            planned.status, planned.reason = "skipped", f"the note {error.reason}"
            continue
        todo.append((entry, planned))
    if todo:
        _estimate_papers(todo, settings, say)
    if batch_api:
        _at_batch_price(estimate, settings)
    estimate.papers.sort(key=lambda paper: paper.line)
    return estimate


def _at_batch_price(estimate: BatchEstimate, settings: Settings) -> None:
    prices = load_price_table(settings.prices)
    for planned in estimate.papers:
        if planned.cost_usd is not None:
            planned.cost_usd = batch_cost_usd(
                settings.model, planned.input_tokens, planned.output_tokens, prices
            )


def _estimate_papers(todo: list[Any], settings: Settings, say: Progress) -> None:
    vocabulary = load_vocabulary(settings.vocabulary)
    clients = Clients(settings)
    try:
        say(f"fetching arXiv metadata for {len(todo)} paper(s)")
        metadata = clients.arxiv.fetch_many([entry.ref for entry, _ in todo])
        for number, (entry, planned) in enumerate(todo, start=1):
            found = metadata[entry.ref]
            if isinstance(found, SummarizerError):
                planned.status, planned.reason = "failed", str(found)
                continue
            say(f"[{number}/{len(todo)}] estimating {entry.ref}")
            try:
                document, warnings = read_full_text(clients, found, settings, say)
                text = PaperText(found, ArxivSource(entry.ref), document, warnings)
                result = estimate_text(text, settings, vocabulary)
            except SummarizerError as error:
                planned.status, planned.reason = "failed", str(error)
                continue
            planned.reason = result.paper.title
            planned.calls = result.calls
            planned.input_tokens = result.input_tokens
            planned.output_tokens = result.output_tokens
            planned.cost_usd = result.cost_usd
            planned.tokens_approximate = result.approximate
            planned.warnings = ["abstract only (no PDF)"] if warnings else []
    finally:
        clients.close()
