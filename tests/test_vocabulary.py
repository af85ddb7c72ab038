"""The controlled vocabulary: file formats and the never-outside-vocabulary filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import VocabularyError
from summarizer.vocabulary import load_vocabulary


def test_builtin_vocabulary_has_only_topic_tags() -> None:
    vocabulary = load_vocabulary()
    assert len(vocabulary) > 250
    assert {tag.kind for tag in vocabulary} == {"topic"}
    assert "NLP" in vocabulary
    assert "ACL" not in vocabulary  # a venue, not a topic
    assert "read-later" not in vocabulary  # a workflow label, never suggested


def test_builtin_vocabulary_keeps_multiword_labels() -> None:
    names = load_vocabulary().names()
    assert "Catastrophic Forgetting" in names
    assert "Supervised-FineTuning (SFT)" in names


def test_filter_keeps_order_canonicalises_and_drops_unknown() -> None:
    vocabulary = load_vocabulary()
    kept = vocabulary.filter(
        ["nlp", "MadeUpTag", "LanguageModel", "NLP", "  catastrophic forgetting"]
    )
    assert kept == ["NLP", "LanguageModel", "Catastrophic Forgetting"]


def test_filter_ignores_non_strings() -> None:
    assert load_vocabulary().filter([None, 3, "NLP"]) == ["NLP"]  # type: ignore[list-item]


def test_tsv_with_label_column_and_kinds(tmp_path: Path) -> None:
    path = tmp_path / "v.tsv"
    path.write_text(
        "# my tags\nlabel\tcount\tkind\nNLP\t3\ttopic\nACL\t1\tvenue\nread-later\t9\tworkflow\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(path)
    assert vocabulary.names() == ["NLP"]
    assert vocabulary.names(None) == ["NLP", "ACL", "read-later"]
    assert vocabulary.filter(["ACL", "NLP", "read-later"]) == ["NLP"]


def test_aliases_map_to_the_canonical_name(tmp_path: Path) -> None:
    path = tmp_path / "v.tsv"
    path.write_text(
        "name\tkind\taliases\tdescription\nIn-ContextLearning\ttopic\tICL|In-Context Learning\t\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(path)
    assert vocabulary.canonical("ICL") == "In-ContextLearning"
    assert vocabulary.canonical("in-context learning") == "In-ContextLearning"


def test_plain_list_one_tag_per_line(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("NLP\nLanguageModel\n\nNLP\n", encoding="utf-8")
    assert load_vocabulary(path).names() == ["NLP", "LanguageModel"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "no tags"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"name\tkind\nNLP\tgenre\n", "kind 'genre'"),
    ],
)
def test_unusable_vocabulary_files_are_clear_errors(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "v.tsv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VocabularyError, match=message) as caught:
        load_vocabulary(path)
    assert str(path) in str(caught.value)
    assert caught.value.exit_code == 2
