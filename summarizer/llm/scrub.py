"""Configured secrets taken out of model replies before anything is written.

A reply can carry a key: a server or proxy that echoes request headers, or a
prompt injection in a paper that gets the model to repeat what it was sent.  The
reply is cleaned where the client turns the HTTP answer into LangChain messages
(:class:`ScrubbedChatOpenAI`), so the reply cache, the note and every log line
see the marker, never the key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, PrivateAttr

log = logging.getLogger(__name__)

MARKER = "[redacted secret]"
# Shorter values (a 4-character PDF password) would blot out ordinary words.
MIN_SECRET_LENGTH = 8


class SecretScrubber:
    """Replaces every configured secret in text, lists, mappings and pydantic models."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a key that contains another is replaced whole.
        unique = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
        self.secrets = sorted(unique, key=len, reverse=True)

    def found_in(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self.secrets:
                value = value.replace(secret, MARKER)
            return value
        if isinstance(value, dict):
            return {key: self.clean(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.clean(item) for item in value)
        if isinstance(value, BaseModel):
            return type(value).model_validate(self.clean(value.model_dump()))
        return value

    def result(self, result: ChatResult) -> ChatResult:
        """``result`` with no secret left in any message (a warning when one was there)."""
        if not self.secrets or not self.found_in(repr(result.generations)):
            return result
        log.warning(
            "the model's reply contained a configured secret (an API key or password); "
            "it was replaced by %s before anything was written",
            MARKER,
        )
        generations = []
        for generation in result.generations:
            message = generation.message
            update = {
                "content": self.clean(message.content),
                "additional_kwargs": self.clean(message.additional_kwargs),
            }
            if getattr(message, "tool_calls", None):
                update["tool_calls"] = self.clean(message.tool_calls)
            generations.append(
                ChatGeneration(
                    message=message.model_copy(update=update),
                    generation_info=generation.generation_info,
                )
            )
        return ChatResult(generations=generations, llm_output=result.llm_output)


class ScrubbedChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose replies never carry a configured secret (see the module)."""

    _scrubber: SecretScrubber = PrivateAttr(default_factory=lambda: SecretScrubber(()))

    @classmethod
    def lc_id(cls) -> list[str]:
        # The same model answering the same prompt: keep ChatOpenAI's identity, so the
        # reply cache (keyed by it) still answers for replies cached before.
        return ChatOpenAI.lc_id()

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return super().get_name(suffix, name=name or self.name or ChatOpenAI.__name__)

    def scrub(self, secrets: Iterable[str]) -> ScrubbedChatOpenAI:
        self._scrubber = SecretScrubber(secrets)
        return self

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> ChatResult:
        return self._scrubber.result(super()._create_chat_result(response, generation_info))
