"""Few-shot examples from the person's log, through the real client and a fake server."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.drafting.chain import DraftChain
from summarizer.drafting.log_examples import (
    MIN_LOG_NOTES,
    LogExamples,
    log_examples_for,
    usable_notes,
)
from summarizer.drafting.user_log import read_user_log
from summarizer.llm.models import make_chat_model
from summarizer.llm.retry_policy import RetryPolicy
from summarizer.settings import Settings
from summarizer.tags.log_notes import LogNote, load_log
from summarizer.tags.vocabulary import load_vocabulary
from tests.factories import make_paper
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script

TOPICS = ("speech recognition", "graph neural networks", "protein folding", "image segmentation")


def log_item(number: int, topic: str, **overrides: str) -> LogNote:
    title = f"A study of {topic} number {number}"
    values = {
        "title_line": f"[Paper Note] {title}, Ann Author+, arXiv'24, 2024.01",
        "title": title,
        "abstract": f"We study {topic}. Our {topic} method improves {topic} benchmarks.",
        "link": f"https://arxiv.org/abs/2401.{number:05d}",
        "translation": f"{topic}の研究{number}。提案手法は{topic}のbenchmarkを改善します。",
        "summary": f"{topic}について新しい手法を提案し、benchmarkで改善を示した研究{number}。" * 2,
    }
    values.update(overrides)
    return LogNote(**values)


def test_nearest_notes_never_include_the_papers_own_note() -> None:
    notes = usable_notes([log_item(i, TOPICS[i % 4]) for i in range(8)])
    examples = LogExamples(notes, count=2)
    own = notes[1]  # graph neural networks, number 1
    chosen = examples.nearest(own.abstract, arxiv_id=own.key)
    assert own not in chosen
    assert len(chosen) == 2
    # The log's other note on the same topic comes first.
    assert chosen[0].key == "2401.00005"


def test_examples_show_the_nearest_note_last_and_its_section_as_the_answer() -> None:
    notes = usable_notes([log_item(i, TOPICS[i % 4]) for i in range(8)])
    selector = LogExamples(notes, count=2).for_prompt("translation", fallback=[])
    picked = selector.select_examples({"abstract": "protein folding with a new method"})
    assert [e["output"] for e in picked] == [
        n.translation for n in reversed(LogExamples(notes, count=2).nearest("protein folding"))
    ]
    assert all("protein folding" in e["output"] for e in picked)


def test_no_abstract_falls_back_to_the_prompt_files_examples() -> None:
    notes = usable_notes([log_item(i, TOPICS[i % 4]) for i in range(4)])
    fixed = [{"title": "t", "translation": "x", "output": "y"}]
    selector = LogExamples(notes, count=1).for_prompt("summary", fallback=fixed)
    assert selector.select_examples({"title": "T", "abstract": ""}) == fixed


def test_notes_without_japanese_sections_or_too_long_are_not_examples() -> None:
    items = [
        log_item(1, "speech recognition"),
        log_item(2, "speech recognition", translation=""),
        log_item(3, "speech recognition", summary="短い。"),
        log_item(4, "speech recognition", translation="長" * 5000),
    ]
    assert [note.key for note in usable_notes(items)] == ["2401.00001"]


def examples_of(settings: Settings) -> LogExamples | None:
    return log_examples_for(settings, read_user_log(settings))


def write_history(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            item = log_item(i, TOPICS[i % 4])
            row = {
                "title": item.title_line,
                "abstract": item.abstract,
                "tags": ["NLP"],
                "url": item.link,
                "translation_ja": item.translation,
                "summary_ja": item.summary,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def test_the_log_jsonl_gives_examples_known_by_their_arxiv_id(tmp_path: Path) -> None:
    notes = usable_notes(load_log([write_history(tmp_path / "h.jsonl", 3)]))
    assert notes[2].key == "2401.00002"
    assert notes[2].translation.startswith("protein folding")
    assert notes[2].summary.endswith("研究2。")


def test_a_small_log_or_the_setting_off_keeps_the_fixed_examples(tmp_path: Path) -> None:
    small = write_history(tmp_path / "small.jsonl", MIN_LOG_NOTES - 1)
    big = write_history(tmp_path / "big.jsonl", MIN_LOG_NOTES)
    notes = tmp_path / "notes"
    assert examples_of(Settings(home=tmp_path, history=small, notes_dir=notes)) is None
    off = Settings(home=tmp_path, history=big, notes_dir=notes, examples_from_log=False)
    assert examples_of(off) is None
    loaded = examples_of(Settings(home=tmp_path, history=big, notes_dir=notes))
    assert loaded is not None
    assert len(loaded.notes) == MIN_LOG_NOTES


def test_the_chain_sends_the_nearest_notes_and_records_them(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    default_product_script(chat_server)
    history = write_history(tmp_path / "h.jsonl", MIN_LOG_NOTES)
    settings = Settings(
        home=tmp_path, base_url=chat_server.base_url, history=history, notes_dir=tmp_path / "n"
    )
    examples = examples_of(settings)
    chain = DraftChain(
        make_chat_model(settings),
        load_vocabulary(),
        policy=RetryPolicy.for_settings(settings),
        log_examples=examples,
    )
    paper = make_paper(abstract="A speech recognition model for noisy speech recognition.")
    sections = chain.run(paper)
    assert sections.examples
    assert all(key.startswith("2401.") for key in sections.examples)
    sent = json.dumps(chat_server.chat_payloads, ensure_ascii=False)
    # The log's speech-recognition notes were shown; the fixed fictional papers were not.
    assert "speech recognitionの研究" in sent
    assert "Sparse Draft Heads" not in sent


def test_the_translation_prompt_ends_with_the_glossary_terms_the_paper_uses(
    chat_server: FakeChatServer, tmp_path: Path
) -> None:
    from summarizer.tags.glossary import Term

    default_product_script(chat_server)
    settings = Settings(home=tmp_path, base_url=chat_server.base_url)
    glossary = [
        Term("fine-tuning", "translate", "ファインチューニング", notes=9, share=0.9),
        Term("protein folding", "keep", "protein folding", notes=5, share=0.8),
    ]
    chain = DraftChain(
        make_chat_model(settings),
        load_vocabulary(),
        policy=RetryPolicy.for_settings(settings),
        glossary=glossary,
    )
    chain.run(make_paper(abstract="We study fine-tuning of retrievers for open QA."))
    translation_turns = [
        payload["messages"][-1]["content"]
        for payload in chat_server.chat_payloads
        if "翻訳してください" in payload["messages"][-1]["content"]
    ]
    assert len(translation_turns) == 1
    assert translation_turns[0].endswith("- fine-tuning → ファインチューニング")
    assert "protein folding" not in translation_turns[0]  # a term the paper does not use
    # The examples' turns do not carry it.
    sent = json.dumps(chat_server.chat_payloads, ensure_ascii=False)
    assert sent.count("用語の表記") == 1
