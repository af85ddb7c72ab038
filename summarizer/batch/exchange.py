"""The journal's record of request files and their results, and the way out and in
for another engine: ``--export-requests`` / ``--import-results`` (vLLM ``run_batch``).

A ``file`` record keeps a requests file's SHA-256, its copy under
``<key>.requests/`` and its ``custom_id`` → [paper, task] map; results (a
downloaded batch's, or an imported file's) are kept against it in the
:class:`~summarizer.batch.results_store.ResultStore`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.batch.requests_file import (
    MAX_RESULTS_BYTES,
    RequestsFile,
    ResultLine,
    parse_results,
    write_requests,
)
from summarizer.errors import BadInputError

if TYPE_CHECKING:
    from summarizer.batch.journal import RunJournal
    from summarizer.batch.results_store import ResultStore
    from summarizer.llm.deferred_transport import DeferredRequest


def records(journal: RunJournal, kind: str) -> list[dict[str, Any]]:
    """The journal's records of one kind, oldest first."""
    return [r for r in journal.records if r.get("kind") == kind]


def journal_batches(journal_records: list[dict[str, Any]]) -> list[str]:
    """The batch ids among a journal's records, oldest first."""
    return [str(r["batch_id"]) for r in journal_records if r.get("kind") == "batch"]


def record_file(
    journal: RunJournal, requests_file: RequestsFile, deferred: Sequence[DeferredRequest]
) -> str:
    """Record a requests file before it leaves this machine; the key of this submission.

    The key is the file's SHA-256 and how often the same file was recorded before: a
    round that re-sends exactly what an expired batch held writes the same file, and
    must still be told apart from that batch (by the key in its metadata).
    """
    by_id = {request.custom_id: request for request in deferred}
    papers = {cid: [by_id[cid].paper, by_id[cid].task] for cid in requests_file.custom_ids}
    earlier = sum(1 for r in records(journal, "file") if r["file_sha"] == requests_file.sha256)
    key = f"{requests_file.sha256[:48]}-{earlier}"
    journal.add(
        {
            "kind": "file",
            "key": key,
            "file_sha": requests_file.sha256,
            "path": str(requests_file.path),
            "requests": papers,
        }
    )
    return key


def keep_results(
    journal: RunJournal, store: ResultStore, name: str, results: list[ResultLine], key: str
) -> None:
    """Keep the results of the requests file submitted as ``key``; a request without a line (an
    expired or cancelled batch, a partial results file) failed this attempt."""
    asked = next(r["requests"] for r in records(journal, "file") if r["key"] == key)
    answered = {result.custom_id for result in results}
    missing = [ResultLine(str(cid), None) for cid in asked if cid not in answered]
    store.add(name, results + missing)


def export_requests(
    journal: RunJournal, directory: Path, deferred: Sequence[DeferredRequest], path: Path
) -> None:
    """Write the round's requests to ``path`` as one file (a local engine has no file
    limit), recorded as exported."""
    (requests_file,) = write_requests(
        deferred, directory, max_requests=len(deferred), max_bytes=2**62
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(requests_file.path, path)
    key = record_file(journal, requests_file, deferred)
    journal.add({"kind": "exported", "key": key, "path": str(path)})


def exported_waiting(journal: RunJournal) -> Path | None:
    """The exported requests file whose results have not been imported yet."""
    imported = {r["key"] for r in records(journal, "imported")}
    waiting = [r for r in records(journal, "exported") if r["key"] not in imported]
    return Path(str(waiting[-1]["path"])) if waiting else None


def import_results(journal: RunJournal, store: ResultStore, path: Path) -> None:
    """Take a results file for the exported requests (vLLM ``run_batch``'s output).

    Raises:
        BadInputError: nothing was exported, or the file is unreadable or not results.
    """
    exported = records(journal, "exported")
    if not exported:
        raise BadInputError(
            f"nothing was exported for this list, so {path} answers nothing: run it "
            "with --export-requests FILE first"
        )
    try:
        if path.stat().st_size > MAX_RESULTS_BYTES:
            raise BadInputError(f"{path} is over {MAX_RESULTS_BYTES:,} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot read results file {path}: {error.strerror}") from None
    key = str(exported[-1]["key"])
    keep_results(journal, store, f"imported-{key}", parse_results(data, str(path)), key)
    journal.add({"kind": "imported", "key": key, "path": str(path)})
