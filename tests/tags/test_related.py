"""Related notes: the person's notes most like a paper, above a threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.related import gold_links
from summarizer.tags.log_notes import LogNote, load_log
from summarizer.tags.related import RelatedIndex, load_related_index

CORPUS = Path("/work/shared/corpus/notes_dev.jsonl")


def log_note(title: str, abstract: str, link: str = "") -> LogNote:
    return LogNote(f"[Paper Note] {title}, A+, arXiv'25, 2025.01", title, abstract, link=link)


LOG = [
    log_note("Quantized Adapters", "Four-bit quantized weights with low-rank adapters.", "#1"),
    log_note("Melody Models", "We generate melodies and songs from chord sequences.", "#2"),
    log_note("Sparse Attention Kernels", "Faster attention kernels for long inputs.", "#3"),
    log_note("Quantized Adapters Two", "Better four-bit quantized adapters, low-rank.", "#4"),
]


def test_finds_the_similar_notes_best_first() -> None:
    found = RelatedIndex(LOG).find("Low-rank adapters", "Quantized weights in four bits.")
    assert [r.link for r in found][:2] in (["#1", "#4"], ["#4", "#1"])
    assert all(r.score >= 0.15 for r in found)
    assert found == sorted(found, key=lambda r: -r.score)
    assert found[0].title_line.startswith("[Paper Note] Quantized Adapters")


def test_limit_threshold_and_the_papers_own_note() -> None:
    index = RelatedIndex(LOG)
    assert len(index.find("Quantized Adapters", "four-bit adapters", limit=1)) == 1
    own = index.find("Quantized Adapters", "Four-bit quantized weights with low-rank adapters.")
    assert "#1" not in [r.link for r in own]
    assert index.find("Ocean tides", "We measure waves at the shore.") == []


def test_an_empty_log_finds_nothing(tmp_path: Path) -> None:
    assert RelatedIndex([]).find("Anything", "at all") == []
    assert load_related_index([]).find("Anything", "at all") == []


def test_too_few_reviewed_notes_find_nothing(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    rows = [{"title": n.title_line, "abstract": n.abstract, "url": n.link} for n in LOG]
    history.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    query = ("Low-rank adapters", "Quantized weights in four bits.")
    assert load_related_index([history]).find(*query)
    assert load_related_index([history], min_notes=20).find(*query) == []


@pytest.mark.skipif(not CORPUS.exists(), reason="the dev corpus is not here")
def test_finds_the_persons_own_links_at_least_as_often_as_plain_tfidf() -> None:
    notes = load_log([CORPUS])
    links = gold_links(notes)
    assert len(links) >= 5
    hits = {"blend": 0, "tfidf": 0}
    for method in hits:
        for i, gold in links.items():
            index = RelatedIndex([n for j, n in enumerate(notes) if j != i], method=method)
            found = {r.title_line for r in index.find(notes[i].title, notes[i].abstract)}
            hits[method] += len(found & {notes[j].title_line for j in gold})
    assert hits["blend"] >= hits["tfidf"]
    assert hits["blend"] >= 5
