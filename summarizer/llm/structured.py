"""Structured replies (a JSON object of a given schema), with one repair turn.

Tags and the Comment ask the model for JSON through LangChain's
``with_structured_output(schema, include_raw=True)``: the reply comes back as
``{"raw": AIMessage, "parsed": …, "parsing_error": …}`` instead of raising, so an
unusable reply can be shown to the model with what was wrong with it, once
(``RetryPolicy.repair_turns``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from summarizer.llm.retry_policy import RetryPolicy

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.runnables import Runnable

log = logging.getLogger(__name__)


def structured_model(
    chat_model: BaseChatModel,
    schema: dict[str, Any],
    method: str,
    policy: RetryPolicy,
    **model_kwargs: Any,
) -> Runnable:
    """``messages -> {"raw", "parsed", "parsing_error"}`` for ``schema``, broken replies retried.

    ``method`` is ``json_schema`` (strict, so the server constrains decoding) or
    ``function_calling`` for servers without JSON-schema support.
    """
    kwargs: dict[str, Any] = {"method": method, "include_raw": True, **model_kwargs}
    if method == "json_schema":
        kwargs["strict"] = True
    return policy.retrying(chat_model.with_structured_output(schema, **kwargs))


def invoke_structured(
    structured: Runnable,
    messages: list[BaseMessage],
    validate: Callable[[Any], Any],
    *,
    policy: RetryPolicy,
    expected: str = "the JSON object described above",
) -> tuple[Any, str | None]:
    """Call a :func:`structured_model` runnable, with ``policy.repair_turns`` repair turns.

    Returns ``(validate(parsed), None)``, or ``(None, problem)`` when the reply is
    still unusable after the model was shown its reply and what was wrong with it.
    ``validate`` raises ``ValueError`` (or pydantic's ``ValidationError``) for a
    reply of the wrong form.
    """
    from langchain_core.messages import AIMessage, HumanMessage

    reply = structured.invoke(messages)
    value, problem = _validated(reply, validate)
    for _ in range(policy.repair_turns):
        if problem is None:
            break
        log.info("structured reply unusable (%s); asking once more", problem)
        repair = [
            *messages,
            AIMessage(content=_raw_reply_text(reply["raw"])),
            HumanMessage(
                content=f"That reply was not usable: {problem}. Reply again with only {expected}."
            ),
        ]
        reply = structured.invoke(repair)
        value, problem = _validated(reply, validate)
    return (value, None) if problem is None else (None, problem)


def _validated(reply: dict[str, Any], validate: Callable[[Any], Any]) -> tuple[Any, str | None]:
    if reply.get("parsing_error") is not None:
        return None, f"not valid JSON ({reply['parsing_error']})".splitlines()[0][:200]
    parsed = reply.get("parsed")
    if isinstance(parsed, BaseModel):
        parsed = parsed.model_dump()
    try:
        return validate(parsed), None
    except ValidationError as error:
        return None, f"not of the expected form ({error.error_count()} error(s))"
    except ValueError as error:
        return None, str(error)


def _raw_reply_text(message: AIMessage) -> str:
    """What the model said: its text, or the arguments of its forced tool call."""
    if message.text:
        return message.text
    calls = message.tool_calls
    return json.dumps(calls[0]["args"], ensure_ascii=False) if calls else ""
