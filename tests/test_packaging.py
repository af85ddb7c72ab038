"""The wheel carries the prompts and the vocabulary, and the installed code finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from summarizer.llm.prompts import PROMPT_NAMES, load_prompt, prompts_dir

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("summarize-*.whl")
    return built


def test_wheel_ships_prompts_inside_the_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for prompt in PROMPT_NAMES:
        assert f"summarizer/prompts/{prompt}.toml" in names
    assert "summarizer/data/vocabulary.tsv" in names
    assert "summarizer/data/prices.toml" in names
    assert "summarizer/data/encodings/o200k_base.tiktoken.xz" in names
    assert not any(name.startswith(("tests/", "prompts/")) for name in names)


def test_installed_package_loads_its_own_prompts(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    script = (
        "from summarizer.llm.prompts import prompts_dir, load_prompt;"
        "from summarizer.tags.vocabulary import load_vocabulary;"
        "print(prompts_dir());"
        "print(load_prompt('summarize').examples[0].output[:5]);"
        "print(len(load_vocabulary()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    where, sample, count = done.stdout.splitlines()
    assert Path(where) == tmp_path / "summarizer" / "prompts"
    assert sample == load_prompt("summarize").examples[0].output[:5]
    assert int(count) > 250


def test_prompts_are_utf8_and_complete() -> None:
    for name in PROMPT_NAMES:
        raw = (prompts_dir() / f"{name}.toml").read_bytes()
        raw.decode("utf-8")  # raises if a file was saved in another encoding
        spec = load_prompt(name)
        assert spec.system
        assert "{title}" in spec.human
        # The summary from the translation reads the translation, not the abstract.
        source = "{translation}" if name == "summarize_translation" else "{abstract}"
        assert source in spec.human


@pytest.mark.parametrize("name", ["summarize", "summarize_translation"])
def test_summary_examples_follow_the_house_style(name: str) -> None:
    examples = load_prompt(name).examples
    assert len(examples) >= 2
    for example in examples:
        assert 150 <= len(example.output) <= 260
        assert "です" not in example.output
        assert "ます" not in example.output
        assert example.output.endswith("。")
