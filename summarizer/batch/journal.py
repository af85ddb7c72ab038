"""The crash-safe run journal of ``summarize batch``, and the clean-up after a killed run.

A batch can be killed at any moment (Ctrl-C twice, SIGKILL, a power cut).  The
notes themselves are written atomically (a temporary file moved into place), so
the notes on disk are whole or absent and a rerun skips the ones it finds.  What
that alone cannot tell is which notes *this* batch wrote: with ``force`` a rerun
would draft them all again, paying for them twice, and the report would not count
them.  The journal closes that gap:

- ``$SUMMARIZER_HOME/batch/<key>.jsonl``, one per batch (:func:`journal_key`: the
  notes folder, ``force`` and the papers in order), records the note's path and the
  SHA-256 of its text *before* the note is written, appended and fsynced.  A crash
  between the record and the rename leaves a record whose hash matches no note,
  which is ignored; a note that matches its record was written by this batch, even
  after the crash, and is reported as drafted (an earlier run), not drafted again.
- A line cut short by a crash is not a record: it is skipped when the journal is read,
  and the next record starts on a line of its own.
- The journal is held under an exclusive, non-blocking ``flock`` while the batch
  runs, so the same batch started twice fails at once (:class:`BatchBusyError`)
  instead of both drafting the same papers.  The kernel drops the lock when the
  process dies, so a killed run never leaves the batch locked.
- A ``summarize batch --batch-api`` run also records its batches here, as records
  with a ``kind`` (:mod:`summarizer.batch.rounds`): the requests file about to be
  submitted, its file id, the batch id, each batch downloaded.
- The journal is deleted once every paper is drafted or skipped; a later run of the
  same list starts afresh.
- A killed atomic write leaves its temporary file beside the note;
  :func:`remove_stale_temp_files` deletes those old enough to belong to no live write.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from summarizer.errors import BatchBusyError, StateFileError
from summarizer.fsutil import fsync_dir, move_aside, os_reason

if TYPE_CHECKING:
    from summarizer.batch.readinglist import ListEntry

# A temporary file of an atomic write that is older than this was left by a killed
# process (a live write takes milliseconds).
STALE_TEMP_SECONDS = 60.0
JOURNAL = "batch journal"


def journal_key(folder: Path, force: bool, entries: Sequence[ListEntry]) -> str:
    """Which batch this is: the notes folder, ``force`` and the papers, in order."""
    payload = {
        "notes": str(folder.resolve()),
        "force": force,
        "papers": [entry.ref.versioned_id for entry in entries],
    }
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:24]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RunJournal:
    """The notes an unfinished batch wrote (see the module docstring).

    Held under an exclusive ``flock`` while the batch runs, so the same batch cannot
    run twice at once.
    """

    def __init__(
        self,
        path: Path,
        handle: IO[str],
        written: dict[str, str],
        records: list[dict[str, Any]] | None = None,
    ) -> None:
        self.path = path
        self._handle = handle
        self._written = written
        self._lock = threading.Lock()
        # Records with a "kind" (the Batch API's), in the order written.
        self.records: list[dict[str, Any]] = records or []

    @classmethod
    def open(cls, directory: Path, key: str, folder: Path) -> RunJournal:
        path = directory / f"{key}.jsonl"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                move_aside(path, JOURNAL, "a folder is in its place")
            handle = path.open("a+", encoding="utf-8")
        except OSError as error:
            raise StateFileError(JOURNAL, str(path), os_reason(error)) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise BatchBusyError(str(folder)) from None
        handle.seek(0)
        try:
            text = handle.read()
        except UnicodeDecodeError as error:
            # Not a journal any more: start afresh (notes already written are still
            # recognised as existing notes, and never overwritten).
            handle.close()
            move_aside(path, JOURNAL, f"not UTF-8 text (byte {error.start})")
            return cls.open(directory, key, folder)
        written: dict[str, str] = {}
        records: list[dict[str, Any]] = []
        for line in text.splitlines():
            # A line cut short by a crash is just not a record.
            with contextlib.suppress(ValueError, KeyError, TypeError):
                record = json.loads(line)
                if "kind" in record:
                    records.append(record)
                else:
                    written[record["path"]] = record["sha256"]
        if text and not text.endswith("\n"):
            handle.write("\n")  # so the next record starts on a line of its own
        fsync_dir(directory)
        return cls(path, handle, written, records)

    def __enter__(self) -> RunJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._handle.close()

    def wrote(self, note: Path) -> bool:
        """Whether ``note`` is exactly what an earlier run of this batch wrote there."""
        digest = self._written.get(str(note.resolve()))
        if digest is None:
            return False
        try:
            return _sha256(note.read_bytes()) == digest
        except OSError:
            return False

    def record(self, note: Path, text: str) -> None:
        """Called just before ``text`` is written to ``note``: durable first."""
        path, digest = str(note.resolve()), _sha256(text.encode())
        self._append(json.dumps({"path": path, "sha256": digest}))
        with self._lock:  # a later round of the same run knows it too
            self._written[path] = digest

    def add(self, record: dict[str, Any]) -> None:
        """Append a record with a ``kind`` (a Batch API step), durably."""
        self._append(json.dumps(record, ensure_ascii=False))
        self.records.append(record)

    def _append(self, line: str) -> None:
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def finish(self) -> None:
        """The batch is complete: the next run of it starts afresh."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def read_records(directory: Path, key: str) -> list[dict[str, Any]]:
    """The ``kind`` records of a batch's journal, read without taking its lock (so
    ``--status`` works while the batch waits in another process)."""
    try:
        text = (directory / f"{key}.jsonl").read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError, TypeError):
            record = json.loads(line)
            if isinstance(record, dict) and "kind" in record:
                records.append(record)
    return records


def remove_stale_temp_files(folder: Path, stems: Sequence[str]) -> int:
    """Delete temporary files that a killed run's atomic writes left beside notes."""
    removed = 0
    now = time.time()
    for stem in stems:
        for temp in folder.glob(f".{glob.escape(stem)}.md.*.tmp"):
            with contextlib.suppress(OSError):
                if now - temp.stat().st_mtime > STALE_TEMP_SECONDS:
                    temp.unlink()
                    removed += 1
    return removed
