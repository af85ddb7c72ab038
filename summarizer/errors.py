"""Typed errors raised by the library.

Every error a user can cause or meet derives from :class:`SummarizerError` and
carries an ``exit_code``; the CLI maps errors to exit codes in one place
(``cli.main``) and prints ``str(error)`` as a single line.  Messages say what was
wrong and what to do about it.
"""

from __future__ import annotations

# Exit codes are part of the CLI contract that scripts rely on.
EXIT_OK = 0
EXIT_REMOTE_FAILURE = 1  # arXiv or the model failed after retries
EXIT_BAD_INPUT = 2  # a reference, file or option the user gave is unusable


class SummarizerError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code: int = EXIT_REMOTE_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- bad input (exit 2) -------------------------------------------------------


class BadInputError(SummarizerError):
    """Something the user supplied cannot be used as given."""

    exit_code = EXIT_BAD_INPUT


class InvalidReferenceError(BadInputError):
    """Text that is not any accepted form of arXiv reference."""

    ACCEPTED_FORMS = (
        "an arXiv URL (https://arxiv.org/abs/2506.12345, /pdf/…, /html/…), "
        "an ID (2506.12345, 2506.12345v2, arXiv:2506.12345, hep-th/9901001)"
    )

    def __init__(self, reference: str, reason: str | None = None) -> None:
        self.reference = reference
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"not an arXiv reference: {reference!r}{detail}; expected {self.ACCEPTED_FORMS}"
        )


class PaperNotFoundError(BadInputError):
    """arXiv answered, but has no paper with this ID."""

    def __init__(self, arxiv_id: str) -> None:
        self.arxiv_id = arxiv_id
        super().__init__(
            f"arXiv has no paper {arxiv_id}; "
            "check the ID (a typo, or a version that does not exist)"
        )


class ArxivRejectedQueryError(BadInputError):
    """arXiv refused the query itself (HTTP 400 with an error entry)."""

    def __init__(self, arxiv_id: str, detail: str) -> None:
        self.arxiv_id = arxiv_id
        self.detail = detail
        super().__init__(f"arXiv rejected the ID {arxiv_id!r}: {detail}")


class ConfigError(BadInputError):
    """A configuration value, option or file is unusable."""


class FolderNotWritableError(BadInputError):
    """A folder the run must write to (notes, SUMMARIZER_HOME) cannot be written."""

    def __init__(self, what: str, path: str, reason: str, hint: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{what} {path} is not writable ({reason}); {hint}")


class StateFileError(BadInputError):
    """A file under SUMMARIZER_HOME (cache, journal, state) cannot be used or replaced."""

    def __init__(self, what: str, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot use the {what} {path} ({reason}); fix its permissions or move it away"
        )


class VocabularyError(BadInputError):
    """A vocabulary file is missing, unreadable or empty."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"cannot use vocabulary {path}: {reason}")


class GlossaryFormatError(BadInputError):
    """The house glossary (a TSV the person may edit) has a row that cannot be used."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"cannot use glossary {where}: {reason}; fix the row or delete it")


class NoteExistsError(BadInputError):
    """The target note exists and may not be replaced."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} {reason}")


class NoteFormatError(BadInputError):
    """A file that should be a note written by this tool cannot be read as one."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a readable note: {reason}")


class HistoryFormatError(BadInputError):
    """A tagging-history file (JSONL line or reviewed note) cannot be used."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"cannot use tagging history {where}: {reason}")


# --- remote failures (exit 1) ---------------------------------------------------


class RemoteServiceError(SummarizerError):
    """A remote service failed, after retries where retrying made sense."""

    exit_code = EXIT_REMOTE_FAILURE


class ArxivUnavailableError(RemoteServiceError):
    """The arXiv API did not give a usable answer after retries."""

    def __init__(self, url: str, reason: str, attempts: int) -> None:
        self.url = url
        self.reason = reason
        self.attempts = attempts
        super().__init__(
            f"arXiv is unavailable ({reason}) after {attempts} attempt(s) at {url}; try again later"
        )


class ModelError(RemoteServiceError):
    """The chat model could not be reached or answered with an error."""

    def __init__(self, base_url: str | None, reason: str, hint: str = "try again later") -> None:
        """``base_url`` names the server; None is the embedded model (no server)."""
        self.base_url = base_url
        self.reason = reason
        model = f"chat model at {base_url}" if base_url else "the embedded model"
        super().__init__(f"{model} failed: {reason}; {hint}")


class BatchApiError(RemoteServiceError):
    """The Batch API refused a step (upload, create) or a batch failed validation."""

    def __init__(self, what: str, reason: str, hint: str = "try again later") -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"the Batch API {what}: {reason}; {hint}")


class ModelOutputError(RemoteServiceError):
    """The model answered, but not with anything usable (after one repair attempt)."""

    def __init__(self, task: str, reason: str) -> None:
        self.task = task
        self.reason = reason
        super().__init__(f"the model's {task} reply was unusable: {reason}")


# --- review, tags accept, list, export (bad input, exit 2) ----------------------------


class UnknownTagError(BadInputError):
    """A tag the person named is not in the controlled vocabulary."""

    def __init__(self, tag: str, closest: list[str]) -> None:
        self.tag = tag
        self.closest = closest
        hint = f"closest: {', '.join(closest)}; " if closest else ""
        super().__init__(
            f"{tag!r} is not in the vocabulary; {hint}"
            "pass --new to use it anyway (recorded as a vocabulary candidate)"
        )


class NotATerminalError(BadInputError):
    """An interactive command was run without a terminal."""

    def __init__(self, command: str, hint: str) -> None:
        super().__init__(f"'{command}' needs a terminal; {hint}")


# --- batches (summarize batch) ----------------------------------------------------

EXIT_INTERRUPTED = 130  # the shell's convention for a run stopped by Ctrl-C


class BatchFailedError(SummarizerError):
    """Some papers of a batch (or lines of its list) failed; the report says which."""

    exit_code = EXIT_REMOTE_FAILURE

    def __init__(self, failed: int, total: int, *, retryable: int) -> None:
        """``retryable`` of the ``failed`` met arXiv or the model failing, which a
        rerun may fix; the others (a line naming no paper, a paper arXiv does not
        have) need the list fixed."""
        self.failed = failed
        self.total = total
        self.retryable = retryable
        advice = []
        if failed - retryable:
            advice.append(f"fix the list for {failed - retryable}")
        if retryable:
            advice.append(
                f"rerun the same command to retry {retryable} (arXiv or the model failed)"
            )
        super().__init__(
            f"{failed} of {total} paper(s) failed (reasons in the report above); "
            + "; ".join(advice)
        )


class BatchInterruptedError(SummarizerError):
    """The batch was stopped (Ctrl-C) after writing the papers in flight."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining
        super().__init__(
            f"interrupted; {remaining} paper(s) not drafted yet: rerun the same command "
            "to finish them"
        )


class BatchBusyError(BadInputError):
    """Another batch is drafting the same list into the same folder right now."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"another 'summarize batch' is drafting this list into {folder}; "
            "wait for it to finish or stop it first"
        )


# --- publishing to GitHub (summarize publish) ---------------------------------------


class GitHubRefusedError(BadInputError):
    """GitHub refused the request for a reason the person can fix: the token (401), its
    permissions (403), the repository (404) or the issue's content (422)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class MissingLabelsError(BadInputError):
    """Tags of the note that are not labels of the repository yet."""

    def __init__(self, repo: str, missing: list[str]) -> None:
        self.repo = repo
        self.missing = missing
        super().__init__(
            f"{repo} has no label(s) {', '.join(missing)}; nothing was published: "
            "rerun with --create-labels to create them, or change the note's tags"
        )


class GitHubUnavailableError(RemoteServiceError):
    """GitHub did not answer usably: no connection, a timeout or a 5xx answer."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"GitHub failed: {reason}")


class GitHubRateLimitError(RemoteServiceError):
    """GitHub's rate limit (primary or secondary) stopped the request."""

    def __init__(self, until: str) -> None:
        self.until = until
        super().__init__(f"GitHub rate limit reached; nothing was published; try again {until}")
