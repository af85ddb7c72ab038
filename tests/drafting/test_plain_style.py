"""Polite sentence endings made plain, where the ending alone says how."""

from __future__ import annotations

import pytest

from summarizer.drafting.house_style import plain_share
from summarizer.drafting.plain_style import to_plain_style


@pytest.mark.parametrize(
    ("polite", "plain"),
    [
        ("新しい検索手法を提案します。", "新しい検索手法を提案する。"),
        ("精度が4.2ポイント向上しました。", "精度が4.2ポイント向上した。"),
        ("引用の根拠が示されました。", "引用の根拠が示された。"),
        ("追加の学習は必要ありません。", "追加の学習は必要ない。"),
        ("遅延は35msでした。", "遅延は35msであった。"),
        ("この設計は有効です。", "この設計は有効である。"),
        ("渡すことが多いです。", "渡すことが多い。"),
        ("性能が大きく改善されています。", "性能が大きく改善されている。"),
        ("同じ結果が得られました。", "同じ結果が得られた。"),
        ("学習コストを抑えることができます。", "学習コストを抑えることができる。"),
        ("速度が2.3倍になります。", "速度が2.3倍になる。"),
        ("モデルを比べます。", "モデルを比べる。"),
        # Godan verbs in す are not suru verbs; a kanji compound before them is.
        ("有効性を示します。", "有効性を示す。"),
        ("計算量を減らします。", "計算量を減らす。"),
        ("新しい指標を提示します。", "新しい指標を提示する。"),
    ],
)
def test_polite_endings_become_plain(polite: str, plain: str) -> None:
    assert to_plain_style(polite) == plain


@pytest.mark.parametrize(
    "text",
    [
        "評価を行います。",  # godan: 行う, not 行いる
        "新しいデータを使います。",
        "EviGraphを提案。引用精度を61.3%から78.9%へ向上。",  # already plain
    ],
)
def test_what_the_ending_cannot_tell_is_left_as_it_is(text: str) -> None:
    assert to_plain_style(text) == text


def test_only_sentence_ends_change() -> None:
    text = "提案しますという表現を含むが、文末ではない。結果を示しました。"
    assert to_plain_style(text) == "提案しますという表現を含むが、文末ではない。結果を示した。"


def test_a_polite_summary_becomes_house_plain() -> None:
    polite = "検索拡張生成の手法を提案します。3つのbenchmarkで精度が向上しました。遅延は35msです。"
    assert plain_share(polite) == 0
    assert plain_share(to_plain_style(polite)) == 1
