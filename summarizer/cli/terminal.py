"""What a command shows on stderr besides its result: log lines and progress.

Log lines never carry a secret (:class:`RedactSecrets`); the spinner of a single
draft (:class:`DraftStatus`) appears only on an interactive stderr.  rich is
imported only when a spinner is shown, so ``summarize --help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.settings import Settings


def secrets_of(settings: Settings) -> list[str]:
    """The secret values of ``settings`` that no log line may show."""
    keys = (settings.api_key, settings.openai_api_key, settings.pdf_password)
    return [key.get_secret_value() for key in keys if key is not None]


class RedactSecrets(logging.Filter):
    """Belt and braces: no log line may carry an API key, whoever logged it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Shorter values would blot out ordinary words.
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def configure_logging(debug: bool, *, secrets: list[str]) -> None:
    """Warnings on stderr (every step of ours too with ``debug`` or SUMMARIZER_DEBUG),
    secrets redacted."""
    debug = debug or os.environ.get("SUMMARIZER_DEBUG", "") not in ("", "0")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("summarizer").setLevel(logging.DEBUG if debug else logging.WARNING)


class DraftStatus:
    """A spinner (and a bar for the local model's first-run setup) on an interactive
    stderr; log lines with --debug; silent otherwise."""

    def __init__(self) -> None:
        self._status: Any = None
        self._bar: Any = None
        self._console: Any = None
        if sys.stderr.isatty():
            from rich.console import Console

            self._console = Console(stderr=True)
            self._status = self._console.status("starting")

    def __enter__(self) -> DraftStatus:
        if self._status is not None:
            self._status.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc_info)

    def update(self, message: str) -> None:
        logging.getLogger("summarizer").info(message)
        if self._status is not None:
            self._status.update(message)

    def setup_progress(self, done: int, total: int) -> None:
        """Called while the local model's weights are assembled (first run only)."""
        if self._console is None:
            return
        if self._bar is None:
            from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

            self._status.stop()
            self._bar = Progress(
                "setting up the local model (first run only)",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=self._console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("setup", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self._bar.stop()
            self._status.start()
