"""On-disk cache of arXiv metadata, so rerunning a paper makes no request."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from summarizer.fsutil import atomic_write_text
from summarizer.papers.paper import Paper
from summarizer.papers.refs import PaperRef

log = logging.getLogger(__name__)

# A versioned ID never changes; "the latest version" does, so it expires.
LATEST_VERSION_TTL = timedelta(days=7)


class MetadataCache:
    """One JSON file per paper version under ``directory``."""

    def __init__(self, directory: Path, *, latest_ttl: timedelta = LATEST_VERSION_TTL) -> None:
        self.directory = directory
        self.latest_ttl = latest_ttl

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
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            # A damaged cache entry is only a miss; it is rewritten after the fetch.
            log.debug("ignoring unreadable cache entry %s: %s", path, error)
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
