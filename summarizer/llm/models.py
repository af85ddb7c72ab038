"""The chat model behind the chain, and what its failures mean to a user."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from summarizer.errors import ConfigError, ModelError
from summarizer.llm.backend import backend_for
from summarizer.llm.gate import gated_http_client
from summarizer.llm.retry_policy import BROKEN_REPLY_EXCEPTIONS, RetryPolicy
from summarizer.settings import OPENAI_API_HOST, Settings

if TYPE_CHECKING:
    from langchain_core.caches import BaseCache
    from langchain_core.language_models import BaseChatModel

    from summarizer.llm.gate import ModelGate

# Sent when no key may be sent: OpenAI-compatible servers such as Ollama or vLLM
# ignore it, but the client library refuses to run without one.
PLACEHOLDER_API_KEY = "no-key-needed"


def make_chat_model(
    settings: Settings,
    setup_progress: Callable[[int, int], None] | None = None,
    *,
    gate: ModelGate | None = None,
    cache: BaseCache | None = None,
    http_client: Any | None = None,
) -> BaseChatModel:
    """The chat model the settings select: the embedded model or an OpenAI-compatible server.

    ``setup_progress(done_bytes, total_bytes)`` reports the local model's one-time
    setup (assembling its weights), so the CLI can show a progress bar.  With a
    ``gate``, every HTTP request to the server passes it (see :class:`GatedTransport`).
    HTTP retries follow :class:`~summarizer.llm.retry_policy.RetryPolicy`.
    A ``cache`` answers repeated prompts from disk (LangChain's per-model cache: no
    process-wide state); whoever made it closes it.  An ``http_client`` (the openai
    SDK's) replaces the gated one: a Batch API round answers from batch results
    (:mod:`summarizer.llm.deferred_transport`).
    """
    if backend_for(settings).in_process:
        from summarizer.llm.local_model import ensure_gguf
        from summarizer.llm.local_runtime import embedded_chat_model

        path = ensure_gguf(settings.cache_dir, setup_progress)
        return embedded_chat_model(path, ban_cache_dir=settings.cache_dir / "models", cache=cache)
    if not settings.model_is_configured():
        hint = ""
        if settings.openai_api_key is not None:
            hint = (
                f" (OPENAI_API_KEY is sent only to {OPENAI_API_HOST}; set SUMMARIZER_API_KEY "
                f"for {settings.effective_base_url})"
            )
        raise ConfigError(
            "no chat model configured: set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL "
            f"for an OpenAI-compatible server such as Ollama or vLLM{hint}"
        )
    check_key_transport(settings)
    from summarizer.llm.scrub import ScrubbedChatOpenAI

    policy = RetryPolicy.for_settings(settings)
    timeout = settings.model_timeout
    return ScrubbedChatOpenAI(
        model=settings.model,
        base_url=settings.effective_base_url,
        api_key=settings.api_key_for_model() or PLACEHOLDER_API_KEY,
        timeout=timeout,
        max_retries=policy.http_retries,
        http_client=http_client or (gated_http_client(gate, timeout, policy) if gate else None),
        cache=cache,
    ).scrub(settings.secret_values())


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_key_transport(settings: Settings) -> None:
    """Refuse a base URL over which a key would cross the network in clear.

    OpenAI's host is HTTPS only; plain HTTP to it means a proxy or anyone on the
    path reads the key.  A server on this machine (Ollama, vLLM on localhost) may
    use plain HTTP; any other host gets a key only over HTTPS.
    """
    parts = urlsplit(settings.effective_base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or host in LOOPBACK_HOSTS:
        return
    if host == OPENAI_API_HOST:
        raise ConfigError(
            f"base URL {settings.effective_base_url} is plain http://: the API key would "
            f"cross the network in clear; use https://{OPENAI_API_HOST}/v1"
        )
    if settings.api_key_for_model() is not None:
        raise ConfigError(
            f"base URL {server_label(settings.effective_base_url)} is plain http:// and a key "
            "is configured: the key would cross the network in clear; use https:// "
            "(or a server on localhost)"
        )


def model_label(chat_model: BaseChatModel, settings: Settings) -> str:
    """The name the note gives the model: what actually wrote the text."""
    named = getattr(chat_model, "model_label", None) or getattr(chat_model, "model_name", None)
    return str(named or settings.model)


def server_label(base_url: str) -> str:
    """``host:port`` of a base URL: enough to name the server, never a credential."""
    parts = urlsplit(base_url)
    return parts.netloc.rpartition("@")[2] or base_url


@contextlib.contextmanager
def model_errors(settings: Settings) -> Iterator[None]:
    """Turn the client library's exceptions into one-line :class:`ModelError`s."""
    import openai

    in_process = backend_for(settings).in_process
    where = None if in_process else server_label(settings.effective_base_url)
    try:
        yield
    except openai.AuthenticationError:
        hint = "check the API key"
        if settings.api_key is None and settings.openai_api_key is not None:
            hint = (
                f"OPENAI_API_KEY is sent only to {OPENAI_API_HOST}; "
                "set SUMMARIZER_API_KEY for this server"
            )
        raise ModelError(where, "the server rejected the API key (HTTP 401)", hint) from None
    except openai.NotFoundError:
        raise ModelError(
            where,
            f"model {settings.model!r} was not found (HTTP 404)",
            "check --model / SUMMARIZER_MODEL",
        ) from None
    except openai.BadRequestError as error:
        # The server's own words say what was wrong (e.g. a prompt over the context).
        message = scrubbed_error_message(error, settings)
        hint = "lower --max-input-tokens or use a shorter --vocabulary"
        raise ModelError(where, f"the request was refused (HTTP 400: {message})", hint) from None
    except openai.RateLimitError:
        raise ModelError(where, "rate limited (HTTP 429) after retries") from None
    except openai.APIStatusError as error:
        raise ModelError(where, f"HTTP {error.status_code} after retries") from None
    except openai.APITimeoutError:
        raise ModelError(
            where,
            f"no answer within {settings.model_timeout:g} s after retries",
            "try again later or raise SUMMARIZER_MODEL_TIMEOUT",
        ) from None
    except openai.APIConnectionError:
        raise ModelError(where, "could not connect, or the reply was cut off") from None
    except BROKEN_REPLY_EXCEPTIONS:
        attempts = RetryPolicy.for_settings(settings).broken_reply_attempts
        raise ModelError(where, f"the reply was not valid JSON, {attempts} times") from None


def _error_message(error: Exception) -> str:
    body = getattr(error, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message or error).split())[:200]


def scrubbed_error_message(error: Exception, settings: Settings) -> str:
    """The server's own words, with any configured secret replaced (servers echo)."""
    from summarizer.llm.scrub import SecretScrubber

    return SecretScrubber(settings.secret_values()).clean(_error_message(error))
