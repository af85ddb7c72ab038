"""Tag suggestions from the user's history: vocabulary only, deterministic, calibrated, cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.tags.history import HistoryItem, history_fingerprint
from summarizer.tags.suggest import TagSuggester
from summarizer.tags.suggest_index import load_index, load_or_fit
from summarizer.tags.vocabulary import Vocabulary, VocabularyTag, load_vocabulary

CORPUS = Path("/work/shared/corpus")

VOCABULARY = Vocabulary(
    [
        VocabularyTag("NLP"),
        VocabularyTag("ComputerVision"),
        VocabularyTag("RAG(RetrievalAugmentedGeneration)"),
        VocabularyTag("MachineTranslation"),
        VocabularyTag("Quantization"),
        VocabularyTag("SpeechProcessing", aliases=("speech",)),
        VocabularyTag("ACL", kind="venue"),
        VocabularyTag("read-later", kind="workflow"),
    ]
)

_TOPICS = [
    ("retrieval augmented generation for question answering", ["NLP", "RAG", "ACL"]),
    ("neural machine translation between languages", ["NLP", "MachineTranslation"]),
    ("image segmentation with convolutional networks", ["ComputerVision", "SecretTag"]),
    ("weight quantization of large models to 4 bits", ["Quantization", "read-later"]),
    ("speech recognition from raw audio", ["SpeechProcessing", "Invented"]),
]


def _history(n: int = 30) -> list[HistoryItem]:
    items = []
    for i in range(n):
        text, tags = _TOPICS[i % len(_TOPICS)]
        items.append(
            HistoryItem(
                title=f"Paper {i} on {text.split()[0]}",
                abstract=f"We study {text}. Variant {i} improves results.",
                tags=[*tags, "NotInVocabulary"],
                rejected=["ComputerVision"] if i % len(_TOPICS) == 0 else [],
            )
        )
    return items


@pytest.fixture(scope="module")
def suggester() -> TagSuggester:
    return TagSuggester().fit(_history(), VOCABULARY)


def test_only_topic_tags_of_the_vocabulary(suggester):
    topics = set(VOCABULARY.names("topic"))
    for title, abstract in [
        ("SecretTag NotInVocabulary Invented", "ACL read-later SecretTag invented tags"),
        ("Image segmentation", "convolutional networks for image segmentation"),
        ("", ""),
    ]:
        suggested = suggester.suggest(title, abstract, top_k=50)
        assert {tag for tag, _ in suggested} <= topics
        assert len(suggested) == len(topics)


def test_learns_from_history_and_scores_in_range(suggester):
    suggested = suggester.suggest(
        "Better retrieval augmented generation", "We study retrieval augmented generation.", 3
    )
    tags = [t for t, _ in suggested]
    assert tags[0] in {"RAG(RetrievalAugmentedGeneration)", "NLP"}
    assert {"RAG(RetrievalAugmentedGeneration)", "NLP"} <= set(tags)
    scores = [s for _, s in suggester.suggest("x", "y", top_k=50)]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_name_match_finds_a_tag_the_history_never_used():
    vocabulary = Vocabulary([*VOCABULARY.tags, VocabularyTag("Catastrophic Forgetting")])
    suggester = TagSuggester().fit(_history(), vocabulary)
    tags = [
        t for t, _ in suggester.suggest("Less forgetting", "We reduce catastrophic forgetting.")
    ]
    assert "Catastrophic Forgetting" in tags[:3]


def test_description_is_evidence_for_a_tag_whose_name_a_paper_never_writes():
    # How much this evidence is worth is learned from the user's history (the
    # bench ablation measures it on real notes); here: the evidence itself.
    described = Vocabulary(
        [
            *VOCABULARY.tags,
            VocabularyTag("OpenWeight", description="Releases model weights: open checkpoints."),
        ]
    )
    suggester = TagSuggester().fit(_history(), described)
    text = "A compact speech model\nWe release the weights and checkpoints publicly."
    cosine, share = suggester._description_features([text])[0]
    best = suggester.tags[int(cosine.argmax())]
    assert best == "OpenWeight"
    assert share[suggester.tags.index("OpenWeight")] > 0.5
    # No description, no evidence (and no error).
    plain = TagSuggester().fit(_history(), VOCABULARY)
    assert not plain._description_features([text]).any()


def test_several_history_sources_are_one_index(tmp_path):
    old, newer = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    _write_history(old, _history(10))
    _write_history(newer, _history(30)[10:])
    index = tmp_path / "tags.idx"
    both = load_or_fit(index, [old, newer], VOCABULARY)
    assert both._n_history == 30
    # Each source is part of the fingerprint: changing one rebuilds the index.
    _write_history(newer, _history(30)[10:20])
    assert load_or_fit(index, [old, newer], VOCABULARY)._n_history == 20


def test_deterministic():
    first = TagSuggester().fit(_history(), VOCABULARY).suggest("speech audio", "raw audio", 5)
    second = TagSuggester().fit(_history(), VOCABULARY).suggest("speech audio", "raw audio", 5)
    assert first == second


def test_tiny_history_still_works():
    suggester = TagSuggester().fit(_history(2), VOCABULARY)
    tags = suggester.suggest("Quantization", "weight quantization", top_k=2)
    assert tags[0][0] == "Quantization"
    assert TagSuggester().fit([], VOCABULARY).suggest("a", "b", 1)[0][0] in VOCABULARY


def test_unknown_signal_is_refused():
    with pytest.raises(ValueError, match="unknown signals"):
        TagSuggester(signals=["magic"])


def _write_history(path: Path, items: list[HistoryItem]) -> None:
    rows = [{"title": i.title, "abstract": i.abstract, "tags": i.tags} for i in items]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def test_save_load_round_trip_and_stale_rebuild(tmp_path):
    history, index = tmp_path / "h.jsonl", tmp_path / "cache" / "tags.idx"
    _write_history(history, _history())
    built = load_or_fit(index, history, VOCABULARY)
    assert index.exists()
    query = ("speech from audio", "raw audio speech recognition")
    loaded = load_index(
        index, history_fingerprint=history_fingerprint(history), vocabulary=VOCABULARY
    )
    assert loaded is not None
    assert loaded.suggest(*query) == built.suggest(*query)
    assert load_or_fit(index, history, VOCABULARY).suggest(*query) == built.suggest(*query)

    # A changed history or vocabulary makes the index stale: it is rebuilt.
    _write_history(history, _history(10))
    stale = history_fingerprint(history)
    assert load_index(index, history_fingerprint=stale) is None
    other = Vocabulary([*VOCABULARY.tags, VocabularyTag("Music")])
    assert load_index(index, vocabulary=other) is None
    rebuilt = load_or_fit(index, history, VOCABULARY)
    assert rebuilt._n_history == 10
    assert load_index(index, history_fingerprint=stale, vocabulary=VOCABULARY)

    index.write_bytes(b"garbage")
    assert load_index(index) is None
    assert load_or_fit(index, history, VOCABULARY)._n_history == 10


@pytest.mark.skipif(not (CORPUS / "notes_dev.jsonl").exists(), reason="no dev corpus")
@pytest.mark.timeout(900)  # two 5-fold cross-validations; slow on a busy machine
def test_beats_knn_baseline_on_the_dev_corpus():
    from bench.tags import evaluate, fit_knn, fit_suggester
    from summarizer.tags.history import load_history

    items = load_history(CORPUS / "notes_dev.jsonl")
    vocabulary = load_vocabulary()  # the shipped one: the corpus's names, our descriptions
    ours, _ms = evaluate(fit_suggester(), items, vocabulary)
    knn, _ = evaluate(fit_knn, items, vocabulary)
    # The exact margin and the speed are measured by bench/tags.py, not asserted here.
    assert ours[5][2] > knn[5][2] + 0.05
