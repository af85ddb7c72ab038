"""Japanese wrapping on the review screen: no line starts with 。 or 、 (kinsoku)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from summarizer.review.screen import NO_LINE_START, wrap_japanese

SUMMARY = (
    "検索した文書を主張単位のグラフに整理し、LLMの回答の根拠を示す手法を提案。"
    "精度は4.2ポイント向上した。"
)


@pytest.mark.parametrize("width", range(10, 60))
def test_no_line_starts_with_a_closing_mark_and_nothing_is_lost(width: int) -> None:
    lines = wrap_japanese(SUMMARY, width)
    assert "".join(lines) == SUMMARY
    assert all(line[:1] not in NO_LINE_START for line in lines)
    assert all(cell_len(line) <= width for line in lines)


def test_english_words_are_not_split_and_line_breaks_stay() -> None:
    lines = wrap_japanese("fine-tuning と benchmark を比較。\n二行目。", 12)
    assert "fine-tuning" in lines[0]
    assert lines[-1] == "二行目。"
