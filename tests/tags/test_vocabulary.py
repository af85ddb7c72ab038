"""The controlled vocabulary: file formats and the never-outside-vocabulary filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import VocabularyError
from summarizer.notes.note import tag_key
from summarizer.tags.vocabulary import derived_aliases, load_vocabulary

# The house label list; not in the repository (skipped where ../shared is absent).
CORPUS_VOCABULARY = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vocabulary.tsv"


def test_builtin_vocabulary_has_all_three_kinds_and_describes_every_tag() -> None:
    vocabulary = load_vocabulary()
    assert {tag.kind for tag in vocabulary} == {"topic", "venue", "workflow"}
    assert len(vocabulary.names("topic")) > 250
    assert [tag.name for tag in vocabulary if not tag.description.strip()] == []
    assert vocabulary.tag("NIPS").name == "NeurIPS"  # type: ignore[union-attr]
    # Only topics are offered to the model or kept from its reply.
    assert "ACL" in vocabulary.names("venue")
    assert "read-later" in vocabulary.names("workflow")
    assert "ACL" not in vocabulary.names()
    assert "read-later" not in vocabulary.spellings()
    assert vocabulary.filter(["ACL", "NLP", "read-later", "NIPS"]) == ["NLP"]


def test_builtin_vocabulary_spellings_are_unambiguous() -> None:
    owners: dict[str, set[str]] = {}
    for tag in load_vocabulary():
        for spelling in (tag.name, *tag.aliases, *derived_aliases(tag.name)):
            owners.setdefault(tag_key(spelling), set()).add(tag.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_builtin_kinds_match_the_house_label_list() -> None:
    if not CORPUS_VOCABULARY.is_file():
        pytest.skip(f"{CORPUS_VOCABULARY} is absent (the shared corpus lives beside the repo)")
    house = {tag.name: tag.kind for tag in load_vocabulary(CORPUS_VOCABULARY)}
    assert {tag.name: tag.kind for tag in load_vocabulary()} == house


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
