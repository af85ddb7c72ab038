"""Model replies cached on disk, so drafting the same paper again costs nothing.

A LangChain ``BaseCache`` over the standard library's sqlite3, keyed by the model's
parameters (LangChain's ``llm_string``: model name, temperature, …) and the exact
prompt.  LangChain's own ``SQLiteCache`` lives in langchain-community, which has
been sunset and would pull in SQLAlchemy and aiohttp for one table.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.load import dumps, loads

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
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        # One connection shared by the chain's threads, serialised by the lock.
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        with self._lock:
            row = self._db.execute(
                "SELECT generations FROM replies WHERE key = ?", (_key(prompt, llm_string),)
            ).fetchone()
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
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, llm_string, generations) VALUES (?, ?, ?)",
                (_key(prompt, llm_string), llm_string, dumps(list(return_val))),
            )

    def clear(self, **kwargs: Any) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM replies")

    def close(self) -> None:
        with self._lock:
            self._db.close()
