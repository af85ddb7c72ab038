"""The chat model behind the chain, and what its failures mean to a user."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from summarizer.errors import ConfigError, ModelError
from summarizer.settings import OPENAI_API_HOST, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from summarizer.ratelimit import ModelGate

# Sent when no key may be sent: OpenAI-compatible servers such as Ollama or vLLM
# ignore it, but the client library refuses to run without one.
PLACEHOLDER_API_KEY = "no-key-needed"

# Replies that arrive broken; status codes and timeouts are retried by the client.
BROKEN_REPLY_EXCEPTIONS: tuple[type[BaseException], ...] = (json.JSONDecodeError,)


def make_chat_model(
    settings: Settings,
    setup_progress: Callable[[int, int], None] | None = None,
    *,
    gate: ModelGate | None = None,
) -> BaseChatModel:
    """The chat model the settings select: the embedded model or an OpenAI-compatible server.

    ``setup_progress(done_bytes, total_bytes)`` reports the local model's one-time
    setup (assembling its weights), so the CLI can show a progress bar.  With a
    ``gate``, every HTTP request to the server passes it (see :class:`GatedTransport`).
    """
    if settings.resolved_backend == "local":
        from summarizer.local_chat import LocalChatModel
        from summarizer.local_model import ensure_gguf

        return LocalChatModel(model_path=str(ensure_gguf(settings.cache_dir, setup_progress)))
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
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        model=settings.model,
        base_url=settings.effective_base_url,
        api_key=settings.api_key_for_model() or PLACEHOLDER_API_KEY,
        timeout=settings.model_timeout,
        max_retries=settings.model_retries,
        http_client=_gated_http_client(gate, settings.model_timeout) if gate else None,
    )
    return chat


# 429s retried inside the gate before the client library sees one; the openai client
# then retries what is left (settings.model_retries) through the gate again.
RATE_LIMIT_RETRIES = 6
# With no Retry-After header: 1, 2, 4 … seconds.
RATE_LIMIT_BACKOFF = 1.0


def _sdk_httpx() -> Any:
    """The httpx flavour the installed openai SDK is built on (httpx2 from openai 3)."""
    import openai

    if int(openai.__version__.split(".")[0]) >= 3:
        import httpx2

        return httpx2
    import httpx

    return httpx


def _gated_http_client(gate: ModelGate, timeout: float) -> Any:
    import openai

    httpx_module = _sdk_httpx()
    inner = httpx_module.HTTPTransport(
        limits=httpx_module.Limits(max_connections=100, max_keepalive_connections=20)
    )
    return openai.DefaultHttpxClient(transport=GatedTransport(inner, gate), timeout=timeout)


class GatedTransport:
    """An httpx transport (duck-typed, for httpx or httpx2) in front of the chat server.

    Each request waits for the :class:`~summarizer.ratelimit.ModelGate`; a 429 pauses
    the gate for its ``Retry-After`` (so every worker waits, not just this one) and
    is sent again after the pause, up to :data:`RATE_LIMIT_RETRIES` times.
    """

    def __init__(self, inner: Any, gate: ModelGate, *, retries: int = RATE_LIMIT_RETRIES) -> None:
        self.inner = inner
        self.gate = gate
        self.retries = retries

    def handle_request(self, request: Any) -> Any:
        from summarizer.http import MAX_RETRY_AFTER

        for attempt in range(self.retries + 1):
            self.gate.acquire()
            try:
                response = self.inner.handle_request(request)
            except BaseException:
                self.gate.release()
                raise
            if response.status_code != 429 or attempt == self.retries:
                self.gate.release()
                return response
            delay = _retry_after(response.headers)
            if delay is None:
                delay = RATE_LIMIT_BACKOFF * 2**attempt
            elif delay > MAX_RETRY_AFTER:
                self.gate.release()
                return response  # waiting that long is worse than failing the paper
            response.close()
            self.gate.release(rate_limited_for=delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> GatedTransport:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.inner.__exit__(*exc_info)


def _retry_after(headers: Any) -> float | None:
    """OpenAI sends ``retry-after-ms`` besides the standard ``Retry-After``."""
    from summarizer.http import retry_after_seconds

    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    return retry_after_seconds(headers.get("retry-after"))


def model_label(chat_model: BaseChatModel, settings: Settings) -> str:
    """The name the note gives the model: what actually wrote the text."""
    return str(getattr(chat_model, "model_label", None) or settings.model)


def server_label(base_url: str) -> str:
    """``host:port`` of a base URL: enough to name the server, never a credential."""
    parts = urlsplit(base_url)
    return parts.netloc.rpartition("@")[2] or base_url


@contextlib.contextmanager
def model_errors(settings: Settings) -> Iterator[None]:
    """Turn the client library's exceptions into one-line :class:`ModelError`s."""
    import openai

    where = server_label(settings.effective_base_url)
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
    except openai.RateLimitError:
        raise ModelError(where, "rate limited (HTTP 429) after retries") from None
    except openai.APIStatusError as error:
        raise ModelError(where, f"HTTP {error.status_code} after retries") from None
    except openai.APITimeoutError:
        raise ModelError(
            where,
            f"no answer within {settings.model_timeout:.0f} s after retries",
            "try again later or raise SUMMARIZER_MODEL_TIMEOUT",
        ) from None
    except openai.APIConnectionError:
        raise ModelError(where, "could not connect, or the reply was cut off") from None
    except BROKEN_REPLY_EXCEPTIONS:
        raise ModelError(where, "the reply was not valid JSON, three times") from None
