"""The embedded model's runtime: llama.cpp's own server, inside this process.

``xllamacpp`` ships llama.cpp's server as a prebuilt wheel (no compiler, no
``cmake``) and answers OpenAI-format chat requests through a method call, with no
port and no socket.  :class:`InProcessTransport` puts that method behind an
``httpx`` transport, so the embedded model is an ordinary ``ChatOpenAI``: the same
client, structured output (``json_schema`` is turned into a grammar by llama.cpp),
usage, retries and reply cache as every other backend.  What is particular to it
lives here: one model loaded per file and process, calls serialised (llama.cpp
runs one generation at a time on 2 cores anyway), and the figures each call
reports (tokens per second) kept for the benches.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.caches import BaseCache
    from langchain_core.language_models import BaseChatModel

# Context for prompt and reply.  The longest prompt (the Comment, or the tags with
# the whole vocabulary) is about 3,300 of the model's tokens; the reply at most 1,200.
CONTEXT_TOKENS = 4096
# KV states of recent prompts kept in memory, so a call that starts like an earlier
# one (system prompt, few-shot examples) skips evaluating the shared start.  About
# 28 KB per token for this model: 256 MiB hold the prefixes of several prompts.
PROMPT_CACHE_MIB = 256
# Decoding: a little randomness keeps a 1.5B model from looping on one phrase, the
# seed makes a prompt's reply repeatable, and 768 tokens bound a runaway text reply
# (a translation is about 450; the Comment asks for more itself).
TEMPERATURE = 0.2
SEED = 1234
MAX_REPLY_TOKENS = 768
REPEAT_PENALTY = 1.1
# What the client is told the server is: never resolved, never contacted.
LOCAL_BASE_URL = "http://embedded-model.invalid/v1"
INSTALL_HINT = (
    "the embedded model needs xllamacpp: install it with `pip install -e '.[local]'` "
    "(`make demo` does this), or use OpenAI instead: set OPENAI_API_KEY, or "
    "OPENAI_BASE_URL for an OpenAI-compatible server"
)


@dataclass
class CallFigures:
    """What llama.cpp measured for the calls so far (for the benches)."""

    calls: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    prompt_ms: float = 0.0
    generated_tokens: int = 0
    generation_ms: float = 0.0

    def add(self, timings: dict[str, Any]) -> None:
        self.calls += 1
        self.prompt_tokens += int(timings.get("prompt_n", 0))
        self.cached_tokens += int(timings.get("cache_n", 0))
        self.prompt_ms += float(timings.get("prompt_ms", 0.0))
        self.generated_tokens += int(timings.get("predicted_n", 0))
        self.generation_ms += float(timings.get("predicted_ms", 0.0))

    @property
    def generation_rate(self) -> float:
        """Generated tokens per second."""
        return self.generated_tokens / (self.generation_ms / 1000) if self.generation_ms else 0.0

    @property
    def prompt_rate(self) -> float:
        """Prompt tokens evaluated per second (cached ones not counted)."""
        return self.prompt_tokens / (self.prompt_ms / 1000) if self.prompt_ms else 0.0


class LocalRuntime:
    """One loaded model file; :meth:`chat` answers an OpenAI chat request body."""

    def __init__(self, model_path: Path) -> None:
        try:
            import xllamacpp
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = CONTEXT_TOKENS
        params.n_parallel = 1
        params.cache_ram_mib = PROMPT_CACHE_MIB
        params.warmup = False
        params.verbosity = -1  # llama.cpp's own log lines are not the user's business
        # The cores this process may run on (taskset, cpusets), not the machine's:
        # llama.cpp's threads wait for each other, so one thread too many stalls all.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        cores = cores or os.cpu_count() or 1
        params.cpuparams.n_threads = cores
        params.cpuparams_batch.n_threads = cores
        try:
            self._server = xllamacpp.Server(params)
        except Exception as error:  # the binding raises a bare RuntimeError/ValueError
            raise ConfigError(
                f"cannot load the local model {model_path}: {error}; if the file is damaged, "
                "delete it and run again (it is assembled anew)"
            ) from None
        self._lock = threading.Lock()
        self.figures = CallFigures()

    def chat(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``(HTTP status, response)`` for a ``/v1/chat/completions`` body."""
        body = {key: value for key, value in body.items() if key != "stream"}
        with self._lock:
            response = self._server.handle_chat_completions(body)
        if not isinstance(response, dict):
            return 500, _error("the local model gave no answer")
        if "error" in response:
            error = response["error"]
            code = int(error.get("code", 400)) if isinstance(error, dict) else 400
            return code, response
        timings = response.get("timings")
        if isinstance(timings, dict):
            with self._lock:
                self.figures.add(timings)
        return 200, response


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "code": 500}}


_RUNTIMES: dict[str, LocalRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(model_path: Path) -> LocalRuntime:
    """The runtime of ``model_path``, loaded on first use and shared by the process."""
    key = str(model_path.resolve())
    with _RUNTIMES_LOCK:
        if key not in _RUNTIMES:
            _RUNTIMES[key] = LocalRuntime(model_path)
        return _RUNTIMES[key]


class InProcessTransport(httpx.BaseTransport):
    """An ``httpx`` transport that hands chat requests to a :class:`LocalRuntime`."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/chat/completions"):
            return httpx.Response(404, json=_error(f"no {request.url.path} here"))
        try:
            body = json.loads(request.read())
        except ValueError:
            return httpx.Response(400, json=_error("the request was not JSON"))
        status, response = self.runtime.chat(body)
        return httpx.Response(status, json=response, request=request)


def local_http_client(model_path: Path) -> httpx.Client:
    """An HTTP client whose requests the model at ``model_path`` answers in-process.

    The model is loaded now (once per process), so a missing runtime or a damaged
    file is a one-line :class:`ConfigError` here rather than a connection error
    later.
    """
    return httpx.Client(
        transport=InProcessTransport(runtime_for(model_path)), base_url=LOCAL_BASE_URL
    )


def embedded_chat_model(
    model_path: Path, *, ban_cache_dir: Path, cache: BaseCache | None = None
) -> BaseChatModel:
    """The embedded model as an ordinary ``ChatOpenAI``, answered in this process.

    Every call is steered away from Chinese (the logit bias of
    :func:`~summarizer.llm.local_vocab.ban_list`), decodes with a light repetition
    penalty (a 1.5B model otherwise starts its reply over), and is deterministic for
    a prompt (fixed seed), so the reply cache and the benches see stable output.
    """
    from langchain_openai import ChatOpenAI

    from summarizer.llm.local_model import LOCAL_MODEL_LABEL
    from summarizer.llm.local_vocab import ban_list

    return ChatOpenAI(
        model=LOCAL_MODEL_LABEL,
        base_url=LOCAL_BASE_URL,
        # Never sent anywhere: the transport answers in-process and ignores it.
        api_key=SecretStr("embedded"),
        http_client=local_http_client(model_path),
        temperature=TEMPERATURE,
        max_tokens=MAX_REPLY_TOKENS,
        seed=SEED,
        logit_bias=ban_list(model_path, ban_cache_dir),
        extra_body={"repeat_penalty": REPEAT_PENALTY},
        max_retries=0,  # nothing transient in-process: a failure is final
        cache=cache,
    )
