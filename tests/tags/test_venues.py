"""Venue tags come from metadata, only for venues the vocabulary lists as venues."""

from __future__ import annotations

import pytest

from summarizer.tags.venues import QUALIFIERS, VENUES, detect_venues, venue_tags
from summarizer.tags.vocabulary import Vocabulary, VocabularyTag, load_vocabulary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Accepted at ACL 2025", ["ACL"]),
        ("Findings of EMNLP 2024", ["EMNLP", "Findings"]),
        ("EMNLP 2024 Findings, 12 pages", ["EMNLP", "Findings"]),
        ("NeurIPS 2023 Workshop on Efficient Models", ["NeurIPS", "Workshop"]),
        ("NIPS 2017", ["NeurIPS"]),
        ("To appear in TACL", ["TACL"]),
        ("Transactions on Machine Learning Research (01/2025)", ["TMLR"]),
        ("NAACL-HLT 2019 (short paper)", ["NAACL", "Short"]),
        ("ACL-IJCNLP 2021", ["ACL"]),
        ("Proceedings of KDD 2023", ["KDD"]),
        ("The Web Conference 2024 (WWW '24)", ["WWW"]),
        ("Interspeech 2023; code at github", ["Interspeech"]),
        ("Submitted to NeurIPS 2024; accepted at ICML 2024.", ["ICML"]),
    ],
)
def test_detects_venues(text, expected):
    assert detect_venues(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10 pages, 3 figures",
        "Under review at ICLR 2025",
        "Submitted to ACL 2025",
        "Uses the ICML-style template, 9 pages",
        "NeurIPS format",
        "Our findings hold across oracle settings",
        "Findings of our study",  # a qualifier without a venue
        "code: https://www.acl-example.org/x",
        "chi-square test",
        "translated by an oracle",
    ],
)
def test_no_false_positives(text):
    assert detect_venues(text) == []


def test_only_venues_of_the_vocabulary_in_its_spelling():
    vocabulary = Vocabulary(
        [
            VocabularyTag("NLP"),
            VocabularyTag("ACL", kind="venue"),
            VocabularyTag("Findings", kind="venue"),
            VocabularyTag("SIGKDD", kind="venue"),
            VocabularyTag("EMNLP"),  # a topic tag of the same name is not a venue
        ]
    )
    assert venue_tags(vocabulary, comment="Findings of ACL 2024") == ["ACL", "Findings"]
    assert venue_tags(vocabulary, journal_ref="KDD '23") == ["SIGKDD"]
    assert venue_tags(vocabulary, comment="EMNLP 2023") == []
    assert venue_tags(vocabulary, comment="Accepted at ICML 2024") == []


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"comment": "Accepted at ACL 2025. 9 pages, 4 figures"}, ["ACL"]),
        ({"comment": "Findings of EMNLP 2024"}, ["EMNLP", "Findings"]),
        ({"journal_ref": "NIPS 2017"}, ["NeurIPS"]),
        ({"journal_ref": "KDD '23"}, ["SIGKDD"]),
        ({"comment": "TheWebConf 2024 (short paper)"}, ["WWW", "Short"]),
        ({"comment": "Submitted to ICLR 2026"}, []),
        ({"comment": "ECCV 2024"}, []),  # a venue the built-in vocabulary does not list
    ],
)
def test_builtin_vocabulary_tags_venues_from_metadata(
    metadata: dict[str, str], expected: list[str]
) -> None:
    assert venue_tags(load_vocabulary(), **metadata) == expected


def test_every_builtin_venue_tag_can_be_detected() -> None:
    vocabulary = load_vocabulary()
    reachable = {
        tag
        for venue in (*VENUES, *QUALIFIERS)
        for tag in vocabulary.filter(venue.spellings, kind="venue")
    }
    assert set(vocabulary.names("venue")) == reachable
