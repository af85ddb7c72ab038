"""Model replies cached on disk, so drafting the same paper again costs nothing.

A LangChain ``BaseCache`` over the standard library's sqlite3, keyed by the model's
parameters (LangChain's ``llm_string``: model name, temperature, …) and the exact
prompt.  LangChain's own ``SQLiteCache`` lives in langchain-community, which has
been sunset and would pull in SQLAlchemy and aiohttp for one table.

The key holds the server too: for ChatOpenAI the ``llm_string`` carries
``openai_api_base``, so a fake, a mirror and OpenAI never answer for each other.
A damaged file (not a database, a folder in its place, a page gone bad) is moved
aside and rebuilt (:func:`summarizer.fsutil.move_aside`): a cache is never a
reason to fail a run.  Replies are stored as the model gave them after
:mod:`summarizer.llm.secrets` took any configured key out.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.load import dumps, loads

from summarizer.errors import StateFileError
from summarizer.fsutil import move_aside, os_reason

log = logging.getLogger(__name__)
WHAT = "reply cache"
# Errors of the code using the connection, not of the file.
_MISUSE = (sqlite3.ProgrammingError, sqlite3.InterfaceError)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    llm_string TEXT NOT NULL,
    generations TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


def _key(prompt: str, llm_string: str) -> str:
    return hashlib.sha256(f"{llm_string}\x00{prompt}".encode()).hexdigest()


class SqliteReplyCache(BaseCache):
    """Thread-safe (the chain's calls run in parallel); survives concurrent processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateFileError(WHAT, str(path), os_reason(error)) from None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            self._move_aside("a folder is in its place")
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if _is_permission_problem(error) and not self.path.is_dir():
                raise StateFileError(WHAT, str(self.path), str(error)) from None
            self._move_aside(str(error))
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            raise StateFileError(WHAT, str(self.path), str(error)) from None

    def _connect(self) -> sqlite3.Connection:
        # One connection shared by the chain's threads, serialised by the lock.
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            with db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
                # Reading a row finds a damaged file now, not in the middle of a draft.
                db.execute("SELECT key FROM replies LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self, reason: str) -> None:
        move_aside(self.path, WHAT, reason)
        for suffix in ("-wal", "-shm"):
            # A write-ahead log belongs to the damaged file, not to the new one.
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + suffix).unlink()

    def _recover(self, error: sqlite3.DatabaseError) -> None:
        """Called with the lock held: damage found mid-run (a page gone bad)."""
        if isinstance(error, sqlite3.OperationalError):
            # Locked or busy (another process): not damage; this reply is just not cached.
            log.warning("%s %s: %s; going on without it for this reply", WHAT, self.path, error)
            return
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._move_aside(str(error))
        self._db = self._connect()

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT generations FROM replies WHERE key = ?", (_key(prompt, llm_string),)
                ).fetchone()
            except _MISUSE:
                raise  # a closed cache is a bug of the caller, not a damaged file
            except sqlite3.DatabaseError as error:
                self._recover(error)
                return None
        if row is None:
            return None
        try:
            with warnings.catch_warnings():
                # `loads` is marked beta; the file is ours, written by `update`.
                warnings.simplefilter("ignore")
                return loads(row[0], allowed_objects="core")
        except Exception:  # an entry from another LangChain version: just a miss
            return None

    def update(self, prompt: str, llm_string: str, return_val: Sequence[Any]) -> None:
        row = (_key(prompt, llm_string), llm_string, dumps(list(return_val)))
        with self._lock:
            try:
                with self._db:
                    self._db.execute(
                        "INSERT OR REPLACE INTO replies (key, llm_string, generations) "
                        "VALUES (?, ?, ?)",
                        row,
                    )
            except _MISUSE:
                raise
            except sqlite3.DatabaseError as error:
                self._recover(error)

    def clear(self, **kwargs: Any) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM replies")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _is_permission_problem(error: sqlite3.DatabaseError) -> bool:
    text = str(error).lower()
    return "readonly" in text or "read-only" in text or "permission" in text
