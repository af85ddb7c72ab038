"""The Japanese-text check used to catch replies in the wrong language."""

from __future__ import annotations

import pytest

from summarizer.drafting.japanese import JAPANESE_THRESHOLD, is_mostly_japanese, japanese_ratio


def test_house_style_summary_is_japanese() -> None:
    # The first example summary in prompts/summarize.toml.
    text = (
        "Speculative decodingでは別途draft modelを学習するコストと、target modelとの分布のずれ"
        "が課題。target modelの中間層に軽量なSparse Draft Heads (SDH)を付与し、パラメータの"
        "0.5%のみをdistillationで学習する手法を提案。code・対話・要約の4つのbenchmarkで出力を"
        "変えずに2.3倍の高速化を達成し、160Mのdraft modelよりacceptance rateが18%高いことを示した。"
    )
    assert JAPANESE_THRESHOLD < japanese_ratio(text) < 0.5  # English terms are long
    assert is_mostly_japanese(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12.5% (3/4) -- 2025",
        "We propose a method that improves retrieval by 4.2 points.",
        "我们提出了一种新的检索方法，在三个基准上提高了准确率。",  # Chinese: kanji, no kana
        "Ceci n'est pas du japonais.",
    ],
)
def test_text_without_kana_is_not_japanese(text: str) -> None:
    assert japanese_ratio(text) == 0.0
    assert not is_mostly_japanese(text)


def test_digits_and_ascii_punctuation_count_for_neither() -> None:
    assert (
        japanese_ratio("精度が向上した。") == japanese_ratio("精度が4.2%向上した (±0.05)。") == 1.0
    )


def test_mostly_english_with_a_japanese_sentence_is_not_japanese() -> None:
    text = (
        "This paper proposes QuietPrune, which prunes attention heads of small language "
        "models without training. 手法を提案。"
    )
    assert 0.0 < japanese_ratio(text) < JAPANESE_THRESHOLD
    assert not is_mostly_japanese(text)


def test_full_width_punctuation_and_katakana_count_as_japanese() -> None:
    assert japanese_ratio("トランスフォーマー（ＶｉＴ）！") == 1.0


def test_a_drift_into_chinese_is_not_japanese() -> None:
    text = "我们提出したLedgerは、生成回答が使用するパスを記録する手法である。"
    assert japanese_ratio(text) > JAPANESE_THRESHOLD  # the kana alone would pass it
    assert not is_mostly_japanese(text)


def test_japanese_kanji_that_look_chinese_are_fine() -> None:
    assert is_mostly_japanese("時間に対する個別の説明を行う為、技術的な工夫をした。")
