"""A LangChain chat model that runs a GGUF model in-process with llama.cpp.

No server, no API key, no network: ``llama_cpp.Llama`` runs on the CPU inside
this process.  One ``Llama`` is loaded per model file and process (lazily, on the
first call) and shared by every :class:`LocalChatModel` that names the file.
llama.cpp is not thread-safe and the chain runs its three calls in parallel, so
calls on one model are serialised by a lock; on a CPU they would only compete
for the same cores anyway.

Structured output (the tag call) is constrained by a GBNF grammar compiled from
the JSON schema, so the reply is always valid JSON whose strings come from the
schema's ``enum``.  Long string enums (the ~300-tag vocabulary) are compiled as
a prefix tree rather than a flat alternation, which decodes about twice as fast.

The module also holds :func:`japanese_ratio` / :func:`is_mostly_japanese`, the
check that a small model's reply really is Japanese.

Length: moved as it was; the embedded-model issue (12) replaces this runtime.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from pydantic import BaseModel, ConfigDict, Field

from summarizer.errors import ConfigError
from summarizer.llm.local_model import LOCAL_MODEL_NAME

if TYPE_CHECKING:
    from langchain_core.callbacks import CallbackManagerForLLMRun

DEFAULT_SEED = 1234
# Generation options a caller may pass through ``bind``/``invoke`` kwargs.
_CALL_OPTIONS = frozenset(
    {
        "max_tokens",
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "repeat_penalty",
        "presence_penalty",
        "frequency_penalty",
        "seed",
    }
)


class LocalModelContextError(ConfigError):
    """A prompt does not fit the local model's context window."""


# --- loading -----------------------------------------------------------------------


@dataclass
class _Loaded:
    """One ``llama_cpp.Llama`` and what goes with it; use only while holding ``lock``."""

    llama: Any
    formatter: Any  # the GGUF's own chat template, or None (then llama_cpp formats)
    lock: threading.Lock = field(default_factory=threading.Lock)
    prefix_cache: _PrefixCache = field(default_factory=lambda: _PrefixCache(0))


_LOADED: dict[tuple[str, int, int], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _load(model_path: str, n_ctx: int, n_threads: int) -> _Loaded:
    key = (str(Path(model_path).resolve()), n_ctx, n_threads)
    with _LOAD_LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            try:
                import llama_cpp
            except ImportError:
                raise ConfigError(
                    "the local model needs llama-cpp-python; install it with "
                    "`pip install -e '.[local]'` (`make demo` does this), or use OpenAI "
                    "instead: set OPENAI_API_KEY, or OPENAI_BASE_URL"
                ) from None
            try:
                llama = llama_cpp.Llama(
                    model_path=key[0],
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    seed=DEFAULT_SEED,
                    verbose=False,
                )
            except ValueError as error:  # llama_cpp's way of saying "cannot load"
                raise ConfigError(f"cannot load the local model {key[0]}: {error}") from None
            loaded = _LOADED[key] = _Loaded(llama, _chat_formatter(llama))
        return loaded


def _chat_formatter(llama: Any) -> Any:
    """The model's chat template, built exactly as ``llama_cpp.Llama`` builds it."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    return Jinja2ChatFormatter(
        template=template,
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        stop_token_ids=[eos_id],
    )


class _PrefixCache:
    """KV states of recent calls, so a prompt that starts like an earlier one skips
    evaluating the shared start (system prompt, examples, vocabulary).

    The ``Llama`` object itself only reuses the prefix of the *previous* call; the
    chain alternates three prompts, so without this every call starts cold.  Keys
    are the token sequences in the context; values are llama.cpp sequence states
    (about 28 KB per token for this model).  Least recently used entries go first.
    """

    MIN_SHARED = 64

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self._entries: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self.hits = 0
        self.reused_tokens = 0

    @staticmethod
    def shared(a: Sequence[int], b: Sequence[int]) -> int:
        count = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            count += 1
        return count

    def restore(self, llama: Any, prompt: list[int]) -> None:
        """Load the cached state sharing the longest start with ``prompt``, if it beats
        what the context already holds."""
        if not self._entries:
            return
        current = self.shared(llama.input_ids[: llama.n_tokens].tolist(), prompt)
        best_key, best = None, current
        for key in self._entries:
            shared = self.shared(key, prompt)
            if shared > best:
                best_key, best = key, shared
        if best_key is None or best < self.MIN_SHARED:
            return
        import llama_cpp

        state = self._entries[best_key]
        self._entries.move_to_end(best_key)
        buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, len(state), 0) == 0:
            llama.reset()
            return
        llama.input_ids[: len(best_key)] = best_key
        llama.n_tokens = len(best_key)
        # The restored logits are not live: make llama_cpp decode at least one token.
        llama._requires_eval = True
        self.hits += 1
        self.reused_tokens += best

    def save(self, llama: Any) -> None:
        if self.capacity_bytes <= 0 or llama.n_tokens < self.MIN_SHARED:
            return
        import llama_cpp

        ctx = llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        if size <= 0 or size > self.capacity_bytes:
            return
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if written <= 0:
            return
        key = tuple(llama.input_ids[: llama.n_tokens].tolist())
        self._entries.pop(key, None)
        self._entries[key] = bytes(memoryview(buffer)[:written])
        while sum(len(value) for value in self._entries.values()) > self.capacity_bytes:
            self._entries.popitem(last=False)


class _RepetitionGuard:
    """A stopping criterion: stop once the reply repeats a run of ``window`` tokens.

    Small models sometimes start over and repeat their reply until ``max_tokens``
    (seen with the translation prompt: a 180-token answer repeated to 768 tokens).
    ``cut`` is then where the repeated copy began, so the reply can be trimmed to
    its first copy.
    """

    def __init__(self, prompt_length: int, window: int) -> None:
        self.prompt_length = prompt_length
        self.window = window
        self._seen: set[tuple[int, ...]] = set()
        self._checked = 0
        self.cut: int | None = None

    def __call__(self, input_ids: Any, _logits: Any) -> bool:
        if self.cut is not None:
            return True
        generated = input_ids[self.prompt_length :].tolist()
        for end in range(max(self._checked, self.window), len(generated) + 1):
            gram = tuple(generated[end - self.window : end])
            if gram in self._seen:
                self.cut = end - self.window
                return True
            self._seen.add(gram)
        self._checked = max(self._checked, len(generated) + 1)
        return False


def unload_all() -> None:
    """Close every loaded model (a later call loads it again)."""
    with _LOAD_LOCK:
        loaded = list(_LOADED.values())
        _LOADED.clear()
    for entry in loaded:
        close = getattr(entry.llama, "close", None)
        if close is not None:
            with entry.lock:  # never while a generation is running
                close()


# llama_cpp frees its model in __del__; left to interpreter shutdown, that runs after
# the library's globals are gone and prints a TypeError traceback.  Free it first.
atexit.register(unload_all)


# --- messages ------------------------------------------------------------------------


def _text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type", "text") == "text":
            parts.append(str(part.get("text", "")))
        else:
            raise ValueError(f"the local model reads text only, not {part.get('type')!r} parts")
    return "".join(parts)


def to_llama_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as llama.cpp's OpenAI-style ``{"role", "content"}`` dicts."""
    converted: list[dict[str, str]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            role = "system"
        elif isinstance(message, HumanMessage):
            role = "user"
        elif isinstance(message, AIMessage):
            role = "assistant"
        elif isinstance(message, ChatMessage) and message.role in ("system", "user", "assistant"):
            role = message.role
        else:
            raise ValueError(
                f"the local model cannot take a {type(message).__name__} "
                "(only system, human and AI messages)"
            )
        converted.append({"role": role, "content": _text_of(message)})
    return converted


# --- grammar ---------------------------------------------------------------------------


def _trie_alternation(literals: Sequence[str], format_literal: Any) -> str:
    """A GBNF expression matching exactly ``literals``, as a prefix tree.

    ``"Re" ("ranking" | "asoning")`` instead of ``"Reranking" | "Reasoning"``: the
    grammar engine then follows one branch per distinct prefix instead of one per
    value, which matters at every sampled token.
    """
    end = ""
    trie: dict[str, Any] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[end] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives: list[str] = []
        for char, child in sorted(node.items()):
            if char == end:
                continue
            run = char
            while len(child) == 1 and end not in child:
                ((next_char, child),) = child.items()
                run += next_char
            if child == {end: {}}:
                alternatives.append(format_literal(run))
            else:
                alternatives.append(f"{format_literal(run)} {emit(child)}")
        body = alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})"
        return f"{body}?" if end in node else body

    return emit(trie)


@lru_cache(maxsize=32)
def schema_to_gbnf(schema_json: str) -> str:
    """GBNF for a JSON schema (llama.cpp's converter; string enums as prefix trees).

    Raises ``ValueError`` for a schema the converter cannot express, rather than
    silently allowing any JSON as llama_cpp's ``response_format`` path does.
    """
    from llama_cpp import llama_grammar

    class _Converter(llama_grammar.SchemaConverter):
        def visit(self, schema: dict[str, Any], name: str) -> str:
            values = schema.get("enum") if isinstance(schema, dict) else None
            if (
                isinstance(values, list)
                and len(values) > 1
                and all(isinstance(value, str) for value in values)
                and "$ref" not in schema
            ):
                rule_name = name + "-" if name in llama_grammar.RESERVED_NAMES else name or "root"
                literals = sorted({json.dumps(value, ensure_ascii=False) for value in values})
                return self._add_rule(rule_name, _trie_alternation(literals, self._format_literal))
            return super().visit(schema, name)

    try:
        converter = _Converter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
        schema = converter.resolve_refs(json.loads(schema_json), "schema")
        converter.visit(schema, "")
        return converter.format_grammar()
    except Exception as error:
        raise ValueError(f"cannot turn the JSON schema into a grammar: {error}") from error


# --- the chat model ----------------------------------------------------------------------


class LocalChatModel(BaseChatModel):
    """Chat with a GGUF model through llama.cpp, in this process, on the CPU.

    >>> from summarizer.llm.local_model import ensure_gguf
    >>> model = LocalChatModel(model_path=ensure_gguf(settings.cache_dir))  # doctest: +SKIP
    """

    model_config = ConfigDict(protected_namespaces=())

    model_path: str
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 1)
    temperature: float = 0.2
    max_tokens: int = 768
    # Structured replies are short ({"tags": [...]}); a tighter cap bounds the cost
    # of a model that keeps adding items (the grammar cannot forbid repeats).
    structured_max_tokens: int = 192
    # Penalises tokens already in the reply: without it the small model tends to
    # loop over two tags until max_tokens.  Used for structured replies only.
    structured_presence_penalty: float = 1.0
    repeat_penalty: float = 1.1
    # Stop a text reply once it repeats a run of this many tokens (0: never).
    repetition_window: int = 32
    # Memory for KV states of recent prompts (see _PrefixCache; 0 turns it off).
    # About 40 MB per cached prompt with this model; pays off from the second paper.
    prompt_cache_mb: int = 256
    seed: int = DEFAULT_SEED
    model_label: str = f"{LOCAL_MODEL_NAME}, local"

    structured_methods: ClassVar[frozenset[str]] = frozenset(
        {"json_schema", "json_mode", "function_calling"}
    )

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "model_label": self.model_label,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def load(self) -> Any:
        """The shared ``llama_cpp.Llama`` (loading it now if needed)."""
        return _load(self.model_path, self.n_ctx, self.n_threads).llama

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        grammar_text: str | None = kwargs.pop("grammar", None)
        options: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "repeat_penalty": self.repeat_penalty,
            "seed": self.seed,
        }
        if grammar_text is not None:
            options["max_tokens"] = self.structured_max_tokens
            options["presence_penalty"] = self.structured_presence_penalty
        unknown = set(kwargs) - _CALL_OPTIONS
        if unknown:
            raise ValueError(f"unsupported option(s) for the local model: {sorted(unknown)}")
        options.update(kwargs)

        loaded = _load(self.model_path, self.n_ctx, self.n_threads)
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_string(grammar_text, verbose=False) if grammar_text else None
        # The guard would cut a JSON reply in half; the grammar keeps those short.
        window = self.repetition_window if grammar is None else 0
        with loaded.lock:
            loaded.prefix_cache.capacity_bytes = self.prompt_cache_mb << 20
            try:
                text, finish_reason, usage = self._complete(
                    loaded, to_llama_messages(messages), stop, grammar, window, options
                )
            except ValueError as error:
                if "context window" in str(error):
                    raise LocalModelContextError(
                        f"the prompt does not fit the local model's context ({error}); "
                        "use a shorter vocabulary or a larger n_ctx"
                    ) from None
                raise
        input_tokens = int(usage.get("prompt_tokens", 0))
        output_tokens = int(usage.get("completion_tokens", 0))
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
                "input_token_details": {"cache_read": int(usage.get("cached_tokens", 0))},
            },
            response_metadata={"model_name": self.model_label, "finish_reason": finish_reason},
        )
        return ChatResult(
            generations=[ChatGeneration(message=message)],
            llm_output={"model_name": self.model_label, "token_usage": usage},
        )

    @staticmethod
    def _complete(
        loaded: _Loaded,
        messages: list[dict[str, str]],
        stop: list[str] | None,
        grammar: Any,
        window: int,
        options: dict[str, Any],
    ) -> tuple[str, str | None, dict[str, int]]:
        """One completion: ``(text, finish_reason, usage)``.  Call with the lock held."""
        llama = loaded.llama
        if loaded.formatter is None:
            # No chat template in the file: let llama_cpp pick a format.
            reply = llama.create_chat_completion(
                messages=messages, stop=stop or [], grammar=grammar, **options
            )
            choice = reply["choices"][0]
            return (
                choice["message"].get("content") or "",
                choice.get("finish_reason"),
                dict(reply.get("usage") or {}),
            )
        from llama_cpp import StoppingCriteriaList

        # What llama_cpp's chat handler does, plus a prefix cache and a repetition
        # guard, which it has no place for.
        formatted = loaded.formatter(messages=messages)
        prompt = llama.tokenize(
            formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
        )
        stops = list(stop or [])
        if formatted.stop:
            stops += [formatted.stop] if isinstance(formatted.stop, str) else formatted.stop
        criteria = list(formatted.stopping_criteria or [])
        guard = _RepetitionGuard(len(prompt), window) if window > 0 else None
        if guard is not None:
            criteria.append(guard)
        loaded.prefix_cache.restore(llama, prompt)
        # What llama_cpp will not evaluate again: the start it shares with the context.
        reused = _PrefixCache.shared(llama.input_ids[: llama.n_tokens].tolist(), prompt)
        reply = llama.create_completion(
            prompt=prompt,
            stop=stops,
            stopping_criteria=StoppingCriteriaList(criteria),
            grammar=grammar,
            **options,
        )
        loaded.prefix_cache.save(llama)
        choice = reply["choices"][0]
        text, finish_reason = choice["text"], choice.get("finish_reason")
        if guard is not None and guard.cut is not None:
            generated = llama.input_ids[len(prompt) : len(prompt) + guard.cut].tolist()
            text = llama.detokenize(generated, prev_tokens=prompt).decode("utf-8", "ignore")
            finish_reason = "repetition"
        usage = dict(reply.get("usage") or {})
        usage["cached_tokens"] = min(reused, len(prompt) - 1)
        return text.strip(), finish_reason, usage

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: str = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Replies constrained to ``schema`` by a grammar, parsed as JSON.

        ``schema`` is a JSON schema dict or a pydantic model class.  Every ``method``
        means the same here (grammar-constrained decoding); ``json_mode`` allows any
        JSON object.  ``strict`` is accepted for compatibility: the grammar is always
        strict.  With ``include_raw=True`` the runnable returns LangChain's usual
        ``{"raw": AIMessage, "parsed": dict | model | None, "parsing_error": exc | None}``.
        """
        # Call options (a longer max_tokens for a long reply, say) pass through.
        unknown = set(kwargs) - _CALL_OPTIONS
        if unknown:
            raise ValueError(f"unsupported argument(s): {sorted(unknown)}")
        if method not in self.structured_methods:
            raise ValueError(f"unknown structured-output method {method!r}")
        model_class = schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None
        if model_class is not None:
            json_schema = model_class.model_json_schema()
        elif isinstance(schema, Mapping):
            json_schema = dict(schema)
        else:
            raise TypeError("schema must be a JSON schema dict or a pydantic model class")

        if method == "json_mode":
            from llama_cpp import llama_grammar

            grammar = llama_grammar.JSON_GBNF
        else:
            grammar = schema_to_gbnf(json.dumps(json_schema))
        llm = self.bind(
            **kwargs,
            grammar=grammar,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": json_schema},
        )

        def parse(message: AIMessage) -> Any:
            text = message.content if isinstance(message.content, str) else ""
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise OutputParserException(f"invalid JSON: {error}", llm_output=text) from error
            if model_class is not None:
                return model_class.model_validate(value)
            return value

        parser = RunnableLambda(parse, name="parse_structured")
        if not include_raw:
            return llm | parser
        parser_assign = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parser_assign.with_fallbacks(
            [parser_none], exception_key="parsing_error"
        )
