"""The measures bench.house_style holds drafts to, on texts written for this test."""

from __future__ import annotations

import pytest

from summarizer.drafting.house_style import (
    HouseRange,
    bigram_f1,
    chinese_only_characters,
    numbers,
    plain_share,
    sentences,
)


def test_plain_share_counts_de_aru_and_noun_endings_as_plain() -> None:
    text = "検索拡張生成の手法を提案。精度を示した。遅延は小さいです。"
    assert sentences(text) == ["検索拡張生成の手法を提案。", "精度を示した。", "遅延は小さいです。"]
    assert plain_share(text) == pytest.approx(2 / 3)
    assert plain_share("") is None


def test_chinese_only_characters_are_found_and_japanese_kanji_are_not() -> None:
    assert chinese_only_characters("我们提出了一个方法。検索の精度を改善する。") == ["们", "个"]
    assert chinese_only_characters("手法を提案、実験で示した。") == []


def test_bigram_f1_is_one_for_the_same_text_and_zero_for_nothing_shared() -> None:
    assert bigram_f1("手法を提案", "手法を提案") == 1.0
    assert bigram_f1("手法を提案", "実験結果") == 0.0
    assert 0 < bigram_f1("新しい手法を提案", "手法を提案した") < 1


def test_numbers_and_the_house_range() -> None:
    assert numbers("精度を61.3%から78.9%へ、1,000件で") == {"61.3", "78.9", "1000"}
    house = HouseRange()
    assert house.contains("あ" * 203)
    assert not house.contains("あ" * 168)
    assert not house.contains("あ" * 241)
