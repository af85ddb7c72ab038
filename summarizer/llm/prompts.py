"""Prompt templates: TOML files under ``prompts/``, loaded as UTF-8.

In a source checkout they are read from the repository's top-level ``prompts/``;
an installed wheel carries them as ``summarizer/prompts``.  ``$SUMMARIZER_PROMPTS_DIR``
points at a folder of the user's own versions, for tuning without editing the package.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.example_selectors import BaseExampleSelector
    from langchain_core.prompts import ChatPromptTemplate

PROMPT_NAMES = ("translate", "summarize", "summarize_translation", "tags")


@dataclass(frozen=True)
class FewShotExample:
    inputs: dict[str, str]
    output: str


@dataclass(frozen=True)
class PromptSpec:
    name: str
    version: int
    system: str
    human: str
    examples: tuple[FewShotExample, ...] = ()

    def example_dicts(self) -> list[dict[str, str]]:
        """The file's examples as LangChain examples: their inputs plus ``output``."""
        return [{**example.inputs, "output": example.output} for example in self.examples]

    def to_chat_prompt(
        self, selector: BaseExampleSelector | None = None, *, glossary: bool = False
    ) -> ChatPromptTemplate:
        """A LangChain chat prompt: system, few-shot turns, then the paper.

        Each example is the human template filled with the example's inputs, then
        its output as the model's turn (``FewShotChatMessagePromptTemplate``): an
        example's text is a value, never parsed as a template.  The examples are the
        file's, or what ``selector`` picks for each paper from the prompt's inputs.
        ``glossary``: the paper's turn ends with the ``{glossary}`` input (the house's
        renderings of the terms the paper uses, or ""); the examples' turns do not.
        """
        from langchain_core.prompts import ChatPromptTemplate, FewShotChatMessagePromptTemplate

        messages: list = [("system", self.system)]
        example_turns = ChatPromptTemplate.from_messages(
            [("human", self.human), ("ai", "{output}")]
        )
        if selector is not None:
            messages.append(
                FewShotChatMessagePromptTemplate(
                    example_selector=selector,
                    example_prompt=example_turns,
                    input_variables=["title"],
                )
            )
        elif self.examples:
            messages.append(
                FewShotChatMessagePromptTemplate(
                    examples=self.example_dicts(), example_prompt=example_turns
                )
            )
        messages.append(("human", self.human + ("{glossary}" if glossary else "")))
        return ChatPromptTemplate.from_messages(messages)


def prompts_dir() -> Path:
    override = os.environ.get("SUMMARIZER_PROMPTS_DIR")
    if override:
        return Path(override).expanduser()
    packaged = resources.files("summarizer").joinpath("prompts")
    if packaged.is_dir():
        return Path(str(packaged))
    # Source checkout or editable install: the repository's top-level folder.
    return Path(__file__).resolve().parents[2] / "prompts"


@cache
def load_prompt(name: str, directory: Path | None = None) -> PromptSpec:
    path = (directory or prompts_dir()) / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"prompt file {path} is missing; reinstall summarize") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read prompt file {path}: {error}") from None
    try:
        messages = data["messages"]
        examples = tuple(
            FewShotExample(
                inputs={key: value for key, value in item.items() if key != "output"},
                output=item["output"],
            )
            for item in data.get("examples", [])
        )
        return PromptSpec(
            name=name,
            version=int(data.get("meta", {}).get("version", 1)),
            system=messages["system"].strip(),
            human=messages["human"].strip(),
            examples=examples,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"prompt file {path} lacks {error}") from None
