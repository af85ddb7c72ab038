"""The GitHub token: from ``GITHUB_TOKEN``, ``GH_TOKEN`` or ``gh auth token``, and where
it may be sent.

The token is only ever held in memory: it is not a setting (so it cannot end up in
config.toml by ``summarize config``), not logged, not written to a note or a cache.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

from summarizer.errors import ConfigError

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
# `gh auth token` reads a file or the keyring; a hung keyring prompt must not hang us.
GH_TIMEOUT = 10.0
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Token:
    value: str
    source: str  # where it came from, for messages: "GITHUB_TOKEN", "gh auth token"

    def __repr__(self) -> str:  # never the value, whoever prints this object
        return f"Token(source={self.source!r})"


def find_token() -> Token:
    """The token to publish with; :class:`ConfigError` naming every place looked at."""
    for name in TOKEN_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return Token(value, name)
    from_gh = _gh_auth_token()
    if from_gh:
        return Token(from_gh, "gh auth token")
    raise ConfigError(
        "no GitHub token: set GITHUB_TOKEN or GH_TOKEN (a token with Issues: read and write "
        "on the repository), or log in with 'gh auth login'"
    )


def _gh_auth_token() -> str | None:
    try:
        done = subprocess.run(
            ["gh", "auth", "token"],
            capture_output=True,
            text=True,
            timeout=GH_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None  # gh absent, not executable, or stuck: as if it had no token
    token = done.stdout.strip()
    # One line of printable ASCII, or it is not a token (an error text on stdout).
    if done.returncode != 0 or not token or not token.isprintable() or not token.isascii():
        return None
    return token if " " not in token else None


def check_api_url(api_url: str) -> None:
    """Refuse to send a token anywhere but over HTTPS (plain HTTP: this machine only)."""
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in _LOCAL_HOSTS:
        return
    raise ConfigError(
        f"will not send the GitHub token to {api_url!r}: the API URL must be https:// "
        "(plain http only for 127.0.0.1 or localhost); check SUMMARIZER_GITHUB_API_URL "
        "or [publish] api_url"
    )
