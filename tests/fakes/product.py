"""Default scripted replies that make :class:`FakeChatServer` answer like a model
driving the real product (tags, Japanese summary, Japanese translation).

The texts describe the fictional fixture paper ``2506.12345`` (EviGraph).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeChatServer

__all__ = [
    "PRODUCT_COMMENT",
    "PRODUCT_PART_NOTES",
    "PRODUCT_SUMMARY_JA",
    "PRODUCT_TAGS",
    "PRODUCT_TRANSLATION_JA",
    "default_product_script",
]

#: Tags returned for structured-output requests (the product's schema: {"tags": [str]}).
PRODUCT_TAGS: list[str] = ["NLP", "LanguageModel", "RAG(RetrievalAugmentedGeneration)"]

#: Reply to summary prompts: terse である / 体言止め style, 2-3 sentences.
PRODUCT_SUMMARY_JA = (
    "検索した文章を主張単位のエビデンスグラフに整理し、連結した部分グラフのみから回答を生成する"
    "検索拡張生成手法EviGraphを提案。"
    "3つのマルチホップQAベンチマークで完全一致率を平均4.2ポイント改善し、"
    "引用精度を61.3%から78.9%へ向上。"
    "追加の遅延は1問あたり35msにとどまる。"
)

#: Reply to translation prompts: a Japanese rendering of the fixture abstract.
PRODUCT_TRANSLATION_JA = (
    "大規模言語モデル(LLM)は、検索した文章をもとにマルチホップ質問に回答する際、"
    "実際には回答を裏付けない根拠を引用することが多い。"
    "本研究では、検索した文章を、文単位の主張をノード、同じエンティティに言及する主張同士を"
    "エッジとする軽量なエビデンスグラフに整理する検索拡張生成手法EviGraphを提案する。"
    "小規模なグラフ再ランキング器が最大12個の主張からなる連結部分グラフを選択し、"
    "生成器はその部分グラフのみに基づいて回答し、依拠した主張を明示するよう学習される。"
    "3つのマルチホップベンチマーク(HotpotQA、2WikiMultiHopQA、MuSiQue)において、"
    "EviGraphは同じ8Bパラメータのバックボーンを用いた密ベクトル検索ベースラインに対して"
    "完全一致率を平均4.2ポイント改善し、引用精度を61.3%から78.9%に向上させた。"
    "再ランキング器による遅延の増加は1問あたり35msにすぎず、プロンプト長は41%短縮される。"
)


#: Reply to the Comment prompt (structured: overview / method / results).
PRODUCT_COMMENT = {
    "overview": "マルチホップQAでLLMが回答を裏付けない根拠を引用する問題に対し、"
    "検索結果をエビデンスグラフに整理するEviGraphを提案。",
    "method": "文単位の主張をノード、同じエンティティに言及する主張同士をエッジとする"
    "グラフを構築し、"
    "小さなグラフ再ランキング器が最大12個の主張からなる連結部分グラフを選ぶ。"
    "生成器はその部分グラフのみから回答し、依拠した主張を明示する。",
    "results": "HotpotQA、2WikiMultiHopQA、MuSiQueで完全一致率を平均4.2ポイント改善し、"
    "引用精度は61.3%から78.9%に向上。追加の遅延は35ms。",
}

#: Reply to the map step over one part of a long paper.
PRODUCT_PART_NOTES = "- EviGraphは主張単位のエビデンスグラフを使う\n- 完全一致率が4.2ポイント向上"


def _wants_comment(request_json: dict[str, Any]) -> bool:
    return _wants_structured_output(request_json) and "CommentDraft" in json.dumps(request_json)


def _wants_structured_output(request_json: dict[str, Any]) -> bool:
    """Structured-output requests, as langchain-openai sends them (JSON schema or tools)."""
    return "response_format" in request_json or "tools" in request_json


def default_product_script(server: FakeChatServer) -> None:
    """Install the product's default rules on ``server``.

    Order matters: structured output first (a tag prompt may mention anything),
    then 要約 (a summary prompt may also mention translation), then 翻訳.
    """
    server.script(_wants_comment, json.dumps(PRODUCT_COMMENT, ensure_ascii=False))
    server.script(_wants_structured_output, json.dumps({"tags": PRODUCT_TAGS}))
    server.script("覚え書き", PRODUCT_PART_NOTES)
    server.script("要約", PRODUCT_SUMMARY_JA)
    server.script("翻訳", PRODUCT_TRANSLATION_JA)
