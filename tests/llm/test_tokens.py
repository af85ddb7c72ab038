"""Token counting with no network: the bundled o200k_base, fallbacks, the estimate."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import tiktoken
import tiktoken.load
import tiktoken.registry
import tiktoken_ext.openai_public

from summarizer.llm import tokens
from summarizer.llm.tokens import (
    ESTIMATE,
    TokenCount,
    cheap_estimate,
    count_tokens,
    load_bundled_encoding,
    tokenizer_for,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "notes_dev.jsonl"

ENGLISH = (
    "We propose a retrieval-augmented language model that reads the documents it "
    "retrieves and cites them. On three question answering benchmarks it improves "
    "exact match by 4.2 points over a model of the same size, at 30% lower cost."
)
JAPANESE = (
    "本研究では、検索した文書を読んで引用する検索拡張型の言語モデルを提案する。"
    "三つの質問応答ベンチマークにおいて、同規模のモデルと比べて完全一致率が4.2ポイント向上し、"
    "コストは30%低下した。"
)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """No download can succeed, and none is left behind: tiktoken's cache is an empty
    folder of this test's, any HTTP(S) request goes to a closed local port, and the
    one function tiktoken fetches with records what it was asked for."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    fetched: list[str] = []
    real_read_file = tiktoken.load.read_file

    def read_file(blobpath: str) -> bytes:
        fetched.append(blobpath)
        if "://" in blobpath:
            raise requests.ConnectionError(f"offline test: no network for {blobpath}")
        return real_read_file(blobpath)

    monkeypatch.setattr(tiktoken.load, "read_file", read_file)
    # Encodings another test may have built must not hide a download.
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    tokens._tokenizer_for.cache_clear()
    yield fetched
    tokens._tokenizer_for.cache_clear()
    assert not any(cache.iterdir()), "nothing may be written to tiktoken's cache"


def test_the_bundled_encoding_is_tiktokens_o200k_base(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the installed tiktoken would download and check, without downloading it.
    asked: dict[str, str | None] = {}

    def fake_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        asked.update(url=url, expected_hash=expected_hash)
        return {}

    monkeypatch.setattr(tiktoken_ext.openai_public, "load_tiktoken_bpe", fake_load)
    spec = tiktoken_ext.openai_public.o200k_base()
    assert asked["url"].endswith("/o200k_base.tiktoken")
    assert asked["expected_hash"] == tokens._BUNDLED_SHA256
    assert spec["pat_str"] == tokens._O200K_PAT_STR
    assert spec["special_tokens"] == tokens._O200K_SPECIAL_TOKENS

    encoding = load_bundled_encoding()  # verifies the file's SHA-256 itself
    assert encoding.name == "o200k_base"
    assert encoding.n_vocab == 200_019
    # Token IDs published for o200k_base.
    assert encoding.encode("Hello world") == [13225, 2375]


def test_current_openai_models_count_exactly_with_no_download(offline: list[str]) -> None:
    for model in ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-5-mini", "gpt-4o-mini-2024-07-18"):
        assert count_tokens("Hello world", model) == TokenCount(2, "o200k_base", False)
    # gpt-oss uses o200k_harmony: the same ranks, other special tokens.
    assert count_tokens("Hello world", "gpt-oss-20b") == TokenCount(2, "o200k_base", False)
    assert [url for url in offline if "://" in url] == []


def test_models_tiktoken_does_not_know_are_approximate(offline: list[str]) -> None:
    for model in ("qwen2.5:7b-instruct", "qwen2.5-coder-1.5b-instruct-q4_k_m", "mistral"):
        count = count_tokens(ENGLISH, model)
        assert count.encoding == "o200k_base"
        assert count.approximate
        assert count.tokens == count_tokens(ENGLISH, "gpt-4o-mini").tokens
    assert [url for url in offline if "://" in url] == []


def test_an_encoding_that_cannot_be_downloaded_falls_back_to_the_bundled_one(
    offline: list[str],
) -> None:
    # gpt-4 uses cl100k_base, which is not bundled: tiktoken tries to download it.
    count = count_tokens(ENGLISH, "gpt-4")
    assert count.encoding == "o200k_base"
    assert count.approximate
    assert count.tokens > 0
    assert any(url.endswith("cl100k_base.tiktoken") for url in offline)
    # Decided once per process: no second attempt.
    attempts = len(offline)
    count_tokens("more text", "gpt-4")
    assert len(offline) == attempts


def test_a_damaged_bundled_file_means_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_BUNDLED_SHA256", "0" * 64)
    load_bundled_encoding.cache_clear()
    try:
        with pytest.raises(tokens.BundledEncodingError, match="damaged"):
            load_bundled_encoding()
        count = count_tokens(ENGLISH, "gpt-4o-mini")
        assert count == TokenCount(cheap_estimate(ENGLISH), ESTIMATE, True)
    finally:
        load_bundled_encoding.cache_clear()


def test_special_token_text_is_counted_as_text() -> None:
    count = count_tokens("the <|endoftext|> marker", "gpt-4o-mini")
    assert count.tokens > 3


def test_empty_text_has_no_tokens() -> None:
    assert count_tokens("", "gpt-4o-mini").tokens == 0
    assert cheap_estimate("") == 0


def test_the_encoding_is_built_once_and_counting_a_paper_is_fast() -> None:
    tokenizer = tokenizer_for("gpt-4o-mini")
    assert tokenizer_for("gpt-4o-mini") is tokenizer
    paper = ((ENGLISH + "\n") * 1000)[:180_000]
    started = time.perf_counter()
    count = tokenizer.count(paper)
    elapsed = time.perf_counter() - started
    assert 30_000 < count < 50_000
    assert elapsed < 1.0


# --- the estimate ------------------------------------------------------------------


def _relative_error(text: str) -> float:
    real = count_tokens(text, "gpt-4o-mini").tokens
    return (cheap_estimate(text) - real) / real


def test_the_estimate_is_close_for_english_and_japanese() -> None:
    assert abs(_relative_error(ENGLISH)) < 0.25
    assert abs(_relative_error(JAPANESE)) < 0.25
    # Japanese needs far more tokens per character: a plain chars/4 is no estimate.
    assert cheap_estimate(JAPANESE) / len(JAPANESE) > 2 * cheap_estimate(ENGLISH) / len(ENGLISH)


def test_the_estimate_beats_chars_over_four_on_the_corpus() -> None:
    if not CORPUS.is_file():
        pytest.skip(f"{CORPUS} is absent (the shared corpus lives next to the repository)")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    for key in ("abstract", "translation_ja"):
        texts = [row[key] for row in rows if row.get(key)][:60]
        ours = [abs(_relative_error(text)) for text in texts]
        naive = [
            abs(len(t) / 4 - count_tokens(t, "gpt-4o-mini").tokens)
            / count_tokens(t, "gpt-4o-mini").tokens
            for t in texts
        ]
        assert max(ours) < 0.25, key
        assert sum(ours) < sum(naive) / 2, key
