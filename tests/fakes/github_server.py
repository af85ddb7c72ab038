"""A fake of the GitHub REST API's issues and labels, for ``summarize publish``.

Clients use ``server.api_url`` as the API base URL (``SUMMARIZER_GITHUB_API_URL``)
and send ``Authorization: Bearer <server.token>``.  Like the real API it answers:

* ``GET/POST /repos/{owner}/{name}/labels``: list (``per_page``/``page``) and create;
  an existing name (case-insensitive) is a 422 ``already_exists``;
* ``POST /repos/{owner}/{name}/issues``, ``GET``/``PATCH .../issues/{number}``: an
  issue's labels that do not exist are *created*, as GitHub does;
* 401 ``Bad credentials`` for any other token, 404 ``Not Found`` for an unknown
  repository or issue, 422 ``Validation Failed`` with ``errors`` for an empty title
  or a label name over 50 characters.

Faults: the base class's (:class:`~tests.fakes.server.Fault`, answered with GitHub's
error body) plus :meth:`FakeGitHubServer.limit_next`, the primary rate limit (403 with
``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset``).

Run by hand: ``python -m tests.fakes.github_server`` prints the variables to export.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from tests.fakes.server import FakeServer, RecordedRequest, Response

__all__ = ["FAKE_TOKEN", "FakeGitHubServer"]

FAKE_TOKEN = "ghp_fakeTokenForTests0123456789abcdef"  # not a real token
DEFAULT_REPO = "owner/paper-notes"
_DOCS = "https://docs.github.com/rest"
_ROUTE = re.compile(r"/repos/(?P<repo>[^/]+/[^/]+)/(?P<kind>issues|labels)(?:/(?P<number>\d+))?")


class FakeGitHubServer(FakeServer):
    """Issues and labels of a few repositories, in memory."""

    def __init__(self, port: int = 0, *, token: str = FAKE_TOKEN) -> None:
        super().__init__(port)
        self.token = token
        self._state = threading.Lock()
        self._labels: dict[str, list[dict[str, Any]]] = {}
        self._issues: dict[str, dict[int, dict[str, Any]]] = {}
        self._limited: list[int] = []  # reset times (epoch s) of queued rate-limit answers
        self.add_repo(DEFAULT_REPO, labels=["NLP", "LanguageModel", "ACL"])

    @property
    def api_url(self) -> str:
        return self.url

    # --- test set-up and inspection ----------------------------------------------------

    def add_repo(self, repo: str, *, labels: Iterable[str] = ()) -> None:
        with self._state:
            self._labels[repo] = [_label(name, "ededed") for name in labels]
            self._issues[repo] = {}

    def label_names(self, repo: str = DEFAULT_REPO) -> list[str]:
        with self._state:
            return [label["name"] for label in self._labels[repo]]

    def issues(self, repo: str = DEFAULT_REPO) -> list[dict[str, Any]]:
        with self._state:
            return [dict(issue) for issue in self._issues[repo].values()]

    def label_issue(self, number: int, name: str, repo: str = DEFAULT_REPO) -> None:
        """Add an existing label to an issue, as a person would on github.com."""
        with self._state:
            label = self._find_label(repo, name) or self._new_label(repo, name)
            self._issues[repo][number]["labels"].append(label)

    def limit_next(self, reset: int, *, times: int = 1) -> None:
        """The next ``times`` requests hit the primary rate limit, lifting at ``reset``."""
        with self._state:
            self._limited += [reset] * times

    # --- FakeServer hooks -------------------------------------------------------------

    def error_response(self, status: int, message: str) -> Response:
        body: dict[str, Any] = {"message": message, "documentation_url": _DOCS}
        if status == 422:
            body["errors"] = [{"resource": "Issue", "code": "custom", "message": message}]
        return Response.of_json(body, status=status)

    def handle(self, request: RecordedRequest) -> Response:
        with self._state:
            reset = self._limited.pop(0) if self._limited else None
        if reset is not None:
            response = self.error_response(403, "API rate limit exceeded for user ID 1.")
            response.headers.update({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
            return response
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self.error_response(401, "Bad credentials")
        route = _ROUTE.fullmatch(request.path)
        with self._state:
            if route is None or route["repo"] not in self._issues:
                return self.error_response(404, "Not Found")
            repo, number = route["repo"], route["number"]
            if route["kind"] == "labels" and number is None:
                if request.method == "GET":
                    return self._list_labels(repo, request)
                if request.method == "POST":
                    return self._create_label(repo, request.json or {})
            if route["kind"] == "issues":
                if number is None and request.method == "POST":
                    return self._save_issue(repo, None, request.json or {})
                if number is not None and int(number) in self._issues[repo]:
                    if request.method == "GET":
                        return Response.of_json(self._issues[repo][int(number)])
                    if request.method == "PATCH":
                        return self._save_issue(repo, int(number), request.json or {})
        return self.error_response(404, "Not Found")

    # --- routes (called with the state lock held) -------------------------------------

    def _list_labels(self, repo: str, request: RecordedRequest) -> Response:
        per_page = min(int(request.param("per_page", "30") or 30), 100)
        page = max(int(request.param("page", "1") or 1), 1)
        labels = self._labels[repo][(page - 1) * per_page : page * per_page]
        return Response.of_json(labels)

    def _create_label(self, repo: str, payload: dict[str, Any]) -> Response:
        name = str(payload.get("name", ""))
        invalid = self._invalid_label(name)
        if invalid:
            return self._validation_failed("Label", "name", invalid)
        if self._find_label(repo, name) is not None:
            return self._validation_failed("Label", "name", "already_exists")
        label = _label(name, str(payload.get("color", "ededed")))
        self._labels[repo].append(label)
        return Response.of_json(label, status=201)

    def _save_issue(self, repo: str, number: int | None, payload: dict[str, Any]) -> Response:
        issue = dict(self._issues[repo][number]) if number is not None else {}
        title = payload.get("title", issue.get("title"))
        if not isinstance(title, str) or not title.strip():
            return self._validation_failed("Issue", "title", "missing_field")
        names = payload.get("labels")
        if names is not None:
            for name in names:
                invalid = self._invalid_label(str(name))
                if invalid:
                    return self._validation_failed("Label", "name", invalid)
            # GitHub creates the labels an issue names that do not exist yet.
            issue["labels"] = [
                self._find_label(repo, str(n)) or self._new_label(repo, str(n)) for n in names
            ]
        created = number is None
        if created:
            number = max(self._issues[repo], default=0) + 1
        issue.update(
            number=number,
            title=title,
            body=payload.get("body", issue.get("body", "")),
            html_url=f"https://github.com/{repo}/issues/{number}",
            state="open",
        )
        issue.setdefault("labels", [])
        self._issues[repo][number] = issue
        return Response.of_json(issue, status=201 if created else 200)

    def _find_label(self, repo: str, name: str) -> dict[str, Any] | None:
        key = name.casefold()
        return next((lab for lab in self._labels[repo] if lab["name"].casefold() == key), None)

    def _new_label(self, repo: str, name: str) -> dict[str, Any]:
        label = _label(name, "ededed")
        self._labels[repo].append(label)
        return label

    @staticmethod
    def _invalid_label(name: str) -> str | None:
        if not name.strip():
            return "missing_field"
        return "invalid" if len(name) > 50 else None

    def _validation_failed(self, resource: str, field: str, code: str) -> Response:
        detail = {"resource": resource, "field": field, "code": code}
        body = {"message": "Validation Failed", "errors": [detail], "documentation_url": _DOCS}
        return Response.of_json(body, status=422)


def _label(name: str, color: str) -> dict[str, Any]:
    return {"name": name, "color": color, "default": False, "description": None}


def main() -> int:
    """Serve until Ctrl-C, printing what to export in another shell."""
    with FakeGitHubServer() as server:
        print(f"fake GitHub API:   {server.api_url}  (repository {DEFAULT_REPO})")
        print("\nIn another shell:")
        print(f"  export SUMMARIZER_GITHUB_API_URL={server.api_url}")
        print(f"  export GITHUB_TOKEN={server.token}")
        print(f"  export SUMMARIZER_PUBLISH_REPO={DEFAULT_REPO}")
        print("\nServing; press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nstopping")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
