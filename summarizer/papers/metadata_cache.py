"""On-disk cache of arXiv metadata, so rerunning a paper makes no request.

Kept per server (:meth:`MetadataCache.for_server`): a fake, a mirror and arXiv
itself never answer for each other.  A damaged entry is moved aside
(:func:`summarizer.fsutil.move_aside`) and fetched again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from summarizer.errors import StateFileError
from summarizer.fsutil import atomic_write_text, move_aside
from summarizer.papers.paper import Paper
from summarizer.papers.refs import PaperRef

log = logging.getLogger(__name__)

# A versioned ID never changes; "the latest version" does, so it expires.
LATEST_VERSION_TTL = timedelta(days=7)
WHAT = "arXiv metadata cache entry"
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def server_folder(api_url: str) -> str:
    """A folder name for one API server: readable host and port, and a hash of the URL."""
    host = urlsplit(api_url).netloc.rpartition("@")[2]
    digest = hashlib.sha256(api_url.encode("utf-8")).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', host) or 'server'}-{digest}"


class MetadataCache:
    """One JSON file per paper version under ``directory``."""

    def __init__(self, directory: Path, *, latest_ttl: timedelta = LATEST_VERSION_TTL) -> None:
        self.directory = directory
        self.latest_ttl = latest_ttl

    def for_server(self, api_url: str) -> MetadataCache:
        """The part of this cache that holds the answers of the API at ``api_url``."""
        return MetadataCache(self.directory / server_folder(api_url), latest_ttl=self.latest_ttl)

    def _path(self, arxiv_ref: PaperRef) -> Path:
        suffix = f"v{arxiv_ref.version}" if arxiv_ref.version else ""
        return self.directory / f"{arxiv_ref.safe_name}{suffix}.json"

    def get(self, arxiv_ref: PaperRef) -> Paper | None:
        path = self._path(arxiv_ref)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            fetched_at = datetime.fromisoformat(record["fetched_at"])
            paper = Paper.model_validate(record["paper"])
        except FileNotFoundError:
            return None
        except PermissionError as error:
            log.debug("cannot read cache entry %s: %s", path, error)
            return None
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            # A damaged entry is a miss; moved aside, it is written again after the fetch.
            reason = " ".join(str(error).split())[:120]
            try:
                move_aside(path, WHAT, f"{type(error).__name__}: {reason}")
            except StateFileError as stuck:
                log.warning("%s", stuck)  # a cache entry never stops a run
            return None
        if arxiv_ref.version is None and datetime.now(UTC) - fetched_at > self.latest_ttl:
            return None
        return paper

    def put(self, arxiv_ref: PaperRef, paper: Paper) -> None:
        record = {
            "fetched_at": datetime.now(UTC).isoformat(),
            "paper": paper.model_dump(mode="json"),
        }
        text = json.dumps(record, ensure_ascii=False, indent=1)
        keys = {arxiv_ref, PaperRef(paper.arxiv_id, paper.version)}
        for key in keys:
            try:
                atomic_write_text(self._path(key), text, replace=True)
            except OSError as error:
                log.warning("could not cache metadata in %s: %s", self.directory, error)
