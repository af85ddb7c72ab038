"""Tokens the embedded model may never write in Japanese text: Chinese-only characters.

A 1.5B Qwen model asked for Japanese drifts into Chinese (我们提出…): the check in
:mod:`summarizer.drafting.japanese` catches it after the fact, but the cheapest fix
is not to let it happen.  Every token of the model's vocabulary that contains a Han
character Japanese does not use (no Shift-JIS encoding: 们, 这, 说 …; or a
simplified form Shift-JIS happens to hold, 个) or Chinese-only punctuation (，；)
is banned from sampling by a logit bias.  On Qwen2.5's 151,936 tokens that is about
13k tokens; the list is computed once per model file and cached beside it.

The vocabulary is read straight from the GGUF header with the standard library: the
``gguf`` package would also do it, but it maps every tensor with numpy first (9 s on
this file) and brings requests and tqdm along, for one array of strings.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

from summarizer.errors import ConfigError
from summarizer.fsutil import atomic_write_text

# Simplified forms that have a Shift-JIS encoding of their own (so the encoding test
# alone lets them through) yet are not how Japanese writes the word.
SIMPLIFIED_WITH_SJIS = frozenset("个")
# Punctuation Chinese uses and Japanese does not (Japanese has 、 and 。).
CHINESE_PUNCTUATION = frozenset("，；")
# A logit bias this low is never sampled (OpenAI's scale ends at -100).
BANNED = -100
BAN_LIST_VERSION = 2

_GGUF_MAGIC = b"GGUF"
_TOKENS_KEY = "tokenizer.ggml.tokens"
# GGUF value types and the struct format of the fixed-size ones.
_SCALARS = {
    0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d",
}  # fmt: skip
_STRING, _ARRAY = 8, 9


def is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FFFF


@cache
def is_chinese_only(char: str) -> bool:
    """A Han character Japanese text does not use: one with no Shift-JIS encoding, or
    a simplified form in :data:`SIMPLIFIED_WITH_SJIS`."""
    if char in SIMPLIFIED_WITH_SJIS:
        return True
    if not is_han(char):
        return False
    try:
        char.encode("shift_jis")
    except UnicodeEncodeError:
        return True
    return False


def is_banned(char: str) -> bool:
    """What the embedded model may not write: a Chinese-only character, or Chinese
    punctuation (the person's notes do use ， now and then, but never as a drift)."""
    return char in CHINESE_PUNCTUATION or is_chinese_only(char)


# --- reading the vocabulary ------------------------------------------------------------


def _read(handle: BinaryIO, fmt: str) -> int | float | bool:
    size = struct.calcsize("<" + fmt)
    data = handle.read(size)
    if len(data) != size:
        raise ValueError("the file ends inside its header")
    return struct.unpack("<" + fmt, data)[0]


def _string(handle: BinaryIO) -> bytes:
    length = int(_read(handle, "Q"))
    data = handle.read(length)
    if len(data) != length:
        raise ValueError("the file ends inside a string")
    return data


def _skip(handle: BinaryIO, value_type: int) -> None:
    if value_type == _STRING:
        _string(handle)
    elif value_type == _ARRAY:
        item_type, count = int(_read(handle, "I")), int(_read(handle, "Q"))
        if item_type in _SCALARS:
            handle.seek(count * struct.calcsize("<" + _SCALARS[item_type]), 1)
        else:
            for _ in range(count):
                _skip(handle, item_type)
    elif value_type in _SCALARS:
        _read(handle, _SCALARS[value_type])
    else:
        raise ValueError(f"unknown GGUF value type {value_type}")


def read_tokens(path: Path) -> list[bytes]:
    """The vocabulary of a GGUF file, as its raw token strings (byte-level BPE text).

    Raises:
        ConfigError: the file is not a GGUF model or has no token list.
    """
    try:
        with path.open("rb") as handle:
            if handle.read(4) != _GGUF_MAGIC:
                raise ValueError("not a GGUF file")
            _read(handle, "I")  # version
            _read(handle, "Q")  # tensors
            for _ in range(int(_read(handle, "Q"))):
                key = _string(handle).decode("utf-8", "replace")
                value_type = int(_read(handle, "I"))
                if key == _TOKENS_KEY and value_type == _ARRAY:
                    item_type, count = int(_read(handle, "I")), int(_read(handle, "Q"))
                    if item_type != _STRING:
                        raise ValueError("its token list is not made of strings")
                    return [_string(handle) for _ in range(count)]
                _skip(handle, value_type)
    except (OSError, ValueError, struct.error) as error:
        raise ConfigError(f"cannot read the vocabulary of {path}: {error}") from None
    raise ConfigError(f"{path} has no token list ({_TOKENS_KEY}); is it a chat model?")


@cache
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet, reversed: the printable character that stands
    for each byte, back to the byte."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    codes = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes, strict=True)}


def token_text(token: bytes) -> str:
    """What a byte-level BPE token writes; bytes of a character the token does not
    finish are left out (they are judged with the token that completes them)."""
    decoder = _byte_decoder()
    text = token.decode("utf-8", "replace")
    if not all(char in decoder for char in text):
        return text  # a special token (<|im_end|>) is stored as written
    return bytes(decoder[char] for char in text).decode("utf-8", "ignore")


def chinese_only_tokens(tokens: list[bytes]) -> Iterator[int]:
    """Indices of the tokens that write a Chinese-only character."""
    for index, token in enumerate(tokens):
        if any(is_banned(char) for char in token_text(token)):
            yield index


# --- the cached ban list -----------------------------------------------------------------


def ban_list(model_path: Path, cache_dir: Path) -> dict[str, int]:
    """``{token id: -100}`` for every Chinese-only token of the model, as OpenAI's
    ``logit_bias`` spells it; computed once per model file (by size and time)."""
    stat = model_path.stat()
    stamp = {"version": BAN_LIST_VERSION, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    cached = cache_dir / f"{model_path.stem}.chinese-only-tokens.json"
    try:
        saved = json.loads(cached.read_text(encoding="utf-8"))
        if saved.get("stamp") == stamp:
            return dict.fromkeys(map(str, saved["tokens"]), BANNED)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing, stale or damaged: compute it again
    banned = list(chinese_only_tokens(read_tokens(model_path)))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cached, json.dumps({"stamp": stamp, "tokens": banned}), replace=True)
    except OSError:
        pass  # a read-only cache only costs the second of computing it again
    return dict.fromkeys(map(str, banned), BANNED)
