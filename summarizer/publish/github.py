"""The few GitHub REST calls ``summarize publish`` makes, over httpx.

Issues (create, read, update) and labels (list, create); nothing else.  The token
goes in the ``Authorization`` header to the configured API URL only: redirects are
not followed (a redirect could carry it to another host), and it is never put in a
URL, a log line or an error message.

No request is retried: a timed-out ``POST`` may have filed the issue after all, and
repeating it would file a second one.  The errors say what happened and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from summarizer.errors import GitHubRateLimitError, GitHubRefusedError, GitHubUnavailableError

API_VERSION = "2022-11-28"
# GitHub answers at most 100 labels a page; a repository with more than 5,000 labels
# is not one a person files notes in, and the bound keeps a broken server from
# paging forever.
_LABEL_PAGES = 50
# Errors GitHub sends are short JSON documents; more than this is not one.
_MAX_ERROR_CHARS = 300

Clock = Callable[[], float]


class GitHubClient:
    """One repository's issues and labels, with one token."""

    def __init__(
        self,
        api_url: str,
        repo: str,
        token: str,
        *,
        timeout: float = 30.0,
        clock: Clock = time.time,
    ) -> None:
        self.repo = repo
        self._clock = clock
        self._http = httpx.Client(
            base_url=f"{api_url.rstrip('/')}/repos/{repo}",
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "summarize-notes",
            },
            timeout=timeout,
            follow_redirects=False,
        )

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    # --- issues ----------------------------------------------------------------------

    def create_issue(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/issues", json=payload, write=True)

    def get_issue(self, number: int) -> dict[str, Any]:
        return self._call("GET", f"/issues/{number}")

    def update_issue(self, number: int, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("PATCH", f"/issues/{number}", json=payload, write=True)

    # --- labels ----------------------------------------------------------------------

    def label_names(self) -> list[str]:
        names: list[str] = []
        for page in range(1, _LABEL_PAGES + 1):
            batch = self._call("GET", "/labels", params={"per_page": 100, "page": page})
            if not isinstance(batch, list):
                raise GitHubUnavailableError("the label list is not a JSON list")
            names += [str(label.get("name", "")) for label in batch if isinstance(label, dict)]
            if len(batch) < 100:
                break
        return names

    def create_label(self, name: str, color: str) -> None:
        self._call("POST", "/labels", json={"name": name, "color": color}, write=True)

    # --- one request -----------------------------------------------------------------

    def _call(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            maybe = (
                f"; the {method} may have gone through: look at {self.repo} on GitHub "
                "before trying again"
                if write
                else "; try again later"
            )
            raise GitHubUnavailableError(f"no answer in time{maybe}") from None
        except httpx.HTTPError as error:
            raise GitHubUnavailableError(f"{type(error).__name__}: {error}") from None
        if response.is_success:
            try:
                return response.json()
            except ValueError:
                raise GitHubUnavailableError(
                    f"{method} {path} answered {response.status_code} with no JSON"
                ) from None
        raise self._error(response)

    def _error(self, response: httpx.Response) -> Exception:
        status = response.status_code
        message = _message(response)
        limited = response.headers.get("x-ratelimit-remaining") == "0"
        if status == 429 or (status == 403 and (limited or "retry-after" in response.headers)):
            return GitHubRateLimitError(self._when(response))
        if status == 401:
            return GitHubRefusedError(
                status,
                f"GitHub token rejected ({message}); set a valid GITHUB_TOKEN or GH_TOKEN, "
                "or run 'gh auth login'",
            )
        if status == 403:
            return GitHubRefusedError(
                status,
                f"GitHub refused access to {self.repo} ({message}); the token needs "
                "Issues: read and write on it",
            )
        if status in (404, 410):
            return GitHubRefusedError(
                status,
                f"{response.request.method} {response.request.url.path}: not found on GitHub "
                f"({message}); check the repository name and that the token can see it",
            )
        if status == 422:
            return GitHubRefusedError(status, f"GitHub rejected the request: {message}")
        return GitHubUnavailableError(f"HTTP {status} ({message}); try again later")

    def _when(self, response: httpx.Response) -> str:
        """When the limit lifts, from ``retry-after`` or ``x-ratelimit-reset``."""
        now = self._clock()
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            return f"in {int(retry_after)} s"
        reset = response.headers.get("x-ratelimit-reset", "")
        if reset.isdigit():
            moment = datetime.fromtimestamp(int(reset)).astimezone()
            minutes = max(0, round((int(reset) - now) / 60))
            return f"after {moment:%H:%M:%S %Z} (in {minutes} min)"
        return "in a few minutes"


def _message(response: httpx.Response) -> str:
    """GitHub's ``message`` and each validation error's detail, as one short line."""
    try:
        document = response.json()
    except ValueError:
        return response.text[:_MAX_ERROR_CHARS].strip() or f"HTTP {response.status_code}"
    if not isinstance(document, dict):
        return f"HTTP {response.status_code}"
    parts = [str(document.get("message") or f"HTTP {response.status_code}")]
    for detail in document.get("errors") or []:
        if isinstance(detail, dict):
            text = detail.get("message") or " ".join(
                str(detail[key]) for key in ("resource", "field", "code") if key in detail
            )
            parts.append(str(text))
        elif isinstance(detail, str):
            parts.append(detail)
    return "; ".join(parts)[:_MAX_ERROR_CHARS]
