"""Which tokens the embedded model may not write, read from a GGUF file's vocabulary."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.llm.local_vocab import (
    BANNED,
    ban_list,
    chinese_only_tokens,
    is_banned,
    is_chinese_only,
    read_tokens,
    token_text,
)


def byte_level(text: str) -> bytes:
    """``text`` as a byte-level BPE vocabulary stores it (GPT-2's printable alphabet)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    codes = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    encoder = dict(zip(printable, codes, strict=True))
    return "".join(chr(encoder[b]) for b in text.encode("utf-8")).encode("utf-8")


def gguf_string(data: bytes) -> bytes:
    return struct.pack("<Q", len(data)) + data


def write_gguf(path: Path, tokens: list[bytes], *, before: bool = True) -> Path:
    """A GGUF header with a few metadata values of several types and a token list."""
    kvs = []
    if before:
        kvs.append(gguf_string(b"general.name") + struct.pack("<I", 8) + gguf_string(b"tiny"))
        kvs.append(gguf_string(b"general.count") + struct.pack("<IQ", 10, 7))
        kvs.append(
            gguf_string(b"tokenizer.ggml.scores")
            + struct.pack("<IIQ", 9, 6, 3)
            + struct.pack("<3f", 0.0, -1.0, -2.0)
        )
    token_array = struct.pack("<IIQ", 9, 8, len(tokens)) + b"".join(map(gguf_string, tokens))
    kvs.append(gguf_string(b"tokenizer.ggml.tokens") + token_array)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs))
    return path


def test_japanese_text_is_never_chinese_only() -> None:
    japanese = "検索拡張生成の引用精度を向上させる手法を提案。実験で、品質が、改善した。"
    assert not any(is_chinese_only(char) for char in japanese)


@pytest.mark.parametrize("char", ["们", "这", "说", "个"])
def test_chinese_only_characters(char: str) -> None:
    assert is_chinese_only(char)
    assert is_banned(char)


@pytest.mark.parametrize("char", ["，", "；"])
def test_chinese_punctuation_is_banned_but_not_counted_as_a_character(char: str) -> None:
    assert is_banned(char)
    assert not is_chinese_only(char)


def test_tokens_are_decoded_from_the_byte_level_alphabet() -> None:
    assert token_text(byte_level("我们")) == "我们"
    assert token_text(byte_level(" retrieval")) == " retrieval"
    # Half a character: judged with the token that completes it.
    assert token_text(byte_level("们")[:2]) == ""
    assert token_text(b"<|im_end|>") == "<|im_end|>"


def test_the_vocabulary_is_read_from_the_header(tmp_path: Path) -> None:
    tokens = [byte_level(t) for t in ["a", "我们", "検索", "，", "<|im_end|>", " model"]]
    path = write_gguf(tmp_path / "tiny.gguf", tokens)
    assert read_tokens(path) == tokens
    assert list(chinese_only_tokens(tokens)) == [1, 3]


def test_the_ban_list_is_cached_beside_the_model_and_renewed_when_it_changes(
    tmp_path: Path,
) -> None:
    path = write_gguf(tmp_path / "tiny.gguf", [byte_level(t) for t in ["a", "这", "b"]])
    cache = tmp_path / "cache"
    assert ban_list(path, cache) == {"1": BANNED}
    (saved,) = cache.iterdir()
    assert json.loads(saved.read_text())["tokens"] == [1]
    write_gguf(path, [byte_level(t) for t in ["这", "a", "说", "b"]], before=False)
    assert ban_list(path, cache) == {"0": BANNED, "2": BANNED}
    saved.write_text("{not json", encoding="utf-8")
    assert ban_list(path, cache) == {"0": BANNED, "2": BANNED}  # a damaged cache is rebuilt


@pytest.mark.parametrize(
    "content", [b"", b"GGML" + bytes(20), b"GGUF" + struct.pack("<IQQ", 3, 0, 5)]
)
def test_a_file_that_is_not_a_whole_gguf_model_is_a_clear_error(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.gguf"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="cannot read the vocabulary"):
        read_tokens(path)


def test_a_model_without_a_token_list_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "weights-only.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 0))
    with pytest.raises(ConfigError, match="no token list"):
        read_tokens(path)
