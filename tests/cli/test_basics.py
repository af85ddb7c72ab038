"""Mistyped commands, `config init` and unknown config keys (issue 17)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.cli.config import KEY_HELP, config_template
from summarizer.errors import ConfigError
from summarizer.settings import Settings, load_settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("lst", "list"), ("revew", "review"), ("tag", "tags"), ("help", "summarize --help")],
)
def test_a_mistyped_command_names_the_command(
    capsys: pytest.CaptureFixture[str], typed: str, meant: str
) -> None:
    code, out, err = run(capsys, typed)
    assert code == 2
    assert out == ""
    assert f"no such command '{typed}'; did you mean '{meant}'?" in err


def test_a_reference_is_still_drafted_not_taken_for_a_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # Far from every command name: the draft command says what a reference looks like.
    code, _, err = run(capsys, "attention")
    assert code == 2
    assert "not an arXiv reference: 'attention'" in err
    # A file of that name on disk is a reference, however close to a command.
    Path("lst").write_bytes(b"not a pdf")
    code, _, err = run(capsys, "lst")
    assert "no such command" not in err


def test_config_init_writes_every_key_commented_and_never_replaces(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path))
    code, out, _ = run(capsys, "config", "init")
    path = tmp_path / "config.toml"
    assert (code, out) == (0, f"{path}\n")
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # all commented: the defaults still rule
    # Each key's line, uncommented, is a valid setting of the right type.
    for key in KEY_HELP:
        line = next(line for line in text.splitlines() if line.startswith(f"# {key} = "))
        path.write_text(line.removeprefix("# ") + "\n", encoding="utf-8")
        assert isinstance(load_settings(), Settings)
    path.write_text("model = 'mine'\n", encoding="utf-8")
    code, _, err = run(capsys, "config", "init")
    assert code == 2
    assert "config.toml exists; edit it" in err
    assert path.read_text(encoding="utf-8") == "model = 'mine'\n"
    code, out, _ = run(capsys, "config", "path")
    assert out == f"{path}\n"


def test_the_template_offers_every_config_key() -> None:
    offered = set(KEY_HELP)
    never = {"home", "openai_api_key", "pdf_password"}
    assert offered == set(Settings.model_fields) - never
    assert all(f"# {key} = " in config_template() for key in offered)


def test_an_unknown_config_key_names_the_closest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text('modle = "x"\nnotes-dir = "n"\nzzz = 1\n', "utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).endswith(
        "modle (did you mean 'model'?), notes-dir (did you mean 'notes_dir'?), zzz"
    )
