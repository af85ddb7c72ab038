"""``summarize batch LIST --batch-api --status`` and ``--cancel``: the batches a list's
journal records, as the Batch API sees them now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.batch.exchange import journal_batches
from summarizer.batch.journal import journal_key, read_records

if TYPE_CHECKING:
    from summarizer.batch.batch_api import BatchService, BatchState
    from summarizer.batch.readinglist import ReadingList
    from summarizer.batch.run import BatchOptions
    from summarizer.settings import Settings


def recorded_batches(
    reading_list: ReadingList, settings: Settings, options: BatchOptions
) -> list[str]:
    """The batch ids the journal of this list (same folder, same ``--force``) records."""
    folder = options.out_dir or settings.notes_dir
    key = journal_key(folder, options.force, reading_list.entries)
    records = read_records(settings.home / "batch", key)
    return journal_batches(records)


def batch_states(
    reading_list: ReadingList,
    settings: Settings,
    options: BatchOptions,
    *,
    cancel: bool = False,
    service: BatchService | None = None,
) -> list[BatchState]:
    """What each recorded batch is doing; with ``cancel``, those still running are
    cancelled first (their finished answers are still downloaded by the next run)."""
    from summarizer.batch.batch_api import BatchService

    ids = recorded_batches(reading_list, settings, options)
    if not ids:
        return []
    service = service or BatchService(settings)
    states = []
    for batch_id in ids:
        state = service.retrieve(batch_id)
        if cancel and not state.done:
            state = service.cancel(batch_id)
        states.append(state)
    return states
