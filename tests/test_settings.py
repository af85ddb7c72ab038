"""Settings precedence and the rule that keys never go to a foreign server."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.settings import ARXIV_MIN_INTERVAL, load_settings

ENV_NAMES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SUMMARIZER_API_KEY",
    "SUMMARIZER_BASE_URL",
    "SUMMARIZER_MODEL",
    "SUMMARIZER_ARXIV_API_URL",
    "SUMMARIZER_ARXIV_INTERVAL",
    "SUMMARIZER_BACKEND",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path))
    return tmp_path


def test_defaults(home: Path) -> None:
    settings = load_settings()
    assert settings.home == home
    assert settings.model == "gpt-4o-mini"
    assert settings.arxiv_api_url == "https://export.arxiv.org/api/query"
    assert not settings.model_is_configured()


def test_precedence_option_over_env_over_config(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "config.toml").write_text('model = "from-config"\nnotes_dir = "log"\n', "utf-8")
    assert load_settings().model == "from-config"
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    assert load_settings().model == "from-env"
    assert load_settings({"model": "from-option"}).model == "from-option"
    assert load_settings({"model": None}).model == "from-env"
    assert load_settings().notes_dir == Path("log")


def test_openai_key_goes_only_to_openai(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    assert load_settings().api_key_for_model() == "sk-openai-secret"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    settings = load_settings()
    assert settings.api_key_for_model() is None
    assert settings.model_is_configured()  # a local server needs no key


def test_summarizer_key_goes_to_the_configured_server(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://llm.example.org/v1")
    monkeypatch.setenv("SUMMARIZER_API_KEY", "key-for-example")
    assert load_settings().api_key_for_model() == "key-for-example"


def test_key_is_not_in_the_settings_repr(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    settings = load_settings()
    assert "sk-openai-secret" not in repr(settings)
    assert "sk-openai-secret" not in settings.model_dump_json()


def test_arxiv_interval_cannot_go_below_the_rule_for_arxiv(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_ARXIV_INTERVAL", "0.1")
    assert load_settings().effective_arxiv_interval == ARXIV_MIN_INTERVAL
    monkeypatch.setenv("SUMMARIZER_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    assert load_settings().effective_arxiv_interval == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("model = [", "cannot read config file"),
        ('modle = "x"', "unknown key"),
        ("model_timeout = -1", "invalid setting model_timeout"),
    ],
)
def test_bad_config_is_a_clear_error(home: Path, config: str, message: str) -> None:
    (home / "config.toml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings()
    assert caught.value.exit_code == 2


def test_backend_is_local_only_when_nothing_else_is_configured(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().resolved_backend == "local"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    assert load_settings().resolved_backend == "openai"
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert load_settings().resolved_backend == "openai"
    assert load_settings({"backend": "local"}).resolved_backend == "local"
    monkeypatch.setenv("SUMMARIZER_BACKEND", "local")
    assert load_settings().resolved_backend == "local"
