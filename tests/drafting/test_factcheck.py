"""Numbers and names in generated Japanese text, checked against the source paper."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.drafting.claims import GENERIC_ACRONYMS, Claim, extract_names, extract_numbers
from summarizer.drafting.factcheck import CheckResult, check_against_source, mark_unsupported
from summarizer.notes.note import MARKER

# A fictional abstract (no such paper) with the kinds of numbers summaries restate.
ABSTRACT = (
    "We present EviGraph, a retrieval-augmented framework that builds an evidence graph "
    "and verifies up to 12 claims per answer. Built on an 8B-parameter Llama-3-8B model "
    "and trained on only 1,000 question-evidence pairs drawn from a corpus of 12k "
    "documents, EviGraph improves multi-hop QA accuracy by +4.2 points over LoRA "
    "fine-tuning on three benchmarks (HotpotQA, 2WikiMultiHopQA and MuSiQue), raising "
    "exact match on HotpotQA from 61.3% to 78.9 percent. It cuts latency by 41% to 35 ms "
    "per query, runs 2.3x faster than iterative retrieval, and lowers the hallucination "
    "rate to 0.4 compared with GPT-4. The code was released in March 2024."
)

SUMMARY = (
    "マルチホップQAのために、evidence graphを構築して回答ごとに最大12件の主張を検証する"
    "retrieval-augmentedな枠組みEviGraphを提案。Llama-3-8Bをベースに1,000組の質問・根拠ペアで"
    "学習し、HotpotQA・2WikiMultiHopQA・MuSiQueの3つのベンチマークでLoRAによるfine-tuningより"
    "精度を4.2ポイント改善、HotpotQAのexact matchを61.3%から78.9%へ向上させた。"
    "レイテンシを41%短縮して35msとし、反復検索より2.3倍高速。"
)


def numbers(text: str) -> list[str]:
    return [claim.normalized for claim in extract_numbers(text)]


def names(text: str) -> list[str]:
    return [claim.text for claim in extract_names(text)]


def unsupported(generated: str, source: str = ABSTRACT) -> list[str]:
    return [claim.text for claim in check_against_source(generated, source).unsupported]


# --- the whole summary ------------------------------------------------------------------


def test_a_faithful_summary_has_no_unsupported_claim() -> None:
    result = check_against_source(SUMMARY, ABSTRACT)
    assert result.unsupported == []
    assert result.ok
    assert {claim.normalized for claim in result.supported if claim.kind == "number"} == {
        "12", "1000", "3", "4.2", "61.3", "78.9", "41", "35", "2.3",
    }  # fmt: skip
    assert {claim.text for claim in result.supported if claim.kind == "name"} == {
        "EviGraph", "Llama-3-8B", "HotpotQA", "2WikiMultiHopQA", "MuSiQue", "LoRA",
    }  # fmt: skip


def test_a_summary_with_invented_claims_is_flagged() -> None:
    generated = SUMMARY.replace("4.2ポイント", "4.5ポイント").replace("78.9%", "80%")
    generated += "GPT-5と比べても高精度。"
    result = check_against_source(generated, ABSTRACT)
    assert [claim.text for claim in result.unsupported] == ["4.5ポイント", "80%", "GPT-5"]
    assert [claim.text for claim in result.unsupported_numbers] == ["4.5ポイント", "80%"]
    assert [claim.text for claim in result.unsupported_names] == ["GPT-5"]
    assert not result.ok


# --- supported restatements of the abstract's numbers -----------------------------------


@pytest.mark.parametrize(
    "generated",
    [
        # 4.2 points: signs, full-width digits, units
        "精度を4.2ポイント改善",
        "精度が+4.2ポイント向上",
        "精度が＋４．２ポイント向上",
        "4.2pt向上",
        "4.20ポイントの改善",
        # 61.3% -> 78.9%: each number of the range; % and ％ and "percent"
        "61.3%から78.9%へ向上",
        "61.3％→78.9％",
        "精度は61.3～78.9%",
        "78.9 percentを達成",
        # 41% shorter, 35 ms
        "レイテンシを41%短縮",
        "41％削減し35msに",
        "1クエリあたり35ミリ秒",
        # 2.3x
        "2.3倍高速",
        "2.3×の高速化",
        "2.3x faster",
        "2.3 times faster",
        # 0.4 with a trailing zero
        "ハルシネーション率を0.40に低下",
        # 8B parameters in several spellings
        "8Bパラメータのモデル",
        "80億パラメータ",
        "8 billionパラメータ",
        # 1,000 pairs: separators, no separator, 千
        "1,000組で学習",
        "1000組で学習",
        "１，０００組",
        "1千組のペア",
        # 12k documents: 1.2万, 12,000, 12k, 12K
        "1.2万件の文書",
        "12,000件の文書",
        "12k件の文書",
        # 12 claims
        "12件の主張",
        "十二件の主張",
        # three benchmarks: the source says "three"
        "3つのベンチマーク",
        "３つのベンチマーク",
        "三つのベンチマーク",
        "3種類のベンチマーク",
        # dates: year and month name
        "2024年3月に公開",
        # approximations
        "約79%に向上",
        "およそ2倍高速",
        "約80%",
        "レイテンシを40%程度短縮",
    ],
)
def test_restated_numbers_are_supported(generated: str) -> None:
    result = check_against_source(generated, ABSTRACT)
    assert result.supported, "the case must contain a claim"
    assert unsupported(generated) == []


@pytest.mark.parametrize(
    ("generated", "flagged"),
    [
        ("精度を4.5ポイント改善", ["4.5ポイント"]),
        ("精度を80%に向上", ["80%"]),
        ("61.3%から80.1%へ", ["80.1%"]),
        ("レイテンシを45%短縮", ["45%"]),
        ("50msを達成", ["50ms"]),
        ("5つのベンチマーク", ["5"]),
        ("五つのベンチマーク", ["五つ"]),
        ("3.2倍高速", ["3.2倍"]),
        ("1.5万件の文書", ["1.5万"]),
        ("16Bモデル", ["16B"]),
        ("70億パラメータ", ["70億"]),
        ("10,000組", ["10,000"]),
        ("2023年に公開", ["2023"]),
        ("約90%", ["約90%"]),
        ("79%に向上", ["79%"]),  # rounding needs 約
        ("-12.5ポイント", ["-12.5ポイント"]),
    ],
)
def test_invented_numbers_are_unsupported(generated: str, flagged: list[str]) -> None:
    assert unsupported(generated) == flagged


@pytest.mark.parametrize(
    ("generated", "source"),
    [
        ("78.9%に向上", "to 78.9%"),
        ("78.9%に向上", "to 78.9 percent"),
        ("78.9%に向上", "to 78.9％"),
        ("2.3倍高速", "2.3x faster"),
        ("2.3倍高速", "2.3× faster"),
        ("2.3倍高速", "2.3 times faster"),
        ("1.2万件", "12,000 documents"),
        ("1.2万件", "12000 documents"),
        ("1.2万件", "12k documents"),
        ("12,000件", "1.2万件の文書"),
        ("80億パラメータ", "an 8B-parameter model"),
        ("8Bモデル", "8 billion parameters"),
        ("0.4に低下", "down to 0.40"),
        ("4.2ポイント向上", "+4.2 points"),
        ("4.2ポイント低下", "a drop of -4.2 points"),
        ("41%短縮", "cuts latency by 41%"),
        ("3.5倍", "a 3.5-fold speed-up"),
    ],
)
def test_the_source_may_write_numbers_in_any_of_these_forms(generated: str, source: str) -> None:
    assert unsupported(generated, source) == []


# --- extracting numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("４．２ポイント", ["4.2"]),
        ("1,000組", ["1000"]),
        ("1,000, 2,000 and 1,000,000", ["1000", "2000", "1000000"]),
        ("12k件", ["12000"]),
        ("1.2万件", ["12000"]),
        ("80億", ["8000000000"]),
        ("8B", ["8000000000"]),
        ("8B-parameter", ["8000000000"]),
        ("1.3Bパラメータ", ["1300000000"]),
        ("100Mトークン", ["100000000"]),
        ("2 million", ["2000000"]),
        ("3千万件", ["30000000"]),
        ("0.40", ["0.4"]),
        ("0.0", ["0"]),
        ("+4.2ポイント", ["4.2"]),
        ("−3.1ポイント", ["3.1"]),
        ("61.3%から78.9%へ", ["61.3", "78.9"]),
        ("15--25%程度", ["15", "25"]),
        ("2.3倍、2.3x、2.3×", ["2.3", "2.3", "2.3"]),
        ("三つ、十二件、二十三個、二倍", ["3", "12", "23", "2"]),
        ("5-shotと4-bit量子化", ["5", "4"]),
        ("第3章とFigure 2とFig.4", ["3", "2", "4"]),
        ("2024年", ["2024"]),
    ],
)
def test_extract_numbers_normalizes(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "claim_texts"),
    [
        ("精度を+4.2ポイント改善", ["+4.2ポイント"]),
        ("61.3%から78.9％へ", ["61.3%", "78.9％"]),
        ("約79%に", ["約79%"]),
        ("40%程度短縮", ["40%程度"]),
        ("三つのベンチマーク", ["三つ"]),
        ("1.2万件", ["1.2万"]),
        ("35msに", ["35ms"]),
    ],
)
def test_number_claims_keep_the_text_as_written(text: str, claim_texts: list[str]) -> None:
    assert [claim.text for claim in extract_numbers(text)] == claim_texts
    assert all(claim.kind == "number" for claim in extract_numbers(text))


@pytest.mark.parametrize(
    "text",
    [
        "GPT-4を用いる",
        "Llama-3-8Bをベースに",
        "2WikiMultiHopQAで評価",
        "ViT-B/16とViT-L/14",
        "GPT-3.5とQwen2.5-7B",
        "BERT4Recを提案",
        "COVID-19のデータ",
        "一般的な手法を統一し、十分な性能と数十の例",  # kanji that are not counts
        "https://arxiv.org/abs/2506.12345 を参照",  # URLs are not claims
        MARKER,
        "",
    ],
)
def test_numbers_inside_names_and_non_numbers_are_not_extracted(text: str) -> None:
    assert extract_numbers(text) == []


# --- extracting names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EviGraphを提案", ["EviGraph"]),
        ("HotpotQA・2WikiMultiHopQA・MuSiQueの3つ", ["HotpotQA", "2WikiMultiHopQA", "MuSiQue"]),
        ("Llama-3-8Bをベースに", ["Llama-3-8B"]),
        ("ViT-B/16で画像を符号化", ["ViT-B/16"]),
        ("BLEU/ROUGEで評価", ["BLEU", "ROUGE"]),
        ("GPT-4とGPT-4o-miniとo1", ["GPT-4", "GPT-4o-mini", "o1"]),
        ("ImageNetとMMLU、LoRA", ["ImageNet", "MMLU", "LoRA"]),
        ("word2vecの埋め込み", ["word2vec"]),
        ("Ｔｒａｎｓｆｏｒｍｅｒを用いる", ["Ｔｒａｎｓｆｏｒｍｅｒ"]),
        ("Single-step GRAMを提案", ["Single-step", "GRAM"]),
    ],
)
def test_extract_names(text: str, expected: list[str]) -> None:
    assert names(text) == expected
    assert all(claim.kind == "name" for claim in extract_names(text))


def test_name_claims_are_normalized_to_lowercase_letters_and_digits() -> None:
    assert [claim.normalized for claim in extract_names("Llama-3-8BとViT-B/16")] == [
        "llama38b",
        "vitb16",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "fine-tuningとbenchmarkでlatencyを測る",  # lowercase English words
        "LLM、LLMs、NLP、AI、RL、QA、SOTA、SoTA、CPU、GPU、GPUs、API",  # vocabulary
        "8B、35ms、12k、2.3x、5-shot、1st",  # numbers with units
        "A/Bテストでモデルaとb",  # single letters
        "Figure1とTable 2",  # references into the paper
    ],
)
def test_words_that_are_not_names(text: str) -> None:
    assert extract_names(text) == []


@pytest.mark.parametrize("acronym", ["LLM", "NLP", "AI", "RL", "QA", "SOTA", "CPU", "GPU", "API"])
def test_generic_acronyms_are_in_the_stoplist_and_never_flagged(acronym: str) -> None:
    assert acronym in GENERIC_ACRONYMS
    assert unsupported(f"{acronym}を用いた手法", source="A method.") == []


# --- matching names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("generated", "source"),
    [
        ("Llama-3を使う", "We fine-tune LLaMA 3 on the data."),
        ("Llama3を使う", "We fine-tune Llama-3."),
        ("LLaMA 3を使う", "We fine-tune Llama-3-8B."),
        ("EviGraphを提案", "Our EviGraph-R variant"),
        ("IMAGENETで評価", "pretrained on ImageNet"),
        ("GPT-4と比較", "compared with GPT-4o"),
        ("Transformersを用いる", "a Transformer encoder"),
        ("2WikiMultiHopQAで評価", "(2Wiki MultiHopQA)"),
        ("MuSiQueで評価", "on MuSiQue-Ans"),
    ],
)
def test_names_written_differently_are_supported(generated: str, source: str) -> None:
    assert unsupported(generated, source) == []


@pytest.mark.parametrize(
    ("generated", "source", "flagged"),
    [
        ("GPT-5と比較", ABSTRACT, ["GPT-5"]),
        ("ImageNetで評価", ABSTRACT, ["ImageNet"]),
        ("BERTを用いる", "We fine-tune RoBERTa.", ["BERT"]),
        ("GPT-4と比較", "compared with GPT-40", ["GPT-4"]),
        ("Llama-2を使う", "We fine-tune Llama-3.", ["Llama-2"]),
        ("Qwen2.5-7Bを使う", "We fine-tune Qwen2.5-72B.", ["Qwen2.5-7B"]),
    ],
)
def test_names_not_in_the_source_are_unsupported(
    generated: str, source: str, flagged: list[str]
) -> None:
    assert unsupported(generated, source) == flagged


# --- small counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("generated", "source", "supported"),
    [
        ("2つの手法", "We compare two methods.", True),
        ("2つの手法", "We compare 2 methods.", True),
        ("2つの手法", "We compare both methods.", True),
        ("二つの手法", "We compare two methods.", True),
        ("2つの手法", "We compare three methods.", False),
        ("3分の1の試行で", "with a third of the attempts", True),
        ("10分の1のデータで", "with one-tenth of the data", True),
        ("1つは", "One reason is", True),
        ("1つは", "a reason is", True),  # "a" is the word for one
        ("1.0倍", "a model that matches", False),  # a measurement, not a count
        ("15世代", "fifteen generations", True),
        ("25個", "twenty-five tasks", True),
        ("2,000件", "two thousand examples", True),
        ("100件", "a hundred examples", True),
        ("2022年11月に公開", "released in November 2022", True),
        ("2倍", "doubles the throughput", True),
        ("3倍", "a threefold speed-up", True),
    ],
)
def test_small_counts_match_english_words(generated: str, source: str, supported: bool) -> None:
    assert (unsupported(generated, source) == []) is supported


# --- the result ---------------------------------------------------------------------------


def test_repeated_claims_are_reported_once() -> None:
    result = check_against_source("GPT-5とGPT-5、4.5%と4.5%", ABSTRACT)
    assert result.unsupported == [
        Claim("GPT-5", "name", "gpt5"),
        Claim("4.5%", "number", "4.5"),
    ]


def test_empty_texts() -> None:
    assert check_against_source("", ABSTRACT) == CheckResult(supported=[], unsupported=[])
    assert unsupported("GPT-5と4.5%", "") == ["GPT-5", "4.5%"]


def test_claims_are_frozen() -> None:
    claim = Claim("4.2", "number", "4.2")
    with pytest.raises(AttributeError):
        claim.text = "4.5"  # type: ignore[misc]


# --- marking --------------------------------------------------------------------------------


def test_marker_is_visible_and_has_no_markdown_meaning() -> None:
    assert "⚠" in MARKER
    assert "要確認" in MARKER
    assert not set(MARKER) & set("*_`[]()<>#|\\!~")


def test_mark_unsupported_marks_every_occurrence_and_nothing_else() -> None:
    generated = "GPT-5より4.5ポイント高い。GPT-5は78.9%、EviGraphは4.5ポイント向上。"
    marked = mark_unsupported(generated, check_against_source(generated, ABSTRACT))
    assert marked == (
        f"GPT-5{MARKER}より4.5ポイント{MARKER}高い。GPT-5{MARKER}は78.9%、"
        f"EviGraphは4.5ポイント{MARKER}向上。"
    )


def test_mark_unsupported_is_idempotent() -> None:
    generated = SUMMARY.replace("4.2ポイント", "4.5ポイント") + "GPT-5を上回る。"
    once = mark_unsupported(generated, check_against_source(generated, ABSTRACT))
    assert once.count(MARKER) == 2
    # with the first result, or with a result computed on the marked text
    assert mark_unsupported(once, check_against_source(generated, ABSTRACT)) == once
    assert mark_unsupported(once, check_against_source(once, ABSTRACT)) == once
    assert check_against_source(once, ABSTRACT).unsupported == (
        check_against_source(generated, ABSTRACT).unsupported
    )


def test_marking_a_faithful_summary_changes_nothing() -> None:
    assert mark_unsupported(SUMMARY, check_against_source(SUMMARY, ABSTRACT)) == SUMMARY


def test_marking_keeps_markdown_intact() -> None:
    generated = "- **GPT-5**と比較し、`4.5%`向上 ([GPT-5](https://example.org/4.5))"
    marked = mark_unsupported(generated, check_against_source(generated, ABSTRACT))
    assert marked == (
        f"- **GPT-5{MARKER}**と比較し、`4.5%{MARKER}`向上 "
        f"([GPT-5{MARKER}](https://example.org/4.5))"
    )


def test_marking_full_width_claims_keeps_the_original_characters() -> None:
    generated = "精度を４．５ポイント改善"
    marked = mark_unsupported(generated, check_against_source(generated, ABSTRACT))
    assert marked == f"精度を４．５ポイント{MARKER}改善"


def test_a_marker_that_splits_a_token_does_not_create_new_claims() -> None:
    generated = "モデルc1,000件と4.5%"
    once = mark_unsupported(generated, check_against_source(generated, ABSTRACT))
    assert once == f"モデルc1{MARKER},000件と4.5%{MARKER}"
    assert extract_numbers(once) == extract_numbers(generated)
    assert mark_unsupported(once, check_against_source(once, ABSTRACT)) == once


_PIECES = [
    *"0123456789.,%+-~ 約倍万億千つ三十二ABCGPTabkxMB/()（）*`[]#",
    "GPT-5", "GPT-4", "4.5", "4.2", "1,000", "Llama-3", "ポイント", MARKER,
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_marking_only_adds_markers_and_is_idempotent(generated: str) -> None:
    result = check_against_source(generated, ABSTRACT)
    once = mark_unsupported(generated, result)
    assert once.replace(MARKER, "") == generated.replace(MARKER, "")
    assert mark_unsupported(once, result) == once
    assert mark_unsupported(once, check_against_source(once, ABSTRACT)) == once


# --- the real notes -------------------------------------------------------------------------

NOTES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "notes_dev.jsonl"


@pytest.fixture(scope="module")
def real_notes() -> list[dict[str, object]]:
    if not NOTES.is_file():
        pytest.skip(f"{NOTES} is absent")
    return [json.loads(line) for line in NOTES.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("field", ["summary_ja", "translation_ja"])
def test_real_notes_written_from_their_abstract_are_nearly_all_supported(
    real_notes: list[dict[str, object]], field: str
) -> None:
    # The house notes' summaries and translations were written (by GPT models) from the
    # abstract, so nearly every number and name in them is in it.  Measured on the 163
    # notes:
    #   summary_ja:     1 note with an unsupported number (99.4% clean): "17兆トークン"
    #                   for a "1.7-trillion-token dataset", a real error; 2 with an
    #                   unsupported name (98.8% clean): "Forgeting" (a typo for
    #                   Forgetting) and "LMM" (the abstract says speech LLMs), both real.
    #   translation_ja: 2 notes with an unsupported number (98.8% clean): the same
    #                   "17兆", and "3つの側面" where the abstract's text lost its spaces
    #                   ("threecore aspects"); 2 with an unsupported name: "Forgeting"
    #                   and "Mechanical" (the abstract has "AmazonMechanical Turk").
    # 231 numbers and 406 names in the summaries, 543 and 810 in the translations.
    notes_with_number = notes_with_name = 0
    flagged: list[str] = []
    for note in real_notes:
        result = check_against_source(str(note[field]), str(note["abstract"]))
        notes_with_number += bool(result.unsupported_numbers)
        notes_with_name += bool(result.unsupported_names)
        flagged += [f"{note['issue']}: {claim.text}" for claim in result.unsupported]
    total = len(real_notes)
    print(
        f"\n{field}: {total} notes; with an unsupported number {notes_with_number} "
        f"({notes_with_number / total:.1%}), with an unsupported name {notes_with_name} "
        f"({notes_with_name / total:.1%}); flagged: {flagged}"
    )
    assert total == 163
    assert (total - notes_with_number) / total >= 0.97
    assert (total - notes_with_name) / total >= 0.97


def test_real_summaries_with_a_changed_number_are_flagged(
    real_notes: list[dict[str, object]],
) -> None:
    # Change the last digit of each number of two or more digits in the real summaries
    # (one at a time) and check again.  Measured: 146 of 150 changes flagged (97.3%); the
    # other 4 are approximations within 5% (約60% -> 約63%, 約70% -> 約73%) or land on
    # another number of the abstract (30 -> 33 with "33% fewer tokens"; 2.7% -> 2.0%).
    changed = flagged = 0
    missed: list[str] = []
    for note in real_notes:
        summary, abstract = str(note["summary_ja"]), str(note["abstract"])
        for claim in dict.fromkeys(extract_numbers(summary)):
            match = re.search(r"\d+(?:\.\d+)?", claim.text)
            if match is None or len(match.group().replace(".", "")) < 2:
                continue
            digits = match.group()
            wrong = claim.text.replace(digits, digits[:-1] + str((int(digits[-1]) + 3) % 10), 1)
            # the claim itself, not the same digits inside a longer number
            place = re.search(
                rf"(?<![A-Za-z0-9.,~〜約-]){re.escape(claim.text)}(?![\d.,])", summary
            )
            assert place is not None
            generated = f"{summary[: place.start()]}{wrong}{summary[place.end() :]}"
            changed += 1
            result = check_against_source(generated, abstract)
            if wrong in {c.text for c in result.unsupported}:
                flagged += 1
            else:
                missed.append(f"{claim.text} -> {wrong}")
    print(f"\nchanged numbers flagged: {flagged}/{changed}; missed: {missed}")
    assert changed >= 140
    assert flagged / changed >= 0.95
