"""Settings: defaults < config file < environment < command-line options.

The user directory (config file, caches, rate-limit state) is ``$SUMMARIZER_HOME``
or the platform's user data dir, as ``simonw/llm`` does with ``LLM_USER_PATH``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from summarizer.errors import ConfigError

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
OPENAI_API_HOST = "api.openai.com"
# arXiv's terms of use ask for no more than one request every three seconds.
ARXIV_MIN_INTERVAL = 3.0

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
Backend = Literal["auto", "openai", "local"]

# Environment variable -> settings field.  Keys (OPENAI_API_KEY, SUMMARIZER_API_KEY)
# are resolved separately by `api_key_for`, because which key may be sent depends on
# where it would be sent.
_ENV_FIELDS: dict[str, str] = {
    "SUMMARIZER_MODEL": "model",
    "SUMMARIZER_BACKEND": "backend",
    "OPENAI_BASE_URL": "base_url",
    "SUMMARIZER_BASE_URL": "base_url",
    "SUMMARIZER_ARXIV_API_URL": "arxiv_api_url",
    "SUMMARIZER_ARXIV_INTERVAL": "arxiv_interval",
    "SUMMARIZER_NOTES_DIR": "notes_dir",
    "SUMMARIZER_VOCABULARY": "vocabulary",
    "SUMMARIZER_STRUCTURED_OUTPUT": "structured_output",
    "SUMMARIZER_MODEL_TIMEOUT": "model_timeout",
    "SUMMARIZER_HTTP_TIMEOUT": "http_timeout",
    "SUMMARIZER_ARXIV_PDF_URL": "arxiv_pdf_url",
    "SUMMARIZER_MAX_INPUT_TOKENS": "max_input_tokens",
    "SUMMARIZER_PRICES": "prices",
    "SUMMARIZER_HISTORY": "history",
}


def user_dir() -> Path:
    """The directory holding config.toml and caches; ``$SUMMARIZER_HOME`` overrides it."""
    override = os.environ.get("SUMMARIZER_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs  # only needed when no override is set

    return Path(platformdirs.user_data_dir("summarizer", appauthor=False))


class Settings(BaseModel):
    """Everything a run needs to know, validated once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path
    # auto: an OpenAI-compatible server when one is configured, else the embedded model.
    backend: Backend = "auto"
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    # A key for whatever server `base_url` names (config `api_key` or SUMMARIZER_API_KEY).
    api_key: SecretStr | None = None
    # OPENAI_API_KEY: sent only to OpenAI's own API host, never to a foreign base URL.
    openai_api_key: SecretStr | None = None
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    arxiv_interval: float = Field(default=ARXIV_MIN_INTERVAL, ge=0)
    arxiv_attempts: int = Field(default=4, ge=1, le=10)
    http_timeout: float = Field(default=30.0, gt=0)
    model_timeout: float = Field(default=120.0, gt=0)
    model_retries: int = Field(default=2, ge=0, le=10)
    notes_dir: Path = Path("notes")
    vocabulary: Path | None = None
    structured_output: StructuredMethod = "json_schema"
    arxiv_pdf_url: str = "https://arxiv.org/pdf/"
    # Read the whole paper and draft the Comment (False: the abstract only).
    full_text: bool = True
    # Tokens of paper text per model call; None: the backend's default (budget.py).
    max_input_tokens: int | None = Field(default=None, ge=500)
    # Model replies cached on disk, so redrafting a paper costs nothing.
    cache: bool = True
    # A TOML price table of your own (USD per million tokens), merged over the default.
    prices: Path | None = None
    # Your tagged notes (JSONL, or a folder of reviewed notes): tags are learned from them.
    history: Path | None = None
    # False (--no-llm): tags from the history-trained suggester alone, no model call.
    tag_llm: bool = True
    # For an encrypted PDF given on the command line (never stored anywhere).
    pdf_password: SecretStr | None = None

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def effective_base_url(self) -> str:
        return self.base_url or f"https://{OPENAI_API_HOST}/v1"

    @property
    def effective_arxiv_interval(self) -> float:
        """The spacing between arXiv requests; never below arXiv's rule for arxiv.org."""
        host = (urlsplit(self.arxiv_api_url).hostname or "").lower()
        if host == "arxiv.org" or host.endswith(".arxiv.org"):
            return max(self.arxiv_interval, ARXIV_MIN_INTERVAL)
        return self.arxiv_interval

    def api_key_for_model(self) -> str | None:
        """The key to send to the chat server, or None when no key may be sent there.

        OPENAI_API_KEY is meant for OpenAI: it goes only to api.openai.com, so a key is
        never leaked to a local or third-party server someone points the tool at.
        """
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        host = (urlsplit(self.effective_base_url).hostname or "").lower()
        if self.openai_api_key is not None and host == OPENAI_API_HOST:
            return self.openai_api_key.get_secret_value()
        return None

    def model_is_configured(self) -> bool:
        return self.base_url is not None or self.api_key_for_model() is not None

    @property
    def resolved_backend(self) -> Literal["openai", "local"]:
        if self.backend != "auto":
            return self.backend
        return "openai" if self.model_is_configured() else "local"


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from error
    return data


def _with_suggestion(key: str, known: set[str]) -> str:
    """``modle (did you mean 'model'?)``, or the key alone when nothing is close."""
    import difflib

    close = difflib.get_close_matches(key.lower().replace("-", "_"), sorted(known), n=1)
    return f"{key} (did you mean {close[0]!r}?)" if close else key


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build settings from the config file, the environment and explicit overrides.

    ``overrides`` holds command-line options; ``None`` values mean "not given".
    """
    home = user_dir()
    values: dict[str, Any] = {"home": home}
    config = _read_config_file(home / "config.toml")
    known = set(Settings.model_fields) - {"home", "openai_api_key"}
    unknown = set(config) - known
    if unknown:
        named = ", ".join(_with_suggestion(key, known) for key in sorted(unknown))
        raise ConfigError(f"unknown key(s) in {home / 'config.toml'}: {named}")
    values.update({k: v for k, v in config.items() if k not in ("home", "openai_api_key")})
    for env_name, field in _ENV_FIELDS.items():
        value = os.environ.get(env_name)
        if value:
            values[field] = value
    if os.environ.get("SUMMARIZER_API_KEY"):
        values["api_key"] = os.environ["SUMMARIZER_API_KEY"]
    if os.environ.get("OPENAI_API_KEY"):
        values["openai_api_key"] = os.environ["OPENAI_API_KEY"]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
