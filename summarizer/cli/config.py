"""``summarize config init`` and ``config path``: the config file, written for you.

``init`` writes every setting the file may hold, commented out, with its default
and what it does, so a person edits a line instead of looking names up.  It
never replaces a config file that exists.
"""

from __future__ import annotations

from typing import Any

import click

# What each key of config.toml does, in the order the file lists them.  Keys not
# here are not offered: `home` (the folder the file is in), `openai_api_key` (read
# from the environment only) and `pdf_password` (given per run, never stored).
KEY_HELP: dict[str, str] = {
    "backend": 'which model writes the note: "auto", "openai" or "local" (embedded)',
    "model": "chat model of an OpenAI-compatible server",
    "base_url": "URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp, ...)",
    "api_key": "key for the server at base_url (better: SUMMARIZER_API_KEY)",
    "notes_dir": "folder of your notes",
    "history": "your tagged notes (JSONL, or a folder of notes): tags are learned from them",
    "vocabulary": "your controlled vocabulary of tags (TSV); default: the built-in one",
    "tag_llm": "false: tags from your history alone, no model call (as --no-llm)",
    "full_text": "false: draft from the abstract only (as --abstract-only)",
    "max_input_tokens": "tokens of paper text per model call (at least 500)",
    "cache": "false: ask the model again instead of reusing its cached replies",
    "prices": "your own price table (TOML, USD per million tokens)",
    "structured_output": 'how tags are asked for: "json_schema", "function_calling", "json_mode"',
    "model_timeout": "seconds to wait for one model reply",
    "model_retries": "retries of a failed model call",
    "http_timeout": "seconds to wait for arXiv or a PDF download",
    "arxiv_api_url": "the arXiv API (a mirror or a test server)",
    "arxiv_pdf_url": "where arXiv PDFs are downloaded from",
    "arxiv_interval": "seconds between arXiv requests (never below 3 for arxiv.org)",
    "arxiv_attempts": "attempts per arXiv request",
}


def config_template() -> str:
    """The commented config file: each key with its default, all commented out."""
    from summarizer.settings import Settings

    lines = [
        "# summarize: your settings. Uncomment a line to change it.",
        "# Order of precedence: defaults < this file < environment < command-line options.",
        "# Reference: docs/configuration.md",
        "",
    ]
    for key, meaning in KEY_HELP.items():
        lines += [
            f"# {meaning}",
            f"# {key} = {_toml_value(key, Settings.model_fields[key].default)}",
        ]
        lines.append("")
    return "\n".join(lines)


def _toml_value(key: str, default: Any) -> str:
    """``default`` as TOML (None becomes an example of the right type)."""
    examples = {
        "base_url": '"http://localhost:11434/v1"',
        "api_key": '"..."',
        "history": '"~/paper-notes/history.jsonl"',
        "vocabulary": '"~/paper-notes/vocabulary.tsv"',
        "max_input_tokens": "12000",
        "prices": '"~/paper-notes/prices.toml"',
    }
    if default is None:
        return examples[key]
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, int | float):
        return str(default)
    return f'"{default}"'


@click.group("config")
def config() -> None:
    """Your config file: where it is, and a commented one to start from."""


@config.command("path")
def config_path() -> None:
    """Print where the config file is (it may not exist yet)."""
    from summarizer.settings import user_dir

    click.echo(str(user_dir() / "config.toml"))


@config.command("init")
def config_init() -> None:
    """Write a commented config file listing every setting (never replaces one)."""
    from summarizer.errors import BadInputError
    from summarizer.fsutil import atomic_write_text
    from summarizer.settings import user_dir

    path = user_dir() / "config.toml"
    try:
        atomic_write_text(path, config_template(), replace=False)
    except FileExistsError:
        raise BadInputError(
            f"{path} exists; edit it, or move it away to write a fresh one"
        ) from None
    click.echo(str(path))
