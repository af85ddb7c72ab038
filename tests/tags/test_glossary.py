"""The house glossary: learned from the person's notes, kept on disk with their edits,
and handed to prompts and the benchmark (fictional notes; the texts are our own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import GlossaryFormatError
from summarizer.tags.glossary import (
    Term,
    adherence,
    glossary_for,
    learn_glossary,
    render_for_prompt,
)
from summarizer.tags.glossary_file import build_glossary, load_glossary, read_glossary
from summarizer.tags.katakana import sounds_alike
from summarizer.tags.log_notes import LogNote, load_log
from tests.review_support import cli_env, run_cli

CORPUS = Path("/work/shared/corpus/notes_dev.jsonl")


def note(i: int, abstract: str, translation: str) -> LogNote:
    return LogNote(f"[Paper Note] Paper {i}, A+, arXiv'25", f"Paper {i}", abstract, translation)


# Four notes per habit: LLM stays English, fine-tuning becomes katakana, "agent" is
# written both ways (no rule), and "widget" always meets ゼブラ, which does not sound
# like it (a coincidence, not a translation).
PAIRS = [
    ("An LLM that writes poems.", "詩を書くLLM。"),
    ("Testing an LLM on maths.", "数学でLLMを試験。"),
    ("The LLM reads maps.", "地図を読むLLM。"),
    ("Small LLM for phones.", "電話向けの小さなLLM。"),
    ("Cheap fine-tuning for robots.", "ロボットのための安価なファインチューニング。"),
    ("Fine-tuning with noisy labels.", "雑音のあるラベルでのファインチューニング。"),
    ("We revisit fine-tuning schedules.", "ファインチューニングの日程を再検討。"),
    ("Stable fine-tuning of vision encoders.", "視覚エンコーダの安定したファインチューニング。"),
    ("An agent books trains.", "agentが列車を予約。"),
    ("Agent memory decays.", "エージェントの記憶は薄れる。"),
    ("One agent, many tools.", "一つのagent、多くの道具。"),
    ("Agent teams argue.", "エージェントの集団が議論。"),
    ("A widget for clocks.", "時計のためのゼブラ。"),
    ("Widget colours vary.", "ゼブラの色は様々。"),
    ("The widget breaks.", "ゼブラが壊れる。"),
    ("Tiny widget designs.", "小さなゼブラの設計。"),
]
NOTES = [note(i, abstract, japanese) for i, (abstract, japanese) in enumerate(PAIRS)]


def by_term(terms: list[Term]) -> dict[str, Term]:
    return {t.key: t for t in terms}


def test_learns_what_is_kept_and_what_is_translated() -> None:
    terms = by_term(learn_glossary(NOTES))
    assert terms["llm"].kind == "keep"
    assert terms["llm"].japanese == "LLM"
    assert terms["fine-tuning"].kind == "translate"
    assert terms["fine-tuning"].japanese == "ファインチューニング"
    assert terms["fine-tuning"].notes == 4
    assert "agent" not in terms  # written both ways: no house rule
    assert "widget" not in terms  # ゼブラ goes with it but does not sound like it


def test_a_term_needs_three_notes() -> None:
    assert "fine-tuning" not in by_term(learn_glossary(NOTES[4:6]))


def test_sounds_alike() -> None:
    assert sounds_alike("benchmark", "ベンチマーク") >= 0.6
    assert sounds_alike("users", "ユーザー") >= 0.6
    assert sounds_alike("widget", "ゼブラ") < 0.6


def test_glossary_for_picks_the_terms_of_the_text_mine_first() -> None:
    glossary = [
        Term("language model", "translate", "言語モデル", 30, 0.9),
        Term("large language model", "translate", "大規模言語モデル", 20, 0.9),
        Term("LLM", "keep", "LLM", 10, 1.0),
        Term("benchmark", "translate", "ベンチマーク", 50, 0.9),
        Term("RAG", "keep", "RAG", 0, 1.0),  # a row the person added
    ]
    text = "A large language model (LLM) with RAG, on two benchmarks."
    found = [t.term for t in glossary_for(text, glossary)]
    assert found == ["RAG", "benchmark", "large language model", "LLM"]
    assert [t.term for t in glossary_for(text, glossary, limit=2)] == ["RAG", "benchmark"]
    assert glossary_for("Nothing here.", glossary) == []


def test_render_for_prompt() -> None:
    terms = [
        Term("LLM", "keep", "LLM", 3, 1.0),
        Term("fine-tuning", "translate", "ファインチューニング"),
    ]
    assert render_for_prompt(terms).splitlines()[1:] == [
        "- LLM → LLM（英語のまま）",
        "- fine-tuning → ファインチューニング",
    ]
    assert render_for_prompt([]) == ""


def test_adherence_counts_the_terms_written_the_house_way() -> None:
    terms = [Term("LLM", "keep", "LLM"), Term("fine-tuning", "translate", "ファインチューニング")]
    assert adherence("LLMのファインチューニング。", terms) == (2, 2)
    assert adherence("大規模言語モデルのfine-tuning。", terms) == (0, 2)
    assert adherence("", []) == (0, 0)


# --- the table on disk -----------------------------------------------------------------


def write_history(path: Path, notes: list[LogNote]) -> Path:
    rows = [
        {"title": n.title_line, "abstract": n.abstract, "translation_ja": n.translation}
        for n in notes
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_build_writes_a_table_that_reads_back(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.jsonl", NOTES)
    table = tmp_path / "glossary.tsv"
    result = build_glossary(table, tmp_path / "learned.tsv", [history])
    assert result.notes == len(NOTES)
    assert by_term(read_glossary(table).terms) == by_term(result.terms)
    assert "fine-tuning\ttranslate\tファインチューニング\t4\t1.00" in table.read_text("utf-8")


def test_a_rebuild_keeps_the_persons_edits(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.jsonl", NOTES)
    table, learned = tmp_path / "glossary.tsv", tmp_path / "learned.tsv"
    build_glossary(table, learned, [history])
    text = table.read_text("utf-8")
    text = text.replace("ファインチューニング\t4", "微調整\t4")  # changed
    text = "\n".join(line for line in text.splitlines() if not line.startswith("LLM\t"))  # deleted
    table.write_text(text + "\nRAG\tkeep\tRAG\n", "utf-8")  # added
    # The history changes: load_glossary notices and rebuilds.
    write_history(history, [*NOTES, note(99, "An LLM again.", "またLLM。")])
    terms = by_term(load_glossary(table, learned, [history]))
    assert terms["fine-tuning"].japanese == "微調整"
    assert "llm" not in terms
    assert terms["rag"].notes == 0
    assert read_glossary(table).fingerprint != ""


def test_without_the_learned_copy_every_row_is_the_persons(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.jsonl", NOTES)
    table = tmp_path / "glossary.tsv"
    table.write_text("LLM\tkeep\tエルエルエム\n", "utf-8")
    terms = by_term(build_glossary(table, tmp_path / "learned.tsv", [history]).terms)
    assert terms["llm"].japanese == "エルエルエム"
    assert "fine-tuning" in terms


def test_no_history_no_glossary(tmp_path: Path) -> None:
    assert load_glossary(tmp_path / "glossary.tsv", tmp_path / "learned.tsv", []) == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [("LLM\tkeep", "needs term, kind and japanese"), ("LLM\tmaybe\tLLM", "'maybe' is not keep")],
)
def test_a_bad_row_is_named(tmp_path: Path, row: str, reason: str) -> None:
    table = tmp_path / "glossary.tsv"
    table.write_text(f"# comment\n{row}\n", "utf-8")
    with pytest.raises(GlossaryFormatError, match=f"line 2: .*{reason}"):
        read_glossary(table)


def test_cli_build_and_show(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.jsonl", NOTES)
    env = cli_env(tmp_path / "home", tmp_path / "notes")
    built = run_cli(env, "glossary", "build", "--history", str(history))
    assert built.code == 0, built.stderr
    assert "terms (1 kept in English" in built.stdout
    shown = run_cli(env, "glossary", "show", "--history", str(history))
    assert "ファインチューニング" in shown.stdout
    paper = tmp_path / "abstract.txt"
    paper.write_text("Cheap fine-tuning.", "utf-8")
    for_paper = run_cli(env, "glossary", "show", "--history", str(history), "--paper", str(paper))
    assert "- fine-tuning → ファインチューニング" in for_paper.stdout
    assert "LLM" not in for_paper.stdout


def test_cli_build_without_history_is_a_one_line_error(tmp_path: Path) -> None:
    run = run_cli(cli_env(tmp_path / "home", tmp_path / "notes"), "glossary", "build")
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert "--history" in run.stderr


@pytest.mark.skipif(not CORPUS.exists(), reason="the dev corpus is not here")
def test_the_persons_own_translations_follow_a_glossary_of_their_other_notes() -> None:
    notes = load_log([CORPUS])
    held, rest = notes[::5], [n for i, n in enumerate(notes) if i % 5]
    glossary = learn_glossary(rest)
    assert len(glossary) > 100
    followed = total = 0
    for n in held:
        f, t = adherence(n.translation, glossary_for(n.abstract, glossary))
        followed, total = followed + f, total + t
    assert followed / total > 0.8
