"""Real arXiv API responses (../shared/fixtures) replayed through our parser.

These files are not in the repository; the tests skip where ../shared is absent,
as on a user's clone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.notes.note import title_line
from summarizer.papers.arxiv import error_entry_summary, parse_feed

REAL = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real" / "arxiv_api"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/fixtures is not present")


def load(name: str) -> bytes:
    return (REAL / name).read_bytes()


def test_many_authors_and_non_ascii_names() -> None:
    (paper,) = parse_feed(load("id_list_1707.08567.xml"))
    assert paper.arxiv_id == "1707.08567"
    assert len(paper.authors) == 34
    assert any("ü" in name for name in paper.authors)
    assert paper.comment


def test_falsy_title_is_kept() -> None:
    (paper,) = parse_feed(load("id_list_2104.12255v1.xml"))
    assert paper.title == "0"
    assert title_line(paper).startswith("[Paper Note] 0, ")


def test_old_style_ids_with_journal_ref() -> None:
    (paper,) = parse_feed(load("id_list_astro-ph_0601001.xml"))
    assert paper.arxiv_id == "astro-ph/0601001"
    assert paper.version == 1
    assert paper.journal_ref
    assert not paper.abstract.startswith(" ")
    (quantum,) = parse_feed(load("id_list_quant-ph_0201082v1.xml"))
    assert quantum.arxiv_id == "quant-ph/0201082"
    assert quantum.primary_category == "quant-ph"
    assert quantum.categories == ["quant-ph", "cs.PL"]


def test_missing_ids_are_silently_omitted() -> None:
    papers = parse_feed(load("id_list_0808.05394_1707.08567.xml"))
    assert [paper.arxiv_id for paper in papers] == ["1707.08567"]


def test_empty_result() -> None:
    assert parse_feed(load("empty_id_list_0000.0000.xml")) == []


def test_error_response_is_explained() -> None:
    body = load("error_id_list_abc_http400.xml")
    assert parse_feed(body) == []  # the Error entry is not a paper
    assert error_entry_summary(body) == "incorrect id format for abc"


def test_doi_and_pagination_pages() -> None:
    papers = parse_feed(load("search_testing_start0_max10.xml"))
    assert len(papers) == 10
    assert any(paper.doi for paper in papers)
    assert any(paper.journal_ref for paper in papers)
    assert all(paper.title and paper.authors and paper.abstract for paper in papers)
    second = parse_feed(load("search_testing_start10_max10.xml"))
    assert {p.arxiv_id for p in papers}.isdisjoint({p.arxiv_id for p in second})


@pytest.mark.parametrize(
    "name", ["legacy2016_id_list_1111.2011v2.xml", "legacy2016_search_au_del_maestro.xml"]
)
def test_legacy_2016_format(name: str) -> None:
    papers = parse_feed(load(name))
    assert papers
    for paper in papers:
        assert "\n" not in paper.title
        assert "\n" not in paper.abstract
        assert paper.published <= paper.updated
    if "1111.2011" in name:
        (paper,) = papers
        assert paper.title == (
            "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large "
            "Connectivity Limit"
        )
        assert paper.doi
        assert paper.version == 2
        assert title_line(paper).endswith("arXiv'11, 2011.11")


def test_every_real_response_parses_or_is_explained() -> None:
    for path in sorted(REAL.glob("*.xml")):
        papers = parse_feed(path.read_bytes())
        if not papers:
            assert "empty" in path.name or "error" in path.name, path.name
